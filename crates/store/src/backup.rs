//! `qx backup`: a consistent copy of the live database.
//!
//! On SQLite, `VACUUM INTO` writes a transactionally consistent, compacted copy while the
//! server keeps running. On PostgreSQL the tool for that is `pg_dump` (one snapshot), which
//! this calls with the same URL.

use crate::{Engine, Result, Store, StoreError};
use std::path::Path;

impl Store {
    pub async fn backup_to(&self, out: &Path, database_url: &str) -> Result<()> {
        if out.exists() {
            return Err(StoreError::Invalid(format!(
                "备份文件已存在, 不会覆盖: {} (the output file exists; choose a new name)",
                out.display()
            )));
        }
        match self.engine() {
            Engine::Sqlite => {
                let target = out.to_string_lossy().into_owned();
                sqlx::query("VACUUM INTO $1")
                    .bind(target)
                    .execute(self.pool())
                    .await?;
                Ok(())
            }
            Engine::Postgres => {
                let status = std::process::Command::new("pg_dump")
                    .arg("--format=custom")
                    .arg("--file")
                    .arg(out)
                    .arg(database_url)
                    .status()
                    .map_err(|e| {
                        StoreError::Invalid(format!(
                            "无法运行 pg_dump ({e}); 请安装 PostgreSQL 客户端 (install the postgresql-client package)"
                        ))
                    })?;
                if status.success() {
                    Ok(())
                } else {
                    Err(StoreError::Invalid(format!("pg_dump 失败: {status}")))
                }
            }
        }
    }
}
