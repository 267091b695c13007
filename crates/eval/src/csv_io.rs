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
        .missing.join(", "), .found.join(", ")
    )]
    MissingColumns {
        missing: Vec<String>,
        found: Vec<String>,
    },
    #[error("表头中 \"{0}\" 列出现了两次 (column \"{0}\" appears twice in the header)")]
    DuplicateColumn(String),
    #[error("CSV 格式错误 (malformed CSV): {0}")]
    Csv(String),
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
    /// Rows left out because a cell could not be read (not a number, unknown scale …).
    pub issues: Vec<LineIssue>,
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
    targets: Vec<Option<Target>>,
    header: Vec<String>,
    numeric: Vec<String>,
    text: Vec<String>,
}

impl Plan {
    fn new(header: Vec<String>, scheme: &Scheme) -> Result<Plan, ReadError> {
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
    /// Lines the piece spans.
    n_lines: u64,
}

impl Piece {
    fn new(plan: &Plan, rows: usize) -> Piece {
        Piece {
            uscc: StrColumn::with_capacity(rows, 18),
            scale: Vec::with_capacity(rows),
            numeric: plan
                .numeric
                .iter()
                .map(|_| Vec::with_capacity(rows))
                .collect(),
            text: plan
                .text
                .iter()
                .map(|_| StrColumn::with_capacity(rows, 8))
                .collect(),
            lines: Vec::with_capacity(rows),
            issues: Vec::new(),
            n_lines: 0,
        }
    }

