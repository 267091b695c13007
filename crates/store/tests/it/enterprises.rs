//! 企业名录 and 亩均评价 storage on both engines: scope, all-or-nothing imports, runs with
//! provenance, 调档, 公示 and objections, aggregates and class changes.

use qx_core::access::{Actor, Role};
use qx_core::units::UnitKind;
use qx_store::Store;
use qx_store::enterprises::{EnterpriseFilter, FactRow, Facts, RegistryRow};
use qx_store::evaluation::{AggregateBy, ItemResult, NewResult, NewRun, ResultFilter};
use qx_store::units::NewUnit;

fn actor(role: Role, unit_id: Option<i64>, enterprise_id: Option<i64>) -> Actor {
    Actor {
        user_id: 7,
        username: "t".into(),
        role,
        unit_id,
        enterprise_id,
        ip: String::new(),
    }
}

async fn town(store: &Store, name: &str, slug: &str, code: &str) -> i64 {
    store
        .create_unit(
            &Actor::system(),
            &NewUnit {
                kind: UnitKind::Town,
                name: name.into(),
                full_name: name.into(),
                region_code: Some(code.into()),
                parent_id: None,
                slug: slug.into(),
                aliases: vec![],
                sort_order: 0,
            },
        )
        .await
        .unwrap()
}

fn row(code: &str, name: &str, town: i64, scale: &str, tags: &[&str]) -> RegistryRow {
    RegistryRow {
        credit_code: code.into(),
        name: name.into(),
        town_id: Some(town),
        industry_code: Some("3411".into()),
        scale: qx_core::scale::Scale::parse(scale).unwrap(),
        land_mu: Some(30.0),
        address: String::new(),
        service_contact: "王五".into(),
        service_phone: "13800000000".into(),
        tags: tags.iter().map(|t| t.to_string()).collect(),
    }
}

fn result(id: i64, town: i64, class: &str, rank: i64, tax: f64, land: f64) -> NewResult {
    NewResult {
        enterprise_id: id,
        scale: qx_core::scale::Scale::Above,
        town_id: Some(town),
        industry_code: Some("3411".into()),
        group_label: "above".into(),
        group_size: 2,
        total: 100.0 / rank as f64,
        adjustment: 0.0,
        rank,
        initial_class: class.into(),
        class: class.into(),
        adjust_reason: None,
        land_mu: Some(land),
        tax_wan: Some(tax),
        added_value_wan: None,
        items: vec![ItemResult {
            key: "tax_per_mu".into(),
            label: "亩均税收".into(),
            value: Some(tax / land),
            benchmark: Some(24.097),
            weight: 30.0,
            score: tax / land / 24.097 * 30.0,
            imputed: false,
        }],
        adjustments: Vec::new(),
    }
}

