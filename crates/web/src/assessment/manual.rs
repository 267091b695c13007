//! The office's manual points (加分/扣分) for a year: the entries with their evidence files, a
//! form to add one for a unit (item, points, reason, evidence named and the file through
//! `web::upload`, checked by the one attachment rule in the store), and deleting one — both
//! until the year's result is final, as is editing an entry's points, reason and evidence
//! (`/assessment/manual/{id}/edit`). Errors show beside the field with what was typed kept.

use super::PageResult;
use super::schemes::{YearQuery, this_year};
use crate::auth::{Auth, County, Office};
use crate::form::{FieldErrors, Fields, Query, invalid};
use crate::pages::{PageCtx, render};
use crate::upload::{self, Limits};
use crate::{AppState, WebError, i18n};
use askama::Template;
use axum::Router;
use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use qx_core::assessment::{ItemKind, Source, UnitClass};
use qx_store::assessment::{ManualEdit, ManualEntry, ManualFile, NewManual};
use std::collections::HashMap;

/// One evidence file per entry, as large as a problem's attachment.
const MANUAL_UPLOAD: Limits = Limits::one_file("附件", qx_store::problems::MAX_ATTACHMENT_BYTES);

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/assessment/manual", get(show).post(add))
        .route("/assessment/manual/{id}/edit", get(edit_form).post(edit))
        .route("/assessment/manual/{id}/delete", post(delete))
        .route("/assessment/manual/{id}/file", get(file))
}

pub struct EntryLine {
    id: i64,
    unit: String,
    item: String,
    points: String,
    reason: String,
    evidence: String,
    filename: String,
}

pub struct Choice {
    value: String,
    label: String,
}

#[derive(Template)]
#[template(path = "assessment/manual.html")]
struct ManualPage {
    ctx: PageCtx,
    year: i32,
    open: bool,
    entries: Vec<EntryLine>,
    units: Vec<Choice>,
    items: Vec<Choice>,
    values: Fields,
    errors: FieldErrors,
}

async fn manual_page(
    state: &AppState,
    auth: &Auth,
    year: i32,
    values: Fields,
    errors: FieldErrors,
) -> Result<ManualPage, WebError> {
    let actor = auth.actor();
    let all_units = state.store.list_units().await?;
    let names: HashMap<i64, String> = all_units.iter().map(|u| (u.id, u.name.clone())).collect();
    let mut items: Vec<Choice> = Vec::new();
    let mut item_names: HashMap<String, String> = HashMap::new();
    for v in state.store.assessment_schemes(year).await? {
        let Ok(scheme) = v.scheme() else { continue };
        for i in scheme.items {
            let manual = i.source == Source::Manual || i.kind != ItemKind::Core;
            if manual && !item_names.contains_key(&i.key) {
                item_names.insert(i.key.clone(), i.name.clone());
                items.push(Choice {
                    label: format!("{} ({})", i.name, scheme.name),
                    value: i.key,
                });
            }
        }
        // A 一票否决 decided by manual points is entered here too, under its key.
        let veto = i18n::t(auth.ctx.lang, "as.veto_choice");
        for x in scheme.vetoes {
            if x.source == Source::Manual && !item_names.contains_key(&x.key) {
                item_names.insert(x.key.clone(), format!("{veto}: {}", x.name));
                items.push(Choice {
                    label: format!("{veto}: {} ({})", x.name, scheme.name),
                    value: x.key,
                });
            }
        }
    }
    let entries = state
        .store
        .assessment_manual(&actor, year)
        .await?
        .into_iter()
        .map(|e| EntryLine {
            id: e.id,
            unit: names.get(&e.unit_id).cloned().unwrap_or_default(),
            item: item_names
                .get(&e.item_key)
                .cloned()
                .unwrap_or_else(|| e.item_key.clone()),
            points: format!("{:+.1}", e.points),
            reason: e.reason,
            evidence: e.evidence,
            filename: e.filename.unwrap_or_default(),
        })
        .collect();
    let open = state
        .store
        .final_assessment_run(&year.to_string())
        .await?
        .is_none();
    Ok(ManualPage {
        ctx: PageCtx::signed_in(auth),
        year,
        open,
        entries,
        units: all_units
            .into_iter()
            .filter(|u| UnitClass::of(u.kind).is_some())
            .map(|u| Choice {
                value: u.id.to_string(),
                label: u.name,
            })
            .collect(),
        items,
        values,
        errors,
    })
}

async fn show(
    State(state): State<AppState>,
    auth: Office,
    Query(q): Query<YearQuery>,
) -> PageResult {
    let blank = FieldErrors::new(auth.ctx.lang);
    let page = manual_page(&state, &auth, q.year(), Fields::default(), blank).await?;
    Ok(render(&page))
}

