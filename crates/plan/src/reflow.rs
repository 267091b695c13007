//! Text whose line breaks were lost (copied from a web page or a policy database: "…方案如下:
//! 一、总体目标…二、重点任务(一)强化创新引领。1.支持企业…") gets its breaks back before the
//! structure parser reads it.
//!
//! A numbering marker found inside a line is taken only when it continues the numbering seen
//! so far (the next sibling of an open level, or the first child of the deepest one), so the
//! numbers of prose — "提高1.5个百分点", "第2季度", "(浙政发〔2016〕9号)", "2017年", "1.2亿元",
//! "1、2号" — never split a line. A document is treated as run-on only when some line holds
//! at least two such markers; then every line is split at its markers, and around the things
//! that stand on lines of their own in a published document: the notice's title, the 发文字号,
//! a signature with its date, and an annex ("附件:…").

use crate::marker::{Kind, Marker, parse_marker};
use crate::meta;
use crate::text::{date_at, fold, is_cn_numeral_char, is_space};
use std::collections::{BTreeSet, HashMap};

/// The numbering context: open levels (outermost first) and the last value of each family.
#[derive(Default)]
struct Sequence {
    open: Vec<(Kind, u32)>,
    last: HashMap<Kind, u32>,
}

impl Sequence {
    /// Would `m` be the next marker of a plan numbered like this one so far?
    fn continues(&self, m: &Marker) -> bool {
        if let Some(&(_, v)) = self.open.iter().find(|(k, _)| *k == m.kind) {
            return m.value == v + 1;
        }
        let deeper = self.open.last().is_none_or(|(k, _)| *k < m.kind);
        // A family may continue its numbering across sections (4. under (二) after 3. under (一)).
        deeper && (m.value == 1 || self.last.get(&m.kind).is_some_and(|v| m.value == v + 1))
    }

    fn take(&mut self, m: &Marker) {
        if let Some(at) = self.open.iter().position(|(k, _)| *k >= m.kind) {
            self.open.truncate(at);
        }
        self.open.push((m.kind, m.value));
        self.last.insert(m.kind, m.value);
    }
}

/// Characters after which a number is part of prose, not a marker.
fn blocks_marker(prev: char) -> bool {
    let p = fold(prev);
    p.is_ascii_alphanumeric()
        || matches!(
            p,
            '.' | '第'
                | '-'
                | '~'
                | '—'
                | '至'
                | '到'
                | '、'
                | '/'
                | '《'
                | '“'
                | '"'
                | '‘'
                | '〔'
                | '['
                | '%'
                | '+'
                | '('
                | '（'
                | '·'
                | '〇'
        )
}

/// Where a sentence or a bracket ends: 一、 and 第X条 only start after one of these.
fn is_boundary(prev: char) -> bool {
    is_space(prev)
        || matches!(
            fold(prev),
            '。' | ';' | ':' | '!' | '?' | ')' | ']' | '】' | '”' | '"' | '〕'
        )
}

/// An inline marker at char `i` of `chars` (the line's text from byte `byte`), if the
/// characters around it allow one.
fn inline_marker(chars: &[char], i: usize, rest: &str, seq: &Sequence) -> Option<Marker> {
    let prev = *chars.get(i.checked_sub(1)?)?;
    if blocks_marker(prev) {
        return None;
    }
    let m = parse_marker(rest)?;
    let strong_start = matches!(
        m.kind,
        Kind::Cn | Kind::Article | Kind::Chapter | Kind::Section | Kind::Part
    );
    if strong_start
        && (is_cn_numeral_char(prev)
            || !(is_boundary(prev) || unpunctuated_heading(chars, i, rest, &m, seq)))
    {
        return None;
    }
    Some(m)
}

