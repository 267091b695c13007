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
    #[error("{file}: 无法读取 PDF / cannot read the PDF: {detail}")]
    Pdf { file: String, detail: String },
    #[error(
        "{file}: PDF 超出处理上限, 未读取 / the PDF is over a processing limit, not read: {what}"
    )]
    PdfLimit { file: String, what: String },
    #[error(
        "{file}: 此PDF为扫描件, 无文字层; 请提供 .docx、文本或带文字层的 PDF / this PDF is a scan without a text layer: provide .docx, text or a PDF with text"
    )]
    ScannedPdf { file: String },
    #[error(
        "{file}: 旧版 Word/WPS 文档 (.doc/.wps) 需要 LibreOffice 转换, 本机未安装; 请在 Word 或 WPS 中\"另存为\" .docx 后再导入 / legacy .doc/.wps needs LibreOffice to convert and it is not installed here: open the file in Word or WPS, \"Save As\" .docx and import that"
    )]
    LegacyWithoutConverter { file: String },
    #[error(
        "{file}: 旧版 Word/WPS 文档转换失败, 请另存为 .docx 后再导入 / converting the legacy .doc/.wps failed, save it as .docx and import that: {detail}"
    )]
    LegacyConversion { file: String, detail: String },
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
