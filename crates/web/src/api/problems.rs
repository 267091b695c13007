//! The problems JSON API under `/api/v1/problems` (utoipa-documented).

use super::page::Paging;
use super::problem::Problem;
use super::{ApiError, ApiResult, fields_of};
use crate::AppState;
use crate::auth::{Auth, County};
use crate::form::{FieldErrors, Query};
use crate::problems::intake::new_problem;
use crate::problems::list::{PAGE, list_filter};
use axum::Json;
use axum::extract::{Path, State};
use qx_core::problem::{Category, Tier};
use qx_core::time::today;
use qx_store::problems::{self as sp, ProblemFilter, RateFilter, RateGroup, Step};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Query of `GET /api/v1/problems`: the list page's filters. Unknown codes are ignored.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProblemListParams {
    /// submitted | accepted | assigned | in_progress | returned | answered | rated | closed,
    /// or a group: `open` (every problem not closed or withdrawn), `handling` (assigned or
    /// in_progress: with the handling unit)
    pub status: Option<String>,
    /// Enterprise id.
    pub enterprise: Option<String>,
    /// overdue | near (due by the next working day)
    pub flag: Option<String>,
    /// Text in the title or the enterprise's name (plain substring).
    pub q: Option<String>,
    /// Rows to skip (newest first); `cursor` is the way to page, and wins when both are sent.
    pub offset: Option<String>,
    /// Rows to return, 1–500 (default 50).
    pub limit: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// The filters the list and the rates share (read from the same query string as the rest).
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProblemScope {
    /// Lead unit id.
    pub unit: Option<String>,
    /// town | department | meeting
    pub tier: Option<String>,
    /// land | labour | finance | approval | policy | infrastructure | other
    pub category: Option<String>,
    /// ISO date: submitted on or after.
    pub from: Option<String>,
    /// ISO date: submitted on or before.
    pub to: Option<String>,
}

impl ProblemScope {
    fn pairs(&self) -> [(&'static str, &Option<String>); 5] {
        [
            ("unit", &self.unit),
            ("tier", &self.tier),
            ("category", &self.category),
            ("from", &self.from),
            ("to", &self.to),
        ]
    }

    fn rate_filter(&self) -> RateFilter {
        fn some(v: &Option<String>) -> Option<&str> {
            v.as_deref().map(str::trim).filter(|s| !s.is_empty())
        }
        RateFilter {
            unit_id: some(&self.unit).and_then(|s| s.parse().ok()),
            tier: some(&self.tier).and_then(Tier::parse),
            category: some(&self.category).and_then(Category::parse),
            from: some(&self.from).map(str::to_string),
            to: some(&self.to).map(str::to_string),
        }
    }
}

/// Where a page of the problem list ended: the last id handed out and how many rows came
/// before it then. The list runs newest (highest id) first, so rows added since sit above it.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub(super) struct ListCursor {
    id: i64,
    at: i64,
}

impl ProblemListParams {
    fn filter(&self, scope: &ProblemScope) -> ProblemFilter {
        let q: HashMap<String, String> = [
            ("status", &self.status),
            ("enterprise", &self.enterprise),
            ("flag", &self.flag),
            ("q", &self.q),
            ("offset", &self.offset),
        ]
        .into_iter()
        .chain(scope.pairs())
        .filter_map(|(k, v)| v.clone().map(|v| (k.to_string(), v)))
        .collect();
        let mut f = list_filter(&q);
        f.limit = self
            .limit
            .as_deref()
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(PAGE);
        f
    }
}

/// A line of the problem list.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ProblemRowDto {
    pub id: i64,
    pub title: String,
    pub category: String,
    pub status: String,
    pub tier: String,
    pub enterprise_id: i64,
    pub enterprise_name: String,
    pub lead_unit_id: Option<i64>,
    pub lead_unit_name: String,
    /// ISO date.
    pub submitted_on: String,
    /// ISO date of the running deadline ("" when closed).
    pub due_on: String,
    /// 1 when an extension awaits the office's decision.
    pub extension_pending: i64,
    pub urge_count: i64,
}

