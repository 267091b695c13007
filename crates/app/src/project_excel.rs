//! The 重大项目库 in Excel: the county's own project list read in (the web's import and
//! `qx project import`), and the library written out in the same layout so it reads back.
//!
//! The list is read as county staff keep it: a title above, a header that may take two rows
//! (`计划进度` merged over `签约 注册 开工 投产`, the other cells merged down), blank formatting
//! rows and section rows (`一、工业项目`) between projects, amounts in 万元 or 亿元 (by the
//! column's header `总投资(亿元)` or the cell's own unit `2.5亿元`, stored in 万元), full-width
//! digits. Every bad cell is named (`重大项目 第12行 F列 "总投资(万元)": …`) and nothing is
//! written unless every row is valid; a row matches a project already entered by name and
//! town (updated) or enters a new one at 在谈.

use crate::AppError;
use crate::enterprise_import::{ImportStage, Progress};
use crate::sheet::{
    Table, add_sheet, header_format, open_workbook, read_figure, set_widths, text_rows, xlsx_error,
};
use qx_core::access::{Actor, Role};
use qx_core::codes::CreditCode;
use qx_core::label::{Labelled, Lang};
use qx_core::project::{CapitalKind, Source, fields};
use qx_core::text::TextField;
use qx_core::units::UnitKind;
use qx_store::Store;
use qx_store::enterprises::ImportSummary;
use qx_store::projects::{LibraryRow, ProjectInput};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{Format, FormatAlign, Workbook};
use std::collections::HashMap;
use time::Date;

/// The sheet the export writes and the import reads first (else the workbook's first sheet).
pub const SHEET: &str = "重大项目";
/// Largest list accepted.
pub const MAX_FILE_BYTES: usize = 32 * 1024 * 1024;

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Col {
    Name,
    Investor,
    CreditCode,
    Capital,
    Source,
    Industry,
    Town,
    Total,
    Foreign,
    Annual,
    Completed,
    Land,
    Content,
    Unit,
    Contact,
    Leader,
    Year,
    Planned(usize),
}

/// Each column with the headers it is found under, the export's first.
const COLUMNS: &[(Col, &[&str])] = &[
    (Col::Name, &["项目名称"]),
    (
        Col::Investor,
        &["投资方", "投资主体", "项目业主", "业主单位", "建设单位"],
    ),
    (Col::CreditCode, &["统一社会信用代码", "信用代码"]),
    (Col::Capital, &["资金来源", "内外资"]),
    (Col::Source, &["项目来源"]),
    (Col::Industry, &["行业", "所属行业", "产业类别"]),
    (
        Col::Town,
        &["镇乡(街道)", "所在镇乡", "镇乡", "乡镇(街道)", "所在地"],
    ),
    (
        Col::Total,
        &[
            "总投资(万元)",
            "总投资(亿元)",
            "计划总投资(万元)",
            "计划总投资(亿元)",
            "总投资",
            "计划总投资",
        ],
    ),
    (Col::Foreign, &["合同外资(万美元)", "合同外资"]),
    (
        Col::Annual,
        &[
            "年度计划投资(万元)",
            "年度计划投资(亿元)",
            "年度计划投资",
            "本年计划投资(万元)",
            "本年计划投资",
        ],
    ),
    (
        Col::Completed,
        &[
            "本年已完成投资(万元)",
            "本年已完成投资(亿元)",
            "本年已完成投资",
            "本年完成投资(万元)",
            "本年完成投资",
        ],
    ),
    (Col::Land, &["用地(亩)", "用地面积(亩)", "用地"]),
    (
        Col::Content,
        &["建设内容", "主要建设内容", "建设规模及内容"],
    ),
    (Col::Unit, &["责任单位", "牵头单位"]),
    (Col::Contact, &["联系人"]),
    (Col::Leader, &["包干县领导", "联系县领导", "县领导"]),
    (Col::Year, &["年度"]),
    (Col::Planned(0), &["计划进度签约", "计划签约时间"]),
    (Col::Planned(1), &["计划进度注册", "计划注册时间"]),
    (Col::Planned(2), &["计划进度开工", "计划开工时间"]),
    (Col::Planned(3), &["计划进度投产", "计划投产时间"]),
];

