//! Bulletin snapshots and published files (月度快报 / 季度通报).
//!
//! Publishing stores, in one transaction with its audit entry, the snapshot JSON the bulletin
//! was built from and every file rendered from it. Published rows are immutable (triggers on
//! both engines), one per plan, kind and period. The office publishes; leaders and units read
//! published bulletins; enterprises read none.

use crate::audit::{AuditEntry, append};
use crate::office_only;
use crate::{Result, Store, StoreError};
use qx_core::access::{Actor, Role};
use qx_core::bulletin::BulletinKind;
use serde::Serialize;
use sha2::{Digest, Sha256};

/// A published bulletin (without its snapshot and files).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Bulletin {
    pub id: i64,
    pub plan_id: i64,
    #[sqlx(try_from = "String")]
    pub kind: BulletinKind,
    pub period: String,
    pub doc_number: String,
    pub title: String,
    pub snapshot_sha256: String,
    pub published_by: Option<i64>,
    pub published_by_name: String,
    pub published_at: i64,
}

/// One rendered file of a bulletin.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct BulletinFile {
    pub format: String,
    pub file_name: String,
    pub mime: String,
    #[serde(skip)]
    pub data: Vec<u8>,
}

/// What the office publishes.
#[derive(Debug, Clone)]
pub struct NewBulletin {
    pub plan_id: i64,
    pub kind: BulletinKind,
    pub period: String,
    pub doc_number: String,
    pub title: String,
    pub snapshot_json: String,
    pub files: Vec<BulletinFile>,
}

const COLUMNS: &str = "id, plan_id, kind, period, doc_number, title, snapshot_sha256, published_by, published_by_name, published_at";

fn may_read(actor: &Actor) -> Result<()> {
    if actor.role == Role::Enterprise {
        return Err(StoreError::Forbidden("快报通报 (bulletins)".into()));
    }
    Ok(())
}

