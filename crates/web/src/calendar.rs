//! The working calendar's page: holidays and make-up working days by year.

use crate::auth::{Auth, Office};
use crate::form::{FieldErrors, Fields, Form, Query, invalid};
use crate::i18n;
use crate::pages::{PageCtx, flash_from, options, render};
use crate::{AppState, WebError};
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use qx_core::calendar::DayKind;
use qx_core::label::Labelled;
use qx_core::time::{format_date, today};
use qx_store::calendar::CalendarDay;
use serde::Deserialize;
use std::collections::HashMap;

type PageResult = Result<Response, WebError>;

#[derive(Template)]
#[template(path = "calendar/year.html")]
struct CalendarPage {
    ctx: PageCtx,
    year: i32,
    years: Vec<i32>,
    days: Vec<DayLine>,
    /// The add form's kinds: code and label.
    kinds: Vec<(&'static str, &'static str)>,
    is_admin: bool,
    /// The add form as typed, when it comes back with errors.
    values: Fields,
    errors: FieldErrors,
}

/// A special day and its kind's label.
struct DayLine {
    day: CalendarDay,
    label: &'static str,
}

pub async fn calendar(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    let lang = auth.ctx.lang;
    let year = q
        .get("year")
        .and_then(|y| y.parse().ok())
        .filter(|y| (2000..=2100).contains(y))
        .unwrap_or_else(|| today().year());
    let mut values = Fields::default();
    values.set("kind", DayKind::Holiday.as_str());
    let page = year_page(&state, &auth, year, values, FieldErrors::new(lang)).await?;
    Ok(render(&CalendarPage {
        ctx: page.ctx.with_flash(flash_from(&q, lang)),
        ..page
    }))
}

/// The page of `year` with the add form holding `values` and `errors`.
async fn year_page(
    state: &AppState,
    auth: &Auth,
    year: i32,
    values: Fields,
    errors: FieldErrors,
) -> Result<CalendarPage, WebError> {
    let this_year = today().year();
    let mut years: Vec<i32> = state
        .store
        .all_calendar_days()
        .await?
        .iter()
        .filter_map(|d| d.day.get(..4).and_then(|y| y.parse().ok()))
        .collect();
    years.extend([this_year, this_year + 1, year]);
    years.sort_unstable();
    years.dedup();
    let lang = auth.ctx.lang;
    Ok(CalendarPage {
        ctx: PageCtx::signed_in(auth),
        year,
        years,
        days: state
            .store
            .calendar_days(year)
            .await?
            .into_iter()
            .map(|day| DayLine {
                label: day.kind.label(lang),
                day,
            })
            .collect(),
        kinds: options(DayKind::ALL, DayKind::as_str, lang),
        is_admin: auth.actor().is_admin(),
        values,
        errors,
    })
}

/// Adds or replaces a special day. A date or kind that cannot be read, or a refusal from the
/// store, comes back on the form beside its field with what was typed.
pub async fn calendar_set(State(state): State<AppState>, auth: Office, form: Fields) -> PageResult {
    let lang = auth.ctx.lang;
    let t = |k: &'static str| i18n::t(lang, k);
    let mut errors = FieldErrors::new(lang);
    let date = form.date("day", t("cal.day"), &mut errors);
    let kind = form.choice("kind", t("cal.kind"), DayKind::from_code, &mut errors);
    if let (Some(date), Some(kind)) = (date, kind) {
        let day = CalendarDay {
            day: format_date(date),
            kind,
            name: form.get("name").to_string(),
            source: form.get("source").to_string(),
        };
        match state.store.set_calendar_day(&auth.actor(), &day).await {
            Ok(()) => {
                let to = format!("/calendar?year={}&saved=1", date.year());
                return Ok(Redirect::to(&to).into_response());
            }
            Err(e) => errors.absorb(
                e.into(),
                &[("name", t("cal.name")), ("source", t("cal.source"))],
            )?,
        }
    }
    let year = date.map_or_else(|| today().year(), |d| d.year());
    Ok(invalid(
        &year_page(&state, &auth, year, form, errors).await?,
    ))
}

#[derive(Deserialize)]
pub struct CalendarDeleteForm {
    day: String,
}

pub async fn calendar_delete(
    State(state): State<AppState>,
    auth: Office,
    Form(form): Form<CalendarDeleteForm>,
) -> PageResult {
    state
        .store
        .delete_calendar_day(&auth.actor(), form.day.trim())
        .await?;
    let year = form.day.get(..4).unwrap_or("");
    Ok(Redirect::to(&format!("/calendar?year={year}&saved=1")).into_response())
}
