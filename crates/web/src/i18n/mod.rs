//! Chinese by default, English on request: the UI's strings in both languages.

use std::collections::HashMap;
use std::sync::OnceLock;

mod bulletins;
mod common;
mod form;
mod funnel;
mod help;
mod jobs;
mod notices;
mod plans;
mod platform;
mod workbench;

pub use qx_core::label::Lang;

/// Every module's strings. The shared ones are in `common`; a page module's table is in
/// `i18n/<module>.rs`, or a feature folder's in its `messages.rs` (so page modules never
/// import each other through this one).
const TABLES: &[&[(&str, &str, &str)]] = &[
    common::MESSAGES,
    form::MESSAGES,
    plans::MESSAGES,
    crate::monitor::MESSAGES,
    bulletins::MESSAGES,
    crate::problems::MESSAGES,
    crate::projects::MESSAGES,
    funnel::MESSAGES,
    crate::meetings::MESSAGES,
    crate::enterprises::MESSAGES,
    crate::cultivation::MESSAGES,
    crate::assessment::MESSAGES,
    notices::MESSAGES,
    workbench::MESSAGES,
    jobs::MESSAGES,
    help::MESSAGES,
    crate::api::MESSAGES,
    platform::MESSAGES,
];

fn table() -> &'static HashMap<&'static str, (&'static str, &'static str)> {
    static TABLE: OnceLock<HashMap<&'static str, (&'static str, &'static str)>> = OnceLock::new();
    TABLE.get_or_init(|| {
        TABLES
            .iter()
            .flat_map(|t| t.iter())
            .map(|&(k, zh, en)| (k, (zh, en)))
            .collect()
    })
}

/// Looks up a UI string; an unknown key is shown as itself so a missing entry is visible.
pub fn t(lang: Lang, key: &str) -> &str {
    match table().get(key) {
        Some((zh, en)) => match lang {
            Lang::Zh => zh,
            Lang::En => en,
        },
        None => key,
    }
}

/// A message from the store or an importer, written `中文 (english)` for logs, the CLI and the
/// API, as a page in `lang` shows it: the Chinese page drops each parenthesis that is English
/// only (ASCII with a word of three or more letters), keeping `(2017Q3)`, `(万元)` and the like.
pub fn localise(message: &str, lang: Lang) -> String {
    if lang == Lang::En {
        return message.to_string();
    }
    let mut out = String::with_capacity(message.len());
    // What a message quotes is what a person typed or named ("12 (approx)", 「…」): kept whole.
    let mut quoted = false;
    let mut named = 0usize;
    let mut chars = message.char_indices();
    while let Some((at, c)) = chars.next() {
        match c {
            '"' => quoted = !quoted,
            '「' | '“' => named += 1,
            '」' | '”' => named = named.saturating_sub(1),
            '(' if !quoted && named == 0 => {
                if let Some(len) = message[at..].find(')')
                    && is_english(&message[at + 1..at + len])
                {
                    out.truncate(out.trim_end_matches(' ').len());
                    // Past the closing parenthesis (one byte, so `nth` counts chars safely).
                    let inner_chars = message[at + 1..at + len].chars().count();
                    chars.nth(inner_chars);
                    continue;
                }
            }
            _ => {}
        }
        out.push(c);
    }
    out
}

/// [`localise`] for a list of messages (an upload's problems).
pub fn localised(messages: Vec<String>, lang: Lang) -> Vec<String> {
    messages.iter().map(|m| localise(m, lang)).collect()
}

/// Printable ASCII holding an English word (three letters in a row), and no nested parenthesis.
/// The typographic signs English text uses beside ASCII ("1–12", "≤ 5") count as its own.
fn is_english(s: &str) -> bool {
    let mut run = 0;
    let mut word = false;
    for c in s.chars() {
        let english_sign = matches!(c, '–' | '—' | '…' | '≤' | '≥' | '×' | '’');
        if !(c.is_ascii_graphic() || c == ' ' || english_sign) || c == '(' {
            return false;
        }
        run = if c.is_ascii_lowercase() { run + 1 } else { 0 };
        word |= run >= 3;
    }
    word
}

/// A number of minutes in the language: "15 分钟", "15 min".
pub fn minutes(lang: Lang, n: i64) -> String {
    match lang {
        Lang::Zh => format!("{n} 分钟后"),
        Lang::En => format!("in {n} min"),
    }
}

/// The translator handed to templates: `{{ t.get("nav.home") }}`.
#[derive(Debug, Clone, Copy)]
pub struct Tr(pub Lang);

