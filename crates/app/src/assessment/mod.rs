//! 考核评价 (#18) as a use case: gather every unit's inputs as of a period's end (one file per
//! source), assign units to the year's schemes (members first, then class) and score and rank
//! each scheme's units with the pure engine in [`qx_core::assessment`].
//!
//! Reads that cross units run as the office: the caller passes an actor that reads all (the
//! office or the system); what a unit may see of the result is the store's business.

pub mod plan_sources;
pub mod problems;
pub mod projects;

use crate::AppError;
use crate::bulletin::conduct;
use crate::monitoring::picture;
use qx_core::access::Actor;
use qx_core::assessment::{Placed, Scheme, UnitClass, UnitInputs, UnitScore, rank, score_class};
use qx_core::period::Period;
use qx_core::units::UnitKind;
use qx_store::Store;
use std::collections::{BTreeMap, HashMap};

/// Every assessable unit's inputs for `period` of plan `plan_id`, keyed by unit id, and each
/// unit's kind.
pub async fn gather(
    store: &Store,
    actor: &Actor,
    plan_id: i64,
    period: Period,
) -> Result<(BTreeMap<i64, UnitInputs>, HashMap<i64, UnitKind>), AppError> {
    let pic = picture(store, actor, plan_id, period).await?;
    let conduct = conduct(store, actor, plan_id, period).await?;
    let units = store.list_units().await?;
    let ids_by_name: HashMap<String, i64> = units.iter().map(|u| (u.name.clone(), u.id)).collect();
    let mut inputs = plan_sources::from_picture(&pic, &conduct, &ids_by_name);
    for u in &units {
        if UnitClass::of(u.kind).is_some() {
            inputs.entry(u.id).or_insert_with(|| UnitInputs {
                unit_id: u.id,
                unit: u.name.clone(),
                ..Default::default()
            });
        }
    }
    problems::add(store, period, &mut inputs).await?;
    projects::add(store, actor, period.year(), &mut inputs).await?;
    let kinds = units.into_iter().map(|u| (u.id, u.kind)).collect();
    Ok((inputs, kinds))
}

/// One scheme's units, scored and ranked.
#[derive(Debug, Clone)]
pub struct Assessed {
    pub scheme: Scheme,
    pub scores: Vec<UnitScore>,
    pub placed: Vec<Placed>,
}

/// The index in `schemes` of the scheme that scores a unit: the first naming it as a
/// member, else the first without members covering its class.
pub fn scheme_for(schemes: &[Scheme], name: &str, kind: Option<UnitKind>) -> Option<usize> {
    let class = kind.and_then(UnitClass::of);
    schemes
        .iter()
        .position(|s| s.members.iter().any(|m| m == name))
        .or_else(|| {
            schemes
                .iter()
                .position(|s| s.members.is_empty() && s.covers(name, class))
        })
}

/// Scores and ranks `inputs` under `schemes`; `previous` maps unit id → its place last
/// period (within the same scheme's ranking).
pub fn assess(
    schemes: &[Scheme],
    inputs: &BTreeMap<i64, UnitInputs>,
    kinds: &HashMap<i64, UnitKind>,
    previous: &HashMap<i64, u32>,
) -> Vec<Assessed> {
    let mut groups: Vec<Vec<UnitInputs>> = vec![Vec::new(); schemes.len()];
    for u in inputs.values() {
        if let Some(i) = scheme_for(schemes, &u.unit, kinds.get(&u.unit_id).copied()) {
            groups[i].push(u.clone());
        }
    }
    schemes
        .iter()
        .zip(groups)
        .map(|(scheme, units)| {
            let scores = score_class(scheme, &units);
            let placed = rank(&scores, previous);
            Assessed {
                scheme: scheme.clone(),
                scores,
                placed,
            }
        })
        .collect()
}

/// The two schemes the 季度通报 ranks by when the office has set none: 镇乡(街道), and
/// 部门 (departments, 涉企部门, zones and other county bodies in one ranking).
pub fn bulletin_schemes(year: i32) -> [Scheme; 2] {
    [
        Scheme::bulletin_default(year, "镇乡(街道)综合排名", vec![UnitClass::Town]),
        Scheme::bulletin_default(
            year,
            "部门综合排名",
            vec![
                UnitClass::CountyDepartment,
                UnitClass::EnterpriseDepartment,
                UnitClass::Zone,
            ],
        ),
    ]
}
