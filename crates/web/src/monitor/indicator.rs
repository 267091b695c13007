//! One indicator's page: its month-by-month history and trend chart.

use super::dashboard::{IndicatorLine, indicator_lines};
use super::*;

#[derive(Template)]
#[template(path = "monitor/indicator.html")]
struct IndicatorPage {
    ctx: PageCtx,
    plan_id: i64,
    line: IndicatorLine,
    text: String,
    kind_label: &'static str,
    period: String,
    history: Vec<(String, String, String)>,
    /// "本月无数据：<reason>" when the period's approved report said so, else "".
    no_figure: String,
}

/// The picture of indicator `id`'s plan at the asked period, with the place of the indicator's
/// status in it; an indicator the reader's picture does not hold is "not found".
async fn find_status(
    state: &AppState,
    actor: &Actor,
    id: i64,
    q: &HashMap<String, String>,
) -> Result<(Plan, Period, Picture, usize), WebError> {
    let plan = state
        .store
        .get_plan(actor, state.store.indicator_plan(id).await?)
        .await?;
    let period = chosen_period(state, actor, &plan, q).await?;
    let pic = picture(&state.store, actor, plan.id, period)
        .await
        .map_err(WebError::from)?;
    let idx = pic
        .indicators
        .iter()
        .position(|s| s.indicator.id == id)
        .ok_or_else(|| WebError::NotFound(format!("指标 {id}")))?;
    Ok((plan, period, pic, idx))
}

pub(super) async fn indicator(
    State(state): State<AppState>,
    auth: County,
    Path(id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    let actor = auth.actor();
    let lang = auth.ctx.lang;
    let (plan, period, pic, idx) = find_status(&state, &actor, id, &q).await?;
    let line = indicator_lines(&pic, lang).swap_remove(idx);
    let status = &pic.indicators[idx];
    let unit = status.measure_unit();
    let history = status
        .series
        .iter()
        .enumerate()
        .map(|(m, v)| {
            let label = Period::new_month(plan.year as i32, (m + 1) as u8)
                .map(|p| p.cumulative_label(lang))
                .unwrap_or_default();
            let c = v.and_then(|v| monitor::completion(status.kind, v, status.target));
            let value = match (v, status.no_figures.get(m).and_then(|r| r.as_deref())) {
                (Some(v), _) => with_unit(*v, unit),
                (None, Some(reason)) => super::no_figure::mark_text(lang, reason),
                (None, None) => "—".into(),
            };
            (label, value, pct(c))
        })
        .collect();
    let page = IndicatorPage {
        ctx: PageCtx::signed_in(&auth),
        plan_id: plan.id,
        text: status.indicator.text.clone(),
        kind_label: status.kind.label(lang),
        period: period.to_string(),
        history,
        no_figure: status
            .no_figure()
            .map(|r| super::no_figure::mark_text(lang, r))
            .unwrap_or_default(),
        line,
    };
    respond(StatusCode::OK, &page)
}

pub(super) async fn indicator_chart(
    State(state): State<AppState>,
    auth: County,
    Path(id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    let actor = auth.actor();
    let (_, _, pic, idx) = find_status(&state, &actor, id, &q).await?;
    let s = &pic.indicators[idx];
    let expected = s.expected_path();
    let svg = TrendChart {
        title: &s.indicator.name,
        unit: s.measure_unit(),
        actual: &s.series,
        expected: &expected,
    }
    .render();
    Ok((
        [(header::CONTENT_TYPE, "image/svg+xml; charset=utf-8")],
        svg,
    )
        .into_response())
}
