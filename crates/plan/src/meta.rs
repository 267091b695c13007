//! Line classification (web-page chrome, signatures) and the plan's metadata: title, 发文字号,
//! issuer, 成文日期, year.

use crate::text::{digit, fold, fold_key, is_close_paren, is_han, is_open_paren, standalone_date};

/// Words that only web-page furniture contains (checked on lines of at most 80 chars).
const CHROME: &[&str] = &[
    "发布日期",
    "发布时间",
    "信息来源",
    "浏览次数",
    "点击数",
    "点击率",
    "访问次数",
    "阅读次数",
    "打印本页",
    "关闭窗口",
    "【打印】",
    "【关闭】",
    "[打印]",
    "[关闭]",
    "收藏本页",
    "当前位置",
    "您现在的位置",
    "您的位置",
    "版权所有",
    "ICP备",
    "网站标识码",
    "Produced By",
    "produced by",
    "字号：",
    "字号:",
    "【字体",
    "【字号",
    "公网安备",
    "扫一扫",
    "网站地图",
    "首页 >",
    "首页>",
    "首页 》",
    ">>",
    "》》",
];

/// Furniture that must be (almost) the whole line, since the words also occur in prose.
const CHROME_SHORT: &[&str] = &[
    "首页",
    "来源",
    "政策解读",
    "相关政策",
    "文件原文",
    "相关链接",
    "相关文件",
    "上一篇",
    "下一篇",
    "更多",
    "咨询电话",
    "分享到",
    "收藏",
    "联系我们",
    "附件下载",
    "打印",
    "关闭",
    "返回顶部",
    "字体",
    "大 中 小",
    "【大 中 小】",
];

const FILE_EXTENSIONS: &[&str] = &[
    ".tif", ".tiff", ".pdf", ".doc", ".docx", ".wps", ".jpg", ".jpeg", ".png", ".xls", ".xlsx",
    ".ofd", ".zip", ".rar",
];

/// Is this line web-page chrome rather than document text?
pub(crate) fn is_chrome(line: &str) -> bool {
    let n = line.chars().take(81).count();
    if n <= 80 && CHROME.iter().any(|w| line.contains(w)) && !line.contains("发文字号") {
        return true;
    }
    let bare = line.trim_matches(|c: char| {
        matches!(fold(c), ':' | '>' | '【' | '】' | '[' | ']' | ' ') || c == '：'
    });
    if n <= 24
        && CHROME_SHORT
            .iter()
            .any(|w| bare.starts_with(w) && bare.chars().count() <= w.chars().count() + 14)
    {
        return true;
    }
    if line.ends_with(|c: char| c.is_ascii_alphabetic()) && !line.starts_with("附件") {
        let tail: String = line
            .chars()
            .rev()
            .take(6)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let tail = tail.to_ascii_lowercase();
        if FILE_EXTENSIONS.iter().any(|e| tail.ends_with(e)) {
            return true;
        }
    }
    n <= 24 && is_page_number(line)
}

/// "- 3 -", "— 3 —", "第 2 页 共 5 页", "2/5".
fn is_page_number(line: &str) -> bool {
    let key = fold_key(line);
    let stripped: String = key
        .chars()
        .filter(|c| !matches!(c, '-' | '—' | '–' | '第' | '页' | '共' | '/'))
        .collect();
    !stripped.is_empty()
        && stripped.chars().all(|c| c.is_ascii_digit())
        && key.chars().any(|c| !c.is_ascii_digit())
}

/// A line without any letter, digit or Chinese character (a stray `?`, `|`, `***`).
pub(crate) fn is_blank(line: &str) -> bool {
    !line.chars().any(|c| is_han(c) || c.is_alphanumeric())
}

/// Metadata stated as labelled fields, as on 政府信息公开 pages: `发文机关：…`, `成文日期：…`.
#[derive(Debug, Default)]
pub(crate) struct Labels {
    pub issuer: Option<String>,
    pub date: Option<String>,
    pub doc_number: Option<String>,
}

const LABELS: &[(&str, u8)] = &[
    ("发文机关", 0),
    ("发布机构", 0),
    ("发文单位", 0),
    ("成文日期", 1),
    ("成文时间", 1),
    ("发文字号", 2),
    ("文号", 2),
];

