//! Manual points (加分/扣分, 一票否决 facts): entered by the office per year, unit and item key
//! with a reason and the evidence; each entry is a record behind the item's figure.

use super::{EVIDENCE, REASON, only_office};
use crate::audit::AuditEntry;
use crate::{Result, Store, StoreError, commit_audited};
use qx_core::access::Actor;
use serde::Serialize;

/// A manual entry to make.
#[derive(Debug, Clone, Serialize)]
pub struct NewManual {
    pub year: i32,
    pub unit_id: i64,
    pub item_key: String,
    pub points: f64,
    pub reason: String,
    /// What the points rest on (a document's name and number, a link to the file).
    pub evidence: String,
}

/// A stored manual entry.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ManualEntry {
    pub id: i64,
    pub year: i64,
    pub unit_id: i64,
    pub item_key: String,
    pub points: f64,
    pub reason: String,
    pub evidence: String,
    pub created_at: i64,
}

impl Store {
    /// Enters manual points (the office only). Field errors name the field in Chinese.
    pub async fn add_assessment_manual(&self, actor: &Actor, new: &NewManual) -> Result<i64> {
        only_office(actor)?;
        if new.item_key.trim().is_empty() {
            return Err(StoreError::Invalid("项目: 请选择考核项目".into()));
        }
        if !new.points.is_finite() || new.points.abs() > 1000.0 {
            return Err(StoreError::Invalid(
                "分值: 应为 -1000 到 1000 之间的数字".into(),
            ));
        }
        let reason = REASON.check(&new.reason).map_err(StoreError::Invalid)?;
        let evidence = EVIDENCE.check(&new.evidence).map_err(StoreError::Invalid)?;
        let mut tx = self.begin().await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO assessment_manual (year, unit_id, item_key, points, reason, evidence, \
             created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(i64::from(new.year))
        .bind(new.unit_id)
        .bind(new.item_key.trim())
        .bind(new.points)
        .bind(reason)
        .bind(evidence)
        .bind(actor.user_id)
        .bind(crate::now())
        .fetch_one(&mut *tx)
        .await?;
        let entry = AuditEntry::new(actor, "assessment.manual", "assessment_manual", id).after(new);
        commit_audited(tx, entry).await?;
        Ok(id)
    }

    /// The manual entries of `year` the reader may see (a unit: its own).
    pub async fn assessment_manual(&self, actor: &Actor, year: i32) -> Result<Vec<ManualEntry>> {
        let all = actor.reads_all();
        Ok(sqlx::query_as(
            "SELECT id, year, unit_id, item_key, points, reason, evidence, created_at \
             FROM assessment_manual WHERE year = $1 AND ($2 = 1 OR unit_id = $3) ORDER BY id",
        )
        .bind(i64::from(year))
        .bind(i64::from(all))
        .bind(actor.unit_id.unwrap_or(0))
        .fetch_all(self.pool())
        .await?)
    }
}
