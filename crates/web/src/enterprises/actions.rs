//! What the office and enterprises do to a run: evaluate a year, export, 调档, 公示,
//! finalize, object and answer. A form refused for what was typed (an empty reason, a date
//! that is not one, a class not in the scheme) shows its page again with the message beside
//! the field and what was typed kept ([`FormState`]).

use super::card::card_page;
use super::evaluation::{EvalQuery, evaluation_page};
use super::{PageResult, XLSX};
use crate::AppState;
use crate::auth::Auth;
use crate::auth::{Office, OfficeOrEnterprise};
use crate::download::attachment;
use crate::form::Query;
use crate::form::{FieldErrors, Fields};
use crate::i18n::t;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use qx_app::evaluation as ev;
use std::borrow::Borrow;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/enterprises/evaluation/run", post(run))
        .route("/enterprises/evaluation/{run}/export.xlsx", get(export))
        .route(
            "/enterprises/evaluation/{run}/override",
            post(override_class),
        )
        .route("/enterprises/evaluation/{run}/publicity", post(publicity))
        .route("/enterprises/evaluation/{run}/finalize", post(finalize))
        .route("/enterprises/evaluation/{run}/objection", post(object))
        .route("/enterprises/objections/{id}", post(answer))
}

/// A refused form: which one (its name and the run or objection it belongs to), what was
/// typed and what is wrong.
struct Refused {
    form: &'static str,
    target: i64,
    values: Fields,
    errors: FieldErrors,
}

/// The card's and the evaluation page's forms (a page passes each form's run or objection id
/// as it has it, by value or by reference): all fresh, or one shown again as refused.
#[derive(Default)]
pub struct FormState(Option<Refused>);

impl FormState {
    fn refused(form: &'static str, target: i64, values: Fields, errors: FieldErrors) -> Self {
        FormState(Some(Refused {
            form,
            target,
            values,
            errors,
        }))
    }

    pub fn is_refused(&self) -> bool {
        self.0.is_some()
    }

    fn of(&self, form: &str, target: i64) -> Option<&Refused> {
        self.0
            .as_ref()
            .filter(|r| r.form == form && r.target == target)
    }

    /// What `name` of the form shows: as typed when the form was refused, else `fresh`.
    pub fn value<'a>(
        &'a self,
        form: &str,
        target: impl Borrow<i64>,
        name: &str,
        fresh: &'a str,
    ) -> &'a str {
        self.of(form, *target.borrow())
            .map_or(fresh, |r| r.values.get(name))
    }

    /// The message beside `name`, if the form was refused for it.
    pub fn error(&self, form: &str, target: impl Borrow<i64>, name: &str) -> Option<&str> {
        self.of(form, *target.borrow())
            .and_then(|r| r.errors.get(name))
    }

    /// The messages about the whole form, and the line pointing at the fields.
    pub fn general(&self, form: &str, target: impl Borrow<i64>) -> Vec<&str> {
        self.of(form, *target.borrow()).map_or_else(Vec::new, |r| {
            r.errors
                .summary()
                .into_iter()
                .chain(r.errors.general())
                .collect()
        })
    }
}

async fn run(State(state): State<AppState>, auth: Office, f: Fields) -> PageResult {
    let mut errors = FieldErrors::new(auth.ctx.lang);
    let label = t(auth.ctx.lang, "ent.data_year");
    if let Some(year) = f.number::<i64>("year", label, &mut errors) {
        match ev::run_year(&state.store, &auth.actor(), year).await {
            Ok(summary) => {
                return Ok(Redirect::to(&format!(
                    "/enterprises/evaluation?run={}&ran=1",
                    summary.run_id
                ))
                .into_response());
            }
            Err(e) => errors.absorb(e.into(), &[("year", label)])?,
        }
    }
    let q = EvalQuery::of(f.get("year").parse().ok(), None);
    let form = FormState::refused("run", 0, f, errors);
    evaluation_page(&state, &auth, q, form).await
}

async fn export(
    State(state): State<AppState>,
    auth: Auth,
    Path(run_id): Path<i64>,
    Query(q): Query<EvalQuery>,
) -> PageResult {
    let actor = auth.actor();
    let run = state.store.get_run(&actor, run_id).await?;
    let filter = q.filter(&ev::policy_of(&run));
    let bytes = ev::export_run(&state.store, &actor, run_id, &filter).await?;
    Ok(attachment(
        bytes,
        &format!("evaluation-{}-{}.xlsx", run.year, run.id),
        XLSX,
    ))
}

async fn override_class(
    State(state): State<AppState>,
    auth: Office,
    Path(run_id): Path<i64>,
    f: Fields,
) -> PageResult {
    let lang = auth.ctx.lang;
    let mut errors = FieldErrors::new(lang);
    let enterprise_id = f.hidden("enterprise_id", lang, |id| id.parse().ok())?;
    let run = state.store.get_run(&auth.actor(), run_id).await?;
    let classes = ev::classes_of(&run);
    let class_label = t(lang, "ent.class");
    let class = f.choice(
        "class",
        class_label,
        |c| classes.iter().find(|k| *k == c).cloned(),
        &mut errors,
    );
    let reason_label = t(lang, "ent.reason");
    let reason = f.required("reason", reason_label, &mut errors);
    if !reason.is_empty() && reason.chars().count() < 2 {
        errors.add("reason", t(lang, "ent.reason_short"));
    }
    if let (Some(class), true) = (class, errors.is_empty()) {
        match state
            .store
            .override_class(&auth.actor(), run_id, enterprise_id, &class, &reason)
            .await
        {
            Ok(()) => {
                return Ok(Redirect::to(&format!("/enterprises/{enterprise_id}")).into_response());
            }
            Err(e) => errors.absorb(
                e.into(),
                &[("class", class_label), ("reason", reason_label)],
            )?,
        }
    }
    let form = FormState::refused("override", run_id, f, errors);
    card_page(&state, &auth, enterprise_id, form).await
}

