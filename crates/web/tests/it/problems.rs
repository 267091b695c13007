//! 企业难题 over HTTP: an enterprise submits with an attachment, the office routes, the unit
//! answers, the enterprise rates, the office closes; scope, refusals, API, exports, webhook.

use crate::common;

use common::{
    PASSWORD, TestApp, csrf, get_status, post_form, post_multipart, redirect_id, spawn_app,
};
use qx_core::access::{Actor, Role};
use qx_core::password::hash_password;
use qx_store::enterprises::{NewEnterprise, insert_enterprise};
use qx_store::users::NewUser;

/// Two enterprises in 石浦镇 with one account each: qy1 and qy2.
async fn enterprises(app: &TestApp) -> (i64, i64) {
    let mut tx = app.store.begin().await.unwrap();
    let mut ids = Vec::new();
    for (code, name) in [
        ("913302257995213595", "象山海天船舶"),
        ("91330225691361058X", "象山恒通汽配"),
    ] {
        let e = NewEnterprise {
            credit_code: code.into(),
            name: name.into(),
            town_id: Some(app.units["石浦镇"]),
            industry_code: None,
            scale: qx_core::scale::Scale::Above,
        };
        ids.push(insert_enterprise(&mut tx, &e).await.unwrap());
    }
    tx.commit().await.unwrap();
    let hash = hash_password(PASSWORD).unwrap();
    for (i, id) in ids.iter().enumerate() {
        let user = NewUser {
            username: format!("qy{}", i + 1),
            display_name: format!("企业联系人{}", i + 1),
            role: Role::Enterprise,
            unit_id: None,
            enterprise_id: Some(*id),
            phone: String::new(),
            password_hash: hash.clone(),
        };
        app.store
            .create_user(&Actor::system(), &user)
            .await
            .unwrap();
    }
    (ids[0], ids[1])
}

