//! The 季度通报's ranking once a quarter's assessment is final: the places, scores and
//! changes are read from the stored 终审 run (with any upheld objection in it) instead of
//! being computed afresh; before that the bulletin computes them through the same engine.
//! The descriptive columns (indicators on track, tasks, reports, 提前天数) stay the
//! bulletin's own counts of the quarter.

use crate::AppError;
use qx_core::access::Actor;
use qx_core::period::Period;
use qx_report::RankRow;
use qx_store::Store;
use qx_store::assessment::UnitResult;
use std::collections::HashMap;

/// The latest final run of quarter `period` of plan `plan_id`, if any.
pub async fn final_quarter_run(
    store: &Store,
    plan_id: i64,
    period: Period,
) -> Result<Option<qx_store::assessment::Run>, AppError> {
    if !matches!(period, Period::Quarter { .. }) {
        return Ok(None);
    }
    Ok(store
        .final_assessment_run(&period.to_string())
        .await?
        .filter(|r| r.plan_id == plan_id))
}

/// `towns` and `departments` as computed, re-placed from the final run of the quarter when
/// there is one: each row takes its unit's stored place, score and change (a unit the run
/// did not place leaves the table), ordered by the run's scheme and place.
pub async fn from_final_run(
    store: &Store,
    actor: &Actor,
    plan_id: i64,
    period: Period,
    towns: Vec<RankRow>,
    departments: Vec<RankRow>,
) -> Result<(Vec<RankRow>, Vec<RankRow>), AppError> {
    let Some(run) = final_quarter_run(store, plan_id, period).await? else {
        return Ok((towns, departments));
    };
    let results = store.assessment_ranking(actor, run.id).await?;
    let by_unit: HashMap<i64, &UnitResult> = results.iter().map(|r| (r.unit_id, r)).collect();
    Ok((replace(towns, &by_unit), replace(departments, &by_unit)))
}

fn replace(rows: Vec<RankRow>, by_unit: &HashMap<i64, &UnitResult>) -> Vec<RankRow> {
    let mut placed: Vec<(i64, RankRow)> = rows
        .into_iter()
        .filter_map(|mut row| {
            let stored = by_unit.get(&row.unit_id)?;
            row.rank = u32::try_from(stored.place?).ok()?;
            row.score = (stored.score? * 10.0).round() / 10.0;
            if stored.previous_place.is_some() {
                row.change = stored.change().and_then(|c| i32::try_from(c).ok());
            }
            Some((stored.scheme_id, row))
        })
        .collect();
    placed.sort_by_key(|(scheme, row)| (*scheme, row.rank, row.unit_id));
    placed.into_iter().map(|(_, row)| row).collect()
}
