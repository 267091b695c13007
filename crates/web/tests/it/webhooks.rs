//! Signed webhooks (消息推送) against a receiver in the test: the signature verifies, a 500 is
//! retried, an hour of failures loses nothing, 重新发送 sends again, the 钉钉 format, and an
//! endpoint that hangs never slows the request that raised the event.

use crate::common::{TestApp, client, csrf, post_form, spawn_app_with};
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use hmac::{Hmac, Mac};
use qx_core::token::TokenScope;
use qx_core::webhook::{DeliveryStatus, Event, Format};
use qx_store::webhooks::EndpointForm;
use sha2::Sha256;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What the receiver got: headers, query string and body of each request.
#[derive(Clone, Default)]
struct Received(Arc<Mutex<Vec<(HeaderMap, String, String)>>>);

/// Answers each request with the next status of `plan` (the last one repeats).
#[derive(Clone)]
struct Receiver {
    got: Received,
    plan: Arc<Mutex<Vec<u16>>>,
}

async fn receive(
    State(r): State<Receiver>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: String,
) -> StatusCode {
    r.got
        .0
        .lock()
        .unwrap()
        .push((headers, q.unwrap_or_default(), body));
    let mut plan = r.plan.lock().unwrap();
    let code = if plan.len() > 1 {
        plan.remove(0)
    } else {
        plan[0]
    };
    StatusCode::from_u16(code).unwrap()
}

/// A receiver on a loopback port answering `plan`; its URL and what it received.
async fn receiver(plan: &[u16]) -> (String, Received, Arc<Mutex<Vec<u16>>>) {
    let got = Received::default();
    let plan = Arc::new(Mutex::new(plan.to_vec()));
    let app = axum::Router::new()
        .route("/hook", axum::routing::post(receive))
        .with_state(Receiver {
            got: got.clone(),
            plan: plan.clone(),
        });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "http://{}/hook?access_token=t",
        listener.local_addr().unwrap()
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, got, plan)
}

async fn endpoint(app: &TestApp, url: &str, format: Format, secret: &str, events: &[Event]) -> i64 {
    app.store
        .create_endpoint(
            &app.actor("admin").await,
            &EndpointForm {
                name: "县大数据平台".into(),
                url: url.into(),
                secret: secret.into(),
                format: Some(format),
                enabled: true,
                events: events.to_vec(),
            },
        )
        .await
        .unwrap()
}

