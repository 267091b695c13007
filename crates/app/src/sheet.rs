//! Reading the workbooks people upload (任务分解表, a unit's report template, 企业名录 and yearly
//! facts, official lists): one bounded reader ([`qx_upload::Workbook`]) for all of them, and
//! for the importers that also take CSV one table reader for both ([`read_file_table`]); one
//! header finder ([`Table`]), one figure reader ([`read_figure`], [`read_number`]), a cell as
//! the text a person sees, and rows and columns numbered as Excel shows them in messages.

use crate::AppError;
use crate::plan_import::plain;
use qx_core::money::{NumberError, parse_decimal_cell};
use qx_upload::{Data, Limits, Problem, Sheet, Workbook};
use rust_decimal::Decimal;
use std::collections::HashMap;

/// A workbook we write could not be produced (a sheet name or cell rust_xlsxwriter refuses).
pub(crate) fn xlsx_error(e: rust_xlsxwriter::XlsxError) -> AppError {
    AppError::Invalid(format!("生成Excel失败: {e}"))
}

/// The header cells of every workbook we hand out: bold on light grey, thin borders.
pub(crate) fn header_format() -> rust_xlsxwriter::Format {
    rust_xlsxwriter::Format::new()
        .set_bold()
        .set_background_color(0xE6EAF0)
        .set_border(rust_xlsxwriter::FormatBorder::Thin)
}

/// Adds a sheet named `name` whose row `row` (0-based) holds `headers` in `format`.
pub(crate) fn add_sheet<'w, H: AsRef<str>>(
    wb: &'w mut rust_xlsxwriter::Workbook,
    name: &str,
    row: u32,
    headers: &[H],
    format: &rust_xlsxwriter::Format,
) -> Result<&'w mut rust_xlsxwriter::Worksheet, AppError> {
    let ws = wb.add_worksheet().set_name(name).map_err(xlsx_error)?;
    for (c, h) in headers.iter().enumerate() {
        ws.write_with_format(row, c as u16, h.as_ref(), format)
            .map_err(xlsx_error)?;
    }
    Ok(ws)
}

/// Sets the widths (in characters) of the columns from A.
pub(crate) fn set_widths(
    ws: &mut rust_xlsxwriter::Worksheet,
    widths: &[f64],
) -> Result<(), AppError> {
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, *w).map_err(xlsx_error)?;
    }
    Ok(())
}

/// Writes `cells` as text into `row` (0-based) from column A, in `format` when one is given.
pub(crate) fn write_texts<S: AsRef<str>>(
    ws: &mut rust_xlsxwriter::Worksheet,
    row: u32,
    cells: &[S],
    format: Option<&rust_xlsxwriter::Format>,
) -> Result<(), AppError> {
    for (c, v) in cells.iter().enumerate() {
        match format {
            Some(f) => ws.write_with_format(row, c as u16, v.as_ref(), f),
            None => ws.write(row, c as u16, v.as_ref()),
        }
        .map_err(xlsx_error)?;
    }
    Ok(())
}

/// Adds a sheet of `key | value` rows (the writing side of [`key_values`]): keys in `key_format`,
/// values in `value_format` when one is given, columns `widths` wide.
pub(crate) fn add_key_value_sheet<'w>(
    wb: &'w mut rust_xlsxwriter::Workbook,
    name: &str,
    widths: [f64; 2],
    pairs: &[(&str, String)],
    key_format: &rust_xlsxwriter::Format,
    value_format: Option<&rust_xlsxwriter::Format>,
) -> Result<&'w mut rust_xlsxwriter::Worksheet, AppError> {
    let ws = wb.add_worksheet().set_name(name).map_err(xlsx_error)?;
    set_widths(ws, &widths)?;
    for (r, (k, v)) in pairs.iter().enumerate() {
        ws.write_with_format(r as u32, 0, *k, key_format)
            .map_err(xlsx_error)?;
        match value_format {
            Some(f) => ws.write_with_format(r as u32, 1, v.as_str(), f),
            None => ws.write(r as u32, 1, v.as_str()),
        }
        .map_err(xlsx_error)?;
    }
    Ok(ws)
}

