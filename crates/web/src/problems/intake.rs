//! Intake: the submission form (an enterprise's own, or the office on one's behalf) and what
//! the form and the API share in reading a new problem.

use super::*;
use crate::webhook::notified;

#[derive(Template)]
#[template(path = "problems/new.html")]
pub(super) struct NewPage {
    ctx: PageCtx,
    categories: Vec<(&'static str, &'static str)>,
    /// (name, credit code) for the office's enterprise picker.
    enterprises: Vec<(String, String)>,
    sources: Vec<(&'static str, &'static str)>,
    on_behalf: bool,
    today: String,
    /// What was typed, when the form comes back with errors.
    values: Fields,
    errors: FieldErrors,
}

pub(super) async fn new_form(
    State(state): State<AppState>,
    auth: OfficeOrEnterprise,
) -> PageResult {
    let mut values = Fields::default();
    values.set("source", Channel::Visit.as_str());
    values.set("submitted_on", format_date(today()));
    let page = new_view(&state, &auth, values, FieldErrors::new(auth.ctx.lang)).await?;
    Ok(render(&page).into_response())
}

async fn new_view(
    state: &AppState,
    auth: &Auth,
    values: Fields,
    errors: FieldErrors,
) -> Result<NewPage, WebError> {
    let actor = auth.actor();
    let lang = auth.ctx.lang;
    let enterprises = if actor.is_admin() {
        state
            .store
            .list_enterprises(&actor)
            .await?
            .into_iter()
            .map(|e| (e.name, e.credit_code))
            .collect()
    } else {
        Vec::new()
    };
    Ok(NewPage {
        ctx: PageCtx::signed_in(auth),
        categories: options(Category::ALL, Category::as_str, lang),
        enterprises,
        // The office records how a problem came in; 接口 is only ever the API's own.
        sources: options(
            &Channel::ALL
                .iter()
                .copied()
                .filter(|c| *c != Channel::Api)
                .collect::<Vec<_>>(),
            Channel::as_str,
            lang,
        ),
        on_behalf: actor.is_admin(),
        today: format_date(today()),
        values,
        errors,
    })
}

