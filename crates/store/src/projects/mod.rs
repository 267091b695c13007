//! 重大项目库 and 招商线索 (#16): projects with their stages and timeline, leads, the module's
//! settings, and the stage counts the plan's project indicators read.
//!
//! Scope (one SQL predicate, [`scope_sql!`]): the office and leaders read every project; a unit
//! the projects it is responsible for; an enterprise the projects whose owner credit code is
//! its own. Out of scope reads answer "not found". The office writes every project, a unit its
//! own; leaders and enterprises never write. Every write commits with its timeline event and
//! audit entry in one transaction; stage moves notify the responsible unit and the 包干 leader.

use crate::{MaybeCoded, Result, Store, StoreError, Tx};
use qx_core::access::{Actor, Role};
use qx_core::project::{CapitalKind, EventKind, Source, Stage};
use serde::Serialize;
use time::Date;

pub(crate) mod alerts;
mod counts;
mod dispatch;
pub(crate) mod funnel;
mod leads;
mod library;
mod list;
pub(crate) mod next_stage;
mod problem;
mod progress;
mod settings;
mod stages;
mod write;
pub(crate) mod year_done;

pub use alerts::AlertSweep;
pub use counts::StageCounts;
pub use dispatch::{DispatchFigures, DispatchInput, DispatchLine, DispatchMonth};
pub use funnel::FunnelItems;
pub use leads::{Lead, LeadDecision, NewLead};
pub use library::LibraryRow;
pub use list::{ProjectFilter, ProjectList, ProjectRow};
pub use problem::{LinkedProject, ProjectProblem};
pub use progress::ProjectProgress;
pub use stages::StageMove;
pub use write::ProjectInput;

/// The scope predicate over `projects p`, binding `$1` (1 when the reader sees all), `$2` (the
/// reader's unit, -1 for none) and `$3` (the reader's enterprise, -1 for none). Every scoped
/// statement puts these three first so the numbering holds on SQLite.
macro_rules! scope_sql {
    () => {
        "($1 = 1 OR p.unit_id = $2 OR (p.credit_code IS NOT NULL AND p.credit_code = (SELECT e.credit_code FROM enterprises e WHERE e.id = $3)))"
    };
}
pub(crate) use scope_sql;

/// 本年已完成投资 from the approved monthly 调度, over `projects p`: the stored sum of the
/// project's approved months of its year (`project_year_done`, kept in step by
/// [`year_done::refresh`]; NULL before any month is approved).
macro_rules! approved_dispatch_sum {
    () => {
        "(SELECT t.invested_wan FROM project_year_done t WHERE t.project_id = p.id AND t.year = p.year)"
    };
}

/// A 调度 row `d` counts: its unit's submission of that period is approved (one approval flow).
macro_rules! dispatch_approved {
    () => {
        "EXISTS (SELECT 1 FROM submissions s WHERE s.period_id = d.period_id
                      AND s.unit_id = d.unit_id AND s.status = 'approved')"
    };
}
pub(crate) use approved_dispatch_sum;
pub(crate) use dispatch_approved;

/// The columns of a [`Project`], over `projects p`.
macro_rules! project_select {
    () => {
        concat!("SELECT p.id, p.year, p.name, p.investor, p.credit_code, p.enterprise_id,
            COALESCE((SELECT e.name FROM enterprises e WHERE e.id = p.enterprise_id), '') AS enterprise_name,
            p.capital_kind, p.source, p.industry, p.town_id,
            COALESCE((SELECT u.name FROM units u WHERE u.id = p.town_id), '') AS town_name,
            p.total_investment_wan, p.foreign_contract_wusd, p.annual_plan_wan,
            COALESCE(", approved_dispatch_sum!(), ", p.completed_wan) AS completed_wan,
            p.land_mu,
            p.content, p.unit_id, COALESCE((SELECT u.name FROM units u WHERE u.id = p.unit_id), '') AS unit_name,
            p.contact, p.leader_user_id,
            COALESCE((SELECT us.display_name FROM users us WHERE us.id = p.leader_user_id), '') AS leader_name,
            p.stage, p.stage_since, p.halt_reason, p.lead_id, p.created_at, p.updated_at
         FROM projects p ")
    };
}
pub(crate) use project_select;

/// `q` with [`scope_sql!`]'s `$1`–`$3` bound for an actor (its first three parameters).
pub(crate) fn scoped<'q, O>(
    q: sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments>,
    actor: &Actor,
) -> sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments> {
    let (all, unit, enterprise) = scope_binds(actor);
    q.bind(all).bind(unit).bind(enterprise)
}

/// The three scope binds of [`scope_sql!`] for an actor.
pub(crate) fn scope_binds(actor: &Actor) -> (i64, i64, i64) {
    (
        i64::from(actor.reads_all()),
        crate::own_unit(actor),
        crate::own_enterprise(actor),
    )
}

