//! 招商线索 and 项目调度 over the API, on every engine: anyone signed in submits a lead (a figure
//! that is not one is 422 naming `intended`, nothing stored); only the office decides it, and
//! a refused decision names its field; the follow-up unit then reads it; a read token may not
//! submit, a write token may without CSRF. A unit reads its own 调度 lines of a period, the
//! office and leaders name the unit (422 naming `unit` when they do not), another unit's is
//! "not found".

use crate::common::{TestApp, client};
use crate::report_form::{all_apps, june};
use qx_core::token::TokenScope;
use qx_store::tokens::NewToken;
use serde_json::{Value, json};

pub(crate) async fn csrf_of(c: &reqwest::Client, app: &TestApp) -> String {
    let me: Value = c
        .get(app.url("/api/v1/me"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    me["csrf_token"].as_str().unwrap().to_string()
}

pub(crate) async fn post(
    c: &reqwest::Client,
    app: &TestApp,
    path: &str,
    body: Value,
) -> (u16, Value) {
    let t = csrf_of(c, app).await;
    let r = c
        .post(app.url(path))
        .header("x-csrf-token", t)
        .json(&body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

pub(crate) async fn get(c: &reqwest::Client, url: String) -> (u16, Value) {
    let r = c.get(url).send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

async fn token(app: &TestApp, user: &str, scope: TokenScope) -> String {
    let admin = app.actor("admin").await;
    let user_id = app.user_id(user).await;
    app.store
        .create_token(
            &admin,
            &NewToken {
                user_id,
                name: "招商平台".into(),
                scope,
                lifetime_secs: 3600,
            },
        )
        .await
        .unwrap()
        .1
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leads_are_submitted_by_anyone_and_decided_by_the_office() {
    for app in all_apps().await {
        let admin = app.login("admin").await;
        let jxj = app.login("jxj1").await;
        let sp1 = app.login("sp1").await;
        let sp = app.units["石浦镇"];
        let lead = json!({"investor": "某新能源科技有限公司", "industry": "锂电池材料", "intended": "三亿",
            "contact": "王经理", "found_by": "县经信局 李某", "note": "有意落地"});

        let (s, body) = post(&jxj, &app, "/api/v1/leads", lead.clone()).await;
        assert_eq!(s, 422, "{body}");
        assert_eq!(body["errors"][0]["field"], "intended");
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("三亿")
        );
        let (_, list) = get(&admin, app.url("/api/v1/leads")).await;
        assert_eq!(list["items"].as_array().unwrap().len(), 0, "nothing stored");
        let mut no_investor = lead.clone();
        no_investor["intended"] = "30000".into();
        no_investor["investor"] = "".into();
        let (s, body) = post(&jxj, &app, "/api/v1/leads", no_investor).await;
        assert_eq!(
            (s, &body["errors"][0]["field"]),
            (422, &json!("investor")),
            "{body}"
        );

        let mut good = lead.clone();
        good["intended"] = json!(30000);
        let (s, body) = post(&jxj, &app, "/api/v1/leads", good.clone()).await;
        assert_eq!(s, 200, "{body}");
        let id = body["id"].as_i64().unwrap();
        let (s, l) = get(&jxj, app.url(&format!("/api/v1/leads/{id}"))).await;
        assert_eq!((s, &l["status"]), (200, &json!("submitted")));
        assert_eq!(l["intended_wan"], 30000.0);
        assert_eq!(
            get(&sp1, app.url(&format!("/api/v1/leads/{id}"))).await.0,
            404
        );

        // Only the office decides; a refused decision names its field.
        let decision = format!("/api/v1/leads/{id}/decision");
        let (s, _) = post(
            &jxj,
            &app,
            &decision,
            json!({"decision": "accept", "follow_unit_id": sp}),
        )
        .await;
        assert_eq!(s, 403);
        let (s, body) = post(&admin, &app, &decision, json!({"decision": "maybe"})).await;
        assert_eq!(
            (s, &body["errors"][0]["field"]),
            (422, &json!("decision")),
            "{body}"
        );
        let (s, body) = post(&admin, &app, &decision, json!({"decision": "accept"})).await;
        assert_eq!(
            (s, &body["errors"][0]["field"]),
            (422, &json!("follow_unit_id")),
            "{body}"
        );
        let (s, body) = post(
            &admin,
            &app,
            &decision,
            json!({"decision": "accept", "follow_unit_id": sp, "reward": "给予线索奖励", "decision_note": "交石浦镇对接"}),
        )
        .await;
        assert_eq!(s, 200, "{body}");
        assert_eq!(body["status"], "accepted");
        assert_eq!(body["follow_unit_name"], "石浦镇");
        assert_eq!(body["reward"], "给予线索奖励");
        // The follow-up unit reads it now, and was told.
        assert_eq!(
            get(&sp1, app.url(&format!("/api/v1/leads/{id}"))).await.0,
            200
        );

        // Tokens: a read token may not submit; a write token may, without CSRF.
        let c = client();
        let read = token(&app, "leader", TokenScope::Read).await;
        let r = c
            .post(app.url("/api/v1/leads"))
            .header("authorization", format!("Bearer {read}"))
            .json(&good)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
        let write = token(&app, "leader", TokenScope::Write).await;
        let r = c
            .post(app.url("/api/v1/leads"))
            .header("authorization", format!("Bearer {write}"))
            .json(&good)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let (_, list) = get(&admin, app.url("/api/v1/leads?limit=1")).await;
        assert_eq!(list["items"].as_array().unwrap().len(), 1);
        assert!(list["next_cursor"].is_string(), "two leads, one a page");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dispatch_lines_are_read_in_the_units_scope() {
    for app in all_apps().await {
        let (_, period) = june(&app).await;
        let admin = app.actor("admin").await;
        let jxj = app.units["县经信局"];
        let input = qx_store::projects::ProjectInput {
            year: 2017,
            name: "年产5万吨新材料项目".into(),
            investor: "甲新材料".into(),
            credit_code: None,
            capital_kind: qx_core::project::CapitalKind::Domestic,
            source: qx_core::project::Source::Investment,
            industry: String::new(),
            town_id: None,
            total_investment_wan: 25_000.0,
            foreign_contract_wusd: None,
            annual_plan_wan: Some(6_000.0),
            completed_wan: None,
            land_mu: None,
            content: String::new(),
            unit_id: jxj,
            contact: String::new(),
            leader_user_id: None,
            planned: [None; 4],
        };
        let id = app
            .store
            .create_project(&admin, &input, time::macros::date!(2017 - 01 - 10))
            .await
            .unwrap();
        let url = app.url(&format!("/api/v1/periods/{period}/dispatch"));
        let (s, lines) = get(&app.login("jxj1").await, url.clone()).await;
        assert_eq!(s, 200, "{lines}");
        assert_eq!(lines[0]["project_id"], id);
        assert_eq!(lines[0]["annual_plan_wan"], 6000.0);
        let leader = app.login("leader").await;
        let (s, body) = get(&leader, url.clone()).await;
        assert_eq!(
            (s, &body["errors"][0]["field"]),
            (422, &json!("unit")),
            "{body}"
        );
        let (s, lines) = get(&leader, format!("{url}?unit={jxj}")).await;
        assert_eq!((s, lines.as_array().unwrap().len()), (200, 1));
        let (s, _) = get(&app.login("sp1").await, format!("{url}?unit={jxj}")).await;
        assert_eq!(s, 404, "another unit's 调度");
    }
}
