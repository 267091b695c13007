//! The 重大项目库 list: the reader's projects filtered, each with its light and funnel alert,
//! and the counts by stage of the same selection.

use super::*;
use qx_core::monitor::Light;
use qx_core::project::{FunnelAlert, MAJOR_THRESHOLD_WAN, ProjectLight, funnel_alert};
use std::collections::HashMap;

/// List filters; `None` (or false) switches a filter off.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ProjectFilter {
    pub year: Option<i32>,
    pub stage: Option<Stage>,
    /// The responsible unit.
    pub unit_id: Option<i64>,
    pub town_id: Option<i64>,
    /// 亿元以上 only.
    pub major: bool,
    pub light: Option<Light>,
    /// The 包干 leader.
    pub leader_user_id: Option<i64>,
    /// Only projects raising a funnel alert.
    pub alerted: bool,
    /// A substring of the name or the investor.
    pub q: Option<String>,
}

/// A line of the list.
#[derive(Debug, Clone, Serialize)]
pub struct ProjectRow {
    pub project: Project,
    pub light: ProjectLight,
    pub alert: Option<FunnelAlert>,
}

/// The list and the counts by stage of the selection before its stage filter.
#[derive(Debug, Clone, Serialize)]
pub struct ProjectList {
    pub rows: Vec<ProjectRow>,
    /// How many projects the filters select (`rows` is all of them, or one page of them).
    pub total: usize,
    /// Every stage (中止 last) with its count.
    pub by_stage: Vec<(Stage, usize)>,
    /// Every funnel alert with its count.
    pub alerts: Vec<(FunnelAlert, usize)>,
}

/// The list's column filters over `projects p`, after [`scope_sql!`]: binds `$4` year, `$5`
/// unit, `$6` town, `$7` 亿元以上 (1 or 0) with `$8` its threshold, `$9` leader, `$10` text.
macro_rules! list_filter_sql {
    () => {
        " AND ($4 IS NULL OR p.year = $4) AND ($5 IS NULL OR p.unit_id = $5) AND ($6 IS NULL OR p.town_id = $6)
          AND ($7 = 0 OR p.total_investment_wan >= $8) AND ($9 IS NULL OR p.leader_user_id = $9)
          AND ($10 IS NULL OR instr(p.name, $10) > 0 OR instr(p.investor, $10) > 0)"
    };
}

/// The earliest planned date of a stage not reached yet: what a stage is overdue against.
type ListRow = (i64, Option<String>);

