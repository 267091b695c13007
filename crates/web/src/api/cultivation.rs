//! 企业培育库 over JSON: the pipelines, a pipeline's entries with the page's filters, one
//! entry with its moves, and the 小升规 candidates.

use super::page::Page;
use super::problem::Problem;
use super::{ApiResult, PageQuery};
use crate::AppState;
use crate::auth::County;
use crate::cultivation::entries::{filter, pipeline_of};
use crate::export::ListQuery;
use crate::form::Query;
use axum::Json;
use axum::extract::{Path, State};
use qx_store::cultivation::{Candidate, Entry, EntryRow, Move, Pipeline};
use serde::Serialize;

#[utoipa::path(get, path = "/api/v1/cultivation/pipelines", tag = "cultivation",
    responses((status = 200, description = "every pipeline with its ordered stages (policies, milestones)", body = Object,
        example = json!([{"id": 1, "code": "xsg", "name": "小升规", "criteria": "主营业务收入2000万元以上",
            "responsible_unit_id": 3, "responsible_unit_name": "县经信局",
            "stages": [{"id": 1, "name": "培育对象", "ordinal": 1, "policy": "", "milestone": false}]}])),
        (status = 403, description = "enterprises do not read the 培育库", body = Problem)))]
pub(super) async fn pipelines(
    State(state): State<AppState>,
    _auth: County,
) -> ApiResult<Vec<Pipeline>> {
    Ok(Json(state.store.cultivation_pipelines().await?))
}

#[utoipa::path(get, path = "/api/v1/cultivation/entries", tag = "cultivation",
    params(("pipeline" = Option<i64>, Query, description = "pipeline id (the first, 小升规, when absent)"),
        ("stage" = Option<i64>, Query, description = "stage id"),
        ("town" = Option<i64>, Query, description = "town id"),
        ("industry" = Option<String>, Query, description = "industry code prefix"),
        ("status" = Option<String>, Query, description = "active | graduated | withdrawn | expired (active when absent)"),
        ("q" = Option<String>, Query, description = "part of the name or the credit code"),
        PageQuery),
    responses((status = 200, description = "the pipeline's entries the caller may read (a town its own, a responsible unit its pipelines'), by id",
        body = Object, example = json!({"items": [{"id": 31, "enterprise_id": 12, "credit_code": "91330225MA2AXXXX0X",
            "name": "宁波某某机械有限公司", "reg_no": "", "town_name": "石浦镇", "industry_code": "3484", "stage_name": "培育对象",
            "status": "active", "entered_on": "2017-03-01", "stage_since": "2017-03-01", "expires_on": "2019-12-31"}]})),
        (status = 403, description = "enterprises do not read the 培育库", body = Problem),
        (status = 404, description = "no such pipeline", body = Problem)))]
pub(super) async fn entries(
    State(state): State<AppState>,
    auth: County,
    Query(q): Query<ListQuery>,
) -> ApiResult<Page<EntryRow>> {
    let paging = PageQuery {
        limit: q.get("limit").cloned(),
        cursor: q.get("cursor").cloned(),
    };
    let pipeline = pipeline_of(&state, &q).await?;
    let mut f = filter(&q, pipeline.id);
    f.offset = 0;
    f.limit = i64::MAX;
    let (rows, _) = state.store.cultivation_entries(&auth.actor(), &f).await?;
    Ok(Json(paging.page(rows, |r| r.id, auth.ctx.lang)?))
}

/// An entry and its dated moves.
#[derive(Debug, Serialize)]
pub struct EntryDetail {
    pub entry: Entry,
    pub moves: Vec<Move>,
}

#[utoipa::path(get, path = "/api/v1/cultivation/entries/{id}", tag = "cultivation",
    params(("id" = i64, Path, description = "entry id")),
    responses((status = 200, description = "the entry and its timeline", body = Object,
        example = json!({"entry": {"id": 31, "pipeline_id": 1, "name": "宁波某某机械有限公司", "status": "active"},
            "moves": [{"to_stage_name": "培育对象", "on": "2017-03-01", "evidence": "经信局认定文件"}]})),
        (status = 404, description = "absent or out of the caller's scope", body = Problem)))]
pub(super) async fn entry(
    State(state): State<AppState>,
    auth: County,
    Path(id): Path<i64>,
) -> ApiResult<EntryDetail> {
    let (entry, moves) = state.store.cultivation_entry(&auth.actor(), id).await?;
    Ok(Json(EntryDetail { entry, moves }))
}

#[utoipa::path(get, path = "/api/v1/cultivation/candidates", tag = "cultivation", params(PageQuery),
    responses((status = 200, description = "小升规 candidates from the latest yearly facts over the office's floor (firms past 2000万 flagged), by enterprise id",
        body = Object, example = json!({"items": [{"enterprise_id": 12, "name": "宁波某某机械有限公司", "credit_code": "91330225MA2AXXXX0X",
            "revenue_wan": 1860.0, "past_threshold": false}]})),
        (status = 403, description = "enterprises do not read the 培育库", body = Problem)))]
pub(super) async fn candidates(
    State(state): State<AppState>,
    auth: County,
    Query(pq): Query<PageQuery>,
) -> ApiResult<Page<Candidate>> {
    let rows = state.store.cultivation_candidates(&auth.actor()).await?;
    Ok(Json(pq.page(rows, |c| c.enterprise_id, auth.ctx.lang)?))
}
