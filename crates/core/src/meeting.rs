//! 工业强县工作例会 and 督办: what a meeting is, where it stands, where its agenda items come
//! from, and how each decision is followed to 销号.
//!
//! [`MeetingStatus::apply`] and [`SupervisionStatus::apply`] are the whole transition tables;
//! every other move is refused with a message. [`colour`] is the one rule of 三色督办, counted
//! in working days on the county's [`WorkCalendar`].

use crate::calendar::WorkCalendar;
use crate::coded::stored_state;

use time::Date;

stored_state! {
    /// The kind of a meeting.
    MeetingKind("会议类型", "meeting kind") {
        Regular = "regular", "工作例会", "Work meeting";
        Coordination = "coordination", "项目协调会", "Project coordination meeting";
        Topical = "topical", "专题会", "Topical meeting";
    }
}

stored_state! {
    /// Where a meeting stands: planned, its 会议通知 sent, held, its 纪要 issued.
    MeetingStatus("会议", "meeting") {
        Planned = "planned", "计划", "Planned";
        Notified = "notified", "已通知", "Notified";
        Held = "held", "已召开", "Held";
        MinutesIssued = "minutes_issued", "纪要已印发", "Minutes issued";
    }
}

stored_state! {
    /// A move of a meeting.
    MeetingStep("会议操作", "meeting step") {
        Notify = "notify", "发出会议通知", "Send the notice";
        Hold = "hold", "标记已召开", "Mark as held";
        IssueMinutes = "issue_minutes", "印发纪要", "Issue the minutes";
    }
}

/// A move that is not allowed from a meeting's current state.
pub type MeetingTransitionError = crate::state::Refused<MeetingStatus, MeetingStep>;

impl MeetingStatus {
    /// The transition table. A meeting may be held without a notice sent through the system
    /// (called by telephone); minutes are issued only after it was held.
    pub fn apply(self, step: MeetingStep) -> Result<MeetingStatus, MeetingTransitionError> {
        use MeetingStatus as S;
        use MeetingStep as A;
        let next = match (self, step) {
            (S::Planned | S::Notified, A::Notify) => S::Notified,
            (S::Planned | S::Notified, A::Hold) => S::Held,
            (S::Held, A::IssueMinutes) => S::MinutesIssued,
            _ => return Err(MeetingTransitionError { from: self, step }),
        };
        Ok(next)
    }

    /// The agenda and the decisions may still change: the minutes are not issued yet.
    pub fn is_editable(self) -> bool {
        self != MeetingStatus::MinutesIssued
    }
}

stored_state! {
    /// Where an agenda item comes from.
    AgendaSource("议题来源", "agenda source") {
        Problem = "problem", "升级难题", "Escalated problem";
        Project = "project", "预警项目", "Project with an alert or a red light";
        Indicator = "indicator", "红灯指标", "Red indicator";
        Task = "task", "逾期任务", "Overdue task";
        Supervision = "supervision", "未销号督办", "Open supervision item";
        Manual = "manual", "临时议题", "Added by the office";
    }
}

stored_state! {
    /// Where a 督办 item stands, from 交办 to 销号.
    SupervisionStatus("督办事项", "supervision item") {
        Assigned = "assigned", "已交办", "Assigned";
        Acknowledged = "acknowledged", "已签收", "Acknowledged";
        Handling = "handling", "办理中", "In hand";
        FedBack = "fed_back", "已反馈", "Reported back";
        Reviewing = "reviewing", "复核中", "Under review";
        Returned = "returned", "已退回", "Returned";
        Closed = "closed", "已销号", "Closed";
    }
}

stored_state! {
    /// One step on a 督办 item. The unit signs, handles and reports back; the office reviews,
    /// closes (销号) or returns it with a reason, and may urge it at any open state.
    SupervisionStep("督办操作", "supervision step") {
        Acknowledge = "acknowledge", "签收", "Acknowledge";
        Handle = "handle", "报告办理情况", "Report progress";
        Feedback = "feedback", "反馈办结", "Report back";
        Review = "review", "复核", "Review";
        Close = "close", "销号", "Close";
        Return = "return", "退回", "Return";
        Urge = "urge", "催办", "Urge";
    }
}

/// A step that is not allowed from a 督办 item's current state.
pub type SupervisionTransitionError = crate::state::Refused<SupervisionStatus, SupervisionStep>;

impl SupervisionStatus {
    /// The transition table. Reporting progress and urging leave the state as it is (after
    /// the first progress report the item is 办理中).
    pub fn apply(
        self,
        step: SupervisionStep,
    ) -> Result<SupervisionStatus, SupervisionTransitionError> {
        use SupervisionStatus as S;
        use SupervisionStep as A;
        let next = match (self, step) {
            (S::Assigned, A::Acknowledge) => S::Acknowledged,
            (S::Acknowledged | S::Handling | S::Returned, A::Handle) => S::Handling,
            (S::Acknowledged | S::Handling | S::Returned, A::Feedback) => S::FedBack,
            (S::FedBack, A::Review) => S::Reviewing,
            (S::FedBack | S::Reviewing, A::Close) => S::Closed,
            (S::FedBack | S::Reviewing, A::Return) => S::Returned,
            (s, A::Urge) if s.is_open() => s,
            _ => return Err(SupervisionTransitionError { from: self, step }),
        };
        Ok(next)
    }

