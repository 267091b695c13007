//! 企业名录 and 亩均效益综合评价 pages: the registry with filters and imports, an enterprise's
//! card (facts, results with per-item provenance, history, 调档 and objections), the evaluation
//! of a data year (results, per town/industry/scale aggregates, low-efficiency list, class
//! changes, differentiated policies, Excel export, 调档, 公示) and the versioned scheme editor.

use crate::auth::Auth;
use crate::pages::{PageCtx, fmt_time, render};
use crate::upload;
use crate::{AppState, WebError};
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use qx_app::AppError;
use qx_app::evaluation as ev;
use qx_core::access::Role;
use qx_store::enterprises::{EnterpriseFilter, TAGS};
use qx_store::evaluation::{AggregateBy, ResultFilter, ResultLine, Run};
use serde::Deserialize;

type PageResult = Result<Response, WebError>;

/// UI strings of this module: key, 中文, English.
pub const MESSAGES: &[(&str, &str, &str)] = &[
    ("ent.list", "企业名录", "Enterprise registry"),
    ("ent.code", "统一社会信用代码", "Credit code"),
    ("ent.name", "企业名称", "Name"),
    ("ent.town", "镇乡(街道)", "Town"),
    ("ent.industry", "行业代码", "Industry"),
    ("ent.scale", "规模", "Scale"),
    ("ent.above", "规上", "Above size"),
    ("ent.below", "规下", "Below size"),
    ("ent.land", "用地面积(亩)", "Land (mu)"),
    ("ent.tags", "培育标签", "Cultivation tags"),
    ("ent.contact", "企服联系人", "Service contact"),
    ("ent.phone", "联系电话", "Phone"),
    ("ent.address", "地址", "Address"),
    ("ent.search", "查询", "Search"),
    ("ent.all", "全部", "All"),
    ("ent.total", "共", "Total"),
    ("ent.none", "没有符合条件的企业。", "No enterprises match."),
    ("ent.import", "导入", "Import"),
    ("ent.import_registry", "导入企业名录", "Import the registry"),
    ("ent.import_facts", "导入年度数据", "Import yearly facts"),
    (
        "ent.import_hint",
        "Excel (.xlsx) 或 CSV (UTF-8 或 GBK); 表头可用中文或英文列名; 任一行有误则全部不写入。",
        "Excel (.xlsx) or CSV (UTF-8 or GBK); Chinese or English headers; nothing is written if any row is wrong.",
    ),
    ("ent.template", "下载模板", "Download template"),
    ("ent.data_year", "数据年度", "Data year"),
    ("ent.file", "文件", "File"),
    ("ent.imported", "导入成功", "Imported"),
    (
        "ent.errors",
        "导入失败, 未写入任何数据",
        "Import failed; nothing was written",
    ),
    ("ent.card", "企业档案", "Enterprise card"),
    ("ent.facts", "年度数据", "Yearly facts"),
    ("ent.history", "评价历史", "Evaluation history"),
    ("ent.items", "评价指标明细", "Items"),
    ("ent.item", "指标", "Item"),
    ("ent.value", "指标值", "Value"),
    ("ent.benchmark", "基准值", "Benchmark"),
    ("ent.weight", "权重", "Weight"),
    ("ent.score", "得分", "Score"),
    ("ent.imputed", "按组内平均得分赋分", "Group mean (no data)"),
    ("ent.tax", "税收(万元)", "Tax (10k yuan)"),
    ("ent.va", "增加值(万元)", "Value added"),
    ("ent.energy", "能耗(吨标煤)", "Energy (tce)"),
    ("ent.emission", "排放(吨)", "Emission (t)"),
    ("ent.employees", "职工(人)", "Employees"),
    ("ent.rd", "R&D(万元)", "R&D"),
    ("ent.revenue", "营收(万元)", "Revenue"),
    ("ent.power", "用电(万千瓦时)", "Power (10k kWh)"),
    (
        "ent.evaluation",
        "亩均效益综合评价",
        "Land-efficiency evaluation",
    ),
    ("ent.run", "运行评价", "Run the evaluation"),
    (
        "ent.run_hint",
        "按该年度评价方案对已导入的年度数据评价; 上次评价的调档将沿用。",
        "Evaluates the year's stored facts under its scheme; earlier overrides carry over.",
    ),
    ("ent.ran", "评价完成", "Evaluation done"),
    (
        "ent.no_run",
        "该年度尚未评价。",
        "No evaluation for this year yet.",
    ),
    ("ent.status", "状态", "Status"),
    ("ent.status.draft", "草稿", "Draft"),
    ("ent.status.publicity", "公示中", "Publicity"),
    ("ent.status.final", "已确定", "Final"),
    ("ent.rank", "名次", "Rank"),
    ("ent.total_score", "总分", "Score"),
    ("ent.class", "档次", "Class"),
    ("ent.initial_class", "初评档次", "Initial class"),
    ("ent.group", "评价分组", "Group"),
    ("ent.tax_per_mu", "亩均税收(万元/亩)", "Tax per mu"),
    ("ent.va_per_mu", "亩均增加值(万元/亩)", "Value added per mu"),
    ("ent.firms", "企业数", "Firms"),
    ("ent.by_town", "分镇乡(街道)", "By town"),
    ("ent.by_industry", "分行业", "By industry"),
    ("ent.by_scale", "分规模", "By scale"),
    (
        "ent.low",
        "低效企业(亩均税收低于阈值)",
        "Low-efficiency firms (tax per mu below threshold)",
    ),
    ("ent.low_only", "只看低效企业", "Low-efficiency only"),
    (
        "ent.changes",
        "档次变化(与上年相比)",
        "Class changes against the previous year",
    ),
    ("ent.previous_class", "上年档次", "Previous class"),
    ("ent.policy", "差别化政策", "Differentiated policies"),
    (
        "ent.land_tax",
        "城镇土地使用税减免(%)",
        "Land-use tax reduction (%)",
    ),
    (
        "ent.surcharge",
        "电价加价(元/千瓦时)",
        "Power surcharge (yuan/kWh)",
    ),
    ("ent.measures", "措施", "Measures"),
    ("ent.export", "导出Excel", "Export to Excel"),
    ("ent.override", "调档", "Override class"),
    ("ent.reason", "理由", "Reason"),
    ("ent.overrides", "调档记录", "Overrides"),
    ("ent.publicity", "公示", "Publicity"),
    ("ent.publicity_start", "开始公示", "Start publicity"),
    ("ent.from", "开始日期", "From"),
    ("ent.to", "截止日期", "To"),
    ("ent.finalize", "确定评价结果", "Finalize"),
    ("ent.objection", "异议", "Objection"),
    ("ent.objections", "公示异议", "Objections"),
    ("ent.object", "提出异议", "Raise an objection"),
    ("ent.reply", "答复", "Reply"),
    ("ent.accept", "采纳", "Accept"),
    ("ent.reject", "不予采纳", "Reject"),
    ("ent.obj.open", "待答复", "Open"),
    ("ent.obj.accepted", "已采纳", "Accepted"),
    ("ent.obj.rejected", "不予采纳", "Rejected"),
    ("ent.scheme", "评价方案", "Evaluation scheme"),
    (
        "ent.scheme_hint",
        "指标、权重、基准值、封顶、分组、档次比例、加减分与 [policy] 差别化政策均可修改; 保存即生成新版本, 下次评价生效。",
        "Indicators, weights, benchmarks, caps, grouping, class bounds, bonuses and the [policy] table are all editable; saving creates a new version used by the next run.",
    ),
    (
        "ent.scheme_default",
        "尚未保存, 显示默认方案(黄岩2022)",
        "Not saved yet; showing the default (Huangyan 2022)",
    ),
    ("ent.versions", "历史版本", "Versions"),
    ("ent.version", "版本", "Version"),
    ("ent.note", "修改说明", "Note"),
    ("ent.save", "保存新版本", "Save as new version"),
    ("ent.saved", "已保存", "Saved"),
    (
        "ent.scheme_errors",
        "方案有误, 未保存",
        "The scheme has errors; not saved",
    ),
    ("ent.filter", "筛选", "Filter"),
    ("ent.warnings", "提示", "Notes"),
    ("ent.year", "年度", "Year"),
    ("ent.results", "评价结果", "Results"),
    (
        "ent.adjustments",
        "加减分与一票否决",
        "Bonuses, deductions and vetoes",
    ),
    ("ent.adj.kind", "类别", "Kind"),
    ("ent.adj.bonus", "加分", "Bonus"),
    ("ent.adj.deduction", "减分", "Deduction"),
    ("ent.adj.veto", "一票否决", "Veto"),
    ("ent.adj.points", "分值", "Points"),
    ("ent.adj.source", "数据来源", "Source"),
    (
        "ent.extras",
        "加减分及否决项数据",
        "Bonus, deduction and veto inputs",
    ),
    ("ent.adj.column", "数据列", "Column"),
];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/enterprises", get(list))
        .route("/enterprises/import", post(import))
        .route("/enterprises/template/{kind}", get(template))
        .route("/enterprises/evaluation", get(evaluation))
        .route("/enterprises/evaluation/run", post(run))
        .route("/enterprises/evaluation/{run}/export.xlsx", get(export))
        .route(
            "/enterprises/evaluation/{run}/override",
            post(override_class),
        )
        .route("/enterprises/evaluation/{run}/publicity", post(publicity))
        .route("/enterprises/evaluation/{run}/finalize", post(finalize))
        .route("/enterprises/evaluation/{run}/objection", post(object))
        .route("/enterprises/objections/{id}", post(answer))
        .route("/enterprises/scheme", get(scheme).post(scheme_save))
        .route("/enterprises/{id}", get(card))
}

