//! The 考核方案 as a form: who is scored (classes, a sub-class and its members), the items with
//! their full marks, source and scoring rule, the 一票否决 conditions and the caps, each in a box
//! with its error beside it. The office edits the latest version of a scheme or starts a new one
//! from the bulletin's default; saving makes a new version (`Store::save_assessment_scheme`),
//! exactly as the JSON box on the schemes page does, so both are views of one `Scheme`.
//!
//! Items and vetoes are numbered rows (`items[2].weight`), the names `Scheme::validate` gives
//! its errors, so a message it finds lands beside the box it is about. A row left blank is
//! skipped; a row ticked 删除 is dropped; a row without a key gets the next `item{n}` the year
//! has never used.

use super::PageResult;
use super::schemes::{YearQuery, this_year};
use crate::AppState;
use crate::auth::{Auth, Office};
use crate::form::{FieldErrors, Fields, Query, invalid};
use crate::i18n::{self, Lang};
use crate::pages::{PageCtx, render, split_list};
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;
use qx_core::assessment::{
    Cadence, Item, ItemKind, Method, MethodKind, Scheme, SchemeError, Source, UnitClass, Veto,
};
use qx_core::label::Labelled;
use std::collections::BTreeSet;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/assessment/schemes/new", get(new_form).post(save_new))
        .route(
            "/assessment/schemes/{id}/edit",
            get(edit_form).post(save_edit),
        )
}

/// Blank rows offered below a scheme's items and vetoes, to add one.
const BLANK_ITEMS: usize = 2;
const BLANK_VETOES: usize = 1;
/// Rows read at the most (a forged count cannot make the server loop).
const MAX_ROWS: usize = 60;

/// A choice in a select: its code and its name in the reader's language.
pub struct Choice {
    code: &'static str,
    label: &'static str,
}

