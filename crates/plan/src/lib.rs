//! Plan documents (工作推进方案) → structure. No database, no I/O beyond reading the file.
//!
//! A county's annual plan arrives as plain text (UTF-8, UTF-8 with BOM, UTF-16 with BOM or
//! GB18030/GBK — detected, not assumed), as a Word `.docx` (paragraphs and tables), as a
//! saved `.html` page, as a PDF with a text layer, or as a legacy `.doc`/`.wps` (converted by
//! LibreOffice when it is installed). Text that lost its line breaks gets them back, and a
//! task table flattened to text lines is read as a table. This crate turns it into a [`ParsedPlan`]: metadata (title, 发文字号,
//! issuer, 成文日期, year), every numbered item (一、 (一) 1. (1) ① 第X条…) with its responsible
//! units, and the quantitative targets, ready for a person to review before it is published.
//! The JSON form is `contracts/plan-parse.md`.
//!
//! # API
//! - [`parse_file`]`(path, &units)` and [`parse_bytes`]`(bytes, file_name, &units)` →
//!   `Result<`[`ParsedPlan`]`, `[`PlanError`]`>`. An error means the input is not a document
//!   at all (empty, binary, unknown encoding, > 50 MB, broken .docx, a scanned PDF or one over
//!   its limits, a .doc without LibreOffice); its message names the
//!   file in Chinese and English. Parsing itself never fails: what it cannot settle becomes a
//!   [`Warning`] with a line number in [`ParsedPlan::warnings`].
//! - [`parse_text`]`(text, &units)` for text already in memory; [`parse_extracted`] for the
//!   extracted lines a draft stores (same parse, same [`Review`]).
//! - [`ParsedPlan::review`]: a confidence (0–100) with its reasons and the lines the parser
//!   could not place, for the review page; not in the JSON.
//! - [`UnitDirectory::from_entries`] builds the registry names are resolved against
//!   (canonical name + aliases); the caller supplies it, from `qx_core`'s seed registry or the
//!   database.
//! - [`ParsedPlan::to_outline`] renders the `--format text` outline; `serde_json` gives the JSON.
//!
//! # Decisions a reviewer should know
//! - `targets` are the quantities of the goal section (a heading containing 目标, or ending in
//!   指标, such as 二、工作目标); quantities inside tasks go to `task_indicators`. A document
//!   without a goal section has as targets the quantities of its preamble and of items that
//!   name no responsible unit.
//! - A range `8—10个` is `value: 8, max: 10`. `左右` gives comparator `=`. `下降3%` gives
//!   `value: 3, change: "decrease", comparator: "<="`: the signed change is at most −3%.
//! - Line numbers refer to [`ParsedPlan::lines`]: the source lines of a text file; for
//!   .docx/.html the extracted text (one paragraph or table row a line).
//! - Task tables in .docx/.html (header with 责任单位/牵头单位/配合单位…) read as one numbered
//!   item per row; Word's automatic list numbering is rendered into the text.

mod deadline;
mod directory;
mod error;
mod input;
mod marker;
mod meta;
mod model;
mod outline;
mod parse;
mod quantity;
mod reflow;
mod text;
mod units;

pub use directory::UnitDirectory;
pub use error::PlanError;
pub use input::{MAX_INPUT_BYTES, MAX_PDF_DECOMPRESSED, MAX_PDF_PAGES, MAX_PDF_TEXT};
pub use model::{
    Change, Comparator, Item, LineRange, ParsedPlan, Review, Span, Target, Unplaced, Warning,
    WarningKind,
};

use std::path::Path;

/// Parse a document from memory. `file_name` is used for messages and as a format hint
/// (`.docx`, `.html`); the content decides in the end.
pub fn parse_bytes(
    bytes: &[u8],
    file_name: &str,
    units: &UnitDirectory,
) -> Result<ParsedPlan, PlanError> {
    let source = input::decode(bytes, file_name)?;
    Ok(parse::parse_lines(source.lines, source.format, units))
}

/// Read and parse a file; refuses files over [`MAX_INPUT_BYTES`] before reading them.
pub fn parse_file(path: &Path, units: &UnitDirectory) -> Result<ParsedPlan, PlanError> {
    let file = error::display_path(path);
    let size = std::fs::metadata(path)
        .map_err(|e| PlanError::io(path, e))?
        .len();
    if size > MAX_INPUT_BYTES {
        return Err(PlanError::TooLarge {
            file,
            size,
            limit: MAX_INPUT_BYTES,
        });
    }
    let bytes = std::fs::read(path).map_err(|e| PlanError::io(path, e))?;
    parse_bytes(&bytes, &file, units)
}

/// Parse text that is already decoded (plain text, one paragraph a line).
pub fn parse_text(text: &str, units: &UnitDirectory) -> ParsedPlan {
    let lines = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l).to_owned())
        .collect();
    parse::parse_lines(lines, "text/utf-8", units)
}

/// Parse a document's extracted lines again — [`ParsedPlan::lines`] joined with `\n`, as a
/// draft stores them — under the `source_format` the first parse reported. Gives the same
/// items, targets and [`Review`] as the first parse, without the original file.
pub fn parse_extracted(text: &str, source_format: &str, units: &UnitDirectory) -> ParsedPlan {
    let lines = text.split('\n').map(str::to_owned).collect();
    parse::parse_lines(lines, source_format, units)
}

impl ParsedPlan {
    /// The human-readable outline printed by `qx plan parse --format text`.
    pub fn to_outline(&self) -> String {
        outline::render(self)
    }
}
