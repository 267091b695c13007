//! Enterprise problems (企业难题) and their handling steps: intake, routing by tier, the
//! checked state machine of [`qx_core::problem`], working-day deadlines, in-app notices,
//! rates and the 企服责任人 of each enterprise (例会 decisions are `meetings`).
//!
//! Scope: the office and leaders read every problem; an enterprise user its own enterprise's;
//! a unit user the problems routed to its unit (主办 or 协办); a 企服责任人 the problems of the
//! enterprises assigned to them. Out of scope reads answer "not found". Every step runs in one
//! transaction with its timeline event and its audit entry.
//!
//! Rates: [`Store::problem_rates`] and its breakdowns are read as an actor (a unit reads the
//! county's figures and its own, never another unit's); the plan's indicators (难题答复率,
//! 解决率), bulletins and 考核 read [`Store::problem_rates_as_of`], a county-wide aggregate for
//! the office's documents.

use crate::audit::{AuditEntry, append};
use crate::{Result, Store, StoreError, Tx, commit_audited};
use qx_core::access::{Actor, Role};
use qx_core::attachment::Checked;
use qx_core::calendar::WorkCalendar;
use qx_core::notice::Text;
use qx_core::problem::{
    Action, Category, Channel, DeadlineFlag, Deadlines, EventKind, EventStatus, Party, RateCounts,
    Rates, Satisfaction, Status, StatusGroup, Tier, TimeLimitConfig, TimeLimits,
};
use qx_core::text as tf;
use serde::Serialize;
use std::collections::BTreeMap;
use time::Date;

/// The columns of an [`AttachmentMeta`], ready for a `WHERE`.
macro_rules! attachment_select {
    () => {
        "SELECT id, problem_id, filename, content_type, size, created_at FROM problem_attachments "
    };
}

mod attachments;
mod deadlines;
mod history;
mod intake;
mod list;
mod notes;
mod notices;
mod rates;
mod routing;
mod step;

pub use crate::notices::Notice;
pub use attachments::{AttachmentMeta, NewAttachment};
pub use deadlines::SweepReport;
pub use intake::{NewProblem, Outcome, ProblemSeed, insert_problem_row};
pub use list::{ProblemFilter, ProblemRow};
pub use rates::{RateBreakdown, RateFilter, RateGroup};
pub use routing::{Route, ServiceContact};
pub use step::Step;

use attachments::{check_attachment, insert_attachment};
use notices::notify;

/// The largest attachment accepted.
pub const MAX_ATTACHMENT_BYTES: usize = 20 * 1024 * 1024;
/// The longest extension a unit may ask for at once.
pub const MAX_EXTENSION_DAYS: u32 = 20;

/// A stored problem.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Problem {
    pub id: i64,
    pub enterprise_id: i64,
    pub enterprise_name: String,
    pub enterprise_town_id: Option<i64>,
    #[sqlx(try_from = "String")]
    pub category: Category,
    pub title: String,
    pub description: String,
    pub contact_name: String,
    pub contact_phone: String,
    #[sqlx(try_from = "String")]
    pub source: Channel,
    #[sqlx(try_from = "String")]
    pub status: Status,
    #[sqlx(try_from = "String")]
    pub tier: Tier,
    pub lead_unit_id: Option<i64>,
    pub lead_unit_name: String,
    pub proposed_unit_id: Option<i64>,
    pub proposed_unit_name: String,
    pub submitted_on: String,
    pub clock_start: String,
    pub accept_due: String,
    pub answer_due: String,
    pub close_due: String,
    /// The running deadline as stored (`''` when none runs), as the API sends it.
    pub due_on: String,
    /// `due_on` decoded by [`Store::fetch_problem`]: what code decides on.
    #[serde(skip)]
    #[sqlx(skip)]
    pub due: Option<Date>,
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
    /// The stored code, decoded into `satisfaction` by [`Store::fetch_problem`].
    #[serde(skip)]
    #[sqlx(rename = "satisfaction")]
    satisfaction_code: Option<String>,
    #[sqlx(skip)]
    pub satisfaction: Option<Satisfaction>,
    pub rating_comment: String,
    pub answer_workdays: Option<i64>,
    pub close_workdays: Option<i64>,
    pub answered_on_time: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Problem {
    pub fn status(&self) -> Status {
        self.status
    }
    pub fn tier(&self) -> Tier {
        self.tier
    }
    pub fn category(&self) -> Category {
        self.category
    }
}

/// One step on a problem's timeline.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ProblemEvent {
    pub id: i64,
    pub at: i64,
    /// The person's name (their login name only for an account since removed).
    pub actor: String,
    #[sqlx(try_from = "String")]
    pub action: EventKind,
    #[sqlx(try_from = "String")]
    pub from_status: EventStatus,
    #[sqlx(try_from = "String")]
    pub to_status: EventStatus,
    pub note: String,
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

