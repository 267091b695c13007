//! A registry import that outlasts the form's wait goes on as a job: the office lands on its
//! progress page, which refreshes itself until the import is done and then leads on to the
//! registry; a bad file's job page ends on the errors, naming row and column.

use crate::harness::Journey;
use qx_core::access::Actor;
use qx_core::codes::CreditCode;

const HEADER: &str = "统一社会信用代码,企业名称,镇乡(街道),行业代码,规模,用地面积(亩),培育标签\n";

fn registry(n: u32) -> String {
    let mut s = String::from(HEADER);
    for i in 0..n {
        let code = CreditCode::complete(&format!("91330225{i:08}0")).unwrap();
        s.push_str(&format!(
            "{},进度测试企业{i},石浦镇,3411,规上,{}.5,\n",
            code.as_str(),
            10 + i % 40
        ));
    }
    s
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_registry_import_shows_its_progress_and_reaches_its_result() {
    // Every import answers through its job page, however small.
    let config = qx_web::Config {
        job_wait_ms: 0,
        ..Default::default()
    };
    let Some(j) = Journey::start_with(config).await else {
        return;
    };
    let before = j
        .app
        .store
        .list_enterprises(&Actor::system())
        .await
        .unwrap()
        .len();
    j.login("admin").await;
    j.goto("/enterprises").await;
    let form = "form[action^='/enterprises/import']:has(input[name=kind][value=registry])";
    j.attach(
        &format!("{form} input[type=file]"),
        "名录.csv",
        registry(300).as_bytes(),
    )
    .await;
    j.press(form, "导入企业名录").await;

    // The job page, or already the registry it leads to when the import was quick.
    let started = std::time::Instant::now();
    let mut saw_job = false;
    loop {
        let path = j.path().await;
        if path.starts_with("/jobs/") {
            saw_job = true;
        }
        if path == "/enterprises?imported=1" {
            break;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(60),
            "the import did not reach its result: {path}\n{}",
            j.text().await
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(saw_job, "the browser went through the job page");
    let after = j
        .app
        .store
        .list_enterprises(&Actor::system())
        .await
        .unwrap()
        .len();
    assert_eq!(after, before + 300);
    j.no_console_errors().await;

    // A bad file: the job page ends on its errors, and stops refreshing.
    let bad = format!("{HEADER}9133022500000099XX,坏代码企业,石浦镇,3411,规上,10,\n");
    j.goto("/enterprises").await;
    j.attach(
        &format!("{form} input[type=file]"),
        "坏名录.csv",
        bad.as_bytes(),
    )
    .await;
    j.press(form, "导入企业名录").await;
    j.sees("已完成").await;
    assert!(j.path().await.starts_with("/jobs/"), "{}", j.path().await);
    j.sees("第2行").await;
    let errors = j.find("[role=alert]").await.text().await.unwrap();
    assert!(errors.contains("统一社会信用代码"), "{errors}");
    let finished_at = j.path().await;
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    assert_eq!(j.path().await, finished_at);
    j.sees("第2行").await;
    j.click("a[href='/enterprises']").await;
    j.sees("进度测试企业0").await;
    j.finish().await;
}
