//! 企业难题 pages and API: intake (web form with attachments, on behalf by the office, JSON),
//! the problem's page with its timeline and the steps the actor may take, the list with
//! filters and deadline flags, rates, and the office's settings (企服责任人, routing, time limits). The store enforces scope and the
//! state machine; handlers parse, call one store function and render.
//!
//! Notices are in-app (`problem_notices`) and, when the setting `notify.webhook_url` holds an
//! `http://` URL, POSTed there as JSON from a background task: a failure is logged and
//! recorded on the notice, never felt by the request.

use crate::auth::{Auth, County, Office, OfficeOrEnterprise};
use crate::form::Query;
use crate::form::{FieldErrors, Fields};
use crate::i18n::Lang;
use crate::pages::{PageCtx, options, render};
use crate::upload;
use crate::{AppState, WebError};
use askama::Template;
use axum::Router;
use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use qx_core::access::{Actor, Role};
use qx_core::attachment::AttachmentKind;
use qx_core::label::Labelled;
use qx_core::problem::{
    Action, Category, Channel, DeadlineFlag, Party, Rates, Satisfaction, Status, StatusGroup, Tier,
    TimeLimits,
};
use qx_core::time::{format_date, format_datetime, today};
use qx_store::problems::{self as sp, NewAttachment, NewProblem, ProblemFilter, RateFilter, Step};
use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};

type PageResult = Result<Response, WebError>;

mod detail;
mod export;
pub(crate) mod intake;
pub(crate) mod list;
mod messages;
mod rates;
mod settings;

pub use messages::MESSAGES;

use detail::*;
use intake::*;
use list::*;
use rates::*;
use settings::*;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(export::routes())
        .route("/problems", get(list).post(create))
        .route("/problems/new", get(new_form))
        .route("/problems/rates", get(rates_page))
        .route("/problems/settings", get(settings_page))
        .route("/problems/settings/contact", post(settings_contact))
        .route("/problems/settings/route", post(settings_route))
        .route("/problems/settings/limits", post(settings_limits))
        .route("/problems/sweep", post(sweep))
        .route("/problems/{id}", get(detail))
        .route("/problems/{id}/step", post(step))
        .route("/problems/{id}/notes", post(note))
        .route("/problems/{id}/attachments", post(attach))
        .route("/problems/{id}/attachments/{aid}", get(download))
}

fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "—".into(), |v| format!("{v:.1}%"))
}

fn days(v: Option<f64>) -> String {
    v.map_or_else(|| "—".into(), |v| format!("{v:.1}"))
}

/// The i18n key of the mark a flagged deadline gets (none when on track).
fn flag_key(flag: DeadlineFlag) -> Option<&'static str> {
    match flag {
        DeadlineFlag::Overdue => Some("pb.overdue"),
        DeadlineFlag::Near => Some("pb.near"),
        DeadlineFlag::OnTrack => None,
    }
}

fn non_empty(q: &HashMap<String, String>, k: &str) -> Option<String> {
    q.get(k)
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}
