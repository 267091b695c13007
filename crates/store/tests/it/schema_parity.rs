//! The two migration trees describe one schema. After `migrate`, both engines are read back
//! through their catalogues and compared: tables, columns (type family, nullability, whether
//! there is a default), primary keys, unique constraints, foreign keys (with their delete
//! action), the number of CHECK constraints, named indexes (columns, uniqueness, partial or
//! not) and which statements a table's triggers guard. A column, index or constraint added to
//! one tree only fails here, named.
//!
//! Engine spellings are folded before comparing: `BIGINT`/`INTEGER` are one integer family,
//! `DOUBLE PRECISION`/`REAL` one float family, `BYTEA`/`BLOB` one byte family. Names the
//! engines generate (SQLite's `sqlite_autoindex_*`, PostgreSQL's `*_key`/`*_pkey`) are not
//! compared; the columns they cover are. Runs when `QX_TEST_DATABASE_URL` names a PostgreSQL
//! server (CI sets it); without one there is nothing to compare against.

use qx_store::Store;
use qx_store::testing;
use std::collections::{BTreeMap, BTreeSet};

/// Everything compared, keyed so that a difference prints the table and the item.
#[derive(Debug, Default, PartialEq)]
struct Schema {
    tables: BTreeSet<String>,
    /// (table, column) → (type family, nullable, has default)
    columns: BTreeMap<(String, String), (String, bool, bool)>,
    /// table → primary key columns in key order
    primary_keys: BTreeMap<String, String>,
    /// (table, columns) of UNIQUE constraints
    uniques: BTreeSet<(String, String)>,
    /// (table, column, referenced table, referenced column, on delete)
    foreign_keys: BTreeSet<(String, String, String, String, String)>,
    /// table → number of CHECK constraints
    checks: BTreeMap<String, i64>,
    /// index name → (table, columns, unique, partial)
    indexes: BTreeMap<String, (String, String, bool, bool)>,
    /// (table, statement) a trigger fires on
    triggers: BTreeSet<(String, String)>,
}

fn type_family(declared: &str) -> String {
    let t = declared.trim().to_ascii_lowercase();
    match t.as_str() {
        "integer" | "bigint" | "int" | "smallint" | "int8" | "int4" => "integer".into(),
        "text" | "character varying" | "varchar" => "text".into(),
        "real" | "double precision" | "float8" => "float".into(),
        "blob" | "bytea" => "bytes".into(),
        other => other.into(),
    }
}

fn on_delete(action: &str) -> String {
    match action {
        // PostgreSQL's pg_constraint.confdeltype letters.
        "a" => "NO ACTION",
        "r" => "RESTRICT",
        "c" => "CASCADE",
        "n" => "SET NULL",
        "d" => "SET DEFAULT",
        other => return other.to_ascii_uppercase(),
    }
    .into()
}

/// Number of `CHECK (` in a CREATE TABLE statement (column and table constraints alike).
fn count_checks(sql: &str) -> i64 {
    let upper = sql.to_ascii_uppercase();
    upper
        .match_indices("CHECK")
        .filter(|(i, _)| upper[i + 5..].trim_start().starts_with('('))
        .count() as i64
}

