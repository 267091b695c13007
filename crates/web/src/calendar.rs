//! The working calendar's page: holidays and make-up working days by year.

use crate::auth::{Auth, Office};
use crate::form::Form;
use crate::form::Query;
use crate::pages::{PageCtx, flash_from, render};
use crate::{AppState, WebError};
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use qx_core::calendar::DayKind;
use qx_core::label::Labelled;
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
}

/// A special day with its kind decoded, and the kind's label.
struct DayLine {
    day: CalendarDay,
    kind: DayKind,
    label: &'static str,
}

pub async fn calendar(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    let this_year = qx_core::time::today().year();
    let year = q
        .get("year")
        .and_then(|y| y.parse().ok())
        .filter(|y| (2000..=2100).contains(y))
        .unwrap_or(this_year);
    let mut years: Vec<i32> = state
        .store
        .all_calendar_days()
        .await?
        .iter()
        .filter_map(|d| d.day.get(..4).and_then(|y| y.parse().ok()))
        .collect();
    years.extend([this_year, this_year + 1]);
    years.sort_unstable();
    years.dedup();
    let lang = auth.ctx.lang;
    let page = CalendarPage {
        ctx: PageCtx::signed_in(&auth).with_flash(flash_from(&q, lang)),
        year,
        years,
        days: state
            .store
            .calendar_days(year)
            .await?
            .into_iter()
            .map(|day| {
                let kind = day.day_kind()?;
                Ok(DayLine {
                    kind,
                    label: kind.label(lang),
                    day,
                })
            })
            .collect::<Result<_, qx_store::StoreError>>()?,
        kinds: DayKind::ALL
            .iter()
            .map(|k| (k.as_str(), k.label(lang)))
            .collect(),
        is_admin: auth.actor().is_admin(),
    };
    Ok(render(&page).into_response())
}

#[derive(Deserialize)]
pub struct CalendarForm {
    day: String,
    kind: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    source: String,
}

pub async fn calendar_set(
    State(state): State<AppState>,
    auth: Office,
    Form(form): Form<CalendarForm>,
) -> PageResult {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let date = time::Date::parse(form.day.trim(), format)
        .map_err(|_| WebError::BadRequest(format!("日期 \"{}\" 格式应为 YYYY-MM-DD", form.day)))?;
    let day = CalendarDay {
        day: form.day.trim().to_string(),
        kind: form.kind,
        name: form.name.trim().to_string(),
        source: form.source.trim().to_string(),
    };
    state.store.set_calendar_day(&auth.actor(), &day).await?;
    Ok(Redirect::to(&format!("/calendar?year={}&saved=1", date.year())).into_response())
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
