//! Large column buffers backed by transparent huge pages where the kernel offers them.
//!
//! A million-row evaluation allocates a few hundred MB of columns. With 4 KiB pages, faulting
//! them in and the TLB misses of rank-order access cost more than some whole passes; asking for
//! 2 MiB pages (`madvise(MADV_HUGEPAGE)`, before the first write) removes most of both. It is
//! only advice: where THP is off, or on other systems, nothing changes. [`prefetch`] is the same
//! kind of hint for rank-order reads.

/// Below this, huge pages are not worth a system call.
const MIN_BYTES: usize = 4 << 20;

/// `Vec::with_capacity`, advised to use huge pages when large.
pub fn with_capacity<T>(capacity: usize) -> Vec<T> {
    let v = Vec::with_capacity(capacity);
    advise(&v);
    v
}

/// `vec![value; len]`, advised to use huge pages when large, and written by every thread: the
/// first write to a new page is where the kernel zeroes it, most of the cost of a new column.
pub fn filled_par<T: Clone + Send>(len: usize, value: T) -> Vec<T> {
    use rayon::iter::ParallelExtend;
    let mut v = with_capacity(len);
    v.par_extend(rayon::iter::repeat_n(value, len));
    v
}

#[cfg(target_os = "linux")]
fn advise<T>(v: &Vec<T>) {
    const HUGE: usize = 2 << 20;
    let bytes = v.capacity().saturating_mul(size_of::<T>());
    if bytes < MIN_BYTES {
        return;
    }
    let start = (v.as_ptr() as usize).next_multiple_of(HUGE);
    let end = (v.as_ptr() as usize + bytes) / HUGE * HUGE;
    if end > start {
        // SAFETY: the range lies inside this vector's own allocation, and MADV_HUGEPAGE is
        // advice that never changes the memory's contents or validity.
        unsafe {
            libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE);
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn advise<T>(_: &Vec<T>) {}

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
        let w: Vec<u32> = super::with_capacity(10);
        assert!(w.is_empty() && w.capacity() >= 10);
    }
}
