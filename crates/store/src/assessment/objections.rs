//! 异议: a unit objects to one of its items during 公示, with a reason and evidence; the office
//! answers once — upheld with the item's new points (recorded before/after, the unit
//! re-scored and its class re-ranked in the same transaction) or rejected. The office may
//! also adjust an item without an objection, audited the same way.

use super::notices::tell;
use super::results::rescore;
use super::{ANSWER, EVIDENCE, REASON, objection_status, only_office, refuse_final};
use crate::audit::AuditEntry;
use crate::{Result, Store, StoreError, Tx, commit_audited};
use qx_core::access::Actor;
use qx_core::assessment::{ObjectionStatus, RunAction};
use qx_core::notice::{Audience, NoticeKind, Subject, Text};
use serde::Serialize;

/// An objection as filed.
#[derive(Debug, Clone, Serialize)]
pub struct NewObjection {
    pub run_id: i64,
    pub item_key: String,
    pub reason: String,
    pub evidence: String,
}

/// The office's answer.
#[derive(Debug, Clone, Serialize)]
pub struct Answer {
    pub upheld: bool,
    pub answer: String,
    /// The item's points after (upheld only; `None` keeps them).
    pub points: Option<f64>,
}

/// A stored objection.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Objection {
    pub id: i64,
    pub run_id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub item_key: String,
    /// The item's name in the unit's result.
    pub item_name: String,
    pub reason: String,
    pub evidence: String,
    #[sqlx(try_from = "String")]
    pub status: ObjectionStatus,
    pub answer: String,
    pub points_before: Option<f64>,
    pub points_after: Option<f64>,
    pub created_at: i64,
}

#[derive(Serialize)]
struct Adjusted<'a> {
    unit_id: i64,
    item_key: &'a str,
    points: f64,
    reason: &'a str,
}

/// The item's id and points in a unit's result.
async fn item_points(tx: &mut Tx, run_id: i64, unit_id: i64, key: &str) -> Result<(i64, i64, f64)> {
    sqlx::query_as(
        "SELECT i.id, r.id, i.points FROM assessment_items i \
         JOIN assessment_results r ON r.id = i.result_id \
         WHERE r.run_id = $1 AND r.unit_id = $2 AND i.item_key = $3",
    )
    .bind(run_id)
    .bind(unit_id)
    .bind(key)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or_else(|| StoreError::Invalid("项目: 本单位考核结果中没有这一项".into()))
}

fn check_points(points: f64) -> Result<f64> {
    if points.is_finite() && (0.0..=1000.0).contains(&points) {
        Ok(points)
    } else {
        Err(StoreError::Invalid(
            "调整后得分: 应为 0 到 1000 之间的数字".into(),
        ))
    }
}

/// Sets an item's points and re-scores; returns the points before.
async fn set_points(tx: &mut Tx, run_id: i64, unit_id: i64, key: &str, points: f64) -> Result<f64> {
    let (item_id, result_id, before) = item_points(tx, run_id, unit_id, key).await?;
    sqlx::query("UPDATE assessment_items SET points = $1 WHERE id = $2")
        .bind(points)
        .bind(item_id)
        .execute(&mut **tx)
        .await?;
    rescore(tx, result_id).await?;
    Ok(before)
}

