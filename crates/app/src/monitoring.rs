//! The monitoring picture of a plan at the end of a period, computed from approved figures
//! only: every indicator's value, completion, 序时进度, light, trend and forecast; every task's
//! state; every unit's punctuality. The leaders' dashboard and the bulletins are views of it.

use crate::AppError;
use qx_core::access::{Actor, ScopeFilter};
use qx_core::indicator::IndicatorKind;
use qx_core::monitor::{self, Assessment, Forecast, ForecastBasis, Light, Reporting, TaskState};
use qx_core::period::{Period, TimeProfile};
use qx_core::state::SubmissionStatus;
use qx_core::units::UnitKind;
use qx_store::Store;
use qx_store::indicator_source::IndicatorSource;
use qx_store::monitoring::ApprovedTaskReport;
use qx_store::plans::{Indicator, Plan, Task};
use qx_store::problems::RateFilter;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone, Serialize)]
pub struct IndicatorStatus {
    pub indicator: Indicator,
    pub kind: IndicatorKind,
    pub target: f64,
    pub unit_name: String,
    /// 1—N月累计 figures by month (index 0 = January) up to the period's month.
    pub series: Vec<Option<f64>>,
    /// The figure at the period's end.
    pub actual: Option<f64>,
    pub assessment: Assessment,
    pub forecast: Option<Forecast>,
    /// What the forecast rests on (pages print the figure only when it is a projection).
    pub forecast_basis: ForecastBasis,
    /// Last year's figure for the same months, when known.
    pub last_year: Option<f64>,
    /// Whether the period's figure is approved, waiting for review, or not sent.
    pub reporting: Reporting,
    /// The reason of each month its approved report said 本月无数据 (index 0 = January), up to
    /// the period's month: no figure that month, not zero.
    pub no_figures: Vec<Option<String>>,
}

impl IndicatorStatus {
    /// The unit the figures are in (percent done for a 形象进度 milestone, whatever unit its
    /// target is written in): what a figure, a table column or a chart axis is labelled with.
    pub fn measure_unit(&self) -> &str {
        self.kind.measure_unit(&self.indicator.unit)
    }

    /// Why the period's month has no figure, when its approved report said 本月无数据.
    pub fn no_figure(&self) -> Option<&str> {
        self.no_figures.last().and_then(|r| r.as_deref())
    }

