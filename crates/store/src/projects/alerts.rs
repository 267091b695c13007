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
use qx_core::monitor::Light;
use qx_core::notice::{Audience, NoticeKind, Subject, Text};
use std::collections::{HashMap, HashSet};

/// What one sweep found and told.
#[derive(Debug, Clone, Default, Serialize)]
pub struct AlertSweep {
    /// Projects raising at least one alert on the day.
    pub alerted: usize,
    /// The notices made (for the webhook); an alert already told makes none.
    pub notices: Vec<i64>,
}

/// A project the sweep judges: id, year, unit, 包干 leader, annual plan, 本年已完成投资, stage,
/// the day it was reached, and its next planned stage with that date (stored on the row).
/// Read plain, or on SQLite packed into one value (`crate::packed`).
#[derive(Debug, sqlx::FromRow, serde::Deserialize)]
pub(crate) struct SweepLine {
    id: i64,
    year: i64,
    unit_id: i64,
    leader_user_id: Option<i64>,
    #[serde(deserialize_with = "crate::packed::read_real")]
    annual_plan_wan: Option<f64>,
    #[serde(deserialize_with = "crate::packed::read_real")]
    completed_wan: Option<f64>,
    stage: String,
    stage_since: String,
    next_stage: Option<String>,
    next_planned_on: Option<String>,
}

/// What the sweep reads of every open project, after the columns: the stored year total
/// (`project_year_done`), else the figure typed with the project. Binds `$1` 中止, `$2` 投产.
macro_rules! sweep_from {
    () => {
        "FROM projects p
         LEFT JOIN project_year_done t ON t.project_id = p.id AND t.year = p.year
         WHERE p.stage NOT IN ($1, $2)"
    };
}

/// Every open project's [`SweepLine`], in no particular order: on SQLite packed into one value
/// (10,000 rows crossing sqlx's worker channel one by one cost more than the query), on
/// PostgreSQL, or when an amount cannot be packed exactly, as plain rows.
pub(crate) async fn sweep_lines(store: &Store) -> Result<Vec<SweepLine>> {
    if store.engine() == crate::Engine::Sqlite
        && let Some(lines) = sweep_lines_packed(store).await?
    {
        return Ok(lines);
    }
    sweep_lines_plain(store).await
}

/// [`sweep_lines`] packed into one value (SQLite only); `None` when an amount lies outside
/// the window where its text is exact (`crate::packed::real!`).
pub(crate) async fn sweep_lines_packed(store: &Store) -> Result<Option<Vec<SweepLine>>> {
    let (packed,): (String,) = sqlx::query_as(crate::packed::sqlite!(
        concat!(
            "p.id, p.year, p.unit_id, p.leader_user_id, ",
            crate::packed::real!("p.annual_plan_wan"),
            ", ",
            crate::packed::real!("COALESCE(t.invested_wan, p.completed_wan)"),
            ", p.stage, p.stage_since, p.next_stage, p.next_planned_on"
        ),
        sweep_from!()
    ))
    .bind(Stage::Halted.as_str())
    .bind(Stage::Producing.as_str())
    .fetch_one(store.pool())
    .await?;
    crate::packed::rows(&packed)
}

/// [`sweep_lines`] as plain rows, on either engine (what the packed read must equal).
pub(crate) async fn sweep_lines_plain(store: &Store) -> Result<Vec<SweepLine>> {
    Ok(sqlx::query_as(concat!(
        "SELECT p.id, p.year, p.unit_id, p.leader_user_id, p.annual_plan_wan,
            COALESCE(t.invested_wan, p.completed_wan) AS completed_wan, p.stage, p.stage_since,
            p.next_stage, p.next_planned_on ",
        sweep_from!()
    ))
    .bind(Stage::Halted.as_str())
    .bind(Stage::Producing.as_str())
    .fetch_all(store.pool())
    .await?)
}

/// The dedupe keys of the projects' alerts start with this.
const DEDUPE_PREFIX: &str = "project.alert.";

/// One alert of a project, as its key and message name it.
#[derive(Clone, Copy)]
enum Due<'a> {
    /// 严重滞后: the share of the year's plan done, in percent.
    Behind { pct: f64 },
    /// The next planned stage is past its date.
    Overdue { stage: &'a str, on: &'a str },
    /// 签而未注 / 注而未开 / 开而未投.
    Funnel(qx_core::project::FunnelAlert),
}

