//! Monthly 调度: the responsible unit's figures for each of its projects in a reporting period
//! (本月完成投资, 外资到位 / 内资到位, 形象进度, blockers), saved beside its indicators and
//! following its submission of that period: editable while the submission is (draft or
//! returned), locked once submitted or approved, counted once approved. There is no approval
//! of its own (one submission, one approval flow): a project's 本年已完成投资 is the sum of the
//! year's months whose submission the office approved (`project_select!`).

use super::*;
use crate::audit::AuditEntry;
use qx_core::label::Labelled;
use qx_core::project::fields;
use qx_core::state::SubmissionStatus;
use std::collections::{HashMap, HashSet};

/// What the unit reports for one project in one period.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DispatchInput {
    pub project_id: i64,
    #[serde(flatten)]
    pub figures: DispatchFigures,
}

/// A month's 调度 of a project: its figures, 形象进度 and blockers, as the unit enters them and
/// as they are stored.
#[derive(Debug, Clone, Default, PartialEq, Serialize, sqlx::FromRow)]
pub struct DispatchFigures {
    /// 本月完成投资 (万元).
    pub invested_wan: Option<f64>,
    /// 外资到位 (万美元).
    pub foreign_wusd: Option<f64>,
    /// 内资到位 (万元).
    pub domestic_wan: Option<f64>,
    /// 形象进度 as text.
    pub progress: String,
    /// 形象进度 as a share of the whole, 0–100.
    pub progress_pct: Option<f64>,
    /// 存在问题 (a blocker may become an 企业难题).
    pub blockers: String,
}

/// A project of the unit with what it reported for the period (empty when nothing yet).
#[derive(Debug, Clone, Serialize)]
pub struct DispatchLine {
    pub project_id: i64,
    pub name: String,
    pub stage: Stage,
    pub annual_plan_wan: Option<f64>,
    /// 本年已完成投资 so far (approved months).
    pub completed_wan: Option<f64>,
    pub report: DispatchInput,
    /// The 企业难题 raised from this month's blocker, if any.
    pub problem_id: Option<i64>,
    /// The project is linked to a registered enterprise (a blocker may become its 企业难题).
    pub has_firm: bool,
    /// The month was reported by the unit that was responsible before the project moved here,
    /// and that unit's report of the period is submitted or approved: the month stays theirs,
    /// and a save of this unit leaves it as it is.
    pub held_elsewhere: bool,
}

/// One month of a project's 调度, as its page lists it.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct DispatchMonth {
    /// The reporting period, `2017-10`.
    pub period: String,
    /// The unit that reported it (the responsible unit of that month).
    pub unit_name: String,
    #[serde(flatten)]
    #[sqlx(flatten)]
    pub figures: DispatchFigures,
    pub problem_id: Option<i64>,
    /// 1 when the unit's submission of the period is approved: the month counts in 本年已完成投资.
    pub counted: i64,
}

impl DispatchFigures {
    /// The figures with their texts trimmed, or the first problem naming the project.
    fn checked(&self, name: &str) -> Result<DispatchFigures> {
        let place = |e: String| StoreError::Invalid(format!("项目「{name}」 {e}"));
        for (label, v) in [
            ("本月完成投资", self.invested_wan),
            ("外资到位", self.foreign_wusd),
            ("内资到位", self.domestic_wan),
        ] {
            if v.is_some_and(|v| v < 0.0 || !v.is_finite()) {
                return Err(place(format!("{label}: 不能为负数")));
            }
        }
        if self
            .progress_pct
            .is_some_and(|p| !(0.0..=100.0).contains(&p))
        {
            return Err(place("形象进度(%): 应在0到100之间".into()));
        }
        Ok(DispatchFigures {
            progress: fields::PROGRESS
                .check(&self.progress)
                .map_err(place)?
                .into(),
            blockers: fields::BLOCKERS
                .check(&self.blockers)
                .map_err(place)?
                .into(),
            ..self.clone()
        })
    }

    fn is_empty(&self) -> bool {
        self.invested_wan.is_none()
            && self.foreign_wusd.is_none()
            && self.domestic_wan.is_none()
            && self.progress.is_empty()
            && self.progress_pct.is_none()
            && self.blockers.is_empty()
    }
}

