//! 修改权重与基准值: the numbers of a year's 亩均评价 scheme the office changes most — each
//! indicator's weight, benchmark (or the group's average), cap and what a firm without the data
//! scores, and the classes' bounds — on a form, each box with its error beside it. Saving writes
//! them into the year's configuration text key by key (`qx_app::scheme_numbers`: comments and
//! every other rule kept) and saves it as a new version through the one save the text box uses
//! (`evaluation::save_config`). A form read from a version another save has since replaced is
//! refused, with what was typed kept, instead of overwriting that save.

use super::{FIRST_DATA_YEAR, PageResult};
use crate::AppState;
use crate::auth::{Auth, Office};
use crate::form::{FieldErrors, Fields, Query, invalid};
use crate::i18n;
use crate::pages::{PageCtx, render};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;
use qx_app::AppError;
use qx_app::evaluation as ev;
use qx_app::scheme_numbers::{ClassBound, ItemNumbers, Numbers, numbers_of, with_numbers};
use qx_core::label::Labelled;
use serde::Deserialize;

pub(super) fn routes() -> Router<AppState> {
    Router::new().route(
        "/enterprises/scheme/numbers",
        get(form_page).post(form_save),
    )
}

#[derive(Deserialize)]
struct YearQuery {
    year: Option<i64>,
}

/// An indicator's row: what the form shows but does not edit.
pub struct Row {
    n: usize,
    label: String,
    scale: &'static str,
}

#[derive(Template)]
#[template(path = "enterprises/scheme_numbers.html")]
struct FormPage {
    ctx: PageCtx,
    year: i64,
    rows: Vec<Row>,
    /// The classes (name) whose bound the form edits: all but the last, which takes the rest.
    classes: Vec<(usize, String)>,
    last_class: String,
    values: Fields,
    errors: FieldErrors,
}

impl FormPage {
    fn cell(&self, list: &str, n: &usize, field: &str) -> &str {
        self.values.get(&format!("{list}[{n}].{field}"))
    }

    fn cell_error(&self, list: &str, n: &usize, field: &str) -> Option<&str> {
        self.errors.get(&format!("{list}[{n}].{field}"))
    }
}

/// A number as the form shows it, exactly as stored (`30`, `24.097`, `12.3456789`), so a box
/// left alone reads back as the same number and the save leaves its key untouched.
fn shown(x: f64) -> String {
    x.to_string()
}

/// A class bound as a percentage: `0.2` → `20`, without the binary noise of `0.2 × 100`.
fn shown_pct(share: f64) -> String {
    shown((share * 100.0 * 1e9).round() / 1e9)
}

/// The form's fields for the stored numbers of a version (`based_on`: its number, 0 for the
/// built-in default).
fn fields_of(year: i64, based_on: i64, n: &Numbers) -> Fields {
    let mut f = vec![
        ("year".to_string(), year.to_string()),
        ("based_on".to_string(), based_on.to_string()),
    ];
    for (k, i) in n.items.iter().enumerate() {
        let mut cell = |field: &str, v: String| f.push((format!("items[{k}].{field}"), v));
        cell("weight", shown(i.weight));
        cell("benchmark", i.benchmark.map(shown).unwrap_or_default());
        if i.benchmark.is_none() {
            cell("group_average", "1".into());
        }
        cell("cap", i.cap.map(shown).unwrap_or_default());
        cell(
            "missing",
            if i.missing_zero { "zero" } else { "group_mean" }.into(),
        );
    }
    for (k, c) in n.classes.iter().enumerate() {
        if let Some(p) = c.max_pct {
            f.push((format!("classes[{k}].max_pct"), shown_pct(p)));
        }
    }
    Fields::new(f)
}

