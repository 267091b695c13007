//! Accounts: the list, an account's page, new accounts, password resets and locks.

use crate::account::hash_blocking;
use crate::auth::{Auth, County, Office};
use crate::form::Query;
use crate::form::{FieldErrors, Form};
use crate::i18n::Lang;
use crate::pages::{PageCtx, flash_from, render};
use crate::{AppState, WebError};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use qx_core::access::{Actor, Role, check_password_strength};
use qx_core::label::Labelled;
use qx_store::users::{NewUser, UserProfile};
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
        role_label: u.profile.role.label(lang),
        locked: u.locked_until.is_some_and(|t| t > qx_store::now()),
        username: u.username,
        display_name: u.profile.display_name,
        unit_name: unit_name.to_string(),
        phone: u.profile.phone,
    }
}

#[derive(Template)]
#[template(path = "users/list.html")]
struct UsersPage {
    ctx: PageCtx,
    users: Vec<UserLine>,
    is_admin: bool,
}

/// The accounts `actor` may see, as the list shows them (and its export).
pub(crate) async fn user_lines(
    state: &AppState,
    actor: &Actor,
    lang: Lang,
) -> Result<Vec<UserLine>, WebError> {
    let names = state.store.unit_names().await?;
    Ok(state
        .store
        .list_users(actor)
        .await?
        .into_iter()
        .map(|u| {
            let unit = u
                .profile
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

/// The account form (new and edit) as shown: the values as typed, an error beside each field
/// that has one, and an error about the whole form (from the store) above it.
pub struct UserFields {
    username: String,
    display_name: String,
    role: String,
    unit_id: String,
    enterprise_id: String,
    phone: String,
    errors: FieldErrors,
}

impl UserFields {
    /// An empty form in `lang`.
    fn empty(lang: Lang) -> UserFields {
        UserFields {
            username: String::new(),
            display_name: String::new(),
            role: String::new(),
            unit_id: String::new(),
            enterprise_id: String::new(),
            phone: String::new(),
            errors: FieldErrors::new(lang),
        }
    }

    fn of(u: &qx_store::users::User, lang: Lang) -> UserFields {
        let id = |i: Option<i64>| i.map(|i| i.to_string()).unwrap_or_default();
        UserFields {
            username: u.username.clone(),
            display_name: u.profile.display_name.clone(),
            role: u.profile.role.as_str().to_string(),
            unit_id: id(u.profile.unit_id),
            enterprise_id: id(u.profile.enterprise_id),
            phone: u.profile.phone.clone(),
            ..UserFields::empty(lang)
        }
    }

    /// The error beside `field`, empty when there is none.
    fn error(&self, field: &str) -> &str {
        self.errors.get(field).unwrap_or("")
    }

    /// The errors about the whole form (the store's refusals).
    fn general(&self) -> Vec<&str> {
        self.errors.general()
    }
}

/// What the form offers: roles, units and enterprises, by value and label.
pub struct UserChoices {
    roles: Vec<(&'static str, &'static str)>,
    units: Vec<(String, String)>,
    enterprises: Vec<(String, String)>,
}

async fn user_choices(
    state: &AppState,
    actor: &Actor,
    lang: Lang,
) -> Result<UserChoices, WebError> {
    Ok(UserChoices {
        roles: Role::ALL
            .iter()
            .map(|r| (r.as_str(), r.label(lang)))
            .collect(),
        units: state
            .store
            .list_units()
            .await?
            .into_iter()
            .map(|u| (u.id.to_string(), u.name))
            .collect(),
        enterprises: state
            .store
            .list_enterprises(actor)
            .await?
            .into_iter()
            .map(|e| (e.id.to_string(), e.name))
            .collect(),
    })
}

#[derive(Template)]
#[template(path = "users/detail.html")]
struct UserPage {
    ctx: PageCtx,
    user: UserLine,
    is_admin: bool,
    form: UserFields,
    choices: Option<UserChoices>,
    /// The reset form's refusal, beside its password box.
    reset_errors: FieldErrors,
}

/// An account's page: its edit form as `form` holds it (the account's own values when `None`)
/// and the password reset form with `reset`'s message; either with a message answers 400.
async fn user_page(
    state: &AppState,
    auth: &Auth,
    id: i64,
    form: Option<UserFields>,
    reset: FieldErrors,
    flash: Option<String>,
) -> PageResult {
    let actor = auth.actor();
    let user = state.store.get_user_scoped(&actor, id).await?;
    let names = state.store.unit_names().await?;
    let unit = user
        .profile
        .unit_id
        .and_then(|id| names.get(&id).cloned())
        .unwrap_or_default();
    let lang = auth.ctx.lang;
    let refused = form.as_ref().is_some_and(|f| !f.errors.is_empty()) || !reset.is_empty();
    let choices = if actor.is_admin() {
        Some(user_choices(state, &actor, lang).await?)
    } else {
        None
    };
    let page = UserPage {
        ctx: PageCtx::signed_in(auth).with_flash(flash),
        form: form.unwrap_or_else(|| UserFields::of(&user, lang)),
        user: user_line(lang, user, &unit),
        is_admin: actor.is_admin(),
        choices,
        reset_errors: reset,
    };
    Ok(crate::form::answer(&page, refused))
}

pub async fn user_detail(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    let flash = flash_from(&q, auth.ctx.lang);
    let reset = FieldErrors::new(auth.ctx.lang);
    user_page(&state, &auth, id, None, reset, flash).await
}

#[derive(Template)]
#[template(path = "users/new.html")]
struct UserNewPage {
    ctx: PageCtx,
    form: UserFields,
    choices: UserChoices,
}

async fn new_page(state: &AppState, auth: &Office, form: UserFields) -> PageResult {
    let refused = !form.errors.is_empty();
    let page = UserNewPage {
        ctx: PageCtx::signed_in(auth),
        choices: user_choices(state, &auth.actor(), auth.ctx.lang).await?,
        form,
    };
    Ok(crate::form::answer(&page, refused))
}

pub async fn user_new(State(state): State<AppState>, auth: Office) -> PageResult {
    new_page(&state, &auth, UserFields::empty(auth.ctx.lang)).await
}

#[derive(Deserialize)]
pub struct UserForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    unit_id: String,
    #[serde(default)]
    enterprise_id: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    password: String,
}

/// What the form says about an account, checked field by field: the update to make, or the
/// form to show again with an error beside each field that needs one.
fn parse_user_form(form: &UserForm, lang: Lang) -> (UserFields, Option<UserProfile>) {
    let t = |k: &'static str| crate::i18n::t(lang, k);
    let mut fields = UserFields {
        username: form.username.trim().to_string(),
        display_name: form.display_name.trim().to_string(),
        role: form.role.clone(),
        unit_id: form.unit_id.trim().to_string(),
        enterprise_id: form.enterprise_id.trim().to_string(),
        phone: form.phone.trim().to_string(),
        ..UserFields::empty(lang)
    };
    if fields.display_name.is_empty() {
        fields.errors.add("display_name", t("user.err_name"));
    }
    let role = Role::parse(&form.role);
    if role.is_none() {
        fields.errors.add("role", t("user.err_role"));
    }
    let id = |s: &str| s.parse::<i64>().ok();
    let unit_id = id(&fields.unit_id);
    let enterprise_id = id(&fields.enterprise_id);
    if let Some(role) = role
        && qx_store::users::validate_role(role, unit_id, enterprise_id).is_err()
    {
        if role == Role::Enterprise {
            fields.errors.add("enterprise_id", t("user.err_enterprise"));
        } else {
            fields.errors.add("unit_id", t("user.err_unit"));
        }
    }
    let update = match role {
        Some(role) if fields.errors.is_empty() => Some(UserProfile {
            display_name: fields.display_name.clone(),
            role,
            unit_id,
            enterprise_id,
            phone: fields.phone.clone(),
        }),
        _ => None,
    };
    (fields, update)
}

pub async fn user_create(
    State(state): State<AppState>,
    auth: Office,
    Form(form): Form<UserForm>,
) -> PageResult {
    let lang = auth.ctx.lang;
    let (mut fields, update) = parse_user_form(&form, lang);
    if fields.username.is_empty() {
        let m = crate::i18n::t(lang, "user.err_username");
        fields.errors.add("username", m);
    }
    if let Err(m) = check_password_strength(&form.password) {
        fields.errors.add("password", m);
    }
    let Some(u) = update.filter(|_| fields.errors.is_empty()) else {
        return new_page(&state, &auth, fields).await;
    };
    let hash = hash_blocking(form.password.clone()).await?;
    let new = NewUser {
        username: fields.username.clone(),
        display_name: u.display_name,
        role: u.role,
        unit_id: u.unit_id,
        enterprise_id: u.enterprise_id,
        phone: u.phone,
        password_hash: hash,
    };
    let created = state.store.create_user(&auth.actor(), &new).await;
    // A username taken is said as "用户名: 已存在": beside the username.
    if let Some(id) = fields
        .errors
        .unless_refused(created, &[("username", "用户名")])?
    {
        return Ok(Redirect::to(&format!("/users/{id}?saved=1")).into_response());
    }
    new_page(&state, &auth, fields).await
}

/// The office changes an account's name, role, unit, enterprise or phone (a new role ends the
/// account's sessions; see `Store::update_user`).
pub async fn user_update(
    State(state): State<AppState>,
    auth: Office,
    Path(id): Path<i64>,
    Form(form): Form<UserForm>,
) -> PageResult {
    let lang = auth.ctx.lang;
    let (mut fields, update) = parse_user_form(&form, lang);
    if let Some(u) = update {
        let updated = state.store.update_user(&auth.actor(), id, &u).await;
        if fields.errors.unless_refused(updated, &[])?.is_some() {
            return Ok(Redirect::to(&format!("/users/{id}?saved=1")).into_response());
        }
    }
    let reset = FieldErrors::new(lang);
    user_page(&state, &auth, id, Some(fields), reset, None).await
}

#[derive(Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    password: String,
}

/// The office sets a new password for an account. One that is too weak comes back beside the
/// reset form's box, on the account's page (the box is left empty: a password is never sent
/// back to the browser).
pub async fn user_reset_password(
    State(state): State<AppState>,
    auth: Office,
    Path(id): Path<i64>,
    Form(form): Form<ResetForm>,
) -> PageResult {
    if let Err(m) = check_password_strength(&form.password) {
        let mut reset = FieldErrors::new(auth.ctx.lang);
        reset.add("password", m);
        return user_page(&state, &auth, id, None, reset, None).await;
    }
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