async fn step(
    app: &TestApp,
    c: &reqwest::Client,
    id: i64,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let token = csrf(c, &app.url(&format!("/problems/{id}"))).await;
    let mut form: Vec<(&str, &str)> = vec![("_csrf", token.as_str())];
    form.extend_from_slice(fields);
    c.post(app.url(&format!("/problems/{id}/step")))
        .form(&form)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_problem_is_submitted_routed_answered_rated_and_closed_over_the_web() {
    let app = spawn_app().await;
    let (_ent, _other) = enterprises(&app).await;
    let qy1 = app.login("qy1").await;
    let page = qy1
        .get(app.url("/problems/new"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("提交难题") && page.contains("用地"));
    let token = csrf(&qy1, &app.url("/problems/new")).await;
    let resp = post_multipart(
        &qy1,
        app.url(&format!("/problems?_csrf={token}")),
        &[
            ("category", "land"),
            ("title", "二期用地指标"),
            ("description", "需新增用地30亩"),
            ("contact_name", "王经理"),
        ],
        Some(("规划图.pdf", b"%PDF-1.4 test")),
    )
    .await;
    assert_eq!(resp.status(), 303, "{}", resp.text().await.unwrap());
    let id = redirect_id(&resp, "/problems/");
    let page = qy1
        .get(app.url(&format!("/problems/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("二期用地指标") && page.contains("规划图.pdf") && page.contains("提交"));
    let file = qy1
        .get(app.url(&format!("/problems/{id}/attachments/1")))
        .send()
        .await
        .unwrap();
    assert_eq!(file.status(), 200);
    assert_eq!(file.bytes().await.unwrap().as_ref(), b"%PDF-1.4 test");

    // The other enterprise and an unrelated town see nothing.
    let qy2 = app.login("qy2").await;
    assert_eq!(
        get_status(&qy2, app.url(&format!("/problems/{id}"))).await,
        404
    );
    assert_eq!(
        get_status(&qy2, app.url(&format!("/problems/{id}/attachments/1"))).await,
        404
    );
    let list = qy2
        .get(app.url("/problems"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!list.contains("二期用地指标"));
    let xz1 = app.login("xz1").await;
    assert_eq!(
        get_status(&xz1, app.url(&format!("/problems/{id}"))).await,
        404
    );

    // The office sees the notice and the proposal; an illegal step is refused with a message.
    let admin = app.login("admin").await;
    let list = admin
        .get(app.url("/problems"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(list.contains("二期用地指标") && list.contains("待受理"));
    let resp = step(&app, &admin, id, &[("action", "close")]).await;
    assert_eq!(resp.status(), 400);
    assert!(resp.text().await.unwrap().contains("不能执行「办结」"));
    assert_eq!(
        step(&app, &admin, id, &[("action", "accept")])
            .await
            .status(),
        303
    );
    let sp = app.units["石浦镇"].to_string();
    let resp = step(
        &app,
        &admin,
        id,
        &[
            ("action", "assign"),
            ("tier", "town"),
            ("lead_unit_id", &sp),
        ],
    )
    .await;
    assert_eq!(resp.status(), 303);

    // 石浦镇 handles it; the enterprise cannot answer for it.
    let sp1 = app.login("sp1").await;
    let page = sp1
        .get(app.url(&format!("/problems/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("签收办理") && page.contains("退回"));
    assert_eq!(
        step(
            &app,
            &qy1,
            id,
            &[("action", "answer"), ("text", "x"), ("resolved", "1")]
        )
        .await
        .status(),
        403
    );
    assert_eq!(
        step(&app, &sp1, id, &[("action", "start")]).await.status(),
        303
    );
    let resp = step(
        &app,
        &sp1,
        id,
        &[
            ("action", "answer"),
            ("text", "已协调镇级用地"),
            ("resolved", "1"),
        ],
    )
    .await;
    assert_eq!(resp.status(), 303);
    assert_eq!(
        step(
            &app,
            &qy1,
            id,
            &[
                ("action", "rate"),
                ("satisfaction", "satisfied"),
                ("comment", "感谢")
            ]
        )
        .await
        .status(),
        303
    );
    // Leaders read, never write.
    let leader = app.login("leader").await;
    assert_eq!(
        get_status(&leader, app.url(&format!("/problems/{id}"))).await,
        200
    );
    assert_eq!(
        step(&app, &leader, id, &[("action", "close")])
            .await
            .status(),
        403
    );
    assert_eq!(
        step(&app, &admin, id, &[("action", "close")])
            .await
            .status(),
        303
    );

    let page = qy1
        .get(app.url(&format!("/problems/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for word in ["办结", "已协调镇级用地", "满意", "签收办理"] {
        assert!(page.contains(word), "timeline shows {word}");
    }
    let rates = admin
        .get(app.url("/problems/rates"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(rates.contains("100.0%") && rates.contains("石浦镇"));
    // An enterprise sees its own problems, not the county's rates, dashboards or staff.
    for page in [
        "/problems/rates",
        "/api/v1/problems/rates",
        "/meetings",
        "/monitor",
        "/bulletins",
        "/users",
    ] {
        let status = get_status(&qy1, app.url(page)).await;
        assert_eq!(status, 403, "{page}");
    }
    let log = app
        .store
        .audit_list(
            &qx_core::access::Actor::system(),
            &qx_store::audit::AuditQuery {
                entity: Some("problem".into()),
                entity_id: Some(id.to_string()),
                limit: 50,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        log.len(),
        7,
        "submit, accept, assign, start, answer, rate, close"
    );
}

#[tokio::test]
async fn oversized_attachments_are_refused_with_a_clear_message() {
    let app = spawn_app().await;
    enterprises(&app).await;
    let qy1 = app.login("qy1").await;
    let token = csrf(&qy1, &app.url("/problems/new")).await;
    let big = vec![b'a'; qx_store::problems::MAX_ATTACHMENT_BYTES + 10];
    let resp = post_multipart(
        &qy1,
        app.url(&format!("/problems?_csrf={token}")),
        &[
            ("category", "finance"),
            ("title", "贷款"),
            ("description", "续贷"),
        ],
        Some(("big.pdf", &big)),
    )
    .await;
    assert_eq!(resp.status(), 400);
    // Said beside the file box, with the title and description typed still on the form.
    let page = resp.text().await.unwrap();
    assert!(
        page.contains(
            "<span class=\"field-error\">附件 &#34;big.pdf&#34;: 大小超过 20 MB 上限</span>"
        ),
        "{page}"
    );
    assert!(
        page.contains("value=\"贷款\"") && page.contains(">续贷</textarea>"),
        "{page}"
    );
    assert!(!page.contains("file too large"), "in Chinese only");
    let resp = post_multipart(
        &qy1,
        app.url(&format!("/problems?_csrf={token}")),
        &[
            ("category", "finance"),
            ("title", ""),
            ("description", "续贷"),
        ],
        None,
    )
    .await;
    assert!(resp.text().await.unwrap().contains("标题: 不能为空"));
}

#[tokio::test]
async fn the_api_takes_problems_and_steps_and_the_office_enters_them_on_behalf() {
    let app = spawn_app().await;
    let (ent, _) = enterprises(&app).await;
    let admin = app.login("admin").await;
    let me: serde_json::Value = admin
        .get(app.url("/api/v1/me"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = me["csrf_token"].as_str().unwrap().to_string();
    let body = serde_json::json!({"enterprise_id": ent, "category": "labour", "title": "招工难", "description": "缺技工50人",
        "source": "visit", "submitted_on": "2017-03-01"});
    let resp = admin
        .post(app.url("/api/v1/problems"))
        .header("x-csrf-token", &token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let id = resp.json::<serde_json::Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    let resp = admin
        .post(app.url(&format!("/api/v1/problems/{id}/steps")))
        .header("x-csrf-token", &token)
        .json(&serde_json::json!({"action": "accept", "note": "大走访收集"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let detail: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(detail["problem"]["status"], "accepted");
    assert_eq!(detail["problem"]["source"], "visit");
    assert_eq!(detail["problem"]["accept_due"], "2017-03-02");
    let bad = admin
        .post(app.url(&format!("/api/v1/problems/{id}/steps")))
        .header("x-csrf-token", &token)
        .json(&serde_json::json!({"action": "rate", "satisfaction": "satisfied", "comment": ""}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 403, "the office does not rate");
    let list: serde_json::Value = admin
        .get(app.url("/api/v1/problems?category=labour"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], 1);
    let rates: serde_json::Value = admin
        .get(app.url("/api/v1/problems/rates?group=tier"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(rates["overall"]["counts"]["total"], 1);

    // The enterprise's own API view.
    let qy1 = app.login("qy1").await;
    let list: serde_json::Value = qy1
        .get(app.url("/api/v1/problems"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], 1);
    let qy2 = app.login("qy2").await;
    assert_eq!(
        get_status(&qy2, app.url(&format!("/api/v1/problems/{id}"))).await,
        404
    );
}

#[tokio::test]
async fn the_problems_api_is_in_the_openapi_document() {
    let app = spawn_app().await;
    let doc: serde_json::Value = app
        .login("admin")
        .await
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let paths = &doc["paths"];
    for (path, method) in [
        ("/api/v1/problems", "get"),
        ("/api/v1/problems", "post"),
        ("/api/v1/problems/{id}", "get"),
        ("/api/v1/problems/{id}/steps", "post"),
        ("/api/v1/problems/rates", "get"),
    ] {
        assert!(
            paths[path].get(method).is_some(),
            "{method} {path} documented"
        );
    }
    // The list's filters are documented as query parameters, its rows as a schema.
    let params: Vec<&str> = paths["/api/v1/problems"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    for name in [
        "status", "category", "tier", "unit", "flag", "q", "from", "to", "offset", "limit",
    ] {
        assert!(
            params.contains(&name),
            "list parameter {name} in {params:?}"
        );
    }
    let row = &doc["components"]["schemas"]["ProblemRowDto"]["properties"];
    assert!(
        row.get("due_on").is_some() && row.get("enterprise_name").is_some(),
        "{row}"
    );
}

#[tokio::test]
async fn escalated_problems_make_the_meeting_agenda_and_notices_reach_the_webhook() {
    let app = spawn_app().await;
    let (ent, _) = enterprises(&app).await;
    // A webhook receiver on a local port.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook = format!("http://{}/hook", listener.local_addr().unwrap());
    let received = tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let (mut s, _) = listener.accept().await.unwrap();
        let mut buf = vec![0u8; 8192];
        let n = s.read(&mut buf).await.unwrap();
        s.write_all(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n")
            .await
            .unwrap();
        String::from_utf8_lossy(&buf[..n]).to_string()
    });
    let office = Actor::system();
    let new = qx_store::problems::NewProblem {
        enterprise_id: ent,
        category: qx_core::problem::Category::Approval,
        title: "环评审批久拖".into(),
        description: "三个月未批".into(),
        contact_name: String::new(),
        contact_phone: String::new(),
        source: qx_core::problem::Channel::Hotline,
        submitted_on: qx_core::time::today(),
    };
    let (id, _) = app
        .store
        .submit_problem(&office, &new, vec![])
        .await
        .unwrap();
    let today = qx_core::time::today();
    use qx_store::problems::Step;
    app.store
        .problem_step(
            &office,
            id,
            &Step::Accept {
                note: String::new(),
            },
            today,
        )
        .await
        .unwrap();
    let assign = Step::Assign {
        tier: qx_core::problem::Tier::Department,
        lead_unit_id: app.units["县经信局"],
        support_unit_ids: vec![],
        note: String::new(),
    };
    app.store
        .problem_step(&office, id, &assign, today)
        .await
        .unwrap();

    // An endpoint for the escalations (the old `notify.webhook_url` became endpoints).
    app.store
        .create_endpoint(
            &office,
            &qx_store::webhooks::EndpointForm {
                name: "例会".into(),
                url: hook.clone(),
                secret: String::new(),
                format: Some(qx_core::webhook::Format::Json),
                enabled: true,
                events: vec![qx_core::webhook::Event::ProblemEscalated],
            },
        )
        .await
        .unwrap();

    // The enterprise asks for the 例会 through the web.
    let qy1 = app.login("qy1").await;
    assert_eq!(
        step(
            &app,
            &qy1,
            id,
            &[("action", "escalate"), ("reason", "久拖未决")]
        )
        .await
        .status(),
        303
    );
    let request = tokio::time::timeout(std::time::Duration::from_secs(10), received)
        .await
        .unwrap()
        .unwrap();
    assert!(request.starts_with("POST /hook HTTP/1.1"), "{request}");
    assert!(
        request.contains("problem.escalated") && request.contains("升级"),
        "{request}"
    );

    // The 例会 (meetings module) proposes the escalated problem for its agenda.
    let admin = app.login("admin").await;
    let token = csrf(&admin, &app.url("/meetings")).await;
    let resp = post_form(
        &admin,
        app.url("/meetings"),
        &[
            ("_csrf", token.as_str()),
            ("kind", "regular"),
            ("title", "工业强县工作例会"),
            ("held_on", "2026-01-05"),
        ],
    )
    .await;
    assert_eq!(resp.status(), 303);
    let meeting: i64 = resp.headers()["location"]
        .to_str()
        .unwrap()
        .trim_start_matches("/meetings/")
        .trim_end_matches("?saved=1")
        .parse()
        .unwrap();
    let page = admin
        .get(app.url(&format!("/meetings/{meeting}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("环评审批久拖"));
    let owner = app.units["县经信局"].to_string();
    let pid = id.to_string();
    let resp = post_form(
        &admin,
        app.url(&format!("/meetings/{meeting}/agenda")),
        &[
            ("_csrf", token.as_str()),
            ("source", "problem"),
            ("source_id", &pid),
            ("text", "环评审批久拖"),
            ("unit_id", &owner),
        ],
    )
    .await;
    assert_eq!(resp.status(), 303);
    for ext in ["docx", "xlsx"] {
        let resp = admin
            .get(app.url(&format!("/meetings/{meeting}/agenda.{ext}")))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        let bytes = resp.bytes().await.unwrap();
        assert!(bytes.starts_with(b"PK"), "{ext} is a zip package");
    }
    assert_eq!(
        get_status(&qy1, app.url(&format!("/meetings/{meeting}/agenda.docx"))).await,
        403
    );

    // The office records a decision on it; 县经信局 follows it as a 督办 item to 销号.
    let item = app.store.agenda(&office, meeting).await.unwrap()[0]
        .id
        .to_string();
    let resp = post_form(
        &admin,
        app.url(&format!("/meetings/{meeting}/step")),
        &[("_csrf", token.as_str()), ("step", "hold")],
    )
    .await;
    assert_eq!(resp.status(), 303);
    let resp = post_form(
        &admin,
        app.url(&format!("/meetings/{meeting}/decisions")),
        &[
            ("_csrf", token.as_str()),
            ("agenda_item_id", &item),
            ("text", "县经信局牵头一周内办结"),
            ("lead_unit_id", &owner),
            ("deadline", "2026-01-12"),
        ],
    )
    .await;
    assert_eq!(resp.status(), 303);
    let jxj1 = app.login("jxj1").await;
    let page = jxj1
        .get(app.url("/supervision"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("县经信局牵头一周内办结"));
    let all = qx_store::meetings::SupervisionFilter::default();
    let decision = app.store.list_supervision(&office, &all).await.unwrap()[0].id;
    let token = csrf(&jxj1, &app.url(&format!("/supervision/{decision}"))).await;
    for (step, note) in [("acknowledge", ""), ("feedback", "已批复")] {
        let resp = post_form(
            &jxj1,
            app.url(&format!("/supervision/{decision}/step")),
            &[("_csrf", token.as_str()), ("step", step), ("note", note)],
        )
        .await;
        assert_eq!(resp.status(), 303, "{step}");
    }
    let token = csrf(&admin, &app.url(&format!("/supervision/{decision}"))).await;
    let resp = post_form(
        &admin,
        app.url(&format!("/supervision/{decision}/step")),
        &[("_csrf", token.as_str()), ("step", "close")],
    )
    .await;
    assert_eq!(resp.status(), 303);
    assert_eq!(
        app.store.list_supervision(&office, &all).await.unwrap()[0].status,
        qx_core::meeting::SupervisionStatus::Closed
    );

    // Settings: the office assigns 企服责任人; a unit may not open the settings.
    assert_eq!(get_status(&jxj1, app.url("/problems/settings")).await, 403);
    let page = admin
        .get(app.url("/problems/settings"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("企服责任人") && page.contains("县国土资源局"));
    let token = csrf(&admin, &app.url("/problems/settings")).await;
    let (e, u) = (ent.to_string(), app.user_id("sp1").await.to_string());
    let resp = post_form(
        &admin,
        app.url("/problems/settings/contact"),
        &[
            ("_csrf", token.as_str()),
            ("enterprise_id", &e),
            ("user_id", &u),
        ],
    )
    .await;
    assert_eq!(resp.status(), 303);
    // 石浦镇's liaison now follows the enterprise's problems as its 企服责任人.
    let sp1 = app.login("sp1").await;
    let page = sp1
        .get(app.url(&format!("/problems/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("环评审批久拖") && page.contains("sp1-name"));
}

/// The problems qy1 can see, as the API counts them.
async fn visible_problems(app: &TestApp, c: &reqwest::Client) -> i64 {
    let list: serde_json::Value = c
        .get(app.url("/api/v1/problems"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    list["total"].as_i64().unwrap()
}

#[tokio::test]
async fn programs_pages_and_disguised_files_are_refused_as_attachments() {
    let app = spawn_app().await;
    enterprises(&app).await;
    let qy1 = app.login("qy1").await;
    let token = csrf(&qy1, &app.url("/problems/new")).await;
    let exe: &[u8] = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00 This program cannot be run in DOS mode.";
    let cases: [(&str, &[u8], &str); 4] = [
        ("setup.exe", exe, "只接受 pdf、jpg、png、docx、xlsx"),
        (
            "notice.html",
            b"<html><script>fetch('/users')</script></html>",
            "只接受 pdf、jpg、png、docx、xlsx",
        ),
        (
            "logo.svg",
            b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(document.cookie)</script></svg>",
            "只接受 pdf、jpg、png、docx、xlsx",
        ),
        ("invoice.pdf", exe, "文件内容不是有效的 pdf 文件"),
    ];
    let fields = [
        ("category", "finance"),
        ("title", "贷款"),
        ("description", "续贷"),
    ];
    for (name, data, needle) in cases {
        let resp = post_multipart(
            &qy1,
            app.url(&format!("/problems?_csrf={token}")),
            &fields,
            Some((name, data)),
        )
        .await;
        assert_eq!(resp.status(), 400, "{name}");
        let page = resp.text().await.unwrap();
        assert!(
            page.contains(needle) && page.contains(name),
            "{name}: {page}"
        );
    }
    assert_eq!(visible_problems(&app, &qy1).await, 0, "nothing stored");

    // The same files are refused when added to a problem that exists.
    let resp = post_multipart(
        &qy1,
        app.url(&format!("/problems?_csrf={token}")),
        &fields,
        None,
    )
    .await;
    assert_eq!(resp.status(), 303);
    let id = redirect_id(&resp, "/problems/");
    let token = csrf(&qy1, &app.url(&format!("/problems/{id}"))).await;
    for (name, data, needle) in cases {
        let resp = post_multipart(
            &qy1,
            app.url(&format!("/problems/{id}/attachments?_csrf={token}")),
            &[],
            Some((name, data)),
        )
        .await;
        assert_eq!(resp.status(), 400, "{name}");
        assert!(resp.text().await.unwrap().contains(needle), "{name}");
    }
    // A good photo sent with a program: the program is named and neither is kept (the
    // check below finds no attachment), so the person can send the photo again alone.
    let form = reqwest::multipart::Form::new()
        .part(
            "files",
            reqwest::multipart::Part::bytes(b"\x89PNG\r\n\x1a\n\0".to_vec()).file_name("现场.png"),
        )
        .part(
            "files",
            reqwest::multipart::Part::bytes(exe.to_vec()).file_name("setup.exe"),
        );
    let resp = qy1
        .post(app.url(&format!("/problems/{id}/attachments?_csrf={token}")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let page = resp.text().await.unwrap();
    assert!(page.contains("setup.exe"), "{page}");
    // No file chosen (the browser sends the box empty): said beside the file box of the
    // problem's page, not on a page of its own.
    let resp = post_multipart(
        &qy1,
        app.url(&format!("/problems/{id}/attachments?_csrf={token}")),
        &[],
        Some(("", b"")),
    )
    .await;
    assert_eq!(resp.status(), 400);
    let page = resp.text().await.unwrap();
    assert!(
        page.contains("<span class=\"field-error\">请选择要上传的文件</span>")
            && page.contains(&format!("action=\"/problems/{id}/attachments?")),
        "{page}"
    );
    let actor = app.actor("qy1").await;
    let detail = app.store.get_problem(&actor, id).await.unwrap();
    assert!(detail.attachments.is_empty());

    // A real file is stored under its last name component, with the allowlisted type
    // whatever the client claimed, and served as a download the browser may not sniff.
    let resp = post_multipart(
        &qy1,
        app.url(&format!("/problems/{id}/attachments?_csrf={token}")),
        &[],
        Some(("..\\\\scans\\\\规划图.png", b"\x89PNG\r\n\x1a\n\0")),
    )
    .await;
    assert_eq!(resp.status(), 303);
    let detail = app.store.get_problem(&actor, id).await.unwrap();
    assert_eq!(detail.attachments[0].filename, "规划图.png");
    let resp = qy1
        .get(app.url(&format!(
            "/problems/{id}/attachments/{}",
            detail.attachments[0].id
        )))
        .send()
        .await
        .unwrap();
    let h = resp.headers();
    assert_eq!(h["content-type"], "image/png");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert!(
        h["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment;")
    );
}

#[tokio::test]
async fn problem_texts_have_the_same_limits_over_the_api_as_on_the_form() {
    let app = spawn_app().await;
    let (ent, _) = enterprises(&app).await;
    let admin = app.login("admin").await;
    let me: serde_json::Value = admin
        .get(app.url("/api/v1/me"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = me["csrf_token"].as_str().unwrap().to_string();
    let huge = "长".repeat(2 * 1024 * 1024 / 3);
    for (field, value, needle) in [
        ("title", "题".repeat(101), "标题: 不超过100字, 实际为101字"),
        ("description", huge.clone(), "问题描述: 不超过5000字"),
        ("contact_name", huge.clone(), "联系人: 不超过50字"),
        ("contact_phone", "1".repeat(31), "联系电话: 不超过30字"),
    ] {
        let mut body = serde_json::json!({"enterprise_id": ent, "category": "labour",
            "title": "招工难", "description": "缺技工50人"});
        body[field] = serde_json::Value::String(value);
        let resp = admin
            .post(app.url("/api/v1/problems"))
            .header("x-csrf-token", &token)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 422, "{field}");
        assert!(resp.text().await.unwrap().contains(needle), "{field}");
    }
    assert_eq!(visible_problems(&app, &admin).await, 0, "nothing stored");

    let body = serde_json::json!({"enterprise_id": ent, "category": "labour", "title": "招工难",
        "description": "缺技工50人"});
    let resp = admin
        .post(app.url("/api/v1/problems"))
        .header("x-csrf-token", &token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let id = resp.json::<serde_json::Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    let resp = admin
        .post(app.url(&format!("/api/v1/problems/{id}/steps")))
        .header("x-csrf-token", &token)
        .json(&serde_json::json!({"action": "accept", "note": huge}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 422);
    assert!(resp.text().await.unwrap().contains("说明: 不超过500字"));
    let detail = app
        .store
        .get_problem(&app.actor("admin").await, id)
        .await
        .unwrap();
    assert_eq!(
        detail.problem.status,
        qx_core::problem::Status::Submitted,
        "the step was not taken"
    );
}
