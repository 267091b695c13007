//! 数据校验: the row-level rules an input table must meet before it is evaluated.
//!
//! Any source checks its table here, so a file and a database give the same messages. Issues
//! carry the row index; the caller knows how to name the row to a person (a CSV line number, a
//! database id) and renders it with [`Issue::render`].

use crate::csv_io::clip;
use crate::scheme::Scheme;
use crate::table::{InputTable, StrColumn};
use qx_core::codes::{CreditCode, CreditCodeError};
use rayon::prelude::*;
use rustc_hash::FxHasher;
use std::borrow::Cow;
use std::hash::{Hash, Hasher};

/// One problem with one cell, in Chinese with an English gloss.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    /// Column name as in the input header (empty for a problem with the whole row).
    pub column: String,
    /// The offending cell as read (`None` when empty).
    pub value: Option<String>,
    /// What is wrong, in Chinese (e.g. 必须大于0).
    pub zh: Cow<'static, str>,
    /// The same in English (e.g. must be greater than 0).
    pub en: Cow<'static, str>,
    /// For a duplicate key: the row that had it first.
    pub duplicate_of: Option<usize>,
}

impl Issue {
    pub fn new(
        column: &str,
        value: Option<&str>,
        zh: impl Into<Cow<'static, str>>,
        en: impl Into<Cow<'static, str>>,
    ) -> Issue {
        // A cell (or a header name) can be a megabyte long: keep and show only its start.
        Issue {
            column: clip(column).into_owned(),
            value: value.map(|v| clip(v).into_owned()),
            zh: zh.into(),
            en: en.into(),
            duplicate_of: None,
        }
    }

    /// `第12行 "land_mu": 必须大于0, 实际为 "0" (line 12, column "land_mu": must be greater than 0, got "0")`.
    /// `duplicate_line` names the row in `duplicate_of`, if any.
    pub fn render(&self, line: u64, duplicate_line: Option<u64>) -> String {
        let c = &self.column;
        let (zh, en) = match duplicate_line {
            Some(d) => (
                Cow::Owned(format!("与第{d}行重复")),
                Cow::Owned(format!("duplicates line {d}")),
            ),
            None => (self.zh.clone(), self.en.clone()),
        };
        if c.is_empty() {
            return format!("第{line}行: {zh} (line {line}: {en})");
        }
        match &self.value {
            Some(v) => format!(
                "第{line}行 \"{c}\": {zh}, 实际为 \"{v}\" (line {line}, column \"{c}\": {en}, got \"{v}\")"
            ),
            None => format!("第{line}行 \"{c}\": {zh} (line {line}, column \"{c}\": {en})"),
        }
    }
}

/// An issue with a row of the table (0-based row index).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowIssue {
    pub row: usize,
    pub issue: Issue,
}

impl RowIssue {
    /// Renders the issue, naming rows through `line_of` (row index → line number or id).
    pub fn render(&self, line_of: impl Fn(usize) -> u64) -> String {
        self.issue
            .render(line_of(self.row), self.issue.duplicate_of.map(&line_of))
    }
}

/// Options for [`check`].
#[derive(Debug, Clone, Copy)]
pub struct CheckOptions {
    /// Verify the 统一社会信用代码 check digit (off for placeholder keys such as `E1`).
    pub check_uscc: bool,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions { check_uscc: true }
    }
}

/// What [`check`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validation {
    /// Columns the scheme requires that the table does not have at all.
    pub missing_columns: Vec<String>,
    /// Row issues, sorted by row (at most the limit given to [`check_limited`]).
    pub issues: Vec<RowIssue>,
    /// How many row issues there are in all, including those not kept in `issues`.
    pub total_issues: usize,
    /// Every row with at least one issue, ascending (kept whatever the limit).
    pub bad_rows: Vec<u32>,
}

impl Validation {
    /// Whether the table can be evaluated as it is.
    pub fn is_ok(&self) -> bool {
        self.missing_columns.is_empty() && self.issues.is_empty()
    }
}

const CHUNK: usize = 1 << 15;

/// Checks a table against the scheme's input rules, the credit codes and their uniqueness.
pub fn check(table: &InputTable, scheme: &Scheme, opts: CheckOptions) -> Validation {
    check_limited(table, scheme, opts, usize::MAX)
}

/// [`check`], keeping only the first `limit` issues (by row) but counting them all in
/// `total_issues`: a file of a million bad rows then costs a counter, not a gigabyte of messages.
/// The issues of any row can be had again from [`Checker::row_issues`].
pub fn check_limited(
    table: &InputTable,
    scheme: &Scheme,
    opts: CheckOptions,
    limit: usize,
) -> Validation {
    Checker::new(table, scheme, opts).validate(limit)
}

