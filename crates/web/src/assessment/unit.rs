//! A unit's breakdown in a run (each item linking to the figures and records behind it) and,
//! during 公示, the unit's objection form on one of its items.

use super::{PageResult, one_decimal};
use crate::auth::{Auth, County, OfficeOrUnit};
use crate::form::{FieldErrors, Fields, invalid};
use crate::i18n;
use crate::pages::{PageCtx, render};
use crate::webhook::notified;
use crate::{AppState, WebError};
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use qx_core::assessment::{ItemKind, RunStatus};
use qx_core::label::Labelled;
use qx_store::assessment::{ItemResult, NewObjection};

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/assessment/{id}/units/{unit}", get(show))
        .route("/assessment/{id}/units/{unit}/items/{key}", get(item))
        .route("/assessment/{id}/units/{unit}/object", post(object))
        .route("/assessment/results/{id}", get(result))
}

/// Where a notice about one unit's result leads: that unit's breakdown, if the reader may
/// see it ("not found" otherwise).
async fn result(State(state): State<AppState>, auth: County, Path(id): Path<i64>) -> PageResult {
    let (run, unit) = state
        .store
        .assessment_result_place(&auth.actor(), id)
        .await?;
    Ok(Redirect::to(&format!("/assessment/{run}/units/{unit}")).into_response())
}

pub struct ItemLine {
    key: String,
    name: String,
    kind: &'static str,
    source: &'static str,
    weight: String,
    figure: String,
    records: i64,
    points: String,
    note: String,
}

fn item_line(i: &ItemResult, auth: &Auth) -> ItemLine {
    let lang = auth.ctx.lang;
    let t = |k: &str| i18n::t(lang, k).to_string();
    let note = if i.applicable == 0 {
        t("as.not_applicable")
    } else if i.class_average != 0 {
        t("as.class_average")
    } else {
        String::new()
    };
    let sign = if i.kind.0 == ItemKind::Deduction {
        "−"
    } else {
        ""
    };
    ItemLine {
        key: i.item_key.clone(),
        name: i.name.clone(),
        kind: i.kind.0.label(lang),
        source: i.source.0.label(lang),
        weight: one_decimal(i.weight),
        figure: i.figure.map(figure_text).unwrap_or_default(),
        records: i.record_count,
        points: format!("{sign}{}", one_decimal(i.points)),
        note,
    }
}

/// A figure: fractions as percentages, counts and points as they are.
fn figure_text(v: f64) -> String {
    if (0.0..=3.0).contains(&v) && v.fract() != 0.0 {
        format!("{:.1}%", v * 100.0)
    } else {
        format!("{v}")
    }
}

pub struct ManualLine {
    id: i64,
    item: String,
    points: String,
    reason: String,
    evidence: String,
    filename: String,
}

#[derive(Template)]
#[template(path = "assessment/unit.html")]
struct UnitPage {
    ctx: PageCtx,
    run_id: i64,
    period: String,
    status: &'static str,
    unit_id: i64,
    unit: String,
    score: String,
    place: String,
    vetoed: String,
    items: Vec<ItemLine>,
    /// The unit's manual entries of the run's year, editable by the office until it is final.
    manual: Vec<ManualLine>,
    manual_editable: bool,
    can_object: bool,
    values: Fields,
    errors: FieldErrors,
}

