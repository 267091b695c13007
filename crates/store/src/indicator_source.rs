//! Where an indicator's figure comes from (指标数据来源).
//!
//! Most indicators are reported each period by their lead unit (`manual`). The plan's 难题答复率
//! and 难题解决率 are not: the problems module (企业难题) already knows them, so they fill in by
//! themselves from [`Store::problem_rates`] and units are not asked for them.
//!
//! Publishing a plan sets each indicator's source from its wording ([`infer_source`]); the
//! office may change it ([`Store::set_indicator_source`]). Pages that ask units for figures
//! (the fill-in form, the Excel template) skip every indicator for which
//! [`Store::is_auto_indicator`] is true, or filter a plan's list with
//! [`Store::auto_indicators`].

use crate::audit::AuditEntry;
use crate::commit_audited;
use crate::office_only;
use crate::{Result, Store, StoreError, Tx};
use qx_core::access::Actor;
use qx_core::label::{Labelled, Lang};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// Where an indicator's figure comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IndicatorSource {
    /// Reported by the lead unit every period.
    Manual,
    /// 难题答复率: answered problems over those answered or overdue (percent).
    ProblemAnswerRate,
    /// 难题解决率: closed problems resolved over closed problems (percent).
    ProblemSolveRate,
    // Projects (重大项目库): counts of projects that reached a stage this year, by the stages'
    // actual dates (`Store::project_stage_counts_as_of`).
    /// 签约项目数.
    ProjectsSigned,
    /// 注册项目数.
    ProjectsRegistered,
    /// 动建/开工项目数.
    ProjectsStarted,
    /// 投产项目数.
    ProjectsProducing,
    /// 亿元以上项目开工率: started ÷ planned to start this year, 亿元以上 only (percent).
    ProjectMajorStartRate,
    /// 实际利用外资 (亿美元): the year's 外资到位 of the approved monthly 调度. Chosen by the office
    /// (not inferred on publishing: a county may count 外资 beyond its project library).
    ProjectsForeignCapital,
    /// 利用内资 (亿元): the year's 内资到位 of the approved monthly 调度; chosen by the office.
    ProjectsDomesticCapital,
    // 企业培育库: entries that reached a milestone stage this year, by the date reached.
    /// 新增规上企业: entries that reached 纳入规上统计.
    CultivationAboveScale,
    /// 个转企: households converted to firms.
    CultivationConverted,
    /// 新增高新技术企业: certified this year.
    CultivationHighTech,
    /// 科技型小微(中小)企业: rated this year.
    CultivationTechSme,
    /// 单项冠军入库培育: entered the champion pool this year.
    CultivationChampion,
    /// 单项冠军示范: became a (市级) champion model firm this year.
    CultivationChampionModel,
    /// 创新型初创企业: start-ups entered on the list this year.
    CultivationStartup,
    /// 工程(技术)中心: centres certified this year.
    CultivationEngineeringCentre,
}

