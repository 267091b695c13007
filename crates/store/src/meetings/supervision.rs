//! 督办: each decision's follow-up, 交办 → 签收 → 办理 → 反馈 → 复核 → 销号 (or 退回 with a
//! reason), by the transition table of `core::meeting`, with its colour (三色督办) on the day
//! it is read and its steps kept as events.

use super::*;
use crate::notices::{NewNotice, notify};
use qx_core::meeting::{SupervisionStep, colour};
use qx_core::notice::{Audience, NoticeKind, Subject, Text};
use qx_core::text as tf;
use std::collections::HashMap;

/// Which 督办 items a list shows (within the reader's scope).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SupervisionFilter {
    pub unit_id: Option<i64>,
    pub meeting_id: Option<i64>,
    pub colour: Option<Colour>,
    /// Only items not yet 销号.
    pub open_only: bool,
    /// For a unit: only the items it leads, or only those it supports.
    pub part: Option<Part>,
}

/// A unit's part in a 督办 item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// 牵头: it takes the steps.
    Lead,
    /// 配合: it reads the item and works with the lead unit.
    Support,
}

impl Part {
    pub fn as_str(self) -> &'static str {
        match self {
            Part::Lead => "lead",
            Part::Support => "support",
        }
    }

    pub fn from_code(code: &str) -> Option<Part> {
        [Part::Lead, Part::Support]
            .into_iter()
            .find(|p| p.as_str() == code)
    }
}

/// One step taken on a 督办 item.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct SupervisionEvent {
    #[sqlx(try_from = "String")]
    pub step: SupervisionStep,
    #[sqlx(try_from = "String")]
    pub to_status: SupervisionStatus,
    pub note: String,
    pub actor: String,
    pub created_at: i64,
}

/// The columns of a [`SupervisionItem`], for `concat!`.
macro_rules! select_item {
    () => {
        "SELECT s.id, s.resolution_id, r.meeting_id, m.title AS meeting_title, m.held_on,
        r.problem_id, r.text, s.lead_unit_id, u.name AS lead_unit_name, s.deadline, s.feedback_due,
        s.status, s.progress, s.return_reason, s.closed_on
     FROM supervision_items s JOIN resolutions r ON r.id = s.resolution_id
     JOIN meetings m ON m.id = r.meeting_id JOIN units u ON u.id = s.lead_unit_id"
    };
}

/// Whether `actor` may open a 督办 item led by `lead_unit_id` with `support` as its 配合单位:
/// the office and leaders any, a unit the items it leads or supports (what
/// [`Store::get_supervision`] enforces; pages ask it before they link an item they name). A
/// supporting unit reads the item and its steps; only the lead unit takes them.
pub fn reads_supervision(actor: &Actor, lead_unit_id: i64, support: &[(i64, String)]) -> bool {
    let filter = actor.unit_filter();
    actor.role != Role::Enterprise
        && (filter.admits(lead_unit_id) || support.iter().any(|(u, _)| filter.admits(*u)))
}

impl Store {
    /// 督办 items the actor may read (all for the office and leaders, those it leads or supports
    /// for a unit), filtered (`unit_id`: by lead unit), the most urgent first: red, yellow, blue, normal, closed; then by deadline.
    pub async fn list_supervision(
        &self,
        actor: &Actor,
        f: &SupervisionFilter,
    ) -> Result<Vec<SupervisionItem>> {
        self.supervision_on(actor, f, qx_core::time::today()).await
    }

