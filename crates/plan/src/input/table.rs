//! Paragraphs and tables → text lines the structure parser reads.
//!
//! A task table (a header naming 责任单位 / 牵头单位 / 配合单位 …) becomes one numbered line per
//! row with its units in a `（牵头单位：…；配合单位：…）` bracket, exactly as a typed plan would
//! say it; a category (a 类别 cell, or a row of its own naming the rows below it) becomes a
//! `（类别：…）` note on each of its rows, since an unnumbered line would be read as the text of
//! the item above it, while a row of its own that is numbered (`二、项目建设`) stays a heading
//! line. An indicator table
//! (指标 | 单位 | 目标值) becomes `name value unit` lines. Other tables are rows of tab-separated cells.

use super::Block;
use crate::text::{digit, fold_key, is_cn_numeral_char};

pub(crate) fn to_lines(blocks: Vec<Block>) -> Vec<String> {
    let mut lines = Vec::new();
    for block in blocks {
        match block {
            Block::Para(p) => lines.extend(p.split('\n').map(str::to_owned)),
            Block::Table(rows) => table_lines(rows, &mut lines),
        }
    }
    lines
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Col {
    Number,
    Content,
    Lead,
    Support,
    Plain,
    /// 完成时限, 时间节点: kept as a note, which is the item's deadline.
    Deadline,
    Other,
    Unit,
    Value,
}

fn classify(header: &str) -> Col {
    let h = fold_key(header);
    let has = |words: &[&str]| words.iter().any(|w| h.contains(w));
    if h.is_empty() {
        Col::Content
    } else if matches!(h.as_str(), "序号" | "编号" | "序" | "No." | "NO.") {
        Col::Number
    } else if has(&["牵头", "主办", "主责"]) {
        Col::Lead
    } else if has(&["配合", "协办", "参与", "协助", "协同"]) {
        Col::Support
    } else if has(&[
        "责任单位",
        "责任部门",
        "责任主体",
        "实施单位",
        "负责单位",
        "责任科室",
    ]) {
        Col::Plain
    } else if has(&["时间", "时限", "节点", "期限"]) {
        Col::Deadline
    } else if has(&["进度", "节点", "备注", "领导", "联系人", "电话", "完成"]) {
        Col::Other
    } else if matches!(h.as_str(), "单位" | "计量单位" | "单位名称") && !has(&["名称"])
    {
        Col::Unit
    } else if has(&["目标", "预期", "计划值", "指标值", "数值"])
        || (h.contains("年") && h.chars().any(|c| digit(c).is_some()))
    {
        Col::Value
    } else {
        Col::Content
    }
}

fn table_lines(rows: Vec<Vec<String>>, out: &mut Vec<String>) {
    let header_at = rows.iter().take(3).position(|row| {
        let cols: Vec<Col> = row.iter().map(|c| classify(c)).collect();
        cols.iter()
            .any(|c| matches!(c, Col::Lead | Col::Support | Col::Plain))
            || (cols.contains(&Col::Unit) && cols.contains(&Col::Value))
    });
    let Some(header_at) = header_at else {
        for row in rows {
            let cells: Vec<&str> = row
                .iter()
                .map(|c| c.trim())
                .filter(|c| !c.is_empty())
                .collect();
            if !cells.is_empty() {
                out.push(cells.join("\t").replace('\n', " "));
            }
        }
        return;
    };
    for row in rows.iter().take(header_at) {
        out.push(row.join("\t").replace('\n', " "));
    }
    let (header, data_from) = match rows.get(header_at + 1) {
        Some(sub) if sub_header(&rows[header_at], sub) => {
            (merged_header(&rows[header_at], sub), header_at + 2)
        }
        _ => (rows[header_at].clone(), header_at + 1),
    };
    let header = &header;
    let cols: Vec<Col> = header.iter().map(|c| classify(c)).collect();
    let content_cols: Vec<usize> = (0..cols.len())
        .filter(|&i| cols[i] == Col::Content)
        .collect();
    let main_col = content_cols.last().copied();
    let is_indicator = cols.contains(&Col::Unit) && cols.contains(&Col::Value);
    // Category columns: the content columns before the task's (类别, 重点领域). Each holds the
    // category its last filled cell or category row named, for the rows that leave it empty.
    let category_cols: Vec<usize> = content_cols
        .iter()
        .copied()
        .filter(|&i| Some(i) != main_col)
        .collect();
    let label = |i: usize| match header[i].trim().replace('\n', "") {
        h if h.is_empty() => "类别".to_owned(),
        h => h,
    };
    let mut groups: Vec<String> = vec![String::new(); cols.len()];
    // A category row in a table without a category column.
    let mut band = String::new();
    let mut counter = 0u32;
    for row in rows.iter().skip(data_from) {
        let cell = |i: usize| row.get(i).map_or("", |s| s.trim());
        let filled: Vec<&str> = row
            .iter()
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .collect();
        if filled.is_empty() {
            continue;
        }
        if filled.len() == 1 || filled.iter().all(|c| *c == filled[0]) {
            let text = filled[0].replace('\n', " ");
            if crate::marker::parse_marker(&text).is_some() || is_indicator {
                // A numbered row of its own is a heading of the plan's tree.
                out.push(text);
            } else {
                // A category row: it names the rows below it, up to the next.
                match category_cols.first() {
                    Some(&i) => groups[i] = text,
                    None => band = text,
                }
            }
            continue;
        }
        for &i in &category_cols {
            if !cell(i).is_empty() {
                groups[i] = cell(i).replace('\n', " ");
            }
        }
        let mut content = main_col.map_or(String::new(), |i| cell(i).to_owned());
        let value = cols.iter().position(|c| *c == Col::Value).map_or("", cell);
        if is_indicator {
            let unit = cols.iter().position(|c| *c == Col::Unit).map_or("", cell);
            content = format!("{content}{value}{unit}");
        } else if !value.is_empty() {
            // A task's 目标值 cell completes its text: 新增规上工业企业 | 40家.
            let task = content.trim_end_matches(['。', '；', ';', '.', ' ']);
            content = format!("{task}{}", value.replace('\n', " "));
        }
        let number = cols.iter().position(|c| *c == Col::Number).map_or("", cell);
        let marker = marker_for(number, &content, &mut counter, is_indicator);
        let mut roles: Vec<String> = Vec::new();
        let mut notes: Vec<String> = Vec::new();
        if !band.is_empty() {
            notes.push(format!("（类别：{band}）"));
        }
        for &i in &category_cols {
            if !groups[i].is_empty() {
                notes.push(format!("（{}：{}）", label(i), groups[i]));
            }
        }
        for (i, col) in cols.iter().enumerate() {
            let v = cell(i).replace('\n', "、");
            if v.is_empty() {
                continue;
            }
            match col {
                Col::Lead => roles.push(format!("牵头单位：{v}")),
                Col::Support => roles.push(format!("配合单位：{v}")),
                Col::Plain => roles.push(format!("责任单位：{v}")),
                Col::Other | Col::Deadline => {
                    notes.push(format!("（{}：{v}）", header[i].trim().replace('\n', "")))
                }
                _ => {}
            }
        }
        let mut paras = content.split('\n');
        let first = paras.next().unwrap_or_default();
        let bracket = if roles.is_empty() {
            String::new()
        } else {
            format!("（{}）", roles.join("；"))
        };
        out.push(format!("{marker}{first}{bracket}{}", notes.concat()));
        out.extend(paras.map(str::to_owned));
    }
}

/// Task tables that reached us as text lines — copied out of a PDF or a spreadsheet, or typed:
/// a header line such as `序号 类别 工作任务 责任单位`, then one line a row, cells separated by
/// tabs or spaces (`3 规上工业增加值增长6%以上,技改投资增长10%. 经信局`). The rows are read
/// like a .docx table's: each becomes a numbered item with its units. Cells are separated by
/// tabs when the line has any, else by runs of spaces; a row that leaves out its category
/// cell (merged with the row above) is read by what its cells look like.
pub(crate) fn flattened(lines: Vec<String>) -> Vec<String> {
    let mut out = Vec::with_capacity(lines.len());
    let mut i = 0;
    while i < lines.len() {
        let Some(header) = flat_header(&lines[i]) else {
            out.push(lines[i].clone());
            i += 1;
            continue;
        };
        let cols: Vec<Col> = header.iter().map(|c| classify(c)).collect();
        let mut rows = vec![header.clone()];
        let mut j = i + 1;
        while j < lines.len() {
            let line = lines[j].trim_matches(crate::text::is_space);
            if line.is_empty() {
                j += 1;
                continue;
            }
            match flat_row(line, &cols) {
                Some(row) => rows.push(row),
                None => break,
            }
            j += 1;
        }
        if rows.len() == 1 {
            out.push(lines[i].clone());
            i += 1;
            continue;
        }
        table_lines(rows, &mut out);
        i = j;
    }
    out
}

/// A header over two rows: `责任单位` spanning `牵头单位 | 配合单位` below it, the cells beside it
/// spanning both rows (repeated below, or empty). The row under the header is such a second
/// row when it holds no figure or sentence, repeats or leaves empty the header's 序号 cell, and
/// names a column of its own (units, a deadline, a target).
fn sub_header(header: &[String], row: &[String]) -> bool {
    let number_cell = header
        .iter()
        .position(|c| classify(c) == Col::Number)
        .and_then(|i| row.get(i));
    number_cell.is_none_or(|c| c.trim().is_empty() || header.contains(c))
        && row.iter().all(|c| c.chars().count() <= 12)
        && row.iter().zip(header).any(|(c, h)| {
            c.trim() != h.trim()
                && matches!(
                    classify(c),
                    Col::Lead | Col::Support | Col::Plain | Col::Deadline | Col::Value | Col::Unit
                )
        })
}

/// Each column's name from a two-row header: the lower cell where it names one of its own, the
/// upper cell otherwise.
fn merged_header(header: &[String], sub: &[String]) -> Vec<String> {
    (0..header.len().max(sub.len()))
        .map(|i| {
            let upper = header.get(i).map_or("", |c| c.trim());
            match sub.get(i).map(|c| c.trim()) {
                Some(lower) if !lower.is_empty() && lower != upper => lower.to_owned(),
                _ => upper.to_owned(),
            }
        })
        .collect()
}

fn cells_of(line: &str) -> Vec<String> {
    let line = line.trim_matches(crate::text::is_space);
    if line.contains('\t') {
        line.split('\t')
            .map(|c| c.trim_matches(crate::text::is_space).to_owned())
            .collect()
    } else {
        line.split(crate::text::is_space)
            .filter(|c| !c.is_empty())
            .map(str::to_owned)
            .collect()
    }
}

/// `序号 … 责任单位`: short cells, a number column and a column of responsible units.
pub(super) fn flat_header(line: &str) -> Option<Vec<String>> {
    let cells = cells_of(line);
    if cells.len() < 3 || cells.iter().any(|c| c.chars().count() > 12) {
        return None;
    }
    let cols: Vec<Col> = cells.iter().map(|c| classify(c)).collect();
    (cols.first() == Some(&Col::Number)
        && cols.contains(&Col::Content)
        && cols
            .iter()
            .any(|c| matches!(c, Col::Lead | Col::Support | Col::Plain)))
    .then_some(cells)
}

/// A row under a flattened header: `number cells…`, or a category line of its own.
fn flat_row(line: &str, cols: &[Col]) -> Option<Vec<String>> {
    let main = cols.iter().rposition(|c| *c == Col::Content)?;
    let mut tokens = cells_of(line);
    let first = tokens.first()?;
    let numbered = first.chars().all(|c| digit(c).is_some());
    if !numbered {
        // A category spanning the rows below it: one short cell with no sentence in it.
        if tokens.len() != 1 || !short_label(first) {
            return None;
        }
        let mut row = vec![String::new(); cols.len()];
        let at = (0..main).find(|&k| cols[k] == Col::Content).unwrap_or(main);
        row[at] = first.clone();
        return Some(row);
    }
    let mut row = vec![String::new(); cols.len()];
    // Cells split on tabs, one for each column: each is where the header says.
    if line.contains('\t') && tokens.len() == cols.len() {
        return Some(tokens);
    }
    row[0] = tokens.remove(0);
    // The columns after the content, filled from the end while each cell looks like what its
    // column holds (a unit, a figure, a deadline); a column whose cell does not is left empty.
    for k in (main + 1..cols.len()).rev() {
        let fits = |t: &str| match cols[k] {
            Col::Lead | Col::Support | Col::Plain => unit_like(t),
            Col::Value => value_like(t),
            Col::Deadline => deadline_like(t),
            _ => false,
        };
        if tokens.len() > 1 && tokens.last().is_some_and(|t| fits(t)) {
            row[k] = tokens.pop().unwrap_or_default();
        }
    }
    // Category columns before the content, filled while the cells look like labels.
    for slot in row.iter_mut().take(main).skip(1) {
        if tokens.len() > 1 && tokens.first().is_some_and(|t| short_label(t)) {
            *slot = tokens.remove(0);
        }
    }
    if tokens.is_empty() {
        return None;
    }
    row[main] = tokens.join(" ");
    Some(row)
}

pub(super) fn short_label(s: &str) -> bool {
    let n = s.chars().count();
    (2..=10).contains(&n)
        && s.chars().all(crate::text::is_han)
        && crate::marker::parse_marker(s).is_none()
}

/// A cell of a header's second row: it names a column of units, a deadline or a figure
/// (`牵头单位`, `配合单位`, `完成时限`, `目标值`).
pub(super) fn sub_header_word(cell: &str) -> bool {
    cell.chars().count() <= 8
        && matches!(
            classify(cell),
            Col::Lead | Col::Support | Col::Plain | Col::Deadline | Col::Value | Col::Unit
        )
}

/// Whether `row`, the first row of a table's part overleaf, is the rest of the row above it
/// (a row broken across the page): the table numbers its rows, this one has no number and
/// none of its text stands in the number column.
pub(super) fn continues_row(header: &[String], row: &[String]) -> bool {
    header
        .iter()
        .position(|h| classify(h) == Col::Number)
        .is_some_and(|n| row.get(n).is_some_and(|c| c.trim().is_empty()))
        && row.iter().any(|c| !c.trim().is_empty())
}

/// The row above with the rest of each of its cells from `rest` (a row broken across a page).
pub(super) fn join_row(row: &mut [String], rest: Vec<String>) {
    for (cell, more) in row.iter_mut().zip(rest) {
        join_cell(cell, &more);
    }
}

/// A cell's text with more of it after (the rest of a wrapped or broken cell): a space only
/// between two ASCII words.
pub(super) fn join_cell(cell: &mut String, more: &str) {
    let more = more.trim();
    if cell.ends_with(|c: char| c.is_ascii_alphanumeric())
        && more.starts_with(|c: char| c.is_ascii_alphanumeric())
    {
        cell.push(' ');
    }
    cell.push_str(more);
}

/// A 目标值 cell: `40家`, `8%`, `≥30个`, `1.2亿元以上`.
fn value_like(s: &str) -> bool {
    let t = s.trim_start_matches(['≥', '≤', '>', '<', '＞', '＜']);
    s.chars().count() <= 12 && t.chars().next().is_some_and(|c| digit(c).is_some())
}

/// A 完成时限 cell: `12月底`, `全年`, `2022年6月底前`, `长期坚持`.
fn deadline_like(s: &str) -> bool {
    s.chars().count() <= 16
        && !s.contains(['。', '，', ','])
        && ["月", "日", "年", "底", "前", "季度", "长期", "持续"]
            .iter()
            .any(|w| s.contains(w))
}

/// A cell naming units: `经信局`, `县经信局、县科技局`, `各镇乡(街道)`.
fn unit_like(s: &str) -> bool {
    const SUFFIXES: &[&str] = &[
        "局", "委", "办", "部", "镇", "乡", "街道", "中心", "公司", "集团", "区", "院", "会", "所",
        "站", "队", "行", "处", "室", "政府", "单位", "部门", ")", "）",
    ];
    s.chars().count() <= 60
        && s.chars().any(crate::text::is_han)
        && !s
            .chars()
            .any(|c| matches!(c, '%' | '％' | '。' | '，' | ',') || digit(c).is_some())
        && s.split(['、', '，', ',', ';', '；'])
            .all(|name| SUFFIXES.iter().any(|x| name.ends_with(x)))
}

/// The numbering marker a row's text gets: from its 序号 cell when there is one, otherwise
/// a running count unless the content is numbered already.
fn marker_for(number: &str, content: &str, counter: &mut u32, indicator: bool) -> String {
    let n: String = number.chars().filter(|c| !c.is_whitespace()).collect();
    if !n.is_empty() {
        let last = n.chars().last().unwrap_or(' ');
        if n.chars().all(|c| digit(c).is_some()) {
            return format!("{n}.");
        }
        if n.chars().all(is_cn_numeral_char) {
            return format!("{n}、");
        }
        if matches!(last, '.' | '、' | '．' | ')' | '）') || n.starts_with(['(', '（']) {
            return n;
        }
        return format!("{n} ");
    }
    if crate::marker::parse_marker(content).is_some() || indicator {
        return String::new();
    }
    *counter += 1;
    format!("{counter}.")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn task_table_rows_become_numbered_lines() {
        let rows = vec![
            row(&[
                "类别",
                "序号",
                "工作任务",
                "牵头单位",
                "配合单位",
                "完成时限",
            ]),
            row(&[
                "产业培育",
                "1",
                "新增规上企业30家",
                "市经信局",
                "市统计局、市税务局",
                "12月底",
            ]),
            row(&["产业培育", "2", "培育单项冠军", "市经信局", "", ""]),
        ];
        let mut out = Vec::new();
        table_lines(rows, &mut out);
        assert_eq!(
            out,
            vec![
                "1.新增规上企业30家（牵头单位：市经信局；配合单位：市统计局、市税务局）（类别：产业培育）（完成时限：12月底）",
                "2.培育单项冠军（牵头单位：市经信局）（类别：产业培育）",
            ]
        );
    }

    #[test]
    fn flattened_task_table_rows_become_numbered_lines() {
        let lines: Vec<String> = [
            "二、分解任务",
            "序号 类别 工作任务 责任单位",
            "工业经济",
            "1 工业经济 规上工业增加值增长6%以上, 技改投资增长10%. 经信局",
            "2 新增规上企业20家 经信局、统计局",
            "",
            "3\t招商引资\t实际利用外资1.2亿美元\t商务局",
            "三、保障措施",
        ]
        .map(str::to_owned)
        .to_vec();
        assert_eq!(
            flattened(lines),
            vec![
                "二、分解任务",
                "1.规上工业增加值增长6%以上, 技改投资增长10%.（责任单位：经信局）（类别：工业经济）",
                "2.新增规上企业20家（责任单位：经信局、统计局）（类别：工业经济）",
                "3.实际利用外资1.2亿美元（责任单位：商务局）（类别：招商引资）",
                "三、保障措施",
            ]
        );
        // A 目标值 and a 完成时限 column around the units, with spaces or tabs.
        let lines: Vec<String> = [
            "序号 工作任务 目标值 责任单位 完成时限",
            "1 新增规上工业企业 40家 县经信局（牵头）、各乡镇 12月底",
            "2 培育专精特新企业 县经信局 全年",
            "3\t实施亿元以上产业项目\t30个\t\t全年",
        ]
        .map(str::to_owned)
        .to_vec();
        assert_eq!(
            flattened(lines),
            vec![
                "1.新增规上工业企业40家（责任单位：县经信局（牵头）、各乡镇）（完成时限：12月底）",
                "2.培育专精特新企业（责任单位：县经信局）（完成时限：全年）",
                "3.实施亿元以上产业项目30个（完成时限：全年）",
            ]
        );
        let prose = vec![
            "序号 类别 工作任务 责任单位".to_owned(),
            "一、总体要求".to_owned(),
        ];
        assert_eq!(flattened(prose.clone()), prose);
    }

    /// A category is a note on each of its rows, never a line of its own: an unnumbered line
    /// would be read as more text of the item above it (`培育专精特新企业…\n项目建设`).
    #[test]
    fn categories_name_their_rows_and_numbered_rows_of_their_own_stay_headings() {
        let rows = vec![
            row(&["序号", "工作任务", "责任单位"]),
            row(&["一、产业培育", "一、产业培育", "一、产业培育"]),
            row(&["1", "新增规上工业企业40家", "县经信局"]),
            row(&["项目建设", "", ""]),
            row(&["2", "实施亿元以上项目30个", "县发改局"]),
            row(&["3", "完成工业投资50亿元", "县经信局"]),
        ];
        let mut out = Vec::new();
        table_lines(rows, &mut out);
        assert_eq!(
            out,
            vec![
                "一、产业培育",
                "1.新增规上工业企业40家（责任单位：县经信局）",
                "2.实施亿元以上项目30个（责任单位：县发改局）（类别：项目建设）",
                "3.完成工业投资50亿元（责任单位：县经信局）（类别：项目建设）",
            ]
        );
    }

    /// 责任单位 over 牵头单位 | 配合单位: the second header row names the columns, and is no item.
    #[test]
    fn a_header_over_two_rows_names_the_columns_below() {
        let rows = vec![
            row(&["序号", "工作任务", "责任单位", "", "完成时限"]),
            row(&["序号", "工作任务", "牵头单位", "配合单位", "完成时限"]),
            row(&[
                "1",
                "新增规上工业企业30家",
                "县经信局",
                "县统计局、县税务局",
                "12月底",
            ]),
        ];
        let mut out = Vec::new();
        table_lines(rows, &mut out);
        assert_eq!(
            out,
            vec![
                "1.新增规上工业企业30家（牵头单位：县经信局；配合单位：县统计局、县税务局）（完成时限：12月底）"
            ]
        );
        // The cells beside a spanning one left empty below it (a .docx vertical merge).
        let rows = vec![
            row(&["序号", "工作任务", "责任单位", "责任单位"]),
            row(&["", "", "牵头", "配合"]),
            row(&["1", "完成工业投资60亿元", "县发改局", "县经信局"]),
        ];
        let mut out = Vec::new();
        table_lines(rows, &mut out);
        assert_eq!(
            out,
            vec!["1.完成工业投资60亿元（牵头单位：县发改局；配合单位：县经信局）"]
        );
    }

    #[test]
    fn indicator_table_rows_read_as_phrases() {
        let rows = vec![
            row(&["序号", "指标", "单位", "2018年目标"]),
            row(&["1", "规上工业增加值增速", "%", "8"]),
        ];
        let mut out = Vec::new();
        table_lines(rows, &mut out);
        assert_eq!(out, vec!["1.规上工业增加值增速8%"]);
    }
}
