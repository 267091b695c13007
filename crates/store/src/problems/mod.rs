//! Enterprise problems (企业难题) and their handling steps: intake, routing by tier, the
//! checked state machine of [`qx_core::problem`], working-day deadlines, in-app notices,
//! rates, the 企服责任人 of each enterprise and the 工作例会 decisions.
//!
//! Scope: the office and leaders read every problem; an enterprise user its own enterprise's;
//! a unit user the problems routed to its unit (主办 or 协办); a 企服责任人 the problems of the
//! enterprises assigned to them. Out of scope reads answer "not found". Every step runs in one
//! transaction with its timeline event and its audit entry.
//!
//! For the plan's indicators (难题答复率, 解决率) call [`Store::problem_rates`] with a
//! [`RateFilter`]: it needs no actor because it returns aggregates only.

use crate::audit::{AuditEntry, append};
use crate::{Result, Store, StoreError, Tx};
use qx_core::access::{Actor, Role};
use qx_core::attachment::Checked;
use qx_core::calendar::WorkCalendar;
use qx_core::problem::{
    Action, Category, DeadlineFlag, Deadlines, Party, RateCounts, Rates, Satisfaction, Status,
    Tier, TimeLimitConfig, TimeLimits,
};
use qx_core::text::{self as tf, TextField};
use serde::Serialize;
use std::collections::BTreeMap;
use time::Date;

/// The largest attachment accepted.
pub const MAX_ATTACHMENT_BYTES: usize = 20 * 1024 * 1024;
/// The longest extension a unit may ask for at once.
pub const MAX_EXTENSION_DAYS: u32 = 20;

/// How a problem reached the system.
pub const SOURCES: &[(&str, &str)] = &[
    ("web", "企业网上提交"),
    ("visit", "大走访"),
    ("hotline", "服务热线"),
    ("api", "接口"),
];

/// A problem as submitted.
#[derive(Debug, Clone, Serialize)]
pub struct NewProblem {
    pub enterprise_id: i64,
    pub category: Category,
    pub title: String,
    pub description: String,
    pub contact_name: String,
    pub contact_phone: String,
    /// web | visit | hotline | api
    pub source: String,
    /// The day it was received; the office may enter a visit's date, others get today.
    pub submitted_on: Date,
}

/// A file as uploaded: the name the client gave and its bytes. Its type is decided by
/// `qx_core::attachment::check_attachment`, never taken from the client.
#[derive(Debug, Clone)]
pub struct NewAttachment {
    pub filename: String,
    pub data: Vec<u8>,
}

/// One handling step with what it records.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Step {
    Accept {
        note: String,
    },
    Assign {
        tier: Tier,
        lead_unit_id: i64,
        support_unit_ids: Vec<i64>,
        note: String,
    },
    Start,
    Return {
        reason: String,
    },
    RequestExtension {
        days: u32,
        reason: String,
    },
    DecideExtension {
        approve: bool,
        note: String,
    },
    Urge {
        note: String,
    },
    Escalate {
        reason: String,
    },
    Answer {
        text: String,
        resolved: bool,
    },
    Rate {
        satisfaction: Satisfaction,
        comment: String,
    },
    Redo {
        reason: String,
    },
    Close {
        note: String,
    },
}

impl Step {
    pub fn action(&self) -> Action {
        match self {
            Step::Accept { .. } => Action::Accept,
            Step::Assign { .. } => Action::Assign,
            Step::Start => Action::Start,
            Step::Return { .. } => Action::Return,
            Step::RequestExtension { .. } => Action::RequestExtension,
            Step::DecideExtension { .. } => Action::DecideExtension,
            Step::Urge { .. } => Action::Urge,
            Step::Escalate { .. } => Action::Escalate,
            Step::Answer { .. } => Action::Answer,
            Step::Rate { .. } => Action::Rate,
            Step::Redo { .. } => Action::Redo,
            Step::Close { .. } => Action::Close,
        }
    }
}

/// A stored problem.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Problem {
    pub id: i64,
    pub enterprise_id: i64,
    pub enterprise_name: String,
    pub enterprise_town_id: Option<i64>,
    pub category: String,
    pub title: String,
    pub description: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub source: String,
    pub status: String,
    pub tier: String,
    pub lead_unit_id: Option<i64>,
    pub lead_unit_name: String,
    pub proposed_unit_id: Option<i64>,
    pub proposed_unit_name: String,
    pub submitted_on: String,
    pub clock_start: String,
    pub accept_due: String,
    pub answer_due: String,
    pub close_due: String,
    pub due_on: String,
    pub extension_days: i64,
    pub extension_pending: i64,
    pub extension_reason: String,
    pub return_reason: String,
    pub urge_count: i64,
    pub escalations: i64,
    pub redo_count: i64,
    pub accepted_on: Option<String>,
    pub answered_on: Option<String>,
    pub closed_on: Option<String>,
    pub answer: String,
    pub resolved: Option<i64>,
    pub satisfaction: Option<String>,
    pub rating_comment: String,
    pub answer_workdays: Option<i64>,
    pub close_workdays: Option<i64>,
    pub answered_on_time: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Problem {
    pub fn status(&self) -> Status {
        Status::parse(&self.status).unwrap_or(Status::Submitted)
    }
    pub fn tier(&self) -> Tier {
        Tier::parse(&self.tier).unwrap_or(Tier::Town)
    }
    pub fn category(&self) -> Category {
        Category::parse(&self.category).unwrap_or(Category::Other)
    }
}

/// A line of the problem list.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ProblemRow {
    pub id: i64,
    pub title: String,
    pub category: String,
    pub status: String,
    pub tier: String,
    pub enterprise_id: i64,
    pub enterprise_name: String,
    pub lead_unit_id: Option<i64>,
    pub lead_unit_name: String,
    pub submitted_on: String,
    pub due_on: String,
    pub extension_pending: i64,
    pub urge_count: i64,
}

/// One step on a problem's timeline.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ProblemEvent {
    pub id: i64,
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub from_status: String,
    pub to_status: String,
    pub note: String,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AttachmentMeta {
    pub id: i64,
    pub problem_id: i64,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub created_at: i64,
}

/// A problem with everything its page shows, and how the actor stands to it.
#[derive(Debug, Clone, Serialize)]
pub struct ProblemDetail {
    pub problem: Problem,
    pub support_units: Vec<(i64, String)>,
    pub events: Vec<ProblemEvent>,
    pub attachments: Vec<AttachmentMeta>,
    /// `None` for readers who may not act (leaders, 协办 units, service contacts).
    pub party: Option<Party>,
    pub service_contact: Option<String>,
}

