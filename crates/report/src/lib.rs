//! Bulletins (月度快报 / 季度通报) from a frozen [`Snapshot`] of approved data: the Chinese
//! sentences, the rankings, and the three renderings — Word in the GB/T 9704 公文 layout
//! ([`docx`]), an Excel workbook with the same tables ([`xlsx`]) and a printable web page
//! ([`html`]). Pure: no database, no clock; the same snapshot always renders the same content,
//! which is what lets a published bulletin be regenerated years later.
//!
//! The snapshot is built by `qx_app::bulletin` from the monitoring picture and archived as JSON
//! when the office publishes.

pub mod assessment;
pub mod docx;
pub mod html;
pub mod list;
pub mod meeting;
pub mod rank;
pub mod text;
pub mod xlsx;

use qx_core::label::{Labelled, Lang};
use serde::{Deserialize, Serialize};

/// Version of the snapshot layout stored with every published bulletin.
pub const SNAPSHOT_VERSION: u32 = 1;

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("生成 Word 文件失败 (docx): {0}")]
    Docx(String),
    #[error("生成 Excel 文件失败 (xlsx): {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
}

/// 月度快报 or 季度通报: the core's table, which the store keeps too.
pub use qx_core::bulletin::BulletinKind;

/// An indicator's or task's light, as frozen in the snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Green,
    Yellow,
    Red,
    /// No approved figure: the unit has not reported.
    Grey,
    /// No approved figure yet: the unit's report waits for the office's review.
    Pending,
}

impl Status {
    pub fn label_zh(self) -> &'static str {
        match self {
            Status::Green => "达到序时进度",
            Status::Yellow => "滞后",
            Status::Red => "严重滞后",
            Status::Grey => "未报送",
            Status::Pending => "待审核",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Green => "green",
            Status::Yellow => "yellow",
            Status::Red => "red",
            Status::Grey => "grey",
            Status::Pending => "pending",
        }
    }

    /// Fill colour (RGB hex) used by every rendering.
    pub fn colour(self) -> &'static str {
        match self {
            Status::Green => "1A7F37",
            Status::Yellow => "B7791F",
            Status::Red => "B7191D",
            Status::Grey => "8A939E",
            Status::Pending => "5B7DB1",
        }
    }
}

/// Everything a bulletin says, frozen at publication.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    pub version: u32,
    pub kind: BulletinKind,
    /// `2017-06` or `2017Q2`.
    pub period: String,
    pub year: i32,
    /// The last month the bulletin covers (6 for 2017-06 and 2017Q2).
    pub end_month: u8,
    pub plan_title: String,
    /// 发文机关, also the signature.
    pub issuer: String,
    /// 发文字号, e.g. 象工强办〔2017〕6号; a preview carries a placeholder.
    pub doc_number: String,
    /// 成文日期 (ISO date).
    pub issued_on: String,
    /// 主送机关.
    pub recipients: String,
    /// 版记 抄送.
    pub copy_to: String,
    /// 序时进度 of the period (linear months ÷ 12), as a fraction.
    pub time_share: f64,
    pub indicators: Vec<IndicatorRow>,
    pub tasks: TaskSummary,
    /// 镇乡(街道) ranking.
    pub towns: Vec<RankRow>,
    /// 部门 (departments, zones and other county bodies) ranking.
    pub departments: Vec<RankRow>,
    /// Approved figures that changed after the previous bulletin was published.
    pub revisions: Vec<Revision>,
    /// 发文字号 of the bulletin the revisions are measured against.
    pub revisions_since: Option<String>,
    /// 企业难题办理情况, when the problems module has data for the period.
    pub problems: Option<ProblemSummary>,
    /// 重大项目推进情况, when the project library has data.
    pub projects: Option<ProjectSummary>,
    /// 企业培育情况, when the county keeps a 企业培育库 (nothing is said otherwise).
    #[serde(default)]
    pub cultivation: Option<CultivationSummary>,
    /// Reports of the period still waiting for the office's review when the bulletin was
    /// built: their figures are not in it (0 in snapshots frozen before this was recorded).
    #[serde(default)]
    pub pending_reports: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndicatorRow {
    pub indicator_id: i64,
    pub name: String,
    /// Measurement unit (家, 亿元, %).
    pub unit: String,
    /// The target as the plan writes it (kept as text: "0.75").
    pub target: String,
    /// 1—N月累计 figure.
    pub actual: Option<f64>,
    /// 1—N月累计 by month up to `end_month` (index 0 = January).
    pub series: Vec<Option<f64>>,
    /// 完成率 as a fraction.
    pub completion: Option<f64>,
    /// This indicator's 序时进度 as a fraction (1 for rates and shares).
    pub time_share: f64,
    pub status: Status,
    /// 牵头单位.
    pub lead_unit: String,
    /// 形象进度: `actual` is the percentage of the work done (a building's construction),
    /// not a quantity in `unit`. Absent in snapshots frozen before it existed.
    #[serde(default)]
    pub progress_percent: bool,
}

