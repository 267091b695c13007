//! Demo monitoring: January to November of the plan year reported by every responsible unit,
//! reviewed by the office — most indicators on track, a few lagging, some units late, and
//! November still open (a few units missing, reports returned, one of them corrected and sent
//! again, some awaiting review). Nothing is stamped after the demo's today, 2017-12-05.
//! Each unit's report of a month carries its projects' 调度 (`crate::projects::Dispatch`),
//! saved before the report is sent, so the office's review approves or returns it with the rest.

use crate::DemoError;
use qx_core::access::{Actor, Role};
use qx_core::calendar::WorkCalendar;
use qx_core::indicator::IndicatorKind;
use qx_core::monitor::TaskState;
use qx_core::period::Period;
use qx_core::units::TaskRole;
use qx_store::Store;
use qx_store::monitoring::{NoFigure, SubmissionInput};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::collections::HashMap;

/// Share of a year's industrial total typically reached by the end of each month (Spring
/// Festival makes January–February light; December heavy).
const SEASON: [f64; 12] = [
    0.055, 0.11, 0.19, 0.27, 0.35, 0.44, 0.52, 0.60, 0.69, 0.78, 0.87, 1.0,
];

/// Units whose figures trail (so the dashboard has something to say) and how far.
const LAGGING: &[(&str, f64)] = &[
    ("工业投资增速", 0.55),
    ("新增规模以上企业", 0.72),
    ("实际利用外资(工业)", 0.68),
    ("新增授权发明专利", 0.86),
    ("签约项目", 0.88),
    ("高技能人才", 0.9),
];

/// What the unit whose November report was returned changes before sending it again.
const RESENT_NOTE: &str = "已核实: 上月数据漏报一家企业, 本月一并计入。";

/// Units that tend to report after the due date.
/// Why one November figure is missing (本月无数据): a statistics figure the unit cannot give yet.
const NO_FIGURE_REASON: &str = "统计口径调整，数据待统计局反馈";

const LATE_UNITS: &[&str] = &["县招商局", "墙头镇", "县人社局", "高塘岛乡"];

fn ts(date: time::Date, hour: u8) -> i64 {
    date.with_hms(hour, 30, 0)
        .map(|d| d.assume_offset(qx_core::time::CHINA).unix_timestamp())
        .unwrap_or(0)
}

/// A unit's progress text as units write it: what was done this month, or why it is behind.
fn progress_text(rng: &mut ChaCha8Rng, month: u8, status: TaskState) -> String {
    match status {
        TaskState::Done => "已全面完成, 相关材料已归档。".to_string(),
        TaskState::Behind => {
            let why = [
                "受用地指标影响, 进度慢于计划",
                "资金尚未完全到位",
                "前期审批手续仍在办理",
                "企业意向有所变化, 正在重新对接",
            ];
            format!("{}, 正协调推进。", why[rng.random_range(0..why.len())])
        }
        _ => {
            let steps = [
                "召开专题会议部署推进",
                "完成实施方案起草并征求意见",
                "走访重点企业, 梳理需求清单",
                "按计划推进, 完成月度节点",
                "完成阶段性任务, 形成工作台账",
            ];
            format!("{month}月{}。", steps[rng.random_range(0..steps.len())])
        }
    }
}

