//! 工作台: what each person has to do today, composed from the store's scoped reads.
//!
//! One struct per role; the home page (and any later API) is a view of it. Every count here
//! is the length (or the total) of a list the person can open with the same scope, so a
//! number on the 工作台 and the list it links to always agree: reports to review and units
//! overdue are the lines of a period's page, problem counts are the problem list's totals for
//! the same filter. Days are counted from [`qx_core::time::today`] (the demo clock follows
//! `--today`), deadlines in working days on the county's calendar.

use crate::AppError;
use crate::monitoring::{Picture, PictureCache};
use qx_core::access::{Actor, Role};
use qx_core::evaluation::{ObjectionStatus, RunStatus};
use qx_core::monitor::Light;
use qx_core::period::Period;
use qx_core::problem::{Status, StatusGroup, Tier};
use qx_core::state::{PlanStatus, SubmissionStatus};
use qx_core::time::{Date, date_of, today};
use qx_report::BulletinKind;
use qx_store::Store;
use qx_store::meetings::{Part, SupervisionFilter, SupervisionItem};
use qx_store::notices::{InboxQuery, Notice, UNREAD_WINDOW_SECS};
use qx_store::plans::Plan;
use qx_store::problems::{ProblemFilter, ProblemRow};
use qx_store::projects::{ProjectFilter, ProjectRow};
use std::sync::Arc;

/// How many lines a 工作台 list shows before it sends the person to the full list.
pub const SHOWN: usize = 8;

/// One role's 工作台.
#[derive(Debug)]
pub enum Workbench {
    Office(OfficeDesk),
    Unit(UnitDesk),
    Enterprise(EnterpriseDesk),
    Leader(LeaderDesk),
}

/// Reports of one period in one condition (waiting for review, or not handed in after the
/// due day): the lines the period's page (`/monitor/periods/{id}`) shows in that condition.
#[derive(Debug, Clone)]
pub struct PeriodWork {
    pub period_id: i64,
    pub period: Period,
    pub due_on: Date,
    pub units: usize,
    /// Days the longest-waiting of them has waited (since it was sent, or since the due day).
    pub oldest_days: i64,
}

/// A count with the filter of the problem list that shows exactly those problems.
#[derive(Debug, Clone)]
pub struct ProblemCount {
    pub status: Option<Status>,
    /// Several statuses at once (未办结, 承办单位办理中).
    pub group: Option<StatusGroup>,
    pub tier: Option<Tier>,
    pub overdue: bool,
    pub total: i64,
    /// The first few of them for the 工作台, earliest deadline first (of the newest 100 the
    /// list reads), so a card with a number also says which problems it counts.
    pub first: Vec<ProblemRow>,
}

impl ProblemCount {
    /// The problem list's query string for this count (`status=submitted`).
    pub fn query(&self) -> String {
        let mut q = Vec::new();
        if let Some(s) = self.status {
            q.push(format!("status={}", s.as_str()));
        } else if let Some(g) = self.group {
            q.push(format!("status={}", g.as_str()));
        }
        if let Some(t) = self.tier {
            q.push(format!("tier={}", t.as_str()));
        }
        if self.overdue {
            q.push("flag=overdue".to_string());
        }
        q.join("&")
    }
}

/// An evaluation run in 公示 with objections still to answer.
#[derive(Debug, Clone)]
pub struct ObjectionWork {
    pub run_id: i64,
    pub year: i64,
    pub open: usize,
}

/// A month (or quarter) whose reports were due and whose 月度快报 (季度通报) is not yet issued,
/// later than the last one issued of its kind.
#[derive(Debug, Clone)]
pub struct BulletinDue {
    pub plan_id: i64,
    pub kind: BulletinKind,
    pub period: Period,
    /// Reports of the month still waiting for review (the bulletin reads approved figures only).
    pub pending: usize,
}

#[derive(Debug)]
pub struct OfficeDesk {
    pub plan: Option<Plan>,
    pub to_review: Vec<PeriodWork>,
    pub overdue: Vec<PeriodWork>,
    pub to_accept: ProblemCount,
    /// 退回待改派: problems their unit handed back, waiting for the office to assign again.
    pub to_reassign: ProblemCount,
    /// Problems whose unit asked for more time, waiting for the office's decision.
    pub extensions: Vec<ProblemRow>,
    pub objections: Vec<ObjectionWork>,
    pub bulletins: Vec<BulletinDue>,
}