fn app_err(e: AppError) -> WebError {
    match e {
        AppError::Store(s) => s.into(),
        AppError::Rows(rows) => WebError::BadRequest(rows.join("\n")),
        other => WebError::BadRequest(other.to_string()),
    }
}

fn f2(v: Option<f64>) -> String {
    v.map(|x| format!("{x:.2}")).unwrap_or_else(|| "—".into())
}

fn f4(v: Option<f64>) -> String {
    v.map(|x| format!("{x:.4}")).unwrap_or_else(|| "—".into())
}

fn scale_key(s: &str) -> &'static str {
    if s == "above" {
        "ent.above"
    } else {
        "ent.below"
    }
}

fn status_key(s: &str) -> &'static str {
    match s {
        "draft" => "ent.status.draft",
        "publicity" => "ent.status.publicity",
        _ => "ent.status.final",
    }
}

fn opt_id(s: &Option<String>) -> Option<i64> {
    s.as_deref().and_then(|s| s.trim().parse().ok())
}

// ---- registry ----

/// The data year a page starts on before any facts are stored: the seed plan (2017) evaluates
/// the enterprises' 2016 figures.
const FIRST_DATA_YEAR: i64 = 2016;

/// The newest year with stored facts, else [`FIRST_DATA_YEAR`].
fn newest_data_year(years: &[(i64, i64)]) -> i64 {
    years.first().map_or(FIRST_DATA_YEAR, |(y, _)| *y)
}

