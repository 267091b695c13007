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

pub mod assessment;
pub mod audit;
pub mod audit_anchor;
pub mod backup;
pub mod bulletins;
pub mod calendar;
pub mod cultivation;
pub mod enterprises;
pub mod evaluation;
pub mod health;
pub mod indicator_source;
pub mod login;
pub mod meetings;
pub mod migrate;
pub mod monitoring;
pub mod notices;
pub(crate) mod packed;
pub mod picture_reads;
pub mod plans;
pub mod problems;
pub mod projects;
pub mod sessions;
pub mod settings;
#[cfg(feature = "testing")]
pub mod testing;
pub mod timelines;
pub mod tokens;
pub mod units;
pub mod users;
pub mod webhooks;

use serde::Serialize;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

pub use audit::AuditEntry;

/// A transaction on either engine.
pub type Tx = sqlx::Transaction<'static, sqlx::Any>;

/// Rows per statement of a multi-row insert: at the widest row written so (24 columns) well
/// under SQLite's 32,766 and PostgreSQL's 65,535 parameters.
pub(crate) const BATCH_ROWS: usize = 400;

/// The engine a transaction runs on (helpers that hold only the transaction).
pub(crate) fn engine_of(tx: &Tx) -> Engine {
    if tx.backend_name().eq_ignore_ascii_case("postgresql") {
        Engine::Postgres
    } else {
        Engine::Sqlite
    }
}

/// The `VALUES` list of a multi-row statement: `rows` groups of `width` placeholders bound in
/// order. PostgreSQL takes numbered ones, `($1, …, $width), ($width+1, …)`; SQLite anonymous
/// `?`, since it looks a named or numbered parameter up by a linear scan of every name (an
/// import's 10,000-parameter statement took seconds so). Placeholders only; values are bound.
pub(crate) fn values_placeholders(engine: Engine, rows: usize, width: usize) -> String {
    let groups: Vec<String> = (0..rows)
        .map(|r| {
            let cells: Vec<String> = (1..=width)
                .map(|c| match engine {
                    Engine::Sqlite => "?".to_string(),
                    Engine::Postgres => format!("${}", r * width + c),
                })
                .collect();
            format!("({})", cells.join(", "))
        })
        .collect();
    groups.join(", ")
}

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
    /// SQLite only: the one connection write transactions run on (see [`Store::begin`]).
    writer: Option<AnyPool>,
    engine: Engine,
    /// The project alerts already told, kept between sweeps (see `projects::alerts`).
    told_alerts: std::sync::Arc<tokio::sync::Mutex<projects::alerts::Told>>,
}

impl Store {
    /// Opens (creating if needed) the embedded database in `dir/qx.db`.
    pub async fn open_data_dir(dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(dir)
            .map_err(|e| StoreError::Invalid(format!("无法创建数据目录 {}: {e}", dir.display())))?;
        let path = dir.join("qx.db");
        check_writable(dir, &path)?;
        Self::connect(&format!("sqlite://{}?mode=rwc", path.display())).await
    }

    /// Connects to `sqlite://…` or `postgres://…`.
    pub async fn connect(url: &str) -> Result<Self> {
        Self::connect_guarded(url, None).await
    }

