//! 企业培育库 writes over the API, on every engine: the office enters a firm on a pipeline and
//! moves it (each refusal 422 naming the field, nothing stored); units and leaders are refused;
//! the entry then reads in the town's scope and not in another town's; the entries list pages;
//! a read token may not write, a write token may without CSRF.

use crate::api_projects_write::{get, post};
use crate::common::{TestApp, client};
use crate::report_form::all_apps;
use qx_core::access::Actor;
use qx_core::codes::CreditCode;
use qx_core::token::TokenScope;
use qx_store::enterprises::RegistryRow;
use qx_store::tokens::NewToken;
use serde_json::json;

/// Two firms of 石浦镇 in the registry; their ids.
async fn firms(app: &TestApp) -> (i64, i64) {
    let row = |i: u32, name: &str| RegistryRow {
        credit_code: CreditCode::complete(&format!("91330225{i:08}0"))
            .unwrap()
            .as_str()
            .to_string(),
        name: name.into(),
        town_id: Some(app.units["石浦镇"]),
        industry_code: Some("3411".into()),
        scale: qx_core::scale::Scale::Below,
        land_mu: None,
        address: String::new(),
        service_contact: String::new(),
        service_phone: String::new(),
        tags: vec![],
    };
    app.store
        .import_enterprises(
            &Actor::system(),
            "名录",
            &[row(1, "石浦甲机械有限公司"), row(2, "石浦乙五金有限公司")],
        )
        .await
        .unwrap();
    let codes = app.store.enterprise_codes().await.unwrap();
    let id = |i: u32| {
        codes[CreditCode::complete(&format!("91330225{i:08}0"))
            .unwrap()
            .as_str()]
        .0
    };
    (id(1), id(2))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_office_enters_and_moves_firms_over_the_api() {
    for app in all_apps().await {
        let (jia, yi) = firms(&app).await;
        let xsg = app.store.cultivation_pipeline_by_code("xsg").await.unwrap();
        let (first, second) = (xsg.stages[0].id, xsg.stages[1].id);
        let admin = app.login("admin").await;
        let entry = json!({"pipeline_id": xsg.id, "enterprise_id": jia, "stage_id": first,
            "on_date": "2017-03-01", "evidence": "县经信局认定文件"});
        let path = "/api/v1/cultivation/entries";

        for (field, value) in [
            ("on_date", json!("2017-13-01")),
            ("stage_id", json!("")),
            ("pipeline_id", json!(999_999)),
            ("enterprise_id", json!("甲")),
        ] {
            let mut bad = entry.clone();
            bad[field] = value;
            let (s, body) = post(&admin, &app, path, bad).await;
            assert_eq!(s, 422, "{field}: {body}");
            assert_eq!(body["errors"][0]["field"], field, "{body}");
        }
        let (_, list) = get(&admin, app.url(path)).await;
        assert_eq!(list["items"].as_array().unwrap().len(), 0, "nothing stored");
        for who in ["jxj1", "leader"] {
            let c = app.login(who).await;
            assert_eq!(post(&c, &app, path, entry.clone()).await.0, 403, "{who}");
        }

        let (s, body) = post(&admin, &app, path, entry.clone()).await;
        assert_eq!(s, 200, "{body}");
        let id = body["entry"]["id"].as_i64().unwrap();
        assert_eq!(body["moves"].as_array().unwrap().len(), 1);
        let (s, body) = post(&admin, &app, path, entry.clone()).await;
        assert_eq!(s, 422, "already on the pipeline: {body}");

        // Moves: the kind and the date are named when refused; a good one is on the timeline.
        let moves = format!("/api/v1/cultivation/entries/{id}/moves");
        let mv = json!({"kind": "advance", "to_stage": second, "on_date": "2017-09-30", "evidence": "县统计局月报"});
        let mut bad = mv.clone();
        bad["kind"] = "jump".into();
        let (s, body) = post(&admin, &app, &moves, bad).await;
        assert_eq!(
            (s, &body["errors"][0]["field"]),
            (422, &json!("kind")),
            "{body}"
        );
        let mut early = mv.clone();
        early["on_date"] = "2017-02-01".into();
        let (s, body) = post(&admin, &app, &moves, early).await;
        assert_eq!(
            (s, &body["errors"][0]["field"]),
            (422, &json!("on_date")),
            "{body}"
        );
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("2017-03-01")
        );
        let jxj1 = app.login("jxj1").await;
        assert_eq!(post(&jxj1, &app, &moves, mv.clone()).await.0, 403);
        let (s, body) = post(&admin, &app, &moves, mv).await;
        assert_eq!(s, 200, "{body}");
        assert_eq!(body["moves"].as_array().unwrap().len(), 2);
        assert_eq!(body["entry"]["stage_id"], second);

        // Scope: the firm's town reads it, another town does not.
        let entry_url = app.url(&format!("/api/v1/cultivation/entries/{id}"));
        assert_eq!(get(&app.login("sp1").await, entry_url.clone()).await.0, 200);
        assert_eq!(get(&app.login("xz1").await, entry_url).await.0, 404);

        // Tokens: read refused, write without CSRF; then the list pages one entry at a time.
        let admin_actor = app.actor("admin").await;
        let mut secrets = Vec::new();
        for scope in [TokenScope::Read, TokenScope::Write] {
            let (_, s) = app
                .store
                .create_token(
                    &admin_actor,
                    &NewToken {
                        user_id: admin_actor.user_id,
                        name: "培育库同步".into(),
                        scope,
                        lifetime_secs: 3600,
                    },
                )
                .await
                .unwrap();
            secrets.push(s);
        }
        let mut second_firm = entry.clone();
        second_firm["enterprise_id"] = json!(yi);
        let c = client();
        let send = |secret: &String| {
            c.post(app.url(path))
                .header("authorization", format!("Bearer {secret}"))
                .json(&second_firm)
                .send()
        };
        assert_eq!(send(&secrets[0]).await.unwrap().status(), 403);
        assert_eq!(send(&secrets[1]).await.unwrap().status(), 200);
        let (_, page) = get(&admin, app.url(&format!("{path}?limit=1"))).await;
        assert_eq!(page["items"].as_array().unwrap().len(), 1);
        let cursor = page["next_cursor"].as_str().unwrap();
        let (_, next) = get(&admin, app.url(&format!("{path}?limit=1&cursor={cursor}"))).await;
        assert_eq!(next["items"][0]["enterprise_id"], yi);
    }
}
