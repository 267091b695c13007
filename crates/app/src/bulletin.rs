//! Bulletins (月度快报 / 季度通报): a frozen [`Snapshot`] of a period's approved data, built
//! from the monitoring [`picture`], and its publication.
//!
//! - **Snapshot**: every indicator's approved 1—N月累计 figure, completion, 序时进度 and light;
//!   task counts and the lagging tasks; rankings of 镇乡(街道) and of 部门 (departments, zones
//!   and other county bodies) by the rule in [`qx_report::rank`] (indicators 60, tasks 20,
//!   punctuality 20); 企业难题 rates as the problems stood at the period's end.
//! - **Change since last period** (↑1/↓2): against the previous bulletin of the same kind
//!   (2017-05 for 2017-06, 2017Q1 for 2017Q2) as published; when that period was never
//!   published, against its picture computed now. The first period of the year has none.
//! - **Revisions**: the latest bulletin published for an earlier or equal period is compared,
//!   month by month, with today's approved figures; every figure that changed since is listed
//!   (and the new bulletin already uses the corrected figures).
//! - **Publishing** freezes the snapshot, renders .docx/.xlsx/.html from it and archives all
//!   of them in one audited transaction; afterwards the period is only ever served from the
//!   archive, so it reads the same after later corrections.

use crate::AppError;
use crate::monitoring::{Picture, picture};
use qx_core::access::Actor;
use qx_core::indicator::IndicatorKind;
use qx_core::label::{Labelled, Lang};
use qx_core::monitor::{Light, Reporting, TaskState};
use qx_core::period::Period;
use qx_core::state::SubmissionStatus;
use qx_store::bulletins::{Bulletin, BulletinFile, NewBulletin};
use qx_store::problems::RateFilter;
use qx_store::{Store, StoreError};
use std::collections::HashMap;

pub use qx_report as report;
use qx_report::{
    BulletinKind, IndicatorRow, LaggingTask, ProblemSummary, RankRow, Revision, SNAPSHOT_VERSION,
    Snapshot, Status, TaskSummary,
};

/// The file formats a bulletin is published in.
pub const FORMATS: [&str; 3] = ["docx", "xlsx", "html"];

/// The period a bulletin of `kind` covers: a month (`2017-06`) for 月度快报, a quarter
/// (`2017Q2`) for 季度通报.
pub fn parse_period(kind: BulletinKind, text: &str) -> Result<Period, AppError> {
    let p: Period = text
        .parse()
        .map_err(|e| AppError::Invalid(format!("期间 \"{text}\": {e}")))?;
    match (kind, p) {
        (BulletinKind::Monthly, Period::Month { .. })
        | (BulletinKind::Quarterly, Period::Quarter { .. }) => Ok(p),
        (BulletinKind::Monthly, _) => Err(AppError::Invalid(format!(
            "月度快报的期间应为月份, 如 2017-06 (got \"{text}\")"
        ))),
        (BulletinKind::Quarterly, _) => Err(AppError::Invalid(format!(
            "季度通报的期间应为季度, 如 2017Q2 (got \"{text}\")"
        ))),
    }
}

/// An indicator's place in the bulletin: its light, and for one without an approved figure
/// whether its report waits for review (待审核) or was never sent (未报送).
fn status(l: Light, reporting: Reporting) -> Status {
    match (l, reporting) {
        (Light::Green, _) => Status::Green,
        (Light::Yellow, _) => Status::Yellow,
        (Light::Red, _) => Status::Red,
        (Light::Grey, Reporting::PendingReview) => Status::Pending,
        (Light::Grey, _) => Status::Grey,
    }
}

/// Units' reports for the months of `period` still waiting for the office's review: their
/// figures are not in a bulletin built now. Issuing one asks for confirmation while any wait,
/// and the bulletin states how many did.
pub async fn pending_reports(
    store: &Store,
    actor: &Actor,
    plan_id: i64,
    period: Period,
) -> Result<usize, AppError> {
    let mut n = 0;
    for p in store.list_periods(actor, plan_id).await? {
        let Ok(month) = p.period.parse::<Period>() else {
            continue;
        };
        if !matches!(month, Period::Month { .. }) || !period.contains(&month) {
            continue;
        }
        n += store
            .period_progress(actor, p.id)
            .await?
            .iter()
            .filter(|u| {
                u.submission
                    .as_ref()
                    .is_some_and(|s| s.status == SubmissionStatus::Submitted)
            })
            .count();
    }
    Ok(n)
}

