//! A unit's monthly report as a workbook (报送模板): downloaded pre-filled for one period,
//! filled in offline, uploaded back.
//!
//! Sheets: 指标 (编号 hidden | 指标 | 单位 | 年度目标 | 上期累计 | 本期累计 | 说明), 任务 (编号 hidden |
//! 序号 | 任务 | 角色 牵头/配合 | 进展情况 | 自评状态, the status from a drop-down list) and 填报说明
//! (whose template it is, for which period, and how to fill it in). The sheets are protected:
//! only the cells to fill are unlocked.
//!
//! Reading checks every cell and reports each problem as `工作表 第N行 X列 "列名": 问题`;
//! nothing is saved unless the whole workbook is valid. A valid upload is saved as the unit's
//! draft (or submitted, if the user asks) in one transaction with its audit entry.

use crate::AppError;
use crate::sheet::{
    Table, add_key_value_sheet, add_sheet, header_format, key_values, open_workbook, read_figure,
    read_rows, read_table, set_widths, xlsx_error,
};
use qx_core::access::Actor;
use qx_core::label::{Labelled, Lang};
use qx_core::monitor::TaskState;
use qx_store::Store;
use qx_store::StoreError;
use qx_store::monitoring::ReportPeriod;
use qx_store::monitoring::{NoFigure, SubmissionInput};
use qx_store::units::Unit;
use rust_xlsxwriter::{DataValidation, Format, FormatAlign, FormatBorder, Workbook, Worksheet};
use std::collections::{HashMap, HashSet};

pub const INDICATOR_SHEET: &str = "指标";
pub const TASK_SHEET: &str = "任务";
pub const INFO_SHEET: &str = "填报说明";

/// The largest workbook accepted (a template of a few hundred rows is well under 100 KB).
pub const MAX_TEMPLATE_BYTES: usize = 5 * 1024 * 1024;

/// What 本期累计 says for an indicator with no figure this month; 说明 then holds the reason.
pub const NO_FIGURE_CELL: &str = "本月无数据";

/// Longest note and progress text accepted, in characters.
const MAX_NOTE_CHARS: usize = 200;
const MAX_PROGRESS_CHARS: usize = 2000;

const INDICATOR_HEADERS: [&str; 7] = [
    "编号",
    "指标",
    "单位",
    "年度目标",
    "上期累计",
    "本期累计",
    "说明",
];
const TASK_HEADERS: [&str; 6] = ["编号", "序号", "任务", "角色", "进展情况", "自评状态"];

/// The file name a template is offered under.
pub fn template_file_name(unit_name: &str, period: &str) -> String {
    format!("{unit_name}_{period}_报送模板.xlsx")
}

/// The cell formats of a unit's template (报送模板, 项目调度模板): the header row, the locked
/// cells the system writes, and the unlocked cells a person fills in.
pub(crate) struct TemplateFormats {
    pub header: Format,
    pub locked: Format,
    pub fill: Format,
}

impl TemplateFormats {
    pub(crate) fn new() -> Self {
        let cell = Format::new()
            .set_text_wrap()
            .set_border(FormatBorder::Thin)
            .set_align(FormatAlign::Top);
        TemplateFormats {
            header: header_format()
                .set_align(FormatAlign::Center)
                .set_text_wrap(),
            locked: cell.clone().set_background_color(0xF4F5F7),
            // Text format keeps "8%" as typed instead of Excel turning it into 0.08.
            fill: cell.set_unlocked().set_num_format("@"),
        }
    }

    /// A keyed sheet of the template: the header row, column widths, the 编号 in a hidden column A
    /// (read back to match each row) and the panes frozen below the header and left of
    /// `frozen_cols`.
    pub(crate) fn keyed_sheet<'w>(
        &self,
        wb: &'w mut Workbook,
        name: &str,
        headers: &[&str],
        widths: &[f64],
        frozen_cols: u16,
    ) -> Result<&'w mut Worksheet, AppError> {
        let ws = add_sheet(wb, name, 0, headers, &self.header)?;
        set_widths(ws, widths)?;
        ws.set_column_hidden(0).map_err(xlsx_error)?;
        ws.set_freeze_panes(1, frozen_cols).map_err(xlsx_error)?;
        Ok(ws)
    }

    /// Writes a row's 编号 and then `texts` from column B, all locked: what the system states.
    pub(crate) fn write_locked_row<S: AsRef<str>>(
        &self,
        ws: &mut Worksheet,
        row: u32,
        id: i64,
        texts: &[S],
    ) -> Result<(), AppError> {
        ws.write_number_with_format(row, 0, id as f64, &self.locked)
            .map_err(xlsx_error)?;
        for (c, text) in texts.iter().enumerate() {
            ws.write_with_format(row, 1 + c as u16, text.as_ref(), &self.locked)
                .map_err(xlsx_error)?;
        }
        Ok(())
    }
}

