//! Server-rendered pages. Each handler parses its input, calls the store as the signed-in
//! actor, and renders a template; the store decides what the actor may see.

use crate::auth::{self, Auth, County, Office, RequestCtx};
use crate::i18n::{Lang, Tr};
use crate::{AppState, WebError};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::header::SET_COOKIE;
use axum::response::{Html, IntoResponse, Redirect, Response};
use qx_core::access::{Actor, Role, check_password_strength};
use qx_core::label::Labelled;
use qx_core::password;
use qx_core::units::UnitKind;
use qx_store::audit::{AuditEntry, AuditQuery};
use qx_store::calendar::CalendarDay;
use qx_store::login::{LoginGate, Refusal};
use qx_store::units::{NewUnit, UnitUpdate};
use qx_store::users::NewUser;
use serde::Deserialize;
use std::collections::HashMap;

type PageResult = Result<Response, WebError>;

/// The signed-in user as the page header shows them.
pub struct UserBadge {
    pub display_name: String,
    pub role_label: &'static str,
    pub unit_name: Option<String>,
    pub is_admin: bool,
    pub can_see_users: bool,
    /// Unread notices (the bell).
    pub unread: i64,
}

/// What every page's layout needs.
pub struct PageCtx {
    pub t: Tr,
    pub lang_html: &'static str,
    pub csrf: String,
    pub user: Option<UserBadge>,
    pub flash: Option<String>,
}

impl PageCtx {
    pub fn anonymous(ctx: &RequestCtx) -> Self {
        PageCtx {
            t: Tr(ctx.lang),
            lang_html: ctx.lang.html(),
            csrf: ctx.csrf.clone(),
            user: None,
            flash: None,
        }
    }

    pub fn signed_in(auth: &Auth) -> Self {
        let user = &auth.session.user;
        let unit_name = auth.session.unit_name.clone();
        let role = user.role();
        PageCtx {
            t: Tr(auth.ctx.lang),
            lang_html: auth.ctx.lang.html(),
            csrf: auth.ctx.csrf.clone(),
            user: Some(UserBadge {
                display_name: user.display_name.clone(),
                role_label: role_label(auth.ctx.lang, role),
                unit_name,
                is_admin: role == Role::Admin,
                can_see_users: role != Role::Enterprise,
                unread: auth.session.unread_notices,
            }),
            flash: None,
        }
    }

    fn with_flash(mut self, flash: Option<String>) -> Self {
        self.flash = flash;
        self
    }
}

pub fn role_label(lang: Lang, role: Role) -> &'static str {
    role.label(lang)
}

pub fn kind_label(lang: Lang, kind: &str) -> &'static str {
    UnitKind::parse(kind).map_or("?", |k| k.label(lang))
}

fn kind_options(lang: Lang) -> Vec<(&'static str, &'static str)> {
    UnitKind::ALL
        .iter()
        .map(|k| (k.as_str(), kind_label(lang, k.as_str())))
        .collect()
}

/// Renders a template; a template error is an internal error, logged.
pub fn render<T: Template>(t: &T) -> Html<String> {
    match t.render() {
        Ok(s) => Html(s),
        Err(e) => {
            tracing::error!("template error: {e}");
            Html("<h1>500</h1>".to_string())
        }
    }
}

/// The old name of [`qx_core::time::format_datetime`], kept while page modules move over.
pub use qx_core::time::format_datetime as fmt_time;

/// Only same-site relative paths are followed after login.
fn safe_next(next: &str) -> &str {
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
        next
    } else {
        "/"
    }
}

fn flash_from(q: &HashMap<String, String>, lang: Lang) -> Option<String> {
    q.get("saved")
        .map(|_| crate::i18n::t(lang, "common.saved").to_string())
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    ctx: PageCtx,
    status: u16,
    message: String,
}

impl ErrorPage {
    pub fn new(ctx: &RequestCtx, status: u16, message: String) -> Self {
        ErrorPage {
            ctx: PageCtx::anonymous(ctx),
            status,
            message,
        }
    }
}

/// Argon2 is deliberately slow: keep it off the async workers.
async fn hash_blocking(password: String) -> Result<String, WebError> {
    tokio::task::spawn_blocking(move || password::hash_password(&password))
        .await
        .map_err(|e| WebError::Internal(e.into()))?
        .map_err(|e| WebError::Internal(e.into()))
}

