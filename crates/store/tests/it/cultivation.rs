//! 企业培育库 on both engines: the seeded pipelines, 小升规 candidates from the facts, accepting
//! them, dated moves and their refusals, scope (town, responsible unit, enterprise), the
//! office's pipeline edits, 个转企 linking the new firm, and the milestone counts.

use qx_core::access::{Actor, Role};
use qx_core::cultivation::{Candidacy, EntryStatus, Milestone, MoveKind};
use qx_core::units::UnitKind;
use qx_store::cultivation::{EntryFilter, MoveRequest, NewEntry, PipelineEdit, StageEdit};
use qx_store::enterprises::{FactRow, Facts, RegistryRow};
use qx_store::{Store, StoreError};

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

async fn unit(store: &Store, kind: UnitKind, name: &str, slug: &str) -> i64 {
    qx_store::testing::unit(store, kind, name, slug)
        .await
        .unwrap()
}

fn firm(i: usize, name: &str, town: i64, scale: &str) -> RegistryRow {
    let code = qx_core::codes::CreditCode::complete(&format!("91330225{i:08}0")).unwrap();
    RegistryRow {
        credit_code: code.as_str().to_string(),
        name: name.into(),
        town_id: Some(town),
        industry_code: Some("3411".into()),
        scale: qx_core::scale::Scale::parse(scale).unwrap(),
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
        evidence: "县经信局名单".into(),
        credit_code: String::new(),
        certificate_no: String::new(),
        board: String::new(),
        stock_code: String::new(),
    }
}