/// The row rules of a scheme, bound to a table: checks every row at once ([`Checker::validate`])
/// or one row again, to list its problems (the `--skip-invalid` side file is written this way,
/// so no message has to be kept for every bad row).
pub struct Checker<'a> {
    table: &'a InputTable,
    rules: Vec<(&'a str, &'a [f64], Rule)>,
    town: Option<&'a StrColumn>,
    industry: Option<&'a StrColumn>,
    opts: CheckOptions,
    missing_columns: Vec<String>,
    /// (row, first row with the same code), by row.
    duplicates: Vec<(u32, u32)>,
}

impl<'a> Checker<'a> {
    /// Binds the rules and finds the duplicate codes (one parallel sort).
    pub fn new(table: &'a InputTable, scheme: &'a Scheme, opts: CheckOptions) -> Checker<'a> {
        let mut missing_columns = Vec::new();
        for c in &scheme.input.required {
            if table.numeric(c).is_none() && !missing_columns.contains(c) {
                missing_columns.push(c.clone());
            }
        }
        for c in scheme.text_columns_used() {
            if table.text(&c).is_none() {
                missing_columns.push(c);
            }
        }
        let rules: Vec<(&str, &[f64], Rule)> = scheme
            .input
            .required
            .iter()
            .map(|c| (c, Rule::Required))
            .chain(scheme.input.positive.iter().map(|c| (c, Rule::Positive)))
            .chain(
                scheme
                    .input
                    .non_negative
                    .iter()
                    .map(|c| (c, Rule::NonNegative)),
            )
            .chain(
                scheme
                    .adjustments
                    .iter()
                    .map(|a| (&a.column, Rule::NonNegative)),
            )
            .filter_map(|(c, r)| table.numeric(c).map(|col| (c.as_str(), col, r)))
            .collect();
        let town = scheme
            .grouping
            .by_town
            .then(|| table.text("town"))
            .flatten();
        let industry = scheme
            .grouping
            .industry
            .as_ref()
            .and_then(|_| table.text("industry"));
        Checker {
            table,
            rules,
            town,
            industry,
            opts,
            missing_columns,
            duplicates: crate::phases::time("check: duplicate codes", || duplicates(table.uscc())),
        }
    }

    /// Whether a row breaks any rule (no message is built).
    #[inline]
    pub fn row_is_bad(&self, row: usize) -> bool {
        let code = self.table.uscc().get(row);
        code.is_empty()
            || (self.opts.check_uscc
                && !is_canonical_credit_code(code.as_bytes())
                && CreditCode::parse(code).is_err())
            || self.town.is_some_and(|t| t.get(row).is_empty())
            || self.industry.is_some_and(|ind| {
                let code = ind.get(row);
                !code.is_empty() && !is_industry_code(code)
            })
            || self
                .rules
                .iter()
                .any(|(_, values, rule)| rule.violated(values[row]))
            || self.duplicate_of(row).is_some()
    }

    /// The first row with the same code, when `row` repeats an earlier code.
    fn duplicate_of(&self, row: usize) -> Option<u32> {
        let row = u32::try_from(row).ok()?;
        self.duplicates
            .binary_search_by_key(&row, |d| d.0)
            .ok()
            .map(|i| self.duplicates[i].1)
    }

    /// Appends the problems of one row to `out`: the code, town, industry, the cell rules in
    /// the scheme's order, then a repeated code.
    pub fn row_issues(&self, row: usize, out: &mut Vec<RowIssue>) {
        let code = self.table.uscc().get(row);
        if code.is_empty() {
            out.push(RowIssue {
                row,
                issue: Issue::new(
                    "uscc",
                    None,
                    "必填, 不能为空",
                    "required, must not be empty",
                ),
            });
        } else if self.opts.check_uscc
            && !is_canonical_credit_code(code.as_bytes())
            && let Err(e) = CreditCode::parse(code)
        {
            let (zh, en) = credit_code_problem(&e);
            out.push(RowIssue {
                row,
                issue: Issue::new("uscc", Some(code), zh, en),
            });
        }
        if let Some(t) = self.town
            && t.get(row).is_empty()
        {
            out.push(RowIssue {
                row,
                issue: Issue::new(
                    "town",
                    None,
                    "按镇乡分组评价时必填",
                    "required when groups are by town",
                ),
            });
        }
        if let Some(ind) = self.industry {
            let code = ind.get(row);
            if !code.is_empty() && !is_industry_code(code) {
                out.push(RowIssue {
                    row,
                    issue: Issue::new(
                        "industry",
                        Some(code),
                        "行业代码应为2-4位数字 (GB/T 4754-2017), 可带门类字母",
                        "industry code must be 2-4 digits (GB/T 4754-2017), optionally after its section letter",
                    ),
                });
            }
        }
        for &(column, values, rule) in &self.rules {
            let v = values[row];
            if rule.violated(v) {
                out.push(RowIssue {
                    row,
                    issue: rule.issue(column, v),
                });
            }
        }
        if let Some(first) = self.duplicate_of(row) {
            let mut issue = Issue::new("uscc", Some(code), "重复", "duplicate");
            issue.duplicate_of = Some(first as usize);
            out.push(RowIssue { row, issue });
        }
    }

    /// Checks every row in parallel: the first `limit` issues by row, the count of all of them,
    /// and every bad row.
    pub fn validate(&self, limit: usize) -> Validation {
        crate::phases::time("check: row rules", || self.validate_rows(limit))
    }

    fn validate_rows(&self, limit: usize) -> Validation {
        let n = self.table.len();
        let chunks: Vec<(Vec<RowIssue>, usize, Vec<u32>)> = (0..n.div_ceil(CHUNK))
            .into_par_iter()
            .map(|ci| {
                let mut out = Vec::new();
                let mut count = 0;
                let mut bad = Vec::new();
                let mut scratch = Vec::new();
                for row in ci * CHUNK..((ci + 1) * CHUNK).min(n) {
                    // Bad rows are rare: a cheap test first, messages only for them.
                    if !self.row_is_bad(row) {
                        continue;
                    }
                    // Rows fit in u32: the table's row index is u32 everywhere.
                    bad.push(row as u32);
                    scratch.clear();
                    self.row_issues(row, &mut scratch);
                    count += scratch.len();
                    let room = limit.saturating_sub(out.len());
                    out.extend(scratch.drain(..).take(room));
                }
                (out, count, bad)
            })
            .collect();
        let mut v = Validation {
            missing_columns: self.missing_columns.clone(),
            ..Validation::default()
        };
        for (out, count, bad) in chunks {
            v.total_issues += count;
            let room = limit.saturating_sub(v.issues.len());
            v.issues.extend(out.into_iter().take(room));
            v.bad_rows.extend(bad);
        }
        v
    }
}

