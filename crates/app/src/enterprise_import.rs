//! 企业名录 and yearly facts from Excel or CSV: every bad cell reported, nothing half-written.
//!
//! A file is one table: the header row (found among the first 10 rows) names the columns in
//! Chinese as county staff write them (`用地面积(亩)`, `实缴税金`, `镇乡(街道)` …) or in the
//! contract's English (`land_mu`, `tax_wan` …), in any order. CSV may be UTF-8 (with or without
//! BOM) or GBK; numbers may use full-width digits and thousands separators; `—`, `-`, `/`, `无`
//! and empty cells mean no data. Each problem names the place, the column as written and the
//! value: `第12行 "用地面积": 必须大于0, 实际为 "0"`. Nothing is written unless every row is valid.

use crate::AppError;
use crate::sheet::{
    Column, Table, add_sheet, header_format, header_key, read_file_table, read_number, reason_only,
    set_widths, write_texts, xlsx_error,
};
use qx_core::access::Actor;
use qx_core::codes::{CreditCode, IndustryCode};
use qx_core::label::{Labelled, Lang};
use qx_core::scale::Scale;
use qx_core::units::UnitKind;
use qx_store::Store;
use qx_store::enterprises::{FACT_COLUMNS, FactRow, Facts, ImportSummary, RegistryRow, TAGS};
use rust_xlsxwriter::Workbook;
use std::collections::HashMap;

/// Largest file accepted.
pub const MAX_FILE_BYTES: usize = 64 * 1024 * 1024;

/// The columns the registry and the yearly facts share: the same headers are accepted in both.
const CREDIT_CODE: Column = (
    "credit_code",
    "统一社会信用代码",
    &["信用代码", "uscc", "社会信用代码"],
);
const NAME: Column = ("name", "企业名称", &["名称", "name", "单位名称"]);
const SCALE: Column = (
    "scale",
    "规模",
    &["规上规下", "规上/规下", "scale", "企业规模"],
);
const LAND_MU: Column = (
    "land_mu",
    "用地面积(亩)",
    &["用地面积", "实际用地面积", "用地", "land_mu"],
);

/// Registry columns.
const REGISTRY_COLUMNS: &[Column] = &[
    CREDIT_CODE,
    NAME,
    (
        "town",
        "镇乡(街道)",
        &[
            "镇乡街道",
            "所属镇乡",
            "镇乡",
            "乡镇",
            "街道",
            "town",
            "所属乡镇",
            "区划代码",
        ],
    ),
    (
        "industry",
        "行业代码",
        &["国民经济行业代码", "行业", "industry", "所属行业代码"],
    ),
    SCALE,
    LAND_MU,
    ("address", "地址", &["企业地址", "address"]),
    (
        "service_contact",
        "企服联系人",
        &["企服责任人", "联系人", "service_contact"],
    ),
    (
        "service_phone",
        "联系电话",
        &["电话", "service_phone", "手机"],
    ),
    ("tags", "培育标签", &["标签", "tags", "培育库"]),
];

/// Yearly fact columns.
const FACT_HEADERS: &[Column] = &[
    CREDIT_CODE,
    NAME,
    SCALE,
    LAND_MU,
    (
        "tax_wan",
        "评价税收(万元)",
        &[
            "评价税收",
            "实缴税金",
            "税收",
            "税金",
            "tax_wan",
            "税收实际贡献",
        ],
    ),
    (
        "added_value_wan",
        "工业增加值(万元)",
        &["工业增加值", "增加值", "added_value_wan"],
    ),
    (
        "energy_tce",
        "综合能耗(吨标准煤)",
        &["综合能耗", "总用能量", "能耗", "energy_tce"],
    ),
    (
        "emission_t",
        "主要污染物排放量(吨)",
        &["主要污染物排放量", "排放量", "排放", "emission_t"],
    ),
    (
        "employees",
        "年平均职工人数(人)",
        &["年平均职工人数", "职工人数", "职工", "employees"],
    ),
    (
        "rd_wan",
        "R&D经费支出(万元)",
        &["r&d经费支出", "研发经费支出", "研发费用", "r&d", "rd_wan"],
    ),
    (
        "revenue_wan",
        "主营业务收入(万元)",
        &["主营业务收入", "营业收入", "营收", "revenue_wan"],
    ),
    (
        "electricity_wkwh",
        "用电量(万千瓦时)",
        &["用电量", "用电", "electricity_wkwh"],
    ),
];

