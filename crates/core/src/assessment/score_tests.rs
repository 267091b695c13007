use super::*;
use crate::assessment::scheme::{UnitClass, Veto};

fn fact(id: u32, value: f64, expected: Option<f64>) -> Fact {
    Fact {
        record: format!("r:{id}"),
        label: format!("r{id}"),
        value,
        expected,
    }
}

fn unit(id: i64) -> UnitInputs {
    UnitInputs {
        unit_id: id,
        unit: format!("u{id}"),
        ..Default::default()
    }
}

fn with(mut u: UnitInputs, source: Source, m: Measure) -> UnitInputs {
    u.measures.insert(source, m);
    u
}

fn value(v: f64, count: u32) -> Measure {
    Measure {
        value: Some(v),
        count,
        facts: Vec::new(),
    }
}

fn one_item(method: Method, source: Source) -> Scheme {
    let mut s = Scheme::bulletin_default(2017, "t", vec![UnitClass::Town]);
    s.items.truncate(1);
    s.items[0].method = method;
    s.items[0].source = source;
    s.items[0].weight = 10.0;
    s
}

fn scores(s: &Scheme, units: &[UnitInputs]) -> Vec<Option<f64>> {
    score_class(s, units).into_iter().map(|u| u.score).collect()
}

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-9)
}

#[test]
fn completion_capped_stops_at_the_ceiling() {
    let mut s = one_item(
        Method::CompletionCapped { ceiling: 1.0 },
        Source::ProjectStartRate,
    );
    s.rescale_missing = false;
    let units = [
        with(unit(1), Source::ProjectStartRate, value(0.8, 5)),
        with(unit(2), Source::ProjectStartRate, value(1.3, 5)),
    ];
    let r = scores(&s, &units);
    assert!(close(r[0], 8.0) && close(r[1], 10.0), "{r:?}");
    // A bonus ceiling of 1.2 lets 130% earn 12.
    s.items[0].method = Method::CompletionCapped { ceiling: 1.2 };
    assert!(close(scores(&s, &units)[1], 12.0));
}

#[test]
fn pace_ratio_averages_each_indicator_against_its_own_time_share() {
    let s = one_item(Method::PaceRatio { ceiling: 1.0 }, Source::Indicators);
    // 40% done at 50% of the year = 0.8; 90% at 75% = 1.2 → capped 1; mean 0.9.
    let m = Measure::mean_of(vec![fact(1, 0.4, Some(0.5)), fact(2, 0.9, Some(0.75))]);
    let r = score_class(&s, &[with(unit(1), Source::Indicators, m)]);
    assert!((r[0].items[0].figure.unwrap() - 0.9).abs() < 1e-9);
    // Rescaled to the scheme's total (10 of 10).
    assert!(close(r[0].score, 9.0));
    // A share of 0 compares completion itself.
    assert_eq!(pace_ratio(0.5, Some(0.0), 1.0), 0.5);
    assert_eq!(pace_ratio(0.9, Some(0.5), 1.5), 1.5);
}

#[test]
fn rank_gives_the_first_full_marks_and_each_place_a_step_less() {
    let s = one_item(Method::Rank { step: 3.0 }, Source::InvestmentSigned);
    let units: Vec<UnitInputs> = [(1, 5.0), (2, 9.0), (3, 5.0), (4, 1.0), (5, 0.0)]
        .into_iter()
        .map(|(id, v)| with(unit(id), Source::InvestmentSigned, value(v, 1)))
        .collect();
    let pts: Vec<f64> = score_class(&s, &units)
        .iter()
        .map(|u| u.items[0].points)
        .collect();
    // 9 → 10; two 5s share second → 7; 1 is fourth → 1; 0 is fifth → 10 − 12 < 0 → 0.
    assert_eq!(pts, vec![7.0, 10.0, 7.0, 1.0, 0.0]);
}

#[test]
fn threshold_is_all_or_nothing() {
    let s = one_item(Method::Threshold { pass: 0.95 }, Source::ProblemAnswerRate);
    let units = [
        with(unit(1), Source::ProblemAnswerRate, value(0.95, 20)),
        with(unit(2), Source::ProblemAnswerRate, value(0.949, 20)),
    ];
    let r = scores(&s, &units);
    assert!(close(r[0], 10.0) && close(r[1], 0.0));
}

#[test]
fn per_count_points_stop_at_the_weight() {
    let mut s = one_item(Method::PerCount { points: 4.0 }, Source::BigProjectsStarted);
    s.items[0].kind = ItemKind::Bonus;
    s.items
        .push(Scheme::bulletin_default(2017, "t", vec![]).items[2].clone());
    let units = [
        with(
            with(unit(1), Source::BigProjectsStarted, value(2.0, 2)),
            Source::ReportPunctuality,
            value(0.5, 6),
        ),
        with(
            with(unit(2), Source::BigProjectsStarted, value(4.0, 4)),
            Source::ReportPunctuality,
            value(0.5, 6),
        ),
    ];
    let r = score_class(&s, &units);
    // Punctuality 50% of 20 = 10, rescaled to the core total 20 → 10; +8 and +10 (cap).
    assert!(close(r[0].score, 18.0), "{:?}", r[0].score);
    assert!(close(r[1].score, 20.0));
    // A total bonus cap below that.
    s.bonus_cap = Some(5.0);
    assert!(close(score_class(&s, &units)[1].score, 15.0));
}

