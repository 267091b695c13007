//! The 任务分解表 workbook: the office's familiar spreadsheet of a plan, out and back in.
//!
//! Sheets: 任务分解表 (序号 | 任务 | 具体内容 | 牵头单位 | 配合单位 | 目标值 | 单位 | 时间节点, one row per
//! numbered item), 主要指标 (every target with its kind and responsible unit) and 方案信息 (title,
//! 文号, issuer, date, year). Reading accepts a county's own 任务分解表 without the other two
//! sheets: columns are found by their headers, in any order, and a vertically merged 任务 cell
//! carries down. Every bad cell is reported as `工作表 第N行 第X列 "列名": 问题`; nothing is
//! written unless the whole workbook is valid.

use crate::AppError;
use crate::plan_import::current_year;
use crate::sheet::{
    Table, add_key_value_sheet, add_sheet, header_format, key_values, open_workbook, read_figure,
    read_rows, read_table, set_widths, write_texts, xlsx_error,
};
use qx_core::access::Actor;
use qx_core::indicator::{Comparator, IndicatorKind, TargetLevel};
use qx_core::label::{Labelled, Lang};
use qx_core::units::TaskRole;
use qx_store::Store;
use qx_store::plans::{DraftItem, DraftTarget, DraftUnit, NewPlanDraft, PlanMeta};
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook};
use std::collections::{BTreeSet, HashMap};

pub const TASK_SHEET: &str = "任务分解表";
pub const TARGET_SHEET: &str = "主要指标";
pub const META_SHEET: &str = "方案信息";

const TASK_HEADERS: [&str; 8] = [
    "序号",
    "任务",
    "具体内容",
    "牵头单位",
    "配合单位",
    "目标值",
    "单位",
    "时间节点",
];
const TARGET_HEADERS: [&str; 10] = [
    "所在条目",
    "层级",
    "指标名称",
    "原文",
    "目标值",
    "目标上限",
    "单位",
    "比较",
    "类型",
    "责任单位",
];

/// Writes a plan (draft or published) as the 任务分解表 workbook.
pub async fn export_plan(store: &Store, actor: &Actor, plan_id: i64) -> Result<Vec<u8>, AppError> {
    let plan = store.get_plan(actor, plan_id).await?;
    let items = store.plan_items(actor, plan_id).await?;
    let targets = store.plan_targets(actor, plan_id).await?;
    let names: HashMap<i64, String> = store.unit_names().await?;

    let mut wb = Workbook::new();
    let header = header_format().set_align(FormatAlign::Center);
    let wrap = Format::new()
        .set_text_wrap()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Top);

    let ws = add_sheet(&mut wb, TASK_SHEET, 0, &TASK_HEADERS, &header)?;
    set_widths(ws, &[14.0, 24.0, 60.0, 18.0, 24.0, 10.0, 8.0, 12.0])?;
    ws.set_freeze_panes(1, 0).map_err(xlsx_error)?;
    for (r, (item, units)) in items.iter().enumerate() {
        let row = (r + 1) as u32;
        let join = |role: TaskRole| {
            units
                .iter()
                .filter(|u| u.role == role)
                .map(|u| u.name.as_str())
                .collect::<Vec<_>>()
                .join("、")
        };
        let first_target = targets
            .iter()
            .find(|t| t.section == item.number && t.level == TargetLevel::Task);
        let cells = [
            item.number.clone(),
            item.heading.clone().unwrap_or_default(),
            item.text.clone(),
            join(TaskRole::Lead),
            join(TaskRole::Support),
            first_target.map(|t| t.value.clone()).unwrap_or_default(),
            first_target.map(|t| t.unit.clone()).unwrap_or_default(),
            item.deadline.clone(),
        ];
        write_texts(ws, row, &cells, Some(&wrap))?;
    }

    let ws = add_sheet(&mut wb, TARGET_SHEET, 0, &TARGET_HEADERS, &header)?;
    set_widths(
        ws,
        &[12.0, 10.0, 24.0, 40.0, 10.0, 10.0, 10.0, 8.0, 12.0, 16.0],
    )?;
    ws.set_freeze_panes(1, 0).map_err(xlsx_error)?;
    for (r, t) in targets
        .iter()
        .filter(|t| t.included != 0 || t.level == TargetLevel::Plan)
        .enumerate()
    {
        let row = (r + 1) as u32;
        let cells = [
            t.section.clone(),
            t.level.label(Lang::Zh).to_string(),
            t.name.clone(),
            t.text.clone(),
            t.value.clone(),
            t.value_max.clone().unwrap_or_default(),
            t.unit.clone(),
            t.comparator.as_str().to_string(),
            t.kind.label(Lang::Zh).to_string(),
            t.unit_id
                .and_then(|id| names.get(&id).cloned())
                .unwrap_or_default(),
        ];
        write_texts(ws, row, &cells, Some(&wrap))?;
    }

    let meta = [
        ("标题", plan.title.clone()),
        ("文号", plan.doc_number.clone()),
        ("发文机关", plan.issuer.clone()),
        ("成文日期", plan.issued_on.clone().unwrap_or_default()),
        ("年度", plan.year.to_string()),
    ];
    add_key_value_sheet(&mut wb, META_SHEET, [12.0, 70.0], &meta, &header, None)?;
    let bytes = wb.save_to_buffer().map_err(xlsx_error)?;
    Ok(bytes)
}

