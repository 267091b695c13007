//! An objection raised during 公示, to a 亩均评价 result or a 考核 result: open until the office
//! answers it, once, accepting or rejecting it. One state table for both modules.

use crate::coded::stored_state;
use serde::Deserialize;

stored_state! {
    /// Where an objection to a published result is (亩均评价 or 考核 公示).
    #[derive(Deserialize)]
    ObjectionStatus("异议", "objection") {
        /// 待答复.
        Open = "open", "待答复", "Open";
        /// 已采纳 (the result was changed: 调档, or the item's points adjusted).
        Accepted = "accepted", "已采纳", "Accepted";
        /// 不予采纳.
        Rejected = "rejected", "不予采纳", "Rejected";
    }
}

/// An objection answered already cannot be answered again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("该异议已答复, 不能再次答复 (the objection was answered already)")]
pub struct AlreadyAnswered {
    pub from: ObjectionStatus,
}

impl ObjectionStatus {
    /// The office's answer: an open objection is accepted or rejected.
    pub fn answer(self, accepted: bool) -> Result<ObjectionStatus, AlreadyAnswered> {
        match (self, accepted) {
            (ObjectionStatus::Open, true) => Ok(ObjectionStatus::Accepted),
            (ObjectionStatus::Open, false) => Ok(ObjectionStatus::Rejected),
            (from, _) => Err(AlreadyAnswered { from }),
        }
    }

    pub fn is_open(self) -> bool {
        self == ObjectionStatus::Open
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::label::{Labelled, Lang};

    #[test]
    fn an_objection_is_answered_once() {
        use ObjectionStatus as O;
        assert_eq!(O::Open.answer(true), Ok(O::Accepted));
        assert_eq!(O::Open.answer(false), Ok(O::Rejected));
        for from in [O::Accepted, O::Rejected] {
            for accepted in [true, false] {
                assert_eq!(from.answer(accepted), Err(AlreadyAnswered { from }));
            }
        }
    }

    #[test]
    fn states_are_labelled_and_round_trip() {
        assert_eq!(ObjectionStatus::Rejected.label(Lang::Zh), "不予采纳");
        assert_eq!(ObjectionStatus::Accepted.label(Lang::Zh), "已采纳");
        for &s in ObjectionStatus::ALL {
            assert_eq!(ObjectionStatus::try_from(s.as_str().to_string()), Ok(s));
        }
        assert!(ObjectionStatus::parse("upheld").is_err());
    }
}