#[test]
fn manual_points_are_capped_and_a_deduction_subtracts() {
    let mut s = Scheme::bulletin_default(2017, "t", vec![UnitClass::Town]);
    s.items.truncate(1);
    s.base = 0.0;
    for (key, kind, weight) in [
        ("plus", ItemKind::Bonus, 5.0),
        ("minus", ItemKind::Deduction, 10.0),
    ] {
        s.items.push(Item {
            key: key.into(),
            name: key.into(),
            kind,
            weight,
            source: Source::Manual,
            method: Method::Manual,
            min_count: 0,
        });
    }
    s.validate().unwrap();
    let mut u = with(
        unit(1),
        Source::Indicators,
        Measure::mean_of(vec![fact(1, 1.0, Some(1.0))]),
    );
    u.manual.insert("plus".into(), value(7.0, 1));
    u.manual.insert("minus".into(), value(3.0, 1));
    let r = score_class(&s, &[u.clone()]);
    // 60 + min(7, 5) − 3.
    assert!(close(r[0].score, 62.0), "{:?}", r[0].score);
    // No manual entry: 0 points, still applicable.
    u.manual.clear();
    let r = score_class(&s, &[u]);
    assert!(r[0].items[1].applicable && r[0].items[1].points == 0.0);
    assert!(close(r[0].score, 60.0));
}

#[test]
fn below_the_minimum_count_an_item_is_scored_as_the_class_average() {
    let mut s = one_item(
        Method::CompletionCapped { ceiling: 1.0 },
        Source::ProblemSatisfactionRate,
    );
    s.items[0].min_count = 3;
    let units = [
        with(unit(1), Source::ProblemSatisfactionRate, value(1.0, 10)),
        with(unit(2), Source::ProblemSatisfactionRate, value(0.6, 5)),
        // One unhappy case: would be 0, scored as the average (10 + 6) / 2 = 8.
        with(unit(3), Source::ProblemSatisfactionRate, value(0.0, 1)),
    ];
    let r = score_class(&s, &units);
    assert!(r[2].items[0].class_average);
    assert!(close(r[2].score, 8.0), "{:?}", r[2].score);
    // Nobody reaching the minimum: left out, so no score at all.
    let r = score_class(&s, &units[2..]);
    assert_eq!(r[0].score, None);
}

#[test]
fn missing_parts_are_left_out_and_the_rest_scaled_up() {
    let s = Scheme::bulletin_default(2017, "t", vec![UnitClass::Town]);
    // No indicators: tasks and reports weigh half each (as the bulletin rule always did).
    let u = with(
        with(unit(1), Source::Tasks, value(0.5, 2)),
        Source::ReportPunctuality,
        value(1.0, 6),
    );
    assert!(close(score_class(&s, &[u])[0].score, 75.0));
    assert_eq!(score_class(&s, &[unit(2)])[0].score, None);
}

#[test]
fn a_veto_puts_the_unit_last_and_ties_follow_the_stated_rule() {
    let mut s = one_item(Method::CompletionCapped { ceiling: 1.0 }, Source::Tasks);
    s.vetoes.push(Veto {
        key: "accident".into(),
        name: "重大安全事故".into(),
        source: Source::Manual,
        at_least: 1.0,
    });
    let mk = |id, v: f64, lead: Option<f64>| UnitInputs {
        lead_days: lead,
        ..with(unit(id), Source::Tasks, value(v, 4))
    };
    let mut vetoed = mk(1, 1.0, Some(5.0));
    vetoed.manual.insert("accident".into(), value(1.0, 1));
    let units = [
        vetoed,
        mk(2, 0.5, Some(1.0)),
        mk(3, 0.5, Some(2.04)),
        mk(4, 0.5, Some(2.0)),
        mk(5, 0.75, None),
    ];
    let scored = score_class(&s, &units);
    assert_eq!(scored[0].vetoed.as_deref(), Some("重大安全事故"));
    let previous = HashMap::from([(1, 1), (5, 4)]);
    let r: Vec<(i64, u32, Option<i32>)> = rank(&scored, &previous)
        .iter()
        .map(|p| (p.unit_id, p.place, p.change))
        .collect();
    // 7.5 first; 5.0 three ways: 2.04 and 2.0 days print as 2.0 and share second; the
    // vetoed unit (10 points) last.
    assert_eq!(
        r,
        vec![
            (5, 1, Some(3)),
            (3, 2, None),
            (4, 2, None),
            (2, 4, None),
            (1, 5, Some(-4))
        ]
    );
}
