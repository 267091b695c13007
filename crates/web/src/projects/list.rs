//! The 重大项目库 list: filters, counts by stage and funnel alerts, lights; its 导出/打印 from
//! the same filters and scope; the office's alert settings.

use super::*;
use crate::export::{self, ListQuery};
use qx_core::monitor::Light;
use qx_core::project::AlertDays;
use qx_store::projects::{ProjectFilter, ProjectRow};

pub struct Line {
    id: i64,
    year: i64,
    name: String,
    investor: String,
    major: bool,
    stage: &'static str,
    stage_since: String,
    unit: String,
    town: String,
    total: String,
    completion: String,
    light: &'static str,
    light_label: &'static str,
    overdue: bool,
    alert: Option<&'static str>,
    leader: String,
}

#[derive(Template)]
#[template(path = "projects/list.html")]
pub(super) struct ListPage {
    ctx: PageCtx,
    lines: Vec<Line>,
    /// Projects the filters select (`lines` is one page of them).
    total: usize,
    /// The page shown (from 1) and how many there are.
    page: usize,
    pages: usize,
    by_stage: Vec<(&'static str, &'static str, usize)>,
    alerts: Vec<(&'static str, usize)>,
    stages: Vec<(&'static str, &'static str)>,
    lights: Vec<(&'static str, &'static str)>,
    units: Vec<(i64, String)>,
    f_year: String,
    f_stage: String,
    f_unit: String,
    f_light: String,
    f_major: bool,
    f_alerted: bool,
    f_q: String,
    query: String,
    can_create: bool,
    is_admin: bool,
    days: AlertDays,
    /// The alert-days form as typed and refused (`None`: the stored days).
    days_form: Option<(Fields, FieldErrors)>,
    /// An import's problems, each naming its row and column (nothing was written).
    errors: Vec<String>,
    /// After an import: projects entered and updated.
    imported: Option<(String, String)>,
}

/// Rows on a page of the list: a county's library runs to thousands of projects, and a page of
/// them is what a reader takes in (导出/打印 give the whole selection).
pub(super) const PAGE_SIZE: usize = 50;

const LIGHTS: [Light; 4] = [Light::Green, Light::Yellow, Light::Red, Light::Grey];

/// A light's name on the project pages: grey means the project has no investment plan to be
/// judged against (the indicators' 未报送 would mislead here).
pub(super) fn light_label(l: Light, lang: Lang) -> &'static str {
    match (l, lang) {
        (Light::Grey, _) => crate::i18n::t(lang, "pj.no_plan"),
        (_, lang) => l.label(lang),
    }
}

pub(crate) fn filter_of(q: &HashMap<String, String>) -> ProjectFilter {
    let on = |k: &str| q.get(k).is_some_and(|v| v == "1");
    ProjectFilter {
        year: q.get("year").and_then(|s| s.trim().parse().ok()),
        stage: q.get("stage").and_then(|s| Stage::from_code(s)),
        unit_id: id_of(q, "unit"),
        town_id: id_of(q, "town"),
        major: on("major"),
        light: q
            .get("light")
            .and_then(|s| LIGHTS.into_iter().find(|l| l.as_str() == s)),
        leader_user_id: id_of(q, "leader"),
        alerted: on("alerted"),
        q: q.get("q")
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty()),
    }
}

fn line(r: ProjectRow, lang: Lang) -> Line {
    let p = r.project;
    Line {
        major: p.is_major(),
        id: p.id,
        year: p.year,
        name: p.name,
        investor: p.investor,
        stage: p.stage.label(lang),
        stage_since: p.stage_since,
        unit: p.unit_name,
        town: p.town_name,
        total: num(Some(p.total_investment_wan)),
        completion: qx_report::fmt_pct(r.light.completion),
        light: r.light.light.as_str(),
        light_label: light_label(r.light.light, lang),
        overdue: r.light.overdue,
        alert: r.alert.map(|a| a.label(lang)),
        leader: p.leader_name,
    }
}

