//! 亩均效益综合评价 of a stored data year: the year's scheme and facts → `qx_eval` → results with
//! per-item provenance in the database, and the office's outputs (aggregates, low-efficiency
//! list, class changes, differentiated policies) as tables and an Excel workbook.
//!
//! A year's configuration is one TOML text, versioned in the database: the engine's scheme
//! (`crates/eval/schemes/default.toml`) plus a `[policy]` table this module reads and removes
//! before the engine sees the rest:
//!
//! ```toml
//! [policy]
//! low_tax_per_mu = { above = 6.0, below = 3.0 }   # 低效企业: 亩均税收低于 (万元/亩)
//! [[policy.classes]]
//! class = "A"
//! land_tax_reduction_pct = 100                     # 城镇土地使用税减免 (%)
//! electricity_surcharge = 0.0                      # 差别化电价加价 (元/千瓦时)
//! measures = "优先保障用地、用能"
//! ```

use crate::AppError;
use crate::sheet::{add_sheet, header_format, write_texts, xlsx_error};
use qx_core::access::Actor;
use qx_core::evaluation::AdjustmentKind;
use qx_core::label::{Labelled, Lang};
/// What a scheme's items are made of, for pages that say the rules in words.
pub use qx_eval::scheme::{Benchmark, Missing};
use qx_eval::{CheckOptions, InputTable, Scale, Scheme, StrColumn, check, evaluate};
use qx_store::Store;
use qx_store::enterprises::FACT_COLUMNS;
use qx_store::evaluation::{
    AdjustmentResult, AggregateBy, ItemResult, NewResult, NewRun, ResultFilter, ResultLine, Run,
    SchemeVersion,
};
use rust_xlsxwriter::Workbook;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// The policy part of the default configuration (浙政办发〔2019〕62号 land tax; 奉化 D +0.1元/kWh;
/// 湖州 "三低" thresholds).
pub const DEFAULT_POLICY_TOML: &str = r#"
# 差别化政策: 按档次给出的政策, 不影响得分和档次。
[policy]
# 低效企业名单: 亩均税收低于此值 (万元/亩), 规上 / 规下。
low_tax_per_mu = { above = 6.0, below = 3.0 }

# 每档: class 档次, land_tax_reduction_pct 城镇土地使用税减免 (%),
# electricity_surcharge 差别化电价加价 (元/千瓦时), measures 措施。
[[policy.classes]]
class = "A"
land_tax_reduction_pct = 100
electricity_surcharge = 0.0
measures = "优先保障用地、用能、排污指标; 优先参与电力直接交易; 有序用电时优先保障"

[[policy.classes]]
class = "B"
land_tax_reduction_pct = 80
electricity_surcharge = 0.0
measures = "正常保障要素供给; 鼓励技术改造提升"

[[policy.classes]]
class = "C"
land_tax_reduction_pct = 0
electricity_surcharge = 0.0
measures = "不享受城镇土地使用税减免; 限制新增用地、用能; 帮扶提升"

[[policy.classes]]
class = "D"
land_tax_reduction_pct = 0
electricity_surcharge = 0.1
measures = "差别化电价加价0.1元/千瓦时; 不得参与电力直接交易; 列入整治提升名单"
"#;

/// The default configuration: the engine's default scheme plus the default policy.
pub fn default_config() -> String {
    format!(
        "{}\n{}",
        qx_eval::scheme::DEFAULT_SCHEME_TOML.trim_end(),
        DEFAULT_POLICY_TOML
    )
}

/// Differentiated policy per class and the low-efficiency thresholds.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    #[serde(default)]
    pub low_tax_per_mu: LowTax,
    #[serde(default)]
    pub classes: Vec<ClassPolicy>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LowTax {
    pub above: f64,
    pub below: f64,
}

impl Default for LowTax {
    fn default() -> Self {
        LowTax {
            above: 6.0,
            below: 3.0,
        }
    }
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ClassPolicy {
    pub class: String,
    #[serde(default)]
    pub land_tax_reduction_pct: f64,
    #[serde(default)]
    pub electricity_surcharge: f64,
    #[serde(default)]
    pub measures: String,
}

/// A parsed configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub scheme: Scheme,
    pub policy: Policy,
}

