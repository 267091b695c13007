//! The bounded reader for the archives people upload (.xlsx workbooks, .docx documents).
//!
//! Office files are zip archives of XML parts, and the libraries that read them allocate what
//! a file *declares*: calamine reserves the shared-strings `uniqueCount`, a worksheet's
//! `<dimension>` area, or the bounding box of its cells; a deflated part of a few KB can inflate
//! to gigabytes of whitespace that an XML reader buffers whole. One such file would abort the
//! whole process. This crate stands between the upload and those libraries:
//!
//! 1. [`Archive::open`] reads the End Of Central Directory itself and refuses too many entries
//!    before the zip reader builds its table, then stream-decompresses every entry, counting the
//!    real bytes (declared sizes are never trusted) and stopping at [`Limits`].
//! 2. [`Workbook::open`] pre-scans the shared-strings part (declared and real counts, string
//!    lengths) before calamine sees it, and [`Workbook::read_sheet`] streams cells with
//!    calamine's cell reader into a sparse [`Sheet`], refusing far columns and too many cells.
//! 3. [`Archive::read_part`] gives a part's bytes under the per-part cap (the .docx reader).
//!
//! Every violation is an ordinary [`UploadError`] naming the file and the part, in Chinese.
//! With the `testing` feature, [`hostile`] generates the corpus of files that must be refused.

mod archive;
mod error;
#[cfg(feature = "testing")]
pub mod hostile;
mod limits;
mod workbook;

pub use archive::Archive;
pub use calamine::Data;
pub use error::{Problem, UploadError};
pub use limits::Limits;
pub use workbook::{Cell, Row, Sheet, Workbook};
