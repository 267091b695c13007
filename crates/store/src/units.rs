//! The unit registry (组织): departments, zones, towns, bodies, with aliases.

use crate::audit::AuditEntry;
use crate::commit_audited;
use crate::office_only;
use crate::{Result, Store, StoreError};
use qx_core::access::Actor;
use qx_core::units::UnitKind;
use serde::Serialize;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Unit {
    pub id: i64,
    /// Decoded with an error: a kind this program does not know refuses the row.
    #[sqlx(try_from = "String")]
    pub kind: UnitKind,
    pub name: String,
    pub full_name: String,
    pub region_code: Option<String>,
    pub parent_id: Option<i64>,
    pub slug: String,
    pub contact: String,
    pub phone: String,
    pub active: i64,
    pub sort_order: i64,
}

/// A unit to register.
#[derive(Debug, Clone, Serialize)]
pub struct NewUnit {
    pub kind: UnitKind,
    pub name: String,
    pub full_name: String,
    pub region_code: Option<String>,
    pub parent_id: Option<i64>,
    pub slug: String,
    pub aliases: Vec<String>,
    pub sort_order: i64,
}

/// The registry fields the office may change.
#[derive(Debug, Clone, Serialize)]
pub struct UnitUpdate {
    pub kind: UnitKind,
    pub name: String,
    pub full_name: String,
    pub region_code: Option<String>,
    pub aliases: Vec<String>,
    pub active: bool,
}

/// The columns of a [`Unit`], ready for a `WHERE` or `ORDER BY`.
macro_rules! unit_select {
    () => {
        "SELECT id, kind, name, full_name, region_code, parent_id, slug, contact, phone, active, sort_order FROM units "
    };
}

impl Store {
    pub async fn list_units(&self) -> Result<Vec<Unit>> {
        let sql = concat!(unit_select!(), "ORDER BY sort_order, id");
        Ok(sqlx::query_as(sql).fetch_all(self.pool()).await?)
    }

    /// Every unit's short name by id: how exports and messages name a unit id.
    pub async fn unit_names(&self) -> Result<std::collections::HashMap<i64, String>> {
        Ok(self
            .list_units()
            .await?
            .into_iter()
            .map(|u| (u.id, u.name))
            .collect())
    }

