//! The evaluation of a data year: results, per town/industry/scale aggregates, the
//! low-efficiency list, class changes and differentiated policies.

use super::actions::FormState;
use super::{
    FIRST_DATA_YEAR, ObjectionView, PageResult, ResultQuery, f2, objection_views, scale_key,
    town_filter, towns,
};
use crate::AppState;
use crate::auth::Auth;
use crate::form::Query;
use crate::pages::{PageCtx, render};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::IntoResponse;
use axum::routing::get;
use qx_app::evaluation as ev;
use qx_core::evaluation::{RunAction, RunStatus};
use qx_core::label::Labelled;
use qx_core::scale::Scale;
use qx_store::evaluation::{AggregateBy, ResultFilter, ResultLine, Run};
use serde::Deserialize;

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/enterprises/evaluation", get(evaluation))
}

// ---- the evaluation of a year ----

#[derive(Deserialize, Default, Clone)]
pub(super) struct EvalQuery {
    year: Option<i64>,
    run: Option<i64>,
    #[serde(flatten)]
    results: ResultQuery,
    low: Option<String>,
    ran: Option<String>,
}

impl EvalQuery {
    /// The page of a data year (`None`: the newest) or of a run, without filters.
    pub(super) fn of(year: Option<i64>, run: Option<i64>) -> Self {
        EvalQuery {
            year,
            run,
            ..Default::default()
        }
    }

    pub(super) fn filter(&self, policy: &ev::Policy) -> ResultFilter {
        let low = self.low.as_deref().is_some_and(|v| !v.is_empty());
        // One threshold per scale: the 规上 one unless the filter asks for 规下.
        self.results.filter(low.then(|| {
            if Scale::parse(self.results.scale.trim()) == Some(Scale::Below) {
                policy.low_tax_per_mu.below
            } else {
                policy.low_tax_per_mu.above
            }
        }))
    }

    fn query_string(&self) -> String {
        serde_urlencoded::to_string([
            ("town", self.results.town.clone().unwrap_or_default()),
            ("industry", self.results.industry.clone()),
            ("scale", self.results.scale.clone()),
            ("class", self.results.class.clone()),
            ("low", self.low.clone().unwrap_or_default()),
        ])
        .unwrap_or_default()
    }
}

pub struct ResultView {
    enterprise_id: i64,
    code: String,
    name: String,
    town: String,
    industry: String,
    scale_key: &'static str,
    group: String,
    rank: i64,
    total: String,
    tax_per_mu: String,
    class: String,
    initial_class: String,
    adjusted: bool,
    reason: String,
}

fn result_view(l: &ResultLine, lang: crate::i18n::Lang) -> ResultView {
    ResultView {
        enterprise_id: l.enterprise_id,
        code: l.credit_code.clone(),
        name: l.name.clone(),
        town: l.town_name.clone().unwrap_or_default(),
        industry: l.industry_code.clone().unwrap_or_default(),
        scale_key: scale_key(l.scale),
        group: qx_core::scale::group_label(&l.group_label, lang),
        rank: l.rank_no,
        total: f2(Some(l.total)),
        tax_per_mu: f2(l.tax_per_mu()),
        class: l.class.clone(),
        initial_class: l.initial_class.clone(),
        adjusted: l.class != l.initial_class,
        reason: l.adjust_reason.clone().unwrap_or_default(),
    }
}

pub struct AggView {
    key: String,
    firms: i64,
    counts: Vec<i64>,
    tax_per_mu: String,
    va_per_mu: String,
}

pub struct AggTable {
    title_key: &'static str,
    lines: Vec<AggView>,
}

pub struct ChangeView {
    enterprise_id: i64,
    name: String,
    town: String,
    previous: String,
    class: String,
}

pub struct PolicyView {
    class: String,
    firms: i64,
    land_tax: String,
    surcharge: String,
    measures: String,
}

