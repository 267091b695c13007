//! RFC 9457 problem details: every error under `/api/` answers `application/problem+json`
//! with `type`, `title` (in the caller's language), `status`, `detail` and, for a refused
//! write, `errors` naming each field (or row) at fault.
//!
//! A handler's error becomes an [`ApiError`], which renders the problem in Chinese and leaves
//! a [`Draft`] on the response; [`problem_layer`], around the whole application, renders it
//! again in the caller's language (`Accept-Language`, else the account's language) and turns
//! every other error answered under `/api/` (the session layer's CSRF and size refusals, an
//! unknown path, axum's own rejections) into the same shape.

use crate::WebError;
use crate::auth::{LANG_COOKIE, RequestCtx, cookie};
use crate::form::FieldErrors;
use crate::i18n::{self, Lang};
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// An error as the API answers it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"type": "/api/problems/validation", "title": "提交的内容有误", "status": 422,
    "detail": "标题: 不超过100字, 实际为101字",
    "errors": [{"field": "title", "message": "标题: 不超过100字, 实际为101字"}]}))]
pub struct Problem {
    /// A URI reference naming the kind of problem (`/api/problems/<kind>`).
    #[serde(rename = "type")]
    pub kind: String,
    /// The kind's name in the caller's language.
    pub title: String,
    pub status: u16,
    /// This occurrence, in words (the store's message, which names the field or row).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Each field (or row of an uploaded sheet) at fault, for a refused write.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemError>,
}

/// One field or row at fault.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ProblemError {
    /// The field's name as the request sent it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The row of an uploaded sheet (1-based, as the spreadsheet numbers it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<i64>,
    pub message: String,
}

impl ProblemError {
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        ProblemError {
            field: Some(field.to_string()),
            row: None,
            message: message.into(),
        }
    }
}

/// The kinds of problem, each with its `type` slug and title key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Unauthorized,
    Forbidden,
    Csrf,
    NotFound,
    Validation,
    TooLarge,
    TooManyRequests,
    Internal,
    /// Any other status (405, 415, …): the request itself does not fit the endpoint.
    BadRequest,
}

impl Kind {
    fn slug(self) -> &'static str {
        match self {
            Kind::Unauthorized => "unauthorized",
            Kind::Forbidden => "forbidden",
            Kind::Csrf => "csrf",
            Kind::NotFound => "not-found",
            Kind::Validation => "validation",
            Kind::TooLarge => "too-large",
            Kind::TooManyRequests => "too-many-requests",
            Kind::Internal => "internal",
            Kind::BadRequest => "bad-request",
        }
    }

    fn title(self, lang: Lang) -> &'static str {
        let key = match self {
            Kind::Unauthorized => "api.problem.unauthorized",
            Kind::Forbidden => "api.problem.forbidden",
            Kind::Csrf => "api.problem.csrf",
            Kind::NotFound => "api.problem.not_found",
            Kind::Validation => "api.problem.validation",
            Kind::TooLarge => "api.problem.too_large",
            Kind::TooManyRequests => "api.problem.too_many",
            Kind::Internal => "api.problem.internal",
            Kind::BadRequest => "api.problem.bad_request",
        };
        i18n::t(lang, key)
    }

    /// The kind an error status answered by something other than [`ApiError`] stands for.
    fn of_status(status: StatusCode) -> Kind {
        match status {
            StatusCode::UNAUTHORIZED => Kind::Unauthorized,
            StatusCode::FORBIDDEN => Kind::Forbidden,
            StatusCode::NOT_FOUND => Kind::NotFound,
            StatusCode::UNPROCESSABLE_ENTITY => Kind::Validation,
            StatusCode::PAYLOAD_TOO_LARGE => Kind::TooLarge,
            StatusCode::TOO_MANY_REQUESTS => Kind::TooManyRequests,
            s if s.is_server_error() => Kind::Internal,
            _ => Kind::BadRequest,
        }
    }
}

/// A problem before its language is known, kept on the response for [`problem_layer`].
#[derive(Debug, Clone)]
pub struct Draft {
    kind: Kind,
    status: StatusCode,
    detail: Option<String>,
    errors: Vec<ProblemError>,
}

