//! Enterprises (企业) that hold accounts; the full registry grows in the evaluation module.

use crate::units::unique_violation;
use crate::{Result, Store, StoreError};
use qx_core::access::Actor;
use serde::Serialize;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Enterprise {
    pub id: i64,
    pub credit_code: String,
    pub name: String,
    pub town_id: Option<i64>,
    pub industry_code: Option<String>,
    pub scale: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct NewEnterprise {
    pub credit_code: String,
    pub name: String,
    pub town_id: Option<i64>,
    pub industry_code: Option<String>,
    pub scale: String,
}

impl Store {
    /// An enterprise the actor may see (an enterprise user only its own).
    pub async fn get_enterprise(&self, actor: &Actor, id: i64) -> Result<Enterprise> {
        if !(actor.can_read_enterprise(id) || actor.role == qx_core::access::Role::Unit) {
            return Err(StoreError::NotFound(format!("企业 {id}")));
        }
        sqlx::query_as(
            "SELECT id, credit_code, name, town_id, industry_code, scale FROM enterprises WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("企业 {id}")))
    }

    pub async fn list_enterprises(&self, actor: &Actor) -> Result<Vec<Enterprise>> {
        let own = actor.enterprise_id.unwrap_or(-1);
        let all = i64::from(actor.role != qx_core::access::Role::Enterprise);
        Ok(sqlx::query_as(
            "SELECT id, credit_code, name, town_id, industry_code, scale FROM enterprises WHERE $1 = 1 OR id = $2 ORDER BY id",
        )
        .bind(all)
        .bind(own)
        .fetch_all(self.pool())
        .await?)
    }
}

/// Inserts an enterprise inside a caller's transaction (seeding, imports).
pub async fn insert_enterprise(tx: &mut crate::Tx, e: &NewEnterprise) -> Result<i64> {
    let now = crate::now();
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO enterprises (credit_code, name, town_id, industry_code, scale, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
    )
    .bind(&e.credit_code)
    .bind(&e.name)
    .bind(e.town_id)
    .bind(&e.industry_code)
    .bind(&e.scale)
    .bind(now)
    .fetch_one(&mut **tx)
    .await
    .map_err(unique_violation("统一社会信用代码已登记"))?;
    Ok(id)
}