/// An enterprise and, through the API with a write token, a problem filed for it: the
/// `problem.created` event. Returns how long the API request took.
async fn file_problem(app: &TestApp) -> Duration {
    let mut tx = app.store.begin().await.unwrap();
    let ent = qx_store::enterprises::insert_enterprise(
        &mut tx,
        &qx_store::enterprises::NewEnterprise {
            credit_code: "913302257995213595".into(),
            name: "象山海天船舶".into(),
            town_id: Some(app.units["石浦镇"]),
            industry_code: None,
            scale: qx_core::scale::Scale::Above,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let admin = app.actor("admin").await;
    let (_, token) = app
        .store
        .create_token(
            &admin,
            &qx_store::tokens::NewToken {
                user_id: admin.user_id,
                name: "省企业服务平台".into(),
                scope: TokenScope::Write,
                lifetime_secs: 3600,
            },
        )
        .await
        .unwrap();
    let started = Instant::now();
    let resp = client()
        .post(app.url("/api/v1/problems"))
        .header("authorization", format!("Bearer {token}"))
        .json(&serde_json::json!({
            "enterprise_id": ent, "category": "approval", "title": "环评审批久拖",
            "description": "三个月未批",
        }))
        .send()
        .await
        .unwrap();
    let took = started.elapsed();
    assert_eq!(resp.status(), 200, "{}", resp.text().await.unwrap());
    took
}

/// Waits until the receiver has `n` requests (the sending pass runs in the background).
async fn wait_for(got: &Received, n: usize) {
    for _ in 0..100 {
        if got.0.lock().unwrap().len() >= n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "the receiver got {} requests, not {n}",
        got.0.lock().unwrap().len()
    );
}

/// Moves a delivery's clock back by `secs`, as if that much time had passed.
async fn age(app: &TestApp, secs: i64) {
    sqlx::query(
        "UPDATE webhook_deliveries SET next_attempt_at = next_attempt_at - $1, created_at = created_at - $1",
    )
    .bind(secs)
    .execute(app.store.pool())
    .await
    .unwrap();
}

fn verify(secret: &str, headers: &HeaderMap, body: &str) -> bool {
    let ts = headers["x-qx-timestamp"].to_str().unwrap();
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{ts}.{body}").as_bytes());
    let want = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
    headers["x-qx-signature"].to_str().unwrap() == want
}

#[tokio::test]
async fn a_signed_event_is_retried_after_a_500_and_every_attempt_is_logged() {
    for db in qx_store::testing::all().await.unwrap() {
        let app = spawn_app_with(qx_web::Config::default(), db).await;
        let (url, got, _) = receiver(&[500, 204]).await;
        let secret = "s3cret-用于测试";
        let id = endpoint(&app, &url, Format::Json, secret, &[Event::ProblemCreated]).await;
        // An endpoint not subscribed to the event gets nothing.
        let (other_url, other_got, _) = receiver(&[204]).await;
        endpoint(&app, &other_url, Format::Json, "", &[Event::BulletinIssued]).await;
        file_problem(&app).await;
        wait_for(&got, 1).await;
        {
            let got = got.0.lock().unwrap();
            let (headers, _, body) = &got[0];
            assert!(verify(secret, headers, body), "signature does not verify");
            assert_eq!(headers["x-qx-event"], "problem.created");
            let v: serde_json::Value = serde_json::from_str(body).unwrap();
            assert_eq!(v["event"], "problem.created");
            assert_eq!(v["subject"]["type"], "problem");
            assert!(
                v["message"].as_str().unwrap().contains("环评审批久拖"),
                "{v}"
            );
        }
        // The 500 leaves it waiting a minute; when that minute has passed it goes again.
        let admin = app.actor("admin").await;
        tokio::time::sleep(Duration::from_millis(200)).await;
        let log = app.store.delivery_log(&admin, id, 10).await.unwrap();
        assert_eq!(log.len(), 1);
        assert_eq!(log[0].status, DeliveryStatus::Pending);
        assert_eq!(log[0].last_code, Some(500));
        assert!(log[0].next_attempt_at > qx_store::now() + 30);
        assert_eq!(
            qx_web::webhook::deliver_due(&app.store)
                .await
                .unwrap()
                .delivered,
            0
        );
        age(&app, 61).await;
        let pass = qx_web::webhook::deliver_due(&app.store).await.unwrap();
        assert_eq!(pass.delivered, 1);
        wait_for(&got, 2).await;
        let attempts = app
            .store
            .delivery_attempts(&admin, log[0].id)
            .await
            .unwrap();
        let codes: Vec<_> = attempts.iter().map(|a| a.status_code).collect();
        assert_eq!(codes, vec![Some(500), Some(204)]);
        assert!(other_got.0.lock().unwrap().is_empty());

        // The log page shows the codes; 重新发送 posts it once more.
        let office = app.login("admin").await;
        let page = office
            .get(app.url("/settings/webhooks"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("204") && page.contains("新企业难题"),
            "{page}"
        );
        let token = csrf(&office, &app.url("/settings/webhooks")).await;
        let resp = post_form(
            &office,
            app.url(&format!(
                "/settings/webhooks/deliveries/{}/resend",
                log[0].id
            )),
            &[("_csrf", token.as_str())],
        )
        .await;
        assert_eq!(resp.status(), 303);
        wait_for(&got, 3).await;
        let attempts_page = office
            .get(app.url(&format!("/settings/webhooks/deliveries/{}", log[0].id)))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(attempts_page.contains("500"), "{attempts_page}");
    }
}

#[tokio::test]
async fn an_hour_of_failures_loses_no_event() {
    for db in qx_store::testing::all().await.unwrap() {
        let app = spawn_app_with(qx_web::Config::default(), db).await;
        let (url, got, plan) = receiver(&[503]).await;
        let id = endpoint(&app, &url, Format::Json, "k", &[Event::ProblemCreated]).await;
        file_problem(&app).await;
        wait_for(&got, 1).await;
        tokio::time::sleep(Duration::from_millis(200)).await;
        // Retries at 1, 5 and 30 minutes: each finds the endpoint still down (36 minutes).
        for wait in [60, 300, 1800] {
            age(&app, wait).await;
            let pass = qx_web::webhook::deliver_due(&app.store).await.unwrap();
            assert_eq!((pass.retrying, pass.given_up), (1, 0));
        }
        // Back after an hour: the next try (2 hours on) delivers it.
        *plan.lock().unwrap() = vec![200];
        age(&app, 7200).await;
        assert_eq!(
            qx_web::webhook::deliver_due(&app.store)
                .await
                .unwrap()
                .delivered,
            1
        );
        let admin = app.actor("admin").await;
        let log = app.store.delivery_log(&admin, id, 10).await.unwrap();
        assert_eq!(log[0].status, DeliveryStatus::Delivered);
        let attempts = app
            .store
            .delivery_attempts(&admin, log[0].id)
            .await
            .unwrap();
        assert_eq!(attempts.len(), 5);
        assert_eq!(got.0.lock().unwrap().len(), 5);
    }
}

#[tokio::test]
async fn the_dingtalk_format_is_a_markdown_robot_message_signed_in_the_url() {
    let app = spawn_app_with(
        qx_web::Config::default(),
        qx_store::testing::sqlite().await.unwrap(),
    )
    .await;
    let (url, got, _) = receiver(&[200]).await;
    endpoint(
        &app,
        &url,
        Format::DingTalk,
        "SECabc",
        &[Event::ProblemCreated],
    )
    .await;
    file_problem(&app).await;
    wait_for(&got, 1).await;
    let got = got.0.lock().unwrap();
    let (_, query, body) = &got[0];
    let v: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(v["msgtype"], "markdown");
    assert_eq!(v["markdown"]["title"], "新企业难题");
    assert!(
        v["markdown"]["text"]
            .as_str()
            .unwrap()
            .contains("环评审批久拖")
    );
    assert!(query.starts_with("access_token=t&timestamp="), "{query}");
    assert!(query.contains("&sign="), "{query}");
}

#[tokio::test]
async fn an_endpoint_that_hangs_never_slows_the_request() {
    let app = spawn_app_with(
        qx_web::Config::default(),
        qx_store::testing::sqlite().await.unwrap(),
    )
    .await;
    // Accepts connections and never answers.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = listener.accept().await {
            held.push(s);
        }
    });
    endpoint(&app, &url, Format::Json, "k", &[Event::ProblemCreated]).await;
    let took = file_problem(&app).await;
    assert!(took < Duration::from_secs(3), "the request took {took:?}");
    assert_eq!(app.store.pending_deliveries().await.unwrap(), 1);
}

