//! Indicators (指标): what kind of quantity a plan target is, and so how it is reported,
//! accumulated and judged against 序时进度.

use serde::{Deserialize, Serialize};

use crate::label::{Labelled, Lang};

/// How an indicator accumulates over the year and how completion is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IndicatorKind {
    /// 累计数: counts that add up month by month (新增规上企业30家).
    CumulativeCount,
    /// 金额: amounts that add up (利用内资28.5亿元).
    Amount,
    /// 增速: a growth rate against the same period last year (规上工业产值增长8%).
    GrowthRate,
    /// 比率: a share or rate that is not summed (答复率100%, 比重不低于50%).
    Share,
    /// 节点: done or not done by a date (建成孵化器).
    Milestone,
    /// 越低越好: a ceiling (能耗, 控制在…以内).
    LowerIsBetter,
}

impl IndicatorKind {
    pub const ALL: [IndicatorKind; 6] = [
        IndicatorKind::CumulativeCount,
        IndicatorKind::Amount,
        IndicatorKind::GrowthRate,
        IndicatorKind::Share,
        IndicatorKind::Milestone,
        IndicatorKind::LowerIsBetter,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            IndicatorKind::CumulativeCount => "cumulative_count",
            IndicatorKind::Amount => "amount",
            IndicatorKind::GrowthRate => "growth_rate",
            IndicatorKind::Share => "share",
            IndicatorKind::Milestone => "milestone",
            IndicatorKind::LowerIsBetter => "lower_is_better",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            IndicatorKind::CumulativeCount => "累计数",
            IndicatorKind::Amount => "金额",
            IndicatorKind::GrowthRate => "增速",
            IndicatorKind::Share => "比率",
            IndicatorKind::Milestone => "节点",
            IndicatorKind::LowerIsBetter => "越低越好",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            IndicatorKind::CumulativeCount => "Cumulative count",
            IndicatorKind::Amount => "Amount",
            IndicatorKind::GrowthRate => "Growth rate",
            IndicatorKind::Share => "Share / rate",
            IndicatorKind::Milestone => "Milestone",
            IndicatorKind::LowerIsBetter => "Lower is better",
        }
    }

    /// The unit a reported figure of this kind is in, given the unit the target is written in.
    /// A milestone (形象进度) is reported as percent done — "2.5万平方米 built" is reported as
    /// "88.53%", never "88.53 万平方米" — so its figures, charts and 序时目标 are in percent;
    /// every other kind is reported in the target's own unit.
    pub fn measure_unit(self, target_unit: &str) -> &str {
        match self {
            IndicatorKind::Milestone => "%",
            _ => target_unit,
        }
    }

    /// The figure a reported series should reach by the year's end, in [`Self::measure_unit`]:
    /// 100 (percent done) for a milestone, the target itself otherwise.
    pub fn full_measure(self, target: f64) -> f64 {
        match self {
            IndicatorKind::Milestone => 100.0,
            _ => target,
        }
    }

    /// The kind a target most likely is, from its wording, unit and comparator. The office
    /// confirms or corrects it on the review page.
    pub fn infer(text: &str, unit: &str, comparator: &str) -> Self {
        if comparator == "<=" {
            return IndicatorKind::LowerIsBetter;
        }
        // A change against last year, up or down (能耗下降3%: a 降幅 of at least 3%).
        let growth_words = ["增长", "增速", "提高", "提升", "下降", "降幅", "降低"];
        match unit {
            "%" | "％" | "个百分点" => {
                if growth_words.iter().any(|w| text.contains(w))
                    && !text.contains("率")
                    && !text.contains("比重")
                {
                    IndicatorKind::GrowthRate
                } else {
                    IndicatorKind::Share
                }
            }
            "万元" | "亿元" | "万美元" | "亿美元" | "元" => IndicatorKind::Amount,
            // Floor space in a plan is something to build (建成孵化器2.5万平方米).
            "万平方米" | "平方米" => IndicatorKind::Milestone,
            "亩" => IndicatorKind::Amount,
            _ => IndicatorKind::CumulativeCount,
        }
    }
}

