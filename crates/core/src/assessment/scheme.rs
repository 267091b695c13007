//! A 考核方案: what a class of units is scored on in a year, as the office writes it.
//!
//! A scheme is stored as JSON (the office edits it on a form or loads a file with `qx assess
//! run --scheme`) and is only ever used after [`Scheme::validate`], whose errors name the
//! field ("items[2].weight") and say in Chinese what is wrong.

use crate::coded::coded_enum;
use crate::label::{Labelled, Lang, say};
use crate::units::UnitKind;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A code this module does not know (a unit class, a source).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("未知的{what}代码 \"{code}\"")]
pub struct UnknownCode {
    pub what: &'static str,
    pub code: String,
}

coded_enum! {
    /// The classes 差异化考核 compares within.
    #[derive(Serialize, Deserialize, PartialOrd, Ord)]
    #[serde(rename_all = "snake_case")]
    UnitClass {
        /// 县级部门 (departments and other county bodies not named as 涉企).
        CountyDepartment = "county_department", "县级部门", "County departments";
        /// 涉企部门: departments the scheme names by member list.
        EnterpriseDepartment = "enterprise_department", "涉企部门", "Enterprise-facing departments";
        /// 开发区(园区).
        Zone = "zone", "开发区(园区)", "Development zones";
        /// 镇乡(街道).
        Town = "town", "镇乡(街道)", "Towns and subdistricts";
    }
    unknown(code) => UnknownCode { UnknownCode { what: "考核类别", code } }
}

impl UnitClass {
    /// The class a unit of `kind` falls in when no scheme names it as a member; the office,
    /// groups and enterprises are not assessed.
    pub fn of(kind: UnitKind) -> Option<UnitClass> {
        match kind {
            UnitKind::Department | UnitKind::Body => Some(UnitClass::CountyDepartment),
            UnitKind::Zone => Some(UnitClass::Zone),
            UnitKind::Town => Some(UnitClass::Town),
            UnitKind::Office | UnitKind::Group | UnitKind::Enterprise => None,
        }
    }
}

coded_enum! {
    /// Where an item's figure comes from. Each automatic source is gathered by the app for a
    /// unit and a period end, with the records behind it.
    #[derive(Serialize, Deserialize, PartialOrd, Ord)]
    #[serde(rename_all = "snake_case")]
    Source {
        /// Indicators the unit leads: per indicator 完成率 and 序时进度.
        Indicators = "indicators", "牵头指标完成情况", "Indicators led";
        /// Tasks it leads (by the task's state) or supports (by its own latest report): 1 on
        /// track or done, 0 behind or overdue.
        Tasks = "tasks", "牵头及配合任务推进", "Tasks led or supported";
        /// Monthly reports: on time 1, late ½, missing 0, over those owed.
        ReportPunctuality = "report_punctuality", "月度报送及时率", "Report punctuality";
        /// 企业难题 routed to it: 答复率.
        ProblemAnswerRate = "problem_answer_rate", "难题答复率", "Problem answer rate";
        /// 按时答复率.
        ProblemOnTimeRate = "problem_on_time_rate", "难题按时答复率", "Problems answered on time";
        /// 解决率.
        ProblemResolutionRate = "problem_resolution_rate", "难题解决率", "Problem resolution rate";
        /// 满意率.
        ProblemSatisfactionRate = "problem_satisfaction_rate", "难题满意率", "Problem satisfaction rate";
        /// Its projects: 开工率 (started ÷ planned to start this year).
        ProjectStartRate = "project_start_rate", "项目开工率", "Project start rate";
        /// Its projects: 投资完成率 (本年已完成投资 ÷ 年度计划投资).
        ProjectInvestmentRate = "project_investment_rate", "项目投资完成率", "Project investment completion";
        /// 亿元以上 projects started in the period (a count).
        BigProjectsStarted = "big_projects_started", "亿元以上项目开工数", "Projects ≥ 100m started";
        /// 招商 signed in the period (a count).
        InvestmentSigned = "investment_signed", "招商签约项目数", "Investment projects signed";
        /// 招商 registered in the period (a count).
        InvestmentRegistered = "investment_registered", "招商注册项目数", "Investment projects registered";
        /// Cultivation results reached in the period (上规, 股改, 认定…; a count).
        Cultivation = "cultivation", "企业培育成果数", "Cultivation results";
        /// Points the office enters with a reason and a file (加分/扣分, 一票否决 facts).
        Manual = "manual", "人工评分", "Manual points";
    }
    unknown(code) => UnknownCode { UnknownCode { what: "数据来源", code } }
}