/// Duplicate keys: the second and later occurrences are the bad rows, as (row, first row with
/// the code), by row.
///
/// Sorting packed (hash, row) integers in parallel beats a hash set of a million strings, whose
/// inserts are one cache miss each. The key is one `u64`, the high half of the code's hash above
/// the row, so the sort moves half the bytes of a (hash, row) pair; equal hashes are then
/// confirmed on the strings, so a collision of 32-bit hashes costs a comparison, never a result.
fn duplicates(uscc: &crate::table::StrColumn) -> Vec<(u32, u32)> {
    let mut keyed: Vec<u64> = Vec::with_capacity(uscc.len());
    keyed.par_extend((0..uscc.len()).into_par_iter().map(|row| {
        let mut h = FxHasher::default();
        uscc.get(row).hash(&mut h);
        (h.finish() & !0xFFFF_FFFF) | row as u64
    }));
    crate::sort::sort_keys(&mut keyed);
    let hash = |k: u64| k >> 32;
    let row_of = |k: u64| (k & 0xFFFF_FFFF) as u32;
    let mut out = Vec::new();
    let mut start = 0;
    while start < keyed.len() {
        let h = hash(keyed[start]);
        let mut end = start + 1;
        while keyed.get(end).is_some_and(|&k| hash(k) == h) {
            end += 1;
        }
        // Rows with this hash, ascending: each is a duplicate of the first earlier equal code.
        for i in start + 1..end {
            let row = row_of(keyed[i]);
            let code = uscc.get(row as usize);
            if code.is_empty() {
                continue;
            }
            if let Some(first) = keyed[start..i]
                .iter()
                .map(|&k| row_of(k))
                .find(|&r| uscc.get(r as usize) == code)
            {
                out.push((row, first));
            }
        }
        start = end;
    }
    out.sort_unstable();
    out
}

