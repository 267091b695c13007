//! One problem's page: its timeline, the steps the actor may take, attachments in and out.

use super::*;
use crate::webhook::notified;

pub struct EventLine {
    at: String,
    actor: String,
    action: &'static str,
    internal: bool,
    status: String,
    note: String,
}

/// One step the reader may take, as its form on the page.
pub(super) struct StepForm {
    code: &'static str,
    label: &'static str,
    boxes: Boxes,
    /// Asked again before it is sent (撤回 cannot be undone).
    confirm: bool,
}

impl StepForm {
    fn of(action: Action, lang: Lang) -> Self {
        StepForm {
            code: action.as_str(),
            label: action.label(lang),
            boxes: Boxes::of(action),
            confirm: action == Action::Withdraw,
        }
    }
}

/// What a step's form asks for besides its button, read from its [`Action`] (so the template
/// compares no action codes, and a new action must be given its boxes here).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Boxes {
    /// 交办: tier, lead and support units, a note.
    Assign,
    /// A reason that must be given (退回, 重办).
    Reason,
    /// A reason that may be left empty (升级, 撤回).
    OptionalReason,
    /// 申请延期: days and a reason.
    Extension,
    /// 延期审批: approve or not, a note.
    Decide,
    /// 答复: the answer and whether it settles the problem.
    Answer,
    /// 评价: satisfaction and a comment.
    Rate,
    /// 开始办理: the button alone.
    Nothing,
    /// A note that may be left empty.
    Note,
}

impl Boxes {
    fn of(action: Action) -> Self {
        match action {
            Action::Assign => Boxes::Assign,
            Action::Return | Action::Redo => Boxes::Reason,
            Action::Escalate | Action::Withdraw => Boxes::OptionalReason,
            Action::RequestExtension => Boxes::Extension,
            Action::DecideExtension => Boxes::Decide,
            Action::Answer => Boxes::Answer,
            Action::Rate => Boxes::Rate,
            Action::Start => Boxes::Nothing,
            Action::Accept | Action::Urge | Action::Close => Boxes::Note,
        }
    }

    fn has_reason(self) -> bool {
        matches!(self, Boxes::Reason | Boxes::OptionalReason)
    }
}

#[derive(Template)]
#[template(path = "problems/detail.html")]
pub(super) struct DetailPage {
    ctx: PageCtx,
    p: sp::Problem,
    category: &'static str,
    status: &'static str,
    tier: &'static str,
    source: &'static str,
    support: String,
    service_contact: String,
    satisfaction: String,
    events: Vec<EventLine>,
    attachments: Vec<sp::AttachmentMeta>,
    actions: Vec<StepForm>,
    /// (id, name, proposed) for the 交办 form.
    units: Vec<(i64, String, bool)>,
    tiers: Vec<(&'static str, &'static str)>,
    satisfactions: Vec<(&'static str, &'static str)>,
    can_attach: bool,
    /// The office and the handling unit may add 内部备注.
    can_note: bool,
    flag: DeadlineFlag,
    /// The form that was refused (an action code, or `internal_note`), what was typed in it
    /// and what is wrong; empty when the page is shown afresh.
    failed: String,
    values: Fields,
    errors: FieldErrors,
    /// The 重大项目 whose blocker this problem is (those the reader may open).
    projects: Vec<qx_store::projects::LinkedProject>,
}

impl DetailPage {
    /// What was typed in `field` of the form `form`, when that form was refused.
    fn kept(&self, form: &str, field: &str) -> &str {
        if self.failed == form {
            self.values.get(field)
        } else {
            ""
        }
    }

    /// Whether the form `form` is the one refused.
    fn refused(&self, form: &str) -> bool {
        self.failed == form
    }

    /// The message beside `field` of the form `form`, when that form was refused.
    fn error(&self, form: &str, field: &str) -> Option<&str> {
        (self.failed == form)
            .then(|| self.errors.get(field))
            .flatten()
    }

    /// Whether a support unit was among the choices of a refused 交办 form.
    fn kept_unit(&self, id: &i64) -> bool {
        self.refused(Action::Assign.as_str())
            && self.values.has("support_unit_ids", &id.to_string())
    }
}

pub(super) async fn detail(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    let mut page = detail_view(&state, &auth, id, None).await?;
    if let Some(saved) = crate::pages::flash_from(&q, auth.ctx.lang) {
        page.ctx.flash = Some(saved);
    }
    Ok(render(&page).into_response())
}

/// A refused form on a problem's page: which one, what was typed, what is wrong.
pub(super) struct Failed {
    form: String,
    values: Fields,
    errors: FieldErrors,
}

/// A problem's page after a step on it: with 已保存.
pub(super) fn saved_url(id: i64) -> String {
    format!("/problems/{id}?saved=1")
}

/// The problem's page again (400) with its form `form` as it was sent and the errors beside
/// its fields.
async fn again(
    state: &AppState,
    auth: &Auth,
    id: i64,
    form: &str,
    values: Fields,
    errors: FieldErrors,
) -> PageResult {
    let failed = Failed {
        form: form.to_string(),
        values,
        errors,
    };
    let page = detail_view(state, auth, id, Some(failed)).await?;
    Ok(crate::form::invalid(&page))
}

