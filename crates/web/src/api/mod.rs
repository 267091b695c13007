//! The JSON API (`/api/v1/…`) for the whole model, and its OpenAPI document at
//! `/api/openapi.json`. Same session, same guards and the same store reads (so the same data
//! scope) as the pages; state-changing calls need the `X-CSRF-Token` header (the token is in
//! `GET /api/v1/me`).
//!
//! One error shape (`problem`: RFC 9457 problem+json), one pagination style (`page`: `limit`
//! and an opaque `cursor`), one file per module.

mod accounts;
mod assessments;
mod bulletins;
mod cultivation;
mod enterprises;
mod leads;
mod meetings;
mod messages;
pub mod page;
mod plans;
pub mod problem;
mod problems;
mod projects;
mod submissions;

pub use messages::MESSAGES;
pub use problem::{ApiError, Problem, ProblemError, problem_layer};

use crate::AppState;
use crate::i18n::Lang;
use axum::routing::{any, get, post, put};
use axum::{Json, Router};
use page::{Page, Paging};
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use utoipa::OpenApi;

pub(crate) type ApiResult<T> = Result<Json<T>, ApiError>;

/// `limit` and `cursor`, as every list takes them: a handler reads them as a `Query<PageQuery>`
/// of its own beside its filters' query, never copied field by field.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Rows per page, 1–500 (default 50).
    pub limit: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl PageQuery {
    pub fn paging<K: Serialize + DeserializeOwned>(
        &self,
        lang: Lang,
    ) -> Result<Paging<K>, ApiError> {
        Paging::read(self.limit.as_deref(), self.cursor.as_deref(), lang)
    }

    /// A page of `rows` in ascending `key` order.
    pub fn page<T, K>(
        &self,
        rows: Vec<T>,
        key: impl Fn(&T) -> K,
        lang: Lang,
    ) -> Result<Page<T>, ApiError>
    where
        K: Serialize + DeserializeOwned + Ord + Clone,
    {
        Ok(self.paging(lang)?.page(rows, key))
    }

    /// A list of the first version of the API: the whole array when neither `limit` nor
    /// `cursor` is sent (as it always answered), a page otherwise.
    pub fn list<T, K>(
        &self,
        rows: Vec<T>,
        key: impl Fn(&T) -> K,
        lang: Lang,
    ) -> Result<Listed<T>, ApiError>
    where
        K: Serialize + DeserializeOwned + Ord + Clone,
    {
        if self.limit.is_none() && self.cursor.is_none() {
            let mut rows = rows;
            rows.sort_by_key(|r| key(r));
            return Ok(Listed::Whole(rows));
        }
        Ok(Listed::Paged(self.page(rows, key, lang)?))
    }
}

/// The answer of a list that predates pagination (see [`PageQuery::list`]).
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum Listed<T> {
    Whole(Vec<T>),
    Paged(Page<T>),
}

/// A JSON body's values as the form fields the pages read (numbers and booleans as their
/// text), so a write over the API is checked by the very code that checks the form.
pub(crate) fn fields_of(body: serde_json::Map<String, serde_json::Value>) -> crate::form::Fields {
    crate::form::Fields::new(
        body.into_iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| (k, v.as_str().map_or_else(|| v.to_string(), str::to_string)))
            .collect(),
    )
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Qiangxian (强县) API",
        description = "工业强县工作推进系统 JSON API. Sign in through /login; the session cookie authenticates API calls. \
            Every error is `application/problem+json` (RFC 9457) with `title` in the caller's language (Accept-Language, \
            else the account's; Chinese by default) and `errors` naming each field at fault. Every list takes `limit` \
            (1–500, default 50) and the opaque `cursor` of the previous page's `next_cursor`."
    ),
    paths(
        accounts::me,
        accounts::units,
        accounts::unit,
        accounts::put_unit_contact,
        accounts::users,
        accounts::user,
        accounts::audit,
        accounts::calendar,
        problems::api_list,
        problems::api_create,
        problems::api_get,
        problems::api_step,
        problems::api_rates,
        plans::list,
        plans::get_plan,
        plans::picture,
        submissions::latest,
        submissions::get_submission,
        submissions::save_draft,
        submissions::submit,
        submissions::review,
        bulletins::list,
        bulletins::get_bulletin,
        bulletins::file,
        enterprises::list,
        enterprises::get_enterprise,
        enterprises::facts,
        enterprises::runs,
        enterprises::run_results,
        projects::list,
        projects::create,
        projects::get_project,
        projects::move_stage,
        projects::leads,
        projects::lead,
        cultivation::pipelines,
        cultivation::entries,
        cultivation::entry,
        cultivation::candidates,
        meetings::list,
        meetings::get_meeting,
        meetings::supervision_list,
        meetings::supervision_get,
        meetings::supervision_step,
        assessments::runs,
        assessments::run,
        assessments::ranking,
        assessments::breakdown,
        leads::create,
        leads::decide,
        projects::dispatch,
        cultivation::enter,
        cultivation::move_entry,
    ),
    components(schemas(
        Problem,
        ProblemError,
        accounts::AccountDto,
        accounts::MeDto,
        accounts::UnitDto,
        accounts::UserDto,
        accounts::AuditDto,
        accounts::CalendarDayDto,
        accounts::ContactDto,
        problems::ProblemListDto,
        problems::ProblemRowDto,
        problems::NewProblemDto,
        problems::CreatedDto,
        submissions::ReportBody,
        submissions::FigureLine,
        submissions::TaskLine,
        submissions::NoFigureLine,
        submissions::ReviewBody,
        projects::StageBody,
        meetings::StepBody,
    ))
)]
pub struct ApiDoc;

