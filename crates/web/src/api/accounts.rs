//! The session and the county's registers over JSON: who am I, units, users, the audit log
//! and the working-day calendar.

use super::page::{Paging, keyset};
use super::problem::Problem;
use super::{ApiError, ApiResult, Listed, PageQuery};
use crate::AppState;
use crate::auth::{Auth, Office};
use crate::form::Query;
use axum::Json;
use axum::extract::{Path, State};
use qx_store::audit::AuditQuery;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Who an account is and what it may reach: the fields `/api/v1/me` and `/api/v1/users` share.
#[derive(Serialize, ToSchema)]
pub struct AccountDto {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    /// admin | leader | unit | enterprise
    pub role: String,
    pub unit_id: Option<i64>,
    pub enterprise_id: Option<i64>,
}

impl AccountDto {
    fn of(u: &qx_store::users::User) -> Self {
        AccountDto {
            id: u.id,
            username: u.username.clone(),
            display_name: u.profile.display_name.clone(),
            role: u.profile.role.as_str().into(),
            unit_id: u.profile.unit_id,
            enterprise_id: u.profile.enterprise_id,
        }
    }
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"id": 7, "username": "jxj1", "display_name": "县经信局联络员", "role": "unit", "unit_id": 3,
    "enterprise_id": null, "csrf_token": "k3J…"}))]
pub struct MeDto {
    #[serde(flatten)]
    pub account: AccountDto,
    /// Send as `X-CSRF-Token` on POST/PUT/DELETE.
    pub csrf_token: String,
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"id": 3, "kind": "department", "name": "县经信局", "full_name": "象山县经济和信息化局",
    "region_code": null, "aliases": ["经信局"], "contact": "王五", "phone": "0574-65000000", "active": true}))]
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
#[schema(example = json!({"id": 7, "username": "jxj1", "display_name": "县经信局联络员", "role": "unit",
    "unit_id": 3, "enterprise_id": null, "phone": "", "locked": false}))]
pub struct UserDto {
    #[serde(flatten)]
    pub account: AccountDto,
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
    /// Entries before this sequence number (newest first).
    pub before: Option<i64>,
    /// Rows per page, 1–500 (default 50; without `limit` or `cursor`, the newest 100 as an array).
    pub limit: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/me", tag = "session",
    responses((status = 200, body = MeDto), (status = 401, description = "not signed in")))]
pub(super) async fn me(auth: Auth) -> ApiResult<MeDto> {
    let u = &auth.session.user;
    Ok(Json(MeDto {
        account: AccountDto::of(&u.public()),
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

#[utoipa::path(get, path = "/api/v1/units", tag = "units", params(PageQuery),
    responses((status = 200, description = "every unit, by id: an array, or a page (`items`, `next_cursor`) when `limit` or `cursor` is sent",
        body = [UnitDto], example = json!([{"id": 3, "kind": "department", "name": "县经信局", "full_name": "象山县经济和信息化局",
            "region_code": null, "aliases": ["经信局"], "contact": "王五", "phone": "0574-65000000", "active": true}]))))]
pub(super) async fn units(
    State(state): State<AppState>,
    auth: Auth,
    Query(pq): Query<PageQuery>,
) -> ApiResult<Listed<UnitDto>> {
    let mut aliases: std::collections::HashMap<i64, Vec<String>> = Default::default();
    for (alias, id) in state.store.all_unit_aliases().await? {
        aliases.entry(id).or_default().push(alias);
    }
    let list = state.store.list_units().await?;
    let list: Vec<UnitDto> = list
        .into_iter()
        .map(|u| {
            let a = aliases.remove(&u.id).unwrap_or_default();
            unit_dto(u, a)
        })
        .collect();
    Ok(Json(pq.list(list, |u| u.id, auth.ctx.lang)?))
}

#[utoipa::path(get, path = "/api/v1/units/{id}", tag = "units",
    params(("id" = i64, Path, description = "unit id")),
    responses((status = 200, body = UnitDto), (status = 404)))]
pub(super) async fn unit(
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
        (status = 422, description = "联络员 over 50 or 联系电话 over 30 characters (named in `errors`)", body = Problem),
        (status = 403, description = "not your unit", body = Problem)))]
