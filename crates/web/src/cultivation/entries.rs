//! One pipeline's entries: the list with filters (stage, town, industry, status, name), its
//! 导出/打印 through `web::export` from the same query, and the office's 登记入库 form (a firm by
//! credit code or exact name, or a 个体工商户 by name and 注册号), errors shown on the form.

use super::{PageResult, towns};
use crate::auth::{County, Office};
use crate::export::{self, ListQuery};
use crate::form::Query;
use crate::form::{FieldErrors, Fields};
use crate::i18n::{self, Lang};
use crate::pages::{PageCtx, options, render};
use crate::{AppState, WebError};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;
use qx_core::access::Actor;
use qx_core::codes::CreditCode;
use qx_core::cultivation::EntryStatus;
use qx_core::label::Labelled;
use qx_store::cultivation::{EntryFilter, EntryRow, NewEntry, Pipeline};
use qx_store::enterprises::EnterpriseFilter;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/cultivation/entries", get(list).post(enter))
        .route("/export/cultivation/entries", get(export_entries))
}

const PAGE: i64 = 100;

pub struct Line {
    id: i64,
    name: String,
    code: String,
    town: String,
    industry: String,
    stage: String,
    status: &'static str,
    entered_on: String,
    stage_since: String,
    expires_on: String,
    expired: bool,
}

#[derive(Template)]
#[template(path = "cultivation/list.html")]
struct ListPage {
    ctx: PageCtx,
    pipeline: Pipeline,
    lines: Vec<Line>,
    total: i64,
    stages: Vec<(i64, String)>,
    towns: Vec<(i64, String)>,
    statuses: Vec<(&'static str, &'static str)>,
    f_stage: i64,
    f_town: i64,
    f_industry: String,
    f_status: String,
    f_q: String,
    query: String,
    prev_link: Option<String>,
    next_link: Option<String>,
    is_admin: bool,
    values: Fields,
    errors: FieldErrors,
    today: String,
}

fn id_of(q: &ListQuery, key: &str) -> Option<i64> {
    q.get(key).and_then(|s| s.trim().parse().ok())
}

pub(crate) fn filter(q: &ListQuery, pipeline_id: i64) -> EntryFilter {
    EntryFilter {
        pipeline_id,
        stage_id: id_of(q, "stage"),
        town_id: id_of(q, "town"),
        industry: q.get("industry").cloned().unwrap_or_default(),
        status: q.get("status").and_then(|s| EntryStatus::parse(s).ok()),
        q: q.get("q").cloned().unwrap_or_default(),
        limit: PAGE,
        offset: id_of(q, "offset").unwrap_or(0).max(0),
    }
}

/// The pipeline the query names; the first one (小升规) when it names none.
pub(crate) async fn pipeline_of(state: &AppState, q: &ListQuery) -> Result<Pipeline, WebError> {
    match q
        .get("pipeline")
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
    {
        Some(s) => {
            let id = s.parse().map_err(|_| WebError::NotFound(s.to_string()))?;
            Ok(state.store.cultivation_pipeline(id).await?)
        }
        None => state
            .store
            .cultivation_pipelines()
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| WebError::NotFound(String::new())),
    }
}

fn lines(rows: Vec<EntryRow>, lang: Lang) -> Vec<Line> {
    let today = qx_core::time::today();
    rows.into_iter()
        .map(|r| Line {
            id: r.id,
            code: r.credit_code.unwrap_or(r.reg_no),
            name: r.name,
            town: r.town_name.unwrap_or_default(),
            industry: r.industry_code.unwrap_or_default(),
            stage: r.stage_name,
            status: r.status.label(lang),
            entered_on: r.entered_on,
            stage_since: r.stage_since,
            expired: qx_core::cultivation::has_expired(r.expires_on.as_deref(), today),
            expires_on: r.expires_on.unwrap_or_default(),
        })
        .collect()
}

async fn list_page(
    state: &AppState,
    auth: &crate::auth::Auth,
    q: &ListQuery,
    values: Fields,
    errors: FieldErrors,
) -> PageResult {
    let actor = auth.actor();
    let lang = auth.ctx.lang;
    let pipeline = pipeline_of(state, q).await?;
    let f = filter(q, pipeline.id);
    let (rows, total) = state.store.cultivation_entries(&actor, &f).await?;
    let today = qx_core::time::format_date(qx_core::time::today());
    let mut params: Vec<(&String, &String)> = q.iter().filter(|(k, _)| *k != "offset").collect();
    params.sort();
    let query = serde_urlencoded::to_string(&params).unwrap_or_default();
    let link = |offset: i64| format!("/cultivation/entries?{query}&offset={offset}");
    let page = ListPage {
        ctx: PageCtx::signed_in(auth),
        lines: lines(rows, lang),
        total,
        stages: pipeline
            .stages
            .iter()
            .map(|s| (s.id, s.name.clone()))
            .collect(),
        towns: towns(state).await?,
        statuses: options(EntryStatus::ALL, EntryStatus::as_str, lang),
        f_stage: f.stage_id.unwrap_or(-1),
        f_town: f.town_id.unwrap_or(-1),
        f_industry: f.industry.clone(),
        f_status: f.status.unwrap_or(EntryStatus::Active).as_str().to_string(),
        f_q: f.q.clone(),
        prev_link: (f.offset > 0).then(|| link((f.offset - PAGE).max(0))),
        next_link: (f.offset + PAGE < total).then(|| link(f.offset + PAGE)),
        query,
        is_admin: actor.is_admin(),
        pipeline,
        values,
        errors,
        today,
    };
    Ok(render(&page))
}

