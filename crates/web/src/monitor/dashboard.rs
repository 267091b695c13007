//! The leaders' dashboard: every indicator's light, lagging tasks, units' punctuality.

use super::*;
use qx_app::monitoring::IndicatorStatus;
use qx_core::monitor::{ForecastBasis, Reporting};

pub struct IndicatorLine {
    pub(super) id: i64,
    pub(super) name: String,
    pub(super) unit: String,
    pub(super) unit_name: String,
    pub(super) target: String,
    pub(super) actual: String,
    /// The unit printed after `actual` where the figure does not carry its own (a milestone's
    /// percent does).
    pub(super) actual_unit: String,
    pub(super) completion: String,
    pub(super) time_share: String,
    pub(super) light: &'static str,
    pub(super) light_label: &'static str,
    pub(super) sparkline: String,
    pub(super) forecast: String,
}

pub struct TaskLine {
    number: String,
    title: String,
    lead: String,
    state_label: &'static str,
    light: &'static str,
    progress: String,
}

pub struct UnitLine {
    unit_id: i64,
    name: String,
    owed: u32,
    on_time: u32,
    late: u32,
    missing: u32,
    rate: String,
}

#[derive(Template)]
#[template(path = "monitor/dashboard.html")]
struct DashboardPage {
    ctx: PageCtx,
    plan: Option<Plan>,
    period: String,
    period_label: String,
    months: Vec<(String, String)>,
    /// Everything below the period picker, from [`RenderedDashboards`].
    body: Arc<str>,
}

/// The picture-dependent part of the dashboard (summary, 500 indicator rows with their
/// sparklines, tasks, units): the same for every reader of a picture in one language.
#[derive(Template)]
#[template(path = "monitor/dashboard_body.html")]
struct DashboardBody {
    t: Tr,
    period: String,
    summary: String,
    indicators: Vec<IndicatorLine>,
    lagging: Vec<TaskLine>,
    task_counts: Vec<(&'static str, &'static str, usize)>,
    units: Vec<UnitLine>,
}

pub(super) fn indicator_lines(pic: &Picture, lang: Lang) -> Vec<IndicatorLine> {
    pic.indicators
        .iter()
        .map(|s| {
            let light = s.assessment.light;
            let colour = match light {
                Light::Green => "#1a7f37",
                Light::Yellow => "#b7791f",
                Light::Red => "#b7191d",
                Light::Grey => "#8a939e",
            };
            IndicatorLine {
                id: s.indicator.id,
                name: s.indicator.name.clone(),
                unit: s.indicator.unit.clone(),
                unit_name: s.unit_name.clone(),
                target: s.indicator.target_value.clone(),
                // A milestone is reported as percent done, whatever the target's own unit.
                actual: match s.actual {
                    Some(v) if s.measure_unit() != s.indicator.unit => {
                        with_unit(v, s.measure_unit())
                    }
                    Some(v) => fmt_num(v),
                    None => "—".into(),
                },
                actual_unit: if s.measure_unit() == s.indicator.unit {
                    s.indicator.unit.clone()
                } else {
                    String::new()
                },
                completion: pct(s.assessment.completion),
                time_share: pct(Some(s.assessment.time_share)),
                light: light.as_str(),
                // Grey is "no approved figure": say whether it waits for review or was never sent.
                light_label: match (light, s.reporting) {
                    (Light::Grey, Reporting::PendingReview | Reporting::NotReported) => {
                        s.reporting.label(lang)
                    }
                    _ => light.label(lang),
                },
                sparkline: sparkline(&s.series, colour),
                forecast: forecast_text(s, lang),
            }
        })
        .collect()
}

/// The forecast as a sentence that says what it is: a projection names the months it comes
/// from; a target already met, a target too small to project, or too few months say so
/// instead of printing a number such as "129%" for a count of one.
pub(super) fn forecast_text(s: &IndicatorStatus, lang: Lang) -> String {
    let months = s
        .series
        .iter()
        .rposition(Option::is_some)
        .map_or(0, |i| i + 1);
    match s.forecast_basis {
        ForecastBasis::Projected => match s.forecast.and_then(|f| f.completion) {
            Some(c) => match lang {
                Lang::Zh => format!(
                    "按1—{months}月进度外推, 预计全年完成目标的 {:.0}%",
                    c * 100.0
                ),
                Lang::En => format!(
                    "Projected from months 1–{months}: {:.0}% of the annual target",
                    c * 100.0
                ),
            },
            None => crate::i18n::t(lang, "mon.fc.none").to_string(),
        },
        ForecastBasis::TargetMet => crate::i18n::t(lang, "mon.fc.met").to_string(),
        ForecastBasis::SmallTarget => crate::i18n::t(lang, "mon.fc.small").to_string(),
        ForecastBasis::FewMonths => crate::i18n::t(lang, "mon.fc.few").to_string(),
    }
}

