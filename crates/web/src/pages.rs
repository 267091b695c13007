//! Server-rendered pages. Each handler parses its input, calls the store as the signed-in
//! actor, and renders a template; the store decides what the actor may see.

use crate::auth::{self, Auth, RequestCtx};
use crate::form::Query;
use crate::form::{FieldErrors, Form};
use crate::i18n::{Lang, Tr};
use crate::{AppState, WebError};
use askama::Template;
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::response::{Html, IntoResponse, Redirect, Response};
use qx_core::access::{Actor, Role, check_password_strength};
use qx_core::label::Labelled;
use qx_core::password;
use qx_store::audit::AuditEntry;
use qx_store::login::{LoginGate, Refusal};
use serde::Deserialize;
use std::collections::HashMap;

type PageResult = Result<Response, WebError>;

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

/// Only same-site relative paths are followed after login.
fn safe_next(next: &str) -> &str {
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
        next
    } else {
        "/"
    }
}

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

/// Argon2 is deliberately slow: keep it off the async workers.
pub(crate) async fn hash_blocking(password: String) -> Result<String, WebError> {
    tokio::task::spawn_blocking(move || password::hash_password(&password))
        .await
        .map_err(|e| WebError::Internal(e.into()))?
        .map_err(|e| WebError::Internal(e.into()))
}

async fn verify_blocking(password: String, hash: String) -> Result<bool, WebError> {
    tokio::task::spawn_blocking(move || password::verify_password(&password, &hash))
        .await
        .map_err(|e| WebError::Internal(e.into()))
}

// ---------------------------------------------------------------- login / logout

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    ctx: PageCtx,
    error: Option<String>,
    next: String,
    username: String,
}

pub async fn login_form(ctx: RequestCtx, Query(q): Query<HashMap<String, String>>) -> Response {
    if ctx.session.is_some() {
        return Redirect::to("/").into_response();
    }
    let expired = q.get("expired").is_some_and(|v| v == "1");
    let page = LoginPage {
        ctx: PageCtx::anonymous(&ctx),
        error: expired.then(|| crate::i18n::t(ctx.lang, "login.expired").to_string()),
        next: q.get("next").cloned().unwrap_or_else(|| "/".into()),
        username: String::new(),
    };
    render(&page).into_response()
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    #[serde(default)]
    next: String,
}

/// Every failed sign-in gets the same answer after the same work (one password check), so
/// neither the page nor its timing tells whether a name exists, is locked or is disabled.
/// Attempts are counted before they are checked, per client address and per account
/// (`qx_store::login`).
pub async fn login_submit(
    State(state): State<AppState>,
    ctx: RequestCtx,
    headers: axum::http::HeaderMap,
    Form(form): Form<LoginForm>,
) -> PageResult {
    let lang = ctx.lang;
    let config = &state.config;
    let username = qx_core::access::login_name(&form.username);
    let fail = || -> Response {
        let page = LoginPage {
            ctx: PageCtx::anonymous(&ctx),
            error: Some(crate::i18n::t(lang, "login.failed").into()),
            next: form.next.clone(),
            username: username.clone(),
        };
        (axum::http::StatusCode::UNAUTHORIZED, render(&page)).into_response()
    };
    let now = qx_store::now();
    let anonymous = Actor {
        user_id: 0,
        username: username.clone(),
        ..Actor::system()
    };
    let from_address = state
        .store
        .take_address_attempt(&ctx.ip, now, config.address_window_secs)
        .await?;
    if from_address > config.max_address_failures {
        // Recorded once per window, not per attempt: a flood must not grow the log.
        if from_address == config.max_address_failures + 1 {
            state
                .store
                .audit(
                    AuditEntry::new(&anonymous, "login.throttled", "address", &ctx.ip)
                        .after(serde_json::json!({"failures": config.max_address_failures}))
                        .ip(&ctx.ip),
                )
                .await?;
        }
        return Err(WebError::TooManyAttempts {
            retry_after: config.address_window_secs,
        });
    }
    let gate = state
        .store
        .take_login_attempt(
            &username,
            now,
            config.max_login_failures,
            config.lockout_secs,
        )
        .await?;
    let (user, attempt) = match gate {
        LoginGate::Check { user, attempt } => (user, attempt),
        LoginGate::Unknown => {
            verify_blocking(form.password.clone(), password::dummy_hash().to_string()).await?;
            state
                .store
                .audit(
                    AuditEntry::new(&anonymous, "login.failure", "user", &username)
                        .after(serde_json::json!({"reason": "unknown user"}))
                        .ip(&ctx.ip),
                )
                .await?;
            return Ok(fail());
        }
        LoginGate::Refused { user, reason } => {
            verify_blocking(form.password.clone(), password::dummy_hash().to_string()).await?;
            let actor = user.actor();
            let entry = match reason {
                Refusal::Disabled => AuditEntry::new(&actor, "login.disabled", "user", user.id),
                Refusal::Locked { until } => {
                    AuditEntry::new(&actor, "login.locked", "user", user.id)
                        .after(serde_json::json!({"locked_until": until}))
                }
            };
            state.store.audit(entry.ip(&ctx.ip)).await?;
            return Ok(fail());
        }
    };
    let actor = user.actor();
    let ok = verify_blocking(form.password.clone(), user.password_hash.clone()).await?;
    if !ok {
        state
            .store
            .audit(
                AuditEntry::new(&actor, "login.failure", "user", user.id)
                    .after(serde_json::json!({"reason": "wrong password", "attempt": attempt}))
                    .ip(&ctx.ip),
            )
            .await?;
        if let Some(until) = state
            .store
            .settle_login_failure(
                user.id,
                attempt,
                now,
                config.max_login_failures,
                config.lockout_secs,
            )
            .await?
        {
            state
                .store
                .audit(
                    AuditEntry::new(&actor, "login.lockout", "user", user.id)
                        .after(serde_json::json!({"locked_until": until}))
                        .ip(&ctx.ip),
                )
                .await?;
        }
        return Ok(fail());
    }
    state.store.refund_address_attempt(&ctx.ip).await?;
    state.store.record_login_success(user.id).await?;
    let token = auth::random_token();
    let csrf = auth::random_token();
    let ua = headers
        .get("user-agent")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    state
        .store
        .create_session(&auth::token_hash(&token), user.id, &csrf, &ctx.ip, ua)
        .await?;
    state
        .store
        .audit(AuditEntry::new(&actor, "login.success", "user", user.id).ip(&ctx.ip))
        .await?;
    let mut resp = Redirect::to(safe_next(&form.next)).into_response();
    let secure = state.config.secure_cookies;
    resp.headers_mut().append(
        SET_COOKIE,
        auth::set_cookie(auth::SESSION_COOKIE, &token, None, secure),
    );
    Ok(resp)
}

