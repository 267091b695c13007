//! A unit's projects and 招商 for the year (`store/projects`): 开工率 (started ÷ the year's
//! projects not halted), 投资完成率 (本年已完成投资 ÷ 年度计划投资 over those with a plan), and
//! counts of 亿元以上 projects started, projects signed and registered. Stages are the
//! projects' stages as recorded today (the library keeps no stage history per period yet).

use crate::AppError;
use qx_core::access::Actor;
use qx_core::assessment::{Fact, Measure, Source, UnitInputs};
use qx_core::label::{Labelled, Lang};
use qx_core::project::Stage;
use qx_store::Store;
use qx_store::projects::{Project, ProjectFilter};
use std::collections::{BTreeMap, HashMap};

/// Adds the project measures to every unit in `units` responsible for a project of `year`.
/// `actor` must read every project (the office).
pub async fn add(
    store: &Store,
    actor: &Actor,
    year: i32,
    units: &mut BTreeMap<i64, UnitInputs>,
) -> Result<(), AppError> {
    let list = store
        .list_projects(
            actor,
            &ProjectFilter {
                year: Some(year),
                ..Default::default()
            },
        )
        .await?;
    let mut by_unit: HashMap<i64, Vec<&Project>> = HashMap::new();
    for row in &list.rows {
        by_unit
            .entry(row.project.unit_id)
            .or_default()
            .push(&row.project);
    }
    for (id, projects) in by_unit {
        if let Some(u) = units.get_mut(&id) {
            for (source, m) in measures(&projects) {
                u.measures.insert(source, m);
            }
        }
    }
    Ok(())
}

fn fact(p: &Project, value: f64) -> Fact {
    Fact {
        record: format!("project:{}", p.id),
        label: format!("{} ({})", p.name, p.stage.label(Lang::Zh)),
        value,
        expected: None,
    }
}

/// The five project measures of one unit's projects.
pub fn measures(projects: &[&Project]) -> Vec<(Source, Measure)> {
    let live: Vec<&&Project> = projects
        .iter()
        .filter(|p| p.stage != Stage::Halted)
        .collect();
    let started = |p: &Project| p.stage.reached(Stage::Started);
    let start_rate = Measure::mean_of(
        live.iter()
            .map(|p| fact(p, if started(p) { 1.0 } else { 0.0 }))
            .collect(),
    );
    let planned: Vec<&&&Project> = live
        .iter()
        .filter(|p| p.annual_plan_wan.is_some_and(|v| v > 0.0))
        .collect();
    let plan: f64 = planned.iter().filter_map(|p| p.annual_plan_wan).sum();
    let done: f64 = planned.iter().filter_map(|p| p.completed_wan).sum();
    let investment = Measure {
        value: (plan > 0.0).then(|| done / plan),
        count: planned.len() as u32,
        facts: planned
            .iter()
            .map(|p| Fact {
                expected: p.annual_plan_wan,
                ..fact(p, p.completed_wan.unwrap_or(0.0))
            })
            .collect(),
    };
    let count = |keep: &dyn Fn(&Project) -> bool| {
        Measure::count_of(
            live.iter()
                .filter(|p| keep(p))
                .map(|p| fact(p, 1.0))
                .collect(),
        )
    };
    vec![
        (Source::ProjectStartRate, start_rate),
        (Source::ProjectInvestmentRate, investment),
        (
            Source::BigProjectsStarted,
            count(&|p| p.is_major() && started(p)),
        ),
        (
            Source::InvestmentSigned,
            count(&|p| p.stage.reached(Stage::Signed)),
        ),
        (
            Source::InvestmentRegistered,
            count(&|p| p.stage.reached(Stage::Registered)),
        ),
    ]
}
