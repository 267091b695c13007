//! 督办 follow-up in the store, on every engine: stuck projects proposed for the agenda and a
//! decision on one written on its timeline; the daily sweep telling a lead unit once per colour
//! and reminding a unit of its 情况说明; 按期销号率 by unit.

use qx_core::access::{Actor, Role};
use qx_core::meeting::{AgendaSource, MeetingKind, MeetingStep, SupervisionStep};
use qx_core::notice::{NoticeKind, Subject};
use qx_core::project::{CapitalKind, EventKind, Source};
use qx_core::units::UnitKind;
use qx_store::Store;
use qx_store::meetings::{NewAgendaItem, NewMeeting, NewResolution};
use qx_store::notices::InboxQuery;
use qx_store::projects::ProjectInput;
use qx_store::testing;
use qx_store::units::NewUnit;
use time::Date;
use time::macros::date;

fn unit(name: &str) -> NewUnit {
    NewUnit {
        kind: UnitKind::Department,
        name: name.into(),
        full_name: name.into(),
        region_code: None,
        parent_id: None,
        slug: name.into(),
        aliases: vec![],
        sort_order: 0,
    }
}

fn unit_actor(unit_id: i64) -> Actor {
    Actor {
        user_id: 0,
        username: "unit".into(),
        role: Role::Unit,
        unit_id: Some(unit_id),
        enterprise_id: None,
        ip: String::new(),
    }
}

fn project(name: &str, unit_id: i64, stuck: bool) -> ProjectInput {
    let planned = |d: Date| stuck.then_some(d);
    ProjectInput {
        year: 2017,
        name: name.into(),
        investor: "宁波某投资有限公司".into(),
        credit_code: None,
        capital_kind: CapitalKind::Domestic,
        source: Source::Investment,
        industry: "汽车零部件".into(),
        town_id: None,
        total_investment_wan: 12_000.0,
        foreign_contract_wusd: None,
        annual_plan_wan: stuck.then_some(1_000.0),
        completed_wan: stuck.then_some(100.0),
        land_mu: None,
        content: String::new(),
        unit_id,
        contact: String::new(),
        leader_user_id: None,
        planned: [
            planned(date!(2017 - 03 - 01)),
            planned(date!(2017 - 05 - 01)),
            planned(date!(2017 - 08 - 01)),
            planned(date!(2017 - 12 - 01)),
        ],
    }
}

/// A held meeting on `on` with one decision for `lead` due `deadline`; returns (meeting, 督办).
async fn decided(s: &Store, lead: i64, on: Date, deadline: Date, text: &str) -> (i64, i64) {
    let office = Actor::system();
    let id = s
        .create_meeting(
            &office,
            &NewMeeting {
                kind: MeetingKind::Regular,
                title: "工业强县工作例会".into(),
                held_on: on,
                place: String::new(),
                convenor: "县长".into(),
                unit_ids: vec![lead],
            },
        )
        .await
        .unwrap();
    s.meeting_step(&office, id, MeetingStep::Hold, None)
        .await
        .unwrap();
    let sid = s
        .record_resolution(
            &office,
            &NewResolution {
                meeting_id: id,
                agenda_item_id: None,
                text: text.into(),
                lead_unit_id: lead,
                support_unit_ids: vec![],
                deadline,
            },
        )
        .await
        .unwrap();
    (id, sid)
}

async fn kinds(s: &Store, who: &Actor) -> Vec<NoticeKind> {
    s.inbox(
        who,
        InboxQuery {
            limit: 500,
            ..InboxQuery::default()
        },
    )
    .await
    .unwrap()
    .into_iter()
    .map(|n| n.kind)
    .collect()
}

