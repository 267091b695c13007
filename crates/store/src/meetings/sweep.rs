//! The daily 督办 sweep: each open 督办 item that turned blue, yellow or red tells its lead unit
//! (and the office when red) once per colour and date; each unit that still owes a 情况说明
//! for a coming meeting is reminded once, from the working day before it is due. Run beside
//! the problems deadline sweep; idempotent (the notices carry dedupe keys).

use super::*;
use crate::notices::{NewNotice, notify};
use qx_core::notice::{Audience, NoticeKind, Subject, Text};

/// What a sweep did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MeetingSweep {
    /// Open 督办 items coloured blue, yellow or red on the day.
    pub coloured: usize,
    /// Agenda items whose 情况说明 is due or late.
    pub statements_due: usize,
    /// The notices made by this run (none for what an earlier run already told).
    pub notices: Vec<i64>,
}

/// An agenda item still owing its 情况说明: item, text, unit, meeting, its title, held on, due.
type OwedRow = (i64, String, i64, i64, String, String, String);

impl Store {
    /// The 督办 and 情况说明 sweep as on `today`.
    pub async fn sweep_meetings(&self, today: Date) -> Result<MeetingSweep> {
        let system = Actor::system();
        let open = SupervisionFilter {
            open_only: true,
            ..SupervisionFilter::default()
        };
        let items = self.supervision_on(&system, &open, today).await?;
        let calendar = self.work_calendar().await?;
        let owed: Vec<OwedRow> = sqlx::query_as(
            "SELECT a.id, a.text, a.unit_id, m.id, m.title, m.held_on, m.statement_due
             FROM agenda_items a JOIN meetings m ON m.id = a.meeting_id
             WHERE a.unit_id IS NOT NULL AND a.statement = '' AND m.statement_due IS NOT NULL
               AND m.status IN ($1, $2) AND m.held_on >= $3
             ORDER BY a.id",
        )
        .bind(MeetingStatus::Planned.as_str())
        .bind(MeetingStatus::Notified.as_str())
        .bind(iso(today))
        .fetch_all(self.pool())
        .await?;
        let mut report = MeetingSweep::default();
        let mut tx = self.begin().await?;
        for s in &items {
            let (kind, date) = match s.colour {
                Some(Colour::Red) => (NoticeKind::SupervisionOverdue, &s.deadline),
                Some(Colour::Yellow) => (NoticeKind::SupervisionYellow, &s.feedback_due),
                Some(Colour::Blue) => (NoticeKind::SupervisionBlue, &s.deadline),
                _ => continue,
            };
            report.coloured += 1;
            let colour = s.colour.map_or("", |c| c.as_str());
            let Some(colour_of) = s.colour else {
                continue;
            };
            let text = Text::SupervisionColour {
                text: excerpt(&s.text, 40),
                colour: colour_of,
                deadline: s.deadline.to_string(),
                feedback_due: s.feedback_due.to_string(),
                unit: s.lead_unit_name.to_string(),
            };
            let key = format!("supervision:{}:{colour}:{date}", s.id);
            let mut audiences = vec![(Audience::Unit(s.lead_unit_id), format!("{key}:unit"))];
            if s.colour == Some(Colour::Red) {
                audiences.push((Audience::Office, format!("{key}:office")));
            }
            for (audience, key) in audiences {
                report.notices.extend(
                    notify(
                        &mut tx,
                        &NewNotice {
                            audience,
                            kind,
                            subject: Subject::Supervision(s.id),
                            text: text.clone(),
                            dedupe_key: Some(key),
                        },
                    )
                    .await?,
                );
            }
        }
        for (item, text, unit, meeting_id, title, held_on, due) in &owed {
            let due_on = parse_iso(due)?;
            if calendar.working_days_between(today, due_on) > 1 {
                continue;
            }
            report.statements_due += 1;

            report.notices.extend(
                notify(
                    &mut tx,
                    &NewNotice {
                        audience: Audience::Unit(*unit),
                        kind: NoticeKind::MeetingStatementDue,
                        subject: Subject::Meeting(*meeting_id),
                        text: Text::StatementDue {
                            title: title.to_string(),
                            held_on: held_on.to_string(),
                            topic: excerpt(text, 40),
                            overdue: today > due_on,
                            due: due.to_string(),
                        },
                        dedupe_key: Some(format!("statement:{item}:{due}")),
                    },
                )
                .await?,
            );
        }
        tx.commit().await?;
        Ok(report)
    }
}
