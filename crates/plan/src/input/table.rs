//! Paragraphs and tables → text lines the structure parser reads.
//!
//! A task table (a header naming 责任单位 / 牵头单位 / 配合单位 …) becomes one numbered line per
//! row with its units in a `（牵头单位：…；配合单位：…）` bracket, exactly as a typed plan would
//! say it; category columns spanning several rows become heading lines. An indicator table
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
    } else if has(&[
        "时间",
        "时限",
        "进度",
        "节点",
        "备注",
        "领导",
        "联系人",
        "电话",
        "完成",
    ]) {
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
    let header = &rows[header_at];
    let cols: Vec<Col> = header.iter().map(|c| classify(c)).collect();
    let content_cols: Vec<usize> = (0..cols.len())
        .filter(|&i| cols[i] == Col::Content)
        .collect();
    let main_col = content_cols.last().copied();
    let is_indicator = cols.contains(&Col::Unit) && cols.contains(&Col::Value);
    let mut groups: Vec<String> = vec![String::new(); cols.len()];
    let mut counter = 0u32;
    for row in rows.iter().skip(header_at + 1) {
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
            out.push(filled[0].replace('\n', " "));
            continue;
        }
        for &i in &content_cols {
            if Some(i) != main_col && !cell(i).is_empty() && cell(i) != groups[i] {
                groups[i] = cell(i).to_owned();
                out.push(cell(i).replace('\n', " "));
            }
        }
        let mut content = main_col.map_or(String::new(), |i| cell(i).to_owned());
        if is_indicator {
            let value = cols.iter().position(|c| *c == Col::Value).map_or("", cell);
            let unit = cols.iter().position(|c| *c == Col::Unit).map_or("", cell);
            content = format!("{content}{value}{unit}");
        }
        let number = cols.iter().position(|c| *c == Col::Number).map_or("", cell);
        let marker = marker_for(number, &content, &mut counter, is_indicator);
        let mut roles: Vec<String> = Vec::new();
        let mut notes: Vec<String> = Vec::new();
        for (i, col) in cols.iter().enumerate() {
            let v = cell(i).replace('\n', "、");
            if v.is_empty() {
                continue;
            }
            match col {
                Col::Lead => roles.push(format!("牵头单位：{v}")),
                Col::Support => roles.push(format!("配合单位：{v}")),
                Col::Plain => roles.push(format!("责任单位：{v}")),
                Col::Other => {
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
                "产业培育",
                "1.新增规上企业30家（牵头单位：市经信局；配合单位：市统计局、市税务局）（完成时限：12月底）",
                "2.培育单项冠军（牵头单位：市经信局）",
            ]
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
