//! PDF with a text layer → text lines. The PDF is an upload nobody vetted, so everything it can
//! make us allocate is bounded: pages, the bytes its streams decompress to (object streams at
//! load, page contents and font maps after), the number of object streams, and the text
//! taken out. Going over a bound is an error naming the file, never an abort.
//!
//! Text runs are placed by the text and graphics matrices; runs on one baseline make a line,
//! and a wide gap between runs becomes a tab, so a simple table comes back as tab-separated
//! cells (read by `table::flattened`). A task table drawn without rules is found by its header
//! line (`序号 工作任务 责任单位 …`): the gaps between the header's cells part the columns, so
//! cells that wrap over lines are read whole (`unruled_table`). A table drawn with rules (a 任务分解表 as Word or WPS
//! print it) is read by its rules instead: each cell is the text between its borders, however
//! many lines it wraps over and wherever it is aligned, and the rows go to the same reader as
//! a .docx table's (`table::to_lines`); a table going on overleaf is one table. A line that
//! runs to the right margin continues on the next one: the two are joined, so a phrase
//! wrapped across lines ("增长\n8%") stays whole.

mod unruled;

use super::Block;
use crate::error::PlanError;
use lopdf::content::Content;
use lopdf::{Document, LoadOptions, Object};
use std::collections::BTreeMap;
use unruled::{PlacedTable, Span, Unruled, unruled_tables};

/// More pages than any plan has.
pub const MAX_PDF_PAGES: usize = 1_000;
/// Bytes all streams together may decompress to (page contents and font maps); a single
/// object stream at load time gets [`MAX_STREAM_BYTES`].
pub const MAX_PDF_DECOMPRESSED: usize = 64 * 1024 * 1024;
const MAX_STREAM_BYTES: usize = 8 * 1024 * 1024;
/// Object streams are decompressed while the file loads, each within [`MAX_STREAM_BYTES`].
const MAX_OBJECT_STREAMS: usize = 64;
/// Characters of text taken out of one PDF.
pub const MAX_PDF_TEXT: usize = 4_000_000;
/// Ruled lines kept from one page (a full page of ruled cells draws a few hundred); a page
/// drawing more is read as if it had none past these. Finding its tables compares rules in
/// pairs, so this bounds that work too.
const MAX_PAGE_RULES: usize = 2_000;

fn limit(file: &str, what: String) -> PlanError {
    PlanError::PdfLimit {
        file: file.into(),
        what,
    }
}

/// A ruled line of a page (a table's border), in page space: at `at` (y of a horizontal
/// rule, x of a vertical one), from `from` to `to` along it.
#[derive(Clone, Copy, Debug)]
struct Rule {
    vertical: bool,
    at: f32,
    from: f32,
    to: f32,
}

/// A run of text where the page put it.
#[derive(Clone)]
struct Run {
    x: f32,
    y: f32,
    end: f32,
    size: f32,
    text: String,
}