#[derive(Deserialize, Default)]
struct ListQuery {
    #[serde(default)]
    q: String,
    town: Option<String>,
    #[serde(default)]
    industry: String,
    #[serde(default)]
    scale: String,
    #[serde(default)]
    tag: String,
    page: Option<i64>,
    imported: Option<String>,
}

pub struct EntRow {
    id: i64,
    code: String,
    name: String,
    town: String,
    industry: String,
    scale_key: &'static str,
    land: String,
    tags: String,
}

#[derive(Template)]
#[template(path = "enterprises/list.html")]
struct ListPage {
    ctx: PageCtx,
    rows: Vec<EntRow>,
    total: i64,
    page: i64,
    pages: i64,
    q: String,
    town: i64,
    industry: String,
    scale: String,
    tag: String,
    towns: Vec<(i64, String)>,
    tags: Vec<&'static str>,
    years: Vec<(i64, i64)>,
    is_admin: bool,
    errors: Vec<String>,
    default_year: i64,
}

const PAGE: i64 = 100;

async fn list(State(state): State<AppState>, auth: Auth, Query(q): Query<ListQuery>) -> PageResult {
    list_page(&state, &auth, q, Vec::new()).await
}

async fn list_page(state: &AppState, auth: &Auth, q: ListQuery, errors: Vec<String>) -> PageResult {
    let actor = auth.actor();
    let page = q.page.unwrap_or(1).max(1);
    let filter = EnterpriseFilter {
        q: q.q.clone(),
        town_id: opt_id(&q.town),
        industry: q.industry.clone(),
        scale: q.scale.clone(),
        tag: q.tag.clone(),
        limit: PAGE,
        offset: (page - 1) * PAGE,
    };
    let (list, total) = state.store.search_enterprises(&actor, &filter).await?;
    let rows = list
        .into_iter()
        .map(|e| EntRow {
            id: e.id,
            code: e.credit_code,
            name: e.name,
            town: e.town_name.unwrap_or_default(),
            industry: e.industry_code.unwrap_or_default(),
            scale_key: scale_key(&e.scale),
            land: f2(e.land_mu),
            tags: e.tags,
        })
        .collect();
    let towns = state
        .store
        .list_units()
        .await?
        .into_iter()
        .filter(|u| u.kind == "town")
        .map(|u| (u.id, u.name))
        .collect();
    let years = if actor.reads_all() {
        state.store.fact_years().await?
    } else {
        Vec::new()
    };
    let mut ctx = PageCtx::signed_in(auth);
    if q.imported.is_some() {
        ctx.flash = Some(crate::i18n::t(auth.ctx.lang, "ent.imported").to_string());
    }
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let page = ListPage {
        ctx,
        rows,
        total,
        page,
        pages: (total + PAGE - 1) / PAGE,
        town: filter.town_id.unwrap_or(0),
        q: q.q,
        industry: q.industry,
        scale: q.scale,
        tag: q.tag,
        towns,
        tags: TAGS.to_vec(),
        default_year: newest_data_year(&years),
        years,
        is_admin: actor.is_admin(),
        errors,
    };
    Ok((status, render(&page)).into_response())
}

