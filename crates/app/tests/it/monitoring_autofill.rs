//! 难题答复率 and 难题解决率 fill in from the problems module: the seed plan's two indicators
//! are marked automatic when it is published, the monitoring picture computes them from the
//! problems received so far (whatever a unit reports), the office can switch one back to
//! reported figures, and the picture cache notices every such change. On every engine.

use crate::common::user_of;
use qx_app::monitoring::{PictureCache, picture};
use qx_core::access::{Actor, Role};
use qx_core::calendar::WorkCalendar;
use qx_core::period::Period;
use qx_core::problem::{Category, Deadlines, Satisfaction, Status, Tier, TimeLimits};
use qx_store::Store;
use qx_store::enterprises::{NewEnterprise, insert_enterprise};
use qx_store::indicator_source::IndicatorSource;
use qx_store::monitoring::SubmissionInput;
use qx_store::problems::{Outcome, ProblemSeed, RateFilter, insert_problem_row};
use std::sync::Arc;
use time::Date;
use time::macros::date;

struct County {
    plan_id: i64,
    answer: i64,
    solve: i64,
    office: Actor,
    unit: Actor,
    jxj: i64,
}

/// The registry and the seed plan as the demo publishes it.
async fn county(store: &Store) -> County {
    let units = qx_demo::registry::seed_registry(store).await.unwrap();
    let id = |name: &str| units.iter().find(|u| u.name == name).unwrap().id;
    let office = user_of(store, "office", Role::Admin, id("县工业强县办")).await;
    let plan_id = qx_demo::plan::seed(store, &office).await.unwrap();
    let indicators = store.plan_indicators(&office, plan_id).await.unwrap();
    let find = |word: &str| {
        let found: Vec<_> = indicators
            .iter()
            .filter(|i| i.name.contains(word))
            .collect();
        assert_eq!(found.len(), 1, "one indicator named …{word}: {found:?}");
        found[0].clone()
    };
    let answer = find("答复率");
    let solve = find("解决率");
    let jxj = answer
        .lead_unit_id
        .expect("the seed plan names a lead unit");
    assert_eq!(solve.lead_unit_id, Some(jxj));
    County {
        plan_id,
        answer: answer.id,
        solve: solve.id,
        unit: user_of(store, "jxj1", Role::Unit, jxj).await,
        office,
        jxj,
    }
}

/// Six problems of 2017: by the end of March four answered and one overdue without an answer
/// (答复率 80%), three closed of which two resolved (解决率 66.7%).
async fn problems(store: &Store, town: i64) {
    let cal = WorkCalendar::weekends_only();
    let mut tx = store.begin().await.unwrap();
    let e = NewEnterprise {
        credit_code: qx_core::codes::CreditCode::complete("91330225100000001")
            .unwrap()
            .as_str()
            .to_string(),
        name: "象山测试企业有限公司".into(),
        town_id: Some(town),
        industry_code: None,
        scale: qx_core::scale::Scale::Above,
    };
    let enterprise_id = insert_enterprise(&mut tx, &e).await.unwrap();
    type Row = (Date, Status, Option<Date>, Option<Date>, Option<bool>);
    let rows: [Row; 6] = [
        (
            date!(2017 - 01 - 05),
            Status::Closed,
            Some(date!(2017 - 01 - 09)),
            Some(date!(2017 - 01 - 12)),
            Some(true),
        ),
        (
            date!(2017 - 01 - 16),
            Status::Closed,
            Some(date!(2017 - 01 - 20)),
            Some(date!(2017 - 02 - 03)),
            Some(false),
        ),
        (
            date!(2017 - 02 - 06),
            Status::Closed,
            Some(date!(2017 - 02 - 08)),
            Some(date!(2017 - 02 - 15)),
            Some(true),
        ),
        (
            date!(2017 - 02 - 20),
            Status::Answered,
            Some(date!(2017 - 02 - 24)),
            None,
            Some(true),
        ),
        // Answer due early March, still unanswered: overdue.
        (date!(2017 - 03 - 01), Status::InProgress, None, None, None),
        // Answer due in April: not yet overdue at the end of March.
        (date!(2017 - 03 - 27), Status::Assigned, None, None, None),
    ];
    for (i, (submitted, status, answered_on, closed_on, resolved)) in rows.into_iter().enumerate() {
        let deadlines =
            Deadlines::compute(&cal, submitted, submitted, TimeLimits::default(), 0).unwrap();
        let seed = ProblemSeed {
            enterprise_id,
            category: Category::Land,
            title: format!("用地难题{i}"),
            status,
            tier: Tier::Town,
            lead_unit_id: Some(town),
            submitted_on: submitted,
            deadlines,
            outcome: Outcome {
                answered_on,
                closed_on,
                resolved,
                satisfaction: closed_on.map(|_| Satisfaction::Satisfied),
                answer_workdays: answered_on.map(|_| 3),
                close_workdays: closed_on.map(|_| 8),
            },
        };
        insert_problem_row(&mut tx, &seed).await.unwrap();
    }
    tx.commit().await.unwrap();
}

