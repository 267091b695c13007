//! The fast path of the reader: one piece of whole lines parsed into columns, with the
//! separators found 32 bytes at a time; the cell rules both paths share.

use super::read::*;
use super::*;
use std::mem::MaybeUninit;

/// Columns parsed from one piece of the file.
pub(super) struct Piece {
    pub(super) uscc: StrColumn,
    pub(super) scale: Vec<Scale>,
    pub(super) numeric: Vec<Vec<f64>>,
    pub(super) text: Vec<StrColumn>,
    /// Line of each row, relative to the piece's first line (0-based).
    pub(super) lines: Vec<u64>,
    pub(super) issues: Vec<LineIssue>,
    /// Issues found, kept or not.
    pub(super) issue_count: u64,
    /// Rows left out.
    pub(super) rejected: u64,
}

impl Piece {
    pub(super) fn new(plan: &Plan, rows: usize) -> Piece {
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
            issue_count: 0,
            rejected: 0,
        }
    }

    /// Empties the piece, keeping its buffers for the next one.
    pub(super) fn clear(&mut self) {
        self.uscc.clear();
        self.scale.clear();
        self.numeric.iter_mut().for_each(Vec::clear);
        self.text.iter_mut().for_each(StrColumn::clear);
        self.lines.clear();
        self.issues.clear();
        self.issue_count = 0;
        self.rejected = 0;
    }
}

/// Where parsed rows go: growing vectors ([`Piece`], the quoted path and the side file) or one
/// chunk's share of the final columns ([`Slots`], the fast path). The cell rules are the
/// trait's, so both give the same rows and the same messages.
pub(super) trait RowSink {
    /// Records a problem at `line` (relative to what the sink parses), building its message
    /// only while under the plan's limit.
    fn report(&mut self, plan: &Plan, line: u64, issue: impl FnOnce() -> Issue);

    /// Counts a row left out.
    fn reject(&mut self);

    /// Keeps a row that parsed: its code (upper-cased), scale, numbers and the raw fields (for
    /// the text columns).
    fn store(
        &mut self,
        plan: &Plan,
        line: u64,
        uscc: &str,
        scale: Scale,
        nums: &[f64],
        fields: &[&str],
    );

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
            self.reject();
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
            self.reject();
            return;
        };
        if uscc.bytes().any(|b| b.is_ascii_lowercase()) {
            self.store(plan, line, &uscc.to_ascii_uppercase(), scale, nums, fields);
        } else {
            self.store(plan, line, uscc, scale, nums, fields);
        }
    }

    /// Parses text that holds whole lines and no double quotes; returns the lines it spans (a
    /// last line without a line end counts).
    ///
    /// One SIMD scan for both separators over the whole text ([`Separators`]): fields are
    /// short, so per-line or per-field searches would spend their time starting up.
    fn parse_plain(&mut self, plan: &Plan, text: &str) -> u64 {
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
        line
    }
}

impl RowSink for Piece {
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

    fn reject(&mut self) {
        self.rejected += 1;
    }

    fn store(
        &mut self,
        plan: &Plan,
        line: u64,
        uscc: &str,
        scale: Scale,
        nums: &[f64],
        fields: &[&str],
    ) {
        self.uscc.push(uscc);
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
}

/// One chunk's rows of a string column, written in place: the chunk's region of the column's
/// bytes and its rows' slots of the cell ends.
pub(super) struct StrSlots<'a> {
    pub(super) bytes: &'a mut [MaybeUninit<u8>],
    /// Where the region starts in the whole column (cell ends are absolute).
    pub(super) base: usize,
    pub(super) used: usize,
    pub(super) ends: &'a mut [MaybeUninit<usize>],
    /// The longest cell seen, and whether a cell did not fit in the region (the column is then
    /// parsed again with regions sized from `longest`).
    pub(super) longest: usize,
    pub(super) overflow: bool,
}

impl StrSlots<'_> {
    /// Writes `s` (whole UTF-8 characters: the column is checked as UTF-8 once it is
    /// complete) as the cell of `row`.
    #[inline]
    fn put(&mut self, row: usize, s: &[u8]) {
        self.longest = self.longest.max(s.len());
        let Some(dst) = self.bytes.get_mut(self.used..self.used + s.len()) else {
            self.overflow = true;
            return;
        };
        dst.write_copy_of_slice(s);
        self.used += s.len();
        self.ends[row].write(self.base + self.used);
    }
}

