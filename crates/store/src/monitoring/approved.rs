//! Approved figures and task reports (what dashboards and bulletins read), and last year's baselines.

use super::*;

impl Store {
    /// Every approved figure of a plan (the latest approved revision per unit and period).
    /// Approved figures are the county's shared picture (the dashboard every county-side user
    /// sees, the bulletins): office, leaders and units read them all; an enterprise none.
    pub async fn approved_values(&self, actor: &Actor, plan_id: i64) -> Result<Vec<ApprovedValue>> {
        county_side(actor, "approved figures")?;
        Ok(sqlx::query_as(concat!(
            "SELECT iv.indicator_id, rp.period, iv.value, s.unit_id, s.reviewed_at
                 FROM indicator_values iv",
            approved_in_plan!("iv.submission_id"),
            "ORDER BY rp.period"
        ))
        .bind(plan_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Every approved task report of a plan (county side, as [`Self::approved_values`]).
    pub async fn approved_task_reports(
        &self,
        actor: &Actor,
        plan_id: i64,
    ) -> Result<Vec<ApprovedTaskReport>> {
        county_side(actor, "approved task reports")?;
        Ok(sqlx::query_as(concat!(
            "SELECT tr.task_id, rp.period, s.unit_id, tr.progress, tr.status FROM task_reports tr",
            approved_in_plan!("tr.submission_id"),
            "ORDER BY rp.period"
        ))
        .bind(plan_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Co-units' latest reports on a task for a period (what the lead sees while writing).
    /// Scoped: the office and leaders read any task's, a unit only a task it is assigned.
    pub async fn task_reports_for_period(
        &self,
        actor: &Actor,
        period_id: i64,
        task_id: i64,
    ) -> Result<Vec<(i64, SubmissionStatus, TaskReport)>> {
        if !actor.reads_all() {
            let assigned: Option<(i64,)> = sqlx::query_as(
                "SELECT task_id FROM task_units WHERE task_id = $1 AND unit_id = $2",
            )
            .bind(task_id)
            .bind(crate::own_unit(actor))
            .fetch_optional(self.pool())
            .await?;
            if assigned.is_none() {
                return Err(StoreError::NotFound(format!("任务 {task_id} 的报送")));
            }
        }
        let rows: Vec<(i64, String, i64, String, String)> = sqlx::query_as(concat!(
            "SELECT s.unit_id, s.status, tr.task_id, tr.progress, tr.status FROM task_reports tr
             JOIN submissions s ON s.id = tr.submission_id
             WHERE s.period_id = $1 AND tr.task_id = $2 AND ",
            reported_sql!()
        ))
        .bind(period_id)
        .bind(task_id)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|(unit, sub_status, task_id, progress, status)| {
                Ok((
                    unit,
                    decode_state(sub_status)?,
                    TaskReport {
                        task_id,
                        progress,
                        status: decode_state(status)?,
                    },
                ))
            })
            .collect()
    }

    /// Last year's cumulative figures by month (1..=12) per indicator (county side).
    pub async fn baselines(
        &self,
        actor: &Actor,
        plan_id: i64,
    ) -> Result<HashMap<i64, Vec<(i64, String)>>> {
        county_side(actor, "baselines")?;
        let rows: Vec<(i64, i64, String)> = sqlx::query_as(
            "SELECT b.indicator_id, b.month, b.value FROM indicator_baselines b JOIN indicators i ON i.id = b.indicator_id WHERE i.plan_id = $1 ORDER BY b.month",
        )
        .bind(plan_id)
        .fetch_all(self.pool())
        .await?;
        let mut out: HashMap<i64, Vec<(i64, String)>> = HashMap::new();
        for (i, m, v) in rows {
            out.entry(i).or_default().push((m, v));
        }
        Ok(out)
    }

    /// Records last year's monthly cumulative figure of an indicator (office; imports, demo).
    pub async fn set_baseline(
        &self,
        actor: &Actor,
        indicator_id: i64,
        month: i64,
        value: &str,
    ) -> Result<()> {
        crate::office_only(actor, "录入上年同期基数")?;
        check_value(value).map_err(StoreError::Invalid)?;
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO indicator_baselines (indicator_id, month, value) VALUES ($1, $2, $3)
             ON CONFLICT (indicator_id, month) DO UPDATE SET value = excluded.value",
        )
        .bind(indicator_id)
        .bind(month)
        .bind(normalise_value(value))
        .execute(&mut *tx)
        .await?;
        commit_audited(
            tx,
            AuditEntry::new(actor, "indicator.baseline", "indicator", indicator_id)
                .after(serde_json::json!({"month": month, "value": value})),
        )
        .await
    }
}
