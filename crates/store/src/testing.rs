//! Fresh, migrated databases for tests: always an SQLite file, and a PostgreSQL database too
//! when `QX_TEST_DATABASE_URL` points at a server (CI sets it), so every store test runs on
//! both engines.

use crate::{Result, Store};
use sqlx::AssertSqlSafe;
use std::sync::Mutex;

/// Statements a test database's connections prepared with a `float4` parameter, by database:
/// what [`guard_binds`] found. Nothing in this system binds an `f32`, so each one is an optional
/// figure bound as a bare `Option<f64>` while NULL (see [`crate::OptF64`]), which the statement
/// cache would keep and fail the next run with a figure on.
static FLOAT4_STATEMENTS: Mutex<Vec<(String, String)>> = Mutex::new(Vec::new());

/// Checks every connection a test's PostgreSQL pool takes back for statements prepared with a
/// `float4` parameter, and records them under `database` for [`ServerDatabase`] to fail the
/// test with when it drops the database. Debug builds only: a benchmark (release) runs
/// without the extra statement per release.
pub(crate) fn guard_binds(
    pool: sqlx::any::AnyPoolOptions,
    database: String,
) -> sqlx::any::AnyPoolOptions {
    if !cfg!(debug_assertions) {
        return pool;
    }
    pool.after_release(move |conn, _meta| {
        let database = database.clone();
        Box::pin(async move {
            let found: Vec<(String,)> = sqlx::query_as(
                "SELECT statement FROM pg_prepared_statements
                 WHERE CAST('real' AS REGTYPE) = ANY(parameter_types)",
            )
            .persistent(false)
            .fetch_all(&mut *conn)
            .await?;
            if found.is_empty() {
                return Ok(true);
            }
            let mut list = FLOAT4_STATEMENTS.lock().unwrap_or_else(|e| e.into_inner());
            list.extend(found.into_iter().map(|(sql,)| (database.clone(), sql)));
            // Closed, so that the poisoned statement is not run again by a later test step.
            Ok(false)
        })
    })
}

/// The statements [`guard_binds`] found for `database`, taken out of the record.
fn float4_statements(database: &str) -> Vec<String> {
    let mut list = FLOAT4_STATEMENTS.lock().unwrap_or_else(|e| e.into_inner());
    let (found, rest): (Vec<_>, Vec<_>) = list.drain(..).partition(|(db, _)| db == database);
    *list = rest;
    found.into_iter().map(|(_, sql)| sql).collect()
}

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
            database.refuse_float4_statements();
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
    /// Fails the test when its connections prepared a statement with a `float4` parameter
    /// (see [`guard_binds`]).
    fn refuse_float4_statements(&self) {
        let found = float4_statements(&self.name);
        assert!(
            found.is_empty(),
            "statements prepared with a float4 parameter (an optional figure bound as a bare Option<f64>: bind qx_store::OptF64): {found:#?}"
        );
    }

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
        self.refuse_float4_statements();
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
    let store = Store::connect_guarded(&url, Some(name.clone())).await?;
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
/// A unit of `kind` named `name`, created by the system.
pub async fn unit(
    store: &Store,
    kind: qx_core::units::UnitKind,
    name: &str,
    slug: &str,
) -> Result<i64> {
    store
        .create_unit(
            &qx_core::access::Actor::system(),
            &crate::units::NewUnit {
                kind,
                name: name.into(),
                full_name: name.into(),
                region_code: None,
                parent_id: None,
                slug: slug.into(),
                aliases: vec![],
                sort_order: 0,
            },
        )
        .await
}

/// A town (镇) named `name`: the unit most fixtures hang their enterprises and problems on.
pub async fn town(store: &Store, name: &str, slug: &str) -> Result<i64> {
    unit(store, qx_core::units::UnitKind::Town, name, slug).await
}

pub async fn audit_entries(store: &Store, prefix: &str) -> Result<Vec<crate::audit::AuditRecord>> {
    store
        .audit_list(
            &qx_core::access::Actor::system(),
            &crate::audit::AuditQuery {
                action_prefix: Some(prefix.to_string()),
                limit: 500,
                ..Default::default()
            },
        )
        .await
}