impl Store {
    /// The reader's projects under `filter`, newest first by year, then by investment.
    pub async fn list_projects(
        &self,
        actor: &Actor,
        filter: &ProjectFilter,
    ) -> Result<ProjectList> {
        let (all, unit, enterprise) = scope_binds(actor);
        let sql = concat!(
            project_select!(),
            "WHERE ",
            scope_sql!(),
            list_filter_sql!(),
            " ORDER BY p.year DESC, p.total_investment_wan DESC, p.id"
        );
        let q = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty());
        let projects: Vec<Project> = sqlx::query_as(sql)
            .bind(all)
            .bind(unit)
            .bind(enterprise)
            .bind(filter.year.map(i64::from))
            .bind(filter.unit_id)
            .bind(filter.town_id)
            .bind(i64::from(filter.major))
            .bind(MAJOR_THRESHOLD_WAN)
            .bind(filter.leader_user_id)
            .bind(q)
            .fetch_all(self.pool())
            .await?;
        let pending: Vec<ListRow> = sqlx::query_as(
            "SELECT s.project_id, MIN(s.planned_on) FROM project_stages s
             WHERE s.actual_on IS NULL AND s.planned_on IS NOT NULL GROUP BY s.project_id",
        )
        .fetch_all(self.pool())
        .await?;
        let pending: HashMap<i64, Option<String>> = pending.into_iter().collect();
        let days = self.project_alert_days().await?;
        let today = qx_core::time::today();
        let mut by_stage: Vec<(Stage, usize)> = Stage::ALL.iter().map(|s| (*s, 0)).collect();
        let mut alerts: Vec<(FunnelAlert, usize)> =
            FunnelAlert::ALL.iter().map(|a| (*a, 0)).collect();
        let mut rows = Vec::new();
        for project in projects {
            let planned = pending.get(&project.id).cloned().flatten();
            let (light, alert) = judge(&project, planned.as_deref(), today, &days);
            if filter.light.is_some_and(|l| l != light.light) || (filter.alerted && alert.is_none())
            {
                continue;
            }
            if let Some(c) = by_stage.iter_mut().find(|(s, _)| *s == project.stage) {
                c.1 += 1;
            }
            if let Some(c) = alerts.iter_mut().find(|(a, _)| Some(*a) == alert) {
                c.1 += 1;
            }
            if filter.stage.is_some_and(|s| s != project.stage) {
                continue;
            }
            rows.push(ProjectRow {
                project,
                light,
                alert,
            });
        }
        Ok(ProjectList {
            total: rows.len(),
            rows,
            by_stage,
            alerts,
        })
    }

    /// One page of [`Store::list_projects`]: the rows `offset..offset + limit` of the same
    /// list in the same order, with the same counts and `total` the whole selection's size.
    ///
    /// Judging a project's light needs its 本年已完成投资 (the year's approved 调度 summed), the
    /// dear part at county scale; everything else the filters and counts need is a column. So a
    /// lean pass reads every selected project's few columns with its next planned stage (one
    /// grouped join), judges the funnel alerts there, sums the approved 调度 of every selected
    /// project only when the light filter asks for every light (one grouped query, not one per
    /// row), and reads the shown rows in full afterwards. The rule is the list's own
    /// ([`judge`]); the rows are those `list_projects` would return at those places.
    pub async fn list_projects_page(
        &self,
        actor: &Actor,
        filter: &ProjectFilter,
        offset: usize,
        limit: usize,
    ) -> Result<ProjectList> {
        let (all, unit, enterprise) = scope_binds(actor);
        let q = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty());
        let lean_sql = concat!(
            "SELECT p.id, p.year, p.annual_plan_wan, p.completed_wan, p.stage, p.stage_since,
                n.next_planned
             FROM projects p
             LEFT JOIN (SELECT s.project_id, MIN(s.planned_on) AS next_planned FROM project_stages s
                 WHERE s.actual_on IS NULL AND s.planned_on IS NOT NULL GROUP BY s.project_id) n
               ON n.project_id = p.id
             WHERE ",
            scope_sql!(),
            list_filter_sql!(),
            " ORDER BY p.year DESC, p.total_investment_wan DESC, p.id"
        );
        let lean: Vec<LeanRow> = sqlx::query_as(lean_sql)
            .bind(all)
            .bind(unit)
            .bind(enterprise)
            .bind(filter.year.map(i64::from))
            .bind(filter.unit_id)
            .bind(filter.town_id)
            .bind(i64::from(filter.major))
            .bind(MAJOR_THRESHOLD_WAN)
            .bind(filter.leader_user_id)
            .bind(q)
            .fetch_all(self.pool())
            .await?;
        // 本年已完成投资 of every selected project, when the light filter needs every light.
        let done: HashMap<i64, Option<f64>> = if filter.light.is_some() {
            let sql = concat!(
                "SELECT d.project_id, SUM(d.invested_wan) FROM project_dispatches d
                 JOIN projects p ON p.id = d.project_id
                 JOIN report_periods rp ON rp.id = d.period_id
                 WHERE substr(rp.period, 1, 4) = CAST(p.year AS TEXT) AND ",
                dispatch_approved!(),
                " AND ",
                scope_sql!(),
                list_filter_sql!(),
                " GROUP BY d.project_id"
            );
            let sums: Vec<(i64, Option<f64>)> = sqlx::query_as(sql)
                .bind(all)
                .bind(unit)
                .bind(enterprise)
                .bind(filter.year.map(i64::from))
                .bind(filter.unit_id)
                .bind(filter.town_id)
                .bind(i64::from(filter.major))
                .bind(MAJOR_THRESHOLD_WAN)
                .bind(filter.leader_user_id)
                .bind(q)
                .fetch_all(self.pool())
                .await?;
            sums.into_iter().collect()
        } else {
            HashMap::new()
        };
        let days = self.project_alert_days().await?;
        let today = qx_core::time::today();
        let mut by_stage: Vec<(Stage, usize)> = Stage::ALL.iter().map(|s| (*s, 0)).collect();
        let mut alerts: Vec<(FunnelAlert, usize)> =
            FunnelAlert::ALL.iter().map(|a| (*a, 0)).collect();
        // The selected projects in order, each with its earliest planned stage not reached.
        let mut selected: Vec<(i64, Option<String>)> = Vec::new();
        for (id, year, plan, typed, stage, since, next_planned) in lean {
            let stage = Stage::parse(&stage).map_err(|e| StoreError::Invalid(e.to_string()))?;
            let alert = qx_core::time::parse_date(&since)
                .and_then(|since| funnel_alert(stage, since, today, &days));
            if filter.alerted && alert.is_none() {
                continue;
            }
            if let Some(want) = filter.light {
                let completed = done.get(&id).copied().flatten().or(typed);
                let next = next_planned
                    .as_deref()
                    .and_then(qx_core::time::parse_date)
                    .filter(|_| !stage.is_final());
                if qx_core::project::light_on(year, completed, plan, next, today).light != want {
                    continue;
                }
            }
            if let Some(c) = by_stage.iter_mut().find(|(s, _)| *s == stage) {
                c.1 += 1;
            }
            if let Some(c) = alerts.iter_mut().find(|(a, _)| Some(*a) == alert) {
                c.1 += 1;
            }
            if filter.stage.is_some_and(|s| s != stage) {
                continue;
            }
            selected.push((id, next_planned));
        }
        let total = selected.len();
        let sql = concat!(project_select!(), "WHERE p.id = $1");
        let mut rows = Vec::with_capacity(limit.min(total));
        for (id, next_planned) in selected.into_iter().skip(offset).take(limit) {
            let project: Project = sqlx::query_as(sql).bind(id).fetch_one(self.pool()).await?;
            let (light, alert) = judge(&project, next_planned.as_deref(), today, &days);
            rows.push(ProjectRow {
                project,
                light,
                alert,
            });
        }
        Ok(ProjectList {
            rows,
            total,
            by_stage,
            alerts,
        })
    }
}

