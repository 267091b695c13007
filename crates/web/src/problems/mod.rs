//! 企业难题 pages and API: intake (web form with attachments, on behalf by the office, JSON),
//! the problem's page with its timeline and the steps the actor may take, the list with
//! filters and deadline flags, rates, the 工作例会 agenda (docx/xlsx) and decisions, and the
//! office's settings (企服责任人, routing, time limits). The store enforces scope and the
//! state machine; handlers parse, call one store function and render.
//!
//! Notices are in-app (`problem_notices`) and, when the setting `notify.webhook_url` holds an
//! `http://` URL, POSTed there as JSON from a background task: a failure is logged and
//! recorded on the notice, never felt by the request.

use crate::api::ApiError;
use crate::auth::Auth;
use crate::i18n::Lang;
use crate::pages::{PageCtx, fmt_time, render};
use crate::upload;
use crate::{AppState, WebError};
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use qx_core::access::{Actor, Role};
use qx_core::attachment::AttachmentKind;
use qx_core::problem::{Action, Category, Party, Rates, Satisfaction, Status, Tier, TimeLimits};
use qx_store::Store;
use qx_store::problems::{
    self as sp, NewAttachment, NewDecision, NewProblem, ProblemFilter, RateFilter, RateGroup, Step,
};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use time::Date;

type PageResult = Result<Response, WebError>;

/// UI strings of this module: key, 中文, English.
pub const MESSAGES: &[(&str, &str, &str)] = &[
    ("pb.title", "企业难题", "Enterprise problems"),
    ("pb.new", "提交难题", "Submit a problem"),
    (
        "pb.new_on_behalf",
        "代企业登记难题",
        "Enter a problem for an enterprise",
    ),
    ("pb.enterprise", "企业", "Enterprise"),
    ("pb.category", "类别", "Category"),
    ("pb.subject", "标题", "Title"),
    ("pb.description", "问题描述", "Description"),
    ("pb.contact", "联系人", "Contact"),
    ("pb.phone", "联系电话", "Phone"),
    ("pb.source", "来源", "Source"),
    ("pb.submitted_on", "提交日期", "Submitted"),
    ("pb.attachments", "附件", "Attachments"),
    ("pb.attach", "上传附件", "Upload attachment"),
    (
        "pb.attach_hint",
        "pdf、jpg、png、docx、xlsx, 每个附件不超过20 MB, 最多10个",
        "pdf, jpg, png, docx, xlsx; up to 20 MB each, at most 10",
    ),
    ("pb.status", "状态", "Status"),
    ("pb.tier", "层级", "Tier"),
    ("pb.lead_unit", "主办单位", "Lead unit"),
    ("pb.support_units", "协办单位", "Supporting units"),
    ("pb.proposed_unit", "建议承办单位", "Proposed unit"),
    ("pb.due", "当前期限", "Due"),
    (
        "pb.deadlines",
        "期限(受理/答复/办结)",
        "Deadlines (accept/answer/close)",
    ),
    (
        "pb.extension",
        "已批准延期(工作日)",
        "Approved extension (working days)",
    ),
    (
        "pb.pending_extension",
        "待审批延期",
        "Extension awaiting decision",
    ),
    ("pb.returned", "退回理由", "Reason handed back"),
    ("pb.urged", "督办次数", "Times urged"),
    ("pb.answer", "答复", "Answer"),
    ("pb.resolved", "是否解决", "Resolved"),
    ("pb.rating", "企业评价", "Enterprise rating"),
    ("pb.timeline", "办理过程", "Timeline"),
    ("pb.actions", "办理", "Handle"),
    (
        "pb.none_actions",
        "当前没有需要您办理的事项。",
        "Nothing for you to do on this problem now.",
    ),
    ("pb.note", "说明", "Note"),
    ("pb.reason", "理由", "Reason"),
    ("pb.days", "延期天数(工作日)", "Extension (working days)"),
    ("pb.approve", "同意", "Approve"),
    ("pb.reject", "不同意", "Refuse"),
    ("pb.service_contact", "企服责任人", "Service contact"),
    ("pb.filter", "筛选", "Filter"),
    ("pb.all", "全部", "All"),
    ("pb.overdue", "已超期", "Overdue"),
    ("pb.near", "临近期限", "Due soon"),
    ("pb.search", "标题或企业名称", "Title or enterprise"),
    ("pb.from", "起", "From"),
    ("pb.to", "止", "To"),
    ("pb.notices", "提醒", "Notices"),
    ("pb.rates", "办理情况统计", "Handling rates"),
    ("pb.meeting", "工作例会", "Work meeting"),
    ("pb.settings", "难题设置", "Problem settings"),
    ("pb.sweep", "立即检查时限", "Check deadlines now"),
    ("pb.total", "共", "Total"),
    ("pb.next", "下一页", "Next page"),
    ("pb.prev", "上一页", "Previous page"),
    ("pb.count", "难题数", "Problems"),
    ("pb.answer_rate", "答复率", "Answer rate"),
    ("pb.on_time_rate", "按时答复率", "On-time answers"),
    ("pb.resolution_rate", "解决率", "Resolution rate"),
    ("pb.satisfaction_rate", "满意率", "Satisfaction"),
    (
        "pb.avg_answer",
        "平均答复用时(工作日)",
        "Avg. days to answer",
    ),
    ("pb.avg_close", "平均办结用时(工作日)", "Avg. days to close"),
    ("pb.by_unit", "按承办单位", "By unit"),
    ("pb.by_tier", "按层级", "By tier"),
    ("pb.by_category", "按类别", "By category"),
    (
        "pb.targets",
        "方案目标: 难题答复率100%, 解决率≥70%",
        "Plan targets: 100% answered, ≥ 70% resolved",
    ),
    ("pb.overall", "全县", "County"),
    (
        "pb.agenda",
        "下次例会议程(升级至例会的未办结难题)",
        "Next meeting's agenda (escalated open problems)",
    ),
    ("pb.export_docx", "导出议程 Word", "Agenda as Word"),
    ("pb.export_xlsx", "导出议程 Excel", "Agenda as Excel"),
    ("pb.decisions", "例会决定落实", "Meeting decisions"),
    ("pb.decision", "会议决定", "Decision"),
    ("pb.meeting_date", "会议日期", "Meeting date"),
    ("pb.owner", "责任单位", "Owner"),
    ("pb.decision_due", "办理期限", "Due"),
    ("pb.progress", "落实情况", "Progress"),
    ("pb.done", "已落实", "Done"),
    ("pb.open", "落实中", "Open"),
    ("pb.record_decision", "记录决定", "Record decision"),
    ("pb.report_progress", "报送进展", "Report progress"),
    ("pb.mark_done", "标记已落实", "Mark done"),
    ("pb.problem", "难题", "Problem"),
    (
        "pb.routes",
        "类别分派规则(县级部门)",
        "Routing by category (county department)",
    ),
    (
        "pb.limits",
        "办理时限(工作日)",
        "Time limits (working days)",
    ),
    ("pb.accept_days", "受理", "Accept"),
    ("pb.answer_days", "答复", "Answer"),
    ("pb.close_days", "办结", "Close"),
    ("pb.nobody", "未指定", "Not assigned"),
];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/problems", get(list).post(create))
        .route("/problems/new", get(new_form))
        .route("/problems/rates", get(rates_page))
        .route("/problems/meeting", get(meeting_page))
        .route("/problems/meeting/agenda.docx", get(agenda_docx))
        .route("/problems/meeting/agenda.xlsx", get(agenda_xlsx))
        .route("/problems/meeting/decisions", post(decision_create))
        .route("/problems/meeting/decisions/{id}", post(decision_update))
        .route("/problems/settings", get(settings_page))
        .route("/problems/settings/contact", post(settings_contact))
        .route("/problems/settings/route", post(settings_route))
        .route("/problems/settings/limits", post(settings_limits))
        .route("/problems/sweep", post(sweep))
        .route("/problems/{id}", get(detail))
        .route("/problems/{id}/step", post(step))
        .route("/problems/{id}/attachments", post(attach))
        .route("/problems/{id}/attachments/{aid}", get(download))
        .route("/api/v1/problems", get(api_list).post(api_create))
        .route("/api/v1/problems/rates", get(api_rates))
        .route("/api/v1/problems/{id}", get(api_get))
        .route("/api/v1/problems/{id}/steps", post(api_step))
}