async fn detail_view(
    state: &AppState,
    auth: &Auth,
    id: i64,
    failed: Option<Failed>,
) -> Result<DetailPage, WebError> {
    let actor = auth.actor();
    let lang = auth.ctx.lang;
    let d = state.store.get_problem(&actor, id).await?;
    let status = d.problem.status();
    let actions: Vec<StepForm> = match d.party {
        Some(party) => status
            .actions()
            .filter(|a| a.allowed_for(party))
            .filter(|a| match a {
                Action::DecideExtension => d.problem.extension_pending > 0,
                Action::RequestExtension => d.problem.extension_pending == 0,
                Action::Redo => d.problem.satisfaction == Some(Satisfaction::Unsatisfied),
                Action::Escalate => d.problem.tier().next().is_some(),
                _ => true,
            })
            .map(|a| StepForm::of(a, lang))
            .collect(),
        None => Vec::new(),
    };
    let units = if d.party == Some(Party::Office) {
        let proposed = d.problem.proposed_unit_id;
        state
            .store
            .list_units()
            .await?
            .into_iter()
            .filter(|u| u.active != 0)
            .map(|u| (u.id, u.name, Some(u.id) == proposed))
            .collect()
    } else {
        Vec::new()
    };
    let projects = state.store.problem_projects(&actor, id).await?;
    let today = today();
    let cal = state.store.work_calendar().await?;
    let failed = failed.unwrap_or(Failed {
        form: String::new(),
        values: Fields::default(),
        errors: FieldErrors::new(lang),
    });
    Ok(DetailPage {
        ctx: PageCtx::signed_in(auth),
        category: d.problem.category.label(lang),
        status: d.problem.status.label(lang),
        tier: d.problem.tier.label(lang),
        source: d.problem.source.label(lang),
        support: d
            .support_units
            .iter()
            .map(|(_, n)| n.as_str())
            .collect::<Vec<_>>()
            .join("、"),
        service_contact: d.service_contact.clone().unwrap_or_default(),
        satisfaction: d
            .problem
            .satisfaction
            .map(|s| s.label(lang).to_string())
            .unwrap_or_default(),
        events: d
            .events
            .iter()
            .map(|e| EventLine {
                at: format_datetime(e.at),
                actor: e.actor.clone(),
                action: e.action.label(lang),
                internal: !e.action.shown_to_enterprise(),
                status: e
                    .to_status
                    .0
                    .map(|s| s.label(lang).to_string())
                    .unwrap_or_default(),
                note: e.note.clone(),
            })
            .collect(),
        attachments: d.attachments.clone(),
        can_attach: d.party.is_some() && status.is_open(),
        can_note: matches!(d.party, Some(Party::Office | Party::HandlingUnit)),
        actions,
        units,
        tiers: options(Tier::ALL, Tier::as_str, lang),
        satisfactions: options(Satisfaction::ALL, Satisfaction::as_str, lang),
        flag: DeadlineFlag::running(&cal, today, d.problem.status, d.problem.due),
        p: d.problem,
        failed: failed.form,
        values: failed.values,
        errors: failed.errors,
        projects,
    })
}

/// Turns the step form's fields into a [`Step`]; what cannot be read is recorded beside its
/// field in `errs` (and the answer is `None`).
pub(super) fn parse_step(f: &Fields, errs: &mut FieldErrors) -> Option<Step> {
    let lang = errs.lang();
    let t = |k: &'static str| crate::i18n::t(lang, k);
    let action = f.choice("action", t("pb.actions"), Action::parse, errs)?;
    let text = |k: &str| f.get(k).to_string();
    let step = match action {
        Action::Accept => Step::Accept { note: text("note") },
        Action::Assign => {
            let tier = f.choice("tier", t("pb.tier"), Tier::parse, errs);
            let lead = f.number::<i64>("lead_unit_id", t("pb.lead_unit"), errs);
            let mut support_unit_ids = Vec::new();
            for v in f.all("support_unit_ids") {
                match v.parse() {
                    Ok(id) => support_unit_ids.push(id),
                    Err(_) => errs.not_a_number("support_unit_ids", t("pb.support_units"), v),
                }
            }
            Step::Assign {
                tier: tier?,
                lead_unit_id: lead?,
                support_unit_ids,
                note: text("note"),
            }
        }
        Action::Start => Step::Start,
        Action::Return => Step::Return {
            reason: text("reason"),
        },
        Action::RequestExtension => Step::RequestExtension {
            days: f.number("days", t("pb.days"), errs)?,
            reason: text("reason"),
        },
        Action::DecideExtension => Step::DecideExtension {
            approve: f.get("approve") == "1",
            note: text("note"),
        },
        Action::Urge => Step::Urge { note: text("note") },
        Action::Escalate => Step::Escalate {
            reason: text("reason"),
        },
        Action::Answer => Step::Answer {
            text: text("text"),
            resolved: f.get("resolved") == "1",
        },
        Action::Rate => Step::Rate {
            satisfaction: f.choice("satisfaction", t("pb.rating"), Satisfaction::parse, errs)?,
            comment: text("comment"),
        },
        Action::Redo => Step::Redo {
            reason: text("reason"),
        },
        Action::Close => Step::Close { note: text("note") },
        Action::Withdraw => Step::Withdraw {
            reason: text("reason"),
        },
    };
    errs.is_empty().then_some(step)
}