impl From<sp::ProblemRow> for ProblemRowDto {
    fn from(r: sp::ProblemRow) -> Self {
        ProblemRowDto {
            id: r.id,
            title: r.title,
            category: r.category.as_str().to_string(),
            status: r.status.as_str().to_string(),
            tier: r.tier.as_str().to_string(),
            enterprise_id: r.enterprise_id,
            enterprise_name: r.enterprise_name,
            lead_unit_id: r.lead_unit_id,
            lead_unit_name: r.lead_unit_name,
            submitted_on: r.submitted_on,
            due_on: r.due_on,
            extension_pending: r.extension_pending,
            urge_count: r.urge_count,
        }
    }
}

/// A page of the list, newest first, and how many match in all.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
#[schema(example = json!({"total": 132, "items": [{"id": 131, "title": "二期用地指标", "category": "land",
    "status": "assigned", "tier": "town", "enterprise_id": 12, "enterprise_name": "宁波某某机械有限公司",
    "lead_unit_id": 21, "lead_unit_name": "石浦镇", "submitted_on": "2017-11-20", "due_on": "2017-12-04",
    "extension_pending": 0, "urge_count": 1}], "next_cursor": "eyJpZCI6MTMxLCJhdCI6MX0"}))]
pub struct ProblemListDto {
    pub total: i64,
    pub items: Vec<ProblemRowDto>,
    /// Send as `cursor` for the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// A problem as the API takes it. Numbers may also be sent as strings.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct NewProblemDto {
    /// Required from the office; an enterprise user submits for its own enterprise.
    pub enterprise_id: Option<i64>,
    /// land | labour | finance | approval | policy | infrastructure | other
    pub category: String,
    pub title: String,
    pub description: String,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    /// Office only: web | visit | hotline | api (default api).
    pub source: Option<String>,
    /// Office only: ISO date received, not after today (default today).
    pub submitted_on: Option<String>,
}

/// The fields of a new problem a store refusal may name ("标题: 不超过100字").
const NEW_FIELDS: &[(&str, &str)] = &[
    ("title", "标题"),
    ("description", "问题描述"),
    ("contact_name", "联系人"),
    ("contact_phone", "联系电话"),
];

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
#[schema(example = json!({"id": 132}))]
pub struct CreatedDto {
    pub id: i64,
}

/// Query of `GET /api/v1/problems/rates`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RateParams {
    /// unit | tier | category: also break the rates down.
    pub group: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/problems", tag = "problems", params(ProblemListParams, ProblemScope),
    responses((status = 200, description = "the problems the caller may see, newest first", body = ProblemListDto),
        (status = 401, description = "not signed in", body = Problem),
        (status = 422, description = "`limit` or `cursor` refused (named in `errors`)", body = Problem)))]
pub(super) async fn api_list(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<ProblemListParams>,
    Query(scope): Query<ProblemScope>,
) -> ApiResult<ProblemListDto> {
    let actor = auth.actor();
    let paging =
        Paging::<ListCursor>::read(q.limit.as_deref(), q.cursor.as_deref(), auth.ctx.lang)?;
    let mut f = q.filter(&scope);
    f.limit = paging.limit as i64;
    let (items, total, at) = match paging.after {
        None => {
            let (items, total) = state.store.list_problems(&actor, &f, today()).await?;
            let at = f.offset + items.len() as i64;
            (items, total, at)
        }
        Some(after) => after_cursor(&state, &actor, f, after).await?,
    };
    let next_cursor = (at < total)
        .then(|| {
            items
                .last()
                .map(|r| Paging::cursor(&ListCursor { id: r.id, at }))
        })
        .flatten();
    Ok(Json(ProblemListDto {
        total,
        items: items.into_iter().map(ProblemRowDto::from).collect(),
        next_cursor,
    }))
}