pub(super) async fn list(
    State(state): State<AppState>,
    auth: Signed,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    list_page(&state, &auth, q, Vec::new()).await
}

/// The list under the query `q`, with an import's `errors` above it (answered 400 then).
pub(super) async fn list_page(
    state: &AppState,
    auth: &Auth,
    q: HashMap<String, String>,
    errors: Vec<String>,
) -> PageResult {
    let refused = !errors.is_empty();
    let page = list_view(state, auth, q, errors).await?;
    Ok(crate::form::answer(&page, refused))
}

async fn list_view(
    state: &AppState,
    auth: &Auth,
    q: HashMap<String, String>,
    errors: Vec<String>,
) -> Result<ListPage, WebError> {
    let actor = auth.actor();
    let lang = auth.ctx.lang;
    let errors = crate::i18n::localised(errors, lang);
    let f = filter_of(&q);
    let page = q
        .get("page")
        .and_then(|p| p.trim().parse::<usize>().ok())
        .unwrap_or(1)
        .max(1);
    let list = state
        .store
        .list_projects_page(&actor, &f, (page - 1) * PAGE_SIZE, PAGE_SIZE)
        .await?;
    let pages = list.total.div_ceil(PAGE_SIZE).max(1);
    let units = crate::pages::unit_choices(&state.store).await?;
    // The filters as a query, for the export and the pages' links (without the page itself).
    let mut params: Vec<(&String, &String)> = q.iter().filter(|(k, _)| *k != "page").collect();
    params.sort();
    let imported = q
        .get("imported")
        .zip(q.get("updated"))
        .map(|(a, b)| (a.clone(), b.clone()));
    Ok(ListPage {
        ctx: PageCtx::signed_in(auth),
        lines: list.rows.into_iter().map(|r| line(r, lang)).collect(),
        total: list.total,
        page,
        pages,
        by_stage: list
            .by_stage
            .iter()
            .map(|(s, n)| (s.as_str(), s.label(lang), *n))
            .collect(),
        alerts: list
            .alerts
            .iter()
            .map(|(a, n)| (a.label(lang), *n))
            .collect(),
        stages: options(Stage::ALL, Stage::as_str, lang),
        lights: LIGHTS
            .iter()
            .map(|l| (l.as_str(), light_label(*l, lang)))
            .collect(),
        units,
        f_year: f.year.map(|y| y.to_string()).unwrap_or_default(),
        f_stage: f.stage.map(|s| s.as_str().to_string()).unwrap_or_default(),
        f_unit: f.unit_id.map(|u| u.to_string()).unwrap_or_default(),
        f_light: f.light.map(|l| l.as_str().to_string()).unwrap_or_default(),
        f_major: f.major,
        f_alerted: f.alerted,
        f_q: f.q.clone().unwrap_or_default(),
        query: serde_urlencoded::to_string(&params).unwrap_or_default(),
        can_create: OfficeOrUnit::admits(actor.role),
        is_admin: actor.is_admin(),
        days: state.store.project_alert_days().await?,
        days_form: None,
        errors,
        imported,
    })
}

