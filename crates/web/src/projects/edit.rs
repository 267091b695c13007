//! The project form (new and edit): every message beside its field in the reader's language,
//! what was typed kept; 统一社会信用代码 checked by `CreditCode`, 万元 figures read by
//! `parse_figure`.

use super::*;
use qx_core::codes::CreditCode;
use qx_core::units::UnitKind;
use qx_store::projects::{Project, ProjectInput};

#[derive(Template)]
#[template(path = "projects/form.html")]
pub(super) struct FormPage {
    ctx: PageCtx,
    /// `None` for a new project.
    id: Option<i64>,
    capital_kinds: Vec<(&'static str, &'static str)>,
    sources: Vec<(&'static str, &'static str)>,
    towns: Vec<(i64, String)>,
    units: Vec<(i64, String)>,
    leaders: Vec<(i64, String)>,
    is_admin: bool,
    /// 本年已完成投资 once a month's 调度 is approved (shown, not editable).
    dispatched: Option<String>,
    values: Fields,
    errors: FieldErrors,
}

/// The planned-date fields, in the order of `ProjectInput::planned`.
const PLANNED: [(&str, &str); 4] = [
    ("planned_signed", "pj.planned_signed"),
    ("planned_registered", "pj.planned_registered"),
    ("planned_started", "pj.planned_started"),
    ("planned_producing", "pj.planned_producing"),
];

async fn form_view(
    state: &AppState,
    auth: &Auth,
    id: Option<i64>,
    values: Fields,
    errors: FieldErrors,
) -> Result<FormPage, WebError> {
    let actor = auth.actor();
    let lang = auth.ctx.lang;
    let all = state.store.list_units().await?;
    let towns = all
        .iter()
        .filter(|u| matches!(u.kind, UnitKind::Town | UnitKind::Zone))
        .map(|u| (u.id, u.name.clone()))
        .collect();
    let units = all
        .iter()
        .filter(|u| u.kind != UnitKind::Group && actor.can_write_unit(u.id))
        .map(|u| (u.id, u.name.clone()))
        .collect();
    let leaders = if actor.is_admin() {
        state
            .store
            .list_users(&actor)
            .await?
            .into_iter()
            .filter(|u| u.profile.role == qx_core::access::Role::Leader)
            .map(|u| (u.id, u.profile.display_name))
            .collect()
    } else {
        Vec::new()
    };
    let dispatched = match id {
        Some(id) => state
            .store
            .project_dispatched_wan(&actor, id)
            .await?
            .map(qx_report::fmt_num),
        None => None,
    };
    Ok(FormPage {
        ctx: PageCtx::signed_in(auth),
        id,
        capital_kinds: options(CapitalKind::ALL, CapitalKind::as_str, lang),
        sources: options(Source::ALL, Source::as_str, lang),
        towns,
        units,
        leaders,
        is_admin: actor.is_admin(),
        dispatched,
        values,
        errors,
    })
}

/// What the form shows for a stored project.
fn fields_of(p: &Project, planned: &[Option<String>; 4]) -> Fields {
    let mut f = Fields::default();
    let opt = |v: Option<f64>| v.map(qx_report::fmt_num).unwrap_or_default();
    let id = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
    f.set("year", p.year.to_string());
    f.set("name", &p.name);
    f.set("investor", &p.investor);
    f.set("credit_code", p.credit_code.clone().unwrap_or_default());
    f.set("capital_kind", p.capital_kind.as_str());
    f.set("source", p.source.as_str());
    f.set("industry", &p.industry);
    f.set("town_id", id(p.town_id));
    f.set(
        "total_investment",
        qx_report::fmt_num(p.total_investment_wan),
    );
    f.set("foreign_contract", opt(p.foreign_contract_wusd));
    f.set("annual_plan", opt(p.annual_plan_wan));
    f.set("completed", opt(p.completed_wan));
    f.set("land", opt(p.land_mu));
    f.set("content", &p.content);
    f.set("unit_id", p.unit_id.to_string());
    f.set("contact", &p.contact);
    f.set("leader_user_id", id(p.leader_user_id));
    for ((name, _), d) in PLANNED.iter().zip(planned) {
        f.set(name, d.clone().unwrap_or_default());
    }
    f
}

