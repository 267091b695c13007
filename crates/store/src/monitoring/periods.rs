//! Reporting periods: opening one, what each unit owes in it, who has reported, reminders.

use super::*;
use crate::office_only;
use qx_core::notice::{Audience, NoticeKind, Subject, Text};

/// The columns of a reporting window, ready for a `WHERE`.
macro_rules! period_select {
    () => {
        "SELECT id, plan_id, period, due_on, status, opened_at FROM report_periods "
    };
}

impl Store {
    /// Opens a reporting window (office only); audited.
    pub async fn open_period(
        &self,
        actor: &Actor,
        plan_id: i64,
        period: &Period,
        due_on: &str,
    ) -> Result<i64> {
        office_only(actor, "开启报送期")?;
        let plan = self.get_plan(actor, plan_id).await?;
        if plan.status != qx_core::state::PlanStatus::Published {
            return Err(StoreError::Invalid(
                "只能为已发布的方案开启报送 (publish the plan first)".into(),
            ));
        }
        if i64::from(period.year()) != plan.year {
            return Err(StoreError::Invalid(format!(
                "报送期 {period} 不在方案年度 {} 内",
                plan.year
            )));
        }
        let mut tx = self.begin().await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO report_periods (plan_id, period, due_on, status, opened_at) VALUES ($1, $2, $3, 'open', $4) RETURNING id",
        )
        .bind(plan_id)
        .bind(period.to_string())
        .bind(due_on)
        .bind(crate::now())
        .fetch_one(&mut *tx)
        .await
        .map_err(crate::units::unique_violation("该报送期已开启 (period already open)"))?;
        commit_audited(tx,
            AuditEntry::new(actor, "period.open", "report_period", id)
                .after(serde_json::json!({"plan_id": plan_id, "period": period.to_string(), "due_on": due_on})),
        )
.await?;
        Ok(id)
    }

    /// A plan's reporting windows (county side: office, leaders, units).
    pub async fn list_periods(&self, actor: &Actor, plan_id: i64) -> Result<Vec<ReportPeriod>> {
        county_side(actor, "report periods")?;
        let rows: Vec<PeriodRow> = sqlx::query_as(concat!(
            period_select!(),
            "WHERE plan_id = $1 ORDER BY period"
        ))
        .bind(plan_id)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter().map(ReportPeriod::try_from).collect()
    }

    /// One reporting window (county side: office, leaders, units).
    pub async fn get_period(&self, actor: &Actor, id: i64) -> Result<ReportPeriod> {
        county_side(actor, "report periods")?;
        let row: PeriodRow = sqlx::query_as(concat!(period_select!(), "WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("报送期 {id}")))?;
        row.try_into()
    }

    /// Indicators a unit reports in a plan: those it leads, except the ones that fill in
    /// automatically (`source` other than manual, e.g. 难题答复率 from the problems module),
    /// which units are never asked for, in the form, the Excel template or a submission.
    /// Scoped: a unit reads its own, the office and leaders any.
    pub async fn unit_indicators(
        &self,
        actor: &Actor,
        plan_id: i64,
        unit_id: i64,
    ) -> Result<Vec<crate::plans::Indicator>> {
        readable_unit(actor, unit_id)?;
        Ok(sqlx::query_as(concat!(
            crate::plans::indicator_select!(),
            "WHERE plan_id = $1 AND lead_unit_id = $2 AND source = 'manual' ORDER BY ordinal"
        ))
        .bind(plan_id)
        .bind(unit_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Tasks a unit leads or supports, with its role. Scoped: a unit reads its own, the
    /// office and leaders any.
    pub async fn unit_tasks(
        &self,
        actor: &Actor,
        plan_id: i64,
        unit_id: i64,
    ) -> Result<Vec<(crate::plans::Task, qx_core::units::TaskRole)>> {
        readable_unit(actor, unit_id)?;
        let rows: Vec<TaskWithRole> = sqlx::query_as(
            concat!(
                "SELECT ",
                crate::plans::task_columns!(),
                ", tu.role
             FROM tasks t JOIN task_units tu ON tu.task_id = t.id WHERE t.plan_id = $1 AND tu.unit_id = $2 ORDER BY t.ordinal"
            ),
        )
        .bind(plan_id)
        .bind(unit_id)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let task = crate::plans::Task {
                    id: r.id,
                    plan_id: r.plan_id,
                    number: r.number,
                    title: r.title,
                    text: r.text,
                    deadline: r.deadline,
                    ordinal: r.ordinal,
                };
                (task, r.role)
            })
            .collect())
    }

    /// Every unit with something to report in a plan, and where it stands for a period.
    /// Scoped: a unit reads only its own line, the office and leaders every unit's.
    pub async fn period_progress(
        &self,
        actor: &Actor,
        period_id: i64,
    ) -> Result<Vec<UnitProgress>> {
        let period = self.get_period(actor, period_id).await?;
        let owed = self.owed_reports(period.plan_id).await?;
        let subs: Vec<Submission> = sqlx::query_as(concat!(
            submission_select!(),
            "WHERE period_id = $1 ORDER BY unit_id, revision"
        ))
        .bind(period_id)
        .fetch_all(self.pool())
        .await?;
        let mut latest: HashMap<i64, Submission> = HashMap::new();
        for s in subs {
            latest.insert(s.unit_id, s);
        }
        Ok(owed
            .into_iter()
            .filter(|(unit_id, _, _)| actor.can_read_unit(*unit_id))
            .map(|(unit_id, indicators, tasks)| UnitProgress {
                unit_id,
                submission: latest.remove(&unit_id),
                indicators,
                tasks,
            })
            .collect())
    }

    /// Every unit that owes reports in a plan (leads an indicator or has a task). This is the
    /// plan's structure, which every county-side reader sees (the plan's own pages show it).
    pub async fn period_progress_units(&self, actor: &Actor, plan_id: i64) -> Result<Vec<i64>> {
        county_side(actor, "report periods")?;
        Ok(self
            .owed_reports(plan_id)
            .await?
            .into_iter()
            .map(|(unit_id, _, _)| unit_id)
            .collect())
    }

    /// Who owes reports in a plan, with how many indicators and tasks each reports on: the
    /// lead unit of every indicator reported by hand, and every unit with a task. A collective
    /// name (集合称谓, e.g. 各涉企部门) owes nothing: it stands for several units, nobody signs
    /// in for it, and counting it would show it as never reporting.
    async fn owed_reports(&self, plan_id: i64) -> Result<Vec<(i64, i64, i64)>> {
        Ok(sqlx::query_as(
            "SELECT o.unit_id, SUM(o.n_ind), SUM(o.n_task) FROM (
                 SELECT lead_unit_id AS unit_id, 1 AS n_ind, 0 AS n_task FROM indicators WHERE plan_id = $1 AND lead_unit_id IS NOT NULL AND source = 'manual'
                 UNION ALL
                 SELECT tu.unit_id, 0, 1 FROM task_units tu JOIN tasks t ON t.id = tu.task_id WHERE t.plan_id = $1
             ) o JOIN units u ON u.id = o.unit_id
             WHERE u.kind <> 'group'
             GROUP BY o.unit_id ORDER BY o.unit_id",
        )
        .bind(plan_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Posts a reminder to each unit that has not submitted for a period; returns those units.
    pub async fn remind_unreported(&self, actor: &Actor, period_id: i64) -> Result<Vec<i64>> {
        office_only(actor, "发送催报提醒")?;
        let period = self.get_period(actor, period_id).await?;
        let late: Vec<i64> = self
            .period_progress(actor, period_id)
            .await?
            .into_iter()
            .filter(|p| {
                !p.submission
                    .as_ref()
                    .is_some_and(|s| s.status.is_reported())
            })
            .map(|p| p.unit_id)
            .collect();
        let mut tx = self.begin().await?;
        let text = Text::ReportDue {
            period: period.period.to_string(),
            due: period.due_on.to_string(),
        };
        for unit in &late {
            crate::notices::notify(
                &mut tx,
                &crate::notices::NewNotice {
                    audience: Audience::Unit(*unit),
                    kind: NoticeKind::ReportRemind,
                    subject: Subject::ReportPeriod(period_id),
                    text: text.clone(),
                    dedupe_key: None,
                },
            )
            .await?;
        }
        commit_audited(
            tx,
            AuditEntry::new(actor, "period.remind", "report_period", period_id)
                .after(serde_json::json!({"units": late})),
        )
        .await?;
        Ok(late)
    }

    /// A unit user's unread notices about its reports (reminders, returns), newest first:
    /// (id, message, link, time).
    pub async fn unit_notices(
        &self,
        actor: &Actor,
        unit_id: i64,
    ) -> Result<Vec<(i64, String, String, i64)>> {
        if !actor.can_read_unit(unit_id) || actor.role != qx_core::access::Role::Unit {
            return Ok(Vec::new());
        }
        let unread = self
            .inbox(
                actor,
                crate::notices::InboxQuery {
                    unread: true,
                    before: None,
                    limit: 100,
                },
            )
            .await?;
        Ok(unread
            .into_iter()
            .filter_map(|n| match n.subject {
                qx_core::notice::Subject::ReportPeriod(_) => {
                    let link = n.subject.path()?;
                    Some((n.id, n.message, link, n.created_at))
                }
                _ => None,
            })
            .take(20)
            .collect())
    }
}