#[tokio::test]
async fn registry_facts_runs_and_scope_on_both_engines() {
    for db in qx_store::testing::all().await.unwrap() {
        let store = &db.store;
        let office = Actor::system();
        let sp = town(store, "石浦镇", "sp", "330225101").await;
        let xz = town(store, "西周镇", "xz", "330225102").await;

        let rows = vec![
            row(
                "914403001922038216",
                "甲公司",
                sp,
                "above",
                &["高新技术企业", "上市储备"],
            ),
            row("91310110666007217T", "乙公司", xz, "above", &[]),
        ];
        let s = store
            .import_enterprises(&office, "名录.xlsx", &rows)
            .await
            .unwrap();
        assert_eq!((s.created, s.updated), (2, 0), "{}", db.name);
        // Re-import updates in place.
        let mut again = rows.clone();
        again[0].name = "甲公司(新)".into();
        again[0].tags = vec!["上市储备".into()];
        let s = store
            .import_enterprises(&office, "名录2.xlsx", &again)
            .await
            .unwrap();
        assert_eq!((s.created, s.updated), (0, 2));
        let codes = store.enterprise_codes().await.unwrap();
        let (a, b) = (codes["914403001922038216"].0, codes["91310110666007217T"].0);
        let detail = store.enterprise_detail(&office, a).await.unwrap();
        assert_eq!(
            (detail.name.as_str(), detail.tags.as_str()),
            ("甲公司(新)", "上市储备")
        );
        assert_eq!(detail.town_name.as_deref(), Some("石浦镇"));

        // Only the office writes.
        let leader = actor(Role::Leader, None, None);
        assert!(store.import_enterprises(&leader, "x", &rows).await.is_err());

        // Scope: a town sees its own, an enterprise itself.
        let sp_user = actor(Role::Unit, Some(sp), None);
        let ent_b = actor(Role::Enterprise, None, Some(b));
        assert_eq!(store.list_enterprises(&sp_user).await.unwrap().len(), 1);
        assert!(store.get_enterprise(&sp_user, b).await.is_err());
        assert!(store.get_enterprise(&ent_b, a).await.is_err());
        let (list, n) = store
            .search_enterprises(
                &office,
                &EnterpriseFilter {
                    tag: "上市储备".into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!((list.len(), n), (1, 1));
        let (_, n) = store
            .search_enterprises(
                &office,
                &EnterpriseFilter {
                    industry: "34".into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(n, 2);
        let (_, n) = store
            .search_enterprises(&ent_b, &EnterpriseFilter::default())
            .await
            .unwrap();
        assert_eq!(n, 1);

        // Facts per data year; a second import replaces the year's row.
        let facts = |tax: f64| Facts {
            land_mu: Some(30.0),
            tax_wan: Some(tax),
            added_value_wan: None,
            ..Default::default()
        };
        let fr = vec![
            FactRow {
                enterprise_id: a,
                scale: qx_core::scale::Scale::Above,
                facts: facts(900.0),
                extras: Vec::new(),
            },
            FactRow {
                enterprise_id: b,
                scale: qx_core::scale::Scale::Above,
                facts: facts(60.0),
                extras: Vec::new(),
            },
        ];
        store
            .import_facts(&office, 2016, "2016.csv", &fr, &[])
            .await
            .unwrap();
        let mut fr2 = fr.clone();
        fr2[1].facts.tax_wan = Some(30.0);
        let s = store
            .import_facts(&office, 2016, "2016b.csv", &fr2, &[])
            .await
            .unwrap();
        assert_eq!((s.created, s.updated), (0, 2));
        let input = store.eval_input(&office, 2016).await.unwrap();
        assert_eq!(input.len(), 2);
        assert_eq!(
            input
                .iter()
                .find(|r| r.enterprise_id == b)
                .unwrap()
                .facts
                .tax_wan,
            Some(30.0)
        );
        assert_eq!(
            store.enterprise_facts(&ent_b, b).await.unwrap()[0]
                .facts
                .tax_wan,
            Some(30.0)
        );
        assert!(store.eval_input(&leader, 2016).await.is_err());

        // Schemes are versioned.
        let v1 = store
            .save_scheme(&office, 2016, "默认", "name = \"默认\"", "")
            .await
            .unwrap();
        let v2 = store
            .save_scheme(&office, 2016, "默认", "name = \"默认2\"", "改基准")
            .await
            .unwrap();
        assert_eq!((v1.version, v2.version), (1, 2));
        assert_eq!(store.current_scheme(2016).await.unwrap().unwrap().id, v2.id);
        assert_eq!(store.scheme_versions(2016).await.unwrap().len(), 2);

        // Runs: 2015 and 2016, so class changes show.
        let new_run = |year| NewRun {
            year,
            scheme_id: Some(v2.id),
            scheme_name: "默认".into(),
            scheme_toml: "[[classes]]\nname = \"A\"\n[[classes]]\nname = \"D\"".into(),
            warnings: vec![],
        };
        let r15 = store
            .save_run(
                &office,
                &new_run(2015),
                &[
                    result(a, sp, "B", 1, 800.0, 30.0),
                    result(b, xz, "C", 2, 60.0, 30.0),
                ],
            )
            .await
            .unwrap();
        let r16 = store
            .save_run(
                &office,
                &new_run(2016),
                &[
                    result(a, sp, "A", 1, 900.0, 30.0),
                    result(b, xz, "C", 2, 30.0, 30.0),
                ],
            )
            .await
            .unwrap();

        // Drafts are the office's and leaders' only.
        assert!(store.get_run(&ent_b, r16).await.is_err());
        assert_eq!(
            store
                .run_results(&leader, r16, &ResultFilter::default())
                .await
                .unwrap()
                .len(),
            2
        );
        let low_tax = ResultFilter {
            tax_per_mu_below: Some(3.0),
            ..Default::default()
        };
        let low = store.run_results(&office, r16, &low_tax).await.unwrap();
        assert_eq!(low.len(), 1);
        assert_eq!(low[0].enterprise_id, b);
        assert_eq!(low[0].item_results().unwrap()[0].key, "tax_per_mu");
        // A stored breakdown that cannot be read (an unknown 加减分 kind) is an error naming
        // the enterprise, not an empty list that would read as "nothing applied".
        sqlx::query(
            "UPDATE eval_results SET adjustments = $1 WHERE run_id = $2 AND enterprise_id = $3",
        )
        .bind(r#"[{"kind":"reward","column":"c","label":"l","value":1.0,"points":1.0}]"#)
        .bind(r16)
        .bind(b)
        .execute(store.pool())
        .await
        .unwrap();
        let low = store.run_results(&office, r16, &low_tax).await.unwrap();
        let err = low[0].adjustment_results().unwrap_err().to_string();
        assert!(
            err.contains(&low[0].credit_code) && err.contains("加减分明细"),
            "{err}"
        );
        let by_town = store
            .run_results(
                &office,
                r16,
                &ResultFilter {
                    town_id: Some(sp),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(by_town.len(), 1);

        // 调档 needs a reason and a known class; it is audited.
        assert!(
            store
                .override_class(&office, r16, b, "D", " ")
                .await
                .is_err()
        );
        assert!(
            store
                .override_class(&office, r16, b, "Z", "理由充分")
                .await
                .is_err()
        );
        store
            .override_class(&office, r16, b, "D", "发生重大安全生产事故")
            .await
            .unwrap();
        let lines = store
            .run_results(
                &office,
                r16,
                &ResultFilter {
                    enterprise_id: Some(b),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(
            (lines[0].class.as_str(), lines[0].initial_class.as_str()),
            ("D", "C")
        );
        assert_eq!(
            store.run_overrides(&office, r16, None).await.unwrap().len(),
            1
        );
        assert!(
            store
                .override_class(&leader, r16, b, "A", "领导说的")
                .await
                .is_err()
        );

        // 公示: enterprises see their own result and may object; the office answers.
        assert!(
            store
                .submit_objection(&ent_b, r16, b, "数据有误")
                .await
                .is_err(),
            "not yet in publicity"
        );
        store
            .start_publicity(&office, r16, "2017-04-01", "2017-04-07")
            .await
            .unwrap();
        let mine = store
            .run_results(&ent_b, r16, &ResultFilter::default())
            .await
            .unwrap();
        assert_eq!(mine.len(), 1);
        assert!(
            store
                .submit_objection(&ent_b, r16, a, "别人的")
                .await
                .is_err()
        );
        let obj = store
            .submit_objection(&ent_b, r16, b, "2016年税收漏报一笔")
            .await
            .unwrap();
        store
            .answer_objection(&office, obj, false, "经核实, 数据无误")
            .await
            .unwrap();
        let objs = store.objections(&ent_b, r16, None).await.unwrap();
        assert_eq!((objs.len(), objs[0].status.as_str()), (1, "rejected"));
        assert_eq!(
            store.objections(&sp_user, r16, None).await.unwrap().len(),
            0
        );
        store.finalize_run(&office, r16).await.unwrap();
        assert!(
            store
                .override_class(&office, r16, b, "C", "再调回来")
                .await
                .is_err()
        );

        // Aggregates and class changes.
        let agg = store
            .run_aggregates(&office, r16, AggregateBy::Town)
            .await
            .unwrap();
        assert_eq!(agg.len(), 2);
        let sp_row = agg
            .iter()
            .find(|r| r.key.as_deref() == Some("石浦镇"))
            .unwrap();
        assert_eq!(
            (sp_row.class.as_str(), sp_row.firms, sp_row.tax_wan),
            ("A", 1, Some(900.0))
        );
        assert_eq!(
            store
                .run_aggregates(&sp_user, r16, AggregateBy::Scale)
                .await
                .unwrap()
                .len(),
            1
        );
        assert_eq!(
            store
                .run_aggregates(&office, r16, AggregateBy::Industry)
                .await
                .unwrap()[0]
                .key
                .as_deref(),
            Some("34")
        );
        store
            .start_publicity(&office, r15, "2016-04-01", "2016-04-07")
            .await
            .unwrap();
        let changes = store.class_changes(&office, r16, r15).await.unwrap();
        assert_eq!(changes.len(), 2);
        let hist = store.enterprise_results(&ent_b, b).await.unwrap().unwrap();
        assert_eq!(
            hist.iter().map(|(r, _)| r.year).collect::<Vec<_>>(),
            vec![2016, 2015]
        );

        let audit = store.verify_audit().await.unwrap();
        assert!(audit.ok(), "{}", db.name);
    }
}

#[tokio::test]
async fn a_large_run_is_stored_in_seconds() {
    for db in qx_store::testing::all().await.unwrap() {
        let store = &db.store;
        let office = Actor::system();
        let sp = town(store, "石浦镇", "sp", "330225101").await;
        let n = 20_000usize;
        let rows: Vec<RegistryRow> = (0..n)
            .map(|i| {
                let code =
                    qx_core::codes::CreditCode::complete(&format!("91330225{i:08}0")).unwrap();
                row(code.as_str(), &format!("企业{i}"), sp, "above", &[])
            })
            .collect();
        let t = std::time::Instant::now();
        store
            .import_enterprises(&office, "big", &rows)
            .await
            .unwrap();
        let import = t.elapsed();
        let codes = store.enterprise_codes().await.unwrap();
        let facts: Vec<FactRow> = rows
            .iter()
            .map(|r| FactRow {
                enterprise_id: codes[&r.credit_code].0,
                scale: qx_core::scale::Scale::Above,
                facts: Facts {
                    land_mu: Some(10.0),
                    tax_wan: Some(50.0),
                    ..Default::default()
                },
                extras: Vec::new(),
            })
            .collect();
        let t = std::time::Instant::now();
        store
            .import_facts(&office, 2016, "big", &facts, &[])
            .await
            .unwrap();
        let facts_time = t.elapsed();
        let results: Vec<NewResult> = facts
            .iter()
            .enumerate()
            .map(|(i, f)| result(f.enterprise_id, sp, "B", i as i64 + 1, 50.0, 10.0))
            .collect();
        let t = std::time::Instant::now();
        let run = NewRun {
            year: 2016,
            scheme_id: None,
            scheme_name: "x".into(),
            scheme_toml: String::new(),
            warnings: vec![],
        };
        let id = store.save_run(&office, &run, &results).await.unwrap();
        let save = t.elapsed();
        eprintln!(
            "{}: registry {n} rows {import:?}, facts {facts_time:?}, results {save:?}",
            db.name
        );
        assert_eq!(
            store
                .run_results(&office, id, &ResultFilter::default())
                .await
                .unwrap()
                .len(),
            n
        );
        assert!(save.as_secs() < 10 && facts_time.as_secs() < 10);
    }
}

/// A run of one enterprise (class C) under a scheme named like a class would be written.
pub(crate) async fn one_firm_run(store: &Store, scheme_toml: &str) -> (i64, i64) {
    let office = Actor::system();
    let sp = town(store, "石浦镇", "sp", "330225101").await;
    let rows = vec![row("914403001922038216", "甲公司", sp, "above", &[])];
    store
        .import_enterprises(&office, "名录.xlsx", &rows)
        .await
        .unwrap();
    let id = store.list_enterprises(&office).await.unwrap()[0].id;
    let run = NewRun {
        year: 2016,
        scheme_id: None,
        scheme_name: "黄岩".into(),
        scheme_toml: scheme_toml.into(),
        warnings: vec![],
    };
    let run_id = store
        .save_run(&office, &run, &[result(id, sp, "C", 1, 90.0, 30.0)])
        .await
        .unwrap();
    (run_id, id)
}

#[tokio::test]
async fn a_class_override_accepts_the_schemes_classes_not_its_name() {
    let toml = "name = \"黄岩\"\n[[classes]]\nname = \"A\"\nmax_pct = 0.5\n[[classes]]\nname = \"C\"\n\
                [policy]\nnote = \"name = \\\"Z\\\"\"\n";
    for db in qx_store::testing::all().await.unwrap() {
        let store = &db.store;
        let office = Actor::system();
        let (run, firm) = one_firm_run(store, toml).await;
        for not_a_class in ["黄岩", "Z"] {
            let e = store
                .override_class(&office, run, firm, not_a_class, "理由充分")
                .await
                .unwrap_err();
            assert!(
                e.to_string().contains("不在评价方案中"),
                "{}: {not_a_class}: {e}",
                db.name
            );
        }
        store
            .override_class(&office, run, firm, "A", "理由充分")
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn an_objection_is_answered_once_and_states_are_typed() {
    use qx_core::evaluation::{ObjectionStatus, RunStatus};
    for db in qx_store::testing::all().await.unwrap() {
        let store = &db.store;
        let office = Actor::system();
        let (run, firm) = one_firm_run(store, "").await;
        assert_eq!(
            store.get_run(&office, run).await.unwrap().status,
            RunStatus::Draft
        );
        store
            .start_publicity(&office, run, "2017-04-01", "2017-04-07")
            .await
            .unwrap();
        let again = store
            .start_publicity(&office, run, "2017-04-01", "2017-04-07")
            .await
            .unwrap_err();
        assert!(
            again.to_string().contains("只有草稿可以进入公示"),
            "{again}"
        );
        let ent = actor(Role::Enterprise, None, Some(firm));
        let obj = store
            .submit_objection(&ent, run, firm, "税收漏报")
            .await
            .unwrap();
        store
            .answer_objection(&office, obj, true, "已更正")
            .await
            .unwrap();
        let twice = store
            .answer_objection(&office, obj, false, "改主意了")
            .await
            .unwrap_err();
        assert!(twice.to_string().contains("已答复"), "{}: {twice}", db.name);
        let objs = store.objections(&office, run, None).await.unwrap();
        assert_eq!(
            (objs[0].status, objs[0].reply.as_str()),
            (ObjectionStatus::Accepted, "已更正")
        );
        store.finalize_run(&office, run).await.unwrap();
        let run_now = store.get_run(&office, run).await.unwrap();
        assert_eq!(run_now.status, RunStatus::Final);
        assert!(run_now.finalized_at.is_some());
    }
}

/// Every column the engine reads goes through `Facts::set`, the upsert and the reads in its own
/// place on both engines: no value lands in another column or is lost.
#[tokio::test]
async fn every_fact_column_is_stored_and_read_back_in_its_place() {
    use qx_store::enterprises::FACT_COLUMNS;
    for db in qx_store::testing::all().await.unwrap() {
        let store = &db.store;
        let office = Actor::system();
        let sp = town(store, "石浦镇", "sp", "330225101").await;
        store
            .import_enterprises(
                &office,
                "名录.csv",
                &[row("914403001922038216", "甲公司", sp, "above", &[])],
            )
            .await
            .unwrap();
        let id = store.enterprise_codes().await.unwrap()["914403001922038216"].0;
        let mut facts = Facts::default();
        for (i, c) in FACT_COLUMNS.iter().enumerate() {
            facts.set(c, Some(10.0 * (i as f64 + 1.0))).unwrap();
        }
        let fact_row = FactRow {
            enterprise_id: id,
            scale: qx_core::scale::Scale::Above,
            facts: facts.clone(),
            extras: Vec::new(),
        };
        store
            .import_facts(&office, 2016, "2016.csv", &[fact_row], &[])
            .await
            .unwrap();
        let input = store.eval_input(&office, 2016).await.unwrap();
        let years = store.enterprise_facts(&office, id).await.unwrap();
        for c in FACT_COLUMNS {
            assert_eq!(input[0].facts.get(c), facts.get(c), "{}: {c}", db.name);
            assert_eq!(years[0].facts.get(c), facts.get(c), "{}: {c}", db.name);
        }
        db.discard().await.unwrap();
    }
}