impl IndicatorRow {
    /// The 1—N月累计 cell: the figure, "形象进度53.1%" for a work-progress indicator, "—" when
    /// nothing is approved.
    pub fn actual_text(&self) -> String {
        match self.actual {
            None => "—".into(),
            Some(v) if self.progress_percent => format!("形象进度{}%", fmt_num(v)),
            Some(v) => fmt_num(v),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskSummary {
    pub total: usize,
    /// (state label, count) in a fixed order: 已完成, 按计划推进, 进度滞后, 已超期, 停滞, 未启动.
    pub counts: Vec<(String, usize)>,
    /// Tasks behind, overdue or stalled.
    pub lagging: Vec<LaggingTask>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LaggingTask {
    pub number: String,
    pub title: String,
    /// 牵头单位, joined with 、.
    pub lead_units: String,
    pub state: String,
    pub status: Status,
    pub progress: String,
}

/// One unit's place in a ranking; see [`rank`] for the rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RankRow {
    pub rank: u32,
    pub unit_id: i64,
    pub unit: String,
    /// 综合得分 0–100.
    pub score: f64,
    /// Indicators led that reached 序时进度 / indicators led.
    pub indicators_on_track: u32,
    pub indicators_led: u32,
    /// Tasks led or supported that are done or on track / tasks led or supported.
    pub tasks_on_track: u32,
    pub tasks_led: u32,
    /// Reports on time / reports owed.
    pub reports_on_time: u32,
    pub reports_owed: u32,
    /// Reports submitted after the due date (absent in snapshots frozen before it existed).
    #[serde(default)]
    pub reports_late: u32,
    /// Mean days submitted before the due date (negative = after), to 0.1.
    #[serde(default)]
    pub lead_days: Option<f64>,
    /// Places gained (+) or lost (−) since the previous period; `None` when new to the ranking.
    pub change: Option<i32>,
}

/// An approved figure that changed after the previous bulletin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Revision {
    pub indicator: String,
    pub unit: String,
    pub month: u8,
    pub before: Option<f64>,
    pub after: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProblemSummary {
    pub received: u64,
    pub answered: u64,
    pub resolved: u64,
    pub overdue: u64,
    /// 答复率, 解决率, 满意率 as fractions when defined.
    pub answer_rate: Option<f64>,
    pub resolve_rate: Option<f64>,
    pub satisfaction_rate: Option<f64>,
}

/// 重大项目推进情况: the year's projects as they stood at the period's end.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProjectSummary {
    /// Projects of the year in the library, and of those 亿元以上.
    pub total: u64,
    pub major: u64,
    /// 签约, 注册, 开工(动建), 投产: projects that reached each this year by the period's end,
    /// with the plan's target where the plan has the indicator.
    pub stages: Vec<ProjectStageCount>,
    /// 亿元以上 projects planned to start this year, and of those started.
    pub major_planned_to_start: u64,
    pub major_started: u64,
    /// 亿元以上项目开工率 as a fraction, and the plan's target as written (with its unit).
    pub start_rate: Option<f64>,
    pub start_rate_target: Option<String>,
    /// 年度计划投资 and 累计完成投资 (approved monthly 调度), 亿元.
    pub planned_investment: f64,
    pub completed_investment: f64,
    /// Projects behind their investment plan, late at a stage, or raising a funnel alert.
    pub lagging: Vec<ProjectLag>,
}

/// A stage's count this year against the plan's target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProjectStageCount {
    /// 签约, 注册, 开工, 投产.
    pub stage: String,
    pub count: u64,
    /// The plan's target as written, with its unit ("60个"), when the plan has the indicator.
    pub target: Option<String>,
}

/// A lagging or alerted project.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProjectLag {
    pub name: String,
    pub unit: String,
    pub stage: String,
    /// Investment completed ÷ the year's plan.
    pub completion: Option<f64>,
    /// What is wrong: 投资进度滞后, 开工逾期, 签而未注, … joined with "、".
    pub issues: String,
}

