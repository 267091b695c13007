//! Month-end surge, for correctness (not timed): 20 units post their period's report at the
//! same instant through the real server; every submission is stored exactly once with every
//! figure and task report, none fails (no SQLITE_BUSY, no lost update), and the audit chain
//! stays whole. Then the office approves them all at once and the dashboard shows the figures.
//! On SQLite and, with `QX_TEST_DATABASE_URL`, PostgreSQL. The timed version is
//! `benches/monitor.rs`.

#[path = "../../benches/support/county.rs"]
mod county;

use county::{County, Shape};
use std::sync::Arc;

const UNITS: usize = 20;

async fn surge(db: qx_store::testing::TestDb) {
    let store = db.store.clone();
    let name = db.name;
    let county = Arc::new(
        county::build(
            &store,
            Shape {
                units: UNITS,
                indicators: UNITS * 40,
                tasks_per_unit: 10,
                approved_months: 0,
            },
        )
        .await,
    );
    let base = county::serve(&store).await;
    let period_id = county::open_month(&store, &county, 1).await;
    let mut clients = Vec::new();
    for i in 0..UNITS {
        let c = county::login(&base, &county::unit_username(i)).await;
        let token = county::csrf(&c, &format!("{base}/report/{period_id}")).await;
        clients.push((c, token));
    }

    // Everyone at once; one unit also double-clicks (the same submit twice, concurrently).
    let start = Arc::new(tokio::sync::Barrier::new(UNITS + 1));
    let mut handles = Vec::new();
    for (i, (c, token)) in clients.iter().enumerate() {
        let repeat = if i == 0 { 2 } else { 1 };
        for _ in 0..repeat {
            let (c, token, county, base, start) = (
                c.clone(),
                token.clone(),
                county.clone(),
                base.clone(),
                start.clone(),
            );
            handles.push(tokio::spawn(async move {
                start.wait().await;
                let form = County::form(&county.input(i, 1), &token, "submit");
                let resp = c
                    .post(format!("{base}/report/{period_id}"))
                    .form(&form)
                    .send()
                    .await
                    .unwrap();
                (i, resp.status().as_u16())
            }));
        }
    }
    let mut accepted = vec![0; UNITS];
    for h in handles {
        let (i, status) = h.await.unwrap();
        match status {
            303 => accepted[i] += 1,
            // The double click's second request finds the report already submitted.
            400 if i == 0 => {}
            other => panic!("{name}: unit {i} answered {other}"),
        }
    }
    assert!(accepted.iter().all(|n| *n == 1), "{name}: {accepted:?}");

    // Exactly once: one submission per unit, submitted, with all 40 figures and 10 reports.
    let rows: Vec<(i64, i64, i64)> = sqlx::query_as(
        "SELECT s.unit_id, COUNT(*), MAX(s.revision) FROM submissions s WHERE s.period_id = $1 GROUP BY s.unit_id ORDER BY s.unit_id",
    )
    .bind(period_id)
    .fetch_all(store.pool())
    .await
    .unwrap();
    assert_eq!(rows.len(), UNITS, "{name}");
    assert!(
        rows.iter().all(|r| r.1 == 1 && r.2 == 1),
        "{name}: {rows:?}"
    );
    let (values, reports): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM indicator_values iv JOIN submissions s ON s.id = iv.submission_id WHERE s.period_id = $1),
                (SELECT COUNT(*) FROM task_reports tr JOIN submissions s ON s.id = tr.submission_id WHERE s.period_id = $1)",
    )
    .bind(period_id)
    .fetch_one(store.pool())
    .await
    .unwrap();
    assert_eq!(
        (values, reports),
        ((UNITS * 40) as i64, (UNITS * 10) as i64),
        "{name}"
    );
    let submits = qx_store::testing::audit_entries(&store, "submission.submit")
        .await
        .unwrap();
    assert_eq!(
        submits.len(),
        UNITS,
        "{name}: one audit entry per submission"
    );
    // Each entry names its own submission (on PostgreSQL the id is only known inside the
    // statement that writes both) and records what was submitted.
    let stored: Vec<(i64,)> = sqlx::query_as("SELECT id FROM submissions WHERE period_id = $1")
        .bind(period_id)
        .fetch_all(store.pool())
        .await
        .unwrap();
    let mut stored: Vec<String> = stored.into_iter().map(|(id,)| id.to_string()).collect();
    let mut named: Vec<String> = submits.iter().map(|e| e.entity_id.clone()).collect();
    stored.sort();
    named.sort();
    assert_eq!(named, stored, "{name}: audit entries name the submissions");
    assert!(
        submits.iter().all(|e| e
            .after_json
            .as_deref()
            .is_some_and(|a| a.contains("values"))),
        "{name}: audit entries record the figures"
    );

    // The office approves everything at once; then the dashboard has every figure.
    let progress = store
        .period_progress(&qx_core::access::Actor::system(), period_id)
        .await
        .unwrap();
    let mut approvals = Vec::new();
    for p in progress {
        let sub = p.submission.expect("every unit submitted");
        assert_eq!(sub.status.as_str(), "submitted");
        let (store, admin) = (store.clone(), county.admin.clone());
        approvals.push(tokio::spawn(async move {
            store.review_submission(&admin, sub.id, true, "").await
        }));
    }
    for a in approvals {
        a.await.unwrap().unwrap();
    }
    assert!(store.verify_audit().await.unwrap().ok(), "{name}");
    let leader = county::login(&base, "leader").await;
    let page = leader
        .get(format!("{base}/monitor?period=2017-01"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("测试指标799") && !page.contains("项未报送"),
        "{name}: every indicator reported on the dashboard"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_concurrent_submission_is_stored_exactly_once() {
    for db in qx_store::testing::all().await.unwrap() {
        surge(db).await;
    }
}
