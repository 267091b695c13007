//! Demo 重大项目库: 80 projects for 2017 (30 亿元以上) in every stage with dated histories before
//! the demo's today (2017-12-05), entered and moved through the same store steps a person
//! takes; a few stalled long enough to raise each funnel alert; a dozen 招商线索, some
//! accepted, rejected or turned into projects. The 包干 leader is the `leader` account.
//!
//! The projects are entered before the monitoring months run: [`seed`] returns each project's
//! monthly 调度 (January–November), and the monitoring seed has the responsible unit save it
//! with [`Dispatch::report`] inside that unit's submission of the month, before it is sent. The
//! office's approval counts it: 本年已完成投资 is the sum of the approved months, so a month the
//! office has not approved yet (November for some units) is not counted. Only projects that
//! reach 开工 report investment (a little 前期 spending from 签约, the bulk from 开工 until 投产);
//! the few lagging ones (a quarter of the year's plan)
//! report 存在问题 in some months, and two of those become 企业难题 ([`Dispatch::raise_problems`]).

use crate::dating::HistoryClock;
use qx_core::access::{Actor, Role};
use qx_core::codes::CreditCode;
use qx_core::problem::Category;
use qx_core::project::{CapitalKind, PIPELINE, Source, Stage};
use qx_store::projects::{
    DispatchFigures, DispatchInput, LeadDecision, NewLead, ProjectInput, ProjectProblem, StageMove,
};
use qx_store::users::User;
use qx_store::{Store, StoreError};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::collections::HashMap;
use time::macros::date;
use time::{Date, Duration};

/// Mixed into the demo's seed for the projects' own random stream.
pub const STREAM: u64 = 0x7072_6f6a_6563_7473;

/// How many projects the demo year holds, and how many of them are 亿元以上.
pub const COUNT: usize = 80;

/// Where each project ends up, in order: (final stage, how many, how many of them stalled
/// long enough to raise the stage's funnel alert).
const PLAN: &[(Stage, usize, usize)] = &[
    (Stage::Negotiating, 8, 0),
    (Stage::Signed, 14, 3),
    (Stage::Registered, 18, 3),
    (Stage::Started, 26, 3),
    (Stage::Producing, 10, 0),
    (Stage::Halted, 4, 0),
];

const PRODUCTS: &[(&str, &str)] = &[
    ("汽车零部件", "汽车内饰件"),
    ("船舶修造", "海工装备"),
    ("针织服装", "高档针织面料"),
    ("水产品加工", "冷链水产品"),
    ("模具", "精密注塑模具"),
    ("新材料", "改性工程塑料"),
    ("电机电器", "高效节能电机"),
    ("光伏", "分布式光伏组件"),
    ("医疗器械", "一次性医用耗材"),
    ("智能装备", "工业机器人关节"),
];

const INVESTORS: &[&str] = &[
    "宁波均胜投资",
    "浙江海天控股",
    "上海临港产业投资",
    "杭州华东实业",
    "香港德泰国际",
    "台州吉利零部件",
    "温州正泰新能源",
    "深圳联创科技",
    "新加坡丰隆工业",
    "宁波舟山港投资",
    "绍兴越隆纺织",
    "象山籍在外浙商联合体",
];

const HALT_REASONS: &[&str] = &[
    "投资方资金链紧张, 暂停投资",
    "用地规划调整, 项目另行选址",
    "环评未通过, 项目终止",
    "投资方战略调整, 撤回投资",
];

/// 存在问题 as units write them: the lagging projects' and a few others'.
const BLOCKERS: &[(&str, Category)] = &[
    ("用地指标尚未完全落实, 二期厂房无法按期开工", Category::Land),
    ("投资方资金到位滞后, 工程款支付困难", Category::Finance),
    ("施工图审查意见较多, 正在修改完善", Category::Approval),
    ("高压线迁改未完成, 影响场地施工", Category::Infrastructure),
    ("熟练技术工人招聘困难, 设备安装进度放缓", Category::Labour),
];

/// The months of the demo year that report (January–November; December is still ahead).
const MONTHS: u8 = 11;

