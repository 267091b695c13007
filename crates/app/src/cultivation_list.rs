//! Official lists into a 企业培育库 pipeline (高新技术企业名单, 专精特新名单, 个体户名单): the file
//! (xlsx, or CSV in UTF-8 or GBK) is read by the importers' one table reader — bounded, header
//! found among the first rows by the names departments write — every cell checked and placed
//! by row and column, then matched to the registry and kept as a pending import in the store.
//! Nothing reaches the pipeline until the office confirms ([`Store::apply_cultivation_import`]).

use crate::AppError;
use crate::enterprise_import::town_lookup;
use crate::sheet::{Column, Table, read_file_table};
use qx_core::access::Actor;
use qx_core::time::{format_date, parse_date};
use qx_store::Store;
use qx_store::cultivation::ListLine;

/// The columns an official list may carry: (key, header as we write it, other spellings).
const LIST_COLUMNS: &[Column] = &[
    (
        "name",
        "企业名称",
        &[
            "名称",
            "单位名称",
            "企业(单位)名称",
            "个体户名称",
            "字号名称",
            "经营者名称",
            "name",
        ],
    ),
    (
        "credit_code",
        "统一社会信用代码",
        &["信用代码", "社会信用代码", "统一代码", "credit_code"],
    ),
    (
        "reg_no",
        "注册号",
        &["工商注册号", "营业执照注册号", "reg_no"],
    ),
    (
        "certificate_no",
        "证书编号",
        &["证书号", "认定编号", "编号", "certificate_no"],
    ),
    (
        "on_date",
        "认定日期",
        &["发证日期", "公布日期", "入库日期", "日期", "on_date"],
    ),
    (
        "town",
        "镇乡(街道)",
        &["镇乡", "镇乡街道", "所在镇乡", "所属镇乡", "乡镇", "town"],
    ),
];

/// `名单 第12行 "企业名称"`: where a row's cell stands, for messages.
fn place(t: &Table, line: u32, key: &str) -> String {
    t.row_place(line, t.written(key))
}

/// The largest official list read: the departments' lists run to a few thousand rows (a
/// 20,000-row list is under 2 MB), so anything near the registry's 64 MB is a wrong file.
pub const MAX_LIST_BYTES: usize = 20 * 1024 * 1024;

/// Reads an official list into rows for matching: a bad date or an unknown town is a problem
/// of that row (named by row and column), never a silent default.
pub async fn read_list(
    store: &Store,
    bytes: &[u8],
    file_name: &str,
) -> Result<Vec<ListLine>, AppError> {
    if bytes.len() > MAX_LIST_BYTES {
        return Err(AppError::Invalid(format!(
            "{file_name}: 名单文件超过 {} MB 上限",
            MAX_LIST_BYTES / 1048576
        )));
    }
    let t = read_file_table(bytes, file_name, LIST_COLUMNS, &["name"])?;
    let towns = town_lookup(store).await?;
    let mut out = Vec::with_capacity(t.rows.len());
    for (line, row) in &t.rows {
        let line = *line;
        let mut problems = Vec::new();
        let on_date = match t.cell(row, "on_date") {
            "" => None,
            typed => match parse_date(typed) {
                Some(d) => Some(format_date(d)),
                None => {
                    problems.push(t.problem(line, "on_date", "日期格式应为 YYYY-MM-DD", typed));
                    None
                }
            },
        };
        let town_id = match t.cell(row, "town") {
            "" => None,
            typed => match towns.get(typed) {
                Some(id) => Some(*id),
                None => {
                    problems.push(t.problem(line, "town", "不是本县的镇乡(街道)", typed));
                    None
                }
            },
        };
        out.push(ListLine {
            line: u64::from(line),
            at_name: place(&t, line, "name"),
            at_code: place(&t, line, "credit_code"),
            name: t.cell(row, "name").to_string(),
            credit_code: t.cell(row, "credit_code").to_string(),
            reg_no: t.cell(row, "reg_no").to_string(),
            certificate_no: t.cell(row, "certificate_no").to_string(),
            on_date,
            town_id,
            problems,
        });
    }
    Ok(out)
}

/// Reads and matches a list and keeps it pending: the import's id.
pub async fn stage_list(
    store: &Store,
    actor: &Actor,
    pipeline_id: i64,
    stage_id: i64,
    on_date: &str,
    bytes: &[u8],
    file_name: &str,
) -> Result<i64, AppError> {
    let lines = read_list(store, bytes, file_name).await?;
    Ok(store
        .stage_cultivation_import(actor, pipeline_id, stage_id, file_name, on_date, lines)
        .await?)
}