    /// Parses one record's fields; a row with any unreadable cell is left out and reported.
    fn push_row(&mut self, plan: &Plan, line: u64, fields: &[&str], nums: &mut [f64]) {
        if fields.len() != plan.header.len() {
            self.issues.push(LineIssue {
                line,
                issue: Issue::new(
                    "",
                    None,
                    format!("有{}列, 表头有{}列", fields.len(), plan.header.len()),
                    format!(
                        "the row has {} fields, the header has {}",
                        fields.len(),
                        plan.header.len()
                    ),
                ),
            });
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
                        self.issues.push(LineIssue {
                            line,
                            issue: Issue::new(
                                &plan.header[i],
                                (!cell.is_empty()).then_some(cell),
                                zh,
                                en,
                            ),
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
                                let (zh, en) = split_gloss(&e.to_string());
                                self.issues.push(LineIssue {
                                    line,
                                    issue: Issue::new(&plan.header[i], Some(cell), zh, en),
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
                        self.issues.push(LineIssue {
                            line,
                            issue: Issue::new(
                                &plan.header[i],
                                Some(cell),
                                "应为 是/否 (或 1/0)",
                                "must be yes/no (or 1/0)",
                            ),
                        });
                    }
                },
                Target::Text(_) => {}
            }
        }
        let Some(scale) = scale.filter(|_| ok) else {
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
    fn parse_plain(plan: &Plan, text: &str) -> Piece {
        let est = text.len() / 100 + 1;
        let mut piece = Piece::new(plan, est);
        let mut nums = vec![f64::NAN; plan.numeric.len()];
        let mut fields: Vec<&str> = Vec::with_capacity(plan.header.len() + 1);
        let bytes = text.as_bytes();
        let mut start = 0;
        let mut line = 0u64;
        while start < bytes.len() {
            let end = memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |p| start + p);
            let mut l = &text[start..end];
            if let Some(s) = l.strip_suffix('\r') {
                l = s;
            }
            if !l.trim().is_empty() {
                fields.clear();
                let lb = l.as_bytes();
                let mut fs = 0;
                for p in memchr::memchr_iter(b',', lb) {
                    fields.push(&l[fs..p]);
                    fs = p + 1;
                }
                fields.push(&l[fs..]);
                piece.push_row(plan, line, &fields, &mut nums);
            }
            line += 1;
            start = end + 1;
        }
        piece.n_lines = line;
        piece
    }
}

fn trim_str(s: &str) -> &str {
    s.trim_matches(|c: char| c == ' ' || c == '\t' || c == '\r' || c == '\u{3000}')
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
}

impl Builder {
    fn append(&mut self, p: Piece) {
        let base = self.line_base;
        self.piece.uscc.append(&p.uscc);
        self.piece.scale.extend_from_slice(&p.scale);
        for (a, b) in self.piece.numeric.iter_mut().zip(&p.numeric) {
            a.extend_from_slice(b);
        }
        for (a, b) in self.piece.text.iter_mut().zip(&p.text) {
            a.append(b);
        }
        self.piece.lines.extend(p.lines.iter().map(|l| l + base));
        self.piece.issues.extend(p.issues.into_iter().map(|mut i| {
            i.line += base;
            i
        }));
        self.line_base += p.n_lines;
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
    let io_err = |source| ReadError::Io {
        path: path.to_owned(),
        source,
    };
    let file = File::open(path).map_err(io_err)?;
    let size = file.metadata().map_err(io_err)?.len();
    read_facts_from(file, size, scheme, progress).map_err(|e| match e {
        ReadError::Io { source, .. } => io_err(source),
        e => e,
    })
}

/// Reads fills `buf` up to `BLOCK` more bytes; returns false at end of input.
fn fill(reader: &mut impl Read, buf: &mut Vec<u8>) -> io::Result<bool> {
    let start = buf.len();
    buf.resize(start + BLOCK, 0);
    let mut filled = start;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => {
                buf.truncate(filled);
                return Err(e);
            }
        }
    }
    buf.truncate(filled);
    Ok(filled > start)
}

/// [`read_facts`] over any reader; `size_hint` (bytes) sizes the columns up front.
pub fn read_facts_from(
    mut reader: impl Read,
    size_hint: u64,
    scheme: &Scheme,
    progress: &(dyn Fn(u64) + Sync),
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
    let plan = Plan::new(header, scheme)?;
    let mut consumed = header_end as u64;
    buf.drain(..header_end);

    let first_line_len = memchr::memchr(b'\n', &buf).map_or(100, |p| p + 1).max(16);
    let est_rows = (size_hint as usize / first_line_len).saturating_add(1024);
    let mut builder = Builder {
        piece: Piece::new(&plan, est_rows),
        line_base: 2,
    };
    let pieces_per_block = rayon::current_num_threads().max(1) * 2;
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
        let parsed: Vec<Result<Piece, ReadError>> = ranges
            .par_iter()
            .map(|&(s, e)| match std::str::from_utf8(&block[s..e]) {
                Ok(text) => Ok(Piece::parse_plain(&plan, text)),
                Err(err) => {
                    let bad = s + err.valid_up_to();
                    let local = memchr::memchr_iter(b'\n', &block[s..bad]).count() as u64;
                    let line_start = memchr::memrchr(b'\n', &block[..bad]).map_or(0, |p| p + 1);
                    let line_end =
                        memchr::memchr(b'\n', &block[bad..]).map_or(block.len(), |p| bad + p);
                    Err(ReadError::not_utf8(local, &block[line_start..line_end]))
                }
            })
            .collect();
        for p in parsed {
            match p {
                Ok(p) => builder.append(p),
                Err(ReadError::NotUtf8 {
                    line,
                    hint,
                    hint_en,
                }) => {
                    // `line` is relative to the piece; the pieces before it are appended.
                    return Err(ReadError::NotUtf8 {
                        line: builder.line_base + line,
                        hint,
                        hint_en,
                    });
                }
                Err(e) => return Err(e),
            }
        }
        consumed += cut as u64;
        progress(consumed);
        buf.drain(..cut);
        if !more {
            break;
        }
        more = fill(&mut reader, &mut buf).map_err(io_err)?;
    }

    let Builder { piece, .. } = builder;
    if piece.scale.is_empty() && piece.issues.is_empty() {
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

/// The slow path for files with quoted fields: the `csv` crate, one record at a time.
fn read_quoted(reader: impl Read, plan: &Plan, builder: &mut Builder) -> Result<(), ReadError> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(reader);
    let mut piece = Piece::new(plan, 1024);
    let mut nums = vec![f64::NAN; plan.numeric.len()];
    let mut rec = csv::ByteRecord::new();
    let base = builder.line_base;
    let mut last_line = 0;
    loop {
        match rdr.read_byte_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line()) + base - 1;
                return Err(ReadError::Csv(format!("第{line}行 (line {line}): {e}")));
            }
        }
        let line = rec.position().map_or(0, |p| p.line()) - 1;
        last_line = rdr.position().line();
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
            piece.n_lines = 0;
            let full = std::mem::replace(&mut piece, Piece::new(plan, 1024));
            builder.append(full);
        }
    }
    piece.n_lines = last_line;
    builder.append(piece);
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
        w.flush()?;
        w.into_inner()
            .map_err(io::IntoInnerError::into_error)?
            .sync_data()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Rows formatted per parallel work unit when writing.