    /// Where the figure should be at the end of each month, in [`Self::measure_unit`]: the
    /// year's full measure times 序时进度 for kinds that accumulate, the full measure throughout
    /// for rates and shares.
    pub fn expected_path(&self) -> [f64; 12] {
        let prof = profile(&self.indicator.profile);
        let full = self.kind.full_measure(self.target);
        std::array::from_fn(|m| {
            if monitor::accumulates(self.kind) {
                let share = prof
                    .share_at((m + 1) as u8)
                    .and_then(|d| d.to_string().parse().ok())
                    .unwrap_or((m + 1) as f64 / 12.0);
                full * share
            } else {
                full
            }
        })
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct TaskStatus {
    pub task: Task,
    pub state: TaskState,
    pub lead_units: Vec<String>,
    pub support_units: Vec<String>,
    /// The lead unit's latest approved progress text.
    pub progress: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct UnitPunctuality {
    pub unit_id: i64,
    pub unit_name: String,
    pub unit_kind: UnitKind,
    /// Periods owed so far, reported on time, reported late, not reported.
    pub owed: u32,
    pub on_time: u32,
    pub late: u32,
    pub missing: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct Picture {
    pub plan: Plan,
    pub period: Period,
    pub indicators: Vec<IndicatorStatus>,
    pub tasks: Vec<TaskStatus>,
    pub units: Vec<UnitPunctuality>,
}

impl Picture {
    pub fn count(&self, light: Light) -> usize {
        self.indicators
            .iter()
            .filter(|i| i.assessment.light == light)
            .count()
    }

    /// Indicators whose figure for the period is approved, waiting for review, or not sent.
    pub fn reporting_count(&self, r: Reporting) -> usize {
        self.indicators.iter().filter(|i| i.reporting == r).count()
    }

    pub fn task_count(&self, state: TaskState) -> usize {
        self.tasks.iter().filter(|t| t.state == state).count()
    }
}

fn num(s: &str) -> Option<f64> {
    s.trim().parse().ok()
}

/// A stored profile; the store only ever writes valid ones, so a bad one reads as linear.
fn profile(text: &str) -> TimeProfile {
    text.parse().unwrap_or(TimeProfile::Linear)
}

/// 难题答复率 and 难题解决率 (percent) as of the end of each month of `year` up to `month`:
/// problems received from 1 January to the month's end, counted as they stood at the end of
/// that day (answers and closings after it do not count; today, for the running month), so a
/// month's figure never changes afterwards. Months not yet begun have no figure.
async fn problem_series(
    store: &Store,
    year: i32,
    month: usize,
) -> Result<Vec<(Option<f64>, Option<f64>)>, AppError> {
    let today = qx_core::time::today();
    let mut out = Vec::with_capacity(month);
    for m in 1..=month as u8 {
        let Ok(p) = Period::new_month(year, m) else {
            out.push((None, None));
            continue;
        };
        let last = p.last_day();
        if last.replace_day(1).is_ok_and(|first| first > today) {
            out.push((None, None));
            continue;
        }
        let filter = RateFilter {
            from: Some(format!("{year}-01-01")),
            to: Some(last.to_string()),
            ..Default::default()
        };
        let rates = store.problem_rates_as_of(&filter, last.min(today)).await?;
        out.push((rates.answer_rate, rates.resolution_rate));
    }
    Ok(out)
}

/// The projects module's stage counts as of the end of each month of `year` up to `month`
/// (today, for the running month), by the stages' actual dates, so a month's figure never
/// changes afterwards. Months not yet begun have none, nor any month while the library is empty.
async fn project_series(
    store: &Store,
    year: i32,
    month: usize,
) -> Result<Vec<Option<qx_store::projects::StageCounts>>, AppError> {
    let today = qx_core::time::today();
    let mut out = Vec::with_capacity(month);
    if !store.has_projects().await? {
        return Ok(vec![None; month]);
    }
    for m in 1..=month as u8 {
        let Ok(p) = Period::new_month(year, m) else {
            out.push(None);
            continue;
        };
        let last = p.last_day();
        if last.replace_day(1).is_ok_and(|first| first > today) {
            out.push(None);
            continue;
        }
        out.push(Some(
            store
                .project_stage_counts_as_of(year, last.min(today))
                .await?,
        ));
    }
    Ok(out)
}

/// 企业培育库 counts for each cultivation source among `sources`: entries that reached the
/// source's milestone from 1 January to each month's end (today, for the running month), by the
/// date each move says the stage was reached. Months not yet begun have no figure, nor any
/// month while the library is empty.
pub async fn cultivation_series(
    store: &Store,
    sources: &HashMap<i64, IndicatorSource>,
    year: i32,
    month: usize,
) -> Result<HashMap<IndicatorSource, Vec<Option<f64>>>, AppError> {
    let today = qx_core::time::today();
    let mut out = HashMap::new();
    let counted = sources
        .values()
        .any(|s| s.cultivation_milestone().is_some());
    let empty = counted && !store.has_cultivation_entries().await?;
    let reached = if counted && !empty {
        let to = Period::new_year(year)
            .map_err(|e| AppError::Invalid(e.to_string()))?
            .last_day()
            .min(today);
        store
            .cultivation_reached_by_month(year, &to.to_string())
            .await?
    } else {
        HashMap::new()
    };
    for source in sources.values() {
        let Some(milestone) = source.cultivation_milestone() else {
            continue;
        };
        if out.contains_key(source) {
            continue;
        }
        let months = reached.get(&milestone).copied().unwrap_or([0; 12]);
        let mut series = Vec::with_capacity(month);
        let mut sum = 0;
        for m in 1..=month as u8 {
            sum += months.get(usize::from(m) - 1).copied().unwrap_or(0);
            let Ok(p) = Period::new_month(year, m) else {
                series.push(None);
                continue;
            };
            let last = p.last_day();
            if empty || last.replace_day(1).is_ok_and(|first| first > today) {
                series.push(None);
                continue;
            }
            series.push(Some(sum as f64));
        }
        out.insert(*source, series);
    }
    Ok(out)
}

/// An indicator's monthly series from the projects module, for a source that is one of its.
fn project_figures(
    source: IndicatorSource,
    series: &[Option<qx_store::projects::StageCounts>],
) -> Option<Vec<Option<f64>>> {
    let pick: fn(&qx_store::projects::StageCounts) -> Option<f64> = match source {
        IndicatorSource::ProjectsSigned => |c| Some(c.signed as f64),
        IndicatorSource::ProjectsRegistered => |c| Some(c.registered as f64),
        IndicatorSource::ProjectsStarted => |c| Some(c.started as f64),
        IndicatorSource::ProjectsProducing => |c| Some(c.producing as f64),
        IndicatorSource::ProjectMajorStartRate => |c| c.major_start_rate(),
        // 万美元 → 亿美元 and 万元 → 亿元, as the plan states 实际利用外资 and 利用内资.
        IndicatorSource::ProjectsForeignCapital => |c| Some(c.foreign_wusd / 10_000.0),
        IndicatorSource::ProjectsDomesticCapital => |c| Some(c.domestic_wan / 10_000.0),
        _ => return None,
    };
    Some(series.iter().map(|c| c.as_ref().and_then(pick)).collect())
}

/// Computes the picture of `plan_id` at the end of `period` (a month, or a quarter/year, which
/// is read at its last month). Every figure is read in a fixed number of queries (a few per
/// month for plans with indicators that fill in from the problems module), whatever the
/// number of indicators, tasks, units and periods.
pub async fn picture(
    store: &Store,
    actor: &Actor,
    plan_id: i64,
    period: Period,
) -> Result<Picture, AppError> {
    let plan = store.get_plan(actor, plan_id).await?;
    let month = period.end_month() as usize;
    let units: HashMap<i64, (String, UnitKind)> = store
        .list_units()
        .await?
        .into_iter()
        .map(|u| (u.id, (u.name, u.kind)))
        .collect();
    let indicators = store.plan_indicators(actor, plan_id).await?;
    let sources = store.indicator_sources(plan_id).await?;
    let approved = store.approved_values(actor, plan_id).await?;
    let no_figures = store.approved_no_figures(actor, plan_id).await?;
    let baselines = store.baselines(actor, plan_id).await?;
    let thresholds = store.monitor_thresholds().await?;
    let problems = if sources.is_empty() {
        Vec::new()
    } else {
        problem_series(store, period.year(), month).await?
    };
    let projects = if sources.values().any(|s| project_figures(*s, &[]).is_some()) {
        project_series(store, period.year(), month).await?
    } else {
        Vec::new()
    };
    let cultivation = cultivation_series(store, &sources, period.year(), month).await?;

    // Where each unit's report for the period's (last) month stands: an indicator without an
    // approved figure is waiting for review when its unit has sent it, else not reported.
    let month_name = Period::new_month(period.year(), month as u8)
        .map(|p| p.to_string())
        .unwrap_or_default();
    let mut sent: HashMap<i64, SubmissionStatus> = HashMap::new();
    if let Some(p) = store
        .list_periods(actor, plan_id)
        .await?
        .into_iter()
        .find(|p| p.period == month_name)
    {
        for u in store.period_progress(actor, p.id).await? {
            if let Some(s) = u.submission {
                sent.insert(u.unit_id, s.status);
            }
        }
    }

    // Figures by indicator and month of the plan's year.
    let mut by_indicator: HashMap<i64, [Option<f64>; 12]> = HashMap::new();
    for v in &approved {
        let Ok(p) = v.period.parse::<Period>() else {
            continue;
        };
        if let (Some(x), Period::Month { .. }) = (num(&v.value), &p) {
            by_indicator.entry(v.indicator_id).or_insert([None; 12])[p.end_month() as usize - 1] =
                Some(x);
        }
    }
    // 本月无数据 reasons by indicator and month, as the figures.
    let mut marks: HashMap<i64, Vec<Option<String>>> = HashMap::new();
    for n in no_figures {
        let Ok(p @ Period::Month { .. }) = n.period.parse::<Period>() else {
            continue;
        };
        let m = p.end_month() as usize;
        if m <= month {
            marks
                .entry(n.indicator_id)
                .or_insert_with(|| vec![None; month])[m - 1] = Some(n.reason);
        }
    }
    let mut rows = Vec::with_capacity(indicators.len());
    for ind in indicators {
        let kind = ind.kind;
        let target = num(&ind.target_value).unwrap_or(0.0);
        let series: Vec<Option<f64>> = match sources.get(&ind.id) {
            // Filled in from the problems module, whatever a unit may have reported.
            Some(IndicatorSource::ProblemAnswerRate) => problems.iter().map(|r| r.0).collect(),
            Some(IndicatorSource::ProblemSolveRate) => problems.iter().map(|r| r.1).collect(),
            // Filled in from the projects module (重大项目库).
            Some(source) if project_figures(*source, &[]).is_some() => {
                project_figures(*source, &projects).unwrap_or_default()
            }
            // Filled in from the 企业培育库.
            Some(source) if cultivation.contains_key(source) => cultivation[source].clone(),
            _ => {
                let all = by_indicator.get(&ind.id).copied().unwrap_or([None; 12]);
                all[..month].to_vec()
            }
        };
        // Reported by its lead unit (not filled in by a module).
        let by_hand = !sources.get(&ind.id).is_some_and(|s| s.is_auto());
        let no_figures = marks
            .remove(&ind.id)
            .filter(|_| by_hand)
            .unwrap_or_else(|| vec![None; month]);
        let marked = no_figures.last().is_some_and(Option::is_some);
        // A month answered 本月无数据 has no figure: completion and light stand where the last
        // figure left them.
        let actual = if marked {
            series.iter().rev().find_map(|v| *v)
        } else {
            series.last().copied().flatten()
        };
        let prof = profile(&ind.profile);
        let share = prof
            .share_for(&period)
            .to_string()
            .parse::<f64>()
            .unwrap_or(month as f64 / 12.0);
        let assessment = monitor::assess(kind, actual, target, share, thresholds);
        let ly: Option<[f64; 12]> = baselines.get(&ind.id).and_then(|b| {
            let mut out = [0.0; 12];
            for (m, v) in b {
                let idx = usize::try_from(*m).ok()?.checked_sub(1)?;
                *out.get_mut(idx)? = num(v)?;
            }
            (b.len() == 12).then_some(out)
        });
        let forecast = monitor::forecast(kind, &series, target, ly.as_ref(), |m| {
            prof.share_at(m)
                .and_then(|d| d.to_string().parse().ok())
                .unwrap_or(f64::from(m) / 12.0)
        });
        let reporting = if actual.is_some() || marked {
            Reporting::Approved
        } else if by_hand
            && ind
                .lead_unit_id
                .and_then(|u| sent.get(&u))
                .is_some_and(|s| *s == SubmissionStatus::Submitted)
        {
            Reporting::PendingReview
        } else {
            Reporting::NotReported
        };
        rows.push(IndicatorStatus {
            reporting,
            no_figures,
            forecast_basis: monitor::forecast_basis(kind, &series, target),
            unit_name: ind
                .lead_unit_id
                .and_then(|u| units.get(&u).map(|x| x.0.clone()))
                .unwrap_or_default(),
            last_year: ly.map(|l| l[month - 1]),
            indicator: ind,
            kind,
            target,
            series,
            actual,
            assessment,
            forecast,
        });
    }

    // Tasks: the lead's latest approved report up to the period, deadline, staleness.
    let periods_so_far: HashMap<String, usize> = (1..=month as u8)
        .filter_map(|m| {
            Period::new_month(plan.year as i32, m)
                .ok()
                .map(|p| p.to_string())
        })
        .enumerate()
        .map(|(i, p)| (p, i))
        .collect();
    let mut reports_by_task: HashMap<i64, Vec<ApprovedTaskReport>> = HashMap::new();
    // Ordered by period, so each task's list is in time order.
    for r in store.approved_task_reports(actor, plan_id).await? {
        if periods_so_far.contains_key(&r.period) {
            reports_by_task.entry(r.task_id).or_default().push(r);
        }
    }
    let plan_tasks = store.plan_tasks(actor, plan_id).await?;
    // Units that owe a report (the store's one definition: an automatic indicator asks
    // nothing of its unit, a collective name owes nothing).
    let owing = store.period_progress_units(actor, plan_id).await?;
    let mut tasks = Vec::with_capacity(plan_tasks.len());
    for t in plan_tasks {
        let lead: Vec<i64> = t
            .units
            .iter()
            .filter(|(_, r)| *r == qx_core::units::TaskRole::Lead)
            .map(|(u, _)| *u)
            .collect();
        let mine: Vec<&ApprovedTaskReport> = reports_by_task
            .get(&t.task.id)
            .map(|rs| rs.iter().filter(|r| lead.contains(&r.unit_id)).collect())
            .unwrap_or_default();
        let latest = mine.last();
        let reported = latest.map(|r| r.status);
        // Stale: how many periods since the progress text last changed.
        let mut stale = 0u32;
        if let Some(last) = latest {
            let last_idx = periods_so_far.get(&last.period).copied().unwrap_or(0);
            stale = (periods_so_far.len() - 1 - last_idx) as u32;
            let changed = mine
                .windows(2)
                .rev()
                .take_while(|w| w[0].progress == w[1].progress)
                .count();
            stale += changed as u32;
        }
        let past_deadline = deadline_month(&t.task.deadline).is_some_and(|m| m < month as u8);
        let name = |u: &i64| units.get(u).map(|x| x.0.clone()).unwrap_or_default();
        tasks.push(TaskStatus {
            state: monitor::task_state(reported, past_deadline, stale),
            lead_units: lead.iter().map(name).collect(),
            support_units: t
                .units
                .iter()
                .filter(|(_, r)| *r != qx_core::units::TaskRole::Lead)
                .map(|(u, _)| name(u))
                .collect(),
            progress: latest.map(|r| r.progress.clone()).unwrap_or_default(),
            task: t.task,
        });
    }

    // Punctuality over the periods opened so far: when each owing unit first sent each report.
    let first_sent: HashMap<(i64, i64), i64> = store
        .plan_first_submissions(actor, plan_id)
        .await?
        .into_iter()
        .map(|s| ((s.period_id, s.unit_id), s.submitted_at))
        .collect();
    let mut punctual: HashMap<i64, UnitPunctuality> = HashMap::new();
    let now = qx_store::now();
    for p in store.list_periods(actor, plan_id).await? {
        let Ok(pp) = p.period.parse::<Period>() else {
            continue;
        };
        if pp.end_month() as usize > month {
            continue;
        }
        let due = qx_core::time::end_of_day(p.due_on);
        for &unit_id in &owing {
            // Every owing unit is a unit (the foreign key): none is skipped here.
            let Some((name, kind)) = units.get(&unit_id).cloned() else {
                continue;
            };
            let e = punctual.entry(unit_id).or_insert(UnitPunctuality {
                unit_id,
                unit_name: name,
                unit_kind: kind,
                owed: 0,
                on_time: 0,
                late: 0,
                missing: 0,
            });
            e.owed += 1;
            match first_sent.get(&(p.id, unit_id)).copied() {
                Some(at) if at <= due => e.on_time += 1,
                Some(_) => e.late += 1,
                None if now > due => e.missing += 1,
                None => e.owed -= 1,
            }
        }
    }
    let mut units_list: Vec<UnitPunctuality> = punctual.into_values().collect();
    units_list.sort_by(|a, b| {
        let rate = |u: &UnitPunctuality| {
            if u.owed == 0 {
                1.0
            } else {
                f64::from(u.on_time) / f64::from(u.owed)
            }
        };
        rate(b).total_cmp(&rate(a)).then(a.unit_id.cmp(&b.unit_id))
    });

    Ok(Picture {
        plan,
        period,
        indicators: rows,
        tasks,
        units: units_list,
    })
}

/// The period a dashboard opens on: the latest month whose figures are (nearly) all approved
/// (at least 90% as many as the best month) — a half-reviewed month would show as mostly grey;
/// January of the plan's year before anything is approved.
pub async fn default_period(store: &Store, actor: &Actor, plan: &Plan) -> Result<Period, AppError> {
    let mut per_month: Vec<(Period, i64)> = store
        .approved_counts_by_period(actor, plan.id)
        .await?
        .into_iter()
        .filter_map(|(p, n)| Some((p.parse::<Period>().ok()?, n)))
        .collect();
    per_month.sort();
    let best = per_month.iter().map(|(_, n)| *n).max().unwrap_or(0);
    match per_month.iter().rev().find(|(_, n)| *n * 10 >= best * 9) {
        Some((p, _)) => Ok(*p),
        None => {
            Period::new_month(plan.year as i32, 1).map_err(|e| AppError::Invalid(e.to_string()))
        }
    }
}

/// What a cached picture was computed from: the database's change stamp (every audited write
/// moves it, on every app server), the office's threshold setting (read with it, so even a
/// setting written outside an audited transaction is seen), and the day in China time (overdue
/// reports and problem deadlines turn over at midnight without any write).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Stamp {
    seq: i64,
    hash: String,
    yellow_gap: Option<String>,
    day: time::Date,
}

type Slot = Arc<tokio::sync::Mutex<Option<(Stamp, Arc<Picture>)>>>;

/// Pictures by plan and period, valid while nothing has changed since they were computed.
/// The leaders' dashboard reads it on every request; a write anywhere (a submission, a
/// review, a problem step, a setting) makes the next request compute afresh. Concurrent
/// requests for the same picture wait for one computation instead of each running their own.
///
/// The picture depends on who asks only through the actor's unit scope (a unit sees where its
/// own report stands, not other units'), so pictures are kept per plan, period and scope: the
/// office and leaders share one. Each call still checks that the actor may read the plan
/// before anything is served.
pub struct PictureCache {
    slots: Mutex<HashMap<(i64, Period, ScopeFilter), Slot>>,
    /// Each plan's [`default_period`], under the stamp it was read at.
    periods: Mutex<HashMap<i64, (Stamp, Period)>>,
    enabled: bool,
}

impl Default for PictureCache {
    fn default() -> Self {
        PictureCache {
            slots: Mutex::new(HashMap::new()),
            periods: Mutex::new(HashMap::new()),
            enabled: true,
        }
    }
}

/// Plans × periods kept at most; past it the cache starts over (periods come from the URL).
const CACHE_SLOTS: usize = 64;

impl std::fmt::Debug for PictureCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PictureCache").finish_non_exhaustive()
    }
}

impl PictureCache {
    /// A cache that computes every picture afresh: the benchmarks' baseline, or to rule the
    /// cache out when a view looks stale.
    pub fn disabled() -> Self {
        PictureCache {
            enabled: false,
            ..Default::default()
        }
    }

