//! Manual points (加分/扣分, 一票否决 facts) the office entered for the year: summed per unit and
//! item key, each entry a record behind the figure (reason, evidence and the file, which the
//! record opens).

use crate::AppError;
use qx_core::access::Actor;
use qx_core::assessment::{Fact, Measure, UnitInputs};
use qx_store::Store;
use std::collections::BTreeMap;

/// Adds every manual entry of `year` to its unit's manual measures.
pub async fn add(
    store: &Store,
    actor: &Actor,
    year: i32,
    units: &mut BTreeMap<i64, UnitInputs>,
) -> Result<(), AppError> {
    for e in store.assessment_manual(actor, year).await? {
        let Some(u) = units.get_mut(&e.unit_id) else {
            continue;
        };
        let m = u
            .manual
            .entry(e.item_key.clone())
            .or_insert_with(|| Measure {
                value: Some(0.0),
                ..Default::default()
            });
        m.value = Some(m.value.unwrap_or(0.0) + e.points);
        m.count += 1;
        let evidence = if e.evidence.is_empty() {
            String::new()
        } else {
            format!(" (依据: {})", e.evidence)
        };
        // An entry with its file is a record that opens the file.
        let (record, file) = match &e.filename {
            Some(name) => (format!("manual_file:{}", e.id), format!(" [附件: {name}]")),
            None => (format!("manual:{}", e.id), String::new()),
        };
        m.facts.push(Fact {
            record,
            label: format!("{}{evidence}{file}", e.reason),
            value: e.points,
            expected: None,
        });
    }
    Ok(())
}
