//! 考核评价's inputs read as of the period's end, with dates on both sides of the boundary:
//! a project started or halted after a quarter's end stands as it stood at that end; a problem
//! answered after it counts as unanswered in that quarter; a cultivation result counts from the
//! day it was reached, for the enterprise's town. On every engine.

use crate::common::user_of;
use qx_app::assessment::{cultivation, problems, projects};
use qx_core::access::{Actor, Role};
use qx_core::assessment::{Source, UnitInputs};
use qx_core::cultivation::MoveKind;
use qx_core::period::Period;
use qx_core::problem::{Category, Deadlines, Status, Tier, TimeLimits};
use qx_core::project::{CapitalKind, Stage};
use qx_store::Store;
use qx_store::cultivation::{MoveRequest, NewEntry};
use qx_store::enterprises::{NewEnterprise, insert_enterprise};
use qx_store::problems::{Outcome, ProblemSeed, insert_problem_row};
use qx_store::projects::{ProjectInput, StageMove};
use std::collections::BTreeMap;
use time::Date;
use time::macros::date;

const TOWN: &str = "石浦镇";

fn project(unit_id: i64, name: &str, total: f64) -> ProjectInput {
    ProjectInput {
        year: 2017,
        name: name.into(),
        investor: "投资方".into(),
        credit_code: None,
        capital_kind: CapitalKind::Domestic,
        source: qx_core::project::Source::Investment,
        industry: String::new(),
        town_id: None,
        total_investment_wan: total,
        foreign_contract_wusd: None,
        annual_plan_wan: None,
        completed_wan: None,
        land_mu: None,
        content: String::new(),
        unit_id,
        contact: String::new(),
        leader_user_id: None,
        planned: [None, None, None, None],
    }
}

async fn mv(s: &Store, office: &Actor, id: i64, to: Stage, on: Date) {
    let m = StageMove {
        to,
        on,
        evidence: String::new(),
        reason: "停建".into(),
    };
    s.move_project(office, id, &m).await.unwrap();
}

fn empty(unit_id: i64) -> BTreeMap<i64, UnitInputs> {
    BTreeMap::from([(
        unit_id,
        UnitInputs {
            unit_id,
            unit: TOWN.into(),
            ..Default::default()
        },
    )])
}

fn q(n: u8) -> Period {
    Period::new_quarter(2017, n).unwrap()
}

/// (value, count, records) of `source` for the unit, if measured.
fn measured(
    inputs: &BTreeMap<i64, UnitInputs>,
    unit: i64,
    source: Source,
) -> Option<(Option<f64>, u32, Vec<String>)> {
    inputs[&unit].measures.get(&source).map(|m| {
        (
            m.value,
            m.count,
            m.facts.iter().map(|f| f.label.clone()).collect(),
        )
    })
}

#[tokio::test]
async fn projects_stand_at_their_stages_on_the_periods_last_day() {
    for db in qx_store::testing::all().await.unwrap() {
        let s = &db.store;
        let units = qx_demo::registry::seed_registry(s).await.unwrap();
        let id = |name: &str| units.iter().find(|u| u.name == name).unwrap().id;
        let office = user_of(s, "office", Role::Admin, id("县工业强县办")).await;
        let town = id(TOWN);
        let new = |name: &'static str, total: f64| {
            let input = project(town, name, total);
            let office = office.clone();
            async move {
                s.create_project(&office, &input, date!(2017 - 01 - 05))
                    .await
                    .unwrap()
            }
        };
        // Started on 10 April, after Q1's end (31 March).
        let started = new("开工项目", 20_000.0).await;
        mv(s, &office, started, Stage::Signed, date!(2017 - 02 - 10)).await;
        mv(
            s,
            &office,
            started,
            Stage::Registered,
            date!(2017 - 03 - 10),
        )
        .await;
        mv(s, &office, started, Stage::Started, date!(2017 - 04 - 10)).await;
        // Signed in February, halted in May: live in Q1, gone by Q2.
        let halted = new("中止项目", 3_000.0).await;
        mv(s, &office, halted, Stage::Signed, date!(2017 - 02 - 10)).await;
        mv(s, &office, halted, Stage::Halted, date!(2017 - 05 - 02)).await;
        // Signed on 31 March exactly: inside Q1.
        let edge = new("季末签约项目", 3_000.0).await;
        mv(s, &office, edge, Stage::Signed, date!(2017 - 03 - 31)).await;

        let mut q1 = empty(town);
        projects::add(s, &office, q(1), &mut q1).await.unwrap();
        let (rate, of, labels) = measured(&q1, town, Source::ProjectStartRate).unwrap();
        assert_eq!(
            (rate, of),
            (Some(0.0), 3),
            "{}: nothing had started by 31 March and nothing was halted yet: {labels:?}",
            db.name
        );
        assert!(labels.iter().any(|l| l == "开工项目 (注册)"), "{labels:?}");
        let signed = measured(&q1, town, Source::InvestmentSigned).unwrap();
        assert_eq!(signed.0, Some(3.0), "{}: {:?}", db.name, signed.2);
        let big = measured(&q1, town, Source::BigProjectsStarted).unwrap();
        assert_eq!(big.0, Some(0.0));

        let mut q2 = empty(town);
        projects::add(s, &office, q(2), &mut q2).await.unwrap();
        let (rate, of, _) = measured(&q2, town, Source::ProjectStartRate).unwrap();
        assert_eq!(
            (rate, of),
            (Some(0.5), 2),
            "{}: the halted one left",
            db.name
        );
        let big = measured(&q2, town, Source::BigProjectsStarted).unwrap();
        assert_eq!(big.0, Some(1.0));
    }
}

