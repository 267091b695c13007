//! The file format of `qx eval` (`shared/contracts/eval.md`): FACTS.csv in, RESULTS.csv out.
//!
//! Reading is the hot path for a province-sized run, so it avoids a general CSV parser when it
//! can: the file is read in blocks, each block is cut at line ends into pieces that are parsed in
//! parallel (memchr for separators, `fast_float2` for numbers), and only the columns the scheme
//! uses are parsed at all. A block containing a double quote switches the rest of the file to the
//! `csv` crate, which handles quoted separators and line breaks; both paths share the cell rules.
//!
//! Nothing here scores anything: the reader builds an [`InputTable`], the writer prints
//! [`Results`].

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

/// Bytes read and parsed at a time.
const BLOCK: usize = 8 << 20;

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

/// What to do with each header column.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Target {
    Uscc,
    Scale,
    Num(usize),
    Flag(usize),
    Text(usize),
}

/// The columns to extract, by header position.
struct Plan {
    /// Issues kept (the rest are only counted).
    max_issues: usize,
    targets: Vec<Option<Target>>,
    header: Vec<String>,
    numeric: Vec<String>,
    text: Vec<String>,
}

impl Plan {
    fn new(header: Vec<String>, scheme: &Scheme, max_issues: usize) -> Result<Plan, ReadError> {
        let mut targets = vec![None; header.len()];
        let mut seen = std::collections::HashSet::new();
        for h in &header {
            if !h.is_empty() && !seen.insert(h.as_str()) {
                return Err(ReadError::DuplicateColumn(h.clone()));
            }
        }
        let pos = |name: &str| header.iter().position(|h| h == name);
        let mut missing = Vec::new();
        let mut require = |name: &str| {
            let p = pos(name);
            if p.is_none() && !missing.iter().any(|m| m == name) {
                missing.push(name.to_owned());
            }
            p
        };
        if let Some(p) = require("uscc") {
            targets[p] = Some(Target::Uscc);
        }
        if let Some(p) = require("scale") {
            targets[p] = Some(Target::Scale);
        }
        for c in &scheme.input.required {
            require(c);
        }
        let text_used = scheme.text_columns_used();
        for c in &text_used {
            require(c);
        }
        if !missing.is_empty() {
            return Err(ReadError::MissingColumns {
                missing,
                found: header.clone(),
            });
        }
        let flag_cols = scheme.flag_columns();
        let mut numeric = Vec::new();
        for c in scheme.numeric_columns_used() {
            if let Some(p) = pos(&c) {
                let is_flag = flag_cols.contains(&c);
                targets[p] = Some(if is_flag {
                    Target::Flag(numeric.len())
                } else {
                    Target::Num(numeric.len())
                });
                numeric.push(c);
            }
        }
        let mut text = Vec::new();
        for c in text_used {
            if let Some(p) = pos(&c) {
                targets[p] = Some(Target::Text(text.len()));
                text.push(c);
            }
        }
        Ok(Plan {
            max_issues,
            targets,
            header,
            numeric,
            text,
        })
    }
}

/// Columns parsed from one piece of the file.
struct Piece {
    uscc: StrColumn,
    scale: Vec<Scale>,
    numeric: Vec<Vec<f64>>,
    text: Vec<StrColumn>,
    /// Line of each row, relative to the piece's first line (0-based).
    lines: Vec<u64>,
    issues: Vec<LineIssue>,
    /// Issues found, kept or not.
    issue_count: u64,
    /// Rows left out.
    rejected: u64,
    /// Lines the piece spans.
    n_lines: u64,
}

impl Piece {
    fn new(plan: &Plan, rows: usize) -> Piece {
        Piece {
            uscc: StrColumn::with_capacity(rows, 18),
            scale: mem::with_capacity(rows),
            numeric: plan
                .numeric
                .iter()
                .map(|_| mem::with_capacity(rows))
                .collect(),
            text: plan
                .text
                .iter()
                .map(|_| StrColumn::with_capacity(rows, 8))
                .collect(),
            lines: mem::with_capacity(rows),
            issues: Vec::new(),
            issue_count: 0,
            rejected: 0,
            n_lines: 0,
        }
    }

    /// Records a problem, building its message only while under the plan's limit.
    #[cold]
    fn report(&mut self, plan: &Plan, line: u64, issue: impl FnOnce() -> Issue) {
        self.issue_count += 1;
        if self.issues.len() < plan.max_issues {
            self.issues.push(LineIssue {
                line,
                issue: issue(),
            });
        }
    }

