//! Character-level helpers for Chinese official documents: full/half-width folding,
//! Chinese numerals (二十三, 五千, 二〇一七) and 成文日期 recognition.
//!
//! Everything works on `char`s so that half-width and full-width forms (`（` / `(`, `１` / `1`)
//! are treated alike without rewriting the text the user sees.

/// Fold a full-width ASCII variant (`（`, `１`, `％`, `：`) to its ASCII form; the ideographic
/// space becomes a plain space. Other characters are returned unchanged.
pub fn fold(c: char) -> char {
    match c {
        '\u{3000}' => ' ',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

/// Key used to compare names: folded, without any whitespace.
pub fn fold_key(s: &str) -> String {
    s.chars().map(fold).filter(|c| !c.is_whitespace()).collect()
}

pub fn is_han(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}' | '〇')
}

pub fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{FEFF}' || c == '\u{200B}'
}

/// The value of an ASCII or full-width digit.
pub fn digit(c: char) -> Option<u32> {
    fold(c).to_digit(10)
}

pub fn is_open_paren(c: char) -> bool {
    matches!(c, '(' | '（' | '〔' | '[' | '［' | '【' | '﹙')
}

pub fn is_close_paren(c: char) -> bool {
    matches!(c, ')' | '）' | '〕' | ']' | '］' | '】' | '﹚')
}

pub fn is_quote(c: char) -> bool {
    matches!(
        c,
        '"' | '“' | '”' | '「' | '」' | '『' | '』' | '＂' | '\'' | '‘' | '’' | '《' | '》'
    )
}

/// Trim whitespace (including 全角空格, NBSP and a stray BOM) from both ends, returning the
/// number of chars removed at the start and the trimmed text.
pub fn trim_line(s: &str) -> (usize, &str) {
    let start = s.trim_start_matches(is_space);
    let skipped = s[..s.len() - start.len()].chars().count();
    (skipped, start.trim_end_matches(is_space))
}

/// Value of one Chinese numeral digit (〇零一二两三…九).
pub fn cn_digit(c: char) -> Option<u64> {
    Some(match c {
        '〇' | '零' | '○' | 'О' => 0,
        '一' | '壹' => 1,
        '二' | '两' | '贰' => 2,
        '三' | '叁' => 3,
        '四' | '肆' => 4,
        '五' | '伍' => 5,
        '六' | '陆' => 6,
        '七' | '柒' => 7,
        '八' | '捌' => 8,
        '九' | '玖' => 9,
        _ => return None,
    })
}

/// Multiplier of a Chinese numeral unit character (十百千万亿).
pub fn cn_multiplier(c: char) -> Option<u64> {
    Some(match c {
        '十' | '拾' => 10,
        '百' | '佰' => 100,
        '千' | '仟' => 1000,
        '万' => 10_000,
        '亿' => 100_000_000,
        _ => return None,
    })
}

pub fn is_cn_numeral_char(c: char) -> bool {
    cn_digit(c).is_some() || cn_multiplier(c).is_some()
}

/// Parse a positional Chinese numeral such as 十五, 一百二十, 五千, 三万二千, 一千零五.
/// Returns `None` for malformed input (e.g. two digits in a row, which is the
/// digit-by-digit form handled by [`cn_digits_value`]).
pub fn cn_numeral_value(s: &[char]) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    let mut above_yi: u64 = 0; // everything already multiplied by 亿
    let mut wan: u64 = 0; // the 万 part below the current 亿
    let mut section: u64 = 0; // current section below 万
    let mut pending: Option<u64> = None; // digit waiting for its multiplier
    let mut last_was_digit = false;
    for &c in s {
        if let Some(d) = cn_digit(c) {
            if last_was_digit && d != 0 && pending != Some(0) {
                return None;
            }
            pending = Some(d);
            last_was_digit = true;
            continue;
        }
        let m = cn_multiplier(c)?;
        last_was_digit = false;
        match m {
            10 | 100 | 1000 => {
                let d = pending.take().unwrap_or(1);
                section = section.checked_add(d.checked_mul(m)?)?;
            }
            10_000 => {
                let part = section.checked_add(pending.take().unwrap_or(0))?;
                let part = if part == 0 { 1 } else { part };
                wan = wan.checked_add(part.checked_mul(m)?)?;
                section = 0;
            }
            _ => {
                let part = above_yi
                    .checked_add(wan)?
                    .checked_add(section)?
                    .checked_add(pending.take().unwrap_or(0))?;
                let part = if part == 0 { 1 } else { part };
                above_yi = part.checked_mul(m)?;
                wan = 0;
                section = 0;
            }
        }
    }
    above_yi
        .checked_add(wan)?
        .checked_add(section)?
        .checked_add(pending.unwrap_or(0))
}