/// Read labelled fields from a line; returns true when the line is such a field line.
pub(crate) fn read_labels(line: &str, labels: &mut Labels) -> bool {
    if line.chars().count() > 160 {
        return false;
    }
    let mut found = false;
    let cells: Vec<&str> = line.split('\t').map(str::trim).collect();
    for (k, cell) in cells.iter().enumerate() {
        for (label, field) in LABELS {
            let Some(rest) = cell.strip_prefix(label) else {
                continue;
            };
            let mut value = rest.trim_start_matches([':', '：', ' ', '\u{3000}']).trim();
            // On 信息公开 pages the value often sits in the next table cell.
            if value.is_empty() {
                value = cells.get(k + 1).copied().unwrap_or_default();
            }
            found = true;
            if value.is_empty() || LABELS.iter().any(|(l, _)| value.starts_with(l)) {
                break;
            }
            match field {
                0 => {
                    labels.issuer.get_or_insert_with(|| value.to_owned());
                }
                1 => {
                    let chars: Vec<char> = value.chars().collect();
                    let iso = crate::text::date_at(&chars, 0)
                        .map(|(d, _)| d.iso())
                        .or_else(|| iso_dash_date(value));
                    if let Some(iso) = iso {
                        labels.date.get_or_insert(iso);
                    }
                }
                _ => {
                    labels.doc_number.get_or_insert_with(|| value.to_owned());
                }
            }
            break;
        }
    }
    found
}

fn iso_dash_date(s: &str) -> Option<String> {
    let parts: Vec<&str> = s.split(['-', '/', '.']).map(str::trim).collect();
    let [y, m, d] = parts.get(..3)? else {
        return None;
    };
    let (y, m, d): (u32, u32, u32) = (
        y.parse().ok()?,
        m.parse().ok()?,
        d.get(..2.min(d.len()))?.parse().ok()?,
    );
    ((1949..2200).contains(&y) && (1..=12).contains(&m) && (1..=31).contains(&d))
        .then(|| format!("{y:04}-{m:02}-{d:02}"))
}

/// Find a 发文字号 such as `象工强办〔2017〕3号` (also with [] () 【】 brackets) in a line.
pub(crate) fn doc_number_in(line: &str) -> Option<String> {
    let chars: Vec<char> = line.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if !is_open_paren(c) {
            continue;
        }
        let year: Vec<u32> = chars
            .iter()
            .skip(i + 1)
            .take(4)
            .filter_map(|c| digit(*c))
            .collect();
        if year.len() != 4 || !chars.get(i + 5).is_some_and(|c| is_close_paren(*c)) {
            continue;
        }
        let mut j = i + 6;
        while chars.get(j).is_some_and(|c| c.is_whitespace()) {
            j += 1;
        }
        let num_start = j;
        while chars.get(j).is_some_and(|c| digit(*c).is_some()) {
            j += 1;
        }
        if j == num_start || chars.get(j) != Some(&'号') {
            continue;
        }
        let mut p = i;
        while p > 0 && chars.get(p - 1).is_some_and(|c| is_han(*c)) && i - p < 14 {
            p -= 1;
        }
        if p == i {
            continue;
        }
        return Some(chars[p..=j].iter().collect());
    }
    None
}

/// Words a plan's title ends with.
pub(crate) const TITLE_WORDS: &[&str] = &[
    "方案", "计划", "意见", "办法", "要点", "安排", "规划", "措施", "细则", "规定", "通知", "纲要",
    "清单", "分解", "决定", "举措",
];

pub(crate) fn has_title_word(s: &str) -> bool {
    TITLE_WORDS.iter().any(|w| s.contains(w))
}

/// Could this line be (part of) a title?
pub(crate) fn title_like(s: &str) -> bool {
    let n = s.chars().count();
    let last = s.chars().last().map(fold);
    (4..=100).contains(&n)
        && s.chars().any(is_han)
        && !matches!(last, Some('。' | ';' | ':' | ',' | '；' | '：' | '，'))
        && !s.starts_with("附件")
        && !s.starts_with("抄送")
        && standalone_date(s).is_none()
        && doc_number_in(s).is_none_or(|d| d.chars().count() + 4 < n)
        && crate::marker::parse_marker(s).is_none()
}

/// A 通知 that transmits a plan (关于印发《…》的通知); returns the plan's title.
pub(crate) fn transmitted_title(s: &str) -> Option<String> {
    let verbs = ["印发", "转发", "下发", "颁发", "发布", "公布"];
    let verb_at = verbs
        .iter()
        .filter_map(|v| s.find(v).map(|i| (i, v.len())))
        .min()?;
    if !s.trim_end().ends_with("通知") || s.chars().count() > 160 {
        return None;
    }
    let after = &s[verb_at.0 + verb_at.1..];
    if let (Some(open), Some(close)) = (after.find('《'), after.rfind('》'))
        && open < close
    {
        let t = after[open + '《'.len_utf8()..close].trim();
        return (!t.is_empty()).then(|| t.to_owned());
    }
    let t = after
        .trim_end()
        .trim_end_matches("通知")
        .trim_end_matches('的')
        .trim();
    (t.chars().count() >= 4).then(|| t.to_owned())
}

/// The issuer in a notice title: the words before 关于.
pub(crate) fn issuer_of_notice(s: &str) -> Option<String> {
    let i = s.find("关于")?;
    let issuer = s[..i].trim();
    (issuer.chars().count() >= 2).then(|| issuer.to_owned())
}

