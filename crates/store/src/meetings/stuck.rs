//! What is stuck, read lean for the agenda at county scale: one set-based query per kind,
//! only the columns the agenda shows, the most urgent `cap` of each kind and the count of the
//! rest. The 重大项目库 list (`list_projects`) reads every project with all its columns and
//! four correlated subqueries a row; the agenda needs neither.

use super::*;
use qx_core::label::{Labelled, Lang};
use qx_core::monitor::Light;
use qx_core::project::{FunnelAlert, ProjectLight, Stage, funnel_alert};
use std::collections::HashSet;

/// How many proposals of each kind the agenda shows; the rest are counted.
pub const AGENDA_CAP: usize = 20;

/// The proposals of each kind, most urgent first and capped, and how many more there are.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Proposals {
    pub items: Vec<agenda::Proposal>,
    /// Per kind, the stuck items not shown (only kinds with some).
    pub more: Vec<(AgendaSource, usize)>,
}

impl Proposals {
    /// Adds `found` (most urgent first) of `kind`: up to `cap` not yet `taken`, the rest
    /// counted. `total` is how many there are in all, `found` included.
    pub fn take(
        &mut self,
        kind: AgendaSource,
        found: Vec<agenda::Proposal>,
        total: usize,
        cap: usize,
        taken: &HashSet<(AgendaSource, i64)>,
    ) {
        let before = found.len();
        let fresh: Vec<_> = found
            .into_iter()
            .filter(|p| p.source_id.is_none_or(|id| !taken.contains(&(kind, id))))
            .collect();
        let already = before - fresh.len();
        let shown = fresh.len().min(cap);
        self.items.extend(fresh.into_iter().take(shown));
        let rest = total.saturating_sub(already + shown);
        if rest > 0 {
            self.more.push((kind, rest));
        }
    }
}

/// What the light and the alert of a project are judged on: id, year, annual plan, completed
/// this year, stage, stage since, the earliest planned date of a stage not reached.
type Judged = (
    i64,
    i64,
    Option<f64>,
    Option<f64>,
    String,
    String,
    Option<String>,
);

type ProblemLine = (i64, String, String, Option<i64>, Option<String>);

