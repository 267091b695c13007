//! The 招商 funnel's items within the reader's scope (the list's scope for projects, the leads
//! page's for leads), for [`qx_core::project::funnel`] to count.
//!
//! Only the asked year is read: its projects each in one row with the four stages' actual
//! dates stored on it (migration 0037, kept by `next_stage::refresh`), the leads' few columns,
//! and the year list from its own query. Units come as ids, named from one read of the units
//! (a county has a few dozen). A lead's 签约 is its project's, whatever that project's year.

use super::leads::{lead_binds, lead_scope_sql};
use super::*;
use qx_core::project::funnel::{FunnelLead, FunnelProject, STAGES};
use std::collections::{BTreeSet, HashMap, HashSet};

/// What the funnel is computed from.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FunnelItems {
    pub projects: Vec<FunnelProject>,
    pub leads: Vec<FunnelLead>,
    /// Every year holding a project or a lead, newest first (for the year filter).
    pub years: Vec<i32>,
}

/// A project of the funnel: year, responsible unit, town, industry, stage, its lead's
/// submission time and the actual dates of 签约, 注册, 开工, 投产. Read plain, or on SQLite
/// packed into one value (`crate::packed`).
#[derive(Debug, sqlx::FromRow, serde::Deserialize)]
pub(crate) struct ProjectLine {
    year: i64,
    unit_id: i64,
    town_id: Option<i64>,
    industry: String,
    stage: String,
    lead_at: Option<i64>,
    signed_on: Option<String>,
    registered_on: Option<String>,
    started_on: Option<String>,
    producing_on: Option<String>,
}

/// What the funnel reads of each project in scope, after the columns: binds the scope's `$1`–`$3`
/// and `$4` the year (NULL for every year).
macro_rules! funnel_from {
    () => {
        concat!(
            "FROM projects p LEFT JOIN leads l ON l.id = p.lead_id WHERE ",
            scope_sql!(),
            " AND ($4 IS NULL OR p.year = $4)"
        )
    };
}

/// The funnel's projects the actor may read, of `year` when given, by id: on SQLite packed into
/// one value (one row instead of one per project), on PostgreSQL as plain rows.
pub(crate) async fn project_lines(
    store: &Store,
    actor: &Actor,
    year: Option<i32>,
) -> Result<Vec<ProjectLine>> {
    if store.engine() == crate::Engine::Postgres {
        return project_lines_plain(store, actor, year).await;
    }
    let (packed,): (String,) = scoped(
        sqlx::query_as(crate::packed::sqlite!(
            "p.year, p.unit_id, p.town_id, p.industry, p.stage, l.created_at,
                p.signed_on, p.registered_on, p.started_on, p.producing_on",
            funnel_from!(),
            order "p.id"
        )),
        actor,
    )
    .bind(year.map(i64::from))
    .fetch_one(store.pool())
    .await?;
    match crate::packed::rows(&packed)? {
        Some(lines) => Ok(lines),
        // No REAL among the columns: never.
        None => project_lines_plain(store, actor, year).await,
    }
}

/// [`project_lines`] as plain rows, on either engine (what the packed read must equal).
pub(crate) async fn project_lines_plain(
    store: &Store,
    actor: &Actor,
    year: Option<i32>,
) -> Result<Vec<ProjectLine>> {
    Ok(scoped(
        sqlx::query_as(concat!(
            "SELECT p.year, p.unit_id, p.town_id, p.industry, p.stage, l.created_at AS lead_at,
            p.signed_on, p.registered_on, p.started_on, p.producing_on ",
            funnel_from!(),
            " ORDER BY p.id"
        )),
        actor,
    )
    .bind(year.map(i64::from))
    .fetch_all(store.pool())
    .await?)
}

/// A lead of the funnel: submission time, follow-up unit, industry, the project it became.
type LeadLine = (i64, Option<i64>, String, Option<i64>);