#[tokio::test]
async fn pipelines_candidates_moves_and_scope_on_both_engines() {
    for db in qx_store::testing::all().await.unwrap() {
        let store = &db.store;
        let office = Actor::system();
        let sp = unit(store, UnitKind::Town, "石浦镇", "sp").await;
        let xz = unit(store, UnitKind::Town, "西周镇", "xz").await;
        let jxj = unit(store, UnitKind::Department, "县经信局", "jxj").await;
        let rows = vec![
            firm(1, "甲公司", sp, "below"),
            firm(2, "乙公司", xz, "below"),
            firm(3, "丙公司", sp, "below"),
            firm(4, "丁公司", sp, "above"),
        ];
        store
            .import_enterprises(&office, "名录", &rows)
            .await
            .unwrap();
        let codes = store.enterprise_codes().await.unwrap();
        let id = |r: &RegistryRow| codes[&r.credit_code].0;
        let (a, b, c, d) = (id(&rows[0]), id(&rows[1]), id(&rows[2]), id(&rows[3]));
        let facts = |e: i64, scale: &str, rev: f64| FactRow {
            enterprise_id: e,
            scale: qx_core::scale::Scale::parse(scale).unwrap(),
            facts: Facts {
                revenue_wan: Some(rev),
                ..Default::default()
            },
            extras: vec![],
        };
        // 乙 crossed the line in 2016 only: the latest year is what counts.
        let y2015 = vec![facts(b, "below", 1000.0)];
        store
            .import_facts(&office, 2015, "2015", &y2015, &[])
            .await
            .unwrap();
        let y2016 = vec![
            facts(a, "below", 1800.0),
            facts(b, "below", 2100.0),
            facts(c, "below", 1200.0),
            facts(d, "above", 2500.0),
        ];
        store
            .import_facts(&office, 2016, "2016", &y2016, &[])
            .await
            .unwrap();

        // The built-in pipelines, in order, with their stages and milestones.
        let pipelines = store.cultivation_pipelines().await.unwrap();
        let names: Vec<&str> = pipelines.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "小升规",
                "个转企",
                "上市",
                "专精特新",
                "高新技术企业",
                "科技型中小企业",
                "创新型初创企业",
                "工程(技术)中心"
            ],
            "{}",
            db.name
        );
        let xsg = &pipelines[0];
        assert_eq!(xsg.stages.len(), 3);
        assert_eq!(xsg.stages[2].milestone, Some(Milestone::AboveScale));
        assert_eq!(pipelines[2].stages.len(), 6);
        assert_eq!(pipelines[4].validity_years, Some(3));

        // Candidates: the crossed one first, then by distance; nothing below the floor or above scale.
        let cands = store.cultivation_candidates(&office).await.unwrap();
        let seen: Vec<(i64, Candidacy)> = cands
            .iter()
            .map(|c| (c.enterprise_id, c.candidacy))
            .collect();
        assert_eq!(
            seen,
            [
                (b, Candidacy::Crossed),
                (a, Candidacy::Approaching { distance: 200.0 })
            ]
        );
        let sp_user = actor(Role::Unit, Some(sp), None);
        let for_sp = store.cultivation_candidates(&sp_user).await.unwrap();
        assert_eq!(
            for_sp.iter().map(|c| c.enterprise_id).collect::<Vec<_>>(),
            [a]
        );
        // The floor is the office's: at 1100 丙 appears.
        store
            .set_cultivation_candidate_floor(&office, 1100.0)
            .await
            .unwrap();
        assert_eq!(
            store.cultivation_candidates(&office).await.unwrap().len(),
            3
        );
        store
            .set_cultivation_candidate_floor(&office, 1500.0)
            .await
            .unwrap();

        // Only the office accepts; accepting enters the right stage, never silently.
        let leader = actor(Role::Leader, None, None);
        assert!(matches!(
            store
                .accept_cultivation_candidate(&leader, a, "2017-03-01")
                .await,
            Err(StoreError::Forbidden(_))
        ));
        let ea = store
            .accept_cultivation_candidate(&office, a, "2017-03-01")
            .await
            .unwrap();
        let eb = store
            .accept_cultivation_candidate(&office, b, "2017-04-10")
            .await
            .unwrap();
        let (entry_b, _) = store.cultivation_entry(&office, eb).await.unwrap();
        assert_eq!(entry_b.stage_id, xsg.stages[1].id, "crossed: 达到规模标准");
        assert!(
            store
                .cultivation_candidates(&office)
                .await
                .unwrap()
                .is_empty()
        );

        // Moves: dated, in order, by the table.
        let top = xsg.stages[2].id;
        let early = store
            .move_cultivation(
                &office,
                eb,
                &step(MoveKind::Advance, Some(top), "2017-04-01"),
            )
            .await;
        assert!(
            matches!(&early, Err(StoreError::Invalid(m)) if m.contains("不能早于")),
            "{early:?}"
        );
        let back = store
            .move_cultivation(
                &office,
                eb,
                &step(MoveKind::StepBack, Some(top), "2017-06-30"),
            )
            .await;
        assert!(back.is_err());
        store
            .move_cultivation(
                &office,
                eb,
                &step(MoveKind::Advance, Some(top), "2017-06-30"),
            )
            .await
            .unwrap();
        let (_, timeline) = store.cultivation_entry(&office, eb).await.unwrap();
        let kinds: Vec<MoveKind> = timeline.iter().map(|m| m.kind).collect();
        assert_eq!(kinds, [MoveKind::Enter, MoveKind::Advance]);
        assert_eq!(timeline[1].to_stage.as_deref(), Some("纳入规上统计"));

        // Counted by the date the stage was reached.
        let n =
            |to: &'static str| store.cultivation_reached(Milestone::AboveScale, "2017-01-01", to);
        assert_eq!(n("2017-05-31").await.unwrap(), 0);
        assert_eq!(n("2017-06-30").await.unwrap(), 1);

        // Scope: the town its own firm's entry, the enterprise itself, the responsible unit all.
        assert!(store.cultivation_entry(&sp_user, ea).await.is_ok());
        assert!(matches!(
            store.cultivation_entry(&sp_user, eb).await,
            Err(StoreError::NotFound(_))
        ));
        let ent_b = actor(Role::Enterprise, None, Some(b));
        assert!(store.cultivation_entry(&ent_b, eb).await.is_ok());
        assert!(store.cultivation_entry(&ent_b, ea).await.is_err());
        let jxj_user = actor(Role::Unit, Some(jxj), None);
        let list = |who: &Actor| {
            let f = EntryFilter {
                pipeline_id: xsg.id,
                limit: 50,
                ..Default::default()
            };
            let who = who.clone();
            async move { store.cultivation_entries(&who, &f).await.unwrap().1 }
        };
        assert_eq!(list(&jxj_user).await, 0);
        assert!(matches!(
            store.get_enterprise(&jxj_user, b).await,
            Err(StoreError::NotFound(_))
        ));
        assert_eq!(list(&sp_user).await, 1);
        assert_eq!(list(&office).await, 2);
        let mut edit = PipelineEdit {
            name: xsg.name.clone(),
            criteria: xsg.criteria.clone(),
            rule: "营业收入不低于２０００万元".into(),
            responsible_unit_id: Some(jxj),
            validity_years: None,
            stages: xsg
                .stages
                .iter()
                .map(|s| StageEdit {
                    id: Some(s.id),
                    name: s.name.clone(),
                    policy_text: String::new(),
                    policy_amount: String::new(),
                })
                .collect(),
        };
        edit.stages[2].policy_text = "首次上规奖励".into();
        edit.stages[2].policy_amount = "20".into();
        assert!(
            store
                .update_cultivation_pipeline(&leader, xsg.id, &edit)
                .await
                .is_err()
        );
        store
            .update_cultivation_pipeline(&office, xsg.id, &edit)
            .await
            .unwrap();
        // The rule is stored by code, whatever words it was typed in.
        let (stored,): (String,) =
            sqlx::query_as("SELECT rule FROM cultivation_pipelines WHERE id = $1")
                .bind(xsg.id)
                .fetch_one(store.pool())
                .await
                .unwrap();
        assert_eq!(stored, "revenue_wan >= 2000");
        assert_eq!(list(&jxj_user).await, 2);
        // Answering for the ladder, it opens the cards of the firms on it, and only those.
        assert!(store.get_enterprise(&jxj_user, b).await.is_ok());
        // Its 亩均 results stay with the office, the firm and its town.
        assert!(
            store
                .enterprise_results(&jxj_user, b)
                .await
                .unwrap()
                .is_none()
        );
        assert!(
            store
                .enterprise_results(&office, b)
                .await
                .unwrap()
                .is_some()
        );
        assert_eq!(store.enterprise_detail(&jxj_user, a).await.unwrap().id, a);
        assert!(matches!(
            store.get_enterprise(&jxj_user, c).await,
            Err(StoreError::NotFound(_))
        ));
        let listed: Vec<i64> = store
            .list_enterprises(&jxj_user)
            .await
            .unwrap()
            .iter()
            .map(|e| e.id)
            .collect();
        assert_eq!(listed, [a.min(b), a.max(b)]);
        let counts = store.cultivation_stage_counts(&sp_user).await.unwrap();
        assert_eq!(counts.iter().map(|c| c.entries).sum::<i64>(), 1);

        // The card's tracks carry the stage's policy.
        let tracks = store.cultivation_tracks(&ent_b, b).await.unwrap();
        assert_eq!(tracks.len(), 1);
        assert_eq!(tracks[0].stage_name, "纳入规上统计");
        assert_eq!(tracks[0].policy_amount_wan.as_deref(), Some("20"));

        // Edits are checked field by field.
        let mut bad = edit.clone();
        bad.rule = "利润 >= 2000".into();
        let e = store
            .update_cultivation_pipeline(&office, xsg.id, &bad)
            .await;
        assert!(
            matches!(&e, Err(StoreError::Invalid(m)) if m.contains("未知的指标")),
            "{e:?}"
        );
        let mut bad = edit.clone();
        bad.stages[0].policy_amount = "很多".into();
        assert!(
            store
                .update_cultivation_pipeline(&office, xsg.id, &bad)
                .await
                .is_err()
        );
        let mut more = edit.clone();
        more.stages.push(StageEdit {
            id: None,
            name: "在规三年".into(),
            ..Default::default()
        });
        store
            .update_cultivation_pipeline(&office, xsg.id, &more)
            .await
            .unwrap();
        assert_eq!(
            store
                .cultivation_pipeline(xsg.id)
                .await
                .unwrap()
                .stages
                .len(),
            4
        );

        // Exit and re-entry; the list of those who left.
        store
            .move_cultivation(&office, ea, &step(MoveKind::Exit, None, "2017-05-01"))
            .await
            .unwrap();
        let (entry_a, _) = store.cultivation_entry(&office, ea).await.unwrap();
        assert_eq!(entry_a.status, EntryStatus::Exited);
        let exit_again = store
            .move_cultivation(&office, ea, &step(MoveKind::Exit, None, "2017-05-02"))
            .await;
        assert!(exit_again.is_err());
        let f = EntryFilter {
            pipeline_id: xsg.id,
            status: Some(EntryStatus::Exited),
            limit: 50,
            ..Default::default()
        };
        assert_eq!(store.cultivation_entries(&office, &f).await.unwrap().1, 1);

        // 个转企: a household enters by name and 注册号, then links the new firm's credit code.
        let gzq = &pipelines[1];
        let eh = store
            .enter_cultivation(
                &office,
                &NewEntry {
                    pipeline_id: gzq.id,
                    name: "石浦老王海鲜排档".into(),
                    reg_no: "330225600123456".into(),
                    town_id: Some(sp),
                    stage_id: gzq.stages[0].id,
                    on_date: "2017-02-01".into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let mut convert = step(MoveKind::Advance, Some(gzq.stages[1].id), "2017-08-08");
        convert.credit_code = "91330225MA2X000000".into();
        assert!(
            store.move_cultivation(&office, eh, &convert).await.is_err(),
            "unknown code"
        );
        convert.credit_code = rows[2].credit_code.clone();
        store.move_cultivation(&office, eh, &convert).await.unwrap();
        let (linked, _) = store.cultivation_entry(&office, eh).await.unwrap();
        assert_eq!(linked.enterprise_id, Some(c));
        assert_eq!(
            store
                .cultivation_reached(Milestone::Converted, "2017-01-01", "2017-12-31")
                .await
                .unwrap(),
            1
        );
        // A firm enters a pipeline once.
        let twice = store
            .enter_cultivation(
                &office,
                &NewEntry {
                    pipeline_id: xsg.id,
                    enterprise_id: Some(b),
                    stage_id: xsg.stages[0].id,
                    on_date: "2017-09-01".into(),
                    ..Default::default()
                },
            )
            .await;
        assert!(matches!(twice, Err(StoreError::Conflict(_))), "{twice:?}");

        let audited = qx_store::testing::audit_entries(store, "cultivation.")
            .await
            .unwrap();
        assert!(audited.len() >= 9, "{}", audited.len());
        db.discard().await.unwrap();
    }
}

