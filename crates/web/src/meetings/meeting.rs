//! A meeting's page: its facts and steps (通知, 召开, 印发纪要 with confirmation), the agenda
//! (picked from the proposals the system assembles, ordered and edited by the office), each
//! responsible unit's 情况说明 beside its item, and the decisions with lead and support units
//! and deadlines.

use super::*;
use crate::webhook::notified;
use qx_core::meeting::MeetingStatus;
use qx_store::meetings::{AgendaItem, Meeting, NewAgendaItem, NewResolution, Proposal, Resolution};

pub(super) struct ItemView {
    item: AgendaItem,
    source: &'static str,
    can_state: bool,
}

pub(super) struct DecisionView {
    r: Resolution,
    item: String,
    support: String,
    status: &'static str,
    /// The reader may open the 督办 item and the problem the decision names (each is then a
    /// link); a unit reads the decisions of a meeting it attends, not every unit's items.
    opens_supervision: bool,
    opens_problem: bool,
}

pub(super) struct ProposalView {
    p: Proposal,
    source: &'static str,
}

/// The stuck items of a kind the proposals leave out: how many, and where the full list is.
pub(super) struct MoreView {
    source: &'static str,
    count: usize,
    href: &'static str,
}

/// The full list of what is stuck of a kind.
fn full_list(kind: AgendaSource) -> &'static str {
    match kind {
        AgendaSource::Problem => "/problems?tier=meeting",
        AgendaSource::Project => "/projects?light=red",
        AgendaSource::Indicator | AgendaSource::Task => "/monitor",
        AgendaSource::Supervision => "/supervision?open=1",
        AgendaSource::Manual => "/meetings",
    }
}

#[derive(Template)]
#[template(path = "meetings/meeting.html")]
pub(super) struct MeetingPage {
    ctx: PageCtx,
    m: Meeting,
    kind: &'static str,
    status: &'static str,
    units: String,
    items: Vec<ItemView>,
    proposals: Vec<ProposalView>,
    more: Vec<MoreView>,
    decisions: Vec<DecisionView>,
    unit_options: Vec<(i64, String)>,
    is_admin: bool,
    editable: bool,
    can_notify: bool,
    can_hold: bool,
    can_decide: bool,
    can_issue: bool,
    issued: bool,
    failed: Option<Failed>,
}

impl FormState for MeetingPage {
    fn failed(&self) -> Option<&Failed> {
        self.failed.as_ref()
    }
}

async fn view(
    state: &AppState,
    auth: &Auth,
    id: i64,
    failed: Option<Failed>,
) -> Result<MeetingPage, WebError> {
    let actor = auth.actor();
    let lang = auth.ctx.lang;
    let m = state.store.get_meeting(&actor, id).await?;
    let agenda = state.store.agenda(&actor, id).await?;
    let editable = actor.is_admin() && m.status.is_editable();
    let proposed = if editable {
        qx_app::meetings::proposals(&state.store, &state.picture_cache, &actor, id).await?
    } else {
        Default::default()
    };
    let more = proposed
        .more
        .iter()
        .map(|(kind, count)| MoreView {
            source: kind.label(lang),
            count: *count,
            href: full_list(*kind),
        })
        .collect();
    let proposals = proposed
        .items
        .into_iter()
        .map(|p| ProposalView {
            source: p.item.source.label(lang),
            p,
        })
        .collect();
    let texts: HashMap<i64, String> = agenda.iter().map(|i| (i.id, i.text.clone())).collect();
    let mut decisions = Vec::new();
    for r in state.store.resolutions(&actor, id).await? {
        let opens_problem = opens_problem(state, &actor, r.problem_id).await;
        decisions.push(DecisionView {
            item: r
                .agenda_item_id
                .and_then(|a| texts.get(&a).cloned())
                .unwrap_or_default(),
            support: r
                .support_units
                .iter()
                .map(|(_, n)| n.as_str())
                .collect::<Vec<_>>()
                .join("、"),
            status: r.supervision_status.label(lang),
            opens_supervision: qx_store::meetings::reads_supervision(
                &actor,
                r.lead_unit_id,
                &r.support_units,
            ),
            opens_problem,
            r,
        });
    }
    let open = m.status.is_editable();
    let items = agenda
        .into_iter()
        .map(|item| ItemView {
            source: item.source_kind.label(lang),
            can_state: open && item.unit_id.is_some() && actor.unit_id == item.unit_id,
            item,
        })
        .collect();
    Ok(MeetingPage {
        ctx: PageCtx::signed_in(auth),
        kind: m.kind.label(lang),
        status: m.status.label(lang),
        units: m
            .units
            .iter()
            .map(|(_, n)| n.as_str())
            .collect::<Vec<_>>()
            .join("、"),
        items,
        proposals,
        more,
        decisions,
        unit_options: if editable {
            unit_choices(&state.store).await?
        } else {
            Vec::new()
        },
        is_admin: actor.is_admin(),
        editable,
        can_notify: actor.is_admin() && m.status.apply(MeetingStep::Notify).is_ok(),
        can_hold: actor.is_admin() && m.status.apply(MeetingStep::Hold).is_ok(),
        can_decide: editable && m.status == MeetingStatus::Held,
        can_issue: actor.is_admin() && m.status.apply(MeetingStep::IssueMinutes).is_ok(),
        issued: m.status == MeetingStatus::MinutesIssued,
        m,
        failed,
    })
}

