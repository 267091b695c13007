//! Every API error is RFC 9457 problem+json in the caller's language: 401, 403 (a guard, or
//! the session layer's CSRF check), 404 (a row, or a path nobody serves), 422 naming the field;
//! pages keep their HTML errors.

use crate::common::{client, spawn_app};

const PROBLEM: &str = "application/problem+json";

async fn problem(resp: reqwest::Response) -> (u16, serde_json::Value) {
    let status = resp.status().as_u16();
    let kind = resp.headers()["content-type"].to_str().unwrap().to_string();
    assert_eq!(kind, PROBLEM, "status {status}");
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["status"], status);
    assert!(body["type"].as_str().unwrap().starts_with("/api/problems/"));
    (status, body)
}

async fn token(c: &reqwest::Client, app: &crate::common::TestApp) -> String {
    let me: serde_json::Value = c
        .get(app.url("/api/v1/me"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    me["csrf_token"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn refusals_and_absences_are_problem_documents_in_the_callers_language() {
    let app = spawn_app().await;
    let anon = client();
    let (s, body) = problem(anon.get(app.url("/api/v1/me")).send().await.unwrap()).await;
    assert_eq!((s, body["title"].as_str()), (401, Some("请先登录")));
    // The session layer refuses a write without the token before any handler runs.
    let (s, body) = problem(
        anon.put(app.url("/api/v1/units/1/contact"))
            .json(&serde_json::json!({"contact": "x", "phone": "1"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (s, body["type"].as_str()),
        (403, Some("/api/problems/forbidden"))
    );

    let unit = app.login("jxj1").await;
    let (s, body) = problem(unit.get(app.url("/api/v1/audit")).send().await.unwrap()).await;
    assert_eq!((s, body["title"].as_str()), (403, Some("无权进行此操作")));
    let (_, body) = problem(
        unit.get(app.url("/api/v1/audit"))
            .header("accept-language", "en-GB,en;q=0.9")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(body["title"], "Not allowed");

    let admin = app.login("admin").await;
    let (s, body) = problem(
        admin
            .get(app.url("/api/v1/projects/999999"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((s, body["title"].as_str()), (404, Some("未找到")));
    let (s, _) = problem(
        admin
            .get(app.url("/api/v1/no-such-thing"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 404);
    // A body that is not JSON at all: axum's rejection, reshaped.
    let t = token(&admin, &app).await;
    let (s, body) = problem(
        admin
            .post(app.url("/api/v1/projects"))
            .header("x-csrf-token", &t)
            .body("year=2017")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (s, body["type"].as_str()),
        (415, Some("/api/problems/bad-request"))
    );
    let (s, body) = problem(
        admin
            .get(app.url("/api/v1/problems?limit=0"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 422);
    assert_eq!(body["errors"][0]["field"], "limit");

    // Pages keep their HTML error pages.
    let page = admin.get(app.url("/projects/999999")).send().await.unwrap();
    assert_eq!(page.status(), 404);
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
}

#[tokio::test]
async fn a_refused_write_names_the_field_and_keeps_nothing() {
    let app = spawn_app().await;
    let admin = app.login("admin").await;
    let t = token(&admin, &app).await;
    let unit = app.units["县经信局"];
    let mut project = serde_json::json!({"year": 2017, "name": "年产30万台电机项目", "investor": "某某电机",
        "capital_kind": "domestic", "source": "investment", "industry": "电机制造", "unit_id": unit,
        "total_investment": "五亿"});
    let send = |body: serde_json::Value, lang: &'static str| {
        admin
            .post(app.url("/api/v1/projects"))
            .header("x-csrf-token", &t)
            .header("accept-language", lang)
            .json(&body)
            .send()
    };
    let (s, body) = problem(send(project.clone(), "zh-CN").await.unwrap()).await;
    assert_eq!(s, 422);
    assert_eq!(body["title"], "提交的内容有误");
    let errors = body["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{body}");
    assert_eq!(errors[0]["field"], "total_investment");
    assert!(
        errors[0]["message"].as_str().unwrap().contains("五亿"),
        "{body}"
    );
    let (_, body) = problem(send(project.clone(), "en").await.unwrap()).await;
    assert_eq!(body["title"], "The request has errors");
    let list: serde_json::Value = admin
        .get(app.url("/api/v1/projects"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 0, "nothing stored");

    project["total_investment"] = "52000".into();
    let resp = send(project, "zh-CN").await.unwrap();
    assert_eq!(resp.status(), 200);
    let id = resp.json::<serde_json::Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    // A stage move with a date that is not one: the field is named.
    let (s, body) = problem(
        admin
            .post(app.url(&format!("/api/v1/projects/{id}/stage")))
            .header("x-csrf-token", &t)
            .json(&serde_json::json!({"to": "signed", "on": "2017-13-01"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 422);
    assert_eq!(body["errors"][0]["field"], "on");
    let resp = admin
        .post(app.url(&format!("/api/v1/projects/{id}/stage")))
        .header("x-csrf-token", &t)
        .json(&serde_json::json!({"to": "signed", "on": qx_core::time::format_date(qx_core::time::today()),
            "evidence": "投资协议"}))
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let text = resp.text().await.unwrap();
    assert_eq!(status, 200, "{text}");
    let detail: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(detail["project"]["stage"], "signed");
}
