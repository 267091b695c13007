//! A unit's cultivation results (`store/cultivation/by_unit.rs`): the entries that reached a
//! milestone stage (纳入规上统计, 转为企业, 认定 …) from the period's year start to its last day, by
//! the date each was reached, counted for the enterprise's town and for the unit responsible
//! for the pipeline. Each result is a record behind the figure.

use crate::AppError;
use qx_core::access::Actor;
use qx_core::assessment::{Fact, Measure, Source, UnitInputs};
use qx_core::period::Period;
use qx_store::Store;
use qx_store::cultivation::Reached;
use std::collections::{BTreeMap, HashMap};

/// The record behind one result.
fn fact(r: &Reached) -> Fact {
    Fact {
        record: format!("cultivation:{}", r.entry_id),
        label: format!("{} {}·{} ({})", r.name, r.pipeline, r.stage, r.on_date),
        value: 1.0,
        expected: None,
    }
}

/// Adds the cultivation count to every unit in `units` with a result in the year up to the
/// period's end. `actor` must read every entry (the office).
pub async fn add(
    store: &Store,
    actor: &Actor,
    period: Period,
    units: &mut BTreeMap<i64, UnitInputs>,
) -> Result<(), AppError> {
    let from = format!("{}-01-01", period.year());
    let to = period.last_day().to_string();
    let mut by_unit: HashMap<i64, Vec<Fact>> = HashMap::new();
    for r in store.cultivation_reached_by_unit(actor, &from, &to).await? {
        for id in r.units() {
            by_unit.entry(id).or_default().push(fact(&r));
        }
    }
    for (id, facts) in by_unit {
        if let Some(u) = units.get_mut(&id) {
            u.measures
                .insert(Source::Cultivation, Measure::count_of(facts));
        }
    }
    Ok(())
}