pub(crate) fn lines(bytes: &[u8], file: &str) -> Result<Vec<String>, PlanError> {
    let object_streams = count(bytes, b"/ObjStm");
    if object_streams > MAX_OBJECT_STREAMS {
        return Err(limit(
            file,
            format!(
                "对象流 {object_streams} 个, 上限 {MAX_OBJECT_STREAMS} / {object_streams} object streams, limit {MAX_OBJECT_STREAMS}"
            ),
        ));
    }
    let options = LoadOptions {
        max_decompressed_size: Some(MAX_STREAM_BYTES),
        ..LoadOptions::default()
    };
    let doc = Document::load_mem_with_options(bytes, options).map_err(|e| match e {
        lopdf::Error::Decompress(_) => limit(
            file,
            format!("解压后的数据流超过 {MAX_STREAM_BYTES} 字节 / a stream decompresses past {MAX_STREAM_BYTES} bytes"),
        ),
        e => PlanError::Pdf {
            file: file.into(),
            detail: e.to_string(),
        },
    })?;
    if doc.is_encrypted() {
        return Err(PlanError::Pdf {
            file: file.into(),
            detail: "文件已加密 / the file is encrypted".into(),
        });
    }
    let pages = doc.get_pages();
    if pages.len() > MAX_PDF_PAGES {
        return Err(limit(
            file,
            format!(
                "{} 页, 上限 {MAX_PDF_PAGES} 页 / {} pages, limit {MAX_PDF_PAGES}",
                pages.len(),
                pages.len()
            ),
        ));
    }
    let mut budget = MAX_PDF_DECOMPRESSED;
    let mut chars = 0usize;
    let mut out: Vec<Block> = Vec::new();
    // Does the last line so far run to the margin, so that a paragraph goes on overleaf?
    let mut runs_over = false;
    // The header of a table without rules that ran to the foot of the page before.
    let mut open_table: Option<Vec<Span>> = None;
    for page_id in pages.values() {
        let (runs, rules) = page_runs(&doc, *page_id, &mut budget, file)?;
        chars += runs.iter().map(|r| r.text.chars().count()).sum::<usize>();
        if chars > MAX_PDF_TEXT {
            return Err(limit(
                file,
                format!("文字超过 {MAX_PDF_TEXT} 字 / more than {MAX_PDF_TEXT} characters of text"),
            ));
        }
        let page = page_lines(runs, &rules, open_table.as_deref());
        open_table = page.open_table;
        for (k, block) in page.blocks.into_iter().enumerate() {
            match (out.last_mut(), block) {
                (Some(Block::Para(last)), Block::Para(line))
                    if k == 0 && continues_paragraph(runs_over, &line) =>
                {
                    last.push_str(&line)
                }
                // A table going on overleaf: its rows join the table (its header, if printed
                // again at the top of the page, once), and a row broken by the page is one.
                (Some(Block::Table(rows)), Block::Table(more))
                    if k == 0 && rows.first().map(Vec::len) == more.first().map(Vec::len) =>
                {
                    let repeats = rows.first() == more.first();
                    let mut more = more.into_iter().skip(usize::from(repeats)).peekable();
                    if rows.len() > 1
                        && more
                            .peek()
                            .is_some_and(|first| super::table::continues_row(&rows[0], first))
                        && let (Some(last), Some(rest)) = (rows.last_mut(), more.next())
                    {
                        super::table::join_row(last, rest);
                    }
                    rows.extend(more);
                }
                (_, block) => out.push(block),
            }
        }
        runs_over = page.runs_over;
    }
    let out = super::table::to_lines(out);
    if out.iter().all(|l| l.trim().is_empty()) {
        return Err(PlanError::ScannedPdf { file: file.into() });
    }
    Ok(out)
}

/// Whether a line goes on with the paragraph whose last line ran to the margin (on the same
/// page, or at the foot of the page before): not when it starts an item, and not when it is a
/// table row (cells apart).
fn continues_paragraph(runs_over: bool, first_line: &str) -> bool {
    runs_over
        && !first_line.contains('\t')
        && crate::marker::parse_marker(first_line.trim_start()).is_none()
}

fn count(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .filter(|w| *w == needle)
        .count()
}

/// A 2-D affine matrix `[a b c d e f]` as PDF writes them.
#[derive(Clone, Copy)]
struct Matrix([f32; 6]);

impl Matrix {
    const IDENTITY: Matrix = Matrix([1.0, 0.0, 0.0, 1.0, 0.0, 0.0]);

    fn times(self, o: Matrix) -> Matrix {
        let [a, b, c, d, e, f] = self.0;
        let [oa, ob, oc, od, oe, of] = o.0;
        Matrix([
            a * oa + b * oc,
            a * ob + b * od,
            c * oa + d * oc,
            c * ob + d * od,
            e * oa + f * oc + oe,
            e * ob + f * od + of,
        ])
    }

    fn translate(tx: f32, ty: f32) -> Matrix {
        Matrix([1.0, 0.0, 0.0, 1.0, tx, ty])
    }

    /// Where the point `(x, y)` lands.
    fn apply(self, x: f32, y: f32) -> (f32, f32) {
        let [a, b, c, d, e, f] = self.0;
        (a * x + c * y + e, b * x + d * y + f)
    }
}

/// Glyph advances of a font, in thousandths of the font size, as its dictionary gives them.
struct Metrics {
    two_byte: bool,
    first: u32,
    widths: Vec<f32>,
    ranges: Vec<(u32, u32, f32)>,
    default: f32,
}

