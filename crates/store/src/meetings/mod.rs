//! 工业强县工作例会 and 督办 (`core::meeting`): meetings with their attending units, agendas
//! assembled from what is stuck, each responsible unit's 情况说明, the decisions (议定事项) and
//! the 督办 item that follows each decision to 销号.
//!
//! Scope: the office writes meetings, agendas and decisions and takes the office's 督办 steps;
//! leaders read everything; a unit reads the meetings it attends and its own 督办 items, writes
//! its 情况说明 and takes its 督办 steps (签收, 办理, 反馈). Enterprises see nothing here.
//! Out-of-scope reads answer "not found", out-of-scope writes "forbidden". Every write runs in
//! one transaction with its audit entry and its notices.

use crate::audit::AuditEntry;
use crate::office_only;
use crate::{Result, Store, StoreError, Tx, commit_audited};
use qx_core::access::{Actor, Role};
use qx_core::meeting::{AgendaSource, Colour, MeetingKind, MeetingStatus, SupervisionStatus};
use serde::Serialize;
use time::Date;

mod agenda;
mod rates;
mod resolutions;
mod schedule;
mod settings;
mod stuck;
mod supervision;
mod sweep;

pub use agenda::{NewAgendaItem, Proposal};
pub use rates::{OnTime, SupervisionRates};
pub use resolutions::NewResolution;
pub use schedule::NewMeeting;
pub use settings::MeetingSettings;
pub use stuck::{AGENDA_CAP, Proposals};
pub use supervision::{Part, SupervisionEvent, SupervisionFilter, reads_supervision};
pub use sweep::MeetingSweep;

/// A meeting as stored, with its attending units.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Meeting {
    pub id: i64,
    #[sqlx(try_from = "String")]
    pub kind: MeetingKind,
    pub title: String,
    pub held_on: String,
    pub place: String,
    pub convenor: String,
    #[sqlx(try_from = "String")]
    pub status: MeetingStatus,
    /// The day each unit's 情况说明 is due (ISO).
    pub statement_due: Option<String>,
    pub minutes_issued_at: Option<i64>,
    /// Attending units (id, name), by name.
    #[sqlx(skip)]
    pub units: Vec<(i64, String)>,
}

/// One item of a meeting's agenda.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AgendaItem {
    pub id: i64,
    pub meeting_id: i64,
    pub position: i64,
    #[sqlx(try_from = "String")]
    pub source_kind: AgendaSource,
    pub source_id: Option<i64>,
    pub text: String,
    pub unit_id: Option<i64>,
    pub unit_name: Option<String>,
    /// The responsible unit's 情况说明 ("" until given).
    pub statement: String,
    pub statement_at: Option<i64>,
}

/// A decision (议定事项) with its lead and support units and its 督办 item.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Resolution {
    pub id: i64,
    pub meeting_id: i64,
    pub agenda_item_id: Option<i64>,
    pub problem_id: Option<i64>,
    pub text: String,
    pub lead_unit_id: i64,
    pub lead_unit_name: String,
    pub deadline: String,
    pub supervision_id: i64,
    #[sqlx(try_from = "String")]
    pub supervision_status: SupervisionStatus,
    #[sqlx(skip)]
    pub support_units: Vec<(i64, String)>,
}

/// A 督办 item as its lists and page read, with its colour on the day it was read.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct SupervisionItem {
    pub id: i64,
    pub resolution_id: i64,
    pub meeting_id: i64,
    pub meeting_title: String,
    pub held_on: String,
    pub problem_id: Option<i64>,
    pub text: String,
    pub lead_unit_id: i64,
    pub lead_unit_name: String,
    pub deadline: String,
    pub feedback_due: String,
    #[sqlx(try_from = "String")]
    pub status: SupervisionStatus,
    pub progress: String,
    pub return_reason: String,
    pub closed_on: Option<String>,
    #[sqlx(skip)]
    pub colour: Option<Colour>,
    /// 配合单位 (id, name), by name: they read the item; the lead unit takes its steps.
    #[sqlx(skip)]
    pub support_units: Vec<(i64, String)>,
}

