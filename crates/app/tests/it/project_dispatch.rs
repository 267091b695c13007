//! Monthly 调度 of projects on every engine: the unit saves each project's month with its
//! report, the figures lock when the report is submitted, and a project's 本年已完成投资 is the
//! sum of the months the office approved (a returned month does not count).

use crate::common::{published_seed_plan, user};
use qx_core::access::Role;
use qx_core::period::Period;
use qx_core::project::{CapitalKind, Source};
use qx_store::StoreError;
use qx_store::monitoring::SubmissionInput;
use qx_store::projects::{DispatchFigures, DispatchInput, ProjectInput};
use time::macros::date;

pub(crate) fn project(unit_id: i64, name: &str) -> ProjectInput {
    ProjectInput {
        year: 2017,
        name: name.into(),
        investor: "投资方".into(),
        credit_code: None,
        capital_kind: CapitalKind::Domestic,
        source: Source::Investment,
        industry: String::new(),
        town_id: None,
        total_investment_wan: 20_000.0,
        foreign_contract_wusd: None,
        annual_plan_wan: Some(6_000.0),
        completed_wan: Some(999.0),
        land_mu: None,
        content: String::new(),
        unit_id,
        contact: String::new(),
        leader_user_id: None,
        planned: [None; 4],
    }
}

fn month(project_id: i64, invested: f64) -> DispatchInput {
    DispatchInput {
        project_id,
        figures: DispatchFigures {
            invested_wan: Some(invested),
            domestic_wan: Some(invested),
            progress: "主体厂房结顶".into(),
            progress_pct: Some(40.0),
            ..DispatchFigures::default()
        },
    }
}

#[tokio::test]
async fn approved_months_sum_into_the_years_completed_investment() {
    for db in qx_store::testing::all().await.unwrap() {
        let s = &db.store;
        let (office, plan) = published_seed_plan(s).await;
        let jxj = user(s, "jxj1", Role::Unit, "县经信局").await;
        let unit = jxj.unit_id.unwrap();
        let other = user(s, "swj1", Role::Unit, "县商务局").await;
        let id = s
            .create_project(
                &office,
                &project(unit, "智能装备产业园"),
                date!(2017 - 01 - 05),
            )
            .await
            .unwrap();
        let open = |m| {
            let office = office.clone();
            async move {
                s.open_period(
                    &office,
                    plan,
                    &Period::new_month(2017, m).unwrap(),
                    "2017-12-31",
                )
                .await
                .unwrap()
            }
        };
        let (may, june) = (open(5).await, open(6).await);
        let completed = || async { s.get_project(&office, id).await.unwrap().completed_wan };
        assert_eq!(
            completed().await,
            Some(999.0),
            "the typed figure until a month counts"
        );

        s.save_dispatch(&jxj, may, unit, &[month(id, 1_500.0)])
            .await
            .unwrap();
        s.save_dispatch(&jxj, june, unit, &[month(id, 700.0)])
            .await
            .unwrap();
        let lines = s.dispatch_lines(&jxj, may, unit).await.unwrap();
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].report.figures.invested_wan, Some(1_500.0));
        assert_eq!(lines[0].report.figures.progress, "主体厂房结顶");
        assert_eq!(completed().await, Some(999.0), "saved is not approved");

        // Another unit neither writes nor reads this unit's 调度.
        assert!(matches!(
            s.save_dispatch(&other, may, unit, &[month(id, 1.0)]).await,
            Err(StoreError::Forbidden(_))
        ));
        assert!(s.dispatch_lines(&other, may, unit).await.is_err());
        let other_unit = other.unit_id.unwrap();
        assert!(
            matches!(
                s.save_dispatch(&other, may, other_unit, &[month(id, 1.0)])
                    .await,
                Err(StoreError::Invalid(_))
            ),
            "not its project"
        );
        let mut bad = month(id, 1.0);
        bad.figures.progress_pct = Some(140.0);
        let err = s.save_dispatch(&jxj, may, unit, &[bad]).await.unwrap_err();
        assert!(err.to_string().contains("形象进度(%)"), "{err}");

        // May submitted: locked; approved: counts. June returned: does not count.
        let sub_may = s
            .save_submission(&jxj, may, unit, &SubmissionInput::default(), true)
            .await
            .unwrap();
        assert!(matches!(
            s.save_dispatch(&jxj, may, unit, &[month(id, 5.0)]).await,
            Err(StoreError::Conflict(_))
        ));
        s.review_submission(&office, sub_may, true, "")
            .await
            .unwrap();
        assert_eq!(completed().await, Some(1_500.0), "{}", db.name);
        let sub_june = s
            .save_submission(&jxj, june, unit, &SubmissionInput::default(), true)
            .await
            .unwrap();
        s.review_submission(&office, sub_june, false, "请补充佐证")
            .await
            .unwrap();
        assert_eq!(
            completed().await,
            Some(1_500.0),
            "a returned month does not count"
        );
        s.save_dispatch(&jxj, june, unit, &[month(id, 800.0)])
            .await
            .unwrap();
        let sub_june = s
            .save_submission(&jxj, june, unit, &SubmissionInput::default(), true)
            .await
            .unwrap();
        s.review_submission(&office, sub_june, true, "")
            .await
            .unwrap();
        assert_eq!(completed().await, Some(2_300.0), "{}", db.name);
        db.discard().await.unwrap();
    }
}

