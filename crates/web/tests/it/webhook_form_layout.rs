//! 设置 → 消息推送 → 新增: the 启用 checkbox sits on one line with its label (a `check` label,
//! laid out as a row), not above it as the column layout of the form's other fields put it.

use crate::common::spawn_app;

#[tokio::test]
async fn the_enabled_checkbox_shares_a_line_with_its_label() {
    let app = spawn_app().await;
    let office = app.login("admin").await;
    let page = office
        .get(app.url("/settings/webhooks/new"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let checkbox = page
        .find("name=\"enabled\"")
        .unwrap_or_else(|| panic!("no 启用 checkbox: {page}"));
    let label = page[..checkbox]
        .rfind("<label")
        .expect("the checkbox is inside a label");
    assert!(
        page[label..checkbox].starts_with("<label class=\"check\">"),
        "the 启用 label is laid out as a row: {}",
        &page[label..checkbox + 20]
    );
    let css = app
        .login("admin")
        .await
        .get(app.url("/assets/style.css"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(css.contains("label.check { flex-direction: row;"), "{css}");
}
