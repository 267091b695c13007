//! Official lists into the 企业培育库 on every engine: a 高新技术企业名单 matched by code, by
//! exact name and by close names (a person chooses), every unmatched or ambiguous row placed by
//! row and column, nothing entered until the office confirms, then one transaction; CSV in GBK;
//! a 个体户名单 as households; every file of the hostile corpus refused with nothing written.

use crate::common::user_of;
use qx_app::AppError;
use qx_app::cultivation_list::{read_list, stage_list};
use qx_core::access::Role;
use qx_store::cultivation::{EntryFilter, RowMatch};
use qx_store::enterprises::RegistryRow;
use qx_store::{Store, StoreError};
use std::collections::HashMap;

fn code(i: usize) -> String {
    qx_core::codes::CreditCode::complete(&format!("91330225{i:08}0"))
        .unwrap()
        .as_str()
        .to_string()
}

fn firm(i: usize, name: &str, town: i64) -> RegistryRow {
    RegistryRow {
        credit_code: code(i),
        name: name.into(),
        town_id: Some(town),
        industry_code: Some("3411".into()),
        scale: qx_core::scale::Scale::Above,
        land_mu: None,
        address: String::new(),
        service_contact: String::new(),
        service_phone: String::new(),
        tags: vec![],
    }
}

async fn entries(s: &Store, office: &qx_core::access::Actor, pipeline_id: i64) -> i64 {
    let f = EntryFilter {
        pipeline_id,
        limit: 1000,
        ..EntryFilter::default()
    };
    s.cultivation_entries(office, &f).await.unwrap().1
}

#[tokio::test]
async fn a_high_tech_list_is_matched_reviewed_and_applied_once() {
    for db in qx_store::testing::all().await.unwrap() {
        let s = &db.store;
        let name = db.name;
        let units = qx_demo::registry::seed_registry(s).await.unwrap();
        let unit = |n: &str| units.iter().find(|u| u.name == n).unwrap().id;
        let office = user_of(s, "office", Role::Admin, unit("县工业强县办")).await;
        let sp = unit("石浦镇");
        let rows = vec![
            firm(1, "宁波申菱电梯配件有限公司", sp),
            firm(2, "象山合力机械有限公司", sp),
            firm(3, "宁波乐惠国际工程装备股份有限公司", sp),
            firm(4, "象山同名有限公司", sp),
            firm(5, "象山同名有限公司", sp),
        ];
        s.import_enterprises(&office, "名录", &rows).await.unwrap();
        let gxjs = s.cultivation_pipeline_by_code("gxjs").await.unwrap();
        let csv = format!(
            "2017年高新技术企业认定名单\n序号,企业名称,统一社会信用代码,证书编号,认定日期\n\
             1,申菱(改名前),{},GR201733000101,2017-11-13\n\
             2,象山合力机械有限公司,,GR201733000102,2017-11-13\n\
             3,乐惠国际工程装备有限公司,,GR201733000103,2017-11-13\n\
             4,象山同名有限公司,,GR201733000104,2017-11-13\n\
             5,查无此企业,,GR201733000105,2017-11-13\n\
             6,象山合力机械有限公司,,GR201733000106,2017/13/45\n",
            code(1)
        );
        let (gbk, _, _) = encoding_rs::GBK.encode(&csv);
        let id = stage_list(
            s,
            &office,
            gxjs.id,
            gxjs.stages[0].id,
            "2017-11-30",
            &gbk,
            "高新名单.csv",
        )
        .await
        .unwrap();
        // Nothing entered yet.
        assert_eq!(entries(s, &office, gxjs.id).await, 0, "{name}");
        let import = s.cultivation_import(&office, id).await.unwrap();
        assert!(import.is_pending());
        let by_line: HashMap<u64, &RowMatch> = import
            .rows
            .iter()
            .map(|r| (r.line.line, &r.matched))
            .collect();
        assert!(
            matches!(by_line[&3], RowMatch::ByCode { .. }),
            "{name}: {:?}",
            by_line[&3]
        );
        assert!(matches!(by_line[&4], RowMatch::ByName { .. }), "{name}");
        let RowMatch::Choose { proposals, problem } = by_line[&5] else {
            panic!("{name}: close names for line 5: {:?}", by_line[&5]);
        };
        assert_eq!(proposals[0].name, "宁波乐惠国际工程装备股份有限公司");
        assert!(problem.contains("第5行 \"企业名称\""), "{problem}");
        let RowMatch::Choose {
            proposals: twins,
            problem,
        } = by_line[&6]
        else {
            panic!("{name}: two firms of one name: {:?}", by_line[&6]);
        };
        assert_eq!(twins.len(), 2);
        assert!(problem.contains("2家"), "{problem}");
        let RowMatch::Unmatched { problem } = by_line[&7] else {
            panic!("{name}: unknown firm")
        };
        assert!(problem.contains("第7行 \"企业名称\"") && problem.contains("查无此企业"));
        let RowMatch::Unmatched { problem } = by_line[&8] else {
            panic!("{name}: bad date")
        };
        assert!(problem.contains("第8行 \"认定日期\""), "{problem}");

        // A unit may not read or apply it; the office applies, choosing line 5's proposal.
        let jxj = user_of(s, "jxj", Role::Unit, unit("县经信局")).await;
        assert!(matches!(
            s.cultivation_import(&jxj, id).await,
            Err(StoreError::Forbidden(_))
        ));
        let chosen = HashMap::from([(5u64, proposals[0].enterprise_id)]);
        let applied = s
            .apply_cultivation_import(&office, id, &chosen)
            .await
            .unwrap();
        assert_eq!(applied.entered, 3, "{name}: {applied:?}");
        assert_eq!(applied.skipped.len(), 3, "{name}: {applied:?}");
        assert_eq!(entries(s, &office, gxjs.id).await, 3, "{name}");
        // Certificates run three years from the 认定日期.
        let (rows, _) = s
            .cultivation_entries(
                &office,
                &EntryFilter {
                    pipeline_id: gxjs.id,
                    limit: 10,
                    ..EntryFilter::default()
                },
            )
            .await
            .unwrap();
        assert!(
            rows.iter()
                .all(|r| r.expires_on.as_deref() == Some("2020-11-13")),
            "{name}"
        );
        // Applied once: again is a conflict, and so is discarding it.
        assert!(matches!(
            s.apply_cultivation_import(&office, id, &chosen).await,
            Err(StoreError::Conflict(_))
        ));
        assert!(s.discard_cultivation_import(&office, id).await.is_err());
        db.discard().await.unwrap();
    }
}

