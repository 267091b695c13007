//! Responsible units (责任单位) named for an item: `（责任单位：A、B）`, `牵头单位：A；配合单位：B`,
//! `主办/协办`, `（A牵头，B、C配合）`, `A（牵头）`, in full- or half-width brackets, resolved
//! against the [`UnitDirectory`].

use crate::directory::UnitDirectory;
use crate::text::{fold, is_close_paren, is_open_paren, is_space};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Lead,
    Support,
    Plain,
}

/// Role keywords, longest first so that `主办单位` wins over `主办`.
const ROLES: &[(&str, Role)] = &[
    ("主要责任单位", Role::Lead),
    ("牵头责任单位", Role::Lead),
    ("配合责任单位", Role::Support),
    ("牵头单位", Role::Lead),
    ("牵头部门", Role::Lead),
    ("主办单位", Role::Lead),
    ("主责单位", Role::Lead),
    ("主责部门", Role::Lead),
    ("配合单位", Role::Support),
    ("配合部门", Role::Support),
    ("协办单位", Role::Support),
    ("参与单位", Role::Support),
    ("参与部门", Role::Support),
    ("协同单位", Role::Support),
    ("协助单位", Role::Support),
    ("责任单位", Role::Plain),
    ("责任部门", Role::Plain),
    ("责任主体", Role::Plain),
    ("实施单位", Role::Plain),
    ("负责单位", Role::Plain),
    ("主办", Role::Lead),
    ("协办", Role::Support),
    ("牵头", Role::Lead),
    ("配合", Role::Support),
];

/// The units of one item, in the order written.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Assignment {
    pub units: Vec<String>,
    pub lead: Vec<String>,
    pub support: Vec<String>,
    /// Names not in the directory, with their char offset in the item text.
    pub unknown: Vec<(String, usize)>,
}

impl Assignment {
    /// A unit both leads and supports in no task: named as lead anywhere, it leads.
    fn add(&mut self, name: String, role: Role) {
        match role {
            Role::Lead if !self.lead.contains(&name) => {
                self.support.retain(|s| *s != name);
                self.lead.push(name.clone());
            }
            Role::Support if !self.support.contains(&name) && !self.lead.contains(&name) => {
                self.support.push(name.clone())
            }
            _ => {}
        }
        if !self.units.contains(&name) {
            self.units.push(name);
        }
    }
}

/// Does the document say that the first unit listed leads (排在首位的为牵头单位)?
pub(crate) fn first_unit_leads(text: &str) -> bool {
    let mut rest = text;
    while let Some(i) = rest.find("牵头单位") {
        let before: String = rest[..i]
            .chars()
            .rev()
            .take(14)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        if ["首位", "第一", "首个", "第1", "排首", "居首", "排前"]
            .iter()
            .any(|w| before.contains(w))
        {
            return true;
        }
        rest = &rest[i + "牵头单位".len()..];
    }
    false
}

/// Does the note that the first unit leads apply to the whole document? Not when it ends an
/// item's own unit list ("[责任单位:A、B,列第一位的为牵头单位]"): that note is the item's.
pub(crate) fn first_unit_leads_everywhere(line: &str) -> bool {
    if !first_unit_leads(line) {
        return false;
    }
    let Some(note) = line.rfind("牵头单位") else {
        return false;
    };
    let before = &line[..note];
    let bracket = before.rfind(|c: char| is_open_paren(c)).map_or(0, |b| b);
    !before[bracket..].contains([':', '：'])
}

fn role_table() -> &'static [(Vec<char>, Role)] {
    static TABLE: std::sync::OnceLock<Vec<(Vec<char>, Role)>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        ROLES
            .iter()
            .map(|(w, r)| (w.chars().collect(), *r))
            .collect()
    })
}

