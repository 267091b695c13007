//! Service tokens (接口令牌): a token reads the API as its account, write scope is needed to
//! change anything, revoked and expired tokens are refused, a token never opens a page, the
//! per-token rate limit answers 429 with Retry-After, uses are audited (once a minute), and the
//! office issues and revokes tokens on 设置 → 接口令牌.

use crate::common::{client, csrf, post_form, spawn_app_with};
use qx_core::token::TokenScope;
use qx_store::audit::AuditQuery;
use qx_store::tokens::NewToken;

async fn issue(
    app: &crate::common::TestApp,
    user: &str,
    scope: TokenScope,
    secs: i64,
) -> (i64, String) {
    let admin = app.actor("admin").await;
    let user_id = app.user_id(user).await;
    app.store
        .create_token(
            &admin,
            &NewToken {
                user_id,
                name: "统计局数据交换".into(),
                scope,
                lifetime_secs: secs,
            },
        )
        .await
        .unwrap()
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

#[tokio::test]
async fn a_token_reads_the_api_as_its_account_within_its_scope() {
    for db in qx_store::testing::all().await.unwrap() {
        let app = spawn_app_with(qx_web::Config::default(), db).await;
        let (_, read) = issue(&app, "jxj1", TokenScope::Read, 3600).await;
        let c = client();
        // Reads as the unit's liaison: its own record, not the office's audit log.
        let me = c
            .get(app.url("/api/v1/me"))
            .header("authorization", bearer(&read))
            .send()
            .await
            .unwrap();
        assert_eq!(me.status(), 200);
        let me: serde_json::Value = me.json().await.unwrap();
        assert_eq!(me["username"], "jxj1");
        let audit = c
            .get(app.url("/api/v1/audit"))
            .header("authorization", bearer(&read))
            .send()
            .await
            .unwrap();
        assert_eq!(audit.status(), 403);
        // A read token may not write, with or without a CSRF token.
        let post = c
            .post(app.url("/api/v1/problems"))
            .header("authorization", bearer(&read))
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await
            .unwrap();
        assert_eq!(post.status(), 403);

        // A write token passes the guard without a CSRF token: the handler reads the body
        // (an empty JSON object is refused by the handler, not by CSRF or scope).
        let (_, write) = issue(&app, "admin", TokenScope::Write, 3600).await;
        let post = c
            .post(app.url("/api/v1/problems"))
            .header("authorization", bearer(&write))
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await
            .unwrap();
        assert_ne!(post.status(), 403, "{}", post.text().await.unwrap());
        assert_ne!(post.status(), 401);

        // A wrong token, and no token, are 401 on the API.
        let wrong = c
            .get(app.url("/api/v1/me"))
            .header("authorization", "Bearer qxt_0000")
            .send()
            .await
            .unwrap();
        assert_eq!(wrong.status(), 401);
        assert_eq!(wrong.headers()["www-authenticate"], "Bearer");
    }
}

#[tokio::test]
async fn revoked_and_expired_tokens_are_refused_and_a_token_never_opens_a_page() {
    for db in qx_store::testing::all().await.unwrap() {
        let app = spawn_app_with(qx_web::Config::default(), db).await;
        let c = client();
        let (id, token) = issue(&app, "admin", TokenScope::Read, 3600).await;
        let get = |path: &str| {
            c.get(app.url(path))
                .header("authorization", bearer(&token))
                .send()
        };
        assert_eq!(get("/api/v1/units").await.unwrap().status(), 200);
        // Pages: 401, never the page and never a redirect to the login form.
        for page in ["/", "/units", "/audit", "/settings/tokens"] {
            assert_eq!(get(page).await.unwrap().status(), 401, "{page}");
        }
        app.store
            .revoke_token(&app.actor("admin").await, id)
            .await
            .unwrap();
        assert_eq!(get("/api/v1/units").await.unwrap().status(), 401);

        // Expired: issued for a second, used after it.
        let (_, short) = issue(&app, "admin", TokenScope::Read, 1).await;
        tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
        let resp = c
            .get(app.url("/api/v1/units"))
            .header("authorization", bearer(&short))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 401);
    }
}

