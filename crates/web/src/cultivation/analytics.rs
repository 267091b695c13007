//! One pipeline's numbers (统计分析): stages with how many stand, reached and went on, the
//! median days at each; entries and exits month by month as a chart; the same by town and by
//! industry. Filtered by town and industry; the workbook holds the same numbers. The library
//! workbook (every pipeline's list and the 分镇汇总, as `qx cultivation export`) downloads here too.

use super::{PageResult, towns};
use crate::auth::County;
use crate::chart::MonthBars;
use crate::download::attachment;
use crate::export::{ListQuery, XLSX};
use crate::form::Query;
use crate::pages::{PageCtx, render};
use crate::{AppState, WebError};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use qx_core::access::Actor;
use qx_store::cultivation::{Analytics, AnalyticsFilter, GroupStat, Pipeline};

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/cultivation/analytics", get(page))
        .route("/cultivation/analytics/export", get(export))
        .route("/cultivation/workbook", get(library))
}

#[derive(Template)]
#[template(path = "cultivation/analytics.html")]
struct AnalyticsPage {
    ctx: PageCtx,
    pipeline: Pipeline,
    pipelines: Vec<(i64, String)>,
    towns: Vec<(i64, String)>,
    f_town: i64,
    f_industry: String,
    a: Analytics,
    entered: i64,
    exited: i64,
    chart: String,
    query: String,
    /// (title key, first column key, rows): by town, by industry.
    groups: Vec<(&'static str, &'static str, Vec<GroupStat>)>,
}

/// The filter a query names: its town and industry, the year (this year by default).
fn filter(q: &ListQuery, pipeline_id: i64) -> AnalyticsFilter {
    let this_year = qx_core::time::today().year();
    AnalyticsFilter {
        pipeline_id,
        town_id: q.get("town").and_then(|s| s.trim().parse().ok()),
        industry: q.get("industry").cloned().unwrap_or_default(),
        year: q
            .get("year")
            .and_then(|s| s.trim().parse().ok())
            .filter(|y| (2000..=2100).contains(y))
            .unwrap_or(this_year),
    }
}

/// The numbers a query names, in the reader's scope: its pipeline, the filter and what the
/// store counts. The page and the workbook are both made from this one read.
async fn numbers(
    state: &AppState,
    actor: &Actor,
    q: &ListQuery,
) -> Result<(Pipeline, AnalyticsFilter, Analytics), WebError> {
    let pipeline = super::entries::pipeline_of(state, q).await?;
    let f = filter(q, pipeline.id);
    let a = state.store.cultivation_analytics(actor, &f).await?;
    Ok((pipeline, f, a))
}

async fn page(
    State(state): State<AppState>,
    auth: County,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let (pipeline, f, a) = numbers(&state, &auth.actor(), &q).await?;
    let t = |k: &'static str| crate::i18n::t(auth.ctx.lang, k);
    let entered: Vec<i64> = a.months.iter().map(|m| m.entered).collect();
    let exited: Vec<i64> = a.months.iter().map(|m| m.exited).collect();
    let title = format!("{} {} · {}", f.year, pipeline.name, t("cv.flows"));
    let chart = MonthBars {
        title: &title,
        series: [
            (t("cv.entered"), "#1f6feb", &entered),
            (t("cv.exited"), "#b7191d", &exited),
        ],
    }
    .render();
    let (in_year, out_year) = a.year_totals();
    let mut params = vec![
        ("pipeline", pipeline.id.to_string()),
        ("year", f.year.to_string()),
        ("industry", f.industry.clone()),
    ];
    if let Some(town) = f.town_id {
        params.push(("town", town.to_string()));
    }
    let page = AnalyticsPage {
        ctx: PageCtx::signed_in(&auth),
        pipelines: state
            .store
            .cultivation_pipelines()
            .await?
            .into_iter()
            .map(|p| (p.id, p.name))
            .collect(),
        towns: towns(&state).await?,
        f_town: f.town_id.unwrap_or(-1),
        f_industry: f.industry.clone(),
        query: serde_urlencoded::to_string(&params).unwrap_or_default(),
        groups: vec![
            ("cv.by_town", "cv.town", a.by_town.clone()),
            ("cv.by_industry", "cv.industry_class", a.by_industry.clone()),
        ],
        entered: in_year,
        exited: out_year,
        chart,
        pipeline,
        a,
    };
    Ok(render(&page))
}

async fn export(
    State(state): State<AppState>,
    auth: County,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let (pipeline, f, a) = numbers(&state, &auth.actor(), &q).await?;
    let bytes = qx_app::cultivation_analytics::workbook(&a)?;
    let name = format!("{}-{}-统计分析.xlsx", f.year, pipeline.name);
    Ok(attachment(bytes, &name, XLSX))
}

/// The library workbook in the reader's scope.
async fn library(State(state): State<AppState>, auth: County) -> PageResult {
    let bytes = qx_app::cultivation_export::workbook(&state.store, &auth.actor(), None).await?;
    let year = qx_core::time::today().year();
    Ok(attachment(bytes, &format!("{year}-企业培育库.xlsx"), XLSX))
}
