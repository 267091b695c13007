//! Enterprises and 亩均评价 over JSON: the registry (filters as on `/enterprises`), one
//! enterprise, its yearly facts, evaluation runs and a run's results.

use super::page::Page;
use super::problem::Problem;
use super::{ApiResult, PageQuery};
use crate::AppState;
use crate::auth::Auth;
use crate::enterprises::{RegistryQuery, ResultQuery};
use crate::form::Query;
use axum::Json;
use axum::extract::{Path, State};
use qx_store::enterprises::{EnterpriseDetail, YearFacts};
use qx_store::evaluation::{ResultLine, Run};

#[utoipa::path(get, path = "/api/v1/enterprises", tag = "enterprises", params(RegistryQuery, PageQuery),
    responses((status = 200, description = "the enterprises the caller may read (a town its own, an enterprise itself), by id", body = Object,
        example = json!({"items": [{"id": 12, "credit_code": "91330225MA2AXXXX0X", "name": "宁波某某机械有限公司", "town_id": 21,
            "town_name": "石浦镇", "industry_code": "3484", "scale": "above", "land_mu": 35.2, "address": "", "service_contact": "",
            "service_phone": "", "tags": "专精特新"}], "next_cursor": "MTI"})),
        (status = 422, description = "`limit` or `cursor` refused", body = Problem)))]
pub(super) async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<RegistryQuery>,
    Query(paging): Query<PageQuery>,
) -> ApiResult<Page<EnterpriseDetail>> {
    let f = q.filter(i64::MAX, 0);
    let (rows, _) = state.store.search_enterprises(&auth.actor(), &f).await?;
    Ok(Json(paging.page(rows, |e| e.id, auth.ctx.lang)?))
}

#[utoipa::path(get, path = "/api/v1/enterprises/{id}", tag = "enterprises",
    params(("id" = i64, Path, description = "enterprise id")),
    responses((status = 200, description = "the enterprise", body = Object,
        example = json!({"id": 12, "credit_code": "91330225MA2AXXXX0X", "name": "宁波某某机械有限公司", "town_id": 21,
            "town_name": "石浦镇", "industry_code": "3484", "scale": "above", "land_mu": 35.2, "address": "",
            "service_contact": "", "service_phone": "", "tags": "专精特新"})),
        (status = 404, description = "absent or out of the caller's scope", body = Problem)))]
pub(super) async fn get_enterprise(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> ApiResult<EnterpriseDetail> {
    Ok(Json(
        state.store.enterprise_detail(&auth.actor(), id).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/enterprises/{id}/facts", tag = "enterprises",
    params(("id" = i64, Path, description = "enterprise id")),
    responses((status = 200, description = "the enterprise's yearly facts (亩均 inputs), by year", body = Object,
        example = json!([{"year": 2016, "scale": "above", "land_mu": 35.2, "tax_wan": 812.5, "output_wan": 21034.0,
            "energy_tce": 1520.0, "employees": 210, "rd_wan": 640.0}])),
        (status = 404, description = "absent or out of the caller's scope", body = Problem)))]
pub(super) async fn facts(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> ApiResult<Vec<YearFacts>> {
    Ok(Json(state.store.enterprise_facts(&auth.actor(), id).await?))
}

#[utoipa::path(get, path = "/api/v1/evaluation/runs", tag = "evaluation", params(PageQuery),
    responses((status = 200, description = "亩均评价 runs the caller may read, by id", body = Object,
        example = json!({"items": [{"id": 2, "year": 2016, "scheme_id": 1, "scheme_name": "象山县2016年度亩均效益评价",
            "status": "final", "enterprises": 412, "warnings": "", "publicity_from": "2017-04-01", "publicity_to": "2017-04-07"}]})),
        (status = 422, description = "`limit` or `cursor` refused", body = Problem)))]
pub(super) async fn runs(
    State(state): State<AppState>,
    auth: Auth,
    Query(pq): Query<PageQuery>,
) -> ApiResult<Page<Run>> {
    let runs = state.store.list_runs(&auth.actor()).await?;
    Ok(Json(pq.page(runs, |r| r.id, auth.ctx.lang)?))
}

#[utoipa::path(get, path = "/api/v1/evaluation/runs/{id}/results", tag = "evaluation",
    params(("id" = i64, Path, description = "run id"), ResultQuery, PageQuery),
    responses((status = 200, description = "each enterprise's score, class and per-item values in the run (an enterprise its own), by enterprise id",
        body = Object, example = json!({"items": [{"enterprise_id": 12, "name": "宁波某某机械有限公司", "town_name": "石浦镇",
            "score": 86.4, "class": "A"}]})),
        (status = 404, description = "no such run for the caller", body = Problem)))]
pub(super) async fn run_results(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Query(q): Query<ResultQuery>,
    Query(paging): Query<PageQuery>,
) -> ApiResult<Page<ResultLine>> {
    let rows = state
        .store
        .run_results(&auth.actor(), id, &q.filter(None))
        .await?;
    Ok(Json(paging.page(
        rows,
        |r| r.enterprise_id,
        auth.ctx.lang,
    )?))
}