/// 形象进度 as units write it, by how far the works are.
fn progress_text(pct: f64, producing: bool) -> &'static str {
    match pct {
        _ if producing => "竣工验收, 已投入试生产",
        p if p < 15.0 => "场地平整及桩基施工",
        p if p < 35.0 => "基础工程施工",
        p if p < 55.0 => "主体结构施工",
        p if p < 75.0 => "厂房主体结顶, 开始设备采购",
        p if p < 90.0 => "设备进场安装",
        _ => "设备调试, 准备试生产",
    }
}

/// The demo year's monthly 调度 of every project, by responsible unit and month, and the
/// blockers the office turns into 企业难题.
#[derive(Debug, Default)]
pub struct Dispatch {
    months: HashMap<(i64, u8), Vec<DispatchInput>>,
    /// (project, month, category) of the blockers raised as 企业难题.
    raise: Vec<(i64, u8, Category)>,
}

impl Dispatch {
    /// What the unit reports for its projects in `month` (none when no project is under way).
    pub fn lines(&self, unit_id: i64, month: u8) -> &[DispatchInput] {
        self.months
            .get(&(unit_id, month))
            .map_or(&[], |v| v.as_slice())
    }

    /// The unit saves its projects' 调度 of the month into its report of the period, as the
    /// report page does; it is sent and approved with the rest of the report.
    pub async fn report(
        &self,
        store: &Store,
        actor: &Actor,
        period_id: i64,
        unit_id: i64,
        month: u8,
    ) -> Result<(), StoreError> {
        let lines = self.lines(unit_id, month);
        if lines.is_empty() {
            return Ok(());
        }
        store.save_dispatch(actor, period_id, unit_id, lines).await
    }

    /// The office turns two reported blockers into 企业难题 with the one-click path.
    pub async fn raise_problems(&self, store: &Store, plan_id: i64) -> Result<(), StoreError> {
        let Some(office) = store.find_user_by_username("admin").await? else {
            return Ok(());
        };
        let office = office.actor();
        let periods = store.list_periods(&office, plan_id).await?;
        for (n, (project_id, month, category)) in self.raise.iter().enumerate() {
            let key = format!("2017-{month:02}");
            let Some(period) = periods.iter().find(|p| p.period == key) else {
                continue;
            };
            let project = store.get_project(&office, *project_id).await?;
            let (blocker, _) = store
                .project_blocker(&office, *project_id, period.id)
                .await?;
            let input = ProjectProblem {
                period_id: Some(period.id),
                category: *category,
                title: format!("{}: {blocker}", project.name)
                    .chars()
                    .take(100)
                    .collect(),
                description: format!("{month}月项目调度反映: {blocker}。请协调解决。"),
                contact_name: ["项目负责人王建华", "项目负责人陈海峰"][n % 2].into(),
                contact_phone: ["13805741234", "13957461288"][n % 2].into(),
            };
            store
                .raise_project_problem(&office, *project_id, &input)
                .await?;
        }
        Ok(())
    }
}