impl Store {
    /// The projects and leads the actor may read, of `year` when given.
    pub async fn funnel_items(&self, actor: &Actor, year: Option<i32>) -> Result<FunnelItems> {
        let mut years = project_years(self, actor).await?;
        let lines = project_lines(self, actor, year).await?;
        let names: HashMap<i64, String> = sqlx::query_as("SELECT id, name FROM units")
            .fetch_all(self.pool())
            .await?
            .into_iter()
            .collect();
        let name = |id: Option<i64>| {
            id.and_then(|id| names.get(&id))
                .cloned()
                .unwrap_or_default()
        };
        let mut projects = Vec::with_capacity(lines.len());
        for line in lines {
            let stage =
                Stage::parse(&line.stage).map_err(|e| StoreError::Invalid(e.to_string()))?;
            let on = |d: Option<String>| d.as_deref().and_then(qx_core::time::parse_date);
            projects.push(FunnelProject {
                year: i32::try_from(line.year).map_err(|e| StoreError::Invalid(e.to_string()))?,
                unit: name(Some(line.unit_id)),
                town: name(line.town_id),
                industry: line.industry,
                lead_on: line.lead_at.map(qx_core::time::date_of),
                reached: [
                    on(line.signed_on),
                    on(line.registered_on),
                    on(line.started_on),
                    on(line.producing_on),
                ],
                halted: stage == Stage::Halted,
            });
        }
        let (lead_all, lead_user, lead_unit) = lead_binds(actor);
        let leads: Vec<LeadLine> = sqlx::query_as(concat!(
            "SELECT l.created_at, l.follow_unit_id, l.industry, l.project_id FROM leads l WHERE ",
            lead_scope_sql!(),
            " ORDER BY l.id DESC"
        ))
        .bind(lead_all)
        .bind(lead_user)
        .bind(lead_unit)
        .fetch_all(self.pool())
        .await?;
        let mut picked = Vec::new();
        for (at, unit_id, industry, project_id) in leads {
            let y = qx_core::time::date_of(at).year();
            years.insert(y);
            if year.is_none_or(|want| want == y) {
                picked.push((y, name(unit_id), industry, project_id));
            }
        }
        let signed = signed_lead_projects(self, actor, &picked).await?;
        Ok(FunnelItems {
            projects,
            leads: funnel_leads(picked, &signed),
            years: years.into_iter().rev().collect(),
        })
    }
}

/// Every year holding a project the actor may read.
async fn project_years(store: &Store, actor: &Actor) -> Result<BTreeSet<i32>> {
    let years: Vec<(i64,)> = scoped(
        sqlx::query_as(concat!(
            "SELECT DISTINCT p.year FROM projects p WHERE ",
            scope_sql!()
        )),
        actor,
    )
    .fetch_all(store.pool())
    .await?;
    years
        .into_iter()
        .map(|(y,)| i32::try_from(y).map_err(|e| StoreError::Invalid(e.to_string())))
        .collect()
}

/// A lead picked for the funnel: year, follow-up unit's name, industry, the project it became.
type Picked = (i32, String, String, Option<i64>);

/// Of the projects the picked leads became, those the actor may read that reached 签约 (read
/// only when a picked lead became a project).
async fn signed_lead_projects(
    store: &Store,
    actor: &Actor,
    picked: &[Picked],
) -> Result<HashSet<i64>> {
    if !picked.iter().any(|l| l.3.is_some()) {
        return Ok(HashSet::new());
    }
    let ids: Vec<(i64,)> = scoped(
        sqlx::query_as(concat!(
            "SELECT p.id FROM projects p
         JOIN project_stages s ON s.project_id = p.id AND s.stage = $4 AND s.actual_on IS NOT NULL
         WHERE p.id IN (SELECT l.project_id FROM leads l WHERE l.project_id IS NOT NULL) AND ",
            scope_sql!()
        )),
        actor,
    )
    .bind(STAGES[0].as_str())
    .fetch_all(store.pool())
    .await?;
    Ok(ids.into_iter().map(|(id,)| id).collect())
}

