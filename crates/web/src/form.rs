//! Forms that keep what was typed: the fields as sent ([`Fields`]), the errors found in them
//! beside the field they belong to ([`FieldErrors`]), and a typed [`Form`] extractor whose
//! refusal is a page in the user's language instead of serde's English.
//!
//! A handler reads [`Fields`] (never refused for its content), parses each value with the
//! helpers here, which record a message per field, and when anything is wrong renders the same
//! form again with the fields and the errors; the template shows each message beside its input:
//!
//! ```text
//! <input name="days" value="{{ values.get("days") }}">
//! {% if let Some(e) = errors.get("days") %}<span class="field-error">{{ e }}</span>{% endif %}
//! {% if let Some(s) = errors.summary() %}<p class="error">{{ s }}</p>{% endif %}
//! {% for e in errors.general() %}<p class="error">{{ e }}</p>{% endfor %}
//! ```
//!
//! A check the store makes (a length limit, a state that moved on) arrives as
//! `WebError::BadRequest`; [`FieldErrors::absorb`] turns it into a message on the form too, so
//! nothing typed is lost whichever layer refused it.

use crate::auth::RequestCtx;
use crate::i18n::{self, Lang};
use crate::{WebError, upload};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use std::str::FromStr;
use time::Date;

/// The form's fields in the order sent (a multi-select sends one pair per choice).
#[derive(Debug, Clone, Default)]
pub struct Fields(Vec<(String, String)>);

impl Fields {
    pub fn new(pairs: Vec<(String, String)>) -> Self {
        Fields(pairs)
    }

    /// The first value sent as `name`, trimmed; empty when absent.
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, v)| v.trim())
    }

    /// Every non-empty value sent as `name` (a multi-select, repeated inputs).
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
            .collect()
    }

    /// Whether `value` is among the values sent as `name` (to keep a multi-select's choices).
    pub fn has(&self, name: &str, value: &str) -> bool {
        self.0.iter().any(|(n, v)| n == name && v.trim() == value)
    }

    /// Sets (or adds) a field, e.g. a value the server resolved from what was typed.
    pub fn set(&mut self, name: &str, value: impl Into<String>) {
        let value = value.into();
        match self.0.iter_mut().find(|(n, _)| n == name) {
            Some(pair) => pair.1 = value,
            None => self.0.push((name.to_string(), value)),
        }
    }

    /// The value, which must not be empty; otherwise "请填写…" beside `name`.
    pub fn required(&self, name: &str, label: &str, errs: &mut FieldErrors) -> String {
        let v = self.get(name);
        if v.is_empty() {
            errs.required(name, label);
        }
        v.to_string()
    }

    /// A number that must be given (full-width digits read as digits): empty is "请填写…",
    /// anything else that does not parse is "…不是有效的数字" with what was typed.
    pub fn number<T: FromStr>(&self, name: &str, label: &str, errs: &mut FieldErrors) -> Option<T> {
        let v = self.get(name);
        if v.is_empty() {
            errs.required(name, label);
            return None;
        }
        let text = qx_core::text::halfwidth(v);
        // Rust reads "inf", "infinity" and "NaN" as floats; no one types them as a figure.
        // Digits, sign, point and an exponent's e are all a number is written with.
        let spelled = text
            .chars()
            .any(|c| c.is_alphabetic() && !matches!(c, 'e' | 'E'));
        let parsed = if spelled { None } else { text.parse().ok() };
        if parsed.is_none() {
            errs.not_a_number(name, label, v);
        }
        parsed
    }

    /// A number that may be left empty (`Some(None)`); `None` when what was typed is not one.
    pub fn optional_number<T: FromStr>(
        &self,
        name: &str,
        label: &str,
        errs: &mut FieldErrors,
    ) -> Option<Option<T>> {
        if self.get(name).is_empty() {
            Some(None)
        } else {
            self.number(name, label, errs).map(Some)
        }
    }

    /// A date as YYYY-MM-DD (full-width digits too), which must be given.
    pub fn date(&self, name: &str, label: &str, errs: &mut FieldErrors) -> Option<Date> {
        let v = self.get(name);
        if v.is_empty() {
            errs.required(name, label);
            return None;
        }
        let parsed = qx_core::time::parse_date(&qx_core::text::halfwidth(v));
        if parsed.is_none() {
            errs.add(
                name,
                fill(
                    i18n::t(errs.lang, "form.not_a_date"),
                    &[("label", label), ("value", v)],
                ),
            );
        }
        parsed
    }

    /// One of a fixed set of codes, read with `parse` (a select's value): a missing or unknown
    /// code is "请选择…".
    pub fn choice<T>(
        &self,
        name: &str,
        label: &str,
        parse: impl Fn(&str) -> Option<T>,
        errs: &mut FieldErrors,
    ) -> Option<T> {
        let parsed = parse(self.get(name));
        if parsed.is_none() {
            errs.add(
                name,
                fill(i18n::t(errs.lang, "form.choose"), &[("label", label)]),
            );
        }
        parsed
    }

    /// A value the page itself wrote (a hidden field: a row's key, the step a button sends),
    /// read with `parse`. One that does not read was not sent by the page (a forged or
    /// hand-edited form): the whole form is refused (400, "form.unreadable"), never a message
    /// beside a field the person cannot see.
    pub fn hidden<T>(
        &self,
        name: &str,
        lang: Lang,
        parse: impl FnOnce(&str) -> Option<T>,
    ) -> Result<T, WebError> {
        parse(self.get(name))
            .ok_or_else(|| WebError::BadRequest(i18n::t(lang, "form.unreadable").to_string()))
    }
}

