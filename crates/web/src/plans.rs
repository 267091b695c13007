//! 工作方案 pages: the list, upload (document or 任务分解表), the review page that shows the
//! source beside the extracted structure, publishing, and the Excel download.

use crate::auth::{Auth, Office};
use crate::download;
use crate::form::Query;
use crate::form::{FieldErrors, Fields, Form};
use crate::pages::{PageCtx, options};
use crate::upload;
use crate::{AppState, WebError};
use askama::Template;
use axum::Router;
use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use qx_app::AppError;
use qx_core::access::Actor;
use qx_core::indicator::{Comparator, IndicatorKind, TargetLevel};
use qx_core::label::Labelled;
use qx_core::state::PlanStatus;
use qx_core::units::TaskRole;
use qx_store::plans::{ItemEdit, Plan, PlanMeta, TargetEdit};
use serde::Deserialize;
use std::collections::HashMap;

type PageResult = Result<Response, WebError>;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/plans", get(list))
        .route("/plans/import", post(import))
        .route("/plans/{id}", get(show))
        .route("/plans/{id}/meta", post(save_meta))
        .route("/plans/{id}/items/{item}", post(save_item))
        .route("/plans/{id}/targets/{target}", post(save_target))
        .route("/plans/{id}/publish", post(publish))
        .route("/plans/{id}/delete", post(delete))
        .route("/plans/{id}/export.xlsx", get(export))
}

/// The tag colour of a plan's state in the list.
fn status_tag(status: PlanStatus) -> &'static str {
    match status {
        PlanStatus::Published => "green",
        PlanStatus::Draft => "yellow",
        PlanStatus::Withdrawn => "grey",
    }
}

/// The plan a page is about: `?plan=`, or the latest published one.
pub(crate) async fn chosen_plan(
    state: &AppState,
    actor: &Actor,
    q: &HashMap<String, String>,
) -> Result<Option<Plan>, WebError> {
    if let Some(id) = q.get("plan").and_then(|p| p.parse::<i64>().ok()) {
        return Ok(Some(state.store.get_plan(actor, id).await?));
    }
    Ok(state
        .store
        .list_plans(actor)
        .await?
        .into_iter()
        .find(|p| p.status == PlanStatus::Published))
}

pub struct PlanLine {
    id: i64,
    year: i64,
    title: String,
    doc_number: String,
    status_tag: &'static str,
    status_label: &'static str,
}

#[derive(Template)]
#[template(path = "plans/list.html")]
struct ListPage {
    ctx: PageCtx,
    plans: Vec<PlanLine>,
    is_admin: bool,
    errors: Vec<String>,
}

async fn list(State(state): State<AppState>, auth: Auth) -> PageResult {
    list_page(&state, &auth, Vec::new()).await
}

async fn list_page(state: &AppState, auth: &Auth, errors: Vec<String>) -> PageResult {
    let errors = crate::i18n::localised(errors, auth.ctx.lang);
    let actor = auth.actor();
    let plans = state
        .store
        .list_plans(&actor)
        .await?
        .into_iter()
        .map(|p| PlanLine {
            id: p.id,
            year: p.year,
            status_tag: status_tag(p.status),
            status_label: p.status.label(auth.ctx.lang),
            title: p.title,
            doc_number: p.doc_number,
        })
        .collect();
    let refused = !errors.is_empty();
    let page = ListPage {
        ctx: PageCtx::signed_in(auth),
        plans,
        is_admin: actor.is_admin(),
        errors,
    };
    Ok(crate::form::answer(&page, refused))
}

/// A plan document or workbook, within the parser's own limit.
const PLAN_UPLOAD: upload::Limits =
    upload::Limits::one_file("方案文件", qx_plan::MAX_INPUT_BYTES as usize);