coded_enum! {
    /// How often a scheme scores its units: each quarter (the 季度通报's ranking) or once for
    /// the year (the annual 考核). A year may hold both for one class; a run uses only the
    /// schemes of its own cadence.
    #[derive(Serialize, Deserialize, Default)]
    #[serde(rename_all = "snake_case")]
    Cadence {
        #[default]
        Quarterly = "quarterly", "季度", "Quarterly";
        Annual = "annual", "年度", "Annual";
    }
    unknown(code) => UnknownCode { UnknownCode { what: "考核周期", code } }
}

impl Cadence {
    /// The cadence that scores `period`: a quarter quarterly, a year annually (months are not
    /// assessed).
    pub fn of(period: crate::period::Period) -> Option<Cadence> {
        use crate::period::Period;
        match period {
            Period::Quarter { .. } => Some(Cadence::Quarterly),
            Period::Year { .. } => Some(Cadence::Annual),
            Period::Month { .. } => None,
        }
    }
}

/// How an item turns its figure into points (weight = full marks).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Method {
    /// 完成率 capped: weight × min(figure, ceiling); ceiling 1 = no bonus, 1.2 = up to 120%.
    CompletionCapped { ceiling: f64 },
    /// Ratio to 序时进度: weight × mean over the records of min(完成率 ÷ 序时进度, ceiling).
    PaceRatio { ceiling: f64 },
    /// Rank within the class by the figure: first full marks, each place `step` less (≥ 0).
    Rank { step: f64 },
    /// Threshold: full marks when the figure reaches `pass`, else 0.
    Threshold { pass: f64 },
    /// Per count: `points` per unit of the figure, up to the weight.
    PerCount { points: f64 },
    /// Manual points entered with evidence, up to the weight.
    Manual,
}

coded_enum! {
    /// The kinds of [`Method`] without their figure: what the scheme editor offers.
    MethodKind {
        CompletionCapped = "completion_capped", "按完成率计分", "By completion rate";
        PaceRatio = "pace_ratio", "按与序时进度之比计分", "By ratio to time elapsed";
        Rank = "rank", "按类内排名计分", "By rank in the class";
        Threshold = "threshold", "达标得分", "Full marks at a pass mark";
        PerCount = "per_count", "按个数计分", "Points per count";
        Manual = "manual", "人工评分", "Entered by the office";
    }
    unknown(code) => UnknownCode { UnknownCode { what: "计分方法", code } }
}

impl MethodKind {
    /// What the method's one figure is called; `None` for manual points, which have none.
    pub fn figure_label(self, lang: Lang) -> Option<&'static str> {
        match self {
            MethodKind::CompletionCapped | MethodKind::PaceRatio => {
                Some(lang.pick("封顶系数", "Cap (× full marks)"))
            }
            MethodKind::Rank => Some(lang.pick("每名递减分值", "Less per place")),
            MethodKind::Threshold => Some(lang.pick("达标线", "Pass mark")),
            MethodKind::PerCount => Some(lang.pick("每个计分", "Points each")),
            MethodKind::Manual => None,
        }
    }
}

