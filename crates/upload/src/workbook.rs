//! An .xlsx workbook read within [`Limits`]: shared strings pre-scanned before calamine opens
//! them, sheets streamed cell by cell into a sparse grid.

use crate::archive::Archive;
use crate::error::{Problem, UploadError, cell_name};
use crate::limits::Limits;
use calamine::{Data, DataRef, Reader, Xlsx, XlsxError};
use quick_xml::events::{BytesStart, Event};
use std::io::{BufReader, Cursor, Read};

/// An uploaded .xlsx whose archive passed [`Archive::open`] and whose shared strings are
/// within the caps.
pub struct Workbook<'a> {
    file: String,
    xlsx: Xlsx<Cursor<&'a [u8]>>,
    limits: Limits,
}

/// A sheet as its non-empty cells, rows in ascending order; empty rows cost nothing.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Sheet {
    pub name: String,
    pub rows: Vec<Row>,
}

/// One row's non-empty cells in ascending column order.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// 0-based: Excel's row number is `index + 1` (see [`Row::number`]).
    pub index: u32,
    pub cells: Vec<Cell>,
}

/// A non-empty cell.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    /// 0-based: column A is 0.
    pub col: u32,
    pub value: Data,
}

impl Row {
    /// The row number Excel shows (1-based).
    pub fn number(&self) -> u32 {
        self.index + 1
    }

    /// The cell in column `col` (0-based), if it is not empty.
    pub fn get(&self, col: u32) -> Option<&Data> {
        self.cells
            .binary_search_by_key(&col, |c| c.col)
            .ok()
            .map(|i| &self.cells[i].value)
    }

    /// Columns up to and including the last non-empty one.
    pub fn width(&self) -> u32 {
        self.cells.last().map_or(0, |c| c.col + 1)
    }
}

impl<'a> Workbook<'a> {
    /// Opens `bytes` as an .xlsx named `file`: the archive check, the shared-strings pre-scan,
    /// then calamine's reader over parts now known to be within the caps.
    pub fn open(file: &str, bytes: &'a [u8], limits: &Limits) -> Result<Self, UploadError> {
        let mut archive = Archive::open(file, bytes, limits)?;
        prescan_shared_strings(&mut archive)?;
        let xlsx = Xlsx::new(Cursor::new(archive.bytes()))
            .map_err(|e| archive.refuse(Problem::Unreadable(e.to_string())))?;
        Ok(Self {
            file: archive.file().to_string(),
            xlsx,
            limits: limits.clone(),
        })
    }

    /// The sheets' names in workbook order.
    pub fn sheet_names(&self) -> Vec<String> {
        self.xlsx.sheet_names()
    }

    pub fn has_sheet(&self, name: &str) -> bool {
        self.xlsx.sheet_names().iter().any(|s| s == name)
    }

    /// Reads a sheet's non-empty cells, refusing a cell beyond the column cap or a sheet whose
    /// rows, each counted out to its last cell, exceed the cell cap.
    pub fn read_sheet(&mut self, name: &str) -> Result<Sheet, UploadError> {
        let refuse = |problem| UploadError::new(&self.file, problem);
        let unreadable =
            |e: XlsxError| refuse(Problem::Unreadable(format!("工作表 \"{name}\": {e}")));
        let limits = &self.limits;
        let mut reader = match self.xlsx.worksheet_cells_reader(name) {
            Ok(r) => r,
            Err(XlsxError::WorksheetNotFound(_)) => {
                return Err(refuse(Problem::MissingSheet(name.to_string())));
            }
            Err(e) => return Err(unreadable(e)),
        };
        let mut rows: Vec<Row> = Vec::new();
        let mut in_order = true;
        let mut cells = 0u64;
        while let Some(cell) = reader.next_cell().map_err(unreadable)? {
            let (r, c) = cell.get_position();
            let value = match cell.get_value() {
                DataRef::Empty => continue,
                v => Data::from(v.clone()),
            };
            if c >= limits.max_columns {
                return Err(refuse(Problem::ColumnTooFar {
                    sheet: name.to_string(),
                    cell: cell_name(r, c),
                    max: limits.max_columns,
                }));
            }
            if let Data::String(s) = &value
                && s.len() > limits.max_string_bytes
            {
                return Err(refuse(Problem::StringTooLong {
                    part: format!("工作表 \"{name}\" {}", cell_name(r, c)),
                    max: limits.max_string_bytes,
                }));
            }
            let row = match rows.last_mut() {
                Some(row) if row.index == r => row,
                last => {
                    in_order &= last.is_none_or(|row| row.index < r);
                    rows.push(Row {
                        index: r,
                        cells: Vec::new(),
                    });
                    rows.last_mut().expect("just pushed")
                }
            };
            let before = row.width();
            in_order &= row.cells.last().is_none_or(|last| last.col < c);
            row.cells.push(Cell { col: c, value });
            cells += u64::from(row.width().max(before) - before);
            if cells > limits.max_cells {
                return Err(refuse(Problem::TooManyCells {
                    sheet: name.to_string(),
                    row: r.saturating_add(1),
                    max: limits.max_cells,
                }));
            }
        }
        if !in_order {
            rows = normalise(rows);
        }
        Ok(Sheet {
            name: name.to_string(),
            rows,
        })
    }
}

