//! Enterprise and town staff on a problem's page: the enterprise withdraws before 受理, the
//! county's internal notes never reach the enterprise (page or API), the timeline names people
//! and steps in Chinese, and a refused step keeps what was typed beside its field.

use crate::common::{PASSWORD, TestApp, csrf, spawn_app};
use qx_core::access::{Actor, Role};
use qx_core::password::hash_password;
use qx_store::enterprises::{NewEnterprise, insert_enterprise};
use qx_store::users::NewUser;

/// An enterprise in 石浦镇 with the account `qy1` (named 王经理), and one problem it filed.
async fn filed(app: &TestApp) -> i64 {
    let mut tx = app.store.begin().await.unwrap();
    let e = NewEnterprise {
        credit_code: "913302257995213595".into(),
        name: "象山海天船舶".into(),
        town_id: Some(app.units["石浦镇"]),
        industry_code: None,
        scale: qx_core::scale::Scale::Above,
    };
    let ent = insert_enterprise(&mut tx, &e).await.unwrap();
    tx.commit().await.unwrap();
    let user = NewUser {
        username: "qy1".into(),
        display_name: "王经理".into(),
        role: Role::Enterprise,
        unit_id: None,
        enterprise_id: Some(ent),
        phone: String::new(),
        password_hash: hash_password(PASSWORD).unwrap(),
    };
    app.store
        .create_user(&Actor::system(), &user)
        .await
        .unwrap();
    let qy1 = app.actor("qy1").await;
    let new = qx_store::problems::NewProblem {
        enterprise_id: ent,
        category: qx_core::problem::Category::Land,
        title: "二期用地指标".into(),
        description: "需新增用地30亩".into(),
        contact_name: "王经理".into(),
        contact_phone: String::new(),
        source: qx_core::problem::Channel::Web,
        submitted_on: qx_core::time::today(),
    };
    app.store
        .submit_problem(&qy1, &new, vec![])
        .await
        .unwrap()
        .0
}

async fn post(
    app: &TestApp,
    c: &reqwest::Client,
    id: i64,
    path: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let token = csrf(c, &app.url(&format!("/problems/{id}"))).await;
    let mut form: Vec<(&str, &str)> = vec![("_csrf", token.as_str())];
    form.extend_from_slice(fields);
    c.post(app.url(&format!("/problems/{id}/{path}")))
        .form(&form)
        .send()
        .await
        .unwrap()
}

async fn page(c: &reqwest::Client, url: String) -> String {
    c.get(url).send().await.unwrap().text().await.unwrap()
}

#[tokio::test]
async fn an_enterprise_withdraws_a_problem_before_it_is_accepted() {
    let app = spawn_app().await;
    let id = filed(&app).await;
    let qy1 = app.login("qy1").await;
    let before = page(&qy1, app.url(&format!("/problems/{id}"))).await;
    assert!(before.contains("撤回") && before.contains("data-confirm"));

    let resp = post(
        &app,
        &qy1,
        id,
        "step",
        &[("action", "withdraw"), ("reason", "已自行解决")],
    )
    .await;
    assert_eq!(resp.status(), 303);
    let after = page(&qy1, app.url(&format!("/problems/{id}"))).await;
    assert!(after.contains("企业已撤回") && after.contains("已自行解决"));

    // The office's 待受理 notice now says there is nothing to accept.
    let office = app.actor("admin").await;
    let notices = app
        .store
        .inbox(
            &office,
            qx_store::notices::InboxQuery {
                unread: false,
                before: None,
                limit: 50,
            },
        )
        .await
        .unwrap();
    assert!(
        notices
            .iter()
            .any(|n| n.message.contains(&format!("#{id}")) && n.message.contains("撤回")),
        "{notices:?}"
    );
    // Nothing more can be done to it, and it is not counted as unanswered.
    let admin = app.login("admin").await;
    let resp = post(&app, &admin, id, "step", &[("action", "accept")]).await;
    assert_eq!(resp.status(), 400);
    assert!(resp.text().await.unwrap().contains("不能执行「受理」"));
    let rates = app
        .store
        .problem_rates(
            &Actor::system(),
            &Default::default(),
            qx_core::time::today() + time::Duration::days(60),
        )
        .await
        .unwrap();
    assert_eq!(rates.counts.overdue_unanswered, 0);
    assert_eq!(rates.counts.closed, 0);
}

#[tokio::test]
async fn after_acceptance_withdrawing_is_refused_on_the_page() {
    let app = spawn_app().await;
    let id = filed(&app).await;
    let admin = app.login("admin").await;
    assert_eq!(
        post(&app, &admin, id, "step", &[("action", "accept")])
            .await
            .status(),
        303
    );
    let qy1 = app.login("qy1").await;
    let resp = post(
        &app,
        &qy1,
        id,
        "step",
        &[("action", "withdraw"), ("reason", "不需要了")],
    )
    .await;
    assert_eq!(resp.status(), 400);
    let body = resp.text().await.unwrap();
    assert!(
        body.contains("不能执行「撤回」") && body.contains("<h1>#"),
        "{body}"
    );
}