impl Metrics {
    fn of(doc: &Document, font: &lopdf::Dictionary) -> Metrics {
        let get = |d: &lopdf::Dictionary, key: &[u8]| -> Option<Object> {
            let o = d.get(key).ok()?;
            doc.dereference(o).ok().map(|(_, o)| o.clone())
        };
        let floats = |o: Option<Object>| -> Vec<f32> {
            o.and_then(|o| o.as_array().ok().cloned())
                .unwrap_or_default()
                .iter()
                .take(65_536)
                .filter_map(|o| doc.dereference(o).ok().and_then(|(_, o)| o.as_float().ok()))
                .collect()
        };
        let type0 = font
            .get(b"Subtype")
            .and_then(Object::as_name)
            .is_ok_and(|n| n == b"Type0");
        if !type0 {
            let first = get(font, b"FirstChar")
                .and_then(|o| o.as_i64().ok())
                .unwrap_or(0);
            return Metrics {
                two_byte: false,
                first: u32::try_from(first).unwrap_or(0),
                widths: floats(get(font, b"Widths")),
                ranges: Vec::new(),
                default: 500.0,
            };
        }
        let descendant = get(font, b"DescendantFonts")
            .and_then(|o| o.as_array().ok().and_then(|a| a.first().cloned()))
            .and_then(|o| {
                doc.dereference(&o)
                    .ok()
                    .and_then(|(_, o)| o.as_dict().ok().cloned())
            });
        let mut ranges = Vec::new();
        let mut default = 1000.0;
        if let Some(d) = descendant {
            default = get(&d, b"DW")
                .and_then(|o| o.as_float().ok())
                .unwrap_or(1000.0);
            let w = get(&d, b"W")
                .and_then(|o| o.as_array().ok().cloned())
                .unwrap_or_default();
            let mut k = 0;
            while k + 1 < w.len() && ranges.len() < 65_536 {
                let start = w[k].as_i64().unwrap_or(0).max(0) as u32;
                match doc.dereference(&w[k + 1]).map(|(_, o)| o.clone()) {
                    Ok(Object::Array(list)) => {
                        for (n, v) in list.iter().take(65_536).enumerate() {
                            if let Ok(v) = v.as_float() {
                                let code = start.saturating_add(n as u32);
                                ranges.push((code, code, v));
                            }
                        }
                        k += 2;
                    }
                    Ok(end) => {
                        let end = end.as_i64().unwrap_or(0).max(0) as u32;
                        let v = w
                            .get(k + 2)
                            .and_then(|o| o.as_float().ok())
                            .unwrap_or(default);
                        ranges.push((start, end, v));
                        k += 3;
                    }
                    Err(_) => break,
                }
            }
        }
        Metrics {
            two_byte: true,
            first: 0,
            widths: Vec::new(),
            ranges,
            default,
        }
    }

    fn advance(&self, code: u32) -> f32 {
        if self.two_byte {
            return self
                .ranges
                .iter()
                .find(|(a, b, _)| (*a..=*b).contains(&code))
                .map_or(self.default, |r| r.2);
        }
        code.checked_sub(self.first)
            .and_then(|i| self.widths.get(i as usize))
            .copied()
            .filter(|w| *w > 0.0)
            .unwrap_or(self.default)
    }

    /// Width of a shown string or TJ array in text space units of a font of size 1.
    fn width(&self, operands: &[Object]) -> f32 {
        let mut w = 0.0;
        for o in operands {
            match o {
                Object::String(bytes, _) if self.two_byte => {
                    for pair in bytes.chunks(2) {
                        let code = pair.iter().fold(0u32, |a, b| (a << 8) | u32::from(*b));
                        w += self.advance(code) / 1000.0;
                    }
                }
                Object::String(bytes, _) => {
                    w += bytes
                        .iter()
                        .map(|b| self.advance(u32::from(*b)))
                        .sum::<f32>()
                        / 1000.0;
                }
                Object::Array(items) => w += self.width(items),
                other => {
                    if let Ok(n) = other.as_float() {
                        w -= n / 1000.0;
                    }
                }
            }
        }
        w
    }
}

fn numbers(operands: &[Object]) -> Vec<f32> {
    operands.iter().filter_map(|o| o.as_float().ok()).collect()
}

