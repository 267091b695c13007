//! Large column buffers, their release and reuse, and cache hints for scattered reads.
//!
//! A million-row evaluation allocates a few hundred MB of columns, and the first write to each
//! new page is where the kernel zeroes it. [`filled_par`] spreads that first write over every
//! thread. Transparent huge pages (`madvise(MADV_HUGEPAGE)`) were asked for here until measured
//! on the 2-core machine: the kernel's zeroing of 2 MiB pages took a quarter of the run's CPU
//! time, more than 4 KiB pages cost in faults and TLB misses together (example `eval_file`,
//! 1,000,000 rows, loaded machine: 1.09 s → 0.84 s CPU, median of 8). [`prefetch`] is a hint
//! for rank-order reads; [`free_in_background`] hands big buffers back to the kernel on an idle
//! thread (the mapped input while rows are checked, the last columns while the output is
//! renamed into place); [`reuse_freed_memory`] has the allocator keep freed columns for the
//! next ones, and [`release_in_background`] gives them all back at the end of a run.

/// Asks the C allocator (glibc) to keep freed big buffers for the next ones instead of
/// handing them back to the kernel: one arena for every thread, buffers up to 32 MiB (a
/// column of four million rows) taken from it rather than mapped one by one, and no trimming
/// of its free top. A run of `qx eval` frees a few dozen MB of columns (the reader's line
/// numbers, the duplicate check's keys, the ranking's sort keys) just before it needs as
/// much again, whose fresh pages the kernel would fault in and zero one by one (about 1.5 µs
/// a page on the 2-core machine). For a process that lives for one run: memory it keeps is
/// given back at exit. Elsewhere than on glibc, nothing changes.
pub fn reuse_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets allocator parameters (it takes the arena's lock); buffers
    // allocated before keep working under the new ones.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 1);
        libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, libc::c_int::MAX);
    }
}

/// `vec![value; len]`, written by every thread: the first write to a new page is where the
/// kernel zeroes it, most of the cost of a new column.
pub fn filled_par<T: Clone + Send>(len: usize, value: T) -> Vec<T> {
    use rayon::iter::ParallelExtend;
    let mut v = Vec::with_capacity(len);
    v.par_extend(rayon::iter::repeat_n(value, len));
    v
}

/// Drops `value` on a thread of its own, without waiting: for large buffers whose unmapping
/// (the kernel's work, a few milliseconds per hundred MB) can then overlap with what the caller
/// does next, such as renaming the output into place. Not on rayon's pool: a queued job could
/// wait for a busy pool and hold the memory into the next phase, the peak it must not raise.
/// When no thread can be started, `value` is dropped here; a process that exits meanwhile still
/// frees everything.
pub fn free_in_background<T: Send + 'static>(value: T) {
    // A failed spawn drops the closure, and with it `value`, before returning.
    let _ = std::thread::Builder::new()
        .name("qx-free".into())
        .spawn(move || drop(value));
}

/// [`free_in_background`] for the last big buffers of a run: once `value` is dropped, the
/// thread also hands every buffer freed so far back to the kernel (`malloc_trim`), which
/// [`reuse_freed_memory`] otherwise keeps. Without it the process's exit freed those pages
/// itself, after the rename, on its one thread (23 ms instead of 5 outside the phases of
/// `qx eval`); this way the kernel frees them while the rename waits on the disk.
pub fn release_in_background<T: Send + 'static>(value: T) {
    let _ = std::thread::Builder::new()
        .name("qx-release".into())
        .spawn(move || {
            drop(value);
            #[cfg(all(target_os = "linux", target_env = "gnu"))]
            // SAFETY: malloc_trim only returns free memory of the allocator's arenas to the
            // kernel (it takes their locks); no live allocation is touched.
            unsafe {
                libc::malloc_trim(0);
            }
        });
}

/// Asks the CPU to start loading `data` into cache (a hint; it never faults).
#[inline(always)]
pub fn prefetch(data: &[u8]) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: PREFETCHT0 is part of SSE, which every x86_64 CPU has; it only hints the cache
    // and is defined for any address, here a valid one.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(data.as_ptr().cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = data;
}

#[cfg(test)]
mod tests {
    #[test]
    fn buffers_behave_like_vectors() {
        let v = super::filled_par(1 << 20, 1.5f64);
        assert_eq!(v.len(), 1 << 20);
        assert!(v.iter().all(|&x| x == 1.5));
        let p = super::filled_par(3 << 19, f64::NAN);
        assert_eq!(p.len(), 3 << 19);
        assert!(p.iter().all(|x| x.is_nan()));
    }
}
