//! Monitoring pages: the leaders' dashboard, an indicator's trend, a unit's monthly report,
//! and the office's view of each reporting period (who has not reported, review, reminders).

use crate::auth::{Auth, County, CountyReader, Office};
use crate::chart::{TrendChart, sparkline};
use crate::download;
use crate::form::Form;
use crate::form::Query;
use crate::i18n::{Lang, Tr};
use crate::pages::{PageCtx, options};
use crate::plans::chosen_plan;
use crate::upload;
use crate::{AppState, WebError};
use askama::Template;
use axum::Router;
use axum::extract::{Multipart, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use qx_app::AppError;
use qx_app::monitoring::{Picture, picture};
use qx_core::access::{Actor, Role};
use qx_core::label::Labelled;
use qx_core::monitor::{self, Light, TaskState};
use qx_core::period::Period;
use qx_core::state::{PeriodStatus, PlanStatus, SubmissionStatus, SubmissionStep};
use qx_core::time::format_datetime;
use qx_store::indicator_source::IndicatorSource;
use qx_store::monitoring::{ReportAttachment, Submission, SubmissionInput};
use qx_store::plans::Plan;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

type PageResult = Result<Response, WebError>;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

mod dashboard;
mod evidence;
mod export;
mod indicator;
mod messages;
pub(crate) mod no_figure;
mod periods;
mod rendered;
pub(crate) mod report;
mod settings;
mod template;

pub use messages::MESSAGES;
pub use periods::default_due;
pub use rendered::RenderedDashboards;
pub use settings::parse_profile_input;

use dashboard::dashboard;
use evidence::{download_attachment, remove_attachment, upload_attachment};
use indicator::{indicator, indicator_chart};
use periods::{approve_batch, open_period, open_submission, period, periods, remind, review};
use report::{report_correct, report_form, report_home, report_save, report_withdraw};
use settings::{save_profile, save_source, save_thresholds, settings};
use template::{download_dispatch, download_template, upload_dispatch, upload_template};

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(export::routes())
        .route("/monitor", get(dashboard))
        .route("/monitor/indicators/{id}", get(indicator))
        .route("/monitor/indicators/{id}/chart.svg", get(indicator_chart))
        .route("/monitor/periods", get(periods).post(open_period))
        .route("/monitor/periods/{id}", get(period))
        .route("/monitor/periods/{id}/remind", post(remind))
        .route("/monitor/periods/{id}/approve", post(approve_batch))
        .route(
            "/monitor/submissions/{id}/review",
            get(open_submission).post(review),
        )
        .route("/report", get(report_home))
        .route("/report/{period}", get(report_form).post(report_save))
        .route("/report/{period}/correct", post(report_correct))
        .route("/report/{period}/withdraw", post(report_withdraw))
        .route("/report/{period}/attachments", post(upload_attachment))
        .route("/report/{period}/template.xlsx", get(download_template))
        .route("/report/{period}/template", post(upload_template))
        .route("/report/{period}/projects.xlsx", get(download_dispatch))
        .route("/report/{period}/projects", post(upload_dispatch))
        .route("/report/attachments/{id}", get(download_attachment))
        .route("/report/attachments/{id}/delete", post(remove_attachment))
        .route("/monitor/settings", get(settings))
        .route("/monitor/settings/thresholds", post(save_thresholds))
        .route("/monitor/settings/indicators/{id}", post(save_profile))
        .route(
            "/monitor/settings/indicators/{id}/source",
            post(save_source),
        )
}

/// A template that fails to render is a fault of the system: logged and answered 500, never
/// a 200 with an empty page (and never kept in [`RenderedDashboards`]).
fn render_error(e: askama::Error) -> WebError {
    WebError::Internal(anyhow::anyhow!("template: {e}"))
}

/// 400 when a form comes back with `errors` to fix, else 200.
fn form_status(errors: &[String]) -> StatusCode {
    if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    }
}

/// A page as the answer to a request, with `status`.
fn respond<T: Template>(status: StatusCode, page: &T) -> PageResult {
    let html = page.render().map_err(render_error)?;
    Ok((status, Html(html)).into_response())
}

fn fmt_num(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A figure with its unit: "88.53%" for percent, "15 家" otherwise.
fn with_unit(v: f64, unit: &str) -> String {
    match unit {
        "%" | "％" => format!("{}%", fmt_num(v)),
        "" => fmt_num(v),
        _ => format!("{} {unit}", fmt_num(v)),
    }
}

fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "—".into(), |c| format!("{:.1}%", c * 100.0))
}

/// The `?period=` of a request, if any.
fn asked_period(q: &HashMap<String, String>) -> Result<Option<Period>, WebError> {
    q.get("period")
        .map(|p| {
            p.parse()
                .map_err(|e| WebError::BadRequest(format!("期间 \"{p}\": {e}")))
        })
        .transpose()
}

/// The period a dashboard shows: `?period=`, or the latest month whose figures are (nearly)
/// all approved — a half-reviewed month would show as mostly grey.
async fn chosen_period(
    state: &AppState,
    actor: &Actor,
    plan: &Plan,
    q: &HashMap<String, String>,
) -> Result<Period, WebError> {
    if let Some(p) = asked_period(q)? {
        return Ok(p);
    }
    state
        .picture_cache
        .default_period(&state.store, actor, plan)
        .await
        .map_err(WebError::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A value whose display fails, as a template value can.
    struct Broken;

    impl std::fmt::Display for Broken {
        fn fmt(&self, _: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            Err(std::fmt::Error)
        }
    }

    #[derive(Template)]
    #[template(source = "<p>{{ value }}</p>", ext = "html")]
    struct BrokenPage {
        value: Broken,
    }

    #[test]
    fn a_template_that_fails_to_render_answers_500() {
        let err = respond(StatusCode::OK, &BrokenPage { value: Broken }).unwrap_err();
        assert_eq!(err.status(), StatusCode::INTERNAL_SERVER_ERROR);
    }
}