// ---------------------------------------------------------------- labels

fn pick(lang: Lang, zh: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

fn category_label(lang: Lang, code: &str) -> &'static str {
    Category::parse(code).map_or("?", |c| pick(lang, c.label_zh(), c.label_en()))
}

fn status_label(lang: Lang, code: &str) -> &'static str {
    Status::parse(code).map_or("?", |c| pick(lang, c.label_zh(), c.label_en()))
}

fn tier_label(lang: Lang, code: &str) -> &'static str {
    Tier::parse(code).map_or("?", |c| pick(lang, c.label_zh(), c.label_en()))
}

fn options<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    label: impl Fn(T) -> &'static str,
) -> Vec<(&'static str, &'static str)> {
    all.iter().map(|v| (code(*v), label(*v))).collect()
}

fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "—".into(), |v| format!("{v:.1}%"))
}

fn days(v: Option<f64>) -> String {
    v.map_or_else(|| "—".into(), |v| format!("{v:.1}"))
}

fn non_empty(q: &HashMap<String, String>, k: &str) -> Option<String> {
    q.get(k)
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

fn parse_date_field(field: &str, s: &str) -> Result<Date, WebError> {
    sp::parse_date(s.trim()).ok_or_else(|| {
        WebError::BadRequest(format!("{field}: \"{}\" 格式应为 YYYY-MM-DD", s.trim()))
    })
}

fn parse_id(field: &str, s: &str) -> Result<i64, WebError> {
    s.trim()
        .parse()
        .map_err(|_| WebError::BadRequest(format!("{field}: \"{}\" 不是有效编号", s.trim())))
}

fn flag_of(due: &str, status: &str, today: &str, near_until: &str) -> &'static str {
    if status == "closed" || due.is_empty() {
        ""
    } else if due < today {
        "overdue"
    } else if due <= near_until {
        "near"
    } else {
        ""
    }
}

// ---------------------------------------------------------------- list

pub struct ListLine {
    id: i64,
    title: String,
    enterprise: String,
    category: &'static str,
    status: &'static str,
    tier: &'static str,
    unit: String,
    submitted_on: String,
    due_on: String,
    flag: &'static str,
    pending_extension: bool,
    urged: i64,
}

pub struct NoticeLine {
    at: String,
    message: String,
    problem_id: Option<i64>,
    kind: String,
}

#[derive(Template)]
#[template(path = "problems/list.html")]
struct ListPage {
    ctx: PageCtx,
    lines: Vec<ListLine>,
    total: i64,
    notices: Vec<NoticeLine>,
    statuses: Vec<(&'static str, &'static str)>,
    categories: Vec<(&'static str, &'static str)>,
    tiers: Vec<(&'static str, &'static str)>,
    f_status: String,
    f_category: String,
    f_tier: String,
    f_flag: String,
    f_q: String,
    f_from: String,
    f_to: String,
    prev_link: Option<String>,
    next_link: Option<String>,
    can_submit: bool,
    is_admin: bool,
    reads_all: bool,
}

const PAGE: i64 = 50;
/// The last automatic deadline sweep (Unix seconds); the office's list page triggers one at
/// most every ten minutes, in the background.
static LAST_SWEEP: AtomicI64 = AtomicI64::new(0);

fn list_filter(q: &HashMap<String, String>) -> ProblemFilter {
    let flag = q.get("flag").map(String::as_str).unwrap_or("");
    ProblemFilter {
        status: q.get("status").and_then(|s| Status::parse(s)),
        category: q.get("category").and_then(|s| Category::parse(s)),
        tier: q.get("tier").and_then(|s| Tier::parse(s)),
        unit_id: q.get("unit").and_then(|s| s.parse().ok()),
        enterprise_id: q.get("enterprise").and_then(|s| s.parse().ok()),
        overdue: flag == "overdue",
        near: flag == "near",
        q: non_empty(q, "q"),
        from: non_empty(q, "from"),
        to: non_empty(q, "to"),
        limit: PAGE,
        offset: q
            .get("offset")
            .and_then(|s| s.parse().ok())
            .unwrap_or(0)
            .max(0),
    }
}

