//! The seeded year's notices at the times of their events. The store writes a notice when its
//! event is recorded, so a year seeded in a minute would read as a year of notices all sent on
//! the seeding day: the 提醒 list would open on hundreds of "today" notices about stage moves,
//! meetings and reviews from months ago. Each seeder knows when its steps happened; after a
//! step it marks the time here, and every notice written since the last mark takes that time.

use qx_core::access::Actor;
use qx_store::notices::NoticeSpan;
use qx_store::{Store, StoreError};
use time::Date;

/// Collects the spans of notices and the times they were sent; [`NoticeClock::apply`] writes
/// them in one transaction at the end of the seeding.
pub struct NoticeClock<'a> {
    store: &'a Store,
    system: Actor,
    last: i64,
    spans: Vec<NoticeSpan>,
}

impl<'a> NoticeClock<'a> {
    /// Starts after the notices already written.
    pub async fn start(store: &'a Store) -> Result<Self, StoreError> {
        let system = Actor::system();
        let last = store.newest_notice_id(&system).await?;
        Ok(NoticeClock {
            store,
            system,
            last,
            spans: Vec::new(),
        })
    }

    /// The notices written since the last mark were sent at `at` (Unix seconds).
    pub async fn mark(&mut self, at: i64) -> Result<(), StoreError> {
        let newest = self.store.newest_notice_id(&self.system).await?;
        if newest > self.last {
            self.spans.push(NoticeSpan {
                after: self.last,
                up_to: newest,
                at,
            });
            self.last = newest;
        }
        Ok(())
    }

    /// The notices written since the last mark were sent on `day` at `hour` o'clock, China time.
    pub async fn mark_on(&mut self, day: Date, hour: i64) -> Result<(), StoreError> {
        self.mark(qx_core::time::start_of_day(day) + hour * 3600)
            .await
    }

    /// The notices written since the last mark keep the time they were written (their events
    /// happen on the seeding day).
    pub async fn pass(&mut self) -> Result<(), StoreError> {
        self.last = self.store.newest_notice_id(&self.system).await?;
        Ok(())
    }

    /// Dates every marked span (a notice only ever earlier). Returns how many moved.
    pub async fn apply(self) -> Result<usize, StoreError> {
        self.store
            .date_notice_spans(&self.system, &self.spans)
            .await
    }
}

#[cfg(test)]
mod tests {
    use qx_core::notice::NoticeKind;

    /// The demo's 提醒 list reads as a year: the stage moves, the quarters' 终审, the 纪要 and
    /// the reviews of the months before November are dated at their events, and what is left
    /// on the demo's today is that day's own business (the year's 公示, a few new reports,
    /// leads and the sweeps), a small share of the year's notices.
    #[tokio::test]
    async fn the_demo_notices_are_dated_at_their_events() {
        let (_dir, store) = crate::seeded_for_test().await;
        let today = qx_core::time::start_of_day(crate::DEMO_TODAY);
        let rows: Vec<(String, i64, i64)> = sqlx::query_as(
            "SELECT kind, created_at, COALESCE((SELECT MAX(id) FROM report_periods rp
                 WHERE rp.id = n.subject_id AND n.subject_type = 'report_period'
                   AND rp.period < '2017-11'), 0)
             FROM notices n",
        )
        .fetch_all(store.pool())
        .await
        .unwrap();
        let on_today: Vec<&(String, i64, i64)> =
            rows.iter().filter(|(_, at, _)| *at >= today).collect();
        let never_today = [
            NoticeKind::ProjectStage,
            NoticeKind::ProjectHalted,
            NoticeKind::MinutesIssued,
            NoticeKind::AssessmentFinalised,
            NoticeKind::SupervisionAssigned,
        ];
        for (kind, _, early_period) in &on_today {
            assert!(
                !never_today.iter().any(|k| k.as_str() == kind),
                "a {kind} notice is dated on the demo's today"
            );
            assert_eq!(
                *early_period, 0,
                "a {kind} notice about a month before November is dated on the demo's today"
            );
        }
        assert!(rows.len() > 2_000, "{} notices", rows.len());
        // The 招商线索 came in through the year, each before its project was entered.
        let leads: Vec<(i64, Option<String>)> = sqlx::query_as(
            "SELECT l.created_at, (SELECT MIN(s.actual_on) FROM project_stages s
                                   WHERE s.project_id = l.project_id)
             FROM leads l",
        )
        .fetch_all(store.pool())
        .await
        .unwrap();
        assert_eq!(leads.len(), 12);
        assert!(leads.iter().all(|(at, _)| *at < today));
        let converted: Vec<(i64, i64)> = leads
            .iter()
            .filter_map(|(at, entered)| {
                let day = qx_core::time::parse_date(entered.as_deref()?)?;
                Some((*at, qx_core::time::start_of_day(day)))
            })
            .collect();
        assert_eq!(converted.len(), 2);
        assert!(converted.iter().all(|(lead, project)| lead < project));
        assert!(
            on_today.len() * 10 < rows.len(),
            "{} of {} notices on the demo's today",
            on_today.len(),
            rows.len()
        );
    }
}
