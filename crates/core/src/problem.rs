//! 企业难题 (enterprise problems): categories, tiers, the handling state machine and its
//! working-day deadlines.
//!
//! A problem moves 提交 → 受理 → 交办 → 办理中 → 已答复 → 企业评价 → 办结 (`shared/conventions.md`
//! §6), with the side branches 退回 (a unit hands it back as "not ours"), 延期申请, 督办,
//! 升级 (to the next tier) and 不满意重办. [`Status::apply`] is the whole table: every other
//! move is refused with a message. [`Action::parties`] says who may take each step; the store
//! decides which party an actor is for a given problem.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::Date;

use crate::calendar::WorkCalendar;

/// The reason the deadline sweep gives when it raises an overdue problem a tier (升级) by
/// itself; read in English as such (`notice::Text`).
pub const AUTO_ESCALATION_REASON: &str = "答复超期自动升级";

/// A [`coded_enum!`](crate::coded::coded_enum) of the problem module: serialised as its code,
/// `parse` gives `None` for an unknown code and decoding a stored one fails with [`UnknownCode`].
macro_rules! labelled_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $code:literal, $zh:literal, $en:literal;)+ }) => {
        crate::coded::coded_enum! {
            $(#[$meta])*
            #[derive(PartialOrd, Ord, Serialize, Deserialize)]
            #[serde(rename_all = "snake_case")]
            $name { $($variant = $code, $zh, $en;)+ }
            unknown(code) => UnknownCode { UnknownCode { what: stringify!($name), code } }
        }

        impl $name {
            pub fn parse(s: &str) -> Option<Self> {
                Self::from_code(s)
            }

            pub fn label_zh(self) -> &'static str {
                crate::label::Labelled::label(&self, crate::label::Lang::Zh)
            }

            pub fn label_en(self) -> &'static str {
                crate::label::Labelled::label(&self, crate::label::Lang::En)
            }
        }
    };
}

/// A stored code that names no value of its enum (a row written by hand, or by a newer
/// version): reading it fails instead of guessing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what}: 未知代码 \"{code}\" (unknown code)")]
pub struct UnknownCode {
    pub what: &'static str,
    pub code: String,
}

labelled_enum! {
    /// What the problem is about; decides the proposed county department and the time limits.
    Category {
        Land = "land", "用地", "Land";
        Labour = "labour", "用工", "Labour";
        Finance = "finance", "融资", "Finance";
        Approval = "approval", "审批", "Approvals";
        Policy = "policy", "政策", "Policy";
        Infrastructure = "infrastructure", "基础设施", "Infrastructure";
        Other = "other", "其他", "Other";
    }
}

labelled_enum! {
    /// 来源: how a problem reached the system (the stored `source`).
    Channel {
        Web = "web", "企业网上提交", "Submitted online";
        Visit = "visit", "大走访", "Company visit";
        Hotline = "hotline", "服务热线", "Service hotline";
        Api = "api", "接口", "Open API";
    }
}

impl Category {
    /// The county department that handles the category by default (the office can change the
    /// routing table).
    pub fn default_department(self) -> &'static str {
        match self {
            Category::Land => "县国土资源局",
            Category::Labour => "县人社局",
            Category::Finance => "县金融办",
            Category::Approval => "县审管办",
            Category::Policy | Category::Other => "县经信局",
            Category::Infrastructure => "县住建局",
        }
    }
}

labelled_enum! {
    /// The handling level: the enterprise's town first, then a county department (主办 + 协办),
    /// then the 工业强县工作例会.
    Tier {
        Town = "town", "镇乡(街道)", "Town";
        Department = "department", "县级部门", "County department";
        Meeting = "meeting", "工作例会", "Work meeting";
    }
}

impl Tier {
    /// Where an escalation goes; `None` at the top.
    pub fn next(self) -> Option<Tier> {
        match self {
            Tier::Town => Some(Tier::Department),
            Tier::Department => Some(Tier::Meeting),
            Tier::Meeting => None,
        }
    }
}