    /// Parses one record's fields; a row with any unreadable cell is left out and reported.
    fn push_row(&mut self, plan: &Plan, line: u64, fields: &[&str], nums: &mut [f64]) {
        if fields.len() != plan.header.len() {
            self.report(plan, line, || {
                Issue::new(
                    "",
                    None,
                    format!("有{}列, 表头有{}列", fields.len(), plan.header.len()),
                    format!(
                        "the row has {} fields, the header has {}",
                        fields.len(),
                        plan.header.len()
                    ),
                )
            });
            self.rejected += 1;
            return;
        }
        let mut ok = true;
        let mut uscc = "";
        let mut scale = None;
        for (i, (&field, target)) in fields.iter().zip(&plan.targets).enumerate() {
            let Some(target) = target else {
                continue;
            };
            let cell = trim_str(field);
            match *target {
                Target::Uscc => uscc = cell,
                Target::Scale => {
                    scale = Scale::parse(cell);
                    if scale.is_none() {
                        ok = false;
                        let (zh, en) = if cell.is_empty() {
                            (
                                "必填, 应为 above(规上) 或 below(规下)",
                                "required: above or below",
                            )
                        } else {
                            ("应为 above(规上) 或 below(规下)", "must be above or below")
                        };
                        self.report(plan, line, || {
                            Issue::new(&plan.header[i], (!cell.is_empty()).then_some(cell), zh, en)
                        });
                    }
                }
                Target::Num(k) => {
                    nums[k] = if cell.is_empty() {
                        f64::NAN
                    } else {
                        match number::parse(cell.as_bytes()) {
                            Ok(v) => v,
                            Err(e) => {
                                ok = false;
                                self.report(plan, line, || {
                                    let (zh, en) = split_gloss(&e.to_string());
                                    Issue::new(&plan.header[i], Some(cell), zh, en)
                                });
                                f64::NAN
                            }
                        }
                    };
                }
                Target::Flag(k) => match parse_flag(cell) {
                    Some(v) => nums[k] = v,
                    None => {
                        ok = false;
                        self.report(plan, line, || {
                            Issue::new(
                                &plan.header[i],
                                Some(cell),
                                "应为 是/否 (或 1/0)",
                                "must be yes/no (or 1/0)",
                            )
                        });
                    }
                },
                Target::Text(_) => {}
            }
        }
        let Some(scale) = scale.filter(|_| ok) else {
            self.rejected += 1;
            return;
        };
        if uscc.bytes().any(|b| b.is_ascii_lowercase()) {
            self.uscc.push(&uscc.to_ascii_uppercase());
        } else {
            self.uscc.push(uscc);
        }
        self.scale.push(scale);
        for (col, &v) in self.numeric.iter_mut().zip(nums.iter()) {
            col.push(v);
        }
        for (&field, target) in fields.iter().zip(&plan.targets) {
            if let Some(Target::Text(k)) = target {
                self.text[*k].push(trim_str(field));
            }
        }
        self.lines.push(line);
    }

    /// Parses a piece of the file that holds whole lines and no double quotes.
    ///
    /// One SIMD scan for both separators over the whole piece ([`Separators`]): fields are
    /// short, so per-line or per-field searches would spend their time starting up.
    fn parse_plain(&mut self, plan: &Plan, text: &str) {
        let mut nums = vec![f64::NAN; plan.numeric.len()];
        let mut fields: Vec<&str> = Vec::with_capacity(plan.header.len() + 1);
        let bytes = text.as_bytes();
        let mut line = 0u64;
        let mut field_start = 0;
        let mut ends = Separators::new(bytes);
        loop {
            let (end, line_end) = match ends.next() {
                Some(p) => (p, bytes[p] == b'\n'),
                None if field_start < bytes.len() || !fields.is_empty() => (bytes.len(), true),
                None => break,
            };
            let mut field = &text[field_start..end];
            if line_end && let Some(f) = field.strip_suffix('\r') {
                field = f;
            }
            fields.push(field);
            field_start = end + 1;
            if line_end {
                let blank = fields.len() == 1 && trim_str(fields[0]).is_empty();
                if !blank {
                    self.push_row(plan, line, &fields, &mut nums);
                }
                fields.clear();
                line += 1;
            }
        }
        self.n_lines = line;
    }

    /// Empties the piece, keeping its buffers for the next one.
    fn clear(&mut self) {
        self.uscc.clear();
        self.scale.clear();
        self.numeric.iter_mut().for_each(Vec::clear);
        self.text.iter_mut().for_each(StrColumn::clear);
        self.lines.clear();
        self.issues.clear();
        self.issue_count = 0;
        self.rejected = 0;
        self.n_lines = 0;
    }
}

/// Positions of `,` and `\n` in a byte string, in order. 32 bytes are compared at a time and
/// the set bits of the match mask read off one by one, so a 6-byte field costs a bit scan, not
/// a fresh search (SSE2, part of every x86_64 CPU; a plain loop elsewhere).
struct Separators<'a> {
    bytes: &'a [u8],
    /// Start of the block `mask` describes, and of the next block to load.
    base: usize,
    next: usize,
    mask: u32,
}

