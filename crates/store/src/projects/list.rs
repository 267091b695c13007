//! The 重大项目库 list: the reader's projects filtered, each with its light and funnel alert,
//! and the counts by stage of the same selection.

use super::*;
use qx_core::monitor::Light;
use qx_core::project::{FunnelAlert, Judging, MAJOR_THRESHOLD_WAN, ProjectLight, funnel_alert};
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

/// A project and the earliest planned date of a stage it has not reached (stored on the row,
/// `projects.next_planned_on`, migration 0036): what a stage is overdue against.
type ListRow = (i64, Option<String>);

/// The ten parameters of [`scope_sql!`] and [`list_filter_sql!`] (`$1`–`$10`) for a reader and
/// a filter, bound in that order by [`bind_list!`]: every statement of the list binds the same.
struct ListBinds {
    scope: (i64, i64, i64),
    year: Option<i64>,
    unit_id: Option<i64>,
    town_id: Option<i64>,
    major: i64,
    leader_user_id: Option<i64>,
    q: Option<String>,
}

impl ListBinds {
    fn new(actor: &Actor, filter: &ProjectFilter) -> Self {
        ListBinds {
            scope: scope_binds(actor),
            year: filter.year.map(i64::from),
            unit_id: filter.unit_id,
            town_id: filter.town_id,
            major: i64::from(filter.major),
            leader_user_id: filter.leader_user_id,
            q: filter
                .q
                .as_deref()
                .map(str::trim)
                .filter(|q| !q.is_empty())
                .map(str::to_string),
        }
    }
}

/// Binds a [`ListBinds`] as `$1`–`$10` of a query.
macro_rules! bind_list {
    ($query:expr, $b:expr) => {
        $query
            .bind($b.scope.0)
            .bind($b.scope.1)
            .bind($b.scope.2)
            .bind($b.year)
            .bind($b.unit_id)
            .bind($b.town_id)
            .bind($b.major)
            .bind(MAJOR_THRESHOLD_WAN)
            .bind($b.leader_user_id)
            .bind($b.q.as_deref())
    };
}

/// The full rows of `ids` (any order), on either engine: the ids travel as one JSON array.
async fn projects_by_id(store: &Store, ids: &[i64]) -> Result<HashMap<i64, Project>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = match store.engine() {
        crate::Engine::Sqlite => concat!(
            project_select!(),
            "WHERE p.id IN (SELECT value FROM json_each($1))"
        ),
        crate::Engine::Postgres => concat!(
            project_select!(),
            "WHERE p.id IN (SELECT CAST(x AS BIGINT) FROM json_array_elements_text(CAST($1 AS JSON)) AS t(x))"
        ),
    };
    let ids = serde_json::to_string(ids).map_err(|e| StoreError::Invalid(e.to_string()))?;
    let rows: Vec<Project> = sqlx::query_as(sql)
        .bind(ids)
        .fetch_all(store.pool())
        .await?;
    Ok(rows.into_iter().map(|p| (p.id, p)).collect())
}

