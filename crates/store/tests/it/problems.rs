//! 企业难题 in the store, on every engine available: intake, scope, the state machine,
//! deadlines, notices, rates and 例会 decisions.

use qx_core::access::{Actor, Role};
use qx_core::calendar::DayKind;
use qx_core::meeting::{
    AgendaSource, MeetingKind, MeetingStep, SupervisionStatus, SupervisionStep,
};
use qx_core::problem::{Category, Satisfaction, Status, Tier, TimeLimits};
use qx_core::units::UnitKind;
use qx_store::calendar::{CalendarDay, upsert_calendar_day};
use qx_store::enterprises::{NewEnterprise, insert_enterprise};
use qx_store::meetings::{NewAgendaItem, NewMeeting, NewResolution, SupervisionFilter};
use qx_store::problems::{
    MAX_ATTACHMENT_BYTES, NewAttachment, NewProblem, ProblemFilter, RateFilter, RateGroup, Step,
};
use qx_store::testing::{self, TestDb};
use qx_store::units::NewUnit;
use qx_store::users::NewUser;
use qx_store::{Store, StoreError};
use time::Date;
use time::macros::date;

struct County {
    town: i64,
    other_town: i64,
    land: i64,
    support: i64,
    ent: i64,
    other_ent: i64,
    contact_user: i64,
}

fn unit(name: &str, kind: UnitKind) -> NewUnit {
    NewUnit {
        kind,
        name: name.into(),
        full_name: name.into(),
        region_code: None,
        parent_id: None,
        slug: name.into(),
        aliases: vec![],
        sort_order: 0,
    }
}

async fn county(s: &Store) -> County {
    let sys = Actor::system();
    let town = s
        .create_unit(&sys, &unit("石浦镇", UnitKind::Town))
        .await
        .unwrap();
    let other_town = s
        .create_unit(&sys, &unit("西周镇", UnitKind::Town))
        .await
        .unwrap();
    let land = s
        .create_unit(&sys, &unit("县国土资源局", UnitKind::Department))
        .await
        .unwrap();
    let support = s
        .create_unit(&sys, &unit("县住建局", UnitKind::Department))
        .await
        .unwrap();
    s.create_unit(&sys, &unit("县经信局", UnitKind::Department))
        .await
        .unwrap();
    let mut tx = s.begin().await.unwrap();
    let ent = insert_enterprise(
        &mut tx,
        &NewEnterprise {
            credit_code: "913302257995213595".into(),
            name: "象山海天船舶".into(),
            town_id: Some(town),
            industry_code: None,
            scale: qx_core::scale::Scale::Above,
        },
    )
    .await
    .unwrap();
    let other_ent = insert_enterprise(
        &mut tx,
        &NewEnterprise {
            credit_code: "91330225691361058X".into(),
            name: "象山恒通汽配".into(),
            town_id: Some(other_town),
            industry_code: None,
            scale: qx_core::scale::Scale::Above,
        },
    )
    .await
    .unwrap();
    for year in qx_core::calendar::OFFICIAL_CALENDARS {
        let days = year
            .holiday_dates()
            .map(|d| (d, DayKind::Holiday))
            .chain(year.makeup_workdays.iter().map(|d| (*d, DayKind::Workday)));
        for (d, kind) in days {
            let day = CalendarDay {
                day: d.to_string(),
                kind,
                name: String::new(),
                source: year.notice.into(),
            };
            upsert_calendar_day(&mut tx, &day).await.unwrap();
        }
    }
    tx.commit().await.unwrap();
    let contact_user = s
        .create_user(
            &sys,
            &NewUser {
                username: "jxj-fw".into(),
                display_name: "企服专员".into(),
                role: Role::Unit,
                unit_id: Some(support),
                enterprise_id: None,
                phone: String::new(),
                password_hash: "x".into(),
            },
        )
        .await
        .unwrap();
    County {
        town,
        other_town,
        land,
        support,
        ent,
        other_ent,
        contact_user,
    }
}

fn actor(role: Role, unit_id: Option<i64>, enterprise_id: Option<i64>, user_id: i64) -> Actor {
    Actor {
        user_id,
        username: format!("{role:?}{user_id}"),
        role,
        unit_id,
        enterprise_id,
        ip: String::new(),
    }
}

fn problem(enterprise_id: i64, on: Date) -> NewProblem {
    NewProblem {
        enterprise_id,
        category: Category::Land,
        title: "扩建用地指标".into(),
        description: "二期厂房需新增用地30亩".into(),
        contact_name: "王经理".into(),
        contact_phone: "13800000000".into(),
        source: qx_core::problem::Channel::Web,
        submitted_on: on,
    }
}

async fn engines() -> Vec<TestDb> {
    testing::all().await.expect("test databases")
}

