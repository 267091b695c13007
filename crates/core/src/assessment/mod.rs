//! 考核评价 of departments, zones and towns (issue #18): the office's schemes, the inputs a
//! unit is measured on, the pure scoring of a class and its ranking, and the states of a run.
//!
//! - [`scheme`]: a [`Scheme`] per year and unit class (差异化考核), versioned, validated with
//!   messages naming the field; items with a weight, a scoring [`Method`] and an input
//!   [`Source`]; bonus and deduction items with caps; 一票否决 conditions.
//! - [`score`]: scoring is a pure function from each unit's [`Measure`]s to an item breakdown
//!   (score per item with the figures it used), and [`rank`] orders a class by the stated rule.
//! - [`run`]: a run's states 初步 → 公示 → 终审 and an objection's, with `apply`.
//!
//! Nothing here reads a database: the app gathers the measures (with the records behind them,
//! for provenance) and the store keeps schemes, runs and frozen results.

pub mod run;
pub mod scheme;
pub mod score;

pub use crate::objection::ObjectionStatus;
pub use run::{RunAction, RunStatus, RunTransitionError};
pub use scheme::{
    Cadence, Item, ItemKind, Method, MethodKind, Scheme, SchemeError, Source, UnitClass, Veto,
};
pub use score::{
    Fact, ItemScore, Measure, Placed, TIE_RULE_ZH, UnitInputs, UnitScore, rank, score_class,
};
