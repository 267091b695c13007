//! A meeting's agenda: the items the store proposes (escalated open problems, open 督办 items;
//! the app adds red indicators and overdue tasks from the monitoring picture), the office's
//! picking, ordering and editing, and each responsible unit's 情况说明.

use super::*;
use crate::notices::{NewNotice, notify};
use qx_core::notice::{Audience, NoticeKind, Subject, Text};
use qx_core::text as tf;

/// An item the agenda could take, with its facts in `text`: the item as it would be put on
/// the agenda, and its unit's name to show beside it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Proposal {
    #[serde(flatten)]
    pub item: NewAgendaItem,
    pub unit_name: Option<String>,
}

/// An item to put on the agenda.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewAgendaItem {
    pub source: AgendaSource,
    pub source_id: Option<i64>,
    pub text: String,
    pub unit_id: Option<i64>,
}

/// The columns of an [`AgendaItem`] with its unit's name, ready for a `WHERE`.
macro_rules! agenda_select {
    () => {
        "SELECT a.id, a.meeting_id, a.position, a.source_kind, a.source_id, a.text, a.unit_id,
            u.name AS unit_name, a.statement, a.statement_at
         FROM agenda_items a LEFT JOIN units u ON u.id = a.unit_id "
    };
}

impl Store {
    /// What the store proposes for the agenda: problems escalated to the 例会 tier and still
    /// open, projects still under way with a funnel alert or a red light, then 督办 items not
    /// yet 销号 (they return to every agenda until closed); the most urgent
    /// [`AGENDA_CAP`](super::AGENDA_CAP) of each kind (see [`Store::agenda_candidates`] for
    /// the counts of the rest). Office and leaders only.
    pub async fn agenda_proposals(&self, actor: &Actor) -> Result<Vec<Proposal>> {
        Ok(self
            .agenda_candidates(actor, super::AGENDA_CAP, None)
            .await?
            .items)
    }

    /// The agenda of a meeting the actor may read, in order.
    pub async fn agenda(&self, actor: &Actor, meeting_id: i64) -> Result<Vec<AgendaItem>> {
        self.get_meeting(actor, meeting_id).await?;
        Ok(sqlx::query_as(concat!(
            agenda_select!(),
            "WHERE a.meeting_id = $1 ORDER BY a.position, a.id"
        ))
        .bind(meeting_id)
        .fetch_all(self.pool())
        .await?)
    }

