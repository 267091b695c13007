//! The plan's cultivation indicators fill in from the 企业培育库: publishing the seed plan marks
//! 新增规上企业, 个转企, 新增高新技术企业, 科技型小微企业, 创新型初创企业, 工程(技术)中心,
//! 单项冠军入库培育 and 单项冠军示范 as automatic (not 规下), with or without a library yet (the office
//! may switch one back to the units' figures). The
//! picture counts the entries that reached each milestone by the date the stage was reached,
//! month by month. On every engine.

use crate::common::user_of;
use qx_app::monitoring::picture;
use qx_core::access::{Actor, Role};
use qx_core::cultivation::MoveKind;
use qx_core::period::Period;
use qx_store::cultivation::{MoveRequest, NewEntry};
use qx_store::enterprises::{NewEnterprise, insert_enterprise};
use qx_store::indicator_source::{IndicatorSource, infer_source};

#[test]
fn wording_names_the_cultivation_sources() {
    use IndicatorSource::*;
    assert_eq!(
        infer_source("新增规模以上企业", "新增规模以上企业30家", ""),
        CultivationAboveScale
    );
    assert_eq!(
        infer_source("新增规模企业", "力争全年新增规模企业30家以上", ""),
        CultivationAboveScale
    );
    assert_eq!(
        infer_source("新增500万元以上规下企业", "新增500万元以上规下企业80家", ""),
        Manual
    );
    assert_eq!(
        infer_source(
            "个体工商户升级为企业",
            "今年力争实现100家个体工商户升级为企业",
            ""
        ),
        CultivationConverted
    );
    assert_eq!(
        infer_source("新增高新技术企业", "新增高新技术企业7家", ""),
        CultivationHighTech
    );
    assert_eq!(
        infer_source("科技型小微企业", "科技型小微企业20家", ""),
        CultivationTechSme
    );
    assert_eq!(
        infer_source(
            "单项冠军入库培育企业",
            "筛选培育单项冠军入库培育企业8家左右",
            ""
        ),
        CultivationChampion
    );
    assert_eq!(
        infer_source(
            "市级制造业单项冠军示范企业",
            "培育市级制造业单项冠军示范企业2家",
            ""
        ),
        CultivationChampionModel
    );
    assert_eq!(
        infer_source("创新型初创企业", "今年培育120家创新型初创企业", ""),
        CultivationStartup
    );
    assert_eq!(
        infer_source(
            "市级以上工程(技术)中心",
            "新增市级以上工程(技术)中心6家",
            ""
        ),
        CultivationEngineeringCentre
    );
    assert_eq!(
        infer_source("省级工程技术中心", "其中省级工程技术中心1家", ""),
        Manual
    );
    assert_eq!(
        infer_source("规上工业增加值", "规上工业增加值同比增长8%", ""),
        Manual
    );
}

