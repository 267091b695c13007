//! The states of an assessment run (初步 → 公示 → 终审) and of an objection (异议), with their
//! moves. A final run is frozen: no adjustment, no objection, no re-scoring.

use crate::coded::stored_state;
use serde::Deserialize;
use std::fmt;

stored_state! {
    /// Where an assessment run is.
    #[derive(Deserialize)]
    RunStatus("考核", "assessment run") {
        /// 初步: the office and leaders see it; the office may re-score and adjust.
        Preliminary = "preliminary", "初步结果", "Preliminary";
        /// 公示: each unit sees its own breakdown and may object until the period ends.
        Publicity = "publicity", "公示中", "In publicity";
        /// 终审: frozen; units see the class ranking.
        Final = "final", "终审结果", "Final";
    }
}

/// What the office or a unit does to a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RunAction {
    /// Score again from today's inputs (the results are replaced).
    Rescore,
    Publish,
    /// An item's points changed by the office (audited before/after); the state stays.
    Adjust,
    /// A unit objects to an item; the state stays.
    Object,
    Finalise,
}

impl RunAction {
    pub const ALL: [RunAction; 5] = [
        RunAction::Rescore,
        RunAction::Publish,
        RunAction::Adjust,
        RunAction::Object,
        RunAction::Finalise,
    ];
}

/// A move the run's state does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunTransitionError {
    pub from: RunStatus,
    pub action: RunAction,
}

impl fmt::Display for RunTransitionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match (self.from, self.action) {
            (RunStatus::Final, _) => "考核结果已终审, 不能再更改",
            (_, RunAction::Rescore) => "已公示的结果不能重新计算",
            (_, RunAction::Publish) => "只有初步结果可以公示",
            (_, RunAction::Object) => "不在公示期内, 不能提出异议",
            (_, RunAction::Adjust | RunAction::Finalise) => "当前状态不允许此操作",
        })
    }
}

impl std::error::Error for RunTransitionError {}

impl RunStatus {
    /// The whole table of a run's moves.
    pub fn apply(self, action: RunAction) -> Result<RunStatus, RunTransitionError> {
        use RunAction as A;
        use RunStatus as S;
        let next = match (self, action) {
            (S::Preliminary, A::Rescore | A::Adjust) => self,
            (S::Preliminary, A::Publish) => S::Publicity,
            (S::Publicity, A::Adjust | A::Object) => self,
            // A quarterly view may be finalised without 公示 (the 通报 ranking).
            (S::Preliminary | S::Publicity, A::Finalise) => S::Final,
            _ => return Err(RunTransitionError { from: self, action }),
        };
        Ok(next)
    }

    pub fn is_final(self) -> bool {
        self == RunStatus::Final
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use RunAction as A;
    use RunStatus as S;

    #[test]
    fn a_run_goes_preliminary_publicity_final_and_then_nothing() {
        assert_eq!(S::Preliminary.apply(A::Publish), Ok(S::Publicity));
        assert_eq!(S::Publicity.apply(A::Object), Ok(S::Publicity));
        assert_eq!(S::Publicity.apply(A::Adjust), Ok(S::Publicity));
        assert_eq!(S::Publicity.apply(A::Finalise), Ok(S::Final));
        assert_eq!(S::Preliminary.apply(A::Finalise), Ok(S::Final));
        assert!(S::Preliminary.apply(A::Object).is_err());
        assert!(S::Publicity.apply(A::Rescore).is_err());
        for a in RunAction::ALL {
            let e = S::Final.apply(a).unwrap_err();
            assert_eq!(e.to_string(), "考核结果已终审, 不能再更改");
        }
        assert_eq!(S::parse("publicity"), Ok(S::Publicity));
        assert!(S::parse("draft").is_err());
    }
}
