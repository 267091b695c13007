//! Roles and data scope: who may read and write what.
//!
//! Every store query that returns unit- or enterprise-owned records takes an [`Actor`] and
//! filters with it, so the rule "a unit user never reads another unit's drafts" is enforced on
//! the server in one place rather than in each handler.

use serde::{Deserialize, Serialize};

/// A user's role (角色).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 办公室: imports plans, manages units and users, approves, publishes.
    Admin,
    /// 领导: reads everything, writes nothing.
    Leader,
    /// 责任单位联络员: reads and writes what its unit is responsible for.
    Unit,
    /// 企业: its own problems and evaluation only.
    Enterprise,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Leader, Role::Unit, Role::Enterprise];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Leader => "leader",
            Role::Unit => "unit",
            Role::Enterprise => "enterprise",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

crate::coded::decoded_with_parse!(Role("角色", "role"));

impl crate::label::Labelled for Role {
    fn label(&self, lang: crate::label::Lang) -> &'static str {
        match self {
            Role::Admin => lang.pick("办公室", "Office"),
            Role::Leader => lang.pick("领导", "Leader"),
            Role::Unit => lang.pick("责任单位", "Responsible unit"),
            Role::Enterprise => lang.pick("企业", "Enterprise"),
        }
    }
}

/// The authenticated user on whose behalf a read or write happens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Actor {
    pub user_id: i64,
    pub username: String,
    pub role: Role,
    pub unit_id: Option<i64>,
    pub enterprise_id: Option<i64>,
    /// Where the request came from, for the audit log ("" for the command line).
    pub ip: String,
}

impl Actor {
    /// The system itself (CLI maintenance, demo seeding): full access, audited as `system`.
    pub fn system() -> Self {
        Actor {
            user_id: 0,
            username: "system".into(),
            role: Role::Admin,
            unit_id: None,
            enterprise_id: None,
            ip: String::new(),
        }
    }

    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    /// Whether the actor sees everything (office and leaders).
    pub fn reads_all(&self) -> bool {
        matches!(self.role, Role::Admin | Role::Leader)
    }

    /// May read records owned by `unit_id` (a unit's reports, drafts, contacts).
    pub fn can_read_unit(&self, unit_id: i64) -> bool {
        self.reads_all() || (self.role == Role::Unit && self.unit_id == Some(unit_id))
    }

    /// May change records owned by `unit_id`. Leaders never write.
    pub fn can_write_unit(&self, unit_id: i64) -> bool {
        self.is_admin() || (self.role == Role::Unit && self.unit_id == Some(unit_id))
    }

    /// May read records owned by enterprise `enterprise_id`.
    pub fn can_read_enterprise(&self, enterprise_id: i64) -> bool {
        self.reads_all()
            || (self.role == Role::Enterprise && self.enterprise_id == Some(enterprise_id))
    }

    /// The unit filter a scoped query binds: `None` means "all units".
    pub fn unit_filter(&self) -> ScopeFilter {
        match self.role {
            Role::Admin | Role::Leader => ScopeFilter::All,
            Role::Unit => self.unit_id.map_or(ScopeFilter::Nothing, ScopeFilter::Only),
            Role::Enterprise => ScopeFilter::Nothing,
        }
    }
}

/// What a scoped query may return.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScopeFilter {
    All,
    Only(i64),
    Nothing,
}

impl ScopeFilter {
    /// Encodes the filter as two bind values for `($1 = 1 OR unit_id = $2)`:
    /// `(all, id)`, where `id = -1` matches nothing.
    pub fn binds(self) -> (i64, i64) {
        match self {
            ScopeFilter::All => (1, -1),
            ScopeFilter::Only(id) => (0, id),
            ScopeFilter::Nothing => (0, -1),
        }
    }

    /// Whether a record of `unit_id` passes the filter: the same test as the SQL predicate the
    /// binds make, for a page deciding whether to link a record it names.
    pub fn admits(self, unit_id: i64) -> bool {
        match self {
            ScopeFilter::All => true,
            ScopeFilter::Only(id) => id == unit_id,
            ScopeFilter::Nothing => false,
        }
    }
}

/// The longest account name: a name typed at the login form is cut to this before it is
/// looked up or written to the audit log, so an anonymous attempt cannot store megabytes.
pub const MAX_USERNAME_CHARS: usize = 64;

/// A name as typed at the login form, made safe to look up and to record for a failed attempt:
/// surrounding blanks and control characters removed, at most [`MAX_USERNAME_CHARS`] characters.
pub fn login_name(typed: &str) -> String {
    typed
        .trim()
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_USERNAME_CHARS)
        .collect()
}

/// 等保 password rule: at least 8 characters from at least three of the four classes
/// (upper case, lower case, digits, symbols).
pub fn check_password_strength(password: &str) -> Result<(), &'static str> {
    if password.chars().count() < 8 {
        return Err("密码至少8位 (at least 8 characters)");
    }
    let classes = [
        password.chars().any(|c| c.is_ascii_uppercase()),
        password.chars().any(|c| c.is_ascii_lowercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_ascii_alphanumeric()),
    ];
    if classes.iter().filter(|&&b| b).count() < 3 {
        return Err(
            "密码须包含大写字母、小写字母、数字、符号中的至少三类 (use three of: upper, lower, digit, symbol)",
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_names_are_bounded_and_plain() {
        assert_eq!(login_name("  jxj1 \n"), "jxj1");
        assert_eq!(login_name("a\u{0}b\u{1b}[31mc"), "ab[31mc");
        let huge = "名".repeat(1 << 20);
        assert_eq!(login_name(&huge).chars().count(), MAX_USERNAME_CHARS);
    }

    fn unit_actor(unit: i64) -> Actor {
        Actor {
            user_id: 5,
            username: "u".into(),
            role: Role::Unit,
            unit_id: Some(unit),
            enterprise_id: None,
            ip: String::new(),
        }
    }

    #[test]
    fn unit_users_see_only_their_unit() {
        let a = unit_actor(3);
        assert!(a.can_read_unit(3));
        assert!(a.can_write_unit(3));
        assert!(!a.can_read_unit(4));
        assert!(!a.can_write_unit(4));
        assert_eq!(a.unit_filter(), ScopeFilter::Only(3));
    }

    #[test]
    fn leaders_read_but_never_write() {
        let a = Actor {
            role: Role::Leader,
            ..unit_actor(1)
        };
        assert!(a.can_read_unit(9));
        assert!(!a.can_write_unit(9));
    }

    #[test]
    fn password_rules() {
        assert!(check_password_strength("Abc12345").is_ok());
        assert!(check_password_strength("abc12345!").is_ok());
        assert!(check_password_strength("Ab1!").is_err());
        assert!(check_password_strength("abcdefgh1").is_err());
        assert!(check_password_strength("ABCDEFGHIJ").is_err());
    }
}