/// The headers [`Table::locate_two_row`] looks for.
fn wanted() -> Vec<&'static str> {
    COLUMNS
        .iter()
        .flat_map(|(_, names)| names.iter().copied())
        .collect()
}

/// The header a column was found under in this table.
fn found(t: &Table, col: Col) -> Option<&'static str> {
    COLUMNS
        .iter()
        .find(|(c, _)| *c == col)
        .and_then(|(_, names)| names.iter().copied().find(|n| t.columns.contains_key(n)))
}

/// Reads a project list and writes it (office only); `default_year` is the 年度 of rows that
/// give none.
pub async fn import_projects(
    store: &Store,
    actor: &Actor,
    bytes: &[u8],
    file_name: &str,
    default_year: i32,
) -> Result<ImportSummary, AppError> {
    import_projects_with(store, actor, bytes, file_name, default_year, &|_, _| {}).await
}

/// [`import_projects`], telling `progress` each stage it enters and the rows the file holds.
pub async fn import_projects_with(
    store: &Store,
    actor: &Actor,
    bytes: &[u8],
    file_name: &str,
    default_year: i32,
    progress: Progress<'_>,
) -> Result<ImportSummary, AppError> {
    if !actor.is_admin() {
        return Err(AppError::Invalid(
            "只有办公室可以导入重大项目库 (only the office imports the project list)".into(),
        ));
    }
    if bytes.len() > MAX_FILE_BYTES {
        return Err(AppError::Invalid(format!(
            "{file_name}: 文件超过 {} MB (file too large)",
            MAX_FILE_BYTES >> 20
        )));
    }
    progress(ImportStage::Reading, 0);
    let mut wb = open_workbook(bytes, file_name)?;
    let sheet_name = if wb.has_sheet(SHEET) {
        SHEET.to_string()
    } else {
        wb.sheet_names()
            .first()
            .cloned()
            .ok_or_else(|| AppError::Invalid(format!("{file_name}: 没有工作表 (no sheet)")))?
    };
    let sheet = wb
        .read_sheet(&sheet_name)
        .map_err(|e| AppError::Invalid(e.to_string()))?;
    let rows = text_rows(&sheet, crate::sheet::cell_text);
    let table = Table::locate_two_row(&sheet_name, rows, &wanted(), &["项目名称"])
        .map_err(AppError::Rows)?;
    let missing: Vec<String> = [(Col::Total, "总投资"), (Col::Unit, "责任单位")]
        .into_iter()
        .filter(|(c, _)| found(&table, *c).is_none())
        .map(|(_, h)| format!("{sheet_name}: 缺少列 \"{h}\" (missing column)"))
        .collect();
    if !missing.is_empty() {
        return Err(AppError::Rows(missing));
    }
    progress(ImportStage::Checking, table.rows.len());
    let lookups = Lookups::load(store, actor).await?;
    let inputs = read_rows(&table, &lookups, default_year)?;
    if inputs.is_empty() {
        return Err(AppError::Rows(vec![format!(
            "{sheet_name}: 没有项目行 (no project rows)"
        )]));
    }
    progress(ImportStage::Saving, inputs.len());
    Ok(store
        .import_projects(actor, file_name, &inputs, qx_core::time::today())
        .await?)
}

/// Names people write for units and leaders, to ids.
struct Lookups {
    /// 镇乡(街道) and zones: name, full name, alias.
    towns: HashMap<String, i64>,
    /// Every unit but groups: name, full name, alias.
    units: HashMap<String, i64>,
    /// Leader accounts by display name and user name; `None` when two share a name.
    leaders: HashMap<String, Option<i64>>,
}

