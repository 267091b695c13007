//! 站内通知 in the browser's terms: the bell counts what a person has not read, the list
//! opens a notice at its subject, and reading is per person.

use crate::common::{csrf, post_form, spawn_app, text};

fn bell_count(page: &str) -> Option<u32> {
    let at = page.find("class=\"count\">")? + "class=\"count\">".len();
    page[at..].split('<').next()?.parse().ok()
}

#[tokio::test]
async fn a_reminder_rings_the_bell_and_opens_the_report_it_is_about() {
    let app = spawn_app().await;
    let plan = app.publish_seed_plan().await;
    let admin = app.actor("admin").await;
    let period = app
        .store
        .open_period(
            &admin,
            plan,
            &qx_core::period::Period::new_month(2017, 6).unwrap(),
            "2017-07-07",
        )
        .await
        .unwrap();
    let jxj = app.login("jxj1").await;
    let home = jxj
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(bell_count(&home), None, "nothing to read yet");

    let office = app.login("admin").await;
    let token = csrf(&office, &app.url(&format!("/monitor/periods/{period}"))).await;
    let resp = post_form(
        &office,
        app.url(&format!("/monitor/periods/{period}/remind")),
        &[("_csrf", token.as_str())],
    )
    .await;
    assert!(resp.status().is_redirection(), "{}", resp.status());

    let home = jxj
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(bell_count(&home), Some(1), "the liaison's bell rings");
    let list = jxj
        .get(app.url("/notices?unread=1"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        list.contains("催报") && list.contains("请于 2017-07-07 前报送 2017年6月 工作推进情况"),
        "{list}"
    );
    // The same notice, read by a colleague who works in English, says it in English.
    let jxj_en = app.login("jxj1").await;
    let token = csrf(&jxj_en, &app.url("/")).await;
    post_form(
        &jxj_en,
        app.url("/lang"),
        &[("_csrf", token.as_str()), ("lang", "en")],
    )
    .await;
    for path in ["/notices?unread=1", "/"] {
        let page = text(&jxj_en, app.url(path)).await;
        assert!(
            page.contains("Please report progress for 2017-06 by 2017-07-07")
                && !page.contains("工作推进情况"),
            "{path}: {page}"
        );
    }
    let token = csrf(&jxj_en, &app.url("/")).await;
    post_form(
        &jxj_en,
        app.url("/lang"),
        &[("_csrf", token.as_str()), ("lang", "zh")],
    )
    .await;
    let end = list.find("/open\"").expect("an open button");
    let id: i64 = list[..end].rsplit('/').next().unwrap().parse().unwrap();
    let token = csrf(&jxj, &app.url("/notices")).await;
    let resp = post_form(
        &jxj,
        app.url(&format!("/notices/{id}/open")),
        &[("_csrf", token.as_str())],
    )
    .await;
    assert_eq!(
        resp.headers()["location"],
        format!("/report/{period}").as_str()
    );
    let home = jxj
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(bell_count(&home), None, "read once opened");

    // Another liaison cannot open (or mark) a unit's notice that is not theirs.
    let other = app.login("sp1").await;
    let token = csrf(&other, &app.url("/notices")).await;
    let resp = post_form(
        &other,
        app.url(&format!("/notices/{id}/open")),
        &[("_csrf", token.as_str())],
    )
    .await;
    assert_eq!(resp.status(), 404);
}