/// The labels of the step forms' fields, so a refusal naming one ("延期天数: …") is shown
/// beside it.
const STEP_FIELDS: &[(&str, &str)] = &[
    ("days", "延期天数"),
    ("support_unit_ids", "协办单位"),
    ("lead_unit_id", "主办单位"),
];

pub(super) async fn step(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    f: Fields,
) -> PageResult {
    let mut errors = FieldErrors::new(auth.ctx.lang);
    if let Some(step) = parse_step(&f, &mut errors) {
        let outcome = state
            .store
            .problem_step(&auth.actor(), id, &step, today())
            .await;
        if let Some(notices) = errors.unless_refused(outcome, STEP_FIELDS)? {
            return Ok(notified(&state.store, notices, &saved_url(id)));
        }
    }
    let form = f.get("action").to_string();
    again(&state, &auth, id, &form, f, errors).await
}

/// Adds a 内部备注 (the office or the handling unit); an empty or too long note is shown on
/// its form.
pub(super) async fn note(
    State(state): State<AppState>,
    auth: County,
    Path(id): Path<i64>,
    f: Fields,
) -> PageResult {
    let mut errors = FieldErrors::new(auth.ctx.lang);
    // The store checks who may write before what was written (a reader is refused, not
    // told the note is empty).
    match state
        .store
        .add_internal_note(&auth.actor(), id, f.get("note"))
        .await
    {
        Ok(()) => return Ok(Redirect::to(&saved_url(id)).into_response()),
        Err(e) => errors.absorb(e.into(), &[("note", "内部备注")])?,
    }
    again(&state, &auth, id, "internal_note", f, errors).await
}

pub(super) async fn attach(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    form: Multipart,
) -> PageResult {
    let up = upload::read(form, &PROBLEM_UPLOAD).await?;
    let mut errors = FieldErrors::new(auth.ctx.lang);
    for m in &up.refused {
        errors.add("files", m.as_str());
    }
    if up.files.is_empty() && errors.is_empty() {
        errors.add("files", crate::i18n::t(auth.ctx.lang, "form.choose_file"));
    }
    if errors.is_empty() {
        let added = state
            .store
            .add_problem_attachments(&auth.actor(), id, &attachments(up.files))
            .await;
        match added.map_err(WebError::from) {
            Ok(_) => {}
            Err(WebError::BadRequest(m)) => errors.add("files", m),
            Err(other) => return Err(other),
        }
    }
    if errors.is_empty() {
        return Ok(Redirect::to(&saved_url(id)).into_response());
    }
    // Said beside the file box of the page's 附件 form.
    again(&state, &auth, id, "attach", Fields::default(), errors).await
}

/// Serves a stored attachment as a download through `crate::download`, with a type from the
/// allowlist (rows stored before the allowlist held the client's type, which is not trusted:
/// anything else goes out as octet-stream).
pub(super) fn download_stored(content_type: &str, filename: &str, data: Vec<u8>) -> Response {
    let safe_type = AttachmentKind::ALL
        .iter()
        .map(|k| k.content_type())
        .find(|t| *t == content_type)
        .unwrap_or("application/octet-stream");
    crate::download::attachment(data, filename, safe_type)
}

pub(super) async fn download(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, aid)): Path<(i64, i64)>,
) -> PageResult {
    let (meta, data) = state
        .store
        .get_problem_attachment(&auth.actor(), id, aid)
        .await?;
    Ok(download_stored(&meta.content_type, &meta.filename, data))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_forms_name_the_bad_field() {
        let f = |pairs: &[(&str, &str)]| {
            Fields::new(
                pairs
                    .iter()
                    .map(|(a, b)| (a.to_string(), b.to_string()))
                    .collect(),
            )
        };
        let mut errs = FieldErrors::new(Lang::Zh);
        let step = parse_step(
            &f(&[("action", "request_extension"), ("days", "x")]),
            &mut errs,
        );
        assert!(step.is_none());
        assert!(errs.get("days").unwrap().contains("延期天数"));
        let mut errs = FieldErrors::new(Lang::Zh);
        let s = parse_step(
            &f(&[
                ("action", "assign"),
                ("tier", "department"),
                ("lead_unit_id", "3"),
                ("support_unit_ids", "4"),
                ("support_unit_ids", "5"),
            ]),
            &mut errs,
        )
        .unwrap();
        assert!(
            matches!(s, Step::Assign { lead_unit_id: 3, ref support_unit_ids, .. } if support_unit_ids == &[4, 5])
        );
        assert!(parse_step(&f(&[("action", "fly")]), &mut errs).is_none());
        assert!(errs.get("action").is_some());
    }
}