impl Store {
    /// The reader's projects under `filter`, newest first by year, then by investment.
    pub async fn list_projects(
        &self,
        actor: &Actor,
        filter: &ProjectFilter,
    ) -> Result<ProjectList> {
        let sql = concat!(
            project_select!(),
            "WHERE ",
            scope_sql!(),
            list_filter_sql!(),
            " ORDER BY p.year DESC, p.total_investment_wan DESC, p.id"
        );
        let binds = ListBinds::new(actor, filter);
        let projects: Vec<Project> = bind_list!(sqlx::query_as(sql), binds)
            .fetch_all(self.pool())
            .await?;
        let pending: Vec<ListRow> = sqlx::query_as(
            "SELECT id, next_planned_on FROM projects WHERE next_planned_on IS NOT NULL",
        )
        .fetch_all(self.pool())
        .await?;
        let pending: HashMap<i64, Option<String>> = pending.into_iter().collect();
        let judging = self.project_judging().await?;
        let today = qx_core::time::today();
        let mut by_stage: Vec<(Stage, usize)> = Stage::ALL.iter().map(|s| (*s, 0)).collect();
        let mut alerts: Vec<(FunnelAlert, usize)> =
            FunnelAlert::ALL.iter().map(|a| (*a, 0)).collect();
        let mut rows = Vec::new();
        for project in projects {
            let planned = pending.get(&project.id).cloned().flatten();
            let (light, alert) = judge(&project, planned.as_deref(), today, &judging);
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
    /// One lean query reads every selected project's few columns: its 本年已完成投资 (the stored
    /// year total, `project_year_done`, else the figure typed with it) and the date of its next
    /// planned stage (stored on the row, `next_planned_on`). The funnel alerts and, when the light filter asks, the lights
    /// are judged from it in Rust by the one rule ([`qx_core::project::light_on`]); then one
    /// query reads the shown rows in full. The rows are those `list_projects` would return at
    /// those places.
    pub async fn list_projects_page(
        &self,
        actor: &Actor,
        filter: &ProjectFilter,
        offset: usize,
        limit: usize,
    ) -> Result<ProjectList> {
        let lean_sql = concat!(
            "SELECT p.id, p.year, p.annual_plan_wan, COALESCE(t.invested_wan, p.completed_wan),
                p.stage, p.stage_since, p.next_planned_on
             FROM projects p
             LEFT JOIN project_year_done t ON t.project_id = p.id AND t.year = p.year
             WHERE ",
            scope_sql!(),
            list_filter_sql!(),
            " ORDER BY p.year DESC, p.total_investment_wan DESC, p.id"
        );
        let binds = ListBinds::new(actor, filter);
        let lean: Vec<LeanRow> = bind_list!(sqlx::query_as(lean_sql), binds)
            .fetch_all(self.pool())
            .await?;
        let judging = self.project_judging().await?;
        let today = qx_core::time::today();
        let mut by_stage: Vec<(Stage, usize)> = Stage::ALL.iter().map(|s| (*s, 0)).collect();
        let mut alerts: Vec<(FunnelAlert, usize)> =
            FunnelAlert::ALL.iter().map(|a| (*a, 0)).collect();
        // The selected projects in order, each with its earliest planned stage not reached.
        let mut selected: Vec<(i64, Option<String>)> = Vec::new();
        for (id, year, plan, completed, stage, since, next_planned) in lean {
            let stage = Stage::parse(&stage).map_err(|e| StoreError::Invalid(e.to_string()))?;
            let (light, alert) = judge_facts(
                &Facts {
                    year,
                    completed_wan: completed,
                    annual_plan_wan: plan,
                    stage,
                    stage_since: &since,
                    next_planned: next_planned.as_deref(),
                },
                today,
                &judging,
            );
            if filter.alerted && alert.is_none() {
                continue;
            }
            if filter.light.is_some_and(|want| want != light.light) {
                continue;
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
        let shown: Vec<(i64, Option<String>)> =
            selected.into_iter().skip(offset).take(limit).collect();
        let ids: Vec<i64> = shown.iter().map(|(id, _)| *id).collect();
        let mut full = projects_by_id(self, &ids).await?;
        let mut rows = Vec::with_capacity(shown.len());
        for (id, next_planned) in shown {
            let project = full
                .remove(&id)
                .ok_or_else(|| StoreError::NotFound(format!("重大项目 {id}")))?;
            let (light, alert) = judge(&project, next_planned.as_deref(), today, &judging);
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

/// A project as the list's lean pass reads it: id, year, annual plan, 本年已完成投资, stage,
/// stage since, and the earliest planned date of a stage not reached.
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
    judging: &Judging,
) -> (ProjectLight, Option<FunnelAlert>) {
    judge_facts(
        &Facts {
            year: project.year,
            completed_wan: project.completed_wan,
            annual_plan_wan: project.annual_plan_wan,
            stage: project.stage,
            stage_since: &project.stage_since,
            next_planned,
        },
        today,
        judging,
    )
}

/// What a project's light and funnel alert are judged from (lean readers hold only these).
pub(super) struct Facts<'a> {
    pub year: i64,
    /// 本年已完成投资.
    pub completed_wan: Option<f64>,
    pub annual_plan_wan: Option<f64>,
    pub stage: Stage,
    pub stage_since: &'a str,
    /// The earliest planned date of a stage not reached.
    pub next_planned: Option<&'a str>,
}

/// [`judge`] from the facts alone: the light by [`qx_core::project::light_on`] at the office's
/// thresholds (a final stage has no next stage to be late for) and the funnel alert by its days.
pub(super) fn judge_facts(
    f: &Facts<'_>,
    today: Date,
    judging: &Judging,
) -> (ProjectLight, Option<FunnelAlert>) {
    let next_planned = f
        .next_planned
        .and_then(qx_core::time::parse_date)
        .filter(|_| !f.stage.is_final());
    let light = qx_core::project::light_on(
        f.year,
        f.completed_wan,
        f.annual_plan_wan,
        next_planned,
        today,
        judging.thresholds,
    );
    let alert = qx_core::time::parse_date(f.stage_since)
        .and_then(|since| funnel_alert(f.stage, since, today, &judging.alert_days));
    (light, alert)
}

impl Store {
    /// One project as a line of the list (its light and alert), for its own page.
    pub async fn project_row(&self, actor: &Actor, id: i64) -> Result<ProjectRow> {
        let project = self.get_project(actor, id).await?;
        let planned: Option<(Option<String>,)> =
            sqlx::query_as("SELECT next_planned_on FROM projects WHERE id = $1")
                .bind(id)
                .fetch_optional(self.pool())
                .await?;
        let judging = self.project_judging().await?;
        let planned = planned.and_then(|(d,)| d);
        let (light, alert) = judge(
            &project,
            planned.as_deref(),
            qx_core::time::today(),
            &judging,
        );
        Ok(ProjectRow {
            project,
            light,
            alert,
        })
    }
}
