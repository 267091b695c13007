//! What the office and enterprises do to a run: evaluate a year, export, 调档, 公示,
//! finalize, object and answer.

use super::evaluation::EvalQuery;
use super::{PageResult, XLSX};
use crate::auth::Auth;
use crate::auth::{Office, OfficeOrEnterprise};
use crate::download::attachment;
use crate::form::Form;
use crate::{AppState, WebError};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use qx_app::evaluation as ev;
use serde::Deserialize;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/enterprises/evaluation/run", post(run))
        .route("/enterprises/evaluation/{run}/export.xlsx", get(export))
        .route(
            "/enterprises/evaluation/{run}/override",
            post(override_class),
        )
        .route("/enterprises/evaluation/{run}/publicity", post(publicity))
        .route("/enterprises/evaluation/{run}/finalize", post(finalize))
        .route("/enterprises/evaluation/{run}/objection", post(object))
        .route("/enterprises/objections/{id}", post(answer))
}

#[derive(Deserialize)]
struct YearForm {
    year: String,
}

async fn run(State(state): State<AppState>, auth: Office, Form(f): Form<YearForm>) -> PageResult {
    let year: i64 = f
        .year
        .trim()
        .parse()
        .map_err(|_| WebError::BadRequest(format!("年度 \"{}\" 不是有效年份", f.year)))?;
    let summary = ev::run_year(&state.store, &auth.actor(), year).await?;
    Ok(Redirect::to(&format!(
        "/enterprises/evaluation?run={}&ran=1",
        summary.run_id
    ))
    .into_response())
}

async fn export(
    State(state): State<AppState>,
    auth: Auth,
    Path(run_id): Path<i64>,
    Query(q): Query<EvalQuery>,
) -> PageResult {
    let actor = auth.actor();
    let run = state.store.get_run(&actor, run_id).await?;
    let filter = q.filter(&ev::policy_of(&run));
    let bytes = ev::export_run(&state.store, &actor, run_id, &filter).await?;
    Ok(attachment(
        bytes,
        &format!("evaluation-{}-{}.xlsx", run.year, run.id),
        XLSX,
    ))
}

#[derive(Deserialize)]
struct OverrideForm {
    enterprise_id: i64,
    class: String,
    reason: String,
}

async fn override_class(
    State(state): State<AppState>,
    auth: Office,
    Path(run_id): Path<i64>,
    Form(f): Form<OverrideForm>,
) -> PageResult {
    state
        .store
        .override_class(&auth.actor(), run_id, f.enterprise_id, &f.class, &f.reason)
        .await?;
    Ok(Redirect::to(&format!("/enterprises/{}", f.enterprise_id)).into_response())
}

#[derive(Deserialize)]
struct PublicityForm {
    from: String,
    to: String,
}

/// A date field as ISO text, refused with the value when it is not a date.
fn iso_date(s: &str) -> Result<String, WebError> {
    qx_core::time::parse_date(s)
        .map(qx_core::time::format_date)
        .ok_or_else(|| WebError::BadRequest(format!("日期 \"{s}\" 格式应为 YYYY-MM-DD")))
}

async fn publicity(
    State(state): State<AppState>,
    auth: Office,
    Path(run_id): Path<i64>,
    Form(f): Form<PublicityForm>,
) -> PageResult {
    state
        .store
        .start_publicity(
            &auth.actor(),
            run_id,
            &iso_date(&f.from)?,
            &iso_date(&f.to)?,
        )
        .await?;
    Ok(Redirect::to(&format!("/enterprises/evaluation?run={run_id}")).into_response())
}

async fn finalize(
    State(state): State<AppState>,
    auth: Office,
    Path(run_id): Path<i64>,
) -> PageResult {
    state.store.finalize_run(&auth.actor(), run_id).await?;
    Ok(Redirect::to(&format!("/enterprises/evaluation?run={run_id}")).into_response())
}

#[derive(Deserialize)]
struct ObjectionForm {
    enterprise_id: i64,
    text: String,
}

async fn object(
    State(state): State<AppState>,
    auth: OfficeOrEnterprise,
    Path(run_id): Path<i64>,
    Form(f): Form<ObjectionForm>,
) -> PageResult {
    state
        .store
        .submit_objection(&auth.actor(), run_id, f.enterprise_id, &f.text)
        .await?;
    Ok(Redirect::to(&format!("/enterprises/{}", f.enterprise_id)).into_response())
}

#[derive(Deserialize)]
struct AnswerForm {
    decision: String,
    reply: String,
    #[serde(default)]
    back: String,
}

async fn answer(
    State(state): State<AppState>,
    auth: Office,
    Path(id): Path<i64>,
    Form(f): Form<AnswerForm>,
) -> PageResult {
    state
        .store
        .answer_objection(&auth.actor(), id, f.decision == "accept", &f.reply)
        .await?;
    let back = if f.back.starts_with("/enterprises") {
        f.back
    } else {
        "/enterprises/evaluation".to_string()
    };
    Ok(Redirect::to(&back).into_response())
}
