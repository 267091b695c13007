//! Numbering markers at the start of a paragraph: 第X章/节/条, 一、 (一) 1. (1) 1) ① and their
//! full-width forms, written the way the contract wants them in a number path.

use crate::text::{cn_numeral_value, digit, fold, is_cn_numeral_char, is_han, is_space};

/// The numbering family of a marker. The order is the usual nesting of Chinese official
/// documents (GB/T 9704): a family nests inside the families before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// 附件 / 附件2: an annex holding the plan's task table, outside every numbering of the body
    /// (see [`annex_marker`]).
    Annex,
    /// 第一部分 / 第一篇
    Part,
    /// 第一章
    Chapter,
    /// 第一节
    Section,
    /// 第一条
    Article,
    /// 一、
    Cn,
    /// （一）
    ParenCn,
    /// 1. 1、 1．
    Arabic,
    /// （1）
    ParenArabic,
    /// 1)
    ArabicRParen,
    /// ①
    Circled,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marker {
    pub kind: Kind,
    /// As it appears in a number path: `一`, `(一)`, `1`, `(1)`, `1)`, `①`, `第一条`.
    pub label: String,
    pub value: u32,
    /// Byte offset in the line where the item's own text starts.
    pub content_start: usize,
}

/// `附件：重点任务分解表`, `附件2：…`: an annex's heading as a marker of the outermost family.
/// Only the parser's body-end rule asks for it, for an annex that lists tasks with their units;
/// `seen` annexes came before it (an annex without a number is the next one).
pub fn annex_marker(line: &str, seen: usize) -> Option<Marker> {
    let rest = line.strip_prefix("附件")?;
    let digits_end = rest
        .char_indices()
        .find(|(_, c)| digit(*c).is_none())
        .map_or(rest.len(), |(k, _)| k);
    let digits = &rest[..digits_end];
    let number = digits
        .chars()
        .try_fold(0u32, |v, c| v.checked_mul(10)?.checked_add(digit(c)?));
    let (label, value) = match number {
        Some(n) if !digits.is_empty() => (format!("附件{n}"), n),
        _ => ("附件".to_owned(), u32::try_from(seen).ok()?.checked_add(1)?),
    };
    let text = rest[digits_end..]
        .trim_start_matches(|c: char| is_space(c) || matches!(fold(c), ':' | '.' | '、'));
    Some(Marker {
        kind: Kind::Annex,
        label,
        value,
        content_start: line.len() - text.len(),
    })
}

/// Recognise a numbering marker at the start of `line` (already trimmed).
pub fn parse_marker(line: &str) -> Option<Marker> {
    // Markers are short: look at the first 16 chars only, without allocating.
    let mut buf = [(0usize, '\0'); 16];
    let mut len = 0;
    for (k, item) in line.char_indices().take(16).enumerate() {
        buf[k] = item;
        len = k + 1;
    }
    let chars = &buf[..len];
    let c0 = fold(chars.first()?.1);
    let at = |i: usize| chars.get(i).map(|(_, c)| fold(*c));
    let offset = |i: usize| chars.get(i).map_or(line.len(), |(o, _)| *o);
    // Skip spaces and one separator after a marker.
    let content_after = |mut i: usize| {
        while at(i).is_some_and(is_space) {
            i += 1;
        }
        offset(i)
    };

    // 第X章 / 第X条 …
    if c0 == '第' {
        let mut i = 1;
        while at(i).is_some_and(|c| is_cn_numeral_char(c) || c.is_ascii_digit()) {
            i += 1;
        }
        if i == 1 {
            return None;
        }
        let num: Vec<char> = chars[1..i].iter().map(|(_, c)| *c).collect();
        let value = number_value(&num)?;
        let (kind, len) = match (at(i), at(i + 1)) {
            (Some('章'), _) => (Kind::Chapter, 1),
            (Some('节'), _) => (Kind::Section, 1),
            (Some('条'), _) => (Kind::Article, 1),
            (Some('部'), Some('分')) => (Kind::Part, 2),
            (Some('篇'), _) => (Kind::Part, 1),
            _ => return None,
        };
        let label: String = chars[..i + len].iter().map(|(_, c)| *c).collect();
        // "第一条规定…" is prose; an article marker is followed by a space, punctuation or end.
        let next = at(i + len);
        if kind == Kind::Article && next.is_some_and(is_han) && line.chars().count() > 40 {
            return None;
        }
        let mut j = i + len;
        if at(j).is_some_and(|c| matches!(c, '、' | ':' | '：' | '.')) {
            j += 1;
        }
        return Some(Marker {
            kind,
            label,
            value,
            content_start: content_after(j),
        });
    }

    // ① … ⑳, ⑴ … ⒇, ⒈ … ⒛: one character numbered from the start of its Unicode run.
    for (first, kind) in [
        ('\u{2460}', Kind::Circled),
        ('\u{2474}', Kind::ParenArabic),
        ('\u{2488}', Kind::Arabic),
    ] {
        let value = (c0 as u32).wrapping_sub(first as u32).wrapping_add(1);
        if (1..=20).contains(&value) {
            let label = match kind {
                Kind::Circled => c0.to_string(),
                Kind::ParenArabic => format!("({value})"),
                _ => value.to_string(),
            };
            return Some(Marker {
                kind,
                label,
                value,
                content_start: content_after(1),
            });
        }
    }

    // (一) / (1)
    if matches!(c0, '(' | '（' | '﹙') {
        let mut i = 1;
        while at(i).is_some_and(is_space) {
            i += 1;
        }
        let from = i;
        let arabic = at(i).is_some_and(|c| c.is_ascii_digit());
        while at(i).is_some_and(|c| is_numeral(arabic, c)) {
            i += 1;
        }
        if i == from || i - from > 4 {
            return None;
        }
        let num: Vec<char> = chars[from..i].iter().map(|(_, c)| *c).collect();
        while at(i).is_some_and(is_space) {
            i += 1;
        }
        if !matches!(at(i), Some(')' | '）' | '﹚')) {
            return None;
        }
        let value = number_value(&num)?;
        let kind = if arabic {
            Kind::ParenArabic
        } else {
            Kind::ParenCn
        };
        let shown: String = num.iter().map(|c| fold(*c)).collect();
        let mut j = i + 1;
        if at(j).is_some_and(|c| matches!(c, '、' | '.' | '．')) {
            j += 1;
        }
        return Some(Marker {
            kind,
            label: format!("({shown})"),
            value,
            content_start: content_after(j),
        });
    }

    // 一、 / 1. 1、 1． 1)
    let arabic = c0.is_ascii_digit();
    if !arabic && !is_cn_numeral_char(c0) {
        return None;
    }
    let mut i = 0;
    while at(i).is_some_and(|c| is_numeral(arabic, c)) {
        i += 1;
    }
    if (arabic && i > 3) || i > 4 {
        return None;
    }
    let num: Vec<char> = chars[..i].iter().map(|(_, c)| *c).collect();
    let value = number_value(&num)?;
    let sep = at(i)?;
    let kind = match (arabic, sep) {
        (true, '.' | '、' | '，' | ',') => {
            // "1.5万" is a number, not a marker; "1、" / "1." followed by text is.
            if at(i + 1).is_some_and(|c| c.is_ascii_digit()) {
                return None;
            }
            Kind::Arabic
        }
        (true, ')') => Kind::ArabicRParen,
        (false, '、' | '.' | '，') => Kind::Cn,
        _ => return None,
    };
    let label = match kind {
        Kind::ArabicRParen => format!("{value})"),
        Kind::Arabic => value.to_string(),
        _ => num.iter().collect(),
    };
    if value == 0 {
        return None;
    }
    Some(Marker {
        kind,
        label,
        value,
        content_start: content_after(i + 1),
    })
}

