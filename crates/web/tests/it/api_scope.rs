//! The API reads what the pages read, in the same scope: a unit sees only its own projects,
//! 督办 items and reports; an enterprise only its own projects and problems; the county's
//! monitoring is closed to enterprises.

use crate::common::{PASSWORD, spawn_demo};
use qx_store::Store;

async fn json(c: &reqwest::Client, url: String) -> serde_json::Value {
    let resp = c.get(&url).send().await.unwrap();
    assert_eq!(resp.status(), 200, "{url}");
    resp.json().await.unwrap()
}

fn items(v: &serde_json::Value) -> &Vec<serde_json::Value> {
    v["items"].as_array().unwrap()
}

async fn sign_in(base: &str, who: &str) -> reqwest::Client {
    let _ = PASSWORD;
    crate::common::sign_in(base, who).await
}

async fn actor(store: &Store, who: &str) -> qx_core::access::Actor {
    store
        .find_user_by_username(who)
        .await
        .unwrap()
        .unwrap()
        .actor()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_role_reads_over_the_api_what_its_pages_show() {
    let (base, db) = spawn_demo().await;
    let store = &db.store;
    let office = sign_in(&base, "admin").await;
    let unit = sign_in(&base, "jxj1").await;
    let firm = sign_in(&base, "qy01").await;
    let unit_actor = actor(store, "jxj1").await;
    let own_unit = unit_actor.unit_id.unwrap();
    let firm_actor = actor(store, "qy01").await;
    let own_firm = firm_actor.enterprise_id.unwrap();

    // Projects: the office all, the unit its own, the enterprise those with its credit code.
    let all = json(&office, format!("{base}/api/v1/projects?limit=500")).await;
    let mine = json(&unit, format!("{base}/api/v1/projects?limit=500")).await;
    assert!(!items(&mine).is_empty() && items(&mine).len() < items(&all).len());
    assert!(
        items(&mine)
            .iter()
            .all(|r| r["project"]["unit_id"] == own_unit)
    );
    let other = items(&all)
        .iter()
        .find(|r| r["project"]["unit_id"] != own_unit)
        .unwrap();
    let other_id = other["project"]["id"].as_i64().unwrap();
    let resp = unit
        .get(format!("{base}/api/v1/projects/{other_id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404, "another unit's project is not found");
    let theirs = json(&firm, format!("{base}/api/v1/projects?limit=500")).await;
    assert!(items(&theirs).len() < items(&all).len());
    assert!(
        items(&theirs)
            .iter()
            .all(|r| r["project"]["enterprise_id"] == own_firm)
    );

    // Problems: an enterprise its own.
    let problems = json(&firm, format!("{base}/api/v1/problems?limit=500")).await;
    let county = json(&office, format!("{base}/api/v1/problems?limit=1")).await;
    assert!(problems["total"].as_i64().unwrap() < county["total"].as_i64().unwrap());
    assert!(
        items(&problems)
            .iter()
            .all(|p| p["enterprise_id"] == own_firm)
    );

    // 督办: a unit the items it leads or supports; another's is not found.
    let all = json(&office, format!("{base}/api/v1/supervision?limit=500")).await;
    let mine = json(&unit, format!("{base}/api/v1/supervision?limit=500")).await;
    let takes_part = |s: &serde_json::Value| {
        s["lead_unit_id"] == own_unit
            || s["support_units"]
                .as_array()
                .unwrap()
                .iter()
                .any(|u| u[0] == own_unit)
    };
    assert!(items(&mine).len() < items(&all).len());
    assert!(items(&mine).iter().all(takes_part));
    assert_eq!(
        items(&mine).len(),
        items(&all).iter().filter(|s| takes_part(s)).count()
    );
    if let Some(other) = items(&all).iter().find(|s| !takes_part(s)) {
        let id = other["id"].as_i64().unwrap();
        let resp = unit
            .get(format!("{base}/api/v1/supervision/{id}"))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 404);
    }
    assert_eq!(
        firm.get(format!("{base}/api/v1/supervision"))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );

    // Reports: the unit reads its own; another unit's submission is not found.
    let plans = json(&office, format!("{base}/api/v1/plans")).await;
    let plan = items(&plans)
        .iter()
        .find(|p| p["status"] == "published")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let office_actor = actor(store, "admin").await;
    let periods = store.list_periods(&office_actor, plan).await.unwrap();
    let mut other_submission = None;
    for period in &periods {
        let report = json(&unit, format!("{base}/api/v1/periods/{}/report", period.id)).await;
        if !report.is_null() {
            assert_eq!(report["submission"]["unit_id"], own_unit);
        }
        for u in store.list_units().await.unwrap() {
            if u.id == own_unit || other_submission.is_some() {
                continue;
            }
            if let Ok(Some(s)) = store
                .latest_submission(&office_actor, period.id, u.id)
                .await
                && s.status.is_handed_in()
            {
                other_submission = Some(s.id);
            }
        }
    }
    let other_submission = other_submission.expect("the demo has other units' reports");
    let resp = office
        .get(format!("{base}/api/v1/submissions/{other_submission}"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let resp = unit
        .get(format!("{base}/api/v1/submissions/{other_submission}"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);

    // The monitoring picture is the county's: the unit reads it, the enterprise is refused.
    let picture = json(&unit, format!("{base}/api/v1/plans/{plan}/picture")).await;
    assert!(!picture["indicators"].as_array().unwrap().is_empty());
    assert!(picture["period"].as_str().unwrap().starts_with("2017-"));
    let resp = firm
        .get(format!("{base}/api/v1/plans/{plan}/picture"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
}

/// The office reads a unit's latest report over the API (a draft of the unit's it reads as
/// none, `null`); a read that fails is an error, never "no report".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_report_that_fails_to_read_is_an_error_never_no_report() {
    let (base, db) = spawn_demo().await;
    let store = &db.store;
    let office = sign_in(&base, "admin").await;
    let office_actor = actor(store, "admin").await;
    let jxj = actor(store, "jxj1").await.unit_id.unwrap();
    let mut handed_in = None;
    'plans: for plan in store.list_plans(&office_actor).await.unwrap() {
        for period in store.list_periods(&office_actor, plan.id).await.unwrap() {
            let latest = store
                .latest_submission(&office_actor, period.id, jxj)
                .await
                .unwrap();
            if latest.is_some_and(|s| s.status.is_handed_in()) {
                handed_in = Some(period.id);
                break 'plans;
            }
        }
    }
    let period = handed_in.expect("a report of jxj1's handed in");
    let url = format!("{base}/api/v1/periods/{period}/report?unit={jxj}");
    let report = json(&office, url.clone()).await;
    assert!(!report.is_null(), "the office reads the handed-in report");
    // The report's 本月无数据 marks can no longer be read.
    sqlx::query("ALTER TABLE indicator_no_data RENAME TO indicator_no_data_gone")
        .execute(store.pool())
        .await
        .unwrap();
    let resp = office.get(&url).send().await.unwrap();
    assert_eq!(resp.status(), 500, "{}", resp.text().await.unwrap());
}
