//! The web application over HTTP, as a browser and an API client use it.

use crate::common;

use common::{PASSWORD, client, csrf, get_status, post_form, spawn_app, spawn_app_with};
use qx_store::audit::AuditQuery;

#[tokio::test]
async fn each_role_signs_in_to_its_own_home_page() {
    let app = spawn_app().await;
    let admin = app.login("admin").await;
    let home = admin
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        home.contains("单位构成"),
        "office sees the registry overview"
    );
    assert!(home.contains("最近操作"), "office sees recent activity");

    let leader = app.login("leader").await;
    let home = leader
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(home.contains("只读"));

    let unit = app.login("sp1").await;
    let home = unit
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(home.contains("本单位") && home.contains("石浦镇"));
    assert!(
        !home.contains("最近操作"),
        "a unit does not see the audit trail"
    );
}

#[tokio::test]
async fn anonymous_requests_go_to_login_and_api_answers_401() {
    let app = spawn_app().await;
    let c = client();
    let resp = c.get(app.url("/units")).send().await.unwrap();
    assert_eq!(resp.status(), 303);
    assert!(
        resp.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/login?next=%2Funits")
    );
    assert_eq!(get_status(&c, app.url("/api/v1/units")).await, 401);
    assert_eq!(get_status(&c, app.url("/healthz")).await, 200);
}