async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    let actor = auth.actor();
    let lang = auth.ctx.lang;
    let today = sp::today_cst();
    if actor.is_admin() {
        let now = qx_store::now();
        let last = LAST_SWEEP.load(Ordering::Relaxed);
        if now - last >= 600
            && LAST_SWEEP
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            let store = state.store.clone();
            tokio::spawn(async move {
                match store.sweep_problem_deadlines(sp::today_cst()).await {
                    Ok(report) => dispatch_webhook(store, report.notices),
                    Err(e) => tracing::warn!("problem deadline sweep failed: {e}"),
                }
            });
        }
    }
    let f = list_filter(&q);
    let (rows, total) = state.store.list_problems(&actor, &f, today).await?;
    let cal = state.store.work_calendar().await?;
    let today_iso = sp::date_iso(today);
    let near_iso = sp::date_iso(cal.add_working_days(today, 1).unwrap_or(today));
    let lines = rows
        .into_iter()
        .map(|r| ListLine {
            flag: flag_of(&r.due_on, &r.status, &today_iso, &near_iso),
            id: r.id,
            title: r.title,
            enterprise: r.enterprise_name,
            category: category_label(lang, &r.category),
            status: status_label(lang, &r.status),
            tier: tier_label(lang, &r.tier),
            unit: r.lead_unit_name,
            submitted_on: r.submitted_on,
            due_on: r.due_on,
            pending_extension: r.extension_pending > 0,
            urged: r.urge_count,
        })
        .collect();
    let notices = state
        .store
        .problem_notices(&actor, 10)
        .await?
        .into_iter()
        .map(|n| NoticeLine {
            at: fmt_time(n.created_at),
            message: n.message,
            problem_id: n.problem_id,
            kind: n.kind,
        })
        .collect();
    let page_link = |offset: i64| {
        let mut params: Vec<(String, String)> = q
            .iter()
            .filter(|(k, _)| k.as_str() != "offset")
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        params.sort();
        params.push(("offset".into(), offset.to_string()));
        format!(
            "/problems?{}",
            serde_urlencoded::to_string(&params).unwrap_or_default()
        )
    };
    let page = ListPage {
        ctx: PageCtx::signed_in(&auth),
        lines,
        total,
        notices,
        statuses: options(Status::ALL, Status::as_str, |s| {
            pick(lang, s.label_zh(), s.label_en())
        }),
        categories: options(Category::ALL, Category::as_str, |s| {
            pick(lang, s.label_zh(), s.label_en())
        }),
        tiers: options(Tier::ALL, Tier::as_str, |s| {
            pick(lang, s.label_zh(), s.label_en())
        }),
        f_status: q.get("status").cloned().unwrap_or_default(),
        f_category: q.get("category").cloned().unwrap_or_default(),
        f_tier: q.get("tier").cloned().unwrap_or_default(),
        f_flag: q.get("flag").cloned().unwrap_or_default(),
        f_q: q.get("q").cloned().unwrap_or_default(),
        f_from: q.get("from").cloned().unwrap_or_default(),
        f_to: q.get("to").cloned().unwrap_or_default(),
        prev_link: (f.offset > 0).then(|| page_link((f.offset - PAGE).max(0))),
        next_link: (f.offset + PAGE < total).then(|| page_link(f.offset + PAGE)),
        can_submit: matches!(actor.role, Role::Admin | Role::Enterprise),
        is_admin: actor.is_admin(),
        reads_all: actor.reads_all(),
    };
    Ok(render(&page).into_response())
}

// ---------------------------------------------------------------- intake

#[derive(Template)]
#[template(path = "problems/new.html")]
struct NewPage {
    ctx: PageCtx,
    categories: Vec<(&'static str, &'static str)>,
    enterprises: Vec<(i64, String)>,
    sources: Vec<(&'static str, &'static str)>,
    on_behalf: bool,
    today: String,
}

async fn new_form(State(state): State<AppState>, auth: Auth) -> PageResult {
    let actor = auth.actor();
    if !matches!(actor.role, Role::Admin | Role::Enterprise) {
        return Err(WebError::Forbidden("problem.submit".into()));
    }
    let lang = auth.ctx.lang;
    let page = NewPage {
        ctx: PageCtx::signed_in(&auth),
        categories: options(Category::ALL, Category::as_str, |s| {
            pick(lang, s.label_zh(), s.label_en())
        }),
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
        today: sp::date_iso(sp::today_cst()),
    };
    Ok(render(&page).into_response())
}

/// What a problem form may upload: a few attachments, each within the store's limit, and
/// the text fields of the form (the description is the longest, 5,000 characters).
const PROBLEM_UPLOAD: upload::Limits = upload::Limits {
    label: "附件",
    files: 10,
    file_bytes: sp::MAX_ATTACHMENT_BYTES,
    fields: 16,
    field_bytes: 64 * 1024,
};

/// The upload's files as the store takes them.
fn attachments(files: Vec<upload::UploadedFile>) -> Vec<NewAttachment> {
    files
        .into_iter()
        .map(|f| NewAttachment {
            filename: f.name.to_string(),
            data: f.data,
        })
        .collect()
}