    /// [`Store::connect`]; on PostgreSQL with `bind_guard` (tests only: `testing::guard_binds`)
    /// each released connection is checked for a statement prepared with a `float4` parameter.
    pub(crate) async fn connect_guarded(url: &str, bind_guard: Option<String>) -> Result<Self> {
        sqlx::any::install_default_drivers();
        let engine = if url.starts_with("sqlite:") {
            Engine::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Engine::Postgres
        } else {
            return Err(StoreError::UnsupportedUrl(url.to_string()));
        };
        let options = AnyConnectOptions::from_str(url)?;
        let store = match engine {
            Engine::Sqlite => {
                // Readers share a pool; writers queue for one connection of their own. SQLite
                // takes one writer at a time anyway, and queueing in the pool is first come,
                // first served, where writers racing for the file lock would poll it with
                // sleeps of up to 100 ms (the busy handler) and finish in random order.
                let sqlite_pool = |max: u32| {
                    AnyPoolOptions::new()
                        .max_connections(max)
                        .min_connections(1)
                        // No ping before every use: the database is a file in this process,
                        // there is no link to break.
                        .test_before_acquire(false)
                        .before_acquire(|conn, _meta| Box::pin(async move { Ok(clean(conn)) }))
                        // A writer waits for the ones before it, never for ever.
                        .acquire_timeout(Duration::from_secs(30))
                        .after_connect(|conn, _meta| {
                            Box::pin(async move {
                                // WAL lets readers run beside the writer; busy_timeout covers
                                // writes from outside the writer pool (another process, the
                                // few single statements that run on the read pool).
                                conn.execute("PRAGMA journal_mode = WAL").await?;
                                conn.execute("PRAGMA synchronous = NORMAL").await?;
                                conn.execute("PRAGMA busy_timeout = 10000").await?;
                                conn.execute("PRAGMA foreign_keys = ON").await?;
                                // Reads straight from the OS page cache, shared by the eight
                                // readers, instead of each copying pages into its own 2 MB cache
                                // (a county database is tens of MB).
                                conn.execute("PRAGMA mmap_size = 268435456").await?;
                                Ok(())
                            })
                        })
                };
                let pool = sqlite_pool(8).connect_with(options.clone()).await?;
                // An in-memory database is private to its connection: no second pool there.
                let writer = if url.contains(":memory:") || url.contains("mode=memory") {
                    None
                } else {
                    Some(sqlite_pool(1).connect_with(options).await?)
                };
                Store {
                    pool,
                    writer,
                    engine,
                    told_alerts: Default::default(),
                }
            }
            Engine::Postgres => {
                let pool_options = AnyPoolOptions::new()
                    // Eight: each connection is a server process, and past a few per core
                    // they only queue for CPU and for the audit chain's head row. Sixteen
                    // made the 60-unit month-end surge slower (p99 290 ms vs 180 ms) on the
                    // 2-core bench machine running the server and PostgreSQL together.
                    .max_connections(8)
                    // All eight kept open: the first burst after a quiet spell (the month-end
                    // deadline morning) otherwise pays for eight server processes at once.
                    .min_connections(8)
                    .acquire_timeout(Duration::from_secs(10))
                    // sqlx pings a connection before every use by default: one extra round
                    // trip per query, a third of a cached dashboard's database time. A link
                    // broken by a server restart fails its next query instead, and sqlx then
                    // drops that connection; connections are also renewed every 30 minutes.
                    .test_before_acquire(false)
                    .before_acquire(|conn, _meta| Box::pin(async move { Ok(clean(conn)) }));
                #[cfg(feature = "testing")]
                let pool_options = match bind_guard {
                    Some(name) => testing::guard_binds(pool_options, name),
                    None => pool_options,
                };
                #[cfg(not(feature = "testing"))]
                let _ = bind_guard;
                let pool = pool_options.connect_with(options).await?;
                Store {
                    pool,
                    writer: None,
                    engine,
                    told_alerts: Default::default(),
                }
            }
        };
        Ok(store)
    }