impl IndicatorSource {
    pub const ALL: [IndicatorSource; 18] = [
        IndicatorSource::Manual,
        IndicatorSource::ProblemAnswerRate,
        IndicatorSource::ProblemSolveRate,
        IndicatorSource::ProjectsSigned,
        IndicatorSource::ProjectsRegistered,
        IndicatorSource::ProjectsStarted,
        IndicatorSource::ProjectsProducing,
        IndicatorSource::ProjectMajorStartRate,
        IndicatorSource::ProjectsForeignCapital,
        IndicatorSource::ProjectsDomesticCapital,
        IndicatorSource::CultivationAboveScale,
        IndicatorSource::CultivationConverted,
        IndicatorSource::CultivationHighTech,
        IndicatorSource::CultivationTechSme,
        IndicatorSource::CultivationChampion,
        IndicatorSource::CultivationChampionModel,
        IndicatorSource::CultivationStartup,
        IndicatorSource::CultivationEngineeringCentre,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            IndicatorSource::Manual => "manual",
            IndicatorSource::ProblemAnswerRate => "problem_answer_rate",
            IndicatorSource::ProblemSolveRate => "problem_solve_rate",
            IndicatorSource::ProjectsSigned => "projects_signed",
            IndicatorSource::ProjectsRegistered => "projects_registered",
            IndicatorSource::ProjectsStarted => "projects_started",
            IndicatorSource::ProjectsProducing => "projects_producing",
            IndicatorSource::ProjectMajorStartRate => "project_major_start_rate",
            IndicatorSource::ProjectsForeignCapital => "projects_foreign_capital",
            IndicatorSource::ProjectsDomesticCapital => "projects_domestic_capital",
            IndicatorSource::CultivationAboveScale => "cultivation_above_scale",
            IndicatorSource::CultivationConverted => "cultivation_converted",
            IndicatorSource::CultivationHighTech => "cultivation_high_tech",
            IndicatorSource::CultivationTechSme => "cultivation_tech_sme",
            IndicatorSource::CultivationChampion => "cultivation_champion",
            IndicatorSource::CultivationChampionModel => "cultivation_champion_model",
            IndicatorSource::CultivationStartup => "cultivation_startup",
            IndicatorSource::CultivationEngineeringCentre => "cultivation_engineering_centre",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Filled in by the system rather than reported by a unit.
    pub fn is_auto(self) -> bool {
        self != IndicatorSource::Manual
    }

    /// The cultivation milestone a 企业培育库 source counts, if it is one.
    pub fn cultivation_milestone(self) -> Option<qx_core::cultivation::Milestone> {
        use qx_core::cultivation::Milestone;
        match self {
            IndicatorSource::CultivationAboveScale => Some(Milestone::AboveScale),
            IndicatorSource::CultivationConverted => Some(Milestone::Converted),
            IndicatorSource::CultivationHighTech => Some(Milestone::HighTech),
            IndicatorSource::CultivationTechSme => Some(Milestone::TechSme),
            IndicatorSource::CultivationChampion => Some(Milestone::Champion),
            IndicatorSource::CultivationChampionModel => Some(Milestone::ChampionModel),
            IndicatorSource::CultivationStartup => Some(Milestone::Startup),
            IndicatorSource::CultivationEngineeringCentre => Some(Milestone::EngineeringCentre),
            _ => None,
        }
    }
}

impl Labelled for IndicatorSource {
    fn label(&self, lang: Lang) -> &'static str {
        match self {
            IndicatorSource::Manual => lang.pick("单位报送", "Reported by the unit"),
            IndicatorSource::ProblemAnswerRate => {
                lang.pick("自动: 企业难题答复率", "Automatic: problem answer rate")
            }
            IndicatorSource::ProblemSolveRate => {
                lang.pick("自动: 企业难题解决率", "Automatic: problem resolution rate")
            }
            IndicatorSource::ProjectsSigned => {
                lang.pick("自动: 重大项目库签约数", "Automatic: projects signed")
            }
            IndicatorSource::ProjectsRegistered => {
                lang.pick("自动: 重大项目库注册数", "Automatic: projects registered")
            }
            IndicatorSource::ProjectsStarted => {
                lang.pick("自动: 重大项目库开工数", "Automatic: projects started")
            }
            IndicatorSource::ProjectsProducing => lang.pick(
                "自动: 重大项目库投产数",
                "Automatic: projects in production",
            ),
            IndicatorSource::ProjectMajorStartRate => lang.pick(
                "自动: 亿元以上项目开工率",
                "Automatic: start rate of projects ≥ 100 million yuan",
            ),
            IndicatorSource::ProjectsForeignCapital => lang.pick(
                "自动: 重大项目调度外资到位(亿美元)",
                "Automatic: foreign capital arrived in the projects' 调度 (100 million USD)",
            ),
            IndicatorSource::ProjectsDomesticCapital => lang.pick(
                "自动: 重大项目调度内资到位(亿元)",
                "Automatic: domestic capital arrived in the projects' 调度 (100 million yuan)",
            ),
            IndicatorSource::CultivationAboveScale => lang.pick(
                "自动: 培育库纳入规上统计企业数",
                "Automatic: firms counted above scale",
            ),
            IndicatorSource::CultivationConverted => lang.pick(
                "自动: 培育库个转企户数",
                "Automatic: households converted to firms",
            ),
            IndicatorSource::CultivationHighTech => lang.pick(
                "自动: 培育库新认定高新技术企业数",
                "Automatic: newly certified high-tech firms",
            ),
            IndicatorSource::CultivationTechSme => lang.pick(
                "自动: 培育库科技型中小企业入库数",
                "Automatic: firms rated tech SMEs",
            ),
            IndicatorSource::CultivationChampion => lang.pick(
                "自动: 培育库单项冠军入库培育数",
                "Automatic: firms in the champion pool",
            ),
            IndicatorSource::CultivationChampionModel => lang.pick(
                "自动: 培育库单项冠军示范企业数",
                "Automatic: champion model firms",
            ),
            IndicatorSource::CultivationStartup => lang.pick(
                "自动: 培育库创新型初创企业数",
                "Automatic: innovative start-ups",
            ),
            IndicatorSource::CultivationEngineeringCentre => lang.pick(
                "自动: 培育库新认定工程(技术)中心数",
                "Automatic: newly certified engineering centres",
            ),
        }
    }
}