/// A project's stored 调度 of a period, with the 企业难题 raised from its blocker.
#[derive(sqlx::FromRow)]
struct DispatchRow {
    project_id: i64,
    #[sqlx(flatten)]
    figures: DispatchFigures,
    problem_id: Option<i64>,
}

impl Store {
    /// The unit's projects whose month in the period another unit (the one responsible before
    /// the project moved) reported and handed in: its report of the period is submitted or
    /// approved.
    async fn held_elsewhere(&self, period_id: i64, unit_id: i64) -> Result<HashSet<i64>> {
        let ids: Vec<(i64,)> = sqlx::query_as(
            "SELECT d.project_id FROM project_dispatches d
             JOIN projects p ON p.id = d.project_id
             WHERE d.period_id = $1 AND p.unit_id = $2 AND d.unit_id <> $2
               AND EXISTS (SELECT 1 FROM submissions s WHERE s.period_id = d.period_id
                           AND s.unit_id = d.unit_id AND s.status IN ($3, $4))",
        )
        .bind(period_id)
        .bind(unit_id)
        .bind(SubmissionStatus::Submitted.as_str())
        .bind(SubmissionStatus::Approved.as_str())
        .fetch_all(self.pool())
        .await?;
        Ok(ids.into_iter().map(|(id,)| id).collect())
    }

