//! A unit's monthly report: the list of what is due, the form, saving and corrections.

use super::no_figure::{ReportInput, mark_errors, mark_text, read_no_figures};
use super::*;
use crate::auth::{Liaison, OfficeOrUnit};
use qx_store::monitoring::{IfComplete, Submitted};

pub struct DueLine {
    period_id: i64,
    period: String,
    due_on: String,
    status_label: &'static str,
    comment: String,
}

#[derive(Template)]
#[template(path = "monitor/report_home.html")]
struct ReportHomePage {
    ctx: PageCtx,
    due: Vec<DueLine>,
    notices: Vec<(String, String, String)>,
}

/// The state of a unit's report as shown: its latest revision's, or 未报送 when there is none.
pub(super) fn status_label(lang: Lang, status: Option<SubmissionStatus>) -> &'static str {
    status.map_or_else(|| crate::i18n::t(lang, "mon.st.none"), |s| s.label(lang))
}

/// The office's comment on a revision when it is that revision's own decision (returned,
/// approved, or approved and later corrected): a report returned and sent again, or taken
/// back since, still holds the comment of its earlier sending, which is not its own (历次报送
/// shows that one beside its sending).
fn own_comment(s: &Submission) -> String {
    match s.status {
        SubmissionStatus::Returned | SubmissionStatus::Approved | SubmissionStatus::Superseded => {
            s.review_comment.clone()
        }
        SubmissionStatus::Draft | SubmissionStatus::Submitted => String::new(),
    }
}

/// The review comment of a returned report (what the unit has to fix), else nothing.
fn return_comment(s: Option<&Submission>) -> String {
    s.filter(|s| s.status == SubmissionStatus::Returned)
        .map(|s| s.review_comment.clone())
        .unwrap_or_default()
}

/// What a unit owes; the office and leaders, who report nothing, are sent to the periods.
pub(super) async fn report_home(State(state): State<AppState>, auth: County) -> PageResult {
    let actor = auth.actor();
    if actor.reads_all() {
        return Ok(Redirect::to("/monitor/periods").into_response());
    }
    let unit_id = target_unit(&actor, &HashMap::new())?;
    let mut due = Vec::new();
    for plan in state
        .store
        .list_plans(&actor)
        .await?
        .into_iter()
        .filter(|p| p.status == PlanStatus::Published)
    {
        let owes = !state
            .store
            .unit_indicators(&actor, plan.id, unit_id)
            .await?
            .is_empty()
            || !state
                .store
                .unit_tasks(&actor, plan.id, unit_id)
                .await?
                .is_empty();
        if !owes {
            continue;
        }
        for p in state
            .store
            .list_periods(&actor, plan.id)
            .await?
            .into_iter()
            .rev()
        {
            let latest = state.store.latest_submission(&actor, p.id, unit_id).await?;
            due.push(DueLine {
                period_id: p.id,
                status_label: status_label(auth.ctx.lang, latest.as_ref().map(|s| s.status)),
                comment: return_comment(latest.as_ref()),
                period: p.period,
                due_on: qx_core::time::format_date(p.due_on),
            });
        }
    }
    let notices = state
        .store
        .unit_notices(&actor, unit_id)
        .await?
        .into_iter()
        .map(|(_, title, link, at)| (title, link, format_datetime(at)))
        .collect();
    let page = ReportHomePage {
        ctx: PageCtx::signed_in(&auth),
        due,
        notices,
    };
    respond(StatusCode::OK, &page)
}

pub struct ValueField {
    id: i64,
    name: String,
    unit: String,
    target: String,
    /// What the figure is typed in: the target's unit, or percent done for a 形象进度
    /// milestone ([`IndicatorKind::measure_unit`](qx_core::indicator::IndicatorKind::measure_unit)).
    measure: String,
    value: String,
    note: String,
    last: String,
    /// What is wrong with the figure as typed ("" when nothing is).
    error: String,
    /// Marked 本月无数据, with `reason`; what is wrong with the reason ("" when nothing is).
    no_figure: bool,
    reason: String,
    reason_error: String,
}

