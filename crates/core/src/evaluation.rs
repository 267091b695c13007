//! The states of a 亩均效益综合评价 run and of a 公示 objection, with their transitions.
//!
//! A run is a draft the office may re-run and 调档, goes to 公示 (enterprises and towns see
//! their results and may object), and is finally 确定 (nothing changes any more). An objection
//! is open until the office accepts or rejects it, once. Every move is one arm of `apply`;
//! every other move is refused with a message naming it.

use crate::coded::{coded_enum, stored_state};
use serde::Deserialize;
use std::fmt;

pub use crate::objection::{AlreadyAnswered, ObjectionStatus};
pub use crate::state::UnknownState;

stored_state! {
    /// Where an evaluation run is.
    #[derive(Deserialize)]
    RunStatus("评价", "evaluation run") {
        /// 草稿: only the office and leaders see it.
        Draft = "draft", "草稿", "Draft";
        /// 公示中: results are visible in scope; enterprises may object.
        Publicity = "publicity", "公示中", "Publicity";
        /// 已确定: no more 调档 or objections.
        Final = "final", "已确定", "Final";
    }
}

coded_enum! {
    /// What a scheme's 加减分 or 一票否决 did to an enterprise's result (kept with the result).
    #[derive(serde::Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    AdjustmentKind {
        /// 加分: points added.
        Bonus = "bonus", "加分", "Bonus";
        /// 减分: points taken off.
        Deduction = "deduction", "减分", "Deduction";
        /// 一票否决: the class is forced down.
        Veto = "veto", "一票否决", "Veto";
    }
    unknown(code) => UnknownState {
        UnknownState { what_zh: "加减分类别", what_en: "adjustment kind", code }
    }
}

/// What the office or an enterprise does to a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RunAction {
    StartPublicity,
    Finalize,
    /// 调档: the state stays.
    Override,
    /// An enterprise objects to its result: the state stays.
    Object,
}

impl RunAction {
    pub const ALL: [RunAction; 4] = [
        RunAction::StartPublicity,
        RunAction::Finalize,
        RunAction::Override,
        RunAction::Object,
    ];
}

/// A move the run's state does not allow; its message says why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunTransitionError {
    pub from: RunStatus,
    pub action: RunAction,
}

impl fmt::Display for RunTransitionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.action {
            RunAction::StartPublicity => "只有草稿可以进入公示 (only a draft can go to publicity)",
            RunAction::Finalize => "评价结果已确定 (already final)",
            RunAction::Override => "评价结果已确定, 不能再调档 (the run is final)",
            RunAction::Object => "不在公示期内, 不能提出异议 (not in the publicity period)",
        })
    }
}

impl std::error::Error for RunTransitionError {}

impl RunStatus {
    /// The whole transition table.
    pub fn apply(self, action: RunAction) -> Result<RunStatus, RunTransitionError> {
        use RunAction as A;
        use RunStatus as S;
        let next = match (self, action) {
            (S::Draft, A::StartPublicity) => S::Publicity,
            (S::Draft | S::Publicity, A::Finalize) => S::Final,
            (S::Draft | S::Publicity, A::Override) => self,
            (S::Publicity, A::Object) => self,
            _ => return Err(RunTransitionError { from: self, action }),
        };
        Ok(next)
    }

    /// Whether people outside the office and leaders (towns, enterprises) may see the run.
    pub fn is_published(self) -> bool {
        self != RunStatus::Draft
    }

    /// Whether the action is open now (for the forms a page shows).
    pub fn allows(self, action: RunAction) -> bool {
        self.apply(action).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::label::{Labelled, Lang};

    #[test]
    fn the_run_transition_table() {
        use RunAction as A;
        use RunStatus as S;
        let allowed = [
            (S::Draft, A::StartPublicity, S::Publicity),
            (S::Draft, A::Finalize, S::Final),
            (S::Publicity, A::Finalize, S::Final),
            (S::Draft, A::Override, S::Draft),
            (S::Publicity, A::Override, S::Publicity),
            (S::Publicity, A::Object, S::Publicity),
        ];
        for &from in S::ALL {
            for action in A::ALL {
                let expected = allowed
                    .iter()
                    .find(|(f, a, _)| *f == from && *a == action)
                    .map(|(_, _, to)| *to);
                match (from.apply(action), expected) {
                    (Ok(to), Some(e)) => assert_eq!(to, e, "{from:?} {action:?}"),
                    (Err(e), None) => assert_eq!(e, RunTransitionError { from, action }),
                    (got, want) => panic!("{from:?} {action:?}: got {got:?}, want {want:?}"),
                }
            }
        }
    }

    #[test]
    fn refusals_say_why() {
        let e = RunStatus::Final.apply(RunAction::Override).unwrap_err();
        assert_eq!(
            e.to_string(),
            "评价结果已确定, 不能再调档 (the run is final)"
        );
        let e = RunStatus::Draft.apply(RunAction::Object).unwrap_err();
        assert_eq!(
            e.to_string(),
            "不在公示期内, 不能提出异议 (not in the publicity period)"
        );
    }

    #[test]
    fn states_are_labelled_in_both_languages() {
        assert_eq!(RunStatus::Publicity.label(Lang::Zh), "公示中");
        assert_eq!(RunStatus::Final.label(Lang::En), "Final");
        assert_eq!(ObjectionStatus::Rejected.label(Lang::Zh), "不予采纳");
    }

    #[test]
    fn states_round_trip_and_unknown_ones_are_errors() {
        for &s in RunStatus::ALL {
            assert_eq!(RunStatus::parse(s.as_str()), Ok(s));
            assert_eq!(
                serde_json::to_value(s).unwrap(),
                serde_json::json!(s.as_str())
            );
        }
        for &s in ObjectionStatus::ALL {
            assert_eq!(ObjectionStatus::try_from(s.as_str().to_string()), Ok(s));
        }
        let e = RunStatus::parse("finished").unwrap_err();
        assert_eq!(
            e.to_string(),
            "未知的评价状态 \"finished\" (unknown evaluation run state)"
        );
        assert!(ObjectionStatus::parse("").is_err());
    }
}