async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

/// Any other path under `/api/`: not found, as problem+json.
async fn no_such_endpoint() -> ApiError {
    ApiError::from(crate::WebError::NotFound("API".into()))
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/openapi.json", get(openapi))
        .route("/api/v1/me", get(accounts::me))
        .route("/api/v1/units", get(accounts::units))
        .route("/api/v1/units/{id}", get(accounts::unit))
        .route(
            "/api/v1/units/{id}/contact",
            put(accounts::put_unit_contact),
        )
        .route("/api/v1/users", get(accounts::users))
        .route("/api/v1/users/{id}", get(accounts::user))
        .route("/api/v1/audit", get(accounts::audit))
        .route("/api/v1/calendar/{year}", get(accounts::calendar))
        .route(
            "/api/v1/problems",
            get(problems::api_list).post(problems::api_create),
        )
        .route("/api/v1/problems/rates", get(problems::api_rates))
        .route("/api/v1/problems/{id}", get(problems::api_get))
        .route("/api/v1/problems/{id}/steps", post(problems::api_step))
        .route("/api/v1/plans", get(plans::list))
        .route("/api/v1/plans/{id}", get(plans::get_plan))
        .route("/api/v1/plans/{id}/picture", get(plans::picture))
        .route(
            "/api/v1/periods/{id}/report",
            get(submissions::latest).put(submissions::save_draft),
        )
        .route(
            "/api/v1/periods/{id}/report/submit",
            post(submissions::submit),
        )
        .route("/api/v1/submissions/{id}", get(submissions::get_submission))
        .route("/api/v1/submissions/{id}/review", post(submissions::review))
        .route("/api/v1/plans/{id}/bulletins", get(bulletins::list))
        .route("/api/v1/bulletins/{id}", get(bulletins::get_bulletin))
        .route(
            "/api/v1/bulletins/{id}/files/{format}",
            get(bulletins::file),
        )
        .route("/api/v1/enterprises", get(enterprises::list))
        .route("/api/v1/enterprises/{id}", get(enterprises::get_enterprise))
        .route("/api/v1/enterprises/{id}/facts", get(enterprises::facts))
        .route("/api/v1/evaluation/runs", get(enterprises::runs))
        .route(
            "/api/v1/evaluation/runs/{id}/results",
            get(enterprises::run_results),
        )
        .route(
            "/api/v1/projects",
            get(projects::list).post(projects::create),
        )
        .route("/api/v1/projects/{id}", get(projects::get_project))
        .route("/api/v1/projects/{id}/stage", post(projects::move_stage))
        .route("/api/v1/leads", get(projects::leads).post(leads::create))
        .route("/api/v1/leads/{id}/decision", post(leads::decide))
        .route("/api/v1/periods/{id}/dispatch", get(projects::dispatch))
        .route("/api/v1/leads/{id}", get(projects::lead))
        .route("/api/v1/cultivation/pipelines", get(cultivation::pipelines))
        .route(
            "/api/v1/cultivation/entries",
            get(cultivation::entries).post(cultivation::enter),
        )
        .route(
            "/api/v1/cultivation/entries/{id}/moves",
            post(cultivation::move_entry),
        )
        .route("/api/v1/cultivation/entries/{id}", get(cultivation::entry))
        .route(
            "/api/v1/cultivation/candidates",
            get(cultivation::candidates),
        )
        .route("/api/v1/meetings", get(meetings::list))
        .route("/api/v1/meetings/{id}", get(meetings::get_meeting))
        .route("/api/v1/supervision", get(meetings::supervision_list))
        .route("/api/v1/supervision/{id}", get(meetings::supervision_get))
        .route(
            "/api/v1/supervision/{id}/steps",
            post(meetings::supervision_step),
        )
        .route("/api/v1/assessments", get(assessments::runs))
        .route("/api/v1/assessments/{id}", get(assessments::run))
        .route(
            "/api/v1/assessments/{id}/ranking",
            get(assessments::ranking),
        )
        .route(
            "/api/v1/assessments/{id}/units/{unit}",
            get(assessments::breakdown),
        )
        .route("/api/{*rest}", any(no_such_endpoint))
        .layer(axum::middleware::from_fn(problem::remember_lang))
}
