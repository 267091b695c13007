//! 重大项目库 and 招商线索 on every engine: scope (a unit reads and moves only its own projects,
//! an enterprise those with its credit code), the order rule and the office's override, 中止,
//! notices to the unit and the 包干 leader, list filters and lights, the counts as of a day,
//! and a lead's way to a project.

use qx_core::access::{Actor, Role};
use qx_core::codes::CreditCode;
use qx_core::monitor::Light;
use qx_core::notice::{NoticeKind, Subject};
use qx_core::project::{AlertDays, CapitalKind, EventKind, FunnelAlert, LeadStatus, Source, Stage};
use qx_core::units::UnitKind;
use qx_store::enterprises::{NewEnterprise, insert_enterprise};
use qx_store::notices::InboxQuery;
use qx_store::projects::{LeadDecision, NewLead, ProjectFilter, ProjectInput, StageMove};
use qx_store::testing::{self, TestDb};
use qx_store::units::NewUnit;
use qx_store::users::NewUser;
use qx_store::{Store, StoreError};
use std::collections::HashMap;
use time::Date;
use time::macros::date;

fn unit(name: &str) -> NewUnit {
    NewUnit {
        kind: UnitKind::Town,
        name: name.into(),
        full_name: name.into(),
        region_code: None,
        parent_id: None,
        slug: name.into(),
        aliases: vec![],
        sort_order: 0,
    }
}

async fn person(
    s: &Store,
    name: &str,
    role: Role,
    unit_id: Option<i64>,
    enterprise_id: Option<i64>,
) -> Actor {
    let id = s
        .create_user(
            &Actor::system(),
            &NewUser {
                username: name.into(),
                display_name: name.into(),
                role,
                unit_id,
                enterprise_id,
                phone: String::new(),
                password_hash: "x".into(),
            },
        )
        .await
        .unwrap();
    Actor {
        user_id: id,
        username: name.into(),
        role,
        unit_id,
        enterprise_id,
        ip: String::new(),
    }
}

fn input(name: &str, unit_id: i64, total: f64) -> ProjectInput {
    ProjectInput {
        year: 2017,
        name: name.into(),
        investor: "宁波某投资有限公司".into(),
        credit_code: None,
        capital_kind: CapitalKind::Domestic,
        source: Source::Investment,
        industry: "汽车零部件".into(),
        town_id: Some(unit_id),
        total_investment_wan: total,
        foreign_contract_wusd: None,
        annual_plan_wan: Some(1_000.0),
        completed_wan: Some(600.0),
        land_mu: Some(50.0),
        content: "新建厂房".into(),
        unit_id,
        contact: "张三".into(),
        leader_user_id: None,
        planned: [
            Some(date!(2017 - 03 - 01)),
            Some(date!(2017 - 05 - 01)),
            Some(date!(2017 - 08 - 01)),
            Some(date!(2018 - 12 - 01)),
        ],
    }
}

fn mv(to: Stage, on: Date) -> StageMove {
    StageMove {
        to,
        on,
        evidence: String::new(),
        reason: String::new(),
    }
}

struct County {
    office: Actor,
    leader: Actor,
    shipu: i64,
    shipu_user: Actor,
    xizhou_user: Actor,
    firm: Actor,
    code: CreditCode,
}

