//! The file format of `qx eval` (`shared/contracts/eval.md`): FACTS.csv in, RESULTS.csv out.
//!
//! Reading is the hot path for a province-sized run, so it avoids a general CSV parser when it
//! can: the file is mapped (or read whole), cut at line ends into chunks that are parsed in
//! parallel straight into their own rows of the final columns (SIMD for separators,
//! `fast_float2` for numbers), and only the columns the scheme uses are parsed at all. From the
//! line of the first double quote on, the `csv` crate reads the rest, which handles quoted
//! separators and line breaks; both paths share the cell rules.
//!
//! Nothing here scores anything: the reader builds an [`InputTable`], the writer prints
//! [`Results`].

mod map;
mod read;
mod scan;
mod write;

pub use read::{read_facts, read_facts_from, read_facts_from_limited, read_facts_limited};
pub use write::{
    Reserve, Writeback, push_fixed, write_atomically, write_atomically_and_release, write_rejected,
    write_results,
};

use crate::check::Issue;
use crate::engine::Results;
use crate::mem;
use crate::number;
use crate::scheme::Scheme;
use crate::table::{InputTable, Scale, StrColumn};
use rayon::prelude::*;
use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// An issue with a line of the input file (lines counted from 1, the header is line 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineIssue {
    pub line: u64,
    pub issue: Issue,
}

impl LineIssue {
    /// `第12行 "land_mu": 必须大于0, 实际为 "0" (…)`.
    pub fn render(&self) -> String {
        self.issue.render(self.line, None)
    }
}

/// The input file cannot be read at all (as opposed to having bad rows).
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("无法读取 {path}: {source} (cannot read the input file)")]
    Io { path: PathBuf, source: io::Error },
    #[error("输入文件为空 (the input file is empty)")]
    Empty,
    #[error("输入文件只有表头, 没有数据行 (the input file has a header but no rows)")]
    NoRows,
    #[error(
        "第{line}行不是有效的 UTF-8 文本{hint}。请将文件另存为 \"CSV UTF-8\" 后重试 \
         (line {line} is not valid UTF-8{hint_en}; save the file as CSV UTF-8 and retry)"
    )]
    NotUtf8 {
        line: u64,
        hint: &'static str,
        hint_en: &'static str,
    },
    #[error(
        "缺少必需的列: {} (missing required columns; the header has: {})",
        name_list(.missing), name_list(.found)
    )]
    MissingColumns {
        missing: Vec<String>,
        found: Vec<String>,
    },
    #[error(
        "表头中 \"{}\" 列出现了两次 (column \"{}\" appears twice in the header)",
        clip(.0), clip(.0)
    )]
    DuplicateColumn(String),
    #[error("CSV 格式错误 (malformed CSV): {0}")]
    Csv(String),
}

/// Header names shown in a message before the rest are only counted: a header of 100,000
/// columns must not make a message of a megabyte.
const SHOWN_NAMES: usize = 20;

/// Characters of one cell or name shown in a message.
const SHOWN_CHARS: usize = 40;

/// At most [`SHOWN_CHARS`] characters of `s`, with the length when cut.
pub fn clip(s: &str) -> std::borrow::Cow<'_, str> {
    match s.char_indices().nth(SHOWN_CHARS) {
        None => s.into(),
        Some((end, _)) => format!("{}…(共{}字)", &s[..end], s.chars().count()).into(),
    }
}

/// `a, b, c` for a few names; the first [`SHOWN_NAMES`] and a count for many.
fn name_list(names: &[String]) -> String {
    let mut out: Vec<String> = names
        .iter()
        .take(SHOWN_NAMES)
        .map(|n| clip(n).into_owned())
        .collect();
    if names.len() > SHOWN_NAMES {
        out.push(format!(
            "…另有 {} 列 (and {} more)",
            names.len() - SHOWN_NAMES,
            names.len() - SHOWN_NAMES
        ));
    }
    out.join(", ")
}

impl ReadError {
    fn not_utf8(line: u64, bytes: &[u8]) -> ReadError {
        // A GBK/GB18030 file is the usual culprit (Excel's default "CSV" on Chinese Windows).
        let (_, _, gb_errors) = encoding_rs::GB18030.decode(bytes);
        if gb_errors {
            ReadError::NotUtf8 {
                line,
                hint: "",
                hint_en: "",
            }
        } else {
            ReadError::NotUtf8 {
                line,
                hint: ", 文件似乎是 GBK/GB18030 编码",
                hint_en: "; the file looks GBK/GB18030-encoded",
            }
        }
    }
}

/// A parsed facts file: the table, where each row came from, and the rows that could not be read.
#[derive(Debug)]
pub struct FactsFile {
    /// The rows that parsed (their cell rules are checked later by [`crate::check`]).
    pub table: InputTable,
    /// `lines[row]`: the file line of each table row.
    pub lines: Vec<u64>,
    /// Rows left out because a cell could not be read (not a number, unknown scale …), by line:
    /// at most the limit given to [`read_facts_limited`].
    pub issues: Vec<LineIssue>,
    /// How many such problems there are in all, including those not kept in `issues`.
    pub issue_count: u64,
    /// How many rows were left out for such problems.
    pub rejected_rows: u64,
    /// The header as written.
    pub header: Vec<String>,
}