impl Method {
    /// The method of `kind` with its one `figure` (not read for manual points).
    pub fn of(kind: MethodKind, figure: f64) -> Method {
        match kind {
            MethodKind::CompletionCapped => Method::CompletionCapped { ceiling: figure },
            MethodKind::PaceRatio => Method::PaceRatio { ceiling: figure },
            MethodKind::Rank => Method::Rank { step: figure },
            MethodKind::Threshold => Method::Threshold { pass: figure },
            MethodKind::PerCount => Method::PerCount { points: figure },
            MethodKind::Manual => Method::Manual,
        }
    }

    pub fn kind(&self) -> MethodKind {
        match self {
            Method::CompletionCapped { .. } => MethodKind::CompletionCapped,
            Method::PaceRatio { .. } => MethodKind::PaceRatio,
            Method::Rank { .. } => MethodKind::Rank,
            Method::Threshold { .. } => MethodKind::Threshold,
            Method::PerCount { .. } => MethodKind::PerCount,
            Method::Manual => MethodKind::Manual,
        }
    }

    /// Its one figure (the cap, the step, the pass mark, the points each); `None` for manual.
    pub fn figure(&self) -> Option<f64> {
        match *self {
            Method::CompletionCapped { ceiling } | Method::PaceRatio { ceiling } => Some(ceiling),
            Method::Rank { step } => Some(step),
            Method::Threshold { pass } => Some(pass),
            Method::PerCount { points } => Some(points),
            Method::Manual => None,
        }
    }

    /// The rule in words, for the scheme as the office and the units read it.
    pub fn describe(&self, lang: Lang) -> String {
        match *self {
            Method::CompletionCapped { ceiling: 1.0 } => say!(
                lang,
                "完成率 × 分值, 不超过满分",
                "completion rate × full marks, at most full marks"
            ),
            Method::CompletionCapped { ceiling } => say!(
                lang,
                "完成率 × 分值, 最高为满分的 {ceiling} 倍",
                "completion rate × full marks, up to {ceiling}× full marks"
            ),
            Method::PaceRatio { ceiling: 1.0 } => say!(
                lang,
                "完成率 ÷ 序时进度 × 分值, 不超过满分",
                "completion rate ÷ time elapsed × full marks, at most full marks"
            ),
            Method::PaceRatio { ceiling } => say!(
                lang,
                "完成率 ÷ 序时进度 × 分值, 最高为满分的 {ceiling} 倍",
                "completion rate ÷ time elapsed × full marks, up to {ceiling}× full marks"
            ),
            Method::Rank { step } => say!(
                lang,
                "类内第一名得满分, 每后一名减 {step} 分",
                "first in the class gets full marks, each place after {step} less"
            ),
            Method::Threshold { pass } => say!(
                lang,
                "达到 {pass} 得满分, 否则不得分",
                "full marks at {pass} or more, else none"
            ),
            Method::PerCount { points } => say!(
                lang,
                "每个 {points} 分, 以分值为限",
                "{points} each, up to full marks"
            ),
            Method::Manual => say!(
                lang,
                "办公室据实录入 (附依据)",
                "entered by the office with evidence"
            ),
        }
    }
}

impl Veto {
    /// The condition in words ("发生重大安全生产责任事故: 人工评分 达到 1 即一票否决").
    pub fn describe(&self, lang: Lang) -> String {
        let (source, at) = (self.source.label(lang), self.at_least);
        say!(
            lang,
            "{source} 达到 {at} 即排在所有未被否决的单位之后",
            "{source} at {at} or more places the unit after every unit not vetoed"
        )
    }
}

coded_enum! {
    /// Whether an item is part of the weighted score or a bonus/deduction on top.
    #[derive(Serialize, Deserialize, Default)]
    #[serde(rename_all = "snake_case")]
    ItemKind {
        #[default]
        Core = "core", "考核项目", "Scored item";
        Bonus = "bonus", "加分项", "Bonus";
        Deduction = "deduction", "扣分项", "Deduction";
    }
    unknown(code) => UnknownCode { UnknownCode { what: "考核项目类型", code } }
}

