//! Runs: scoring results stored as rows (one transaction, audited), then 公示 and 终审.

use super::notices::tell_units;
use super::{Run, only_office, refuse_final, visible_to_units};
use crate::audit::AuditEntry;
use crate::{Result, Store, StoreError, commit_audited};
use qx_core::access::Actor;
use qx_core::assessment::{ObjectionStatus, Placed, RunAction, RunStatus, UnitScore};
use qx_core::notice::{NoticeKind, Text};
use serde::Serialize;
use std::collections::HashMap;

macro_rules! run_columns {
    () => {
        "SELECT id, year, period, plan_id, status, publicity_until, created_at, finalised_at \
         FROM assessment_runs "
    };
}

/// One scheme's units as scored.
#[derive(Debug, Clone)]
pub struct RunGroup {
    pub scheme_id: i64,
    pub scores: Vec<UnitScore>,
    pub placed: Vec<Placed>,
}

/// A run to store.
#[derive(Debug, Clone)]
pub struct NewRun {
    pub year: i32,
    pub period: String,
    pub plan_id: i64,
    pub groups: Vec<RunGroup>,
}

#[derive(Serialize)]
struct RunAudit<'a> {
    year: i32,
    period: &'a str,
    schemes: Vec<i64>,
    units: usize,
}

