//! 考核评价 (migration 0022): the office's versioned schemes (`schemes`), runs with their
//! results and items (`runs`), what each reader may see of them (`results`), manual points
//! (`manual`) and objections with the office's adjustments (`objections`).
//!
//! Scope: the office and leaders read everything; a unit reads the runs once in 公示 or final,
//! its own breakdown, and the ranking of its class only once final; another unit's breakdown
//! answers "not found". Only the office writes, except that a unit files objections on its
//! own items during 公示. A final run is frozen: every write refuses it.

use crate::{Result, StoreError};
use qx_core::access::Actor;
use qx_core::assessment::{Fact, ItemKind, ObjectionStatus, RunStatus, Scheme, Source};
use qx_core::text::TextField;
use serde::Serialize;

mod manual;
mod notices;
mod objections;
mod results;
mod runs;
mod schemes;

pub use manual::{ManualEdit, ManualEntry, ManualFile, ManualFileData, NewManual};
pub use objections::{Answer, NewObjection, Objection};
pub use results::reads_breakdown;
pub use runs::{NewRun, RunGroup};

/// One saved version of a scheme.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct SchemeVersion {
    pub id: i64,
    pub year: i64,
    pub name: String,
    pub version: i64,
    pub body: String,
    pub created_at: i64,
}

impl SchemeVersion {
    /// The scheme it holds (validated when saved; checked again on reading). A body saved
    /// before schemes had a cadence reads as quarterly (the bulletin's, all there was).
    pub fn scheme(&self) -> Result<Scheme> {
        let scheme: std::result::Result<Scheme, String> =
            serde_json::from_str::<Scheme>(&self.body)
                .map_err(|e| e.to_string())
                .and_then(|s| s.validate().map(|()| s).map_err(|e| e.to_string()));
        scheme.map_err(|e| {
            StoreError::Invalid(format!(
                "考核方案 {} (第{}版): {e}",
                self.name, self.version
            ))
        })
    }
}

/// An assessment run.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Run {
    pub id: i64,
    pub year: i64,
    /// "2017Q3" for a quarter, "2017" for the year.
    pub period: String,
    pub plan_id: i64,
    #[sqlx(try_from = "String")]
    pub status: RunStatus,
    /// The last day of 公示 (ISO), once published.
    pub publicity_until: Option<String>,
    pub created_at: i64,
    pub finalised_at: Option<i64>,
}

/// A unit's result in a run.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct UnitResult {
    pub id: i64,
    pub run_id: i64,
    pub scheme_id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub score: Option<f64>,
    pub place: Option<i64>,
    pub previous_place: Option<i64>,
    pub lead_days: Option<f64>,
    pub vetoed: Option<String>,
}

impl UnitResult {
    /// Places gained (+) or lost (−) since the previous period.
    pub fn change(&self) -> Option<i64> {
        Some(self.previous_place? - self.place?)
    }
}

/// One item of a unit's breakdown, with the records behind it.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ItemResult {
    pub id: i64,
    pub result_id: i64,
    pub item_key: String,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub kind: ItemKindCode,
    #[sqlx(try_from = "String")]
    pub source: SourceCode,
    pub weight: f64,
    pub figure: Option<f64>,
    pub record_count: i64,
    pub points: f64,
    pub applicable: i64,
    pub class_average: i64,
    pub provenance: String,
}

impl ItemResult {
    /// The figures and records the item used.
    pub fn facts(&self) -> Vec<Fact> {
        serde_json::from_str(&self.provenance).unwrap_or_default()
    }
}

/// An item kind decoded from its stored code (sqlx needs a local type to decode into).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(transparent)]
pub struct ItemKindCode(#[serde(serialize_with = "kind_code")] pub ItemKind);

/// A source decoded from its stored code.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(transparent)]
pub struct SourceCode(#[serde(serialize_with = "source_code")] pub Source);

fn kind_code<S: serde::Serializer>(k: &ItemKind, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(k.as_str())
}

fn source_code<S: serde::Serializer>(k: &Source, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(k.as_str())
}

impl TryFrom<String> for ItemKindCode {
    type Error = qx_core::assessment::scheme::UnknownCode;
    fn try_from(s: String) -> std::result::Result<Self, Self::Error> {
        ItemKind::try_from(s).map(ItemKindCode)
    }
}

impl TryFrom<String> for SourceCode {
    type Error = qx_core::assessment::scheme::UnknownCode;
    fn try_from(s: String) -> std::result::Result<Self, Self::Error> {
        Source::try_from(s).map(SourceCode)
    }
}

/// 理由 of manual points and of an objection.
pub(crate) const REASON: TextField = TextField {
    label: "理由",
    max_chars: 500,
    required: true,
};
/// 依据 / 证明材料.
pub(crate) const EVIDENCE: TextField = TextField {
    label: "依据",
    max_chars: 500,
    required: false,
};
/// The office's answer to an objection.
pub(crate) const ANSWER: TextField = TextField {
    label: "答复意见",
    max_chars: 1000,
    required: true,
};

/// Only the office writes schemes, runs, manual points and answers.
fn only_office(actor: &Actor) -> Result<()> {
    crate::office_only(actor, "管理考核评价")
}

/// A final run refuses every change.
fn refuse_final(status: RunStatus) -> Result<()> {
    if status.is_final() {
        Err(StoreError::Conflict("考核结果已终审, 不能再更改".into()))
    } else {
        Ok(())
    }
}

/// Whether `status` lets a unit see the run at all.
fn visible_to_units(status: RunStatus) -> bool {
    status != RunStatus::Preliminary
}

/// Objection states decoded from their code.
pub(crate) fn objection_status(code: &str) -> Result<ObjectionStatus> {
    ObjectionStatus::parse(code).map_err(|e| StoreError::Invalid(e.to_string()))
}