#[tokio::test]
async fn a_problem_answered_after_the_quarter_counts_as_unanswered_in_it() {
    for db in qx_store::testing::all().await.unwrap() {
        let s = &db.store;
        let units = qx_demo::registry::seed_registry(s).await.unwrap();
        let id = |name: &str| units.iter().find(|u| u.name == name).unwrap().id;
        let town = id(TOWN);
        let cal = s.work_calendar().await.unwrap();
        let on = date!(2017 - 03 - 01);
        let deadlines = Deadlines::compute(&cal, on, on, TimeLimits::default(), 0).unwrap();
        assert!(deadlines.answer_by < date!(2017 - 03 - 31));
        let mut tx = s.begin().await.unwrap();
        let code = qx_core::codes::CreditCode::complete("91330225100000001").unwrap();
        let ent = insert_enterprise(
            &mut tx,
            &NewEnterprise {
                credit_code: code.as_str().to_string(),
                name: "象山测试有限公司".into(),
                town_id: Some(town),
                industry_code: None,
                scale: qx_core::scale::Scale::Below,
            },
        )
        .await
        .unwrap();
        // Answered on 7 March (inside Q1) and on 3 April (after it); both closed in April.
        for (title, answered) in [
            ("季内答复", date!(2017 - 03 - 07)),
            ("季后答复", date!(2017 - 04 - 03)),
        ] {
            let seed = ProblemSeed {
                enterprise_id: ent,
                category: Category::Land,
                title: title.into(),
                status: Status::Closed,
                tier: Tier::Town,
                lead_unit_id: Some(town),
                submitted_on: on,
                deadlines,
                outcome: Outcome {
                    answered_on: Some(answered),
                    closed_on: Some(date!(2017 - 04 - 20)),
                    resolved: Some(true),
                    answer_workdays: Some(5),
                    close_workdays: Some(30),
                    ..Outcome::default()
                },
            };
            insert_problem_row(&mut tx, &seed).await.unwrap();
        }
        tx.commit().await.unwrap();

        let mut q1 = empty(town);
        problems::add(s, q(1), &mut q1).await.unwrap();
        let (rate, of, labels) = measured(&q1, town, Source::ProblemAnswerRate).unwrap();
        assert_eq!(
            (rate, of),
            (Some(0.5), 2),
            "{}: one answered by 31 March, one overdue then: {labels:?}",
            db.name
        );
        let (resolved, closed, _) = measured(&q1, town, Source::ProblemResolutionRate).unwrap();
        assert_eq!((resolved, closed), (None, 0), "nothing closed by 31 March");

        let mut q2 = empty(town);
        problems::add(s, q(2), &mut q2).await.unwrap();
        let (rate, of, _) = measured(&q2, town, Source::ProblemAnswerRate).unwrap();
        assert_eq!((rate, of), (Some(1.0), 2), "{}", db.name);
        let (resolved, closed, _) = measured(&q2, town, Source::ProblemResolutionRate).unwrap();
        assert_eq!((resolved, closed), (Some(1.0), 2));

        // The grouped statement reads what the one-unit statement reads, unit by unit.
        for n in [1, 2] {
            let filter = qx_store::problems::RateFilter {
                from: Some("2017-01-01".into()),
                to: Some(q(n).last_day().to_string()),
                ..Default::default()
            };
            let day = q(n).last_day();
            let grouped = s.problem_rates_as_of_by_unit(&filter, day).await.unwrap();
            assert_eq!(grouped.keys().copied().collect::<Vec<_>>(), vec![town]);
            let one = qx_store::problems::RateFilter {
                unit_id: Some(town),
                ..filter.clone()
            };
            let single = s.problem_rates_as_of(&one, day).await.unwrap();
            assert_eq!(grouped[&town], single, "{}: Q{n}", db.name);
        }
    }
}

