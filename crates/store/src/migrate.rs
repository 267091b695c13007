//! Schema migrations: one ordered list, an SQLite and a PostgreSQL script for each step, or one
//! script for both engines where the SQL is the same (`migrations/shared/`).
//!
//! Applied versions are recorded in `schema_migrations`; each step runs in its own
//! transaction, so a failed step leaves the schema at the previous version.

use crate::{Engine, Result, Store};

struct Migration {
    version: i64,
    name: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

macro_rules! migration {
    ($version:expr, $name:literal) => {
        Migration {
            version: $version,
            name: $name,
            sqlite: include_str!(concat!("../migrations/sqlite/", $name, ".sql")),
            postgres: include_str!(concat!("../migrations/postgres/", $name, ".sql")),
        }
    };
    // One script that both engines run as written.
    ($version:expr, $name:literal, shared) => {
        Migration {
            version: $version,
            name: $name,
            sqlite: include_str!(concat!("../migrations/shared/", $name, ".sql")),
            postgres: include_str!(concat!("../migrations/shared/", $name, ".sql")),
        }
    };
}

/// Every step, in order. A version is an identity, never a count: once a database has applied
/// a version it is never renumbered or reused. There is no version 8: none was ever committed
/// (the history has no `0008_*` file; 0009 was numbered past it when written), and databases in
/// use have recorded 9 to 13, so the gap stays rather than shifting the later steps.
/// `tests::versions_are_increasing_and_named_after_themselves` and the store's schema-parity test
/// (`tests/it/schema_parity.rs`) keep the list and the two trees honest.
const MIGRATIONS: &[Migration] = &[
    migration!(1, "0001_foundation"),
    migration!(2, "0002_plans"),
    migration!(3, "0003_monitoring"),
    migration!(4, "0004_problems"),
    migration!(5, "0005_enterprises"),
    migration!(6, "0006_bulletins"),
    migration!(7, "0007_problem_indexes"),
    migration!(9, "0009_indicator_source", shared),
    migration!(10, "0010_fact_adjustments"),
    migration!(11, "0011_unit_indicators_index", shared),
    migration!(12, "0012_postgres_write_functions"),
    migration!(13, "0013_login_throttle_and_health"),
    migration!(14, "0014_notices"),
    migration!(15, "0015_submission_sendings"),
    migration!(16, "0016_problem_withdrawn", shared),
    migration!(17, "0017_indicator_source_open"),
    migration!(18, "0018_no_figure"),
    migration!(19, "0019_projects"),
    migration!(20, "0020_cultivation"),
    migration!(21, "0021_meetings"),
    migration!(22, "0022_assessment"),
    migration!(23, "0023_tokens_webhooks"),
    migration!(24, "0024_project_dispatch"),
    migration!(25, "0025_cultivation_lists"),
    migration!(26, "0026_assessment_manual_files"),
    migration!(27, "0027_project_problems"),
    migration!(28, "0028_meeting_agenda_indexes", shared),
    migration!(29, "0029_cultivation_indexes", shared),
    migration!(30, "0030_cultivation_list_order", shared),
    migration!(31, "0031_project_list_indexes", shared),
    migration!(32, "0032_project_year_done"),
    migration!(33, "0033_cultivation_recompute"),
    migration!(34, "0034_project_capital_done"),
    migration!(35, "0035_project_list_lean", shared),
    migration!(36, "0036_project_next_stage", shared),
    migration!(37, "0037_project_reached_dates", shared),
    migration!(38, "0038_notice_body", shared),
    migration!(39, "0039_objection_status", shared),
    migration!(40, "0040_submit_in_one_call"),
];

impl Store {
    /// Brings the schema up to date; returns the versions applied.
    pub async fn migrate(&self) -> Result<Vec<i64>> {
        self.migrate_up_to(i64::MAX).await
    }