/// How units carried their own part up to a period, beyond what the picture holds.
#[derive(Debug, Default)]
pub(crate) struct Conduct {
    /// Unit id → the tasks it supports (配合), each with whether it is done or on track by
    /// the unit's own latest approved report.
    pub(crate) support: HashMap<i64, Vec<(i64, bool)>>,
    /// Unit id → mean days its reports were first sent before the due date's end.
    pub(crate) lead_days: HashMap<i64, f64>,
}

pub(crate) async fn conduct(
    store: &Store,
    actor: &Actor,
    plan_id: i64,
    period: Period,
) -> Result<Conduct, AppError> {
    let end_month = period.end_month();
    let in_range = |p: &str| {
        p.parse::<Period>()
            .is_ok_and(|p| p.year() == period.year() && p.end_month() <= end_month)
    };
    // Each unit's latest approved report on each task, up to the period.
    let mut latest: HashMap<(i64, i64), (String, TaskState)> = HashMap::new();
    for r in store.approved_task_reports(actor, plan_id).await? {
        if !in_range(&r.period) {
            continue;
        }
        let e = latest
            .entry((r.unit_id, r.task_id))
            .or_insert_with(|| (r.period.clone(), r.status));
        if r.period >= e.0 {
            *e = (r.period, r.status);
        }
    }
    let mut out = Conduct::default();
    for t in store.plan_tasks(actor, plan_id).await? {
        for (unit_id, role) in &t.units {
            if *role == qx_core::units::TaskRole::Lead {
                continue;
            }
            let on_track = latest
                .get(&(*unit_id, t.task.id))
                .is_some_and(|(_, s)| matches!(s, TaskState::Done | TaskState::OnTrack));
            out.support
                .entry(*unit_id)
                .or_default()
                .push((t.task.id, on_track));
        }
    }
    // How many days ahead of the due date each unit first sent its reports, on average.
    let due: HashMap<i64, i64> = store
        .list_periods(actor, plan_id)
        .await?
        .into_iter()
        .filter(|p| in_range(&p.period))
        .map(|p| (p.id, qx_core::time::end_of_day(p.due_on)))
        .collect();
    let mut leads: HashMap<i64, (f64, u32)> = HashMap::new();
    for sent in store.plan_first_submissions(actor, plan_id).await? {
        if let Some(due) = due.get(&sent.period_id) {
            let e = leads.entry(sent.unit_id).or_default();
            e.0 += (due - sent.submitted_at) as f64 / 86_400.0;
            e.1 += 1;
        }
    }
    out.lead_days = leads
        .into_iter()
        .map(|(id, (sum, n))| (id, sum / f64::from(n)))
        .collect();
    Ok(out)
}

