//! 考核评价 over HTTP: the office scores a year (a wrong period is refused beside the field with
//! what was typed kept), the scheme editor's JSON error names the field and keeps the text,
//! units see nothing before 公示, then their own breakdown and each item's records, and
//! another unit's breakdown is "not found".

use crate::common;

use common::{csrf, post_form, redirect_id, spawn_app};

#[tokio::test]
async fn scoring_publishing_and_who_sees_which_breakdown() {
    let app = spawn_app().await;
    app.publish_seed_plan().await;
    let office = app.login("admin").await;
    let token = csrf(&office, &app.url("/assessment")).await;

    // A month is not an assessment period: the message beside the field, the text kept.
    let resp = post_form(
        &office,
        app.url("/assessment/run"),
        &[("_csrf", token.as_str()), ("period", "2017-06")],
    )
    .await;
    assert_eq!(resp.status(), 400);
    let body = resp.text().await.unwrap();
    assert!(body.contains("field-error"), "{body}");
    assert!(body.contains("不按月考核"));
    assert!(body.contains("value=\"2017-06\""));

    // The scheme editor: a weight of 0 is named by its field, the JSON kept.
    let mut scheme = qx_app::assessment::bulletin_schemes(2017)[0].clone();
    scheme.items[1].weight = 0.0;
    let json = scheme.to_json();
    let resp = post_form(
        &office,
        app.url("/assessment/schemes"),
        &[
            ("_csrf", token.as_str()),
            ("year", "2017"),
            ("body", json.as_str()),
        ],
    )
    .await;
    assert_eq!(resp.status(), 400);
    let body = resp.text().await.unwrap();
    assert!(body.contains("items[1].weight"), "{body}");
    assert!(body.contains("分值应大于 0"));
    assert!(body.contains(": 0.0,"), "the typed JSON kept");

    // A scheme must say whether it is quarterly or annual: said beside the JSON, text kept.
    let json = qx_app::assessment::bulletin_schemes(2017)[0]
        .to_json()
        .replace("\"cadence\": \"quarterly\",", "");
    let resp = post_form(
        &office,
        app.url("/assessment/schemes"),
        &[
            ("_csrf", token.as_str()),
            ("year", "2017"),
            ("body", json.as_str()),
        ],
    )
    .await;
    assert_eq!(resp.status(), 400);
    let body = resp.text().await.unwrap();
    assert!(
        body.contains("field-error\">cadence: 请填写考核周期"),
        "{body}"
    );
    assert!(body.contains("镇乡(街道)综合排名"), "the typed JSON kept");

    let resp = post_form(
        &office,
        app.url("/assessment/run"),
        &[("_csrf", token.as_str()), ("period", "2017")],
    )
    .await;
    assert_eq!(resp.status(), 303, "{}", resp.text().await.unwrap());
    let run = redirect_id(&resp, "/assessment/");
    let page = common::text(&office, app.url(&format!("/assessment/{run}"))).await;
    assert!(page.contains("县经信局"));
    assert!(page.contains("初步结果"));
    // A unit with nothing to score under its scheme is shown apart, not ranked last.
    assert!(page.contains("不参加本期排名 (无考核内容)"), "{page}");
    assert!(!page.contains("无考核内容</td>"), "{page}");
    // The runs list says when each was scored: two runs of one period are told apart.
    let list = common::text(&office, app.url("/assessment")).await;
    assert!(list.contains("<th>计算时间</th>"), "{list}");
    let today = qx_core::time::format_date(qx_core::time::today());
    assert!(
        list.contains(&format!("<td class=\"mono\">{today} ")),
        "{list}"
    );

    let jxj = app.units["县经信局"];
    let sp = app.units["石浦镇"];
    let unit = app.login("jxj1").await;
    let own = app.url(&format!("/assessment/{run}/units/{jxj}"));
    let other = app.url(&format!("/assessment/{run}/units/{sp}"));
    // Nothing before 公示.
    assert_eq!(common::get_status(&unit, &own).await, 404);

    let resp = post_form(
        &office,
        app.url(&format!("/assessment/{run}/publish")),
        &[("_csrf", token.as_str()), ("days", "5")],
    )
    .await;
    assert_eq!(resp.status(), 303);
    let body = unit.get(&own).send().await.unwrap().text().await.unwrap();
    assert!(body.contains("任务推进"), "{body}");
    assert!(body.contains("提出异议"), "the objection form during 公示");
    // On a phone the breakdown is a card per item, each figure headed by its column's name.
    assert!(body.contains("<table class=\"stack\">"), "{body}");
    assert!(body.contains("data-label=\"得分\""), "{body}");
    assert_eq!(common::get_status(&unit, &other).await, 404);
    // The task item's records.
    let item = unit
        .get(format!("{own}/items/tasks"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(item.contains("得分依据"));
    assert!(item.contains("牵头"), "{item}");

    // The unit objects to its 任务推进 score; the office accepts it with the item's new points,
    // and both read the objection as 已采纳 with the points before and after.
    let unit_token = csrf(&unit, &own).await;
    let resp = post_form(
        &unit,
        format!("{own}/object"),
        &[
            ("_csrf", unit_token.as_str()),
            ("item", "tasks"),
            ("reason", "第三季度任务已按期完成, 未计入"),
            ("evidence", "县经信局〔2017〕45号"),
        ],
    )
    .await;
    assert_eq!(resp.status(), 303, "{}", resp.text().await.unwrap());
    let page = common::text(&office, app.url(&format!("/assessment/{run}"))).await;
    let form_at = "action=\"/assessment/objections/";
    let at = page.find(form_at).expect("the office's answer form");
    let objection: String = page[at + form_at.len()..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let resp = post_form(
        &office,
        app.url(&format!("/assessment/objections/{objection}/answer")),
        &[
            ("_csrf", token.as_str()),
            ("run", run.to_string().as_str()),
            ("answer", "经核实, 予以采纳"),
            ("decision", "accepted"),
            ("points", "３０"),
        ],
    )
    .await;
    assert_eq!(resp.status(), 303, "{}", resp.text().await.unwrap());
    let page = common::text(&office, app.url(&format!("/assessment/{run}"))).await;
    assert!(
        page.contains("<td>已采纳</td>") && page.contains("经核实, 予以采纳"),
        "{page}"
    );
    assert!(page.contains("→ 30.0)"), "{page}");

    // Once final, the unit reads its class's ranking: its own name opens its breakdown, the
    // others' names are not links to a page it may not open.
    let resp = post_form(
        &office,
        app.url(&format!("/assessment/{run}/finalise")),
        &[("_csrf", token.as_str())],
    )
    .await;
    assert_eq!(resp.status(), 303, "{}", resp.text().await.unwrap());
    let ranking = common::text(&unit, app.url(&format!("/assessment/{run}"))).await;
    let kjj = app.units["县科技局"];
    assert!(
        ranking.contains(&format!("href=\"/assessment/{run}/units/{jxj}\"")),
        "{ranking}"
    );
    assert!(ranking.contains("<td>县科技局</td>"), "{ranking}");
    assert!(
        !ranking.contains(&format!("/assessment/{run}/units/{kjj}\"")),
        "{ranking}"
    );
    let page = common::text(&office, app.url(&format!("/assessment/{run}"))).await;
    assert!(
        page.contains(&format!("href=\"/assessment/{run}/units/{kjj}\"")),
        "the office opens any"
    );
}
