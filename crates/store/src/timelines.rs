//! Timelines entered after the fact (the demo's year, last year's records replayed): a
//! project's events and a 督办 item's steps are written with the time they are recorded, so a
//! year replayed in a minute would read as a year of steps all taken on the replay day. A
//! replayer that knows when each step happened marks the newest row of each timeline before
//! and after it ([`Store::timeline_mark`]) and dates each span at once
//! ([`Store::date_timeline_spans`]), as notices are dated (`notices::dating`).

use crate::{Result, Store};
use qx_core::access::Actor;

/// The newest row of each timeline a replayer dates: a project event, a 督办 step.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TimelineMark {
    pub project_event: i64,
    pub supervision_event: i64,
}

/// The rows written by one replayed step: ids after `after` up to `up_to` in each timeline,
/// dated at `at` (Unix seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimelineSpan {
    pub after: TimelineMark,
    pub up_to: TimelineMark,
    pub at: i64,
}

impl Store {
    /// The newest row of each timeline (0 when none), the mark a replayer takes around a step.
    pub async fn timeline_mark(&self, actor: &Actor) -> Result<TimelineMark> {
        crate::system_only(actor, "补录办理时间")?;
        let (project_event, supervision_event): (Option<i64>, Option<i64>) = sqlx::query_as(
            "SELECT (SELECT MAX(id) FROM project_events), (SELECT MAX(id) FROM supervision_events)",
        )
        .fetch_one(self.pool())
        .await?;
        Ok(TimelineMark {
            project_event: project_event.unwrap_or(0),
            supervision_event: supervision_event.unwrap_or(0),
        })
    }

    /// Dates the rows of each span at its time, a row only ever earlier (a replay never dates
    /// a step after it was recorded). System only; one transaction, audited once. Returns how
    /// many moved.
    pub async fn date_timeline_spans(
        &self,
        actor: &Actor,
        spans: &[TimelineSpan],
    ) -> Result<usize> {
        crate::system_only(actor, "补录办理时间")?;
        let mut tx = self.begin().await?;
        let mut moved = 0;
        for s in spans {
            moved += sqlx::query(
                "UPDATE project_events SET at = $1 WHERE id > $2 AND id <= $3 AND at > $1",
            )
            .bind(s.at)
            .bind(s.after.project_event)
            .bind(s.up_to.project_event)
            .execute(&mut *tx)
            .await?
            .rows_affected() as usize;
            moved += sqlx::query(
                "UPDATE supervision_events SET created_at = $1
                 WHERE id > $2 AND id <= $3 AND created_at > $1",
            )
            .bind(s.at)
            .bind(s.after.supervision_event)
            .bind(s.up_to.supervision_event)
            .execute(&mut *tx)
            .await?
            .rows_affected() as usize;
        }
        crate::commit_dated(tx, actor, "timeline.date_spans", "timeline", moved).await
    }
}
