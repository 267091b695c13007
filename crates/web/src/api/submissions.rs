//! Monthly reports over JSON: a unit reads its latest report for a period, saves a draft and
//! submits; the office reads any handed-in report and approves or returns it. The figures are
//! checked by the report form's own checks and saved by the same store call.

use super::problem::{Problem, ProblemError};
use super::{ApiError, ApiResult};
use crate::AppState;
use crate::auth::{Auth, County, Office, OfficeOrUnit};
use crate::form::{FieldErrors, Query};
use crate::monitor::no_figure::{ReportInput, mark_errors};
use crate::monitor::report::{figure_errors, target_unit};
use axum::Json;
use axum::extract::{Path, State};
use qx_core::state::SubmissionStep;
use qx_store::StoreError;
use qx_store::monitoring::{NoFigure, ReportedValue, Submission, SubmissionInput, TaskReport};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::ToSchema;

/// A report as sent: figures, task lines and the indicators marked 本月无数据.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[schema(example = json!({"values": [{"indicator_id": 2, "value": "8.4", "note": "统计局快报"}],
    "tasks": [{"task_id": 5, "progress": "技改项目已完工12个", "status": "on_track"}],
    "no_figures": [{"indicator_id": 3, "reason": "统计口径调整，数据待统计局反馈"}]}))]
pub struct ReportBody {
    #[serde(default)]
    pub values: Vec<FigureLine>,
    #[serde(default)]
    pub tasks: Vec<TaskLine>,
    #[serde(default)]
    pub no_figures: Vec<NoFigureLine>,
}

/// An indicator's 1—N月累计 figure, as typed (full-width digits and thousands separators are read).
#[derive(Debug, Deserialize, ToSchema)]
pub struct FigureLine {
    pub indicator_id: i64,
    pub value: String,
    #[serde(default)]
    pub note: String,
}

/// A task's progress and its self-assessed state (`done` | `on_track` | `behind`).
#[derive(Debug, Deserialize, ToSchema)]
pub struct TaskLine {
    pub task_id: i64,
    pub progress: String,
    #[serde(default = "on_track")]
    pub status: String,
}

fn on_track() -> String {
    qx_core::monitor::TaskState::OnTrack.as_str().to_string()
}

/// An indicator with no figure this month, and why.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NoFigureLine {
    pub indicator_id: i64,
    pub reason: String,
}

/// A report and what it holds.
#[derive(Debug, Serialize)]
pub struct SubmissionDetail {
    pub submission: Submission,
    pub values: Vec<ReportedValue>,
    pub tasks: Vec<TaskReport>,
    pub no_figures: Vec<NoFigure>,
}

/// `?unit=`: whose report (the office and leaders name a unit; a unit's own is implied).
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnitQuery {
    /// Unit id (office and leaders; a unit reads and writes its own).
    pub unit: Option<String>,
}

impl UnitQuery {
    fn map(&self) -> HashMap<String, String> {
        self.unit
            .iter()
            .map(|u| ("unit".to_string(), u.clone()))
            .collect()
    }
}

async fn detail(state: &AppState, auth: &Auth, id: i64) -> Result<SubmissionDetail, StoreError> {
    let actor = auth.actor();
    let submission = state.store.get_submission(&actor, id).await?;
    let (values, tasks) = state.store.submission_values(&actor, id).await?;
    let no_figures = state.store.submission_no_figures(&actor, id).await?;
    Ok(SubmissionDetail {
        submission,
        values,
        tasks,
        no_figures,
    })
}

/// The answer every report endpoint documents: the submission, its figures, task lines and
/// 本月无数据 marks (one example for the five of them).
fn report_example() -> serde_json::Value {
    serde_json::json!({"submission": {"id": 41, "period_id": 11, "unit_id": 3, "revision": 1, "status": "submitted",
        "submitted_by": 7, "submitted_at": 1512086400, "reviewed_by": null, "reviewed_at": null, "review_comment": ""},
        "values": [{"indicator_id": 2, "value": "8.4", "note": "统计局快报"}],
        "tasks": [{"task_id": 5, "progress": "技改项目已完工12个", "status": "on_track"}], "no_figures": []})
}

#[utoipa::path(get, path = "/api/v1/periods/{id}/report", tag = "submissions",
    params(("id" = i64, Path, description = "report period id"), UnitQuery),
    responses((status = 200, description = "the unit's latest report for the period (any state; a draft only to the unit itself), \
        or null when none", body = Object, example = report_example),
        (status = 403, description = "enterprises have no reports", body = Problem),
        (status = 404, description = "another unit's report", body = Problem)))]
pub(super) async fn latest(
    State(state): State<AppState>,
    auth: County,
    Path(period_id): Path<i64>,
    Query(q): Query<UnitQuery>,
) -> ApiResult<Option<SubmissionDetail>> {
    let actor = auth.actor();
    let unit_id = target_unit(&actor, &q.map())?;
    let Some(s) = state
        .store
        .latest_submission(&actor, period_id, unit_id)
        .await?
    else {
        return Ok(Json(None));
    };
    match detail(&state, &auth, s.id).await {
        Ok(d) => Ok(Json(Some(d))),
        // A draft of the unit's is the unit's alone: the office and leaders read it as not yet
        // sent (the store answers "not found"). Any other failure is one.
        Err(StoreError::NotFound(_)) if actor.reads_all() => Ok(Json(None)),
        Err(e) => Err(e.into()),
    }
}

#[utoipa::path(get, path = "/api/v1/submissions/{id}", tag = "submissions",
    params(("id" = i64, Path, description = "submission id")),
    responses((status = 200, description = "the report with its figures, task lines and 本月无数据 marks", body = Object,
        example = report_example),
        (status = 404, description = "absent, another unit's, or a draft the caller may not see", body = Problem)))]
