//! Login sessions, kept in the database so several app servers share them.
//!
//! Only the SHA-256 of the session token is stored: a copy of the database does not hand
//! out live sessions.

use crate::users::UserRow;
use crate::{Result, Store};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    pub user_id: i64,
    pub csrf_token: String,
    pub created_at: i64,
    pub last_seen_at: i64,
}

/// A session with its account and the account's unit name: what every signed-in request
/// needs, read in one statement.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionUser {
    #[sqlx(flatten)]
    pub session: SessionRow,
    #[sqlx(flatten)]
    pub user: UserRow,
    pub unit_name: Option<String>,
}

impl Store {
    pub async fn create_session(
        &self,
        id_hash: &str,
        user_id: i64,
        csrf_token: &str,
        ip: &str,
        user_agent: &str,
    ) -> Result<()> {
        let now = crate::now();
        sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at, ip, user_agent) VALUES ($1, $2, $3, $4, $4, $5, $6)",
        )
        .bind(id_hash)
        .bind(user_id)
        .bind(csrf_token)
        .bind(now)
        .bind(ip)
        .bind(user_agent)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// The session `id_hash` with its user (see [`SessionUser`]); `None` when there is no
    /// such session.
    pub async fn get_session_user(&self, id_hash: &str) -> Result<Option<SessionUser>> {
        let sql = concat!(
            "SELECT s.user_id, s.csrf_token, s.created_at, s.last_seen_at, ",
            crate::users::user_columns!(),
            ", n.name AS unit_name ",
            "FROM sessions s JOIN users u ON u.id = s.user_id ",
            "LEFT JOIN units n ON n.id = u.unit_id WHERE s.id_hash = $1"
        );
        Ok(sqlx::query_as(sql)
            .bind(id_hash)
            .fetch_optional(self.pool())
            .await?)
    }

    pub async fn touch_session(&self, id_hash: &str, now: i64) -> Result<()> {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2")
            .bind(now)
            .bind(id_hash)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    pub async fn delete_session(&self, id_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(id_hash)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Removes sessions that have ended: idle since before `idle_cutoff`, or started before
    /// `created_cutoff` (the absolute lifetime). Returns how many.
    pub async fn purge_expired_sessions(
        &self,
        idle_cutoff: i64,
        created_cutoff: i64,
    ) -> Result<u64> {
        Ok(
            sqlx::query("DELETE FROM sessions WHERE last_seen_at < $1 OR created_at < $2")
                .bind(idle_cutoff)
                .bind(created_cutoff)
                .execute(self.pool())
                .await?
                .rows_affected(),
        )
    }
}