    pub async fn get_unit(&self, id: i64) -> Result<Unit> {
        let sql = concat!(unit_select!(), "WHERE id = $1");
        sqlx::query_as(sql)
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("单位 {id}")))
    }

    pub async fn unit_aliases(&self, id: i64) -> Result<Vec<String>> {
        let rows: Vec<(String,)> =
            sqlx::query_as("SELECT alias FROM unit_aliases WHERE unit_id = $1 ORDER BY alias")
                .bind(id)
                .fetch_all(self.pool())
                .await?;
        Ok(rows.into_iter().map(|(a,)| a).collect())
    }

    /// Every (alias, unit id) pair: what a plan importer resolves names against.
    pub async fn all_unit_aliases(&self) -> Result<Vec<(String, i64)>> {
        Ok(
            sqlx::query_as("SELECT alias, unit_id FROM unit_aliases ORDER BY alias")
                .fetch_all(self.pool())
                .await?,
        )
    }

    /// Finds a unit by its short name, full name or an alias.
    pub async fn resolve_unit(&self, name: &str) -> Result<Option<Unit>> {
        let sql = concat!(
            unit_select!(),
            "WHERE name = $1 OR full_name = $1 ",
            "OR id IN (SELECT unit_id FROM unit_aliases WHERE alias = $1) ORDER BY id LIMIT 1"
        );
        Ok(sqlx::query_as(sql)
            .bind(name)
            .fetch_optional(self.pool())
            .await?)
    }

    /// Registers a unit with its aliases; audited. Office only.
    pub async fn create_unit(&self, actor: &Actor, unit: &NewUnit) -> Result<i64> {
        office_only(actor, "登记单位")?;
        let mut tx = self.begin().await?;
        let id = insert_unit(&mut tx, unit).await?;
        commit_audited(
            tx,
            AuditEntry::new(actor, "unit.create", "unit", id).after(unit),
        )
        .await?;
        Ok(id)
    }

    /// Changes a unit's registry entry; audited with before and after. Office only.
    pub async fn update_unit(&self, actor: &Actor, id: i64, update: &UnitUpdate) -> Result<()> {
        office_only(actor, "修改单位登记信息")?;
        let before = self.get_unit(id).await?;
        let before_aliases = self.unit_aliases(id).await?;
        let mut tx = self.begin().await?;
        sqlx::query(
            "UPDATE units SET kind = $1, name = $2, full_name = $3, region_code = $4, active = $5, updated_at = $6 WHERE id = $7",
        )
        .bind(update.kind.as_str())
        .bind(&update.name)
        .bind(&update.full_name)
        .bind(&update.region_code)
        .bind(i64::from(update.active))
        .bind(crate::now())
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(unique_violation("单位名称或区划代码已存在"))?;
        sqlx::query("DELETE FROM unit_aliases WHERE unit_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        insert_aliases(&mut tx, id, &update.aliases).await?;
        commit_audited(
            tx,
            AuditEntry::new(actor, "unit.update", "unit", id)
                .before(serde_json::json!({"unit": before, "aliases": before_aliases}))
                .after(update),
        )
        .await
    }

    /// A unit's liaison contact; the unit itself or the office may change it. The lengths are
    /// checked here so the form and the API meet the same limit.
    pub async fn update_unit_contact(
        &self,
        actor: &Actor,
        id: i64,
        contact: &str,
        phone: &str,
    ) -> Result<()> {
        if !actor.can_write_unit(id) {
            return Err(StoreError::Forbidden(format!("单位 {id}")));
        }
        let contact = qx_core::text::UNIT_CONTACT
            .check(contact)
            .map_err(StoreError::Invalid)?;
        let phone = qx_core::text::UNIT_PHONE
            .check(phone)
            .map_err(StoreError::Invalid)?;
        let before = self.get_unit(id).await?;
        let mut tx = self.begin().await?;
        sqlx::query("UPDATE units SET contact = $1, phone = $2, updated_at = $3 WHERE id = $4")
            .bind(contact)
            .bind(phone)
            .bind(crate::now())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        commit_audited(
            tx,
            AuditEntry::new(actor, "unit.contact", "unit", id)
                .before(serde_json::json!({"contact": before.contact, "phone": before.phone}))
                .after(serde_json::json!({"contact": contact, "phone": phone})),
        )
        .await
    }
}

/// Inserts a unit inside a caller's transaction (seeding, imports).
pub async fn insert_unit(tx: &mut crate::Tx, unit: &NewUnit) -> Result<i64> {
    let now = crate::now();
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO units (kind, name, full_name, region_code, parent_id, slug, sort_order, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
    )
    .bind(unit.kind.as_str())
    .bind(&unit.name)
    .bind(&unit.full_name)
    .bind(&unit.region_code)
    .bind(unit.parent_id)
    .bind(&unit.slug)
    .bind(unit.sort_order)
    .bind(now)
    .fetch_one(&mut **tx)
    .await
    .map_err(unique_violation("单位名称、简称或区划代码已存在"))?;
    insert_aliases(tx, id, &unit.aliases).await?;
    Ok(id)
}

async fn insert_aliases(tx: &mut crate::Tx, id: i64, aliases: &[String]) -> Result<()> {
    for alias in aliases.iter().map(|a| a.trim()).filter(|a| !a.is_empty()) {
        sqlx::query("INSERT INTO unit_aliases (alias, unit_id) VALUES ($1, $2)")
            .bind(alias)
            .bind(id)
            .execute(&mut **tx)
            .await
            .map_err(unique_violation("别名已被其他单位使用"))?;
    }
    Ok(())
}

/// Maps a UNIQUE violation to a Conflict with a user-facing message.
pub(crate) fn unique_violation(msg: &'static str) -> impl Fn(sqlx::Error) -> StoreError {
    move |e| match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            StoreError::Conflict(msg.to_string())
        }
        _ => StoreError::Db(e),
    }
}
