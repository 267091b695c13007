//! Service tokens (接口令牌): the office issues a token to an account that another system
//! uses (a service account); the token authenticates `/api/` requests as that account, within
//! a scope (read or write), until it expires or is revoked.
//!
//! Only the SHA-256 of the secret is stored. A password needs a slow hash because people
//! choose guessable ones; a token's secret is 256 random bits, so no guess list exists and one
//! fast hash is as safe as argon2 would be, while an API request does not pay tens of
//! milliseconds to be recognised. A copy of the database therefore hands out no token.

use crate::users::UserRow;
use crate::{AuditEntry, Result, Store, StoreError, commit_audited};
use qx_core::access::Actor;
use qx_core::token::TokenScope;
use serde::Serialize;
use sha2::{Digest, Sha256};

/// What every token's secret starts with, so a leaked one is recognisable in logs and scans.
pub const TOKEN_PREFIX: &str = "qxt_";

/// A use is written to the audit log (and `last_used_at` moved) at most once a minute per
/// token: a service polling every second would otherwise put 86,400 rows a day in the log.
pub const USE_AUDIT_INTERVAL_SECS: i64 = 60;

/// The stored form of a secret.
pub fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// A token as the office's list shows it (never the secret).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct TokenRow {
    pub id: i64,
    pub user_id: i64,
    pub username: String,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub scope: TokenScope,
    pub prefix: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub last_used_at: Option<i64>,
    pub last_used_ip: String,
    pub revoked_at: Option<i64>,
}

impl TokenRow {
    /// Whether the token opens anything at `now`.
    pub fn is_live(&self, now: i64) -> bool {
        self.revoked_at.is_none() && self.expires_at > now
    }
}

/// A token to issue.
#[derive(Debug, Clone)]
pub struct NewToken {
    pub user_id: i64,
    pub name: String,
    pub scope: TokenScope,
    /// Seconds from now until it expires.
    pub lifetime_secs: i64,
}

/// The account a presented token stands for, read in one statement.
#[derive(Debug, Clone)]
pub struct TokenUser {
    pub token: TokenRow,
    pub user: UserRow,
    pub unit_name: Option<String>,
}

/// [`TokenUser`] as read: the token's columns renamed beside the account's.
#[derive(sqlx::FromRow)]
struct TokenUserRow {
    token_id: i64,
    token_name: String,
    #[sqlx(try_from = "String")]
    token_scope: TokenScope,
    prefix: String,
    token_created_at: i64,
    expires_at: i64,
    last_used_at: Option<i64>,
    last_used_ip: String,
    revoked_at: Option<i64>,
    #[sqlx(flatten)]
    user: UserRow,
    unit_name: Option<String>,
}

impl Store {
    /// Issues a token; returns its id and the secret, which is shown once and never stored.
    /// Office only; audited.
    pub async fn create_token(&self, actor: &Actor, new: &NewToken) -> Result<(i64, String)> {
        crate::office_only(actor, "发放接口令牌")?;
        let name = new.name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(StoreError::Invalid(
                "令牌名称不能为空, 且不超过100个字".into(),
            ));
        }
        if new.lifetime_secs <= 0 {
            return Err(StoreError::Invalid("有效期必须大于0".into()));
        }
        let user = self.get_user(new.user_id).await?;
        if user.disabled != 0 {
            return Err(StoreError::Invalid(format!(
                "账号 {} 已停用, 不能发放令牌",
                user.username
            )));
        }
        let bytes: [u8; 32] = rand::random();
        let secret = format!("{TOKEN_PREFIX}{}", hex::encode(bytes));
        let prefix: String = secret.chars().take(TOKEN_PREFIX.len() + 6).collect();
        let now = crate::now();
        let mut tx = self.begin().await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO api_tokens (user_id, name, scope, secret_hash, prefix, created_by, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(new.user_id)
        .bind(name)
        .bind(new.scope.as_str())
        .bind(secret_hash(&secret))
        .bind(&prefix)
        .bind(actor.user_id)
        .bind(now)
        .bind(now + new.lifetime_secs)
        .fetch_one(&mut *tx)
        .await?;
        commit_audited(
            tx,
            AuditEntry::new(actor, "token.create", "api_token", id).after(serde_json::json!({
                "user": user.username, "name": name, "scope": new.scope.as_str(),
                "prefix": prefix, "expires_at": now + new.lifetime_secs,
            })),
        )
        .await?;
        Ok((id, secret))
    }

