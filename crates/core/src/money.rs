//! Exact quantities (万元, 亿元, %, 亩) and the tolerant reader for spreadsheet cells.
//!
//! Amounts are `rust_decimal::Decimal`, never floats, and each unit has its own type so a
//! 万元 figure cannot be added to a 亿元 one by accident: [`Wan::to_yi`] and [`Yi::to_wan`]
//! are the only way across. The string form of each type (`Display`, `FromStr`, serde) is the
//! plain exact number without a unit ("1234.5"); the `fmt_*` functions round for people.
//!
//! Every import reads numbers through [`parse_decimal_cell`] / [`parse_with_unit`], which
//! accept what county staff actually type into Excel (full-width digits, "1，234", "—" for
//! nothing, a trailing "万元") and reject everything else with a message that quotes the cell.
//! Callers prefix the place, e.g. `第12行 "用地面积": 必须大于0, 实际为 "0"`.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, Mul, Neg, Sub};
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

/// Why a number was rejected. Every message quotes the input as the user typed it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NumberError {
    #[error("不是有效的数字, 实际为 \"{input}\" (not a number)")]
    NotANumber { input: String },
    #[error(
        "不接受科学计数法, 实际为 \"{input}\", 请填写完整数字 \
         (scientific notation is not accepted; write the number out in full)"
    )]
    Scientific { input: String },
    #[error("千位分隔符位置不正确, 实际为 \"{input}\" (misplaced thousands separator)")]
    Grouping { input: String },
    #[error("此处不应带单位 \"{found}\", 实际为 \"{input}\" (no unit expected here)")]
    UnexpectedUnit { input: String, found: String },
    #[error(
        "单位应为 \"{expected}\", 实际为 \"{input}\" (unit \"{found}\" is not the expected one)"
    )]
    WrongUnit {
        input: String,
        expected: Unit,
        found: String,
    },
    #[error(
        "数值超出范围(整数部分最多{max}位, 小数最多28位), 实际为 \"{input}\" \
         (number too large or too precise)",
        max = MAX_INTEGER_DIGITS
    )]
    OutOfRange { input: String },
    #[error("缺少数值 (value missing)")]
    Missing,
    #[error("必须大于0, 实际为 \"{input}\" (must be greater than 0)")]
    NotPositive { input: String },
}

/// Integer digits accepted in a cell: 10^15 万元 is far beyond any real figure, and the cap keeps
/// every later conversion (×10000) and sum well inside `Decimal`'s range.
const MAX_INTEGER_DIGITS: usize = 15;

/// A unit a cell may carry after its number. Only the expected unit is stripped; any other
/// known unit is an error, so "3亿元" in a 万元 column cannot be read as 3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unit {
    /// 万元
    Wan,
    /// 亿元
    Yi,
    /// % (also full-width ％)
    Percent,
    /// 家 (enterprises)
    Jia,
    /// 个 (projects)
    Ge,
    /// 件 (cases, problems)
    Jian,
    /// 人 (people)
    Ren,
    /// 亩
    Mu,
}

impl Unit {
    /// The label as written after a number ("万元", "%").
    pub fn label_zh(self) -> &'static str {
        match self {
            Unit::Wan => "万元",
            Unit::Yi => "亿元",
            Unit::Percent => "%",
            Unit::Jia => "家",
            Unit::Ge => "个",
            Unit::Jian => "件",
            Unit::Ren => "人",
            Unit::Mu => "亩",
        }
    }

    const ALL: [Unit; 8] = [
        Unit::Wan,
        Unit::Yi,
        Unit::Percent,
        Unit::Jia,
        Unit::Ge,
        Unit::Jian,
        Unit::Ren,
        Unit::Mu,
    ];
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label_zh())
    }
}

/// Unit words that are recognised as units (so they get a "wrong unit" message rather than
/// "not a number") but are never stripped.
const OTHER_UNIT_WORDS: [&str; 6] = ["元", "美元", "万美元", "亿美元", "个百分点", "百分点"];

/// Reads a cell that holds a plain number: `Ok(None)` for an empty cell or a placeholder
/// ("—", "-", "－", "/", "／", "无"), `Ok(Some(_))` for a number, an error for anything else,
/// including a number followed by a unit.
pub fn parse_decimal_cell(s: &str) -> Result<Option<Decimal>, NumberError> {
    parse_cell(s, None)
}

