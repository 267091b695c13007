//! The demo's 考核评价 for 2017: the office's schemes, the three quarters' rankings final (the
//! same engine and schemes as the 季度通报, so they match the issued 通报 place for place), and
//! the annual assessment scored on 12-05 and in 公示, with two objections answered — one
//! upheld (the item's points adjusted, before and after recorded), one rejected.
//!
//! Quarterly schemes: the bulletin's two (镇乡(街道); 部门). Annual schemes, one per class of
//! 差异化考核, weighted by what the 2017 工作推进方案 asks of each class:
//!
//! - 涉企部门 (the departments that serve enterprises, named as members): the plan's first ask
//!   of them is the 工业经济 indicators they lead (35) and 企业难题 handled — 解决率 15 and 满意率
//!   10, each scored as the class average below 3 problems so one case cannot decide a unit;
//!   "重点涉企部门纳入招商考核" gives 招商签约 10 (2 points a project); tasks 20 and report
//!   punctuality 10 keep the 推进 and 报送 discipline every unit owes.
//! - 县级部门 (every other department and body): they lead few indicators but support many
//!   tasks, so tasks weigh most (40), indicators 30 (ratio to 序时进度), punctuality 20, and
//!   难题按时答复率 10 (min 3).
//! - 开发区(园区): the plan's platforms for 项目 and 招商: indicators 30 (ratio to 序时进度, up to
//!   120%), 项目投资完成率 25, 项目开工率 15, 招商签约 ranked 10 (first full marks, 2 less a place),
//!   tasks 10, punctuality 10; a bonus of 2 a 亿元以上 project started, capped at 6.
//! - 镇乡(街道): "加大对镇乡(街道)考核奖惩力度": indicators 30, tasks 25, 项目投资完成率 15,
//!   难题答复率 10 (min 3), punctuality 20; 一票否决 for a 重大安全生产责任事故 the office records.
//!
//! Deterministic: the objections go to the units' weakest applicable items.

use crate::DemoError;
use crate::dating::HistoryClock;
use qx_app::assessment::{default_schemes, run};
use qx_core::access::Actor;
use qx_core::assessment::{Cadence, Item, ItemKind, Method, Scheme, Source, UnitClass, Veto};
use qx_core::period::Period;
use qx_store::Store;
use qx_store::assessment::{Answer, NewObjection};

/// The 涉企部门 of the annual scheme: the departments the plan names for enterprise service
/// and 招商.
pub const ENTERPRISE_DEPARTMENTS: [&str; 10] = [
    "县经信局",
    "县发改局",
    "县科技局",
    "县商务局",
    "县招商局",
    "县市场监管局",
    "县环保局",
    "县国土资源局",
    "县审管办",
    "县金融办",
];

/// The last day of the annual 公示: five working days after the demo's 2017-12-05.
pub const PUBLICITY_UNTIL: &str = "2017-12-12";

fn item(key: &str, name: &str, weight: f64, source: Source, method: Method) -> Item {
    Item {
        key: key.into(),
        name: name.into(),
        kind: ItemKind::Core,
        weight,
        source,
        method,
        min_count: 0,
    }
}

fn scheme(name: &str, classes: Vec<UnitClass>, items: Vec<Item>) -> Scheme {
    Scheme {
        year: 2017,
        name: name.into(),
        cadence: Cadence::Annual,
        classes,
        sub_class: None,
        members: Vec::new(),
        base: 0.0,
        items,
        vetoes: Vec::new(),
        bonus_cap: None,
        deduction_cap: None,
        rescale_missing: true,
    }
}

/// 完成率, full marks at 100%.
const CAPPED: Method = Method::CompletionCapped { ceiling: 1.0 };

/// 牵头指标完成情况: the ratio of 完成率 to 序时进度, full marks at `ceiling`.
fn indicators(weight: f64, ceiling: f64) -> Item {
    item(
        "indicators",
        "牵头指标完成情况",
        weight,
        Source::Indicators,
        Method::PaceRatio { ceiling },
    )
}

/// 牵头及配合任务推进.
fn tasks(weight: f64) -> Item {
    item("tasks", "牵头及配合任务推进", weight, Source::Tasks, CAPPED)
}

/// 月度报送及时率.
fn punctuality(weight: f64) -> Item {
    item(
        "punctuality",
        "月度报送及时率",
        weight,
        Source::ReportPunctuality,
        CAPPED,
    )
}