async fn publicity(
    State(state): State<AppState>,
    auth: Office,
    Path(run_id): Path<i64>,
    f: Fields,
) -> PageResult {
    let lang = auth.ctx.lang;
    let mut errors = FieldErrors::new(lang);
    let from = f.date("from", t(lang, "ent.from"), &mut errors);
    let to = f.date("to", t(lang, "ent.to"), &mut errors);
    if let (Some(from), Some(to)) = (from, to) {
        if to < from {
            errors.add("to", t(lang, "ent.to_before_from"));
        } else {
            let (from, to) = (
                qx_core::time::format_date(from),
                qx_core::time::format_date(to),
            );
            match state
                .store
                .start_publicity(&auth.actor(), run_id, &from, &to)
                .await
            {
                Ok(()) => return Ok(to_run(run_id)),
                Err(e) => errors.absorb(e.into(), &[])?,
            }
        }
    }
    let q = EvalQuery::of(None, Some(run_id));
    let form = FormState::refused("publicity", run_id, f, errors);
    evaluation_page(&state, &auth, q, form).await
}

async fn finalize(
    State(state): State<AppState>,
    auth: Office,
    Path(run_id): Path<i64>,
) -> PageResult {
    state.store.finalize_run(&auth.actor(), run_id).await?;
    Ok(to_run(run_id))
}

/// Back to the evaluation page of run `run` (公示 started, 终审 done).
fn to_run(run: i64) -> axum::response::Response {
    Redirect::to(&Back::Evaluation(Some(run)).path()).into_response()
}

async fn object(
    State(state): State<AppState>,
    auth: OfficeOrEnterprise,
    Path(run_id): Path<i64>,
    f: Fields,
) -> PageResult {
    let lang = auth.ctx.lang;
    let mut errors = FieldErrors::new(lang);
    let enterprise_id = f.hidden("enterprise_id", lang, |id| id.parse().ok())?;
    let label = t(lang, "ent.objection_text");
    let text = f.required("text", label, &mut errors);
    if errors.is_empty() {
        match state
            .store
            .submit_objection(&auth.actor(), run_id, enterprise_id, &text)
            .await
        {
            Ok(_) => {
                return Ok(Redirect::to(&format!("/enterprises/{enterprise_id}")).into_response());
            }
            Err(e) => errors.absorb(e.into(), &[("text", label)])?,
        }
    }
    let form = FormState::refused("objection", run_id, f, errors);
    card_page(&state, &auth, enterprise_id, form).await
}

/// Where an answer goes back to: the card or the evaluation page it was given on.
enum Back {
    Card(i64),
    Evaluation(Option<i64>),
}

impl Back {
    fn of(back: &str) -> Back {
        if let Some(run) = back.strip_prefix("/enterprises/evaluation") {
            Back::Evaluation(run.strip_prefix("?run=").and_then(|r| r.parse().ok()))
        } else {
            match back.strip_prefix("/enterprises/").map(str::parse) {
                Some(Ok(id)) => Back::Card(id),
                _ => Back::Evaluation(None),
            }
        }
    }

    fn path(&self) -> String {
        match self {
            Back::Card(id) => format!("/enterprises/{id}"),
            Back::Evaluation(Some(run)) => format!("/enterprises/evaluation?run={run}"),
            Back::Evaluation(None) => "/enterprises/evaluation".to_string(),
        }
    }
}

async fn answer(
    State(state): State<AppState>,
    auth: Office,
    Path(id): Path<i64>,
    f: Fields,
) -> PageResult {
    let lang = auth.ctx.lang;
    let mut errors = FieldErrors::new(lang);
    let back = Back::of(f.get("back"));
    let accept = f.choice(
        "decision",
        t(lang, "ent.decision"),
        |d| match d {
            "accept" => Some(true),
            "reject" => Some(false),
            _ => None,
        },
        &mut errors,
    );
    let label = t(lang, "ent.reply");
    let reply = f.required("reply", label, &mut errors);
    if let (Some(accept), true) = (accept, errors.is_empty()) {
        match state
            .store
            .answer_objection(&auth.actor(), id, accept, &reply)
            .await
        {
            Ok(()) => return Ok(Redirect::to(&back.path()).into_response()),
            Err(e) => errors.absorb(e.into(), &[("reply", label)])?,
        }
    }
    let form = FormState::refused("answer", id, f, errors);
    match back {
        Back::Card(enterprise_id) => card_page(&state, &auth, enterprise_id, form).await,
        Back::Evaluation(run) => {
            evaluation_page(&state, &auth, EvalQuery::of(None, run), form).await
        }
    }
}