async fn import(State(state): State<AppState>, auth: Office, form: Multipart) -> PageResult {
    let actor = auth.actor();
    let mut up = upload::read(form, &PLAN_UPLOAD).await?;
    let file = match up.the_file(auth.ctx.lang) {
        Ok(file) => file,
        Err(errors) => return list_page(&state, &auth, errors).await,
    };
    let (name, bytes) = (file.name.to_string(), file.data);
    let is_xlsx = name.to_lowercase().ends_with(".xlsx") || name.to_lowercase().ends_with(".xls");
    let result = if is_xlsx {
        qx_app::plan_excel::import_workbook(&state.store, &actor, &bytes, &name)
            .await
            .map(|id| (id, Vec::new()))
    } else {
        qx_app::plan_import::import_document(&state.store, &actor, &bytes, &name)
            .await
            .map(|i| (i.plan_id, i.warnings))
    };
    match result {
        Ok((id, _)) => Ok(Redirect::to(&format!("/plans/{id}?imported=1")).into_response()),
        Err(e) => {
            let errors = match e {
                AppError::Rows(rows) => rows,
                AppError::Store(s) => return Err(s.into()),
                other => vec![other.to_string()],
            };
            list_page(&state, &auth, errors).await
        }
    }
}

pub struct ItemView {
    id: i64,
    number: String,
    depth: i64,
    heading: String,
    text: String,
    deadline: String,
    lead: String,
    support: String,
    unknown: Vec<String>,
    line_first: i64,
}

pub struct TargetView {
    id: i64,
    section: String,
    text: String,
    name: String,
    value: String,
    value_max: String,
    unit: String,
    /// The comparator's code, the draft form's choice.
    comparator: &'static str,
    /// 不低于 / 不超过 / 左右: what the page shows.
    comparator_label: &'static str,
    kind: String,
    kind_label: &'static str,
    responsible: String,
    included: bool,
    /// What is wrong with the row as typed, beside its boxes (a refused save shown again).
    errors: Option<FieldErrors>,
}

impl TargetView {
    /// The message beside box `field`, when the row came back refused.
    fn error(&self, field: &str) -> Option<&str> {
        self.errors.as_ref().and_then(|e| e.get(field))
    }

    /// Messages of the refused row that belong to no one box.
    fn general_errors(&self) -> Vec<&str> {
        self.errors
            .as_ref()
            .map(|e| e.general())
            .unwrap_or_default()
    }

    /// The row as typed in a refused save, with what is wrong in it.
    fn retyped(&mut self, typed: &Fields, errors: FieldErrors) {
        self.name = typed.get("name").to_string();
        self.value = typed.get("value").to_string();
        self.value_max = typed.get("value_max").to_string();
        self.unit = typed.get("unit").to_string();
        if let Some(c) = Comparator::parse(typed.get("comparator")) {
            self.comparator = c.as_str();
        }
        self.kind = typed.get("kind").to_string();
        self.responsible = typed.get("responsible").to_string();
        self.included = !typed.get("included").is_empty();
        self.errors = Some(errors);
    }
}

/// A form of the plan's page that was refused, shown again as typed with what is wrong in it.
enum Retry {
    /// The metadata form.
    Meta(Fields, FieldErrors),
    /// One draft target's row (its id).
    Target(i64, Fields, FieldErrors),
}

/// The parse's confidence and the lines it could not place, for a draft under review.
pub struct ReviewView {
    confidence: u8,
    level_key: &'static str,
    reasons: Vec<String>,
    /// (line, text, reason)
    unplaced: Vec<(usize, String, String)>,
}

/// The parser writes its messages as `中文 / English` (the warning format of `qx plan parse`);
/// a page shows the half in its language.
fn in_lang(message: String, lang: crate::i18n::Lang) -> String {
    match (message.split_once(" / "), lang) {
        (Some((zh, _)), crate::i18n::Lang::Zh) => zh.trim().to_string(),
        (Some((_, en)), crate::i18n::Lang::En) => en.trim().to_string(),
        (None, _) => message,
    }
}