impl Store {
    /// The store's proposals for an agenda (office and leaders): problems escalated to the 例会
    /// tier and open (oldest first), projects under way with a red light or a funnel alert
    /// (overdue and furthest behind first), 督办 items not yet 销号 (earliest deadline first);
    /// `cap` of each kind not in `taken`, the rest counted.
    pub async fn agenda_candidates(
        &self,
        actor: &Actor,
        cap: usize,
        taken: &HashSet<(AgendaSource, i64)>,
    ) -> Result<Proposals> {
        if !actor.reads_all() {
            return Err(StoreError::Forbidden("例会议程仅办公室和领导可见".into()));
        }
        let mut out = Proposals::default();
        let limit = |kind: AgendaSource| {
            i64::try_from(cap + taken.iter().filter(|(k, _)| *k == kind).count())
                .unwrap_or(i64::MAX)
        };

        let (total,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM problems p
             WHERE p.tier = 'meeting' AND p.status NOT IN ('closed', 'withdrawn')",
        )
        .fetch_one(self.pool())
        .await?;
        let rows: Vec<ProblemLine> = sqlx::query_as(
            "SELECT p.id, e.name, p.title, p.lead_unit_id, u.name FROM problems p
             JOIN enterprises e ON e.id = p.enterprise_id LEFT JOIN units u ON u.id = p.lead_unit_id
             WHERE p.tier = 'meeting' AND p.status NOT IN ('closed', 'withdrawn')
             ORDER BY p.submitted_on, p.id LIMIT $1",
        )
        .bind(limit(AgendaSource::Problem))
        .fetch_all(self.pool())
        .await?;
        let found = rows
            .into_iter()
            .map(|(id, ent, title, unit, name)| agenda::Proposal {
                source: AgendaSource::Problem,
                source_id: Some(id),
                text: format!("{ent}: {title}"),
                unit_id: unit,
                unit_name: name,
            })
            .collect();
        out.take(AgendaSource::Problem, found, count(total), cap, taken);

        let (found, total) = self
            .stuck_project_lines(limit(AgendaSource::Project))
            .await?;
        out.take(AgendaSource::Project, found, total, cap, taken);

        let (total,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM supervision_items WHERE status <> $1")
                .bind(SupervisionStatus::Closed.as_str())
                .fetch_one(self.pool())
                .await?;
        let rows: Vec<ProblemLine> = sqlx::query_as(
            "SELECT s.id, m.held_on, r.text, s.lead_unit_id, u.name FROM supervision_items s
             JOIN resolutions r ON r.id = s.resolution_id JOIN meetings m ON m.id = r.meeting_id
             JOIN units u ON u.id = s.lead_unit_id
             WHERE s.status <> $1 ORDER BY s.deadline, s.id LIMIT $2",
        )
        .bind(SupervisionStatus::Closed.as_str())
        .bind(limit(AgendaSource::Supervision))
        .fetch_all(self.pool())
        .await?;
        let found = rows
            .into_iter()
            .map(|(id, held_on, text, unit, name)| agenda::Proposal {
                source: AgendaSource::Supervision,
                source_id: Some(id),
                text: format!("{held_on} 例会议定: {text}"),
                unit_id: unit,
                unit_name: name,
            })
            .collect();
        out.take(AgendaSource::Supervision, found, count(total), cap, taken);
        Ok(out)
    }

    /// The `limit` most urgent projects under way with a red light or a funnel alert (an
    /// overdue stage first, then the least of the year's investment done, then the longest at
    /// its stage), and how many there are in all. One set-based query reads only what the rules
    /// need (the year's approved 调度 and the next planned stage aggregated once, not per row)
    /// and skips projects that cannot be stuck: no overdue stage, no investment behind its
    /// plan, not at a stage with an alert for longer than its days. The light and the alert are
    /// then judged by the projects module's rules (`qx_core::project`); the facts the agenda
    /// shows are read for the `limit` kept only.
    async fn stuck_project_lines(&self, limit: i64) -> Result<(Vec<agenda::Proposal>, usize)> {
        let days = self.project_alert_days().await?;
        let today = qx_core::time::today();
        // Each funnel alert's stage and the day before which being at it raises the alert.
        let [a, b, c] = FunnelAlert::ALL.map(|a| {
            (
                a.stage().as_str(),
                qx_core::time::format_date(today - time::Duration::days(days.days(a))),
            )
        });
        let rows: Vec<Judged> = sqlx::query_as(
            "SELECT p.id, p.year, p.annual_plan_wan, COALESCE(d.invested, p.completed_wan),
                p.stage, p.stage_since, n.next_planned
             FROM projects p
             LEFT JOIN (SELECT d.project_id, substr(rp.period, 1, 4) AS year, SUM(d.invested_wan) AS invested
                 FROM project_dispatches d JOIN report_periods rp ON rp.id = d.period_id
                 WHERE EXISTS (SELECT 1 FROM submissions s WHERE s.period_id = d.period_id
                     AND s.unit_id = d.unit_id AND s.status = 'approved')
                 GROUP BY d.project_id, substr(rp.period, 1, 4)) d
               ON d.project_id = p.id AND d.year = CAST(p.year AS TEXT)
             LEFT JOIN (SELECT project_id, MIN(planned_on) AS next_planned FROM project_stages
                 WHERE actual_on IS NULL AND planned_on IS NOT NULL GROUP BY project_id) n
               ON n.project_id = p.id
             WHERE p.stage NOT IN ($1, $2)
               AND (n.next_planned < $3
                    OR (p.annual_plan_wan > 0 AND COALESCE(d.invested, p.completed_wan, 0) < p.annual_plan_wan)
                    OR (p.stage = $4 AND p.stage_since < $5) OR (p.stage = $6 AND p.stage_since < $7)
                    OR (p.stage = $8 AND p.stage_since < $9))",
        )
        .bind(Stage::Producing.as_str())
        .bind(Stage::Halted.as_str())
        .bind(qx_core::time::format_date(today))
        .bind(a.0)
        .bind(a.1)
        .bind(b.0)
        .bind(b.1)
        .bind(c.0)
        .bind(c.1)
        .fetch_all(self.pool())
        .await?;
        let mut stuck: Vec<(ProjectLight, Option<FunnelAlert>, Stage, Judged)> = Vec::new();
        for row in rows {
            let Ok(stage) = Stage::try_from(row.4.clone()) else {
                continue;
            };
            let next_planned = row.6.as_deref().and_then(qx_core::time::parse_date);
            let light = qx_core::project::light_on(row.1, row.3, row.2, next_planned, today);
            let alert = qx_core::time::parse_date(&row.5)
                .and_then(|since| funnel_alert(stage, since, today, &days));
            if light.light == Light::Red || alert.is_some() {
                stuck.push((light, alert, stage, row));
            }
        }
        stuck.sort_by(|(a, _, _, ra), (b, _, _, rb)| {
            (!a.overdue, a.light != Light::Red)
                .cmp(&(!b.overdue, b.light != Light::Red))
                .then(
                    a.completion
                        .unwrap_or(0.0)
                        .total_cmp(&b.completion.unwrap_or(0.0)),
                )
                .then(ra.5.cmp(&rb.5))
                .then(ra.0.cmp(&rb.0))
        });
        let total = stuck.len();
        stuck.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        let mut found = Vec::new();
        for (light, alert, stage, r) in stuck {
            let (name, investment, unit_id, unit_name): (String, f64, i64, String) =
                sqlx::query_as(
                    "SELECT p.name, p.total_investment_wan, p.unit_id, COALESCE(u.name, '')
                     FROM projects p LEFT JOIN units u ON u.id = p.unit_id WHERE p.id = $1",
                )
                .bind(r.0)
                .fetch_one(self.pool())
                .await?;
            let mut facts = vec![format!(
                "总投资 {investment} 万元, 当前阶段「{}」(自 {})",
                stage.label(Lang::Zh),
                r.5
            )];
            if light.light == Light::Red {
                let completion = light
                    .completion
                    .map(|c| format!("本年投资完成 {:.1}%", c * 100.0))
                    .unwrap_or_else(|| "本年投资未报".into());
                let overdue = if light.overdue { ", 节点逾期" } else { "" };
                facts.push(format!("红灯 ({completion}{overdue})"));
            }
            if let Some(a) = alert {
                facts.push(format!("预警「{}」", a.label(Lang::Zh)));
            }
            found.push(agenda::Proposal {
                source: AgendaSource::Project,
                source_id: Some(r.0),
                text: format!("项目「{name}」: {}", facts.join("; ")),
                unit_id: Some(unit_id),
                unit_name: Some(unit_name),
            });
        }
        Ok((found, total))
    }
}

fn count(n: i64) -> usize {
    usize::try_from(n).unwrap_or(0)
}
