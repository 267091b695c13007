//! Official lists in (the office only): the upload form (which list, which stage, the date the
//! list was published, the file), then the review page of the pending import — rows matched by
//! code or name, rows to choose among close names, rows that cannot be matched, each with its
//! row and column — and 确认导入 (asked before) or 放弃. Nothing is entered before 确认导入.

use super::PageResult;
use crate::auth::{Auth, Office};
use crate::form::{FieldErrors, Fields};
use crate::i18n;
use crate::pages::{PageCtx, render};
use crate::upload;
use crate::{AppState, WebError};
use askama::Template;
use axum::Router;
use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use qx_core::label::Labelled;
use qx_store::cultivation::{Applied, ListImport, RowMatch};
use std::collections::HashMap;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/cultivation/imports", get(form).post(upload_list))
        .route("/cultivation/imports/{id}", get(review))
        .route("/cultivation/imports/{id}/apply", post(apply))
        .route("/cultivation/imports/{id}/discard", post(discard))
}

/// The list file within the lists' own limit, with its stage and date.
const LIST_UPLOAD: upload::Limits =
    upload::Limits::one_file("导入文件", qx_app::cultivation_list::MAX_LIST_BYTES);

#[derive(Template)]
#[template(path = "cultivation/import.html")]
struct FormPage {
    ctx: PageCtx,
    /// (stage id, "pipeline · stage")
    stages: Vec<(i64, String)>,
    values: Fields,
    errors: FieldErrors,
    today: String,
}

async fn form_page(
    state: &AppState,
    auth: &Auth,
    values: Fields,
    errors: FieldErrors,
) -> PageResult {
    let stages = state
        .store
        .cultivation_pipelines()
        .await?
        .into_iter()
        .flat_map(|p| {
            let name = p.name;
            p.stages
                .into_iter()
                .map(move |s| (s.id, format!("{name} · {}", s.name)))
        })
        .collect();
    let page = FormPage {
        ctx: PageCtx::signed_in(auth),
        stages,
        values,
        errors,
        today: qx_core::time::format_date(qx_core::time::today()),
    };
    Ok(render(&page))
}

async fn form(State(state): State<AppState>, auth: Office) -> PageResult {
    let mut values = Fields::default();
    values.set(
        "on_date",
        qx_core::time::format_date(qx_core::time::today()),
    );
    form_page(&state, &auth, values, FieldErrors::new(auth.ctx.lang)).await
}

async fn upload_list(State(state): State<AppState>, auth: Office, form: Multipart) -> PageResult {
    let lang = auth.ctx.lang;
    let t = |k: &'static str| i18n::t(lang, k);
    // Too large: said beside the file field, with the date and stage chosen kept.
    let up = upload::read(form, &LIST_UPLOAD).await?;
    let values = Fields::from(&up);
    let mut errors = FieldErrors::new(lang);
    for m in &up.refused {
        errors.add("file", m.as_str());
    }
    let date = values.date("on_date", t("cv.list_date"), &mut errors);
    let stage_id: Option<i64> = values.get("stage").parse().ok();
    let pipeline = match stage_id {
        Some(sid) => state
            .store
            .cultivation_pipelines()
            .await?
            .into_iter()
            .find(|p| p.position(sid).is_some()),
        None => None,
    };
    if pipeline.is_none() {
        errors.required("stage", t("cv.stage"));
    }
    let file = up.into_file();
    if file.is_none() && errors.get("file").is_none() {
        errors.required("file", t("cv.list_file"));
    }
    if let (Some(p), Some(sid), Some(date), Some(file), true) =
        (pipeline, stage_id, date, file, errors.is_empty())
    {
        let on = qx_core::time::format_date(date);
        let name = file.name.to_string();
        match qx_app::cultivation_list::stage_list(
            &state.store,
            &auth.actor(),
            p.id,
            sid,
            &on,
            &file.data,
            &name,
        )
        .await
        {
            Ok(id) => {
                return Ok(Redirect::to(&format!("/cultivation/imports/{id}")).into_response());
            }
            Err(e) => errors.absorb(
                e.into(),
                &[("on_date", "日期"), ("stage", "阶段"), ("file", "")],
            )?,
        }
    }
    Ok(crate::form::shown_again(
        form_page(&state, &auth, values, errors).await?,
    ))
}

/// One row on the review page.
pub struct ReviewLine {
    line: u64,
    name: String,
    code: String,
    certificate: String,
    on_date: String,
    /// What was found: the registry firm, or the problem.
    outcome: String,
    /// `ok`, `choose`, `bad` (a CSS class).
    class: &'static str,
    /// Close names to choose from: (enterprise id, "name code (score%)").
    proposals: Vec<(i64, String)>,
    notes: Vec<String>,
}