/// The enterprise the office typed in the picker: its exact name or credit code, "name
/// (code)" as the picker's list offers it, or the one name containing what was typed. `Err`
/// says why not (nothing matches, or several do, naming a few).
pub(super) fn resolve_enterprise(
    all: &[qx_store::enterprises::Enterprise],
    typed: &str,
    lang: Lang,
) -> Result<i64, String> {
    let typed = typed.trim();
    let (name, code) = match typed.strip_suffix(')').and_then(|s| s.rsplit_once(" (")) {
        Some((name, code)) => (name.trim(), code.trim()),
        None => (typed, typed),
    };
    let exact: Vec<_> = all
        .iter()
        .filter(|e| e.credit_code.eq_ignore_ascii_case(code) || e.name == name)
        .collect();
    let found = if exact.is_empty() {
        all.iter()
            .filter(|e| !name.is_empty() && e.name.contains(name))
            .collect()
    } else {
        exact
    };
    match found.as_slice() {
        [one] => Ok(one.id),
        [] => Err(crate::i18n::t(lang, "pb.enterprise_unknown").replace("{typed}", typed)),
        many => {
            let names: Vec<String> = many
                .iter()
                .take(5)
                .map(|e| format!("{} ({})", e.name, e.credit_code))
                .collect();
            Err(crate::i18n::t(lang, "pb.enterprise_ambiguous")
                .replace("{n}", &many.len().to_string())
                .replace("{names}", &names.join("、")))
        }
    }
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

/// Reads a new problem from the form (or the API's fields); what is wrong is recorded beside
/// its field. `enterprises` are the ones the office may pick from (empty for an enterprise,
/// which files for itself).
pub(crate) fn new_problem(
    actor: &Actor,
    f: &Fields,
    api: bool,
    enterprises: &[qx_store::enterprises::Enterprise],
    errs: &mut FieldErrors,
) -> Option<NewProblem> {
    let lang = errs.lang();
    let t = |k: &'static str| crate::i18n::t(lang, k);
    let category = f.choice("category", t("pb.category"), Category::parse, errs);
    let enterprise_id = match (actor.role, actor.enterprise_id) {
        (Role::Enterprise, Some(id)) => Some(id),
        _ if !f.get("enterprise_id").is_empty() => {
            f.number::<i64>("enterprise_id", t("pb.enterprise"), errs)
        }
        _ if f.get("enterprise").is_empty() => {
            errs.required("enterprise", t("pb.enterprise"));
            None
        }
        _ => match resolve_enterprise(enterprises, f.get("enterprise"), lang) {
            Ok(id) => Some(id),
            Err(m) => {
                errs.add("enterprise", m);
                None
            }
        },
    };
    let (source, submitted_on) = if actor.is_admin() {
        let source = match f.get("source") {
            "" if api => Some(Channel::Api),
            "" => Some(Channel::Hotline),
            _ => f.choice("source", t("pb.source"), Channel::from_code, errs),
        };
        let on = if f.get("submitted_on").is_empty() {
            Some(today())
        } else {
            f.date("submitted_on", t("pb.submitted_on"), errs)
        };
        if on.is_some_and(|on| on > today()) {
            errs.add("submitted_on", t("pb.not_future"));
        }
        (source, on)
    } else {
        (
            Some(if api { Channel::Api } else { Channel::Web }),
            Some(today()),
        )
    };
    // Title and description are checked by the store (`core::text`), whose message lands
    // beside the field.
    let title = f.get("title").to_string();
    let description = f.get("description").to_string();
    Some(NewProblem {
        enterprise_id: enterprise_id?,
        category: category?,
        title,
        description,
        contact_name: f.get("contact_name").to_string(),
        contact_phone: f.get("contact_phone").to_string(),
        source: source?,
        submitted_on: submitted_on?,
    })
    .filter(|_| errs.is_empty())
}

/// The fields of the form a store refusal may name ("标题: 超过100字").
const NEW_FIELDS: &[(&str, &str)] = &[
    ("title", "标题"),
    ("description", "问题描述"),
    ("contact_name", "联系人"),
    ("contact_phone", "联系电话"),
    ("enterprise", "企业"),
    ("submitted_on", "提交日期"),
    ("files", "附件"),
];

pub(super) async fn create(
    State(state): State<AppState>,
    auth: OfficeOrEnterprise,
    form: Multipart,
) -> PageResult {
    let actor = auth.actor();
    let lang = auth.ctx.lang;
    let up = upload::read(form, &PROBLEM_UPLOAD).await?;
    let fields = Fields::from(&up);
    let had_files = !up.files.is_empty() || !up.refused.is_empty();
    let mut errors = FieldErrors::new(lang);
    // A file left out (too large, one too many) is said beside the file box; what was typed
    // stays on the form and nothing is filed (`new_problem` gives nothing when errors are found).
    for m in &up.refused {
        errors.add("files", m.as_str());
    }
    let enterprises = if actor.is_admin() {
        state.store.list_enterprises(&actor).await?
    } else {
        Vec::new()
    };
    if let Some(new) = new_problem(&actor, &fields, false, &enterprises, &mut errors) {
        let files = attachments(up.files);
        let outcome = state.store.submit_problem(&actor, &new, files).await;
        if let Some((id, notices)) = errors.unless_refused(outcome, NEW_FIELDS)? {
            return Ok(notified(
                &state.store,
                notices,
                &super::detail::saved_url(id),
            ));
        }
    }
    // Files cannot be put back into a file input: the form says to choose them again.
    if had_files && errors.get("files").is_none() {
        errors.add("files", crate::i18n::t(lang, "pb.choose_files_again"));
    }
    let page = new_view(&state, &auth, fields, errors).await?;
    Ok(crate::form::invalid(&page))
}