fn funnel_leads(picked: Vec<Picked>, signed: &HashSet<i64>) -> Vec<FunnelLead> {
    picked
        .into_iter()
        .map(|(year, unit, industry, project_id)| FunnelLead {
            year,
            unit,
            industry,
            signed: project_id.is_some_and(|p| signed.contains(&p)),
        })
        .collect()
}

/// Benchmarks and tests only (`testing::funnel_items_as_before`): the funnel's items read as
/// before migration 0037, timed beside [`Store::funnel_items`] in the same run and held equal
/// to it: each project joined to its unit's and town's names and to four stage rows for the
/// actual dates, the leads joined to their units' names.
#[cfg(any(test, feature = "testing"))]
pub(crate) async fn items_as_before(
    store: &Store,
    actor: &Actor,
    year: Option<i32>,
) -> Result<FunnelItems> {
    type Line = (
        i64,
        String,
        String,
        String,
        String,
        Option<i64>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
    );
    let mut years = project_years(store, actor).await?;
    let lines: Vec<Line> = scoped(sqlx::query_as(concat!(
        "SELECT p.year, COALESCE(u.name, ''), COALESCE(t.name, ''), p.industry, p.stage, l.created_at,
            s1.actual_on, s2.actual_on, s3.actual_on, s4.actual_on
         FROM projects p
         LEFT JOIN units u ON u.id = p.unit_id
         LEFT JOIN units t ON t.id = p.town_id
         LEFT JOIN leads l ON l.id = p.lead_id
         LEFT JOIN project_stages s1 ON s1.project_id = p.id AND s1.stage = $5
         LEFT JOIN project_stages s2 ON s2.project_id = p.id AND s2.stage = $6
         LEFT JOIN project_stages s3 ON s3.project_id = p.id AND s3.stage = $7
         LEFT JOIN project_stages s4 ON s4.project_id = p.id AND s4.stage = $8
         WHERE ",
        scope_sql!(),
        " AND ($4 IS NULL OR p.year = $4) ORDER BY p.id"
    )), actor)
    .bind(year.map(i64::from))
    .bind(STAGES[0].as_str())
    .bind(STAGES[1].as_str())
    .bind(STAGES[2].as_str())
    .bind(STAGES[3].as_str())
    .fetch_all(store.pool())
    .await?;
    let mut projects = Vec::with_capacity(lines.len());
    for (y, unit_name, town, industry, stage, lead_at, a, b, c, d) in lines {
        let stage = Stage::parse(&stage).map_err(|e| StoreError::Invalid(e.to_string()))?;
        let on = |d: Option<String>| d.as_deref().and_then(qx_core::time::parse_date);
        projects.push(FunnelProject {
            year: i32::try_from(y).map_err(|e| StoreError::Invalid(e.to_string()))?,
            unit: unit_name,
            town,
            industry,
            lead_on: lead_at.map(qx_core::time::date_of),
            reached: [on(a), on(b), on(c), on(d)],
            halted: stage == Stage::Halted,
        });
    }
    let (lead_all, lead_user, lead_unit) = lead_binds(actor);
    let leads: Vec<(i64, String, String, Option<i64>)> = sqlx::query_as(concat!(
        "SELECT l.created_at, COALESCE(u.name, ''), l.industry, l.project_id
         FROM leads l LEFT JOIN units u ON u.id = l.follow_unit_id WHERE ",
        lead_scope_sql!(),
        " ORDER BY l.id DESC"
    ))
    .bind(lead_all)
    .bind(lead_user)
    .bind(lead_unit)
    .fetch_all(store.pool())
    .await?;
    let mut picked = Vec::new();
    for (at, unit_name, industry, project_id) in leads {
        let y = qx_core::time::date_of(at).year();
        years.insert(y);
        if year.is_none_or(|want| want == y) {
            picked.push((y, unit_name, industry, project_id));
        }
    }
    let signed = signed_lead_projects(store, actor, &picked).await?;
    Ok(FunnelItems {
        projects,
        leads: funnel_leads(picked, &signed),
        years: years.into_iter().rev().collect(),
    })
}