#[derive(Template)]
#[template(path = "cultivation/import_review.html")]
struct ReviewPage {
    ctx: PageCtx,
    import: ListImport,
    pipeline: String,
    stage: String,
    lines: Vec<ReviewLine>,
    matched: usize,
    to_choose: usize,
    unmatched: usize,
    applied: Option<Applied>,
    /// What became of a list already dealt with (已导入, 已放弃).
    decided: &'static str,
    errors: FieldErrors,
}

fn review_lines(import: &ListImport, lang: i18n::Lang) -> Vec<ReviewLine> {
    let t = |k: &'static str| i18n::t(lang, k);
    import
        .rows
        .iter()
        .map(|r| {
            let l = &r.line;
            let (outcome, class, proposals) = match &r.matched {
                RowMatch::ByCode {
                    enterprise_id,
                    name,
                } => (
                    format!("{} {name} (#{enterprise_id})", t("cv.by_code")),
                    "ok",
                    Vec::new(),
                ),
                RowMatch::ByName { credit_code, .. } => (
                    format!("{} {credit_code}", t("cv.by_name")),
                    "ok",
                    Vec::new(),
                ),
                RowMatch::Household => (t("cv.household").to_string(), "ok", Vec::new()),
                RowMatch::Choose { proposals, problem } => (
                    problem.clone(),
                    "choose",
                    proposals
                        .iter()
                        .map(|p| {
                            (
                                p.enterprise_id,
                                format!("{} {} ({}%)", p.name, p.credit_code, p.score),
                            )
                        })
                        .collect(),
                ),
                RowMatch::Unmatched { problem } => (problem.clone(), "bad", Vec::new()),
            };
            ReviewLine {
                line: l.line,
                name: l.name.clone(),
                code: if l.credit_code.is_empty() {
                    l.reg_no.clone()
                } else {
                    l.credit_code.clone()
                },
                certificate: l.certificate_no.clone(),
                on_date: l.on_date.clone().unwrap_or_default(),
                outcome,
                class,
                proposals,
                notes: r.notes.clone(),
            }
        })
        .collect()
}

async fn review_page(
    state: &AppState,
    auth: &Auth,
    id: i64,
    applied: Option<Applied>,
    errors: FieldErrors,
) -> PageResult {
    let import = state.store.cultivation_import(&auth.actor(), id).await?;
    let p = state.store.cultivation_pipeline(import.pipeline_id).await?;
    let stage = p
        .stages
        .iter()
        .find(|s| s.id == import.stage_id)
        .map(|s| s.name.clone())
        .unwrap_or_default();
    let lines = review_lines(&import, auth.ctx.lang);
    let count = |c: &str| lines.iter().filter(|l| l.class == c).count();
    let page = ReviewPage {
        ctx: PageCtx::signed_in(auth),
        pipeline: p.name,
        stage,
        matched: count("ok"),
        to_choose: count("choose"),
        unmatched: count("bad"),
        lines,
        decided: import.status.label(auth.ctx.lang),
        import,
        applied,
        errors,
    };
    Ok(render(&page))
}

async fn review(State(state): State<AppState>, auth: Office, Path(id): Path<i64>) -> PageResult {
    review_page(&state, &auth, id, None, FieldErrors::new(auth.ctx.lang)).await
}

async fn apply(
    State(state): State<AppState>,
    auth: Office,
    Path(id): Path<i64>,
    form: Fields,
) -> PageResult {
    let mut chosen = HashMap::new();
    let import = state.store.cultivation_import(&auth.actor(), id).await?;
    for r in &import.rows {
        if let Ok(e) = form.get(&format!("choose_{}", r.line.line)).parse::<i64>() {
            chosen.insert(r.line.line, e);
        }
    }
    let mut errors = FieldErrors::new(auth.ctx.lang);
    match state
        .store
        .apply_cultivation_import(&auth.actor(), id, &chosen)
        .await
    {
        Ok(done) => review_page(&state, &auth, id, Some(done), errors).await,
        Err(e) => {
            errors.absorb(WebError::from(e), &[])?;
            Ok(crate::form::shown_again(
                review_page(&state, &auth, id, None, errors).await?,
            ))
        }
    }
}

async fn discard(State(state): State<AppState>, auth: Office, Path(id): Path<i64>) -> PageResult {
    state
        .store
        .discard_cultivation_import(&auth.actor(), id)
        .await?;
    Ok(Redirect::to("/cultivation/imports").into_response())
}
