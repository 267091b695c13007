//! 工作例会 and 督办 in the store, on every engine: the move of the problems module's old
//! decisions, scope, agenda and 情况说明, decisions with their 督办 steps, colours, notices and
//! the issued 纪要 kept unchanged.

use qx_core::access::{Actor, Role};
use qx_core::meeting::{
    AgendaSource, Colour, MeetingKind, MeetingStatus, MeetingStep, SupervisionStatus,
    SupervisionStep,
};
use qx_core::notice::{NoticeKind, Subject};
use qx_core::units::UnitKind;
use qx_store::meetings::{
    MeetingSettings, NewAgendaItem, NewMeeting, NewResolution, Part, SupervisionFilter,
};
use qx_store::notices::InboxQuery;
use qx_store::testing;
use qx_store::timelines::TimelineSpan;
use qx_store::units::NewUnit;
use qx_store::{Store, StoreError};
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

fn actor(role: Role, unit_id: Option<i64>) -> Actor {
    Actor {
        user_id: 0,
        username: format!("{role:?}"),
        role,
        unit_id,
        enterprise_id: None,
        ip: String::new(),
    }
}

async fn units(s: &Store) -> (i64, i64) {
    let sys = Actor::system();
    (
        s.create_unit(&sys, &unit("县经信局")).await.unwrap(),
        s.create_unit(&sys, &unit("县国土资源局")).await.unwrap(),
    )
}

fn meeting(on: time::Date, unit_ids: Vec<i64>) -> NewMeeting {
    NewMeeting {
        kind: MeetingKind::Regular,
        title: "工业强县工作例会".into(),
        held_on: on,
        place: "县行政中心".into(),
        convenor: "县长".into(),
        unit_ids,
    }
}

#[tokio::test]
async fn the_old_decisions_move_into_meetings_and_supervision() {
    for db in testing::all_at(16).await.unwrap() {
        let s = &db.store;
        let (jxj, land) = units(s).await;
        for (date, text, owner, status, progress, done_on) in [
            (
                "2017-03-15",
                "一周内办结",
                jxj,
                "done",
                "已办结",
                Some("2017-03-20"),
            ),
            (
                "2017-03-15",
                "两周内调剂指标",
                land,
                "open",
                "正在调剂",
                None,
            ),
            ("2017-04-01", "月底前协调电力", jxj, "open", "", None),
        ] {
            sqlx::query(
                "INSERT INTO meeting_decisions (meeting_date, decision, owner_unit_id, due_on, status, progress, done_on, created_at, updated_at)
                 VALUES ($1, $2, $3, $1, $4, $5, $6, 1, 2)",
            )
            .bind(date)
            .bind(text)
            .bind(owner)
            .bind(status)
            .bind(progress)
            .bind(done_on)
            .execute(s.pool())
            .await
            .unwrap();
        }
        s.migrate().await.unwrap();
        let office = Actor::system();
        let meetings = s.list_meetings(&office).await.unwrap();
        assert_eq!(
            meetings
                .iter()
                .map(|m| (m.held_on.as_str(), m.status, m.units.len()))
                .collect::<Vec<_>>(),
            vec![
                ("2017-04-01", MeetingStatus::Held, 1),
                ("2017-03-15", MeetingStatus::Held, 2)
            ],
            "{}",
            db.name
        );
        let march = s.resolutions(&office, meetings[1].id).await.unwrap();
        assert_eq!(
            march
                .iter()
                .map(|r| (r.text.as_str(), r.lead_unit_id, r.supervision_status))
                .collect::<Vec<_>>(),
            vec![
                ("一周内办结", jxj, SupervisionStatus::Closed),
                ("两周内调剂指标", land, SupervisionStatus::Handling)
            ]
        );
        let item = s
            .get_supervision(&office, march[1].supervision_id)
            .await
            .unwrap();
        assert_eq!(
            (item.progress.as_str(), item.deadline.as_str()),
            ("正在调剂", "2017-03-15")
        );
        let closed = s
            .get_supervision(&office, march[0].supervision_id)
            .await
            .unwrap();
        assert_eq!(closed.closed_on.as_deref(), Some("2017-03-20"));
        // New decisions continue after the copied ids.
        let id = s
            .create_meeting(&office, &meeting(date!(2017 - 05 - 02), vec![]))
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
                    text: "新的议定事项".into(),
                    lead_unit_id: land,
                    support_unit_ids: vec![],
                    deadline: date!(2017 - 05 - 30),
                },
            )
            .await
            .unwrap();
        assert!(sid > 3, "{}: {sid}", db.name);
    }
}