/// Rankings of towns and of departments from a picture; `previous` = unit id → last place.
/// The scores and places are the 考核评价 engine's under the bulletin's two schemes
/// ([`crate::assessment::bulletin_schemes`]: indicators 60, tasks 20, punctuality 20); this
/// only lays them out as the bulletin's rows.
fn rankings(
    pic: &Picture,
    conduct: &Conduct,
    kinds: &HashMap<i64, String>,
    ids_by_name: &HashMap<String, i64>,
    previous: (&HashMap<i64, u32>, &HashMap<i64, u32>),
) -> (Vec<RankRow>, Vec<RankRow>) {
    use crate::assessment::{assess, bulletin_schemes, plan_sources::from_picture};
    use qx_core::assessment::Source;
    let inputs = from_picture(pic, conduct, ids_by_name);
    let kinds: HashMap<i64, qx_core::units::UnitKind> = kinds
        .iter()
        .filter_map(|(id, k)| Some((*id, qx_core::units::UnitKind::parse(k)?)))
        .collect();
    let mut before = previous.0.clone();
    before.extend(previous.1.iter().map(|(k, v)| (*k, *v)));
    let green: HashMap<i64, u32> = pic
        .indicators
        .iter()
        .filter(|i| i.assessment.light == Light::Green)
        .filter_map(|i| i.indicator.lead_unit_id)
        .fold(HashMap::new(), |mut m, id| {
            *m.entry(id).or_default() += 1;
            m
        });
    let reports: HashMap<i64, (u32, u32, u32)> = pic
        .units
        .iter()
        .map(|u| (u.unit_id, (u.owed, u.on_time, u.late)))
        .collect();
    let [towns, departments] = bulletin_schemes(pic.period.year());
    let mut rows = assess(&[towns, departments], &inputs, &kinds, &before)
        .into_iter()
        .map(|a| {
            a.placed
                .into_iter()
                .map(|p| {
                    let input = inputs.get(&p.unit_id);
                    let count = |source: Source| -> (u32, u32) {
                        input
                            .and_then(|u| u.measures.get(&source))
                            .map_or((0, 0), |m| {
                                let ok = m.facts.iter().filter(|f| f.value >= 1.0).count();
                                (ok as u32, m.count)
                            })
                    };
                    let (_, indicators_led) = count(Source::Indicators);
                    let (tasks_on_track, tasks_led) = count(Source::Tasks);
                    let (reports_owed, reports_on_time, reports_late) =
                        reports.get(&p.unit_id).copied().unwrap_or_default();
                    RankRow {
                        rank: p.place,
                        unit_id: p.unit_id,
                        unit: p.unit,
                        score: p.score,
                        indicators_on_track: green.get(&p.unit_id).copied().unwrap_or(0),
                        indicators_led,
                        tasks_on_track,
                        tasks_led,
                        reports_on_time,
                        reports_owed,
                        reports_late,
                        lead_days: p.lead_days,
                        change: p.change,
                    }
                })
                .collect::<Vec<_>>()
        });
    let towns = rows.next().unwrap_or_default();
    let departments = rows.next().unwrap_or_default();
    (towns, departments)
}

fn places(rows: &[RankRow]) -> HashMap<i64, u32> {
    rows.iter().map(|r| (r.unit_id, r.rank)).collect()
}

/// The bulletins published for a plan whose period ends at or before `end_month`, newest
/// period first (for revisions and the previous ranking).
async fn published_before(
    store: &Store,
    actor: &Actor,
    plan_id: i64,
    end_month: u8,
) -> Result<Vec<(Bulletin, Period)>, AppError> {
    let mut out: Vec<(Bulletin, Period)> = store
        .list_bulletins(actor, plan_id)
        .await?
        .into_iter()
        .filter_map(|b| {
            let p: Period = b.period.parse().ok()?;
            (p.end_month() <= end_month).then_some((b, p))
        })
        .collect();
    out.sort_by(|a, b| {
        b.1.end_month()
            .cmp(&a.1.end_month())
            .then(b.0.published_at.cmp(&a.0.published_at))
    });
    Ok(out)
}

/// A published bulletin's snapshot.
pub async fn published_snapshot(
    store: &Store,
    actor: &Actor,
    id: i64,
) -> Result<Snapshot, AppError> {
    let json = store.bulletin_snapshot(actor, id).await?;
    serde_json::from_str(&json)
        .map_err(|e| AppError::Invalid(format!("快报通报 {id} 的快照无法读取: {e}")))
}

