//! Writing RESULTS.csv and the `--skip-invalid` side file, atomically.

use super::read::*;
use super::scan::*;
use super::*;

/// Writes a file through a temporary sibling and renames it into place, so a failed run never
/// leaves a partial file under the final name.
///
/// The file's bytes are handed to the kernel's writeback as they accumulate ([`Writeback`]):
/// ext4 (`auto_da_alloc`, on by default) allocates and starts writing every block of a file
/// that is renamed over another inside `rename(2)` itself, which for an 80 MB RESULTS.csv was
/// most of the time between the last byte written and the end of the run.
pub fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut io::BufWriter<Writeback>) -> io::Result<()>,
) -> io::Result<()> {
    write_then_rename(path, write, drop)
}

/// [`write_atomically`] for the last file of a run: `write` hands back what the run no longer
/// needs (its columns), which goes to [`crate::mem::release_in_background`] once the file is
/// written and closed, just before the rename. The release's `malloc_trim` holds the
/// allocator's lock for as long as it returns memory to the kernel; started while `write`'s
/// caller still wrote and closed the file, it held up the frees of this thread (the file
/// buffer's, ~19 ms a run), where the rename needs no allocation and waits on the disk.
pub fn write_atomically_and_release<T: Send + 'static>(
    path: &Path,
    write: impl FnOnce(&mut io::BufWriter<Writeback>) -> io::Result<T>,
) -> io::Result<()> {
    write_then_rename(path, write, crate::mem::release_in_background)
}

