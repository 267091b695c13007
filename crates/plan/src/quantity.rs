//! Quantitative phrases: a number (Arabic, full-width or Chinese: 8, ８, 两, 三十, 五千亿,
//! 百分之八), optionally a range (8—10个, 8%-10%), a unit from the plan's vocabulary, and the
//! wording that says which way the target points (不低于/以上/达到/增长 → `>=`,
//! 以内/不超过/控制在 → `<=`, 左右 → `=`). A fall (能耗下降3%) is a target on the size of the
//! fall, named …降幅: at least that much (`>=`).
//!
//! Numbers that only qualify a noun are not targets: `500万元以上规下企业80家` is a target of
//! 80 家; `10亿元以上项目10个` one of 10 个; `30个亿元以上项目…开工率达到90%` one of 90%.

use crate::model::{Change, Comparator};
use crate::text::{
    cn_digit, cn_numeral_value, digit, fold, is_close_paren, is_han, is_open_paren, is_quote,
};

/// Units as written in plans, longest first. `count` marks units that count the noun that
/// follows them (家, 个…), which a trailing 以上 does not turn into a qualifier.
const UNITS: &[(&str, &str, bool)] = &[
    ("个百分点", "个百分点", false),
    ("百分点", "个百分点", false),
    ("吨标准煤/万元", "吨标准煤/万元", false),
    // 亩均 and per-head figures: 亩均税收30万元/亩, 全员劳动生产率25万元/人.
    ("万元/亩", "万元/亩", false),
    ("万元/人", "万元/人", false),
    ("元/亩", "元/亩", false),
    ("吨标煤/万元", "吨标准煤/万元", false),
    ("万吨标准煤", "万吨标准煤", false),
    ("万吨标煤", "万吨标准煤", false),
    ("吨标准煤", "吨标准煤", false),
    ("吨标煤", "吨标准煤", false),
    ("万平方米", "万平方米", false),
    ("平方公里", "平方公里", false),
    ("平方米", "平方米", false),
    ("亿千瓦时", "亿千瓦时", false),
    ("万千瓦时", "万千瓦时", false),
    ("千瓦时", "千瓦时", false),
    ("个工作日", "个工作日", false),
    ("工作日", "个工作日", false),
    ("亿美元", "亿美元", false),
    ("万美元", "万美元", false),
    ("万千瓦", "万千瓦", false),
    ("万人次", "万人次", true),
    ("亿元", "亿元", false),
    ("万元", "万元", false),
    ("万亩", "万亩", false),
    ("万吨", "万吨", false),
    ("万户", "万户", true),
    ("万人", "万人", true),
    ("万台", "万台", true),
    ("万辆", "万辆", true),
    ("万件", "万件", true),
    ("万个", "万个", true),
    ("个月", "个月", false),
    ("人次", "人次", true),
    ("台套", "台套", true),
    ("美元", "美元", false),
    ("千瓦", "千瓦", false),
    ("兆瓦", "兆瓦", false),
    ("公里", "公里", false),
    ("千米", "千米", false),
    ("小时", "小时", false),
    ("亿", "亿元", false),
    ("%", "%", false),
    ("％", "%", false),
    ("‰", "‰", false),
    ("元", "元", false),
    ("亩", "亩", false),
    ("吨", "吨", false),
    ("家", "家", true),
    ("个", "个", true),
    ("件", "件", true),
    ("人", "人", true),
    ("名", "名", true),
    ("项", "项", true),
    ("台", "台", true),
    ("套", "套", true),
    ("所", "所", true),
    ("座", "座", true),
    ("条", "条", true),
    ("户", "户", true),
    ("辆", "辆", true),
    ("艘", "艘", true),
    ("款", "款", true),
    ("处", "处", true),
    ("倍", "倍", false),
    ("天", "天", false),
];

#[derive(Debug, Clone, Copy, PartialEq)]
enum Suffix {
    AtLeast,
    AtMost,
    About,
}

/// One number-with-unit found in a text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Quantity {
    /// char range of number..unit..suffix
    pub start: usize,
    pub end: usize,
    pub value: f64,
    pub max: Option<f64>,
    pub unit: &'static str,
    count: bool,
    suffix: Option<Suffix>,
    /// 以上/以下 followed by a noun: `500万元以上规下企业`.
    qualifies_noun: bool,
}

