//! `--format text`: the parse as an indented outline a person can check against the document.

use crate::model::{ParsedPlan, Target, format_number};
use std::fmt::Write;

/// Render the plan as an outline: metadata, then every item indented by depth with its
/// units and the targets found in it; task indicators are listed under their items too.
pub fn render(plan: &ParsedPlan) -> String {
    let mut out = String::new();
    let or_dash = |s: &Option<String>| s.clone().unwrap_or_else(|| "—".into());
    let _ = writeln!(out, "标题 Title: {}", or_dash(&plan.title));
    let _ = writeln!(out, "发文字号 No.: {}", or_dash(&plan.doc_number));
    let _ = writeln!(out, "发文机关 Issuer: {}", or_dash(&plan.issuer));
    let _ = writeln!(out, "成文日期 Date: {}", or_dash(&plan.date));
    let _ = writeln!(
        out,
        "年度 Year: {}",
        plan.year.map_or_else(|| "—".into(), |y| y.to_string())
    );
    let _ = writeln!(
        out,
        "条目 {} 项, 目标 {} 个, 任务指标 {} 个 / {} items, {} targets, {} task indicators",
        plan.items.len(),
        plan.targets.len(),
        plan.task_indicators.len(),
        plan.items.len(),
        plan.targets.len(),
        plan.task_indicators.len()
    );
    for t in plan
        .targets
        .iter()
        .chain(&plan.task_indicators)
        .filter(|t| t.section.is_none())
    {
        let _ = writeln!(out, "  ◎ {}", target_line(t));
    }
    out.push('\n');
    for item in &plan.items {
        let indent = "  ".repeat(item.depth.saturating_sub(1));
        let label = item.number.rsplit('.').next().unwrap_or(&item.number);
        let summary = match &item.heading {
            Some(h) => h.clone(),
            None => abbreviate(&item.text, 60),
        };
        let _ = writeln!(
            out,
            "{indent}{label} {summary}    [L{}-{}]",
            item.lines.first, item.lines.last
        );
        if !item.lead_units.is_empty() || !item.support_units.is_empty() {
            let _ = writeln!(
                out,
                "{indent}    牵头 lead: {} | 配合 support: {}",
                names(&item.lead_units),
                names(&item.support_units)
            );
        } else if !item.units.is_empty() {
            let _ = writeln!(out, "{indent}    责任单位 units: {}", item.units.join("、"));
        }
        for t in plan
            .targets
            .iter()
            .filter(|t| t.section.as_deref() == Some(item.number.as_str()))
        {
            let _ = writeln!(out, "{indent}    ◎ 目标 {}", target_line(t));
        }
        for t in plan
            .task_indicators
            .iter()
            .filter(|t| t.section.as_deref() == Some(item.number.as_str()))
        {
            let _ = writeln!(out, "{indent}    · 指标 {}", target_line(t));
        }
    }
    out
}

fn target_line(t: &Target) -> String {
    let value = match t.max {
        Some(max) => format!("{}–{}", format_number(t.value), format_number(max)),
        None => format_number(t.value),
    };
    format!(
        "{} {} {}{}  «{}»",
        t.name,
        t.comparator.as_str(),
        value,
        t.unit,
        t.text
    )
}

fn abbreviate(s: &str, n: usize) -> String {
    let first = s.lines().next().unwrap_or_default();
    if first.chars().count() > n {
        format!("{}…", first.chars().take(n).collect::<String>())
    } else {
        first.to_owned()
    }
}

/// Units joined with 、, or — for none.
fn names(units: &[String]) -> String {
    if units.is_empty() {
        "—".to_owned()
    } else {
        units.join("、")
    }
}