fn choices<T: Labelled + Copy>(all: &[T], code: fn(T) -> &'static str, lang: Lang) -> Vec<Choice> {
    all.iter()
        .map(|&v| Choice {
            code: code(v),
            label: v.label(lang),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "assessment/scheme_form.html")]
struct FormPage {
    ctx: PageCtx,
    year: i32,
    /// Where the form posts: its own address.
    action: String,
    /// The name and version edited; `None` for a new scheme.
    editing: Option<(String, i64)>,
    item_rows: Vec<usize>,
    veto_rows: Vec<usize>,
    cadences: Vec<Choice>,
    classes: Vec<Choice>,
    kinds: Vec<Choice>,
    sources: Vec<Choice>,
    methods: Vec<Choice>,
    /// What each method's one figure means, for the note below the items.
    figure_notes: Vec<(&'static str, &'static str)>,
    values: Fields,
    errors: FieldErrors,
}

impl FormPage {
    /// The value typed in a row's box (`items[2].weight`).
    fn cell(&self, list: &str, row: &usize, field: &str) -> &str {
        self.values.get(&format!("{list}[{row}].{field}"))
    }

    /// The message beside a row's box, if any.
    fn cell_error(&self, list: &str, row: &usize, field: &str) -> Option<&str> {
        self.errors.get(&format!("{list}[{row}].{field}"))
    }
}

fn page(
    auth: &Auth,
    action: String,
    editing: Option<(String, i64)>,
    values: Fields,
    errors: FieldErrors,
) -> FormPage {
    let lang = auth.ctx.lang;
    let rows = |name: &str| (0..values.get(name).parse().unwrap_or(0).min(MAX_ROWS)).collect();
    FormPage {
        ctx: PageCtx::signed_in(auth),
        year: values.get("year").parse().unwrap_or_else(|_| this_year()),
        action,
        editing,
        item_rows: rows("items"),
        veto_rows: rows("vetoes"),
        cadences: choices(Cadence::ALL, Cadence::as_str, lang),
        classes: choices(UnitClass::ALL, UnitClass::as_str, lang),
        kinds: choices(ItemKind::ALL, ItemKind::as_str, lang),
        sources: choices(Source::ALL, Source::as_str, lang),
        methods: choices(MethodKind::ALL, MethodKind::as_str, lang),
        figure_notes: MethodKind::ALL
            .iter()
            .map(|m| {
                let figure = m
                    .figure_label(lang)
                    .unwrap_or_else(|| i18n::t(lang, "as.no_figure"));
                (m.label(lang), figure)
            })
            .collect(),
        values,
        errors,
    }
}

/// The form's fields for `s`, with blank rows to add items and vetoes.
fn fields_of(s: &Scheme) -> Fields {
    let mut f: Vec<(String, String)> = Vec::new();
    let mut set = |k: String, v: String| f.push((k, v));
    set("year".into(), s.year.to_string());
    set("name".into(), s.name.clone());
    set("cadence".into(), s.cadence.as_str().into());
    for c in &s.classes {
        set("classes".into(), c.as_str().into());
    }
    set("sub_class".into(), s.sub_class.clone().unwrap_or_default());
    set("members".into(), s.members.join("\n"));
    set("base".into(), s.base.to_string());
    set(
        "bonus_cap".into(),
        s.bonus_cap.map(|c| c.to_string()).unwrap_or_default(),
    );
    set(
        "deduction_cap".into(),
        s.deduction_cap.map(|c| c.to_string()).unwrap_or_default(),
    );
    if s.rescale_missing {
        set("rescale_missing".into(), "1".into());
    }
    set("items".into(), (s.items.len() + BLANK_ITEMS).to_string());
    for (n, i) in s.items.iter().enumerate() {
        let mut cell = |k: &str, v: String| set(format!("items[{n}].{k}"), v);
        cell("key", i.key.clone());
        cell("name", i.name.clone());
        cell("kind", i.kind.as_str().into());
        cell("weight", i.weight.to_string());
        cell("source", i.source.as_str().into());
        cell("method", i.method.kind().as_str().into());
        cell(
            "figure",
            i.method.figure().map(|x| x.to_string()).unwrap_or_default(),
        );
        cell("min_count", i.min_count.to_string());
    }
    set("vetoes".into(), (s.vetoes.len() + BLANK_VETOES).to_string());
    for (n, v) in s.vetoes.iter().enumerate() {
        let mut cell = |k: &str, val: String| set(format!("vetoes[{n}].{k}"), val);
        cell("key", v.key.clone());
        cell("name", v.name.clone());
        cell("source", v.source.as_str().into());
        cell("at_least", v.at_least.to_string());
    }
    Fields::new(f)
}

/// The rows of `list` the form sends that are not ticked 删除 and not left blank.
fn kept_rows<'a>(
    form: &'a Fields,
    list: &'a str,
    typed: &'a [&str],
) -> impl Iterator<Item = usize> + 'a {
    let count = form.get(list).parse().unwrap_or(0).min(MAX_ROWS);
    (0..count).filter(move |n| {
        let at = |k: &str| form.get(&format!("{list}[{n}].{k}")).to_string();
        at("delete") != "1" && typed.iter().any(|k| !at(k).is_empty())
    })
}

/// `prefix{n}`, the first not among `taken`, which it joins.
fn free_key(prefix: &str, taken: &mut BTreeSet<String>) -> String {
    let key = (1..)
        .map(|n| format!("{prefix}{n}"))
        .find(|k| !taken.contains(k))
        .unwrap_or_default();
    taken.insert(key.clone());
    key
}

