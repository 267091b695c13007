//! Numbers as people type them into spreadsheets: plain decimals on the fast path, and the
//! unambiguous messy forms (全角数字, 千分位 separators, stray spaces) on a slow path.
//!
//! Anything else (units, percent signs, "N/A", `inf`) is rejected with a message saying what to
//! write instead: a guessed number in a government evaluation is worse than an error.

/// Why a cell is not a number. `Display` gives the Chinese message with an English gloss.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NumberError {
    /// 不是有效的数字
    NotANumber,
    /// 含百分号
    Percent,
    /// 含单位 (万元, 亩, 元 …)
    Unit,
    /// 千分位分隔符位置不对 (e.g. "1,23")
    BadGrouping,
}

impl std::fmt::Display for NumberError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            NumberError::NotANumber => {
                "不是有效的数字, 无数据请留空 (not a number; leave the cell empty for no data)"
            }
            NumberError::Percent => {
                "不能带百分号, 请填写小数 (no percent sign; write a decimal fraction)"
            }
            NumberError::Unit => {
                "请只填数字, 单位见列名 (digits only; the unit is given by the column)"
            }
            NumberError::BadGrouping => {
                "千分位分隔符位置不对 (thousands separators must group three digits, e.g. 1,234.5)"
            }
        })
    }
}

/// Whitespace a cell may carry around its value, including the ideographic space (U+3000).
pub fn trim(s: &[u8]) -> &[u8] {
    let is_space = |b: u8| b == b' ' || b == b'\t' || b == b'\r';
    let mut start = 0;
    let mut end = s.len();
    loop {
        if start < end && is_space(s[start]) {
            start += 1;
        } else if end - start >= 3 && s[start..start + 3] == [0xE3, 0x80, 0x80] {
            start += 3;
        } else {
            break;
        }
    }
    loop {
        if end > start && is_space(s[end - 1]) {
            end -= 1;
        } else if end - start >= 3 && s[end - 3..end] == [0xE3, 0x80, 0x80] {
            end -= 3;
        } else {
            break;
        }
    }
    &s[start..end]
}

/// Parses one trimmed, non-empty cell as a finite number.
#[inline]
pub fn parse(cell: &[u8]) -> Result<f64, NumberError> {
    if let Some(v) = parse_plain_decimal(cell) {
        return Ok(v);
    }
    // General path: plain ASCII decimals. `fast_float2` also accepts "inf"/"nan", hence the check.
    if let Ok(v) = fast_float2::parse::<f64, _>(cell) {
        if v.is_finite() {
            return Ok(v);
        }
        return Err(NumberError::NotANumber);
    }
    parse_messy(cell)
}

/// The common case, `-123.45` with at most 15 digits, exactly: the digits form an integer below
/// 2^53 and 10^k (k ≤ 15) is exact, so one IEEE division gives the correctly rounded value, the
/// same double any correct parser (DuckDB's included) produces.
#[inline]
fn parse_plain_decimal(cell: &[u8]) -> Option<f64> {
    const POW10: [f64; 16] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    ];
    let (negative, digits) = match cell.first()? {
        b'-' => (true, &cell[1..]),
        _ => (false, cell),
    };
    let mut mantissa: u64 = 0;
    let mut n_digits = 0usize;
    let mut frac_digits = 0usize;
    let mut seen_dot = false;
    for &b in digits {
        if b.is_ascii_digit() {
            mantissa = mantissa * 10 + u64::from(b - b'0');
            n_digits += 1;
            frac_digits += usize::from(seen_dot);
            if n_digits > 15 {
                return None;
            }
        } else if b == b'.' && !seen_dot {
            seen_dot = true;
        } else {
            return None;
        }
    }
    if n_digits == 0 {
        return None;
    }
    let v = mantissa as f64 / POW10[frac_digits];
    Some(if negative { -v } else { v })
}