fn new_problem(
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
            sp::today_cst()
        } else {
            parse_date_field("提交日期", &get("submitted_on"))?
        };
        if on > sp::today_cst() {
            return Err(WebError::BadRequest("提交日期: 不能晚于今天".into()));
        }
        (source, on)
    } else {
        (
            (if api { "api" } else { "web" }).to_string(),
            sp::today_cst(),
        )
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

async fn create(State(state): State<AppState>, auth: Auth, form: Multipart) -> PageResult {
    let actor = auth.actor();
    let up = upload::read(form, &PROBLEM_UPLOAD).await?;
    let new = new_problem(&actor, &up.field_map(), false)?;
    let files = attachments(up.files);
    let (id, notices) = state.store.submit_problem(&actor, &new, files).await?;
    dispatch_webhook(state.store.clone(), notices);
    Ok(Redirect::to(&format!("/problems/{id}?saved=1")).into_response())
}

// ---------------------------------------------------------------- one problem

pub struct EventLine {
    at: String,
    actor: String,
    action: String,
    status: String,
    note: String,
}

#[derive(Template)]
#[template(path = "problems/detail.html")]
struct DetailPage {
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
    actions: Vec<(&'static str, &'static str)>,
    /// (id, name, proposed) for the 交办 form.
    units: Vec<(i64, String, bool)>,
    tiers: Vec<(&'static str, &'static str)>,
    satisfactions: Vec<(&'static str, &'static str)>,
    can_attach: bool,
    flag: &'static str,
}

async fn detail(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    let actor = auth.actor();
    let lang = auth.ctx.lang;
    let d = state.store.get_problem(&actor, id).await?;
    let status = d.problem.status();
    let actions: Vec<(&'static str, &'static str)> = match d.party {
        Some(party) => status
            .actions()
            .filter(|a| a.allowed_for(party))
            .filter(|a| match a {
                Action::DecideExtension => d.problem.extension_pending > 0,
                Action::RequestExtension => d.problem.extension_pending == 0,
                Action::Redo => d.problem.satisfaction.as_deref() == Some("unsatisfied"),
                Action::Escalate => d.problem.tier().next().is_some(),
                _ => true,
            })
            .map(|a| (a.as_str(), pick(lang, a.label_zh(), a.label_en())))
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
    let mut ctx = PageCtx::signed_in(&auth);
    if q.contains_key("saved") {
        ctx.flash = Some(crate::i18n::t(lang, "common.saved").to_string());
    }
    let today = sp::today_cst();
    let cal = state.store.work_calendar().await?;
    let near = sp::date_iso(cal.add_working_days(today, 1).unwrap_or(today));
    let page = DetailPage {
        ctx,
        category: category_label(lang, &d.problem.category),
        status: status_label(lang, &d.problem.status),
        tier: tier_label(lang, &d.problem.tier),
        source: sp::SOURCES
            .iter()
            .find(|(s, _)| *s == d.problem.source)
            .map_or("", |(_, l)| l),
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
            .as_deref()
            .and_then(Satisfaction::parse)
            .map(|s| pick(lang, s.label_zh(), s.label_en()).to_string())
            .unwrap_or_default(),
        events: d
            .events
            .iter()
            .map(|e| EventLine {
                at: fmt_time(e.at),
                actor: e.actor.clone(),
                action: Action::parse(&e.action)
                    .map(|a| pick(lang, a.label_zh(), a.label_en()).to_string())
                    .unwrap_or_else(|| e.action.clone()),
                status: if e.to_status.is_empty() {
                    String::new()
                } else {
                    status_label(lang, &e.to_status).to_string()
                },
                note: e.note.clone(),
            })
            .collect(),
        attachments: d.attachments.clone(),
        can_attach: d.party.is_some() && status.is_open(),
        actions,
        units,
        tiers: options(Tier::ALL, Tier::as_str, |s| {
            pick(lang, s.label_zh(), s.label_en())
        }),
        satisfactions: options(Satisfaction::ALL, Satisfaction::as_str, |s| {
            pick(lang, s.label_zh(), s.label_en())
        }),
        flag: flag_of(
            &d.problem.due_on,
            &d.problem.status,
            &sp::date_iso(today),
            &near,
        ),
        p: d.problem,
    };
    Ok(render(&page).into_response())
}

/// Turns the step form's fields into a [`Step`], naming the field that is wrong.
fn parse_step(fields: &[(String, String)]) -> Result<Step, WebError> {
    let get = |k: &str| {
        fields
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let action = Action::parse(&get("action"))
        .ok_or_else(|| WebError::BadRequest(format!("办理事项: \"{}\" 无效", get("action"))))?;
    let step = match action {
        Action::Accept => Step::Accept { note: get("note") },
        Action::Assign => {
            let tier = Tier::parse(&get("tier"))
                .ok_or_else(|| WebError::BadRequest("层级: 请选择".into()))?;
            let support_unit_ids = fields
                .iter()
                .filter(|(n, v)| n == "support_unit_ids" && !v.trim().is_empty())
                .map(|(_, v)| parse_id("协办单位", v))
                .collect::<Result<Vec<_>, _>>()?;
            Step::Assign {
                tier,
                lead_unit_id: parse_id("主办单位", &get("lead_unit_id"))?,
                support_unit_ids,
                note: get("note"),
            }
        }
        Action::Start => Step::Start,
        Action::Return => Step::Return {
            reason: get("reason"),
        },
        Action::RequestExtension => {
            let days = get("days").parse().map_err(|_| {
                WebError::BadRequest(format!("延期天数: \"{}\" 不是整数", get("days")))
            })?;
            Step::RequestExtension {
                days,
                reason: get("reason"),
            }
        }
        Action::DecideExtension => Step::DecideExtension {
            approve: get("approve") == "1",
            note: get("note"),
        },
        Action::Urge => Step::Urge { note: get("note") },
        Action::Escalate => Step::Escalate {
            reason: get("reason"),
        },
        Action::Answer => Step::Answer {
            text: get("text"),
            resolved: get("resolved") == "1",
        },
        Action::Rate => Step::Rate {
            satisfaction: Satisfaction::parse(&get("satisfaction"))
                .ok_or_else(|| WebError::BadRequest("评价: 请选择满意程度".into()))?,
            comment: get("comment"),
        },
        Action::Redo => Step::Redo {
            reason: get("reason"),
        },
        Action::Close => Step::Close { note: get("note") },
    };
    Ok(step)
}

async fn step(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> PageResult {
    let step = parse_step(&fields)?;
    let notices = state
        .store
        .problem_step(&auth.actor(), id, &step, sp::today_cst())
        .await?;
    dispatch_webhook(state.store.clone(), notices);
    Ok(Redirect::to(&format!("/problems/{id}?saved=1")).into_response())
}

async fn attach(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    form: Multipart,
) -> PageResult {
    let up = upload::read(form, &PROBLEM_UPLOAD).await?;
    if up.files.is_empty() {
        return Err(WebError::BadRequest("附件: 请选择文件".into()));
    }
    for f in &attachments(up.files) {
        state
            .store
            .add_problem_attachment(&auth.actor(), id, f)
            .await?;
    }
    Ok(Redirect::to(&format!("/problems/{id}?saved=1")).into_response())
}

/// RFC 5987 encoding for a download's file name.
fn encode_filename(name: &str) -> String {
    name.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Serves a stored attachment as a download: always `attachment`, never sniffed by the
/// browser, and with a type from the allowlist (rows stored before the allowlist held the
/// client's type, which is not trusted: anything else goes out as octet-stream).
fn download_response(content_type: &str, filename: &str, data: Vec<u8>) -> Response {
    let safe_type = AttachmentKind::ALL
        .iter()
        .map(|k| k.content_type())
        .find(|t| *t == content_type)
        .unwrap_or("application/octet-stream");
    let disposition = format!("attachment; filename*=UTF-8''{}", encode_filename(filename));
    (
        [
            (header::CONTENT_TYPE, safe_type.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
        ],
        data,
    )
        .into_response()
}

async fn download(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, aid)): Path<(i64, i64)>,
) -> PageResult {
    let (meta, data) = state
        .store
        .get_problem_attachment(&auth.actor(), id, aid)
        .await?;
    Ok(download_response(&meta.content_type, &meta.filename, data))
}

// ---------------------------------------------------------------- rates

pub struct RateLine {
    name: String,
    total: i64,
    answer_rate: String,
    on_time: String,
    resolution: String,
    satisfaction: String,
    avg_answer: String,
    avg_close: String,
    answer_ok: bool,
    resolution_ok: bool,
}

fn rate_line(name: String, r: &Rates) -> RateLine {
    RateLine {
        name,
        total: r.counts.total,
        answer_rate: pct(r.answer_rate),
        on_time: pct(r.on_time_answer_rate),
        resolution: pct(r.resolution_rate),
        satisfaction: pct(r.satisfaction_rate),
        avg_answer: days(r.avg_days_to_answer),
        avg_close: days(r.avg_days_to_close),
        answer_ok: r.answer_rate.is_none_or(|v| v >= 100.0),
        resolution_ok: r.resolution_rate.is_none_or(|v| v >= 70.0),
    }
}

#[derive(Template)]
#[template(path = "problems/rates.html")]
struct RatesPage {
    ctx: PageCtx,
    sections: Vec<(&'static str, Vec<RateLine>)>,
    from: String,
    to: String,
}

async fn rates_page(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    auth.county_actor("problem.rates")?;
    let lang = auth.ctx.lang;
    let today = sp::today_cst();
    let f = RateFilter {
        from: non_empty(&q, "from"),
        to: non_empty(&q, "to"),
        ..Default::default()
    };
    let units: HashMap<String, String> = state
        .store
        .list_units()
        .await?
        .into_iter()
        .map(|u| (u.id.to_string(), u.name))
        .collect();
    let all = state.store.problem_rates_breakdown(&f, today).await?;
    let overall = all.overall;
    let mut by_unit: Vec<RateLine> = all
        .by_unit
        .into_iter()
        .map(|(k, r)| {
            let name = units
                .get(&k)
                .cloned()
                .unwrap_or_else(|| crate::i18n::t(lang, "pb.nobody").to_string());
            rate_line(name, &r)
        })
        .collect();
    by_unit.sort_by_key(|l| std::cmp::Reverse(l.total));
    let by_tier: Vec<RateLine> = all
        .by_tier
        .into_iter()
        .map(|(k, r)| rate_line(tier_label(lang, &k).to_string(), &r))
        .collect();
    let by_category: Vec<RateLine> = all
        .by_category
        .into_iter()
        .map(|(k, r)| rate_line(category_label(lang, &k).to_string(), &r))
        .collect();
    let page = RatesPage {
        ctx: PageCtx::signed_in(&auth),
        sections: vec![
            (
                "pb.overall",
                vec![rate_line(
                    crate::i18n::t(lang, "pb.overall").to_string(),
                    &overall,
                )],
            ),
            ("pb.by_tier", by_tier),
            ("pb.by_category", by_category),
            ("pb.by_unit", by_unit),
        ],
        from: f.from.unwrap_or_default(),
        to: f.to.unwrap_or_default(),
    };
    Ok(render(&page).into_response())
}

// ---------------------------------------------------------------- 例会

pub struct DecisionLine {
    d: sp::Decision,
    overdue: bool,
    can_update: bool,
}

#[derive(Template)]
#[template(path = "problems/meeting.html")]
struct MeetingPage {
    ctx: PageCtx,
    agenda: Vec<sp::Problem>,
    decisions: Vec<DecisionLine>,
    units: Vec<(i64, String)>,
    is_admin: bool,
    reads_all: bool,
    today: String,
}

async fn meeting_page(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    let actor = auth.county_actor("meeting")?;
    let agenda = if actor.reads_all() {
        state.store.meeting_agenda(&actor).await?
    } else {
        Vec::new()
    };
    let today = sp::date_iso(sp::today_cst());
    let decisions = state
        .store
        .list_decisions(&actor)
        .await?
        .into_iter()
        .map(|d| DecisionLine {
            overdue: d.status == "open" && d.due_on < today,
            can_update: d.status == "open" && actor.can_write_unit(d.owner_unit_id),
            d,
        })
        .collect();
    let mut ctx = PageCtx::signed_in(&auth);
    if q.contains_key("saved") {
        ctx.flash = Some(crate::i18n::t(auth.ctx.lang, "common.saved").to_string());
    }
    let page = MeetingPage {
        ctx,
        agenda,
        decisions,
        units: if actor.is_admin() {
            state
                .store
                .list_units()
                .await?
                .into_iter()
                .map(|u| (u.id, u.name))
                .collect()
        } else {
            Vec::new()
        },
        is_admin: actor.is_admin(),
        reads_all: actor.reads_all(),
        today,
    };
    Ok(render(&page).into_response())
}

const AGENDA_HEAD: [&str; 8] = [
    "序号",
    "企业",
    "难题",
    "类别",
    "主办单位",
    "提交日期",
    "升级次数",
    "办理情况",
];

fn agenda_row(i: usize, p: &sp::Problem) -> [String; 8] {
    let state = if p.answer.is_empty() {
        format!("{} · {}", p.status().label_zh(), p.return_reason)
    } else {
        p.answer.clone()
    };
    [
        (i + 1).to_string(),
        p.enterprise_name.clone(),
        format!("{}: {}", p.title, p.description),
        p.category().label_zh().to_string(),
        p.lead_unit_name.clone(),
        p.submitted_on.clone(),
        p.escalations.to_string(),
        state,
    ]
}

fn agenda_docx_bytes(agenda: &[sp::Problem], today: &str) -> Result<Vec<u8>, WebError> {
    use docx_rs::{AlignmentType, Docx, Paragraph, Run, RunFonts, Table, TableCell, TableRow};
    let run = |text: &str, font: &str, half_points: usize| {
        Run::new()
            .add_text(text)
            .fonts(RunFonts::new().east_asia(font))
            .size(half_points)
    };
    let cell = |text: &str, bold: bool| {
        let r = run(text, "仿宋_GB2312", 24);
        TableCell::new().add_paragraph(Paragraph::new().add_run(if bold { r.bold() } else { r }))
    };
    let mut rows = vec![TableRow::new(
        AGENDA_HEAD.iter().map(|h| cell(h, true)).collect(),
    )];
    for (i, p) in agenda.iter().enumerate() {
        rows.push(TableRow::new(
            agenda_row(i, p).iter().map(|c| cell(c, false)).collect(),
        ));
    }
    let doc = Docx::new()
        .add_paragraph(Paragraph::new().align(AlignmentType::Center).add_run(run(
            "工业强县工作例会议题",
            "方正小标宋简体",
            44,
        )))
        .add_paragraph(Paragraph::new().align(AlignmentType::Center).add_run(run(
            &format!("(升级至例会的企业难题, {} 件, {today} 导出)", agenda.len()),
            "楷体_GB2312",
            32,
        )))
        .add_table(Table::new(rows));
    let mut buf = std::io::Cursor::new(Vec::new());
    doc.build()
        .pack(&mut buf)
        .map_err(|e| WebError::Internal(anyhow::anyhow!("docx: {e}")))?;
    Ok(buf.into_inner())
}

fn agenda_xlsx_bytes(agenda: &[sp::Problem]) -> Result<Vec<u8>, WebError> {
    use rust_xlsxwriter::{Format, Workbook};
    let err = |e: rust_xlsxwriter::XlsxError| WebError::Internal(anyhow::anyhow!("xlsx: {e}"));
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let ws = wb.add_worksheet();
    ws.set_name("例会议程").map_err(err)?;
    for (c, h) in AGENDA_HEAD.iter().enumerate() {
        let col = u16::try_from(c).unwrap_or(0);
        ws.write_string_with_format(0, col, *h, &bold)
            .map_err(err)?;
        ws.set_column_width(col, if c == 2 || c == 7 { 48 } else { 14 })
            .map_err(err)?;
    }
    for (i, p) in agenda.iter().enumerate() {
        let row = u32::try_from(i + 1).unwrap_or(u32::MAX);
        for (c, v) in agenda_row(i, p).iter().enumerate() {
            ws.write_string(row, u16::try_from(c).unwrap_or(0), v)
                .map_err(err)?;
        }
    }
    wb.save_to_buffer().map_err(err)
}

async fn agenda_docx(State(state): State<AppState>, auth: Auth) -> PageResult {
    let agenda = state.store.meeting_agenda(&auth.actor()).await?;
    let today = sp::date_iso(sp::today_cst());
    let bytes = agenda_docx_bytes(&agenda, &today)?;
    let mime = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
    Ok(download_response(
        mime,
        &format!("例会议程-{today}.docx"),
        bytes,
    ))
}

async fn agenda_xlsx(State(state): State<AppState>, auth: Auth) -> PageResult {
    let agenda = state.store.meeting_agenda(&auth.actor()).await?;
    let today = sp::date_iso(sp::today_cst());
    let bytes = agenda_xlsx_bytes(&agenda)?;
    let mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    Ok(download_response(
        mime,
        &format!("例会议程-{today}.xlsx"),
        bytes,
    ))
}

#[derive(Deserialize)]
struct DecisionForm {
    #[serde(default)]
    problem_id: String,
    meeting_date: String,
    decision: String,
    owner_unit_id: String,
    due_on: String,
}

async fn decision_create(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<DecisionForm>,
) -> PageResult {
    let d = NewDecision {
        problem_id: if f.problem_id.trim().is_empty() {
            None
        } else {
            Some(parse_id("难题", &f.problem_id)?)
        },
        meeting_date: parse_date_field("会议日期", &f.meeting_date)?,
        decision: f.decision,
        owner_unit_id: parse_id("责任单位", &f.owner_unit_id)?,
        due_on: parse_date_field("办理期限", &f.due_on)?,
    };
    state.store.record_decision(&auth.actor(), &d).await?;
    Ok(Redirect::to("/problems/meeting?saved=1").into_response())
}

#[derive(Deserialize)]
struct ProgressForm {
    progress: String,
    #[serde(default)]
    done: String,
}

async fn decision_update(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Form(f): Form<ProgressForm>,
) -> PageResult {
    state
        .store
        .update_decision(
            &auth.actor(),
            id,
            &f.progress,
            f.done == "1",
            sp::today_cst(),
        )
        .await?;
    Ok(Redirect::to("/problems/meeting?saved=1").into_response())
}

// ---------------------------------------------------------------- settings

/// (user id, "name (unit)", selected)
type StaffOption = (i64, String, bool);

pub struct LimitLine {
    code: &'static str,
    label: &'static str,
    limits: TimeLimits,
    route: String,
}

#[derive(Template)]
#[template(path = "problems/settings.html")]
struct SettingsPage {
    ctx: PageCtx,
    /// (enterprise id, name, staff options with the current 企服责任人 selected)
    contacts: Vec<(i64, String, Vec<StaffOption>)>,
    lines: Vec<LimitLine>,
    departments: Vec<(i64, String)>,
}

fn office_only(auth: &Auth) -> Result<Actor, WebError> {
    let actor = auth.actor();
    if actor.is_admin() {
        Ok(actor)
    } else {
        Err(WebError::Forbidden("problem.settings".into()))
    }
}

async fn settings_page(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    let actor = office_only(&auth)?;
    let lang = auth.ctx.lang;
    let units = state.store.list_units().await?;
    let unit_names: HashMap<i64, String> = units.iter().map(|u| (u.id, u.name.clone())).collect();
    let staff: Vec<(i64, String)> = state
        .store
        .list_users(&actor)
        .await?
        .into_iter()
        .filter(|u| matches!(u.role, Role::Admin | Role::Unit))
        .map(|u| {
            let unit = u
                .unit_id
                .and_then(|id| unit_names.get(&id).cloned())
                .unwrap_or_default();
            (u.id, format!("{} ({unit})", u.display_name))
        })
        .collect();
    let limits = state.store.problem_time_limits().await?;
    let routes = state.store.problem_routes().await?;
    let lines = Category::ALL
        .iter()
        .map(|c| LimitLine {
            code: c.as_str(),
            label: pick(lang, c.label_zh(), c.label_en()),
            limits: limits.for_category(*c),
            route: routes
                .iter()
                .find(|r| r.category == c.as_str())
                .map_or_else(
                    || c.default_department().to_string(),
                    |r| r.unit_name.clone(),
                ),
        })
        .collect();
    let mut ctx = PageCtx::signed_in(&auth);
    if q.contains_key("saved") {
        ctx.flash = Some(crate::i18n::t(lang, "common.saved").to_string());
    }
    let page = SettingsPage {
        ctx,
        contacts: state
            .store
            .service_contacts()
            .await?
            .into_iter()
            .map(|c| {
                let options = staff
                    .iter()
                    .map(|(id, name)| (*id, name.clone(), Some(*id) == c.user_id))
                    .collect();
                (c.enterprise_id, c.enterprise_name, options)
            })
            .collect(),
        lines,
        departments: units
            .into_iter()
            .filter(|u| u.kind == "department")
            .map(|u| (u.id, u.name))
            .collect(),
    };
    Ok(render(&page).into_response())
}

#[derive(Deserialize)]
struct ContactForm {
    enterprise_id: String,
    #[serde(default)]
    user_id: String,
}

async fn settings_contact(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<ContactForm>,
) -> PageResult {
    let user = if f.user_id.trim().is_empty() {
        None
    } else {
        Some(parse_id("企服责任人", &f.user_id)?)
    };
    state
        .store
        .set_service_contact(&auth.actor(), parse_id("企业", &f.enterprise_id)?, user)
        .await?;
    Ok(Redirect::to("/problems/settings?saved=1").into_response())
}

#[derive(Deserialize)]
struct RouteForm {
    category: String,
    unit_id: String,
}

fn category_field(s: &str) -> Result<Category, WebError> {
    Category::parse(s.trim()).ok_or_else(|| WebError::BadRequest(format!("类别: \"{s}\" 无效")))
}

async fn settings_route(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<RouteForm>,
) -> PageResult {
    state
        .store
        .set_problem_route(
            &auth.actor(),
            category_field(&f.category)?,
            parse_id("县级部门", &f.unit_id)?,
        )
        .await?;
    Ok(Redirect::to("/problems/settings?saved=1").into_response())
}

#[derive(Deserialize)]
struct LimitsForm {
    category: String,
    accept_days: String,
    answer_days: String,
    close_days: String,
}

async fn settings_limits(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<LimitsForm>,
) -> PageResult {
    let n = |field: &str, v: &str| -> Result<u32, WebError> {
        v.trim()
            .parse()
            .map_err(|_| WebError::BadRequest(format!("{field}: \"{}\" 不是整数", v.trim())))
    };
    let limits = TimeLimits::new(
        n("受理时限", &f.accept_days)?,
        n("答复时限", &f.answer_days)?,
        n("办结时限", &f.close_days)?,
    )
    .map_err(WebError::BadRequest)?;
    state
        .store
        .set_problem_time_limits(&auth.actor(), category_field(&f.category)?, limits)
        .await?;
    Ok(Redirect::to("/problems/settings?saved=1").into_response())
}

async fn sweep(State(state): State<AppState>, auth: Auth) -> PageResult {
    office_only(&auth)?;
    let report = state.store.sweep_problem_deadlines(sp::today_cst()).await?;
    LAST_SWEEP.store(qx_store::now(), Ordering::Relaxed);
    dispatch_webhook(state.store.clone(), report.notices);
    Ok(Redirect::to("/problems?flag=overdue").into_response())
}

// ---------------------------------------------------------------- API

type ApiResult<T> = Result<Json<T>, ApiError>;

/// Query of `GET /api/v1/problems`: the list page's filters. Unknown codes are ignored.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProblemListParams {
    /// submitted | accepted | assigned | in_progress | returned | answered | rated | closed
    pub status: Option<String>,
    /// land | labour | finance | approval | policy | infrastructure | other
    pub category: Option<String>,
    /// town | department | meeting
    pub tier: Option<String>,
    /// Lead unit id.
    pub unit: Option<String>,
    /// Enterprise id.
    pub enterprise: Option<String>,
    /// overdue | near (due by the next working day)
    pub flag: Option<String>,
    /// Text in the title or the enterprise's name (plain substring).
    pub q: Option<String>,
    /// ISO date: submitted on or after.
    pub from: Option<String>,
    /// ISO date: submitted on or before.
    pub to: Option<String>,
    /// Rows to skip (newest first).
    pub offset: Option<String>,
    /// Rows to return, 1–500 (default 50).
    pub limit: Option<String>,
}

impl ProblemListParams {
    fn filter(&self) -> ProblemFilter {
        let q: HashMap<String, String> = [
            ("status", &self.status),
            ("category", &self.category),
            ("tier", &self.tier),
            ("unit", &self.unit),
            ("enterprise", &self.enterprise),
            ("flag", &self.flag),
            ("q", &self.q),
            ("from", &self.from),
            ("to", &self.to),
            ("offset", &self.offset),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.clone().map(|v| (k.to_string(), v)))
        .collect();
        let mut f = list_filter(&q);
        f.limit = self
            .limit
            .as_deref()
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(PAGE);
        f
    }
}

/// A line of the problem list.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ProblemRowDto {
    pub id: i64,
    pub title: String,
    pub category: String,
    pub status: String,
    pub tier: String,
    pub enterprise_id: i64,
    pub enterprise_name: String,
    pub lead_unit_id: Option<i64>,
    pub lead_unit_name: String,
    /// ISO date.
    pub submitted_on: String,
    /// ISO date of the running deadline ("" when closed).
    pub due_on: String,
    /// 1 when an extension awaits the office's decision.
    pub extension_pending: i64,
    pub urge_count: i64,
}

impl From<sp::ProblemRow> for ProblemRowDto {
    fn from(r: sp::ProblemRow) -> Self {
        ProblemRowDto {
            id: r.id,
            title: r.title,
            category: r.category,
            status: r.status,
            tier: r.tier,
            enterprise_id: r.enterprise_id,
            enterprise_name: r.enterprise_name,
            lead_unit_id: r.lead_unit_id,
            lead_unit_name: r.lead_unit_name,
            submitted_on: r.submitted_on,
            due_on: r.due_on,
            extension_pending: r.extension_pending,
            urge_count: r.urge_count,
        }
    }
}

/// A page of the list, newest first, and how many match in all.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ProblemListDto {
    pub total: i64,
    pub items: Vec<ProblemRowDto>,
}

/// A problem as the API takes it. Numbers may also be sent as strings.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct NewProblemDto {
    /// Required from the office; an enterprise user submits for its own enterprise.
    pub enterprise_id: Option<i64>,
    /// land | labour | finance | approval | policy | infrastructure | other
    pub category: String,
    pub title: String,
    pub description: String,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    /// Office only: web | visit | hotline | api (default api).
    pub source: Option<String>,
    /// Office only: ISO date received, not after today (default today).
    pub submitted_on: Option<String>,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct CreatedDto {
    pub id: i64,
}

/// Query of `GET /api/v1/problems/rates`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RateParams {
    /// Lead unit id.
    pub unit: Option<String>,
    /// town | department | meeting
    pub tier: Option<String>,
    /// land | labour | finance | approval | policy | infrastructure | other
    pub category: Option<String>,
    /// ISO date: submitted on or after.
    pub from: Option<String>,
    /// ISO date: submitted on or before.
    pub to: Option<String>,
    /// unit | tier | category: also break the rates down.
    pub group: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/problems", tag = "problems", params(ProblemListParams),
    responses((status = 200, description = "the problems the caller may see, newest first", body = ProblemListDto),
        (status = 401, description = "not signed in")))]