fn page_runs(
    doc: &Document,
    page_id: lopdf::ObjectId,
    budget: &mut usize,
    file: &str,
) -> Result<(Vec<Run>, Vec<Rule>), PlanError> {
    let over = || {
        limit(
            file,
            format!(
                "解压后的数据流合计超过 {MAX_PDF_DECOMPRESSED} 字节 / streams decompress past {MAX_PDF_DECOMPRESSED} bytes in all"
            ),
        )
    };
    let fonts = doc.get_page_fonts(page_id).unwrap_or_default();
    let mut encodings = BTreeMap::new();
    for (name, font) in fonts {
        match font.get_font_encoding_with_limit(doc, (*budget).min(MAX_STREAM_BYTES)) {
            Ok(enc) => {
                encodings.insert(name, (enc, Metrics::of(doc, font)));
            }
            Err(lopdf::Error::Decompress(_)) => return Err(over()),
            Err(_) => {}
        }
    }
    let content = doc
        .get_page_content_with_limit(page_id, *budget)
        .map_err(|_| over())?;
    *budget = budget.saturating_sub(content.len());

    let mut runs = Vec::new();
    let mut rules = Vec::new();
    // The path's current point, in page space, for `l` (a border drawn as a line).
    let mut point: Option<(f32, f32)> = None;
    let mut ctm = Matrix::IDENTITY;
    let mut saved: Vec<Matrix> = Vec::new();
    let mut tm = Matrix::IDENTITY;
    let mut tlm = Matrix::IDENTITY;
    let mut leading = 0.0f32;
    let mut size = 12.0f32;
    let mut encoding = None;
    for op in Content::decode_iter(&content) {
        // A content stream that stops parsing keeps the text read so far.
        let Ok(op) = op else { break };
        let n = numbers(&op.operands);
        match op.operator.as_str() {
            "q" if saved.len() < 64 => saved.push(ctm),
            "Q" => ctm = saved.pop().unwrap_or(Matrix::IDENTITY),
            "cm" if n.len() == 6 => ctm = Matrix([n[0], n[1], n[2], n[3], n[4], n[5]]).times(ctm),
            "BT" => {
                tm = Matrix::IDENTITY;
                tlm = Matrix::IDENTITY;
            }
            "m" if n.len() == 2 => point = Some(ctm.apply(n[0], n[1])),
            "l" if n.len() == 2 => {
                let to = ctm.apply(n[0], n[1]);
                if let Some(from) = point
                    && rules.len() < MAX_PAGE_RULES
                {
                    rules.extend(Rule::between(from, to));
                }
                point = Some(to);
            }
            // A border drawn as a thin rectangle (Word's way) is a rule along its length.
            "re" if n.len() == 4 => {
                let (a, b) = (ctm.apply(n[0], n[1]), ctm.apply(n[0] + n[2], n[1] + n[3]));
                let (w, h) = ((b.0 - a.0).abs(), (b.1 - a.1).abs());
                let mid = ((a.0 + b.0) / 2.0, (a.1 + b.1) / 2.0);
                let rule = if h <= 2.0 {
                    Rule::between((a.0, mid.1), (b.0, mid.1))
                } else if w <= 2.0 {
                    Rule::between((mid.0, a.1), (mid.0, b.1))
                } else {
                    None
                };
                if rules.len() < MAX_PAGE_RULES {
                    rules.extend(rule);
                }
                point = None;
            }
            "Tf" => {
                encoding = op
                    .operands
                    .first()
                    .and_then(|o| o.as_name().ok())
                    .and_then(|name| encodings.get(name));
                if let Some(s) = n.first() {
                    size = s.abs();
                }
            }
            "TL" if !n.is_empty() => leading = n[0],
            "Td" | "TD" if n.len() == 2 => {
                if op.operator == "TD" {
                    leading = -n[1];
                }
                tlm = Matrix::translate(n[0], n[1]).times(tlm);
                tm = tlm;
            }
            "Tm" if n.len() == 6 => {
                tlm = Matrix([n[0], n[1], n[2], n[3], n[4], n[5]]);
                tm = tlm;
            }
            "T*" => {
                tlm = Matrix::translate(0.0, -leading).times(tlm);
                tm = tlm;
            }
            "Tj" | "TJ" | "'" | "\"" => {
                if matches!(op.operator.as_str(), "'" | "\"") {
                    tlm = Matrix::translate(0.0, -leading).times(tlm);
                    tm = tlm;
                }
                let Some((enc, metrics)) = encoding else {
                    continue;
                };
                let shown_operands = if op.operator == "\"" {
                    op.operands.get(2..).unwrap_or_default()
                } else {
                    &op.operands[..]
                };
                let mut text = String::new();
                collect(shown_operands, enc, &mut text);
                let at = tm.times(ctm);
                let advance = metrics.width(shown_operands) * size;
                tm = Matrix::translate(advance, 0.0).times(tm);
                if text.trim().is_empty() {
                    continue;
                }
                let scale = (at.0[0] * at.0[0] + at.0[1] * at.0[1]).sqrt().max(0.01);
                let shown = size * scale;
                let width = advance * scale;
                runs.push(Run {
                    x: at.0[4],
                    y: at.0[5],
                    end: at.0[4] + width,
                    size: shown,
                    text,
                });
            }
            _ => {}
        }
    }
    Ok((runs, rules))
}

impl Rule {
    /// The rule from `a` to `b`, if it is one: horizontal or vertical and longer than a
    /// character's underline.
    fn between(a: (f32, f32), b: (f32, f32)) -> Option<Rule> {
        if ![a.0, a.1, b.0, b.1].iter().all(|v| v.is_finite()) {
            return None;
        }
        let (dx, dy) = ((b.0 - a.0).abs(), (b.1 - a.1).abs());
        if dy <= 1.0 && dx >= 6.0 {
            Some(Rule {
                vertical: false,
                at: (a.1 + b.1) / 2.0,
                from: a.0.min(b.0),
                to: a.0.max(b.0),
            })
        } else if dx <= 1.0 && dy >= 6.0 {
            Some(Rule {
                vertical: true,
                at: (a.0 + b.0) / 2.0,
                from: a.1.min(b.1),
                to: a.1.max(b.1),
            })
        } else {
            None
        }
    }
}