pub(super) async fn page(
    State(state): State<AppState>,
    auth: County,
    Path(id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    let mut page = view(&state, &auth, id, None).await?;
    page.ctx.flash = crate::pages::flash_from(&q, auth.ctx.lang);
    Ok(render(&page))
}

fn back(id: i64) -> Response {
    Redirect::to(&saved_url(id)).into_response()
}

/// Shows the meeting again with `form`'s errors, answered 400.
async fn again(state: &AppState, auth: &Auth, id: i64, failed: Failed) -> PageResult {
    refused(view(state, auth, id, Some(failed))).await
}

fn optional_id(
    f: &Fields,
    name: &'static str,
    label: &str,
    errors: &mut FieldErrors,
) -> Option<i64> {
    let v = f.get(name);
    if v.is_empty() {
        return None;
    }
    let parsed = v.parse().ok();
    if parsed.is_none() {
        errors.not_a_number(name, label, v);
    }
    parsed
}

/// Puts an item on the agenda: a proposal picked (its source, id, text and unit sent along) or
/// an item the office types.
pub(super) async fn add_item(
    State(state): State<AppState>,
    auth: Office,
    Path(id): Path<i64>,
    f: Fields,
) -> PageResult {
    let lang = auth.ctx.lang;
    let mut errors = FieldErrors::new(lang);
    let source = if f.get("source").is_empty() {
        Some(AgendaSource::Manual)
    } else {
        f.choice(
            "source",
            t(lang, "mt.source"),
            AgendaSource::from_code,
            &mut errors,
        )
    };
    let source_id = optional_id(&f, "source_id", t(lang, "mt.source"), &mut errors);
    let unit_id = optional_id(&f, "unit_id", t(lang, "mt.unit"), &mut errors);
    let text = f.required("text", t(lang, "mt.item"), &mut errors);
    if let (Some(source), true) = (source, errors.is_empty()) {
        let item = NewAgendaItem {
            source,
            source_id,
            text,
            unit_id,
        };
        let outcome = state
            .store
            .add_agenda_item_noticed(&auth.actor(), id, &item)
            .await;
        if let Some((_, notices)) = errors.unless_refused(outcome, &[("text", "议题")])? {
            return Ok(notified(&state.store, notices, &saved_url(id)));
        }
    }
    again(&state, &auth, id, Failed::new("add", None, f, errors)).await
}

pub(super) async fn edit_item(
    State(state): State<AppState>,
    auth: Office,
    Path(item): Path<i64>,
    f: Fields,
) -> PageResult {
    let (store, actor) = (&state.store, &auth.actor());
    save_item_text(&state, &auth, item, f, &EDIT_ITEM, |text| async move {
        store.edit_agenda_item(actor, item, &text).await
    })
    .await
}

/// A form of one text on an agenda item: its name on the page, its field, the field's label
/// and the name a store refusal gives the field.
struct ItemText {
    form: &'static str,
    field: &'static str,
    label: &'static str,
    refused_as: &'static str,
}

/// 议题 as the office edits it.
const EDIT_ITEM: ItemText = ItemText {
    form: "edit",
    field: "text",
    label: "mt.item",
    refused_as: "议题",
};

/// The responsible unit's 情况说明.
const STATEMENT: ItemText = ItemText {
    form: "statement",
    field: "statement",
    label: "mt.statement",
    refused_as: "情况说明",
};

/// Saves an agenda item's one required text with `save`, then goes back to its meeting; a text
/// missing or refused shows the meeting again with what was typed and the error beside it.
async fn save_item_text<Fut>(
    state: &AppState,
    auth: &Auth,
    item: i64,
    f: Fields,
    form: &ItemText,
    save: impl FnOnce(String) -> Fut,
) -> PageResult
where
    Fut: std::future::Future<Output = Result<(), qx_store::StoreError>>,
{
    let lang = auth.ctx.lang;
    let mut errors = FieldErrors::new(lang);
    let text = f.required(form.field, t(lang, form.label), &mut errors);
    let meeting = meeting_of(state, auth, item).await?;
    if errors.is_empty() {
        match save(text).await {
            Ok(()) => return Ok(back(meeting)),
            Err(e) => errors.absorb(e.into(), &[(form.field, form.refused_as)])?,
        }
    }
    let failed = Failed::new(form.form, Some(item), f, errors);
    again(state, auth, meeting, failed).await
}

async fn meeting_of(state: &AppState, auth: &Auth, item: i64) -> Result<i64, WebError> {
    Ok(state.store.agenda_item_meeting(&auth.actor(), item).await?)
}

pub(super) async fn move_item(
    State(state): State<AppState>,
    auth: Office,
    Path(item): Path<i64>,
    f: Fields,
) -> PageResult {
    let meeting = meeting_of(&state, &auth, item).await?;
    state
        .store
        .move_agenda_item(&auth.actor(), item, f.get("dir") == "up")
        .await?;
    Ok(back(meeting))
}

pub(super) async fn remove_item(
    State(state): State<AppState>,
    auth: Office,
    Path(item): Path<i64>,
) -> PageResult {
    let meeting = meeting_of(&state, &auth, item).await?;
    state.store.remove_agenda_item(&auth.actor(), item).await?;
    Ok(back(meeting))
}

/// The responsible unit's 情况说明 (the store lets only that unit write it).
pub(super) async fn statement(
    State(state): State<AppState>,
    auth: OfficeOrUnit,
    Path(item): Path<i64>,
    f: Fields,
) -> PageResult {
    let (store, actor) = (&state.store, &auth.actor());
    save_item_text(&state, &auth, item, f, &STATEMENT, |text| async move {
        store.give_statement(actor, item, &text).await
    })
    .await
}

/// 发出会议通知 or 标记已召开 (印发纪要 is `documents::issue`, which makes the file).
pub(super) async fn step(
    State(state): State<AppState>,
    auth: Office,
    Path(id): Path<i64>,
    f: Fields,
) -> PageResult {
    let step = f.hidden("step", auth.ctx.lang, |s| {
        MeetingStep::from_code(s).filter(|s| matches!(s, MeetingStep::Notify | MeetingStep::Hold))
    })?;
    match state
        .store
        .meeting_step(&auth.actor(), id, step, None)
        .await
    {
        Ok((_, notices)) => Ok(notified(&state.store, notices, &saved_url(id))),
        Err(e) => {
            let mut errors = FieldErrors::new(auth.ctx.lang);
            errors.absorb(e.into(), &[])?;
            again(&state, &auth, id, Failed::new("step", None, f, errors)).await
        }
    }
}

/// Records a decision with its lead and support units and deadline.
pub(super) async fn decide(
    State(state): State<AppState>,
    auth: Office,
    Path(id): Path<i64>,
    f: Fields,
) -> PageResult {
    let lang = auth.ctx.lang;
    let mut errors = FieldErrors::new(lang);
    let agenda_item_id = optional_id(&f, "agenda_item_id", t(lang, "mt.item"), &mut errors);
    let text = f.required("text", t(lang, "mt.decision"), &mut errors);
    let lead = f.number::<i64>("lead_unit_id", t(lang, "mt.lead_unit"), &mut errors);
    let deadline = f.date("deadline", t(lang, "mt.deadline"), &mut errors);
    let support: Vec<i64> = f
        .all("support_unit_ids")
        .into_iter()
        .filter_map(|v| v.parse().ok())
        .collect();
    if let (Some(lead_unit_id), Some(deadline), true) = (lead, deadline, errors.is_empty()) {
        let r = NewResolution {
            meeting_id: id,
            agenda_item_id,
            text,
            lead_unit_id,
            support_unit_ids: support,
            deadline,
        };
        let outcome = state
            .store
            .record_resolution_noticed(&auth.actor(), &r)
            .await;
        if let Some((_, notices)) =
            errors.unless_refused(outcome, &[("text", "会议决定"), ("deadline", "办理期限")])?
        {
            return Ok(notified(&state.store, notices, &saved_url(id)));
        }
    }
    again(&state, &auth, id, Failed::new("decide", None, f, errors)).await
}