/// The indicators' one grouped query gives, month by month, what counting each milestone up to
/// each month's end gives; the entries list's one pass gives the same rows and totals under
/// every filter, a page past the end included.
#[tokio::test]
async fn grouped_counts_and_one_pass_list_agree_on_both_engines() {
    for db in qx_store::testing::all().await.unwrap() {
        let store = &db.store;
        let office = Actor::system();
        let sp = unit(store, UnitKind::Town, "石浦镇", "sp").await;
        let xz = unit(store, UnitKind::Town, "西周镇", "xz").await;
        let rows = vec![
            firm(1, "甲公司", sp, "below"),
            firm(2, "乙公司", xz, "below"),
            firm(3, "丙公司", sp, "below"),
            firm(4, "丁公司", sp, "below"),
        ];
        store
            .import_enterprises(&office, "名录", &rows)
            .await
            .unwrap();
        let codes = store.enterprise_codes().await.unwrap();
        let ids: Vec<i64> = rows.iter().map(|r| codes[&r.credit_code].0).collect();
        let pipelines = store.cultivation_pipelines().await.unwrap();
        let xsg = &pipelines[0];
        let s = |i: usize| xsg.stages[i].id;
        let enter = |e: i64, pipeline_id: i64, stage_id: i64, on: &str| NewEntry {
            pipeline_id,
            enterprise_id: Some(e),
            stage_id,
            on_date: on.into(),
            evidence: "名单".into(),
            ..NewEntry::default()
        };
        // 甲 reaches 纳入规上统计 in March, steps back, reaches it again in May: once, in March.
        let ea = store
            .enter_cultivation(&office, &enter(ids[0], xsg.id, s(0), "2017-01-10"))
            .await
            .unwrap();
        for (kind, to, on) in [
            (MoveKind::Advance, s(2), "2017-03-05"),
            (MoveKind::StepBack, s(1), "2017-04-01"),
            (MoveKind::Advance, s(2), "2017-05-02"),
        ] {
            store
                .move_cultivation(&office, ea, &step(kind, Some(to), on))
                .await
                .unwrap();
        }
        // 乙 enters at the milestone in February; 丁 reached it in 2016 (not this year's).
        store
            .enter_cultivation(&office, &enter(ids[1], xsg.id, s(2), "2017-02-10"))
            .await
            .unwrap();
        store
            .enter_cultivation(&office, &enter(ids[3], xsg.id, s(2), "2016-11-01"))
            .await
            .unwrap();
        // 丙 reaches it in July and leaves in August.
        let ec = store
            .enter_cultivation(&office, &enter(ids[2], xsg.id, s(0), "2016-12-01"))
            .await
            .unwrap();
        for (kind, to, on) in [
            (MoveKind::Advance, Some(s(2)), "2017-07-15"),
            (MoveKind::Exit, None, "2017-08-01"),
        ] {
            store
                .move_cultivation(&office, ec, &step(kind, to, on))
                .await
                .unwrap();
        }
        // Another milestone: the first stage carrying one on the 高新技术企业 pipeline.
        let gx = &pipelines[4];
        let gx_stage = gx.stages.iter().find(|s| s.milestone.is_some()).unwrap();
        store
            .enter_cultivation(&office, &enter(ids[0], gx.id, gx_stage.id, "2017-02-20"))
            .await
            .unwrap();

        let by_month = store
            .cultivation_reached_by_month(2017, "2017-12-31")
            .await
            .unwrap();
        assert_eq!(
            by_month[&Milestone::AboveScale],
            [0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0],
            "{}",
            db.name
        );
        for &m in Milestone::ALL {
            let months = by_month.get(&m).copied().unwrap_or([0; 12]);
            for month in 1..=12u8 {
                let end = qx_core::period::Period::new_month(2017, month)
                    .unwrap()
                    .last_day()
                    .to_string();
                let one = store
                    .cultivation_reached(m, "2017-01-01", &end)
                    .await
                    .unwrap();
                let sum: i64 = months[..usize::from(month)].iter().sum();
                assert_eq!(sum, one, "{} {m:?} to {end}", db.name);
            }
        }
        // Up to a day inside the year: nothing after it.
        let june = store
            .cultivation_reached_by_month(2017, "2017-06-15")
            .await
            .unwrap();
        assert_eq!(june[&Milestone::AboveScale].iter().sum::<i64>(), 2);
        assert!(store.has_cultivation_entries().await.unwrap());

        // The list: rows and total in one pass, every filter on the entry or the registry.
        let office = &office;
        let list = |f: EntryFilter| async move {
            let (rows, total) = store.cultivation_entries(office, &f).await.unwrap();
            (
                rows.iter().map(|r| r.name.clone()).collect::<Vec<_>>(),
                total,
            )
        };
        let all = EntryFilter {
            pipeline_id: xsg.id,
            limit: 50,
            ..Default::default()
        };
        let (names, total) = list(all.clone()).await;
        assert_eq!(total, 3, "{}", db.name);
        assert_eq!(names.len(), 3);
        let (page, total) = list(EntryFilter {
            limit: 1,
            offset: 1,
            ..all.clone()
        })
        .await;
        assert_eq!((page.len(), total), (1, 3));
        assert_eq!(page[0], names[1]);
        let (past, total) = list(EntryFilter {
            offset: 10,
            ..all.clone()
        })
        .await;
        assert_eq!(
            (past.len(), total),
            (0, 3),
            "a page past the end keeps its total"
        );
        let exited = list(EntryFilter {
            status: Some(EntryStatus::Exited),
            ..all.clone()
        })
        .await;
        assert_eq!(exited, (vec!["丙公司".to_string()], 1));
        let town = list(EntryFilter {
            town_id: Some(xz),
            ..all.clone()
        })
        .await;
        assert_eq!(town, (vec!["乙公司".to_string()], 1));
        let stage = list(EntryFilter {
            stage_id: Some(s(2)),
            industry: "34".into(),
            ..all.clone()
        })
        .await;
        assert_eq!(stage.1, 3);
        let other = list(EntryFilter {
            industry: "35".into(),
            ..all.clone()
        })
        .await;
        assert_eq!(other, (vec![], 0));
        let by_code = list(EntryFilter {
            q: rows[3].credit_code[8..16].to_string(),
            ..all.clone()
        })
        .await;
        assert_eq!(by_code, (vec!["丁公司".to_string()], 1));
        let by_name = list(EntryFilter {
            q: "甲".into(),
            town_id: Some(sp),
            ..all.clone()
        })
        .await;
        assert_eq!(by_name, (vec!["甲公司".to_string()], 1));
    }
}