/// Writes `path`'s temporary sibling with `write`, closes it, hands `write`'s value to
/// `before_rename`, and renames the file into place.
fn write_then_rename<T>(
    path: &Path,
    write: impl FnOnce(&mut io::BufWriter<Writeback>) -> io::Result<T>,
    before_rename: impl FnOnce(T),
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
        let mut w = io::BufWriter::with_capacity(1 << 20, Writeback::new(File::create(&tmp)?));
        let value = write(&mut w)?;
        // No fsync: the promise is "no partial file after a failed run", which the rename
        // keeps; syncing 100 MB to disk would double the run time for crash durability only.
        w.flush()?;
        drop(w);
        before_rename(value);
        crate::phases::time("write: rename into place", || std::fs::rename(&tmp, path))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Bytes written before they are handed to the kernel's writeback.
const WRITEBACK_WINDOW: u64 = 8 << 20;

/// A file being written whose bytes are handed to the kernel's writeback every
/// [`WRITEBACK_WINDOW`] bytes (`sync_file_range(SYNC_FILE_RANGE_WRITE)`: start writing, do not
/// wait), from the thread that writes them.
///
/// Nothing is promised about durability (that would take `fsync`): this only moves the work of
/// allocating the file's blocks and queueing their writes from the `rename(2)` that replaces an
/// older file (ext4's `auto_da_alloc` does it there, on the one thread left at the end of the
/// run) to the writer thread, while the other threads still gather lines. Elsewhere than on
/// Linux it is a plain file.
pub struct Writeback {
    file: File,
    window: u64,
    /// Bytes written so far.
    written: u64,
    /// Bytes handed to writeback so far.
    handed: u64,
}

impl Writeback {
    fn new(file: File) -> Writeback {
        Writeback::with_window(file, WRITEBACK_WINDOW)
    }

    fn with_window(file: File, window: u64) -> Writeback {
        Writeback {
            file,
            window: window.max(1),
            written: 0,
            handed: 0,
        }
    }

    /// Counts `n` more bytes written; the range to hand to writeback when a window is full.
    fn advance(&mut self, n: usize) -> Option<(u64, u64)> {
        self.written += n as u64;
        let full = (self.written - self.handed) / self.window * self.window;
        if full == 0 {
            return None;
        }
        let range = (self.handed, full);
        self.handed += full;
        Some(range)
    }
}

impl Write for Writeback {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.file.write(buf)?;
        if let Some((offset, len)) = self.advance(n) {
            start_writeback(&self.file, offset, len);
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

/// Asks the kernel to start writing `len` bytes of `file` from `offset` (a hint: an error
/// changes nothing, the data is in the page cache either way).
#[cfg(target_os = "linux")]
fn start_writeback(file: &File, offset: u64, len: u64) {
    use std::os::fd::AsRawFd;
    let (Ok(offset), Ok(len)) = (
        libc::off64_t::try_from(offset),
        libc::off64_t::try_from(len),
    ) else {
        return;
    };
    // SAFETY: sync_file_range reads no memory of ours; the descriptor is open for as long as
    // `file` is borrowed.
    unsafe {
        libc::sync_file_range(file.as_raw_fd(), offset, len, libc::SYNC_FILE_RANGE_WRITE);
    }
}

#[cfg(not(target_os = "linux"))]
fn start_writeback(_file: &File, _offset: u64, _len: u64) {}

/// A destination that can be told how many more bytes are coming, before they come:
/// [`write_results`] knows the size of RESULTS.csv once its lines are formatted.
pub trait Reserve {
    /// Makes room for `more` bytes after those written so far (a hint: nothing fails).
    fn reserve_bytes(&mut self, more: u64);
}

impl Reserve for Vec<u8> {
    fn reserve_bytes(&mut self, more: u64) {
        let _ = self.try_reserve(usize::try_from(more).unwrap_or(0));
    }
}

impl<W: Write + Reserve> Reserve for io::BufWriter<W> {
    fn reserve_bytes(&mut self, more: u64) {
        let buffered = self.buffer().len() as u64;
        self.get_mut().reserve_bytes(buffered + more);
    }
}

impl<T: Reserve + ?Sized> Reserve for &mut T {
    fn reserve_bytes(&mut self, more: u64) {
        (**self).reserve_bytes(more);
    }
}

impl Reserve for Writeback {
    /// Allocates the file's blocks for the bytes to come in one call (`fallocate`, keeping the
    /// file's size as it is): ext4 then finds them allocated as each page is written, instead
    /// of reserving a block per page inside `write(2)`, on the one thread that writes
    /// RESULTS.csv. Measured alone, 80 MB written in 330 KB pieces: 44 → 34 ms.
    fn reserve_bytes(&mut self, more: u64) {
        allocate(&self.file, self.written, more);
    }
}

/// Asks the file system to allocate `len` bytes of `file` from `offset` without changing its
/// size (a hint: an error, e.g. a file system without `fallocate`, changes nothing).
#[cfg(target_os = "linux")]
fn allocate(file: &File, offset: u64, len: u64) {
    use std::os::fd::AsRawFd;
    let (Ok(offset), Ok(len)) = (
        libc::off64_t::try_from(offset),
        libc::off64_t::try_from(len),
    ) else {
        return;
    };
    if len == 0 {
        return;
    }
    // SAFETY: fallocate reads no memory of ours; the descriptor is open for as long as `file`
    // is borrowed.
    unsafe {
        libc::fallocate64(file.as_raw_fd(), libc::FALLOC_FL_KEEP_SIZE, offset, len);
    }
}

#[cfg(not(target_os = "linux"))]
fn allocate(_file: &File, _offset: u64, _len: u64) {}

/// Rows per parallel work unit when formatting.
const WRITE_CHUNK: usize = 1 << 14;

/// Rows per parallel work unit when gathering lines in output order. The gathered batches are
/// the writer's only buffers (three in flight, reused): at 4096 lines a unit they are a few MB
/// in all, where units of a whole [`WRITE_CHUNK`] made 16 MB of fresh pages to fault in.
const GATHER_CHUNK: usize = 1 << 12;

/// Writes RESULTS.csv: the contract's header and columns, in output order.
///
/// `uscc` and `scale` are the key columns of the evaluated table (see
/// [`InputTable::into_key_columns`]): the writer needs nothing else from the input, so a caller
/// short of memory can free the numeric columns first.
///
/// When the scheme has 一票否决 or 调档 rules, two columns follow the contract's:
/// `original_class` (the class from the score alone) and `adjust_reason`.
pub fn write_results(
    out: &mut (impl Write + Reserve + Send),
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
    let n = results.len();
    if uscc.len() != n || scale.len() != n {
        return Err(io::Error::other(format!(
            "key columns of {} and {} rows for {n} results",
            uscc.len(),
            scale.len()
        )));
    }

    // 1. Format every line in row order: sequential reads of every column. Formatting in rank
    //    order instead scatters a dozen reads per row over the whole table; measured, that cost
    //    more than the gathering below, even with prefetching.
    let phase = std::time::Instant::now();
    let lines = Lines {
        uscc,
        uscc_plain: !any_needs_quotes(uscc.as_bytes()),
        scale,
        results,
        class_fields: results
            .class_names
            .iter()
            .map(|c| {
                let mut f = Vec::new();
                push_field(&mut f, c);
                f
            })
            .collect(),
        adjusted,
    };
    let formatted: Vec<(Vec<u8>, Vec<u32>)> = (0..n.div_ceil(WRITE_CHUNK))
        .into_par_iter()
        .map(|ci| {
            let rows = ci * WRITE_CHUNK..((ci + 1) * WRITE_CHUNK).min(n);
            let mut b = Vec::with_capacity(rows.len() * 100);
            let mut ends = Vec::with_capacity(rows.len());
            let mut stage = Stage::new(&mut b);
            for row in rows {
                lines.format(row, &mut stage);
                // Chunks hold at most WRITE_CHUNK lines of a few hundred bytes: far below 4 GiB.
                ends.push(u32::try_from(stage.len()).unwrap_or(u32::MAX));
            }
            stage.flush();
            // No shrink_to_fit: it would copy every chunk once more into fresh pages, and the
            // untouched tail of the capacity is never faulted in anyway.
            (b, ends)
        })
        .collect();
    progress(n as u64 / 2);
    crate::phases::record("write: format lines", phase);
    let phase = std::time::Instant::now();

    // 2. Emit the lines in output order; a writer thread takes the batches in order, so its
    //    system calls overlap with the gathering of the next batch. The batches' buffers are
    //    allocated once and come back from the writer: fresh memory is not free (the kernel
    //    zeroes every new page), and a new buffer per batch made the file's size in new pages.
    let line = |row: usize| -> &[u8] {
        let (buf, ends) = &formatted[row / WRITE_CHUNK];
        let i = row % WRITE_CHUNK;
        let start = if i == 0 { 0 } else { ends[i - 1] as usize };
        &buf[start..ends[i] as usize]
    };
    let order = results.order();
    let units = rayon::current_num_threads().max(1) * 2;
    let batch = GATHER_CHUNK * units;
    // Batches in flight: one being gathered, one queued, one being written.
    const IN_FLIGHT: usize = 3;
    let (tx, rx) = std::sync::mpsc::sync_channel::<(usize, Vec<Vec<u8>>)>(1);
    let (back_tx, back_rx) = std::sync::mpsc::channel::<Vec<Vec<u8>>>();
    let mut spare: Vec<Vec<Vec<u8>>> = (0..IN_FLIGHT)
        .map(|_| (0..units).map(|_| Vec::new()).collect())
        .collect();
    let body: u64 = formatted.iter().map(|(b, _)| b.len() as u64).sum();
    std::thread::scope(|scope| {
        let writer = scope.spawn(move || -> io::Result<()> {
            out.reserve_bytes(body);
            let mut written = n as u64 / 2;
            for (count, bufs) in rx {
                for b in &bufs {
                    out.write_all(b)?;
                }
                written += count as u64 / 2;
                progress(written);
                // The gathering side may have finished already; the buffers are then dropped.
                let _ = back_tx.send(bufs);
            }
            Ok(())
        });
        for rows in order.chunks(batch) {
            let Some(mut bufs) = spare.pop().or_else(|| back_rx.recv().ok()) else {
                // The writer stopped on an error; it reports it below.
                break;
            };
            bufs.truncate(rows.len().div_ceil(GATHER_CHUNK));
            rows.par_chunks(GATHER_CHUNK)
                .zip(bufs.par_iter_mut())
                .for_each(|(chunk, b)| {
                    // Locate every line first (independent loads overlap), then copy them,
                    // prefetching a few lines ahead: each sits at a random place in memory.
                    let lines: Vec<&[u8]> = chunk.iter().map(|&row| line(row as usize)).collect();
                    b.clear();
                    b.reserve(lines.iter().map(|l| l.len()).sum());
                    for (i, l) in lines.iter().enumerate() {
                        if let Some(ahead) = lines.get(i + 8) {
                            // A line of ~80 bytes lies on two or three cache lines.
                            mem::prefetch(ahead);
                            mem::prefetch(ahead.get(64..).unwrap_or_default());
                            mem::prefetch(&ahead[ahead.len().saturating_sub(1)..]);
                        }
                        b.extend_from_slice(l);
                    }
                });
            if tx.send((rows.len(), bufs)).is_err() {
                // The writer stopped on an error; it reports it below.
                break;
            }
        }
        drop(tx);
        writer
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("writer thread panicked")))
    })?;
    crate::phases::record("write: rank order + write(2)", phase);
    // The formatted lines are a file's worth of memory: handing it back to the kernel takes a
    // few milliseconds, done by an idle thread while the caller closes and renames the file.
    mem::free_in_background(formatted);
    Ok(())
}

/// What a line of RESULTS.csv is made from.
struct Lines<'a> {
    uscc: &'a StrColumn,
    /// No code needs quotes (decided once for the column: codes are copied as they are).
    uscc_plain: bool,
    scale: &'a [Scale],
    results: &'a Results,
    /// Each class name as a CSV field (quoted when it must be).
    class_fields: Vec<Vec<u8>>,
    adjusted: bool,
}