/// A registry or facts file, within the importer's own limit, with its kind and data year.
const ENTERPRISE_UPLOAD: upload::Limits =
    upload::Limits::one_file("导入文件", qx_app::enterprise_import::MAX_FILE_BYTES);

async fn import(State(state): State<AppState>, auth: Auth, form: Multipart) -> PageResult {
    let actor = auth.actor();
    if !actor.is_admin() {
        return Err(WebError::Forbidden("enterprise.import".into()));
    }
    let up = upload::read(form, &ENTERPRISE_UPLOAD).await?;
    let kind = up.field("kind").unwrap_or_default().to_string();
    let year = up.field("year").unwrap_or_default().to_string();
    let Some(file) = up.into_file() else {
        return Err(WebError::BadRequest(
            "请选择要导入的文件 (choose a file)".into(),
        ));
    };
    let (name, bytes) = (file.name.to_string(), file.data);
    let result = if kind == "facts" {
        let year: i64 = year
            .trim()
            .parse()
            .map_err(|_| WebError::BadRequest(format!("数据年度 \"{year}\" 不是有效年份")))?;
        qx_app::enterprise_import::import_facts(&state.store, &actor, year, &bytes, &name).await
    } else {
        qx_app::enterprise_import::import_registry(&state.store, &actor, &bytes, &name).await
    };
    match result {
        Ok(_) => Ok(Redirect::to("/enterprises?imported=1").into_response()),
        Err(AppError::Store(s)) => Err(s.into()),
        Err(AppError::Rows(rows)) => list_page(&state, &auth, ListQuery::default(), rows).await,
        Err(other) => list_page(&state, &auth, ListQuery::default(), vec![other.to_string()]).await,
    }
}

#[derive(Deserialize, Default)]
struct TemplateQuery {
    /// Facts: the data year whose scheme decides the 加减分 / 一票否决 columns.
    year: Option<i64>,
}

async fn template(
    State(state): State<AppState>,
    auth: Auth,
    Path(kind): Path<String>,
    Query(q): Query<TemplateQuery>,
) -> PageResult {
    if !auth.actor().is_admin() {
        return Err(WebError::Forbidden("enterprise.template".into()));
    }
    let (bytes, file) = match kind.trim_end_matches(".xlsx") {
        "registry" => (
            qx_app::enterprise_import::registry_template(),
            "enterprise-registry.xlsx".to_string(),
        ),
        "facts" => {
            let year = match q.year {
                Some(y) => y,
                None => newest_data_year(&state.store.fact_years().await?),
            };
            (
                qx_app::enterprise_import::facts_template(&state.store, year).await,
                format!("enterprise-facts-{year}.xlsx"),
            )
        }
        _ => return Err(WebError::NotFound(kind)),
    };
    Ok(xlsx(bytes.map_err(app_err)?, &file))
}

fn xlsx(bytes: Vec<u8>, file: &str) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

// ---- the card ----

pub struct FactView {
    year: i64,
    scale_key: &'static str,
    cells: Vec<String>,
}

pub struct ItemView {
    label: String,
    value: String,
    benchmark: String,
    weight: String,
    score: String,
    imputed: bool,
}

pub struct AdjustmentView {
    kind_key: &'static str,
    label: String,
    value: String,
    /// "+3.00", "−2.00" or "→ D".
    effect: String,
    source: String,
}

pub struct ExtraView {
    year: i64,
    column: String,
    value: String,
    source: String,
}

pub struct HistoryView {
    run_id: i64,
    year: i64,
    status: String,
    status_key: &'static str,
    total: String,
    rank: i64,
    group: String,
    group_size: i64,
    class: String,
    initial_class: String,
    adjust_reason: String,
    items: Vec<ItemView>,
    adjustments: Vec<AdjustmentView>,
    objections: Vec<ObjectionView>,
}

pub struct ObjectionView {
    id: i64,
    name: String,
    text: String,
    status_key: &'static str,
    open: bool,
    reply: String,
    at: String,
}

#[derive(Template)]
#[template(path = "enterprises/show.html")]
struct CardPage {
    ctx: PageCtx,
    e: qx_store::enterprises::EnterpriseDetail,
    scale_key: &'static str,
    land: String,
    facts: Vec<FactView>,
    extras: Vec<ExtraView>,
    history: Vec<HistoryView>,
    is_self: bool,
    is_admin: bool,
}

