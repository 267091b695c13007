//! The monitoring picture of a plan at the end of a period, computed from approved figures
//! only: every indicator's value, completion, 序时进度, light, trend and forecast; every task's
//! state; every unit's punctuality. The leaders' dashboard and the bulletins are views of it.

use crate::AppError;
use qx_core::access::Actor;
use qx_core::indicator::IndicatorKind;
use qx_core::monitor::{self, Assessment, Forecast, Light, TaskState, Thresholds};
use qx_core::period::{Period, TimeProfile};
use qx_store::Store;
use qx_store::plans::{Indicator, Plan, Task};
use serde::Serialize;
use std::collections::HashMap;

#[derive(Debug, Clone, Serialize)]
pub struct IndicatorStatus {
    pub indicator: Indicator,
    pub kind: IndicatorKind,
    pub target: f64,
    pub unit_name: String,
    /// 1—N月累计 figures by month (index 0 = January) up to the period's month.
    pub series: Vec<Option<f64>>,
    /// The figure at the period's end.
    pub actual: Option<f64>,
    pub assessment: Assessment,
    pub forecast: Option<Forecast>,
    /// Last year's figure for the same months, when known.
    pub last_year: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TaskStatus {
    pub task: Task,
    pub state: TaskState,
    pub lead_units: Vec<String>,
    pub support_units: Vec<String>,
    /// The lead unit's latest approved progress text.
    pub progress: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct UnitPunctuality {
    pub unit_id: i64,
    pub unit_name: String,
    pub unit_kind: String,
    /// Periods owed so far, reported on time, reported late, not reported.
    pub owed: u32,
    pub on_time: u32,
    pub late: u32,
    pub missing: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct Picture {
    pub plan: Plan,
    pub period: Period,
    pub indicators: Vec<IndicatorStatus>,
    pub tasks: Vec<TaskStatus>,
    pub units: Vec<UnitPunctuality>,
}

impl Picture {
    pub fn count(&self, light: Light) -> usize {
        self.indicators
            .iter()
            .filter(|i| i.assessment.light == light)
            .count()
    }

    pub fn task_count(&self, state: TaskState) -> usize {
        self.tasks.iter().filter(|t| t.state == state).count()
    }
}

fn num(s: &str) -> Option<f64> {
    s.trim().parse().ok()
}

/// A stored profile; the store only ever writes valid ones, so a bad one reads as linear.
fn profile(text: &str) -> TimeProfile {
    text.parse().unwrap_or(TimeProfile::Linear)
}

/// Computes the picture of `plan_id` at the end of `period` (a month, or a quarter/year, which
/// is read at its last month).
pub async fn picture(
    store: &Store,
    actor: &Actor,
    plan_id: i64,
    period: Period,
) -> Result<Picture, AppError> {
    let plan = store.get_plan(actor, plan_id).await?;
    let month = period.end_month() as usize;
    let units: HashMap<i64, (String, String)> = store
        .list_units()
        .await?
        .into_iter()
        .map(|u| (u.id, (u.name, u.kind)))
        .collect();
    let indicators = store.plan_indicators(actor, plan_id).await?;
    let approved = store.approved_values(plan_id).await?;
    let baselines = store.baselines(plan_id).await?;
    let thresholds = Thresholds {
        yellow_gap_points: store
            .get_setting("monitor.yellow_gap_points")
            .await?
            .and_then(|v| v.parse().ok())
            .unwrap_or(Thresholds::default().yellow_gap_points),
    };

    // Figures by indicator and month of the plan's year.
    let mut by_indicator: HashMap<i64, [Option<f64>; 12]> = HashMap::new();
    for v in &approved {
        let Ok(p) = v.period.parse::<Period>() else {
            continue;
        };
        if let (Some(x), Period::Month { .. }) = (num(&v.value), &p) {
            by_indicator.entry(v.indicator_id).or_insert([None; 12])[p.end_month() as usize - 1] =
                Some(x);
        }
    }
    let mut rows = Vec::with_capacity(indicators.len());
    for ind in indicators {
        let kind = IndicatorKind::parse(&ind.kind).unwrap_or(IndicatorKind::CumulativeCount);
        let target = num(&ind.target_value).unwrap_or(0.0);
        let all = by_indicator.get(&ind.id).copied().unwrap_or([None; 12]);
        let series: Vec<Option<f64>> = all[..month].to_vec();
        let actual = series.last().copied().flatten();
        let prof = profile(&ind.profile);
        let share = prof
            .share_for(&period)
            .to_string()
            .parse::<f64>()
            .unwrap_or(month as f64 / 12.0);
        let assessment = monitor::assess(kind, actual, target, share, thresholds);
        let ly: Option<[f64; 12]> = baselines.get(&ind.id).and_then(|b| {
            let mut out = [0.0; 12];
            for (m, v) in b {
                let idx = usize::try_from(*m).ok()?.checked_sub(1)?;
                *out.get_mut(idx)? = num(v)?;
            }
            (b.len() == 12).then_some(out)
        });
        let forecast = monitor::forecast(kind, &series, target, ly.as_ref(), |m| {
            prof.share_at(m)
                .and_then(|d| d.to_string().parse().ok())
                .unwrap_or(f64::from(m) / 12.0)
        });
        rows.push(IndicatorStatus {
            unit_name: ind
                .lead_unit_id
                .and_then(|u| units.get(&u).map(|x| x.0.clone()))
                .unwrap_or_default(),
            last_year: ly.map(|l| l[month - 1]),
            indicator: ind,
            kind,
            target,
            series,
            actual,
            assessment,
            forecast,
        });
    }

    // Tasks: the lead's latest approved report up to the period, deadline, staleness.
    let reports = store.approved_task_reports(plan_id).await?;
    let periods_so_far: Vec<String> = (1..=month as u8)
        .filter_map(|m| {
            Period::new_month(plan.year as i32, m)
                .ok()
                .map(|p| p.to_string())
        })
        .collect();
    let mut tasks = Vec::new();
    for t in store.plan_tasks(actor, plan_id).await? {
        let lead: Vec<i64> = t
            .units
            .iter()
            .filter(|(_, r)| r == "lead")
            .map(|(u, _)| *u)
            .collect();
        let mine: Vec<_> = reports
            .iter()
            .filter(|r| {
                r.task_id == t.task.id
                    && lead.contains(&r.unit_id)
                    && periods_so_far.contains(&r.period)
            })
            .collect();
        let latest = mine.last();
        let reported = latest.and_then(|r| TaskState::parse_reported(&r.status));
        // Stale: how many periods since the progress text last changed.
        let mut stale = 0u32;
        if let Some(last) = latest {
            let last_idx = periods_so_far
                .iter()
                .position(|p| *p == last.period)
                .unwrap_or(0);
            stale = (periods_so_far.len() - 1 - last_idx) as u32;
            let changed = mine
                .windows(2)
                .rev()
                .take_while(|w| w[0].progress == w[1].progress)
                .count();
            stale += changed as u32;
        }
        let past_deadline = deadline_month(&t.task.deadline).is_some_and(|m| m < month as u8);
        let name = |u: &i64| units.get(u).map(|x| x.0.clone()).unwrap_or_default();
        tasks.push(TaskStatus {
            state: monitor::task_state(reported, past_deadline, stale),
            lead_units: lead.iter().map(name).collect(),
            support_units: t
                .units
                .iter()
                .filter(|(_, r)| r != "lead")
                .map(|(u, _)| name(u))
                .collect(),
            progress: latest.map(|r| r.progress.clone()).unwrap_or_default(),
            task: t.task,
        });
    }

    // Punctuality over the periods opened so far.
    let mut punctual: HashMap<i64, UnitPunctuality> = HashMap::new();
    let now = qx_store::now();
    for p in store.list_periods(plan_id).await? {
        let Ok(pp) = p.period.parse::<Period>() else {
            continue;
        };
        if pp.end_month() as usize > month {
            continue;
        }
        let due = due_timestamp(&p.due_on);
        for up in store.period_progress(p.id).await? {
            let (name, kind) = units.get(&up.unit_id).cloned().unwrap_or_default();
            let e = punctual.entry(up.unit_id).or_insert(UnitPunctuality {
                unit_id: up.unit_id,
                unit_name: name,
                unit_kind: kind,
                owed: 0,
                on_time: 0,
                late: 0,
                missing: 0,
            });
            e.owed += 1;
            match up.submission.as_ref().and_then(|s| s.submitted_at) {
                Some(at) if due.is_none_or(|d| at <= d) => e.on_time += 1,
                Some(_) => e.late += 1,
                None if due.is_some_and(|d| now > d) => e.missing += 1,
                None => e.owed -= 1,
            }
        }
    }
    let mut units_list: Vec<UnitPunctuality> = punctual.into_values().collect();
    units_list.sort_by(|a, b| {
        let rate = |u: &UnitPunctuality| {
            if u.owed == 0 {
                1.0
            } else {
                f64::from(u.on_time) / f64::from(u.owed)
            }
        };
        rate(b).total_cmp(&rate(a)).then(a.unit_id.cmp(&b.unit_id))
    });

    Ok(Picture {
        plan,
        period,
        indicators: rows,
        tasks,
        units: units_list,
    })
}

/// The month a 时间节点 like "2017年6月底前" or "6月" names, if any.
pub fn deadline_month(text: &str) -> Option<u8> {
    let t = text.trim();
    if t.contains("年底") || t.contains("年内") || t.contains("全年") {
        return Some(12);
    }
    let before_month = t.split('月').next()?;
    let digits: String = before_month
        .chars()
        .rev()
        .take_while(|c| c.is_ascii_digit())
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    digits.parse().ok().filter(|m| (1..=12).contains(m))
}

/// End of the due day (24:00 China time) as Unix seconds.
fn due_timestamp(date: &str) -> Option<i64> {
    let d = time::Date::parse(
        date,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .ok()?;
    let midnight = d
        .next_day()?
        .midnight()
        .assume_offset(time::UtcOffset::from_hms(8, 0, 0).ok()?);
    Some(midnight.unix_timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadlines_are_read_from_plan_wording() {
        assert_eq!(deadline_month("2017年6月底前"), Some(6));
        assert_eq!(deadline_month("10月"), Some(10));
        assert_eq!(deadline_month("年底前"), Some(12));
        assert_eq!(deadline_month("长期"), None);
    }
}