async fn county(s: &Store) -> County {
    let sys = Actor::system();
    let shipu = s.create_unit(&sys, &unit("石浦镇")).await.unwrap();
    let xizhou = s.create_unit(&sys, &unit("西周镇")).await.unwrap();
    let ban = s.create_unit(&sys, &unit("领导小组办公室")).await.unwrap();
    let code = CreditCode::complete("91330225000000001").unwrap();
    let mut tx = s.begin().await.unwrap();
    let firm_id = insert_enterprise(
        &mut tx,
        &NewEnterprise {
            credit_code: code.as_str().into(),
            name: "象山某汽配有限公司".into(),
            town_id: Some(shipu),
            industry_code: None,
            scale: qx_core::scale::Scale::Below,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    County {
        office: person(s, "office", Role::Admin, Some(ban), None).await,
        leader: person(s, "leader", Role::Leader, Some(ban), None).await,
        shipu,
        shipu_user: person(s, "sp", Role::Unit, Some(shipu), None).await,
        xizhou_user: person(s, "xz", Role::Unit, Some(xizhou), None).await,
        firm: person(s, "firm", Role::Enterprise, None, Some(firm_id)).await,
        code,
    }
}

#[tokio::test]
async fn scope_decides_who_reads_and_moves_a_project() {
    for TestDb { name, store: s, .. } in testing::all().await.unwrap() {
        let c = county(&s).await;
        let mut new = input("石浦汽配产业园", c.shipu, 12_000.0);
        new.credit_code = Some(c.code);
        new.leader_user_id = Some(c.leader.user_id);
        let id = s
            .create_project(&c.office, &new, date!(2017 - 01 - 10))
            .await
            .unwrap();
        let p = s.get_project(&c.shipu_user, id).await.unwrap();
        assert!(p.enterprise_id.is_some(), "{name}: linked by credit code");
        assert!(p.is_major());
        assert_eq!(p.enterprise_name, "象山某汽配有限公司");
        s.get_project(&c.leader, id).await.unwrap();
        s.get_project(&c.firm, id).await.unwrap();
        assert!(
            matches!(
                s.get_project(&c.xizhou_user, id).await,
                Err(StoreError::NotFound(_))
            ),
            "{name}: another unit's project is not found"
        );
        assert!(matches!(
            s.move_project(
                &c.xizhou_user,
                id,
                &mv(Stage::Signed, date!(2017 - 02 - 01))
            )
            .await,
            Err(StoreError::NotFound(_))
        ));
        assert!(matches!(
            s.move_project(&c.leader, id, &mv(Stage::Signed, date!(2017 - 02 - 01)))
                .await,
            Err(StoreError::Forbidden(_))
        ));
        assert!(matches!(
            s.move_project(&c.firm, id, &mv(Stage::Signed, date!(2017 - 02 - 01)))
                .await,
            Err(StoreError::Forbidden(_))
        ));
        assert!(
            s.list_projects(&c.xizhou_user, &ProjectFilter::default())
                .await
                .unwrap()
                .rows
                .is_empty()
        );
        assert_eq!(
            s.list_projects(&c.firm, &ProjectFilter::default())
                .await
                .unwrap()
                .rows
                .len(),
            1
        );
        // A unit may not hand its project to another unit, nor enter one for it.
        let other = input("西周项目", c.xizhou_user.unit_id.unwrap(), 500.0);
        assert!(matches!(
            s.create_project(&c.shipu_user, &other, date!(2017 - 01 - 10))
                .await,
            Err(StoreError::Forbidden(_))
        ));
    }
}

#[tokio::test]
async fn moves_follow_the_order_unless_the_office_overrides_and_notify_unit_and_leader() {
    for TestDb { name, store: s, .. } in testing::all().await.unwrap() {
        let c = county(&s).await;
        let mut new = input("石浦冷链物流", c.shipu, 8_000.0);
        new.leader_user_id = Some(c.leader.user_id);
        // The office enters it: only the office names the 包干 leader.
        let id = s
            .create_project(&c.office, &new, date!(2017 - 01 - 10))
            .await
            .unwrap();
        let err = s
            .move_project(
                &c.shipu_user,
                id,
                &mv(Stage::Started, date!(2017 - 02 - 01)),
            )
            .await
            .unwrap_err();
        assert!(err.to_string().contains("阶段须依次推进"), "{name}: {err}");
        let mut unit_override = mv(Stage::Started, date!(2017 - 02 - 01));
        unit_override.reason = "补录".into();
        assert!(
            s.move_project(&c.shipu_user, id, &unit_override)
                .await
                .is_err(),
            "{name}: only the office overrides"
        );
        let notices = s
            .move_project(&c.shipu_user, id, &mv(Stage::Signed, date!(2017 - 02 - 01)))
            .await
            .unwrap();
        assert_eq!(notices.len(), 2, "{name}: the unit and the leader");
        let inbox = s.inbox(&c.leader, InboxQuery::default()).await.unwrap();
        assert!(inbox.iter().any(|n| n.kind == NoticeKind::ProjectStage
            && n.subject == Subject::Project(id)
            && n.message.contains("推进至「签约」")));
        s.move_project(&c.office, id, &unit_override).await.unwrap();
        let d = s.project_detail(&c.office, id).await.unwrap();
        assert_eq!(d.project.stage, Stage::Started);
        assert_eq!(d.events.len(), 3, "{name}: entered, moved, overridden");
        assert_eq!(d.events[2].note, "补录");
        assert_eq!(
            (d.events[2].from_stage.0, d.events[2].to_stage.0),
            (Some(Stage::Signed), Some(Stage::Started)),
            "{name}"
        );
        // A stage code no stage has (a row written by hand) is an error naming the column,
        // where the timeline showed a blank. (sqlx 0.9.0's derive drops the enum's own message,
        // which names the code: its `__spec_error!` always picks the "unprintable" arm.)
        let set_to = |from: &'static str, to: &'static str| {
            sqlx::query(
                "UPDATE project_events SET to_stage = $1 WHERE project_id = $2 AND to_stage = $3",
            )
            .bind(to)
            .bind(id)
            .bind(from)
            .execute(s.pool())
        };
        set_to("started", "built").await.unwrap();
        let err = s
            .project_detail(&c.office, id)
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains("to_stage"), "{name}: {err}");
        set_to("built", "started").await.unwrap();
        let halt = mv(Stage::Halted, date!(2017 - 06 - 01));
        let err = s.move_project(&c.shipu_user, id, &halt).await.unwrap_err();
        assert!(err.to_string().contains("中止项目须填写理由"), "{err}");
        let mut halt = halt;
        halt.reason = "投资方撤资".into();
        s.move_project(&c.shipu_user, id, &halt).await.unwrap();
        let p = s.get_project(&c.office, id).await.unwrap();
        assert_eq!(
            (p.stage, p.halt_reason.as_str()),
            (Stage::Halted, "投资方撤资")
        );
        let audit = testing::audit_entries(&s, "project.").await.unwrap();
        assert_eq!(
            audit.iter().filter(|a| a.action == "project.stage").count(),
            3,
            "{name}"
        );
    }
}

#[tokio::test]
async fn counts_as_of_a_day_follow_actual_dates_and_halts_leave_them() {
    for TestDb { name, store: s, .. } in testing::all().await.unwrap() {
        let c = county(&s).await;
        let a = s
            .create_project(
                &c.office,
                &input("甲", c.shipu, 20_000.0),
                date!(2017 - 01 - 05),
            )
            .await
            .unwrap();
        let b = s
            .create_project(
                &c.office,
                &input("乙", c.shipu, 15_000.0),
                date!(2017 - 01 - 05),
            )
            .await
            .unwrap();
        for id in [a, b] {
            s.move_project(&c.office, id, &mv(Stage::Signed, date!(2017 - 02 - 10)))
                .await
                .unwrap();
            s.move_project(&c.office, id, &mv(Stage::Registered, date!(2017 - 04 - 10)))
                .await
                .unwrap();
        }
        s.move_project(&c.office, a, &mv(Stage::Started, date!(2017 - 07 - 10)))
            .await
            .unwrap();
        let mut halt = mv(Stage::Halted, date!(2017 - 09 - 01));
        halt.reason = "规划调整".into();
        s.move_project(&c.office, b, &halt).await.unwrap();
        let march = s
            .project_stage_counts_as_of(2017, date!(2017 - 03 - 31))
            .await
            .unwrap();
        assert_eq!((march.signed, march.registered), (2, 0), "{name}");
        let august = s
            .project_stage_counts_as_of(2017, date!(2017 - 08 - 31))
            .await
            .unwrap();
        assert_eq!(
            (august.signed, august.registered, august.started),
            (2, 2, 1)
        );
        assert_eq!(
            (august.major_planned_to_start, august.major_started),
            (2, 1)
        );
        assert_eq!(august.major_start_rate(), Some(50.0));
        let october = s
            .project_stage_counts_as_of(2017, date!(2017 - 10 - 31))
            .await
            .unwrap();
        assert_eq!(
            (october.signed, october.registered),
            (1, 1),
            "{name}: 乙 halted"
        );
        assert_eq!(october.major_start_rate(), Some(100.0));
    }
}

#[tokio::test]
async fn the_list_filters_and_gives_lights_alerts_and_stage_counts() {
    for TestDb { name, store: s, .. } in testing::all().await.unwrap() {
        let c = county(&s).await;
        let big = s
            .create_project(
                &c.office,
                &input("大项目", c.shipu, 10_000.0),
                date!(2017 - 01 - 05),
            )
            .await
            .unwrap();
        let mut small = input("小项目", c.shipu, 9_999.0);
        small.planned = [None; 4];
        small.completed_wan = Some(0.0);
        s.create_project(&c.office, &small, date!(2017 - 01 - 05))
            .await
            .unwrap();
        s.move_project(&c.office, big, &mv(Stage::Signed, date!(2017 - 02 - 10)))
            .await
            .unwrap();
        let all = s
            .list_projects(&c.office, &ProjectFilter::default())
            .await
            .unwrap();
        assert_eq!(all.rows.len(), 2, "{name}");
        let count = |st: Stage| all.by_stage.iter().find(|(s, _)| *s == st).unwrap().1;
        assert_eq!((count(Stage::Negotiating), count(Stage::Signed)), (1, 1));
        let major = ProjectFilter {
            major: true,
            ..Default::default()
        };
        let rows = s.list_projects(&c.office, &major).await.unwrap().rows;
        assert_eq!(
            rows.len(),
            1,
            "{name}: 10,000 万元 is 亿元以上, 9,999 is not"
        );
        // 注册 was planned for 2017-05-01 and never happened: overdue, red.
        assert!(rows[0].light.overdue);
        assert_eq!(rows[0].light.light, Light::Red);
        assert_eq!(rows[0].alert, Some(FunnelAlert::SignedNotRegistered));
        let text = ProjectFilter {
            q: Some("小".into()),
            stage: Some(Stage::Negotiating),
            ..Default::default()
        };
        let list = s.list_projects(&c.office, &text).await.unwrap();
        assert_eq!(list.rows.len(), 1);
        assert_eq!(list.rows[0].project.name, "小项目");
        let red = ProjectFilter {
            light: Some(Light::Red),
            ..Default::default()
        };
        assert_eq!(
            s.list_projects(&c.office, &red).await.unwrap().rows.len(),
            2,
            "{name}: nothing invested by now is red too"
        );
        let alerted = ProjectFilter {
            alerted: true,
            ..Default::default()
        };
        assert_eq!(
            s.list_projects(&c.office, &alerted)
                .await
                .unwrap()
                .rows
                .len(),
            1
        );
        // The alert waits the configured days.
        s.set_project_alert_days(
            &c.office,
            &AlertDays {
                signed_not_registered: 3_650,
                ..AlertDays::default()
            },
        )
        .await
        .unwrap();
        assert!(
            s.list_projects(&c.office, &alerted)
                .await
                .unwrap()
                .rows
                .is_empty()
        );
        assert!(matches!(
            s.set_project_alert_days(&c.shipu_user, &AlertDays::default())
                .await,
            Err(StoreError::Forbidden(_))
        ));
    }
}

#[tokio::test]
async fn a_lead_is_submitted_decided_and_becomes_a_project() {
    for TestDb { name, store: s, .. } in testing::all().await.unwrap() {
        let c = county(&s).await;
        let lead = NewLead {
            investor: "某外资集团".into(),
            industry: "新材料".into(),
            intended_wan: Some(30_000.0),
            contact: "李经理 138".into(),
            found_by: "王五".into(),
            note: String::new(),
        };
        let id = s.submit_lead(&c.firm, &lead).await.unwrap();
        let other = s.submit_lead(&c.xizhou_user, &lead).await.unwrap();
        assert_eq!(
            s.list_leads(&c.firm, None).await.unwrap().len(),
            1,
            "{name}: the submitter's own"
        );
        assert!(matches!(
            s.get_lead(&c.shipu_user, id).await,
            Err(StoreError::NotFound(_))
        ));
        assert_eq!(s.list_leads(&c.office, None).await.unwrap().len(), 2);
        // Newest first by when each came in: the second, entered after the fact as a lead of
        // last spring, lists after the first; only the system dates leads, only earlier.
        let spring = 1_492_000_000;
        assert!(matches!(
            s.date_leads(&c.office, &[(other, spring)]).await,
            Err(StoreError::Forbidden(_))
        ));
        assert_eq!(
            s.date_leads(&Actor::system(), &[(other, spring), (id, i64::MAX)])
                .await
                .unwrap(),
            1,
            "{name}"
        );
        let order: Vec<i64> = s
            .list_leads(&c.office, None)
            .await
            .unwrap()
            .iter()
            .map(|l| l.id)
            .collect();
        assert_eq!(order, [id, other], "{name}");
        assert_eq!(
            s.get_lead(&c.office, other).await.unwrap().created_at,
            spring
        );
        let decision = LeadDecision {
            accept: true,
            follow_unit_id: Some(c.shipu),
            reward: "奖励2000元".into(),
            note: String::new(),
        };
        assert!(matches!(
            s.decide_lead(&c.shipu_user, id, &decision).await,
            Err(StoreError::Forbidden(_))
        ));
        let input_ = input("新材料项目", c.shipu, 30_000.0);
        let err = s
            .convert_lead(&c.office, id, &input_, date!(2017 - 03 - 01))
            .await
            .unwrap_err();
        assert!(err.to_string().contains("须先采纳"), "{name}: {err}");
        s.decide_lead(&c.office, id, &decision).await.unwrap();
        assert_eq!(
            s.get_lead(&c.shipu_user, id).await.unwrap().status,
            LeadStatus::Accepted,
            "{name}: the follow-up unit reads it"
        );
        let project = s
            .convert_lead(&c.office, id, &input_, date!(2017 - 03 - 01))
            .await
            .unwrap();
        let p = s.get_project(&c.office, project).await.unwrap();
        assert_eq!((p.stage, p.lead_id), (Stage::Negotiating, Some(id)));
        let l = s.get_lead(&c.office, id).await.unwrap();
        assert_eq!(
            (l.status, l.project_id),
            (LeadStatus::Converted, Some(project))
        );
        assert!(s.decide_lead(&c.office, id, &decision).await.is_err());
        let reject = LeadDecision {
            accept: false,
            follow_unit_id: None,
            reward: String::new(),
            note: "不符合产业导向".into(),
        };
        s.decide_lead(&c.office, other, &reject).await.unwrap();
        assert_eq!(
            s.get_lead(&c.xizhou_user, other).await.unwrap().status,
            LeadStatus::Rejected
        );
    }
}

#[tokio::test]
async fn an_edit_changes_every_field_it_names_and_no_other_unit_may_make_it() {
    for TestDb { name, store: s, .. } in testing::all().await.unwrap() {
        let c = county(&s).await;
        let id = s
            .create_project(
                &c.shipu_user,
                &input("石浦冷链", c.shipu, 3_000.0),
                date!(2017 - 01 - 10),
            )
            .await
            .unwrap();
        let mut edit = input("石浦冷链物流中心", c.shipu, 15_000.0);
        edit.investor = "宁波冷链集团".into();
        edit.credit_code = Some(c.code);
        edit.land_mu = Some(80.0);
        s.update_project(&c.shipu_user, id, &edit).await.unwrap();
        let p = s.get_project(&c.office, id).await.unwrap();
        assert_eq!(p.name, "石浦冷链物流中心", "{name}");
        assert_eq!(p.investor, "宁波冷链集团", "{name}");
        assert_eq!(p.total_investment_wan, 15_000.0, "{name}");
        assert_eq!(p.land_mu, Some(80.0), "{name}");
        assert!(p.is_major(), "{name}: now 亿元以上");
        assert_eq!(p.enterprise_name, "象山某汽配有限公司", "{name}: linked");
        // Another town's liaison may not edit it (not found: out of scope); nothing changes.
        assert!(
            s.update_project(&c.xizhou_user, id, &input("改名", c.shipu, 1.0))
                .await
                .is_err(),
            "{name}"
        );
        assert_eq!(
            s.get_project(&c.office, id).await.unwrap().name,
            "石浦冷链物流中心"
        );
    }
}

/// A month of the backfill fixture: the period, the unit's submission statuses of it (by
/// revision), project a's and project b's 本月完成投资.
type Month = (
    &'static str,
    &'static [&'static str],
    Option<f64>,
    Option<f64>,
);