/// Splits the `[policy]` table off and validates both parts, listing every problem.
pub fn parse_config(text: &str) -> Result<Config, Vec<String>> {
    let mut table: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| vec![format!("TOML格式错误 (invalid TOML): {e}")])?;
    let policy = match table.remove("policy") {
        Some(v) => v
            .try_into::<Policy>()
            .map_err(|e| vec![format!("[policy]: {e}")])?,
        None => Policy::default(),
    };
    let engine_text = toml::to_string(&table).map_err(|e| vec![format!("TOML: {e}")])?;
    let scheme = Scheme::parse(&engine_text).map_err(|e| e.problems)?;
    let mut problems = Vec::new();
    for p in &policy.classes {
        if scheme.class_index(&p.class).is_none() {
            problems.push(format!(
                "[policy.classes]: 档次 \"{}\" 不在方案的 [[classes]] 中 (unknown class)",
                p.class
            ));
        }
        if !(0.0..=100.0).contains(&p.land_tax_reduction_pct) {
            problems.push(format!(
                "[policy.classes] {}: land_tax_reduction_pct 应在0—100之间",
                p.class
            ));
        }
    }
    if problems.is_empty() {
        Ok(Config { scheme, policy })
    } else {
        Err(problems)
    }
}

/// The configuration text in force for a data year (the latest saved version, else the default).
pub async fn config_for_year(
    store: &Store,
    year: i64,
) -> Result<(String, Option<SchemeVersion>), AppError> {
    Ok(match store.current_scheme(year).await? {
        Some(v) => (v.toml.clone(), Some(v)),
        None => (default_config(), None),
    })
}

/// Validates and saves a new version of a year's configuration (office only).
pub async fn save_config(
    store: &Store,
    actor: &Actor,
    year: i64,
    text: &str,
    note: &str,
) -> Result<SchemeVersion, AppError> {
    let config = parse_config(text).map_err(AppError::Rows)?;
    Ok(store
        .save_scheme(actor, year, &config.scheme.name, text, note.trim())
        .await?)
}

/// What a run did and how long each step took.
#[derive(Debug, Clone)]
pub struct RunSummary {
    pub run_id: i64,
    pub enterprises: usize,
    pub classes: BTreeMap<String, usize>,
    pub warnings: Vec<String>,
    pub load: Duration,
    pub evaluate: Duration,
    pub save: Duration,
}