/// A unit's report for one period, as the unit stands with it.
#[derive(Debug, Clone)]
pub struct DueReport {
    pub period_id: i64,
    pub period: Period,
    pub due_on: Date,
    /// Working days from today to the due day (0 on the day, negative once past).
    pub working_days_left: i64,
    pub status: Option<SubmissionStatus>,
    /// The office's comment when the report came back.
    pub comment: String,
}

#[derive(Debug)]
pub struct UnitDesk {
    /// Reports still to send (not sent, draft, or returned), earliest period first.
    pub due: Vec<DueReport>,
    /// Of those, the ones the office sent back.
    pub returned: Vec<DueReport>,
    /// Problems in the unit's hands (承办单位办理中: 交办, 办理中), by state (each a
    /// problem-list filter).
    pub problems: Vec<ProblemCount>,
    /// The most urgent of them, nearest deadline first.
    pub urgent: Vec<ProblemRow>,
    /// Of the problems in its hands, those past their deadline. One it handed back (退回待改派)
    /// or has answered waits for the office or the enterprise, not for the unit.
    pub overdue_problems: ProblemCount,
    /// The unit's open 督办 items, the most urgent (red, yellow, blue) first.
    pub supervision: Vec<SupervisionItem>,
    pub supervision_total: usize,
    /// The open 督办 items it supports (配合单位): the lead unit takes their steps.
    pub supported: Vec<SupervisionItem>,
    pub supported_total: usize,
    pub unread: Unread,
}

#[derive(Debug)]
pub struct EnterpriseDesk {
    /// The enterprise's problems not yet closed, newest first.
    pub open: Vec<ProblemRow>,
    pub open_total: usize,
    /// Answers waiting for the enterprise's rating (满意度).
    pub to_rate: ProblemCount,
    pub unread: Unread,
}

/// The notices a person has not read (the bell's number), and the newest few of them.
#[derive(Debug, Default)]
pub struct Unread {
    pub total: i64,
    pub first: Vec<UnreadNotice>,
}

/// An unread notice, with the page it is about when the reader may open it now.
#[derive(Debug)]
pub struct UnreadNotice {
    pub notice: Notice,
    pub path: Option<String>,
}

/// [`Unread`] of `actor`: the first are the newest of those the bell counts.
async fn unread(store: &Store, actor: &Actor) -> Result<Unread, AppError> {
    let total = store.unread_notices(actor).await?;
    let mut first = Vec::new();
    if total > 0 {
        let since = qx_store::now() - UNREAD_WINDOW_SECS;
        let newest = store
            .inbox(
                actor,
                InboxQuery {
                    unread: true,
                    before: None,
                    limit: SHOWN as i64,
                },
            )
            .await?;
        for notice in newest.into_iter().filter(|n| n.created_at >= since) {
            let path = match notice.subject.path() {
                Some(p) if store.can_open(actor, notice.subject).await? => Some(p),
                _ => None,
            };
            first.push(UnreadNotice { notice, path });
        }
    }
    Ok(Unread { total, first })
}

/// An indicator behind 序时进度.
#[derive(Debug, Clone)]
pub struct Lagging {
    pub indicator_id: i64,
    pub name: String,
    pub unit_name: String,
    pub light: Light,
    pub completion: Option<f64>,
    pub time_share: f64,
}

#[derive(Debug)]
pub struct LeaderDesk {
    pub plan: Option<Plan>,
    pub period: Option<Period>,
    /// Indicators by light: green, yellow, red, grey.
    pub lights: [(Light, usize); 4],
    pub lagging: Vec<Lagging>,
    pub lagging_total: usize,
    /// Problems escalated to the 工作例会, and problems past their deadline.
    pub escalated: ProblemCount,
    pub overdue_problems: ProblemCount,
    /// 我包干的项目: the projects this leader is the 包干县领导 of, those with an alert or a red
    /// light first.
    pub my_projects: Vec<ProjectRow>,
    pub my_projects_total: usize,
    /// The leader, whose projects the "我包干的项目" list filters on.
    pub user_id: i64,
    /// 督办 items past their deadline (red), county-wide: the first few, and how many.
    pub red_supervision: Vec<SupervisionItem>,
    pub red_supervision_total: usize,
}

