//! Schemes: saving one makes a new version of (year, name); runs name the version they used.

use super::{SchemeVersion, only_office};
use crate::audit::AuditEntry;
use crate::{Result, Store, StoreError, commit_audited};
use qx_core::access::Actor;
use qx_core::assessment::Scheme;
use qx_core::label::{Labelled, Lang};
use std::collections::BTreeSet;

macro_rules! columns {
    () => {
        "SELECT id, year, name, version, body, created_at FROM assessment_schemes "
    };
}

impl Store {
    /// Saves `scheme` as the next version of its (year, name) (the office only); validated
    /// first, the error naming the field. A name keeps its cadence across versions, so a
    /// year's quarterly and annual schemes for one class never replace each other: an annual
    /// scheme under a quarterly scheme's name (or the reverse) is refused, naming the field.
    pub async fn save_assessment_scheme(&self, actor: &Actor, scheme: &Scheme) -> Result<i64> {
        only_office(actor)?;
        scheme
            .validate()
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        let mut tx = self.begin().await?;
        let (latest,): (Option<i64>,) = sqlx::query_as(
            "SELECT MAX(version) FROM assessment_schemes WHERE year = $1 AND name = $2",
        )
        .bind(i64::from(scheme.year))
        .bind(&scheme.name)
        .fetch_one(&mut *tx)
        .await?;
        if let Some(v) = latest {
            let (body,): (String,) = sqlx::query_as(
                "SELECT body FROM assessment_schemes WHERE year = $1 AND name = $2 AND version = $3",
            )
            .bind(i64::from(scheme.year))
            .bind(&scheme.name)
            .bind(v)
            .fetch_one(&mut *tx)
            .await?;
            let was = SchemeVersion {
                id: 0,
                year: i64::from(scheme.year),
                name: scheme.name.clone(),
                version: v,
                body,
                created_at: 0,
            }
            .scheme()?
            .cadence;
            if was != scheme.cadence {
                return Err(StoreError::Invalid(format!(
                    "name: {} 年已有名为“{}”的{}方案; {}方案请另起名称",
                    scheme.year,
                    scheme.name,
                    was.label(Lang::Zh),
                    scheme.cadence.label(Lang::Zh)
                )));
            }
        }
        let version = latest.unwrap_or(0) + 1;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO assessment_schemes (year, name, version, body, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(i64::from(scheme.year))
        .bind(&scheme.name)
        .bind(version)
        .bind(scheme.to_json())
        .bind(actor.user_id)
        .bind(crate::now())
        .fetch_one(&mut *tx)
        .await?;
        let entry =
            AuditEntry::new(actor, "assessment.scheme", "assessment_scheme", id).after(scheme);
        commit_audited(tx, entry).await?;
        Ok(id)
    }

    /// The latest version of every scheme of `year`, by name (anyone who reads assessments).
    pub async fn assessment_schemes(&self, year: i32) -> Result<Vec<SchemeVersion>> {
        let sql = concat!(
            columns!(),
            "s WHERE year = $1 AND version = (SELECT MAX(version) FROM assessment_schemes o \
             WHERE o.year = s.year AND o.name = s.name) ORDER BY id"
        );
        Ok(sqlx::query_as(sql)
            .bind(i64::from(year))
            .fetch_all(self.pool())
            .await?)
    }

    /// Every item and veto key a scheme of `year` has used in any version, and every key manual
    /// points of the year were entered under. Manual points are kept by (year, unit, key), so a
    /// new item numbered with one of these would inherit points meant for another; a form that
    /// numbers new rows picks a key outside this set.
    pub async fn assessment_keys_used(&self, year: i32) -> Result<BTreeSet<String>> {
        let versions: Vec<SchemeVersion> = sqlx::query_as(concat!(columns!(), "WHERE year = $1"))
            .bind(i64::from(year))
            .fetch_all(self.pool())
            .await?;
        let manual: Vec<(String,)> =
            sqlx::query_as("SELECT DISTINCT item_key FROM assessment_manual WHERE year = $1")
                .bind(i64::from(year))
                .fetch_all(self.pool())
                .await?;
        let mut used: BTreeSet<String> = manual.into_iter().map(|(k,)| k).collect();
        for version in versions {
            let scheme = version.scheme()?;
            used.extend(scheme.items.into_iter().map(|i| i.key));
            used.extend(scheme.vetoes.into_iter().map(|v| v.key));
        }
        Ok(used)
    }

    /// One saved version.
    pub async fn assessment_scheme(&self, id: i64) -> Result<SchemeVersion> {
        sqlx::query_as(concat!(columns!(), "WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("考核方案 {id}")))
    }
}
