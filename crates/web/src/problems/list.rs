//! The problem list page: filters, deadline flags, the actor's notices; the office's visit
//! also starts the background deadline sweep at most every ten minutes.

use super::*;

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
    flag: DeadlineFlag,
    pending_extension: bool,
    urged: i64,
}

pub struct NoticeLine {
    at: String,
    message: String,
    /// The problem to link to, when the reader may open it now.
    problem_id: Option<i64>,
    /// About a problem the reader may no longer open (handed to another unit, withdrawn).
    elsewhere: bool,
    /// A deadline has passed (shown with a red mark).
    overdue: bool,
}

#[derive(Template)]
#[template(path = "problems/list.html")]
pub(super) struct ListPage {
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
    /// The deadline filter's choices: code and label.
    flags: Vec<(&'static str, &'static str)>,
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

pub(crate) const PAGE: i64 = 50;
/// The last automatic deadline sweep (Unix seconds); the office's list page triggers one at
/// most every ten minutes, in the background.
pub(super) static LAST_SWEEP: AtomicI64 = AtomicI64::new(0);

pub(crate) fn list_filter(q: &HashMap<String, String>) -> ProblemFilter {
    let flag = q.get("flag").and_then(|s| DeadlineFlag::parse(s));
    let status = q.get("status").map(String::as_str);
    ProblemFilter {
        status: status.and_then(Status::parse),
        group: status.and_then(StatusGroup::parse),
        category: q.get("category").and_then(|s| Category::parse(s)),
        tier: q.get("tier").and_then(|s| Tier::parse(s)),
        unit_id: q.get("unit").and_then(|s| s.parse().ok()),
        enterprise_id: q.get("enterprise").and_then(|s| s.parse().ok()),
        overdue: flag == Some(DeadlineFlag::Overdue),
        near: flag == Some(DeadlineFlag::Near),
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

pub(super) async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    let actor = auth.actor();
    let lang = auth.ctx.lang;
    let today = today();
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
                match store.sweep_problem_deadlines(qx_core::time::today()).await {
                    Ok(report) => crate::webhook::dispatch_notices(store, report.notices),
                    Err(e) => tracing::warn!("problem deadline sweep failed: {e}"),
                }
            });
        }
    }
    let f = list_filter(&q);
    let (rows, total) = state.store.list_problems(&actor, &f, today).await?;
    let cal = state.store.work_calendar().await?;
    let lines = rows
        .into_iter()
        .map(|r| ListLine {
            flag: DeadlineFlag::running(&cal, today, r.status, r.due),
            id: r.id,
            title: r.title,
            enterprise: r.enterprise_name,
            category: r.category.label(lang),
            status: r.status.label(lang),
            tier: r.tier.label(lang),
            unit: r.lead_unit_name,
            submitted_on: r.submitted_on,
            due_on: r.due_on,
            pending_extension: r.extension_pending > 0,
            urged: r.urge_count,
        })
        .collect();
    let mut notices = Vec::new();
    for n in state.store.problem_notices(&actor, 10).await? {
        // A problem since handed to another unit (or withdrawn) is no longer the reader's to
        // open: the line says so instead of linking to a "not found" page.
        let problem_id = match n.subject {
            qx_core::notice::Subject::Problem(id) => Some(id),
            _ => None,
        };
        let openable = problem_id.is_some() && state.store.can_open(&actor, n.subject).await?;
        notices.push(NoticeLine {
            at: format_datetime(n.created_at),
            message: n.says(lang),
            problem_id: problem_id.filter(|_| openable),
            elsewhere: problem_id.is_some() && !openable,
            overdue: n.kind == qx_core::notice::NoticeKind::ProblemOverdue,
        });
    }
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
        statuses: options(StatusGroup::ALL, StatusGroup::as_str, lang)
            .into_iter()
            .chain(options(Status::ALL, Status::as_str, lang))
            .collect(),
        categories: options(Category::ALL, Category::as_str, lang),
        tiers: options(Tier::ALL, Tier::as_str, lang),
        f_status: q.get("status").cloned().unwrap_or_default(),
        f_category: q.get("category").cloned().unwrap_or_default(),
        f_tier: q.get("tier").cloned().unwrap_or_default(),
        flags: [DeadlineFlag::Overdue, DeadlineFlag::Near]
            .into_iter()
            .filter_map(|f| Some((f.as_str(), crate::i18n::t(lang, flag_key(f)?))))
            .collect(),
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
