//! Monitoring rules (动态监测): completion against target, 序时进度, the traffic light and the
//! year-end forecast of one indicator. Pure functions over the figures units report.
//!
//! Units report every indicator as its 1—N月累计 figure (the way Chinese statistics are
//! published): the cumulative count or amount so far, the cumulative growth rate, the current
//! rate or share, or a milestone's percent done.

use crate::indicator::IndicatorKind;
use crate::label::{Labelled, Lang};
use serde::Serialize;

/// A 1—N月累计 figure as a unit types it: empty is "not reported" (`None`); full-width digits,
/// thousands separators and a trailing % (or ％) are accepted; anything else, a placeholder
/// such as "—" included, is an error (a month without data is left empty or marked as such,
/// never written as a dash).
pub fn parse_figure(
    text: &str,
) -> Result<Option<rust_decimal::Decimal>, crate::money::NumberError> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    match crate::money::parse_decimal_cell(t.trim_end_matches(['%', '％'])) {
        Ok(Some(d)) => Ok(Some(d)),
        Ok(None) => Err(crate::money::NumberError::NotANumber {
            input: text.to_string(),
        }),
        Err(e) => Err(e),
    }
}

/// 亮灯: the colour of an indicator or task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Light {
    Green,
    Yellow,
    Red,
    /// Nothing approved yet for the period.
    Grey,
}

impl Light {
    pub fn as_str(self) -> &'static str {
        match self {
            Light::Green => "green",
            Light::Yellow => "yellow",
            Light::Red => "red",
            Light::Grey => "grey",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Light::Green => "达到序时进度",
            Light::Yellow => "滞后",
            Light::Red => "严重滞后",
            Light::Grey => "未报送",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Light::Green => "On track",
            Light::Yellow => "Behind",
            Light::Red => "Far behind",
            Light::Grey => "Not reported",
        }
    }
}

/// Where an indicator's figure for a period stands with the office. Only approved figures are
/// counted, so an indicator without one is either waiting for review (its unit has sent the
/// report) or not reported: two different things a bulletin must not lump together as 未报送.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reporting {
    Approved,
    PendingReview,
    NotReported,
}

impl Reporting {
    pub const ALL: [Reporting; 3] = [
        Reporting::Approved,
        Reporting::PendingReview,
        Reporting::NotReported,
    ];
}

impl Labelled for Reporting {
    fn label(&self, lang: Lang) -> &'static str {
        match self {
            Reporting::Approved => lang.pick("已审核", "Approved"),
            Reporting::PendingReview => lang.pick("待审核", "Awaiting review"),
            Reporting::NotReported => lang.pick("未报送", "Not reported"),
        }
    }
}

/// The office setting that holds [`Thresholds::yellow_gap_points`].
pub const YELLOW_GAP_KEY: &str = "monitor.yellow_gap_points";

/// Thresholds of the traffic light, configurable by the office.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Thresholds {
    /// Yellow while behind 序时进度 by at most this many percentage points of completion.
    pub yellow_gap_points: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            yellow_gap_points: 10.0,
        }
    }
}

/// One indicator's position at the end of a period.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Assessment {
    /// 完成率, as a fraction (0.92 = 92%); `None` when the target is zero or nothing is reported.
    pub completion: Option<f64>,
    /// 序时进度, as a fraction of the year (0.5 at the end of June). Rates and shares are due
    /// in full at any time, so theirs is 1.
    pub time_share: f64,
    pub light: Light,
}

/// Completion of `actual` against `target` for an indicator of `kind`.
pub fn completion(kind: IndicatorKind, actual: f64, target: f64) -> Option<f64> {
    match kind {
        IndicatorKind::LowerIsBetter => {
            if actual <= 0.0 {
                Some(1.0)
            } else if target <= 0.0 {
                None
            } else {
                // At or under the ceiling is complete; above it, completion falls in proportion.
                Some((target / actual).min(1.0))
            }
        }
        IndicatorKind::Milestone => Some((actual / 100.0).clamp(0.0, 1.0)),
        _ if target == 0.0 => None,
        _ => Some(actual / target),
    }
}