    /// [`Store::list_supervision`] coloured as on `today`.
    pub(super) async fn supervision_on(
        &self,
        actor: &Actor,
        f: &SupervisionFilter,
        today: Date,
    ) -> Result<Vec<SupervisionItem>> {
        let (all, unit) = county_scope(actor)?;
        let rows: Vec<SupervisionItem> = sqlx::query_as(concat!(
            select_item!(),
            " WHERE ($1 = 1 OR s.lead_unit_id = $2 OR EXISTS (SELECT 1 FROM resolution_units ru
                    WHERE ru.resolution_id = s.resolution_id AND ru.unit_id = $2))
               AND ($3 = 0 OR s.lead_unit_id = $3) AND ($4 = 0 OR r.meeting_id = $4)
               AND ($5 = 0 OR s.status <> $6)
               AND ($7 = '' OR ($7 = 'lead' AND s.lead_unit_id = $2)
                    OR ($7 = 'support' AND s.lead_unit_id <> $2 AND EXISTS (SELECT 1
                        FROM resolution_units ru WHERE ru.resolution_id = s.resolution_id
                        AND ru.unit_id = $2)))
             ORDER BY s.deadline, s.id"
        ))
        .bind(all)
        .bind(unit)
        .bind(f.unit_id.unwrap_or(0))
        .bind(f.meeting_id.unwrap_or(0))
        .bind(i64::from(f.open_only))
        .bind(SupervisionStatus::Closed.as_str())
        .bind(f.part.map_or("", Part::as_str))
        .persistent(false)
        .fetch_all(self.pool())
        .await?;
        let mut rows = self.coloured_on(rows, today).await?;
        self.with_support(&mut rows, None).await?;
        if let Some(c) = f.colour {
            rows.retain(|r| r.colour == Some(c));
        }
        let rank = |r: &SupervisionItem| match r.colour {
            Some(Colour::Red) => 0,
            Some(Colour::Yellow) => 1,
            Some(Colour::Blue) => 2,
            Some(Colour::Normal) => 3,
            None => 4,
        };
        rows.sort_by_key(|r| rank(r));
        Ok(rows)
    }

    /// Fills each row's 配合单位, by name (`only`: the rows are of that one decision).
    async fn with_support(&self, rows: &mut [SupervisionItem], only: Option<i64>) -> Result<()> {
        let support: Vec<(i64, i64, String)> = sqlx::query_as(
            "SELECT ru.resolution_id, u.id, u.name FROM resolution_units ru
             JOIN units u ON u.id = ru.unit_id WHERE $1 = 0 OR ru.resolution_id = $1
             ORDER BY u.name, u.id",
        )
        .bind(only.unwrap_or(0))
        .fetch_all(self.pool())
        .await?;
        let mut by_decision: HashMap<i64, Vec<(i64, String)>> = HashMap::new();
        for (rid, unit, name) in support {
            by_decision.entry(rid).or_default().push((unit, name));
        }
        for r in rows {
            r.support_units = by_decision.remove(&r.resolution_id).unwrap_or_default();
        }
        Ok(())
    }

    /// The rows with their colour on `today`.
    pub(super) async fn coloured_on(
        &self,
        mut rows: Vec<SupervisionItem>,
        today: Date,
    ) -> Result<Vec<SupervisionItem>> {
        let calendar = self.work_calendar().await?;
        let near = self.meeting_settings().await?.near_days;
        for r in &mut rows {
            r.colour = colour(
                r.status,
                parse_iso(&r.deadline)?,
                parse_iso(&r.feedback_due)?,
                today,
                &calendar,
                near,
            );
        }
        Ok(rows)
    }

    /// One 督办 item, if the actor may read it.
    pub async fn get_supervision(&self, actor: &Actor, id: i64) -> Result<SupervisionItem> {
        county_scope(actor)?;
        let row: Option<SupervisionItem> =
            sqlx::query_as(concat!(select_item!(), " WHERE s.id = $1"))
                .bind(id)
                .fetch_optional(self.pool())
                .await?;
        let not_found = || StoreError::NotFound(format!("督办事项 {id}"));
        let mut rows = Vec::from_iter(row);
        if let Some(decision) = rows.first().map(|r| r.resolution_id) {
            self.with_support(&mut rows, Some(decision)).await?;
        }
        let row = rows
            .pop()
            .filter(|r| reads_supervision(actor, r.lead_unit_id, &r.support_units))
            .ok_or_else(not_found)?;
        Ok(self
            .coloured_on(vec![row], qx_core::time::today())
            .await?
            .remove(0))
    }

    /// The steps taken on an item, oldest first.
    pub async fn supervision_events(
        &self,
        actor: &Actor,
        id: i64,
    ) -> Result<Vec<SupervisionEvent>> {
        self.get_supervision(actor, id).await?;
        Ok(sqlx::query_as(
            "SELECT step, to_status, note, actor, created_at FROM supervision_events
             WHERE item_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Takes one step on a 督办 item: 签收, 办理 and 反馈 by its lead unit; 复核, 销号, 退回
    /// (with a reason) and 催办 by the office. Progress and feedback need a note. `today` dates
    /// a 销号 and restarts the feedback clock of a returned item. Returns the new state and the
    /// notices made (for the webhook).
    pub async fn supervision_step(
        &self,
        actor: &Actor,
        id: i64,
        step: SupervisionStep,
        note: &str,
        today: Date,
    ) -> Result<(SupervisionStatus, Vec<i64>)> {
        let item = self.get_supervision(actor, id).await?;
        let allowed = if step.by_office() {
            actor.is_admin()
        } else {
            actor.role == Role::Unit && actor.unit_id == Some(item.lead_unit_id)
        };
        if !allowed {
            return Err(StoreError::Forbidden(format!(
                "督办事项 {id}: 无权「{}」",
                qx_core::label::Labelled::label(&step, qx_core::label::Lang::Zh)
            )));
        }
        let next = item
            .status
            .apply(step)
            .map_err(|e| StoreError::Conflict(e.to_string()))?;
        let note = match step {
            SupervisionStep::Return => text(tf::SUPERVISION_RETURN_REASON, note)?,
            SupervisionStep::Handle | SupervisionStep::Feedback => {
                let n = text(tf::SUPERVISION_NOTE, note)?;
                if n.is_empty() {
                    return Err(StoreError::Invalid("办理说明: 必须填写".into()));
                }
                n
            }
            _ => text(tf::SUPERVISION_NOTE, note)?,
        };
        let progress = match step {
            SupervisionStep::Handle | SupervisionStep::Feedback => note.clone(),
            _ => item.progress.clone(),
        };
        let return_reason = if step == SupervisionStep::Return {
            note.clone()
        } else {
            item.return_reason.clone()
        };
        // A returned item owes new feedback: its clock starts again from today.
        let feedback_due = if step == SupervisionStep::Return {
            let days = self.meeting_settings().await?.feedback_days;
            let deadline = parse_iso(&item.deadline)?;
            self.work_calendar()
                .await?
                .add_working_days(today, days)
                .map_or(deadline, |d| d.min(deadline).max(today))
        } else {
            parse_iso(&item.feedback_due)?
        };
        let now = crate::now();
        let mut tx = self.begin().await?;
        let changed = sqlx::query(
            "UPDATE supervision_items SET status = $1, progress = $2, return_reason = $3, feedback_due = $4,
                closed_on = $5, updated_at = $6 WHERE id = $7 AND status = $8",
        )
        .bind(next.as_str())
        .bind(&progress)
        .bind(&return_reason)
        .bind(iso(feedback_due))
        .bind((next == SupervisionStatus::Closed).then(|| iso(today)))
        .bind(now)
        .bind(id)
        .bind(item.status.as_str())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed == 0 {
            return Err(StoreError::Conflict(format!(
                "督办事项 {id} 已被他人办理, 请刷新"
            )));
        }
        sqlx::query(
            "INSERT INTO supervision_events (item_id, step, from_status, to_status, note, user_id, actor, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id)
        .bind(step.as_str())
        .bind(item.status.as_str())
        .bind(next.as_str())
        .bind(&note)
        .bind((actor.user_id != 0).then_some(actor.user_id))
        .bind(&actor.username)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let what = excerpt(&item.text, 40);
        let notice = match step {
            SupervisionStep::Feedback => Some((
                Audience::Office,
                NoticeKind::SupervisionFedBack,
                Text::SupervisionFedBack {
                    unit: item.lead_unit_name.to_string(),
                    text: what.clone(),
                },
            )),
            SupervisionStep::Return => Some((
                Audience::Unit(item.lead_unit_id),
                NoticeKind::SupervisionReturned,
                Text::SupervisionReturned {
                    text: what.clone(),
                    note: note.to_string(),
                },
            )),
            SupervisionStep::Urge => Some((
                Audience::Unit(item.lead_unit_id),
                NoticeKind::SupervisionUrged,
                Text::SupervisionUrged {
                    text: what.clone(),
                    deadline: item.deadline.to_string(),
                },
            )),
            SupervisionStep::Close => Some((
                Audience::Unit(item.lead_unit_id),
                NoticeKind::SupervisionClosed,
                Text::SupervisionClosed { text: what.clone() },
            )),
            _ => None,
        };
        let mut notices = Vec::new();
        if let Some((audience, kind, text)) = notice {
            notices.extend(
                notify(
                    &mut tx,
                    &NewNotice {
                        audience,
                        kind,
                        subject: Subject::Supervision(id),
                        text,
                        dedupe_key: None,
                    },
                )
                .await?,
            );
        }
        commit_audited(
            tx,
            AuditEntry::new(actor, "supervision.step", "supervision", id)
                .before(serde_json::json!({"status": item.status}))
                .after(serde_json::json!({"status": next, "step": step, "note": note})),
        )
        .await?;
        Ok((next, notices))
    }
}
