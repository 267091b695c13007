//! 设置 → 消息推送: the endpoints (with the events each wants), the delivery log with every
//! attempt's response, and 重新发送.

use crate::auth::Office;
use crate::form::{FieldErrors, Fields, Query};
use crate::pages::{PageCtx, options, render};
use crate::{AppState, WebError};
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use qx_core::label::{Labelled, Lang};
use qx_core::webhook::{DeliveryStatus, Event, Format};
use qx_store::webhooks::{DeliveryRow, EndpointForm, FieldProblem};
use std::collections::HashMap;

type PageResult = Result<Response, WebError>;

/// How many deliveries the log pages show.
const LOG_LINES: i64 = 100;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/settings/webhooks", get(list).post(create))
        .route("/settings/webhooks/new", get(new))
        .route("/settings/webhooks/{id}", get(edit).post(update))
        .route("/settings/webhooks/{id}/delete", post(delete))
        .route("/settings/webhooks/deliveries/{id}", get(delivery))
        .route("/settings/webhooks/deliveries/{id}/resend", post(resend))
}

/// One line of the log, ready to show.
struct LogLine {
    id: i64,
    endpoint_id: i64,
    endpoint: String,
    event: &'static str,
    message: String,
    status: &'static str,
    status_class: &'static str,
    attempts: i64,
    code: String,
    error: String,
    created: String,
    next: String,
}

fn log_lines(rows: Vec<DeliveryRow>, lang: Lang) -> Vec<LogLine> {
    let fmt = qx_core::time::format_datetime;
    rows.into_iter()
        .map(|r| LogLine {
            id: r.id,
            endpoint_id: r.endpoint_id,
            endpoint: r.endpoint_name,
            event: r.event.label(lang),
            message: r.message,
            status: r.status.label(lang),
            status_class: match r.status {
                DeliveryStatus::Delivered => "green",
                DeliveryStatus::Pending => "yellow",
                DeliveryStatus::Failed => "red",
            },
            attempts: r.attempts,
            code: r.last_code.map(|c| c.to_string()).unwrap_or_default(),
            error: r.last_error,
            created: fmt(r.created_at),
            next: if r.status == DeliveryStatus::Pending {
                fmt(r.next_attempt_at)
            } else {
                String::new()
            },
        })
        .collect()
}

/// One endpoint in the list.
struct EndpointLine {
    id: i64,
    name: String,
    url: String,
    format: &'static str,
    enabled: bool,
    events: String,
    pending: i64,
    failed: i64,
}

#[derive(Template)]
#[template(path = "settings/webhooks.html")]
struct ListPage {
    ctx: PageCtx,
    endpoints: Vec<EndpointLine>,
    log: Vec<LogLine>,
}

async fn list(
    State(state): State<AppState>,
    auth: Office,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    let actor = auth.actor();
    let lang = auth.ctx.lang;
    let flash = [
        ("saved", "wh.saved"),
        ("deleted", "wh.deleted"),
        ("resent", "wh.resent"),
    ]
    .iter()
    .find(|(k, _)| q.contains_key(*k))
    .map(|(_, key)| crate::i18n::t(lang, key).to_string());
    let endpoints = state
        .store
        .list_endpoints(&actor)
        .await?
        .into_iter()
        .map(|e| EndpointLine {
            id: e.id,
            name: e.name,
            url: e.url,
            format: e.format.label(lang),
            enabled: e.enabled,
            events: e
                .events
                .iter()
                .map(|ev| ev.label(lang))
                .collect::<Vec<_>>()
                .join(lang.pick("、", ", ")),
            pending: e.pending,
            failed: e.failed,
        })
        .collect();
    let log = log_lines(state.store.delivery_log(&actor, 0, LOG_LINES).await?, lang);
    let page = ListPage {
        ctx: PageCtx::signed_in(&auth).with_flash(flash),
        endpoints,
        log,
    };
    Ok(render(&page).into_response())
}

#[derive(Template)]
#[template(path = "settings/webhook_form.html")]
struct FormPage {
    ctx: PageCtx,
    /// 0 for a new endpoint.
    id: i64,
    values: Fields,
    errors: FieldErrors,
    formats: Vec<(&'static str, &'static str)>,
    events: Vec<(&'static str, &'static str)>,
    /// The current secret (edit only).
    secret: String,
    log: Vec<LogLine>,
}

impl FormPage {
    fn checked(&self, event: &str) -> bool {
        self.values.has("events", event)
    }
}

fn form_page(
    auth: &Office,
    id: i64,
    values: Fields,
    errors: FieldErrors,
    secret: String,
    log: Vec<LogLine>,
) -> FormPage {
    let lang = auth.ctx.lang;
    FormPage {
        ctx: PageCtx::signed_in(auth),
        id,
        values,
        errors,
        formats: options(Format::ALL, Format::as_str, lang),
        events: options(Event::ALL, Event::as_str, lang),
        secret,
        log,
    }
}

async fn new(auth: Office) -> PageResult {
    let mut values = Fields::default();
    values.set("format", Format::Json.as_str());
    values.set("enabled", "1");
    Ok(render(&form_page(
        &auth,
        0,
        values,
        FieldErrors::new(auth.ctx.lang),
        String::new(),
        Vec::new(),
    ))
    .into_response())
}