/// List filters; `None` switches a filter off.
#[derive(Debug, Clone, Default)]
pub struct ProblemFilter {
    pub status: Option<Status>,
    pub category: Option<Category>,
    pub tier: Option<Tier>,
    pub unit_id: Option<i64>,
    pub enterprise_id: Option<i64>,
    pub overdue: bool,
    pub near: bool,
    pub q: Option<String>,
    /// ISO dates bounding `submitted_on`, both included.
    pub from: Option<String>,
    pub to: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

/// Which problems a rate covers; `None` switches a filter off.
#[derive(Debug, Clone, Default)]
pub struct RateFilter {
    pub unit_id: Option<i64>,
    pub tier: Option<Tier>,
    pub category: Option<Category>,
    /// ISO dates bounding `submitted_on`, both included (a period: a month, quarter, year).
    pub from: Option<String>,
    pub to: Option<String>,
}

/// The rates overall and by each grouping, as [`Store::problem_rates_breakdown`] returns them.
#[derive(Debug, Clone, PartialEq)]
pub struct RateBreakdown {
    pub overall: Rates,
    pub by_unit: Vec<(String, Rates)>,
    pub by_tier: Vec<(String, Rates)>,
    pub by_category: Vec<(String, Rates)>,
}

/// One grouping's rows as callers get them: groups with problems only; units by id, the
/// unassigned ("" key) first; tiers and categories by code.
fn finish_group(group: RateGroup, cells: Vec<(String, RateCounts)>) -> Vec<(String, Rates)> {
    let mut out: Vec<(String, Rates)> = cells
        .into_iter()
        .filter(|(_, c)| c.total > 0)
        .map(|(key, c)| {
            let key = if group == RateGroup::Unit && key == "0" {
                String::new()
            } else {
                key
            };
            (key, Rates::from(c))
        })
        .collect();
    if group == RateGroup::Unit {
        out.sort_by_key(|(k, _)| k.parse::<i64>().ok());
    }
    out
}

/// What a rate table is broken down by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateGroup {
    Unit,
    Tier,
    Category,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Notice {
    pub id: i64,
    pub problem_id: Option<i64>,
    pub audience: String,
    pub audience_id: Option<i64>,
    pub kind: String,
    pub message: String,
    pub created_at: i64,
    pub webhook_status: String,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ServiceContact {
    pub enterprise_id: i64,
    pub enterprise_name: String,
    pub user_id: Option<i64>,
    pub user_name: String,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Route {
    pub category: String,
    pub unit_name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct NewDecision {
    pub problem_id: Option<i64>,
    pub meeting_date: Date,
    pub decision: String,
    pub owner_unit_id: i64,
    pub due_on: Date,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Decision {
    pub id: i64,
    pub problem_id: Option<i64>,
    pub problem_title: String,
    pub meeting_date: String,
    pub decision: String,
    pub owner_unit_id: i64,
    pub owner_unit_name: String,
    pub due_on: String,
    pub status: String,
    pub progress: String,
    pub done_on: Option<String>,
}

/// What a deadline sweep did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SweepReport {
    pub open: usize,
    pub recomputed: usize,
    pub near: usize,
    pub overdue: usize,
    pub escalated: usize,
    /// Notices created (for the webhook).
    pub notices: Vec<i64>,
}

/// A fully specified problem row for bulk generation (benchmarks).
#[derive(Debug, Clone)]
pub struct ProblemSeed {
    pub enterprise_id: i64,
    pub category: Category,
    pub title: String,
    pub status: Status,
    pub tier: Tier,
    pub lead_unit_id: Option<i64>,
    pub submitted_on: Date,
    pub deadlines: Deadlines,
    pub answered_on: Option<Date>,
    pub closed_on: Option<Date>,
    pub resolved: Option<bool>,
    pub satisfaction: Option<Satisfaction>,
    pub answer_workdays: Option<i64>,
    pub close_workdays: Option<i64>,
}

fn iso(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

fn parse_iso(s: &str) -> Option<Date> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(s, fmt).ok()
}

fn opt_str<T: Copy>(v: Option<T>, f: fn(T) -> &'static str) -> Option<String> {
    v.map(|x| f(x).to_string())
}

/// The value of a free-text field, trimmed, within the field's limit (see `qx_core::text`).
fn text(field: TextField, value: &str) -> Result<String> {
    field
        .check(value)
        .map(str::to_string)
        .map_err(StoreError::Invalid)
}

/// The date the running clock is due, for the list's deadline column and filters.
fn running_due(status: Status, d: &Deadlines) -> String {
    match status.running_deadline() {
        Some(k) => iso(d.get(k)),
        None => String::new(),
    }
}

const PROBLEM_COLUMNS: &str = concat!(
    "SELECT p.id, p.enterprise_id, e.name AS enterprise_name, e.town_id AS enterprise_town_id, p.category, p.title, ",
    "p.description, p.contact_name, p.contact_phone, p.source, p.status, p.tier, p.lead_unit_id, ",
    "COALESCE(lu.name, '') AS lead_unit_name, p.proposed_unit_id, COALESCE(pu.name, '') AS proposed_unit_name, ",
    "p.submitted_on, p.clock_start, p.accept_due, p.answer_due, p.close_due, p.due_on, p.extension_days, ",
    "p.extension_pending, p.extension_reason, p.return_reason, p.urge_count, p.escalations, p.redo_count, ",
    "p.accepted_on, p.answered_on, p.closed_on, p.answer, p.resolved, p.satisfaction, p.rating_comment, ",
    "p.answer_workdays, p.close_workdays, p.answered_on_time, p.created_at, p.updated_at ",
    "FROM problems p JOIN enterprises e ON e.id = p.enterprise_id ",
    "LEFT JOIN units lu ON lu.id = p.lead_unit_id LEFT JOIN units pu ON pu.id = p.proposed_unit_id ",
    "WHERE p.id = $1"
);

/// The list's filters over `problems p` alone, $1..$12: status, category, tier, lead unit,
/// enterprise, overdue (0/1), today, near (0/1), near-until, search text, from, to.
///
/// `($n IS NULL OR col = $n)` keeps one static statement for every combination, but no
/// planner can pick an index from it; so each statement below adds one *driver*, a condition
/// those filters already imply (it never changes the result) that an index answers: the
/// actor's scope, the enterprise, the lead unit, an open status or the running deadline.
/// [`ListDriver::pick`] chooses the most selective one the request has.
///
/// The search matches title or enterprise name as a plain substring (`instr`; PostgreSQL gets
/// an SQL `instr` from migration 0007): faster than `LIKE '%…%'` and nothing in the text
/// is a wildcard.
macro_rules! list_filters {
    () => {
        concat!(
            "($1 IS NULL OR p.status = $1) AND ($2 IS NULL OR p.category = $2) AND ($3 IS NULL OR p.tier = $3) ",
            "AND ($4 IS NULL OR p.lead_unit_id = $4) AND ($5 IS NULL OR p.enterprise_id = $5) ",
            "AND ($6 = 0 OR (p.status <> 'closed' AND p.due_on <> '' AND p.due_on < $7)) ",
            "AND ($8 = 0 OR (p.status <> 'closed' AND p.due_on >= $7 AND p.due_on <= $9)) ",
            "AND ($10 IS NULL OR instr(p.title, $10) > 0 ",
            "OR p.enterprise_id IN (SELECT se.id FROM enterprises se WHERE instr(se.name, $10) > 0)) ",
            "AND ($11 IS NULL OR p.submitted_on >= $11) AND ($12 IS NULL OR p.submitted_on <= $12) "
        )
    };
}

/// Problems a scoped actor may see ($13 own enterprise, $14 own unit as 主办 or 协办, $15 own
/// user as 企服责任人), as a union of index lookups.
macro_rules! scope_driver {
    () => {
        concat!(
            "AND p.id IN (SELECT id FROM problems WHERE enterprise_id = $13 ",
            "UNION SELECT id FROM problems WHERE lead_unit_id = $14 ",
            "UNION SELECT problem_id FROM problem_support_units WHERE unit_id = $14 ",
            "UNION SELECT sp.id FROM problem_service_contacts sc JOIN problems sp ON sp.enterprise_id = sc.enterprise_id ",
            "WHERE sc.user_id = $15) "
        )
    };
}

macro_rules! list_head {
    () => {
        concat!(
            "SELECT p.id, p.title, p.category, p.status, p.tier, p.enterprise_id, e.name AS enterprise_name, ",
            "p.lead_unit_id, COALESCE(lu.name, '') AS lead_unit_name, p.submitted_on, p.due_on, p.extension_pending, p.urge_count ",
            "FROM problems p JOIN enterprises e ON e.id = p.enterprise_id LEFT JOIN units lu ON lu.id = p.lead_unit_id WHERE ",
            list_filters!()
        )
    };
}

macro_rules! count_head {
    () => {
        concat!("SELECT COUNT(*) FROM problems p WHERE ", list_filters!())
    };
}

/// Above this many matches a list driven by an open-problem index pages through the primary
/// key instead (a page then needs about limit × table ÷ matches rows, fewer than sorting).
const DENSE_LIST: i64 = 2000;

/// Which index a list request is driven by (see `list_filters!`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ListDriver {
    /// Newest first through the primary key; stops after a page when most rows match.
    Scan,
    Scope,
    Enterprise,
    Unit,
    Near,
    OpenStatus,
    Overdue,
}

impl ListDriver {
    fn pick(scoped: bool, f: &ProblemFilter) -> ListDriver {
        if scoped {
            ListDriver::Scope
        } else if f.enterprise_id.is_some() {
            ListDriver::Enterprise
        } else if f.unit_id.is_some() {
            ListDriver::Unit
        } else if f.near {
            ListDriver::Near
        } else if f.status.is_some_and(Status::is_open) {
            ListDriver::OpenStatus
        } else if f.overdue {
            ListDriver::Overdue
        } else {
            ListDriver::Scan
        }
    }

    /// The page statement; scoped ones bind $13..$15, then limit and offset follow.
    fn list_sql(self) -> &'static str {
        match self {
            ListDriver::Scan => concat!(list_head!(), "ORDER BY p.id DESC LIMIT $13 OFFSET $14"),
            ListDriver::Scope => concat!(
                list_head!(),
                scope_driver!(),
                "ORDER BY p.id DESC LIMIT $16 OFFSET $17"
            ),
            ListDriver::Enterprise => concat!(
                list_head!(),
                "AND p.enterprise_id = $5 ORDER BY p.id DESC LIMIT $13 OFFSET $14"
            ),
            ListDriver::Unit => concat!(
                list_head!(),
                "AND p.lead_unit_id = $4 ORDER BY p.id DESC LIMIT $13 OFFSET $14"
            ),
            ListDriver::Near => concat!(
                list_head!(),
                "AND p.status <> 'closed' AND p.due_on >= $7 AND p.due_on <= $9 ",
                "ORDER BY p.id DESC LIMIT $13 OFFSET $14"
            ),
            ListDriver::OpenStatus => concat!(
                list_head!(),
                "AND p.status = $1 ORDER BY p.id DESC LIMIT $13 OFFSET $14"
            ),
            ListDriver::Overdue => concat!(
                list_head!(),
                "AND p.status <> 'closed' AND p.due_on > '' AND p.due_on < $7 ",
                "ORDER BY p.id DESC LIMIT $13 OFFSET $14"
            ),
        }
    }

    fn count_sql(self) -> &'static str {
        match self {
            ListDriver::Scan => count_head!(),
            ListDriver::Scope => concat!(count_head!(), scope_driver!()),
            ListDriver::Enterprise => concat!(count_head!(), "AND p.enterprise_id = $5"),
            ListDriver::Unit => concat!(count_head!(), "AND p.lead_unit_id = $4"),
            ListDriver::Near => concat!(
                count_head!(),
                "AND p.status <> 'closed' AND p.due_on >= $7 AND p.due_on <= $9"
            ),
            ListDriver::OpenStatus => concat!(count_head!(), "AND p.status = $1"),
            ListDriver::Overdue => concat!(
                count_head!(),
                "AND p.status <> 'closed' AND p.due_on > '' AND p.due_on < $7"
            ),
        }
    }
}

impl ProblemFilter {
    /// No filter at all (the count is then the table's row count).
    fn is_empty(&self) -> bool {
        self.status.is_none()
            && self.category.is_none()
            && self.tier.is_none()
            && self.unit_id.is_none()
            && self.enterprise_id.is_none()
            && !self.overdue
            && !self.near
            && self.q.as_deref().is_none_or(|q| q.trim().is_empty())
            && self.from.is_none()
            && self.to.is_none()
    }
}

/// The rate counts except "overdue unanswered", per (lead unit or 0, tier, category), of
/// the problems submitted between $1 and $2 (partial months at the ends of a range).
macro_rules! cell_sums {
    () => {
        concat!(
            "COUNT(*), ",
            "CAST(COALESCE(SUM(CASE WHEN answered_on IS NOT NULL THEN 1 ELSE 0 END), 0) AS BIGINT), ",
            "CAST(COALESCE(SUM(CASE WHEN answered_on_time = 1 THEN 1 ELSE 0 END), 0) AS BIGINT), ",
            "CAST(COALESCE(SUM(CASE WHEN status = 'closed' THEN 1 ELSE 0 END), 0) AS BIGINT), ",
            "CAST(COALESCE(SUM(CASE WHEN status = 'closed' AND resolved = 1 THEN 1 ELSE 0 END), 0) AS BIGINT), ",
            "CAST(COALESCE(SUM(CASE WHEN satisfaction IS NOT NULL THEN 1 ELSE 0 END), 0) AS BIGINT), ",
            "CAST(COALESCE(SUM(CASE WHEN satisfaction IN ('satisfied', 'basic') THEN 1 ELSE 0 END), 0) AS BIGINT), ",
            "CAST(COALESCE(SUM(CASE WHEN answered_on IS NOT NULL THEN answer_workdays ELSE 0 END), 0) AS BIGINT), ",
            "CAST(COALESCE(SUM(CASE WHEN status = 'closed' THEN close_workdays ELSE 0 END), 0) AS BIGINT) "
        )
    };
}
/// The rate queries for one breakdown: `$key` is the group's key as text ('' overall),
/// `$group` its GROUP BY (empty overall). Each returns one row per group, so a call moves a
/// handful of rows whatever the table's size.
macro_rules! rate_sql {
    ($cell_key:literal, $cell_group:literal, $row_key:literal, $row_group:literal) => {
        RateSql {
            // Whole years $1..$2 and whole months $3..$4 and $5..$6 from the cube.
            cells: concat!(
                "SELECT ", $cell_key, ", CAST(COALESCE(SUM(total), 0) AS BIGINT), ",
                "CAST(COALESCE(SUM(answered), 0) AS BIGINT), CAST(COALESCE(SUM(answered_on_time), 0) AS BIGINT), ",
                "CAST(COALESCE(SUM(closed), 0) AS BIGINT), CAST(COALESCE(SUM(resolved), 0) AS BIGINT), ",
                "CAST(COALESCE(SUM(rated), 0) AS BIGINT), CAST(COALESCE(SUM(satisfied), 0) AS BIGINT), ",
                "CAST(COALESCE(SUM(answer_workdays), 0) AS BIGINT), CAST(COALESCE(SUM(close_workdays), 0) AS BIGINT) ",
                "FROM problem_rate_cells ",
                "WHERE ((grain = 'Y' AND period >= $1 AND period <= $2) OR (grain = 'M' AND period >= $3 AND period <= $4) ",
                "OR (grain = 'M' AND period >= $5 AND period <= $6)) ",
                "AND ($7 IS NULL OR lead_unit_id = $7) AND ($8 IS NULL OR tier = $8) AND ($9 IS NULL OR category = $9) ",
                $cell_group
            ),
            // The days $1..$2 of a partial month from `problems`.
            days: concat!(
                "SELECT ", $row_key, ", ",
                cell_sums!(),
                "FROM problems WHERE submitted_on >= $1 AND submitted_on <= $2 ",
                "AND ($3 IS NULL OR lead_unit_id = $3) AND ($4 IS NULL OR tier = $4) AND ($5 IS NULL OR category = $5) ",
                $row_group
            ),
            // Unanswered open problems past their answer deadline ($1 today), through the
            // partial index `problems_unanswered`.
            overdue: concat!(
                "SELECT ", $row_key, ", COUNT(*) FROM problems ",
                "WHERE answered_on IS NULL AND status <> 'closed' AND answer_due < $1 ",
                "AND ($2 IS NULL OR lead_unit_id = $2) AND ($3 IS NULL OR tier = $3) AND ($4 IS NULL OR category = $4) ",
                "AND ($5 IS NULL OR submitted_on >= $5) AND ($6 IS NULL OR submitted_on <= $6) ",
                $row_group
            ),
        }
    };
}

struct RateSql {
    cells: &'static str,
    days: &'static str,
    overdue: &'static str,
}

const RATE_SQL_OVERALL: RateSql = rate_sql!("''", "", "''", "");
/// Unit keys are ids as text, "0" for unassigned. Over `problems` the groups are expressions
/// on purpose: grouping by a bare column lets SQLite walk a whole-table index in that order
/// (problems_tier, problems_lead) instead of the range the WHERE clause selects.
const RATE_SQL_BY_UNIT: RateSql = rate_sql!(
    "CAST(lead_unit_id AS TEXT)",
    "GROUP BY lead_unit_id",
    "CAST(COALESCE(lead_unit_id, 0) AS TEXT)",
    "GROUP BY COALESCE(lead_unit_id, 0)"
);
const RATE_SQL_BY_TIER: RateSql =
    rate_sql!("tier", "GROUP BY tier", "tier || ''", "GROUP BY tier || ''");
/// Unit, tier and category at once (key `unit|tier|category`), for [`RateBreakdown`].
const RATE_SQL_BY_ALL: RateSql = rate_sql!(
    "CAST(lead_unit_id AS TEXT) || '|' || tier || '|' || category",
    "GROUP BY lead_unit_id, tier, category",
    "CAST(COALESCE(lead_unit_id, 0) AS TEXT) || '|' || tier || '|' || category",
    "GROUP BY CAST(COALESCE(lead_unit_id, 0) AS TEXT) || '|' || tier || '|' || category"
);
const RATE_SQL_BY_CATEGORY: RateSql = rate_sql!(
    "category",
    "GROUP BY category",
    "category || ''",
    "GROUP BY category || ''"
);
/// The rate counts as they stood at the end of day $1 (a bulletin's period end): a problem
/// counts as answered, closed or rated only if that happened on or before $1, and as overdue
/// if its answer was due before $1 and it was neither answered nor closed by then. Dates are
/// ISO text on both engines, so they compare as strings. (A problem closed, then reopened
/// after $1 by 不满意重办, reads as open: `closed_on` holds only its latest closing.)
const RATES_AS_OF_SQL: &str = concat!(
    "SELECT COUNT(*), ",
    "CAST(COALESCE(SUM(CASE WHEN answered_on <= $1 THEN 1 ELSE 0 END), 0) AS BIGINT), ",
    "CAST(COALESCE(SUM(CASE WHEN (answered_on IS NULL OR answered_on > $1) AND (closed_on IS NULL OR closed_on > $1) AND answer_due < $1 THEN 1 ELSE 0 END), 0) AS BIGINT), ",
    "CAST(COALESCE(SUM(CASE WHEN answered_on_time = 1 AND answered_on <= $1 THEN 1 ELSE 0 END), 0) AS BIGINT), ",
    "CAST(COALESCE(SUM(CASE WHEN status = 'closed' AND closed_on <= $1 THEN 1 ELSE 0 END), 0) AS BIGINT), ",
    "CAST(COALESCE(SUM(CASE WHEN status = 'closed' AND closed_on <= $1 AND resolved = 1 THEN 1 ELSE 0 END), 0) AS BIGINT), ",
    "CAST(COALESCE(SUM(CASE WHEN satisfaction IS NOT NULL AND closed_on <= $1 THEN 1 ELSE 0 END), 0) AS BIGINT), ",
    "CAST(COALESCE(SUM(CASE WHEN satisfaction IN ('satisfied', 'basic') AND closed_on <= $1 THEN 1 ELSE 0 END), 0) AS BIGINT), ",
    "CAST(COALESCE(SUM(CASE WHEN answered_on <= $1 THEN answer_workdays ELSE 0 END), 0) AS BIGINT), ",
    "CAST(COALESCE(SUM(CASE WHEN status = 'closed' AND closed_on <= $1 THEN close_workdays ELSE 0 END), 0) AS BIGINT) ",
    "FROM problems WHERE submitted_on <= $1 AND ($2 IS NULL OR lead_unit_id = $2) AND ($3 IS NULL OR tier = $3) ",
    "AND ($4 IS NULL OR category = $4) AND ($5 IS NULL OR submitted_on >= $5) AND ($6 IS NULL OR submitted_on <= $6)"
);
/// Every rate count in one pass over every row: the definition the cube is checked against.
const RATES_SCAN_SQL: &str = concat!(
    "SELECT COUNT(*), ",
    "CAST(COALESCE(SUM(CASE WHEN answered_on IS NOT NULL THEN 1 ELSE 0 END), 0) AS BIGINT), ",
    "CAST(COALESCE(SUM(CASE WHEN answered_on IS NULL AND status <> 'closed' AND answer_due < $1 THEN 1 ELSE 0 END), 0) AS BIGINT), ",
    "CAST(COALESCE(SUM(CASE WHEN answered_on_time = 1 THEN 1 ELSE 0 END), 0) AS BIGINT), ",
    "CAST(COALESCE(SUM(CASE WHEN status = 'closed' THEN 1 ELSE 0 END), 0) AS BIGINT), ",
    "CAST(COALESCE(SUM(CASE WHEN status = 'closed' AND resolved = 1 THEN 1 ELSE 0 END), 0) AS BIGINT), ",
    "CAST(COALESCE(SUM(CASE WHEN satisfaction IS NOT NULL THEN 1 ELSE 0 END), 0) AS BIGINT), ",
    "CAST(COALESCE(SUM(CASE WHEN satisfaction IN ('satisfied', 'basic') THEN 1 ELSE 0 END), 0) AS BIGINT), ",
    "CAST(COALESCE(SUM(CASE WHEN answered_on IS NOT NULL THEN answer_workdays ELSE 0 END), 0) AS BIGINT), ",
    "CAST(COALESCE(SUM(CASE WHEN status = 'closed' THEN close_workdays ELSE 0 END), 0) AS BIGINT) ",
    "FROM problems WHERE ($2 IS NULL OR lead_unit_id = $2) AND ($3 IS NULL OR tier = $3) ",
    "AND ($4 IS NULL OR category = $4) AND ($5 IS NULL OR submitted_on >= $5) AND ($6 IS NULL OR submitted_on <= $6)"
);

type CountTuple = (i64, i64, i64, i64, i64, i64, i64, i64, i64, i64);
/// A group's key and the counts of `cell_sums!`.
type CellTuple = (String, i64, i64, i64, i64, i64, i64, i64, i64, i64);
/// Open problems grouped by what their deadlines are computed from (category, submission
/// day, clock start, extension), with the range of each stored date and how many rows hold a
/// running date (`due_on`) other than the one their status runs against.
type OpenClockGroup = (
    String,
    String,
    String,
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
    i64,
);
/// The date a status runs against, as SQL over the stored dates (see [`running_due`]).
macro_rules! running_due_sql {
    ($accept:literal, $answer:literal, $close:literal) => {
        concat!(
            "CASE status WHEN 'submitted' THEN ",
            $accept,
            " WHEN 'answered' THEN ",
            $close,
            " WHEN 'rated' THEN ",
            $close,
            " ELSE ",
            $answer,
            " END"
        )
    };
}
const OPEN_CLOCK_SQL: &str = concat!(
    "SELECT category, submitted_on, clock_start, extension_days, MIN(accept_due), MAX(accept_due), ",
    "MIN(answer_due), MAX(answer_due), MIN(close_due), MAX(close_due), ",
    "CAST(COALESCE(SUM(CASE WHEN due_on = ",
    running_due_sql!("accept_due", "answer_due", "close_due"),
    " THEN 0 ELSE 1 END), 0) AS BIGINT), COUNT(*) ",
    "FROM problems WHERE status <> 'closed' GROUP BY category, submitted_on, clock_start, extension_days"
);
const RESET_CLOCK_SQL: &str = concat!(
    "UPDATE problems SET accept_due = $1, answer_due = $2, close_due = $3, due_on = ",
    running_due_sql!("$1", "$2", "$3"),
    " WHERE status <> 'closed' AND category = $4 AND submitted_on = $5 AND clock_start = $6 ",
    "AND extension_days = $7 AND (accept_due <> $1 OR answer_due <> $2 OR close_due <> $3 OR due_on <> ",
    running_due_sql!("$1", "$2", "$3"),
    ")"
);

/// A rate filter's date range split into whole years and whole months (read from the rate
/// cube) and the days of partial months at its ends (read from `problems`).
#[derive(Debug, Clone, PartialEq, Eq)]
struct RangePlan {
    /// 'YYYY' bounds, both included.
    years: Option<(String, String)>,
    /// 'YYYY-MM' bounds, both included; at most two ranges.
    months: Vec<(String, String)>,
    /// ISO date bounds, both included; at most two ranges.
    days: Vec<(String, String)>,
}

/// Month number (year × 12 + month − 1) and back.
fn month_index(d: Date) -> i32 {
    d.year() * 12 + i32::from(u8::from(d.month())) - 1
}

fn month_text(m: i32) -> String {
    format!("{:04}-{:02}", m.div_euclid(12), m.rem_euclid(12) + 1)
}

fn month_first(m: i32) -> Option<Date> {
    let month = time::Month::try_from(u8::try_from(m.rem_euclid(12) + 1).ok()?).ok()?;
    Date::from_calendar_date(m.div_euclid(12), month, 1).ok()
}

fn month_last(m: i32) -> Option<Date> {
    month_first(m + 1)?.previous_day()
}

impl RangePlan {
    fn of(from: Option<&str>, to: Option<&str>) -> RangePlan {
        let (pf, pt) = (from.map(parse_iso), to.map(parse_iso));
        match (pf, pt) {
            (Some(None), _) | (_, Some(None)) => RangePlan::raw(from, to),
            (pf, pt) => RangePlan::split(pf.flatten(), pt.flatten())
                .unwrap_or_else(|| RangePlan::raw(from, to)),
        }
    }