/// Evaluates a stored data year under its scheme and stores the run (office only). 调档 of the
/// year's previous run are carried over with their reasons.
pub async fn run_year(store: &Store, actor: &Actor, year: i64) -> Result<RunSummary, AppError> {
    let t0 = Instant::now();
    let (text, version) = config_for_year(store, year).await?;
    let config = parse_config(&text).map_err(AppError::Rows)?;
    let scheme = &config.scheme;
    let rows = store.eval_input(actor, year).await?;
    if rows.is_empty() {
        return Err(AppError::Invalid(format!(
            "{year}年度没有企业数据, 请先导入年度数据"
        )));
    }
    let n = rows.len();
    let uscc: StrColumn = rows.iter().map(|r| r.credit_code.as_str()).collect();
    // The store decoded each stored scale (an unknown code is an error, never 规下 by default).
    let scales: Vec<Scale> = rows.iter().map(|r| r.scale).collect();
    let table_err = |e: qx_eval::TableError| AppError::Invalid(e.to_string());
    let mut table = InputTable::new(uscc, scales).map_err(table_err)?;
    for col in FACT_COLUMNS {
        table
            .set_numeric(
                col,
                rows.iter()
                    .map(|r| r.facts.get(col).unwrap_or(f64::NAN))
                    .collect(),
            )
            .map_err(table_err)?;
    }
    // 加减分 / 一票否决 inputs stored for the year (migration 0010), by scheme column.
    let mut warnings = Vec::new();
    let row_of: std::collections::HashMap<i64, usize> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| (r.enterprise_id, i))
        .collect();
    let mut extra_values: BTreeMap<String, (Vec<f64>, Vec<String>)> = BTreeMap::new();
    for x in store.year_fact_extras(actor, year).await? {
        if let Some(&i) = row_of.get(&x.enterprise_id) {
            let (values, sources) = extra_values
                .entry(x.column_name.clone())
                .or_insert_with(|| (vec![f64::NAN; n], vec![String::new(); n]));
            values[i] = x.value;
            sources[i] = x.source;
        }
    }
    for c in crate::enterprise_import::extra_columns_of(scheme) {
        let values = match extra_values.get(&c.column) {
            Some((v, _)) => v.clone(),
            None => {
                warnings.push(format!(
                    "{year}年度数据中没有列 \"{}\" ({}), 按无数据处理 (column not imported; treated as empty)",
                    c.column, c.label
                ));
                vec![f64::NAN; n]
            }
        };
        table.set_numeric(&c.column, values).map_err(table_err)?;
    }
    table
        .set_text("name", rows.iter().map(|r| r.name.as_str()).collect())
        .map_err(table_err)?;
    table
        .set_text(
            "town",
            rows.iter()
                .map(|r| r.town_name.as_deref().unwrap_or(""))
                .collect(),
        )
        .map_err(table_err)?;
    table
        .set_text(
            "industry",
            rows.iter()
                .map(|r| r.industry_code.as_deref().unwrap_or(""))
                .collect(),
        )
        .map_err(table_err)?;

    let validation = check(&table, scheme, CheckOptions { check_uscc: false });
    if !validation.is_ok() {
        let mut problems: Vec<String> = validation
            .missing_columns
            .iter()
            .map(|c| format!("缺少数据列 \"{c}\" (missing column)"))
            .collect();
        problems.extend(validation.issues.iter().take(200).map(|i| {
            let r = &rows[i.row];
            let value = i
                .issue
                .value
                .as_deref()
                .map(|v| format!(", 实际为 \"{v}\""))
                .unwrap_or_default();
            format!(
                "{} {} \"{}\": {}{value}",
                r.credit_code, r.name, i.issue.column, i.issue.zh
            )
        }));
        return Err(AppError::Rows(problems));
    }
    let load = t0.elapsed();

    let t1 = Instant::now();
    let results = evaluate(&table, scheme);
    let keys = results.item_keys();
    let mut out = Vec::with_capacity(n);
    for (i, r) in rows.iter().enumerate() {
        let scale = table.scale()[i];
        let items: Vec<ItemResult> = keys
            .iter()
            .enumerate()
            .filter_map(|(k, key)| {
                let score = results.score(k, i)?;
                let item = scheme.items_for(scale).find(|it| &it.key == key)?;
                let benchmark = results
                    .item_stat(k, i, scale)
                    .map(|s| s.benchmark)
                    .filter(|b| b.is_finite());
                Some(ItemResult {
                    key: key.clone(),
                    label: item.label.clone(),
                    value: results.value(&table, k, i),
                    benchmark,
                    weight: item.weight,
                    score,
                    imputed: results.imputed(k, i),
                })
            })
            .collect();
        let group = results.group(i);
        let mut adjustments = Vec::new();
        for a in &scheme.adjustments {
            let Some((values, sources)) = extra_values.get(&a.column) else {
                continue;
            };
            let v = values[i];
            // The engine's rule: a positive value, capped, signed.
            if v > 0.0 {
                adjustments.push(AdjustmentResult {
                    kind: if a.sign > 0.0 {
                        AdjustmentKind::Bonus
                    } else {
                        AdjustmentKind::Deduction
                    },
                    column: a.column.clone(),
                    label: a.label.clone(),
                    value: v,
                    points: a.sign * a.cap.map_or(v, |c| v.min(c)),
                    class: None,
                    source: sources[i].clone(),
                });
            }
        }
        for v in &scheme.vetoes {
            let Some((values, sources)) = extra_values.get(&v.column) else {
                continue;
            };
            let x = values[i];
            if !x.is_nan() && x != 0.0 {
                adjustments.push(AdjustmentResult {
                    kind: AdjustmentKind::Veto,
                    column: v.column.clone(),
                    label: v.reason.clone(),
                    value: x,
                    points: 0.0,
                    class: scheme.classes.get(v.class).map(|c| c.name.clone()),
                    source: sources[i].clone(),
                });
            }
        }
        out.push(NewResult {
            enterprise_id: r.enterprise_id,
            scale,
            town_id: r.town_id,
            industry_code: r.industry_code.clone(),
            group_label: group.label(),
            group_size: group.size as i64,
            total: results.total(i),
            adjustment: results.adjustment(i),
            rank: i64::from(results.rank(i)),
            initial_class: results.initial_class(i).to_string(),
            class: results.class(i).to_string(),
            adjust_reason: results.adjust_reason(i).map(str::to_string),
            land_mu: r.facts.land_mu,
            tax_wan: r.facts.tax_wan,
            added_value_wan: r.facts.added_value_wan,
            items,
            adjustments,
        });
    }
    warnings.extend(results.warnings().iter().cloned());
    let evaluate_time = t1.elapsed();

    let t2 = Instant::now();
    let previous = store.latest_run(actor, year).await?;
    let run = NewRun {
        year,
        scheme_id: version.as_ref().map(|v| v.id),
        scheme_name: scheme.name.clone(),
        scheme_toml: text,
        warnings: warnings.clone(),
    };
    let run_id = store.save_run(actor, &run, &out).await?;
    if let Some(prev) = previous {
        let mut last: BTreeMap<i64, (String, String)> = BTreeMap::new();
        for o in store.run_overrides(actor, prev.id, None).await? {
            last.insert(o.enterprise_id, (o.to_class, o.reason));
        }
        for (enterprise_id, (class, reason)) in last {
            if out.iter().any(|r| r.enterprise_id == enterprise_id) {
                store
                    .override_class(
                        actor,
                        run_id,
                        enterprise_id,
                        &class,
                        &format!("{reason} (沿用评价{}的调档)", prev.id),
                    )
                    .await?;
            }
        }
    }
    let save = t2.elapsed();
    let mut classes = BTreeMap::new();
    for r in &out {
        *classes.entry(r.class.clone()).or_insert(0) += 1;
    }
    Ok(RunSummary {
        run_id,
        enterprises: n,
        classes,
        warnings,
        load,
        evaluate: evaluate_time,
        save,
    })
}

