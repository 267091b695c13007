//! The monthly reporting cycle: periods, units' submissions, the office's review.
//!
//! A unit reports, per open period, the 1—N月累计 figure of every indicator it leads and the
//! progress of every task it leads or supports. The office approves (the submission locks) or
//! returns it with a comment; nobody approves their own submission. A correction after approval
//! is a new revision that supersedes the old one, so history keeps every figure ever approved.

use crate::audit::{AuditEntry, PendingEntry};
use crate::{Result, Store, StoreError, commit_audited};
use qx_core::access::{Actor, Role};
use qx_core::label::Labelled;
use qx_core::monitor::TaskState;
use qx_core::period::Period;
use qx_core::state::{
    PeriodStatus, SendingDecision, SubmissionStatus, SubmissionStep, UnknownState,
};
use serde::Serialize;
use std::collections::HashMap;
use time::Date;

/// The one definition of "a plan's approved reports" that dashboards and bulletins read: joins
/// the submission (`s`) and its period (`rp`) to rows naming their submission in `$submission`
/// (as `"iv.submission_id"`), and keeps the approved ones of plan `$1`. A superseded revision
/// is no longer `approved`, so each unit and period counts once.
macro_rules! approved_in_plan {
    ($submission:literal) => {
        concat!(
            " JOIN submissions s ON s.id = ",
            $submission,
            " JOIN report_periods rp ON rp.id = s.period_id",
            " WHERE rp.plan_id = $1 AND s.status = 'approved' "
        )
    };
}
pub(crate) use approved_in_plan;

/// The columns of a [`Submission`], ready for a `WHERE`.
macro_rules! submission_select {
    () => {
        "SELECT id, period_id, unit_id, revision, status, submitted_by, submitted_at, reviewed_by, \
         reviewed_at, review_comment FROM submissions "
    };
}

/// A report handed in for its period that still stands, over submissions `s`: the SQL of
/// [`SubmissionStatus::is_reported`] (a unit test holds the two equal).
macro_rules! reported_sql {
    () => {
        "s.status IN ('submitted', 'approved')"
    };
}

mod approved;
mod evidence;
mod no_figure;
mod periods;
mod save_mode;
mod sendings;
mod settings;
mod submissions;

pub use evidence::{MAX_REPORT_ATTACHMENT_BYTES, ReportAttachment};
pub use no_figure::{ApprovedNoFigure, NoFigure, PeriodNoFigure};
pub use save_mode::{IfComplete, SaveMode, Submit, Submitted};
pub use sendings::Sending;
pub use settings::YELLOW_GAP_KEY;

/// Refuses readers outside the county side: reporting periods and approved figures are the
/// county's (office, leaders, units), never an enterprise's.
pub(crate) fn county_side(actor: &Actor, what: &str) -> Result<()> {
    if actor.role == Role::Enterprise {
        return Err(StoreError::Forbidden(what.into()));
    }
    Ok(())
}

/// Refuses a reader who may not see `unit_id`'s reporting (another unit's, or an enterprise),
/// with the same NotFound as a submission the actor may not read.
fn readable_unit(actor: &Actor, unit_id: i64) -> Result<()> {
    if !actor.can_read_unit(unit_id) {
        return Err(StoreError::NotFound(format!("单位 {unit_id} 的报送")));
    }
    Ok(())
}

#[derive(Debug, Clone, Serialize)]
pub struct ReportPeriod {
    pub id: i64,
    pub plan_id: i64,
    pub period: String,
    #[serde(serialize_with = "qx_core::time::serialize_date")]
    pub due_on: Date,
    pub status: PeriodStatus,
    pub opened_at: i64,
}

/// A `report_periods` row as stored, decoded into a [`ReportPeriod`] with an error.
#[derive(sqlx::FromRow)]
struct PeriodRow {
    id: i64,
    plan_id: i64,
    period: String,
    due_on: String,
    status: String,
    opened_at: i64,
}