fn sha256(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

impl Store {
    /// Published bulletins of a plan, newest period first.
    pub async fn list_bulletins(&self, actor: &Actor, plan_id: i64) -> Result<Vec<Bulletin>> {
        may_read(actor)?;
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM bulletins WHERE plan_id = $1 ORDER BY published_at DESC, id DESC"
        )))
        .bind(plan_id)
        .fetch_all(self.pool())
        .await?)
    }

    pub async fn get_bulletin(&self, actor: &Actor, id: i64) -> Result<Bulletin> {
        may_read(actor)?;
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM bulletins WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("快报通报 {id}")))
    }

    /// The bulletin published for a plan, kind and period, if any.
    pub async fn find_bulletin(
        &self,
        actor: &Actor,
        plan_id: i64,
        kind: BulletinKind,
        period: &str,
    ) -> Result<Option<Bulletin>> {
        may_read(actor)?;
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM bulletins WHERE plan_id = $1 AND kind = $2 AND period = $3"
        )))
        .bind(plan_id)
        .bind(kind.as_str())
        .bind(period)
        .fetch_optional(self.pool())
        .await?)
    }

    /// The frozen snapshot (JSON) a published bulletin was built from.
    pub async fn bulletin_snapshot(&self, actor: &Actor, id: i64) -> Result<String> {
        may_read(actor)?;
        let row: Option<(String,)> =
            sqlx::query_as("SELECT snapshot_json FROM bulletins WHERE id = $1")
                .bind(id)
                .fetch_optional(self.pool())
                .await?;
        row.map(|(j,)| j)
            .ok_or_else(|| StoreError::NotFound(format!("快报通报 {id}")))
    }

    /// An archived file of a published bulletin (`docx`, `xlsx`, `html`).
    pub async fn bulletin_file(
        &self,
        actor: &Actor,
        id: i64,
        format: &str,
    ) -> Result<BulletinFile> {
        may_read(actor)?;
        sqlx::query_as("SELECT format, file_name, mime, data FROM bulletin_files WHERE bulletin_id = $1 AND format = $2")
            .bind(id)
            .bind(format)
            .fetch_optional(self.pool())
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("快报通报 {id} 的 {format} 文件")))
    }

    /// How many bulletins were published for plans of `year` (发文字号 run per year).
    pub async fn count_bulletins_of_year(&self, year: i64) -> Result<i64> {
        let (n,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM bulletins b JOIN plans p ON p.id = b.plan_id WHERE p.year = $1",
        )
        .bind(year)
        .fetch_one(self.pool())
        .await?;
        Ok(n)
    }

    /// Publishes a bulletin (office only): snapshot and files in one transaction with the
    /// audit entry. A period is published once; its files never change afterwards.
    pub async fn publish_bulletin(&self, actor: &Actor, b: &NewBulletin) -> Result<i64> {
        office_only(actor, "印发快报通报")?;
        if self
            .find_bulletin(actor, b.plan_id, b.kind, &b.period)
            .await?
            .is_some()
        {
            return Err(StoreError::Conflict(format!(
                "{} 的快报通报已印发, 不能重复印发 (already published)",
                b.period
            )));
        }
        let snapshot_sha256 = sha256(b.snapshot_json.as_bytes());
        let now = crate::now();
        let mut tx = self.begin().await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO bulletins (plan_id, kind, period, doc_number, title, snapshot_json, snapshot_sha256, published_by, published_by_name, published_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(b.plan_id)
        .bind(b.kind.as_str())
        .bind(&b.period)
        .bind(&b.doc_number)
        .bind(&b.title)
        .bind(&b.snapshot_json)
        .bind(&snapshot_sha256)
        .bind((actor.user_id != 0).then_some(actor.user_id))
        .bind(&actor.username)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(crate::units::unique_violation("该期快报通报或发文字号已存在 (already published)"))?;
        let mut files = Vec::new();
        for f in &b.files {
            let digest = sha256(&f.data);
            sqlx::query(
                "INSERT INTO bulletin_files (bulletin_id, format, file_name, mime, size, sha256, data) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(id)
            .bind(&f.format)
            .bind(&f.file_name)
            .bind(&f.mime)
            .bind(f.data.len() as i64)
            .bind(&digest)
            .bind(f.data.clone())
            .execute(&mut *tx)
            .await?;
            files.push(
                serde_json::json!({"format": f.format, "size": f.data.len(), "sha256": digest}),
            );
        }
        append(
            &mut tx,
            AuditEntry::new(actor, "bulletin.publish", "bulletin", id).after(serde_json::json!({
                "plan_id": b.plan_id,
                "kind": b.kind,
                "period": b.period,
                "doc_number": b.doc_number,
                "snapshot_sha256": snapshot_sha256,
                "files": files,
            })),
        )
        .await?;
        crate::webhooks::enqueue_event(
            &mut tx,
            qx_core::webhook::Event::BulletinIssued,
            qx_core::notice::Subject::Bulletin(id),
            &format!("{} 已印发 ({})", b.title, b.doc_number),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn published_rows_refuse_update_and_delete_on_every_engine() {
        for db in crate::testing::all().await.unwrap() {
            let s = &db.store;
            // Raw rows: the triggers guard the tables whatever wrote them.
            sqlx::query("INSERT INTO plans (year, title, doc_number, issuer, status, source_name, source_format, source_text, created_at, updated_at) VALUES (2017, 't', '', '', 'published', 'p.txt', 'txt', '', 0, 0)")
                .execute(s.pool())
                .await
                .unwrap();
            let (plan,): (i64,) = sqlx::query_as("SELECT id FROM plans")
                .fetch_one(s.pool())
                .await
                .unwrap();
            let b = NewBulletin {
                plan_id: plan,
                kind: BulletinKind::Monthly,
                period: "2017-06".into(),
                doc_number: "象工强办〔2017〕1号".into(),
                title: "t".into(),
                snapshot_json: "{}".into(),
                files: vec![BulletinFile {
                    format: "html".into(),
                    file_name: "a.html".into(),
                    mime: "text/html".into(),
                    data: b"<p>".to_vec(),
                }],
            };
            let id = s.publish_bulletin(&Actor::system(), &b).await.unwrap();
            assert!(
                matches!(
                    s.publish_bulletin(&Actor::system(), &b).await,
                    Err(StoreError::Conflict(_))
                ),
                "{}",
                db.name
            );
            for sql in [
                "UPDATE bulletins SET title = 'x' WHERE id = $1",
                "DELETE FROM bulletins WHERE id = $1",
                "UPDATE bulletin_files SET data = data WHERE bulletin_id = $1",
                "DELETE FROM bulletin_files WHERE bulletin_id = $1",
            ] {
                assert!(
                    sqlx::query(sql).bind(id).execute(s.pool()).await.is_err(),
                    "{}: {sql}",
                    db.name
                );
            }
            assert_eq!(
                s.bulletin_file(&Actor::system(), id, "html")
                    .await
                    .unwrap()
                    .data,
                b"<p>"
            );
        }
    }
}
