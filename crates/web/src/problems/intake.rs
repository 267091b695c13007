//! Intake: the submission form (an enterprise's own, or the office on one's behalf) and what
//! the form and the API share in reading a new problem.

use super::*;

#[derive(Template)]
#[template(path = "problems/new.html")]
pub(super) struct NewPage {
    ctx: PageCtx,
    categories: Vec<(&'static str, &'static str)>,
    enterprises: Vec<(i64, String)>,
    sources: Vec<(&'static str, &'static str)>,
    on_behalf: bool,
    today: String,
}

pub(super) async fn new_form(
    State(state): State<AppState>,
    auth: OfficeOrEnterprise,
) -> PageResult {
    let actor = auth.actor();
    let lang = auth.ctx.lang;
    let page = NewPage {
        ctx: PageCtx::signed_in(&auth),
        categories: options(Category::ALL, Category::as_str, lang),
        enterprises: state
            .store
            .list_enterprises(&actor)
            .await?
            .into_iter()
            .map(|e| (e.id, e.name))
            .collect(),
        sources: sp::SOURCES
            .iter()
            .filter(|(s, _)| *s != "api")
            .copied()
            .collect(),
        on_behalf: actor.is_admin(),
        today: format_date(today()),
    };
    Ok(render(&page).into_response())
}

/// What a problem form may upload: a few attachments, each within the store's limit, and
/// the text fields of the form (the description is the longest, 5,000 characters).
pub(super) const PROBLEM_UPLOAD: upload::Limits = upload::Limits {
    label: "附件",
    files: 10,
    file_bytes: sp::MAX_ATTACHMENT_BYTES,
    fields: 16,
    field_bytes: 64 * 1024,
};

/// The upload's files as the store takes them.
pub(super) fn attachments(files: Vec<upload::UploadedFile>) -> Vec<NewAttachment> {
    files
        .into_iter()
        .map(|f| NewAttachment {
            filename: f.name.to_string(),
            data: f.data,
        })
        .collect()
}

pub(super) fn new_problem(
    actor: &Actor,
    f: &HashMap<String, String>,
    api: bool,
) -> Result<NewProblem, WebError> {
    let get = |k: &str| f.get(k).map(|s| s.trim().to_string()).unwrap_or_default();
    let category = Category::parse(&get("category")).ok_or_else(|| {
        WebError::BadRequest(format!(
            "类别: \"{}\" 无效 (用地/用工/融资/审批/政策/基础设施/其他)",
            get("category")
        ))
    })?;
    let enterprise_id = match (actor.role, actor.enterprise_id) {
        (Role::Enterprise, Some(id)) => id,
        _ => parse_id("企业", &get("enterprise_id"))?,
    };
    let (source, submitted_on) = if actor.is_admin() {
        let source = if get("source").is_empty() {
            if api { "api".into() } else { "hotline".into() }
        } else {
            get("source")
        };
        let on = if get("submitted_on").is_empty() {
            today()
        } else {
            parse_date_field("提交日期", &get("submitted_on"))?
        };
        if on > today() {
            return Err(WebError::BadRequest("提交日期: 不能晚于今天".into()));
        }
        (source, on)
    } else {
        ((if api { "api" } else { "web" }).to_string(), today())
    };
    Ok(NewProblem {
        enterprise_id,
        category,
        title: get("title"),
        description: get("description"),
        contact_name: get("contact_name"),
        contact_phone: get("contact_phone"),
        source,
        submitted_on,
    })
}

pub(super) async fn create(
    State(state): State<AppState>,
    auth: Auth,
    form: Multipart,
) -> PageResult {
    let actor = auth.actor();
    let up = upload::read(form, &PROBLEM_UPLOAD).await?;
    let new = new_problem(&actor, &up.field_map(), false)?;
    let files = attachments(up.files);
    let (id, notices) = state.store.submit_problem(&actor, &new, files).await?;
    crate::webhook::dispatch_notices(state.store.clone(), notices);
    Ok(Redirect::to(&format!("/problems/{id}?saved=1")).into_response())
}