/// A target phrase: the quantity plus the words around it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Phrase {
    pub start: usize,
    pub end: usize,
    pub text: String,
    pub name: String,
    pub value: f64,
    pub max: Option<f64>,
    pub unit: &'static str,
    pub comparator: Comparator,
    pub change: Option<Change>,
}

fn unit_table() -> &'static [(Vec<char>, &'static str, bool)] {
    static TABLE: std::sync::OnceLock<Vec<(Vec<char>, &'static str, bool)>> =
        std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        UNITS
            .iter()
            .map(|(w, u, c)| (w.chars().collect(), *u, *c))
            .collect()
    })
}

fn unit_at(chars: &[char], i: usize) -> Option<(&'static str, bool, usize)> {
    let rest = chars.get(i..)?;
    let first = *rest.first()?;
    if first.is_ascii_alphanumeric() || (first.is_ascii() && !matches!(first, '%')) {
        return None;
    }
    if !unit_table()
        .iter()
        .any(|(w, _, _)| w.first() == Some(&first))
    {
        return None;
    }
    unit_table()
        .iter()
        .find(|(w, _, _)| rest.starts_with(w))
        .map(|(w, u, c)| (*u, *c, w.len()))
}

fn is_range_sep(c: char) -> bool {
    matches!(c, '-' | '－' | '—' | '–' | '~' | '～' | '〜' | '至' | '到')
}

/// Read an Arabic number at `i`: digits with an optional decimal part.
fn arabic_at(chars: &[char], i: usize) -> Option<(f64, usize)> {
    let mut j = i;
    let mut s = String::new();
    while let Some(d) = chars.get(j).and_then(|c| digit(*c)) {
        s.push(char::from_digit(d, 10)?);
        j += 1;
    }
    if j == i {
        return None;
    }
    if chars.get(j).is_some_and(|c| matches!(fold(*c), '.'))
        && chars.get(j + 1).and_then(|c| digit(*c)).is_some()
    {
        s.push('.');
        j += 1;
        while let Some(d) = chars.get(j).and_then(|c| digit(*c)) {
            s.push(char::from_digit(d, 10)?);
            j += 1;
        }
    }
    s.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .map(|v| (v, j))
}

/// Read a Chinese numeral at `i` and the unit after it. A trailing 万/亿 belongs to the unit
/// when that makes a unit (`三十万元` → 30 万元, `五千亿` → 5000 亿元).
fn chinese_at(chars: &[char], i: usize) -> Option<(f64, usize, &'static str, bool, usize)> {
    let mut run_end = i;
    while chars
        .get(run_end)
        .is_some_and(|c| cn_digit(*c).is_some() || matches!(c, '十' | '百' | '千' | '万' | '亿'))
    {
        run_end += 1;
    }
    if run_end == i {
        return None;
    }
    for k in i + 1..=run_end {
        let tail_is_multiplier = chars[k..run_end].iter().all(|c| matches!(c, '万' | '亿'));
        if !tail_is_multiplier {
            continue;
        }
        if let Some((unit, count, n)) = unit_at(chars, k) {
            if k + n < run_end {
                continue;
            }
            let value = cn_numeral_value(&chars[i..k])?;
            return Some((value as f64, k, unit, count, k + n));
        }
    }
    None
}

fn number_start_ok(chars: &[char], i: usize) -> bool {
    let prev = if i == 0 {
        None
    } else {
        chars.get(i - 1).copied()
    };
    match prev {
        Some(p) if digit(p).is_some() || fold(p) == '.' || fold(p).is_ascii_alphabetic() => false,
        Some('第' | '每' | '前' | '近' | '初' | '星') => false,
        _ => true,
    }
}

/// Every number-with-unit in `chars`.
pub(crate) fn scan(chars: &[char]) -> Vec<Quantity> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let found = if digit(c).is_some() && number_start_ok(chars, i) {
            read_arabic(chars, i)
        } else if (cn_digit(c).is_some() || c == '十') && number_start_ok(chars, i) {
            read_chinese(chars, i)
        } else if c == '百' && chars.get(i + 1) == Some(&'分') && chars.get(i + 2) == Some(&'之')
        {
            read_percent_words(chars, i)
        } else {
            None
        };
        match found {
            Some(q) => {
                i = q.end.max(i + 1);
                out.push(q);
            }
            None => i += 1,
        }
    }
    out
}

