//! The office's settings of the module: 企服责任人, routing, time limits; and the manual sweep.

use super::*;

/// (user id, "name (unit)", selected)
pub(super) type StaffOption = (i64, String, bool);

pub struct LimitLine {
    code: &'static str,
    label: &'static str,
    limits: TimeLimits,
    route: String,
}

#[derive(Template)]
#[template(path = "problems/settings.html")]
pub(super) struct SettingsPage {
    ctx: PageCtx,
    /// (enterprise id, name, staff options with the current 企服责任人 selected)
    contacts: Vec<(i64, String, Vec<StaffOption>)>,
    lines: Vec<LimitLine>,
    departments: Vec<(i64, String)>,
}

pub(super) async fn settings_page(
    State(state): State<AppState>,
    auth: Office,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    let actor = auth.actor();
    let lang = auth.ctx.lang;
    let units = state.store.list_units().await?;
    let unit_names: HashMap<i64, String> = units.iter().map(|u| (u.id, u.name.clone())).collect();
    let staff: Vec<(i64, String)> = state
        .store
        .list_users(&actor)
        .await?
        .into_iter()
        .filter(|u| matches!(u.role, Role::Admin | Role::Unit))
        .map(|u| {
            let unit = u
                .unit_id
                .and_then(|id| unit_names.get(&id).cloned())
                .unwrap_or_default();
            (u.id, format!("{} ({unit})", u.display_name))
        })
        .collect();
    let limits = state.store.problem_time_limits().await?;
    let routes = state.store.problem_routes().await?;
    let lines = Category::ALL
        .iter()
        .map(|c| LimitLine {
            code: c.as_str(),
            label: c.label(lang),
            limits: limits.for_category(*c),
            route: routes.iter().find(|r| r.category == *c).map_or_else(
                || c.default_department().to_string(),
                |r| r.unit_name.clone(),
            ),
        })
        .collect();
    let mut ctx = PageCtx::signed_in(&auth);
    if q.contains_key("saved") {
        ctx.flash = Some(crate::i18n::t(lang, "common.saved").to_string());
    }
    let page = SettingsPage {
        ctx,
        contacts: state
            .store
            .service_contacts(&actor)
            .await?
            .into_iter()
            .map(|c| {
                let options = staff
                    .iter()
                    .map(|(id, name)| (*id, name.clone(), Some(*id) == c.user_id))
                    .collect();
                (c.enterprise_id, c.enterprise_name, options)
            })
            .collect(),
        lines,
        departments: units
            .into_iter()
            .filter(|u| u.kind == "department")
            .map(|u| (u.id, u.name))
            .collect(),
    };
    Ok(render(&page).into_response())
}

#[derive(Deserialize)]
pub(super) struct ContactForm {
    enterprise_id: String,
    #[serde(default)]
    user_id: String,
}

pub(super) async fn settings_contact(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<ContactForm>,
) -> PageResult {
    let user = if f.user_id.trim().is_empty() {
        None
    } else {
        Some(parse_id("企服责任人", &f.user_id)?)
    };
    state
        .store
        .set_service_contact(&auth.actor(), parse_id("企业", &f.enterprise_id)?, user)
        .await?;
    Ok(Redirect::to("/problems/settings?saved=1").into_response())
}

#[derive(Deserialize)]
pub(super) struct RouteForm {
    category: String,
    unit_id: String,
}

pub(super) fn category_field(s: &str) -> Result<Category, WebError> {
    Category::parse(s.trim()).ok_or_else(|| WebError::BadRequest(format!("类别: \"{s}\" 无效")))
}

pub(super) async fn settings_route(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<RouteForm>,
) -> PageResult {
    state
        .store
        .set_problem_route(
            &auth.actor(),
            category_field(&f.category)?,
            parse_id("县级部门", &f.unit_id)?,
        )
        .await?;
    Ok(Redirect::to("/problems/settings?saved=1").into_response())
}

#[derive(Deserialize)]
pub(super) struct LimitsForm {
    category: String,
    accept_days: String,
    answer_days: String,
    close_days: String,
}

pub(super) async fn settings_limits(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<LimitsForm>,
) -> PageResult {
    let n = |field: &str, v: &str| -> Result<u32, WebError> {
        v.trim()
            .parse()
            .map_err(|_| WebError::BadRequest(format!("{field}: \"{}\" 不是整数", v.trim())))
    };
    let limits = TimeLimits::new(
        n("受理时限", &f.accept_days)?,
        n("答复时限", &f.answer_days)?,
        n("办结时限", &f.close_days)?,
    )
    .map_err(WebError::BadRequest)?;
    state
        .store
        .set_problem_time_limits(&auth.actor(), category_field(&f.category)?, limits)
        .await?;
    Ok(Redirect::to("/problems/settings?saved=1").into_response())
}

pub(super) async fn sweep(State(state): State<AppState>, _office: Office) -> PageResult {
    let report = state.store.sweep_problem_deadlines(today()).await?;
    LAST_SWEEP.store(qx_store::now(), Ordering::Relaxed);
    crate::webhook::dispatch_notices(state.store.clone(), report.notices);
    Ok(Redirect::to("/problems?flag=overdue").into_response())
}