async fn edit(State(state): State<AppState>, auth: Office, Path(id): Path<i64>) -> PageResult {
    let actor = auth.actor();
    let e = state.store.get_endpoint(&actor, id).await?;
    let mut pairs = vec![
        ("name".to_string(), e.name),
        ("url".to_string(), e.url),
        ("format".to_string(), e.format.as_str().to_string()),
    ];
    if e.enabled {
        pairs.push(("enabled".into(), "1".into()));
    }
    pairs.extend(
        e.events
            .iter()
            .map(|ev| ("events".into(), ev.as_str().into())),
    );
    let values = Fields::new(pairs);
    let log = log_lines(
        state.store.delivery_log(&actor, id, LOG_LINES).await?,
        auth.ctx.lang,
    );
    let page = form_page(
        &auth,
        id,
        values,
        FieldErrors::new(auth.ctx.lang),
        e.secret,
        log,
    );
    Ok(render(&page).into_response())
}

/// The form as the store takes it, and each problem beside its field.
fn read_form(f: &Fields, lang: Lang) -> (EndpointForm, FieldErrors) {
    let form = EndpointForm {
        name: f.get("name").to_string(),
        url: f.get("url").to_string(),
        secret: f.get("secret").to_string(),
        format: Format::parse(f.get("format")).ok(),
        enabled: !f.get("enabled").is_empty(),
        events: f
            .all("events")
            .into_iter()
            .filter_map(|e| Event::parse(e).ok())
            .collect(),
    };
    let mut errors = FieldErrors::new(lang);
    for problem in form.problems() {
        let key = match problem {
            FieldProblem::Name => "wh.err.name",
            FieldProblem::Url => "wh.err.url",
            FieldProblem::UrlSpace => "wh.err.url_space",
            FieldProblem::Secret => "wh.err.secret",
            FieldProblem::Format => "wh.err.format",
            FieldProblem::Events => "wh.err.events",
        };
        errors.add(problem.field(), crate::i18n::t(lang, key));
    }
    (form, errors)
}

async fn create(State(state): State<AppState>, auth: Office, f: Fields) -> PageResult {
    let (form, mut errors) = read_form(&f, auth.ctx.lang);
    if errors.is_empty() {
        match state.store.create_endpoint(&auth.actor(), &form).await {
            Ok(_) => return Ok(Redirect::to("/settings/webhooks?saved=1").into_response()),
            Err(e) => errors.absorb(e.into(), &[])?,
        }
    }
    let page = form_page(&auth, 0, f, errors, String::new(), Vec::new());
    Ok(crate::form::invalid(&page))
}

async fn update(
    State(state): State<AppState>,
    auth: Office,
    Path(id): Path<i64>,
    f: Fields,
) -> PageResult {
    let actor = auth.actor();
    let before = state.store.get_endpoint(&actor, id).await?;
    let (form, mut errors) = read_form(&f, auth.ctx.lang);
    if errors.is_empty() {
        match state.store.update_endpoint(&actor, id, &form).await {
            Ok(()) => return Ok(Redirect::to("/settings/webhooks?saved=1").into_response()),
            Err(e) => errors.absorb(e.into(), &[])?,
        }
    }
    let log = log_lines(
        state.store.delivery_log(&actor, id, LOG_LINES).await?,
        auth.ctx.lang,
    );
    let page = form_page(&auth, id, f, errors, before.secret, log);
    Ok(crate::form::invalid(&page))
}

async fn delete(State(state): State<AppState>, auth: Office, Path(id): Path<i64>) -> PageResult {
    state.store.delete_endpoint(&auth.actor(), id).await?;
    Ok(Redirect::to("/settings/webhooks?deleted=1").into_response())
}

/// One attempt, ready to show.
struct AttemptLine {
    at: String,
    code: String,
    error: String,
    duration_ms: i64,
}

#[derive(Template)]
#[template(path = "settings/webhook_delivery.html")]
struct DeliveryPage {
    ctx: PageCtx,
    line: LogLine,
    attempts: Vec<AttemptLine>,
}

async fn delivery(State(state): State<AppState>, auth: Office, Path(id): Path<i64>) -> PageResult {
    let actor = auth.actor();
    let row = state.store.get_delivery(&actor, id).await?;
    let attempts = state
        .store
        .delivery_attempts(&actor, id)
        .await?
        .into_iter()
        .map(|a| AttemptLine {
            at: qx_core::time::format_datetime(a.at),
            code: a.status_code.map(|c| c.to_string()).unwrap_or_default(),
            error: a.error,
            duration_ms: a.duration_ms,
        })
        .collect();
    let line = log_lines(vec![row], auth.ctx.lang)
        .pop()
        .ok_or_else(|| WebError::NotFound(format!("推送记录 {id}")))?;
    let page = DeliveryPage {
        ctx: PageCtx::signed_in(&auth),
        line,
        attempts,
    };
    Ok(render(&page).into_response())
}

async fn resend(State(state): State<AppState>, auth: Office, Path(id): Path<i64>) -> PageResult {
    state.store.resend_delivery(&auth.actor(), id).await?;
    crate::webhook::dispatch(state.store.clone());
    Ok(Redirect::to("/settings/webhooks?resent=1").into_response())
}
