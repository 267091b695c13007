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
        .list_periods(&qx_core::access::Actor::system(), plan)
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
    app.store
        .create_user(&Actor::system(), &user)
        .await
        .unwrap();
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
    for db in qx_store::testing::all().await.unwrap() {
        let app = common::spawn_app_with(qx_web::Config::default(), db).await;
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
}
#[tokio::test]
async fn a_report_waiting_for_review_is_not_counted_as_not_reported() {
    for db in qx_store::testing::all().await.unwrap() {
        let app = common::spawn_app_with(qx_web::Config::default(), db).await;
        let plan = app.publish_seed_plan().await;
        // 县经信局 sends June; the office has not reviewed it yet.
        report(&app, plan, 6, &[("新增规模以上企业", "15")], false).await;
        let leader = app.login("leader").await;
        let page = leader
            .get(app.url(&format!("/monitor?plan={plan}&period=2017-06")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let summary = page
            .split("<p class=\"summary\">")
            .nth(1)
            .and_then(|s| s.split("</p>").next())
            .unwrap();
        // Every indicator 县经信局 reports is waiting (the report is one), the rest are not sent.
        let office = app.actor("admin").await;
        let jxj = app.units["县经信局"];
        let indicators = app.store.plan_indicators(&office, plan).await.unwrap();
        let waiting = app
            .store
            .unit_indicators(&qx_core::access::Actor::system(), plan, jxj)
            .await
            .unwrap()
            .len();
        let expected = format!(
            ", {waiting}项待审核, {}项未报送",
            indicators.len() - waiting
        );
        assert!(summary.ends_with(&expected), "{summary} / {expected}");
        let row = page
            .split("<tr class=\"light-grey\">")
            .find(|r| r.contains(">新增规模以上企业<"))
            .unwrap();
        let row = row.split("</tr>").next().unwrap();
        assert!(row.contains("待审核") && !row.contains("未报送"), "{row}");
    }
}
#[tokio::test]
async fn issuing_a_bulletin_while_reports_wait_asks_first_and_the_bulletin_says_so() {
    for db in qx_store::testing::all().await.unwrap() {
        let app = common::spawn_app_with(qx_web::Config::default(), db).await;
        let plan = app.publish_seed_plan().await;
        report(&app, plan, 6, &[("新增规模以上企业", "15")], true).await;
        report(&app, plan, 6, &[("新增高新技术企业", "3")], false).await;
        let admin = app.login("admin").await;
        let preview = admin
            .get(app.url(&format!(
                "/bulletins/preview?plan={plan}&kind=monthly&period=2017-06&issued_on=2017-07-10"
            )))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            preview.contains("本期尚有 1 份报送待审核") && preview.contains("data-confirm=\""),
            "the preview warns and the button asks: {preview}"
        );
        assert!(
            preview.contains("项报送待审核"),
            "the overview tells waiting from not sent"
        );
        let token = common::csrf(&admin, &app.url("/bulletins")).await;
        let form = |confirm: &'static str| {
            vec![
                ("_csrf", token.clone()),
                ("plan_id", plan.to_string()),
                ("kind", "monthly".to_string()),
                ("period", "2017-06".to_string()),
                ("issued_on", "2017-07-10".to_string()),
                ("confirm", confirm.to_string()),
                ("pending_seen", "1".to_string()),
            ]
        };
        // Without the confirmation (a browser without JS): the preview again, with the warning.
        let resp = common::post_form(&admin, app.url("/bulletins/publish"), &form("")).await;
        assert_eq!(resp.status(), 409);
        let body = resp.text().await.unwrap();
        assert!(body.contains("本期尚有 1 份报送待审核") && body.contains("仍然印发"));
        let office = app.actor("admin").await;
        assert!(
            app.store
                .list_bulletins(&office, plan)
                .await
                .unwrap()
                .is_empty()
        );

        // Confirmed: published, and the bulletin itself says a report was pending.
        let resp = common::post_form(&admin, app.url("/bulletins/publish"), &form("1")).await;
        assert_eq!(resp.status(), 303);
        let id = common::redirect_id(&resp, "/bulletins/");
        let html = admin
            .get(app.url(&format!("/bulletins/{id}/file/html")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("本期印发时尚有1份报送待审核"), "{html}");
        assert!(html.contains("待审核"));
    }
}
#[tokio::test]
async fn a_one_item_target_already_met_is_not_forecast_past_it() {
    for db in qx_store::testing::all().await.unwrap() {
        let app = common::spawn_app_with(qx_web::Config::default(), db).await;
        let plan = app.publish_seed_plan().await;
        for (month, value) in [(8, "0"), (9, "1"), (10, "1")] {
            report(&app, plan, month, &[("省市研究院", value)], true).await;
        }
        let leader = app.login("leader").await;
        let page = leader
            .get(app.url(&format!("/monitor?plan={plan}&period=2017-10")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let row = page
            .split("<tr class=\"light-")
            .find(|r| r.contains(">省市研究院<"))
            .and_then(|r| r.split("</tr>").next())
            .unwrap();
        assert!(row.contains("已完成全年目标"), "{row}");
        assert!(
            !row.contains("预计全年完成目标的"),
            "no projection past the target: {row}"
        );
    }
}