pub(crate) async fn api_list(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<ProblemListParams>,
) -> ApiResult<ProblemListDto> {
    let (items, total) = state
        .store
        .list_problems(&auth.actor(), &q.filter(), sp::today_cst())
        .await?;
    Ok(Json(ProblemListDto {
        total,
        items: items.into_iter().map(ProblemRowDto::from).collect(),
    }))
}

#[utoipa::path(post, path = "/api/v1/problems", tag = "problems", request_body = NewProblemDto,
    responses((status = 200, description = "submitted (routed, deadlines set, notices sent)", body = CreatedDto),
        (status = 400, description = "a field is missing or invalid (the message names it)"),
        (status = 403, description = "only enterprises and the office submit")))]
pub(crate) async fn api_create(
    State(state): State<AppState>,
    auth: Auth,
    Json(body): Json<HashMap<String, serde_json::Value>>,
) -> ApiResult<CreatedDto> {
    let actor = auth.actor();
    let fields: HashMap<String, String> = body
        .into_iter()
        .map(|(k, v)| (k, v.as_str().map_or_else(|| v.to_string(), str::to_string)))
        .collect();
    let new = new_problem(&actor, &fields, true)?;
    let (id, notices) = state.store.submit_problem(&actor, &new, Vec::new()).await?;
    dispatch_webhook(state.store.clone(), notices);
    Ok(Json(CreatedDto { id }))
}

