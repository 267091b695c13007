//! How a handler's failure reaches the user: one [`WebError`], one mapping from the store's
//! and the application layer's errors to it, and one page (or redirect) per error.
//!
//! A fault the user can fix (a bad row, an invalid value, a conflict) answers 400 with the
//! message; only a fault of the system answers 500, logged, with a generic message.

use crate::{auth, i18n, pages};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use qx_app::AppError;
use qx_store::StoreError;

/// Errors a handler can answer with.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("login required")]
    Unauthorized,
    #[error("login required")]
    Login { next: String, expired: bool },
    #[error("forbidden: {0}")]
    Forbidden(String),
    #[error("not found: {0}")]
    NotFound(String),
    #[error("CSRF token missing or wrong")]
    Csrf,
    /// The request body is larger than this request may send.
    #[error("request body too large")]
    TooLarge { limit: usize },
    /// Too many failed logins from this address; try again after `retry_after` seconds.
    #[error("too many attempts")]
    TooManyAttempts { retry_after: i64 },
    #[error("{0}")]
    BadRequest(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<StoreError> for WebError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(m) => WebError::NotFound(m),
            StoreError::Forbidden(m) => WebError::Forbidden(m),
            StoreError::Conflict(m) | StoreError::Invalid(m) => WebError::BadRequest(m),
            other => WebError::Internal(other.into()),
        }
    }
}

impl From<AppError> for WebError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Store(s) => s.into(),
            AppError::Rows(rows) => WebError::BadRequest(rows.join("\n")),
            AppError::Plan(e) => WebError::BadRequest(e.to_string()),
            AppError::Invalid(m) => WebError::BadRequest(m),
        }
    }
}

impl WebError {
    pub fn status(&self) -> StatusCode {
        match self {
            WebError::Unauthorized => StatusCode::UNAUTHORIZED,
            WebError::Login { .. } => StatusCode::SEE_OTHER,
            WebError::Forbidden(_) | WebError::Csrf => StatusCode::FORBIDDEN,
            WebError::NotFound(_) => StatusCode::NOT_FOUND,
            WebError::BadRequest(_) => StatusCode::BAD_REQUEST,
            WebError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            WebError::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
            WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn message(&self, lang: i18n::Lang) -> String {
        match self {
            WebError::Forbidden(_) => i18n::t(lang, "err.forbidden").to_string(),
            WebError::NotFound(m) => format!(
                "{}: {}",
                i18n::t(lang, "err.not_found"),
                i18n::localise(m, lang)
            ),
            WebError::Csrf => i18n::t(lang, "err.csrf").to_string(),
            WebError::BadRequest(m) => i18n::localise(m, lang),
            WebError::TooLarge { limit } => format!(
                "{} ({})",
                i18n::t(lang, "err.too_large"),
                human_bytes(*limit)
            ),
            WebError::TooManyAttempts { retry_after } => format!(
                "{} ({})",
                i18n::t(lang, "err.too_many_attempts"),
                i18n::minutes(lang, (retry_after + 59) / 60)
            ),
            WebError::Internal(_) => i18n::t(lang, "err.server").to_string(),
            WebError::Unauthorized | WebError::Login { .. } => {
                i18n::t(lang, "login.title").to_string()
            }
        }
    }

    /// Renders the error as a page in the user's language.
    pub fn into_response_with(self, ctx: &auth::RequestCtx) -> Response {
        if let WebError::Internal(e) = &self {
            tracing::error!("internal error: {e:#}");
        }
        match self {
            WebError::Login { next, expired } => {
                let q = serde_urlencoded::to_string([
                    ("next", next.as_str()),
                    ("expired", if expired { "1" } else { "" }),
                ])
                .unwrap_or_default();
                Redirect::to(&format!("/login?{q}")).into_response()
            }
            other => {
                let status = other.status();
                let retry_after = match &other {
                    WebError::TooManyAttempts { retry_after } => Some(*retry_after),
                    _ => None,
                };
                let page = pages::ErrorPage::new(ctx, status.as_u16(), other.message(ctx.lang));
                let mut resp = (status, pages::render(&page)).into_response();
                if let Some(secs) = retry_after
                    && let Ok(v) = header::HeaderValue::from_str(&secs.max(1).to_string())
                {
                    resp.headers_mut().insert(header::RETRY_AFTER, v);
                }
                resp
            }
        }
    }
}

/// A handler's error page as answered without its request (Chinese, no header menu), with
/// what the session layer needs to draw it again for the reader: in their language, under
/// their own menu.
#[derive(Debug, Clone)]
pub(crate) struct ErrorPageParts {
    status: StatusCode,
    zh: String,
    en: String,
}

impl ErrorPageParts {
    /// The page for this request, keeping the headers already set (`Retry-After`).
    pub(crate) fn render(&self, ctx: &auth::RequestCtx, answered: &Response) -> Response {
        let message = match ctx.lang {
            i18n::Lang::Zh => self.zh.clone(),
            i18n::Lang::En => self.en.clone(),
        };
        let page = pages::ErrorPage::new(ctx, self.status.as_u16(), message);
        let mut resp = (self.status, pages::render(&page)).into_response();
        for (name, value) in answered.headers() {
            if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
                resp.headers_mut().insert(name.clone(), value.clone());
            }
        }
        resp
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let ctx = auth::RequestCtx {
            session: None,
            csrf: String::new(),
            lang: i18n::Lang::Zh,
            ip: String::new(),
            expired: false,
        };
        let parts = (!matches!(self, WebError::Login { .. })).then(|| ErrorPageParts {
            status: self.status(),
            zh: self.message(i18n::Lang::Zh),
            en: self.message(i18n::Lang::En),
        });
        let mut resp = self.into_response_with(&ctx);
        if let Some(parts) = parts {
            resp.extensions_mut().insert(parts);
        }
        resp
    }
}

/// `65536` as "64 KB", `67108864` as "64 MB".
fn human_bytes(n: usize) -> String {
    if n >= 1024 * 1024 {
        format!("{} MB", n / (1024 * 1024))
    } else {
        format!("{} KB", n.div_ceil(1024))
    }
}