fn collect(operands: &[Object], enc: &lopdf::Encoding<'_>, out: &mut String) {
    for o in operands {
        match o {
            Object::String(bytes, _) => {
                if let Ok(s) = Document::decode_text(enc, bytes) {
                    out.extend(s.chars().filter(|c| !c.is_control()));
                }
            }
            Object::Array(items) => collect(items, enc, out),
            _ => {}
        }
    }
}

/// A page's lines and tables in reading order, and whether its last line runs to the right
/// margin (its paragraph goes on overleaf).
struct PageLines {
    blocks: Vec<Block>,
    runs_over: bool,
    /// The header of a table without rules that runs to the foot of the page.
    open_table: Option<Vec<Span>>,
}

/// A table drawn with rules: its column edges (x, left to right) and row edges (y, top to
/// bottom), at least two columns and one row; and per row edge and column, whether a rule
/// closes the cell above there (`closed[r][c]`: the rule at `rows[r]` across column `c`). A
/// cell merged over several rows has no rule across it between them.
#[derive(Debug, PartialEq)]
struct Grid {
    cols: Vec<f32>,
    rows: Vec<f32>,
    closed: Vec<Vec<bool>>,
}

/// Edges closer than this are one edge (a double border, a rule drawn twice).
const EDGE: f32 = 1.5;

/// Sorted positions with those closer than [`EDGE`] to the one before left out.
fn edges(mut at: Vec<f32>) -> Vec<f32> {
    at.sort_by(f32::total_cmp);
    at.dedup_by(|b, a| *b - *a < EDGE);
    at
}

/// The tables a page's rules draw: vertical rules whose spans overlap are the column edges of
/// one table, and the horizontal rules across it between its top and bottom its row edges.
fn grids(rules: &[Rule]) -> Vec<Grid> {
    let mut verticals: Vec<&Rule> = rules.iter().filter(|r| r.vertical).collect();
    verticals.sort_by(|a, b| b.to.total_cmp(&a.to));
    // (top, bottom, x of each vertical)
    let mut groups: Vec<(f32, f32, Vec<f32>)> = Vec::new();
    for v in verticals {
        match groups.last_mut() {
            Some((_, bottom, xs)) if v.to >= *bottom - EDGE => {
                *bottom = bottom.min(v.from);
                xs.push(v.at);
            }
            _ => groups.push((v.to, v.from, vec![v.at])),
        }
    }
    groups
        .into_iter()
        .filter_map(|(top, bottom, xs)| {
            let cols = edges(xs);
            let (left, right) = (*cols.first()?, *cols.last()?);
            let mut ys: Vec<f32> = rules
                .iter()
                .filter(|r| {
                    !r.vertical
                        && r.at <= top + EDGE
                        && r.at >= bottom - EDGE
                        && r.from < right - EDGE
                        && r.to > left + EDGE
                })
                .map(|r| r.at)
                .chain([top, bottom])
                .collect();
            ys = edges(ys);
            ys.reverse();
            if !(3..=super::html::MAX_GRID_COLS + 1).contains(&cols.len()) || ys.len() < 2 {
                return None;
            }
            let mut closed = vec![vec![false; cols.len() - 1]; ys.len()];
            for r in rules.iter().filter(|r| !r.vertical) {
                // Row edges run from the top down.
                let Some(at) = ys.iter().position(|y| (y - r.at).abs() < EDGE) else {
                    continue;
                };
                for (c, pair) in cols.windows(2).enumerate() {
                    let middle = (pair[0] + pair[1]) / 2.0;
                    if r.from <= middle && r.to >= middle {
                        closed[at][c] = true;
                    }
                }
            }
            Some(Grid {
                cols,
                rows: ys,
                closed,
            })
        })
        .collect()
}

impl Grid {
    /// A cell merged over rows (no rule across it between them) gives its text to every row
    /// it covers, wherever in its height the text stands: one 责任单位 or 类别 for several
    /// tasks, as the .docx and web page readers place a merged cell.
    fn fill_merged(&self, table: &mut [Vec<String>]) {
        for c in 0..self.cols.len() - 1 {
            let mut top = 0;
            while top < table.len() {
                let mut bottom = top + 1;
                while bottom < table.len() && !self.closed[bottom][c] {
                    bottom += 1;
                }
                if bottom - top > 1 {
                    let mut text = String::new();
                    for row in &table[top..bottom] {
                        super::table::join_cell(&mut text, &row[c]);
                    }
                    for row in &mut table[top..bottom] {
                        row[c].clone_from(&text);
                    }
                }
                top = bottom;
            }
        }
    }

