//! 考核评价 over JSON: the runs (filtered by year, quarter and class), a run's ranking per
//! class, and a unit's breakdown with each item's points and the records behind it. Read only,
//! with the pages' scope from the store: a unit sees nothing before 公示, then its own
//! breakdown, and its class's ranking once final; the office and leaders see everything.

use super::page::Page;
use super::problem::Problem;
use super::{ApiError, ApiResult, PageQuery};
use crate::AppState;
use crate::auth::County;
use crate::form::{FieldErrors, Fields, Query};
use crate::i18n::{self, Lang};
use axum::Json;
use axum::extract::{Path, State};
use qx_core::access::Actor;
use qx_core::assessment::{Fact, ItemKind, UnitClass};
use qx_store::Store;
use qx_store::assessment::{ItemResult, Run, UnitResult};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Query of `GET /api/v1/assessments`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RunParams {
    /// 年度, e.g. 2017.
    pub year: Option<String>,
    /// 1–4 for a quarter's run, `year` for the annual run.
    pub quarter: Option<String>,
    /// county_department | enterprise_department | zone | town: runs that ranked a class.
    pub class: Option<String>,
}

/// Which part of a year a run covers.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Span {
    Quarter(u8),
    Year,
}

/// The runs filter, read (a value that does not parse is refused, named).
struct RunFilter {
    year: Option<i64>,
    span: Option<Span>,
    class: Option<UnitClass>,
}

impl RunParams {
    fn filter(&self, lang: Lang) -> Result<RunFilter, ApiError> {
        let f = Fields::new(
            [
                ("year", &self.year),
                ("quarter", &self.quarter),
                ("class", &self.class),
            ]
            .into_iter()
            .filter_map(|(k, v)| {
                let v = v.as_deref().map(str::trim).filter(|s| !s.is_empty())?;
                Some((k.to_string(), v.to_string()))
            })
            .collect(),
        );
        let t = |k: &'static str| i18n::t(lang, k);
        let mut errors = FieldErrors::new(lang);
        let year = f
            .optional_number::<i64>("year", t("api.as.year"), &mut errors)
            .flatten();
        let span = if f.get("quarter").is_empty() {
            None
        } else {
            f.choice("quarter", t("api.as.quarter"), span_of, &mut errors)
        };
        let class = if f.get("class").is_empty() {
            None
        } else {
            f.choice(
                "class",
                t("api.as.class"),
                UnitClass::from_code,
                &mut errors,
            )
        };
        if !errors.is_empty() {
            return Err(ApiError::invalid(&errors));
        }
        Ok(RunFilter { year, span, class })
    }
}

fn span_of(code: &str) -> Option<Span> {
    match code {
        "year" => Some(Span::Year),
        "1" | "2" | "3" | "4" => code.parse().ok().map(Span::Quarter),
        _ => None,
    }
}

/// The span of a run's period ("2017Q3", "2017").
fn run_span(period: &str) -> Option<Span> {
    match period.split_once('Q') {
        Some((_, q)) => q.parse().ok().map(Span::Quarter),
        None => Some(Span::Year),
    }
}

/// The classes each scheme ranks, read once per request.
#[derive(Default)]
struct Classes(HashMap<i64, (String, Vec<UnitClass>)>);

impl Classes {
    async fn of(
        &mut self,
        store: &Store,
        scheme_id: i64,
    ) -> Result<&(String, Vec<UnitClass>), ApiError> {
        if let std::collections::hash_map::Entry::Vacant(slot) = self.0.entry(scheme_id) {
            let v = store.assessment_scheme(scheme_id).await?;
            let classes = v.scheme().map(|s| s.classes).unwrap_or_default();
            slot.insert((v.name, classes));
        }
        Ok(&self.0[&scheme_id])
    }
}

#[utoipa::path(get, path = "/api/v1/assessments", tag = "assessments", params(RunParams, PageQuery),
    responses((status = 200, description = "the runs the caller may see (units: those in 公示 or final), by id",
        body = Object, example = json!({"items": [{"id": 3, "year": 2017, "period": "2017Q3", "plan_id": 1,
            "status": "final", "publicity_until": "2017-10-20", "created_at": 1507766400, "finalised_at": 1508544000}],
            "next_cursor": "Mw"})),
        (status = 403, description = "enterprises are not assessed", body = Problem),
        (status = 422, description = "`year`, `quarter`, `class`, `limit` or `cursor` refused (named in `errors`)", body = Problem)))]