impl Store {
    /// Stores a run's results as 初步结果 (the office only).
    pub async fn create_assessment_run(&self, actor: &Actor, new: &NewRun) -> Result<i64> {
        only_office(actor)?;
        let mut tx = self.begin().await?;
        let (run_id,): (i64,) = sqlx::query_as(
            "INSERT INTO assessment_runs (year, period, plan_id, status, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(i64::from(new.year))
        .bind(&new.period)
        .bind(new.plan_id)
        .bind(RunStatus::Preliminary.as_str())
        .bind(actor.user_id)
        .bind(crate::now())
        .fetch_one(&mut *tx)
        .await?;
        let mut units = 0;
        for g in &new.groups {
            let placed: HashMap<i64, &Placed> = g.placed.iter().map(|p| (p.unit_id, p)).collect();
            for s in &g.scores {
                let p = placed.get(&s.unit_id);
                let place = p.map(|p| i64::from(p.place));
                let previous = p.and_then(|p| Some(i64::from(p.place) + i64::from(p.change?)));
                let (result_id,): (i64,) = sqlx::query_as(
                    "INSERT INTO assessment_results (run_id, scheme_id, unit_id, unit_name, score, \
                     place, previous_place, lead_days, vetoed) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
                )
                .bind(run_id)
                .bind(g.scheme_id)
                .bind(s.unit_id)
                .bind(&s.unit)
                .bind(crate::OptF64(s.score))
                .bind(place)
                .bind(previous)
                .bind(crate::OptF64(s.lead_days))
                .bind(s.vetoed.as_deref())
                .fetch_one(&mut *tx)
                .await?;
                for i in &s.items {
                    sqlx::query(
                        "INSERT INTO assessment_items (result_id, item_key, name, kind, source, \
                         weight, figure, record_count, points, applicable, class_average, provenance) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                    )
                    .bind(result_id)
                    .bind(&i.key)
                    .bind(&i.name)
                    .bind(i.kind.as_str())
                    .bind(i.source.as_str())
                    .bind(i.weight)
                    .bind(crate::OptF64(i.figure))
                    .bind(i64::from(i.count))
                    .bind(i.points)
                    .bind(i64::from(i.applicable))
                    .bind(i64::from(i.class_average))
                    .bind(serde_json::to_string(&i.facts).unwrap_or_else(|_| "[]".into()))
                    .execute(&mut *tx)
                    .await?;
                }
                units += 1;
            }
        }
        let audit = RunAudit {
            year: new.year,
            period: &new.period,
            schemes: new.groups.iter().map(|g| g.scheme_id).collect(),
            units,
        };
        let entry =
            AuditEntry::new(actor, "assessment.run", "assessment_run", run_id).after(&audit);
        commit_audited(tx, entry).await?;
        Ok(run_id)
    }

    /// The runs the reader may see, newest first (units: those in 公示 or final).
    pub async fn assessment_runs(&self, actor: &Actor) -> Result<Vec<Run>> {
        let runs: Vec<Run> = sqlx::query_as(concat!(
            run_columns!(),
            "ORDER BY year DESC, period DESC, id DESC"
        ))
        .fetch_all(self.pool())
        .await?;
        Ok(runs
            .into_iter()
            .filter(|r| actor.reads_all() || visible_to_units(r.status))
            .collect())
    }

    /// One run, if the reader may see it.
    pub async fn assessment_run(&self, actor: &Actor, id: i64) -> Result<Run> {
        let run: Option<Run> = sqlx::query_as(concat!(run_columns!(), "WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        match run {
            Some(r)
                if actor.reads_all() || (actor.unit_id.is_some() && visible_to_units(r.status)) =>
            {
                Ok(r)
            }
            _ => Err(StoreError::NotFound(format!("考核 {id}"))),
        }
    }

    /// The latest final run of `period` ("2017Q3"), if any (what the bulletin ranks by).
    pub async fn final_assessment_run(&self, period: &str) -> Result<Option<Run>> {
        Ok(sqlx::query_as(concat!(
            run_columns!(),
            "WHERE period = $1 AND status = $2 ORDER BY id DESC LIMIT 1"
        ))
        .bind(period)
        .bind(RunStatus::Final.as_str())
        .fetch_optional(self.pool())
        .await?)
    }

    /// Starts 公示 until `until` (ISO, the last working day; the office only); every unit of
    /// the run is told. Returns the notices made.
    pub async fn publish_assessment_run(
        &self,
        actor: &Actor,
        id: i64,
        until: &str,
    ) -> Result<Vec<i64>> {
        self.step_run(actor, id, RunAction::Publish, Some(until))
            .await
    }

    /// 终审: freezes the run (the office only; no objection may still be open); every unit of
    /// the run is told. Returns the notices made.
    pub async fn finalise_assessment_run(&self, actor: &Actor, id: i64) -> Result<Vec<i64>> {
        let (open,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM assessment_objections WHERE run_id = $1 AND status = $2",
        )
        .bind(id)
        .bind(ObjectionStatus::Open.as_str())
        .fetch_one(self.pool())
        .await?;
        if open > 0 {
            return Err(StoreError::Conflict(format!(
                "还有 {open} 条异议未答复, 答复后才能终审"
            )));
        }
        self.step_run(actor, id, RunAction::Finalise, None).await
    }

    async fn step_run(
        &self,
        actor: &Actor,
        id: i64,
        action: RunAction,
        until: Option<&str>,
    ) -> Result<Vec<i64>> {
        only_office(actor)?;
        let run = self.assessment_run(actor, id).await?;
        refuse_final(run.status)?;
        let next = run
            .status
            .apply(action)
            .map_err(|e| StoreError::Conflict(e.to_string()))?;
        let mut tx = self.begin().await?;
        let finalised = next.is_final().then(crate::now);
        sqlx::query(
            "UPDATE assessment_runs SET status = $1, publicity_until = COALESCE($2, publicity_until), \
             finalised_at = COALESCE($3, finalised_at) WHERE id = $4",
        )
        .bind(next.as_str())
        .bind(until)
        .bind(finalised)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let period = run.period.clone();
        let (kind, text) = match (action, &until) {
            (RunAction::Publish, Some(until)) => (
                NoticeKind::AssessmentPublished,
                Text::AssessmentPublished {
                    period,
                    until: until.to_string(),
                },
            ),
            _ => (
                NoticeKind::AssessmentFinalised,
                Text::AssessmentFinalised { period },
            ),
        };
        let notices = tell_units(&mut tx, id, kind, &text).await?;
        let entry = AuditEntry::new(actor, "assessment.step", "assessment_run", id)
            .before(run.status.as_str())
            .after(serde_json::json!({ "status": next.as_str(), "publicity_until": until }));
        commit_audited(tx, entry).await?;
        Ok(notices)
    }
}