/// The sentence above the table. Indicators without an approved figure are told apart: a
/// report waiting for the office's review is not "未报送".
pub(super) fn summary(pic: &Picture, lang: Lang) -> String {
    let pending = pic.reporting_count(Reporting::PendingReview);
    let missing = pic.reporting_count(Reporting::NotReported);
    let mut out = if lang == Lang::En {
        format!(
            "{} main indicators: {} on track, {} behind, {} far behind",
            pic.indicators.len(),
            pic.count(Light::Green),
            pic.count(Light::Yellow),
            pic.count(Light::Red),
        )
    } else {
        format!(
            "{}项主要指标中, {}项达到序时进度, {}项滞后, {}项严重滞后",
            pic.indicators.len(),
            pic.count(Light::Green),
            pic.count(Light::Yellow),
            pic.count(Light::Red),
        )
    };
    for (n, r) in [
        (pending, Reporting::PendingReview),
        (missing, Reporting::NotReported),
    ] {
        if n > 0 {
            match lang {
                Lang::En => out.push_str(&format!(", {n} {}", r.label(lang).to_lowercase())),
                Lang::Zh => out.push_str(&format!(", {n}项{}", r.label(lang))),
            }
        }
    }
    out
}

/// Renders the picture-dependent part of the dashboard (see [`RenderedDashboards`]).
pub(super) fn dashboard_body(
    pic: &Picture,
    lang: Lang,
    period: Period,
) -> Result<String, askama::Error> {
    let summary = summary(pic, lang);
    let lagging = pic
        .tasks
        .iter()
        .filter(|t| t.state.is_lagging())
        .map(|t| TaskLine {
            number: t.task.number.clone(),
            title: t.task.title.clone(),
            lead: t.lead_units.join("、"),
            state_label: t.state.label(lang),
            light: t.state.light().as_str(),
            progress: t.progress.clone(),
        })
        .collect();
    let task_counts = TaskState::ALL
        .iter()
        .map(|s| (s.light().as_str(), s.label(lang), pic.task_count(*s)))
        .collect();
    let units: Vec<UnitLine> = pic
        .units
        .iter()
        .map(|u| UnitLine {
            unit_id: u.unit_id,
            name: u.unit_name.clone(),
            owed: u.owed,
            on_time: u.on_time,
            late: u.late,
            missing: u.missing,
            rate: if u.owed == 0 {
                "—".into()
            } else {
                format!("{:.0}%", f64::from(u.on_time) * 100.0 / f64::from(u.owed))
            },
        })
        .collect();
    let body = DashboardBody {
        t: Tr(lang),
        period: period.to_string(),
        summary,
        indicators: indicator_lines(pic, lang),
        lagging,
        task_counts,
        units,
    };
    body.render()
}

pub(super) async fn dashboard(
    State(state): State<AppState>,
    auth: County,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    let actor = auth.actor();
    let lang = auth.ctx.lang;
    let ctx = PageCtx::signed_in(&auth);
    let Some(plan) = chosen_plan(&state, &actor, &q).await? else {
        let page = DashboardPage {
            ctx,
            plan: None,
            period: String::new(),
            period_label: String::new(),
            months: Vec::new(),
            body: Arc::from(""),
        };
        return respond(StatusCode::OK, &page);
    };
    let (period, pic) = state
        .picture_cache
        .view(&state.store, &actor, &plan, asked_period(&q)?)
        .await
        .map_err(WebError::from)?;
    let months = (1..=12u8)
        .filter_map(|m| Period::new_month(plan.year as i32, m).ok())
        .map(|p| (p.to_string(), p.cumulative_label(lang)))
        .collect();
    let body = if state.picture_cache.is_enabled() {
        state
            .rendered_dashboards
            .get_or_render(&pic, lang, || dashboard_body(&pic, lang, period))
    } else {
        dashboard_body(&pic, lang, period).map(Arc::from)
    }
    .map_err(render_error)?;
    let page = DashboardPage {
        ctx,
        period: period.to_string(),
        period_label: period.year_to_date_label(lang),
        months,
        body,
        plan: Some(plan),
    };
    respond(StatusCode::OK, &page)
}