    pub fn engine(&self) -> Engine {
        self.engine
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Starts a write transaction. On SQLite it runs on the writer connection, so writers
    /// queue in order for it, and takes the write lock up front (`BEGIN IMMEDIATE`) so a
    /// writer from outside (another process) makes it wait on the busy timeout instead of
    /// failing when it upgrades a read lock. Never nest: a second `begin` in the same task
    /// waits for the first to finish.
    pub async fn begin(&self) -> Result<Tx> {
        let tx = match (&self.writer, self.engine) {
            (Some(writer), _) => writer.begin_with("BEGIN IMMEDIATE").await?,
            (None, Engine::Sqlite) => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            (None, Engine::Postgres) => self.pool.begin().await?,
        };
        Ok(tx)
    }

    /// A stamp that changes with every audited write, on every app server sharing the
    /// database: the audit chain's head (its sequence number and hash, so a restored backup
    /// that reuses a number still reads as different). Caches of derived views (the
    /// monitoring picture) key on it. One indexed single-row read.
    pub async fn change_stamp(&self) -> Result<(i64, String)> {
        Ok(
            sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1")
                .fetch_one(self.pool())
                .await?,
        )
    }

    /// [`Store::change_stamp`] and the setting `key`, in one statement (a cache that also
    /// depends on a setting reads both on every request).
    pub async fn change_stamp_with(&self, key: &str) -> Result<(i64, String, Option<String>)> {
        Ok(sqlx::query_as(
            "SELECT h.seq, h.hash, (SELECT value FROM settings WHERE key = $1) FROM audit_head h WHERE h.id = 1",
        )
        .bind(key)
        .fetch_one(self.pool())
        .await?)
    }

    pub async fn close(&self) {
        if let Some(writer) = &self.writer {
            writer.close().await;
        }
        self.pool.close().await;
    }
}

/// An optional `f64` to bind: its NULL goes to PostgreSQL as a NULL `float8`, like its values.
///
/// PostgreSQL connections keep sqlx's cache of prepared statements, keyed by the SQL alone, and
/// PostgreSQL fixes a parameter's type when the statement is prepared. Through the `Any` driver
/// sqlx 0.9.0 sends a NULL `Option<f64>` as a NULL `float4` (`AnyArguments::convert_into` swaps
/// the two float kinds' NULLs; every other kind keeps its type). A statement first run with
/// that NULL would be cached with a `float4` parameter, and the next run of the same SQL on that
/// connection with a figure would send eight bytes where four are expected: `22P03 incorrect
/// binary data format in bind parameter N`. So an optional figure is never bound as a bare
/// `Option<f64>` but as `OptF64`, whose NULL goes through the other kind and arrives as
/// `float8`. `tests/it/pg_binds.rs` tells when a sqlx release changes the mapping, and the
/// tests' bind guard (`testing`) fails any test whose statement was prepared with a `float4`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OptF64(pub Option<f64>);

impl sqlx::Type<sqlx::Any> for OptF64 {
    fn type_info() -> sqlx::any::AnyTypeInfo {
        <f64 as sqlx::Type<sqlx::Any>>::type_info()
    }
}

impl<'q> sqlx::Encode<'q, sqlx::Any> for OptF64 {
    fn encode_by_ref(
        &self,
        buf: &mut <sqlx::Any as sqlx::Database>::ArgumentBuffer,
    ) -> std::result::Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
        match self.0 {
            Some(value) => <f64 as sqlx::Encode<sqlx::Any>>::encode_by_ref(&value, buf),
            // sqlx 0.9.0 sends the NULL of `f32` as `float8` (see above).
            None => <Option<f32> as sqlx::Encode<sqlx::Any>>::encode_by_ref(&None, buf),
        }
    }
}

impl From<Option<f64>> for OptF64 {
    fn from(value: Option<f64>) -> Self {
        OptF64(value)
    }
}

/// A nullable coded column (a state or kind that may be absent) read as its enum: NULL is
/// `None`, a code is decoded with the enum's own error, never guessed (`#[sqlx(try_from =
/// "Option<String>")]`). Serialised as the code, or null.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct MaybeCoded<T>(pub Option<T>);

impl<T: TryFrom<String>> TryFrom<Option<String>> for MaybeCoded<T> {
    type Error = T::Error;
    fn try_from(code: Option<String>) -> std::result::Result<Self, T::Error> {
        code.map(T::try_from).transpose().map(MaybeCoded)
    }
}

/// Whether a pooled connection may be handed out: not when a transaction on it is still open.
///
/// A transaction whose COMMIT failed (a full disk: SQLite has already rolled it back, so the
/// ROLLBACK sqlx sends on drop fails too) leaves the connection believing it is inside a
/// transaction, and every later `begin` on it fails ("attempted to call begin_with at non-zero
/// transaction depth"), logins included, until restart. Such a connection is closed instead
/// and the pool opens a fresh one, so writes work again as soon as the cause is gone.
fn clean(conn: &mut sqlx::AnyConnection) -> bool {
    use sqlx::Connection;
    let in_transaction = conn.is_in_transaction();
    if in_transaction {
        tracing::warn!("discarding a database connection left inside a failed transaction");
    }
    !in_transaction
}

