//! User accounts: roles, the unit or enterprise they belong to, login state.

use crate::audit::AuditEntry;
use crate::commit_audited;
use crate::office_only;
use crate::units::unique_violation;
use crate::{Result, Store, StoreError};
use qx_core::access::{Actor, Role};
use qx_core::label::Lang;
use serde::Serialize;

/// A stored account, password hash included: never serialised to a client.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    #[sqlx(flatten)]
    pub profile: UserProfile,
    pub password_hash: String,
    pub password_changed_at: i64,
    pub failed_attempts: i64,
    pub locked_until: Option<i64>,
    pub disabled: i64,
    #[sqlx(try_from = "String")]
    pub lang: Lang,
}

/// What the UI and API may show about an account: its profile (flattened, so its JSON keeps one
/// flat field list) and its login state.
#[derive(Debug, Clone, Serialize)]
pub struct User {
    pub id: i64,
    pub username: String,
    #[serde(flatten)]
    pub profile: UserProfile,
    pub locked_until: Option<i64>,
    pub disabled: bool,
    pub lang: Lang,
}

impl User {
    /// The account acting, as the store's scope checks see it (no client address).
    pub fn actor(&self) -> Actor {
        self.profile.actor(self.id, &self.username)
    }
}

impl UserRow {
    pub fn role(&self) -> Role {
        self.profile.role
    }

    pub fn actor(&self) -> Actor {
        self.profile.actor(self.id, &self.username)
    }

    pub fn public(&self) -> User {
        User {
            id: self.id,
            username: self.username.clone(),
            profile: self.profile.clone(),
            locked_until: self.locked_until,
            disabled: self.disabled != 0,
            lang: self.lang,
        }
    }

    pub fn is_locked(&self, now: i64) -> bool {
        self.locked_until.is_some_and(|t| t > now)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub unit_id: Option<i64>,
    pub enterprise_id: Option<i64>,
    pub phone: String,
    #[serde(skip)]
    pub password_hash: String,
}

/// An account's profile: what the office may change after creating it (not its username or
/// password).
#[derive(Debug, Clone, Serialize, PartialEq, sqlx::FromRow)]
pub struct UserProfile {
    pub display_name: String,
    /// Decoded with an error: a role this program does not know refuses the row (and so the
    /// login or session) instead of guessing a privilege.
    #[sqlx(try_from = "String")]
    pub role: Role,
    pub unit_id: Option<i64>,
    pub enterprise_id: Option<i64>,
    pub phone: String,
}

impl UserProfile {
    /// Account `user_id` (`username`) acting, as the store's scope checks see it (no client
    /// address).
    fn actor(&self, user_id: i64, username: &str) -> Actor {
        Actor {
            user_id,
            username: username.to_string(),
            role: self.role,
            unit_id: self.unit_id,
            enterprise_id: self.enterprise_id,
            ip: String::new(),
        }
    }
}

/// Far enough in the future to mean "locked until an admin unlocks".
pub const LOCKED_BY_ADMIN: i64 = 253_402_300_799; // 9999-12-31

/// The columns of a [`UserRow`] over `users u`: how every read of an account names them (here,
/// and joined to a session or a token).
macro_rules! user_columns {
    () => {
        "u.id, u.username, u.display_name, u.role, u.unit_id, u.enterprise_id, u.phone, \
         u.password_hash, u.password_changed_at, u.failed_attempts, u.locked_until, u.disabled, u.lang "
    };
}
pub(crate) use user_columns;

/// The columns of a [`UserRow`], ready for a `WHERE`.
macro_rules! user_select {
    () => {
        concat!("SELECT ", user_columns!(), "FROM users u ")
    };
}

impl Store {
    pub async fn find_user_by_username(&self, username: &str) -> Result<Option<UserRow>> {
        let sql = concat!(user_select!(), "WHERE username = $1");
        Ok(sqlx::query_as(sql)
            .bind(username)
            .fetch_optional(self.pool())
            .await?)
    }

