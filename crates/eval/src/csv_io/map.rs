//! The input file mapped into memory, read where it lies in the kernel's page cache.

use std::fs::File;

/// A read-only mapping of a whole file (memmap2).
pub(super) struct Mapped(memmap2::Mmap);

impl Mapped {
    /// Maps `file` (`len` bytes long); `None` when it cannot be (empty or not a regular file),
    /// and the caller reads it instead.
    pub(super) fn new(file: &File, len: u64) -> Option<Mapped> {
        let len = usize::try_from(len).ok().filter(|&l| l > 0)?;
        if !file.metadata().ok()?.is_file() {
            return None;
        }
        // SAFETY: like every reader of a mapped file (ripgrep maps its inputs the same way),
        // this assumes no other process truncates or rewrites the file while `qx eval` reads
        // it: the input is a file the user handed over for this run. A file changed under it
        // would give rows from its new contents or stop the process (SIGBUS) before
        // RESULTS.csv is renamed into place.
        let map = unsafe { memmap2::MmapOptions::new().len(len).map(file) }.ok()?;
        // The whole file is read once from front to back, by every thread from its own part:
        // read-ahead may be generous. Advice only; failure changes nothing.
        #[cfg(unix)]
        let _ = map.advise(memmap2::Advice::WillNeed);
        Some(Mapped(map))
    }

    /// The file's bytes.
    pub(super) fn bytes(&self) -> &[u8] {
        &self.0
    }
}