#[tokio::test]
async fn a_problem_goes_from_submission_to_closure_with_its_timeline_and_audit() {
    for db in engines().await {
        let s = &db.store;
        let c = county(s).await;
        let office = Actor::system();
        let ent = actor(Role::Enterprise, None, Some(c.ent), 901);
        let town = actor(Role::Unit, Some(c.town), None, 902);
        let dept = actor(Role::Unit, Some(c.land), None, 903);
        let d0 = date!(2017 - 09 - 28);

        let (id, notices) = s
            .submit_problem(&ent, &problem(c.ent, d0), vec![])
            .await
            .unwrap();
        assert_eq!(notices.len(), 1, "{}: the office is told", db.name);
        let p = s.get_problem(&ent, id).await.unwrap().problem;
        assert_eq!(p.status(), Status::Submitted);
        assert_eq!(
            p.proposed_unit_id,
            Some(c.town),
            "first tier is the enterprise's town"
        );
        assert_eq!(p.accept_due, "2017-09-29");
        assert_eq!(
            p.answer_due, "2017-10-11",
            "{}: 国庆 skipped, 9/30 make-up day counted",
            db.name
        );

        // Illegal moves are refused with a message and change nothing.
        let err = s
            .problem_step(
                &office,
                id,
                &Step::Close {
                    note: String::new(),
                },
                d0,
            )
            .await
            .unwrap_err();
        assert!(
            matches!(&err, StoreError::Conflict(m) if m.contains("不能执行「办结」")),
            "{err:?}"
        );
        let err = s
            .problem_step(
                &ent,
                id,
                &Step::Accept {
                    note: String::new(),
                },
                d0,
            )
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Forbidden(_)));

        s.problem_step(
            &office,
            id,
            &Step::Accept {
                note: String::new(),
            },
            d0,
        )
        .await
        .unwrap();
        let assign = Step::Assign {
            tier: Tier::Town,
            lead_unit_id: c.town,
            support_unit_ids: vec![],
            note: String::new(),
        };
        s.problem_step(&office, id, &assign, d0).await.unwrap();
        // The town is told, and the notice leads to the problem.
        let told = s.problem_notices(&town, 10).await.unwrap();
        let notice = told
            .iter()
            .find(|n| n.subject == qx_core::notice::Subject::Problem(id))
            .expect("the town is told of the assignment")
            .clone();
        assert!(s.can_open(&town, notice.subject).await.unwrap());
        // The town hands it back as not its business; the office sees why and reassigns.
        let err = s
            .problem_step(&town, id, &Step::Return { reason: " ".into() }, d0)
            .await
            .unwrap_err();
        assert!(err.to_string().contains("退回理由"), "{err}");
        s.problem_step(
            &town,
            id,
            &Step::Return {
                reason: "用地指标由县国土局统筹".into(),
            },
            d0,
        )
        .await
        .unwrap();
        let p = s.get_problem(&office, id).await.unwrap().problem;
        assert_eq!(
            (p.status(), p.return_reason.as_str()),
            (Status::Returned, "用地指标由县国土局统筹")
        );
        let assign = Step::Assign {
            tier: Tier::Department,
            lead_unit_id: c.land,
            support_unit_ids: vec![c.support],
            note: "改派".into(),
        };
        s.problem_step(&office, id, &assign, d0).await.unwrap();
        // The old town no longer sees it; the lead and support units do.
        assert!(matches!(
            s.get_problem(&town, id).await,
            Err(StoreError::NotFound(_))
        ));
        // Its notice stays in its list, but no longer leads anywhere (never to "not found").
        assert!(
            s.inbox(&town, Default::default())
                .await
                .unwrap()
                .iter()
                .any(|n| n.id == notice.id)
        );
        assert!(!s.can_open(&town, notice.subject).await.unwrap());
        let support = actor(Role::Unit, Some(c.support), None, 904);
        let d = s.get_problem(&support, id).await.unwrap();
        assert_eq!(d.party, None, "协办 reads, does not act");

        s.problem_step(&dept, id, &Step::Start, d0).await.unwrap();
        s.problem_step(
            &dept,
            id,
            &Step::RequestExtension {
                days: 3,
                reason: "需现场踏勘".into(),
            },
            d0,
        )
        .await
        .unwrap();
        s.problem_step(
            &office,
            id,
            &Step::DecideExtension {
                approve: true,
                note: String::new(),
            },
            d0,
        )
        .await
        .unwrap();
        let p = s.get_problem(&office, id).await.unwrap().problem;
        assert_eq!(
            (p.extension_days, p.answer_due.as_str()),
            (3, "2017-10-16"),
            "{}",
            db.name
        );
        s.problem_step(
            &office,
            id,
            &Step::Urge {
                note: "请加快".into(),
            },
            d0,
        )
        .await
        .unwrap();

        let answered = date!(2017 - 10 - 10);
        s.problem_step(
            &dept,
            id,
            &Step::Answer {
                text: "已纳入年度用地计划".into(),
                resolved: true,
            },
            answered,
        )
        .await
        .unwrap();
        s.problem_step(
            &ent,
            id,
            &Step::Rate {
                satisfaction: Satisfaction::Unsatisfied,
                comment: "太慢".into(),
            },
            answered,
        )
        .await
        .unwrap();
        s.problem_step(
            &ent,
            id,
            &Step::Redo {
                reason: "指标未落实".into(),
            },
            answered,
        )
        .await
        .unwrap();
        s.problem_step(
            &dept,
            id,
            &Step::Answer {
                text: "指标已下达".into(),
                resolved: true,
            },
            answered,
        )
        .await
        .unwrap();
        s.problem_step(
            &ent,
            id,
            &Step::Rate {
                satisfaction: Satisfaction::Satisfied,
                comment: String::new(),
            },
            answered,
        )
        .await
        .unwrap();
        s.problem_step(
            &office,
            id,
            &Step::Close {
                note: String::new(),
            },
            date!(2017 - 10 - 11),
        )
        .await
        .unwrap();

        let d = s.get_problem(&ent, id).await.unwrap();
        assert_eq!(d.problem.status(), Status::Closed);
        assert_eq!(
            d.problem.answer_workdays,
            Some(4),
            "{}: 9/28 → 10/10 is 4 working days",
            db.name
        );
        let actions: Vec<&str> = d.events.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(
            actions,
            [
                "submit",
                "accept",
                "assign",
                "return",
                "assign",
                "start",
                "request_extension",
                "decide_extension",
                "urge",
                "answer",
                "rate",
                "redo",
                "answer",
                "rate",
                "close"
            ]
        );
        let audit = s
            .audit_list(
                &qx_core::access::Actor::system(),
                &qx_store::audit::AuditQuery {
                    entity: Some("problem".into()),
                    entity_id: Some(id.to_string()),
                    limit: 100,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(
            audit.len(),
            actions.len(),
            "{}: every step audited",
            db.name
        );
        assert!(s.verify_audit().await.unwrap().ok());

        let rates = s
            .problem_rates(
                &Actor::system(),
                &RateFilter::default(),
                date!(2017 - 12 - 31),
            )
            .await
            .unwrap();
        assert_eq!(rates.answer_rate, Some(100.0));
        assert_eq!(rates.resolution_rate, Some(100.0));
        assert_eq!(rates.satisfaction_rate, Some(100.0));
        assert_eq!(rates.avg_days_to_close, Some(5.0));
    }
}