impl Lines<'_> {
    /// Appends the line of `row`.
    #[inline]
    fn format(&self, row: usize, st: &mut Stage) {
        let r = self.results;
        if self.uscc_plain {
            st.bytes(self.uscc.get_bytes(row));
        } else {
            st.field(self.uscc.get(row));
        }
        st.byte(b',');
        st.bytes(self.scale[row].as_str().as_bytes());
        st.byte(b',');
        st.fixed::<2>(r.total[row]);
        st.byte(b',');
        st.int(r.rank[row]);
        st.byte(b',');
        st.bytes(&self.class_fields[r.class[row] as usize]);
        for col in &r.scores {
            st.byte(b',');
            let s = col[row];
            if !s.is_nan() {
                st.fixed::<4>(s);
            }
        }
        if self.adjusted {
            st.byte(b',');
            st.field(r.initial_class(row));
            st.byte(b',');
            st.field(r.adjust_reason(row).unwrap_or(""));
        }
        st.byte(b'\n');
    }
}

/// Bytes of a chunk's lines gathered in a stack buffer and appended to the chunk's buffer a
/// few kilobytes at a time. A store into a local array is a plain store; every `Vec::push`
/// reloads and updates the vector's length and checks its capacity, and that bookkeeping cost
/// more than the digits of the scores it was writing.
struct Stage<'a> {
    out: &'a mut Vec<u8>,
    buf: [u8; STAGE],
    pos: usize,
    /// Where numbers are printed before they are copied in (see [`Stage::digits`]), zeroed
    /// once: each number overwrites only its own bytes, and the bytes after them stay zero.
    scratch: [u8; 3 * NUMBER],
}