/// The period and the unit a template is written for, once the actor may read the unit's
/// reports; `what` names the report in the not-found message (报送, 项目调度).
pub(crate) async fn template_for(
    store: &Store,
    actor: &Actor,
    period_id: i64,
    unit_id: i64,
    what: &str,
) -> Result<(ReportPeriod, Unit), AppError> {
    if !actor.can_read_unit(unit_id) {
        return Err(StoreError::NotFound(format!("单位 {unit_id} 的{what}")).into());
    }
    let period = store.get_period(actor, period_id).await?;
    let unit = store.get_unit(unit_id).await?;
    Ok((period, unit))
}

/// Adds the protected 填报说明 sheet of a unit's template: whose template it is, for which
/// period (read back by [`check_template_owner`]), its deadline and how to fill it in.
pub(crate) fn add_info_sheet(
    wb: &mut Workbook,
    header: &Format,
    unit_name: &str,
    unit_id: i64,
    period: &qx_store::monitoring::ReportPeriod,
    instructions: &str,
) -> Result<(), AppError> {
    let info: [(&str, String); 6] = [
        ("单位", unit_name.to_string()),
        ("单位编号", unit_id.to_string()),
        ("报送期", period.period.clone()),
        ("报送期编号", period.id.to_string()),
        ("截止日期", qx_core::time::format_date(period.due_on)),
        ("填写说明", instructions.to_string()),
    ];
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    add_key_value_sheet(wb, INFO_SHEET, [12.0, 80.0], &info, header, Some(&wrap))?.protect();
    Ok(())
}

