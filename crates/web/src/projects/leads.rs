//! 招商线索 pages: the list (the reader's scope), the form anyone signed in may send, a lead's
//! page with the office's decision (accept or reject, follow-up unit, reward) and its
//! conversion into a project at 在谈.

use super::*;
use qx_core::units::UnitKind;
use qx_store::projects::{Lead, LeadDecision, NewLead, ProjectInput};

pub struct LeadLine {
    id: i64,
    investor: String,
    industry: String,
    intended: String,
    found_by: String,
    status: &'static str,
    follow_unit: String,
    submitted_at: String,
}

#[derive(Template)]
#[template(path = "projects/leads.html")]
pub(super) struct ListPage {
    ctx: PageCtx,
    lines: Vec<LeadLine>,
}

#[derive(Template)]
#[template(path = "projects/lead_new.html")]
pub(super) struct NewPage {
    ctx: PageCtx,
    values: Fields,
    errors: FieldErrors,
}

#[derive(Template)]
#[template(path = "projects/lead.html")]
pub(super) struct DetailPage {
    ctx: PageCtx,
    l: Lead,
    status: &'static str,
    intended: String,
    submitted_at: String,
    units: Vec<(i64, String)>,
    can_decide: bool,
    can_convert: bool,
    /// The reader may open the project the lead became (its number is then a link).
    opens_project: bool,
    saved: bool,
    values: Fields,
    errors: FieldErrors,
}

pub(super) async fn list(State(state): State<AppState>, auth: Signed) -> PageResult {
    let lang = auth.ctx.lang;
    let leads = state.store.list_leads(&auth.actor(), None).await?;
    let lines = leads
        .into_iter()
        .map(|l| LeadLine {
            id: l.id,
            investor: l.submitted.investor,
            industry: l.submitted.industry,
            intended: num(l.submitted.intended_wan),
            found_by: l.submitted.found_by,
            status: l.status.label(lang),
            follow_unit: l.follow_unit_name,
            submitted_at: format_datetime(l.created_at),
        })
        .collect();
    Ok(render(&ListPage {
        ctx: PageCtx::signed_in(&auth),
        lines,
    }))
}

pub(super) async fn new_form(auth: Signed) -> PageResult {
    Ok(render(&NewPage {
        ctx: PageCtx::signed_in(&auth),
        values: Fields::default(),
        errors: FieldErrors::new(auth.ctx.lang),
    }))
}

/// The lead form read (the page and the API): `None` with the message beside 意向投资 when it
/// is not a figure; the texts are checked by the store.
pub(crate) fn lead_of(f: &Fields, errors: &mut FieldErrors) -> Option<NewLead> {
    let label = crate::i18n::t(errors.lang(), "ld.intended");
    let intended_wan = figure(f, "intended", label, errors)?;
    Some(NewLead {
        investor: f.get("investor").to_string(),
        industry: f.get("industry").to_string(),
        intended_wan,
        contact: f.get("contact").to_string(),
        found_by: f.get("found_by").to_string(),
        note: f.get("note").to_string(),
    })
}

/// The fields of the lead form a store refusal may name.
pub(crate) const LEAD_FIELDS: &[(&str, &str)] = &[
    ("investor", "投资方"),
    ("industry", "行业"),
    ("contact", "联系方式"),
    ("found_by", "线索提供人"),
    ("note", "线索说明"),
    ("intended", "意向投资"),
];

pub(super) async fn create(State(state): State<AppState>, auth: Signed, f: Fields) -> PageResult {
    let lang = auth.ctx.lang;
    let mut errors = FieldErrors::new(lang);
    if let Some(new) = lead_of(&f, &mut errors) {
        match state.store.submit_lead(&auth.actor(), &new).await {
            Ok(id) => return Ok(Redirect::to(&format!("/leads/{id}?saved=1")).into_response()),
            Err(e) => errors.absorb(e.into(), LEAD_FIELDS)?,
        }
    }
    Ok(crate::form::invalid(&NewPage {
        ctx: PageCtx::signed_in(&auth),
        values: f,
        errors,
    }))
}