/// Rows and cells written out of order (a hand-made or hostile file): sorted, the first of
/// any repeated cell kept, as Excel would show it.
fn normalise(mut rows: Vec<Row>) -> Vec<Row> {
    rows.sort_by_key(|r| r.index);
    let mut out: Vec<Row> = Vec::with_capacity(rows.len());
    for row in rows {
        match out.last_mut() {
            Some(last) if last.index == row.index => last.cells.extend(row.cells),
            _ => out.push(row),
        }
    }
    for row in &mut out {
        row.cells.sort_by_key(|c| c.col);
        row.cells.dedup_by_key(|c| c.col);
    }
    out
}

/// Refuses a shared-strings part whose declared counts, real `<si>` items or string lengths
/// break the caps, before calamine reserves what it declares.
fn prescan_shared_strings(archive: &mut Archive<'_>) -> Result<(), UploadError> {
    let parts: Vec<String> = archive
        .names()
        .into_iter()
        .filter(|n| n.to_ascii_lowercase().ends_with("sharedstrings.xml"))
        .collect();
    let limits = archive.limits().clone();
    for part in parts {
        let too_many = |found| Problem::TooManyStrings {
            part: part.clone(),
            found,
            max: limits.max_shared_strings,
        };
        let file = archive.file().to_string();
        let outcome = match archive.zip().by_name(&part) {
            Ok(entry) => scan_strings(
                BufReader::new(entry.take(limits.max_part_bytes)),
                &limits,
                &too_many,
                &part,
            ),
            Err(e) => Err(Problem::Corrupt(format!("{part}: {e}"))),
        };
        outcome.map_err(|problem| UploadError::new(&file, problem))?;
    }
    Ok(())
}

fn scan_strings<R: std::io::BufRead>(
    source: R,
    limits: &Limits,
    too_many: &dyn Fn(u64) -> Problem,
    part: &str,
) -> Result<(), Problem> {
    let mut xml = quick_xml::Reader::from_reader(source);
    let config = xml.config_mut();
    config.check_end_names = false;
    config.check_comments = false;
    let mut buf = Vec::new();
    let mut items = 0u64;
    let mut text = 0usize;
    loop {
        buf.clear();
        let event = xml
            .read_event_into(&mut buf)
            .map_err(|e| Problem::Unreadable(format!("{part}: {e}")))?;
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => match e.local_name().as_ref() {
                "sst" => {
                    for key in ["count", "uniqueCount"] {
                        if let Some(n) = count_attr(e, key)
                            && n > limits.max_shared_strings
                        {
                            return Err(too_many(n));
                        }
                    }
                }
                "si" => {
                    items += 1;
                    text = 0;
                    if items > limits.max_shared_strings {
                        return Err(too_many(items));
                    }
                }
                _ => {}
            },
            Event::Text(ref t) => text += t.len(),
            Event::CData(ref t) => text += t.len(),
            Event::Eof => return Ok(()),
            _ => {}
        }
        if text > limits.max_string_bytes {
            return Err(Problem::StringTooLong {
                part: part.to_string(),
                max: limits.max_string_bytes,
            });
        }
    }
}