/// Whose template it is: a template the 填报说明 sheet says is another unit's or another
/// period's is refused as a whole, naming both; `what` names the report (报送, 项目调度).
fn check_template_owner(
    wb: &mut qx_upload::Workbook<'_>,
    unit_id: i64,
    unit_name: &str,
    period: &str,
    what: &str,
    unit_names: &HashMap<i64, String>,
) -> Result<(), AppError> {
    let Some(rows) = read_rows(wb, INFO_SHEET)? else {
        return Ok(());
    };
    let info = key_values(rows);
    let mut errors = Vec::new();
    if let Some(u) = info.get("单位编号").filter(|u| !u.is_empty())
        && u != &unit_id.to_string()
    {
        let owner = info
            .get("单位")
            .filter(|n| !n.is_empty())
            .cloned()
            .or_else(|| u.parse().ok().and_then(|id| unit_names.get(&id).cloned()))
            .unwrap_or_else(|| format!("单位 {u}"));
        errors.push(format!(
            "{INFO_SHEET}: 这是 {owner} 的模板, 不能作为 {unit_name} 的{what}上传 (another unit's template)"
        ));
    }
    if let Some(p) = info.get("报送期").filter(|p| !p.is_empty())
        && p != period
    {
        errors.push(format!(
            "{INFO_SHEET}: 这是 {p} 的模板, 当前报送期为 {period} (another period's template)"
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Rows(errors))
    }
}

/// Writes the unit's template for a period, pre-filled with its saved figures (if any) and
/// the last approved cumulative figure of each indicator.
pub async fn export_template(
    store: &Store,
    actor: &Actor,
    period_id: i64,
    unit_id: i64,
) -> Result<Vec<u8>, AppError> {
    let (period, unit) = template_for(store, actor, period_id, unit_id, "报送").await?;
    let indicators = store
        .unit_indicators(actor, period.plan_id, unit_id)
        .await?;
    let tasks = store.unit_tasks(actor, period.plan_id, unit_id).await?;
    let (values, reports, marks) = match store.latest_submission(actor, period_id, unit_id).await? {
        Some(s) => {
            let (values, reports) = store
                .submission_values(actor, s.id)
                .await
                .unwrap_or_default();
            let marks = store
                .submission_no_figures(actor, s.id)
                .await
                .unwrap_or_default();
            (values, reports, marks)
        }
        None => Default::default(),
    };
    // A 本月无数据 mark is written as the words in 本期累计 and its reason in 说明.
    let values: HashMap<i64, (String, String)> = values
        .into_iter()
        .map(|v| (v.indicator_id, (v.value, v.note)))
        .chain(
            marks
                .into_iter()
                .map(|m| (m.indicator_id, (NO_FIGURE_CELL.to_string(), m.reason))),
        )
        .collect();
    let reports: HashMap<i64, (String, TaskState)> = reports
        .into_iter()
        .map(|t| (t.task_id, (t.progress, t.status)))
        .collect();
    let approved = store.approved_values(actor, period.plan_id).await?;

    let mut wb = Workbook::new();
    let formats = TemplateFormats::new();
    let fill = &formats.fill;

    let ws = formats.keyed_sheet(
        &mut wb,
        INDICATOR_SHEET,
        &INDICATOR_HEADERS,
        &[6.0, 34.0, 8.0, 10.0, 14.0, 14.0, 30.0],
        2,
    )?;
    for (r, i) in indicators.iter().enumerate() {
        let row = (r + 1) as u32;
        let previous = approved
            .iter()
            .rfind(|a| a.indicator_id == i.id && a.period < period.period)
            .map(|a| format!("{} ({})", a.value, a.period))
            .unwrap_or_default();
        let (value, note) = values.get(&i.id).cloned().unwrap_or_default();
        formats.write_locked_row(
            ws,
            row,
            i.id,
            &[&i.name, &i.unit, &i.target_value, &previous],
        )?;
        ws.write_with_format(row, 5, value.as_str(), fill)
            .map_err(xlsx_error)?;
        ws.write_with_format(row, 6, note.as_str(), fill)
            .map_err(xlsx_error)?;
    }
    ws.protect();
    ws.set_active(true);

    let ws = formats.keyed_sheet(
        &mut wb,
        TASK_SHEET,
        &TASK_HEADERS,
        &[6.0, 10.0, 40.0, 8.0, 60.0, 14.0],
        0,
    )?;
    for (r, (t, role)) in tasks.iter().enumerate() {
        let row = (r + 1) as u32;
        let (progress, status) = reports
            .get(&t.id)
            .map_or((String::new(), None), |(p, s)| (p.clone(), Some(*s)));
        let status_label = status.map_or("", TaskState::label_zh);
        let title = if t.title.is_empty() {
            &t.text
        } else {
            &t.title
        };
        let role = role.label(Lang::Zh);
        formats.write_locked_row(ws, row, t.id, &[t.number.as_str(), title, role])?;
        ws.write_with_format(row, 4, progress.as_str(), fill)
            .map_err(xlsx_error)?;
        ws.write_with_format(row, 5, status_label, fill)
            .map_err(xlsx_error)?;
    }
    if !tasks.is_empty() {
        let labels: Vec<&str> = TaskState::REPORTED.map(TaskState::label_zh).to_vec();
        let list = DataValidation::new()
            .allow_list_strings(&labels)
            .map_err(xlsx_error)?
            .set_input_message("请从下拉列表选择")
            .map_err(xlsx_error)?
            .set_error_title("自评状态")
            .map_err(xlsx_error)?
            .set_error_message(format!("只能选择: {}", labels.join("、")))
            .map_err(xlsx_error)?;
        ws.add_data_validation(1, 5, tasks.len() as u32, 5, &list)
            .map_err(xlsx_error)?;
    }
    ws.protect();

    add_info_sheet(
        &mut wb,
        &formats.header,
        &unit.name,
        unit_id,
        &period,
        "1. 指标表只填\"本期累计\"和\"说明\": 填1—N月累计数; 增速、比率填百分数(可带%); 节点类填完成百分比; \
             本月没有数据的, \"本期累计\"填\"本月无数据\"并在\"说明\"中写明原因。\n2. 任务表填\"进展情况\", \"自评状态\"从下拉列表选择。\n3. 请勿修改编号、增删行。\
             上传时整表校验, 有任何错误都不会保存, 并逐项指出工作表、行、列。",
    )?;
    wb.save_to_buffer().map_err(xlsx_error)
}

/// A sheet of the template read as a [`Table`]; a missing sheet is named as a problem of the
/// upload, a sheet the upload reader refuses is refused as a whole.
pub(crate) fn template_table(
    wb: &mut qx_upload::Workbook<'_>,
    sheet: &'static str,
    wanted: &[&'static str],
    required: &[&'static str],
) -> Result<Result<Table, Vec<String>>, AppError> {
    Ok(read_table(wb, sheet, wanted, required)?.unwrap_or_else(|| {
        Err(vec![format!(
            "缺少工作表 \"{sheet}\" (missing sheet): 请使用本系统下载的模板"
        )])
    }))
}

/// A template row: its Excel number, its cells, its 编号 and what the 编号 names.
pub(crate) type KeyedRow<'t, T> = (u32, &'t [String], i64, T);

/// The non-empty rows of a template sheet with their 编号 resolved by `find` (the id the export
/// wrote, which the person must not change), and the ids seen. A row whose 编号 is changed,
/// unknown to `find` or repeated is reported in `errors` (named by its cell) and left out.
pub(crate) fn keyed_rows<'t, T: Copy>(
    t: &'t Table,
    errors: &mut Vec<String>,
    find: impl Fn(i64) -> Result<T, String>,
    duplicate: impl Fn(T) -> String,
) -> (Vec<KeyedRow<'t, T>>, HashSet<i64>) {
    let mut seen = HashSet::new();
    let mut rows = Vec::new();
    for (r, row) in t.rows.iter().map(|(n, cells)| (*n, cells.as_slice())) {
        if row.iter().all(String::is_empty) {
            continue;
        }
        let found = row_id(t, r, row).and_then(|id| {
            let item = find(id).map_err(|msg| format!("{}: {msg}", t.at(r, "编号")))?;
            if seen.insert(id) {
                Ok((id, item))
            } else {
                Err(format!("{}: {}", t.at(r, "编号"), duplicate(item)))
            }
        });
        match found {
            Ok((id, item)) => rows.push((r, row, id, item)),
            Err(e) => errors.push(e),
        }
    }
    (rows, seen)
}

/// The 编号 of a template row: the id the export wrote, which the person must not change.
fn row_id(t: &Table, r: u32, row: &[String]) -> Result<i64, String> {
    let id_text = t.get(row, "编号");
    id_text.parse::<i64>().map_err(|_| {
        format!(
            "{}: 编号 \"{id_text}\" 无效, 请勿修改编号列 (row id changed)",
            t.at(r, "编号")
        )
    })
}

/// A self-assessed status from its label (or code).
fn read_status(cell: &str) -> Option<&'static str> {
    let c = cell.trim();
    TaskState::REPORTED
        .into_iter()
        .find(|s| s.label_zh() == c || s.as_str() == c)
        .map(TaskState::as_str)
}