    /// Whether pictures are kept (false for [`PictureCache::disabled`]); views that cache what
    /// they derive from a picture follow suit.
    pub fn is_enabled(&self) -> bool {
        self.enabled
    }

    /// The picture of `plan_id` at `period`, from the cache when nothing has changed.
    pub async fn picture(
        &self,
        store: &Store,
        actor: &Actor,
        plan_id: i64,
        period: Period,
    ) -> Result<Arc<Picture>, AppError> {
        if !self.enabled {
            return Ok(Arc::new(picture(store, actor, plan_id, period).await?));
        }
        // Scope first: a draft plan is the office's alone.
        store.get_plan(actor, plan_id).await?;
        let stamp = stamp(store).await?;
        self.picture_at(store, actor, plan_id, period, stamp).await
    }

    /// What a dashboard shows: the picture of `plan` at `period`, or at the plan's
    /// [`default_period`] when none is asked for, reading the change stamp once.
    ///
    /// `plan` must come from a read made as `actor` (`get_plan`/`list_plans` check the scope);
    /// it is not read again.
    pub async fn view(
        &self,
        store: &Store,
        actor: &Actor,
        plan: &Plan,
        period: Option<Period>,
    ) -> Result<(Period, Arc<Picture>), AppError> {
        if !self.enabled {
            let period = match period {
                Some(p) => p,
                None => default_period(store, actor, plan).await?,
            };
            return Ok((
                period,
                Arc::new(picture(store, actor, plan.id, period).await?),
            ));
        }
        let stamp = stamp(store).await?;
        let period = match period {
            Some(p) => p,
            None => self.default_period_at(store, actor, plan, &stamp).await?,
        };
        let pic = self
            .picture_at(store, actor, plan.id, period, stamp)
            .await?;
        Ok((period, pic))
    }