/// Migration 0032 fills the stored 本年已完成投资 from the months approved before it: per
/// project and year, only months whose unit's submission of the period is approved (a returned
/// or superseded one does not count), a blank amount summing to blank.
/// A project as `create_project` enters it (at 在谈 since `since`, its planned dates), written
/// in SQL: for tests that start from a schema before 0036, which the store's writers need.
async fn project_by_sql(s: &Store, input: &ProjectInput, since: Date) -> i64 {
    let since = since.to_string();
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO projects (year, name, investor, capital_kind, source, industry, town_id,
            total_investment_wan, annual_plan_wan, completed_wan, land_mu, content, unit_id, contact,
            stage, stage_since, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, 1, 1)
         RETURNING id",
    )
    .bind(i64::from(input.year))
    .bind(&input.name)
    .bind(&input.investor)
    .bind(input.capital_kind.as_str())
    .bind(input.source.as_str())
    .bind(&input.industry)
    .bind(input.town_id)
    .bind(input.total_investment_wan)
    .bind(input.annual_plan_wan)
    .bind(input.completed_wan)
    .bind(input.land_mu)
    .bind(&input.content)
    .bind(input.unit_id)
    .bind(&input.contact)
    .bind(Stage::Negotiating.as_str())
    .bind(&since)
    .fetch_one(s.pool())
    .await
    .unwrap();
    sqlx::query("INSERT INTO project_stages (project_id, stage, actual_on) VALUES ($1, $2, $3)")
        .bind(id)
        .bind(Stage::Negotiating.as_str())
        .bind(&since)
        .execute(s.pool())
        .await
        .unwrap();
    for (stage, on) in qx_core::project::PIPELINE[1..].iter().zip(input.planned) {
        sqlx::query(
            "INSERT INTO project_stages (project_id, stage, planned_on) VALUES ($1, $2, $3)",
        )
        .bind(id)
        .bind(stage.as_str())
        .bind(on.map(|d| d.to_string()))
        .execute(s.pool())
        .await
        .unwrap();
    }
    id
}

