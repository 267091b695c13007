//! Issuing a bulletin while reports still wait for review asks first: declining issues
//! nothing and leaves the office on the preview; accepting issues it.

use crate::harness::Journey;
use fantoccini::Locator;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn declining_the_confirmation_issues_nothing_and_accepting_issues() {
    let Some(j) = Journey::start().await else {
        return;
    };
    // 县经信局's June report is submitted and not yet reviewed.
    j.app.june_submitted().await;

    j.login("admin").await;
    j.goto("/bulletins").await;
    let form = "form[action='/bulletins/preview']";
    j.choose(&format!("{form} select[name=kind]"), "季度通报")
        .await;
    j.fill(&format!("{form} input[name=period]"), "2017Q2")
        .await;
    j.press(form, "预览").await;
    j.sees("关于2017年第二季度全县工业强县工作推进情况的通报")
        .await;
    let warning = j.find("#pending-warning").await.text().await.unwrap();
    assert!(!warning.trim().is_empty());
    let preview = j.path().await;

    // 仍然印发 → the browser asks; the office chooses 取消.
    let publish = "form[action='/bulletins/publish'] button";
    j.find(publish).await.click().await.unwrap();
    let asked = j.client.get_alert_text().await.unwrap();
    assert_eq!(asked.trim(), warning.trim(), "the dialog says what waits");
    j.client.dismiss_alert().await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(j.path().await, preview, "still on the preview");
    assert!(
        !j.text().await.contains("象工强办〔2017〕1号"),
        "nothing was issued"
    );
    assert_eq!(j.app.store.count_bulletins_of_year(2017).await.unwrap(), 0);
    j.goto("/bulletins").await;
    assert!(!j.text().await.contains("象工强办〔2017〕1号"));
    j.no_console_errors().await;

    // Again, and this time 确定: it is issued.
    j.goto(&preview).await;
    j.sees("关于2017年第二季度全县工业强县工作推进情况的通报")
        .await;
    j.find(publish).await.click().await.unwrap();
    assert!(j.client.get_alert_text().await.is_ok(), "asked again");
    j.client.accept_alert().await.unwrap();
    j.sees("象工强办〔2017〕1号").await;
    assert_eq!(j.app.store.count_bulletins_of_year(2017).await.unwrap(), 1);
    assert!(
        j.client
            .find(Locator::Css("#pending-warning"))
            .await
            .is_err(),
        "the issued bulletin no longer offers to issue"
    );
    j.finish().await;
}