fn objection_views(list: Vec<qx_store::evaluation::Objection>) -> Vec<ObjectionView> {
    list.into_iter()
        .map(|o| ObjectionView {
            id: o.id,
            name: o.name,
            text: o.text,
            status_key: match o.status.as_str() {
                "open" => "ent.obj.open",
                "accepted" => "ent.obj.accepted",
                _ => "ent.obj.rejected",
            },
            open: o.status == "open",
            reply: o.reply,
            at: fmt_time(o.submitted_at),
        })
        .collect()
}

async fn card(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>) -> PageResult {
    let actor = auth.actor();
    let e = state.store.enterprise_detail(&actor, id).await?;
    let facts = state
        .store
        .enterprise_facts(&actor, id)
        .await?
        .into_iter()
        .map(|y| FactView {
            year: y.year,
            scale_key: scale_key(&y.scale),
            cells: qx_store::enterprises::FACT_COLUMNS
                .iter()
                .map(|c| f2(y.facts.get(c)))
                .collect(),
        })
        .collect();
    let extras = state
        .store
        .enterprise_fact_extras(&actor, id)
        .await?
        .into_iter()
        .map(|x| ExtraView {
            year: x.year,
            column: x.column_name,
            value: format!("{}", x.value),
            source: x.source,
        })
        .collect();
    let mut history = Vec::new();
    for (run, line) in state.store.enterprise_results(&actor, id).await? {
        let objections = objection_views(state.store.objections(&actor, run.id, Some(id)).await?);
        history.push(HistoryView {
            run_id: run.id,
            year: run.year,
            status_key: status_key(&run.status),
            status: run.status.clone(),
            total: f2(Some(line.total)),
            rank: line.rank_no,
            group: line.group_label.clone(),
            group_size: line.group_size,
            class: line.class.clone(),
            initial_class: line.initial_class.clone(),
            adjust_reason: line.adjust_reason.clone().unwrap_or_default(),
            items: line
                .item_results()
                .into_iter()
                .map(|it| ItemView {
                    label: it.label,
                    value: f4(it.value),
                    benchmark: f4(it.benchmark),
                    weight: format!("{}", it.weight),
                    score: f4(Some(it.score)),
                    imputed: it.imputed,
                })
                .collect(),
            adjustments: line
                .adjustment_results()
                .into_iter()
                .map(|a| AdjustmentView {
                    kind_key: match a.kind.as_str() {
                        "bonus" => "ent.adj.bonus",
                        "deduction" => "ent.adj.deduction",
                        _ => "ent.adj.veto",
                    },
                    effect: match &a.class {
                        Some(c) => format!("→ {c}"),
                        None => format!("{:+.2}", a.points),
                    },
                    label: a.label,
                    value: format!("{}", a.value),
                    source: a.source,
                })
                .collect(),
            objections,
        });
    }
    let page = CardPage {
        ctx: PageCtx::signed_in(&auth),
        scale_key: scale_key(&e.scale),
        land: f2(e.land_mu),
        is_self: actor.role == Role::Enterprise && actor.enterprise_id == Some(id),
        is_admin: actor.is_admin(),
        e,
        facts,
        extras,
        history,
    };
    Ok(render(&page).into_response())
}

// ---- the evaluation of a year ----

#[derive(Deserialize, Default, Clone)]
struct EvalQuery {
    year: Option<i64>,
    run: Option<i64>,
    town: Option<String>,
    #[serde(default)]
    industry: String,
    #[serde(default)]
    scale: String,
    #[serde(default)]
    class: String,
    low: Option<String>,
    ran: Option<String>,
}

impl EvalQuery {
    fn filter(&self, policy: &ev::Policy) -> ResultFilter {
        let low = self.low.as_deref().is_some_and(|v| !v.is_empty());
        ResultFilter {
            town_id: opt_id(&self.town).filter(|t| *t > 0),
            industry: self.industry.clone(),
            scale: self.scale.clone(),
            class: self.class.clone(),
            // One threshold per scale: the 规上 one unless the filter asks for 规下.
            tax_per_mu_below: low.then(|| {
                if self.scale == "below" {
                    policy.low_tax_per_mu.below
                } else {
                    policy.low_tax_per_mu.above
                }
            }),
            enterprise_id: None,
        }
    }

    fn query_string(&self) -> String {
        serde_urlencoded::to_string([
            ("town", self.town.clone().unwrap_or_default()),
            ("industry", self.industry.clone()),
            ("scale", self.scale.clone()),
            ("class", self.class.clone()),
            ("low", self.low.clone().unwrap_or_default()),
        ])
        .unwrap_or_default()
    }
}