#[tokio::test]
async fn migration_0032_backfills_the_year_totals_from_the_approved_months() {
    for db in testing::all_at(31).await.unwrap() {
        let s = &db.store;
        let c = county(s).await;
        let since = date!(2017 - 01 - 05);
        let a = project_by_sql(s, &input("甲项目", c.shipu, 20_000.0), since).await;
        let b = project_by_sql(s, &input("乙项目", c.shipu, 20_000.0), since).await;
        let (plan,): (i64,) = sqlx::query_as(
            "INSERT INTO plans (year, title, status, created_at, updated_at)
             VALUES (2017, '工作计划', 'published', 1, 1) RETURNING id",
        )
        .fetch_one(s.pool())
        .await
        .unwrap();
        let months: [Month; 4] = [
            ("2016-12", &["approved"], Some(100.0), None),
            ("2017-01", &["superseded", "approved"], Some(200.0), None),
            ("2017-02", &["returned"], Some(400.0), Some(50.0)),
            ("2017-03", &["approved"], Some(30.0), None),
        ];
        for (month, statuses, for_a, for_b) in months {
            let (period,): (i64,) = sqlx::query_as(
                "INSERT INTO report_periods (plan_id, period, due_on, status, opened_at)
                 VALUES ($1, $2, '2017-12-31', 'closed', 1) RETURNING id",
            )
            .bind(plan)
            .bind(month)
            .fetch_one(s.pool())
            .await
            .unwrap();
            for (revision, status) in statuses.iter().enumerate() {
                sqlx::query(
                    "INSERT INTO submissions (period_id, unit_id, revision, status, created_at, updated_at)
                     VALUES ($1, $2, $3, $4, 1, 1)",
                )
                .bind(period)
                .bind(c.shipu)
                .bind(revision as i64 + 1)
                .bind(*status)
                .execute(s.pool())
                .await
                .unwrap();
            }
            // b reports every month, blank where it gives no amount.
            for (project, amount) in [(a, for_a), (b, for_b)] {
                sqlx::query(
                    "INSERT INTO project_dispatches (period_id, project_id, unit_id, invested_wan, updated_at)
                     VALUES ($1, $2, $3, $4, 1)",
                )
                .bind(period)
                .bind(project)
                .bind(c.shipu)
                .bind(qx_store::OptF64(amount))
                .execute(s.pool())
                .await
                .unwrap();
            }
        }
        s.migrate().await.unwrap();
        let stored: Vec<(i64, i64, Option<f64>)> = sqlx::query_as(
            "SELECT project_id, year, invested_wan FROM project_year_done ORDER BY project_id, year",
        )
        .fetch_all(s.pool())
        .await
        .unwrap();
        assert_eq!(
            stored,
            vec![
                (a, 2016, Some(100.0)),
                (a, 2017, Some(230.0)),
                (b, 2016, None),
                (b, 2017, None)
            ],
            "{}",
            db.name
        );
        assert!(testing::year_done_drift(s).await.unwrap().is_empty());
        // The project reads it: 2017's approved January and March, not the returned February.
        let p = s.get_project(&c.office, a).await.unwrap();
        assert_eq!(p.completed_wan, Some(230.0), "{}", db.name);
        let p = s.get_project(&c.office, b).await.unwrap();
        assert_eq!(
            p.completed_wan,
            Some(600.0),
            "blank months: the typed figure"
        );
        db.discard().await.unwrap();
    }
}

/// Each project's timeline entries of one kind, by project id.
async fn events_of(s: &Store, kind: EventKind) -> HashMap<i64, i64> {
    sqlx::query_as::<_, (i64, i64)>(
        "SELECT project_id, COUNT(*) FROM project_events WHERE kind = $1 GROUP BY project_id",
    )
    .bind(kind.as_str())
    .fetch_all(s.pool())
    .await
    .unwrap()
    .into_iter()
    .collect()
}

/// An import matching more projects than one multi-row statement holds (`BATCH_ROWS`, 400):
/// every changed project gets its new facts and planned dates and one 修改 timeline entry, an
/// unchanged one no write at all, new rows are entered, and the import is one audit entry. A
/// bad matched row refuses the whole list with `update_project`'s message, nothing written.
#[tokio::test]
async fn an_import_beyond_one_batch_updates_what_changed_and_leaves_the_rest() {
    for TestDb { name, store: s, .. } in testing::all().await.unwrap() {
        let c = county(&s).await;
        let first: Vec<ProjectInput> = (0..900)
            .map(|i| input(&format!("批量项目{i:04}"), c.shipu, 1_000.0 + i as f64))
            .collect();
        s.import_projects(&c.office, "first.xlsx", &first, date!(2017 - 01 - 10))
            .await
            .unwrap();
        let ids: HashMap<String, i64> = sqlx::query_as("SELECT name, id FROM projects")
            .fetch_all(s.pool())
            .await
            .unwrap()
            .into_iter()
            .collect();
        let stamped: HashMap<i64, i64> = sqlx::query_as("SELECT id, updated_at FROM projects")
            .fetch_all(s.pool())
            .await
            .unwrap()
            .into_iter()
            .collect();

        // Of the 900 entered, a third as they are, a third with new facts, a third with new
        // planned dates only; 100 new rows among them.
        let mut second = Vec::new();
        for (i, was) in first.iter().enumerate() {
            let mut row = was.clone();
            match i % 3 {
                0 => {}
                1 => {
                    row.total_investment_wan = 20_000.0 + i as f64;
                    row.investor = format!("新业主{i}");
                    row.land_mu = None;
                    row.leader_user_id = Some(c.leader.user_id);
                    row.credit_code = Some(c.code);
                }
                _ => {
                    row.planned[0] = None;
                    row.planned[2] = Some(date!(2018 - 06 - 01));
                }
            }
            second.push(row);
            if i % 9 == 4 {
                second.push(input(&format!("新增项目{i:04}"), c.shipu, 500.0));
            }
        }
        let audits: i64 = sqlx::query_scalar("SELECT MAX(seq) FROM audit_log")
            .fetch_one(s.pool())
            .await
            .unwrap();
        let summary = s
            .import_projects(&c.office, "second.xlsx", &second, date!(2017 - 02 - 10))
            .await
            .unwrap();
        assert_eq!((summary.created, summary.updated), (100, 900), "{name}");

        let library = s.project_library(&c.office).await.unwrap();
        assert_eq!(library.len(), 1_000, "{name}");
        let by_id: HashMap<i64, &qx_store::projects::LibraryRow> =
            library.iter().map(|r| (r.project.id, r)).collect();
        let updates = events_of(&s, EventKind::Update).await;
        let firm: i64 = sqlx::query_scalar("SELECT id FROM enterprises WHERE credit_code = $1")
            .bind(c.code.as_str())
            .fetch_one(s.pool())
            .await
            .unwrap();
        for (i, want) in first.iter().enumerate() {
            let id = ids[&want.name];
            let row = by_id[&id];
            let p = &row.project;
            let planned: Vec<Option<String>> = row.planned[1..].to_vec();
            match i % 3 {
                0 => {
                    assert_eq!(
                        p.total_investment_wan, want.total_investment_wan,
                        "{name} {i}"
                    );
                    assert_eq!(updates.get(&id), None, "{name} {i}: unchanged, no entry");
                    assert_eq!(p.updated_at, stamped[&id], "{name} {i}: not written");
                }
                1 => {
                    assert_eq!(p.total_investment_wan, 20_000.0 + i as f64, "{name} {i}");
                    assert_eq!(p.investor, format!("新业主{i}"), "{name} {i}");
                    assert_eq!(p.land_mu, None, "{name} {i}");
                    assert_eq!(p.leader_user_id, Some(c.leader.user_id), "{name} {i}");
                    assert_eq!(p.enterprise_id, Some(firm), "{name} {i}: linked");
                    assert_eq!(p.completed_wan, Some(600.0), "{name} {i}");
                    assert_eq!(updates.get(&id), Some(&1), "{name} {i}: one entry");
                }
                _ => {
                    assert_eq!(
                        p.total_investment_wan, want.total_investment_wan,
                        "{name} {i}"
                    );
                    assert_eq!(p.investor, want.investor, "{name} {i}");
                    assert_eq!(updates.get(&id), Some(&1), "{name} {i}: one entry");
                }
            }
            let dates = if i % 3 == 2 {
                [
                    None,
                    Some("2017-05-01"),
                    Some("2018-06-01"),
                    Some("2018-12-01"),
                ]
            } else {
                [
                    Some("2017-03-01"),
                    Some("2017-05-01"),
                    Some("2017-08-01"),
                    Some("2018-12-01"),
                ]
            };
            let dates: Vec<Option<String>> = dates.iter().map(|d| d.map(String::from)).collect();
            assert_eq!(planned, dates, "{name} {i}: planned dates");
            assert_eq!(p.stage, Stage::Negotiating, "{name} {i}: stage kept");
            assert_eq!(row.actual[0].as_deref(), Some("2017-01-10"), "{name} {i}");
        }
        assert_eq!(updates.len(), 600, "{name}: only the changed projects");
        let created = events_of(&s, EventKind::Create).await;
        assert_eq!(created.len(), 1_000, "{name}");
        assert!(created.values().all(|n| *n == 1), "{name}");
        let entries: Vec<(String, Option<String>)> =
            sqlx::query_as("SELECT action, after_json FROM audit_log WHERE seq > $1 ORDER BY seq")
                .bind(audits)
                .fetch_all(s.pool())
                .await
                .unwrap();
        assert_eq!(entries.len(), 1, "{name}: one audit entry, {entries:?}");
        assert_eq!(entries[0].0, "project.import", "{name}");
        let after: serde_json::Value =
            serde_json::from_str(entries[0].1.as_deref().unwrap()).unwrap();
        assert_eq!(
            after,
            serde_json::json!({"created": 100, "updated": 900}),
            "{name}"
        );

        // A matched row past the first batch whose 包干县领导 is no leader refuses the list.
        let before = testing::table_counts(&s).await.unwrap();
        let mut third = second.clone();
        let k = third
            .iter()
            .position(|r| r.name == first[850].name)
            .unwrap();
        third[k].leader_user_id = Some(c.shipu_user.user_id);
        third[k].total_investment_wan = 1.0;
        let err = s
            .import_projects(&c.office, "third.xlsx", &third, date!(2017 - 03 - 10))
            .await
            .unwrap_err();
        assert!(
            err.to_string().contains("包干县领导: 须为领导账号"),
            "{name}: {err}"
        );
        assert_eq!(testing::table_counts(&s).await.unwrap(), before, "{name}");
        assert_eq!(
            events_of(&s, EventKind::Update).await,
            updates,
            "{name}: nothing written"
        );
    }
}

