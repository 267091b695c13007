//! The runs list (with the office's form to score a period) and one run: its ranking per
//! class, 公示 for N working days (calendar-aware), 终审, and the objections with the office's
//! answer forms.

use super::{PageResult, arrow, one_decimal};
use crate::auth::{Auth, County, Office};
use crate::form::invalid;
use crate::form::{FieldErrors, Fields};
use crate::i18n;
use crate::pages::{PageCtx, render};
use crate::webhook::notified;
use crate::{AppState, WebError};
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use qx_core::assessment::{ObjectionStatus, RunStatus, TIE_RULE_ZH};
use qx_core::label::Labelled;
use qx_store::assessment::{Answer, Objection, Run};

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/assessment", get(list))
        .route("/assessment/run", post(score))
        .route("/assessment/{id}", get(show))
        .route("/assessment/{id}/publish", post(publish))
        .route("/assessment/{id}/finalise", post(finalise))
        .route("/assessment/objections/{id}/answer", post(answer))
}

pub struct RunLine {
    id: i64,
    period: String,
    status: &'static str,
    publicity_until: String,
    /// When it was scored: two runs of one period are told apart by it.
    computed_at: String,
}

/// "2017年第三季度" in Chinese; the period's code ("2017Q3") in English.
pub(super) fn period_label(code: &str, lang: qx_core::label::Lang) -> String {
    code.parse::<qx_core::period::Period>()
        .map_or_else(|_| code.to_string(), |p| p.label(lang))
}

fn line(r: &Run, auth: &Auth) -> RunLine {
    RunLine {
        id: r.id,
        period: period_label(&r.period, auth.ctx.lang),
        status: r.status.label(auth.ctx.lang),
        publicity_until: r.publicity_until.clone().unwrap_or_default(),
        computed_at: qx_core::time::format_datetime(r.created_at),
    }
}

#[derive(Template)]
#[template(path = "assessment/list.html")]
struct ListPage {
    ctx: PageCtx,
    runs: Vec<RunLine>,
    is_admin: bool,
    values: Fields,
    errors: FieldErrors,
}

async fn list_page(
    state: &AppState,
    auth: &Auth,
    values: Fields,
    errors: FieldErrors,
) -> Result<ListPage, WebError> {
    let actor = auth.actor();
    let runs = state.store.assessment_runs(&actor).await?;
    Ok(ListPage {
        ctx: PageCtx::signed_in(auth),
        runs: runs.iter().map(|r| line(r, auth)).collect(),
        is_admin: actor.is_admin(),
        values,
        errors,
    })
}

async fn list(State(state): State<AppState>, auth: County) -> PageResult {
    let page = list_page(
        &state,
        &auth,
        Fields::default(),
        FieldErrors::new(auth.ctx.lang),
    )
    .await?;
    Ok(render(&page))
}

async fn score(State(state): State<AppState>, auth: Office, form: Fields) -> PageResult {
    let lang = auth.ctx.lang;
    let mut errors = FieldErrors::new(lang);
    let label = i18n::t(lang, "as.period");
    let text = form.required("period", label, &mut errors);
    if errors.is_empty() {
        let outcome = async {
            let period = qx_app::assessment::parse_run_period(&text)?;
            let plan = state
                .store
                .published_plan(i64::from(period.year()))
                .await?
                .ok_or_else(|| {
                    qx_app::AppError::Invalid(format!(
                        "期间: {} 年没有已发布的工作方案",
                        period.year()
                    ))
                })?;
            qx_app::assessment::run(&state.store, &auth.actor(), plan.id, period).await
        }
        .await;
        match outcome {
            Ok(id) => return Ok(Redirect::to(&run_url(id)).into_response()),
            Err(qx_app::AppError::Invalid(m)) => {
                let m = m.strip_prefix("期间: ").unwrap_or(&m).to_string();
                errors.add("period", m);
            }
            Err(e) => errors.absorb(e.into(), &[("period", "期间")])?,
        }
    }
    Ok(invalid(&list_page(&state, &auth, form, errors).await?))
}

pub struct RankLine {
    place: String,
    unit_id: i64,
    /// The reader may open the unit's breakdown (its name is then a link).
    opens: bool,
    unit: String,
    score: String,
    change: String,
    vetoed: String,
}

pub struct ClassBlock {
    name: String,
    version: i64,
    rows: Vec<RankLine>,
    /// Units with nothing to score under the scheme: shown apart, not ranked.
    unranked: Vec<RankLine>,
}

pub struct ObjectionLine {
    id: i64,
    unit_id: i64,
    unit: String,
    item_key: String,
    item_name: String,
    reason: String,
    evidence: String,
    status: &'static str,
    open: bool,
    answer: String,
    before_after: String,
}

fn objection_line(o: &Objection, auth: &Auth) -> ObjectionLine {
    ObjectionLine {
        id: o.id,
        unit_id: o.unit_id,
        unit: o.unit_name.clone(),
        item_key: o.item_key.clone(),
        item_name: o.item_name.clone(),
        reason: o.reason.clone(),
        evidence: o.evidence.clone(),
        status: o.status.label(auth.ctx.lang),
        open: o.status == ObjectionStatus::Open,
        answer: o.answer.clone(),
        before_after: match (o.points_before, o.points_after) {
            (Some(b), Some(a)) => format!("{} → {}", one_decimal(b), one_decimal(a)),
            _ => String::new(),
        },
    }
}