/// A top-level 二、三、… that follows text without punctuation: a unit list ends a section
/// ("…县经信局、县发改局三、保障措施"), a title runs into the body ("…工作要点一、工作目标").
/// Only the next one of a numbering already begun, or the first after a title, and never one
/// that lists numbers ("三、四季度").
fn unpunctuated_heading(chars: &[char], i: usize, rest: &str, m: &Marker, seq: &Sequence) -> bool {
    if m.kind != Kind::Cn {
        return false;
    }
    let after = rest.get(m.content_start..).and_then(|r| r.chars().next());
    if after.is_none_or(|c| is_cn_numeral_char(c) || crate::text::digit(c).is_some()) {
        return false;
    }
    match m.value {
        // The first heading, right after a title: at the line's start or after the notice's
        // signature and date ("…2021年3月8日临江县…工作要点一、工作目标").
        1 => {
            !seq.last.contains_key(&Kind::Cn)
                && meta::TITLE_WORDS
                    .iter()
                    .any(|w| chars[..i].iter().rev().take(2).rev().collect::<String>() == *w)
        }
        v => seq
            .open
            .first()
            .is_some_and(|&(k, last)| k == Kind::Cn && v == last + 1),
    }
}

/// Give a run-on document its line breaks back; a document with its breaks is returned as is.
pub(crate) fn reflow(lines: Vec<String>) -> Vec<String> {
    let mut seq = Sequence::default();
    let mut cuts: Vec<BTreeSet<usize>> = Vec::with_capacity(lines.len());
    let mut run_on = false;
    for line in &lines {
        let chars: Vec<char> = line.chars().collect();
        let bytes: Vec<usize> = line.char_indices().map(|(b, _)| b).collect();
        let lead = chars.iter().take_while(|c| is_space(**c)).count();
        let mut here = BTreeSet::new();
        if let Some(m) = line
            .get(bytes.get(lead).copied().unwrap_or(line.len())..)
            .and_then(parse_marker)
        {
            seq.take(&m);
        }
        for (i, &byte) in bytes.iter().enumerate().skip(lead + 1) {
            let Some(rest) = line.get(byte..) else {
                continue;
            };
            if let Some(m) = inline_marker(&chars, i, rest, &seq)
                && seq.continues(&m)
            {
                seq.take(&m);
                here.insert(i);
            }
        }
        run_on |= here.len() >= 2;
        cuts.push(here);
    }
    if !run_on {
        return lines;
    }
    let mut out = Vec::new();
    for (line, mut here) in lines.iter().zip(cuts) {
        let chars: Vec<char> = line.chars().collect();
        around_documents_parts(&chars, &mut here);
        let mut from = 0;
        for at in here.into_iter().chain([chars.len()]) {
            if at > from {
                let piece: String = chars[from..at].iter().collect();
                if !piece.trim_matches(is_space).is_empty() {
                    out.extend(heading_apart(piece));
                }
            }
            from = at;
        }
    }
    transmitted_title_alone(out)
}

/// The section headings of a 公文 plan, which stand on lines of their own.
const SECTION_HEADINGS: &[&str] = &[
    "总体要求",
    "指导思想",
    "基本原则",
    "总体目标",
    "工作目标",
    "主要目标",
    "发展目标",
    "目标任务",
    "主要任务",
    "重点任务",
    "工作任务",
    "重点工作",
    "主要措施",
    "工作措施",
    "保障措施",
    "工作要求",
    "实施步骤",
    "组织保障",
];

/// "一、工作目标规上工业增加值增长8%": a top-level heading that ran into its text gets a line
/// of its own, as it has in the published document. Only the usual section headings.
fn heading_apart(piece: String) -> Vec<String> {
    let Some(m) = parse_marker(piece.trim_start_matches(is_space)).filter(|m| m.kind == Kind::Cn)
    else {
        return vec![piece];
    };
    let start = piece.len() - piece.trim_start_matches(is_space).len() + m.content_start;
    let body = &piece[start..];
    let Some(h) = SECTION_HEADINGS.iter().find(|h| body.starts_with(*h)) else {
        return vec![piece];
    };
    let rest = &body[h.len()..];
    if rest
        .chars()
        .next()
        .is_none_or(|c| !crate::text::is_han(c) && crate::text::digit(c).is_none())
    {
        return vec![piece];
    }
    let cut = start + h.len();
    vec![piece[..cut].to_owned(), piece[cut..].to_owned()]
}