/// Whether the kind accumulates through the year (and so is judged against 序时进度).
pub fn accumulates(kind: IndicatorKind) -> bool {
    matches!(
        kind,
        IndicatorKind::CumulativeCount | IndicatorKind::Amount | IndicatorKind::Milestone
    )
}

/// Assesses a reported figure. `period_share` is the 序时进度 of the period for this indicator
/// (linear or its custom profile).
pub fn assess(
    kind: IndicatorKind,
    actual: Option<f64>,
    target: f64,
    period_share: f64,
    t: Thresholds,
) -> Assessment {
    let time_share = if accumulates(kind) { period_share } else { 1.0 };
    let Some(actual) = actual else {
        return Assessment {
            completion: None,
            time_share,
            light: Light::Grey,
        };
    };
    let completion = completion(kind, actual, target);
    let light = match completion {
        // A negative growth rate against a growth target is red whatever the arithmetic says.
        _ if kind == IndicatorKind::GrowthRate && actual < 0.0 && target > 0.0 => Light::Red,
        None => Light::Grey,
        Some(c) => {
            let gap = (time_share - c) * 100.0;
            if gap <= 1e-9 {
                Light::Green
            } else if gap <= t.yellow_gap_points {
                Light::Yellow
            } else {
                Light::Red
            }
        }
    };
    Assessment {
        completion,
        time_share,
        light,
    }
}

/// A year-end forecast.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Forecast {
    /// The projected year-end figure.
    pub year_end: f64,
    /// Projected completion of the annual target, as a fraction.
    pub completion: Option<f64>,
}

/// Projects the year-end figure from the cumulative figures reported so far (`series[i]` is
/// month i+1; `None` where not reported).
///
/// - Accumulating kinds: the latest cumulative figure divided by the share of the year it
///   normally represents — last year's seasonality when last year's monthly cumulative series
///   is known (`last_year`), else the indicator's time profile (`share_at`).
/// - Rates and shares: the latest figure moved along the trend of the last three months,
///   damped by the share of the year still to come.
pub fn forecast(
    kind: IndicatorKind,
    series: &[Option<f64>],
    target: f64,
    last_year: Option<&[f64; 12]>,
    share_at: impl Fn(u8) -> f64,
) -> Option<Forecast> {
    let (last_idx, latest) = series
        .iter()
        .enumerate()
        .rev()
        .find_map(|(i, v)| v.map(|v| (i, v)))?;
    let month = (last_idx + 1) as u8;
    let year_end = if accumulates(kind) && kind != IndicatorKind::Milestone {
        let share = match last_year {
            Some(ly) if ly[11] > 0.0 && ly[last_idx] > 0.0 => ly[last_idx] / ly[11],
            _ => share_at(month),
        };
        if share <= 0.0 { latest } else { latest / share }
    } else if kind == IndicatorKind::Milestone {
        // Percent done moves at the pace seen so far, capped at done.
        (latest / f64::from(month) * 12.0).min(100.0)
    } else {
        let known: Vec<(f64, f64)> = series
            .iter()
            .enumerate()
            .filter_map(|(i, v)| v.map(|v| ((i + 1) as f64, v)))
            .rev()
            .take(3)
            .collect();
        let slope = if known.len() >= 2 {
            let (x1, y1) = known[known.len() - 1];
            let (x2, y2) = known[0];
            (y2 - y1) / (x2 - x1)
        } else {
            0.0
        };
        let remaining = 12.0 - f64::from(month);
        // Cumulative rates settle as the year fills up: damp the trend accordingly.
        latest + slope * remaining * 0.5
    };
    Some(Forecast {
        year_end,
        completion: completion(kind, year_end, target),
    })
}

