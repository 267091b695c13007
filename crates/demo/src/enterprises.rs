//! Demo enterprises, two data years of facts and the 亩均效益 evaluation of both, so the demo
//! opens with results, class changes, a few 调档 with reasons and an objection during 公示.
//!
//! About 420 generated manufacturers across the 18 towns join the 8 firms with accounts; all get
//! 2015 and 2016 facts (the data years before the 2017 plan). 2015 is evaluated and final; 2016
//! is evaluated under the default scheme and in 公示.

use qx_core::access::Actor;
use qx_core::codes::CreditCode;
use qx_core::scale::Scale;
use qx_core::units::UnitKind;
use qx_store::enterprises::{FactRow, Facts, RegistryRow, TAGS};
use qx_store::{Store, StoreError};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Generated enterprises besides the ones with accounts.
const GENERATED: usize = 420;

/// Real GB/T 4754-2017 manufacturing classes typical of the county.
const INDUSTRIES: &[(&str, &str)] = &[
    ("1362", "水产食品"),
    ("1369", "海产品加工"),
    ("1811", "针织服饰"),
    ("1819", "服装"),
    ("2041", "竹木制品"),
    ("2110", "家具"),
    ("2231", "纸制品"),
    ("2438", "工艺品"),
    ("2651", "涂料"),
    ("2929", "塑料制品"),
    ("3021", "水泥制品"),
    ("3311", "金属结构"),
    ("3399", "金属制品"),
    ("3411", "锅炉设备"),
    ("3441", "泵阀"),
    ("3484", "机械零部件"),
    ("3525", "模具"),
    ("3670", "汽车配件"),
    ("3731", "船舶修造"),
    ("3734", "船舶配件"),
    ("3811", "电机"),
    ("3823", "电气"),
    ("3856", "电器"),
    ("3971", "电子元件"),
    ("4090", "仪器仪表"),
];

const WORDS: &[&str] = &[
    "华宇", "海天", "恒通", "东海", "金鑫", "博宇", "鹤浦", "晓塘", "甬象", "港城", "盛达", "天和",
    "新城", "宏远", "永信", "嘉禾", "瑞丰", "长江", "远洋", "海星", "方正", "德昌", "万顺", "隆兴",
    "凯达", "富强", "星海", "东方", "红星", "明珠", "银河", "正大", "三友", "舜宇", "泰隆", "国华",
    "润泽", "安平", "丰茂", "鼎盛",
];

fn data(e: &StoreError) -> StoreError {
    StoreError::Invalid(format!("demo enterprises: {e}"))
}

