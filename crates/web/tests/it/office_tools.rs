//! The office's own pages: the audit log in the reader's language with people by name.

use crate::common::{csrf, get_status, post_form, spawn_app, spawn_app_with};

#[tokio::test]
async fn the_audit_log_names_actions_and_people_in_chinese() {
    let app = spawn_app().await;
    let _ = app.login("jxj1").await;
    // A one-off correction over every notice is logged against all of them at once.
    let system = qx_core::access::Actor::system();
    app.store
        .audit(qx_store::AuditEntry::new(
            &system,
            "notice.date_spans",
            "notice",
            qx_core::audit::EVERY_RECORD,
        ))
        .await
        .unwrap();
    // A setting is named, not shown by its key.
    app.store
        .set_yellow_gap_points(&system, 12.0)
        .await
        .unwrap();
    let admin = app.login("admin").await;
    let page = admin
        .get(app.url("/audit"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let table = &page[page.find("<tbody>").expect("the log's rows")..];
    assert!(table.contains("<td>登录</td>"), "{table}");
    assert!(
        table.contains("<td>jxj1-name</td>"),
        "people by name: {table}"
    );
    assert!(table.contains("<td>新建账号</td>"), "{table}");
    assert!(
        table.contains("<td>提醒 全部</td>"),
        "every record, in words: {table}"
    );
    assert!(
        table.contains("<td>系统</td>"),
        "the system by name: {table}"
    );
    assert!(
        table.contains("<td>设置 黄灯阈值(百分点)</td>"),
        "a setting by name: {table}"
    );
    for code in [
        "login.success",
        "user.create",
        ">jxj1<",
        ">system<",
        ">user ",
        " all<",
        "monitor.yellow_gap_points",
    ] {
        assert!(!table.contains(code), "{code} shown raw: {table}");
    }
    // The filter offers the actions by name and keeps the choice.
    let filtered = admin
        .get(app.url("/audit?action=login.success"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(filtered.contains("<option value=\"login.success\" selected>登录</option>"));
    let rows = &filtered[filtered.find("<tbody>").unwrap()..];
    assert!(!rows.contains("新建账号"), "only sign-ins: {rows}");
}

/// The account page's form as the office would send it.
fn account_form<'a>(
    token: &'a str,
    name: &'a str,
    role: &'a str,
    unit: &'a str,
    phone: &'a str,
) -> Vec<(&'static str, &'a str)> {
    vec![
        ("_csrf", token),
        ("display_name", name),
        ("role", role),
        ("unit_id", unit),
        ("enterprise_id", ""),
        ("phone", phone),
    ]
}

#[tokio::test]
async fn the_office_edits_an_account_and_a_new_role_ends_its_sessions() {
    for db in qx_store::testing::all().await.unwrap() {
        edit_an_account(spawn_app_with(qx_web::Config::default(), db).await).await;
    }
}

async fn edit_an_account(app: crate::common::TestApp) {
    let admin = app.login("admin").await;
    let jxj = app.login("jxj1").await;
    let id = app.user_id("jxj1").await;
    let page = format!("/users/{id}");
    let token = csrf(&admin, &app.url(&page)).await;
    let unit = app.units["县经信局"].to_string();

    // A new name and phone: saved, audited, the person stays signed in.
    let resp = post_form(
        &admin,
        app.url(&page),
        &account_form(&token, "陈联络员", "unit", &unit, "0574-65720000"),
    )
    .await;
    assert_eq!(resp.status(), 303);
    let user = app.store.get_user(id).await.unwrap();
    assert_eq!(user.profile.display_name, "陈联络员");
    assert_eq!(user.profile.phone, "0574-65720000");
    assert_eq!(get_status(&jxj, app.url("/")).await, 200, "still signed in");

    // A new role: the account's sessions end.
    let office = app.units["县工业强县办"].to_string();
    let resp = post_form(
        &admin,
        app.url(&page),
        &account_form(&token, "陈联络员", "leader", &office, "0574-65720000"),
    )
    .await;
    assert_eq!(resp.status(), 303);
    let user = app.store.get_user(id).await.unwrap();
    assert_eq!(user.profile.role, qx_core::access::Role::Leader);
    assert_eq!(user.profile.unit_id, Some(app.units["县工业强县办"]));
    assert_eq!(get_status(&jxj, app.url("/")).await, 303, "signed out");
    let log = admin
        .get(app.url(&format!("/audit?entity=user&entity_id={id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(
        log.matches("<td>修改账号</td>").count(),
        2,
        "both changes audited"
    );

    // Only the office may change an account.
    let sp = app.login("sp1").await;
    let t = csrf(&sp, &app.url("/")).await;
    let resp = post_form(
        &sp,
        app.url(&page),
        &account_form(&t, "x", "admin", &office, ""),
    )
    .await;
    assert_eq!(resp.status(), 403);
}

#[tokio::test]
async fn account_form_errors_show_beside_the_field_with_what_was_typed() {
    let app = spawn_app().await;
    let admin = app.login("admin").await;
    let id = app.user_id("sp1").await;
    let page = format!("/users/{id}");
    let token = csrf(&admin, &app.url(&page)).await;
    // An enterprise account without an enterprise.
    let resp = post_form(
        &admin,
        app.url(&page),
        &account_form(&token, "张联络员改", "enterprise", "", "138"),
    )
    .await;
    assert_eq!(resp.status(), 400);
    let html = resp.text().await.unwrap();
    assert!(
        html.contains("<option value=\"\">—</option>")
            && html.contains("<span class=\"field-error\">企业用户须选择所属企业</span>"),
        "the error beside the enterprise field: {html}"
    );
    assert!(
        html.contains("value=\"张联络员改\""),
        "the name typed is kept"
    );
    assert!(html.contains("value=\"138\""), "the phone typed is kept");
    assert_eq!(
        app.store.get_user(id).await.unwrap().profile.display_name,
        "sp1-name",
        "nothing saved"
    );

    // A new account without a name, with a weak password.
    let token = csrf(&admin, &app.url("/users/new")).await;
    let unit = app.units["石浦镇"].to_string();
    let resp = post_form(
        &admin,
        app.url("/users"),
        &[
            ("_csrf", token.as_str()),
            ("username", "zhao1"),
            ("display_name", ""),
            ("role", "unit"),
            ("unit_id", unit.as_str()),
            ("password", "123"),
        ],
    )
    .await;
    assert_eq!(resp.status(), 400);
    let html = resp.text().await.unwrap();
    assert!(
        html.contains("<span class=\"field-error\">请填写姓名</span>"),
        "{html}"
    );
    // The weak password is named beside its box, in Chinese only.
    assert!(
        html.contains("<span class=\"field-error\">密码至少8位</span>"),
        "{html}"
    );
    assert!(!html.contains("at least"), "no English half: {html}");
    assert!(
        html.contains("value=\"zhao1\""),
        "the username typed is kept"
    );
    assert!(
        html.contains("<form method=\"post\" action=\"/users\""),
        "on the form"
    );
    // A username taken: said beside the username, in Chinese only.
    let resp = post_form(
        &admin,
        app.url("/users"),
        &[
            ("_csrf", token.as_str()),
            ("username", "sp1"),
            ("display_name", "重名"),
            ("role", "unit"),
            ("unit_id", unit.as_str()),
            ("password", "Zhao#2017pass!"),
        ],
    )
    .await;
    assert_eq!(resp.status(), 400);
    let html = resp.text().await.unwrap();
    assert!(
        html.contains("value=\"sp1\"")
            && html.contains("<span class=\"field-error\">用户名: 已存在</span>"),
        "{html}"
    );
}

/// A password the office or a person sets that is too weak, or a current password that is
/// wrong, is named beside its box on the page it was typed on, in the reader's language; it
/// was a page of its own (the reset) or a line above the form with its English half (own
/// password).
#[tokio::test]
async fn a_weak_or_wrong_password_is_named_beside_its_box() {
    let app = spawn_app().await;
    let admin = app.login("admin").await;
    let id = app.user_id("sp1").await;
    let page = format!("/users/{id}");
    let token = csrf(&admin, &app.url(&page)).await;
    let before = app.store.get_user(id).await.unwrap().password_hash;
    let resp = post_form(
        &admin,
        app.url(&format!("{page}/password")),
        &[("_csrf", token.as_str()), ("password", "abcdefgh")],
    )
    .await;
    assert_eq!(resp.status(), 400);
    let html = resp.text().await.unwrap();
    assert!(
        html.contains(
            "<span class=\"field-error\">密码须包含大写字母、小写字母、数字、符号中的至少三类</span>"
        ),
        "{html}"
    );
    assert!(!html.contains("upper, lower"), "no English half: {html}");
    assert!(
        html.contains(&format!("action=\"{page}/password\"")),
        "on the account's page, its reset form in view"
    );
    assert_eq!(
        app.store.get_user(id).await.unwrap().password_hash,
        before,
        "nothing saved"
    );

    // One's own password: a wrong current one, then a weak new one, then two that differ.
    let sp = app.login("sp1").await;
    let token = csrf(&sp, &app.url("/account")).await;
    let change = |current: &'static str, new: &'static str, confirm: &'static str| {
        let form = [
            ("_csrf", token.clone()),
            ("current", current.to_string()),
            ("new_password", new.to_string()),
            ("confirm", confirm.to_string()),
        ];
        let (sp, url) = (&sp, app.url("/account"));
        async move { sp.post(url).form(&form).send().await.unwrap() }
    };
    let beside = |html: &str, field: &str, message: &str| {
        let at = html.find(&format!("name=\"{field}\"")).expect(field);
        let end = at + html[at..].find("</label>").unwrap();
        html[at..end].contains(&format!("<span class=\"field-error\">{message}</span>"))
    };
    let resp = change("Wrong#2017pass", "Another#Pass2017", "Another#Pass2017").await;
    assert_eq!(resp.status(), 400);
    let html = resp.text().await.unwrap();
    assert!(beside(&html, "current", "当前密码不正确"), "{html}");
    let resp = change(crate::common::PASSWORD, "short", "short").await;
    assert_eq!(resp.status(), 400);
    let html = resp.text().await.unwrap();
    assert!(beside(&html, "new_password", "密码至少8位"), "{html}");
    assert!(!html.contains("at least"), "no English half: {html}");
    let resp = change(
        crate::common::PASSWORD,
        "Another#Pass2017",
        "Another#Pass2018",
    )
    .await;
    assert_eq!(resp.status(), 400);
    let html = resp.text().await.unwrap();
    assert!(beside(&html, "confirm", "两次输入的新密码不一致"), "{html}");
    assert_eq!(
        app.store.get_user(id).await.unwrap().password_hash,
        before,
        "nothing saved"
    );
}
