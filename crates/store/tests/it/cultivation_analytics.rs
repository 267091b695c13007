//! A pipeline's analytics and the bulletin's year summary on both engines: the funnel (reached,
//! conversion, median days), entries and exits by month, by town and industry, the filters,
//! and scope (a town reads its own firms only).

use qx_core::access::{Actor, Role};
use qx_core::cultivation::{Milestone, MoveKind};
use qx_store::Store;
use qx_store::cultivation::{AnalyticsFilter, MoveRequest, NewEntry};
use qx_store::enterprises::RegistryRow;

async fn town(store: &Store, name: &str, slug: &str) -> i64 {
    qx_store::testing::town(store, name, slug).await.unwrap()
}

fn firm(i: usize, town: i64, industry: &str) -> RegistryRow {
    let code = qx_core::codes::CreditCode::complete(&format!("91330225{i:08}0")).unwrap();
    RegistryRow {
        credit_code: code.as_str().to_string(),
        name: format!("培育测试{i}有限公司"),
        town_id: Some(town),
        industry_code: Some(industry.into()),
        scale: qx_core::scale::Scale::Below,
        land_mu: None,
        address: String::new(),
        service_contact: String::new(),
        service_phone: String::new(),
        tags: vec![],
    }
}

fn step(kind: MoveKind, to: Option<i64>, on: &str) -> MoveRequest {
    MoveRequest {
        kind,
        to_stage_id: to,
        on_date: on.into(),
        evidence: String::new(),
        credit_code: String::new(),
        certificate_no: String::new(),
        board: String::new(),
        stock_code: String::new(),
    }
}

#[tokio::test]
async fn a_pipelines_funnel_months_and_groups_on_both_engines() {
    for db in qx_store::testing::all().await.unwrap() {
        let store = &db.store;
        let name = db.name;
        let office = Actor::system();
        let sp = town(store, "石浦镇", "sp").await;
        let xz = town(store, "西周镇", "xz").await;
        let rows = vec![
            firm(1, sp, "3411"),
            firm(2, sp, "3412"),
            firm(3, xz, "2611"),
        ];
        store
            .import_enterprises(&office, "名录", &rows)
            .await
            .unwrap();
        let codes = store.enterprise_codes().await.unwrap();
        let ids: Vec<i64> = rows.iter().map(|r| codes[&r.credit_code].0).collect();
        let xsg = store.cultivation_pipeline_by_code("xsg").await.unwrap();
        let stage = |i: usize| xsg.stages[i].id;
        let enter = |firm: i64, on: &'static str| NewEntry {
            pipeline_id: xsg.id,
            enterprise_id: Some(firm),
            stage_id: stage(0),
            on_date: on.into(),
            ..NewEntry::default()
        };
        // 1: entered in January, up in March (59 days), above scale in May (70 days).
        let e1 = store
            .enter_cultivation(&office, &enter(ids[0], "2017-01-01"))
            .await
            .unwrap();
        store
            .move_cultivation(
                &office,
                e1,
                &step(MoveKind::Advance, Some(stage(1)), "2017-03-01"),
            )
            .await
            .unwrap();
        store
            .move_cultivation(
                &office,
                e1,
                &step(MoveKind::Advance, Some(stage(2)), "2017-05-10"),
            )
            .await
            .unwrap();
        // 2: entered in February, left in June.
        let e2 = store
            .enter_cultivation(&office, &enter(ids[1], "2017-02-01"))
            .await
            .unwrap();
        store
            .move_cultivation(&office, e2, &step(MoveKind::Exit, None, "2017-06-30"))
            .await
            .unwrap();
        // 3 (西周镇): entered in 2016, still at the first stage.
        store
            .enter_cultivation(&office, &enter(ids[2], "2016-11-20"))
            .await
            .unwrap();

        let all = AnalyticsFilter {
            pipeline_id: xsg.id,
            year: 2017,
            ..AnalyticsFilter::default()
        };
        let a = store.cultivation_analytics(&office, &all).await.unwrap();
        let reached: Vec<i64> = a.stages.iter().map(|s| s.reached).collect();
        assert_eq!(reached, [3, 1, 1], "{name}");
        let standing: Vec<i64> = a.stages.iter().map(|s| s.standing).collect();
        assert_eq!(standing, [1, 0, 1], "{name}");
        assert_eq!(a.stages[0].conversion_pct, Some(33.3), "{name}");
        assert_eq!(a.stages[0].median_days, Some(59), "{name}");
        assert_eq!(a.stages[1].median_days, Some(70), "{name}");
        let entered: Vec<i64> = a.months.iter().map(|m| m.entered).collect();
        assert_eq!(entered, [1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], "{name}");
        assert_eq!(a.months[5].exited, 1, "{name}");
        let sp_row = a.by_town.iter().find(|g| g.key == "石浦镇").unwrap();
        assert_eq!(
            (
                sp_row.standing,
                sp_row.entered,
                sp_row.exited,
                sp_row.completed
            ),
            (1, 2, 1, 1),
            "{name}"
        );
        assert!(
            a.by_industry
                .iter()
                .any(|g| g.key == "26 化学原料和化学制品制造业" && g.standing == 1)
        );

        // Filters: one town, one industry.
        let xz_only = AnalyticsFilter {
            town_id: Some(xz),
            ..all.clone()
        };
        let a = store
            .cultivation_analytics(&office, &xz_only)
            .await
            .unwrap();
        assert_eq!(a.stages[0].reached, 1, "{name}");
        let metal = AnalyticsFilter {
            industry: "34".into(),
            ..all.clone()
        };
        let a = store.cultivation_analytics(&office, &metal).await.unwrap();
        assert_eq!(a.stages[0].reached, 2, "{name}");

        // Scope: 西周镇 reads its own firm only, whatever it asks for.
        let xz_unit = Actor {
            user_id: 9,
            username: "xz".into(),
            role: Role::Unit,
            unit_id: Some(xz),
            enterprise_id: None,
            ip: String::new(),
        };
        let a = store.cultivation_analytics(&xz_unit, &all).await.unwrap();
        assert_eq!(a.stages[0].reached, 1, "{name}");
        assert_eq!(a.by_town.len(), 1, "{name}");

        // The bulletin's summary as 30 June stood, and as 31 March stood.
        let june = store
            .cultivation_year_summary("2017-06-30")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (june.active, june.entered, june.exited),
            (2, 2, 1),
            "{name}"
        );
        assert_eq!(june.reached, vec![(Milestone::AboveScale, 1)], "{name}");
        let march = store
            .cultivation_year_summary("2017-03-31")
            .await
            .unwrap()
            .unwrap();
        assert_eq!((march.active, march.exited), (3, 0), "{name}");
        assert!(march.reached.is_empty(), "{name}");
    }
}

#[tokio::test]
async fn no_library_no_summary() {
    for db in qx_store::testing::all().await.unwrap() {
        assert_eq!(
            db.store
                .cultivation_year_summary("2017-06-30")
                .await
                .unwrap(),
            None,
            "{}",
            db.name
        );
    }
}