/// 项目投资完成率.
fn project_investment(weight: f64) -> Item {
    item(
        "project_investment",
        "项目投资完成率",
        weight,
        Source::ProjectInvestmentRate,
        CAPPED,
    )
}

/// An 企业难题 rate, scored as the class average below 3 problems.
fn problem_rate(key: &str, name: &str, weight: f64, source: Source) -> Item {
    Item {
        min_count: 3,
        ..item(key, name, weight, source, CAPPED)
    }
}

/// The four annual schemes (weights: see the module's notes).
pub fn annual_schemes() -> Vec<Scheme> {
    let mut enterprise = scheme(
        "2017年度涉企部门考核",
        vec![UnitClass::EnterpriseDepartment],
        vec![
            indicators(35.0, 1.0),
            tasks(20.0),
            problem_rate(
                "problem_resolution",
                "企业难题解决率",
                15.0,
                Source::ProblemResolutionRate,
            ),
            problem_rate(
                "problem_satisfaction",
                "企业难题满意率",
                10.0,
                Source::ProblemSatisfactionRate,
            ),
            item(
                "investment_signed",
                "招商签约项目",
                10.0,
                Source::InvestmentSigned,
                Method::PerCount { points: 2.0 },
            ),
            punctuality(10.0),
        ],
    );
    enterprise.members = ENTERPRISE_DEPARTMENTS
        .iter()
        .map(|s| s.to_string())
        .collect();

    let county = scheme(
        "2017年度县级部门考核",
        vec![UnitClass::CountyDepartment],
        vec![
            tasks(40.0),
            indicators(30.0, 1.0),
            punctuality(20.0),
            problem_rate(
                "problem_on_time",
                "企业难题按时答复率",
                10.0,
                Source::ProblemOnTimeRate,
            ),
        ],
    );

    let mut zones = scheme(
        "2017年度开发区(园区)考核",
        vec![UnitClass::Zone],
        vec![
            indicators(30.0, 1.2),
            project_investment(25.0),
            item(
                "project_start",
                "项目开工率",
                15.0,
                Source::ProjectStartRate,
                CAPPED,
            ),
            item(
                "investment_signed",
                "招商签约排名",
                10.0,
                Source::InvestmentSigned,
                Method::Rank { step: 2.0 },
            ),
            tasks(10.0),
            punctuality(10.0),
        ],
    );
    zones.items.push(Item {
        kind: ItemKind::Bonus,
        ..item(
            "big_projects",
            "亿元以上项目开工(加分)",
            6.0,
            Source::BigProjectsStarted,
            Method::PerCount { points: 2.0 },
        )
    });
    zones.bonus_cap = Some(6.0);

    let mut towns = scheme(
        "2017年度镇乡(街道)考核",
        vec![UnitClass::Town],
        vec![
            indicators(30.0, 1.0),
            tasks(25.0),
            project_investment(15.0),
            problem_rate(
                "problem_answer",
                "企业难题答复率",
                10.0,
                Source::ProblemAnswerRate,
            ),
            punctuality(20.0),
        ],
    );
    towns.vetoes.push(Veto {
        key: "safety_accident".into(),
        name: "发生重大安全生产责任事故".into(),
        source: Source::Manual,
        at_least: 1.0,
    });
    vec![enterprise, county, zones, towns]
}

async fn actor_of(store: &Store, username: &str) -> Result<Actor, DemoError> {
    Ok(store
        .find_user_by_username(username)
        .await?
        .ok_or_else(|| DemoError::Data(format!("no demo account {username}")))?
        .actor())
}

fn data(what: &str) -> impl FnOnce(qx_app::AppError) -> DemoError + '_ {
    move |e| DemoError::Data(format!("{what}: {e}"))
}