#[utoipa::path(get, path = "/api/v1/problems/{id}", tag = "problems",
    params(("id" = i64, Path, description = "problem id")),
    responses((status = 200, description = "the problem (`problem`), its 协办 units, timeline (`events`), attachments, \
        the caller's part in it (`party`: office | enterprise | handling_unit, or null) and the enterprise's 企服责任人",
        body = Object),
        (status = 404, description = "absent or out of the caller's scope")))]
pub(crate) async fn api_get(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> ApiResult<sp::ProblemDetail> {
    Ok(Json(state.store.get_problem(&auth.actor(), id).await?))
}

#[utoipa::path(post, path = "/api/v1/problems/{id}/steps", tag = "problems",
    params(("id" = i64, Path, description = "problem id")),
    request_body(content = Object, description = "one handling step, tagged by `action`: \
        accept {note} · assign {tier, lead_unit_id, support_unit_ids, note} · start · return {reason} · \
        request_extension {days, reason} · decide_extension {approve, note} · urge {note} · escalate {reason} · \
        answer {text, resolved} · rate {satisfaction: satisfied | basic | unsatisfied, comment} · redo {reason} · close {note}"),
    responses((status = 200, description = "the problem after the step, as `GET /api/v1/problems/{id}`", body = Object),
        (status = 403, description = "the step is not the caller's to take"),
        (status = 409, description = "the state machine refuses the step from the current state")))]
