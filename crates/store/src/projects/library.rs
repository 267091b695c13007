//! The 重大项目库 as a whole, in and out of Excel: every project the reader sees with its
//! stages' dates (the export), and an imported list written in one transaction, each row
//! matched to an existing project by name and town (updated) or entered at 在谈.

use super::write::{insert_projects, update_projects};
use super::*;
use crate::audit::AuditEntry;
use crate::enterprises::ImportSummary;
use std::collections::{HashMap, HashSet};

/// A project with its stages' planned and actual dates, in `PIPELINE` order.
#[derive(Debug, Clone, Serialize)]
pub struct LibraryRow {
    pub project: Project,
    pub planned: [Option<String>; 5],
    pub actual: [Option<String>; 5],
}

type StageDates = (i64, String, Option<String>, Option<String>);

/// A project's planned and actual dates by stage.
type Dates = ([Option<String>; 5], [Option<String>; 5]);

impl Store {
    /// Every project the actor may read, oldest entered first, with its stages' dates.
    pub async fn project_library(&self, actor: &Actor) -> Result<Vec<LibraryRow>> {
        let sql = concat!(project_select!(), "WHERE ", scope_sql!(), " ORDER BY p.id");
        let projects: Vec<Project> = scoped(sqlx::query_as(sql), actor)
            .fetch_all(self.pool())
            .await?;
        let sql = concat!(
            "SELECT s.project_id, s.stage, s.planned_on, s.actual_on FROM project_stages s
             JOIN projects p ON p.id = s.project_id WHERE ",
            scope_sql!()
        );
        let stages: Vec<StageDates> = scoped(sqlx::query_as(sql), actor)
            .fetch_all(self.pool())
            .await?;
        let mut dates: HashMap<i64, Dates> = HashMap::new();
        for (id, code, planned, actual) in stages {
            let Some(rank) = Stage::parse(&code).ok().and_then(Stage::rank) else {
                continue;
            };
            let entry = dates.entry(id).or_default();
            entry.0[rank] = planned;
            entry.1[rank] = actual;
        }
        Ok(projects
            .into_iter()
            .map(|project| {
                let (planned, actual) = dates.remove(&project.id).unwrap_or_default();
                LibraryRow {
                    project,
                    planned,
                    actual,
                }
            })
            .collect())
    }

    /// Writes an imported project list (office only) in one transaction: a row whose name and
    /// town match a project already entered updates it (counted as updated; one that would
    /// change nothing is not written and gets no timeline entry), any other enters a new
    /// project at 在谈 since `since`. Nothing is written when any row fails.
    pub async fn import_projects(
        &self,
        actor: &Actor,
        source: &str,
        rows: &[ProjectInput],
        since: Date,
    ) -> Result<ImportSummary> {
        crate::office_only(actor, "导入重大项目库")?;
        let mut seen = HashSet::with_capacity(rows.len());
        if let Some(dup) = rows
            .iter()
            .find(|r| !seen.insert((r.name.trim(), r.town_id)))
        {
            return Err(StoreError::Invalid(format!(
                "项目「{}」在导入数据中重复 (the same project twice)",
                dup.name.trim()
            )));
        }
        let existing: Vec<(i64, String, Option<i64>)> =
            sqlx::query_as("SELECT id, name, town_id FROM projects")
                .fetch_all(self.pool())
                .await?;
        let by_key: HashMap<(String, Option<i64>), i64> = existing
            .into_iter()
            .map(|(id, name, town)| ((name, town), id))
            .collect();
        let mut tx = self.begin().await?;
        let mut summary = ImportSummary::default();
        // Matched rows are checked in order and the changed ones written together, then the new
        // ones are entered together (`insert_projects` checks them all, in order, before
        // writing any): both in multi-row statements.
        let mut matched = Vec::new();
        let mut new = Vec::new();
        for row in rows {
            match by_key.get(&(row.name.trim().to_string(), row.town_id)) {
                Some(&id) => matched.push((id, row)),
                None => new.push((row, None)),
            }
        }
        update_projects(&mut tx, actor, &matched).await?;
        summary.updated = matched.len();
        summary.created = insert_projects(&mut tx, actor, &new, since).await?.len();
        crate::commit_audited(
            tx,
            AuditEntry::new(actor, "project.import", "project", source).after(&summary),
        )
        .await?;
        Ok(summary)
    }
}