pub(super) async fn runs(
    State(state): State<AppState>,
    auth: County,
    Query(q): Query<RunParams>,
    Query(paging): Query<PageQuery>,
) -> ApiResult<Page<Run>> {
    let lang = auth.ctx.lang;
    let f = q.filter(lang)?;
    let actor = auth.actor();
    let mut runs: Vec<Run> = state
        .store
        .assessment_runs(&actor)
        .await?
        .into_iter()
        .filter(|r| f.year.is_none_or(|y| r.year == y))
        .filter(|r| f.span.is_none_or(|s| run_span(&r.period) == Some(s)))
        .collect();
    if let Some(class) = f.class {
        let mut classes = Classes::default();
        let mut kept = Vec::new();
        for r in runs {
            let schemes: Vec<i64> =
                ranked_schemes(&state.store.assessment_ranking(&actor, r.id).await?);
            let mut ranks = false;
            for s in schemes {
                ranks |= classes.of(&state.store, s).await?.1.contains(&class);
            }
            if ranks {
                kept.push(r);
            }
        }
        runs = kept;
    }
    Ok(Json(paging.page(runs, |r| r.id, lang)?))
}

/// The schemes of a ranking, in its order, each once.
fn ranked_schemes(rows: &[UnitResult]) -> Vec<i64> {
    let mut ids: Vec<i64> = rows.iter().map(|r| r.scheme_id).collect();
    ids.dedup();
    ids
}

#[utoipa::path(get, path = "/api/v1/assessments/{id}", tag = "assessments",
    params(("id" = i64, Path, description = "run id")),
    responses((status = 200, description = "the run", body = Object,
        example = json!({"id": 3, "year": 2017, "period": "2017Q3", "plan_id": 1, "status": "publicity",
            "publicity_until": "2017-10-20", "created_at": 1507766400, "finalised_at": null})),
        (status = 403, description = "enterprises are not assessed", body = Problem),
        (status = 404, description = "absent, or a unit asking before 公示", body = Problem)))]
pub(super) async fn run(
    State(state): State<AppState>,
    auth: County,
    Path(id): Path<i64>,
) -> ApiResult<Run> {
    Ok(Json(state.store.assessment_run(&auth.actor(), id).await?))
}

/// One class of a ranking: the scheme that ranked it and its units by place.
#[derive(Debug, Serialize)]
pub struct ClassRanking {
    pub scheme_id: i64,
    /// The scheme's name (e.g. 镇乡(街道)考核).
    pub name: String,
    pub classes: Vec<UnitClass>,
    pub rows: Vec<RankRow>,
}

/// A unit's place in its class.
#[derive(Debug, Serialize)]
pub struct RankRow {
    #[serde(flatten)]
    pub result: UnitResult,
    /// Places gained (+) or lost (−) since the previous period.
    pub change: Option<i64>,
}

/// Query of `GET /api/v1/assessments/{id}/ranking`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RankingParams {
    /// county_department | enterprise_department | zone | town: only the schemes ranking it.
    pub class: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/assessments/{id}/ranking", tag = "assessments",
    params(("id" = i64, Path, description = "run id"), RankingParams),
    responses((status = 200, description = "the ranking per class (scheme), by place: the office and leaders every class; \
        a unit its own row during 公示 and its class once final", body = Object,
        example = json!({"run": {"id": 3, "period": "2017Q3", "status": "final"}, "classes": [{"scheme_id": 2,
            "name": "镇乡(街道)考核", "classes": ["town"], "rows": [{"id": 41, "run_id": 3, "scheme_id": 2, "unit_id": 21,
            "unit_name": "石浦镇", "score": 96.4, "place": 1, "previous_place": 3, "lead_days": 1.5, "vetoed": null,
            "change": 2}]}]})),
        (status = 403, description = "enterprises are not assessed", body = Problem),
        (status = 404, description = "absent, or a unit asking before 公示", body = Problem),
        (status = 422, description = "`class` refused", body = Problem)))]
