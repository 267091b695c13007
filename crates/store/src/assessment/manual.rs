//! Manual points (加分/扣分, 一票否决 facts): entered by the office per year, unit and item key
//! with a reason, the evidence named and, optionally, the evidence file (checked by the one
//! attachment rule of `qx_core::attachment`); each entry is a record behind the item's figure.
//! Entries of a year can be entered, edited and deleted until the year's result is final (终审).

use super::{EVIDENCE, REASON, only_office};
use crate::audit::AuditEntry;
use crate::problems::MAX_ATTACHMENT_BYTES;
use crate::{Result, Store, StoreError, commit_audited};
use qx_core::access::Actor;
use serde::Serialize;

/// An evidence file as uploaded: the client's name and the bytes; its type is decided by the
/// attachment rule, never taken from the client.
#[derive(Debug, Clone)]
pub struct ManualFile {
    pub filename: String,
    pub data: Vec<u8>,
}

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
    /// The evidence file, if any (audited by name and size).
    #[serde(skip)]
    pub file: Option<ManualFile>,
}

/// What editing a manual entry may change.
#[derive(Debug, Clone, Serialize)]
pub struct ManualEdit {
    pub points: f64,
    pub reason: String,
    pub evidence: String,
}

/// A stored manual entry, with its file's name if it has one.
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
    pub filename: Option<String>,
}

/// An entry's evidence file.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ManualFileData {
    pub filename: String,
    pub content_type: String,
    pub data: Vec<u8>,
}

macro_rules! entry_columns {
    () => {
        "SELECT m.id, m.year, m.unit_id, m.item_key, m.points, m.reason, m.evidence, \
         m.created_at, f.filename FROM assessment_manual m \
         LEFT JOIN assessment_manual_files f ON f.manual_id = m.id "
    };
}

impl Store {
    /// Refuses a change to `year`'s manual points once the year's result is final.
    async fn manual_open(&self, year: i64) -> Result<()> {
        if self
            .final_assessment_run(&year.to_string())
            .await?
            .is_some()
        {
            return Err(StoreError::Invalid(format!(
                "{year}年度考核结果已终审, 人工加减分不能再更改"
            )));
        }
        Ok(())
    }

    /// Enters manual points (the office only, until the year is final). Field errors name the
    /// field in Chinese.
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
        let checked = match &new.file {
            Some(f) => Some(
                qx_core::attachment::check_attachment(
                    "附件",
                    &f.filename,
                    &f.data,
                    MAX_ATTACHMENT_BYTES,
                )
                .map_err(StoreError::Invalid)?,
            ),
            None => None,
        };
        self.manual_open(i64::from(new.year)).await?;
        let now = crate::now();
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
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let mut after = serde_json::to_value(new).unwrap_or_default();
        if let (Some(c), Some(f)) = (&checked, &new.file) {
            sqlx::query(
                "INSERT INTO assessment_manual_files (manual_id, filename, content_type, size, \
                 data, uploaded_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(id)
            .bind(c.name.as_str())
            .bind(c.content_type())
            .bind(i64::try_from(f.data.len()).unwrap_or(i64::MAX))
            .bind(f.data.clone())
            .bind((actor.user_id != 0).then_some(actor.user_id))
            .bind(now)
            .execute(&mut *tx)
            .await?;
            after["file"] = serde_json::json!({"filename": c.name.as_str(), "size": f.data.len()});
        }
        let entry =
            AuditEntry::new(actor, "assessment.manual", "assessment_manual", id).after(after);
        commit_audited(tx, entry).await?;
        Ok(id)
    }

    /// One manual entry, if the reader may see it (a unit: its own).
    pub async fn assessment_manual_entry(&self, actor: &Actor, id: i64) -> Result<ManualEntry> {
        sqlx::query_as(concat!(
            entry_columns!(),
            "WHERE m.id = $1 AND ($2 = 1 OR m.unit_id = $3)"
        ))
        .bind(id)
        .bind(i64::from(actor.reads_all()))
        .bind(actor.unit_id.unwrap_or(0))
        .fetch_optional(self.pool())
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("人工加减分 {id}")))
    }

    /// Changes a manual entry's points, reason and evidence (the office only, until the year
    /// is final), audited with the entry before and after. Field errors name the field.
    pub async fn update_assessment_manual(
        &self,
        actor: &Actor,
        id: i64,
        edit: &ManualEdit,
    ) -> Result<()> {
        only_office(actor)?;
        let before = self.assessment_manual_entry(actor, id).await?;
        if !edit.points.is_finite() || edit.points.abs() > 1000.0 {
            return Err(StoreError::Invalid(
                "分值: 应为 -1000 到 1000 之间的数字".into(),
            ));
        }
        let reason = REASON.check(&edit.reason).map_err(StoreError::Invalid)?;
        let evidence = EVIDENCE
            .check(&edit.evidence)
            .map_err(StoreError::Invalid)?;
        self.manual_open(before.year).await?;
        let mut tx = self.begin().await?;
        sqlx::query(
            "UPDATE assessment_manual SET points = $1, reason = $2, evidence = $3 WHERE id = $4",
        )
        .bind(edit.points)
        .bind(reason)
        .bind(evidence)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let after = ManualEntry {
            points: edit.points,
            reason: reason.to_string(),
            evidence: evidence.to_string(),
            ..before.clone()
        };
        let audit = AuditEntry::new(actor, "assessment.manual_update", "assessment_manual", id)
            .before(&before)
            .after(&after);
        commit_audited(tx, audit).await?;
        Ok(())
    }

    /// Deletes a manual entry and its file (the office only, until the year is final).
    pub async fn delete_assessment_manual(&self, actor: &Actor, id: i64) -> Result<()> {
        only_office(actor)?;
        let entry: ManualEntry = sqlx::query_as(concat!(entry_columns!(), "WHERE m.id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("人工加减分 {id}")))?;
        self.manual_open(entry.year).await?;
        let mut tx = self.begin().await?;
        sqlx::query("DELETE FROM assessment_manual_files WHERE manual_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM assessment_manual WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let audit = AuditEntry::new(actor, "assessment.manual_delete", "assessment_manual", id)
            .before(&entry);
        commit_audited(tx, audit).await?;
        Ok(())
    }

    /// The manual entries of `year` the reader may see (a unit: its own).
    pub async fn assessment_manual(&self, actor: &Actor, year: i32) -> Result<Vec<ManualEntry>> {
        let all = actor.reads_all();
        Ok(sqlx::query_as(concat!(
            entry_columns!(),
            "WHERE m.year = $1 AND ($2 = 1 OR m.unit_id = $3) ORDER BY m.id"
        ))
        .bind(i64::from(year))
        .bind(i64::from(all))
        .bind(actor.unit_id.unwrap_or(0))
        .fetch_all(self.pool())
        .await?)
    }

    /// An entry's evidence file: the office and leaders any, a unit its own; else "not found".
    pub async fn assessment_manual_file(&self, actor: &Actor, id: i64) -> Result<ManualFileData> {
        sqlx::query_as(
            "SELECT f.filename, f.content_type, f.data FROM assessment_manual_files f \
             JOIN assessment_manual m ON m.id = f.manual_id \
             WHERE f.manual_id = $1 AND ($2 = 1 OR m.unit_id = $3)",
        )
        .bind(id)
        .bind(i64::from(actor.reads_all()))
        .bind(actor.unit_id.unwrap_or(0))
        .fetch_optional(self.pool())
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("人工加减分 {id} 的附件")))
    }
}
