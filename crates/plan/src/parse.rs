//! Text lines → [`ParsedPlan`]: find where the plan starts and ends inside the page or the
//! 通知 around it, build the numbered tree, then read units and targets item by item.

use crate::deadline;
use crate::directory::UnitDirectory;
use crate::marker::{Kind, Marker, annex_marker, parse_marker};
use crate::meta;
use crate::model::{
    Item, LineRange, ParsedPlan, Review, Span, Target, Unplaced, Warning, WarningKind,
};
use crate::quantity;
use crate::text::{fold_key, standalone_date, trim_line};
use crate::units;
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LineKind {
    Blank,
    Chrome,
    Text,
}

struct Line<'a> {
    /// 1-based line number
    no: usize,
    text: &'a str,
    /// chars trimmed from the start of the source line
    offset: usize,
    kind: LineKind,
}

struct Node {
    kind: Kind,
    value: u32,
    number: String,
    parent: Option<usize>,
    depth: usize,
    /// indexes into `lines` of the item's own paragraphs; the first is the marker line
    lines: Vec<usize>,
    /// byte offset of the content in the marker line
    content_start: usize,
}

/// A stretch of item text and where it came from.
struct Piece {
    at: usize,
    line: usize,
    col: usize,
}

/// The item's own text as chars, with a map back to source lines.
struct OwnText {
    chars: Vec<char>,
    pieces: Vec<Piece>,
}

impl OwnText {
    fn locate(&self, at: usize) -> (usize, usize) {
        let idx = self
            .pieces
            .partition_point(|p| p.at <= at)
            .saturating_sub(1);
        match self.pieces.get(idx) {
            Some(p) => (p.line, p.col + at.saturating_sub(p.at)),
            None => (0, 0),
        }
    }

    fn span(&self, start: usize, end: usize) -> Span {
        let (line, s) = self.locate(start);
        let (end_line, e) = self.locate(end.saturating_sub(1).max(start));
        Span {
            line,
            start: s,
            end: if end_line == line {
                e + 1
            } else {
                s + (end - start)
            },
        }
    }
}