fn month(m: u8) -> Period {
    Period::new_month(2017, m).unwrap()
}

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-6)
}

#[tokio::test]
async fn problem_rates_fill_in_the_plans_indicators() {
    for db in qx_store::testing::all().await.unwrap() {
        let s = &db.store;
        let c = county(s).await;
        let name = db.name;

        // Publishing marked exactly the two rates as automatic among the problem indicators;
        // the other automatic ones are the five project indicators (monitoring_projects.rs),
        // besides the 企业培育库's counts (checked in `cultivation_indicators`).
        let mut auto = s.indicator_sources(c.plan_id).await.unwrap();
        auto.retain(|_, source| source.cultivation_milestone().is_none());
        assert_eq!(auto.len(), 7, "{name}: {auto:?}");
        assert_eq!(
            auto.values()
                .filter(|s| matches!(
                    s,
                    IndicatorSource::ProblemAnswerRate | IndicatorSource::ProblemSolveRate
                ))
                .count(),
            2,
            "{name}: {auto:?}"
        );
        assert_eq!(auto[&c.answer], IndicatorSource::ProblemAnswerRate);
        assert_eq!(auto[&c.solve], IndicatorSource::ProblemSolveRate);
        assert!(s.is_auto_indicator(c.answer).await.unwrap());
        let others: Vec<i64> = s
            .unit_indicators(&qx_core::access::Actor::system(), c.plan_id, c.jxj)
            .await
            .unwrap()
            .into_iter()
            .map(|i| i.id)
            .filter(|id| *id != c.answer && *id != c.solve)
            .collect();
        for id in &others {
            assert!(!s.is_auto_indicator(*id).await.unwrap(), "{name}: {id}");
        }

        let town = s.resolve_unit("石浦镇").await.unwrap().unwrap().id;
        problems(s, town).await;

        // The unit is not asked for them, and a figure sent anyway is refused.
        let asked: Vec<i64> = s
            .unit_indicators(&qx_core::access::Actor::system(), c.plan_id, c.jxj)
            .await
            .unwrap()
            .into_iter()
            .map(|i| i.id)
            .collect();
        assert!(
            !asked.contains(&c.answer) && !asked.contains(&c.solve),
            "{name}: {asked:?}"
        );
        let system = Actor::system();
        for m in 1..=3 {
            let pid = s
                .open_period(&system, c.plan_id, &month(m), "2017-04-10")
                .await
                .unwrap();
            let input = SubmissionInput {
                values: vec![(c.answer, "100".into(), String::new())],
                tasks: Vec::new(),
            };
            assert!(
                s.save_submission(&c.unit, pid, c.jxj, &input, true)
                    .await
                    .is_err(),
                "{name}: a figure for an automatic indicator is refused"
            );
        }

        let pic = picture(s, &system, c.plan_id, month(3)).await.unwrap();
        let row = |id: i64| {
            pic.indicators
                .iter()
                .find(|i| i.indicator.id == id)
                .unwrap()
        };
        let a = row(c.answer);
        let r = row(c.solve);
        assert!(close(a.actual, 80.0), "{name}: 答复率 {:?}", a.actual);
        assert!(
            close(r.actual, 200.0 / 3.0),
            "{name}: 解决率 {:?}",
            r.actual
        );
        // January as it stood on the 31st: two received and answered, only the first closed
        // (resolved); the second closed unresolved on 3 February, which January never sees.
        assert!(
            close(a.series[0], 100.0) && close(r.series[0], 100.0),
            "{name}: {:?} {:?}",
            a.series[0],
            r.series[0]
        );
        // February: that closing now counts.
        assert!(close(r.series[1], 200.0 / 3.0), "{name}: {:?}", r.series[1]);
        assert_eq!(a.series.len(), 3);
        // The same figures the problems module reports for the year to date.
        let rates = s
            .problem_rates(
                &Actor::system(),
                &RateFilter {
                    from: Some("2017-01-01".into()),
                    to: Some("2017-03-31".into()),
                    ..Default::default()
                },
                date!(2017 - 03 - 31),
            )
            .await
            .unwrap();
        assert_eq!(a.actual, rates.answer_rate);
        assert_eq!(r.actual, rates.resolution_rate);
        // 80% of a 100% target is behind: not green.
        assert_eq!(
            a.assessment.completion.map(|x| (x * 100.0).round()),
            Some(80.0)
        );

        // Only the office may change a source; the change is audited and the cached
        // picture notices it.
        let cache = PictureCache::default();
        let first = cache
            .picture(s, &system, c.plan_id, month(3))
            .await
            .unwrap();
        let again = cache
            .picture(s, &system, c.plan_id, month(3))
            .await
            .unwrap();
        assert!(Arc::ptr_eq(&first, &again), "{name}: served from the cache");
        let err = s
            .set_indicator_source(&c.unit, c.answer, IndicatorSource::Manual)
            .await
            .unwrap_err();
        assert!(matches!(err, qx_store::StoreError::Forbidden(_)), "{name}");
        s.set_indicator_source(&c.office, c.answer, IndicatorSource::Manual)
            .await
            .unwrap();
        assert!(!s.is_auto_indicator(c.answer).await.unwrap());
        let audit = qx_store::testing::audit_entries(s, "indicator.source")
            .await
            .unwrap();
        assert_eq!(audit.len(), 1, "{name}");
        // Reported by hand from now on: the unit's March figure counts.
        let march = s
            .list_periods(&qx_core::access::Actor::system(), c.plan_id)
            .await
            .unwrap()
            .into_iter()
            .find(|p| p.period == month(3).to_string())
            .unwrap()
            .id;
        let input = SubmissionInput {
            values: vec![(c.answer, "100".into(), String::new())],
            tasks: Vec::new(),
        };
        let sub = s
            .save_submission(&c.unit, march, c.jxj, &input, true)
            .await
            .unwrap();
        s.review_submission(&c.office, sub, true, "").await.unwrap();
        let after = cache
            .picture(s, &system, c.plan_id, month(3))
            .await
            .unwrap();
        assert!(!Arc::ptr_eq(&first, &after), "{name}: a write invalidates");
        let a = after
            .indicators
            .iter()
            .find(|i| i.indicator.id == c.answer)
            .unwrap();
        assert_eq!(a.actual, Some(100.0), "{name}: now the unit's figure");
        assert!(s.verify_audit().await.unwrap().ok());
    }
}