impl TryFrom<PeriodRow> for ReportPeriod {
    type Error = StoreError;
    fn try_from(row: PeriodRow) -> Result<Self> {
        Ok(ReportPeriod {
            id: row.id,
            plan_id: row.plan_id,
            period: row.period,
            due_on: decode_date(row.due_on)?,
            status: decode_state(row.status)?,
            opened_at: row.opened_at,
        })
    }
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Submission {
    pub id: i64,
    pub period_id: i64,
    pub unit_id: i64,
    pub revision: i64,
    #[sqlx(try_from = "String")]
    pub status: SubmissionStatus,
    pub submitted_by: Option<i64>,
    pub submitted_at: Option<i64>,
    pub reviewed_by: Option<i64>,
    pub reviewed_at: Option<i64>,
    pub review_comment: String,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ReportedValue {
    pub indicator_id: i64,
    pub value: String,
    pub note: String,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct TaskReport {
    pub task_id: i64,
    pub progress: String,
    #[sqlx(try_from = "String")]
    pub status: TaskState,
}

/// What a unit enters for a period.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SubmissionInput {
    /// (indicator id, 1—N月累计 as text, note)
    pub values: Vec<(i64, String, String)>,
    /// (task id, progress text, self-assessed status)
    pub tasks: Vec<(i64, String, String)>,
}

impl SubmissionInput {
    /// Whether the input gives `indicator_id` a figure (its last line for it is not empty).
    pub fn has_figure(&self, indicator_id: i64) -> bool {
        self.values
            .iter()
            .rfind(|(id, _, _)| *id == indicator_id)
            .is_some_and(|(_, v, _)| !v.trim().is_empty())
    }
}

/// An approved figure: what dashboards and bulletins are built from.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ApprovedValue {
    pub indicator_id: i64,
    pub period: String,
    pub value: String,
    pub unit_id: i64,
    pub reviewed_at: Option<i64>,
}

/// An approved task report.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ApprovedTaskReport {
    pub task_id: i64,
    pub period: String,
    pub unit_id: i64,
    pub progress: String,
    #[sqlx(try_from = "String")]
    pub status: TaskState,
}

/// One unit's position in a period, for the office's "who has not reported" page.
#[derive(Debug, Clone, Serialize)]
pub struct UnitProgress {
    pub unit_id: i64,
    pub submission: Option<Submission>,
    pub indicators: i64,
    pub tasks: i64,
}

#[derive(sqlx::FromRow)]
struct TaskWithRole {
    id: i64,
    plan_id: i64,
    number: String,
    title: String,
    text: String,
    deadline: String,
    ordinal: i64,
    #[sqlx(try_from = "String")]
    role: qx_core::units::TaskRole,
}

/// A reported figure: empty (not reported) or a number, as [`qx_core::monitor::parse_figure`]
/// reads it.
fn check_value(value: &str) -> std::result::Result<(), String> {
    qx_core::monitor::parse_figure(value)
        .map(|_| ())
        .map_err(|e| format!("\"{value}\" 不是数字: {e}"))
}

fn normalise_value(value: &str) -> String {
    match qx_core::monitor::parse_figure(value) {
        Ok(Some(d)) => d.normalize().to_string(),
        _ => value.trim().to_string(),
    }
}

/// A state read outside a derived row (a joined or single column): an unknown code is a
/// decoding error, as in the derived rows, never a default.
fn decode_state<T: TryFrom<String, Error = UnknownState>>(code: String) -> Result<T> {
    T::try_from(code).map_err(|e| StoreError::Db(sqlx::Error::Decode(Box::new(e))))
}

/// A stored ISO date (`2017-07-07`): anything else is a decoding error, never "no date".
fn decode_date(stored: String) -> Result<Date> {
    qx_core::time::parse_date(&stored).ok_or_else(|| {
        StoreError::Db(sqlx::Error::Decode(
            format!("日期 \"{stored}\" 不是 ISO 日期 (stored date is not ISO)").into(),
        ))
    })
}

#[cfg(test)]
mod tests {
    use qx_core::state::SubmissionStatus;

    #[test]
    fn the_sql_reported_rule_lists_the_codes_of_is_reported() {
        let codes: Vec<String> = SubmissionStatus::ALL
            .iter()
            .filter(|s| s.is_reported())
            .map(|s| format!("'{}'", s.as_str()))
            .collect();
        assert_eq!(
            reported_sql!(),
            format!("s.status IN ({})", codes.join(", "))
        );
    }
}