    /// Everything from `problems` (a bound that is not a date compares as text, as before).
    fn raw(from: Option<&str>, to: Option<&str>) -> RangePlan {
        RangePlan {
            years: None,
            months: Vec::new(),
            days: vec![(
                from.unwrap_or("0000-00-00").to_string(),
                to.unwrap_or("9999-99-99").to_string(),
            )],
        }
    }

    fn split(from: Option<Date>, to: Option<Date>) -> Option<RangePlan> {
        let mut plan = RangePlan {
            years: None,
            months: Vec::new(),
            days: Vec::new(),
        };
        if let (Some(f), Some(t)) = (from, to)
            && f > t
        {
            return Some(plan);
        }
        // Whole months lo_m..=hi_m (None: unbounded) after cutting off partial end months.
        let mut lo_m = from.map(month_index);
        let mut hi_m = to.map(month_index);
        if let Some(f) = from
            && f.day() != 1
        {
            let end = month_last(month_index(f))?;
            let end = to.map_or(end, |t| t.min(end));
            plan.days.push((iso(f), iso(end)));
            lo_m = Some(month_index(f) + 1);
        }
        if let Some(t) = to
            && Some(t) != month_last(month_index(t))
        {
            let m = month_index(t);
            if lo_m.is_none_or(|l| m >= l) {
                plan.days.push((iso(month_first(m)?), iso(t)));
            }
            hi_m = Some(m - 1);
        }
        if let (Some(l), Some(h)) = (lo_m, hi_m)
            && l > h
        {
            return Some(plan);
        }
        // Whole years after cutting off partial end years.
        let mut lo_y = lo_m.map(|l| l.div_euclid(12));
        let mut hi_y = hi_m.map(|h| h.div_euclid(12));
        if let Some(l) = lo_m
            && l.rem_euclid(12) != 0
        {
            let year_end = l.div_euclid(12) * 12 + 11;
            plan.months.push((
                month_text(l),
                month_text(hi_m.map_or(year_end, |h| h.min(year_end))),
            ));
            lo_y = Some(l.div_euclid(12) + 1);
        }
        if let Some(h) = hi_m
            && h.rem_euclid(12) != 11
        {
            let year_start = h.div_euclid(12) * 12;
            if lo_m.is_none_or(|l| year_start > l || l.rem_euclid(12) == 0) {
                let start = lo_m.map_or(year_start, |l| l.max(year_start));
                plan.months.push((month_text(start), month_text(h)));
            }
            hi_y = Some(h.div_euclid(12) - 1);
        }
        if lo_y.zip(hi_y).is_none_or(|(l, h)| l <= h) {
            plan.years = Some((
                lo_y.map_or_else(|| "0000".to_string(), |y| format!("{y:04}")),
                hi_y.map_or_else(|| "9999".to_string(), |y| format!("{y:04}")),
            ));
        }
        Some(plan)
    }
}

fn add_counts(sum: &mut RateCounts, c: &RateCounts) {
    sum.total += c.total;
    sum.answered += c.answered;
    sum.overdue_unanswered += c.overdue_unanswered;
    sum.answered_on_time += c.answered_on_time;
    sum.closed += c.closed;
    sum.resolved += c.resolved;
    sum.rated += c.rated;
    sum.satisfied += c.satisfied;
    sum.answer_workdays += c.answer_workdays;
    sum.close_workdays += c.close_workdays;
}

fn counts(t: CountTuple) -> RateCounts {
    RateCounts {
        total: t.0,
        answered: t.1,
        overdue_unanswered: t.2,
        answered_on_time: t.3,
        closed: t.4,
        resolved: t.5,
        rated: t.6,
        satisfied: t.7,
        answer_workdays: t.8,
        close_workdays: t.9,
    }
}

/// Columns a step may change, read and written as one piece.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
struct State {
    id: i64,
    enterprise_id: i64,
    town_id: Option<i64>,
    category: String,
    status: String,
    tier: String,
    lead_unit_id: Option<i64>,
    submitted_on: String,
    clock_start: String,
    accept_due: String,
    answer_due: String,
    close_due: String,
    due_on: String,
    extension_days: i64,
    extension_pending: i64,
    extension_reason: String,
    return_reason: String,
    urge_count: i64,
    escalations: i64,
    redo_count: i64,
    accepted_on: Option<String>,
    answered_on: Option<String>,
    closed_on: Option<String>,
    answer: String,
    resolved: Option<i64>,
    satisfaction: Option<String>,
    rating_comment: String,
    answer_workdays: Option<i64>,
    close_workdays: Option<i64>,
    answered_on_time: Option<i64>,
}

const STATE_SQL: &str = concat!(
    "SELECT p.id, p.enterprise_id, e.town_id, p.category, p.status, p.tier, p.lead_unit_id, p.submitted_on, ",
    "p.clock_start, p.accept_due, p.answer_due, p.close_due, p.due_on, p.extension_days, p.extension_pending, ",
    "p.extension_reason, p.return_reason, p.urge_count, p.escalations, p.redo_count, p.accepted_on, p.answered_on, ",
    "p.closed_on, p.answer, p.resolved, p.satisfaction, p.rating_comment, p.answer_workdays, p.close_workdays, ",
    "p.answered_on_time FROM problems p JOIN enterprises e ON e.id = p.enterprise_id WHERE p.id = $1"
);

const SAVE_STATE_SQL: &str = concat!(
    "UPDATE problems SET status = $1, tier = $2, lead_unit_id = $3, clock_start = $4, accept_due = $5, ",
    "answer_due = $6, close_due = $7, due_on = $8, extension_days = $9, extension_pending = $10, ",
    "extension_reason = $11, return_reason = $12, urge_count = $13, escalations = $14, redo_count = $15, ",
    "accepted_on = $16, answered_on = $17, closed_on = $18, answer = $19, resolved = $20, satisfaction = $21, ",
    "rating_comment = $22, answer_workdays = $23, close_workdays = $24, answered_on_time = $25, updated_at = $26 ",
    "WHERE id = $27"
);

impl State {
    fn status(&self) -> Status {
        Status::parse(&self.status).unwrap_or(Status::Submitted)
    }

    fn category(&self) -> Category {
        Category::parse(&self.category).unwrap_or(Category::Other)
    }

    fn date(&self, s: &str) -> Result<Date> {
        parse_iso(s)
            .ok_or_else(|| StoreError::Invalid(format!("难题 {}: 日期 \"{s}\" 无效", self.id)))
    }

    /// Recomputes the three due dates and the running one from the current clock.
    fn recompute(&mut self, cal: &WorkCalendar, limits: TimeLimits) -> Result<()> {
        let d = Deadlines::compute(
            cal,
            self.date(&self.submitted_on)?,
            self.date(&self.clock_start)?,
            limits,
            u32::try_from(self.extension_days).unwrap_or(0),
        )
        .ok_or_else(|| StoreError::Invalid(format!("难题 {}: 期限超出日期范围", self.id)))?;
        self.accept_due = iso(d.accept_by);
        self.answer_due = iso(d.answer_by);
        self.close_due = iso(d.close_by);
        self.due_on = running_due(self.status(), &d);
        Ok(())
    }

    async fn save(&self, tx: &mut Tx) -> Result<()> {
        sqlx::query(SAVE_STATE_SQL)
            .bind(&self.status)
            .bind(&self.tier)
            .bind(self.lead_unit_id)
            .bind(&self.clock_start)
            .bind(&self.accept_due)
            .bind(&self.answer_due)
            .bind(&self.close_due)
            .bind(&self.due_on)
            .bind(self.extension_days)
            .bind(self.extension_pending)
            .bind(&self.extension_reason)
            .bind(&self.return_reason)
            .bind(self.urge_count)
            .bind(self.escalations)
            .bind(self.redo_count)
            .bind(&self.accepted_on)
            .bind(&self.answered_on)
            .bind(&self.closed_on)
            .bind(&self.answer)
            .bind(self.resolved)
            .bind(&self.satisfaction)
            .bind(&self.rating_comment)
            .bind(self.answer_workdays)
            .bind(self.close_workdays)
            .bind(self.answered_on_time)
            .bind(crate::now())
            .bind(self.id)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }
}

/// How `actor` stands to a problem, given its enterprise and units.
fn party_of(actor: &Actor, enterprise_id: i64, lead_unit_id: Option<i64>) -> Option<Party> {
    match actor.role {
        Role::Admin => Some(Party::Office),
        Role::Enterprise if actor.enterprise_id == Some(enterprise_id) => Some(Party::Enterprise),
        Role::Unit if actor.unit_id.is_some() && actor.unit_id == lead_unit_id => {
            Some(Party::HandlingUnit)
        }
        _ => None,
    }
}

async fn insert_event(
    tx: &mut Tx,
    actor: &Actor,
    problem_id: i64,
    action: &str,
    from: &str,
    to: &str,
    note: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO problem_events (problem_id, at, actor_id, actor, action, from_status, to_status, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(problem_id)
    .bind(crate::now())
    .bind((actor.user_id != 0).then_some(actor.user_id))
    .bind(&actor.username)
    .bind(action)
    .bind(from)
    .bind(to)
    .bind(note)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Adds an in-app notice; with a `dedupe_key` it is added only once. Returns the new id.
async fn notify(
    tx: &mut Tx,
    problem_id: Option<i64>,
    audience: &str,
    audience_id: Option<i64>,
    kind: &str,
    message: &str,
    dedupe_key: Option<String>,
) -> Result<Option<i64>> {
    let row: Option<(i64,)> = sqlx::query_as(
        "INSERT INTO problem_notices (problem_id, audience, audience_id, kind, message, dedupe_key, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
    )
    .bind(problem_id)
    .bind(audience)
    .bind(audience_id)
    .bind(kind)
    .bind(message)
    .bind(dedupe_key)
    .bind(crate::now())
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map(|(id,)| id))
}

impl Store {
    /// The working-day calendar from the admin-editable table. A year whose entries do not
    /// pass the calendar's checks is skipped with a warning (weekends still count).
    pub async fn work_calendar(&self) -> Result<WorkCalendar> {
        let mut years: BTreeMap<i32, (Vec<Date>, Vec<Date>)> = BTreeMap::new();
        for day in self.all_calendar_days().await? {
            let Some(d) = parse_iso(&day.day) else {
                continue;
            };
            let entry = years.entry(d.year()).or_default();
            if day.kind == "holiday" {
                entry.0.push(d)
            } else {
                entry.1.push(d)
            }
        }
        let mut cal = WorkCalendar::weekends_only();
        for (year, (holidays, workdays)) in years {
            if let Err(e) = cal.add_year(year, holidays, workdays) {
                tracing::warn!(year, "calendar year skipped for deadlines: {e}");
            }
        }
        Ok(cal)
    }

    /// Time limits per category (受理/答复/办结 working days).
    pub async fn problem_time_limits(&self) -> Result<TimeLimitConfig> {
        let rows: Vec<(String, i64, i64, i64)> = sqlx::query_as(
            "SELECT category, accept_days, answer_days, close_days FROM problem_time_limits",
        )
        .fetch_all(self.pool())
        .await?;
        let mut cfg = TimeLimitConfig::default();
        for (c, a, b, d) in rows {
            if let (Some(c), Ok(l)) = (
                Category::parse(&c),
                TimeLimits::new(
                    a.try_into().unwrap_or(0),
                    b.try_into().unwrap_or(0),
                    d.try_into().unwrap_or(0),
                ),
            ) {
                cfg.per_category.insert(c, l);
            }
        }
        Ok(cfg)
    }

    /// Sets a category's time limits (office only); open problems' deadlines follow.
    pub async fn set_problem_time_limits(
        &self,
        actor: &Actor,
        category: Category,
        limits: TimeLimits,
    ) -> Result<()> {
        if !actor.is_admin() {
            return Err(StoreError::Forbidden("只有办公室可以设置办理时限".into()));
        }
        let before = self.problem_time_limits().await?.for_category(category);
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO problem_time_limits (category, accept_days, answer_days, close_days) VALUES ($1, $2, $3, $4)
             ON CONFLICT (category) DO UPDATE SET accept_days = excluded.accept_days, answer_days = excluded.answer_days, close_days = excluded.close_days",
        )
        .bind(category.as_str())
        .bind(i64::from(limits.accept_days))
        .bind(i64::from(limits.answer_days))
        .bind(i64::from(limits.close_days))
        .execute(&mut *tx)
        .await?;
        append(
            &mut tx,
            AuditEntry::new(
                actor,
                "problem.time_limits",
                "problem_time_limits",
                category.as_str(),
            )
            .before(before)
            .after(limits),
        )
        .await?;
        tx.commit().await?;
        self.recompute_problem_deadlines().await?;
        Ok(())
    }

    pub async fn problem_routes(&self) -> Result<Vec<Route>> {
        Ok(
            sqlx::query_as("SELECT category, unit_name FROM problem_routes ORDER BY category")
                .fetch_all(self.pool())
                .await?,
        )
    }

    /// The county department proposed for a category.
    pub async fn route_department(&self, category: Category) -> Result<Option<i64>> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT unit_name FROM problem_routes WHERE category = $1")
                .bind(category.as_str())
                .fetch_optional(self.pool())
                .await?;
        let name = row.map_or_else(|| category.default_department().to_string(), |(n,)| n);
        Ok(self.resolve_unit(&name).await?.map(|u| u.id))
    }

