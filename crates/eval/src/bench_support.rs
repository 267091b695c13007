//! What `qx bench eval` needs besides the engine: timing a child process with its peak memory,
//! the DuckDB reference (SQL and runner, embedded), and comparing two RESULTS.csv files.

use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// The default scheme as DuckDB SQL (`bench/duckdb_eval.sql`).
pub const DUCKDB_SQL: &str = include_str!("../bench/duckdb_eval.sql");

/// The Python runner for [`DUCKDB_SQL`] (`bench/duckdb_eval.py`).
pub const DUCKDB_RUNNER: &str = include_str!("../bench/duckdb_eval.py");

/// A finished child process and what it cost.
#[derive(Debug)]
pub struct Measured {
    pub status: ExitStatus,
    pub wall: Duration,
    /// Peak resident set size of the child, in KiB (`ru_maxrss` from `wait4`).
    pub max_rss_kib: u64,
    /// CPU time of the child (user + system): unlike wall time, barely affected by other load.
    pub cpu: Duration,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

/// Runs a command to completion and measures its wall time and peak RSS.
///
/// The child is reaped with `wait4`, which reports that child's own resource usage (unlike
/// `getrusage(RUSAGE_CHILDREN)`, which keeps the maximum over all children so far).
#[cfg(unix)]
pub fn run_measured(cmd: &mut Command) -> io::Result<Measured> {
    use std::os::unix::process::ExitStatusExt;

    let start = Instant::now();
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let mut out_pipe = child.stdout.take();
    let mut err_pipe = child.stderr.take();
    let err_thread = std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(p) = err_pipe.as_mut() {
            let _ = p.read_to_end(&mut buf);
        }
        buf
    });
    let mut stdout = Vec::new();
    if let Some(p) = out_pipe.as_mut() {
        p.read_to_end(&mut stdout)?;
    }
    let pid = libc::pid_t::try_from(child.id()).map_err(io::Error::other)?;
    let mut status: libc::c_int = 0;
    // SAFETY: `rusage` is plain data that wait4 fills in; `pid` is our own unreaped child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let rc = loop {
        // SAFETY: valid pointers to locals; wait4 has no other preconditions.
        let rc = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if rc == -1 && io::Error::last_os_error().kind() == io::ErrorKind::Interrupted {
            continue;
        }
        break rc;
    };
    let wall = start.elapsed();
    if rc == -1 {
        return Err(io::Error::last_os_error());
    }
    let stderr = err_thread.join().unwrap_or_default();
    Ok(Measured {
        status: ExitStatus::from_raw(status),
        wall,
        max_rss_kib: u64::try_from(usage.ru_maxrss).unwrap_or(0),
        cpu: timeval(usage.ru_utime) + timeval(usage.ru_stime),
        stdout,
        stderr,
    })
}

#[cfg(unix)]
fn timeval(t: libc::timeval) -> Duration {
    Duration::from_secs(u64::try_from(t.tv_sec).unwrap_or(0))
        + Duration::from_micros(u64::try_from(t.tv_usec).unwrap_or(0))
}

/// Runs a command to completion and measures its wall time (peak RSS is not available here).
#[cfg(not(unix))]
pub fn run_measured(cmd: &mut Command) -> io::Result<Measured> {
    let start = Instant::now();
    let out = cmd.stdin(Stdio::null()).output()?;
    Ok(Measured {
        status: out.status,
        wall: start.elapsed(),
        max_rss_kib: 0,
        cpu: Duration::ZERO,
        stdout: out.stdout,
        stderr: out.stderr,
    })
}

/// How two RESULTS.csv files compare.
#[derive(Debug, Default)]
pub struct Comparison {
    pub rows: usize,
    pub rows_other: usize,
    /// Rows whose uscc, scale, rank or class differ.
    pub rank_or_class_mismatches: usize,
    /// Rows whose `score` strings differ.
    pub score_mismatches: usize,
    /// …of which differ by more than 0.01 (not a last-digit rounding tie).
    pub score_mismatches_beyond_rounding: usize,
    /// Item score cells (4 dp) that differ.
    pub item_mismatches: usize,
    pub header_equal: bool,
    pub examples: Vec<String>,
}

impl Comparison {
    /// Agreement as the bench requires it: same rows, ranks and classes, scores to 2 dp.
    pub fn agrees(&self) -> bool {
        self.header_equal
            && self.rows == self.rows_other
            && self.rank_or_class_mismatches == 0
            && self.score_mismatches_beyond_rounding == 0
    }
}

/// Compares two RESULTS.csv files line by line (both are in contract row order).
pub fn compare_results(a: &Path, b: &Path) -> io::Result<Comparison> {
    let mut ra = BufReader::with_capacity(1 << 20, std::fs::File::open(a)?);
    let mut rb = BufReader::with_capacity(1 << 20, std::fs::File::open(b)?);
    let (mut la, mut lb) = (String::new(), String::new());
    let mut c = Comparison::default();
    ra.read_line(&mut la)?;
    rb.read_line(&mut lb)?;
    c.header_equal = la.trim_end() == lb.trim_end();
    loop {
        la.clear();
        lb.clear();
        let na = ra.read_line(&mut la)?;
        let nb = rb.read_line(&mut lb)?;
        if na == 0 && nb == 0 {
            break;
        }
        if na > 0 {
            c.rows += 1;
        }
        if nb > 0 {
            c.rows_other += 1;
        }
        if na == 0 || nb == 0 {
            continue;
        }
        let fa: Vec<&str> = la.trim_end().split(',').collect();
        let fb: Vec<&str> = lb.trim_end().split(',').collect();
        let key = |f: &[&str]| [0, 1, 3, 4].map(|i| f.get(i).map(|s| s.to_string()));
        let mut bad = false;
        if key(&fa) != key(&fb) {
            c.rank_or_class_mismatches += 1;
            bad = true;
        }
        if fa.get(2) != fb.get(2) {
            c.score_mismatches += 1;
            let num = |f: &[&str]| f.get(2).and_then(|s| s.parse::<f64>().ok());
            match (num(&fa), num(&fb)) {
                (Some(x), Some(y)) if (x - y).abs() <= 0.010_000_1 => {}
                _ => {
                    c.score_mismatches_beyond_rounding += 1;
                    bad = true;
                }
            }
        }
        let items = |f: &[&str]| f.iter().skip(5).map(|s| s.to_string()).collect::<Vec<_>>();
        let (ia, ib) = (items(&fa), items(&fb));
        c.item_mismatches += ia.iter().zip(&ib).filter(|(x, y)| x != y).count();
        if bad && c.examples.len() < 5 {
            c.examples.push(format!(
                "qx:     {}\nduckdb: {}",
                la.trim_end(),
                lb.trim_end()
            ));
        }
    }
    Ok(c)
}

/// Whether `python3 -c "import duckdb"` works, and DuckDB's version if so.
pub fn duckdb_version() -> Option<String> {
    let out = Command::new("python3")
        .args(["-c", "import duckdb; print(duckdb.__version__)"])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// The sha256 of some bytes, in hex (the before/after check of `qx bench eval --baseline`).
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}