fn role_at(chars: &[char], i: usize) -> Option<(Role, usize)> {
    // Every role word starts with one of these; most chars are rejected here.
    if !chars
        .get(i)
        .is_some_and(|c| matches!(c, '主' | '牵' | '配' | '协' | '参' | '责' | '实' | '负'))
    {
        return None;
    }
    let rest = chars.get(i..)?;
    role_table()
        .iter()
        .find(|(w, _)| rest.starts_with(w))
        .map(|(w, r)| (*r, w.len()))
}

fn is_colon(c: char) -> bool {
    matches!(fold(c), ':' | '：')
}

/// Extract the responsible units from an item's own text.
pub(crate) fn extract(chars: &[char], dir: &UnitDirectory, first_leads: bool) -> Assignment {
    let mut out = Assignment::default();
    // Role keyword followed by a colon: "责任单位：…".
    let mut lists: Vec<(Role, usize, usize)> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if let Some((role, n)) = role_at(chars, i) {
            let mut j = i + n;
            while chars.get(j).is_some_and(|c| is_space(*c)) {
                j += 1;
            }
            if chars.get(j).is_some_and(|c| is_colon(*c)) {
                let start = j + 1;
                let end = list_end(chars, start);
                lists.push((role, start, end));
                i = end.max(i + 1);
                continue;
            }
            i += n;
            continue;
        }
        i += 1;
    }
    if lists.is_empty() {
        if let Some((open, close)) = final_bracket(chars) {
            bracket_without_keywords(chars, open + 1, close, dir, Context::Bracket, &mut out);
        }
        if out.units.is_empty()
            && let Some(start) = final_sentence(chars)
        {
            bracket_without_keywords(chars, start, chars.len(), dir, Context::Prose, &mut out);
        }
        // "推进技术改造（县经信局）" over the task's text: a short title naming its units.
        if out.units.is_empty()
            && let Some(first_line) = chars.iter().position(|c| *c == '\n')
            && let Some((open, close)) = final_bracket(&chars[..first_line])
        {
            bracket_without_keywords(chars, open + 1, close, dir, Context::Bracket, &mut out);
        }
        return out;
    }
    // "责任单位：县经信局，配合单位：县财政局": beside the units that support, the responsible
    // ones lead; beside a lead, they support it ("牵头单位：县商务局；责任单位：各乡镇（街道）").
    let has = |r: Role| lists.iter().any(|(role, _, _)| *role == r);
    let plain = match (has(Role::Lead), has(Role::Support)) {
        (false, true) => Role::Lead,
        (true, false) => Role::Support,
        _ => Role::Plain,
    };
    for (role, start, end) in lists {
        let mut names = split_names(chars, start, end);
        // "[责任单位:A、B,列第一位的为牵头单位]": the note is not a unit, and it says A leads.
        let before = names.len();
        names.retain(|(name, _, _)| !first_unit_leads(name));
        let first_leads = first_leads || names.len() < before;
        let count = names.len();
        // "责任单位：县投资促进中心（牵头），县经信局": the others of a list with a marked lead support it.
        let marked = names.iter().any(|(_, _, lead)| *lead);
        for (k, (name, at, marked_lead)) in names.into_iter().enumerate() {
            let role = match role {
                _ if marked_lead => Role::Lead,
                Role::Plain if marked => Role::Support,
                Role::Plain if first_leads && count > 1 => {
                    if k == 0 {
                        Role::Lead
                    } else {
                        Role::Support
                    }
                }
                Role::Plain => plain,
                r => r,
            };
            for (resolved, known) in resolve(&name, dir) {
                if !known {
                    out.unknown.push((resolved.clone(), at));
                }
                out.add(resolved, role);
            }
        }
    }
    out
}