use crate::problems::date_iso as iso;
use crate::problems::text;

fn parse_iso(s: &str) -> Result<Date> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(s, fmt).map_err(|_| StoreError::Invalid(format!("日期 \"{s}\" 无效")))
}

/// The columns of a [`Meeting`] over `meetings m`, ready for a `WHERE`.
macro_rules! meeting_select {
    () => {
        "SELECT id, kind, title, held_on, place, convenor, status, statement_due, minutes_issued_at \
         FROM meetings m "
    };
}

impl Store {
    /// Meetings the actor may read, latest first: all for the office and leaders, those its
    /// unit attends for a unit.
    pub async fn list_meetings(&self, actor: &Actor) -> Result<Vec<Meeting>> {
        let (all, unit) = county_scope(actor)?;
        let mut out: Vec<Meeting> = sqlx::query_as(
            concat!(
                meeting_select!(),
                "WHERE $1 = 1 OR EXISTS (SELECT 1 FROM meeting_units mu WHERE mu.meeting_id = m.id AND mu.unit_id = $2)
                 ORDER BY held_on DESC, id DESC"
            ),
        )
        .bind(all)
        .bind(unit)
        .fetch_all(self.pool())
        .await?;
        for m in &mut out {
            m.units = self.meeting_units(m.id).await?;
        }
        Ok(out)
    }

    /// One meeting, if the actor may read it.
    pub async fn get_meeting(&self, actor: &Actor, id: i64) -> Result<Meeting> {
        let (all, unit) = county_scope(actor)?;
        let mut m: Meeting = sqlx::query_as(concat!(meeting_select!(), "WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("会议 {id}")))?;
        m.units = self.meeting_units(id).await?;
        if all != 1 && !m.units.iter().any(|(u, _)| *u == unit) {
            return Err(StoreError::NotFound(format!("会议 {id}")));
        }
        Ok(m)
    }

    async fn meeting_units(&self, id: i64) -> Result<Vec<(i64, String)>> {
        Ok(sqlx::query_as(
            "SELECT u.id, u.name FROM meeting_units mu JOIN units u ON u.id = mu.unit_id
             WHERE mu.meeting_id = $1 ORDER BY u.name",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?)
    }

    /// The meeting for a write by the office: it exists and its minutes are not issued.
    async fn editable_meeting(&self, actor: &Actor, id: i64) -> Result<Meeting> {
        office_only(actor, "编排会议")?;
        let m = self.get_meeting(actor, id).await?;
        if !m.status.is_editable() {
            return Err(StoreError::Conflict(format!(
                "会议 {id}: 纪要已印发, 不能再修改"
            )));
        }
        Ok(m)
    }
}

/// `(all, unit)` binds for a county-side read; enterprises are refused.
fn county_scope(actor: &Actor) -> Result<(i64, i64)> {
    if actor.role == Role::Enterprise {
        return Err(StoreError::Forbidden("会议仅县内单位可见".into()));
    }
    Ok(actor.unit_filter().binds())
}

/// Adds a unit to a meeting's attendance (once).
async fn attend(tx: &mut Tx, meeting_id: i64, unit_id: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO meeting_units (meeting_id, unit_id) SELECT $1, $2
         WHERE NOT EXISTS (SELECT 1 FROM meeting_units WHERE meeting_id = $1 AND unit_id = $2)",
    )
    .bind(meeting_id)
    .bind(unit_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The first `n` characters of `s`, with "…" when cut (for notice texts).
fn excerpt(s: &str, n: usize) -> String {
    let mut out: String = s.chars().take(n).collect();
    if s.chars().nth(n).is_some() {
        out.push('…');
    }
    out
}