/// A row as Excel numbers it (1-based) and its cells as text, laid out from column A.
pub(crate) type TextRow = (u32, Vec<String>);

/// Opens an uploaded workbook within the default [`Limits`]: a file that is not an .xlsx, or
/// that declares or inflates to more than the caps allow, is an ordinary error naming it.
pub(crate) fn open_workbook<'a>(
    bytes: &'a [u8],
    file_name: &str,
) -> Result<Workbook<'a>, AppError> {
    Workbook::open(file_name, bytes, &Limits::default()).map_err(|e| {
        let detail = match e.problem {
            Problem::Unreadable(detail) => detail,
            Problem::NotZip | Problem::Corrupt(_) => e.problem.to_string(),
            _ => return AppError::Invalid(e.to_string()),
        };
        AppError::Invalid(format!(
            "{file_name}: 不是可读取的Excel文件 (not a readable workbook): {detail}"
        ))
    })
}

/// A sheet's non-empty rows as text. The reader has already bounded the sheet: each row is laid
/// out only to its last cell, and the sum of those widths is within the cell cap.
pub(crate) fn text_rows(sheet: &Sheet, text: fn(&Data) -> String) -> Vec<TextRow> {
    sheet
        .rows
        .iter()
        .map(|row| {
            let mut cells = vec![String::new(); row.width() as usize];
            for c in &row.cells {
                cells[c.col as usize] = text(&c.value);
            }
            (row.number(), cells)
        })
        .filter(|(_, cells)| cells.iter().any(|c| !c.is_empty()))
        .collect()
}

/// Reads `sheet` of an open workbook as text rows; `Ok(None)` when the workbook has no such
/// sheet, an error naming the file when the sheet breaks the reader's caps.
pub(crate) fn read_rows(
    wb: &mut Workbook<'_>,
    sheet: &str,
) -> Result<Option<Vec<TextRow>>, AppError> {
    if !wb.has_sheet(sheet) {
        return Ok(None);
    }
    let sheet = wb
        .read_sheet(sheet)
        .map_err(|e| AppError::Invalid(e.to_string()))?;
    Ok(Some(text_rows(&sheet, cell_text)))
}