    async fn picture_at(
        &self,
        store: &Store,
        actor: &Actor,
        plan_id: i64,
        period: Period,
        stamp: Stamp,
    ) -> Result<Arc<Picture>, AppError> {
        let slot = {
            let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
            let key = (plan_id, period, actor.unit_filter());
            if slots.len() >= CACHE_SLOTS && !slots.contains_key(&key) {
                slots.clear();
            }
            slots.entry(key).or_default().clone()
        };
        let mut entry = slot.lock().await;
        if let Some((s, pic)) = entry.as_ref()
            && *s == stamp
        {
            return Ok(pic.clone());
        }
        // Stored under the stamp read before computing: a write that lands meanwhile moves the
        // stamp, so the next request computes again rather than trusting this one.
        let pic = Arc::new(picture(store, actor, plan_id, period).await?);
        *entry = Some((stamp, pic.clone()));
        Ok(pic)
    }

    /// [`default_period`], from the cache when nothing has changed.
    pub async fn default_period(
        &self,
        store: &Store,
        actor: &Actor,
        plan: &Plan,
    ) -> Result<Period, AppError> {
        if !self.enabled {
            return default_period(store, actor, plan).await;
        }
        let stamp = stamp(store).await?;
        self.default_period_at(store, actor, plan, &stamp).await
    }

