//! The versioned scheme editor of a data year. A scheme refused (TOML that does not read, a
//! rule the evaluation cannot apply) comes back with the problems beside the text and both the
//! text and the note as typed.

use super::{FIRST_DATA_YEAR, PageResult};
use crate::AppState;
use crate::auth::Auth;
use crate::auth::{CountyReader, Office};
use crate::form::Fields;
use crate::form::Query;
use crate::i18n::{self, Lang};
use crate::pages::{PageCtx, fmt_time};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;
use qx_app::AppError;
use qx_app::evaluation as ev;
use qx_core::label::Labelled;
use serde::Deserialize;

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/enterprises/scheme", get(scheme).post(scheme_save))
}

// ---- the scheme ----

#[derive(Deserialize)]
struct SchemeQuery {
    year: Option<i64>,
    saved: Option<String>,
}

pub struct VersionView {
    version: i64,
    name: String,
    note: String,
    at: String,
}

/// The scheme as the office, leaders and units read it: groups, each indicator's weight,
/// benchmark, cap, floor and what a firm without the data scores, the classes' bounds,
/// 加减分, 一票否决 and the differentiated policy per class — the same text the box below holds,
/// read by `ev::parse_config`, so the words cannot drift from the rules.
pub struct Summary {
    grouping: String,
    items: Vec<ItemRow>,
    classes: Vec<(String, String)>,
    adjustments: Vec<String>,
    vetoes: Vec<String>,
    overrides: usize,
    policies: Vec<ev::ClassPolicy>,
    low_tax: ev::LowTax,
}

pub struct ItemRow {
    label: String,
    scale: &'static str,
    weight: f64,
    benchmark: String,
    cap: String,
    floor: String,
    missing: &'static str,
}

/// A share (0.2) as a percentage ("20%"), to two decimals at most.
fn pct(share: f64) -> String {
    format!("{}%", (share * 10_000.0).round() / 100.0)
}

