//! A project's blocker → 企业难题: the form proposes the project's firm, the month's 存在问题 as the
//! description and the project's 联系人; the person checks, chooses the category and confirms.
//! The store raises it through the problems intake and links it to the project (and the
//! month's 调度); a refusal comes back beside its field with what was typed kept.

use super::*;
use crate::webhook::notified;
use qx_core::problem::Category;
use qx_store::projects::{Project, ProjectProblem};

#[derive(Template)]
#[template(path = "projects/problem.html")]
pub(super) struct ProblemPage {
    ctx: PageCtx,
    p: Project,
    period_id: Option<i64>,
    categories: Vec<(&'static str, &'static str)>,
    values: Fields,
    errors: FieldErrors,
}

/// The fields of the form a store refusal may name.
const FIELDS: &[(&str, &str)] = &[
    ("title", "标题"),
    ("description", "问题描述"),
    ("contact_name", "联系人"),
    ("contact_phone", "联系电话"),
];

async fn view(
    state: &AppState,
    auth: &Auth,
    id: i64,
    period_id: Option<i64>,
    values: Fields,
    errors: FieldErrors,
) -> Result<ProblemPage, WebError> {
    // The form is offered to whoever the store lets raise the project's problem.
    let p = state.store.project_for_write(&auth.actor(), id).await?;
    Ok(ProblemPage {
        ctx: PageCtx::signed_in(auth),
        p,
        period_id,
        categories: options(Category::ALL, Category::as_str, auth.ctx.lang),
        values,
        errors,
    })
}

pub(super) async fn form(
    State(state): State<AppState>,
    auth: OfficeOrUnit,
    Path(id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    let actor = auth.actor();
    let period_id = id_of(&q, "period");
    let p = state.store.get_project(&actor, id).await?;
    let blocker = match period_id {
        Some(period) => state.store.project_blocker(&actor, id, period).await?.0,
        None => String::new(),
    };
    let mut values = Fields::default();
    let first: String = blocker
        .lines()
        .next()
        .unwrap_or_default()
        .chars()
        .take(40)
        .collect();
    let title = if first.is_empty() {
        p.name.clone()
    } else {
        format!("{}: {first}", p.name)
    };
    values.set("title", title.chars().take(100).collect::<String>());
    values.set("description", blocker);
    values.set("contact_name", &p.contact);
    values.set("category", Category::Other.as_str());
    let errors = FieldErrors::new(auth.ctx.lang);
    Ok(render(
        &view(&state, &auth, id, period_id, values, errors).await?,
    ))
}

pub(super) async fn create(
    State(state): State<AppState>,
    auth: OfficeOrUnit,
    Path(id): Path<i64>,
    f: Fields,
) -> PageResult {
    let lang = auth.ctx.lang;
    let mut errors = FieldErrors::new(lang);
    let period_id = f
        .optional_number::<i64>("period", "period", &mut errors)
        .flatten();
    let category = f.choice(
        "category",
        crate::i18n::t(lang, "pb.category"),
        Category::parse,
        &mut errors,
    );
    if let Some(category) = category.filter(|_| errors.is_empty()) {
        let input = ProjectProblem {
            period_id,
            category,
            title: f.get("title").to_string(),
            description: f.get("description").to_string(),
            contact_name: f.get("contact_name").to_string(),
            contact_phone: f.get("contact_phone").to_string(),
        };
        let outcome = state
            .store
            .raise_project_problem(&auth.actor(), id, &input)
            .await;
        if let Some((_, notices)) = errors.unless_refused(outcome, FIELDS)? {
            return Ok(notified(
                &state.store,
                notices,
                &format!("/projects/{id}?saved=1"),
            ));
        }
    }
    let page = view(&state, &auth, id, period_id, f, errors).await?;
    Ok(crate::form::invalid(&page))
}