/// One project's monthly 调度 over the demo year: the year's investment `done` (what the
/// project has completed by the end of November) spread over the months it was under way —
/// a little 前期 spending (land, design) from the month after 签约, the bulk from 开工 on,
/// nothing after 投产 — the money that arrived with it, 形象进度 rising month by month, and the
/// blockers of `blocked` months. Returns (month, line) pairs.
#[allow(clippy::too_many_arguments)]
fn monthly(
    rng: &mut ChaCha8Rng,
    project_id: i64,
    signed: Date,
    started: Date,
    produced: Option<Date>,
    done: f64,
    annual_plan: f64,
    capital_kind: CapitalKind,
    blocked: &[(u8, &str)],
) -> Vec<(u8, DispatchInput)> {
    let month_of = |d: Date| {
        if d.year() < 2017 {
            1
        } else {
            u8::from(d.month())
        }
    };
    let start = month_of(started);
    let first = month_of(signed).min(start);
    // Investment stops the month the project goes into production.
    let last = produced
        .filter(|d| d.year() == 2017)
        .map_or(MONTHS, |d| u8::from(d.month()).min(MONTHS));
    if first > MONTHS {
        return Vec::new();
    }
    let investing: Vec<u8> = (first..=last.max(first)).collect();
    let weights: Vec<f64> = investing
        .iter()
        .map(|m| {
            if *m < start {
                rng.random_range(0.1..0.3)
            } else {
                rng.random_range(0.6..1.4)
            }
        })
        .collect();
    let sum: f64 = weights.iter().sum();
    let mut amounts: Vec<f64> = weights.iter().map(|w| (done * w / sum).floor()).collect();
    let rest = done - amounts.iter().sum::<f64>();
    if let Some(l) = amounts.last_mut() {
        *l += rest.max(0.0);
    }
    // Works started the year before are some way along in January.
    let base = if started.year() < 2017 { 20.0 } else { 0.0 };
    let mut out = Vec::new();
    let (mut cum, mut pct): (f64, f64) = (0.0, base);
    for month in first..=MONTHS {
        let amount = investing
            .iter()
            .position(|m| *m == month)
            .map(|k| amounts[k]);
        let producing = produced.is_some_and(|d| d.year() == 2017 && u8::from(d.month()) <= month);
        let preparing = month < start;
        if let Some(a) = amount {
            cum += a;
            pct = if preparing {
                (pct + 1.0).min(5.0)
            } else {
                let reached = base + (90.0 - base) * (cum / annual_plan.max(1.0)).min(1.0);
                reached.round().max(pct + 1.0).min(95.0)
            };
        }
        if producing {
            pct = 100.0;
        }
        let arrived = amount.map(|a| a * rng.random_range(0.6..0.95));
        let (foreign, domestic) = match capital_kind {
            CapitalKind::Foreign => (arrived.map(|v| (v / 6.9).round()), None),
            _ => (None, arrived.map(f64::round)),
        };
        let blockers = blocked
            .iter()
            .find(|(m, _)| *m == month)
            .map(|(_, b)| (*b).to_string())
            .unwrap_or_default();
        let progress = if preparing {
            "土地摘牌, 办理规划设计及施工许可等前期手续"
        } else {
            progress_text(pct, producing)
        };
        out.push((
            month,
            DispatchInput {
                project_id,
                figures: DispatchFigures {
                    invested_wan: amount,
                    foreign_wusd: foreign,
                    domestic_wan: domestic,
                    progress: progress.to_string(),
                    progress_pct: Some(pct),
                    blockers,
                },
            },
        ));
    }
    out
}

fn day(base: Date, days: i64) -> Date {
    base + Duration::days(days)
}

/// The actual dates of the stages a project reaches, oldest first, ending at `last`.
fn history(rng: &mut ChaCha8Rng, reached: usize, last: Date) -> Vec<Date> {
    let mut dates = vec![last];
    for _ in 0..reached {
        let gap = rng.random_range(25..70);
        let earlier = day(*dates.last().unwrap_or(&last), -gap);
        dates.push(earlier);
    }
    dates.reverse();
    dates
}

