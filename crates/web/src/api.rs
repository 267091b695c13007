//! The JSON API (`/api/v1/…`) for what the UI shows, and its OpenAPI document at
//! `/api/openapi.json`. Same session, same scope rules as the pages; state-changing calls
//! need the `X-CSRF-Token` header (the token is in `GET /api/v1/me`).

use crate::auth::{Auth, Office};
use crate::form::Query;
use crate::{AppState, WebError};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use qx_store::audit::AuditQuery;
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

/// Errors as JSON: `{"error": "...", "status": 404}`.
pub struct ApiError(WebError);

impl<E: Into<WebError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = match &self.0 {
            WebError::Login { .. } => StatusCode::UNAUTHORIZED,
            other => other.status(),
        };
        if let WebError::Internal(e) = &self.0 {
            tracing::error!("api internal error: {e:#}");
        }
        let message = match &self.0 {
            WebError::Internal(_) => "internal error".to_string(),
            other => other.to_string(),
        };
        (
            status,
            Json(serde_json::json!({"error": message, "status": status.as_u16()})),
        )
            .into_response()
    }
}

type ApiResult<T> = Result<Json<T>, ApiError>;

#[derive(Serialize, ToSchema)]
pub struct MeDto {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    /// admin | leader | unit | enterprise
    pub role: String,
    pub unit_id: Option<i64>,
    pub enterprise_id: Option<i64>,
    /// Send as `X-CSRF-Token` on POST/PUT/DELETE.
    pub csrf_token: String,
}

#[derive(Serialize, ToSchema)]
pub struct UnitDto {
    pub id: i64,
    /// office | department | zone | town | body | group | enterprise
    pub kind: String,
    pub name: String,
    pub full_name: String,
    pub region_code: Option<String>,
    pub aliases: Vec<String>,
    pub contact: String,
    pub phone: String,
    pub active: bool,
}

#[derive(Serialize, ToSchema)]
pub struct UserDto {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub unit_id: Option<i64>,
    pub enterprise_id: Option<i64>,
    pub phone: String,
    pub locked: bool,
}

#[derive(Serialize, ToSchema)]
pub struct AuditDto {
    pub seq: i64,
    /// Unix seconds.
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub ip: String,
    pub hash: String,
}

#[derive(Serialize, ToSchema)]
pub struct CalendarDayDto {
    /// ISO date.
    pub day: String,
    /// holiday | workday
    pub kind: String,
    pub name: String,
    pub source: String,
}

#[derive(Deserialize, ToSchema, utoipa::IntoParams)]
pub struct AuditParams {
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    pub actor: Option<String>,
    pub before: Option<i64>,
    pub limit: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/me", tag = "session",
    responses((status = 200, body = MeDto), (status = 401, description = "not signed in")))]
async fn me(auth: Auth) -> ApiResult<MeDto> {
    let u = &auth.session.user;
    Ok(Json(MeDto {
        id: u.id,
        username: u.username.clone(),
        display_name: u.display_name.clone(),
        role: u.role().as_str().into(),
        unit_id: u.unit_id,
        enterprise_id: u.enterprise_id,
        csrf_token: auth.ctx.csrf.clone(),
    }))
}

fn unit_dto(u: qx_store::units::Unit, aliases: Vec<String>) -> UnitDto {
    UnitDto {
        id: u.id,
        kind: u.kind.as_str().into(),
        name: u.name,
        full_name: u.full_name,
        region_code: u.region_code,
        aliases,
        contact: u.contact,
        phone: u.phone,
        active: u.active != 0,
    }
}

#[utoipa::path(get, path = "/api/v1/units", tag = "units",
    responses((status = 200, body = [UnitDto])))]
async fn units(State(state): State<AppState>, _auth: Auth) -> ApiResult<Vec<UnitDto>> {
    let mut aliases: std::collections::HashMap<i64, Vec<String>> = Default::default();
    for (alias, id) in state.store.all_unit_aliases().await? {
        aliases.entry(id).or_default().push(alias);
    }
    let list = state.store.list_units().await?;
    Ok(Json(
        list.into_iter()
            .map(|u| {
                let a = aliases.remove(&u.id).unwrap_or_default();
                unit_dto(u, a)
            })
            .collect(),
    ))
}

#[utoipa::path(get, path = "/api/v1/units/{id}", tag = "units",
    params(("id" = i64, Path, description = "unit id")),
    responses((status = 200, body = UnitDto), (status = 404)))]
async fn unit(
    State(state): State<AppState>,
    _auth: Auth,
    Path(id): Path<i64>,
) -> ApiResult<UnitDto> {
    let u = state.store.get_unit(id).await?;
    let aliases = state.store.unit_aliases(id).await?;
    Ok(Json(unit_dto(u, aliases)))
}

#[derive(Deserialize, ToSchema)]
pub struct ContactDto {
    pub contact: String,
    pub phone: String,
}