#[tokio::test]
async fn enterprises_units_and_service_contacts_see_only_their_problems() {
    for db in engines().await {
        let s = &db.store;
        let c = county(s).await;
        let office = Actor::system();
        let ent = actor(Role::Enterprise, None, Some(c.ent), 901);
        let other = actor(Role::Enterprise, None, Some(c.other_ent), 905);
        let on = date!(2017 - 03 - 01);
        let (mine, _) = s
            .submit_problem(&ent, &problem(c.ent, on), vec![])
            .await
            .unwrap();
        let (theirs, _) = s
            .submit_problem(&office, &problem(c.other_ent, on), vec![])
            .await
            .unwrap();
        assert!(matches!(
            s.submit_problem(&ent, &problem(c.other_ent, on), vec![])
                .await,
            Err(StoreError::Forbidden(_))
        ));

        let f = ProblemFilter::default();
        let (rows, total) = s.list_problems(&ent, &f, on).await.unwrap();
        assert_eq!(
            (rows.iter().map(|r| r.id).collect::<Vec<_>>(), total),
            (vec![mine], 1),
            "{}",
            db.name
        );
        assert!(matches!(
            s.get_problem(&other, mine).await,
            Err(StoreError::NotFound(_))
        ));
        let (rows, _) = s.list_problems(&office, &f, on).await.unwrap();
        assert_eq!(rows.len(), 2);
        let leader = actor(Role::Leader, None, None, 906);
        assert_eq!(s.list_problems(&leader, &f, on).await.unwrap().1, 2);
        assert!(matches!(
            s.problem_step(
                &leader,
                mine,
                &Step::Accept {
                    note: String::new()
                },
                on
            )
            .await,
            Err(StoreError::Forbidden(_))
        ));

        // A unit sees nothing until a problem is routed to it.
        let town = actor(Role::Unit, Some(c.other_town), None, 907);
        assert_eq!(s.list_problems(&town, &f, on).await.unwrap().1, 0);
        s.problem_step(
            &office,
            theirs,
            &Step::Accept {
                note: String::new(),
            },
            on,
        )
        .await
        .unwrap();
        let assign = Step::Assign {
            tier: Tier::Town,
            lead_unit_id: c.other_town,
            support_unit_ids: vec![],
            note: String::new(),
        };
        s.problem_step(&office, theirs, &assign, on).await.unwrap();
        assert_eq!(s.list_problems(&town, &f, on).await.unwrap().1, 1);
        assert!(
            s.problem_notices(&town, 10)
                .await
                .unwrap()
                .iter()
                .any(|n| n.kind == qx_core::notice::NoticeKind::ProblemAssigned)
        );

        // The 企服责任人 sees the enterprise's problems, and only those.
        let contact = actor(Role::Unit, Some(c.support), None, c.contact_user);
        assert_eq!(s.list_problems(&contact, &f, on).await.unwrap().1, 0);
        s.set_service_contact(&office, c.ent, Some(c.contact_user))
            .await
            .unwrap();
        let (rows, _) = s.list_problems(&contact, &f, on).await.unwrap();
        assert_eq!(
            rows.iter().map(|r| r.id).collect::<Vec<_>>(),
            vec![mine],
            "{}",
            db.name
        );
        assert_eq!(
            s.get_problem(&contact, mine)
                .await
                .unwrap()
                .service_contact
                .as_deref(),
            Some("企服专员")
        );
        // The list of 企服责任人 is the county's to read, not a unit's or an enterprise's.
        assert!(
            s.service_contacts(&office)
                .await
                .unwrap()
                .iter()
                .any(|r| r.user_id == Some(c.contact_user))
        );
        let leader = actor(Role::Leader, None, None, 904);
        assert!(!s.service_contacts(&leader).await.unwrap().is_empty());
        for outsider in [&contact, &actor(Role::Enterprise, None, Some(c.ent), 905)] {
            assert!(
                matches!(
                    s.service_contacts(outsider).await,
                    Err(StoreError::Forbidden(_))
                ),
                "{}",
                db.name
            );
        }
    }
}

