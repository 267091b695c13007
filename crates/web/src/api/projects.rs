//! 重大项目 and 招商线索 over JSON: the project list with the page's filters, one project
//! with its timeline, entering a project and moving its stage (checked by the form's own
//! code, saved by the same store calls), and the leads.

use super::page::Page;
use super::problem::Problem;
use super::{ApiError, ApiResult, fields_of};
use crate::AppState;
use crate::auth::{OfficeOrUnit, Signed};
use crate::export::ListQuery;
use crate::form::{FieldErrors, Query};
use crate::projects::detail::{MOVE_FIELDS, stage_move_of};
use crate::projects::edit::{FORM_FIELDS, input_of};
use crate::projects::list::filter_of;
use axum::Json;
use axum::extract::{Path, State};
use qx_core::project::Stage;
use qx_core::time::today;
use qx_store::projects::{Lead, ProjectDetail, ProjectRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A page of the project list, and the counts the page shows above it (for the whole
/// filtered list, not the page).
#[derive(Debug, Serialize)]
pub struct ProjectPage {
    #[serde(flatten)]
    pub page: Page<ProjectRow>,
    /// Every stage (中止 last) with its count.
    pub by_stage: Vec<(Stage, usize)>,
    /// Every funnel alert with its count.
    pub alerts: Vec<(qx_core::project::FunnelAlert, usize)>,
}

#[utoipa::path(get, path = "/api/v1/projects", tag = "projects",
    params(("year" = Option<i32>, Query, description = "年度"),
        ("stage" = Option<String>, Query, description = "negotiating | signed | registered | started | producing | halted"),
        ("unit" = Option<i64>, Query, description = "responsible unit id"),
        ("town" = Option<i64>, Query, description = "town id"),
        ("major" = Option<String>, Query, description = "1: 亿元以上 only"),
        ("light" = Option<String>, Query, description = "green | yellow | red"),
        ("leader" = Option<i64>, Query, description = "包干 leader's user id"),
        ("alerted" = Option<String>, Query, description = "1: only projects raising a funnel alert"),
        ("q" = Option<String>, Query, description = "part of the name or the investor"),
        super::PageQuery),
    responses((status = 200, description = "the projects the caller may read (a unit its own, an enterprise those with its credit code), by id; \
        `by_stage` and `alerts` count the whole filtered list", body = Object,
        example = json!({"items": [{"project": {"id": 7, "year": 2017, "name": "年产30万台电机项目", "investor": "某某电机",
            "stage": "started", "total_investment_wan": "52000", "unit_name": "县经信局", "town_name": "石浦镇"}, "light": "green",
            "alerts": []}], "next_cursor": "Nw", "by_stage": [["negotiating", 12], ["signed", 20]], "alerts": [["signed_not_registered", 3]]})),
        (status = 422, description = "`limit` or `cursor` refused", body = Problem)))]
pub(super) async fn list(
    State(state): State<AppState>,
    auth: Signed,
    Query(q): Query<ListQuery>,
    Query(paging): Query<super::PageQuery>,
) -> ApiResult<ProjectPage> {
    let list = state
        .store
        .list_projects(&auth.actor(), &filter_of(&q))
        .await?;
    Ok(Json(ProjectPage {
        page: paging.page(list.rows, |r| r.project.id, auth.ctx.lang)?,
        by_stage: list.by_stage,
        alerts: list.alerts,
    }))
}

#[utoipa::path(get, path = "/api/v1/projects/{id}", tag = "projects",
    params(("id" = i64, Path, description = "project id")),
    responses((status = 200, description = "the project, its light and alerts, and its stage timeline", body = Object,
        example = json!({"project": {"id": 7, "year": 2017, "name": "年产30万台电机项目", "stage": "started",
            "total_investment_wan": "52000", "unit_id": 3, "unit_name": "县经信局"},
            "moves": [{"from": "registered", "to": "started", "on": "2017-06-18", "evidence": "施工许可证", "reason": ""}]})),
        (status = 404, description = "absent or out of the caller's scope", body = Problem)))]
