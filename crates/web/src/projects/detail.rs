//! One project's page: its facts, the stages with planned and actual dates, the monthly 调度
//! (each month's figures, and whether its report is approved and so counted), the timeline, and
//! the move form (the next stage or 中止; the office may choose any stage with a reason).

use super::*;
use crate::webhook::notified;
use qx_store::MaybeCoded;
use qx_store::projects::{ProjectDetail, StageMove};

pub struct StageLine {
    label: &'static str,
    planned_on: String,
    actual_on: String,
    evidence: String,
    moved_by: String,
}

/// One month of the project's 调度.
pub struct MonthLine {
    period: String,
    unit: String,
    invested: String,
    foreign: String,
    domestic: String,
    pct: String,
    progress: String,
    blockers: String,
    problem_id: Option<i64>,
    counted: bool,
}

pub struct EventLine {
    at: String,
    actor: String,
    kind: &'static str,
    change: String,
    note: String,
    problem_id: Option<i64>,
}

#[derive(Template)]
#[template(path = "projects/detail.html")]
pub(super) struct DetailPage {
    ctx: PageCtx,
    d: ProjectDetail,
    major: bool,
    stage: &'static str,
    capital_kind: &'static str,
    source: &'static str,
    total: String,
    foreign: String,
    annual_plan: String,
    completed: String,
    land: String,
    light: &'static str,
    light_label: &'static str,
    completion: String,
    overdue: bool,
    alert: Option<&'static str>,
    stages: Vec<StageLine>,
    months: Vec<MonthLine>,
    events: Vec<EventLine>,
    /// The stages the move form offers (code, label).
    moves: Vec<(&'static str, &'static str)>,
    can_write: bool,
    /// The reader may open the project's enterprise (its name is then a link).
    opens_enterprise: bool,
    is_admin: bool,
    today: String,
    saved: bool,
    values: Fields,
    errors: FieldErrors,
}

async fn view(
    state: &AppState,
    auth: &Auth,
    id: i64,
    values: Fields,
    errors: FieldErrors,
    saved: bool,
) -> Result<DetailPage, WebError> {
    let actor = auth.actor();
    let lang = auth.ctx.lang;
    let d = state.store.project_detail(&actor, id).await?;
    let row = state.store.project_row(&actor, id).await?;
    let p = &d.project;
    let stages = d
        .stages
        .iter()
        .map(|s| StageLine {
            label: s.stage.label(lang),
            planned_on: s.planned_on.clone().unwrap_or_default(),
            actual_on: s.actual_on.clone().unwrap_or_default(),
            evidence: s.evidence.clone(),
            moved_by: s.moved_by.clone(),
        })
        .collect();
    let months = state
        .store
        .project_dispatch_months(&actor, id)
        .await?
        .into_iter()
        .map(|m| MonthLine {
            period: m.period,
            unit: m.unit_name,
            invested: num(m.figures.invested_wan),
            foreign: num(m.figures.foreign_wusd),
            domestic: num(m.figures.domestic_wan),
            pct: num(m.figures.progress_pct),
            progress: m.figures.progress,
            blockers: m.figures.blockers,
            problem_id: m.problem_id,
            counted: m.counted == 1,
        })
        .collect();
    let events = d
        .events
        .iter()
        .map(|e| {
            let stage = |c: &MaybeCoded<Stage>| c.0.map_or("", |s| s.label(lang));
            let change = match (stage(&e.from_stage), stage(&e.to_stage)) {
                ("", "") => String::new(),
                ("", to) => to.to_string(),
                (from, to) => format!("{from} → {to}"),
            };
            EventLine {
                at: format_datetime(e.at),
                actor: e.actor_name.clone(),
                kind: e.kind.label(lang),
                change,
                note: e.note.clone(),
                problem_id: e.problem_id,
            }
        })
        .collect();
    let moves: Vec<Stage> = if p.stage.is_final() {
        Vec::new()
    } else if actor.is_admin() {
        // The moves in order first (the form's default), then the overrides.
        let ordered = p.stage.moves();
        let others = Stage::ALL
            .iter()
            .copied()
            .filter(|s| *s != p.stage && !ordered.contains(s));
        ordered.iter().copied().chain(others).collect()
    } else {
        p.stage.moves()
    };
    let (light, completion, overdue, alert) = (
        row.light.light,
        qx_report::fmt_pct(row.light.completion),
        row.light.overdue,
        row.alert.map(|a| a.label(lang)),
    );
    let opens_enterprise = crate::enterprises::opens_card(state, &actor, p.enterprise_id).await;
    Ok(DetailPage {
        ctx: PageCtx::signed_in(auth),
        major: p.is_major(),
        stage: p.stage.label(lang),
        capital_kind: p.capital_kind.label(lang),
        source: p.source.label(lang),
        total: num(Some(p.total_investment_wan)),
        foreign: num(p.foreign_contract_wusd),
        annual_plan: num(p.annual_plan_wan),
        completed: num(p.completed_wan),
        land: num(p.land_mu),
        light: light.as_str(),
        light_label: super::list::light_label(light, lang),
        completion,
        overdue,
        alert,
        stages,
        months,
        events,
        moves: options(&moves, Stage::as_str, lang),
        can_write: actor.can_write_unit(p.unit_id),
        opens_enterprise,
        is_admin: actor.is_admin(),
        today: format_date(today()),
        saved,
        values,
        errors,
        d,
    })
}

pub(super) async fn detail(
    State(state): State<AppState>,
    auth: Signed,
    Path(id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    let mut values = Fields::default();
    values.set("on", format_date(today()));
    let errors = FieldErrors::new(auth.ctx.lang);
    let saved = q.contains_key("saved");
    Ok(render(
        &view(&state, &auth, id, values, errors, saved).await?,
    ))
}

/// The move form read (the page and the API): the stage moved to, the day it was reached, and
/// the evidence and reason as typed.
pub(crate) fn stage_move_of(f: &Fields, errors: &mut FieldErrors) -> Option<StageMove> {
    let lang = errors.lang();
    let t = |k: &'static str| crate::i18n::t(lang, k);
    let to = f.choice("to", t("pj.move_to"), Stage::from_code, errors);
    let on = f.date("on", t("pj.move_on"), errors);
    Some(StageMove {
        to: to?,
        on: on?,
        evidence: f.get("evidence").to_string(),
        reason: f.get("reason").to_string(),
    })
}

/// The fields of the move form a store refusal may name.
pub(crate) const MOVE_FIELDS: &[(&str, &str)] = &[
    ("on", "实际日期"),
    ("evidence", "佐证说明"),
    ("reason", "理由"),
];

pub(super) async fn move_stage(
    State(state): State<AppState>,
    auth: OfficeOrUnit,
    Path(id): Path<i64>,
    f: Fields,
) -> PageResult {
    let mut errors = FieldErrors::new(auth.ctx.lang);
    if let Some(m) = stage_move_of(&f, &mut errors) {
        let outcome = state.store.move_project(&auth.actor(), id, &m).await;
        if let Some(notices) = errors.unless_refused(outcome, MOVE_FIELDS)? {
            return Ok(notified(
                &state.store,
                notices,
                &format!("/projects/{id}?saved=1"),
            ));
        }
    }
    let page = view(&state, &auth, id, f, errors, false).await?;
    Ok(crate::form::invalid(&page))
}
