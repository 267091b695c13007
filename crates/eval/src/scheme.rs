//! 评价方案: every number and rule of an evaluation, loaded from TOML and checked before use.
//!
//! The format is documented in `crates/eval/README.md`; `schemes/default.toml` is the built-in
//! default (黄岩 2022) and doubles as the annotated example. [`Scheme::parse`] turns the text into a
//! validated [`Scheme`], reporting every problem at once with the key that holds it.

use crate::table::Scale;
use serde::Deserialize;
use std::collections::{BTreeSet, HashMap};

/// The default scheme's TOML text (`schemes/default.toml`).
pub const DEFAULT_SCHEME_TOML: &str = include_str!("../schemes/default.toml");

/// Numeric input columns the contract defines (`shared/contracts/eval.md`).
pub const NUMERIC_COLUMNS: [&str; 9] = [
    "land_mu",
    "tax_wan",
    "added_value_wan",
    "energy_tce",
    "emission_t",
    "employees",
    "rd_wan",
    "revenue_wan",
    "electricity_wkwh",
];

/// Text input columns the contract defines, besides `uscc` and `scale`.
pub const TEXT_COLUMNS: [&str; 3] = ["name", "town", "industry"];

/// The scheme text is not usable; `problems` lists every reason, one per line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("评价方案有误 (invalid scheme):\n  - {}", .problems.join("\n  - "))]
pub struct SchemeError {
    pub problems: Vec<String>,
}

/// Where an item's benchmark (基准值) comes from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Benchmark {
    /// A published number.
    Fixed(f64),
    /// 组内平均: Σnumerator / Σdenominator over the group's firms that have the item.
    GroupAverage,
}

/// What an item scores when the firm lacks its data (numerator empty, denominator empty or ≤ 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    /// 按同组平均得分赋分: the mean item score of the group's firms that have it (0 if none).
    GroupMean,
    /// 不得分
    Zero,
}

/// One indicator (评价指标) of one scale's set.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// Output column suffix (`score_<key>`), e.g. `tax_per_mu`.
    pub key: String,
    /// Chinese name, e.g. 亩均税收.
    pub label: String,
    /// Which firms the item applies to.
    pub scale: Scale,
    /// value = numerator / denominator (input column names).
    pub numerator: String,
    pub denominator: String,
    /// 权重: points for a firm exactly at the benchmark.
    pub weight: f64,
    pub benchmark: Benchmark,
    /// 封顶: the most points the item can give.
    pub cap: Option<f64>,
    /// 保底: the fewest points the item can give (`None`: unbounded).
    pub floor: Option<f64>,
    pub missing: Missing,
}

impl Item {
    /// Item score from a value and its benchmark, with floor and cap applied.
    #[inline]
    pub fn score(&self, value: f64, benchmark: f64) -> f64 {
        let mut s = value / benchmark * self.weight;
        if let Some(floor) = self.floor {
            s = s.max(floor);
        }
        if let Some(cap) = self.cap {
            s = s.min(cap);
        }
        s
    }
}

/// How firms are split into evaluation groups (评价分组).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Grouping {
    /// 规上/规下 ranked separately.
    pub by_scale: bool,
    /// 分行业: industry code prefixes → group names.
    pub industry: Option<IndustryGroups>,
    /// 分镇乡(街道).
    pub by_town: bool,
}

/// 行业分组: GB/T 4754 code prefixes mapped to named groups; the longest prefix wins.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct IndustryGroups {
    /// Group names in declaration order (output order); `other` is last.
    pub names: Vec<String>,
    /// prefix → index into `names`.
    pub prefixes: HashMap<String, usize>,
    /// Name of the group for codes matching no prefix (and empty codes).
    pub other: String,
}

impl IndustryGroups {
    /// The group index of an industry code such as `3411` or `C3411`.
    pub fn group_of(&self, code: &str) -> usize {
        let digits = code.trim_start_matches(|c: char| c.is_ascii_uppercase());
        for len in (2..=digits.len().min(4)).rev() {
            if let Some(&g) = digits.get(..len).and_then(|p| self.prefixes.get(p)) {
                return g;
            }
        }
        self.names.len() - 1
    }
}

