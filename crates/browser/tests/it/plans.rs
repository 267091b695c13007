//! The office imports the plan document and publishes it.

use crate::harness::Journey;
use qx_demo::plan::{SEED_PLAN, SEED_PLAN_FILE};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_office_imports_and_publishes_a_plan() {
    let Some(j) = Journey::start().await else {
        return;
    };
    j.login("admin").await;
    j.goto("/plans").await;
    j.sees("导入方案").await;
    let form = "form[action^='/plans/import']";
    j.attach(
        &format!("{form} input[type=file]"),
        SEED_PLAN_FILE,
        SEED_PLAN.as_bytes(),
    )
    .await;
    j.click(&format!("{form} button")).await;

    // The draft to review: the plan's title, its state, its targets with their units.
    j.sees("象山县推进“中国制造2025”试点示范暨工业强县2017年工作推进方案")
        .await;
    j.sees("草稿(待审核)").await;
    j.sees("新增规模以上企业").await;
    let draft = j.path().await;
    assert!(draft.starts_with("/plans/"), "the draft's page: {draft}");
    j.no_console_errors().await;

    j.press("form[action$='/publish']", "发布方案").await;
    j.sees("已发布").await;
    let plans = j
        .app
        .store
        .list_plans(&j.app.actor("admin").await)
        .await
        .unwrap();
    assert_eq!(plans.len(), 1);
    assert!(plans[0].published_at.is_some(), "the plan is published");

    // Publishing made the indicators the dashboard follows.
    j.goto("/monitor").await;
    j.sees("36项主要指标中").await;
    j.finish().await;
}