/// Like [`parse_decimal_cell`], but a trailing `expected` unit ("12.5万元", "８％") is accepted
/// and stripped. A different unit is an error.
pub fn parse_with_unit(s: &str, expected: Unit) -> Result<Option<Decimal>, NumberError> {
    parse_cell(s, Some(expected))
}

fn parse_cell(s: &str, expected: Option<Unit>) -> Result<Option<Decimal>, NumberError> {
    let trimmed = s.trim();
    if is_placeholder(trimmed) {
        return Ok(None);
    }
    let ascii: String = trimmed.chars().map(crate::text::to_halfwidth).collect();
    // The number ends at its last digit or point; what follows is a unit, if anything.
    let split = ascii
        .rfind(|c: char| c.is_ascii_digit() || c == '.')
        .map_or(0, |i| i + 1);
    let (number, unit) = (ascii[..split].trim_end(), ascii[split..].trim());
    if !unit.is_empty() {
        check_unit(s, unit, expected)?;
    }
    parse_number(s, number, true)
        .map(Some)
        .map_err(|e| scientific_or(s, &ascii, e))
}

fn is_placeholder(s: &str) -> bool {
    s.is_empty()
        || matches!(s, "/" | "／" | "无")
        || s.chars().all(|c| matches!(c, '-' | '－' | '—' | '–' | '―'))
}

fn check_unit(input: &str, found: &str, expected: Option<Unit>) -> Result<(), NumberError> {
    let matches = |u: Unit| found == u.label_zh() || (u == Unit::Percent && found == "%");
    if expected.is_some_and(matches) {
        return Ok(());
    }
    let known = Unit::ALL.into_iter().any(matches) || OTHER_UNIT_WORDS.contains(&found);
    if !known {
        return Err(NumberError::NotANumber {
            input: input.to_owned(),
        });
    }
    Err(match expected {
        Some(expected) => NumberError::WrongUnit {
            input: input.to_owned(),
            expected,
            found: found.to_owned(),
        },
        None => NumberError::UnexpectedUnit {
            input: input.to_owned(),
            found: found.to_owned(),
        },
    })
}

/// A garbage error on something shaped like "1.2E+05" becomes the scientific-notation message.
fn scientific_or(input: &str, ascii: &str, err: NumberError) -> NumberError {
    if !matches!(err, NumberError::NotANumber { .. }) {
        return err;
    }
    let looks_scientific = ascii.split_once(['e', 'E']).is_some_and(|(mantissa, exp)| {
        let exp = exp.strip_prefix(['+', '-']).unwrap_or(exp);
        parse_number(input, mantissa, false).is_ok()
            && !exp.is_empty()
            && exp.bytes().all(|b| b.is_ascii_digit())
    });
    if looks_scientific {
        NumberError::Scientific {
            input: input.to_owned(),
        }
    } else {
        err
    }
}

/// `[+-]digits[.digits]`, with ASCII "," thousands separators when `allow_grouping`.
fn parse_number(input: &str, number: &str, allow_grouping: bool) -> Result<Decimal, NumberError> {
    let not_a_number = || NumberError::NotANumber {
        input: input.to_owned(),
    };
    let (negative, body) = match number.as_bytes().first() {
        Some(b'-') => (true, &number[1..]),
        Some(b'+') => (false, &number[1..]),
        _ => (false, number),
    };
    let (int_part, frac_part) = match body.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    let frac = frac_part.unwrap_or("");
    if int_part.is_empty() && frac.is_empty() {
        return Err(not_a_number());
    }
    if !frac.bytes().all(|b| b.is_ascii_digit()) {
        return Err(not_a_number());
    }
    let digits: String = if int_part.contains(',') {
        if !allow_grouping || !int_part.bytes().all(|b| b.is_ascii_digit() || b == b',') {
            return Err(not_a_number());
        }
        let mut groups = int_part.split(',');
        let first_ok = groups.next().is_some_and(|g| (1..=3).contains(&g.len()));
        if !first_ok || !groups.all(|g| g.len() == 3) {
            return Err(NumberError::Grouping {
                input: input.to_owned(),
            });
        }
        int_part.replace(',', "")
    } else if int_part.bytes().all(|b| b.is_ascii_digit()) {
        int_part.to_owned()
    } else {
        return Err(not_a_number());
    };
    let significant = digits.trim_start_matches('0').len();
    if significant > MAX_INTEGER_DIGITS {
        return Err(NumberError::OutOfRange {
            input: input.to_owned(),
        });
    }
    let text = format!(
        "{}{}.{}",
        if negative { "-" } else { "" },
        if digits.is_empty() { "0" } else { &digits },
        if frac.is_empty() { "0" } else { frac }
    );
    let mut value = Decimal::from_str_exact(&text).map_err(|_| NumberError::OutOfRange {
        input: input.to_owned(),
    })?;
    if value.is_zero() {
        value.set_sign_positive(true);
    }
    Ok(value)
}