fn number_value(num: &[char]) -> Option<u32> {
    if num.iter().all(|c| digit(*c).is_some()) {
        let mut v: u32 = 0;
        for c in num {
            v = v.checked_mul(10)?.checked_add(digit(*c)?)?;
        }
        return Some(v);
    }
    let v = cn_numeral_value(num)?;
    u32::try_from(v).ok().filter(|v| *v > 0 && *v < 10_000)
}

/// A digit of the numeral being read: ASCII digits when it is `arabic`, 一二三… otherwise.
fn is_numeral(arabic: bool, c: char) -> bool {
    if arabic {
        c.is_ascii_digit()
    } else {
        is_cn_numeral_char(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> Option<(Kind, String, u32, String)> {
        parse_marker(s).map(|m| (m.kind, m.label, m.value, s[m.content_start..].to_owned()))
    }

    #[test]
    fn markers_in_every_form() {
        assert_eq!(
            m("一、总体要求"),
            Some((Kind::Cn, "一".into(), 1, "总体要求".into()))
        );
        assert_eq!(
            m("十二、其他"),
            Some((Kind::Cn, "十二".into(), 12, "其他".into()))
        );
        assert_eq!(
            m("(一)实现"),
            Some((Kind::ParenCn, "(一)".into(), 1, "实现".into()))
        );
        assert_eq!(
            m("（二）　实现"),
            Some((Kind::ParenCn, "(二)".into(), 2, "实现".into()))
        );
        assert_eq!(
            m("1.完善"),
            Some((Kind::Arabic, "1".into(), 1, "完善".into()))
        );
        assert_eq!(
            m("１．完善"),
            Some((Kind::Arabic, "1".into(), 1, "完善".into()))
        );
        assert_eq!(
            m("12、完善"),
            Some((Kind::Arabic, "12".into(), 12, "完善".into()))
        );
        assert_eq!(
            m("（３）制定"),
            Some((Kind::ParenArabic, "(3)".into(), 3, "制定".into()))
        );
        assert_eq!(
            m("2)制定"),
            Some((Kind::ArabicRParen, "2)".into(), 2, "制定".into()))
        );
        assert_eq!(
            m("②制定"),
            Some((Kind::Circled, "②".into(), 2, "制定".into()))
        );
        assert_eq!(
            m("第十二条 企业"),
            Some((Kind::Article, "第十二条".into(), 12, "企业".into()))
        );
        assert_eq!(
            m("第三章　保障"),
            Some((Kind::Chapter, "第三章".into(), 3, "保障".into()))
        );
    }

    #[test]
    fn prose_is_not_a_marker() {
        for s in [
            "2017年是关键一年",
            "1.5万平方米",
            "一是加强",
            "(责任单位:县经信局)",
            "十分重要",
            "“一镇一策”",
            "2017",
        ] {
            assert_eq!(parse_marker(s), None, "{s}");
        }
    }
}