/// Enters the demo's projects and leads; returns their monthly 调度 for the monitoring months.
/// `reporting`: the units that report to the plan, when known; a project placed in a town or
/// zone that does not is followed by 县经信局 (its 调度 needs a report to ride in).
pub async fn seed(
    store: &Store,
    reporting: Option<&[i64]>,
    rng: &mut ChaCha8Rng,
    clock: &mut HistoryClock<'_>,
) -> Result<Dispatch, StoreError> {
    let system = Actor::system();
    let mut dispatch = Dispatch::default();
    let Some(office) = store.find_user_by_username("admin").await? else {
        return Ok(dispatch);
    };
    let office = office.actor();
    let leader = store.find_user_by_username("leader").await?.map(|u| u.id);
    let units = store.list_units().await?;
    let places: Vec<i64> = units
        .iter()
        .filter(|u| {
            matches!(
                u.kind,
                qx_core::units::UnitKind::Town | qx_core::units::UnitKind::Zone
            )
        })
        .map(|u| u.id)
        .collect();
    let by_name = |name: &str| units.iter().find(|u| u.name == name).map(|u| u.id);
    let departments: Vec<i64> = ["县招商局", "县经信局"]
        .iter()
        .filter_map(|n| by_name(n))
        .collect();
    let enterprises = store.list_enterprises(&system).await?;
    if places.is_empty() || departments.is_empty() {
        return Ok(dispatch);
    }
    let today = crate::DEMO_TODAY;
    let mut i = 0usize;
    // How many 存在问题 have been written, so each reads differently.
    let mut said = 0usize;
    for (stage, count, stalled) in PLAN {
        for k in 0..*count {
            let stall = k < *stalled;
            let major = i % 8 < 3;
            let (industry, product) = PRODUCTS[i % PRODUCTS.len()];
            let expansion = i % 5 == 4 && !enterprises.is_empty();
            let firm = expansion.then(|| &enterprises[i % enterprises.len()]);
            let total = if major {
                f64::from(rng.random_range(10..=150u32)) * 1_000.0
            } else {
                f64::from(rng.random_range(12..=95u32)) * 100.0
            };
            let town = places[i % places.len()];
            let reports = reporting.is_none_or(|r| r.contains(&town));
            let unit = if i % 4 == 3 || !reports {
                departments[i % departments.len()]
            } else {
                town
            };
            // How far the project got, and the day it got there.
            let reached = match stage {
                Stage::Halted => 1 + i % 2,
                s => s.rank().unwrap_or(0),
            };
            let last = match (stage, stall) {
                (Stage::Signed, true) => day(date!(2017 - 06 - 01), rng.random_range(0..60)),
                (Stage::Registered, true) => day(date!(2017 - 03 - 01), rng.random_range(0..60)),
                (Stage::Started, true) => day(date!(2016 - 09 - 01), rng.random_range(0..60)),
                (Stage::Signed, false) => day(date!(2017 - 09 - 15), rng.random_range(0..75)),
                (Stage::Registered, false) => day(date!(2017 - 07 - 01), rng.random_range(0..150)),
                (Stage::Halted, _) => day(date!(2017 - 03 - 01), rng.random_range(0..180)),
                _ => day(date!(2017 - 03 - 01), rng.random_range(0..270)),
            };
            let dates = history(rng, reached, last);
            let entered = dates[0];
            let mut planned: [Option<Date>; 4] = [None; 4];
            for (n, slot) in planned.iter_mut().enumerate() {
                let rank = n + 1;
                *slot = Some(match dates.get(rank) {
                    Some(actual) => day(*actual, rng.random_range(-20..20)),
                    // The next stage: most are planned ahead, every sixth already late.
                    None if rank == reached + 1 && i % 6 == 5 => {
                        day(today, -rng.random_range(10..60))
                    }
                    None => day(
                        today,
                        30 * (rank - reached) as i64 + rng.random_range(0..60),
                    ),
                });
            }
            // 亿元以上 projects are planned to start within 2017, as the plan's 开工率 asks.
            if major && reached < 3 && i % 6 != 5 {
                planned[2] = Some(day(date!(2017 - 12 - 10), rng.random_range(0..20)));
            }
            let annual_plan = (total * f64::from(rng.random_range(25..50u32)) / 100.0).round();
            // Most keep pace with the year's plan (green once November is approved); one in
            // seven is far behind (red) and one in seven a little (yellow).
            let done_share = match i % 7 {
                2 => 0.25,
                3 => 0.92,
                _ => f64::from(rng.random_range(100..120u32)) / 100.0,
            };
            // What the project completes by the end of November, reported month by month.
            let done = (annual_plan * done_share * 11.0 / 12.0).round();
            let capital_kind = match i % 6 {
                1 => CapitalKind::Foreign,
                4 => CapitalKind::ZhejiangReturn,
                _ => CapitalKind::Domestic,
            };
            let investor = firm.map_or(INVESTORS[i % INVESTORS.len()].to_string(), |f| {
                f.name.clone()
            });
            let credit_code = match firm {
                Some(f) if reached >= 2 => CreditCode::parse(&f.credit_code).ok(),
                _ => None,
            };
            let has_firm = credit_code.is_some();
            let size = rng.random_range(2..30u32) * 10;
            let input = ProjectInput {
                year: 2017,
                name: format!("年产{size}万件{product}项目"),
                investor,
                credit_code,
                capital_kind,
                source: if expansion {
                    Source::Expansion
                } else {
                    Source::Investment
                },
                industry: industry.to_string(),
                town_id: Some(town),
                total_investment_wan: total,
                foreign_contract_wusd: (capital_kind == CapitalKind::Foreign)
                    .then(|| (total / 7.0 * 0.6).round()),
                // Only projects under construction have a year's investment plan to judge.
                annual_plan_wan: (reached >= 3).then_some(annual_plan),
                // 本年已完成投资 is the sum of the approved monthly 调度.
                completed_wan: None,
                land_mu: Some(f64::from(rng.random_range(15..180u32))),
                content: format!("新建厂房及配套设施, 购置{product}生产线"),
                unit_id: unit,
                contact: String::new(),
                leader_user_id: if major { leader } else { None },
                planned,
            };
            let id = store.create_project(&office, &input, entered).await?;
            clock.mark_on(entered, 9).await?;
            for (rank, on) in dates.iter().enumerate().skip(1) {
                let m = StageMove {
                    to: PIPELINE[rank],
                    on: *on,
                    evidence: match PIPELINE[rank] {
                        Stage::Signed => "投资协议已签订".into(),
                        Stage::Registered => "营业执照已领取".into(),
                        Stage::Started => "施工许可证已办理".into(),
                        _ => "试生产备案".into(),
                    },
                    reason: String::new(),
                };
                store.move_project(&office, id, &m).await?;
                clock.mark_on(m.on, 10).await?;
            }
            if *stage == Stage::Halted {
                let m = StageMove {
                    to: Stage::Halted,
                    on: day(last, rng.random_range(20..60)),
                    evidence: String::new(),
                    reason: HALT_REASONS[k % HALT_REASONS.len()].into(),
                };
                store.move_project(&office, id, &m).await?;
                clock.mark_on(m.on, 10).await?;
            }
            if reached >= 3 && *stage != Stage::Halted {
                // The lagging ones say why in two months; a few firms' expansions in one.
                let lagging = i % 7 == 2;
                let firm_blocked = expansion && i.is_multiple_of(3);
                let first = if dates[3].year() < 2017 {
                    1
                } else {
                    u8::from(dates[3].month())
                };
                let in_year = |m: u8| m.max(first).min(MONTHS);
                let mut blocked = Vec::new();
                if lagging || firm_blocked {
                    let (text, category) = BLOCKERS[said % BLOCKERS.len()];
                    said += 1;
                    let month = in_year(if lagging { 6 } else { 9 });
                    blocked.push((month, text));
                    if lagging && in_year(10) != month {
                        let (again, _) = BLOCKERS[said % BLOCKERS.len()];
                        said += 1;
                        blocked.push((in_year(10), again));
                    }
                    // The first two firms' blockers become 企业难题.
                    if has_firm && dispatch.raise.len() < 2 {
                        dispatch.raise.push((id, month, category));
                    }
                }
                let lines = monthly(
                    rng,
                    id,
                    dates[1],
                    dates[3],
                    dates.get(4).copied(),
                    done,
                    annual_plan,
                    capital_kind,
                    &blocked,
                );
                for (month, line) in lines {
                    dispatch.months.entry((unit, month)).or_default().push(line);
                }
            }
            i += 1;
        }
    }
    seed_leads(store, &office, &units, rng, clock).await?;
    Ok(dispatch)
}