/// One chunk of the file parsed straight into its share of the final columns: rows
/// `start..start + bound` of each column, where `bound` is the chunk's line count (no line
/// makes more than one row). Blank and left-out lines leave slots unused at the end of the
/// share; the reader closes such gaps afterwards.
pub(super) struct Slots<'a> {
    pub(super) uscc: StrSlots<'a>,
    pub(super) scale: &'a mut [MaybeUninit<Scale>],
    pub(super) numeric: Vec<&'a mut [MaybeUninit<f64>]>,
    pub(super) text: Vec<StrSlots<'a>>,
    pub(super) lines: &'a mut [MaybeUninit<u64>],
    /// Rows written so far.
    pub(super) rows: usize,
    /// File line of the chunk's first line.
    pub(super) line_base: u64,
    pub(super) issues: Vec<LineIssue>,
    pub(super) issue_count: u64,
    pub(super) rejected: u64,
}

impl RowSink for Slots<'_> {
    #[cold]
    fn report(&mut self, plan: &Plan, line: u64, issue: impl FnOnce() -> Issue) {
        self.issue_count += 1;
        if self.issues.len() < plan.max_issues {
            self.issues.push(LineIssue {
                line: self.line_base + line,
                issue: issue(),
            });
        }
    }

    fn reject(&mut self) {
        self.rejected += 1;
    }

    #[inline]
    fn store(
        &mut self,
        plan: &Plan,
        line: u64,
        uscc: &str,
        scale: Scale,
        nums: &[f64],
        fields: &[&str],
    ) {
        let row = self.rows;
        self.uscc.put(row, uscc.as_bytes());
        self.scale[row].write(scale);
        for (col, &v) in self.numeric.iter_mut().zip(nums.iter()) {
            col[row].write(v);
        }
        if !self.text.is_empty() {
            for (&field, target) in fields.iter().zip(&plan.targets) {
                if let Some(Target::Text(k)) = target {
                    self.text[*k].put(row, trim_str(field).as_bytes());
                }
            }
        }
        self.lines[row].write(self.line_base + line);
        self.rows += 1;
    }
}

