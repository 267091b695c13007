//! 企业培育库 over JSON: the pipelines, a pipeline's entries with the page's filters, one
//! entry with its moves, and the 小升规 candidates; the office enters a firm (or a household)
//! on a pipeline and moves an entry, read by the page's move form code and saved by the same
//! store calls.

use super::page::{Page, keyset};
use super::problem::Problem;
use super::{ApiError, ApiResult, PageQuery, fields_of};
use crate::AppState;
use crate::auth::{County, Office};
use crate::cultivation::entries::{filter, pipeline_of};
use crate::cultivation::entry::{MOVE_FIELDS, move_of};
use crate::export::ListQuery;
use crate::form::{FieldErrors, Query};
use axum::Json;
use axum::extract::{Path, State};
use qx_store::cultivation::{Candidate, Entry, EntryRow, Move, NewEntry, Pipeline};
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
    responses((status = 200, description = "the pipeline's entries the caller may read (a town its own, a responsible unit its pipelines'), by id, \
        `limit` at a time after the `cursor`; `next_cursor` while more remain", body = Object,
        example = json!({"items": [{"id": 31, "enterprise_id": 12, "credit_code": "91330225MA2AXXXX0X",
            "name": "宁波某某机械有限公司", "reg_no": "", "town_name": "石浦镇", "industry_code": "3484", "stage_name": "培育对象",
            "status": "active", "entered_on": "2017-03-01", "stage_since": "2017-03-01", "expires_on": "2019-12-31"}],
            "next_cursor": "MzE"})),
        (status = 403, description = "enterprises do not read the 培育库", body = Problem),
        (status = 404, description = "no such pipeline", body = Problem),
        (status = 422, description = "`limit` or `cursor` refused", body = Problem)))]
pub(super) async fn entries(
    State(state): State<AppState>,
    auth: County,
    Query(q): Query<ListQuery>,
    Query(paging): Query<PageQuery>,
) -> ApiResult<Page<EntryRow>> {
    let paging = paging.paging::<i64>(auth.ctx.lang)?;
    let pipeline = pipeline_of(&state, &q).await?;
    let f = filter(&q, pipeline.id);
    let limit = paging.limit as i64;
    let rows = state
        .store
        .cultivation_entries_after(&auth.actor(), &f, paging.after, limit + 1)
        .await?;
    Ok(Json(keyset(rows, paging.limit, |r| r.id)))
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

/// The fields of an entry a store refusal may name, as the API calls them.
const ENTER_FIELDS: &[(&str, &str)] = &[
    ("on_date", "日期"),
    ("stage_id", "阶段"),
    ("evidence", "依据"),
    ("name", "名称"),
    ("certificate_no", "登记信息"),
];

#[utoipa::path(post, path = "/api/v1/cultivation/entries", tag = "cultivation",
    request_body(content = Object, description = "pipeline_id, stage_id, on_date (YYYY-MM-DD, not after today), evidence, \
        certificate_no, and either enterprise_id (a firm of the registry) or name and reg_no (a 个体工商户), with town_id",
        example = json!({"pipeline_id": 1, "enterprise_id": 12, "stage_id": 1, "on_date": "2017-03-01",
            "evidence": "县经信局认定文件 象经信〔2017〕12号"})),
    responses((status = 200, description = "entered (audited, on the entry's timeline); the entry and its moves", body = Object,
        example = json!({"entry": {"id": 31, "pipeline_id": 1, "name": "宁波某某机械有限公司", "status": "active"},
            "moves": [{"to_stage_name": "培育对象", "on": "2017-03-01", "evidence": "县经信局认定文件 象经信〔2017〕12号"}]})),
        (status = 403, description = "only the office enters", body = Problem),
        (status = 422, description = "a field is missing or invalid, or the firm is already on the pipeline (named in `errors`)", body = Problem)))]