#[tokio::test]
async fn attachments_are_stored_and_size_limited() {
    for db in engines().await {
        let s = &db.store;
        let c = county(s).await;
        let ent = actor(Role::Enterprise, None, Some(c.ent), 901);
        let file = NewAttachment {
            filename: "现场照片.jpg".into(),
            data: vec![0xff, 0xd8, 0xff, 0xe0, 0, 1, 2],
        };
        let (id, _) = s
            .submit_problem(
                &ent,
                &problem(c.ent, date!(2017 - 03 - 01)),
                vec![file.clone()],
            )
            .await
            .unwrap();
        let d = s.get_problem(&ent, id).await.unwrap();
        assert_eq!(d.attachments.len(), 1);
        let (meta, data) = s
            .get_problem_attachment(&ent, id, d.attachments[0].id)
            .await
            .unwrap();
        assert_eq!(
            (meta.filename.as_str(), data),
            ("现场照片.jpg", file.data.clone()),
            "{}",
            db.name
        );
        let big = NewAttachment {
            data: vec![0; MAX_ATTACHMENT_BYTES + 1],
            ..file.clone()
        };
        // A good file sent with a refused one is not kept either: all or none.
        let second = NewAttachment {
            filename: "第二张.jpg".into(),
            ..file.clone()
        };
        let err = s
            .add_problem_attachments(&ent, id, &[second.clone(), big])
            .await
            .unwrap_err();
        assert!(err.to_string().contains("超过 20 MB"), "{err}");
        let d = s.get_problem(&ent, id).await.unwrap();
        assert_eq!(d.attachments.len(), 1, "{}", db.name);
        assert!(
            s.add_problem_attachments(&ent, id, &[]).await.is_err(),
            "{}",
            db.name
        );
        let added = s
            .add_problem_attachments(&ent, id, &[second, file.clone()])
            .await
            .unwrap();
        assert_eq!(added.len(), 2, "{}", db.name);
        let d = s.get_problem(&ent, id).await.unwrap();
        assert_eq!(d.attachments.len(), 3, "{}", db.name);
        let other = actor(Role::Enterprise, None, Some(c.other_ent), 905);
        assert!(matches!(
            s.get_problem_attachment(&other, id, meta.id).await,
            Err(StoreError::NotFound(_))
        ));
    }
}

#[tokio::test]
async fn overdue_problems_are_flagged_notified_and_escalated() {
    for db in engines().await {
        let s = &db.store;
        let c = county(s).await;
        let office = Actor::system();
        let on = date!(2017 - 03 - 01);
        let (id, _) = s
            .submit_problem(&office, &problem(c.ent, on), vec![])
            .await
            .unwrap();
        s.problem_step(
            &office,
            id,
            &Step::Accept {
                note: String::new(),
            },
            on,
        )
        .await
        .unwrap();
        let assign = Step::Assign {
            tier: Tier::Town,
            lead_unit_id: c.town,
            support_unit_ids: vec![],
            note: String::new(),
        };
        s.problem_step(&office, id, &assign, on).await.unwrap();
        // Answer due 2017-03-08; on 03-07 it is near, on 03-09 overdue.
        let f = ProblemFilter {
            near: true,
            ..Default::default()
        };
        assert_eq!(
            s.list_problems(&office, &f, date!(2017 - 03 - 07))
                .await
                .unwrap()
                .1,
            1,
            "{}",
            db.name
        );
        let report = s
            .sweep_problem_deadlines(date!(2017 - 03 - 07))
            .await
            .unwrap();
        assert_eq!((report.near, report.escalated), (1, 0));
        let again = s
            .sweep_problem_deadlines(date!(2017 - 03 - 07))
            .await
            .unwrap();
        assert!(
            again.notices.is_empty(),
            "{}: a warning is given once per due date",
            db.name
        );

        let f = ProblemFilter {
            overdue: true,
            ..Default::default()
        };
        assert_eq!(
            s.list_problems(&office, &f, date!(2017 - 03 - 09))
                .await
                .unwrap()
                .1,
            1
        );
        let report = s
            .sweep_problem_deadlines(date!(2017 - 03 - 09))
            .await
            .unwrap();
        assert_eq!((report.overdue, report.escalated), (1, 1), "{}", db.name);
        let p = s.get_problem(&office, id).await.unwrap().problem;
        assert_eq!(
            (p.tier(), p.lead_unit_id, p.clock_start.as_str()),
            (Tier::Department, Some(c.land), "2017-03-09")
        );
        let rates = s
            .problem_rates(
                &Actor::system(),
                &RateFilter::default(),
                date!(2017 - 03 - 20),
            )
            .await
            .unwrap();
        assert_eq!(
            rates.answer_rate,
            Some(0.0),
            "{}: overdue and unanswered counts against 答复率",
            db.name
        );

        // The enterprise may ask for the next tier; the top tier is the 例会.
        let ent = actor(Role::Enterprise, None, Some(c.ent), 901);
        s.problem_step(
            &ent,
            id,
            &Step::Escalate {
                reason: "久拖未决".into(),
            },
            date!(2017 - 03 - 10),
        )
        .await
        .unwrap();
        let err = s
            .problem_step(
                &ent,
                id,
                &Step::Escalate {
                    reason: String::new(),
                },
                date!(2017 - 03 - 10),
            )
            .await
            .unwrap_err();
        assert!(err.to_string().contains("不能再升级"), "{err}");
        // The 例会 agenda proposes it; a decision on it is followed as a 督办 item by its unit
        // and written on the problem's timeline.
        let proposed = s.agenda_proposals(&office).await.unwrap();
        assert_eq!(
            proposed
                .iter()
                .filter(|p| p.item.source == AgendaSource::Problem)
                .map(|p| p.item.source_id)
                .collect::<Vec<_>>(),
            vec![Some(id)]
        );
        let meeting = s
            .create_meeting(
                &office,
                &NewMeeting {
                    kind: MeetingKind::Regular,
                    title: "工业强县工作例会".into(),
                    held_on: date!(2017 - 03 - 15),
                    place: String::new(),
                    convenor: String::new(),
                    unit_ids: vec![],
                },
            )
            .await
            .unwrap();
        let item = s
            .add_agenda_item(
                &office,
                meeting,
                &NewAgendaItem {
                    source: AgendaSource::Problem,
                    source_id: Some(id),
                    text: proposed[0].item.text.clone(),
                    unit_id: Some(c.land),
                },
            )
            .await
            .unwrap();
        s.meeting_step(&office, meeting, MeetingStep::Hold, None)
            .await
            .unwrap();
        let did = s
            .record_resolution(
                &office,
                &NewResolution {
                    meeting_id: meeting,
                    agenda_item_id: Some(item),
                    text: "由县国土资源局牵头两周内解决".into(),
                    lead_unit_id: c.land,
                    support_unit_ids: vec![],
                    deadline: date!(2017 - 03 - 29),
                },
            )
            .await
            .unwrap();
        let land = actor(Role::Unit, Some(c.land), None, 903);
        let all = SupervisionFilter::default();
        assert_eq!(s.list_supervision(&land, &all).await.unwrap().len(), 1);
        let town = actor(Role::Unit, Some(c.town), None, 902);
        assert!(s.list_supervision(&town, &all).await.unwrap().is_empty());
        assert!(matches!(
            s.supervision_step(
                &town,
                did,
                SupervisionStep::Feedback,
                "x",
                date!(2017 - 12 - 20)
            )
            .await,
            Err(StoreError::NotFound(_))
        ));
        s.supervision_step(
            &land,
            did,
            SupervisionStep::Acknowledge,
            "",
            date!(2017 - 12 - 20),
        )
        .await
        .unwrap();
        s.supervision_step(
            &land,
            did,
            SupervisionStep::Feedback,
            "指标已调剂",
            date!(2017 - 12 - 20),
        )
        .await
        .unwrap();
        s.supervision_step(
            &office,
            did,
            SupervisionStep::Close,
            "",
            date!(2017 - 12 - 20),
        )
        .await
        .unwrap();
        assert_eq!(
            s.list_supervision(&office, &all).await.unwrap()[0].status,
            SupervisionStatus::Closed
        );
        let timeline = s.get_problem(&office, id).await.unwrap().events;
        assert!(
            timeline
                .iter()
                .any(|e| e.note.contains("例会决定: 由县国土资源局牵头两周内解决")),
            "{}",
            db.name
        );
    }
}