pub async fn logout(State(state): State<AppState>, ctx: RequestCtx) -> PageResult {
    if let Some(session) = &ctx.session {
        state.store.delete_session(&session.token_hash).await?;
        state
            .store
            .audit(AuditEntry::new(&session.actor(), "logout", "user", session.user.id).ip(&ctx.ip))
            .await?;
    }
    let mut resp = Redirect::to("/login").into_response();
    let secure = state.config.secure_cookies;
    resp.headers_mut().append(
        SET_COOKIE,
        auth::set_cookie(auth::SESSION_COOKIE, "", Some(0), secure),
    );
    Ok(resp)
}

#[derive(Deserialize)]
pub struct LangForm {
    lang: String,
}

pub async fn switch_lang(
    State(state): State<AppState>,
    ctx: RequestCtx,
    headers: axum::http::HeaderMap,
    Form(form): Form<LangForm>,
) -> PageResult {
    let lang = Lang::parse(&form.lang);
    if let Some(s) = &ctx.session {
        state.store.set_user_lang(s.user.id, lang).await?;
    }
    let back = headers
        .get("referer")
        .and_then(|v| v.to_str().ok())
        .and_then(|r| {
            r.find("://")
                .and_then(|i| r[i + 3..].find('/').map(|j| r[i + 3 + j..].to_string()))
        })
        .unwrap_or_else(|| "/".into());
    let mut resp = Redirect::to(safe_next(&back)).into_response();
    resp.headers_mut().append(
        SET_COOKIE,
        auth::set_cookie(
            auth::LANG_COOKIE,
            lang.code(),
            Some(365 * 86400),
            state.config.secure_cookies,
        ),
    );
    Ok(resp)
}

// ---------------------------------------------------------------- account

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    ctx: PageCtx,
    /// What was wrong with the change, beside the box it is about.
    errors: FieldErrors,
}

pub async fn account(auth: Auth, Query(q): Query<HashMap<String, String>>) -> PageResult {
    let lang = auth.ctx.lang;
    let flash = q
        .get("changed")
        .map(|_| crate::i18n::t(lang, "account.changed").to_string());
    let page = AccountPage {
        ctx: PageCtx::signed_in(&auth).with_flash(flash),
        errors: FieldErrors::new(lang),
    };
    Ok(render(&page).into_response())
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm: String,
}

/// One's own password: the current one, then the new one twice. Each refusal is shown beside
/// the box it is about (the boxes come back empty: a password is never sent back).
pub async fn change_password(
    State(state): State<AppState>,
    auth: Auth,
    Form(form): Form<PasswordForm>,
) -> PageResult {
    let lang = auth.ctx.lang;
    let current_ok = verify_blocking(
        form.current.clone(),
        auth.session.user.password_hash.clone(),
    )
    .await?;
    let mut errors = FieldErrors::new(lang);
    if !current_ok {
        errors.add("current", crate::i18n::t(lang, "account.wrong_current"));
    } else if let Err(m) = check_password_strength(&form.new_password) {
        errors.add("new_password", m);
    } else if form.new_password != form.confirm {
        errors.add("confirm", crate::i18n::t(lang, "account.mismatch"));
    }
    if !errors.is_empty() {
        let page = AccountPage {
            ctx: PageCtx::signed_in(&auth),
            errors,
        };
        return Ok(crate::form::invalid(&page));
    }
    let new_hash = hash_blocking(form.new_password).await?;
    state
        .store
        .set_password(
            &auth.actor(),
            auth.session.user.id,
            &new_hash,
            Some(&auth.session.token_hash),
        )
        .await?;
    Ok(Redirect::to("/account?changed=1").into_response())
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
