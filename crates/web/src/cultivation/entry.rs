//! One entry: where it stands, its registration details, its dated history, and for the office
//! the move form (晋级, 退回, 出库, 重新入库; confirmed before saving, errors beside the field with
//! what was typed kept).

use super::PageResult;
use super::overview::policy_text;
use crate::AppState;
use crate::auth::{Auth, County, Office};
use crate::form::{FieldErrors, Fields};
use crate::i18n;
use crate::pages::{PageCtx, options, render};
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use qx_core::cultivation::MoveKind;
use qx_core::label::Labelled;
use qx_store::cultivation::{Entry, MoveRequest, Pipeline};

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/cultivation/entries/{id}", get(show))
        .route("/cultivation/entries/{id}/move", post(move_entry))
}

pub struct MoveLine {
    on_date: String,
    kind: &'static str,
    from: String,
    to: String,
    evidence: String,
    by: String,
}

#[derive(Template)]
#[template(path = "cultivation/entry.html")]
struct EntryPage {
    ctx: PageCtx,
    e: Entry,
    pipeline: Pipeline,
    stage: String,
    policy: String,
    status: &'static str,
    expired: bool,
    history: Vec<MoveLine>,
    moves: Vec<(&'static str, &'static str)>,
    is_admin: bool,
    /// The reader may open the firm's card (its code is then a link): a department following
    /// a pipeline reads the entry, not the registry.
    opens_enterprise: bool,
    values: Fields,
    errors: FieldErrors,
    today: String,
}

async fn page(
    state: &AppState,
    auth: &Auth,
    id: i64,
    values: Fields,
    errors: FieldErrors,
) -> PageResult {
    let actor = auth.actor();
    let lang = auth.ctx.lang;
    let (e, history) = state.store.cultivation_entry(&actor, id).await?;
    let pipeline = state.store.cultivation_pipeline(e.pipeline_id).await?;
    let stage = pipeline.stages.iter().find(|s| s.id == e.stage_id);
    let today = qx_core::time::format_date(qx_core::time::today());
    let opens_enterprise = crate::enterprises::opens_card(state, &actor, e.enterprise_id).await;
    let page = EntryPage {
        ctx: PageCtx::signed_in(auth),
        opens_enterprise,
        stage: stage.map(|s| s.name.clone()).unwrap_or_default(),
        policy: stage
            .map(|s| policy_text(&s.policy_text, s.policy_amount_wan.as_deref()))
            .unwrap_or_default(),
        status: e.status.label(lang),
        expired: qx_core::cultivation::has_expired(e.expires_on.as_deref(), qx_core::time::today()),
        history: history
            .into_iter()
            .map(|m| MoveLine {
                on_date: m.on_date,
                kind: m.kind.label(lang),
                from: m.from_stage.unwrap_or_default(),
                to: m.to_stage.unwrap_or_default(),
                evidence: m.evidence,
                by: m.by_user.unwrap_or_default(),
            })
            .collect(),
        moves: options(e.status.moves(), MoveKind::as_str, lang),
        is_admin: actor.is_admin(),
        e,
        pipeline,
        values,
        errors,
        today,
    };
    Ok(render(&page))
}

async fn show(State(state): State<AppState>, auth: County, Path(id): Path<i64>) -> PageResult {
    let mut values = Fields::default();
    values.set(
        "on_date",
        qx_core::time::format_date(qx_core::time::today()),
    );
    page(&state, &auth, id, values, FieldErrors::new(auth.ctx.lang)).await
}

/// The fields of the move form a store refusal may name.
pub(crate) const MOVE_FIELDS: &[(&str, &str)] = &[
    ("on_date", "日期"),
    ("evidence", "依据"),
    ("credit_code", "统一社会信用代码"),
    ("to_stage", "晋级"),
    ("to_stage", "退回"),
    ("to_stage", "重新入库"),
    ("certificate_no", "登记信息"),
];

/// The move form read (the page and the API): the kind and the date are checked here, the
/// rest by the store; `None` with the messages beside the fields.
pub(crate) fn move_of(form: &Fields, errors: &mut FieldErrors) -> Option<MoveRequest> {
    let lang = errors.lang();
    let t = |k: &'static str| i18n::t(lang, k);
    let kind = form.choice("kind", t("cv.move_kind"), MoveKind::from_code, errors);
    let date = form.date("on_date", t("cv.on_date"), errors);
    let (Some(kind), Some(date), true) = (kind, date, errors.is_empty()) else {
        return None;
    };
    Some(MoveRequest {
        kind,
        to_stage_id: form.get("to_stage").parse().ok(),
        on_date: qx_core::time::format_date(date),
        evidence: form.get("evidence").to_string(),
        credit_code: form.get("credit_code").to_string(),
        certificate_no: form.get("certificate_no").to_string(),
        board: form.get("board").to_string(),
        stock_code: form.get("stock_code").to_string(),
    })
}

async fn move_entry(
    State(state): State<AppState>,
    auth: Office,
    Path(id): Path<i64>,
    form: Fields,
) -> PageResult {
    let mut errors = FieldErrors::new(auth.ctx.lang);
    if let Some(req) = move_of(&form, &mut errors) {
        match state.store.move_cultivation(&auth.actor(), id, &req).await {
            Ok(()) => {
                return Ok(Redirect::to(&format!("/cultivation/entries/{id}")).into_response());
            }
            Err(e) => errors.absorb(e.into(), MOVE_FIELDS)?,
        }
    }
    Ok(crate::form::shown_again(
        page(&state, &auth, id, form, errors).await?,
    ))
}