/// Cuts around the parts of a published document that stand on lines of their own.
fn around_documents_parts(chars: &[char], cuts: &mut BTreeSet<usize>) {
    let text: String = chars.iter().collect();
    let find_all = |word: &str| -> Vec<usize> {
        let w: Vec<char> = word.chars().collect();
        (0..chars.len())
            .filter(|&i| chars[i..].starts_with(&w))
            .collect()
    };
    // The notice's title: "…关于印发《…》的通知" ends its line.
    for i in find_all("的通知") {
        let end = i + 3;
        if meta::transmitted_title(&chars[..end].iter().collect::<String>()).is_some()
            && !chars
                .get(end)
                .is_some_and(|c| matches!(c, '》' | '”' | '"'))
        {
            cuts.insert(end);
        }
    }
    // 发文字号 on its own line.
    if let Some(number) = meta::doc_number_in(&text)
        && let Some(byte) = text.find(&number)
    {
        let start = text[..byte].chars().count();
        let end = start + number.chars().count();
        // Cited in a sentence — "(浙政发〔2016〕9号)", "按照…3号文件" — it stays there.
        let cited = start
            .checked_sub(1)
            .and_then(|p| chars.get(p))
            .is_some_and(|c| crate::text::is_open_paren(*c) || matches!(c, '《' | '按' | '据'))
            || chars.get(end).is_some_and(|c| {
                crate::text::is_close_paren(*c) || matches!(c, '》' | '文' | '精')
            });
        if !cited {
            cuts.insert(start);
            cuts.insert(end);
        }
    }
    // An annex starts after a full stop or a closing bracket and ends with its file name.
    for word in ["附件", "附:", "附：", "抄送", "抄报"] {
        for i in find_all(word) {
            if i > 0 && is_boundary(chars[i - 1]) {
                cuts.insert(i);
            }
        }
    }
    let lower: String = text.to_ascii_lowercase();
    for ext in [".docx", ".doc", ".wps", ".pdf", ".xlsx", ".xls", ".tif"] {
        let mut from = 0;
        while let Some(b) = lower.get(from..).and_then(|s| s.find(ext)) {
            let end_byte = from + b + ext.len();
            let next = lower.get(end_byte..).and_then(|s| s.chars().next());
            if !next.is_some_and(|c| c.is_ascii_alphanumeric()) {
                cuts.insert(lower[..end_byte].chars().count());
            }
            from = end_byte;
        }
    }
    // A signature followed by its date: "…执行。象山县…办公室2017年4月13日".
    for i in 0..chars.len() {
        if i > 0 && crate::text::digit(chars[i - 1]).is_some() {
            continue;
        }
        let Some((_, end)) = date_at(chars, i) else {
            continue;
        };
        if chars.get(end).is_some_and(|c| {
            matches!(
                c,
                '前' | '起'
                    | '以'
                    | '至'
                    | '止'
                    | '到'
                    | '，'
                    | ','
                    | '的'
                    | '开'
                    | '召'
                    | '印'
                    | '发'
                    | '在'
                    | '为'
            )
        }) {
            continue;
        }
        let earliest = i.saturating_sub(40);
        let signature = (earliest..i.saturating_sub(2)).find(|&j| {
            let s: String = chars[j..i].iter().collect();
            (j == 0 || is_boundary(chars[j - 1]) || cuts.contains(&j))
                && meta::signature_like(s.trim_matches(is_space))
        });
        if let Some(j) = signature {
            cuts.insert(j);
            cuts.insert(i);
            cuts.insert(end);
        }
    }
    // A title that ran into the preamble: "…工作方案为加快…" / "…行动计划根据…".
    if let Some(end) = title_end(chars) {
        cuts.insert(end);
    }
    cuts.remove(&0);
}

/// Where a title at the start of a line ends, when the preamble follows it directly.
fn title_end(chars: &[char]) -> Option<usize> {
    const OPENINGS: &[char] = &['为', '根', '按', '依', '近', '围', '以', '各'];
    (4..chars.len().min(80)).find(|&end| {
        chars.get(end).is_some_and(|c| OPENINGS.contains(c))
            && meta::TITLE_WORDS
                .iter()
                .any(|w| chars[..end].iter().collect::<String>().ends_with(w))
            && meta::title_like(&chars[..end].iter().collect::<String>())
    })
}