/// One item of a scheme. For a bonus or deduction the weight is its cap.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    /// Stable key within the scheme (objections and manual points name it).
    pub key: String,
    pub name: String,
    #[serde(default)]
    pub kind: ItemKind,
    pub weight: f64,
    pub source: Source,
    pub method: Method,
    /// Fewer records than this (e.g. 3 problems) and the item is scored as the class
    /// average, so one case cannot make or break a unit.
    #[serde(default)]
    pub min_count: u32,
}

/// 一票否决: a unit whose `source` figure (for manual, the points under `key`) reaches
/// `at_least` is placed after every unit not vetoed, whatever its score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Veto {
    pub key: String,
    pub name: String,
    pub source: Source,
    pub at_least: f64,
}

/// A 考核方案.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scheme {
    pub year: i32,
    pub name: String,
    /// Quarterly or annual (required in the JSON the office writes: [`Scheme::from_json`]).
    #[serde(default)]
    pub cadence: Cadence,
    /// The classes whose units it scores (one ranking across them).
    pub classes: Vec<UnitClass>,
    /// A sub-class the office names (e.g. 工业重镇): the scheme then scores only `members`.
    #[serde(default)]
    pub sub_class: Option<String>,
    /// Unit names scored by this scheme ahead of the class rule (涉企部门, sub-classes).
    #[serde(default)]
    pub members: Vec<String>,
    /// Points every unit starts from (added to the weighted items).
    #[serde(default)]
    pub base: f64,
    pub items: Vec<Item>,
    #[serde(default)]
    pub vetoes: Vec<Veto>,
    /// Caps on the sum of all bonuses and of all deductions (besides each item's own).
    #[serde(default)]
    pub bonus_cap: Option<f64>,
    #[serde(default)]
    pub deduction_cap: Option<f64>,
    /// When a unit has nothing under a core item (a town leads no indicator) the item is
    /// left out and the other core weights are scaled up to the same total.
    #[serde(default = "yes")]
    pub rescale_missing: bool,
}

fn yes() -> bool {
    true
}

/// What is wrong with a scheme, naming the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemeError {
    /// "items[2].weight", "name", …
    pub field: String,
    pub message: String,
}

impl fmt::Display for SchemeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for SchemeError {}

fn err(field: impl Into<String>, message: impl Into<String>) -> SchemeError {
    SchemeError {
        field: field.into(),
        message: message.into(),
    }
}