impl ReviewView {
    fn new(review: qx_plan::Review, lang: crate::i18n::Lang) -> Self {
        ReviewView {
            confidence: review.confidence,
            level_key: match review.level() {
                "high" => "plan.confidence.high",
                "medium" => "plan.confidence.medium",
                _ => "plan.confidence.low",
            },
            reasons: review
                .reasons
                .into_iter()
                .map(|r| in_lang(r, lang))
                .collect(),
            unplaced: review
                .unplaced
                .into_iter()
                .map(|u| (u.line, u.text, in_lang(u.reason, lang)))
                .collect(),
        }
    }
}

pub struct TaskView {
    number: String,
    title: String,
    text: String,
    lead: String,
    support: String,
    deadline: String,
}

#[derive(Template)]
#[template(path = "plans/show.html")]
struct ShowPage {
    ctx: PageCtx,
    /// The metadata form's values: the stored ones, or what was typed when it was refused.
    meta: Fields,
    meta_errors: FieldErrors,
    plan: qx_store::plans::Plan,
    status_label: &'static str,
    is_draft: bool,
    is_admin: bool,
    source: Vec<(usize, String)>,
    review: Option<ReviewView>,
    items: Vec<ItemView>,
    goals: Vec<TargetView>,
    task_targets: Vec<TargetView>,
    tasks: Vec<TaskView>,
    unknown_units: Vec<String>,
    kinds: Vec<(&'static str, &'static str)>,
    comparators: Vec<(&'static str, &'static str)>,
}

async fn show(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    let lang = auth.ctx.lang;
    let marks = [
        ("imported", "plan.imported"),
        ("published", "plan.published"),
        ("saved", "common.saved"),
    ];
    let flash = crate::pages::flash_mark(&q, &marks).map(|k| crate::i18n::t(lang, k).to_string());
    show_page(&state, &auth, id, flash, None).await
}