async fn verify_blocking(password: String, hash: String) -> Result<bool, WebError> {
    tokio::task::spawn_blocking(move || password::verify_password(&password, &hash))
        .await
        .map_err(|e| WebError::Internal(e.into()))
}

// ---------------------------------------------------------------- login / logout

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    ctx: PageCtx,
    error: Option<String>,
    next: String,
    username: String,
}

pub async fn login_form(ctx: RequestCtx, Query(q): Query<HashMap<String, String>>) -> Response {
    if ctx.session.is_some() {
        return Redirect::to("/").into_response();
    }
    let expired = q.get("expired").is_some_and(|v| v == "1");
    let page = LoginPage {
        ctx: PageCtx::anonymous(&ctx),
        error: expired.then(|| crate::i18n::t(ctx.lang, "login.expired").to_string()),
        next: q.get("next").cloned().unwrap_or_else(|| "/".into()),
        username: String::new(),
    };
    render(&page).into_response()
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    #[serde(default)]
    next: String,
}

/// Every failed sign-in gets the same answer after the same work (one password check), so
/// neither the page nor its timing tells whether a name exists, is locked or is disabled.
/// Attempts are counted before they are checked, per client address and per account
/// (`qx_store::login`).
pub async fn login_submit(
    State(state): State<AppState>,
    ctx: RequestCtx,
    headers: axum::http::HeaderMap,
    Form(form): Form<LoginForm>,
) -> PageResult {
    let lang = ctx.lang;
    let config = &state.config;
    let username = qx_core::access::login_name(&form.username);
    let fail = || -> Response {
        let page = LoginPage {
            ctx: PageCtx::anonymous(&ctx),
            error: Some(crate::i18n::t(lang, "login.failed").into()),
            next: form.next.clone(),
            username: username.clone(),
        };
        (axum::http::StatusCode::UNAUTHORIZED, render(&page)).into_response()
    };
    let now = qx_store::now();
    let anonymous = Actor {
        user_id: 0,
        username: username.clone(),
        ..Actor::system()
    };
    let from_address = state
        .store
        .take_address_attempt(&ctx.ip, now, config.address_window_secs)
        .await?;
    if from_address > config.max_address_failures {
        // Recorded once per window, not per attempt: a flood must not grow the log.
        if from_address == config.max_address_failures + 1 {
            state
                .store
                .audit(
                    AuditEntry::new(&anonymous, "login.throttled", "address", &ctx.ip)
                        .after(serde_json::json!({"failures": config.max_address_failures}))
                        .ip(&ctx.ip),
                )
                .await?;
        }
        return Err(WebError::TooManyAttempts {
            retry_after: config.address_window_secs,
        });
    }
    let gate = state
        .store
        .take_login_attempt(
            &username,
            now,
            config.max_login_failures,
            config.lockout_secs,
        )
        .await?;
    let (user, attempt) = match gate {
        LoginGate::Check { user, attempt } => (user, attempt),
        LoginGate::Unknown => {
            verify_blocking(form.password.clone(), password::dummy_hash().to_string()).await?;
            state
                .store
                .audit(
                    AuditEntry::new(&anonymous, "login.failure", "user", &username)
                        .after(serde_json::json!({"reason": "unknown user"}))
                        .ip(&ctx.ip),
                )
                .await?;
            return Ok(fail());
        }
        LoginGate::Refused { user, reason } => {
            verify_blocking(form.password.clone(), password::dummy_hash().to_string()).await?;
            let actor = user.actor();
            let entry = match reason {
                Refusal::Disabled => AuditEntry::new(&actor, "login.disabled", "user", user.id),
                Refusal::Locked { until } => {
                    AuditEntry::new(&actor, "login.locked", "user", user.id)
                        .after(serde_json::json!({"locked_until": until}))
                }
            };
            state.store.audit(entry.ip(&ctx.ip)).await?;
            return Ok(fail());
        }
    };
    let actor = user.actor();
    let ok = verify_blocking(form.password.clone(), user.password_hash.clone()).await?;
    if !ok {
        state
            .store
            .audit(
                AuditEntry::new(&actor, "login.failure", "user", user.id)
                    .after(serde_json::json!({"reason": "wrong password", "attempt": attempt}))
                    .ip(&ctx.ip),
            )
            .await?;
        if let Some(until) = state
            .store
            .settle_login_failure(
                user.id,
                attempt,
                now,
                config.max_login_failures,
                config.lockout_secs,
            )
            .await?
        {
            state
                .store
                .audit(
                    AuditEntry::new(&actor, "login.lockout", "user", user.id)
                        .after(serde_json::json!({"locked_until": until}))
                        .ip(&ctx.ip),
                )
                .await?;
        }
        return Ok(fail());
    }
    state.store.refund_address_attempt(&ctx.ip).await?;
    state.store.record_login_success(user.id).await?;
    let token = auth::random_token();
    let csrf = auth::random_token();
    let ua = headers
        .get("user-agent")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    state
        .store
        .create_session(&auth::token_hash(&token), user.id, &csrf, &ctx.ip, ua)
        .await?;
    state
        .store
        .audit(AuditEntry::new(&actor, "login.success", "user", user.id).ip(&ctx.ip))
        .await?;
    let mut resp = Redirect::to(safe_next(&form.next)).into_response();
    let secure = state.config.secure_cookies;
    resp.headers_mut().append(
        SET_COOKIE,
        auth::set_cookie(auth::SESSION_COOKIE, &token, None, secure),
    );
    Ok(resp)
}