#[tokio::test]
async fn a_household_list_enters_households_and_a_relisted_firm_is_left_alone() {
    for db in qx_store::testing::all().await.unwrap() {
        let s = &db.store;
        let name = db.name;
        let units = qx_demo::registry::seed_registry(s).await.unwrap();
        let unit = |n: &str| units.iter().find(|u| u.name == n).unwrap().id;
        let office = user_of(s, "office", Role::Admin, unit("县工业强县办")).await;
        let gzq = s.cultivation_pipeline_by_code("gzq").await.unwrap();
        let csv = "个体户名称,注册号,镇乡(街道)\n老王五金店,330225600012345,石浦镇\n\
                   李记渔具,330225600054321,不存在镇\n老王五金店,330225600012345,石浦镇\n";
        let id = stage_list(
            s,
            &office,
            gzq.id,
            gzq.stages[0].id,
            "2017-06-01",
            csv.as_bytes(),
            "个体户.csv",
        )
        .await
        .unwrap();
        let import = s.cultivation_import(&office, id).await.unwrap();
        assert!(matches!(import.rows[0].matched, RowMatch::Household));
        let RowMatch::Unmatched { problem } = &import.rows[1].matched else {
            panic!("{name}: unknown town")
        };
        assert!(problem.contains("第3行 \"镇乡(街道)\""), "{problem}");
        let done = s
            .apply_cultivation_import(&office, id, &HashMap::new())
            .await
            .unwrap();
        assert_eq!(done.entered, 1, "{name}: {done:?}");
        assert_eq!(done.skipped.len(), 2, "{name}: {done:?}");
        // A 个体户名单 may only fill the first stage.
        assert!(
            stage_list(
                s,
                &office,
                gzq.id,
                gzq.stages[1].id,
                "2017-06-01",
                csv.as_bytes(),
                "x.csv"
            )
            .await
            .is_err()
        );
        db.discard().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_hostile_file_is_refused_and_nothing_is_kept() {
    let files = qx_upload::hostile::corpus(&[]);
    for db in qx_store::testing::all().await.unwrap() {
        let s = &db.store;
        let units = qx_demo::registry::seed_registry(s).await.unwrap();
        let office_unit = units.iter().find(|u| u.name == "县工业强县办").unwrap().id;
        let office = user_of(s, "office", Role::Admin, office_unit).await;
        let gxjs = s.cultivation_pipeline_by_code("gxjs").await.unwrap();
        for f in &files {
            let outcome = stage_list(
                s,
                &office,
                gxjs.id,
                gxjs.stages[0].id,
                "2017-11-30",
                &f.bytes,
                &f.file_name,
            )
            .await;
            let message = match outcome {
                Err(e @ (AppError::Invalid(_) | AppError::Rows(_) | AppError::Store(_))) => {
                    e.to_string()
                }
                other => panic!("{}: expected a refusal, got {other:?}", f.id),
            };
            if f.refusal.is_some() {
                assert!(message.contains(&f.file_name), "{}: {message}", f.id);
            }
        }
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM cultivation_imports")
            .fetch_one(s.pool())
            .await
            .unwrap();
        assert_eq!(n, 0, "{}", db.name);
        // Reading alone never writes either.
        assert!(read_list(s, b"", "empty.csv").await.is_err());
        db.discard().await.unwrap();
    }
}
