//! The registry page: the scoped, filtered list, the registry and yearly-facts imports and
//! their Excel templates.

use super::{PageResult, RegistryQuery, XLSX, f2, newest_data_year, scale_options, towns};
use crate::auth::Auth;
use crate::auth::Office;
use crate::download::attachment;
use crate::form::Query;
use crate::pages::PageCtx;
use crate::upload;
use crate::{AppState, WebError, jobs};
use askama::Template;
use axum::Router;
use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use qx_app::AppError;
use qx_app::enterprise_import;
use qx_store::enterprises::TAGS;
use serde::Deserialize;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/enterprises", get(list))
        .route("/enterprises/import", post(import))
        .route("/enterprises/template/{kind}", get(template))
}

/// The list's own query beside its filters ([`RegistryQuery`]): the page and the flash after
/// an import.
#[derive(Deserialize, Default)]
struct ListQuery {
    page: Option<i64>,
    imported: Option<String>,
}

pub struct EntRow {
    id: i64,
    code: String,
    name: String,
    town: String,
    industry: String,
    scale_key: &'static str,
    land: String,
    tags: String,
}

#[derive(Template)]
#[template(path = "enterprises/list.html")]
struct ListPage {
    ctx: PageCtx,
    rows: Vec<EntRow>,
    total: i64,
    page: i64,
    pages: i64,
    q: String,
    town: i64,
    industry: String,
    scale: String,
    /// The scale filter's choices: code and label key.
    scales: Vec<(&'static str, &'static str)>,
    tag: String,
    towns: Vec<(i64, String)>,
    tags: Vec<&'static str>,
    years: Vec<(i64, i64)>,
    is_admin: bool,
    errors: Vec<String>,
    default_year: i64,
}

const PAGE: i64 = 100;

async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Query(filters): Query<RegistryQuery>,
    Query(q): Query<ListQuery>,
) -> PageResult {
    list_page(&state, &auth, &filters, q, Vec::new()).await
}

async fn list_page(
    state: &AppState,
    auth: &Auth,
    filters: &RegistryQuery,
    q: ListQuery,
    errors: Vec<String>,
) -> PageResult {
    let errors = crate::i18n::localised(errors, auth.ctx.lang);
    let actor = auth.actor();
    let page = q.page.unwrap_or(1).max(1);
    let filter = filters.filter(PAGE, (page - 1) * PAGE);
    let (list, total) = state.store.search_enterprises(&actor, &filter).await?;
    let rows = list
        .into_iter()
        .map(|e| EntRow {
            id: e.id,
            code: e.credit_code,
            name: e.name,
            town: e.town_name.unwrap_or_default(),
            industry: e.industry_code.unwrap_or_default(),
            scale_key: super::scale_key(e.scale),
            land: f2(e.land_mu),
            tags: e.tags,
        })
        .collect();
    let towns = towns(state).await?;
    let years = if actor.reads_all() {
        state.store.fact_years().await?
    } else {
        Vec::new()
    };
    let mut ctx = PageCtx::signed_in(auth);
    if q.imported.is_some() {
        ctx.flash = Some(crate::i18n::t(auth.ctx.lang, "ent.imported").to_string());
    }
    let refused = !errors.is_empty();
    let page = ListPage {
        ctx,
        rows,
        total,
        page,
        pages: (total + PAGE - 1) / PAGE,
        town: filter.town_id.unwrap_or(0),
        q: filter.q,
        industry: filter.industry,
        scale: filter
            .scale
            .map_or("", qx_core::scale::Scale::as_str)
            .to_string(),
        scales: scale_options(),
        tag: filter.tag,
        towns,
        tags: TAGS.to_vec(),
        default_year: newest_data_year(&years),
        years,
        is_admin: actor.is_admin(),
        errors,
    };
    Ok(crate::form::answer(&page, refused))
}

/// A registry or facts file, within the importer's own limit, with its kind and data year.
const ENTERPRISE_UPLOAD: upload::Limits =
    upload::Limits::one_file("导入文件", qx_app::enterprise_import::MAX_FILE_BYTES);

async fn import(State(state): State<AppState>, auth: Office, form: Multipart) -> PageResult {
    let actor = auth.actor();
    let mut up = upload::read(form, &ENTERPRISE_UPLOAD).await?;
    let kind = up.field("kind").unwrap_or_default().to_string();
    let year = up.field("year").unwrap_or_default().to_string();
    let file = match up.the_file(auth.ctx.lang) {
        Ok(file) => file,
        Err(errors) => {
            let (q, page) = (RegistryQuery::default(), ListQuery::default());
            return list_page(&state, &auth, &q, page, errors).await;
        }
    };
    let (name, bytes) = (file.name.to_string(), file.data);
    let facts_year = match (kind == "facts").then(|| year.trim().parse::<i64>()) {
        None => None,
        Some(Ok(y)) => Some(y),
        Some(Err(_)) => {
            // Said in the page's list of problems, like the file's own.
            let errors = vec![format!("数据年度 \"{year}\" 不是有效年份 (not a year)")];
            let (q, page) = (RegistryQuery::default(), ListQuery::default());
            return list_page(&state, &auth, &q, page, errors).await;
        }
    };
    let store = state.store.clone();
    let wait = std::time::Duration::from_millis(state.config.job_wait_ms);
    let work = move |tracker: jobs::Tracker| async move {
        let progress = move |stage, rows| tracker.stage(stage, rows);
        let result = match facts_year {
            Some(year) => {
                enterprise_import::import_facts_with(&store, &actor, year, &bytes, &name, &progress)
                    .await
            }
            None => {
                enterprise_import::import_registry_with(&store, &actor, &bytes, &name, &progress)
                    .await
            }
        };
        match result {
            Ok(_) => Ok("/enterprises?imported=1".to_string()),
            Err(AppError::Rows(rows)) => Err(rows),
            Err(other) => Err(vec![other.to_string()]),
        }
    };
    match jobs::run(&state.jobs, &auth.session, auth.ctx.lang, wait, work).await? {
        Ok(Ok(next)) => Ok(Redirect::to(&next).into_response()),
        Ok(Err(errors)) => {
            list_page(
                &state,
                &auth,
                &RegistryQuery::default(),
                ListQuery::default(),
                errors,
            )
            .await
        }
        Err(progress_page) => Ok(progress_page),
    }
}

#[derive(Deserialize, Default)]
struct TemplateQuery {
    /// Facts: the data year whose scheme decides the 加减分 / 一票否决 columns.
    year: Option<i64>,
}

async fn template(
    State(state): State<AppState>,
    _office: Office,
    Path(kind): Path<String>,
    Query(q): Query<TemplateQuery>,
) -> PageResult {
    let (bytes, file) = match kind.trim_end_matches(".xlsx") {
        "registry" => (
            qx_app::enterprise_import::registry_template(),
            "enterprise-registry.xlsx".to_string(),
        ),
        "facts" => {
            let year = match q.year {
                Some(y) => y,
                None => newest_data_year(&state.store.fact_years().await?),
            };
            (
                qx_app::enterprise_import::facts_template(&state.store, year).await,
                format!("enterprise-facts-{year}.xlsx"),
            )
        }
        _ => return Err(WebError::NotFound(kind)),
    };
    Ok(attachment(bytes?, &file, XLSX))
}
