//! The office issues a 季度通报 in the browser and a unit downloads it.

use crate::harness::Journey;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_office_issues_a_quarterly_bulletin_and_a_unit_downloads_it() {
    let Some(j) = Journey::start().await else {
        return;
    };
    let (_, submission) = j.app.june_submitted().await;
    j.app
        .store
        .review_submission(&j.app.actor("admin").await, submission, true, "")
        .await
        .unwrap();

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
    j.no_console_errors().await;
    j.press("form[action='/bulletins/publish']", "印发").await;
    j.sees("象工强办〔2017〕1号").await;
    j.no_console_errors().await;

    // 西周镇's liaison finds it in the list and downloads the Word file.
    j.login("xz1").await;
    j.goto("/bulletins").await;
    j.sees("象工强办〔2017〕1号").await;
    j.click("a[href^='/bulletins/']").await;
    j.sees("象工强办〔2017〕1号").await;
    j.click("a[href$='/file/docx']").await;
    let (name, bytes) = j.downloaded(|n| n.ends_with(".docx")).await;
    assert!(
        bytes.starts_with(b"PK"),
        "{name} is a Word (zip) file: {} bytes, starting {:?}",
        bytes.len(),
        String::from_utf8_lossy(&bytes[..bytes.len().min(80)])
    );
    assert!(
        name.contains("2017"),
        "the file is named by its period: {name}"
    );
    j.finish().await;
}
