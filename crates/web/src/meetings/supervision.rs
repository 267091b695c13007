//! 督办: the list with its colours and filters (by unit, colour, meeting; 导出/打印 through
//! `crate::export` from the same filters and scope), and an item's page with the steps the
//! reader may take (签收, 办理, 反馈 for the lead unit; 复核, 销号, 退回, 催办 for the office).

use super::*;
use crate::export::{self, ListQuery};
use crate::webhook::notified;
use qx_core::access::{Actor, Role};
use qx_store::meetings::{OnTime, Part, SupervisionEvent, SupervisionFilter, SupervisionItem};

pub(super) struct Line {
    s: SupervisionItem,
    status: &'static str,
    colour: &'static str,
    colour_class: &'static str,
    /// 配合单位 by name, joined with 、.
    support: String,
    /// The reader's unit supports the item (it reads it; the lead unit takes the steps).
    supporting: bool,
    /// The reader may open the meeting that decided it (a supporting unit may not have attended).
    opens_meeting: bool,
}

fn line(s: SupervisionItem, actor: &Actor, opens_meeting: bool, lang: Lang) -> Line {
    let supporting = actor.role == Role::Unit
        && actor.unit_id != Some(s.lead_unit_id)
        && s.support_units
            .iter()
            .any(|(u, _)| actor.unit_id == Some(*u));
    Line {
        status: s.status.label(lang),
        colour: s.colour.map_or("", |c| c.label(lang)),
        colour_class: colour_class(s.colour),
        support: s
            .support_units
            .iter()
            .map(|(_, n)| n.as_str())
            .collect::<Vec<_>>()
            .join("、"),
        supporting,
        opens_meeting,
        s,
    }
}

pub(crate) fn filter(q: &ListQuery) -> SupervisionFilter {
    let id = |k: &str| q.get(k).and_then(|v| v.parse().ok());
    SupervisionFilter {
        unit_id: id("unit"),
        meeting_id: id("meeting"),
        colour: q.get("colour").and_then(|c| Colour::from_code(c)),
        open_only: q.get("open").is_some_and(|v| v == "1"),
        part: q.get("part").and_then(|p| Part::from_code(p)),
    }
}

/// A unit's part as the list's select names it.
fn part_label(part: Part, lang: Lang) -> &'static str {
    match part {
        Part::Lead => t(lang, "mt.part_lead"),
        Part::Support => t(lang, "mt.part_support"),
    }
}

/// The items the list shows for its query in the reader's scope, with the filter read from it:
/// the page and its export list the same items.
async fn listed(
    state: &AppState,
    actor: &qx_core::access::Actor,
    q: &ListQuery,
) -> Result<(SupervisionFilter, Vec<SupervisionItem>), WebError> {
    let f = filter(q);
    let items = state.store.list_supervision(actor, &f).await?;
    Ok((f, items))
}

#[derive(Template)]
#[template(path = "meetings/supervision_list.html")]
pub(super) struct ListPage {
    ctx: PageCtx,
    lines: Vec<Line>,
    reads_all: bool,
    units: Vec<(i64, String)>,
    meetings: Vec<(i64, String)>,
    colours: Vec<(&'static str, &'static str)>,
    /// A unit's parts (牵头, 配合) to choose from, and the one chosen ("" for both).
    parts: Vec<(&'static str, &'static str)>,
    part: &'static str,
    unit: i64,
    meeting: i64,
    colour: String,
    open_only: bool,
    query: String,
    /// 按期销号率 of the items listed that are closed or past their deadline, as "85.0%".
    closed_rate: String,
    /// Each lead unit's figures (office and leaders): by unit, by colour, on time.
    by_unit: Vec<UnitLine>,
}

/// A lead unit's line of the 按单位 table.
pub(super) struct UnitLine {
    id: i64,
    name: String,
    t: OnTime,
    rate: String,
    red: bool,
}

fn percent(t: &OnTime) -> String {
    t.rate()
        .map_or_else(|| "—".into(), |r| format!("{:.1}%", r * 100.0))
}

/// Every deadline: the list's rate and table are over the whole record.
fn whole_span() -> (time::Date, time::Date) {
    (
        time::macros::date!(1900 - 01 - 01),
        time::macros::date!(9999 - 12 - 31),
    )
}