/// `sheet` of an open workbook as a [`Table`]: `Ok(None)` when the workbook has no such sheet,
/// `Ok(Some(Err(problems)))` when its header is not found or lacks a `required` column, an error
/// naming the file when the sheet breaks the reader's caps.
pub(crate) fn read_table(
    wb: &mut Workbook<'_>,
    sheet: &str,
    wanted: &[&'static str],
    required: &[&'static str],
) -> Result<Option<Result<Table, Vec<String>>>, AppError> {
    Ok(read_rows(wb, sheet)?.map(|rows| Table::locate(sheet, rows, wanted, required)))
}

/// A sheet of `key | value` rows (方案信息, 填报说明): the first cell of a row names the second.
pub(crate) fn key_values(rows: Vec<TextRow>) -> HashMap<String, String> {
    rows.into_iter()
        .filter_map(|(_, row)| {
            let mut cells = row.into_iter();
            Some((cells.next()?, cells.next().unwrap_or_default()))
        })
        .collect()
}

/// A figure from a cell: `Ok(None)` when empty or a placeholder ("—", "-", "/"), the
/// normalised number otherwise. Full-width digits and signs, separators, a trailing % and a
/// trailing unit equal to the row's own ("28.5亿元") are accepted.
pub(crate) fn read_figure(cell: &str, unit: &str) -> Result<Option<String>, String> {
    match figure(cell, Some(unit)) {
        Ok(d) => Ok(d.map(|d| d.normalize().to_string())),
        Err(e) => Err(format!("\"{cell}\" 不是数字: {e}")),
    }
}

/// A plain number from a cell (an enterprise's 用地面积, 税收 …): `Ok(None)` when empty or a
/// placeholder, full-width digits and separators accepted, any unit or % refused. The error is
/// the reason alone: the caller's message names the cell and quotes the value.
pub(crate) fn read_number(cell: &str) -> Result<Option<f64>, String> {
    match figure(cell, None) {
        Ok(None) => Ok(None),
        Ok(Some(d)) => d
            .to_string()
            .parse::<f64>()
            .map(Some)
            .map_err(|_| "不是有效的数字".to_string()),
        Err(e) => Err(reason_only(e)),
    }
}

/// The one figure rule of the importers: a cell through [`parse_decimal_cell`], after the
/// row's own `unit` and a % are taken off its end when a unit is given.
fn figure(cell: &str, unit: Option<&str>) -> Result<Option<Decimal>, NumberError> {
    let Some(unit) = unit else {
        return parse_decimal_cell(cell);
    };
    let normalised = qx_core::text::halfwidth(cell);
    let unit_norm = unit.replace('％', "%");
    let mut bare = normalised.trim();
    if !unit_norm.is_empty() && unit_norm != "%" {
        bare = bare.trim_end_matches(unit_norm.as_str()).trim_end();
    }
    parse_decimal_cell(bare.trim_end_matches('%').trim_end())
}

/// The reason of a core parse error without its `, 实际为 "…"` quote, for a message that names
/// the cell and quotes the value itself ([`Table::problem`]).
pub(crate) fn reason_only(e: impl ToString) -> String {
    let msg = e.to_string();
    msg.split(", 实际为").next().unwrap_or(&msg).to_string()
}

/// A column of a file whose headers people write in many ways (企业名录, 年度数据, official
/// lists): its key, the header we write, and the other spellings accepted.
pub(crate) type Column = (&'static str, &'static str, &'static [&'static str]);

/// Header text reduced for matching spellings: no spaces, no unit in brackets at the end,
/// ASCII lower case.
pub(crate) fn header_key(h: &str) -> String {
    let mut s: String = h.chars().filter(|c| !c.is_whitespace()).collect();
    for (open, close) in [('(', ')'), ('（', '）')] {
        if let (Some(a), Some(b)) = (s.find(open), s.rfind(close))
            && a < b
            && b + close.len_utf8() == s.len()
            && a > 0
        {
            s.truncate(a);
        }
    }
    s.to_lowercase()
}

/// How a header row's cells name columns.
enum Names<'a> {
    /// By the header itself, spaces and line breaks aside (the workbooks we hand out).
    Exact(&'a [&'static str]),
    /// By any spelling of a [`Column`], reduced by [`header_key`].
    Spelled(&'a [Column]),
}

impl Names<'_> {
    /// The column a header cell names, if any.
    fn column_of(&self, cell: &str) -> Option<&'static str> {
        match self {
            Names::Exact(wanted) => {
                let h = cell.replace([' ', '\u{3000}', '\n'], "");
                wanted.iter().find(|w| **w == h).copied()
            }
            Names::Spelled(columns) => {
                let k = header_key(cell);
                if k.is_empty() {
                    return None;
                }
                columns
                    .iter()
                    .find(|(key, header, others)| {
                        header_key(header) == k
                            || *key == k
                            || others.iter().any(|o| header_key(o) == k)
                    })
                    .map(|(key, ..)| *key)
            }
        }
    }

    /// Column `key` as a message names it: the header we write.
    fn header_of<'k>(&self, key: &'k str) -> &'k str {
        match self {
            Names::Exact(_) => key,
            Names::Spelled(columns) => columns
                .iter()
                .find(|(k, ..)| *k == key)
                .map_or(key, |(_, header, _)| header),
        }
    }

    /// The columns `header` names, each at its first cell.
    fn map(&self, header: &[String]) -> HashMap<&'static str, usize> {
        let mut columns = HashMap::new();
        for (c, h) in header.iter().enumerate() {
            if let Some(key) = self.column_of(h) {
                columns.entry(key).or_insert(c);
            }
        }
        columns
    }
}

/// A sheet as rows of text with its header row located and columns mapped by name.
pub(crate) struct Table {
    /// The sheet's name; empty for a CSV file.
    pub sheet: String,
    /// The header row as written.
    pub header: Vec<String>,
    pub columns: HashMap<&'static str, usize>,
    /// The rows below the header.
    pub rows: Vec<TextRow>,
}

