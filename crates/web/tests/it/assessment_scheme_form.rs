//! The 考核方案 on a form: the office starts a scheme from the default, a wrong box is named
//! beside itself with what was typed kept (also when rows above it were removed), blank rows
//! are skipped and a new row gets the next free key, an edit saves a new version, and the
//! schemes page says each scheme in words. Only the office reaches the form.

use crate::common;

use common::{csrf, post_form, spawn_app};

/// The form's fields for one scheme of town-level items; `rows` are (name, kind, weight,
/// source, method, figure, key, delete).
fn scheme_form<'a>(
    token: &'a str,
    name: &'a str,
    rows: &[[&'a str; 8]],
    extra: &[(&'a str, &'a str)],
) -> Vec<(String, String)> {
    let mut f: Vec<(String, String)> = vec![
        ("_csrf".into(), token.into()),
        ("year".into(), "2017".into()),
        ("name".into(), name.into()),
        ("cadence".into(), "annual".into()),
        ("classes".into(), "town".into()),
        ("base".into(), "0".into()),
        ("rescale_missing".into(), "1".into()),
        ("items".into(), rows.len().to_string()),
        ("vetoes".into(), "1".into()),
    ];
    for (n, r) in rows.iter().enumerate() {
        for (field, v) in [
            "name", "kind", "weight", "source", "method", "figure", "key", "delete",
        ]
        .iter()
        .zip(r)
        {
            f.push((format!("items[{n}].{field}"), v.to_string()));
        }
    }
    for (k, v) in extra {
        f.push((k.to_string(), v.to_string()));
    }
    f
}

async fn post(
    client: &reqwest::Client,
    url: String,
    form: &[(String, String)],
) -> reqwest::Response {
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    post_form(client, url, &pairs).await
}

/// Posts a form the server must refuse: 400 and the page shown again.
async fn refused(client: &reqwest::Client, url: String, form: &[(String, String)]) -> String {
    let resp = post(client, url, form).await;
    assert_eq!(resp.status(), 400);
    resp.text().await.unwrap()
}

#[tokio::test]
async fn the_office_writes_and_edits_a_scheme_on_a_form() {
    let app = spawn_app().await;
    let office = app.login("admin").await;
    let page = office
        .get(app.url("/assessment/schemes/new?year=2017"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    assert!(page.contains("新建考核方案"), "{page}");
    assert!(
        page.contains("value=\"指标完成情况\""),
        "the default's items"
    );
    assert!(page.contains("按与序时进度之比计分"));
    let token = csrf(&office, &app.url("/assessment/schemes/new?year=2017")).await;

    let indicators = [
        "指标完成情况",
        "core",
        "60",
        "indicators",
        "pace_ratio",
        "1",
        "indicators",
        "",
    ];
    let tasks = [
        "任务推进",
        "core",
        "40",
        "tasks",
        "completion_capped",
        "1",
        "tasks",
        "",
    ];
    let blank = [
        "",
        "core",
        "",
        "indicators",
        "completion_capped",
        "",
        "",
        "",
    ];

    // A full-width zero is read as 0 and refused beside its own box, what was typed kept.
    let zero = [
        "任务推进",
        "core",
        "０",
        "tasks",
        "completion_capped",
        "1",
        "tasks",
        "",
    ];
    let body = refused(
        &office,
        app.url("/assessment/schemes/new"),
        &scheme_form(&token, "2017年度镇乡考核", &[indicators, zero, blank], &[]),
    )
    .await;
    assert!(
        body.contains(
            "name=\"items[1].weight\" value=\"０\" inputmode=\"decimal\" size=\"5\" aria-label=\"分值\"><span class=\"field-error\">分值应大于 0"
        ),
        "{body}"
    );
    assert!(body.contains("value=\"2017年度镇乡考核\""), "the name kept");

    // A row removed above a wrong one: the message still lands on the wrong row (row 2, the
    // scheme's second item), and a word where a number belongs is named with what was typed.
    let removed = [
        "旧项目",
        "core",
        "10",
        "tasks",
        "completion_capped",
        "1",
        "old",
        "1",
    ];
    let pace_on_tasks = [
        "任务推进",
        "core",
        "40",
        "tasks",
        "pace_ratio",
        "1",
        "tasks",
        "",
    ];
    let body = refused(
        &office,
        app.url("/assessment/schemes/new"),
        &scheme_form(
            &token,
            "2017年度镇乡考核",
            &[indicators, removed, pace_on_tasks],
            &[],
        ),
    )
    .await;
    assert!(
        body.contains("aria-label=\"计分方法\">")
            && body.contains("与序时进度之比只适用于牵头指标"),
        "{body}"
    );
    let at = body.find("name=\"items[2].method\"").unwrap();
    let next_row = body[at..].find("name=\"items[2].figure\"").unwrap();
    assert!(
        body[at..at + next_row].contains("与序时进度之比只适用于牵头指标"),
        "beside row 2's method"
    );
    let body = refused(
        &office,
        app.url("/assessment/schemes/new"),
        &scheme_form(
            &token,
            "2017年度镇乡考核",
            &[indicators, tasks],
            &[("bonus_cap", "六分")],
        ),
    )
    .await;
    assert!(body.contains("value=\"六分\""), "{body}");
    assert!(
        body.contains("加分上限: &#34;六分&#34; 不是有效的数字"),
        "{body}"
    );
    assert!(
        app.store.assessment_schemes(2017).await.unwrap().is_empty(),
        "nothing saved by a refused form"
    );

    // Saved: the blank row skipped, a new row without a key numbered, the removed row gone.
    let new_row = ["安全生产", "deduction", "5", "manual", "manual", "", "", ""];
    let resp = post(
        &office,
        app.url("/assessment/schemes/new"),
        &scheme_form(
            &token,
            "2017年度镇乡考核",
            &[indicators, removed, tasks, new_row, blank],
            &[
                ("members", "石浦镇、丹西街道\n西周镇"),
                ("deduction_cap", "８"),
                ("vetoes[0].name", "发生重大安全生产责任事故"),
                ("vetoes[0].source", "manual"),
                ("vetoes[0].at_least", "1"),
            ],
        ),
    )
    .await;
    assert_eq!(resp.status(), 303, "{}", resp.text().await.unwrap());
    assert_eq!(
        resp.headers()["location"],
        "/assessment/schemes?year=2017&saved=1"
    );
    let saved = app.store.assessment_schemes(2017).await.unwrap();
    assert_eq!(saved.len(), 1);
    let scheme = saved[0].scheme().unwrap();
    let keys: Vec<&str> = scheme.items.iter().map(|i| i.key.as_str()).collect();
    assert_eq!(keys, ["indicators", "tasks", "item1"]);
    assert_eq!(
        scheme.items[2].kind,
        qx_core::assessment::ItemKind::Deduction
    );
    assert_eq!(scheme.members, ["石浦镇", "丹西街道", "西周镇"]);
    assert_eq!(scheme.deduction_cap, Some(8.0));
    assert_eq!(scheme.bonus_cap, None);
    assert_eq!(scheme.vetoes.len(), 1);
    assert_eq!(scheme.vetoes[0].key, "veto1");
    assert_eq!(scheme.cadence, qx_core::assessment::Cadence::Annual);

    // The schemes page says it in words, and its edit link opens the form filled in.
    let list = common::text(&office, app.url("/assessment/schemes?year=2017&saved=1")).await;
    assert!(list.contains("考核方案已保存为新版本"), "{list}");
    assert!(
        list.contains("完成率 ÷ 序时进度 × 分值, 不超过满分"),
        "{list}"
    );
    assert!(list.contains("石浦镇、丹西街道、西周镇"));
    assert!(list.contains("人工评分 达到 1 即排在所有未被否决的单位之后"));
    let edit = format!("/assessment/schemes/{}/edit", saved[0].id);
    assert!(list.contains(&format!("href=\"{edit}\"")), "{list}");
    let form = common::text(&office, app.url(&edit)).await;
    assert!(
        form.contains("name=\"items[2].key\" value=\"item1\""),
        "{form}"
    );
    assert!(
        form.contains("name=\"deduction_cap\" value=\"8\""),
        "{form}"
    );

    // An edit saves version 2 of the same scheme.
    let heavier = [
        "指标完成情况",
        "core",
        "70",
        "indicators",
        "pace_ratio",
        "1.2",
        "indicators",
        "",
    ];
    let resp = post(
        &office,
        app.url(&edit),
        &scheme_form(&token, "2017年度镇乡考核", &[heavier, tasks], &[]),
    )
    .await;
    assert_eq!(resp.status(), 303, "{}", resp.text().await.unwrap());
    let saved = app.store.assessment_schemes(2017).await.unwrap();
    assert_eq!(saved.len(), 1);
    assert_eq!(saved[0].version, 2);
    let scheme = saved[0].scheme().unwrap();
    assert_eq!(scheme.core_total(), 110.0);
    assert_eq!(
        scheme.items[0].method,
        qx_core::assessment::Method::PaceRatio { ceiling: 1.2 }
    );

    // Version 2 dropped 安全生产 (item1). A new row without a key in version 3 is not
    // numbered item1: manual points entered under item1 would pass to it.
    let resp = post(
        &office,
        app.url(&edit),
        &scheme_form(&token, "2017年度镇乡考核", &[heavier, tasks, new_row], &[]),
    )
    .await;
    assert_eq!(resp.status(), 303, "{}", resp.text().await.unwrap());
    let scheme = app.store.assessment_schemes(2017).await.unwrap()[0]
        .scheme()
        .unwrap();
    assert_eq!(scheme.items[2].key, "item2");

    // Nor with a key written on a row removed on the same form.
    let gone = [
        "安全生产",
        "deduction",
        "5",
        "manual",
        "manual",
        "",
        "item3",
        "1",
    ];
    let resp = post(
        &office,
        app.url(&edit),
        &scheme_form(
            &token,
            "2017年度镇乡考核",
            &[heavier, tasks, gone, new_row],
            &[],
        ),
    )
    .await;
    assert_eq!(resp.status(), 303, "{}", resp.text().await.unwrap());
    let scheme = app.store.assessment_schemes(2017).await.unwrap()[0]
        .scheme()
        .unwrap();
    let keys: Vec<&str> = scheme.items.iter().map(|i| i.key.as_str()).collect();
    assert_eq!(keys, ["indicators", "tasks", "item4"]);

    // Only the office reaches the form.
    let unit = app.login("jxj1").await;
    let resp = unit.get(app.url(&edit)).send().await.unwrap();
    assert_eq!(resp.status(), 403);
}
