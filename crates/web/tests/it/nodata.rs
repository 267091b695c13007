//! 本月无数据 on 月度报送, and the monitor pages' 导出/打印 buttons.

use crate::common::spawn_app;

#[tokio::test]
async fn the_dashboard_and_the_period_page_offer_export_and_print() {
    let app = spawn_app().await;
    let plan = app.publish_seed_plan().await;
    let admin = app.login("admin").await;
    let html = admin
        .get(app.url(&format!("/monitor?plan={plan}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let export = format!("href=\"/export/dashboard?plan={plan}&amp;period=");
    assert!(html.contains(&export), "导出 of the dashboard: {html}");
    assert!(
        html.contains("&amp;print=1\">打印</a>"),
        "打印 of the dashboard"
    );

    let june = qx_core::period::Period::new_month(2017, 6).unwrap();
    let period = app
        .store
        .open_period(&app.actor("admin").await, plan, &june, "2017-07-07")
        .await
        .unwrap();
    let html = admin
        .get(app.url(&format!("/monitor/periods/{period}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains(&format!(
            "href=\"/export/unreported?period_id={period}\">导出未报送名单</a>"
        )),
        "导出 of the 未报送名单: {html}"
    );
    assert!(html.contains(&format!(
        "href=\"/export/unreported?period_id={period}&amp;print=1\">打印未报送名单</a>"
    )));
    // The links lead somewhere the reader may go.
    for path in [
        format!("/export/unreported?period_id={period}&print=1"),
        format!("/export/dashboard?plan={plan}&print=1"),
    ] {
        let status = admin.get(app.url(&path)).send().await.unwrap().status();
        assert_eq!(status, 200, "{path}");
    }
}

#[tokio::test]
async fn wide_tables_scroll_inside_their_card() {
    let app = spawn_app().await;
    let css = reqwest::get(app.url("/assets/style.css"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        css.contains(".table-scroll { max-width: 100%; overflow-x: auto;"),
        "the .table-scroll rule the report tables use"
    );
}

/// A status tag without a colour class (公示中, 已停用, a cultivation entry's 在库) is white text:
/// the base rule must give it a background of its own, or it is invisible on the page.
#[tokio::test]
async fn a_tag_without_a_colour_class_is_still_readable() {
    let app = spawn_app().await;
    let css = reqwest::get(app.url("/assets/style.css"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let base = css
        .lines()
        .find(|l| l.starts_with(".tag {") && l.contains("color: #fff"))
        .expect("the base .tag rule");
    assert!(base.contains("background:"), "{base}");
}