/// The slow path: normalise full-width forms and thousands separators, then parse strictly.
fn parse_messy(cell: &[u8]) -> Result<f64, NumberError> {
    let text = std::str::from_utf8(cell).map_err(|_| NumberError::NotANumber)?;
    let mut ascii = String::with_capacity(text.len());
    for c in text.chars() {
        let mapped = match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32),
            '．' => Some('.'),
            '－' | '−' => Some('-'),
            '＋' => Some('+'),
            '，' | ',' => Some(','),
            'Ｅ' | 'ｅ' => Some('e'),
            '\u{3000}' | ' ' => None,
            '%' | '％' | '‰' => return Err(NumberError::Percent),
            c if c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E') => Some(c),
            '万' | '亿' | '元' | '亩' | '吨' | '人' | '度' => return Err(NumberError::Unit),
            _ => return Err(NumberError::NotANumber),
        };
        if let Some(m) = mapped {
            ascii.push(m);
        }
    }
    let plain = if ascii.contains(',') {
        ungroup(&ascii)?
    } else {
        ascii
    };
    // Rust's parser accepts "inf"/"nan", but those letters were rejected above.
    match plain.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(NumberError::NotANumber),
    }
}

/// Removes thousands separators after checking they group exactly three digits.
fn ungroup(s: &str) -> Result<String, NumberError> {
    let (sign, rest) = match s.as_bytes().first() {
        Some(b'-') | Some(b'+') => s.split_at(1),
        _ => ("", s),
    };
    let (int_part, frac_part) = match rest.find('.') {
        Some(p) => rest.split_at(p),
        None => (rest, ""),
    };
    if frac_part.contains(',') {
        return Err(NumberError::BadGrouping);
    }
    let mut groups = int_part.split(',');
    let first = groups.next().unwrap_or("");
    if first.is_empty() || first.len() > 3 || !first.bytes().all(|b| b.is_ascii_digit()) {
        return Err(NumberError::BadGrouping);
    }
    let mut out = String::with_capacity(s.len());
    out.push_str(sign);
    out.push_str(first);
    for g in groups {
        if g.len() != 3 || !g.bytes().all(|b| b.is_ascii_digit()) {
            return Err(NumberError::BadGrouping);
        }
        out.push_str(g);
    }
    out.push_str(frac_part);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<f64, NumberError> {
        parse(trim(s.as_bytes()))
    }

    #[test]
    fn plain_numbers() {
        assert_eq!(p("30"), Ok(30.0));
        assert_eq!(p("-12.5"), Ok(-12.5));
        assert_eq!(p("1e3"), Ok(1000.0));
        assert_eq!(p(" 4.25 "), Ok(4.25));
        assert_eq!(p("+7"), Ok(7.0));
    }

    #[test]
    fn the_plain_path_agrees_with_the_general_parser() {
        for s in [
            "0",
            "5.",
            ".5",
            "-0.125",
            "123456789012345",
            "0.00000000000001",
            "4929.81",
            "0.0302",
            "1.0",
        ] {
            let fast = parse_plain_decimal(s.as_bytes());
            assert_eq!(fast, s.parse::<f64>().ok(), "{s}");
        }
        assert_eq!(
            parse_plain_decimal(b"1234567890123456"),
            None,
            "16 digits take the general path"
        );
        assert_eq!(p("1234567890123456.5"), Ok(1234567890123456.5));
        assert_eq!(parse_plain_decimal(b"."), None);
        assert_eq!(parse_plain_decimal(b"1e5"), None);
    }

    #[test]
    fn messy_but_unambiguous() {
        assert_eq!(p("１２３．５"), Ok(123.5));
        assert_eq!(p("1,234.5"), Ok(1234.5));
        assert_eq!(p("1，234，567"), Ok(1_234_567.0));
        assert_eq!(p("－８"), Ok(-8.0));
        assert_eq!(p("\u{3000}42\u{3000}"), Ok(42.0));
    }

    #[test]
    fn garbage_is_rejected() {
        assert_eq!(p("abc"), Err(NumberError::NotANumber));
        assert_eq!(p("inf"), Err(NumberError::NotANumber));
        assert_eq!(p("NaN"), Err(NumberError::NotANumber));
        assert_eq!(p("12%"), Err(NumberError::Percent));
        assert_eq!(p("30万元"), Err(NumberError::Unit));
        assert_eq!(p("1,23"), Err(NumberError::BadGrouping));
        assert_eq!(p("12,3456"), Err(NumberError::BadGrouping));
        assert_eq!(p("1.2.3"), Err(NumberError::NotANumber));
        assert_eq!(p("-"), Err(NumberError::NotANumber));
    }
}
