//! The seeded year's notices and timelines at the times of their events. The store writes a
//! notice, a project event or a 督办 step when it is recorded, so a year seeded in a minute
//! would read as a year of it all on the seeding day: the 提醒 list would open on hundreds of
//! "today" notices about stage moves, meetings and reviews from months ago, and a project's
//! timeline or a 督办 item's 办理记录 would say every step was taken today. Each seeder knows
//! when its steps happened; after a step it marks the time here, and every notice and timeline
//! row written since the last mark takes that time.

use qx_core::access::Actor;
use qx_store::notices::NoticeSpan;
use qx_store::timelines::{TimelineMark, TimelineSpan};
use qx_store::{Store, StoreError};
use time::Date;

/// Collects the spans of notices and timeline rows and the times they happened;
/// [`HistoryClock::apply`] writes them at the end of the seeding.
pub struct HistoryClock<'a> {
    store: &'a Store,
    system: Actor,
    last: i64,
    last_rows: TimelineMark,
    spans: Vec<NoticeSpan>,
    row_spans: Vec<TimelineSpan>,
}

impl<'a> HistoryClock<'a> {
    /// Starts after the notices and timeline rows already written.
    pub async fn start(store: &'a Store) -> Result<Self, StoreError> {
        let system = Actor::system();
        let last = store.newest_notice_id(&system).await?;
        let last_rows = store.timeline_mark(&system).await?;
        Ok(HistoryClock {
            store,
            system,
            last,
            last_rows,
            spans: Vec::new(),
            row_spans: Vec::new(),
        })
    }

    /// What was written since the last mark happened at `at` (Unix seconds).
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
        let rows = self.store.timeline_mark(&self.system).await?;
        if rows != self.last_rows {
            self.row_spans.push(TimelineSpan {
                after: self.last_rows,
                up_to: rows,
                at,
            });
            self.last_rows = rows;
        }
        Ok(())
    }

    /// What was written since the last mark happened on `day` at `hour` o'clock, China time.
    pub async fn mark_on(&mut self, day: Date, hour: i64) -> Result<(), StoreError> {
        self.mark(qx_core::time::start_of_day(day) + hour * 3600)
            .await
    }

    /// What was written since the last mark keeps the time it was written (its events happen
    /// on the seeding day, or another seeder dates them).
    pub async fn pass(&mut self) -> Result<(), StoreError> {
        self.last = self.store.newest_notice_id(&self.system).await?;
        self.last_rows = self.store.timeline_mark(&self.system).await?;
        Ok(())
    }

    /// Dates every marked span (a row only ever earlier). Returns how many moved.
    pub async fn apply(self) -> Result<usize, StoreError> {
        let notices = self
            .store
            .date_notice_spans(&self.system, &self.spans)
            .await?;
        let rows = self
            .store
            .date_timeline_spans(&self.system, &self.row_spans)
            .await?;
        Ok(notices + rows)
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

    /// A project's timeline and a 督办 item's 办理记录 read as the year: no step of an item
    /// decided before November is dated on the demo's today, none before its meeting, and the
    /// projects' events of the demo's today are a small share of the year's.
    #[tokio::test]
    async fn the_demo_timelines_are_dated_at_their_steps() {
        let (_dir, store) = crate::seeded_for_test().await;
        let today = qx_core::time::start_of_day(crate::DEMO_TODAY);
        let steps: Vec<(i64, String)> = sqlx::query_as(
            "SELECT e.created_at, m.held_on FROM supervision_events e
             JOIN supervision_items s ON s.id = e.item_id
             JOIN resolutions r ON r.id = s.resolution_id JOIN meetings m ON m.id = r.meeting_id",
        )
        .fetch_all(store.pool())
        .await
        .unwrap();
        assert!(steps.len() > 100, "{} 督办 steps", steps.len());
        for (at, held_on) in &steps {
            let held = qx_core::time::parse_date(held_on).unwrap();
            assert!(
                *at >= qx_core::time::start_of_day(held),
                "a step before {held_on}"
            );
            if held_on.as_str() < "2017-11-01" {
                assert!(
                    *at < today,
                    "a step of a {held_on} decision dated on the demo's today"
                );
            }
        }
        let events: Vec<(i64,)> = sqlx::query_as("SELECT at FROM project_events")
            .fetch_all(store.pool())
            .await
            .unwrap();
        let on_today = events.iter().filter(|(at,)| *at >= today).count();
        assert!(
            events.len() > 100 && on_today * 10 < events.len(),
            "{on_today} of {} project events on the demo's today",
            events.len()
        );
    }
}
