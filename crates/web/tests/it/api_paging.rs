//! A cursor walks a whole list once: no row twice, none skipped, while rows are added
//! between pages (the problem list, paged in SQL newest first, and the project list).

use crate::common::spawn_app_with;
use qx_store::enterprises::{NewEnterprise, insert_enterprise};
use std::collections::BTreeSet;

async fn get(c: &reqwest::Client, url: &str) -> serde_json::Value {
    let resp = c.get(url).send().await.unwrap();
    assert_eq!(resp.status(), 200, "{url}");
    resp.json().await.unwrap()
}

fn ids(page: &serde_json::Value, id: impl Fn(&serde_json::Value) -> i64) -> Vec<i64> {
    page["items"].as_array().unwrap().iter().map(id).collect()
}

/// Walks `list` `limit` rows at a time, calling `between` after each page; the ids seen in order.
async fn walk(
    c: &reqwest::Client,
    list: &str,
    id: impl Fn(&serde_json::Value) -> i64,
    mut between: impl AsyncFnMut(),
) -> Vec<i64> {
    let mut seen = Vec::new();
    let mut url = format!("{list}?limit=7");
    loop {
        let page = get(c, &url).await;
        seen.extend(ids(&page, &id));
        between().await;
        match page["next_cursor"].as_str() {
            Some(cursor) => url = format!("{list}?limit=7&cursor={cursor}"),
            None => return seen,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cursor_walks_every_row_once_while_rows_are_added() {
    // The problem list pages in SQL: walked on both engines, over a county of 30 problems
    // and 20 projects entered through the API.
    for db in qx_store::testing::all().await.unwrap() {
        let app = spawn_app_with(qx_web::Config::default(), db).await;
        let mut tx = app.store.begin().await.unwrap();
        let firm = NewEnterprise {
            credit_code: "913302257995213595".into(),
            name: "象山海天船舶".into(),
            town_id: Some(app.units["石浦镇"]),
            industry_code: None,
            scale: qx_core::scale::Scale::Above,
        };
        let firm = insert_enterprise(&mut tx, &firm).await.unwrap();
        tx.commit().await.unwrap();
        let office = app.login("admin").await;
        let token = get(&office, &app.url("/api/v1/me")).await["csrf_token"]
            .as_str()
            .unwrap()
            .to_string();
        for i in 0..30 {
            let resp = office
                .post(app.url("/api/v1/problems"))
                .header("x-csrf-token", &token)
                .json(
                    &serde_json::json!({"enterprise_id": firm, "category": "land",
                    "title": format!("用地难{i}"), "description": "缺用地指标"}),
                )
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), 200);
        }
        let unit = app.units["县经信局"];
        for i in 0..20 {
            let resp = office
                .post(app.url("/api/v1/projects"))
                .header("x-csrf-token", &token)
                .json(&serde_json::json!({"year": 2017, "name": format!("项目{i}"), "investor": "某投资方",
                    "capital_kind": "domestic", "source": "investment", "industry": "装备制造",
                    "unit_id": unit, "total_investment": "1000"}))
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), 200);
        }
        walk_both_lists(&app.base).await;
    }
}

async fn walk_both_lists(base: &str) {
    let office = crate::common::sign_in(base, "admin").await;
    let me = get(&office, &format!("{base}/api/v1/me")).await;
    let token = me["csrf_token"].as_str().unwrap().to_string();
    let firm = get(&office, &format!("{base}/api/v1/enterprises?limit=1")).await["items"][0]["id"]
        .as_i64()
        .unwrap();

    let problems = format!("{base}/api/v1/problems");
    let before = get(&office, &format!("{problems}?limit=500")).await;
    assert!(
        before["next_cursor"].is_null(),
        "the demo has under 500 problems"
    );
    let before = ids(&before, |p| p["id"].as_i64().unwrap());
    let mut added = 0;
    let seen = walk(
        &office,
        &problems,
        |p| p["id"].as_i64().unwrap(),
        async || {
            added += 1;
            let resp = office
                .post(&problems)
                .header("x-csrf-token", &token)
                .json(
                    &serde_json::json!({"enterprise_id": firm, "category": "labour",
                "title": format!("招工难{added}"), "description": "缺技工"}),
                )
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), 200);
        },
    )
    .await;
    assert!(added > 3, "several pages");
    let unique: BTreeSet<i64> = seen.iter().copied().collect();
    assert_eq!(unique.len(), seen.len(), "no problem twice");
    assert_eq!(
        seen, before,
        "every problem there at the start, newest first, none skipped"
    );

    let projects = format!("{base}/api/v1/projects");
    let before = get(&office, &format!("{projects}?limit=500")).await;
    let unit = before["items"][0]["project"]["unit_id"].as_i64().unwrap();
    let before = ids(&before, |p| p["project"]["id"].as_i64().unwrap());
    let mut added = Vec::new();
    let seen =
        walk(
            &office,
            &projects,
            |p| p["project"]["id"].as_i64().unwrap(),
            async || {
                let resp = office
                .post(&projects)
                .header("x-csrf-token", &token)
                .json(&serde_json::json!({"year": 2017, "name": format!("新增项目{}", added.len()),
                    "investor": "某投资方", "capital_kind": "domestic", "source": "investment",
                    "industry": "装备制造", "unit_id": unit, "total_investment": "1000"}))
                .send()
                .await
                .unwrap();
                assert_eq!(resp.status(), 200);
                added.push(
                    resp.json::<serde_json::Value>().await.unwrap()["id"]
                        .as_i64()
                        .unwrap(),
                );
            },
        )
        .await;
    let unique: BTreeSet<i64> = seen.iter().copied().collect();
    assert_eq!(unique.len(), seen.len(), "no project twice");
    let mut want: Vec<i64> = before.clone();
    want.sort();
    assert_eq!(
        &seen[..want.len()],
        &want[..],
        "every project there at the start, by id"
    );
    assert!(
        seen[want.len()..].iter().all(|id| added.contains(id)),
        "after them only projects added during the walk"
    );
}