/// A project as the list's lean pass reads it: id, year, annual plan, the figure typed with
/// it, stage, stage since, and the earliest planned date of a stage not reached.
type LeanRow = (
    i64,
    i64,
    Option<f64>,
    Option<f64>,
    String,
    String,
    Option<String>,
);

/// A project's light and funnel alert on `today`; `next_planned` is the earliest planned date
/// of a stage it has not reached.
pub(super) fn judge(
    project: &Project,
    next_planned: Option<&str>,
    today: Date,
    days: &qx_core::project::AlertDays,
) -> (ProjectLight, Option<FunnelAlert>) {
    let next_planned = next_planned
        .and_then(qx_core::time::parse_date)
        .filter(|_| !project.stage.is_final());
    let light = project_light(project, next_planned, today);
    let alert = qx_core::time::parse_date(&project.stage_since)
        .and_then(|since| funnel_alert(project.stage, since, today, days));
    (light, alert)
}

impl Store {
    /// One project as a line of the list (its light and alert), for its own page.
    pub async fn project_row(&self, actor: &Actor, id: i64) -> Result<ProjectRow> {
        let project = self.get_project(actor, id).await?;
        let planned: Option<(Option<String>,)> = sqlx::query_as(
            "SELECT MIN(s.planned_on) FROM project_stages s
             WHERE s.project_id = $1 AND s.actual_on IS NULL AND s.planned_on IS NOT NULL",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        let days = self.project_alert_days().await?;
        let planned = planned.and_then(|(d,)| d);
        let (light, alert) = judge(&project, planned.as_deref(), qx_core::time::today(), &days);
        Ok(ProjectRow {
            project,
            light,
            alert,
        })
    }
}

/// A project's light on `today`: [`qx_core::project::light_on`], the one rule (its year's
/// investment against 序时进度 at [`qx_core::project::judged_period`], and its next stage's date).
pub fn project_light(project: &Project, next_planned: Option<Date>, today: Date) -> ProjectLight {
    qx_core::project::light_on(
        project.year,
        project.completed_wan,
        project.annual_plan_wan,
        next_planned,
        today,
    )
}
