//! A unit's monthly 调度 of its projects as a workbook: downloaded for one reporting period,
//! filled in offline, uploaded back into the unit's report of that period (saved as the
//! store's 调度 is, beside the indicators of the same submission).
//!
//! Sheets: 项目调度 (编号 hidden | 项目名称 | 阶段 | 年度计划投资 | 本年已完成投资 | 本月完成投资 |
//! 外资到位 | 内资到位 | 形象进度 | 形象进度(%) | 存在问题; only the last six unlocked) and 填报说明.
//! Reading uses the same bounded reader, figure rules and messages as the indicator template
//! ([`crate::monitoring_excel`]): every bad cell is named `项目调度 第N行 X列 "列名": 问题` and
//! nothing is saved unless every row is valid. A month the project's earlier unit has already
//! handed in ([`DispatchLine::held_elsewhere`]) is left as it is and named in the result.

use crate::AppError;
use crate::monitoring_excel::{
    TemplateFormats, UnitUpload, add_info_sheet, keyed_rows, open_unit_upload, template_for,
    template_table,
};
use crate::sheet::{Table, read_figure, xlsx_error};
use qx_core::access::Actor;
use qx_core::label::{Labelled, Lang};
use qx_core::project::fields;
use qx_store::Store;
use qx_store::projects::{DispatchFigures, DispatchInput, DispatchLine};
use rust_xlsxwriter::Workbook;
use std::collections::HashMap;

pub const DISPATCH_SHEET: &str = "项目调度";

const HEADERS: [&str; 11] = [
    "编号",
    "项目名称",
    "阶段",
    "年度计划投资",
    "本年已完成投资",
    "本月完成投资",
    "外资到位",
    "内资到位",
    "形象进度",
    "形象进度(%)",
    "存在问题",
];

/// The file name a template is offered under.
pub fn template_file_name(unit_name: &str, period: &str) -> String {
    format!("{unit_name}_{period}_项目调度.xlsx")
}

/// What an upload did: the projects saved, and the ones whose month stays with the unit that
/// reported it before the project moved here (named, with the row they were on).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DispatchImport {
    pub saved: usize,
    pub held_elsewhere: Vec<String>,
}

fn figure(v: Option<f64>) -> String {
    v.map(crate::plan_import::plain).unwrap_or_default()
}

/// Writes the unit's 调度 template for a period, pre-filled with what it has saved.
pub async fn export_template(
    store: &Store,
    actor: &Actor,
    period_id: i64,
    unit_id: i64,
) -> Result<Vec<u8>, AppError> {
    let (period, unit) = template_for(store, actor, period_id, unit_id, "项目调度").await?;
    let lines = store.dispatch_lines(actor, period_id, unit_id).await?;

    let mut wb = Workbook::new();
    let formats = TemplateFormats::new();
    let ws = formats.keyed_sheet(
        &mut wb,
        DISPATCH_SHEET,
        &HEADERS,
        &[
            6.0, 30.0, 8.0, 12.0, 12.0, 12.0, 12.0, 12.0, 30.0, 10.0, 30.0,
        ],
        2,
    )?;
    for (r, l) in lines.iter().enumerate() {
        let row = (r + 1) as u32;
        formats.write_locked_row(
            ws,
            row,
            l.project_id,
            &[
                l.name.clone(),
                l.stage.label(Lang::Zh).to_string(),
                figure(l.annual_plan_wan),
                figure(l.completed_wan),
            ],
        )?;
        let f = &l.report.figures;
        let cells = [
            figure(f.invested_wan),
            figure(f.foreign_wusd),
            figure(f.domestic_wan),
            f.progress.clone(),
            figure(f.progress_pct),
            f.blockers.clone(),
        ];
        // A month held by the project's earlier unit is shown locked.
        let format = if l.held_elsewhere {
            &formats.locked
        } else {
            &formats.fill
        };
        for (c, text) in cells.iter().enumerate() {
            ws.write_with_format(row, 5 + c as u16, text.as_str(), format)
                .map_err(xlsx_error)?;
        }
    }
    ws.protect();
    ws.set_active(true);
    add_info_sheet(
        &mut wb,
        &formats.header,
        &unit.name,
        unit_id,
        &period,
        "1. 每个项目填本月数: \"本月完成投资\"和\"内资到位\"以万元计, \"外资到位\"以万美元计; \"形象进度\"填文字, \
             \"形象进度(%)\"填0到100之间的数; \"存在问题\"填需要协调的事项。没有的留空或填\"—\"。\n\
             2. 请勿修改编号、增删行。项目调度随本期报送一并提交、审核。\n\
             3. 上传时整表校验, 有任何错误都不会保存, 并逐项指出工作表、行、列。\n\
             4. 项目从其他单位转来、其本月调度已由原单位报送的, 保留原单位所报数据, 上传时跳过。",
    )?;
    wb.save_to_buffer().map_err(xlsx_error)
}