impl Draft {
    fn render(self, lang: Lang) -> Response {
        let problem = Problem {
            kind: format!("/api/problems/{}", self.kind.slug()),
            title: self.kind.title(lang).to_string(),
            status: self.status.as_u16(),
            detail: self.detail.clone(),
            errors: self.errors.clone(),
        };
        let body = serde_json::to_vec(&problem).unwrap_or_default();
        let mut resp = (
            self.status,
            [(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON))],
            body,
        )
            .into_response();
        resp.extensions_mut().insert(self);
        resp
    }
}

/// A handler's failure under `/api/`: a [`WebError`] and, for a refused write, the fields
/// at fault. `?` turns any store, app or web error into one.
#[derive(Debug)]
pub struct ApiError {
    error: WebError,
    errors: Vec<ProblemError>,
}

impl<E: Into<WebError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError {
            error: e.into(),
            errors: Vec::new(),
        }
    }
}

impl ApiError {
    /// A write refused for what `errors` found (422, each message beside its field).
    pub fn invalid(errors: &FieldErrors) -> Self {
        let list: Vec<ProblemError> = errors
            .entries()
            .map(|(field, message)| ProblemError {
                field: (!field.is_empty()).then(|| field.to_string()),
                row: None,
                message: message.to_string(),
            })
            .collect();
        ApiError {
            error: WebError::BadRequest(errors.messages().join("; ")),
            errors: list,
        }
    }

    /// A write refused for `errors` (422), each naming its field or row.
    pub fn with_errors(errors: Vec<ProblemError>) -> Self {
        let detail = errors
            .iter()
            .map(|e| e.message.as_str())
            .collect::<Vec<_>>()
            .join("; ");
        ApiError {
            error: WebError::BadRequest(detail),
            errors,
        }
    }

    /// `e`, where a refusal the store words as "{label}: …" names the field of `fields`
    /// whose label it starts with (as a form shows it beside that field).
    pub fn naming(e: impl Into<WebError>, fields: &[(&'static str, &str)], lang: Lang) -> Self {
        match e.into() {
            WebError::BadRequest(m) => {
                let mut errs = FieldErrors::new(lang);
                // absorb only hands back errors other than BadRequest, which this is not.
                let _ = errs.absorb(WebError::BadRequest(m), fields);
                ApiError::invalid(&errs)
            }
            other => ApiError::from(other),
        }
    }

    fn draft(&self) -> Draft {
        let (kind, status, detail) = match &self.error {
            WebError::Unauthorized | WebError::Login { .. } => {
                (Kind::Unauthorized, StatusCode::UNAUTHORIZED, None)
            }
            WebError::Forbidden(_) => (Kind::Forbidden, StatusCode::FORBIDDEN, None),
            WebError::Csrf => (Kind::Csrf, StatusCode::FORBIDDEN, None),
            WebError::NotFound(m) => (Kind::NotFound, StatusCode::NOT_FOUND, Some(m.clone())),
            WebError::BadRequest(m) => (
                Kind::Validation,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(m.clone()),
            ),
            WebError::TooLarge { .. } => (Kind::TooLarge, StatusCode::PAYLOAD_TOO_LARGE, None),
            WebError::TooManyAttempts { .. } => {
                (Kind::TooManyRequests, StatusCode::TOO_MANY_REQUESTS, None)
            }
            WebError::Internal(_) => (Kind::Internal, StatusCode::INTERNAL_SERVER_ERROR, None),
        };
        let errors = if !self.errors.is_empty() {
            self.errors.clone()
        } else if let WebError::BadRequest(m) = &self.error {
            rows(m)
        } else {
            Vec::new()
        };
        Draft {
            kind,
            status,
            detail,
            errors,
        }
    }
}

/// A refusal's lines, each naming its row when it starts "第N行" (an import's row errors).
fn rows(message: &str) -> Vec<ProblemError> {
    message
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let row = line
                .strip_prefix('第')
                .and_then(|rest| rest.split_once('行'))
                .and_then(|(n, _)| n.trim().parse().ok());
            ProblemError {
                field: None,
                row,
                message: line.to_string(),
            }
        })
        .collect()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let WebError::Internal(e) = &self.error {
            tracing::error!("api internal error: {e:#}");
        }
        let retry_after = match &self.error {
            WebError::TooManyAttempts { retry_after } => Some(*retry_after),
            _ => None,
        };
        let mut resp = self.draft().render(Lang::Zh);
        if let Some(secs) = retry_after
            && let Ok(v) = HeaderValue::from_str(&secs.max(1).to_string())
        {
            resp.headers_mut().insert(header::RETRY_AFTER, v);
        }
        resp
    }
}