impl<'a> Separators<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Separators {
            bytes,
            base: 0,
            next: 0,
            mask: 0,
        }
    }

    /// Bit i set when `block[i]` is a separator (the first 32 bytes at most).
    #[inline(always)]
    fn block_mask(block: &[u8]) -> u32 {
        #[cfg(target_arch = "x86_64")]
        if block.len() >= 32 {
            use std::arch::x86_64::{
                __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128,
                _mm_set1_epi8,
            };
            // SAFETY: SSE2 is part of the x86_64 baseline; the two unaligned 16-byte loads
            // read block[0..32], which the length check above guarantees is in bounds.
            unsafe {
                let comma = _mm_set1_epi8(b',' as i8);
                let newline = _mm_set1_epi8(b'\n' as i8);
                let lo = _mm_loadu_si128(block.as_ptr().cast::<__m128i>());
                let hi = _mm_loadu_si128(block.as_ptr().add(16).cast::<__m128i>());
                let m_lo = _mm_movemask_epi8(_mm_or_si128(
                    _mm_cmpeq_epi8(lo, comma),
                    _mm_cmpeq_epi8(lo, newline),
                )) as u32;
                let m_hi = _mm_movemask_epi8(_mm_or_si128(
                    _mm_cmpeq_epi8(hi, comma),
                    _mm_cmpeq_epi8(hi, newline),
                )) as u32;
                return m_lo | (m_hi << 16);
            }
        }
        let mut m = 0u32;
        for (i, &b) in block.iter().take(32).enumerate() {
            if b == b',' || b == b'\n' {
                m |= 1 << i;
            }
        }
        m
    }
}

impl Iterator for Separators<'_> {
    type Item = usize;

    #[inline]
    fn next(&mut self) -> Option<usize> {
        while self.mask == 0 {
            if self.next >= self.bytes.len() {
                return None;
            }
            self.base = self.next;
            self.mask = Self::block_mask(&self.bytes[self.next..]);
            self.next += 32;
        }
        let i = self.mask.trailing_zeros() as usize;
        self.mask &= self.mask - 1;
        Some(self.base + i)
    }
}

/// Trims spaces, tabs and the ideographic space (U+3000) around a cell.
#[inline]
fn trim_str(s: &str) -> &str {
    match (s.as_bytes().first(), s.as_bytes().last()) {
        // Nearly every cell: nothing to trim, decided on two bytes.
        (Some(a), Some(z))
            if !matches!(a, b' ' | b'\t' | 0xE3) && !matches!(z, b' ' | b'\t' | b'\r' | 0x80) =>
        {
            s
        }
        _ => s.trim_matches(|c: char| c == ' ' || c == '\t' || c == '\r' || c == '\u{3000}'),
    }
}

/// Splits "中文 (English)" messages of [`number::NumberError`] into their two halves.
fn split_gloss(msg: &str) -> (String, String) {
    match msg.rfind(" (") {
        Some(p) if msg.ends_with(')') => {
            (msg[..p].to_owned(), msg[p + 2..msg.len() - 1].to_owned())
        }
        _ => (msg.to_owned(), msg.to_owned()),
    }
}

/// 是/否 flags of 一票否决 columns; numbers count as set when non-zero.
fn parse_flag(cell: &str) -> Option<f64> {
    if cell.is_empty() {
        return Some(f64::NAN);
    }
    let lower = cell.to_lowercase();
    match lower.as_str() {
        "是" | "y" | "yes" | "true" | "有" => Some(1.0),
        "否" | "n" | "no" | "false" | "无" => Some(0.0),
        _ => number::parse(cell.as_bytes()).ok(),
    }
}

/// Accumulates pieces into the final columns.
struct Builder {
    piece: Piece,
    line_base: u64,
    max_issues: usize,
}

impl Builder {
    fn append(&mut self, p: &mut Piece) {
        self.append_all(std::slice::from_mut(p));
    }

    /// Appends parsed pieces in order. Each column is copied on its own task: the copies fault
    /// in the final columns' pages, which costs more than the copying, and done one after the
    /// other they were the serial part of reading.
    fn append_all(&mut self, pieces: &mut [Piece]) {
        let mut bases = Vec::with_capacity(pieces.len());
        let mut next = self.line_base;
        for p in pieces.iter() {
            bases.push(next);
            next += p.n_lines;
        }
        let parts: &[Piece] = pieces;
        let bases_ref = &bases;
        let Piece {
            uscc,
            scale,
            numeric,
            text,
            lines,
            ..
        } = &mut self.piece;
        rayon::scope(|s| {
            s.spawn(move |_| parts.iter().for_each(|p| uscc.append(&p.uscc)));
            s.spawn(move |_| parts.iter().for_each(|p| scale.extend_from_slice(&p.scale)));
            s.spawn(move |_| {
                for (p, &base) in parts.iter().zip(bases_ref) {
                    lines.extend(p.lines.iter().map(|l| l + base));
                }
            });
            for (k, col) in numeric.iter_mut().enumerate() {
                s.spawn(move |_| {
                    parts
                        .iter()
                        .for_each(|p| col.extend_from_slice(&p.numeric[k]))
                });
            }
            for (k, col) in text.iter_mut().enumerate() {
                s.spawn(move |_| parts.iter().for_each(|p| col.append(&p.text[k])));
            }
        });
        for (p, base) in pieces.iter_mut().zip(bases) {
            let room = self.max_issues.saturating_sub(self.piece.issues.len());
            self.piece
                .issues
                .extend(p.issues.drain(..).take(room).map(|mut i| {
                    i.line += base;
                    i
                }));
            self.piece.issue_count += p.issue_count;
            self.piece.rejected += p.rejected;
        }
        self.line_base = next;
    }
}

