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
    /// The department the category goes to: as stored, or as chosen when saving it failed.
    route: String,
    route_error: Option<String>,
}

pub struct ContactLine {
    enterprise_id: i64,
    name: String,
    /// The staff with the current (or, when saving failed, the chosen) 企服责任人 selected.
    staff: Vec<StaffOption>,
    error: Option<String>,
}

/// Which of the page's forms was refused.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Which {
    Contact,
    Route,
    Limits,
}

/// A form that was refused: which, its row (enterprise id or category code), what was typed,
/// what is wrong.
pub(super) struct Failed {
    which: Which,
    row: String,
    values: Fields,
    errors: FieldErrors,
}

impl Failed {
    /// The refused form of `which` in `row`, taken out of `failed` (each row takes its own).
    fn take(failed: &mut Option<Failed>, which: Which, row: &str) -> Option<Failed> {
        failed.take_if(|f| f.which == which && f.row == row)
    }

    /// The message beside `field`, or the form's first general one.
    fn message(&self, field: &str) -> Option<String> {
        self.errors
            .get(field)
            .or_else(|| self.errors.general().first().copied())
            .map(str::to_string)
    }
}

#[derive(Template)]
#[template(path = "problems/settings.html")]
pub(super) struct SettingsPage {
    ctx: PageCtx,
    /// (enterprise id, name, staff options with the current 企服责任人 selected)
    contacts: Vec<ContactLine>,
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
    mut failed: Option<Failed>,
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
        .filter(|u| matches!(u.profile.role, Role::Admin | Role::Unit))
        .map(|u| {
            let unit = u
                .profile
                .unit_id
                .and_then(|id| unit_names.get(&id).cloned())
                .unwrap_or_default();
            (u.id, format!("{} ({unit})", u.profile.display_name))
        })
        .collect();
    let limits = state.store.problem_time_limits().await?;
    let routes = state.store.problem_routes().await?;
    let lines = Category::ALL
        .iter()
        .map(|c| {
            let refused_route = Failed::take(&mut failed, Which::Route, c.as_str());
            let (values, errors) = match Failed::take(&mut failed, Which::Limits, c.as_str()) {
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
            let chosen = refused_route.as_ref().and_then(|f| {
                let id: i64 = f.values.get("unit_id").parse().ok()?;
                units.iter().find(|u| u.id == id).map(|u| u.name.clone())
            });
            LimitLine {
                code: c.as_str(),
                label: c.label(lang),
                values,
                errors,
                route: chosen.unwrap_or_else(|| {
                    routes.iter().find(|r| r.category == *c).map_or_else(
                        || c.default_department().to_string(),
                        |r| r.unit_name.clone(),
                    )
                }),
                route_error: refused_route.and_then(|f| f.message("unit_id")),
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
                let refused =
                    Failed::take(&mut failed, Which::Contact, &c.enterprise_id.to_string());
                let chosen = match &refused {
                    Some(f) => f.values.get("user_id").parse().ok(),
                    None => c.user_id,
                };
                ContactLine {
                    enterprise_id: c.enterprise_id,
                    name: c.enterprise_name,
                    staff: staff
                        .iter()
                        .map(|(id, name)| (*id, name.clone(), Some(*id) == chosen))
                        .collect(),
                    error: refused.and_then(|f| f.message("user_id")),
                }
            })
            .collect(),
        lines,
        departments: units
            .into_iter()
            .filter(|u| u.kind == qx_core::units::UnitKind::Department)
            .map(|u| (u.id, u.name))
            .collect(),
    };
    Ok(page)
}

/// Answers one row's form: `saved` is the store's answer, `None` when what was typed never
/// reached it. Saved: back to the page saying so. Otherwise the page again (400) with the
/// form's errors, or the store's refusal as `fields` name it, beside its row.
async fn answer_row(
    state: &AppState,
    auth: &Auth,
    mut failed: Failed,
    saved: Option<Result<(), WebError>>,
    fields: &[(&'static str, &str)],
) -> PageResult {
    match saved {
        Some(Ok(())) => return Ok(Redirect::to("/problems/settings?saved=1").into_response()),
        Some(Err(e)) => failed.errors.absorb(e, fields)?,
        None => {}
    }
    let page = settings_view(state, auth, false, Some(failed)).await?;
    Ok(crate::form::invalid(&page))
}

/// Sets an enterprise's 企服责任人 (or none); a refusal shows beside its row.
pub(super) async fn settings_contact(
    State(state): State<AppState>,
    auth: Office,
    f: Fields,
) -> PageResult {
    let lang = auth.ctx.lang;
    let enterprise_id: i64 = f.hidden("enterprise_id", lang, |id| id.parse().ok())?;
    let label = crate::i18n::t(lang, "pb.service_contact");
    let mut errors = FieldErrors::new(lang);
    let saved = match f.optional_number::<i64>("user_id", label, &mut errors) {
        Some(user) => Some(
            state
                .store
                .set_service_contact(&auth.actor(), enterprise_id, user)
                .await
                .map_err(WebError::from),
        ),
        None => None,
    };
    let failed = Failed {
        which: Which::Contact,
        row: enterprise_id.to_string(),
        values: f,
        errors,
    };
    answer_row(&state, &auth, failed, saved, &[("user_id", label)]).await
}

pub(super) fn category_field(s: &str) -> Result<Category, WebError> {
    Category::parse(s.trim()).ok_or_else(|| WebError::BadRequest(format!("类别: \"{s}\" 无效")))
}

/// Routes a category to a 县级部门; a refusal shows beside its row.
pub(super) async fn settings_route(
    State(state): State<AppState>,
    auth: Office,
    f: Fields,
) -> PageResult {
    let lang = auth.ctx.lang;
    let category = f.hidden("category", lang, Category::parse)?;
    let label = crate::i18n::t(lang, "pb.routes");
    let mut errors = FieldErrors::new(lang);
    let saved = match f.number::<i64>("unit_id", label, &mut errors) {
        Some(unit) => Some(
            state
                .store
                .set_problem_route(&auth.actor(), category, unit)
                .await
                .map_err(WebError::from),
        ),
        None => None,
    };
    let failed = Failed {
        which: Which::Route,
        row: category.as_str().to_string(),
        values: f,
        errors,
    };
    answer_row(&state, &auth, failed, saved, &[("unit_id", label)]).await
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
    let saved = match (accept, answer, close) {
        (Some(a), Some(b), Some(c)) => Some(match TimeLimits::new(a, b, c) {
            Ok(limits) => state
                .store
                .set_problem_time_limits(&auth.actor(), category, limits)
                .await
                .map_err(WebError::from),
            Err(m) => Err(WebError::BadRequest(m)),
        }),
        _ => None,
    };
    let failed = Failed {
        which: Which::Limits,
        row: category.as_str().to_string(),
        values: f,
        errors,
    };
    answer_row(&state, &auth, failed, saved, &[]).await
}

pub(super) async fn sweep(State(state): State<AppState>, _office: Office) -> PageResult {
    let report = state.store.sweep_problem_deadlines(today()).await?;
    LAST_SWEEP.store(qx_store::now(), Ordering::Relaxed);
    crate::webhook::dispatch_notices(state.store.clone(), report.notices);
    Ok(Redirect::to("/problems?flag=overdue").into_response())
}
