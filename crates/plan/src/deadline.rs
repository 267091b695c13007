//! An item's 时间节点 as the document gives it: a `（完成时限：12月底）` note, the cell of a task
//! table's 完成时限 column (written as such a note by `input::table`), or `完成时间：6月底前`
//! at the end of the text. Kept as written; the office reads and corrects it on review.

use crate::text::{fold, is_close_paren, is_space};

/// Words that introduce a deadline, longest first.
const WORDS: &[&str] = &[
    "完成时限",
    "完成时间",
    "时间节点",
    "时限要求",
    "进度安排",
    "完成期限",
    "时限",
];

/// The deadline named in an item's own text, if any (at most 40 characters).
pub(crate) fn deadline(chars: &[char]) -> Option<String> {
    let text: String = chars.iter().collect();
    for w in WORDS {
        let Some(at) = text.find(w) else { continue };
        let rest = text[at + w.len()..].trim_start_matches(is_space);
        let Some(rest) = rest.strip_prefix(':').or_else(|| rest.strip_prefix('：')) else {
            continue;
        };
        let value: String = rest
            .chars()
            .take_while(|c| !is_close_paren(*c) && !matches!(fold(*c), '。' | ';' | '；' | '\n'))
            .collect();
        let value = value.trim_matches(is_space);
        if !value.is_empty() && value.chars().count() <= 40 {
            return Some(value.to_owned());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::deadline;

    fn of(s: &str) -> Option<String> {
        deadline(&s.chars().collect::<Vec<_>>())
    }

    #[test]
    fn deadlines_in_notes_cells_and_sentences() {
        assert_eq!(
            of("新增企业40家（责任单位：县经信局）（完成时限：12月底）").as_deref(),
            Some("12月底")
        );
        assert_eq!(
            of("推进技改。时间节点: 2022年6月底前。").as_deref(),
            Some("2022年6月底前")
        );
        assert_eq!(of("（时限：全年）").as_deref(), Some("全年"));
        // Prose that mentions a deadline without giving one.
        assert_eq!(of("严格按照完成时限推进"), None);
        assert_eq!(of("（完成时限：）"), None);
    }
}
