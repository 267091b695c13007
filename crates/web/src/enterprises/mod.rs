//! 企业名录 and 亩均效益综合评价 pages: the registry with filters and imports, an enterprise's
//! card (facts, results with per-item provenance, history, 调档 and objections), the evaluation
//! of a data year (results, per town/industry/scale aggregates, low-efficiency list, class
//! changes, differentiated policies, Excel export, 调档, 公示) and the versioned scheme editor.

mod actions;
mod card;
mod evaluation;
mod export;
mod messages;
mod registry;
mod scheme;
mod scheme_numbers;

pub use messages::MESSAGES;

use crate::pages::fmt_time;
use crate::{AppState, WebError};
use axum::Router;
use axum::response::Response;
use qx_core::label::{Labelled, Lang};
use qx_core::scale::Scale;
use qx_core::units::UnitKind;
use qx_store::enterprises::EnterpriseFilter;
use qx_store::evaluation::ResultFilter;
use serde::Deserialize;

type PageResult = Result<Response, WebError>;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(registry::routes())
        .merge(card::routes())
        .merge(evaluation::routes())
        .merge(actions::routes())
        .merge(scheme::routes())
        .merge(scheme_numbers::routes())
        .merge(export::routes())
}

fn f2(v: Option<f64>) -> String {
    v.map(|x| format!("{x:.2}")).unwrap_or_else(|| "—".into())
}

fn f4(v: Option<f64>) -> String {
    v.map(|x| format!("{x:.4}")).unwrap_or_else(|| "—".into())
}

fn scale_key(s: Scale) -> &'static str {
    match s {
        Scale::Above => "ent.above",
        Scale::Below => "ent.below",
    }
}

/// The scale filter's choices: code and label key.
fn scale_options() -> Vec<(&'static str, &'static str)> {
    Scale::ALL
        .iter()
        .map(|s| (s.as_str(), scale_key(*s)))
        .collect()
}

/// The towns (镇乡街道) the filters offer, by id and name.
pub(crate) async fn towns(state: &AppState) -> Result<Vec<(i64, String)>, WebError> {
    Ok(state
        .store
        .list_units()
        .await?
        .into_iter()
        .filter(|u| u.kind == UnitKind::Town)
        .map(|u| (u.id, u.name))
        .collect())
}

/// Whether the reader may open enterprise `id`'s card, so that a page names the firm as a link
/// to it: a department following a project or a pipeline reads that, not the registry.
pub(crate) async fn opens_card(
    state: &AppState,
    actor: &qx_core::access::Actor,
    id: Option<i64>,
) -> bool {
    match id {
        Some(id) => state.store.get_enterprise(actor, id).await.is_ok(),
        None => false,
    }
}

/// A town filter as a query string gives it (`town=21`): trimmed; empty, not a number, or a
/// town id ≤ 0 (the 全部 option, a hand-edited `town=-1`) means any town.
pub(crate) fn town_filter(s: Option<&str>) -> Option<i64> {
    s.and_then(|s| s.trim().parse().ok()).filter(|t| *t > 0)
}

/// The registry's filters (企业名录) as a query string gives them: the one reader of the list
/// page, its export and `GET /api/v1/enterprises`, so the three answer the same rows.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RegistryQuery {
    /// Part of the name or the credit code.
    #[serde(default)]
    pub q: String,
    /// Town id (≤ 0 or empty: any town).
    pub town: Option<String>,
    /// Industry code prefix (大类 "34" or longer).
    #[serde(default)]
    pub industry: String,
    /// above | below (规上/规下).
    #[serde(default)]
    pub scale: String,
    #[serde(default)]
    pub tag: String,
}

impl RegistryQuery {
    /// The store's filter for one page of rows: every text trimmed, the town by [`town_filter`].
    pub(crate) fn filter(&self, limit: i64, offset: i64) -> EnterpriseFilter {
        EnterpriseFilter {
            q: self.q.trim().to_string(),
            town_id: town_filter(self.town.as_deref()),
            industry: self.industry.trim().to_string(),
            scale: Scale::parse(self.scale.trim()),
            tag: self.tag.trim().to_string(),
            limit,
            offset,
        }
    }
}

/// A 亩均评价 run's result filters as a query string gives them: the one reader of the
/// evaluation page (`EvalQuery` adds its year, run and 低效 box) and
/// `GET /api/v1/evaluation/runs/{id}/results`, so both answer the same rows.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ResultQuery {
    /// Town id.
    pub town: Option<String>,
    /// Industry code prefix.
    #[serde(default)]
    pub industry: String,
    /// above | below
    #[serde(default)]
    pub scale: String,
    /// A | B | C | D
    #[serde(default)]
    pub class: String,
}

impl ResultQuery {
    /// The store's filter: these filters, the town by [`town_filter`], and only the firms whose
    /// 亩均税收 is below `tax_per_mu_below` when one is given.
    pub(crate) fn filter(&self, tax_per_mu_below: Option<f64>) -> ResultFilter {
        ResultFilter {
            town_id: town_filter(self.town.as_deref()),
            industry: self.industry.clone(),
            scale: Scale::parse(self.scale.trim()),
            class: self.class.clone(),
            tax_per_mu_below,
            enterprise_id: None,
        }
    }
}

/// The data year a page starts on before any facts are stored: the seed plan (2017) evaluates
/// the enterprises' 2016 figures.
const FIRST_DATA_YEAR: i64 = 2016;

/// The newest year with stored facts, else [`FIRST_DATA_YEAR`].
fn newest_data_year(years: &[(i64, i64)]) -> i64 {
    years.first().map_or(FIRST_DATA_YEAR, |(y, _)| *y)
}

/// The type of the workbooks this module hands out.
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

pub struct ObjectionView {
    id: i64,
    name: String,
    text: String,
    status: &'static str,
    open: bool,
    reply: String,
    at: String,
}

fn objection_views(list: Vec<qx_store::evaluation::Objection>, lang: Lang) -> Vec<ObjectionView> {
    list.into_iter()
        .map(|o| ObjectionView {
            id: o.id,
            name: o.name,
            text: o.text,
            status: o.status.label(lang),
            open: o.status.is_open(),
            reply: o.reply,
            at: fmt_time(o.submitted_at),
        })
        .collect()
}