/// The policy of a stored run (from the configuration it ran with).
pub fn policy_of(run: &Run) -> Policy {
    parse_config(&run.scheme_toml)
        .map(|c| c.policy)
        .unwrap_or_default()
}

/// The class names of a run's scheme, in order.
pub fn classes_of(run: &Run) -> Vec<String> {
    match parse_config(&run.scheme_toml) {
        Ok(c) => c.scheme.classes.iter().map(|c| c.name.clone()).collect(),
        Err(_) => vec!["A".into(), "B".into(), "C".into(), "D".into()],
    }
}

/// One line of an aggregate table: class counts and ratios of sums.
#[derive(Debug, Clone)]
pub struct AggregateLine {
    pub key: String,
    pub counts: Vec<i64>,
    pub firms: i64,
    /// Σ税收 / Σ用地 (万元/亩)
    pub tax_per_mu: Option<f64>,
    /// Σ增加值 / Σ用地 of the firms reporting 增加值 (万元/亩)
    pub va_per_mu: Option<f64>,
}

/// Class counts, 亩均税收 and 亩均增加值 (ratios of sums) per town, industry division or scale,
/// with a 合计 line last.
pub async fn aggregates(
    store: &Store,
    actor: &Actor,
    run: &Run,
    by: AggregateBy,
) -> Result<Vec<AggregateLine>, AppError> {
    let classes = classes_of(run);
    let rows = store.run_aggregates(actor, run.id, by).await?;
    let mut acc: BTreeMap<String, (Vec<i64>, [f64; 4])> = BTreeMap::new();
    let mut total = (vec![0i64; classes.len()], [0.0f64; 4]);
    for r in rows {
        let key = match (by, r.key.as_deref()) {
            (_, None) | (_, Some("")) => "(未填)".to_string(),
            (AggregateBy::Industry, Some(k)) => industry_label(k),
            (AggregateBy::Scale, Some("above")) => "规上".into(),
            (AggregateBy::Scale, Some("below")) => "规下".into(),
            (_, Some(k)) => k.to_string(),
        };
        let e = acc
            .entry(key)
            .or_insert_with(|| (vec![0; classes.len()], [0.0; 4]));
        if let Some(ci) = classes.iter().position(|c| *c == r.class) {
            e.0[ci] += r.firms;
            total.0[ci] += r.firms;
        }
        let sums = [
            r.land_mu.unwrap_or(0.0),
            r.tax_wan.unwrap_or(0.0),
            r.land_with_va.unwrap_or(0.0),
            r.added_value_wan.unwrap_or(0.0),
        ];
        for (k, v) in sums.iter().enumerate() {
            e.1[k] += v;
            total.1[k] += v;
        }
    }
    let line = |key: String, (counts, s): (Vec<i64>, [f64; 4])| AggregateLine {
        firms: counts.iter().sum(),
        counts,
        key,
        tax_per_mu: (s[0] > 0.0).then(|| s[1] / s[0]),
        va_per_mu: (s[2] > 0.0).then(|| s[3] / s[2]),
    };
    let mut out: Vec<AggregateLine> = acc.into_iter().map(|(k, v)| line(k, v)).collect();
    out.push(line("合计".into(), total));
    Ok(out)
}

