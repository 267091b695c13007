//! Reading cells of the workbooks people fill in (任务分解表, a unit's report template): a cell
//! as the text a person sees, and column numbers as the letters Excel shows in messages.

use crate::plan_import::plain;
use calamine::Data;

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
}