pub struct TaskField {
    id: i64,
    number: String,
    title: String,
    text: String,
    /// 牵头 or 配合.
    role: &'static str,
    progress: String,
    status: String,
    co_reports: Vec<(String, String, String)>,
    /// Evidence the unit attached to this task.
    attachments: Vec<AttachmentView>,
    /// Supporting units' evidence, shown to the lead unit.
    co_attachments: Vec<(String, AttachmentView)>,
}

/// One handing-in of the report as the history shows it (历次报送), newest first.
pub struct SendingView {
    /// 第1次 for the first sending.
    title: String,
    sent_at: String,
    sender: String,
    /// What became of it, or 待审核 while it waits.
    decision: &'static str,
    comment: String,
    /// (indicator, figure as sent, note, the figure of the sending before when it differs).
    values: Vec<(String, String, String, String)>,
    /// (task, progress as sent, self-assessed status).
    tasks: Vec<(String, String, &'static str)>,
}

pub struct AttachmentView {
    id: i64,
    file_name: String,
    size: String,
    removable: bool,
}

fn size_label(bytes: i64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / 1048576.0)
    } else {
        format!("{} KB", (bytes + 1023) / 1024)
    }
}

#[derive(Template)]
#[template(path = "monitor/report_form.html")]
struct ReportFormPage {
    ctx: PageCtx,
    period_id: i64,
    period: String,
    due_on: String,
    unit_id: i64,
    unit_name: String,
    status_label: &'static str,
    editable: bool,
    correctable: bool,
    /// Submitted and not yet acted on: the unit may take it back (撤回).
    withdrawable: bool,
    /// The submission the office may review here (approve or return), 0 for none.
    review_id: i64,
    comment: String,
    values: Vec<ValueField>,
    tasks: Vec<TaskField>,
    history: Vec<(i64, &'static str, String, String)>,
    task_statuses: Vec<(&'static str, &'static str)>,
    /// Problems of a failed upload (template or evidence), each naming its sheet/row/column.
    errors: Vec<String>,
    /// i18n key of a message after a successful upload ("" for none).
    flash: &'static str,
    /// Evidence for the report as a whole (not tied to one task).
    general_attachments: Vec<AttachmentView>,
    max_attachment_mb: usize,
    /// Asked to submit with something empty: what is empty (the form asks to confirm).
    missing: Vec<String>,
    /// i18n key of the heading over `errors`.
    errors_title: &'static str,
    sendings: Vec<SendingView>,
    /// The 重大项目调度 section inside the form.
    projects: crate::projects::dispatch::Section,
}

/// What a person typed on the report form, shown again when the form comes back to them
/// (a figure that is not a number, a submit to confirm, an upload): nothing typed is lost.
#[derive(Default)]
pub(super) struct Typed {
    /// Indicator id → (figure, note) as typed.
    values: HashMap<i64, (String, String)>,
    /// Task id → (progress, self-assessed status) as typed.
    tasks: HashMap<i64, (String, String)>,
    /// Indicator id → what is wrong with its figure.
    value_errors: HashMap<i64, String>,
    /// Indicator id → reason typed, for the indicators marked 本月无数据.
    marks: HashMap<i64, String>,
    /// Indicator id → what is wrong with its 本月无数据 reason.
    reason_errors: HashMap<i64, String>,
    /// The empty indicators and tasks of a submit waiting for confirmation.
    missing: Vec<String>,
    /// The whole form as typed, for the 重大项目调度 section.
    form: Option<Vec<(String, String)>>,
}

impl Typed {
    pub(super) fn from_input(input: &ReportInput) -> Self {
        Typed {
            marks: input
                .no_figures
                .iter()
                .map(|m| (m.indicator_id, m.reason.clone()))
                .collect(),
            values: input
                .values
                .iter()
                .map(|(id, v, n)| (*id, (v.clone(), n.clone())))
                .collect(),
            tasks: input
                .tasks
                .iter()
                .map(|(id, p, st)| (*id, (p.clone(), st.clone())))
                .collect(),
            ..Typed::default()
        }
    }
}

/// Upload limits of the report form sent with a file (上传佐证材料 inside the form): one file
/// and every figure, note and progress text of the form.
pub(super) const REPORT_FORM_UPLOAD: upload::Limits = upload::Limits {
    fields: 4000,
    field_bytes: 16 * 1024,
    ..super::evidence::EVIDENCE_UPLOAD
};

/// The report form's fields as a submission: `v_{id}`/`n_{id}` an indicator's figure and
/// note, `p_{id}`/`s_{id}` a task's progress and status, `x_{id}`/`r_{id}` an indicator
/// marked 本月无数据 and why.
pub(super) fn read_report_fields(form: &[(String, String)]) -> ReportInput {
    let fields: HashMap<&str, &str> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let mut input = SubmissionInput::default();
    for (k, v) in form {
        if let Some(id) = k.strip_prefix("v_").and_then(|i| i.parse::<i64>().ok()) {
            let note = fields
                .get(format!("n_{id}").as_str())
                .copied()
                .unwrap_or("");
            input.values.push((id, v.clone(), note.to_string()));
        }
        if let Some(id) = k.strip_prefix("p_").and_then(|i| i.parse::<i64>().ok()) {
            let status = fields
                .get(format!("s_{id}").as_str())
                .copied()
                .unwrap_or(TaskState::OnTrack.as_str());
            input.tasks.push((id, v.clone(), status.to_string()));
        }
    }
    ReportInput {
        submission: input,
        no_figures: read_no_figures(form),
    }
}

/// Each figure that is not a number, with the message shown beside its field.
pub(crate) fn figure_errors(lang: Lang, input: &SubmissionInput) -> HashMap<i64, String> {
    input
        .values
        .iter()
        .filter(|(_, v, _)| monitor::parse_figure(v).is_err())
        .map(|(id, _, _)| (*id, crate::i18n::t(lang, "mon.err.figure").to_string()))
        .collect()
}

/// The form again when a figure is not a number, or a 本月无数据 mark lacks its reason or
/// comes with a figure: each marked beside its field, everything typed kept. `None` when
/// every field reads.
async fn refuse_bad_figures(
    state: &AppState,
    auth: &Auth,
    period_id: i64,
    q: &HashMap<String, String>,
    input: &ReportInput,
) -> Result<Option<Response>, WebError> {
    let (mut value_errors, reason_errors) = mark_errors(auth.ctx.lang, input);
    value_errors.extend(figure_errors(auth.ctx.lang, input));
    if value_errors.is_empty() && reason_errors.is_empty() {
        return Ok(None);
    }
    let typed = Typed {
        value_errors,
        reason_errors,
        ..Typed::from_input(input)
    };
    let errors = vec![crate::i18n::t(auth.ctx.lang, "mon.err.fix_fields").to_string()];
    report_page(state, auth, period_id, q, errors, "", Some(typed))
        .await
        .map(Some)
}

/// Saves what the form holds as a draft, or brings the form back with what is wrong and
/// everything typed kept. `Ok(None)` when saved.
pub(super) async fn save_draft(
    state: &AppState,
    auth: &Auth,
    period_id: i64,
    q: &HashMap<String, String>,
    input: &ReportInput,
) -> Result<Option<Response>, WebError> {
    let actor = auth.actor();
    let unit_id = target_unit(&actor, q)?;
    if let Some(form_again) = refuse_bad_figures(state, auth, period_id, q, input).await? {
        return Ok(Some(form_again));
    }
    match state
        .store
        .save_report(&actor, period_id, unit_id, input, &input.no_figures, false)
        .await
    {
        Ok(_) => Ok(None),
        Err(e) => {
            let problems = upload_problems(AppError::Store(e), auth.ctx.lang)?;
            let typed = Typed::from_input(input);
            report_page(state, auth, period_id, q, problems, "", Some(typed))
                .await
                .map(Some)
        }
    }
}

/// Whose report a request is about: a unit user's own unit; the office and leaders name one
/// with `?unit=`. Who may ask is the caller's guard (`County` to read, `OfficeOrUnit` to write,
/// `Liaison` for the unit's own steps); whether the unit named is theirs to read or write is the
/// store's.
pub(crate) fn target_unit(actor: &Actor, q: &HashMap<String, String>) -> Result<i64, WebError> {
    if actor.role == Role::Unit {
        return actor
            .unit_id
            .ok_or_else(|| WebError::Forbidden("report".into()));
    }
    q.get("unit")
        .and_then(|u| u.parse().ok())
        .ok_or_else(|| WebError::BadRequest("请指定单位 (?unit=)".into()))
}

pub(super) async fn report_form(
    State(state): State<AppState>,
    auth: County,
    Path(period_id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    // What the step that led here did, by the mark it left in the link.
    const FLASHES: [(&str, &str); 9] = [
        ("imported", "mon.xlsx.imported"),
        ("dispatch_held", "mon.pxlsx.imported_held"),
        ("dispatch_imported", "mon.pxlsx.imported"),
        ("attached", "mon.att.added"),
        ("removed", "mon.att.removed"),
        ("saved", "mon.saved"),
        ("submitted", "mon.submitted"),
        ("withdrawn", "mon.withdrawn"),
        ("reviewed", "mon.reviewed"),
    ];
    let flash = crate::pages::flash_mark(&q, &FLASHES).unwrap_or("");
    report_page(&state, &auth, period_id, &q, Vec::new(), flash, None).await
}

/// A unit's report for a period, with `errors` from a failed upload (answered 400) or a
/// `flash` message after a successful one.
pub(super) async fn report_page(
    state: &AppState,
    auth: &Auth,
    period_id: i64,
    q: &HashMap<String, String>,
    errors: Vec<String>,
    flash: &'static str,
    typed: Option<Typed>,
) -> PageResult {
    let actor = auth.actor();
    let unit_id = target_unit(&actor, q)?;
    if !actor.can_read_unit(unit_id) {
        return Err(WebError::NotFound(format!("单位 {unit_id}")));
    }
    let lang = auth.ctx.lang;
    let period = state.store.get_period(&actor, period_id).await?;
    let unit = state.store.get_unit(unit_id).await?;
    let history = state
        .store
        .submission_history(&actor, period_id, unit_id)
        .await?;
    let latest = history.first().cloned();
    let (values, tasks, marks) = match &latest {
        // A failed read is an error page, never an empty form: saving that would clear the
        // unit's figures.
        Some(s) if s.status.is_handed_in() || actor.role == Role::Unit || actor.is_admin() => {
            let (values, tasks) = state.store.submission_values(&actor, s.id).await?;
            let marks = state.store.submission_no_figures(&actor, s.id).await?;
            (values, tasks, marks)
        }
        _ => Default::default(),
    };
    let editable = period.status == PeriodStatus::Open
        && actor.can_write_unit(unit_id)
        && latest.as_ref().is_none_or(|s| s.status.is_editable());
    // The unit's own step: the office acts on a submission by reviewing it.
    let withdrawable = actor.role == Role::Unit
        && actor.can_write_unit(unit_id)
        && latest
            .as_ref()
            .is_some_and(|s| s.status.apply(SubmissionStep::Withdraw).is_ok());
    let correctable = actor.can_write_unit(unit_id)
        && latest
            .as_ref()
            .is_some_and(|s| s.status.apply(SubmissionStep::Correct).is_ok());
    let attachments = match &latest {
        Some(s) => state.store.report_attachments(&actor, s.id).await?,
        None => Vec::new(),
    };
    let view = |a: &ReportAttachment| AttachmentView {
        id: a.id,
        file_name: a.file_name.clone(),
        size: size_label(a.size),
        removable: editable,
    };
    let mut values_by: HashMap<i64, (String, String)> = values
        .into_iter()
        .map(|v| (v.indicator_id, (v.value, v.note)))
        .collect();
    let mut tasks_by: HashMap<i64, (String, String)> = tasks
        .into_iter()
        .map(|t| (t.task_id, (t.progress, t.status.as_str().to_string())))
        .collect();
    // What was typed wins over what is stored: the form comes back as the person left it.
    let mut marks_by: HashMap<i64, String> = marks
        .into_iter()
        .map(|m| (m.indicator_id, m.reason))
        .collect();
    let typed = typed.unwrap_or_default();
    if editable {
        // An indicator on the form as sent is marked only if it was ticked there.
        marks_by.retain(|id, _| !typed.values.contains_key(id));
        marks_by.extend(typed.marks);
        values_by.extend(typed.values);
        tasks_by.extend(typed.tasks);
    }
    // Last approved figure of earlier periods, as a reminder of where the unit stood.
    let approved = state.store.approved_values(&actor, period.plan_id).await?;
    let value_fields: Vec<ValueField> = state
        .store
        .unit_indicators(&actor, period.plan_id, unit_id)
        .await?
        .into_iter()
        .map(|i| {
            let kind = i.kind;
            let (value, note) = values_by.get(&i.id).cloned().unwrap_or_default();
            let last = approved
                .iter()
                .rfind(|a| a.indicator_id == i.id && a.period < period.period)
                .map(|a| format!("{}: {}", a.period, a.value))
                .unwrap_or_default();
            let reason = marks_by.get(&i.id).cloned();
            Ok(ValueField {
                error: typed.value_errors.get(&i.id).cloned().unwrap_or_default(),
                no_figure: reason.is_some(),
                reason: reason.unwrap_or_default(),
                reason_error: typed.reason_errors.get(&i.id).cloned().unwrap_or_default(),
                id: i.id,
                name: i.name,
                measure: kind.measure_unit(&i.unit).to_string(),
                unit: i.unit,
                target: i.target_value,
                value,
                note,
                last,
            })
        })
        .collect::<Result<_, WebError>>()?;
    let names = state.store.unit_names().await?;
    let mut task_fields = Vec::new();
    for (t, role) in state
        .store
        .unit_tasks(&actor, period.plan_id, unit_id)
        .await?
    {
        let (progress, status) = tasks_by
            .get(&t.id)
            .cloned()
            .unwrap_or_else(|| (String::new(), TaskState::OnTrack.as_str().into()));
        let lead = role == qx_core::units::TaskRole::Lead;
        let co_attachments = if lead {
            state
                .store
                .task_attachments_for_period(&actor, period_id, t.id)
                .await?
                .into_iter()
                .filter(|(u, _)| *u != unit_id)
                .map(|(u, a)| {
                    (
                        names.get(&u).cloned().unwrap_or_default(),
                        AttachmentView {
                            removable: false,
                            ..view(&a)
                        },
                    )
                })
                .collect()
        } else {
            Vec::new()
        };
        let co_reports = if lead {
            state
                .store
                .task_reports_for_period(&actor, period_id, t.id)
                .await?
                .into_iter()
                .filter(|(u, _, _)| *u != unit_id)
                .map(|(u, _, r)| {
                    (
                        names.get(&u).cloned().unwrap_or_default(),
                        r.progress,
                        r.status.label(lang).to_string(),
                    )
                })
                .collect()
        } else {
            Vec::new()
        };
        task_fields.push(TaskField {
            id: t.id,
            number: t.number,
            title: t.title,
            text: t.text,
            role: role.label(auth.ctx.lang),
            progress,
            status,
            co_reports,
            attachments: attachments
                .iter()
                .filter(|a| a.task_id == Some(t.id))
                .map(view)
                .collect(),
            co_attachments,
        });
    }
    let general_attachments = attachments
        .iter()
        .filter(|a| a.task_id.is_none())
        .map(view)
        .collect();
    let sendings = sending_views(
        state,
        &actor,
        lang,
        period_id,
        unit_id,
        &value_fields,
        &task_fields,
    )
    .await?;
    let status = form_status(&errors);
    let projects = crate::projects::dispatch::section(
        state,
        auth,
        period_id,
        unit_id,
        editable,
        typed.form.as_deref(),
    )
    .await?;
    let page = ReportFormPage {
        projects,
        sendings,
        ctx: PageCtx::signed_in(auth),
        errors,
        flash,
        general_attachments,
        max_attachment_mb: qx_store::monitoring::MAX_REPORT_ATTACHMENT_BYTES / 1048576,
        missing: typed.missing,
        errors_title: if typed.value_errors.is_empty() && typed.reason_errors.is_empty() {
            "mon.upload_errors"
        } else {
            "mon.err.title"
        },
        period_id,
        period: period.period.clone(),
        due_on: qx_core::time::format_date(period.due_on),
        unit_id,
        unit_name: unit.name,
        status_label: status_label(lang, latest.as_ref().map(|s| s.status)),
        editable,
        correctable,
        withdrawable,
        review_id: latest
            .as_ref()
            .filter(|s| actor.is_admin() && s.status.apply(SubmissionStep::Approve).is_ok())
            .map_or(0, |s| s.id),
        comment: return_comment(latest.as_ref()),
        values: value_fields,
        tasks: task_fields,
        history: history
            .iter()
            .map(|s| {
                (
                    s.revision,
                    s.status.label(lang),
                    s.submitted_at.map(format_datetime).unwrap_or_default(),
                    own_comment(s),
                )
            })
            .collect(),
        task_statuses: options(&TaskState::REPORTED, TaskState::as_str, lang),
    };
    respond(status, &page)
}

/// The report's sendings for the history, each figure beside the one sent before it when it
/// changed.
async fn sending_views(
    state: &AppState,
    actor: &Actor,
    lang: Lang,
    period_id: i64,
    unit_id: i64,
    value_fields: &[ValueField],
    task_fields: &[TaskField],
) -> Result<Vec<SendingView>, WebError> {
    let sendings = state
        .store
        .submission_sendings(actor, period_id, unit_id)
        .await?;
    let indicator = |id: i64| {
        value_fields
            .iter()
            .find(|v| v.id == id)
            .map(|v| (v.name.clone(), v.unit.clone()))
            .unwrap_or_else(|| (format!("#{id}"), String::new()))
    };
    let task = |id: i64| {
        task_fields
            .iter()
            .find(|t| t.id == id)
            .map(|t| format!("{} {}", t.number, t.title))
            .unwrap_or_else(|| format!("#{id}"))
    };
    let mut out = Vec::new();
    let total = sendings.len();
    for (i, g) in sendings.iter().enumerate() {
        // The sending before this one (older), to show what changed.
        let earlier = sendings.get(i + 1);
        let sender = g.sent_by_name.clone();
        let values = g
            .values
            .iter()
            .map(|(id, value, note)| {
                let (name, unit) = indicator(*id);
                let before = earlier
                    .map(|e| {
                        e.values
                            .iter()
                            .find(|(eid, _, _)| eid == id)
                            .map_or_else(|| "—".to_string(), |(_, v, _)| v.clone())
                    })
                    .filter(|v| v != value)
                    .unwrap_or_default();
                (name, format!("{value} {unit}"), note.clone(), before)
            })
            .chain(g.no_figures.iter().map(|(id, reason)| {
                let (name, _) = indicator(*id);
                (name, mark_text(lang, reason), String::new(), String::new())
            }))
            .collect();
        let tasks = g
            .tasks
            .iter()
            .map(|(id, progress, status)| {
                let label = TaskState::parse_reported(status).map_or("", |s| s.label(lang));
                (task(*id), progress.clone(), label)
            })
            .collect();
        out.push(SendingView {
            title: crate::i18n::t(lang, "mon.sending.nth").replace("{n}", &(total - i).to_string()),
            sent_at: format_datetime(g.sent_at),
            sender,
            decision: g.decision.map_or_else(
                || SubmissionStatus::Submitted.label(lang),
                |d| d.label(lang),
            ),
            comment: g.comment.clone(),
            values,
            tasks,
        });
    }
    Ok(out)
}

pub(super) async fn report_save(
    State(state): State<AppState>,
    auth: OfficeOrUnit,
    Path(period_id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
    Form(form): Form<Vec<(String, String)>>,
) -> PageResult {
    let actor = auth.actor();
    let unit_id = target_unit(&actor, &q)?;
    let input = read_report_fields(&form);
    let field = |name: &str| {
        form.iter()
            .rfind(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .or(q.get(name).map(String::as_str))
    };
    let submit =
        field("action").and_then(SubmissionStep::from_code) == Some(SubmissionStep::Submit);
    if let Some(form_again) = refuse_bad_figures(&state, &auth, period_id, &q, &input).await? {
        return Ok(form_again);
    }
    if let Err(problems) =
        crate::projects::dispatch::save_from_form(&state, &auth, period_id, unit_id, &form).await?
    {
        let typed = Typed {
            form: Some(form),
            ..Typed::from_input(&input)
        };
        return report_page(&state, &auth, period_id, &q, problems, "", Some(typed)).await;
    }
    if !submit {
        if let Some(form_again) = save_draft(&state, &auth, period_id, &q, &input).await? {
            return Ok(form_again);
        }
        return Ok(
            Redirect::to(&report_url(&actor, period_id, unit_id, "saved=1")).into_response(),
        );
    }
    let store = &state.store;
    let no_figures = &input.no_figures;
    let done = if field("confirm") == Some("1") {
        store
            .save_report(&actor, period_id, unit_id, &input, no_figures, true)
            .await
    } else {
        // Kept as a draft while the person decides when something is left empty: the form
        // lists what is empty and asks to confirm.
        match store
            .save_report(&actor, period_id, unit_id, &input, no_figures, IfComplete)
            .await
        {
            Ok(Submitted::Held { missing, .. }) => {
                let typed = Typed {
                    missing,
                    ..Typed::from_input(&input)
                };
                return report_page(&state, &auth, period_id, &q, Vec::new(), "", Some(typed))
                    .await;
            }
            Ok(Submitted::Sent(id)) => Ok(id),
            Err(e) => Err(e),
        }
    };
    let typed = Some(Typed::from_input(&input));
    back_to_report(
        &state,
        &auth,
        period_id,
        &q,
        unit_id,
        done.map(|_| "submitted=1"),
        typed,
    )
    .await
}

/// 撤回: the unit takes back a report the office has not acted on yet; it is a draft again.
pub(super) async fn report_withdraw(
    State(state): State<AppState>,
    auth: Liaison,
    Path(period_id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    let actor = auth.actor();
    let unit_id = target_unit(&actor, &q)?;
    let done = state
        .store
        .withdraw_submission(&actor, period_id, unit_id)
        .await
        .map(|_| "withdrawn=1");
    back_to_report(&state, &auth, period_id, &q, unit_id, done, None).await
}

pub(super) async fn report_correct(
    State(state): State<AppState>,
    auth: OfficeOrUnit,
    Path(period_id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    let actor = auth.actor();
    let unit_id = target_unit(&actor, &q)?;
    state
        .store
        .start_correction(&actor, period_id, unit_id)
        .await?;
    Ok(Redirect::to(&report_url(&actor, period_id, unit_id, "")).into_response())
}

// ---------------------------------------------------------------- the office

/// Where a unit's report lives: `/report/{period}` for its own liaison, with `?unit=` for the
/// office; `extra` is appended as a further query parameter.
pub(super) fn report_url(actor: &Actor, period_id: i64, unit_id: i64, extra: &str) -> String {
    let mut params = Vec::new();
    if actor.role != Role::Unit {
        params.push(format!("unit={unit_id}"));
    }
    if !extra.is_empty() {
        params.push(extra.to_string());
    }
    if params.is_empty() {
        format!("/report/{period_id}")
    } else {
        format!("/report/{period_id}?{}", params.join("&"))
    }
}

/// How a step on a unit's report ends: back to the report with the mark `Ok(flag)` names in
/// the link (the page says what was done), or the report page again listing every problem the
/// person can fix, with what was typed kept (`typed`).
pub(super) async fn back_to_report(
    state: &AppState,
    auth: &Auth,
    period_id: i64,
    q: &HashMap<String, String>,
    unit_id: i64,
    done: Result<&'static str, impl Into<AppError>>,
    typed: Option<Typed>,
) -> PageResult {
    match done {
        Ok(flag) => {
            let url = report_url(&auth.actor(), period_id, unit_id, flag);
            Ok(Redirect::to(&url).into_response())
        }
        Err(e) => {
            let problems = upload_problems(e.into(), auth.ctx.lang)?;
            report_page(state, auth, period_id, q, problems, "", typed).await
        }
    }
}

/// Problems the user can fix go back onto the report page; scope errors stay errors.
/// Each in the page's language ([`crate::i18n::localise`]).
pub(super) fn upload_problems(e: AppError, lang: Lang) -> Result<Vec<String>, WebError> {
    let rows = match e {
        AppError::Rows(rows) => rows,
        AppError::Store(qx_store::StoreError::Invalid(m) | qx_store::StoreError::Conflict(m)) => {
            vec![m]
        }
        AppError::Store(other) => return Err(other.into()),
        other => vec![other.to_string()],
    };
    Ok(rows
        .iter()
        .map(|m| crate::i18n::localise(m, lang))
        .collect())
}
