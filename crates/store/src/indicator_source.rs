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
}

impl IndicatorSource {
    pub const ALL: [IndicatorSource; 8] = [
        IndicatorSource::Manual,
        IndicatorSource::ProblemAnswerRate,
        IndicatorSource::ProblemSolveRate,
        IndicatorSource::CultivationAboveScale,
        IndicatorSource::CultivationConverted,
        IndicatorSource::CultivationHighTech,
        IndicatorSource::CultivationTechSme,
        IndicatorSource::CultivationChampion,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            IndicatorSource::Manual => "manual",
            IndicatorSource::ProblemAnswerRate => "problem_answer_rate",
            IndicatorSource::ProblemSolveRate => "problem_solve_rate",
            IndicatorSource::CultivationAboveScale => "cultivation_above_scale",
            IndicatorSource::CultivationConverted => "cultivation_converted",
            IndicatorSource::CultivationHighTech => "cultivation_high_tech",
            IndicatorSource::CultivationTechSme => "cultivation_tech_sme",
            IndicatorSource::CultivationChampion => "cultivation_champion",
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

/// 企业培育库: a count of firms reaching a milestone, named by the indicator itself (its name
/// first, then its text): 新增规上(规模以上)企业 but not 规下, 个转企 or 个体工商户升级为企业,
/// 高新技术企业, 科技型小微/中小企业, 单项冠军入库培育 (not the 示范 award).
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
        } else if s.contains("单项冠军") && s.contains("入库") && !s.contains("示范") {
            Some(IndicatorSource::CultivationChampion)
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
    // A county that keeps no 企业培育库 yet goes on reporting its cultivation counts by hand:
    // counting an empty library would show zeros in place of the units' figures.
    let (entries,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM cultivation_entries")
        .fetch_one(&mut **tx)
        .await?;
    let mut auto = 0;
    for (id, name, text, context) in rows {
        let source = match infer_source(&name, &text, &context) {
            s if s.cultivation_milestone().is_some() && entries == 0 => IndicatorSource::Manual,
            s => s,
        };
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
        if !actor.is_admin() {
            return Err(StoreError::Forbidden(
                "只有办公室可以设置指标数据来源".into(),
            ));
        }
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
        assert_eq!(
            infer_source("开工率", "30个亿元以上项目年内开工率达到90%以上", section),
            Manual
        );
        for s in IndicatorSource::ALL {
            assert_eq!(IndicatorSource::parse(s.as_str()), Some(s));
        }
    }
}
