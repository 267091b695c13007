//! The versioned scheme editor of a data year.

use super::{FIRST_DATA_YEAR, PageResult};
use crate::AppState;
use crate::auth::Auth;
use crate::auth::{CountyReader, Office};
use crate::form::Form;
use crate::pages::{PageCtx, fmt_time, render};
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;
use qx_app::AppError;
use qx_app::evaluation as ev;
use serde::Deserialize;

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/enterprises/scheme", get(scheme).post(scheme_save))
}

// ---- the scheme ----

#[derive(Deserialize)]
struct SchemeQuery {
    year: Option<i64>,
    saved: Option<String>,
}

pub struct VersionView {
    version: i64,
    name: String,
    note: String,
    at: String,
}

#[derive(Template)]
#[template(path = "enterprises/scheme.html")]
struct SchemePage {
    ctx: PageCtx,
    year: i64,
    text: String,
    is_default: bool,
    versions: Vec<VersionView>,
    errors: Vec<String>,
    is_admin: bool,
}

async fn scheme(
    State(state): State<AppState>,
    auth: CountyReader,
    Query(q): Query<SchemeQuery>,
) -> PageResult {
    let year = q.year.unwrap_or(FIRST_DATA_YEAR);
    let (text, version) = ev::config_for_year(&state.store, year).await?;
    scheme_page(
        &state,
        &auth,
        year,
        text,
        version.is_none(),
        Vec::new(),
        q.saved.is_some(),
    )
    .await
}

async fn scheme_page(
    state: &AppState,
    auth: &Auth,
    year: i64,
    text: String,
    is_default: bool,
    errors: Vec<String>,
    saved: bool,
) -> PageResult {
    let versions = state
        .store
        .scheme_versions(year)
        .await?
        .into_iter()
        .map(|v| VersionView {
            version: v.version,
            name: v.name,
            note: v.note,
            at: fmt_time(v.created_at),
        })
        .collect();
    let mut ctx = PageCtx::signed_in(auth);
    if saved {
        ctx.flash = Some(crate::i18n::t(auth.ctx.lang, "ent.saved").to_string());
    }
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let page = SchemePage {
        ctx,
        year,
        text,
        is_default,
        versions,
        errors,
        is_admin: auth.actor().is_admin(),
    };
    Ok((status, render(&page)).into_response())
}

#[derive(Deserialize)]
struct SchemeForm {
    year: i64,
    toml: String,
    #[serde(default)]
    note: String,
}

async fn scheme_save(
    State(state): State<AppState>,
    auth: Office,
    Form(f): Form<SchemeForm>,
) -> PageResult {
    match ev::save_config(&state.store, &auth.actor(), f.year, &f.toml, &f.note).await {
        Ok(_) => Ok(
            Redirect::to(&format!("/enterprises/scheme?year={}&saved=1", f.year)).into_response(),
        ),
        Err(AppError::Rows(rows)) => {
            scheme_page(&state, &auth, f.year, f.toml, false, rows, false).await
        }
        Err(e) => Err(e.into()),
    }
}