/// Reads a registry file and creates or updates every enterprise in it (office only).
pub async fn import_registry(
    store: &Store,
    actor: &Actor,
    bytes: &[u8],
    file_name: &str,
) -> Result<ImportSummary, AppError> {
    import_registry_with(store, actor, bytes, file_name, &|_, _| {}).await
}

/// [`import_registry`], telling `progress` each stage it enters and the rows the file holds.
pub async fn import_registry_with(
    store: &Store,
    actor: &Actor,
    bytes: &[u8],
    file_name: &str,
    progress: Progress<'_>,
) -> Result<ImportSummary, AppError> {
    progress(ImportStage::Reading, 0);
    let table = read_table(bytes, file_name, REGISTRY_COLUMNS, &["credit_code", "name"])?;
    progress(ImportStage::Checking, table.rows.len());
    let towns = town_lookup(store).await?;
    let rows = registry_rows(&table, &towns)?;
    progress(ImportStage::Saving, rows.len());
    Ok(store.import_enterprises(actor, file_name, &rows).await?)
}

/// The stages of a registry or facts import, in order, for a progress bar (the web's job
/// page): the last one, one transaction in the store, is the long one for a big file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportStage {
    /// Parsing the file into a table.
    Reading,
    /// Checking every cell and matching towns or registered codes.
    Checking,
    /// Writing every row in one transaction.
    Saving,
}

impl ImportStage {
    /// How many stages an import goes through.
    pub const COUNT: u64 = 3;

    /// Stages finished before this one starts.
    pub fn done_before(self) -> u64 {
        match self {
            ImportStage::Reading => 0,
            ImportStage::Checking => 1,
            ImportStage::Saving => 2,
        }
    }
}

impl Labelled for ImportStage {
    fn label(&self, lang: Lang) -> &'static str {
        match self {
            ImportStage::Reading => lang.pick("读取文件", "Reading the file"),
            ImportStage::Checking => lang.pick("校验数据", "Checking the rows"),
            ImportStage::Saving => lang.pick("写入数据库", "Saving"),
        }
    }
}

/// Told the stage an import enters and the number of data rows known so far (0 before the
/// file is read).
pub type Progress<'a> = &'a (dyn Fn(ImportStage, usize) + Send + Sync);

/// Reads a data year's facts and stores them (office only). Every code must be registered.
pub async fn import_facts(
    store: &Store,
    actor: &Actor,
    year: i64,
    bytes: &[u8],
    file_name: &str,
) -> Result<ImportSummary, AppError> {
    import_facts_with(store, actor, year, bytes, file_name, &|_, _| {}).await
}

/// [`import_facts`], telling `progress` each stage it enters and the rows the file holds.
pub async fn import_facts_with(
    store: &Store,
    actor: &Actor,
    year: i64,
    bytes: &[u8],
    file_name: &str,
    progress: Progress<'_>,
) -> Result<ImportSummary, AppError> {
    if !(2000..=2100).contains(&year) {
        return Err(AppError::Invalid(format!(
            "数据年度 \"{year}\" 无效 (invalid data year)"
        )));
    }
    progress(ImportStage::Reading, 0);
    let table = read_table(
        bytes,
        file_name,
        FACT_HEADERS,
        &["credit_code", "land_mu", "tax_wan"],
    )?;
    progress(ImportStage::Checking, table.rows.len());
    let (config, _) = crate::evaluation::config_for_year(store, year).await?;
    let scheme_columns = match crate::evaluation::parse_config(&config) {
        Ok(c) => extra_columns_of(&c.scheme),
        Err(_) => Vec::new(),
    };
    let extras = locate_extras(&table, &scheme_columns);
    let codes = store.enterprise_codes().await?;
    let rows = fact_rows(&table, &codes, &extras)?;
    progress(ImportStage::Saving, rows.len());
    let stored: Vec<String> = extras.iter().map(|e| e.column.clone()).collect();
    Ok(store
        .import_facts(actor, year, file_name, &rows, &stored)
        .await?)
}

/// How a 加减分 / 一票否决 column's cells are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExtraKind {
    /// 加分 or 减分 points: a number ≥ 0.
    Points,
    /// 一票否决: 是/否, 有/无, yes/no, 1/0.
    Flag,
    /// Any other number the scheme declares in `input.extra_columns`.
    Number,
}