/// Reads an edited workbook into a new draft plan (office only). Any bad cell fails the whole
/// import with every problem listed.
pub async fn import_workbook(
    store: &Store,
    actor: &Actor,
    bytes: &[u8],
    file_name: &str,
) -> Result<i64, AppError> {
    let draft = read_workbook(store, bytes, file_name).await?;
    Ok(store.create_plan_draft(actor, &draft).await?)
}

/// A sheet located by name and read as a [`Table`]; `Ok(None)` when the workbook has no such
/// sheet. A sheet the upload reader refuses is refused as a whole.
fn plan_table(
    wb: &mut qx_upload::Workbook<'_>,
    sheet: &str,
    wanted: &[&'static str],
    required: &[&'static str],
) -> Result<Option<Table>, AppError> {
    read_table(wb, sheet, wanted, required)?
        .transpose()
        .map_err(AppError::Rows)
}

async fn read_workbook(
    store: &Store,
    bytes: &[u8],
    file_name: &str,
) -> Result<NewPlanDraft, AppError> {
    let mut wb = open_workbook(bytes, file_name)?;
    let mut errors = Vec::new();
    let sheet_names = wb.sheet_names();
    let task_sheet = if sheet_names.iter().any(|s| s == TASK_SHEET) {
        TASK_SHEET.to_string()
    } else {
        sheet_names
            .first()
            .cloned()
            .ok_or_else(|| AppError::Invalid(format!("{file_name}: 工作簿是空的")))?
    };
    let tasks = match plan_table(&mut wb, &task_sheet, &TASK_HEADERS, &["序号", "具体内容"]) {
        Ok(Some(t)) => t,
        Ok(None) => {
            return Err(AppError::Invalid(format!(
                "{file_name}: 找不到工作表 {task_sheet}"
            )));
        }
        Err(e) => return Err(e),
    };
    let target_table = match plan_table(
        &mut wb,
        TARGET_SHEET,
        &TARGET_HEADERS,
        &["所在条目", "指标名称", "目标值", "单位"],
    ) {
        Ok(t) => t,
        Err(AppError::Rows(e)) => {
            errors.extend(e);
            None
        }
        Err(e) => return Err(e),
    };
    let meta = key_values(read_rows(&mut wb, META_SHEET)?.unwrap_or_default());

    let mut unit_cache: HashMap<String, Option<(i64, String)>> = HashMap::new();
    let mut items = Vec::new();
    let mut seen = BTreeSet::new();
    let mut carried_task = String::new();
    let mut fallback_targets = Vec::new();
    for (r, row) in tasks.rows.iter().map(|(n, cells)| (*n, cells)) {
        if row.iter().all(String::is_empty) {
            continue;
        }
        let number = tasks
            .get(row, "序号")
            .replace(['（', '）'], "()")
            .replace(['、', '．', '。'], "")
            .replace(' ', "");
        let text = tasks.get(row, "具体内容");
        let heading = tasks.get(row, "任务");
        // A vertically merged 任务 cell is read in its first row only: carry it down.
        if !heading.is_empty() {
            carried_task = heading.clone();
        }
        if number.is_empty() {
            errors.push(format!(
                "{}: 序号为空 (item number is empty)",
                tasks.at(r, "序号")
            ));
            continue;
        }
        if !seen.insert(number.clone()) {
            errors.push(format!(
                "{}: 序号 {number} 重复 (duplicate)",
                tasks.at(r, "序号")
            ));
        }
        if text.is_empty() && carried_task.is_empty() {
            errors.push(format!(
                "{}: 具体内容为空 (text is empty)",
                tasks.at(r, "具体内容")
            ));
        }
        let mut units = Vec::new();
        for (col, role) in [
            ("牵头单位", TaskRole::Lead),
            ("配合单位", TaskRole::Support),
        ] {
            for name in split_units(&tasks.get(row, col)) {
                let resolved = match unit_cache.get(&name) {
                    Some(v) => v.clone(),
                    None => {
                        let v = store.resolve_unit(&name).await?.map(|u| (u.id, u.name));
                        unit_cache.insert(name.clone(), v.clone());
                        v
                    }
                };
                match resolved {
                    Some((id, canonical)) => units.push(DraftUnit {
                        name: canonical,
                        unit_id: Some(id),
                        role,
                    }),
                    None => errors.push(format!(
                        "{}: 单位 \"{name}\" 不在单位登记表中 (unknown unit)",
                        tasks.at(r, col)
                    )),
                }
            }
        }
        let value = tasks.get(row, "目标值");
        if !value.is_empty() && target_table.is_none() {
            let unit = tasks.get(row, "单位");
            match read_number(&value, &unit) {
                Ok(v) => fallback_targets.push(DraftTarget {
                    level: TargetLevel::Task,
                    section: number.clone(),
                    text: text.chars().take(60).collect(),
                    name: if heading.is_empty() {
                        carried_task.clone()
                    } else {
                        heading.clone()
                    },
                    kind: IndicatorKind::infer(&text, &unit, ">=").as_str().into(),
                    value: v,
                    value_max: None,
                    unit,
                    comparator: ">=".into(),
                    unit_id: units
                        .iter()
                        .find(|u| u.role == TaskRole::Lead)
                        .and_then(|u| u.unit_id),
                    included: true,
                    line: (r + 1) as i64,
                }),
                Err(m) => errors.push(format!("{}: {m}", tasks.at(r, "目标值"))),
            }
        }
        items.push(DraftItem {
            depth: number.split('.').count() as i64,
            number,
            heading: (!heading.is_empty()).then_some(heading),
            text: if text.is_empty() {
                carried_task.clone()
            } else {
                text
            },
            deadline: tasks.get(row, "时间节点"),
            line_first: (r + 1) as i64,
            line_last: (r + 1) as i64,
            units,
        });
    }

    let mut targets = Vec::new();
    if let Some(tt) = &target_table {
        for (r, row) in tt.rows.iter().map(|(n, cells)| (*n, cells)) {
            if row.iter().all(String::is_empty) {
                continue;
            }
            let name = tt.get(row, "指标名称");
            if name.is_empty() {
                errors.push(format!("{}: 指标名称为空", tt.at(r, "指标名称")));
            }
            let unit = tt.get(row, "单位");
            let value = match read_number(&tt.get(row, "目标值"), &unit) {
                Ok(v) => v,
                Err(m) => {
                    errors.push(format!("{}: {m}", tt.at(r, "目标值")));
                    continue;
                }
            };
            let max = tt.get(row, "目标上限");
            let value_max = if max.is_empty() {
                None
            } else {
                match read_number(&max, &unit) {
                    Ok(v) => Some(v),
                    Err(m) => {
                        errors.push(format!("{}: {m}", tt.at(r, "目标上限")));
                        None
                    }
                }
            };
            let cmp_text = tt.get(row, "比较");
            let comparator = if cmp_text.is_empty() {
                Some(Comparator::AtLeast)
            } else {
                Comparator::parse(&cmp_text)
            };
            let Some(comparator) = comparator else {
                errors.push(format!(
                    "{}: \"{cmp_text}\" 应为 >=、<= 或 =",
                    tt.at(r, "比较")
                ));
                continue;
            };
            let text = tt.get(row, "原文");
            let kind_text = tt.get(row, "类型");
            let kind = if kind_text.is_empty() {
                IndicatorKind::infer(&text, &unit, comparator.as_str())
            } else if let Some(k) = IndicatorKind::ALL
                .into_iter()
                .find(|k| k.label_zh() == kind_text || k.as_str() == kind_text)
            {
                k
            } else {
                let allowed: Vec<&str> = IndicatorKind::ALL.iter().map(|k| k.label_zh()).collect();
                errors.push(format!(
                    "{}: \"{kind_text}\" 应为 {}",
                    tt.at(r, "类型"),
                    allowed.join("、")
                ));
                continue;
            };
            let unit_name = tt.get(row, "责任单位");
            let unit_id = if unit_name.is_empty() {
                None
            } else {
                match store.resolve_unit(&unit_name).await? {
                    Some(u) => Some(u.id),
                    None => {
                        errors.push(format!(
                            "{}: 单位 \"{unit_name}\" 不在单位登记表中",
                            tt.at(r, "责任单位")
                        ));
                        None
                    }
                }
            };
            let section = tt.get(row, "所在条目");
            if !section.is_empty() && !seen.contains(&section) {
                errors.push(format!(
                    "{}: 条目 {section} 不在任务分解表中",
                    tt.at(r, "所在条目")
                ));
            }
            targets.push(DraftTarget {
                level: if tt.get(row, "层级") == TargetLevel::Task.label(Lang::Zh) {
                    TargetLevel::Task
                } else {
                    TargetLevel::Plan
                },
                section,
                text: if text.is_empty() { name.clone() } else { text },
                name,
                value,
                value_max,
                unit,
                comparator: comparator.as_str().into(),
                kind: kind.as_str().into(),
                unit_id,
                included: true,
                line: (r + 1) as i64,
            });
        }
    } else {
        targets = fallback_targets;
    }

    let year = match meta.get("年度").filter(|y| !y.is_empty()) {
        Some(y) => match y.trim_end_matches('年').parse::<i64>() {
            Ok(y) if (2000..=2100).contains(&y) => y,
            _ => {
                errors.push(format!("{META_SHEET}: 年度 \"{y}\" 不是有效年份"));
                current_year()
            }
        },
        None => year_in(file_name).unwrap_or_else(current_year),
    };
    if !errors.is_empty() {
        return Err(AppError::Rows(errors));
    }
    if items.is_empty() {
        return Err(AppError::Invalid(format!(
            "{file_name}: {task_sheet} 没有数据行"
        )));
    }
    let title = meta
        .get("标题")
        .filter(|t| !t.is_empty())
        .cloned()
        .unwrap_or_else(|| {
            file_name
                .trim_end_matches(".xlsx")
                .trim_end_matches(".xls")
                .to_string()
        });
    let source_text = items
        .iter()
        .map(|i| {
            format!(
                "{} {} {}",
                i.number,
                i.heading.clone().unwrap_or_default(),
                i.text
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    Ok(NewPlanDraft {
        meta: PlanMeta {
            year,
            title,
            doc_number: meta.get("文号").cloned().unwrap_or_default(),
            issuer: meta.get("发文机关").cloned().unwrap_or_default(),
            issued_on: meta.get("成文日期").filter(|d| !d.is_empty()).cloned(),
        },
        source_name: file_name.to_string(),
        source_format: "xlsx".into(),
        source_text,
        items,
        targets,
    })
}

fn split_units(s: &str) -> Vec<String> {
    s.split(['、', ',', '，', ';', '；', '\n', ' ', '\u{3000}', '/'])
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_string)
        .collect()
}

/// A target number from a cell ([`read_figure`]); an empty cell or a placeholder is refused.
fn read_number(cell: &str, unit: &str) -> Result<String, String> {
    read_figure(cell, unit)?
        .ok_or_else(|| format!("目标值为空或为 \"{cell}\" (a number is required)"))
}

fn year_in(name: &str) -> Option<i64> {
    name.as_bytes()
        .windows(4)
        .filter_map(|w| std::str::from_utf8(w).ok()?.parse::<i64>().ok())
        .find(|y| (2000..=2100).contains(y))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sheet::col_letter;

    #[test]
    fn numbers_are_read_from_messy_cells() {
        assert_eq!(read_number("８%", "%").unwrap(), "8");
        assert_eq!(read_number("28.5亿元", "亿元").unwrap(), "28.5");
        assert_eq!(read_number(" 1,200 ", "家").unwrap(), "1200");
        assert!(read_number("—", "家").is_err());
        assert!(read_number("很多", "家").is_err());
        assert_eq!(col_letter(0), "A");
        assert_eq!(col_letter(27), "AB");
        assert_eq!(year_in("象山县2018年任务分解表.xlsx"), Some(2018));
    }
}