async fn add(State(state): State<AppState>, auth: Office, form: Multipart) -> PageResult {
    let lang = auth.ctx.lang;
    let mut errors = FieldErrors::new(lang);
    // A file refused while reading (too large) is said beside the file field, with the score,
    // reason and basis typed kept.
    let up = upload::read(form, &MANUAL_UPLOAD).await?;
    let values = Fields::from(&up);
    for m in &up.refused {
        errors.add("file", m.as_str());
    }
    let file = up.into_file();
    let year = values.number::<i32>("year", i18n::t(lang, "as.year"), &mut errors);
    let unit_id = values.number::<i64>("unit", i18n::t(lang, "as.unit"), &mut errors);
    let item_key = values.required("item", i18n::t(lang, "as.item"), &mut errors);
    let points = values.number::<f64>("points", i18n::t(lang, "as.points"), &mut errors);
    if let (Some(year), Some(unit_id), Some(points), true) =
        (year, unit_id, points, errors.is_empty())
    {
        let new = NewManual {
            year,
            unit_id,
            item_key,
            points,
            reason: values.get("reason").to_string(),
            evidence: values.get("evidence").to_string(),
            file: file.map(|f| ManualFile {
                filename: f.name.to_string(),
                data: f.data,
            }),
        };
        match state.store.add_assessment_manual(&auth.actor(), &new).await {
            Ok(_) => {
                return Ok(Redirect::to(&format!("/assessment/manual?year={year}")).into_response());
            }
            // The attachment rule names the file ("附件 \"x.exe\": …"): beside the file field.
            Err(e) => errors.absorb(
                e.into(),
                &[
                    ("file", "附件"),
                    ("item", "项目"),
                    ("points", "分值"),
                    ("reason", "理由"),
                    ("evidence", "依据"),
                ],
            )?,
        }
    }
    let year = year.unwrap_or_else(this_year);
    Ok(invalid(
        &manual_page(&state, &auth, year, values, errors).await?,
    ))
}

async fn delete(
    State(state): State<AppState>,
    auth: Office,
    Path(id): Path<i64>,
    form: Fields,
) -> PageResult {
    let year = form.get("year").parse().unwrap_or_else(|_| this_year());
    let mut errors = FieldErrors::new(auth.ctx.lang);
    match state
        .store
        .delete_assessment_manual(&auth.actor(), id)
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/assessment/manual?year={year}")).into_response()),
        Err(e) => {
            errors.absorb(e.into(), &[])?;
            Ok(invalid(
                &manual_page(&state, &auth, year, Fields::default(), errors).await?,
            ))
        }
    }
}

/// An entry's evidence file: the office and leaders any, a unit its own.
async fn file(State(state): State<AppState>, auth: County, Path(id): Path<i64>) -> PageResult {
    let f = state
        .store
        .assessment_manual_file(&auth.actor(), id)
        .await?;
    Ok(crate::download::attachment(
        f.data,
        &f.filename,
        &f.content_type,
    ))
}

#[derive(Template)]
#[template(path = "assessment/manual_edit.html")]
struct EditPage {
    ctx: PageCtx,
    id: i64,
    year: i64,
    unit: String,
    item: String,
    values: Fields,
    errors: FieldErrors,
}

async fn edit_page(
    state: &AppState,
    auth: &Auth,
    entry: &ManualEntry,
    values: Fields,
    errors: FieldErrors,
) -> Result<EditPage, WebError> {
    let unit = state
        .store
        .list_units()
        .await?
        .into_iter()
        .find(|u| u.id == entry.unit_id)
        .map(|u| u.name)
        .unwrap_or_default();
    Ok(EditPage {
        ctx: PageCtx::signed_in(auth),
        id: entry.id,
        year: entry.year,
        unit,
        item: entry.item_key.clone(),
        values,
        errors,
    })
}

/// The edit form, filled with the entry as stored (the office only).
async fn edit_form(State(state): State<AppState>, auth: Office, Path(id): Path<i64>) -> PageResult {
    let entry = state
        .store
        .assessment_manual_entry(&auth.actor(), id)
        .await?;
    let mut values = Fields::default();
    values.set("points", entry.points.to_string());
    values.set("reason", entry.reason.clone());
    values.set("evidence", entry.evidence.clone());
    let errors = FieldErrors::new(auth.ctx.lang);
    Ok(render(
        &edit_page(&state, &auth, &entry, values, errors).await?,
    ))
}

async fn edit(
    State(state): State<AppState>,
    auth: Office,
    Path(id): Path<i64>,
    values: Fields,
) -> PageResult {
    let lang = auth.ctx.lang;
    let entry = state
        .store
        .assessment_manual_entry(&auth.actor(), id)
        .await?;
    let mut errors = FieldErrors::new(lang);
    let points = values.number::<f64>("points", i18n::t(lang, "as.points"), &mut errors);
    if let (Some(points), true) = (points, errors.is_empty()) {
        let change = ManualEdit {
            points,
            reason: values.get("reason").to_string(),
            evidence: values.get("evidence").to_string(),
        };
        match state
            .store
            .update_assessment_manual(&auth.actor(), id, &change)
            .await
        {
            Ok(()) => {
                return Ok(
                    Redirect::to(&format!("/assessment/manual?year={}", entry.year))
                        .into_response(),
                );
            }
            Err(e) => errors.absorb(
                e.into(),
                &[("points", "分值"), ("reason", "理由"), ("evidence", "依据")],
            )?,
        }
    }
    Ok(invalid(
        &edit_page(&state, &auth, &entry, values, errors).await?,
    ))
}
