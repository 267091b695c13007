//! The bulletin's tables as an Excel workbook: one sheet per table, header row frozen, numbers
//! stored as numbers (rates as fractions formatted `0.0%`), a totals row under each table, and
//! a 说明 sheet with the title, 发文字号, 成文日期 and the ranking rule.

use crate::rank::RULE_ZH;
use crate::text::{cumulative_label, title};
use crate::{RankRow, ReportError, Snapshot, Status, date_zh, fmt_change};
use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook, Worksheet};

pub const SHEET_INDICATORS: &str = "主要指标";
pub const SHEET_TASKS: &str = "滞后任务";
pub const SHEET_TOWNS: &str = "镇乡(街道)排名";
pub const SHEET_DEPARTMENTS: &str = "部门排名";
pub const SHEET_REVISIONS: &str = "数据更正";
pub const SHEET_ABOUT: &str = "说明";

struct Formats {
    header: Format,
    text: Format,
    number: Format,
    percent: Format,
    total: Format,
    total_number: Format,
    total_percent: Format,
}

impl Formats {
    fn new() -> Self {
        let base = Format::new()
            .set_font_name("仿宋_GB2312")
            .set_font_size(11)
            .set_border(FormatBorder::Thin);
        Formats {
            header: base
                .clone()
                .set_bold()
                .set_align(FormatAlign::Center)
                .set_background_color(Color::RGB(0xE7ECF2)),
            text: base.clone(),
            number: base.clone().set_num_format("#,##0.##"),
            percent: base.clone().set_num_format("0.0%"),
            total: base.clone().set_bold(),
            total_number: base.clone().set_bold().set_num_format("#,##0.##"),
            total_percent: base.set_bold().set_num_format("0.0%"),
        }
    }
}

fn header(ws: &mut Worksheet, f: &Formats, cols: &[(&str, f64)]) -> Result<(), ReportError> {
    for (c, (name, width)) in cols.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *name, &f.header)?;
        ws.set_column_width(c as u16, *width)?;
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

fn status_format(f: &Formats, s: Status) -> Format {
    let rgb = u32::from_str_radix(s.colour(), 16).unwrap_or(0);
    f.text.clone().set_font_color(Color::RGB(rgb))
}

fn opt_number(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    v: Option<f64>,
    fmt: &Format,
    text: &Format,
) -> Result<(), ReportError> {
    match v {
        Some(x) => ws.write_number_with_format(row, col, x, fmt)?,
        None => ws.write_string_with_format(row, col, "—", text)?,
    };
    Ok(())
}

fn indicators(wb: &mut Workbook, s: &Snapshot, f: &Formats) -> Result<(), ReportError> {
    let ws = wb.add_worksheet().set_name(SHEET_INDICATORS)?;
    let cum = format!("{}累计", cumulative_label(s.end_month));
    header(
        ws,
        f,
        &[
            ("指标", 34.0),
            ("单位", 8.0),
            ("年度目标", 12.0),
            (&cum, 14.0),
            ("完成率", 10.0),
            ("序时进度", 10.0),
            ("状态", 14.0),
            ("牵头单位", 16.0),
        ],
    )?;
    for (i, ind) in s.indicators.iter().enumerate() {
        let r = i as u32 + 1;
        ws.write_string_with_format(r, 0, &ind.name, &f.text)?;
        ws.write_string_with_format(r, 1, &ind.unit, &f.text)?;
        match ind.target.parse::<f64>() {
            Ok(t) => ws.write_number_with_format(r, 2, t, &f.number)?,
            Err(_) => ws.write_string_with_format(r, 2, &ind.target, &f.text)?,
        };
        if ind.progress_percent {
            // 形象进度: a share of the work done, written as a percentage.
            let done = ind.actual.map(|v| v / 100.0);
            opt_number(ws, r, 3, done, &f.percent, &f.text)?;
        } else {
            opt_number(ws, r, 3, ind.actual, &f.number, &f.text)?;
        }
        opt_number(ws, r, 4, ind.completion, &f.percent, &f.text)?;
        ws.write_number_with_format(r, 5, ind.time_share, &f.percent)?;
        ws.write_string_with_format(r, 6, ind.status.label_zh(), &status_format(f, ind.status))?;
        ws.write_string_with_format(r, 7, &ind.lead_unit, &f.text)?;
    }
    let r = s.indicators.len() as u32 + 1;
    ws.write_string_with_format(r, 0, format!("合计 {}项", s.indicators.len()), &f.total)?;
    ws.write_number_with_format(r, 1, s.indicators.len() as f64, &f.total_number)?;
    let completions: Vec<f64> = s.indicators.iter().filter_map(|i| i.completion).collect();
    let mean = (!completions.is_empty())
        .then(|| completions.iter().sum::<f64>() / completions.len() as f64);
    opt_number(ws, r, 4, mean, &f.total_percent, &f.total)?;
    ws.write_number_with_format(r, 5, s.time_share, &f.total_percent)?;
    ws.write_string_with_format(
        r,
        6,
        format!(
            "绿{} 黄{} 红{} 待审{} 未报{}",
            s.count(Status::Green),
            s.count(Status::Yellow),
            s.count(Status::Red),
            s.count(Status::Pending),
            s.count(Status::Grey)
        ),
        &f.total,
    )?;
    Ok(())
}

