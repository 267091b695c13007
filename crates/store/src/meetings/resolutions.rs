//! Decisions (议定事项): recorded by the office for a held meeting, each with a lead unit,
//! support units and a deadline, and each followed as one 督办 item from 交办. A decision on an
//! escalated problem or a project is written on that record's timeline too.

use super::*;
use crate::notices::{NewNotice, notify};
use qx_core::notice::{Audience, NoticeKind, Subject, Text};
use qx_core::problem::EventKind;
use qx_core::text as tf;

/// A decision to record.
#[derive(Debug, Clone, Serialize)]
pub struct NewResolution {
    pub meeting_id: i64,
    pub agenda_item_id: Option<i64>,
    pub text: String,
    pub lead_unit_id: i64,
    pub support_unit_ids: Vec<i64>,
    pub deadline: Date,
}

impl Store {
    /// Records a decision of a held meeting and opens its 督办 item (office only). Returns the
    /// 督办 item's id.
    pub async fn record_resolution(&self, actor: &Actor, r: &NewResolution) -> Result<i64> {
        Ok(self.record_resolution_noticed(actor, r).await?.0)
    }

    /// [`Store::record_resolution`], also returning the notices it made (for the webhook).
    pub async fn record_resolution_noticed(
        &self,
        actor: &Actor,
        r: &NewResolution,
    ) -> Result<(i64, Vec<i64>)> {
        let m = self.editable_meeting(actor, r.meeting_id).await?;
        if m.status != MeetingStatus::Held {
            return Err(StoreError::Conflict(format!(
                "会议 {}: 召开后才能记录议定事项 (当前: {})",
                m.id,
                qx_core::label::Labelled::label(&m.status, qx_core::label::Lang::Zh)
            )));
        }
        let body = text(tf::MEETING_DECISION, &r.text)?;
        let lead = self.get_unit(r.lead_unit_id).await?;
        for u in &r.support_unit_ids {
            self.get_unit(*u).await?;
        }
        let held_on = parse_iso(&m.held_on)?;
        if r.deadline < held_on {
            return Err(StoreError::Invalid(format!(
                "办理期限: {} 早于会议日期 {}",
                iso(r.deadline),
                m.held_on
            )));
        }
        let source = match r.agenda_item_id {
            Some(a) => {
                let item = self.agenda_item(a).await?;
                if item.meeting_id != m.id {
                    return Err(StoreError::Invalid(format!("议题 {a} 不属于本次会议")));
                }
                item.source_id.map(|id| (item.source_kind, id))
            }
            None => None,
        };
        let of = |kind: AgendaSource| source.filter(|(k, _)| *k == kind).map(|(_, id)| id);
        let (problem_id, project_id) = (of(AgendaSource::Problem), of(AgendaSource::Project));
        let settings = self.meeting_settings().await?;
        let calendar = self.work_calendar().await?;
        // The first feedback is due a set number of working days after the meeting.
        let feedback_due = calendar
            .add_working_days(held_on, settings.feedback_days)
            .unwrap_or(r.deadline)
            .min(r.deadline);
        let now = crate::now();
        let mut tx = self.begin().await?;
        let (rid,): (i64,) = sqlx::query_as(
            "INSERT INTO resolutions (meeting_id, agenda_item_id, problem_id, text, lead_unit_id, deadline, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(m.id)
        .bind(r.agenda_item_id)
        .bind(problem_id)
        .bind(&body)
        .bind(r.lead_unit_id)
        .bind(iso(r.deadline))
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let mut support = r.support_unit_ids.clone();
        support.sort_unstable();
        support.dedup();
        support.retain(|u| *u != r.lead_unit_id);
        for u in &support {
            sqlx::query("INSERT INTO resolution_units (resolution_id, unit_id) VALUES ($1, $2)")
                .bind(rid)
                .bind(u)
                .execute(&mut *tx)
                .await?;
        }
        let (sid,): (i64,) = sqlx::query_as(
            "INSERT INTO supervision_items (resolution_id, lead_unit_id, deadline, feedback_due, status, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
        )
        .bind(rid)
        .bind(r.lead_unit_id)
        .bind(iso(r.deadline))
        .bind(iso(feedback_due))
        .bind(SupervisionStatus::Assigned.as_str())
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        attend(&mut tx, m.id, r.lead_unit_id).await?;
        if let Some(pid) = problem_id {
            crate::problems::insert_event(
                &mut tx,
                actor,
                pid,
                EventKind::Decision,
                "",
                "",
                &format!("例会决定: {body} (期限 {})", iso(r.deadline)),
            )
            .await?;
        }
        if let Some(pid) = project_id {
            crate::projects::insert_event(
                &mut tx,
                actor,
                pid,
                qx_core::project::EventKind::Decision,
                None,
                None,
                &format!(
                    "{} ({}) 议定: {body} (牵头 {}, 期限 {})",
                    m.title,
                    m.held_on,
                    lead.name,
                    iso(r.deadline)
                ),
            )
            .await?;
        }
        let lead_text = Text::ResolutionLead {
            title: m.title.to_string(),
            held_on: m.held_on.to_string(),
            deadline: iso(r.deadline),
            feedback_due: iso(feedback_due),
            text: excerpt(&body, 60),
        };
        let support_text = Text::ResolutionSupport {
            title: m.title.to_string(),
            held_on: m.held_on.to_string(),
            text: excerpt(&body, 60),
        };
        let mut notices = Vec::new();
        for (audience, text) in std::iter::once((Audience::Unit(r.lead_unit_id), lead_text)).chain(
            support
                .iter()
                .map(|u| (Audience::Unit(*u), support_text.clone())),
        ) {
            notices.extend(
                notify(
                    &mut tx,
                    &NewNotice {
                        audience,
                        kind: NoticeKind::SupervisionAssigned,
                        subject: Subject::Supervision(sid),
                        text,
                        dedupe_key: None,
                    },
                )
                .await?,
            );
        }
        commit_audited(
            tx,
            AuditEntry::new(actor, "meeting.resolve", "resolution", rid).after(r),
        )
        .await?;
        Ok((sid, notices))
    }

    /// The decisions of a meeting the actor may read, in the order recorded.
    pub async fn resolutions(&self, actor: &Actor, meeting_id: i64) -> Result<Vec<Resolution>> {
        self.get_meeting(actor, meeting_id).await?;
        let mut out: Vec<Resolution> = sqlx::query_as(
            "SELECT r.id, r.meeting_id, r.agenda_item_id, r.problem_id, r.text, r.lead_unit_id,
                u.name AS lead_unit_name, r.deadline, s.id AS supervision_id, s.status AS supervision_status
             FROM resolutions r JOIN units u ON u.id = r.lead_unit_id
             JOIN supervision_items s ON s.resolution_id = r.id
             WHERE r.meeting_id = $1 ORDER BY r.id",
        )
        .bind(meeting_id)
        .fetch_all(self.pool())
        .await?;
        for r in &mut out {
            r.support_units = sqlx::query_as(
                "SELECT u.id, u.name FROM resolution_units ru JOIN units u ON u.id = ru.unit_id
                 WHERE ru.resolution_id = $1 ORDER BY u.name",
            )
            .bind(r.id)
            .fetch_all(self.pool())
            .await?;
        }
        Ok(out)
    }
}
