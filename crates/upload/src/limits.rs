//! What an upload may cost: the caps every reader in this crate enforces.

/// Caps on what one uploaded archive may make the process allocate or decompress.
///
/// The defaults are sized for real use with room to spare: the largest real upload is an
/// enterprise registry of 100,000 rows × ~20 columns (2 M cells, a worksheet part of ~60–90 MB
/// uncompressed with inline strings, or ~40 MB with shared strings); a report template is a few
/// hundred rows; a plan document's `document.xml` is a few MB. At the defaults the worst
/// accepted workbook holds ~3 M cells in memory (~150 MB).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Entries in the zip archive (a workbook has ~10–30 parts, a .docx with pictures a few
    /// hundred). Default 10,000.
    pub max_entries: u64,
    /// Uncompressed bytes of any one part. Default 128 MB.
    pub max_part_bytes: u64,
    /// Uncompressed bytes of all parts together. Default 256 MB.
    pub max_total_bytes: u64,
    /// Cells of one sheet, each row counted out to its last cell (so the rows an importer
    /// lays out as text cost at most this many cells). Default 3,000,000.
    pub max_cells: u64,
    /// Columns: a cell beyond column `max_columns` (1-based) is refused. Default 1,024 (AMJ).
    pub max_columns: u32,
    /// Shared strings, declared (`count`, `uniqueCount`) or real (`<si>` items). Default 3,000,000.
    pub max_shared_strings: u64,
    /// Bytes of one string (a shared string's text run or a cell's inline string).
    /// Default 1 MB.
    pub max_string_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_entries: 10_000,
            max_part_bytes: 128 << 20,
            max_total_bytes: 256 << 20,
            max_cells: 3_000_000,
            max_columns: 1024,
            max_shared_strings: 3_000_000,
            max_string_bytes: 1 << 20,
        }
    }
}