/// `GET /export/projects?<the list's query>[&print=1]`.
pub(super) async fn export(
    State(state): State<AppState>,
    auth: Signed,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let actor = auth.actor();
    let lang = auth.ctx.lang;
    let f = filter_of(&q);
    let list = state.store.list_projects(&actor, &f).await?;
    let t = |k: &'static str| crate::i18n::t(lang, k);
    let yes = |on: bool, k: &'static str| if on { t(k).to_string() } else { String::new() };
    let mut table = export::table(
        lang,
        t("pj.title"),
        &[
            (
                t("pj.year"),
                f.year.map(|y| y.to_string()).unwrap_or_default(),
            ),
            (
                t("pj.stage"),
                f.stage
                    .map(|s| s.label(lang).to_string())
                    .unwrap_or_default(),
            ),
            (
                t("pj.light"),
                f.light
                    .map(|l| light_label(l, lang).to_string())
                    .unwrap_or_default(),
            ),
            (t("pj.major"), yes(f.major, "pj.major_only")),
            (t("pj.alert"), yes(f.alerted, "pj.alerted_only")),
            (t("pj.search"), f.q.clone().unwrap_or_default()),
        ],
    );
    table.columns = vec!["#".to_string()];
    table.columns.extend(export::columns(
        lang,
        &[
            "pj.year",
            "pj.name",
            "pj.investor",
            "pj.major",
            "pj.stage",
            "pj.stage_since",
            "pj.unit",
            "pj.town",
            "pj.total_investment",
            "pj.completion",
            "pj.light",
            "pj.alert",
            "pj.leader",
        ],
    ));
    table.rows = list
        .rows
        .into_iter()
        .map(|r| {
            let l = line(r, lang);
            let mut light = l.light_label.to_string();
            if l.overdue {
                light = format!("{light} · {}", t("pj.overdue"));
            }
            vec![
                l.id.into(),
                l.year.into(),
                l.name.into(),
                l.investor.into(),
                yes(l.major, "pj.major").into(),
                l.stage.into(),
                l.stage_since.into(),
                l.unit.into(),
                l.town.into(),
                l.total.into(),
                l.completion.into(),
                light.into(),
                l.alert.unwrap_or("").into(),
                l.leader.into(),
            ]
        })
        .collect();
    export::answer(&auth, table, &q, "/projects")
}

/// The office sets after how many days each funnel alert is raised. A number that does not
/// read, or one the store refuses, comes back beside its box with what was typed.
pub(super) async fn settings(State(state): State<AppState>, auth: Office, f: Fields) -> PageResult {
    let lang = auth.ctx.lang;
    let mut errors = FieldErrors::new(lang);
    // Each box is named by its alert (签而未注: "六十" 不是有效的数字).
    let mut read =
        |alert: FunnelAlert| f.number::<i64>(alert.as_str(), alert.label(lang), &mut errors);
    let days = (
        read(FunnelAlert::SignedNotRegistered),
        read(FunnelAlert::RegisteredNotStarted),
        read(FunnelAlert::StartedNotProducing),
    );
    if let (Some(a), Some(b), Some(c)) = days {
        let days = AlertDays {
            signed_not_registered: a,
            registered_not_started: b,
            started_not_producing: c,
        };
        let saved = state
            .store
            .set_project_alert_days(&auth.actor(), &days)
            .await;
        // The store names the alert whose days are out of range: said beside its box.
        let boxes: Vec<(&'static str, &str)> = FunnelAlert::ALL
            .iter()
            .map(|a| (a.as_str(), a.label(crate::i18n::Lang::Zh)))
            .collect();
        if errors.unless_refused(saved, &boxes)?.is_some() {
            return Ok(Redirect::to("/projects").into_response());
        }
    }
    let mut page = list_view(&state, &auth, HashMap::new(), Vec::new()).await?;
    page.days_form = Some((f, errors));
    Ok(crate::form::invalid(&page))
}

impl ListPage {
    /// Each alert's box: its code, label, value (as typed when the form was refused) and the
    /// message beside it.
    fn alert_days(&self) -> Vec<(&'static str, &'static str, String, Option<&str>)> {
        FunnelAlert::ALL
            .iter()
            .map(|a| {
                let code = a.as_str();
                let (value, error) = match &self.days_form {
                    Some((typed, errors)) => (typed.get(code).to_string(), errors.get(code)),
                    None => (self.days.days(*a).to_string(), None),
                };
                (code, a.label(self.ctx.t.0), value, error)
            })
            .collect()
    }

    /// The alert-days form's refusal from the store, above the form.
    fn days_general(&self) -> Vec<&str> {
        self.days_form
            .as_ref()
            .map(|(_, e)| e.general())
            .unwrap_or_default()
    }
}