/// The rows after `after` (lower ids), `f.limit` of them, with the total and the position
/// after the last. The list is read from a little above where the previous page ended, so
/// rows added since (above it) or gone from the filter (moving it up) neither repeat a row
/// nor skip one; rows already handed out are the ones with ids at or above the last one.
async fn after_cursor(
    state: &AppState,
    actor: &qx_core::access::Actor,
    mut f: ProblemFilter,
    after: ListCursor,
) -> Result<(Vec<sp::ProblemRow>, i64, i64), ApiError> {
    let limit = f.limit;
    let window = limit * 3;
    let mut start = (after.at - limit).max(0);
    let (mut rows, mut total) = loop {
        f.offset = start;
        f.limit = window;
        let (rows, total) = state.store.list_problems(actor, &f, today()).await?;
        // The window must begin at or above the last row handed out, or rows moved up past it.
        if start > 0 && rows.first().is_none_or(|r| r.id < after.id) {
            start = (start - window).max(0);
            continue;
        }
        break (rows, total);
    };
    let mut page = Vec::new();
    let mut at = start;
    loop {
        let read = rows.len() as i64;
        for r in rows {
            at += 1;
            if r.id < after.id {
                page.push(r);
                if page.len() as i64 == limit {
                    return Ok((page, total, at));
                }
            }
        }
        if read < window {
            return Ok((page, total, at));
        }
        f.offset = at;
        (rows, total) = state.store.list_problems(actor, &f, today()).await?;
    }
}

#[utoipa::path(post, path = "/api/v1/problems", tag = "problems", request_body = NewProblemDto,
    responses((status = 200, description = "submitted (routed, deadlines set, notices sent)", body = CreatedDto),
        (status = 422, description = "a field is missing or invalid (named in `errors`)", body = Problem),
        (status = 403, description = "only enterprises and the office submit", body = Problem)))]
pub(super) async fn api_create(
    State(state): State<AppState>,
    auth: Auth,
    Json(body): Json<serde_json::Map<String, serde_json::Value>>,
) -> ApiResult<CreatedDto> {
    let actor = auth.actor();
    let fields = fields_of(body);
    let enterprises = if actor.is_admin() && fields.get("enterprise_id").is_empty() {
        state.store.list_enterprises(&actor).await?
    } else {
        Vec::new()
    };
    let mut errors = FieldErrors::new(auth.ctx.lang);
    let new = new_problem(&actor, &fields, true, &enterprises, &mut errors);
    let Some(new) = new.filter(|_| errors.is_empty()) else {
        return Err(ApiError::invalid(&errors));
    };
    let (id, notices) = state
        .store
        .submit_problem(&actor, &new, Vec::new())
        .await
        .map_err(|e| ApiError::naming(e, NEW_FIELDS, auth.ctx.lang))?;
    crate::webhook::dispatch_notices(state.store.clone(), notices);
    Ok(Json(CreatedDto { id }))
}

#[utoipa::path(get, path = "/api/v1/problems/{id}", tag = "problems",
    params(("id" = i64, Path, description = "problem id")),
    responses((status = 200, description = "the problem (`problem`), its 协办 units, timeline (`events`), attachments, \
        the caller's part in it (`party`: office | enterprise | handling_unit, or null) and the enterprise's 企服责任人",
        body = Object, example = json!({"problem": {"id": 131, "title": "二期用地指标", "category": "land", "status": "accepted",
            "tier": "town", "enterprise_id": 12, "submitted_on": "2017-11-20", "accept_due": "2017-11-21"},
            "support_units": [], "events": [{"kind": "accept", "note": "大走访收集", "actor": "admin"}], "attachments": [],
            "party": "office", "service_contact": null})),
        (status = 404, description = "absent or out of the caller's scope", body = Problem)))]
