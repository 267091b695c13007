//! The office's scheme editor: the year's latest versions, and a form whose JSON is validated
//! by `Scheme::from_json` (the error beside the field names the scheme's field, what was
//! typed kept); saving makes a new version.

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
use qx_core::label::Labelled;
use serde::Deserialize;

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/assessment/schemes", get(show).post(save))
}

pub struct SchemeLine {
    name: String,
    /// 季度 / 年度 (empty when the stored body cannot be read).
    cadence: &'static str,
    version: i64,
    body: String,
}

#[derive(Template)]
#[template(path = "assessment/schemes.html")]
struct SchemesPage {
    ctx: PageCtx,
    year: i32,
    schemes: Vec<SchemeLine>,
    values: Fields,
    errors: FieldErrors,
}

#[derive(Deserialize)]
pub(super) struct YearQuery {
    year: Option<i32>,
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
            .map(|v| SchemeLine {
                cadence: v
                    .scheme()
                    .map(|s| s.cadence.label(auth.ctx.lang))
                    .unwrap_or(""),
                name: v.name,
                version: v.version,
                body: v.body,
            })
            .collect(),
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
    let page = schemes_page(&state, &auth, q.year(), Fields::default(), blank).await?;
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
        &schemes_page(&state, &auth, year, form, errors).await?,
    ))
}
