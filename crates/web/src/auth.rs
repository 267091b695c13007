//! Sessions, login state and CSRF protection, as one middleware every request passes.
//!
//! - The session cookie holds a random token; the database holds its SHA-256, the user,
//!   the CSRF token and when it was last used. Idle longer than the configured timeout
//!   (30 minutes by default) and it is gone.
//! - Every state-changing request (anything but GET/HEAD/OPTIONS) must carry the CSRF token:
//!   the session's when signed in, the `qx_csrf` cookie's before (the login form). It comes in
//!   the `X-CSRF-Token` header, the `_csrf` form field, or (multipart uploads) the `_csrf`
//!   query parameter.

use crate::{AppState, WebError};
use axum::body::{Body, Bytes};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::header::{CONTENT_TYPE, COOKIE, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use http_body_util::BodyExt;
use qx_core::access::{Actor, Role};
use qx_store::users::UserRow;
use sha2::{Digest, Sha256};

pub const SESSION_COOKIE: &str = "qx_session";
pub const CSRF_COOKIE: &str = "qx_csrf";
pub const LANG_COOKIE: &str = "qx_lang";

/// The signed-in user of a request, put in the request's extensions by [`session_layer`].
#[derive(Debug, Clone)]
pub struct Session {
    pub token_hash: String,
    pub user: UserRow,
    /// The name of the user's unit, for the page header.
    pub unit_name: Option<String>,
    pub csrf: String,
}

impl Session {
    pub fn actor(&self) -> Actor {
        self.user.actor()
    }
}

/// Per-request facts every page needs: who, which language, the CSRF token, the client IP.
#[derive(Debug, Clone)]
pub struct RequestCtx {
    pub session: Option<Session>,
    pub csrf: String,
    pub lang: crate::i18n::Lang,
    pub ip: String,
    /// Set when a session cookie was presented but had expired.
    pub expired: bool,
}

pub fn random_token() -> String {
    let bytes: [u8; 32] = rand::random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// A `Set-Cookie` value with the flags 等保 expects: HttpOnly, SameSite=Strict, Path=/, and
/// Secure when the deployment is served over HTTPS.
pub fn set_cookie(name: &str, value: &str, max_age: Option<i64>, secure: bool) -> HeaderValue {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict");
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    if secure {
        c.push_str("; Secure");
    }
    HeaderValue::from_str(&c).unwrap_or_else(|_| HeaderValue::from_static("invalid=1"))
}

fn client_ip(req: &Request) -> String {
    req.headers()
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .map(|s| s.trim().to_string())
        .or_else(|| {
            req.extensions()
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|c| c.0.ip().to_string())
        })
        .unwrap_or_default()
}

/// Loads the session, enforces the idle timeout and CSRF, and sets the cookies it needs.
pub async fn session_layer(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let headers = req.headers().clone();
    let now = qx_store::now();
    let mut expired = false;
    let mut session = None;
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        let hash = token_hash(&token);
        match state.store.get_session_user(&hash).await {
            Ok(Some(found))
                if now - found.session.last_seen_at > state.config.session_idle_secs =>
            {
                let _ = state.store.delete_session(&hash).await;
                expired = true;
            }
            Ok(Some(found)) if found.user.disabled == 0 && !found.user.is_locked(now) => {
                let row = found.session;
                // Writing on every request would make reads into writes; a minute's
                // resolution is plenty for a 30-minute timeout.
                if now - row.last_seen_at >= 60 {
                    let _ = state.store.touch_session(&hash, now).await;
                }
                session = Some(Session {
                    token_hash: hash,
                    user: found.user,
                    unit_name: found.unit_name,
                    csrf: row.csrf_token,
                });
            }
            Ok(Some(_)) => {
                // Disabled or locked since signing in: the session ends now.
                let _ = state.store.delete_session(&hash).await;
            }
            Ok(None) => expired = true,
            Err(e) => return WebError::from(e).into_response(),
        }
    }
    let anon_csrf = cookie(&headers, CSRF_COOKIE);
    let new_anon_csrf = if session.is_none() && anon_csrf.is_none() {
        Some(random_token())
    } else {
        None
    };
    let csrf = match &session {
        Some(s) => s.csrf.clone(),
        None => anon_csrf
            .clone()
            .or_else(|| new_anon_csrf.clone())
            .unwrap_or_default(),
    };
    let lang = session
        .as_ref()
        .map(|s| crate::i18n::Lang::parse(&s.user.lang))
        .or_else(|| cookie(&headers, LANG_COOKIE).map(|l| crate::i18n::Lang::parse(&l)))
        .unwrap_or_default();

    if !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        let (checked, rebuilt) = check_csrf(req, &csrf).await;
        req = rebuilt;
        if !checked {
            let ctx = RequestCtx {
                session,
                csrf,
                lang,
                ip: String::new(),
                expired,
            };
            return WebError::Csrf.into_response_with(&ctx);
        }
    }
    let ip = client_ip(&req);
    req.extensions_mut().insert(RequestCtx {
        session,
        csrf,
        lang,
        ip,
        expired,
    });
    let mut resp = next.run(req).await;
    if let Some(token) = new_anon_csrf {
        resp.headers_mut().append(
            SET_COOKIE,
            set_cookie(CSRF_COOKIE, &token, None, state.config.secure_cookies),
        );
    }
    resp
}