#[derive(Template)]
#[template(path = "enterprises/evaluation.html")]
struct EvalPage {
    ctx: PageCtx,
    year: i64,
    years: Vec<i64>,
    run: Option<Run>,
    runs: Vec<(i64, i64, &'static str)>,
    status: &'static str,
    /// A draft: the office may open 公示.
    may_publicize: bool,
    /// Not final yet.
    may_finalize: bool,
    classes: Vec<String>,
    results: Vec<ResultView>,
    shown: usize,
    total_results: usize,
    aggregates: Vec<AggTable>,
    low: Vec<ResultView>,
    low_hint: String,
    changes: Vec<ChangeView>,
    previous_year: i64,
    policies: Vec<PolicyView>,
    objections: Vec<ObjectionView>,
    warnings: Vec<String>,
    q: EvalQuery,
    /// The scale filter's choices: code and label key.
    scales: Vec<(&'static str, &'static str)>,
    export_query: String,
    towns: Vec<(i64, String)>,
    town: i64,
    is_admin: bool,
    reads_all: bool,
    today: String,
    /// A refused form of this page, shown again beside its fields.
    form: FormState,
}

/// Rows shown on the page; the export has them all.
const SHOWN: usize = 500;

async fn evaluation(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<EvalQuery>,
) -> PageResult {
    evaluation_page(&state, &auth, q, FormState::default()).await
}

/// The page of `q`, with `form` shown again when it was refused (then answered 400).
pub(super) async fn evaluation_page(
    state: &AppState,
    auth: &Auth,
    q: EvalQuery,
    form: FormState,
) -> PageResult {
    let actor = auth.actor();
    let lang = auth.ctx.lang;
    let runs = state.store.list_runs(&actor).await?;
    let mut years: Vec<i64> = runs.iter().map(|r| r.year).collect();
    if actor.reads_all() {
        years.extend(state.store.fact_years().await?.into_iter().map(|(y, _)| y));
    }
    years.sort_unstable_by(|a, b| b.cmp(a));
    years.dedup();
    let year = q
        .year
        .or_else(|| years.first().copied())
        .unwrap_or(FIRST_DATA_YEAR);
    let run = match q.run {
        Some(id) => Some(state.store.get_run(&actor, id).await?),
        None => runs.iter().find(|r| r.year == year).cloned(),
    };
    let year = run.as_ref().map_or(year, |r| r.year);
    let mut page = EvalPage {
        ctx: PageCtx::signed_in(auth),
        year,
        years,
        runs: runs
            .iter()
            .filter(|r| r.year == year)
            .map(|r| (r.id, r.enterprises, r.status.label(lang)))
            .collect(),
        status: RunStatus::Draft.label(lang),
        may_publicize: false,
        may_finalize: false,
        classes: Vec::new(),
        results: Vec::new(),
        shown: 0,
        total_results: 0,
        aggregates: Vec::new(),
        low: Vec::new(),
        low_hint: String::new(),
        changes: Vec::new(),
        previous_year: year - 1,
        policies: Vec::new(),
        objections: Vec::new(),
        warnings: Vec::new(),
        export_query: q.query_string(),
        towns: towns(state).await?,
        town: town_filter(q.results.town.as_deref()).unwrap_or(0),
        is_admin: actor.is_admin(),
        reads_all: actor.reads_all(),
        today: qx_core::time::format_date(qx_core::time::today()),
        run: None,
        q: q.clone(),
        scales: super::scale_options(),
        form,
    };
    if q.ran.is_some() {
        page.ctx.flash = Some(crate::i18n::t(auth.ctx.lang, "ent.ran").to_string());
    }
    if let Some(run) = run {
        let policy = ev::policy_of(&run);
        let classes = ev::classes_of(&run);
        let lines = state
            .store
            .run_results(&actor, run.id, &q.filter(&policy))
            .await?;
        page.total_results = lines.len();
        page.results = lines
            .iter()
            .take(SHOWN)
            .map(|l| result_view(l, lang))
            .collect();
        page.shown = page.results.len();
        for (key, by) in [
            ("ent.by_town", AggregateBy::Town),
            ("ent.by_industry", AggregateBy::Industry),
            ("ent.by_scale", AggregateBy::Scale),
        ] {
            let lines = ev::aggregates(&state.store, &actor, &run, by).await?;
            page.aggregates.push(AggTable {
                title_key: key,
                lines: lines
                    .into_iter()
                    .map(|a| AggView {
                        key: a.key,
                        firms: a.firms,
                        counts: a.counts,
                        tax_per_mu: f2(a.tax_per_mu),
                        va_per_mu: f2(a.va_per_mu),
                    })
                    .collect(),
            });
        }
        page.low = ev::low_efficiency(&state.store, &actor, &run)
            .await?
            .iter()
            .take(SHOWN)
            .map(|l| result_view(l, lang))
            .collect();
        page.low_hint = format!(
            "{} < {} · {} < {} {}",
            Scale::Above.label(lang),
            policy.low_tax_per_mu.above,
            Scale::Below.label(lang),
            policy.low_tax_per_mu.below,
            crate::i18n::t(lang, "ent.wan_per_mu")
        );
        if let Some(prev) = ev::previous_run(&state.store, &actor, &run).await? {
            page.changes = state
                .store
                .class_changes(&actor, run.id, prev.id)
                .await?
                .into_iter()
                .take(SHOWN)
                .map(|c| ChangeView {
                    enterprise_id: c.enterprise_id,
                    name: c.name,
                    town: c.town_name.unwrap_or_default(),
                    previous: c.previous_class,
                    class: c.class,
                })
                .collect();
        }
        let totals = page
            .aggregates
            .iter()
            .find(|a| a.title_key == "ent.by_scale")
            .and_then(|a| a.lines.last())
            .map(|l| l.counts.clone())
            .unwrap_or_default();
        page.policies = policy
            .classes
            .iter()
            .map(|p| PolicyView {
                firms: classes
                    .iter()
                    .position(|c| *c == p.class)
                    .and_then(|i| totals.get(i).copied())
                    .unwrap_or(0),
                class: p.class.clone(),
                land_tax: format!("{}", p.land_tax_reduction_pct),
                surcharge: format!("{}", p.electricity_surcharge),
                measures: p.measures.clone(),
            })
            .collect();
        page.objections =
            objection_views(state.store.objections(&actor, run.id, None).await?, lang);
        page.warnings = run
            .warnings
            .lines()
            .map(str::to_string)
            .filter(|s| !s.is_empty())
            .collect();
        page.status = run.status.label(lang);
        page.may_publicize = run.status.allows(RunAction::StartPublicity);
        page.may_finalize = run.status.allows(RunAction::Finalize);
        page.classes = classes;
        page.run = Some(run);
    }
    if page.form.is_refused() {
        return Ok(crate::form::invalid(&page));
    }
    Ok(render(&page).into_response())
}