/// The 工作台 of `actor` as of today.
pub async fn workbench(
    store: &Store,
    pictures: &PictureCache,
    actor: &Actor,
) -> Result<Workbench, AppError> {
    Ok(match actor.role {
        Role::Admin => Workbench::Office(office(store, actor).await?),
        Role::Unit => Workbench::Unit(unit(store, actor).await?),
        Role::Enterprise => Workbench::Enterprise(enterprise(store, actor).await?),
        Role::Leader => Workbench::Leader(leader(store, pictures, actor).await?),
    })
}

/// The published plan the county works on: the newest one.
pub(crate) async fn current_plan(store: &Store, actor: &Actor) -> Result<Option<Plan>, AppError> {
    Ok(store
        .list_plans(actor)
        .await?
        .into_iter()
        .find(|p| p.status == PlanStatus::Published))
}

/// The problems `want` names (status, open, tier, overdue; its paging is the card's own).
async fn problem_count(
    store: &Store,
    actor: &Actor,
    want: ProblemFilter,
) -> Result<(ProblemCount, Vec<ProblemRow>), AppError> {
    let filter = ProblemFilter { limit: 100, ..want };
    let (rows, total) = store.list_problems(actor, &filter, today()).await?;
    let mut first: Vec<&ProblemRow> = rows.iter().collect();
    first.sort_by(|a, b| deadline_order(a, b));
    let first = first.into_iter().take(SHOWN).cloned().collect();
    Ok((
        ProblemCount {
            status: filter.status,
            group: filter.group,
            tier: filter.tier,
            overdue: filter.overdue,
            total,
            first,
        },
        rows,
    ))
}

/// Earliest deadline first, those without one last; the older problem first on a tie.
fn deadline_order(a: &ProblemRow, b: &ProblemRow) -> std::cmp::Ordering {
    (a.due_on.is_empty(), &a.due_on, a.id).cmp(&(b.due_on.is_empty(), &b.due_on, b.id))
}

fn days_since(secs: i64, day: Date) -> i64 {
    (day - date_of(secs)).whole_days().max(0)
}

async fn office(store: &Store, actor: &Actor) -> Result<OfficeDesk, AppError> {
    let day = today();
    let plan = current_plan(store, actor).await?;
    let mut to_review = Vec::new();
    let mut overdue = Vec::new();
    let mut bulletins = Vec::new();
    if let Some(plan) = &plan {
        // The last period issued of each kind: earlier ones left unissued are history, not work.
        let mut last_issued: Vec<(BulletinKind, Period)> = Vec::new();
        for b in store.list_bulletins(actor, plan.id).await? {
            if let Ok(p) = b.period.parse::<Period>() {
                last_issued.push((b.kind, p));
            }
        }
        let issued_after = |kind: BulletinKind, p: &Period| {
            last_issued
                .iter()
                .any(|(k, q)| *k == kind && q.end_month() >= p.end_month())
        };
        for p in store.list_periods(actor, plan.id).await? {
            let Ok(period) = p.period.parse::<Period>() else {
                continue;
            };
            let due = p.due_on;
            let progress = store.period_progress(actor, p.id).await?;
            let waiting: Vec<i64> = progress
                .iter()
                .filter_map(|u| u.submission.as_ref())
                .filter(|s| s.status == SubmissionStatus::Submitted)
                .map(|s| s.submitted_at.unwrap_or_default())
                .collect();
            if !waiting.is_empty() {
                to_review.push(PeriodWork {
                    period_id: p.id,
                    period,
                    due_on: p.due_on,
                    units: waiting.len(),
                    oldest_days: waiting
                        .iter()
                        .map(|at| days_since(*at, day))
                        .max()
                        .unwrap_or(0),
                });
            }
            let past_due = due < day;
            if past_due {
                let missing = progress
                    .iter()
                    .filter(|u| {
                        !u.submission
                            .as_ref()
                            .is_some_and(|s| s.status.is_reported())
                    })
                    .count();
                if missing > 0 {
                    overdue.push(PeriodWork {
                        period_id: p.id,
                        period,
                        due_on: p.due_on,
                        units: missing,
                        oldest_days: (day - due).whole_days(),
                    });
                }
                let mut due_kinds = vec![(BulletinKind::Monthly, period)];
                if period.end_month() % 3 == 0
                    && let Ok(q) = Period::new_quarter(period.year(), period.end_month() / 3)
                {
                    due_kinds.push((BulletinKind::Quarterly, q));
                }
                for (kind, p) in due_kinds {
                    if matches!(period, Period::Month { .. }) && !issued_after(kind, &p) {
                        bulletins.push(BulletinDue {
                            plan_id: plan.id,
                            kind,
                            period: p,
                            pending: waiting.len(),
                        });
                    }
                }
            }
        }
    }
    to_review.sort_by_key(|w| std::cmp::Reverse(w.oldest_days));
    overdue.sort_by_key(|w| std::cmp::Reverse(w.oldest_days));
    // The newest month first: that is the one to issue next.
    bulletins.reverse();
    let (to_accept, _) =
        problem_count(store, actor, ProblemFilter::in_status(Status::Submitted)).await?;
    let (to_reassign, _) =
        problem_count(store, actor, ProblemFilter::in_status(Status::Returned)).await?;
    let mut extensions = Vec::new();
    for status in [Status::Assigned, Status::InProgress] {
        let mut offset = 0;
        loop {
            let filter = ProblemFilter {
                status: Some(status),
                limit: 500,
                offset,
                ..Default::default()
            };
            let (rows, total) = store.list_problems(actor, &filter, day).await?;
            let n = rows.len() as i64;
            extensions.extend(rows.into_iter().filter(|r| r.extension_pending > 0));
            offset += n;
            if n == 0 || offset >= total {
                break;
            }
        }
    }
    extensions.sort_by(|a, b| a.due_on.cmp(&b.due_on));
    let mut objections = Vec::new();
    for run in store.list_runs(actor).await? {
        if run.status != RunStatus::Publicity {
            continue;
        }
        let open = store
            .objections(actor, run.id, None)
            .await?
            .iter()
            .filter(|o| o.status == ObjectionStatus::Open)
            .count();
        if open > 0 {
            objections.push(ObjectionWork {
                run_id: run.id,
                year: run.year,
                open,
            });
        }
    }
    Ok(OfficeDesk {
        plan,
        to_review,
        overdue,
        to_accept,
        to_reassign,
        extensions,
        objections,
        bulletins,
    })
}