    /// Not yet 销号.
    pub fn is_open(self) -> bool {
        self != SupervisionStatus::Closed
    }

    /// The steps possible from this state (for the forms on the item's page).
    pub fn steps(self) -> impl Iterator<Item = SupervisionStep> {
        SupervisionStep::ALL
            .iter()
            .copied()
            .filter(move |s| self.apply(*s).is_ok())
    }

    /// The unit's work is still to do: its feedback is what the item waits for.
    pub fn awaits_unit(self) -> bool {
        matches!(
            self,
            SupervisionStatus::Assigned
                | SupervisionStatus::Acknowledged
                | SupervisionStatus::Handling
                | SupervisionStatus::Returned
        )
    }
}

impl SupervisionStep {
    /// Steps the office takes; the others are the lead unit's.
    pub fn by_office(self) -> bool {
        matches!(
            self,
            SupervisionStep::Review
                | SupervisionStep::Close
                | SupervisionStep::Return
                | SupervisionStep::Urge
        )
    }
}

stored_state! {
    /// 三色督办: how urgent an open item is.
    Colour("督办颜色", "colour") {
        Red = "red", "红色(已逾期)", "Red (overdue)";
        Yellow = "yellow", "黄色(反馈滞后)", "Yellow (behind)";
        Blue = "blue", "蓝色(临近期限)", "Blue (due soon)";
        Normal = "normal", "正常", "On track";
    }
}

/// How many working days before the deadline an item turns blue, unless the office sets it.
pub const DEFAULT_NEAR_DAYS: u32 = 3;
/// How many working days after 交办 the unit's feedback is due, unless the office sets it.
pub const DEFAULT_FEEDBACK_DAYS: u32 = 10;
/// How many working days before the meeting a unit's 情况说明 is due.
pub const DEFAULT_STATEMENT_DAYS: u32 = 2;
/// The default rhythm: meetings per month.
pub const DEFAULT_MEETINGS_PER_MONTH: u32 = 2;

/// The colour of a 督办 item on `today`: red past its deadline; yellow when the unit's
/// feedback is overdue (it still owes it after `feedback_due`); blue when the deadline is
/// within `near_days` working days; otherwise normal. A closed item has none.
pub fn colour(
    status: SupervisionStatus,
    deadline: Date,
    feedback_due: Date,
    today: Date,
    calendar: &WorkCalendar,
    near_days: u32,
) -> Option<Colour> {
    if !status.is_open() {
        return None;
    }
    Some(if today > deadline {
        Colour::Red
    } else if status.awaits_unit() && today > feedback_due {
        Colour::Yellow
    } else if calendar.working_days_between(today, deadline) <= i64::from(near_days) {
        Colour::Blue
    } else {
        Colour::Normal
    })
}