pub(crate) async fn api_step(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(step): Json<Step>,
) -> ApiResult<sp::ProblemDetail> {
    let actor = auth.actor();
    let notices = state
        .store
        .problem_step(&actor, id, &step, sp::today_cst())
        .await?;
    dispatch_webhook(state.store.clone(), notices);
    Ok(Json(state.store.get_problem(&actor, id).await?))
}

#[utoipa::path(get, path = "/api/v1/problems/rates", tag = "problems", params(RateParams),
    responses((status = 200, description = "`overall`: counts (total, answered, overdue_unanswered, answered_on_time, \
        closed, resolved, rated, satisfied, answer_workdays, close_workdays) and 答复率/按时答复率/解决率/满意率 in percent \
        with average working days; `groups`: [key, rates] pairs when `group` is given (unit key \"\" = unassigned)",
        body = Object),
        (status = 403, description = "enterprises do not see rates")))]
pub(crate) async fn api_rates(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<RateParams>,
) -> ApiResult<serde_json::Value> {
    auth.county_actor("problem.rates")?;
    fn some(v: &Option<String>) -> Option<&str> {
        v.as_deref().map(str::trim).filter(|s| !s.is_empty())
    }
    let f = RateFilter {
        unit_id: some(&q.unit).and_then(|s| s.parse().ok()),
        tier: some(&q.tier).and_then(Tier::parse),
        category: some(&q.category).and_then(Category::parse),
        from: some(&q.from).map(str::to_string),
        to: some(&q.to).map(str::to_string),
    };
    let today = sp::today_cst();
    let overall = state.store.problem_rates(&f, today).await?;
    let group = match some(&q.group) {
        Some("unit") => Some(RateGroup::Unit),
        Some("tier") => Some(RateGroup::Tier),
        Some("category") => Some(RateGroup::Category),
        _ => None,
    };
    let groups = match group {
        Some(g) => state.store.problem_rates_by(g, &f, today).await?,
        None => Vec::new(),
    };
    Ok(Json(
        serde_json::json!({"overall": overall, "groups": groups}),
    ))
}