/// The language an `Accept-Language` header prefers, when it names zh or en at all.
fn accepted(headers: &HeaderMap) -> Option<Lang> {
    let value = headers.get(header::ACCEPT_LANGUAGE)?.to_str().ok()?;
    let mut best: Option<(f32, Lang)> = None;
    for part in value.split(',') {
        let mut bits = part.split(';');
        let tag = bits.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = bits
            .find_map(|b| b.trim().strip_prefix("q=").map(str::to_string))
            .and_then(|q| q.parse::<f32>().ok())
            .unwrap_or(1.0);
        let lang = if tag.starts_with("zh") {
            Lang::Zh
        } else if tag.starts_with("en") {
            Lang::En
        } else {
            continue;
        };
        if best.is_none_or(|(bq, _)| q > bq) {
            best = Some((q, lang));
        }
    }
    best.map(|(_, l)| l)
}

/// The account's language, carried from inside the session layer to [`problem_layer`]
/// (which runs outside it, so that it also sees the session layer's own refusals).
#[derive(Debug, Clone, Copy)]
struct AccountLang(Lang);

/// Around the API's routes: notes the signed-in user's language on the response.
pub async fn remember_lang(req: Request, next: Next) -> Response {
    let lang = req
        .extensions()
        .get::<RequestCtx>()
        .and_then(|c| c.session.as_ref().map(|_| c.lang));
    let mut resp = next.run(req).await;
    if let Some(lang) = lang {
        resp.extensions_mut().insert(AccountLang(lang));
    }
    resp
}

/// Around the whole application: every error answered under `/api/` leaves as problem+json
/// in the caller's language. Pages keep their HTML errors.
pub async fn problem_layer(req: Request, next: Next) -> Response {
    if !req.uri().path().starts_with("/api/") {
        return next.run(req).await;
    }
    let asked = accepted(req.headers());
    let from_cookie = cookie(req.headers(), LANG_COOKIE).map(|l| Lang::parse(&l));
    let mut resp = next.run(req).await;
    let status = resp.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return resp;
    }
    let lang = asked
        .or(resp.extensions().get::<AccountLang>().map(|a| a.0))
        .or(from_cookie)
        .unwrap_or(Lang::Zh);
    let draft = match resp.extensions_mut().remove::<Draft>() {
        Some(d) => d,
        None => Draft {
            kind: Kind::of_status(status),
            status,
            detail: None,
            errors: Vec::new(),
        },
    };
    let mut out = draft.render(lang);
    for (name, value) in resp.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            out.headers_mut().append(name.clone(), value.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_errors_name_their_row() {
        let found = rows("第3行 \"用地面积\": 必须大于0\n表头缺少: 企业名称");
        assert_eq!(found[0].row, Some(3));
        assert_eq!(found[1].row, None);
        assert_eq!(found.len(), 2);
    }

    #[test]
    fn accept_language_picks_the_preferred_of_zh_and_en() {
        let h = |v: &str| {
            let mut m = HeaderMap::new();
            m.insert(header::ACCEPT_LANGUAGE, HeaderValue::from_str(v).unwrap());
            m
        };
        assert_eq!(accepted(&h("en-US,en;q=0.9")), Some(Lang::En));
        assert_eq!(accepted(&h("fr, zh-CN;q=0.8, en;q=0.5")), Some(Lang::Zh));
        assert_eq!(accepted(&h("de")), None);
        assert_eq!(accepted(&HeaderMap::new()), None);
    }
}