/// Migration 0034 fills the stored 外资/内资到位 per period from the 调度 approved before it:
/// only rows whose unit's submission of the period is approved (a returned or superseded one
/// does not count), blanks summing to blank; the counts as of a day read the same sums as the
/// months give.
#[tokio::test]
async fn migration_0034_backfills_the_periods_capital_from_the_approved_months() {
    for db in testing::all_at(33).await.unwrap() {
        let s = &db.store;
        let c = county(s).await;
        let since = date!(2017 - 01 - 05);
        let a = project_by_sql(s, &input("甲项目", c.shipu, 20_000.0), since).await;
        let b = project_by_sql(s, &input("乙项目", c.shipu, 20_000.0), since).await;
        let (plan,): (i64,) = sqlx::query_as(
            "INSERT INTO plans (year, title, status, created_at, updated_at)
             VALUES (2017, '工作计划', 'published', 1, 1) RETURNING id",
        )
        .fetch_one(s.pool())
        .await
        .unwrap();
        // a's 外资到位 and b's 内资到位 of each month (a 内资 of 1, b 外资 blank).
        let months: [Month; 4] = [
            ("2016-12", &["approved"], Some(100.0), Some(7.0)),
            ("2017-01", &["superseded", "approved"], Some(200.0), None),
            ("2017-02", &["returned"], Some(400.0), Some(50.0)),
            ("2017-03", &["approved"], Some(30.0), Some(3.0)),
        ];
        let mut periods = Vec::new();
        for (month, statuses, for_a, for_b) in months {
            let (period,): (i64,) = sqlx::query_as(
                "INSERT INTO report_periods (plan_id, period, due_on, status, opened_at)
                 VALUES ($1, $2, '2017-12-31', 'closed', 1) RETURNING id",
            )
            .bind(plan)
            .bind(month)
            .fetch_one(s.pool())
            .await
            .unwrap();
            periods.push(period);
            for (revision, status) in statuses.iter().enumerate() {
                sqlx::query(
                    "INSERT INTO submissions (period_id, unit_id, revision, status, created_at, updated_at)
                     VALUES ($1, $2, $3, $4, 1, 1)",
                )
                .bind(period)
                .bind(c.shipu)
                .bind(revision as i64 + 1)
                .bind(*status)
                .execute(s.pool())
                .await
                .unwrap();
            }
            for (project, foreign, domestic) in [(a, for_a, Some(1.0)), (b, None, for_b)] {
                sqlx::query(
                    "INSERT INTO project_dispatches (period_id, project_id, unit_id, foreign_wusd, domestic_wan, updated_at)
                     VALUES ($1, $2, $3, $4, $5, 1)",
                )
                .bind(period)
                .bind(project)
                .bind(c.shipu)
                .bind(qx_store::OptF64(foreign))
                .bind(qx_store::OptF64(domestic))
                .execute(s.pool())
                .await
                .unwrap();
            }
        }
        s.migrate().await.unwrap();
        let stored: Vec<(i64, Option<f64>, Option<f64>)> = sqlx::query_as(
            "SELECT period_id, foreign_wusd, domestic_wan FROM project_capital_done ORDER BY period_id",
        )
        .fetch_all(s.pool())
        .await
        .unwrap();
        assert_eq!(
            stored,
            vec![
                (periods[0], Some(100.0), Some(8.0)),
                (periods[1], Some(200.0), Some(1.0)),
                (periods[3], Some(30.0), Some(4.0)),
            ],
            "{}",
            db.name
        );
        assert!(testing::capital_done_drift(s).await.unwrap().is_empty());
        let day = date!(2017 - 03 - 31);
        let counts = s.project_stage_counts_as_of(2017, day).await.unwrap();
        assert_eq!(
            (counts.foreign_wusd, counts.domestic_wan),
            (230.0, 5.0),
            "{}",
            db.name
        );
        assert_eq!(
            counts,
            s.project_stage_counts_as_of_from_months(2017, day)
                .await
                .unwrap(),
            "{}",
            db.name
        );
        db.discard().await.unwrap();
    }
}

/// A project's stored next planned stage (`projects.next_stage`, `next_planned_on`).
async fn next_stage(s: &Store, id: i64) -> (Option<String>, Option<String>) {
    sqlx::query_as("SELECT next_stage, next_planned_on FROM projects WHERE id = $1")
        .bind(id)
        .fetch_one(s.pool())
        .await
        .unwrap()
}