#[tokio::test]
async fn time_limits_per_category_move_open_deadlines_and_rates_break_down() {
    for db in engines().await {
        let s = &db.store;
        let c = county(s).await;
        let office = Actor::system();
        let on = date!(2017 - 03 - 01);
        let (id, _) = s
            .submit_problem(&office, &problem(c.ent, on), vec![])
            .await
            .unwrap();
        s.set_problem_time_limits(&office, Category::Land, TimeLimits::new(2, 10, 20).unwrap())
            .await
            .unwrap();
        let p = s.get_problem(&office, id).await.unwrap().problem;
        assert_eq!(
            (p.accept_due.as_str(), p.answer_due.as_str()),
            ("2017-03-03", "2017-03-15"),
            "{}",
            db.name
        );
        let unit_actor = actor(Role::Unit, Some(c.land), None, 903);
        assert!(matches!(
            s.set_problem_time_limits(&unit_actor, Category::Land, TimeLimits::default())
                .await,
            Err(StoreError::Forbidden(_))
        ));
        let by_tier = s
            .problem_rates_by(
                &Actor::system(),
                RateGroup::Tier,
                &RateFilter::default(),
                on,
            )
            .await
            .unwrap();
        assert_eq!(by_tier.len(), 1);
        assert_eq!(
            (by_tier[0].0.as_str(), by_tier[0].1.counts.total),
            ("town", 1)
        );
        let by_cat = s
            .problem_rates_by(
                &Actor::system(),
                RateGroup::Category,
                &RateFilter {
                    category: Some(Category::Land),
                    ..Default::default()
                },
                on,
            )
            .await
            .unwrap();
        assert_eq!(by_cat[0].0, "land");
        assert!(
            s.problem_rates_by(
                &Actor::system(),
                RateGroup::Unit,
                &RateFilter::default(),
                on
            )
            .await
            .unwrap()[0]
                .0
                .is_empty()
        );
    }
}

/// On PostgreSQL the problem lists are planned for each request's own filters: they run as
/// unnamed statements, never kept prepared on a connection, so the server cannot switch them
/// to a generic plan (which made one unit's overdue list 80× slower in the 100k bench).
/// Ordinary statements stay prepared (planning each of them cost a third of a cached
/// dashboard's time).
#[tokio::test]
async fn postgres_plans_problem_lists_per_request() {
    let Some(db) = qx_store::testing::postgres().await.unwrap() else {
        return;
    };
    let s = &db.store;
    let c = county(s).await;
    let on = date!(2017 - 03 - 01);
    let unit = actor(Role::Unit, Some(c.town), None, 902);
    for _ in 0..8 {
        s.submit_problem(&Actor::system(), &problem(c.ent, on), vec![])
            .await
            .unwrap();
    }
    let overdue = ProblemFilter {
        overdue: true,
        ..Default::default()
    };
    for f in [ProblemFilter::default(), overdue] {
        for who in [&Actor::system(), &unit] {
            for _ in 0..7 {
                s.list_problems(who, &f, date!(2017 - 06 - 01))
                    .await
                    .unwrap();
            }
        }
    }
    // Hold every pooled connection at once and look at what each keeps prepared.
    let mut held = Vec::new();
    for _ in 0..s.pool().size() {
        held.push(s.pool().acquire().await.unwrap());
    }
    let mut prepared = Vec::new();
    for conn in &mut held {
        let rows: Vec<(String,)> = sqlx::query_as("SELECT statement FROM pg_prepared_statements")
            .fetch_all(&mut **conn)
            .await
            .unwrap();
        prepared.extend(rows.into_iter().map(|(sql,)| sql));
    }
    assert!(
        prepared.iter().any(|sql| sql.contains("audit_append")),
        "ordinary statements stay prepared: {prepared:#?}"
    );
    assert!(
        !prepared.iter().any(|sql| sql.contains("FROM problems p")),
        "problem lists are planned per request: {prepared:#?}"
    );
}