    /// Every token, newest first. Office only.
    pub async fn list_tokens(&self, actor: &Actor) -> Result<Vec<TokenRow>> {
        crate::office_only(actor, "查看接口令牌")?;
        const SQL: &str = concat!(
            "SELECT t.id, t.user_id, u.username, t.name, t.scope, t.prefix, t.created_at, t.expires_at, ",
            "t.last_used_at, t.last_used_ip, t.revoked_at ",
            "FROM api_tokens t JOIN users u ON u.id = t.user_id ORDER BY t.id DESC"
        );
        Ok(sqlx::query_as(SQL).fetch_all(self.pool()).await?)
    }

    /// Revokes a token at once (its next request is refused). Office only; audited. Revoking
    /// a revoked token changes nothing and says so.
    pub async fn revoke_token(&self, actor: &Actor, id: i64) -> Result<()> {
        crate::office_only(actor, "吊销接口令牌")?;
        let mut tx = self.begin().await?;
        let done = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
        )
        .bind(crate::now())
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if done == 0 {
            let exists: Option<(i64,)> = sqlx::query_as("SELECT id FROM api_tokens WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
            return Err(match exists {
                Some(_) => StoreError::Conflict(format!("令牌 {id} 已吊销")),
                None => StoreError::NotFound(format!("令牌 {id}")),
            });
        }
        commit_audited(tx, AuditEntry::new(actor, "token.revoke", "api_token", id)).await
    }

    /// The token whose secret hashes to `hash`, with its account (unscoped: this is how a
    /// request is authenticated). Revoked and expired tokens are returned too; the caller
    /// refuses them ([`TokenRow::is_live`]).
    pub async fn token_user(&self, hash: &str) -> Result<Option<TokenUser>> {
        const SQL: &str = concat!(
            "SELECT t.id AS token_id, t.name AS token_name, t.scope AS token_scope, t.prefix, ",
            "t.created_at AS token_created_at, t.expires_at, t.last_used_at, t.last_used_ip, t.revoked_at, ",
            crate::users::user_columns!(),
            ", n.name AS unit_name ",
            "FROM api_tokens t JOIN users u ON u.id = t.user_id ",
            "LEFT JOIN units n ON n.id = u.unit_id WHERE t.secret_hash = $1"
        );
        let row: Option<TokenUserRow> = sqlx::query_as(SQL)
            .bind(hash)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(|r| TokenUser {
            token: TokenRow {
                id: r.token_id,
                user_id: r.user.id,
                username: r.user.username.clone(),
                name: r.token_name,
                scope: r.token_scope,
                prefix: r.prefix,
                created_at: r.token_created_at,
                expires_at: r.expires_at,
                last_used_at: r.last_used_at,
                last_used_ip: r.last_used_ip,
                revoked_at: r.revoked_at,
            },
            user: r.user,
            unit_name: r.unit_name,
        }))
    }

    /// Records a use of token `id` by `actor` (its account, with the client address): moves
    /// `last_used_at` and writes a `token.use` audit row, at most once per
    /// [`USE_AUDIT_INTERVAL_SECS`] per token. The condition is in the UPDATE, so two servers
    /// seeing the same minute's first request write one row between them.
    pub async fn record_token_use(&self, actor: &Actor, id: i64, what: &str) -> Result<bool> {
        let now = crate::now();
        let mut tx = self.begin().await?;
        let moved = sqlx::query(
            "UPDATE api_tokens SET last_used_at = $1, last_used_ip = $2
             WHERE id = $3 AND (last_used_at IS NULL OR last_used_at <= $4)",
        )
        .bind(now)
        .bind(&actor.ip)
        .bind(id)
        .bind(now - USE_AUDIT_INTERVAL_SECS)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if moved == 0 {
            return Ok(false);
        }
        commit_audited(
            tx,
            AuditEntry::new(actor, "token.use", "api_token", id)
                .after(serde_json::json!({ "request": what })),
        )
        .await?;
        Ok(true)
    }
}