pub async fn logout(State(state): State<AppState>, ctx: RequestCtx) -> PageResult {
    if let Some(session) = &ctx.session {
        state.store.delete_session(&session.token_hash).await?;
        state
            .store
            .audit(AuditEntry::new(&session.actor(), "logout", "user", session.user.id).ip(&ctx.ip))
            .await?;
    }
    let mut resp = Redirect::to("/login").into_response();
    let secure = state.config.secure_cookies;
    resp.headers_mut().append(
        SET_COOKIE,
        auth::set_cookie(auth::SESSION_COOKIE, "", Some(0), secure),
    );
    Ok(resp)
}

#[derive(Deserialize)]
pub struct LangForm {
    lang: String,
}

pub async fn switch_lang(
    State(state): State<AppState>,
    ctx: RequestCtx,
    headers: axum::http::HeaderMap,
    Form(form): Form<LangForm>,
) -> PageResult {
    let lang = Lang::parse(&form.lang);
    if let Some(s) = &ctx.session {
        state.store.set_user_lang(s.user.id, lang.code()).await?;
    }
    let back = headers
        .get("referer")
        .and_then(|v| v.to_str().ok())
        .and_then(|r| {
            r.find("://")
                .and_then(|i| r[i + 3..].find('/').map(|j| r[i + 3 + j..].to_string()))
        })
        .unwrap_or_else(|| "/".into());
    let mut resp = Redirect::to(safe_next(&back)).into_response();
    resp.headers_mut().append(
        SET_COOKIE,
        auth::set_cookie(
            auth::LANG_COOKIE,
            lang.code(),
            Some(365 * 86400),
            state.config.secure_cookies,
        ),
    );
    Ok(resp)
}

// ---------------------------------------------------------------- home

pub struct RecentAudit {
    at: String,
    actor: String,
    action: String,
    entity: String,
    entity_id: String,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    ctx: PageCtx,
    display_name: String,
    is_leader: bool,
    my_unit: Option<qx_store::units::Unit>,
    my_enterprise: Option<qx_store::enterprises::Enterprise>,
    kind_counts: Vec<(&'static str, &'static str, usize)>,
    user_count: usize,
    colleagues: Vec<qx_store::users::User>,
    recent: Vec<RecentAudit>,
}