pub(super) async fn get_project(
    State(state): State<AppState>,
    auth: Signed,
    Path(id): Path<i64>,
) -> ApiResult<ProjectDetail> {
    Ok(Json(state.store.project_detail(&auth.actor(), id).await?))
}

/// The id of what a write made.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": 83}))]
pub struct Created {
    pub id: i64,
}

#[utoipa::path(post, path = "/api/v1/projects", tag = "projects",
    request_body(content = Object, description = "the form's fields: year, name, investor, credit_code, capital_kind \
        (domestic | foreign | mixed), source, industry, town_id, total_investment (万元), foreign_contract, annual_plan, \
        completed, land, content, unit_id (the office; a unit's project is its own), contact, leader_user_id (the office), \
        planned_signed, planned_registered, planned_started, planned_producing (YYYY-MM-DD)",
        example = json!({"year": 2017, "name": "年产30万台电机项目", "investor": "某某电机", "capital_kind": "domestic",
            "source": "investment", "industry": "电机制造", "total_investment": "52000", "unit_id": 3, "content": "新建厂房4万平方米"})),
    responses((status = 200, description = "entered at 在谈", body = Created),
        (status = 403, description = "the office and units enter projects", body = Problem),
        (status = 422, description = "a field is missing or invalid (named in `errors`)", body = Problem)))]
pub(super) async fn create(
    State(state): State<AppState>,
    auth: OfficeOrUnit,
    Json(body): Json<serde_json::Map<String, serde_json::Value>>,
) -> ApiResult<Created> {
    let actor = auth.actor();
    let lang = auth.ctx.lang;
    let f = fields_of(body);
    let mut errors = FieldErrors::new(lang);
    let Some(input) = input_of(&actor, &f, None, &mut errors) else {
        return Err(ApiError::invalid(&errors));
    };
    let id = state
        .store
        .create_project(&actor, &input, today())
        .await
        .map_err(|e| ApiError::naming(e, FORM_FIELDS, lang))?;
    Ok(Json(Created { id }))
}

/// A stage move.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"to": "started", "on": "2017-06-18", "evidence": "施工许可证 330225201706180101", "reason": ""}))]
pub struct StageBody {
    /// negotiating | signed | registered | started | producing | halted
    pub to: String,
    /// The day the stage was reached (YYYY-MM-DD).
    pub on: String,
    #[serde(default)]
    pub evidence: String,
    /// 中止's reason, or the office's reason for a move out of order.
    #[serde(default)]
    pub reason: String,
}

#[utoipa::path(post, path = "/api/v1/projects/{id}/stage", tag = "projects",
    params(("id" = i64, Path, description = "project id")),
    request_body = StageBody,
    responses((status = 200, description = "moved (audited, on the timeline, the unit and the 包干 leader notified)", body = Object,
        example = json!({"project": {"id": 7, "stage": "started"}, "moves": [{"to": "started", "on": "2017-06-18"}]})),
        (status = 403, description = "not the office nor the project's unit", body = Problem),
        (status = 404, description = "absent or out of the caller's scope", body = Problem),
        (status = 422, description = "`to` or `on` invalid, a move out of order without the office's reason, 中止 without a reason", body = Problem)))]
pub(super) async fn move_stage(
    State(state): State<AppState>,
    auth: OfficeOrUnit,
    Path(id): Path<i64>,
    Json(body): Json<StageBody>,
) -> ApiResult<ProjectDetail> {
    let lang = auth.ctx.lang;
    let f = crate::form::Fields::new(vec![
        ("to".into(), body.to),
        ("on".into(), body.on),
        ("evidence".into(), body.evidence),
        ("reason".into(), body.reason),
    ]);
    let mut errors = FieldErrors::new(lang);
    let Some(m) = stage_move_of(&f, &mut errors) else {
        return Err(ApiError::invalid(&errors));
    };
    let actor = auth.actor();
    let notices = state
        .store
        .move_project(&actor, id, &m)
        .await
        .map_err(|e| ApiError::naming(e, MOVE_FIELDS, lang))?;
    crate::webhook::dispatch_notices(state.store.clone(), notices);
    Ok(Json(state.store.project_detail(&actor, id).await?))
}