/// 企业培育情况: the libraries as the period's last day stood.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CultivationSummary {
    /// Firms on a list at the period's end.
    pub active: u64,
    /// Entered and left since 1 January.
    pub entered: u64,
    pub exited: u64,
    /// Milestones reached since 1 January, in the plan's words (新增规上企业 …), with how many;
    /// only those reached at least once.
    pub reached: Vec<(String, u64)>,
}

impl Snapshot {
    pub fn count(&self, s: Status) -> usize {
        self.indicators.iter().filter(|i| i.status == s).count()
    }

    /// File name stem: `2017-06-月度快报`.
    pub fn file_stem(&self) -> String {
        format!("{}-{}", self.period, self.kind.label(Lang::Zh))
    }
}

/// A number for people: at most two decimals, no trailing zeros.
pub fn fmt_num(v: f64) -> String {
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

/// A fraction as a percentage with one decimal ("92.3%"), or "—".
pub fn fmt_pct(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_string(), |c| format!("{:.1}%", c * 100.0))
}

/// ↑1 / ↓2 / — / 新.
pub fn fmt_change(c: Option<i32>) -> String {
    match c {
        None => "新".to_string(),
        Some(0) => "—".to_string(),
        Some(n) if n > 0 => format!("↑{n}"),
        Some(n) => format!("↓{}", -n),
    }
}

/// 2017-07-15 → 2017年7月15日 (GB/T 9704: no leading zeros).
pub fn date_zh(iso: &str) -> String {
    let mut parts = iso.split('-').map(|p| p.trim_start_matches('0'));
    match (parts.next(), parts.next(), parts.next()) {
        (Some(y), Some(m), Some(d)) => format!("{y}年{m}月{d}日"),
        _ => iso.to_string(),
    }
}

