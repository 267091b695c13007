//! Sessions, login state and CSRF protection, as one middleware every request passes.
//!
//! - The session cookie holds a random token; the database holds its SHA-256, the user,
//!   the CSRF token and when it was last used. Idle longer than the configured timeout
//!   (30 minutes by default) and it is gone.
//! - Every state-changing request (anything but GET/HEAD/OPTIONS) must carry the CSRF token:
//!   the session's when signed in, the `qx_csrf` cookie's before (the login form). It comes in
//!   the `X-CSRF-Token` header, the `_csrf` form field, or (multipart uploads) the `_csrf`
//!   query parameter.
//! - A request with `Authorization: Bearer` is a service token's ([`token`]): API only, no
//!   session, no CSRF token.

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
use std::net::IpAddr;

pub mod token;

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
    /// Unread notices, for the bell in the page header (counted for page requests only).
    pub unread_notices: i64,
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

/// The client's address as the audit log records it: the connection's peer, or, when the peer
/// is one of the configured reverse proxies, the nearest address in `X-Forwarded-For` that is
/// not a trusted proxy (proxies append, so the right end is the only part they vouch for).
/// A client's own `X-Forwarded-For` is ignored, and a hop that is not an IP address ends the
/// walk at the last trustworthy address.
pub fn client_ip(headers: &HeaderMap, peer: Option<IpAddr>, trusted: &[ipnet::IpNet]) -> String {
    let Some(peer) = peer else {
        return String::new();
    };
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer.to_string();
    }
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        match hop.parse::<IpAddr>() {
            Ok(ip) => {
                client = ip;
                if !is_trusted(&ip) {
                    break;
                }
            }
            Err(_) => break,
        }
    }
    client.to_string()
}

/// Whether a request is for a page (whose header shows the bell): a GET outside the API and
/// the embedded assets. Only these pay for counting unread notices.
fn wants_page(req: &Request) -> bool {
    let path = req.uri().path();
    req.method() == axum::http::Method::GET
        && !path.starts_with("/api/")
        && !path.starts_with("/assets/")
        && path != "/healthz"
}

/// Loads the session, enforces the idle timeout and CSRF, and sets the cookies it needs.
pub async fn session_layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let headers = req.headers().clone();
    if let Some(secret) = token::bearer(&headers) {
        let ip = client_ip(&headers, peer_ip(&req), &state.config.trusted_proxies);
        return token::serve(&state, req, next, &secret, ip).await;
    }
    let now = qx_store::now();
    let mut expired = false;
    let mut session = None;
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        let hash = token_hash(&token);
        match state.store.get_session_user(&hash).await {
            Ok(Some(found))
                if now - found.session.last_seen_at > state.config.session_idle_secs
                    || now - found.session.created_at > state.config.session_max_secs =>
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
                let mut signed = Session {
                    token_hash: hash,
                    user: found.user,
                    unit_name: found.unit_name,
                    csrf: row.csrf_token,
                    unread_notices: 0,
                };
                if wants_page(&req) {
                    signed.unread_notices = match state.store.unread_notices(&signed.actor()).await
                    {
                        Ok(n) => n,
                        Err(e) => return WebError::from(e).into_response(),
                    };
                }
                session = Some(signed);
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
        .map(|s| s.user.lang)
        .or_else(|| cookie(&headers, LANG_COOKIE).map(|l| crate::i18n::Lang::parse(&l)))
        .unwrap_or_default();

    let ip = client_ip(&headers, peer_ip(&req), &state.config.trusted_proxies);

    // The body limit is set here, before anything reads the body (the CSRF check below reads
    // a form whole): small without a session, the upload limit with one.
    let limit = if session.is_some() {
        state.config.max_body_bytes
    } else {
        state.config.max_anonymous_body_bytes
    };
    let declared = headers
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let ctx = |session: Option<Session>| RequestCtx {
        session,
        csrf: csrf.clone(),
        lang,
        ip: ip.clone(),
        expired,
    };
    if declared.is_some_and(|n| n > limit as u64) {
        return WebError::TooLarge { limit }.into_response_with(&ctx(session));
    }
    let req = req.map(|body| Body::new(http_body_util::Limited::new(body, limit)));

    let req = if !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        match check_csrf(req, &csrf).await {
            Csrf::Passed(req) => *req,
            Csrf::Failed => return WebError::Csrf.into_response_with(&ctx(session)),
            Csrf::TooLarge => {
                return WebError::TooLarge { limit }.into_response_with(&ctx(session));
            }
        }
    } else {
        req
    };
    let mut req = req;
    let page = !req.uri().path().starts_with("/api/");
    let kept = page.then(|| ctx(session.clone()));
    req.extensions_mut().insert(ctx(session));
    let mut resp = next.run(req).await;
    // A handler's `Err` was answered without its request: drawn again in the reader's
    // language, under their menu.
    if let Some(kept) = kept
        && let Some(parts) = resp
            .extensions_mut()
            .remove::<crate::error::ErrorPageParts>()
    {
        resp = parts.render(&kept, &resp);
    }
    if let Some(token) = new_anon_csrf {
        resp.headers_mut().append(
            SET_COOKIE,
            set_cookie(CSRF_COOKIE, &token, None, state.config.secure_cookies),
        );
    }
    resp
}

