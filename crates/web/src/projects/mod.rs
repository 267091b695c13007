//! 重大项目库 and 招商线索 pages: the project list with filters, stage counts, lights and alerts
//! (导出/打印 through `crate::export`); a project's page with its stages, timeline and the move
//! form; the create/edit form; leads submitted by anyone signed in and decided by the office.
//! The store enforces scope, the order rule and the lead steps; handlers parse, call one store
//! function and render.

use crate::auth::{Auth, Office, OfficeOrUnit, Signed};
use crate::form::Query;
use crate::form::{FieldErrors, Fields};
use crate::i18n::Lang;
use crate::pages::{PageCtx, options, render};
use crate::{AppState, WebError};
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use qx_core::label::Labelled;
use qx_core::project::{CapitalKind, FunnelAlert, Source, Stage};
use qx_core::time::{format_date, format_datetime, today};
use std::collections::HashMap;

type PageResult = Result<Response, WebError>;

pub(crate) mod detail;
pub(crate) mod dispatch;
pub(crate) mod edit;
mod excel;
pub(crate) mod funnel;
pub(crate) mod leads;
pub(crate) mod list;
mod messages;
mod problem;

pub use messages::MESSAGES;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/projects", get(list::list).post(edit::create))
        .route("/projects/new", get(edit::new_form))
        .route("/projects/funnel", get(funnel::page))
        .route("/export/projects/funnel", get(funnel::export))
        .route("/projects/settings", post(list::settings))
        .route("/projects/{id}", get(detail::detail).post(edit::update))
        .route("/projects/{id}/edit", get(edit::edit_form))
        .route("/projects/{id}/move", post(detail::move_stage))
        .route(
            "/projects/{id}/problem",
            get(problem::form).post(problem::create),
        )
        .route("/export/projects", get(list::export))
        .route("/projects/library.xlsx", get(excel::library))
        .route("/projects/import", post(excel::import))
        .route("/leads", get(leads::list).post(leads::create))
        .route("/leads/new", get(leads::new_form))
        .route("/leads/{id}", get(leads::detail))
        .route("/leads/{id}/decide", post(leads::decide))
        .route("/leads/{id}/convert", post(leads::convert))
}

/// A figure for people ("—" when not given): `qx_report::fmt_num`.
fn num(v: Option<f64>) -> String {
    v.map_or_else(|| "—".into(), qx_report::fmt_num)
}

fn id_of(q: &HashMap<String, String>, k: &str) -> Option<i64> {
    q.get(k).and_then(|s| s.trim().parse().ok())
}

/// A 万元 (or 亩, 万美元) figure as typed, read by `parse_figure` (full-width digits and
/// separators accepted): `Some(None)` when left empty, `None` with the message beside the field
/// when it is not a number.
fn figure(
    f: &Fields,
    name: &'static str,
    label: &str,
    errs: &mut FieldErrors,
) -> Option<Option<f64>> {
    match qx_core::monitor::parse_figure(f.get(name)) {
        Ok(v) => Some(v.and_then(|d| d.to_string().parse().ok())),
        Err(e) => {
            errs.add(name, format!("{label}: {e}"));
            None
        }
    }
}