/// The source an indicator's wording implies: 答复率 or 解决率 in an indicator about 难题/问题
/// (its own name or text, or the heading/text of the plan section it sits in, `context`).
/// 按时答复率 / 及时答复率 measure something else and stay manual.
pub fn infer_source(name: &str, text: &str, context: &str) -> IndicatorSource {
    if let Some(source) = infer_cultivation(name, text) {
        return source;
    }
    let own = format!("{name}\u{1f}{text}");
    if let Some(source) = project_source(&own) {
        return source;
    }
    let about_problems = own.contains("难题") || own.contains("问题") || context.contains("难题");
    if !about_problems {
        return IndicatorSource::Manual;
    }
    if own.contains("答复率") && !own.contains("按时答复率") && !own.contains("及时答复率")
    {
        IndicatorSource::ProblemAnswerRate
    } else if own.contains("解决率") {
        IndicatorSource::ProblemSolveRate
    } else {
        IndicatorSource::Manual
    }
}

/// The projects module's sources: a count of projects at a stage (签约/注册/动建 or 开工/投产
/// 项目, all projects: a count limited to 亿元以上 or 10亿元以上 is not one of them and stays
/// manual), or the 亿元以上项目开工率.
fn project_source(own: &str) -> Option<IndicatorSource> {
    use IndicatorSource::*;
    if own.contains("开工率") {
        return own.contains("亿元以上").then_some(ProjectMajorStartRate);
    }
    if !own.contains("项目") || own.contains("亿元以上") {
        return None;
    }
    [
        ("签约项目", ProjectsSigned),
        ("注册项目", ProjectsRegistered),
        ("动建项目", ProjectsStarted),
        ("开工项目", ProjectsStarted),
        ("投产项目", ProjectsProducing),
    ]
    .into_iter()
    .find(|(word, _)| own.contains(word))
    .map(|(_, source)| source)
}

/// 企业培育库: a count of firms reaching a milestone, named by the indicator itself (its name
/// first, then its text): 新增规上(规模以上)企业 but not 规下, 个转企 or 个体工商户升级为企业,
/// 高新技术企业, 科技型小微/中小企业, 单项冠军入库培育 and the 单项冠军示范 award, 创新型初创企业,
/// 工程(技术)中心 (a 其中省级 part of a count stays with the units: the list does not keep levels).
fn infer_cultivation(name: &str, text: &str) -> Option<IndicatorSource> {
    let judge = |s: &str| {
        let new_above = [
            "新增规模以上企业",
            "新增规上企业",
            "新增规模企业",
            "新增规上工业企业",
        ];
        if new_above.iter().any(|w| s.contains(w)) && !s.contains("规下") {
            Some(IndicatorSource::CultivationAboveScale)
        } else if s.contains("个转企") || (s.contains("个体工商户") && s.contains("升级为企业"))
        {
            Some(IndicatorSource::CultivationConverted)
        } else if s.contains("高新技术企业") {
            Some(IndicatorSource::CultivationHighTech)
        } else if s.contains("科技型小微企业") || s.contains("科技型中小企业") {
            Some(IndicatorSource::CultivationTechSme)
        } else if s.contains("单项冠军") && s.contains("示范") {
            Some(IndicatorSource::CultivationChampionModel)
        } else if s.contains("单项冠军") && s.contains("入库") {
            Some(IndicatorSource::CultivationChampion)
        } else if s.contains("创新型初创企业") {
            Some(IndicatorSource::CultivationStartup)
        } else if (s.contains("工程(技术)中心")
            || s.contains("工程（技术）中心")
            || s.contains("工程技术中心"))
            && !s.contains("其中省级")
            && !s.starts_with("省级")
        {
            Some(IndicatorSource::CultivationEngineeringCentre)
        } else {
            None
        }
    };
    judge(name).or_else(|| judge(text))
}