// ---------------------------------------------------------------- webhook

/// Sends the notices to `notify.webhook_url` in the background (http:// only, 5-second
/// timeout); each notice records how delivery went.
pub fn dispatch_webhook(store: Store, notices: Vec<i64>) {
    if notices.is_empty() {
        return;
    }
    tokio::spawn(async move {
        let url = match store.get_setting("notify.webhook_url").await {
            Ok(Some(u)) if !u.trim().is_empty() => u.trim().to_string(),
            Ok(_) => return,
            Err(e) => {
                tracing::warn!("webhook: cannot read setting: {e}");
                return;
            }
        };
        for id in notices {
            let Ok(n) = store.notice(id).await else {
                continue;
            };
            let body = serde_json::json!({
                "type": "problem.notice", "id": n.id, "problem_id": n.problem_id, "audience": n.audience,
                "audience_id": n.audience_id, "kind": n.kind, "message": n.message, "at": n.created_at,
            })
            .to_string();
            let status = match crate::webhook::post_json(&url, &body).await {
                Ok(code) if (200..300).contains(&code) => format!("ok {code}"),
                Ok(code) => format!("failed: HTTP {code}"),
                Err(e) => format!("failed: {e}"),
            };
            if status.starts_with("failed") {
                tracing::warn!(notice = id, "webhook {url}: {status}");
            }
            if let Err(e) = store.record_webhook_status(id, &status).await {
                tracing::warn!("webhook: cannot record status: {e}");
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_forms_name_the_bad_field() {
        let f = |pairs: &[(&str, &str)]| {
            pairs
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect::<Vec<_>>()
        };
        let err = parse_step(&f(&[("action", "request_extension"), ("days", "x")])).unwrap_err();
        assert!(err.to_string().contains("延期天数"));
        let s = parse_step(&f(&[
            ("action", "assign"),
            ("tier", "department"),
            ("lead_unit_id", "3"),
            ("support_unit_ids", "4"),
            ("support_unit_ids", "5"),
        ]))
        .unwrap();
        assert!(
            matches!(s, Step::Assign { lead_unit_id: 3, ref support_unit_ids, .. } if support_unit_ids == &[4, 5])
        );
        assert!(parse_step(&f(&[("action", "fly")])).is_err());
    }
}