#[tokio::test]
async fn the_cache_follows_reviews_and_settings_and_keeps_scope() {
    for db in qx_store::testing::all().await.unwrap() {
        let s = &db.store;
        let c = county(s).await;
        let name = db.name;
        let system = Actor::system();
        let cache = PictureCache::default();
        let pid = s
            .open_period(&system, c.plan_id, &month(1), "2017-02-10")
            .await
            .unwrap();
        let growth = s
            .plan_indicators(&system, c.plan_id)
            .await
            .unwrap()
            .into_iter()
            .find(|i| {
                i.kind == qx_core::indicator::IndicatorKind::GrowthRate && i.lead_unit_id.is_some()
            })
            .expect("the seed plan has a growth indicator with a lead unit");
        let lead = growth.lead_unit_id.unwrap();
        let before = cache
            .picture(s, &system, c.plan_id, month(1))
            .await
            .unwrap();
        let row = |p: &qx_app::monitoring::Picture| {
            p.indicators
                .iter()
                .find(|i| i.indicator.id == growth.id)
                .unwrap()
                .clone()
        };
        assert_eq!(row(&before).actual, None, "{name}");

        // Submitted is not yet approved: same figures. Approved: the new figure shows.
        let sub = s
            .save_submission(
                &system,
                pid,
                lead,
                &SubmissionInput {
                    values: vec![(growth.id, "1".into(), String::new())],
                    tasks: Vec::new(),
                },
                true,
            )
            .await
            .unwrap();
        assert_eq!(
            row(&cache
                .picture(s, &system, c.plan_id, month(1))
                .await
                .unwrap())
            .actual,
            None
        );
        s.review_submission(&c.office, sub, true, "").await.unwrap();
        let approved = cache
            .picture(s, &system, c.plan_id, month(1))
            .await
            .unwrap();
        assert_eq!(row(&approved).actual, Some(1.0), "{name}");
        let light = row(&approved).assessment.light;

        // A threshold written straight into settings (even outside an audited change) is seen.
        let mut tx = s.begin().await.unwrap();
        Store::put_setting(&mut tx, "monitor.yellow_gap_points", "100")
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let relaxed = cache
            .picture(s, &system, c.plan_id, month(1))
            .await
            .unwrap();
        assert_ne!(row(&relaxed).assessment.light, light, "{name}: {light:?}");
        assert_eq!(
            row(&relaxed).assessment.light,
            qx_core::monitor::Light::Yellow
        );

        // A leader is served the same picture; a draft plan stays the office's.
        let leader = user_of(s, "leader", Role::Leader, c.jxj).await;
        let seen = cache
            .picture(s, &leader, c.plan_id, month(1))
            .await
            .unwrap();
        assert_eq!(row(&seen).actual, Some(1.0));
        let draft = qx_app::plan_import::import_document(
            s,
            &c.office,
            qx_demo::plan::SEED_PLAN.as_bytes(),
            "draft.txt",
        )
        .await
        .unwrap();
        cache
            .picture(s, &c.office, draft.plan_id, month(1))
            .await
            .unwrap();
        assert!(
            cache
                .picture(s, &leader, draft.plan_id, month(1))
                .await
                .is_err(),
            "{name}: a leader cannot read a draft, cached or not"
        );
    }
}