/// The list's paging (#17): a page is cut from per-stage counts and a seek in each stage, so
/// every page size must give back the whole list in its order, without a row lost or repeated
/// where a page ends inside a run of equal dates (ties in stage_since, broken by id) or on a
/// stage's last row, under every filter and with the total unchanged.
#[tokio::test]
async fn list_pages_cut_the_same_order_across_stages_and_ties_on_both_engines() {
    for db in qx_store::testing::all().await.unwrap() {
        let store = &db.store;
        let office = Actor::system();
        let sp = unit(store, UnitKind::Town, "石浦镇", "sp").await;
        let xz = unit(store, UnitKind::Town, "西周镇", "xz").await;
        let rows: Vec<RegistryRow> = (0..14)
            .map(|i| {
                let mut r = firm(
                    20 + i,
                    &format!("培育{i:02}公司"),
                    if i % 3 == 0 { xz } else { sp },
                    "below",
                );
                r.industry_code = Some(if i % 2 == 0 { "3411" } else { "3511" }.into());
                r
            })
            .collect();
        store
            .import_enterprises(&office, "名录", &rows)
            .await
            .unwrap();
        let codes = store.enterprise_codes().await.unwrap();
        let xsg = store.cultivation_pipeline_by_code("xsg").await.unwrap();
        // Three stages, two dates per stage, so most pages end inside a tie.
        let dates = ["2017-03-01", "2017-05-10"];
        for (i, r) in rows.iter().enumerate() {
            store
                .enter_cultivation(
                    &office,
                    &NewEntry {
                        pipeline_id: xsg.id,
                        enterprise_id: Some(codes[&r.credit_code].0),
                        stage_id: xsg.stages[i % 3].id,
                        on_date: dates[(i / 3) % 2].into(),
                        ..Default::default()
                    },
                )
                .await
                .unwrap();
        }
        let ordinal = |name: &str| {
            xsg.stages
                .iter()
                .find(|s| s.name == name)
                .map(|s| s.ordinal)
                .unwrap()
        };
        let all = EntryFilter {
            pipeline_id: xsg.id,
            limit: 1000,
            ..Default::default()
        };
        let filters = [
            all.clone(),
            EntryFilter {
                town_id: Some(sp),
                ..all.clone()
            },
            EntryFilter {
                industry: "34".into(),
                ..all.clone()
            },
            EntryFilter {
                stage_id: Some(xsg.stages[1].id),
                ..all.clone()
            },
            EntryFilter {
                town_id: Some(sp),
                industry: "35".into(),
                q: "培育".into(),
                ..all.clone()
            },
        ];
        let expected_totals = [14, 9, 7, 5, 5];
        for (f, expected) in filters.iter().zip(expected_totals) {
            let (whole, total) = store.cultivation_entries(&office, f).await.unwrap();
            assert_eq!(total, expected, "{} {f:?}", db.name);
            assert_eq!(whole.len() as i64, total, "{} {f:?}", db.name);
            let key = |r: &qx_store::cultivation::EntryRow| {
                (
                    std::cmp::Reverse(ordinal(&r.stage_name)),
                    std::cmp::Reverse(r.stage_since.clone()),
                    r.id,
                )
            };
            let mut sorted = whole.clone();
            sorted.sort_by_key(key);
            let ids = |rs: &[qx_store::cultivation::EntryRow]| {
                rs.iter().map(|r| r.id).collect::<Vec<_>>()
            };
            assert_eq!(ids(&whole), ids(&sorted), "{} {f:?}", db.name);
            for size in 1..=5 {
                let mut paged = Vec::new();
                let mut offset = 0;
                loop {
                    let (page, t) = store
                        .cultivation_entries(
                            &office,
                            &EntryFilter {
                                limit: size,
                                offset,
                                ..f.clone()
                            },
                        )
                        .await
                        .unwrap();
                    assert_eq!(t, total, "{} size {size} offset {offset}", db.name);
                    if page.is_empty() {
                        break;
                    }
                    assert!(page.len() as i64 <= size);
                    paged.extend(page);
                    offset += size;
                }
                assert_eq!(ids(&paged), ids(&whole), "{} size {size} {f:?}", db.name);
            }
        }
    }
}