    /// The (row, column) of the cell a run stands in, if it stands in this table.
    fn cell_of(&self, run: &Run) -> Option<(usize, usize)> {
        let (left, right) = (self.cols[0], self.cols[self.cols.len() - 1]);
        let (top, bottom) = (self.rows[0], self.rows[self.rows.len() - 1]);
        let inside = run.x >= left - EDGE && run.x < right && run.y < top && run.y > bottom;
        if !inside {
            return None;
        }
        let row = self
            .rows
            .iter()
            .take_while(|&&y| y > run.y)
            .count()
            .checked_sub(1)?;
        let col = self
            .cols
            .iter()
            .take_while(|&&x| x <= run.x + EDGE)
            .count()
            .clamp(1, self.cols.len() - 1)
            - 1;
        Some((row, col))
    }
}

/// A task table's row number standing alone in its run: `1`, `12`, `３`, `4.`.
fn row_number(text: &str) -> bool {
    let t = text.trim().trim_end_matches(['.', '．', '、']);
    (1..=3).contains(&t.chars().count()) && t.chars().all(|c| crate::text::digit(c).is_some())
}

/// How many of a cell's lines are a row number alone.
fn numbered_lines(runs: &[Run]) -> usize {
    let mut ys: Vec<f32> = runs
        .iter()
        .filter(|r| row_number(&r.text))
        .map(|r| r.y)
        .collect();
    ys.sort_by(f32::total_cmp);
    ys.dedup_by(|b, a| *b - *a < EDGE);
    ys.len()
}

/// Runs of one cell, or of one row of text, → its text: lines top to bottom (runs on one
/// baseline are one line), runs left to right, a space only between two ASCII words. In a row
/// (`cells_apart`), a gap wider than most of a character is a tab: a cell of a table without
/// rules. Also says how many cells that makes and where the last run ends.
fn join_runs(mut runs: Vec<Run>, cells_apart: bool) -> (String, usize, f32) {
    runs.sort_by(|a, b| b.y.total_cmp(&a.y));
    let mut lines: Vec<Vec<Run>> = Vec::new();
    for run in runs {
        match lines.last_mut() {
            Some(line) if (line[0].y - run.y).abs() <= line[0].size.max(run.size) * 0.4 => {
                line.push(run)
            }
            _ => lines.push(vec![run]),
        }
    }
    let mut text = String::new();
    let mut cells = 1;
    let mut last_end = 0.0;
    for (k, mut line) in lines.into_iter().enumerate() {
        line.sort_by(|a, b| a.x.total_cmp(&b.x));
        let mut prev_end: Option<f32> = None;
        for run in &line {
            let gap = prev_end.map(|end| run.x - end);
            if cells_apart && gap.is_some_and(|g| g > run.size * 0.8) {
                text.push('\t');
                cells += 1;
            } else if gap.map_or(k > 0, |g| g > run.size * 0.2)
                && text.ends_with(|c: char| c.is_ascii_alphanumeric())
                && run.text.starts_with(|c: char| c.is_ascii_alphanumeric())
            {
                text.push(' ');
            }
            text.push_str(&run.text);
            prev_end = Some(run.end);
        }
        last_end = prev_end.unwrap_or(0.0);
    }
    (text, cells, last_end)
}