async fn list(
    State(state): State<AppState>,
    auth: County,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let lang = auth.ctx.lang;
    let mut values = Fields::default();
    values.set(
        "on_date",
        qx_core::time::format_date(qx_core::time::today()),
    );
    list_page(&state, &auth, &q, values, FieldErrors::new(lang)).await
}

/// The firm a typed credit code or exact registry name names, if one does.
async fn find_firm(state: &AppState, actor: &Actor, typed: &str) -> Result<Option<i64>, WebError> {
    if let Ok(code) = CreditCode::parse(typed) {
        return Ok(state
            .store
            .enterprise_codes()
            .await?
            .get(code.as_str())
            .map(|(id, _)| *id));
    }
    let (rows, _) = state
        .store
        .search_enterprises(
            actor,
            &EnterpriseFilter {
                q: typed.to_string(),
                limit: 50,
                ..Default::default()
            },
        )
        .await?;
    Ok(rows.into_iter().find(|e| e.name == typed).map(|e| e.id))
}

/// The fields of the entering form a store refusal may name.
pub(crate) const ENTER_FIELDS: &[(&str, &str)] = &[
    ("on_date", "日期"),
    ("stage", "阶段"),
    ("evidence", "依据"),
    ("enterprise", "名称"),
    ("certificate_no", "登记信息"),
];

async fn enter(State(state): State<AppState>, auth: Office, form: Fields) -> PageResult {
    let actor = auth.actor();
    let lang = auth.ctx.lang;
    let t = |k: &'static str| i18n::t(lang, k);
    let mut q = ListQuery::new();
    q.insert("pipeline".into(), form.get("pipeline").to_string());
    let pipeline = pipeline_of(&state, &q).await?;
    let mut errors = FieldErrors::new(lang);
    let typed = form.get("enterprise");
    let reg_no = form.get("reg_no");
    let firm = if typed.is_empty() {
        errors.required("enterprise", t("cv.enterprise"));
        None
    } else {
        find_firm(&state, &actor, typed).await?
    };
    if firm.is_none() && !typed.is_empty() && reg_no.is_empty() {
        errors.add(
            "enterprise",
            t("cv.unknown_enterprise").replace("{typed}", typed),
        );
    }
    let stage_id = form.get("stage").parse().unwrap_or(-1);
    let date = form.date("on_date", t("cv.on_date"), &mut errors);
    if errors.is_empty() {
        let new = NewEntry {
            pipeline_id: pipeline.id,
            enterprise_id: firm,
            name: typed.to_string(),
            reg_no: reg_no.to_string(),
            town_id: form.get("town").parse().ok(),
            stage_id,
            on_date: date.map(qx_core::time::format_date).unwrap_or_default(),
            evidence: form.get("evidence").to_string(),
            certificate_no: form.get("certificate_no").to_string(),
        };
        match state.store.enter_cultivation(&actor, &new).await {
            Ok(id) => {
                return Ok(Redirect::to(&format!("/cultivation/entries/{id}")).into_response());
            }
            Err(e) => errors.absorb(e.into(), ENTER_FIELDS)?,
        }
    }
    Ok(crate::form::shown_again(
        list_page(&state, &auth, &q, form, errors).await?,
    ))
}

async fn export_entries(
    State(state): State<AppState>,
    auth: County,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let actor = auth.actor();
    let lang = auth.ctx.lang;
    let t = |k: &'static str| i18n::t(lang, k);
    let pipeline = pipeline_of(&state, &q).await?;
    let mut f = filter(&q, pipeline.id);
    f.limit = export::EXPORT_LIMIT;
    f.offset = 0;
    let (rows, _) = state.store.cultivation_entries(&actor, &f).await?;
    let stage = f
        .stage_id
        .and_then(|s| pipeline.stages.iter().find(|x| x.id == s))
        .map(|s| s.name.clone())
        .unwrap_or_default();
    let town = match f.town_id {
        Some(id) => towns(&state)
            .await?
            .into_iter()
            .find(|(t, _)| *t == id)
            .map(|(_, n)| n)
            .unwrap_or_default(),
        None => String::new(),
    };
    let status = f
        .status
        .unwrap_or(EntryStatus::Active)
        .label(lang)
        .to_string();
    let title = format!("{}_{}", t("cv.title"), pipeline.name);
    let mut table = export::table(
        lang,
        &title,
        &[
            (t("cv.stage"), stage),
            (t("cv.town"), town),
            (t("cv.industry"), f.industry.clone()),
            (t("cv.status"), status),
            (t("cv.search"), f.q.clone()),
        ],
    );
    table.columns = export::columns(
        lang,
        &[
            "cv.enterprise",
            "cv.credit_code",
            "cv.town",
            "cv.industry",
            "cv.stage",
            "cv.status",
            "cv.entered_on",
            "cv.stage_since",
            "cv.expires_on",
        ],
    );
    table.rows = lines(rows, lang)
        .into_iter()
        .map(|l| {
            vec![
                l.name.into(),
                l.code.into(),
                l.town.into(),
                l.industry.into(),
                l.stage.into(),
                l.status.into(),
                l.entered_on.into(),
                l.stage_since.into(),
                l.expires_on.into(),
            ]
        })
        .collect();
    export::answer(&auth, table, &q, "/cultivation/entries")
}
