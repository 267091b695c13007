//! A unit's submissions: saving a draft, submitting, the office's review, corrections.

use super::*;
use crate::office_only;
use qx_core::notice::{Audience, NoticeKind, Subject, Text};

impl Store {
    /// The unit's latest submission for a period (any status), if any. Scoped: a unit reads
    /// its own, the office and leaders any; another unit's is NotFound.
    pub async fn latest_submission(
        &self,
        actor: &Actor,
        period_id: i64,
        unit_id: i64,
    ) -> Result<Option<Submission>> {
        readable_unit(actor, unit_id)?;
        Ok(sqlx::query_as(concat!(
            submission_select!(),
            "WHERE period_id = $1 AND unit_id = $2 ORDER BY revision DESC LIMIT 1"
        ))
        .bind(period_id)
        .bind(unit_id)
        .fetch_optional(self.pool())
        .await?)
    }

    /// The window and the unit's latest revision, when the actor may write the unit's report
    /// (the unit itself or the office) and the window is open.
    pub(crate) async fn open_for_unit(
        &self,
        actor: &Actor,
        period_id: i64,
        unit_id: i64,
    ) -> Result<(ReportPeriod, Option<Submission>)> {
        let window = self.open_window(actor, period_id, unit_id).await?;
        Ok((window.period, window.latest))
    }

    /// [`Store::open_for_unit`] with the unit's name (for the notices of a submit).
    async fn open_window(&self, actor: &Actor, period_id: i64, unit_id: i64) -> Result<Window> {
        if !actor.can_write_unit(unit_id) {
            return Err(StoreError::Forbidden(format!(
                "不能代其他单位报送 (unit {unit_id})"
            )));
        }
        let window = self.period_and_latest(period_id, unit_id).await?;
        let period = &window.period;
        if period.status != PeriodStatus::Open {
            return Err(StoreError::Conflict(format!(
                "报送期 {} 已关闭",
                period.period
            )));
        }
        Ok(window)
    }