/// A count attribute as a number; one too large for `u64` counts as `u64::MAX`.
fn count_attr(e: &BytesStart<'_>, key: &str) -> Option<u64> {
    let attr = e
        .attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == key)?;
    let digits = attr.value.trim();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(digits.parse().unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hostile::workbook;

    fn book(sheet_data: &str, sst: Option<&str>) -> Vec<u8> {
        let text = sheet_data.to_string();
        workbook(&["表"], "A1", &mut |w| w.write_all(text.as_bytes()), sst)
    }

    fn read(bytes: &[u8], limits: &Limits) -> Result<Sheet, UploadError> {
        Workbook::open("t.xlsx", bytes, limits)?.read_sheet("表")
    }

    fn sst(attrs: &str, items: usize, text: &str) -> String {
        format!(
            "<sst {attrs}>{}</sst>",
            format!("<si><t>{text}</t></si>").repeat(items)
        )
    }

    #[test]
    fn a_sheet_is_read_as_sparse_rows_with_excel_numbering() {
        let bytes = book(
            r#"<row r="3"><c r="B3" t="inlineStr"><is><t>名称</t></is></c><c r="F3"><v>8</v></c></row><row r="1048576"><c r="A1048576"><v>1</v></c></row>"#,
            None,
        );
        let sheet = read(&bytes, &Limits::default()).unwrap();
        assert_eq!(sheet.rows.len(), 2);
        let row = &sheet.rows[0];
        assert_eq!((row.number(), row.width()), (3, 6));
        assert_eq!(row.get(1), Some(&Data::String("名称".into())));
        assert_eq!(row.get(5), Some(&Data::Float(8.0)));
        assert_eq!(row.get(2), None);
        assert_eq!(sheet.rows[1].number(), 1_048_576);
    }

    #[test]
    fn rows_written_out_of_order_are_sorted() {
        let bytes = book(
            r#"<row r="5"><c r="B5"><v>2</v></c><c r="A5"><v>1</v></c></row><row r="2"><c r="A2"><v>0</v></c></row>"#,
            None,
        );
        let sheet = read(&bytes, &Limits::default()).unwrap();
        let layout: Vec<(u32, Vec<u32>)> = sheet
            .rows
            .iter()
            .map(|r| (r.number(), r.cells.iter().map(|c| c.col).collect()))
            .collect();
        assert_eq!(layout, [(2, vec![0]), (5, vec![0, 1])]);
    }

    #[test]
    fn a_cell_beyond_the_column_cap_is_refused_with_its_name() {
        let bytes = book(r#"<row r="1"><c r="XFD1048576"><v>1</v></c></row>"#, None);
        let e = read(&bytes, &Limits::default()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.xlsx: 工作表 \"表\" 单元格 XFD1048576 超出 1024 列上限, 文件可能已损坏或被构造 (cell beyond the last allowed column)"
        );
        let ok = book(r#"<row r="1"><c r="AMJ1"><v>1</v></c></row>"#, None);
        assert!(read(&ok, &Limits::default()).is_ok());
    }

    #[test]
    fn cells_are_counted_out_to_each_rows_last_cell() {
        let limits = Limits {
            max_cells: 10,
            ..Limits::default()
        };
        // Two rows reaching column E: 10 cells, within the cap; a third is one row too many.
        let two = r#"<row r="1"><c r="E1"><v>1</v></c></row><row r="2"><c r="A2"><v>1</v></c><c r="E2"><v>1</v></c></row>"#;
        assert!(read(&book(two, None), &limits).is_ok());
        let three = format!(r#"{two}<row r="9"><c r="A9"><v>1</v></c></row>"#);
        let e = read(&book(&three, None), &limits).unwrap_err();
        assert!(
            matches!(
                e.problem,
                Problem::TooManyCells {
                    row: 9,
                    max: 10,
                    ..
                }
            ),
            "{e}"
        );
    }

    #[test]
    fn empty_cells_and_rows_cost_nothing() {
        let limits = Limits {
            max_cells: 1,
            ..Limits::default()
        };
        let empties = "<row><c/><c/><c/></row>".repeat(50);
        let bytes = book(
            &format!(r#"{empties}<row r="60"><c r="A60"><v>1</v></c></row>"#),
            None,
        );
        assert_eq!(read(&bytes, &limits).unwrap().rows.len(), 1);
    }

    #[test]
    fn shared_strings_are_refused_on_declared_or_real_counts_before_calamine() {
        let limits = Limits {
            max_shared_strings: 3,
            ..Limits::default()
        };
        let cell = r#"<row r="1"><c r="A1" t="s"><v>0</v></c></row>"#;
        let ok = book(cell, Some(&sst(r#"count="3" uniqueCount="3""#, 3, "x")));
        assert!(read(&ok, &limits).is_ok());
        for (attrs, items, found) in [
            (r#"count="3" uniqueCount="4""#, 1, 4),
            (r#"count="1099511627776""#, 1, 1_099_511_627_776),
            (r#"uniqueCount="99999999999999999999999""#, 1, u64::MAX),
            (r#"count="1" uniqueCount="1""#, 4, 4),
        ] {
            let e = Workbook::open(
                "t.xlsx",
                &book(cell, Some(&sst(attrs, items, "x"))),
                &limits,
            )
            .err()
            .unwrap();
            assert_eq!(
                e.problem,
                Problem::TooManyStrings {
                    part: "xl/sharedStrings.xml".into(),
                    found,
                    max: 3
                },
                "{attrs}"
            );
        }
    }

    #[test]
    fn long_strings_are_refused_in_shared_and_inline_text() {
        let limits = Limits {
            max_string_bytes: 8,
            ..Limits::default()
        };
        let cell = r#"<row r="1"><c r="A1" t="s"><v>0</v></c></row>"#;
        let e = Workbook::open(
            "t.xlsx",
            &book(cell, Some(&sst("", 1, "123456789"))),
            &limits,
        )
        .err()
        .unwrap();
        assert!(matches!(e.problem, Problem::StringTooLong { .. }), "{e}");
        assert!(
            Workbook::open(
                "t.xlsx",
                &book(cell, Some(&sst("", 1, "12345678"))),
                &limits
            )
            .is_ok()
        );
        let inline = r#"<row r="1"><c r="A1" t="inlineStr"><is><t>123456789</t></is></c></row>"#;
        let e = read(&book(inline, None), &limits).unwrap_err();
        assert!(e.to_string().contains("工作表 \"表\" A1"), "{e}");
    }

    #[test]
    fn a_missing_sheet_is_named() {
        let bytes = book("", None);
        let mut wb = Workbook::open("t.xlsx", &bytes, &Limits::default()).unwrap();
        assert_eq!(wb.sheet_names(), ["表"]);
        let e = wb.read_sheet("任务").unwrap_err();
        assert_eq!(e.problem, Problem::MissingSheet("任务".into()));
    }
}