/// The next meeting's day by the rhythm of `per_month` meetings a month: a month's share of
/// days after the last meeting, not before `today`, moved to the next working day.
pub fn next_meeting_date(
    last: Option<Date>,
    today: Date,
    per_month: u32,
    calendar: &WorkCalendar,
) -> Date {
    let gap = i64::from(30 / per_month.clamp(1, 30));
    let after_last = last
        .and_then(|d| d.checked_add(time::Duration::days(gap)))
        .unwrap_or(today);
    let day = after_last.max(today);
    calendar.next_working_day(day).unwrap_or(day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::label::{Labelled, Lang};
    use time::macros::date;

    #[test]
    fn the_supervision_table_is_complete() {
        use SupervisionStatus as S;
        use SupervisionStep as A;
        let allowed = [
            (S::Assigned, A::Acknowledge, S::Acknowledged),
            (S::Acknowledged, A::Handle, S::Handling),
            (S::Handling, A::Handle, S::Handling),
            (S::Returned, A::Handle, S::Handling),
            (S::Acknowledged, A::Feedback, S::FedBack),
            (S::Handling, A::Feedback, S::FedBack),
            (S::Returned, A::Feedback, S::FedBack),
            (S::FedBack, A::Review, S::Reviewing),
            (S::FedBack, A::Close, S::Closed),
            (S::Reviewing, A::Close, S::Closed),
            (S::FedBack, A::Return, S::Returned),
            (S::Reviewing, A::Return, S::Returned),
        ];
        for from in S::ALL {
            for step in A::ALL {
                let expected = allowed
                    .iter()
                    .find(|(f, s, _)| f == from && s == step)
                    .map(|(_, _, to)| *to)
                    .or((*step == A::Urge && from.is_open()).then_some(*from));
                match from.apply(*step) {
                    Ok(to) => assert_eq!(Some(to), expected, "{from:?} {step:?}"),
                    Err(e) => {
                        assert_eq!(expected, None, "{from:?} {step:?}");
                        assert_eq!(
                            e,
                            SupervisionTransitionError {
                                from: *from,
                                step: *step
                            }
                        );
                    }
                }
            }
        }
        let msg = S::Closed.apply(A::Feedback).unwrap_err().to_string();
        assert!(msg.starts_with("督办事项当前状态为「已销号」, 不能「反馈办结」"));
        assert_eq!(
            S::Assigned.steps().collect::<Vec<_>>(),
            vec![A::Acknowledge, A::Urge]
        );
    }

    #[test]
    fn the_meeting_table_is_complete() {
        use MeetingStatus as S;
        use MeetingStep as A;
        assert_eq!(S::Planned.apply(A::Notify), Ok(S::Notified));
        assert_eq!(S::Notified.apply(A::Notify), Ok(S::Notified));
        assert_eq!(S::Planned.apply(A::Hold), Ok(S::Held));
        assert_eq!(S::Notified.apply(A::Hold), Ok(S::Held));
        assert_eq!(S::Held.apply(A::IssueMinutes), Ok(S::MinutesIssued));
        for (from, step) in [
            (S::Planned, A::IssueMinutes),
            (S::Notified, A::IssueMinutes),
            (S::Held, A::Notify),
            (S::Held, A::Hold),
            (S::MinutesIssued, A::Notify),
            (S::MinutesIssued, A::Hold),
            (S::MinutesIssued, A::IssueMinutes),
        ] {
            assert!(from.apply(step).is_err(), "{from:?} {step:?}");
        }
        assert!(!S::MinutesIssued.is_editable());
        assert!(S::Held.is_editable());
    }

    #[test]
    fn colours_follow_deadline_feedback_and_working_days() {
        let cal = WorkCalendar::official();
        let open = SupervisionStatus::Handling;
        // Deadline Friday 2017-12-15; feedback due 2017-12-08.
        let (deadline, feedback) = (date!(2017 - 12 - 15), date!(2017 - 12 - 08));
        let c = |status, today| colour(status, deadline, feedback, today, &cal, 3);
        assert_eq!(c(open, date!(2017 - 12 - 05)), Some(Colour::Normal));
        // 12-11 (Mon) → 12-15 is four working days; 12-12 → three: blue.
        assert_eq!(c(open, date!(2017 - 12 - 12)), Some(Colour::Yellow));
        assert_eq!(
            c(SupervisionStatus::FedBack, date!(2017 - 12 - 11)),
            Some(Colour::Normal)
        );
        assert_eq!(
            c(SupervisionStatus::FedBack, date!(2017 - 12 - 12)),
            Some(Colour::Blue)
        );
        assert_eq!(c(open, date!(2017 - 12 - 16)), Some(Colour::Red));
        assert_eq!(
            c(SupervisionStatus::Reviewing, date!(2017 - 12 - 16)),
            Some(Colour::Red)
        );
        assert_eq!(c(SupervisionStatus::Closed, date!(2017 - 12 - 16)), None);
        // Weekends do not count: Friday 12-08 to deadline 12-13 (Wed) is three working days.
        let d2 = date!(2017 - 12 - 13);
        assert_eq!(
            colour(open, d2, d2, date!(2017 - 12 - 08), &cal, 3),
            Some(Colour::Blue)
        );
        assert_eq!(
            colour(open, d2, d2, date!(2017 - 12 - 07), &cal, 3),
            Some(Colour::Normal)
        );
    }

    #[test]
    fn the_rhythm_suggests_the_next_working_day_half_a_month_on() {
        let cal = WorkCalendar::official();
        // 2017-11-20 (Mon) + 15 days = 12-05 (Tue).
        let next = |last, today| next_meeting_date(last, today, 2, &cal);
        assert_eq!(
            next(Some(date!(2017 - 11 - 20)), date!(2017 - 11 - 25)),
            date!(2017 - 12 - 05)
        );
        // 12-01 + 15 = 12-16, a Saturday: Monday 12-18.
        assert_eq!(
            next(Some(date!(2017 - 12 - 01)), date!(2017 - 12 - 05)),
            date!(2017 - 12 - 18)
        );
        // Long ago or never: from today.
        assert_eq!(next(None, date!(2017 - 12 - 05)), date!(2017 - 12 - 05));
        assert_eq!(
            next(Some(date!(2017 - 01 - 01)), date!(2017 - 12 - 05)),
            date!(2017 - 12 - 05)
        );
        assert_eq!(
            next_meeting_date(Some(date!(2017 - 11 - 20)), date!(2017 - 11 - 20), 1, &cal),
            date!(2017 - 12 - 20)
        );
    }

    #[test]
    fn steps_are_split_between_unit_and_office() {
        let office: Vec<_> = SupervisionStep::ALL
            .iter()
            .filter(|s| s.by_office())
            .collect();
        assert_eq!(office.len(), 4);
        assert!(!SupervisionStep::Feedback.by_office());
        assert_eq!(
            MeetingKind::parse("regular").map(|k| k.label(Lang::Zh)),
            Ok("工作例会")
        );
        assert_eq!(AgendaSource::parse("project"), Ok(AgendaSource::Project));
        assert!(AgendaSource::parse("enterprise").is_err());
    }
}