/// Reads FACTS.csv, parsing only the columns `scheme` uses.
///
/// `progress` is called with the number of bytes consumed so far.
pub fn read_facts(
    path: &Path,
    scheme: &Scheme,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<FactsFile, ReadError> {
    read_facts_limited(path, scheme, progress, usize::MAX)
}

/// [`read_facts`], keeping the first `max_issues` unreadable-cell problems (by line) and only
/// counting the rest ([`FactsFile::issue_count`]), so memory does not grow with bad rows.
pub fn read_facts_limited(
    path: &Path,
    scheme: &Scheme,
    progress: &(dyn Fn(u64) + Sync),
    max_issues: usize,
) -> Result<FactsFile, ReadError> {
    let io_err = |source| ReadError::Io {
        path: path.to_owned(),
        source,
    };
    let file = File::open(path).map_err(io_err)?;
    let size = file.metadata().map_err(io_err)?.len();
    read_facts_from_limited(file, size, scheme, progress, max_issues).map_err(|e| match e {
        ReadError::Io { source, .. } => io_err(source),
        e => e,
    })
}

/// Reads fills `buf` up to `BLOCK` more bytes; returns false at end of input.
fn fill(reader: &mut impl Read, buf: &mut Vec<u8>) -> io::Result<bool> {
    // read_to_end appends into spare capacity without zeroing it first.
    let n = reader.by_ref().take(BLOCK as u64).read_to_end(buf)?;
    Ok(n > 0)
}

/// [`read_facts`] over any reader; `size_hint` (bytes) sizes the columns up front.
pub fn read_facts_from(
    reader: impl Read,
    size_hint: u64,
    scheme: &Scheme,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<FactsFile, ReadError> {
    read_facts_from_limited(reader, size_hint, scheme, progress, usize::MAX)
}

/// [`read_facts_from`] with the issue limit of [`read_facts_limited`].
pub fn read_facts_from_limited(
    mut reader: impl Read,
    size_hint: u64,
    scheme: &Scheme,
    progress: &(dyn Fn(u64) + Sync),
    max_issues: usize,
) -> Result<FactsFile, ReadError> {
    let io_err = |source| ReadError::Io {
        path: PathBuf::new(),
        source,
    };
    let mut buf = Vec::with_capacity(BLOCK + (1 << 16));
    let mut more = fill(&mut reader, &mut buf).map_err(io_err)?;
    if buf.starts_with(b"\xEF\xBB\xBF") {
        buf.drain(..3);
    }
    if buf.iter().all(|b| b.is_ascii_whitespace()) && !more {
        return Err(ReadError::Empty);
    }
    // Header: the first line (a header with quoted line breaks is not supported).
    let header_end = memchr::memchr(b'\n', &buf).map_or(buf.len(), |p| p + 1);
    let header = parse_header(&buf[..header_end])?;
    let plan = Plan::new(header, scheme, max_issues)?;
    let mut consumed = header_end as u64;
    buf.drain(..header_end);

    // Size the columns from the first block's mean line length, so they never grow (a
    // reallocation would copy every column).
    let sample_lines = memchr::memchr_iter(b'\n', &buf).count().max(1);
    let mean_line = (buf.len() / sample_lines).max(8);
    let est_rows = (size_hint as usize / mean_line)
        .saturating_mul(21)
        .saturating_div(20)
        .saturating_add(1024);
    let mut builder = Builder {
        piece: Piece::new(&plan, est_rows),
        line_base: 2,
        max_issues,
    };
    // Several pieces per thread, so a thread that is descheduled does not hold up the block.
    let pieces_per_block = rayon::current_num_threads().max(1) * 8;
    let mut pool: Vec<Piece> = Vec::new();
    loop {
        // Process whole lines; keep the tail for the next round.
        let cut = if more {
            match memchr::memrchr(b'\n', &buf) {
                Some(p) => p + 1,
                None => {
                    more = fill(&mut reader, &mut buf).map_err(io_err)?;
                    continue;
                }
            }
        } else {
            buf.len()
        };
        if memchr::memchr(b'"', &buf[..cut]).is_some() {
            // Quoted fields: hand the rest of the input to the csv crate.
            let rest = io::Cursor::new(std::mem::take(&mut buf)).chain(reader);
            read_quoted(rest, &plan, &mut builder)?;
            break;
        }
        let block = &buf[..cut];
        let ranges = split_lines(block, pieces_per_block);
        // Pieces are reused from block to block, so their buffers are allocated (and their
        // pages faulted in) once, not once per block.
        while pool.len() < ranges.len() {
            pool.push(Piece::new(&plan, BLOCK / pieces_per_block / 64));
        }
        let parsed: Vec<Result<(), ReadError>> = ranges
            .par_iter()
            .zip(pool.par_iter_mut())
            .map(|(&(s, e), piece)| {
                match simdutf8::basic::from_utf8(&block[s..e])
                    .map_err(|_| std::str::from_utf8(&block[s..e]).err())
                {
                    Ok(text) => {
                        piece.clear();
                        piece.parse_plain(&plan, text);
                        Ok(())
                    }
                    Err(err) => {
                        let bad = s + err.map_or(0, |e| e.valid_up_to());
                        let local = memchr::memchr_iter(b'\n', &block[s..bad]).count() as u64;
                        let line_start = memchr::memrchr(b'\n', &block[..bad]).map_or(0, |p| p + 1);
                        let line_end =
                            memchr::memchr(b'\n', &block[bad..]).map_or(block.len(), |p| bad + p);
                        Err(ReadError::not_utf8(local, &block[line_start..line_end]))
                    }
                }
            })
            .collect();
        let mut line_base = builder.line_base;
        for (p, piece) in parsed.into_iter().zip(pool.iter()) {
            match p {
                Ok(()) => line_base += piece.n_lines,
                Err(ReadError::NotUtf8 {
                    line,
                    hint,
                    hint_en,
                }) => {
                    // `line` is relative to the piece; `line_base` counts the pieces before it.
                    return Err(ReadError::NotUtf8 {
                        line: line_base + line,
                        hint,
                        hint_en,
                    });
                }
                Err(e) => return Err(e),
            }
        }
        builder.append_all(&mut pool[..ranges.len()]);
        consumed += cut as u64;
        progress(consumed);
        buf.drain(..cut);
        if !more {
            break;
        }
        more = fill(&mut reader, &mut buf).map_err(io_err)?;
    }

    let Builder { piece, .. } = builder;
    if piece.scale.is_empty() && piece.issue_count == 0 {
        return Err(ReadError::NoRows);
    }
    let mut table =
        InputTable::new(piece.uscc, piece.scale).map_err(|e| ReadError::Csv(e.to_string()))?;
    for (name, col) in plan.numeric.iter().zip(piece.numeric) {
        table
            .set_numeric(name, col)
            .map_err(|e| ReadError::Csv(e.to_string()))?;
    }
    for (name, col) in plan.text.iter().zip(piece.text) {
        table
            .set_text(name, col)
            .map_err(|e| ReadError::Csv(e.to_string()))?;
    }
    Ok(FactsFile {
        table,
        lines: piece.lines,
        issues: piece.issues,
        issue_count: piece.issue_count,
        rejected_rows: piece.rejected,
        header: plan.header,
    })
}

fn parse_header(bytes: &[u8]) -> Result<Vec<String>, ReadError> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut rec = csv::ByteRecord::new();
    match rdr.read_byte_record(&mut rec) {
        Ok(true) => {}
        Ok(false) => return Err(ReadError::Empty),
        Err(e) => return Err(ReadError::Csv(e.to_string())),
    }
    rec.iter()
        .map(|f| match std::str::from_utf8(f) {
            Ok(s) => Ok(trim_str(s).to_owned()),
            Err(_) => Err(ReadError::not_utf8(1, bytes)),
        })
        .collect()
}

/// Cuts a block of whole lines into about `n` ranges, each ending at a line end.
fn split_lines(block: &[u8], n: usize) -> Vec<(usize, usize)> {
    let target = block.len() / n + 1;
    let mut out = Vec::with_capacity(n);
    let mut start = 0;
    while start < block.len() {
        let want = (start + target).min(block.len());
        let end = if want >= block.len() {
            block.len()
        } else {
            memchr::memchr(b'\n', &block[want..]).map_or(block.len(), |p| want + p + 1)
        };
        out.push((start, end));
        start = end;
    }
    out
}

/// A reader that remembers where its line breaks were, so records can be given their line.
///
/// (`csv`'s own record positions count a CRLF file's lines one short after a quoted field.)
struct NewlineIndex<R> {
    inner: R,
    offset: u64,
    /// Line breaks not yet passed: offset, and whether a `\r` precedes it.
    pending: std::collections::VecDeque<(u64, bool)>,
    /// Line breaks already passed.
    passed: u64,
    last_byte: u8,
}

impl<R: Read> NewlineIndex<R> {
    fn new(inner: R) -> Self {
        NewlineIndex {
            inner,
            offset: 0,
            pending: std::collections::VecDeque::new(),
            passed: 0,
            last_byte: 0,
        }
    }

    /// The 0-based line of a record that `csv` says starts at `offset`; offsets must not
    /// decrease between calls. `csv` skips blank lines but reports the record as starting
    /// before them, so blank lines at `offset` are stepped over.
    fn line_of(&mut self, mut offset: u64) -> u64 {
        loop {
            match self.pending.front() {
                Some(&(nl, _)) if nl < offset => {
                    self.pending.pop_front();
                    self.passed += 1;
                }
                Some(&(nl, cr)) if nl == offset || (nl == offset + 1 && cr) => offset = nl + 1,
                _ => return self.passed,
            }
        }
    }
}

impl<R: Read> Read for NewlineIndex<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let data = &buf[..n];
        for p in memchr::memchr_iter(b'\n', data) {
            let before = if p == 0 { self.last_byte } else { data[p - 1] };
            self.pending
                .push_back((self.offset + p as u64, before == b'\r'));
        }
        if let Some(&b) = data.last() {
            self.last_byte = b;
        }
        self.offset += n as u64;
        Ok(n)
    }
}