    /// Every month reported for the project, oldest first, each with whether it counts (its
    /// unit's submission of the period is approved). Read by whoever reads the project.
    pub async fn project_dispatch_months(
        &self,
        actor: &Actor,
        project_id: i64,
    ) -> Result<Vec<DispatchMonth>> {
        self.get_project(actor, project_id).await?;
        let sql = concat!(
            "SELECT rp.period, COALESCE(u.name, '') AS unit_name, d.invested_wan, d.foreign_wusd,
                d.domestic_wan, d.progress, d.progress_pct, d.blockers, d.problem_id,
                CAST(CASE WHEN ",
            dispatch_approved!(),
            " THEN 1 ELSE 0 END AS BIGINT) AS counted
             FROM project_dispatches d JOIN report_periods rp ON rp.id = d.period_id
             LEFT JOIN units u ON u.id = d.unit_id
             WHERE d.project_id = $1 ORDER BY rp.period, d.period_id"
        );
        Ok(sqlx::query_as(sql)
            .bind(project_id)
            .fetch_all(self.pool())
            .await?)
    }

    /// The unit's projects that report in this period (not halted, not yet in production
    /// before the period's year), each with what it reported. Read by anyone who reads the
    /// unit's report.
    pub async fn dispatch_lines(
        &self,
        actor: &Actor,
        period_id: i64,
        unit_id: i64,
    ) -> Result<Vec<DispatchLine>> {
        if !actor.reads_all() && actor.unit_id != Some(unit_id) {
            return Err(StoreError::NotFound(format!("单位 {unit_id} 的项目调度")));
        }
        let period = self.get_period(actor, period_id).await?;
        let year: i64 = period.period[..4].parse().unwrap_or(0);
        let sql = concat!(
            project_select!(),
            "WHERE p.unit_id = $1 AND p.year = $2 AND p.stage <> $3 ORDER BY p.total_investment_wan DESC, p.id"
        );
        let projects: Vec<Project> = sqlx::query_as(sql)
            .bind(unit_id)
            .bind(year)
            .bind(Stage::Halted.as_str())
            .fetch_all(self.pool())
            .await?;
        let rows: Vec<DispatchRow> = sqlx::query_as(
            "SELECT project_id, invested_wan, foreign_wusd, domestic_wan, progress, progress_pct, blockers, problem_id
             FROM project_dispatches WHERE period_id = $1 AND unit_id = $2",
        )
        .bind(period_id)
        .bind(unit_id)
        .fetch_all(self.pool())
        .await?;
        let mut by_project: HashMap<i64, DispatchRow> =
            rows.into_iter().map(|r| (r.project_id, r)).collect();
        let held = self.held_elsewhere(period_id, unit_id).await?;
        Ok(projects
            .into_iter()
            .map(|p| {
                let (figures, problem_id) = by_project
                    .remove(&p.id)
                    .map(|r| (r.figures, r.problem_id))
                    .unwrap_or_default();
                let report = DispatchInput {
                    project_id: p.id,
                    figures,
                };
                DispatchLine {
                    project_id: p.id,
                    name: p.name,
                    stage: p.stage,
                    annual_plan_wan: p.annual_plan_wan,
                    completed_wan: p.completed_wan,
                    report,
                    problem_id,
                    has_firm: p.enterprise_id.is_some(),
                    held_elsewhere: held.contains(&p.id),
                }
            })
            .collect())
    }

    /// Saves the unit's 调度 for the period, under the same rule as its figures: the unit
    /// itself or the office, the period open, the unit's submission of it neither submitted nor
    /// approved. Only the unit's own projects; an empty line clears what the project held. A
    /// line of a project whose month its earlier unit handed in (`held_elsewhere`) is skipped:
    /// a move of the project does not take the reported month from that unit.
    pub async fn save_dispatch(
        &self,
        actor: &Actor,
        period_id: i64,
        unit_id: i64,
        lines: &[DispatchInput],
    ) -> Result<()> {
        let (_, latest) = self.open_for_unit(actor, period_id, unit_id).await?;
        if let Some(s) = latest.filter(|s| !s.status.is_editable()) {
            return Err(StoreError::Conflict(format!(
                "该期报送为「{}」, 项目调度不能再修改 (the submission is locked)",
                s.status.label(qx_core::label::Lang::Zh)
            )));
        }
        let own: HashMap<i64, String> =
            sqlx::query_as::<_, (i64, String)>("SELECT id, name FROM projects WHERE unit_id = $1")
                .bind(unit_id)
                .fetch_all(self.pool())
                .await?
                .into_iter()
                .collect();
        let mut checked = Vec::with_capacity(lines.len());
        for l in lines {
            let Some(name) = own.get(&l.project_id) else {
                return Err(StoreError::Invalid(format!(
                    "项目 {} 不由本单位负责 (not this unit's project)",
                    l.project_id
                )));
            };
            checked.push(DispatchInput {
                project_id: l.project_id,
                figures: l.figures.checked(name)?,
            });
        }
        // A month its earlier unit has handed in stays theirs.
        let held = self.held_elsewhere(period_id, unit_id).await?;
        checked.retain(|l| !held.contains(&l.project_id));
        let mut tx = self.begin().await?;
        let now = crate::now();
        for l in &checked {
            let f = &l.figures;
            if f.is_empty() {
                sqlx::query(
                    "DELETE FROM project_dispatches
                     WHERE period_id = $1 AND project_id = $2 AND unit_id = $3 AND problem_id IS NULL",
                )
                .bind(period_id)
                .bind(l.project_id)
                .bind(unit_id)
                .execute(&mut *tx)
                .await?;
                continue;
            }
            sqlx::query(
                "INSERT INTO project_dispatches (period_id, project_id, unit_id, invested_wan, foreign_wusd,
                    domestic_wan, progress, progress_pct, blockers, updated_by, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
                 ON CONFLICT (period_id, project_id) DO UPDATE SET unit_id = $3, invested_wan = $4,
                    foreign_wusd = $5, domestic_wan = $6, progress = $7, progress_pct = $8,
                    blockers = $9, updated_by = $10, updated_at = $11",
            )
            .bind(period_id)
            .bind(l.project_id)
            .bind(unit_id)
            .bind(crate::OptF64(f.invested_wan))
            .bind(crate::OptF64(f.foreign_wusd))
            .bind(crate::OptF64(f.domestic_wan))
            .bind(&f.progress)
            .bind(crate::OptF64(f.progress_pct))
            .bind(&f.blockers)
            .bind((actor.user_id != 0).then_some(actor.user_id))
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        // Under a correction the earlier revision stays approved, so the saved months count now.
        super::year_done::refresh(&mut tx, self.engine(), period_id, unit_id).await?;
        crate::commit_audited(
            tx,
            AuditEntry::new(actor, "project.dispatch", "report_period", period_id)
                .after(serde_json::json!({ "unit_id": unit_id, "lines": checked })),
        )
        .await
    }
}
