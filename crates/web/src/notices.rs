//! 站内通知: the bell on every page and the list behind it.
//!
//! A notice opens through `POST /notices/{id}/open`, which marks it read and goes to its
//! subject only if the reader may open it now (the store decides); a notice whose subject has
//! moved out of the reader's hands (a problem handed to another unit) returns to the list with
//! a message instead of a "not found" page.

use crate::auth::Signed;
use crate::form::Form;
use crate::form::Query;
use crate::pages::{PageCtx, fmt_time, render};
use crate::{AppState, WebError};
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use qx_core::label::Labelled;
use qx_store::notices::InboxQuery;
use serde::Deserialize;

type PageResult = Result<Response, WebError>;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/notices", get(list))
        .route("/notices/read-all", post(read_all))
        .route("/notices/{id}/open", post(open))
        .route("/notices/{id}/read", post(read_one))
}

struct Line {
    id: i64,
    kind: &'static str,
    message: String,
    at: String,
    read: bool,
    /// Whether the reader may open the subject now.
    openable: bool,
}

#[derive(Template)]
#[template(path = "notices/list.html")]
struct ListPage {
    ctx: PageCtx,
    lines: Vec<Line>,
    unread_only: bool,
    /// The id to page from for older notices, when there may be more.
    older: Option<i64>,
}

#[derive(Deserialize, Default)]
struct ListQuery {
    #[serde(default)]
    unread: Option<String>,
    /// Kept as text: a hand-edited `?before=abc` shows the first page, not a bare 400.
    #[serde(default)]
    before: Option<String>,
    #[serde(default)]
    done: Option<String>,
}

const PAGE: i64 = 30;

async fn list(
    State(state): State<AppState>,
    auth: Signed,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let actor = auth.actor();
    let lang = auth.ctx.lang;
    let unread_only = q.unread.as_deref() == Some("1");
    let notices = state
        .store
        .inbox(
            &actor,
            InboxQuery {
                unread: unread_only,
                before: q.before.as_deref().and_then(|b| b.trim().parse().ok()),
                limit: PAGE,
            },
        )
        .await?;
    let older = (notices.len() as i64 == PAGE)
        .then(|| notices.last().map(|n| n.id))
        .flatten();
    let mut lines = Vec::with_capacity(notices.len());
    for n in notices {
        lines.push(Line {
            id: n.id,
            kind: n.kind.label(lang),
            openable: state.store.can_open(&actor, n.subject).await?,
            message: n.says(lang),
            at: fmt_time(n.created_at),
            read: n.read,
        });
    }
    let flash = match q.done.as_deref() {
        Some("gone") => Some(crate::i18n::Tr(lang).get("notice.gone").to_string()),
        Some("read") => Some(crate::i18n::Tr(lang).get("notice.marked").to_string()),
        _ => None,
    };
    let mut ctx = PageCtx::signed_in(&auth);
    ctx.flash = flash;
    Ok(render(&ListPage {
        ctx,
        lines,
        unread_only,
        older,
    })
    .into_response())
}

#[derive(Deserialize)]
struct Back {
    #[serde(default)]
    unread: Option<String>,
}

fn back_to_list(back: &Back, done: &str) -> Response {
    let unread = if back.unread.as_deref() == Some("1") {
        "unread=1&"
    } else {
        ""
    };
    Redirect::to(&format!("/notices?{unread}done={done}")).into_response()
}

async fn open(
    State(state): State<AppState>,
    auth: Signed,
    Path(id): Path<i64>,
    Form(back): Form<Back>,
) -> PageResult {
    let actor = auth.actor();
    let notice = state.store.notice(&actor, id).await?;
    state.store.mark_notices_read(&actor, &[id]).await?;
    match notice.subject.path() {
        Some(path) if state.store.can_open(&actor, notice.subject).await? => {
            Ok(Redirect::to(&path).into_response())
        }
        _ => Ok(back_to_list(&back, "gone")),
    }
}

async fn read_one(
    State(state): State<AppState>,
    auth: Signed,
    Path(id): Path<i64>,
    Form(back): Form<Back>,
) -> PageResult {
    state.store.mark_notices_read(&auth.actor(), &[id]).await?;
    Ok(back_to_list(&back, "read"))
}

async fn read_all(
    State(state): State<AppState>,
    auth: Signed,
    Form(back): Form<Back>,
) -> PageResult {
    state.store.mark_all_notices_read(&auth.actor()).await?;
    Ok(back_to_list(&back, "read"))
}