labelled_enum! {
    /// Where a problem is in its handling.
    Status {
        Submitted = "submitted", "提交", "Submitted";
        Accepted = "accepted", "受理", "Accepted";
        Assigned = "assigned", "交办", "Assigned";
        InProgress = "in_progress", "办理中", "In progress";
        Returned = "returned", "退回待改派", "Returned";
        Answered = "answered", "已答复", "Answered";
        Rated = "rated", "企业评价", "Rated";
        Closed = "closed", "办结", "Closed";
        Withdrawn = "withdrawn", "企业已撤回", "Withdrawn";
    }
}

labelled_enum! {
    /// A choice of the problem list's status filter that stands for several statuses at once.
    StatusGroup {
        Open = "open", "未办结", "Open (not closed)";
        Handling = "handling", "承办单位办理中", "With the handling unit";
    }
}

impl StatusGroup {
    /// Whether a problem in `status` is one of the group: 未办结 is every status but 办结 and
    /// 撤回; 承办单位办理中 is 交办 and 办理中, the states in which the lead unit is the one to
    /// act (受理 and 退回待改派 wait for the office, 已答复 and after for the enterprise and
    /// the office's 办结).
    pub fn contains(self, status: Status) -> bool {
        match self {
            StatusGroup::Open => status.is_open(),
            StatusGroup::Handling => matches!(status, Status::Assigned | Status::InProgress),
        }
    }
}

/// The status a timeline event moved a problem from or to, as `problem_events` stores it:
/// none (stored as `''`) for events that move nothing (notes, attachments, 例会 decisions).
/// Decoding an unknown code fails; it is sent as it is stored (the code, or `""`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EventStatus(pub Option<Status>);

impl EventStatus {
    /// The stored code (`''` for none).
    pub fn as_str(self) -> &'static str {
        self.0.map_or("", Status::as_str)
    }
}

impl From<Status> for EventStatus {
    fn from(s: Status) -> Self {
        EventStatus(Some(s))
    }
}

impl TryFrom<String> for EventStatus {
    type Error = UnknownCode;
    fn try_from(code: String) -> Result<Self, UnknownCode> {
        if code.is_empty() {
            Ok(EventStatus(None))
        } else {
            Status::try_from(code).map(|s| EventStatus(Some(s)))
        }
    }
}

impl Serialize for EventStatus {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

labelled_enum! {
    /// The enterprise's verdict on an answer.
    Satisfaction {
        Satisfied = "satisfied", "满意", "Satisfied";
        Basic = "basic", "基本满意", "Mostly satisfied";
        Unsatisfied = "unsatisfied", "不满意", "Unsatisfied";
    }
}

impl Satisfaction {
    /// 满意率 counts 满意 and 基本满意. The store's rate queries and the rate cube's triggers
    /// spell the same rule in SQL; a store test checks they agree with this one.
    pub fn counts_as_satisfied(self) -> bool {
        !matches!(self, Satisfaction::Unsatisfied)
    }
}

labelled_enum! {
    /// Where a 工作例会 decision stands: open until its owner unit reports it done.
    DecisionStatus {
        Open = "open", "落实中", "Open";
        Done = "done", "已落实", "Done";
    }
}

labelled_enum! {
    /// One handling step.
    Action {
        Accept = "accept", "受理", "Accept";
        Assign = "assign", "交办", "Assign";
        Start = "start", "签收办理", "Start handling";
        Return = "return", "退回(非本单位职责)", "Hand back (not ours)";
        RequestExtension = "request_extension", "申请延期", "Request extension";
        DecideExtension = "decide_extension", "审批延期", "Decide extension";
        Urge = "urge", "督办", "Urge";
        Escalate = "escalate", "升级", "Escalate";
        Answer = "answer", "答复", "Answer";
        Rate = "rate", "评价", "Rate";
        Redo = "redo", "不满意重办", "Redo (unsatisfied)";
        Close = "close", "办结", "Close";
        Withdraw = "withdraw", "撤回", "Withdraw";
    }
}

labelled_enum! {
    /// How an actor stands to a problem.
    Party {
        Office = "office", "办公室", "Office";
        HandlingUnit = "unit", "承办单位", "Handling unit";
        Enterprise = "enterprise", "企业", "Enterprise";
    }
}

impl Action {
    /// Who may take this step.
    pub fn parties(self) -> &'static [Party] {
        match self {
            Action::Accept
            | Action::Assign
            | Action::DecideExtension
            | Action::Urge
            | Action::Close => &[Party::Office],
            Action::Start | Action::Return | Action::RequestExtension | Action::Answer => {
                &[Party::HandlingUnit]
            }
            Action::Escalate => &[Party::Office, Party::Enterprise],
            Action::Rate | Action::Withdraw => &[Party::Enterprise],
            Action::Redo => &[Party::Enterprise, Party::Office],
        }
    }