    pub(super) async fn agenda_item(&self, id: i64) -> Result<AgendaItem> {
        sqlx::query_as(concat!(agenda_select!(), "WHERE a.id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("议题 {id}")))
    }

    /// The meeting an agenda item belongs to, if the actor may read that meeting.
    pub async fn agenda_item_meeting(&self, actor: &Actor, id: i64) -> Result<i64> {
        let item = self.agenda_item(id).await?;
        self.get_meeting(actor, item.meeting_id)
            .await
            .map(|m| m.id)
            .map_err(|_| StoreError::NotFound(format!("议题 {id}")))
    }

    /// Puts an item at the end of the agenda (office only). Its unit joins the meeting and is
    /// asked for its 情况说明.
    pub async fn add_agenda_item(
        &self,
        actor: &Actor,
        meeting_id: i64,
        item: &NewAgendaItem,
    ) -> Result<i64> {
        Ok(self
            .add_agenda_item_noticed(actor, meeting_id, item)
            .await?
            .0)
    }

    /// [`Store::add_agenda_item`], also returning the notice it made (for the webhook).
    pub async fn add_agenda_item_noticed(
        &self,
        actor: &Actor,
        meeting_id: i64,
        item: &NewAgendaItem,
    ) -> Result<(i64, Vec<i64>)> {
        let m = self.editable_meeting(actor, meeting_id).await?;
        let body = text(tf::AGENDA_TEXT, &item.text)?;
        if let Some(u) = item.unit_id {
            self.get_unit(u).await?;
        }
        let now = crate::now();
        let mut tx = self.begin().await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO agenda_items (meeting_id, position, source_kind, source_id, text, unit_id, created_at)
             VALUES ($1, (SELECT COALESCE(MAX(position), 0) + 1 FROM agenda_items WHERE meeting_id = $1), $2, $3, $4, $5, $6)
             RETURNING id",
        )
        .bind(meeting_id)
        .bind(item.source.as_str())
        .bind(item.source_id)
        .bind(&body)
        .bind(item.unit_id)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let mut notices = Vec::new();
        if let Some(u) = item.unit_id {
            attend(&mut tx, meeting_id, u).await?;
            notices.extend(
                notify(
                    &mut tx,
                    &NewNotice {
                        audience: Audience::Unit(u),
                        kind: NoticeKind::MeetingStatement,
                        subject: Subject::Meeting(meeting_id),
                        text: Text::StatementAsked {
                            title: m.title.to_string(),
                            held_on: m.held_on.to_string(),
                            topic: excerpt(&body, 40),
                            due: m.statement_due.as_deref().map(str::to_string),
                        },
                        dedupe_key: None,
                    },
                )
                .await?,
            );
        }
        commit_audited(
            tx,
            AuditEntry::new(actor, "meeting.agenda", "agenda_item", id).after(item),
        )
        .await?;
        Ok((id, notices))
    }

    /// An item the office may change: its meeting's minutes are not issued.
    async fn editable_item(&self, actor: &Actor, id: i64) -> Result<AgendaItem> {
        let item = self.agenda_item(id).await?;
        self.editable_meeting(actor, item.meeting_id).await?;
        Ok(item)
    }

    /// Changes an item's text (office only).
    pub async fn edit_agenda_item(&self, actor: &Actor, id: i64, new_text: &str) -> Result<()> {
        let item = self.editable_item(actor, id).await?;
        let body = text(tf::AGENDA_TEXT, new_text)?;
        let mut tx = self.begin().await?;
        sqlx::query("UPDATE agenda_items SET text = $1 WHERE id = $2")
            .bind(&body)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        commit_audited(
            tx,
            AuditEntry::new(actor, "meeting.agenda", "agenda_item", id)
                .before(serde_json::json!({"text": item.text}))
                .after(serde_json::json!({"text": body})),
        )
        .await
    }

    /// Moves an item one place up (or down) in its agenda (office only).
    pub async fn move_agenda_item(&self, actor: &Actor, id: i64, up: bool) -> Result<()> {
        let item = self.editable_item(actor, id).await?;
        let items = self.agenda(actor, item.meeting_id).await?;
        let Some(at) = items.iter().position(|i| i.id == id) else {
            return Err(StoreError::NotFound(format!("议题 {id}")));
        };
        let other = if up {
            at.checked_sub(1)
        } else {
            (at + 1 < items.len()).then_some(at + 1)
        };
        let Some(other) = other else {
            return Ok(());
        };
        let mut tx = self.begin().await?;
        // Renumber the whole agenda so equal or gapped positions cannot make a swap a no-op.
        let mut order: Vec<i64> = items.iter().map(|i| i.id).collect();
        order.swap(at, other);
        for (n, item_id) in order.iter().enumerate() {
            sqlx::query("UPDATE agenda_items SET position = $1 WHERE id = $2")
                .bind(i64::try_from(n + 1).unwrap_or(i64::MAX))
                .bind(item_id)
                .execute(&mut *tx)
                .await?;
        }
        commit_audited(
            tx,
            AuditEntry::new(actor, "meeting.agenda", "agenda_item", id)
                .after(serde_json::json!({"moved": if up { "up" } else { "down" }})),
        )
        .await
    }

    /// Takes an item off the agenda (office only); an item a decision was recorded on stays.
    pub async fn remove_agenda_item(&self, actor: &Actor, id: i64) -> Result<()> {
        let item = self.editable_item(actor, id).await?;
        let (decided,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM resolutions WHERE agenda_item_id = $1")
                .bind(id)
                .fetch_one(self.pool())
                .await?;
        if decided > 0 {
            return Err(StoreError::Conflict(format!(
                "议题 {id} 已有议定事项, 不能移出议程"
            )));
        }
        let mut tx = self.begin().await?;
        sqlx::query("DELETE FROM agenda_items WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        commit_audited(
            tx,
            AuditEntry::new(actor, "meeting.agenda", "agenda_item", id).before(&item),
        )
        .await
    }

    /// The responsible unit's 情况说明 on its item (that unit, until the minutes are issued).
    pub async fn give_statement(&self, actor: &Actor, id: i64, statement: &str) -> Result<()> {
        let item = self.agenda_item(id).await?;
        let m = self.get_meeting(actor, item.meeting_id).await?;
        if actor.role != Role::Unit || item.unit_id.is_none() || actor.unit_id != item.unit_id {
            return Err(StoreError::Forbidden(format!(
                "议题 {id}: 只有责任单位可以报送情况说明"
            )));
        }
        if !m.status.is_editable() {
            return Err(StoreError::Conflict(format!(
                "会议 {}: 纪要已印发, 不能再修改情况说明",
                m.id
            )));
        }
        let body = text(tf::AGENDA_STATEMENT, statement)?;
        let mut tx = self.begin().await?;
        sqlx::query("UPDATE agenda_items SET statement = $1, statement_at = $2 WHERE id = $3")
            .bind(&body)
            .bind(crate::now())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        commit_audited(
            tx,
            AuditEntry::new(actor, "meeting.statement", "agenda_item", id)
                .before(serde_json::json!({"statement": item.statement}))
                .after(serde_json::json!({"statement": body})),
        )
        .await
    }
}
