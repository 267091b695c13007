//! The office's settings of the stall reminders (停滞提醒): for each pipeline, after how many days
//! without a move an entry is reminded to its town, the responsible unit and the firm's service
//! contact (the sweep in `store::cultivation::reminders`). One small form per pipeline; a
//! refused one is shown again with what was typed and the message beside it.

use super::PageResult;
use crate::AppState;
use crate::auth::{Auth, Office};
use crate::form::{FieldErrors, Fields};
use crate::i18n;
use crate::pages::{PageCtx, render};
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/cultivation/reminders", get(show))
        .route("/cultivation/pipelines/{id}/stall", post(save))
}

pub struct Row {
    id: i64,
    name: String,
    /// What the field shows: the stored days, or what was typed when refused.
    value: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "cultivation/reminders.html")]
struct RemindersPage {
    ctx: PageCtx,
    rows: Vec<Row>,
    saved: bool,
}

/// The page, with `refused` (pipeline, typed, message) shown on its row.
async fn page(
    state: &AppState,
    auth: &Auth,
    refused: Option<(i64, String, String)>,
    saved: bool,
) -> PageResult {
    let rows = state
        .store
        .cultivation_pipelines()
        .await?
        .into_iter()
        .map(|p| {
            let mine = refused.as_ref().filter(|(id, ..)| *id == p.id);
            Row {
                id: p.id,
                value: match mine {
                    Some((_, typed, _)) => typed.clone(),
                    None => p.stall_days.map(|d| d.to_string()).unwrap_or_default(),
                },
                error: mine.map(|(.., m)| m.clone()),
                name: p.name,
            }
        })
        .collect();
    let page = RemindersPage {
        ctx: PageCtx::signed_in(auth),
        rows,
        saved,
    };
    Ok(render(&page))
}

async fn show(
    State(state): State<AppState>,
    auth: Office,
    axum::extract::Query(q): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> PageResult {
    page(&state, &auth, None, q.contains_key("saved")).await
}

async fn save(
    State(state): State<AppState>,
    auth: Office,
    Path(id): Path<i64>,
    form: Fields,
) -> PageResult {
    let typed = form.get("days").trim().to_string();
    let days = if typed.is_empty() {
        Some(None)
    } else {
        typed
            .parse::<i64>()
            .ok()
            .filter(|d| (7..=3650).contains(d))
            .map(Some)
    };
    let refused = match days {
        Some(days) => {
            let set = state
                .store
                .set_cultivation_stall_days(&auth.actor(), id, days)
                .await;
            let mut errors = FieldErrors::new(auth.ctx.lang);
            if errors.unless_refused(set, &[])?.is_some() {
                return Ok(Redirect::to("/cultivation/reminders?saved=1").into_response());
            }
            errors.messages().join(" ")
        }
        None => i18n::t(auth.ctx.lang, "cv.stall_invalid").to_string(),
    };
    // An unknown pipeline is "not found", never a form error.
    state.store.cultivation_pipeline(id).await?;
    Ok(crate::form::shown_again(
        page(&state, &auth, Some((id, typed, refused)), false).await?,
    ))
}