/// What an alert names of its project.
#[derive(Clone, Copy)]
struct Swept<'a> {
    id: i64,
    stage: Stage,
    stage_since: &'a str,
}

impl Due<'_> {
    /// The alert's dedupe stem: the project, what is late and since when.
    fn key(&self, p: &Swept<'_>, today: Date) -> String {
        match self {
            Due::Behind { .. } => format!("behind:{}:{}", p.id, judged_month(today)),
            Due::Overdue { stage, on } => format!("overdue:{}:{stage}:{on}", p.id),
            Due::Funnel(a) => format!("funnel:{}:{}:{}", p.id, a.as_str(), p.stage_since),
        }
    }

    fn text(&self, p: &Swept<'_>, name: &str, days: &qx_core::project::AlertDays) -> Text {
        let project = name.to_string();
        match *self {
            Due::Behind { pct } => Text::ProjectBehind { project, pct },
            Due::Overdue { stage, on } => Text::ProjectOverdue {
                project,
                stage: stage.to_string(),
                on: on.to_string(),
            },
            Due::Funnel(alert) => Text::ProjectFunnel {
                project,
                alert,
                stage: p.stage,
                since: p.stage_since.to_string(),
                days: days.days(alert),
            },
        }
    }
}

/// An alert not told yet to one of its audiences.
struct Untold<'a> {
    project: Swept<'a>,
    due: Due<'a>,
    audience: Audience,
    key: String,
}

impl Store {
    /// Raises the projects' alerts due on `today` (halted and producing projects raise none).
    pub async fn sweep_project_alerts(&self, today: Date) -> Result<AlertSweep> {
        // What the alerts are judged from and no more (`SweepLine`); names are read only
        // for alerts to be told.
        let lines = sweep_lines(self).await?;
        let judging = self.project_judging().await?;
        // The alerts already told, kept between sweeps (only rows added since the last sweep
        // are read): only a new alert costs a write. The unique dedupe key stays the guarantee.
        let mut told = self.told_alerts.lock().await;
        told.catch_up(self).await?;
        let mut report = AlertSweep::default();
        let mut untold = Vec::new();
        for line in &lines {
            let stage =
                Stage::parse(&line.stage).map_err(|e| StoreError::Invalid(e.to_string()))?;
            let (light, alert) = judge_facts(
                &Facts {
                    year: line.year,
                    completed_wan: line.completed_wan,
                    annual_plan_wan: line.annual_plan_wan,
                    stage,
                    stage_since: &line.stage_since,
                    next_planned: line.next_planned_on.as_deref(),
                },
                today,
                &judging,
            );
            let mut due = Vec::new();
            if light.investment == Light::Red && i32::try_from(line.year) == Ok(today.year()) {
                let pct = light.completion.map(|c| c * 100.0).unwrap_or(0.0);
                due.push(Due::Behind { pct });
            }
            if let (true, Some(stage), Some(on)) =
                (light.overdue, &line.next_stage, &line.next_planned_on)
            {
                due.push(Due::Overdue { stage, on });
            }
            if let Some(a) = alert {
                due.push(Due::Funnel(a));
            }
            if due.is_empty() {
                continue;
            }
            report.alerted += 1;
            let audiences: Vec<Audience> = std::iter::once(Audience::Unit(line.unit_id))
                .chain(line.leader_user_id.map(Audience::User))
                .collect();
            let p = Swept {
                id: line.id,
                stage,
                stage_since: &line.stage_since,
            };
            for d in due {
                let stem = d.key(&p, today);
                for audience in &audiences {
                    let (who, who_id) = audience.to_parts();
                    let key = format!("{DEDUPE_PREFIX}{stem}:{who}:{}", who_id.unwrap_or(0));
                    if !told.keys.contains(&key) {
                        untold.push(Untold {
                            project: p,
                            due: d,
                            audience: *audience,
                            key,
                        });
                    }
                }
            }
        }
        if untold.is_empty() {
            return Ok(report);
        }
        let mut ids: Vec<i64> = untold.iter().map(|u| u.project.id).collect();
        ids.dedup();
        let names = names_of(self, &ids).await?;
        let mut tx = self.begin().await?;
        let mut keys = Vec::with_capacity(untold.len());
        for u in untold {
            let name = names
                .get(&u.project.id)
                .map(String::as_str)
                .unwrap_or_default();
            let n = NewNotice {
                audience: u.audience,
                kind: NoticeKind::ProjectAlert,
                subject: Subject::Project(u.project.id),
                text: u.due.text(&u.project, name, &judging.alert_days),
                dedupe_key: Some(u.key),
            };
            report.notices.extend(notify(&mut tx, &n).await?);
            keys.push(n.dedupe_key.unwrap_or_default());
        }
        tx.commit().await?;
        // Told now, by this sweep or (where the insert found the key taken) before it.
        told.keys.extend(keys);
        Ok(report)
    }
}

