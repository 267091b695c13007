//! Plans over JSON: the list, one plan with its items, targets, indicators and tasks, and the
//! monitoring picture of a plan at a period (each indicator's value, completion, 序时进度,
//! light and forecast), read through the same cache as the dashboard.

use super::page::Page;
use super::problem::Problem;
use super::{ApiError, ApiResult, PageQuery};
use crate::AppState;
use crate::auth::Auth;
use crate::form::{FieldErrors, Query};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use qx_app::monitoring::Picture;
use qx_core::period::Period;
use qx_store::plans::{Indicator, ItemUnit, Plan, PlanItem, PlanTarget, TaskWithUnits};
use serde::{Deserialize, Serialize};
use std::sync::{Arc, Mutex, Weak};

/// A plan with everything it holds.
#[derive(Debug, Serialize)]
pub struct PlanDetail {
    pub plan: Plan,
    pub items: Vec<ItemWithUnits>,
    pub targets: Vec<PlanTarget>,
    pub indicators: Vec<Indicator>,
    pub tasks: Vec<TaskWithUnits>,
}

/// An item of the plan's tree and its responsible units (lead and support).
#[derive(Debug, Serialize)]
pub struct ItemWithUnits {
    #[serde(flatten)]
    pub item: PlanItem,
    pub units: Vec<ItemUnit>,
}

#[utoipa::path(get, path = "/api/v1/plans", tag = "plans", params(PageQuery),
    responses((status = 200, description = "the plans the caller may read (drafts are the office's), by id", body = Object,
        example = json!({"items": [{"id": 1, "year": 2017, "title": "2017年工业强县工作推进方案", "status": "published"}]})),
        (status = 422, description = "`limit` or `cursor` refused", body = Problem)))]
pub(super) async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Query(pq): Query<PageQuery>,
) -> ApiResult<Page<Plan>> {
    let plans = state.store.list_plans(&auth.actor()).await?;
    Ok(Json(pq.page(plans, |p| p.id, auth.ctx.lang)?))
}

#[utoipa::path(get, path = "/api/v1/plans/{id}", tag = "plans",
    params(("id" = i64, Path, description = "plan id")),
    responses((status = 200, description = "the plan, its item tree with units, targets, indicators and tasks", body = Object,
        example = json!({"plan": {"id": 1, "year": 2017, "status": "published"},
            "items": [{"id": 10, "number": "一、(一)", "text": "规上工业增加值增长8%", "units": [{"unit_id": 3, "role": "lead"}]}],
            "targets": [{"id": 4, "item_id": 10, "value": "8", "unit": "%"}],
            "indicators": [{"id": 2, "name": "规上工业增加值增速", "lead_unit_id": 3}],
            "tasks": [{"task": {"id": 5, "number": "一、(一)1", "title": "推进技改"}, "units": [3]}]})),
        (status = 404, description = "absent, or a draft and the caller not the office", body = Problem)))]
pub(super) async fn get_plan(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> ApiResult<PlanDetail> {
    let actor = auth.actor();
    let plan = state.store.get_plan(&actor, id).await?;
    let items = state
        .store
        .plan_items(&actor, id)
        .await?
        .into_iter()
        .map(|(item, units)| ItemWithUnits { item, units })
        .collect();
    let targets = state.store.plan_targets(&actor, id).await?;
    let indicators = state.store.plan_indicators(&actor, id).await?;
    let tasks = state.store.plan_tasks(&actor, id).await?;
    Ok(Json(PlanDetail {
        plan,
        items,
        targets,
        indicators,
        tasks,
    }))
}

/// Query of `GET /api/v1/plans/{id}/picture`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PictureQuery {
    /// The month, `YYYY-MM`; the dashboard's default (the latest month with figures) when absent.
    pub period: Option<String>,
}

/// The picture and the month it is of.
#[derive(Debug, Serialize)]
pub struct PictureDto<'a> {
    pub period: String,
    #[serde(flatten)]
    pub picture: &'a Picture,
}

/// The picture's JSON, kept while the cache hands out the same picture (as the dashboard
/// keeps its rendered rows): a cached picture of 500 indicators is not serialised again for
/// every request. An entry dies with its picture.
fn picture_json(period: Period, pic: &Arc<Picture>) -> Result<Bytes, ApiError> {
    static KEPT: Mutex<Vec<(Weak<Picture>, Bytes)>> = Mutex::new(Vec::new());
    let mut kept = KEPT.lock().unwrap_or_else(|e| e.into_inner());
    kept.retain(|(w, _)| w.strong_count() > 0);
    if let Some((_, body)) = kept.iter().find(|(w, _)| w.as_ptr() == Arc::as_ptr(pic)) {
        return Ok(body.clone());
    }
    let dto = PictureDto {
        period: period.to_string(),
        picture: pic.as_ref(),
    };
    let body = Bytes::from(serde_json::to_vec(&dto).map_err(anyhow::Error::from)?);
    if kept.len() >= 32 {
        kept.remove(0);
    }
    kept.push((Arc::downgrade(pic), body.clone()));
    Ok(body)
}

#[utoipa::path(get, path = "/api/v1/plans/{id}/picture", tag = "plans",
    params(("id" = i64, Path, description = "plan id"), PictureQuery),
    responses((status = 200, description = "the monitoring picture: every indicator's 1—N月累计 value, completion, 序时进度 \
        (`time_share`), light, reporting state and forecast with its basis; tasks; each unit's punctuality", body = Object,
        example = json!({"period": "2017-11", "indicators": [{"indicator": {"id": 2, "name": "规上工业增加值增速"},
            "value": 8.4, "completion": 105.0, "time_share": 91.7, "light": "green", "reporting": "approved",
            "forecast": {"value": 9.1, "basis": "projection"}}], "tasks": [], "punctuality": []})),
        (status = 404, description = "no such plan for the caller", body = Problem),
        (status = 422, description = "`period` is not YYYY-MM", body = Problem)))]
pub(super) async fn picture(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Query(q): Query<PictureQuery>,
) -> Result<Response, ApiError> {
    let actor = auth.actor();
    let period = match q.period.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(p) => match p.parse::<Period>() {
            Ok(p) => Some(p),
            Err(_) => {
                let mut errs = FieldErrors::new(auth.ctx.lang);
                errs.add("period", crate::i18n::t(auth.ctx.lang, "api.err.period"));
                return Err(ApiError::invalid(&errs));
            }
        },
    };
    let plan = state.store.get_plan(&actor, id).await?;
    let (period, pic) = state
        .picture_cache
        .view(&state.store, &actor, &plan, period)
        .await?;
    let body = picture_json(period, &pic)?;
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}
