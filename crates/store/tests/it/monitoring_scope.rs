//! Monitoring reads enforce the actor's scope in the store: a unit reads its own unit's
//! reporting (submissions, owed indicators and tasks, its line of a period's progress), never
//! another unit's; the office and leaders read every unit's; an enterprise reads none.

use crate::submissions::{county, figures, person};
use qx_core::access::{Actor, Role};
use qx_store::StoreError;
use qx_store::testing::{self, TestDb};

fn refused<T: std::fmt::Debug>(r: Result<T, StoreError>) -> bool {
    matches!(r, Err(StoreError::NotFound(_) | StoreError::Forbidden(_)))
}

#[tokio::test]
async fn a_unit_reads_only_its_own_reporting() {
    for TestDb { name, store: s, .. } in testing::all().await.unwrap() {
        let c = county(&s).await;
        s.save_submission(&c.a, c.period, c.a_unit, &figures(c.a_indicator, "3"), true)
            .await
            .unwrap();
        // Its own: the indicators and tasks it owes, its latest submission.
        assert_eq!(
            s.unit_indicators(&c.a, c.plan, c.a_unit)
                .await
                .unwrap()
                .len(),
            1
        );
        assert_eq!(s.unit_tasks(&c.a, c.plan, c.a_unit).await.unwrap().len(), 1);
        assert!(
            s.latest_submission(&c.a, c.period, c.a_unit)
                .await
                .unwrap()
                .is_some()
        );
        // Another unit's: refused, whatever the read.
        assert!(
            refused(s.unit_indicators(&c.b, c.plan, c.a_unit).await),
            "{name}"
        );
        assert!(
            refused(s.unit_tasks(&c.b, c.plan, c.a_unit).await),
            "{name}"
        );
        assert!(
            refused(s.latest_submission(&c.b, c.period, c.a_unit).await),
            "{name}"
        );
        // A period's progress: a unit sees its own line only; the office every unit's.
        let mine: Vec<i64> = s
            .period_progress(&c.b, c.period)
            .await
            .unwrap()
            .into_iter()
            .map(|p| p.unit_id)
            .collect();
        assert_eq!(mine, vec![c.b_unit], "{name}");
        let all = s.period_progress(&c.office, c.period).await.unwrap();
        assert_eq!(all.len(), 2, "{name}");
        assert!(
            all.iter()
                .any(|p| p.unit_id == c.a_unit && p.submission.is_some())
        );
        // Co-units' task reports: only for a task the unit is assigned.
        let (a_task, _) = s.unit_tasks(&c.a, c.plan, c.a_unit).await.unwrap()[0].clone();
        assert!(
            s.task_reports_for_period(&c.a, c.period, a_task.id)
                .await
                .is_ok()
        );
        assert!(
            s.task_reports_for_period(&c.office, c.period, a_task.id)
                .await
                .is_ok()
        );
        assert!(
            refused(s.task_reports_for_period(&c.b, c.period, a_task.id).await),
            "{name}"
        );
    }
}

