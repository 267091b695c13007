//! 例会 and 督办 over JSON: meetings (a unit those it attends) with agenda and resolutions,
//! 督办 items (a unit its own) with their steps, and a step taken on one (a unit's 签收/办理/
//! 反馈, the office's 复核/销号/退回/催办), checked by the page's own code.

use super::problem::Problem;
use super::{ApiError, ApiResult, PageQuery, page::Page};
use crate::AppState;
use crate::auth::{County, OfficeOrUnit};
use crate::export::ListQuery;
use crate::form::{FieldErrors, Fields, Query};
use crate::meetings::supervision::{STEP_FIELDS, filter, read_step};
use axum::Json;
use axum::extract::{Path, State};
use qx_core::time::today;
use qx_store::meetings::{AgendaItem, Meeting, Resolution, SupervisionEvent, SupervisionItem};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[utoipa::path(get, path = "/api/v1/meetings", tag = "meetings", params(PageQuery),
    responses((status = 200, description = "the meetings the caller may read (a unit those it attends), by id", body = Object,
        example = json!({"items": [{"id": 5, "title": "2017年11月工业强县工作例会", "held_on": "2017-11-28", "status": "minuted"}]})),
        (status = 403, description = "enterprises do not read meetings", body = Problem)))]
pub(super) async fn list(
    State(state): State<AppState>,
    auth: County,
    Query(pq): Query<PageQuery>,
) -> ApiResult<Page<Meeting>> {
    let rows = state.store.list_meetings(&auth.actor()).await?;
    Ok(Json(pq.page(rows, |m| m.id, auth.ctx.lang)?))
}

/// A meeting, its agenda and its resolutions.
#[derive(Debug, Serialize)]
pub struct MeetingDetail {
    pub meeting: Meeting,
    pub agenda: Vec<AgendaItem>,
    pub resolutions: Vec<Resolution>,
}

#[utoipa::path(get, path = "/api/v1/meetings/{id}", tag = "meetings",
    params(("id" = i64, Path, description = "meeting id")),
    responses((status = 200, description = "the meeting with its agenda (and each unit's 情况说明) and 议定事项", body = Object,
        example = json!({"meeting": {"id": 5, "title": "2017年11月工业强县工作例会", "held_on": "2017-11-28"},
            "agenda": [{"id": 9, "text": "规上工业增加值增速低于序时进度", "statement": "已约谈重点企业"}],
            "resolutions": [{"id": 3, "text": "县经信局牵头, 12月10日前完成技改项目验收", "lead_unit_id": 3}]})),
        (status = 404, description = "absent or not the caller's meeting", body = Problem)))]
pub(super) async fn get_meeting(
    State(state): State<AppState>,
    auth: County,
    Path(id): Path<i64>,
) -> ApiResult<MeetingDetail> {
    let actor = auth.actor();
    let meeting = state.store.get_meeting(&actor, id).await?;
    let agenda = state.store.agenda(&actor, id).await?;
    let resolutions = state.store.resolutions(&actor, id).await?;
    Ok(Json(MeetingDetail {
        meeting,
        agenda,
        resolutions,
    }))
}

#[utoipa::path(get, path = "/api/v1/supervision", tag = "meetings",
    params(("unit" = Option<i64>, Query, description = "lead unit id"),
        ("meeting" = Option<i64>, Query, description = "meeting id"),
        ("colour" = Option<String>, Query, description = "red | yellow | blue (三色督办)"),
        ("open" = Option<String>, Query, description = "1: only items not yet 销号"),
        PageQuery),
    responses((status = 200, description = "督办 items the caller may read (a unit those it leads or supports), by id", body = Object,
        example = json!({"items": [{"id": 8, "resolution_id": 3, "meeting_id": 5, "meeting_title": "2017年11月工业强县工作例会",
            "text": "12月10日前完成技改项目验收", "lead_unit_id": 3, "lead_unit_name": "县经信局",
            "support_units": [[7, "县财政局"]], "deadline": "2017-12-10", "status": "handling", "colour": "yellow"}]})),
        (status = 403, description = "enterprises do not read 督办", body = Problem)))]
pub(super) async fn supervision_list(
    State(state): State<AppState>,
    auth: County,
    Query(q): Query<ListQuery>,
    Query(paging): Query<PageQuery>,
) -> ApiResult<Page<SupervisionItem>> {
    let rows = state
        .store
        .list_supervision(&auth.actor(), &filter(&q))
        .await?;
    Ok(Json(paging.page(rows, |s| s.id, auth.ctx.lang)?))
}

/// A 督办 item and the steps taken on it.
#[derive(Debug, Serialize)]
pub struct SupervisionDetail {
    pub item: SupervisionItem,
    pub events: Vec<SupervisionEvent>,
}

#[utoipa::path(get, path = "/api/v1/supervision/{id}", tag = "meetings",
    params(("id" = i64, Path, description = "督办 item id")),
    responses((status = 200, description = "the item and its steps", body = Object,
        example = json!({"item": {"id": 8, "text": "12月10日前完成技改项目验收", "status": "handling"},
            "events": [{"step": "sign", "to_status": "signed", "note": "", "actor": "jxj1", "created_at": 1511913600}]})),
        (status = 404, description = "absent, or a unit neither leads nor supports it", body = Problem)))]
pub(super) async fn supervision_get(
    State(state): State<AppState>,
    auth: County,
    Path(id): Path<i64>,
) -> ApiResult<SupervisionDetail> {
    let actor = auth.actor();
    let item = state.store.get_supervision(&actor, id).await?;
    let events = state.store.supervision_events(&actor, id).await?;
    Ok(Json(SupervisionDetail { item, events }))
}

/// A step on a 督办 item.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"step": "feedback", "note": "12个技改项目已全部验收"}))]
pub struct StepBody {
    /// sign | handle | feedback (the lead unit); review | close | return | urge (the office)
    pub step: String,
    /// Required for handle, feedback and return.
    #[serde(default)]
    pub note: String,
}

#[utoipa::path(post, path = "/api/v1/supervision/{id}/steps", tag = "meetings",
    params(("id" = i64, Path, description = "督办 item id")),
    request_body = StepBody,
    responses((status = 200, description = "the item after the step", body = Object,
        example = json!({"item": {"id": 8, "status": "fed_back"}, "events": [{"step": "feedback", "note": "12个技改项目已全部验收"}]})),
        (status = 403, description = "the step is not the caller's", body = Problem),
        (status = 404, description = "absent or another unit's", body = Problem),
        (status = 422, description = "`step` unknown, a note missing, or the step refused from the item's state", body = Problem)))]
pub(super) async fn supervision_step(
    State(state): State<AppState>,
    auth: OfficeOrUnit,
    Path(id): Path<i64>,
    Json(body): Json<StepBody>,
) -> ApiResult<SupervisionDetail> {
    let lang = auth.ctx.lang;
    let f = Fields::new(vec![("step".into(), body.step), ("note".into(), body.note)]);
    let mut errors = FieldErrors::new(lang);
    let (step, note) = read_step(&f, &mut errors);
    let Some(step) = step.filter(|_| errors.is_empty()) else {
        return Err(ApiError::invalid(&errors));
    };
    let actor = auth.actor();
    let (_, notices) = state
        .store
        .supervision_step(&actor, id, step, &note, today())
        .await
        .map_err(|e| ApiError::naming(e, STEP_FIELDS, lang))?;
    crate::webhook::dispatch_notices(state.store.clone(), notices);
    let item = state.store.get_supervision(&actor, id).await?;
    let events = state.store.supervision_events(&actor, id).await?;
    Ok(Json(SupervisionDetail { item, events }))
}
