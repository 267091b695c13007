//! Parameter binding through sqlx's `Any` driver on every engine: one statement run again
//! on the same connection with NULL in one execution and a value in the next.
//!
//! sqlx 0.9.0 turns a NULL `f64` into a NULL `f32` on PostgreSQL (`AnyArguments::convert_into`
//! swaps the two float kinds), so a statement first prepared with that NULL declares its
//! parameter `float4`, the prepared statement is cached on the connection, and the next
//! execution's eight-byte value fails with `22P03 incorrect binary data format in bind
//! parameter 1`. The demo seed met it; these tests run the shapes it failed on.

use qx_store::testing::{self, TestDb};
use sqlx::Row;

/// One probe row: a number, an optional figure, an optional count, an optional text.
type Probe = (i32, Option<f64>, Option<i64>, Option<String>);

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
                .bind(value)
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
                .bind(*x)
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
