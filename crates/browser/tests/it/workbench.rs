//! The office's 工作台 on a phone: every section fits the screen and leads to the work.

use crate::harness::Journey;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_office_workbench_fits_a_phone_and_leads_to_the_report_to_review() {
    let Some(j) = Journey::start().await else {
        return;
    };
    let (period, _) = j.app.june_submitted().await;
    j.login("admin").await;
    j.client.set_window_size(390, 844).await.unwrap();
    j.goto("/").await;
    j.sees("工作台").await;
    j.sees("报送待审核").await;
    j.sees("2017年6月").await;
    // Each section of the 工作台 and each summary tile lies within the phone's width.
    let sticking_out = j
        .client
        .execute(
            "var w = document.documentElement.clientWidth; \
             return Array.from(document.querySelectorAll('.desk section, .desk-summary li')) \
               .filter(function (e) { var r = e.getBoundingClientRect(); return r.left < 0 || r.right > w + 1; }) \
               .map(function (e) { return e.id || e.textContent.trim(); });",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(sticking_out, serde_json::json!([]), "wider than 390 px");
    j.click(&format!("#wb-review a[href='/monitor/periods/{period}']"))
        .await;
    j.sees("县经信局").await;
    assert_eq!(j.path().await, format!("/monitor/periods/{period}"));
    j.no_console_errors().await;
    j.finish().await;
}
