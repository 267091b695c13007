//! The monthly reporting cycle: periods, units' submissions, the office's review.
//!
//! A unit reports, per open period, the 1—N月累计 figure of every indicator it leads and the
//! progress of every task it leads or supports. The office approves (the submission locks) or
//! returns it with a comment; nobody approves their own submission. A correction after approval
//! is a new revision that supersedes the old one, so history keeps every figure ever approved.

use crate::audit::{AuditEntry, PendingEntry, append};
use crate::{Result, Store, StoreError};
use qx_core::access::{Actor, Role};
use qx_core::period::Period;
use serde::Serialize;
use std::collections::HashMap;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ReportPeriod {
    pub id: i64,
    pub plan_id: i64,
    pub period: String,
    pub due_on: String,
    pub status: String,
    pub opened_at: i64,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Submission {
    pub id: i64,
    pub period_id: i64,
    pub unit_id: i64,
    pub revision: i64,
    pub status: String,
    pub submitted_by: Option<i64>,
    pub submitted_at: Option<i64>,
    pub reviewed_by: Option<i64>,
    pub reviewed_at: Option<i64>,
    pub review_comment: String,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ReportedValue {
    pub indicator_id: i64,
    pub value: String,
    pub note: String,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct TaskReport {
    pub task_id: i64,
    pub progress: String,
    pub status: String,
}

/// What a unit enters for a period.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SubmissionInput {
    /// (indicator id, 1—N月累计 as text, note)
    pub values: Vec<(i64, String, String)>,
    /// (task id, progress text, self-assessed status)
    pub tasks: Vec<(i64, String, String)>,
}

/// An approved figure: what dashboards and bulletins are built from.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ApprovedValue {
    pub indicator_id: i64,
    pub period: String,
    pub value: String,
    pub unit_id: i64,
    pub reviewed_at: Option<i64>,
}

/// An approved task report.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ApprovedTaskReport {
    pub task_id: i64,
    pub period: String,
    pub unit_id: i64,
    pub progress: String,
    pub status: String,
}

/// One unit's position in a period, for the office's "who has not reported" page.
#[derive(Debug, Clone, Serialize)]
pub struct UnitProgress {
    pub unit_id: i64,
    pub submission: Option<Submission>,
    pub indicators: i64,
    pub tasks: i64,
}

#[derive(sqlx::FromRow)]
struct TaskWithRole {
    id: i64,
    plan_id: i64,
    number: String,
    title: String,
    text: String,
    deadline: String,
    ordinal: i64,
    role: String,
}

/// Accepted self-assessed task statuses.
pub const TASK_STATUSES: [&str; 4] = ["not_started", "on_track", "behind", "done"];

