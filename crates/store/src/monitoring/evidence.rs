//! Evidence (佐证材料) attached to a report or one of its tasks.

use super::submissions::insert_submission;
use super::*;

/// The largest evidence file accepted with a task report.
pub const MAX_REPORT_ATTACHMENT_BYTES: usize = 20 * 1024 * 1024;

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
    #[sqlx(try_from = "String")]
    status: SubmissionStatus,
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
        let period = self.get_period(actor, period_id).await?;
        if period.status != PeriodStatus::Open {
            return Err(StoreError::Conflict(format!(
                "报送期 {} 已关闭",
                period.period
            )));
        }
        if let Some(task_id) = task_id {
            let assigned = self
                .unit_tasks(actor, period.plan_id, unit_id)
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
        let latest = match latest {
            Some((id, _, status)) => Some((id, decode_state::<SubmissionStatus>(status)?)),
            None => None,
        };
        let submission_id = match latest {
            None => insert_submission(&mut tx, period_id, unit_id, 1, now).await?,
            Some((id, status)) if status.is_editable() => id,
            Some((_, SubmissionStatus::Approved)) => {
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
        commit_audited(tx,
            AuditEntry::new(actor, "submission.attach", "submission", submission_id).after(
                serde_json::json!({"attachment": id, "task_id": task_id, "file_name": file_name, "size": a.data.len()}),
            ),
        )
.await?;
        Ok(id)
    }

    /// Whether the actor may see an evidence file: the reporting unit and the office always;
    /// leaders once the report is no longer a draft; the lead unit of its task once submitted.
    async fn may_see_attachment(
        &self,
        actor: &Actor,
        unit_id: i64,
        status: SubmissionStatus,
        task_id: Option<i64>,
    ) -> Result<bool> {
        if actor.can_write_unit(unit_id) {
            return Ok(true);
        }
        if actor.reads_all() {
            return Ok(status.is_handed_in());
        }
        let (Some(task_id), Some(me), Role::Unit) = (task_id, actor.unit_id, actor.role) else {
            return Ok(false);
        };
        if status.is_editable() {
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
                .may_see_attachment(actor, r.unit_id, r.status, r.task_id)
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
            " WHERE s.period_id = $1 AND a.task_id = $2 AND ",
            reported_sql!(),
            " ORDER BY a.id"
        ))
        .bind(period_id)
        .bind(task_id)
        .fetch_all(self.pool())
        .await?;
        let mut out = Vec::new();
        for r in rows {
            if self
                .may_see_attachment(actor, r.unit_id, r.status, r.task_id)
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
            .may_see_attachment(actor, row.unit_id, row.status, row.task_id)
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
                    .may_see_attachment(actor, row.unit_id, row.status, row.task_id)
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
        if !decode_state::<SubmissionStatus>(status)?.is_editable() {
            return Err(StoreError::Conflict(format!(
                "佐证材料 \"{}\": 报送已提交或已审核, 不能删除 (only drafts and returned reports can change)",
                row.file_name
            )));
        }
        sqlx::query("DELETE FROM report_attachments WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        commit_audited(tx,
            AuditEntry::new(actor, "submission.detach", "submission", row.submission_id).before(
                serde_json::json!({"attachment": id, "task_id": row.task_id, "file_name": row.file_name, "size": row.size}),
            ),
        )
.await?;
        Ok((row.period_id, row.unit_id))
    }
}