/// The transmitted plan's own title, found again after the notice, goes on its own line so
/// the title and the body start are found as in a document with its breaks.
fn transmitted_title_alone(lines: Vec<String>) -> Vec<String> {
    let Some(title) = lines.iter().find_map(|l| {
        let t = l.trim_matches(is_space);
        meta::transmitted_title(t)
    }) else {
        return lines;
    };
    // The issuer signs below the notice with its date; where page furniture ran into the
    // notice's title ("…>> 县经信局象山县…办公室关于印发…"), the signature says where it starts.
    let signatures: Vec<String> = lines
        .windows(2)
        .filter(|w| crate::text::standalone_date(w[1].trim_matches(is_space)).is_some())
        .map(|w| w[0].trim_matches(is_space).to_owned())
        .filter(|s| meta::signature_like(s))
        .collect();
    let mut out = Vec::with_capacity(lines.len() + 2);
    let mut done = false;
    let mut seen_notice = false;
    for line in lines {
        if !seen_notice {
            seen_notice = meta::transmitted_title(line.trim_matches(is_space)).is_some();
            let issuer_at = signatures
                .iter()
                .filter(|_| seen_notice)
                .find_map(|s| line.find(&format!("{s}关于")))
                .filter(|&at| at > 0);
            match issuer_at {
                Some(at) => {
                    out.push(line[..at].to_owned());
                    out.push(line[at..].to_owned());
                }
                None => out.push(line),
            }
            continue;
        }
        match line.find(&title) {
            Some(at) if !done && !line[..at].ends_with('《') => {
                done = true;
                for piece in [
                    &line[..at],
                    &line[at..at + title.len()],
                    &line[at + title.len()..],
                ] {
                    if !piece.trim_matches(is_space).is_empty() {
                        out.push(piece.to_owned());
                    }
                }
            }
            _ => out.push(line),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flow(s: &str) -> Vec<String> {
        reflow(vec![s.to_owned()])
    }

    #[test]
    fn headings_after_text_without_a_stop() {
        assert_eq!(
            flow(
                "临江县2021年工作要点一、工作目标新增企业5家。二、重点任务做好三、四季度工作。县经信局、县财政局三、保障措施"
            ),
            vec![
                "临江县2021年工作要点",
                "一、工作目标",
                "新增企业5家。",
                "二、重点任务",
                "做好三、四季度工作。县经信局、县财政局",
                "三、保障措施",
            ]
        );
        // Not the first heading without a title before it, nor a heading out of turn.
        assert_eq!(
            flow("做好一、二季度工作。(一)推进。(二)落实县经信局五、六"),
            vec![
                "做好一、二季度工作。",
                "(一)推进。",
                "(二)落实县经信局五、六"
            ]
        );
    }

    #[test]
    fn markers_inside_a_line_split_it() {
        assert_eq!(
            flow(
                "一、总体目标到年底增长8%。二、重点任务(一)强化创新引领。1.支持企业建设研发机构。2.提高1.5个百分点,第2季度完成。(二)优化服务。"
            ),
            vec![
                "一、总体目标",
                "到年底增长8%。",
                "二、重点任务",
                "(一)强化创新引领。",
                "1.支持企业建设研发机构。",
                "2.提高1.5个百分点,第2季度完成。",
                "(二)优化服务。",
            ]
        );
    }

    #[test]
    fn numbers_in_prose_do_not_split() {
        let text = "一、目标。依据(浙政发〔2016〕9号)文件,2017年新增1.2亿元,完成1、2号线,提高1.5个百分点。二、任务。统一、规范(一)推进。";
        let lines = flow(text);
        assert_eq!(
            lines,
            vec![
                "一、目标。依据(浙政发〔2016〕9号)文件,2017年新增1.2亿元,完成1、2号线,提高1.5个百分点。",
                "二、任务。统一、规范",
                "(一)推进。"
            ]
        );
    }

    #[test]
    fn a_document_with_its_breaks_is_untouched() {
        let lines = vec![
            "一、总体要求".to_owned(),
            "(一)新增企业30家,其中(1)类10家。".to_owned(),
        ];
        assert_eq!(reflow(lines.clone()), lines);
    }
}