    /// Unscoped lookup (the password hash and lock state included) for authentication and the
    /// store's own checks (a token's owner, a 企服责任人); no page reads it: a page asks
    /// [`Store::get_user_scoped`], and a sender's name comes with the sending it sent.
    pub async fn get_user(&self, id: i64) -> Result<UserRow> {
        let sql = concat!(user_select!(), "WHERE id = $1");
        sqlx::query_as(sql)
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("用户 {id}")))
    }

    /// A user the actor may see: office and leaders see all, a unit its own unit's users,
    /// anyone themselves. Out of scope looks exactly like absent (404), so ids can't be probed.
    pub async fn get_user_scoped(&self, actor: &Actor, id: i64) -> Result<User> {
        let row = self.get_user(id).await?;
        let visible = actor.user_id == id
            || actor.reads_all()
            || row
                .profile
                .unit_id
                .is_some_and(|u| actor.role == Role::Unit && actor.can_read_unit(u));
        if visible {
            Ok(row.public())
        } else {
            Err(StoreError::NotFound(format!("用户 {id}")))
        }
    }

    /// Users visible to the actor.
    pub async fn list_users(&self, actor: &Actor) -> Result<Vec<User>> {
        let (all, unit) = actor.unit_filter().binds();
        let sql = concat!(
            user_select!(),
            "WHERE $1 = 1 OR unit_id = $2 OR id = $3 ORDER BY unit_id, id"
        );
        let rows: Vec<UserRow> = sqlx::query_as(sql)
            .bind(all)
            .bind(unit)
            .bind(actor.user_id)
            .fetch_all(self.pool())
            .await?;
        Ok(rows.iter().map(UserRow::public).collect())
    }

    pub async fn count_users(&self) -> Result<i64> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users")
            .fetch_one(self.pool())
            .await?;
        Ok(n)
    }

    /// Creates an account; audited. Office only (or the system).
    pub async fn create_user(&self, actor: &Actor, user: &NewUser) -> Result<i64> {
        office_only(actor, "创建用户")?;
        let mut tx = self.begin().await?;
        let id = insert_user(&mut tx, user).await?;
        commit_audited(
            tx,
            AuditEntry::new(actor, "user.create", "user", id).after(user),
        )
        .await?;
        Ok(id)
    }

    /// Changes an account's name, role, unit, enterprise and phone; audited with before and
    /// after. A changed role (or unit, or enterprise) ends every session of the account, so
    /// no one keeps what they may no longer do. Office only.
    pub async fn update_user(&self, actor: &Actor, id: i64, update: &UserProfile) -> Result<()> {
        office_only(actor, "修改用户")?;
        validate_role(update.role, update.unit_id, update.enterprise_id)?;
        let before = self.get_user(id).await?.public().profile;
        let mut tx = self.begin().await?;
        let (display_name, phone) = checked_fields(
            &mut tx,
            &update.display_name,
            &update.phone,
            update.unit_id,
            update.enterprise_id,
        )
        .await?;
        sqlx::query(
            "UPDATE users SET display_name = $1, role = $2, unit_id = $3, enterprise_id = $4, phone = $5, updated_at = $6 WHERE id = $7",
        )
        .bind(display_name)
        .bind(update.role.as_str())
        .bind(update.unit_id)
        .bind(update.enterprise_id)
        .bind(phone)
        .bind(crate::now())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let reach_changed = before.role != update.role
            || before.unit_id != update.unit_id
            || before.enterprise_id != update.enterprise_id;
        let ended = if reach_changed {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected()
        } else {
            0
        };
        commit_audited(
            tx,
            AuditEntry::new(actor, "user.update", "user", id)
                .before(&before)
                .after(serde_json::json!({
                    "display_name": display_name,
                    "role": update.role.as_str(),
                    "unit_id": update.unit_id,
                    "enterprise_id": update.enterprise_id,
                    "phone": phone,
                    "sessions_ended": ended,
                })),
        )
        .await
    }

    /// Sets a new password hash and clears any lockout; audited without the hash.
    /// The office may reset anyone's password; a user may change their own. Every session of
    /// the account ends, except `keep_session` (the one the change was made from).
    pub async fn set_password(
        &self,
        actor: &Actor,
        id: i64,
        password_hash: &str,
        keep_session: Option<&str>,
    ) -> Result<()> {
        if !(actor.is_admin() || actor.user_id == id) {
            return Err(StoreError::Forbidden(format!("用户 {id}")));
        }
        let mut tx = self.begin().await?;
        let n = sqlx::query(
            "UPDATE users SET password_hash = $1, password_changed_at = $2, failed_attempts = 0, locked_until = NULL, updated_at = $2 WHERE id = $3",
        )
        .bind(password_hash)
        .bind(crate::now())
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound(format!("用户 {id}")));
        }
        let ended = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2")
            .bind(id)
            .bind(keep_session.unwrap_or(""))
            .execute(&mut *tx)
            .await?
            .rows_affected();
        commit_audited(
            tx,
            AuditEntry::new(actor, "user.password", "user", id)
                .after(serde_json::json!({"sessions_ended": ended})),
        )
        .await
    }

    /// Locks (until unlocked) or unlocks an account; audited. Office only.
    pub async fn set_user_locked(&self, actor: &Actor, id: i64, locked: bool) -> Result<()> {
        office_only(actor, "锁定或解锁用户")?;
        let before = self.get_user(id).await?;
        let until = locked.then_some(LOCKED_BY_ADMIN);
        let mut tx = self.begin().await?;
        sqlx::query("UPDATE users SET locked_until = $1, failed_attempts = 0, updated_at = $2 WHERE id = $3")
            .bind(until)
            .bind(crate::now())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if locked {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        let action = if locked { "user.lock" } else { "user.unlock" };
        commit_audited(
            tx,
            AuditEntry::new(actor, action, "user", id)
                .before(serde_json::json!({"locked_until": before.locked_until}))
                .after(serde_json::json!({"locked_until": until})),
        )
        .await
    }

    /// A checked password was right: the account's failure count starts again.
    pub async fn record_login_success(&self, id: i64) -> Result<()> {
        sqlx::query("UPDATE users SET failed_attempts = 0, locked_until = NULL WHERE id = $1")
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    pub async fn set_user_lang(&self, id: i64, lang: Lang) -> Result<()> {
        sqlx::query("UPDATE users SET lang = $1 WHERE id = $2")
            .bind(lang.code())
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
    }
}

/// Inserts an account inside a caller's transaction (seeding).
pub async fn insert_user(tx: &mut crate::Tx, user: &NewUser) -> Result<i64> {
    validate_membership(user)?;
    let (display_name, phone) = checked_fields(
        tx,
        &user.display_name,
        &user.phone,
        user.unit_id,
        user.enterprise_id,
    )
    .await?;
    let now = crate::now();
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO users (username, display_name, role, unit_id, enterprise_id, phone, password_hash, password_changed_at, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $8) RETURNING id",
    )
    .bind(&user.username)
    .bind(display_name)
    .bind(user.role.as_str())
    .bind(user.unit_id)
    .bind(user.enterprise_id)
    .bind(phone)
    .bind(&user.password_hash)
    .bind(now)
    .fetch_one(&mut **tx)
    .await
    .map_err(unique_violation("用户名: 已存在 (username taken)"))?;
    Ok(id)
}

