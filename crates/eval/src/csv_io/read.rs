//! Reading FACTS.csv: the column plan from the header, blocks cut into pieces parsed in
//! parallel, the quoted-file path through the `csv` crate, and the builder that joins them.

use super::scan::*;
use super::*;

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

/// Accumulates pieces into the final columns.
pub(super) struct Builder {
    pub(super) piece: Piece,
    pub(super) line_base: u64,
    pub(super) max_issues: usize,
}

impl Builder {
    pub(super) fn append(&mut self, p: &mut Piece) {
        self.append_all(std::slice::from_mut(p));
    }

    /// Appends parsed pieces in order. Each column is copied on its own task: the copies fault
    /// in the final columns' pages, which costs more than the copying, and done one after the
    /// other they were the serial part of reading.
    pub(super) fn append_all(&mut self, pieces: &mut [Piece]) {
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
pub(super) fn fill(reader: &mut impl Read, buf: &mut Vec<u8>) -> io::Result<bool> {
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
    let io_start = std::time::Instant::now();
    let mut more = fill(&mut reader, &mut buf).map_err(io_err)?;
    crate::phases::record("read: read(2) blocks", io_start);
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
        let parse_start = std::time::Instant::now();
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
        crate::phases::record("read: parse pieces", parse_start);
        let append_start = std::time::Instant::now();
        builder.append_all(&mut pool[..ranges.len()]);
        crate::phases::record("read: append columns", append_start);
        consumed += cut as u64;
        progress(consumed);
        let io_start = std::time::Instant::now();
        buf.drain(..cut);
        if !more {
            break;
        }
        more = fill(&mut reader, &mut buf).map_err(io_err)?;
        crate::phases::record("read: read(2) blocks", io_start);
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
