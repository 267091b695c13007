//! A run as .xlsx: the ranking per class and every unit's every item (score, figure, records).

use crate::AppError;
use crate::sheet::{add_sheet, header_format, set_widths, write_texts, xlsx_error};
use qx_core::access::Actor;
use qx_core::label::{Labelled, Lang};
use qx_store::Store;
use std::collections::HashMap;

fn num(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.1}")).unwrap_or_default()
}

/// The workbook of run `run_id` (the office and leaders).
pub async fn xlsx(store: &Store, actor: &Actor, run_id: i64) -> Result<Vec<u8>, AppError> {
    let all = store.assessment_run_items(actor, run_id).await?;
    let mut names: HashMap<i64, String> = HashMap::new();
    for (r, _) in &all {
        if let std::collections::hash_map::Entry::Vacant(e) = names.entry(r.scheme_id) {
            let v = store.assessment_scheme(r.scheme_id).await?;
            e.insert(format!("{} (第{}版)", v.name, v.version));
        }
    }
    let mut wb = rust_xlsxwriter::Workbook::new();
    let head = header_format();
    let ws = add_sheet(
        &mut wb,
        "考核排名",
        0,
        &["考核方案", "名次", "单位", "综合得分", "较上期", "一票否决"],
        &head,
    )?;
    set_widths(ws, &[28.0, 6.0, 24.0, 10.0, 8.0, 20.0])?;
    for (n, (r, _)) in all.iter().enumerate() {
        let change = r.change().map(|c| c.to_string()).unwrap_or_default();
        write_texts(
            ws,
            n as u32 + 1,
            &[
                names.get(&r.scheme_id).cloned().unwrap_or_default(),
                r.place.map(|p| p.to_string()).unwrap_or_default(),
                r.unit_name.clone(),
                num(r.score),
                change,
                r.vetoed.clone().unwrap_or_default(),
            ],
            None,
        )?;
    }
    let ws = add_sheet(
        &mut wb,
        "得分明细",
        0,
        &[
            "单位",
            "考核项目",
            "类型",
            "数据来源",
            "分值",
            "指标值",
            "依据记录数",
            "得分",
        ],
        &head,
    )?;
    set_widths(ws, &[24.0, 24.0, 10.0, 20.0, 8.0, 10.0, 10.0, 8.0])?;
    let mut row = 1;
    for (r, items) in &all {
        for i in items {
            write_texts(
                ws,
                row,
                &[
                    r.unit_name.clone(),
                    i.name.clone(),
                    i.kind.0.label(Lang::Zh).to_string(),
                    i.source.0.label(Lang::Zh).to_string(),
                    num(Some(i.weight)),
                    i.figure.map(|f| format!("{f:.4}")).unwrap_or_default(),
                    i.record_count.to_string(),
                    num(Some(i.points)),
                ],
                None,
            )?;
            row += 1;
        }
    }
    wb.save_to_buffer().map_err(xlsx_error)
}
