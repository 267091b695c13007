//! The input table: one enterprise-year per row, stored column by column (struct of arrays).
//!
//! Any source (a CSV file, a database query, a generator) builds an [`InputTable`] and hands it to
//! [`crate::evaluate`]. Numeric columns hold `f64` with `NaN` meaning "no data" (无数据), so a
//! missing figure costs no extra memory and scoring loops stay branch-light.

use std::collections::BTreeMap;

/// 规模 is a core type: the engine, the store and the pages share one.
pub use qx_core::scale::Scale;

/// A column of strings in one arena: no allocation per cell.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StrColumn {
    bytes: String,
    /// `ends[i]` is the end of cell `i` in `bytes`; cell `i` starts at `ends[i - 1]` (or 0).
    ends: Vec<usize>,
}

impl StrColumn {
    /// An empty column with room for `rows` cells of about `avg_len` bytes.
    pub fn with_capacity(rows: usize, avg_len: usize) -> Self {
        StrColumn {
            bytes: String::with_capacity(rows * avg_len),
            ends: Vec::with_capacity(rows),
        }
    }

    /// A column from its bytes and the end of each cell in them (as the reader builds it in
    /// place); `ends` must not decrease nor pass the end of `bytes`.
    pub(crate) fn from_parts(bytes: String, ends: Vec<usize>) -> Self {
        debug_assert!(ends.windows(2).all(|w| w[0] <= w[1]));
        debug_assert!(ends.last().is_none_or(|&e| e <= bytes.len()));
        StrColumn { bytes, ends }
    }

    /// Appends one cell.
    #[inline]
    pub fn push(&mut self, s: &str) {
        self.bytes.push_str(s);
        self.ends.push(self.bytes.len());
    }

    /// The cell at `row`.
    #[inline]
    pub fn get(&self, row: usize) -> &str {
        let start = if row == 0 { 0 } else { self.ends[row - 1] };
        &self.bytes[start..self.ends[row]]
    }

    /// The cell at `row` as bytes (no check that it starts and ends on a character boundary:
    /// the writer copies codes as they are).
    #[inline]
    pub fn get_bytes(&self, row: usize) -> &[u8] {
        let start = if row == 0 { 0 } else { self.ends[row - 1] };
        &self.bytes.as_bytes()[start..self.ends[row]]
    }

    /// Every cell's bytes, one after the other.
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes.as_bytes()
    }

    /// Removes every cell, keeping the buffers.
    pub fn clear(&mut self) {
        self.bytes.clear();
        self.ends.clear();
    }

    /// Number of cells.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether the column has no cells.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Appends all cells of `other` (used to stitch parsed chunks together).
    pub fn append(&mut self, other: &StrColumn) {
        let base = self.bytes.len();
        self.bytes.push_str(&other.bytes);
        self.ends.extend(other.ends.iter().map(|e| e + base));
    }

    /// Iterates over the cells.
    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        (0..self.len()).map(move |i| self.get(i))
    }
}

impl<'a> FromIterator<&'a str> for StrColumn {
    fn from_iter<I: IntoIterator<Item = &'a str>>(iter: I) -> Self {
        let mut col = StrColumn::default();
        for s in iter {
            col.push(s);
        }
        col
    }
}

/// A column could not be added to the table.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TableError {
    /// 列长度不一致
    #[error(
        "列 \"{column}\" 有 {got} 行, 表有 {expected} 行 (column \"{column}\" has {got} rows, the table has {expected})"
    )]
    Length {
        column: String,
        expected: usize,
        got: usize,
    },
}

/// Enterprise-year facts, column by column.
///
/// `uscc` (统一社会信用代码) and `scale` are always present; every other column is named by the
/// contract's column name (`land_mu`, `tax_wan`, `town`, …) and holds what the scheme needs.
#[derive(Debug, Clone, Default)]
pub struct InputTable {
    uscc: StrColumn,
    scale: Vec<Scale>,
    numeric: BTreeMap<String, Vec<f64>>,
    text: BTreeMap<String, StrColumn>,
}