pub async fn home(State(state): State<AppState>, auth: Auth) -> PageResult {
    let actor = auth.actor();
    let lang = auth.ctx.lang;
    let ctx = PageCtx::signed_in(&auth);
    let my_unit = match (actor.role, actor.unit_id) {
        (Role::Unit, Some(id)) => Some(state.store.get_unit(id).await?),
        _ => None,
    };
    let my_enterprise = match actor.enterprise_id {
        Some(id) => Some(state.store.get_enterprise(&actor, id).await?),
        None => None,
    };
    let mut kind_counts = Vec::new();
    let mut user_count = 0;
    let mut recent = Vec::new();
    if actor.reads_all() {
        let units = state.store.list_units().await?;
        for kind in UnitKind::ALL {
            let n = units.iter().filter(|u| u.kind == kind.as_str()).count();
            if n > 0 {
                kind_counts.push((kind_label(lang, kind.as_str()), kind.as_str(), n));
            }
        }
        user_count = state.store.count_users().await? as usize;
    }
    if actor.is_admin() {
        let q = AuditQuery {
            limit: 8,
            ..Default::default()
        };
        recent = state
            .store
            .audit_list(&q)
            .await?
            .into_iter()
            .map(|a| RecentAudit {
                at: fmt_time(a.at),
                actor: a.actor,
                action: a.action,
                entity: a.entity,
                entity_id: a.entity_id,
            })
            .collect();
    }
    let colleagues = if actor.role == Role::Unit {
        state.store.list_users(&actor).await?
    } else {
        Vec::new()
    };
    let page = HomePage {
        ctx,
        display_name: auth.session.user.display_name.clone(),
        is_leader: actor.role == Role::Leader,
        my_unit,
        my_enterprise,
        kind_counts,
        user_count,
        colleagues,
        recent,
    };
    Ok(render(&page).into_response())
}

// ---------------------------------------------------------------- units

pub struct UnitRow {
    id: i64,
    name: String,
    full_name: String,
    kind_label: &'static str,
    region_code: String,
    aliases: String,
    contact: String,
    active: bool,
}

#[derive(Template)]
#[template(path = "units.html")]
struct UnitsPage {
    ctx: PageCtx,
    units: Vec<UnitRow>,
    kinds: Vec<(&'static str, &'static str)>,
    kind: String,
    q: String,
    is_admin: bool,
}

pub async fn units_list(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    let lang = auth.ctx.lang;
    let kind = q.get("kind").cloned().unwrap_or_default();
    let search = q.get("q").map(|s| s.trim().to_string()).unwrap_or_default();
    let aliases = state.store.all_unit_aliases().await?;
    let mut by_unit: HashMap<i64, Vec<String>> = HashMap::new();
    for (alias, id) in aliases {
        by_unit.entry(id).or_default().push(alias);
    }
    let units = state
        .store
        .list_units()
        .await?
        .into_iter()
        .filter(|u| kind.is_empty() || u.kind == kind)
        .map(|u| {
            let aliases = by_unit.get(&u.id).map(|a| a.join("、")).unwrap_or_default();
            UnitRow {
                id: u.id,
                kind_label: kind_label(lang, &u.kind),
                region_code: u.region_code.clone().unwrap_or_default(),
                active: u.active != 0,
                name: u.name,
                full_name: u.full_name,
                contact: u.contact,
                aliases,
            }
        })
        .filter(|u| {
            search.is_empty()
                || u.name.contains(&search)
                || u.full_name.contains(&search)
                || u.aliases.contains(&search)
                || u.region_code.starts_with(&search)
        })
        .collect();
    let page = UnitsPage {
        ctx: PageCtx::signed_in(&auth),
        units,
        kinds: kind_options(lang),
        kind,
        q: search,
        is_admin: auth.actor().is_admin(),
    };
    Ok(render(&page).into_response())
}

pub struct UserLine {
    id: i64,
    username: String,
    display_name: String,
    role_label: &'static str,
    unit_name: String,
    phone: String,
    locked: bool,
}

#[derive(Template)]
#[template(path = "unit.html")]
struct UnitPage {
    ctx: PageCtx,
    unit: qx_store::units::Unit,
    kind_label: &'static str,
    aliases: String,
    kinds: Vec<(&'static str, &'static str)>,
    can_edit_contact: bool,
    is_admin: bool,
    users: Vec<UserLine>,
}

