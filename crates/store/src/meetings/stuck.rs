//! What is stuck, read lean for the agenda at county scale: one set-based query per kind,
//! only the columns the agenda shows, the most urgent `cap` of each kind and the count of the
//! rest. The 重大项目库 list (`list_projects`) reads every project with all its columns and
//! four correlated subqueries a row; the agenda needs neither.

use super::*;
use qx_core::label::{Labelled, Lang};
use qx_core::monitor::Light;
use qx_core::project::{FunnelAlert, Stage, funnel_alert};
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
            .filter(|p| {
                p.item
                    .source_id
                    .is_none_or(|id| !taken.contains(&(kind, id)))
            })
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

/// A project line as the agenda query returns it: id, name, total investment, unit, unit name,
/// year, annual plan, completed this year, stage, stage since, the earliest planned date of a
/// stage not reached, and how many stuck projects there are in all.
type ProjectLine = (
    i64,
    String,
    f64,
    i64,
    String,
    i64,
    Option<f64>,
    Option<f64>,
    String,
    String,
    Option<String>,
    i64,
);

/// A problem or 督办 line: id, what it is about (enterprise or meeting date), title or
/// decision, lead unit, its name, and how many of its kind there are in all.
type Line = (i64, String, String, Option<i64>, Option<String>, i64);

impl Proposals {
    /// Adds `found` of `kind`, already chosen and capped by the query, out of `total`.
    fn push(&mut self, kind: AgendaSource, found: Vec<agenda::Proposal>, total: usize) {
        let rest = total.saturating_sub(found.len());
        self.items.extend(found);
        if rest > 0 {
            self.more.push((kind, rest));
        }
    }
}

impl Store {
    /// The store's proposals for an agenda (office and leaders): problems escalated to the 例会
    /// tier and open (oldest first), projects under way with a red light or a funnel alert
    /// (overdue and furthest behind first), 督办 items not yet 销号 (earliest deadline first);
    /// `cap` of each kind not already on the agenda of `meeting_id`, the rest counted. Each
    /// kind is one query that chooses, orders, counts (`COUNT(*) OVER ()`) and caps.
    pub async fn agenda_candidates(
        &self,
        actor: &Actor,
        cap: usize,
        meeting_id: Option<i64>,
    ) -> Result<Proposals> {
        if !actor.reads_all() {
            return Err(StoreError::Forbidden("例会议程仅办公室和领导可见".into()));
        }
        let mut out = Proposals::default();
        let limit = i64::try_from(cap).unwrap_or(i64::MAX);

        let (found, total) = self
            .agenda_lines(
                "SELECT p.id, e.name, p.title, p.lead_unit_id, u.name, COUNT(*) OVER () FROM problems p
                 JOIN enterprises e ON e.id = p.enterprise_id LEFT JOIN units u ON u.id = p.lead_unit_id
                 WHERE p.tier = 'meeting' AND p.status NOT IN ('closed', 'withdrawn')
                   AND NOT EXISTS (SELECT 1 FROM agenda_items a WHERE a.meeting_id = $1
                       AND a.source_kind = $2 AND a.source_id = p.id)
                 ORDER BY p.submitted_on, p.id LIMIT $3",
                AgendaSource::Problem,
                meeting_id,
                limit,
                |ent, title| format!("{ent}: {title}"),
            )
            .await?;
        out.push(AgendaSource::Problem, found, total);

        let (found, total) = self.stuck_project_lines(limit, meeting_id).await?;
        out.push(AgendaSource::Project, found, total);

        let (found, total) = self
            .agenda_lines(
                "SELECT s.id, m.held_on, r.text, s.lead_unit_id, u.name, COUNT(*) OVER ()
                 FROM supervision_items s
                 JOIN resolutions r ON r.id = s.resolution_id JOIN meetings m ON m.id = r.meeting_id
                 JOIN units u ON u.id = s.lead_unit_id
                 WHERE s.status <> 'closed' -- SupervisionStatus::Closed, literal for supervision_items_open
                   AND NOT EXISTS (SELECT 1 FROM agenda_items a WHERE a.meeting_id = $1
                       AND a.source_kind = $2 AND a.source_id = s.id)
                 ORDER BY s.deadline, s.id LIMIT $3",
                AgendaSource::Supervision,
                meeting_id,
                limit,
                |held_on, text| format!("{held_on} 例会议定: {text}"),
            )
            .await?;
        out.push(AgendaSource::Supervision, found, total);
        Ok(out)
    }

    /// One kind of proposal chosen, ordered, counted and capped by `sql`, which binds `$1` the
    /// meeting (its items are left out), `$2` the kind and `$3` the cap and selects a
    /// [`Line`]; each proposal's text is `text` of the line's two facts. Also how many there are.
    async fn agenda_lines(
        &self,
        sql: &'static str,
        kind: AgendaSource,
        meeting_id: Option<i64>,
        limit: i64,
        text: impl Fn(String, String) -> String,
    ) -> Result<(Vec<agenda::Proposal>, usize)> {
        let rows: Vec<Line> = sqlx::query_as(sql)
            .bind(meeting_id)
            .bind(kind.as_str())
            .bind(limit)
            .fetch_all(self.pool())
            .await?;
        let total = rows.first().map_or(0, |r| count(r.5));
        let found = rows
            .into_iter()
            .map(|(id, a, b, unit_id, unit_name, _)| agenda::Proposal {
                item: agenda::NewAgendaItem {
                    source: kind,
                    source_id: Some(id),
                    text: text(a, b),
                    unit_id,
                },
                unit_name,
            })
            .collect();
        Ok((found, total))
    }