/// Compares the submitted token with the expected one; returns the request with its body
/// restored so the handler can still read the form.
async fn check_csrf(req: Request, expected: &str) -> (bool, Request) {
    if expected.is_empty() {
        return (false, req);
    }
    let header = req
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    if let Some(h) = header {
        return (constant_eq(&h, expected), req);
    }
    let query_token = req.uri().query().and_then(|q| {
        serde_urlencoded::from_str::<Vec<(String, String)>>(q)
            .ok()
            .and_then(|pairs| {
                pairs
                    .into_iter()
                    .find(|(k, _)| k == "_csrf")
                    .map(|(_, v)| v)
            })
    });
    if let Some(q) = query_token {
        return (constant_eq(&q, expected), req);
    }
    let is_form = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return (false, req);
    }
    let (parts, body) = req.into_parts();
    let bytes: Bytes = match body.collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => return (false, Request::from_parts(parts, Body::empty())),
    };
    let ok = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
        .ok()
        .and_then(|pairs| {
            pairs
                .into_iter()
                .find(|(k, _)| k == "_csrf")
                .map(|(_, v)| v)
        })
        .is_some_and(|v| constant_eq(&v, expected));
    (ok, Request::from_parts(parts, Body::from(bytes)))
}

fn constant_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

impl<S: Send + Sync> FromRequestParts<S> for RequestCtx {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<RequestCtx>()
            .cloned()
            .ok_or_else(|| WebError::Internal(anyhow::anyhow!("session layer missing")))
    }
}

/// A signed-in request. Pages that need a user take this; anonymous requests are sent to the
/// login page (HTML) or answered 401 (API).
#[derive(Debug, Clone)]
pub struct Auth {
    pub ctx: RequestCtx,
    pub session: Session,
}

impl Auth {
    /// The signed-in user, carrying the client address into every audit entry.
    pub fn actor(&self) -> Actor {
        Actor {
            ip: self.ctx.ip.clone(),
            ..self.session.actor()
        }
    }

    /// The signed-in user, who must belong to the county's side (office, leader or unit):
    /// enterprises are refused `what`.
    pub fn county_actor(&self, what: &str) -> Result<Actor, WebError> {
        let actor = self.actor();
        if actor.role == Role::Enterprise {
            return Err(WebError::Forbidden(what.into()));
        }
        Ok(actor)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Auth {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let ctx = RequestCtx::from_request_parts(parts, state).await?;
        match ctx.session.clone() {
            Some(session) => Ok(Auth { ctx, session }),
            None => {
                let path = parts.uri.path().to_string();
                if path.starts_with("/api/") {
                    Err(WebError::Unauthorized)
                } else {
                    let next = parts
                        .uri
                        .path_and_query()
                        .map(|p| p.as_str())
                        .unwrap_or("/");
                    Err(WebError::Login {
                        next: next.to_string(),
                        expired: ctx.expired,
                    })
                }
            }
        }
    }
}