fn read_arabic(chars: &[char], i: usize) -> Option<Quantity> {
    let (value, num_end) = arabic_at(chars, i)?;
    let mut j = num_end;
    let mut max = None;
    // Ranges: 8-10个 (separator right after the number) or 8%-10% (after the unit).
    let first_unit = unit_at(chars, num_end);
    for unit_first in [false, true] {
        let sep_at = match (unit_first, first_unit) {
            (false, _) => num_end,
            (true, Some((_, _, n))) => num_end + n,
            (true, None) => break,
        };
        let mut k = sep_at;
        while chars.get(k).is_some_and(|c| is_range_sep(*c)) && k - sep_at < 2 {
            k += 1;
        }
        if k == sep_at {
            continue;
        }
        if let Some((hi, e)) = arabic_at(chars, k) {
            let same_unit =
                !unit_first || unit_at(chars, e).map(|u| u.0) == first_unit.map(|u| u.0);
            if hi >= value && same_unit {
                max = Some(hi);
                j = e;
                break;
            }
        }
    }
    let approx = matches!(chars.get(j), Some('多' | '余'));
    if approx {
        j += 1;
    }
    let (unit, count, n) = unit_at(chars, j)?;
    if i > 0
        && chars.get(i - 1).is_some_and(|c| is_quote(*c))
        && chars.get(j).is_some_and(|c| is_quote(*c))
    {
        return None;
    }
    finish(chars, i, j + n, value, max, unit, count, approx)
}

fn read_chinese(chars: &[char], i: usize) -> Option<Quantity> {
    if i > 0
        && chars
            .get(i - 1)
            .is_some_and(|c| is_quote(*c) || is_han_numeral(*c))
    {
        return None;
    }
    let (value, _, unit, count, end) = chinese_at(chars, i)?;
    // 一个、一家 are mostly the article "a"; 一批 is no number at all.
    if value <= 1.0 {
        return None;
    }
    if chars.get(end).is_some_and(|c| is_quote(*c)) {
        return None;
    }
    finish(chars, i, end, value, None, unit, count, false)
}

fn read_percent_words(chars: &[char], i: usize) -> Option<Quantity> {
    let from = i + 3;
    let mut j = from;
    while chars
        .get(j)
        .is_some_and(|c| cn_digit(*c).is_some() || matches!(c, '十' | '百'))
    {
        j += 1;
    }
    let value = cn_numeral_value(chars.get(from..j)?)?;
    finish(chars, i, j, value as f64, None, "%", false, false)
}

fn is_han_numeral(c: char) -> bool {
    cn_digit(c).is_some() || matches!(c, '十' | '百' | '千' | '万' | '亿')
}

#[allow(clippy::too_many_arguments)]
fn finish(
    chars: &[char],
    start: usize,
    mut end: usize,
    value: f64,
    max: Option<f64>,
    unit: &'static str,
    count: bool,
    approx: bool,
) -> Option<Quantity> {
    let words: [(&str, Suffix); 8] = [
        ("及以上", Suffix::AtLeast),
        ("以上", Suffix::AtLeast),
        ("及以下", Suffix::AtMost),
        ("以下", Suffix::AtMost),
        ("以内", Suffix::AtMost),
        ("之内", Suffix::AtMost),
        ("左右", Suffix::About),
        ("上下", Suffix::About),
    ];
    let mut suffix = approx.then_some(Suffix::AtLeast);
    for (w, s) in words {
        let n = w.chars().count();
        if w.chars()
            .enumerate()
            .all(|(k, c)| chars.get(end + k) == Some(&c))
        {
            suffix = Some(s);
            end += n;
            break;
        }
    }
    let next_is_noun = chars.get(end).is_some_and(|c| is_han(*c));
    let qualifies_noun = matches!(suffix, Some(Suffix::AtLeast | Suffix::AtMost))
        && next_is_noun
        && (!count || unit == "%");
    Some(Quantity {
        start,
        end,
        value,
        max,
        unit,
        count,
        suffix,
        qualifies_noun,
    })
}

