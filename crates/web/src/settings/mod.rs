//! 设置: the office's settings — the 公文版头 of issued documents (`documents`), and for
//! other systems service tokens (接口令牌) and webhooks (消息推送, pages in `webhook::pages`).

mod documents;

use crate::auth::Office;
use crate::form::{FieldErrors, Fields, Query};
use crate::pages::{PageCtx, options, render};
use crate::{AppState, WebError};
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use qx_core::label::Labelled;
use qx_core::token::{TokenScope, parse_lifetime};
use qx_store::tokens::NewToken;
use std::collections::HashMap;

type PageResult = Result<Response, WebError>;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/settings", get(index))
        .route("/settings/tokens", get(tokens).post(token_create))
        .route("/settings/tokens/{id}/revoke", post(token_revoke))
        .route(
            "/settings/documents",
            get(documents::page).post(documents::save),
        )
        .merge(crate::webhook::pages::routes())
}

#[derive(Template)]
#[template(path = "settings/index.html")]
struct IndexPage {
    ctx: PageCtx,
}

async fn index(auth: Office) -> PageResult {
    Ok(render(&IndexPage {
        ctx: PageCtx::signed_in(&auth),
    })
    .into_response())
}

/// One line of the token list, ready to show.
struct TokenLine {
    id: i64,
    username: String,
    name: String,
    scope: &'static str,
    prefix: String,
    created: String,
    expires: String,
    last_used: String,
    last_ip: String,
    state: &'static str,
    live: bool,
}

#[derive(Template)]
#[template(path = "settings/tokens.html")]
struct TokensPage {
    ctx: PageCtx,
    lines: Vec<TokenLine>,
    users: Vec<(i64, String)>,
    scopes: Vec<(&'static str, &'static str)>,
    values: Fields,
    errors: FieldErrors,
    /// The secret of the token just issued: shown once, on this response only.
    secret: Option<String>,
    rate: u32,
}

async fn tokens_page(
    state: &AppState,
    auth: &Office,
    values: Fields,
    errors: FieldErrors,
    secret: Option<String>,
    flash: Option<String>,
) -> Result<TokensPage, WebError> {
    let actor = auth.actor();
    let lang = auth.ctx.lang;
    let t = |k| crate::i18n::t(lang, k);
    let now = qx_store::now();
    let fmt = qx_core::time::format_datetime;
    let lines = state
        .store
        .list_tokens(&actor)
        .await?
        .into_iter()
        .map(|r| TokenLine {
            id: r.id,
            live: r.is_live(now),
            state: if r.revoked_at.is_some() {
                t("tok.revoked")
            } else if r.expires_at <= now {
                t("tok.expired")
            } else {
                t("tok.live")
            },
            username: r.username,
            name: r.name,
            scope: r.scope.label(lang),
            prefix: r.prefix,
            created: fmt(r.created_at),
            expires: fmt(r.expires_at),
            last_used: r
                .last_used_at
                .map_or_else(|| t("tok.never").to_string(), fmt),
            last_ip: r.last_used_ip,
        })
        .collect();
    let users = state
        .store
        .list_users(&actor)
        .await?
        .into_iter()
        .filter(|u| !u.disabled)
        .map(|u| (u.id, format!("{} ({})", u.profile.display_name, u.username)))
        .collect();
    Ok(TokensPage {
        ctx: PageCtx::signed_in(auth).with_flash(flash),
        lines,
        users,
        scopes: options(TokenScope::ALL, TokenScope::as_str, lang),
        values,
        errors,
        secret,
        rate: state.config.token_requests_per_minute,
    })
}

async fn tokens(
    State(state): State<AppState>,
    auth: Office,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    let lang = auth.ctx.lang;
    let flash = q
        .contains_key("revoked")
        .then(|| crate::i18n::t(lang, "tok.revoked_flash").to_string());
    let mut values = Fields::default();
    values.set("expires", "90d");
    values.set("scope", TokenScope::Read.as_str());
    let page = tokens_page(&state, &auth, values, FieldErrors::new(lang), None, flash).await?;
    Ok(render(&page).into_response())
}

async fn token_create(State(state): State<AppState>, auth: Office, f: Fields) -> PageResult {
    let lang = auth.ctx.lang;
    let t = |k| crate::i18n::t(lang, k);
    let mut errors = FieldErrors::new(lang);
    let user_id = f.get("user_id").parse::<i64>().ok();
    if user_id.is_none() {
        errors.add("user_id", t("tok.err.user"));
    }
    let name = f.get("name").to_string();
    if name.is_empty() || name.chars().count() > 100 {
        errors.add("name", t("tok.err.name"));
    }
    let scope = TokenScope::parse(f.get("scope")).ok();
    if scope.is_none() {
        errors.add("scope", t("tok.err.scope"));
    }
    let lifetime = parse_lifetime(f.get("expires"));
    if lifetime.is_none() {
        errors.add("expires", t("tok.err.expires"));
    }
    if let (Some(user_id), Some(scope), Some(lifetime_secs), true) =
        (user_id, scope, lifetime, errors.is_empty())
    {
        let new = NewToken {
            user_id,
            name,
            scope,
            lifetime_secs,
        };
        match state.store.create_token(&auth.actor(), &new).await {
            Ok((_, secret)) => {
                let mut values = Fields::default();
                values.set("expires", "90d");
                values.set("scope", TokenScope::Read.as_str());
                let page = tokens_page(&state, &auth, values, errors, Some(secret), None).await?;
                // The secret is in this response only: never cached, never stored.
                let mut resp = render(&page).into_response();
                resp.headers_mut().insert(
                    axum::http::header::CACHE_CONTROL,
                    axum::http::HeaderValue::from_static("no-store"),
                );
                return Ok(resp);
            }
            Err(e) => errors.absorb(e.into(), &[])?,
        }
    }
    let page = tokens_page(&state, &auth, f, errors, None, None).await?;
    Ok(crate::form::invalid(&page))
}

async fn token_revoke(
    State(state): State<AppState>,
    auth: Office,
    Path(id): Path<i64>,
) -> PageResult {
    state.store.revoke_token(&auth.actor(), id).await?;
    Ok(Redirect::to("/settings/tokens?revoked=1").into_response())
}
