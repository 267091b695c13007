//! 修改权重与基准值: the office changes a 亩均评价 scheme's weights, benchmarks and class bounds on
//! a form. A box that does not read is named beside itself with what was typed kept; a bound
//! the rules refuse is said above the form; nothing is saved by a refused form; a save writes
//! only the numbers into the text (its comments kept) as a new version; a form read from a
//! version since replaced is refused instead of overwriting it. Only the office reaches it.

use crate::common;

use common::{csrf, post_form, spawn_app};
use qx_app::evaluation::default_config;
use qx_app::scheme_numbers::numbers_of;

const URL: &str = "/enterprises/scheme/numbers";

/// The form as the page fills it for the built-in default, with `edits` typed over it.
fn form(token: &str, based_on: &str, edits: &[(&str, &str)]) -> Vec<(String, String)> {
    let n = numbers_of(&default_config()).unwrap();
    let mut f: Vec<(String, String)> = vec![
        ("_csrf".into(), token.into()),
        ("year".into(), "2016".into()),
        ("based_on".into(), based_on.into()),
    ];
    for (k, i) in n.items.iter().enumerate() {
        let b = i.benchmark.map(|b| b.to_string()).unwrap_or_default();
        f.push((format!("items[{k}].weight"), i.weight.to_string()));
        f.push((format!("items[{k}].benchmark"), b));
        f.push((format!("items[{k}].missing"), "group_mean".into()));
    }
    for (k, c) in n.classes.iter().enumerate() {
        if let Some(p) = c.max_pct {
            f.push((format!("classes[{k}].max_pct"), (p * 100.0).to_string()));
        }
    }
    for (name, v) in edits {
        f.retain(|(k, _)| k != name);
        f.push((name.to_string(), v.to_string()));
    }
    f
}

#[tokio::test]
async fn the_office_changes_weights_and_benchmarks_on_a_form() {
    let app = spawn_app().await;
    let office = app.login("admin").await;
    let page = common::text(&office, app.url(&format!("{URL}?year=2016"))).await;
    assert!(page.contains("修改权重与基准值"), "{page}");
    assert!(
        page.contains("name=\"items[0].weight\" value=\"30\""),
        "{page}"
    );
    assert!(page.contains("name=\"based_on\" value=\"0\""), "{page}");
    assert!(page.contains("亩均税收"));
    let scheme_page = common::text(&office, app.url("/enterprises/scheme?year=2016")).await;
    assert!(scheme_page.contains(&format!("href=\"{URL}?year=2016\"")));
    let token = csrf(&office, &app.url(&format!("{URL}?year=2016"))).await;
    let saved = || async { app.store.scheme_versions(2016).await.unwrap().len() };

    // A weight that is not a number is named beside its box; a full-width one reads; both kept.
    let resp = post_form(
        &office,
        app.url(URL),
        &form(
            &token,
            "0",
            &[("items[0].weight", "３５"), ("items[1].weight", "二十")],
        ),
    )
    .await;
    assert_eq!(resp.status(), 400);
    let body = resp.text().await.unwrap();
    assert!(
        body.contains("value=\"３５\"") && body.contains("value=\"二十\""),
        "{body}"
    );
    assert!(
        body.contains("权重: &#34;二十&#34; 不是有效的数字"),
        "{body}"
    );
    assert!(!body.contains("权重: &#34;３５&#34;"), "{body}");
    // A zero benchmark is refused beside its box.
    let resp = post_form(
        &office,
        app.url(URL),
        &form(&token, "0", &[("items[2].benchmark", "0")]),
    )
    .await;
    assert_eq!(resp.status(), 400);
    assert!(resp.text().await.unwrap().contains("基准值: 应大于 0"));
    // A class bound above the next one is the rules' refusal, said beside the next bound.
    let resp = post_form(
        &office,
        app.url(URL),
        &form(&token, "0", &[("classes[0].max_pct", "70")]),
    )
    .await;
    assert_eq!(resp.status(), 400);
    let body = resp.text().await.unwrap();
    assert!(body.contains("value=\"70\""), "{body}");
    assert!(
        body.contains("<span class=\"field-error\">档次上限必须递增且不超过1"),
        "{body}"
    );
    assert!(
        !body.contains("classes[1].max_pct:"),
        "no raw key in the message: {body}"
    );
    assert_eq!(saved().await, 0, "nothing saved by a refused form");

    // Saved: the numbers written into the text, its comments kept, a new version.
    let resp = post_form(
        &office,
        app.url(URL),
        &form(
            &token,
            "0",
            &[
                ("items[0].weight", "３５"),
                ("items[1].group_average", "1"),
                ("items[2].cap", "40"),
                ("classes[0].max_pct", "15"),
            ],
        ),
    )
    .await;
    assert_eq!(resp.status(), 303, "{}", resp.text().await.unwrap());
    assert_eq!(
        resp.headers()["location"],
        "/enterprises/scheme?year=2016&saved=1"
    );
    let versions = app.store.scheme_versions(2016).await.unwrap();
    assert_eq!(versions.len(), 1);
    assert_eq!(versions[0].note, "修改权重与基准值");
    let text = app.store.current_scheme(2016).await.unwrap().unwrap().toml;
    assert!(text.starts_with("# 亩均效益综合评价 — 内置默认方案"));
    assert!(
        text.contains("weight = 35\n") && text.contains("max_pct = 0.15"),
        "{text}"
    );
    assert!(text.contains("benchmark = \"group_average\"") && text.contains("cap = 40"));
    let scheme_page = common::text(&office, app.url("/enterprises/scheme?year=2016")).await;
    assert!(scheme_page.contains("组内排名前 15%"), "{scheme_page}");
    let again = common::text(&office, app.url(&format!("{URL}?year=2016"))).await;
    assert!(
        again.contains("name=\"items[0].weight\" value=\"35\""),
        "{again}"
    );
    assert!(again.contains("name=\"based_on\" value=\"1\""), "{again}");

    // A form read before that save is refused, not saved over it, what was typed kept.
    let resp = post_form(
        &office,
        app.url(URL),
        &form(&token, "0", &[("items[0].weight", "25")]),
    )
    .await;
    assert_eq!(resp.status(), 400);
    let body = resp.text().await.unwrap();
    assert!(body.contains("方案已被保存为第 1 版"), "{body}");
    assert!(body.contains("value=\"25\""), "{body}");
    assert_eq!(saved().await, 1);

    // Only the office reaches the form.
    let leader = app.login("leader").await;
    let resp = leader
        .get(app.url(&format!("{URL}?year=2016")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
}
