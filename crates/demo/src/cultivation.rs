//! The demo county's 企业培育库 in 2017: each built-in pipeline holds a few dozen firms at
//! realistic dated stages (all before 2017-12-05), and the 小升规 candidates are found from the
//! facts. The 2016 facts of firms below scale carry no revenue in the 亩均 data, so the office
//! first imports the statistics bureau's 规下 revenue figures (one audited facts import); from
//! them about thirty firms sit between the floor and the line and a few have crossed it.

use qx_core::access::Actor;
use qx_core::cultivation::MoveKind;
use qx_core::scale::Scale;
use qx_core::units::UnitKind;
use qx_store::cultivation::{MoveRequest, NewEntry, Pipeline, PipelineEdit, StageEdit};
use qx_store::enterprises::FactRow;
use qx_store::{Store, StoreError};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

type Result<T> = std::result::Result<T, StoreError>;

/// A day of 2017 (or another year) as ISO text.
fn day(year: i32, month: u32, d: u32) -> String {
    format!("{year}-{month:02}-{d:02}")
}

fn random_day(rng: &mut ChaCha8Rng, year: i32, from_month: u32, to_month: u32) -> String {
    day(
        year,
        rng.random_range(from_month..=to_month),
        rng.random_range(1..=28),
    )
}

/// The later of two ISO dates, so a move never predates the one before.
fn after(a: &str, b: String) -> String {
    if b.as_str() > a { b } else { a.to_string() }
}

fn step(kind: MoveKind, to: i64, on: &str, evidence: &str) -> MoveRequest {
    MoveRequest {
        kind,
        to_stage_id: Some(to),
        on_date: on.to_string(),
        evidence: evidence.to_string(),
        credit_code: String::new(),
        certificate_no: String::new(),
        board: String::new(),
        stock_code: String::new(),
    }
}

struct Seeder<'a> {
    store: &'a Store,
    office: &'a Actor,
}

impl Seeder<'_> {
    /// Enters a registry firm at the first stage on `on`, then walks it up `path` (stage
    /// positions with dates). Returns the entry.
    async fn walk(
        &self,
        p: &Pipeline,
        enterprise_id: i64,
        on: &str,
        evidence: &str,
        certificate: &str,
        path: &[(usize, String)],
    ) -> Result<i64> {
        let id = self
            .store
            .enter_cultivation(
                self.office,
                &NewEntry {
                    pipeline_id: p.id,
                    enterprise_id: Some(enterprise_id),
                    stage_id: p.stages[0].id,
                    on_date: on.to_string(),
                    evidence: evidence.to_string(),
                    certificate_no: certificate.to_string(),
                    ..NewEntry::default()
                },
            )
            .await?;
        for (to, when) in path {
            let req = step(MoveKind::Advance, p.stages[*to].id, when, evidence);
            self.store.move_cultivation(self.office, id, &req).await?;
        }
        Ok(id)
    }

    /// Sets a pipeline's responsible unit and, where given, a stage's policy.
    async fn settle(
        &self,
        p: &Pipeline,
        unit: Option<i64>,
        policies: &[(usize, &str, &str)],
    ) -> Result<()> {
        let mut edit = PipelineEdit {
            name: p.name.clone(),
            criteria: p.criteria.clone(),
            rule: p.rule.map(|r| r.text()).unwrap_or_default(),
            responsible_unit_id: unit,
            validity_years: p.validity_years,
            stages: p
                .stages
                .iter()
                .map(|s| StageEdit {
                    id: Some(s.id),
                    name: s.name.clone(),
                    policy_text: s.policy_text.clone(),
                    policy_amount: s.policy_amount_wan.clone().unwrap_or_default(),
                })
                .collect(),
        };
        for (at, text, amount) in policies {
            edit.stages[*at].policy_text = text.to_string();
            edit.stages[*at].policy_amount = amount.to_string();
        }
        self.store
            .update_cultivation_pipeline(self.office, p.id, &edit)
            .await
    }
}

