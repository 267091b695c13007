//! The versioned scheme editor of a data year. A scheme refused (TOML that does not read, a
//! rule the evaluation cannot apply) comes back with the problems beside the text and both the
//! text and the note as typed.

use super::{FIRST_DATA_YEAR, PageResult};
use crate::AppState;
use crate::auth::Auth;
use crate::auth::{CountyReader, Office};
use crate::form::Fields;
use crate::form::Query;
use crate::pages::{PageCtx, fmt_time};
use askama::Template;
use axum::Router;
use axum::extract::State;
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
    /// The note as typed, when saving was refused.
    note: String,
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
    let typed = Typed {
        year,
        text,
        note: String::new(),
    };
    scheme_page(
        &state,
        &auth,
        typed,
        version.is_none(),
        Vec::new(),
        q.saved.is_some(),
    )
    .await
}

/// The scheme form's text and note for a year: as stored, or as typed.
struct Typed {
    year: i64,
    text: String,
    note: String,
}

async fn scheme_page(
    state: &AppState,
    auth: &Auth,
    typed: Typed,
    is_default: bool,
    errors: Vec<String>,
    saved: bool,
) -> PageResult {
    let errors = crate::i18n::localised(errors, auth.ctx.lang);
    let Typed { year, text, note } = typed;
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
    let refused = !errors.is_empty();
    let page = SchemePage {
        ctx,
        year,
        text,
        note,
        is_default,
        versions,
        errors,
        is_admin: auth.actor().is_admin(),
    };
    Ok(crate::form::answer(&page, refused))
}

async fn scheme_save(State(state): State<AppState>, auth: Office, f: Fields) -> PageResult {
    let lang = auth.ctx.lang;
    let year: i64 = f.get("year").parse().map_err(|_| {
        crate::WebError::BadRequest(crate::i18n::t(lang, "form.unreadable").to_string())
    })?;
    let typed = Typed {
        year,
        text: f.get("toml").to_string(),
        note: f.get("note").to_string(),
    };
    let errors = if typed.text.is_empty() {
        let label = crate::i18n::t(lang, "ent.scheme");
        let mut errors = crate::form::FieldErrors::new(lang);
        errors.required("toml", label);
        errors.messages().into_iter().map(str::to_string).collect()
    } else {
        match ev::save_config(&state.store, &auth.actor(), year, &typed.text, &typed.note).await {
            Ok(_) => {
                return Ok(
                    Redirect::to(&format!("/enterprises/scheme?year={year}&saved=1"))
                        .into_response(),
                );
            }
            Err(AppError::Rows(rows)) => rows,
            Err(e) => match crate::WebError::from(e) {
                crate::WebError::BadRequest(m) => vec![m],
                other => return Err(other),
            },
        }
    };
    scheme_page(&state, &auth, typed, false, errors, false).await
}
