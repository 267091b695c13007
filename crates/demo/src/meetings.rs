//! 2017's 工业强县工作例会: twice a month, each with an agenda (escalated problems where there
//! are any, otherwise the year's typical coordination matters), the units' 情况说明, decisions
//! with lead and support units, and their 督办 items — most 销号 on time, a few late and red as
//! of 2017-12-05, the latest still open; the meeting of 12-19 is notified, not yet held. The
//! latest held meetings also take up escalated problems and projects behind (their decisions
//! on those records' timelines), and the day's 督办 sweep has run.

use crate::dating::HistoryClock;
use qx_core::access::{Actor, Role};
use qx_core::calendar::WorkCalendar;
use qx_core::meeting::{AgendaSource, MeetingKind, MeetingStep, SupervisionStep};
use qx_store::meetings::{NewAgendaItem, NewMeeting, NewResolution};
use qx_store::{Store, StoreError};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use time::{Date, Month};

/// Matters the meetings coordinate: (议题, 牵头单位, 配合单位, 议定事项).
const MATTERS: &[(&str, &str, &str, &str)] = &[
    (
        "亿元以上项目用地指标调剂",
        "县国土资源局",
        "县发改局",
        "县国土资源局牵头, 在全县范围内调剂用地指标, 保障重点项目按期供地",
    ),
    (
        "重点工业项目电力增容",
        "县供电公司",
        "县经信局",
        "县供电公司优先安排增容工程, 经信局跟踪项目用电需求",
    ),
    (
        "小升规企业培育扶持政策兑现",
        "县经信局",
        "县财政局",
        "县经信局会同财政局在一个月内完成扶持资金审核拨付",
    ),
    (
        "工业园区污水管网配套",
        "县住建局",
        "县环保局",
        "县住建局牵头加快管网建设, 环保局做好排污许可衔接",
    ),
    (
        "企业技改项目审批提速",
        "县发改局",
        "县规划管理中心",
        "实行技改项目备案并联审批, 发改局牵头制定流程",
    ),
    (
        "规上工业产值增速低于序时进度",
        "县统计局",
        "县经信局",
        "统计局会同经信局逐企分析产值增速, 提出稳增长措施",
    ),
];

fn unit_actor(unit: i64) -> Actor {
    Actor {
        user_id: 0,
        username: "督办联络员".into(),
        role: Role::Unit,
        unit_id: Some(unit),
        enterprise_id: None,
        ip: String::new(),
    }
}

fn add(cal: &WorkCalendar, d: Date, n: u32) -> Date {
    cal.add_working_days(d, n).unwrap_or(d)
}

