//! Signing in and out, the language switch, and one's own account (its password): the pages a
//! person reaches before, or about, their work.

use crate::auth::{self, Auth, RequestCtx};
use crate::form::Query;
use crate::form::{FieldErrors, Form};
use crate::i18n::Lang;
use crate::pages::{PageCtx, render};
use crate::{AppState, WebError};
use askama::Template;
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::response::{IntoResponse, Redirect, Response};
use qx_core::access::{Actor, check_password_strength};
use qx_core::password;
use qx_store::audit::AuditEntry;
use qx_store::login::{LoginGate, Refusal};
use serde::Deserialize;
use std::collections::HashMap;

type PageResult = Result<Response, WebError>;

/// Only same-site relative paths are followed after login.
fn safe_next(next: &str) -> &str {
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
        next
    } else {
        "/"
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