#[tokio::test]
async fn leaders_read_every_unit_and_an_enterprise_reads_no_monitoring() {
    for TestDb { name, store: s, .. } in testing::all().await.unwrap() {
        let c = county(&s).await;
        let leader = person(&s, "leader", Role::Leader, c.office.unit_id).await;
        assert_eq!(
            s.unit_indicators(&leader, c.plan, c.a_unit)
                .await
                .unwrap()
                .len(),
            1
        );
        assert_eq!(s.period_progress(&leader, c.period).await.unwrap().len(), 2);
        assert!(
            s.latest_submission(&leader, c.period, c.b_unit)
                .await
                .is_ok()
        );
        // Periods, who owes, approved figures and baselines are the county side's.
        assert_eq!(s.list_periods(&c.a, c.plan).await.unwrap().len(), 1);
        assert!(s.get_period(&c.a, c.period).await.is_ok());
        assert!(s.approved_values(&c.a, c.plan).await.is_ok());
        let firm = Actor {
            user_id: 0,
            username: "firm".into(),
            role: Role::Enterprise,
            unit_id: None,
            enterprise_id: Some(1),
            ip: String::new(),
        };
        assert!(refused(s.list_periods(&firm, c.plan).await), "{name}");
        assert!(refused(s.get_period(&firm, c.period).await), "{name}");
        assert!(refused(s.period_progress(&firm, c.period).await), "{name}");
        assert!(
            refused(s.period_progress_units(&firm, c.plan).await),
            "{name}"
        );
        assert!(
            refused(s.unit_indicators(&firm, c.plan, c.a_unit).await),
            "{name}"
        );
        assert!(
            refused(s.unit_tasks(&firm, c.plan, c.a_unit).await),
            "{name}"
        );
        assert!(
            refused(s.latest_submission(&firm, c.period, c.a_unit).await),
            "{name}"
        );
        assert!(refused(s.approved_values(&firm, c.plan).await), "{name}");
        assert!(
            refused(s.approved_task_reports(&firm, c.plan).await),
            "{name}"
        );
        assert!(refused(s.baselines(&firm, c.plan).await), "{name}");
        assert!(
            refused(s.task_reports_for_period(&firm, c.period, 1).await),
            "{name}"
        );
    }
}

/// The picture's batched reads (when each unit first sent its reports, how many approved
/// figures each month has) are the county side's, as the approved figures are: every
/// county-side reader gets every unit's, an enterprise is refused.
#[tokio::test]
async fn the_picture_s_batched_reads_are_the_county_side_s() {
    for TestDb { name, store: s, .. } in testing::all().await.unwrap() {
        let c = county(&s).await;
        let id = s
            .save_submission(&c.a, c.period, c.a_unit, &figures(c.a_indicator, "3"), true)
            .await
            .unwrap();
        s.review_submission(&c.office, id, true, "").await.unwrap();
        let leader = person(&s, "leader", Role::Leader, c.office.unit_id).await;
        for reader in [&c.office, &leader, &c.a, &c.b] {
            let sent = s.plan_first_submissions(reader, c.plan).await.unwrap();
            assert_eq!(
                sent.iter().map(|f| f.unit_id).collect::<Vec<_>>(),
                [c.a_unit],
                "{name}: {}",
                reader.username
            );
            let counts = s.approved_counts_by_period(reader, c.plan).await.unwrap();
            assert_eq!(counts.len(), 1, "{name}: {}", reader.username);
            assert_eq!(counts[0].1, 1, "{name}");
        }
        let firm = Actor {
            user_id: 0,
            username: "firm".into(),
            role: Role::Enterprise,
            unit_id: None,
            enterprise_id: Some(1),
            ip: String::new(),
        };
        assert!(
            refused(s.plan_first_submissions(&firm, c.plan).await),
            "{name}"
        );
        assert!(
            refused(s.approved_counts_by_period(&firm, c.plan).await),
            "{name}"
        );
    }
}

/// A report's sendings name their sender, read in the sendings' own scope: a unit sees who sent
/// each of its reports (the office too, when it sent one for the unit) without reading users.
#[tokio::test]
async fn a_sending_names_its_sender_in_the_sendings_scope() {
    for TestDb { name, store: s, .. } in testing::all().await.unwrap() {
        let c = county(&s).await;
        let id = s
            .save_submission(&c.a, c.period, c.a_unit, &figures(c.a_indicator, "3"), true)
            .await
            .unwrap();
        s.review_submission(&c.office, id, false, "请附名单")
            .await
            .unwrap();
        s.save_submission(
            &c.office,
            c.period,
            c.a_unit,
            &figures(c.a_indicator, "4"),
            true,
        )
        .await
        .unwrap();
        let sendings = s
            .submission_sendings(&c.a, c.period, c.a_unit)
            .await
            .unwrap();
        let names: Vec<&str> = sendings.iter().map(|g| g.sent_by_name.as_str()).collect();
        assert_eq!(names, ["office", "sp1"], "{name}");
        assert!(
            refused(s.submission_sendings(&c.b, c.period, c.a_unit).await),
            "{name}"
        );
    }
}