pub(crate) fn parse_lines(raw: Vec<String>, format: &str, dir: &UnitDirectory) -> ParsedPlan {
    let raw = crate::input::flattened_tables(crate::reflow::reflow(raw));
    let mut warnings = Vec::new();
    let mut labels = meta::Labels::default();
    let lines: Vec<Line<'_>> = raw
        .iter()
        .enumerate()
        .map(|(k, s)| {
            let (offset, text) = trim_line(s);
            let kind = if text.is_empty() || meta::is_blank(text) {
                LineKind::Blank
            } else if meta::read_labels(text, &mut labels) || meta::is_chrome(text) {
                LineKind::Chrome
            } else {
                LineKind::Text
            };
            Line {
                no: k + 1,
                text,
                offset,
                kind,
            }
        })
        .collect();
    let text_at = |i: usize| {
        lines
            .get(i)
            .filter(|l| l.kind == LineKind::Text)
            .map(|l| l.text)
    };
    let markers: Vec<Option<Marker>> = (0..lines.len())
        .map(|i| text_at(i).and_then(parse_marker))
        .collect();
    let is_marker = |i: usize| markers.get(i).is_some_and(Option::is_some);
    let next_text = |from: usize| (from..lines.len()).find(|&i| lines[i].kind == LineKind::Text);

    // --- head: notice, title, body start -------------------------------------------------
    let first_marker = (0..lines.len())
        .find(|&i| is_marker(i))
        .unwrap_or(lines.len());
    let mut notice: Option<(usize, String)> = None;
    let mut title: Option<String> = None;
    let mut title_line: Option<usize> = None;
    for i in 0..first_marker {
        let Some(t) = text_at(i) else { continue };
        let joined = next_text(i + 1)
            .filter(|&j| j < first_marker)
            .and_then(text_at)
            .map(|n| format!("{t}{n}"));
        let candidate = if meta::transmitted_title(t).is_some() {
            Some(t.to_owned())
        } else {
            joined.filter(|j| meta::transmitted_title(j).is_some() && !t.contains("通知"))
        };
        if let Some(c) = candidate {
            notice = Some((i, c));
            break;
        }
    }
    let mut body_start = first_marker;
    if let Some((at, notice_title)) = &notice {
        let wanted = meta::transmitted_title(notice_title).unwrap_or_default();
        let key = fold_key(&wanted);
        title = Some(wanted);
        let search_end = lines.len().min(at + 400);
        for i in at + 1..search_end {
            let Some(t) = text_at(i) else { continue };
            let k = fold_key(t);
            let two = next_text(i + 1)
                .and_then(text_at)
                .map(|n| fold_key(&format!("{t}{n}")));
            if k == key || (k.ends_with(&key) && k.chars().count() <= key.chars().count() + 4) {
                title_line = Some(i);
                break;
            }
            if two.is_some_and(|two| two == key) {
                title_line = next_text(i + 1);
                break;
            }
        }
        body_start = match title_line {
            Some(t) => t + 1,
            None => (at + 1..first_marker)
                .find(|&i| text_at(i).and_then(standalone_date).is_some())
                .map_or(first_marker, |d| d + 1),
        };
    } else {
        let candidates: Vec<usize> = (0..first_marker)
            .filter(|&i| text_at(i).is_some_and(meta::title_like))
            .collect();
        let pick = candidates
            .iter()
            .copied()
            .find(|&i| text_at(i).is_some_and(meta::has_title_word))
            .or_else(|| candidates.first().copied());
        if let Some(i) = pick {
            let t = text_at(i).unwrap_or_default();
            // A title broken over two lines: the first part has no title word of its own.
            let prev = candidates.iter().copied().rfind(|&p| p < i);
            let joined = prev.filter(|&p| {
                next_text(p + 1) == Some(i) && !text_at(p).is_some_and(meta::has_title_word)
            });
            title = Some(match joined.and_then(text_at) {
                Some(p) if p.chars().count() + t.chars().count() <= 80 => format!("{p}{t}"),
                _ => t.to_owned(),
            });
            body_start = i + 1;
        }
    }
    let first_item = (body_start..lines.len()).find(|&i| is_marker(i));

    // --- body end: 附件, 落款 and 日期, 抄送, page chrome after the last item ---------------
    // An annex that lists tasks with their units (a 重点任务分解表) is part of the plan: its
    // line heads a section of the tree (`附件`, `附件2`) and the body goes on through it.
    let annex_line = |t: &str| {
        let key = fold_key(&t.chars().take(8).collect::<String>());
        (key.starts_with("附件") && t.chars().count() < 60) || key.starts_with("附:")
    };
    let mut annexes: HashMap<usize, Marker> = HashMap::new();
    let mut body_end = lines.len();
    if let Some(first) = first_item {
        for i in first + 1..lines.len() {
            let Some(t) = text_at(i) else { continue };
            let key = fold_key(&t.chars().take(8).collect::<String>());
            let annex = annex_line(t);
            if annex
                && let Some(m) = annex_marker(t, annexes.len())
                && (i + 1..lines.len())
                    .filter_map(|k| text_at(k).map(|t| (k, t)))
                    .take_while(|(_, t)| !annex_line(t) && standalone_date(t).is_none())
                    .any(|(k, t)| is_marker(k) && names_units(t))
            {
                annexes.insert(i, m);
                continue;
            }
            if annex
                || key.starts_with("抄送")
                || key.starts_with("抄报")
                || key.starts_with("(此件")
            {
                body_end = i;
                break;
            }
            if t.len() <= 60 && t.contains('年') && standalone_date(t).is_some() {
                let prev = (first + 1..i)
                    .rev()
                    .find(|&p| lines[p].kind == LineKind::Text);
                body_end = match prev {
                    Some(p) if text_at(p).is_some_and(meta::signature_like) && !is_marker(p) => p,
                    _ => i,
                };
                break;
            }
        }
        let last_marker = (first..body_end)
            .rev()
            .find(|&i| is_marker(i))
            .unwrap_or(first);
        if let Some(chrome) = (last_marker..body_end).find(|&i| lines[i].kind == LineKind::Chrome) {
            body_end = chrome;
        }
    }

    // --- metadata -------------------------------------------------------------------------
    let head_end = first_item.unwrap_or(lines.len());
    let head: Vec<usize> = (0..head_end).chain(body_end..lines.len()).collect();
    let doc_number = labels.doc_number.clone().or_else(|| {
        let standalone = head.iter().find_map(|&i| {
            let t = text_at(i)?;
            meta::doc_number_in(t).filter(|d| t.chars().count() <= d.chars().count() + 12)
        });
        standalone.or_else(|| {
            head.iter()
                .find_map(|&i| text_at(i).and_then(meta::doc_number_in))
        })
    });
    let date_line = head
        .iter()
        .copied()
        .find(|&i| text_at(i).and_then(standalone_date).is_some());
    let date = labels.date.clone().or_else(|| {
        date_line
            .and_then(text_at)
            .and_then(standalone_date)
            .map(|d| d.iso())
    });
    let signature = date_line.and_then(|d| {
        let p = (0..d).rev().find(|&p| lines[p].kind == LineKind::Text)?;
        text_at(p)
            .filter(|t| meta::signature_like(t))
            .map(str::to_owned)
    });
    let issuer = labels
        .issuer
        .clone()
        .or_else(|| notice.as_ref().and_then(|(_, t)| meta::issuer_of_notice(t)))
        .or(signature);
    let year = title
        .as_deref()
        .and_then(meta::year_in)
        .or_else(|| {
            date.as_deref()
                .and_then(|d| d.get(..4))
                .and_then(|y| y.parse().ok())
        })
        .or_else(|| doc_number.as_deref().and_then(meta::year_of_doc_number));
    if title.is_none() {
        warnings.push(Warning {
            line: None,
            kind: WarningKind::Document,
            message: "未找到方案标题 / no plan title found".into(),
        });
    }

    // --- the numbered tree ----------------------------------------------------------------
    let mut nodes: Vec<Node> = Vec::new();
    let mut stack: Vec<usize> = Vec::new();
    let mut preamble: Vec<usize> = Vec::new();
    let mut last_child: HashMap<(Option<usize>, Kind), u32> = HashMap::new();
    let mut last_of_kind: HashMap<Kind, u32> = HashMap::new();
    let mut seen_numbers: HashMap<String, usize> = HashMap::new();
    for i in body_start..body_end {
        if text_at(i).is_none() {
            continue;
        }
        let Some(m) = markers[i].clone().or_else(|| annexes.get(&i).cloned()) else {
            match nodes.last_mut() {
                Some(node) => node.lines.push(i),
                None => preamble.push(i),
            }
            continue;
        };
        while stack.last().is_some_and(|&top| nodes[top].kind >= m.kind) {
            stack.pop();
        }
        let parent = stack.last().copied();
        check_sequence(
            &m,
            parent,
            &last_child,
            &last_of_kind,
            lines[i].no,
            &mut warnings,
        );
        last_child.insert((parent, m.kind), m.value);
        last_of_kind.insert(m.kind, m.value);
        let number = match parent {
            Some(p) => format!("{}.{}", nodes[p].number, m.label),
            None => m.label.clone(),
        };
        if let Some(prev) = seen_numbers.insert(number.clone(), lines[i].no) {
            warnings.push(Warning {
                line: Some(lines[i].no),
                kind: WarningKind::UnplacedItem,
                message: format!(
                    "编号 {number} 与第{prev}行重复 / number {number} repeats line {prev}"
                ),
            });
        }
        let depth = stack.len() + 1;
        nodes.push(Node {
            kind: m.kind,
            value: m.value,
            number,
            parent,
            depth,
            lines: vec![i],
            content_start: m.content_start,
        });
        stack.push(nodes.len() - 1);
    }
    for i in body_end..lines.len() {
        if let Some(m) = &markers[i]
            && last_of_kind.contains_key(&m.kind)
            && nodes
                .iter()
                .any(|n| n.kind == m.kind && n.value + 1 == m.value)
        {
            {
                warnings.push(Warning {
                    line: Some(lines[i].no),
                    kind: WarningKind::UnplacedItem,
                    message: format!(
                        "编号 {} 出现在正文结束(附件/落款)之后, 未计入 / item {} after the end of the body (annex/signature), not placed",
                        m.label, m.label
                    ),
                });
            }
        }
    }
    if nodes.is_empty() {
        warnings.push(Warning {
            line: None,
            kind: WarningKind::Document,
            message: "未找到编号条目 (一、 (一) 1. 第X条…) / no numbered items found".into(),
        });
    }

    // --- items, units, targets ------------------------------------------------------------
    let first_leads = raw.iter().any(|l| units::first_unit_leads_everywhere(l));
    let has_children: Vec<bool> = {
        let mut v = vec![false; nodes.len()];
        for n in &nodes {
            if let Some(p) = n.parent {
                v[p] = true;
            }
        }
        v
    };
    let mut items = Vec::with_capacity(nodes.len());
    let mut found: Vec<(Option<usize>, OwnText, Vec<quantity::Phrase>)> = Vec::new();
    for (k, node) in nodes.iter().enumerate() {
        let own = own_text(node, &lines);
        let (heading, text) = heading_and_text(node, &lines, has_children[k]);
        let assignment = units::extract(&own.chars, dir, first_leads);
        for (name, at) in &assignment.unknown {
            let (line, _) = own.locate(*at);
            warnings.push(Warning {
                line: Some(line),
                kind: WarningKind::UnknownUnit,
                message: format!(
                    "单位 \"{name}\" 不在单位名录中 / unit \"{name}\" is not in the unit registry"
                ),
            });
        }
        let first = node.lines.first().map_or(0, |&i| lines[i].no);
        let last = node.lines.last().map_or(first, |&i| lines[i].no);
        items.push(Item {
            number: node.number.clone(),
            depth: node.depth,
            heading,
            text,
            units: assignment.units,
            lead_units: assignment.lead,
            support_units: assignment.support,
            lines: LineRange { first, last },
            deadline: deadline::deadline(&own.chars),
        });
        let phrases = quantity::phrases(&own.chars);
        found.push((Some(k), own, phrases));
    }
    if !preamble.is_empty() {
        let own = paragraphs_text(preamble.iter().map(|&i| (i, 0usize)), &lines);
        let phrases = quantity::phrases(&own.chars);
        found.push((None, own, phrases));
    }

    let goal: Vec<bool> = {
        let mut v = vec![false; nodes.len()];
        for k in 0..nodes.len() {
            let own_goal = items[k].heading.as_deref().is_some_and(is_goal_heading);
            v[k] = own_goal || nodes[k].parent.is_some_and(|p| v[p]);
        }
        v
    };
    let has_goal_section = goal.iter().any(|g| *g);
    let mut targets = Vec::new();
    let mut task_indicators = Vec::new();
    for (node, own, phrases) in &found {
        let is_target_scope = match node {
            Some(k) if has_goal_section => goal[*k],
            Some(k) => items[*k].units.is_empty(),
            None => !has_goal_section,
        };
        let section = node.map(|k| items[k].number.clone());
        if is_target_scope {
            for (at, clause) in quantity::unreadable(&own.chars, phrases) {
                let (line, _) = own.locate(at);
                warnings.push(Warning {
                    line: Some(line),
                    kind: WarningKind::UnreadableNumber,
                    message: format!(
                        "目标数值无法识别 / cannot read the target's number: \"{clause}\""
                    ),
                });
            }
        }
        for p in phrases {
            let target = Target {
                section: section.clone(),
                text: p.text.clone(),
                name: p.name.clone(),
                value: p.value,
                max: p.max,
                unit: p.unit.to_owned(),
                comparator: p.comparator,
                change: p.change,
                source: own.span(p.start, p.end),
            };
            if is_target_scope {
                targets.push(target);
            } else {
                task_indicators.push(target);
            }
        }
    }
    let unplaced = unplaced_lines(&lines, &nodes, &items, body_end, &mut warnings);
    warnings.sort_by_key(|w| w.line.unwrap_or(0));
    let review = review(
        title.is_some(),
        year.is_some(),
        &items,
        &has_children,
        targets.len(),
        &warnings,
        unplaced,
    );

    ParsedPlan {
        title,
        doc_number,
        issuer,
        date,
        year,
        source_format: format.to_owned(),
        items,
        targets,
        task_indicators,
        warnings,
        lines: raw,
        review,
    }
}