/// 满意率 counts what `Satisfaction::counts_as_satisfied` says, in every place that counts it:
/// the rate cube (kept by the migration's triggers), the full scan, the as-of query and the
/// breakdown. Changing the rule in one of them alone fails here.
#[tokio::test]
async fn the_satisfied_rule_is_one_rule() {
    use qx_core::problem::Deadlines;
    use qx_store::problems::{Outcome, ProblemSeed, insert_problem_row};
    for db in engines().await {
        let s = &db.store;
        let c = county(s).await;
        let cal = s.work_calendar().await.unwrap();
        let on = date!(2017 - 03 - 01);
        let closed = date!(2017 - 03 - 10);
        let d = Deadlines::compute(&cal, on, on, TimeLimits::default(), 0).unwrap();
        let mut tx = s.begin().await.unwrap();
        // Each verdict twice, and one closed problem nobody rated.
        let verdicts: Vec<Option<Satisfaction>> = Satisfaction::ALL
            .iter()
            .chain(Satisfaction::ALL)
            .map(|v| Some(*v))
            .chain([None])
            .collect();
        for (i, v) in verdicts.iter().enumerate() {
            let seed = ProblemSeed {
                enterprise_id: c.ent,
                category: Category::Land,
                title: format!("满意度{i}"),
                status: Status::Closed,
                tier: Tier::Town,
                lead_unit_id: Some(c.town),
                submitted_on: on,
                deadlines: d,
                outcome: Outcome {
                    answered_on: Some(closed),
                    closed_on: Some(closed),
                    resolved: Some(true),
                    satisfaction: *v,
                    answer_workdays: Some(7),
                    close_workdays: Some(7),
                },
            };
            insert_problem_row(&mut tx, &seed).await.unwrap();
        }
        tx.commit().await.unwrap();
        let satisfied = verdicts
            .iter()
            .flatten()
            .filter(|v| v.counts_as_satisfied())
            .count() as i64;
        let rated = verdicts.iter().flatten().count() as i64;
        let f = RateFilter::default();
        let today = date!(2017 - 12 - 31);
        let cube = s.problem_rates(&Actor::system(), &f, today).await.unwrap();
        let scan = s
            .problem_rates_scan(&Actor::system(), &f, today)
            .await
            .unwrap();
        let as_of = s.problem_rates_as_of(&f, today).await.unwrap();
        let breakdown = s
            .problem_rates_breakdown(&Actor::system(), &f, today)
            .await
            .unwrap();
        // Whole months only from the cube, partial ones from rows: both paths.
        let partial = RateFilter {
            from: Some("2017-02-15".into()),
            to: Some("2017-03-20".into()),
            ..Default::default()
        };
        let rows = s
            .problem_rates(&Actor::system(), &partial, today)
            .await
            .unwrap();
        for (what, r) in [
            ("cube", &cube),
            ("scan", &scan),
            ("as of", &as_of),
            ("breakdown", &breakdown.overall),
            ("rows", &rows),
        ] {
            assert_eq!(
                (r.counts.rated, r.counts.satisfied),
                (rated, satisfied),
                "{}: {what}",
                db.name
            );
        }
        assert_eq!(satisfied, 4, "满意 and 基本满意, twice each");
    }
}

/// A code no enum value has (a row written by hand, or by a newer version) fails the read
/// instead of reading as 提交 / 镇乡 / 其他.
#[tokio::test]
async fn an_unknown_stored_code_is_an_error_not_a_default() {
    for db in engines().await {
        let s = &db.store;
        let c = county(s).await;
        let office = Actor::system();
        let (id, _) = s
            .submit_problem(&office, &problem(c.ent, date!(2017 - 09 - 28)), vec![])
            .await
            .unwrap();
        for (column, code, sql) in [
            (
                "status",
                "Submitted",
                "UPDATE problems SET status = $1 WHERE id = $2",
            ),
            (
                "tier",
                "county",
                "UPDATE problems SET tier = $1 WHERE id = $2",
            ),
            (
                "category",
                "water",
                "UPDATE problems SET category = $1 WHERE id = $2",
            ),
            (
                "satisfaction",
                "happy",
                "UPDATE problems SET satisfaction = $1 WHERE id = $2",
            ),
        ] {
            let mut tx = s.begin().await.unwrap();
            sqlx::query(sql)
                .bind(code)
                .bind(id)
                .execute(&mut *tx)
                .await
                .unwrap();
            tx.commit().await.unwrap();
            // The message names the column (decoded by sqlx) or the code (decoded here).
            let err = s.get_problem(&office, id).await.unwrap_err().to_string();
            let named = if column == "satisfaction" {
                code
            } else {
                column
            };
            assert!(err.contains(named), "{}: {column} = {code}: {err}", db.name);
            if column != "satisfaction" {
                let listed = s
                    .list_problems(&office, &ProblemFilter::default(), date!(2017 - 10 - 01))
                    .await;
                assert!(listed.is_err(), "{}: the list refuses {column}", db.name);
            }
            let mut tx = s.begin().await.unwrap();
            let good = match column {
                "status" => Some("submitted"),
                "tier" => Some("town"),
                "category" => Some("land"),
                _ => None,
            };
            sqlx::query(sql)
                .bind(good)
                .bind(id)
                .execute(&mut *tx)
                .await
                .unwrap();
            tx.commit().await.unwrap();
            s.get_problem(&office, id).await.unwrap();
        }
    }
}

