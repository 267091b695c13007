//! The monthly cycle in the browser: a liaison reports with evidence, the office returns and
//! then approves, a leader watches the light change on the dashboard.

use crate::harness::{Journey, pdf};

const SCALE: &str = "新增规模以上企业";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_liaison_fills_in_the_month_with_evidence_and_submits() {
    let Some(j) = Journey::start().await else {
        return;
    };
    let plan = j.app.publish_seed_plan().await;
    let period = j.app.open_june(plan).await;

    j.login("jxj1").await;
    j.goto("/report").await;
    j.sees("2017-06").await;
    j.sees("未报送").await;
    j.click(&format!("a[href='/report/{period}']")).await;
    j.sees(SCALE).await;
    j.sees("请填写1—N月累计数").await;

    // The figures first, saved as a draft, so the evidence upload's reload cannot lose them.
    let figure = j.field_in_row(SCALE, "v_").await;
    figure.send_keys("15").await.unwrap();
    let note = j.field_in_row(SCALE, "n_").await;
    note.send_keys("1—6月新增15家").await.unwrap();
    j.press(&format!("form[action^='/report/{period}?']"), "暂存")
        .await;
    j.sees("草稿").await;

    j.attach("#file-general", "规上企业名单.pdf", &pdf()).await;
    j.click("button[name=upload][value=general]").await;
    j.sees("规上企业名单.pdf").await;
    let kept = j
        .field_in_row(SCALE, "v_")
        .await
        .prop("value")
        .await
        .unwrap();
    assert_eq!(
        kept.as_deref(),
        Some("15"),
        "the saved figure is still in the form"
    );
    j.no_console_errors().await;

    j.press(&format!("form[action^='/report/{period}?']"), "提交审核")
        .await;
    // What is still empty is listed before the report goes.
    j.sees("以下内容尚未填写").await;
    j.click("#missing button").await;
    j.sees("待审核").await;
    j.goto("/report").await;
    j.sees("待审核").await;
    // The office sees the submission waiting, with its evidence.
    j.login("admin").await;
    j.goto(&format!("/monitor/periods/{period}")).await;
    j.sees("县经信局").await;
    j.sees("待审核").await;
    j.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_office_returns_a_report_with_a_comment_then_approves_the_resubmission() {
    let Some(j) = Journey::start().await else {
        return;
    };
    let (period, _) = j.app.june_submitted().await;
    let review = "form[action^='/monitor/submissions/']";

    j.login("admin").await;
    j.goto(&format!("/monitor/periods/{period}")).await;
    j.sees("待审核").await;
    j.fill(&format!("{review} input[name=comment]"), "请附规上企业名单")
        .await;
    j.press(review, "退回").await;
    j.sees("被退回").await;
    j.no_console_errors().await;

    // The liaison reads why, corrects and sends again.
    j.login("jxj1").await;
    j.goto("/report").await;
    j.sees("请附规上企业名单").await;
    j.click(&format!("a[href='/report/{period}']")).await;
    j.sees("请附规上企业名单").await;
    let figure = j.field_in_row(SCALE, "v_").await;
    figure.clear().await.unwrap();
    figure.send_keys("16").await.unwrap();
    j.press(&format!("form[action^='/report/{period}?']"), "提交审核")
        .await;
    // What is still empty is listed before the report goes.
    j.sees("以下内容尚未填写").await;
    j.click("#missing button").await;
    j.sees("待审核").await;
    j.no_console_errors().await;

    j.login("admin").await;
    j.goto(&format!("/monitor/periods/{period}")).await;
    j.sees("待审核").await;
    j.press(review, "审核通过").await;
    j.sees("已审核").await;
    j.goto("/monitor?period=2017-06").await;
    j.sees("16").await;
    j.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_leader_sees_the_light_change_on_the_dashboard() {
    let Some(j) = Journey::start().await else {
        return;
    };
    let (_, submission) = j.app.june_submitted().await;

    j.login("leader").await;
    j.goto("/monitor?period=2017-06").await;
    j.sees("36项主要指标中, 0项达到序时进度").await;
    let before = j.row_class(SCALE).await;
    assert!(!before.contains("green"), "not yet approved: {before}");

    // The office approves; the leader's next look shows the figure and a green light.
    j.app
        .store
        .review_submission(&j.app.actor("admin").await, submission, true, "")
        .await
        .unwrap();
    j.client.refresh().await.unwrap();
    j.sees("36项主要指标中, 1项达到序时进度").await;
    let after = j.row_class(SCALE).await;
    assert!(
        after.contains("green"),
        "approved 15 of 30 by June: {after}"
    );
    j.sees("50.0%").await;
    j.finish().await;
}
