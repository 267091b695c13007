//! History entered after the fact (the demo's year, last year's records replayed): a notice is
//! written when its event is recorded, so a year seeded in a minute would read as a year of
//! notices all sent on the seeding day. Two ways to date them, both system only, audited once,
//! and only ever moving a notice earlier:
//! - [`Store::date_notices_at_events`] reads the time from the records a notice announces
//!   (a report's sending and review, a problem's dated steps);
//! - a replayer that knows when each step happened marks the newest notice id before and after
//!   it ([`Store::newest_notice_id`]) and dates each span at once ([`Store::date_notice_spans`]).

use super::*;
use qx_core::state::SendingDecision;
use std::collections::HashMap;

/// The notices written by one replayed step: ids in `(after, up_to]`, dated at `at` (Unix
/// seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoticeSpan {
    pub after: i64,
    pub up_to: i64,
    pub at: i64,
}

impl Store {
    /// The newest notice's id (0 when none), the mark a replayer takes around a step.
    pub async fn newest_notice_id(&self, actor: &Actor) -> Result<i64> {
        crate::system_only(actor, "补录通知时间")?;
        let (id,): (Option<i64>,) = sqlx::query_as("SELECT MAX(id) FROM notices")
            .fetch_one(self.pool())
            .await?;
        Ok(id.unwrap_or(0))
    }

    /// Dates the notices of each span at its time, a notice only ever earlier. One
    /// transaction, audited once. Returns how many moved.
    pub async fn date_notice_spans(&self, actor: &Actor, spans: &[NoticeSpan]) -> Result<usize> {
        crate::system_only(actor, "补录通知时间")?;
        let mut tx = self.begin().await?;
        let mut moved = 0;
        for s in spans.iter().filter(|s| s.up_to > s.after) {
            moved += sqlx::query(
                "UPDATE notices SET created_at = $1 WHERE id > $2 AND id <= $3 AND created_at > $1",
            )
            .bind(s.at)
            .bind(s.after)
            .bind(s.up_to)
            .execute(&mut *tx)
            .await?
            .rows_affected() as usize;
        }
        crate::commit_dated(tx, actor, "notice.date_spans", "notice", moved).await
    }

    /// Dates notices about reports and problems at the events they announce, for history
    /// entered after the fact (the demo's year, an import of last year's records): a notice
    /// is written when its event is recorded, so a year seeded in a minute would otherwise read
    /// as a year of notices all sent on the seeding day. A report's sending and review (told on the
    /// submission or, to the unit, on the period), and a problem's submission, acceptance, answer and closing, are taken from their own records;
    /// a notice is only ever moved earlier. System only; audited. Returns how many moved.
    pub async fn date_notices_at_events(&self, actor: &Actor) -> Result<usize> {
        crate::system_only(actor, "补录通知时间")?;
        let mut tx = self.begin().await?;
        type ReportTimes = (i64, String, i64, Option<i64>, Option<i64>);
        let reports: Vec<ReportTimes> = sqlx::query_as(
            "SELECT n.id, n.kind, n.created_at, s.submitted_at, s.reviewed_at
             FROM notices n JOIN submissions s ON s.id = n.subject_id
             WHERE n.subject_type = 'submission'",
        )
        .fetch_all(&mut *tx)
        .await?;
        // A unit is told of its report's review on the period (its report form): the k-th
        // such notice of an outcome is the k-th sending of the unit's report for the period
        // decided so (历次报送 keeps each sending's decision and time).
        let told: Vec<(i64, String, i64, i64, i64)> = sqlx::query_as(
            "SELECT id, kind, created_at, subject_id, audience_id FROM notices
             WHERE subject_type = 'report_period' AND audience = 'unit' AND kind IN ($1, $2)
             ORDER BY id",
        )
        .bind(NoticeKind::ReportApproved.as_str())
        .bind(NoticeKind::ReportReturned.as_str())
        .fetch_all(&mut *tx)
        .await?;
        let decided: Vec<(i64, i64, String, i64)> = sqlx::query_as(
            "SELECT s.period_id, s.unit_id, g.decision, g.decided_at
             FROM submission_sendings g JOIN submissions s ON s.id = g.submission_id
             WHERE g.decision IN ($1, $2) AND g.decided_at IS NOT NULL
             ORDER BY g.id",
        )
        .bind(SendingDecision::Approved.as_str())
        .bind(SendingDecision::Returned.as_str())
        .fetch_all(&mut *tx)
        .await?;
        let mut sendings: HashMap<(i64, i64, bool), std::collections::VecDeque<i64>> =
            HashMap::new();
        for (period, unit, decision, at) in decided {
            let approved = decision == SendingDecision::Approved.as_str();
            sendings
                .entry((period, unit, approved))
                .or_default()
                .push_back(at);
        }
        type ProblemDates = (
            i64,
            String,
            i64,
            String,
            Option<String>,
            Option<String>,
            Option<String>,
        );
        let problems: Vec<ProblemDates> = sqlx::query_as(
            "SELECT n.id, n.kind, n.created_at, p.submitted_on, p.accepted_on, p.answered_on,
                    p.closed_on
             FROM notices n JOIN problems p ON p.id = n.subject_id
             WHERE n.subject_type = 'problem'",
        )
        .fetch_all(&mut *tx)
        .await?;
        // Office hours on a stored date: 10:00 China time.
        let on = |date: Option<&str>| {
            date.and_then(qx_core::time::parse_date)
                .map(|d| qx_core::time::start_of_day(d) + 10 * 3600)
        };
        let mut moves: Vec<(i64, i64)> = Vec::new();
        for (id, kind, at, submitted, reviewed) in reports {
            let event = match NoticeKind::parse(&kind) {
                Ok(NoticeKind::ReportSubmitted) => submitted,
                Ok(NoticeKind::ReportReturned | NoticeKind::ReportApproved) => reviewed,
                _ => None,
            };
            if let Some(e) = event.filter(|e| *e < at) {
                moves.push((id, e));
            }
        }
        for (id, kind, at, period, unit) in told {
            let approved = kind == NoticeKind::ReportApproved.as_str();
            let event = sendings
                .get_mut(&(period, unit, approved))
                .and_then(|q| q.pop_front());
            if let Some(e) = event.filter(|e| *e < at) {
                moves.push((id, e));
            }
        }
        for (id, kind, at, submitted, accepted, answered, closed) in problems {
            let event = match NoticeKind::parse(&kind) {
                Ok(NoticeKind::ProblemSubmitted) => on(Some(&submitted)),
                Ok(NoticeKind::ProblemAssigned) => on(accepted.as_deref()),
                Ok(NoticeKind::ProblemAnswered) => on(answered.as_deref()),
                Ok(NoticeKind::ProblemClosed) => on(closed.as_deref()),
                _ => None,
            };
            if let Some(e) = event.filter(|e| *e < at) {
                moves.push((id, e));
            }
        }
        for (id, at) in &moves {
            sqlx::query("UPDATE notices SET created_at = $1 WHERE id = $2")
                .bind(at)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        crate::commit_dated(tx, actor, "notice.date_at_events", "notice", moves.len()).await
    }
}
