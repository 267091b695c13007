//! Why a document could not be read at all (as opposed to [`crate::Warning`]s about parts of it).

use std::path::PathBuf;

/// A document that cannot be parsed. Every message names the file and says what to do, in
/// Chinese and English, because it is shown as is by the CLI and the import page.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    /// The I/O error is part of the message (not a `source`), so `{:#}` does not repeat it.
    #[error("{file}: 无法读取文件 / cannot read file: {reason}")]
    Io {
        file: String,
        reason: std::io::Error,
    },
    #[error("{file}: 文件为空 / the file is empty")]
    Empty { file: String },
    #[error(
        "{file}: 文件过大 ({size} 字节, 上限 {limit} 字节) / file too large ({size} bytes, limit {limit} bytes)"
    )]
    TooLarge { file: String, size: u64, limit: u64 },
    #[error(
        "{file}: 不是文本、.docx 或 .html 文档 (二进制内容) / not a text, .docx or .html document (binary content){detail}"
    )]
    Binary { file: String, detail: String },
    #[error(
        "{file}: 无法识别文字编码 (既不是 UTF-8 也不是 GB18030/GBK) / unknown text encoding (neither UTF-8 nor GB18030/GBK)"
    )]
    Encoding { file: String },
    #[error("{file}: 无法读取 Word 文档 / cannot read the Word document: {detail}")]
    Docx { file: String, detail: String },
}

impl PlanError {
    pub(crate) fn io(path: &std::path::Path, source: std::io::Error) -> Self {
        PlanError::Io {
            file: display_path(path),
            reason: source,
        }
    }
}

pub(crate) fn display_path(path: &std::path::Path) -> String {
    PathBuf::from(path).display().to_string()
}