pub async fn seed(store: &Store, rng: &mut ChaCha8Rng) -> Result<(), StoreError> {
    // An own stream, so the parts seeded after this one see the same numbers as before.
    let mut rng = ChaCha8Rng::seed_from_u64(rng.clone().random());
    let office = match store.find_user_by_username("admin").await? {
        Some(u) => u.actor(),
        None => Actor::system(),
    };
    let towns: Vec<(i64, String)> = store
        .list_units()
        .await?
        .into_iter()
        .filter(|u| u.kind == UnitKind::Town)
        .map(|u| (u.id, u.name))
        .collect();
    if towns.is_empty() {
        return Ok(());
    }

    let mut rows = Vec::with_capacity(GENERATED);
    for i in 0..GENERATED {
        let (town_id, town) = &towns[rng.random_range(0..towns.len())];
        let (code, trade) = INDUSTRIES[rng.random_range(0..INDUSTRIES.len())];
        let above = rng.random_bool(0.45);
        let credit = CreditCode::complete(&format!("91330225MA2{:06}", 100_000 + i * 37))
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        let word = WORDS[rng.random_range(0..WORDS.len())];
        let place = town.trim_end_matches(['镇', '乡']).trim_end_matches("街道");
        let tags: Vec<String> = TAGS
            .iter()
            .filter(|_| rng.random_bool(0.04))
            .map(|t| t.to_string())
            .collect();
        rows.push(RegistryRow {
            credit_code: credit.as_str().to_string(),
            name: format!(
                "象山{place}{word}{trade}{}有限公司",
                ["", "科技", "实业", "制造"][i % 4]
            ),
            town_id: Some(*town_id),
            industry_code: Some(code.to_string()),
            scale: if above { Scale::Above } else { Scale::Below },
            land_mu: Some(
                if above {
                    rng.random_range(12.0..160.0f64)
                } else {
                    rng.random_range(3.0..30.0f64)
                }
                .round(),
            ),
            address: format!("{town}工业区{}号", rng.random_range(1..300)),
            service_contact: crate::people::name(&mut rng),
            service_phone: format!(
                "1{}{:08}",
                [3, 5, 8][rng.random_range(0..3)],
                rng.random_range(0..100_000_000u32)
            ),
            tags,
        });
    }
    store
        .import_enterprises(&office, "演示企业名录.xlsx", &rows)
        .await?;

    // Facts for every enterprise (the 8 with accounts too): 2015, then 2016 with some drift.
    let codes = store.enterprise_codes().await?;
    let mut ids: Vec<(String, i64, Scale)> =
        codes.into_iter().map(|(c, (id, s))| (c, id, s)).collect();
    ids.sort();
    let mut y2015 = Vec::with_capacity(ids.len());
    let mut y2016 = Vec::with_capacity(ids.len());
    for (_, id, scale) in &ids {
        let above = *scale == Scale::Above;
        let land: f64 = if above {
            rng.random_range(12.0..160.0f64)
        } else {
            rng.random_range(3.0..30.0f64)
        }
        .round();
        // 亩均税收 spread like a county's: most firms 2–40 万元/亩, a tail of laggards below 1.
        let tax_per_mu = if rng.random_bool(0.08) {
            rng.random_range(0.1..1.5)
        } else {
            (rng.random_range(0.7..3.7f64)).exp()
        };
        let facts = |drift: f64, rng: &mut ChaCha8Rng| {
            let tax = (land * tax_per_mu * drift * rng.random_range(0.8..1.2)).round();
            let mut f = Facts {
                land_mu: Some(land),
                tax_wan: Some(tax),
                ..Default::default()
            };
            if above {
                let va = tax * rng.random_range(3.5..7.0);
                f.added_value_wan = Some(va.round());
                f.energy_tce = Some((va / rng.random_range(1.0..5.0)).round());
                f.emission_t = (!rng.random_bool(0.1))
                    .then(|| (va / rng.random_range(2000.0..8000.0) * 100.0).round() / 100.0);
                f.employees = Some((va / rng.random_range(10.0..28.0)).round().max(8.0));
                f.revenue_wan = Some((va * rng.random_range(3.0..5.0)).round());
                f.rd_wan =
                    Some((f.revenue_wan.unwrap_or(0.0) * rng.random_range(0.0..0.06)).round());
            } else {
                f.electricity_wkwh = Some((tax / rng.random_range(0.08..0.5)).round().max(1.0));
            }
            f
        };
        y2015.push(FactRow {
            enterprise_id: *id,
            scale: *scale,
            facts: facts(1.0, &mut rng),
            extras: Vec::new(),
        });
        let drift = rng.random_range(0.75..1.35);
        y2016.push(FactRow {
            enterprise_id: *id,
            scale: *scale,
            facts: facts(drift, &mut rng),
            extras: Vec::new(),
        });
    }
    store
        .import_facts(&office, 2015, "2015年度亩均数据.xlsx", &y2015, &[])
        .await?;
    store
        .import_facts(&office, 2016, "2016年度亩均数据.xlsx", &y2016, &[])
        .await?;

    let app = |e: qx_app::AppError| StoreError::Invalid(format!("demo evaluation: {e}"));
    let r2015 = qx_app::evaluation::run_year(store, &office, 2015)
        .await
        .map_err(app)?;
    store
        .start_publicity(&office, r2015.run_id, "2016-04-11", "2016-04-17")
        .await?;
    store.finalize_run(&office, r2015.run_id).await?;
    let r2016 = qx_app::evaluation::run_year(store, &office, 2016)
        .await
        .map_err(app)?;

    // A few 调档 with reasons, then 公示 with one objection.
    let lines = store
        .run_results(&office, r2016.run_id, &Default::default())
        .await?;
    let reasons = [
        ("D", "2016年发生较大安全生产事故, 按规定降档"),
        ("B", "新供地建设期内, 经县亩均办研究同意上调一档"),
        ("C", "环保督察发现超标排放, 经研究下调一档"),
    ];
    for (line, (class, reason)) in lines.iter().step_by(97).zip(reasons) {
        store
            .override_class(&office, r2016.run_id, line.enterprise_id, class, reason)
            .await
            .map_err(|e| data(&e))?;
    }
    store
        .start_publicity(&office, r2016.run_id, "2017-04-10", "2017-04-16")
        .await?;
    if let Some(first) = store.list_enterprises(&office).await?.first() {
        store
            .submit_objection(
                &office,
                r2016.run_id,
                first.id,
                "企业反映2016年度实缴税金少计一笔土地增值税, 申请复核 (代企业录入)",
            )
            .await?;
    }
    Ok(())
}