/// The applicable core item of `unit` with the lowest share of its weight: (key, name, points,
/// weight).
async fn weakest_item(
    store: &Store,
    office: &Actor,
    run_id: i64,
    unit_id: i64,
) -> Result<(String, String, f64, f64), DemoError> {
    let (_, _, items) = store.assessment_breakdown(office, run_id, unit_id).await?;
    items
        .into_iter()
        .filter(|i| i.kind.0 == ItemKind::Core && i.applicable == 1 && i.class_average == 0)
        .filter(|i| i.points < i.weight)
        .min_by(|a, b| {
            (a.points / a.weight)
                .total_cmp(&(b.points / b.weight))
                .then(a.item_key.cmp(&b.item_key))
        })
        .map(|i| (i.item_key, i.name, i.points, i.weight))
        .ok_or_else(|| {
            DemoError::Data(format!(
                "考核 {run_id}: 单位 {unit_id} 没有可提出异议的项目"
            ))
        })
}

/// A unit objecting to its weakest item of a run, and the office's answer (upheld: the item
/// rises by a fifth of its weight, up to full marks).
struct Objecting {
    username: &'static str,
    /// `{item}` stands for the item's name.
    reason: &'static str,
    evidence: &'static str,
    upheld: bool,
    answer: &'static str,
}

impl Objecting {
    async fn tell(&self, store: &Store, office: &Actor, run_id: i64) -> Result<(), DemoError> {
        let unit = actor_of(store, self.username).await?;
        let unit_id = unit.unit_id.unwrap_or_default();
        let (key, name, before, weight) = weakest_item(store, office, run_id, unit_id).await?;
        let (id, _) = store
            .file_assessment_objection(
                &unit,
                &NewObjection {
                    run_id,
                    item_key: key,
                    reason: self.reason.replace("{item}", &name),
                    evidence: self.evidence.into(),
                },
            )
            .await?;
        let after = ((before + weight * 0.2).min(weight) * 100.0).round() / 100.0;
        let answer = Answer {
            upheld: self.upheld,
            answer: self.answer.into(),
            points: self.upheld.then_some(after),
        };
        store
            .answer_assessment_objection(office, id, &answer)
            .await?;
        Ok(())
    }
}

pub async fn seed(
    store: &Store,
    office: &Actor,
    plan_id: i64,
    clock: &mut HistoryClock<'_>,
) -> Result<(), DemoError> {
    // The schemes: the bulletin's quarterly two first (the 通报 ranks by them), then the
    // annual four.
    for s in default_schemes(2017, Cadence::Quarterly)
        .into_iter()
        .chain(annual_schemes())
    {
        store.save_assessment_scheme(office, &s).await?;
    }

    // Q1–Q3 scored and finalised as the 通报 were issued (a quarterly view needs no 公示).
    for q in 1..=3 {
        let period = Period::new_quarter(2017, q)
            .map_err(|e| DemoError::Data(format!("quarter {q}: {e}")))?;
        let id = run(store, office, plan_id, period)
            .await
            .map_err(data("scoring a quarter"))?;
        store.finalise_assessment_run(office, id).await?;
        // Finalised when the quarter's 通报 was issued.
        if let Some(on) = crate::bulletins::ISSUED
            .iter()
            .find(|(_, p, _)| *p == period.to_string())
            .and_then(|(.., on)| qx_core::time::parse_date(on))
        {
            clock.mark_on(on, 9).await?;
        }
    }

    // The year, scored on 12-05 and in 公示.
    let year = Period::new_year(2017).map_err(|e| DemoError::Data(format!("year: {e}")))?;
    let annual = run(store, office, plan_id, year)
        .await
        .map_err(data("scoring the year"))?;
    store
        .publish_assessment_run(office, annual, PUBLICITY_UNTIL)
        .await?;

    // 石浦镇 objects to its weakest item and is upheld: the item rises by a fifth of its weight.
    let story = Objecting {
        username: "sp1",
        reason: "我镇“{item}”得分偏低: 11月底已完成的事项在系统中仍按滞后计算, 请予核实",
        evidence: "县工业强县办现场验收意见(2017-11-28)",
        upheld: true,
        answer: "经核实, 相关事项已于11月底完成并通过验收, 予以采纳, 该项得分相应调整",
    };
    story.tell(store, office, annual).await?;
    // 县经信局 objects too, and is answered with the rule.
    let story = Objecting {
        username: "jxj1",
        reason: "“{item}”涉及的部分事项需多部门协调, 超出本局职责, 建议不计入本局得分",
        evidence: "",
        upheld: false,
        answer: "相关事项已按方案明确由贵局牵头, 协调配合单位属牵头职责, 得分按统一规则计算, 不予采纳",
    };
    story.tell(store, office, annual).await?;
    Ok(())
}