#[derive(Template)]
#[template(path = "assessment/run.html")]
struct RunPage {
    ctx: PageCtx,
    run: RunLine,
    classes: Vec<ClassBlock>,
    objections: Vec<ObjectionLine>,
    is_admin: bool,
    can_publish: bool,
    can_finalise: bool,
    tie_rule: &'static str,
    values: Fields,
    errors: FieldErrors,
}

async fn run_page(
    state: &AppState,
    auth: &Auth,
    id: i64,
    values: Fields,
    errors: FieldErrors,
) -> Result<RunPage, WebError> {
    let actor = auth.actor();
    let run = state.store.assessment_run(&actor, id).await?;
    let ranking = state.store.assessment_ranking(&actor, id).await?;
    let mut classes: Vec<ClassBlock> = Vec::new();
    let t = |k: &str| i18n::t(auth.ctx.lang, k).to_string();
    for r in &ranking {
        if classes.last().is_none_or(|c| c.version != r.scheme_id) {
            let v = state.store.assessment_scheme(r.scheme_id).await?;
            classes.push(ClassBlock {
                name: format!("{} ({} {})", v.name, t("as.version"), v.version),
                version: r.scheme_id,
                rows: Vec::new(),
                unranked: Vec::new(),
            });
        }
        if let Some(c) = classes.last_mut() {
            let rows = if r.score.is_some() {
                &mut c.rows
            } else {
                &mut c.unranked
            };
            rows.push(RankLine {
                place: r.place.map(|p| p.to_string()).unwrap_or_default(),
                unit_id: r.unit_id,
                opens: qx_store::assessment::reads_breakdown(&actor, r.unit_id),
                unit: r.unit_name.clone(),
                score: r
                    .score
                    .map(one_decimal)
                    .unwrap_or_else(|| t("as.not_scored")),
                change: arrow(r.change()),
                vetoed: r.vetoed.clone().unwrap_or_default(),
            });
        }
    }
    let objections = state.store.assessment_objections(&actor, id).await?;
    let is_admin = actor.is_admin();
    Ok(RunPage {
        ctx: PageCtx::signed_in(auth),
        run: line(&run, auth),
        classes,
        objections: objections.iter().map(|o| objection_line(o, auth)).collect(),
        is_admin,
        can_publish: is_admin && run.status == RunStatus::Preliminary,
        can_finalise: is_admin && !run.status.is_final(),
        tie_rule: TIE_RULE_ZH,
        values,
        errors,
    })
}

async fn show(State(state): State<AppState>, auth: County, Path(id): Path<i64>) -> PageResult {
    let mut values = Fields::default();
    values.set("days", "5");
    let page = run_page(&state, &auth, id, values, FieldErrors::new(auth.ctx.lang)).await?;
    Ok(render(&page))
}

/// A run's page, where its steps send the browser back.
fn run_url(run: i64) -> String {
    format!("/assessment/{run}")
}

async fn publish(
    State(state): State<AppState>,
    auth: Office,
    Path(id): Path<i64>,
    form: Fields,
) -> PageResult {
    let lang = auth.ctx.lang;
    let mut errors = FieldErrors::new(lang);
    let days: Option<u32> = form.number("days", i18n::t(lang, "as.publish_days"), &mut errors);
    if let Some(days) = days {
        if !(1..=30).contains(&days) {
            errors.add("days", "公示工作日数: 应为 1 到 30 之间的整数");
        } else {
            let calendar = state.store.work_calendar().await?;
            let today = qx_core::time::today();
            match calendar.add_working_days(today, days) {
                Some(until) => {
                    let until = qx_core::time::format_date(until);
                    let outcome = state
                        .store
                        .publish_assessment_run(&auth.actor(), id, &until)
                        .await;
                    if let Some(notices) = errors.unless_refused(outcome, &[])? {
                        return Ok(notified(&state.store, notices, &run_url(id)));
                    }
                }
                None => errors.add("days", "公示工作日数: 工作日历中没有足够的工作日"),
            }
        }
    }
    Ok(invalid(&run_page(&state, &auth, id, form, errors).await?))
}

async fn finalise(State(state): State<AppState>, auth: Office, Path(id): Path<i64>) -> PageResult {
    let mut errors = FieldErrors::new(auth.ctx.lang);
    let outcome = state.store.finalise_assessment_run(&auth.actor(), id).await;
    if let Some(notices) = errors.unless_refused(outcome, &[])? {
        return Ok(notified(&state.store, notices, &run_url(id)));
    }
    Ok(invalid(
        &run_page(&state, &auth, id, Fields::default(), errors).await?,
    ))
}

async fn answer(
    State(state): State<AppState>,
    auth: Office,
    Path(id): Path<i64>,
    form: Fields,
) -> PageResult {
    let lang = auth.ctx.lang;
    let mut errors = FieldErrors::new(lang);
    let run_id: i64 = form.get("run").parse().unwrap_or(0);
    let upheld =
        ObjectionStatus::from_code(form.get("decision")) == Some(ObjectionStatus::Accepted);
    let points = if upheld {
        form.optional_number::<f64>("points", i18n::t(lang, "as.points_after"), &mut errors)
            .flatten()
    } else {
        None
    };
    if errors.is_empty() {
        let a = Answer {
            upheld,
            answer: form.get("answer").to_string(),
            points,
        };
        let outcome = state
            .store
            .answer_assessment_objection(&auth.actor(), id, &a)
            .await;
        if let Some(notices) =
            errors.unless_refused(outcome, &[("answer", "答复意见"), ("points", "调整后得分")])?
        {
            return Ok(notified(&state.store, notices, &run_url(run_id)));
        }
    }
    Ok(invalid(
        &run_page(&state, &auth, run_id, form, errors).await?,
    ))
}