/// A column a year's scheme reads beyond the contract's, with the headers a file may use for it.
#[derive(Debug, Clone, PartialEq)]
pub struct SchemeColumn {
    /// The scheme's column name (e.g. `safety_bonus`), also accepted as the header.
    pub column: String,
    /// The Chinese header (the adjustment's label or the veto's reason).
    pub label: String,
    pub kind: ExtraKind,
}

/// The 加减分 / 一票否决 / extra columns of a scheme, in declaration order.
pub fn extra_columns_of(scheme: &qx_eval::Scheme) -> Vec<SchemeColumn> {
    let mut out: Vec<SchemeColumn> = Vec::new();
    let mut add = |column: &str, label: &str, kind: ExtraKind| {
        if qx_store::enterprises::FACT_COLUMNS.contains(&column)
            || out.iter().any(|c| c.column == column)
        {
            return;
        }
        out.push(SchemeColumn {
            column: column.to_string(),
            label: label.to_string(),
            kind,
        });
    };
    for v in &scheme.vetoes {
        add(&v.column, &v.reason, ExtraKind::Flag);
    }
    for a in &scheme.adjustments {
        add(&a.column, &a.label, ExtraKind::Points);
    }
    for c in &scheme.input.extra_columns {
        add(c, c, ExtraKind::Number);
    }
    out
}

/// A scheme column found in the file's header.
#[derive(Debug, Clone)]
struct ExtraColumn {
    column: String,
    kind: ExtraKind,
    /// Position in the row and the header as written.
    at: usize,
    header: String,
}

fn locate_extras(t: &Table, scheme_columns: &[SchemeColumn]) -> Vec<ExtraColumn> {
    let mut out = Vec::new();
    for c in scheme_columns {
        let want = [header_key(&c.column), header_key(&c.label)];
        let taken = |i: usize| t.columns.values().any(|at| *at == i);
        if let Some(at) = t
            .header
            .iter()
            .enumerate()
            .position(|(i, h)| !taken(i) && want.contains(&header_key(h)))
        {
            out.push(ExtraColumn {
                column: c.column.clone(),
                kind: c.kind,
                at,
                header: t.header[at].trim().to_string(),
            });
        }
    }
    out
}

/// A 一票否决 cell: `Ok(None)` for no data.
fn flag(s: &str) -> Result<Option<f64>, String> {
    match s.trim().to_lowercase().as_str() {
        "" | "—" | "-" | "/" => Ok(None),
        "是" | "有" | "y" | "yes" | "true" | "1" | "√" => Ok(Some(1.0)),
        "否" | "无" | "n" | "no" | "false" | "0" => Ok(Some(0.0)),
        _ => Err("应为 是 或 否 (must be 是/否, yes/no or 1/0)".to_string()),
    }
}

/// The registry template (one example row).
pub fn registry_template() -> Result<Vec<u8>, AppError> {
    let headers: Vec<&str> = REGISTRY_COLUMNS.iter().map(|(_, h, _)| *h).collect();
    template(
        "企业名录",
        &headers,
        &[
            "91330225MA2J4X2M2B",
            "象山示例机械有限公司",
            "石浦镇",
            "3411",
            "规上",
            "30",
            "石浦镇工业区1号",
            "王五",
            "13800000000",
            "高新技术企业、上市储备",
        ],
    )
}

/// The yearly facts template for a data year (one example row): the contract's columns, then
/// the 加减分 / 一票否决 / extra columns that year's scheme reads, headed by their Chinese
/// labels so the importer finds them again.
pub async fn facts_template(store: &Store, year: i64) -> Result<Vec<u8>, AppError> {
    let (config, _) = crate::evaluation::config_for_year(store, year).await?;
    let scheme_columns = match crate::evaluation::parse_config(&config) {
        Ok(c) => extra_columns_of(&c.scheme),
        Err(_) => Vec::new(),
    };
    facts_template_with(&scheme_columns)
}

fn facts_template_with(scheme_columns: &[SchemeColumn]) -> Result<Vec<u8>, AppError> {
    let mut headers: Vec<&str> = FACT_HEADERS.iter().map(|(_, h, _)| *h).collect();
    let mut example = vec![
        "91330225MA2J4X2M2B",
        "象山示例机械有限公司",
        "规上",
        "30",
        "900",
        "5000",
        "1500",
        "1.0",
        "200",
        "400",
        "12000",
        "800",
    ];
    for c in scheme_columns {
        headers.push(if c.label.trim().is_empty() {
            &c.column
        } else {
            &c.label
        });
        example.push(match c.kind {
            ExtraKind::Flag => "否",
            ExtraKind::Points => "0",
            ExtraKind::Number => "",
        });
    }
    template("年度数据", &headers, &example)
}

