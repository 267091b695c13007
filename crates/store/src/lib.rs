//! Persistence for Qiangxian: migrations and queries over one schema on two engines.
//!
//! SQLite (WAL, embedded, the default for one county) and PostgreSQL (several app servers,
//! PostgreSQL-compatible government databases) run the same queries through sqlx's `Any`
//! driver. Queries are static strings with `$n` placeholders, numbered in order of first
//! appearance (SQLite assigns indexes that way); nothing is ever spliced into SQL. Where the
//! engines' DDL differs, each has its own migration file.
//!
//! Everything that changes data goes through a [`Tx`] and writes its audit entry in the same
//! transaction (see [`audit`]), so a change and its record commit or vanish together.

pub mod audit;
pub mod backup;
pub mod bulletins;
pub mod calendar;
pub mod enterprises;
pub mod evaluation;
pub mod migrate;
pub mod monitoring;
pub mod plans;
pub mod problems;
pub mod sessions;
pub mod settings;
#[cfg(feature = "testing")]
pub mod testing;
pub mod units;
pub mod users;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

pub use audit::AuditEntry;

/// A transaction on either engine.
pub type Tx = sqlx::Transaction<'static, sqlx::Any>;

/// Which database engine a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("not found: {0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    /// The actor may not touch this record. Handlers answer 403.
    #[error("无权访问 (forbidden): {0}")]
    Forbidden(String),
    #[error("{0}")]
    Invalid(String),
    #[error("unsupported database URL {0:?}: use sqlite://PATH or postgres://…")]
    UnsupportedUrl(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The database behind the whole system.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    engine: Engine,
}

impl Store {
    /// Opens (creating if needed) the embedded database in `dir/qx.db`.
    pub async fn open_data_dir(dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(dir)
            .map_err(|e| StoreError::Invalid(format!("无法创建数据目录 {}: {e}", dir.display())))?;
        let path = dir.join("qx.db");
        Self::connect(&format!("sqlite://{}?mode=rwc", path.display())).await
    }

    /// Connects to `sqlite://…` or `postgres://…`.
    pub async fn connect(url: &str) -> Result<Self> {
        sqlx::any::install_default_drivers();
        let engine = if url.starts_with("sqlite:") {
            Engine::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Engine::Postgres
        } else {
            return Err(StoreError::UnsupportedUrl(url.to_string()));
        };
        let options = AnyConnectOptions::from_str(url)?;
        let pool = match engine {
            Engine::Sqlite => {
                AnyPoolOptions::new()
                    .max_connections(8)
                    .min_connections(1)
                    .after_connect(|conn, _meta| {
                        Box::pin(async move {
                            // WAL lets readers run beside the writer; busy_timeout queues
                            // writers instead of failing them during a month-end surge.
                            conn.execute("PRAGMA journal_mode = WAL").await?;
                            conn.execute("PRAGMA synchronous = NORMAL").await?;
                            conn.execute("PRAGMA busy_timeout = 10000").await?;
                            conn.execute("PRAGMA foreign_keys = ON").await?;
                            Ok(())
                        })
                    })
                    .connect_with(options)
                    .await?
            }
            Engine::Postgres => {
                AnyPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(options)
                    .await?
            }
        };
        Ok(Store { pool, engine })
    }

    pub fn engine(&self) -> Engine {
        self.engine
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Starts a write transaction. On SQLite it takes the write lock up front
    /// (`BEGIN IMMEDIATE`) so two writers queue on the busy timeout instead of one failing
    /// when it upgrades a read lock.
    pub async fn begin(&self) -> Result<Tx> {
        let tx = match self.engine {
            Engine::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Engine::Postgres => self.pool.begin().await?,
        };
        Ok(tx)
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Current time as Unix seconds.
pub fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}
