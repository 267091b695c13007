//! 本月无数据 on 月度报送 in the browser: a liaison ticks it for one indicator, forgets the
//! reason and is told beside the field with everything typed kept, gives it, and submits
//! without being asked to confirm missing items.

use crate::harness::Journey;
use qx_core::access::Actor;
use qx_core::state::SubmissionStatus;

const SCALE: &str = "新增规模以上企业";
const REASON: &str = "统计口径调整，数据待统计局反馈";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_liaison_marks_no_figure_gives_the_reason_and_submits() {
    let Some(j) = Journey::start().await else {
        return;
    };
    let plan = j.app.publish_seed_plan().await;
    let period = j.app.open_june(plan).await;
    let jxj = j.app.units["县经信局"];
    let sys = Actor::system();
    let indicators = j.app.store.unit_indicators(&sys, plan, jxj).await.unwrap();
    let marked = indicators.iter().find(|i| i.name == SCALE).unwrap().id;
    let tasks = j.app.store.unit_tasks(&sys, plan, jxj).await.unwrap();

    j.login("jxj1").await;
    j.goto(&format!("/report/{period}")).await;
    j.sees(SCALE).await;
    // Every other figure and every task's progress filled in; 本月无数据 ticked, no reason.
    for i in indicators.iter().filter(|i| i.id != marked) {
        j.fill(&format!("#v_{}", i.id), "12").await;
    }
    for (t, _) in &tasks {
        j.fill(&format!("textarea[name=p_{}]", t.id), "按计划推进")
            .await;
    }
    j.click(&format!("#x_{marked}")).await;
    let submit = "form#report button[name=action][value=submit]";
    j.click(submit).await;

    // The form again: the message beside the reason, the tick and the figures kept.
    j.sees("请填写本月无数据的原因").await;
    let beside = j.find(&format!("#re_{marked}")).await.text().await.unwrap();
    assert_eq!(beside, "请填写本月无数据的原因");
    assert!(
        j.find(&format!("#x_{marked}"))
            .await
            .prop("checked")
            .await
            .unwrap()
            .as_deref()
            == Some("true"),
        "the tick is kept"
    );
    let other = indicators.iter().find(|i| i.id != marked).unwrap().id;
    let kept = j
        .find(&format!("#v_{other}"))
        .await
        .prop("value")
        .await
        .unwrap();
    assert_eq!(kept.as_deref(), Some("12"), "the other figures are kept");
    assert!(
        j.app
            .store
            .latest_submission(&sys, period, jxj)
            .await
            .unwrap()
            .is_none(),
        "nothing handed in"
    );
    j.no_console_errors_but_a_refused_form().await;

    // The reason given: submitted at once, no list of missing items to confirm.
    j.fill(&format!("#r_{marked}"), REASON).await;
    j.click(submit).await;
    j.sees("已提交审核").await;
    assert!(!j.text().await.contains("以下内容尚未填写"));
    let s = j
        .app
        .store
        .latest_submission(&sys, period, jxj)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(s.status, SubmissionStatus::Submitted);
    let marks = j
        .app
        .store
        .submission_no_figures(&j.app.actor("jxj1").await, s.id)
        .await
        .unwrap();
    assert_eq!(marks.len(), 1);
    assert_eq!(
        (marks[0].indicator_id, marks[0].reason.as_str()),
        (marked, REASON)
    );
    // The page shows the mark as sent.
    j.sees(&format!("本月无数据：{REASON}")).await;
    j.no_console_errors().await;
    j.finish().await;
}