/// Decodes a stored source. The column has no CHECK (migration 0017: modules add sources to the
/// enum), so an unknown code is an error, never read as "reported by hand".
fn stored(s: &str) -> Result<IndicatorSource> {
    IndicatorSource::parse(s).ok_or_else(|| StoreError::Invalid(format!("未知的指标数据来源: {s}")))
}

/// Sets the source of every indicator of a plan being published, inside the publishing
/// transaction; returns how many fill in by themselves.
pub async fn assign_sources(tx: &mut Tx, plan_id: i64) -> Result<usize> {
    let rows: Vec<(i64, String, String, String)> = sqlx::query_as(
        "SELECT i.id, i.name, i.text, COALESCE(pi.heading, '') || ' ' || COALESCE(pi.text, '')
         FROM indicators i LEFT JOIN plan_items pi ON pi.plan_id = i.plan_id AND pi.number = i.section
         WHERE i.plan_id = $1 ORDER BY i.ordinal",
    )
    .bind(plan_id)
    .fetch_all(&mut **tx)
    .await?;
    // Counts the county's own libraries know (重大项目, 企业培育库) are always filled by the
    // system: the office may switch any indicator back to the units' figures afterwards
    // (`Store::set_indicator_source`), which a county without a 培育库 yet would do.
    let mut auto = 0;
    for (id, name, text, context) in rows {
        let source = infer_source(&name, &text, &context);
        sqlx::query("UPDATE indicators SET source = $1 WHERE id = $2")
            .bind(source.as_str())
            .bind(id)
            .execute(&mut **tx)
            .await?;
        auto += usize::from(source.is_auto());
    }
    Ok(auto)
}

impl Store {
    /// The source of one indicator.
    pub async fn indicator_source(&self, indicator_id: i64) -> Result<IndicatorSource> {
        let row: Option<(String,)> = sqlx::query_as("SELECT source FROM indicators WHERE id = $1")
            .bind(indicator_id)
            .fetch_optional(self.pool())
            .await?;
        match row {
            Some((s,)) => stored(&s),
            None => Err(StoreError::NotFound(format!("指标 {indicator_id}"))),
        }
    }