/// The strict string form shared by the types below: an optionally signed plain decimal.
fn parse_plain(s: &str) -> Result<Decimal, NumberError> {
    parse_number(s, s.trim(), false)
}

/// Implements the string form (Display normalised, FromStr strict, serde through both).
macro_rules! string_form {
    ($t:ident) => {
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0.normalize(), f)
            }
        }

        impl FromStr for $t {
            type Err = NumberError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                parse_plain(s).map($t)
            }
        }

        impl TryFrom<String> for $t {
            type Error = NumberError;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                s.parse()
            }
        }

        impl From<$t> for String {
            fn from(v: $t) -> Self {
                v.to_string()
            }
        }
    };
}

/// Addition and subtraction within one unit, negation, sums, and scaling by a plain factor.
macro_rules! additive {
    ($t:ident) => {
        impl Add for $t {
            type Output = $t;
            fn add(self, rhs: $t) -> $t {
                $t(self.0 + rhs.0)
            }
        }

        impl Sub for $t {
            type Output = $t;
            fn sub(self, rhs: $t) -> $t {
                $t(self.0 - rhs.0)
            }
        }

        impl Neg for $t {
            type Output = $t;
            fn neg(self) -> $t {
                $t(-self.0)
            }
        }

        impl Mul<Decimal> for $t {
            type Output = $t;
            fn mul(self, factor: Decimal) -> $t {
                $t(self.0 * factor)
            }
        }

        impl Sum for $t {
            fn sum<I: Iterator<Item = $t>>(iter: I) -> $t {
                $t(iter.map(|v| v.0).sum())
            }
        }

        impl<'a> Sum<&'a $t> for $t {
            fn sum<I: Iterator<Item = &'a $t>>(iter: I) -> $t {
                $t(iter.map(|v| v.0).sum())
            }
        }
    };
}

const WAN_PER_YI: Decimal = Decimal::from_parts(10_000, 0, 0, false, 0);
const HUNDRED: Decimal = Decimal::ONE_HUNDRED;

/// An amount in 万元 (10,000 yuan).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct Wan(Decimal);

impl Wan {
    pub const ZERO: Wan = Wan(Decimal::ZERO);

    pub const fn new(value: Decimal) -> Self {
        Wan(value)
    }

    /// The number of 万元.
    pub const fn value(self) -> Decimal {
        self.0
    }

    /// Exact conversion: 12345 万元 → 1.2345 亿元.
    pub fn to_yi(self) -> Yi {
        Yi(self.0 / WAN_PER_YI)
    }

    /// Reads a 万元 cell; a trailing "万元" is accepted, "亿元" is an error.
    pub fn parse_cell(s: &str) -> Result<Option<Wan>, NumberError> {
        parse_with_unit(s, Unit::Wan).map(|v| v.map(Wan))
    }
}

string_form!(Wan);
additive!(Wan);

/// An amount in 亿元 (100 million yuan).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct Yi(Decimal);

impl Yi {
    pub const ZERO: Yi = Yi(Decimal::ZERO);

    pub const fn new(value: Decimal) -> Self {
        Yi(value)
    }

    /// The number of 亿元.
    pub const fn value(self) -> Decimal {
        self.0
    }

    /// Exact conversion: 1.2345 亿元 → 12345 万元. Panics only beyond ~7.9×10²⁴ 亿元, which
    /// no parsed value can reach.
    pub fn to_wan(self) -> Wan {
        Wan(self.0 * WAN_PER_YI)
    }

    /// Reads a 亿元 cell; a trailing "亿元" is accepted, "万元" is an error.
    pub fn parse_cell(s: &str) -> Result<Option<Yi>, NumberError> {
        parse_with_unit(s, Unit::Yi).map(|v| v.map(Yi))
    }
}

string_form!(Yi);
additive!(Yi);