#[utoipa::path(put, path = "/api/v1/units/{id}/contact", tag = "units",
    params(("id" = i64, Path, description = "unit id")),
    request_body = ContactDto,
    responses((status = 200, body = UnitDto),
        (status = 400, description = "联络员 over 50 or 联系电话 over 30 characters (the message names the field)"),
        (status = 403, description = "not your unit")))]
async fn put_unit_contact(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(body): Json<ContactDto>,
) -> ApiResult<UnitDto> {
    state
        .store
        .update_unit_contact(&auth.actor(), id, body.contact.trim(), body.phone.trim())
        .await?;
    let u = state.store.get_unit(id).await?;
    let aliases = state.store.unit_aliases(id).await?;
    Ok(Json(unit_dto(u, aliases)))
}

fn user_dto(u: qx_store::users::User) -> UserDto {
    UserDto {
        id: u.id,
        role: u.role.as_str().into(),
        locked: u.locked_until.is_some_and(|t| t > qx_store::now()),
        username: u.username,
        display_name: u.display_name,
        unit_id: u.unit_id,
        enterprise_id: u.enterprise_id,
        phone: u.phone,
    }
}

#[utoipa::path(get, path = "/api/v1/users", tag = "users",
    responses((status = 200, description = "users visible to the caller", body = [UserDto])))]
async fn users(State(state): State<AppState>, auth: Auth) -> ApiResult<Vec<UserDto>> {
    let list = state.store.list_users(&auth.actor()).await?;
    Ok(Json(list.into_iter().map(user_dto).collect()))
}

#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users",
    params(("id" = i64, Path, description = "user id")),
    responses((status = 200, body = UserDto), (status = 404, description = "absent or out of scope")))]
async fn user(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> ApiResult<UserDto> {
    Ok(Json(user_dto(
        state.store.get_user_scoped(&auth.actor(), id).await?,
    )))
}

#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditParams),
    responses((status = 200, body = [AuditDto]), (status = 403, description = "office only")))]
async fn audit(
    State(state): State<AppState>,
    _office: Office,
    Query(p): Query<AuditParams>,
) -> ApiResult<Vec<AuditDto>> {
    let q = AuditQuery {
        entity: p.entity,
        entity_id: p.entity_id,
        actor: p.actor,
        action_prefix: None,
        before_seq: p.before,
        limit: p.limit.unwrap_or(100),
    };
    let parse = |s: Option<String>| s.and_then(|s| serde_json::from_str(&s).ok());
    Ok(Json(
        state
            .store
            .audit_list(&q)
            .await?
            .into_iter()
            .map(|r| AuditDto {
                seq: r.seq,
                at: r.at,
                actor: r.actor,
                action: r.action,
                entity: r.entity,
                entity_id: r.entity_id,
                before: parse(r.before_json),
                after: parse(r.after_json),
                ip: r.ip,
                hash: r.hash,
            })
            .collect(),
    ))
}

#[utoipa::path(get, path = "/api/v1/calendar/{year}", tag = "calendar",
    params(("year" = i32, Path, description = "calendar year")),
    responses((status = 200, description = "holidays and make-up workdays of the year", body = [CalendarDayDto])))]
async fn calendar(
    State(state): State<AppState>,
    _auth: Auth,
    Path(year): Path<i32>,
) -> ApiResult<Vec<CalendarDayDto>> {
    Ok(Json(
        state
            .store
            .calendar_days(year)
            .await?
            .into_iter()
            .map(|d| CalendarDayDto {
                day: d.day,
                kind: d.kind,
                name: d.name,
                source: d.source,
            })
            .collect(),
    ))
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Qiangxian (强县) API",
        description = "工业强县工作推进系统 JSON API. Sign in through /login; the session cookie authenticates API calls."
    ),
    paths(
        me,
        units,
        unit,
        put_unit_contact,
        users,
        user,
        audit,
        calendar,
        crate::problems::api::api_list,
        crate::problems::api::api_create,
        crate::problems::api::api_get,
        crate::problems::api::api_step,
        crate::problems::api::api_rates
    ),
    components(schemas(
        MeDto,
        UnitDto,
        UserDto,
        AuditDto,
        CalendarDayDto,
        ContactDto,
        crate::problems::api::ProblemListDto,
        crate::problems::api::ProblemRowDto,
        crate::problems::api::NewProblemDto,
        crate::problems::api::CreatedDto
    ))
)]
pub struct ApiDoc;

async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/openapi.json", get(openapi))
        .route("/api/v1/me", get(me))
        .route("/api/v1/units", get(units))
        .route("/api/v1/units/{id}", get(unit))
        .route(
            "/api/v1/units/{id}/contact",
            axum::routing::put(put_unit_contact),
        )
        .route("/api/v1/users", get(users))
        .route("/api/v1/users/{id}", get(user))
        .route("/api/v1/audit", get(audit))
        .route("/api/v1/calendar/{year}", get(calendar))
}