fn template(sheet: &str, headers: &[&str], example: &[&str]) -> Result<Vec<u8>, AppError> {
    let mut wb = Workbook::new();
    let header = header_format();
    let ws = add_sheet(&mut wb, sheet, 0, headers, &header)?;
    set_widths(ws, &vec![16.0; headers.len()])?;
    write_texts(ws, 1, example, None)?;
    ws.set_freeze_panes(1, 0).map_err(xlsx_error)?;
    wb.save_to_buffer().map_err(xlsx_error)
}

/// Reads an enterprise file ([`read_file_table`]) of at most [`MAX_FILE_BYTES`].
pub(crate) fn read_table(
    bytes: &[u8],
    file_name: &str,
    columns: &[Column],
    required: &[&'static str],
) -> Result<Table, AppError> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(AppError::Invalid(format!(
            "{file_name}: 文件超过 {} MB (file too large)",
            MAX_FILE_BYTES >> 20
        )));
    }
    read_file_table(bytes, file_name, columns, required)
}

/// Town names, full names, aliases and region codes → unit id.
pub(crate) async fn town_lookup(store: &Store) -> Result<HashMap<String, i64>, AppError> {
    let mut map = HashMap::new();
    for u in store.list_units().await? {
        if let Some(code) = &u.region_code {
            map.insert(code.clone(), u.id);
            if code.len() == 9 {
                map.insert(format!("{code}000"), u.id);
            }
        }
        if u.kind == UnitKind::Town {
            map.insert(u.name.clone(), u.id);
            map.insert(u.full_name.clone(), u.id);
        }
    }
    let towns: std::collections::HashSet<i64> = map.values().copied().collect();
    for (alias, id) in store.all_unit_aliases().await? {
        if towns.contains(&id) {
            map.insert(alias, id);
        }
    }
    Ok(map)
}

fn parse_scale(s: &str) -> Option<Scale> {
    Scale::parse(s.trim())
}

fn credit_code(
    t: &Table,
    line: u32,
    row: &[String],
    errors: &mut Vec<String>,
    seen: &mut HashMap<String, u32>,
) -> Option<String> {
    let raw = t.cell(row, "credit_code");
    if raw.is_empty() {
        errors.push(t.problem(line, "credit_code", "必填 (required)", ""));
        return None;
    }
    match CreditCode::parse(raw) {
        Ok(code) => {
            let code = code.as_str().to_string();
            if let Some(first) = seen.insert(code.clone(), line) {
                errors.push(t.problem(line, "credit_code", &format!("与第{first}行重复"), raw));
                return None;
            }
            Some(code)
        }
        Err(e) => {
            errors.push(t.problem(line, "credit_code", &reason_only(e), raw));
            None
        }
    }
}

/// An optional cell read by `parse`: `None` when blank; a problem is reported naming the cell
/// and the value as written, and the cell is then `None` too.
fn optional_cell<T>(
    t: &Table,
    line: u32,
    row: &[String],
    key: &str,
    errors: &mut Vec<String>,
    parse: impl FnOnce(&str) -> Result<T, String>,
) -> Option<T> {
    let text = t.cell(row, key);
    if text.is_empty() {
        return None;
    }
    parse(text)
        .map_err(|m| errors.push(t.problem(line, key, &m, text)))
        .ok()
}

/// Reads every data row of an enterprise sheet with `read`, after checking the row's
/// 统一社会信用代码 (required, valid, not repeated in the file). The one rule of both importers:
/// every problem of every row is collected, a row with a problem is not kept, and nothing is
/// returned unless every row is valid and there is at least one.
fn sheet_rows<R>(
    t: &Table,
    mut read: impl FnMut(u32, &[String], Option<String>, &mut Vec<String>) -> Option<R>,
) -> Result<Vec<R>, AppError> {
    let mut errors = Vec::new();
    let mut seen = HashMap::new();
    let mut out = Vec::with_capacity(t.rows.len());
    for (line, row) in &t.rows {
        let before = errors.len();
        let code = credit_code(t, *line, row, &mut errors, &mut seen);
        let kept = read(*line, row, code, &mut errors);
        if errors.len() == before {
            out.extend(kept);
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Rows(errors));
    }
    if out.is_empty() {
        return Err(AppError::Rows(vec!["文件中没有数据行".into()]));
    }
    Ok(out)
}

