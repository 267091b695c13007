//! `/projects/funnel` on every engine: counts, conversion rates and median days by year, unit,
//! town and industry within the reader's scope; the chart; the same numbers as .xlsx and print.

use crate::common::TestApp;
use qx_core::access::Actor;
use qx_core::project::{CapitalKind, PIPELINE, Source, Stage};
use qx_store::projects::{ProjectInput, StageMove};
use time::Date;
use time::macros::date;

async fn office(app: &TestApp) -> Actor {
    app.store
        .find_user_by_username("admin")
        .await
        .unwrap()
        .unwrap()
        .actor()
}

/// A project of `unit` in `industry`, moved through the stages on `dates` (签约, 注册, …).
async fn project(app: &TestApp, name: &str, unit: &str, industry: &str, dates: &[Date]) -> i64 {
    let admin = office(app).await;
    let input = ProjectInput {
        year: 2017,
        name: name.into(),
        investor: "宁波均胜投资".into(),
        credit_code: None,
        capital_kind: CapitalKind::Domestic,
        source: Source::Investment,
        industry: industry.into(),
        town_id: Some(app.units[unit]),
        total_investment_wan: 12_000.0,
        foreign_contract_wusd: None,
        annual_plan_wan: None,
        completed_wan: None,
        land_mu: None,
        content: String::new(),
        unit_id: app.units[unit],
        contact: String::new(),
        leader_user_id: None,
        planned: [None; 4],
    };
    let id = app
        .store
        .create_project(&admin, &input, date!(2017 - 01 - 02))
        .await
        .unwrap();
    for (n, on) in dates.iter().enumerate() {
        let m = StageMove {
            to: PIPELINE[n + 1],
            on: *on,
            evidence: String::new(),
            reason: String::new(),
        };
        app.store.move_project(&admin, id, &m).await.unwrap();
    }
    id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_funnel_counts_converts_and_exports_within_scope() {
    for db in qx_store::testing::all().await.unwrap() {
        let app = crate::common::spawn_app_with(qx_web::Config::default(), db).await;
        project(
            &app,
            "石浦模具项目",
            "石浦镇",
            "模具",
            &[
                date!(2017 - 03 - 01),
                date!(2017 - 04 - 01),
                date!(2017 - 06 - 01),
            ],
        )
        .await;
        project(
            &app,
            "石浦光伏项目",
            "石浦镇",
            "光伏",
            &[date!(2017 - 03 - 01), date!(2017 - 03 - 21)],
        )
        .await;
        let halted = project(
            &app,
            "西周针织项目",
            "西周镇",
            "模具",
            &[date!(2017 - 05 - 01)],
        )
        .await;
        let admin_actor = office(&app).await;
        app.store
            .move_project(
                &admin_actor,
                halted,
                &StageMove {
                    to: Stage::Halted,
                    on: date!(2017 - 06 - 01),
                    evidence: String::new(),
                    reason: "投资方撤资".into(),
                },
            )
            .await
            .unwrap();

        let admin = app.login("admin").await;
        let resp = admin
            .get(app.url("/projects"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            resp.contains("href=\"/projects/funnel\""),
            "the list links the funnel"
        );
        let resp = admin.get(app.url("/projects/funnel")).send().await.unwrap();
        assert_eq!(resp.status(), 200);
        let body = resp.text().await.unwrap();
        assert!(body.contains("招商项目漏斗分析"), "{body}");
        assert!(
            body.contains("<svg") && body.contains("招商漏斗(合计)"),
            "the chart"
        );
        for t in ["按年度", "按责任单位 (招商考核)", "按镇乡 (园区)", "按行业"]
        {
            assert!(body.contains(t), "{t}");
        }
        // The year: 3 signed, 2 registered, 1 started, 0 producing, 1 halted; 签约→注册 2/3,
        // 注册→开工 1/2; median days 签约→注册 of 31 and 20 is 20 (the lower middle),
        // 注册→开工 61.
        let year_row = "<tr><td>2017</td><td class=\"num\">0</td><td class=\"num\">3</td><td class=\"num\">2</td><td class=\"num\">1</td><td class=\"num\">0</td><td class=\"num\">1</td><td class=\"num\">—</td><td class=\"num\">66.7%</td><td class=\"num\">50.0%</td><td class=\"num\">0.0%</td><td class=\"num\">—</td><td class=\"num\">20</td><td class=\"num\">61</td><td class=\"num\">—</td></tr>";
        assert!(body.contains(year_row), "{body}");
        assert!(
            body.contains("<tr><td>西周镇</td><td class=\"num\">—</td><td class=\"num\">1</td>"),
            "by town, leads have no town: {body}"
        );

        // A unit sees its own projects only.
        let sp1 = app.login("sp1").await;
        let body = sp1
            .get(app.url("/projects/funnel"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(body.contains("<tr><td>2017</td><td class=\"num\">0</td><td class=\"num\">2</td><td class=\"num\">2</td><td class=\"num\">1</td>"), "{body}");
        assert!(!body.contains("西周镇"), "another unit's project stays out");

        // Another year has nothing.
        let body = admin
            .get(app.url("/projects/funnel?year=2016"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(body.contains("暂无项目或线索"), "{body}");

        let resp = admin
            .get(app.url("/export/projects/funnel?year=2017"))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        assert!(
            resp.headers()["content-type"]
                .to_str()
                .unwrap()
                .contains("spreadsheetml")
        );
        let bytes = resp.bytes().await.unwrap();
        assert!(bytes.starts_with(b"PK"), "an xlsx");
        let print = admin
            .get(app.url("/export/projects/funnel?year=2017&print=1"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            print.contains("按行业") && print.contains("66.7"),
            "{print}"
        );
    }
}