pub async fn unit_detail(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    let actor = auth.actor();
    let lang = auth.ctx.lang;
    let unit = state.store.get_unit(id).await?;
    let aliases = state.store.unit_aliases(id).await?.join("、");
    // A unit's user list is the unit's own business: shown only to those in scope.
    let users = if actor.can_read_unit(id) {
        state
            .store
            .list_users(&actor)
            .await?
            .into_iter()
            .filter(|u| u.unit_id == Some(id))
            .map(|u| user_line(lang, u, &unit.name))
            .collect()
    } else {
        Vec::new()
    };
    let page = UnitPage {
        ctx: PageCtx::signed_in(&auth).with_flash(flash_from(&q, lang)),
        kind_label: kind_label(lang, &unit.kind),
        aliases,
        kinds: kind_options(lang),
        can_edit_contact: actor.can_write_unit(id),
        is_admin: actor.is_admin(),
        users,
        unit,
    };
    Ok(render(&page).into_response())
}

fn user_line(lang: Lang, u: qx_store::users::User, unit_name: &str) -> UserLine {
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

#[derive(Deserialize)]
pub struct UnitForm {
    name: String,
    full_name: String,
    kind: String,
    #[serde(default)]
    region_code: String,
    #[serde(default)]
    aliases: String,
    #[serde(default)]
    active: Option<String>,
}

impl UnitForm {
    fn parse(self) -> Result<UnitUpdate, WebError> {
        let kind = UnitKind::parse(&self.kind).ok_or_else(|| {
            WebError::BadRequest(format!("类型 \"{}\" 无效 (unknown kind)", self.kind))
        })?;
        let name = self.name.trim().to_string();
        let full_name = self.full_name.trim().to_string();
        if name.is_empty() || full_name.is_empty() {
            return Err(WebError::BadRequest(
                "简称和全称不能为空 (name and full name are required)".into(),
            ));
        }
        let code = self.region_code.trim();
        let region_code = if code.is_empty() {
            None
        } else if matches!(code.len(), 6 | 9 | 12) && code.bytes().all(|b| b.is_ascii_digit()) {
            Some(code.to_string())
        } else {
            return Err(WebError::BadRequest(format!(
                "区划代码 \"{code}\" 应为6、9或12位数字 (region code must be 6, 9 or 12 digits)"
            )));
        };
        let aliases = split_list(&self.aliases);
        Ok(UnitUpdate {
            kind,
            name,
            full_name,
            region_code,
            aliases,
            active: self.active.is_some(),
        })
    }
}

/// Splits a user-typed list on Chinese and Western separators.
pub fn split_list(s: &str) -> Vec<String> {
    s.split(['、', ',', '，', ';', '；', '\n'])
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(str::to_string)
        .collect()
}

pub async fn unit_update(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Form(form): Form<UnitForm>,
) -> PageResult {
    let update = form.parse()?;
    state.store.update_unit(&auth.actor(), id, &update).await?;
    Ok(Redirect::to(&format!("/units/{id}?saved=1")).into_response())
}

#[derive(Template)]
#[template(path = "unit_new.html")]
struct UnitNewPage {
    ctx: PageCtx,
    kinds: Vec<(&'static str, &'static str)>,
}

pub async fn unit_new(auth: Office) -> PageResult {
    let page = UnitNewPage {
        ctx: PageCtx::signed_in(&auth),
        kinds: kind_options(auth.ctx.lang),
    };
    Ok(render(&page).into_response())
}

pub async fn unit_create(
    State(state): State<AppState>,
    auth: Auth,
    Form(form): Form<UnitForm>,
) -> PageResult {
    let u = form.parse()?;
    let slug = format!("u{}", qx_store::now());
    let new = NewUnit {
        kind: u.kind,
        name: u.name,
        full_name: u.full_name,
        region_code: u.region_code,
        parent_id: None,
        slug,
        aliases: u.aliases,
        sort_order: 1000,
    };
    let id = state.store.create_unit(&auth.actor(), &new).await?;
    Ok(Redirect::to(&format!("/units/{id}?saved=1")).into_response())
}

#[derive(Deserialize)]
pub struct ContactForm {
    contact: String,
    phone: String,
}

pub async fn unit_contact(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Form(form): Form<ContactForm>,
) -> PageResult {
    // The store checks the lengths (`qx_core::text`), for this form and the API alike.
    state
        .store
        .update_unit_contact(&auth.actor(), id, &form.contact, &form.phone)
        .await?;
    Ok(Redirect::to(&format!("/units/{id}?saved=1")).into_response())
}

// ---------------------------------------------------------------- users

#[derive(Template)]
#[template(path = "users.html")]
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

pub async fn users_list(State(state): State<AppState>, auth: County) -> PageResult {
    let actor = auth.actor();
    let names = unit_names(&state).await?;
    let lang = auth.ctx.lang;
    let users = state
        .store
        .list_users(&actor)
        .await?
        .into_iter()
        .map(|u| {
            let unit = u
                .unit_id
                .and_then(|id| names.get(&id).cloned())
                .unwrap_or_default();
            user_line(lang, u, &unit)
        })
        .collect();
    let page = UsersPage {
        ctx: PageCtx::signed_in(&auth),
        users,
        is_admin: actor.is_admin(),
    };
    Ok(render(&page).into_response())
}

#[derive(Template)]
#[template(path = "user.html")]
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
#[template(path = "user_new.html")]
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
    auth: Auth,
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
    auth: Auth,
    Path(id): Path<i64>,
    Form(form): Form<LockForm>,
) -> PageResult {
    state
        .store
        .set_user_locked(&auth.actor(), id, form.locked == "1")
        .await?;
    Ok(Redirect::to(&format!("/users/{id}?saved=1")).into_response())
}

