//! A registry import started from the form runs as a job: the POST answers 303 to
//! `/jobs/{id}`, which shows a progress bar until the import ends and then leads on to the
//! same result the import gives when it runs in the request (the list, or the errors naming
//! row and column). Only the session that started a job sees it.

use crate::common;

use common::{TestApp, client, csrf, spawn_app_with};
use qx_core::access::Actor;
use qx_core::codes::CreditCode;
use reqwest::multipart::{Form, Part};
use std::time::Duration;

const HEADER: &str = "统一社会信用代码,企业名称,镇乡(街道),行业代码,规模,用地面积(亩),培育标签\n";

fn big_registry(n: u32) -> String {
    let mut s = String::from(HEADER);
    for i in 0..n {
        let code = CreditCode::complete(&format!("91330225{i:08}0")).unwrap();
        let town = if i % 2 == 0 { "石浦镇" } else { "西周镇" };
        let scale = if i % 3 == 0 { "规上" } else { "规下" };
        s.push_str(&format!(
            "{},作业测试企业{i},{town},3411,{scale},{}.5,\n",
            code.as_str(),
            10 + i % 40
        ));
    }
    s
}

fn bad_registry() -> String {
    let code = CreditCode::complete("91330225000000770").unwrap();
    format!(
        "{HEADER}9133022500000099XX,坏代码企业,石浦镇,3411,规上,10,\n{},零用地企业,石浦镇,3411,规上,0,\n",
        code.as_str()
    )
}

async fn post_import(app: &TestApp, c: &reqwest::Client, csv: String) -> reqwest::Response {
    let token = csrf(c, &app.url("/enterprises")).await;
    let form = Form::new()
        .text("kind", "registry")
        .text("year", "")
        .part("file", Part::bytes(csv.into_bytes()).file_name("名录.csv"));
    c.post(app.url(&format!("/enterprises/import?_csrf={token}")))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

fn location(resp: &reqwest::Response) -> String {
    resp.headers()["location"].to_str().unwrap().to_string()
}

/// Polls the job's JSON until it is finished (at most a minute).
async fn wait_for(app: &TestApp, c: &reqwest::Client, job: &str) -> serde_json::Value {
    for _ in 0..600 {
        let r = c.get(app.url(&format!("{job}.json"))).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let v: serde_json::Value = r.json().await.unwrap();
        assert_eq!(v["total"], 3);
        if v["finished"] == true {
            assert_eq!(v["done"], 3);
            return v;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{job} did not finish");
}

/// The errors section of a page, as the user reads it.
fn errors_of(page: &str) -> String {
    let start = page
        .find("role=\"alert\"")
        .unwrap_or_else(|| panic!("{page}"));
    let end = start + page[start..].find("</section>").unwrap();
    page[start..end].to_string()
}

/// Each enterprise as the import left it, with its town by name (the two apps' ids may differ).
async fn registry(app: &TestApp) -> Vec<(String, String, Option<String>, Option<String>, String)> {
    let town = |id: Option<i64>| {
        app.units
            .iter()
            .find(|(_, u)| Some(**u) == id)
            .map(|(name, _)| name.clone())
    };
    let mut v: Vec<_> = app
        .store
        .list_enterprises(&Actor::system())
        .await
        .unwrap()
        .into_iter()
        .map(|e| {
            (
                e.credit_code,
                e.name,
                town(e.town_id),
                e.industry_code,
                e.scale.as_str().to_string(),
            )
        })
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

fn config(job_wait_ms: u64) -> qx_web::Config {
    qx_web::Config {
        job_wait_ms,
        ..Default::default()
    }
}

#[tokio::test]
async fn an_import_runs_as_a_job_with_the_same_result_as_in_the_request() {
    // SQLite always; PostgreSQL too when QX_TEST_DATABASE_URL is set.
    let dbs = qx_store::testing::all().await.unwrap();
    let synced = qx_store::testing::all().await.unwrap();
    for (db, sync_db) in dbs.into_iter().zip(synced) {
        // One app answers every import through its progress page, the other in the request.
        let app = spawn_app_with(config(0), db).await;
        let sync = spawn_app_with(config(120_000), sync_db).await;
        let admin = app.login("admin").await;
        let sync_admin = sync.login("admin").await;
        let csv = big_registry(400);

        let resp = post_import(&app, &admin, csv.clone()).await;
        assert_eq!(resp.status(), 303);
        let job = location(&resp);
        assert!(job.starts_with("/jobs/"), "{job}");

        // Another user, and another session of the same user, do not see the job.
        let leader = app.login("leader").await;
        assert_eq!(common::get_status(&leader, app.url(&job)).await, 404);
        assert_eq!(
            common::get_status(&leader, app.url(&format!("{job}.json"))).await,
            404
        );
        let other_admin = app.login("admin").await;
        assert_eq!(common::get_status(&other_admin, app.url(&job)).await, 404);
        assert_eq!(common::get_status(&client(), app.url(&job)).await, 303);

        let v = wait_for(&app, &admin, &job).await;
        assert_eq!(v["next"], "/enterprises?imported=1");
        assert_eq!(v["rows"], 400);
        let done = admin.get(app.url(&job)).send().await.unwrap();
        assert_eq!(done.status(), 303);
        assert_eq!(location(&done), "/enterprises?imported=1");

        let resp = post_import(&sync, &sync_admin, csv).await;
        assert_eq!(resp.status(), 303);
        assert_eq!(location(&resp), "/enterprises?imported=1");
        let in_job = registry(&app).await;
        assert_eq!(in_job.len(), 400);
        assert_eq!(in_job, registry(&sync).await);

        // A bad file: the job's page keeps every error, as the form shows them.
        let resp = post_import(&app, &admin, bad_registry()).await;
        assert_eq!(resp.status(), 303);
        let job = location(&resp);
        let v = wait_for(&app, &admin, &job).await;
        assert!(v["next"].is_null());
        let page = admin.get(app.url(&job)).send().await.unwrap();
        assert_eq!(page.status(), 200);
        let page = page.text().await.unwrap();
        assert!(page.contains("<progress"), "{page}");
        assert!(
            !page.contains("http-equiv=\"refresh\""),
            "a finished job stops refreshing"
        );
        assert!(
            page.contains("第3行") && page.contains("必须大于0"),
            "{page}"
        );
        assert!(
            !page.contains("must be greater than 0"),
            "the Chinese page shows the message without its English half: {page}"
        );
        let resp = post_import(&sync, &sync_admin, bad_registry()).await;
        assert_eq!(resp.status(), 400);
        let form_page = resp.text().await.unwrap();
        assert_eq!(errors_of(&page), errors_of(&form_page));
        assert_eq!(registry(&app).await, in_job, "a bad file writes nothing");

        // The page stays for the session that started it (expiry is ten minutes).
        assert_eq!(common::get_status(&admin, app.url(&job)).await, 200);
        assert_eq!(common::get_status(&admin, app.url("/jobs/nope")).await, 404);
    }
}
