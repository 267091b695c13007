//! The bulletin's 重大项目推进情况 (`qx_report::ProjectSummary`): the year's projects as they stood
//! at the period's end. Counts by stage come from `Store::project_stage_counts_as_of` (the same
//! figures the plan's project indicators read), each beside the plan's target where the plan has
//! that indicator; the 亿元以上 开工率; the year's investment plan against the approved monthly
//! 调度 up to the period's last month (`Store::project_completed_as_of`, the figure 考核评价's
//! 投资完成率 reads too); and the projects lagging (the light's rule: investment behind 序时进度 or the next stage
//! past its planned date) or raising a funnel alert, all judged on the period's last day.
//! `None` while the library holds no project, so the section says there is no data.

use crate::AppError;
use crate::monitoring::Picture;
use qx_core::access::Actor;
use qx_core::label::Labelled;
use qx_core::monitor::Light;
use qx_core::period::Period;
use qx_core::project::{Stage, funnel_alert};
use qx_report::{ProjectLag, ProjectStageCount, ProjectSummary};
use qx_store::Store;
use qx_store::indicator_source::IndicatorSource;

/// At most this many lagging projects are listed (the worst investment first).
const LAGGING_SHOWN: usize = 15;

/// The plan's target for the indicator fed by `source`, as written with its unit.
fn target(
    pic: &Picture,
    sources: &std::collections::HashMap<i64, IndicatorSource>,
    source: IndicatorSource,
) -> Option<String> {
    pic.indicators
        .iter()
        .find(|i| sources.get(&i.indicator.id) == Some(&source))
        .map(|i| {
            format!(
                "{}{}",
                i.indicator.target_value.trim(),
                i.indicator.unit.trim()
            )
        })
}

pub(crate) async fn summary(
    store: &Store,
    actor: &Actor,
    plan_id: i64,
    pic: &Picture,
    period: Period,
) -> Result<Option<ProjectSummary>, AppError> {
    if !store.has_projects().await? {
        return Ok(None);
    }
    let year = period.year();
    let day = period.last_day();
    let projects = store
        .project_progress_as_of(actor, year, &period, day)
        .await?;
    if projects.is_empty() {
        return Ok(None);
    }
    let counts = store.project_stage_counts_as_of(year, day).await?;
    let sources = store.indicator_sources(plan_id).await?;
    let stages = [
        (
            Stage::Signed,
            counts.signed,
            IndicatorSource::ProjectsSigned,
        ),
        (
            Stage::Registered,
            counts.registered,
            IndicatorSource::ProjectsRegistered,
        ),
        (
            Stage::Started,
            counts.started,
            IndicatorSource::ProjectsStarted,
        ),
        (
            Stage::Producing,
            counts.producing,
            IndicatorSource::ProjectsProducing,
        ),
    ]
    .into_iter()
    .map(|(stage, n, source)| ProjectStageCount {
        stage: stage.label_zh().to_string(),
        count: u64::try_from(n).unwrap_or(0),
        target: target(pic, &sources, source),
    })
    .collect();
    let judging = store.project_judging().await?;
    let mut lagging = Vec::new();
    let (mut planned, mut completed) = (0.0, 0.0);
    for p in &projects {
        if p.stage == Stage::Halted {
            continue;
        }
        planned += p.annual_plan_wan.unwrap_or(0.0);
        completed += p.completed_wan.unwrap_or(0.0);
        let light = qx_core::project::light(
            p.completed_wan,
            p.annual_plan_wan,
            &period,
            p.next_planned,
            day,
            judging.thresholds,
        );
        let alert = p
            .since
            .and_then(|since| funnel_alert(p.stage, since, day, &judging.alert_days));
        let mut issues = Vec::new();
        if light.investment == Light::Red {
            issues.push("投资进度滞后".to_string());
        }
        if light.overdue {
            issues.push("阶段逾期".to_string());
        }
        if let Some(a) = alert {
            issues.push(a.label(qx_core::label::Lang::Zh).to_string());
        }
        if !issues.is_empty() {
            lagging.push(ProjectLag {
                name: p.name.clone(),
                unit: p.unit_name.clone(),
                stage: p.stage.label_zh().to_string(),
                completion: light.completion,
                issues: issues.join("、"),
            });
        }
    }
    lagging.sort_by(|a, b| {
        a.completion
            .unwrap_or(f64::MAX)
            .total_cmp(&b.completion.unwrap_or(f64::MAX))
    });
    lagging.truncate(LAGGING_SHOWN);
    Ok(Some(ProjectSummary {
        total: projects.len() as u64,
        major: projects.iter().filter(|p| p.major).count() as u64,
        stages,
        major_planned_to_start: u64::try_from(counts.major_planned_to_start).unwrap_or(0),
        major_started: u64::try_from(counts.major_started).unwrap_or(0),
        start_rate: counts.major_start_rate().map(|r| r / 100.0),
        start_rate_target: target(pic, &sources, IndicatorSource::ProjectMajorStartRate),
        planned_investment: planned / 10_000.0,
        completed_investment: completed / 10_000.0,
        lagging,
    }))
}