pub(super) async fn put_unit_contact(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(body): Json<ContactDto>,
) -> ApiResult<UnitDto> {
    state
        .store
        .update_unit_contact(&auth.actor(), id, body.contact.trim(), body.phone.trim())
        .await
        .map_err(|e| {
            ApiError::naming(
                e,
                &[("contact", "联络员"), ("phone", "联系电话")],
                auth.ctx.lang,
            )
        })?;
    let u = state.store.get_unit(id).await?;
    let aliases = state.store.unit_aliases(id).await?;
    Ok(Json(unit_dto(u, aliases)))
}

fn user_dto(u: qx_store::users::User) -> UserDto {
    UserDto {
        account: AccountDto::of(&u),
        locked: u.locked_until.is_some_and(|t| t > qx_store::now()),
        phone: u.profile.phone,
    }
}

#[utoipa::path(get, path = "/api/v1/users", tag = "users", params(PageQuery),
    responses((status = 200, description = "users visible to the caller, by id: an array, or a page when `limit` or `cursor` is sent",
        body = [UserDto], example = json!([{"id": 7, "username": "jxj1", "display_name": "县经信局联络员", "role": "unit",
            "unit_id": 3, "enterprise_id": null, "phone": "", "locked": false}]))))]
pub(super) async fn users(
    State(state): State<AppState>,
    auth: Auth,
    Query(pq): Query<PageQuery>,
) -> ApiResult<Listed<UserDto>> {
    let list = state.store.list_users(&auth.actor()).await?;
    let list = list.into_iter().map(user_dto).collect();
    Ok(Json(pq.list(list, |u| u.account.id, auth.ctx.lang)?))
}

#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users",
    params(("id" = i64, Path, description = "user id")),
    responses((status = 200, body = UserDto), (status = 404, description = "absent or out of scope")))]
pub(super) async fn user(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> ApiResult<UserDto> {
    Ok(Json(user_dto(
        state.store.get_user_scoped(&auth.actor(), id).await?,
    )))
}

#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditParams),
    responses((status = 200, description = "the audit log, newest first: an array, or a page when `limit` or `cursor` is sent",
        body = [AuditDto], example = json!([{"seq": 412, "at": 1512446400, "actor": "admin", "action": "unit.contact",
            "entity": "unit", "entity_id": "3", "before": {"contact": ""}, "after": {"contact": "王五"}, "ip": "127.0.0.1",
            "hash": "9f2c…"}])),
        (status = 403, description = "office only", body = Problem)))]
pub(super) async fn audit(
    State(state): State<AppState>,
    office: Office,
    Query(p): Query<AuditParams>,
) -> ApiResult<Listed<AuditDto>> {
    let paged = p.limit.is_some() || p.cursor.is_some();
    let paging = Paging::<i64>::read(p.limit.as_deref(), p.cursor.as_deref(), office.ctx.lang)?;
    let limit = if paged { paging.limit as i64 + 1 } else { 100 };
    let q = AuditQuery {
        entity: p.entity,
        entity_id: p.entity_id,
        actor: p.actor,
        action_prefix: None,
        // The log runs newest first: a page continues below the last sequence number seen.
        before_seq: paging.after.or(p.before),
        limit,
    };
    let parse = |s: Option<String>| s.and_then(|s| serde_json::from_str(&s).ok());
    let rows: Vec<AuditDto> = state
        .store
        .audit_list(&office.actor(), &q)
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
        .collect();
    if !paged {
        return Ok(Json(Listed::Whole(rows)));
    }
    Ok(Json(Listed::Paged(keyset(rows, paging.limit, |r| r.seq))))
}

#[utoipa::path(get, path = "/api/v1/calendar/{year}", tag = "calendar",
    params(("year" = i32, Path, description = "calendar year"), PageQuery),
    responses((status = 200, description = "holidays and make-up workdays of the year, by day: an array, or a page when `limit` or `cursor` is sent",
        body = [CalendarDayDto], example = json!([{"day": "2017-10-01", "kind": "holiday", "name": "国庆节", "source": "国务院办公厅通知"}]))))]
pub(super) async fn calendar(
    State(state): State<AppState>,
    auth: Auth,
    Path(year): Path<i32>,
    Query(pq): Query<PageQuery>,
) -> ApiResult<Listed<CalendarDayDto>> {
    let days = state
        .store
        .calendar_days(year)
        .await?
        .into_iter()
        .map(|d| CalendarDayDto {
            day: d.day,
            kind: d.kind.as_str().to_string(),
            name: d.name,
            source: d.source,
        })
        .collect();
    Ok(Json(pq.list(days, |d| d.day.clone(), auth.ctx.lang)?))
}