crate::coded::decoded_with_parse!(IndicatorKind("指标类型", "indicator kind"));
crate::coded::decoded_with_parse!(Comparator("比较符", "comparator"));

crate::coded::coded_enum! {
    /// Where a plan's target stands: among the plan's 工作目标, or inside one task (a task's
    /// quantity, 任务指标), which the plan's Excel and the review page keep apart.
    #[derive(Serialize)]
    #[serde(rename_all = "snake_case")]
    TargetLevel {
        Plan = "plan", "方案目标", "Plan target";
        Task = "task", "任务指标", "Task target";
    }
    unknown(code) => crate::state::UnknownState {
        crate::state::UnknownState { what_zh: "目标层级", what_en: "target level", code }
    }
}

/// Comparators a target can carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Comparator {
    #[serde(rename = ">=")]
    AtLeast,
    #[serde(rename = "<=")]
    AtMost,
    #[serde(rename = "=")]
    About,
}

impl Comparator {
    pub const ALL: [Comparator; 3] = [Comparator::AtLeast, Comparator::AtMost, Comparator::About];

    pub fn as_str(self) -> &'static str {
        match self {
            Comparator::AtLeast => ">=",
            Comparator::AtMost => "<=",
            Comparator::About => "=",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            ">=" | "≥" | "不低于" | "以上" => Some(Comparator::AtLeast),
            "<=" | "≤" | "不超过" | "以内" => Some(Comparator::AtMost),
            "=" | "左右" | "约" => Some(Comparator::About),
            _ => None,
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Comparator::AtLeast => "不低于",
            Comparator::AtMost => "不超过",
            Comparator::About => "左右",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Comparator::AtLeast => "at least",
            Comparator::AtMost => "at most",
            Comparator::About => "about",
        }
    }
}

impl Labelled for Comparator {
    fn label(&self, lang: Lang) -> &'static str {
        lang.pick(self.label_zh(), self.label_en())
    }
}

impl Labelled for IndicatorKind {
    fn label(&self, lang: Lang) -> &'static str {
        lang.pick(self.label_zh(), self.label_en())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_milestone_is_measured_in_percent_done_whatever_its_target_unit() {
        assert_eq!(IndicatorKind::Milestone.measure_unit("万平方米"), "%");
        assert_eq!(IndicatorKind::Milestone.full_measure(2.5), 100.0);
        assert_eq!(IndicatorKind::CumulativeCount.measure_unit("家"), "家");
        assert_eq!(IndicatorKind::Amount.full_measure(28.5), 28.5);
    }

    #[test]
    fn kinds_are_inferred_from_the_seed_plans_wording() {
        use IndicatorKind::*;
        let cases = [
            ("规上工业产值同比增长8%", "%", ">=", GrowthRate),
            ("难题答复率达到100%", "%", ">=", Share),
            ("工业项目招商占全县招商总额比重不低于50%", "%", ">=", Share),
            ("新增规模以上企业30家", "家", ">=", CumulativeCount),
            ("利用内资(工业)达到28.5亿元", "亿元", ">=", Amount),
            (
                "建成县级2.5万平方米科技企业孵化器",
                "万平方米",
                ">=",
                Milestone,
            ),
            ("单位工业增加值能耗下降3%", "%", ">=", GrowthRate),
            (
                "控制在0.45吨标准煤/万元以内",
                "吨标准煤/万元",
                "<=",
                LowerIsBetter,
            ),
        ];
        for (text, unit, cmp, kind) in cases {
            assert_eq!(IndicatorKind::infer(text, unit, cmp), kind, "{text}");
        }
        for k in IndicatorKind::ALL {
            assert_eq!(IndicatorKind::parse(k.as_str()), Some(k));
        }
    }
}
