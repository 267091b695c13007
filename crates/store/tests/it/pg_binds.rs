//! Parameter binding through sqlx's `Any` driver on every engine: one statement run again
//! on the same connection with NULL in one execution and a value in the next.
//!
//! sqlx 0.9.0 turns a NULL `f64` into a NULL `f32` on PostgreSQL (`AnyArguments::convert_into`
//! swaps the two float kinds), so a statement first prepared with that NULL declares its
//! parameter `float4`, the prepared statement is cached on the connection, and the next
//! execution's eight-byte value fails with `22P03 incorrect binary data format in bind
//! parameter 1`. The demo seed met it; these tests run the shapes it failed on, with the
//! statement cache on and optional figures bound as `OptF64`, the store's way.

use qx_store::OptF64;
use qx_store::testing::{self, TestDb};
use sqlx::Row;

/// One probe row: a number, an optional figure, an optional count, an optional text.
type Probe = (i32, Option<f64>, Option<i64>, Option<String>);

/// The parameter types PostgreSQL holds for `sql` prepared on this connection (the statement
/// cache's copy), as text.
async fn prepared_types(conn: &mut sqlx::AnyConnection, sql: &str) -> Vec<String> {
    sqlx::query_as(
        "SELECT CAST(parameter_types AS TEXT) FROM pg_prepared_statements WHERE statement = $1",
    )
    .bind(sql)
    .fetch_all(&mut *conn)
    .await
    .unwrap()
    .into_iter()
    .map(|(types,): (String,)| types)
    .collect()
}

async fn engines() -> Vec<TestDb> {
    testing::all().await.expect("test databases")
}

/// The same SELECT, on one connection: NULL first, then a value, then NULL again.
#[tokio::test]
async fn a_statement_takes_a_null_float_then_a_value() {
    for db in engines().await {
        let mut conn = db.store.pool().acquire().await.unwrap();
        let sql = "SELECT CAST($1 AS DOUBLE PRECISION) AS v";
        for value in [None, Some(2.5_f64), None, Some(-1.25)] {
            let row = sqlx::query(sql)
                .bind(OptF64(value))
                .fetch_one(&mut *conn)
                .await
                .unwrap_or_else(|e| panic!("{}: {value:?}: {e}", db.name));
            let got: Option<f64> = row.try_get("v").unwrap();
            assert_eq!(got, value, "{}", db.name);
        }
    }
}

/// A write's shape: an optional figure inserted into a DOUBLE PRECISION column, NULL first,
/// on one connection, then read back; and an integer and a text NULL beside it.
#[tokio::test]
async fn an_insert_takes_a_null_float_then_a_value() {
    for db in engines().await {
        let mut conn = db.store.pool().acquire().await.unwrap();
        sqlx::query(
            "CREATE TEMPORARY TABLE bind_probe (n INTEGER NOT NULL, x DOUBLE PRECISION, i BIGINT, t TEXT)",
        )
        .execute(&mut *conn)
        .await
        .unwrap();
        let rows: [Probe; 4] = [
            (1, None, None, None),
            (2, Some(1234.5), Some(7), Some("完成".into())),
            (3, None, Some(8), None),
            (4, Some(0.1), None, Some("x".into())),
        ];
        for (n, x, i, t) in &rows {
            sqlx::query("INSERT INTO bind_probe (n, x, i, t) VALUES ($1, $2, $3, $4)")
                .bind(*n)
                .bind(OptF64(*x))
                .bind(*i)
                .bind(t.clone())
                .execute(&mut *conn)
                .await
                .unwrap_or_else(|e| panic!("{}: row {n}: {e}", db.name));
        }
        let back: Vec<Probe> = sqlx::query_as("SELECT n, x, i, t FROM bind_probe ORDER BY n")
            .fetch_all(&mut *conn)
            .await
            .unwrap();
        assert_eq!(back, rows.to_vec(), "{}", db.name);
    }
}

/// The statement cache is on: a statement run with a NULL `OptF64` first is kept prepared with
/// a `float8` parameter. A bare `Option<f64>` NULL is kept as `float4`, the sqlx 0.9.0 mapping
/// `OptF64` exists for: when a sqlx release sends it as `float8`, this test fails, and
/// `OptF64` may go back to a plain `Option<f64>` (or, if the two kinds were swapped back, must
/// change with it).
#[tokio::test]
async fn a_null_figure_is_prepared_as_float8_only_through_opt_f64() {
    let Some(db) = testing::postgres().await.expect("test database") else {
        return;
    };
    let mut conn = db.store.pool().acquire().await.unwrap();
    let wrapped = "SELECT CAST($1 AS DOUBLE PRECISION) AS wrapped";
    sqlx::query(wrapped)
        .bind(OptF64(None))
        .execute(&mut *conn)
        .await
        .unwrap();
    assert_eq!(
        prepared_types(&mut conn, wrapped).await,
        ["{\"double precision\"}"],
        "kept in the statement cache, prepared for a float8"
    );
    let bare = "SELECT CAST($1 AS DOUBLE PRECISION) AS bare";
    sqlx::query(bare)
        .bind(None::<f64>)
        .execute(&mut *conn)
        .await
        .unwrap();
    assert_eq!(prepared_types(&mut conn, bare).await, ["{real}"]);
    // That statement is what the bind guard exists for: closed, not reused.
    drop(conn);
    wait_for_release().await;
    let refused = tokio::spawn(db.discard()).await;
    assert!(
        refused.is_err_and(|e| e.is_panic()),
        "the test database's guard refuses a statement prepared with a float4 parameter"
    );
}

/// Gives a released connection's return to the pool (where the bind guard runs) its turn.
async fn wait_for_release() {
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
}