impl From<Vec<(String, String)>> for Fields {
    fn from(pairs: Vec<(String, String)>) -> Self {
        Fields(pairs)
    }
}

impl From<&upload::Upload> for Fields {
    fn from(up: &upload::Upload) -> Self {
        Fields(up.fields.clone())
    }
}

/// Messages found in a form, each beside its field; one without a field (`general`) is shown
/// above the form.
#[derive(Debug, Clone)]
pub struct FieldErrors {
    lang: Lang,
    list: Vec<(String, String)>,
}

impl FieldErrors {
    pub fn new(lang: Lang) -> Self {
        FieldErrors {
            lang,
            list: Vec::new(),
        }
    }

    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// Records `message` beside `field` (the first message for a field is the one shown).
    /// A message from the store keeps only its half in the form's language
    /// ([`i18n::localise`]).
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        let message = i18n::localise(&message.into(), self.lang);
        self.list.push((field.to_string(), message));
    }

    /// Records a message about the whole form.
    pub fn add_general(&mut self, message: impl Into<String>) {
        self.add("", message);
    }

    /// "请填写{label}" beside `field`.
    pub fn required(&mut self, field: &str, label: &str) {
        let m = fill(i18n::t(self.lang, "form.required"), &[("label", label)]);
        self.add(field, m);
    }

    /// "{label}: "{value}" 不是有效的数字" beside `field`.
    pub fn not_a_number(&mut self, field: &str, label: &str, value: &str) {
        let m = fill(
            i18n::t(self.lang, "form.not_a_number"),
            &[("label", label), ("value", value)],
        );
        self.add(field, m);
    }

    /// The message beside `field`, if any.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.list
            .iter()
            .find(|(f, _)| !f.is_empty() && f == field)
            .map(|(_, m)| m.as_str())
    }

    /// The messages about the whole form.
    pub fn general(&self) -> Vec<&str> {
        self.list
            .iter()
            .filter(|(f, _)| f.is_empty())
            .map(|(_, m)| m.as_str())
            .collect()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The line above a form whose fields carry messages ("已在对应栏目旁标出…"), if any do.
    pub fn summary(&self) -> Option<&'static str> {
        self.list
            .iter()
            .any(|(f, _)| !f.is_empty())
            .then(|| i18n::t(self.lang, "form.fix_below"))
    }

    /// Each message with the field it is about ("" for the whole form), in the order found
    /// (the JSON API's `errors`).
    pub fn entries(&self) -> impl Iterator<Item = (&str, &str)> {
        self.list.iter().map(|(f, m)| (f.as_str(), m.as_str()))
    }

    /// Every message, in the order found (for the JSON API and logs).
    pub fn messages(&self) -> Vec<&str> {
        self.list.iter().map(|(_, m)| m.as_str()).collect()
    }

    /// `Ok` when nothing was found; otherwise the messages as one `WebError::BadRequest` (for
    /// callers with no form to show them on, such as the JSON API).
    pub fn check(&self) -> Result<(), WebError> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(WebError::BadRequest(self.messages().join("; ")))
        }
    }

    /// Keeps a refusal the user can fix (`BadRequest`, which the store's `Invalid` and
    /// `Conflict` become) as a message on the form and answers `Ok`; any other error is
    /// handed back. A message naming a field the form has ("标题: …", or with what was typed
    /// in it, `附件 "x.exe": …`) is shown beside it.
    pub fn absorb(&mut self, e: WebError, fields: &[(&'static str, &str)]) -> Result<(), WebError> {
        match e {
            WebError::BadRequest(m) => {
                let field = fields.iter().find(|(_, label)| {
                    !label.is_empty()
                        && [":", "：", " \""]
                            .iter()
                            .any(|after| m.starts_with(&format!("{label}{after}")))
                });
                match field {
                    Some((name, _)) => self.add(name, m),
                    None => self.add_general(m),
                }
                Ok(())
            }
            other => Err(other),
        }
    }

    /// What a form's step came to: its value when it was done, `None` when it was refused with
    /// a message the user can fix (kept on the form, as [`FieldErrors::absorb`] keeps it, for the
    /// page to be shown again); any other error is handed back.
    pub fn unless_refused<T, E: Into<WebError>>(
        &mut self,
        step: Result<T, E>,
        fields: &[(&'static str, &str)],
    ) -> Result<Option<T>, WebError> {
        match step {
            Ok(done) => Ok(Some(done)),
            Err(e) => self.absorb(e.into(), fields).map(|()| None),
        }
    }
}

/// A form shown again with its errors: the page as rendered, answered 400 (a template that
/// fails still answers 500).
pub fn invalid<T: askama::Template>(page: &T) -> Response {
    shown_again(crate::pages::render(page))
}

/// A form page: 200 as rendered, or when `refused` (it comes back with errors to fix) 400 as
/// [`invalid`] answers. A template that fails answers 500 either way.
pub fn answer<T: askama::Template>(page: &T, refused: bool) -> Response {
    if refused {
        invalid(page)
    } else {
        crate::pages::render(page)
    }
}

/// A rendered form page shown again with its errors: the one rule that such a page answers
/// 400, unless rendering already failed (its 500 stays).
pub fn shown_again(mut page: Response) -> Response {
    if page.status() == axum::http::StatusCode::OK {
        *page.status_mut() = axum::http::StatusCode::BAD_REQUEST;
    }
    page
}

/// Replaces `{name}` in a translated template.
fn fill(template: &str, args: &[(&str, &str)]) -> String {
    args.iter().fold(template.to_string(), |s, (k, v)| {
        s.replace(&format!("{{{k}}}"), v)
    })
}

/// A urlencoded body read into `T`. A body that does not fit (answered 422) (a letter where a number goes, a
/// field missing, a forged POST) is answered with a page in the user's language, never with
/// serde's English; a form a person fills in reads [`Fields`] instead and shows the error on
/// the form.
#[derive(Debug, Clone)]
pub struct Form<T>(pub T);

impl<T, S> FromRequest<S> for Form<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Response> {
        let ctx = req.extensions().get::<RequestCtx>().cloned();
        let api = req.uri().path().starts_with("/api/");
        match axum::Form::<T>::from_request(req, state).await {
            Ok(axum::Form(v)) => Ok(Form(v)),
            Err(rejection) => {
                tracing::debug!("form refused: {rejection}");
                Err(refusal("form.unreadable", ctx.as_ref(), api))
            }
        }
    }
}

/// A query string read into `T`. One that does not fit (a hand-edited `?year=abc`) is answered
/// as [`Form`] answers a body that does not fit: a page (or API error) in the user's language,
/// never axum's English.
#[derive(Debug, Clone)]
pub struct Query<T>(pub T);

impl<T, S> FromRequestParts<S> for Query<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(Query(v)),
            Err(rejection) => {
                tracing::debug!("query refused: {rejection}");
                let ctx = parts.extensions.get::<RequestCtx>();
                let api = parts.uri.path().starts_with("/api/");
                Err(refusal("form.bad_query", ctx, api))
            }
        }
    }
}