/// The plan's page; `retry` is a refused form as typed with what is wrong in it, shown again
/// instead of the stored values (answering 400).
async fn show_page(
    state: &AppState,
    auth: &Auth,
    id: i64,
    flash: Option<String>,
    retry: Option<Retry>,
) -> PageResult {
    let refused = retry.is_some();
    let (meta_retry, mut target_retry) = match retry {
        Some(Retry::Meta(typed, errors)) => (Some((typed, errors)), None),
        Some(Retry::Target(target, typed, errors)) => (None, Some((target, typed, errors))),
        None => (None, None),
    };
    let actor = auth.actor();
    let lang = auth.ctx.lang;
    let plan = state.store.get_plan(&actor, id).await?;
    let is_draft = plan.status.is_draft();
    // A form refused because the plan was published meanwhile has no boxes left to show its
    // message beside: it is said above the page.
    let flash = match (&meta_retry, &target_retry) {
        (Some((_, errors)), _) | (_, Some((_, _, errors))) if !is_draft => {
            Some(errors.messages().join(" "))
        }
        _ => flash,
    };
    let names = state.store.unit_names().await?;
    let mut unknown_units = Vec::new();
    let items: Vec<ItemView> = state
        .store
        .plan_items(&actor, id)
        .await?
        .into_iter()
        .map(|(i, units)| {
            let join = |role: TaskRole| {
                units
                    .iter()
                    .filter(|u| u.role == role)
                    .map(|u| u.name.clone())
                    .collect::<Vec<_>>()
                    .join("、")
            };
            let unknown: Vec<String> = units
                .iter()
                .filter(|u| u.unit_id.is_none())
                .map(|u| u.name.clone())
                .collect();
            unknown_units.extend(unknown.iter().cloned());
            ItemView {
                id: i.id,
                depth: i.depth,
                heading: i.heading.unwrap_or_default(),
                text: i.text,
                deadline: i.deadline,
                lead: join(TaskRole::Lead),
                support: join(TaskRole::Support),
                unknown,
                line_first: i.line_first,
                number: i.number,
            }
        })
        .collect();
    unknown_units.sort();
    unknown_units.dedup();
    let (mut goals, mut task_targets) = (Vec::new(), Vec::new());
    for t in state.store.plan_targets(&actor, id).await? {
        let mut view = TargetView {
            id: t.id,
            section: t.section,
            text: t.text,
            name: t.name,
            value: t.value,
            value_max: t.value_max.unwrap_or_default(),
            unit: t.unit,
            comparator: t.comparator.as_str(),
            comparator_label: t.comparator.label(lang),
            kind_label: t.kind.label(lang),
            kind: t.kind.as_str().to_string(),
            responsible: t
                .unit_id
                .and_then(|u| names.get(&u).cloned())
                .unwrap_or_default(),
            included: t.included != 0,
            errors: None,
        };
        if let Some((_, typed, errors)) = target_retry.take_if(|(target, ..)| *target == t.id) {
            view.retyped(&typed, errors);
        }
        if t.level == TargetLevel::Plan {
            goals.push(view)
        } else {
            task_targets.push(view)
        }
    }
    let tasks = if is_draft {
        Vec::new()
    } else {
        state
            .store
            .plan_tasks(&actor, id)
            .await?
            .into_iter()
            .map(|t| {
                let join = |role: TaskRole| {
                    t.units
                        .iter()
                        .filter(|(_, r)| *r == role)
                        .filter_map(|(u, _)| names.get(u).cloned())
                        .collect::<Vec<_>>()
                        .join("、")
                };
                TaskView {
                    lead: join(TaskRole::Lead),
                    support: join(TaskRole::Support),
                    number: t.task.number,
                    title: t.task.title,
                    text: t.task.text,
                    deadline: t.task.deadline,
                }
            })
            .collect()
    };
    let (source, review) = if is_draft {
        let text = state.store.plan_source(&actor, id).await?;
        let review = qx_app::plan_import::draft_review(&state.store, &text, &plan.source_format)
            .await
            .map_err(|e| match e {
                AppError::Store(s) => WebError::from(s),
                other => WebError::BadRequest(other.to_string()),
            })?;
        let lines = text
            .split('\n')
            .enumerate()
            .map(|(i, l)| (i + 1, l.to_string()))
            .collect();
        (lines, Some(ReviewView::new(review, lang)))
    } else {
        (Vec::new(), None)
    };
    let (meta, meta_errors) = meta_retry.unwrap_or_else(|| {
        let stored = Fields::new(vec![
            ("title".into(), plan.title.clone()),
            ("year".into(), plan.year.to_string()),
            ("doc_number".into(), plan.doc_number.clone()),
            ("issuer".into(), plan.issuer.clone()),
            (
                "issued_on".into(),
                plan.issued_on.clone().unwrap_or_default(),
            ),
        ]);
        (stored, FieldErrors::new(lang))
    });
    let mut ctx = PageCtx::signed_in(auth);
    ctx.flash = flash;
    let page = ShowPage {
        ctx,
        meta,
        meta_errors,
        status_label: plan.status.label(lang),
        is_draft,
        is_admin: actor.is_admin(),
        plan,
        source,
        review,
        items,
        goals,
        task_targets,
        tasks,
        unknown_units,
        kinds: options(&IndicatorKind::ALL, IndicatorKind::as_str, lang),
        comparators: options(&Comparator::ALL, Comparator::as_str, lang),
    };
    Ok(crate::form::answer(&page, refused))
}

/// Corrects the draft's 标题、年度、文号、发文机关、成文日期; what is wrong is shown beside its
/// field with everything as typed.
async fn save_meta(
    State(state): State<AppState>,
    auth: Office,
    Path(id): Path<i64>,
    Form(form): Form<Vec<(String, String)>>,
) -> PageResult {
    let lang = auth.ctx.lang;
    let f = Fields::new(form);
    let mut errs = FieldErrors::new(lang);
    let label = |key| crate::i18n::t(lang, key);
    let title = f.required("title", label("plan.title"), &mut errs);
    let year = f
        .number::<i64>("year", label("plan.year"), &mut errs)
        .and_then(|y| {
            let ok = (2000..=2100).contains(&y);
            if !ok {
                errs.add("year", label("plan.bad_year"));
            }
            ok.then_some(y)
        });
    let issued_on = if f.get("issued_on").is_empty() {
        Some(None)
    } else {
        f.date("issued_on", label("plan.issued_on"), &mut errs)
            .map(|d| Some(qx_core::time::format_date(d)))
    };
    if let (Some(year), Some(issued_on), true) = (year, issued_on, errs.is_empty()) {
        let meta = PlanMeta {
            year,
            title,
            doc_number: f.get("doc_number").to_string(),
            issuer: f.get("issuer").to_string(),
            issued_on,
        };
        match state.store.update_plan_meta(&auth.actor(), id, &meta).await {
            Ok(()) => return Ok(Redirect::to(&format!("/plans/{id}?saved=1")).into_response()),
            Err(e) => errs.absorb(e.into(), &[("title", "方案标题")])?,
        }
    }
    show_page(&state, &auth, id, None, Some(Retry::Meta(f, errs))).await
}