/// A percentage, held as written: `Percent` 6.5 is 6.5% (a ratio of 0.065).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct Percent(Decimal);

impl Percent {
    pub const ZERO: Percent = Percent(Decimal::ZERO);

    /// From the number before the % sign: `Percent::new(6.5)` is 6.5%.
    pub const fn new(points: Decimal) -> Self {
        Percent(points)
    }

    /// The number before the % sign.
    pub const fn value(self) -> Decimal {
        self.0
    }

    /// From a ratio: 0.065 → 6.5%.
    pub fn from_ratio(ratio: Decimal) -> Self {
        Percent(ratio * HUNDRED)
    }

    /// As a ratio: 6.5% → 0.065.
    pub fn to_ratio(self) -> Decimal {
        self.0 / HUNDRED
    }

    /// `part` as a percentage of `whole` (完成率 = 累计完成 ÷ 年度目标); `None` when `whole` is 0.
    pub fn of(part: Decimal, whole: Decimal) -> Option<Percent> {
        part.checked_div(whole).map(Percent::from_ratio)
    }

    /// 增速 = (本期 ÷ 同期 − 1) × 100. `None` when the base is 0 or negative: growth from a
    /// loss has no meaningful sign and is shown as "—".
    pub fn growth(current: Decimal, base: Decimal) -> Option<Percent> {
        if base <= Decimal::ZERO {
            return None;
        }
        current
            .checked_div(base)
            .map(|r| Percent::from_ratio(r - Decimal::ONE))
    }

    /// Reads a percentage cell: "8", "8%", "８％" all give 8%.
    pub fn parse_cell(s: &str) -> Result<Option<Percent>, NumberError> {
        parse_with_unit(s, Unit::Percent).map(|v| v.map(Percent))
    }
}

string_form!(Percent);

/// An area in 亩 (mu, 1/15 hectare).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct Mu(Decimal);

impl Mu {
    pub const ZERO: Mu = Mu(Decimal::ZERO);

    pub const fn new(value: Decimal) -> Self {
        Mu(value)
    }

    /// The number of 亩.
    pub const fn value(self) -> Decimal {
        self.0
    }

    /// Reads a 亩 cell; a trailing "亩" is accepted.
    pub fn parse_cell(s: &str) -> Result<Option<Mu>, NumberError> {
        parse_with_unit(s, Unit::Mu).map(|v| v.map(Mu))
    }

    /// Reads a land area (用地面积), the divisor of every 亩均 figure: it must be present and
    /// greater than 0.
    pub fn parse_land(s: &str) -> Result<Mu, NumberError> {
        match Mu::parse_cell(s)? {
            None => Err(NumberError::Missing),
            Some(Mu(v)) if v <= Decimal::ZERO => Err(NumberError::NotPositive {
                input: s.to_owned(),
            }),
            Some(mu) => Ok(mu),
        }
    }
}

string_form!(Mu);
additive!(Mu);

/// Whether formatted numbers group thousands with commas ("1,234.5").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grouping {
    Plain,
    Thousands,
}

/// Rounds half away from zero (四舍五入) to exactly `decimals` places and formats, e.g.
/// `fmt_decimal(1234.567, 2, Thousands)` → "1,234.57". `decimals` above 28 is taken as 28.
pub fn fmt_decimal(value: Decimal, decimals: u32, grouping: Grouping) -> String {
    let decimals = decimals.min(28);
    let mut rounded =
        value.round_dp_with_strategy(decimals, RoundingStrategy::MidpointAwayFromZero);
    if rounded.is_zero() {
        rounded.set_sign_positive(true);
    }
    let text = rounded.to_string();
    let (sign, unsigned) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text.as_str()),
    };
    let (int_part, frac_part) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let mut out = String::with_capacity(text.len() + int_part.len() / 3 + 2);
    out.push_str(sign);
    match grouping {
        Grouping::Plain => out.push_str(int_part),
        Grouping::Thousands => {
            for (i, ch) in int_part.chars().enumerate() {
                if i > 0 && (int_part.len() - i) % 3 == 0 {
                    out.push(',');
                }
                out.push(ch);
            }
        }
    }
    if decimals > 0 {
        out.push('.');
        out.push_str(frac_part);
        for _ in frac_part.len()..decimals as usize {
            out.push('0');
        }
    }
    out
}