/// The scheme the form describes; `None` with every message beside its box when it does not
/// read or `Scheme::validate` refuses it. A new row without a key is numbered past `used`
/// (every key the year has used, `Store::assessment_keys_used`) and past every key on the
/// form, removed rows included, so it never takes over a removed item's manual points.
fn read(form: &Fields, used: &BTreeSet<String>, errs: &mut FieldErrors) -> Option<Scheme> {
    let lang = errs.lang();
    let t = |k: &'static str| i18n::t(lang, k);
    let year = form.number::<i32>("year", t("as.year"), errs);
    let name = form.required("name", t("as.scheme_name"), errs);
    let cadence = form.choice("cadence", t("as.cadence"), Cadence::from_code, errs);
    let classes: Vec<UnitClass> = form
        .all("classes")
        .into_iter()
        .filter_map(UnitClass::from_code)
        .collect();
    let sub_class = Some(form.get("sub_class").to_string()).filter(|s| !s.is_empty());
    let base = form.optional_number::<f64>("base", t("as.base"), errs);
    let bonus_cap = form.optional_number::<f64>("bonus_cap", t("as.bonus_cap"), errs);
    let deduction_cap = form.optional_number::<f64>("deduction_cap", t("as.deduction_cap"), errs);

    let item_rows: Vec<usize> =
        kept_rows(form, "items", &["key", "name", "weight", "figure"]).collect();
    let veto_rows: Vec<usize> = kept_rows(form, "vetoes", &["key", "name", "at_least"]).collect();
    let keys = |list: &str, rows: &[usize]| -> Vec<String> {
        rows.iter()
            .map(|n| form.get(&format!("{list}[{n}].key")).to_string())
            .collect()
    };
    let mut item_keys = keys("items", &item_rows);
    let mut veto_keys = keys("vetoes", &veto_rows);
    let mut taken = used.clone();
    for list in ["items", "vetoes"] {
        let count = form.get(list).parse().unwrap_or(0).min(MAX_ROWS);
        taken.extend((0..count).map(|n| form.get(&format!("{list}[{n}].key")).to_string()));
    }

    let mut items = Vec::new();
    for (k, &n) in item_rows.iter().enumerate() {
        let f = |k: &str| format!("items[{n}].{k}");
        if item_keys[k].is_empty() {
            item_keys[k] = free_key("item", &mut taken);
        }
        let name = form.required(&f("name"), t("as.item"), errs);
        let kind = form.choice(&f("kind"), t("as.item_kind"), ItemKind::from_code, errs);
        let weight = form.number::<f64>(&f("weight"), t("as.weight"), errs);
        let source = form.choice(&f("source"), t("as.source"), Source::from_code, errs);
        let method = form.choice(&f("method"), t("as.rule"), MethodKind::from_code, errs);
        let figure = match method.map(|m| (m, m.figure_label(lang))) {
            Some((_, None)) => Some(0.0),
            Some((_, Some(label))) => form.number::<f64>(&f("figure"), label, errs),
            None => None,
        };
        let min_count = form.optional_number::<u32>(&f("min_count"), t("as.min_count"), errs);
        if let (Some(kind), Some(weight), Some(source), Some(method), Some(figure), Some(min)) =
            (kind, weight, source, method, figure, min_count)
        {
            items.push(Item {
                key: item_keys[k].clone(),
                name,
                kind,
                weight,
                source,
                method: Method::of(method, figure),
                min_count: min.unwrap_or(0),
            });
        }
    }
    let mut vetoes = Vec::new();
    for (k, &n) in veto_rows.iter().enumerate() {
        let f = |k: &str| format!("vetoes[{n}].{k}");
        if veto_keys[k].is_empty() {
            veto_keys[k] = free_key("veto", &mut taken);
        }
        let name = form.required(&f("name"), t("as.veto"), errs);
        let source = form.choice(&f("source"), t("as.source"), Source::from_code, errs);
        let at_least = form.number::<f64>(&f("at_least"), t("as.veto_at"), errs);
        if let (Some(source), Some(at_least)) = (source, at_least) {
            vetoes.push(Veto {
                key: veto_keys[k].clone(),
                name,
                source,
                at_least,
            });
        }
    }
    let (Some(year), Some(cadence), Some(base), Some(bonus_cap), Some(deduction_cap)) =
        (year, cadence, base, bonus_cap, deduction_cap)
    else {
        return None;
    };
    if !errs.is_empty() {
        return None;
    }
    let scheme = Scheme {
        year,
        name,
        cadence,
        classes,
        sub_class,
        members: split_list(form.get("members")),
        base: base.unwrap_or(0.0),
        items,
        vetoes,
        bonus_cap,
        deduction_cap,
        rescale_missing: form.get("rescale_missing") == "1",
    };
    match scheme.validate() {
        Ok(()) => Some(scheme),
        Err(e) => {
            errs.add(&form_field(&e, &item_rows, &veto_rows), e.message);
            None
        }
    }
}

