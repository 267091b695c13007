//! 实际利用外资 and 利用内资 from the projects' monthly 调度 on every engine: once the office
//! switches the seed plan's indicators to the projects' sources, their figures are the approved
//! months' 外资到位 (万美元 → 亿美元) and 内资到位 (万元 → 亿元); switched back, the units report them.

use crate::common::{csrf, post_form};
use crate::report_form::{all_apps, june};
use qx_core::access::Actor;
use qx_core::period::Period;
use qx_core::project::{CapitalKind, Source};
use qx_store::indicator_source::IndicatorSource;
use qx_store::projects::ProjectInput;
use time::macros::date;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn foreign_and_domestic_capital_come_from_the_approved_dispatch() {
    for app in all_apps().await {
        let (plan, period) = june(&app).await;
        let admin = app.actor("admin").await;
        let jxj = app.actor("jxj1").await;
        let unit_id = jxj.unit_id.unwrap();
        let indicators = app.store.plan_indicators(&admin, plan).await.unwrap();
        let find = |word: &str| {
            indicators
                .iter()
                .find(|i| i.name.contains(word))
                .unwrap_or_else(|| panic!("{word}"))
                .id
        };
        let (foreign, domestic) = (find("实际利用外资"), find("利用内资"));
        assert!(!app.store.is_auto_indicator(foreign).await.unwrap());
        app.store
            .set_indicator_source(&admin, foreign, IndicatorSource::ProjectsForeignCapital)
            .await
            .unwrap();
        app.store
            .set_indicator_source(&admin, domestic, IndicatorSource::ProjectsDomesticCapital)
            .await
            .unwrap();

        let id = app
            .store
            .create_project(
                &admin,
                &ProjectInput {
                    year: 2017,
                    name: "中外合资船舶配套项目".into(),
                    investor: "新加坡某集团".into(),
                    credit_code: None,
                    capital_kind: CapitalKind::Foreign,
                    source: Source::Investment,
                    industry: String::new(),
                    town_id: None,
                    total_investment_wan: 50_000.0,
                    foreign_contract_wusd: Some(5_000.0),
                    annual_plan_wan: Some(10_000.0),
                    completed_wan: None,
                    land_mu: None,
                    content: String::new(),
                    unit_id,
                    contact: String::new(),
                    leader_user_id: None,
                    planned: [None; 4],
                },
                date!(2017 - 01 - 10),
            )
            .await
            .unwrap();
        let unit = app.login("jxj1").await;
        let url = app.url(&format!("/report/{period}"));
        let token = csrf(&unit, &url).await;
        let (df, dd, dg) = (format!("df_{id}"), format!("dd_{id}"), format!("dg_{id}"));
        let resp = post_form(
            &unit,
            &url,
            &[
                ("_csrf", token.as_str()),
                (df.as_str(), "2500"),
                (dd.as_str(), "30000"),
                (dg.as_str(), "主体开工"),
                ("action", "submit"),
                ("confirm", "1"),
            ],
        )
        .await;
        assert_eq!(resp.status(), 303);
        let system = Actor::system();
        let figure = |pic: &qx_app::monitoring::Picture, id: i64| {
            pic.indicators
                .iter()
                .find(|i| i.indicator.id == id)
                .and_then(|i| i.actual)
        };
        let june_end = Period::new_month(2017, 6).unwrap();
        let pic = qx_app::monitoring::picture(&app.store, &system, plan, june_end)
            .await
            .unwrap();
        assert_eq!(
            figure(&pic, foreign),
            Some(0.0),
            "not counted before approval"
        );

        let latest = app
            .store
            .submission_history(&admin, period, unit_id)
            .await
            .unwrap()[0]
            .id;
        app.store
            .review_submission(&admin, latest, true, "")
            .await
            .unwrap();
        let pic = qx_app::monitoring::picture(&app.store, &system, plan, june_end)
            .await
            .unwrap();
        assert_eq!(
            figure(&pic, foreign),
            Some(0.25),
            "2500 万美元 = 0.25 亿美元"
        );
        assert_eq!(figure(&pic, domestic), Some(3.0), "30000 万元 = 3 亿元");

        app.store
            .set_indicator_source(&admin, foreign, IndicatorSource::Manual)
            .await
            .unwrap();
        assert!(!app.store.is_auto_indicator(foreign).await.unwrap());
        let pic = qx_app::monitoring::picture(&app.store, &system, plan, june_end)
            .await
            .unwrap();
        assert_ne!(figure(&pic, foreign), Some(0.25), "the units' again");
    }
}