fn industry_label(division: &str) -> String {
    match qx_core::codes::IndustryCode::parse(division)
        .ok()
        .and_then(|c| c.division_name_zh())
    {
        Some(name) => format!("{division} {name}"),
        None => division.to_string(),
    }
}

/// The low-efficiency list: 亩均税收 below the configured threshold of the firm's scale.
pub async fn low_efficiency(
    store: &Store,
    actor: &Actor,
    run: &Run,
) -> Result<Vec<ResultLine>, AppError> {
    let policy = policy_of(run);
    let mut low = Vec::new();
    for (scale, threshold) in [
        (Scale::Above, policy.low_tax_per_mu.above),
        (Scale::Below, policy.low_tax_per_mu.below),
    ] {
        let filter = ResultFilter {
            scale: Some(scale),
            tax_per_mu_below: Some(threshold),
            ..Default::default()
        };
        low.extend(store.run_results(actor, run.id, &filter).await?);
    }
    Ok(low)
}

/// The previous data year's latest visible run, if any.
pub async fn previous_run(
    store: &Store,
    actor: &Actor,
    run: &Run,
) -> Result<Option<Run>, AppError> {
    Ok(store.latest_run(actor, run.year - 1).await?)
}

fn fmt2(v: Option<f64>) -> String {
    v.map(|x| format!("{x:.2}")).unwrap_or_default()
}

