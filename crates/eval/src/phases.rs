//! Where the time goes: wall time per phase of a run, recorded when `QX_EVAL_PHASES` is set.
//!
//! `qx eval` prints the phases to stderr at the end (one `phase NAME SECONDS` line each) and
//! `qx bench eval` collects them into its table. Unset, recording costs one relaxed load.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::{Duration, Instant};

/// 0 = not decided yet, 1 = off, 2 = on.
static ENABLED: AtomicU8 = AtomicU8::new(0);
static PHASES: Mutex<Vec<(&'static str, Duration)>> = Mutex::new(Vec::new());

/// The environment variable that turns recording on.
pub const ENV: &str = "QX_EVAL_PHASES";

/// Whether phases are being recorded.
pub fn enabled() -> bool {
    match ENABLED.load(Ordering::Relaxed) {
        0 => {
            let on = std::env::var_os(ENV).is_some_and(|v| !v.is_empty() && v != "0");
            ENABLED.store(if on { 2 } else { 1 }, Ordering::Relaxed);
            on
        }
        v => v == 2,
    }
}

/// Records `name` as having taken the time since `since` (when recording is on); a phase
/// recorded again (one per block, say) adds up.
pub fn record(name: &'static str, since: Instant) {
    if enabled() {
        add(name, since.elapsed());
    }
}

/// Adds `d` to phase `name` (when recording is on).
pub fn add(name: &'static str, d: Duration) {
    if !enabled() {
        return;
    }
    if let Ok(mut p) = PHASES.lock() {
        match p.iter_mut().find(|(n, _)| *n == name) {
            Some((_, total)) => *total += d,
            None => {
                // Room for every phase at once: a push that grows the list would allocate,
                // maybe while another thread holds the allocator (see
                // `csv_io::write_atomically_and_release`).
                if p.capacity() == 0 {
                    p.reserve(64);
                }
                p.push((name, d));
            }
        }
    }
}

/// Runs `f` as phase `name`.
pub fn time<T>(name: &'static str, f: impl FnOnce() -> T) -> T {
    let t = Instant::now();
    let out = f();
    record(name, t);
    out
}

/// The phases recorded so far, in the order they were first recorded.
pub fn take() -> Vec<(&'static str, Duration)> {
    PHASES
        .lock()
        .map(|mut p| std::mem::take(&mut *p))
        .unwrap_or_default()
}