pub async fn seed(
    store: &Store,
    office: &Actor,
    rng: &mut ChaCha8Rng,
    clock: &mut HistoryClock<'_>,
) -> Result<(), StoreError> {
    let units = store.list_units().await?;
    let unit = |name: &str| units.iter().find(|u| u.name == name).map(|u| u.id);
    let matters: Vec<(&str, i64, i64, &str)> = MATTERS
        .iter()
        .filter_map(|(item, lead, support, decision)| {
            Some((*item, unit(lead)?, unit(support)?, *decision))
        })
        .collect();
    if matters.is_empty() {
        return Ok(());
    }
    let cal = store.work_calendar().await?;
    let today = crate::DEMO_TODAY;
    // Escalated problems still open and projects behind go on the latest held meetings'
    // agendas.
    let proposals = store.agenda_proposals(office).await?;
    let of = |source: AgendaSource| {
        proposals
            .iter()
            .filter(move |p| p.item.source == source)
            .cloned()
    };
    let mut problems = of(AgendaSource::Problem);
    let mut projects = of(AgendaSource::Project);
    let mut days = Vec::new();
    for m in 1..=12u8 {
        let month = Month::try_from(m).map_err(|e| StoreError::Invalid(e.to_string()))?;
        for d in [8, 22] {
            let day = Date::from_calendar_date(2017, month, d)
                .map_err(|e| StoreError::Invalid(e.to_string()))?;
            days.push(cal.next_working_day(day).unwrap_or(day));
        }
    }
    days.retain(|d| *d <= date_after(today, 14));
    for (n, held_on) in days.iter().copied().enumerate() {
        let picks: Vec<_> = (0..rng.random_range(2..=3usize))
            .map(|k| matters[(n * 2 + k) % matters.len()])
            .collect();
        let mut attending: Vec<i64> = picks.iter().flat_map(|(_, l, s, _)| [*l, *s]).collect();
        attending.sort_unstable();
        attending.dedup();
        let id = store
            .create_meeting(
                office,
                &NewMeeting {
                    kind: if n % 6 == 5 {
                        MeetingKind::Coordination
                    } else {
                        MeetingKind::Regular
                    },
                    title: if n % 6 == 5 {
                        "亿元以上项目协调会".into()
                    } else {
                        "工业强县工作例会".into()
                    },
                    held_on,
                    place: "县行政中心三楼会议室".into(),
                    convenor: "县长".into(),
                    unit_ids: attending,
                },
            )
            .await?;
        let mut items = Vec::new();
        for (text, lead, support, decision) in &picks {
            let item = store
                .add_agenda_item(
                    office,
                    id,
                    &NewAgendaItem {
                        source: AgendaSource::Manual,
                        source_id: None,
                        text: (*text).to_string(),
                        unit_id: Some(*lead),
                    },
                )
                .await?;
            items.push((item, *lead, *support, *decision));
        }
        // The last held meetings also take up an escalated problem and a project behind.
        if held_on > date_after(today, -60) && held_on <= today {
            let proposed = [
                (
                    problems.next(),
                    "由责任单位牵头, 十个工作日内协调解决并报送结果",
                ),
                (
                    projects.next(),
                    "由责任单位牵头倒排工期, 逐月报送投资进度, 确保按期推进",
                ),
            ];
            for (p, decision) in proposed {
                let Some(p) = p else { continue };
                let item = store.add_agenda_item(office, id, &p.item).await?;
                if let Some(u) = p.item.unit_id {
                    items.push((item, u, u, decision));
                }
            }
        }
        // Units are told a week ahead, and send their statements within two days.
        let notified = date_after(held_on, -7).min(today);
        if held_on > today {
            // The next meeting: notified, statements coming in.
            store
                .meeting_step(office, id, MeetingStep::Notify, None)
                .await?;
            clock.mark_on(notified, 9).await?;
            if let Some((item, lead, _, _)) = items.first() {
                store
                    .give_statement(
                        &unit_actor(*lead),
                        *item,
                        "已排出时间表, 正在推进, 详见附件说明。",
                    )
                    .await?;
                clock
                    .mark_on(date_after(notified, 1).min(today), 15)
                    .await?;
            }
            continue;
        }
        store
            .meeting_step(office, id, MeetingStep::Notify, None)
            .await?;
        clock.mark_on(notified, 9).await?;
        for (item, lead, _, _) in &items {
            store
                .give_statement(
                    &unit_actor(*lead),
                    *item,
                    "已与相关单位对接, 主要困难和需协调事项如下: 时间紧、审批环节多, 请会议协调。",
                )
                .await?;
        }
        clock.mark_on(date_after(notified, 2), 15).await?;
        store
            .meeting_step(office, id, MeetingStep::Hold, None)
            .await?;
        clock.mark_on(held_on, 11).await?;
        for (k, (item, lead, support, decision)) in items.iter().enumerate() {
            let deadline = add(&cal, held_on, 10 + 5 * k as u32);
            let sid = store
                .record_resolution(
                    office,
                    &NewResolution {
                        meeting_id: id,
                        agenda_item_id: Some(*item),
                        text: (*decision).to_string(),
                        lead_unit_id: *lead,
                        support_unit_ids: if support == lead {
                            vec![]
                        } else {
                            vec![*support]
                        },
                        deadline,
                    },
                )
                .await?;
            // The decisions are handed out the day after the meeting.
            clock.mark_on(add(&cal, held_on, 1).min(today), 9).await?;
            let u = unit_actor(*lead);
            // A 督办 step on `day`, its notices dated at `hour` o'clock that day.
            let mut step = async |actor: &Actor,
                                  step: SupervisionStep,
                                  note: &str,
                                  day: Date,
                                  hour: i64|
                   -> Result<(), StoreError> {
                store.supervision_step(actor, sid, step, note, day).await?;
                clock.mark_on(day, hour).await
            };
            // Most are closed on time; one in twenty is left late (red), one in ten is returned
            // once and closed after the second feedback; the recent ones are still in hand.
            let fate = rng.random_range(0..20);
            let acknowledged = add(&cal, held_on, 1).min(today);
            step(&u, SupervisionStep::Acknowledge, "", acknowledged, 10).await?;
            let fed_back = add(&cal, held_on, 8 + k as u32);
            if fed_back > today || fate == 0 {
                step(
                    &u,
                    SupervisionStep::Handle,
                    "已启动办理, 正在协调相关部门。",
                    acknowledged,
                    11,
                )
                .await?;
                continue;
            }
            step(
                &u,
                SupervisionStep::Feedback,
                "已按会议要求办结, 相关材料已报办公室。",
                fed_back,
                16,
            )
            .await?;
            let mut closed = add(&cal, fed_back, 1);
            if fate <= 2 && closed <= today {
                step(
                    office,
                    SupervisionStep::Return,
                    "办理结果与会议要求不符, 请补充落实情况。",
                    closed,
                    10,
                )
                .await?;
                let again = add(&cal, closed, 3);
                if again > today {
                    continue;
                }
                step(
                    &u,
                    SupervisionStep::Feedback,
                    "已补充落实, 相关批复已取得。",
                    again,
                    16,
                )
                .await?;
                closed = add(&cal, again, 1);
            }
            if closed <= today {
                step(office, SupervisionStep::Close, "", closed, 10).await?;
            }
        }
        if held_on < date_after(today, -10) {
            // 纪要 issued for every meeting but the latest.
            let issued = add(&cal, held_on, 2);
            let dated = qx_core::time::format_date(issued);
            qx_app::meetings::issue_minutes(store, office, id, &dated)
                .await
                .map_err(|e| StoreError::Invalid(e.to_string()))?;
            clock.mark_on(issued, 14).await?;
        }
    }
    // The day's 督办 sweep: the red, yellow and blue items have told their units.
    store.sweep_meetings(today).await?;
    Ok(())
}

fn date_after(d: Date, days: i64) -> Date {
    d.checked_add(time::Duration::days(days)).unwrap_or(d)
}
