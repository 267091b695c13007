//! In-app notices (and the webhook status of each).

use super::*;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Notice {
    pub id: i64,
    pub problem_id: Option<i64>,
    pub audience: String,
    pub audience_id: Option<i64>,
    pub kind: String,
    pub message: String,
    pub created_at: i64,
    pub webhook_status: String,
}

/// Adds an in-app notice; with a `dedupe_key` it is added only once. Returns the new id.
pub(super) async fn notify(
    tx: &mut Tx,
    problem_id: Option<i64>,
    audience: &str,
    audience_id: Option<i64>,
    kind: &str,
    message: &str,
    dedupe_key: Option<String>,
) -> Result<Option<i64>> {
    let row: Option<(i64,)> = sqlx::query_as(
        "INSERT INTO problem_notices (problem_id, audience, audience_id, kind, message, dedupe_key, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
    )
    .bind(problem_id)
    .bind(audience)
    .bind(audience_id)
    .bind(kind)
    .bind(message)
    .bind(dedupe_key)
    .bind(crate::now())
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map(|(id,)| id))
}

impl Store {
    /// The actor's in-app notices, newest first.
    pub async fn problem_notices(&self, actor: &Actor, limit: i64) -> Result<Vec<Notice>> {
        let (audience, id) = match actor.role {
            Role::Admin | Role::Leader => ("office", -1),
            Role::Unit => ("unit", actor.unit_id.unwrap_or(-2)),
            Role::Enterprise => ("enterprise", actor.enterprise_id.unwrap_or(-2)),
        };
        Ok(sqlx::query_as(
            "SELECT id, problem_id, audience, audience_id, kind, message, created_at, webhook_status FROM problem_notices
             WHERE audience = $1 AND ($2 = -1 OR audience_id = $2) ORDER BY id DESC LIMIT $3",
        )
        .bind(audience)
        .bind(id)
        .bind(limit.clamp(1, 200))
        .fetch_all(self.pool())
        .await?)
    }

    /// Notices by id (for the webhook sender).
    pub async fn notice(&self, id: i64) -> Result<Notice> {
        sqlx::query_as(
            "SELECT id, problem_id, audience, audience_id, kind, message, created_at, webhook_status FROM problem_notices WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("通知 {id}")))
    }

    /// Records how a notice's webhook delivery went ("ok 200", "failed: …").
    pub async fn record_webhook_status(&self, id: i64, status: &str) -> Result<()> {
        sqlx::query("UPDATE problem_notices SET webhook_status = $1 WHERE id = $2")
            .bind(status)
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
    }
}
