//! 考核评价 as a use case on the demo county: a quarterly run under the default schemes ranks
//! exactly as the 季度通报 the demo issued (one rule, one place), and every item keeps the
//! records behind it.

use qx_app::assessment;
use qx_app::bulletin;
use qx_core::assessment::{Cadence, ObjectionStatus, RunStatus, Source};
use qx_core::bulletin::BulletinKind;
use qx_core::period::Period;
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
        .find_bulletin(&office, plan, BulletinKind::Quarterly, "2017Q2")
        .await
        .unwrap()
        .unwrap();
    let snap = bulletin::published_snapshot(s, &office, issued.id)
        .await
        .unwrap();

    let q2 = assessment::parse_run_period("2017Q2").unwrap();
    let run = assessment::run(s, &office, plan, q2).await.unwrap();
    let ranking = s.assessment_ranking(&office, run).await.unwrap();
    let schemes: Vec<_> = assessment::schemes_of(s, 2017, Cadence::Quarterly)
        .await
        .unwrap()
        .into_iter()
        .map(|(v, _)| v)
        .collect();
    assert_eq!(
        schemes.iter().map(|v| v.version).collect::<Vec<_>>(),
        [1, 1],
        "the bulletin's two quarterly schemes, saved as version 1"
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

/// The demo's 考核评价: Q1–Q3 final and placed exactly as the issued 通报, and the annual run in
/// 公示 with two answered objections, one upheld with its points before and after. A final
/// quarter's run is what the bulletin ranks by: an adjustment made before 终审 shows in it.
#[tokio::test]
async fn the_demo_quarters_match_the_bulletins_and_the_year_is_in_publicity() {
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
    let runs = s.assessment_runs(&office).await.unwrap();
    for q in ["2017Q1", "2017Q2", "2017Q3"] {
        let run = runs.iter().find(|r| r.period == q).unwrap();
        assert_eq!(run.status, RunStatus::Final, "{q}");
        let issued = s
            .find_bulletin(&office, plan, BulletinKind::Quarterly, q)
            .await
            .unwrap()
            .unwrap();
        let snap = bulletin::published_snapshot(s, &office, issued.id)
            .await
            .unwrap();
        let ranking = s.assessment_ranking(&office, run.id).await.unwrap();
        let ours: std::collections::HashMap<i64, (i64, f64, Option<i64>)> = ranking
            .iter()
            .filter_map(|r| {
                Some((
                    r.unit_id,
                    (r.place?, (r.score? * 10.0).round() / 10.0, r.change()),
                ))
            })
            .collect();
        for row in snap.towns.iter().chain(&snap.departments) {
            assert_eq!(
                ours.get(&row.unit_id).copied(),
                Some((i64::from(row.rank), row.score, row.change.map(i64::from))),
                "{q} {}",
                row.unit
            );
        }
    }

    let year = runs.iter().find(|r| r.period == "2017").unwrap();
    assert_eq!(year.status, RunStatus::Publicity);
    assert_eq!(year.publicity_until.as_deref(), Some("2017-12-12"));
    let objections = s.assessment_objections(&office, year.id).await.unwrap();
    let states: Vec<(String, ObjectionStatus, bool)> = objections
        .iter()
        .map(|o| {
            (
                o.unit_name.clone(),
                o.status,
                o.points_after
                    .zip(o.points_before)
                    .is_some_and(|(a, b)| a > b),
            )
        })
        .collect();
    assert_eq!(
        states,
        [
            ("石浦镇".to_string(), ObjectionStatus::Accepted, true),
            ("县经信局".to_string(), ObjectionStatus::Rejected, false),
        ]
    );
    // Four annual schemes, one per class; 县经信局 is scored as a 涉企部门.
    let annual = assessment::schemes_of(s, 2017, Cadence::Annual)
        .await
        .unwrap();
    assert_eq!(annual.len(), 4);
    let ranking = s.assessment_ranking(&office, year.id).await.unwrap();
    let jxj = ranking.iter().find(|r| r.unit_name == "县经信局").unwrap();
    let scheme = &annual
        .iter()
        .find(|(v, _)| v.id == jxj.scheme_id)
        .unwrap()
        .1;
    assert!(scheme.name.contains("涉企部门"), "{}", scheme.name);

    // The bulletin of a final quarter ranks as the run says: the office re-scores 2017Q3,
    // adjusts the last town up to the top before 终审, and the preview follows the run.
    let q3 = assessment::parse_run_period("2017Q3").unwrap();
    let run = assessment::run(s, &office, plan, q3).await.unwrap();
    let town_scheme = s.assessment_schemes(2017).await.unwrap()[0].id;
    let towns: Vec<_> = s
        .assessment_ranking(&office, run)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.scheme_id == town_scheme)
        .collect();
    let last = towns.last().unwrap();
    for key in ["indicators", "tasks", "punctuality"] {
        let (_, _, items) = s
            .assessment_breakdown(&office, run, last.unit_id)
            .await
            .unwrap();
        if let Some(i) = items
            .iter()
            .find(|i| i.item_key == key && i.applicable == 1)
        {
            s.adjust_assessment_item(&office, run, last.unit_id, key, i.weight, "复核")
                .await
                .unwrap();
        }
    }
    let preview = |p: Period| {
        bulletin::build_snapshot(
            s,
            &office,
            plan,
            bulletin::report::BulletinKind::Quarterly,
            p,
            "2017-10-13",
            None,
        )
    };
    let p = Period::new_quarter(2017, 3).unwrap();
    let row = |snap: &qx_app::bulletin::report::Snapshot| {
        snap.towns
            .iter()
            .find(|r| r.unit_id == last.unit_id)
            .map(|r| (r.rank, r.score))
    };
    let before = preview(p).await.unwrap();
    assert_ne!(
        row(&before).map(|r| r.1),
        Some(100.0),
        "the earlier final run still rules"
    );
    s.finalise_assessment_run(&office, run).await.unwrap();
    let stored = s
        .assessment_ranking(&office, run)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.unit_id == last.unit_id)
        .unwrap();
    assert_eq!(stored.score, Some(100.0));
    let after = preview(p).await.unwrap();
    assert_eq!(
        row(&after),
        Some((u32::try_from(stored.place.unwrap()).unwrap(), 100.0)),
        "the adjusted final run ranks the bulletin"
    );
    assert_eq!(after.towns.len(), before.towns.len());
}
