//! The parse result: what `qx plan parse --format json` prints (contracts/plan-parse.md) plus
//! what a reviewer needs to check it against the source (line ranges, spans, warnings).

use serde::{Serialize, Serializer};
use std::fmt;

/// A plan document turned into structure.
#[derive(Debug, Clone, Serialize)]
pub struct ParsedPlan {
    /// The plan's own title (for a 通知 that transmits a plan: the plan's title).
    pub title: Option<String>,
    /// 发文字号 as written, e.g. `象工强办〔2017〕3号`.
    pub doc_number: Option<String>,
    /// 发文机关.
    pub issuer: Option<String>,
    /// 成文日期, ISO `YYYY-MM-DD`.
    pub date: Option<String>,
    /// The plan year: from the title, else the date, else the document number.
    pub year: Option<i32>,
    /// How the bytes were read: `text/utf-8`, `text/gb18030`, `text/utf-16`, `docx` or `html`.
    pub source_format: String,
    /// Every numbered node of the body, in document order.
    pub items: Vec<Item>,
    /// Quantitative targets of the plan's goal section (工作目标/主要目标…). When the document
    /// has no goal section: the quantities of the preamble and of items without responsible units.
    pub targets: Vec<Target>,
    /// Quantities named inside tasks and measures (实现"机器换人"项目30个), same shape as targets.
    pub task_indicators: Vec<Target>,
    /// Problems found while parsing; the CLI prints them to stderr.
    #[serde(skip)]
    pub warnings: Vec<Warning>,
    /// The document as plain text lines (for .docx/.html: the extracted text, one paragraph
    /// or table row a line). Line numbers in items, targets and warnings are 1-based indexes here.
    #[serde(skip)]
    pub lines: Vec<String>,
    /// How far a person can trust this parse and where to look first. Not part of the JSON
    /// (contracts/plan-parse.md); the unplaced lines are also in `warnings`.
    #[serde(skip)]
    pub review: Review,
}

/// A per-document confidence and the lines the parser could not place.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Review {
    /// 0–100: 100 when every line found its place, every unit is in the registry, every
    /// target's number was read.
    pub confidence: u8,
    /// Why the confidence is below 100, one line each (Chinese / English).
    pub reasons: Vec<String>,
    /// Lines that belong nowhere in the structure, in document order.
    pub unplaced: Vec<Unplaced>,
}

impl Review {
    /// `high` (≥ 85), `medium` (≥ 60) or `low`: how carefully to review.
    pub fn level(&self) -> &'static str {
        match self.confidence {
            85.. => "high",
            60.. => "medium",
            _ => "low",
        }
    }
}

/// A source line the parser could not place, with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unplaced {
    /// 1-based, in [`ParsedPlan::lines`].
    pub line: usize,
    pub text: String,
    pub reason: String,
}

/// One numbered node (一、 (一) 1. (1) ① 第X条 …).
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    /// Path of numbering markers, e.g. `三.(一).1.(1)`.
    pub number: String,
    /// Nesting depth, 1 for top-level items.
    pub depth: usize,
    /// The short title when the item starts with one (`强化工投集团功能`), else null.
    pub heading: Option<String>,
    /// The item's own text without its marker (children excluded).
    pub text: String,
    /// Every responsible unit named for the item, in order (canonical names where known).
    pub units: Vec<String>,
    /// 牵头单位 / 主办 (or the first unit when the document says the first one leads).
    pub lead_units: Vec<String>,
    /// 配合单位 / 协办.
    pub support_units: Vec<String>,
    /// First and last source line of the item's own text, 1-based, inclusive.
    pub lines: LineRange,
    /// 时间节点 as written (`12月底`), from a 完成时限 note or column. Not part of the
    /// `plan parse` JSON contract; the draft's deadline box starts with it.
    #[serde(skip)]
    pub deadline: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LineRange {
    pub first: usize,
    pub last: usize,
}

/// A quantitative target or task indicator.
#[derive(Debug, Clone, Serialize)]
pub struct Target {
    /// `number` of the item it appears in; null for the preamble.
    pub section: Option<String>,
    /// The phrase as written, e.g. `规上工业产值同比增长8%`.
    pub text: String,
    /// A short name, e.g. `规上工业产值增速`.
    pub name: String,
    /// The number as written (lower bound of a range such as `8—10个`).
    #[serde(serialize_with = "plain_number")]
    pub value: f64,
    /// Upper bound of a range (`8—10个` → value 8, max 10); null otherwise.
    #[serde(serialize_with = "plain_number_opt")]
    pub max: Option<f64>,
    /// Unit as written in the plan: `%`, `个百分点`, `家`, `亿元`, `万平方米`…
    pub unit: String,
    /// `>=` (不低于/以上/达到/增长…), `<=` (以内/不超过/控制在/下降…) or `=` (左右, about).
    pub comparator: Comparator,
    /// `increase` for 增长/提高 X (a growth rate), `decrease` for 下降/降低 X; null for a level
    /// or count. A decrease is a signed change: `下降3%` reads as change `<=` −3%.
    pub change: Option<Change>,
    /// Where the phrase is in the source.
    pub source: Span,
}

/// A place in the source: 1-based line, char columns `[start, end)` within that line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Span {
    pub line: usize,
    pub start: usize,
    pub end: usize,
}

/// How a target's value is to be met (`>=`, `<=`, `=`): the domain's one definition, which the
/// parser fills in and the store and monitoring read.
pub use qx_core::indicator::Comparator;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    Increase,
    Decrease,
}

/// Something the parser noticed but could not settle; the document still parsed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// 1-based line in [`ParsedPlan::lines`], when the problem has one.
    pub line: Option<usize>,
    pub kind: WarningKind,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningKind {
    /// A line that looks like a numbered item but could not be placed in the tree as written.
    UnplacedItem,
    /// A responsible unit not found in the unit directory (output as written).
    UnknownUnit,
    /// A target phrase whose number could not be read.
    UnreadableNumber,
    /// Something about the document as a whole (no items, no title…).
    Document,
    /// A line of text that belongs to no item and was not recognised as anything else.
    UnplacedLine,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "第{line}行 / line {line}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// Integers print as `8`, not `8.0`, matching how the plan wrote them.
fn plain_number<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        s.serialize_i64(*v as i64)
    } else {
        s.serialize_f64(*v)
    }
}

fn plain_number_opt<S: Serializer>(v: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(v) => plain_number(v, s),
        None => s.serialize_none(),
    }
}

/// Format a value the way [`Target::value`] serialises it.
pub fn format_number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}