/// The run as a workbook: results (filtered), per-town/industry/scale aggregates, the
/// low-efficiency list, class changes and the differentiated-policy list.
pub async fn export_run(
    store: &Store,
    actor: &Actor,
    run_id: i64,
    filter: &ResultFilter,
) -> Result<Vec<u8>, AppError> {
    let run = store.get_run(actor, run_id).await?;
    let policy = policy_of(&run);
    let classes = classes_of(&run);
    let lines = store.run_results(actor, run_id, filter).await?;
    let mut wb = Workbook::new();
    let header = header_format();

    // Item keys in first-seen order, for the score columns.
    let mut item_cols: Vec<(String, String)> = Vec::new();
    let parsed: Vec<Vec<ItemResult>> = lines
        .iter()
        .map(ResultLine::item_results)
        .collect::<Result<_, _>>()?;
    for items in &parsed {
        for it in items {
            if !item_cols.iter().any(|(k, _)| *k == it.key) {
                item_cols.push((it.key.clone(), it.label.clone()));
            }
        }
    }
    let mut heads: Vec<String> = [
        "统一社会信用代码",
        "企业名称",
        "镇乡(街道)",
        "行业代码",
        "规模",
        "评价分组",
        "名次",
        "总分",
        "初评档次",
        "档次",
        "调档理由",
        "用地(亩)",
        "税收(万元)",
        "亩均税收",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    heads.extend(item_cols.iter().map(|(_, l)| format!("{l}得分")));
    let ws = add_sheet(&mut wb, "评价结果", 0, &heads, &header)?;
    for (r, (l, items)) in lines.iter().zip(&parsed).enumerate() {
        let row = r as u32 + 1;
        let text = [
            l.credit_code.clone(),
            l.name.clone(),
            l.town_name.clone().unwrap_or_default(),
            l.industry_code.clone().unwrap_or_default(),
            l.scale.label(Lang::Zh).to_string(),
            qx_core::scale::group_label(&l.group_label, Lang::Zh),
        ];
        write_texts(ws, row, &text, None)?;
        ws.write(row, 6, l.rank_no as f64).map_err(xlsx_error)?;
        ws.write(row, 7, (l.total * 100.0).round() / 100.0)
            .map_err(xlsx_error)?;
        ws.write(row, 8, &l.initial_class).map_err(xlsx_error)?;
        ws.write(row, 9, &l.class).map_err(xlsx_error)?;
        ws.write(row, 10, l.adjust_reason.clone().unwrap_or_default())
            .map_err(xlsx_error)?;
        for (c, v) in [(11u16, l.land_mu), (12, l.tax_wan), (13, l.tax_per_mu())] {
            if let Some(v) = v {
                ws.write(row, c, (v * 10000.0).round() / 10000.0)
                    .map_err(xlsx_error)?;
            }
        }
        for (k, (key, _)) in item_cols.iter().enumerate() {
            if let Some(it) = items.iter().find(|it| it.key == *key) {
                ws.write(row, 14 + k as u16, (it.score * 10000.0).round() / 10000.0)
                    .map_err(xlsx_error)?;
            }
        }
    }
    ws.set_freeze_panes(1, 2).map_err(xlsx_error)?;
    ws.autofilter(0, 0, lines.len() as u32, heads.len() as u16 - 1)
        .map_err(xlsx_error)?;

    for (sheet, by) in [
        ("分镇乡", AggregateBy::Town),
        ("分行业", AggregateBy::Industry),
        ("分规模", AggregateBy::Scale),
    ] {
        let agg = aggregates(store, actor, &run, by).await?;
        let mut heads = vec![sheet.trim_start_matches('分').to_string(), "企业数".into()];
        heads.extend(classes.iter().map(|c| format!("{c}类")));
        heads.extend([
            "亩均税收(万元/亩)".to_string(),
            "亩均增加值(万元/亩)".to_string(),
        ]);
        let ws = add_sheet(&mut wb, sheet, 0, &heads, &header)?;
        for (r, a) in agg.iter().enumerate() {
            let row = r as u32 + 1;
            ws.write(row, 0, &a.key).map_err(xlsx_error)?;
            ws.write(row, 1, a.firms as f64).map_err(xlsx_error)?;
            for (k, n) in a.counts.iter().enumerate() {
                ws.write(row, 2 + k as u16, *n as f64).map_err(xlsx_error)?;
            }
            let c = 2 + a.counts.len() as u16;
            ws.write(row, c, fmt2(a.tax_per_mu)).map_err(xlsx_error)?;
            ws.write(row, c + 1, fmt2(a.va_per_mu))
                .map_err(xlsx_error)?;
        }
        ws.set_column_width(0, 28.0).map_err(xlsx_error)?;
    }

    let low = low_efficiency(store, actor, &run).await?;
    let ws = add_sheet(
        &mut wb,
        "低效企业",
        1,
        &[
            &FIRM_HEADERS[..],
            &["规模", "用地(亩)", "税收(万元)", "亩均税收", "档次"],
        ]
        .concat(),
        &header,
    )?;
    let thresholds = format!(
        "亩均税收低于 规上 {} / 规下 {} 万元/亩",
        policy.low_tax_per_mu.above, policy.low_tax_per_mu.below
    );
    ws.write(0, 0, &thresholds).map_err(xlsx_error)?;
    for (r, l) in low.iter().enumerate() {
        let row = r as u32 + 2;
        write_firm(ws, row, &l.credit_code, &l.name, &l.town_name)?;
        ws.write(row, 3, l.scale.label(Lang::Zh))
            .map_err(xlsx_error)?;
        ws.write(row, 4, fmt2(l.land_mu)).map_err(xlsx_error)?;
        ws.write(row, 5, fmt2(l.tax_wan)).map_err(xlsx_error)?;
        ws.write(row, 6, fmt2(l.tax_per_mu())).map_err(xlsx_error)?;
        ws.write(row, 7, &l.class).map_err(xlsx_error)?;
    }

    let ws = add_sheet(
        &mut wb,
        "档次变化",
        0,
        &[&FIRM_HEADERS[..], &["上年档次", "本年档次"]].concat(),
        &header,
    )?;
    if let Some(prev) = previous_run(store, actor, &run).await? {
        for (r, ch) in store
            .class_changes(actor, run.id, prev.id)
            .await?
            .iter()
            .enumerate()
        {
            let row = r as u32 + 1;
            write_firm(ws, row, &ch.credit_code, &ch.name, &ch.town_name)?;
            ws.write(row, 3, &ch.previous_class).map_err(xlsx_error)?;
            ws.write(row, 4, &ch.class).map_err(xlsx_error)?;
        }
    }

    let ws = add_sheet(
        &mut wb,
        "差别化政策",
        0,
        &[
            &FIRM_HEADERS[..],
            &[
                "档次",
                "城镇土地使用税减免(%)",
                "电价加价(元/千瓦时)",
                "措施",
            ],
        ]
        .concat(),
        &header,
    )?;
    for (r, l) in lines.iter().enumerate() {
        let row = r as u32 + 1;
        let p = policy.classes.iter().find(|p| p.class == l.class);
        write_firm(ws, row, &l.credit_code, &l.name, &l.town_name)?;
        ws.write(row, 3, &l.class).map_err(xlsx_error)?;
        if let Some(p) = p {
            ws.write(row, 4, p.land_tax_reduction_pct)
                .map_err(xlsx_error)?;
            ws.write(row, 5, p.electricity_surcharge)
                .map_err(xlsx_error)?;
            ws.write(row, 6, &p.measures).map_err(xlsx_error)?;
        }
    }
    wb.save_to_buffer().map_err(xlsx_error)
}

/// The headers of [`write_firm`]'s cells.
const FIRM_HEADERS: [&str; 3] = ["统一社会信用代码", "企业名称", "镇乡(街道)"];

/// The first three cells of an enterprise's row in the workbook: 信用代码, 名称, 镇乡.
fn write_firm(
    ws: &mut rust_xlsxwriter::Worksheet,
    row: u32,
    credit_code: &str,
    name: &str,
    town: &Option<String>,
) -> Result<(), AppError> {
    write_texts(
        ws,
        row,
        &[credit_code, name, town.as_deref().unwrap_or_default()],
        None,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_configuration_parses_with_its_policy() {
        let c = parse_config(&default_config()).expect("default config");
        assert_eq!(c.scheme.classes.len(), 4);
        assert_eq!(c.policy.classes.len(), 4);
        assert_eq!(c.policy.low_tax_per_mu.above, 6.0);
        assert_eq!(c.policy.classes[3].electricity_surcharge, 0.1);
    }

    #[test]
    fn bad_policies_and_schemes_are_reported() {
        let bad = default_config().replace("class = \"D\"", "class = \"Z\"");
        let e = parse_config(&bad).unwrap_err();
        assert!(e.iter().any(|p| p.contains("\"Z\"")), "{e:?}");
        let e = parse_config("[[items]]\nscale = \"above\"").unwrap_err();
        assert!(!e.is_empty());
        assert!(parse_config("not = [toml").is_err());
    }
}