    pub fn allowed_for(self, party: Party) -> bool {
        self.parties().contains(&party)
    }
}

/// What one entry of a problem's timeline records: a handling step, or an entry that moves
/// nothing (the submission, an attachment, a 例会 decision, an internal note). Stored as its
/// code in `problem_events.action`; an unknown code fails the read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    Submit,
    Step(Action),
    Attach,
    Decision,
    /// 内部备注: written by the office or the handling unit for county staff only; never shown
    /// to the enterprise (page, API or export).
    InternalNote,
}

impl EventKind {
    const OTHERS: [(EventKind, &'static str, &'static str, &'static str); 4] = [
        (EventKind::Submit, "submit", "提交难题", "Submitted"),
        (EventKind::Attach, "attach", "上传附件", "Attachment added"),
        (
            EventKind::Decision,
            "decision",
            "例会决定",
            "Meeting decision",
        ),
        (
            EventKind::InternalNote,
            "internal_note",
            "内部备注",
            "Internal note",
        ),
    ];

    /// The code stored in `problem_events.action`.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Step(a) => a.as_str(),
            other => Self::OTHERS
                .iter()
                .find(|(k, ..)| *k == other)
                .map_or("", |(_, code, ..)| code),
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Action::parse(code).map(EventKind::Step).or_else(|| {
            Self::OTHERS
                .iter()
                .find(|(_, c, ..)| *c == code)
                .map(|(k, ..)| *k)
        })
    }

    /// Whether the enterprise may see the entry.
    pub fn shown_to_enterprise(self) -> bool {
        self != EventKind::InternalNote
    }
}

impl crate::label::Labelled for EventKind {
    fn label(&self, lang: crate::label::Lang) -> &'static str {
        match self {
            EventKind::Step(a) => a.label(lang),
            other => Self::OTHERS
                .iter()
                .find(|(k, ..)| k == other)
                .map_or("", |(_, _, zh, en)| lang.pick(zh, en)),
        }
    }
}

impl TryFrom<String> for EventKind {
    type Error = UnknownCode;

    fn try_from(code: String) -> Result<Self, UnknownCode> {
        Self::parse(&code).ok_or(UnknownCode {
            what: "EventKind",
            code,
        })
    }
}

impl Serialize for EventKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A step that is not allowed from the problem's current state.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("难题当前状态为「{}」, 不能执行「{}」 (cannot {} a problem that is {})",
    .from.label_zh(), .action.label_zh(), .action.label_en().to_lowercase(), .from.label_en().to_lowercase())]
pub struct TransitionError {
    pub from: Status,
    pub action: Action,
}

impl Status {
    /// Open means someone still owes the enterprise something: a closed problem is done, a
    /// withdrawn one was never taken on (it counts as neither answered nor handled).
    pub fn is_open(self) -> bool {
        !matches!(self, Status::Closed | Status::Withdrawn)
    }