// ---------------------------------------------------------------- account

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    ctx: PageCtx,
    error: Option<String>,
}

pub async fn account(auth: Auth, Query(q): Query<HashMap<String, String>>) -> PageResult {
    let lang = auth.ctx.lang;
    let flash = q
        .get("changed")
        .map(|_| crate::i18n::t(lang, "account.changed").to_string());
    let page = AccountPage {
        ctx: PageCtx::signed_in(&auth).with_flash(flash),
        error: None,
    };
    Ok(render(&page).into_response())
}

#[derive(Deserialize)]
pub struct PasswordForm {
    current: String,
    new_password: String,
    confirm: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    auth: Auth,
    Form(form): Form<PasswordForm>,
) -> PageResult {
    let lang = auth.ctx.lang;
    let current_ok = verify_blocking(
        form.current.clone(),
        auth.session.user.password_hash.clone(),
    )
    .await?;
    let error = if !current_ok {
        Some(crate::i18n::t(lang, "account.wrong_current").to_string())
    } else if form.new_password != form.confirm {
        Some(crate::i18n::t(lang, "account.mismatch").to_string())
    } else {
        check_password_strength(&form.new_password)
            .err()
            .map(str::to_string)
    };
    if let Some(error) = error {
        let page = AccountPage {
            ctx: PageCtx::signed_in(&auth),
            error: Some(error),
        };
        return Ok((axum::http::StatusCode::BAD_REQUEST, render(&page)).into_response());
    }
    let new_hash = hash_blocking(form.new_password).await?;
    state
        .store
        .set_password(
            &auth.actor(),
            auth.session.user.id,
            &new_hash,
            Some(&auth.session.token_hash),
        )
        .await?;
    Ok(Redirect::to("/account?changed=1").into_response())
}

// ---------------------------------------------------------------- audit

pub struct AuditLine {
    seq: i64,
    at: String,
    actor: String,
    action: String,
    entity: String,
    entity_id: String,
    before: String,
    after: String,
    ip: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    ctx: PageCtx,
    entries: Vec<AuditLine>,
    verified: bool,
    verify_message: String,
    actor: String,
    action: String,
    entity: String,
    entity_id: String,
    older_link: Option<String>,
}