/// The connection's peer address, when the server was started with connection info.
fn peer_ip(req: &Request) -> Option<IpAddr> {
    req.extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip())
}

/// What the CSRF check found.
enum Csrf {
    /// The token matched; the request comes back with its body restored for the handler.
    Passed(Box<Request>),
    Failed,
    /// The form was larger than the request's body limit.
    TooLarge,
}

/// Compares the submitted token with the expected one. A form body is read (within the limit
/// the session layer put on it) and handed back to the handler.
async fn check_csrf(req: Request, expected: &str) -> Csrf {
    if expected.is_empty() {
        return Csrf::Failed;
    }
    let header = req
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    if let Some(h) = header {
        return passed_if(constant_eq(&h, expected), req);
    }
    if let Some(q) = req.uri().query().and_then(|q| csrf_field(q.as_bytes())) {
        return passed_if(constant_eq(&q, expected), req);
    }
    let is_form = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Csrf::Failed;
    }
    let (parts, body) = req.into_parts();
    let bytes: Bytes = match body.collect().await {
        Ok(b) => b.to_bytes(),
        Err(e) if is_length_limit(&e) => return Csrf::TooLarge,
        Err(_) => return Csrf::Failed,
    };
    let ok = csrf_field(&bytes).is_some_and(|v| constant_eq(&v, expected));
    passed_if(ok, Request::from_parts(parts, Body::from(bytes)))
}

/// The `_csrf` field of a url-encoded text: a form body, or the query string of a multipart
/// upload (whose body the handler streams).
fn csrf_field(encoded: &[u8]) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(encoded)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == "_csrf")
        .map(|(_, v)| v)
}

fn passed_if(ok: bool, req: Request) -> Csrf {
    if ok {
        Csrf::Passed(Box::new(req))
    } else {
        Csrf::Failed
    }
}

/// Whether a body error (or its cause) is the body limit.
fn is_length_limit(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cur = Some(e);
    while let Some(err) = cur {
        if err.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        cur = err.source();
    }
    false
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

/// Declares a guard: an extractor that is a signed-in [`Auth`] whose role is one of `roles`.
/// Anyone else is answered 403 (a page, or JSON under `/api/`), anonymous requests as by [`Auth`].
macro_rules! role_guard {
    ($(#[$doc:meta])* $name:ident, $what:literal, $($role:ident)|+) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        pub struct $name(pub Auth);

        impl $name {
            /// Whether `role` passes this guard.
            pub fn admits(role: Role) -> bool {
                matches!(role, $(Role::$role)|+)
            }

            pub fn into_auth(self) -> Auth {
                self.0
            }
        }

        impl std::ops::Deref for $name {
            type Target = Auth;

            fn deref(&self) -> &Auth {
                &self.0
            }
        }

        impl<S: Send + Sync> FromRequestParts<S> for $name {
            type Rejection = Response;

            async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
                let auth = Auth::from_request_parts(parts, state)
                    .await
                    .map_err(|e| refuse(parts, e))?;
                if Self::admits(auth.session.user.role()) {
                    Ok($name(auth))
                } else {
                    Err(refuse(parts, WebError::Forbidden($what.into())))
                }
            }
        }
    };
}

role_guard!(
    /// The office (办公室): manages units, users, the calendar, imports and publishes.
    Office, "office", Admin
);
role_guard!(
    /// Reads the whole county: the office and leaders.
    CountyReader, "county", Admin | Leader
);
role_guard!(
    /// The county's side (office, leaders, responsible units): enterprises are refused.
    County, "county side", Admin | Leader | Unit
);
role_guard!(
    /// Files on behalf of an enterprise: the enterprise itself or the office.
    OfficeOrEnterprise, "office or enterprise", Admin | Enterprise
);
role_guard!(
    /// Writes a responsible unit's records: the office or the unit itself (the store checks
    /// which unit).
    OfficeOrUnit, "office or unit", Admin | Unit
);
role_guard!(
    /// A responsible unit's liaison (责任单位联络员), acting for its own unit: 撤回 of a report
    /// is the unit's step; the office acts on a report by reviewing it.
    Liaison, "unit", Unit
);
role_guard!(
    /// Any signed-in user; what they see is still scoped by the store.
    Signed, "signed in", Admin | Leader | Unit | Enterprise
);

/// A guard's refusal in the request's language: JSON under `/api/`, a page elsewhere.
fn refuse(parts: &Parts, e: WebError) -> Response {
    if parts.uri.path().starts_with("/api/") {
        return crate::api::ApiError::from(e).into_response();
    }
    match parts.extensions.get::<RequestCtx>() {
        Some(ctx) => e.into_response_with(ctx),
        None => e.into_response(),
    }
}
