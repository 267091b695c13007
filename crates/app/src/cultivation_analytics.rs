//! One pipeline's analytics as a workbook: the same numbers the page shows (the stages'
//! funnel, entries and exits by month, by town, by industry), one sheet each.

use crate::AppError;
use crate::sheet::{add_sheet, header_format, set_widths, write_texts, xlsx_error};
use qx_store::cultivation::{Analytics, GroupStat};

fn numbers(
    ws: &mut rust_xlsxwriter::Worksheet,
    row: u32,
    from: u16,
    values: &[i64],
) -> Result<(), AppError> {
    for (c, v) in values.iter().enumerate() {
        ws.write(row, from + c as u16, *v as f64)
            .map_err(xlsx_error)?;
    }
    Ok(())
}

fn groups(
    wb: &mut rust_xlsxwriter::Workbook,
    name: &str,
    key: &str,
    rows: &[GroupStat],
    head: &rust_xlsxwriter::Format,
) -> Result<(), AppError> {
    let ws = add_sheet(
        wb,
        name,
        0,
        &[key, "在库", "本年入库", "本年出库", "本年完成末阶段"],
        head,
    )?;
    set_widths(ws, &[16.0, 8.0, 10.0, 10.0, 14.0])?;
    for (i, g) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        let label = if g.key.is_empty() { "未填" } else { &g.key };
        write_texts(ws, r, &[label], None)?;
        numbers(ws, r, 1, &[g.standing, g.entered, g.exited, g.completed])?;
    }
    Ok(())
}

/// The workbook of one pipeline's analytics.
pub fn workbook(a: &Analytics) -> Result<Vec<u8>, AppError> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let head = header_format();
    let ws = add_sheet(
        &mut wb,
        "阶段",
        0,
        &[
            "阶段",
            "在库",
            "累计到达",
            "进入下一阶段",
            "转化率(%)",
            "停留天数中位数",
        ],
        &head,
    )?;
    set_widths(ws, &[20.0, 8.0, 10.0, 12.0, 10.0, 14.0])?;
    for (i, s) in a.stages.iter().enumerate() {
        let r = i as u32 + 1;
        write_texts(ws, r, &[s.name.as_str()], None)?;
        numbers(ws, r, 1, &[s.standing, s.reached])?;
        // Empty where there is nothing to divide or measure.
        for (c, v) in [
            s.moved_on.map(|v| v as f64),
            s.conversion_pct,
            s.median_days.map(|v| v as f64),
        ]
        .into_iter()
        .enumerate()
        {
            if let Some(v) = v {
                ws.write(r, 3 + c as u16, v).map_err(xlsx_error)?;
            }
        }
    }
    let ws = add_sheet(&mut wb, "月度", 0, &["月份", "入库", "出库"], &head)?;
    set_widths(ws, &[10.0, 8.0, 8.0])?;
    for (i, m) in a.months.iter().enumerate() {
        let r = i as u32 + 1;
        write_texts(ws, r, &[format!("{}年{}月", a.year, m.month)], None)?;
        numbers(ws, r, 1, &[m.entered, m.exited])?;
    }
    groups(&mut wb, "分镇", "镇乡(街道)", &a.by_town, &head)?;
    groups(&mut wb, "分行业", "行业大类", &a.by_industry, &head)?;
    wb.save_to_buffer().map_err(xlsx_error)
}
