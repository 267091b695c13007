//! 小升规 candidates: firms below scale near or past the line by their latest yearly facts, the
//! distance left, and for the office 纳入培育 (or 确认达到规模标准 for a firm past the line) and the
//! candidate floor. Nothing moves until a person accepts.

use super::{PageResult, wan};
use crate::AppState;
use crate::auth::{Auth, County, Office};
use crate::form::{FieldErrors, Fields};
use crate::i18n;
use crate::pages::{PageCtx, render};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use qx_core::cultivation::Candidacy;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/cultivation/candidates", get(show))
        .route("/cultivation/candidates/accept", post(accept))
        .route("/cultivation/candidates/floor", post(set_floor))
}

pub struct CandidateLine {
    enterprise_id: i64,
    name: String,
    code: String,
    town: String,
    industry: String,
    year: i64,
    revenue: String,
    /// Empty when past the line.
    distance: String,
    crossed: bool,
    stage: String,
}

#[derive(Template)]
#[template(path = "cultivation/candidates.html")]
struct CandidatesPage {
    ctx: PageCtx,
    lines: Vec<CandidateLine>,
    line: String,
    is_admin: bool,
    values: Fields,
    errors: FieldErrors,
    today: String,
}

async fn page(
    state: &AppState,
    auth: &Auth,
    mut values: Fields,
    errors: FieldErrors,
) -> PageResult {
    let actor = auth.actor();
    let candidates = state.store.cultivation_candidates(&actor).await?;
    let xsg = state.store.cultivation_pipeline_by_code("xsg").await?;
    if values.get("floor").is_empty() {
        values.set(
            "floor",
            wan(state.store.cultivation_candidate_floor().await?),
        );
    }
    let today = qx_core::time::format_date(qx_core::time::today());
    if values.get("on_date").is_empty() {
        values.set("on_date", today.clone());
    }
    let page = CandidatesPage {
        ctx: PageCtx::signed_in(auth),
        lines: candidates
            .into_iter()
            .map(|c| CandidateLine {
                enterprise_id: c.enterprise_id,
                name: c.name,
                code: c.credit_code,
                town: c.town_name.unwrap_or_default(),
                industry: c.industry_code.unwrap_or_default(),
                year: c.year,
                revenue: wan(c.revenue_wan),
                distance: match c.candidacy {
                    Candidacy::Approaching { distance } => wan(distance),
                    Candidacy::Crossed => String::new(),
                },
                crossed: c.candidacy == Candidacy::Crossed,
                stage: c.stage_name.unwrap_or_default(),
            })
            .collect(),
        line: xsg.rule.map(|r| wan(r.value)).unwrap_or_default(),
        is_admin: actor.is_admin(),
        values,
        errors,
        today,
    };
    Ok(render(&page))
}

async fn show(State(state): State<AppState>, auth: County) -> PageResult {
    page(
        &state,
        &auth,
        Fields::default(),
        FieldErrors::new(auth.ctx.lang),
    )
    .await
}

async fn accept(State(state): State<AppState>, auth: Office, form: Fields) -> PageResult {
    let lang = auth.ctx.lang;
    let mut errors = FieldErrors::new(lang);
    let date = form.date("on_date", i18n::t(lang, "cv.on_date"), &mut errors);
    let enterprise: Option<i64> = form.get("enterprise").parse().ok();
    if let (Some(date), Some(enterprise)) = (date, enterprise) {
        let on = qx_core::time::format_date(date);
        match state
            .store
            .accept_cultivation_candidate(&auth.actor(), enterprise, &on)
            .await
        {
            Ok(id) => {
                return Ok(Redirect::to(&format!("/cultivation/entries/{id}")).into_response());
            }
            Err(e) => errors.absorb(e.into(), &[("on_date", "日期")])?,
        }
    } else if enterprise.is_none() {
        errors.add_general(i18n::t(lang, "cv.no_candidates"));
    }
    Ok(crate::form::shown_again(
        page(&state, &auth, form, errors).await?,
    ))
}

async fn set_floor(State(state): State<AppState>, auth: Office, form: Fields) -> PageResult {
    let lang = auth.ctx.lang;
    let mut errors = FieldErrors::new(lang);
    let floor = form.number::<f64>("floor", i18n::t(lang, "cv.floor"), &mut errors);
    if let Some(floor) = floor {
        match state
            .store
            .set_cultivation_candidate_floor(&auth.actor(), floor)
            .await
        {
            Ok(()) => return Ok(Redirect::to("/cultivation/candidates").into_response()),
            Err(e) => errors.absorb(e.into(), &[("floor", "候选门槛")])?,
        }
    }
    Ok(crate::form::shown_again(
        page(&state, &auth, form, errors).await?,
    ))
}
