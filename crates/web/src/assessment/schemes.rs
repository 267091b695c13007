//! The year's 考核方案: each latest version in words (who is scored, each item's full marks and
//! rule, vetoes, caps), links to the form that edits one (`scheme_form`), and the JSON box for
//! pasting or copying a whole scheme, validated by `Scheme::from_json` (the error beside the box
//! names the scheme's field, what was typed kept). Saving either way makes a new version.

use super::PageResult;
use crate::auth::{Auth, Office};
use crate::form::{FieldErrors, Fields, Query, invalid};
use crate::pages::{PageCtx, render};
use crate::{AppState, WebError};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;
use qx_core::assessment::Scheme;
use qx_core::label::{Labelled, Lang};
use serde::Deserialize;

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/assessment/schemes", get(show).post(save))
}

pub struct SchemeLine {
    id: i64,
    name: String,
    /// 季度 / 年度 (empty when the stored body cannot be read).
    cadence: &'static str,
    version: i64,
    /// The scheme in words; `None` when the stored body cannot be read (its JSON still shows).
    view: Option<SchemeView>,
    body: String,
}

/// A scheme as the office and the units read it: who is scored, each item's full marks and
/// rule, the vetoes and the caps, in the reader's language.
pub struct SchemeView {
    classes: String,
    sub_class: String,
    members: String,
    base: f64,
    core_total: f64,
    items: Vec<ItemLine>,
    vetoes: Vec<VetoLine>,
    bonus_cap: Option<f64>,
    deduction_cap: Option<f64>,
    rescale_missing: bool,
}

pub struct ItemLine {
    name: String,
    kind: &'static str,
    weight: f64,
    source: &'static str,
    rule: String,
    min_count: u32,
}

pub struct VetoLine {
    name: String,
    rule: String,
}

impl SchemeView {
    fn of(s: &Scheme, lang: Lang) -> SchemeView {
        SchemeView {
            classes: s
                .classes
                .iter()
                .map(|c| c.label(lang))
                .collect::<Vec<_>>()
                .join("、"),
            sub_class: s.sub_class.clone().unwrap_or_default(),
            members: s.members.join("、"),
            base: s.base,
            core_total: s.core_total(),
            items: s
                .items
                .iter()
                .map(|i| ItemLine {
                    name: i.name.clone(),
                    kind: i.kind.label(lang),
                    weight: i.weight,
                    source: i.source.label(lang),
                    rule: i.method.describe(lang),
                    min_count: i.min_count,
                })
                .collect(),
            vetoes: s
                .vetoes
                .iter()
                .map(|v| VetoLine {
                    name: v.name.clone(),
                    rule: v.describe(lang),
                })
                .collect(),
            bonus_cap: s.bonus_cap,
            deduction_cap: s.deduction_cap,
            rescale_missing: s.rescale_missing,
        }
    }
}

#[derive(Template)]
#[template(path = "assessment/schemes.html")]
struct SchemesPage {
    ctx: PageCtx,
    year: i32,
    schemes: Vec<SchemeLine>,
    /// A scheme was just saved from the form.
    saved: bool,
    values: Fields,
    errors: FieldErrors,
}

#[derive(Deserialize)]
pub(super) struct YearQuery {
    year: Option<i32>,
    #[serde(default)]
    saved: Option<String>,
}

impl YearQuery {
    /// The year the link asks for; this year when it names none.
    pub(super) fn year(&self) -> i32 {
        self.year.unwrap_or_else(this_year)
    }
}

async fn schemes_page(
    state: &AppState,
    auth: &Auth,
    year: i32,
    saved: bool,
    mut values: Fields,
    errors: FieldErrors,
) -> Result<SchemesPage, WebError> {
    let versions = state.store.assessment_schemes(year).await?;
    if values.get("body").is_empty() {
        let start = versions
            .first()
            .map(|v| v.body.clone())
            .unwrap_or_else(|| qx_app::assessment::bulletin_schemes(year)[0].to_json());
        values.set("body", start);
    }
    Ok(SchemesPage {
        ctx: PageCtx::signed_in(auth),
        year,
        schemes: versions
            .into_iter()
            .map(|v| {
                let scheme = v.scheme().ok();
                SchemeLine {
                    id: v.id,
                    cadence: scheme
                        .as_ref()
                        .map_or("", |s| s.cadence.label(auth.ctx.lang)),
                    view: scheme.as_ref().map(|s| SchemeView::of(s, auth.ctx.lang)),
                    name: v.name,
                    version: v.version,
                    body: v.body,
                }
            })
            .collect(),
        saved,
        values,
        errors,
    })
}

pub(super) fn this_year() -> i32 {
    qx_core::time::today().year()
}

async fn show(
    State(state): State<AppState>,
    auth: Office,
    Query(q): Query<YearQuery>,
) -> PageResult {
    let blank = FieldErrors::new(auth.ctx.lang);
    let saved = q.saved.is_some();
    let page = schemes_page(&state, &auth, q.year(), saved, Fields::default(), blank).await?;
    Ok(render(&page))
}

async fn save(State(state): State<AppState>, auth: Office, form: Fields) -> PageResult {
    let mut errors = FieldErrors::new(auth.ctx.lang);
    match Scheme::from_json(form.get("body")) {
        Ok(scheme) => match state
            .store
            .save_assessment_scheme(&auth.actor(), &scheme)
            .await
        {
            Ok(_) => {
                return Ok(
                    Redirect::to(&format!("/assessment/schemes?year={}", scheme.year))
                        .into_response(),
                );
            }
            // "name: …" (a name already used by the other cadence) is said beside the JSON.
            Err(e) => errors.absorb(e.into(), &[("body", "name")])?,
        },
        Err(e) => errors.add("body", e.to_string()),
    }
    let year = form.get("year").parse().unwrap_or_else(|_| this_year());
    Ok(invalid(
        &schemes_page(&state, &auth, year, false, form, errors).await?,
    ))
}
