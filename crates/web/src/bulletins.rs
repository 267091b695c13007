//! 月度快报 / 季度通报 pages: the office previews a bulletin built from today's approved data,
//! then publishes it (snapshot and files archived); everyone but enterprises reads the
//! published ones and downloads their archived .docx/.xlsx/.html. The printable page is the
//! bulletin's own article with its print CSS, served from this module.

use crate::auth::{Auth, County, Office};
use crate::download;
use crate::form::Form;
use crate::form::Query;
use crate::pages::{PageCtx, render};
use crate::plans::chosen_plan;
use crate::{AppState, WebError};
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use qx_app::bulletin::{self, report};
use qx_core::label::Labelled;
use qx_core::time::format_datetime;
use qx_store::plans::Plan;
use report::{BulletinKind, Snapshot};
use std::collections::HashMap;

type PageResult = Result<Response, WebError>;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/bulletins", get(list))
        .route("/bulletins/bulletin.css", get(css))
        .route("/bulletins/preview", get(preview))
        .route("/bulletins/preview/file", get(preview_file))
        .route("/bulletins/publish", post(publish))
        .route("/bulletins/{id}", get(show))
        .route("/bulletins/{id}/file/{format}", get(file))
}

fn parse_request(
    q: &HashMap<String, String>,
) -> Result<(BulletinKind, qx_core::period::Period), WebError> {
    // No kind asked for is the monthly 快报; one asked for must be a kind.
    let kind = match q.get("kind") {
        None => BulletinKind::Monthly,
        Some(code) => BulletinKind::from_code(code)
            .ok_or_else(|| WebError::BadRequest(format!("类型 \"{code}\" 无效")))?,
    };
    let period = q
        .get("period")
        .map(|p| p.trim().to_string())
        .unwrap_or_default();
    Ok((
        kind,
        bulletin::parse_period(kind, &period).map_err(WebError::from)?,
    ))
}

pub struct BulletinLine {
    id: i64,
    kind: String,
    period: String,
    doc_number: String,
    title: String,
    published_at: String,
    published_by: String,
}

#[derive(Template)]
#[template(path = "bulletins/list.html")]
struct ListPage {
    ctx: PageCtx,
    plan: Option<Plan>,
    bulletins: Vec<BulletinLine>,
    can_publish: bool,
    today: String,
}

async fn list(
    State(state): State<AppState>,
    auth: County,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    let actor = auth.actor();
    let ctx = PageCtx::signed_in(&auth);
    let plan = chosen_plan(&state, &actor, &q).await?;
    let mut bulletins = Vec::new();
    if let Some(p) = &plan {
        for b in state.store.list_bulletins(&actor, p.id).await? {
            bulletins.push(BulletinLine {
                id: b.id,
                kind: b.kind.label(auth.ctx.lang).to_string(),
                period: b.period,
                doc_number: b.doc_number,
                title: b.title,
                published_at: format_datetime(b.published_at),
                published_by: b.published_by_name,
            });
        }
    }
    let page = ListPage {
        can_publish: actor.is_admin(),
        today: qx_core::time::format_date(qx_core::time::today()),
        ctx,
        plan,
        bulletins,
    };
    Ok(render(&page).into_response())
}