/// Reads an uploaded template into the unit's report for the period. Every bad cell is
/// listed ([`AppError::Rows`]); nothing is written unless the whole workbook is valid. With
/// `submit`, every indicator needs a figure and every task a status. Returns the submission.
pub async fn import_template(
    store: &Store,
    actor: &Actor,
    period_id: i64,
    unit_id: i64,
    bytes: &[u8],
    file_name: &str,
    submit: bool,
) -> Result<i64, AppError> {
    let upload =
        open_unit_upload(store, actor, period_id, unit_id, bytes, file_name, "报送").await?;
    let (input, no_figures) = read_template(store, actor, upload, submit).await?;
    Ok(store
        .save_report(actor, period_id, unit_id, &input, &no_figures, submit)
        .await?)
}

/// A template a unit uploaded for one of its reports, opened and found to be its own.
pub(crate) struct UnitUpload<'a> {
    pub wb: qx_upload::Workbook<'a>,
    pub period: ReportPeriod,
    pub unit: Unit,
    /// Every unit's name by id (for naming another unit's row or template).
    pub unit_names: HashMap<i64, String>,
    /// The file's name, as the messages name it.
    pub file_name: String,
}

/// Opens a template a unit uploads for one of its reports (`what`: 报送 for the 报送模板,
/// 项目调度 for the 项目调度模板), the one gate of both uploads: refused unless the actor may
/// write for the unit, the file is within [`MAX_TEMPLATE_BYTES`] and is an .xlsx, each refusal
/// naming the file; then refused if its 填报说明 names another unit or period
/// ([`check_template_owner`]).
pub(crate) async fn open_unit_upload<'a>(
    store: &Store,
    actor: &Actor,
    period_id: i64,
    unit_id: i64,
    bytes: &'a [u8],
    file_name: &str,
    what: &str,
) -> Result<UnitUpload<'a>, AppError> {
    if !actor.can_write_unit(unit_id) {
        return Err(StoreError::Forbidden(format!("不能代其他单位报送 (unit {unit_id})")).into());
    }
    if bytes.len() > MAX_TEMPLATE_BYTES {
        return Err(AppError::Invalid(format!(
            "{file_name}: 文件大小 {:.1} MB 超过 {} MB 上限 (file too large)",
            bytes.len() as f64 / 1048576.0,
            MAX_TEMPLATE_BYTES / 1048576
        )));
    }
    if !file_name.to_lowercase().ends_with(".xlsx") {
        return Err(AppError::Invalid(format!(
            "{file_name}: 请上传本系统下载的 .xlsx {what}模板 (only .xlsx templates are accepted)"
        )));
    }
    let mut wb = open_workbook(bytes, file_name)?;
    let period = store.get_period(actor, period_id).await?;
    let unit = store.get_unit(unit_id).await?;
    let unit_names = store.unit_names().await?;
    check_template_owner(
        &mut wb,
        unit_id,
        &unit.name,
        &period.period,
        what,
        &unit_names,
    )?;
    Ok(UnitUpload {
        wb,
        period,
        unit,
        unit_names,
        file_name: file_name.to_string(),
    })
}