/// A membership that names no record is the caller's mistake, said as such (the foreign key
/// would refuse it too, but as a database error the user reads as a server fault).
async fn check_exists(
    tx: &mut crate::Tx,
    field: &str,
    what: &str,
    sql: &'static str,
    id: Option<i64>,
) -> Result<()> {
    let Some(id) = id else {
        return Ok(());
    };
    let found: Option<(i64,)> = sqlx::query_as(sql)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    match found {
        Some(_) => Ok(()),
        None => Err(StoreError::Invalid(format!(
            "{field}: {what} {id} 不存在 (no such {field})"
        ))),
    }
}

/// The name and phone as stored (checked against `qx_core::text`), once the unit and the
/// enterprise named exist.
async fn checked_fields<'a>(
    tx: &mut crate::Tx,
    display_name: &'a str,
    phone: &'a str,
    unit_id: Option<i64>,
    enterprise_id: Option<i64>,
) -> Result<(&'a str, &'a str)> {
    let display_name = qx_core::text::USER_NAME
        .check(display_name)
        .map_err(StoreError::Invalid)?;
    let phone = qx_core::text::USER_PHONE
        .check(phone)
        .map_err(StoreError::Invalid)?;
    check_exists(
        tx,
        "unit_id",
        "单位",
        "SELECT id FROM units WHERE id = $1",
        unit_id,
    )
    .await?;
    check_exists(
        tx,
        "enterprise_id",
        "企业",
        "SELECT id FROM enterprises WHERE id = $1",
        enterprise_id,
    )
    .await?;
    Ok((display_name, phone))
}

fn validate_membership(user: &NewUser) -> Result<()> {
    let name = user.username.trim();
    if name.is_empty() || name.len() > 64 || name.chars().any(char::is_whitespace) {
        return Err(StoreError::Invalid(
            "用户名不能为空、不能含空格、不超过64字符".into(),
        ));
    }
    validate_role(user.role, user.unit_id, user.enterprise_id)
}

/// An enterprise account belongs to an enterprise; every other account to a unit.
pub fn validate_role(role: Role, unit_id: Option<i64>, enterprise_id: Option<i64>) -> Result<()> {
    match role {
        Role::Enterprise if enterprise_id.is_none() => Err(StoreError::Invalid(
            "企业用户必须关联企业 (enterprise user needs an enterprise)".into(),
        )),
        Role::Unit | Role::Admin | Role::Leader if unit_id.is_none() => Err(StoreError::Invalid(
            "该角色的用户必须属于一个单位 (user needs a unit)".into(),
        )),
        _ => Ok(()),
    }
}