/// A small, fixed snapshot for tests and examples.
pub fn sample() -> Snapshot {
    let ind = |id: i64,
               name: &str,
               unit: &str,
               target: &str,
               actual: Option<f64>,
               completion: Option<f64>,
               share: f64,
               status: Status| {
        IndicatorRow {
            indicator_id: id,
            name: name.into(),
            unit: unit.into(),
            target: target.into(),
            actual,
            series: vec![None, actual],
            completion,
            time_share: share,
            status,
            lead_unit: "县经信局".into(),
            progress_percent: false,
        }
    };
    let row = |rank: u32, id: i64, unit: &str, score: f64, change: Option<i32>| RankRow {
        rank,
        unit_id: id,
        unit: unit.into(),
        score,
        indicators_on_track: 1,
        indicators_led: 2,
        tasks_on_track: 1,
        tasks_led: 1,
        reports_on_time: 5,
        reports_late: 1,
        lead_days: Some(1.5),
        reports_owed: 6,
        change,
    };
    Snapshot {
        version: SNAPSHOT_VERSION,
        kind: BulletinKind::Quarterly,
        period: "2017Q2".into(),
        year: 2017,
        end_month: 6,
        plan_title: "工业强县2017年工作推进方案".into(),
        issuer: "象山县工业强县领导小组办公室".into(),
        doc_number: "象工强办〔2017〕2号".into(),
        issued_on: "2017-07-15".into(),
        recipients: "各镇乡政府、街道办事处，县直及海经区有关单位".into(),
        copy_to: "县委办、县人大办、县政府办、县政协办".into(),
        time_share: 0.5,
        indicators: vec![
            ind(
                1,
                "新增规模以上企业",
                "家",
                "30",
                Some(16.0),
                Some(16.0 / 30.0),
                0.5,
                Status::Green,
            ),
            ind(
                2,
                "规上工业产值增速",
                "%",
                "8",
                Some(7.5),
                Some(7.5 / 8.0),
                1.0,
                Status::Yellow,
            ),
            ind(
                3,
                "工业投资增速",
                "%",
                "10",
                Some(4.0),
                Some(0.4),
                1.0,
                Status::Red,
            ),
            ind(
                4,
                "实际利用外资(工业)",
                "亿美元",
                "0.75",
                None,
                None,
                0.5,
                Status::Grey,
            ),
        ],
        tasks: TaskSummary {
            total: 3,
            counts: vec![
                ("已完成".into(), 1),
                ("按计划推进".into(), 1),
                ("已超期".into(), 1),
            ],
            lagging: vec![LaggingTask {
                number: "3".into(),
                title: "推进小微企业园建设".into(),
                lead_units: "县经信局".into(),
                state: "已超期".into(),
                status: Status::Red,
                progress: "用地指标未落实".into(),
            }],
        },
        towns: vec![
            row(1, 10, "石浦镇", 92.5, Some(1)),
            row(2, 11, "西周镇", 80.0, Some(-1)),
            row(3, 12, "丹东街道", 61.0, None),
        ],
        departments: vec![row(1, 20, "县经信局", 88.0, Some(0))],
        revisions: vec![Revision {
            indicator: "新增规模以上企业".into(),
            unit: "家".into(),
            month: 5,
            before: Some(12.0),
            after: Some(13.0),
        }],
        revisions_since: Some("象工强办〔2017〕1号".into()),
        problems: None,
        projects: None,
        cultivation: None,
        pending_reports: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_dates_and_changes_read_the_chinese_way() {
        assert_eq!(fmt_num(15.0), "15");
        assert_eq!(fmt_num(0.755), "0.76");
        assert_eq!(fmt_num(-0.001), "0");
        assert_eq!(fmt_pct(Some(0.923)), "92.3%");
        assert_eq!(fmt_pct(None), "—");
        assert_eq!(fmt_change(Some(1)), "↑1");
        assert_eq!(fmt_change(Some(-2)), "↓2");
        assert_eq!(fmt_change(Some(0)), "—");
        assert_eq!(date_zh("2017-07-05"), "2017年7月5日");
    }

    #[test]
    fn a_work_progress_figure_reads_as_a_percentage_not_a_quantity() {
        let mut row = sample().indicators[0].clone();
        row.actual = Some(53.12);
        assert_eq!(row.actual_text(), "53.12");
        row.progress_percent = true;
        assert_eq!(row.actual_text(), "形象进度53.12%");
        row.actual = None;
        assert_eq!(row.actual_text(), "—");
        // Snapshots frozen before the flag existed still read.
        let mut json = serde_json::to_value(sample()).unwrap();
        json["indicators"][0]
            .as_object_mut()
            .unwrap()
            .remove("progress_percent");
        json["towns"][0]
            .as_object_mut()
            .unwrap()
            .remove("lead_days");
        let old: Snapshot = serde_json::from_value(json).unwrap();
        assert!(!old.indicators[0].progress_percent);
        assert_eq!(old.towns[0].lead_days, None);
    }

    #[test]
    fn the_project_section_counts_against_targets_and_lists_the_lagging() {
        let mut s = sample();
        s.revisions = vec![Revision {
            indicator: "工业增加值".into(),
            unit: "亿元".into(),
            month: 5,
            before: Some(1.0),
            after: Some(2.0),
        }];
        s.projects = Some(ProjectSummary {
            total: 80,
            major: 30,
            stages: vec![
                ProjectStageCount {
                    stage: "签约".into(),
                    count: 45,
                    target: Some("60个".into()),
                },
                ProjectStageCount {
                    stage: "投产".into(),
                    count: 9,
                    target: None,
                },
            ],
            major_planned_to_start: 20,
            major_started: 18,
            start_rate: Some(0.9),
            start_rate_target: Some("90%".into()),
            planned_investment: 40.0,
            completed_investment: 30.0,
            lagging: vec![ProjectLag {
                name: "年产20万件模具项目".into(),
                unit: "石浦镇".into(),
                stage: "注册".into(),
                completion: Some(0.25),
                issues: "投资进度滞后、注而未开".into(),
            }],
        });
        let paras: Vec<String> = text::blocks(&s)
            .into_iter()
            .filter_map(|b| match b {
                text::Block::Para(p) => Some(p),
                text::Block::Table(t) => Some(t.caption),
                _ => None,
            })
            .collect();
        let all = paras.join("\n");
        assert!(
            all.contains(
                "共有项目80个，其中亿元以上项目30个。本年累计签约45个（目标60个），投产9个。"
            ),
            "{all}"
        );
        assert!(all.contains("开工率90.0%（目标90%）；年度计划投资40亿元，累计完成30亿元，完成年度计划的75.0%。滞后或预警项目1个"), "{all}");
        assert!(all.contains("表5  滞后及预警重大项目"), "{all}");
        assert!(all.contains("表6  "), "the revisions table moves on: {all}");
        let html = html::fragment(&s);
        assert!(html.contains("年产20万件模具项目") && html.contains("投资进度滞后、注而未开"));
        assert!(docx::render(&s).is_ok());
        s.projects = None;
        let html = html::fragment(&s);
        assert!(html.contains("本期暂无重大项目推进数据") && html.contains("表5  "));
    }
}