/// A stage a project reached on a day, for [`bulk_stage_moves`].
#[derive(Debug, Clone)]
pub struct BulkMove {
    pub project_id: i64,
    pub stage: qx_core::project::Stage,
    pub on: time::Date,
}

/// Benchmarks only: records stage moves in one transaction, as `move_project` leaves them (the
/// stage's actual date, the project's stage and `stage_since`), without the notices, timeline
/// and audit each interactive move writes. Moves of a project must come in order.
pub async fn bulk_stage_moves(store: &Store, moves: &[BulkMove]) -> Result<()> {
    let mut tx = store.begin().await?;
    for m in moves {
        let on = qx_core::time::format_date(m.on);
        sqlx::query(
            "INSERT INTO project_stages (project_id, stage, actual_on, evidence, moved_at)
             VALUES ($1, $2, $3, '', $4)
             ON CONFLICT (project_id, stage) DO UPDATE SET actual_on = $3, moved_at = $4",
        )
        .bind(m.project_id)
        .bind(m.stage.as_str())
        .bind(&on)
        .bind(crate::now())
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE projects SET stage = $1, stage_since = $2 WHERE id = $3")
            .bind(m.stage.as_str())
            .bind(&on)
            .bind(m.project_id)
            .execute(&mut *tx)
            .await?;
    }
    let mut moved: Vec<i64> = moves.iter().map(|m| m.project_id).collect();
    moved.sort_unstable();
    moved.dedup();
    crate::projects::next_stage::refresh(&mut tx, &moved).await?;
    tx.commit().await?;
    Ok(())
}

/// Benchmarks only: the projects' alerts sweep with nothing new to tell, read and judged as it
/// was before the next planned stage was stored and the told keys kept between sweeps (every
/// pending stage, every told key, every name and message); writes nothing. Returns how many
/// projects raise an alert, which must equal `sweep_project_alerts`' `alerted`.
pub async fn project_alerts_as_before(store: &Store, today: time::Date) -> Result<usize> {
    crate::projects::alerts::alerted_as_before(store, today).await
}

/// The stage rows of the projects `ids` as `next_stage::refresh` reads them (in a transaction
/// rolled back: the drift checks write nothing).
async fn stages_of(
    store: &Store,
    ids: impl Iterator<Item = i64>,
) -> Result<std::collections::HashMap<i64, crate::projects::next_stage::StageRows>> {
    let ids: Vec<i64> = ids.collect();
    let mut tx = store.pool().begin().await?;
    let stages = crate::projects::next_stage::stages_of(&mut tx, &ids).await?;
    tx.rollback().await?;
    Ok(stages)
}

/// Where a project's stored next planned stage (`projects.next_stage`, `next_planned_on`)
/// differs from its stages picked afresh by the one rule: `(project, stored, picked)`, each
/// side `(stage, date)`, both `None` for no next stage. Empty when every writer kept it in step.
pub async fn next_stage_drift(store: &Store) -> Result<Vec<NextStageDrift>> {
    let stored: Vec<(i64, Option<String>, Option<String>)> =
        sqlx::query_as("SELECT id, next_stage, next_planned_on FROM projects ORDER BY id")
            .fetch_all(store.pool())
            .await?;
    let mut stages = stages_of(store, stored.iter().map(|(id, ..)| *id)).await?;
    Ok(stored
        .into_iter()
        .filter_map(|(id, stage, on)| {
            let stored = (stage, on);
            let pending = stages.remove(&id).unwrap_or_default().pending;
            let picked = crate::projects::next_stage::next_of(pending)
                .map_or((None, None), |(s, on)| {
                    (Some(s.as_str().to_string()), Some(on))
                });
            (stored != picked).then_some((id, stored, picked))
        })
        .collect())
}