#[derive(Template)]
#[template(path = "bulletins/show.html")]
struct ShowPage {
    ctx: PageCtx,
    title: String,
    article: String,
    /// (label, href) of the downloads.
    downloads: Vec<(&'static str, String)>,
    /// Set on a preview: the publish form's fields.
    publish: Option<PublishFields>,
    meta: String,
}

pub struct PublishFields {
    plan_id: i64,
    kind: String,
    period: String,
    issued_on: String,
    /// Why the 成文日期 as typed cannot be used, beside its box.
    issued_on_error: Option<String>,
    /// Reports of the period still waiting for review: publishing asks first (in the page and,
    /// without JS, by coming back here), and the bulletin says how many there were.
    pending: usize,
    /// The warning beside the button (and the browser's confirmation), when `pending > 0`.
    warning: String,
}

impl PublishFields {
    fn new(
        lang: crate::i18n::Lang,
        plan_id: i64,
        kind: BulletinKind,
        period: qx_core::period::Period,
        issued_on: String,
        pending: usize,
    ) -> Self {
        let warning = if pending == 0 {
            String::new()
        } else if lang == crate::i18n::Lang::En {
            format!(
                "{pending} reports of this period are still waiting for review: their figures are not in this bulletin, and the bulletin will say so. Publish anyway?"
            )
        } else {
            format!(
                "本期尚有 {pending} 份报送待审核, 其数据不会计入本期快报通报 (快报中将注明)。确定仍要印发吗?"
            )
        };
        PublishFields {
            plan_id,
            kind: kind.as_str().to_string(),
            period: period.to_string(),
            issued_on,
            issued_on_error: None,
            pending,
            warning,
        }
    }
}

/// The 成文日期 as typed, read by the forms' one date rule (full-width digits allowed): the
/// ISO date, or the message for beside its box.
fn read_issued_on(lang: crate::i18n::Lang, typed: &str) -> Result<String, String> {
    let fields = crate::form::Fields::new(vec![("issued_on".into(), typed.trim().to_string())]);
    let mut errors = crate::form::FieldErrors::new(lang);
    let label = crate::i18n::t(lang, "bul.issued_on");
    match fields.date("issued_on", label, &mut errors) {
        Some(d) => Ok(qx_core::time::format_date(d)),
        None => Err(errors.get("issued_on").unwrap_or_default().to_string()),
    }
}

/// What a preview (page or file) asks for: the plan, the bulletin's kind and period, and the
/// issue date (today unless given). Read once for both handlers.
struct PreviewRequest {
    plan_id: i64,
    kind: BulletinKind,
    period: qx_core::period::Period,
    /// The date the bulletin is drawn with: the one typed, or today when it cannot be read.
    issued_on: String,
    /// What was typed for the date, and why it cannot be used, when it cannot.
    refused_date: Option<(String, String)>,
}

impl PreviewRequest {
    async fn read(
        state: &AppState,
        actor: &qx_core::access::Actor,
        lang: crate::i18n::Lang,
        q: &HashMap<String, String>,
    ) -> Result<Self, WebError> {
        let Some(plan) = chosen_plan(state, actor, q).await? else {
            return Err(WebError::NotFound("工作方案".into()));
        };
        let (kind, period) = parse_request(q)?;
        let typed = q
            .get("issued_on")
            .map(|d| d.trim())
            .filter(|d| !d.is_empty());
        let (issued_on, refused_date) = match typed.map(|d| (d, read_issued_on(lang, d))) {
            None => (qx_core::time::format_date(qx_core::time::today()), None),
            Some((_, Ok(date))) => (date, None),
            Some((d, Err(m))) => (
                qx_core::time::format_date(qx_core::time::today()),
                Some((d.to_string(), m)),
            ),
        };
        Ok(PreviewRequest {
            plan_id: plan.id,
            kind,
            period,
            issued_on,
            refused_date,
        })
    }

