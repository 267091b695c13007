//! 企业难题 in the browser: an enterprise files a problem with an attachment, the office
//! routes it to its town, the town answers, the enterprise rates the answer.

use crate::harness::{Journey, pdf};

/// The step form of `action` on a problem's page (each step is a form of its own).
fn step(action: &str) -> String {
    format!("form[action$='/step']:has(input[name=action][value={action}])")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_enterprise_files_a_problem_that_a_town_answers_and_the_enterprise_rates() {
    let Some(j) = Journey::start().await else {
        return;
    };
    j.login("qy1").await;
    j.goto("/problems/new").await;
    j.sees("提交难题").await;
    let form = "form[action^='/problems?']";
    j.choose(&format!("{form} select[name=category]"), "用地")
        .await;
    j.fill(&format!("{form} input[name=title]"), "二期用地指标")
        .await;
    j.fill(
        &format!("{form} textarea[name=description]"),
        "需新增用地30亩",
    )
    .await;
    j.fill(&format!("{form} input[name=contact_name]"), "王经理")
        .await;
    j.attach(&format!("{form} input[type=file]"), "规划图.pdf", &pdf())
        .await;
    j.press(form, "提交难题").await;
    j.sees("二期用地指标").await;
    j.sees("规划图.pdf").await;
    let problem = j.path().await;
    let problem = problem.split('?').next().unwrap().to_string();
    assert!(
        problem.starts_with("/problems/"),
        "the problem's page: {problem}"
    );
    j.no_console_errors().await;

    // The office accepts it and hands it to 石浦镇.
    j.login("admin").await;
    j.goto("/problems").await;
    j.sees("待受理").await;
    j.goto(&problem).await;
    j.press(&step("accept"), "受理").await;
    j.choose(
        &format!("{} select[name=tier]", step("assign")),
        "镇乡(街道)",
    )
    .await;
    j.choose(
        &format!("{} select[name=lead_unit_id]", step("assign")),
        "石浦镇",
    )
    .await;
    j.click(&format!("{} button", step("assign"))).await;
    j.sees("石浦镇").await;
    j.no_console_errors().await;

    // 石浦镇 takes it on and answers.
    j.login("sp1").await;
    j.goto(&problem).await;
    j.sees("二期用地指标").await;
    j.click(&format!("{} button", step("start"))).await;
    j.fill(
        &format!("{} textarea[name=text]", step("answer")),
        "已协调镇级用地",
    )
    .await;
    j.choose(&format!("{} select[name=resolved]", step("answer")), "是")
        .await;
    j.click(&format!("{} button", step("answer"))).await;
    j.sees("已协调镇级用地").await;
    j.no_console_errors().await;

    // The enterprise reads the answer and rates it.
    j.login("qy1").await;
    j.goto(&problem).await;
    j.sees("已协调镇级用地").await;
    j.choose(
        &format!("{} select[name=satisfaction]", step("rate")),
        "满意",
    )
    .await;
    j.fill(&format!("{} input[name=comment]", step("rate")), "感谢")
        .await;
    j.click(&format!("{} button", step("rate"))).await;
    j.sees("满意").await;
    j.sees("感谢").await;
    j.finish().await;
}
