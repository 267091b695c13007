//! Reading FACTS.csv: the column plan from the header, the mapped file cut into chunks parsed in
//! parallel into their shares of the final columns, and the quoted-file path through the `csv`
//! crate, appended after them.

use super::map::Mapped;
use super::scan::*;
use super::*;
use std::mem::MaybeUninit;

/// What to do with each header column.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Target {
    Uscc,
    Scale,
    Num(usize),
    Flag(usize),
    Text(usize),
}

/// The columns to extract, by header position.
pub(super) struct Plan {
    /// Issues kept (the rest are only counted).
    pub(super) max_issues: usize,
    pub(super) targets: Vec<Option<Target>>,
    pub(super) header: Vec<String>,
    pub(super) numeric: Vec<String>,
    pub(super) text: Vec<String>,
}

impl Plan {
    pub(super) fn new(
        header: Vec<String>,
        scheme: &Scheme,
        max_issues: usize,
    ) -> Result<Plan, ReadError> {
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

/// Appends the quoted path's pieces after the rows of the fast path.
pub(super) struct Builder {
    pub(super) piece: Piece,
    /// File line of the first line of what is appended (pieces count their lines from 0).
    pub(super) line_base: u64,
    pub(super) max_issues: usize,
}

impl Builder {
    pub(super) fn append(&mut self, p: &mut Piece) {
        let base = self.line_base;
        let dst = &mut self.piece;
        dst.uscc.append(&p.uscc);
        dst.scale.extend_from_slice(&p.scale);
        for (d, s) in dst.numeric.iter_mut().zip(&p.numeric) {
            d.extend_from_slice(s);
        }
        for (d, s) in dst.text.iter_mut().zip(&p.text) {
            d.append(s);
        }
        dst.lines.extend(p.lines.iter().map(|l| l + base));
        let room = self.max_issues.saturating_sub(dst.issues.len());
        dst.issues
            .extend(p.issues.drain(..).take(room).map(|mut i| {
                i.line += base;
                i
            }));
        dst.issue_count += p.issue_count;
        dst.rejected += p.rejected;
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
///
/// The file is mapped and parsed where it lies (the kernel's page cache): no copy of it is made
/// in fresh memory, which would cost the kernel's zeroing of every page before the copy. A file
/// that cannot be mapped (a pipe, say) is read whole instead.
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
    let mapped = crate::phases::time("read: map the file", || Mapped::new(&file, size));
    let result = match &mapped {
        Some(m) => parse_facts(m.bytes(), scheme, progress, max_issues),
        None => read_facts_from_limited(file, size, scheme, progress, max_issues),
    };
    // Unmapping a file of a hundred MB takes the kernel a few milliseconds; an idle thread does
    // it while the rows are checked (nothing read borrows the mapping).
    mem::free_in_background(mapped);
    result.map_err(|e| match e {
        ReadError::Io { source, .. } => io_err(source),
        e => e,
    })
}

/// [`read_facts`] over any reader; `size_hint` (bytes) sizes the buffer it is read into.
pub fn read_facts_from(
    reader: impl Read,
    size_hint: u64,
    scheme: &Scheme,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<FactsFile, ReadError> {
    read_facts_from_limited(reader, size_hint, scheme, progress, usize::MAX)
}

/// [`read_facts_from`] with the issue limit of [`read_facts_limited`]. The input is read whole
/// (one buffer, large reads), then parsed as a mapped file is.
pub fn read_facts_from_limited(
    mut reader: impl Read,
    size_hint: u64,
    scheme: &Scheme,
    progress: &(dyn Fn(u64) + Sync),
    max_issues: usize,
) -> Result<FactsFile, ReadError> {
    let mut data = Vec::new();
    // Only a hint: a wrong one costs a reallocation, an impossible one is ignored.
    let _ = data.try_reserve_exact(usize::try_from(size_hint).unwrap_or(0).saturating_add(1));
    crate::phases::time("read: read(2) the input", || reader.read_to_end(&mut data)).map_err(
        |source| ReadError::Io {
            path: PathBuf::new(),
            source,
        },
    )?;
    parse_facts(&data, scheme, progress, max_issues)
}

/// Parses a whole facts file held in memory.
pub(super) fn parse_facts(
    data: &[u8],
    scheme: &Scheme,
    progress: &(dyn Fn(u64) + Sync),
    max_issues: usize,
) -> Result<FactsFile, ReadError> {
    let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    if data.iter().all(u8::is_ascii_whitespace) {
        return Err(ReadError::Empty);
    }
    // Header: the first line (a header with quoted line breaks is not supported).
    let header_end = memchr::memchr(b'\n', data).map_or(data.len(), |p| p + 1);
    let header = parse_header(&data[..header_end])?;
    let plan = Plan::new(header, scheme, max_issues)?;
    let body = &data[header_end..];

    let parse_start = std::time::Instant::now();
    // Several chunks per thread, so a thread that is descheduled does not hold up the rest.
    let chunks = rayon::current_num_threads().max(1) * 8;
    let fast = parse_fast(body, &plan, chunks, &|n| progress(header_end as u64 + n))?;
    crate::phases::record("read: parse into columns", parse_start);
    let mut piece = fast.piece;
    if fast.len < body.len() {
        // Quoted fields from here on: the csv crate reads the rest.
        let mut builder = Builder {
            piece,
            line_base: 2 + fast.lines,
            max_issues,
        };
        read_quoted(&body[fast.len..], &plan, &mut builder)?;
        piece = builder.piece;
    }
    progress(data.len() as u64);

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

/// What the fast path read: the rows of the first `len` bytes of the body (`lines` lines).
pub(super) struct Fast {
    pub(super) piece: Piece,
    pub(super) len: usize,
    pub(super) lines: u64,
}

/// Lines in `text`, a last one without a line end included: at most that many rows.
fn line_count(text: &[u8]) -> u64 {
    let ends = memchr::memchr_iter(b'\n', text).count() as u64;
    ends + u64::from(text.last().is_some_and(|&b| b != b'\n'))
}

/// Bytes per cell of each string column (`uscc`, then the text columns) that a chunk's region
/// is sized by.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Widths {
    pub(super) uscc: usize,
    pub(super) text: Vec<usize>,
}

/// Parses the body up to the line of its first double quote, in about `n_chunks` parallel chunks written
/// straight into the final columns.
///
/// Each chunk's lines are counted first: no line makes more than one row, so the counts give
/// every chunk its own rows of each column (and, at a width per cell, its own region of each
/// string column's bytes), and the chunks are parsed side by side with no vectors of their own
/// to be appended afterwards. Blank and left-out lines leave unused slots, closed up at the end
/// (a move per column, only when there are any). A cell longer than its region allows sends the
/// whole body through once more with regions sized by the longest cell (a file whose first
/// lines have short codes and whose later ones long: rare, and still correct).
pub(super) fn parse_fast(
    body: &[u8],
    plan: &Plan,
    n_chunks: usize,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Fast, ReadError> {
    let mut chunks = split_lines(body, n_chunks.max(1));
    let scans: Vec<(u64, Option<usize>)> = crate::phases::time("read: count lines", || {
        chunks
            .par_iter()
            .map(|&(s, e)| {
                let c = &body[s..e];
                (line_count(c), memchr::memchr(b'"', c).map(|q| s + q))
            })
            .collect()
    });
    let mut bounds: Vec<u64> = scans.iter().map(|s| s.0).collect();
    let mut len = body.len();
    if let Some(q) = scans.iter().find_map(|s| s.1) {
        // The line holding the first double quote starts a record: no quote comes before it.
        len = memchr::memrchr(b'\n', &body[..q]).map_or(0, |p| p + 1);
        let keep = chunks.iter().take_while(|c| c.0 < len).count();
        chunks.truncate(keep);
        bounds.truncate(keep);
        if let (Some(c), Some(b)) = (chunks.last_mut(), bounds.last_mut()) {
            c.1 = len;
            *b = line_count(&body[c.0..c.1]);
        }
    }
    let fast = &body[..len];
    let mut widths = sample_widths(fast, plan);
    loop {
        match parse_chunks(fast, &chunks, &bounds, plan, &widths, progress)? {
            Ok(piece) => {
                return Ok(Fast {
                    piece,
                    len,
                    lines: bounds.iter().sum(),
                });
            }
            Err(longest) => widths = longest,
        }
    }
}

/// The widths of the string columns' cells over the first lines of `text` (at least 1).
fn sample_widths(text: &[u8], plan: &Plan) -> Widths {
    const LINES: usize = 256;
    let end = memchr::memchr_iter(b'\n', text)
        .nth(LINES - 1)
        .map_or(text.len(), |p| p + 1);
    let mut sample = Piece::new(plan, LINES);
    if let Ok(t) = simdutf8::basic::from_utf8(&text[..end]) {
        sample.parse_plain(plan, t);
    }
    let widest = |c: &StrColumn| c.iter().map(str::len).max().unwrap_or(0).max(1);
    Widths {
        uscc: if sample.uscc.is_empty() {
            18
        } else {
            widest(&sample.uscc)
        },
        text: sample.text.iter().map(widest).collect(),
    }
}

/// Splits the spare capacity of `v` into consecutive shares of the given sizes.
fn shares<T>(
    v: &mut Vec<T>,
    sizes: impl Iterator<Item = usize>,
) -> std::vec::IntoIter<&mut [MaybeUninit<T>]> {
    let mut rest = v.spare_capacity_mut();
    sizes
        .map(|n| {
            let (share, tail) = std::mem::take(&mut rest).split_at_mut(n);
            rest = tail;
            share
        })
        .collect::<Vec<_>>()
        .into_iter()
}

/// Moves each chunk's first `kept[c]` slots from `starts[c]` down to follow the previous
/// chunk's, closing the gaps left by unused slots.
fn close_gaps<T: Copy>(v: &mut Vec<T>, starts: &[usize], kept: &[usize]) {
    let spare = v.spare_capacity_mut();
    let mut to = 0;
    for (&from, &n) in starts.iter().zip(kept) {
        if from != to {
            spare.copy_within(from..from + n, to);
        }
        to += n;
    }
}

/// One string column being filled in place.
struct StrCol {
    bytes: Vec<u8>,
    ends: Vec<usize>,
    width: usize,
}

impl StrCol {
    fn new(rows: usize, width: usize) -> StrCol {
        StrCol {
            bytes: Vec::with_capacity(rows * width),
            ends: Vec::with_capacity(rows),
            width,
        }
    }

    fn slots<'a>(&'a mut self, starts: &[usize], bounds: &[usize]) -> Vec<StrSlots<'a>> {
        let width = self.width;
        let bytes = shares(&mut self.bytes, bounds.iter().map(|b| b * width));
        let ends = shares(&mut self.ends, bounds.iter().copied());
        bytes
            .zip(ends)
            .zip(starts)
            .map(|((bytes, ends), &start)| StrSlots {
                bytes,
                base: start * width,
                used: 0,
                ends,
                longest: 0,
                overflow: false,
            })
            .collect()
    }

    /// The column, once every chunk has written `kept[c]` cells and `used[c]` bytes.
    fn finish(
        mut self,
        starts: &[usize],
        kept: &[usize],
        used: &[usize],
    ) -> Result<StrColumn, ReadError> {
        let byte_starts: Vec<usize> = starts.iter().map(|s| s * self.width).collect();
        close_gaps(&mut self.bytes, &byte_starts, used);
        close_gaps(&mut self.ends, starts, kept);
        // SAFETY: after `close_gaps`, the first Σused bytes and Σkept ends are those the chunks
        // wrote (each chunk writes its first `used` bytes and `kept` ends, see `StrSlots::put`);
        // both are within capacity, as the shares were.
        unsafe {
            self.bytes.set_len(used.iter().sum());
            self.ends.set_len(kept.iter().sum());
        }
        // Cell ends were written against the chunk's region; rebase them where it moved.
        let (mut row, mut byte) = (0, 0);
        for ((&from, &n), &u) in byte_starts.iter().zip(kept).zip(used) {
            if from != byte {
                self.ends[row..row + n]
                    .iter_mut()
                    .for_each(|e| *e -= from - byte);
            }
            row += n;
            byte += u;
        }
        let bytes = String::from_utf8(self.bytes).map_err(|e| ReadError::Csv(e.to_string()))?;
        Ok(StrColumn::from_parts(bytes, self.ends))
    }
}

/// One pass over the chunks into freshly sized columns: the rows, or, when a cell did not fit
/// its chunk's region, the widths that will fit.
fn parse_chunks(
    fast: &[u8],
    chunks: &[(usize, usize)],
    bounds: &[u64],
    plan: &Plan,
    widths: &Widths,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Result<Piece, Widths>, ReadError> {
    let bounds: Vec<usize> = bounds.iter().map(|&b| b as usize).collect();
    let starts: Vec<usize> = bounds
        .iter()
        .scan(0, |acc, &b| {
            let s = *acc;
            *acc += b;
            Some(s)
        })
        .collect();
    let total: usize = bounds.iter().sum();
    let mut uscc = StrCol::new(total, widths.uscc);
    let mut text: Vec<StrCol> = widths.text.iter().map(|&w| StrCol::new(total, w)).collect();
    let mut scale: Vec<Scale> = Vec::with_capacity(total);
    let mut numeric: Vec<Vec<f64>> = plan
        .numeric
        .iter()
        .map(|_| Vec::with_capacity(total))
        .collect();
    let mut lines: Vec<u64> = Vec::with_capacity(total);

    let alloc = std::time::Instant::now();
    let all_slots = {
        let mut uscc_slots = uscc.slots(&starts, &bounds).into_iter();
        let mut text_slots: Vec<_> = text
            .iter_mut()
            .map(|c| c.slots(&starts, &bounds).into_iter())
            .collect();
        let mut scale_shares = shares(&mut scale, bounds.iter().copied());
        let mut numeric_shares: Vec<_> = numeric
            .iter_mut()
            .map(|c| shares(c, bounds.iter().copied()))
            .collect();
        let mut line_shares = shares(&mut lines, bounds.iter().copied());
        let mut all_slots = Vec::with_capacity(chunks.len());
        let mut line_base = 2;
        for &b in &bounds {
            // Every iterator holds one share per chunk.
            let (Some(uscc), Some(scale), Some(lines)) =
                (uscc_slots.next(), scale_shares.next(), line_shares.next())
            else {
                break;
            };
            all_slots.push(Slots {
                uscc,
                scale,
                numeric: numeric_shares
                    .iter_mut()
                    .filter_map(Iterator::next)
                    .collect(),
                text: text_slots.iter_mut().filter_map(Iterator::next).collect(),
                lines,
                rows: 0,
                line_base,
                issues: Vec::new(),
                issue_count: 0,
                rejected: 0,
            });
            line_base += b as u64;
        }
        all_slots
    };
    crate::phases::record("read: share out the columns", alloc);

    let done = std::sync::atomic::AtomicU64::new(0);
    let parsed: Vec<Result<Slots, ReadError>> = all_slots
        .into_par_iter()
        .zip(chunks.par_iter())
        .map(|(mut slots, &(s, e))| {
            let chunk = &fast[s..e];
            match simdutf8::basic::from_utf8(chunk) {
                Ok(text) => {
                    slots.parse_lines(plan, text);
                    let n = done.fetch_add((e - s) as u64, std::sync::atomic::Ordering::Relaxed);
                    progress(n + (e - s) as u64);
                    Ok(slots)
                }
                Err(_) => {
                    let valid = std::str::from_utf8(chunk).map_or_else(|e| e.valid_up_to(), |_| 0);
                    let bad = s + valid;
                    let local = memchr::memchr_iter(b'\n', &fast[s..bad]).count() as u64;
                    let line_start = memchr::memrchr(b'\n', &fast[..bad]).map_or(0, |p| p + 1);
                    let line_end =
                        memchr::memchr(b'\n', &fast[bad..]).map_or(fast.len(), |p| bad + p);
                    Err(ReadError::not_utf8(
                        slots.line_base + local,
                        &fast[line_start..line_end],
                    ))
                }
            }
        })
        .collect();

    let finish = std::time::Instant::now();
    let mut kept = Vec::with_capacity(chunks.len());
    let mut uscc_used = Vec::with_capacity(chunks.len());
    let mut text_used = vec![Vec::with_capacity(chunks.len()); widths.text.len()];
    let mut longest = Widths {
        uscc: 0,
        text: vec![0; widths.text.len()],
    };
    let mut overflow = false;
    let mut piece = Piece::new(plan, 0);
    for p in parsed {
        let slots = p?;
        kept.push(slots.rows);
        uscc_used.push(slots.uscc.used);
        longest.uscc = longest.uscc.max(slots.uscc.longest);
        overflow |= slots.uscc.overflow;
        for (k, t) in slots.text.iter().enumerate() {
            text_used[k].push(t.used);
            longest.text[k] = longest.text[k].max(t.longest);
            overflow |= t.overflow;
        }
        let room = plan.max_issues.saturating_sub(piece.issues.len());
        piece.issues.extend(slots.issues.into_iter().take(room));
        piece.issue_count += slots.issue_count;
        piece.rejected += slots.rejected;
    }
    if overflow {
        return Ok(Err(longest));
    }
    let rows: usize = kept.iter().sum();
    for col in numeric.iter_mut() {
        close_gaps(col, &starts, &kept);
    }
    close_gaps(&mut scale, &starts, &kept);
    close_gaps(&mut lines, &starts, &kept);
    // SAFETY: every chunk wrote its first `kept[c]` slots of these columns (`Slots::store`
    // writes one slot of each per row), and `close_gaps` moved them to the first `rows`.
    unsafe {
        scale.set_len(rows);
        lines.set_len(rows);
        for col in numeric.iter_mut() {
            col.set_len(rows);
        }
    }
    piece.uscc = uscc.finish(&starts, &kept, &uscc_used)?;
    piece.text = text
        .into_iter()
        .zip(&text_used)
        .map(|(c, used)| c.finish(&starts, &kept, used))
        .collect::<Result<_, _>>()?;
    piece.scale = scale;
    piece.numeric = numeric;
    piece.lines = lines;
    crate::phases::record("read: close gaps", finish);
    Ok(Ok(piece))
}

pub(super) fn parse_header(bytes: &[u8]) -> Result<Vec<String>, ReadError> {
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
pub(super) fn split_lines(block: &[u8], n: usize) -> Vec<(usize, usize)> {
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
pub(super) struct NewlineIndex<R> {
    pub(super) inner: R,
    pub(super) offset: u64,
    /// Line breaks not yet passed: offset, and whether a `\r` precedes it.
    pub(super) pending: std::collections::VecDeque<(u64, bool)>,
    /// Line breaks already passed.
    pub(super) passed: u64,
    pub(super) last_byte: u8,
}

impl<R: Read> NewlineIndex<R> {
    pub(super) fn new(inner: R) -> Self {
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
    pub(super) fn line_of(&mut self, mut offset: u64) -> u64 {
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
pub(super) fn read_quoted(
    reader: impl Read,
    plan: &Plan,
    builder: &mut Builder,
) -> Result<(), ReadError> {
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

pub(super) fn trim_str_bytes(b: &[u8]) -> &[u8] {
    number::trim(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    pub(super) fn quoted_files_keep_their_line_numbers() {
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

    /// The body parsed the plain way: one piece, one line after the other, with file lines.
    fn serial(body: &[u8], plan: &Plan) -> Piece {
        let mut p = Piece::new(plan, 16);
        p.parse_plain(plan, std::str::from_utf8(body).expect("utf-8"));
        p.lines.iter_mut().for_each(|l| *l += 2);
        p.issues.iter_mut().for_each(|i| i.line += 2);
        p
    }

    fn assert_same(got: &Piece, want: &Piece, what: &str) {
        assert_eq!(got.uscc, want.uscc, "uscc, {what}");
        assert_eq!(got.scale, want.scale, "scale, {what}");
        assert_eq!(got.numeric.len(), want.numeric.len(), "{what}");
        for (g, w) in got.numeric.iter().zip(&want.numeric) {
            let bits = |c: &[f64]| c.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(g), bits(w), "numbers, {what}");
        }
        assert_eq!(got.text, want.text, "text, {what}");
        assert_eq!(got.lines, want.lines, "lines, {what}");
        assert_eq!(got.issues, want.issues, "issues, {what}");
        assert_eq!(got.issue_count, want.issue_count, "{what}");
        assert_eq!(got.rejected, want.rejected, "{what}");
    }

    /// A generated facts file (header cut off) and its header.
    fn generated(rows: usize) -> (Vec<String>, Vec<u8>) {
        let mut file = Vec::new();
        crate::generate::write_facts_csv(&mut file, rows, 3).expect("generate");
        let end = memchr::memchr(b'\n', &file).expect("header") + 1;
        let header = parse_header(&file[..end]).expect("header");
        (header, file[end..].to_vec())
    }

    /// Changes a body line by line: `edit(i, line, out)` appends the new line(s) for line `i`.
    fn rewrite(body: &[u8], mut edit: impl FnMut(usize, &[u8], &mut Vec<u8>)) -> Vec<u8> {
        let mut out = Vec::with_capacity(body.len() * 2);
        for (i, line) in body.split_inclusive(|&b| b == b'\n').enumerate() {
            edit(i, line, &mut out);
        }
        out
    }

    fn set_field(line: &str, k: usize, value: &str) -> String {
        let mut f: Vec<&str> = line.split(',').collect();
        f[k] = value;
        f.join(",")
    }

    #[test]
    fn chunks_written_in_place_give_the_plain_rows() {
        // The town column is read too (grouping by town), so a text column is filled in place.
        let text = crate::scheme::DEFAULT_SCHEME_TOML
            .replace("by = [\"scale\"]", "by = [\"scale\", \"town\"]");
        let scheme = Scheme::parse(&text).expect("scheme");
        let (header, body) = generated(3000);
        let plan = Plan::new(header, &scheme, 7).expect("plan");
        assert_eq!(plan.text.len(), 1);
        let crlf = rewrite(&body, |_, l, o| {
            o.extend_from_slice(&l[..l.len() - 1]);
            o.extend_from_slice(b"\r\n");
        });
        let gaps = rewrite(&body, |i, l, o| {
            match i % 97 {
                // Blank and space-only lines: no row.
                3 => o.extend_from_slice(b"\n \t\n"),
                // Unreadable cells and a short row: reported, no row.
                5 => o.extend_from_slice(b"91330225000000001Q,x,y,1,weird,1,2,,,,,,,3\n"),
                7 => o.extend_from_slice(b"A,B\n"),
                _ => {}
            }
            o.extend_from_slice(l);
        });
        let mut no_final_newline = crlf.clone();
        no_final_newline.truncate(no_final_newline.len() - 2);
        // Codes shorter than the sampled width leave byte gaps; a long code and a long town after
        // the sampled lines do not fit their regions, and the body is parsed again.
        let widths = rewrite(&body, |i, l, o| {
            let s = std::str::from_utf8(l).expect("utf-8");
            let s = match i {
                0..=300 => s.to_owned(),
                1000 => set_field(s, 0, "91330225000000001QLONGER-THAN-EIGHTEEN-BYTES"),
                1500 => set_field(s, 2, "一个名字长过样本里每一个镇的镇"),
                _ if i % 3 == 0 => s[4..].to_owned(),
                _ if i % 5 == 0 => s.to_ascii_lowercase(),
                _ => s.to_owned(),
            };
            o.extend_from_slice(s.as_bytes());
        });
        // Cells the one-pass loop leaves to the plain parse: spaces and U+3000 to trim, the
        // other spellings of a scale, an empty scale, a number that is not one.
        let unusual = rewrite(&body, |i, l, o| {
            let s = std::str::from_utf8(l).expect("utf-8");
            let s = match i % 7 {
                1 => set_field(s, 5, " 12.5\t"),
                2 => set_field(s, 4, "规上"),
                3 => set_field(s, 6, "\u{3000}7"),
                4 => set_field(s, 4, "Below"),
                5 if i % 2 == 0 => set_field(s, 0, " 91330225000000001Q"),
                6 if i % 3 == 0 => set_field(s, 7, "1,5"),
                6 => set_field(s, 4, ""),
                _ => s.to_owned(),
            };
            o.extend_from_slice(s.as_bytes());
        });
        for (what, body) in [
            ("lf", &body),
            ("unusual cells", &unusual),
            ("crlf", &crlf),
            ("blank and bad lines", &gaps),
            ("no final line end", &no_final_newline),
            ("cell widths", &widths),
        ] {
            let want = serial(body, &plan);
            for n in [1, 2, 3, 8, 61, 1000] {
                let got = parse_fast(body, &plan, n, &|_| {}).expect("parse");
                assert_eq!(got.len, body.len(), "{what}");
                assert_eq!(got.lines, line_count(body), "{what}");
                assert_same(&got.piece, &want, &format!("{what}, {n} chunks"));
            }
        }
    }

    #[test]
    fn the_fast_path_stops_at_the_line_of_the_first_quote() {
        let scheme = Scheme::default();
        let (header, body) = generated(500);
        let plan = Plan::new(header, &scheme, usize::MAX).expect("plan");
        let quoted = rewrite(&body, |i, l, o| {
            if i == 321 {
                o.extend_from_slice(&l[..19]);
                o.extend_from_slice(b"\"a, \"\"quoted\"\"\nname\"");
                let rest = &l[19..];
                o.extend_from_slice(&rest[memchr::memchr(b',', rest).expect("comma")..]);
            } else {
                o.extend_from_slice(l);
            }
        });
        let quote_line = quoted
            .split_inclusive(|&b| b == b'\n')
            .take(321)
            .map(<[u8]>::len)
            .sum::<usize>();
        for n in [1, 4, 16, 100] {
            let got = parse_fast(&quoted, &plan, n, &|_| {}).expect("parse");
            assert_eq!(got.len, quote_line, "{n} chunks");
            assert_eq!(got.lines, 321);
            assert_same(
                &got.piece,
                &serial(&quoted[..quote_line], &plan),
                "before the quote",
            );
        }
        // The whole file: every row once, the one with the quoted name from line 323 on.
        let mut file = plan.header.join(",").into_bytes();
        file.push(b'\n');
        file.extend_from_slice(&quoted);
        let f = read_facts_from(&file[..], 0, &scheme, &|_| {}).expect("read");
        assert_eq!(f.table.len(), 500);
        assert_eq!(f.lines[321], 323);
        assert_eq!(f.lines[322], 325, "the quoted name spans two lines");
        assert_eq!(f.lines.last(), Some(&502));
    }

    #[test]
    fn a_bom_and_bad_utf8_are_placed_by_line() {
        let scheme = Scheme::default();
        let (header, body) = generated(400);
        let mut file = b"\xEF\xBB\xBF".to_vec();
        file.extend_from_slice(header.join(",").as_bytes());
        file.extend_from_slice(b"\r\n");
        file.extend_from_slice(&body);
        let f = read_facts_from(&file[..], 0, &scheme, &|_| {}).expect("read");
        assert_eq!(f.header, header);
        assert_eq!(f.table.len(), 400);
        assert_eq!(f.lines.last(), Some(&401));
        // GBK bytes on the 300th data line (file line 301).
        let at = body
            .split_inclusive(|&b| b == b'\n')
            .take(299)
            .map(<[u8]>::len)
            .sum::<usize>();
        let mut bad = file[..file.len() - body.len()].to_vec();
        bad.extend_from_slice(&body[..at + 20]);
        bad.extend_from_slice(b"\xCF\xF3\xC9\xBD");
        bad.extend_from_slice(&body[at + 20..]);
        let plan = Plan::new(header, &scheme, usize::MAX).expect("plan");
        for n in [1, 3, 50] {
            match parse_fast(&bad[bad.len() - body.len() - 4..], &plan, n, &|_| {}) {
                Err(ReadError::NotUtf8 { line, .. }) => assert_eq!(line, 301, "{n} chunks"),
                other => panic!("{n} chunks: {:?}", other.map(|f| f.len)),
            }
        }
    }

    #[test]
    pub(super) fn lines_split_on_line_ends() {
        let block = b"a,1\nbb,2\nccc,3\n";
        let r = split_lines(block, 2);
        assert_eq!(r.first().map(|x| x.0), Some(0));
        assert_eq!(r.last().map(|x| x.1), Some(block.len()));
        for &(s, e) in &r {
            assert!(block[..e].ends_with(b"\n") && (s == 0 || block[s - 1] == b'\n'));
        }
    }
}