#[tokio::test]
async fn the_seed_plans_cultivation_indicators_count_the_pipelines() {
    for db in qx_store::testing::all().await.unwrap() {
        let s = &db.store;
        let name = db.name;
        let units = qx_demo::registry::seed_registry(s).await.unwrap();
        let unit = |n: &str| units.iter().find(|u| u.name == n).unwrap().id;
        let office = user_of(s, "office", Role::Admin, unit("县工业强县办")).await;
        // Publishing makes the cultivation counts automatic even before the county keeps a
        // 企业培育库 (the figure stays empty, never 0, until it does); the office may switch one
        // back to the units' figures.
        let bare = qx_demo::plan::seed(s, &office).await.unwrap();
        let bare_sources = s.indicator_sources(bare).await.unwrap();
        let above_bare = s
            .plan_indicators(&office, bare)
            .await
            .unwrap()
            .into_iter()
            .find(|i| i.name.contains("规模以上企业"))
            .unwrap()
            .id;
        assert_eq!(
            bare_sources.get(&above_bare),
            Some(&IndicatorSource::CultivationAboveScale),
            "{name}: {bare_sources:?}"
        );
        let empty = picture(s, &office, bare, Period::new_month(2017, 6).unwrap())
            .await
            .unwrap();
        let line = empty
            .indicators
            .iter()
            .find(|i| i.indicator.id == above_bare)
            .unwrap();
        assert!(
            line.series.iter().all(|v| v.is_none()),
            "{name}: no library, no figure: {:?}",
            line.series
        );
        s.set_indicator_source(&office, above_bare, IndicatorSource::Manual)
            .await
            .unwrap();
        assert!(!s.is_auto_indicator(above_bare).await.unwrap(), "{name}");

        // Two firms reach 纳入规上统计 in March and May; one is certified high-tech in May.
        let xsg = s.cultivation_pipeline_by_code("xsg").await.unwrap();
        let gxjs = s.cultivation_pipeline_by_code("gxjs").await.unwrap();
        let mut tx = s.begin().await.unwrap();
        let mut firms = Vec::new();
        for i in 1..=2u32 {
            let code =
                qx_core::codes::CreditCode::complete(&format!("9133022510000000{i}")).unwrap();
            let e = NewEnterprise {
                credit_code: code.as_str().to_string(),
                name: format!("象山测试{i}有限公司"),
                town_id: Some(unit("石浦镇")),
                industry_code: None,
                scale: qx_core::scale::Scale::Below,
            };
            firms.push(insert_enterprise(&mut tx, &e).await.unwrap());
        }
        tx.commit().await.unwrap();
        let system = Actor::system();
        for (firm, reached) in firms.iter().zip(["2017-03-20", "2017-05-08"]) {
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
        s.enter_cultivation(
            &system,
            &NewEntry {
                pipeline_id: gxjs.id,
                enterprise_id: Some(firms[0]),
                stage_id: gxjs.stages[0].id,
                on_date: "2017-05-02".into(),
                ..NewEntry::default()
            },
        )
        .await
        .unwrap();

        let plan_id = qx_demo::plan::seed(s, &office).await.unwrap();
        let indicators = s.plan_indicators(&office, plan_id).await.unwrap();
        let sources = s.indicator_sources(plan_id).await.unwrap();
        let source_of = |word: &str| {
            let found: Vec<_> = indicators
                .iter()
                .filter(|i| i.name.contains(word))
                .collect();
            assert_eq!(
                found.len(),
                1,
                "{name}: one indicator named …{word}: {found:?}"
            );
            (found[0].id, sources.get(&found[0].id).copied())
        };
        let (above, src) = source_of("规模以上企业");
        assert_eq!(src, Some(IndicatorSource::CultivationAboveScale), "{name}");
        let (high_tech, src) = source_of("高新技术企业");
        assert_eq!(src, Some(IndicatorSource::CultivationHighTech), "{name}");
        assert_eq!(
            source_of("科技型小微").1,
            Some(IndicatorSource::CultivationTechSme)
        );
        assert_eq!(source_of("规下").1, None, "{name}: 规下 stays reported");
        assert_eq!(
            source_of("创新型初创企业").1,
            Some(IndicatorSource::CultivationStartup)
        );
        assert_eq!(
            source_of("工程(技术)中心").1,
            Some(IndicatorSource::CultivationEngineeringCentre)
        );

        let pic = picture(s, &office, plan_id, Period::new_month(2017, 6).unwrap())
            .await
            .unwrap();
        let series = |id: i64| {
            pic.indicators
                .iter()
                .find(|i| i.indicator.id == id)
                .unwrap()
                .series
                .clone()
        };
        let n = |v: f64| Some(v);
        assert_eq!(
            series(above),
            [n(0.0), n(0.0), n(1.0), n(1.0), n(2.0), n(2.0)],
            "{name}"
        );
        assert_eq!(series(high_tech)[3..], [n(0.0), n(1.0), n(1.0)], "{name}");
        db.discard().await.unwrap();
    }
}