#[tokio::test]
async fn units_read_their_meetings_and_items_and_only_the_office_writes() {
    for db in testing::all().await.unwrap() {
        let s = &db.store;
        let (jxj, land) = units(s).await;
        let office = Actor::system();
        let leader = actor(Role::Leader, None);
        let ent = Actor {
            enterprise_id: Some(1),
            ..actor(Role::Enterprise, None)
        };
        let a = actor(Role::Unit, Some(jxj));
        let b = actor(Role::Unit, Some(land));
        assert!(matches!(
            s.create_meeting(&leader, &meeting(date!(2017 - 12 - 12), vec![]))
                .await,
            Err(StoreError::Forbidden(_))
        ));
        let id = s
            .create_meeting(&office, &meeting(date!(2017 - 12 - 12), vec![jxj]))
            .await
            .unwrap();
        let m = s.get_meeting(&office, id).await.unwrap();
        // Two working days before Tuesday 12-12.
        assert_eq!(m.statement_due.as_deref(), Some("2017-12-08"));
        assert_eq!(s.list_meetings(&a).await.unwrap().len(), 1);
        assert!(s.list_meetings(&b).await.unwrap().is_empty());
        assert!(matches!(
            s.get_meeting(&b, id).await,
            Err(StoreError::NotFound(_))
        ));
        assert!(matches!(
            s.list_meetings(&ent).await,
            Err(StoreError::Forbidden(_))
        ));
        assert_eq!(s.get_meeting(&leader, id).await.unwrap().id, id);
        assert!(matches!(
            s.agenda_proposals(&a).await,
            Err(StoreError::Forbidden(_))
        ));

        // The agenda: items in order, moved, edited; the unit's 情况说明 on its own item.
        let first = s
            .add_agenda_item(
                &office,
                id,
                &NewAgendaItem {
                    source: AgendaSource::Manual,
                    source_id: None,
                    text: "工业用地指标".into(),
                    unit_id: Some(land),
                },
            )
            .await
            .unwrap();
        let second = s
            .add_agenda_item(
                &office,
                id,
                &NewAgendaItem {
                    source: AgendaSource::Indicator,
                    source_id: Some(7),
                    text: "规上工业产值增速红灯".into(),
                    unit_id: Some(jxj),
                },
            )
            .await
            .unwrap();
        assert!(matches!(
            s.add_agenda_item(
                &a,
                id,
                &NewAgendaItem {
                    source: AgendaSource::Manual,
                    source_id: None,
                    text: "x".into(),
                    unit_id: None
                }
            )
            .await,
            Err(StoreError::Forbidden(_))
        ));
        s.move_agenda_item(&office, second, true).await.unwrap();
        s.edit_agenda_item(&office, first, "工业用地指标调剂")
            .await
            .unwrap();
        let agenda = s.agenda(&office, id).await.unwrap();
        assert_eq!(
            agenda
                .iter()
                .map(|i| (i.id, i.text.as_str()))
                .collect::<Vec<_>>(),
            vec![
                (second, "规上工业产值增速红灯"),
                (first, "工业用地指标调剂")
            ]
        );
        // The land bureau joined the meeting with its item and was asked for a statement.
        assert_eq!(s.list_meetings(&b).await.unwrap().len(), 1);
        let asked = s.inbox(&b, InboxQuery::default()).await.unwrap();
        assert!(
            asked.iter().any(
                |n| n.kind == NoticeKind::MeetingStatement && n.subject == Subject::Meeting(id)
            )
        );
        assert!(matches!(
            s.give_statement(&a, first, "不是我的议题").await,
            Err(StoreError::Forbidden(_))
        ));
        s.give_statement(&b, first, "已上报省厅, 待批复")
            .await
            .unwrap();
        assert_eq!(
            s.agenda(&b, id).await.unwrap()[1].statement,
            "已上报省厅, 待批复"
        );

        // Decisions only once the meeting was held; the notice reaches the attending units.
        let decide = NewResolution {
            meeting_id: id,
            agenda_item_id: Some(first),
            text: "国土局牵头, 经信局配合, 月底前办结".into(),
            lead_unit_id: land,
            support_unit_ids: vec![jxj],
            deadline: date!(2017 - 12 - 29),
        };
        assert!(matches!(
            s.record_resolution(&office, &decide).await,
            Err(StoreError::Conflict(_))
        ));
        s.meeting_step(&office, id, MeetingStep::Notify, None)
            .await
            .unwrap();
        assert!(
            s.inbox(&a, InboxQuery::default())
                .await
                .unwrap()
                .iter()
                .any(|n| n.kind == NoticeKind::MeetingNotified)
        );
        s.meeting_step(&office, id, MeetingStep::Hold, None)
            .await
            .unwrap();
        let early = NewResolution {
            deadline: date!(2017 - 12 - 01),
            ..decide.clone()
        };
        assert!(matches!(
            s.record_resolution(&office, &early).await,
            Err(StoreError::Invalid(_))
        ));
        let sid = s.record_resolution(&office, &decide).await.unwrap();
        let r = &s.resolutions(&leader, id).await.unwrap()[0];
        assert_eq!(r.support_units, vec![(jxj, "县经信局".to_string())]);
        assert!(
            s.inbox(&a, InboxQuery::default())
                .await
                .unwrap()
                .iter()
                .any(|n| n.kind == NoticeKind::SupervisionAssigned
                    && n.subject == Subject::Supervision(sid))
        );

        // 督办: the lead unit's steps, the office's steps, nobody else's. The supporting unit
        // reads the item its notice names; a unit with no part in it does not find it.
        let item = s.get_supervision(&a, sid).await.unwrap();
        assert_eq!(item.support_units, vec![(jxj, "县经信局".to_string())]);
        assert!(s.can_open(&a, Subject::Supervision(sid)).await.unwrap());
        assert!(matches!(
            s.supervision_step(
                &a,
                sid,
                SupervisionStep::Acknowledge,
                "",
                date!(2017 - 12 - 20)
            )
            .await,
            Err(StoreError::Forbidden(_))
        ));
        let other = s
            .create_unit(&Actor::system(), &unit("县科技局"))
            .await
            .unwrap();
        let other = actor(Role::Unit, Some(other));
        assert!(matches!(
            s.get_supervision(&other, sid).await,
            Err(StoreError::NotFound(_))
        ));
        assert!(!s.can_open(&other, Subject::Supervision(sid)).await.unwrap());
        assert!(matches!(
            s.supervision_step(
                &office,
                sid,
                SupervisionStep::Acknowledge,
                "",
                date!(2017 - 12 - 20)
            )
            .await,
            Err(StoreError::Forbidden(_))
        ));
        assert!(matches!(
            s.supervision_step(
                &leader,
                sid,
                SupervisionStep::Urge,
                "",
                date!(2017 - 12 - 20)
            )
            .await,
            Err(StoreError::Forbidden(_))
        ));
        s.supervision_step(
            &b,
            sid,
            SupervisionStep::Acknowledge,
            "",
            date!(2017 - 12 - 20),
        )
        .await
        .unwrap();
        assert!(matches!(
            s.supervision_step(
                &b,
                sid,
                SupervisionStep::Feedback,
                " ",
                date!(2017 - 12 - 20)
            )
            .await,
            Err(StoreError::Invalid(_))
        ));
        s.supervision_step(
            &b,
            sid,
            SupervisionStep::Feedback,
            "已调剂20亩",
            date!(2017 - 12 - 20),
        )
        .await
        .unwrap();
        assert!(matches!(
            s.supervision_step(&b, sid, SupervisionStep::Close, "", date!(2017 - 12 - 20))
                .await,
            Err(StoreError::Forbidden(_))
        ));
        assert!(matches!(
            s.supervision_step(
                &office,
                sid,
                SupervisionStep::Return,
                "",
                date!(2017 - 12 - 20)
            )
            .await,
            Err(StoreError::Invalid(_))
        ));
        s.supervision_step(
            &office,
            sid,
            SupervisionStep::Return,
            "缺少批文",
            date!(2017 - 12 - 20),
        )
        .await
        .unwrap();
        assert!(
            s.inbox(&b, InboxQuery::default())
                .await
                .unwrap()
                .iter()
                .any(
                    |n| n.kind == NoticeKind::SupervisionReturned && n.message.contains("缺少批文")
                )
        );
        // Read long after its deadline (the real clock), the open item is red.
        let red = SupervisionFilter {
            colour: Some(Colour::Red),
            ..Default::default()
        };
        assert_eq!(s.list_supervision(&b, &red).await.unwrap().len(), 1);
        // The supporting unit lists the item too; its 按期销号率 is of the items it leads.
        assert_eq!(
            s.list_supervision(&a, &SupervisionFilter::default())
                .await
                .unwrap()
                .len(),
            1
        );
        assert!(
            s.list_supervision(&other, &SupervisionFilter::default())
                .await
                .unwrap()
                .is_empty()
        );
        let part = |part| SupervisionFilter {
            part: Some(part),
            ..Default::default()
        };
        let count = |actor, part| {
            let f = part;
            async move { s.list_supervision(actor, &f).await.unwrap().len() }
        };
        assert_eq!(count(&a, part(Part::Support)).await, 1);
        assert_eq!(count(&a, part(Part::Lead)).await, 0);
        assert_eq!(count(&b, part(Part::Lead)).await, 1);
        assert_eq!(count(&b, part(Part::Support)).await, 0);
        let span = (date!(2017 - 01 - 01), date!(2017 - 12 - 31));
        let rates = s.supervision_rates(&a, span.0, span.1).await.unwrap();
        assert_eq!((rates.county.overdue, rates.units.len()), (0, 0));
        let rates = s.supervision_rates(&b, span.0, span.1).await.unwrap();
        assert_eq!((rates.county.overdue, rates.units.len()), (1, 1));
        s.supervision_step(
            &b,
            sid,
            SupervisionStep::Feedback,
            "批文已补",
            date!(2017 - 12 - 20),
        )
        .await
        .unwrap();
        // A step replayed after the fact is dated at the time it happened (the system only,
        // and only ever earlier).
        let before = s.timeline_mark(&office).await.unwrap();
        s.supervision_step(
            &office,
            sid,
            SupervisionStep::Close,
            "",
            date!(2017 - 12 - 20),
        )
        .await
        .unwrap();
        let after = s.timeline_mark(&office).await.unwrap();
        assert_eq!(after.supervision_event, before.supervision_event + 1);
        let closed_at = qx_core::time::start_of_day(date!(2017 - 12 - 20)) + 15 * 3600;
        let span = |at| TimelineSpan {
            after: before,
            up_to: after,
            at,
        };
        let signed_in = Actor {
            user_id: 7,
            ..b.clone()
        };
        assert!(matches!(
            s.date_timeline_spans(&signed_in, &[span(closed_at)]).await,
            Err(StoreError::Forbidden(_))
        ));
        assert_eq!(
            s.date_timeline_spans(&office, &[span(closed_at)])
                .await
                .unwrap(),
            1
        );
        let later = qx_core::time::now() + 86_400;
        assert_eq!(
            s.date_timeline_spans(&office, &[span(later)])
                .await
                .unwrap(),
            0
        );
        let events = s.supervision_events(&b, sid).await.unwrap();
        assert_eq!(events.last().unwrap().created_at, closed_at);
        assert!(
            events[..events.len() - 1]
                .iter()
                .all(|e| e.created_at > closed_at)
        );
        assert!(s.list_supervision(&b, &red).await.unwrap().is_empty());
        let steps: Vec<_> = s
            .supervision_events(&b, sid)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.step)
            .collect();
        assert_eq!(
            steps,
            vec![
                SupervisionStep::Acknowledge,
                SupervisionStep::Feedback,
                SupervisionStep::Return,
                SupervisionStep::Feedback,
                SupervisionStep::Close
            ]
        );

        // The issued 纪要 is kept exactly; afterwards nothing changes.
        let minutes = b"PK\x03\x04 minutes as issued".to_vec();
        s.meeting_step(&office, id, MeetingStep::IssueMinutes, Some(&minutes))
            .await
            .unwrap();
        assert_eq!(s.issued_minutes(&a, id).await.unwrap(), minutes);
        assert!(matches!(
            s.give_statement(&b, first, "改").await,
            Err(StoreError::Conflict(_))
        ));
        assert!(matches!(
            s.edit_agenda_item(&office, first, "改").await,
            Err(StoreError::Conflict(_))
        ));
        let audit = testing::audit_entries(s, "meeting.").await.unwrap();
        assert!(audit.len() >= 8, "{}", audit.len());
    }
}