fn page(auth: &Auth, year: i64, stored: &Numbers, values: Fields, errors: FieldErrors) -> FormPage {
    let lang = auth.ctx.lang;
    let bounded = stored.classes.len().saturating_sub(1);
    FormPage {
        ctx: PageCtx::signed_in(auth),
        year,
        rows: stored
            .items
            .iter()
            .enumerate()
            .map(|(n, i)| Row {
                n,
                label: i.label.clone(),
                scale: i
                    .scale
                    .map_or_else(|| i18n::t(lang, "ent.num_scale_all"), |s| s.label(lang)),
            })
            .collect(),
        classes: stored.classes[..bounded]
            .iter()
            .enumerate()
            .map(|(n, c)| (n, c.name.clone()))
            .collect(),
        last_class: stored
            .classes
            .last()
            .map(|c| c.name.clone())
            .unwrap_or_default(),
        values,
        errors,
    }
}

/// The year's text, its version number (0: the built-in default) and its numbers.
async fn stored(state: &AppState, year: i64) -> Result<(String, i64, Numbers), crate::WebError> {
    let (text, version) = ev::config_for_year(&state.store, year).await?;
    let numbers = numbers_of(&text).map_err(AppError::Rows)?;
    Ok((text, version.map_or(0, |v| v.version), numbers))
}

async fn form_page(
    State(state): State<AppState>,
    auth: Office,
    Query(q): Query<YearQuery>,
) -> PageResult {
    let year = q.year.unwrap_or(FIRST_DATA_YEAR);
    let (_, based_on, numbers) = stored(&state, year).await?;
    let values = fields_of(year, based_on, &numbers);
    let blank = FieldErrors::new(auth.ctx.lang);
    Ok(render(&page(&auth, year, &numbers, values, blank)))
}

/// The numbers the form describes, each box read by the forms' one number rule; `None` with
/// every message beside its box.
fn read(form: &Fields, stored: &Numbers, errs: &mut FieldErrors) -> Option<Numbers> {
    let lang = errs.lang();
    let t = |k: &'static str| i18n::t(lang, k);
    let positive = |name: &str, label: &str, x: Option<f64>, errs: &mut FieldErrors| {
        x.filter(|&x| {
            let ok = x > 0.0;
            if !ok {
                errs.add(name, format!("{label}: {}", t("ent.num_positive")));
            }
            ok
        })
    };
    let mut items = Vec::new();
    for (n, was) in stored.items.iter().enumerate() {
        let f = |k: &str| format!("items[{n}].{k}");
        let weight = form.number::<f64>(&f("weight"), t("ent.sum_weight"), errs);
        let weight = positive(&f("weight"), t("ent.sum_weight"), weight, errs);
        let group_average = form.get(&f("group_average")) == "1";
        let benchmark = if group_average {
            Some(None)
        } else {
            let b = form.number::<f64>(&f("benchmark"), t("ent.sum_benchmark"), errs);
            positive(&f("benchmark"), t("ent.sum_benchmark"), b, errs).map(Some)
        };
        let cap = match form.optional_number::<f64>(&f("cap"), t("ent.sum_cap_col"), errs) {
            Some(Some(c)) => positive(&f("cap"), t("ent.sum_cap_col"), Some(c), errs).map(Some),
            other => other,
        };
        if let (Some(weight), Some(benchmark), Some(cap)) = (weight, benchmark, cap) {
            items.push(ItemNumbers {
                weight,
                benchmark,
                cap,
                missing_zero: form.get(&f("missing")) == "zero",
                ..was.clone()
            });
        }
    }
    let last = stored.classes.len().saturating_sub(1);
    let mut classes = Vec::new();
    for (n, was) in stored.classes.iter().enumerate() {
        if n == last {
            classes.push(was.clone());
            continue;
        }
        let name = format!("classes[{n}].max_pct");
        let label = format!("{} {}", was.name, t("ent.num_bound"));
        let pct = form.number::<f64>(&name, &label, errs).filter(|&p| {
            let ok = p > 0.0 && p <= 100.0;
            if !ok {
                errs.add(&name, format!("{label}: {}", t("ent.num_pct_range")));
            }
            ok
        });
        if let Some(p) = pct {
            classes.push(ClassBound {
                max_pct: Some(p / 100.0),
                ..was.clone()
            });
        }
    }
    errs.is_empty().then_some(Numbers { items, classes })
}

