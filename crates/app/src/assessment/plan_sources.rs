//! The inputs the plan gives a unit as of a period's end, from the monitoring picture:
//! indicators it leads (完成率 and 序时进度 each), tasks it leads or supports, its monthly
//! reports' punctuality and how early it sent them (the tie-break).

use crate::bulletin::Conduct;
use crate::monitoring::Picture;
use qx_core::assessment::{Fact, Measure, Source, UnitInputs};
use qx_core::monitor::TaskState;
use std::collections::{BTreeMap, HashMap};

/// What a late report earns against an on-time one.
pub const LATE_CREDIT: f64 = 0.5;

fn on_track(s: TaskState) -> bool {
    matches!(s, TaskState::Done | TaskState::OnTrack)
}

/// Every unit the picture names (leading an indicator or a task, supporting one, owing
/// reports), with its plan measures. Keyed by unit id.
pub(crate) fn from_picture(
    pic: &Picture,
    conduct: &Conduct,
    ids_by_name: &HashMap<String, i64>,
) -> BTreeMap<i64, UnitInputs> {
    let mut out: BTreeMap<i64, UnitInputs> = BTreeMap::new();
    let mut indicators: HashMap<i64, Vec<Fact>> = HashMap::new();
    let mut tasks: HashMap<i64, Vec<Fact>> = HashMap::new();
    let entry = |out: &mut BTreeMap<i64, UnitInputs>, id: i64, name: &str| {
        out.entry(id).or_insert_with(|| UnitInputs {
            unit_id: id,
            unit: name.to_string(),
            ..Default::default()
        });
    };
    for i in &pic.indicators {
        let Some(id) = i.indicator.lead_unit_id else {
            continue;
        };
        entry(&mut out, id, &i.unit_name);
        indicators.entry(id).or_default().push(Fact {
            record: format!("indicator:{}", i.indicator.id),
            label: i.indicator.name.clone(),
            // Nothing approved counts 0.
            value: i.assessment.completion.unwrap_or(0.0),
            expected: Some(i.assessment.time_share),
        });
    }
    let mut task_label: HashMap<i64, String> = HashMap::new();
    for t in &pic.tasks {
        let label = format!("{} {}", t.task.number, t.task.title);
        for name in &t.lead_units {
            let Some(&id) = ids_by_name.get(name) else {
                continue;
            };
            entry(&mut out, id, name);
            tasks.entry(id).or_default().push(Fact {
                record: format!("task:{}", t.task.id),
                label: format!("{label} (牵头, {})", t.state.label_zh()),
                value: if on_track(t.state) { 1.0 } else { 0.0 },
                expected: None,
            });
        }
        task_label.insert(t.task.id, label);
    }
    let mut reports: HashMap<i64, Measure> = HashMap::new();
    for u in &pic.units {
        entry(&mut out, u.unit_id, &u.unit_name);
        if u.owed == 0 {
            continue;
        }
        reports.insert(u.unit_id, punctuality(u.on_time, u.late, u.missing, u.owed));
    }
    for (id, u) in out.iter_mut() {
        if let Some(f) = indicators.remove(id) {
            u.measures.insert(Source::Indicators, Measure::mean_of(f));
        }
        let mut t = tasks.remove(id).unwrap_or_default();
        for (task_id, ok) in conduct.support.get(id).into_iter().flatten() {
            let label = task_label.get(task_id).cloned().unwrap_or_default();
            t.push(Fact {
                record: format!("task:{task_id}"),
                label: format!("{label} (配合, 本单位最近一次审核通过的报送)"),
                value: if *ok { 1.0 } else { 0.0 },
                expected: None,
            });
        }
        if !t.is_empty() {
            u.measures.insert(Source::Tasks, Measure::mean_of(t));
        }
        if let Some(m) = reports.remove(id) {
            u.measures.insert(Source::ReportPunctuality, m);
        }
        u.lead_days = conduct.lead_days.get(id).copied();
    }
    out
}

/// Report punctuality: on time 1, late [`LATE_CREDIT`], missing 0, over the reports owed.
pub fn punctuality(on_time: u32, late: u32, missing: u32, owed: u32) -> Measure {
    let credit = f64::from(on_time) + LATE_CREDIT * f64::from(late);
    let fact = |what: &str, n: u32, value: f64| Fact {
        record: format!("reports:{what}"),
        label: format!("{} {n} 份", label_of(what)),
        value,
        expected: None,
    };
    Measure {
        value: (owed > 0).then(|| credit / f64::from(owed)),
        count: owed,
        facts: vec![
            fact("on_time", on_time, 1.0),
            fact("late", late, LATE_CREDIT),
            fact("missing", missing, 0.0),
        ],
    }
}

fn label_of(what: &str) -> &'static str {
    match what {
        "on_time" => "按时报送",
        "late" => "逾期报送(计一半)",
        _ => "未报送",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn late_reports_earn_half_and_missing_ones_nothing() {
        // (4 + ½·2) / 6 against 4 / 6.
        let late = punctuality(4, 2, 0, 6);
        let missing = punctuality(4, 0, 2, 6);
        assert!((late.value.unwrap() - 5.0 / 6.0).abs() < 1e-12);
        assert!((missing.value.unwrap() - 4.0 / 6.0).abs() < 1e-12);
        assert_eq!(late.count, 6);
        assert_eq!(punctuality(0, 0, 0, 0).value, None);
    }
}