async fn sqlite_schema(store: &Store) -> Schema {
    let pool = store.pool();
    let mut s = Schema::default();
    let tables: Vec<(String, String)> = sqlx::query_as(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    )
    .fetch_all(pool)
    .await
    .expect("sqlite tables");
    for (table, sql) in tables {
        let cols: Vec<(String, String, i64, Option<String>, i64)> = sqlx::query_as(
            "SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info($1)",
        )
        .bind(&table)
        .fetch_all(pool)
        .await
        .expect("sqlite columns");
        let mut pk: Vec<(i64, String)> = Vec::new();
        for (name, ty, notnull, default, pk_pos) in cols {
            if pk_pos > 0 {
                pk.push((pk_pos, name.clone()));
            }
            let nullable = notnull == 0 && pk_pos == 0;
            s.columns.insert(
                (table.clone(), name),
                (type_family(&ty), nullable, default.is_some()),
            );
        }
        pk.sort();
        if !pk.is_empty() {
            let cols: Vec<String> = pk.into_iter().map(|(_, c)| c).collect();
            s.primary_keys.insert(table.clone(), cols.join(","));
        }
        let fks: Vec<(String, String, Option<String>, String)> = sqlx::query_as(
            "SELECT \"table\", \"from\", \"to\", on_delete FROM pragma_foreign_key_list($1)",
        )
        .bind(&table)
        .fetch_all(pool)
        .await
        .expect("sqlite foreign keys");
        for (target, from, to, action) in fks {
            // A reference without a column names the target's primary key.
            let to = to.unwrap_or_else(|| "id".into());
            s.foreign_keys
                .insert((table.clone(), from, target, to, on_delete(&action)));
        }
        let checks = count_checks(&sql);
        if checks > 0 {
            s.checks.insert(table.clone(), checks);
        }
        let indexes: Vec<(String, i64, String, i64)> =
            sqlx::query_as("SELECT name, \"unique\", origin, partial FROM pragma_index_list($1)")
                .bind(&table)
                .fetch_all(pool)
                .await
                .expect("sqlite indexes");
        for (index, unique, origin, partial) in indexes {
            let cols: Vec<(i64, Option<String>)> =
                sqlx::query_as("SELECT seqno, name FROM pragma_index_info($1) ORDER BY seqno")
                    .bind(&index)
                    .fetch_all(pool)
                    .await
                    .expect("sqlite index columns");
            let cols: Vec<String> = cols
                .into_iter()
                .map(|(_, c)| c.unwrap_or_else(|| "(expression)".into()))
                .collect();
            let cols = cols.join(",");
            match origin.as_str() {
                "u" => {
                    s.uniques.insert((table.clone(), cols));
                }
                "pk" => {}
                _ => {
                    s.indexes
                        .insert(index, (table.clone(), cols, unique != 0, partial != 0));
                }
            }
        }
        s.tables.insert(table);
    }
    let triggers: Vec<(String, String)> =
        sqlx::query_as("SELECT tbl_name, sql FROM sqlite_master WHERE type = 'trigger'")
            .fetch_all(pool)
            .await
            .expect("sqlite triggers");
    for (table, sql) in triggers {
        // The event is the first of these words after BEFORE/AFTER/INSTEAD OF.
        let upper = sql.to_ascii_uppercase();
        let timing = ["BEFORE ", "AFTER ", "INSTEAD OF "]
            .iter()
            .filter_map(|t| upper.find(t).map(|i| i + t.len()))
            .min()
            .expect("trigger timing");
        let event = upper[timing..]
            .split_whitespace()
            .next()
            .expect("trigger event")
            .to_string();
        s.triggers.insert((table, event));
    }
    s
}

/// table, kind, columns, referenced table, referenced columns, delete action.
type ConstraintRow = (
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
);

async fn postgres_schema(store: &Store) -> Schema {
    let pool = store.pool();
    let mut s = Schema::default();
    let tables: Vec<(String,)> = sqlx::query_as(
        "SELECT table_name::text FROM information_schema.tables
         WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
    )
    .fetch_all(pool)
    .await
    .expect("postgres tables");
    s.tables = tables.into_iter().map(|(t,)| t).collect();
    let cols: Vec<(String, String, String, String, Option<String>)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text, data_type::text, is_nullable::text,
                column_default::text
         FROM information_schema.columns WHERE table_schema = 'public'",
    )
    .fetch_all(pool)
    .await
    .expect("postgres columns");
    for (table, column, ty, nullable, default) in cols {
        if s.tables.contains(&table) {
            s.columns.insert(
                (table, column),
                (type_family(&ty), nullable == "YES", default.is_some()),
            );
        }
    }
    // Constraints with their columns in key order, one row per constraint.
    let constraints: Vec<ConstraintRow> = sqlx::query_as(
        "SELECT cl.relname::text, c.contype::text,
                    (SELECT string_agg(a.attname::text, ',' ORDER BY k.ord)
                     FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord)
                     JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum),
                    rf.relname::text,
                    (SELECT string_agg(a.attname::text, ',' ORDER BY k.ord)
                     FROM unnest(c.confkey) WITH ORDINALITY AS k(attnum, ord)
                     JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum),
                    c.confdeltype::text
             FROM pg_constraint c
             JOIN pg_class cl ON cl.oid = c.conrelid
             JOIN pg_namespace n ON n.oid = cl.relnamespace
             LEFT JOIN pg_class rf ON rf.oid = c.confrelid
             WHERE n.nspname = 'public'",
    )
    .fetch_all(pool)
    .await
    .expect("postgres constraints");
    for (table, kind, cols, target, target_cols, action) in constraints {
        let cols = cols.unwrap_or_default();
        match kind.as_str() {
            "p" => {
                s.primary_keys.insert(table, cols);
            }
            "u" => {
                s.uniques.insert((table, cols));
            }
            "f" => {
                let target = target.expect("foreign key target");
                let target_cols = target_cols.unwrap_or_default();
                for (from, to) in cols.split(',').zip(target_cols.split(',')) {
                    s.foreign_keys.insert((
                        table.clone(),
                        from.to_string(),
                        target.clone(),
                        to.to_string(),
                        on_delete(&action),
                    ));
                }
            }
            "c" => *s.checks.entry(table).or_insert(0) += 1,
            _ => {}
        }
    }
    let indexes: Vec<(String, String, i64, i64, Option<String>)> = sqlx::query_as(
        "SELECT ci.relname::text, ct.relname::text,
                CASE WHEN ix.indisunique THEN 1 ELSE 0 END::bigint,
                CASE WHEN ix.indpred IS NULL THEN 0 ELSE 1 END::bigint,
                (SELECT string_agg(COALESCE(a.attname::text, '(expression)'), ',' ORDER BY k.ord)
                 FROM unnest(ix.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
                 LEFT JOIN pg_attribute a ON a.attrelid = ct.oid AND a.attnum = k.attnum)
         FROM pg_index ix
         JOIN pg_class ci ON ci.oid = ix.indexrelid
         JOIN pg_class ct ON ct.oid = ix.indrelid
         JOIN pg_namespace n ON n.oid = ct.relnamespace
         WHERE n.nspname = 'public'
           AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = ix.indexrelid)",
    )
    .fetch_all(pool)
    .await
    .expect("postgres indexes");
    for (index, table, unique, partial, cols) in indexes {
        s.indexes.insert(
            index,
            (table, cols.unwrap_or_default(), unique != 0, partial != 0),
        );
    }
    let triggers: Vec<(String, String)> = sqlx::query_as(
        "SELECT DISTINCT event_object_table::text, event_manipulation::text
         FROM information_schema.triggers WHERE trigger_schema = 'public'",
    )
    .fetch_all(pool)
    .await
    .expect("postgres triggers");
    s.triggers = triggers.into_iter().collect();
    s
}