/// The stored 本年已完成投资 (`project_year_done`, migration 0032) equals the approved months
/// summed afresh after every step of the approval flow: a save, an approval, a return, a
/// correction saved while the earlier revision stays approved, and the re-approval.
#[tokio::test]
async fn the_stored_year_total_follows_approve_return_and_reapprove() {
    for db in qx_store::testing::all().await.unwrap() {
        let s = &db.store;
        let (office, plan) = published_seed_plan(s).await;
        let jxj = user(s, "jxj1", Role::Unit, "县经信局").await;
        let unit = jxj.unit_id.unwrap();
        let id = s
            .create_project(
                &office,
                &project(unit, "海洋装备产业园"),
                date!(2017 - 01 - 05),
            )
            .await
            .unwrap();
        let may = s
            .open_period(
                &office,
                plan,
                &Period::new_month(2017, 5).unwrap(),
                "2017-12-31",
            )
            .await
            .unwrap();
        let in_step = |step: &'static str| async move {
            let drift = qx_store::testing::year_done_drift(s).await.unwrap();
            assert!(drift.is_empty(), "{} after {step}: {drift:?}", db.name);
        };
        let completed = || async { s.get_project(&office, id).await.unwrap().completed_wan };

        s.save_dispatch(&jxj, may, unit, &[month(id, 1_500.0)])
            .await
            .unwrap();
        in_step("save").await;
        let first = s
            .save_submission(&jxj, may, unit, &SubmissionInput::default(), true)
            .await
            .unwrap();
        s.review_submission(&office, first, true, "").await.unwrap();
        in_step("approve").await;
        assert_eq!(completed().await, Some(1_500.0), "{}", db.name);

        // A correction: the approved revision still counts, so the corrected month counts as
        // soon as it is saved; returned, it stays; approved again, it is the month.
        s.start_correction(&jxj, may, unit).await.unwrap();
        s.save_dispatch(&jxj, may, unit, &[month(id, 2_000.0)])
            .await
            .unwrap();
        in_step("a correction's save").await;
        assert_eq!(completed().await, Some(2_000.0), "{}", db.name);
        let second = s
            .save_submission(&jxj, may, unit, &SubmissionInput::default(), true)
            .await
            .unwrap();
        s.review_submission(&office, second, false, "请核实")
            .await
            .unwrap();
        in_step("return").await;
        s.save_dispatch(&jxj, may, unit, &[month(id, 1_800.0)])
            .await
            .unwrap();
        let third = s
            .save_submission(&jxj, may, unit, &SubmissionInput::default(), true)
            .await
            .unwrap();
        s.review_submission(&office, third, true, "").await.unwrap();
        in_step("re-approve").await;
        assert_eq!(completed().await, Some(1_800.0), "{}", db.name);

        // A cleared line leaves the month blank: the total is gone with it.
        s.start_correction(&jxj, may, unit).await.unwrap();
        s.save_dispatch(
            &jxj,
            may,
            unit,
            &[DispatchInput {
                project_id: id,
                ..DispatchInput::default()
            }],
        )
        .await
        .unwrap();
        in_step("a cleared line").await;
        assert_eq!(completed().await, Some(999.0), "{}", db.name);
        db.discard().await.unwrap();
    }
}