/// The box a problem of the rules is about, and what it says: the engine names a value by its
/// place in the text (`classes[1].max_pct: …`, `items[2].cap_multiple: …`), which is the
/// form's row; a problem about anything the form does not show is said above it.
fn beside(problem: &str, stored: &Numbers) -> Option<(String, String)> {
    let (at, rest) = problem.split_once(": ")?;
    let (list, rest_at) = at.split_once('[')?;
    let (n, field) = rest_at.split_once("].")?;
    let n: usize = n.parse().ok()?;
    let field = match (list, field) {
        ("items", "weight" | "benchmark" | "cap" | "missing") if n < stored.items.len() => field,
        ("items", "cap_multiple") if n < stored.items.len() => "cap",
        ("classes", "max_pct") if n + 1 < stored.classes.len() => field,
        _ => return None,
    };
    Some((format!("{list}[{n}].{field}"), rest.to_string()))
}

async fn form_save(State(state): State<AppState>, auth: Office, form: Fields) -> PageResult {
    let lang = auth.ctx.lang;
    let mut errors = FieldErrors::new(lang);
    let year: i64 = form.hidden("year", lang, |y| qx_core::text::halfwidth(y).parse().ok())?;
    let (text, version, numbers) = stored(&state, year).await?;
    if form.get("based_on") != version.to_string() {
        errors.add_general(i18n::t(lang, "ent.num_stale").replace("{v}", &version.to_string()));
    } else if let Some(typed) = read(&form, &numbers, &mut errors) {
        let saved = match with_numbers(&text, &typed) {
            Ok(new_text) => {
                let note = form.get("note").trim();
                let note = if note.is_empty() {
                    i18n::t(lang, "ent.num_note")
                } else {
                    note
                };
                ev::save_config(&state.store, &auth.actor(), year, &new_text, note)
                    .await
                    .map(drop)
            }
            Err(problems) => Err(AppError::Rows(problems)),
        };
        match saved {
            Ok(()) => {
                let to = format!("/enterprises/scheme?year={year}&saved=1");
                return Ok(Redirect::to(&to).into_response());
            }
            Err(AppError::Rows(problems)) => {
                for p in i18n::localised(problems, lang) {
                    match beside(&p, &numbers) {
                        Some((field, rest)) => errors.add(&field, rest),
                        None => errors.add_general(p),
                    }
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(invalid(&page(&auth, year, &numbers, form, errors)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;
    use qx_core::scale::Scale;

    /// A form left as the page filled it reads back as the numbers it was filled from, to the
    /// last digit: saving it changes nothing.
    #[test]
    fn an_untouched_form_reads_back_the_stored_numbers() {
        let item = |weight: f64, benchmark: Option<f64>, cap: Option<f64>| ItemNumbers {
            label: "亩均税收".into(),
            scale: Some(Scale::Above),
            weight,
            benchmark,
            cap,
            missing_zero: false,
        };
        let stored = Numbers {
            items: vec![
                item(12.3456789, Some(0.030245678), None),
                item(30.0, None, Some(0.1 * 3.0)),
            ],
            classes: vec![
                ClassBound {
                    name: "A".into(),
                    max_pct: Some(0.2),
                },
                ClassBound {
                    name: "B".into(),
                    max_pct: Some(0.15 + 0.45),
                },
                ClassBound {
                    name: "C".into(),
                    max_pct: None,
                },
            ],
        };
        let form = fields_of(2016, 0, &stored);
        assert_eq!(form.get("items[0].weight"), "12.3456789");
        assert_eq!(form.get("classes[1].max_pct"), "60");
        let mut errs = FieldErrors::new(Lang::Zh);
        let read = read(&form, &stored, &mut errs).expect("reads");
        assert_eq!(read.items, stored.items);
        assert_eq!(read.classes[0], stored.classes[0]);
        assert_eq!(read.classes[2], stored.classes[2]);
        // 0.15 + 0.45 is 0.6000000000000001: shown as 60 and read back as 0.6.
        assert_eq!(read.classes[1].max_pct, Some(0.6));
    }
}