impl Store {
    /// A unit files an objection on one of its items (only during 公示); the office is told.
    /// Returns the objection and the notices made.
    pub async fn file_assessment_objection(
        &self,
        actor: &Actor,
        new: &NewObjection,
    ) -> Result<(i64, Vec<i64>)> {
        let Some(unit_id) = actor.unit_id.filter(|_| !actor.reads_all()) else {
            return Err(StoreError::Forbidden("异议由被考核单位提出".into()));
        };
        let run = self.assessment_run(actor, new.run_id).await?;
        run.status
            .apply(RunAction::Object)
            .map_err(|e| StoreError::Conflict(e.to_string()))?;
        let reason = REASON.check(&new.reason).map_err(StoreError::Invalid)?;
        let evidence = EVIDENCE.check(&new.evidence).map_err(StoreError::Invalid)?;
        let mut tx = self.begin().await?;
        item_points(&mut tx, run.id, unit_id, &new.item_key).await?;
        let (unit_name, item_name): (String, String) = sqlx::query_as(
            "SELECT r.unit_name, i.name FROM assessment_items i \
             JOIN assessment_results r ON r.id = i.result_id \
             WHERE r.run_id = $1 AND r.unit_id = $2 AND i.item_key = $3",
        )
        .bind(run.id)
        .bind(unit_id)
        .bind(&new.item_key)
        .fetch_one(&mut *tx)
        .await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO assessment_objections (run_id, unit_id, item_key, reason, evidence, status, \
             created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(run.id)
        .bind(unit_id)
        .bind(&new.item_key)
        .bind(reason)
        .bind(evidence)
        .bind(ObjectionStatus::Open.as_str())
        .bind(actor.user_id)
        .bind(crate::now())
        .fetch_one(&mut *tx)
        .await?;
        let mut notices = Vec::new();
        tell(
            &mut tx,
            &mut notices,
            Audience::Office,
            NoticeKind::AssessmentObjection,
            Subject::AssessmentRun(run.id),
            Text::AssessmentObjection {
                unit: unit_name.to_string(),
                period: run.period.clone(),
                item: item_name.to_string(),
            },
        )
        .await?;
        let entry =
            AuditEntry::new(actor, "assessment.object", "assessment_objection", id).after(new);
        commit_audited(tx, entry).await?;
        Ok((id, notices))
    }

    /// The objections of a run the reader may see (a unit: its own).
    pub async fn assessment_objections(
        &self,
        actor: &Actor,
        run_id: i64,
    ) -> Result<Vec<Objection>> {
        self.assessment_run(actor, run_id).await?;
        Ok(sqlx::query_as(
            "SELECT o.id, o.run_id, o.unit_id, u.name AS unit_name, o.item_key, \
             COALESCE(i.name, o.item_key) AS item_name, o.reason, o.evidence, \
             o.status, o.answer, o.points_before, o.points_after, o.created_at \
             FROM assessment_objections o JOIN units u ON u.id = o.unit_id \
             LEFT JOIN assessment_results r ON r.run_id = o.run_id AND r.unit_id = o.unit_id \
             LEFT JOIN assessment_items i ON i.result_id = r.id AND i.item_key = o.item_key \
             WHERE o.run_id = $1 AND ($2 = 1 OR o.unit_id = $3) ORDER BY o.id",
        )
        .bind(run_id)
        .bind(i64::from(actor.reads_all()))
        .bind(actor.unit_id.unwrap_or(0))
        .fetch_all(self.pool())
        .await?)
    }

    /// The office answers an objection once; upheld with points adjusts the item. The unit is
    /// told; returns the notices made.
    pub async fn answer_assessment_objection(
        &self,
        actor: &Actor,
        id: i64,
        a: &Answer,
    ) -> Result<Vec<i64>> {
        only_office(actor)?;
        let (run_id, unit_id, key, status): (i64, i64, String, String) = sqlx::query_as(
            "SELECT run_id, unit_id, item_key, status FROM assessment_objections WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("异议 {id}")))?;
        let run = self.assessment_run(actor, run_id).await?;
        refuse_final(run.status)?;
        let next = objection_status(&status)?
            .answer(a.upheld)
            .map_err(|e| StoreError::Conflict(e.to_string()))?;
        let answer = ANSWER.check(&a.answer).map_err(StoreError::Invalid)?;
        let after = match a.points {
            Some(p) if a.upheld => Some(check_points(p)?),
            _ => None,
        };
        let mut tx = self.begin().await?;
        let before = match after {
            Some(p) => Some(set_points(&mut tx, run_id, unit_id, &key, p).await?),
            None => None,
        };
        sqlx::query(
            "UPDATE assessment_objections SET status = $1, answer = $2, points_before = $3, \
             points_after = $4, answered_by = $5, answered_at = $6 WHERE id = $7",
        )
        .bind(next.as_str())
        .bind(answer)
        .bind(crate::OptF64(before))
        .bind(crate::OptF64(after))
        .bind(actor.user_id)
        .bind(crate::now())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let (_, result_id, _) = item_points(&mut tx, run_id, unit_id, &key).await?;
        let text = Text::AssessmentAnswered {
            period: run.period.clone(),
            upheld: a.upheld,
            points: before.zip(after).filter(|_| a.upheld),
        };
        let mut notices = Vec::new();
        tell(
            &mut tx,
            &mut notices,
            Audience::Unit(unit_id),
            NoticeKind::AssessmentObjectionAnswered,
            Subject::AssessmentResult(result_id),
            text,
        )
        .await?;
        let entry = AuditEntry::new(actor, "assessment.answer", "assessment_objection", id)
            .before(serde_json::json!({ "status": status, "points": before }))
            .after(
                serde_json::json!({ "status": next.as_str(), "points": after, "answer": answer }),
            );
        commit_audited(tx, entry).await?;
        Ok(notices)
    }

    /// The office sets an item's points directly (before 终审), with a reason.
    pub async fn adjust_assessment_item(
        &self,
        actor: &Actor,
        run_id: i64,
        unit_id: i64,
        item_key: &str,
        points: f64,
        reason: &str,
    ) -> Result<()> {
        only_office(actor)?;
        let run = self.assessment_run(actor, run_id).await?;
        run.status
            .apply(RunAction::Adjust)
            .map_err(|e| StoreError::Conflict(e.to_string()))?;
        let points = check_points(points)?;
        let reason = REASON.check(reason).map_err(StoreError::Invalid)?;
        let mut tx = self.begin().await?;
        let before = set_points(&mut tx, run_id, unit_id, item_key, points).await?;
        let entry = AuditEntry::new(actor, "assessment.adjust", "assessment_run", run_id)
            .before(
                serde_json::json!({ "unit_id": unit_id, "item_key": item_key, "points": before }),
            )
            .after(Adjusted {
                unit_id,
                item_key,
                points,
                reason,
            });
        commit_audited(tx, entry).await
    }
}
