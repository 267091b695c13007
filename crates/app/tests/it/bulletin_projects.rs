//! The bulletin's 六、重大项目推进情况 from the 重大项目库 as the projects stood at the period's
//! end: counts by stage against the plan's targets, the 亿元以上 开工率, investment against the
//! year's plan, and the lagging and alerted projects; "no data" while the library is empty. On
//! every engine.

use crate::common::user_of;
use qx_app::bulletin::{self, report};
use qx_core::access::Role;
use qx_core::period::Period;
use qx_core::project::{CapitalKind, Source, Stage};
use qx_store::projects::{ProjectInput, StageMove};
use time::Date;
use time::macros::date;

fn input(name: &str, unit_id: i64, total: f64, plan: Option<f64>) -> ProjectInput {
    ProjectInput {
        year: 2017,
        name: name.into(),
        investor: "投资方".into(),
        credit_code: None,
        capital_kind: CapitalKind::Domestic,
        source: Source::Investment,
        industry: String::new(),
        town_id: None,
        total_investment_wan: total,
        foreign_contract_wusd: None,
        annual_plan_wan: plan,
        completed_wan: plan.map(|p| p / 12.0),
        land_mu: None,
        content: String::new(),
        unit_id,
        contact: String::new(),
        leader_user_id: None,
        planned: [None, None, Some(date!(2017 - 06 - 01)), None],
    }
}

fn mv(to: Stage, on: Date) -> StageMove {
    StageMove {
        to,
        on,
        evidence: String::new(),
        reason: "x".into(),
    }
}

#[tokio::test]
async fn the_project_section_reads_the_library_at_the_periods_end() {
    for db in qx_store::testing::all().await.unwrap() {
        let s = &db.store;
        let units = qx_demo::registry::seed_registry(s).await.unwrap();
        let id = |name: &str| units.iter().find(|u| u.name == name).unwrap().id;
        let office = user_of(s, "office", Role::Admin, id("县工业强县办")).await;
        let plan_id = qx_demo::plan::seed(s, &office).await.unwrap();
        let june = Period::new_month(2017, 6).unwrap();
        let snapshot = || async {
            bulletin::build_snapshot(
                s,
                &office,
                plan_id,
                report::BulletinKind::Monthly,
                june,
                "2017-07-05",
                None,
            )
            .await
            .unwrap()
        };
        let text = report::text::plain(&snapshot().await);
        assert!(text.contains("本期暂无重大项目推进数据"), "{}", db.name);

        let unit = id("石浦镇");
        let started = s
            .create_project(
                &office,
                &input("石浦模具项目", unit, 20_000.0, Some(1_200.0)),
                date!(2017 - 01 - 05),
            )
            .await
            .unwrap();
        let signed = s
            .create_project(
                &office,
                &input("石浦光伏项目", unit, 15_000.0, None),
                date!(2017 - 01 - 05),
            )
            .await
            .unwrap();
        let halted = s
            .create_project(
                &office,
                &input("石浦针织项目", unit, 3_000.0, None),
                date!(2017 - 01 - 05),
            )
            .await
            .unwrap();
        for p in [started, signed, halted] {
            s.move_project(&office, p, &mv(Stage::Signed, date!(2017 - 02 - 10)))
                .await
                .unwrap();
        }
        s.move_project(
            &office,
            started,
            &mv(Stage::Registered, date!(2017 - 03 - 10)),
        )
        .await
        .unwrap();
        s.move_project(&office, started, &mv(Stage::Started, date!(2017 - 05 - 10)))
            .await
            .unwrap();
        s.move_project(&office, halted, &mv(Stage::Halted, date!(2017 - 04 - 10)))
            .await
            .unwrap();
        // A move after June does not change June's bulletin.
        s.move_project(
            &office,
            signed,
            &mv(Stage::Registered, date!(2017 - 07 - 20)),
        )
        .await
        .unwrap();

        let snap = snapshot().await;
        let p = snap.projects.clone().expect("the library has projects");
        assert_eq!((p.total, p.major), (3, 2), "{}", db.name);
        let counts: Vec<(String, u64)> = p
            .stages
            .iter()
            .map(|c| (c.stage.clone(), c.count))
            .collect();
        assert_eq!(
            counts,
            [
                ("签约".to_string(), 2),
                ("注册".to_string(), 1),
                ("开工".to_string(), 1),
                ("投产".to_string(), 0)
            ],
            "the halted project left; July's move is not June's"
        );
        assert!(
            p.stages.iter().all(|c| c.target.is_some()),
            "the seed plan has a target for every stage: {:?}",
            p.stages
        );
        assert_eq!((p.major_planned_to_start, p.major_started), (2, 1));
        assert_eq!(p.start_rate, Some(0.5));
        assert!(p.start_rate_target.is_some());
        assert!((p.planned_investment - 0.12).abs() < 1e-9);
        assert!((p.completed_investment - 0.01).abs() < 1e-9);
        let lag: Vec<(&str, &str)> = p
            .lagging
            .iter()
            .map(|l| (l.name.as_str(), l.issues.as_str()))
            .collect();
        assert_eq!(
            lag,
            [
                ("石浦模具项目", "投资进度滞后"),
                ("石浦光伏项目", "阶段逾期、签而未注")
            ],
            "{}",
            db.name
        );
        let text = report::text::plain(&snap);
        assert!(!text.contains("本期暂无重大项目推进数据"));
        assert!(
            text.contains(
                "截至6月底，2017年重大项目库共有项目3个，其中亿元以上项目2个。本年累计签约2个（目标"
            ),
            "{text}"
        );
        assert!(text.contains("开工率50.0%（目标"), "{text}");
        assert!(text.contains("滞后及预警重大项目") && text.contains("石浦光伏项目"));

        // The office's yellow gap lights projects as it lights indicators: 8.3% done against
        // June's 序时进度 of 50% is 41.7 points behind, yellow at a 50-point gap.
        s.set_yellow_gap_points(&office, 50.0).await.unwrap();
        let p = snapshot().await.projects.expect("the library has projects");
        let lagging: Vec<&str> = p.lagging.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(lagging, ["石浦光伏项目"], "{}", db.name);
    }
}
