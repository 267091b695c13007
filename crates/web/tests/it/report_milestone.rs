//! The unit report form asks for a 形象进度 milestone in percent done, not in its target's unit.

use crate::common;
use crate::numbers::report;

#[tokio::test]
async fn the_report_form_asks_for_a_milestone_in_percent() {
    for db in qx_store::testing::all().await.unwrap() {
        let app = common::spawn_app_with(qx_web::Config::default(), db).await;
        let plan = app.publish_seed_plan().await;
        let period = report(&app, plan, 10, &[], false).await;
        let office = app.actor("admin").await;
        let ind = app
            .store
            .plan_indicators(&office, plan)
            .await
            .unwrap()
            .into_iter()
            .find(|i| i.name == "建成县级科技企业孵化器")
            .unwrap();
        let unit = ind.lead_unit_id.unwrap();
        let page = app
            .login("admin")
            .await
            .get(app.url(&format!("/report/{period}?unit={unit}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let input = format!("name=\"v_{}\"", ind.id);
        let at = page
            .find(&input)
            .unwrap_or_else(|| panic!("{input} not in {page}"));
        let cell = &page[at..at + page[at..].find("</td>").unwrap()];
        assert!(cell.contains("> %"), "typed in percent: {cell}");
        assert!(!cell.contains("万平方米"), "{cell}");
        // The target column keeps the target's own unit.
        assert!(page.contains("万平方米"), "{page}");
    }
}