/// The page's runs in reading order: rows of runs on one baseline, and the tables its rules
/// draw. A run inside a table belongs to its cell; the others make rows, where a gap wider
/// than most of a character is a tab (a table without rules) and a line reaching the right
/// margin joins the next unless that one starts an item. A page number above or below the
/// text is page furniture, not a line.
fn page_lines(mut runs: Vec<Run>, rules: &[Rule], carry: Option<&[Span]>) -> PageLines {
    let right = runs.iter().map(|r| r.end).fold(f32::MIN, f32::max);
    let grids = grids(rules);
    // Per table: its cells' runs, by (row, column).
    let mut cells: Vec<BTreeMap<(usize, usize), Vec<Run>>> =
        grids.iter().map(|_| BTreeMap::new()).collect();
    let mut loose = Vec::new();
    for run in runs.drain(..) {
        match grids
            .iter()
            .enumerate()
            .find_map(|(t, g)| g.cell_of(&run).map(|cell| (t, cell)))
        {
            Some((t, cell)) => cells[t].entry(cell).or_default().push(run),
            None => loose.push(run),
        }
    }
    // A table ruled between its columns but not between all its rows holds several rows in
    // one of its cells: its text is read as a table without rules instead.
    let (grids, cells): (Vec<Grid>, Vec<_>) = grids
        .into_iter()
        .zip(cells)
        .filter_map(|(grid, cells)| {
            if cells
                .iter()
                .any(|(&(_, c), runs)| c == 0 && numbered_lines(runs) > 1)
            {
                loose.extend(cells.into_values().flatten());
                None
            } else {
                Some((grid, cells))
            }
        })
        .unzip();
    loose.sort_by(|a, b| b.y.total_cmp(&a.y).then(a.x.total_cmp(&b.x)));
    let mut rows: Vec<Vec<Run>> = Vec::new();
    for run in loose {
        match rows.last_mut() {
            Some(row) if (row[0].y - run.y).abs() <= row[0].size.max(run.size) * 0.4 => {
                row.push(run)
            }
            _ => rows.push(vec![run]),
        }
    }
    let row_text = |row: &[Run]| row.iter().map(|r| r.text.as_str()).collect::<String>();
    if rows.last().is_some_and(|r| page_number(&row_text(r))) {
        rows.pop();
    }
    if rows.first().is_some_and(|r| page_number(&row_text(r))) {
        rows.remove(0);
    }
    let Unruled {
        rest: rows,
        tables: unruled,
        open,
    } = unruled_tables(rows, carry);
    // A table without rules at the foot of the page may go on overleaf.
    let open_table = open
        .filter(|(_, bottom)| grids.iter().all(|g| g.rows[0] > *bottom))
        .map(|(header, _)| header);
    // The tables, top first, each as rows of cells (rows with no text left out).
    let mut tables: Vec<PlacedTable> = grids
        .iter()
        .zip(cells)
        .filter(|(_, cells)| !cells.is_empty())
        .map(|(g, mut cells)| {
            let width = g.cols.len() - 1;
            let mut table: Vec<Vec<String>> = (0..g.rows.len() - 1)
                .map(|r| {
                    (0..width)
                        .map(|c| {
                            cells
                                .remove(&(r, c))
                                .map(|runs| join_runs(runs, false).0)
                                .unwrap_or_default()
                        })
                        .collect()
                })
                .collect();
            g.fill_merged(&mut table);
            table.retain(|row| row.iter().any(|c| !c.trim().is_empty()));
            (g.rows[0], table)
        })
        .chain(unruled)
        .collect();
    tables.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut tables = tables.into_iter().peekable();
    let mut out: Vec<Block> = Vec::new();
    let mut joins_next = false;
    for row in rows {
        while let Some((_, table)) = tables.next_if(|(top, _)| *top > row[0].y) {
            out.push(Block::Table(table));
            joins_next = false;
        }
        let size = row.iter().map(|r| r.size).fold(0.0, f32::max);
        let (line, cells, end) = join_runs(row, true);
        match out.last_mut() {
            Some(Block::Para(last)) if continues_paragraph(joins_next, &line) => {
                last.push_str(&line)
            }
            _ => out.push(Block::Para(line)),
        }
        // Line breaking keeps punctuation with its word, so a full line may stop short of
        // the margin by a character or two.
        joins_next = cells == 1 && end >= right - size * 3.0;
    }
    for (_, table) in tables {
        out.push(Block::Table(table));
        joins_next = false;
    }
    PageLines {
        blocks: out,
        runs_over: joins_next,
        open_table,
    }
}

/// A page number standing alone above or below the text: "— 3 —", "-3-", "3", "第3页",
/// "第 3 页 共 12 页", "3/12".
fn page_number(text: &str) -> bool {
    let t: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(crate::text::fold)
        .collect();
    let digits = |s: &str| !s.is_empty() && s.len() <= 3 && s.bytes().all(|b| b.is_ascii_digit());
    let bare = t.trim_matches(|c| matches!(c, '-' | '—' | '–' | '─' | '~' | '·'));
    if digits(bare) {
        return true;
    }
    if let Some((a, b)) = bare.split_once('/') {
        return digits(a) && digits(b);
    }
    let words: Vec<&str> = bare
        .split(['第', '页', '共'])
        .filter(|w| !w.is_empty())
        .collect();
    bare.contains('页') && (1..=2).contains(&words.len()) && words.iter().all(|w| digits(w))
}

#[cfg(test)]
mod tests {
    use super::{Block, Grid, Rule, Run, continues_paragraph, grids, page_lines, page_number};

    /// A run of 12-point text, a character 12 wide.
    pub(super) fn run(x: f32, y: f32, text: &str) -> Run {
        Run {
            x,
            y,
            end: x + 12.0 * text.chars().count() as f32,
            size: 12.0,
            text: text.into(),
        }
    }