#[tokio::test]
async fn settings_have_defaults_and_limits() {
    for db in testing::all().await.unwrap() {
        let s = &db.store;
        let office = Actor::system();
        assert_eq!(
            s.meeting_settings().await.unwrap(),
            MeetingSettings::default()
        );
        assert_eq!(MeetingSettings::default().per_month, 2);
        let bad = MeetingSettings {
            per_month: 0,
            ..Default::default()
        };
        assert!(matches!(
            s.save_meeting_settings(&office, bad).await,
            Err(StoreError::Invalid(_))
        ));
        let s4 = MeetingSettings {
            per_month: 4,
            ..Default::default()
        };
        assert!(matches!(
            s.save_meeting_settings(&actor(Role::Leader, None), s4)
                .await,
            Err(StoreError::Forbidden(_))
        ));
        s.save_meeting_settings(&office, s4).await.unwrap();
        assert_eq!(s.meeting_settings().await.unwrap().per_month, 4);
    }
}

/// Problems escalated to the 例会 tier, oldest first on `2017-03-01 + i` days, each led by
/// `unit`.
async fn meeting_tier_problems(s: &Store, unit: i64, n: usize) -> Vec<i64> {
    use qx_core::problem::{Category, Deadlines, Status, Tier, TimeLimits};
    use qx_store::enterprises::{NewEnterprise, insert_enterprise};
    use qx_store::problems::{Outcome, ProblemSeed, insert_problem_row};
    let cal = s.work_calendar().await.unwrap();
    let mut tx = s.begin().await.unwrap();
    let code = qx_core::codes::CreditCode::complete("91330225100000000").unwrap();
    let enterprise = insert_enterprise(
        &mut tx,
        &NewEnterprise {
            credit_code: code.as_str().to_string(),
            name: "象山测试企业有限公司".into(),
            town_id: None,
            industry_code: None,
            scale: qx_core::scale::Scale::Above,
        },
    )
    .await
    .unwrap();
    let mut ids = Vec::new();
    for i in 0..n {
        let submitted = date!(2017 - 03 - 01) + time::Duration::days(i as i64);
        let deadlines =
            Deadlines::compute(&cal, submitted, submitted, TimeLimits::default(), 0).unwrap();
        let seed = ProblemSeed {
            enterprise_id: enterprise,
            category: Category::ALL[0],
            title: format!("难题{i}"),
            status: Status::InProgress,
            tier: Tier::Meeting,
            lead_unit_id: Some(unit),
            submitted_on: submitted,
            deadlines,
            outcome: Outcome::default(),
        };
        ids.push(insert_problem_row(&mut tx, &seed).await.unwrap());
    }
    tx.commit().await.unwrap();
    ids
}