/// Reads the form into a project; what is wrong is recorded beside its field. A unit's
/// project is always its own; only the office names the 包干 leader (`keep_leader` otherwise).
pub(crate) fn input_of(
    actor: &qx_core::access::Actor,
    f: &Fields,
    keep_leader: Option<i64>,
    errs: &mut FieldErrors,
) -> Option<ProjectInput> {
    let lang = errs.lang();
    let t = |k: &'static str| crate::i18n::t(lang, k);
    let year = f.number::<i32>("year", t("pj.year"), errs);
    let credit_code = match f.get("credit_code") {
        "" => Some(None),
        code => match CreditCode::parse(code) {
            Ok(c) => Some(Some(c)),
            Err(e) => {
                errs.add("credit_code", format!("{}: {e}", t("pj.credit_code")));
                None
            }
        },
    };
    let capital_kind = f.choice(
        "capital_kind",
        t("pj.capital_kind"),
        CapitalKind::from_code,
        errs,
    );
    let source = f.choice("source", t("pj.source"), Source::from_code, errs);
    let town_id = f.optional_number::<i64>("town_id", t("pj.town"), errs);
    let total = figure(f, "total_investment", t("pj.total_investment"), errs);
    if matches!(total, Some(None)) {
        errs.required("total_investment", t("pj.total_investment"));
    }
    let foreign = figure(f, "foreign_contract", t("pj.foreign_contract"), errs);
    let annual_plan = figure(f, "annual_plan", t("pj.annual_plan"), errs);
    let completed = figure(f, "completed", t("pj.completed"), errs);
    let land = figure(f, "land", t("pj.land"), errs);
    let unit_id = match actor.role {
        qx_core::access::Role::Unit => actor.unit_id,
        _ => f.number::<i64>("unit_id", t("pj.unit"), errs),
    };
    let leader_user_id = if actor.is_admin() {
        f.optional_number::<i64>("leader_user_id", t("pj.leader"), errs)?
    } else {
        keep_leader
    };
    let mut planned = [None; 4];
    for (slot, (name, key)) in planned.iter_mut().zip(PLANNED) {
        if !f.get(name).is_empty() {
            *slot = f.date(name, t(key), errs);
        }
    }
    let input = ProjectInput {
        year: year?,
        name: f.get("name").to_string(),
        investor: f.get("investor").to_string(),
        credit_code: credit_code?,
        capital_kind: capital_kind?,
        source: source?,
        industry: f.get("industry").to_string(),
        town_id: town_id?,
        total_investment_wan: total??,
        foreign_contract_wusd: foreign?,
        annual_plan_wan: annual_plan?,
        completed_wan: completed?,
        land_mu: land?,
        content: f.get("content").to_string(),
        unit_id: unit_id?,
        contact: f.get("contact").to_string(),
        leader_user_id,
        planned,
    };
    errs.is_empty().then_some(input)
}

/// The fields of the form a store refusal may name ("项目名称: 不能为空").
pub(crate) const FORM_FIELDS: &[(&str, &str)] = &[
    ("name", "项目名称"),
    ("investor", "投资方"),
    ("industry", "行业"),
    ("content", "建设内容"),
    ("contact", "联系人"),
    ("total_investment", "计划总投资"),
    ("annual_plan", "年度计划投资"),
    ("completed", "本年已完成投资"),
    ("foreign_contract", "合同外资"),
    ("land", "用地"),
    ("year", "年度"),
    ("leader_user_id", "包干县领导"),
    ("unit_id", "责任单位"),
];

pub(super) async fn new_form(State(state): State<AppState>, auth: OfficeOrUnit) -> PageResult {
    let mut values = Fields::default();
    values.set("year", today().year().to_string());
    values.set("capital_kind", CapitalKind::Domestic.as_str());
    values.set("source", Source::Investment.as_str());
    if let Some(u) = auth.actor().unit_id {
        values.set("unit_id", u.to_string());
    }
    let page = form_view(&state, &auth, None, values, FieldErrors::new(auth.ctx.lang)).await?;
    Ok(render(&page))
}

pub(super) async fn create(
    State(state): State<AppState>,
    auth: OfficeOrUnit,
    f: Fields,
) -> PageResult {
    let actor = auth.actor();
    let mut errors = FieldErrors::new(auth.ctx.lang);
    if let Some(input) = input_of(&actor, &f, None, &mut errors) {
        match state.store.create_project(&actor, &input, today()).await {
            Ok(id) => return Ok(Redirect::to(&format!("/projects/{id}?saved=1")).into_response()),
            Err(e) => errors.absorb(e.into(), FORM_FIELDS)?,
        }
    }
    let page = form_view(&state, &auth, None, f, errors).await?;
    Ok(crate::form::invalid(&page))
}

pub(super) async fn edit_form(
    State(state): State<AppState>,
    auth: OfficeOrUnit,
    Path(id): Path<i64>,
) -> PageResult {
    let actor = auth.actor();
    // The form is offered to whoever the store lets change the project.
    state.store.project_for_write(&actor, id).await?;
    let d = state.store.project_detail(&actor, id).await?;
    let mut planned: [Option<String>; 4] = Default::default();
    for s in &d.stages {
        if let Some(p) = s
            .stage
            .rank()
            .and_then(|r| r.checked_sub(1))
            .and_then(|slot| planned.get_mut(slot))
        {
            *p = s.planned_on.clone();
        }
    }
    let values = fields_of(&d.project, &planned);
    let page = form_view(
        &state,
        &auth,
        Some(id),
        values,
        FieldErrors::new(auth.ctx.lang),
    )
    .await?;
    Ok(render(&page))
}

pub(super) async fn update(
    State(state): State<AppState>,
    auth: OfficeOrUnit,
    Path(id): Path<i64>,
    f: Fields,
) -> PageResult {
    let actor = auth.actor();
    let before = state.store.get_project(&actor, id).await?;
    let mut errors = FieldErrors::new(auth.ctx.lang);
    if let Some(input) = input_of(&actor, &f, before.leader_user_id, &mut errors) {
        match state.store.update_project(&actor, id, &input).await {
            Ok(()) => return Ok(Redirect::to(&format!("/projects/{id}?saved=1")).into_response()),
            Err(e) => errors.absorb(e.into(), FORM_FIELDS)?,
        }
    }
    let page = form_view(&state, &auth, Some(id), f, errors).await?;
    Ok(crate::form::invalid(&page))
}