/// Fails early, naming the path and the cause, when the data directory or the database file
/// cannot be written (a read-only mount, a wrong owner): SQLite would otherwise fail each
/// connection attempt and the pool would retry until it timed out with "pool timed out".
fn check_writable(dir: &Path, db: &Path) -> Result<()> {
    let named = |what: &str, path: &Path, e: std::io::Error| {
        StoreError::Invalid(format!(
            "{what} {} 不可写: {e} (the server needs to write there: check the owner, the permissions and whether the disk is mounted read-only)",
            path.display()
        ))
    };
    let probe = dir.join(format!(".qx-write-check-{}", std::process::id()));
    std::fs::File::create(&probe).map_err(|e| named("数据目录", dir, e))?;
    let _ = std::fs::remove_file(&probe);
    if db.exists() {
        std::fs::OpenOptions::new()
            .write(true)
            .open(db)
            .map_err(|e| named("数据库文件", db, e))?;
    }
    Ok(())
}

/// Refuses anyone but the system (the demo, an import of last year's records) a step that
/// enters history after the fact: `what` is the step, as in "补录报送时间".
pub(crate) fn system_only(actor: &qx_core::access::Actor, what: &str) -> Result<()> {
    if actor.user_id == 0 {
        Ok(())
    } else {
        Err(StoreError::Forbidden(format!(
            "只有系统导入可以{what} (system only)"
        )))
    }
}

/// Refuses anyone but the office (办公室, the admin role) a step that is the office's alone:
/// `what` is the step, as in "设置分派规则", and the refusal reads "只有办公室可以设置分派规则".
pub(crate) fn office_only(actor: &qx_core::access::Actor, what: &str) -> Result<()> {
    if actor.is_admin() {
        Ok(())
    } else {
        Err(StoreError::Forbidden(format!("只有办公室可以{what}")))
    }
}

/// The unit a unit user acts for, as a scope bind: its id, or -1 (no row's unit) for any other
/// role and for a unit user without a unit.
pub(crate) fn own_unit(actor: &qx_core::access::Actor) -> i64 {
    match actor.role {
        qx_core::access::Role::Unit => actor.unit_id.unwrap_or(-1),
        _ => -1,
    }
}

/// The enterprise an enterprise user speaks for, as a scope bind: its id, or -1 (no row's
/// enterprise) for any other role.
pub(crate) fn own_enterprise(actor: &qx_core::access::Actor) -> i64 {
    match actor.role {
        qx_core::access::Role::Enterprise => actor.enterprise_id.unwrap_or(-1),
        _ => -1,
    }
}

/// The value of a free-text field, trimmed, within the field's limit (`qx_core::text`), as
/// stored; a refusal names the field.
pub(crate) fn text(field: qx_core::text::TextField, value: &str) -> Result<String> {
    field
        .check(value)
        .map(str::to_string)
        .map_err(StoreError::Invalid)
}

/// Appends the audit entry of the writes in `tx` and commits them together: the last step of
/// every audited write.
pub(crate) async fn commit_audited(mut tx: Tx, entry: AuditEntry<'_>) -> Result<()> {
    audit::append(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(())
}

/// Commits a step that dated history entered after the fact (the demo's year, last year's
/// records replayed): audited once, over every record of `record`, with how many rows moved,
/// which it returns.
pub(crate) async fn commit_dated(
    tx: Tx,
    actor: &qx_core::access::Actor,
    action: &str,
    record: &str,
    moved: usize,
) -> Result<usize> {
    let entry = AuditEntry::new(actor, action, record, qx_core::audit::EVERY_RECORD)
        .after(serde_json::json!({ "moved": moved }));
    commit_audited(tx, entry).await?;
    Ok(moved)
}

/// Current time as Unix seconds, by the process's clock (which the demo clock may shift: see
/// [`qx_core::time::set_today`]).
pub fn now() -> i64 {
    qx_core::time::now()
}
