//! 招商线索 writes over JSON: anyone signed in submits a lead; the office accepts or rejects
//! it, names the follow-up unit and records the reward decision. Read by the page's own form
//! code (`projects::leads`), saved by the same store calls, so the same checks and notices.

use super::problem::Problem;
use super::projects::Created;
use super::{ApiError, ApiResult, fields_of};
use crate::AppState;
use crate::auth::{Office, Signed};
use crate::form::FieldErrors;
use crate::projects::leads::{DECIDE_FIELDS, LEAD_FIELDS, decision_of, lead_of};
use axum::Json;
use axum::extract::{Path, State};
use qx_store::projects::Lead;

type Body = Json<serde_json::Map<String, serde_json::Value>>;

#[utoipa::path(post, path = "/api/v1/leads", tag = "projects",
    request_body(content = Object, description = "the lead form's fields: investor, industry, intended (意向投资, 万元), \
        contact, found_by (线索提供人), note",
        example = json!({"investor": "某新能源科技有限公司", "industry": "锂电池材料", "intended": "30000",
            "contact": "王经理 13800000000", "found_by": "县商务局 李某", "note": "有意在经济开发区落地"})),
    responses((status = 200, description = "submitted (audited; the office is told)", body = Created),
        (status = 422, description = "a field is missing or invalid (named in `errors`)", body = Problem)))]
pub(super) async fn create(
    State(state): State<AppState>,
    auth: Signed,
    Json(body): Body,
) -> ApiResult<Created> {
    let lang = auth.ctx.lang;
    let f = fields_of(body);
    let mut errors = FieldErrors::new(lang);
    let Some(new) = lead_of(&f, &mut errors) else {
        return Err(ApiError::invalid(&errors));
    };
    let id = state
        .store
        .submit_lead(&auth.actor(), &new)
        .await
        .map_err(|e| ApiError::naming(e, LEAD_FIELDS, lang))?;
    Ok(Json(Created { id }))
}

#[utoipa::path(post, path = "/api/v1/leads/{id}/decision", tag = "projects",
    params(("id" = i64, Path, description = "lead id")),
    request_body(content = Object, description = "the office's decision: decision (accept | reject), follow_unit_id \
        (required to accept; the unit is told), reward (奖励意见), decision_note",
        example = json!({"decision": "accept", "follow_unit_id": 3, "reward": "按招商引资奖励办法给予线索奖励",
            "decision_note": "交经济开发区对接"})),
    responses((status = 200, description = "decided (audited before and after); the lead as `GET /api/v1/leads/{id}`",
        body = Object, example = json!({"id": 4, "investor": "某新能源科技有限公司", "status": "accepted",
            "follow_unit_id": 3, "follow_unit_name": "县经信局", "reward": "按招商引资奖励办法给予线索奖励"})),
        (status = 403, description = "only the office decides", body = Problem),
        (status = 404, description = "no such lead", body = Problem),
        (status = 422, description = "a field is missing or invalid, or the lead is already decided (named in `errors`)", body = Problem)))]
pub(super) async fn decide(
    State(state): State<AppState>,
    auth: Office,
    Path(id): Path<i64>,
    Json(body): Body,
) -> ApiResult<Lead> {
    let lang = auth.ctx.lang;
    let f = fields_of(body);
    let mut errors = FieldErrors::new(lang);
    let Some(d) = decision_of(&f, &mut errors).filter(|_| errors.is_empty()) else {
        return Err(ApiError::invalid(&errors));
    };
    let actor = auth.actor();
    state
        .store
        .decide_lead(&actor, id, &d)
        .await
        .map_err(|e| ApiError::naming(e, DECIDE_FIELDS, lang))?;
    Ok(Json(state.store.get_lead(&actor, id).await?))
}
