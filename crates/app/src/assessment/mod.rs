//! 考核评价 (#18) as a use case: gather every unit's inputs as of a period's end (one file per
//! source), assign units to the year's schemes (members first, then class) and score and rank
//! each scheme's units with the pure engine in [`qx_core::assessment`].
//!
//! Reads that cross units run as the office: the caller passes an actor that reads all (the
//! office or the system); what a unit may see of the result is the store's business.

pub mod bulletin_ranking;
pub mod cultivation;
pub mod export;
pub mod manual;
pub mod plan_sources;
pub mod problems;
pub mod projects;

use crate::AppError;
use crate::bulletin::conduct;
use crate::monitoring::picture;
use qx_core::access::Actor;
use qx_core::assessment::{
    Cadence, Placed, Scheme, UnitClass, UnitInputs, UnitScore, rank, score_class,
};
use qx_core::period::Period;
use qx_core::units::UnitKind;
use qx_store::Store;
use std::collections::{BTreeMap, HashMap};
use tracing::{Instrument, info_span};

/// Every assessable unit's inputs for `period` of plan `plan_id`, keyed by unit id, and each
/// unit's kind.
pub async fn gather(
    store: &Store,
    actor: &Actor,
    plan_id: i64,
    period: Period,
) -> Result<(BTreeMap<i64, UnitInputs>, HashMap<i64, UnitKind>), AppError> {
    let pic = picture(store, actor, plan_id, period)
        .instrument(info_span!("assess.picture"))
        .await?;
    let conduct = conduct(store, actor, plan_id, period)
        .instrument(info_span!("assess.conduct"))
        .await?;
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
    problems::add(store, period, &mut inputs)
        .instrument(info_span!("assess.problems"))
        .await?;
    projects::add(store, actor, period, &mut inputs)
        .instrument(info_span!("assess.projects"))
        .await?;
    cultivation::add(store, actor, period, &mut inputs)
        .instrument(info_span!("assess.cultivation"))
        .await?;
    manual::add(store, actor, period.year(), &mut inputs)
        .instrument(info_span!("assess.manual"))
        .await?;
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

/// The schemes a run of `cadence` falls back on when the office has saved none of that
/// cadence for the year: the bulletin's two, quarterly as the 季度通报 ranks, or annual under
/// their own names (a name keeps its cadence).
pub fn default_schemes(year: i32, cadence: Cadence) -> [Scheme; 2] {
    let mut schemes = bulletin_schemes(year);
    if cadence == Cadence::Annual {
        for (s, name) in schemes
            .iter_mut()
            .zip(["镇乡(街道)年度综合排名", "部门年度综合排名"])
        {
            s.cadence = Cadence::Annual;
            s.name = name.to_string();
        }
    }
    schemes
}

/// The latest version of each of `year`'s schemes of `cadence`, with the scheme it holds.
pub async fn schemes_of(
    store: &Store,
    year: i32,
    cadence: Cadence,
) -> Result<Vec<(qx_store::assessment::SchemeVersion, Scheme)>, AppError> {
    let mut out = Vec::new();
    for v in store.assessment_schemes(year).await? {
        let s = v.scheme()?;
        if s.cadence == cadence {
            out.push((v, s));
        }
    }
    Ok(out)
}

/// The period a run covers: "2017Q3" or the year "2017".
pub fn parse_run_period(text: &str) -> Result<Period, AppError> {
    let p: Period = text.trim().parse().map_err(|_| {
        AppError::Invalid(format!(
            "期间 \"{}\" 应为年度 (2017) 或季度 (2017Q3)",
            text.trim()
        ))
    })?;
    match p {
        Period::Quarter { .. } | Period::Year { .. } => Ok(p),
        Period::Month { .. } => Err(AppError::Invalid(format!(
            "期间 \"{}\" 应为年度 (2017) 或季度 (2017Q3), 不按月考核",
            text.trim()
        ))),
    }
}

/// Scores `period` of plan `plan_id` under the year's latest schemes of the period's cadence
/// (quarterly for a quarter, annual for the year; [`default_schemes`] when the office has saved
/// none, saved first so the run names their version) and stores it as
/// 初步结果. The change is against the latest run of the previous quarter (a year: the
/// previous year). Returns the run's id. `actor` is the office.
pub async fn run(
    store: &Store,
    actor: &Actor,
    plan_id: i64,
    period: Period,
) -> Result<i64, AppError> {
    let year = period.year();
    let cadence = Cadence::of(period)
        .ok_or_else(|| AppError::Invalid(format!("期间 {period} 应为年度或季度")))?;
    let mut found = schemes_of(store, year, cadence).await?;
    if found.is_empty() {
        for s in default_schemes(year, cadence) {
            store.save_assessment_scheme(actor, &s).await?;
        }
        found = schemes_of(store, year, cadence).await?;
    }
    let (versions, schemes): (Vec<_>, Vec<_>) = found.into_iter().unzip();
    let (inputs, kinds) = gather(store, actor, plan_id, period).await?;
    let previous = previous_places(store, actor, period).await?;
    let groups = assess(&schemes, &inputs, &kinds, &previous)
        .into_iter()
        .zip(&versions)
        .map(|(a, v)| qx_store::assessment::RunGroup {
            scheme_id: v.id,
            scores: a.scores,
            placed: a.placed,
        })
        .collect();
    let new = qx_store::assessment::NewRun {
        year,
        period: period.to_string(),
        plan_id,
        groups,
    };
    Ok(store.create_assessment_run(actor, &new).await?)
}

/// Unit id → its place in the latest run of the period before `period`.
async fn previous_places(
    store: &Store,
    actor: &Actor,
    period: Period,
) -> Result<HashMap<i64, u32>, AppError> {
    let Some(before) = period.previous() else {
        return Ok(HashMap::new());
    };
    let key = before.to_string();
    let Some(run) = store
        .assessment_runs(actor)
        .await?
        .into_iter()
        .find(|r| r.period == key)
    else {
        return Ok(HashMap::new());
    };
    Ok(store
        .assessment_ranking(actor, run.id)
        .await?
        .into_iter()
        .filter_map(|r| Some((r.unit_id, u32::try_from(r.place?).ok()?)))
        .collect())
}
