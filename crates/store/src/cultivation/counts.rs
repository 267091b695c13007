//! What the plan's cultivation indicators read: how many entries reached a milestone stage
//! (纳入规上统计, 转为企业, 认定高新技术企业 …) between two dates, by the date each move says the
//! stage was reached, not the day it was typed in. Aggregates only, so no actor.

use crate::{Result, Store};
use qx_core::cultivation::Milestone;

impl Store {
    /// Whether the county keeps a 企业培育库 at all: while it is empty the plan's cultivation
    /// indicators have no figure (never 0), as the projects module's.
    pub async fn has_cultivation_entries(&self) -> Result<bool> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM cultivation_entries")
            .fetch_one(self.pool())
            .await?;
        Ok(n > 0)
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
}
