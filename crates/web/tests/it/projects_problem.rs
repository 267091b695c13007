//! A project's blocker → 企业难题 over HTTP on every engine: the month's 调度 offers it, the form
//! is prefilled (the firm, the blocker), a refused field comes back beside it with what was
//! typed kept, the confirmed problem is taken in by the problems intake, the project's timeline
//! links it, the problem's page shows the project, and the month's blocker is raised once.

use crate::common::{csrf, post_form};
use crate::report_form::{all_apps, june};
use qx_core::codes::CreditCode;
use qx_core::project::{CapitalKind, Source};
use qx_store::enterprises::{NewEnterprise, insert_enterprise};
use qx_store::projects::{DispatchFigures, DispatchInput, ProjectInput, ProjectProblem};
use time::macros::date;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blocker_becomes_a_linked_problem_once() {
    for app in all_apps().await {
        let (_, period) = june(&app).await;
        let admin = app.actor("admin").await;
        let jxj = app.actor("jxj1").await;
        let unit_id = jxj.unit_id.unwrap();
        let code = "913302257995213595";
        let mut tx = app.store.begin().await.unwrap();
        insert_enterprise(
            &mut tx,
            &NewEnterprise {
                credit_code: code.into(),
                name: "象山海天船舶".into(),
                town_id: Some(app.units["石浦镇"]),
                industry_code: None,
                scale: qx_core::scale::Scale::Above,
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let input = ProjectInput {
            year: 2017,
            name: "海天船舶扩建项目".into(),
            investor: "象山海天船舶".into(),
            credit_code: Some(CreditCode::parse(code).unwrap()),
            capital_kind: CapitalKind::Domestic,
            source: Source::Expansion,
            industry: String::new(),
            town_id: None,
            total_investment_wan: 12_000.0,
            foreign_contract_wusd: None,
            annual_plan_wan: Some(3_000.0),
            completed_wan: None,
            land_mu: None,
            content: String::new(),
            unit_id,
            contact: "王工".into(),
            leader_user_id: None,
            planned: [None; 4],
        };
        let id = app
            .store
            .create_project(&admin, &input, date!(2017 - 01 - 10))
            .await
            .unwrap();
        app.store
            .save_dispatch(
                &jxj,
                period,
                unit_id,
                &[DispatchInput {
                    project_id: id,
                    figures: DispatchFigures {
                        invested_wan: Some(200.0),
                        blockers: "用电增容未批, 影响设备调试".into(),
                        ..DispatchFigures::default()
                    },
                }],
            )
            .await
            .unwrap();

        let unit = app.login("jxj1").await;
        let report = unit
            .get(app.url(&format!("/report/{period}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let href = format!("/projects/{id}/problem?period={period}");
        assert!(report.contains(&href), "the month's blocker offers it");

        let form_url = app.url(&href);
        let form = unit
            .get(&form_url)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(form.contains("象山海天船舶"), "the firm");
        assert!(
            form.contains("用电增容未批, 影响设备调试</textarea>"),
            "the blocker"
        );
        assert!(form.contains("value=\"王工\""), "the project's contact");

        let token = csrf(&unit, &form_url).await;
        let post_url = app.url(&format!("/projects/{id}/problem"));
        let long = "长".repeat(101);
        let period_s = period.to_string();
        let mut fields = vec![
            ("_csrf", token.as_str()),
            ("period", period_s.as_str()),
            ("category", "infrastructure"),
            ("description", "用电增容未批, 影响设备调试"),
            ("contact_name", "王工"),
            ("title", long.as_str()),
        ];
        let resp = post_form(&unit, &post_url, &fields).await;
        assert_eq!(resp.status(), 400);
        let body = resp.text().await.unwrap();
        assert!(body.contains("标题: "), "beside the field: {body}");
        assert!(body.contains(&long), "typed kept");

        fields.pop();
        fields.push(("title", "海天船舶扩建: 用电增容未批"));
        let resp = post_form(&unit, &post_url, &fields).await;
        assert_eq!(resp.status(), 303, "{}", resp.text().await.unwrap());

        let lines = app
            .store
            .dispatch_lines(&admin, period, unit_id)
            .await
            .unwrap();
        let problem = lines[0].problem_id.expect("the month keeps the problem");
        let p = app.store.get_problem(&admin, problem).await.unwrap();
        assert_eq!(p.problem.title, "海天船舶扩建: 用电增容未批");
        assert_eq!(p.problem.enterprise_name, "象山海天船舶");

        let office = app.login("admin").await;
        let project_page = office
            .get(app.url(&format!("/projects/{id}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            project_page.contains(&format!("href=\"/problems/{problem}\"")),
            "the timeline links the problem"
        );
        assert!(project_page.contains("转为企业难题"));
        let problem_page = office
            .get(app.url(&format!("/problems/{problem}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(problem_page.contains("linked-projects"));
        assert!(problem_page.contains(&format!("href=\"/projects/{id}\"")));

        let again = ProjectProblem {
            period_id: Some(period),
            category: qx_core::problem::Category::Other,
            title: "再次".into(),
            description: "再次".into(),
            contact_name: String::new(),
            contact_phone: String::new(),
        };
        let err = app
            .store
            .raise_project_problem(&admin, id, &again)
            .await
            .unwrap_err();
        assert!(err.to_string().contains("已转为企业难题"), "{err}");
        let leader = app.actor("leader").await;
        assert!(
            app.store
                .raise_project_problem(&leader, id, &again)
                .await
                .is_err(),
            "a leader raises none"
        );
    }
}