    /// Whether the system fills this indicator in (units are not asked for it). An unknown
    /// indicator is not automatic.
    pub async fn is_auto_indicator(&self, indicator_id: i64) -> Result<bool> {
        match self.indicator_source(indicator_id).await {
            Ok(s) => Ok(s.is_auto()),
            Err(StoreError::NotFound(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// The indicators of a plan that fill in by themselves (one query, for filtering lists).
    pub async fn auto_indicators(&self, plan_id: i64) -> Result<HashSet<i64>> {
        Ok(self.indicator_sources(plan_id).await?.into_keys().collect())
    }

    /// Every indicator of a plan that is not reported by hand, with its source.
    pub async fn indicator_sources(&self, plan_id: i64) -> Result<HashMap<i64, IndicatorSource>> {
        let rows: Vec<(i64, String)> = sqlx::query_as(
            "SELECT id, source FROM indicators WHERE plan_id = $1 AND source <> 'manual'",
        )
        .bind(plan_id)
        .fetch_all(self.pool())
        .await?;
        let mut out = HashMap::with_capacity(rows.len());
        for (id, s) in rows {
            let source = stored(&s)?;
            if source.is_auto() {
                out.insert(id, source);
            }
        }
        Ok(out)
    }

    /// The office changes where an indicator's figure comes from; audited.
    pub async fn set_indicator_source(
        &self,
        actor: &Actor,
        indicator_id: i64,
        source: IndicatorSource,
    ) -> Result<()> {
        office_only(actor, "设置指标数据来源")?;
        let mut tx = self.begin().await?;
        let before: Option<(String,)> =
            sqlx::query_as("SELECT source FROM indicators WHERE id = $1")
                .bind(indicator_id)
                .fetch_optional(&mut *tx)
                .await?;
        let Some((before,)) = before else {
            return Err(StoreError::NotFound(format!("指标 {indicator_id}")));
        };
        sqlx::query("UPDATE indicators SET source = $1 WHERE id = $2")
            .bind(source.as_str())
            .bind(indicator_id)
            .execute(&mut *tx)
            .await?;
        commit_audited(
            tx,
            AuditEntry::new(actor, "indicator.source", "indicator", indicator_id)
                .before(serde_json::json!({ "source": before }))
                .after(serde_json::json!({ "source": source.as_str() })),
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_plans_problem_rates_are_recognised() {
        use IndicatorSource::*;
        let section = "健全企业难题流转分层解决机制,难题答复率达到100%,解决率达到70%以上";
        assert_eq!(
            infer_source("难题答复率", "难题答复率达到100%", section),
            ProblemAnswerRate
        );
        assert_eq!(
            infer_source("解决率", "解决率达到70%以上", section),
            ProblemSolveRate
        );
        assert_eq!(
            infer_source("难题解决率", "难题解决率达到75%", ""),
            ProblemSolveRate
        );
        assert_eq!(
            infer_source("企业问题答复率", "企业问题答复率100%", ""),
            ProblemAnswerRate
        );
        // Not about problems, or a different measure.
        assert_eq!(infer_source("解决率", "解决率达到70%", "信访工作"), Manual);
        assert_eq!(
            infer_source("难题按时答复率", "难题按时答复率达到95%", ""),
            Manual
        );
        for s in IndicatorSource::ALL {
            assert_eq!(IndicatorSource::parse(s.as_str()), Some(s));
        }
    }

    #[test]
    fn an_unknown_stored_source_is_an_error_not_manual() {
        assert!(matches!(stored("manual"), Ok(IndicatorSource::Manual)));
        assert!(stored("project_rumour").is_err());
    }

    #[test]
    fn the_seed_plans_project_counts_and_start_rate_are_recognised() {
        use IndicatorSource::*;
        // The seed plan's wording (shared/seed/xiangshan-2017-plan.txt, 二.(三) and 二.(五)).
        let section = "实际利用外资(工业)达到0.75亿美元,利用内资(工业)达到28.5亿元";
        for (text, source) in [
            ("实现当年签约项目60个", ProjectsSigned),
            ("注册项目40个", ProjectsRegistered),
            ("动建项目20个", ProjectsStarted),
            ("力争当年投产项目10个以上", ProjectsProducing),
            ("当年开工项目25个", ProjectsStarted),
        ] {
            assert_eq!(infer_source(text, text, section), source, "{text}");
        }
        let problems = "健全企业难题流转分层解决机制,难题答复率达到100%,解决率达到70%以上";
        assert_eq!(
            infer_source("开工率", "30个亿元以上项目年内开工率达到90%以上", problems),
            ProjectMajorStartRate
        );
        // Counts limited to large projects, and other words with 注册, stay with the units.
        for text in [
            "其中总投资亿元以上项目30个",
            "10亿元以上项目10个",
            "力争今年动建亿元以上项目30个",
            "申报注册商标400件",
            "工业项目招商占全县招商总额比重不低于50%",
        ] {
            assert_eq!(infer_source(text, text, section), Manual, "{text}");
        }
    }
}