impl Scheme {
    /// Reads a scheme from JSON and validates it; a JSON error names the line and column.
    pub fn from_json(text: &str) -> Result<Scheme, SchemeError> {
        let scheme: Scheme = serde_json::from_str(text).map_err(|e| {
            // A wrong cadence is said against its field, not as a position in the JSON.
            if let Err(c) = check_cadence(text, false) {
                return c;
            }
            err(
                format!("第{}行第{}列", e.line(), e.column()),
                format!("方案格式有误: {}", json_reason(&e)),
            )
        })?;
        check_cadence(text, true)?;
        scheme.validate()?;
        Ok(scheme)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Every check, the first failure returned.
    pub fn validate(&self) -> Result<(), SchemeError> {
        if !(2000..=2100).contains(&self.year) {
            return Err(err("year", "年度应在 2000—2100 之间"));
        }
        if self.name.trim().is_empty() {
            return Err(err("name", "请填写方案名称"));
        }
        if self.classes.is_empty() {
            return Err(err("classes", "请至少选择一个考核类别"));
        }
        if self
            .sub_class
            .as_deref()
            .is_some_and(|s| s.trim().is_empty())
        {
            return Err(err("sub_class", "子类名称不能为空"));
        }
        if self.sub_class.is_some() && self.members.is_empty() {
            return Err(err("members", "子类方案须列出参加考核的单位"));
        }
        if !self.base.is_finite() || !(0.0..=1000.0).contains(&self.base) {
            return Err(err("base", "基础分应在 0—1000 之间"));
        }
        if !self.items.iter().any(|i| i.kind == ItemKind::Core) {
            return Err(err("items", "方案至少需要一个考核项目"));
        }
        for (n, item) in self.items.iter().enumerate() {
            let at = |f: &str| format!("items[{n}].{f}");
            if item.key.trim().is_empty() {
                return Err(err(at("key"), "请填写项目代码"));
            }
            if self.items[..n].iter().any(|o| o.key == item.key) {
                return Err(err(at("key"), format!("项目代码 \"{}\" 重复", item.key)));
            }
            if item.name.trim().is_empty() {
                return Err(err(at("name"), "请填写项目名称"));
            }
            if !item.weight.is_finite() || item.weight <= 0.0 || item.weight > 1000.0 {
                return Err(err(at("weight"), "分值应大于 0 且不超过 1000"));
            }
            match item.method {
                Method::CompletionCapped { ceiling } | Method::PaceRatio { ceiling }
                    if !ceiling.is_finite() || !(1.0..=3.0).contains(&ceiling) =>
                {
                    return Err(err(
                        at("method.ceiling"),
                        "封顶系数应在 1—3 之间 (1 即不超过满分)",
                    ));
                }
                Method::Rank { step } if !step.is_finite() || step <= 0.0 || step > item.weight => {
                    return Err(err(
                        at("method.step"),
                        "每名递减分值应大于 0 且不超过该项分值",
                    ));
                }
                Method::Threshold { pass } if !pass.is_finite() => {
                    return Err(err(at("method.pass"), "达标线应为数字"));
                }
                Method::PerCount { points } if !points.is_finite() || points <= 0.0 => {
                    return Err(err(at("method.points"), "每项计分应大于 0"));
                }
                _ => {}
            }
            let manual_method = matches!(item.method, Method::Manual);
            if manual_method != (item.source == Source::Manual) {
                return Err(err(
                    at("method"),
                    "人工评分项目须以“人工评分”为来源, 反之亦然",
                ));
            }
            if matches!(item.method, Method::PaceRatio { .. }) && item.source != Source::Indicators
            {
                return Err(err(at("method"), "与序时进度之比只适用于牵头指标"));
            }
            if matches!(item.method, Method::Rank { .. }) && item.kind != ItemKind::Core {
                return Err(err(
                    at("method"),
                    "排名计分只适用于考核项目, 不适用于加减分",
                ));
            }
        }
        for (n, v) in self.vetoes.iter().enumerate() {
            let at = |f: &str| format!("vetoes[{n}].{f}");
            if v.key.trim().is_empty() {
                return Err(err(at("key"), "请填写否决项代码"));
            }
            if v.name.trim().is_empty() {
                return Err(err(at("name"), "请填写否决项名称"));
            }
            if !v.at_least.is_finite() {
                return Err(err(at("at_least"), "否决条件应为数字"));
            }
        }
        for (field, cap) in [
            ("bonus_cap", self.bonus_cap),
            ("deduction_cap", self.deduction_cap),
        ] {
            if cap.is_some_and(|c| !c.is_finite() || c < 0.0) {
                return Err(err(field, "上限应为不小于 0 的数字"));
            }
        }
        Ok(())
    }

    /// Full marks of the core items (the total the weights are scaled back to).
    pub fn core_total(&self) -> f64 {
        self.items
            .iter()
            .filter(|i| i.kind == ItemKind::Core)
            .map(|i| i.weight)
            .sum()
    }

    /// The scheme the bulletin ranking has always used, for the classes given: indicators 60
    /// (ratio to 序时进度, capped at 1), tasks 20, report punctuality 20 (completion capped at
    /// 1), missing parts left out and the rest scaled up.
    pub fn bulletin_default(year: i32, name: &str, classes: Vec<UnitClass>) -> Scheme {
        let item = |key: &str, name: &str, weight: f64, source: Source, method: Method| Item {
            key: key.to_string(),
            name: name.to_string(),
            kind: ItemKind::Core,
            weight,
            source,
            method,
            min_count: 0,
        };
        Scheme {
            year,
            name: name.to_string(),
            cadence: Cadence::Quarterly,
            classes,
            sub_class: None,
            members: Vec::new(),
            base: 0.0,
            items: vec![
                item(
                    "indicators",
                    "指标完成情况",
                    60.0,
                    Source::Indicators,
                    Method::PaceRatio { ceiling: 1.0 },
                ),
                item(
                    "tasks",
                    "任务推进",
                    20.0,
                    Source::Tasks,
                    Method::CompletionCapped { ceiling: 1.0 },
                ),
                item(
                    "punctuality",
                    "月度报送及时率",
                    20.0,
                    Source::ReportPunctuality,
                    Method::CompletionCapped { ceiling: 1.0 },
                ),
            ],
            vetoes: Vec::new(),
            bonus_cap: None,
            deduction_cap: None,
            rescale_missing: true,
        }
    }

    /// Whether this scheme scores a unit named `name` of class `class` (members first).
    pub fn covers(&self, name: &str, class: Option<UnitClass>) -> bool {
        if !self.members.is_empty() {
            return self.members.iter().any(|m| m == name);
        }
        class.is_some_and(|c| self.classes.contains(&c))
    }
}

/// The cadence must be known and, when `required`, written out; said against the field.
fn check_cadence(text: &str, required: bool) -> Result<(), SchemeError> {
    const HINT: &str = "应为 \"quarterly\" (季度考核) 或 \"annual\" (年度考核)";
    let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(text) else {
        // Not an object: the typed parse names the line and column.
        return Ok(());
    };
    match map.get("cadence") {
        None if !required => Ok(()),
        None => Err(err("cadence", format!("请填写考核周期, {HINT}"))),
        Some(serde_json::Value::String(code)) if Cadence::from_code(code).is_some() => Ok(()),
        Some(other) => Err(err("cadence", format!("考核周期 {other} 不对, {HINT}"))),
    }
}

/// The reason of a JSON error without serde's English position suffix.
fn json_reason(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    match e.classify() {
        Category::Syntax | Category::Eof => "不是有效的 JSON".to_string(),
        Category::Io => "无法读取".to_string(),
        Category::Data => {
            let text = e.to_string();
            let field = text
                .split('`')
                .nth(1)
                .map(|f| format!(" ({f})"))
                .unwrap_or_default();
            format!("缺少字段或取值不对{field}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scheme() -> Scheme {
        Scheme::bulletin_default(2017, "测试", vec![UnitClass::Town])
    }

    #[test]
    fn the_default_scheme_is_valid_and_round_trips_through_json() {
        let s = scheme();
        s.validate().unwrap();
        assert_eq!(Scheme::from_json(&s.to_json()).unwrap(), s);
        assert_eq!(s.core_total(), 100.0);
    }

    #[test]
    fn errors_name_the_field() {
        let mut s = scheme();
        s.items[1].weight = 0.0;
        assert_eq!(s.validate().unwrap_err().field, "items[1].weight");
        let mut s = scheme();
        s.items[2].key = "tasks".into();
        let e = s.validate().unwrap_err();
        assert_eq!(e.field, "items[2].key");
        assert!(e.message.contains("重复"));
        let mut s = scheme();
        s.items[1].method = Method::PaceRatio { ceiling: 1.0 };
        assert_eq!(s.validate().unwrap_err().field, "items[1].method");
        let mut s = scheme();
        s.items[0].method = Method::PaceRatio { ceiling: 0.5 };
        assert_eq!(s.validate().unwrap_err().field, "items[0].method.ceiling");
        let mut s = scheme();
        s.sub_class = Some("工业重镇".into());
        assert_eq!(s.validate().unwrap_err().field, "members");
        let mut s = scheme();
        s.classes.clear();
        assert_eq!(s.validate().unwrap_err().field, "classes");
    }

    #[test]
    fn bad_json_says_where_in_chinese() {
        let e = Scheme::from_json("{\"year\": 2017,").unwrap_err();
        assert!(e.field.starts_with("第1行"), "{e}");
        assert!(e.message.contains("JSON"));
        let e = Scheme::from_json("{\"year\": 2017}").unwrap_err();
        assert!(e.message.contains("缺少字段"), "{e}");
    }

    #[test]
    fn the_cadence_is_required_and_named_when_wrong() {
        let s = scheme();
        assert_eq!(s.cadence, Cadence::Quarterly);
        let mut annual = s.clone();
        annual.cadence = Cadence::Annual;
        let json = annual.to_json();
        assert!(json.contains("\"cadence\": \"annual\""), "{json}");
        assert_eq!(Scheme::from_json(&json).unwrap().cadence, Cadence::Annual);
        let missing = json.replace("\"cadence\": \"annual\",", "");
        let e = Scheme::from_json(&missing).unwrap_err();
        assert_eq!(e.field, "cadence", "{e}");
        assert!(e.message.contains("请填写考核周期"));
        let wrong = json.replace("\"annual\"", "\"monthly\"");
        let e = Scheme::from_json(&wrong).unwrap_err();
        assert_eq!(e.field, "cadence", "{e}");
        assert!(e.message.contains("\"monthly\""), "{e}");
    }

    #[test]
    fn every_method_reads_back_from_its_kind_and_figure_and_says_its_rule() {
        let methods = [
            Method::CompletionCapped { ceiling: 1.2 },
            Method::PaceRatio { ceiling: 1.0 },
            Method::Rank { step: 0.5 },
            Method::Threshold { pass: 0.9 },
            Method::PerCount { points: 2.0 },
            Method::Manual,
        ];
        for m in &methods {
            let kind = m.kind();
            assert_eq!(Method::of(kind, m.figure().unwrap_or(0.0)), *m);
            assert_eq!(kind.figure_label(Lang::Zh).is_none(), m.figure().is_none());
            let (zh, en) = (m.describe(Lang::Zh), m.describe(Lang::En));
            if let Some(x) = m.figure().filter(|&x| x != 1.0) {
                assert!(zh.contains(&x.to_string()), "{zh}");
                assert!(en.contains(&x.to_string()), "{en}");
            }
            assert!(
                !en.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{en}"
            );
        }
        assert_eq!(MethodKind::ALL.len(), methods.len());
        assert_eq!(
            methods[1].describe(Lang::Zh),
            "完成率 ÷ 序时进度 × 分值, 不超过满分"
        );
        assert_eq!(
            methods[2].describe(Lang::Zh),
            "类内第一名得满分, 每后一名减 0.5 分"
        );
        let veto = Veto {
            key: "safety".into(),
            name: "发生重大安全生产责任事故".into(),
            source: Source::Manual,
            at_least: 1.0,
        };
        assert_eq!(
            veto.describe(Lang::Zh),
            "人工评分 达到 1 即排在所有未被否决的单位之后"
        );
    }

    #[test]
    fn members_come_before_the_class_rule() {
        let mut s = Scheme::bulletin_default(2017, "涉企", vec![UnitClass::EnterpriseDepartment]);
        assert!(!s.covers("县经信局", Some(UnitClass::CountyDepartment)));
        s.members = vec!["县经信局".into()];
        assert!(s.covers("县经信局", Some(UnitClass::CountyDepartment)));
        assert!(!s.covers("县教育局", Some(UnitClass::CountyDepartment)));
        assert_eq!(
            UnitClass::of(UnitKind::Body),
            Some(UnitClass::CountyDepartment)
        );
        assert_eq!(UnitClass::of(UnitKind::Office), None);
    }
}