impl Lookups {
    async fn load(store: &Store, actor: &Actor) -> Result<Lookups, AppError> {
        let all = store.list_units().await?;
        let aliases = store.all_unit_aliases().await?;
        let names = |keep: &dyn Fn(UnitKind) -> bool| {
            let mut map = HashMap::new();
            for u in all.iter().filter(|u| keep(u.kind)) {
                map.insert(u.name.clone(), u.id);
                map.insert(u.full_name.clone(), u.id);
            }
            let ids: Vec<i64> = map.values().copied().collect();
            for (alias, id) in &aliases {
                if ids.contains(id) {
                    map.entry(alias.clone()).or_insert(*id);
                }
            }
            map
        };
        let towns = names(&|k| matches!(k, UnitKind::Town | UnitKind::Zone));
        let units = names(&|k| k != UnitKind::Group);
        let mut leaders: HashMap<String, Option<i64>> = HashMap::new();
        for u in store.list_users(actor).await? {
            if u.profile.role != Role::Leader {
                continue;
            }
            for n in [u.profile.display_name.clone(), u.username.clone()] {
                leaders
                    .entry(n)
                    .and_modify(|v| {
                        if *v != Some(u.id) {
                            *v = None
                        }
                    })
                    .or_insert(Some(u.id));
            }
        }
        Ok(Lookups {
            towns,
            units,
            leaders,
        })
    }
}

/// Rows that carry no project: totals, and section or note rows with one cell.
fn skipped(name: &str, cells: &[String]) -> bool {
    ["合计", "总计", "小计"].iter().any(|w| name.starts_with(w))
        || (name.is_empty() && cells.iter().filter(|c| !c.trim().is_empty()).count() <= 1)
}

fn read_rows(
    t: &Table,
    lookups: &Lookups,
    default_year: i32,
) -> Result<Vec<ProjectInput>, AppError> {
    let mut problems = Vec::new();
    let mut out = Vec::new();
    for (n, cells) in &t.rows {
        let name = t.get(cells, "项目名称");
        if skipped(&name, cells) {
            continue;
        }
        let mut row = RowReader {
            t,
            n: *n,
            cells,
            problems: &mut problems,
        };
        if let Some(input) = row.project(lookups, default_year) {
            out.push(input);
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(AppError::Rows(problems))
    }
}

/// One row's cells, each read with its problem named by place.
struct RowReader<'a> {
    t: &'a Table,
    n: u32,
    cells: &'a [String],
    problems: &'a mut Vec<String>,
}