#[tokio::test]
async fn stuck_projects_are_proposed_and_a_decision_lands_on_their_timeline() {
    for db in testing::all().await.unwrap() {
        let s = &db.store;
        let office = Actor::system();
        let jxj = s.create_unit(&office, &unit("县经信局")).await.unwrap();
        let since = date!(2017 - 01 - 10);
        let red = s
            .create_project(
                &office,
                &project("年产50万套汽车轮毂项目", jxj, true),
                since,
            )
            .await
            .unwrap();
        let quiet = s
            .create_project(&office, &project("智能仓储项目", jxj, false), since)
            .await
            .unwrap();
        let proposals = s.agenda_proposals(&office).await.unwrap();
        let projects: Vec<_> = proposals
            .iter()
            .filter(|p| p.item.source == AgendaSource::Project)
            .collect();
        assert_eq!(projects.len(), 1, "{proposals:?}");
        let p = projects[0];
        assert_eq!(p.item.source_id, Some(red));
        assert_eq!(p.item.unit_id, Some(jxj));
        assert!(
            p.item.text.contains("年产50万套汽车轮毂项目"),
            "{}",
            p.item.text
        );
        assert!(p.item.text.contains("红灯"), "{}", p.item.text);
        assert!(p.item.text.contains("节点逾期"), "{}", p.item.text);
        assert!(
            !proposals
                .iter()
                .any(|p| p.item.source_id == Some(quiet) && p.item.source == AgendaSource::Project)
        );

        // The decision taken on the project's item is on the project's timeline.
        let id = s
            .create_meeting(
                &office,
                &NewMeeting {
                    kind: MeetingKind::Coordination,
                    title: "重大项目协调会".into(),
                    held_on: date!(2017 - 12 - 12),
                    place: String::new(),
                    convenor: "县长".into(),
                    unit_ids: vec![],
                },
            )
            .await
            .unwrap();
        let item = s
            .add_agenda_item(
                &office,
                id,
                &NewAgendaItem {
                    source: AgendaSource::Project,
                    source_id: Some(red),
                    text: p.item.text.clone(),
                    unit_id: Some(jxj),
                },
            )
            .await
            .unwrap();
        s.meeting_step(&office, id, MeetingStep::Hold, None)
            .await
            .unwrap();
        let (_, notices) = s
            .record_resolution_noticed(
                &office,
                &NewResolution {
                    meeting_id: id,
                    agenda_item_id: Some(item),
                    text: "县国土资源局两周内完成用地报批".into(),
                    lead_unit_id: jxj,
                    support_unit_ids: vec![],
                    deadline: date!(2017 - 12 - 29),
                },
            )
            .await
            .unwrap();
        assert_eq!(notices.len(), 1);
        let events = s.project_detail(&office, red).await.unwrap().events;
        let decision = events
            .iter()
            .find(|e| e.kind == EventKind::Decision)
            .expect("a decision event");
        assert!(
            decision.note.contains("县国土资源局两周内完成用地报批")
                && decision.note.contains("县经信局")
                && decision.note.contains("2017-12-29"),
            "{}",
            decision.note
        );
        let quiet_events = s.project_detail(&office, quiet).await.unwrap().events;
        assert!(!quiet_events.iter().any(|e| e.kind == EventKind::Decision));
    }
}