#[tokio::test]
async fn internal_notes_are_never_shown_to_the_enterprise() {
    let app = spawn_app().await;
    let id = filed(&app).await;
    let admin = app.login("admin").await;
    let resp = post(
        &app,
        &admin,
        id,
        "notes",
        &[("note", "该企业欠缴土地出让金, 暂缓")],
    )
    .await;
    assert_eq!(resp.status(), 303);
    let office_page = page(&admin, app.url(&format!("/problems/{id}"))).await;
    assert!(office_page.contains("该企业欠缴土地出让金") && office_page.contains("内部备注"));

    let qy1 = app.login("qy1").await;
    let ent_page = page(&qy1, app.url(&format!("/problems/{id}"))).await;
    assert!(!ent_page.contains("欠缴土地出让金") && !ent_page.contains("内部备注"));
    let api = page(&qy1, app.url(&format!("/api/v1/problems/{id}"))).await;
    assert!(api.contains("二期用地指标"), "{api}");
    assert!(!api.contains("欠缴土地出让金") && !api.contains("internal_note"));
    // The enterprise cannot write one either; an empty note is shown on its form.
    assert_eq!(
        post(&app, &qy1, id, "notes", &[("note", "x")])
            .await
            .status(),
        403
    );
    let resp = post(&app, &admin, id, "notes", &[("note", "  ")]).await;
    assert_eq!(resp.status(), 400);
    assert!(
        resp.text()
            .await
            .unwrap()
            .contains(r#"<span class="field-error">内部备注: 不能为空</span>"#)
    );
}

#[tokio::test]
async fn the_timeline_names_people_and_steps_in_chinese() {
    let app = spawn_app().await;
    let id = filed(&app).await;
    let admin = app.login("admin").await;
    post(
        &app,
        &admin,
        id,
        "step",
        &[("action", "accept"), ("note", "收到")],
    )
    .await;
    let body = page(&admin, app.url(&format!("/problems/{id}"))).await;
    let timeline = &body[body.find("办理过程").unwrap()..];
    for shown in ["王经理", "admin-name", "提交难题", "受理"] {
        assert!(timeline.contains(shown), "{shown} in {timeline}");
    }
    for hidden in [">qy1<", ">submit<", ">accept<", ">submitted<", ">accepted<"] {
        assert!(!timeline.contains(hidden), "{hidden} in {timeline}");
    }
}

#[tokio::test]
async fn a_letter_in_the_extension_days_is_shown_beside_the_field_with_the_reason_kept() {
    let app = spawn_app().await;
    let id = filed(&app).await;
    let admin = app.login("admin").await;
    post(&app, &admin, id, "step", &[("action", "accept")]).await;
    let sp = app.units["石浦镇"].to_string();
    let resp = post(
        &app,
        &admin,
        id,
        "step",
        &[
            ("action", "assign"),
            ("tier", "town"),
            ("lead_unit_id", &sp),
        ],
    )
    .await;
    assert_eq!(resp.status(), 303);
    let sp1 = app.login("sp1").await;
    let resp = post(
        &app,
        &sp1,
        id,
        "step",
        &[
            ("action", "request_extension"),
            ("days", "五"),
            ("reason", "需等国土部门批复"),
        ],
    )
    .await;
    assert_eq!(resp.status(), 400);
    let body = resp.text().await.unwrap();
    assert!(
        body.contains(
            r#"<span class="field-error">延期天数(工作日): &#34;五&#34; 不是有效的数字</span>"#
        ),
        "{body}"
    );
    assert!(body.contains(r#"value="需等国土部门批复""#) && body.contains(r#"value="五""#));
    // A number out of range is the store's message, beside the same field.
    let resp = post(
        &app,
        &sp1,
        id,
        "step",
        &[
            ("action", "request_extension"),
            ("days", "99"),
            ("reason", "等批复"),
        ],
    )
    .await;
    assert_eq!(resp.status(), 400);
    let body = resp.text().await.unwrap();
    assert!(
        body.contains(r#"<span class="field-error">延期天数: 应为1到20个工作日, 实际为 99</span>"#),
        "{body}"
    );
}

/// The office's new-problem form sent with `fields`.
async fn file_problem(
    app: &TestApp,
    c: &reqwest::Client,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let token = csrf(c, &app.url("/problems/new")).await;
    let url = app.url(&format!("/problems?_csrf={token}"));
    crate::common::post_multipart(c, url, fields, None).await
}

async fn file_on_behalf(app: &TestApp, c: &reqwest::Client, enterprise: &str) -> reqwest::Response {
    let fields = [
        ("enterprise", enterprise),
        ("source", "visit"),
        ("category", "finance"),
        ("title", "流动资金贷款续贷"),
        ("description", "银行抽贷, 需协调续贷3000万元"),
        ("contact_name", "李会计"),
    ];
    file_problem(app, c, &fields).await
}

#[tokio::test]
async fn the_office_picks_an_enterprise_by_typing_and_an_unclear_pick_keeps_the_form() {
    let app = spawn_app().await;
    filed(&app).await;
    let mut tx = app.store.begin().await.unwrap();
    insert_enterprise(
        &mut tx,
        &NewEnterprise {
            credit_code: "91330225691361058X".into(),
            name: "象山海天汽配".into(),
            town_id: Some(app.units["石浦镇"]),
            industry_code: None,
            scale: qx_core::scale::Scale::Above,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let admin = app.login("admin").await;
    let form = page(&admin, app.url("/problems/new")).await;
    assert!(form.contains(r#"list="enterprise-list""#));
    assert!(form.contains(r#"<option value="象山海天汽配 (91330225691361058X)">"#));
    assert!(!form.contains(r#"<select name="enterprise_id""#));

    // "海天" is two enterprises: the form comes back with both named and everything kept.
    let resp = file_on_behalf(&app, &admin, "海天").await;
    assert_eq!(resp.status(), 400);
    let body = resp.text().await.unwrap();
    assert!(
        body.contains("有2家企业符合") && body.contains("象山海天船舶 (913302257995213595)"),
        "{body}"
    );
    assert!(body.contains(r#"value="海天""#) && body.contains(r#"value="流动资金贷款续贷""#));
    assert!(body.contains("银行抽贷, 需协调续贷3000万元") && body.contains(r#"value="李会计""#));
    assert!(body.contains(r#"<option value="finance" selected>"#));

    let resp = file_on_behalf(&app, &admin, "不存在的公司").await;
    assert_eq!(resp.status(), 400);
    assert!(resp.text().await.unwrap().contains("没有找到"));

    // A credit code, the picker's own "name (code)", or a unique part of the name all resolve.
    for typed in [
        "91330225691361058x",
        "象山海天汽配 (91330225691361058X)",
        "汽配",
    ] {
        let resp = file_on_behalf(&app, &admin, typed).await;
        assert_eq!(resp.status(), 303, "{typed}");
    }
    let list = page(&admin, app.url("/problems")).await;
    assert!(list.contains("象山海天汽配"));
    // On a phone each problem is a card, each field headed by its column's name.
    assert!(list.contains("<table class=\"stack\">"), "{list}");
    assert!(list.contains("data-label=\"企业\""), "{list}");
}

async fn file_by_channel(app: &TestApp, c: &reqwest::Client, source: &str) -> reqwest::Response {
    let fields = [
        ("enterprise", "象山海天船舶"),
        ("source", source),
        ("category", "labour"),
        ("title", "招工难"),
        ("description", "缺技工50人"),
    ];
    file_problem(app, c, &fields).await
}

#[tokio::test]
async fn the_office_names_how_a_problem_came_in_and_an_unknown_channel_is_refused_beside_it() {
    let app = spawn_app().await;
    filed(&app).await;
    let admin = app.login("admin").await;
    let form = page(&admin, app.url("/problems/new")).await;
    // 来源 offers what the office records, in words; 接口 is the API's own.
    assert!(
        form.contains(r#"<option value="visit" selected>大走访</option>"#),
        "{form}"
    );
    assert!(form.contains(">服务热线</option>") && !form.contains(">接口</option>"));

    let resp = file_by_channel(&app, &admin, "mail").await;
    assert_eq!(resp.status(), 400);
    let body = resp.text().await.unwrap();
    assert!(
        body.contains(r#"<span class="field-error">请选择来源</span>"#),
        "{body}"
    );
    assert!(body.contains(r#"value="招工难""#) && body.contains("缺技工50人"));

    let resp = file_by_channel(&app, &admin, "hotline").await;
    assert_eq!(resp.status(), 303);
    let to = resp.headers()["location"].to_str().unwrap().to_string();
    let detail = page(&admin, app.url(&to)).await;
    assert!(detail.contains("<dd>服务热线</dd>"), "{detail}");
}

#[tokio::test]
async fn support_units_are_a_list_to_tick_that_keeps_the_ticks() {
    let app = spawn_app().await;
    let id = filed(&app).await;
    let admin = app.login("admin").await;
    post(&app, &admin, id, "step", &[("action", "accept")]).await;
    let body = page(&admin, app.url(&format!("/problems/{id}"))).await;
    assert!(
        body.contains("data-picker") && body.contains(r#"type="checkbox" name="support_unit_ids""#)
    );
    let sp = app.units["石浦镇"].to_string();
    let xz = app.units["西周镇"].to_string();
    // The lead unit among the support units is refused; the ticks and the note stay.
    let resp = post(
        &app,
        &admin,
        id,
        "step",
        &[
            ("action", "assign"),
            ("tier", "town"),
            ("lead_unit_id", &sp),
            ("support_unit_ids", &sp),
            ("support_unit_ids", &xz),
            ("note", "请两镇配合"),
        ],
    )
    .await;
    assert_eq!(resp.status(), 400);
    let body = resp.text().await.unwrap();
    assert!(body.contains("协办单位: 不能包含主办单位"), "{body}");
    assert!(
        body.contains(&format!(r#"value="{xz}" checked"#))
            && body.contains(r#"value="请两镇配合""#)
    );
}