/// A list runs to the closing bracket that encloses it, the next role keyword with a colon,
/// the next field of the note ("；完成时限：2020年12月底前"), a full stop or the end of the
/// paragraph.
fn list_end(chars: &[char], start: usize) -> usize {
    let mut depth = 0usize;
    let mut last_sep = None;
    let mut i = start;
    while i < chars.len() {
        let c = chars[i];
        if depth == 0 && matches!(fold(c), ',' | ';' | '、' | '，' | '；') {
            last_sep = Some(i);
        } else if depth == 0 && i > start && is_colon(c) {
            return last_sep.unwrap_or(i);
        }
        if is_open_paren(c) {
            depth += 1;
        } else if is_close_paren(c) {
            if depth == 0 {
                return i;
            }
            depth -= 1;
        } else if depth == 0 && (c == '。' || c == '\n') {
            return i;
        } else if depth == 0
            && i > start
            && let Some((_, n)) = role_at(chars, i)
        {
            let mut j = i + n;
            while chars.get(j).is_some_and(|c| is_space(*c)) {
                j += 1;
            }
            if chars.get(j).is_some_and(|c| is_colon(*c)) {
                return i;
            }
        }
        i += 1;
    }
    chars.len()
}

/// Split a list on 、，,;； and spaces outside brackets. Returns (name, offset, marked lead).
/// A name as written, its char offset, and whether it is marked (牵头).
type Named = (String, usize, bool);

fn split_names(chars: &[char], start: usize, end: usize) -> Vec<Named> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut cur = String::new();
    let mut cur_at = start;
    let flush = |cur: &mut String, at: usize, out: &mut Vec<(String, usize, bool)>| {
        let (name, lead) = clean_name(cur);
        if !name.is_empty() && !names_no_unit(&name) {
            out.push((name, at, lead));
        }
        cur.clear();
    };
    for (i, &c) in chars.iter().enumerate().take(end).skip(start) {
        if is_open_paren(c) {
            depth += 1;
        } else if is_close_paren(c) {
            depth = depth.saturating_sub(1);
        }
        let sep = depth == 0
            && (matches!(fold(c), ',' | ';' | '、' | '，' | '；' | '/' | '。') || is_space(c));
        if sep {
            flush(&mut cur, cur_at, &mut out);
            cur_at = i + 1;
        } else {
            if cur.is_empty() {
                cur_at = i;
            }
            cur.push(c);
        }
    }
    flush(&mut cur, cur_at, &mut out);
    out
}

/// "县级有关部门", "相关单位": the departments concerned, which name no unit of the registry.
fn names_no_unit(name: &str) -> bool {
    let mut rest = name;
    while let Some(r) = ["县级", "县直", "各", "其他", "其它"]
        .iter()
        .find_map(|p| rest.strip_prefix(p))
    {
        rest = r;
    }
    let rest = ["有关", "相关"]
        .iter()
        .find_map(|p| rest.strip_prefix(p))
        .unwrap_or(rest);
    matches!(rest, "部门" | "单位")
}

/// Strip decoration around a name: a `（牵头）` mark, a trailing 等, punctuation.
fn clean_name(raw: &str) -> (String, bool) {
    let mut s = raw
        .trim_matches(|c: char| is_space(c) || matches!(fold(c), '.' | '。' | ':' | '：'))
        .to_owned();
    // "由县经信局负责": 由 introduces the unit, it is not part of its name.
    if let Some(rest) = s.strip_prefix('由')
        && !rest.is_empty()
    {
        s = rest.to_owned();
    }
    let mut lead = false;
    for mark in ["(牵头)", "（牵头）", "牵头", "(主办)", "（主办）"] {
        if let Some(rest) = s.strip_suffix(mark) {
            s = rest.to_owned();
            lead = true;
            break;
        }
    }
    // "县经信局（牵头），县科技局、县市场监管局（配合）": the mark closes the supporting names;
    // a list with a marked lead makes them support it.
    for mark in ["(配合)", "（配合）", "(协办)", "（协办）"] {
        if let Some(rest) = s.strip_suffix(mark) {
            s = rest.to_owned();
            break;
        }
    }
    for tail in ["等单位", "等部门", "等"] {
        if let Some(rest) = s.strip_suffix(tail) {
            s = rest.to_owned();
            break;
        }
    }
    // Unbalanced bracket left from the enclosing list, e.g. "县经信局）".
    let opens = s.chars().filter(|c| is_open_paren(*c)).count();
    let closes = s.chars().filter(|c| is_close_paren(*c)).count();
    if closes > opens {
        s = s.trim_end_matches(is_close_paren).to_owned();
    }
    if opens > closes {
        s = s.trim_start_matches(is_open_paren).to_owned();
    }
    (s.trim_matches(is_space).to_owned(), lead)
}