    /// The `limit` most urgent projects under way with a red light or a funnel alert, not on
    /// the agenda of `meeting_id` (an overdue stage first, then red, then the least of the
    /// year's investment done, then the longest at its stage), and how many there are in all.
    /// One query judges, orders, counts and caps: the year's approved 调度 is the stored total
    /// (`project_year_done`) and the next planned stage is aggregated once (a grouped join, not
    /// per row), the light is the projects
    /// module's rule (`qx_core::project::light_on`: completion against [`light_share`] of the
    /// project's year, red beyond the office's yellow gap, an overdue stage red) and the alert its
    /// funnel days. The facts shown are then written by the same rules in Rust.
    ///
    /// [`light_share`]: qx_core::project::light_share
    async fn stuck_project_lines(
        &self,
        limit: i64,
        meeting_id: Option<i64>,
    ) -> Result<(Vec<agenda::Proposal>, usize)> {
        let judging = self.project_judging().await?;
        let days = judging.alert_days;
        let today = qx_core::time::today();
        let year = i64::from(today.year());
        let share = |y: i64| qx_core::project::light_share(y, today);
        // Each funnel alert's stage and the day before which being at it raises the alert.
        let [a, b, c] = FunnelAlert::ALL.map(|a| {
            (
                a.stage().as_str(),
                qx_core::time::format_date(today - time::Duration::days(days.days(a))),
            )
        });
        let rows: Vec<ProjectLine> = sqlx::query_as(
            "SELECT id, name, total_investment_wan, unit_id, unit_name, year, annual_plan_wan,
                invested, stage, stage_since, next_planned, COUNT(*) OVER ()
             FROM (SELECT j.*,
                     CASE WHEN j.overdue = 1 OR (j.completion IS NOT NULL
                         AND (j.share - j.completion) * 100 > $1) THEN 1 ELSE 0 END AS red
                 FROM (SELECT p.id, p.name, p.total_investment_wan, p.unit_id,
                         COALESCE(u.name, '') AS unit_name, p.year, p.annual_plan_wan,
                         COALESCE(d.invested, p.completed_wan) AS invested, p.stage, p.stage_since,
                         p.next_planned_on AS next_planned,
                         CASE WHEN p.next_planned_on < $2 THEN 1 ELSE 0 END AS overdue,
                         CASE WHEN p.annual_plan_wan > 0
                             THEN COALESCE(d.invested, p.completed_wan, 0) / p.annual_plan_wan END
                             AS completion,
                         CASE WHEN p.year < $3 THEN $4 WHEN p.year = $3 THEN $5 ELSE $6 END AS share,
                         CASE WHEN (p.stage = $7 AND p.stage_since < $8)
                             OR (p.stage = $9 AND p.stage_since < $10)
                             OR (p.stage = $11 AND p.stage_since < $12) THEN 1 ELSE 0 END AS alerted
                     FROM projects p
                     LEFT JOIN units u ON u.id = p.unit_id
                     LEFT JOIN (SELECT t.project_id, t.year, t.invested_wan AS invested
                         FROM project_year_done t) d
                       ON d.project_id = p.id AND d.year = p.year
                     WHERE p.stage NOT IN ($13, $14)
                       AND NOT EXISTS (SELECT 1 FROM agenda_items a WHERE a.meeting_id = $15
                           AND a.source_kind = $16 AND a.source_id = p.id)) j) k
             WHERE red = 1 OR alerted = 1
             ORDER BY overdue DESC, red DESC, COALESCE(completion, 0), stage_since, id
             LIMIT $17",
        )
        .bind(judging.thresholds.yellow_gap_points)
        .bind(qx_core::time::format_date(today))
        .bind(year)
        .bind(share(year - 1))
        .bind(share(year))
        .bind(share(year + 1))
        .bind(a.0)
        .bind(a.1)
        .bind(b.0)
        .bind(b.1)
        .bind(c.0)
        .bind(c.1)
        .bind(Stage::Producing.as_str())
        .bind(Stage::Halted.as_str())
        .bind(meeting_id)
        .bind(AgendaSource::Project.as_str())
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        let total = rows.first().map_or(0, |r| count(r.11));
        let mut found = Vec::new();
        for r in rows {
            let Ok(stage) = Stage::try_from(r.8.clone()) else {
                continue;
            };
            let next_planned = r.10.as_deref().and_then(qx_core::time::parse_date);
            let light =
                qx_core::project::light_on(r.5, r.7, r.6, next_planned, today, judging.thresholds);
            let alert = qx_core::time::parse_date(&r.9)
                .and_then(|since| funnel_alert(stage, since, today, &days));
            let mut facts = vec![format!(
                "总投资 {} 万元, 当前阶段「{}」(自 {})",
                r.2,
                stage.label(Lang::Zh),
                r.9
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
                item: agenda::NewAgendaItem {
                    source: AgendaSource::Project,
                    source_id: Some(r.0),
                    text: format!("项目「{}」: {}", r.1, facts.join("; ")),
                    unit_id: Some(r.3),
                },
                unit_name: Some(r.4),
            });
        }
        Ok((found, total))
    }
}

fn count(n: i64) -> usize {
    usize::try_from(n).unwrap_or(0)
}
