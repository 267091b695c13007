//! 导出 and 打印 of the enterprise registry (see `crate::export`): the list page's filters from
//! the same query string, the actor's scope from the store, every page of rows at once.
//! `GET /export/enterprises?<the list's query>[&print=1]`.

use super::{PageResult, RegistryQuery, scale_key, towns};
use crate::AppState;
use crate::auth::Auth;
use crate::export::{self, ListQuery};
use crate::form::Query;
use axum::Router;
use axum::extract::State;
use axum::routing::get;

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/export/enterprises", get(export_enterprises))
}

async fn export_enterprises(
    State(state): State<AppState>,
    auth: Auth,
    Query(filters): Query<RegistryQuery>,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let actor = auth.actor();
    let lang = auth.ctx.lang;
    let filter = filters.filter(export::EXPORT_LIMIT, 0);
    let (list, _) = state.store.search_enterprises(&actor, &filter).await?;
    let t = |k: &'static str| crate::i18n::t(lang, k);
    let town = match filter.town_id {
        Some(id) => towns(&state)
            .await?
            .into_iter()
            .find(|(t, _)| *t == id)
            .map(|(_, name)| name)
            .unwrap_or_default(),
        None => String::new(),
    };
    let scale = filter
        .scale
        .map(|s| t(scale_key(s)).to_string())
        .unwrap_or_default();
    let mut table = export::table(
        lang,
        t("ent.list"),
        &[
            (t("ent.search"), filter.q.clone()),
            (t("ent.town"), town),
            (t("ent.industry"), filter.industry.clone()),
            (t("ent.scale"), scale),
            (t("ent.tags"), filter.tag.clone()),
        ],
    );
    table.columns = export::columns(
        lang,
        &[
            "ent.code",
            "ent.name",
            "ent.town",
            "ent.industry",
            "ent.scale",
            "ent.land",
            "ent.tags",
        ],
    );
    table.rows = list
        .into_iter()
        .map(|e| {
            vec![
                e.credit_code.into(),
                e.name.into(),
                e.town_name.unwrap_or_default().into(),
                e.industry_code.unwrap_or_default().into(),
                t(scale_key(e.scale)).into(),
                e.land_mu.map_or_else(|| "—".into(), export::Cell::Number),
                e.tags.into(),
            ]
        })
        .collect();
    export::answer(&auth, table, &q, "/enterprises")
}