/// Resolve a name to canonical names; `A和B` is split when both halves are known units.
fn resolve(name: &str, dir: &UnitDirectory) -> Vec<(String, bool)> {
    if let Some(c) = dir.resolve(name) {
        return vec![(c.to_owned(), true)];
    }
    for joiner in ['和', '及', '与'] {
        if name.contains(joiner) {
            let parts: Vec<&str> = name.split(joiner).filter(|p| !p.is_empty()).collect();
            if parts.len() > 1 && parts.iter().all(|p| dir.resolve(p).is_some()) {
                return parts
                    .iter()
                    .filter_map(|p| dir.resolve(p))
                    .map(|c| (c.to_owned(), true))
                    .collect();
            }
        }
    }
    vec![(name.to_owned(), false)]
}

/// Endings of the names of government offices and bodies that plans assign work to.
const OFFICE_ENDINGS: &[&str] = &[
    "局",
    "办",
    "委",
    "中心",
    "办公室",
    "公司",
    "集团",
    "镇",
    "乡",
    "街道",
    "委员会",
    "管委会",
    "协会",
    "商会",
    "联合会",
    "院",
    "所",
    "站",
    "队",
    "部",
    "处",
    "银行",
    "厅",
];

/// Does `name` read as the name of an office ("县农业农村局", "县投资促进中心"), not words?
fn reads_as_an_office(name: &str) -> bool {
    let n = name.chars().count();
    (3..=20).contains(&n)
        && !name
            .chars()
            .any(|c| c.is_ascii_digit() || matches!(c, '，' | ',' | '。'))
        && OFFICE_ENDINGS.iter().any(|e| name.ends_with(e))
}

/// Is `name` a known unit, or known units joined by 和/及/与 (as [`resolve`] reads it)?
fn is_known(name: &str, dir: &UnitDirectory) -> bool {
    resolve(name, dir).first().is_some_and(|(_, known)| *known)
}

/// The bracket closing the item text (trailing 。 and spaces allowed), as (open, close).
fn final_bracket(chars: &[char]) -> Option<(usize, usize)> {
    let mut close = chars.len();
    while close > 0
        && (is_space(chars[close - 1]) || matches!(chars[close - 1], '。' | '.' | '；' | ';'))
    {
        close -= 1;
    }
    if close == 0 || !is_close_paren(chars[close - 1]) {
        return None;
    }
    let close = close - 1;
    let mut depth = 0usize;
    for i in (0..close).rev() {
        if is_close_paren(chars[i]) {
            depth += 1;
        } else if is_open_paren(chars[i]) {
            if depth == 0 {
                return Some((i, close));
            }
            depth -= 1;
        }
    }
    None
}

/// Units named after a paragraph's last full stop, without a bracket: "…完成。县经信局、县财政局".
fn final_sentence(chars: &[char]) -> Option<usize> {
    let mut end = chars.len();
    while end > 0 && (is_space(chars[end - 1]) || matches!(chars[end - 1], '。' | '.' | '；' | ';'))
    {
        end -= 1;
    }
    let stop = chars[..end].iter().rposition(|c| *c == '。')?;
    (end - stop <= 60).then_some(stop + 1)
}

/// Wordings that say the units listed share the work: "(县经信局、县财政局按职责分工负责)".
const SHARED_DUTY: &[&str] = &[
    "按职责分工负责",
    "按职责分工落实",
    "按各自职责负责",
    "按照职责分工负责",
    "按职能分工负责",
    "按职责负责",
    "按职责分工",
    "分别负责",
    "共同负责",
];