fn tasks(wb: &mut Workbook, s: &Snapshot, f: &Formats) -> Result<(), ReportError> {
    let ws = wb.add_worksheet().set_name(SHEET_TASKS)?;
    header(
        ws,
        f,
        &[
            ("编号", 8.0),
            ("任务", 36.0),
            ("牵头单位", 18.0),
            ("状态", 10.0),
            ("最新进展", 50.0),
        ],
    )?;
    for (i, t) in s.tasks.lagging.iter().enumerate() {
        let r = i as u32 + 1;
        ws.write_string_with_format(r, 0, &t.number, &f.text)?;
        ws.write_string_with_format(r, 1, &t.title, &f.text)?;
        ws.write_string_with_format(r, 2, &t.lead_units, &f.text)?;
        ws.write_string_with_format(r, 3, &t.state, &status_format(f, t.status))?;
        ws.write_string_with_format(r, 4, &t.progress, &f.text)?;
    }
    let r = s.tasks.lagging.len() as u32 + 1;
    ws.write_string_with_format(r, 0, "合计", &f.total)?;
    let counts: Vec<String> = s
        .tasks
        .counts
        .iter()
        .map(|(l, n)| format!("{l}{n}"))
        .collect();
    ws.write_string_with_format(
        r,
        1,
        format!("任务{}项: {}", s.tasks.total, counts.join(" ")),
        &f.total,
    )?;
    ws.write_number_with_format(r, 3, s.tasks.lagging.len() as f64, &f.total_number)?;
    Ok(())
}

fn ranking(
    wb: &mut Workbook,
    name: &str,
    rows: &[RankRow],
    f: &Formats,
) -> Result<(), ReportError> {
    let ws = wb.add_worksheet().set_name(name)?;
    header(
        ws,
        f,
        &[
            ("位次", 6.0),
            ("单位", 18.0),
            ("综合得分", 10.0),
            ("达序时指标", 10.0),
            ("牵头指标", 10.0),
            ("正常任务", 10.0),
            ("牵头任务", 10.0),
            ("按时报送", 10.0),
            ("应报送", 10.0),
            ("逾期报送", 10.0),
            ("平均提前天数", 12.0),
            ("较上期", 8.0),
        ],
    )?;
    for (i, u) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        ws.write_number_with_format(r, 0, f64::from(u.rank), &f.number)?;
        ws.write_string_with_format(r, 1, &u.unit, &f.text)?;
        ws.write_number_with_format(r, 2, u.score, &f.number)?;
        for (c, v) in [
            u.indicators_on_track,
            u.indicators_led,
            u.tasks_on_track,
            u.tasks_led,
            u.reports_on_time,
            u.reports_owed,
            u.reports_late,
        ]
        .into_iter()
        .enumerate()
        {
            ws.write_number_with_format(r, c as u16 + 3, f64::from(v), &f.number)?;
        }
        opt_number(ws, r, 10, u.lead_days, &f.number, &f.text)?;
        ws.write_string_with_format(r, 11, fmt_change(u.change), &f.text)?;
    }
    let r = rows.len() as u32 + 1;
    ws.write_string_with_format(r, 1, format!("合计 {}个单位", rows.len()), &f.total)?;
    let mean =
        (!rows.is_empty()).then(|| rows.iter().map(|u| u.score).sum::<f64>() / rows.len() as f64);
    opt_number(ws, r, 2, mean, &f.total_number, &f.total)?;
    let sums = [
        rows.iter().map(|u| u.indicators_on_track).sum::<u32>(),
        rows.iter().map(|u| u.indicators_led).sum(),
        rows.iter().map(|u| u.tasks_on_track).sum(),
        rows.iter().map(|u| u.tasks_led).sum(),
        rows.iter().map(|u| u.reports_on_time).sum(),
        rows.iter().map(|u| u.reports_owed).sum(),
        rows.iter().map(|u| u.reports_late).sum(),
    ];
    for (c, v) in sums.into_iter().enumerate() {
        ws.write_number_with_format(r, c as u16 + 3, f64::from(v), &f.total_number)?;
    }
    Ok(())
}