async fn unit_page(
    state: &AppState,
    auth: &Auth,
    id: i64,
    unit: i64,
    values: Fields,
    errors: FieldErrors,
) -> Result<UnitPage, WebError> {
    let actor = auth.actor();
    let (run, result, items) = state.store.assessment_breakdown(&actor, id, unit).await?;
    let year: i32 = run
        .period
        .get(..4)
        .and_then(|y| y.parse().ok())
        .unwrap_or(0);
    let names: std::collections::HashMap<&str, &str> = items
        .iter()
        .map(|i| (i.item_key.as_str(), i.name.as_str()))
        .collect();
    let manual = state
        .store
        .assessment_manual(&actor, year)
        .await?
        .into_iter()
        .filter(|e| e.unit_id == unit)
        .map(|e| ManualLine {
            id: e.id,
            item: names
                .get(e.item_key.as_str())
                .map_or_else(|| e.item_key.clone(), |n| (*n).to_string()),
            points: format!("{:+.1}", e.points),
            reason: e.reason,
            evidence: e.evidence,
            filename: e.filename.unwrap_or_default(),
        })
        .collect();
    let manual_editable = actor.is_admin()
        && state
            .store
            .final_assessment_run(&year.to_string())
            .await?
            .is_none();
    Ok(UnitPage {
        ctx: PageCtx::signed_in(auth),
        run_id: id,
        period: super::runs::period_label(&run.period, auth.ctx.lang),
        status: run.status.label(auth.ctx.lang),
        unit_id: unit,
        unit: result.unit_name.clone(),
        score: result.score.map(one_decimal).unwrap_or_default(),
        place: result.place.map(|p| p.to_string()).unwrap_or_default(),
        vetoed: result.vetoed.clone().unwrap_or_default(),
        items: items.iter().map(|i| item_line(i, auth)).collect(),
        manual,
        manual_editable,
        can_object: run.status == RunStatus::Publicity
            && !actor.reads_all()
            && actor.unit_id == Some(unit),
        values,
        errors,
    })
}

async fn show(
    State(state): State<AppState>,
    auth: County,
    Path((id, unit)): Path<(i64, i64)>,
) -> PageResult {
    let errors = FieldErrors::new(auth.ctx.lang);
    Ok(render(
        &unit_page(&state, &auth, id, unit, Fields::default(), errors).await?,
    ))
}

async fn object(
    State(state): State<AppState>,
    auth: OfficeOrUnit,
    Path((id, unit)): Path<(i64, i64)>,
    form: Fields,
) -> PageResult {
    let mut errors = FieldErrors::new(auth.ctx.lang);
    let new = NewObjection {
        run_id: id,
        item_key: form.get("item").to_string(),
        reason: form.get("reason").to_string(),
        evidence: form.get("evidence").to_string(),
    };
    let outcome = state
        .store
        .file_assessment_objection(&auth.actor(), &new)
        .await;
    if let Some((_, notices)) = errors.unless_refused(
        outcome,
        &[("item", "项目"), ("reason", "理由"), ("evidence", "依据")],
    )? {
        return Ok(notified(
            &state.store,
            notices,
            &format!("/assessment/{id}/units/{unit}"),
        ));
    }
    Ok(invalid(
        &unit_page(&state, &auth, id, unit, form, errors).await?,
    ))
}

pub struct FactLine {
    link: String,
    label: String,
    value: String,
    expected: String,
}

#[derive(Template)]
#[template(path = "assessment/item.html")]
struct ItemPage {
    ctx: PageCtx,
    run_id: i64,
    unit_id: i64,
    unit: String,
    item: ItemLine,
    facts: Vec<FactLine>,
}

/// Where a record can be opened, if it has a page.
fn link(record: &str) -> String {
    match record.split_once(':') {
        Some(("indicator", id)) => format!("/monitor/indicators/{id}"),
        Some(("project", id)) => format!("/projects/{id}"),
        Some(("manual_file", id)) => format!("/assessment/manual/{id}/file"),
        _ => String::new(),
    }
}

async fn item(
    State(state): State<AppState>,
    auth: County,
    Path((id, unit, key)): Path<(i64, i64, String)>,
) -> PageResult {
    let actor = auth.actor();
    let (_, result, items) = state.store.assessment_breakdown(&actor, id, unit).await?;
    let i = items
        .iter()
        .find(|i| i.item_key == key)
        .ok_or_else(|| WebError::NotFound(format!("考核项目 {key}")))?;
    let facts = i
        .facts()
        .into_iter()
        .map(|f| FactLine {
            link: link(&f.record),
            label: f.label,
            value: figure_text(f.value),
            expected: f.expected.map(figure_text).unwrap_or_default(),
        })
        .collect();
    Ok(render(&ItemPage {
        ctx: PageCtx::signed_in(&auth),
        run_id: id,
        unit_id: unit,
        unit: result.unit_name.clone(),
        item: item_line(i, &auth),
        facts,
    }))
}