/// Bytes gathered before they are appended.
const STAGE: usize = 4096;

/// Longer pieces than this go straight to the output.
const PIECE: usize = 64;

/// Room a fixed-point or integer number takes at most: |value| < 4e15 has 16 digits, plus the
/// point, the sign and up to 4 leading "0." digits.
const NUMBER: usize = 24;

impl<'a> Stage<'a> {
    fn new(out: &'a mut Vec<u8>) -> Self {
        Stage {
            out,
            buf: [0; STAGE],
            pos: 0,
            scratch: [0; 3 * NUMBER],
        }
    }

    /// Bytes written so far, gathered or appended.
    #[inline]
    fn len(&self) -> usize {
        self.out.len() + self.pos
    }

    /// Appends what is gathered.
    fn flush(&mut self) {
        self.out.extend_from_slice(&self.buf[..self.pos]);
        self.pos = 0;
    }

    #[inline(always)]
    fn room(&mut self, n: usize) {
        if self.pos + n > STAGE {
            self.flush();
        }
    }

    #[inline(always)]
    fn byte(&mut self, c: u8) {
        self.room(1);
        self.buf[self.pos] = c;
        self.pos += 1;
    }

    #[inline(always)]
    fn bytes(&mut self, s: &[u8]) {
        if s.len() > PIECE {
            self.flush();
            self.out.extend_from_slice(s);
            return;
        }
        self.room(s.len());
        self.buf[self.pos..self.pos + s.len()].copy_from_slice(s);
        self.pos += s.len();
    }

    /// A CSV field, quoted only when it must be.
    fn field(&mut self, s: &str) {
        if s.bytes().any(needs_quotes) {
            let mut f = Vec::with_capacity(s.len() + 2);
            push_field(&mut f, s);
            self.bytes(&f);
        } else {
            self.bytes(s.as_bytes());
        }
    }

    /// [`push_fixed_n`] written in place: the same rounding, and the digits put right to left
    /// straight where they belong once their count is known.
    #[inline(always)]
    fn fixed<const D: u32>(&mut self, x: f64) {
        let scaled = x * 10i64.pow(D) as f64;
        if scaled.is_nan() || scaled.abs() >= 4.0e15 {
            self.bytes(format!("{x:.prec$}", prec = D as usize).as_bytes());
            return;
        }
        let i = round_half_away(scaled);
        self.digits::<D>(i.unsigned_abs(), i < 0);
    }

    /// A rank.
    #[inline(always)]
    fn int(&mut self, m: u32) {
        self.digits::<0>(u64::from(m), false);
    }

    /// `m / 10^D` with `D` decimals (`m` < 10^16), `-` first when `negative`.
    ///
    /// Printed right to left at the end of a scratch array, then [`NUMBER`] bytes copied from
    /// where it starts (a copy of fixed size: two vector moves, no call): what follows the
    /// number in the stage is overwritten by the next piece.
    ///
    /// Below 10^8 (every score, total and rank of a real run) the eight digits are made at
    /// once in a register instead ([`eight_digits`]) and stored with two 8-byte writes.
    #[inline(always)]
    fn digits<const D: u32>(&mut self, m: u64, negative: bool) {
        self.room(NUMBER);
        if m < 100_000_000 && D < 8 {
            let mut pos = self.pos;
            if negative {
                self.buf[pos] = b'-';
                pos += 1;
            }
            let digits = eight_digits(m as u32);
            // The integer part's places, its leading zeros (all but its last), its length.
            let int_places = 8 - D as usize;
            let zeros =
                (((digits ^ ASCII_ZEROS).trailing_zeros() / 8) as usize).min(int_places - 1);
            let int_len = int_places - zeros;
            // The integer part with the decimals after it, then the point and the decimals
            // over those: the stage has room for both whole words.
            let from_first = digits.checked_shr(8 * zeros as u32).unwrap_or(0);
            self.buf[pos..pos + 8].copy_from_slice(&from_first.to_le_bytes());
            pos += int_len;
            if D > 0 {
                let decimals = digits.checked_shr(8 * int_places as u32).unwrap_or(0);
                let tail = u64::from(b'.') | decimals << 8;
                self.buf[pos..pos + 8].copy_from_slice(&tail.to_le_bytes());
                pos += 1 + D as usize;
            }
            self.pos = pos;
            return;
        }
        let start = write_fixed::<D>(&mut self.scratch[..2 * NUMBER], m, negative);
        self.buf[self.pos..self.pos + NUMBER].copy_from_slice(&self.scratch[start..start + NUMBER]);
        self.pos += 2 * NUMBER - start;
    }
}

/// Eight '0' bytes.
const ASCII_ZEROS: u64 = 0x3030_3030_3030_3030;

