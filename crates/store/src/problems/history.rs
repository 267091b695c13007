//! A problem timeline entered after the fact (the demo's year, last year's ledger replayed step
//! by step): each step's event is written when the step is recorded, so a year replayed in a
//! minute would read as a year of events all on the replay day. The replayer knows when each
//! step happened and dates its events here.

use super::*;

impl Store {
    /// Dates problem events: each `(event id, Unix time)` moves that event to the time, only
    /// ever earlier (a replay never dates an event after it was recorded). System only;
    /// one transaction, audited once. Returns how many moved.
    pub async fn date_problem_events(&self, actor: &Actor, times: &[(i64, i64)]) -> Result<usize> {
        crate::system_only(actor, "补录难题办理时间")?;
        let mut tx = self.begin().await?;
        let mut moved = 0;
        for (id, at) in times {
            moved += sqlx::query("UPDATE problem_events SET at = $1 WHERE id = $2 AND at > $1")
                .bind(at)
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected() as usize;
        }
        crate::commit_dated(tx, actor, "problem.date_events", "problem", moved).await
    }
}