const LEADS: &[(&str, &str, u32, &str)] = &[
    (
        "苏州某精密机械集团",
        "智能装备",
        50_000,
        "县经信局走访获悉扩产意向",
    ),
    ("宁波某新能源公司", "光伏", 12_000, "行业展会接洽"),
    ("上海某生物医药企业", "医疗器械", 30_000, "在沪象山商会推荐"),
    ("台湾某电子厂商", "电机电器", 8_000, "台商协会介绍"),
    (
        "杭州某冷链物流企业",
        "水产品加工",
        15_000,
        "石浦镇招商小分队对接",
    ),
    ("深圳某新材料公司", "新材料", 20_000, "网上招商平台留言"),
    ("温州某服装集团", "针织服装", 6_000, "浙商回归座谈会"),
    ("广州某游艇制造商", "船舶修造", 40_000, "县招商局驻外联络处"),
    ("某央企下属装备公司", "智能装备", 100_000, "县领导赴京招商"),
    (
        "韩国某汽车配件商",
        "汽车零部件",
        9_000,
        "外资企业增资扩股意向",
    ),
    ("宁波某模具协会会员企业", "模具", 3_000, "企业间介绍"),
    ("某海洋科技创业团队", "新材料", 2_000, "人才项目对接"),
];

async fn seed_leads(
    store: &Store,
    office: &Actor,
    units: &[qx_store::units::Unit],
    rng: &mut ChaCha8Rng,
    clock: &mut HistoryClock<'_>,
) -> Result<(), StoreError> {
    let users = store.list_users(&Actor::system()).await?;
    let submitters: Vec<Actor> = users
        .iter()
        .filter(|u| matches!(u.profile.role, Role::Unit | Role::Enterprise))
        .take(40)
        .step_by(4)
        .map(User::actor)
        .collect();
    let follow = |name: &str| units.iter().find(|u| u.name == name).map(|u| u.id);
    let today = crate::DEMO_TODAY;
    // When each lead came in: through the year, every fourth (the ones still waiting for the
    // office) in the last fortnight; the office decides within a week.
    let mut submitted_at = Vec::new();
    for (n, (investor, industry, wan, found)) in LEADS.iter().enumerate() {
        let came = if n % 4 == 3 {
            day(today, -(2 + n as i64))
        } else {
            day(date!(2017 - 02 - 10), 20 * n as i64)
        };
        let decided = day(came, 5);
        let by = submitters
            .get(n % submitters.len().max(1))
            .unwrap_or(office);
        let id = store
            .submit_lead(
                by,
                &NewLead {
                    investor: (*investor).into(),
                    industry: (*industry).into(),
                    intended_wan: Some(f64::from(*wan)),
                    contact: format!("联系人 13{:09}", rng.random_range(0..1_000_000_000u32)),
                    found_by: (*found).chars().take(8).collect(),
                    note: (*found).into(),
                },
            )
            .await?;
        let at = qx_core::time::start_of_day(came) + 10 * 3600;
        submitted_at.push((id, at));
        clock.mark(at).await?;
        let unit = follow(if n % 2 == 0 {
            "县招商局"
        } else {
            "石浦镇"
        });
        match n % 4 {
            // Accepted, and the first two of those became projects.
            0 | 1 => {
                let decision = LeadDecision {
                    accept: true,
                    follow_unit_id: unit,
                    reward: format!("线索有效, 按办法奖励{}元", 2_000 + 1_000 * (n % 3)),
                    note: String::new(),
                };
                store.decide_lead(office, id, &decision).await?;
                clock.mark_on(decided, 15).await?;
                if let (true, Some(unit_id)) = (n < 4, unit) {
                    let input = ProjectInput {
                        year: 2017,
                        name: format!("{investor}{industry}项目"),
                        investor: (*investor).into(),
                        credit_code: None,
                        capital_kind: CapitalKind::Domestic,
                        source: Source::Investment,
                        industry: (*industry).into(),
                        town_id: None,
                        total_investment_wan: f64::from(*wan),
                        foreign_contract_wusd: None,
                        annual_plan_wan: None,
                        completed_wan: None,
                        land_mu: None,
                        content: String::new(),
                        unit_id,
                        contact: String::new(),
                        leader_user_id: None,
                        planned: [None; 4],
                    };
                    let on = day(date!(2017 - 10 - 10), 7 * n as i64);
                    let project = store.convert_lead(office, id, &input, on).await?;
                    clock.mark_on(on, 10).await?;
                    // The first signs three weeks later, so the funnel's 线索→签约 has one.
                    if n == 0 {
                        let m = StageMove {
                            to: Stage::Signed,
                            on: day(on, 21),
                            evidence: "投资协议已签订".into(),
                            reason: String::new(),
                        };
                        store.move_project(office, project, &m).await?;
                        clock.mark_on(m.on, 10).await?;
                    }
                }
            }
            2 => {
                let decision = LeadDecision {
                    accept: false,
                    follow_unit_id: None,
                    reward: String::new(),
                    note: "不符合产业导向".into(),
                };
                store.decide_lead(office, id, &decision).await?;
                clock.mark_on(decided, 15).await?;
            }
            // Still waiting for the office.
            _ => {}
        }
    }
    store.date_leads(&Actor::system(), &submitted_at).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use qx_core::monitor::Light;
    use qx_core::state::SubmissionStatus;
    use std::collections::BTreeMap;

    /// The demo's projects report their 调度 month by month inside the units' submissions: the
    /// year's completed investment is what the approved months add up to, a month reported but
    /// not yet approved is not counted, 形象进度 rises, the money arrives in the project's
    /// currency, most 亿元以上 projects keep pace and a few lag, and two blockers became 企业难题.
    #[tokio::test]
    async fn the_demo_projects_report_monthly_through_the_submissions() {
        let (_dir, store) = crate::seeded_for_test().await;
        let system = Actor::system();
        let plan = store.list_plans(&system).await.unwrap()[0].id;
        let periods = store.list_periods(&system, plan).await.unwrap();
        assert_eq!(periods.len(), 11, "January–November");
        // Per project: (month, line, counted) over the year, and the completed figure.
        let mut months: BTreeMap<i64, Vec<(String, DispatchInput, bool)>> = BTreeMap::new();
        let mut completed: HashMap<i64, Option<f64>> = HashMap::new();
        let mut plans: HashMap<i64, Option<f64>> = HashMap::new();
        let (mut raised, mut uncounted) = (0, 0);
        for period in &periods {
            for u in store.period_progress(&system, period.id).await.unwrap() {
                let status = u.submission.as_ref().map(|s| s.status);
                let approved = status == Some(SubmissionStatus::Approved);
                for l in store
                    .dispatch_lines(&system, period.id, u.unit_id)
                    .await
                    .unwrap()
                {
                    completed.insert(l.project_id, l.completed_wan);
                    plans.insert(l.project_id, l.annual_plan_wan);
                    raised += usize::from(l.problem_id.is_some());
                    if l.report
                        == (DispatchInput {
                            project_id: l.project_id,
                            ..DispatchInput::default()
                        })
                    {
                        continue;
                    }
                    // Reported only inside a report that was sent.
                    assert!(status.is_some_and(|s| s != SubmissionStatus::Draft));
                    if !approved && l.report.figures.invested_wan.is_some() {
                        uncounted += 1;
                    }
                    months.entry(l.project_id).or_default().push((
                        period.period.clone(),
                        l.report,
                        approved,
                    ));
                }
            }
        }
        assert!(months.len() >= 30, "{} projects report", months.len());
        assert!(uncounted > 0, "some November months await the office");
        assert_eq!(raised, 2, "two blockers became 企业难题");
        let blocked: usize = months
            .values()
            .flatten()
            .filter(|(_, l, _)| !l.figures.blockers.is_empty())
            .count();
        assert!(
            (5..=20).contains(&blocked),
            "{blocked} months with 存在问题"
        );
        let today = crate::DEMO_TODAY;
        let (mut green, mut behind) = (0, 0);
        for (id, lines) in &months {
            let project = store.get_project(&system, *id).await.unwrap();
            let counted: f64 = lines
                .iter()
                .filter(|(_, _, ok)| *ok)
                .filter_map(|(_, l, _)| l.figures.invested_wan)
                .sum();
            let done = completed[id];
            assert_eq!(done, project.completed_wan);
            assert!(
                (done.unwrap_or(0.0) - counted).abs() < 0.01,
                "{}: {done:?} ≠ {counted} approved",
                project.name
            );
            // 形象进度 rises month by month.
            let pcts: Vec<f64> = lines
                .iter()
                .filter_map(|(_, l, _)| l.figures.progress_pct)
                .collect();
            assert!(pcts.windows(2).all(|w| w[0] <= w[1]), "{pcts:?}");
            assert!(pcts.windows(2).any(|w| w[0] < w[1]), "{pcts:?}");
            assert!(lines.iter().all(|(_, l, _)| !l.figures.progress.is_empty()));
            // 外资到位 for foreign capital, 内资到位 for the rest.
            for (_, l, _) in lines
                .iter()
                .filter(|(_, l, _)| l.figures.invested_wan.is_some())
            {
                let foreign = project.capital_kind == CapitalKind::Foreign;
                assert_eq!(
                    l.figures.foreign_wusd.is_some(),
                    foreign,
                    "{}",
                    project.name
                );
                assert_eq!(
                    l.figures.domestic_wan.is_some(),
                    !foreign,
                    "{}",
                    project.name
                );
            }
            if qx_core::project::is_major(project.total_investment_wan) {
                let light = qx_core::project::light_on(
                    2017,
                    done,
                    plans[id],
                    None,
                    today,
                    Default::default(),
                )
                .investment;
                match light {
                    Light::Green => green += 1,
                    Light::Yellow | Light::Red => behind += 1,
                    Light::Grey => {}
                }
            }
        }
        assert!(
            behind >= 2 && green > behind,
            "亿元以上: {green} green, {behind} behind"
        );
    }
}
