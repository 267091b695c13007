//! The monthly cycle through the browser: the office opens a period, a unit reports, the office
//! reviews, leaders read the dashboard.

mod common;

use common::{csrf, spawn_app};
use qx_core::access::Actor;

#[tokio::test]
async fn a_unit_reports_the_office_approves_and_the_dashboard_lights_up() {
    let app = spawn_app().await;
    let office = Actor::system();
    let admin_actor = app
        .store
        .find_user_by_username("admin")
        .await
        .unwrap()
        .unwrap()
        .actor();
    let plan = qx_app::plan_import::import_document(
        &app.store,
        &admin_actor,
        qx_demo::plan::SEED_PLAN.as_bytes(),
        "p.txt",
    )
    .await
    .unwrap()
    .plan_id;
    app.store.publish_plan(&office, plan).await.unwrap();

    let admin = app.login("admin").await;
    let token = csrf(&admin, &app.url("/monitor/periods")).await;
    let page = admin
        .get(app.url("/monitor/periods"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("value=\"2017-01\""),
        "the next period is proposed"
    );
    let resp = admin
        .post(app.url("/monitor/periods"))
        .form(&[
            ("_csrf", token.as_str()),
            ("plan_id", &plan.to_string()),
            ("period", "2017-06"),
            ("due_on", "2017-07-07"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    let period_url = resp.headers()["location"].to_str().unwrap().to_string();
    let period_id: i64 = period_url.rsplit('/').next().unwrap().parse().unwrap();

    // The liaison of 县经信局 fills in the form it is given.
    let unit = app.login("jxj1").await;
    let home = unit
        .get(app.url("/report"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(home.contains("2017-06"));
    let form = unit
        .get(app.url(&format!("/report/{period_id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        form.contains("新增规模以上企业") && !form.contains("新增高新技术企业"),
        "only its own indicators"
    );
    let jxj = app.units["县经信局"];
    let indicators = app.store.unit_indicators(plan, jxj).await.unwrap();
    let scale = indicators
        .iter()
        .find(|i| i.name == "新增规模以上企业")
        .unwrap();
    let token = csrf(&unit, &app.url(&format!("/report/{period_id}"))).await;
    let field = format!("v_{}", scale.id);
    let bad = unit
        .post(app.url(&format!("/report/{period_id}")))
        .form(&[
            ("_csrf", token.as_str()),
            (field.as_str(), "十五家"),
            ("action", "submit"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    assert!(bad.text().await.unwrap().contains("新增规模以上企业"));
    let ok = unit
        .post(app.url(&format!("/report/{period_id}")))
        .form(&[
            ("_csrf", token.as_str()),
            (field.as_str(), "15"),
            ("action", "submit"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 303);

    // Another unit cannot report for 县经信局 even by naming it.
    let other = app.login("sp1").await;
    let token_sp = csrf(&other, &app.url("/account")).await;
    let resp = other
        .post(app.url(&format!("/report/{period_id}?unit={jxj}")))
        .form(&[
            ("_csrf", token_sp.as_str()),
            (field.as_str(), "99"),
            ("action", "submit"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        resp.status(),
        400,
        "a unit user reports only for its own unit"
    );

    // The office sees who has reported and approves.
    let page = admin
        .get(app.url(&period_url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("待审核"));
    let sub = app
        .store
        .latest_submission(period_id, jxj)
        .await
        .unwrap()
        .unwrap();
    let token = csrf(&admin, &app.url(&period_url)).await;
    let resp = admin
        .post(app.url(&format!("/monitor/submissions/{}/review", sub.id)))
        .form(&[
            ("_csrf", token.as_str()),
            ("decision", "approve"),
            ("comment", ""),
            ("period_id", &period_id.to_string()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);

    let leader = app.login("leader").await;
    let dash = leader
        .get(app.url("/monitor?period=2017-06"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        dash.contains("36项主要指标中, 1项达到序时进度"),
        "{}",
        &dash[..dash.len().min(2000)]
    );
    assert!(dash.contains("50.0%"), "15 of 30 is 50% completion");
    let chart = leader
        .get(app.url(&format!(
            "/monitor/indicators/{}/chart.svg?period=2017-06",
            scale.id
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(
        chart.headers()["content-type"],
        "image/svg+xml; charset=utf-8"
    );
    assert!(chart.text().await.unwrap().contains("新增规模以上企业"));
    let log = app
        .store
        .audit_list(&qx_store::audit::AuditQuery {
            entity: Some("submission".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    let actions: Vec<&str> = log.iter().map(|r| r.action.as_str()).collect();
    assert!(actions.contains(&"submission.submit") && actions.contains(&"submission.approve"));
}
