//! 工作例会 and 督办 pages: the meetings list with the schedule form and the rhythm settings,
//! a meeting's page (agenda picked from what the system assembles, each unit's 情况说明, the
//! decisions, 通知/纪要 as .docx), the 督办 list with colours and filters (导出/打印 through
//! `crate::export`) and an item's page with its steps. The store enforces scope and the state
//! tables; handlers parse, call one store function and render.

use crate::auth::{Auth, County, Office, OfficeOrUnit};
use crate::form::Query;
use crate::form::{FieldErrors, Fields};
use crate::pages::{PageCtx, options, render, unit_choices};
use crate::{AppState, WebError};
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use qx_core::label::{Labelled, Lang};
use qx_core::meeting::{AgendaSource, Colour, MeetingKind, MeetingStep, SupervisionStep};
use qx_core::time::{format_date, today};
use std::borrow::Borrow;
use std::collections::HashMap;

type PageResult = Result<Response, WebError>;

mod documents;
mod list;
mod meeting;
mod messages;
pub(crate) mod supervision;

pub use messages::MESSAGES;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/meetings", get(list::page).post(list::create))
        .route("/meetings/settings", post(list::save_settings))
        .route("/meetings/{id}", get(meeting::page))
        .route("/meetings/{id}/agenda", post(meeting::add_item))
        .route("/meetings/{id}/step", post(meeting::step))
        .route("/meetings/{id}/decisions", post(meeting::decide))
        .route("/meetings/{id}/issue", post(documents::issue))
        .route("/meetings/{id}/notice.docx", get(documents::notice))
        .route("/meetings/{id}/minutes.docx", get(documents::minutes))
        .route("/meetings/{id}/agenda.docx", get(documents::agenda_docx))
        .route("/meetings/{id}/agenda.xlsx", get(documents::agenda_xlsx))
        .route("/meetings/agenda/{id}/edit", post(meeting::edit_item))
        .route("/meetings/agenda/{id}/move", post(meeting::move_item))
        .route("/meetings/agenda/{id}/remove", post(meeting::remove_item))
        .route("/meetings/agenda/{id}/statement", post(meeting::statement))
        .route("/supervision", get(supervision::list))
        .route("/supervision/{id}", get(supervision::page))
        .route("/supervision/{id}/step", post(supervision::step))
        .route("/export/supervision", get(supervision::export))
}

/// Whether the reader may open problem `id`, which a decision or a 督办 item came from, so
/// that the page links to it.
async fn opens_problem(state: &AppState, actor: &qx_core::access::Actor, id: Option<i64>) -> bool {
    match id {
        Some(id) => state.store.get_problem(actor, id).await.is_ok(),
        None => false,
    }
}

/// A meeting's page after a step it took: with 已保存.
fn saved_url(id: i64) -> String {
    format!("/meetings/{id}?saved=1")
}

fn t(lang: Lang, key: &'static str) -> &'static str {
    crate::i18n::t(lang, key)
}

/// A colour's CSS tag class.
fn colour_class(c: Option<Colour>) -> &'static str {
    match c {
        Some(Colour::Red) => "red",
        Some(Colour::Yellow) => "yellow",
        Some(Colour::Blue) => "blue",
        Some(Colour::Normal) => "green",
        None => "",
    }
}

/// The page built with a refused form on it, answered 400 (every refused form of the module).
async fn refused<T: Template>(
    page: impl std::future::Future<Output = Result<T, WebError>>,
) -> PageResult {
    Ok(crate::form::invalid(&page.await?))
}

/// A form that failed, shown again on its page: which form (and row), what was typed and why.
pub(crate) struct Failed {
    form: &'static str,
    row: Option<i64>,
    values: Fields,
    errors: FieldErrors,
}

impl Failed {
    fn new(form: &'static str, row: Option<i64>, values: Fields, errors: FieldErrors) -> Self {
        Failed {
            form,
            row,
            values,
            errors,
        }
    }
}

/// Template helpers over an optional [`Failed`]: what was typed into `form`'s field `name`, the
/// error beside it, the form's general errors.
pub(crate) trait FormState {
    fn failed(&self) -> Option<&Failed>;

    /// Whether the failed form is `form`.
    fn failed_form(&self, form: &str) -> bool {
        self.failed().is_some_and(|f| f.form == form)
    }

    fn typed(&self, form: &str, row: impl Borrow<i64>, name: &str) -> String {
        let row = *row.borrow();
        self.failed()
            .filter(|f| f.form == form && f.row.unwrap_or(0) == row)
            .map(|f| f.values.get(name).to_string())
            .unwrap_or_default()
    }

    fn chose(&self, form: &str, name: &str, value: impl Borrow<i64>) -> bool {
        let value = *value.borrow();
        self.failed()
            .filter(|f| f.form == form)
            .is_some_and(|f| f.values.has(name, &value.to_string()))
    }

    fn error(&self, form: &str, row: impl Borrow<i64>, name: &str) -> String {
        let row = *row.borrow();
        self.failed()
            .filter(|f| f.form == form && f.row.unwrap_or(0) == row)
            .and_then(|f| f.errors.get(name))
            .unwrap_or_default()
            .to_string()
    }

    fn general(&self, form: &str, row: impl Borrow<i64>) -> Vec<String> {
        let row = *row.borrow();
        self.failed()
            .filter(|f| f.form == form && f.row.unwrap_or(0) == row)
            .map(|f| f.errors.general().into_iter().map(str::to_string).collect())
            .unwrap_or_default()
    }
}