impl RowReader<'_> {
    fn cell(&self, col: Col) -> (Option<&'static str>, String) {
        match found(self.t, col) {
            Some(h) => (Some(h), self.t.get(self.cells, h)),
            None => (None, String::new()),
        }
    }

    fn fail<T>(&mut self, header: Option<&'static str>, msg: String) -> Option<T> {
        let place = header.map_or_else(
            || format!("{} 第{}行", self.t.sheet, self.n),
            |h| self.t.at(self.n, h),
        );
        self.problems.push(format!("{place}: {msg}"));
        None
    }

    /// `Some(Some(v))` read, `Some(None)` empty, `None` a problem (recorded).
    fn read<T>(
        &mut self,
        col: Col,
        parse: impl FnOnce(&str, &str) -> Result<Option<T>, String>,
    ) -> Option<Option<T>> {
        let (h, v) = self.cell(col);
        match parse(&v, h.unwrap_or("")) {
            Ok(v) => Some(v),
            Err(e) => self.fail(h, e),
        }
    }

    fn text(&mut self, col: Col, field: TextField) -> Option<String> {
        let (h, v) = self.cell(col);
        match field.check(&v) {
            Ok(v) => Some(v.to_string()),
            Err(e) => self.fail(h, e),
        }
    }

    fn project(&mut self, lookups: &Lookups, default_year: i32) -> Option<ProjectInput> {
        let name = self.text(Col::Name, fields::NAME);
        let investor = self.text(Col::Investor, fields::INVESTOR);
        let industry = self.text(Col::Industry, fields::INDUSTRY);
        let content = self.text(Col::Content, fields::CONTENT);
        let contact = self.text(Col::Contact, fields::CONTACT);
        let credit_code = self.read(Col::CreditCode, |v, _| {
            (!v.is_empty())
                .then(|| CreditCode::parse(v).map_err(|e| e.to_string()))
                .transpose()
        });
        let capital_kind = self.read(Col::Capital, |v, _| {
            labelled(CapitalKind::ALL, v, &[]).map_err(|e| e + "应为 内资、外资 或 浙商回归")
        });
        let source = self.read(Col::Source, |v, _| {
            labelled(
                Source::ALL,
                v,
                &[
                    ("招商", Source::Investment),
                    ("技改", Source::Expansion),
                    ("扩建", Source::Expansion),
                ],
            )
            .map_err(|e| e + "应为 招商引资 或 技改扩建")
        });
        let town_id = self.read(Col::Town, |v, _| {
            named(&lookups.towns, v, "本县的镇乡(街道)或园区")
        });
        let unit_id = self.read(Col::Unit, |v, _| named(&lookups.units, v, "单位"));
        let leader_user_id = self.read(Col::Leader, |v, _| {
            if v.is_empty() {
                return Ok(None);
            }
            match lookups.leaders.get(v) {
                Some(Some(id)) => Ok(Some(*id)),
                Some(None) => Err(format!("\"{v}\" 同名的领导账号不止一个, 请填写用户名")),
                None => Err(format!("\"{v}\" 不是领导账号")),
            }
        });
        let year = self.read(Col::Year, |v, _| {
            if v.is_empty() {
                return Ok(None);
            }
            read_figure(v, "年")?
                .and_then(|y| y.parse::<i32>().ok())
                .filter(|y| {
                    (qx_core::period::Period::MIN_YEAR..=qx_core::period::Period::MAX_YEAR)
                        .contains(y)
                })
                .map(Some)
                .ok_or_else(|| format!("\"{v}\" 不是有效年度"))
        });
        let total = self.read(Col::Total, amount_wan);
        let foreign = self.read(Col::Foreign, |v, _| amount(v, "万美元"));
        let annual = self.read(Col::Annual, amount_wan);
        let completed = self.read(Col::Completed, amount_wan);
        let land = self.read(Col::Land, |v, _| amount(v, "亩"));
        let mut planned = [None; 4];
        let mut dates_ok = true;
        for (i, slot) in planned.iter_mut().enumerate() {
            match self.read(Col::Planned(i), |v, _| date_cell(v)) {
                Some(d) => *slot = d,
                None => dates_ok = false,
            }
        }
        let total = match total? {
            Some(t) if t > 0.0 => Some(t),
            Some(_) => self.fail(found(self.t, Col::Total), "必须大于0".into()),
            None => self.fail(found(self.t, Col::Total), "不能为空 (required)".into()),
        };
        let unit_id = match unit_id? {
            Some(u) => Some(u),
            None => self.fail(found(self.t, Col::Unit), "不能为空 (required)".into()),
        };
        if !dates_ok {
            return None;
        }
        Some(ProjectInput {
            year: year?.unwrap_or(default_year),
            name: name?,
            investor: investor?,
            credit_code: credit_code?,
            capital_kind: capital_kind?.unwrap_or(CapitalKind::Domestic),
            source: source?.unwrap_or(Source::Investment),
            industry: industry?,
            town_id: town_id?,
            total_investment_wan: total?,
            foreign_contract_wusd: foreign?,
            annual_plan_wan: annual?,
            completed_wan: completed?,
            land_mu: land?,
            content: content?,
            unit_id: unit_id?,
            contact: contact?,
            leader_user_id: leader_user_id?,
            planned,
        })
    }
}