/// Every (stage, day, entries) row of `cultivation_reached_days`, in order.
async fn reached_days(store: &Store) -> Vec<(i64, String, i64)> {
    sqlx::query_as(
        "SELECT stage_id, on_date, entries FROM cultivation_reached_days \
         WHERE entries <> 0 ORDER BY stage_id, on_date",
    )
    .fetch_all(store.pool())
    .await
    .unwrap()
}

/// The indicators read the per-day counts the writer of moves keeps (migration 0033), not the
/// moves: after every move of a history across two years (a stage reached twice in a year,
/// left, entered again, a household, an import's moves) they agree, month by month, with the
/// grouping of the moves themselves, and a recount from the moves leaves them as they were.
#[tokio::test]
async fn the_kept_daily_counts_agree_with_the_moves_on_both_engines() {
    for db in qx_store::testing::all().await.unwrap() {
        let store = &db.store;
        let office = Actor::system();
        let sp = unit(store, UnitKind::Town, "石浦镇", "sp").await;
        let rows: Vec<RegistryRow> = (1..=4)
            .map(|i| firm(i, &format!("培育{i}公司"), sp, "below"))
            .collect();
        store
            .import_enterprises(&office, "名录", &rows)
            .await
            .unwrap();
        let codes = store.enterprise_codes().await.unwrap();
        let ids: Vec<i64> = rows.iter().map(|r| codes[&r.credit_code].0).collect();
        let pipelines = store.cultivation_pipelines().await.unwrap();
        let xsg = &pipelines[0];
        let s = |i: usize| Some(xsg.stages[i].id);
        let gx = pipelines
            .iter()
            .find(|p| p.stages.len() == 1 && p.stages[0].milestone.is_some())
            .unwrap();
        let agree = async |at: &str| {
            for year in [2016, 2017] {
                for to in [format!("{year}-06-30"), format!("{year}-12-31")] {
                    assert_eq!(
                        store.cultivation_reached_by_month(year, &to).await.unwrap(),
                        store
                            .cultivation_reached_by_month_from_moves(year, &to)
                            .await
                            .unwrap(),
                        "{} after {at}, {year} to {to}",
                        db.name
                    );
                }
            }
        };
        let enter = |e: Option<i64>, pipeline_id: i64, stage_id: i64, on: &str| NewEntry {
            pipeline_id,
            enterprise_id: e,
            name: if e.is_none() {
                "张三五金店".into()
            } else {
                String::new()
            },
            reg_no: if e.is_none() {
                "330225600012345".into()
            } else {
                String::new()
            },
            town_id: Some(sp),
            stage_id,
            on_date: on.into(),
            evidence: "名单".into(),
            ..NewEntry::default()
        };
        let a = store
            .enter_cultivation(
                &office,
                &enter(Some(ids[0]), xsg.id, s(0).unwrap(), "2016-03-01"),
            )
            .await
            .unwrap();
        let b = store
            .enter_cultivation(
                &office,
                &enter(Some(ids[1]), xsg.id, s(2).unwrap(), "2016-12-31"),
            )
            .await
            .unwrap();
        agree("entering").await;
        let history = [
            (a, MoveKind::Advance, s(2), "2016-05-01"),
            (a, MoveKind::StepBack, s(1), "2016-05-01"),
            (a, MoveKind::Advance, s(2), "2016-05-01"),
            (a, MoveKind::StepBack, s(1), "2016-09-01"),
            (a, MoveKind::Advance, s(2), "2017-01-01"),
            (b, MoveKind::Exit, None, "2017-02-01"),
            (b, MoveKind::Reenter, s(2), "2017-02-01"),
            (b, MoveKind::StepBack, s(1), "2017-04-30"),
            (b, MoveKind::Advance, s(2), "2017-12-31"),
            (a, MoveKind::Exit, None, "2017-06-30"),
            (a, MoveKind::Reenter, s(2), "2017-07-01"),
        ];
        for (entry, kind, to, on) in history {
            store
                .move_cultivation(&office, entry, &step(kind, to, on))
                .await
                .unwrap();
            agree(&format!("{kind:?} of {entry} on {on}")).await;
        }
        store
            .enter_cultivation(
                &office,
                &enter(
                    None,
                    pipelines[1].id,
                    pipelines[1].stages[0].id,
                    "2017-03-03",
                ),
            )
            .await
            .unwrap();
        store
            .enter_cultivation(
                &office,
                &enter(Some(ids[2]), gx.id, gx.stages[0].id, "2017-03-03"),
            )
            .await
            .unwrap();
        agree("a household and a 高新 firm").await;
        // 甲 reached 纳入规上统计 in May 2016 (three moves that day, counted once) and in
        // January 2017 (again in July: not counted again); 乙 on 2016-12-31 and 2017-02-01.
        let by_month = store
            .cultivation_reached_by_month(2017, "2017-12-31")
            .await
            .unwrap();
        assert_eq!(
            by_month[&Milestone::AboveScale],
            [1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
            "{}",
            db.name
        );
        let kept = reached_days(store).await;
        assert!(!kept.is_empty());
        store.recount_cultivation_reached().await.unwrap();
        assert_eq!(reached_days(store).await, kept, "{}", db.name);
    }
}

/// Migration 0033 fills the per-day counts from the moves a library already holds.
#[tokio::test]
async fn migration_0033_counts_the_moves_already_written_on_both_engines() {
    for db in qx_store::testing::all_at(31).await.unwrap() {
        let store = &db.store;
        let stage = |code: &'static str, ordinal: i64| async move {
            let (id,): (i64,) = sqlx::query_as(
                "SELECT s.id FROM cultivation_stages s JOIN cultivation_pipelines p ON p.id = s.pipeline_id \
                 WHERE p.code = $1 AND s.ordinal = $2",
            )
            .bind(code)
            .bind(ordinal)
            .fetch_one(store.pool())
            .await
            .unwrap();
            id
        };
        let (first, line) = (stage("xsg", 1).await, stage("xsg", 3).await);
        let (pipeline,): (i64,) =
            sqlx::query_as("SELECT id FROM cultivation_pipelines WHERE code = 'xsg'")
                .fetch_one(store.pool())
                .await
                .unwrap();
        for (i, moves) in [
            vec![
                ("enter", Some(first), "2016-02-01"),
                ("advance", Some(line), "2016-05-01"),
            ],
            vec![
                ("enter", Some(line), "2016-12-31"),
                // A step back reaches no stage the indicators count.
                ("back", Some(first), "2017-01-05"),
                ("advance", Some(line), "2017-03-01"),
                ("exit", None, "2017-04-01"),
                ("reenter", Some(line), "2017-05-01"),
            ],
        ]
        .into_iter()
        .enumerate()
        {
            let (entry,): (i64,) = sqlx::query_as(
                "INSERT INTO cultivation_entries (pipeline_id, name, stage_id, status, entered_on, stage_since, \
                 created_at, updated_at) VALUES ($1, $2, $3, 'active', $4, $4, 0, 0) RETURNING id",
            )
            .bind(pipeline)
            .bind(format!("户{i}"))
            .bind(line)
            .bind(moves[0].2)
            .fetch_one(store.pool())
            .await
            .unwrap();
            for (kind, to, on) in moves {
                sqlx::query(
                    "INSERT INTO cultivation_moves (entry_id, kind, to_stage_id, on_date, created_at) \
                     VALUES ($1, $2, $3, $4, 0)",
                )
                .bind(entry)
                .bind(kind)
                .bind(to)
                .bind(on)
                .execute(store.pool())
                .await
                .unwrap();
            }
        }
        store.migrate().await.unwrap();
        let s = |d: &str, n: i64| (line, d.to_string(), n);
        let f = |d: &str| (first, d.to_string(), 1);
        let mut want = vec![
            f("2016-02-01"),
            s("2016-05-01", 1),
            s("2016-12-31", 1),
            s("2017-03-01", 1),
        ];
        want.sort();
        assert_eq!(reached_days(store).await, want, "{}", db.name);
        for year in [2016, 2017] {
            assert_eq!(
                store
                    .cultivation_reached_by_month(year, &format!("{year}-12-31"))
                    .await
                    .unwrap(),
                store
                    .cultivation_reached_by_month_from_moves(year, &format!("{year}-12-31"))
                    .await
                    .unwrap(),
                "{} {year}",
                db.name
            );
        }
    }
}

