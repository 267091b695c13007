//! Scheduling a meeting and moving it on: 会议通知 (notices to the attending units and the
//! leaders), held, 纪要 issued (the document kept exactly as issued).

use super::*;
use crate::notices::{NewNotice, notify};
use qx_core::meeting::MeetingStep;
use qx_core::notice::{Audience, NoticeKind, Subject, Text};
use qx_core::text as tf;

/// A meeting to schedule.
#[derive(Debug, Clone, Serialize)]
pub struct NewMeeting {
    pub kind: MeetingKind,
    pub title: String,
    pub held_on: Date,
    pub place: String,
    pub convenor: String,
    pub unit_ids: Vec<i64>,
}

impl Store {
    /// Schedules a meeting (office only). Each unit's 情况说明 is due the configured number of
    /// working days before it.
    pub async fn create_meeting(&self, actor: &Actor, m: &NewMeeting) -> Result<i64> {
        office_only(actor, "安排会议")?;
        let title = text(tf::MEETING_TITLE, &m.title)?;
        let place = text(tf::MEETING_PLACE, &m.place)?;
        let convenor = text(tf::MEETING_CONVENOR, &m.convenor)?;
        for u in &m.unit_ids {
            self.get_unit(*u).await?;
        }
        let settings = self.meeting_settings().await?;
        let calendar = self.work_calendar().await?;
        let statement_due = statement_due(&calendar, m.held_on, settings.statement_days);
        let now = crate::now();
        let mut tx = self.begin().await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO meetings (kind, title, held_on, place, convenor, status, statement_due, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
        )
        .bind(m.kind.as_str())
        .bind(&title)
        .bind(iso(m.held_on))
        .bind(&place)
        .bind(&convenor)
        .bind(MeetingStatus::Planned.as_str())
        .bind(statement_due.map(iso))
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        for u in &m.unit_ids {
            attend(&mut tx, id, *u).await?;
        }
        commit_audited(
            tx,
            AuditEntry::new(actor, "meeting.create", "meeting", id).after(m),
        )
        .await?;
        Ok(id)
    }

    /// Moves a meeting on (office only). 发出会议通知 tells every attending unit and the
    /// leaders; 印发纪要 stores `minutes` (the .docx as issued) and tells them again. Returns
    /// the new state and the notices made (for the webhook).
    pub async fn meeting_step(
        &self,
        actor: &Actor,
        id: i64,
        step: MeetingStep,
        minutes: Option<&[u8]>,
    ) -> Result<(MeetingStatus, Vec<i64>)> {
        office_only(actor, "变更会议状态")?;
        let m = self.get_meeting(actor, id).await?;
        let next = m
            .status
            .apply(step)
            .map_err(|e| StoreError::Conflict(e.to_string()))?;
        let minutes = match (step, minutes) {
            (MeetingStep::IssueMinutes, Some(b)) => Some(b),
            (MeetingStep::IssueMinutes, None) => {
                return Err(StoreError::Invalid("印发纪要需要纪要文件".into()));
            }
            _ => None,
        };
        let now = crate::now();
        let mut tx = self.begin().await?;
        let changed = sqlx::query(
            "UPDATE meetings SET status = $1, updated_at = $2,
                minutes_docx = COALESCE($3, minutes_docx),
                minutes_issued_at = CASE WHEN $3 IS NULL THEN minutes_issued_at ELSE $2 END
             WHERE id = $4 AND status = $5",
        )
        .bind(next.as_str())
        .bind(now)
        .bind(minutes.map(<[u8]>::to_vec))
        .bind(id)
        .bind(m.status.as_str())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed == 0 {
            return Err(StoreError::Conflict(format!(
                "会议 {id} 已被他人修改, 请刷新"
            )));
        }
        let said = match step {
            MeetingStep::Notify => Some((
                NoticeKind::MeetingNotified,
                Text::MeetingNotified {
                    title: m.title.to_string(),
                    held_on: m.held_on.to_string(),
                    place: m.place.to_string(),
                    statement_due: m.statement_due.as_deref().map(str::to_string),
                },
            )),
            MeetingStep::IssueMinutes => Some((
                NoticeKind::MinutesIssued,
                Text::MinutesIssued {
                    title: m.title.to_string(),
                    held_on: m.held_on.to_string(),
                },
            )),
            MeetingStep::Hold => None,
        };
        let mut notices = Vec::new();
        if let Some((kind, text)) = said {
            let audiences = m
                .units
                .iter()
                .map(|(u, _)| Audience::Unit(*u))
                .chain([Audience::Leaders]);
            for audience in audiences {
                notices.extend(
                    notify(
                        &mut tx,
                        &NewNotice {
                            audience,
                            kind,
                            subject: Subject::Meeting(id),
                            text: text.clone(),
                            dedupe_key: None,
                        },
                    )
                    .await?,
                );
            }
        }
        commit_audited(
            tx,
            AuditEntry::new(actor, "meeting.step", "meeting", id)
                .before(serde_json::json!({"status": m.status}))
                .after(serde_json::json!({"status": next, "step": step})),
        )
        .await?;
        Ok((next, notices))
    }

    /// The 会议纪要 exactly as it was issued.
    pub async fn issued_minutes(&self, actor: &Actor, id: i64) -> Result<Vec<u8>> {
        self.get_meeting(actor, id).await?;
        let row: Option<(Option<Vec<u8>>,)> =
            sqlx::query_as("SELECT minutes_docx FROM meetings WHERE id = $1")
                .bind(id)
                .fetch_optional(self.pool())
                .await?;
        row.and_then(|(b,)| b)
            .ok_or_else(|| StoreError::NotFound(format!("会议 {id} 的纪要")))
    }
}

/// The working day `days` working days before `held_on` (the meeting day itself when 0).
fn statement_due(
    calendar: &qx_core::calendar::WorkCalendar,
    held_on: Date,
    days: u32,
) -> Option<Date> {
    let mut d = held_on;
    let mut left = days;
    while left > 0 {
        d = d.previous_day()?;
        if calendar.is_working_day(d) {
            left -= 1;
        }
    }
    Some(d)
}