/// A state named by its Chinese label or its code (or one of `extra` words).
fn labelled<T: Copy + Labelled>(
    all: &[T],
    v: &str,
    extra: &[(&str, T)],
) -> Result<Option<T>, String> {
    if v.is_empty() {
        return Ok(None);
    }
    all.iter()
        .copied()
        .find(|s| s.label(Lang::Zh) == v || s.label(Lang::En).eq_ignore_ascii_case(v))
        .or_else(|| extra.iter().find(|(w, _)| *w == v).map(|(_, s)| *s))
        .map(Some)
        .ok_or_else(|| format!("\"{v}\" 无法识别, "))
}

fn named(map: &HashMap<String, i64>, v: &str, what: &str) -> Result<Option<i64>, String> {
    if v.is_empty() {
        return Ok(None);
    }
    map.get(v)
        .copied()
        .map(Some)
        .ok_or_else(|| format!("\"{v}\" 不是{what}"))
}

/// A non-negative figure in `unit` (full-width digits, separators and the unit itself accepted).
fn amount(v: &str, unit: &str) -> Result<Option<f64>, String> {
    let Some(s) = read_figure(v, unit).map_err(|_| not_a_number(v))? else {
        return Ok(None);
    };
    let d: Decimal = s.parse().map_err(|_| not_a_number(v))?;
    non_negative(d, v)
}

fn not_a_number(v: &str) -> String {
    format!("\"{v}\" 不是数字 (not a number)")
}

fn non_negative(d: Decimal, v: &str) -> Result<Option<f64>, String> {
    if d.is_sign_negative() && !d.is_zero() {
        return Err(format!("不能为负数, 实际为 \"{v}\""));
    }
    Ok(d.to_f64())
}

/// An amount in 万元: `2.5亿元` and `2.5亿` are 25,000 万元, as is `2.5` under a header in
/// 亿元 (`总投资(亿元)`); `800万元`, `800万` and `800` under any other header are 800 万元.
fn amount_wan(v: &str, header: &str) -> Result<Option<f64>, String> {
    let cell = v.trim();
    let (rest, yi) = if let Some(r) = cell
        .strip_suffix("亿元")
        .or_else(|| cell.strip_suffix("亿"))
    {
        (r, true)
    } else if let Some(r) = cell
        .strip_suffix("万元")
        .or_else(|| cell.strip_suffix("万"))
    {
        (r, false)
    } else {
        (cell, header.contains("亿元"))
    };
    let Some(s) = read_figure(rest, "").map_err(|_| not_a_number(v))? else {
        return Ok(None);
    };
    let d: Decimal = s.parse().map_err(|_| not_a_number(v))?;
    non_negative(if yi { d * Decimal::from(10_000) } else { d }, v)
}

/// A date as people type it: `2017-03-31`, `2017/3/31`, `2017.3.31`, `2017年3月31日`; a
/// month alone (`2017-03`, `2017年3月`) is its last day (planned "by March").
fn date_cell(v: &str) -> Result<Option<Date>, String> {
    let v = v.trim();
    if v.is_empty() || ["—", "-", "/"].contains(&v) {
        return Ok(None);
    }
    let bad = || format!("\"{v}\" 不是日期 (应为 2017-03-31 或 2017年3月)");
    let normalised: String = v
        .chars()
        .map(qx_core::text::to_halfwidth)
        .map(|c| match c {
            '年' | '月' | '/' | '.' => '-',
            '日' => ' ',
            _ => c,
        })
        .collect();
    let parts: Vec<&str> = normalised.trim().trim_end_matches('-').split('-').collect();
    let num = |s: &str| s.trim().parse::<i32>().ok();
    let (year, month) = match parts.as_slice() {
        [y, m] | [y, m, _] => (num(y).ok_or_else(bad)?, num(m).ok_or_else(bad)?),
        _ => return Err(bad()),
    };
    let month = u8::try_from(month)
        .ok()
        .and_then(|m| time::Month::try_from(m).ok())
        .ok_or_else(bad)?;
    let day = match parts.get(2) {
        Some(d) => u8::try_from(num(d).ok_or_else(bad)?).map_err(|_| bad())?,
        None => time::util::days_in_month(month, year),
    };
    Date::from_calendar_date(year, month, day)
        .map(Some)
        .map_err(|_| bad())
}

