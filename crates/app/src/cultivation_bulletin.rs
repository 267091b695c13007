//! The bulletin's 企业培育 paragraph: the county's libraries as the period's last day stood,
//! worded the way the plan words its targets (新增规上企业, 个转企 …).

use crate::AppError;
use qx_core::cultivation::Milestone;
use qx_report::CultivationSummary;
use qx_store::Store;

/// The plan's words for a milestone reached, as the paragraph counts it.
fn wording(m: Milestone) -> &'static str {
    match m {
        Milestone::AboveScale => "新增规上企业",
        Milestone::Converted => "个转企",
        Milestone::HighTech => "新认定高新技术企业",
        Milestone::TechSme => "新入库科技型中小企业",
        Milestone::Champion => "单项冠军入库培育",
        Milestone::Listed => "新上市企业",
        Milestone::ChampionModel => "单项冠军示范企业",
        Milestone::Startup => "创新型初创企业",
        Milestone::EngineeringCentre => "新认定工程(技术)中心",
    }
}

/// The paragraph's numbers up to `to` (ISO date); `None` when the county keeps no library.
pub async fn summary(store: &Store, to: &str) -> Result<Option<CultivationSummary>, AppError> {
    Ok(store
        .cultivation_year_summary(to)
        .await?
        .map(|s| CultivationSummary {
            active: s.active.max(0) as u64,
            entered: s.entered.max(0) as u64,
            exited: s.exited.max(0) as u64,
            reached: s
                .reached
                .into_iter()
                .map(|(m, n)| (wording(m).to_string(), n.max(0) as u64))
                .collect(),
        }))
}
