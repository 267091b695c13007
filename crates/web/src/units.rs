//! The unit registry's pages: the list, a unit's card with its contact and users, new units.

use crate::auth::{Auth, Office};
use crate::form::{FieldErrors, Fields, Form, Query, invalid};
use crate::i18n::{self, Lang};
use crate::pages::{PageCtx, flash_from, render, split_list};
use crate::users::{UserLine, user_line};
use crate::{AppState, WebError};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use qx_core::label::Labelled;
use qx_core::units::UnitKind;
use qx_store::units::{NewUnit, UnitUpdate};
use serde::Deserialize;
use std::collections::HashMap;

type PageResult = Result<Response, WebError>;

pub struct UnitRow {
    id: i64,
    pub(crate) name: String,
    pub(crate) full_name: String,
    pub(crate) kind_label: &'static str,
    pub(crate) region_code: String,
    pub(crate) aliases: String,
    pub(crate) contact: String,
    active: bool,
}

#[derive(Template)]
#[template(path = "units/list.html")]
struct UnitsPage {
    ctx: PageCtx,
    units: Vec<UnitRow>,
    kinds: Vec<(&'static str, &'static str)>,
    kind: String,
    q: String,
    export_query: String,
    is_admin: bool,
}

/// The units the list shows for its query (`kind=`, `q=`), and the kind's name as filtered
/// (empty for all): the page and its export read the same rows.
pub(crate) async fn unit_rows(
    state: &AppState,
    lang: Lang,
    q: &HashMap<String, String>,
) -> Result<(Vec<UnitRow>, String), WebError> {
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
        .filter(|u| kind.is_empty() || u.kind.as_str() == kind)
        .map(|u| {
            let aliases = by_unit.get(&u.id).map(|a| a.join("、")).unwrap_or_default();
            UnitRow {
                id: u.id,
                kind_label: u.kind.label(lang),
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
    let kind_shown = if kind.is_empty() {
        String::new()
    } else {
        UnitKind::parse(&kind)
            .map_or("?", |k| k.label(lang))
            .to_string()
    };
    Ok((units, kind_shown))
}

pub async fn units_list(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    let lang = auth.ctx.lang;
    let (units, _) = unit_rows(&state, lang, &q).await?;
    let kind = q.get("kind").cloned().unwrap_or_default();
    let search = q.get("q").map(|s| s.trim().to_string()).unwrap_or_default();
    let export_query =
        serde_urlencoded::to_string([("q", &search), ("kind", &kind)]).unwrap_or_default();
    let page = UnitsPage {
        ctx: PageCtx::signed_in(&auth),
        units,
        kinds: kind_options(lang),
        kind,
        q: search,
        export_query,
        is_admin: auth.actor().is_admin(),
    };
    Ok(render(&page).into_response())
}

#[derive(Template)]
#[template(path = "units/detail.html")]
struct UnitPage {
    ctx: PageCtx,
    unit: qx_store::units::Unit,
    kind_label: &'static str,
    aliases: String,
    kinds: Vec<(&'static str, &'static str)>,
    can_edit_contact: bool,
    is_admin: bool,
    users: Vec<UserLine>,
    /// The registry form: the unit as stored, or what was typed with its errors.
    values: Fields,
    errors: FieldErrors,
}

pub async fn unit_detail(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    let page = unit_page(&state, &auth, id, None).await?;
    Ok(render(&UnitPage {
        ctx: page.ctx.with_flash(flash_from(&q, auth.ctx.lang)),
        ..page
    }))
}

/// A unit's card; its registry form holds `typed` (what was sent, with its errors) or the
/// unit as stored.
async fn unit_page(
    state: &AppState,
    auth: &Auth,
    id: i64,
    typed: Option<(Fields, FieldErrors)>,
) -> Result<UnitPage, WebError> {
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
            .filter(|u| u.profile.unit_id == Some(id))
            .map(|u| user_line(lang, u, &unit.name))
            .collect()
    } else {
        Vec::new()
    };
    let (values, errors) = typed.unwrap_or_else(|| {
        let mut values = Fields::default();
        values.set("name", unit.name.as_str());
        values.set("full_name", unit.full_name.as_str());
        values.set("kind", unit.kind.as_str());
        values.set("region_code", unit.region_code.clone().unwrap_or_default());
        values.set("aliases", aliases.as_str());
        if unit.active != 0 {
            values.set("active", "1");
        }
        (values, FieldErrors::new(lang))
    });
    Ok(UnitPage {
        ctx: PageCtx::signed_in(auth),
        kind_label: unit.kind.label(lang),
        aliases,
        kinds: kind_options(lang),
        can_edit_contact: actor.can_write_unit(id),
        is_admin: actor.is_admin(),
        users,
        unit,
        values,
        errors,
    })
}

/// The registry form read into an update, each problem recorded beside its field: a kind
/// from the list, both names, a 区划代码 of 6, 9 or 12 digits (full-width digits read as
/// digits) or none.
fn read_unit(f: &Fields, errors: &mut FieldErrors) -> Option<UnitUpdate> {
    let lang = errors.lang();
    let t = |k: &'static str| i18n::t(lang, k);
    let kind = f.choice("kind", t("unit.kind"), UnitKind::parse, errors);
    let name = f.required("name", t("unit.name"), errors);
    let full_name = f.required("full_name", t("unit.full_name"), errors);
    let code = qx_core::text::halfwidth(f.get("region_code"));
    let region_code = if code.is_empty() {
        Some(None)
    } else if matches!(code.len(), 6 | 9 | 12) && code.bytes().all(|b| b.is_ascii_digit()) {
        Some(Some(code))
    } else {
        let message = t("unit.region_code_invalid")
            .replace("{label}", t("unit.region_code"))
            .replace("{value}", f.get("region_code"));
        errors.add("region_code", message);
        None
    };
    let update = UnitUpdate {
        kind: kind?,
        name,
        full_name,
        region_code: region_code?,
        aliases: split_list(f.get("aliases")),
        active: !f.get("active").is_empty(),
    };
    errors.is_empty().then_some(update)
}

/// The fields of the registry form a store refusal may name ("简称: …").
fn unit_labels(lang: Lang) -> [(&'static str, &'static str); 4] {
    let t = |k: &'static str| i18n::t(lang, k);
    [
        ("name", t("unit.name")),
        ("full_name", t("unit.full_name")),
        ("region_code", t("unit.region_code")),
        ("aliases", t("unit.aliases")),
    ]
}

pub async fn unit_update(
    State(state): State<AppState>,
    auth: Office,
    Path(id): Path<i64>,
    form: Fields,
) -> PageResult {
    let lang = auth.ctx.lang;
    let mut errors = FieldErrors::new(lang);
    if let Some(update) = read_unit(&form, &mut errors) {
        match state.store.update_unit(&auth.actor(), id, &update).await {
            Ok(()) => return Ok(Redirect::to(&format!("/units/{id}?saved=1")).into_response()),
            Err(e) => errors.absorb(e.into(), &unit_labels(lang))?,
        }
    }
    Ok(invalid(
        &unit_page(&state, &auth, id, Some((form, errors))).await?,
    ))
}

#[derive(Template)]
#[template(path = "units/new.html")]
struct UnitNewPage {
    ctx: PageCtx,
    kinds: Vec<(&'static str, &'static str)>,
    values: Fields,
    errors: FieldErrors,
}

pub async fn unit_new(auth: Office) -> PageResult {
    let mut values = Fields::default();
    values.set("active", "1");
    let page = UnitNewPage {
        ctx: PageCtx::signed_in(&auth),
        kinds: kind_options(auth.ctx.lang),
        values,
        errors: FieldErrors::new(auth.ctx.lang),
    };
    Ok(render(&page).into_response())
}

pub async fn unit_create(State(state): State<AppState>, auth: Office, form: Fields) -> PageResult {
    let lang = auth.ctx.lang;
    let mut errors = FieldErrors::new(lang);
    if let Some(u) = read_unit(&form, &mut errors) {
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
        match state.store.create_unit(&auth.actor(), &new).await {
            Ok(id) => return Ok(Redirect::to(&format!("/units/{id}?saved=1")).into_response()),
            Err(e) => errors.absorb(e.into(), &unit_labels(lang))?,
        }
    }
    Ok(invalid(&UnitNewPage {
        ctx: PageCtx::signed_in(&auth),
        kinds: kind_options(lang),
        values: form,
        errors,
    }))
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

fn kind_options(lang: Lang) -> Vec<(&'static str, &'static str)> {
    UnitKind::ALL
        .iter()
        .map(|k| (k.as_str(), k.label(lang)))
        .collect()
}
