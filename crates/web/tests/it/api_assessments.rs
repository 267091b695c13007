//! 考核评价 over the API (`/api/v1/assessments`): the runs with their filters and pages, a
//! run's ranking per class, a unit's breakdown with each item's records; the pages' scope (a
//! unit sees nothing before 公示, then its own breakdown, its class's ranking once final;
//! leaders everything); a refused filter is 422 naming it; a service token reads as its account.

use crate::common::{TestApp, client, spawn_app_with};
use qx_core::token::TokenScope;
use qx_store::tokens::NewToken;
use serde_json::Value;

async fn json(c: &reqwest::Client, url: String) -> (u16, Value) {
    let r = c.get(url).send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// Scores `period` of the published seed plan as the office; the run's id.
async fn score(app: &TestApp, plan: i64, period: &str) -> i64 {
    let admin = app.actor("admin").await;
    let period = qx_app::assessment::parse_run_period(period).unwrap();
    qx_app::assessment::run(&app.store, &admin, plan, period)
        .await
        .unwrap()
}

fn ids(page: &Value) -> Vec<i64> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn runs_ranking_and_breakdown_keep_the_pages_scope() {
    for db in qx_store::testing::all().await.unwrap() {
        let app = spawn_app_with(qx_web::Config::default(), db).await;
        let plan = app.publish_seed_plan().await;
        let year = score(&app, plan, "2017").await;
        let q3 = score(&app, plan, "2017Q3").await;
        let office = app.login("admin").await;
        let leader = app.login("leader").await;
        let unit = app.login("jxj1").await;
        let jxj = app.units["县经信局"];
        let sp = app.units["石浦镇"];

        // The office and leaders see both runs; filters by year, quarter and class.
        let (s, page) = json(&leader, app.url("/api/v1/assessments")).await;
        assert_eq!(s, 200, "{page}");
        assert_eq!(ids(&page), vec![year, q3]);
        let (_, page) = json(&office, app.url("/api/v1/assessments?quarter=year")).await;
        assert_eq!(ids(&page), vec![year]);
        let (_, page) = json(&office, app.url("/api/v1/assessments?year=2017&quarter=3")).await;
        assert_eq!(ids(&page), vec![q3]);
        let (_, page) = json(&office, app.url("/api/v1/assessments?year=2016")).await;
        assert_eq!(ids(&page), Vec::<i64>::new());
        let (_, page) = json(&office, app.url("/api/v1/assessments?class=town")).await;
        assert_eq!(ids(&page), vec![year, q3]);

        // Pages: one run a page, the cursor leads to the next.
        let (_, first) = json(&office, app.url("/api/v1/assessments?limit=1")).await;
        assert_eq!(ids(&first), vec![year]);
        let cursor = first["next_cursor"].as_str().unwrap();
        let (_, second) = json(
            &office,
            app.url(&format!("/api/v1/assessments?limit=1&cursor={cursor}")),
        )
        .await;
        assert_eq!(ids(&second), vec![q3]);
        assert!(second.get("next_cursor").is_none());

        // A filter that does not parse is refused, named, in Chinese.
        for (query, field) in [
            ("quarter=5", "quarter"),
            ("class=county", "class"),
            ("year=二〇一七", "year"),
            ("limit=0", "limit"),
        ] {
            let (s, body) = json(&office, app.url(&format!("/api/v1/assessments?{query}"))).await;
            assert_eq!(s, 422, "{query}: {body}");
            assert_eq!(body["errors"][0]["field"], field, "{body}");
            assert!(
                body["errors"][0]["message"]
                    .as_str()
                    .is_some_and(|m| m.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))),
                "{body}"
            );
        }
        let (s, body) = json(
            &office,
            app.url(&format!("/api/v1/assessments/{year}/ranking?class=x")),
        )
        .await;
        assert_eq!(
            (s, &body["errors"][0]["field"]),
            (422, &Value::from("class"))
        );

        // Leaders: any unit's breakdown, each item with the records behind its points.
        let (s, b) = json(
            &leader,
            app.url(&format!("/api/v1/assessments/{year}/units/{jxj}")),
        )
        .await;
        assert_eq!(s, 200, "{b}");
        assert_eq!(b["result"]["unit_name"], "县经信局");
        let items = b["items"].as_array().unwrap();
        let tasks = items.iter().find(|i| i["source"] == "tasks").unwrap();
        assert!(
            tasks["records"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r["record"].as_str().unwrap().starts_with("task:")),
            "{tasks}"
        );
        let (_, rank) = json(
            &leader,
            app.url(&format!("/api/v1/assessments/{year}/ranking")),
        )
        .await;
        let classes = rank["classes"].as_array().unwrap();
        assert!(classes.len() > 1, "every class: {rank}");
        let (_, towns) = json(
            &leader,
            app.url(&format!("/api/v1/assessments/{year}/ranking?class=town")),
        )
        .await;
        let towns = towns["classes"].as_array().unwrap();
        assert!(!towns.is_empty() && towns.len() < classes.len());
        assert!(towns.iter().all(|c| {
            c["classes"]
                .as_array()
                .unwrap()
                .contains(&Value::from("town"))
        }));

        // A unit sees nothing before 公示.
        let own = app.url(&format!("/api/v1/assessments/{year}/units/{jxj}"));
        let (_, page) = json(&unit, app.url("/api/v1/assessments")).await;
        assert_eq!(ids(&page), Vec::<i64>::new());
        assert_eq!(
            json(&unit, app.url(&format!("/api/v1/assessments/{year}")))
                .await
                .0,
            404
        );
        assert_eq!(json(&unit, own.clone()).await.0, 404);
        assert_eq!(
            json(
                &unit,
                app.url(&format!("/api/v1/assessments/{year}/ranking"))
            )
            .await
            .0,
            404
        );

        // 公示: its own breakdown and its own row of the ranking; another unit's is "not found".
        let admin = app.actor("admin").await;
        app.store
            .publish_assessment_run(&admin, year, "2018-01-10")
            .await
            .unwrap();
        let (_, page) = json(&unit, app.url("/api/v1/assessments")).await;
        assert_eq!(ids(&page), vec![year]);
        let (s, b) = json(&unit, own.clone()).await;
        assert_eq!(s, 200, "{b}");
        assert_eq!(b["run"]["status"], "publicity");
        assert!(!b["items"].as_array().unwrap().is_empty());
        assert_eq!(
            json(
                &unit,
                app.url(&format!("/api/v1/assessments/{year}/units/{sp}"))
            )
            .await
            .0,
            404
        );
        let (_, rank) = json(
            &unit,
            app.url(&format!("/api/v1/assessments/{year}/ranking")),
        )
        .await;
        let rows: Vec<&Value> = rank["classes"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|c| c["rows"].as_array().unwrap())
            .collect();
        assert_eq!(rows.len(), 1, "{rank}");
        assert_eq!(rows[0]["unit_id"], jxj);

        // 终审: the unit's class, whole.
        app.store
            .finalise_assessment_run(&admin, year)
            .await
            .unwrap();
        let (_, rank) = json(
            &unit,
            app.url(&format!("/api/v1/assessments/{year}/ranking")),
        )
        .await;
        let classes = rank["classes"].as_array().unwrap();
        assert_eq!(classes.len(), 1, "{rank}");
        assert!(classes[0]["rows"].as_array().unwrap().len() > 1);

        // A read token reads as its account, with the same scope.
        let (_, secret) = app
            .store
            .create_token(
                &admin,
                &NewToken {
                    user_id: app.user_id("jxj1").await,
                    name: "考核数据交换".into(),
                    scope: TokenScope::Read,
                    lifetime_secs: 3600,
                },
            )
            .await
            .unwrap();
        let c = client();
        let r = c
            .get(own)
            .header("authorization", format!("Bearer {secret}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let r = c
            .get(app.url(&format!("/api/v1/assessments/{year}/units/{sp}")))
            .header("authorization", format!("Bearer {secret}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404);
    }
}