async fn unit(store: &Store, actor: &Actor) -> Result<UnitDesk, AppError> {
    let day = today();
    let cal = store.work_calendar().await?;
    let mut due = Vec::new();
    if let Some(unit_id) = actor.unit_id {
        for plan in store
            .list_plans(actor)
            .await?
            .into_iter()
            .filter(|p| p.status == PlanStatus::Published)
        {
            if store
                .unit_indicators(actor, plan.id, unit_id)
                .await?
                .is_empty()
                && store.unit_tasks(actor, plan.id, unit_id).await?.is_empty()
            {
                continue;
            }
            for p in store.list_periods(actor, plan.id).await? {
                let Ok(period) = p.period.parse::<Period>() else {
                    continue;
                };
                let latest = store.latest_submission(actor, p.id, unit_id).await?;
                let status = latest.as_ref().map(|s| s.status);
                // Handed in (waiting or approved), or approved with a correction under way:
                // nothing is owed for this period.
                if status.is_some_and(|s| s.is_reported() || s == SubmissionStatus::Superseded) {
                    continue;
                }
                due.push(DueReport {
                    period_id: p.id,
                    period,
                    working_days_left: cal.working_days_between(day, p.due_on),
                    due_on: p.due_on,
                    status,
                    comment: latest
                        .filter(|s| s.status == SubmissionStatus::Returned)
                        .map(|s| s.review_comment)
                        .unwrap_or_default(),
                });
            }
        }
    }
    let returned = due
        .iter()
        .filter(|d| d.status == Some(SubmissionStatus::Returned))
        .cloned()
        .collect();
    let mut problems = Vec::new();
    let mut urgent = Vec::new();
    let handling = StatusGroup::Handling;
    for &status in Status::ALL.iter().filter(|s| handling.contains(**s)) {
        let (count, rows) = problem_count(store, actor, ProblemFilter::in_status(status)).await?;
        if count.total > 0 {
            problems.push(count);
        }
        urgent.extend(rows);
    }
    urgent.sort_by(deadline_order);
    urgent.truncate(SHOWN);
    let overdue = ProblemFilter {
        group: Some(handling),
        ..ProblemFilter::overdue()
    };
    let (overdue_problems, _) = problem_count(store, actor, overdue).await?;
    // The open items it leads (its list under 本单位: 牵头的) and those it supports (配合的).
    let open_items = |part| async move {
        let f = SupervisionFilter {
            part: Some(part),
            open_only: true,
            ..Default::default()
        };
        let mut items = store.list_supervision(actor, &f).await?;
        let total = items.len();
        items.truncate(SHOWN);
        Ok::<_, AppError>((items, total))
    };
    let (supervision, supervision_total) = open_items(Part::Lead).await?;
    let (supported, supported_total) = open_items(Part::Support).await?;
    Ok(UnitDesk {
        due,
        returned,
        problems,
        urgent,
        overdue_problems,
        supervision,
        supervision_total,
        supported,
        supported_total,
        unread: unread(store, actor).await?,
    })
}

