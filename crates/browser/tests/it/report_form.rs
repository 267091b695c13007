//! 月度报送 never loses a figure: the evidence upload keeps (and saves) what was typed, leaving
//! with unsaved edits warns, and submitting asks first.

use crate::harness::{Journey, pdf};
use qx_core::state::SubmissionStatus;

const SCALE: &str = "新增规模以上企业";

/// The seed plan published, June 2017 open and 县经信局's liaison (jxj1) on its report form, in
/// a window `width` wide; the period's id.
async fn on_the_june_form(j: &Journey, width: u32) -> i64 {
    let plan = j.app.publish_seed_plan().await;
    let period = j.app.open_june(plan).await;
    j.login("jxj1").await;
    j.client.set_window_size(width, 844).await.unwrap();
    j.goto(&format!("/report/{period}")).await;
    j.sees(SCALE).await;
    period
}

/// Waits until the browser shows the home page.
async fn left_for_home(j: &Journey) {
    let started = std::time::Instant::now();
    while j.path().await != "/" {
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploading_evidence_keeps_and_saves_every_typed_figure_and_progress() {
    let Some(j) = Journey::start().await else {
        return;
    };
    let plan = j.app.publish_seed_plan().await;
    let period = j.app.open_june(plan).await;
    let jxj = j.app.units["县经信局"];
    let (task, _) = j
        .app
        .store
        .unit_tasks(&qx_core::access::Actor::system(), plan, jxj)
        .await
        .unwrap()[0]
        .clone();

    j.login("jxj1").await;
    j.goto(&format!("/report/{period}")).await;
    j.sees(SCALE).await;
    // Typed, not saved: a figure, its note and a task's progress.
    j.field_in_row(SCALE, "v_")
        .await
        .send_keys("15")
        .await
        .unwrap();
    j.field_in_row(SCALE, "n_")
        .await
        .send_keys("1—6月新增15家")
        .await
        .unwrap();
    let progress = format!("textarea[name=p_{}]", task.id);
    j.fill(&progress, "已完成现场核查").await;

    // Leaving now would warn.
    j.watch_leaving().await;
    j.find("header nav a[href='/']")
        .await
        .click()
        .await
        .unwrap();
    left_for_home(&j).await;
    assert!(j.leaving_asked().await, "leaving typed figures warns first");

    // Again, and this time the evidence is uploaded straight away.
    j.goto(&format!("/report/{period}")).await;
    j.field_in_row(SCALE, "v_")
        .await
        .send_keys("15")
        .await
        .unwrap();
    j.fill(&progress, "已完成现场核查").await;
    let block = format!("#task-{}", task.id);
    j.attach(&format!("{block} input[type=file]"), "现场核查.pdf", &pdf())
        .await;
    j.watch_leaving().await;
    j.find(&format!("{block} button[name=upload]"))
        .await
        .click()
        .await
        .unwrap();
    j.sees("现场核查.pdf").await;
    assert!(
        !j.leaving_asked().await,
        "uploading is not leaving the form"
    );
    let figure = j
        .field_in_row(SCALE, "v_")
        .await
        .prop("value")
        .await
        .unwrap();
    assert_eq!(figure.as_deref(), Some("15"), "the figure is still there");
    let typed = j.find(&progress).await.prop("value").await.unwrap();
    assert_eq!(
        typed.as_deref(),
        Some("已完成现场核查"),
        "so is the progress"
    );

    // And saved: the draft holds them.
    let unit = j.app.actor("jxj1").await;
    let s = j
        .app
        .store
        .latest_submission(&qx_core::access::Actor::system(), period, jxj)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(s.status, SubmissionStatus::Draft);
    let (values, tasks) = j.app.store.submission_values(&unit, s.id).await.unwrap();
    assert!(values.iter().any(|v| v.value == "15"));
    assert!(
        tasks
            .iter()
            .any(|t| t.task_id == task.id && t.progress == "已完成现场核查")
    );
    j.no_console_errors().await;

    // Submitting asks first; declining leaves the draft.
    let submit = "form#report button[name=action][value=submit]";
    j.find(submit).await.click().await.unwrap();
    assert!(j.dialog().await.contains("确认提交"));
    j.client.dismiss_alert().await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let still = j
        .app
        .store
        .latest_submission(&qx_core::access::Actor::system(), period, jxj)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(still.status, SubmissionStatus::Draft);
    // Accepted: what is still empty is listed, and 确认提交 sends it.
    j.find(submit).await.click().await.unwrap();
    j.dialog().await;
    j.client.accept_alert().await.unwrap();
    j.sees("以下内容尚未填写").await;
    j.click("#missing button").await;
    j.sees("已提交审核").await;
    let sent = j
        .app
        .store
        .latest_submission(&qx_core::access::Actor::system(), period, jxj)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(sent.status, SubmissionStatus::Submitted);
    j.finish().await;
}

/// On a phone each indicator of the form is a card that fits the screen: its figure's box is
/// in view without scrolling sideways.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_phone_every_figure_box_is_in_view() {
    let Some(j) = Journey::start().await else {
        return;
    };
    on_the_june_form(&j, 390).await;
    let outside = j
        .client
        .execute(
            "var w = document.documentElement.clientWidth; \
             return Array.from(document.querySelectorAll('table.report-values input[name^=v_], table.report-values input[name^=n_]')) \
               .map(function (e) { return [e.name, Math.round(e.getBoundingClientRect().right)]; }) \
               .filter(function (p) { return p[1] > w + 1; });",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        outside.as_array().map(Vec::len),
        Some(0),
        "boxes past the screen's right edge at 390 px: {outside}"
    );
    j.field_in_row(SCALE, "v_")
        .await
        .send_keys("15")
        .await
        .unwrap();
    j.no_console_errors().await;
    j.finish().await;
}

/// A scan over the evidence limit is named beside its box as soon as it is chosen and the choice
/// is cleared, so it is never uploaded only to be refused; the figures typed are saved as usual.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_over_the_limit_is_named_when_chosen_and_never_sent() {
    let Some(j) = Journey::start().await else {
        return;
    };
    let period = on_the_june_form(&j, 1366).await;
    j.field_in_row(SCALE, "v_")
        .await
        .send_keys("15")
        .await
        .unwrap();
    let mut big = pdf();
    big.resize(qx_store::monitoring::MAX_REPORT_ATTACHMENT_BYTES + 1, b' ');
    j.attach("#file-general", "扫描件.pdf", &big).await;
    j.sees("扫描件.pdf: 大小超过 20 MB 上限, 请压缩或拆分后重新选择")
        .await;
    let chosen = j
        .client
        .execute(
            "return document.getElementById('file-general').files.length;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(chosen.as_i64(), Some(0), "the choice is cleared");
    // A file within the limit takes its place and the message goes.
    j.attach("#file-general", "名单.pdf", &pdf()).await;
    let notes = j
        .client
        .execute(
            "return document.querySelectorAll('.file-too-large').length;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(notes.as_i64(), Some(0));
    j.find("button[name=upload][value=general]")
        .await
        .click()
        .await
        .unwrap();
    j.sees("名单.pdf").await;
    let jxj = j.app.units["县经信局"];
    let sub = j
        .app
        .store
        .latest_submission(&qx_core::access::Actor::system(), period, jxj)
        .await
        .unwrap()
        .expect("the figures were saved with the upload");
    assert_eq!(sub.status, SubmissionStatus::Draft);
    j.no_console_errors().await;
    j.finish().await;
}