pub struct ResultView {
    enterprise_id: i64,
    code: String,
    name: String,
    town: String,
    industry: String,
    scale_key: &'static str,
    group: String,
    rank: i64,
    total: String,
    tax_per_mu: String,
    class: String,
    initial_class: String,
    adjusted: bool,
    reason: String,
}

fn result_view(l: &ResultLine) -> ResultView {
    ResultView {
        enterprise_id: l.enterprise_id,
        code: l.credit_code.clone(),
        name: l.name.clone(),
        town: l.town_name.clone().unwrap_or_default(),
        industry: l.industry_code.clone().unwrap_or_default(),
        scale_key: scale_key(&l.scale),
        group: l.group_label.clone(),
        rank: l.rank_no,
        total: f2(Some(l.total)),
        tax_per_mu: f2(l.tax_per_mu()),
        class: l.class.clone(),
        initial_class: l.initial_class.clone(),
        adjusted: l.class != l.initial_class,
        reason: l.adjust_reason.clone().unwrap_or_default(),
    }
}

pub struct AggView {
    key: String,
    firms: i64,
    counts: Vec<i64>,
    tax_per_mu: String,
    va_per_mu: String,
}

pub struct AggTable {
    title_key: &'static str,
    lines: Vec<AggView>,
}

pub struct ChangeView {
    enterprise_id: i64,
    name: String,
    town: String,
    previous: String,
    class: String,
}

pub struct PolicyView {
    class: String,
    firms: i64,
    land_tax: String,
    surcharge: String,
    measures: String,
}