/// Whether `code` is a valid 统一社会信用代码 already in canonical form (18 upper-case ASCII
/// characters): the no-allocation fast path for a million rows. Anything else goes to
/// [`CreditCode::parse`], which also accepts lower case and full-width forms and names the fault.
/// The algorithm is the one in qx-core (GB 32100); a test checks that both agree.
fn is_canonical_credit_code(code: &[u8]) -> bool {
    const WEIGHTS: [u32; 17] = [
        1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
    ];
    const CHARSET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    /// Byte → value + 1 (0: not in the charset): one load per character instead of a search.
    const VALUE: [u8; 256] = {
        let mut t = [0u8; 256];
        let mut i = 0;
        while i < CHARSET.len() {
            t[CHARSET[i] as usize] = i as u8 + 1;
            i += 1;
        }
        t
    };
    #[inline(always)]
    fn value(c: u8) -> Option<u32> {
        match VALUE[c as usize] {
            0 => None,
            v => Some(u32::from(v) - 1),
        }
    }
    if code.len() != 18 || !code[2..8].iter().all(u8::is_ascii_digit) {
        return false;
    }
    let mut sum = 0;
    for (&c, w) in code[..17].iter().zip(WEIGHTS) {
        match value(c) {
            Some(v) => sum += v * w,
            None => return false,
        }
    }
    value(code[17]) == Some((31 - sum % 31) % 31)
}

/// A short message for a bad 统一社会信用代码 (the cell value is shown beside it).
fn credit_code_problem(e: &CreditCodeError) -> (String, String) {
    match e {
        CreditCodeError::Length { len, .. } => (
            format!("统一社会信用代码应为18位, 此为{len}位"),
            format!("a credit code has 18 characters, not {len}"),
        ),
        CreditCodeError::Character {
            position, found, ..
        } => (
            format!("统一社会信用代码第{position}位 \"{found}\" 不合法 (不使用 I、O、Z、S、V)"),
            format!("character {position} \"{found}\" is not allowed (no I, O, Z, S, V)"),
        ),
        CreditCodeError::NotDigit {
            position, found, ..
        } => (
            format!(
                "统一社会信用代码第{position}位应为数字 (第3—8位是行政区划码), 此为 \"{found}\""
            ),
            format!(
                "position {position} must be a digit (3–8 are the region code), found \"{found}\""
            ),
        ),
        CreditCodeError::CheckDigit {
            expected, found, ..
        } => (
            format!("统一社会信用代码校验码错误: 第18位应为 \"{expected}\", 此为 \"{found}\""),
            format!("wrong check character: expected \"{expected}\", found \"{found}\""),
        ),
    }
}

fn is_industry_code(code: &str) -> bool {
    let digits = code
        .strip_prefix(|c: char| c.is_ascii_uppercase())
        .unwrap_or(code);
    (2..=4).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
}

#[derive(Debug, Clone, Copy)]
enum Rule {
    Required,
    Positive,
    NonNegative,
}

impl Rule {
    #[inline]
    fn violated(self, v: f64) -> bool {
        match self {
            Rule::Required => v.is_nan(),
            Rule::Positive => v <= 0.0,
            Rule::NonNegative => v < 0.0,
        }
    }

    fn issue(self, column: &str, v: f64) -> Issue {
        match self {
            Rule::Required => Issue::new(
                column,
                None,
                "必填, 不能为空",
                "required, must not be empty",
            ),
            Rule::Positive => Issue::new(
                column,
                Some(&fmt_value(v)),
                "必须大于0",
                "must be greater than 0",
            ),
            Rule::NonNegative => Issue::new(
                column,
                Some(&fmt_value(v)),
                "不能为负数",
                "must not be negative",
            ),
        }
    }
}