    /// The transition table. Steps that record something without moving the problem
    /// (延期申请, 审批延期, 督办) return the same state.
    pub fn apply(self, action: Action) -> Result<Status, TransitionError> {
        use Action as A;
        use Status as S;
        let next = match (self, action) {
            (S::Submitted, A::Accept) => S::Accepted,
            // The enterprise may take a problem back until the office has accepted it.
            (S::Submitted, A::Withdraw) => S::Withdrawn,
            (S::Accepted | S::Returned, A::Assign) => S::Assigned,
            (S::Assigned, A::Start) => S::InProgress,
            (S::Assigned | S::InProgress, A::Return) => S::Returned,
            (S::Assigned | S::InProgress, A::RequestExtension | A::DecideExtension) => self,
            (S::Accepted | S::Assigned | S::InProgress | S::Returned, A::Urge) => self,
            (S::Assigned | S::InProgress | S::Returned, A::Escalate) => S::Assigned,
            (S::InProgress, A::Answer) => S::Answered,
            (S::Answered, A::Rate) => S::Rated,
            (S::Rated, A::Redo) => S::InProgress,
            // The office may close an answer the enterprise never rated (未评价办结).
            (S::Answered | S::Rated, A::Close) => S::Closed,
            _ => return Err(TransitionError { from: self, action }),
        };
        Ok(next)
    }

    /// The steps possible from this state (for the action forms on a problem's page).
    pub fn actions(self) -> impl Iterator<Item = Action> {
        Action::ALL
            .iter()
            .copied()
            .filter(move |a| self.apply(*a).is_ok())
    }

    /// Which deadline the problem is currently running against.
    pub fn running_deadline(self) -> Option<DeadlineKind> {
        match self {
            Status::Submitted => Some(DeadlineKind::Accept),
            Status::Accepted | Status::Assigned | Status::InProgress | Status::Returned => {
                Some(DeadlineKind::Answer)
            }
            Status::Answered | Status::Rated => Some(DeadlineKind::Close),
            Status::Closed | Status::Withdrawn => None,
        }
    }
}

/// The three clocks of a problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineKind {
    Accept,
    Answer,
    Close,
}

/// Time limits in working days (受理, 答复, 办结), counted from the day the clock starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeLimits {
    pub accept_days: u32,
    pub answer_days: u32,
    pub close_days: u32,
}

impl Default for TimeLimits {
    /// 受理 1, 答复 5, 办结 15 working days.
    fn default() -> Self {
        TimeLimits {
            accept_days: 1,
            answer_days: 5,
            close_days: 15,
        }
    }
}

impl TimeLimits {
    /// Refuses limits that cannot be met in order (受理 ≤ 答复 ≤ 办结, each 1–250 days).
    pub fn new(accept_days: u32, answer_days: u32, close_days: u32) -> Result<Self, String> {
        for (name, v) in [
            ("受理时限", accept_days),
            ("答复时限", answer_days),
            ("办结时限", close_days),
        ] {
            if !(1..=250).contains(&v) {
                return Err(format!("{name}: 必须在1到250个工作日之间, 实际为 {v}"));
            }
        }
        if !(accept_days <= answer_days && answer_days <= close_days) {
            return Err(format!(
                "时限: 须满足 受理 ≤ 答复 ≤ 办结, 实际为 {accept_days} / {answer_days} / {close_days}"
            ));
        }
        Ok(TimeLimits {
            accept_days,
            answer_days,
            close_days,
        })
    }
}

/// Time limits per category, falling back to the defaults.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TimeLimitConfig {
    pub default: TimeLimits,
    pub per_category: BTreeMap<Category, TimeLimits>,
}

impl TimeLimitConfig {
    pub fn for_category(&self, c: Category) -> TimeLimits {
        self.per_category.get(&c).copied().unwrap_or(self.default)
    }
}

/// A problem's due dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Deadlines {
    pub accept_by: Date,
    pub answer_by: Date,
    pub close_by: Date,
}