/// The 8 decimal digits of `n` (< 10^8, with leading zeros) as ASCII, the first digit in the
/// lowest byte (as they lie in memory): `n` is split into halves of 4 digits, each into pairs,
/// each pair into tens and ones, two, four and eight lanes at a time (SWAR), with multiplications
/// by reciprocals that are exact in these ranges (x·5243 >> 19 = x / 100 for x < 10^4,
/// y·103 >> 10 = y / 10 for y < 100).
#[inline(always)]
fn eight_digits(n: u32) -> u64 {
    debug_assert!(n < 100_000_000);
    let n = u64::from(n);
    // Lanes of 32 bits: the first four digits, then the last four.
    let halves = (n / 10_000) | (n % 10_000) << 32;
    let hundreds = ((halves * 5243) >> 19) & 0x0000_007F_0000_007F;
    // Lanes of 16 bits: each half's first two digits, then its last two.
    let pairs = hundreds | (halves - 100 * hundreds) << 16;
    let tens = ((pairs * 103) >> 10) & 0x000F_000F_000F_000F;
    // Lanes of 8 bits: each pair's tens, then its ones.
    let digits = tens | (pairs - 10 * tens) << 8;
    digits + ASCII_ZEROS
}

/// Prints `m / 10^D` with `D` decimals (at least a zero before the point) right to left so
/// that it ends at the end of `buf`, `-` first when `negative`; returns where it starts. `buf`
/// must hold [`NUMBER`] bytes (`m` < 10^16).
#[inline(always)]
fn write_fixed<const D: u32>(buf: &mut [u8], mut m: u64, negative: bool) -> usize {
    let mut pos = buf.len();
    let mut left = D;
    while left >= 2 {
        pos -= 2;
        let r = (m % 100) as usize * 2;
        buf[pos..pos + 2].copy_from_slice(&DIGIT_PAIRS[r..r + 2]);
        m /= 100;
        left -= 2;
    }
    if left == 1 {
        pos -= 1;
        buf[pos] = b'0' + (m % 10) as u8;
        m /= 10;
    }
    if D > 0 {
        pos -= 1;
        buf[pos] = b'.';
    }
    while m >= 100 {
        pos -= 2;
        let r = (m % 100) as usize * 2;
        buf[pos..pos + 2].copy_from_slice(&DIGIT_PAIRS[r..r + 2]);
        m /= 100;
    }
    if m >= 10 {
        pos -= 2;
        let r = m as usize * 2;
        buf[pos..pos + 2].copy_from_slice(&DIGIT_PAIRS[r..r + 2]);
    } else {
        pos -= 1;
        buf[pos] = b'0' + m as u8;
    }
    if negative {
        pos -= 1;
        buf[pos] = b'-';
    }
    pos
}

/// Whether a byte makes a CSV field need quotes.
#[inline]
fn needs_quotes(c: u8) -> bool {
    matches!(c, b',' | b'"' | b'\n' | b'\r')
}

/// Whether any byte of `s` makes a CSV field need quotes: the whole code column is asked once,
/// before the lines are formatted, on one thread, so it is searched with SIMD (`memchr`) rather
/// than byte by byte (36 instructions a code, 6% of the writer's; callgrind, 100k rows).
fn any_needs_quotes(s: &[u8]) -> bool {
    memchr::memchr3(b',', b'"', b'\n', s).is_some() || memchr::memchr(b'\r', s).is_some()
}

/// `round(scaled)`, half away from zero, for |scaled| < 4e15, without a libm call: below 2^52
/// the fractional part `scaled - trunc(scaled)` is exact, so the comparison with 0.5 is too.
#[inline(always)]
fn round_half_away(scaled: f64) -> i64 {
    let t = scaled as i64;
    let frac = scaled - t as f64;
    if frac >= 0.5 {
        t + 1
    } else if frac <= -0.5 {
        t - 1
    } else {
        t
    }
}

