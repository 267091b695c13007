//! 企业培育库 (migration 0020): pipelines with their stages (`pipelines`), the entries on them
//! and the lists with filters (`entries`), entering and moving an entry (`moves`: one
//! transaction with the dated move, which is the entry's timeline, and the audit entry), the
//! 小升规 candidates found in the yearly facts (`candidates`), the counts the plan's
//! indicators read (`counts`), and official lists matched to the registry and applied once
//! the office confirms (`imports`).
//!
//! Scope: the office and leaders read everything; a unit the entries of its town's enterprises
//! and of the pipelines it is responsible for; an enterprise its own entries. Out-of-scope reads
//! answer "not found". Only the office writes.

use crate::{Result, StoreError};
use qx_core::access::Actor;
use qx_core::cultivation::{EntryStatus, FactRule, Milestone, MoveKind};
use serde::Serialize;

mod analytics;
mod by_unit;
mod candidates;
mod counts;
mod entries;
mod imports;
mod moves;
mod pipelines;
mod reminders;

pub use analytics::{Analytics, AnalyticsFilter, GroupStat, MonthFlow, StageStat, YearSummary};
pub use by_unit::Reached;
pub use candidates::{Candidate, DEFAULT_CANDIDATE_FLOOR};
pub use entries::{EntryFilter, EntryRow, Track};
pub use imports::{
    Applied, ListImport, ListLine, ListRow, Proposal, Registry, RowMatch, match_lines,
};
pub use moves::{MoveRequest, NewEntry};
pub use pipelines::{PipelineEdit, StageCount, StageEdit};
pub use reminders::EXPIRY_WARNINGS;

/// The data scope of an entry (`ce`) on its pipeline (`p`): `$1` = 1 reads everything, `$2` the
/// actor's own enterprise, `$3` the actor's own unit (its town, or the pipeline it answers for).
/// Bound by `crate::enterprises::scoped` as a query's first three parameters.
macro_rules! entry_scope {
    () => {
        "($1 = 1 OR ce.enterprise_id = $2 OR ce.town_id = $3 OR p.responsible_unit_id = $3)"
    };
}
pub(crate) use entry_scope;

/// A pipeline as the pages show it, with its stages in order.
#[derive(Debug, Clone, Serialize)]
pub struct Pipeline {
    pub id: i64,
    /// Stable code of a built-in pipeline (`xsg` 小升规, `gzq` 个转企 …).
    pub code: String,
    pub name: String,
    pub criteria: String,
    pub rule: Option<FactRule>,
    pub responsible_unit_id: Option<i64>,
    pub responsible_unit_name: Option<String>,
    pub validity_years: Option<i64>,
    /// Days without a move after which an entry is reminded of (停滞); `None`: never.
    pub stall_days: Option<i64>,
    pub stages: Vec<Stage>,
}

impl Pipeline {
    /// The position (0-based) of a stage of this pipeline.
    pub fn position(&self, stage_id: i64) -> Option<usize> {
        self.stages.iter().position(|s| s.id == stage_id)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Stage {
    pub id: i64,
    pub pipeline_id: i64,
    pub ordinal: i64,
    pub name: String,
    pub milestone: Option<Milestone>,
    pub policy_text: String,
    /// 万元, as typed (exact decimal text).
    pub policy_amount_wan: Option<String>,
}

/// A stage as stored: its milestone still a code.
pub(crate) type StageRow = (
    i64,
    i64,
    i64,
    String,
    Option<String>,
    String,
    Option<String>,
);

impl Stage {
    /// Decodes a stored stage; an unknown milestone code is an error, never none.
    pub(crate) fn decode(row: StageRow) -> Result<Stage> {
        let (id, pipeline_id, ordinal, name, milestone, policy_text, policy_amount_wan) = row;
        let milestone = milestone
            .map(Milestone::try_from)
            .transpose()
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        Ok(Stage {
            id,
            pipeline_id,
            ordinal,
            name,
            milestone,
            policy_text,
            policy_amount_wan,
        })
    }
}

/// One entry with everything its page shows.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Entry {
    pub id: i64,
    pub pipeline_id: i64,
    pub enterprise_id: Option<i64>,
    pub credit_code: Option<String>,
    pub name: String,
    pub reg_no: String,
    pub town_id: Option<i64>,
    pub town_name: Option<String>,
    pub stage_id: i64,
    #[sqlx(try_from = "String")]
    pub status: EntryStatus,
    pub entered_on: String,
    pub stage_since: String,
    pub expires_on: Option<String>,
    pub certificate_no: String,
    pub board: String,
    pub stock_code: String,
}

/// One dated move of an entry (its timeline).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Move {
    pub id: i64,
    #[sqlx(try_from = "String")]
    pub kind: MoveKind,
    pub from_stage: Option<String>,
    pub to_stage: Option<String>,
    pub on_date: String,
    pub evidence: String,
    pub by_user: Option<String>,
}

/// Reads a stored rule; an empty one is none, a malformed one an error naming the pipeline.
fn stored_rule(pipeline: &str, rule: &str) -> Result<Option<FactRule>> {
    if rule.trim().is_empty() {
        return Ok(None);
    }
    FactRule::parse(rule)
        .map(Some)
        .map_err(|e| StoreError::Invalid(format!("培育库 {pipeline}: {e}")))
}

/// The office only writes.
fn only_office(actor: &Actor) -> Result<()> {
    crate::office_only(actor, "修改企业培育库")
}