const WRITE_CHUNK: usize = 1 << 14;

/// Writes RESULTS.csv: the contract's header and columns, in output order.
///
/// When the scheme has 一票否决 or 调档 rules, two columns follow the contract's:
/// `original_class` (the class from the score alone) and `adjust_reason`.
pub fn write_results(
    out: &mut impl Write,
    table: &InputTable,
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

    let order = results.order();
    let uscc = table.uscc();
    let scale = table.scale();
    let nk = results.item_keys().len();
    let batch = WRITE_CHUNK * rayon::current_num_threads().max(1) * 2;
    let mut written = 0u64;
    for rows in order.chunks(batch) {
        let bufs: Vec<Vec<u8>> = rows
            .par_chunks(WRITE_CHUNK)
            .map(|chunk| {
                let mut b = Vec::with_capacity(chunk.len() * 96);
                for &row in chunk {
                    let row = row as usize;
                    push_field(&mut b, uscc.get(row));
                    b.push(b',');
                    b.extend_from_slice(scale[row].as_str().as_bytes());
                    b.push(b',');
                    push_fixed(&mut b, results.total(row), 2);
                    b.push(b',');
                    b.extend_from_slice(itoa::Buffer::new().format(results.rank(row)).as_bytes());
                    b.push(b',');
                    push_field(&mut b, results.class(row));
                    for k in 0..nk {
                        b.push(b',');
                        let s = results.score_column(k)[row];
                        if !s.is_nan() {
                            push_fixed(&mut b, s, 4);
                        }
                    }
                    if adjusted {
                        b.push(b',');
                        push_field(&mut b, results.initial_class(row));
                        b.push(b',');
                        push_field(&mut b, results.adjust_reason(row).unwrap_or(""));
                    }
                    b.push(b'\n');
                }
                b
            })
            .collect();
        for b in bufs {
            out.write_all(&b)?;
        }
        written += rows.len() as u64;
        progress(written);
    }
    Ok(())
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
    let scale = 10f64.powi(decimals as i32);
    let scaled = (x * scale).round();
    if !scaled.is_finite() || scaled.abs() >= 9.0e15 {
        b.extend_from_slice(format!("{x:.prec$}", prec = decimals as usize).as_bytes());
        return;
    }
    let mut i = scaled as i64;
    if i < 0 {
        b.push(b'-');
        i = -i;
    }
    let div = 10i64.pow(decimals);
    let mut ib = itoa::Buffer::new();
    b.extend_from_slice(ib.format(i / div).as_bytes());
    if decimals > 0 {
        b.push(b'.');
        let frac = ib.format(i % div).as_bytes();
        b.extend(std::iter::repeat_n(b'0', decimals as usize - frac.len()));
        b.extend_from_slice(frac);
    }
}

/// Writes the `--skip-invalid` side file: every rejected row with its line and the reasons,
/// followed by the row's original cells, so it can be fixed and fed back in.
pub fn write_rejected(
    out: &mut impl Write,
    header: &[String],
    rejected: &[(u64, Vec<String>, Vec<String>)],
) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    let mut head = vec!["line".to_owned(), "error".to_owned()];
    head.extend(header.iter().cloned());
    w.write_record(&head)?;
    for (line, messages, cells) in rejected {
        let mut rec = vec![line.to_string(), messages.join("; ")];
        rec.extend(cells.iter().cloned());
        w.write_record(&rec)?;
    }
    w.flush()
}

/// Collects the original cells of the given lines (sorted ascending) by re-reading the file.
pub fn original_rows(path: &Path, lines: &[u64]) -> io::Result<Vec<Vec<String>>> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(io::BufReader::new(File::open(path)?));
    let mut out = Vec::with_capacity(lines.len());
    let mut want = lines.iter().peekable();
    let mut rec = csv::ByteRecord::new();
    while let Some(&&next) = want.peek() {
        if !rdr.read_byte_record(&mut rec).map_err(io::Error::other)? {
            break;
        }
        let line = rec.position().map_or(0, |p| p.line());
        if line == next {
            out.push(
                rec.iter()
                    .map(|f| String::from_utf8_lossy(f).into_owned())
                    .collect(),
            );
            want.next();
        }
    }
    while out.len() < lines.len() {
        out.push(Vec::new());
    }
    Ok(out)
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