pub(super) async fn list(
    State(state): State<AppState>,
    auth: County,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let actor = auth.actor();
    let lang = auth.ctx.lang;
    let (f, items) = listed(&state, &actor, &q).await?;
    // The rate counts closed items too, whatever the 仅未销号 box says; a chosen unit's own.
    let (from, to) = whole_span();
    let rates = state.store.supervision_rates(&actor, from, to).await?;
    let closed_rate = match f.unit_id {
        Some(u) => rates
            .units
            .iter()
            .find(|(id, _, _)| *id == u)
            .map_or_else(|| "—".into(), |(_, _, t)| percent(t)),
        None => percent(&rates.county),
    };
    let by_unit = if actor.reads_all() {
        rates
            .units
            .into_iter()
            .map(|(id, name, t)| UnitLine {
                id,
                name,
                rate: percent(&t),
                red: t.open[0] > 0,
                t,
            })
            .collect()
    } else {
        Vec::new()
    };
    let mut params: Vec<(&String, &String)> = q.iter().collect();
    params.sort();
    let meetings = state.store.list_meetings(&actor).await?;
    let opens = |id: i64| meetings.iter().any(|m| m.id == id);
    let lines = items
        .into_iter()
        .map(|s| {
            let opens_meeting = opens(s.meeting_id);
            line(s, &actor, opens_meeting, lang)
        })
        .collect();
    let page = ListPage {
        ctx: PageCtx::signed_in(&auth),
        closed_rate,
        by_unit,
        lines,
        reads_all: actor.reads_all(),
        units: if actor.reads_all() {
            unit_choices(&state.store).await?
        } else {
            Vec::new()
        },
        meetings: meetings
            .into_iter()
            .map(|m| (m.id, format!("{} {}", m.held_on, m.title)))
            .collect(),
        colours: options(Colour::ALL, Colour::as_str, lang),
        parts: [Part::Lead, Part::Support]
            .into_iter()
            .map(|p| (p.as_str(), part_label(p, lang)))
            .collect(),
        part: f.part.map_or("", Part::as_str),
        unit: f.unit_id.unwrap_or(0),
        meeting: f.meeting_id.unwrap_or(0),
        colour: f.colour.map(|c| c.as_str().to_string()).unwrap_or_default(),
        open_only: f.open_only,
        query: serde_urlencoded::to_string(&params).unwrap_or_default(),
    };
    Ok(render(&page))
}

pub(super) async fn export(
    State(state): State<AppState>,
    auth: County,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let actor = auth.actor();
    let lang = auth.ctx.lang;
    let (f, items) = listed(&state, &actor, &q).await?;
    let unit = match f.unit_id {
        Some(u) => state
            .store
            .get_unit(u)
            .await
            .map(|u| u.name)
            .unwrap_or_default(),
        None => String::new(),
    };
    let mut table = export::table(
        lang,
        t(lang, "mt.supervision"),
        &[
            (t(lang, "mt.unit"), unit),
            (
                t(lang, "mt.colour"),
                f.colour
                    .map(|c| c.label(lang).to_string())
                    .unwrap_or_default(),
            ),
            (
                t(lang, "mt.part"),
                f.part
                    .map(|p| part_label(p, lang).to_string())
                    .unwrap_or_default(),
            ),
            (
                t(lang, "mt.open_only"),
                if f.open_only {
                    t(lang, "common.yes").to_string()
                } else {
                    String::new()
                },
            ),
        ],
    );
    table.columns = vec!["#".to_string()];
    table.columns.extend(export::columns(
        lang,
        &[
            "mt.held_on",
            "mt.decision",
            "mt.lead_unit",
            "mt.support_units",
            "mt.deadline",
            "mt.status",
            "mt.colour",
            "mt.progress",
        ],
    ));
    table.rows = items
        .into_iter()
        .map(|s| {
            vec![
                s.id.into(),
                s.held_on.clone().into(),
                s.text.clone().into(),
                s.lead_unit_name.clone().into(),
                s.support_units
                    .iter()
                    .map(|(_, n)| n.as_str())
                    .collect::<Vec<_>>()
                    .join("、")
                    .into(),
                s.deadline.clone().into(),
                s.status.label(lang).into(),
                s.colour.map_or("", |c| c.label(lang)).into(),
                s.progress.clone().into(),
            ]
        })
        .collect();
    export::answer(&auth, table, &q, "/supervision")
}

pub(super) struct EventView {
    e: SupervisionEvent,
    step: &'static str,
    at: String,
}

pub(super) struct StepView {
    row: i64,
    code: &'static str,
    label: &'static str,
    needs_note: bool,
    confirm: bool,
    /// The step was refused because the item moved on and is no longer offered: its form
    /// comes back without its button, with the message and what was typed.
    stale: bool,
}

