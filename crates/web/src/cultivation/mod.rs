//! 企业培育库 pages: the overview (entries per stage of every pipeline), one pipeline's list
//! with filters and 导出/打印, an entry's page with its history and the move form, the 小升规
//! candidates with accept, the office's pipeline settings, and official lists in (upload,
//! review, confirm). The store scopes every read and
//! refuses every write but the office's; handlers parse, call one store function and render.

mod analytics;
mod candidates;
pub(crate) mod entries;
pub(crate) mod entry;
mod imports;
mod messages;
mod overview;
mod reminders;
mod settings;

pub use messages::MESSAGES;
pub(crate) use overview::policy_text as policy_line;

use crate::enterprises::towns;
use crate::{AppState, WebError};
use axum::Router;
use axum::response::Response;

type PageResult = Result<Response, WebError>;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(overview::routes())
        .merge(entries::routes())
        .merge(entry::routes())
        .merge(candidates::routes())
        .merge(settings::routes())
        .merge(imports::routes())
        .merge(analytics::routes())
        .merge(reminders::routes())
}

/// What a firm is entitled to: the policy of each stage it stands at on a list, as
/// "培育库 · 阶段: 政策 (金额 万元)"; lists it has left and stages without a policy say nothing.
pub(crate) fn entitlements(tracks: &[qx_store::cultivation::Track]) -> Vec<String> {
    tracks
        .iter()
        .filter(|t| t.status == qx_core::cultivation::EntryStatus::Active)
        .filter_map(|t| {
            let policy = policy_line(&t.policy_text, t.policy_amount_wan.as_deref());
            (!policy.is_empty())
                .then(|| format!("{} · {}: {policy}", t.pipeline_name, t.stage_name))
        })
        .collect()
}

/// 万元 for display: at most two decimals, no trailing zeros.
fn wan(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}