fn non_empty(q: &HashMap<String, String>, k: &str) -> Option<String> {
    q.get(k)
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

pub async fn audit_list(
    State(state): State<AppState>,
    auth: Office,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    let lang = auth.ctx.lang;
    let query = AuditQuery {
        entity: non_empty(&q, "entity"),
        entity_id: non_empty(&q, "entity_id"),
        actor: non_empty(&q, "actor"),
        action_prefix: non_empty(&q, "action"),
        before_seq: non_empty(&q, "before").and_then(|s| s.parse().ok()),
        limit: 100,
    };
    let records = state.store.audit_list(&query).await?;
    let older_link = (records.len() == 100).then(|| {
        let last = records.last().map_or(0, |r| r.seq);
        let mut params: Vec<(&str, String)> = vec![("before", last.to_string())];
        for k in ["entity", "entity_id", "actor", "action"] {
            if let Some(v) = non_empty(&q, k) {
                params.push((k, v));
            }
        }
        format!(
            "/audit?{}",
            serde_urlencoded::to_string(&params).unwrap_or_default()
        )
    });
    let verification = state.store.verify_audit().await?;
    let verify_message = match verification.first_bad_seq {
        None => format!(
            "{} ({})",
            crate::i18n::t(lang, "audit.verified"),
            verification.entries
        ),
        Some(seq) => format!(
            "{} {seq}: {}",
            crate::i18n::t(lang, "audit.broken"),
            verification.reason.clone().unwrap_or_default()
        ),
    };
    let entries = records
        .into_iter()
        .map(|r| AuditLine {
            seq: r.seq,
            at: fmt_time(r.at),
            actor: r.actor,
            action: r.action,
            entity: r.entity,
            entity_id: r.entity_id,
            before: r.before_json.unwrap_or_default(),
            after: r.after_json.unwrap_or_default(),
            ip: r.ip,
        })
        .collect();
    let page = AuditPage {
        ctx: PageCtx::signed_in(&auth),
        entries,
        verified: verification.ok(),
        verify_message,
        actor: q.get("actor").cloned().unwrap_or_default(),
        action: q.get("action").cloned().unwrap_or_default(),
        entity: q.get("entity").cloned().unwrap_or_default(),
        entity_id: q.get("entity_id").cloned().unwrap_or_default(),
        older_link,
    };
    Ok(render(&page).into_response())
}

// ---------------------------------------------------------------- calendar

#[derive(Template)]
#[template(path = "calendar.html")]
struct CalendarPage {
    ctx: PageCtx,
    year: i32,
    years: Vec<i32>,
    days: Vec<CalendarDay>,
    is_admin: bool,
}

pub async fn calendar(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    let this_year = qx_core::time::today().year();
    let year = q
        .get("year")
        .and_then(|y| y.parse().ok())
        .filter(|y| (2000..=2100).contains(y))
        .unwrap_or(this_year);
    let mut years: Vec<i32> = state
        .store
        .all_calendar_days()
        .await?
        .iter()
        .filter_map(|d| d.day.get(..4).and_then(|y| y.parse().ok()))
        .collect();
    years.extend([this_year, this_year + 1]);
    years.sort_unstable();
    years.dedup();
    let lang = auth.ctx.lang;
    let page = CalendarPage {
        ctx: PageCtx::signed_in(&auth).with_flash(flash_from(&q, lang)),
        year,
        years,
        days: state.store.calendar_days(year).await?,
        is_admin: auth.actor().is_admin(),
    };
    Ok(render(&page).into_response())
}

#[derive(Deserialize)]
pub struct CalendarForm {
    day: String,
    kind: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    source: String,
}

pub async fn calendar_set(
    State(state): State<AppState>,
    auth: Auth,
    Form(form): Form<CalendarForm>,
) -> PageResult {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let date = time::Date::parse(form.day.trim(), format)
        .map_err(|_| WebError::BadRequest(format!("日期 \"{}\" 格式应为 YYYY-MM-DD", form.day)))?;
    let day = CalendarDay {
        day: form.day.trim().to_string(),
        kind: form.kind,
        name: form.name.trim().to_string(),
        source: form.source.trim().to_string(),
    };
    state.store.set_calendar_day(&auth.actor(), &day).await?;
    Ok(Redirect::to(&format!("/calendar?year={}&saved=1", date.year())).into_response())
}

#[derive(Deserialize)]
pub struct CalendarDeleteForm {
    day: String,
}

pub async fn calendar_delete(
    State(state): State<AppState>,
    auth: Auth,
    Form(form): Form<CalendarDeleteForm>,
) -> PageResult {
    state
        .store
        .delete_calendar_day(&auth.actor(), form.day.trim())
        .await?;
    let year = form.day.get(..4).unwrap_or("");
    Ok(Redirect::to(&format!("/calendar?year={year}&saved=1")).into_response())
}