    fn rule(vertical: bool, at: f32, from: f32, to: f32) -> Rule {
        Rule {
            vertical,
            at,
            from,
            to,
        }
    }

    #[test]
    fn rules_that_cross_make_a_table_and_a_run_finds_its_cell() {
        // Three columns, two rows; borders drawn per cell (segments) and once twice over.
        let mut rules = vec![
            rule(false, 800.0, 50.0, 550.0),
            rule(false, 760.0, 50.0, 550.0),
            rule(false, 760.4, 50.0, 550.0),
            rule(false, 700.0, 50.0, 550.0),
        ];
        for x in [50.0, 100.0, 400.0, 550.0] {
            rules.push(rule(true, x, 760.0, 800.0));
            rules.push(rule(true, x, 700.0, 760.0));
        }
        // A rule elsewhere on the page (under a signature) is no table.
        rules.push(rule(false, 300.0, 350.0, 500.0));
        let found = grids(&rules);
        assert_eq!(
            found,
            [Grid {
                cols: vec![50.0, 100.0, 400.0, 550.0],
                rows: vec![800.0, 760.0, 700.0],
                closed: vec![vec![true; 3]; 3],
            }]
        );
        let g = &found[0];
        assert_eq!(g.cell_of(&run(58.0, 725.0, "字")), Some((1, 0)));
        assert_eq!(g.cell_of(&run(410.0, 785.0, "字")), Some((0, 2)));
        assert_eq!(g.cell_of(&run(410.0, 650.0, "字")), None);
        assert_eq!(g.cell_of(&run(f32::NAN, 725.0, "字")), None);
        assert_eq!(g.cell_of(&run(58.0, f32::NAN, "字")), None);
        // One column is a box around text, not a table; nor are rules that do not meet.
        assert!(
            grids(&[
                rule(true, 50.0, 700.0, 800.0),
                rule(true, 550.0, 700.0, 800.0)
            ])
            .is_empty()
        );
        assert!(Rule::between((0.0, 0.0), (f32::INFINITY, 0.0)).is_none());
    }

    #[test]
    fn a_table_ruled_only_between_its_columns_is_read_by_its_header() {
        let runs = vec![
            run(62.0, 780.0, "序号"),
            run(200.0, 780.0, "工作任务"),
            run(420.0, 780.0, "责任单位"),
            run(70.0, 750.0, "1"),
            run(110.0, 750.0, "新增规上工业企业40家"),
            run(410.0, 750.0, "县经信局"),
            run(70.0, 720.0, "2"),
            run(110.0, 720.0, "完成工业投资50亿元"),
            run(410.0, 720.0, "县发改局"),
        ];
        // Column rules from the top to the bottom of the table, and its top and bottom.
        let mut rules: Vec<Rule> = [50.0, 100.0, 400.0, 550.0]
            .map(|x| rule(true, x, 700.0, 800.0))
            .into();
        rules.push(rule(false, 800.0, 50.0, 550.0));
        rules.push(rule(false, 700.0, 50.0, 550.0));
        let page = page_lines(runs, &rules, None);
        let cells = |row: &[&str]| row.iter().map(|c| c.to_string()).collect::<Vec<_>>();
        let [Block::Table(rows)] = page.blocks.as_slice() else {
            panic!("one table");
        };
        assert_eq!(
            rows,
            &[
                cells(&["序号", "工作任务", "责任单位"]),
                cells(&["1", "新增规上工业企业40家", "县经信局"]),
                cells(&["2", "完成工业投资50亿元", "县发改局"]),
            ]
        );
    }

    #[test]
    fn a_page_goes_on_with_prose_not_with_an_item_or_a_table_row() {
        assert!(continues_paragraph(true, "8个，完成投资12亿元。"));
        assert!(!continues_paragraph(false, "8个，完成投资12亿元。"));
        assert!(!continues_paragraph(true, "（二）强化要素保障。"));
        assert!(!continues_paragraph(
            true,
            "1\t新增规上工业企业\t40家\t县经信局"
        ));
    }

    #[test]
    fn page_numbers_in_their_usual_dress() {
        for t in [
            "— 3 —",
            "-3-",
            "- 12 -",
            "3",
            "３",
            "第3页",
            "第 3 页 共 12 页",
            "共12页 第3页",
            "3/12",
            "—１—",
        ] {
            assert!(page_number(t), "{t}");
        }
        for t in [
            "3个",
            "一、",
            "第3条",
            "2017",
            "12345",
            "新增3家",
            "— 三 —",
            "",
            "页",
        ] {
            assert!(!page_number(t), "{t}");
        }
    }
}