/// Reads an uploaded 调度 template into the unit's report of the period. Every bad cell is
/// listed ([`AppError::Rows`]); nothing is written unless the whole sheet is valid.
pub async fn import_template(
    store: &Store,
    actor: &Actor,
    period_id: i64,
    unit_id: i64,
    bytes: &[u8],
    file_name: &str,
) -> Result<DispatchImport, AppError> {
    let upload = open_unit_upload(
        store,
        actor,
        period_id,
        unit_id,
        bytes,
        file_name,
        "项目调度",
    )
    .await?;
    let (lines, held) = read_template(store, actor, upload).await?;
    store
        .save_dispatch(actor, period_id, unit_id, &lines)
        .await?;
    Ok(DispatchImport {
        saved: lines.len(),
        held_elsewhere: held,
    })
}

/// A figure cell of the sheet: `None` when blank or a placeholder ("—"), the number otherwise;
/// a problem names the cell.
fn read_number(
    t: &Table,
    r: u32,
    row: &[String],
    col: &str,
    unit: &str,
) -> Result<Option<f64>, String> {
    let cell = t.get(row, col);
    let at = || t.at(r, col);
    match read_figure(&cell, unit) {
        Ok(None) => Ok(None),
        Ok(Some(text)) => {
            let v: f64 = text
                .parse()
                .map_err(|_| format!("{}: \"{cell}\" 不是数字", at()))?;
            if v < 0.0 {
                Err(format!("{}: \"{cell}\" 不能为负数", at()))
            } else if unit == "%" && v > 100.0 {
                Err(format!("{}: \"{cell}\" 应在0到100之间", at()))
            } else {
                Ok(Some(v))
            }
        }
        Err(m) => Err(format!("{}: {m}", at())),
    }
}

/// Parses and checks an opened 调度 template without writing anything: the lines to save and
/// the names of the rows left to the project's earlier unit.
async fn read_template(
    store: &Store,
    actor: &Actor,
    upload: UnitUpload<'_>,
) -> Result<(Vec<DispatchInput>, Vec<String>), AppError> {
    let UnitUpload {
        mut wb,
        period,
        unit,
        file_name,
        ..
    } = upload;
    let mine: HashMap<i64, DispatchLine> = store
        .dispatch_lines(actor, period.id, unit.id)
        .await?
        .into_iter()
        .map(|l| (l.project_id, l))
        .collect();
    let t = match template_table(&mut wb, DISPATCH_SHEET, &HEADERS, &["编号", "本月完成投资"])?
    {
        Err(e) => return Err(AppError::Rows(e)),
        Ok(t) => t,
    };
    let mut errors = Vec::new();
    let (rows, _) = keyed_rows(
        &t,
        &mut errors,
        |id| {
            mine.get(&id).ok_or_else(|| {
                format!(
                    "项目 {id} 不由 {} 负责或本期不需调度 (not this unit's project)",
                    unit.name
                )
            })
        },
        |line| format!("项目「{}」重复出现 (duplicate row)", line.name),
    );
    let mut lines = Vec::new();
    let mut held = Vec::new();
    for (r, row, id, line) in rows {
        if line.held_elsewhere {
            held.push(format!(
                "{DISPATCH_SHEET} 第{r}行 项目「{}」: 本月调度已由原责任单位报送, 保留原数据",
                line.name
            ));
            continue;
        }
        let mut ok = true;
        let mut number = |col: &str, unit: &str| match read_number(&t, r, row, col, unit) {
            Ok(v) => v,
            Err(e) => {
                errors.push(e);
                ok = false;
                None
            }
        };
        let invested_wan = number("本月完成投资", "万元");
        let foreign_wusd = number("外资到位", "万美元");
        let domestic_wan = number("内资到位", "万元");
        let progress_pct = number("形象进度(%)", "%");
        let mut text = |col: &str, field: &qx_core::text::TextField| {
            let cell = t.get(row, col);
            let cell = if matches!(cell.trim(), "—" | "-" | "/") {
                String::new()
            } else {
                cell
            };
            match field.check(&cell) {
                Ok(v) => v.to_string(),
                Err(m) => {
                    errors.push(format!("{}: {m}", t.at(r, col)));
                    ok = false;
                    String::new()
                }
            }
        };
        let progress = text("形象进度", &fields::PROGRESS);
        let blockers = text("存在问题", &fields::BLOCKERS);
        if ok {
            lines.push(DispatchInput {
                project_id: id,
                figures: DispatchFigures {
                    invested_wan,
                    foreign_wusd,
                    domestic_wan,
                    progress,
                    progress_pct,
                    blockers,
                },
            });
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Rows(errors));
    }
    if lines.is_empty() && held.is_empty() {
        return Err(AppError::Invalid(format!(
            "{file_name}: 模板中没有可保存的项目行 (nothing to save)"
        )));
    }
    Ok((lines, held))
}
