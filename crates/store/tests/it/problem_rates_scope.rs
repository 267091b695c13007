//! Who reads which 难题 rates, enforced in the store on every engine: the office and leaders
//! every rate; a unit the county's figures (overall, by tier, by category) and of the units its
//! own line only, never another unit's (a filter on one is "not found"); an enterprise none.

use qx_core::access::{Actor, Role};
use qx_core::problem::{Category, Deadlines, Status, Tier, TimeLimits};
use qx_core::units::UnitKind;
use qx_store::enterprises::{NewEnterprise, insert_enterprise};
use qx_store::problems::{Outcome, ProblemSeed, RateFilter, RateGroup, insert_problem_row};
use qx_store::testing::{self, TestDb};
use qx_store::units::NewUnit;
use qx_store::{Store, StoreError};
use time::macros::date;

fn unit(name: &str, kind: UnitKind) -> NewUnit {
    NewUnit {
        kind,
        name: name.into(),
        full_name: name.into(),
        region_code: None,
        parent_id: None,
        slug: name.into(),
        aliases: vec![],
        sort_order: 0,
    }
}

fn reader(role: Role, unit_id: Option<i64>, enterprise_id: Option<i64>) -> Actor {
    Actor {
        user_id: 900,
        username: format!("{role:?}"),
        role,
        unit_id,
        enterprise_id,
        ip: String::new(),
    }
}

/// Two towns with problems led by each (石浦 two, 西周 one) and one not yet routed; returns
/// (石浦, 西周, the enterprise).
async fn seeded(s: &Store) -> (i64, i64, i64) {
    let sys = Actor::system();
    let shipu = s
        .create_unit(&sys, &unit("石浦镇", UnitKind::Town))
        .await
        .unwrap();
    let xizhou = s
        .create_unit(&sys, &unit("西周镇", UnitKind::Town))
        .await
        .unwrap();
    let cal = s.work_calendar().await.unwrap();
    let mut tx = s.begin().await.unwrap();
    let ent = insert_enterprise(
        &mut tx,
        &NewEnterprise {
            credit_code: "913302257995213595".into(),
            name: "象山海天船舶".into(),
            town_id: Some(shipu),
            industry_code: None,
            scale: qx_core::scale::Scale::Above,
        },
    )
    .await
    .unwrap();
    let on = date!(2017 - 03 - 01);
    let deadlines = Deadlines::compute(&cal, on, on, TimeLimits::default(), 0).unwrap();
    for (lead, category) in [
        (Some(shipu), Category::Land),
        (Some(shipu), Category::Finance),
        (Some(xizhou), Category::Land),
        (None, Category::Land),
    ] {
        let status = if lead.is_some() {
            Status::Assigned
        } else {
            Status::Submitted
        };
        let seed = ProblemSeed {
            enterprise_id: ent,
            category,
            title: "扩建用地指标".into(),
            status,
            tier: Tier::Town,
            lead_unit_id: lead,
            submitted_on: on,
            deadlines,
            outcome: Outcome::default(),
        };
        insert_problem_row(&mut tx, &seed).await.unwrap();
    }
    tx.commit().await.unwrap();
    (shipu, xizhou, ent)
}

fn keys(lines: &[(String, qx_core::problem::Rates)]) -> Vec<String> {
    lines.iter().map(|(k, _)| k.clone()).collect()
}

#[tokio::test]
async fn a_unit_reads_the_county_s_rates_and_its_own_never_another_unit_s() {
    for TestDb { name, store: s, .. } in testing::all().await.unwrap() {
        let (shipu, xizhou, ent) = seeded(&s).await;
        let on = date!(2017 - 03 - 02);
        let all = RateFilter::default();
        let only = |unit: i64| RateFilter {
            unit_id: Some(unit),
            ..Default::default()
        };
        let office = reader(Role::Admin, None, None);
        let leader = reader(Role::Leader, None, None);
        let town = reader(Role::Unit, Some(shipu), None);
        let firm = reader(Role::Enterprise, None, Some(ent));

        // The county side reads the county's figures overall, by tier and by category.
        for who in [&office, &leader, &town] {
            let overall = s.problem_rates(who, &all, on).await.unwrap();
            assert_eq!(overall.counts.total, 4, "{name}: {}", who.username);
            let b = s.problem_rates_breakdown(who, &all, on).await.unwrap();
            assert_eq!(b.overall.counts.total, 4, "{name}");
            assert_eq!(keys(&b.by_category), ["finance", "land"], "{name}");
            assert_eq!(
                keys(
                    &s.problem_rates_by(who, RateGroup::Tier, &all, on)
                        .await
                        .unwrap()
                ),
                keys(&b.by_tier),
                "{name}"
            );
            assert_eq!(
                s.problem_rates_scan(who, &all, on).await.unwrap().counts,
                overall.counts,
                "{name}"
            );
        }
        // By unit: the county side every unit's (the unrouted first), a unit its own line only.
        let every = vec![String::new(), shipu.to_string(), xizhou.to_string()];
        for who in [&office, &leader] {
            let b = s.problem_rates_breakdown(who, &all, on).await.unwrap();
            assert_eq!(keys(&b.by_unit), every, "{name}");
            let by = s
                .problem_rates_by(who, RateGroup::Unit, &all, on)
                .await
                .unwrap();
            assert_eq!(keys(&by), every, "{name}");
            let theirs = s.problem_rates(who, &only(xizhou), on).await.unwrap();
            assert_eq!(theirs.counts.total, 1, "{name}");
        }
        let b = s.problem_rates_breakdown(&town, &all, on).await.unwrap();
        assert_eq!(keys(&b.by_unit), [shipu.to_string()], "{name}");
        assert_eq!(b.by_unit[0].1.counts.total, 2, "{name}");
        let by = s
            .problem_rates_by(&town, RateGroup::Unit, &all, on)
            .await
            .unwrap();
        assert_eq!(keys(&by), [shipu.to_string()], "{name}");
        let own = s.problem_rates(&town, &only(shipu), on).await.unwrap();
        assert_eq!(own.counts.total, 2, "{name}");

        // Another unit's rates, asked for by name, do not exist for it.
        let other = only(xizhou);
        assert!(
            matches!(
                s.problem_rates(&town, &other, on).await,
                Err(StoreError::NotFound(_))
            ),
            "{name}"
        );
        assert!(
            matches!(
                s.problem_rates_by(&town, RateGroup::Category, &other, on)
                    .await,
                Err(StoreError::NotFound(_))
            ),
            "{name}"
        );
        assert!(
            matches!(
                s.problem_rates_breakdown(&town, &other, on).await,
                Err(StoreError::NotFound(_))
            ),
            "{name}"
        );
        assert!(
            matches!(
                s.problem_rates_scan(&town, &other, on).await,
                Err(StoreError::NotFound(_))
            ),
            "{name}"
        );

        // An enterprise reads no rates at all.
        assert!(
            matches!(
                s.problem_rates(&firm, &all, on).await,
                Err(StoreError::Forbidden(_))
            ),
            "{name}"
        );
        assert!(
            matches!(
                s.problem_rates_by(&firm, RateGroup::Tier, &all, on).await,
                Err(StoreError::Forbidden(_))
            ),
            "{name}"
        );
        assert!(
            matches!(
                s.problem_rates_breakdown(&firm, &all, on).await,
                Err(StoreError::Forbidden(_))
            ),
            "{name}"
        );
    }
}