const ORG_SUFFIXES: &[&str] = &[
    "办公室",
    "政府",
    "委员会",
    "小组",
    "局",
    "委",
    "办",
    "厅",
    "部",
    "院",
    "中心",
    "公司",
    "集团",
    "会",
    "处",
    "室",
    "站",
    "队",
    "街道",
    "镇",
    "乡",
    "区",
];

/// A signature line above a 成文日期: an organisation's name, nothing else.
pub(crate) fn signature_like(s: &str) -> bool {
    let n = s.chars().count();
    (3..=60).contains(&n)
        && s.chars().any(is_han)
        && !s
            .chars()
            .any(|c| matches!(c, '。' | '，' | '：' | '；' | ',' | ':' | ';'))
        && ORG_SUFFIXES.iter().any(|w| s.trim_end().ends_with(w))
        && crate::marker::parse_marker(s).is_none()
}

/// The plan year: the first `YYYY年` in the title.
pub(crate) fn year_in(s: &str) -> Option<i32> {
    let chars: Vec<char> = s.chars().collect();
    for i in 0..chars.len() {
        if i > 0 && chars.get(i - 1).and_then(|c| digit(*c)).is_some() {
            continue;
        }
        let digits: Vec<u32> = chars
            .iter()
            .skip(i)
            .take_while(|c| digit(**c).is_some())
            .filter_map(|c| digit(*c))
            .collect();
        if digits.len() == 4 && chars.get(i + 4) == Some(&'年') {
            let y = digits.iter().fold(0i32, |a, d| a * 10 + *d as i32);
            if (1949..=2200).contains(&y) {
                return Some(y);
            }
        }
    }
    None
}

/// The year in a document number's bracket: 〔2017〕.
pub(crate) fn year_of_doc_number(s: &str) -> Option<i32> {
    let digits: String = s
        .chars()
        .filter_map(|c| digit(c).and_then(|d| char::from_digit(d, 10)))
        .take(4)
        .collect();
    digits.parse().ok().filter(|y| (1949..=2200).contains(y))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chrome_lines() {
        for s in [
            "首页",
            ">> 象山县 >> 部门政策 >> 县经信局",
            "发布日期:2017-04-14信息来源: 县经信局 浏览次数:字号:[ ]",
            "打印本页】 【关闭窗口",
            "政策解读:",
            "- 3 -",
            "通知.tif",
            "Produced By 大汉网络 大汉版通发布系统",
        ] {
            assert!(is_chrome(s), "{s}");
        }
        for s in [
            "一、总体要求",
            "做好政策解读工作，确保企业知晓各项扶持政策和申报流程",
            "附件:2017年重点突破工作推进方案.doc",
        ] {
            assert!(!is_chrome(s), "{s}");
        }
    }

    #[test]
    fn doc_numbers() {
        assert_eq!(
            doc_number_in("象工强办〔2017〕3号"),
            Some("象工强办〔2017〕3号".into())
        );
        assert_eq!(
            doc_number_in("甬政办发[2018]25号  签发人：张三"),
            Some("甬政办发[2018]25号".into())
        );
        assert_eq!(
            doc_number_in("浙经信（2019）112号"),
            Some("浙经信（2019）112号".into())
        );
        assert_eq!(doc_number_in("〔2017〕3号"), None);
    }

    #[test]
    fn notices() {
        let t = "象山县工业强县建设领导小组办公室关于印发《象山县推进“中国制造2025”试点示范暨工业强县2017年工作推进方案》的通知";
        assert_eq!(
            transmitted_title(t).as_deref(),
            Some("象山县推进“中国制造2025”试点示范暨工业强县2017年工作推进方案")
        );
        assert_eq!(
            issuer_of_notice(t).as_deref(),
            Some("象山县工业强县建设领导小组办公室")
        );
        assert_eq!(
            transmitted_title("关于印发2018年工业经济工作要点的通知").as_deref(),
            Some("2018年工业经济工作要点")
        );
        assert_eq!(year_in(t), Some(2017));
    }

    #[test]
    fn labelled_fields() {
        let mut l = Labels::default();
        assert!(read_labels(
            "发文机关：宁海县人民政府办公室\t成文日期：2018年03月02日",
            &mut l
        ));
        assert!(read_labels("发文字号: 宁政办发〔2018〕21号", &mut l));
        assert_eq!(l.issuer.as_deref(), Some("宁海县人民政府办公室"));
        assert_eq!(l.date.as_deref(), Some("2018-03-02"));
        assert_eq!(l.doc_number.as_deref(), Some("宁政办发〔2018〕21号"));
        let mut l = Labels::default();
        assert!(read_labels(
            "索引号：\t001\t发文机关：\t奉化区经信局",
            &mut l
        ));
        assert_eq!(l.issuer.as_deref(), Some("奉化区经信局"));
    }
}