/// Where a project's stored stages reached (`projects.signed_on`, `registered_on`,
/// `started_on`, `producing_on`) differ from the actual dates of its stage rows:
/// `(project, stored, from the stages)`. Empty when every writer kept them in step.
pub async fn reached_drift(store: &Store) -> Result<Vec<ReachedDrift>> {
    type Stored = (
        i64,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
    );
    let stored: Vec<Stored> = sqlx::query_as(
        "SELECT id, signed_on, registered_on, started_on, producing_on FROM projects ORDER BY id",
    )
    .fetch_all(store.pool())
    .await?;
    let mut stages = stages_of(store, stored.iter().map(|(id, ..)| *id)).await?;
    Ok(stored
        .into_iter()
        .filter_map(|(id, a, b, c, d)| {
            let stored = [a, b, c, d];
            let reached = stages.remove(&id).unwrap_or_default().reached;
            (stored != reached).then_some((id, stored, reached))
        })
        .collect())
}

/// A project whose stored stages reached differ from its stages: project, stored, from the
/// stages (签约, 注册, 开工, 投产).
pub type ReachedDrift = (i64, [Option<String>; 4], [Option<String>; 4]);

/// Benchmarks and tests only: the funnel's items read as before migration 0037 (names joined,
/// four stage rows per project), to be equal to `Store::funnel_items` and timed beside it.
pub async fn funnel_items_as_before(
    store: &Store,
    actor: &qx_core::access::Actor,
    year: Option<i32>,
) -> Result<crate::projects::FunnelItems> {
    crate::projects::funnel::items_as_before(store, actor, year).await
}

/// A project whose stored next planned stage differs from its stages: project, stored, picked.
pub type NextStageDrift = (
    i64,
    (Option<String>, Option<String>),
    (Option<String>, Option<String>),
);

/// One project's 调度 of one month, for [`bulk_dispatch`].
#[derive(Debug, Clone)]
pub struct BulkDispatch {
    pub project_id: i64,
    pub unit_id: i64,
    /// `YYYY-MM`.
    pub period: String,
    pub invested_wan: f64,
    pub foreign_wusd: Option<f64>,
    pub domestic_wan: Option<f64>,
}

/// Benchmarks only: months of approved 调度 in one transaction. Each month of `rows` gets a
/// closed reporting period of `plan_id` and each unit reporting in it an approved submission,
/// as the approval flow leaves them; then the rows. Returns the periods' ids by month.
pub async fn bulk_dispatch(
    store: &Store,
    plan_id: i64,
    rows: &[BulkDispatch],
) -> Result<std::collections::BTreeMap<String, i64>> {
    use std::collections::{BTreeMap, BTreeSet};
    let now = crate::now();
    let mut tx = store.begin().await?;
    let months: BTreeSet<&str> = rows.iter().map(|r| r.period.as_str()).collect();
    let mut periods = BTreeMap::new();
    for month in months {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO report_periods (plan_id, period, due_on, status, opened_at)
             VALUES ($1, $2, $3, 'closed', $4) RETURNING id",
        )
        .bind(plan_id)
        .bind(month)
        .bind(format!("{month}-28"))
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        periods.insert(month.to_string(), id);
    }
    let reporting: BTreeSet<(i64, i64)> = rows
        .iter()
        .map(|r| (periods[&r.period], r.unit_id))
        .collect();
    for &(period_id, unit_id) in &reporting {
        sqlx::query(
            "INSERT INTO submissions (period_id, unit_id, revision, status, submitted_at, reviewed_at,
                created_at, updated_at)
             VALUES ($1, $2, 1, 'approved', $3, $3, $3, $3)",
        )
        .bind(period_id)
        .bind(unit_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    for r in rows {
        sqlx::query(
            "INSERT INTO project_dispatches (period_id, project_id, unit_id, invested_wan, foreign_wusd,
                domestic_wan, progress, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, '', $7)",
        )
        .bind(periods[&r.period])
        .bind(r.project_id)
        .bind(r.unit_id)
        .bind(r.invested_wan)
        .bind(crate::OptF64(r.foreign_wusd))
        .bind(crate::OptF64(r.domestic_wan))
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    // The stored 本年已完成投资, as the approval flow keeps it (all at once, as the migration).
    crate::projects::year_done::rebuild(&mut tx).await?;
    tx.commit().await?;
    Ok(periods)
}