#[tokio::test]
async fn the_office_adds_an_endpoint_with_its_events_and_errors_stay_on_the_form() {
    let app = spawn_app_with(
        qx_web::Config::default(),
        qx_store::testing::sqlite().await.unwrap(),
    )
    .await;
    let office = app.login("admin").await;
    let token = csrf(&office, &app.url("/settings/webhooks/new")).await;
    let resp = post_form(
        &office,
        app.url("/settings/webhooks"),
        &[
            ("_csrf", token.as_str()),
            ("name", "钉钉工作群"),
            ("url", "https://oapi.dingtalk.com/robot/send"),
            ("format", "dingtalk"),
            ("enabled", "1"),
        ],
    )
    .await;
    assert_eq!(resp.status(), 400);
    let body = resp.text().await.unwrap();
    assert!(
        body.contains("http://") && body.contains("请至少选择一个事件"),
        "{body}"
    );
    assert!(body.contains("value=\"钉钉工作群\""));
    let resp = post_form(
        &office,
        app.url("/settings/webhooks"),
        &[
            ("_csrf", token.as_str()),
            ("name", "钉钉工作群"),
            ("url", "http://10.1.2.3/robot/send"),
            ("format", "dingtalk"),
            ("enabled", "1"),
            ("events", "report.late"),
            ("events", "supervision.urged"),
        ],
    )
    .await;
    assert_eq!(resp.status(), 303);
    let list = app
        .store
        .list_endpoints(&app.actor("admin").await)
        .await
        .unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(
        list[0].events,
        vec![Event::ReportLate, Event::SupervisionUrged]
    );
    assert_eq!(
        list[0].secret.len(),
        64,
        "a secret is made when none is typed"
    );
    let edit = office
        .get(app.url(&format!("/settings/webhooks/{}", list[0].id)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(edit.contains("value=\"report.late\" checked"), "{edit}");
}