fn registry_rows(t: &Table, towns: &HashMap<String, i64>) -> Result<Vec<RegistryRow>, AppError> {
    sheet_rows(t, |line, row, code, errors| {
        let name = t.cell(row, "name");
        if name.is_empty() {
            errors.push(t.problem(line, "name", "必填 (required)", ""));
        }
        let town_id = optional_cell(t, line, row, "town", errors, |text| {
            towns
                .get(text)
                .copied()
                .ok_or_else(|| "不是已登记的镇乡(街道)名称或区划代码 (unknown town)".to_string())
        });
        let industry_code = optional_cell(t, line, row, "industry", errors, |text| {
            IndustryCode::parse(text)
                .map(|c| c.as_str().to_string())
                .map_err(reason_only)
        });
        let scale_text = t.cell(row, "scale");
        let scale = if scale_text.is_empty() && !t.has("scale") {
            Some(Scale::Below)
        } else {
            let s = parse_scale(scale_text);
            if s.is_none() {
                errors.push(t.problem(
                    line,
                    "scale",
                    "应为 规上 或 规下 (must be 规上 or 规下)",
                    scale_text,
                ));
            }
            s
        };
        let land_text = t.cell(row, "land_mu");
        let land_mu = match read_number(land_text) {
            Ok(Some(v)) if v <= 0.0 => {
                errors.push(t.problem(
                    line,
                    "land_mu",
                    "必须大于0 (must be greater than 0)",
                    land_text,
                ));
                None
            }
            Ok(v) => v,
            Err(msg) => {
                errors.push(t.problem(line, "land_mu", &msg, land_text));
                None
            }
        };
        let tags_text = t.cell(row, "tags");
        let mut tags: Vec<String> = Vec::new();
        for tag in tags_text
            .split(['、', ',', '，', ';', '；', '/', ' '])
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            if !TAGS.contains(&tag) {
                errors.push(t.problem(
                    line,
                    "tags",
                    &format!(
                        "未知的培育标签 \"{tag}\", 可用: {} (unknown tag)",
                        TAGS.join("、")
                    ),
                    tags_text,
                ));
            } else if !tags.iter().any(|t| t == tag) {
                tags.push(tag.to_string());
            }
        }
        let (credit_code, scale) = (code?, scale?);
        Some(RegistryRow {
            credit_code,
            name: name.to_string(),
            town_id,
            industry_code,
            scale,
            land_mu,
            address: t.cell(row, "address").to_string(),
            service_contact: t.cell(row, "service_contact").to_string(),
            service_phone: t.cell(row, "service_phone").to_string(),
            tags,
        })
    })
}