async fn detail_view(
    state: &AppState,
    auth: &Auth,
    id: i64,
    values: Fields,
    errors: FieldErrors,
    saved: bool,
) -> Result<DetailPage, WebError> {
    let actor = auth.actor();
    let l = state.store.get_lead(&actor, id).await?;
    let units = if actor.is_admin() {
        state
            .store
            .list_units()
            .await?
            .into_iter()
            .filter(|u| u.kind != UnitKind::Group)
            .map(|u| (u.id, u.name))
            .collect()
    } else {
        Vec::new()
    };
    let opens_project = match l.project_id {
        Some(p) => state.store.get_project(&actor, p).await.is_ok(),
        None => false,
    };
    Ok(DetailPage {
        ctx: PageCtx::signed_in(auth),
        status: l.status.label(auth.ctx.lang),
        opens_project,
        intended: num(l.submitted.intended_wan),
        submitted_at: format_datetime(l.created_at),
        units,
        can_decide: actor.is_admin() && l.status.decide(true).is_ok(),
        can_convert: actor.is_admin() && l.status.convert().is_ok(),
        saved,
        values,
        errors,
        l,
    })
}

pub(super) async fn detail(
    State(state): State<AppState>,
    auth: Signed,
    Path(id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    let errors = FieldErrors::new(auth.ctx.lang);
    let page = detail_view(
        &state,
        &auth,
        id,
        Fields::default(),
        errors,
        q.contains_key("saved"),
    )
    .await?;
    Ok(render(&page))
}

/// The office's decision form read (the page and the API): accept or reject, the follow-up
/// unit, the reward decision and the note.
pub(crate) fn decision_of(f: &Fields, errors: &mut FieldErrors) -> Option<LeadDecision> {
    let lang = errors.lang();
    let t = |k: &'static str| crate::i18n::t(lang, k);
    let accept = f.choice(
        "decision",
        t("ld.decision"),
        |s| match s {
            "accept" => Some(true),
            "reject" => Some(false),
            _ => None,
        },
        errors,
    );
    let follow = f.optional_number::<i64>("follow_unit_id", t("ld.follow_unit"), errors);
    Some(LeadDecision {
        accept: accept?,
        follow_unit_id: follow?,
        reward: f.get("reward").to_string(),
        note: f.get("decision_note").to_string(),
    })
}

pub(crate) const DECIDE_FIELDS: &[(&str, &str)] = &[
    ("follow_unit_id", "跟进单位"),
    ("reward", "奖励意见"),
    ("decision_note", "线索说明"),
];

pub(super) async fn decide(
    State(state): State<AppState>,
    auth: Office,
    Path(id): Path<i64>,
    f: Fields,
) -> PageResult {
    let mut errors = FieldErrors::new(auth.ctx.lang);
    if let Some(d) = decision_of(&f, &mut errors) {
        match state.store.decide_lead(&auth.actor(), id, &d).await {
            Ok(()) => return Ok(Redirect::to(&format!("/leads/{id}?saved=1")).into_response()),
            Err(e) => errors.absorb(e.into(), DECIDE_FIELDS)?,
        }
    }
    let page = detail_view(&state, &auth, id, f, errors, false).await?;
    Ok(crate::form::invalid(&page))
}

/// The office turns an accepted lead into a project at 在谈 from today, with what the lead
/// says (investor, industry, intended investment, the follow-up unit); the project's page is
/// where the rest is completed.
pub(super) async fn convert(
    State(state): State<AppState>,
    auth: Office,
    Path(id): Path<i64>,
) -> PageResult {
    let actor = auth.actor();
    let l = state.store.get_lead(&actor, id).await?;
    let (Some(unit_id), Some(total)) = (
        l.follow_unit_id,
        l.submitted.intended_wan.filter(|v| *v > 0.0),
    ) else {
        return Err(WebError::BadRequest(
            crate::i18n::t(auth.ctx.lang, "ld.convert_needs").to_string(),
        ));
    };
    let today = today();
    let input = ProjectInput {
        year: today.year(),
        name: format!("{}{}项目", l.submitted.investor, l.submitted.industry),
        investor: l.submitted.investor.clone(),
        credit_code: None,
        capital_kind: CapitalKind::Domestic,
        source: Source::Investment,
        industry: l.submitted.industry.clone(),
        town_id: None,
        total_investment_wan: total,
        foreign_contract_wusd: None,
        annual_plan_wan: None,
        completed_wan: None,
        land_mu: None,
        content: l.submitted.note.clone(),
        unit_id,
        contact: l.submitted.contact.clone(),
        leader_user_id: None,
        planned: [None; 4],
    };
    let project = state.store.convert_lead(&actor, id, &input, today).await?;
    Ok(Redirect::to(&format!("/projects/{project}/edit")).into_response())
}
