//! The overview: every pipeline with its stages and how many entries (in the reader's scope)
//! stand at each.

use super::PageResult;
use crate::AppState;
use crate::auth::County;
use crate::pages::{PageCtx, render};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use std::collections::HashMap;

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/cultivation", get(overview))
}

pub struct StageView {
    id: i64,
    name: String,
    entries: i64,
    policy: String,
}

pub struct PipelineView {
    id: i64,
    name: String,
    criteria: String,
    responsible: String,
    total: i64,
    stages: Vec<StageView>,
}

#[derive(Template)]
#[template(path = "cultivation/overview.html")]
struct OverviewPage {
    ctx: PageCtx,
    pipelines: Vec<PipelineView>,
    is_admin: bool,
}

async fn overview(State(state): State<AppState>, auth: County) -> PageResult {
    let actor = auth.actor();
    let counts: HashMap<i64, i64> = state
        .store
        .cultivation_stage_counts(&actor)
        .await?
        .into_iter()
        .map(|c| (c.stage_id, c.entries))
        .collect();
    let pipelines = state
        .store
        .cultivation_pipelines()
        .await?
        .into_iter()
        .map(|p| {
            let stages: Vec<StageView> = p
                .stages
                .iter()
                .map(|s| StageView {
                    id: s.id,
                    name: s.name.clone(),
                    entries: counts.get(&s.id).copied().unwrap_or(0),
                    policy: policy_text(&s.policy_text, s.policy_amount_wan.as_deref()),
                })
                .collect();
            PipelineView {
                id: p.id,
                total: stages.iter().map(|s| s.entries).sum(),
                name: p.name,
                criteria: p.criteria,
                responsible: p.responsible_unit_name.unwrap_or_default(),
                stages,
            }
        })
        .collect();
    let page = OverviewPage {
        ctx: PageCtx::signed_in(&auth),
        pipelines,
        is_admin: actor.is_admin(),
    };
    Ok(render(&page))
}

/// A stage's policy as one line: its text, and the amount in 万元 when set.
pub(crate) fn policy_text(text: &str, amount: Option<&str>) -> String {
    match (text.trim(), amount) {
        ("", None) => String::new(),
        (t, None) => t.to_string(),
        ("", Some(a)) => format!("{a} 万元"),
        (t, Some(a)) => format!("{t} ({a} 万元)"),
    }
}
