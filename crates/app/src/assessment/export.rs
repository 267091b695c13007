//! A run's two downloads: the 考核结果通报 (.docx, a 公文 through `qx_report::assessment`) with the
//! ranking per class, and the workbook with the ranking and every unit's every item (score,
//! figure, records). A run not yet final says 初步 (公示 while in 公示) in both titles and file
//! names. The office and leaders only.

use crate::AppError;
use crate::sheet::{add_sheet, header_format, set_widths, write_texts, xlsx_error};
use qx_core::access::Actor;
use qx_core::assessment::{RunStatus, TIE_RULE_ZH};
use qx_core::label::{Labelled, Lang};
use qx_core::period::Period;
use qx_report::assessment::{ClassRanking, RankLine, ResultDoc};
use qx_report::date_zh;
use qx_store::Store;
use qx_store::assessment::{Run, UnitResult};
use std::collections::HashMap;

fn num(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.1}")).unwrap_or_default()
}

/// A file ready to hand out.
#[derive(Debug, Clone)]
pub struct File {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// The period as the documents write it: 2017年度, 2017年第三季度.
fn period_zh(run: &Run) -> String {
    match run.period.parse::<Period>() {
        Ok(Period::Year { year, .. }) => format!("{year}年度"),
        Ok(p) => p.label_zh(),
        Err(_) => run.period.clone(),
    }
}

/// Scheme id → "name (第N版)" for every scheme the results name.
async fn scheme_names(
    store: &Store,
    results: impl Iterator<Item = &UnitResult>,
) -> Result<HashMap<i64, String>, AppError> {
    let mut names: HashMap<i64, String> = HashMap::new();
    for r in results {
        if let std::collections::hash_map::Entry::Vacant(e) = names.entry(r.scheme_id) {
            let v = store.assessment_scheme(r.scheme_id).await?;
            e.insert(v.name);
        }
    }
    Ok(names)
}

/// The run's 通报 as data: 成文日期 the day it was finalised (today before that), the 文号 the
/// office's prefix with 考 and the run's number.
pub async fn result_doc(store: &Store, actor: &Actor, run_id: i64) -> Result<ResultDoc, AppError> {
    if !actor.reads_all() {
        return Err(AppError::Store(qx_store::StoreError::Forbidden(
            "只有办公室和领导可以导出考核结果".into(),
        )));
    }
    let run = store.assessment_run(actor, run_id).await?;
    let ranking = store.assessment_ranking(actor, run_id).await?;
    let names = scheme_names(store, ranking.iter()).await?;
    let mut classes: Vec<(i64, ClassRanking)> = Vec::new();
    for r in &ranking {
        if classes.last().map(|(id, _)| *id) != Some(r.scheme_id) {
            let name = names.get(&r.scheme_id).cloned().unwrap_or_default();
            classes.push((
                r.scheme_id,
                ClassRanking {
                    name,
                    lines: Vec::new(),
                },
            ));
        }
        if let Some((_, c)) = classes.last_mut() {
            c.lines.push(RankLine {
                place: r.place,
                unit: r.unit_name.clone(),
                score: r.score,
                change: r.change(),
                vetoed: r.vetoed.clone(),
            });
        }
    }
    let dated = run
        .finalised_at
        .map(qx_core::time::date_of)
        .unwrap_or_else(qx_core::time::today);
    let header = store.document_header().await?;
    let is_final = run.status == RunStatus::Final;
    Ok(ResultDoc {
        doc_number: header.doc_number("考", dated.year(), &run.id.to_string()),
        issuer: header.issuer,
        recipients: header.recipients,
        copy_to: header.copy_to,
        period: period_zh(&run),
        dated: date_zh(&dated.to_string()),
        publicity_until: (run.status == RunStatus::Publicity)
            .then(|| run.publicity_until.as_deref().map(date_zh))
            .flatten(),
        is_final,
        tie_rule: TIE_RULE_ZH.replace(", ", "，").replace("; ", "；"),
        classes: classes.into_iter().map(|(_, c)| c).collect(),
    })
}

/// The 考核结果通报 of run `run_id` as .docx.
pub async fn docx(store: &Store, actor: &Actor, run_id: i64) -> Result<File, AppError> {
    let doc = result_doc(store, actor, run_id).await?;
    let run = store.assessment_run(actor, run_id).await?;
    let bytes =
        qx_report::assessment::result_docx(&doc).map_err(|e| AppError::Invalid(e.to_string()))?;
    Ok(File {
        name: format!("{}.docx", doc.file_stem(&run.period)),
        bytes,
    })
}

/// The workbook of run `run_id` (the office and leaders): the title (初步/公示 until final)
/// over the ranking, and every unit's every item.
pub async fn xlsx(store: &Store, actor: &Actor, run_id: i64) -> Result<File, AppError> {
    let doc = result_doc(store, actor, run_id).await?;
    let run = store.assessment_run(actor, run_id).await?;
    let all = store.assessment_run_items(actor, run_id).await?;
    let names = scheme_names(store, all.iter().map(|(r, _)| r)).await?;
    let mut wb = rust_xlsxwriter::Workbook::new();
    let head = header_format();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let ws = add_sheet(
        &mut wb,
        "考核排名",
        1,
        &["考核方案", "名次", "单位", "综合得分", "较上期", "一票否决"],
        &head,
    )?;
    ws.write_with_format(0, 0, doc.title(), &bold)
        .map_err(xlsx_error)?;
    set_widths(ws, &[28.0, 6.0, 24.0, 10.0, 8.0, 20.0])?;
    for (n, (r, _)) in all.iter().enumerate() {
        let change = r.change().map(|c| c.to_string()).unwrap_or_default();
        write_texts(
            ws,
            n as u32 + 2,
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
        1,
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
    ws.write_with_format(0, 0, format!("{}（得分明细）", doc.title()), &bold)
        .map_err(xlsx_error)?;
    set_widths(ws, &[24.0, 24.0, 10.0, 20.0, 8.0, 10.0, 10.0, 8.0])?;
    let mut row = 2;
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
    Ok(File {
        name: format!("{}.xlsx", doc.file_stem(&run.period)),
        bytes: wb.save_to_buffer().map_err(xlsx_error)?,
    })
}