#[derive(Deserialize)]
struct ItemForm {
    #[serde(default)]
    heading: String,
    text: String,
    #[serde(default)]
    deadline: String,
    #[serde(default)]
    lead: String,
    #[serde(default)]
    support: String,
}

async fn save_item(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, item)): Path<(i64, i64)>,
    Form(f): Form<ItemForm>,
) -> PageResult {
    let edit = ItemEdit {
        heading: Some(f.heading),
        text: f.text,
        deadline: f.deadline,
        lead: crate::pages::split_list(&f.lead),
        support: crate::pages::split_list(&f.support),
    };
    state
        .store
        .update_plan_item(&auth.actor(), id, item, &edit)
        .await?;
    Ok(Redirect::to(&format!("/plans/{id}?saved=1#item-{item}")).into_response())
}

/// Corrects a draft target; a refused value comes back beside its box with the row as typed
/// (with JavaScript the row is saved in place and the message stands beside its button).
async fn save_target(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, target)): Path<(i64, i64)>,
    Form(form): Form<Vec<(String, String)>>,
) -> PageResult {
    let f = Fields::new(form);
    let edit = TargetEdit {
        name: f.get("name").to_string(),
        value: f.get("value").to_string(),
        value_max: Some(f.get("value_max").to_string()),
        unit: f.get("unit").to_string(),
        comparator: f.get("comparator").to_string(),
        kind: f.get("kind").to_string(),
        unit_name: f.get("responsible").to_string(),
        included: !f.get("included").is_empty(),
    };
    let saved = state
        .store
        .update_plan_target(&auth.actor(), id, target, &edit)
        .await;
    // A value the office can correct: beside its box, with the row as typed (a plan published
    // meanwhile is said above the page, see `show_page`).
    let mut errs = FieldErrors::new(auth.ctx.lang);
    if errs.unless_refused(saved, TARGET_FIELDS)?.is_some() {
        return Ok(Redirect::to(&format!("/plans/{id}?saved=1#target-{target}")).into_response());
    }
    let retry = Retry::Target(target, f, errs);
    show_page(&state, &auth, id, None, Some(retry)).await
}

/// A target row's boxes and the names the store's messages begin with (`目标值：…`).
const TARGET_FIELDS: &[(&str, &str)] = &[
    ("name", "指标名称"),
    ("value", "目标值"),
    ("value_max", "目标上限"),
    ("comparator", "比较方式"),
    ("kind", "指标类型"),
    ("responsible", "责任单位"),
];

async fn publish(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>) -> PageResult {
    state.store.publish_plan(&auth.actor(), id).await?;
    Ok(Redirect::to(&format!("/plans/{id}?published=1")).into_response())
}

async fn delete(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>) -> PageResult {
    state.store.delete_plan_draft(&auth.actor(), id).await?;
    Ok(Redirect::to("/plans").into_response())
}

async fn export(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>) -> PageResult {
    let actor = auth.actor();
    let plan = state.store.get_plan(&actor, id).await?;
    let bytes = qx_app::plan_excel::export_plan(&state.store, &actor, id)
        .await
        .map_err(WebError::from)?;
    let file = format!("{}年任务分解表.xlsx", plan.year);
    Ok(download::attachment(
        bytes,
        &file,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ))
}
