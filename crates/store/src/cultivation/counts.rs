//! What the plan's cultivation indicators read: how many entries reached a milestone stage
//! (纳入规上统计, 转为企业, 认定高新技术企业 …) between two dates, by the date each move says the
//! stage was reached, not the day it was typed in. No actor: county-wide aggregates for the
//! office's documents and pictures (the plan's indicators, bulletins, 考核), naming no entry.

use crate::{Result, Store, StoreError};
use qx_core::cultivation::Milestone;
use std::collections::HashMap;

impl Store {
    /// Whether the county keeps a 企业培育库 at all: while it is empty the plan's cultivation
    /// indicators have no figure (never 0), as the projects module's.
    pub async fn has_cultivation_entries(&self) -> Result<bool> {
        let any: Option<(i64,)> = sqlx::query_as("SELECT id FROM cultivation_entries LIMIT 1")
            .fetch_optional(self.pool())
            .await?;
        Ok(any.is_some())
    }

    /// Entries that reached `milestone`'s stage from `from` to `to` (ISO dates, both included),
    /// each counted once however often it reached the stage.
    pub async fn cultivation_reached(
        &self,
        milestone: Milestone,
        from: &str,
        to: &str,
    ) -> Result<i64> {
        let (n,): (i64,) = sqlx::query_as(
            "SELECT COUNT(DISTINCT m.entry_id) FROM cultivation_moves m \
             JOIN cultivation_stages s ON s.id = m.to_stage_id \
             WHERE s.milestone = $1 AND m.on_date >= $2 AND m.on_date <= $3 \
             AND m.kind IN ('enter', 'advance', 'reenter')",
        )
        .bind(milestone.as_str())
        .bind(from)
        .bind(to)
        .fetch_one(self.pool())
        .await?;
        Ok(n)
    }

    /// For every milestone, how many entries first reached its stage in each month of `year`
    /// up to `to` (ISO date, included; past the year's end counts as the year's end): index 0
    /// is January. An entry counts once, in the month it first reached the stage that year, so
    /// the sum of January to a month is [`Store::cultivation_reached`] from 1 January to that
    /// month's end. The monitoring picture's cultivation indicators.
    ///
    /// Read from `cultivation_reached_days` (migration 0033), which the writer of moves keeps:
    /// a few rows per stage and day, where the same grouping over the moves would read every
    /// move of the year (`REACHED_BY_MONTH_FROM_MOVES`, which tests hold it to).
    pub async fn cultivation_reached_by_month(
        &self,
        year: i32,
        to: &str,
    ) -> Result<HashMap<Milestone, [i64; 12]>> {
        self.reached_by_month(REACHED_BY_MONTH, year, to).await
    }

    /// The same counts as [`Store::cultivation_reached_by_month`], grouped from the moves
    /// themselves: what `cultivation_reached_days` must always agree with (tests and the bench
    /// compare them).
    pub async fn cultivation_reached_by_month_from_moves(
        &self,
        year: i32,
        to: &str,
    ) -> Result<HashMap<Milestone, [i64; 12]>> {
        self.reached_by_month(REACHED_BY_MONTH_FROM_MOVES, year, to)
            .await
    }

    /// Runs one of the by-month groupings over `year` from 1 January to `to`, the year's end
    /// at the latest.
    async fn reached_by_month(
        &self,
        sql: &'static str,
        year: i32,
        to: &str,
    ) -> Result<HashMap<Milestone, [i64; 12]>> {
        let last = format!("{year:04}-12-31");
        let rows: Vec<(String, String, i64)> = sqlx::query_as(sql)
            .bind(format!("{year:04}-01-01"))
            .bind(to.min(last.as_str()))
            .fetch_all(self.pool())
            .await?;
        months_of(rows)
    }

    /// Fills `cultivation_reached_days` again from the moves, as migration 0033 first did: for
    /// data written into `cultivation_moves` other than through the store (the benchmark's
    /// generated county).
    pub async fn recount_cultivation_reached(&self) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query("DELETE FROM cultivation_reached_days")
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO cultivation_reached_days (stage_id, on_date, entries) \
             SELECT stage_id, first_on, COUNT(*) FROM ( \
               SELECT to_stage_id AS stage_id, MIN(on_date) AS first_on FROM cultivation_moves \
               WHERE to_stage_id IS NOT NULL AND kind IN ('enter', 'advance', 'reenter') \
               GROUP BY to_stage_id, entry_id, SUBSTR(on_date, 1, 4)) firsts \
             GROUP BY stage_id, first_on",
        )
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Per milestone and month, the entries that first reached the stage from `$1` to `$2`, read
/// from the kept daily counts.
const REACHED_BY_MONTH: &str = "SELECT s.milestone, SUBSTR(r.on_date, 6, 2), CAST(SUM(r.entries) AS BIGINT) \
     FROM cultivation_reached_days r JOIN cultivation_stages s ON s.id = r.stage_id \
     WHERE s.milestone IS NOT NULL AND r.on_date >= $1 AND r.on_date <= $2 \
     GROUP BY s.milestone, SUBSTR(r.on_date, 6, 2) HAVING SUM(r.entries) <> 0";

/// Per milestone and month, the entries whose first reach of the stage from `$1` to `$2` fell
/// in that month, grouped from every move of the range.
const REACHED_BY_MONTH_FROM_MOVES: &str = "SELECT milestone, SUBSTR(first_on, 6, 2), COUNT(*) FROM ( \
       SELECT s.milestone AS milestone, m.entry_id, MIN(m.on_date) AS first_on \
       FROM cultivation_moves m JOIN cultivation_stages s ON s.id = m.to_stage_id \
       WHERE s.milestone IS NOT NULL AND m.on_date >= $1 AND m.on_date <= $2 \
       AND m.kind IN ('enter', 'advance', 'reenter') \
       GROUP BY s.milestone, m.entry_id) firsts \
     GROUP BY milestone, SUBSTR(first_on, 6, 2)";

/// Rows of (milestone, month "01"–"12", count) as twelve months per milestone.
fn months_of(rows: Vec<(String, String, i64)>) -> Result<HashMap<Milestone, [i64; 12]>> {
    let mut out: HashMap<Milestone, [i64; 12]> = HashMap::new();
    for (milestone, month, n) in rows {
        let m = Milestone::try_from(milestone).map_err(|e| StoreError::Invalid(e.to_string()))?;
        let month: usize = month
            .parse()
            .ok()
            .filter(|m| (1..=12).contains(m))
            .ok_or_else(|| StoreError::Invalid(format!("培育库: 日期有误 (月份 \"{month}\")")))?;
        out.entry(m).or_insert([0; 12])[month - 1] += n;
    }
    Ok(out)
}