/// Where the stored 本年已完成投资 (`project_year_done`) differs from the approved months summed
/// afresh: `(project, year, stored, summed)`, a missing row on either side as `None` (and a
/// stored row whose sum is blank as `Some(None)`). Empty when every writer kept it in step.
pub async fn year_done_drift(
    store: &Store,
) -> Result<Vec<(i64, i64, Option<Option<f64>>, Option<Option<f64>>)>> {
    let stored: Vec<(i64, i64, Option<f64>)> =
        sqlx::query_as("SELECT project_id, year, invested_wan FROM project_year_done")
            .fetch_all(store.pool())
            .await?;
    let summed: Vec<(i64, i64, Option<f64>)> = sqlx::query_as(concat!(
        "SELECT d.project_id, CAST(substr(rp.period, 1, 4) AS BIGINT), SUM(d.invested_wan)
         FROM project_dispatches d JOIN report_periods rp ON rp.id = d.period_id WHERE ",
        crate::projects::dispatch_approved!(),
        " GROUP BY d.project_id, CAST(substr(rp.period, 1, 4) AS BIGINT)"
    ))
    .fetch_all(store.pool())
    .await?;
    let stored: std::collections::BTreeMap<(i64, i64), Option<f64>> =
        stored.into_iter().map(|(p, y, v)| ((p, y), v)).collect();
    let summed: std::collections::BTreeMap<(i64, i64), Option<f64>> =
        summed.into_iter().map(|(p, y, v)| ((p, y), v)).collect();
    let keys: std::collections::BTreeSet<(i64, i64)> =
        stored.keys().chain(summed.keys()).copied().collect();
    Ok(keys
        .into_iter()
        .filter_map(|k| {
            let (a, b) = (stored.get(&k).copied(), summed.get(&k).copied());
            let same = match (a, b) {
                (Some(Some(x)), Some(Some(y))) => (x - y).abs() < 1e-6,
                _ => a == b,
            };
            (!same).then_some((k.0, k.1, a, b))
        })
        .collect())
}

/// Where the stored 到位 sums (`project_capital_done`) differ from the period's approved 调度
/// rows summed afresh: `(period, stored, summed)` with each side `(外资, 内资)`, a missing row
/// as `None`. Empty when every writer kept them in step.
pub async fn capital_done_drift(store: &Store) -> Result<Vec<CapitalDrift>> {
    let stored: Vec<(i64, Option<f64>, Option<f64>)> =
        sqlx::query_as("SELECT period_id, foreign_wusd, domestic_wan FROM project_capital_done")
            .fetch_all(store.pool())
            .await?;
    let summed: Vec<(i64, Option<f64>, Option<f64>)> = sqlx::query_as(concat!(
        "SELECT d.period_id, SUM(d.foreign_wusd), SUM(d.domestic_wan) FROM project_dispatches d WHERE ",
        crate::projects::dispatch_approved!(),
        " GROUP BY d.period_id"
    ))
    .fetch_all(store.pool())
    .await?;
    type Sums = (Option<f64>, Option<f64>);
    let stored: std::collections::BTreeMap<i64, Sums> =
        stored.into_iter().map(|(p, f, d)| (p, (f, d))).collect();
    let summed: std::collections::BTreeMap<i64, Sums> =
        summed.into_iter().map(|(p, f, d)| (p, (f, d))).collect();
    let close = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(x), Some(y)) => (x - y).abs() < 1e-6,
        _ => a == b,
    };
    let periods: std::collections::BTreeSet<i64> =
        stored.keys().chain(summed.keys()).copied().collect();
    Ok(periods
        .into_iter()
        .filter_map(|p| {
            let (a, b) = (stored.get(&p).copied(), summed.get(&p).copied());
            let same = match (a, b) {
                (Some(x), Some(y)) => close(x.0, y.0) && close(x.1, y.1),
                _ => a == b,
            };
            (!same).then_some((p, a, b))
        })
        .collect())
}

/// A period whose stored 到位 sums differ from its rows: period, stored, summed.
pub type CapitalDrift = (
    i64,
    Option<(Option<f64>, Option<f64>)>,
    Option<(Option<f64>, Option<f64>)>,
);