/// Group quantities into phrases: clauses end at ，；。 etc.; within a clause 、 and a 和/及
/// before a number separate list entries; entries without a number join the next entry
/// (`博士后工作站、专家工作站…等10家`). In each entry the last quantity is the target and
/// the ones before it qualify it.
pub(crate) fn phrases(chars: &[char]) -> Vec<Phrase> {
    let quantities = scan(chars);
    if quantities.is_empty() {
        return Vec::new();
    }
    let mut out: Vec<Phrase> = Vec::new();
    for (entry_start, entry_end) in entries(chars, &quantities) {
        let inside: Vec<&Quantity> = quantities
            .iter()
            .filter(|q| q.start >= entry_start && q.end <= entry_end)
            .collect();
        let Some(target) = inside.iter().rev().find(|q| !q.qualifies_noun) else {
            continue;
        };
        if is_policy_amount(chars, entry_start, target.start) {
            continue;
        }
        // "规上工业总产值突破500亿元，同比增长8%": the growth rate is of the same subject.
        let subject = out.last().map(Subject::of);
        out.push(phrase(
            chars,
            entry_start,
            entry_end,
            target,
            subject.as_ref(),
        ));
    }
    out
}

/// What a policy pays is not a target: "给予一次性奖励50万元", "按投资额的10%给予补助".
fn is_policy_amount(chars: &[char], entry_start: usize, number: usize) -> bool {
    const PAYMENTS: &[&str] = &["奖励", "补助", "补贴", "资助", "奖补"];
    let from = entry_start.max(number.saturating_sub(8));
    let before: String = chars[from..number].iter().collect();
    // "…的10%给予补助": the payment word follows closely, in the same clause.
    let after: String = chars[number..chars.len().min(number + 10)]
        .iter()
        .take_while(|c| !matches!(c, '，' | '。' | '；' | ',' | ';'))
        .collect();
    before.contains("给予")
        || PAYMENTS
            .iter()
            .any(|w| before.contains(w) || after.contains(w))
}

/// What the phrase before names, for a clause that does not say what it measures.
struct Subject {
    /// Its name as given (规上工业增加值增速).
    name: String,
    /// The thing measured, without the change (规上工业增加值).
    base: String,
    unit: &'static str,
}

impl Subject {
    fn of(p: &Phrase) -> Subject {
        let base = match p.change {
            Some(Change::Increase) => p.name.strip_suffix("增速"),
            Some(Change::Decrease) => p.name.strip_suffix("降幅"),
            None => None,
        };
        Subject {
            name: p.name.clone(),
            base: base.unwrap_or(&p.name).to_owned(),
            unit: p.unit,
        }
    }
}

fn entries(chars: &[char], quantities: &[Quantity]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut piece_start = 0usize;
    let mut pending_start: Option<usize> = None;
    let has_quantity = |a: usize, b: usize| quantities.iter().any(|q| q.start >= a && q.end <= b);
    let close = |a: usize,
                 b: usize,
                 clause_end: bool,
                 pending: &mut Option<usize>,
                 out: &mut Vec<(usize, usize)>| {
        if has_quantity(a, b) {
            out.push((pending.take().unwrap_or(a), b));
        } else if !clause_end {
            pending.get_or_insert(a);
        }
        if clause_end {
            *pending = None;
        }
    };
    let mut in_quantity = vec![false; chars.len()];
    for q in quantities {
        for flag in in_quantity.iter_mut().take(q.end).skip(q.start) {
            *flag = true;
        }
    }
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if is_open_paren(c) {
            depth += 1;
        } else if is_close_paren(c) {
            depth = depth.saturating_sub(1);
        }
        let inside_quantity = in_quantity[i];
        if depth == 0 && !inside_quantity {
            let clause = matches!(fold(c), ',' | ';' | ':' | '!' | '?' | '\n' | '\t')
                || matches!(c, '。' | '，' | '；' | '：' | '！' | '？')
                || (fold(c) == '.' && chars.get(i + 1).is_none_or(|n| digit(*n).is_none()));
            let next_is_number = chars
                .get(i + 1)
                .is_some_and(|n| digit(*n).is_some() || cn_digit(*n).is_some());
            let list = c == '、' || (matches!(c, '和' | '及' | '与') && next_is_number);
            if clause || list {
                close(piece_start, i, clause, &mut pending_start, &mut out);
                piece_start = i + 1;
            }
        }
        i += 1;
    }
    close(piece_start, chars.len(), true, &mut pending_start, &mut out);
    out
}

