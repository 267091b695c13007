//! The seed plan's project indicators (签约/注册/动建/投产项目数, 亿元以上项目开工率) fill in from
//! the 重大项目库: publishing marks them automatic, and the picture reads each month's count as
//! of that month's end by the stages' actual dates (a halted project leaves the counts). On
//! every engine.

use crate::common::user_of;
use qx_app::monitoring::picture;
use qx_core::access::{Actor, Role};
use qx_core::period::Period;
use qx_core::project::{CapitalKind, Source, Stage};
use qx_store::indicator_source::IndicatorSource;
use qx_store::projects::{ProjectInput, StageMove};
use time::Date;
use time::macros::date;

fn input(unit_id: i64, total: f64, planned_start: Date) -> ProjectInput {
    ProjectInput {
        year: 2017,
        name: "项目".into(),
        investor: "投资方".into(),
        credit_code: None,
        capital_kind: CapitalKind::Domestic,
        source: Source::Investment,
        industry: String::new(),
        town_id: None,
        total_investment_wan: total,
        foreign_contract_wusd: None,
        annual_plan_wan: None,
        completed_wan: None,
        land_mu: None,
        content: String::new(),
        unit_id,
        contact: String::new(),
        leader_user_id: None,
        planned: [None, None, Some(planned_start), None],
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
async fn the_seed_plans_project_indicators_show_the_project_counts() {
    for db in qx_store::testing::all().await.unwrap() {
        let s = &db.store;
        let units = qx_demo::registry::seed_registry(s).await.unwrap();
        let id = |name: &str| units.iter().find(|u| u.name == name).unwrap().id;
        let office = user_of(s, "office", Role::Admin, id("县工业强县办")).await;
        let plan_id = qx_demo::plan::seed(s, &office).await.unwrap();
        let indicators = s.plan_indicators(&office, plan_id).await.unwrap();
        let sources = s.indicator_sources(plan_id).await.unwrap();
        let find = |source: IndicatorSource| {
            let found: Vec<_> = indicators
                .iter()
                .filter(|i| sources.get(&i.id) == Some(&source))
                .collect();
            assert_eq!(found.len(), 1, "{}: one indicator {source:?}", db.name);
            found[0].id
        };
        let signed = find(IndicatorSource::ProjectsSigned);
        let registered = find(IndicatorSource::ProjectsRegistered);
        let started = find(IndicatorSource::ProjectsStarted);
        let producing = find(IndicatorSource::ProjectsProducing);
        let rate = find(IndicatorSource::ProjectMajorStartRate);

        let unit = id("石浦镇");
        let mut ids = Vec::new();
        for total in [20_000.0, 15_000.0, 3_000.0] {
            let p = s
                .create_project(
                    &office,
                    &input(unit, total, date!(2017 - 06 - 01)),
                    date!(2017 - 01 - 05),
                )
                .await
                .unwrap();
            s.move_project(&office, p, &mv(Stage::Signed, date!(2017 - 02 - 10)))
                .await
                .unwrap();
            ids.push(p);
        }
        s.move_project(
            &office,
            ids[0],
            &mv(Stage::Registered, date!(2017 - 03 - 10)),
        )
        .await
        .unwrap();
        s.move_project(&office, ids[0], &mv(Stage::Started, date!(2017 - 05 - 10)))
            .await
            .unwrap();
        s.move_project(&office, ids[2], &mv(Stage::Halted, date!(2017 - 04 - 10)))
            .await
            .unwrap();

        let system = Actor::system();
        let figure = |pic: &qx_app::monitoring::Picture, id: i64| {
            pic.indicators
                .iter()
                .find(|i| i.indicator.id == id)
                .map(|i| (i.actual, i.reporting))
                .unwrap()
        };
        let march = picture(s, &system, plan_id, Period::new_month(2017, 3).unwrap())
            .await
            .unwrap();
        assert_eq!(figure(&march, signed).0, Some(3.0), "{}", db.name);
        assert_eq!(figure(&march, registered).0, Some(1.0));
        assert_eq!(figure(&march, started).0, Some(0.0));
        assert_eq!(
            figure(&march, signed).1,
            qx_core::monitor::Reporting::Approved,
            "never 未报送: the system fills it"
        );
        let june = picture(s, &system, plan_id, Period::new_month(2017, 6).unwrap())
            .await
            .unwrap();
        assert_eq!(figure(&june, signed).0, Some(2.0), "the halted one left");
        assert_eq!(figure(&june, started).0, Some(1.0));
        assert_eq!(figure(&june, producing).0, Some(0.0));
        assert_eq!(figure(&june, rate).0, Some(50.0), "1 of 2 亿元以上 started");
        let series = &june
            .indicators
            .iter()
            .find(|i| i.indicator.id == signed)
            .unwrap()
            .series;
        assert_eq!(series[0], Some(0.0), "nothing signed in January");
    }
}
