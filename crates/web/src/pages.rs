//! The layout and the pieces every page shares: the page context (`PageCtx`), rendering, the
//! error page, select options and flash messages. Signing in and one's account are `account`.

use crate::WebError;
use crate::auth::{Auth, RequestCtx};
use crate::i18n::{Lang, Tr};
use askama::Template;
use axum::response::{Html, IntoResponse, Response};
use qx_core::access::Role;
use qx_core::label::Labelled;
use std::collections::HashMap;

/// The signed-in user as the page header shows them.
pub struct UserBadge {
    pub display_name: String,
    pub role_label: &'static str,
    pub unit_name: Option<String>,
    pub is_admin: bool,
    /// A responsible unit's liaison (月度报送 is theirs).
    pub is_unit: bool,
    /// The county's side (office, leaders, units): monitoring and bulletins are theirs.
    pub is_county: bool,
    pub can_see_users: bool,
    /// Unread notices (the bell).
    pub unread: i64,
}

/// What every page's layout needs.
pub struct PageCtx {
    pub t: Tr,
    pub lang_html: &'static str,
    pub csrf: String,
    pub user: Option<UserBadge>,
    pub flash: Option<String>,
}

impl PageCtx {
    pub fn anonymous(ctx: &RequestCtx) -> Self {
        PageCtx {
            t: Tr(ctx.lang),
            lang_html: ctx.lang.html(),
            csrf: ctx.csrf.clone(),
            user: None,
            flash: None,
        }
    }

    pub fn signed_in(auth: &Auth) -> Self {
        Self::with_session(&auth.ctx, &auth.session)
    }

    /// The header of a request: the signed-in user's menu when it has a session.
    pub fn of_request(ctx: &RequestCtx) -> Self {
        match &ctx.session {
            Some(session) => Self::with_session(ctx, session),
            None => Self::anonymous(ctx),
        }
    }

    fn with_session(ctx: &RequestCtx, session: &crate::auth::Session) -> Self {
        let user = &session.user;
        let unit_name = session.unit_name.clone();
        let role = user.role();
        PageCtx {
            t: Tr(ctx.lang),
            lang_html: ctx.lang.html(),
            csrf: ctx.csrf.clone(),
            user: Some(UserBadge {
                display_name: user.profile.display_name.clone(),
                role_label: role.label(ctx.lang),
                unit_name,
                is_admin: role == Role::Admin,
                is_unit: role == Role::Unit,
                is_county: role != Role::Enterprise,
                can_see_users: role != Role::Enterprise,
                unread: session.unread_notices,
            }),
            flash: None,
        }
    }

    pub(crate) fn with_flash(mut self, flash: Option<String>) -> Self {
        self.flash = flash;
        self
    }
}

/// Renders a template; a template error is an internal error, logged.
/// The page as a response; a template that fails to render is a 500 (logged), never an empty
/// page answered 200 that a cache or a person would take for the real one.
pub fn render<T: Template>(t: &T) -> Response {
    match t.render() {
        Ok(s) => Html(s).into_response(),
        Err(e) => {
            tracing::error!("template error: {e}");
            (
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                Html("<h1>服务器内部错误, 已记录 (internal error, logged)</h1>".to_string()),
            )
                .into_response()
        }
    }
}

/// The old name of [`qx_core::time::format_datetime`], kept while page modules move over.
pub use qx_core::time::format_datetime as fmt_time;

/// Every unit as (id, name) in the registry's order: the choices of a unit picker. (A page
/// that names unit ids by a map reads `Store::unit_names`.)
pub(crate) async fn unit_choices(store: &qx_store::Store) -> Result<Vec<(i64, String)>, WebError> {
    Ok(store
        .list_units()
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect())
}

/// A select's options: each value's code and its name in `lang`.
pub(crate) fn options<T: Copy + Labelled>(
    all: &[T],
    code: fn(T) -> &'static str,
    lang: Lang,
) -> Vec<(&'static str, &'static str)> {
    all.iter().map(|v| (code(*v), v.label(lang))).collect()
}

/// What the step that led to a page did, by the mark it left in the link: the message key of
/// the first of `marks` (mark, key) the query holds.
pub(crate) fn flash_mark(
    q: &HashMap<String, String>,
    marks: &[(&str, &'static str)],
) -> Option<&'static str> {
    marks
        .iter()
        .find(|(mark, _)| q.contains_key(*mark))
        .map(|(_, key)| *key)
}

/// The "saved" message of a page a form sends the browser back to with `?saved=1`.
pub(crate) fn flash_from(q: &HashMap<String, String>, lang: Lang) -> Option<String> {
    flash_mark(q, &[("saved", "common.saved")]).map(|k| crate::i18n::t(lang, k).to_string())
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    ctx: PageCtx,
    status: u16,
    message: String,
}

impl ErrorPage {
    pub fn new(ctx: &RequestCtx, status: u16, message: String) -> Self {
        ErrorPage {
            ctx: PageCtx::of_request(ctx),
            status,
            message,
        }
    }
}

/// Splits a user-typed list on Chinese and Western separators.
pub fn split_list(s: &str) -> Vec<String> {
    s.split(['、', ',', '，', ';', '；', '\n'])
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A value whose formatting fails, as a template bug or a bad value would.
    struct Broken;

    impl std::fmt::Display for Broken {
        fn fmt(&self, _: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            Err(std::fmt::Error)
        }
    }

    #[derive(Template)]
    #[template(source = "<p>{{ value }}</p>", ext = "html")]
    struct Page {
        value: Broken,
    }

    #[test]
    fn a_template_that_fails_is_a_500_not_an_empty_200() {
        let resp = render(&Page { value: Broken });
        assert_eq!(resp.status(), axum::http::StatusCode::INTERNAL_SERVER_ERROR);
    }
}