impl Table {
    pub(crate) fn get(&self, row: &[String], col: &str) -> String {
        self.cell(row, col).to_string()
    }

    /// The cell of column `key` in `row`, trimmed; empty when the file has no such column.
    pub(crate) fn cell<'a>(&self, row: &'a [String], key: &str) -> &'a str {
        self.columns
            .get(key)
            .and_then(|&c| row.get(c))
            .map_or("", |s| s.trim())
    }

    /// Whether the header names column `key`.
    pub(crate) fn has(&self, key: &str) -> bool {
        self.columns.contains_key(key)
    }

    /// Column `key`'s header as the file writes it (`用地面积`, `land_mu` …), else `key`.
    pub(crate) fn written<'a>(&'a self, key: &'a str) -> &'a str {
        self.columns
            .get(key)
            .and_then(|&c| self.header.get(c))
            .map_or(key, |h| h.trim())
    }

    /// `指标 第3行 F列 "本期累计"` for Excel row `number`.
    pub(crate) fn at(&self, number: u32, col: &str) -> String {
        let letter = self
            .columns
            .get(col)
            .map_or_else(|| "?".into(), |&c| col_letter(c));
        format!("{} 第{number}行 {letter}列 \"{col}\"", self.sheet)
    }

    /// `企业名录 第12行 "用地面积"` (no sheet for CSV): row `line` under the header as written.
    pub(crate) fn row_place(&self, line: u32, header: &str) -> String {
        if self.sheet.is_empty() {
            format!("第{line}行 \"{header}\"")
        } else {
            format!("{} 第{line}行 \"{header}\"", self.sheet)
        }
    }

    /// `第12行 "用地面积(亩)": 必须大于0, 实际为 "0"`: the column as the file heads it, the value
    /// quoted unless empty.
    pub(crate) fn problem(&self, line: u32, key: &str, msg: &str, value: &str) -> String {
        let place = self.row_place(line, self.written(key));
        if value.is_empty() {
            format!("{place}: {msg}")
        } else {
            format!("{place}: {msg}, 实际为 \"{value}\"")
        }
    }

    /// Locates the header (the row among the sheet's first ten holding `required[0]`) in `rows`
    /// and maps the `wanted` headers to columns; every missing `required` one is listed.
    pub(crate) fn locate(
        sheet: &str,
        rows: Vec<TextRow>,
        wanted: &[&'static str],
        required: &[&'static str],
    ) -> Result<Table, Vec<String>> {
        Table::find(sheet, sheet, rows, &Names::Exact(wanted), required)
    }

    /// [`Table::locate`] for `columns` written in any of their spellings ([`header_key`]),
    /// messages placed at `place` (the file's name).
    pub(crate) fn locate_spelled(
        place: &str,
        sheet: &str,
        rows: Vec<TextRow>,
        columns: &[Column],
        required: &[&'static str],
    ) -> Result<Table, Vec<String>> {
        Table::find(place, sheet, rows, &Names::Spelled(columns), required)
    }

    /// The one header finder: the first row among the first ten (counted from the first row
    /// holding anything) that names `required[0]`.
    fn find(
        place: &str,
        sheet: &str,
        mut rows: Vec<TextRow>,
        names: &Names<'_>,
        required: &[&'static str],
    ) -> Result<Table, Vec<String>> {
        let first = rows.first().map_or(1, |(n, _)| *n);
        let Some(header_at) = rows
            .iter()
            .take_while(|(n, _)| *n < first.saturating_add(10))
            .position(|(_, r)| r.iter().any(|c| names.column_of(c) == Some(required[0])))
        else {
            return Err(vec![format!(
                "{place}: 前10行中找不到表头 \"{}\" (header row not found)",
                names.header_of(required[0])
            )]);
        };
        let columns = names.map(&rows[header_at].1);
        let missing: Vec<String> = required
            .iter()
            .filter(|r| !columns.contains_key(*r))
            .map(|r| {
                format!(
                    "{place}: 缺少列 \"{}\" (missing column)",
                    names.header_of(r)
                )
            })
            .collect();
        if !missing.is_empty() {
            return Err(missing);
        }
        let below = rows.split_off(header_at + 1);
        let header = rows.pop().map(|(_, h)| h).unwrap_or_default();
        Ok(Table {
            sheet: sheet.to_string(),
            header,
            columns,
            rows: below,
        })
    }
}

/// Reads an uploaded file as one table: an .xlsx (its first sheet), or else CSV in UTF-8 (BOM
/// optional) or GBK; the header found by [`Table::locate_spelled`]. Every problem names
/// `file_name`.
pub(crate) fn read_file_table(
    bytes: &[u8],
    file_name: &str,
    columns: &[Column],
    required: &[&'static str],
) -> Result<Table, AppError> {
    if bytes.is_empty() {
        return Err(AppError::Invalid(format!(
            "{file_name}: 文件为空 (empty file)"
        )));
    }
    let lower = file_name.to_lowercase();
    let (sheet, rows) = if lower.ends_with(".xlsx")
        || lower.ends_with(".xls")
        || lower.ends_with(".xlsm")
        || bytes.starts_with(b"PK\x03\x04")
    {
        read_first_sheet(bytes, file_name)?
    } else {
        (String::new(), read_csv(bytes, file_name)?)
    };
    Table::locate_spelled(file_name, &sheet, rows, columns, required).map_err(AppError::Rows)
}

/// The first sheet of an uploaded workbook, read within the upload reader's caps, as numbered
/// text rows ([`cell_text`]: a date cell reads as its ISO date, so a date typed into a figure
/// column is reported, not read as its serial number).
fn read_first_sheet(bytes: &[u8], file_name: &str) -> Result<(String, Vec<TextRow>), AppError> {
    let mut wb = open_workbook(bytes, file_name)?;
    let Some(name) = wb.sheet_names().first().cloned() else {
        return Err(AppError::Invalid(format!(
            "{file_name}: 没有工作表 (no sheet)"
        )));
    };
    let sheet = wb
        .read_sheet(&name)
        .map_err(|e| AppError::Invalid(e.to_string()))?;
    Ok((name, text_rows(&sheet, cell_text)))
}

/// CSV in UTF-8 (BOM optional) or GBK, as rows numbered by the line each starts on; rows of
/// empty cells left out, as [`text_rows`] leaves them out of a sheet.
fn read_csv(bytes: &[u8], file_name: &str) -> Result<Vec<TextRow>, AppError> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(body) {
        Ok(s) => s.to_string(),
        Err(_) => {
            let (s, _, bad) = encoding_rs::GBK.decode(body);
            if bad {
                return Err(AppError::Invalid(format!(
                    "{file_name}: 既不是UTF-8也不是GBK编码的文本 (neither UTF-8 nor GBK)"
                )));
            }
            s.into_owned()
        }
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for (i, rec) in reader.records().enumerate() {
        let rec = rec.map_err(|e| {
            AppError::Invalid(format!("{file_name}: CSV格式错误 (malformed CSV): {e}"))
        })?;
        let line = rec.position().map_or(i as u64 + 1, |p| p.line());
        let cells: Vec<String> = rec.iter().map(|c| c.trim().to_string()).collect();
        if cells.iter().any(|c| !c.is_empty()) {
            rows.push((u32::try_from(line).unwrap_or(u32::MAX), cells));
        }
    }
    Ok(rows)
}

impl Table {
    /// [`Table::locate`] for a sheet whose header may take two rows, as county staff lay
    /// them out: a group cell merged across the columns below it (`计划进度` over `签约`,
    /// `开工` …) and the other cells merged down both rows. A column below a group is named
    /// group + sub-header (`计划进度开工`) when `wanted` holds that name, else by its
    /// sub-header; a column merged down keeps its top name. The second row is taken as a
    /// header when its cell under `required[0]` is empty and it names a wanted column;
    /// otherwise the sheet is read as [`Table::locate`] reads it. Full-width brackets in a
    /// header read as ASCII ones.
    pub(crate) fn locate_two_row(
        sheet: &str,
        mut rows: Vec<TextRow>,
        wanted: &[&'static str],
        required: &[&'static str],
    ) -> Result<Table, Vec<String>> {
        let tidy = |h: &str| {
            h.replace([' ', '\u{3000}', '\n'], "")
                .replace('（', "(")
                .replace('）', ")")
        };
        let first = rows.first().map_or(1, |(n, _)| *n);
        let found = rows
            .iter()
            .take_while(|(n, _)| *n < first + 10)
            .position(|(_, r)| r.iter().any(|c| tidy(c) == required[0]));
        if let Some(at) = found {
            let top: Vec<String> = rows[at].1.iter().map(|c| tidy(c)).collect();
            let key_col = top.iter().position(|c| c == required[0]);
            let sub: Option<Vec<String>> = rows
                .get(at + 1)
                .filter(|(n, _)| *n == rows[at].0 + 1)
                .map(|(_, r)| r.iter().map(|c| tidy(c)).collect());
            let mut header = top.clone();
            let mut two_rows = false;
            if let Some(sub) =
                sub.filter(|s| key_col.is_none_or(|k| s.get(k).is_none_or(String::is_empty)))
            {
                let mut named = Vec::with_capacity(top.len().max(sub.len()));
                let mut group = String::new();
                for c in 0..top.len().max(sub.len()) {
                    let t = top.get(c).cloned().unwrap_or_default();
                    let s = sub.get(c).cloned().unwrap_or_default();
                    if !t.is_empty() {
                        group = t.clone();
                    }
                    let name = if s.is_empty() {
                        t
                    } else if wanted.contains(&format!("{group}{s}").as_str()) {
                        format!("{group}{s}")
                    } else {
                        s
                    };
                    named.push(name);
                }
                if named
                    .iter()
                    .zip(sub.iter())
                    .any(|(n, s)| !s.is_empty() && wanted.contains(&n.as_str()))
                {
                    header = named;
                    two_rows = true;
                }
            }
            rows[at].1 = header;
            if two_rows {
                rows.remove(at + 1);
            }
        }
        Table::locate(sheet, rows, wanted, required)
    }
}

/// A cell as text: numbers without a trailing ".0", dates as ISO dates, errors as `#…`.
pub(crate) fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_string(),
        Data::Float(f) => plain(*f),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => {
            let (y, m, d, ..) = dt.to_ymd_hms_milli();
            format!("{y:04}-{m:02}-{d:02}")
        }
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// Column `c` (0-based) as Excel names it: A … Z, AA, AB …
pub(crate) fn col_letter(c: usize) -> String {
    let mut n = c + 1;
    let mut s = String::new();
    while n > 0 {
        let r = (n - 1) % 26;
        s.insert(0, char::from(b'A' + r as u8));
        n = (n - 1) / 26;
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_named_as_excel_names_them() {
        let names: Vec<String> = [0, 4, 25, 26, 27, 701, 702].map(col_letter).to_vec();
        assert_eq!(names, ["A", "E", "Z", "AA", "AB", "ZZ", "AAA"]);
    }

    #[test]
    fn cells_read_as_a_person_sees_them() {
        assert_eq!(cell_text(&Data::Float(8.0)), "8");
        assert_eq!(cell_text(&Data::String(" 县经信局 ".into())), "县经信局");
        assert_eq!(cell_text(&Data::Empty), "");
    }

    #[test]
    fn rows_keep_excel_numbers_and_columns_below_a_late_header() {
        let rows = vec![
            (3, vec!["说明".to_string()]),
            (5, vec![String::new(), "编号".into(), "本期累计".into()]),
            (9, vec![String::new(), "17".into(), "8".into()]),
        ];
        let t = Table::locate("指标", rows, &["编号", "本期累计"], &["编号", "本期累计"]).unwrap();
        assert_eq!(t.rows.len(), 1);
        let (n, row) = &t.rows[0];
        assert_eq!(t.get(row, "本期累计"), "8");
        assert_eq!(t.at(*n, "本期累计"), "指标 第9行 C列 \"本期累计\"");
    }
}
