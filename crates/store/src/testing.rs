//! Fresh, migrated databases for tests: always an SQLite file, and a PostgreSQL database too
//! when `QX_TEST_DATABASE_URL` points at a server (CI sets it), so every store test runs on
//! both engines.

use crate::{Result, Store};
use sqlx::AssertSqlSafe;

/// An engine's name and a fresh store on it. Whatever the test wrote goes away with it: the
/// SQLite file with its `TempDir`, the PostgreSQL database with its [`ServerDatabase`].
pub struct TestDb {
    pub name: &'static str,
    pub store: Store,
    pub url: String,
    /// PostgreSQL: the database created for this test, on the server in `QX_TEST_DATABASE_URL`.
    database: Option<ServerDatabase>,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    /// Closes the store and, on PostgreSQL, drops its database now. Benchmarks call it between
    /// phases, so that a finished phase's data (and the server's autovacuum of it) is gone
    /// before the next phase is measured.
    pub async fn discard(mut self) -> Result<()> {
        self.store.close().await;
        if let Some(mut database) = self.database.take() {
            database.drop_now().await?;
            database.dropped = true;
        }
        Ok(())
    }
}

/// A database this process created on the test server. It is dropped when the test is done
/// with it, so that a full test run leaves the server as it found it: CI's disk holds the
/// build as well, and one run's abandoned databases (650 MB) once helped fill it. A test that
/// fails keeps its database for a look afterwards, and says which it is.
struct ServerDatabase {
    server: String,
    name: String,
    /// Already dropped (by [`TestDb::discard`]): nothing left to do on `Drop`.
    dropped: bool,
}

impl ServerDatabase {
    async fn drop_now(&self) -> Result<()> {
        let admin = sqlx::AnyPool::connect(&self.server).await?;
        // Our own [a-z0-9_] name (see `postgres`), not a bind parameter. FORCE closes the
        // connections a test's pool or server task may still hold.
        let dropped = sqlx::query(AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        )))
        .execute(&admin)
        .await;
        admin.close().await;
        dropped.map(drop).map_err(Into::into)
    }
}

impl Drop for ServerDatabase {
    fn drop(&mut self) {
        if self.dropped {
            return;
        }
        if std::thread::panicking() {
            eprintln!("test database kept for inspection: {}", self.name);
            return;
        }
        // `Drop` cannot await, and the test's own runtime may be a current-thread one that is
        // busy running this very drop, so the drop happens on a thread with a runtime of its own.
        let name = self.name.clone();
        let dropped = std::thread::scope(|scope| {
            scope
                .spawn(|| {
                    tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .map_err(|e| crate::StoreError::Invalid(e.to_string()))?
                        .block_on(self.drop_now())
                })
                .join()
        });
        match dropped {
            Ok(Ok(())) => {}
            Ok(Err(e)) => eprintln!("could not drop test database {name}: {e}"),
            Err(_) => {
                eprintln!("could not drop test database {name}: the dropping thread panicked")
            }
        }
    }
}

/// A fresh SQLite database in a temporary folder.
pub async fn sqlite() -> Result<TestDb> {
    sqlite_at(i64::MAX).await
}

async fn sqlite_at(version: i64) -> Result<TestDb> {
    let dir = tempfile::tempdir().map_err(|e| crate::StoreError::Invalid(e.to_string()))?;
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("qx.db").display());
    let store = Store::connect(&url).await?;
    store.migrate_up_to(version).await?;
    Ok(TestDb {
        name: "sqlite",
        store,
        url,
        database: None,
        _dir: Some(dir),
    })
}

/// A fresh PostgreSQL database on the server in `QX_TEST_DATABASE_URL`, if set.
pub async fn postgres() -> Result<Option<TestDb>> {
    postgres_at(i64::MAX).await
}

async fn postgres_at(version: i64) -> Result<Option<TestDb>> {
    let Ok(server) = std::env::var("QX_TEST_DATABASE_URL") else {
        return Ok(None);
    };
    sqlx::any::install_default_drivers();
    let admin = sqlx::AnyPool::connect(&server).await?;
    let bytes: [u8; 8] = rand_bytes();
    let name: String = format!("qx_test_{}", hex::encode(bytes));
    // A database name cannot be a bind parameter; this one is our own [a-z0-9_] string.
    sqlx::query(AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&admin)
        .await?;
    admin.close().await;
    // From here on the database is dropped again if anything below fails.
    let database = ServerDatabase {
        server: server.clone(),
        name: name.clone(),
        dropped: false,
    };
    let url = match server.rfind('/') {
        Some(i) if server[..i].contains("://") && !server[..i].ends_with('/') => {
            let rest = server[i + 1..]
                .find('?')
                .map(|q| &server[i + 1 + q..])
                .unwrap_or("");
            format!("{}/{name}{rest}", &server[..i])
        }
        _ => format!("{}/{name}", server.trim_end_matches('/')),
    };
    let store = Store::connect(&url).await?;
    store.migrate_up_to(version).await?;
    Ok(Some(TestDb {
        name: "postgres",
        store,
        url,
        database: Some(database),
        _dir: None,
    }))
}

/// The newest audit entries (up to 500) whose action starts with `prefix`, newest first.
pub async fn audit_entries(store: &Store, prefix: &str) -> Result<Vec<crate::audit::AuditRecord>> {
    store
        .audit_list(&crate::audit::AuditQuery {
            action_prefix: Some(prefix.to_string()),
            limit: 500,
            ..Default::default()
        })
        .await
}

/// Every engine available here.
pub async fn all() -> Result<Vec<TestDb>> {
    let mut dbs = vec![sqlite().await?];
    dbs.extend(postgres().await?);
    Ok(dbs)
}

/// Every engine available here, migrated only up to `version` (to test a data migration:
/// write the old rows, then `migrate`).
pub async fn all_at(version: i64) -> Result<Vec<TestDb>> {
    let mut dbs = vec![sqlite_at(version).await?];
    dbs.extend(postgres_at(version).await?);
    Ok(dbs)
}

fn rand_bytes() -> [u8; 8] {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let counter = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let mixed = (nanos as u64)
        ^ (u64::from(std::process::id()) << 32)
        ^ counter.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    mixed.to_le_bytes()
}

static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
