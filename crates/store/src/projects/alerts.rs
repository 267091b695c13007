//! The projects' alerts, raised by the sweep `qx serve` runs beside the problems deadline
//! sweep: a project whose year's investment is far behind 序时进度 (red), whose next stage is
//! past its planned date, or that has waited at a stage longer than the office's days (签而未注 /
//! 注而未开 / 开而未投). Each goes to the responsible unit and the 包干 leader once per alert: the
//! notice's dedupe key names the project, what is late (the judged month, the stage and its
//! planned date, the stage and the day it was reached) and the audience, so a sweep run every
//! ten minutes, or on several servers, tells each person once and tells again only when the
//! alert is a new one. Lights and alerts are the list's own (`list::judge_facts`), one rule.

use super::list::{Facts, judge_facts};
use super::*;
use crate::notices::{NewNotice, notify};
use qx_core::label::{Labelled, Lang};
use qx_core::monitor::Light;
use qx_core::notice::{Audience, NoticeKind, Subject};
use std::collections::HashMap;

/// What one sweep found and told.
#[derive(Debug, Clone, Default, Serialize)]
pub struct AlertSweep {
    /// Projects raising at least one alert on the day.
    pub alerted: usize,
    /// The notices made (for the webhook); an alert already told makes none.
    pub notices: Vec<i64>,
}

/// A project the sweep judges: id, year, name, unit, 包干 leader, annual plan, 本年已完成投资,
/// stage and the day it was reached.
type SweepLine = (
    i64,
    i64,
    String,
    i64,
    Option<i64>,
    Option<f64>,
    Option<f64>,
    String,
    String,
);

/// What an alert's key and message name of a project.
struct Swept<'a> {
    id: i64,
    year: i64,
    name: &'a str,
    unit_id: i64,
    leader_user_id: Option<i64>,
    stage: Stage,
    stage_since: &'a str,
}

/// The dedupe keys of the projects' alerts start with this.
const DEDUPE_PREFIX: &str = "project.alert.";

/// One alert of a project: its dedupe stem and its message.
struct Due {
    key: String,
    message: String,
}

impl Store {
    /// Raises the projects' alerts due on `today` (halted and producing projects raise none).
    pub async fn sweep_project_alerts(&self, today: Date) -> Result<AlertSweep> {
        // What the alerts are judged from and name, and no more: 本年已完成投资 is the stored
        // year total (`project_year_done`), else the figure typed with the project.
        let lines: Vec<SweepLine> = sqlx::query_as(
            "SELECT p.id, p.year, p.name, p.unit_id, p.leader_user_id, p.annual_plan_wan,
                COALESCE(t.invested_wan, p.completed_wan), p.stage, p.stage_since
             FROM projects p
             LEFT JOIN project_year_done t ON t.project_id = p.id AND t.year = p.year
             WHERE p.stage NOT IN ($1, $2)",
        )
        .bind(Stage::Halted.as_str())
        .bind(Stage::Producing.as_str())
        .fetch_all(self.pool())
        .await?;
        let pending: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT s.project_id, s.stage, s.planned_on FROM project_stages s
             WHERE s.actual_on IS NULL AND s.planned_on IS NOT NULL",
        )
        .fetch_all(self.pool())
        .await?;
        // The earliest planned date of a stage not reached, with that stage.
        let mut next: HashMap<i64, (String, String)> = HashMap::new();
        for (project, stage, planned) in pending {
            let e = next
                .entry(project)
                .or_insert((stage.clone(), planned.clone()));
            if planned < e.1 {
                *e = (stage, planned);
            }
        }
        let days = self.project_alert_days().await?;
        // The alerts already told (a sweep every ten minutes finds nearly all of them so): read
        // once, so that only a new one costs a write. A key told meanwhile by another server is
        // still kept once by the notices' unique dedupe key.
        let told: Vec<(String,)> = sqlx::query_as(
            "SELECT dedupe_key FROM notices WHERE kind = $1 AND dedupe_key IS NOT NULL",
        )
        .bind(NoticeKind::ProjectAlert.as_str())
        .fetch_all(self.pool())
        .await?;
        let told: std::collections::HashSet<String> = told.into_iter().map(|(k,)| k).collect();
        let mut report = AlertSweep::default();
        let mut tx = self.begin().await?;
        for (id, year, name, unit_id, leader_user_id, plan, completed, stage, since) in &lines {
            let stage = Stage::parse(stage).map_err(|e| StoreError::Invalid(e.to_string()))?;
            let p = Swept {
                id: *id,
                year: *year,
                name,
                unit_id: *unit_id,
                leader_user_id: *leader_user_id,
                stage,
                stage_since: since,
            };
            let planned = next.get(&p.id);
            let (light, alert) = judge_facts(
                &Facts {
                    year: p.year,
                    completed_wan: *completed,
                    annual_plan_wan: *plan,
                    stage,
                    stage_since: since,
                    next_planned: planned.map(|(_, d)| d.as_str()),
                },
                today,
                &days,
            );
            let mut due = Vec::new();
            if light.investment == Light::Red && i32::try_from(p.year) == Ok(today.year()) {
                let pct = light.completion.map(|c| c * 100.0).unwrap_or(0.0);
                due.push(Due {
                    key: format!("behind:{}:{}", p.id, judged_month(today)),
                    message: format!(
                        "重大项目「{}」本年投资严重滞后于序时进度 (已完成年度计划的{pct:.1}%), 请加快推进",
                        p.name
                    ),
                });
            }
            if let (true, Some((stage, on))) = (light.overdue, planned) {
                let label = Stage::parse(stage).map(Stage::label_zh).unwrap_or_default();
                due.push(Due {
                    key: format!("overdue:{}:{stage}:{on}", p.id),
                    message: format!(
                        "重大项目「{}」计划于 {on} {label}, 至今未完成, 已逾期",
                        p.name
                    ),
                });
            }
            if let Some(a) = alert {
                due.push(Due {
                    key: format!("funnel:{}:{}:{}", p.id, a.as_str(), p.stage_since),
                    message: format!(
                        "重大项目「{}」{}: 自 {} {}至今已超过{}天",
                        p.name,
                        a.label(Lang::Zh),
                        p.stage_since,
                        p.stage.label_zh(),
                        days.days(a)
                    ),
                });
            }
            if due.is_empty() {
                continue;
            }
            report.alerted += 1;
            let audiences: Vec<Audience> = std::iter::once(Audience::Unit(p.unit_id))
                .chain(p.leader_user_id.map(Audience::User))
                .collect();
            for d in &due {
                for a in &audiences {
                    let (who, who_id) = a.to_parts();
                    let key = format!("{DEDUPE_PREFIX}{}:{who}:{}", d.key, who_id.unwrap_or(0));
                    if told.contains(&key) {
                        continue;
                    }
                    let n = NewNotice {
                        audience: *a,
                        kind: NoticeKind::ProjectAlert,
                        subject: Subject::Project(p.id),
                        message: d.message.clone(),
                        dedupe_key: Some(key),
                    };
                    report.notices.extend(notify(&mut tx, &n).await?);
                }
            }
        }
        tx.commit().await?;
        Ok(report)
    }
}

/// The month a current-year project's investment is judged at on `today` (the month just
/// ended, January at its own), as `YYYY-MM`: one investment alert per judged month.
fn judged_month(today: Date) -> String {
    let month = u8::from(today.month()).saturating_sub(1).max(1);
    format!("{}-{month:02}", today.year())
}