impl Deadlines {
    /// 受理 counts from submission; 答复 and 办结 from `clock_start` (submission, or the day of
    /// the last escalation or redo) plus approved extension days. A due date on a day off moves
    /// to the next working day. `None` only past the end of representable dates.
    pub fn compute(
        calendar: &WorkCalendar,
        submitted: Date,
        clock_start: Date,
        limits: TimeLimits,
        extension_days: u32,
    ) -> Option<Deadlines> {
        Some(Deadlines {
            accept_by: calendar.add_working_days(submitted, limits.accept_days)?,
            answer_by: calendar
                .add_working_days(clock_start, limits.answer_days + extension_days)?,
            close_by: calendar.add_working_days(clock_start, limits.close_days + extension_days)?,
        })
    }

    pub fn get(&self, kind: DeadlineKind) -> Date {
        match kind {
            DeadlineKind::Accept => self.accept_by,
            DeadlineKind::Answer => self.answer_by,
            DeadlineKind::Close => self.close_by,
        }
    }
}

/// How a running deadline looks today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineFlag {
    OnTrack,
    /// Due today or on the next working day.
    Near,
    Overdue,
}

impl DeadlineFlag {
    pub fn of(calendar: &WorkCalendar, today: Date, due: Date) -> DeadlineFlag {
        if due < today {
            DeadlineFlag::Overdue
        } else if calendar.working_days_between(today, due) <= 1 {
            DeadlineFlag::Near
        } else {
            DeadlineFlag::OnTrack
        }
    }

    /// The flag of a problem's running deadline: on track when the problem is no longer open
    /// or runs against no deadline. The one rule the list, its export and the detail page use.
    pub fn running(
        calendar: &WorkCalendar,
        today: Date,
        status: Status,
        due: Option<Date>,
    ) -> DeadlineFlag {
        match due {
            Some(due) if status.is_open() => DeadlineFlag::of(calendar, today, due),
            _ => DeadlineFlag::OnTrack,
        }
    }

    pub fn is_overdue(self) -> bool {
        self == DeadlineFlag::Overdue
    }

    pub fn is_near(self) -> bool {
        self == DeadlineFlag::Near
    }

    /// The flag a list filter names (`near`, `overdue`; `on_track`).
    pub fn parse(code: &str) -> Option<DeadlineFlag> {
        [
            DeadlineFlag::OnTrack,
            DeadlineFlag::Near,
            DeadlineFlag::Overdue,
        ]
        .into_iter()
        .find(|f| f.as_str() == code)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            DeadlineFlag::OnTrack => "on_track",
            DeadlineFlag::Near => "near",
            DeadlineFlag::Overdue => "overdue",
        }
    }
}

/// Counts behind the handling rates. 答复率 = 已答复 ÷ 应答复 (answered, plus unanswered past
/// their answer deadline); 按时答复率 = 按时答复 ÷ 已答复; 解决率 = 已解决 ÷ 已办结;
/// 满意率 = (满意 + 基本满意) ÷ 有效评价 (`shared/conventions.md` §6).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateCounts {
    pub total: i64,
    pub answered: i64,
    pub overdue_unanswered: i64,
    pub answered_on_time: i64,
    pub closed: i64,
    pub resolved: i64,
    pub rated: i64,
    pub satisfied: i64,
    /// Sums of working days from submission to answer and to close (for the averages).
    pub answer_workdays: i64,
    pub close_workdays: i64,
}

/// Rates as percentages; `None` where the denominator is zero (nothing to rate yet).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Rates {
    pub counts: RateCounts,
    pub answer_rate: Option<f64>,
    pub on_time_answer_rate: Option<f64>,
    pub resolution_rate: Option<f64>,
    pub satisfaction_rate: Option<f64>,
    pub avg_days_to_answer: Option<f64>,
    pub avg_days_to_close: Option<f64>,
}

