//! 企业难题 routed to a unit (`store/problems/rates.rs`): 答复率 (of those answered or past their
//! answer deadline), 按时答复率, 解决率 and 满意率 of the problems submitted in the year up to the
//! period's end, as they stood at that end: a problem answered or closed after the period's
//! last day counts as unanswered or open in it (the same reading as a past period's
//! bulletin). One grouped statement (`Store::problem_rates_as_of_by_unit`) reads every unit's
//! rates as of the day. Each rate stands on its own denominator (answered of all, on time of answered…),
//! which is the count an item's minimum is checked against.

use crate::AppError;
use qx_core::assessment::{Fact, Measure, Source, UnitInputs};
use qx_core::period::Period;
use qx_core::problem::Rates;
use qx_store::Store;
use qx_store::problems::RateFilter;
use std::collections::BTreeMap;

/// Adds the four problem measures, as of `period`'s last day, to every unit in `units` that had
/// problems routed to it.
pub async fn add(
    store: &Store,
    period: Period,
    units: &mut BTreeMap<i64, UnitInputs>,
) -> Result<(), AppError> {
    let filter = RateFilter {
        from: Some(format!("{}-01-01", period.year())),
        to: Some(period.last_day().to_string()),
        ..Default::default()
    };
    let by_unit = store
        .problem_rates_as_of_by_unit(&filter, period.last_day())
        .await?;
    for (id, rates) in by_unit {
        if let Some(u) = units.get_mut(&id) {
            for (source, m) in measures(&rates) {
                u.measures.insert(source, m);
            }
        }
    }
    Ok(())
}

/// The four measures of one unit's rates (percentages in the store, fractions here).
pub fn measures(r: &Rates) -> Vec<(Source, Measure)> {
    let c = &r.counts;
    let one = |rate: Option<f64>, num: i64, den: i64, what: &str, of: &str| Measure {
        value: rate.map(|p| p / 100.0),
        count: u32::try_from(den).unwrap_or(u32::MAX),
        facts: vec![Fact {
            record: format!("problems:{what}"),
            label: format!("{of} {den} 件, 其中{what} {num} 件"),
            value: rate.map_or(0.0, |p| p / 100.0),
            expected: None,
        }],
    };
    vec![
        (
            Source::ProblemAnswerRate,
            one(
                r.answer_rate,
                c.answered,
                c.answered + c.overdue_unanswered,
                "已答复",
                "应答复难题",
            ),
        ),
        (
            Source::ProblemOnTimeRate,
            one(
                r.on_time_answer_rate,
                c.answered_on_time,
                c.answered,
                "按时答复",
                "已答复",
            ),
        ),
        (
            Source::ProblemResolutionRate,
            one(r.resolution_rate, c.resolved, c.closed, "已解决", "已办结"),
        ),
        (
            Source::ProblemSatisfactionRate,
            one(r.satisfaction_rate, c.satisfied, c.rated, "满意", "已评价"),
        ),
    ]
}
