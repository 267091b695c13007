//! The states a plan, a reporting period and a unit's submission pass through, as stored.
//!
//! Each is decoded from its database code with an error, never a default: a value this code
//! does not know means the database and the program disagree, and guessing would show a wrong
//! page or, worse, let a locked report be edited. [`SubmissionStatus::apply`] is the whole
//! table of a submission's moves (draft → submitted → returned/approved → superseded, and a
//! submitted report withdrawn to a draft until the office acts); every
//! other move is refused with a message.

use crate::coded::stored_state;

use crate::label::{Labelled, Lang};

/// A stored state code this program does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("未知的{what_zh}状态 \"{code}\" (unknown {what_en} state)")]
pub struct UnknownState {
    pub what_zh: &'static str,
    pub what_en: &'static str,
    pub code: String,
}

/// What a stored state is the state of, in messages ("会议", "meeting").
pub trait StateOf {
    const WHAT_ZH: &'static str;
    const WHAT_EN: &'static str;
}

/// A step that a record's current state does not allow, named in both languages:
/// `会议当前状态为「已召开」, 不能「发出通知」 (cannot notify a meeting that is held)`. The
/// states whose table refuses with this message name it as `XTransitionError`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused<S, A> {
    pub from: S,
    pub step: A,
}

impl<S, A> std::fmt::Display for Refused<S, A>
where
    S: StateOf + Labelled + std::fmt::Display,
    A: Labelled + std::fmt::Display,
{
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}当前状态为「{}」, 不能「{}」 (cannot {} a {} that is {})",
            S::WHAT_ZH,
            self.from.label(Lang::Zh),
            self.step.label(Lang::Zh),
            self.step,
            S::WHAT_EN,
            self.from
        )
    }
}

impl<S, A> std::error::Error for Refused<S, A>
where
    S: StateOf + Labelled + std::fmt::Display + std::fmt::Debug,
    A: Labelled + std::fmt::Display + std::fmt::Debug,
{
}

stored_state! {
    /// A plan (工作方案): imported as a draft, published by the office, withdrawn when a later
    /// plan of the same year is published.
    PlanStatus("方案", "plan") {
        Draft = "draft", "草稿(待审核)", "Draft (in review)";
        Published = "published", "已发布", "Published";
        Withdrawn = "withdrawn", "已替换", "Superseded";
    }
}

impl PlanStatus {
    /// Only the office sees a plan before it is published.
    pub fn is_draft(self) -> bool {
        self == PlanStatus::Draft
    }
}

stored_state! {
    /// A reporting period (报送期): units write into it while it is open.
    PeriodStatus("报送期", "reporting period") {
        Open = "open", "报送中", "Open";
        Closed = "closed", "已关闭", "Closed";
    }
}

stored_state! {
    /// One revision of a unit's report for a period.
    SubmissionStatus("报送", "submission") {
        Draft = "draft", "草稿", "Draft";
        Submitted = "submitted", "待审核", "Submitted";
        Returned = "returned", "被退回", "Returned";
        Approved = "approved", "已审核", "Approved";
        /// An approved revision replaced by an approved correction.
        Superseded = "superseded", "已更正", "Superseded";
    }
}

stored_state! {
    /// A move of a submission.
    SubmissionStep("报送操作", "submission step") {
        Save = "save", "暂存", "Save";
        Submit = "submit", "提交审核", "Submit";
        Approve = "approve", "审核通过", "Approve";
        Return = "return", "退回", "Return";
        /// Starts a correction: a new draft revision; the approved one stands until the
        /// correction is approved.
        Correct = "correct", "发起更正", "Start a correction";
        Supersede = "supersede", "被更正替代", "Supersede";
        /// The unit takes a submitted report back before the office has acted on it.
        Withdraw = "withdraw", "撤回", "Withdraw";
    }
}

stored_state! {
    /// What became of one handing-in of a report (历次报送); none yet while it waits.
    SendingDecision("报送记录", "sending") {
        Approved = "approved", "审核通过", "Approved";
        Returned = "returned", "退回", "Returned";
        /// Taken back by the unit before the office acted on it.
        Withdrawn = "withdrawn", "已撤回", "Withdrawn";
    }
}