/// What a year-end forecast rests on. A projection is only as good as the months behind it:
/// a count target of one or two (建成省市研究院1家) projects "129%" from one done in October,
/// and a rate extrapolated from a month or two swings wildly. Pages say which case it is
/// instead of printing such a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ForecastBasis {
    /// Projected from the months reported so far.
    Projected,
    /// The annual target is already reached; nothing is projected past it.
    TargetMet,
    /// A count target too small to project from a pace (under [`SMALL_COUNT_TARGET`]).
    SmallTarget,
    /// Fewer than [`FORECAST_MIN_MONTHS`] months reported.
    FewMonths,
}

/// Count targets below this are not projected (one or two items arrive when they arrive).
pub const SMALL_COUNT_TARGET: f64 = 5.0;
/// Months of figures a projection needs.
pub const FORECAST_MIN_MONTHS: usize = 3;

/// Which [`ForecastBasis`] applies to an indicator's series.
pub fn forecast_basis(kind: IndicatorKind, series: &[Option<f64>], target: f64) -> ForecastBasis {
    let known = series.iter().flatten().count();
    let latest = series.iter().rev().find_map(|v| *v);
    let met = match (kind, latest) {
        (IndicatorKind::Milestone, Some(v)) => v >= 100.0,
        (IndicatorKind::CumulativeCount | IndicatorKind::Amount, Some(v)) => {
            target > 0.0 && v >= target
        }
        _ => false,
    };
    if met {
        ForecastBasis::TargetMet
    } else if kind == IndicatorKind::CumulativeCount && target < SMALL_COUNT_TARGET {
        ForecastBasis::SmallTarget
    } else if known < FORECAST_MIN_MONTHS {
        ForecastBasis::FewMonths
    } else {
        ForecastBasis::Projected
    }
}

/// The plain sentence for a forecast: "按当前进度, 预计全年完成目标的 92%".
pub fn forecast_sentence_zh(f: &Forecast) -> String {
    match f.completion {
        Some(c) => format!("按当前进度, 预计全年完成目标的 {:.0}%", c * 100.0),
        None => "暂无法预测".to_string(),
    }
}

pub fn forecast_sentence_en(f: &Forecast) -> String {
    match f.completion {
        Some(c) => format!(
            "At the current pace, {:.0}% of the annual target will be met",
            c * 100.0
        ),
        None => "No forecast yet".to_string(),
    }
}

/// Task status from its latest report and deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum TaskState {
    Done,
    OnTrack,
    Behind,
    /// Past its deadline and not done.
    Overdue,
    /// No progress reported for two periods or more.
    Stalled,
    NotStarted,
}

impl TaskState {
    pub fn as_str(self) -> &'static str {
        match self {
            TaskState::Done => "done",
            TaskState::OnTrack => "on_track",
            TaskState::Behind => "behind",
            TaskState::Overdue => "overdue",
            TaskState::Stalled => "stalled",
            TaskState::NotStarted => "not_started",
        }
    }

    /// Every state, in the order the dashboard and the bulletins count them.
    pub const ALL: [TaskState; 6] = [
        TaskState::Done,
        TaskState::OnTrack,
        TaskState::Behind,
        TaskState::Overdue,
        TaskState::Stalled,
        TaskState::NotStarted,
    ];

    /// 滞后: a task the dashboard and the bulletins list as lagging (behind, overdue or
    /// stalled; a task not yet started is not lagging).
    pub fn is_lagging(self) -> bool {
        matches!(
            self,
            TaskState::Behind | TaskState::Overdue | TaskState::Stalled
        )
    }

    /// The states a unit may report for its task, in the order its form and template offer
    /// them; overdue and stalled are the system's judgement, never reported.
    pub const REPORTED: [TaskState; 4] = [
        TaskState::OnTrack,
        TaskState::Behind,
        TaskState::Done,
        TaskState::NotStarted,
    ];

    pub fn parse_reported(s: &str) -> Option<Self> {
        Self::REPORTED.into_iter().find(|r| r.as_str() == s)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            TaskState::Done => "已完成",
            TaskState::OnTrack => "按计划推进",
            TaskState::Behind => "进度滞后",
            TaskState::Overdue => "已超期",
            TaskState::Stalled => "停滞",
            TaskState::NotStarted => "未启动",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            TaskState::Done => "Done",
            TaskState::OnTrack => "On track",
            TaskState::Behind => "Behind",
            TaskState::Overdue => "Overdue",
            TaskState::Stalled => "Stalled",
            TaskState::NotStarted => "Not started",
        }
    }

    pub fn light(self) -> Light {
        match self {
            TaskState::Done | TaskState::OnTrack => Light::Green,
            TaskState::Behind | TaskState::NotStarted => Light::Yellow,
            TaskState::Overdue | TaskState::Stalled => Light::Red,
        }
    }
}

