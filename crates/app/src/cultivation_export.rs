//! The 企业培育库 as a workbook: one sheet per pipeline (its active entries as the reader may see
//! them) and the 分镇汇总 (entries per town and pipeline), for the CLI's `qx cultivation export`
//! and the overview's download.

use crate::AppError;
use crate::sheet::{add_sheet, header_format, set_widths, write_texts, xlsx_error};
use qx_core::access::Actor;
use qx_store::Store;
use qx_store::cultivation::{EntryFilter, Pipeline};
use std::collections::BTreeMap;

/// Rows per pipeline sheet at most (far above any county's lists).
const MAX_ROWS: i64 = 200_000;

const HEADERS: [&str; 9] = [
    "企业名称",
    "统一社会信用代码/注册号",
    "镇乡(街道)",
    "行业代码",
    "阶段",
    "入库日期",
    "进入本阶段日期",
    "有效期至",
    "状态",
];

/// The workbook of `only` (a pipeline code) or of every pipeline, in `actor`'s scope.
pub async fn workbook(
    store: &Store,
    actor: &Actor,
    only: Option<&str>,
) -> Result<Vec<u8>, AppError> {
    let pipelines: Vec<Pipeline> = store
        .cultivation_pipelines()
        .await?
        .into_iter()
        .filter(|p| only.is_none_or(|c| p.code == c))
        .collect();
    if pipelines.is_empty() {
        return Err(AppError::Invalid(format!(
            "没有代码为 \"{}\" 的培育库",
            only.unwrap_or_default()
        )));
    }
    let mut wb = rust_xlsxwriter::Workbook::new();
    let head = header_format();
    // Town → pipeline position → active entries.
    let mut towns: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for (at, p) in pipelines.iter().enumerate() {
        let f = EntryFilter {
            pipeline_id: p.id,
            limit: MAX_ROWS,
            ..EntryFilter::default()
        };
        let (rows, _) = store.cultivation_entries(actor, &f).await?;
        let ws = add_sheet(&mut wb, &p.name, 0, &HEADERS, &head)?;
        set_widths(ws, &[34.0, 22.0, 12.0, 10.0, 18.0, 12.0, 14.0, 12.0, 8.0])?;
        for (i, r) in rows.iter().enumerate() {
            let town = r.town_name.clone().unwrap_or_default();
            towns
                .entry(town.clone())
                .or_insert_with(|| vec![0; pipelines.len()])[at] += 1;
            let cells = [
                r.name.clone(),
                r.credit_code.clone().unwrap_or_else(|| r.reg_no.clone()),
                town,
                r.industry_code.clone().unwrap_or_default(),
                r.stage_name.clone(),
                r.entered_on.clone(),
                r.stage_since.clone(),
                r.expires_on.clone().unwrap_or_default(),
                qx_core::label::Labelled::label(&r.status, qx_core::label::Lang::Zh).to_string(),
            ];
            write_texts(ws, i as u32 + 1, &cells, None)?;
        }
        ws.set_freeze_panes(1, 0).map_err(xlsx_error)?;
    }
    let mut headers = vec!["镇乡(街道)".to_string()];
    headers.extend(pipelines.iter().map(|p| p.name.clone()));
    headers.push("合计".into());
    let ws = add_sheet(&mut wb, "分镇汇总", 0, &headers, &head)?;
    set_widths(ws, &[14.0])?;
    let mut totals = vec![0i64; pipelines.len()];
    let mut r = 1u32;
    for (town, counts) in &towns {
        let name = if town.is_empty() {
            "(未填镇乡)"
        } else {
            town
        };
        ws.write(r, 0, name).map_err(xlsx_error)?;
        for (c, n) in counts.iter().enumerate() {
            ws.write(r, c as u16 + 1, *n as f64).map_err(xlsx_error)?;
            totals[c] += n;
        }
        ws.write(
            r,
            counts.len() as u16 + 1,
            counts.iter().sum::<i64>() as f64,
        )
        .map_err(xlsx_error)?;
        r += 1;
    }
    ws.write_with_format(r, 0, "合计", &head)
        .map_err(xlsx_error)?;
    for (c, n) in totals.iter().enumerate() {
        ws.write_with_format(r, c as u16 + 1, *n as f64, &head)
            .map_err(xlsx_error)?;
    }
    ws.write_with_format(
        r,
        totals.len() as u16 + 1,
        totals.iter().sum::<i64>() as f64,
        &head,
    )
    .map_err(xlsx_error)?;
    wb.save_to_buffer().map_err(xlsx_error)
}