/// A class (档次) and the pct = rank/N up to which it reaches (含).
#[derive(Debug, Clone, PartialEq)]
pub struct Class {
    pub name: String,
    /// `None` for the last class, which takes the rest.
    pub max_pct: Option<f64>,
}

/// 加分/减分: points added or subtracted from the total, read from an input column.
#[derive(Debug, Clone, PartialEq)]
pub struct Adjustment {
    pub column: String,
    pub label: String,
    /// +1 for 加分, −1 for 减分.
    pub sign: f64,
    /// At most this many points from this column.
    pub cap: Option<f64>,
}

/// 一票否决: a firm whose flag column is set gets this class whatever its score.
#[derive(Debug, Clone, PartialEq)]
pub struct Veto {
    pub column: String,
    pub class: usize,
    pub reason: String,
}

/// 调档: a manual class for one firm, with the reason recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct Override {
    pub uscc: String,
    pub class: usize,
    pub reason: String,
}

/// Input checks the scheme asks for, on top of `uscc` and `scale` being present and valid.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct InputRules {
    /// Must not be empty.
    pub required: Vec<String>,
    /// Must be > 0 when present.
    pub positive: Vec<String>,
    /// Must be ≥ 0 when present.
    pub non_negative: Vec<String>,
    /// Numeric columns beyond the contract's that this scheme reads.
    pub extra_columns: Vec<String>,
}

/// A validated evaluation scheme.
#[derive(Debug, Clone, PartialEq)]
pub struct Scheme {
    pub name: String,
    pub input: InputRules,
    pub grouping: Grouping,
    /// All items, 规上 and 规下 alike.
    pub items: Vec<Item>,
    /// Distinct item keys in first-declared order: the output's `score_<key>` columns.
    pub item_keys: Vec<String>,
    pub classes: Vec<Class>,
    pub adjustments: Vec<Adjustment>,
    pub vetoes: Vec<Veto>,
    pub overrides: Vec<Override>,
}

impl Default for Scheme {
    /// The built-in default scheme (黄岩 2022).
    fn default() -> Self {
        // The embedded file is checked by a unit test, so this cannot fail in a released build;
        // the fallback keeps a broken edit from panicking anyway.
        Scheme::parse(DEFAULT_SCHEME_TOML).unwrap_or_else(|_| Scheme::empty())
    }
}

// ---- raw TOML shape ----

#[derive(Deserialize)]
#[serde(untagged)]
enum RawNumberOrText {
    Int(i64),
    Float(f64),
    Text(String),
}