/// Every table of the store's schema with its row count, by name (the migrations' own table
/// left out): what "nothing was written" is checked against.
pub async fn table_counts(store: &Store) -> Result<std::collections::BTreeMap<String, i64>> {
    let sql = match store.engine() {
        crate::Engine::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        }
        crate::Engine::Postgres => {
            "SELECT table_name::text FROM information_schema.tables
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
        }
    };
    let names: Vec<(String,)> = sqlx::query_as(sql).fetch_all(store.pool()).await?;
    let mut out = std::collections::BTreeMap::new();
    for (name,) in names {
        if name.starts_with("_sqlx") || name == "schema_migrations" {
            continue;
        }
        // Names come from the catalogue, never from input; quoted as identifiers.
        let count = format!("SELECT COUNT(*) FROM \"{}\"", name.replace('"', "\"\""));
        let (n,): (i64,) = sqlx::query_as(AssertSqlSafe(count))
            .fetch_one(store.pool())
            .await?;
        out.insert(name, n);
    }
    Ok(out)
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

/// Tests only: every open project's line as the alerts sweep reads it, packed into one value
/// on SQLite (`crate::packed`; `None` where an amount cannot be packed exactly, and on
/// PostgreSQL), as the sweep reads it (packed or plain), and as plain rows; each line as its
/// `Debug` text (an `f64`'s `Debug` tells every two doubles apart, -0.0 included), sorted.
pub async fn sweep_lines_all(store: &Store) -> Result<SweepLinesRead> {
    use crate::projects::alerts::{SweepLine, sweep_lines, sweep_lines_packed, sweep_lines_plain};
    let debug = |lines: Vec<SweepLine>| {
        let mut lines: Vec<String> = lines.iter().map(|l| format!("{l:?}")).collect();
        lines.sort();
        lines
    };
    let packed = match store.engine() {
        crate::Engine::Sqlite => sweep_lines_packed(store).await?.map(debug),
        crate::Engine::Postgres => None,
    };
    Ok((
        packed,
        debug(sweep_lines(store).await?),
        debug(sweep_lines_plain(store).await?),
    ))
}

/// The sweep's lines packed (SQLite, `None` when not packable), as read, and plain.
pub type SweepLinesRead = (Option<Vec<String>>, Vec<String>, Vec<String>);

/// Tests only: the funnel's project lines of `year` within the actor's scope as
/// `Store::funnel_items` reads them (on SQLite packed) and as plain rows, as `Debug` text.
pub async fn funnel_lines_both(
    store: &Store,
    actor: &qx_core::access::Actor,
    year: Option<i32>,
) -> Result<(Vec<String>, Vec<String>)> {
    let debug = |lines: Vec<crate::projects::funnel::ProjectLine>| {
        lines.iter().map(|l| format!("{l:?}")).collect::<Vec<_>>()
    };
    Ok((
        debug(crate::projects::funnel::project_lines(store, actor, year).await?),
        debug(crate::projects::funnel::project_lines_plain(store, actor, year).await?),
    ))
}

/// Benchmarks only: the alerts sweep's read alone, packed into one value (SQLite; `None` on
/// PostgreSQL or where an amount cannot be packed) or as plain rows; how many lines.
pub async fn sweep_read(store: &Store, packed: bool) -> Result<Option<usize>> {
    use crate::projects::alerts::{sweep_lines_packed, sweep_lines_plain};
    Ok(match (packed, store.engine()) {
        (true, crate::Engine::Sqlite) => sweep_lines_packed(store).await?.map(|l| l.len()),
        (true, crate::Engine::Postgres) => None,
        (false, _) => Some(sweep_lines_plain(store).await?.len()),
    })
}

/// Benchmarks only: the funnel's project read alone, as `Store::funnel_items` reads it (packed
/// on SQLite) or as plain rows; how many lines.
pub async fn funnel_read(
    store: &Store,
    actor: &qx_core::access::Actor,
    year: Option<i32>,
    packed: bool,
) -> Result<usize> {
    use crate::projects::funnel::{project_lines, project_lines_plain};
    Ok(if packed {
        project_lines(store, actor, year).await?.len()
    } else {
        project_lines_plain(store, actor, year).await?.len()
    })
}