/// The candidates' statement (`revenue_wan >= floor` over each firm's latest year, 规下 only)
/// keeps exactly the firms `qx_core::cultivation::candidacy` makes candidates of, with the same
/// candidacy: revenues on and either side of the floor and of the 2000万 line, 规下 and 规上,
/// a latest year that says otherwise than the year before, under two floors.
#[tokio::test]
async fn the_candidates_are_core_s_candidacy_of_the_latest_year() {
    use qx_core::cultivation::candidacy;
    use std::collections::BTreeMap;

    for db in qx_store::testing::all().await.unwrap() {
        let store = &db.store;
        let office = Actor::system();
        let sp = unit(store, UnitKind::Town, "石浦镇", "sp").await;
        let floors = [1500.0, 1800.0];
        let line = 2000.0;
        let revenues = [
            1000.0, 1499.5, 1500.0, 1500.5, 1799.5, 1800.0, 1800.5, 1999.5, 2000.0, 2000.5, 2600.0,
        ];
        // (revenue in 2015, in 2016) per firm: the latest year only, the latest year changing
        // a candidate into none and none into a candidate, and no 2016 figure at all.
        let mut years: Vec<(Option<f64>, Option<f64>)> = Vec::new();
        for r in revenues {
            years.extend([
                (None, Some(r)),
                (Some(r), Some(1000.0)),
                (Some(1000.0), Some(r)),
            ]);
            years.push((Some(r), None));
        }
        let mut firms = Vec::new();
        let mut latest = BTreeMap::new();
        for scale in ["below", "above"] {
            for (y2015, y2016) in &years {
                let i = firms.len() + 1;
                firms.push((
                    firm(i, &format!("企业{i}"), sp, scale),
                    scale,
                    *y2015,
                    *y2016,
                ));
            }
        }
        let rows: Vec<RegistryRow> = firms.iter().map(|f| f.0.clone()).collect();
        store
            .import_enterprises(&office, "名录", &rows)
            .await
            .unwrap();
        let codes = store.enterprise_codes().await.unwrap();
        let fact = |e: i64, scale: &str, rev: f64| FactRow {
            enterprise_id: e,
            scale: qx_core::scale::Scale::parse(scale).unwrap(),
            facts: Facts {
                revenue_wan: Some(rev),
                ..Default::default()
            },
            extras: vec![],
        };
        let (mut f2015, mut f2016) = (Vec::new(), Vec::new());
        for (row, scale, y2015, y2016) in &firms {
            let id = codes[&row.credit_code].0;
            if let Some(r) = y2015 {
                f2015.push(fact(id, scale, *r));
            }
            if let Some(r) = y2016 {
                f2016.push(fact(id, scale, *r));
            }
            latest.insert(id, (*scale, y2016.or(*y2015)));
        }
        store
            .import_facts(&office, 2015, "2015", &f2015, &[])
            .await
            .unwrap();
        store
            .import_facts(&office, 2016, "2016", &f2016, &[])
            .await
            .unwrap();
        for floor in floors {
            store
                .set_cultivation_candidate_floor(&office, floor)
                .await
                .unwrap();
            let expect: BTreeMap<i64, Candidacy> = latest
                .iter()
                .filter(|(_, (scale, _))| *scale == "below")
                .filter_map(|(id, (_, rev))| candidacy(*rev, floor, line).map(|c| (*id, c)))
                .collect();
            let got: BTreeMap<i64, Candidacy> = store
                .cultivation_candidates(&office)
                .await
                .unwrap()
                .into_iter()
                .map(|c| (c.enterprise_id, c.candidacy))
                .collect();
            assert_eq!(got, expect, "{}: floor {floor}", db.name);
            // Both kinds and firms left out are among them.
            assert!(expect.values().any(|c| *c == Candidacy::Crossed));
            assert!(
                expect
                    .values()
                    .any(|c| matches!(c, Candidacy::Approaching { .. }))
            );
            assert!(expect.len() < latest.len() / 2);
        }
        db.discard().await.unwrap();
    }
}