/// Builds the snapshot of `plan_id` for `period` from today's approved data (the office's
/// preview; publishing freezes it). `issued_on` is the 成文日期 (ISO); `doc_number` the
/// 发文字号, or a placeholder for a preview.
pub async fn build_snapshot(
    store: &Store,
    actor: &Actor,
    plan_id: i64,
    kind: BulletinKind,
    period: Period,
    issued_on: &str,
    doc_number: Option<String>,
) -> Result<Snapshot, AppError> {
    if !actor.is_admin() {
        return Err(StoreError::Forbidden(
            "只有办公室可以生成快报通报预览; 请查看已印发的快报通报".into(),
        )
        .into());
    }
    let pic = picture(store, actor, plan_id, period).await?;
    if i64::from(period.year()) != pic.plan.year {
        return Err(AppError::Invalid(format!(
            "期间 {period} 不在方案年度 {} 内",
            pic.plan.year
        )));
    }
    let units = store.list_units().await?;
    let kinds: HashMap<i64, String> = units.iter().map(|u| (u.id, u.kind.to_string())).collect();
    let ids_by_name: HashMap<String, i64> = units.iter().map(|u| (u.name.clone(), u.id)).collect();
    let end_month = period.end_month();
    let earlier = published_before(store, actor, plan_id, end_month).await?;

    // The previous period's places: as published, else as computed now.
    let previous_period = period.previous().filter(|p| p.year() == period.year());
    let (prev_towns, prev_departments) = match previous_period {
        None => (HashMap::new(), HashMap::new()),
        Some(prev) => {
            let published = earlier.iter().find(|(b, p)| *p == prev && b.kind == kind);
            match published {
                Some((b, _)) => {
                    let snap = published_snapshot(store, actor, b.id).await?;
                    (places(&snap.towns), places(&snap.departments))
                }
                None => {
                    let prev_pic = picture(store, actor, plan_id, prev).await?;
                    let prev_conduct = conduct(store, actor, plan_id, prev).await?;
                    let empty = HashMap::new();
                    let (t, d) = rankings(
                        &prev_pic,
                        &prev_conduct,
                        &kinds,
                        &ids_by_name,
                        (&empty, &empty),
                    );
                    (places(&t), places(&d))
                }
            }
        }
    };
    let now_conduct = conduct(store, actor, plan_id, period).await?;
    let (towns, departments) = rankings(
        &pic,
        &now_conduct,
        &kinds,
        &ids_by_name,
        (&prev_towns, &prev_departments),
    );
    // A quarter whose assessment is final ranks as that run says (with its upheld objections).
    let (towns, departments) = crate::assessment::bulletin_ranking::from_final_run(
        store,
        actor,
        plan_id,
        period,
        towns,
        departments,
    )
    .await?;

    // Revisions since the latest bulletin published for this or an earlier period.
    let mut revisions = Vec::new();
    let mut revisions_since = None;
    if let Some((b, _)) = earlier
        .iter()
        .find(|(b, p)| !(*p == period && b.kind == kind))
    {
        let old = published_snapshot(store, actor, b.id).await?;
        let now: HashMap<i64, &Vec<Option<f64>>> = pic
            .indicators
            .iter()
            .map(|i| (i.indicator.id, &i.series))
            .collect();
        for was in &old.indicators {
            let Some(series) = now.get(&was.indicator_id) else {
                continue;
            };
            for (m, &before) in was.series.iter().enumerate() {
                let after = series.get(m).copied().flatten();
                let changed = match (before, after) {
                    (Some(a), Some(b)) => (a - b).abs() > 1e-9,
                    (None, None) => false,
                    _ => true,
                };
                if changed {
                    revisions.push(Revision {
                        indicator: was.name.clone(),
                        unit: was.unit.clone(),
                        month: m as u8 + 1,
                        before,
                        after,
                    });
                }
            }
        }
        revisions_since = Some(b.doc_number.clone());
    }

    let indicators = pic
        .indicators
        .iter()
        .map(|i| IndicatorRow {
            indicator_id: i.indicator.id,
            name: i.indicator.name.clone(),
            unit: i.indicator.unit.clone(),
            target: i.indicator.target_value.clone(),
            actual: i.actual,
            series: i.series.clone(),
            completion: i.assessment.completion,
            time_share: i.assessment.time_share,
            status: status(i.assessment.light, i.reporting),
            lead_unit: i.unit_name.clone(),
            progress_percent: i.kind == IndicatorKind::Milestone,
        })
        .collect();
    let tasks = TaskSummary {
        total: pic.tasks.len(),
        counts: TaskState::ALL
            .iter()
            .map(|s| (s.label_zh().to_string(), pic.task_count(*s)))
            .collect(),
        lagging: pic
            .tasks
            .iter()
            .filter(|t| t.state.is_lagging())
            .map(|t| LaggingTask {
                number: t.task.number.clone(),
                title: t.task.title.clone(),
                lead_units: t.lead_units.join("、"),
                state: t.state.label_zh().to_string(),
                status: status(t.state.light(), Reporting::NotReported),
                progress: t.progress.clone(),
            })
            .collect(),
    };

    let year = period.year();
    // As the problems stood at the period's end, so the section reads the same whenever
    // the bulletin is built.
    let rates = store
        .problem_rates_as_of(
            &RateFilter {
                from: Some(format!("{year}-01-01")),
                to: Some(period.last_day().to_string()),
                ..Default::default()
            },
            period.last_day(),
        )
        .await?;
    let problems = (rates.counts.total > 0).then(|| ProblemSummary {
        received: rates.counts.total as u64,
        answered: rates.counts.answered as u64,
        resolved: rates.counts.resolved as u64,
        overdue: rates.counts.overdue_unanswered as u64,
        answer_rate: rates.answer_rate.map(|r| r / 100.0),
        resolve_rate: rates.resolution_rate.map(|r| r / 100.0),
        satisfaction_rate: rates.satisfaction_rate.map(|r| r / 100.0),
    });

    let header = store.document_header().await?;
    Ok(Snapshot {
        version: SNAPSHOT_VERSION,
        kind,
        period: period.to_string(),
        year,
        end_month,
        plan_title: pic.plan.title.clone(),
        doc_number: doc_number.unwrap_or_else(|| header.doc_number("", period.year(), "（预览）")),
        issued_on: issued_on.to_string(),
        issuer: header.issuer,
        recipients: header.recipients,
        copy_to: header.copy_to,
        time_share: f64::from(end_month) / 12.0,
        indicators,
        tasks,
        towns,
        departments,
        revisions,
        revisions_since,
        problems,
        projects: crate::bulletin_projects::summary(store, actor, plan_id, &pic, period).await?,
        cultivation: crate::cultivation_bulletin::summary(store, &period.last_day().to_string())
            .await?,
        pending_reports: pending_reports(store, actor, plan_id, period).await?,
    })
}