fn next(stage: Stage, on: &str) -> (Option<String>, Option<String>) {
    (Some(stage.as_str().to_string()), Some(on.to_string()))
}

/// Every writer of stages and planned dates keeps the stored next planned stage in step in
/// its own transaction: entry, edit, a move, 中止, a move back by the office, an import's new
/// and matched rows. Leaving `next_stage::refresh` out of any one of them fails here.
#[tokio::test]
async fn every_writer_of_stages_keeps_the_next_planned_stage() {
    for TestDb { name, store: s, .. } in testing::all().await.unwrap() {
        let c = county(&s).await;
        let drift = || async { testing::next_stage_drift(&s).await.unwrap() };
        let mut a_input = input("甲项目", c.shipu, 20_000.0);
        let a = s
            .create_project(&c.office, &a_input, date!(2017 - 01 - 05))
            .await
            .unwrap();
        assert_eq!(
            next_stage(&s, a).await,
            next(Stage::Signed, "2017-03-01"),
            "{name}"
        );
        assert!(drift().await.is_empty(), "{name}: entry");

        a_input.planned[0] = None;
        a_input.planned[1] = Some(date!(2017 - 04 - 01));
        s.update_project(&c.office, a, &a_input).await.unwrap();
        assert_eq!(
            next_stage(&s, a).await,
            next(Stage::Registered, "2017-04-01"),
            "{name}"
        );
        assert!(drift().await.is_empty(), "{name}: edit");

        s.move_project(&c.office, a, &mv(Stage::Signed, date!(2017 - 02 - 01)))
            .await
            .unwrap();
        s.move_project(&c.office, a, &mv(Stage::Registered, date!(2017 - 03 - 20)))
            .await
            .unwrap();
        assert_eq!(
            next_stage(&s, a).await,
            next(Stage::Started, "2017-08-01"),
            "{name}"
        );
        assert!(drift().await.is_empty(), "{name}: moves");

        // Back to 签约 by the office: 注册 is pending again.
        let mut back = mv(Stage::Signed, date!(2017 - 03 - 25));
        back.reason = "注册材料退回".into();
        s.move_project(&c.office, a, &back).await.unwrap();
        assert_eq!(
            next_stage(&s, a).await,
            next(Stage::Registered, "2017-04-01"),
            "{name}"
        );
        assert!(drift().await.is_empty(), "{name}: back");

        // An import: a's 注册 planned later (a matched row), and a new project.
        a_input.planned[1] = Some(date!(2017 - 09 - 01));
        let b_input = input("乙项目", c.shipu, 5_000.0);
        let summary = s
            .import_projects(
                &c.office,
                "list.xlsx",
                &[a_input.clone(), b_input],
                date!(2017 - 06 - 01),
            )
            .await
            .unwrap();
        assert_eq!((summary.created, summary.updated), (1, 1), "{name}");
        assert_eq!(
            next_stage(&s, a).await,
            next(Stage::Started, "2017-08-01"),
            "{name}"
        );
        assert!(drift().await.is_empty(), "{name}: import");
        let mut halt = mv(Stage::Halted, date!(2017 - 07 - 01));
        halt.reason = "资金未到位".into();
        s.move_project(&c.office, a, &halt).await.unwrap();
        assert!(drift().await.is_empty(), "{name}: 中止");
        let (b,): (i64,) = sqlx::query_as("SELECT id FROM projects WHERE name = '乙项目'")
            .fetch_one(s.pool())
            .await
            .unwrap();
        assert_eq!(
            next_stage(&s, b).await,
            next(Stage::Signed, "2017-03-01"),
            "{name}"
        );
    }
}

/// Two stages not reached planned on the same day: the overdue alert names the earlier in the
/// ladder (签约 before 注册), whatever order the stage rows come in. Here 签约's planned date
/// is moved onto 注册's by an import, which rewrites that row alone (on PostgreSQL its new
/// version then comes after 注册's in a scan).
#[tokio::test]
async fn two_stages_planned_on_one_day_name_the_earlier_in_the_ladder() {
    for TestDb { name, store: s, .. } in testing::all().await.unwrap() {
        let c = county(&s).await;
        let mut row = input("甲项目", c.shipu, 20_000.0);
        row.planned = [
            Some(date!(2017 - 03 - 02)),
            Some(date!(2017 - 03 - 01)),
            Some(date!(2017 - 08 - 01)),
            Some(date!(2018 - 12 - 01)),
        ];
        s.import_projects(&c.office, "a.xlsx", &[row.clone()], date!(2017 - 01 - 05))
            .await
            .unwrap();
        row.planned[0] = Some(date!(2017 - 03 - 01));
        s.import_projects(&c.office, "b.xlsx", &[row], date!(2017 - 01 - 05))
            .await
            .unwrap();
        let (id,): (i64,) = sqlx::query_as("SELECT id FROM projects")
            .fetch_one(s.pool())
            .await
            .unwrap();
        s.sweep_project_alerts(date!(2017 - 03 - 10)).await.unwrap();
        let keys: Vec<(String,)> = sqlx::query_as(
            "SELECT dedupe_key FROM notices WHERE kind = $1 AND dedupe_key LIKE '%overdue%'",
        )
        .bind(NoticeKind::ProjectAlert.as_str())
        .fetch_all(s.pool())
        .await
        .unwrap();
        assert_eq!(
            keys,
            vec![(format!(
                "project.alert.overdue:{id}:signed:2017-03-01:unit:{}",
                c.shipu
            ),)],
            "{name}"
        );
        assert!(testing::next_stage_drift(&s).await.unwrap().is_empty());
    }
}

/// Projects written as rows, the way a database from before a migration holds them (no store
/// step keeps the columns the migration adds): 2017, 内资 招商, 2 亿元, at `unit`, in `stage`
/// since `since`; their ids in the order of `names`.
async fn raw_projects(s: &Store, unit: i64, stage: &str, since: &str, names: &[&str]) -> Vec<i64> {
    let mut ids = Vec::new();
    for name in names {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO projects (year, name, capital_kind, source, total_investment_wan, unit_id,
                stage, stage_since, created_at, updated_at)
             VALUES (2017, $1, 'domestic', 'investment', 20000, $2, $3, $4, 1, 1)
             RETURNING id",
        )
        .bind(*name)
        .bind(unit)
        .bind(stage)
        .bind(since)
        .fetch_one(s.pool())
        .await
        .unwrap();
        ids.push(id);
    }
    ids
}

/// Stage rows `(project, stage, planned_on, actual_on)` written as rows, in the order given.
async fn raw_stages(s: &Store, rows: &[(i64, &str, Option<&str>, Option<&str>)]) {
    for (project, stage, planned, actual) in rows {
        sqlx::query(
            "INSERT INTO project_stages (project_id, stage, planned_on, actual_on) VALUES ($1, $2, $3, $4)",
        )
        .bind(*project)
        .bind(*stage)
        .bind(*planned)
        .bind(*actual)
        .execute(s.pool())
        .await
        .unwrap();
    }
}