#[tokio::test]
async fn items_already_on_the_agenda_are_neither_proposed_nor_counted_again() {
    for db in testing::all().await.unwrap() {
        let s = &db.store;
        let (jxj, _) = units(s).await;
        let office = Actor::system();
        let ids = meeting_tier_problems(s, jxj, 3).await;
        let id = s
            .create_meeting(&office, &meeting(date!(2017 - 03 - 15), vec![jxj]))
            .await
            .unwrap();
        // The newest problem is on the agenda already; with one shown, one is left to count.
        s.add_agenda_item(
            &office,
            id,
            &NewAgendaItem {
                source: AgendaSource::Problem,
                source_id: Some(ids[2]),
                text: "难题2".into(),
                unit_id: Some(jxj),
            },
        )
        .await
        .unwrap();
        let got = s.agenda_candidates(&office, 1, Some(id)).await.unwrap();
        let problems: Vec<_> = got
            .items
            .iter()
            .filter(|p| p.item.source == AgendaSource::Problem)
            .map(|p| p.item.source_id)
            .collect();
        assert_eq!(problems, vec![Some(ids[0])], "{}", db.name);
        assert_eq!(
            got.more
                .iter()
                .filter(|(k, _)| *k == AgendaSource::Problem)
                .collect::<Vec<_>>(),
            vec![&(AgendaSource::Problem, 1)],
            "{}: the problem on the agenda is not counted among the rest",
            db.name
        );
    }
}