fn fmt_value(v: f64) -> String {
    format!("{v}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::{Scale, StrColumn};

    fn table(codes: &[&str], land: &[f64]) -> InputTable {
        let uscc: StrColumn = codes.iter().copied().collect();
        let mut t = InputTable::new(uscc, vec![Scale::Above; codes.len()]).expect("table");
        t.set_numeric("land_mu", land.to_vec()).expect("land");
        t.set_numeric("tax_wan", vec![1.0; codes.len()])
            .expect("tax");
        t
    }

    #[test]
    fn duplicates_agree_with_a_map_of_first_rows() {
        // Unique generated codes, then repeats (of early and late rows, thrice, and empty codes,
        // which are never duplicates) at rows past 2^16, where a key that lost row bits shows.
        let n = 150_000usize;
        let mut codes: Vec<String> = (0..n as u64)
            .map(|i| crate::generate::credit_code(5, i))
            .collect();
        for (to, from) in [
            (70_000, 3),
            (90_001, 3),
            (140_000, 69_999),
            (149_999, 100_000),
        ] {
            codes[to] = codes[from].clone();
        }
        codes[80_000] = String::new();
        codes[80_001] = String::new();
        let uscc: StrColumn = codes.iter().map(String::as_str).collect();
        let mut first: std::collections::HashMap<&str, u32> = std::collections::HashMap::new();
        let mut want = Vec::new();
        for (row, code) in codes.iter().enumerate() {
            if code.is_empty() {
                continue;
            }
            match first.get(code.as_str()) {
                Some(&f) => want.push((row as u32, f)),
                None => {
                    first.insert(code, row as u32);
                }
            }
        }
        assert_eq!(want.len(), 4);
        assert_eq!(duplicates(&uscc), want);
    }

    #[test]
    fn zero_land_and_duplicates() {
        let t = table(&["E1", "E2", "E1"], &[0.0, 5.0, 2.0]);
        let v = check(&t, &Scheme::default(), CheckOptions { check_uscc: false });
        assert!(v.missing_columns.is_empty());
        let rendered: Vec<String> = v
            .issues
            .iter()
            .map(|i| i.render(|r| r as u64 + 2))
            .collect();
        assert_eq!(
            rendered,
            [
                "第2行 \"land_mu\": 必须大于0, 实际为 \"0\" (line 2, column \"land_mu\": must be greater than 0, got \"0\")",
                "第4行 \"uscc\": 与第2行重复, 实际为 \"E1\" (line 4, column \"uscc\": duplicates line 2, got \"E1\")",
            ]
        );
    }

    /// The vectors of `shared/conventions.md` §2, through the row check.
    #[test]
    fn credit_code_vectors() {
        let good = [
            "914403001922038216",
            "91310110666007217T",
            "91330225MA2J4X2M2B",
            "913302257995213595",
            "91330225799531063A",
            "91330225691361058X",
        ];
        let t = table(&good, &[1.0; 6]);
        assert_eq!(
            check(&t, &Scheme::default(), CheckOptions::default()).issues,
            []
        );
        let bad = [
            "914403001922038217",
            "91440300192203821I",
            "91350100M0001TGQXM",
            "E1",
        ];
        let t = table(&bad, &[1.0; 4]);
        let v = check(&t, &Scheme::default(), CheckOptions::default());
        let zh: Vec<&str> = v.issues.iter().map(|i| i.issue.zh.as_ref()).collect();
        assert_eq!(
            zh,
            [
                "统一社会信用代码校验码错误: 第18位应为 \"6\", 此为 \"7\"",
                "统一社会信用代码第18位 \"I\" 不合法 (不使用 I、O、Z、S、V)",
                "统一社会信用代码校验码错误: 第18位应为 \"1\", 此为 \"M\"",
                "统一社会信用代码应为18位, 此为2位",
            ]
        );
    }

    #[test]
    fn fast_path_agrees_with_qx_core() {
        let mut codes: Vec<String> = (0..3000)
            .map(|i| crate::generate::credit_code(5, i))
            .collect();
        // Every 18th character for a few bodies: exactly one is right.
        for body in [
            "91330225MA2J4X2M2",
            "91440300192203821",
            "12330000470051726",
        ] {
            for c in "0123456789ABCDEFGHJKLMNPQRTUWXYZIOSV".chars() {
                codes.push(format!("{body}{c}"));
            }
        }
        codes.extend(["9133022AMA2J4X2M2B", "91330225ma2j4x2m2b", "", "E1"].map(String::from));
        for c in &codes {
            assert_eq!(
                is_canonical_credit_code(c.as_bytes()),
                CreditCode::parse(c).is_ok_and(|cc| cc.as_str() == c),
                "{c}"
            );
        }
    }

    #[test]
    fn bad_check_digit() {
        let t = table(&["914403001922038217", "914403001922038216"], &[1.0, 1.0]);
        let v = check(&t, &Scheme::default(), CheckOptions::default());
        assert_eq!(v.issues.len(), 1);
        assert_eq!(v.issues[0].row, 0);
        assert!(v.issues[0].issue.zh.contains("校验码错误"));
    }

    #[test]
    fn missing_required_column() {
        let uscc: StrColumn = ["E1"].into_iter().collect();
        let t = InputTable::new(uscc, vec![Scale::Below]).expect("table");
        let v = check(&t, &Scheme::default(), CheckOptions { check_uscc: false });
        assert_eq!(v.missing_columns, ["land_mu", "tax_wan"]);
    }
}