pub(super) async fn enter(
    State(state): State<AppState>,
    auth: Office,
    Json(body): Json<serde_json::Map<String, serde_json::Value>>,
) -> ApiResult<EntryDetail> {
    let lang = auth.ctx.lang;
    let t = |k: &'static str| crate::i18n::t(lang, k);
    let f = fields_of(body);
    let mut errors = FieldErrors::new(lang);
    let pipeline = f.number::<i64>("pipeline_id", t("cv.pipeline"), &mut errors);
    let stage = f.number::<i64>("stage_id", t("cv.stage"), &mut errors);
    let firm = f
        .optional_number::<i64>("enterprise_id", t("cv.enterprise"), &mut errors)
        .flatten();
    if firm.is_none() && f.get("enterprise_id").is_empty() && f.get("name").is_empty() {
        errors.required("name", t("cv.enterprise"));
    }
    let date = f.date("on_date", t("cv.on_date"), &mut errors);
    let town = f
        .optional_number::<i64>("town_id", t("cv.town"), &mut errors)
        .flatten();
    let (Some(pipeline), Some(stage_id), Some(date), true) =
        (pipeline, stage, date, errors.is_empty())
    else {
        return Err(ApiError::invalid(&errors));
    };
    if state.store.cultivation_pipeline(pipeline).await.is_err() {
        let message = format!("{}: {}", t("cv.pipeline"), t("api.err.choice"));
        errors.add("pipeline_id", message);
        return Err(ApiError::invalid(&errors));
    }
    let new = NewEntry {
        pipeline_id: pipeline,
        enterprise_id: firm,
        name: f.get("name").to_string(),
        reg_no: f.get("reg_no").to_string(),
        town_id: town,
        stage_id,
        on_date: qx_core::time::format_date(date),
        evidence: f.get("evidence").to_string(),
        certificate_no: f.get("certificate_no").to_string(),
    };
    let actor = auth.actor();
    let id = state
        .store
        .enter_cultivation(&actor, &new)
        .await
        .map_err(|e| ApiError::naming(e, ENTER_FIELDS, lang))?;
    let (entry, moves) = state.store.cultivation_entry(&actor, id).await?;
    Ok(Json(EntryDetail { entry, moves }))
}

#[utoipa::path(post, path = "/api/v1/cultivation/entries/{id}/moves", tag = "cultivation",
    params(("id" = i64, Path, description = "entry id")),
    request_body(content = Object, description = "the move form's fields: kind (advance | back | exit | reenter, or a pipeline's \
        own: above_scale, converted, high_tech, tech_sme, champion, …), to_stage (stage id, where the move names one), on_date (YYYY-MM-DD, not after today nor before \
        the last move), evidence, and what a stage asks for: credit_code (个转企), certificate_no, board and stock_code (上市)",
        example = json!({"kind": "advance", "to_stage": 2, "on_date": "2017-09-30", "evidence": "县统计局月报: 主营业务收入2150万元"})),
    responses((status = 200, description = "moved (audited, on the timeline); the entry and its moves", body = Object,
        example = json!({"entry": {"id": 31, "pipeline_id": 1, "stage_name": "培育对象", "status": "active"},
            "moves": [{"to_stage_name": "培育对象", "on": "2017-03-01"}, {"to_stage_name": "入库企业", "on": "2017-09-30"}]})),
        (status = 403, description = "only the office moves entries", body = Problem),
        (status = 404, description = "no such entry", body = Problem),
        (status = 422, description = "`kind`, `to_stage`, `on_date` or another field refused (named in `errors`)", body = Problem)))]
pub(super) async fn move_entry(
    State(state): State<AppState>,
    auth: Office,
    Path(id): Path<i64>,
    Json(body): Json<serde_json::Map<String, serde_json::Value>>,
) -> ApiResult<EntryDetail> {
    let lang = auth.ctx.lang;
    let f = fields_of(body);
    let mut errors = FieldErrors::new(lang);
    let Some(req) = move_of(&f, &mut errors) else {
        return Err(ApiError::invalid(&errors));
    };
    let actor = auth.actor();
    state
        .store
        .move_cultivation(&actor, id, &req)
        .await
        .map_err(|e| ApiError::naming(e, MOVE_FIELDS, lang))?;
    let (entry, moves) = state.store.cultivation_entry(&actor, id).await?;
    Ok(Json(EntryDetail { entry, moves }))
}
