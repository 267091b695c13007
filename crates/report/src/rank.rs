//! Rankings of 镇乡(街道) and 部门 in a bulletin.
//!
//! **The rule** (printed in every bulletin): a unit's 综合得分 (0–100) is the weighted mean of
//! - 指标 (weight 60): the mean, over the indicators the unit leads, of 完成率 ÷ 序时进度
//!   capped at 1 (an indicator with nothing approved counts 0);
//! - 任务 (weight 20): the share of the tasks it is responsible for that are done or on track —
//!   a task it leads by the task's state, a task it supports (配合) by its own latest approved
//!   report on it (no report counts as not on track);
//! - 报送 (weight 20): its monthly reports, on time counting 1 and late ½, over those owed.
//!
//! A part the unit has nothing in (a town that leads no indicator) is left out and the other
//! weights are scaled up, so units are compared on what they are responsible for. Equal scores
//! (to 0.1) are ordered by how early, on average, the unit submitted before the due dates
//! (to 0.1 day); only units equal on both share a place (1, 2, 2, 4). The change is the
//! previous period's place minus this one's: ↑ = moved up.

use crate::RankRow;
use std::collections::HashMap;

pub const INDICATOR_WEIGHT: f64 = 60.0;
pub const TASK_WEIGHT: f64 = 20.0;
pub const PUNCTUALITY_WEIGHT: f64 = 20.0;
/// What a late report earns against an on-time one.
pub const LATE_CREDIT: f64 = 0.5;

/// The rule in one sentence, for the bulletin text.
pub const RULE_ZH: &str = "综合得分按指标完成情况(完成率与序时进度之比, 最高计1)占60%、牵头及配合任务按计划推进比例占20%、月度报送及时率(逾期报送计一半)占20%计算, 单位未承担的项目不计入并按比例折算; 得分相同的, 按平均提前报送天数排列";

/// What a unit is measured on in one period.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UnitStats {
    pub unit_id: i64,
    pub unit: String,
    pub indicators_led: u32,
    pub indicators_on_track: u32,
    /// Σ min(完成率 ÷ 序时进度, 1) over the indicators led.
    pub attainment_sum: f64,
    /// Tasks the unit leads or supports, and of those the ones done or on track.
    pub tasks_led: u32,
    pub tasks_on_track: u32,
    pub reports_owed: u32,
    pub reports_on_time: u32,
    pub reports_late: u32,
    /// Mean days between submission and the due date's end (positive = early) over the
    /// reports submitted; `None` when none was.
    pub lead_days: Option<f64>,
}

impl UnitStats {
    /// 综合得分 per the module rule; `None` when the unit has nothing to be measured on.
    pub fn score(&self) -> Option<f64> {
        let mut parts = Vec::with_capacity(3);
        if self.indicators_led > 0 {
            parts.push((
                INDICATOR_WEIGHT,
                self.attainment_sum / f64::from(self.indicators_led),
            ));
        }
        if self.tasks_led > 0 {
            parts.push((
                TASK_WEIGHT,
                f64::from(self.tasks_on_track) / f64::from(self.tasks_led),
            ));
        }
        if self.reports_owed > 0 {
            let credit =
                f64::from(self.reports_on_time) + LATE_CREDIT * f64::from(self.reports_late);
            parts.push((PUNCTUALITY_WEIGHT, credit / f64::from(self.reports_owed)));
        }
        let weight: f64 = parts.iter().map(|(w, _)| w).sum();
        (weight > 0.0).then(|| parts.iter().map(|(w, v)| w * v).sum::<f64>() / weight * 100.0)
    }
}

fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// Ranks units (those with nothing to measure are left out); `previous` maps unit id → the
/// place it held last period.
pub fn rank(units: &[UnitStats], previous: &HashMap<i64, u32>) -> Vec<RankRow> {
    // (unit, score, lead days) with both keys rounded as printed.
    let mut scored: Vec<(&UnitStats, f64, Option<f64>)> = units
        .iter()
        .filter_map(|u| u.score().map(|s| (u, round1(s), u.lead_days.map(round1))))
        .collect();
    let early = |d: Option<f64>| d.unwrap_or(f64::NEG_INFINITY);
    scored.sort_by(|a, b| {
        b.1.total_cmp(&a.1)
            .then_with(|| early(b.2).total_cmp(&early(a.2)))
            .then_with(|| a.0.unit_id.cmp(&b.0.unit_id))
    });
    let mut out: Vec<RankRow> = Vec::with_capacity(scored.len());
    for (i, (u, score, lead_days)) in scored.iter().enumerate() {
        let place = match out.last() {
            Some(prev) if prev.score == *score && prev.lead_days == *lead_days => prev.rank,
            _ => i as u32 + 1,
        };
        out.push(RankRow {
            rank: place,
            unit_id: u.unit_id,
            unit: u.unit.clone(),
            score: *score,
            indicators_on_track: u.indicators_on_track,
            indicators_led: u.indicators_led,
            tasks_on_track: u.tasks_on_track,
            tasks_led: u.tasks_led,
            reports_on_time: u.reports_on_time,
            reports_owed: u.reports_owed,
            reports_late: u.reports_late,
            lead_days: *lead_days,
            change: previous.get(&u.unit_id).map(|p| *p as i32 - place as i32),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(id: i64, attain: f64, ind: u32, tasks: (u32, u32), reports: (u32, u32)) -> UnitStats {
        UnitStats {
            unit_id: id,
            unit: format!("u{id}"),
            indicators_led: ind,
            indicators_on_track: 0,
            attainment_sum: attain,
            tasks_on_track: tasks.0,
            tasks_led: tasks.1,
            reports_on_time: reports.0,
            reports_owed: reports.1,
            reports_late: 0,
            lead_days: None,
        }
    }

    #[test]
    fn scores_follow_the_weights_and_skip_what_a_unit_does_not_do() {
        // Everything perfect: 100.
        assert_eq!(unit(1, 2.0, 2, (1, 1), (6, 6)).score(), Some(100.0));
        // No indicators: tasks and reports weigh half each.
        let s = unit(2, 0.0, 0, (1, 2), (6, 6)).score().unwrap();
        assert!((s - 75.0).abs() < 1e-9);
        // Half attainment, all else perfect: 0.6·50 + 0.2·100 + 0.2·100 = 70.
        let s = unit(3, 0.5, 1, (1, 1), (6, 6)).score().unwrap();
        assert!((s - 70.0).abs() < 1e-9);
        assert_eq!(unit(4, 0.0, 0, (0, 0), (0, 0)).score(), None);
    }

    #[test]
    fn equal_scores_share_a_place_and_changes_compare_places() {
        let units = [
            unit(1, 0.5, 1, (1, 1), (6, 6)),
            unit(2, 1.0, 1, (1, 1), (6, 6)),
            unit(3, 0.5, 1, (1, 1), (6, 6)),
            unit(4, 0.0, 1, (0, 1), (0, 6)),
        ];
        let previous = HashMap::from([(1, 1), (2, 3), (4, 2)]);
        let r = rank(&units, &previous);
        let places: Vec<(i64, u32, Option<i32>)> =
            r.iter().map(|x| (x.unit_id, x.rank, x.change)).collect();
        assert_eq!(
            places,
            vec![
                (2, 1, Some(2)),
                (1, 2, Some(-1)),
                (3, 2, None),
                (4, 4, Some(-2))
            ]
        );
    }

    #[test]
    fn late_reports_earn_half_and_missing_ones_nothing() {
        let mut late = unit(1, 0.0, 0, (0, 0), (4, 6));
        late.reports_late = 2;
        let missing = unit(2, 0.0, 0, (0, 0), (4, 6));
        // (4 + ½·2) / 6 = 83.3 against 4 / 6 = 66.7.
        assert!((late.score().unwrap() - 500.0 / 6.0).abs() < 1e-9);
        assert!((missing.score().unwrap() - 400.0 / 6.0).abs() < 1e-9);
    }

    #[test]
    fn equal_scores_are_ordered_by_how_early_units_reported() {
        let with_lead = |id: i64, days: Option<f64>| UnitStats {
            lead_days: days,
            ..unit(id, 0.0, 0, (1, 1), (6, 6))
        };
        let units = [
            with_lead(1, Some(0.5)),
            with_lead(2, Some(2.04)),
            with_lead(3, None),
            with_lead(4, Some(2.0)),
            with_lead(5, Some(1.0)),
        ];
        let r = rank(&units, &HashMap::new());
        let places: Vec<(i64, u32)> = r.iter().map(|x| (x.unit_id, x.rank)).collect();
        // 2.04 and 2.0 print as 2.0 days: they share the first place.
        assert_eq!(places, vec![(2, 1), (4, 1), (5, 3), (1, 4), (3, 5)]);
        assert!(r.iter().all(|x| x.score == 100.0));
    }
}
