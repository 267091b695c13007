//! Many small rows read as one value on SQLite: for reads that run on every sweep over every
//! project (the alerts sweep, the funnel).
//!
//! sqlx's SQLite driver hands each row from its worker thread to the async task through a
//! bounded channel, and the `Any` driver copies each row again into an `AnyRow`; at 10,000 rows
//! that crossing (perf: a quarter of the worker's samples in the kernel's wake-ups) costs more
//! than SQLite's own work, and `row_buffer_size` cannot be set through `Any`. So such a read
//! asks SQLite for one row: every line as a JSON array inside one JSON array
//! (`json_group_array(json_array(…))`, [`sqlite!`]), decoded here with serde_json into the same
//! line type the plain read gives ([`rows`]). PostgreSQL streams rows itself and keeps the plain
//! read.
//!
//! REAL values are the trap: SQLite's JSON writes a REAL with `%!0.15g`, which does not give
//! back every `f64`. A REAL column is packed through [`real!`] as the text of every digit
//! SQLite's decoder derives (`printf('%!.20e', x)`: 19 significant digits, within about 1e-18
//! of the value, where adjacent doubles are at least 1.1e-16 apart) and read back with
//! `str::parse` (correctly rounded) by [`read_real`]: the same bits as the plain read. That
//! holds where the decoder scales by exact powers of ten, |x| from about 9.2e-83 to 9.2e118
//! (SQLite 3.51; measured over 200,000 random doubles: every miss lay outside); a value outside
//! 1e-80..1e115 (and not 0) is packed as [`INEXACT`] instead, and [`rows`] then answers `None`
//! for the caller to read plain rows. An amount in 万元 never leaves that window.
//! `tests/it/packed.rs` holds both reads equal over awkward values and fails on `%!.15g`.
//!
//! Bound: the packed value is one string of every selected row, built by SQLite and copied
//! once into Rust: a sweep line is about 150 bytes (two REALs of ~26 characters, four short
//! texts), so ~1.5 MB for 10,000 open projects, a funnel line less; SQLite refuses a
//! string over its `SQLITE_MAX_LENGTH` (10^9 bytes) with an error, never a truncated value.

use crate::{Result, StoreError};
use serde::de::{Deserialize, DeserializeOwned, Deserializer, Error};

/// The SQLite statement packing the lines `SELECT <columns> <rest>` into one JSON value:
/// `sqlite!("p.id, p.year", "FROM projects p WHERE …")`, or with `order "p.id"` the lines in
/// that order (the aggregate's own `ORDER BY`: a subquery's order is not kept by contract).
/// Columns holding a REAL go through [`real!`].
macro_rules! sqlite {
    ($columns:expr, $rest:expr) => {
        concat!(
            "SELECT COALESCE(json_group_array(json_array(",
            $columns,
            ")), '[]') ",
            $rest
        )
    };
    ($columns:expr, $rest:expr, order $order:expr) => {
        concat!(
            "SELECT COALESCE(json_group_array(json_array(",
            $columns,
            ") ORDER BY ",
            $order,
            "), '[]') ",
            $rest
        )
    };
}
pub(crate) use sqlite;

/// A REAL column of a packed line, as exact text (NULL stays NULL, a value outside the window
/// where the text is exact is [`INEXACT`]); read it with [`read_real`]. `$x` is a column or a
/// `COALESCE` of columns: SQLite stores -0.0 in a REAL column as 0, and the text has no -0.
macro_rules! real {
    ($x:expr) => {
        concat!(
            "CASE WHEN ",
            $x,
            " IS NULL THEN NULL WHEN ",
            $x,
            " = 0 OR abs(",
            $x,
            ") BETWEEN 1e-80 AND 1e115 THEN printf('%!.20e', ",
            $x,
            ") ELSE 'inexact' END"
        )
    };
}
pub(crate) use real;

/// What [`real!`] packs for a value whose text would not be exact.
pub(crate) const INEXACT: &str = "inexact";

/// Decodes a packed value (one JSON array of lines) into its lines; `None` when a REAL was
/// packed as [`INEXACT`] (read the plain rows instead).
pub(crate) fn rows<T: DeserializeOwned>(packed: &str) -> Result<Option<Vec<T>>> {
    match serde_json::from_str(packed) {
        Ok(rows) => Ok(Some(rows)),
        Err(e) if e.to_string().starts_with(INEXACT) => Ok(None),
        Err(e) => Err(StoreError::Invalid(format!(
            "打包读取的行无法解析 (packed rows): {e}"
        ))),
    }
}

/// Reads a REAL packed by [`real!`] (`#[serde(deserialize_with = "packed::read_real")]` on an
/// `Option<f64>` field); [`INEXACT`] is an error [`rows`] answers `None` for.
pub(crate) fn read_real<'de, D: Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<f64>, D::Error> {
    let Some(text) = Option::<&'de str>::deserialize(d)? else {
        return Ok(None);
    };
    if text == INEXACT {
        return Err(D::Error::custom(INEXACT));
    }
    text.parse::<f64>()
        .map(Some)
        .map_err(|e| D::Error::custom(format!("{text:?}: {e}")))
}
