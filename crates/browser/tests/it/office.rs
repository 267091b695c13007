//! The office's page tools in the browser: a confirmation before an irreversible action, a
//! warning before leaving a form with unsaved edits.

use crate::harness::Journey;
use qx_demo::plan::{SEED_PLAN, SEED_PLAN_FILE};

/// Clicks `css` and returns the text of the dialog the page opened, leaving it open.
async fn click_expecting_dialog(j: &Journey, css: &str) -> String {
    j.find(css).await.click().await.unwrap();
    let started = std::time::Instant::now();
    loop {
        if let Ok(text) = j.client.get_alert_text().await {
            return text;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "clicking {css} on {} opened no dialog",
            j.path().await
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn publishing_a_plan_asks_first_and_declining_leaves_it_a_draft() {
    let Some(j) = Journey::start().await else {
        return;
    };
    let admin = j.app.actor("admin").await;
    let plan = qx_app::plan_import::import_document(
        &j.app.store,
        &admin,
        SEED_PLAN.as_bytes(),
        SEED_PLAN_FILE,
    )
    .await
    .unwrap()
    .plan_id;
    j.login("admin").await;
    j.goto(&format!("/plans/{plan}")).await;
    j.sees("草稿(待审核)").await;

    let publish = "form[action$='/publish'] button";
    let asked = click_expecting_dialog(&j, publish).await;
    assert!(asked.contains("确认发布该方案"), "the question: {asked}");
    j.client.dismiss_alert().await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(j.path().await, format!("/plans/{plan}"));
    let plans = j.app.store.list_plans(&admin).await.unwrap();
    assert!(
        plans[0].published_at.is_none(),
        "declining the confirmation leaves the plan a draft"
    );

    click_expecting_dialog(&j, publish).await;
    j.client.accept_alert().await.unwrap();
    j.sees("方案已发布").await;
    let plans = j.app.store.list_plans(&admin).await.unwrap();
    assert!(plans[0].published_at.is_some(), "accepting publishes it");
    j.finish().await;
}

/// Records, for the next page, whether leaving this one asked the person to stay. WebDriver
/// accepts a "leave this page?" prompt unseen (the standard says so), so the journey reads the
/// page's answer instead: a listener added after the application's sees whether it asked.
async fn watch_leaving(j: &Journey) {
    j.client
        .execute(
            "sessionStorage.removeItem('asked');
             window.addEventListener('beforeunload', function (e) {
               sessionStorage.setItem('asked', String(e.defaultPrevented));
             });",
            vec![],
        )
        .await
        .unwrap();
}

/// Whether leaving the previous page asked the person to stay.
async fn leaving_asked(j: &Journey) -> bool {
    let asked = j
        .client
        .execute("return sessionStorage.getItem('asked');", vec![])
        .await
        .unwrap();
    match asked.as_str() {
        Some("true") => true,
        Some("false") => false,
        other => panic!("the page did not record leaving: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leaving_a_form_with_unsaved_edits_warns_and_saving_does_not() {
    let Some(j) = Journey::start().await else {
        return;
    };
    j.login("admin").await;
    let home = "header nav a[href='/']";

    // Untouched: leaving is silent.
    j.goto("/users/new").await;
    watch_leaving(&j).await;
    j.find(home).await.click().await.unwrap();
    j.sees("欢迎").await;
    assert!(
        !leaving_asked(&j).await,
        "an untouched form lets the person go"
    );

    // Typed into: leaving asks.
    j.goto("/users/new").await;
    j.fill("input[name=display_name]", "赵联络员").await;
    watch_leaving(&j).await;
    j.find(home).await.click().await.unwrap();
    j.sees("欢迎").await;
    assert!(leaving_asked(&j).await, "leaving typed edits asks first");

    // Submitting the form is not leaving it: nothing asked, the account made.
    j.goto("/users/new").await;
    j.fill("input[name=display_name]", "赵联络员").await;
    j.fill("input[name=username]", "zhao1").await;
    j.fill("input[name=password]", "Zhao#2017pass!").await;
    j.find("select[name=role]")
        .await
        .select_by_value("unit")
        .await
        .unwrap();
    j.choose("select[name=unit_id]", "石浦镇").await;
    watch_leaving(&j).await;
    j.find("form[action='/users'] button")
        .await
        .click()
        .await
        .unwrap();
    j.sees("zhao1").await;
    assert!(!leaving_asked(&j).await, "saving the form asks nothing");
    assert!(
        j.app
            .store
            .find_user_by_username("zhao1")
            .await
            .unwrap()
            .is_some()
    );
    j.finish().await;
}