impl Tr {
    pub fn get<'a>(&self, key: &'a str) -> &'a str {
        match table().get(key) {
            Some((zh, en)) => match self.0 {
                Lang::Zh => zh,
                Lang::En => en,
            },
            None => key,
        }
    }

    pub fn is_en(&self) -> bool {
        self.0 == Lang::En
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_both_languages_present() {
        let mut seen = std::collections::HashSet::new();
        for (k, zh, en) in TABLES.iter().flat_map(|t| t.iter()) {
            assert!(seen.insert(k), "duplicate key {k}");
            assert!(!zh.is_empty() && !en.is_empty(), "{k} lacks a translation");
        }
        assert_eq!(t(Lang::Zh, "nav.home"), "首页");
        assert_eq!(t(Lang::En, "nav.home"), "Home");
    }

    /// The crate's Rust sources and templates, as text.
    fn sources() -> Vec<(String, String)> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut out = Vec::new();
        let mut stack = vec![root.join("src"), root.join("templates")];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "rs" || e == "html") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    out.push((path.display().to_string(), text));
                }
            }
        }
        out
    }

    /// The literal keys handed to the translator (`t.get` in templates, `t(lang, …)` in Rust).
    fn literal_keys(text: &str) -> Vec<String> {
        let mut keys = Vec::new();
        for opener in [
            "t.get(\"",
            "t(lang, \"",
            "t(ctx.lang, \"",
            "t(auth.ctx.lang, \"",
        ] {
            for (at, _) in text.match_indices(opener) {
                let rest = &text[at + opener.len()..];
                if let Some(end) = rest.find('"') {
                    keys.push(rest[..end].to_string());
                }
            }
        }
        keys
    }

    #[test]
    fn every_key_used_is_defined_and_every_key_defined_is_used() {
        let sources = sources();
        let undefined: Vec<String> = sources
            .iter()
            .flat_map(|(file, text)| {
                literal_keys(text)
                    .into_iter()
                    .filter(|k| !table().contains_key(k.as_str()))
                    .map(move |k| format!("{file}: {k}"))
            })
            .collect();
        assert!(undefined.is_empty(), "keys without strings: {undefined:?}");

        // A key is used when it appears as a string literal anywhere besides its own entry
        // (keys chosen by code, such as a status's key, are literals too); this file, which
        // names keys in its tests, does not count.
        let mut unused: Vec<&str> = table()
            .keys()
            .copied()
            .filter(|k| {
                let quoted = format!("\"{k}\"");
                sources
                    .iter()
                    .filter(|(file, _)| !file.ends_with("i18n/mod.rs"))
                    .map(|(_, text)| text.matches(&quoted).count())
                    .sum::<usize>()
                    < 2
            })
            .collect();
        unused.sort();
        assert!(unused.is_empty(), "keys nothing uses: {unused:?}");
    }

    #[test]
    fn a_chinese_page_drops_the_english_parentheses_of_a_message() {
        let zh = |m| localise(m, Lang::Zh);
        assert_eq!(
            zh("该期报送已审核锁定; 如需更正请发起更正 (approved submissions are locked)"),
            "该期报送已审核锁定; 如需更正请发起更正"
        );
        assert_eq!(
            zh("第12行 \"用地面积\": 必须大于0 (must be greater than 0), 实际为 \"0\""),
            "第12行 \"用地面积\": 必须大于0, 实际为 \"0\""
        );
        assert_eq!(zh("不能代其他单位报送 (unit 3)"), "不能代其他单位报送");
        assert_eq!(
            zh("月份必须在1到12之间, 实际为 13 (month must be 1–12)"),
            "月份必须在1到12之间, 实际为 13"
        );
        // What was typed or named is quoted and kept as it was.
        assert_eq!(
            zh("数量: \"12 (approx)\" 不是有效的数字 (not a number)"),
            "数量: \"12 (approx)\" 不是有效的数字"
        );
        assert_eq!(
            zh("项目「港区 (phase two)」重复出现 (duplicate row)"),
            "项目「港区 (phase two)」重复出现"
        );
        for kept in [
            "考核期 (2017Q3) 已终审",
            "总投资 (万元) 不能为负",
            "行业代码 (GB/T 4754) 无效",
            "未闭合的括号 (abc",
            "",
        ] {
            assert_eq!(zh(kept), kept);
        }
        let both = "已提交待审核, 不能再修改 (already submitted)";
        assert_eq!(localise(both, Lang::En), both);
    }
}