const AT_MOST_WORDS: &[&str] = &[
    "不超过",
    "不高于",
    "不大于",
    "控制在",
    "低于",
    "少于",
    "压减",
    "压缩",
    "降至",
    "降到",
    "下降",
    "降低",
    "减少",
];
const AT_LEAST_WORDS: &[&str] = &[
    "不低于",
    "不少于",
    "不小于",
    "超过",
    "高于",
    "大于",
    "达到",
    "达",
    "突破",
    "增长",
    "增加",
    "提高",
    "提升",
    "新增",
];

fn phrase(
    chars: &[char],
    entry_start: usize,
    entry_end: usize,
    q: &Quantity,
    subject: Option<&Subject>,
) -> Phrase {
    let mut a = entry_start;
    let mut b = entry_end;
    while a < b
        && (crate::text::is_space(chars[a]) || matches!(chars[a], '、' | '和' | '及' | '与' | '并'))
    {
        a += 1;
    }
    // A bracket after the number is a note, e.g. (责任单位：…), not part of the phrase.
    loop {
        while b > a
            && (crate::text::is_space(chars[b - 1]) || matches!(chars[b - 1], '。' | '；' | ';'))
        {
            b -= 1;
        }
        if b <= q.end || !is_close_paren(chars[b - 1]) {
            break;
        }
        let mut depth = 0usize;
        let mut open = None;
        for k in (q.end..b - 1).rev() {
            if is_close_paren(chars[k]) {
                depth += 1;
            } else if is_open_paren(chars[k]) {
                if depth == 0 {
                    open = Some(k);
                    break;
                }
                depth -= 1;
            }
        }
        match open {
            Some(o) => b = o,
            None => break,
        }
    }
    let text: String = chars[a..b].iter().collect();
    let prefix: String = chars[a..q.start].iter().collect();
    let after: String = chars[q.end..b].iter().collect();

    let change = change_of(&prefix, q.unit);
    let comparator = match (q.suffix, change) {
        (Some(Suffix::About), _) => Comparator::About,
        (Some(Suffix::AtLeast), _) => Comparator::AtLeast,
        (Some(Suffix::AtMost), _) => Comparator::AtMost,
        // 下降3% asks for a fall of at least 3%: its 降幅 is reported as a positive figure.
        (None, Some(Change::Decrease)) => Comparator::AtLeast,
        (None, _) => last_keyword(&prefix),
    };
    let name = short_name(&prefix, &after, change, q.unit)
        .or_else(|| match (subject, change) {
            (Some(s), Some(Change::Increase)) => Some(format!("{}增速", s.base)),
            (Some(s), Some(Change::Decrease)) => Some(format!("{}降幅", s.base)),
            // A clause without a name of its own: "增速不低于8%，力争达到9%" names the same
            // figure again; "能耗下降3%，控制在0.45吨标准煤/万元以内" the level of its subject.
            (Some(s), None) if s.unit == q.unit => Some(s.name.clone()),
            (Some(s), None) => Some(s.base.clone()),
            _ => None,
        })
        .unwrap_or_else(|| text.clone());
    Phrase {
        start: a,
        end: b,
        text,
        name,
        value: q.value,
        max: q.max,
        unit: q.unit,
        comparator,
        change,
    }
}

/// The comparator said by the last keyword before the number (the longest one when two end
/// together: 不低于 is not 低于); a plain count is a minimum.
fn last_keyword(prefix: &str) -> Comparator {
    // The deciding word stands close to the number.
    let skip = prefix.chars().count().saturating_sub(16);
    let prefix: String = prefix.chars().skip(skip).collect();
    let mut best: Option<(usize, usize, Comparator)> = None;
    for (words, comparator) in [
        (AT_MOST_WORDS, Comparator::AtMost),
        (AT_LEAST_WORDS, Comparator::AtLeast),
    ] {
        let present = words
            .iter()
            .filter(|w| w.chars().next().is_some_and(|c| prefix.contains(c)));
        for w in present {
            if let Some(pos) = prefix.rfind(w) {
                let candidate = (pos + w.len(), w.len(), comparator);
                if best.is_none_or(|b| (candidate.0, candidate.1) > (b.0, b.1)) {
                    best = Some(candidate);
                }
            }
        }
    }
    best.map_or(Comparator::AtLeast, |b| b.2)
}