pub(super) async fn ranking(
    State(state): State<AppState>,
    auth: County,
    Path(id): Path<i64>,
    Query(q): Query<RankingParams>,
) -> ApiResult<serde_json::Value> {
    let filter = RunParams {
        class: q.class,
        ..RunParams::default()
    }
    .filter(auth.ctx.lang)?;
    let actor = auth.actor();
    let run = state.store.assessment_run(&actor, id).await?;
    let rows = state.store.assessment_ranking(&actor, id).await?;
    let mut classes = Classes::default();
    let mut out: Vec<ClassRanking> = Vec::new();
    for r in rows {
        if out.last().is_none_or(|c| c.scheme_id != r.scheme_id) {
            let (name, ranked) = classes.of(&state.store, r.scheme_id).await?.clone();
            out.push(ClassRanking {
                scheme_id: r.scheme_id,
                name,
                classes: ranked,
                rows: Vec::new(),
            });
        }
        if let Some(c) = out.last_mut() {
            c.rows.push(RankRow {
                change: r.change(),
                result: r,
            });
        }
    }
    if let Some(class) = filter.class {
        out.retain(|c| c.classes.contains(&class));
    }
    Ok(Json(serde_json::json!({"run": run, "classes": out})))
}

/// An item of a unit's breakdown and the records behind its points.
#[derive(Debug, Serialize)]
pub struct ItemDto {
    pub key: String,
    pub name: String,
    /// core | bonus | deduction
    pub kind: &'static str,
    pub source: &'static str,
    pub weight: f64,
    pub figure: Option<f64>,
    pub points: f64,
    /// Signed as it counts in the score (a deduction negative).
    pub signed_points: f64,
    /// Left out (nothing to measure); the other core weights were scaled up.
    pub applicable: bool,
    /// Scored at the class average (too few records).
    pub class_average: bool,
    pub record_count: i64,
    /// Provenance: each record with its own figure ("indicator:12", "task:3", "manual:5").
    pub records: Vec<Fact>,
}

impl From<&ItemResult> for ItemDto {
    fn from(i: &ItemResult) -> Self {
        let sign = if i.kind.0 == ItemKind::Deduction {
            -1.0
        } else {
            1.0
        };
        ItemDto {
            key: i.item_key.clone(),
            name: i.name.clone(),
            kind: i.kind.0.as_str(),
            source: i.source.0.as_str(),
            weight: i.weight,
            figure: i.figure,
            points: i.points,
            signed_points: sign * i.points,
            applicable: i.applicable != 0,
            class_average: i.class_average != 0,
            record_count: i.record_count,
            records: i.facts(),
        }
    }
}

/// A unit's breakdown in a run.
#[derive(Debug, Serialize)]
pub struct Breakdown {
    pub run: Run,
    pub result: UnitResult,
    pub items: Vec<ItemDto>,
}

#[utoipa::path(get, path = "/api/v1/assessments/{id}/units/{unit}", tag = "assessments",
    params(("id" = i64, Path, description = "run id"), ("unit" = i64, Path, description = "unit id")),
    responses((status = 200, description = "the unit's result and each item's points with the records behind them \
        (the office and leaders any unit; a unit its own, once in 公示)", body = Object,
        example = json!({"run": {"id": 3, "period": "2017Q3", "status": "publicity"}, "result": {"id": 41, "unit_id": 21,
            "unit_name": "石浦镇", "score": 96.4, "place": 1}, "items": [{"key": "indicators", "name": "牵头指标完成情况",
            "kind": "core", "source": "indicators", "weight": 60.0, "figure": 1.02, "points": 60.0, "signed_points": 60.0,
            "applicable": true, "class_average": false, "record_count": 2, "records": [{"record": "indicator:12",
            "label": "规上工业增加值增速", "value": 1.04, "expected": 0.75}]}]})),
        (status = 403, description = "enterprises are not assessed", body = Problem),
        (status = 404, description = "absent, another unit's, or a unit asking before 公示", body = Problem)))]
pub(super) async fn breakdown(
    State(state): State<AppState>,
    auth: County,
    Path((id, unit)): Path<(i64, i64)>,
) -> ApiResult<Breakdown> {
    let actor: Actor = auth.actor();
    let (run, result, items) = state.store.assessment_breakdown(&actor, id, unit).await?;
    Ok(Json(Breakdown {
        run,
        result,
        items: items.iter().map(ItemDto::from).collect(),
    }))
}