/// A CSV field, quoted only when it must be.
fn push_field(b: &mut Vec<u8>, s: &str) {
    if s.bytes().any(needs_quotes) {
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

/// "00" to "99": two digits per table lookup.
const DIGIT_PAIRS: &[u8; 200] = b"\
0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// [`push_fixed`] for a decimal count known at compile time (divisions become multiplications).
///
/// The rounded value `round(x · 10^D)` is printed right to left into a small stack buffer, the
/// point put in on the way, and appended with one copy: the score columns are most of
/// RESULTS.csv, and an integer print, a point and a digit loop appended one by one cost twice as
/// much.
#[inline]
fn push_fixed_n<const D: u32>(b: &mut Vec<u8>, x: f64) {
    let pow = 10i64.pow(D);
    let scaled = x * pow as f64;
    if scaled.is_nan() || scaled.abs() >= 4.0e15 {
        b.extend_from_slice(format!("{x:.prec$}", prec = D as usize).as_bytes());
        return;
    }
    let i = round_half_away(scaled);
    // |i| < 4e15: at most 16 digits, the point and the sign.
    let mut buf = [0u8; NUMBER];
    let start = write_fixed::<D>(&mut buf, i.unsigned_abs(), i < 0);
    b.extend_from_slice(&buf[start..]);
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

    /// RESULTS.csv the plain way: one line after the other in output order, into one buffer
    /// (plain codes and no 调档 columns, as the generated data and the default scheme have).
    fn reference(uscc: &StrColumn, scale: &[Scale], r: &Results) -> Vec<u8> {
        let mut b = b"uscc,scale,score,rank,class".to_vec();
        for k in r.item_keys() {
            b.extend_from_slice(format!(",score_{k}").as_bytes());
        }
        b.push(b'\n');
        for &row in r.order() {
            let row = row as usize;
            b.extend_from_slice(format!("{},{},", uscc.get(row), scale[row].as_str()).as_bytes());
            push_fixed(&mut b, r.total(row), 2);
            b.extend_from_slice(format!(",{},{}", r.rank(row), r.class(row)).as_bytes());
            for k in 0..r.item_keys().len() {
                b.push(b',');
                if let Some(s) = r.score(k, row) {
                    push_fixed(&mut b, s, 4);
                }
            }
            b.push(b'\n');
        }
        b
    }

    #[test]
    fn a_column_needs_quotes_when_any_byte_does() {
        for len in [1, 17, 31, 32, 33, 64, 200, 5000] {
            let plain = vec![b'9'; len];
            assert!(!any_needs_quotes(&plain), "{len} plain bytes");
            for c in [b',', b'"', b'\n', b'\r'] {
                for at in [0, len / 2, len - 1] {
                    let mut s = plain.clone();
                    s[at] = c;
                    assert!(any_needs_quotes(&s), "{:?} at {at} of {len}", c as char);
                    // The byte-by-byte rule says the same.
                    assert!(s.iter().any(|&b| needs_quotes(b)));
                }
            }
        }
        assert!(!any_needs_quotes(b""));
        assert!(!any_needs_quotes("长度\t;'".as_bytes()));
    }

    #[test]
    fn writeback_hands_every_whole_window_once_in_order() {
        let dir = tempfile::tempdir().expect("dir");
        let file = File::create(dir.path().join("f")).expect("file");
        let mut w = Writeback::with_window(file, 100);
        let mut ranges = Vec::new();
        // Writes smaller than, equal to and several times the window, and one of nothing.
        for n in [30, 30, 30, 30, 100, 0, 250, 7, 1, 399] {
            ranges.extend(w.advance(n));
        }
        // 877 bytes: the first 800 handed, in whole windows, each byte once, front to back.
        assert_eq!(w.written, 877);
        assert_eq!(ranges, [(0, 100), (100, 100), (200, 200), (400, 400)]);
        assert_eq!(w.handed, 800);
    }

    #[test]
    fn a_file_written_through_writeback_holds_exactly_the_bytes() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("out.csv");
        let bytes: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
        let mut w = Writeback::with_window(File::create(&path).expect("file"), 4096);
        // Blocks reserved for more than is written: the file still ends at its last byte.
        w.reserve_bytes(bytes.len() as u64 + 1_000_000);
        for piece in bytes.chunks(3001) {
            w.write_all(piece).expect("write");
        }
        w.flush().expect("flush");
        assert_eq!(w.written, bytes.len() as u64);
        assert_eq!(w.handed, bytes.len() as u64 / 4096 * 4096);
        drop(w);
        assert!(std::fs::read(&path).expect("read") == bytes);
    }

    #[test]
    fn an_atomic_write_replaces_the_file_whole_or_not_at_all() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("RESULTS.csv");
        std::fs::write(&path, b"old").expect("old");
        // More than one writeback window.
        let bytes: Vec<u8> = (0..(WRITEBACK_WINDOW as usize * 2 + 12_345))
            .map(|i| b"0123456789,\n"[i % 12])
            .collect();
        let failed = write_atomically(&path, |w| {
            w.write_all(&bytes)?;
            Err(io::Error::other("the run failed"))
        });
        assert!(failed.is_err());
        assert_eq!(std::fs::read(&path).expect("read"), b"old");
        write_atomically(&path, |w| w.write_all(&bytes)).expect("write");
        assert!(std::fs::read(&path).expect("read") == bytes);
        // No temporary file is left behind either way.
        assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 1);
    }

    #[test]
    fn a_releasing_write_writes_the_file_and_takes_the_value() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("RESULTS.csv");
        std::fs::write(&path, b"old").expect("old");
        let kept = std::sync::Arc::new(vec![1u8; 1 << 20]);
        let handed = std::sync::Arc::clone(&kept);
        write_atomically_and_release(&path, |w| {
            w.write_all(b"new")?;
            Ok(handed)
        })
        .expect("write");
        assert_eq!(std::fs::read(&path).expect("read"), b"new");
        // The value is dropped on its own thread: wait for it, boundedly.
        for _ in 0..500 {
            if std::sync::Arc::strong_count(&kept) == 1 {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        assert_eq!(std::sync::Arc::strong_count(&kept), 1);
        assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 1);
    }

    #[test]
    fn rank_order_batches_give_the_plain_bytes() {
        // More rows than one batch of every thread's chunks, and a last batch that is not full,
        // so buffers are reused (and must be emptied) and the tail is written once.
        let scheme = Scheme::default();
        let rows = WRITE_CHUNK * rayon::current_num_threads().max(1) * 2 * 3 + 1234;
        let table = crate::generate::facts_table(rows, 7);
        let results = crate::evaluate(&table, &scheme);
        let (uscc, scale) = table.into_key_columns();
        let mut got = Vec::new();
        write_results(&mut got, &uscc, &scale, &results, &scheme, &|_| {}).expect("write");
        let want = reference(&uscc, &scale, &results);
        assert_eq!(got.len(), want.len());
        assert!(
            got == want,
            "first difference at byte {:?}",
            got.iter().zip(&want).position(|(a, b)| a != b)
        );
        // Every row once, in output order.
        assert_eq!(got.iter().filter(|&&c| c == b'\n').count(), rows + 1);
    }

    #[test]
    fn key_columns_of_another_length_are_refused() {
        let scheme = Scheme::default();
        let table = crate::generate::facts_table(10, 1);
        let results = crate::evaluate(&table, &scheme);
        let (uscc, mut scale) = table.into_key_columns();
        scale.pop();
        let mut out = Vec::new();
        assert!(write_results(&mut out, &uscc, &scale, &results, &scheme, &|_| {}).is_err());
    }

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

    /// The rules of [`push_fixed`] stated the plain way: `f64::round` (half away from zero) of
    /// `x · 10^d`, printed with `format!`; `format!` alone beyond 4e15 and for NaN.
    fn fixed_reference(x: f64, d: u32) -> String {
        let scaled = x * 10i64.pow(d) as f64;
        if scaled.is_nan() || scaled.abs() >= 4.0e15 {
            return format!("{x:.prec$}", prec = d as usize);
        }
        let i = scaled.round() as i64;
        let sign = if i < 0 { "-" } else { "" };
        let (m, p) = (i.unsigned_abs(), 10u64.pow(d));
        if d == 0 {
            format!("{sign}{m}")
        } else {
            format!("{sign}{}.{:0w$}", m / p, m % p, w = d as usize)
        }
    }

    /// Values that test a fixed-point formatter: zeros, ties, every number of integer digits,
    /// both sides of the 4e15 switch, NaN and infinities, and 400,000 scattered ones.
    fn fixed_cases() -> Vec<f64> {
        let mut values = vec![
            0.0,
            -0.0,
            -1e-9,
            1e-9,
            0.5,
            -0.5,
            1.5,
            2.5,
            -2.5,
            0.05,
            0.005,
            0.00005,
            -0.00005,
            9.99995,
            99.995,
            -99.995,
            137.9538,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::MAX,
            f64::MIN_POSITIVE,
            1e20,
            -1e20,
        ];
        // Every number of integer digits, and both sides of the 4e15 switch at each precision.
        let mut p = 1.0;
        for _ in 0..17 {
            values.extend([p, p - 1.0, -p, 9.87654321 * p, -(p + 0.12345)]);
            p *= 10.0;
        }
        for d in 0..=4 {
            let edge = 4.0e15 / 10f64.powi(d);
            values.extend([edge, -edge, edge.next_down(), -edge.next_down()]);
        }
        // Scattered magnitudes, signs and fractions (SplitMix64), ties at every precision.
        let mut state = 0x5EED_u64;
        for _ in 0..200_000 {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            let unit = (z >> 11) as f64 / (1u64 << 53) as f64;
            let magnitude = 10f64.powi((z % 21) as i32 - 6);
            let sign = if z & (1 << 7) == 0 { 1.0 } else { -1.0 };
            values.push(sign * unit * magnitude);
            let tie = (z % 1_000_000) as f64 + 0.5;
            values.push(sign * tie / 10f64.powi((z % 5) as i32));
        }
        values
    }

    #[test]
    fn fixed_point_is_byte_for_byte_the_plain_formatting() {
        let values = fixed_cases();
        for &x in &values {
            for d in 0..=4 {
                let mut b = Vec::new();
                push_fixed(&mut b, x, d);
                assert_eq!(
                    String::from_utf8(b).expect("ascii"),
                    fixed_reference(x, d),
                    "{x:e} to {d} places"
                );
            }
        }
    }

    #[test]
    fn eight_digits_are_the_decimal_digits() {
        let check = |n: u32| {
            let got = eight_digits(n).to_le_bytes();
            assert_eq!(&got, format!("{n:08}").as_bytes(), "{n}");
        };
        // Every number around each power of ten and each multiple of 10^4, and a spread.
        for p in 0..8 {
            let base = 10u32.pow(p);
            for n in base.saturating_sub(300)..(base + 300).min(100_000_000) {
                check(n);
            }
        }
        for hi in (0..10_000).step_by(7) {
            for lo in [0, 1, 9, 10, 99, 100, 999, 1000, 9999] {
                check(hi * 10_000 + lo);
            }
        }
        let mut x = 12_345u32;
        for _ in 0..200_000 {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            check(x % 100_000_000);
        }
        check(99_999_999);
    }

    #[test]
    fn staged_numbers_are_byte_for_byte_push_fixed() {
        let values = fixed_cases();
        // One stage over all of them, so that it flushes many times, mid-number never.
        let mut staged = Vec::new();
        let mut want = Vec::new();
        let mut st = Stage::new(&mut staged);
        for &x in &values {
            st.fixed::<2>(x);
            st.byte(b',');
            st.fixed::<4>(x);
            st.byte(b'\n');
            push_fixed(&mut want, x, 2);
            want.push(b',');
            push_fixed(&mut want, x, 4);
            want.push(b'\n');
        }
        let mut rank = 1u32;
        while rank < u32::MAX / 3 {
            for r in [rank - 1, rank, rank + 1] {
                st.int(r);
                st.byte(b',');
                want.extend_from_slice(format!("{r},").as_bytes());
            }
            rank = rank.saturating_mul(3);
        }
        st.int(u32::MAX);
        want.extend_from_slice(u32::MAX.to_string().as_bytes());
        let len = st.len();
        st.flush();
        assert_eq!(len, staged.len(), "len() counts what is gathered");
        assert_eq!(staged.len(), want.len());
        if let Some(at) = staged.iter().zip(&want).position(|(a, b)| a != b) {
            let from = at.saturating_sub(40);
            panic!(
                "first difference at byte {at}: {:?} vs {:?}",
                String::from_utf8_lossy(&staged[from..at + 40]),
                String::from_utf8_lossy(&want[from..at + 40])
            );
        }
    }

    #[test]
    fn quoted_codes_and_long_reasons_are_written_as_before() {
        // Codes that need quotes, and 调档 reasons longer than a staged piece, with commas.
        let rows = 5000;
        let generated = crate::generate::facts_table(rows, 11);
        let uscc: StrColumn = (0..rows)
            .map(|i| match i % 97 {
                0 => format!("Q{i},\"x\""),
                1 => format!("L{i}{}", "长".repeat(40)),
                _ => format!("C{i:017}"),
            })
            .collect::<Vec<_>>()
            .iter()
            .map(String::as_str)
            .collect();
        let mut table = InputTable::new(uscc, generated.scale().to_vec()).expect("table");
        for name in crate::scheme::NUMERIC_COLUMNS {
            if let Some(col) = generated.numeric(name) {
                table.set_numeric(name, col.to_vec()).expect("column");
            }
        }
        let mut toml = crate::scheme::DEFAULT_SCHEME_TOML.to_owned();
        for (row, reason) in [
            (0, "短".to_owned()),
            (
                1,
                format!("县政府专题会议纪要, {}", "很长的理由".repeat(30)),
            ),
            (2, "a \"quoted\" reason".to_owned()),
            (4321, "x".repeat(200)),
        ] {
            let code = table
                .uscc()
                .get(row)
                .replace('\\', "\\\\")
                .replace('"', "\\\"");
            toml.push_str(&format!(
                "\n[[overrides]]\nuscc = \"{code}\"\nclass = \"B\"\nreason = \"{}\"\n",
                reason.replace('"', "\\\"")
            ));
        }
        let scheme = Scheme::parse(&toml).expect("scheme");
        assert!(scheme.has_class_adjustments());
        let results = crate::evaluate(&table, &scheme);
        let (uscc, scale) = table.into_key_columns();
        let mut got = Vec::new();
        write_results(&mut got, &uscc, &scale, &results, &scheme, &|_| {}).expect("write");

        // The lines the plain way: push_field and push_fixed into one vector.
        let mut want = b"uscc,scale,score,rank,class".to_vec();
        for k in results.item_keys() {
            want.extend_from_slice(format!(",score_{k}").as_bytes());
        }
        want.extend_from_slice(b",original_class,adjust_reason\n");
        for &row in results.order() {
            let row = row as usize;
            push_field(&mut want, uscc.get(row));
            want.extend_from_slice(format!(",{},", scale[row].as_str()).as_bytes());
            push_fixed(&mut want, results.total(row), 2);
            want.extend_from_slice(format!(",{},", results.rank(row)).as_bytes());
            push_field(&mut want, results.class(row));
            for k in 0..results.item_keys().len() {
                want.push(b',');
                if let Some(s) = results.score(k, row) {
                    push_fixed(&mut want, s, 4);
                }
            }
            want.push(b',');
            push_field(&mut want, results.initial_class(row));
            want.push(b',');
            push_field(&mut want, results.adjust_reason(row).unwrap_or(""));
            want.push(b'\n');
        }
        // Lossy: a broken writer must fail the asserts below, not dump megabytes here.
        let text = String::from_utf8_lossy(&got);
        assert!(
            text.contains("\"Q0,\"\"x\"\"\""),
            "a code with a comma is quoted"
        );
        assert!(text.contains("\"调档: 县政府专题会议纪要, 很长的理由"));
        assert!(
            got == want,
            "first difference at byte {:?}",
            got.iter().zip(&want).position(|(a, b)| a != b)
        );
    }
}