/// A step's form as the item's page shows it.
fn step_view(st: SupervisionStep, lang: Lang, stale: bool) -> StepView {
    StepView {
        row: st as i64,
        code: st.as_str(),
        label: st.label(lang),
        needs_note: needs_note(st),
        confirm: st == SupervisionStep::Close,
        stale,
    }
}

/// 办理, 反馈 and 退回 carry a note.
fn needs_note(st: SupervisionStep) -> bool {
    matches!(
        st,
        SupervisionStep::Handle | SupervisionStep::Feedback | SupervisionStep::Return
    )
}

#[derive(Template)]
#[template(path = "meetings/supervision.html")]
pub(super) struct ItemPage {
    ctx: PageCtx,
    line: Line,
    /// The reader may open the problem the decision came from.
    opens_problem: bool,
    events: Vec<EventView>,
    steps: Vec<StepView>,
    failed: Option<Failed>,
}

impl FormState for ItemPage {
    fn failed(&self) -> Option<&Failed> {
        self.failed.as_ref()
    }
}

async fn item_view(
    state: &AppState,
    auth: &Auth,
    id: i64,
    failed: Option<Failed>,
) -> Result<ItemPage, WebError> {
    let actor = auth.actor();
    let lang = auth.ctx.lang;
    let s = state.store.get_supervision(&actor, id).await?;
    let opens_meeting = state.store.get_meeting(&actor, s.meeting_id).await.is_ok();
    let opens_problem = opens_problem(state, &actor, s.problem_id).await;
    let events = state
        .store
        .supervision_events(&actor, id)
        .await?
        .into_iter()
        .map(|e| EventView {
            step: e.step.label(lang),
            at: qx_core::time::format_datetime(e.created_at),
            e,
        })
        .collect();
    let lead = actor.unit_id == Some(s.lead_unit_id) && actor.role == Role::Unit;
    let mut steps: Vec<StepView> = s
        .status
        .steps()
        .filter(|st| {
            if st.by_office() {
                actor.is_admin()
            } else {
                lead
            }
        })
        .map(|st| step_view(st, lang, false))
        .collect();
    // A step refused because the item has moved on has no form any more: show it anyway, so
    // the reason and the note typed into it are not lost.
    if let Some(refused) = failed
        .as_ref()
        .filter(|f| f.form == "step")
        .and_then(|f| SupervisionStep::from_code(f.values.get("step")))
        && !steps.iter().any(|v| v.row == refused as i64)
    {
        steps.insert(0, step_view(refused, lang, true));
    }
    Ok(ItemPage {
        ctx: PageCtx::signed_in(auth),
        line: line(s, &actor, opens_meeting, lang),
        opens_problem,
        events,
        steps,
        failed,
    })
}

pub(super) async fn page(
    State(state): State<AppState>,
    auth: County,
    Path(id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    let mut page = item_view(&state, &auth, id, None).await?;
    page.ctx.flash = crate::pages::flash_from(&q, auth.ctx.lang);
    Ok(render(&page))
}

/// The fields of a step a store refusal may name.
pub(crate) const STEP_FIELDS: &[(&str, &str)] = &[("note", "办理说明"), ("note", "退回理由")];

/// A step and its note as sent; 办理, 反馈 and 退回 need a note. What is wrong is recorded
/// beside its field.
pub(crate) fn read_step(f: &Fields, errors: &mut FieldErrors) -> (Option<SupervisionStep>, String) {
    let lang = errors.lang();
    let step = f.choice(
        "step",
        t(lang, "mt.steps"),
        SupervisionStep::from_code,
        errors,
    );
    let note = f.get("note").to_string();
    if step.is_some_and(needs_note) && note.is_empty() {
        errors.required("note", t(lang, "mt.note"));
    }
    (step, note)
}

pub(super) async fn step(
    State(state): State<AppState>,
    auth: OfficeOrUnit,
    Path(id): Path<i64>,
    f: Fields,
) -> PageResult {
    let lang = auth.ctx.lang;
    let mut errors = FieldErrors::new(lang);
    let (step, note) = read_step(&f, &mut errors);
    if let Some(step) = step
        && errors.is_empty()
    {
        let outcome = state
            .store
            .supervision_step(&auth.actor(), id, step, &note, today())
            .await;
        if let Some((_, notices)) = errors.unless_refused(outcome, STEP_FIELDS)? {
            return Ok(notified(
                &state.store,
                notices,
                &format!("/supervision/{id}?saved=1"),
            ));
        }
    }
    let row = step.map_or(0, |s| s as i64);
    refused(item_view(
        &state,
        &auth,
        id,
        Some(Failed::new("step", Some(row), f, errors)),
    ))
    .await
}