impl Slots<'_> {
    /// [`RowSink::parse_plain`] for a chunk of the fast path, in one pass: each cell is taken
    /// as its separator is found and a number written straight into its row's slot, with no
    /// list of the line's fields and no second loop over them (the parse was a third of the
    /// run). Only a line of the common form takes this way: the header's count of fields, no
    /// cell the scheme reads that needs trimming, `above`/`below`, an upper-case code, numbers
    /// that parse. Any other line (blank, short, bad or unusual cells) is split into its
    /// fields again and given to [`RowSink::push_row`], so it gets the rows and messages of
    /// the plain parse, by construction.
    pub(super) fn parse_lines(&mut self, plan: &Plan, text: &str) {
        let bytes = text.as_bytes();
        let n_fields = plan.targets.len();
        let mut nums = vec![f64::NAN; plan.numeric.len()];
        let mut fields: Vec<&str> = Vec::with_capacity(n_fields + 1);
        let mut texts = vec![(0, 0); plan.text.len()];
        let mut ends = Separators::new(bytes);
        let mut line = 0u64;
        let mut line_start = 0;
        let mut field_start = 0;
        // Field index in the line; whether the line is still of the common form.
        let mut i = 0;
        let mut plain = true;
        let mut uscc = (0, 0);
        let mut scale = None;
        loop {
            let (end, line_end) = match ends.next() {
                Some(p) => (p, bytes[p] == b'\n'),
                None if field_start < bytes.len() || i > 0 => (bytes.len(), true),
                None => break,
            };
            if plain {
                let mut cell = &bytes[field_start..end];
                if line_end && let [rest @ .., b'\r'] = cell {
                    cell = rest;
                }
                match plan.targets.get(i) {
                    Some(None) => {}
                    Some(Some(target)) if !needs_trim(cell) => {
                        let row = self.rows;
                        match *target {
                            Target::Uscc => uscc = (field_start, field_start + cell.len()),
                            Target::Scale => {
                                scale = match cell {
                                    b"above" => Some(Scale::Above),
                                    b"below" => Some(Scale::Below),
                                    _ => None,
                                };
                                plain = scale.is_some();
                            }
                            Target::Num(k) => {
                                let v = if cell.is_empty() {
                                    Ok(f64::NAN)
                                } else {
                                    number::parse_within(&bytes[field_start..], cell.len())
                                };
                                match v {
                                    Ok(v) => {
                                        self.numeric[k][row].write(v);
                                    }
                                    Err(_) => plain = false,
                                }
                            }
                            Target::Flag(k) => {
                                // Cut at separators, which are ASCII: whole characters.
                                match parse_flag(&text[field_start..field_start + cell.len()]) {
                                    Some(v) => {
                                        self.numeric[k][row].write(v);
                                    }
                                    None => plain = false,
                                }
                            }
                            Target::Text(k) => texts[k] = (field_start, field_start + cell.len()),
                        }
                    }
                    // A cell to trim, or more fields than the header has.
                    Some(Some(_)) | None => plain = false,
                }
            }
            field_start = end + 1;
            if !line_end {
                i += 1;
                continue;
            }
            let code = &bytes[uscc.0..uscc.1];
            if plain && i + 1 == n_fields && !code.iter().any(u8::is_ascii_lowercase) {
                let row = self.rows;
                self.uscc.put(row, code);
                if let Some(scale) = scale {
                    self.scale[row].write(scale);
                }
                for (col, &(s, e)) in self.text.iter_mut().zip(&texts) {
                    col.put(row, &bytes[s..e]);
                }
                self.lines[row].write(self.line_base + line);
                self.rows += 1;
            } else {
                // As `parse_plain` splits and parses a line.
                fields.clear();
                fields.extend(text[line_start..end].split(','));
                if let Some(last) = fields.last_mut()
                    && let Some(f) = last.strip_suffix('\r')
                {
                    *last = f;
                }
                let blank = fields.len() == 1 && trim_str(fields[0]).is_empty();
                if !blank {
                    self.push_row(plan, line, &fields, &mut nums);
                }
            }
            line += 1;
            line_start = field_start;
            i = 0;
            plain = true;
            scale = None;
        }
    }
}

/// Whether [`trim_str`] would change `cell` (decided on its two ends, as `trim_str` does; an
/// empty cell needs nothing).
#[inline(always)]
fn needs_trim(cell: &[u8]) -> bool {
    match (cell.first(), cell.last()) {
        (Some(a), Some(z)) => {
            matches!(a, b' ' | b'\t' | 0xE3) || matches!(z, b' ' | b'\t' | b'\r' | 0x80)
        }
        _ => false,
    }
}

/// Positions of `,` and `\n` in a byte string, in order. 32 bytes are compared at a time and
/// the set bits of the match mask read off one by one, so a 6-byte field costs a bit scan, not
/// a fresh search (SSE2, part of every x86_64 CPU; a plain loop elsewhere).
pub(super) struct Separators<'a> {
    pub(super) bytes: &'a [u8],
    /// Start of the block `mask` describes, and of the next block to load.
    pub(super) base: usize,
    pub(super) next: usize,
    pub(super) mask: u32,
}

impl<'a> Separators<'a> {
    pub(super) fn new(bytes: &'a [u8]) -> Self {
        Separators {
            bytes,
            base: 0,
            next: 0,
            mask: 0,
        }
    }

    /// Bit i set when `block[i]` is a separator (the first 32 bytes at most).
    #[inline(always)]
    pub(super) fn block_mask(block: &[u8]) -> u32 {
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

    // Always inlined: called once per field, a call's register saves cost more than the
    // bit scan it does (callgrind: 34 instructions per separator as a call).
    #[inline(always)]
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
pub(super) fn trim_str(s: &str) -> &str {
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
pub(super) fn split_gloss(msg: &str) -> (String, String) {
    match msg.rfind(" (") {
        Some(p) if msg.ends_with(')') => {
            (msg[..p].to_owned(), msg[p + 2..msg.len() - 1].to_owned())
        }
        _ => (msg.to_owned(), msg.to_owned()),
    }
}

/// 是/否 flags of 一票否决 columns; numbers count as set when non-zero.
pub(super) fn parse_flag(cell: &str) -> Option<f64> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    pub(super) fn separators_are_found_in_order_across_blocks() {
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
}