/// Role words whose presence says the item names its units.
const UNIT_WORDS: &[&str] = &["责任单位", "牵头单位", "配合单位", "责任部门", "牵头部门"];

/// Does the line speak of an item's units? "各责任单位要于每月5日前报送" addresses every unit
/// and names none: a role word after 各 does not count.
fn names_unit_words(text: &str) -> bool {
    UNIT_WORDS.iter().any(|w| {
        text.match_indices(w)
            .any(|(at, _)| !text[..at].ends_with('各'))
    })
}

/// Lines that belong nowhere: items that could not be placed as numbered, text after the
/// signature, unit notes that named no unit, rows of a table whose header was not recognised.
/// The last three are added to `warnings` (the first already are).
fn unplaced_lines(
    lines: &[Line<'_>],
    nodes: &[Node],
    items: &[Item],
    body_end: usize,
    warnings: &mut Vec<Warning>,
) -> Vec<Unplaced> {
    let text_of = |no: usize| {
        lines
            .get(no.wrapping_sub(1))
            .map_or(String::new(), |l| l.text.to_owned())
    };
    let mut out: Vec<Unplaced> = warnings
        .iter()
        .filter(|w| w.kind == WarningKind::UnplacedItem)
        .filter_map(|w| {
            w.line.map(|line| Unplaced {
                line,
                text: text_of(line),
                reason: w.message.clone(),
            })
        })
        .collect();
    let mut add = |line: usize, reason: &str, out: &mut Vec<Unplaced>| {
        if out.iter().any(|u| u.line == line) {
            return;
        }
        out.push(Unplaced {
            line,
            text: text_of(line),
            reason: reason.to_owned(),
        });
        warnings.push(Warning {
            line: Some(line),
            kind: WarningKind::UnplacedLine,
            message: reason.to_owned(),
        });
    };
    // After the body: an annex is left out on purpose; anything but the 落款, its date and
    // 抄送 after a signature is text the structure lost.
    let annex = lines.get(body_end).is_some_and(|l| {
        let key = fold_key(&l.text.chars().take(8).collect::<String>());
        key.starts_with("附") || key.starts_with("(此件")
    });
    if !annex && !nodes.is_empty() {
        for l in lines.iter().skip(body_end) {
            let t = l.text;
            if l.kind != LineKind::Text
                || meta::signature_like(t)
                || standalone_date(t).is_some()
                || meta::doc_number_in(t).is_some()
                || ["抄送", "抄报", "印发", "附件"]
                    .iter()
                    .any(|w| t.starts_with(w))
            {
                continue;
            }
            add(
                l.no,
                "正文结束(落款)之后的文字, 未计入任何条目 / text after the signature, in no item",
                &mut out,
            );
        }
    }
    for (node, item) in nodes.iter().zip(items) {
        for &i in &node.lines {
            let Some(l) = lines.get(i) else { continue };
            if item.units.is_empty() && names_unit_words(l.text) {
                add(
                    l.no,
                    "提到责任单位, 但未能识别出单位 / names responsible units, none could be read",
                    &mut out,
                );
            }
            if i != node.lines[0] && looks_like_table_row(l.text) {
                add(
                    l.no,
                    "像是表格的一行, 但没有可识别的表头 (序号 … 责任单位) / looks like a table row without a recognisable header",
                    &mut out,
                );
            }
        }
    }
    out.sort_by_key(|u| u.line);
    out
}

/// `3 规上工业增加值增长6%以上 经信局`: a number, a space, then text.
fn looks_like_table_row(t: &str) -> bool {
    let digits = t.chars().take_while(|c| c.is_ascii_digit()).count();
    (1..=3).contains(&digits)
        && t[digits..].starts_with([' ', '\t', '\u{3000}'])
        && t[digits..].trim_start().starts_with(crate::text::is_han)
}

/// The document's confidence: 100 less what a reviewer would have to fix.
fn review(
    has_title: bool,
    has_year: bool,
    items: &[Item],
    has_children: &[bool],
    targets: usize,
    warnings: &[Warning],
    unplaced: Vec<Unplaced>,
) -> Review {
    let mut reasons = Vec::new();
    if items.is_empty() {
        reasons.push("没有找到编号条目 / no numbered items".to_owned());
        return Review {
            confidence: 0,
            reasons,
            unplaced,
        };
    }
    let mut score: i64 = 100;
    let mut deduct = |points: i64, reason: String| {
        if points > 0 {
            score -= points;
            reasons.push(reason);
        }
    };
    if !has_title {
        deduct(10, "未找到标题 / no title".into());
    }
    // The import then files the plan under the current year, which the office must check.
    if !has_year {
        deduct(
            5,
            "未找到方案年度（标题、成文日期、文号中均无），请核对年度 / no year in the title, date or document number: check the plan's year".into(),
        );
    }
    if targets == 0 {
        deduct(10, "未找到目标 / no targets".into());
    }
    let n = unplaced.len() as i64;
    deduct(
        (5 * n).min(30),
        format!("{n} 行未能归入条目 / {n} lines not placed"),
    );
    let count = |kind: WarningKind| warnings.iter().filter(|w| w.kind == kind).count() as i64;
    let unknown = count(WarningKind::UnknownUnit);
    deduct(
        (4 * unknown).min(20),
        format!("{unknown} 个单位不在名录中 / {unknown} units not in the registry"),
    );
    let unreadable = count(WarningKind::UnreadableNumber);
    deduct(
        (3 * unreadable).min(10),
        format!("{unreadable} 个目标数值无法识别 / {unreadable} target numbers unreadable"),
    );
    let leaves: Vec<&Item> = items
        .iter()
        .zip(has_children)
        .filter(|(_, c)| !**c)
        .map(|(i, _)| i)
        .collect();
    let with_units = leaves.iter().filter(|i| !i.units.is_empty()).count();
    if with_units > 0 {
        let without = leaves.len() - with_units;
        deduct(
            (20 * without as i64) / leaves.len() as i64,
            format!(
                "{without} 个末级条目没有责任单位 / {without} leaf items without responsible units"
            ),
        );
    }
    Review {
        confidence: u8::try_from(score.clamp(0, 100)).unwrap_or(0),
        reasons,
        unplaced,
    }
}

/// 工作目标, 主要目标, 发展目标, 主要指标 — but not 目标责任 or 目标考核, which are measures.
fn is_goal_heading(h: &str) -> bool {
    (h.contains("目标") || h.ends_with("指标"))
        && !["责任", "考核", "考评", "督查", "管理"]
            .iter()
            .any(|w| h.contains(w))
}

/// Numbering that skips or restarts is placed as written, with a warning.
fn check_sequence(
    m: &Marker,
    parent: Option<usize>,
    last_child: &HashMap<(Option<usize>, Kind), u32>,
    last_of_kind: &HashMap<Kind, u32>,
    line: usize,
    warnings: &mut Vec<Warning>,
) {
    let prev = last_child.get(&(parent, m.kind)).copied();
    let global = last_of_kind.get(&m.kind).copied();
    let ok = match prev {
        Some(p) => m.value == p + 1,
        // First under its parent: 1, or continuing the numbering of the previous section.
        None => m.value == 1 || global.is_some_and(|g| m.value == g + 1),
    };
    if !ok {
        let expected = prev.map_or(1, |p| p + 1);
        warnings.push(Warning {
            line: Some(line),
            kind: WarningKind::UnplacedItem,
            message: format!(
                "编号 {} 不连续 (应为第{expected}项) / numbering jumps to {} (expected item {expected})",
                m.label, m.label
            ),
        });
    }
}

/// Paragraphs of an item: the marker line from its content, then the continuation lines.
fn own_text(node: &Node, lines: &[Line<'_>]) -> OwnText {
    let paragraphs = node
        .lines
        .iter()
        .enumerate()
        .map(|(k, &i)| (i, if k == 0 { node.content_start } else { 0 }));
    paragraphs_text(paragraphs, lines)
}

fn paragraphs_text(
    paragraphs: impl Iterator<Item = (usize, usize)>,
    lines: &[Line<'_>],
) -> OwnText {
    let mut chars = Vec::new();
    let mut pieces = Vec::new();
    for (i, byte_start) in paragraphs {
        let Some(line) = lines.get(i) else { continue };
        let content = line.text.get(byte_start..).unwrap_or_default();
        let lead_ws = content
            .chars()
            .take_while(|c| crate::text::is_space(*c))
            .count();
        let content = content.trim_start_matches(crate::text::is_space);
        if content.is_empty() {
            continue;
        }
        if !chars.is_empty() {
            chars.push('\n');
        }
        let col =
            line.offset + line.text.get(..byte_start).map_or(0, |s| s.chars().count()) + lead_ws;
        pieces.push(Piece {
            at: chars.len(),
            line: line.no,
            col,
        });
        chars.extend(content.chars());
    }
    OwnText { chars, pieces }
}

/// Split an item into its short title (when it has one) and its text.
fn heading_and_text(
    node: &Node,
    lines: &[Line<'_>],
    has_children: bool,
) -> (Option<String>, String) {
    let mut paras: Vec<String> = Vec::new();
    for (k, &i) in node.lines.iter().enumerate() {
        let Some(line) = lines.get(i) else { continue };
        let start = if k == 0 { node.content_start } else { 0 };
        let t = line
            .text
            .get(start..)
            .unwrap_or_default()
            .trim_matches(crate::text::is_space);
        if !t.is_empty() {
            paras.push(t.to_owned());
        }
    }
    let Some(first) = paras.first().cloned() else {
        return (None, String::new());
    };
    let rest = paras[1..].join("\n");
    let trimmed = first.trim_end_matches(['。', '.', '；', ';', '：', ':']);
    let inner_stop = trimmed
        .chars()
        .any(|c| matches!(c, '。' | '；' | ';' | '！' | '？'));
    if !inner_stop && trimmed.chars().count() <= 40 && (!rest.is_empty() || has_children) {
        let text = if rest.is_empty() {
            trimmed.to_owned()
        } else {
            rest
        };
        return (Some(trimmed.to_owned()), text);
    }
    let full = paras.join("\n");
    // "强化工投集团功能。创新基金…": a short first sentence followed by more than a unit bracket.
    let chars: Vec<char> = first.chars().collect();
    let stop = chars.iter().position(|c| matches!(c, '。' | '：' | ':'));
    // Articles (第X条) are sentences, not headed paragraphs.
    if let Some(s) = stop.filter(|&s| (2..=30).contains(&s) && node.kind != Kind::Article) {
        let after: String = chars[s + 1..].iter().collect();
        let after = after.trim();
        let only_units =
            after.starts_with(['(', '（']) && after.contains("单位") || after.is_empty();
        if !only_units || !rest.is_empty() {
            let h: String = chars[..s].iter().collect();
            if !h.contains(['(', '（']) || h.contains([')', '）']) {
                return (Some(h), full);
            }
        }
    }
    (None, full)
}

/// A line that names responsible units (a task table's row, a task's note).
fn names_units(text: &str) -> bool {
    ["责任单位", "牵头单位", "配合单位", "责任部门", "牵头部门"]
        .iter()
        .any(|w| text.contains(w))
}