    /// A reporting window, the unit's latest revision in it and the unit's name, in one
    /// statement.
    async fn period_and_latest(&self, period_id: i64, unit_id: i64) -> Result<Window> {
        let row: Option<PeriodAndLatest> = sqlx::query_as(
            "SELECT p.id, p.plan_id, p.period, p.due_on, p.status, p.opened_at,
                    (SELECT name FROM units WHERE id = $2) AS unit_name,
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
                status: decode_state(status)?,
                submitted_by: row.s_submitted_by,
                submitted_at: row.s_submitted_at,
                reviewed_by: row.s_reviewed_by,
                reviewed_at: row.s_reviewed_at,
                review_comment: row.s_review_comment.unwrap_or_default(),
            }),
            _ => None,
        };
        Ok(Window {
            period: ReportPeriod::try_from(row.window)?,
            latest,
            unit_name: row.unit_name,
        })
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
        Ok(sqlx::query_as(concat!(
            submission_select!(),
            "WHERE period_id = $1 AND unit_id = $2 ORDER BY revision DESC"
        ))
        .bind(period_id)
        .bind(unit_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// A submission the actor may read (its own unit's, or any for the office and leaders).
    pub async fn get_submission(&self, actor: &Actor, id: i64) -> Result<Submission> {
        let s: Submission = sqlx::query_as(concat!(submission_select!(), "WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("报送 {id}")))?;
        // Leaders and the office see drafts only once submitted: a unit's draft is its own.
        let visible = actor.can_write_unit(s.unit_id) && actor.role == Role::Unit
            || (actor.reads_all() && s.status.is_handed_in());
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
        self.save_report(actor, period_id, unit_id, input, &[], submit)
            .await
    }

    /// [`Store::save_submission`] with indicators marked 本月无数据: each needs a reason and no
    /// figure. Every indicator the save names (by figure or mark) loses its earlier mark, so a
    /// figure typed later replaces a mark and a mark replaces a figure. `mode` says whether it
    /// is kept as a draft or submitted ([`SaveMode`]).
    pub async fn save_report<M: SaveMode>(
        &self,
        actor: &Actor,
        period_id: i64,
        unit_id: i64,
        input: &SubmissionInput,
        no_figures: &[NoFigure],
        mode: M,
    ) -> Result<M::Output> {
        // One read for the window, the unit's latest revision and its name, one for what it
        // may report: at month end sixty units submit at once, and every round trip counts.
        let Window {
            period,
            latest,
            unit_name,
        } = self.open_window(actor, period_id, unit_id).await?;
        let reportable = self.reportable(period.plan_id, unit_id).await?;
        let indicators: HashMap<i64, String> = reportable.indicators.iter().cloned().collect();
        let tasks: HashMap<i64, &str> = reportable
            .tasks
            .iter()
            .map(|(id, number, _)| (*id, number.as_str()))
            .collect();
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
            if TaskState::parse_reported(status).is_none() {
                problems.push(format!("任务 {number}: 状态 \"{status}\" 无效"));
            }
        }
        problems.extend(super::no_figure::check_no_figures(
            input,
            no_figures,
            &indicators,
        ));
        if !problems.is_empty() {
            return Err(StoreError::Invalid(problems.join("; ")));
        }
        let missing = match mode.submit() {
            Submit::IfComplete => reportable.left_empty(input, no_figures),
            Submit::No | Submit::Yes => Vec::new(),
        };
        let submit = match mode.submit() {
            Submit::No => false,
            Submit::Yes => true,
            Submit::IfComplete => missing.is_empty(),
        };
        let unit_name = if submit {
            unit_name.ok_or_else(|| StoreError::NotFound(format!("单位 {unit_id}")))?
        } else {
            String::new()
        };
        let now = crate::now();
        let step = if submit {
            SubmissionStep::Submit
        } else {
            SubmissionStep::Save
        };
        let fresh = SubmissionStatus::Draft
            .apply(step)
            .map_err(|e| StoreError::Conflict(e.to_string()))?;
        let submitted_by = submit.then_some(actor.user_id).filter(|&u| u != 0);
        let action = if submit {
            "submission.submit"
        } else {
            "submission.save"
        };
        // The revision written to: the draft or returned one in place, or a new one.
        let (target, status) = match &latest {
            Some(s) if s.status == SubmissionStatus::Approved => {
                return Err(StoreError::Conflict(
                    "该期报送已审核锁定; 如需更正请发起更正 (approved submissions are locked)"
                        .into(),
                ));
            }
            Some(s) if s.status == SubmissionStatus::Submitted => {
                return Err(StoreError::Conflict(
                    "已提交待审核, 不能再修改 (already submitted)".into(),
                ));
            }
            Some(s) => match s.status.apply(step) {
                Ok(next) => (Target::Existing(s.clone()), next),
                Err(_) => (Target::New(s.revision + 1), fresh),
            },
            None => (Target::New(1), fresh),
        };
        // Each figure and task line replaces what the submission held for it; an empty one
        // just clears it. Written as one statement per table, whatever the number of rows,
        // so a month-end surge holds the write lock briefly.
        let batch = SubmissionBatch::new(input);
        let marks = super::no_figure::NoFigureBatch::new(input, no_figures);
        let audited = Audited { input, no_figures };
        // A report with 本月无数据 marks takes the transaction below, which writes them.
        if let (Target::New(revision), crate::Engine::Postgres, true) =
            (&target, self.engine(), no_figures.is_empty())
        {
            // A new revision on PostgreSQL: the row, its figures and task lines, for a submit
            // its sending and the office's notice, then its audit entry, in one call committed
            // on its own. The audit chain's head is the one lock every writer queues for; the
            // server takes it last, after the rows' foreign keys are checked, and no round trip
            // happens while it is held. The entry's entity id and the notice's subject are the
            // new row's, filled in by the server. When a webhook endpoint awaits the notice,
            // the call writes nothing and says so; the transaction below writes its deliveries.
            let pending =
                PendingEntry::new(AuditEntry::new(actor, action, "submission", "").after(audited));
            let sent = submit.then(|| batch.sent().to_json());
            let [sent_values, sent_tasks, sent_no_data] =
                sent.map_or([None, None, None], |j| j.map(Some));
            let q = pending
                .bind(sqlx::query_as(POSTGRES_NEW_REVISION))
                .bind(period_id)
                .bind(unit_id)
                .bind(*revision)
                .bind(status.as_str())
                .bind(submitted_by)
                .bind(submit.then_some(now))
                .bind(now)
                .bind(&batch.values)
                .bind(&batch.tasks)
                .bind(sent_values)
                .bind(sent_tasks)
                .bind(sent_no_data);
            // The notice's subject id placeholder is not sent: the server fills in the row's.
            let q = if submit {
                let notice = report_submitted(0, &unit_name, &period);
                crate::notices::bind_notice!(q, &notice, now, skip_subject_id)
                    .bind(qx_core::webhook::Event::of_notice(notice.kind).as_str())
            } else {
                q.bind(None::<&str>)
                    .bind(None::<i64>)
                    .bind(None::<&str>)
                    .bind(None::<&str>)
                    .bind(None::<&str>)
                    .bind(None::<&str>)
                    .bind(None::<&str>)
                    .bind(None::<i64>)
                    .bind(None::<&str>)
            };
            let (written,): (Option<i64>,) = q
                .fetch_one(self.pool())
                .await
                .map_err(crate::units::unique_violation(CONCURRENT_SUBMISSION))?;
            if let Some(id) = written {
                return Ok(M::output(Submitted::new(id, missing)));
            }
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
                // A revision created just now holds nothing to replace. (A PostgreSQL draft
                // returned above; a submit comes here to keep its sending in the same
                // transaction.)
                let (_, insert_values, _, insert_tasks) = match self.engine() {
                    crate::Engine::Sqlite => SQLITE_BATCH,
                    crate::Engine::Postgres => POSTGRES_BATCH,
                };
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
                .bind(status.as_str())
                .bind(submitted_by)
                .bind(submit.then_some(now))
                .bind(now)
                .bind(id)
                .execute(&mut *tx)
                .await?;
                id
            }
        };
        let created = matches!(target, Target::New(_));
        marks.write(&mut tx, self.engine(), id, created).await?;
        if submit {
            // A revision created in this transaction holds just the rows written above; one
            // saved into in place is read back.
            let contents = if created {
                super::sendings::SentContents {
                    no_figures: marks.rows.clone(),
                    ..batch.sent()
                }
            } else {
                super::sendings::SentContents::read(&mut tx, id).await?
            };
            super::sendings::record_sending(&mut tx, id, submitted_by, now, &contents).await?;
        }
        let before = match target {
            Target::Existing(s) => Some(s),
            Target::New(_) => None,
        };
        if submit {
            crate::notices::notify(&mut tx, &report_submitted(id, &unit_name, &period)).await?;
        }
        // The audit entry last: the chain's head row is the one lock every writer queues for,
        // so it is taken after every other row is written and held only until the commit.
        commit_audited(
            tx,
            AuditEntry::new(actor, action, "submission", id)
                .before(before)
                .after(audited),
        )
        .await?;
        Ok(M::output(Submitted::new(id, missing)))
    }

    /// The office approves (locks) or returns a submitted report. Nobody reviews their own.
    pub async fn review_submission(
        &self,
        actor: &Actor,
        id: i64,
        approve: bool,
        comment: &str,
    ) -> Result<()> {
        office_only(actor, "审核报送")?;
        let s = self.get_submission(actor, id).await?;
        let step = if approve {
            SubmissionStep::Approve
        } else {
            SubmissionStep::Return
        };
        let Ok(next) = s.status.apply(step) else {
            return Err(StoreError::Conflict(format!(
                "只能审核已提交的报送, 当前状态为 {}",
                s.status
            )));
        };
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
        let period = self.get_period(actor, s.period_id).await?;
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
            .bind(next.as_str())
            .bind(actor.user_id)
            .bind(now)
            .bind(comment.trim())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let decision = if approve {
            SendingDecision::Approved
        } else {
            SendingDecision::Returned
        };
        super::sendings::decide_sending(&mut tx, id, decision, actor.user_id, comment.trim(), now)
            .await?;
        // The unit's 调度 of the period counts from its approval on: the stored 本年已完成投资
        // follows in this transaction (a return leaves an earlier approved revision counting).
        crate::projects::year_done::refresh(&mut tx, self.engine(), s.period_id, s.unit_id).await?;
        let action = if approve {
            "submission.approve"
        } else {
            "submission.return"
        };
        let (kind, text) = if approve {
            (
                NoticeKind::ReportApproved,
                Text::ReportApproved {
                    period: period.period.to_string(),
                },
            )
        } else {
            (
                NoticeKind::ReportReturned,
                Text::ReportReturned {
                    period: period.period.to_string(),
                    comment: comment.trim().to_string(),
                },
            )
        };
        tell(
            &mut tx,
            Audience::Unit(s.unit_id),
            kind,
            Subject::ReportPeriod(s.period_id),
            text,
        )
        .await?;
        // Last, as on saving: the audit head is locked only until the commit.
        commit_audited(
            tx,
            AuditEntry::new(actor, action, "submission", id)
                .before(serde_json::json!({"status": s.status}))
                .after(serde_json::json!({"comment": comment.trim()})),
        )
        .await
    }

    /// The unit takes back a report it submitted, as long as the office has not acted on it
    /// (审核 or 退回): the revision becomes a draft again, the office is told, and its notice
    /// about the submission no longer opens (the office does not see drafts). Audited.
    pub async fn withdraw_submission(
        &self,
        actor: &Actor,
        period_id: i64,
        unit_id: i64,
    ) -> Result<i64> {
        if actor.role != Role::Unit || !actor.can_write_unit(unit_id) {
            return Err(StoreError::Forbidden(format!(
                "只有报送单位可以撤回本单位的报送 (unit {unit_id})"
            )));
        }
        let Window {
            period,
            latest,
            unit_name,
        } = self.period_and_latest(period_id, unit_id).await?;
        let Some(s) = latest else {
            return Err(StoreError::Conflict("没有可撤回的报送".into()));
        };
        let next = s.status.apply(SubmissionStep::Withdraw).map_err(|_| {
            StoreError::Conflict(format!(
                "报送当前状态为「{}」, 办公室已处理, 不能撤回",
                s.status.label(qx_core::label::Lang::Zh)
            ))
        })?;
        let unit_name = unit_name.ok_or_else(|| StoreError::NotFound(format!("单位 {unit_id}")))?;
        let mut tx = self.begin().await?;
        // Only while still submitted: an approval or return that got there first wins.
        let changed = sqlx::query(
            "UPDATE submissions SET status = $1, submitted_by = NULL, submitted_at = NULL, updated_at = $2
             WHERE id = $3 AND status = $4",
        )
        .bind(next.as_str())
        .bind(crate::now())
        .bind(s.id)
        .bind(s.status.as_str())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed != 1 {
            return Err(StoreError::Conflict(
                "办公室已处理该报送, 不能撤回 (reviewed meanwhile)".into(),
            ));
        }
        super::sendings::decide_sending(
            &mut tx,
            s.id,
            SendingDecision::Withdrawn,
            actor.user_id,
            "",
            crate::now(),
        )
        .await?;
        tell(
            &mut tx,
            Audience::Office,
            NoticeKind::ReportWithdrawn,
            Subject::Submission(s.id),
            Text::ReportWithdrawn {
                unit: unit_name.to_string(),
                period: period.period.to_string(),
            },
        )
        .await?;
        // Last, as on saving: the audit head is locked only until the commit.
        commit_audited(
            tx,
            AuditEntry::new(actor, "submission.withdraw", "submission", s.id)
                .before(serde_json::json!({"status": s.status, "submitted_at": s.submitted_at}))
                .after(serde_json::json!({"status": next})),
        )
        .await?;
        Ok(s.id)
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
        let Some(latest) = self.latest_submission(actor, period_id, unit_id).await? else {
            return Err(StoreError::NotFound("没有可更正的报送".into()));
        };
        if latest.status.apply(SubmissionStep::Correct).is_err() {
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
        super::no_figure::copy_no_figures(&mut tx, id, latest.id).await?;
        // The evidence travels with the figures it supports.
        sqlx::query("INSERT INTO report_attachments (submission_id, task_id, file_name, mime, size, data, created_at) SELECT $1, task_id, file_name, mime, size, data, created_at FROM report_attachments WHERE submission_id = $2")
            .bind(id)
            .bind(latest.id)
            .execute(&mut *tx)
            .await?;
        commit_audited(
            tx,
            AuditEntry::new(actor, "submission.correct", "submission", id)
                .before(serde_json::json!({"revision": latest.revision, "id": latest.id})),
        )
        .await?;
        Ok(id)
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
        crate::system_only(actor, "补录报送时间")?;
        let mut tx = self.begin().await?;
        sqlx::query("UPDATE submissions SET submitted_at = $1, reviewed_at = $2 WHERE id = $3")
            .bind(submitted_at)
            .bind(reviewed_at)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        // Its latest sending (历次报送) carries the same history; earlier sendings keep the
        // times they were given, so a report returned and sent again reads in order.
        sqlx::query("UPDATE submission_sendings SET sent_at = $1, decided_at = CASE WHEN decided_at IS NULL THEN NULL ELSE $2 END WHERE id = (SELECT MAX(id) FROM submission_sendings WHERE submission_id = $3)")
            .bind(submitted_at)
            .bind(reviewed_at)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        commit_audited(
            tx,
            AuditEntry::new(actor, "submission.history", "submission", id).after(
                serde_json::json!({"submitted_at": submitted_at, "reviewed_at": reviewed_at}),
            ),
        )
        .await
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
    /// The rows inserted, in id order: what a revision created with them holds.
    value_rows: Vec<(i64, String, String)>,
    task_rows: Vec<(i64, String, String)>,
}

impl SubmissionBatch {
    fn new(input: &SubmissionInput) -> Self {
        type Row = (i64, String, String);
        fn last_wins<T>(rows: &[Row], keep: T) -> (Vec<i64>, Vec<Row>)
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
                .filter_map(|id| kept.get(id).map(|(a, b)| (*id, a.clone(), b.clone())))
                .collect();
            (ids, out)
        }
        let (value_ids, values) = last_wins(&input.values, |value, note| {
            (!value.trim().is_empty()).then(|| (normalise_value(value), note.trim().to_string()))
        });
        let (task_ids, tasks) = last_wins(&input.tasks, |progress, status| {
            (!progress.trim().is_empty() || status != TaskState::NotStarted.as_str())
                .then(|| (progress.trim().to_string(), status.to_string()))
        });
        let json = |v: serde_json::Value| v.to_string();
        let sorted = |mut rows: Vec<Row>| {
            rows.sort_unstable_by_key(|(id, _, _)| *id);
            rows
        };
        SubmissionBatch {
            value_ids: json(serde_json::json!(value_ids)),
            values: json(serde_json::json!(values)),
            task_ids: json(serde_json::json!(task_ids)),
            tasks: json(serde_json::json!(tasks)),
            value_rows: sorted(values),
            task_rows: sorted(tasks),
        }
    }

    /// What a sending of a revision created with these rows keeps (no 本月无数据 marks).
    fn sent(&self) -> super::sendings::SentContents {
        super::sendings::SentContents {
            values: self.value_rows.clone(),
            tasks: self.task_rows.clone(),
            no_figures: Vec::new(),
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
/// [`SubmissionBatch`], its audit entry (`$1`–`$9`, see [`PendingEntry::bind`]) and, for a
/// submit, its sending's three JSON texts (`$19`–`$21`) and the office's notice (`$22`–`$29`,
/// [`crate::notices::bind_notice!`] without the subject's id) with its webhook event (`$30`):
/// the PostgreSQL function of migrations 0012 and 0040. Answers the new row's id, or NULL when
/// a webhook endpoint awaits the notice (nothing written).
const POSTGRES_NEW_REVISION: &str = "SELECT submission_new_revision($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, CAST($17 AS JSON), CAST($18 AS JSON), $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30)";

const CONCURRENT_SUBMISSION: &str = "报送已存在 (concurrent submission; reload and retry)";

const POSTGRES_BATCH: BatchSql = (
    "DELETE FROM indicator_values WHERE submission_id = $1 AND indicator_id IN (SELECT CAST(x AS BIGINT) FROM json_array_elements_text(CAST($2 AS JSON)) AS t(x))",
    "INSERT INTO indicator_values (submission_id, indicator_id, value, note)
     SELECT $1, CAST(x->>0 AS BIGINT), x->>1, x->>2 FROM json_array_elements(CAST($2 AS JSON)) AS t(x)",
    "DELETE FROM task_reports WHERE submission_id = $1 AND task_id IN (SELECT CAST(x AS BIGINT) FROM json_array_elements_text(CAST($2 AS JSON)) AS t(x))",
    "INSERT INTO task_reports (submission_id, task_id, progress, status)
     SELECT $1, CAST(x->>0 AS BIGINT), x->>1, x->>2 FROM json_array_elements(CAST($2 AS JSON)) AS t(x)",
);

/// Tells people about a report in the write's own transaction.
async fn tell(
    tx: &mut crate::Tx,
    audience: Audience,
    kind: NoticeKind,
    subject: Subject,
    text: Text,
) -> Result<()> {
    crate::notices::notify(
        tx,
        &crate::notices::NewNotice {
            audience,
            kind,
            subject,
            text,
            dedupe_key: None,
        },
    )
    .await?;
    Ok(())
}

pub(super) async fn insert_submission(
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
        status: SubmissionStatus::Draft,
        submitted_by: None,
        submitted_at: None,
        now,
    };
    insert_revision(tx, &row).await
}

/// What a save's audit entry records: the figures and task lines, and the 本月无数据 marks when
/// there are any (an entry without marks reads as before migration 0018).
#[derive(Clone, Copy, Serialize)]
struct Audited<'a> {
    #[serde(flatten)]
    input: &'a SubmissionInput,
    #[serde(skip_serializing_if = "<[NoFigure]>::is_empty")]
    no_figures: &'a [NoFigure],
}

/// 报送已提交: the office is told that a unit handed in its report (revision `id`).
fn report_submitted(id: i64, unit_name: &str, period: &ReportPeriod) -> crate::notices::NewNotice {
    crate::notices::NewNotice {
        audience: Audience::Office,
        kind: NoticeKind::ReportSubmitted,
        subject: Subject::Submission(id),
        text: Text::ReportSubmitted {
            unit: unit_name.to_string(),
            period: period.period.to_string(),
        },
        dedupe_key: None,
    }
}

/// Where a save goes: into the unit's draft (or returned) revision, or a new revision.
enum Target {
    Existing(Submission),
    New(i64),
}

/// A submission revision as first written.
#[derive(Clone, Copy)]
struct NewRevision {
    period_id: i64,
    unit_id: i64,
    revision: i64,
    status: SubmissionStatus,
    submitted_by: Option<i64>,
    submitted_at: Option<i64>,
    now: i64,
}

/// Inserts a revision; two writers racing for the same one meet the unique key, and the
/// second is told to reload.
async fn insert_revision(tx: &mut crate::Tx, row: &NewRevision) -> Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO submissions (period_id, unit_id, revision, status, submitted_by, submitted_at, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
    )
    .bind(row.period_id)
    .bind(row.unit_id)
    .bind(row.revision)
    .bind(row.status.as_str())
    .bind(row.submitted_by)
    .bind(row.submitted_at)
    .bind(row.now)
    .fetch_one(&mut **tx)
    .await
    .map_err(crate::units::unique_violation(CONCURRENT_SUBMISSION))?;
    Ok(id)
}

/// A reporting window as a unit's write finds it.
struct Window {
    period: ReportPeriod,
    /// The unit's latest revision in it, if any.
    latest: Option<Submission>,
    /// None when there is no such unit.
    unit_name: Option<String>,
}

/// [`ReportPeriod`] joined with the unit's latest [`Submission`], if any, and its name.
#[derive(sqlx::FromRow)]
struct PeriodAndLatest {
    #[sqlx(flatten)]
    window: PeriodRow,
    unit_name: Option<String>,
    s_id: Option<i64>,
    s_revision: Option<i64>,
    s_status: Option<String>,
    s_submitted_by: Option<i64>,
    s_submitted_at: Option<i64>,
    s_reviewed_by: Option<i64>,
    s_reviewed_at: Option<i64>,
    s_review_comment: Option<String>,
}