/// Decoding a stored self-assessment (`task_reports.status`): only the states a unit reports
/// ([`TaskState::parse_reported`]); anything else is an error, never a default.
impl TryFrom<String> for TaskState {
    type Error = crate::state::UnknownState;
    fn try_from(code: String) -> Result<Self, Self::Error> {
        TaskState::parse_reported(&code).ok_or(crate::state::UnknownState {
            what_zh: "任务进展",
            what_en: "task progress",
            code,
        })
    }
}

/// A task's state: the unit's own assessment, overridden by the facts the system knows
/// (past the deadline and not done → overdue; no new progress for `stale_periods` → stalled).
pub fn task_state(
    reported: Option<TaskState>,
    past_deadline: bool,
    stale_periods: u32,
) -> TaskState {
    match reported {
        Some(TaskState::Done) => TaskState::Done,
        _ if past_deadline => TaskState::Overdue,
        _ if stale_periods >= 2 => TaskState::Stalled,
        Some(s) => s,
        None => TaskState::NotStarted,
    }
}

impl Labelled for Light {
    fn label(&self, lang: Lang) -> &'static str {
        lang.pick(self.label_zh(), self.label_en())
    }
}

impl Labelled for TaskState {
    fn label(&self, lang: Lang) -> &'static str {
        lang.pick(self.label_zh(), self.label_en())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_typed_figure_is_normalised_or_refused() {
        use rust_decimal::Decimal;
        let d = |s: &str| super::parse_figure(s).unwrap();
        assert_eq!(d(""), None);
        assert_eq!(d("  "), None);
        assert_eq!(d("８%"), Some(Decimal::from(8)));
        assert_eq!(d("1,234"), Some(Decimal::from(1234)));
        assert_eq!(d("１，２３４.5"), Some(Decimal::new(12345, 1)));
        for bad in ["—", "-", "无", "abc", "12a", "1,23,4"] {
            assert!(super::parse_figure(bad).is_err(), "{bad}");
        }
    }

    use super::*;

    #[test]
    fn a_forecast_says_when_it_cannot_project() {
        use IndicatorKind::*;
        let one_done: Vec<Option<f64>> = (1..=10)
            .map(|m| Some(if m >= 9 { 1.0 } else { 0.0 }))
            .collect();
        assert_eq!(
            forecast_basis(CumulativeCount, &one_done, 1.0),
            ForecastBasis::TargetMet
        );
        let none_yet: Vec<Option<f64>> = vec![Some(0.0); 10];
        assert_eq!(
            forecast_basis(CumulativeCount, &none_yet, 2.0),
            ForecastBasis::SmallTarget
        );
        assert_eq!(
            forecast_basis(GrowthRate, &[None, Some(4.0), Some(5.0)], 8.0),
            ForecastBasis::FewMonths
        );
        let steady: Vec<Option<f64>> = (1..=6).map(|m| Some(f64::from(m) * 4.0)).collect();
        assert_eq!(
            forecast_basis(CumulativeCount, &steady, 60.0),
            ForecastBasis::Projected
        );
        assert_eq!(
            forecast_basis(Milestone, &[Some(100.0)], 2.5),
            ForecastBasis::TargetMet
        );
    }
    use IndicatorKind::*;

