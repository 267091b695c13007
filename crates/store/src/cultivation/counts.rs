//! What the plan's cultivation indicators read: how many entries reached a milestone stage
//! (纳入规上统计, 转为企业, 认定高新技术企业 …) between two dates, by the date each move says the
//! stage was reached, not the day it was typed in. Aggregates only, so no actor.

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
    /// up to `to` (ISO date, included): index 0 is January. An entry counts once, in the month
    /// it first reached the stage that year, so the sum of January to a month is
    /// [`Store::cultivation_reached`] from 1 January to that month's end. One grouped query
    /// for every milestone and month (the monitoring picture's cultivation indicators).
    pub async fn cultivation_reached_by_month(
        &self,
        year: i32,
        to: &str,
    ) -> Result<HashMap<Milestone, [i64; 12]>> {
        let rows: Vec<(String, String, i64)> = sqlx::query_as(
            "SELECT milestone, SUBSTR(first_on, 6, 2), COUNT(*) FROM ( \
               SELECT s.milestone AS milestone, m.entry_id, MIN(m.on_date) AS first_on \
               FROM cultivation_moves m JOIN cultivation_stages s ON s.id = m.to_stage_id \
               WHERE s.milestone IS NOT NULL AND m.on_date >= $1 AND m.on_date <= $2 \
               AND m.kind IN ('enter', 'advance', 'reenter') \
               GROUP BY s.milestone, m.entry_id) firsts \
             GROUP BY milestone, SUBSTR(first_on, 6, 2)",
        )
        .bind(format!("{year:04}-01-01"))
        .bind(to)
        .fetch_all(self.pool())
        .await?;
        let mut out: HashMap<Milestone, [i64; 12]> = HashMap::new();
        for (milestone, month, n) in rows {
            let m =
                Milestone::try_from(milestone).map_err(|e| StoreError::Invalid(e.to_string()))?;
            let month: usize = month
                .parse()
                .ok()
                .filter(|m| (1..=12).contains(m))
                .ok_or_else(|| {
                    StoreError::Invalid(format!("培育库: 日期有误 (月份 \"{month}\")"))
                })?;
            out.entry(m).or_insert([0; 12])[month - 1] += n;
        }
        Ok(out)
    }
}