    /// Sets the department a category is routed to (office only).
    pub async fn set_problem_route(
        &self,
        actor: &Actor,
        category: Category,
        unit_id: i64,
    ) -> Result<()> {
        if !actor.is_admin() {
            return Err(StoreError::Forbidden("只有办公室可以设置分派规则".into()));
        }
        let unit = self.get_unit(unit_id).await?;
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO problem_routes (category, unit_name) VALUES ($1, $2) ON CONFLICT (category) DO UPDATE SET unit_name = excluded.unit_name",
        )
        .bind(category.as_str())
        .bind(&unit.name)
        .execute(&mut *tx)
        .await?;
        append(
            &mut tx,
            AuditEntry::new(actor, "problem.route", "problem_routes", category.as_str())
                .after(&unit.name),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Enterprises with their 企服责任人 (office and leaders; a contact sees their own).
    pub async fn service_contacts(&self) -> Result<Vec<ServiceContact>> {
        Ok(sqlx::query_as(
            "SELECT e.id AS enterprise_id, e.name AS enterprise_name, c.user_id, COALESCE(u.display_name, '') AS user_name
             FROM enterprises e LEFT JOIN problem_service_contacts c ON c.enterprise_id = e.id
             LEFT JOIN users u ON u.id = c.user_id ORDER BY e.id",
        )
        .fetch_all(self.pool())
        .await?)
    }

    /// Assigns (or with `None` removes) an enterprise's 企服责任人. Office only.
    pub async fn set_service_contact(
        &self,
        actor: &Actor,
        enterprise_id: i64,
        user_id: Option<i64>,
    ) -> Result<()> {
        if !actor.is_admin() {
            return Err(StoreError::Forbidden("只有办公室可以指定企服责任人".into()));
        }
        if let Some(uid) = user_id {
            let u = self.get_user(uid).await?;
            if matches!(u.role(), Role::Enterprise) {
                return Err(StoreError::Invalid(
                    "企服责任人: 必须是办公室或单位的用户, 不能是企业用户".into(),
                ));
            }
        }
        let before: Option<(i64,)> =
            sqlx::query_as("SELECT user_id FROM problem_service_contacts WHERE enterprise_id = $1")
                .bind(enterprise_id)
                .fetch_optional(self.pool())
                .await?;
        let mut tx = self.begin().await?;
        sqlx::query("DELETE FROM problem_service_contacts WHERE enterprise_id = $1")
            .bind(enterprise_id)
            .execute(&mut *tx)
            .await?;
        if let Some(uid) = user_id {
            sqlx::query("INSERT INTO problem_service_contacts (enterprise_id, user_id, assigned_at) VALUES ($1, $2, $3)")
                .bind(enterprise_id)
                .bind(uid)
                .bind(crate::now())
                .execute(&mut *tx)
                .await?;
        }
        append(
            &mut tx,
            AuditEntry::new(
                actor,
                "problem.service_contact",
                "enterprise",
                enterprise_id,
            )
            .before(before.map(|(u,)| u))
            .after(user_id),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Takes in a problem from an enterprise (its own only) or from the office on an
    /// enterprise's behalf, with its attachments; proposes the enterprise's town as the first
    /// tier and computes the deadlines. Returns the new id and the notices created.
    pub async fn submit_problem(
        &self,
        actor: &Actor,
        new: &NewProblem,
        attachments: Vec<NewAttachment>,
    ) -> Result<(i64, Vec<i64>)> {
        match actor.role {
            Role::Admin => {}
            Role::Enterprise if actor.enterprise_id == Some(new.enterprise_id) => {}
            Role::Enterprise => {
                return Err(StoreError::Forbidden("企业只能为本企业提交难题".into()));
            }
            _ => return Err(StoreError::Forbidden("只有企业或办公室可以登记难题".into())),
        }
        let title = text(tf::PROBLEM_TITLE, &new.title)?;
        let description = text(tf::PROBLEM_DESCRIPTION, &new.description)?;
        let contact_name = text(tf::PROBLEM_CONTACT_NAME, &new.contact_name)?;
        let contact_phone = text(tf::PROBLEM_CONTACT_PHONE, &new.contact_phone)?;
        if !SOURCES.iter().any(|(s, _)| *s == new.source) {
            return Err(StoreError::Invalid(format!(
                "来源: \"{}\" 无效, 应为 web/visit/hotline/api",
                new.source
            )));
        }
        let attachments = attachments
            .into_iter()
            .map(|a| check_attachment(&a).map(|c| (c, a.data)))
            .collect::<Result<Vec<_>>>()?;
        let enterprise = self
            .get_enterprise(&Actor::system(), new.enterprise_id)
            .await?;
        let cal = self.work_calendar().await?;
        let limits = self.problem_time_limits().await?.for_category(new.category);
        let d = Deadlines::compute(&cal, new.submitted_on, new.submitted_on, limits, 0)
            .ok_or_else(|| StoreError::Invalid("提交日期: 超出日期范围".into()))?;
        let dept = self.route_department(new.category).await?;
        let proposed = enterprise.town_id.or(dept);
        let tier = if enterprise.town_id.is_some() {
            Tier::Town
        } else {
            Tier::Department
        };
        let now = crate::now();
        let submitted = iso(new.submitted_on);
        let mut tx = self.begin().await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO problems (enterprise_id, category, title, description, contact_name, contact_phone, source, status, tier,
                proposed_unit_id, submitted_on, clock_start, accept_due, answer_due, close_due, due_on, created_by, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12, $13, $14, $12, $15, $16, $16) RETURNING id",
        )
        .bind(new.enterprise_id)
        .bind(new.category.as_str())
        .bind(&title)
        .bind(&description)
        .bind(&contact_name)
        .bind(&contact_phone)
        .bind(&new.source)
        .bind(Status::Submitted.as_str())
        .bind(tier.as_str())
        .bind(proposed)
        .bind(&submitted)
        .bind(iso(d.accept_by))
        .bind(iso(d.answer_by))
        .bind(iso(d.close_by))
        .bind((actor.user_id != 0).then_some(actor.user_id))
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        for (checked, data) in &attachments {
            insert_attachment(&mut tx, actor, id, checked, data).await?;
        }
        let note = format!("{} · {}", new.category.label_zh(), title);
        insert_event(
            &mut tx,
            actor,
            id,
            "submit",
            "",
            Status::Submitted.as_str(),
            &note,
        )
        .await?;
        append(
            &mut tx,
            AuditEntry::new(actor, "problem.submit", "problem", id).after(new),
        )
        .await?;
        let mut notices = Vec::new();
        let msg = format!("新难题 #{id}「{title}」({}) 待受理", enterprise.name);
        notices.extend(notify(&mut tx, Some(id), "office", None, "submitted", &msg, None).await?);
        tx.commit().await?;
        Ok((id, notices))
    }

    /// Whether the actor may read the problem; the enterprise id and lead unit when so.
    async fn visible(&self, actor: &Actor, id: i64) -> Result<(i64, Option<i64>)> {
        let row: Option<(i64, Option<i64>, i64, i64)> = sqlx::query_as(
            "SELECT p.enterprise_id, p.lead_unit_id,
                (SELECT COUNT(*) FROM problem_support_units s WHERE s.problem_id = p.id AND s.unit_id = $2),
                (SELECT COUNT(*) FROM problem_service_contacts c WHERE c.enterprise_id = p.enterprise_id AND c.user_id = $3)
             FROM problems p WHERE p.id = $1",
        )
        .bind(id)
        .bind(actor.unit_id.filter(|_| actor.role == Role::Unit).unwrap_or(-1))
        .bind(actor.user_id)
        .fetch_optional(self.pool())
        .await?;
        let not_found = || StoreError::NotFound(format!("难题 {id}"));
        let (enterprise_id, lead, support, contact) = row.ok_or_else(not_found)?;
        let ok = actor.reads_all()
            || (actor.role == Role::Enterprise && actor.enterprise_id == Some(enterprise_id))
            || (actor.role == Role::Unit && actor.unit_id.is_some() && actor.unit_id == lead)
            || support > 0
            || (contact > 0 && actor.user_id != 0);
        if ok {
            Ok((enterprise_id, lead))
        } else {
            Err(not_found())
        }
    }

    /// A problem with its timeline, attachments and 协办 units, if the actor may see it.
    pub async fn get_problem(&self, actor: &Actor, id: i64) -> Result<ProblemDetail> {
        let (enterprise_id, lead) = self.visible(actor, id).await?;
        let problem: Problem = sqlx::query_as(PROBLEM_COLUMNS)
            .bind(id)
            .fetch_one(self.pool())
            .await?;
        let support_units = sqlx::query_as(
            "SELECT u.id, u.name FROM problem_support_units s JOIN units u ON u.id = s.unit_id WHERE s.problem_id = $1 ORDER BY u.sort_order",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        let events = sqlx::query_as(
            "SELECT id, at, actor, action, from_status, to_status, note FROM problem_events WHERE problem_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        let attachments = sqlx::query_as(
            "SELECT id, problem_id, filename, content_type, size, created_at FROM problem_attachments WHERE problem_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        let service_contact: Option<(String,)> = sqlx::query_as(
            "SELECT u.display_name FROM problem_service_contacts c JOIN users u ON u.id = c.user_id WHERE c.enterprise_id = $1",
        )
        .bind(enterprise_id)
        .fetch_optional(self.pool())
        .await?;
        Ok(ProblemDetail {
            problem,
            support_units,
            events,
            attachments,
            party: party_of(actor, enterprise_id, lead),
            service_contact: service_contact.map(|(n,)| n),
        })
    }

    /// Problems the actor may see, newest first, with the total matching count.
    pub async fn list_problems(
        &self,
        actor: &Actor,
        f: &ProblemFilter,
        today: Date,
    ) -> Result<(Vec<ProblemRow>, i64)> {
        let cal = self.work_calendar().await?;
        let near_until = cal.add_working_days(today, 1).unwrap_or(today);
        let limit = if f.limit <= 0 { 50 } else { f.limit.min(500) };
        let scoped = !actor.reads_all();
        let own_enterprise = actor
            .enterprise_id
            .filter(|_| actor.role == Role::Enterprise)
            .unwrap_or(-1);
        let own_unit = actor
            .unit_id
            .filter(|_| actor.role == Role::Unit)
            .unwrap_or(-1);
        let contact = if actor.user_id == 0 {
            -1
        } else {
            actor.user_id
        };
        let q =
            f.q.as_ref()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty());
        let mut driver = ListDriver::pick(scoped, f);
        macro_rules! bind_filters {
            ($query:expr) => {{
                let query = $query
                    .bind(opt_str(f.status, Status::as_str))
                    .bind(opt_str(f.category, Category::as_str))
                    .bind(opt_str(f.tier, Tier::as_str))
                    .bind(f.unit_id)
                    .bind(f.enterprise_id)
                    .bind(i64::from(f.overdue))
                    .bind(iso(today))
                    .bind(i64::from(f.near))
                    .bind(iso(near_until))
                    .bind(q.clone())
                    .bind(f.from.clone())
                    .bind(f.to.clone());
                if scoped {
                    query.bind(own_enterprise).bind(own_unit).bind(contact)
                } else {
                    query
                }
            }};
        }
        // On PostgreSQL these run as unnamed statements, planned for each request's own
        // parameters: a prepared statement switches to a generic plan after five runs, and the
        // generic plan of one unit's overdue list took 10.7 s instead of 130 ms (100k bench).
        let keep_plan = self.engine() != crate::Engine::Postgres;
        // The open-problem indexes answer the count from the index alone; when many match,
        // newest-first through the primary key fills a page sooner than sorting them all.
        let mut counted = None;
        if matches!(
            driver,
            ListDriver::Near | ListDriver::OpenStatus | ListDriver::Overdue
        ) {
            let (n,): (i64,) =
                bind_filters!(sqlx::query_as(driver.count_sql()).persistent(keep_plan))
                    .fetch_one(self.pool())
                    .await?;
            counted = Some(n);
            if n > DENSE_LIST {
                driver = ListDriver::Scan;
            }
        }
        let rows =
            bind_filters!(sqlx::query_as::<_, ProblemRow>(driver.list_sql()).persistent(keep_plan))
                .bind(limit)
                .bind(f.offset.max(0))
                .fetch_all(self.pool())
                .await?;
        // The whole table needs no filter pass; a short first page is the whole set.
        let short = (rows.len() as i64) < limit && (f.offset <= 0 || !rows.is_empty());
        let (total,): (i64,) = if let Some(n) = counted {
            (n,)
        } else if short {
            (f.offset.max(0) + rows.len() as i64,)
        } else if !scoped && f.is_empty() {
            sqlx::query_as("SELECT COUNT(*) FROM problems")
                .fetch_one(self.pool())
                .await?
        } else {
            bind_filters!(sqlx::query_as(driver.count_sql()).persistent(keep_plan))
                .fetch_one(self.pool())
                .await?
        };
        Ok((rows, total))
    }

    /// Refreshes PostgreSQL's planner statistics for the problem tables after a bulk load
    /// (autovacuum does it on its own schedule; until then plans guess). SQLite plans
    /// without statistics, so there it does nothing.
    pub async fn analyze_problems(&self) -> Result<()> {
        if self.engine() == crate::Engine::Postgres {
            for sql in [
                "ANALYZE problems",
                "ANALYZE problem_rate_cells",
                "ANALYZE problem_support_units",
            ] {
                sqlx::query(sql).execute(self.pool()).await?;
            }
        }
        Ok(())
    }

    /// Takes one handling step as `actor` on `today`. The state machine refuses illegal moves
    /// with a message; the actor must be the party the step belongs to. Returns the notices
    /// created (for the webhook).
    pub async fn problem_step(
        &self,
        actor: &Actor,
        id: i64,
        step: &Step,
        today: Date,
    ) -> Result<Vec<i64>> {
        let (enterprise_id, lead) = self.visible(actor, id).await?;
        let action = step.action();
        let party = party_of(actor, enterprise_id, lead).ok_or_else(|| {
            StoreError::Forbidden(format!(
                "难题 {id}: 只读, 不能执行「{}」",
                action.label_zh()
            ))
        })?;
        if !action.allowed_for(party) {
            return Err(StoreError::Forbidden(format!(
                "难题 {id}: {}不能执行「{}」 ({} may not {})",
                party.label_zh(),
                action.label_zh(),
                party.label_en(),
                action.label_en().to_lowercase()
            )));
        }
        let cal = self.work_calendar().await?;
        let limits = self.problem_time_limits().await?;
        let mut tx = self.begin().await?;
        let mut s: State = sqlx::query_as(STATE_SQL)
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        let before = s.clone();
        let from = s.status();
        let to = from
            .apply(action)
            .map_err(|e| StoreError::Conflict(format!("难题 {id}: {e}")))?;
        let today_iso = iso(today);
        let mut note = String::new();
        let mut notes: Vec<(&str, Option<i64>, &str, String)> = Vec::new();
        match step {
            Step::Accept { note: n } => {
                s.accepted_on = Some(today_iso.clone());
                note = text(tf::STEP_NOTE, n)?;
            }
            Step::Assign {
                tier,
                lead_unit_id,
                support_unit_ids,
                note: n,
            } => {
                note = text(tf::STEP_NOTE, n)?;
                self.get_unit(*lead_unit_id).await?;
                if support_unit_ids.contains(lead_unit_id) {
                    return Err(StoreError::Invalid("协办单位: 不能包含主办单位".into()));
                }
                s.tier = tier.as_str().to_string();
                s.lead_unit_id = Some(*lead_unit_id);
                s.return_reason.clear();
                sqlx::query("DELETE FROM problem_support_units WHERE problem_id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                for u in support_unit_ids {
                    self.get_unit(*u).await?;
                    sqlx::query("INSERT INTO problem_support_units (problem_id, unit_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                        .bind(id)
                        .bind(u)
                        .execute(&mut *tx)
                        .await?;
                    notes.push((
                        "unit",
                        Some(*u),
                        "assigned",
                        format!("难题 #{id} 交办贵单位协办"),
                    ));
                }
                notes.push((
                    "unit",
                    Some(*lead_unit_id),
                    "assigned",
                    format!("难题 #{id} 交办贵单位主办, 请按时答复"),
                ));
            }
            Step::Start => {}
            Step::Return { reason } => {
                s.return_reason = text(tf::RETURN_REASON, reason)?;
                note.clone_from(&s.return_reason);
                notes.push((
                    "office",
                    None,
                    "returned",
                    format!("难题 #{id} 被承办单位退回: {}", s.return_reason),
                ));
            }
            Step::RequestExtension { days, reason } => {
                if s.extension_pending > 0 {
                    return Err(StoreError::Conflict(format!(
                        "难题 {id}: 已有延期申请待审批"
                    )));
                }
                if !(1..=MAX_EXTENSION_DAYS).contains(days) {
                    return Err(StoreError::Invalid(format!(
                        "延期天数: 应为1到{MAX_EXTENSION_DAYS}个工作日, 实际为 {days}"
                    )));
                }
                s.extension_reason = text(tf::EXTENSION_REASON, reason)?;
                s.extension_pending = i64::from(*days);
                note = format!("申请延期{days}个工作日: {}", s.extension_reason);
                notes.push((
                    "office",
                    None,
                    "extension",
                    format!("难题 #{id} 申请延期{days}个工作日"),
                ));
            }
            Step::DecideExtension { approve, note: n } => {
                if s.extension_pending == 0 {
                    return Err(StoreError::Conflict(format!(
                        "难题 {id}: 没有待审批的延期申请"
                    )));
                }
                let n = text(tf::STEP_NOTE, n)?;
                let days = s.extension_pending;
                if *approve {
                    s.extension_days += days;
                }
                s.extension_pending = 0;
                note = format!(
                    "{}延期{days}个工作日 {}",
                    if *approve { "同意" } else { "不同意" },
                    n
                );
                notes.push((
                    "unit",
                    s.lead_unit_id,
                    "extension",
                    format!("难题 #{id}: {note}"),
                ));
            }
            Step::Urge { note: n } => {
                s.urge_count += 1;
                note = text(tf::STEP_NOTE, n)?;
                if s.lead_unit_id.is_some() {
                    notes.push((
                        "unit",
                        s.lead_unit_id,
                        "urged",
                        format!("难题 #{id} 被督办: {note}"),
                    ));
                }
            }
            Step::Escalate { reason } => {
                let reason = text(tf::ESCALATION_REASON, reason)?;
                let tier = Tier::parse(&s.tier).unwrap_or(Tier::Town);
                let next = tier.next().ok_or_else(|| {
                    StoreError::Conflict(format!(
                        "难题 {id}: 已在「{}」层级, 不能再升级",
                        tier.label_zh()
                    ))
                })?;
                s.tier = next.as_str().to_string();
                if next == Tier::Department {
                    s.lead_unit_id = self
                        .route_department(s.category())
                        .await?
                        .or(s.lead_unit_id);
                }
                s.escalations += 1;
                s.clock_start.clone_from(&today_iso);
                s.return_reason.clear();
                note = format!("升级至{}: {reason}", next.label_zh());
                notes.push(("office", None, "escalated", format!("难题 #{id} {note}")));
                if s.lead_unit_id.is_some() {
                    notes.push((
                        "unit",
                        s.lead_unit_id,
                        "escalated",
                        format!("难题 #{id} {note}"),
                    ));
                }
            }
            Step::Answer {
                text: answer,
                resolved,
            } => {
                s.answer = text(tf::ANSWER, answer)?;
                s.answered_on = Some(today_iso.clone());
                s.resolved = Some(i64::from(*resolved));
                s.answer_workdays = Some(cal.working_days_between(s.date(&s.submitted_on)?, today));
                s.answered_on_time = Some(i64::from(today_iso <= s.answer_due));
                note = format!(
                    "{}: {}",
                    if *resolved {
                        "已解决"
                    } else {
                        "未能解决"
                    },
                    s.answer
                );
                notes.push((
                    "enterprise",
                    Some(s.enterprise_id),
                    "answered",
                    format!("难题 #{id} 已答复, 请评价"),
                ));
            }
            Step::Rate {
                satisfaction,
                comment,
            } => {
                s.satisfaction = Some(satisfaction.as_str().to_string());
                s.rating_comment = text(tf::RATING_COMMENT, comment)?;
                note = format!("{} {}", satisfaction.label_zh(), s.rating_comment);
            }
            Step::Redo { reason } => {
                if s.satisfaction.as_deref() != Some(Satisfaction::Unsatisfied.as_str()) {
                    return Err(StoreError::Conflict(format!(
                        "难题 {id}: 只有评价为「不满意」的答复可以重办"
                    )));
                }
                note = text(tf::REDO_REASON, reason)?;
                s.redo_count += 1;
                s.clock_start.clone_from(&today_iso);
                s.answered_on = None;
                s.resolved = None;
                s.satisfaction = None;
                s.answer_workdays = None;
                s.answered_on_time = None;
                notes.push((
                    "unit",
                    s.lead_unit_id,
                    "redo",
                    format!("难题 #{id} 企业不满意, 重新办理: {note}"),
                ));
            }
            Step::Close { note: n } => {
                s.closed_on = Some(today_iso.clone());
                note = text(tf::STEP_NOTE, n)?;
                s.close_workdays = Some(cal.working_days_between(s.date(&s.submitted_on)?, today));
                s.resolved = Some(s.resolved.unwrap_or(0));
                notes.push((
                    "enterprise",
                    Some(s.enterprise_id),
                    "closed",
                    format!("难题 #{id} 已办结"),
                ));
            }
        }
        s.status = to.as_str().to_string();
        s.recompute(&cal, limits.for_category(s.category()))?;
        s.save(&mut tx).await?;
        insert_event(
            &mut tx,
            actor,
            id,
            action.as_str(),
            from.as_str(),
            to.as_str(),
            &note,
        )
        .await?;
        append(
            &mut tx,
            AuditEntry::new(
                actor,
                &format!("problem.{}", action.as_str()),
                "problem",
                id,
            )
            .before(&before)
            .after(&s),
        )
        .await?;
        let mut created = Vec::new();
        for (audience, audience_id, kind, msg) in notes {
            created
                .extend(notify(&mut tx, Some(id), audience, audience_id, kind, &msg, None).await?);
        }
        tx.commit().await?;
        Ok(created)
    }

    /// Adds an attachment to a problem the actor takes part in.
    pub async fn add_problem_attachment(
        &self,
        actor: &Actor,
        problem_id: i64,
        a: &NewAttachment,
    ) -> Result<i64> {
        let (enterprise_id, lead) = self.visible(actor, problem_id).await?;
        if party_of(actor, enterprise_id, lead).is_none() {
            return Err(StoreError::Forbidden(format!("难题 {problem_id}: 只读")));
        }
        let checked = check_attachment(a)?;
        let name = checked.name.as_str();
        let mut tx = self.begin().await?;
        let id = insert_attachment(&mut tx, actor, problem_id, &checked, &a.data).await?;
        insert_event(&mut tx, actor, problem_id, "attach", "", "", name).await?;
        append(
            &mut tx,
            AuditEntry::new(actor, "problem.attach", "problem", problem_id).after(
                serde_json::json!({"attachment": id, "filename": name, "size": a.data.len()}),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// An attachment's metadata and bytes, if the actor may see its problem.
    pub async fn get_problem_attachment(
        &self,
        actor: &Actor,
        problem_id: i64,
        id: i64,
    ) -> Result<(AttachmentMeta, Vec<u8>)> {
        self.visible(actor, problem_id).await?;
        let meta: AttachmentMeta = sqlx::query_as(
            "SELECT id, problem_id, filename, content_type, size, created_at FROM problem_attachments WHERE id = $1 AND problem_id = $2",
        )
        .bind(id)
        .bind(problem_id)
        .fetch_optional(self.pool())
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("附件 {id}")))?;
        let (data,): (Vec<u8>,) =
            sqlx::query_as("SELECT data FROM problem_attachments WHERE id = $1")
                .bind(id)
                .fetch_one(self.pool())
                .await?;
        Ok((meta, data))
    }

    /// The actor's in-app notices, newest first.
    pub async fn problem_notices(&self, actor: &Actor, limit: i64) -> Result<Vec<Notice>> {
        let (audience, id) = match actor.role {
            Role::Admin | Role::Leader => ("office", -1),
            Role::Unit => ("unit", actor.unit_id.unwrap_or(-2)),
            Role::Enterprise => ("enterprise", actor.enterprise_id.unwrap_or(-2)),
        };
        Ok(sqlx::query_as(
            "SELECT id, problem_id, audience, audience_id, kind, message, created_at, webhook_status FROM problem_notices
             WHERE audience = $1 AND ($2 = -1 OR audience_id = $2) ORDER BY id DESC LIMIT $3",
        )
        .bind(audience)
        .bind(id)
        .bind(limit.clamp(1, 200))
        .fetch_all(self.pool())
        .await?)
    }

    /// Notices by id (for the webhook sender).
    pub async fn notice(&self, id: i64) -> Result<Notice> {
        sqlx::query_as(
            "SELECT id, problem_id, audience, audience_id, kind, message, created_at, webhook_status FROM problem_notices WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("通知 {id}")))
    }

    /// Records how a notice's webhook delivery went ("ok 200", "failed: …").
    pub async fn record_webhook_status(&self, id: i64, status: &str) -> Result<()> {
        sqlx::query("UPDATE problem_notices SET webhook_status = $1 WHERE id = $2")
            .bind(status)
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Recomputes every open problem's due dates from the calendar and time limits, writing
    /// only those that changed. Returns (open, changed).
    ///
    /// Open problems that share what their deadlines come from (category, submission day,
    /// clock start, extension) share their deadlines, so this computes once per such group,
    /// read in order from the covering index `problems_open_clock`, and rewrites a stale
    /// group with one statement (the running date follows each row's status).
    pub async fn recompute_problem_deadlines(&self) -> Result<(usize, usize)> {
        let cal = self.work_calendar().await?;
        let limits = self.problem_time_limits().await?;
        let groups: Vec<OpenClockGroup> = sqlx::query_as(OPEN_CLOCK_SQL)
            .fetch_all(self.pool())
            .await?;
        let mut open = 0usize;
        let mut stale = Vec::new();
        for g in &groups {
            open += usize::try_from(g.11).unwrap_or(0);
            let (category, submitted, clock, ext) = (&g.0, &g.1, &g.2, g.3);
            let (Some(sub), Some(clock)) = (parse_iso(submitted), parse_iso(clock)) else {
                continue;
            };
            let cat = Category::parse(category).unwrap_or(Category::Other);
            let ext = u32::try_from(ext).unwrap_or(0);
            let Some(d) = Deadlines::compute(&cal, sub, clock, limits.for_category(cat), ext)
            else {
                continue;
            };
            let new = (iso(d.accept_by), iso(d.answer_by), iso(d.close_by));
            let fresh = (&g.4, &g.5) == (&new.0, &new.0)
                && (&g.6, &g.7) == (&new.1, &new.1)
                && (&g.8, &g.9) == (&new.2, &new.2)
                && g.10 == 0;
            if !fresh {
                stale.push((g, new));
            }
        }
        let mut changed = 0usize;
        if !stale.is_empty() {
            let mut tx = self.begin().await?;
            for (g, (a, b, c)) in &stale {
                let done = sqlx::query(RESET_CLOCK_SQL)
                    .bind(a)
                    .bind(b)
                    .bind(c)
                    .bind(&g.0)
                    .bind(&g.1)
                    .bind(&g.2)
                    .bind(g.3)
                    .execute(&mut *tx)
                    .await?;
                changed += usize::try_from(done.rows_affected()).unwrap_or(0);
            }
            append(
                &mut tx,
                AuditEntry::new(&Actor::system(), "problem.deadlines", "problem", "*")
                    .after(serde_json::json!({"changed": changed})),
            )
            .await?;
            tx.commit().await?;
        }
        Ok((open, changed))
    }

    /// The deadline sweep: recomputes due dates, warns about near and overdue problems once
    /// per due date, and escalates problems whose answer deadline passed to the next tier.
    pub async fn sweep_problem_deadlines(&self, today: Date) -> Result<SweepReport> {
        let (open, recomputed) = self.recompute_problem_deadlines().await?;
        let cal = self.work_calendar().await?;
        // Only problems due by the second working day can be near (at most one working day
        // left) or overdue; the partial index `problems_open_due` finds them.
        let horizon = cal
            .add_working_days(today, 2)
            .unwrap_or(today + time::Duration::days(30));
        let rows: Vec<(i64, String, String, String, Option<i64>, i64)> = sqlx::query_as(
            "SELECT id, status, tier, due_on, lead_unit_id, enterprise_id FROM problems
             WHERE status <> 'closed' AND due_on > '' AND due_on <= $1 ORDER BY id",
        )
        .bind(iso(horizon))
        .fetch_all(self.pool())
        .await?;
        let mut report = SweepReport {
            open,
            recomputed,
            ..Default::default()
        };
        let mut to_escalate = Vec::new();
        let mut tx = self.begin().await?;
        for (id, status, tier, due, lead, _enterprise) in &rows {
            let Some(due_date) = parse_iso(due) else {
                continue;
            };
            let flag = DeadlineFlag::of(&cal, today, due_date);
            if flag == DeadlineFlag::OnTrack {
                continue;
            }
            let st = Status::parse(status).unwrap_or(Status::Submitted);
            let overdue = flag == DeadlineFlag::Overdue;
            if overdue {
                report.overdue += 1;
            } else {
                report.near += 1;
            }
            let word = if overdue { "已超期" } else { "临近期限" };
            let msg = format!("难题 #{id}「{}」{word} (期限 {due})", st.label_zh());
            let key = format!("{id}:{}:{due}", flag.as_str());
            report.notices.extend(
                notify(
                    &mut tx,
                    Some(*id),
                    "office",
                    None,
                    flag.as_str(),
                    &msg,
                    Some(key.clone()),
                )
                .await?,
            );
            if lead.is_some() && matches!(st, Status::Assigned | Status::InProgress) {
                let key = format!("{key}:unit");
                report.notices.extend(
                    notify(
                        &mut tx,
                        Some(*id),
                        "unit",
                        *lead,
                        flag.as_str(),
                        &msg,
                        Some(key),
                    )
                    .await?,
                );
            }
            let can_rise = Tier::parse(tier).and_then(Tier::next).is_some();
            if overdue && can_rise && matches!(st, Status::Assigned | Status::InProgress) {
                to_escalate.push(*id);
            }
        }
        tx.commit().await?;
        let system = Actor {
            username: "system(时限)".into(),
            ..Actor::system()
        };
        for id in to_escalate {
            let step = Step::Escalate {
                reason: "答复超期自动升级".into(),
            };
            match self.problem_step(&system, id, &step, today).await {
                Ok(n) => {
                    report.escalated += 1;
                    report.notices.extend(n);
                }
                Err(e) => tracing::warn!(id, "automatic escalation failed: {e}"),
            }
        }
        Ok(report)
    }

    /// 答复率, 按时答复率, 解决率, 满意率 and average working days over the problems the filter
    /// selects, as of `today` (which decides what is overdue). Aggregates only, so no actor:
    /// this is what the plan's indicators 难题答复率 and 解决率 read.
    ///
    /// Reads the rate cube (`problem_rate_cells`, kept by triggers) for whole years and
    /// months, `problems` for partial months at the ends of the range, and the unanswered
    /// open problems past their answer deadline through their own index.
    pub async fn problem_rates(&self, f: &RateFilter, today: Date) -> Result<Rates> {
        let mut total = RateCounts::default();
        for c in self.rate_cells(&RATE_SQL_OVERALL, f, today).await?.values() {
            add_counts(&mut total, c);
        }
        Ok(Rates::from(total))
    }

    /// The same rates broken down by unit (key: unit id, "" for unassigned), tier or category.
    pub async fn problem_rates_by(
        &self,
        group: RateGroup,
        f: &RateFilter,
        today: Date,
    ) -> Result<Vec<(String, Rates)>> {
        let sql = match group {
            RateGroup::Unit => &RATE_SQL_BY_UNIT,
            RateGroup::Tier => &RATE_SQL_BY_TIER,
            RateGroup::Category => &RATE_SQL_BY_CATEGORY,
        };
        let cells = self.rate_cells(sql, f, today).await?;
        Ok(finish_group(group, cells.into_iter().collect()))
    }

    /// The rates overall and by unit, tier and category (what the rates page shows), from
    /// one read of the cube grouped by all three, folded here: a quarter of the statements of
    /// [`Store::problem_rates`] plus three [`Store::problem_rates_by`], with the same results.
    pub async fn problem_rates_breakdown(
        &self,
        f: &RateFilter,
        today: Date,
    ) -> Result<RateBreakdown> {
        let mut overall = RateCounts::default();
        let mut groups: [BTreeMap<String, RateCounts>; 3] = Default::default();
        for (key, c) in self.rate_cells(&RATE_SQL_BY_ALL, f, today).await? {
            add_counts(&mut overall, &c);
            for (map, part) in groups.iter_mut().zip(key.splitn(3, '|')) {
                add_counts(map.entry(part.to_string()).or_default(), &c);
            }
        }
        let [units, tiers, categories] = groups;
        let list = |map: BTreeMap<String, RateCounts>, group: RateGroup| {
            finish_group(group, map.into_iter().collect())
        };
        Ok(RateBreakdown {
            overall: Rates::from(overall),
            by_unit: list(units, RateGroup::Unit),
            by_tier: list(tiers, RateGroup::Tier),
            by_category: list(categories, RateGroup::Category),
        })
    }

    /// The rates computed by scanning every problem, without the cube: the definition
    /// [`Store::problem_rates`] must agree with (tests and `qx` diagnostics).
    pub async fn problem_rates_scan(&self, f: &RateFilter, today: Date) -> Result<Rates> {
        let t: CountTuple = sqlx::query_as(RATES_SCAN_SQL)
            .bind(iso(today))
            .bind(f.unit_id)
            .bind(opt_str(f.tier, Tier::as_str))
            .bind(opt_str(f.category, Category::as_str))
            .bind(f.from.clone())
            .bind(f.to.clone())
            .fetch_one(self.pool())
            .await?;
        Ok(Rates::from(counts(t)))
    }

    /// The rates as they stood at the end of `as_of` (see [`RATES_AS_OF_SQL`]): what a
    /// bulletin for a past period and the plan's 难题答复率/解决率 for a past month report, so
    /// they read the same whenever they are built. One scan; for today's figures use
    /// [`Store::problem_rates`].
    pub async fn problem_rates_as_of(&self, f: &RateFilter, as_of: Date) -> Result<Rates> {
        let t: CountTuple = sqlx::query_as(RATES_AS_OF_SQL)
            .bind(iso(as_of))
            .bind(f.unit_id)
            .bind(opt_str(f.tier, Tier::as_str))
            .bind(opt_str(f.category, Category::as_str))
            .bind(f.from.clone())
            .bind(f.to.clone())
            .fetch_one(self.pool())
            .await?;
        Ok(Rates::from(counts(t)))
    }

    /// Drops a range bound that no problem lies beyond: "the last 75 days" ends today, after
    /// every submission, so its last month is read whole from the cube instead of row by row.
    /// Exact, since no row is outside the first and last submission dates.
    async fn trim_range<'a>(
        &self,
        from: Option<&'a str>,
        to: Option<&'a str>,
    ) -> Result<(Option<&'a str>, Option<&'a str>)> {
        if from.is_none() && to.is_none() {
            return Ok((None, None));
        }
        let (first, last): (Option<String>, Option<String>) = sqlx::query_as(
            "SELECT (SELECT MIN(submitted_on) FROM problems), (SELECT MAX(submitted_on) FROM problems)",
        )
        .fetch_one(self.pool())
        .await?;
        let is_date = |b: &str| parse_iso(b).is_some();
        let from = from.filter(|b| !(is_date(b) && first.as_deref().is_some_and(|m| *b <= m)));
        let to = to.filter(|b| !(is_date(b) && last.as_deref().is_some_and(|m| *b >= m)));
        Ok((from, to))
    }

    /// Rate counts per group of `sql` for the filter.
    async fn rate_cells(
        &self,
        sql: &RateSql,
        f: &RateFilter,
        today: Date,
    ) -> Result<BTreeMap<String, RateCounts>> {
        let (from, to) = self.trim_range(f.from.as_deref(), f.to.as_deref()).await?;
        let plan = RangePlan::of(from, to);
        let tier = opt_str(f.tier, Tier::as_str);
        let category = opt_str(f.category, Category::as_str);
        let mut out: BTreeMap<String, RateCounts> = BTreeMap::new();
        let mut merge = |rows: Vec<CellTuple>| {
            for r in rows {
                let c = RateCounts {
                    total: r.1,
                    answered: r.2,
                    overdue_unanswered: 0,
                    answered_on_time: r.3,
                    closed: r.4,
                    resolved: r.5,
                    rated: r.6,
                    satisfied: r.7,
                    answer_workdays: r.8,
                    close_workdays: r.9,
                };
                add_counts(out.entry(r.0).or_default(), &c);
            }
        };
        let none = ("1".to_string(), "0".to_string());
        if plan.years.is_some() || !plan.months.is_empty() {
            let years = plan.years.clone().unwrap_or_else(|| none.clone());
            let m1 = plan.months.first().cloned().unwrap_or_else(|| none.clone());
            let m2 = plan.months.get(1).cloned().unwrap_or_else(|| none.clone());
            merge(
                sqlx::query_as(sql.cells)
                    .bind(years.0)
                    .bind(years.1)
                    .bind(m1.0)
                    .bind(m1.1)
                    .bind(m2.0)
                    .bind(m2.1)
                    .bind(f.unit_id)
                    .bind(tier.clone())
                    .bind(category.clone())
                    .fetch_all(self.pool())
                    .await?,
            );
        }
        for (from, to) in &plan.days {
            merge(
                sqlx::query_as(sql.days)
                    .bind(from)
                    .bind(to)
                    .bind(f.unit_id)
                    .bind(tier.clone())
                    .bind(category.clone())
                    .fetch_all(self.pool())
                    .await?,
            );
        }
        let overdue: Vec<(String, i64)> = sqlx::query_as(sql.overdue)
            .bind(iso(today))
            .bind(f.unit_id)
            .bind(tier)
            .bind(category)
            .bind(f.from.clone())
            .bind(f.to.clone())
            .fetch_all(self.pool())
            .await?;
        for (key, n) in overdue {
            out.entry(key).or_default().overdue_unanswered += n;
        }
        Ok(out)
    }

    /// The next 工作例会's agenda: escalated problems still open. Office and leaders.
    pub async fn meeting_agenda(&self, actor: &Actor) -> Result<Vec<Problem>> {
        if !actor.reads_all() {
            return Err(StoreError::Forbidden("例会议程仅办公室和领导可见".into()));
        }
        let ids: Vec<(i64,)> = sqlx::query_as("SELECT id FROM problems WHERE tier = 'meeting' AND status <> 'closed' ORDER BY submitted_on, id")
            .fetch_all(self.pool())
            .await?;
        let mut out = Vec::with_capacity(ids.len());
        for (id,) in ids {
            out.push(
                sqlx::query_as(PROBLEM_COLUMNS)
                    .bind(id)
                    .fetch_one(self.pool())
                    .await?,
            );
        }
        Ok(out)
    }

    /// Records a 例会 decision with its owner and deadline (office only); it appears on the
    /// problem's timeline and in the owner unit's follow-up list.
    pub async fn record_decision(&self, actor: &Actor, d: &NewDecision) -> Result<i64> {
        if !actor.is_admin() {
            return Err(StoreError::Forbidden("只有办公室可以记录例会决定".into()));
        }
        let text = text(tf::MEETING_DECISION, &d.decision)?;
        self.get_unit(d.owner_unit_id).await?;
        if d.due_on < d.meeting_date {
            return Err(StoreError::Invalid(format!(
                "办理期限: {} 早于会议日期 {}",
                iso(d.due_on),
                iso(d.meeting_date)
            )));
        }
        if let Some(pid) = d.problem_id {
            self.visible(actor, pid).await?;
        }
        let now = crate::now();
        let mut tx = self.begin().await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO meeting_decisions (problem_id, meeting_date, decision, owner_unit_id, due_on, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
        )
        .bind(d.problem_id)
        .bind(iso(d.meeting_date))
        .bind(&text)
        .bind(d.owner_unit_id)
        .bind(iso(d.due_on))
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        if let Some(pid) = d.problem_id {
            insert_event(
                &mut tx,
                actor,
                pid,
                "decision",
                "",
                "",
                &format!("例会决定: {text} (期限 {})", iso(d.due_on)),
            )
            .await?;
        }
        append(
            &mut tx,
            AuditEntry::new(actor, "meeting.decision", "meeting_decision", id).after(d),
        )
        .await?;
        notify(
            &mut tx,
            d.problem_id,
            "unit",
            Some(d.owner_unit_id),
            "decision",
            &format!("例会决定交贵单位落实: {text}"),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Decisions the actor follows: all for the office and leaders, its own for a unit.
    pub async fn list_decisions(&self, actor: &Actor) -> Result<Vec<Decision>> {
        let (all, unit) = actor.unit_filter().binds();
        Ok(sqlx::query_as(
            "SELECT d.id, d.problem_id, COALESCE(p.title, '') AS problem_title, d.meeting_date, d.decision, d.owner_unit_id,
                u.name AS owner_unit_name, d.due_on, d.status, d.progress, d.done_on
             FROM meeting_decisions d JOIN units u ON u.id = d.owner_unit_id LEFT JOIN problems p ON p.id = d.problem_id
             WHERE $1 = 1 OR d.owner_unit_id = $2 ORDER BY d.status DESC, d.due_on, d.id",
        )
        .bind(all)
        .bind(unit)
        .fetch_all(self.pool())
        .await?)
    }

    /// Reports progress on a decision, or marks it done; the owner unit or the office.
    pub async fn update_decision(
        &self,
        actor: &Actor,
        id: i64,
        progress: &str,
        done: bool,
        today: Date,
    ) -> Result<()> {
        let row: Option<(i64, String, String)> = sqlx::query_as(
            "SELECT owner_unit_id, status, progress FROM meeting_decisions WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        let (owner, status, before) =
            row.ok_or_else(|| StoreError::NotFound(format!("例会决定 {id}")))?;
        if !actor.can_write_unit(owner) {
            return Err(StoreError::Forbidden(format!("例会决定 {id}")));
        }
        if status == "done" {
            return Err(StoreError::Conflict(format!(
                "例会决定 {id}: 已落实, 不能再修改"
            )));
        }
        let progress = text(tf::DECISION_PROGRESS, progress)?;
        let mut tx = self.begin().await?;
        sqlx::query("UPDATE meeting_decisions SET progress = $1, status = $2, done_on = $3, updated_at = $4 WHERE id = $5")
            .bind(&progress)
            .bind(if done { "done" } else { "open" })
            .bind(done.then(|| iso(today)))
            .bind(crate::now())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        append(
            &mut tx,
            AuditEntry::new(actor, "meeting.progress", "meeting_decision", id)
                .before(serde_json::json!({"status": status, "progress": before}))
                .after(serde_json::json!({"done": done, "progress": progress})),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// The one attachment rule of `qx_core::attachment`: the client's content type is ignored,
/// the stored one comes from the checked kind.
fn check_attachment(a: &NewAttachment) -> Result<Checked> {
    qx_core::attachment::check_attachment("附件", &a.filename, &a.data, MAX_ATTACHMENT_BYTES)
        .map_err(StoreError::Invalid)
}

async fn insert_attachment(
    tx: &mut Tx,
    actor: &Actor,
    problem_id: i64,
    checked: &Checked,
    data: &[u8],
) -> Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO problem_attachments (problem_id, filename, content_type, size, data, uploaded_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(problem_id)
    .bind(checked.name.as_str())
    .bind(checked.content_type())
    .bind(i64::try_from(data.len()).unwrap_or(i64::MAX))
    .bind(data.to_vec())
    .bind((actor.user_id != 0).then_some(actor.user_id))
    .bind(crate::now())
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

/// Inserts a fully specified problem inside a caller's transaction (benchmark generation);
/// no event, audit entry or notice.
pub async fn insert_problem_row(tx: &mut Tx, p: &ProblemSeed) -> Result<i64> {
    let d = &p.deadlines;
    let now = crate::now();
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO problems (enterprise_id, category, title, description, status, tier, lead_unit_id, submitted_on, clock_start,
            accept_due, answer_due, close_due, due_on, accepted_on, answered_on, closed_on, resolved, satisfaction,
            answer_workdays, close_workdays, answered_on_time, created_at, updated_at)
         VALUES ($1, $2, $3, $3, $4, $5, $6, $7, $7, $8, $9, $10, $11, $7, $12, $13, $14, $15, $16, $17, $18, $19, $19) RETURNING id",
    )
    .bind(p.enterprise_id)
    .bind(p.category.as_str())
    .bind(&p.title)
    .bind(p.status.as_str())
    .bind(p.tier.as_str())
    .bind(p.lead_unit_id)
    .bind(iso(p.submitted_on))
    .bind(iso(d.accept_by))
    .bind(iso(d.answer_by))
    .bind(iso(d.close_by))
    .bind(running_due(p.status, d))
    .bind(p.answered_on.map(iso))
    .bind(p.closed_on.map(iso))
    .bind(p.resolved.map(i64::from))
    .bind(p.satisfaction.map(|s| s.as_str().to_string()))
    .bind(p.answer_workdays)
    .bind(p.close_workdays)
    .bind(p.answered_on.map(|a| i64::from(a <= d.answer_by)))
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

/// Today in China Standard Time, the day deadlines are counted in.
pub fn today_cst() -> Date {
    let offset = time::UtcOffset::from_hms(8, 0, 0).unwrap_or(time::UtcOffset::UTC);
    time::OffsetDateTime::now_utc().to_offset(offset).date()
}

/// ISO text of a date, as stored.
pub fn date_iso(d: Date) -> String {
    iso(d)
}

/// Parses an ISO date as stored.
pub fn parse_date(s: &str) -> Option<Date> {
    parse_iso(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use qx_core::units::UnitKind;
    use time::macros::date;

    /// Whether a plan's pieces count `d`: how many of them include it.
    fn coverage(plan: &RangePlan, d: Date) -> usize {
        let day = iso(d);
        let month = &day[..7];
        let year = &day[..4];
        let years = plan
            .years
            .iter()
            .filter(|(a, b)| a.as_str() <= year && year <= b.as_str())
            .count();
        let months = plan
            .months
            .iter()
            .filter(|(a, b)| a.as_str() <= month && month <= b.as_str())
            .count();
        let days = plan
            .days
            .iter()
            .filter(|(a, b)| a.as_str() <= day.as_str() && day.as_str() <= b.as_str())
            .count();
        years + months + days
    }

    #[test]
    fn a_date_range_splits_into_years_months_and_days_that_cover_it_once() {
        let span: Vec<Date> = std::iter::successors(Some(date!(2015 - 12 - 01)), |d| {
            d.next_day().filter(|n| *n <= date!(2019 - 02 - 28))
        })
        .collect();
        let bounds: Vec<Option<Date>> = [
            None,
            Some(date!(2016 - 01 - 01)),
            Some(date!(2016 - 01 - 31)),
            Some(date!(2016 - 02 - 29)),
            Some(date!(2016 - 03 - 15)),
            Some(date!(2016 - 12 - 01)),
            Some(date!(2016 - 12 - 31)),
            Some(date!(2017 - 01 - 01)),
            Some(date!(2017 - 06 - 30)),
            Some(date!(2017 - 07 - 02)),
            Some(date!(2018 - 11 - 30)),
            Some(date!(2018 - 12 - 31)),
            Some(date!(2019 - 01 - 17)),
        ]
        .into();
        for from in &bounds {
            for to in &bounds {
                let plan = RangePlan::split(*from, *to).unwrap();
                assert!(plan.months.len() <= 2 && plan.days.len() <= 2, "{plan:?}");
                for d in &span {
                    let inside = from.is_none_or(|f| f <= *d) && to.is_none_or(|t| *d <= t);
                    assert_eq!(
                        coverage(&plan, *d),
                        usize::from(inside),
                        "{from:?}..{to:?} on {d}: {plan:?}"
                    );
                }
            }
        }
        // Calendar periods read the cube only.
        let q = RangePlan::of(Some("2017-01-01"), Some("2017-03-31"));
        assert!(q.days.is_empty() && q.years.is_none(), "{q:?}");
        assert_eq!(q.months, vec![("2017-01".into(), "2017-03".into())]);
        let y = RangePlan::of(Some("2017-01-01"), Some("2017-12-31"));
        assert_eq!(y.years, Some(("2017".into(), "2017".into())));
        // A bound that is not a date falls back to reading rows, compared as text.
        let bad = RangePlan::of(Some("2017-13"), None);
        assert_eq!(bad.days, vec![("2017-13".into(), "9999-99-99".into())]);
    }

    async fn unit(s: &Store, name: &str, kind: UnitKind) -> i64 {
        let u = crate::units::NewUnit {
            kind,
            name: name.into(),
            full_name: name.into(),
            region_code: None,
            parent_id: None,
            slug: name.into(),
            aliases: vec![],
            sort_order: 0,
        };
        s.create_unit(&Actor::system(), &u).await.unwrap()
    }

    #[tokio::test]
    async fn rates_as_of_a_date_count_only_what_had_happened_by_then() {
        for db in crate::testing::all().await.unwrap() {
            let s = &db.store;
            let town = unit(s, "石浦镇", UnitKind::Town).await;
            let mut tx = s.begin().await.unwrap();
            let ent = crate::enterprises::insert_enterprise(
                &mut tx,
                &crate::enterprises::NewEnterprise {
                    credit_code: "913302257995213595".into(),
                    name: "象山海天船舶".into(),
                    town_id: Some(town),
                    industry_code: None,
                    scale: "above".into(),
                },
            )
            .await
            .unwrap();
            let cal = WorkCalendar::weekends_only();
            // (submitted, answered, closed): answered late in July; answered and closed in
            // June; submitted in July.
            let cases = [
                (
                    date!(2017 - 06 - 01),
                    date!(2017 - 07 - 05),
                    date!(2017 - 07 - 20),
                ),
                (
                    date!(2017 - 06 - 05),
                    date!(2017 - 06 - 08),
                    date!(2017 - 06 - 20),
                ),
                (
                    date!(2017 - 07 - 10),
                    date!(2017 - 07 - 11),
                    date!(2017 - 07 - 25),
                ),
            ];
            for (i, (submitted, answered, closed)) in cases.into_iter().enumerate() {
                let d = Deadlines::compute(&cal, submitted, submitted, TimeLimits::default(), 0)
                    .unwrap();
                let seed = ProblemSeed {
                    enterprise_id: ent,
                    category: Category::ALL[0],
                    title: format!("难题{i}"),
                    status: Status::Closed,
                    tier: Tier::ALL[0],
                    lead_unit_id: Some(town),
                    submitted_on: submitted,
                    deadlines: d,
                    answered_on: Some(answered),
                    closed_on: Some(closed),
                    resolved: Some(true),
                    satisfaction: Some(Satisfaction::ALL[0]),
                    answer_workdays: Some(cal.working_days_between(submitted, answered)),
                    close_workdays: Some(cal.working_days_between(submitted, closed)),
                };
                insert_problem_row(&mut tx, &seed).await.unwrap();
            }
            tx.commit().await.unwrap();
            let all = RateFilter::default();

            let june = s
                .problem_rates_as_of(&all, date!(2017 - 06 - 30))
                .await
                .unwrap();
            assert_eq!(june.counts.total, 2, "the July problem did not exist yet");
            assert_eq!(june.counts.answered, 1);
            assert_eq!(
                june.counts.overdue_unanswered, 1,
                "due early June, unanswered"
            );
            assert_eq!((june.counts.closed, june.counts.resolved), (1, 1));
            assert_eq!(june.counts.rated, 1);
            assert_eq!(june.answer_rate, Some(50.0));

            // Once everything has happened, as-of and today's figures agree.
            let later = date!(2017 - 12 - 31);
            let end = s.problem_rates_as_of(&all, later).await.unwrap();
            assert_eq!(
                end.counts,
                s.problem_rates(&all, later).await.unwrap().counts
            );
            assert_eq!(
                (end.counts.total, end.counts.answered, end.counts.closed),
                (3, 3, 3)
            );
            assert_eq!(end.counts.overdue_unanswered, 0);
        }
    }

    #[tokio::test]
    async fn the_rate_cube_agrees_with_a_full_scan_after_inserts_and_steps() {
        for db in crate::testing::all().await.unwrap() {
            let s = &db.store;
            let town = unit(s, "石浦镇", UnitKind::Town).await;
            let dept = unit(s, "县国土资源局", UnitKind::Department).await;
            let mut tx = s.begin().await.unwrap();
            let ent = crate::enterprises::insert_enterprise(
                &mut tx,
                &crate::enterprises::NewEnterprise {
                    credit_code: "913302257995213595".into(),
                    name: "象山海天船舶".into(),
                    town_id: Some(town),
                    industry_code: None,
                    scale: "above".into(),
                },
            )
            .await
            .unwrap();
            // 150 problems over 2016–2018 in every status, tier and category, a few
            // unassigned, deterministic.
            let cal = WorkCalendar::weekends_only();
            let statuses = Status::ALL;
            let mut ids = Vec::new();
            for i in 0..150u32 {
                let submitted =
                    date!(2016 - 01 - 04) + time::Duration::days(i64::from(i * 7 % 1090));
                let status = statuses[i as usize % statuses.len()];
                let tier = Tier::ALL[i as usize % Tier::ALL.len()];
                let lead = match i % 4 {
                    0 => None,
                    1 => Some(town),
                    _ => Some(dept),
                };
                let d = Deadlines::compute(&cal, submitted, submitted, TimeLimits::default(), 0)
                    .unwrap();
                let answered = matches!(status, Status::Answered | Status::Rated | Status::Closed)
                    .then(|| cal.add_working_days(submitted, 1 + i % 9).unwrap());
                let seed = ProblemSeed {
                    enterprise_id: ent,
                    category: Category::ALL[i as usize % Category::ALL.len()],
                    title: format!("难题{i}"),
                    status,
                    tier,
                    lead_unit_id: lead,
                    submitted_on: submitted,
                    deadlines: d,
                    answered_on: answered,
                    closed_on: (status == Status::Closed).then_some(d.close_by),
                    resolved: answered.map(|_| i % 3 != 0),
                    satisfaction: matches!(status, Status::Rated | Status::Closed)
                        .then(|| Satisfaction::ALL[i as usize % Satisfaction::ALL.len()]),
                    answer_workdays: answered.map(|_| i64::from(1 + i % 9)),
                    close_workdays: (status == Status::Closed).then_some(12),
                };
                ids.push(insert_problem_row(&mut tx, &seed).await.unwrap());
            }
            tx.commit().await.unwrap();
            let filters = || {
                let ranges = [
                    (None, None),
                    (Some("2017-01-01"), Some("2017-12-31")),
                    (Some("2016-03-01"), Some("2016-05-31")),
                    (Some("2016-02-10"), Some("2017-08-20")),
                    (Some("2016-06-07"), Some("2016-06-19")),
                    (None, Some("2017-04-15")),
                    (Some("2017-04-15"), None),
                    (Some("2018-01-01"), Some("2016-01-01")),
                    (Some("2017-13"), None),
                ];
                let mut out = Vec::new();
                for (from, to) in ranges {
                    for (unit_id, tier, category) in [
                        (None, None, None),
                        (Some(dept), None, None),
                        (None, Some(Tier::Town), None),
                        (None, None, Some(Category::Land)),
                    ] {
                        out.push(RateFilter {
                            unit_id,
                            tier,
                            category,
                            from: from.map(str::to_string),
                            to: to.map(str::to_string),
                        });
                    }
                }
                out
            };
            let check = |when: &'static str| async move {
                for today in [date!(2016 - 06 - 15), date!(2019 - 01 - 01)] {
                    for f in filters() {
                        let cube = s.problem_rates(&f, today).await.unwrap();
                        let scan = s.problem_rates_scan(&f, today).await.unwrap();
                        assert_eq!(cube.counts, scan.counts, "{} {when} {f:?} {today}", db.name);
                        for group in [RateGroup::Unit, RateGroup::Tier, RateGroup::Category] {
                            let parts = s.problem_rates_by(group, &f, today).await.unwrap();
                            let mut sum = RateCounts::default();
                            for (_, r) in &parts {
                                assert!(r.counts.total > 0);
                                add_counts(&mut sum, &r.counts);
                            }
                            assert_eq!(sum, scan.counts, "{} {when} {group:?} {f:?}", db.name);
                        }
                        let all = s.problem_rates_breakdown(&f, today).await.unwrap();
                        let apart = RateBreakdown {
                            overall: cube,
                            by_unit: s
                                .problem_rates_by(RateGroup::Unit, &f, today)
                                .await
                                .unwrap(),
                            by_tier: s
                                .problem_rates_by(RateGroup::Tier, &f, today)
                                .await
                                .unwrap(),
                            by_category: s
                                .problem_rates_by(RateGroup::Category, &f, today)
                                .await
                                .unwrap(),
                        };
                        assert_eq!(all, apart, "{} {when} {f:?} {today}", db.name);
                        for (tier, r) in s
                            .problem_rates_by(RateGroup::Tier, &f, today)
                            .await
                            .unwrap()
                        {
                            let only = RateFilter {
                                tier: Tier::parse(&tier),
                                ..f.clone()
                            };
                            if f.tier.is_none() {
                                let scan = s.problem_rates_scan(&only, today).await.unwrap();
                                assert_eq!(r.counts, scan.counts, "{} {when} {tier}", db.name);
                            }
                        }
                    }
                }
            };
            check("after inserts").await;
            // Steps through the state machine move problems between cells and counters.
            let office = Actor {
                user_id: 0,
                username: "office".into(),
                role: Role::Admin,
                unit_id: None,
                enterprise_id: None,
                ip: String::new(),
            };
            let unit_actor = Actor {
                role: Role::Unit,
                unit_id: Some(dept),
                username: "land".into(),
                ..office.clone()
            };
            let open: Vec<i64> = sqlx::query_as::<_, (i64,)>(
                "SELECT id FROM problems WHERE status = 'accepted' ORDER BY id LIMIT 5",
            )
            .fetch_all(s.pool())
            .await
            .unwrap()
            .into_iter()
            .map(|(id,)| id)
            .collect();
            assert!(!open.is_empty());
            let on = date!(2019 - 01 - 02);
            for id in &open {
                let assign = Step::Assign {
                    tier: Tier::Department,
                    lead_unit_id: dept,
                    support_unit_ids: vec![],
                    note: String::new(),
                };
                s.problem_step(&office, *id, &assign, on).await.unwrap();
                s.problem_step(&unit_actor, *id, &Step::Start, on)
                    .await
                    .unwrap();
                let answer = Step::Answer {
                    text: "已协调解决".into(),
                    resolved: true,
                };
                s.problem_step(&unit_actor, *id, &answer, on).await.unwrap();
            }
            let close = Step::Close {
                note: String::new(),
            };
            s.problem_step(&office, open[0], &close, on).await.unwrap();
            // A hand edit of the table is counted too (the triggers, not the code, keep the cube).
            sqlx::query("UPDATE problems SET category = 'finance', submitted_on = '2018-02-03' WHERE id = $1")
                .bind(ids[7])
                .execute(s.pool())
                .await
                .unwrap();
            sqlx::query("DELETE FROM problems WHERE id = $1")
                .bind(ids[8])
                .execute(s.pool())
                .await
                .unwrap();
            check("after steps").await;

            // Recompute puts a wrong stored deadline right and leaves the others alone.
            let (open, changed) = s.recompute_problem_deadlines().await.unwrap();
            assert_eq!(changed, 0, "{}: seeded deadlines are current", db.name);
            let (id, status, answer_due): (i64, String, String) = sqlx::query_as(
                "SELECT id, status, answer_due FROM problems WHERE status = 'in_progress' ORDER BY id LIMIT 1",
            )
            .fetch_one(s.pool())
            .await
            .unwrap();
            sqlx::query("UPDATE problems SET answer_due = '2000-01-03', due_on = '2000-01-03' WHERE id = $1")
                .bind(id)
                .execute(s.pool())
                .await
                .unwrap();
            assert_eq!(
                s.recompute_problem_deadlines().await.unwrap(),
                (open, 1),
                "{}",
                db.name
            );
            let (after, due): (String, String) =
                sqlx::query_as("SELECT answer_due, due_on FROM problems WHERE id = $1")
                    .bind(id)
                    .fetch_one(s.pool())
                    .await
                    .unwrap();
            assert_eq!(
                (after.as_str(), due.as_str()),
                (answer_due.as_str(), answer_due.as_str()),
                "{} {status}",
                db.name
            );
        }
    }

    #[tokio::test]
    async fn every_list_driver_returns_what_the_filters_and_scope_select() {
        for db in crate::testing::all().await.unwrap() {
            let s = &db.store;
            let sys = Actor::system();
            let town = unit(s, "石浦镇", UnitKind::Town).await;
            let dept = unit(s, "县国土资源局", UnitKind::Department).await;
            let other = unit(s, "县住建局", UnitKind::Department).await;
            let mut tx = s.begin().await.unwrap();
            let mut ents = Vec::new();
            for (code, name) in [
                ("913302257995213595", "象山海天船舶"),
                ("91330225691361058X", "象山恒通汽配"),
            ] {
                let e = crate::enterprises::NewEnterprise {
                    credit_code: code.into(),
                    name: name.into(),
                    town_id: Some(town),
                    industry_code: None,
                    scale: "above".into(),
                };
                ents.push(
                    crate::enterprises::insert_enterprise(&mut tx, &e)
                        .await
                        .unwrap(),
                );
            }
            let today = date!(2019 - 03 - 13);
            let cal = WorkCalendar::weekends_only();
            for i in 0..120u32 {
                let submitted = today - time::Duration::days(i64::from(i * 5 % 40));
                let status = Status::ALL[i as usize % Status::ALL.len()];
                let d = Deadlines::compute(&cal, submitted, submitted, TimeLimits::default(), 0)
                    .unwrap();
                let seed = ProblemSeed {
                    enterprise_id: ents[(i % 3 / 2) as usize],
                    category: Category::ALL[i as usize % Category::ALL.len()],
                    title: format!("{}难题{i}", if i % 4 == 0 { "用地" } else { "融资" }),
                    status,
                    tier: Tier::ALL[i as usize % Tier::ALL.len()],
                    lead_unit_id: [None, Some(town), Some(dept), Some(other)][i as usize % 4],
                    submitted_on: submitted,
                    deadlines: d,
                    answered_on: None,
                    closed_on: None,
                    resolved: None,
                    satisfaction: None,
                    answer_workdays: None,
                    close_workdays: None,
                };
                let id = insert_problem_row(&mut tx, &seed).await.unwrap();
                if i % 5 == 0 {
                    sqlx::query(
                        "INSERT INTO problem_support_units (problem_id, unit_id) VALUES ($1, $2)",
                    )
                    .bind(id)
                    .bind(dept)
                    .execute(&mut *tx)
                    .await
                    .unwrap();
                }
            }
            tx.commit().await.unwrap();
            let user =
                |username: &str, role: Role, unit_id: Option<i64>, enterprise_id: Option<i64>| {
                    crate::users::NewUser {
                        username: username.into(),
                        display_name: username.into(),
                        role,
                        unit_id,
                        enterprise_id,
                        phone: String::new(),
                        password_hash: "x".into(),
                    }
                };
            let contact_id = s
                .create_user(&sys, &user("fw", Role::Unit, Some(other), None))
                .await
                .unwrap();
            s.set_service_contact(&sys, ents[1], Some(contact_id))
                .await
                .unwrap();
            let as_actor = |user_id: i64,
                            role: Role,
                            unit_id: Option<i64>,
                            enterprise_id: Option<i64>| Actor {
                user_id,
                username: format!("u{user_id}"),
                role,
                unit_id,
                enterprise_id,
                ip: String::new(),
            };
            let actors = [
                as_actor(900, Role::Leader, None, None),
                as_actor(901, Role::Unit, Some(dept), None),
                as_actor(contact_id, Role::Unit, Some(other), None),
                as_actor(902, Role::Enterprise, None, Some(ents[0])),
            ];
            // Everything a filter looks at, to evaluate the filters here.
            type Line = (
                i64,
                String,
                String,
                String,
                Option<i64>,
                i64,
                String,
                String,
                String,
                String,
            );
            let lines: Vec<Line> = sqlx::query_as(
                "SELECT p.id, p.status, p.category, p.tier, p.lead_unit_id, p.enterprise_id, p.due_on, p.title,
                    e.name, p.submitted_on FROM problems p JOIN enterprises e ON e.id = p.enterprise_id",
            )
            .fetch_all(s.pool())
            .await
            .unwrap();
            let support: Vec<(i64,)> =
                sqlx::query_as("SELECT problem_id FROM problem_support_units WHERE unit_id = $1")
                    .bind(dept)
                    .fetch_all(s.pool())
                    .await
                    .unwrap();
            let near_until = iso(s
                .work_calendar()
                .await
                .unwrap()
                .add_working_days(today, 1)
                .unwrap());
            let today_s = iso(today);
            let filters = [
                ProblemFilter::default(),
                ProblemFilter {
                    status: Some(Status::InProgress),
                    ..Default::default()
                },
                ProblemFilter {
                    status: Some(Status::Closed),
                    category: Some(Category::Land),
                    ..Default::default()
                },
                ProblemFilter {
                    tier: Some(Tier::Department),
                    from: Some("2019-02-20".into()),
                    ..Default::default()
                },
                ProblemFilter {
                    unit_id: Some(dept),
                    ..Default::default()
                },
                ProblemFilter {
                    unit_id: Some(town),
                    status: Some(Status::Submitted),
                    ..Default::default()
                },
                ProblemFilter {
                    enterprise_id: Some(ents[1]),
                    ..Default::default()
                },
                ProblemFilter {
                    overdue: true,
                    ..Default::default()
                },
                ProblemFilter {
                    overdue: true,
                    category: Some(Category::Finance),
                    ..Default::default()
                },
                ProblemFilter {
                    near: true,
                    ..Default::default()
                },
                ProblemFilter {
                    q: Some("用地".into()),
                    ..Default::default()
                },
                ProblemFilter {
                    q: Some("恒通".into()),
                    to: Some("2019-03-01".into()),
                    ..Default::default()
                },
                ProblemFilter {
                    q: Some("%".into()),
                    ..Default::default()
                },
            ];
            for a in &actors {
                for f in &filters {
                    let mut expect: Vec<i64> = lines
                        .iter()
                        .filter(|l| {
                            let (id, status, category, tier, lead, ent, due, title, ename, sub) = l;
                            let scope = a.reads_all()
                                || (a.role == Role::Enterprise && a.enterprise_id == Some(*ent))
                                || (a.role == Role::Unit
                                    && a.unit_id.is_some()
                                    && *lead == a.unit_id)
                                || (a.role == Role::Unit
                                    && a.unit_id == Some(dept)
                                    && support.contains(&(*id,)))
                                || (a.user_id == contact_id && *ent == ents[1]);
                            let open = status != "closed";
                            scope
                                && f.status.is_none_or(|x| x.as_str() == status)
                                && f.category.is_none_or(|x| x.as_str() == category)
                                && f.tier.is_none_or(|x| x.as_str() == tier)
                                && f.unit_id.is_none_or(|x| Some(x) == *lead)
                                && f.enterprise_id.is_none_or(|x| x == *ent)
                                && (!f.overdue || (open && !due.is_empty() && *due < today_s))
                                && (!f.near || (open && *due >= today_s && *due <= near_until))
                                && f.q.as_ref().is_none_or(|q| {
                                    title.contains(q.as_str()) || ename.contains(q.as_str())
                                })
                                && f.from.as_ref().is_none_or(|x| sub >= x)
                                && f.to.as_ref().is_none_or(|x| sub <= x)
                        })
                        .map(|l| l.0)
                        .collect();
                    expect.sort_unstable_by(|x, y| y.cmp(x));
                    for (limit, offset) in [(50, 0), (7, 0), (7, 14), (5, 1000)] {
                        let page = ProblemFilter {
                            limit,
                            offset,
                            ..f.clone()
                        };
                        let (rows, total) = s.list_problems(a, &page, today).await.unwrap();
                        let got: Vec<i64> = rows.iter().map(|r| r.id).collect();
                        let want: Vec<i64> = expect
                            .iter()
                            .copied()
                            .skip(offset as usize)
                            .take(limit as usize)
                            .collect();
                        assert_eq!(
                            got, want,
                            "{} {:?} {f:?} limit {limit} offset {offset}",
                            db.name, a.role
                        );
                        assert_eq!(
                            total,
                            expect.len() as i64,
                            "{} {:?} {f:?} offset {offset}",
                            db.name,
                            a.role
                        );
                    }
                }
            }
        }
    }
}