impl RawNumberOrText {
    fn number(&self) -> Option<f64> {
        match self {
            RawNumberOrText::Int(i) => Some(*i as f64),
            RawNumberOrText::Float(f) => Some(*f),
            RawNumberOrText::Text(_) => None,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScheme {
    name: Option<String>,
    floor: Option<RawNumberOrText>,
    #[serde(default)]
    input: RawInput,
    #[serde(default)]
    grouping: RawGrouping,
    #[serde(default)]
    classes: Vec<RawClass>,
    #[serde(default)]
    items: Vec<RawItem>,
    #[serde(default)]
    adjustments: Vec<RawAdjustment>,
    #[serde(default)]
    vetoes: Vec<RawVeto>,
    #[serde(default)]
    overrides: Vec<RawOverride>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawInput {
    #[serde(default)]
    required: Vec<String>,
    #[serde(default)]
    positive: Vec<String>,
    #[serde(default)]
    non_negative: Vec<String>,
    #[serde(default)]
    extra_columns: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGrouping {
    #[serde(default = "default_group_by")]
    by: Vec<String>,
    #[serde(default)]
    industry_groups: Vec<RawIndustryGroup>,
    industry_other: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIndustryGroup {
    name: Option<String>,
    #[serde(default)]
    prefixes: Vec<String>,
}

fn default_group_by() -> Vec<String> {
    vec!["scale".into()]
}

impl Default for RawGrouping {
    fn default() -> Self {
        RawGrouping {
            by: default_group_by(),
            industry_groups: Vec::new(),
            industry_other: None,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClass {
    name: Option<String>,
    max_pct: Option<RawNumberOrText>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawItem {
    scale: Option<String>,
    key: Option<String>,
    label: Option<String>,
    numerator: Option<String>,
    denominator: Option<String>,
    weight: Option<RawNumberOrText>,
    benchmark: Option<RawNumberOrText>,
    cap: Option<RawNumberOrText>,
    cap_multiple: Option<RawNumberOrText>,
    floor: Option<RawNumberOrText>,
    missing: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAdjustment {
    column: Option<String>,
    kind: Option<String>,
    label: Option<String>,
    cap: Option<RawNumberOrText>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawVeto {
    column: Option<String>,
    class: Option<String>,
    reason: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOverride {
    uscc: Option<String>,
    class: Option<String>,
    reason: Option<String>,
}

/// Collects problems while a scheme is compiled.
struct Problems(Vec<String>);

impl Problems {
    fn push(&mut self, msg: String) {
        self.0.push(msg);
    }

    /// A required number: present, finite, and > 0 when `positive`.
    fn number(&mut self, at: &str, v: &Option<RawNumberOrText>, positive: bool) -> Option<f64> {
        match v.as_ref().map(RawNumberOrText::number) {
            None => {
                self.push(format!("{at}: 缺少数值 (missing number)"));
                None
            }
            Some(None) => {
                self.push(format!("{at}: 必须是数字 (must be a number)"));
                None
            }
            Some(Some(x)) if !x.is_finite() || (positive && x <= 0.0) => {
                self.push(format!("{at}: 必须是大于0的数字, 实际为 {x} (must be > 0)"));
                None
            }
            Some(Some(x)) => Some(x),
        }
    }

    fn text<'a>(&mut self, at: &str, v: &'a Option<String>) -> Option<&'a str> {
        match v.as_deref().map(str::trim) {
            Some(s) if !s.is_empty() => Some(s),
            _ => {
                self.push(format!("{at}: 缺少或为空 (missing or empty)"));
                None
            }
        }
    }
}

fn is_identifier(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

impl Scheme {
    /// A scheme with no items (only used as an unreachable fallback).
    fn empty() -> Scheme {
        Scheme {
            name: String::new(),
            input: InputRules::default(),
            grouping: Grouping::default(),
            items: Vec::new(),
            item_keys: Vec::new(),
            classes: vec![Class {
                name: "A".into(),
                max_pct: None,
            }],
            adjustments: Vec::new(),
            vetoes: Vec::new(),
            overrides: Vec::new(),
        }
    }

    /// Parses and validates a scheme from TOML text.
    pub fn parse(text: &str) -> Result<Scheme, SchemeError> {
        let raw: RawScheme = toml::from_str(text).map_err(|e| SchemeError {
            problems: vec![format!(
                "TOML 格式错误 (TOML syntax): {}",
                e.to_string().trim()
            )],
        })?;
        compile(raw)
    }

    /// The class names a scheme text declares under `[[classes]]`, in order, reading nothing
    /// else: a stored configuration also carries tables the engine does not read (`[policy]`),
    /// and the scheme's own `name` is not a class.
    pub fn class_names(text: &str) -> Result<Vec<String>, SchemeError> {
        #[derive(Deserialize)]
        struct Named {
            name: String,
        }
        #[derive(Deserialize)]
        struct ClassesOnly {
            #[serde(default)]
            classes: Vec<Named>,
        }
        let only: ClassesOnly = toml::from_str(text).map_err(|e| SchemeError {
            problems: vec![format!(
                "TOML 格式错误 (TOML syntax): {}",
                e.to_string().trim()
            )],
        })?;
        Ok(only.classes.into_iter().map(|c| c.name).collect())
    }

    /// Items of one scale's set, in declaration order.
    pub fn items_for(&self, scale: Scale) -> impl Iterator<Item = &Item> {
        self.items.iter().filter(move |i| i.scale == scale)
    }

    /// Whether any input column is numeric for this scheme (contract or extra).
    pub fn is_numeric_column(&self, name: &str) -> bool {
        NUMERIC_COLUMNS.contains(&name) || self.input.extra_columns.iter().any(|c| c == name)
    }

    /// Numeric columns the evaluation reads, so a reader can skip the rest.
    pub fn numeric_columns_used(&self) -> Vec<String> {
        let mut set = BTreeSet::new();
        for i in &self.items {
            set.insert(i.numerator.as_str());
            set.insert(i.denominator.as_str());
        }
        for c in self
            .input
            .required
            .iter()
            .chain(&self.input.positive)
            .chain(&self.input.non_negative)
        {
            set.insert(c.as_str());
        }
        for a in &self.adjustments {
            set.insert(a.column.as_str());
        }
        for v in &self.vetoes {
            set.insert(v.column.as_str());
        }
        set.into_iter().map(str::to_owned).collect()
    }

    /// Columns read as yes/no flags (是/否, 1/0, true/false): the 一票否决 columns.
    pub fn flag_columns(&self) -> Vec<String> {
        self.vetoes.iter().map(|v| v.column.clone()).collect()
    }

    /// Text columns the evaluation reads (`town`, `industry` when grouping by them).
    pub fn text_columns_used(&self) -> Vec<String> {
        let mut v = Vec::new();
        if self.grouping.industry.is_some() {
            v.push("industry".to_owned());
        }
        if self.grouping.by_town {
            v.push("town".to_owned());
        }
        v
    }

    /// Whether the output carries the 调档 columns (original class and reason).
    pub fn has_class_adjustments(&self) -> bool {
        !self.vetoes.is_empty() || !self.overrides.is_empty()
    }

    /// Index of a class by name.
    pub fn class_index(&self, name: &str) -> Option<usize> {
        self.classes.iter().position(|c| c.name == name)
    }
}

fn compile(raw: RawScheme) -> Result<Scheme, SchemeError> {
    let mut p = Problems(Vec::new());

    // Input rules and the set of columns a scheme may name.
    let mut extra = Vec::new();
    for c in &raw.input.extra_columns {
        if !is_identifier(c) {
            p.push(format!(
                "input.extra_columns: 列名 \"{c}\" 只能用小写字母、数字和下划线 (column names use a-z, 0-9, _)"
            ));
        } else if NUMERIC_COLUMNS.contains(&c.as_str())
            || TEXT_COLUMNS.contains(&c.as_str())
            || c == "uscc"
            || c == "scale"
        {
            p.push(format!(
                "input.extra_columns: \"{c}\" 已是标准列, 不必声明 (already a contract column)"
            ));
        } else {
            extra.push(c.clone());
        }
    }
    let known = |c: &str| NUMERIC_COLUMNS.contains(&c) || extra.iter().any(|e| e == c);
    let unknown_msg = |at: &str, c: &str| {
        format!(
            "{at}: 未知的列 \"{c}\" (unknown column; numeric columns are {}, or declare it in input.extra_columns)",
            NUMERIC_COLUMNS.join(", ")
        )
    };
    for (key, list) in [
        ("input.required", &raw.input.required),
        ("input.positive", &raw.input.positive),
        ("input.non_negative", &raw.input.non_negative),
    ] {
        for c in list {
            if !known(c) {
                p.push(unknown_msg(key, c));
            }
        }
    }

    // Classes.
    let mut classes = Vec::new();
    if raw.classes.is_empty() {
        p.push("classes: 至少需要一个档次 (at least one [[classes]] entry)".into());
    }
    let mut prev = 0.0;
    for (i, c) in raw.classes.iter().enumerate() {
        let at = format!("classes[{}]", i + 1);
        let name = p.text(&format!("{at}.name"), &c.name).map(str::to_owned);
        let last = i + 1 == raw.classes.len();
        let max_pct = match (&c.max_pct, last) {
            (None, true) => None,
            (None, false) => {
                p.push(format!(
                    "{at}.max_pct: 除最后一档外都要给出上限 (every class but the last needs max_pct)"
                ));
                None
            }
            (Some(_), _) => {
                let v = p.number(&format!("{at}.max_pct"), &c.max_pct, true);
                if let Some(v) = v {
                    if v <= prev || v > 1.0 {
                        p.push(format!(
                            "{at}.max_pct: 档次上限必须递增且不超过1, {v} 不大于上一档的 {prev} 或大于1 (bounds must increase within (0, 1])"
                        ));
                    }
                    if last && v < 1.0 {
                        p.push(format!(
                            "{at}.max_pct: 最后一档必须覆盖到1 (the last class must reach pct 1; omit max_pct)"
                        ));
                    }
                    prev = v;
                }
                v.filter(|_| !last)
            }
        };
        if let Some(name) = name {
            if classes.iter().any(|k: &Class| k.name == name) {
                p.push(format!("{at}.name: 档次 \"{name}\" 重复 (duplicate class)"));
            }
            classes.push(Class { name, max_pct });
        }
    }
    let class_of = |p: &mut Problems, at: &str, name: &Option<String>| -> Option<usize> {
        let n = p.text(at, name)?;
        let idx = classes.iter().position(|c| c.name == n);
        if idx.is_none() {
            p.push(format!(
                "{at}: 未定义的档次 \"{n}\" (not one of [[classes]])"
            ));
        }
        idx
    };

    // Floor.
    let floor = match &raw.floor {
        None => Some(0.0),
        Some(RawNumberOrText::Text(t)) if t == "none" => None,
        Some(_) => p.number("floor", &raw.floor, false),
    };

    // Items.
    let mut items: Vec<Item> = Vec::new();
    let mut item_keys: Vec<String> = Vec::new();
    if raw.items.is_empty() {
        p.push("items: 至少需要一个评价指标 (at least one [[items]] entry)".into());
    }
    for (i, it) in raw.items.iter().enumerate() {
        let at = format!("items[{}]", i + 1);
        let key = p.text(&format!("{at}.key"), &it.key).map(str::to_owned);
        let at = match &key {
            Some(k) => format!("items[{}] ({k})", i + 1),
            None => at,
        };
        if let Some(k) = &key
            && !is_identifier(k)
        {
            p.push(format!(
                "{at}.key: 只能用小写字母、数字和下划线 (keys use a-z, 0-9, _)"
            ));
        }
        let scales: Vec<Scale> = match p.text(&format!("{at}.scale"), &it.scale) {
            Some("all") => Scale::ALL.to_vec(),
            Some(s) => match Scale::parse(s) {
                Some(sc) => vec![sc],
                None => {
                    p.push(format!(
                        "{at}.scale: 必须是 above、below 或 all, 实际为 \"{s}\" (must be above, below or all)"
                    ));
                    vec![]
                }
            },
            None => vec![],
        };
        let mut column = |field: &str, v: &Option<String>| -> Option<String> {
            let c = p.text(&format!("{at}.{field}"), v)?;
            if !known(c) {
                p.push(unknown_msg(&format!("{at}.{field}"), c));
                return None;
            }
            Some(c.to_owned())
        };
        let numerator = column("numerator", &it.numerator);
        let denominator = column("denominator", &it.denominator);
        let weight = if it.weight.is_none() {
            p.push(format!("{at}.weight: 缺少权重 (weight missing)"));
            None
        } else {
            p.number(&format!("{at}.weight"), &it.weight, true)
        };
        let benchmark = match &it.benchmark {
            Some(RawNumberOrText::Text(t)) if t == "group_average" => Some(Benchmark::GroupAverage),
            Some(RawNumberOrText::Text(t)) => {
                p.push(format!(
                    "{at}.benchmark: 必须是正数或 \"group_average\", 实际为 \"{t}\" (a number or \"group_average\")"
                ));
                None
            }
            None => {
                p.push(format!("{at}.benchmark: 缺少基准值 (benchmark missing)"));
                None
            }
            b => p
                .number(&format!("{at}.benchmark"), b, true)
                .map(Benchmark::Fixed),
        };
        let cap = match (&it.cap, &it.cap_multiple) {
            (Some(_), Some(_)) => {
                p.push(format!(
                    "{at}: cap 与 cap_multiple 只能选一个 (give cap or cap_multiple, not both)"
                ));
                None
            }
            (Some(_), None) => p.number(&format!("{at}.cap"), &it.cap, true),
            (None, Some(_)) => p
                .number(&format!("{at}.cap_multiple"), &it.cap_multiple, true)
                .zip(weight)
                .map(|(m, w)| m * w),
            (None, None) => None,
        };
        let item_floor = match &it.floor {
            None => floor,
            Some(RawNumberOrText::Text(t)) if t == "none" => None,
            Some(_) => p.number(&format!("{at}.floor"), &it.floor, false),
        };
        if let (Some(f), Some(c)) = (item_floor, cap)
            && c < f
        {
            p.push(format!(
                "{at}: 封顶 {c} 低于保底 {f} (cap is below the floor)"
            ));
        }
        let missing = match it.missing.as_deref() {
            None | Some("group_mean") => Missing::GroupMean,
            Some("zero") => Missing::Zero,
            Some(m) => {
                p.push(format!(
                    "{at}.missing: 必须是 \"group_mean\" 或 \"zero\", 实际为 \"{m}\""
                ));
                Missing::GroupMean
            }
        };
        let label = it
            .label
            .clone()
            .unwrap_or_else(|| key.clone().unwrap_or_default());
        if let (Some(key), Some(numerator), Some(denominator), Some(weight), Some(benchmark)) =
            (key, numerator, denominator, weight, benchmark)
        {
            for scale in scales {
                if items.iter().any(|x| x.key == key && x.scale == scale) {
                    p.push(format!(
                        "{at}: {} 已有指标 \"{key}\" (duplicate item for this scale)",
                        scale.as_str()
                    ));
                    continue;
                }
                items.push(Item {
                    key: key.clone(),
                    label: label.clone(),
                    scale,
                    numerator: numerator.clone(),
                    denominator: denominator.clone(),
                    weight,
                    benchmark,
                    cap,
                    floor: item_floor,
                    missing,
                });
            }
            if !item_keys.contains(&key) {
                item_keys.push(key);
            }
        }
    }

    // Grouping.
    let mut grouping = Grouping::default();
    for b in &raw.grouping.by {
        match b.as_str() {
            "scale" => grouping.by_scale = true,
            "town" => grouping.by_town = true,
            "industry" => {
                grouping.industry = Some(industry_groups(&mut p, &raw.grouping));
            }
            other => p.push(format!(
                "grouping.by: 未知的分组 \"{other}\" (use \"scale\", \"industry\" or \"town\")"
            )),
        }
    }
    if grouping.industry.is_none() && !raw.grouping.industry_groups.is_empty() {
        p.push(
            "grouping.industry_groups: 已定义行业分组但 grouping.by 未包含 \"industry\" (add \"industry\" to grouping.by)"
                .into(),
        );
    }

    // Adjustments, vetoes, overrides.
    let mut adjustments = Vec::new();
    for (i, a) in raw.adjustments.iter().enumerate() {
        let at = format!("adjustments[{}]", i + 1);
        let column = p
            .text(&format!("{at}.column"), &a.column)
            .map(str::to_owned);
        if let Some(c) = &column
            && !known(c)
        {
            p.push(unknown_msg(&format!("{at}.column"), c));
        }
        let sign = match a.kind.as_deref() {
            Some("bonus") | Some("加分") => Some(1.0),
            Some("deduction") | Some("减分") => Some(-1.0),
            other => {
                p.push(format!(
                    "{at}.kind: 必须是 \"bonus\" 或 \"deduction\", 实际为 {other:?}"
                ));
                None
            }
        };
        let cap = a
            .cap
            .as_ref()
            .and_then(|_| p.number(&format!("{at}.cap"), &a.cap, true));
        if let (Some(column), Some(sign)) = (column, sign) {
            adjustments.push(Adjustment {
                label: a.label.clone().unwrap_or_else(|| column.clone()),
                column,
                sign,
                cap,
            });
        }
    }
    let mut vetoes = Vec::new();
    for (i, v) in raw.vetoes.iter().enumerate() {
        let at = format!("vetoes[{}]", i + 1);
        let column = p
            .text(&format!("{at}.column"), &v.column)
            .map(str::to_owned);
        if let Some(c) = &column
            && !known(c)
        {
            p.push(unknown_msg(&format!("{at}.column"), c));
        }
        let class = class_of(&mut p, &format!("{at}.class"), &v.class);
        let reason = p
            .text(&format!("{at}.reason"), &v.reason)
            .map(str::to_owned);
        if let (Some(column), Some(class), Some(reason)) = (column, class, reason) {
            vetoes.push(Veto {
                column,
                class,
                reason,
            });
        }
    }
    let mut overrides: Vec<Override> = Vec::new();
    for (i, o) in raw.overrides.iter().enumerate() {
        let at = format!("overrides[{}]", i + 1);
        let uscc = p
            .text(&format!("{at}.uscc"), &o.uscc)
            .map(str::to_ascii_uppercase);
        let class = class_of(&mut p, &format!("{at}.class"), &o.class);
        let reason = p
            .text(&format!("{at}.reason"), &o.reason)
            .map(str::to_owned);
        if let (Some(uscc), Some(class), Some(reason)) = (uscc, class, reason) {
            if overrides.iter().any(|x| x.uscc == uscc) {
                p.push(format!("{at}.uscc: \"{uscc}\" 重复调档 (overridden twice)"));
                continue;
            }
            overrides.push(Override {
                uscc,
                class,
                reason,
            });
        }
    }

    if !p.0.is_empty() {
        return Err(SchemeError { problems: p.0 });
    }
    Ok(Scheme {
        name: raw.name.unwrap_or_default(),
        input: InputRules {
            required: raw.input.required,
            positive: raw.input.positive,
            non_negative: raw.input.non_negative,
            extra_columns: extra,
        },
        grouping,
        items,
        item_keys,
        classes,
        adjustments,
        vetoes,
        overrides,
    })
}

fn industry_groups(p: &mut Problems, raw: &RawGrouping) -> IndustryGroups {
    if raw.industry_groups.is_empty() {
        p.push(
            "grouping.industry_groups: 按行业分组需要定义行业分组 (grouping by industry needs industry_groups)"
                .into(),
        );
    }
    let mut names: Vec<String> = Vec::new();
    let mut prefixes = HashMap::new();
    for (i, g) in raw.industry_groups.iter().enumerate() {
        let at = format!("grouping.industry_groups[{}]", i + 1);
        let Some(name) = p.text(&format!("{at}.name"), &g.name) else {
            continue;
        };
        if names.iter().any(|n| n == name) {
            p.push(format!(
                "{at}.name: 行业分组 \"{name}\" 重复 (duplicate group)"
            ));
            continue;
        }
        if g.prefixes.is_empty() {
            p.push(format!(
                "{at}.prefixes: 至少需要一个行业代码前缀 (at least one prefix)"
            ));
        }
        for prefix in &g.prefixes {
            if !(2..=4).contains(&prefix.len()) || !prefix.bytes().all(|b| b.is_ascii_digit()) {
                p.push(format!(
                    "{at}.prefixes: 行业代码前缀 \"{prefix}\" 应为2-4位数字 (prefixes are 2-4 digits)"
                ));
            } else if prefixes.insert(prefix.clone(), names.len()).is_some() {
                p.push(format!(
                    "{at}.prefixes: 行业代码前缀 \"{prefix}\" 重复 (prefix listed twice)"
                ));
            }
        }
        names.push(name.to_owned());
    }
    let other = raw.industry_other.clone().unwrap_or_else(|| "其他".into());
    names.push(other.clone());
    IndustryGroups {
        names,
        prefixes,
        other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_scheme_is_named_for_the_county_that_runs_it() {
        let name = Scheme::default().name;
        assert!(name.contains("象山县") && !name.contains("黄岩"), "{name}");
    }

    #[test]
    fn class_names_are_the_classes_not_the_schemes_name() {
        let text = format!("{DEFAULT_SCHEME_TOML}\n[policy]\nnote = \"x\"\n");
        let names = Scheme::class_names(&text).expect("readable");
        assert_eq!(names, ["A", "B", "C", "D"]);
        let own_name = Scheme::parse(DEFAULT_SCHEME_TOML).expect("valid").name;
        assert!(!names.contains(&own_name));
        assert!(Scheme::class_names("name = ").is_err());
    }

    #[test]
    fn default_scheme_matches_the_contract() {
        let s = Scheme::parse(DEFAULT_SCHEME_TOML).expect("default scheme is valid");
        assert_eq!(
            s.item_keys,
            [
                "tax_per_mu",
                "va_per_mu",
                "va_per_energy",
                "va_per_emission",
                "va_per_employee",
                "rd_ratio",
                "tax_per_kwh"
            ]
        );
        assert_eq!(s.items_for(Scale::Above).count(), 6);
        let below: Vec<_> = s.items_for(Scale::Below).collect();
        assert_eq!(below[0].weight, 50.0);
        assert_eq!(below[1].benchmark, Benchmark::Fixed(0.2352));
        assert!(s.grouping.by_scale && !s.grouping.by_town && s.grouping.industry.is_none());
        let bounds: Vec<_> = s.classes.iter().map(|c| c.max_pct).collect();
        assert_eq!(bounds, [Some(0.2), Some(0.6), Some(0.95), None]);
        assert_eq!(s.items[0].floor, Some(0.0));
        assert_eq!(s.items[0].cap, None);
        assert!(!s.has_class_adjustments());
    }

    fn problems(text: &str) -> Vec<String> {
        match Scheme::parse(text) {
            Ok(_) => panic!("scheme should be rejected"),
            Err(e) => e.problems,
        }
    }

    const CLASSES: &str = "[[classes]]\nname = \"A\"\nmax_pct = 0.5\n[[classes]]\nname = \"B\"\n";

    #[test]
    fn weight_missing_is_reported() {
        let p = problems(&format!(
            "{CLASSES}[[items]]\nscale = \"above\"\nkey = \"t\"\nnumerator = \"tax_wan\"\ndenominator = \"land_mu\"\nbenchmark = 1\n"
        ));
        assert_eq!(p, ["items[1] (t).weight: 缺少权重 (weight missing)"]);
    }

    #[test]
    fn bounds_must_increase() {
        let p = problems(
            "[[classes]]\nname = \"A\"\nmax_pct = 0.6\n[[classes]]\nname = \"B\"\nmax_pct = 0.2\n[[classes]]\nname = \"C\"\n\
             [[items]]\nscale = \"above\"\nkey = \"t\"\nnumerator = \"tax_wan\"\ndenominator = \"land_mu\"\nweight = 1\nbenchmark = 1\n",
        );
        assert_eq!(p.len(), 1);
        assert!(
            p[0].starts_with("classes[2].max_pct: 档次上限必须递增"),
            "{p:?}"
        );
    }

    #[test]
    fn unknown_columns_are_named() {
        let p = problems(&format!(
            "{CLASSES}[[items]]\nscale = \"above\"\nkey = \"t\"\nnumerator = \"tax_wna\"\ndenominator = \"land_mu\"\nweight = 1\nbenchmark = 1\n"
        ));
        assert_eq!(p.len(), 1);
        assert!(
            p[0].starts_with("items[1] (t).numerator: 未知的列 \"tax_wna\""),
            "{p:?}"
        );
    }

    #[test]
    fn misspelled_keys_are_rejected() {
        let p = problems("nmae = \"x\"\n");
        assert!(p[0].contains("nmae"), "{p:?}");
    }

    #[test]
    fn overrides_and_vetoes_need_known_classes_and_reasons() {
        let p = problems(&format!(
            "{CLASSES}[input]\nextra_columns = [\"accident\"]\n\
             [[items]]\nscale = \"all\"\nkey = \"t\"\nnumerator = \"tax_wan\"\ndenominator = \"land_mu\"\nweight = 1\nbenchmark = \"group_average\"\n\
             [[vetoes]]\ncolumn = \"accident\"\nclass = \"Z\"\nreason = \"x\"\n\
             [[overrides]]\nuscc = \"E1\"\nclass = \"A\"\n"
        ));
        assert_eq!(
            p,
            [
                "vetoes[1].class: 未定义的档次 \"Z\" (not one of [[classes]])",
                "overrides[1].reason: 缺少或为空 (missing or empty)"
            ]
        );
    }

    #[test]
    fn industry_groups_use_the_longest_prefix() {
        let s = Scheme::parse(&format!(
            "{CLASSES}[grouping]\nby = [\"scale\", \"industry\"]\n\
             [[grouping.industry_groups]]\nname = \"纺织\"\nprefixes = [\"17\", \"18\"]\n\
             [[grouping.industry_groups]]\nname = \"机械\"\nprefixes = [\"34\", \"35\"]\n\
             [[grouping.industry_groups]]\nname = \"化纤\"\nprefixes = [\"1741\"]\n\
             [[items]]\nscale = \"all\"\nkey = \"t\"\nnumerator = \"tax_wan\"\ndenominator = \"land_mu\"\nweight = 1\nbenchmark = 1\n"
        ))
        .expect("valid");
        let g = s.grouping.industry.expect("industry grouping");
        assert_eq!(g.names, ["纺织", "机械", "化纤", "其他"]);
        assert_eq!(g.group_of("1711"), 0);
        assert_eq!(g.group_of("C1741"), 2);
        assert_eq!(g.group_of("3411"), 1);
        assert_eq!(g.group_of("13"), 3);
        assert_eq!(g.group_of(""), 3);
    }
}