/// The box a `SchemeError` is about: `items[k].…` names the k-th item kept, which is form row
/// `item_rows[k]`; a method's figure is the row's one figure box; a field the form has no box
/// for ("items": no scored item) is said above the form.
fn form_field(e: &SchemeError, item_rows: &[usize], veto_rows: &[usize]) -> String {
    for (list, rows) in [("items", item_rows), ("vetoes", veto_rows)] {
        let Some(rest) = e.field.strip_prefix(&format!("{list}[")) else {
            continue;
        };
        let Some((k, field)) = rest.split_once("].") else {
            break;
        };
        let Some(&n) = k.parse::<usize>().ok().and_then(|k| rows.get(k)) else {
            break;
        };
        let field = if field.starts_with("method.") {
            "figure"
        } else {
            field
        };
        return format!("{list}[{n}].{field}");
    }
    match e.field.as_str() {
        f @ ("year" | "name" | "classes" | "sub_class" | "members" | "base" | "bonus_cap"
        | "deduction_cap") => f.to_string(),
        _ => String::new(),
    }
}

async fn new_form(auth: Office, Query(q): Query<YearQuery>) -> PageResult {
    let start = Scheme::bulletin_default(q.year(), "", Vec::new());
    let blank = FieldErrors::new(auth.ctx.lang);
    let action = "/assessment/schemes/new".to_string();
    Ok(render(&page(&auth, action, None, fields_of(&start), blank)))
}

async fn edit_form(State(state): State<AppState>, auth: Office, Path(id): Path<i64>) -> PageResult {
    let version = state.store.assessment_scheme(id).await?;
    let scheme = version.scheme()?;
    let blank = FieldErrors::new(auth.ctx.lang);
    let action = format!("/assessment/schemes/{id}/edit");
    let editing = Some((version.name, version.version));
    Ok(render(&page(
        &auth,
        action,
        editing,
        fields_of(&scheme),
        blank,
    )))
}

async fn save_new(State(state): State<AppState>, auth: Office, form: Fields) -> PageResult {
    save(&state, &auth, "/assessment/schemes/new".into(), None, form).await
}

async fn save_edit(
    State(state): State<AppState>,
    auth: Office,
    Path(id): Path<i64>,
    form: Fields,
) -> PageResult {
    let version = state.store.assessment_scheme(id).await?;
    let editing = Some((version.name, version.version));
    save(
        &state,
        &auth,
        format!("/assessment/schemes/{id}/edit"),
        editing,
        form,
    )
    .await
}

/// Saves the scheme the form describes as a new version and goes back to the year's schemes;
/// otherwise the form again, 400, with what was typed and each message beside its box.
async fn save(
    state: &AppState,
    auth: &Auth,
    action: String,
    editing: Option<(String, i64)>,
    form: Fields,
) -> PageResult {
    let mut errors = FieldErrors::new(auth.ctx.lang);
    // The year as `read` will read it (its error, if any, is said there).
    let scratch = &mut FieldErrors::new(auth.ctx.lang);
    let year = form.number::<i32>("year", "", scratch).unwrap_or(0);
    let used = state.store.assessment_keys_used(year).await?;
    if let Some(scheme) = read(&form, &used, &mut errors) {
        let saved = state
            .store
            .save_assessment_scheme(&auth.actor(), &scheme)
            .await;
        // "name: …" (a name the other cadence already uses) is said beside the name.
        if errors.unless_refused(saved, &[("name", "name")])?.is_some() {
            let to = format!("/assessment/schemes?year={}&saved=1", scheme.year);
            return Ok(Redirect::to(&to).into_response());
        }
    }
    Ok(invalid(&page(auth, action, editing, form, errors)))
}