fn pct(num: i64, den: i64) -> Option<f64> {
    (den > 0).then(|| num as f64 * 100.0 / den as f64)
}

fn avg(sum: i64, n: i64) -> Option<f64> {
    (n > 0).then(|| sum as f64 / n as f64)
}

impl From<RateCounts> for Rates {
    fn from(c: RateCounts) -> Rates {
        Rates {
            counts: c,
            answer_rate: pct(c.answered, c.answered + c.overdue_unanswered),
            on_time_answer_rate: pct(c.answered_on_time, c.answered),
            resolution_rate: pct(c.resolved, c.closed),
            satisfaction_rate: pct(c.satisfied, c.rated),
            avg_days_to_answer: avg(c.answer_workdays, c.answered),
            avg_days_to_close: avg(c.close_workdays, c.closed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::label::{Labelled, Lang};
    use time::macros::date;

    #[test]
    fn stored_codes_decode_or_fail_naming_the_code() {
        for s in Status::ALL {
            assert_eq!(Status::try_from(s.as_str().to_string()), Ok(*s));
        }
        let err = Status::try_from("Submitted".to_string()).unwrap_err();
        assert_eq!(err.code, "Submitted");
        assert!(err.to_string().contains("Status") && err.to_string().contains("Submitted"));
        assert!(Tier::try_from(String::new()).is_err());
        assert_eq!(Tier::Meeting.label(Lang::Zh), "工作例会");
        assert_eq!(DecisionStatus::Done.label(Lang::En), "Done");
    }

    /// The whole table, written out: (from, action) → to. Anything not listed is refused.
    const TABLE: &[(Status, Action, Status)] = {
        use Action as A;
        use Status as S;
        &[
            (S::Submitted, A::Accept, S::Accepted),
            (S::Submitted, A::Withdraw, S::Withdrawn),
            (S::Accepted, A::Assign, S::Assigned),
            (S::Accepted, A::Urge, S::Accepted),
            (S::Assigned, A::Start, S::InProgress),
            (S::Assigned, A::Return, S::Returned),
            (S::Assigned, A::RequestExtension, S::Assigned),
            (S::Assigned, A::DecideExtension, S::Assigned),
            (S::Assigned, A::Urge, S::Assigned),
            (S::Assigned, A::Escalate, S::Assigned),
            (S::InProgress, A::Return, S::Returned),
            (S::InProgress, A::RequestExtension, S::InProgress),
            (S::InProgress, A::DecideExtension, S::InProgress),
            (S::InProgress, A::Urge, S::InProgress),
            (S::InProgress, A::Escalate, S::Assigned),
            (S::InProgress, A::Answer, S::Answered),
            (S::Returned, A::Assign, S::Assigned),
            (S::Returned, A::Urge, S::Returned),
            (S::Returned, A::Escalate, S::Assigned),
            (S::Answered, A::Rate, S::Rated),
            (S::Answered, A::Close, S::Closed),
            (S::Rated, A::Redo, S::InProgress),
            (S::Rated, A::Close, S::Closed),
        ]
    };

    #[test]
    fn every_state_and_action_follows_the_table() {
        let mut allowed = 0;
        for &from in Status::ALL {
            for &action in Action::ALL {
                let expected = TABLE
                    .iter()
                    .find(|(f, a, _)| *f == from && *a == action)
                    .map(|t| t.2);
                match (from.apply(action), expected) {
                    (Ok(to), Some(want)) => {
                        assert_eq!(to, want, "{from:?} --{action:?}-->");
                        allowed += 1;
                    }
                    (Err(e), None) => {
                        assert_eq!(e, TransitionError { from, action });
                        let msg = e.to_string();
                        assert!(
                            msg.contains(from.label_zh()) && msg.contains(action.label_zh()),
                            "{msg}"
                        );
                    }
                    (got, want) => {
                        panic!("{from:?} --{action:?}--> got {got:?}, table says {want:?}")
                    }
                }
            }
        }
        assert_eq!(allowed, TABLE.len());
    }

    #[test]
    fn a_problem_cannot_jump_from_submitted_to_closed() {
        let err = Status::Submitted.apply(Action::Close).unwrap_err();
        assert_eq!(
            err.to_string().split(" (").next().unwrap(),
            "难题当前状态为「提交」, 不能执行「办结」"
        );
        assert!(Status::Closed.actions().next().is_none(), "办结 is final");
        assert!(
            Status::Withdrawn.actions().next().is_none(),
            "撤回 is final"
        );
        assert!(!Status::Withdrawn.is_open() && Status::Withdrawn.running_deadline().is_none());
        assert!(
            Status::Accepted.apply(Action::Withdraw).is_err(),
            "受理 ends 撤回"
        );
    }

    #[test]
    fn the_main_path_reaches_closed() {
        let path = [
            Action::Accept,
            Action::Assign,
            Action::Start,
            Action::Answer,
            Action::Rate,
            Action::Close,
        ];
        let end = path
            .iter()
            .try_fold(Status::Submitted, |s, a| s.apply(*a))
            .unwrap();
        assert_eq!(end, Status::Closed);
    }

    #[test]
    fn timeline_entries_decode_and_name_themselves() {
        for a in Action::ALL {
            let k = EventKind::Step(*a);
            assert_eq!(EventKind::try_from(k.as_str().to_string()), Ok(k));
            assert_eq!(k.label(Lang::Zh), a.label_zh());
        }
        for (k, code, zh, _) in EventKind::OTHERS {
            assert_eq!(k.as_str(), code);
            assert_eq!(EventKind::parse(code), Some(k));
            assert_eq!(k.label(Lang::Zh), zh);
        }
        assert_eq!(EventKind::Submit.label(Lang::Zh), "提交难题");
        assert!(EventKind::try_from("open".to_string()).is_err());
        assert!(!EventKind::InternalNote.shown_to_enterprise());
        assert!(EventKind::Step(Action::Answer).shown_to_enterprise());
    }

    #[test]
    fn parties() {
        assert!(Action::Answer.allowed_for(Party::HandlingUnit));
        assert!(!Action::Answer.allowed_for(Party::Office));
        assert!(Action::Rate.allowed_for(Party::Enterprise));
        assert!(Action::Escalate.allowed_for(Party::Enterprise));
        assert!(!Action::Close.allowed_for(Party::Enterprise));
        assert!(Action::Withdraw.allowed_for(Party::Enterprise));
        assert!(!Action::Withdraw.allowed_for(Party::Office));
        for a in Action::ALL {
            assert!(!a.parties().is_empty(), "{a:?}");
        }
    }

    #[test]
    fn codes_round_trip() {
        for c in Category::ALL {
            assert_eq!(Category::parse(c.as_str()), Some(*c));
        }
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(*s));
        }
        for a in Action::ALL {
            assert_eq!(Action::parse(a.as_str()), Some(*a));
        }
        assert_eq!(Tier::Town.next(), Some(Tier::Department));
        assert_eq!(Tier::Meeting.next(), None);
        assert_eq!(Category::Land.default_department(), "县国土资源局");
    }

    #[test]
    fn deadlines_skip_holidays_and_count_makeup_days() {
        let cal = WorkCalendar::official();
        // Submitted Thursday 2017-09-28: 9/30 (Saturday) is a make-up workday, 10/1–8 off.
        let d = Deadlines::compute(
            &cal,
            date!(2017 - 09 - 28),
            date!(2017 - 09 - 28),
            TimeLimits::default(),
            0,
        )
        .unwrap();
        assert_eq!(d.accept_by, date!(2017 - 09 - 29));
        assert_eq!(d.answer_by, date!(2017 - 10 - 11), "29, 30, 9, 10, 11");
        assert_eq!(
            cal.working_days_between(date!(2017 - 09 - 28), d.close_by),
            15
        );
        // A submission during the holiday starts counting after it.
        let d = Deadlines::compute(
            &cal,
            date!(2017 - 10 - 03),
            date!(2017 - 10 - 03),
            TimeLimits::default(),
            2,
        )
        .unwrap();
        assert_eq!(d.accept_by, date!(2017 - 10 - 09));
        assert_eq!(
            d.answer_by,
            date!(2017 - 10 - 17),
            "5 + 2 extension days from 10/9"
        );
        assert_eq!(d.get(DeadlineKind::Accept), d.accept_by);
    }

    #[test]
    fn flags() {
        let cal = WorkCalendar::official();
        let fri = date!(2017 - 03 - 03);
        assert_eq!(
            DeadlineFlag::of(&cal, fri, date!(2017 - 03 - 02)),
            DeadlineFlag::Overdue
        );
        assert_eq!(DeadlineFlag::of(&cal, fri, fri), DeadlineFlag::Near);
        assert_eq!(
            DeadlineFlag::of(&cal, fri, date!(2017 - 03 - 06)),
            DeadlineFlag::Near,
            "Monday is next working day"
        );
        assert_eq!(
            DeadlineFlag::of(&cal, fri, date!(2017 - 03 - 07)),
            DeadlineFlag::OnTrack
        );
    }

    #[test]
    fn a_closed_problem_or_one_without_a_running_deadline_is_on_track() {
        let cal = WorkCalendar::weekends_only();
        let fri = date!(2017 - 03 - 03);
        let past = Some(date!(2017 - 03 - 02));
        assert_eq!(
            DeadlineFlag::running(&cal, fri, Status::Assigned, past),
            DeadlineFlag::Overdue
        );
        for closed in [Status::Closed, Status::Withdrawn] {
            assert_eq!(
                DeadlineFlag::running(&cal, fri, closed, past),
                DeadlineFlag::OnTrack
            );
        }
        assert_eq!(
            DeadlineFlag::running(&cal, fri, Status::Assigned, None),
            DeadlineFlag::OnTrack
        );
    }

    #[test]
    fn an_event_status_is_empty_or_a_known_code_never_a_guess() {
        assert_eq!(EventStatus::try_from(String::new()), Ok(EventStatus(None)));
        assert_eq!(
            EventStatus::try_from("answered".to_string()),
            Ok(EventStatus(Some(Status::Answered)))
        );
        assert!(EventStatus::try_from("answred".to_string()).is_err());
        assert_eq!(EventStatus(None).as_str(), "");
    }

    #[test]
    fn time_limits_are_checked() {
        assert!(TimeLimits::new(1, 5, 15).is_ok());
        assert!(TimeLimits::new(0, 5, 15).unwrap_err().contains("受理时限"));
        assert!(
            TimeLimits::new(3, 2, 15)
                .unwrap_err()
                .contains("受理 ≤ 答复")
        );
        let mut cfg = TimeLimitConfig::default();
        cfg.per_category
            .insert(Category::Land, TimeLimits::new(2, 10, 30).unwrap());
        assert_eq!(cfg.for_category(Category::Land).answer_days, 10);
        assert_eq!(cfg.for_category(Category::Policy), TimeLimits::default());
    }

    #[test]
    fn rates_from_counts() {
        let c = RateCounts {
            total: 12,
            answered: 9,
            overdue_unanswered: 1,
            answered_on_time: 6,
            closed: 8,
            resolved: 6,
            rated: 8,
            satisfied: 7,
            answer_workdays: 36,
            close_workdays: 80,
        };
        let r = Rates::from(c);
        assert_eq!(r.answer_rate, Some(90.0));
        assert_eq!(r.resolution_rate, Some(75.0));
        assert_eq!(r.satisfaction_rate, Some(87.5));
        assert_eq!(r.avg_days_to_answer, Some(4.0));
        assert_eq!(r.avg_days_to_close, Some(10.0));
        assert_eq!(Rates::from(RateCounts::default()).answer_rate, None);
    }
}