/// A snapshot rendered in one format: (bytes, file name, MIME type).
pub fn render(s: &Snapshot, format: &str) -> Result<(Vec<u8>, String, &'static str), AppError> {
    let err = |e: qx_report::ReportError| AppError::Invalid(e.to_string());
    let stem = s.file_stem();
    match format {
        "docx" => Ok((
            qx_report::docx::render(s).map_err(err)?,
            format!("{stem}.docx"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        )),
        "xlsx" => Ok((
            qx_report::xlsx::render(s).map_err(err)?,
            format!("{stem}.xlsx"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )),
        "html" => Ok((
            qx_report::html::document(s).into_bytes(),
            format!("{stem}.html"),
            "text/html; charset=utf-8",
        )),
        other => Err(AppError::Invalid(format!(
            "格式 \"{other}\" 无效, 可选 docx|xlsx|html"
        ))),
    }
}

/// Publishes the bulletin of `plan_id` for `period`: the next 发文字号 of the year, the
/// snapshot frozen, every format rendered and archived. Office only; once per period.
pub async fn publish(
    store: &Store,
    actor: &Actor,
    plan_id: i64,
    kind: BulletinKind,
    period: Period,
    issued_on: &str,
) -> Result<i64, AppError> {
    if store
        .find_bulletin(actor, plan_id, kind, &period.to_string())
        .await?
        .is_some()
    {
        return Err(StoreError::Conflict(format!(
            "{period} 的{}已印发, 不能重复印发",
            kind.label(Lang::Zh)
        ))
        .into());
    }
    let seq = store
        .count_bulletins_of_year(i64::from(period.year()))
        .await?
        + 1;
    let doc_number = store
        .document_header()
        .await?
        .doc_number("", period.year(), &seq.to_string());
    let snapshot = build_snapshot(
        store,
        actor,
        plan_id,
        kind,
        period,
        issued_on,
        Some(doc_number.clone()),
    )
    .await?;
    let json = serde_json::to_string(&snapshot).map_err(|e| AppError::Invalid(e.to_string()))?;
    let mut files = Vec::new();
    for format in FORMATS {
        let (data, file_name, mime) = render(&snapshot, format)?;
        files.push(BulletinFile {
            format: format.to_string(),
            file_name,
            mime: mime.to_string(),
            data,
        });
    }
    Ok(store
        .publish_bulletin(
            actor,
            &NewBulletin {
                plan_id,
                kind,
                period: period.to_string(),
                doc_number,
                title: qx_report::text::title(&snapshot),
                snapshot_json: json,
                files,
            },
        )
        .await?)
}