/// The slow path for files with quoted fields: the `csv` crate, one record at a time.
fn read_quoted(reader: impl Read, plan: &Plan, builder: &mut Builder) -> Result<(), ReadError> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(NewlineIndex::new(reader));
    let mut piece = Piece::new(plan, 1024);
    let mut nums = vec![f64::NAN; plan.numeric.len()];
    let mut rec = csv::ByteRecord::new();
    let base = builder.line_base;
    loop {
        match rdr.read_byte_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                let at = e.position().map_or(0, |p| p.byte());
                let line = rdr.get_mut().line_of(at) + base;
                return Err(ReadError::Csv(format!("第{line}行 (line {line}): {e}")));
            }
        }
        let line = rdr
            .get_mut()
            .line_of(rec.position().map_or(0, |p| p.byte()));
        if rec.len() == 1 && rec.get(0).is_some_and(|f| trim_str_bytes(f).is_empty()) {
            continue;
        }
        let mut fields = Vec::with_capacity(rec.len());
        for f in rec.iter() {
            match std::str::from_utf8(f) {
                Ok(s) => fields.push(s),
                Err(_) => return Err(ReadError::not_utf8(line + base, f)),
            }
        }
        piece.push_row(plan, line, &fields, &mut nums);
        if piece.scale.len() >= 1 << 16 {
            builder.append(&mut piece);
            piece.clear();
        }
    }
    builder.append(&mut piece);
    Ok(())
}