fn fact_rows(
    t: &Table,
    codes: &HashMap<String, (i64, Scale)>,
    extras: &[ExtraColumn],
) -> Result<Vec<FactRow>, AppError> {
    sheet_rows(t, |line, row, code, errors| {
        let registered = code.as_ref().and_then(|c| {
            let hit = codes.get(c);
            if hit.is_none() {
                errors.push(t.problem(
                    line,
                    "credit_code",
                    "企业未登记, 请先导入企业名录 (not in the registry)",
                    c,
                ));
            }
            hit
        });
        let scale_text = t.cell(row, "scale");
        let scale = if scale_text.is_empty() {
            registered.map(|(_, s)| *s)
        } else {
            match parse_scale(scale_text) {
                Some(s) => Some(s),
                None => {
                    errors.push(t.problem(
                        line,
                        "scale",
                        "应为 规上 或 规下 (must be 规上 or 规下)",
                        scale_text,
                    ));
                    None
                }
            }
        };
        let mut facts = Facts::default();
        for col in FACT_COLUMNS {
            let text = t.cell(row, col);
            match read_number(text) {
                Ok(None) if col == "land_mu" || col == "tax_wan" => {
                    errors.push(t.problem(line, col, "必填 (required)", text));
                }
                Ok(Some(v)) if col == "land_mu" && v <= 0.0 => {
                    errors.push(t.problem(line, col, "必须大于0 (must be greater than 0)", text));
                }
                Ok(Some(v)) if col != "tax_wan" && v < 0.0 => {
                    errors.push(t.problem(line, col, "不能为负数 (must not be negative)", text));
                }
                Ok(v) => {
                    if let Err(e) = facts.set(col, v) {
                        errors.push(e.to_string());
                    }
                }
                Err(msg) => errors.push(t.problem(line, col, &msg, text)),
            }
        }
        let mut extra_values = Vec::new();
        for x in extras {
            let text = row.get(x.at).map_or("", |c| c.trim());
            let parsed = match x.kind {
                ExtraKind::Flag => flag(text),
                ExtraKind::Points | ExtraKind::Number => read_number(text),
            };
            let problem = |msg: &str| {
                let place = t.row_place(line, &x.header);
                if text.is_empty() {
                    format!("{place}: {msg}")
                } else {
                    format!("{place}: {msg}, 实际为 \"{text}\"")
                }
            };
            match parsed {
                Ok(Some(v)) if x.kind == ExtraKind::Points && v < 0.0 => {
                    errors.push(problem(
                        "加减分不能为负数, 减分请在方案中设为 deduction (must not be negative)",
                    ));
                }
                Ok(Some(v)) => extra_values.push((x.column.clone(), v)),
                Ok(None) => {}
                Err(msg) => errors.push(problem(&msg)),
            }
        }
        let ((id, _), scale) = (registered?, scale?);
        Some(FactRow {
            enterprise_id: *id,
            scale,
            facts,
            extras: extra_values,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_match_with_units_and_aliases() {
        assert_eq!(header_key("用地面积（亩）"), "用地面积");
        assert_eq!(header_key(" 实缴税金(万元) "), "实缴税金");
        assert_eq!(header_key("R&D经费支出(万元)"), "r&d经费支出");
        let header = vec![
            "实缴税金(万元)".into(),
            "land_mu".into(),
            "统一社会信用代码".into(),
        ];
        let m = Table::locate_spelled("", "", vec![(1, header)], FACT_HEADERS, &["credit_code"])
            .unwrap()
            .columns;
        assert_eq!(m["tax_wan"], 0);
        assert_eq!(m["land_mu"], 1);
        assert_eq!(m["credit_code"], 2);
    }

    /// The template handed out for a year is one the importer reads back: every contract
    /// column and every column the scheme adds is found, each read the way its kind says.
    #[test]
    fn the_facts_template_carries_the_schemes_columns_and_reads_back() {
        let config = crate::evaluation::parse_config(&format!(
            "{}\n[[adjustments]]\ncolumn = \"safety_bonus\"\nkind = \"bonus\"\n\
             label = \"安全生产标准化加分\"\ncap = 5\n\
             \n[[vetoes]]\ncolumn = \"major_accident\"\nclass = \"D\"\n\
             reason = \"发生较大及以上安全生产事故\"\n",
            crate::evaluation::default_config().replace(
                "extra_columns = []",
                "extra_columns = [\"safety_bonus\", \"major_accident\"]",
            )
        ))
        .expect("scheme");
        let columns = extra_columns_of(&config.scheme);
        assert_eq!(columns.len(), 2, "{columns:?}");
        let bytes = facts_template_with(&columns).unwrap();
        let table = read_table(
            &bytes,
            "facts.xlsx",
            FACT_HEADERS,
            &["credit_code", "land_mu", "tax_wan"],
        )
        .unwrap();
        for (key, header, _) in FACT_HEADERS {
            assert!(table.has(key), "contract column {header} not found again");
        }
        assert!(table.header.iter().any(|h| h == "安全生产标准化加分"));
        assert!(
            table
                .header
                .iter()
                .any(|h| h == "发生较大及以上安全生产事故")
        );
        let extras = locate_extras(&table, &columns);
        let found: Vec<(&str, ExtraKind)> =
            extras.iter().map(|x| (x.column.as_str(), x.kind)).collect();
        assert_eq!(
            found,
            vec![
                ("major_accident", ExtraKind::Flag),
                ("safety_bonus", ExtraKind::Points)
            ]
        );
        // The example row's 否 and 0 are values the importer accepts.
        let (_, row) = &table.rows[0];
        assert_eq!(flag(&row[extras[0].at]), Ok(Some(0.0)));
        assert_eq!(read_number(&row[extras[1].at]), Ok(Some(0.0)));
    }

    #[test]
    fn numbers_accept_full_width_and_placeholders() {
        assert_eq!(read_number("１２.５"), Ok(Some(12.5)));
        assert_eq!(read_number("—"), Ok(None));
        assert_eq!(read_number(""), Ok(None));
        assert_eq!(read_number("1,234"), Ok(Some(1234.0)));
        assert!(read_number("十二").is_err());
    }
}