#[tokio::test]
async fn the_sweep_tells_the_lead_unit_once_per_colour_and_reminds_statements() {
    for db in testing::all().await.unwrap() {
        let s = &db.store;
        let office = Actor::system();
        let jxj = s.create_unit(&office, &unit("县经信局")).await.unwrap();
        let land = s.create_unit(&office, &unit("县国土资源局")).await.unwrap();
        // Held Monday 12-04; feedback due ten working days on (12-18); deadline Friday 12-29.
        let (_, sid) = decided(
            s,
            jxj,
            date!(2017 - 12 - 04),
            date!(2017 - 12 - 29),
            "用地报批",
        )
        .await;
        let a = unit_actor(jxj);
        let count = |k: NoticeKind, v: &[NoticeKind]| v.iter().filter(|x| **x == k).count();

        // On track: nothing.
        let r = s.sweep_meetings(date!(2017 - 12 - 05)).await.unwrap();
        assert_eq!((r.coloured, r.notices.len()), (0, 0));
        // Feedback overdue (12-19): yellow, told once however often the sweep runs.
        let r = s.sweep_meetings(date!(2017 - 12 - 19)).await.unwrap();
        assert_eq!((r.coloured, r.notices.len()), (1, 1));
        let r = s.sweep_meetings(date!(2017 - 12 - 19)).await.unwrap();
        assert_eq!((r.coloured, r.notices.len()), (1, 0));
        assert_eq!(count(NoticeKind::SupervisionYellow, &kinds(s, &a).await), 1);
        // The unit reports back: no longer behind; three working days before the deadline
        // it turns blue.
        for (step, note) in [
            (SupervisionStep::Acknowledge, ""),
            (SupervisionStep::Feedback, "已完成报批材料"),
        ] {
            s.supervision_step(&a, sid, step, note, date!(2017 - 12 - 20))
                .await
                .unwrap();
        }
        let r = s.sweep_meetings(date!(2017 - 12 - 26)).await.unwrap();
        assert_eq!(r.notices.len(), 1);
        assert_eq!(count(NoticeKind::SupervisionBlue, &kinds(s, &a).await), 1);
        // Past the deadline: red, to the unit and the office, once.
        let r = s.sweep_meetings(date!(2018 - 01 - 02)).await.unwrap();
        assert_eq!(r.notices.len(), 2);
        assert_eq!(
            s.sweep_meetings(date!(2018 - 01 - 03))
                .await
                .unwrap()
                .notices,
            Vec::<i64>::new()
        );
        let unit_kinds = kinds(s, &a).await;
        assert_eq!(count(NoticeKind::SupervisionOverdue, &unit_kinds), 1);
        assert_eq!(
            count(NoticeKind::SupervisionOverdue, &kinds(s, &office).await),
            1
        );
        let other = kinds(s, &unit_actor(land)).await;
        assert_eq!(count(NoticeKind::SupervisionOverdue, &other), 0);
        // Closed: nothing more.
        s.supervision_step(
            &office,
            sid,
            SupervisionStep::Close,
            "",
            date!(2018 - 01 - 03),
        )
        .await
        .unwrap();
        assert_eq!(
            s.sweep_meetings(date!(2018 - 01 - 10))
                .await
                .unwrap()
                .coloured,
            0
        );

        // 情况说明: a meeting on Tuesday 12-12 wants statements by Friday 12-08; the unit
        // that owes one is reminded from the working day before (12-07), once; the unit that
        // gave it is not.
        let id = s
            .create_meeting(
                &office,
                &NewMeeting {
                    kind: MeetingKind::Regular,
                    title: "十二月工作例会".into(),
                    held_on: date!(2017 - 12 - 12),
                    place: String::new(),
                    convenor: "县长".into(),
                    unit_ids: vec![],
                },
            )
            .await
            .unwrap();
        let mut items = Vec::new();
        for (u, text) in [(jxj, "规上工业产值增速红灯"), (land, "工业用地指标")] {
            items.push(
                s.add_agenda_item(
                    &office,
                    id,
                    &NewAgendaItem {
                        source: AgendaSource::Manual,
                        source_id: None,
                        text: text.into(),
                        unit_id: Some(u),
                    },
                )
                .await
                .unwrap(),
            );
        }
        s.give_statement(&unit_actor(land), items[1], "指标已调剂")
            .await
            .unwrap();
        let r = s.sweep_meetings(date!(2017 - 12 - 05)).await.unwrap();
        assert_eq!(r.statements_due, 0);
        let r = s.sweep_meetings(date!(2017 - 12 - 07)).await.unwrap();
        assert_eq!((r.statements_due, r.notices.len()), (1, 1));
        let n = s.notice_unscoped(r.notices[0]).await.unwrap();
        assert_eq!(n.kind, NoticeKind::MeetingStatementDue);
        assert_eq!(n.subject, Subject::Meeting(id));
        assert!(n.message.contains("2017-12-08"), "{}", n.message);
        let r = s.sweep_meetings(date!(2017 - 12 - 08)).await.unwrap();
        assert_eq!((r.statements_due, r.notices.len()), (1, 0));
        assert_eq!(
            count(
                NoticeKind::MeetingStatementDue,
                &kinds(s, &unit_actor(land)).await
            ),
            0
        );
        // After the meeting nobody is reminded.
        let r = s.sweep_meetings(date!(2017 - 12 - 13)).await.unwrap();
        assert_eq!(r.statements_due, 0);
    }
}

