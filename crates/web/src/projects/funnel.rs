//! `/projects/funnel`: the 招商 funnel (线索→签约→注册→开工→投产) of the reader's projects and
//! leads, by year, responsible unit (招商考核), town and industry, with conversion rates and
//! median days between stages; an SVG chart of the total, and the same numbers as .xlsx or a
//! print view (`/export/projects/funnel`, through `crate::export`). The rule is
//! `qx_core::project::funnel`; the store gathers the items within the reader's scope.

use super::*;
use crate::export::{self, Cell, ListQuery};
use qx_core::project::funnel::{Dimension, FunnelRow, STAGES, funnel};

const RATE_KEYS: [&str; 4] = [
    "pj.f.rate_lead",
    "pj.f.rate_signed",
    "pj.f.rate_registered",
    "pj.f.rate_started",
];

/// One line of a table as shown.
pub struct Line {
    key: String,
    leads: String,
    counts: [usize; 4],
    halted: usize,
    rates: [String; 4],
    days: [String; 4],
}

pub struct Table {
    title: &'static str,
    lines: Vec<Line>,
    total: Line,
}

#[derive(Template)]
#[template(path = "projects/funnel.html")]
pub(super) struct FunnelPage {
    ctx: PageCtx,
    years: Vec<i32>,
    f_year: String,
    query: String,
    chart: String,
    stages: Vec<&'static str>,
    rate_labels: Vec<&'static str>,
    tables: Vec<Table>,
    empty: bool,
}

fn group_name(key: &str, lang: Lang) -> String {
    if key.is_empty() {
        crate::i18n::t(lang, "pj.f.unnamed").to_string()
    } else {
        key.to_string()
    }
}

fn line(r: &FunnelRow, lang: Lang) -> Line {
    Line {
        key: group_name(&r.key, lang),
        leads: r.leads.map_or_else(|| "—".into(), |n| n.to_string()),
        counts: r.counts,
        halted: r.halted,
        rates: r.rates.map(qx_report::fmt_pct),
        days: r
            .median_days
            .map(|d| d.map_or_else(|| "—".into(), |d| d.to_string())),
    }
}

/// The computed funnel of the reader's items for the year asked for (all years without one).
async fn compute(
    state: &AppState,
    auth: &Auth,
    year: Option<i32>,
) -> Result<(Vec<i32>, Vec<(Dimension, Vec<FunnelRow>, FunnelRow)>), WebError> {
    let items = state.store.funnel_items(&auth.actor(), year).await?;
    let tables = Dimension::ALL
        .into_iter()
        .map(|d| {
            let (rows, total) = funnel(&items.projects, &items.leads, d);
            (d, rows, total)
        })
        .collect();
    Ok((items.years, tables))
}

fn year_of(q: &HashMap<String, String>) -> Option<i32> {
    q.get("year").and_then(|s| s.trim().parse().ok())
}

pub(super) async fn page(
    State(state): State<AppState>,
    auth: Signed,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    let lang = auth.ctx.lang;
    let year = year_of(&q);
    let (years, computed) = compute(&state, &auth, year).await?;
    let t = |k: &'static str| crate::i18n::t(lang, k);
    let stages: Vec<&'static str> = STAGES.iter().map(|s| s.label(lang)).collect();
    let chart = computed.first().map(|(_, _, total)| {
        let mut steps = vec![(t("pj.f.leads"), total.leads.unwrap_or(0), String::new())];
        for (n, label) in stages.iter().enumerate() {
            steps.push((*label, total.counts[n], qx_report::fmt_pct(total.rates[n])));
        }
        crate::chart::FunnelChart {
            title: t("pj.f.chart"),
            steps: &steps,
        }
        .render()
    });
    let empty = computed.first().is_none_or(|(_, rows, _)| rows.is_empty());
    let tables = computed
        .iter()
        .map(|(d, rows, total)| Table {
            title: d.label(lang),
            lines: rows.iter().map(|r| line(r, lang)).collect(),
            total: Line {
                key: t("pj.f.total").to_string(),
                ..line(total, lang)
            },
        })
        .collect();
    let page = FunnelPage {
        ctx: PageCtx::signed_in(&auth),
        years,
        f_year: year.map(|y| y.to_string()).unwrap_or_default(),
        query: year.map(|y| format!("year={y}")).unwrap_or_default(),
        chart: chart.unwrap_or_default(),
        stages,
        rate_labels: RATE_KEYS.iter().map(|k| t(k)).collect(),
        tables,
        empty,
    };
    Ok(render(&page))
}

/// `GET /export/projects/funnel?[year=…][&print=1]`: the four tables as one sheet, each line
/// naming its grouping.
pub(super) async fn export(
    State(state): State<AppState>,
    auth: Signed,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let lang = auth.ctx.lang;
    let year = year_of(&q);
    let (_, computed) = compute(&state, &auth, year).await?;
    let t = |k: &'static str| crate::i18n::t(lang, k);
    let mut table = export::table(
        lang,
        t("pj.f.title"),
        &[(
            t("pj.f.year"),
            year.map(|y| y.to_string()).unwrap_or_default(),
        )],
    );
    let mut columns = export::columns(lang, &["pj.f.dimension", "pj.f.group", "pj.f.leads"]);
    columns.extend(STAGES.iter().map(|s| s.label(lang).to_string()));
    columns.push(t("pj.f.halted").to_string());
    columns.extend(RATE_KEYS.iter().map(|k| t(k).to_string()));
    columns.extend(
        RATE_KEYS
            .iter()
            .map(|k| format!("{} {}", t(k), t("pj.f.days"))),
    );
    table.columns = columns;
    let count = |n: usize| Cell::from(i64::try_from(n).unwrap_or(i64::MAX));
    for (d, rows, total) in &computed {
        let total = FunnelRow {
            key: t("pj.f.total").to_string(),
            ..total.clone()
        };
        for r in rows.iter().chain(std::iter::once(&total)) {
            let mut cells = vec![
                Cell::from(d.label(lang)),
                Cell::from(group_name(&r.key, lang)),
                r.leads.map_or_else(|| Cell::from("—"), count),
            ];
            cells.extend(r.counts.iter().map(|n| count(*n)));
            cells.push(count(r.halted));
            cells.extend(r.rates.iter().map(|v| match v {
                Some(v) => Cell::Number((v * 1000.0).round() / 10.0),
                None => Cell::from("—"),
            }));
            cells.extend(r.median_days.iter().map(|v| match v {
                Some(v) => Cell::from(*v),
                None => Cell::from("—"),
            }));
            table.rows.push(cells);
        }
    }
    export::answer(&auth, table, &q, "/projects/funnel")
}