    /// Applies the migrations up to version `last` (tests of a data migration start from the
    /// schema before it).
    pub async fn migrate_up_to(&self, last: i64) -> Result<Vec<i64>> {
        sqlx::query(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
        )
        .execute(self.pool())
        .await?;
        let applied: Vec<(i64,)> = sqlx::query_as("SELECT version FROM schema_migrations")
            .fetch_all(self.pool())
            .await?;
        let applied: Vec<i64> = applied.into_iter().map(|(v,)| v).collect();
        let mut done = Vec::new();
        for m in MIGRATIONS
            .iter()
            .filter(|m| m.version <= last && !applied.contains(&m.version))
        {
            let script = match self.engine() {
                Engine::Sqlite => m.sqlite,
                Engine::Postgres => m.postgres,
            };
            let mut tx = self.begin().await?;
            sqlx::raw_sql(script).execute(&mut *tx).await?;
            sqlx::query(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
            )
            .bind(m.version)
            .bind(m.name)
            .bind(crate::now())
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            tracing::info!(version = m.version, name = m.name, "migration applied");
            done.push(m.version);
        }
        Ok(done)
    }

    /// The highest applied schema version (0 for an empty database).
    pub async fn schema_version(&self) -> Result<i64> {
        let exists = match self.engine() {
            Engine::Sqlite => {
                sqlx::query_as::<_, (i64,)>(
                    "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'",
                )
                .fetch_one(self.pool())
                .await?
                .0
            }
            Engine::Postgres => {
                sqlx::query_as::<_, (i64,)>(
                    "SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'schema_migrations'",
                )
                .fetch_one(self.pool())
                .await?
                .0
            }
        };
        if exists == 0 {
            return Ok(0);
        }
        let (v,): (Option<i64>,) = sqlx::query_as("SELECT MAX(version) FROM schema_migrations")
            .fetch_one(self.pool())
            .await?;
        Ok(v.unwrap_or(0))
    }
}

#[cfg(test)]
mod tests {
    use super::MIGRATIONS;

    #[test]
    fn versions_are_increasing_and_named_after_themselves() {
        let mut previous = 0;
        for m in MIGRATIONS {
            assert!(m.version > previous, "{} comes after {previous}", m.name);
            assert!(
                m.name.starts_with(&format!("{:04}_", m.version)),
                "{} is not named after version {}",
                m.name,
                m.version
            );
            assert!(!m.sqlite.trim().is_empty() && !m.postgres.trim().is_empty());
            previous = m.version;
        }
        // The one gap, explained above.
        assert!(MIGRATIONS.iter().all(|m| m.version != 8));
    }

    /// A script that the list does not name would never run (0017 once sat unregistered while
    /// every test passed). Each step has one script in `shared/`, or one in each engine's tree
    /// that differ: SQL both engines run as written is kept once.
    #[test]
    fn every_script_is_in_the_list_and_kept_once() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
        let files = |tree: &str| -> std::collections::BTreeSet<String> {
            std::fs::read_dir(root.join(tree))
                .expect("migrations directory")
                .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
                .collect()
        };
        let (sqlite, postgres, shared) = (files("sqlite"), files("postgres"), files("shared"));
        for m in MIGRATIONS {
            let file = format!("{}.sql", m.name);
            let in_engines = (sqlite.contains(&file), postgres.contains(&file));
            if shared.contains(&file) {
                assert_eq!(
                    in_engines,
                    (false, false),
                    "{file} is shared and per engine"
                );
            } else {
                assert_eq!(in_engines, (true, true), "{file} is missing for an engine");
                assert_ne!(
                    m.sqlite, m.postgres,
                    "{file} is the same for both engines: move it to migrations/shared/"
                );
            }
        }
        let listed: std::collections::BTreeSet<String> = MIGRATIONS
            .iter()
            .map(|m| format!("{}.sql", m.name))
            .collect();
        for (tree, files) in [
            ("sqlite", sqlite),
            ("postgres", postgres),
            ("shared", shared),
        ] {
            let unlisted: Vec<&String> = files.difference(&listed).collect();
            assert!(
                unlisted.is_empty(),
                "{tree} scripts not in the list: {unlisted:?}"
            );
        }
    }
}