fn trim_str_bytes(b: &[u8]) -> &[u8] {
    number::trim(b)
}

/// Writes a file through a temporary sibling and renames it into place, so a failed run never
/// leaves a partial file under the final name.
pub fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut io::BufWriter<File>) -> io::Result<()>,
) -> io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut w = io::BufWriter::with_capacity(1 << 20, File::create(&tmp)?);
        write(&mut w)?;
        // No fsync: the promise is "no partial file after a failed run", which the rename
        // keeps; syncing 100 MB to disk would double the run time for crash durability only.
        w.flush()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Rows per parallel work unit when writing.
const WRITE_CHUNK: usize = 1 << 14;

/// Writes RESULTS.csv: the contract's header and columns, in output order.
///
/// `uscc` and `scale` are the key columns of the evaluated table (see
/// [`InputTable::into_key_columns`]): the writer needs nothing else from the input, so a caller
/// short of memory can free the numeric columns first.
///
/// When the scheme has 一票否决 or 调档 rules, two columns follow the contract's:
/// `original_class` (the class from the score alone) and `adjust_reason`.
pub fn write_results(
    out: &mut (impl Write + Send),
    uscc: &StrColumn,
    scale: &[Scale],
    results: &Results,
    scheme: &Scheme,
    progress: &(dyn Fn(u64) + Sync),
) -> io::Result<()> {
    let adjusted = scheme.has_class_adjustments();
    let mut header = String::from("uscc,scale,score,rank,class");
    for k in results.item_keys() {
        header.push_str(",score_");
        header.push_str(k);
    }
    if adjusted {
        header.push_str(",original_class,adjust_reason");
    }
    header.push('\n');
    out.write_all(header.as_bytes())?;

    // 1. Format every line in row order: sequential reads of every column. Formatting in rank
    //    order instead would scatter a dozen reads per row over the whole table.
    let n = results.len().min(uscc.len()).min(scale.len());
    let class_names: Vec<&str> = results.class_names.iter().map(String::as_str).collect();
    let formatted: Vec<(Vec<u8>, Vec<u32>)> = (0..n.div_ceil(WRITE_CHUNK))
        .into_par_iter()
        .map(|ci| {
            let rows = ci * WRITE_CHUNK..((ci + 1) * WRITE_CHUNK).min(n);
            let mut b = Vec::with_capacity(rows.len() * 100);
            let mut ends = Vec::with_capacity(rows.len());
            let mut ib = itoa::Buffer::new();
            for row in rows {
                push_field(&mut b, uscc.get(row));
                b.push(b',');
                b.extend_from_slice(scale[row].as_str().as_bytes());
                b.push(b',');
                push_fixed_n::<2>(&mut b, results.total[row]);
                b.push(b',');
                b.extend_from_slice(ib.format(results.rank[row]).as_bytes());
                b.push(b',');
                push_field(&mut b, class_names[results.class[row] as usize]);
                for col in &results.scores {
                    b.push(b',');
                    let s = col[row];
                    if !s.is_nan() {
                        push_fixed_n::<4>(&mut b, s);
                    }
                }
                if adjusted {
                    b.push(b',');
                    push_field(&mut b, results.initial_class(row));
                    b.push(b',');
                    push_field(&mut b, results.adjust_reason(row).unwrap_or(""));
                }
                b.push(b'\n');
                // Chunks hold at most WRITE_CHUNK lines of a few hundred bytes: far below 4 GiB.
                ends.push(u32::try_from(b.len()).unwrap_or(u32::MAX));
            }
            // No shrink_to_fit: it would copy every chunk once more into fresh pages, and the
            // untouched tail of the capacity is never faulted in anyway.
            (b, ends)
        })
        .collect();
    progress(n as u64 / 2);

    // 2. Emit the lines in output order; a writer thread takes the batches in order, so its
    //    system calls overlap with the gathering of the next batch.
    let line = |row: usize| -> &[u8] {
        let (buf, ends) = &formatted[row / WRITE_CHUNK];
        let i = row % WRITE_CHUNK;
        let start = if i == 0 { 0 } else { ends[i - 1] as usize };
        &buf[start..ends[i] as usize]
    };
    let order = results.order();
    let batch = WRITE_CHUNK * rayon::current_num_threads().max(1) * 2;
    let (tx, rx) = std::sync::mpsc::sync_channel::<(usize, Vec<Vec<u8>>)>(2);
    std::thread::scope(|scope| {
        let writer = scope.spawn(move || -> io::Result<()> {
            let mut written = n as u64 / 2;
            for (count, bufs) in rx {
                for b in bufs {
                    out.write_all(&b)?;
                }
                written += count as u64 / 2;
                progress(written);
            }
            Ok(())
        });
        for rows in order.chunks(batch) {
            let bufs: Vec<Vec<u8>> = rows
                .par_chunks(WRITE_CHUNK)
                .map(|chunk| {
                    // Locate every line first (independent loads overlap), then copy them,
                    // prefetching a few lines ahead: each sits at a random place in memory.
                    let lines: Vec<&[u8]> = chunk.iter().map(|&row| line(row as usize)).collect();
                    let mut b = Vec::with_capacity(lines.iter().map(|l| l.len()).sum());
                    for (i, l) in lines.iter().enumerate() {
                        if let Some(ahead) = lines.get(i + 8) {
                            mem::prefetch(ahead);
                        }
                        b.extend_from_slice(l);
                    }
                    b
                })
                .collect();
            if tx.send((rows.len(), bufs)).is_err() {
                // The writer stopped on an error; it reports it below.
                break;
            }
        }
        drop(tx);
        writer
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("writer thread panicked")))
    })
}