#[tokio::test]
async fn the_rate_limit_answers_429_with_retry_after_and_uses_are_audited_once_a_minute() {
    for db in qx_store::testing::all().await.unwrap() {
        let config = qx_web::Config {
            token_requests_per_minute: 5,
            ..Default::default()
        };
        let app = spawn_app_with(config, db).await;
        let (id, token) = issue(&app, "leader", TokenScope::Read, 3600).await;
        let c = client();
        let mut statuses = Vec::new();
        let mut retry_after = None;
        for _ in 0..7 {
            let r = c
                .get(app.url("/api/v1/units"))
                .header("authorization", bearer(&token))
                .send()
                .await
                .unwrap();
            statuses.push(r.status().as_u16());
            if r.status() == 429 {
                retry_after = r.headers().get("retry-after").cloned();
            }
        }
        // Five pass; unless the minute turned between them, the next two wait.
        let passed = statuses.iter().filter(|s| **s == 200).count();
        assert!(
            passed >= 5 && statuses[..5].iter().all(|s| *s == 200),
            "{statuses:?}"
        );
        if passed < 7 {
            let secs: i64 = retry_after
                .expect("429 carries Retry-After")
                .to_str()
                .unwrap()
                .parse()
                .unwrap();
            assert!((1..=60).contains(&secs), "{secs}");
        }
        // Seven requests, one audit row (and the list shows the use).
        let rows = app
            .store
            .audit_list(
                &qx_core::access::Actor::system(),
                &AuditQuery {
                    entity: Some("api_token".into()),
                    entity_id: Some(id.to_string()),
                    actor: None,
                    action_prefix: Some("token.use".into()),
                    before_seq: None,
                    limit: 50,
                },
            )
            .await
            .unwrap();
        assert_eq!(rows.len(), 1, "{rows:?}");
        assert_eq!(rows[0].actor, "leader");
        let listed = app
            .store
            .list_tokens(&app.actor("admin").await)
            .await
            .unwrap();
        assert!(
            listed
                .iter()
                .any(|t| t.id == id && t.last_used_at.is_some())
        );
    }
}

#[tokio::test]
async fn the_office_issues_a_token_shown_once_and_revokes_it_on_the_settings_page() {
    for db in qx_store::testing::all().await.unwrap() {
        let app = spawn_app_with(qx_web::Config::default(), db).await;
        let admin = app.login("admin").await;
        let url = app.url("/settings/tokens");
        let token = csrf(&admin, &url).await;
        let user = app.user_id("jxj1").await.to_string();
        // A bad lifetime is shown beside its field with what was typed kept.
        let resp = post_form(
            &admin,
            &url,
            &[
                ("_csrf", token.as_str()),
                ("user_id", user.as_str()),
                ("name", "统计局接口"),
                ("scope", "read"),
                ("expires", "3年"),
            ],
        )
        .await;
        assert_eq!(resp.status(), 400);
        let body = resp.text().await.unwrap();
        assert!(
            body.contains("field-error") && body.contains("有效期格式"),
            "{body}"
        );
        assert!(body.contains("value=\"统计局接口\""));

        let resp = post_form(
            &admin,
            &url,
            &[
                ("_csrf", token.as_str()),
                ("user_id", user.as_str()),
                ("name", "统计局接口"),
                ("scope", "read"),
                ("expires", "90d"),
            ],
        )
        .await;
        assert_eq!(resp.status(), 200);
        assert_eq!(resp.headers()["cache-control"], "no-store");
        let body = resp.text().await.unwrap();
        let start = body.find("qxt_").expect("the secret is shown");
        let secret: String = body[start..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        assert_eq!(secret.len(), 4 + 64);
        // Shown once: the list never shows it again.
        let list = admin.get(&url).send().await.unwrap().text().await.unwrap();
        assert!(!list.contains(&secret) && list.contains("统计局接口"));
        let api = client();
        let me = api
            .get(app.url("/api/v1/me"))
            .header("authorization", bearer(&secret))
            .send()
            .await
            .unwrap();
        assert_eq!(me.status(), 200);

        let id = app
            .store
            .list_tokens(&app.actor("admin").await)
            .await
            .unwrap()[0]
            .id;
        assert!(list.contains(&format!("/settings/tokens/{id}/revoke")));
        assert!(list.contains("data-confirm"));
        let resp = post_form(
            &admin,
            app.url(&format!("/settings/tokens/{id}/revoke")),
            &[("_csrf", token.as_str())],
        )
        .await;
        assert_eq!(resp.status(), 303);
        let me = api
            .get(app.url("/api/v1/me"))
            .header("authorization", bearer(&secret))
            .send()
            .await
            .unwrap();
        assert_eq!(me.status(), 401);
        // A unit cannot open the page.
        let unit = app.login("jxj1").await;
        assert_eq!(unit.get(&url).send().await.unwrap().status(), 403);
    }
}
