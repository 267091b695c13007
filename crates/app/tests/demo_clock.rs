//! The demo clock reaches the importers: a plan whose document names no year is filed under
//! this year as `qx_core::time` tells it. A binary of its own, not a module of `it`, because the
//! clock is set once per process and would move every other test's day with it.

use qx_core::access::Actor;
use qx_core::time::Date;
use qx_store::testing;

#[tokio::test]
async fn a_plan_without_a_year_is_filed_under_the_demo_clocks_year() {
    let day = Date::from_calendar_date(2013, time::Month::May, 6).unwrap();
    qx_core::time::set_today(day).unwrap();
    let undated = qx_demo::plan::SEED_PLAN.replace("2017", "");
    for db in testing::all().await.unwrap() {
        let s = &db.store;
        qx_demo::registry::seed_registry(s).await.unwrap();
        let office = Actor::system();
        let imported =
            qx_app::plan_import::import_document(s, &office, undated.as_bytes(), "plan.txt")
                .await
                .unwrap();
        let plan = s.get_plan(&office, imported.plan_id).await.unwrap();
        assert_eq!(plan.year, 2013, "{}", db.name);
        db.discard().await.unwrap();
    }
}
