//! 导出 and 打印 of the dashboard's indicator table and of a period's 未报送名单 (see
//! `crate::export`), read as their pages read them: the dashboard through the picture cache for
//! the page's `?plan=&period=`, the period through `period_progress`.
//! `GET /export/dashboard?<the dashboard's query>[&print=1]`,
//! `GET /export/unreported?period_id=<id>[&print=1]`.

use super::dashboard::indicator_lines;
use super::report::status_label;
use super::*;
use crate::export::{self, ListQuery};

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/export/dashboard", get(export_dashboard))
        .route("/export/unreported", get(export_unreported))
}

async fn export_dashboard(
    State(state): State<AppState>,
    auth: County,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let actor = auth.actor();
    let lang = auth.ctx.lang;
    let Some(plan) = chosen_plan(&state, &actor, &q).await? else {
        return Err(WebError::NotFound(
            crate::i18n::t(lang, "export.no_plan").to_string(),
        ));
    };
    let (period, pic) = state
        .picture_cache
        .view(&state.store, &actor, &plan, asked_period(&q)?)
        .await
        .map_err(WebError::from)?;
    let t = |k: &'static str| crate::i18n::t(lang, k);
    // "领导驾驶舱2017年1—10月", "Dashboard 2017 Jan–Oct".
    let gap = if lang == Lang::En { " " } else { "" };
    let title = format!(
        "{}{gap}{}",
        t("mon.dashboard"),
        period.year_to_date_label(lang)
    );
    let mut table = export::table(lang, &title, &[]);
    table.columns = export::columns(
        lang,
        &[
            "mon.indicator",
            "plan.unit",
            "mon.target",
            "mon.actual",
            "mon.completion",
            "mon.time_share",
            "mon.light",
            "mon.forecast",
            "mon.responsible",
        ],
    );
    table.rows = indicator_lines(&pic, lang)
        .into_iter()
        .map(|l| {
            vec![
                l.name.into(),
                l.unit.into(),
                l.target.into(),
                l.actual.into(),
                l.completion.into(),
                l.time_share.into(),
                l.light_label.into(),
                l.forecast.into(),
                l.unit_name.into(),
            ]
        })
        .collect();
    export::answer(&auth, table, &q, "/monitor")
}

async fn export_unreported(
    State(state): State<AppState>,
    auth: CountyReader,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let lang = auth.ctx.lang;
    let t = |k: &'static str| crate::i18n::t(lang, k);
    let id: i64 = q
        .get("period_id")
        .and_then(|s| s.trim().parse().ok())
        .ok_or_else(|| WebError::NotFound(t("export.no_period").to_string()))?;
    let actor = auth.actor();
    let p = state.store.get_period(&actor, id).await?;
    let names = state.store.unit_names().await?;
    let overdue = qx_core::time::now() > qx_core::time::end_of_day(p.due_on);
    let mut table = export::table(
        lang,
        &format!("{} {}", t("export.unreported"), p.period),
        &[(t("mon.due"), qx_core::time::format_date(p.due_on))],
    );
    table.columns = export::columns(
        lang,
        &["mon.unit", "plan.indicators", "plan.tasks", "mon.status"],
    );
    table.rows = state
        .store
        .period_progress(&actor, id)
        .await?
        .into_iter()
        .filter(|u| {
            !u.submission
                .as_ref()
                .is_some_and(|s| s.status.is_reported())
        })
        .map(|u| {
            let mut status =
                status_label(lang, u.submission.as_ref().map(|s| s.status)).to_string();
            if overdue {
                status = format!("{status} ({})", t("mon.late"));
            }
            vec![
                names.get(&u.unit_id).cloned().unwrap_or_default().into(),
                u.indicators.into(),
                u.tasks.into(),
                status.into(),
            ]
        })
        .collect();
    export::answer(&auth, table, &q, &format!("/monitor/periods/{id}"))
}