#[tokio::test]
async fn cultivation_results_count_from_the_day_reached_for_the_town() {
    for db in qx_store::testing::all().await.unwrap() {
        let s = &db.store;
        let units = qx_demo::registry::seed_registry(s).await.unwrap();
        let id = |name: &str| units.iter().find(|u| u.name == name).unwrap().id;
        let office = user_of(s, "office", Role::Admin, id("县工业强县办")).await;
        let town = id(TOWN);
        let xsg = s.cultivation_pipeline_by_code("xsg").await.unwrap();
        let mut tx = s.begin().await.unwrap();
        let mut firms = Vec::new();
        for i in 1..=2u32 {
            let code =
                qx_core::codes::CreditCode::complete(&format!("9133022510000000{i}")).unwrap();
            let e = NewEnterprise {
                credit_code: code.as_str().to_string(),
                name: format!("象山培育{i}有限公司"),
                town_id: Some(town),
                industry_code: None,
                scale: qx_core::scale::Scale::Below,
            };
            firms.push(insert_enterprise(&mut tx, &e).await.unwrap());
        }
        tx.commit().await.unwrap();
        let system = Actor::system();
        // 纳入规上统计 on 31 March (inside Q1) and on 1 April (after it).
        for (firm, reached) in firms.iter().zip(["2017-03-31", "2017-04-01"]) {
            let entry = s
                .enter_cultivation(
                    &system,
                    &NewEntry {
                        pipeline_id: xsg.id,
                        enterprise_id: Some(*firm),
                        stage_id: xsg.stages[0].id,
                        on_date: "2017-01-15".into(),
                        ..NewEntry::default()
                    },
                )
                .await
                .unwrap();
            let req = MoveRequest {
                kind: MoveKind::Advance,
                to_stage_id: Some(xsg.stages[2].id),
                on_date: reached.into(),
                evidence: String::new(),
                credit_code: String::new(),
                certificate_no: String::new(),
                board: String::new(),
                stock_code: String::new(),
            };
            s.move_cultivation(&system, entry, &req).await.unwrap();
        }

        let mut q1 = empty(town);
        cultivation::add(s, &office, q(1), &mut q1).await.unwrap();
        let (n, _, labels) = measured(&q1, town, Source::Cultivation).unwrap();
        assert_eq!(n, Some(1.0), "{}: {labels:?}", db.name);
        assert!(
            labels[0].starts_with("象山培育1有限公司 小升规·"),
            "{labels:?}"
        );
        assert!(labels[0].ends_with("(2017-03-31)"), "{labels:?}");

        let mut q2 = empty(town);
        cultivation::add(s, &office, q(2), &mut q2).await.unwrap();
        assert_eq!(
            measured(&q2, town, Source::Cultivation).unwrap().0,
            Some(2.0)
        );

        // A town's own account reads its own results, another town's none.
        let own = user_of(s, "town", Role::Unit, town).await;
        let other = user_of(s, "other", Role::Unit, id("丹西街道")).await;
        let read = |a: Actor| async move {
            s.cultivation_reached_by_unit(&a, "2017-01-01", "2017-12-31")
                .await
                .unwrap()
                .len()
        };
        assert_eq!(read(own).await, 2);
        assert_eq!(read(other).await, 0);
    }
}

#[tokio::test]
async fn investment_rate_counts_the_dispatch_months_up_to_the_periods_end() {
    use crate::common::{published_seed_plan, user};
    use qx_store::monitoring::SubmissionInput;
    use qx_store::projects::{DispatchFigures, DispatchInput};
    for db in qx_store::testing::all().await.unwrap() {
        let s = &db.store;
        let (office, plan) = published_seed_plan(s).await;
        let jxj = user(s, "jxj1", Role::Unit, "县经信局").await;
        let unit = jxj.unit_id.unwrap();
        let input = ProjectInput {
            annual_plan_wan: Some(6_000.0),
            ..project(unit, "智能装备产业园", 20_000.0)
        };
        let id = s
            .create_project(&office, &input, date!(2017 - 01 - 05))
            .await
            .unwrap();
        // 1,200 万元 approved in March (Q1), 1,800 more in June: 3,000 by Q2.
        for (m, invested) in [(3, 1_200.0), (6, 1_800.0)] {
            let period = s
                .open_period(
                    &office,
                    plan,
                    &Period::new_month(2017, m).unwrap(),
                    "2017-12-31",
                )
                .await
                .unwrap();
            let line = DispatchInput {
                project_id: id,
                figures: DispatchFigures {
                    invested_wan: Some(invested),
                    domestic_wan: Some(invested),
                    ..DispatchFigures::default()
                },
            };
            s.save_dispatch(&jxj, period, unit, &[line]).await.unwrap();
            let sub = s
                .save_submission(&jxj, period, unit, &SubmissionInput::default(), true)
                .await
                .unwrap();
            s.review_submission(&office, sub, true, "").await.unwrap();
        }
        let done = s.project_completed_as_of(&q(1)).await.unwrap();
        assert_eq!(done.get(&id), Some(&Some(1_200.0)), "{}", db.name);
        for (n, expected) in [(1, 1_200.0), (2, 3_000.0)] {
            let mut inputs = empty(unit);
            projects::add(s, &office, q(n), &mut inputs).await.unwrap();
            let (rate, of, _) = measured(&inputs, unit, Source::ProjectInvestmentRate).unwrap();
            assert_eq!(of, 1);
            let rate = rate.unwrap();
            assert!(
                (rate - expected / 6_000.0).abs() < 1e-9,
                "{}: Q{n} rate {rate} should come from {expected}",
                db.name
            );
            let fact = &inputs[&unit].measures[&Source::ProjectInvestmentRate].facts[0];
            assert_eq!(fact.value, expected);
        }
        db.discard().await.unwrap();
    }
}