/// Parses and checks an opened template without writing anything.
async fn read_template(
    store: &Store,
    actor: &Actor,
    upload: UnitUpload<'_>,
    submit: bool,
) -> Result<(SubmissionInput, Vec<NoFigure>), AppError> {
    let UnitUpload {
        mut wb,
        period,
        unit,
        unit_names,
        file_name,
    } = upload;
    let unit_id = unit.id;
    let mine = store
        .unit_indicators(actor, period.plan_id, unit_id)
        .await?;
    let my_tasks = store.unit_tasks(actor, period.plan_id, unit_id).await?;
    let all_indicators: HashMap<i64, (String, Option<i64>)> = store
        .plan_indicators(actor, period.plan_id)
        .await?
        .into_iter()
        .map(|i| (i.id, (i.name, i.lead_unit_id)))
        .collect();
    let mut errors = Vec::new();

    let mut input = SubmissionInput::default();
    let mut no_figures: Vec<NoFigure> = Vec::new();
    let by_id: HashMap<i64, &qx_store::plans::Indicator> = mine.iter().map(|i| (i.id, i)).collect();
    if !mine.is_empty() || wb.has_sheet(INDICATOR_SHEET) {
        match template_table(
            &mut wb,
            INDICATOR_SHEET,
            &INDICATOR_HEADERS,
            &["编号", "本期累计"],
        )? {
            Err(e) => errors.extend(e),
            Ok(t) => {
                let (rows, seen) =
                    keyed_rows(
                        &t,
                        &mut errors,
                        |id| {
                            by_id.get(&id).copied().ok_or_else(|| match all_indicators.get(&id) {
                            Some((name, Some(owner))) => format!(
                                "指标 \"{name}\" 由 {} 报送, 不属于 {} (another unit's row)",
                                unit_names.get(owner).map_or("其他单位", String::as_str),
                                unit.name
                            ),
                            Some((name, None)) => {
                                format!("指标 \"{name}\" 没有责任单位, 不由本单位报送")
                            }
                            None => format!("编号 {id} 不是本期方案的指标 (unknown indicator)"),
                        })
                        },
                        |ind| format!("指标 \"{}\" 重复出现 (duplicate row)", ind.name),
                    );
                for (r, row, id, ind) in rows {
                    let cell = t.get(row, "本期累计");
                    if cell.trim() == NO_FIGURE_CELL {
                        let reason = t.get(row, "说明");
                        match qx_core::text::NO_FIGURE_REASON.check(&reason) {
                            Ok(reason) => no_figures.push(NoFigure {
                                indicator_id: id,
                                reason: reason.to_string(),
                            }),
                            Err(_) if reason.trim().is_empty() => errors.push(format!(
                                "{}: \"{}\" 填写了本月无数据, 请在说明中写明原因",
                                t.at(r, "说明"),
                                ind.name
                            )),
                            Err(m) => errors.push(format!("{}: {m}", t.at(r, "说明"))),
                        }
                        continue;
                    }
                    let value = match read_figure(&cell, &ind.unit) {
                        Ok(Some(v)) => v,
                        Ok(None) if submit => {
                            let why = if cell.is_empty() {
                                "为空".to_string()
                            } else {
                                format!("\"{cell}\" 表示暂无数据")
                            };
                            errors.push(format!(
                                "{}: \"{}\" {why}; 提交时必须填写数字 (a figure is required to submit)",
                                t.at(r, "本期累计"),
                                ind.name
                            ));
                            continue;
                        }
                        Ok(None) => String::new(),
                        Err(m) => {
                            errors.push(format!("{}: \"{}\" {m}", t.at(r, "本期累计"), ind.name));
                            continue;
                        }
                    };
                    let note = t.get(row, "说明");
                    if note.chars().count() > MAX_NOTE_CHARS {
                        errors.push(format!(
                            "{}: 说明超过{MAX_NOTE_CHARS}字 (note too long)",
                            t.at(r, "说明")
                        ));
                        continue;
                    }
                    input.values.push((id, value, note));
                }
                if submit {
                    for i in mine.iter().filter(|i| !seen.contains(&i.id)) {
                        errors.push(format!(
                            "{INDICATOR_SHEET}: 缺少指标 \"{}\" 的行 (row missing)",
                            i.name
                        ));
                    }
                }
            }
        }
    }

    let task_ids: HashMap<i64, &qx_store::plans::Task> =
        my_tasks.iter().map(|(t, _)| (t.id, t)).collect();
    if !my_tasks.is_empty() || wb.has_sheet(TASK_SHEET) {
        match template_table(&mut wb, TASK_SHEET, &TASK_HEADERS, &["编号", "自评状态"])? {
            Err(e) => errors.extend(e),
            Ok(t) => {
                let (rows, seen) = keyed_rows(
                    &t,
                    &mut errors,
                    |id| {
                        task_ids.get(&id).copied().ok_or_else(|| {
                            format!("任务 {id} 未分配给 {} (another unit's row)", unit.name)
                        })
                    },
                    |task| format!("任务 {} 重复出现 (duplicate row)", task.number),
                );
                for (r, row, id, task) in rows {
                    let progress = t.get(row, "进展情况");
                    if progress.chars().count() > MAX_PROGRESS_CHARS {
                        errors.push(format!(
                            "{}: 任务 {} 进展情况超过{MAX_PROGRESS_CHARS}字 (too long)",
                            t.at(r, "进展情况"),
                            task.number
                        ));
                        continue;
                    }
                    let status_text = t.get(row, "自评状态");
                    let status = if status_text.is_empty() {
                        if submit || !progress.is_empty() {
                            errors.push(format!(
                                "{}: 任务 {} 自评状态为空, 请从下拉列表选择 (status required)",
                                t.at(r, "自评状态"),
                                task.number
                            ));
                            continue;
                        }
                        TaskState::NotStarted.as_str()
                    } else if let Some(s) = read_status(&status_text) {
                        s
                    } else {
                        let allowed: Vec<&str> =
                            TaskState::REPORTED.map(TaskState::label_zh).to_vec();
                        errors.push(format!(
                            "{}: 任务 {} \"{status_text}\" 应为 {} (not in the list)",
                            t.at(r, "自评状态"),
                            task.number,
                            allowed.join("、")
                        ));
                        continue;
                    };
                    input.tasks.push((id, progress, status.to_string()));
                }
                if submit {
                    for (task, _) in my_tasks.iter().filter(|(t, _)| !seen.contains(&t.id)) {
                        errors.push(format!(
                            "{TASK_SHEET}: 缺少任务 {} 的行 (row missing)",
                            task.number
                        ));
                    }
                }
            }
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Rows(errors));
    }
    if input.values.is_empty() && input.tasks.is_empty() && no_figures.is_empty() {
        return Err(AppError::Invalid(format!(
            "{file_name}: 模板中没有可保存的数据行 (nothing to save)"
        )));
    }
    Ok((input, no_figures))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_are_read_from_messy_cells() {
        assert_eq!(read_figure("８%", "%").unwrap().as_deref(), Some("8"));
        assert_eq!(read_figure("８．５", "%").unwrap().as_deref(), Some("8.5"));
        assert_eq!(
            read_figure("28.5亿元", "亿元").unwrap().as_deref(),
            Some("28.5")
        );
        assert_eq!(
            read_figure(" 1,200 ", "家").unwrap().as_deref(),
            Some("1200")
        );
        assert_eq!(read_figure("-1.5", "%").unwrap().as_deref(), Some("-1.5"));
        assert_eq!(read_figure("—", "家").unwrap(), None);
        assert_eq!(read_figure("", "家").unwrap(), None);
        assert!(read_figure("十五家", "家").is_err());
        assert!(read_figure("12万元", "家").is_err());
        assert_eq!(read_status("已完成"), Some("done"));
        assert_eq!(read_status("完成"), None);
    }
}
