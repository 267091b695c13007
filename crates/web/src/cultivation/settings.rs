//! The office's settings of one pipeline: name, criteria, the rule over the facts, the
//! responsible unit, the validity, each stage's name and policy, and a stage added at the end.
//! Errors are shown on the form with what was typed kept.

use super::PageResult;
use crate::AppState;
use crate::auth::{Auth, Office};
use crate::form::{FieldErrors, Fields};
use crate::i18n::{self, Lang};
use crate::pages::{PageCtx, render};
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;
use qx_store::cultivation::{Pipeline, PipelineEdit, StageEdit};

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/cultivation/pipelines/{id}/settings", get(show).post(save))
}

pub struct StageRow {
    index: usize,
}

#[derive(Template)]
#[template(path = "cultivation/settings.html")]
struct SettingsPage {
    ctx: PageCtx,
    pipeline: Pipeline,
    stages: Vec<StageRow>,
    units: Vec<(i64, String)>,
    values: Fields,
    errors: FieldErrors,
    saved: bool,
}

/// The form's fields for a stored pipeline, its rule written in the reader's language.
fn fields_of(p: &Pipeline, lang: Lang) -> Fields {
    let mut f = Fields::default();
    f.set("name", p.name.clone());
    f.set("criteria", p.criteria.clone());
    f.set("rule", p.rule.map(|r| r.written(lang)).unwrap_or_default());
    f.set(
        "unit",
        p.responsible_unit_id
            .map(|u| u.to_string())
            .unwrap_or_default(),
    );
    f.set(
        "validity",
        p.validity_years.map(|v| v.to_string()).unwrap_or_default(),
    );
    for (i, s) in p.stages.iter().enumerate() {
        f.set(&format!("stage_{i}_name"), s.name.clone());
        f.set(&format!("stage_{i}_policy"), s.policy_text.clone());
        f.set(
            &format!("stage_{i}_amount"),
            s.policy_amount_wan.clone().unwrap_or_default(),
        );
    }
    f
}

async fn page(
    state: &AppState,
    auth: &Auth,
    pipeline: Pipeline,
    values: Fields,
    errors: FieldErrors,
    saved: bool,
) -> PageResult {
    let units = crate::pages::unit_choices(&state.store).await?;
    let page = SettingsPage {
        ctx: PageCtx::signed_in(auth),
        stages: pipeline
            .stages
            .iter()
            .enumerate()
            .map(|(index, _)| StageRow { index })
            .collect(),
        pipeline,
        units,
        values,
        errors,
        saved,
    };
    Ok(render(&page))
}

async fn show(
    State(state): State<AppState>,
    auth: Office,
    Path(id): Path<i64>,
    axum::extract::Query(q): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> PageResult {
    let p = state.store.cultivation_pipeline(id).await?;
    let values = fields_of(&p, auth.ctx.lang);
    page(
        &state,
        &auth,
        p,
        values,
        FieldErrors::new(auth.ctx.lang),
        q.contains_key("saved"),
    )
    .await
}

async fn save(
    State(state): State<AppState>,
    auth: Office,
    Path(id): Path<i64>,
    form: Fields,
) -> PageResult {
    let lang = auth.ctx.lang;
    let t = |k: &'static str| i18n::t(lang, k);
    let p = state.store.cultivation_pipeline(id).await?;
    let mut errors = FieldErrors::new(lang);
    let validity = form.optional_number::<i64>("validity", t("cv.validity"), &mut errors);
    let unit = form.get("unit").parse().ok();
    let mut stages: Vec<StageEdit> = p
        .stages
        .iter()
        .enumerate()
        .map(|(i, s)| StageEdit {
            id: Some(s.id),
            name: form.get(&format!("stage_{i}_name")).to_string(),
            policy_text: form.get(&format!("stage_{i}_policy")).to_string(),
            policy_amount: form.get(&format!("stage_{i}_amount")).to_string(),
        })
        .collect();
    stages.push(StageEdit {
        id: None,
        name: form.get("new_name").to_string(),
        policy_text: form.get("new_policy").to_string(),
        policy_amount: form.get("new_amount").to_string(),
    });
    if let (Some(validity), true) = (validity, errors.is_empty()) {
        let edit = PipelineEdit {
            name: form.get("name").to_string(),
            criteria: form.get("criteria").to_string(),
            rule: form.get("rule").to_string(),
            responsible_unit_id: unit,
            validity_years: validity,
            stages,
        };
        match state
            .store
            .update_cultivation_pipeline(&auth.actor(), id, &edit)
            .await
        {
            Ok(()) => {
                return Ok(
                    Redirect::to(&format!("/cultivation/pipelines/{id}/settings?saved=1"))
                        .into_response(),
                );
            }
            Err(e) => errors.absorb(
                e.into(),
                &[
                    ("name", "名称"),
                    ("criteria", "说明"),
                    ("rule", "数据规则"),
                    ("validity", "有效期"),
                ],
            )?,
        }
    }
    Ok(crate::form::shown_again(
        page(&state, &auth, p, form, errors, false).await?,
    ))
}
