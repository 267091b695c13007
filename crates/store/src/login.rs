//! Login attempts: counted before the password is checked, per account and per client address.
//!
//! A failure count read first and written after the (slow, deliberately) password check lets
//! forty parallel guesses all be checked before the fifth locks the account. Here each attempt
//! takes its place in the count atomically *before* the check ([`Store::take_login_attempt`]),
//! and only the first `max_failures` of a burst are checked at all; a correct password gives
//! the place back. The same holds per client address ([`Store::take_address_attempt`]), so one
//! address can neither guess at every account nor lock the county out of the system.

use crate::users::UserRow;
use crate::{Result, Store};

/// What an attempt on an account may do.
#[derive(Debug, Clone)]
pub enum LoginGate {
    /// The attempt is counted as a failure until the password proves right; `attempt` is its
    /// place among the account's consecutive failures (1-based).
    Check { user: UserRow, attempt: i64 },
    /// The account exists but is locked (now, or by this very attempt), or disabled.
    Refused { user: UserRow, reason: Refusal },
    /// No such account.
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Locked { until: i64 },
    Disabled,
}

impl Store {
    /// Counts an attempt on `username` before its password is checked (see the module doc).
    /// When the attempt is past `max_failures` (parallel guesses), the account locks for
    /// `lock_secs` from now and the attempt is refused unchecked.
    pub async fn take_login_attempt(
        &self,
        username: &str,
        now: i64,
        max_failures: i64,
        lock_secs: i64,
    ) -> Result<LoginGate> {
        let mut tx = self.begin().await?;
        let taken: Option<(i64, i64)> = sqlx::query_as(
            "UPDATE users SET failed_attempts = failed_attempts + 1
             WHERE username = $1 AND disabled = 0 AND (locked_until IS NULL OR locked_until <= $2)
             RETURNING id, failed_attempts",
        )
        .bind(username)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some((id, attempt)) = taken
            && attempt > max_failures
        {
            sqlx::query("UPDATE users SET locked_until = $1, failed_attempts = 0 WHERE id = $2")
                .bind(now + lock_secs)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        let Some(user) = self.find_user_by_username(username).await? else {
            return Ok(LoginGate::Unknown);
        };
        Ok(match taken {
            Some((_, attempt)) if attempt <= max_failures => LoginGate::Check { user, attempt },
            _ if user.disabled != 0 => LoginGate::Refused {
                user,
                reason: Refusal::Disabled,
            },
            _ => {
                let until = user.locked_until.unwrap_or(now + lock_secs);
                LoginGate::Refused {
                    user,
                    reason: Refusal::Locked { until },
                }
            }
        })
    }

    /// The checked password was wrong on the account's `attempt`-th consecutive failure: at
    /// `max_failures` the account locks until `now + lock_secs`, which is returned.
    pub async fn settle_login_failure(
        &self,
        id: i64,
        attempt: i64,
        now: i64,
        max_failures: i64,
        lock_secs: i64,
    ) -> Result<Option<i64>> {
        if attempt < max_failures {
            return Ok(None);
        }
        let until = now + lock_secs;
        sqlx::query("UPDATE users SET locked_until = $1, failed_attempts = 0 WHERE id = $2")
            .bind(until)
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(Some(until))
    }

    /// Counts an attempt from client address `addr` in the current window of `window_secs`
    /// (a new window starts when the old one is over); returns the count including this one.
    pub async fn take_address_attempt(
        &self,
        addr: &str,
        now: i64,
        window_secs: i64,
    ) -> Result<i64> {
        let mut tx = self.begin().await?;
        let (count,): (i64,) = sqlx::query_as(
            "INSERT INTO login_throttle (addr, window_start, failures) VALUES ($1, $2, 1)
             ON CONFLICT (addr) DO UPDATE SET
               failures = CASE WHEN login_throttle.window_start <= $3 THEN 1
                               ELSE login_throttle.failures + 1 END,
               window_start = CASE WHEN login_throttle.window_start <= $3 THEN $2
                                   ELSE login_throttle.window_start END
             RETURNING failures",
        )
        .bind(addr)
        .bind(now)
        .bind(now - window_secs)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(count)
    }

    /// A signed-in attempt gives its place back: only failures count against an address.
    pub async fn refund_address_attempt(&self, addr: &str) -> Result<()> {
        sqlx::query(
            "UPDATE login_throttle SET failures = failures - 1 WHERE addr = $1 AND failures > 0",
        )
        .bind(addr)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Forgets addresses whose window ended before `cutoff`.
    pub async fn purge_login_throttle(&self, cutoff: i64) -> Result<u64> {
        Ok(
            sqlx::query("DELETE FROM login_throttle WHERE window_start < $1")
                .bind(cutoff)
                .execute(self.pool())
                .await?
                .rows_affected(),
        )
    }
}