fn revisions(wb: &mut Workbook, s: &Snapshot, f: &Formats) -> Result<(), ReportError> {
    let ws = wb.add_worksheet().set_name(SHEET_REVISIONS)?;
    header(
        ws,
        f,
        &[
            ("指标", 34.0),
            ("单位", 8.0),
            ("月份", 10.0),
            ("原数据", 12.0),
            ("更正后", 12.0),
        ],
    )?;
    for (i, v) in s.revisions.iter().enumerate() {
        let r = i as u32 + 1;
        ws.write_string_with_format(r, 0, &v.indicator, &f.text)?;
        ws.write_string_with_format(r, 1, &v.unit, &f.text)?;
        ws.write_string_with_format(r, 2, cumulative_label(v.month), &f.text)?;
        opt_number(ws, r, 3, v.before, &f.number, &f.text)?;
        opt_number(ws, r, 4, v.after, &f.number, &f.text)?;
    }
    let r = s.revisions.len() as u32 + 1;
    ws.write_string_with_format(r, 0, format!("合计 {}项", s.revisions.len()), &f.total)?;
    Ok(())
}

fn about(wb: &mut Workbook, s: &Snapshot, f: &Formats) -> Result<(), ReportError> {
    let ws = wb.add_worksheet().set_name(SHEET_ABOUT)?;
    ws.set_column_width(0, 12)?;
    ws.set_column_width(1, 90)?;
    let rows = [
        ("标题", title(s)),
        ("发文字号", s.doc_number.clone()),
        ("发文机关", s.issuer.clone()),
        ("成文日期", date_zh(&s.issued_on)),
        ("期间", s.period.clone()),
        ("方案", s.plan_title.clone()),
        ("排名规则", RULE_ZH.to_string()),
    ];
    for (i, (k, v)) in rows.iter().enumerate() {
        ws.write_string_with_format(i as u32, 0, *k, &f.header)?;
        ws.write_string_with_format(i as u32, 1, v, &f.text)?;
    }
    Ok(())
}

/// The bulletin as .xlsx bytes.
pub fn render(s: &Snapshot) -> Result<Vec<u8>, ReportError> {
    let f = Formats::new();
    let mut wb = Workbook::new();
    indicators(&mut wb, s, &f)?;
    tasks(&mut wb, s, &f)?;
    ranking(&mut wb, SHEET_TOWNS, &s.towns, &f)?;
    ranking(&mut wb, SHEET_DEPARTMENTS, &s.departments, &f)?;
    if !s.revisions.is_empty() {
        revisions(&mut wb, s, &f)?;
    }
    about(&mut wb, s, &f)?;
    // A fixed creation time keeps the bytes of a republished bulletin identical.
    let props = rust_xlsxwriter::DocProperties::new()
        .set_title(title(s))
        .set_creation_datetime(&rust_xlsxwriter::ExcelDateTime::from_ymd(2000, 1, 1)?);
    wb.set_properties(&props);
    Ok(wb.save_to_buffer()?)
}
