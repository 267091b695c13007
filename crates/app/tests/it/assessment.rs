//! 考核评价 as a use case on the demo county: a quarterly run under the default schemes ranks
//! exactly as the 季度通报 the demo issued (one rule, one place), and every item keeps the
//! records behind it.

use qx_app::assessment;
use qx_app::bulletin;
use qx_core::assessment::Source;
use qx_store::testing;

#[tokio::test]
async fn a_quarterly_run_ranks_as_the_issued_bulletin_and_keeps_provenance() {
    let db = testing::sqlite().await.unwrap();
    let s = &db.store;
    qx_demo::seed(
        s,
        &qx_demo::DemoOptions {
            password: Some("Xiangshan#2017".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let plan = s.published_plan(2017).await.unwrap().unwrap().id;
    let office = s
        .find_user_by_username("admin")
        .await
        .unwrap()
        .unwrap()
        .actor();
    let issued = s
        .find_bulletin(&office, plan, "quarterly", "2017Q2")
        .await
        .unwrap()
        .unwrap();
    let snap = bulletin::published_snapshot(s, &office, issued.id)
        .await
        .unwrap();

    let q2 = assessment::parse_run_period("2017Q2").unwrap();
    let run = assessment::run(s, &office, plan, q2).await.unwrap();
    let ranking = s.assessment_ranking(&office, run).await.unwrap();
    let schemes = s.assessment_schemes(2017).await.unwrap();
    assert_eq!(
        schemes.len(),
        2,
        "the bulletin's two schemes, saved as version 1"
    );
    for (scheme, bulletin_rows) in schemes.iter().zip([&snap.towns, &snap.departments]) {
        let ours: Vec<(i64, i64, f64)> = ranking
            .iter()
            .filter(|r| r.scheme_id == scheme.id)
            .filter_map(|r| Some((r.unit_id, r.place?, (r.score? * 10.0).round() / 10.0)))
            .collect();
        let theirs: Vec<(i64, i64, f64)> = bulletin_rows
            .iter()
            .map(|r| (r.unit_id, i64::from(r.rank), r.score))
            .collect();
        assert!(!theirs.is_empty());
        assert_eq!(ours, theirs, "{}", scheme.name);
    }

    // A town's breakdown names the tasks behind its task item.
    let town = &snap.towns[0];
    let (_, result, items) = s
        .assessment_breakdown(&office, run, town.unit_id)
        .await
        .unwrap();
    assert_eq!(result.place, Some(i64::from(town.rank)));
    let tasks = items.iter().find(|i| i.source.0 == Source::Tasks).unwrap();
    assert_eq!(tasks.record_count, i64::from(town.tasks_led));
    assert!(tasks.facts().iter().all(|f| f.record.starts_with("task:")));

    // Months are not assessment periods.
    assert!(assessment::parse_run_period("2017-06").is_err());
}
