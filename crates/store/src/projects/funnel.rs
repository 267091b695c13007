//! The 招商 funnel's items within the reader's scope (the list's scope for projects, the leads
//! page's for leads), for [`qx_core::project::funnel`] to count.

use super::*;
use qx_core::project::funnel::{FunnelLead, FunnelProject, STAGES};
use std::collections::HashMap;

/// What the funnel is computed from.
#[derive(Debug, Clone, Default)]
pub struct FunnelItems {
    pub projects: Vec<FunnelProject>,
    pub leads: Vec<FunnelLead>,
    /// Every year holding a project or a lead, newest first (for the year filter).
    pub years: Vec<i32>,
}

type ProjectLine = (i64, i64, String, String, String, String, Option<i64>);

impl Store {
    /// The projects and leads the actor may read, of `year` when given.
    pub async fn funnel_items(&self, actor: &Actor, year: Option<i32>) -> Result<FunnelItems> {
        let (all, unit, enterprise) = scope_binds(actor);
        let sql = concat!(
            "SELECT p.id, p.year, COALESCE((SELECT u.name FROM units u WHERE u.id = p.unit_id), ''),
                COALESCE((SELECT u.name FROM units u WHERE u.id = p.town_id), ''), p.industry, p.stage,
                (SELECT l.created_at FROM leads l WHERE l.id = p.lead_id)
             FROM projects p WHERE ",
            scope_sql!()
        );
        let lines: Vec<ProjectLine> = sqlx::query_as(sql)
            .bind(all)
            .bind(unit)
            .bind(enterprise)
            .fetch_all(self.pool())
            .await?;
        let stage_sql = concat!(
            "SELECT s.project_id, s.stage, s.actual_on FROM project_stages s
             JOIN projects p ON p.id = s.project_id
             WHERE s.actual_on IS NOT NULL AND ",
            scope_sql!()
        );
        let stages: Vec<(i64, String, String)> = sqlx::query_as(stage_sql)
            .bind(all)
            .bind(unit)
            .bind(enterprise)
            .fetch_all(self.pool())
            .await?;
        let mut reached: HashMap<i64, [Option<Date>; 4]> = HashMap::new();
        for (id, code, on) in stages {
            let stage = Stage::parse(&code).map_err(|e| StoreError::Invalid(e.to_string()))?;
            if let Some(n) = STAGES.iter().position(|s| *s == stage) {
                reached.entry(id).or_default()[n] = qx_core::time::parse_date(&on);
            }
        }
        let mut years = std::collections::BTreeSet::new();
        let mut projects = Vec::new();
        let mut signed_projects = std::collections::HashSet::new();
        for (id, y, unit_name, town, industry, stage, lead_at) in lines {
            let y = i32::try_from(y).map_err(|e| StoreError::Invalid(e.to_string()))?;
            let stage = Stage::parse(&stage).map_err(|e| StoreError::Invalid(e.to_string()))?;
            let dates = reached.get(&id).copied().unwrap_or_default();
            if dates[0].is_some() {
                signed_projects.insert(id);
            }
            years.insert(y);
            if year.is_some_and(|want| want != y) {
                continue;
            }
            projects.push(FunnelProject {
                year: y,
                unit: unit_name,
                town,
                industry,
                lead_on: lead_at.map(qx_core::time::date_of),
                reached: dates,
                halted: stage == Stage::Halted,
            });
        }
        let mut out_leads = Vec::new();
        for lead in self.list_leads(actor, None).await? {
            let y = qx_core::time::date_of(lead.created_at).year();
            years.insert(y);
            if year.is_some_and(|want| want != y) {
                continue;
            }
            out_leads.push(FunnelLead {
                year: y,
                unit: lead.follow_unit_name,
                industry: lead.industry,
                signed: lead
                    .project_id
                    .is_some_and(|p| signed_projects.contains(&p)),
            });
        }
        Ok(FunnelItems {
            projects,
            leads: out_leads,
            years: years.into_iter().rev().collect(),
        })
    }
}
