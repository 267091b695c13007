//! Is the database usable — for reading, and for writing? `/healthz` asks both.
//!
//! A full disk makes writes fail while reads go on; a health check that only reads says "ok"
//! while nobody can save a report. [`Store::check_writes`] writes (and removes) a few pages in
//! one transaction, so it fails exactly when a real write would, and succeeds again as soon as
//! space returns.

use crate::{Result, Store, StoreError};
use std::time::Duration;

/// Bytes the probe writes: more than a page, so the write needs pages of its own.
const PROBE_BYTES: usize = 8192;

/// How long the probe may wait behind other writers before it counts as failed.
const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

impl Store {
    /// Writes and removes a probe row in one committed transaction.
    pub async fn check_writes(&self) -> Result<()> {
        let probe = async {
            let mut tx = self.begin().await?;
            sqlx::query("DELETE FROM health_probe WHERE id = 1")
                .execute(&mut *tx)
                .await?;
            sqlx::query("INSERT INTO health_probe (id, data) VALUES (1, $1)")
                .bind(vec![0u8; PROBE_BYTES])
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM health_probe WHERE id = 1")
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(())
        };
        match tokio::time::timeout(PROBE_TIMEOUT, probe).await {
            Ok(result) => result,
            Err(_) => Err(StoreError::Invalid(format!(
                "写入检查 {} 秒内未完成 (write probe timed out)",
                PROBE_TIMEOUT.as_secs()
            ))),
        }
    }
}
