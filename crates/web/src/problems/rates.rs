//! The rates page: 答复率, 按时答复率, 解决率, 满意率 overall and by tier, category and unit.

use super::*;

pub struct RateLine {
    name: String,
    total: i64,
    answer_rate: String,
    on_time: String,
    resolution: String,
    satisfaction: String,
    avg_answer: String,
    avg_close: String,
    answer_ok: bool,
    resolution_ok: bool,
}

pub(super) fn rate_line(name: String, r: &Rates) -> RateLine {
    RateLine {
        name,
        total: r.counts.total,
        answer_rate: pct(r.answer_rate),
        on_time: pct(r.on_time_answer_rate),
        resolution: pct(r.resolution_rate),
        satisfaction: pct(r.satisfaction_rate),
        avg_answer: days(r.avg_days_to_answer),
        avg_close: days(r.avg_days_to_close),
        answer_ok: r.answer_rate.is_none_or(|v| v >= 100.0),
        resolution_ok: r.resolution_rate.is_none_or(|v| v >= 70.0),
    }
}

#[derive(Template)]
#[template(path = "problems/rates.html")]
pub(super) struct RatesPage {
    ctx: PageCtx,
    sections: Vec<(&'static str, Vec<RateLine>)>,
    from: String,
    to: String,
}

/// A breakdown key's name ("?" for a code no value has).
fn code_label<T: Labelled>(value: Option<T>, lang: Lang) -> String {
    value.map_or("?", |v| v.label(lang)).to_string()
}

pub(super) async fn rates_page(
    State(state): State<AppState>,
    auth: County,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    let lang = auth.ctx.lang;
    let today = today();
    let f = RateFilter {
        from: non_empty(&q, "from"),
        to: non_empty(&q, "to"),
        ..Default::default()
    };
    let units: HashMap<String, String> = state
        .store
        .list_units()
        .await?
        .into_iter()
        .map(|u| (u.id.to_string(), u.name))
        .collect();
    let all = state
        .store
        .problem_rates_breakdown(&auth.actor(), &f, today)
        .await?;
    let overall = all.overall;
    let mut by_unit: Vec<RateLine> = all
        .by_unit
        .into_iter()
        .map(|(k, r)| {
            let name = units
                .get(&k)
                .cloned()
                .unwrap_or_else(|| crate::i18n::t(lang, "pb.nobody").to_string());
            rate_line(name, &r)
        })
        .collect();
    by_unit.sort_by_key(|l| std::cmp::Reverse(l.total));
    let by_tier: Vec<RateLine> = all
        .by_tier
        .into_iter()
        .map(|(k, r)| rate_line(code_label(Tier::parse(&k), lang), &r))
        .collect();
    let by_category: Vec<RateLine> = all
        .by_category
        .into_iter()
        .map(|(k, r)| rate_line(code_label(Category::parse(&k), lang), &r))
        .collect();
    let page = RatesPage {
        ctx: PageCtx::signed_in(&auth),
        sections: vec![
            (
                "pb.overall",
                vec![rate_line(
                    crate::i18n::t(lang, "pb.overall").to_string(),
                    &overall,
                )],
            ),
            ("pb.by_tier", by_tier),
            ("pb.by_category", by_category),
            ("pb.by_unit", by_unit),
        ],
        from: f.from.unwrap_or_default(),
        to: f.to.unwrap_or_default(),
    };
    Ok(render(&page).into_response())
}
