//! Accounts: the list, an account's page, new accounts, password resets and locks.

use crate::auth::{Auth, County, Office};
use crate::i18n::Lang;
use crate::pages::{PageCtx, flash_from, hash_blocking, render, role_label};
use crate::{AppState, WebError};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use qx_core::access::{Actor, Role, check_password_strength};
use qx_store::users::NewUser;
use serde::Deserialize;
use std::collections::HashMap;

type PageResult = Result<Response, WebError>;

pub struct UserLine {
    pub(crate) id: i64,
    pub(crate) username: String,
    pub(crate) display_name: String,
    pub(crate) role_label: &'static str,
    pub(crate) unit_name: String,
    pub(crate) phone: String,
    pub(crate) locked: bool,
}

pub(crate) fn user_line(lang: Lang, u: qx_store::users::User, unit_name: &str) -> UserLine {
    UserLine {
        id: u.id,
        role_label: role_label(lang, u.role),
        locked: u.locked_until.is_some_and(|t| t > qx_store::now()),
        username: u.username,
        display_name: u.display_name,
        unit_name: unit_name.to_string(),
        phone: u.phone,
    }
}

#[derive(Template)]
#[template(path = "users/list.html")]
struct UsersPage {
    ctx: PageCtx,
    users: Vec<UserLine>,
    is_admin: bool,
}

async fn unit_names(state: &AppState) -> Result<HashMap<i64, String>, WebError> {
    Ok(state
        .store
        .list_units()
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect())
}

/// The accounts `actor` may see, as the list shows them (and its export).
pub(crate) async fn user_lines(
    state: &AppState,
    actor: &Actor,
    lang: Lang,
) -> Result<Vec<UserLine>, WebError> {
    let names = unit_names(state).await?;
    Ok(state
        .store
        .list_users(actor)
        .await?
        .into_iter()
        .map(|u| {
            let unit = u
                .unit_id
                .and_then(|id| names.get(&id).cloned())
                .unwrap_or_default();
            user_line(lang, u, &unit)
        })
        .collect())
}

pub async fn users_list(State(state): State<AppState>, auth: County) -> PageResult {
    let actor = auth.actor();
    let page = UsersPage {
        ctx: PageCtx::signed_in(&auth),
        users: user_lines(&state, &actor, auth.ctx.lang).await?,
        is_admin: actor.is_admin(),
    };
    Ok(render(&page).into_response())
}

#[derive(Template)]
#[template(path = "users/detail.html")]
struct UserPage {
    ctx: PageCtx,
    user: UserLine,
    is_admin: bool,
}

pub async fn user_detail(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    let actor = auth.actor();
    let user = state.store.get_user_scoped(&actor, id).await?;
    let names = unit_names(&state).await?;
    let unit = user
        .unit_id
        .and_then(|id| names.get(&id).cloned())
        .unwrap_or_default();
    let lang = auth.ctx.lang;
    let page = UserPage {
        ctx: PageCtx::signed_in(&auth).with_flash(flash_from(&q, lang)),
        user: user_line(lang, user, &unit),
        is_admin: actor.is_admin(),
    };
    Ok(render(&page).into_response())
}

#[derive(Template)]
#[template(path = "users/new.html")]
struct UserNewPage {
    ctx: PageCtx,
    roles: Vec<(&'static str, &'static str)>,
    units: Vec<(i64, String)>,
    enterprises: Vec<(i64, String)>,
}

pub async fn user_new(State(state): State<AppState>, auth: Office) -> PageResult {
    let actor = auth.actor();
    let lang = auth.ctx.lang;
    let page = UserNewPage {
        ctx: PageCtx::signed_in(&auth),
        roles: Role::ALL
            .iter()
            .map(|r| (r.as_str(), role_label(lang, *r)))
            .collect(),
        units: state
            .store
            .list_units()
            .await?
            .into_iter()
            .map(|u| (u.id, u.name))
            .collect(),
        enterprises: state
            .store
            .list_enterprises(&actor)
            .await?
            .into_iter()
            .map(|e| (e.id, e.name))
            .collect(),
    };
    Ok(render(&page).into_response())
}

#[derive(Deserialize)]
pub struct UserForm {
    username: String,
    display_name: String,
    role: String,
    #[serde(default)]
    unit_id: String,
    #[serde(default)]
    enterprise_id: String,
    #[serde(default)]
    phone: String,
    password: String,
}

fn optional_id(field: &str, s: &str) -> Result<Option<i64>, WebError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    s.parse()
        .map(Some)
        .map_err(|_| WebError::BadRequest(format!("{field}: \"{s}\" 不是有效编号")))
}

pub async fn user_create(
    State(state): State<AppState>,
    auth: Office,
    Form(form): Form<UserForm>,
) -> PageResult {
    let role = Role::parse(&form.role).ok_or_else(|| {
        WebError::BadRequest(format!("角色 \"{}\" 无效 (unknown role)", form.role))
    })?;
    check_password_strength(&form.password)
        .map_err(|m| WebError::BadRequest(format!("密码: {m}")))?;
    if form.display_name.trim().is_empty() {
        return Err(WebError::BadRequest(
            "姓名不能为空 (name is required)".into(),
        ));
    }
    let hash = hash_blocking(form.password.clone()).await?;
    let new = NewUser {
        username: form.username.trim().to_string(),
        display_name: form.display_name.trim().to_string(),
        role,
        unit_id: optional_id("unit_id", &form.unit_id)?,
        enterprise_id: optional_id("enterprise_id", &form.enterprise_id)?,
        phone: form.phone.trim().to_string(),
        password_hash: hash,
    };
    let id = state.store.create_user(&auth.actor(), &new).await?;
    Ok(Redirect::to(&format!("/users/{id}?saved=1")).into_response())
}

#[derive(Deserialize)]
pub struct ResetForm {
    password: String,
}

pub async fn user_reset_password(
    State(state): State<AppState>,
    auth: Office,
    Path(id): Path<i64>,
    Form(form): Form<ResetForm>,
) -> PageResult {
    check_password_strength(&form.password)
        .map_err(|m| WebError::BadRequest(format!("密码: {m}")))?;
    let hash = hash_blocking(form.password).await?;
    // Resetting one's own password here keeps this session; every other session ends.
    let keep = (id == auth.session.user.id).then_some(auth.session.token_hash.as_str());
    state
        .store
        .set_password(&auth.actor(), id, &hash, keep)
        .await?;
    Ok(Redirect::to(&format!("/users/{id}?saved=1")).into_response())
}

#[derive(Deserialize)]
pub struct LockForm {
    locked: String,
}

pub async fn user_lock(
    State(state): State<AppState>,
    auth: Office,
    Path(id): Path<i64>,
    Form(form): Form<LockForm>,
) -> PageResult {
    state
        .store
        .set_user_locked(&auth.actor(), id, form.locked == "1")
        .await?;
    Ok(Redirect::to(&format!("/users/{id}?saved=1")).into_response())
}
