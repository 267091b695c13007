//! `Authorization: Bearer` for the API: a service token (`store::tokens`) stands for its
//! account on `/api/` requests, within its scope and its rate limit, without a session or a
//! CSRF token (a token is not sent by a browser on its own, so there is no cross-site request
//! to forge). A token never opens a page.

use super::{RequestCtx, Session};
use crate::{AppState, WebError};
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use qx_store::tokens::{USE_AUDIT_INTERVAL_SECS, secret_hash};
use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

/// The token of an `Authorization: Bearer …` header, if the request carries one.
pub fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
}

/// Requests per token in the current minute. Process-wide (one entry per token hash, so apps
/// sharing a process in tests never share an entry); with several app servers each counts its
/// own share, which the documentation says.
static WINDOWS: LazyLock<Mutex<HashMap<String, (i64, u32)>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

/// Counts a request of token `hash` at `now` against `limit` per minute; `Err(seconds)` until
/// the next window when the limit is reached.
fn admit(hash: &str, now: i64, limit: u32) -> Result<(), i64> {
    let window = now - now.rem_euclid(60);
    let mut all = WINDOWS.lock().unwrap_or_else(|e| e.into_inner());
    if all.len() > 10_000 {
        all.retain(|_, (start, _)| *start >= window);
    }
    let entry = all.entry(hash.to_string()).or_insert((window, 0));
    if entry.0 != window {
        *entry = (window, 0);
    }
    if entry.1 >= limit {
        return Err((window + 60 - now).max(1));
    }
    entry.1 += 1;
    Ok(())
}

/// A refusal in the API's error shape; 401s name the scheme expected.
fn refuse(e: WebError) -> Response {
    let retry = match &e {
        WebError::TooManyAttempts { retry_after } => Some(*retry_after),
        _ => None,
    };
    let unauthorized = matches!(e, WebError::Unauthorized);
    let mut resp = crate::api::ApiError::from(e).into_response();
    if let Some(secs) = retry
        && let Ok(v) = HeaderValue::from_str(&secs.to_string())
    {
        resp.headers_mut().insert(header::RETRY_AFTER, v);
    }
    if unauthorized {
        resp.headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    resp
}

/// Serves a request that carries a Bearer token: authenticates it, enforces the scope and
/// the rate limit, records the use (audited at most once a minute per token) and runs the
/// handler as the token's account.
pub(super) async fn serve(
    state: &AppState,
    req: Request,
    next: Next,
    secret: &str,
    ip: String,
) -> Response {
    let lang = crate::i18n::Lang::default();
    let path = req.uri().path().to_string();
    if !path.starts_with("/api/") {
        let ctx = RequestCtx {
            session: None,
            csrf: String::new(),
            lang,
            ip,
            expired: false,
        };
        let mut resp = WebError::Unauthorized.into_response_with(&ctx);
        resp.headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        return resp;
    }
    let hash = secret_hash(secret);
    let found = match state.store.token_user(&hash).await {
        Ok(found) => found,
        Err(e) => return refuse(e.into()),
    };
    let now = qx_store::now();
    let Some(found) =
        found.filter(|f| f.token.is_live(now) && f.user.disabled == 0 && !f.user.is_locked(now))
    else {
        return refuse(WebError::Unauthorized);
    };
    if let Err(retry_after) = admit(&hash, now, state.config.token_requests_per_minute) {
        return refuse(WebError::TooManyAttempts { retry_after });
    }
    let safe = req.method().is_safe();
    if !found.token.scope.allows(safe) {
        return refuse(WebError::Forbidden("read-only token".into()));
    }
    let session = Session {
        token_hash: String::new(),
        user: found.user,
        unit_name: found.unit_name,
        csrf: String::new(),
        unread_notices: 0,
    };
    if found
        .token
        .last_used_at
        .is_none_or(|t| now - t >= USE_AUDIT_INTERVAL_SECS)
    {
        let actor = qx_core::access::Actor {
            ip: ip.clone(),
            ..session.actor()
        };
        let what = format!("{} {}", req.method(), path);
        if let Err(e) = state
            .store
            .record_token_use(&actor, found.token.id, &what)
            .await
        {
            return refuse(e.into());
        }
    }
    let lang = session.user.lang;
    let limit = state.config.max_body_bytes;
    let mut req = req.map(|body| Body::new(http_body_util::Limited::new(body, limit)));
    req.extensions_mut().insert(RequestCtx {
        session: Some(session),
        csrf: String::new(),
        lang,
        ip,
        expired: false,
    });
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_counts_per_token_per_minute() {
        let t0 = 1_700_000_020; // 40 s into a minute
        for _ in 0..3 {
            assert_eq!(admit("a-test-token", t0, 3), Ok(()));
        }
        assert_eq!(admit("a-test-token", t0 + 5, 3), Err(15));
        assert_eq!(admit("another-test-token", t0, 3), Ok(()));
        assert_eq!(admit("a-test-token", t0 + 20, 3), Ok(()));
    }

    #[test]
    fn bearer_header_is_read_case_insensitively() {
        let mut h = HeaderMap::new();
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("bearer qxt_abc"),
        );
        assert_eq!(bearer(&h).as_deref(), Some("qxt_abc"));
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic abc"));
        assert_eq!(bearer(&h), None);
    }
}