/// Migration 0036 fills every project's next planned stage from its stages as they are, a tie
/// going to the earlier stage whatever the rows' order.
#[tokio::test]
async fn migration_0036_backfills_the_next_planned_stage() {
    for db in testing::all_at(35).await.unwrap() {
        let s = &db.store;
        let c = county(s).await;
        let ids = raw_projects(s, c.shipu, "signed", "2017-02-01", &["甲", "乙", "丙"]).await;
        // 甲: 注册 reached, 开工 and 投产 planned on one day, written 投产 first. 乙: nothing
        // planned. 丙: 签约 reached though planned, 注册 planned.
        let stages: [(i64, &str, Option<&str>, Option<&str>); 7] = [
            (ids[0], "producing", Some("2017-09-01"), None),
            (ids[0], "started", Some("2017-09-01"), None),
            (ids[0], "registered", Some("2017-05-01"), Some("2017-04-01")),
            (ids[0], "signed", Some("2017-03-01"), Some("2017-02-01")),
            (ids[1], "signed", None, None),
            (ids[2], "signed", Some("2017-01-01"), Some("2017-02-01")),
            (ids[2], "registered", Some("2017-06-01"), None),
        ];
        raw_stages(s, &stages).await;
        s.migrate().await.unwrap();
        assert_eq!(
            next_stage(s, ids[0]).await,
            next(Stage::Started, "2017-09-01"),
            "{}",
            db.name
        );
        assert_eq!(next_stage(s, ids[1]).await, (None, None), "{}", db.name);
        assert_eq!(
            next_stage(s, ids[2]).await,
            next(Stage::Registered, "2017-06-01"),
            "{}",
            db.name
        );
        assert!(testing::next_stage_drift(s).await.unwrap().is_empty());
        db.discard().await.unwrap();
    }
}

async fn reached(s: &Store, id: i64) -> [Option<String>; 4] {
    let (a, b, c, d): (
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
    ) = sqlx::query_as(
        "SELECT signed_on, registered_on, started_on, producing_on FROM projects WHERE id = $1",
    )
    .bind(id)
    .fetch_one(s.pool())
    .await
    .unwrap();
    [a, b, c, d]
}

fn on(d: &str) -> Option<String> {
    Some(d.to_string())
}

/// Every writer of stages keeps the stages reached stored on the project (the funnel's dates)
/// in step in its own transaction: entry, moves, a move back by the office (which forgets the
/// later stage), an import's new and matched rows, 中止. Leaving them out of
/// `next_stage::refresh` fails here.
#[tokio::test]
async fn every_writer_of_stages_keeps_the_stages_reached() {
    for TestDb { name, store: s, .. } in testing::all().await.unwrap() {
        let c = county(&s).await;
        let drift = || async { testing::reached_drift(&s).await.unwrap() };
        let a_input = input("甲项目", c.shipu, 20_000.0);
        let a = s
            .create_project(&c.office, &a_input, date!(2017 - 01 - 05))
            .await
            .unwrap();
        assert_eq!(reached(&s, a).await, [None, None, None, None], "{name}");
        assert!(drift().await.is_empty(), "{name}: entry");

        s.move_project(&c.office, a, &mv(Stage::Signed, date!(2017 - 02 - 01)))
            .await
            .unwrap();
        s.move_project(&c.office, a, &mv(Stage::Registered, date!(2017 - 03 - 20)))
            .await
            .unwrap();
        assert_eq!(
            reached(&s, a).await,
            [on("2017-02-01"), on("2017-03-20"), None, None],
            "{name}"
        );
        assert!(drift().await.is_empty(), "{name}: moves");

        let mut back = mv(Stage::Signed, date!(2017 - 03 - 25));
        back.reason = "注册材料退回".into();
        s.move_project(&c.office, a, &back).await.unwrap();
        assert_eq!(
            reached(&s, a).await,
            [on("2017-03-25"), None, None, None],
            "{name}: back to 签约 forgets 注册"
        );
        assert!(drift().await.is_empty(), "{name}: back");

        let b_input = input("乙项目", c.shipu, 5_000.0);
        s.import_projects(
            &c.office,
            "list.xlsx",
            &[a_input.clone(), b_input],
            date!(2017 - 06 - 01),
        )
        .await
        .unwrap();
        assert_eq!(
            reached(&s, a).await,
            [on("2017-03-25"), None, None, None],
            "{name}: an import keeps what was reached"
        );
        assert!(drift().await.is_empty(), "{name}: import");

        s.move_project(&c.office, a, &mv(Stage::Registered, date!(2017 - 04 - 02)))
            .await
            .unwrap();
        let mut halt = mv(Stage::Halted, date!(2017 - 07 - 01));
        halt.reason = "资金未到位".into();
        s.move_project(&c.office, a, &halt).await.unwrap();
        assert_eq!(
            reached(&s, a).await,
            [on("2017-03-25"), on("2017-04-02"), None, None],
            "{name}: 中止 keeps the stages reached before it"
        );
        assert!(drift().await.is_empty(), "{name}: 中止");
    }
}

/// The funnel read from the stored stages reached and the units' names by id gives the same
/// items as the joins it replaced, for every reader's scope and with or without a year; the
/// leads (one of them become a signed project) included.
#[tokio::test]
async fn the_funnel_items_are_the_stage_rows_and_names_they_were() {
    for TestDb { name, store: s, .. } in testing::all().await.unwrap() {
        let c = county(&s).await;
        let mut ids = Vec::new();
        for (i, town) in [Some(c.shipu), None, Some(c.shipu)].into_iter().enumerate() {
            let mut p = input(&format!("项目{i}"), c.shipu, 20_000.0);
            p.town_id = town;
            p.year = 2016 + i as i32 % 2;
            p.credit_code = (i == 2).then_some(c.code);
            ids.push(
                s.create_project(&c.office, &p, date!(2017 - 01 - 05))
                    .await
                    .unwrap(),
            );
        }
        for (id, stages) in [
            (
                ids[0],
                &[Stage::Signed, Stage::Registered, Stage::Started][..],
            ),
            (ids[2], &[Stage::Signed][..]),
        ] {
            for (k, stage) in stages.iter().enumerate() {
                let day = Date::from_ordinal_date(2017, 40 + 20 * k as u16).unwrap();
                s.move_project(&c.office, id, &mv(*stage, day))
                    .await
                    .unwrap();
            }
        }
        let lead = NewLead {
            investor: "某外资集团".into(),
            industry: "新材料".into(),
            intended_wan: Some(30_000.0),
            contact: "李经理".into(),
            found_by: "王五".into(),
            note: String::new(),
        };
        let l = s.submit_lead(&c.shipu_user, &lead).await.unwrap();
        s.decide_lead(
            &c.office,
            l,
            &LeadDecision {
                accept: true,
                follow_unit_id: Some(c.shipu),
                reward: String::new(),
                note: String::new(),
            },
        )
        .await
        .unwrap();
        let converted = s
            .convert_lead(
                &c.office,
                l,
                &input("线索项目", c.shipu, 12_000.0),
                date!(2017 - 01 - 20),
            )
            .await
            .unwrap();
        s.move_project(
            &c.office,
            converted,
            &mv(Stage::Signed, date!(2017 - 03 - 01)),
        )
        .await
        .unwrap();
        s.submit_lead(&c.xizhou_user, &lead).await.unwrap();
        for actor in [&c.office, &c.leader, &c.shipu_user, &c.xizhou_user, &c.firm] {
            for year in [None, Some(2016), Some(2017)] {
                let now = s.funnel_items(actor, year).await.unwrap();
                let before = testing::funnel_items_as_before(&s, actor, year)
                    .await
                    .unwrap();
                assert_eq!(now, before, "{name}: {} {year:?}", actor.username);
            }
        }
        let all = s.funnel_items(&c.office, None).await.unwrap();
        assert_eq!(all.projects.len(), 4, "{name}");
        assert_eq!(all.leads.len(), 2, "{name}");
        assert!(all.leads.iter().any(|l| l.signed), "{name}");
        assert!(all.projects.iter().any(|p| p.town.is_empty()), "{name}");
        assert!(
            all.projects.iter().any(|p| p.reached[2].is_some()),
            "{name}"
        );
    }
}

