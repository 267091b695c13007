//! Refusals: what was wrong with an upload, in the words its sender can act on.

/// An upload refused: the file's name and the problem.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{problem}", if file.is_empty() { String::new() } else { format!("{file}: ") })]
pub struct UploadError {
    /// The file's name as the user gave it (empty when the caller adds it itself).
    pub file: String,
    pub problem: Problem,
}

impl UploadError {
    pub(crate) fn new(file: &str, problem: Problem) -> Self {
        Self {
            file: file.to_string(),
            problem,
        }
    }
}

const BUILT: &str = "文件可能已损坏或被构造";

/// Why an upload was refused. Every message says what was found and which cap it broke.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    #[error(
        "旧版 Excel (.xls) 或加密的工作簿, 请在 Excel 中\"另存为\" .xlsx 后上传 (legacy .xls or encrypted workbook: save as .xlsx)"
    )]
    Legacy,
    #[error(
        "不是 zip 格式的 Office 文件 (.xlsx/.docx), 请确认文件类型 (not a zip-based Office file)"
    )]
    NotZip,
    #[error("压缩包不完整或已损坏: {0} (truncated or corrupt archive)")]
    Corrupt(String),
    #[error("压缩包有 {found} 个条目, 超过 {max} 个上限, {BUILT} (too many archive entries)")]
    TooManyEntries { found: u64, max: u64 },
    #[error("{} 解压后超过 {} MB 上限, {BUILT} (part too large when inflated)", part_label(.part), .max >> 20)]
    PartTooLarge { part: String, max: u64 },
    #[error("全部部件解压后超过 {} MB 上限 (在 {part} 处), {BUILT} (archive too large when inflated)", .max >> 20)]
    TotalTooLarge { part: String, max: u64 },
    #[error("{} 声明 {found} 个字符串, 超过 {max} 个上限, {BUILT} (too many shared strings)", part_label(.part))]
    TooManyStrings { part: String, found: u64, max: u64 },
    #[error("{} 中有超过 {} KB 的字符串, {BUILT} (string too long)", part_label(.part), .max >> 10)]
    StringTooLong { part: String, max: usize },
    #[error(
        "工作表 \"{sheet}\" 单元格 {cell} 超出 {max} 列上限, {BUILT} (cell beyond the last allowed column)"
    )]
    ColumnTooFar {
        sheet: String,
        cell: String,
        max: u32,
    },
    #[error(
        "工作表 \"{sheet}\" 超过 {max} 个单元格上限 (第{row}行处), 请拆分后分批导入 (too many cells)"
    )]
    TooManyCells { sheet: String, row: u32, max: u64 },
    #[error("找不到工作表 \"{0}\" (missing sheet)")]
    MissingSheet(String),
    #[error("不是可读取的 .xlsx 工作簿: {0} (not a readable workbook)")]
    Unreadable(String),
}

/// A part as a person can tell what it is: `工作表 xl/worksheets/sheet1.xml`.
fn part_label(part: &str) -> String {
    let lower = part.to_ascii_lowercase();
    let kind = if lower.contains("worksheets/") {
        "工作表"
    } else if lower.ends_with("sharedstrings.xml") {
        "共享字符串"
    } else if lower.ends_with("document.xml") {
        "正文"
    } else {
        "部件"
    };
    format!("{kind} {part}")
}

/// Cell `(row, col)` (0-based) as Excel names it: `XFD1048576`.
pub(crate) fn cell_name(row: u32, col: u32) -> String {
    let mut n = u64::from(col) + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let r = ((n - 1) % 26) as u8;
        letters.push(char::from(b'A' + r));
        n = (n - 1) / 26;
    }
    letters.reverse();
    format!(
        "{}{}",
        letters.into_iter().collect::<String>(),
        u64::from(row) + 1
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_file_and_the_part() {
        let e = UploadError::new(
            "模板.xlsx",
            Problem::PartTooLarge {
                part: "xl/worksheets/sheet1.xml".into(),
                max: 64 << 20,
            },
        );
        assert_eq!(
            e.to_string(),
            "模板.xlsx: 工作表 xl/worksheets/sheet1.xml 解压后超过 64 MB 上限, 文件可能已损坏或被构造 (part too large when inflated)"
        );
        assert_eq!(cell_name(1_048_575, 16_383), "XFD1048576");
        assert_eq!(cell_name(0, 0), "A1");
        assert_eq!(cell_name(9, 27), "AB10");
    }
}