impl InputTable {
    /// A table of `uscc.len()` rows.
    pub fn new(uscc: StrColumn, scale: Vec<Scale>) -> Result<Self, TableError> {
        if uscc.len() != scale.len() {
            return Err(TableError::Length {
                column: "scale".into(),
                expected: uscc.len(),
                got: scale.len(),
            });
        }
        Ok(InputTable {
            uscc,
            scale,
            numeric: BTreeMap::new(),
            text: BTreeMap::new(),
        })
    }

    /// Adds (or replaces) a numeric column; `NaN` means no data.
    pub fn set_numeric(&mut self, name: &str, values: Vec<f64>) -> Result<(), TableError> {
        self.check_len(name, values.len())?;
        self.numeric.insert(name.to_owned(), values);
        Ok(())
    }

    /// Adds (or replaces) a text column (`town`, `industry`, `name` …).
    pub fn set_text(&mut self, name: &str, values: StrColumn) -> Result<(), TableError> {
        self.check_len(name, values.len())?;
        self.text.insert(name.to_owned(), values);
        Ok(())
    }

    fn check_len(&self, column: &str, got: usize) -> Result<(), TableError> {
        if got != self.len() {
            return Err(TableError::Length {
                column: column.to_owned(),
                expected: self.len(),
                got,
            });
        }
        Ok(())
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.scale.len()
    }

    /// Whether the table has no rows.
    pub fn is_empty(&self) -> bool {
        self.scale.is_empty()
    }

    /// 统一社会信用代码 column.
    pub fn uscc(&self) -> &StrColumn {
        &self.uscc
    }

    /// 规模 column.
    pub fn scale(&self) -> &[Scale] {
        &self.scale
    }

    /// A numeric column by name, if the table has it.
    pub fn numeric(&self, name: &str) -> Option<&[f64]> {
        self.numeric.get(name).map(Vec::as_slice)
    }

    /// A text column by name, if the table has it.
    pub fn text(&self, name: &str) -> Option<&StrColumn> {
        self.text.get(name)
    }

    /// Removes a numeric column and hands it over (the engine writes its results over columns
    /// it no longer reads, see [`crate::engine::evaluate_owned`]).
    pub(crate) fn take_numeric(&mut self, name: &str) -> Option<Vec<f64>> {
        self.numeric.remove(name)
    }

    /// The names of the numeric columns present.
    pub fn numeric_names(&self) -> impl Iterator<Item = &str> {
        self.numeric.keys().map(String::as_str)
    }

    /// Gives up every column but the keys (`uscc`, `scale`), e.g. to free memory before writing
    /// results that need nothing else.
    pub fn into_key_columns(self) -> (StrColumn, Vec<Scale>) {
        (self.uscc, self.scale)
    }

    /// A new table with only the rows where `keep[row]` is true (used by `--skip-invalid`).
    pub fn filter(&self, keep: &[bool]) -> InputTable {
        let pick = |row: &usize| keep.get(*row).copied().unwrap_or(false);
        let rows: Vec<usize> = (0..self.len()).filter(pick).collect();
        let str_col = |c: &StrColumn| rows.iter().map(|&r| c.get(r)).collect::<StrColumn>();
        InputTable {
            uscc: str_col(&self.uscc),
            scale: rows.iter().map(|&r| self.scale[r]).collect(),
            numeric: self
                .numeric
                .iter()
                .map(|(k, v)| (k.clone(), rows.iter().map(|&r| v[r]).collect()))
                .collect(),
            text: self
                .text
                .iter()
                .map(|(k, v)| (k.clone(), str_col(v)))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn str_column_round_trip() {
        let mut a: StrColumn = ["甲", "", "E3"].into_iter().collect();
        let b: StrColumn = ["x"].into_iter().collect();
        a.append(&b);
        assert_eq!(a.iter().collect::<Vec<_>>(), vec!["甲", "", "E3", "x"]);
    }

    #[test]
    fn column_length_is_checked() {
        let mut t = InputTable::new(["a", "b"].into_iter().collect(), vec![Scale::Above; 2])
            .expect("same length");
        assert!(t.set_numeric("land_mu", vec![1.0]).is_err());
        assert!(t.set_numeric("land_mu", vec![1.0, 2.0]).is_ok());
        let f = t.filter(&[false, true]);
        assert_eq!(f.len(), 1);
        assert_eq!(f.uscc().get(0), "b");
        assert_eq!(f.numeric("land_mu"), Some(&[2.0][..]));
    }
}