/// The stored 外资/内资到位 of each period (`project_capital_done`, migration 0034) equals the
/// period's approved 调度 rows summed afresh after every step of two units' approval flows in
/// one period (a save, an approval, a return, a correction saved while the earlier revision
/// stays approved, the re-approval, a cleared line), and the indicators' counts read the same
/// sums as the months give.
#[tokio::test]
async fn the_stored_capital_sums_follow_both_units_approvals_and_returns() {
    for db in qx_store::testing::all().await.unwrap() {
        let s = &db.store;
        let (office, plan) = published_seed_plan(s).await;
        let jxj = user(s, "jxj1", Role::Unit, "县经信局").await;
        let swj = user(s, "swj1", Role::Unit, "县商务局").await;
        let (a_unit, b_unit) = (jxj.unit_id.unwrap(), swj.unit_id.unwrap());
        let since = date!(2017 - 01 - 05);
        let a = s
            .create_project(&office, &project(a_unit, "海洋装备产业园"), since)
            .await
            .unwrap();
        let b = s
            .create_project(
                &office,
                &ProjectInput {
                    capital_kind: CapitalKind::Foreign,
                    ..project(b_unit, "外资汽配项目")
                },
                since,
            )
            .await
            .unwrap();
        let may = s
            .open_period(
                &office,
                plan,
                &Period::new_month(2017, 5).unwrap(),
                "2017-12-31",
            )
            .await
            .unwrap();
        let foreign = |id, wusd: f64| DispatchInput {
            project_id: id,
            figures: DispatchFigures {
                invested_wan: Some(500.0),
                foreign_wusd: Some(wusd),
                ..DispatchFigures::default()
            },
        };
        // After each step: no drift, and the counts as of May read (外资, 内资).
        let in_step = |step: &'static str, want: (f64, f64)| async move {
            let drift = qx_store::testing::capital_done_drift(s).await.unwrap();
            assert!(drift.is_empty(), "{} after {step}: {drift:?}", db.name);
            let day = date!(2017 - 05 - 31);
            let stored = s.project_stage_counts_as_of(2017, day).await.unwrap();
            let summed = s
                .project_stage_counts_as_of_from_months(2017, day)
                .await
                .unwrap();
            assert_eq!(stored, summed, "{} after {step}", db.name);
            assert_eq!(
                (stored.foreign_wusd, stored.domestic_wan),
                want,
                "{} after {step}",
                db.name
            );
        };
        let submit = |who: qx_core::access::Actor, unit| async move {
            s.save_submission(&who, may, unit, &SubmissionInput::default(), true)
                .await
                .unwrap()
        };

        s.save_dispatch(&jxj, may, a_unit, &[month(a, 1_500.0)])
            .await
            .unwrap();
        in_step("a's save", (0.0, 0.0)).await;
        let first = submit(jxj.clone(), a_unit).await;
        s.review_submission(&office, first, true, "").await.unwrap();
        in_step("a's approval", (0.0, 1_500.0)).await;
        s.save_dispatch(&swj, may, b_unit, &[foreign(b, 80.0)])
            .await
            .unwrap();
        in_step("b's save", (0.0, 1_500.0)).await;
        let other = submit(swj.clone(), b_unit).await;
        s.review_submission(&office, other, true, "").await.unwrap();
        in_step("b's approval", (80.0, 1_500.0)).await;

        // A's correction counts as soon as it is saved (the approved revision still stands);
        // returned, it stays; approved again, it is the month; cleared, the month is gone.
        s.start_correction(&jxj, may, a_unit).await.unwrap();
        s.save_dispatch(&jxj, may, a_unit, &[month(a, 2_000.0)])
            .await
            .unwrap();
        in_step("a's correction", (80.0, 2_000.0)).await;
        let second = submit(jxj.clone(), a_unit).await;
        s.review_submission(&office, second, false, "请核实")
            .await
            .unwrap();
        in_step("a's return", (80.0, 2_000.0)).await;
        s.save_dispatch(&jxj, may, a_unit, &[month(a, 1_800.0)])
            .await
            .unwrap();
        let third = submit(jxj.clone(), a_unit).await;
        s.review_submission(&office, third, true, "").await.unwrap();
        in_step("a's re-approval", (80.0, 1_800.0)).await;
        s.start_correction(&swj, may, b_unit).await.unwrap();
        s.save_dispatch(
            &swj,
            may,
            b_unit,
            &[DispatchInput {
                project_id: b,
                ..DispatchInput::default()
            }],
        )
        .await
        .unwrap();
        in_step("b's cleared line", (0.0, 1_800.0)).await;
        db.discard().await.unwrap();
    }
}