    fn light(kind: IndicatorKind, actual: f64, target: f64, share: f64) -> Light {
        assess(kind, Some(actual), target, share, Thresholds::default()).light
    }

    #[test]
    fn traffic_light_follows_time_elapsed_share() {
        // End of June: 序时进度 50%.
        assert_eq!(light(CumulativeCount, 15.0, 30.0, 0.5), Light::Green);
        assert_eq!(
            light(CumulativeCount, 13.0, 30.0, 0.5),
            Light::Yellow,
            "43% is 7 points behind"
        );
        assert_eq!(
            light(CumulativeCount, 11.0, 30.0, 0.5),
            Light::Red,
            "37% is 13 points behind"
        );
        assert_eq!(light(Amount, 14.25, 28.5, 0.5), Light::Green);
    }

    #[test]
    fn rates_are_due_in_full_and_negative_growth_is_red() {
        assert_eq!(light(GrowthRate, 8.5, 8.0, 0.5), Light::Green);
        assert_eq!(light(GrowthRate, 7.5, 8.0, 0.5), Light::Yellow);
        assert_eq!(light(GrowthRate, 6.0, 8.0, 0.5), Light::Red);
        assert_eq!(light(GrowthRate, -0.5, 8.0, 0.5), Light::Red);
        assert_eq!(light(Share, 100.0, 100.0, 0.5), Light::Green);
        assert_eq!(light(Share, 95.0, 100.0, 0.5), Light::Yellow);
        assert_eq!(light(LowerIsBetter, 0.9, 1.0, 0.5), Light::Green);
        assert_eq!(light(LowerIsBetter, 1.3, 1.0, 0.5), Light::Red);
        assert_eq!(
            assess(Share, None, 100.0, 0.5, Thresholds::default()).light,
            Light::Grey
        );
    }

    #[test]
    fn forecasts_use_seasonality_when_last_year_is_known() {
        let series: Vec<Option<f64>> = (1..=6).map(|m| Some(f64::from(m) * 2.0)).collect();
        let linear = forecast(CumulativeCount, &series, 30.0, None, |m| {
            f64::from(m) / 12.0
        })
        .unwrap();
        assert!((linear.year_end - 24.0).abs() < 1e-9);
        assert!((linear.completion.unwrap() - 0.8).abs() < 1e-9);
        assert_eq!(
            forecast_sentence_zh(&linear),
            "按当前进度, 预计全年完成目标的 80%"
        );

        // Last year a third of the year's total came in the first half.
        let mut ly = [0.0; 12];
        for (i, v) in ly.iter_mut().enumerate() {
            *v = if i < 6 {
                (i + 1) as f64
            } else {
                6.0 + (i as f64 - 5.0) * 2.0
            };
        }
        let seasonal = forecast(CumulativeCount, &series, 30.0, Some(&ly), |m| {
            f64::from(m) / 12.0
        })
        .unwrap();
        assert!((seasonal.year_end - 12.0 / (6.0 / 18.0)).abs() < 1e-9);
        assert!(forecast(Share, &[None, None], 100.0, None, |_| 1.0).is_none());
    }

    #[test]
    fn task_states_combine_report_and_facts() {
        assert_eq!(
            task_state(Some(TaskState::OnTrack), true, 0),
            TaskState::Overdue
        );
        assert_eq!(task_state(Some(TaskState::Done), true, 5), TaskState::Done);
        assert_eq!(
            task_state(Some(TaskState::OnTrack), false, 2),
            TaskState::Stalled
        );
        assert_eq!(task_state(None, false, 0), TaskState::NotStarted);
    }
}