pub async fn seed(store: &Store, rng: &mut ChaCha8Rng) -> Result<()> {
    let mut rng = ChaCha8Rng::seed_from_u64(rng.clone().random());
    let office = match store.find_user_by_username("admin").await? {
        Some(u) => u.actor(),
        None => Actor::system(),
    };
    let units = store.list_units().await?;
    let unit = |name: &str| units.iter().find(|u| u.name == name).map(|u| u.id);
    let pipelines = store.cultivation_pipelines().await?;
    let pipeline = |code: &str| {
        pipelines
            .iter()
            .find(|p| p.code == code)
            .cloned()
            .ok_or_else(|| StoreError::NotFound(format!("培育库 {code}")))
    };
    let s = Seeder {
        store,
        office: &office,
    };

    // 2016 facts: firms below scale get the statistics bureau's revenue figures.
    let rows = store.eval_input(&office, 2016).await?;
    let mut below: Vec<_> = rows.iter().filter(|r| r.scale == Scale::Below).collect();
    let mut above: Vec<_> = rows.iter().filter(|r| r.scale == Scale::Above).collect();
    below.sort_by_key(|r| r.enterprise_id);
    above.sort_by_key(|r| r.enterprise_id);
    // A fixed shuffle so groups mix towns and trades.
    for i in (1..below.len()).rev() {
        below.swap(i, rng.random_range(0..=i));
    }
    for i in (1..above.len()).rev() {
        above.swap(i, rng.random_range(0..=i));
    }
    if below.len() < 202 || above.len() < 86 {
        return Ok(());
    }
    // The plan's targets by early December: 新增规上 30, 个转企 100, 高新 7, 科技型小微 20, 创新型
    // 初创 120, 单项冠军培育 8 (示范 2); the bulletin test holds the demo near them.
    // below[0..36] grew above scale in 2017 (30 of them counted by December); [36..66] approach
    // the line; [66..70] crossed it unconfirmed; [70..82] were accepted in March; the rest earn
    // less than the floor.
    let revenue = |i: usize, rng: &mut ChaCha8Rng| -> f64 {
        match i {
            0..36 => rng.random_range(2050.0..3200.0f64),
            36..66 => rng.random_range(1510.0..1990.0),
            66..70 => rng.random_range(2010.0..2600.0),
            70..82 => rng.random_range(1500.0..1980.0),
            _ => rng.random_range(300.0..1450.0),
        }
        .round()
    };
    let supplement: Vec<FactRow> = below
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut facts = r.facts.clone();
            facts.revenue_wan = Some(revenue(i, &mut rng));
            FactRow {
                enterprise_id: r.enterprise_id,
                scale: r.scale,
                facts,
                extras: Vec::new(),
            }
        })
        .collect();
    store
        .import_facts(
            &office,
            2016,
            "2016年规下工业企业主营业务收入(县统计局).xlsx",
            &supplement,
            &[],
        )
        .await?;

    // 小升规: 县经信局; the first-time award on 纳入规上统计.
    let xsg = pipeline("xsg")?;
    s.settle(
        &xsg,
        unit("县经信局"),
        &[(2, "首次纳入规上统计的企业给予一次性奖励", "20")],
    )
    .await?;
    for (i, r) in below.iter().enumerate().take(36) {
        let entered = random_day(&mut rng, 2017, 1, 2);
        let reached = after(&entered, random_day(&mut rng, 2017, 3, 6));
        let mut path = vec![(1, reached.clone())];
        if i < 30 {
            path.push((2, after(&reached, random_day(&mut rng, 2017, 4, 11))));
        }
        s.walk(
            &xsg,
            r.enterprise_id,
            &entered,
            "2017年小升规培育名单",
            "",
            &path,
        )
        .await?;
    }
    for r in below.iter().skip(70).take(12) {
        let on = random_day(&mut rng, 2017, 3, 3);
        s.walk(
            &xsg,
            r.enterprise_id,
            &on,
            "2017年小升规培育名单(第二批)",
            "",
            &[],
        )
        .await?;
    }

    // 个转企: 县市场监管局; 130 households, 100 converted so far.
    let gzq = pipeline("gzq")?;
    s.settle(
        &gzq,
        unit("县市场监管局"),
        &[(1, "个转企免收登记费用, 给予一次性补助", "0.5")],
    )
    .await?;
    let towns: Vec<(i64, String)> = units
        .iter()
        .filter(|u| u.kind == UnitKind::Town)
        .map(|u| (u.id, u.name.clone()))
        .collect();
    const SHOPS: &[&str] = &[
        "海鲜排档",
        "五金店",
        "针织加工点",
        "竹木加工坊",
        "汽修店",
        "水产品加工点",
        "服装加工点",
        "农机修理部",
    ];
    const SURNAMES: &[&str] = &["王", "陈", "张", "林", "俞", "郑", "史", "何", "鲍", "欧"];
    for i in 0..130 {
        let (town_id, town) = &towns[rng.random_range(0..towns.len())];
        let place = town.trim_end_matches(['镇', '乡']).trim_end_matches("街道");
        let name = format!(
            "象山{place}{}记{}",
            SURNAMES[rng.random_range(0..SURNAMES.len())],
            SHOPS[i % SHOPS.len()]
        );
        let entered = random_day(&mut rng, 2017, 1, 4);
        let id = store
            .enter_cultivation(
                &office,
                &NewEntry {
                    pipeline_id: gzq.id,
                    name,
                    reg_no: format!("330225600{:06}", 100_000 + i * 173),
                    town_id: Some(*town_id),
                    stage_id: gzq.stages[0].id,
                    on_date: entered.clone(),
                    evidence: "2017年个转企培育对象名单".into(),
                    ..NewEntry::default()
                },
            )
            .await?;
        if i < 100 {
            let on = after(&entered, random_day(&mut rng, 2017, 3, 11));
            let req = step(MoveKind::Advance, gzq.stages[1].id, &on, "营业执照变更登记");
            store.move_cultivation(&office, id, &req).await?;
        }
    }

    // 上市: 县金融办; a reserve of ten, two in 股份制改造, one 辅导备案.
    let ipo = pipeline("ipo")?;
    s.settle(
        &ipo,
        unit("县金融办"),
        &[
            (1, "完成股份制改造并在宁波证监局辅导备案后兑现", "100"),
            (3, "申报材料获中国证监会受理", "200"),
            (5, "首次公开发行并上市", "700"),
        ],
    )
    .await?;
    for (i, r) in above.iter().enumerate().take(10) {
        let on = random_day(&mut rng, 2016, 3, 10);
        let path: Vec<(usize, String)> = match i {
            0 => vec![(1, day(2017, 2, 20)), (2, day(2017, 9, 15))],
            1 | 2 => vec![(1, random_day(&mut rng, 2017, 4, 10))],
            _ => vec![],
        };
        s.walk(&ipo, r.enterprise_id, &on, "县上市后备企业库", "", &path)
            .await?;
    }

    // 专精特新 → 单项冠军: 县经信局; thirty on the ladder, eight in the champion pool in 2017
    // (two of them 市级示范), two 隐形冠军.
    let zjtx = pipeline("zjtx")?;
    s.settle(
        &zjtx,
        unit("县经信局"),
        &[(2, "国家级专精特新\"小巨人\"奖励", "50")],
    )
    .await?;
    for (i, r) in above.iter().enumerate().skip(10).take(30) {
        let on = random_day(&mut rng, 2016, 6, 12);
        let top = match i - 10 {
            0..2 => 5,
            2..8 => 4,
            8..10 => 3,
            10..13 => 2,
            13..22 => 1,
            _ => 0,
        };
        let mut path = Vec::new();
        let mut last = on.clone();
        for stage in 1..=top {
            let year = if stage >= 3 {
                2017
            } else {
                2016 + i32::from(stage > 1)
            };
            let when = after(&last, random_day(&mut rng, year, 1, 11));
            last = when.clone();
            path.push((stage, when));
        }
        s.walk(&zjtx, r.enterprise_id, &on, "省经信厅公布名单", "", &path)
            .await?;
    }

    // 高新技术企业 (3-year certificates: some lapse) and 科技型中小企业: 县科技局.
    let gxjs = pipeline("gxjs")?;
    s.settle(
        &gxjs,
        unit("县科技局"),
        &[(0, "首次认定高新技术企业奖励", "30")],
    )
    .await?;
    for (i, r) in above.iter().enumerate().skip(40).take(32) {
        let year = [2014, 2015, 2016, 2017][i % 4];
        let on = if year == 2017 {
            day(2017, 11, 13)
        } else {
            random_day(&mut rng, year, 10, 12)
        };
        let certificate = format!("GR{year}33000{:04}", 100 + i);
        s.walk(
            &gxjs,
            r.enterprise_id,
            &on,
            "高新技术企业认定公示",
            &certificate,
            &[],
        )
        .await?;
    }
    let kjxzx = pipeline("kjxzx")?;
    s.settle(&kjxzx, unit("县科技局"), &[]).await?;
    for (i, r) in below.iter().enumerate().skip(82).take(24) {
        let on = random_day(&mut rng, 2017, 5, 11);
        let certificate = format!("2017330225A{:07}", 1000 + i);
        s.walk(
            &kjxzx,
            r.enterprise_id,
            &on,
            "科技型中小企业评价入库",
            &certificate,
            &[],
        )
        .await?;
    }

    // 创新型初创企业 (120, some of them also 科技型中小企业) and 工程(技术)中心: one-stage lists.
    let cxcc = pipeline("cxcc")?;
    s.settle(&cxcc, unit("县科技局"), &[]).await?;
    for r in below.iter().skip(82).take(120) {
        let on = random_day(&mut rng, 2017, 2, 11);
        s.walk(
            &cxcc,
            r.enterprise_id,
            &on,
            "创新型初创企业培育名单",
            "",
            &[],
        )
        .await?;
    }
    let gczx = pipeline("gczx")?;
    s.settle(&gczx, unit("县科技局"), &[]).await?;
    for r in above.iter().skip(72).take(14) {
        let year = rng.random_range(2012..=2017);
        let on = random_day(&mut rng, year, 1, 11);
        s.walk(
            &gczx,
            r.enterprise_id,
            &on,
            "市级企业工程(技术)中心认定",
            "",
            &[],
        )
        .await?;
    }
    Ok(())
}
