//! 工作例会: the agenda (page, .docx, .xlsx through `qx_report::agenda`) and the decisions
//! with their follow-up.

use super::*;
use qx_core::problem::DecisionStatus;
use qx_report::agenda::{self, AgendaItem};

pub struct DecisionLine {
    d: sp::Decision,
    overdue: bool,
    done: bool,
    can_update: bool,
}

#[derive(Template)]
#[template(path = "problems/meeting.html")]
pub(super) struct MeetingPage {
    ctx: PageCtx,
    agenda: Vec<sp::Problem>,
    decisions: Vec<DecisionLine>,
    units: Vec<(i64, String)>,
    is_admin: bool,
    reads_all: bool,
    today: String,
}

pub(super) async fn meeting_page(
    State(state): State<AppState>,
    auth: County,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    let actor = auth.actor();
    let agenda = if actor.reads_all() {
        state.store.meeting_agenda(&actor).await?
    } else {
        Vec::new()
    };
    let today = format_date(today());
    let decisions = state
        .store
        .list_decisions(&actor)
        .await?
        .into_iter()
        .map(|d| DecisionLine {
            overdue: d.status == DecisionStatus::Open && d.due_on < today,
            done: d.status == DecisionStatus::Done,
            can_update: d.status == DecisionStatus::Open && actor.can_write_unit(d.owner_unit_id),
            d,
        })
        .collect();
    let mut ctx = PageCtx::signed_in(&auth);
    if q.contains_key("saved") {
        ctx.flash = Some(crate::i18n::t(auth.ctx.lang, "common.saved").to_string());
    }
    let page = MeetingPage {
        ctx,
        agenda,
        decisions,
        units: if actor.is_admin() {
            state
                .store
                .list_units()
                .await?
                .into_iter()
                .map(|u| (u.id, u.name))
                .collect()
        } else {
            Vec::new()
        },
        is_admin: actor.is_admin(),
        reads_all: actor.reads_all(),
        today,
    };
    Ok(render(&page).into_response())
}

/// An agenda problem as its row in the documents reads.
pub(super) fn agenda_item(p: &sp::Problem) -> AgendaItem {
    let progress = if p.answer.is_empty() {
        format!("{} · {}", p.status().label_zh(), p.return_reason)
    } else {
        p.answer.clone()
    };
    AgendaItem {
        enterprise: p.enterprise_name.clone(),
        title: p.title.clone(),
        description: p.description.clone(),
        category: p.category().label_zh().to_string(),
        lead_unit: p.lead_unit_name.clone(),
        submitted_on: p.submitted_on.clone(),
        escalations: p.escalations,
        progress,
    }
}

/// The agenda's rows, for the office and leaders.
async fn agenda_items(state: &AppState, auth: &Auth) -> Result<Vec<AgendaItem>, WebError> {
    let agenda = state.store.meeting_agenda(&auth.actor()).await?;
    Ok(agenda.iter().map(agenda_item).collect())
}

fn report_err(e: qx_report::ReportError) -> WebError {
    WebError::Internal(anyhow::anyhow!(e))
}

/// The agenda as a document (.docx when `docx`, else .xlsx), named by today's date.
async fn agenda_file(state: &AppState, auth: &Auth, docx: bool) -> PageResult {
    let agenda = agenda_items(state, auth).await?;
    let day = format_date(today());
    let (bytes, ext, mime) = if docx {
        (
            agenda::agenda_docx(&agenda, &day),
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        )
    } else {
        (
            agenda::agenda_xlsx(&agenda),
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    };
    Ok(crate::download::attachment(
        bytes.map_err(report_err)?,
        &format!("例会议程-{day}.{ext}"),
        mime,
    ))
}

pub(super) async fn agenda_docx(State(state): State<AppState>, auth: Auth) -> PageResult {
    agenda_file(&state, &auth, true).await
}

pub(super) async fn agenda_xlsx(State(state): State<AppState>, auth: Auth) -> PageResult {
    agenda_file(&state, &auth, false).await
}

#[derive(Deserialize)]
pub(super) struct DecisionForm {
    #[serde(default)]
    problem_id: String,
    meeting_date: String,
    decision: String,
    owner_unit_id: String,
    due_on: String,
}

pub(super) async fn decision_create(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<DecisionForm>,
) -> PageResult {
    let d = NewDecision {
        problem_id: if f.problem_id.trim().is_empty() {
            None
        } else {
            Some(parse_id("难题", &f.problem_id)?)
        },
        meeting_date: parse_date_field("会议日期", &f.meeting_date)?,
        decision: f.decision,
        owner_unit_id: parse_id("责任单位", &f.owner_unit_id)?,
        due_on: parse_date_field("办理期限", &f.due_on)?,
    };
    state.store.record_decision(&auth.actor(), &d).await?;
    Ok(Redirect::to("/problems/meeting?saved=1").into_response())
}

#[derive(Deserialize)]
pub(super) struct ProgressForm {
    progress: String,
    #[serde(default)]
    done: String,
}

pub(super) async fn decision_update(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Form(f): Form<ProgressForm>,
) -> PageResult {
    state
        .store
        .update_decision(&auth.actor(), id, &f.progress, f.done == "1", today())
        .await?;
    Ok(Redirect::to("/problems/meeting?saved=1").into_response())
}