/// A move that is not allowed from a submission's current state.
pub type SubmissionTransitionError = Refused<SubmissionStatus, SubmissionStep>;

impl SubmissionStatus {
    /// The transition table. Starting a correction leaves the approved revision approved.
    pub fn apply(
        self,
        step: SubmissionStep,
    ) -> Result<SubmissionStatus, SubmissionTransitionError> {
        use SubmissionStatus as S;
        use SubmissionStep as A;
        let next = match (self, step) {
            (S::Draft | S::Returned, A::Save) => S::Draft,
            (S::Draft | S::Returned, A::Submit) => S::Submitted,
            (S::Submitted, A::Approve) => S::Approved,
            (S::Submitted, A::Return) => S::Returned,
            (S::Submitted, A::Withdraw) => S::Draft,
            (S::Approved, A::Correct) => S::Approved,
            (S::Approved, A::Supersede) => S::Superseded,
            _ => return Err(SubmissionTransitionError { from: self, step }),
        };
        Ok(next)
    }

    /// The unit may still change it (figures, evidence): a draft or a returned report.
    pub fn is_editable(self) -> bool {
        self.apply(SubmissionStep::Save).is_ok()
    }

    /// The unit has handed it in: it counts as reported for the period.
    pub fn is_reported(self) -> bool {
        matches!(
            self,
            SubmissionStatus::Submitted | SubmissionStatus::Approved
        )
    }

    /// Seen by the office and leaders: anything the unit has handed in at some time.
    pub fn is_handed_in(self) -> bool {
        self != SubmissionStatus::Draft
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_submission_table_is_exactly_the_documented_moves() {
        use SubmissionStatus as S;
        use SubmissionStep as A;
        let allowed = [
            (S::Draft, A::Save, S::Draft),
            (S::Draft, A::Submit, S::Submitted),
            (S::Returned, A::Save, S::Draft),
            (S::Returned, A::Submit, S::Submitted),
            (S::Submitted, A::Approve, S::Approved),
            (S::Submitted, A::Return, S::Returned),
            (S::Submitted, A::Withdraw, S::Draft),
            (S::Approved, A::Correct, S::Approved),
            (S::Approved, A::Supersede, S::Superseded),
        ];
        for &from in S::ALL {
            for &step in A::ALL {
                let expected = allowed
                    .iter()
                    .find(|(f, s, _)| *f == from && *s == step)
                    .map(|(_, _, to)| *to);
                match (from.apply(step), expected) {
                    (Ok(to), Some(want)) => assert_eq!(to, want, "{from} {step}"),
                    (Err(e), None) => {
                        assert_eq!(e, SubmissionTransitionError { from, step });
                        assert!(e.to_string().contains(from.label(Lang::Zh)));
                    }
                    (got, want) => panic!("{from} {step}: {got:?}, expected {want:?}"),
                }
            }
        }
        assert!(S::Returned.is_editable() && S::Draft.is_editable());
        assert!(!S::Submitted.is_editable() && !S::Approved.is_editable());
        assert!(S::Submitted.is_reported() && S::Approved.is_reported());
        assert!(!S::Returned.is_reported() && !S::Superseded.is_reported());
    }

    #[test]
    fn states_decode_from_their_codes_and_refuse_anything_else() {
        for &s in SubmissionStatus::ALL {
            assert_eq!(SubmissionStatus::parse(s.as_str()), Ok(s));
        }
        for &s in PlanStatus::ALL {
            assert_eq!(PlanStatus::try_from(s.as_str().to_string()), Ok(s));
        }
        assert_eq!(PeriodStatus::parse("open"), Ok(PeriodStatus::Open));
        let e = SubmissionStatus::parse("Draft").unwrap_err();
        assert_eq!(e.code, "Draft");
        assert!(e.to_string().contains("未知的报送状态"));
        assert!(PlanStatus::parse("").is_err());
        assert!(PeriodStatus::parse("opened").is_err());
    }
}
