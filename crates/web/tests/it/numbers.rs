//! Numbers that must not mislead: a figure shows the unit it is measured in, a forecast says
//! what it rests on, a report waiting for review is not "未报送", and a bulletin issued while
//! reports wait says so.

use crate::common;

use common::TestApp;
use qx_core::access::Actor;
use qx_core::period::Period;
use qx_store::monitoring::SubmissionInput;

/// Opens `month` of 2017 and has the office enter `figures` (indicator name → value) for the
/// lead unit of each, approving them when `approve`; returns the period's id.
pub async fn report(
    app: &TestApp,
    plan: i64,
    month: u8,
    figures: &[(&str, &str)],
    approve: bool,
) -> i64 {
    let s = &app.store;
    let office = app.actor("admin").await;
    let reviewer = second_office(app).await;
    let period = Period::new_month(2017, month).unwrap();
    let due = format!("2017-{:02}-07", month + 1);
    let period_id = match s
        .list_periods(plan)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.period == period.to_string())
    {
        Some(p) => p.id,
        None => s
            .open_period(&Actor::system(), plan, &period, &due)
            .await
            .unwrap(),
    };
    let indicators = s.plan_indicators(&office, plan).await.unwrap();
    for (name, value) in figures {
        let ind = indicators
            .iter()
            .find(|i| i.name == *name)
            .unwrap_or_else(|| panic!("no indicator {name}"));
        let unit = ind.lead_unit_id.unwrap();
        let input = SubmissionInput {
            values: vec![(ind.id, (*value).into(), String::new())],
            tasks: vec![],
        };
        let sub = s
            .save_submission(&office, period_id, unit, &input, true)
            .await
            .unwrap();
        if approve {
            s.review_submission(&reviewer, sub, true, "").await.unwrap();
        }
    }
    period_id
}

/// A second office account: nobody approves what they entered themselves.
pub async fn second_office(app: &TestApp) -> Actor {
    if let Some(u) = app.store.find_user_by_username("office2").await.unwrap() {
        return u.actor();
    }
    let user = qx_store::users::NewUser {
        username: "office2".into(),
        display_name: "office2-name".into(),
        role: qx_core::access::Role::Admin,
        unit_id: Some(app.units["县工业强县办"]),
        enterprise_id: None,
        phone: String::new(),
        password_hash: qx_core::password::hash_password(common::PASSWORD).unwrap(),
    };
    app.store.create_user(&Actor::system(), &user).await.unwrap();
    app.actor("office2").await
}

async fn indicator_id(app: &TestApp, plan: i64, name: &str) -> i64 {
    let office = app.actor("admin").await;
    app.store
        .plan_indicators(&office, plan)
        .await
        .unwrap()
        .into_iter()
        .find(|i| i.name == name)
        .unwrap()
        .id
}

#[tokio::test]
async fn a_milestone_shows_percent_done_not_its_targets_unit() {
    let app = common::spawn_app().await;
    let plan = app.publish_seed_plan().await;
    report(&app, plan, 10, &[("建成县级科技企业孵化器", "88.53")], true).await;
    let id = indicator_id(&app, plan, "建成县级科技企业孵化器").await;
    let leader = app.login("leader").await;
    let page = leader
        .get(app.url(&format!("/monitor/indicators/{id}?period=2017-10")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("2.5 万平方米"), "the target keeps its unit");
    assert!(page.contains("88.53%"), "{page}");
    assert!(
        !page.contains("88.53% 万平方米") && !page.contains("88.53 万平方米"),
        "percent done is not floor space: {page}"
    );
    let svg = leader
        .get(app.url(&format!(
            "/monitor/indicators/{id}/chart.svg?period=2017-10"
        )))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(svg.contains("建成县级科技企业孵化器 (%)"), "{svg}");
    assert!(!svg.contains("万平方米"), "{svg}");
}