#[tokio::test]
async fn five_wrong_passwords_lock_the_account_for_fifteen_minutes() {
    let app = spawn_app().await;
    let c = client();
    for i in 1..=4 {
        let resp = app.login_response(&c, "jxj1", "wrong-password").await;
        assert_eq!(resp.status(), 401, "attempt {i}");
        assert!(resp.text().await.unwrap().contains("用户名或密码错误"));
    }
    // The fifth failure locks the account; the answer is the one every failure gets (a locked
    // account must not be told apart from a wrong password or an unknown name).
    let fifth = app.login_response(&c, "jxj1", "wrong-password").await;
    assert_eq!(fifth.status(), 401);
    assert!(fifth.text().await.unwrap().contains("用户名或密码错误"));
    // Even the right password is refused while locked, with the same answer.
    let right = app.login_response(&c, "jxj1", PASSWORD).await;
    assert_eq!(right.status(), 401);
    assert!(right.text().await.unwrap().contains("用户名或密码错误"));

    let user = app
        .store
        .find_user_by_username("jxj1")
        .await
        .unwrap()
        .unwrap();
    let until = user.locked_until.unwrap();
    let expected = qx_store::now() + 15 * 60;
    assert!(
        (expected - 5..=expected).contains(&until),
        "locked for 15 minutes"
    );

    let log = app
        .store
        .audit_list(
            &qx_core::access::Actor::system(),
            &AuditQuery {
                entity_id: Some(user.id.to_string()),
                limit: 50,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let count = |a: &str| log.iter().filter(|r| r.action == a).count();
    assert_eq!(count("login.failure"), 5);
    assert_eq!(count("login.lockout"), 1);
    assert_eq!(count("login.locked"), 1);

    // The office unlocks; the right password works again.
    app.store
        .set_user_locked(&qx_core::access::Actor::system(), user.id, false)
        .await
        .unwrap();
    assert_eq!(
        app.login_response(&client(), "jxj1", PASSWORD)
            .await
            .status(),
        303
    );
}

#[tokio::test]
async fn unknown_usernames_fail_like_wrong_passwords_and_are_audited() {
    let app = spawn_app().await;
    let resp = app.login_response(&client(), "nobody", "whatever").await;
    assert_eq!(resp.status(), 401);
    assert!(resp.text().await.unwrap().contains("用户名或密码错误"));
    let log = app
        .store
        .audit_list(
            &qx_core::access::Actor::system(),
            &AuditQuery {
                actor: Some("nobody".into()),
                limit: 5,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(log[0].action, "login.failure");
}

#[tokio::test]
async fn forms_without_the_csrf_token_are_rejected() {
    let app = spawn_app().await;
    let unit = app.units["石浦镇"];
    let c = app.login("sp1").await;
    let url = app.url(&format!("/units/{unit}/contact"));

    let missing = post_form(&c, &url, &[("contact", "王五"), ("phone", "1")]).await;
    assert_eq!(missing.status(), 403);
    assert!(missing.text().await.unwrap().contains("CSRF"));
    let wrong = post_form(
        &c,
        &url,
        &[("_csrf", "forged"), ("contact", "王五"), ("phone", "1")],
    )
    .await;
    assert_eq!(wrong.status(), 403);
    assert_eq!(
        app.store.get_unit(unit).await.unwrap().contact,
        "",
        "nothing written"
    );

    let token = csrf(&c, &app.url(&format!("/units/{unit}"))).await;
    let ok = post_form(
        &c,
        &url,
        &[
            ("_csrf", token.as_str()),
            ("contact", "王五"),
            ("phone", "13800000000"),
        ],
    )
    .await;
    assert_eq!(ok.status(), 303);
    assert_eq!(app.store.get_unit(unit).await.unwrap().contact, "王五");

    // The JSON API wants the token in a header.
    let api = app.url(&format!("/api/v1/units/{unit}/contact"));
    let body = serde_json::json!({"contact": "赵六", "phone": "1"});
    assert_eq!(c.put(&api).json(&body).send().await.unwrap().status(), 403);
    let ok = c
        .put(&api)
        .header("x-csrf-token", &token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);

    // The login form itself is protected (login CSRF).
    let anon = client();
    let resp = post_form(
        &anon,
        app.url("/login"),
        &[("username", "admin"), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(resp.status(), 403);
}

#[tokio::test]
async fn a_unit_user_cannot_read_or_write_another_units_records() {
    let app = spawn_app().await;
    let own = app.units["石浦镇"];
    let other = app.units["西周镇"];
    let other_user = app.user_id("xz1").await;
    let c = app.login("sp1").await;
    let token = csrf(&c, &app.url(&format!("/units/{own}"))).await;

    let resp = post_form(
        &c,
        app.url(&format!("/units/{other}/contact")),
        &[
            ("_csrf", token.as_str()),
            ("contact", "冒名"),
            ("phone", "1"),
        ],
    )
    .await;
    assert_eq!(resp.status(), 403);
    assert_eq!(app.store.get_unit(other).await.unwrap().contact, "");

    assert_eq!(
        get_status(&c, app.url(&format!("/users/{other_user}"))).await,
        404
    );
    assert_eq!(
        get_status(&c, app.url(&format!("/api/v1/users/{other_user}"))).await,
        404
    );
    let listed: Vec<serde_json::Value> = c
        .get(app.url("/api/v1/users"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed.len(), 1, "only themselves");
    assert_eq!(get_status(&c, app.url("/audit")).await, 403);
    assert_eq!(get_status(&c, app.url("/api/v1/audit")).await, 403);
    assert_eq!(get_status(&c, app.url("/users/new")).await, 403);
    let page = c
        .get(app.url(&format!("/units/{other}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !page.contains("xz1"),
        "another unit's liaisons are not listed"
    );

    // A leader reads but cannot write.
    let leader = app.login("leader").await;
    let token = csrf(&leader, &app.url("/account")).await;
    let resp = post_form(
        &leader,
        app.url(&format!("/units/{own}/contact")),
        &[("_csrf", token.as_str()), ("contact", "x"), ("phone", "1")],
    )
    .await;
    assert_eq!(resp.status(), 403);
}

#[tokio::test]
async fn changes_made_through_the_web_land_in_the_audit_log() {
    let app = spawn_app().await;
    let own = app.units["石浦镇"];
    let c = app.login("sp1").await;
    let token = csrf(&c, &app.url(&format!("/units/{own}"))).await;
    c.post(app.url(&format!("/units/{own}/contact")))
        .form(&[
            ("_csrf", token.as_str()),
            ("contact", "王五"),
            ("phone", "13800000000"),
        ])
        .send()
        .await
        .unwrap();

    let admin = app.login("admin").await;
    let entries: Vec<serde_json::Value> = admin
        .get(app.url(&format!("/api/v1/audit?entity=unit&entity_id={own}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let e = &entries[0];
    assert_eq!(e["action"], "unit.contact");
    assert_eq!(e["actor"], "sp1");
    assert_eq!(e["before"]["contact"], "");
    assert_eq!(e["after"]["contact"], "王五");
    assert_eq!(e["ip"], "127.0.0.1");

    let page = admin
        .get(app.url("/audit"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("哈希链完整"));
    assert!(page.contains("login.success"));
}

#[tokio::test]
async fn idle_sessions_expire_and_logout_ends_the_session() {
    let config = qx_web::Config {
        session_idle_secs: 1,
        ..Default::default()
    };
    let app = spawn_app_with(config, qx_store::testing::sqlite().await.unwrap()).await;
    let c = app.login("admin").await;
    assert_eq!(get_status(&c, app.url("/units")).await, 200);
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let resp = c.get(app.url("/units")).send().await.unwrap();
    assert_eq!(resp.status(), 303);
    assert!(
        resp.headers()["location"]
            .to_str()
            .unwrap()
            .contains("expired=1")
    );

    let app = spawn_app().await;
    let c = app.login("admin").await;
    let token = csrf(&c, &app.url("/")).await;
    assert_eq!(
        c.post(app.url("/logout"))
            .form(&[("_csrf", token.as_str())])
            .send()
            .await
            .unwrap()
            .status(),
        303
    );
    assert_eq!(get_status(&c, app.url("/units")).await, 303);
}

#[tokio::test]
async fn office_creates_a_user_with_a_strong_password_only() {
    let app = spawn_app().await;
    let c = app.login("admin").await;
    let token = csrf(&c, &app.url("/users/new")).await;
    let unit = app.units["县科技局"].to_string();
    let form = |pw: &'static str| {
        vec![
            ("_csrf", token.clone()),
            ("username", "kjj9".to_string()),
            ("display_name", "新联络员".to_string()),
            ("role", "unit".to_string()),
            ("unit_id", unit.clone()),
            ("password", pw.to_string()),
        ]
    };
    let weak = c
        .post(app.url("/users"))
        .form(&form("password"))
        .send()
        .await
        .unwrap();
    assert_eq!(weak.status(), 400);
    assert!(weak.text().await.unwrap().contains("三类"));
    assert!(
        app.store
            .find_user_by_username("kjj9")
            .await
            .unwrap()
            .is_none()
    );

    let ok = c
        .post(app.url("/users"))
        .form(&form("Kejiju#2017"))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 303);
    let stored = app
        .store
        .find_user_by_username("kjj9")
        .await
        .unwrap()
        .unwrap();
    assert!(stored.password_hash.starts_with("$argon2id$"));
    let login = app.login_response(&client(), "kjj9", "Kejiju#2017").await;
    assert_eq!(login.status(), 303);
}

/// A unit or enterprise number that names nothing is the user's mistake: 400 with the field
/// named, not a database error answered 500.
#[tokio::test]
async fn a_user_in_a_unit_that_does_not_exist_is_refused_as_a_bad_request() {
    let app = spawn_app().await;
    let c = app.login("admin").await;
    let token = csrf(&c, &app.url("/users/new")).await;
    for (role, field) in [("unit", "unit_id"), ("enterprise", "enterprise_id")] {
        let resp = c
            .post(app.url("/users"))
            .form(&[
                ("_csrf", token.as_str()),
                ("username", "ghost1"),
                ("display_name", "无此单位"),
                ("role", role),
                (field, "999999"),
                ("password", "Kejiju#2017"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 400, "{role} in a missing {field}");
        let body = resp.text().await.unwrap();
        assert!(body.contains(field) && body.contains("999999"), "{body}");
    }
    assert!(
        app.store
            .find_user_by_username("ghost1")
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn english_is_one_click_away() {
    let app = spawn_app().await;
    let c = app.login("admin").await;
    let token = csrf(&c, &app.url("/")).await;
    c.post(app.url("/lang"))
        .form(&[("_csrf", token.as_str()), ("lang", "en")])
        .send()
        .await
        .unwrap();
    let page = c
        .get(app.url("/units"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Short name") && page.contains("lang=\"en\""));
}

#[tokio::test]
async fn openapi_document_lists_the_api() {
    let app = spawn_app().await;
    let doc: serde_json::Value = client()
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for path in [
        "/api/v1/me",
        "/api/v1/units",
        "/api/v1/users/{id}",
        "/api/v1/audit",
        "/api/v1/calendar/{year}",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} documented");
    }
}

#[tokio::test]
async fn two_app_servers_on_one_postgres_share_sessions() {
    let Some(db) = qx_store::testing::postgres().await.unwrap() else {
        eprintln!("QX_TEST_DATABASE_URL not set: skipping the PostgreSQL multi-server test");
        return;
    };
    let second_store = qx_store::Store::connect(&db.url).await.unwrap();
    let app = spawn_app_with(qx_web::Config::default(), db).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let other = format!("http://{}", listener.local_addr().unwrap());
    let state = qx_web::AppState {
        store: second_store,
        config: std::sync::Arc::new(qx_web::Config::default()),
        picture_cache: Default::default(),
        rendered_dashboards: Default::default(),
        jobs: Default::default(),
    };
    tokio::spawn(qx_web::serve(state, listener));

    let c = app.login("admin").await;
    // reqwest's cookie store is per host:port; carry the session cookie across by hand.
    let cookie = {
        let resp = app.login_response(&client(), "admin", PASSWORD).await;
        resp.headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("qx_session="))
            .map(|v| v.split(';').next().unwrap().to_string())
            .unwrap()
    };
    let me: serde_json::Value = client()
        .get(format!("{other}/api/v1/me"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["username"], "admin");
    assert_eq!(get_status(&c, app.url("/")).await, 200);
}

#[tokio::test]
async fn unit_contacts_have_the_same_limits_over_the_api_as_on_the_form() {
    let app = spawn_app().await;
    let unit = app.units["石浦镇"];
    let c = app.login("sp1").await;
    let token = csrf(&c, &app.url(&format!("/units/{unit}"))).await;
    let api = app.url(&format!("/api/v1/units/{unit}/contact"));
    let huge = "a".repeat(2 * 1024 * 1024);
    for (body, needle) in [
        (
            serde_json::json!({"contact": huge, "phone": "1"}),
            "联络员: 不超过50字, 实际为2097152字",
        ),
        (
            serde_json::json!({"contact": "王五", "phone": huge}),
            "联系电话: 不超过30字",
        ),
    ] {
        let resp = c
            .put(&api)
            .header("x-csrf-token", &token)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 422);
        assert!(resp.text().await.unwrap().contains(needle), "{needle}");
    }
    let resp = post_form(
        &c,
        app.url(&format!("/units/{unit}/contact")),
        &[
            ("_csrf", token.as_str()),
            ("contact", &"王".repeat(51)),
            ("phone", "1"),
        ],
    )
    .await;
    assert_eq!(resp.status(), 400);
    assert!(resp.text().await.unwrap().contains("联络员: 不超过50字"));
    let u = app.store.get_unit(unit).await.unwrap();
    assert_eq!(
        (u.contact.as_str(), u.phone.as_str()),
        ("", ""),
        "nothing stored"
    );

    // Fifty characters are fine on either path.
    let ok = c
        .put(&api)
        .header("x-csrf-token", &token)
        .json(&serde_json::json!({"contact": "王".repeat(50), "phone": "0574-65123456"}))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(
        app.store.get_unit(unit).await.unwrap().contact,
        "王".repeat(50)
    );
}

#[tokio::test]
async fn user_names_and_phones_are_bounded_in_the_store() {
    let app = spawn_app().await;
    let mut user = qx_store::users::NewUser {
        username: "long1".into(),
        display_name: "名".repeat(51),
        role: qx_core::access::Role::Unit,
        unit_id: Some(app.units["石浦镇"]),
        enterprise_id: None,
        phone: String::new(),
        password_hash: String::new(),
    };
    let system = qx_core::access::Actor::system();
    let err = app.store.create_user(&system, &user).await.unwrap_err();
    assert!(err.to_string().contains("姓名: 不超过50字"), "{err}");
    user.display_name = "王五".into();
    user.phone = "1".repeat(31);
    let err = app.store.create_user(&system, &user).await.unwrap_err();
    assert!(err.to_string().contains("电话: 不超过30字"), "{err}");
    user.display_name = "  ".into();
    user.phone = String::new();
    let err = app.store.create_user(&system, &user).await.unwrap_err();
    assert!(err.to_string().contains("姓名: 不能为空"), "{err}");
}
