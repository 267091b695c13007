//! The input file mapped into memory, read where it lies in the kernel's page cache.

use std::fs::File;

/// A read-only private mapping of a whole file.
pub(super) struct Mapped {
    ptr: *mut libc::c_void,
    len: usize,
}

impl Mapped {
    /// Maps `file` (`len` bytes long); `None` when it cannot be (empty, not a regular file, or
    /// not on Unix), and the caller reads it instead.
    #[cfg(unix)]
    pub(super) fn new(file: &File, len: u64) -> Option<Mapped> {
        use std::os::unix::io::AsRawFd;
        let len = usize::try_from(len).ok().filter(|&l| l > 0)?;
        if !file.metadata().ok()?.is_file() {
            return None;
        }
        // SAFETY: a fresh read-only mapping chosen by the kernel (no fixed address), of a file
        // descriptor that is open for the duration of the call; failure is MAP_FAILED, checked.
        let ptr = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ,
                libc::MAP_PRIVATE,
                file.as_raw_fd(),
                0,
            )
        };
        if ptr == libc::MAP_FAILED {
            return None;
        }
        // The whole file is read once from front to back, by every thread from its own part:
        // read-ahead may be generous. Advice only; failure changes nothing.
        // SAFETY: the range is exactly the mapping just made.
        unsafe {
            libc::madvise(ptr, len, libc::MADV_WILLNEED);
        }
        Some(Mapped { ptr, len })
    }

    #[cfg(not(unix))]
    pub(super) fn new(_: &File, _: u64) -> Option<Mapped> {
        None
    }

    /// The file's bytes.
    ///
    /// Like every reader of a mapped file (ripgrep maps its inputs the same way), this assumes
    /// no other process truncates or rewrites the file while `qx eval` reads it: the input is a
    /// file the user handed over for this run, and a changed file would at worst give rows
    /// from its new contents or stop the process (SIGBUS), never a partial RESULTS.csv.
    pub(super) fn bytes(&self) -> &[u8] {
        // SAFETY: the mapping is `len` readable bytes and lives as long as `self`.
        unsafe { std::slice::from_raw_parts(self.ptr.cast::<u8>(), self.len) }
    }
}

impl Drop for Mapped {
    fn drop(&mut self) {
        // SAFETY: unmaps exactly the mapping `new` made; no borrow of `bytes` outlives `self`.
        #[cfg(unix)]
        unsafe {
            libc::munmap(self.ptr, self.len);
        }
    }
}

// SAFETY: the mapping is read-only and owned by this value; sharing `&[u8]` across threads is
// as safe as sharing any immutable byte slice.
unsafe impl Sync for Mapped {}
unsafe impl Send for Mapped {}