impl Store {
    /// Opens a reporting window (office only); audited.
    pub async fn open_period(
        &self,
        actor: &Actor,
        plan_id: i64,
        period: &Period,
        due_on: &str,
    ) -> Result<i64> {
        if !actor.is_admin() {
            return Err(StoreError::Forbidden("只有办公室可以开启报送期".into()));
        }
        let plan = self.get_plan(actor, plan_id).await?;
        if plan.status != "published" {
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
        append(
            &mut tx,
            AuditEntry::new(actor, "period.open", "report_period", id)
                .after(serde_json::json!({"plan_id": plan_id, "period": period.to_string(), "due_on": due_on})),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn list_periods(&self, plan_id: i64) -> Result<Vec<ReportPeriod>> {
        Ok(sqlx::query_as(
            "SELECT id, plan_id, period, due_on, status, opened_at FROM report_periods WHERE plan_id = $1 ORDER BY period",
        )
        .bind(plan_id)
        .fetch_all(self.pool())
        .await?)
    }

    pub async fn get_period(&self, id: i64) -> Result<ReportPeriod> {
        sqlx::query_as("SELECT id, plan_id, period, due_on, status, opened_at FROM report_periods WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("报送期 {id}")))
    }

    /// Indicators a unit reports in a plan: those it leads, except the ones that fill in
    /// automatically (`source` other than manual, e.g. 难题答复率 from the problems module),
    /// which units are never asked for, in the form, the Excel template or a submission.
    pub async fn unit_indicators(
        &self,
        plan_id: i64,
        unit_id: i64,
    ) -> Result<Vec<crate::plans::Indicator>> {
        Ok(sqlx::query_as(
            "SELECT id, plan_id, ordinal, level, section, name, text, unit, target_value, target_max, comparator, kind, lead_unit_id, profile, frequency
             FROM indicators WHERE plan_id = $1 AND lead_unit_id = $2 AND source = 'manual' ORDER BY ordinal",
        )
        .bind(plan_id)
        .bind(unit_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Tasks a unit leads or supports, with its role.
    pub async fn unit_tasks(
        &self,
        plan_id: i64,
        unit_id: i64,
    ) -> Result<Vec<(crate::plans::Task, String)>> {
        let rows: Vec<TaskWithRole> = sqlx::query_as(
            "SELECT t.id, t.plan_id, t.number, t.title, t.text, t.deadline, t.ordinal, tu.role
             FROM tasks t JOIN task_units tu ON tu.task_id = t.id WHERE t.plan_id = $1 AND tu.unit_id = $2 ORDER BY t.ordinal",
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

    /// The unit's latest submission for a period (any status), if any.
    pub async fn latest_submission(
        &self,
        period_id: i64,
        unit_id: i64,
    ) -> Result<Option<Submission>> {
        Ok(sqlx::query_as(
            "SELECT id, period_id, unit_id, revision, status, submitted_by, submitted_at, reviewed_by, reviewed_at, review_comment
             FROM submissions WHERE period_id = $1 AND unit_id = $2 ORDER BY revision DESC LIMIT 1",
        )
        .bind(period_id)
        .bind(unit_id)
        .fetch_optional(self.pool())
        .await?)
    }

    /// A reporting window and the unit's latest revision in it, in one statement.
    async fn period_and_latest(
        &self,
        period_id: i64,
        unit_id: i64,
    ) -> Result<(ReportPeriod, Option<Submission>)> {
        let row: Option<PeriodAndLatest> = sqlx::query_as(
            "SELECT p.id, p.plan_id, p.period, p.due_on, p.status, p.opened_at,
                    s.id AS s_id, s.revision AS s_revision, s.status AS s_status,
                    s.submitted_by AS s_submitted_by, s.submitted_at AS s_submitted_at,
                    s.reviewed_by AS s_reviewed_by, s.reviewed_at AS s_reviewed_at,
                    s.review_comment AS s_review_comment
             FROM report_periods p
             LEFT JOIN submissions s ON s.id = (
                 SELECT id FROM submissions WHERE period_id = p.id AND unit_id = $2
                 ORDER BY revision DESC LIMIT 1)
             WHERE p.id = $1",
        )
        .bind(period_id)
        .bind(unit_id)
        .fetch_optional(self.pool())
        .await?;
        let row = row.ok_or_else(|| StoreError::NotFound(format!("报送期 {period_id}")))?;
        let latest = match (row.s_id, row.s_revision, row.s_status) {
            (Some(id), Some(revision), Some(status)) => Some(Submission {
                id,
                period_id,
                unit_id,
                revision,
                status,
                submitted_by: row.s_submitted_by,
                submitted_at: row.s_submitted_at,
                reviewed_by: row.s_reviewed_by,
                reviewed_at: row.s_reviewed_at,
                review_comment: row.s_review_comment.unwrap_or_default(),
            }),
            _ => None,
        };
        let period = ReportPeriod {
            id: row.id,
            plan_id: row.plan_id,
            period: row.period,
            due_on: row.due_on,
            status: row.status,
            opened_at: row.opened_at,
        };
        Ok((period, latest))
    }

    /// What a unit may put in a submission: the indicators of [`Store::unit_indicators`] by
    /// name and the tasks of [`Store::unit_tasks`] by number, in one statement.
    async fn reportable(
        &self,
        plan_id: i64,
        unit_id: i64,
    ) -> Result<(HashMap<i64, String>, HashMap<i64, String>)> {
        let rows: Vec<(String, i64, String)> = sqlx::query_as(
            "SELECT 'indicator', id, name FROM indicators
              WHERE lead_unit_id = $2 AND plan_id = $1 AND source = 'manual'
             UNION ALL
             SELECT 'task', t.id, t.number FROM tasks t JOIN task_units tu ON tu.task_id = t.id
              WHERE tu.unit_id = $2 AND t.plan_id = $1",
        )
        .bind(plan_id)
        .bind(unit_id)
        .fetch_all(self.pool())
        .await?;
        let (mut indicators, mut tasks) = (HashMap::new(), HashMap::new());
        for (kind, id, label) in rows {
            if kind == "task" {
                tasks.insert(id, label);
            } else {
                indicators.insert(id, label);
            }
        }
        Ok((indicators, tasks))
    }

    /// Every revision of a unit's submission for a period, newest first (scoped).
    pub async fn submission_history(
        &self,
        actor: &Actor,
        period_id: i64,
        unit_id: i64,
    ) -> Result<Vec<Submission>> {
        if !actor.can_read_unit(unit_id) {
            return Err(StoreError::NotFound(format!("单位 {unit_id} 的报送")));
        }
        Ok(sqlx::query_as(
            "SELECT id, period_id, unit_id, revision, status, submitted_by, submitted_at, reviewed_by, reviewed_at, review_comment
             FROM submissions WHERE period_id = $1 AND unit_id = $2 ORDER BY revision DESC",
        )
        .bind(period_id)
        .bind(unit_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// A submission the actor may read (its own unit's, or any for the office and leaders).
    pub async fn get_submission(&self, actor: &Actor, id: i64) -> Result<Submission> {
        let s: Submission = sqlx::query_as(
            "SELECT id, period_id, unit_id, revision, status, submitted_by, submitted_at, reviewed_by, reviewed_at, review_comment FROM submissions WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("报送 {id}")))?;
        // Leaders and the office see drafts only once submitted: a unit's draft is its own.
        let visible = actor.can_write_unit(s.unit_id) && actor.role == Role::Unit
            || (actor.reads_all() && s.status != "draft");
        if visible {
            Ok(s)
        } else {
            Err(StoreError::NotFound(format!("报送 {id}")))
        }
    }

    pub async fn submission_values(
        &self,
        actor: &Actor,
        id: i64,
    ) -> Result<(Vec<ReportedValue>, Vec<TaskReport>)> {
        self.get_submission(actor, id).await?;
        let values = sqlx::query_as(
            "SELECT indicator_id, value, note FROM indicator_values WHERE submission_id = $1",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        let tasks = sqlx::query_as(
            "SELECT task_id, progress, status FROM task_reports WHERE submission_id = $1",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        Ok((values, tasks))
    }

    /// Saves a unit's figures for a period and, with `submit`, hands them to the office.
    /// Only the unit itself (or the office on its behalf) writes; only indicators it leads and
    /// tasks it is assigned are accepted; an approved submission is locked (start a correction).
    pub async fn save_submission(
        &self,
        actor: &Actor,
        period_id: i64,
        unit_id: i64,
        input: &SubmissionInput,
        submit: bool,
    ) -> Result<i64> {
        if !actor.can_write_unit(unit_id) {
            return Err(StoreError::Forbidden(format!(
                "不能代其他单位报送 (unit {unit_id})"
            )));
        }
        // One read for the window and the unit's latest revision, one for what it may report:
        // at month end sixty units submit at once, and every round trip counts.
        let (period, latest) = self.period_and_latest(period_id, unit_id).await?;
        if period.status != "open" {
            return Err(StoreError::Conflict(format!(
                "报送期 {} 已关闭",
                period.period
            )));
        }
        let (indicators, tasks) = self.reportable(period.plan_id, unit_id).await?;
        let mut problems = Vec::new();
        for (id, value, _) in &input.values {
            let Some(name) = indicators.get(id) else {
                problems.push(format!(
                    "指标 {id} 不由本单位报送 (not this unit's indicator)"
                ));
                continue;
            };
            if let Err(e) = check_value(value) {
                problems.push(format!("\"{name}\": {e}"));
            }
        }
        for (id, _, status) in &input.tasks {
            let Some(number) = tasks.get(id) else {
                problems.push(format!("任务 {id} 未分配给本单位 (not this unit's task)"));
                continue;
            };
            if !TASK_STATUSES.contains(&status.as_str()) {
                problems.push(format!("任务 {number}: 状态 \"{status}\" 无效"));
            }
        }
        if !problems.is_empty() {
            return Err(StoreError::Invalid(problems.join("; ")));
        }
        let now = crate::now();
        let status = if submit { "submitted" } else { "draft" };
        let submitted_by = submit.then_some(actor.user_id).filter(|&u| u != 0);
        let action = if submit {
            "submission.submit"
        } else {
            "submission.save"
        };
        // The revision written to: the draft or returned one in place, or a new one.
        let target = match &latest {
            Some(s) if s.status == "approved" => {
                return Err(StoreError::Conflict(
                    "该期报送已审核锁定; 如需更正请发起更正 (approved submissions are locked)"
                        .into(),
                ));
            }
            Some(s) if s.status == "submitted" => {
                return Err(StoreError::Conflict(
                    "已提交待审核, 不能再修改 (already submitted)".into(),
                ));
            }
            Some(s) if s.status == "draft" || s.status == "returned" => Target::Existing(s.clone()),
            Some(s) => Target::New(s.revision + 1),
            None => Target::New(1),
        };
        // Each figure and task line replaces what the submission held for it; an empty one
        // just clears it. Written as one statement per table, whatever the number of rows,
        // so a month-end surge holds the write lock briefly.
        let batch = SubmissionBatch::new(input);
        if let (Target::New(revision), crate::Engine::Postgres) = (&target, self.engine()) {
            // A new revision on PostgreSQL: the row, its figures, its task lines and its
            // audit entry in one call, committed on its own. The audit chain's head is the one
            // lock every writer queues for; the server takes it last, after the rows' foreign
            // keys are checked, and no round trip happens while it is held. The entry's entity
            // id is the new row's, filled in by the server.
            let pending =
                PendingEntry::new(AuditEntry::new(actor, action, "submission", "").after(input));
            let (id,): (i64,) = pending
                .bind(sqlx::query_as(POSTGRES_NEW_REVISION))
                .bind(period_id)
                .bind(unit_id)
                .bind(*revision)
                .bind(status)
                .bind(submitted_by)
                .bind(submit.then_some(now))
                .bind(now)
                .bind(&batch.values)
                .bind(&batch.tasks)
                .fetch_one(self.pool())
                .await
                .map_err(crate::units::unique_violation(CONCURRENT_SUBMISSION))?;
            return Ok(id);
        }
        let mut tx = self.begin().await?;
        let id = match target {
            Target::New(revision) => {
                let row = NewRevision {
                    period_id,
                    unit_id,
                    revision,
                    status,
                    submitted_by,
                    submitted_at: submit.then_some(now),
                    now,
                };
                let id = insert_revision(&mut tx, &row).await?;
                // SQLite (PostgreSQL returned above); a revision created just now holds
                // nothing to replace.
                let (_, insert_values, _, insert_tasks) = SQLITE_BATCH;
                for (sql, json) in [(insert_values, &batch.values), (insert_tasks, &batch.tasks)] {
                    sqlx::query(sql)
                        .bind(id)
                        .bind(json)
                        .execute(&mut *tx)
                        .await?;
                }
                id
            }
            Target::Existing(ref existing) => {
                let id = existing.id;
                let (delete_values, insert_values, delete_tasks, insert_tasks) = match self.engine()
                {
                    crate::Engine::Sqlite => SQLITE_BATCH,
                    crate::Engine::Postgres => POSTGRES_BATCH,
                };
                for (sql, json) in [
                    (delete_values, &batch.value_ids),
                    (insert_values, &batch.values),
                    (delete_tasks, &batch.task_ids),
                    (insert_tasks, &batch.tasks),
                ] {
                    sqlx::query(sql)
                        .bind(id)
                        .bind(json)
                        .execute(&mut *tx)
                        .await?;
                }
                sqlx::query(
                    "UPDATE submissions SET status = $1, submitted_by = $2, submitted_at = $3, updated_at = $4 WHERE id = $5",
                )
                .bind(status)
                .bind(submitted_by)
                .bind(submit.then_some(now))
                .bind(now)
                .bind(id)
                .execute(&mut *tx)
                .await?;
                id
            }
        };
        let before = match target {
            Target::Existing(s) => Some(s),
            Target::New(_) => None,
        };
        append(
            &mut tx,
            AuditEntry::new(actor, action, "submission", id)
                .before(before)
                .after(input),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The office approves (locks) or returns a submitted report. Nobody reviews their own.
    pub async fn review_submission(
        &self,
        actor: &Actor,
        id: i64,
        approve: bool,
        comment: &str,
    ) -> Result<()> {
        if !actor.is_admin() {
            return Err(StoreError::Forbidden("只有办公室可以审核报送".into()));
        }
        let s = self.get_submission(actor, id).await?;
        if s.status != "submitted" {
            return Err(StoreError::Conflict(format!(
                "只能审核已提交的报送, 当前状态为 {}",
                s.status
            )));
        }
        if s.submitted_by == Some(actor.user_id) {
            return Err(StoreError::Forbidden(
                "不能审核自己提交的报送 (nobody approves their own submission)".into(),
            ));
        }
        if !approve && comment.trim().is_empty() {
            return Err(StoreError::Invalid(
                "退回时请写明原因 (a return needs a comment)".into(),
            ));
        }
        let mut tx = self.begin().await?;
        let now = crate::now();
        if approve {
            sqlx::query("UPDATE submissions SET status = 'superseded', updated_at = $1 WHERE period_id = $2 AND unit_id = $3 AND status = 'approved'")
                .bind(now)
                .bind(s.period_id)
                .bind(s.unit_id)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query("UPDATE submissions SET status = $1, reviewed_by = $2, reviewed_at = $3, review_comment = $4, updated_at = $3 WHERE id = $5")
            .bind(if approve { "approved" } else { "returned" })
            .bind(actor.user_id)
            .bind(now)
            .bind(comment.trim())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let action = if approve {
            "submission.approve"
        } else {
            "submission.return"
        };
        append(
            &mut tx,
            AuditEntry::new(actor, action, "submission", id)
                .before(serde_json::json!({"status": s.status}))
                .after(serde_json::json!({"comment": comment.trim()})),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Starts a correction of an approved submission: a new draft revision carrying the
    /// approved figures, to be submitted and approved again. Audited.
    pub async fn start_correction(
        &self,
        actor: &Actor,
        period_id: i64,
        unit_id: i64,
    ) -> Result<i64> {
        if !actor.can_write_unit(unit_id) {
            return Err(StoreError::Forbidden(format!("unit {unit_id}")));
        }
        let Some(latest) = self.latest_submission(period_id, unit_id).await? else {
            return Err(StoreError::NotFound("没有可更正的报送".into()));
        };
        if latest.status != "approved" {
            return Err(StoreError::Conflict("只有已审核的报送需要发起更正".into()));
        }
        let mut tx = self.begin().await?;
        let id = insert_submission(
            &mut tx,
            period_id,
            unit_id,
            latest.revision + 1,
            crate::now(),
        )
        .await?;
        sqlx::query("INSERT INTO indicator_values (submission_id, indicator_id, value, note) SELECT $1, indicator_id, value, note FROM indicator_values WHERE submission_id = $2")
            .bind(id)
            .bind(latest.id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO task_reports (submission_id, task_id, progress, status) SELECT $1, task_id, progress, status FROM task_reports WHERE submission_id = $2")
            .bind(id)
            .bind(latest.id)
            .execute(&mut *tx)
            .await?;
        // The evidence travels with the figures it supports.
        sqlx::query("INSERT INTO report_attachments (submission_id, task_id, file_name, mime, size, data, created_at) SELECT $1, task_id, file_name, mime, size, data, created_at FROM report_attachments WHERE submission_id = $2")
            .bind(id)
            .bind(latest.id)
            .execute(&mut *tx)
            .await?;
        append(
            &mut tx,
            AuditEntry::new(actor, "submission.correct", "submission", id)
                .before(serde_json::json!({"revision": latest.revision, "id": latest.id})),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Every unit with something to report in a plan, and where it stands for a period.
    pub async fn period_progress(&self, period_id: i64) -> Result<Vec<UnitProgress>> {
        let period = self.get_period(period_id).await?;
        let owed = self.owed_reports(period.plan_id).await?;
        let subs: Vec<Submission> = sqlx::query_as(
            "SELECT id, period_id, unit_id, revision, status, submitted_by, submitted_at, reviewed_by, reviewed_at, review_comment
             FROM submissions WHERE period_id = $1 ORDER BY unit_id, revision",
        )
        .bind(period_id)
        .fetch_all(self.pool())
        .await?;
        let mut latest: HashMap<i64, Submission> = HashMap::new();
        for s in subs {
            latest.insert(s.unit_id, s);
        }
        Ok(owed
            .into_iter()
            .map(|(unit_id, indicators, tasks)| UnitProgress {
                unit_id,
                submission: latest.remove(&unit_id),
                indicators,
                tasks,
            })
            .collect())
    }

    /// Every unit that owes reports in a plan (leads an indicator or has a task).
    pub async fn period_progress_units(&self, plan_id: i64) -> Result<Vec<i64>> {
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

    /// Every approved figure of a plan (the latest approved revision per unit and period).
    pub async fn approved_values(&self, plan_id: i64) -> Result<Vec<ApprovedValue>> {
        Ok(sqlx::query_as(
            "SELECT iv.indicator_id, rp.period, iv.value, s.unit_id, s.reviewed_at
             FROM indicator_values iv JOIN submissions s ON s.id = iv.submission_id
             JOIN report_periods rp ON rp.id = s.period_id
             WHERE rp.plan_id = $1 AND s.status = 'approved' ORDER BY rp.period",
        )
        .bind(plan_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Every approved task report of a plan.
    pub async fn approved_task_reports(&self, plan_id: i64) -> Result<Vec<ApprovedTaskReport>> {
        Ok(sqlx::query_as(
            "SELECT tr.task_id, rp.period, s.unit_id, tr.progress, tr.status
             FROM task_reports tr JOIN submissions s ON s.id = tr.submission_id
             JOIN report_periods rp ON rp.id = s.period_id
             WHERE rp.plan_id = $1 AND s.status = 'approved' ORDER BY rp.period",
        )
        .bind(plan_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Co-units' latest reports on a task for a period (what the lead sees while writing).
    pub async fn task_reports_for_period(
        &self,
        period_id: i64,
        task_id: i64,
    ) -> Result<Vec<(i64, String, TaskReport)>> {
        let rows: Vec<(i64, String, i64, String, String)> = sqlx::query_as(
            "SELECT s.unit_id, s.status, tr.task_id, tr.progress, tr.status FROM task_reports tr
             JOIN submissions s ON s.id = tr.submission_id
             WHERE s.period_id = $1 AND tr.task_id = $2 AND s.status IN ('submitted', 'approved')",
        )
        .bind(period_id)
        .bind(task_id)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|(unit, sub_status, task_id, progress, status)| {
                (
                    unit,
                    sub_status,
                    TaskReport {
                        task_id,
                        progress,
                        status,
                    },
                )
            })
            .collect())
    }

    /// Last year's cumulative figures by month (1..=12) per indicator.
    pub async fn baselines(&self, plan_id: i64) -> Result<HashMap<i64, Vec<(i64, String)>>> {
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
        if !actor.is_admin() {
            return Err(StoreError::Forbidden("baselines".into()));
        }
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
        append(
            &mut tx,
            AuditEntry::new(actor, "indicator.baseline", "indicator", indicator_id)
                .after(serde_json::json!({"month": month, "value": value})),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Posts a reminder to each unit that has not submitted for a period; returns those units.
    pub async fn remind_unreported(&self, actor: &Actor, period_id: i64) -> Result<Vec<i64>> {
        if !actor.is_admin() {
            return Err(StoreError::Forbidden("reminders".into()));
        }
        let period = self.get_period(period_id).await?;
        let late: Vec<i64> = self
            .period_progress(period_id)
            .await?
            .into_iter()
            .filter(|p| {
                !matches!(
                    p.submission.as_ref().map(|s| s.status.as_str()),
                    Some("submitted" | "approved")
                )
            })
            .map(|p| p.unit_id)
            .collect();
        let mut tx = self.begin().await?;
        let now = crate::now();
        let title = format!(
            "请于 {} 前报送 {} 工作推进情况",
            period.due_on, period.period
        );
        for unit in &late {
            sqlx::query("INSERT INTO unit_notices (unit_id, kind, title, link, created_at) VALUES ($1, 'report.remind', $2, $3, $4)")
                .bind(unit)
                .bind(&title)
                .bind(format!("/report/{period_id}"))
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
        append(
            &mut tx,
            AuditEntry::new(actor, "period.remind", "report_period", period_id)
                .after(serde_json::json!({"units": late})),
        )
        .await?;
        tx.commit().await?;
        Ok(late)
    }

    /// Sets when a submission was made and reviewed, for history imported from the county's
    /// earlier spreadsheets (and the demo's year). System only; audited.
    pub async fn set_submission_times(
        &self,
        actor: &Actor,
        id: i64,
        submitted_at: i64,
        reviewed_at: Option<i64>,
    ) -> Result<()> {
        if actor.user_id != 0 {
            return Err(StoreError::Forbidden("只有系统导入可以补录报送时间".into()));
        }
        let mut tx = self.begin().await?;
        sqlx::query("UPDATE submissions SET submitted_at = $1, reviewed_at = $2 WHERE id = $3")
            .bind(submitted_at)
            .bind(reviewed_at)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        append(
            &mut tx,
            AuditEntry::new(actor, "submission.history", "submission", id).after(
                serde_json::json!({"submitted_at": submitted_at, "reviewed_at": reviewed_at}),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A unit's unread notices, newest first.
    pub async fn unit_notices(
        &self,
        actor: &Actor,
        unit_id: i64,
    ) -> Result<Vec<(i64, String, String, i64)>> {
        if !actor.can_read_unit(unit_id) {
            return Ok(Vec::new());
        }
        Ok(sqlx::query_as(
            "SELECT id, title, link, created_at FROM unit_notices WHERE unit_id = $1 AND read_at IS NULL ORDER BY id DESC LIMIT 20",
        )
        .bind(unit_id)
        .fetch_all(self.pool())
        .await?)
    }
}

/// A submission's rows as JSON arrays, bound as one parameter each: the ids it touches, and
/// the rows to insert (`[id, value, note]` / `[id, progress, status]`). A later line for the
/// same id wins, as when the lines are applied one by one.
struct SubmissionBatch {
    value_ids: String,
    values: String,
    task_ids: String,
    tasks: String,
}

impl SubmissionBatch {
    fn new(input: &SubmissionInput) -> Self {
        fn last_wins<T>(
            rows: &[(i64, String, String)],
            keep: T,
        ) -> (Vec<i64>, Vec<serde_json::Value>)
        where
            T: Fn(&str, &str) -> Option<(String, String)>,
        {
            let mut ids: Vec<i64> = Vec::new();
            let mut kept: HashMap<i64, (String, String)> = HashMap::new();
            for (id, a, b) in rows {
                if !ids.contains(id) {
                    ids.push(*id);
                }
                match keep(a, b) {
                    Some(row) => kept.insert(*id, row),
                    None => kept.remove(id),
                };
            }
            let out = ids
                .iter()
                .filter_map(|id| kept.get(id).map(|(a, b)| serde_json::json!([id, a, b])))
                .collect();
            (ids, out)
        }
        let (value_ids, values) = last_wins(&input.values, |value, note| {
            (!value.trim().is_empty()).then(|| (normalise_value(value), note.trim().to_string()))
        });
        let (task_ids, tasks) = last_wins(&input.tasks, |progress, status| {
            (!progress.trim().is_empty() || status != "not_started")
                .then(|| (progress.trim().to_string(), status.to_string()))
        });
        let json = |v: serde_json::Value| v.to_string();
        SubmissionBatch {
            value_ids: json(serde_json::json!(value_ids)),
            values: json(serde_json::Value::Array(values)),
            task_ids: json(serde_json::json!(task_ids)),
            tasks: json(serde_json::Value::Array(tasks)),
        }
    }
}

/// (delete figures, insert figures, delete task lines, insert task lines); `$1` the
/// submission, `$2` a JSON array from [`SubmissionBatch`].
type BatchSql = (&'static str, &'static str, &'static str, &'static str);

const SQLITE_BATCH: BatchSql = (
    "DELETE FROM indicator_values WHERE submission_id = $1 AND indicator_id IN (SELECT value FROM json_each($2))",
    "INSERT INTO indicator_values (submission_id, indicator_id, value, note)
     SELECT $1, json_extract(j.value, '$[0]'), json_extract(j.value, '$[1]'), json_extract(j.value, '$[2]') FROM json_each($2) j",
    "DELETE FROM task_reports WHERE submission_id = $1 AND task_id IN (SELECT value FROM json_each($2))",
    "INSERT INTO task_reports (submission_id, task_id, progress, status)
     SELECT $1, json_extract(j.value, '$[0]'), json_extract(j.value, '$[1]'), json_extract(j.value, '$[2]') FROM json_each($2) j",
);

/// A new revision with its figures (`$17`) and task lines (`$18`) as JSON arrays from
/// [`SubmissionBatch`], and its audit entry (`$1`–`$9`, see [`PendingEntry::bind`]): the
/// PostgreSQL function of migration 0012.
const POSTGRES_NEW_REVISION: &str = "SELECT submission_new_revision($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, CAST($17 AS JSON), CAST($18 AS JSON))";

const CONCURRENT_SUBMISSION: &str = "报送已存在 (concurrent submission; reload and retry)";

const POSTGRES_BATCH: BatchSql = (
    "DELETE FROM indicator_values WHERE submission_id = $1 AND indicator_id IN (SELECT CAST(x AS BIGINT) FROM json_array_elements_text(CAST($2 AS JSON)) AS t(x))",
    "INSERT INTO indicator_values (submission_id, indicator_id, value, note)
     SELECT $1, CAST(x->>0 AS BIGINT), x->>1, x->>2 FROM json_array_elements(CAST($2 AS JSON)) AS t(x)",
    "DELETE FROM task_reports WHERE submission_id = $1 AND task_id IN (SELECT CAST(x AS BIGINT) FROM json_array_elements_text(CAST($2 AS JSON)) AS t(x))",
    "INSERT INTO task_reports (submission_id, task_id, progress, status)
     SELECT $1, CAST(x->>0 AS BIGINT), x->>1, x->>2 FROM json_array_elements(CAST($2 AS JSON)) AS t(x)",
);

async fn insert_submission(
    tx: &mut crate::Tx,
    period_id: i64,
    unit_id: i64,
    revision: i64,
    now: i64,
) -> Result<i64> {
    let row = NewRevision {
        period_id,
        unit_id,
        revision,
        status: "draft",
        submitted_by: None,
        submitted_at: None,
        now,
    };
    insert_revision(tx, &row).await
}

/// Where a save goes: into the unit's draft (or returned) revision, or a new revision.
enum Target {
    Existing(Submission),
    New(i64),
}

/// A submission revision as first written.
#[derive(Clone, Copy)]
struct NewRevision<'a> {
    period_id: i64,
    unit_id: i64,
    revision: i64,
    status: &'a str,
    submitted_by: Option<i64>,
    submitted_at: Option<i64>,
    now: i64,
}

/// Inserts a revision; two writers racing for the same one meet the unique key, and the
/// second is told to reload.
async fn insert_revision(tx: &mut crate::Tx, row: &NewRevision<'_>) -> Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO submissions (period_id, unit_id, revision, status, submitted_by, submitted_at, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
    )
    .bind(row.period_id)
    .bind(row.unit_id)
    .bind(row.revision)
    .bind(row.status)
    .bind(row.submitted_by)
    .bind(row.submitted_at)
    .bind(row.now)
    .fetch_one(&mut **tx)
    .await
    .map_err(crate::units::unique_violation(CONCURRENT_SUBMISSION))?;
    Ok(id)
}

/// [`ReportPeriod`] joined with the unit's latest [`Submission`], if any.
#[derive(sqlx::FromRow)]
struct PeriodAndLatest {
    id: i64,
    plan_id: i64,
    period: String,
    due_on: String,
    status: String,
    opened_at: i64,
    s_id: Option<i64>,
    s_revision: Option<i64>,
    s_status: Option<String>,
    s_submitted_by: Option<i64>,
    s_submitted_at: Option<i64>,
    s_reviewed_by: Option<i64>,
    s_reviewed_at: Option<i64>,
    s_review_comment: Option<String>,
}

/// A reported figure: empty (not reported) or a number (full-width digits, separators and a
/// trailing % accepted).
fn check_value(value: &str) -> std::result::Result<(), String> {
    if value.trim().is_empty() {
        return Ok(());
    }
    match qx_core::money::parse_decimal_cell(value.trim().trim_end_matches(['%', '％'])) {
        Ok(Some(_)) => Ok(()),
        Ok(None) => Ok(()),
        Err(e) => Err(format!("\"{value}\" 不是数字: {e}")),
    }
}

fn normalise_value(value: &str) -> String {
    match qx_core::money::parse_decimal_cell(value.trim().trim_end_matches(['%', '％'])) {
        Ok(Some(d)) => d.normalize().to_string(),
        _ => value.trim().to_string(),
    }
}

// ------------------------------------------------------------------ evidence (佐证材料)

/// The largest evidence file accepted with a task report.
pub const MAX_REPORT_ATTACHMENT_BYTES: usize = 20 * 1024 * 1024;

/// The setting that holds the yellow-light gap (percentage points behind 序时进度).
pub const YELLOW_GAP_KEY: &str = "monitor.yellow_gap_points";

/// An evidence file's metadata (the bytes are read only on download).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ReportAttachment {
    pub id: i64,
    pub submission_id: i64,
    /// The task it supports; `None` for evidence of the report as a whole.
    pub task_id: Option<i64>,
    pub file_name: String,
    pub mime: String,
    pub size: i64,
    pub created_at: i64,
}

/// An attachment with the submission it belongs to, for scope checks.
#[derive(sqlx::FromRow)]
struct AttachmentRow {
    id: i64,
    submission_id: i64,
    task_id: Option<i64>,
    file_name: String,
    mime: String,
    size: i64,
    created_at: i64,
    unit_id: i64,
    status: String,
    period_id: i64,
}

impl AttachmentRow {
    fn meta(&self) -> ReportAttachment {
        ReportAttachment {
            id: self.id,
            submission_id: self.submission_id,
            task_id: self.task_id,
            file_name: self.file_name.clone(),
            mime: self.mime.clone(),
            size: self.size,
            created_at: self.created_at,
        }
    }
}

/// The columns of [`AttachmentRow`]; static text only, completed with `concat!`.
macro_rules! attachment_select {
    () => {
        "SELECT a.id, a.submission_id, a.task_id, a.file_name, a.mime, a.size, a.created_at, s.unit_id, s.status, s.period_id
         FROM report_attachments a JOIN submissions s ON s.id = a.submission_id"
    };
}

impl Store {
    /// Attaches an evidence file to a unit's report for a period (optionally to one of its
    /// tasks). The report must still be editable (none yet, draft or returned): a draft is
    /// started when there is none. Audited with the report.
    pub async fn add_report_attachment(
        &self,
        actor: &Actor,
        period_id: i64,
        unit_id: i64,
        task_id: Option<i64>,
        a: &crate::problems::NewAttachment,
    ) -> Result<i64> {
        if !actor.can_write_unit(unit_id) {
            return Err(StoreError::Forbidden(format!(
                "不能为其他单位上传佐证材料 (unit {unit_id})"
            )));
        }
        let period = self.get_period(period_id).await?;
        if period.status != "open" {
            return Err(StoreError::Conflict(format!(
                "报送期 {} 已关闭",
                period.period
            )));
        }
        if let Some(task_id) = task_id {
            let assigned = self
                .unit_tasks(period.plan_id, unit_id)
                .await?
                .iter()
                .any(|(t, _)| t.id == task_id);
            if !assigned {
                return Err(StoreError::Invalid(format!(
                    "任务 {task_id} 未分配给本单位 (not this unit's task)"
                )));
            }
        }
        let checked = qx_core::attachment::check_attachment(
            "佐证材料",
            &a.filename,
            &a.data,
            MAX_REPORT_ATTACHMENT_BYTES,
        )
        .map_err(StoreError::Invalid)?;
        let file_name = checked.name.as_str();
        let mut tx = self.begin().await?;
        let latest: Option<(i64, i64, String)> = sqlx::query_as(
            "SELECT id, revision, status FROM submissions WHERE period_id = $1 AND unit_id = $2 ORDER BY revision DESC LIMIT 1",
        )
        .bind(period_id)
        .bind(unit_id)
        .fetch_optional(&mut *tx)
        .await?;
        let now = crate::now();
        let submission_id = match latest {
            None => insert_submission(&mut tx, period_id, unit_id, 1, now).await?,
            Some((id, _, status)) if status == "draft" || status == "returned" => id,
            Some((_, _, status)) if status == "approved" => {
                return Err(StoreError::Conflict(
                    "该期报送已审核锁定; 如需补充佐证材料请发起更正 (approved reports are locked)"
                        .into(),
                ));
            }
            Some(_) => {
                return Err(StoreError::Conflict(
                    "已提交待审核, 不能再添加佐证材料 (already submitted)".into(),
                ));
            }
        };
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO report_attachments (submission_id, task_id, file_name, mime, size, data, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(submission_id)
        .bind(task_id)
        .bind(file_name)
        .bind(checked.content_type())
        .bind(i64::try_from(a.data.len()).unwrap_or(i64::MAX))
        .bind(a.data.clone())
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        append(
            &mut tx,
            AuditEntry::new(actor, "submission.attach", "submission", submission_id).after(
                serde_json::json!({"attachment": id, "task_id": task_id, "file_name": file_name, "size": a.data.len()}),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Whether the actor may see an evidence file: the reporting unit and the office always;
    /// leaders once the report is no longer a draft; the lead unit of its task once submitted.
    async fn may_see_attachment(
        &self,
        actor: &Actor,
        unit_id: i64,
        status: &str,
        task_id: Option<i64>,
    ) -> Result<bool> {
        if actor.can_write_unit(unit_id) {
            return Ok(true);
        }
        if actor.reads_all() {
            return Ok(status != "draft");
        }
        let (Some(task_id), Some(me), Role::Unit) = (task_id, actor.unit_id, actor.role) else {
            return Ok(false);
        };
        if !matches!(status, "submitted" | "approved" | "superseded") {
            return Ok(false);
        }
        let lead: Option<(i64,)> = sqlx::query_as(
            "SELECT task_id FROM task_units WHERE task_id = $1 AND unit_id = $2 AND role = 'lead'",
        )
        .bind(task_id)
        .bind(me)
        .fetch_optional(self.pool())
        .await?;
        Ok(lead.is_some())
    }

    async fn attachment_row(&self, id: i64) -> Result<AttachmentRow> {
        sqlx::query_as(concat!(attachment_select!(), " WHERE a.id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("佐证材料 {id}")))
    }

    /// The evidence files of a submission the actor may see.
    pub async fn report_attachments(
        &self,
        actor: &Actor,
        submission_id: i64,
    ) -> Result<Vec<ReportAttachment>> {
        let rows: Vec<AttachmentRow> = sqlx::query_as(concat!(
            attachment_select!(),
            " WHERE a.submission_id = $1 ORDER BY a.id"
        ))
        .bind(submission_id)
        .fetch_all(self.pool())
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            if self
                .may_see_attachment(actor, r.unit_id, &r.status, r.task_id)
                .await?
            {
                out.push(r.meta());
            }
        }
        Ok(out)
    }

    /// Other units' evidence on a task for a period (submitted or approved reports), for the
    /// lead unit writing its own report and for the office.
    pub async fn task_attachments_for_period(
        &self,
        actor: &Actor,
        period_id: i64,
        task_id: i64,
    ) -> Result<Vec<(i64, ReportAttachment)>> {
        let rows: Vec<AttachmentRow> = sqlx::query_as(concat!(
            attachment_select!(),
            " WHERE s.period_id = $1 AND a.task_id = $2 AND s.status IN ('submitted', 'approved') ORDER BY a.id"
        ))
        .bind(period_id)
        .bind(task_id)
        .fetch_all(self.pool())
        .await?;
        let mut out = Vec::new();
        for r in rows {
            if self
                .may_see_attachment(actor, r.unit_id, &r.status, r.task_id)
                .await?
            {
                out.push((r.unit_id, r.meta()));
            }
        }
        Ok(out)
    }

    /// An evidence file's metadata and bytes, if the actor may see it (otherwise not found,
    /// so another unit cannot even learn that it exists).
    pub async fn get_report_attachment(
        &self,
        actor: &Actor,
        id: i64,
    ) -> Result<(ReportAttachment, Vec<u8>)> {
        let row = self.attachment_row(id).await?;
        if !self
            .may_see_attachment(actor, row.unit_id, &row.status, row.task_id)
            .await?
        {
            return Err(StoreError::NotFound(format!("佐证材料 {id}")));
        }
        let (data,): (Vec<u8>,) =
            sqlx::query_as("SELECT data FROM report_attachments WHERE id = $1")
                .bind(id)
                .fetch_one(self.pool())
                .await?;
        Ok((row.meta(), data))
    }

    /// Removes an evidence file while its report is still a draft or returned. Audited.
    /// Returns the period and unit of the report, for the caller's redirect.
    pub async fn remove_report_attachment(&self, actor: &Actor, id: i64) -> Result<(i64, i64)> {
        let row = self.attachment_row(id).await?;
        if !actor.can_write_unit(row.unit_id) {
            return Err(
                if self
                    .may_see_attachment(actor, row.unit_id, &row.status, row.task_id)
                    .await?
                {
                    StoreError::Forbidden(format!("佐证材料 {id}: 只读"))
                } else {
                    StoreError::NotFound(format!("佐证材料 {id}"))
                },
            );
        }
        let mut tx = self.begin().await?;
        // Re-read the report's status under the write lock: a submit may have just happened.
        let (status,): (String,) = sqlx::query_as("SELECT status FROM submissions WHERE id = $1")
            .bind(row.submission_id)
            .fetch_one(&mut *tx)
            .await?;
        if status != "draft" && status != "returned" {
            return Err(StoreError::Conflict(format!(
                "佐证材料 \"{}\": 报送已提交或已审核, 不能删除 (only drafts and returned reports can change)",
                row.file_name
            )));
        }
        sqlx::query("DELETE FROM report_attachments WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        append(
            &mut tx,
            AuditEntry::new(actor, "submission.detach", "submission", row.submission_id).before(
                serde_json::json!({"attachment": id, "task_id": row.task_id, "file_name": row.file_name, "size": row.size}),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok((row.period_id, row.unit_id))
    }

    // -------------------------------------------------------------- thresholds and profiles

    /// The traffic-light thresholds in force.
    pub async fn monitor_thresholds(&self) -> Result<qx_core::monitor::Thresholds> {
        let default = qx_core::monitor::Thresholds::default();
        Ok(qx_core::monitor::Thresholds {
            yellow_gap_points: self
                .get_setting(YELLOW_GAP_KEY)
                .await?
                .and_then(|v| v.parse().ok())
                .unwrap_or(default.yellow_gap_points),
        })
    }

    /// Sets the yellow-light gap (office only): 0–100 percentage points. Audited.
    pub async fn set_yellow_gap_points(&self, actor: &Actor, points: f64) -> Result<()> {
        if !actor.is_admin() {
            return Err(StoreError::Forbidden("只有办公室可以设置亮灯阈值".into()));
        }
        if !points.is_finite() || !(0.0..=100.0).contains(&points) {
            return Err(StoreError::Invalid(format!(
                "黄灯阈值 {points}: 应在 0 到 100 个百分点之间 (must be 0–100 points)"
            )));
        }
        let before = self.get_setting(YELLOW_GAP_KEY).await?;
        let value = {
            let s = format!("{points:.2}");
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        };
        let mut tx = self.begin().await?;
        Store::put_setting(&mut tx, YELLOW_GAP_KEY, &value).await?;
        append(
            &mut tx,
            AuditEntry::new(actor, "settings.update", "setting", YELLOW_GAP_KEY)
                .before(before)
                .after(&value),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sets an indicator's time profile (序时进度 curve), office only. Audited.
    pub async fn set_indicator_profile(
        &self,
        actor: &Actor,
        indicator_id: i64,
        profile: &qx_core::period::TimeProfile,
    ) -> Result<()> {
        if !actor.is_admin() {
            return Err(StoreError::Forbidden("只有办公室可以设置序时进度".into()));
        }
        let before: (String,) = sqlx::query_as("SELECT profile FROM indicators WHERE id = $1")
            .bind(indicator_id)
            .fetch_optional(self.pool())
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("指标 {indicator_id}")))?;
        let after = profile.to_string();
        let mut tx = self.begin().await?;
        sqlx::query("UPDATE indicators SET profile = $1 WHERE id = $2")
            .bind(&after)
            .bind(indicator_id)
            .execute(&mut *tx)
            .await?;
        append(
            &mut tx,
            AuditEntry::new(actor, "indicator.profile", "indicator", indicator_id)
                .before(before.0)
                .after(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
