//! The menu on a laptop: at 1366 px every entry of the office's menu, the bell and the account
//! sit on one line (the office has the longest menu). Lists on a phone: stacked cards fit it.

use crate::harness::Journey;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_office_menu_fits_one_line_at_1366() {
    let Some(j) = Journey::start().await else {
        return;
    };
    j.login("admin").await;
    j.client.set_window_size(1366, 900).await.unwrap();
    j.goto("/").await;
    j.sees("工作台").await;
    // The tops of every menu entry and of the account area, rounded: one line means one top.
    let tops = j
        .client
        .execute(
            "var tops = Array.from(document.querySelectorAll('header.top nav a, header.top .who > *')) \
               .map(function (e) { var r = e.getBoundingClientRect(); return Math.round((r.top + r.bottom) / 2); }); \
             return tops.filter(function (t, i) { return tops.indexOf(t) === i; });",
            vec![],
        )
        .await
        .unwrap();
    let tops = tops.as_array().unwrap();
    let (lo, hi) = tops
        .iter()
        .filter_map(|t| t.as_i64())
        .fold((i64::MAX, i64::MIN), |(lo, hi), t| (lo.min(t), hi.max(t)));
    assert!(hi - lo <= 4, "the menu wraps at 1366 px: centres {tops:?}");
    j.no_console_errors().await;
    j.finish().await;
}

/// On a phone every list drawn as stacked cards fits the screen: a card the reader has to
/// scroll sideways to read is the table it replaced.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stacked_lists_fit_a_phone() {
    let Some(j) = Journey::start().await else {
        return;
    };
    // A published plan, for the indicators' settings to list.
    j.app.publish_seed_plan().await;
    j.login("admin").await;
    j.client.set_window_size(390, 844).await.unwrap();
    for path in [
        "/projects",
        "/problems",
        "/enterprises",
        "/cultivation",
        "/meetings",
        "/supervision",
        "/monitor/settings",
    ] {
        j.goto(path).await;
        let wide = j
            .client
            .execute(
                "var w = document.documentElement.clientWidth; \
                 return Array.from(document.querySelectorAll('table.stack')) \
                   .map(function (t) { return Math.round(t.getBoundingClientRect().right); }) \
                   .filter(function (r) { return r > w + 1; });",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(
            wide.as_array().map(Vec::len),
            Some(0),
            "{path}: stacked list wider than the screen (right edges {wide})"
        );
    }
    // The indicators' settings are a form per row: each choice and box is in view on the card.
    let outside = j
        .client
        .execute(
            "var w = document.documentElement.clientWidth; \
             var boxes = Array.from(document.querySelectorAll('select[name=source], input[name=profile]')); \
             return [boxes.length, boxes \
               .map(function (e) { return Math.round(e.getBoundingClientRect().right); }) \
               .filter(function (r) { return r > w + 1; })];",
            vec![],
        )
        .await
        .unwrap();
    assert!(
        outside[0].as_i64().is_some_and(|n| n > 30),
        "every indicator's settings listed: {outside}"
    );
    assert_eq!(
        outside[1].as_array().map(Vec::len),
        Some(0),
        "/monitor/settings: settings past the screen's right edge: {outside}"
    );
    j.no_console_errors().await;
    j.finish().await;
}

/// On a phone a plan draft's review stacks: the document's lines above the items with their
/// units, each as wide as the screen, instead of two columns a hundred pixels wide.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plan_draft_review_stacks_on_a_phone() {
    let Some(j) = Journey::start().await else {
        return;
    };
    let plan = j.app.import_seed_plan().await;
    j.login("admin").await;
    j.client.set_window_size(390, 844).await.unwrap();
    j.goto(&format!("/plans/{plan}")).await;
    let boxes = j
        .client
        .execute(
            "var w = document.documentElement.clientWidth; \
             var s = document.querySelector('section.review .source').getBoundingClientRect(); \
             var i = document.querySelector('section.review .items').getBoundingClientRect(); \
             return [w, Math.round(s.width), Math.round(i.width), Math.round(s.bottom), Math.round(i.top)];",
            vec![],
        )
        .await
        .unwrap();
    let n: Vec<i64> = boxes
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect();
    let (width, source, items) = (n[0], n[1], n[2]);
    assert!(
        source * 10 >= width * 8 && items * 10 >= width * 8,
        "the review's parts take the screen's width: {boxes}"
    );
    assert!(
        n[4] >= n[3],
        "the items stand under the document's lines: {boxes}"
    );
    j.no_console_errors().await;
    j.finish().await;
}

/// A form at the foot of a page, refused, comes back with its message in view and the field it
/// names focused: the page would otherwise open at its top, the message out of sight.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_form_comes_back_with_its_message_in_view() {
    let Some(j) = Journey::start().await else {
        return;
    };
    j.login("admin").await;
    j.client.set_window_size(390, 600).await.unwrap();
    j.goto("/projects").await;
    j.fill("input[name=signed_not_registered]", "六十").await;
    j.click("form[action='/projects/settings'] button").await;
    j.sees("不是有效的数字").await;
    let seen = j
        .client
        .execute(
            "var e = document.querySelector('main .field-error').getBoundingClientRect(); \
             return [e.top >= 0 && e.bottom <= window.innerHeight, \
                     document.activeElement && document.activeElement.name];",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        seen,
        serde_json::json!([true, "signed_not_registered"]),
        "the message in view, its box focused"
    );
    j.no_console_errors_but_a_refused_form().await;
    j.finish().await;
}