/// A CSV field, quoted only when it must be.
fn push_field(b: &mut Vec<u8>, s: &str) {
    if s.bytes().any(|c| matches!(c, b',' | b'"' | b'\n' | b'\r')) {
        b.push(b'"');
        for c in s.bytes() {
            if c == b'"' {
                b.push(b'"');
            }
            b.push(c);
        }
        b.push(b'"');
    } else {
        b.extend_from_slice(s.as_bytes());
    }
}

/// Formats `x` rounded to `decimals` places, half away from zero (as SQL `ROUND` does):
/// `round(x · 10^d)` printed as an integer with the point put back.
pub fn push_fixed(b: &mut Vec<u8>, x: f64, decimals: u32) {
    match decimals {
        0 => push_fixed_n::<0>(b, x),
        1 => push_fixed_n::<1>(b, x),
        2 => push_fixed_n::<2>(b, x),
        3 => push_fixed_n::<3>(b, x),
        _ => push_fixed_n::<4>(b, x),
    }
}

/// [`push_fixed`] for a decimal count known at compile time (divisions become multiplications).
#[inline]
fn push_fixed_n<const D: u32>(b: &mut Vec<u8>, x: f64) {
    let pow = 10i64.pow(D);
    let scaled = x * pow as f64;
    if scaled.is_nan() || scaled.abs() >= 4.0e15 {
        b.extend_from_slice(format!("{x:.prec$}", prec = D as usize).as_bytes());
        return;
    }
    // round() half away from zero without a libm call: below 2^52 the fractional part
    // `scaled - trunc(scaled)` is exact, so the comparison with 0.5 is too.
    let t = scaled as i64;
    let frac = scaled - t as f64;
    let mut i = if frac >= 0.5 {
        t + 1
    } else if frac <= -0.5 {
        t - 1
    } else {
        t
    };
    if i < 0 {
        b.push(b'-');
        i = -i;
    }
    let mut ib = itoa::Buffer::new();
    b.extend_from_slice(ib.format(i / pow).as_bytes());
    if D > 0 {
        b.push(b'.');
        let mut f = i % pow;
        let mut digits = [b'0'; 8];
        for slot in digits[..D as usize].iter_mut().rev() {
            *slot = b'0' + (f % 10) as u8;
            f /= 10;
        }
        b.extend_from_slice(&digits[..D as usize]);
    }
}