/// A stored project.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Project {
    pub id: i64,
    pub year: i64,
    pub name: String,
    pub investor: String,
    pub credit_code: Option<String>,
    /// The registry enterprise with the project's credit code, when there is one.
    pub enterprise_id: Option<i64>,
    pub enterprise_name: String,
    #[sqlx(try_from = "String")]
    pub capital_kind: CapitalKind,
    #[sqlx(try_from = "String")]
    pub source: Source,
    pub industry: String,
    pub town_id: Option<i64>,
    pub town_name: String,
    pub total_investment_wan: f64,
    pub foreign_contract_wusd: Option<f64>,
    pub annual_plan_wan: Option<f64>,
    /// 本年已完成投资 (万元), what the light compares with the year's plan: the sum of the
    /// year's approved monthly 调度 once there is one, else the figure entered with the project.
    pub completed_wan: Option<f64>,
    pub land_mu: Option<f64>,
    pub content: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub contact: String,
    pub leader_user_id: Option<i64>,
    pub leader_name: String,
    #[sqlx(try_from = "String")]
    pub stage: Stage,
    /// The day the current stage was reached (or the project entered).
    pub stage_since: String,
    pub halt_reason: String,
    pub lead_id: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Project {
    pub fn is_major(&self) -> bool {
        qx_core::project::is_major(self.total_investment_wan)
    }
}

/// One stage of a project: its planned and actual dates and who recorded it.
#[derive(Debug, Clone, Serialize)]
pub struct StageRecord {
    pub stage: Stage,
    pub planned_on: Option<String>,
    pub actual_on: Option<String>,
    pub evidence: String,
    pub moved_by: String,
}

/// One entry of a project's timeline.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ProjectEvent {
    pub at: i64,
    pub actor_name: String,
    #[sqlx(try_from = "String")]
    pub kind: EventKind,
    /// The stage left and the stage reached, for a move.
    #[sqlx(try_from = "Option<String>")]
    pub from_stage: MaybeCoded<Stage>,
    #[sqlx(try_from = "Option<String>")]
    pub to_stage: MaybeCoded<Stage>,
    pub note: String,
    /// The 企业难题 this entry raised.
    pub problem_id: Option<i64>,
}

/// A project with its stages and timeline, as its page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct ProjectDetail {
    pub project: Project,
    /// The five pipeline stages in order, then 中止 when it happened.
    pub stages: Vec<StageRecord>,
    pub events: Vec<ProjectEvent>,
}

pub(crate) fn iso(d: Date) -> String {
    qx_core::time::format_date(d)
}

pub(crate) use crate::text;

pub(crate) async fn insert_event(
    tx: &mut Tx,
    actor: &Actor,
    project_id: i64,
    kind: EventKind,
    from: Option<Stage>,
    to: Option<Stage>,
    note: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO project_events (project_id, at, actor_id, actor_name, kind, from_stage, to_stage, note)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(project_id)
    .bind(crate::now())
    .bind((actor.user_id != 0).then_some(actor.user_id))
    .bind(&actor.username)
    .bind(kind.as_str())
    .bind(from.map(Stage::as_str))
    .bind(to.map(Stage::as_str))
    .bind(note)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

type StageRow = (String, Option<String>, Option<String>, String, String);

impl Store {
    /// A project the actor may read; "not found" otherwise.
    pub async fn get_project(&self, actor: &Actor, id: i64) -> Result<Project> {
        let sql = concat!(project_select!(), "WHERE ", scope_sql!(), " AND p.id = $4");
        scoped(sqlx::query_as(sql), actor)
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("重大项目 {id}")))
    }

    /// A project with its stages and timeline.
    pub async fn project_detail(&self, actor: &Actor, id: i64) -> Result<ProjectDetail> {
        let project = self.get_project(actor, id).await?;
        let rows: Vec<StageRow> = sqlx::query_as(
            "SELECT s.stage, s.planned_on, s.actual_on, s.evidence,
                COALESCE((SELECT u.display_name FROM users u WHERE u.id = s.moved_by), '')
             FROM project_stages s WHERE s.project_id = $1",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        let mut stages = Vec::new();
        for (code, planned_on, actual_on, evidence, moved_by) in rows {
            let stage = Stage::parse(&code).map_err(|e| StoreError::Invalid(e.to_string()))?;
            stages.push(StageRecord {
                stage,
                planned_on,
                actual_on,
                evidence,
                moved_by,
            });
        }
        stages.sort_by_key(|s| s.stage.rank().unwrap_or(usize::MAX));
        let events = sqlx::query_as(
            "SELECT at, actor_name, kind, from_stage, to_stage, note, problem_id FROM project_events
             WHERE project_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        Ok(ProjectDetail {
            project,
            stages,
            events,
        })
    }

    /// The project, when the actor may change it: the office any, a unit its own (read first,
    /// so an out-of-scope project is "not found" and a leader's or enterprise's try is
    /// "forbidden"). Every write of a project asks this; so does a page that offers to edit one.
    pub async fn project_for_write(&self, actor: &Actor, id: i64) -> Result<Project> {
        let project = self.get_project(actor, id).await?;
        if actor.can_write_unit(project.unit_id) {
            Ok(project)
        } else {
            Err(StoreError::Forbidden(
                "只有办公室或项目责任单位可以修改项目".into(),
            ))
        }
    }
}
