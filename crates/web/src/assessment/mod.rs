//! 考核评价 pages (#18): the runs (and the office's form to score a period), a run's ranking per
//! class with ↑/↓, 公示 for N working days and 终审, a unit's breakdown where each item opens
//! the records behind it, objections (a unit files, the office answers and adjusts), and the
//! office's schemes (in words, on a form, or as JSON). The store scopes every read and refuses
//! every write but the office's (and a unit's own objection); handlers parse, call the store or
//! the app, render.

mod export;
mod manual;
mod messages;
mod runs;
mod scheme_form;
mod schemes;
mod unit;

pub use messages::MESSAGES;

use crate::{AppState, WebError};
use axum::Router;
use axum::response::Response;

type PageResult = Result<Response, WebError>;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(runs::routes())
        .merge(unit::routes())
        .merge(schemes::routes())
        .merge(scheme_form::routes())
        .merge(export::routes())
        .merge(manual::routes())
}

/// A score or points for display, to 0.1.
fn one_decimal(v: f64) -> String {
    format!("{v:.1}")
}

/// ↑2 / ↓1 / — for a change in place.
fn arrow(change: Option<i64>) -> String {
    match change {
        Some(c) if c > 0 => format!("↑{c}"),
        Some(c) if c < 0 => format!("↓{}", -c),
        Some(_) => "—".into(),
        None => String::new(),
    }
}