/// Writes the `--skip-invalid` side file: every rejected row with its line and the reasons,
/// followed by the row's original cells, so it can be fixed and fed back in.
///
/// The file is streamed from a second read of the input, so no bad row is held in memory: a
/// line that is a table row (`lines`, ascending) is written when it is one of `bad_rows`
/// (ascending), with the messages `row_messages` gives for it; a line the reader left out is
/// parsed again for its messages. `header` is [`FactsFile::header`]. Returns the rows written.
pub fn write_rejected(
    out: &mut impl Write,
    input: &Path,
    scheme: &Scheme,
    header: &[String],
    lines: &[u64],
    bad_rows: &[u32],
    row_messages: &dyn Fn(usize, &mut Vec<String>),
) -> io::Result<u64> {
    let plan = Plan::new(header.to_vec(), scheme, usize::MAX).map_err(io::Error::other)?;
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(NewlineIndex::new(io::BufReader::with_capacity(
            1 << 20,
            File::open(input)?,
        )));
    // Flexible: a rejected row keeps its own cells, also when it has fewer or more than the
    // header (a strict writer stopped the whole run at the first short row).
    let mut w = csv::WriterBuilder::new().flexible(true).from_writer(out);
    let mut head = vec!["line".to_owned(), "error".to_owned()];
    head.extend(header.iter().cloned());
    w.write_record(&head)?;

    let mut rec = csv::ByteRecord::new();
    let mut piece = Piece::new(&plan, 1);
    let mut nums = vec![f64::NAN; plan.numeric.len()];
    let mut messages = Vec::new();
    let (mut next_row, mut next_bad, mut written) = (0, 0, 0);
    let mut in_header = true;
    while rdr.read_byte_record(&mut rec).map_err(io::Error::other)? {
        if std::mem::take(&mut in_header) {
            continue;
        }
        if rec.len() == 1 && rec.get(0).is_some_and(|f| trim_str_bytes(f).is_empty()) {
            continue;
        }
        let line = rdr
            .get_mut()
            .line_of(rec.position().map_or(0, |p| p.byte()))
            + 1;
        while lines.get(next_row).is_some_and(|&l| l < line) {
            next_row += 1;
        }
        messages.clear();
        if lines.get(next_row) == Some(&line) {
            while bad_rows
                .get(next_bad)
                .is_some_and(|&b| (b as usize) < next_row)
            {
                next_bad += 1;
            }
            if bad_rows
                .get(next_bad)
                .is_some_and(|&b| b as usize == next_row)
            {
                row_messages(next_row, &mut messages);
            }
        } else {
            // Not a table row: the reader left it out. The same rules give the same messages.
            let fields: Vec<std::borrow::Cow<str>> =
                rec.iter().map(String::from_utf8_lossy).collect();
            let fields: Vec<&str> = fields.iter().map(|f| f.as_ref()).collect();
            piece.clear();
            piece.push_row(&plan, line, &fields, &mut nums);
            messages.extend(piece.issues.iter().map(LineIssue::render));
        }
        if messages.is_empty() {
            continue;
        }
        w.write_field(line.to_string())?;
        w.write_field(messages.join("; "))?;
        w.write_record(&rec)?;
        written += 1;
    }
    w.flush()?;
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_point_rounds_half_away_from_zero() {
        let f = |x: f64, d: u32| {
            let mut b = Vec::new();
            push_fixed(&mut b, x, d);
            String::from_utf8(b).expect("ascii")
        };
        assert_eq!(f(137.9538, 2), "137.95");
        assert_eq!(f(0.0, 4), "0.0000");
        assert_eq!(f(-0.00001, 4), "0.0000");
        assert_eq!(f(3.2347, 4), "3.2347");
        assert_eq!(f(0.125, 2), "0.13");
        assert_eq!(f(-2.5, 0), "-3");
        assert_eq!(f(12.0, 2), "12.00");
        assert_eq!(f(-1.005, 2), "-1.00", "-1.005 is -1.00499… in binary");
        assert_eq!(f(2.5e15, 2), "2500000000000000.00");
        // Agrees with f64::round on a spread of values.
        for i in 0..20_000 {
            let x = (i as f64 - 10_000.0) * 0.012_345_678_9;
            let want = (x * 1e4).round() / 1e4;
            let got: f64 = f(x, 4).parse().expect("number");
            assert_eq!(got, want, "{x}");
        }
    }

    #[test]
    fn quoted_files_keep_their_line_numbers() {
        let scheme = Scheme::default();
        for eol in ["\n", "\r\n"] {
            let text = [
                "uscc,name,scale,land_mu,tax_wan",
                "A,\"x, y\",below,1,2",
                "",
                "B,\"two",
                "lines\",below,0,2",
                "C,z,below,abc,2",
            ]
            .join(eol);
            let f = read_facts_from(text.as_bytes(), 0, &scheme, &|_| {}).expect("read");
            assert_eq!(f.lines, [2, 4], "{eol:?}");
            let bad: Vec<u64> = f.issues.iter().map(|i| i.line).collect();
            assert_eq!(bad, [6], "{eol:?}");
        }
    }

    #[test]
    fn separators_are_found_in_order_across_blocks() {
        let mut text = Vec::new();
        for i in 0..200u32 {
            text.extend_from_slice(format!("a{i},{}", "x".repeat((i % 37) as usize)).as_bytes());
            text.push(if i % 5 == 0 { b'\n' } else { b',' });
        }
        text.extend_from_slice(b"tail,\xE3\x80\x80z");
        let want: Vec<usize> = text
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == b',' || **b == b'\n')
            .map(|(i, _)| i)
            .collect();
        for start in 0..40 {
            let got: Vec<usize> = Separators::new(&text[start..]).map(|p| p + start).collect();
            let expected: Vec<usize> = want.iter().copied().filter(|&p| p >= start).collect();
            assert_eq!(got, expected, "from {start}");
        }
    }

    #[test]
    fn lines_split_on_line_ends() {
        let block = b"a,1\nbb,2\nccc,3\n";
        let r = split_lines(block, 2);
        assert_eq!(r.first().map(|x| x.0), Some(0));
        assert_eq!(r.last().map(|x| x.1), Some(block.len()));
        for &(s, e) in &r {
            assert!(block[..e].ends_with(b"\n") && (s == 0 || block[s - 1] == b'\n'));
        }
    }
}