/// Where a list without role keywords with a colon stands.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Context {
    /// Inside the bracket that closes a paragraph: every part names units.
    Bracket,
    /// The paragraph's last sentence, unbracketed: a part naming no known unit is the task's
    /// own words ("全年新增规上企业30家，由县经信局牵头，县统计局配合").
    Prose,
}

/// `（县经信局牵头，县财政局、县科技局配合）` or a bracket listing only known units.
fn bracket_without_keywords(
    chars: &[char],
    start: usize,
    end: usize,
    dir: &UnitDirectory,
    context: Context,
    out: &mut Assignment,
) {
    let inner: String = chars[start..end].iter().collect();
    let segments: Vec<&str> = inner.split(['，', ',', '；', ';']).collect();
    let mut parsed: Vec<(Vec<Named>, Role)> = Vec::new();
    let mut offset = start;
    for seg in &segments {
        let seg_chars: Vec<char> = seg.chars().collect();
        let trimmed = seg.trim_end_matches(['。', ' ']);
        let (body, role) = if let Some(b) = SHARED_DUTY.iter().find_map(|w| trimmed.strip_suffix(w))
        {
            (b, Role::Plain)
        } else if let Some(b) = trimmed
            .strip_suffix("牵头")
            .or_else(|| trimmed.strip_suffix("负责"))
        {
            (b, Role::Lead)
        } else if let Some(b) = ["配合", "参与", "协助", "协办", "落实"]
            .iter()
            .find_map(|w| trimmed.strip_suffix(w))
        {
            (b, Role::Support)
        } else {
            (trimmed, Role::Plain)
        };
        let body_chars: Vec<char> = body.chars().collect();
        let names: Vec<Named> = split_names(&body_chars, 0, body_chars.len())
            .into_iter()
            .map(|(n, at, l)| (n, at + offset, l))
            .collect();
        offset += seg_chars.len() + 1;
        let words = context == Context::Prose
            && role == Role::Plain
            && names.iter().all(|(n, _, lead)| !lead && !is_known(n, dir));
        if !words {
            parsed.push((names, role));
        }
    }
    // A name marked (牵头) says the list has roles, as a 牵头/配合 segment does: the other
    // names of a Plain segment support it ("县发改局（牵头）、县经信局、县自然资源局").
    let marked = parsed
        .iter()
        .flat_map(|(names, _)| names)
        .any(|(_, _, lead)| *lead);
    let has_roles = marked || parsed.iter().any(|(_, r)| *r != Role::Plain);
    let all_known = parsed
        .iter()
        .flat_map(|(names, _)| names)
        .all(|(n, _, _)| is_known(n, dir));
    let any = parsed.iter().any(|(names, _)| !names.is_empty());
    if !any || !(all_known || has_roles) {
        return;
    }
    // With role words, one known unit vouches for the list; else every name must read as an
    // office's name (a unit renamed since the registry was made: "县自然资源和规划局负责").
    let names = || parsed.iter().flat_map(|(names, _)| names);
    if has_roles
        && !names().any(|(n, _, _)| is_known(n, dir))
        && !names().all(|(n, _, _)| reads_as_an_office(n))
    {
        return;
    }
    for (names, role) in parsed {
        for (name, at, lead) in names {
            let role = match role {
                _ if lead => Role::Lead,
                Role::Plain if marked => Role::Support,
                r => r,
            };
            for (resolved, known) in resolve(&name, dir) {
                if !known {
                    out.unknown.push((resolved.clone(), at));
                }
                out.add(resolved, role);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir() -> UnitDirectory {
        UnitDirectory::from_entries([
            ("县经信局", vec!["县经济和信息化局"]),
            ("县财政局", vec![]),
            ("县科技局", vec![]),
            ("县发改局", vec![]),
            ("县商务局", vec![]),
            ("县金融办", vec![]),
            ("各镇乡街道", vec!["各镇乡(街道)"]),
            ("浙台经贸合作区", vec!["浙台(象山石浦)经贸合作区"]),
        ])
    }

    fn ex(s: &str, first: bool) -> Assignment {
        extract(&s.chars().collect::<Vec<_>>(), &dir(), first)
    }

    #[test]
    fn plain_list_in_brackets() {
        let a = ex("制定政策。(责任单位:县经信局、县财政局)", false);
        assert_eq!(a.units, vec!["县经信局", "县财政局"]);
        assert!(a.lead.is_empty());
    }

    #[test]
    fn lead_and_support() {
        let a = ex(
            "做事。（牵头单位：县经济和信息化局；配合单位：县财政局，县科技局、各镇乡（街道））",
            false,
        );
        assert_eq!(
            a.units,
            vec!["县经信局", "县财政局", "县科技局", "各镇乡街道"]
        );
        assert_eq!(a.lead, vec!["县经信局"]);
        assert_eq!(a.support, vec!["县财政局", "县科技局", "各镇乡街道"]);
    }

    #[test]
    fn first_listed_leads_by_convention() {
        let a = ex("做事。（责任单位：县科技局、县经信局）", true);
        assert_eq!(a.lead, vec!["县科技局"]);
        assert_eq!(a.support, vec!["县经信局"]);
        assert!(first_unit_leads("责任单位排在首位的为牵头单位"));
        assert!(!first_unit_leads("由县工投集团牵头"));
        assert!(first_unit_leads_everywhere(
            "（各项任务的责任单位排在首位的为牵头单位）"
        ));
        assert!(!first_unit_leads_everywhere(
            "1.做事。[责任单位:县科技局、县经信局,列第一位的为牵头单位]"
        ));
    }

    #[test]
    fn bracket_with_lead_words_and_unknowns() {
        let a = ex("做事（县经信局牵头，县财政局、县林业局配合）", false);
        assert_eq!(a.lead, vec!["县经信局"]);
        assert_eq!(a.support, vec!["县财政局", "县林业局"]);
        assert_eq!(
            a.unknown.iter().map(|u| u.0.as_str()).collect::<Vec<_>>(),
            vec!["县林业局"]
        );
    }

    #[test]
    fn other_spellings_of_responsibility() {
        let a = ex(
            "做事。[责任单位:县科技局、县经信局,列第一位的为牵头单位]",
            false,
        );
        assert_eq!(a.units, vec!["县科技局", "县经信局"]);
        assert_eq!(a.lead, vec!["县科技局"]);
        assert_eq!(a.support, vec!["县经信局"]);
        assert!(a.unknown.is_empty(), "{:?}", a.unknown);
        let a = ex("做事。牵头单位:县经信局;配合单位:县财政局、县科技局", false);
        assert_eq!(a.lead, vec!["县经信局"]);
        assert_eq!(a.support, vec!["县财政局", "县科技局"]);
        let a = ex("做事(县经信局、县财政局按职责分工负责)", false);
        assert_eq!(a.units, vec!["县经信局", "县财政局"]);
        assert!(a.lead.is_empty() && a.unknown.is_empty(), "{a:?}");
        let a = ex("实施技改项目50个。县经信局、县财政局。", false);
        assert_eq!(a.units, vec!["县经信局", "县财政局"]);
        assert!(
            ex("实施技改项目50个。确保完成任务。", false)
                .units
                .is_empty()
        );
        assert!(ex("实施技改项目50个。积极配合", false).units.is_empty());
    }

    #[test]
    fn a_last_sentence_with_roles_keeps_the_task_s_words_out() {
        let a = ex(
            "加快小微企业升级。全年新增规上企业30家，由县经信局牵头，县财政局配合。",
            false,
        );
        assert_eq!(a.units, vec!["县经信局", "县财政局"]);
        assert_eq!(a.lead, vec!["县经信局"]);
        assert_eq!(a.support, vec!["县财政局"]);
        assert!(a.unknown.is_empty(), "{:?}", a.unknown);
        // In a closing bracket every part is a unit, known or not.
        let a = ex("做事（县经信局牵头，县林业局）", false);
        assert_eq!(a.units, vec!["县经信局", "县林业局"]);
    }

    #[test]
    fn responsible_units_beside_supporting_or_leading_ones() {
        let a = ex("做事。（责任单位：县经信局，配合单位：县财政局）", false);
        assert_eq!(a.lead, vec!["县经信局"]);
        assert_eq!(a.support, vec!["县财政局"]);
        let a = ex(
            "做事。牵头单位：县商务局；责任单位：县财政局、县科技局",
            false,
        );
        assert_eq!(a.lead, vec!["县商务局"]);
        assert_eq!(a.support, vec!["县财政局", "县科技局"]);
        // A lead named again among the responsible units still only leads, either way round.
        for text in [
            "做事。牵头单位：县商务局；责任单位：县商务局、县财政局",
            "做事。责任单位：县商务局、县财政局；牵头单位：县商务局",
        ] {
            let a = ex(text, false);
            assert_eq!(a.lead, vec!["县商务局"], "{text}");
            assert_eq!(a.support, vec!["县财政局"], "{text}");
            assert_eq!(a.units, vec!["县商务局", "县财政局"], "{text}");
        }
        // Alone, a 责任单位 list says nothing of who leads.
        let a = ex("做事。（责任单位：县经信局、县财政局）", false);
        assert!(a.lead.is_empty() && a.support.is_empty(), "{a:?}");
    }

    #[test]
    fn a_note_s_other_fields_and_the_departments_concerned_are_not_units() {
        let a = ex(
            "整治低效企业100家。（责任单位：县经信局、县财政局；完成时限：2020年12月底前）",
            false,
        );
        assert_eq!(a.units, vec!["县经信局", "县财政局"]);
        assert!(a.unknown.is_empty(), "{:?}", a.unknown);
        let a = ex(
            "推进技改。（牵头单位：县经信局，责任单位：各镇乡（街道）、县级有关部门，完成时限：2020年10月）",
            false,
        );
        assert_eq!(a.lead, vec!["县经信局"]);
        assert_eq!(a.support, vec!["各镇乡街道"]);
        assert!(a.unknown.is_empty(), "{:?}", a.unknown);
        let a = ex(
            "新增上市企业2家。（县金融办牵头，各镇乡（街道）落实）",
            false,
        );
        assert_eq!(a.lead, vec!["县金融办"]);
        assert_eq!(a.support, vec!["各镇乡街道"]);
        assert!(names_no_unit("有关部门") && names_no_unit("县级相关单位"));
        assert!(!names_no_unit("县经信局") && !names_no_unit("各镇乡街道"));
    }

    #[test]
    fn a_renamed_office_with_role_words_is_read_and_flagged() {
        let a = ex("落实工业用地2000亩。（县自然资源和规划局负责）", false);
        assert_eq!(a.lead, vec!["县自然资源和规划局"]);
        assert_eq!(
            a.unknown.iter().map(|u| u.0.as_str()).collect::<Vec<_>>(),
            vec!["县自然资源和规划局"]
        );
        let a = ex(
            "做事。全年完成50亿元，由县农业农村局牵头，县林业局配合。",
            false,
        );
        assert_eq!(a.lead, vec!["县农业农村局"]);
        assert_eq!(a.support, vec!["县林业局"]);
        // Words with role words are still words.
        assert!(ex("做事（由企业自行负责）", false).units.is_empty());
        assert!(ex("做事。项目建设由业主负责。", false).units.is_empty());
        assert!(
            !reads_as_an_office("全年新增规上企业30家") && reads_as_an_office("县投资促进中心")
        );
    }

    #[test]
    fn units_joined_by_and_in_a_last_sentence() {
        let a = ex(
            "实施技改提升工程。全年完成技改投资50亿元，由县经信局和县财政局负责。",
            false,
        );
        assert_eq!(a.units, vec!["县经信局", "县财政局"]);
        assert!(a.unknown.is_empty(), "{:?}", a.unknown);
        let a = ex("做事（县经信局及县财政局）", false);
        assert_eq!(a.units, vec!["县经信局", "县财政局"]);
    }

    #[test]
    fn units_in_the_bracket_of_a_title_line() {
        let a = ex(
            "推进技术改造（县经信局、县财政局）\n全年完成技改投资50亿元。",
            false,
        );
        assert_eq!(a.units, vec!["县经信局", "县财政局"]);
        let a = ex(
            "推进技术改造（县经信局牵头）\n全年完成技改投资50亿元。",
            false,
        );
        assert_eq!(a.lead, vec!["县经信局"]);
        // A title's bracket that names no unit is part of the title.
        assert!(
            ex("推进技术改造（试点）\n全年完成技改投资50亿元。", false)
                .units
                .is_empty()
        );
        // The text's own units win over the title's.
        let a = ex(
            "推进技术改造（县经信局）\n全年完成技改投资50亿元（县财政局）。",
            false,
        );
        assert_eq!(a.units, vec!["县财政局"]);
    }

    #[test]
    fn spellings_met_in_other_counties() {
        // A list with one unit marked (牵头): the others support it.
        let a = ex(
            "做事。责任单位：县商务局（牵头），县经信局、县发改局",
            false,
        );
        assert_eq!(a.lead, vec!["县商务局"]);
        assert_eq!(a.support, vec!["县经信局", "县发改局"]);
        // …and when the supporting names close with their own mark.
        let a = ex(
            "做事。责任单位：县商务局（牵头），县经信局、县发改局（配合）",
            false,
        );
        assert_eq!(a.lead, vec!["县商务局"]);
        assert_eq!(a.support, vec!["县经信局", "县发改局"]);
        assert!(a.unknown.is_empty(), "{a:?}");
        // The same after the last full stop, with a unit the directory does not know.
        let a = ex("做事。县发改局（牵头）、县经信局、县自然资源局", false);
        assert_eq!(a.lead, vec!["县发改局"]);
        assert_eq!(a.support, vec!["县经信局", "县自然资源局"]);
        assert_eq!(
            a.unknown.iter().map(|u| u.0.as_str()).collect::<Vec<_>>(),
            vec!["县自然资源局"]
        );
        // 由…负责 and 由…牵头, …配合.
        let a = ex("做事。（由县经信局负责）", false);
        assert_eq!(
            (a.units.clone(), a.lead),
            (vec!["县经信局".to_owned()], a.units)
        );
        let a = ex("做事（由县金融办牵头，县经信局、县财政局配合）", false);
        assert_eq!(a.lead, vec!["县金融办"]);
        assert_eq!(a.support, vec!["县经信局", "县财政局"]);
        // A sentence that only mentions a unit in passing is still not a list.
        assert!(
            ex("做事。由县经信局会同有关部门研究", false)
                .units
                .is_empty()
        );
    }

    #[test]
    fn prose_is_not_a_unit_list() {
        assert!(
            ex("由县工投集团牵头，积极向上争取（含开放型经济）", false)
                .units
                .is_empty()
        );
        let a = ex("主办：县经信局 协办：县财政局", false);
        assert_eq!(a.lead, vec!["县经信局"]);
        assert_eq!(a.support, vec!["县财政局"]);
        let a = ex(
            "（责任单位：浙台(象山石浦)经贸合作区、县经信局（牵头））",
            false,
        );
        assert_eq!(a.units, vec!["浙台经贸合作区", "县经信局"]);
        assert_eq!(a.lead, vec!["县经信局"]);
    }
}