/// The list's 逾期 and 临期 filters (SQL over `due_on`) select exactly the problems whose
/// running deadline `DeadlineFlag::running` flags overdue or near (the flag the list, its export
/// and the detail page show): every status, due dates on and either side of `today`, its next
/// working day and the one after, across a weekend, a 调休 Saturday and the National Day
/// holiday, with `today` itself on working days and days off.
#[tokio::test]
async fn the_list_s_overdue_and_near_filters_are_the_deadline_flag() {
    use qx_core::problem::{DeadlineFlag, Deadlines};
    use qx_store::problems::{Outcome, ProblemSeed, insert_problem_row};
    use std::collections::BTreeSet;
    use time::Duration;

    // An ordinary week (2017-03-04/05 a weekend) and the National Day run: 09-30 (Saturday)
    // worked, 10-01..10-08 off, 10-09 (Monday) back.
    let windows = [
        (date!(2017 - 02 - 27), date!(2017 - 03 - 14)),
        (date!(2017 - 09 - 25), date!(2017 - 10 - 13)),
    ];
    let days = |(from, to): (Date, Date)| {
        std::iter::successors(Some(from), move |d| Some(*d + Duration::days(1)))
            .take_while(move |d| *d <= to)
    };
    for db in engines().await {
        let s = &db.store;
        let c = county(s).await;
        let cal = s.work_calendar().await.unwrap();
        let mut tx = s.begin().await.unwrap();
        let mut n = 0;
        for due in windows.into_iter().flat_map(days) {
            for status in Status::ALL {
                n += 1;
                let seed = ProblemSeed {
                    enterprise_id: c.ent,
                    category: Category::Land,
                    title: format!("期限{n}"),
                    status: *status,
                    tier: Tier::Town,
                    lead_unit_id: Some(c.town),
                    submitted_on: due - Duration::days(20),
                    deadlines: Deadlines {
                        accept_by: due,
                        answer_by: due,
                        close_by: due,
                    },
                    outcome: Outcome::default(),
                };
                insert_problem_row(&mut tx, &seed).await.unwrap();
            }
        }
        tx.commit().await.unwrap();
        // A finished problem keeps no running deadline; one left on the row anyway must not
        // make it overdue or near (the flag goes by the status first).
        sqlx::query("UPDATE problems SET due_on = answer_due WHERE status IN ($1, $2)")
            .bind(Status::Closed.as_str())
            .bind(Status::Withdrawn.as_str())
            .execute(s.pool())
            .await
            .unwrap();
        let office = Actor::system();
        let all = ProblemFilter {
            limit: 500,
            ..Default::default()
        };
        let (rows, total) = s
            .list_problems(&office, &all, date!(2017 - 01 - 01))
            .await
            .unwrap();
        assert_eq!(total, n, "{}", db.name);
        assert_eq!(rows.len() as i64, n, "{}", db.name);
        let office = &office;
        let ids = |f: ProblemFilter, today: Date| async move {
            let (rows, total) = s.list_problems(office, &f, today).await.unwrap();
            assert_eq!(rows.len() as i64, total);
            rows.into_iter().map(|r| r.id).collect::<BTreeSet<i64>>()
        };
        let mut seen = BTreeSet::new();
        for today in windows.into_iter().flat_map(days) {
            let flagged = |want: DeadlineFlag| -> BTreeSet<i64> {
                rows.iter()
                    .filter(|r| DeadlineFlag::running(&cal, today, r.status, r.due) == want)
                    .map(|r| r.id)
                    .collect()
            };
            // Without a unit the deadline's own index drives the statement; with one, the
            // lead unit's does and the filter alone decides.
            for unit_id in [None, Some(c.town)] {
                let overdue = ProblemFilter {
                    overdue: true,
                    unit_id,
                    ..all.clone()
                };
                let near = ProblemFilter {
                    near: true,
                    unit_id,
                    ..all.clone()
                };
                assert_eq!(
                    ids(overdue, today).await,
                    flagged(DeadlineFlag::Overdue),
                    "{}: 逾期 on {today}, unit {unit_id:?}",
                    db.name
                );
                assert_eq!(
                    ids(near, today).await,
                    flagged(DeadlineFlag::Near),
                    "{}: 临期 on {today}, unit {unit_id:?}",
                    db.name
                );
            }
            seen.insert((cal.is_working_day(today), flagged(DeadlineFlag::Near).len()));
        }
        // The days judged include working days and days off, each with problems near.
        assert!(seen.iter().any(|(w, near)| *w && *near > 0), "{seen:?}");
        assert!(seen.iter().any(|(w, near)| !*w && *near > 0), "{seen:?}");
        db.discard().await.unwrap();
    }
}