/// Migration 0037 fills every project's stages reached from its stage rows as they are.
#[tokio::test]
async fn migration_0037_backfills_the_stages_reached() {
    for db in testing::all_at(36).await.unwrap() {
        let s = &db.store;
        let c = county(s).await;
        let ids = raw_projects(s, c.shipu, "halted", "2017-06-01", &["甲", "乙"]).await;
        // 甲: 签约, 注册 and 开工 reached, 投产 planned, then 中止. 乙: 签约 planned only.
        let stages: [(i64, &str, Option<&str>, Option<&str>); 6] = [
            (ids[0], "signed", Some("2017-03-01"), Some("2017-02-01")),
            (ids[0], "registered", None, Some("2017-03-05")),
            (ids[0], "started", Some("2017-05-01"), Some("2017-04-01")),
            (ids[0], "producing", Some("2018-05-01"), None),
            (ids[0], "halted", None, Some("2017-06-01")),
            (ids[1], "signed", Some("2017-03-01"), None),
        ];
        raw_stages(s, &stages).await;
        s.migrate().await.unwrap();
        assert_eq!(
            reached(s, ids[0]).await,
            [on("2017-02-01"), on("2017-03-05"), on("2017-04-01"), None],
            "{}",
            db.name
        );
        assert_eq!(
            reached(s, ids[1]).await,
            [None, None, None, None],
            "{}",
            db.name
        );
        assert!(testing::reached_drift(s).await.unwrap().is_empty());
        db.discard().await.unwrap();
    }
}

/// 亿元以上项目开工率's two counts (`total_investment_wan >= threshold` in SQL) take exactly the
/// projects `qx_core::project::is_major` calls 亿元以上: totals on and either side of 10,000
/// 万元, started by the day, after it, or not at all, on both engines.
#[tokio::test]
async fn the_major_start_counts_take_core_s_major_projects() {
    use qx_core::project::is_major;
    let day = date!(2017 - 09 - 30);
    let totals = [5_000.0, 9_999.5, 10_000.0, 10_000.5, 25_000.0];
    let started = [
        Some(date!(2017 - 07 - 10)),
        Some(date!(2017 - 10 - 10)),
        None,
    ];
    for db in testing::all().await.unwrap() {
        let (name, s) = (&db.name, &db.store);
        let c = county(s).await;
        let mut moves = Vec::new();
        let (mut planned, mut begun) = (0, 0);
        for (i, total) in totals.iter().enumerate() {
            for (k, on) in started.iter().enumerate() {
                let id = s
                    .create_project(
                        &c.office,
                        &input(&format!("项目{i}-{k}"), c.shipu, *total),
                        date!(2017 - 01 - 05),
                    )
                    .await
                    .unwrap();
                if let Some(on) = on {
                    for (stage, at) in [
                        (Stage::Signed, date!(2017 - 02 - 10)),
                        (Stage::Registered, date!(2017 - 04 - 10)),
                        (Stage::Started, *on),
                    ] {
                        moves.push(testing::BulkMove {
                            project_id: id,
                            stage,
                            on: at,
                        });
                    }
                }
                if is_major(*total) {
                    planned += 1;
                    begun += i64::from(on.is_some_and(|d| d <= day));
                }
            }
        }
        testing::bulk_stage_moves(s, &moves).await.unwrap();
        let counts = s.project_stage_counts_as_of(2017, day).await.unwrap();
        assert_eq!(
            (counts.major_planned_to_start, counts.major_started),
            (planned, begun),
            "{name}"
        );
        assert!(begun > 0 && begun < planned);
        db.discard().await.unwrap();
    }
}

/// Only the office names a project's 包干县领导 (`ProjectInput::leader_user_id`): a unit enters
/// and edits its project with the leader left as it is, and is refused when it names one.
#[tokio::test]
async fn only_the_office_names_a_project_s_leader() {
    for TestDb { name, store: s, .. } in testing::all().await.unwrap() {
        let c = county(&s).await;
        let mut led = input("石浦港区项目", c.shipu, 3_000.0);
        led.leader_user_id = Some(c.leader.user_id);
        let refused = s
            .create_project(&c.shipu_user, &led, date!(2017 - 01 - 10))
            .await;
        assert!(
            matches!(&refused, Err(StoreError::Forbidden(m)) if m.contains("包干县领导")),
            "{name}: a unit names the leader of a new project: {refused:?}"
        );
        let id = s
            .create_project(
                &c.shipu_user,
                &input("石浦港区项目", c.shipu, 3_000.0),
                date!(2017 - 01 - 10),
            )
            .await
            .unwrap();
        let refused = s.update_project(&c.shipu_user, id, &led).await;
        assert!(
            matches!(&refused, Err(StoreError::Forbidden(m)) if m.contains("包干县领导")),
            "{name}: a unit names the leader of its project: {refused:?}"
        );
        assert_eq!(
            s.get_project(&c.office, id).await.unwrap().leader_user_id,
            None
        );
        s.update_project(&c.office, id, &led).await.unwrap();
        // The unit's edits keep the leader the office named; it may not clear it either.
        let mut kept = led.clone();
        kept.investor = "宁波港集团".into();
        s.update_project(&c.shipu_user, id, &kept).await.unwrap();
        let cleared = input("石浦港区项目", c.shipu, 3_000.0);
        assert!(
            matches!(
                s.update_project(&c.shipu_user, id, &cleared).await,
                Err(StoreError::Forbidden(_))
            ),
            "{name}: a unit clears the leader"
        );
        let p = s.get_project(&c.office, id).await.unwrap();
        assert_eq!(p.leader_user_id, Some(c.leader.user_id), "{name}");
        assert_eq!(p.investor, "宁波港集团", "{name}");
    }
}

/// Who may change a project, and so raise its blocker as a problem (`project_for_write`, which
/// the edit and problem forms ask too): the office and the responsible unit; another unit does
/// not find it, a leader and the firm are refused.
#[tokio::test]
async fn a_unit_cannot_act_for_another_unit_s_project() {
    for TestDb { name, store: s, .. } in testing::all().await.unwrap() {
        let c = county(&s).await;
        let mut new = input("石浦汽配产业园", c.shipu, 12_000.0);
        new.credit_code = Some(c.code);
        let id = s
            .create_project(&c.office, &new, date!(2017 - 01 - 10))
            .await
            .unwrap();
        s.project_for_write(&c.office, id).await.unwrap();
        s.project_for_write(&c.shipu_user, id).await.unwrap();
        assert!(
            matches!(
                s.project_for_write(&c.xizhou_user, id).await,
                Err(StoreError::NotFound(_))
            ),
            "{name}: another unit's project is not found"
        );
        for who in [&c.leader, &c.firm] {
            assert!(
                matches!(
                    s.project_for_write(who, id).await,
                    Err(StoreError::Forbidden(_))
                ),
                "{name}: {} may not change the project",
                who.username
            );
        }
        let blocker = qx_store::projects::ProjectProblem {
            period_id: None,
            category: qx_core::problem::Category::Land,
            title: "用地指标未落实".into(),
            description: "二期用地指标未落实".into(),
            contact_name: "王经理".into(),
            contact_phone: "13800000000".into(),
        };
        assert!(
            matches!(
                s.raise_project_problem(&c.xizhou_user, id, &blocker).await,
                Err(StoreError::NotFound(_))
            ),
            "{name}: another unit raises the project's problem"
        );
        assert!(
            matches!(
                s.raise_project_problem(&c.leader, id, &blocker).await,
                Err(StoreError::Forbidden(_))
            ),
            "{name}: a leader raises the project's problem"
        );
        s.raise_project_problem(&c.shipu_user, id, &blocker)
            .await
            .unwrap();
    }
}