/// Benchmarks only (`testing::project_alerts_as_before`): a sweep with nothing new to tell as
/// it ran before migration 0036, timed beside [`Store::sweep_project_alerts`] in the same run:
/// every open project's line with its name, every pending stage, every told key, a message
/// made for every alert due, and the (empty) transaction. Returns how many projects raise an
/// alert; an alert not told yet is an error (this path writes nothing).
#[cfg(any(test, feature = "testing"))]
pub(crate) async fn alerted_as_before(store: &Store, today: Date) -> Result<usize> {
    type Line = (
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
    let lines: Vec<Line> = sqlx::query_as(
        "SELECT p.id, p.year, p.name, p.unit_id, p.leader_user_id, p.annual_plan_wan,
            COALESCE(t.invested_wan, p.completed_wan), p.stage, p.stage_since
         FROM projects p
         LEFT JOIN project_year_done t ON t.project_id = p.id AND t.year = p.year
         WHERE p.stage NOT IN ($1, $2)",
    )
    .bind(Stage::Halted.as_str())
    .bind(Stage::Producing.as_str())
    .fetch_all(store.pool())
    .await?;
    let pending: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT s.project_id, s.stage, s.planned_on FROM project_stages s
         WHERE s.actual_on IS NULL AND s.planned_on IS NOT NULL",
    )
    .fetch_all(store.pool())
    .await?;
    let mut by_project: HashMap<i64, Vec<(Stage, String)>> = HashMap::new();
    for (project, stage, on) in pending {
        let stage = Stage::parse(&stage).map_err(|e| StoreError::Invalid(e.to_string()))?;
        by_project.entry(project).or_default().push((stage, on));
    }
    let next: HashMap<i64, (&'static str, String)> = by_project
        .into_iter()
        .filter_map(|(id, p)| super::next_stage::next_of(p).map(|(s, on)| (id, (s.as_str(), on))))
        .collect();
    let judging = store.project_judging().await?;
    let told: Vec<(String,)> =
        sqlx::query_as("SELECT dedupe_key FROM notices WHERE kind = $1 AND dedupe_key IS NOT NULL")
            .bind(NoticeKind::ProjectAlert.as_str())
            .fetch_all(store.pool())
            .await?;
    let told: HashSet<String> = told.into_iter().map(|(k,)| k).collect();
    let mut alerted = 0;
    let tx = store.begin().await?;
    for (id, year, name, unit_id, leader_user_id, plan, completed, stage, since) in &lines {
        let stage = Stage::parse(stage).map_err(|e| StoreError::Invalid(e.to_string()))?;
        let planned = next.get(id);
        let (light, alert) = judge_facts(
            &Facts {
                year: *year,
                completed_wan: *completed,
                annual_plan_wan: *plan,
                stage,
                stage_since: since,
                next_planned: planned.map(|(_, on)| on.as_str()),
            },
            today,
            &judging,
        );
        let mut due = Vec::new();
        if light.investment == Light::Red && i32::try_from(*year) == Ok(today.year()) {
            let pct = light.completion.map(|c| c * 100.0).unwrap_or(0.0);
            due.push(Due::Behind { pct });
        }
        if let (true, Some((stage, on))) = (light.overdue, planned) {
            due.push(Due::Overdue {
                stage,
                on: on.as_str(),
            });
        }
        if let Some(a) = alert {
            due.push(Due::Funnel(a));
        }
        if due.is_empty() {
            continue;
        }
        alerted += 1;
        let p = Swept {
            id: *id,
            stage,
            stage_since: since,
        };
        let audiences: Vec<Audience> = std::iter::once(Audience::Unit(*unit_id))
            .chain(leader_user_id.map(Audience::User))
            .collect();
        for d in due {
            let stem = d.key(&p, today);
            let message = d
                .text(&p, name, &judging.alert_days)
                .render(qx_core::label::Lang::Zh);
            for audience in &audiences {
                let (who, who_id) = audience.to_parts();
                let key = format!("{DEDUPE_PREFIX}{stem}:{who}:{}", who_id.unwrap_or(0));
                if !told.contains(&key) {
                    return Err(StoreError::Invalid(format!(
                        "not told yet: {key} ({message})"
                    )));
                }
            }
        }
    }
    tx.commit().await?;
    Ok(alerted)
}

/// The alerts' dedupe keys already told in one database, kept between sweeps.
///
/// Notices are never deleted and their keys never change (no statement of the store deletes a
/// notice or writes its `dedupe_key` after the insert), so a key once read stays told and each
/// sweep reads only the alert rows with an id above the highest read. On PostgreSQL ids are not
/// in commit order, and another process (the CLI) may tell an alert too, so the set may miss a
/// key: then the notice's insert finds the unique key taken and tells nothing, and the key is
/// added. The set never holds a key the database lacks; should the database be replaced under
/// a running server (a restore), the anchor row (the highest id read, with its key) is gone or
/// different and the set is read afresh.
#[derive(Debug, Default)]
pub(crate) struct Told {
    keys: HashSet<String>,
    /// The highest alert notice read, with its key.
    anchor: Option<(i64, String)>,
}

impl Told {
    /// Adds the alert keys told since the last read (all of them the first time).
    async fn catch_up(&mut self, store: &Store) -> Result<()> {
        let Some(anchor) = self.anchor.take() else {
            return self.add(alert_keys_from(store, 0).await?);
        };
        let mut rows = alert_keys_from(store, anchor.0).await?;
        if rows.first() == Some(&anchor) {
            rows.remove(0);
            self.anchor = Some(anchor);
        } else {
            self.keys.clear();
            rows = alert_keys_from(store, 0).await?;
        }
        self.add(rows)
    }

    fn add(&mut self, rows: Vec<(i64, String)>) -> Result<()> {
        if let Some(last) = rows.last() {
            self.anchor = Some(last.clone());
        }
        self.keys.extend(rows.into_iter().map(|(_, key)| key));
        Ok(())
    }
}

/// The alert notices' ids and keys from id `from` on, in id order.
async fn alert_keys_from(store: &Store, from: i64) -> Result<Vec<(i64, String)>> {
    Ok(sqlx::query_as(
        "SELECT id, dedupe_key FROM notices
         WHERE id >= $1 AND kind = $2 AND dedupe_key IS NOT NULL ORDER BY id",
    )
    .bind(from)
    .bind(NoticeKind::ProjectAlert.as_str())
    .fetch_all(store.pool())
    .await?)
}

/// The names of the projects `ids` (the few whose alerts are to be told), on either engine: the
/// ids travel as one JSON array.
async fn names_of(store: &Store, ids: &[i64]) -> Result<HashMap<i64, String>> {
    let mut names = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(crate::BATCH_ROWS) {
        let sql = match store.engine() {
            crate::Engine::Sqlite => {
                "SELECT id, name FROM projects WHERE id IN (SELECT value FROM json_each($1))"
            }
            crate::Engine::Postgres => {
                "SELECT id, name FROM projects
                 WHERE id IN (SELECT CAST(x AS BIGINT) FROM json_array_elements_text(CAST($1 AS JSON)) AS t(x))"
            }
        };
        let chunk = serde_json::to_string(chunk).map_err(|e| StoreError::Invalid(e.to_string()))?;
        let rows: Vec<(i64, String)> = sqlx::query_as(sql)
            .bind(chunk)
            .fetch_all(store.pool())
            .await?;
        names.extend(rows);
    }
    Ok(names)
}

/// The month a current-year project's investment is judged at on `today` (the month just
/// ended, January at its own), as `YYYY-MM`: one investment alert per judged month.
fn judged_month(today: Date) -> String {
    let month = u8::from(today.month()).saturating_sub(1).max(1);
    format!("{}-{month:02}", today.year())
}