impl<S: Send + Sync> FromRequest<S> for Fields {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Response> {
        let Form(pairs) = Form::<Vec<(String, String)>>::from_request(req, state).await?;
        Ok(Fields(pairs))
    }
}

/// The refusal of a body or query string that does not fit: 422, as axum answers it, so a
/// route's status does not change when it moves to these extractors; the message is ours, the
/// text of `message_key` in the reader's language.
fn refusal(message_key: &str, ctx: Option<&RequestCtx>, api: bool) -> Response {
    let lang = ctx.map_or(Lang::Zh, |c| c.lang);
    let e = WebError::BadRequest(i18n::t(lang, message_key).to_string());
    let mut resp = if api {
        crate::api::ApiError::from(e).into_response()
    } else {
        match ctx {
            Some(ctx) => e.into_response_with(ctx),
            None => e.into_response(),
        }
    };
    *resp.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> Fields {
        Fields::new(
            pairs
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect(),
        )
    }

    #[test]
    fn numbers_and_dates_name_the_field_in_chinese() {
        let f = fields(&[("days", "五"), ("on", "2017-13-01"), ("n", "")]);
        let mut errs = FieldErrors::new(Lang::Zh);
        assert_eq!(f.number::<i64>("days", "延期天数", &mut errs), None);
        assert_eq!(f.date("on", "提交日期", &mut errs), None);
        assert_eq!(f.number::<i64>("n", "数量", &mut errs), None);
        assert_eq!(
            f.optional_number::<i64>("absent", "可选", &mut errs),
            Some(None)
        );
        assert!(errs.get("days").unwrap().contains("延期天数"));
        assert!(errs.get("days").unwrap().contains("五"));
        assert!(errs.get("on").unwrap().contains("YYYY-MM-DD"));
        assert!(errs.get("n").unwrap().contains("请填写"));
        assert!(errs.get("absent").is_none());
        assert!(errs.check().is_err());
        let mut en = FieldErrors::new(Lang::En);
        f.number::<i64>("days", "Days", &mut en);
        assert!(en.get("days").unwrap().contains("not a number"));
    }

    /// "inf" and "NaN" parse as floats in Rust; a form refuses them as it refuses "五".
    #[test]
    fn words_that_parse_as_floats_are_not_numbers() {
        let f = fields(&[
            ("a", "inf"),
            ("b", "-Infinity"),
            ("c", "NaN"),
            ("d", "1.5e3"),
        ]);
        let mut errs = FieldErrors::new(Lang::Zh);
        for k in ["a", "b", "c"] {
            assert_eq!(f.number::<f64>(k, "权重", &mut errs), None, "{k}");
            assert!(errs.get(k).unwrap().contains("不是有效的数字"), "{k}");
        }
        assert_eq!(f.number::<f64>("d", "权重", &mut errs), Some(1500.0));
    }

    #[test]
    fn store_refusals_land_beside_their_field_or_above_the_form() {
        let mut errs = FieldErrors::new(Lang::Zh);
        errs.absorb(
            WebError::BadRequest("标题: 不能为空".into()),
            &[("title", "标题")],
        )
        .unwrap();
        errs.absorb(WebError::BadRequest("已受理, 不能撤回".into()), &[])
            .unwrap();
        errs.absorb(
            WebError::BadRequest("附件 \"a.exe\": 只接受 PDF 文件".into()),
            &[("title", "标题"), ("file", "附件")],
        )
        .unwrap();
        assert_eq!(errs.get("title"), Some("标题: 不能为空"));
        assert_eq!(errs.get("file"), Some("附件 \"a.exe\": 只接受 PDF 文件"));
        assert_eq!(errs.general(), vec!["已受理, 不能撤回"]);
        assert!(errs.absorb(WebError::NotFound("x".into()), &[]).is_err());
    }

    #[test]
    fn multi_values_are_kept() {
        let mut f = fields(&[("u", "3"), ("u", " "), ("u", "5")]);
        assert_eq!(f.all("u"), vec!["3", "5"]);
        assert!(f.has("u", "5") && !f.has("u", "4"));
        f.set("x", "1");
        assert_eq!(f.get("x"), "1");
    }
}