/// 增长8% is a growth rate; 提高到8% is a level.
fn change_of(prefix: &str, unit: &str) -> Option<Change> {
    if !matches!(unit, "%" | "个百分点" | "‰" | "倍") {
        return None;
    }
    let mut tail = prefix
        .trim_end_matches(|c: char| crate::text::is_space(c))
        .trim_end_matches("左右")
        .trim_end_matches(['为', '达'])
        .trim_end_matches("达到")
        .trim_end_matches("分别");
    // "增速不低于8%", "增长保持在8%": the rate is named before the comparator.
    for w in [
        "不低于",
        "不少于",
        "保持在",
        "稳定在",
        "力争",
        "超过",
        "高于",
    ] {
        if let Some(rest) = tail.strip_suffix(w) {
            tail = rest;
            break;
        }
    }
    if ["增长", "增速", "增幅", "提高", "提升", "增加"]
        .iter()
        .any(|w| tail.ends_with(w))
    {
        return Some(Change::Increase);
    }
    if ["下降", "降低", "减少", "降幅", "压降"]
        .iter()
        .any(|w| tail.ends_with(w))
    {
        return Some(Change::Decrease);
    }
    None
}

const LEADING_FILLERS: &[&str] = &[
    "其中", "实现", "力争", "确保", "争取", "完成", "全年", "今年", "年内", "当年", "全县", "全市",
    "全区", "全省", "累计", "并", "共",
];
const TRAILING_WORDS: &[&str] = &[
    "同比增长",
    "同比下降",
    "年均增长",
    "增长",
    "增速",
    "增幅",
    "下降",
    "降低",
    "降幅",
    "同比",
    "年均",
    "分别",
    "达到",
    "达",
    "不低于",
    "不少于",
    "不超过",
    "超过",
    "控制在",
    "提高到",
    "提高至",
    "提升到",
    "提升至",
    "提高",
    "提升",
    "突破",
    "为",
    "在",
    // "规上工业总产值力争突破1200亿元": the resolve word stands between the name and the verb.
    "力争",
    "确保",
    "争取",
];

/// Comparators that may stand inside a name, before the base of a share: "工业用地供应不低于
/// 总供应量的30%".
const SHARE_COMPARATORS: &[&str] = &[
    "不低于",
    "不少于",
    "不超过",
    "超过",
    "达到",
    "控制在",
    "提高到",
    "提升到",
];

fn short_name(prefix: &str, after: &str, change: Option<Change>, unit: &str) -> Option<String> {
    // Slices, not copies: this runs once per quantity and plans have tens of thousands.
    let mut s: &str = prefix.trim();
    loop {
        let before = s.len();
        for w in LEADING_FILLERS {
            if let Some(rest) = s.strip_prefix(w)
                && !rest.is_empty()
            {
                s = rest;
            }
        }
        let last = s.chars().next_back();
        for w in TRAILING_WORDS {
            if w.chars().next_back() != last {
                continue;
            }
            if let Some(rest) = s.strip_suffix(w) {
                s = rest;
                break;
            }
        }
        if s.len() == before {
            break;
        }
    }
    // "工业用地供应不低于总供应量的30%": a share of a base, named 工业用地供应占总供应量比重.
    let share = s.strip_suffix('的').and_then(|stem| {
        SHARE_COMPARATORS.iter().find_map(|w| {
            let (subject, base) = stem.split_once(w)?;
            (!subject.is_empty() && !base.is_empty()).then(|| format!("{subject}占{base}比重"))
        })
    });
    let mut s = share.unwrap_or_else(|| s.to_owned());
    let after = after.trim_start_matches(|c: char| c == '的' || crate::text::is_space(c));
    s.push_str(after);
    let s = s
        .trim_matches(|c: char| crate::text::is_space(c) || matches!(c, '，' | '、' | ','))
        .to_owned();
    if s.is_empty() {
        return None;
    }
    Some(match change {
        // "研发经费支出占比提升0.3个百分点": a share raised by points, not a growth rate.
        Some(Change::Increase) if unit == "个百分点" => {
            if s.ends_with("提高") {
                s
            } else {
                format!("{s}提高")
            }
        }
        Some(Change::Increase) if !s.ends_with("增速") && !s.ends_with("增幅") => {
            format!("{s}增速")
        }
        Some(Change::Decrease) if !s.ends_with("降幅") => format!("{s}降幅"),
        _ => s,
    })
}