/// The library's headers: a column alone (merged down both header rows) or a group over its
/// sub-headers.
enum Head {
    One(&'static str, f64),
    Group(&'static str, &'static [&'static str]),
}

const LAYOUT: &[Head] = &[
    Head::One("序号", 6.0),
    Head::One("项目名称", 28.0),
    Head::One("投资方", 24.0),
    Head::One("统一社会信用代码", 21.0),
    Head::One("资金来源", 9.0),
    Head::One("项目来源", 10.0),
    Head::One("行业", 12.0),
    Head::One("镇乡(街道)", 12.0),
    Head::One("总投资(万元)", 12.0),
    Head::One("合同外资(万美元)", 12.0),
    Head::One("年度计划投资(万元)", 12.0),
    Head::One("本年已完成投资(万元)", 12.0),
    Head::One("用地(亩)", 9.0),
    Head::One("建设内容", 36.0),
    Head::One("责任单位", 14.0),
    Head::One("联系人", 10.0),
    Head::One("包干县领导", 10.0),
    Head::One("年度", 7.0),
    Head::One("当前阶段", 9.0),
    Head::Group("计划进度", &["签约", "注册", "开工", "投产"]),
    Head::Group("实际进度", &["在谈", "签约", "注册", "开工", "投产"]),
];

/// The library the actor reads as a workbook in the layout [`import_projects`] reads.
pub async fn export_projects(store: &Store, actor: &Actor) -> Result<Vec<u8>, AppError> {
    library_workbook(&store.project_library(actor).await?)
}

fn library_workbook(rows: &[LibraryRow]) -> Result<Vec<u8>, AppError> {
    let mut wb = Workbook::new();
    let head = header_format()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_text_wrap();
    let ws = add_sheet(&mut wb, SHEET, 1, &[] as &[&str], &head)?;
    let width: u16 = LAYOUT
        .iter()
        .map(|h| match h {
            Head::One(..) => 1,
            Head::Group(_, subs) => subs.len() as u16,
        })
        .sum();
    let title = Format::new().set_bold().set_font_size(14);
    ws.merge_range(
        0,
        0,
        0,
        width - 1,
        &format!(
            "重大项目库 (导出日期 {})",
            qx_core::time::format_date(qx_core::time::today())
        ),
        &title,
    )
    .map_err(xlsx_error)?;
    let mut c: u16 = 0;
    let mut widths = Vec::new();
    for h in LAYOUT {
        match h {
            Head::One(name, w) => {
                ws.merge_range(1, c, 2, c, name, &head)
                    .map_err(xlsx_error)?;
                widths.push(*w);
                c += 1;
            }
            Head::Group(name, subs) => {
                let last = c + subs.len() as u16 - 1;
                ws.merge_range(1, c, 1, last, name, &head)
                    .map_err(xlsx_error)?;
                for (i, s) in subs.iter().enumerate() {
                    ws.write_with_format(2, c + i as u16, *s, &head)
                        .map_err(xlsx_error)?;
                    widths.push(11.0);
                }
                c = last + 1;
            }
        }
    }
    set_widths(ws, &widths)?;
    ws.set_freeze_panes(3, 2).map_err(xlsx_error)?;
    for (i, r) in rows.iter().enumerate() {
        let row = 3 + i as u32;
        let p = &r.project;
        let texts: [(u16, &str); 9] = [
            (1, &p.name),
            (2, &p.investor),
            (3, p.credit_code.as_deref().unwrap_or("")),
            (4, p.capital_kind.label(Lang::Zh)),
            (5, p.source.label(Lang::Zh)),
            (6, &p.industry),
            (7, &p.town_name),
            (13, &p.content),
            (14, &p.unit_name),
        ];
        ws.write(row, 0, i as u32 + 1).map_err(xlsx_error)?;
        for (col, v) in texts {
            ws.write(row, col, v).map_err(xlsx_error)?;
        }
        let numbers = [
            (8, Some(p.total_investment_wan)),
            (9, p.foreign_contract_wusd),
            (10, p.annual_plan_wan),
            (11, p.completed_wan),
            (12, p.land_mu),
        ];
        for (col, v) in numbers {
            if let Some(v) = v {
                ws.write(row, col, v).map_err(xlsx_error)?;
            }
        }
        for (col, v) in [
            (15, p.contact.as_str()),
            (16, p.leader_name.as_str()),
            (18, p.stage.label(Lang::Zh)),
        ] {
            ws.write(row, col, v).map_err(xlsx_error)?;
        }
        ws.write(row, 17, p.year).map_err(xlsx_error)?;
        let dates = r.planned[1..].iter().chain(r.actual.iter()).enumerate();
        for (i, d) in dates {
            if let Some(d) = d {
                ws.write(row, 19 + i as u16, d.as_str())
                    .map_err(xlsx_error)?;
            }
        }
    }
    wb.save_to_buffer().map_err(xlsx_error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn amounts_in_yi_become_wan_by_the_cell_or_the_header() {
        assert_eq!(amount_wan("2.5亿元", "总投资"), Ok(Some(25_000.0)));
        assert_eq!(amount_wan("２．５亿", "总投资"), Ok(Some(25_000.0)));
        assert_eq!(amount_wan("3", "总投资(亿元)"), Ok(Some(30_000.0)));
        assert_eq!(amount_wan("800万元", "总投资(亿元)"), Ok(Some(800.0)));
        assert_eq!(amount_wan("１,２００", "总投资(万元)"), Ok(Some(1_200.0)));
        assert_eq!(amount_wan("", "总投资"), Ok(None));
        assert!(amount_wan("-5", "总投资").is_err());
        assert!(
            amount_wan("约5亿", "总投资")
                .unwrap_err()
                .contains("不是数字")
        );
    }

    #[test]
    fn dates_read_as_people_type_them() {
        assert_eq!(date_cell("2017-03-31"), Ok(Some(date!(2017 - 03 - 31))));
        assert_eq!(date_cell("2017/3/1"), Ok(Some(date!(2017 - 03 - 01))));
        assert_eq!(date_cell("2017年6月"), Ok(Some(date!(2017 - 06 - 30))));
        assert_eq!(date_cell("２０１７年２月"), Ok(Some(date!(2017 - 02 - 28))));
        assert_eq!(date_cell("2017.12"), Ok(Some(date!(2017 - 12 - 31))));
        assert_eq!(date_cell("—"), Ok(None));
        assert!(date_cell("2017-02-30").is_err());
        assert!(date_cell("下半年").is_err());
    }

    #[test]
    fn a_two_row_header_names_the_columns_below_a_group() {
        let s = |v: &[&str]| v.iter().map(|c| c.to_string()).collect::<Vec<_>>();
        let rows = vec![
            (1, s(&["2017年重大项目库"])),
            (
                3,
                s(&["序号", "项目名称", "总投资（亿元）", "计划进度", "", "", ""]),
            ),
            (4, s(&["", "", "", "签约", "注册", "开工", "投产"])),
            (6, s(&["1", "甲项目", "2.5", "", "", "2017-03", ""])),
        ];
        let t = Table::locate_two_row("重大项目", rows, &wanted(), &["项目名称"]).unwrap();
        assert_eq!(found(&t, Col::Total), Some("总投资(亿元)"));
        assert_eq!(found(&t, Col::Planned(2)), Some("计划进度开工"));
        assert_eq!(t.rows.len(), 1);
        let (n, row) = &t.rows[0];
        assert_eq!(t.get(row, "计划进度开工"), "2017-03");
        assert_eq!(
            t.at(*n, "计划进度开工"),
            "重大项目 第6行 F列 \"计划进度开工\""
        );
    }
}