/// A 万元 amount for display, without the unit: `fmt_wan(w, 2, Grouping::Thousands)`.
pub fn fmt_wan(value: Wan, decimals: u32, grouping: Grouping) -> String {
    fmt_decimal(value.0, decimals, grouping)
}

/// A 亿元 amount for display, without the unit; bulletins use 1 or 2 decimals ("132.8").
pub fn fmt_yi(value: Yi, decimals: u32, grouping: Grouping) -> String {
    fmt_decimal(value.0, decimals, grouping)
}

/// A percentage for display with 1 decimal and no % sign ("6.5"), as in 增速 and 完成率
/// columns whose header carries the %.
pub fn fmt_percent(value: Percent) -> String {
    fmt_decimal(value.0, 1, Grouping::Plain)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str_exact(s).unwrap()
    }

    fn cell(s: &str) -> Option<Decimal> {
        parse_decimal_cell(s).unwrap_or_else(|e| panic!("{s:?}: {e}"))
    }

    #[test]
    fn empty_and_placeholder_cells_are_none() {
        for s in [
            "",
            "  ",
            "\u{3000}",
            "—",
            "——",
            "-",
            "--",
            "－",
            "／",
            "/",
            "无",
            " 无 ",
            "\u{3000}—\u{3000}",
        ] {
            assert_eq!(cell(s), None, "{s:?}");
        }
    }

    #[test]
    fn plain_numbers() {
        assert_eq!(cell("123"), Some(d("123")));
        assert_eq!(cell(" 123.50 "), Some(d("123.5")));
        assert_eq!(cell("\u{3000}42\u{3000}"), Some(d("42")));
        assert_eq!(cell("-3.2"), Some(d("-3.2")));
        assert_eq!(cell("+3.2"), Some(d("3.2")));
        assert_eq!(cell(".5"), Some(d("0.5")));
        assert_eq!(cell("5."), Some(d("5")));
        assert_eq!(cell("0"), Some(Decimal::ZERO));
        assert!(!cell("-0").unwrap().is_sign_negative());
        assert_eq!(cell("0.30000000000000004"), Some(d("0.30000000000000004")));
    }

    #[test]
    fn full_width_forms() {
        assert_eq!(cell("１２３．５"), Some(d("123.5")));
        assert_eq!(cell("－１２"), Some(d("-12")));
        assert_eq!(cell("\u{2212}12"), Some(d("-12")));
        assert_eq!(cell("＋１"), Some(d("1")));
        assert_eq!(cell("１，２３４"), Some(d("1234")));
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(cell("1,234.5"), Some(d("1234.5")));
        assert_eq!(cell("1，234"), Some(d("1234")));
        assert_eq!(cell("12,345,678"), Some(d("12345678")));
        assert_eq!(cell("-1,000"), Some(d("-1000")));
        for bad in ["1,23", "1,2345", ",123", "1234,567", "1,234,56", "1.234,5"] {
            let err = parse_decimal_cell(bad).unwrap_err();
            assert!(
                matches!(
                    err,
                    NumberError::Grouping { .. } | NumberError::NotANumber { .. }
                ),
                "{bad:?}: {err:?}"
            );
        }
        assert!(matches!(
            parse_decimal_cell("1,23"),
            Err(NumberError::Grouping { .. })
        ));
    }

    #[test]
    fn units_are_stripped_only_when_expected() {
        assert_eq!(
            parse_with_unit("12.5万元", Unit::Wan).unwrap(),
            Some(d("12.5"))
        );
        assert_eq!(
            parse_with_unit("12.5 万元", Unit::Wan).unwrap(),
            Some(d("12.5"))
        );
        assert_eq!(parse_with_unit("3亿元", Unit::Yi).unwrap(), Some(d("3")));
        assert_eq!(parse_with_unit("８%", Unit::Percent).unwrap(), Some(d("8")));
        assert_eq!(
            parse_with_unit("８％", Unit::Percent).unwrap(),
            Some(d("8"))
        );
        assert_eq!(
            parse_with_unit("6.5%", Unit::Percent).unwrap(),
            Some(d("6.5"))
        );
        assert_eq!(parse_with_unit("12家", Unit::Jia).unwrap(), Some(d("12")));
        assert_eq!(parse_with_unit("3个", Unit::Ge).unwrap(), Some(d("3")));
        assert_eq!(parse_with_unit("12", Unit::Wan).unwrap(), Some(d("12")));
        assert_eq!(parse_with_unit("—", Unit::Wan).unwrap(), None);

        assert_eq!(
            parse_with_unit("3亿元", Unit::Wan),
            Err(NumberError::WrongUnit {
                input: "3亿元".into(),
                expected: Unit::Wan,
                found: "亿元".into()
            })
        );
        assert!(matches!(
            parse_with_unit("3元", Unit::Wan),
            Err(NumberError::WrongUnit { .. })
        ));
        assert!(matches!(
            parse_with_unit("12个", Unit::Jia),
            Err(NumberError::WrongUnit { .. })
        ));
        assert_eq!(
            parse_decimal_cell("8%"),
            Err(NumberError::UnexpectedUnit {
                input: "8%".into(),
                found: "%".into()
            })
        );
        let msg = parse_with_unit("3亿元", Unit::Wan).unwrap_err().to_string();
        assert!(
            msg.contains("单位应为 \"万元\"") && msg.contains("\"3亿元\""),
            "{msg}"
        );
    }

    #[test]
    fn scientific_notation_is_rejected_with_a_message() {
        for s in ["1.2E+05", "1e5", "3.5e-2", "１Ｅ５"] {
            assert!(
                matches!(parse_decimal_cell(s), Err(NumberError::Scientific { .. })),
                "{s:?}"
            );
        }
        let msg = parse_decimal_cell("1.23E+11").unwrap_err().to_string();
        assert!(
            msg.contains("科学计数法") && msg.contains("\"1.23E+11\""),
            "{msg}"
        );
    }

    #[test]
    fn garbage_is_rejected_quoting_the_input() {
        for s in [
            "abc",
            "12abc",
            "1.2.3",
            "1 234",
            "--5",
            "+-5",
            "12-",
            ".",
            "e5",
            "万元",
            "约100",
            "100左右",
            "1_000",
            "0x10",
            "NaN",
            "inf",
        ] {
            let err = parse_decimal_cell(s).unwrap_err();
            assert!(
                err.to_string().contains(&format!("\"{s}\"")),
                "{s:?}: {err}"
            );
        }
    }

    #[test]
    fn out_of_range_numbers_are_rejected() {
        assert_eq!(cell("999999999999999"), Some(d("999999999999999")));
        assert!(matches!(
            parse_decimal_cell("1000000000000000"),
            Err(NumberError::OutOfRange { .. })
        ));
        assert!(matches!(
            parse_decimal_cell("0.12345678901234567890123456789"),
            Err(NumberError::OutOfRange { .. })
        ));
        assert_eq!(cell("000123"), Some(d("123")));
    }

    #[test]
    fn wan_and_yi_convert_exactly() {
        let w = Wan::new(d("12345"));
        assert_eq!(w.to_yi(), Yi::new(d("1.2345")));
        assert_eq!(w.to_yi().to_wan(), w);
        assert_eq!(Yi::new(d("132.8")).to_wan(), Wan::new(d("1328000")));
        let total: Wan = [Wan::new(d("1.5")), Wan::new(d("2.25"))].iter().sum();
        assert_eq!(total, Wan::new(d("3.75")));
        assert_eq!(total - Wan::new(d("0.75")), Wan::new(d("3")));
        assert_eq!(Wan::new(d("2")) * d("1.5"), Wan::new(d("3")));
        assert_eq!(-Yi::new(d("1")), Yi::new(d("-1")));
    }

    #[test]
    fn string_form_and_serde() {
        assert_eq!(Wan::new(d("1234.50")).to_string(), "1234.5");
        assert_eq!("1234.5".parse::<Wan>().unwrap(), Wan::new(d("1234.5")));
        assert!("1,234.5".parse::<Wan>().is_err(), "string form is strict");
        assert!("12万元".parse::<Wan>().is_err(), "string form is strict");
        assert_eq!(Percent::new(d("6.50")).to_string(), "6.5");
        assert_eq!(
            serde_json::to_string(&Yi::new(d("132.80"))).unwrap(),
            "\"132.8\""
        );
        let back: Mu = serde_json::from_str("\"3.5\"").unwrap();
        assert_eq!(back, Mu::new(d("3.5")));
        assert!(serde_json::from_str::<Wan>("\"abc\"").is_err());
    }

    #[test]
    fn string_form_round_trips_and_agrees_with_the_cell_reader() {
        for s in [
            "0",
            "1",
            "-1",
            "0.5",
            "1234.5678",
            "-0.0001",
            "999999999999999.99",
        ] {
            let w: Wan = s.parse().unwrap();
            assert_eq!(w.to_string().parse::<Wan>(), Ok(w));
            assert_eq!(Wan::parse_cell(&w.to_string()), Ok(Some(w)));
            assert_eq!(Wan::parse_cell(&format!("{w}万元")), Ok(Some(w)));
            let grouped = fmt_decimal(w.value(), 4, Grouping::Thousands);
            assert_eq!(
                parse_decimal_cell(&grouped),
                Ok(Some(w.value())),
                "{grouped}"
            );
        }
    }

    #[test]
    fn typed_cell_readers() {
        assert_eq!(
            Wan::parse_cell("1,234万元").unwrap(),
            Some(Wan::new(d("1234")))
        );
        assert_eq!(
            Yi::parse_cell("132.8亿元").unwrap(),
            Some(Yi::new(d("132.8")))
        );
        assert_eq!(
            Percent::parse_cell("８％").unwrap(),
            Some(Percent::new(d("8")))
        );
        assert_eq!(Mu::parse_cell("12.5亩").unwrap(), Some(Mu::new(d("12.5"))));
        assert_eq!(Wan::parse_cell("").unwrap(), None);
    }

    #[test]
    fn land_must_be_positive() {
        assert_eq!(Mu::parse_land("3").unwrap(), Mu::new(d("3")));
        assert_eq!(Mu::parse_land("３亩").unwrap(), Mu::new(d("3")));
        assert_eq!(
            Mu::parse_land("0"),
            Err(NumberError::NotPositive { input: "0".into() })
        );
        assert_eq!(
            Mu::parse_land("0").unwrap_err().to_string(),
            "必须大于0, 实际为 \"0\" (must be greater than 0)"
        );
        assert!(matches!(
            Mu::parse_land("-2"),
            Err(NumberError::NotPositive { .. })
        ));
        assert_eq!(Mu::parse_land(""), Err(NumberError::Missing));
        assert_eq!(Mu::parse_land("—"), Err(NumberError::Missing));
    }

    #[test]
    fn percent_helpers() {
        assert_eq!(Percent::from_ratio(d("0.065")), Percent::new(d("6.5")));
        assert_eq!(Percent::new(d("6.5")).to_ratio(), d("0.065"));
        assert_eq!(Percent::of(d("50"), d("200")), Some(Percent::new(d("25"))));
        assert_eq!(Percent::of(d("1"), Decimal::ZERO), None);
        assert_eq!(
            Percent::growth(d("106.5"), d("100")),
            Some(Percent::new(d("6.5")))
        );
        assert_eq!(
            Percent::growth(d("90"), d("100")),
            Some(Percent::new(d("-10")))
        );
        assert_eq!(Percent::growth(d("5"), Decimal::ZERO), None);
        assert_eq!(Percent::growth(d("5"), d("-3")), None);
    }

    #[test]
    fn display_formatting_rounds_half_away_from_zero() {
        use Grouping::*;
        assert_eq!(fmt_yi(Yi::new(d("132.85")), 1, Plain), "132.9");
        assert_eq!(fmt_yi(Yi::new(d("132.75")), 1, Plain), "132.8");
        assert_eq!(fmt_yi(Yi::new(d("132.8")), 2, Plain), "132.80");
        assert_eq!(fmt_yi(Yi::new(d("-0.04")), 1, Plain), "0.0");
        assert_eq!(fmt_yi(Yi::new(d("-1.25")), 1, Plain), "-1.3");
        assert_eq!(
            fmt_wan(Wan::new(d("1234567.891")), 2, Thousands),
            "1,234,567.89"
        );
        assert_eq!(fmt_wan(Wan::new(d("-1234567")), 0, Thousands), "-1,234,567");
        assert_eq!(fmt_wan(Wan::new(d("123")), 0, Thousands), "123");
        assert_eq!(fmt_wan(Wan::new(d("1234")), 1, Plain), "1234.0");
        assert_eq!(fmt_wan(Wan::new(d("999.95")), 1, Thousands), "1,000.0");
        assert_eq!(fmt_percent(Percent::new(d("6.45"))), "6.5");
        assert_eq!(fmt_percent(Percent::new(d("40.8"))), "40.8");
        assert_eq!(fmt_percent(Percent::new(d("7"))), "7.0");
    }
}