fn iso(d: Date) -> String {
    qx_core::time::format_date(d)
}

fn parse_iso(s: &str) -> Option<Date> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(s, fmt).ok()
}

/// A stored running deadline: `''` when none runs, else an ISO date; anything else is an
/// error, never a default.
pub(crate) fn stored_due(stored: &str) -> Result<Option<Date>> {
    if stored.is_empty() {
        return Ok(None);
    }
    qx_core::time::parse_date(stored).map(Some).ok_or_else(|| {
        StoreError::Invalid(format!(
            "难题期限 \"{stored}\" 不是日期 (stored due date is not ISO)"
        ))
    })
}

fn opt_str<T: Copy>(v: Option<T>, f: fn(T) -> &'static str) -> Option<String> {
    v.map(|x| f(x).to_string())
}

pub(crate) use crate::text;

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

/// One timeline event; `from` and `to` are [`Status`] codes, or `''` for an event that moves
/// nothing (read back as an [`EventStatus`], decoded with an error).
pub(crate) async fn insert_event(
    tx: &mut Tx,
    actor: &Actor,
    problem_id: i64,
    kind: EventKind,
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
    .bind(kind.as_str())
    .bind(from)
    .bind(to)
    .bind(note)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Store {
    /// Whether the actor may read the problem; the enterprise id and lead unit when so.
    async fn visible(&self, actor: &Actor, id: i64) -> Result<(i64, Option<i64>)> {
        let row: Option<(i64, Option<i64>, i64, i64)> = sqlx::query_as(
            "SELECT p.enterprise_id, p.lead_unit_id,
                (SELECT COUNT(*) FROM problem_support_units s WHERE s.problem_id = p.id AND s.unit_id = $2),
                (SELECT COUNT(*) FROM problem_service_contacts c WHERE c.enterprise_id = p.enterprise_id AND c.user_id = $3)
             FROM problems p WHERE p.id = $1",
        )
        .bind(id)
        .bind(crate::own_unit(actor))
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

    /// One problem by id with its codes decoded: an unknown code is an error, never a default.
    async fn fetch_problem(&self, id: i64) -> Result<Problem> {
        let mut p: Problem = sqlx::query_as(PROBLEM_COLUMNS)
            .bind(id)
            .fetch_one(self.pool())
            .await?;
        p.satisfaction = p
            .satisfaction_code
            .clone()
            .map(Satisfaction::try_from)
            .transpose()
            .map_err(|e| StoreError::Invalid(format!("难题 {id}: {e}")))?;
        p.due = stored_due(&p.due_on)?;
        Ok(p)
    }

    /// A problem with its timeline, attachments and 协办 units, if the actor may see it.
    pub async fn get_problem(&self, actor: &Actor, id: i64) -> Result<ProblemDetail> {
        let (enterprise_id, lead) = self.visible(actor, id).await?;
        let problem = self.fetch_problem(id).await?;
        let support_units = sqlx::query_as(
            "SELECT u.id, u.name FROM problem_support_units s JOIN units u ON u.id = s.unit_id WHERE s.problem_id = $1 ORDER BY u.sort_order",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        // An enterprise never reads the county's internal notes.
        let hide_internal = actor.role == Role::Enterprise;
        let events = sqlx::query_as(
            "SELECT e.id, e.at, COALESCE(u.display_name, e.actor) AS actor, e.action, e.from_status, e.to_status, e.note
             FROM problem_events e LEFT JOIN users u ON u.id = e.actor_id
             WHERE e.problem_id = $1 AND ($2 = 0 OR e.action <> $3) ORDER BY e.id",
        )
        .bind(id)
        .bind(i64::from(hide_internal))
        .bind(EventKind::InternalNote.as_str())
        .fetch_all(self.pool())
        .await?;
        let attachments = sqlx::query_as(concat!(
            attachment_select!(),
            "WHERE problem_id = $1 ORDER BY id"
        ))
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
async fn unit(s: &Store, name: &str, kind: qx_core::units::UnitKind) -> i64 {
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

/// A test enterprise in `town`.
#[cfg(test)]
async fn enterprise(tx: &mut Tx, credit_code: &str, name: &str, town: i64) -> i64 {
    crate::enterprises::insert_enterprise(
        tx,
        &crate::enterprises::NewEnterprise {
            credit_code: credit_code.into(),
            name: name.into(),
            town_id: Some(town),
            industry_code: None,
            scale: qx_core::scale::Scale::Above,
        },
    )
    .await
    .unwrap()
}