#[utoipa::path(get, path = "/api/v1/leads", tag = "projects", params(super::PageQuery),
    responses((status = 200, description = "招商线索 the caller may read (the office all, others their own), by id", body = Object,
        example = json!({"items": [{"id": 4, "title": "某新能源电池项目", "status": "pending", "submitted_by": 7}]})),
        (status = 422, description = "`limit` or `cursor` refused", body = Problem)))]
pub(super) async fn leads(
    State(state): State<AppState>,
    auth: Signed,
    Query(pq): Query<super::PageQuery>,
) -> ApiResult<Page<Lead>> {
    let leads = state.store.list_leads(&auth.actor(), None).await?;
    Ok(Json(pq.page(leads, |l| l.id, auth.ctx.lang)?))
}

#[utoipa::path(get, path = "/api/v1/leads/{id}", tag = "projects",
    params(("id" = i64, Path, description = "lead id")),
    responses((status = 200, description = "the lead", body = Object,
        example = json!({"id": 4, "title": "某新能源电池项目", "status": "pending", "submitted_by": 7})),
        (status = 404, description = "absent or out of the caller's scope", body = Problem)))]
pub(super) async fn lead(
    State(state): State<AppState>,
    auth: Signed,
    Path(id): Path<i64>,
) -> ApiResult<Lead> {
    Ok(Json(state.store.get_lead(&auth.actor(), id).await?))
}

/// Query of `GET /api/v1/periods/{id}/dispatch`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DispatchParams {
    /// The responsible unit's id (a unit's own when absent; the office and leaders name one).
    pub unit: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/periods/{id}/dispatch", tag = "projects",
    params(("id" = i64, Path, description = "reporting period id"), DispatchParams),
    responses((status = 200, description = "the unit's projects that report in the period, each with its 调度 figures \
        (written through the unit's report of the period, `PUT /api/v1/periods/{id}/report`; counted once approved)",
        body = Object, example = json!([{"project_id": 7, "name": "年产30万台电机项目", "stage": "started",
            "annual_plan_wan": 20000.0, "completed_wan": 12500.0, "report": {"project_id": 7, "invested_wan": 1500.0,
            "foreign_wusd": null, "domestic_wan": 1500.0, "progress": "主体厂房结顶", "progress_pct": 60.0, "blockers": ""},
            "problem_id": null}])),
        (status = 403, description = "enterprises do not report 调度", body = Problem),
        (status = 404, description = "no such period, or another unit's", body = Problem),
        (status = 422, description = "`unit` missing (the office and leaders) or not a number", body = Problem)))]
pub(super) async fn dispatch(
    State(state): State<AppState>,
    auth: crate::auth::County,
    Path(id): Path<i64>,
    Query(q): Query<DispatchParams>,
) -> ApiResult<Vec<qx_store::projects::DispatchLine>> {
    let lang = auth.ctx.lang;
    let actor = auth.actor();
    let f = crate::form::Fields::new(
        q.unit
            .into_iter()
            .map(|u| ("unit".to_string(), u.trim().to_string()))
            .collect(),
    );
    let mut errors = FieldErrors::new(lang);
    let unit = match (f.get("unit").is_empty(), actor.unit_id) {
        (true, Some(own)) if !actor.reads_all() => Some(own),
        _ => f.number::<i64>("unit", crate::i18n::t(lang, "api.pj.unit"), &mut errors),
    };
    let Some(unit) = unit else {
        return Err(ApiError::invalid(&errors));
    };
    Ok(Json(state.store.dispatch_lines(&actor, id, unit).await?))
}