async fn enterprise(store: &Store, actor: &Actor) -> Result<EnterpriseDesk, AppError> {
    let filter = ProblemFilter {
        limit: 500,
        ..Default::default()
    };
    let (rows, _) = store.list_problems(actor, &filter, today()).await?;
    let mut open: Vec<ProblemRow> = rows.into_iter().filter(|r| r.status.is_open()).collect();
    let open_total = open.len();
    open.truncate(SHOWN);
    let (to_rate, _) =
        problem_count(store, actor, ProblemFilter::in_status(Status::Answered)).await?;
    Ok(EnterpriseDesk {
        open,
        open_total,
        to_rate,
        unread: unread(store, actor).await?,
    })
}

/// Indicators behind 序时进度, the furthest behind first.
pub fn lagging(pic: &Picture) -> Vec<Lagging> {
    let mut out: Vec<Lagging> = pic
        .indicators
        .iter()
        .filter(|s| matches!(s.assessment.light, Light::Red | Light::Yellow))
        .map(|s| Lagging {
            indicator_id: s.indicator.id,
            name: s.indicator.name.clone(),
            unit_name: s.unit_name.clone(),
            light: s.assessment.light,
            completion: s.assessment.completion,
            time_share: s.assessment.time_share,
        })
        .collect();
    let gap = |l: &Lagging| l.time_share - l.completion.unwrap_or(0.0);
    out.sort_by(|a, b| {
        (b.light == Light::Red)
            .cmp(&(a.light == Light::Red))
            .then(gap(b).total_cmp(&gap(a)))
            .then(a.indicator_id.cmp(&b.indicator_id))
    });
    out
}

async fn leader(
    store: &Store,
    pictures: &PictureCache,
    actor: &Actor,
) -> Result<LeaderDesk, AppError> {
    let plan = current_plan(store, actor).await?;
    let mut lights = [
        (Light::Green, 0),
        (Light::Yellow, 0),
        (Light::Red, 0),
        (Light::Grey, 0),
    ];
    let mut lagging_list = Vec::new();
    let mut period = None;
    if let Some(plan) = &plan {
        let (p, pic): (Period, Arc<Picture>) = pictures.view(store, actor, plan, None).await?;
        period = Some(p);
        for (light, n) in &mut lights {
            *n = pic.count(*light);
        }
        lagging_list = lagging(&pic);
    }
    let lagging_total = lagging_list.len();
    lagging_list.truncate(SHOWN);
    let (escalated, _) = problem_count(
        store,
        actor,
        ProblemFilter {
            group: Some(StatusGroup::Open),
            tier: Some(Tier::Meeting),
            ..Default::default()
        },
    )
    .await?;
    let (overdue_problems, _) = problem_count(store, actor, ProblemFilter::overdue()).await?;
    let mut my_projects = store
        .list_projects(
            actor,
            &ProjectFilter {
                leader_user_id: Some(actor.user_id),
                ..Default::default()
            },
        )
        .await?
        .rows;
    let my_projects_total = my_projects.len();
    // Those that need the leader first: an alert or a red light; the list's order otherwise.
    my_projects.sort_by_key(|r| !(r.alert.is_some() || r.light.light == Light::Red));
    my_projects.truncate(SHOWN);
    let mut red_supervision = store
        .list_supervision(
            actor,
            &SupervisionFilter {
                colour: Some(qx_core::meeting::Colour::Red),
                open_only: true,
                ..Default::default()
            },
        )
        .await?;
    let red_supervision_total = red_supervision.len();
    red_supervision.truncate(SHOWN);
    Ok(LeaderDesk {
        plan,
        period,
        lights,
        lagging: lagging_list,
        lagging_total,
        escalated,
        overdue_problems,
        my_projects,
        my_projects_total,
        user_id: actor.user_id,
        red_supervision,
        red_supervision_total,
    })
}