pub(super) async fn api_get(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> ApiResult<sp::ProblemDetail> {
    Ok(Json(state.store.get_problem(&auth.actor(), id).await?))
}

/// The fields of a step a store refusal may name ("说明: 不超过500字").
const STEP_FIELDS: &[(&str, &str)] = &[
    ("note", "说明"),
    ("reason", "理由"),
    ("text", "答复内容"),
    ("comment", "评价意见"),
];

#[utoipa::path(post, path = "/api/v1/problems/{id}/steps", tag = "problems",
    params(("id" = i64, Path, description = "problem id")),
    request_body(content = Object, description = "one handling step, tagged by `action`: \
        accept {note} · assign {tier, lead_unit_id, support_unit_ids, note} · start · return {reason} · \
        request_extension {days, reason} · decide_extension {approve, note} · urge {note} · escalate {reason} · \
        answer {text, resolved} · rate {satisfaction: satisfied | basic | unsatisfied, comment} · redo {reason} · close {note} · \
        withdraw {reason} (the enterprise, before 受理)"),
    responses((status = 200, description = "the problem after the step, as `GET /api/v1/problems/{id}`", body = Object,
        example = json!({"problem": {"id": 131, "title": "二期用地指标", "category": "land", "status": "accepted",
            "tier": "town", "enterprise_id": 12, "submitted_on": "2017-11-20", "accept_due": "2017-11-21"},
            "support_units": [], "events": [{"kind": "accept", "note": "大走访收集", "actor": "admin"}], "attachments": [],
            "party": "office", "service_contact": null})),
        (status = 403, description = "the step is not the caller's to take", body = Problem),
        (status = 422, description = "a field is invalid, or the state machine refuses the step from the current state", body = Problem)))]
pub(super) async fn api_step(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(step): Json<Step>,
) -> ApiResult<sp::ProblemDetail> {
    let actor = auth.actor();
    let notices = state
        .store
        .problem_step(&actor, id, &step, today())
        .await
        .map_err(|e| ApiError::naming(e, STEP_FIELDS, auth.ctx.lang))?;
    crate::webhook::dispatch_notices(state.store.clone(), notices);
    Ok(Json(state.store.get_problem(&actor, id).await?))
}

#[utoipa::path(get, path = "/api/v1/problems/rates", tag = "problems", params(RateParams, ProblemScope),
    responses((status = 200, description = "`overall`: counts (total, answered, overdue_unanswered, answered_on_time, \
        closed, resolved, rated, satisfied, answer_workdays, close_workdays) and 答复率/按时答复率/解决率/满意率 in percent \
        with average working days; `groups`: [key, rates] pairs when `group` is given (unit key \"\" = unassigned; \
        a unit reads the county's figures and, by unit, its own line only)",
        body = Object, example = json!({"overall": {"counts": {"total": 132, "answered": 120, "overdue_unanswered": 2,
            "answered_on_time": 114, "closed": 101, "resolved": 95, "rated": 98, "satisfied": 93}, "answer_rate": 90.9,
            "on_time_rate": 95.0, "resolve_rate": 72.0, "satisfaction_rate": 94.9}, "groups": [["town", {"counts": {"total": 80}}]]})),
        (status = 403, description = "enterprises do not see rates", body = Problem),
        (status = 404, description = "a unit asked for another unit's rates (`unit`)", body = Problem)))]
pub(super) async fn api_rates(
    State(state): State<AppState>,
    auth: County,
    Query(q): Query<RateParams>,
    Query(scope): Query<ProblemScope>,
) -> ApiResult<serde_json::Value> {
    let f = scope.rate_filter();
    let today = today();
    let actor = auth.actor();
    let overall = state.store.problem_rates(&actor, &f, today).await?;
    let group = match q.group.as_deref().map(str::trim) {
        Some("unit") => Some(RateGroup::Unit),
        Some("tier") => Some(RateGroup::Tier),
        Some("category") => Some(RateGroup::Category),
        _ => None,
    };
    let groups = match group {
        Some(g) => state.store.problem_rates_by(&actor, g, &f, today).await?,
        None => Vec::new(),
    };
    Ok(Json(
        serde_json::json!({"overall": overall, "groups": groups}),
    ))
}
