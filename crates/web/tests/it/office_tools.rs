//! The office's own pages: the audit log in the reader's language with people by name.

use crate::common::spawn_app;

#[tokio::test]
async fn the_audit_log_names_actions_and_people_in_chinese() {
    let app = spawn_app().await;
    let _ = app.login("jxj1").await;
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
        table.contains("<td>系统</td>"),
        "the system by name: {table}"
    );
    for code in [
        "login.success",
        "user.create",
        ">jxj1<",
        ">system<",
        ">user ",
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