impl Summary {
    /// The summary of a configuration text; `None` when it does not read (its problems are
    /// listed beside the box).
    fn of(text: &str, lang: Lang) -> Option<Summary> {
        use ev::{Benchmark, Missing};
        let config = ev::parse_config(text).ok()?;
        let (scheme, t) = (&config.scheme, |k: &'static str| i18n::t(lang, k));
        let g = &scheme.grouping;
        let mut grouping = Vec::new();
        if g.by_scale {
            grouping.push(t("ent.sum_by_scale").to_string());
        }
        if let Some(industry) = &g.industry {
            grouping.push(format!(
                "{}: {}",
                t("ent.sum_by_industry"),
                industry.names.join("、")
            ));
        }
        if g.by_town {
            grouping.push(t("ent.sum_by_town").to_string());
        }
        if grouping.is_empty() {
            grouping.push(t("ent.sum_one_group").to_string());
        }
        let none = t("ent.sum_none");
        let items = scheme
            .items
            .iter()
            .map(|i| ItemRow {
                label: i.label.clone(),
                scale: i.scale.label(lang),
                weight: i.weight,
                benchmark: match i.benchmark {
                    Benchmark::Fixed(v) => v.to_string(),
                    Benchmark::GroupAverage => t("ent.sum_group_average").to_string(),
                },
                cap: i.cap.map_or_else(|| none.to_string(), |c| c.to_string()),
                floor: i.floor.map_or_else(|| none.to_string(), |c| c.to_string()),
                missing: match i.missing {
                    Missing::GroupMean => t("ent.sum_missing_mean"),
                    Missing::Zero => t("ent.sum_missing_zero"),
                },
            })
            .collect();
        let mut from = 0.0;
        let classes = scheme
            .classes
            .iter()
            .map(|c| {
                let range = match c.max_pct {
                    Some(to) if from == 0.0 => t("ent.sum_top").replace("{to}", &pct(to)),
                    Some(to) => format!("{}—{}", pct(from), pct(to)),
                    None => t("ent.sum_rest").to_string(),
                };
                from = c.max_pct.unwrap_or(from);
                (c.name.clone(), range)
            })
            .collect();
        let class_name = |i: usize| scheme.classes.get(i).map_or("", |c| c.name.as_str());
        let adjustments = scheme
            .adjustments
            .iter()
            .map(|a| {
                let kind = t(if a.sign > 0.0 {
                    "ent.sum_bonus"
                } else {
                    "ent.sum_deduction"
                });
                let cap = a.cap.map_or_else(
                    || t("ent.sum_no_cap").to_string(),
                    |c| t("ent.sum_cap").replace("{cap}", &c.to_string()),
                );
                format!("{} ({kind}, {cap})", a.label)
            })
            .collect();
        let vetoes = scheme
            .vetoes
            .iter()
            .map(|v| {
                t("ent.sum_veto")
                    .replace("{reason}", &v.reason)
                    .replace("{class}", class_name(v.class))
            })
            .collect();
        Some(Summary {
            grouping: grouping.join("; "),
            items,
            classes,
            adjustments,
            vetoes,
            overrides: scheme.overrides.len(),
            policies: config.policy.classes,
            low_tax: config.policy.low_tax_per_mu,
        })
    }
}

#[derive(Template)]
#[template(path = "enterprises/scheme.html")]
struct SchemePage {
    ctx: PageCtx,
    year: i64,
    /// The rules in words; `None` when the text does not read.
    summary: Option<Summary>,
    text: String,
    /// The note as typed, when saving was refused.
    note: String,
    is_default: bool,
    versions: Vec<VersionView>,
    errors: Vec<String>,
    is_admin: bool,
}

async fn scheme(
    State(state): State<AppState>,
    auth: CountyReader,
    Query(q): Query<SchemeQuery>,
) -> PageResult {
    let year = q.year.unwrap_or(FIRST_DATA_YEAR);
    let (text, version) = ev::config_for_year(&state.store, year).await?;
    let typed = Typed {
        year,
        text,
        note: String::new(),
    };
    scheme_page(
        &state,
        &auth,
        typed,
        version.is_none(),
        Vec::new(),
        q.saved.is_some(),
    )
    .await
}

/// The scheme form's text and note for a year: as stored, or as typed.
struct Typed {
    year: i64,
    text: String,
    note: String,
}

async fn scheme_page(
    state: &AppState,
    auth: &Auth,
    typed: Typed,
    is_default: bool,
    errors: Vec<String>,
    saved: bool,
) -> PageResult {
    let errors = crate::i18n::localised(errors, auth.ctx.lang);
    let Typed { year, text, note } = typed;
    let versions = state
        .store
        .scheme_versions(year)
        .await?
        .into_iter()
        .map(|v| VersionView {
            version: v.version,
            name: v.name,
            note: v.note,
            at: fmt_time(v.created_at),
        })
        .collect();
    let mut ctx = PageCtx::signed_in(auth);
    if saved {
        ctx.flash = Some(crate::i18n::t(auth.ctx.lang, "ent.saved").to_string());
    }
    let refused = !errors.is_empty();
    let page = SchemePage {
        ctx,
        year,
        summary: Summary::of(&text, auth.ctx.lang),
        text,
        note,
        is_default,
        versions,
        errors,
        is_admin: auth.actor().is_admin(),
    };
    Ok(crate::form::answer(&page, refused))
}

async fn scheme_save(State(state): State<AppState>, auth: Office, f: Fields) -> PageResult {
    let lang = auth.ctx.lang;
    let year: i64 = f.hidden("year", lang, |y| y.parse().ok())?;
    let typed = Typed {
        year,
        text: f.get("toml").to_string(),
        note: f.get("note").to_string(),
    };
    let errors = if typed.text.is_empty() {
        let label = crate::i18n::t(lang, "ent.scheme");
        let mut errors = crate::form::FieldErrors::new(lang);
        errors.required("toml", label);
        errors.messages().into_iter().map(str::to_string).collect()
    } else {
        match ev::save_config(&state.store, &auth.actor(), year, &typed.text, &typed.note).await {
            Ok(_) => {
                return Ok(
                    Redirect::to(&format!("/enterprises/scheme?year={year}&saved=1"))
                        .into_response(),
                );
            }
            Err(AppError::Rows(rows)) => rows,
            Err(e) => match crate::WebError::from(e) {
                crate::WebError::BadRequest(m) => vec![m],
                other => return Err(other),
            },
        }
    };
    scheme_page(&state, &auth, typed, false, errors, false).await
}