#[tokio::test]
async fn the_closed_on_time_rate_is_counted_by_unit() {
    for db in testing::all().await.unwrap() {
        let s = &db.store;
        let office = Actor::system();
        let jxj = s.create_unit(&office, &unit("县经信局")).await.unwrap();
        let land = s.create_unit(&office, &unit("县国土资源局")).await.unwrap();
        let held = date!(2017 - 03 - 06);
        let close = |sid: i64, lead: i64, on: Date| async move {
            let a = unit_actor(lead);
            s.supervision_step(&a, sid, SupervisionStep::Acknowledge, "", on)
                .await
                .unwrap();
            s.supervision_step(&a, sid, SupervisionStep::Feedback, "已办结", on)
                .await
                .unwrap();
            s.supervision_step(&Actor::system(), sid, SupervisionStep::Close, "", on)
                .await
                .unwrap();
        };
        // 县经信局: one closed on time, one closed late, one open and overdue.
        let (_, a1) = decided(s, jxj, held, date!(2017 - 03 - 31), "一").await;
        close(a1, jxj, date!(2017 - 03 - 30)).await;
        let (_, a2) = decided(s, jxj, held, date!(2017 - 03 - 31), "二").await;
        close(a2, jxj, date!(2017 - 04 - 05)).await;
        decided(s, jxj, held, date!(2017 - 04 - 30), "三").await;
        // 县国土资源局: one on time, deadline outside the span asked.
        let (_, b1) = decided(s, land, held, date!(2017 - 03 - 31), "四").await;
        close(b1, land, date!(2017 - 03 - 31)).await;
        decided(s, land, held, date!(2018 - 06 - 30), "五").await;

        let r = s
            .supervision_rates(&office, date!(2017 - 01 - 01), date!(2017 - 12 - 31))
            .await
            .unwrap();
        assert_eq!(
            (
                r.county.due,
                r.county.on_time,
                r.county.late,
                r.county.overdue
            ),
            (4, 2, 1, 1)
        );
        assert_eq!(r.county.rate(), Some(0.5));
        let names: Vec<_> = r.units.iter().map(|(id, _, _)| *id).collect();
        assert_eq!(names.len(), 2);
        let of = |u: i64| {
            r.units
                .iter()
                .find(|(id, _, _)| *id == u)
                .unwrap()
                .2
                .clone()
        };
        assert_eq!(of(jxj).rate(), Some(1.0 / 3.0));
        assert_eq!(of(jxj).open[0], 1, "the open overdue item is red");
        assert_eq!(of(land).rate(), Some(1.0));
        // A unit reads its own only.
        let own = s
            .supervision_rates(
                &unit_actor(land),
                date!(2017 - 01 - 01),
                date!(2018 - 12 - 31),
            )
            .await
            .unwrap();
        assert_eq!(own.units.len(), 1);
        // (Read on the real day, years after 2018-06-30: the second item is overdue, red.)
        assert_eq!(
            (own.county.due, own.county.on_time, own.county.overdue),
            (2, 1, 1)
        );
        assert_eq!(own.county.open, [1, 0, 0, 0]);
    }
}

