//! Batched reads for the monitoring picture: what would otherwise take a query per report
//! period (an N+1 over the year) in one statement.

use crate::{Result, Store};

/// The latest revision of one unit's submission for one period of a plan.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LatestSubmission {
    pub period_id: i64,
    pub unit_id: i64,
    pub revision: i64,
    pub status: String,
    pub submitted_at: Option<i64>,
}

impl Store {
    /// For every period of a plan and every unit that has a submission in it, the latest
    /// revision (the same row [`Store::period_progress`] reports per period).
    pub async fn plan_latest_submissions(&self, plan_id: i64) -> Result<Vec<LatestSubmission>> {
        Ok(sqlx::query_as(
            "SELECT s.period_id, s.unit_id, s.revision, s.status, s.submitted_at
             FROM submissions s JOIN report_periods rp ON rp.id = s.period_id
             WHERE rp.plan_id = $1 AND s.revision = (
                 SELECT MAX(s2.revision) FROM submissions s2
                 WHERE s2.period_id = s.period_id AND s2.unit_id = s.unit_id)
             ORDER BY s.period_id, s.unit_id",
        )
        .bind(plan_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// How many approved figures each period of a plan has (period text, count), oldest
    /// first: which month a dashboard opens on, without reading the figures themselves.
    pub async fn approved_counts_by_period(&self, plan_id: i64) -> Result<Vec<(String, i64)>> {
        Ok(sqlx::query_as(
            "SELECT rp.period, COUNT(*) FROM indicator_values iv
             JOIN submissions s ON s.id = iv.submission_id
             JOIN report_periods rp ON rp.id = s.period_id
             WHERE rp.plan_id = $1 AND s.status = 'approved'
             GROUP BY rp.period ORDER BY rp.period",
        )
        .bind(plan_id)
        .fetch_all(self.pool())
        .await?)
    }
}