pub(super) async fn get_submission(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> ApiResult<SubmissionDetail> {
    Ok(Json(detail(&state, &auth, id).await?))
}

/// The body as the report form's input, and the fields at fault (named by their place in
/// the body, `values[0].value`), checked as the form checks them.
fn read(body: ReportBody, lang: crate::i18n::Lang) -> (ReportInput, Vec<ProblemError>) {
    let input = ReportInput {
        submission: SubmissionInput {
            values: body
                .values
                .into_iter()
                .map(|v| (v.indicator_id, v.value, v.note))
                .collect(),
            tasks: body
                .tasks
                .into_iter()
                .map(|t| (t.task_id, t.progress, t.status))
                .collect(),
        },
        no_figures: body
            .no_figures
            .into_iter()
            .map(|m| NoFigure {
                indicator_id: m.indicator_id,
                reason: m.reason,
            })
            .collect(),
    };
    let (mut figure, reason) = mark_errors(lang, &input);
    figure.extend(figure_errors(lang, &input));
    let mut errors = Vec::new();
    for (i, (id, _, _)) in input.submission.values.iter().enumerate() {
        if let Some(m) = figure.get(id) {
            errors.push(ProblemError::field(
                &format!("values[{i}].value"),
                m.clone(),
            ));
        }
    }
    for (i, m) in input.no_figures.iter().enumerate() {
        if let Some(msg) = reason.get(&m.indicator_id) {
            errors.push(ProblemError::field(
                &format!("no_figures[{i}].reason"),
                msg.clone(),
            ));
        }
    }
    (input, errors)
}

async fn save(
    state: AppState,
    auth: OfficeOrUnit,
    period_id: i64,
    q: UnitQuery,
    body: ReportBody,
    submit: bool,
) -> ApiResult<SubmissionDetail> {
    let actor = auth.actor();
    let unit_id = target_unit(&actor, &q.map())?;
    let (input, errors) = read(body, auth.ctx.lang);
    if !errors.is_empty() {
        return Err(ApiError::with_errors(errors));
    }
    let id = state
        .store
        .save_report(
            &actor,
            period_id,
            unit_id,
            &input,
            &input.no_figures,
            submit,
        )
        .await?;
    Ok(Json(detail(&state, &auth, id).await?))
}

#[utoipa::path(put, path = "/api/v1/periods/{id}/report", tag = "submissions",
    params(("id" = i64, Path, description = "report period id"), UnitQuery),
    request_body = ReportBody,
    responses((status = 200, description = "saved as a draft (暂存)", body = Object, example = report_example),
        (status = 403, description = "a leader or an enterprise (they report nothing), or not the caller's unit to report for", body = Problem),
        (status = 422, description = "a figure is not a number, a 本月无数据 mark lacks its reason or comes with a figure \
            (named in `errors` as `values[i].value` / `no_figures[i].reason`), or the period is closed", body = Problem)))]
pub(super) async fn save_draft(
    State(state): State<AppState>,
    auth: OfficeOrUnit,
    Path(period_id): Path<i64>,
    Query(q): Query<UnitQuery>,
    Json(body): Json<ReportBody>,
) -> ApiResult<SubmissionDetail> {
    save(state, auth, period_id, q, body, false).await
}

#[utoipa::path(post, path = "/api/v1/periods/{id}/report/submit", tag = "submissions",
    params(("id" = i64, Path, description = "report period id"), UnitQuery),
    request_body = ReportBody,
    responses((status = 200, description = "saved and handed to the office (提交审核)", body = Object, example = report_example),
        (status = 403, description = "a leader or an enterprise (they report nothing), or not the caller's unit to report for", body = Problem),
        (status = 422, description = "as for a draft, or the report is already approved (start a correction)", body = Problem)))]
pub(super) async fn submit(
    State(state): State<AppState>,
    auth: OfficeOrUnit,
    Path(period_id): Path<i64>,
    Query(q): Query<UnitQuery>,
    Json(body): Json<ReportBody>,
) -> ApiResult<SubmissionDetail> {
    save(state, auth, period_id, q, body, true).await
}

/// The office's decision on a submitted report.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"decision": "return", "comment": "1—11月累计数与统计局快报不一致, 请核实"}))]
pub struct ReviewBody {
    /// approve | return
    pub decision: String,
    /// Required to return.
    #[serde(default)]
    pub comment: String,
}

#[utoipa::path(post, path = "/api/v1/submissions/{id}/review", tag = "submissions",
    params(("id" = i64, Path, description = "submission id")),
    request_body = ReviewBody,
    responses((status = 200, description = "approved (locked) or returned", body = Object, example = report_example),
        (status = 403, description = "the office only", body = Problem),
        (status = 422, description = "`decision` unknown, a return without a comment, or not awaiting review", body = Problem)))]
pub(super) async fn review(
    State(state): State<AppState>,
    office: Office,
    Path(id): Path<i64>,
    Json(body): Json<ReviewBody>,
) -> ApiResult<SubmissionDetail> {
    let lang = office.ctx.lang;
    let approve = match SubmissionStep::from_code(body.decision.trim()) {
        Some(SubmissionStep::Approve) => true,
        Some(SubmissionStep::Return) => false,
        _ => {
            let mut errs = FieldErrors::new(lang);
            errs.add(
                "decision",
                format!(
                    "decision: \"{}\" {}",
                    body.decision,
                    crate::i18n::t(lang, "api.err.choice")
                ),
            );
            return Err(ApiError::invalid(&errs));
        }
    };
    state
        .store
        .review_submission(&office.actor(), id, approve, &body.comment)
        .await
        .map_err(|e| ApiError::naming(e, &[("comment", "退回理由")], lang))?;
    Ok(Json(detail(&state, &office, id).await?))
}