/// Digit-by-digit Chinese numerals as used for years: 二〇一七 → 2017.
pub fn cn_digits_value(s: &[char]) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    let mut v: u64 = 0;
    for &c in s {
        v = v.checked_mul(10)?.checked_add(cn_digit(c)?)?;
    }
    Some(v)
}

/// Read a number made of ASCII/full-width digits or Chinese numerals.
fn read_int(s: &[char], year: bool) -> Option<u64> {
    if s.iter().all(|&c| digit(c).is_some()) {
        let mut v: u64 = 0;
        for &c in s {
            v = v.checked_mul(10)?.checked_add(u64::from(digit(c)?))?;
        }
        return Some(v);
    }
    if year {
        cn_digits_value(s)
    } else {
        cn_numeral_value(s)
    }
}

/// An ISO date read from a 成文日期 such as `2017年4月13日` or `二〇一七年四月十三日`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CnDate {
    pub year: u32,
    pub month: u32,
    pub day: u32,
}

impl CnDate {
    pub fn iso(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// Recognise a line that consists of a date only (optionally in brackets), the way a 成文日期
/// stands below the issuer's name.
pub fn standalone_date(line: &str) -> Option<CnDate> {
    let chars: Vec<char> = line
        .chars()
        .filter(|c| !is_space(*c) && !is_open_paren(*c) && !is_close_paren(*c))
        .collect();
    let (date, used) = date_at(&chars, 0)?;
    (used == chars.len()).then_some(date)
}

/// Read `YYYY年M月D日` starting at `start`; returns the date and the index after `日`.
pub fn date_at(chars: &[char], start: usize) -> Option<(CnDate, usize)> {
    let num_char = |c: char| digit(c).is_some() || cn_digit(c).is_some() || c == '十';
    let mut i = start;
    let mut fields = [0u64; 3];
    for (k, sep) in ['年', '月', '日'].into_iter().enumerate() {
        let from = i;
        while i < chars.len() && chars[i] != sep && num_char(chars[i]) && i - from < 5 {
            i += 1;
        }
        if i == from || chars.get(i) != Some(&sep) {
            return None;
        }
        fields[k] = read_int(&chars[from..i], k == 0)?;
        i += 1;
    }
    let [y, m, d] = fields;
    if !(1949..=2200).contains(&y) || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    Some((
        CnDate {
            year: y as u32,
            month: m as u32,
            day: d as u32,
        },
        i,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Option<u64> {
        cn_numeral_value(&s.chars().collect::<Vec<_>>())
    }

    #[test]
    fn chinese_numerals() {
        assert_eq!(v("十"), Some(10));
        assert_eq!(v("十五"), Some(15));
        assert_eq!(v("三十"), Some(30));
        assert_eq!(v("一百二十"), Some(120));
        assert_eq!(v("五千"), Some(5000));
        assert_eq!(v("两"), Some(2));
        assert_eq!(v("一千零五"), Some(1005));
        assert_eq!(v("三万二千"), Some(32000));
        assert_eq!(v("五千亿"), Some(500_000_000_000));
        assert_eq!(v("一亿二千万"), Some(120_000_000));
        assert_eq!(v("二三"), None);
    }

    #[test]
    fn dates() {
        assert_eq!(
            standalone_date("2017年4月13日").map(|d| d.iso()),
            Some("2017-04-13".into())
        );
        assert_eq!(
            standalone_date("二〇一七年四月十三日").map(|d| d.iso()),
            Some("2017-04-13".into())
        );
        assert_eq!(
            standalone_date("（２０１８年１２月３日）").map(|d| d.iso()),
            Some("2018-12-03".into())
        );
        assert_eq!(standalone_date("2017年是关键一年"), None);
    }

    #[test]
    fn folding() {
        assert_eq!(fold('（'), '(');
        assert_eq!(fold('１'), '1');
        assert_eq!(fold_key("各镇乡（街道）"), "各镇乡(街道)");
        assert_eq!(
            trim_line("\u{3000}\u{3000}一、总体要求 "),
            (2, "一、总体要求")
        );
    }
}