/// Lines naming every difference, one item a line, so a failure says what to fix.
fn differences(sqlite: &Schema, postgres: &Schema) -> Vec<String> {
    fn diff<K: Ord + std::fmt::Debug + Clone, V: PartialEq + std::fmt::Debug>(
        what: &str,
        a: &BTreeMap<K, V>,
        b: &BTreeMap<K, V>,
        out: &mut Vec<String>,
    ) {
        let keys: BTreeSet<&K> = a.keys().chain(b.keys()).collect();
        for k in keys {
            match (a.get(k), b.get(k)) {
                (Some(x), Some(y)) if x == y => {}
                (x, y) => out.push(format!("{what} {k:?}: sqlite {x:?}, postgres {y:?}")),
            }
        }
    }
    fn set_diff<K: Ord + std::fmt::Debug + Clone>(
        what: &str,
        a: &BTreeSet<K>,
        b: &BTreeSet<K>,
        out: &mut Vec<String>,
    ) {
        for k in a.difference(b) {
            out.push(format!("{what} {k:?}: only in sqlite"));
        }
        for k in b.difference(a) {
            out.push(format!("{what} {k:?}: only in postgres"));
        }
    }
    let mut out = Vec::new();
    set_diff("table", &sqlite.tables, &postgres.tables, &mut out);
    diff("column", &sqlite.columns, &postgres.columns, &mut out);
    diff(
        "primary key",
        &sqlite.primary_keys,
        &postgres.primary_keys,
        &mut out,
    );
    set_diff("unique", &sqlite.uniques, &postgres.uniques, &mut out);
    set_diff(
        "foreign key",
        &sqlite.foreign_keys,
        &postgres.foreign_keys,
        &mut out,
    );
    diff("checks", &sqlite.checks, &postgres.checks, &mut out);
    diff("index", &sqlite.indexes, &postgres.indexes, &mut out);
    set_diff("trigger", &sqlite.triggers, &postgres.triggers, &mut out);
    out
}

#[tokio::test]
async fn both_migration_trees_build_the_same_schema() {
    let Some(pg) = testing::postgres().await.expect("postgres test database") else {
        eprintln!("schema parity: QX_TEST_DATABASE_URL is not set, nothing to compare against");
        return;
    };
    let lite = testing::sqlite().await.expect("sqlite test database");
    let a = sqlite_schema(&lite.store).await;
    let b = postgres_schema(&pg.store).await;
    // Guard against a catalogue query that silently reads nothing.
    assert!(a.tables.len() > 20, "sqlite tables read: {:?}", a.tables);
    assert!(a.columns.len() > 200 && a.foreign_keys.len() > 20 && a.indexes.len() > 10);
    assert!(
        a.triggers
            .iter()
            .any(|(t, e)| t == "audit_log" && e == "UPDATE")
    );
    let diffs = differences(&a, &b);
    assert!(
        diffs.is_empty(),
        "the SQLite and PostgreSQL migrations disagree ({} differences):\n{}",
        diffs.len(),
        diffs.join("\n")
    );
}

#[test]
fn engine_spellings_fold_into_one_family() {
    assert_eq!(type_family("BIGINT"), type_family("INTEGER"));
    assert_eq!(type_family("double precision"), type_family("REAL"));
    assert_eq!(type_family("bytea"), type_family("BLOB"));
    assert_ne!(type_family("TEXT"), type_family("INTEGER"));
    assert_eq!(
        count_checks("id INTEGER PRIMARY KEY CHECK (id = 1), x TEXT CHECK(x <> '')"),
        2
    );
    assert_eq!(count_checks("checked_at INTEGER"), 0);
}
