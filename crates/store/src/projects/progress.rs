//! The projects of a year as they stood at the end of a reporting period, for the bulletin's
//! 重大项目推进情况: each project's stage by the stages' actual dates up to that day, its year's
//! investment plan and what its approved monthly 调度 add up to by that month, and the next
//! stage's planned date. A bulletin reads the same whenever it is built.

use super::*;
use qx_core::period::Period;
use qx_core::project::PIPELINE;
use std::collections::HashMap;

/// A project at a period's end.
#[derive(Debug, Clone, Serialize)]
pub struct ProjectProgress {
    pub id: i64,
    pub name: String,
    pub unit_name: String,
    pub major: bool,
    /// The stage reached by the day (在谈 before any move; 中止 once halted by then).
    pub stage: Stage,
    /// The day that stage was reached (`None` for 在谈: the project's entry is not dated).
    pub since: Option<Date>,
    pub annual_plan_wan: Option<f64>,
    /// The year's approved monthly 调度 up to the period's last month (the figure typed with the
    /// project when none is approved yet).
    pub completed_wan: Option<f64>,
    /// The earliest planned date of a stage not reached by the day.
    pub next_planned: Option<Date>,
}

type Line = (i64, String, String, f64, Option<f64>, Option<f64>);
/// A project on the day: the latest stage reached with its date, the day it was halted, and the
/// earliest planned date of a stage not reached.
type AsOf = (Option<(Stage, Date)>, Option<Date>, Option<Date>);

impl Store {
    /// 本年已完成投资 of every project of `period`'s year as of the period's last month, by
    /// project: the sum of its approved monthly 调度 from January up to that month (one grouped
    /// query), or the figure typed with the project while no month up to then is approved. The
    /// one rule the bulletin's 重大项目推进情况 and 考核评价's 投资完成率 read. Not scoped: a
    /// county-wide aggregate for the office's documents and pictures, for projects the
    /// callers already hold.
    pub async fn project_completed_as_of(
        &self,
        period: &Period,
    ) -> Result<HashMap<i64, Option<f64>>> {
        let year = period.year();
        let sql = concat!(
            "SELECT p.id, COALESCE(t.done, p.completed_wan) FROM projects p
             LEFT JOIN (SELECT d.project_id, SUM(d.invested_wan) AS done FROM project_dispatches d
                 JOIN report_periods rp ON rp.id = d.period_id
                 WHERE rp.period >= $2 AND rp.period <= $3 AND ",
            dispatch_approved!(),
            " GROUP BY d.project_id) t ON t.project_id = p.id
             WHERE p.year = $1"
        );
        let rows: Vec<(i64, Option<f64>)> = sqlx::query_as(sql)
            .bind(i64::from(year))
            .bind(format!("{year:04}-01"))
            .bind(format!("{year:04}-{:02}", period.end_month()))
            .fetch_all(self.pool())
            .await?;
        Ok(rows.into_iter().collect())
    }

    /// The reader's projects of `year` as they stood on `day`, the last day of `period`.
    pub async fn project_progress_as_of(
        &self,
        actor: &Actor,
        year: i32,
        period: &Period,
        day: Date,
    ) -> Result<Vec<ProjectProgress>> {
        let sql = concat!(
            "SELECT p.id, p.name, COALESCE((SELECT u.name FROM units u WHERE u.id = p.unit_id), ''),
                p.total_investment_wan, p.annual_plan_wan, p.completed_wan
             FROM projects p WHERE ",
            scope_sql!(),
            " AND p.year = $4 ORDER BY p.total_investment_wan DESC, p.id"
        );
        let lines: Vec<Line> = scoped(sqlx::query_as(sql), actor)
            .bind(i64::from(year))
            .fetch_all(self.pool())
            .await?;
        let done = self.project_completed_as_of(period).await?;
        let stage_sql = concat!(
            "SELECT s.project_id, s.stage, s.planned_on, s.actual_on FROM project_stages s
             JOIN projects p ON p.id = s.project_id WHERE ",
            scope_sql!(),
            " AND p.year = $4"
        );
        let stages: Vec<(i64, String, Option<String>, Option<String>)> =
            scoped(sqlx::query_as(stage_sql), actor)
                .bind(i64::from(year))
                .fetch_all(self.pool())
                .await?;
        // Per project: (the latest stage reached by the day with its date, halted by the day,
        // the earliest planned date of a stage not reached by the day).
        let mut by_project: HashMap<i64, AsOf> = HashMap::new();
        for (id, code, planned, actual) in stages {
            let stage = Stage::parse(&code).map_err(|e| StoreError::Invalid(e.to_string()))?;
            let actual = actual
                .as_deref()
                .and_then(qx_core::time::parse_date)
                .filter(|d| *d <= day);
            let entry = by_project.entry(id).or_default();
            match (stage, actual) {
                (Stage::Halted, Some(on)) => entry.1 = Some(on),
                (Stage::Halted, None) => {}
                (_, Some(on)) => {
                    if entry.0.is_none_or(|(s, _)| s.rank() < stage.rank()) {
                        entry.0 = Some((stage, on));
                    }
                }
                (_, None) => {
                    let planned = planned.as_deref().and_then(qx_core::time::parse_date);
                    if let Some(p) = planned {
                        entry.2 = Some(entry.2.map_or(p, |q: Date| q.min(p)));
                    }
                }
            }
        }
        Ok(lines
            .into_iter()
            .map(|(id, name, unit_name, total, plan, completed)| {
                let (reached, halted, next) = by_project.get(&id).copied().unwrap_or_default();
                let (stage, since) = match (halted, reached) {
                    (Some(on), _) => (Stage::Halted, Some(on)),
                    (None, Some((s, on))) => (s, Some(on)),
                    (None, None) => (PIPELINE[0], None),
                };
                ProjectProgress {
                    id,
                    name,
                    unit_name,
                    major: qx_core::project::is_major(total),
                    stage,
                    since,
                    annual_plan_wan: plan,
                    completed_wan: done.get(&id).copied().unwrap_or(completed),
                    next_planned: next.filter(|_| !stage.is_final()),
                }
            })
            .collect())
    }
}