    /// The bulletin as it would be issued now.
    async fn snapshot(
        &self,
        state: &AppState,
        actor: &qx_core::access::Actor,
    ) -> Result<Snapshot, WebError> {
        bulletin::build_snapshot(
            &state.store,
            actor,
            self.plan_id,
            self.kind,
            self.period,
            &self.issued_on,
            None,
        )
        .await
        .map_err(WebError::from)
    }
}

async fn preview(
    State(state): State<AppState>,
    auth: Office,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    let actor = auth.actor();
    let req = PreviewRequest::read(&state, &actor, auth.ctx.lang, &q).await?;
    if let Some(b) = state
        .store
        .find_bulletin(&actor, req.plan_id, req.kind, &req.period.to_string())
        .await?
    {
        return Ok(Redirect::to(&format!("/bulletins/{}", b.id)).into_response());
    }
    let snap = req.snapshot(&state, &actor).await?;
    let ctx = PageCtx::signed_in(&auth);
    let query = serde_urlencoded::to_string([
        ("plan", req.plan_id.to_string()),
        ("kind", req.kind.as_str().to_string()),
        ("period", req.period.to_string()),
        ("issued_on", req.issued_on.clone()),
    ])
    .unwrap_or_default();
    let mut publish = PublishFields::new(
        auth.ctx.lang,
        req.plan_id,
        req.kind,
        req.period,
        req.issued_on.clone(),
        snap.pending_reports,
    );
    let refused = req.refused_date.is_some();
    if let Some((typed, message)) = req.refused_date {
        publish.issued_on = typed;
        publish.issued_on_error = Some(message);
    }
    let page = ShowPage {
        title: report::text::title(&snap),
        article: report::html::fragment(&snap),
        downloads: bulletin::FORMATS
            .iter()
            .map(|f| (*f, format!("/bulletins/preview/file?{query}&format={f}")))
            .collect(),
        publish: Some(publish),
        meta: ctx.t.get("bul.preview_note").to_string(),
        ctx,
    };
    // A date that does not read is said beside its box, the bulletin drawn with today's.
    Ok(crate::form::answer(&page, refused))
}

async fn preview_file(
    State(state): State<AppState>,
    auth: Office,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    let actor = auth.actor();
    let req = PreviewRequest::read(&state, &actor, auth.ctx.lang, &q).await?;
    let format = q.get("format").map(String::as_str).unwrap_or("docx");
    let snap = req.snapshot(&state, &actor).await?;
    let (data, name, mime) = bulletin::render(&snap, format).map_err(WebError::from)?;
    Ok(download::attachment(data, &name, mime))
}

#[derive(serde::Deserialize)]
struct PublishForm {
    plan_id: i64,
    kind: String,
    period: String,
    issued_on: String,
    /// "1" once the person has confirmed publishing with reports pending review.
    #[serde(default)]
    confirm: String,
    /// How many reports were pending when they confirmed: more since then asks again.
    #[serde(default)]
    pending_seen: usize,
}

async fn publish(
    State(state): State<AppState>,
    auth: Office,
    Form(f): Form<PublishForm>,
) -> PageResult {
    let kind = BulletinKind::from_code(&f.kind)
        .ok_or_else(|| WebError::BadRequest(format!("类型 \"{}\" 无效", f.kind)))?;
    let period = bulletin::parse_period(kind, f.period.trim()).map_err(WebError::from)?;
    let date = read_issued_on(auth.ctx.lang, &f.issued_on);
    let actor = auth.actor();
    // Reports waiting for review are left out of the bulletin: publishing asks first. A POST
    // that was not confirmed (no JS, or more reports arrived since) shows the preview again
    // with the warning beside the button; a 成文日期 that does not read shows it again with
    // the message beside the date, as typed.
    let plan = state.store.get_plan(&actor, f.plan_id).await?;
    let pending = bulletin::pending_reports(&state.store, &actor, plan.id, period)
        .await
        .map_err(WebError::from)?;
    let unconfirmed = pending > 0 && (f.confirm != "1" || f.pending_seen < pending);
    if unconfirmed || date.is_err() {
        let drawn_on = date
            .clone()
            .unwrap_or_else(|_| qx_core::time::format_date(qx_core::time::today()));
        let snap =
            bulletin::build_snapshot(&state.store, &actor, plan.id, kind, period, &drawn_on, None)
                .await
                .map_err(WebError::from)?;
        let ctx = PageCtx::signed_in(&auth);
        let mut publish = PublishFields::new(
            auth.ctx.lang,
            plan.id,
            kind,
            period,
            f.issued_on.trim().to_string(),
            pending,
        );
        publish.issued_on_error = date.err();
        let refused = publish.issued_on_error.is_some();
        let page = ShowPage {
            title: report::text::title(&snap),
            article: report::html::fragment(&snap),
            downloads: Vec::new(),
            publish: Some(publish),
            meta: ctx.t.get("bul.preview_note").to_string(),
            ctx,
        };
        return Ok(if refused {
            crate::form::invalid(&page)
        } else {
            (axum::http::StatusCode::CONFLICT, render(&page)).into_response()
        });
    }
    let issued_on = date.unwrap_or_default();
    let id = bulletin::publish(&state.store, &actor, f.plan_id, kind, period, &issued_on)
        .await
        .map_err(WebError::from)?;
    // The issue wrote its bulletin.issued deliveries; send them now rather than at the
    // worker's next pass.
    crate::webhook::dispatch(state.store.clone());
    Ok(Redirect::to(&format!("/bulletins/{id}")).into_response())
}

async fn show(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>) -> PageResult {
    let actor = auth.actor();
    let b = state.store.get_bulletin(&actor, id).await?;
    let snap: Snapshot = bulletin::published_snapshot(&state.store, &actor, id)
        .await
        .map_err(WebError::from)?;
    let ctx = PageCtx::signed_in(&auth);
    let page = ShowPage {
        title: b.title.clone(),
        article: report::html::fragment(&snap),
        downloads: bulletin::FORMATS
            .iter()
            .map(|f| (*f, format!("/bulletins/{id}/file/{f}")))
            .collect(),
        publish: None,
        meta: format!(
            "{} · {} {} · {}",
            b.doc_number,
            ctx.t.get("bul.published_at"),
            format_datetime(b.published_at),
            b.published_by_name
        ),
        ctx,
    };
    Ok(render(&page).into_response())
}

async fn file(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, format)): Path<(i64, String)>,
) -> PageResult {
    let f = state
        .store
        .bulletin_file(&auth.actor(), id, &format)
        .await?;
    Ok(download::attachment(f.data, &f.file_name, &f.mime))
}

async fn css() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        report::html::CSS,
    )
        .into_response()
}