#[derive(Template)]
#[template(path = "enterprises/evaluation.html")]
struct EvalPage {
    ctx: PageCtx,
    year: i64,
    years: Vec<i64>,
    run: Option<Run>,
    runs: Vec<(i64, i64, &'static str)>,
    status_key: &'static str,
    classes: Vec<String>,
    results: Vec<ResultView>,
    shown: usize,
    total_results: usize,
    aggregates: Vec<AggTable>,
    low: Vec<ResultView>,
    low_hint: String,
    changes: Vec<ChangeView>,
    previous_year: i64,
    policies: Vec<PolicyView>,
    objections: Vec<ObjectionView>,
    warnings: Vec<String>,
    q: EvalQuery,
    export_query: String,
    towns: Vec<(i64, String)>,
    town: i64,
    is_admin: bool,
    reads_all: bool,
    today: String,
}

/// Rows shown on the page; the export has them all.
const SHOWN: usize = 500;

async fn evaluation(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<EvalQuery>,
) -> PageResult {
    let actor = auth.actor();
    let runs = state.store.list_runs(&actor).await?;
    let mut years: Vec<i64> = runs.iter().map(|r| r.year).collect();
    if actor.reads_all() {
        years.extend(state.store.fact_years().await?.into_iter().map(|(y, _)| y));
    }
    years.sort_unstable_by(|a, b| b.cmp(a));
    years.dedup();
    let year = q
        .year
        .or_else(|| years.first().copied())
        .unwrap_or(FIRST_DATA_YEAR);
    let run = match q.run {
        Some(id) => Some(state.store.get_run(&actor, id).await?),
        None => runs.iter().find(|r| r.year == year).cloned(),
    };
    let year = run.as_ref().map_or(year, |r| r.year);
    let mut page = EvalPage {
        ctx: PageCtx::signed_in(&auth),
        year,
        years,
        runs: runs
            .iter()
            .filter(|r| r.year == year)
            .map(|r| (r.id, r.enterprises, status_key(&r.status)))
            .collect(),
        status_key: "ent.status.draft",
        classes: Vec::new(),
        results: Vec::new(),
        shown: 0,
        total_results: 0,
        aggregates: Vec::new(),
        low: Vec::new(),
        low_hint: String::new(),
        changes: Vec::new(),
        previous_year: year - 1,
        policies: Vec::new(),
        objections: Vec::new(),
        warnings: Vec::new(),
        export_query: q.query_string(),
        towns: state
            .store
            .list_units()
            .await?
            .into_iter()
            .filter(|u| u.kind == "town")
            .map(|u| (u.id, u.name))
            .collect(),
        town: opt_id(&q.town).unwrap_or(0),
        is_admin: actor.is_admin(),
        reads_all: actor.reads_all(),
        today: today(),
        run: None,
        q: q.clone(),
    };
    if q.ran.is_some() {
        page.ctx.flash = Some(crate::i18n::t(auth.ctx.lang, "ent.ran").to_string());
    }
    if let Some(run) = run {
        let policy = ev::policy_of(&run);
        let classes = ev::classes_of(&run);
        let lines = state
            .store
            .run_results(&actor, run.id, &q.filter(&policy))
            .await?;
        page.total_results = lines.len();
        page.results = lines.iter().take(SHOWN).map(result_view).collect();
        page.shown = page.results.len();
        for (key, by) in [
            ("ent.by_town", AggregateBy::Town),
            ("ent.by_industry", AggregateBy::Industry),
            ("ent.by_scale", AggregateBy::Scale),
        ] {
            let lines = ev::aggregates(&state.store, &actor, &run, by)
                .await
                .map_err(app_err)?;
            page.aggregates.push(AggTable {
                title_key: key,
                lines: lines
                    .into_iter()
                    .map(|a| AggView {
                        key: a.key,
                        firms: a.firms,
                        counts: a.counts,
                        tax_per_mu: f2(a.tax_per_mu),
                        va_per_mu: f2(a.va_per_mu),
                    })
                    .collect(),
            });
        }
        page.low = ev::low_efficiency(&state.store, &actor, &run)
            .await
            .map_err(app_err)?
            .iter()
            .take(SHOWN)
            .map(result_view)
            .collect();
        page.low_hint = format!(
            "规上 < {} · 规下 < {} 万元/亩",
            policy.low_tax_per_mu.above, policy.low_tax_per_mu.below
        );
        if let Some(prev) = ev::previous_run(&state.store, &actor, &run)
            .await
            .map_err(app_err)?
        {
            page.changes = state
                .store
                .class_changes(&actor, run.id, prev.id)
                .await?
                .into_iter()
                .take(SHOWN)
                .map(|c| ChangeView {
                    enterprise_id: c.enterprise_id,
                    name: c.name,
                    town: c.town_name.unwrap_or_default(),
                    previous: c.previous_class,
                    class: c.class,
                })
                .collect();
        }
        let totals = page
            .aggregates
            .iter()
            .find(|a| a.title_key == "ent.by_scale")
            .and_then(|a| a.lines.last())
            .map(|l| l.counts.clone())
            .unwrap_or_default();
        page.policies = policy
            .classes
            .iter()
            .map(|p| PolicyView {
                firms: classes
                    .iter()
                    .position(|c| *c == p.class)
                    .and_then(|i| totals.get(i).copied())
                    .unwrap_or(0),
                class: p.class.clone(),
                land_tax: format!("{}", p.land_tax_reduction_pct),
                surcharge: format!("{}", p.electricity_surcharge),
                measures: p.measures.clone(),
            })
            .collect();
        page.objections = objection_views(state.store.objections(&actor, run.id, None).await?);
        page.warnings = run
            .warnings
            .lines()
            .map(str::to_string)
            .filter(|s| !s.is_empty())
            .collect();
        page.status_key = status_key(&run.status);
        page.classes = classes;
        page.run = Some(run);
    }
    Ok(render(&page).into_response())
}

fn today() -> String {
    let offset = time::UtcOffset::from_hms(8, 0, 0).unwrap_or(time::UtcOffset::UTC);
    let d = time::OffsetDateTime::now_utc().to_offset(offset).date();
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

#[derive(Deserialize)]
struct YearForm {
    year: String,
}

async fn run(State(state): State<AppState>, auth: Auth, Form(f): Form<YearForm>) -> PageResult {
    let year: i64 = f
        .year
        .trim()
        .parse()
        .map_err(|_| WebError::BadRequest(format!("年度 \"{}\" 不是有效年份", f.year)))?;
    let summary = ev::run_year(&state.store, &auth.actor(), year)
        .await
        .map_err(app_err)?;
    Ok(Redirect::to(&format!(
        "/enterprises/evaluation?run={}&ran=1",
        summary.run_id
    ))
    .into_response())
}

async fn export(
    State(state): State<AppState>,
    auth: Auth,
    Path(run_id): Path<i64>,
    Query(q): Query<EvalQuery>,
) -> PageResult {
    let actor = auth.actor();
    let run = state.store.get_run(&actor, run_id).await?;
    let filter = q.filter(&ev::policy_of(&run));
    let bytes = ev::export_run(&state.store, &actor, run_id, &filter)
        .await
        .map_err(app_err)?;
    Ok(xlsx(
        bytes,
        &format!("evaluation-{}-{}.xlsx", run.year, run.id),
    ))
}

#[derive(Deserialize)]
struct OverrideForm {
    enterprise_id: i64,
    class: String,
    reason: String,
}

async fn override_class(
    State(state): State<AppState>,
    auth: Auth,
    Path(run_id): Path<i64>,
    Form(f): Form<OverrideForm>,
) -> PageResult {
    state
        .store
        .override_class(&auth.actor(), run_id, f.enterprise_id, &f.class, &f.reason)
        .await?;
    Ok(Redirect::to(&format!("/enterprises/{}", f.enterprise_id)).into_response())
}

#[derive(Deserialize)]
struct PublicityForm {
    from: String,
    to: String,
}

fn iso_date(s: &str) -> Result<String, WebError> {
    time::Date::parse(
        s.trim(),
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .map(|_| s.trim().to_string())
    .map_err(|_| WebError::BadRequest(format!("日期 \"{s}\" 格式应为 YYYY-MM-DD")))
}

async fn publicity(
    State(state): State<AppState>,
    auth: Auth,
    Path(run_id): Path<i64>,
    Form(f): Form<PublicityForm>,
) -> PageResult {
    state
        .store
        .start_publicity(
            &auth.actor(),
            run_id,
            &iso_date(&f.from)?,
            &iso_date(&f.to)?,
        )
        .await?;
    Ok(Redirect::to(&format!("/enterprises/evaluation?run={run_id}")).into_response())
}

async fn finalize(
    State(state): State<AppState>,
    auth: Auth,
    Path(run_id): Path<i64>,
) -> PageResult {
    state.store.finalize_run(&auth.actor(), run_id).await?;
    Ok(Redirect::to(&format!("/enterprises/evaluation?run={run_id}")).into_response())
}

#[derive(Deserialize)]
struct ObjectionForm {
    enterprise_id: i64,
    text: String,
}

async fn object(
    State(state): State<AppState>,
    auth: Auth,
    Path(run_id): Path<i64>,
    Form(f): Form<ObjectionForm>,
) -> PageResult {
    state
        .store
        .submit_objection(&auth.actor(), run_id, f.enterprise_id, &f.text)
        .await?;
    Ok(Redirect::to(&format!("/enterprises/{}", f.enterprise_id)).into_response())
}

#[derive(Deserialize)]
struct AnswerForm {
    decision: String,
    reply: String,
    #[serde(default)]
    back: String,
}

async fn answer(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Form(f): Form<AnswerForm>,
) -> PageResult {
    state
        .store
        .answer_objection(&auth.actor(), id, f.decision == "accept", &f.reply)
        .await?;
    let back = if f.back.starts_with("/enterprises") {
        f.back
    } else {
        "/enterprises/evaluation".to_string()
    };
    Ok(Redirect::to(&back).into_response())
}

// ---- the scheme ----

#[derive(Deserialize)]
struct SchemeQuery {
    year: Option<i64>,
    saved: Option<String>,
}

pub struct VersionView {
    version: i64,
    name: String,
    note: String,
    at: String,
}

#[derive(Template)]
#[template(path = "enterprises/scheme.html")]
struct SchemePage {
    ctx: PageCtx,
    year: i64,
    text: String,
    is_default: bool,
    versions: Vec<VersionView>,
    errors: Vec<String>,
    is_admin: bool,
}

async fn scheme(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<SchemeQuery>,
) -> PageResult {
    if !auth.actor().reads_all() {
        return Err(WebError::Forbidden("scheme".into()));
    }
    let year = q.year.unwrap_or(FIRST_DATA_YEAR);
    let (text, version) = ev::config_for_year(&state.store, year)
        .await
        .map_err(app_err)?;
    scheme_page(
        &state,
        &auth,
        year,
        text,
        version.is_none(),
        Vec::new(),
        q.saved.is_some(),
    )
    .await
}

async fn scheme_page(
    state: &AppState,
    auth: &Auth,
    year: i64,
    text: String,
    is_default: bool,
    errors: Vec<String>,
    saved: bool,
) -> PageResult {
    let versions = state
        .store
        .scheme_versions(year)
        .await?
        .into_iter()
        .map(|v| VersionView {
            version: v.version,
            name: v.name,
            note: v.note,
            at: fmt_time(v.created_at),
        })
        .collect();
    let mut ctx = PageCtx::signed_in(auth);
    if saved {
        ctx.flash = Some(crate::i18n::t(auth.ctx.lang, "ent.saved").to_string());
    }
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let page = SchemePage {
        ctx,
        year,
        text,
        is_default,
        versions,
        errors,
        is_admin: auth.actor().is_admin(),
    };
    Ok((status, render(&page)).into_response())
}

#[derive(Deserialize)]
struct SchemeForm {
    year: i64,
    toml: String,
    #[serde(default)]
    note: String,
}

async fn scheme_save(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<SchemeForm>,
) -> PageResult {
    match ev::save_config(&state.store, &auth.actor(), f.year, &f.toml, &f.note).await {
        Ok(_) => Ok(
            Redirect::to(&format!("/enterprises/scheme?year={}&saved=1", f.year)).into_response(),
        ),
        Err(AppError::Rows(rows)) => {
            scheme_page(&state, &auth, f.year, f.toml, false, rows, false).await
        }
        Err(e) => Err(app_err(e)),
    }
}