/// The agenda's stuck projects are chosen in SQL (judged, ordered, counted and capped in one
/// query) while the project list judges each project in Rust by `qx_core::project::light_on`
/// and `funnel_alert`. Over projects of every kind (years, plans, investment done, planned
/// dates, stages and how long at them), the agenda proposes exactly the projects under way
/// that the list shows red or alerted.
#[tokio::test]
async fn the_agenda_s_stuck_projects_are_the_list_s_red_and_alerted_ones() {
    use qx_core::monitor::Light;
    use qx_core::project::Stage;
    use qx_store::projects::ProjectFilter;
    use std::collections::BTreeSet;
    use time::Duration;

    for db in testing::all().await.unwrap() {
        let s = &db.store;
        let office = Actor::system();
        let jxj = s.create_unit(&office, &unit("县经信局")).await.unwrap();
        let today = qx_core::time::today();
        let days = |n: i64| today + Duration::days(n);
        let mut moves = Vec::new();
        // Against the year's 序时进度: no plan, ahead, just behind (yellow), just
        // past the yellow gap, far behind; the years before and after are judged by other shares.
        let money = [None, Some(1_000.0), Some(830.0), Some(800.0), Some(600.0)];
        // On and either side of each funnel alert's day (90, 180 and 365 days at a stage).
        let since = [-30, -90, -91, -180, -181, -365, -366, -400];
        // The next stage planned: none, passed, today, to come.
        let planned = [None, Some(days(-1)), Some(today), Some(days(1))];
        let path = [
            Stage::Signed,
            Stage::Registered,
            Stage::Started,
            Stage::Producing,
        ];
        let mut n = 0;
        let mut add = |year: i32, done: Option<f64>, next: Option<Date>| {
            n += 1;
            let mut input = project(&format!("项目{n}"), jxj, false);
            input.year = year;
            input.annual_plan_wan = done.map(|_| 1_000.0);
            input.completed_wan = done;
            input.planned = [next, None, None, None];
            input
        };
        for reached in 0..=5_usize {
            for at in since {
                for done in money {
                    let input = add(today.year(), done, None);
                    let id = s.create_project(&office, &input, days(-800)).await.unwrap();
                    for (k, stage) in path.iter().take(reached.min(4)).enumerate() {
                        let last = k + 1 == reached.min(4);
                        let on = if last { at } else { -700 + k as i64 * 10 };
                        moves.push(testing::BulkMove {
                            project_id: id,
                            stage: *stage,
                            on: days(on),
                        });
                    }
                    if reached == 5 {
                        moves.push(testing::BulkMove {
                            project_id: id,
                            stage: Stage::Halted,
                            on: days(at),
                        });
                    }
                }
            }
        }
        let mut others: Vec<_> = [today.year() - 1, today.year() + 1]
            .into_iter()
            .flat_map(|year| money.map(|done| (year, done, None)))
            .collect();
        others.extend(planned.map(|next| (today.year(), Some(1_000.0), next)));
        for (year, done, next) in others {
            let input = add(year, done, next);
            s.create_project(&office, &input, days(-800)).await.unwrap();
        }
        testing::bulk_stage_moves(s, &moves).await.unwrap();

        // At the default yellow gap, then at the office's own: 25 points, which turns the
        // project just past 10 points yellow while the one far behind stays red.
        let mut reds = Vec::new();
        for gap in [None, Some(25.0)] {
            if let Some(points) = gap {
                s.set_yellow_gap_points(&office, points).await.unwrap();
            }
            let list = s
                .list_projects(&office, &ProjectFilter::default())
                .await
                .unwrap();
            let under_way = |r: &&qx_store::projects::ProjectRow| {
                !matches!(r.project.stage, Stage::Producing | Stage::Halted)
            };
            let red: BTreeSet<i64> = list
                .rows
                .iter()
                .filter(under_way)
                .filter(|r| r.light.light == Light::Red)
                .map(|r| r.project.id)
                .collect();
            let alerted: BTreeSet<i64> = list
                .rows
                .iter()
                .filter(under_way)
                .filter(|r| r.alert.is_some())
                .map(|r| r.project.id)
                .collect();
            // The mix holds every case the two rules tell apart.
            assert!(
                !red.is_empty() && !alerted.is_empty(),
                "{red:?} {alerted:?}"
            );
            assert!(!red.is_subset(&alerted) && !alerted.is_subset(&red));
            let stuck: BTreeSet<i64> = red.union(&alerted).copied().collect();
            assert!(stuck.len() < list.rows.iter().filter(under_way).count());

            let proposed = s.agenda_candidates(&office, 10_000, None).await.unwrap();
            let proposed: BTreeSet<i64> = proposed
                .items
                .iter()
                .filter(|p| p.item.source == AgendaSource::Project)
                .filter_map(|p| p.item.source_id)
                .collect();
            assert_eq!(proposed, stuck);
            reds.push(red);
        }
        assert!(
            reds[1].is_subset(&reds[0]) && reds[1].len() < reds[0].len(),
            "{reds:?}"
        );
        db.discard().await.unwrap();
    }
}
