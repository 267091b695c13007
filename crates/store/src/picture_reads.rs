//! Batched reads for the monitoring picture: what would otherwise take a query per report
//! period (an N+1 over the year) in one statement.

use crate::{Result, Store};
use qx_core::access::Actor;

/// When a unit first sent its report for one period of a plan.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FirstSubmission {
    pub period_id: i64,
    pub unit_id: i64,
    /// The earliest submission time among the report's revisions (unix seconds).
    pub submitted_at: i64,
}

impl Store {
    /// For every period of a plan and every unit that has sent a report for it, when it was
    /// first sent: what punctuality (按时报送) is judged on. A correction made after approval is
    /// a later revision and does not make an on-time report late; a correction still in draft
    /// does not make it missing. A report that was returned counts from when it was sent
    /// again, since the returned one was not accepted. County side, as
    /// [`Store::approved_values`]: every unit's punctuality is on the county's shared picture.
    pub async fn plan_first_submissions(
        &self,
        actor: &Actor,
        plan_id: i64,
    ) -> Result<Vec<FirstSubmission>> {
        crate::monitoring::county_side(actor, "各单位报送时间 (first submissions)")?;
        Ok(sqlx::query_as(
            "SELECT s.period_id, s.unit_id, MIN(s.submitted_at) AS submitted_at
             FROM submissions s JOIN report_periods rp ON rp.id = s.period_id
             WHERE rp.plan_id = $1 AND s.submitted_at IS NOT NULL
             GROUP BY s.period_id, s.unit_id
             ORDER BY s.period_id, s.unit_id",
        )
        .bind(plan_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// How many approved figures each period of a plan has (period text, count), oldest
    /// first: which month a dashboard opens on, without reading the figures themselves.
    /// County side, as [`Store::approved_values`].
    pub async fn approved_counts_by_period(
        &self,
        actor: &Actor,
        plan_id: i64,
    ) -> Result<Vec<(String, i64)>> {
        crate::monitoring::county_side(actor, "已审核数据 (approved figures)")?;
        Ok(sqlx::query_as(concat!(
            "SELECT rp.period, COUNT(*) FROM indicator_values iv",
            crate::monitoring::approved_in_plan!("iv.submission_id"),
            "GROUP BY rp.period ORDER BY rp.period"
        ))
        .bind(plan_id)
        .fetch_all(self.pool())
        .await?)
    }
}
