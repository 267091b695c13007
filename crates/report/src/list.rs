//! Any list the office exports (audit log, accounts, units, enterprises, problems, dashboard,
//! 未报送名单) as a one-sheet workbook: the title, a line saying what was exported and when, the
//! header row (frozen and filtered) and the rows. Plain data in, bytes out.

use crate::ReportError;
use rust_xlsxwriter::{Format, Workbook};

/// One cell: text, or a number Excel can sum.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Number(f64),
}

impl std::fmt::Display for Cell {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Cell::Text(s) => f.write_str(s),
            Cell::Number(n) => write!(f, "{n}"),
        }
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Text(s)
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Text(s.to_string())
    }
}

impl From<i64> for Cell {
    fn from(n: i64) -> Self {
        // Counts and ids stay far below 2^53, where f64 is exact.
        Cell::Number(n as f64)
    }
}

impl From<u32> for Cell {
    fn from(n: u32) -> Self {
        Cell::Number(f64::from(n))
    }
}

/// A list as it is exported and printed.
#[derive(Debug, Clone, Default)]
pub struct ListTable {
    /// 审计日志, 用户列表, … (also the sheet's name, cut to Excel's 31 characters).
    pub title: String,
    /// What the rows are: the filters and the moment, e.g. "筛选: 状态=办理中 · 导出于 2017-12-05 10:00".
    pub note: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

/// Characters Excel refuses in a sheet name.
const SHEET_FORBIDDEN: &[char] = &['[', ']', ':', '*', '?', '/', '\\'];

fn sheet_name(title: &str) -> String {
    let name: String = title
        .chars()
        .filter(|c| !SHEET_FORBIDDEN.contains(c))
        .take(31)
        .collect();
    if name.trim().is_empty() {
        "Sheet1".into()
    } else {
        name
    }
}

/// The workbook: row 1 the title, row 2 the note, row 3 the header, then the rows.
pub fn list_xlsx(table: &ListTable) -> Result<Vec<u8>, ReportError> {
    const HEADER_ROW: u32 = 2;
    let mut wb = Workbook::new();
    let title = Format::new().set_bold().set_font_size(14);
    let head = Format::new()
        .set_bold()
        .set_background_color(rust_xlsxwriter::Color::RGB(0xEEF1F4))
        .set_border(rust_xlsxwriter::FormatBorder::Thin);
    let ws = wb.add_worksheet();
    ws.set_name(sheet_name(&table.title))?;
    ws.write_string_with_format(0, 0, &table.title, &title)?;
    ws.write_string(1, 0, &table.note)?;
    for (c, h) in table.columns.iter().enumerate() {
        let col = u16::try_from(c).unwrap_or(u16::MAX);
        ws.write_string_with_format(HEADER_ROW, col, h, &head)?;
    }
    for (i, row) in table.rows.iter().enumerate() {
        let r = HEADER_ROW + 1 + u32::try_from(i).unwrap_or(u32::MAX - HEADER_ROW - 1);
        for (c, cell) in row.iter().enumerate() {
            let col = u16::try_from(c).unwrap_or(u16::MAX);
            match cell {
                Cell::Text(s) => ws.write_string(r, col, s)?,
                Cell::Number(n) => ws.write_number(r, col, *n)?,
            };
        }
    }
    if !table.columns.is_empty() {
        let last_col = u16::try_from(table.columns.len() - 1).unwrap_or(u16::MAX);
        let last_row = HEADER_ROW + u32::try_from(table.rows.len()).unwrap_or(0);
        ws.autofilter(HEADER_ROW, 0, last_row, last_col)?;
    }
    ws.set_freeze_panes(HEADER_ROW + 1, 0)?;
    ws.autofit();
    // The title and the note are long; they must not widen the first column.
    ws.set_column_width(0, column_width(&table.columns, &table.rows, 0))?;
    ws.set_header(format!("&C{}", table.title.replace('&', "&&")));
    ws.set_footer("&C&P / &N");
    ws.set_repeat_rows(HEADER_ROW, HEADER_ROW)?;
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    Ok(wb.save_to_buffer()?)
}

/// A width for column `c` from its widest value (a CJK character counts two).
fn column_width(columns: &[String], rows: &[Vec<Cell>], c: usize) -> f64 {
    let width = |s: &str| -> usize { s.chars().map(|ch| if ch.is_ascii() { 1 } else { 2 }).sum() };
    let widest = rows
        .iter()
        .filter_map(|r| r.get(c))
        .map(|cell| width(&cell.to_string()))
        .chain(columns.get(c).map(|h| width(h)))
        .max()
        .unwrap_or(8);
    // Whole characters, well inside f64's exact range.
    (widest.clamp(6, 60) + 2) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Data, Reader, Xlsx};

    #[test]
    fn the_workbook_has_title_note_header_and_rows_with_numbers_as_numbers() {
        let table = ListTable {
            title: "用户列表: 全部/有效".into(),
            note: "导出于 2017-12-05 10:00".into(),
            columns: vec!["姓名".into(), "次数".into()],
            rows: vec![vec!["王主任".into(), 3i64.into()]],
        };
        let bytes = list_xlsx(&table).unwrap();
        let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let names = wb.sheet_names();
        assert_eq!(names, vec!["用户列表 全部有效".to_string()]);
        let range = wb.worksheet_range(&names[0]).unwrap();
        assert_eq!(
            range.get_value((0, 0)),
            Some(&Data::String("用户列表: 全部/有效".into()))
        );
        assert_eq!(range.get_value((2, 1)), Some(&Data::String("次数".into())));
        assert_eq!(
            range.get_value((3, 0)),
            Some(&Data::String("王主任".into()))
        );
        assert_eq!(range.get_value((3, 1)), Some(&Data::Float(3.0)));
    }
}