    async fn default_period_at(
        &self,
        store: &Store,
        actor: &Actor,
        plan: &Plan,
        stamp: &Stamp,
    ) -> Result<Period, AppError> {
        if let Some((s, p)) = self.lock_periods().get(&plan.id)
            && s == stamp
        {
            return Ok(*p);
        }
        let period = default_period(store, actor, plan).await?;
        let mut periods = self.lock_periods();
        if periods.len() >= CACHE_SLOTS {
            periods.clear();
        }
        periods.insert(plan.id, (stamp.clone(), period));
        Ok(period)
    }

    fn lock_periods(&self) -> std::sync::MutexGuard<'_, HashMap<i64, (Stamp, Period)>> {
        self.periods.lock().unwrap_or_else(|e| e.into_inner())
    }
}

async fn stamp(store: &Store) -> Result<Stamp, AppError> {
    let (seq, hash, yellow_gap) = store
        .change_stamp_with(qx_store::monitoring::YELLOW_GAP_KEY)
        .await?;
    Ok(Stamp {
        seq,
        hash,
        yellow_gap,
        day: qx_core::time::today(),
    })
}

/// The month a 时间节点 like "2017年6月底前" or "6月" names, if any.
pub fn deadline_month(text: &str) -> Option<u8> {
    let t = text.trim();
    if t.contains("年底") || t.contains("年内") || t.contains("全年") {
        return Some(12);
    }
    let before_month = t.split('月').next()?;
    let digits: String = before_month
        .chars()
        .rev()
        .take_while(|c| c.is_ascii_digit())
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    digits.parse().ok().filter(|m| (1..=12).contains(m))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadlines_are_read_from_plan_wording() {
        assert_eq!(deadline_month("2017年6月底前"), Some(6));
        assert_eq!(deadline_month("10月"), Some(10));
        assert_eq!(deadline_month("年底前"), Some(12));
        assert_eq!(deadline_month("长期"), None);
    }
}