/// 应答复 counts an unanswered open problem once its answer deadline is past: what
/// `DeadlineFlag::of` calls overdue for the answer deadline, for a problem `Status::is_open`
/// and not yet answered. The rate cube's overdue query, the full scan, the as-of scan and the
/// breakdown each say it in SQL; every status, answer deadlines on and either side of each day
/// judged, answered and not.
#[tokio::test]
async fn overdue_unanswered_is_the_deadline_flag_of_open_unanswered_problems() {
    use qx_core::problem::{DeadlineFlag, Deadlines};
    use qx_store::problems::{Outcome, ProblemSeed, insert_problem_row};
    use time::Duration;

    let first = date!(2017 - 03 - 01);
    let dues: Vec<Date> = (0..12).map(|n| first + Duration::days(n)).collect();
    for db in engines().await {
        let s = &db.store;
        let c = county(s).await;
        let cal = s.work_calendar().await.unwrap();
        let mut tx = s.begin().await.unwrap();
        let mut seeds = Vec::new();
        for due in &dues {
            for status in Status::ALL {
                // Answered before its deadline where the status says it was, and a few of the
                // open ones answered too (an answer sent back for redo keeps its date).
                let answered = matches!(
                    status,
                    Status::Answered | Status::Rated | Status::Closed | Status::Returned
                )
                .then(|| *due - Duration::days(1));
                let closed = (*status == Status::Closed).then_some(*due);
                let seed = ProblemSeed {
                    enterprise_id: c.ent,
                    category: Category::Land,
                    title: format!("答复{}", seeds.len()),
                    status: *status,
                    tier: Tier::Town,
                    lead_unit_id: Some(c.town),
                    submitted_on: *due - Duration::days(20),
                    deadlines: Deadlines {
                        accept_by: *due,
                        answer_by: *due,
                        close_by: *due + Duration::days(10),
                    },
                    outcome: Outcome {
                        answered_on: answered,
                        closed_on: closed,
                        resolved: closed.map(|_| true),
                        answer_workdays: answered.map(|_| 3),
                        close_workdays: closed.map(|_| 5),
                        ..Outcome::default()
                    },
                };
                insert_problem_row(&mut tx, &seed).await.unwrap();
                seeds.push(seed);
            }
        }
        tx.commit().await.unwrap();
        let f = RateFilter::default();
        let mut counted = Vec::new();
        for today in dues.iter().map(|d| *d + Duration::days(1)) {
            let expect = seeds
                .iter()
                .filter(|p| p.status.is_open() && p.outcome.answered_on.is_none())
                .filter(|p| DeadlineFlag::of(&cal, today, p.deadlines.answer_by).is_overdue())
                .count() as i64;
            let cube = s
                .problem_rates(&Actor::system(), &f, today)
                .await
                .unwrap()
                .counts;
            let scan = s
                .problem_rates_scan(&Actor::system(), &f, today)
                .await
                .unwrap()
                .counts;
            let breakdown = s
                .problem_rates_breakdown(&Actor::system(), &f, today)
                .await
                .unwrap();
            // As it stood at the end of the day before: due before then and open all along.
            let eve = today - Duration::days(1);
            let as_of = s.problem_rates_as_of(&f, eve).await.unwrap().counts;
            let expect_eve = seeds
                .iter()
                .filter(|p| p.status != Status::Withdrawn && p.submitted_on <= eve)
                .filter(|p| p.outcome.answered_on.is_none_or(|a| a > eve))
                .filter(|p| p.outcome.closed_on.is_none_or(|d| d > eve))
                .filter(|p| DeadlineFlag::of(&cal, eve, p.deadlines.answer_by).is_overdue())
                .count() as i64;
            assert_eq!(
                cube.overdue_unanswered, expect,
                "{}: cube on {today}",
                db.name
            );
            assert_eq!(
                scan.overdue_unanswered, expect,
                "{}: scan on {today}",
                db.name
            );
            assert_eq!(
                breakdown.overall.counts.overdue_unanswered, expect,
                "{}: breakdown on {today}",
                db.name
            );
            assert_eq!(
                as_of.overdue_unanswered, expect_eve,
                "{}: as of {eve}",
                db.name
            );
            counted.push(expect);
        }
        // The days judged run from nothing overdue to many.
        assert!(counted[0] > 0 && counted[0] < counted[counted.len() - 1]);
        db.discard().await.unwrap();
    }
}

/// Only the office registers a problem that came by 大走访 or 服务热线, or dates one after today
/// (`NewProblem::source`, `submitted_on`): an enterprise files online or through the API.
#[tokio::test]
async fn only_the_office_sets_a_problem_s_channel_and_a_later_date() {
    use qx_core::problem::Channel;
    for db in engines().await {
        let s = &db.store;
        let c = county(s).await;
        let office = Actor::system();
        let ent = actor(Role::Enterprise, None, Some(c.ent), 901);
        let today = qx_core::time::today();
        for source in [Channel::Visit, Channel::Hotline] {
            let new = NewProblem {
                source,
                ..problem(c.ent, today)
            };
            let refused = s.submit_problem(&ent, &new, vec![]).await;
            assert!(
                matches!(&refused, Err(StoreError::Forbidden(m)) if m.contains("来源")),
                "{}: an enterprise sets the channel {}: {refused:?}",
                db.name,
                source.as_str()
            );
            s.submit_problem(&office, &new, vec![]).await.unwrap();
        }
        let later = problem(c.ent, today.next_day().unwrap());
        let refused = s.submit_problem(&ent, &later, vec![]).await;
        assert!(
            matches!(&refused, Err(StoreError::Forbidden(m)) if m.contains("提交日期")),
            "{}: an enterprise dates a problem after today: {refused:?}",
            db.name
        );
        for source in [Channel::Web, Channel::Api] {
            let own = NewProblem {
                source,
                ..problem(c.ent, today)
            };
            s.submit_problem(&ent, &own, vec![]).await.unwrap();
        }
        let (_, total) = s
            .list_problems(&office, &ProblemFilter::default(), today)
            .await
            .unwrap();
        assert_eq!(total, 4, "{}: the refused ones were not filed", db.name);
    }
}
