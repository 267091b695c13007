//! The office's page tools in the browser: a confirmation before an irreversible action, a
//! warning before leaving a form with unsaved edits.

use crate::harness::Journey;

/// Clicks `css` and returns the text of the dialog the page opened, leaving it open.
async fn click_expecting_dialog(j: &Journey, css: &str) -> String {
    j.find(css).await.click().await.unwrap();
    j.dialog().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn publishing_a_plan_asks_first_and_declining_leaves_it_a_draft() {
    let Some(j) = Journey::start().await else {
        return;
    };
    let admin = j.app.actor("admin").await;
    let plan = j.app.import_seed_plan().await;
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leaving_a_form_with_unsaved_edits_warns_and_saving_does_not() {
    let Some(j) = Journey::start().await else {
        return;
    };
    j.login("admin").await;
    let home = "header nav a[href='/']";

    // Untouched: leaving is silent.
    j.goto("/users/new").await;
    j.watch_leaving().await;
    j.find(home).await.click().await.unwrap();
    j.sees("欢迎").await;
    assert!(
        !j.leaving_asked().await,
        "an untouched form lets the person go"
    );

    // Typed into: leaving asks.
    j.goto("/users/new").await;
    j.fill("input[name=display_name]", "赵联络员").await;
    j.watch_leaving().await;
    j.find(home).await.click().await.unwrap();
    j.sees("欢迎").await;
    assert!(j.leaving_asked().await, "leaving typed edits asks first");

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
    j.watch_leaving().await;
    j.find("form[action='/users'] button")
        .await
        .click()
        .await
        .unwrap();
    j.sees("zhao1").await;
    assert!(!j.leaving_asked().await, "saving the form asks nothing");
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn saving_one_row_of_the_plan_review_keeps_the_edits_in_another() {
    let Some(j) = Journey::start().await else {
        return;
    };
    let plan = j.app.import_seed_plan().await;
    j.login("admin").await;
    j.goto(&format!("/plans/{plan}")).await;
    j.sees("草稿(待审核)").await;
    let rows = j
        .client
        .find_all(fantoccini::Locator::Css("table.targets tr[id^='target-']"))
        .await
        .unwrap();
    assert!(rows.len() >= 2, "the draft has targets to review");
    let first = rows[0].attr("id").await.unwrap().unwrap();
    let second = rows[1].attr("id").await.unwrap().unwrap();

    // Both rows edited; only the first saved.
    j.fill(&format!("#{first} input[name=responsible]"), "县经信局")
        .await;
    j.fill(&format!("#{second} input[name=responsible]"), "县发改局")
        .await;
    j.find(&format!("#{first} button"))
        .await
        .click()
        .await
        .unwrap();
    j.sees("已保存").await;
    let kept = j
        .find(&format!("#{second} input[name=responsible]"))
        .await
        .prop("value")
        .await
        .unwrap();
    assert_eq!(
        kept.as_deref(),
        Some("县发改局"),
        "saving one row left the other's edit in place"
    );
    j.find(&format!("#{second} button"))
        .await
        .click()
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let saved = j
        .client
        .find_all(fantoccini::Locator::Css(".inline-status"))
        .await
        .unwrap();
    assert_eq!(saved.len(), 2, "each row says it was saved");

    // Both are stored: a fresh look at the page shows them.
    j.goto(&format!("/plans/{plan}")).await;
    for (row, unit) in [(&first, "县经信局"), (&second, "县发改局")] {
        let value = j
            .find(&format!("#{row} input[name=responsible]"))
            .await
            .prop("value")
            .await
            .unwrap();
        assert_eq!(value.as_deref(), Some(unit), "{row} kept {unit}");
    }

    // A refused row says why beside its button and keeps what was typed.
    j.fill(&format!("#{first} input[name=responsible]"), "无此单位")
        .await;
    j.find(&format!("#{first} button"))
        .await
        .click()
        .await
        .unwrap();
    j.sees("不在单位登记表中").await;
    let error = j
        .find(&format!("#{first} .inline-status.error-text"))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(
        error, "责任单位：“无此单位”不在单位登记表中",
        "the row's message beside its button, not the page it came back in"
    );
    let typed = j
        .find(&format!("#{first} input[name=responsible]"))
        .await
        .prop("value")
        .await
        .unwrap();
    assert_eq!(typed.as_deref(), Some("无此单位"));
    assert_eq!(
        j.path().await,
        format!("/plans/{plan}"),
        "still the review page"
    );
    // The refused save is the only error the browser logged (its 400 answer).
    let mut errors = Vec::new();
    let started = std::time::Instant::now();
    while errors.is_empty() && started.elapsed() < std::time::Duration::from_secs(5) {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        errors = j.console_errors().await;
    }
    assert!(
        !errors.is_empty()
            && errors.iter().all(|e| e["message"]
                .as_str()
                .is_some_and(|m| m.contains("/targets/") && m.contains("400"))),
        "console errors: {errors:#?}"
    );
    j.finish().await;
}