/// A one-page PDF showing `line` (ASCII), standing in for a scanned meeting record.
fn evidence_pdf(line: &str) -> Vec<u8> {
    let text: String = line
        .chars()
        .filter(|c| c.is_ascii() && !matches!(c, '(' | ')' | '\\'))
        .collect();
    let content = format!("BT /F1 14 Tf 60 760 Td ({text}) Tj ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_string(),
        format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for off in offsets {
        out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

pub async fn seed(
    store: &Store,
    plan_id: i64,
    projects: &crate::projects::Dispatch,
    rng: &mut ChaCha8Rng,
) -> Result<(), DemoError> {
    let system = Actor::system();
    let office = store
        .find_user_by_username("office2")
        .await?
        .ok_or_else(|| DemoError::Data("no office2 account".into()))?
        .actor();
    let plan = store.get_plan(&system, plan_id).await?;
    let year = plan.year as i32;
    let units = store.list_units().await?;
    let unit_name: HashMap<i64, String> = units.iter().map(|u| (u.id, u.name.clone())).collect();
    let users = store.list_users(&system).await?;
    let liaison: HashMap<i64, Actor> = users
        .iter()
        .filter(|u| u.profile.role == Role::Unit)
        .filter_map(|u| Some((u.profile.unit_id?, u.id)))
        .fold(HashMap::new(), |mut m, (unit, id)| {
            m.entry(unit).or_insert(id);
            m
        })
        .into_iter()
        .filter_map(|(unit, id)| {
            let u = users.iter().find(|x| x.id == id)?;
            Some((
                unit,
                Actor {
                    user_id: u.id,
                    username: u.username.clone(),
                    role: Role::Unit,
                    unit_id: Some(unit),
                    enterprise_id: None,
                    ip: String::new(),
                },
            ))
        })
        .collect();

    let indicators = store.plan_indicators(&system, plan_id).await?;
    let auto = store.auto_indicators(plan_id).await?;
    // How each indicator performs this year: most around target, the listed ones behind.
    let pace: HashMap<i64, f64> = indicators
        .iter()
        .map(|i| {
            let lag = LAGGING.iter().find(|(n, _)| i.name == *n).map(|(_, p)| *p);
            (i.id, lag.unwrap_or_else(|| rng.random_range(1.0..1.15)))
        })
        .collect();
    // Last year's monthly path, for seasonal forecasts.
    for i in &indicators {
        let kind = i.kind;
        if !matches!(kind, IndicatorKind::CumulativeCount | IndicatorKind::Amount) {
            continue;
        }
        let target: f64 = i.target_value.parse().unwrap_or(0.0);
        let ly_total = target * rng.random_range(0.8..0.95);
        for (m, share) in SEASON.iter().enumerate() {
            store
                .set_baseline(
                    &system,
                    i.id,
                    (m + 1) as i64,
                    &format!("{:.2}", ly_total * share),
                )
                .await?;
        }
    }

    let mut cal = WorkCalendar::weekends_only();
    for y in qx_core::calendar::OFFICIAL_CALENDARS
        .iter()
        .filter(|y| y.year == year)
    {
        cal.add_year(y.year, y.holiday_dates(), y.makeup_workdays.iter().copied())
            .map_err(|e| DemoError::Data(e.to_string()))?;
    }
    let tasks_all = store.plan_tasks(&system, plan_id).await?;
    let progress = store.period_progress_units(&system, plan_id).await?;
    // A few tasks stall mid-year and a few finish early.
    let stalled: Vec<i64> = tasks_all
        .iter()
        .filter(|_| rng.random_bool(0.06))
        .map(|t| t.task.id)
        .collect();

    let today = crate::DEMO_TODAY
        .replace_year(year)
        .map_err(|e| DemoError::Data(e.to_string()))?;
    // The latest a report is sent, and reviewed, on the demo's today.
    let (last_sent, last_review) = (ts(today, 8), ts(today, 9));
    // One returned November report is corrected and sent again (历次报送 shows 第2次报送).
    let mut resent = false;
    // One approved November report answers an amount 本月无数据 with its reason.
    let mut no_figure_given = false;
    for month in 1..=11u8 {
        let period = Period::new_month(year, month).map_err(|e| DemoError::Data(e.to_string()))?;
        let due = cal
            .add_working_days(period.last_day(), 5)
            .unwrap_or(period.last_day());
        let period_id = store
            .open_period(&office, plan_id, &period, &due.to_string())
            .await?;
        for &unit_id in &progress {
            let Some(actor) = liaison.get(&unit_id) else {
                continue;
            };
            let name = unit_name.get(&unit_id).cloned().unwrap_or_default();
            // November is still open: some units have not reported yet.
            if month == 11 && rng.random_bool(0.12) {
                continue;
            }
            let mut input = SubmissionInput::default();
            let mut no_figures: Vec<NoFigure> = Vec::new();
            for i in indicators
                .iter()
                .filter(|i| i.lead_unit_id == Some(unit_id))
            {
                let kind = i.kind;
                let target: f64 = i.target_value.parse().unwrap_or(0.0);
                let p = pace[&i.id];
                let m = usize::from(month);
                let value = match kind {
                    IndicatorKind::CumulativeCount => (target * p * SEASON[m - 1]).round().max(0.0),
                    IndicatorKind::Amount => {
                        target * p * SEASON[m - 1] * rng.random_range(0.97..1.03)
                    }
                    IndicatorKind::GrowthRate => {
                        target * p + rng.random_range(0.0..0.6) - if month <= 2 { 1.5 } else { 0.0 }
                    }
                    IndicatorKind::Share => (target * p.min(1.0)).min(100.0),
                    IndicatorKind::Milestone => (f64::from(month) / 12.0 * 100.0 * p).min(100.0),
                    IndicatorKind::LowerIsBetter => target * rng.random_range(0.85..1.02),
                };
                // 难题答复率/解决率 fill in from the problems module; units never report them
                // (the value is still drawn so the rest of the county stays the same).
                if auto.contains(&i.id) {
                    continue;
                }
                // The value is drawn all the same, so the rest of the county stays the same.
                if month == 11
                    && !no_figure_given
                    && kind == IndicatorKind::Amount
                    && unit_id % 13 != 0
                {
                    no_figure_given = true;
                    no_figures.push(NoFigure {
                        indicator_id: i.id,
                        reason: NO_FIGURE_REASON.into(),
                    });
                    continue;
                }
                input
                    .values
                    .push((i.id, format!("{value:.2}"), String::new()));
            }
            for t in tasks_all
                .iter()
                .filter(|t| t.units.iter().any(|(u, _)| *u == unit_id))
            {
                let lead = t
                    .units
                    .iter()
                    .any(|(u, r)| *u == unit_id && *r == TaskRole::Lead);
                let status = if stalled.contains(&t.task.id) && month >= 6 {
                    TaskState::OnTrack
                } else if t.task.id % 9 == 0 && month >= 7 {
                    TaskState::Done
                } else if t.task.id % 7 == 0 && month >= 4 {
                    TaskState::Behind
                } else if month == 1 && t.task.id % 3 == 0 {
                    TaskState::NotStarted
                } else {
                    TaskState::OnTrack
                };
                let text = if stalled.contains(&t.task.id) && month >= 6 {
                    format!(
                        "{}: 前期工作已完成, 等待上级批复。",
                        t.task.title.chars().take(14).collect::<String>()
                    )
                } else if lead {
                    progress_text(rng, month, status)
                } else {
                    format!("{name}配合完成{month}月相关工作。")
                };
                input
                    .tasks
                    .push((t.task.id, text, status.as_str().to_string()));
            }
            // A few units attach evidence (佐证材料) to a task they lead in the autumn.
            if month >= 10
                && unit_id % 4 == 0
                && let Some(t) = tasks_all.iter().find(|t| {
                    t.units
                        .iter()
                        .any(|(u, r)| *u == unit_id && *r == TaskRole::Lead)
                })
            {
                let file = qx_store::problems::NewAttachment {
                    filename: format!("{}_{}月推进情况佐证.pdf", t.task.number, month),
                    data: evidence_pdf(&format!(
                        "Xiangshan {year}-{month:02}: evidence for task {} (unit {unit_id})",
                        t.task.number
                    )),
                };
                store
                    .add_report_attachment(actor, period_id, unit_id, Some(t.task.id), &file)
                    .await?;
            }
            // The month's 调度 of the unit's projects, in the same report before it is sent.
            projects
                .report(store, actor, period_id, unit_id, month)
                .await?;
            let sub = store
                .save_report(actor, period_id, unit_id, &input, &no_figures, true)
                .await?;
            let late = LATE_UNITS.contains(&name.as_str()) && rng.random_bool(0.5);
            let submitted = if late {
                ts(
                    cal.add_working_days(due, rng.random_range(1..4))
                        .unwrap_or(due),
                    16,
                )
            } else {
                ts(
                    cal.add_working_days(period.last_day(), rng.random_range(1..5))
                        .unwrap_or(due),
                    10,
                )
            };
            let submitted = submitted.min(last_sent);
            let review_day = time::OffsetDateTime::from_unix_timestamp(submitted)
                .map(|d| d.date())
                .unwrap_or(due);
            let reviewed = ts(
                cal.add_working_days(review_day, 1).unwrap_or(review_day),
                15,
            )
            .min(last_review);
            // November: the office is still working through the pile.
            let (approve, returned) = match month {
                11 if rng.random_bool(0.35) => (false, false),
                11 if unit_id % 13 == 0 => (false, true),
                _ => (true, false),
            };
            // The 本月无数据 report is approved, so the dashboard's November shows it.
            let (approve, returned) = if no_figures.is_empty() {
                (approve, returned)
            } else {
                (true, false)
            };
            if approve {
                store.review_submission(&office, sub, true, "").await?;
            } else if returned {
                store
                    .review_submission(
                        &office,
                        sub,
                        false,
                        "请补充说明本月数据与上月差异较大的原因。",
                    )
                    .await?;
            }
            store
                .set_submission_times(
                    &system,
                    sub,
                    submitted,
                    (approve || returned).then_some(reviewed),
                )
                .await?;
            if returned && !resent {
                resent = true;
                if let Some(first) = input.values.first_mut() {
                    let figure: f64 = first.1.parse().unwrap_or(0.0);
                    first.1 = format!("{:.2}", figure * 1.05);
                    first.2 = RESENT_NOTE.to_string();
                } else if let Some(first) = input.tasks.first_mut() {
                    first.1 = format!("{} {RESENT_NOTE}", first.1);
                }
                store
                    .save_submission(actor, period_id, unit_id, &input, true)
                    .await?;
                // An hour after the return, still on the demo's today.
                store
                    .set_submission_times(&system, sub, reviewed + 3_600, None)
                    .await?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use qx_core::state::SendingDecision;

    /// The demo county on its today: no report sent or reviewed after 2017-12-05, and one
    /// November report returned with a comment and sent again with a changed figure.
    #[tokio::test]
    async fn the_demo_reports_stop_at_its_today_and_one_was_sent_again() {
        let (_dir, store) = crate::seeded_for_test().await;
        let system = Actor::system();
        let plan = store.list_plans(&system).await.unwrap()[0].id;
        let today = crate::DEMO_TODAY;
        let end_of_today = ts(today, 23);
        let mut resent = Vec::new();
        for period in store.list_periods(&system, plan).await.unwrap() {
            for u in store.period_progress(&system, period.id).await.unwrap() {
                let Some(sub) = u.submission else { continue };
                for at in [sub.submitted_at, sub.reviewed_at].into_iter().flatten() {
                    assert!(
                        at <= end_of_today,
                        "{} stamped after the demo's today",
                        sub.id
                    );
                }
                let sendings = store
                    .submission_sendings(&system, period.id, u.unit_id)
                    .await
                    .unwrap();
                for g in &sendings {
                    assert!(g.sent_at <= end_of_today && g.decided_at.unwrap_or(0) <= end_of_today);
                }
                if sendings.len() > 1 {
                    resent.push((period.period.clone(), sendings));
                }
            }
        }
        assert_eq!(resent.len(), 1, "one report sent twice");
        // One approved November figure is 本月无数据, with its reason.
        let marks = store.approved_no_figures(&system, plan).await.unwrap();
        assert_eq!(marks.len(), 1, "{marks:?}");
        assert_eq!(
            (marks[0].period.as_str(), marks[0].reason.as_str()),
            ("2017-11", NO_FIGURE_REASON)
        );
        let (period, sendings) = &resent[0];
        assert_eq!(period, "2017-11");
        // Newest first: the second sending awaits review, the first was returned with a comment.
        let (second, first) = (&sendings[0], &sendings[1]);
        assert_eq!(first.decision, Some(SendingDecision::Returned));
        assert!(!first.comment.is_empty());
        assert!(first.sent_at < first.decided_at.unwrap());
        assert!(first.decided_at.unwrap() < second.sent_at);
        assert_eq!(second.decision, None);
        assert!(
            first.values != second.values || first.tasks != second.tasks,
            "what changed shows"
        );
    }
}
