//! A unit's projects and 招商 for the year as they stood at the period's end
//! (`store/projects`): 开工率 (started ÷ the year's projects not halted), 投资完成率 (本年已完成投资
//! ÷ 年度计划投资 over those with a plan), and counts of 亿元以上 projects started, projects
//! signed and registered. A project's stage at the period's end comes from its stages' actual
//! dates (a stage reached after the end is not reached; a project halted after it still
//! counts); the investment figure is the year's approved 调度 up to the period's last month
//! (`Store::project_completed_as_of`, the rule the bulletin's project section reads too).

use crate::AppError;
use qx_core::access::Actor;
use qx_core::assessment::{Fact, Measure, Source, UnitInputs};
use qx_core::label::{Labelled, Lang};
use qx_core::period::Period;
use qx_core::project::{PIPELINE, Stage};
use qx_store::Store;
use qx_store::projects::{LibraryRow, Project};
use std::collections::{BTreeMap, HashMap};
use time::Date;

/// A project and the stage it stood at on the period's last day.
#[derive(Debug, Clone, Copy)]
pub struct AsOf<'a> {
    pub project: &'a Project,
    pub stage: Stage,
    /// 本年已完成投资 (万元) as of the period's last month.
    pub completed_wan: Option<f64>,
}

/// The stage `row` stood at on `day`: 中止 when it is halted since a day not after `day`, else
/// the furthest stage reached by then. A stage without an actual date counts as reached on the
/// next dated stage's day (the current stage's day is its `stage_since`); a project with no
/// stage reached by `day` stands at 在谈.
pub fn stage_on(row: &LibraryRow, day: Date) -> Stage {
    let p = &row.project;
    let since = qx_core::time::parse_date(&p.stage_since);
    let halted = p.stage == Stage::Halted;
    if halted && since.is_some_and(|s| s <= day) {
        return Stage::Halted;
    }
    let date = |r: usize| row.actual[r].as_deref().and_then(qx_core::time::parse_date);
    // Halted after `day`: it stood at the furthest stage with a date.
    let current = p
        .stage
        .rank()
        .or_else(|| (0..PIPELINE.len()).rev().find(|&r| date(r).is_some()));
    let Some(current) = current else {
        return Stage::Negotiating;
    };
    let mut on = if halted { None } else { since };
    for r in (0..=current).rev() {
        on = date(r).or(on);
        if on.is_some_and(|d| d <= day) {
            return PIPELINE[r];
        }
    }
    Stage::Negotiating
}

/// Adds the project measures, as of `period`'s last day, to every unit in `units` responsible
/// for a project of the period's year. `actor` must read every project (the office).
pub async fn add(
    store: &Store,
    actor: &Actor,
    period: Period,
    units: &mut BTreeMap<i64, UnitInputs>,
) -> Result<(), AppError> {
    let year = i64::from(period.year());
    let day = period.last_day();
    let library: Vec<LibraryRow> = store
        .project_library(actor)
        .await?
        .into_iter()
        .filter(|r| r.project.year == year)
        .collect();
    let done = store.project_completed_as_of(&period).await?;
    let mut by_unit: HashMap<i64, Vec<AsOf>> = HashMap::new();
    for row in &library {
        by_unit.entry(row.project.unit_id).or_default().push(AsOf {
            project: &row.project,
            stage: stage_on(row, day),
            completed_wan: done
                .get(&row.project.id)
                .copied()
                .unwrap_or(row.project.completed_wan),
        });
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

fn fact(p: &AsOf, value: f64) -> Fact {
    Fact {
        record: format!("project:{}", p.project.id),
        label: format!("{} ({})", p.project.name, p.stage.label(Lang::Zh)),
        value,
        expected: None,
    }
}

/// The five project measures of one unit's projects at their stages as of the period's end.
pub fn measures(projects: &[AsOf]) -> Vec<(Source, Measure)> {
    let live: Vec<&AsOf> = projects
        .iter()
        .filter(|p| p.stage != Stage::Halted)
        .collect();
    let started = |p: &AsOf| p.stage.reached(Stage::Started);
    let start_rate = Measure::mean_of(
        live.iter()
            .map(|p| fact(p, if started(p) { 1.0 } else { 0.0 }))
            .collect(),
    );
    let planned: Vec<&&AsOf> = live
        .iter()
        .filter(|p| p.project.annual_plan_wan.is_some_and(|v| v > 0.0))
        .collect();
    let plan: f64 = planned
        .iter()
        .filter_map(|p| p.project.annual_plan_wan)
        .sum();
    let done: f64 = planned.iter().filter_map(|p| p.completed_wan).sum();
    let investment = Measure {
        value: (plan > 0.0).then(|| done / plan),
        count: planned.len() as u32,
        facts: planned
            .iter()
            .map(|p| Fact {
                expected: p.project.annual_plan_wan,
                ..fact(p, p.completed_wan.unwrap_or(0.0))
            })
            .collect(),
    };
    let count = |keep: &dyn Fn(&AsOf) -> bool| {
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
            count(&|p| p.project.is_major() && started(p)),
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