/// A clause that reads like a target but whose number was not understood, e.g. `增长两位数`
/// or a number with a unit we do not know. Returns char offsets of such clauses.
pub(crate) fn unreadable(chars: &[char], phrases: &[Phrase]) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 0..=chars.len() {
        let end_here = i == chars.len()
            || matches!(
                chars[i],
                '。' | '，' | '；' | ',' | ';' | '\n' | '：' | '、'
            );
        if !end_here {
            continue;
        }
        let clause: String = chars[start..i].iter().collect();
        let covered = phrases.iter().any(|p| p.start < i && p.end > start);
        let keyword = [
            "增长",
            "达到",
            "不低于",
            "不少于",
            "控制在",
            "超过",
            "突破",
            "新增",
            "下降",
        ]
        .iter()
        .any(|w| clause.contains(w));
        let has_number = chars[start..i].iter().enumerate().any(|(k, c)| {
            let next = chars.get(start + k + 1).copied();
            (digit(*c).is_some()
                && !matches!(next, Some('年' | '月' | '日'))
                && next.is_some_and(|n| digit(n).is_none()))
                || (matches!(c, '两' | '几') && next.is_some_and(|n| matches!(n, '位' | '成')))
        });
        if !covered && keyword && has_number {
            out.push((start, clause.trim().to_owned()));
        }
        start = i + 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Vec<(String, f64, Option<f64>, &'static str, &'static str)> {
        phrases(&s.chars().collect::<Vec<_>>())
            .into_iter()
            .map(|p| (p.text, p.value, p.max, p.unit, p.comparator.as_str()))
            .collect()
    }

    #[test]
    fn goals_of_the_seed() {
        let got = p(
            "实现全县规上工业产值同比增长8%;规上工业增加值同比增长8%;新增500万元以上规下企业80家,亿元企业5家;完成市定年度节能目标。",
        );
        assert_eq!(
            got,
            vec![
                (
                    "实现全县规上工业产值同比增长8%".into(),
                    8.0,
                    None,
                    "%",
                    ">="
                ),
                ("规上工业增加值同比增长8%".into(), 8.0, None, "%", ">="),
                ("新增500万元以上规下企业80家".into(), 80.0, None, "家", ">="),
                ("亿元企业5家".into(), 5.0, None, "家", ">="),
            ]
        );
        let got = p("建成县级2.5万平方米科技企业孵化器和3万平方米加速器");
        assert_eq!(got[0].0, "建成县级2.5万平方米科技企业孵化器");
        assert_eq!((got[1].1, got[1].3), (3.0, "万平方米"));
        let got = p("其中总投资亿元以上项目30个、10亿元以上项目10个,吸引浙商回归资金30亿元");
        assert_eq!(
            got.iter().map(|g| (g.1, g.3)).collect::<Vec<_>>(),
            vec![(30.0, "个"), (10.0, "个"), (30.0, "亿元")]
        );
        let got = p("确保30个亿元以上项目年内开工率达到90%以上");
        assert_eq!(
            got,
            vec![(
                "确保30个亿元以上项目年内开工率达到90%以上".into(),
                90.0,
                None,
                "%",
                ">="
            )]
        );
        let got = p("力争柔性引进省“151”专家15人、海外工程师10人");
        assert_eq!(
            got.iter().map(|g| g.1).collect::<Vec<_>>(),
            vec![15.0, 10.0]
        );
        let got = p("建成博士后工作站(点)、专家工作站、教授(专家)工作坊等10家");
        assert_eq!(
            got[0].0,
            "建成博士后工作站(点)、专家工作站、教授(专家)工作坊等10家"
        );
    }

    #[test]
    fn numerals_ranges_and_directions() {
        assert_eq!(p("力争全年实施智能制造项目3-5个")[0].2, Some(5.0));
        assert_eq!(p("新增8—10个")[0].1, 8.0);
        assert_eq!(p("增长8%-10%")[0].2, Some(10.0));
        assert_eq!(p("培育两家企业")[0].1, 2.0);
        assert_eq!(p("新增三十个")[0].1, 30.0);
        assert_eq!(
            (p("实现产值五千亿元")[0].1, p("实现产值五千亿元")[0].3),
            (5000.0, "亿元")
        );
        // A fall of at least 3%, not a ceiling on the fall.
        assert_eq!(p("单位能耗下降3%")[0].4, ">=");
        assert_eq!(p("单位能耗下降3%以内")[0].4, "<=");
        assert_eq!(p("审批时间不超过1个月")[0].4, "<=");
        assert_eq!(p("比重不低于50%")[0].4, ">=");
        assert_eq!(p("能耗控制在30万吨标准煤以内")[0].4, "<=");
        assert_eq!(p("亿元企业达到100家左右")[0].4, "=");
        assert_eq!(p("研发投入占比百分之三")[0].1, 3.0);
        assert!(p("开展“三名”企业培育，一镇一策，第3名").is_empty());
        // What a policy pays is not a target; what it funds still is.
        assert!(p("对新认定的企业，给予一次性奖励50万元").is_empty());
        assert!(p("按设备投资额的10%给予补助").is_empty());
        assert_eq!(p("安排专项资金1.2亿元")[0].1, 1.2);
        assert_eq!(p("新增规上企业30家，给予奖励")[0].1, 30.0);
        assert_eq!(p("培育企业10家并给予扶持")[0].1, 10.0);
    }

    #[test]
    fn names() {
        let got = phrases(&"规上工业产值同比增长8%".chars().collect::<Vec<_>>());
        assert_eq!(got[0].name, "规上工业产值增速");
        assert_eq!(got[0].change, Some(Change::Increase));
        let got = phrases(
            &"实际利用外资(工业)达到0.75亿美元"
                .chars()
                .collect::<Vec<_>>(),
        );
        assert_eq!(got[0].name, "实际利用外资(工业)");
        let got = phrases(
            &"规上工业总产值突破500亿元，同比增长8%"
                .chars()
                .collect::<Vec<_>>(),
        );
        assert_eq!(got[1].name, "规上工业总产值增速");
        let got = phrases(
            &"实施技改项目100项（牵头单位：区经信局）"
                .chars()
                .collect::<Vec<_>>(),
        );
        assert_eq!(
            (got[0].text.as_str(), got[0].name.as_str()),
            ("实施技改项目100项", "实施技改项目")
        );
    }

    #[test]
    fn clauses_that_do_not_name_what_they_measure() {
        let named = |s: &str| {
            phrases(&s.chars().collect::<Vec<_>>())
                .into_iter()
                .map(|p| (p.name, p.value, p.unit, p.comparator.as_str()))
                .collect::<Vec<_>>()
        };
        // The rate is named before its comparator, and the stretch figure is of the same rate.
        assert_eq!(
            named("规上工业增加值增速不低于8%，力争达到9%"),
            [
                ("规上工业增加值增速".to_owned(), 8.0, "%", ">="),
                ("规上工业增加值增速".to_owned(), 9.0, "%", ">=")
            ]
        );
        // A fall, then the level of the same subject in another unit.
        assert_eq!(
            named("单位工业增加值能耗下降3%，控制在0.45吨标煤/万元以内"),
            [
                ("单位工业增加值能耗降幅".to_owned(), 3.0, "%", ">="),
                ("单位工业增加值能耗".to_owned(), 0.45, "吨标准煤/万元", "<=")
            ]
        );
        // 力争 between the name and the verb is not part of the name, nor of the rate's after it.
        assert_eq!(
            named("全年规上工业总产值力争突破1200亿元，增长7.5%左右"),
            [
                ("规上工业总产值".to_owned(), 1200.0, "亿元", ">="),
                ("规上工业总产值增速".to_owned(), 7.5, "%", "=")
            ]
        );
        // A share of a base is named as one; a share raised by points is not a growth rate.
        assert_eq!(
            named("工业用地供应不低于总供应量的30%，研发经费支出占比提升0.3个百分点"),
            [
                ("工业用地供应占总供应量比重".to_owned(), 30.0, "%", ">="),
                ("研发经费支出占比提高".to_owned(), 0.3, "个百分点", ">=")
            ]
        );
        // A figure per 亩 or per head is one unit.
        assert_eq!(
            named("亩均税收达到30万元/亩，全员劳动生产率25万元/人"),
            [
                ("亩均税收".to_owned(), 30.0, "万元/亩", ">="),
                ("全员劳动生产率".to_owned(), 25.0, "万元/人", ">=")
            ]
        );
    }
}
