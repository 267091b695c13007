//! The office's settings of the module: 企服责任人, routing, time limits; and the manual sweep.

use super::*;

/// (user id, "name (unit)", selected)
pub(super) type StaffOption = (i64, String, bool);

pub struct LimitLine {
    code: &'static str,
    label: &'static str,
    /// The limits as stored, or as typed when saving them failed.
    values: Fields,
    errors: FieldErrors,
    route: String,
}

/// A limits form that was refused: its category, what was typed, what is wrong.
pub(super) struct FailedLimits {
    category: &'static str,
    values: Fields,
    errors: FieldErrors,
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
    let page = settings_view(&state, &auth, q.contains_key("saved"), None).await?;
    Ok(render(&page).into_response())
}

async fn settings_view(
    state: &AppState,
    auth: &Auth,
    saved: bool,
    mut failed: Option<FailedLimits>,
) -> Result<SettingsPage, WebError> {
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
        .map(|c| {
            let (values, errors) = match failed.take_if(|f| f.category == c.as_str()) {
                Some(f) => (f.values, f.errors),
                None => {
                    let l = limits.for_category(*c);
                    let values = Fields::new(vec![
                        ("accept_days".into(), l.accept_days.to_string()),
                        ("answer_days".into(), l.answer_days.to_string()),
                        ("close_days".into(), l.close_days.to_string()),
                    ]);
                    (values, FieldErrors::new(lang))
                }
            };
            LimitLine {
                code: c.as_str(),
                label: c.label(lang),
                values,
                errors,
                route: routes.iter().find(|r| r.category == *c).map_or_else(
                    || c.default_department().to_string(),
                    |r| r.unit_name.clone(),
                ),
            }
        })
        .collect();
    let mut ctx = PageCtx::signed_in(auth);
    if saved {
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
            .filter(|u| u.kind == qx_core::units::UnitKind::Department.as_str())
            .map(|u| (u.id, u.name))
            .collect(),
    };
    Ok(page)
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

/// Saves one category's time limits; a letter, an empty field or a limit out of range shows
/// the settings page again with the message beside the field and what was typed.
pub(super) async fn settings_limits(
    State(state): State<AppState>,
    auth: Office,
    f: Fields,
) -> PageResult {
    let lang = auth.ctx.lang;
    let category = category_field(f.get("category"))?;
    let t = |k| crate::i18n::t(lang, k);
    let mut errors = FieldErrors::new(lang);
    let accept = f.number::<u32>("accept_days", t("pb.accept_days"), &mut errors);
    let answer = f.number::<u32>("answer_days", t("pb.answer_days"), &mut errors);
    let close = f.number::<u32>("close_days", t("pb.close_days"), &mut errors);
    if let (Some(a), Some(b), Some(c)) = (accept, answer, close) {
        let saved = match TimeLimits::new(a, b, c) {
            Ok(limits) => state
                .store
                .set_problem_time_limits(&auth.actor(), category, limits)
                .await
                .map_err(WebError::from),
            Err(m) => Err(WebError::BadRequest(m)),
        };
        match saved {
            Ok(()) => return Ok(Redirect::to("/problems/settings?saved=1").into_response()),
            Err(e) => errors.absorb(e, &[])?,
        }
    }
    let failed = FailedLimits {
        category: category.as_str(),
        values: f,
        errors,
    };
    let page = settings_view(&state, &auth, false, Some(failed)).await?;
    Ok(crate::form::invalid(&page))
}

pub(super) async fn sweep(State(state): State<AppState>, _office: Office) -> PageResult {
    let report = state.store.sweep_problem_deadlines(today()).await?;
    LAST_SWEEP.store(qx_store::now(), Ordering::Relaxed);
    crate::webhook::dispatch_notices(state.store.clone(), report.notices);
    Ok(Redirect::to("/problems?flag=overdue").into_response())
}
