//! The office's reporting periods: opening one, who has reported, reminders, review.

use super::report::{back_to_report, report_url, status_label};
use super::*;
use crate::form::{FieldErrors, Fields};
use qx_core::time::format_date;

#[derive(Template)]
#[template(path = "monitor/periods.html")]
struct PeriodsPage {
    ctx: PageCtx,
    plan: Option<Plan>,
    periods: Vec<(i64, String, qx_core::time::Date, &'static str, usize, usize)>,
    is_admin: bool,
    /// Whether the plan's year has a period left to open.
    can_open: bool,
    /// The open form: the next period and its default due date, or what was typed.
    values: Fields,
    errors: FieldErrors,
}

pub(super) async fn periods(
    State(state): State<AppState>,
    auth: CountyReader,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    let page = periods_page(&state, &auth, &q, None).await?;
    respond(StatusCode::OK, &page)
}

/// The periods of the chosen plan; the open form holds `typed` (what was sent, with its
/// errors) or else proposes the next period and its default due date.
async fn periods_page(
    state: &AppState,
    auth: &Auth,
    q: &HashMap<String, String>,
    typed: Option<(Fields, FieldErrors)>,
) -> Result<PeriodsPage, WebError> {
    let actor = auth.actor();
    let plan = chosen_plan(state, &actor, q).await?;
    let mut rows = Vec::new();
    let mut next_period = String::new();
    if let Some(plan) = &plan {
        let list = state.store.list_periods(&actor, plan.id).await?;
        for p in &list {
            let progress = state.store.period_progress(&actor, p.id).await?;
            let done = progress
                .iter()
                .filter(|u| {
                    u.submission
                        .as_ref()
                        .is_some_and(|s| s.status.is_reported())
                })
                .count();
            rows.push((
                p.id,
                p.period.clone(),
                p.due_on,
                p.status.label(auth.ctx.lang),
                done,
                progress.len(),
            ));
        }
        next_period = match list
            .last()
            .and_then(|p| p.period.parse::<Period>().ok())
            .and_then(|p| p.next())
        {
            Some(n) if i64::from(n.year()) == plan.year => n.to_string(),
            Some(_) => String::new(),
            None => format!("{}-01", plan.year),
        };
    }
    let can_open = !next_period.is_empty();
    let (values, errors) = match typed {
        Some(typed) => typed,
        None => {
            // Default due date: the 5th working day of the following month, from the calendar.
            let next_due = match next_period.parse::<Period>() {
                Ok(p) => default_due(state, &p).await?,
                Err(_) => String::new(),
            };
            let mut values = Fields::default();
            values.set("period", next_period);
            values.set("due_on", next_due);
            (values, FieldErrors::new(auth.ctx.lang))
        }
    };
    Ok(PeriodsPage {
        ctx: PageCtx::signed_in(auth),
        plan,
        periods: rows,
        is_admin: actor.is_admin(),
        can_open,
        values,
        errors,
    })
}

/// The 5th working day after a month ends, on the county's calendar.
pub async fn default_due(state: &AppState, period: &Period) -> Result<String, WebError> {
    let cal = state.store.work_calendar().await?;
    let start = period.last_day();
    Ok(cal
        .add_working_days(start, 5)
        .map(|d| d.to_string())
        .unwrap_or_else(|| start.to_string()))
}

/// Opens a reporting period. A period or due date that cannot be read, or a refusal from the
/// store (the period is open already, outside the plan's year), comes back on the form beside
/// its field with what was typed.
pub(super) async fn open_period(
    State(state): State<AppState>,
    auth: Office,
    form: Fields,
) -> PageResult {
    let lang = auth.ctx.lang;
    let t = |k: &'static str| crate::i18n::t(lang, k);
    let mut errors = FieldErrors::new(lang);
    let plan_id = form.number::<i64>("plan_id", t("plan.list"), &mut errors);
    let period = match form.get("period") {
        "" => {
            errors.required("period", t("mon.period"));
            None
        }
        typed => qx_core::text::halfwidth(typed)
            .parse::<Period>()
            .map_err(|e| errors.add("period", format!("{}: {e}", t("mon.period"))))
            .ok(),
    };
    let due = form.date("due_on", t("mon.due"), &mut errors);
    if let (Some(plan_id), Some(period), Some(due)) = (plan_id, period, due) {
        let opened = state
            .store
            .open_period(&auth.actor(), plan_id, &period, &format_date(due))
            .await;
        match opened {
            Ok(id) => return Ok(Redirect::to(&format!("/monitor/periods/{id}")).into_response()),
            Err(e) => errors.absorb(
                e.into(),
                &[("period", t("mon.period")), ("due_on", t("mon.due"))],
            )?,
        }
    }
    let q: HashMap<String, String> = plan_id
        .map(|id| ("plan".to_string(), id.to_string()))
        .into_iter()
        .collect();
    let page = periods_page(&state, &auth, &q, Some((form, errors))).await?;
    respond(StatusCode::BAD_REQUEST, &page)
}

pub struct ProgressLine {
    unit_id: i64,
    unit_name: String,
    indicators: i64,
    tasks: i64,
    status_label: &'static str,
    /// Submitted and waiting for the office's review.
    reviewable: bool,
    reported: bool,
    submission_id: i64,
    submitted_at: String,
    late: bool,
    /// The report's indicators marked 本月无数据: (indicator, "本月无数据：<reason>").
    no_figures: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "monitor/period.html")]
struct PeriodPage {
    ctx: PageCtx,
    period_id: i64,
    period: String,
    due_on: String,
    plan_id: i64,
    lines: Vec<ProgressLine>,
    missing: usize,
    is_admin: bool,
    /// i18n key of a message after an action ("" for none).
    flash: &'static str,
    /// Reports a batch approval could not approve, each with why.
    problems: Vec<String>,
    /// Submitted reports waiting for review (the batch approval needs one).
    reviewable: usize,
}

pub(super) async fn period(
    State(state): State<AppState>,
    auth: CountyReader,
    Path(id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    let flash = if q.contains_key("reminded") {
        "mon.reminded"
    } else if q.contains_key("approved") {
        "mon.batch.done"
    } else {
        ""
    };
    period_page(&state, &auth, id, flash, Vec::new()).await
}

/// The office's page of a period, with a `flash` after an action and the `problems` of a
/// batch review that did not all go through.
async fn period_page(
    state: &AppState,
    auth: &Auth,
    id: i64,
    flash: &'static str,
    problems: Vec<String>,
) -> PageResult {
    let actor = auth.actor();
    let p = state.store.get_period(&actor, id).await?;
    let names = state.store.unit_names().await?;
    // Late once the due day has ended in China.
    let due = qx_core::time::end_of_day(p.due_on);
    let now = qx_core::time::now();
    let mut no_figures: HashMap<i64, Vec<(String, String)>> = HashMap::new();
    for m in state.store.period_no_figures(&actor, id).await? {
        no_figures.entry(m.unit_id).or_default().push((
            m.indicator,
            super::no_figure::mark_text(auth.ctx.lang, &m.reason),
        ));
    }
    let lines: Vec<ProgressLine> = state
        .store
        .period_progress(&actor, id)
        .await?
        .into_iter()
        .map(|u| {
            let s = u.submission.as_ref();
            let submitted_at = s.and_then(|s| s.submitted_at);
            ProgressLine {
                no_figures: no_figures.remove(&u.unit_id).unwrap_or_default(),
                unit_name: names.get(&u.unit_id).cloned().unwrap_or_default(),
                unit_id: u.unit_id,
                indicators: u.indicators,
                tasks: u.tasks,
                status_label: status_label(auth.ctx.lang, s.map(|s| s.status)),
                reviewable: s.is_some_and(|s| s.status == SubmissionStatus::Submitted),
                reported: s.is_some_and(|s| s.status.is_reported()),
                submission_id: s.map_or(0, |s| s.id),
                submitted_at: submitted_at.map(format_datetime).unwrap_or_default(),
                late: match submitted_at {
                    Some(at) => at > due,
                    None => now > due,
                },
            }
        })
        .collect();
    let missing = lines.iter().filter(|l| !l.reported).count();
    let reviewable = lines.iter().filter(|l| l.reviewable).count();
    let status = form_status(&problems);
    let page = PeriodPage {
        ctx: PageCtx::signed_in(auth),
        period_id: id,
        period: p.period,
        due_on: qx_core::time::format_date(p.due_on),
        plan_id: p.plan_id,
        lines,
        missing,
        is_admin: actor.is_admin(),
        flash,
        problems,
        reviewable,
    };
    respond(status, &page)
}

pub(super) async fn remind(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> PageResult {
    let actor = auth.actor();
    let units = state.store.remind_unreported(&actor, id).await?;
    // Each reminder is a notice, and each notice's webhook deliveries were written with it.
    if !units.is_empty() {
        crate::webhook::dispatch(state.store.clone());
    }
    Ok(Redirect::to(&format!("/monitor/periods/{id}?reminded=1")).into_response())
}

#[derive(serde::Deserialize)]
pub(super) struct ReviewForm {
    decision: String,
    #[serde(default)]
    comment: String,
    period_id: i64,
    /// `report` when reviewed from the report's own page, which the office returns to.
    #[serde(default)]
    back: String,
}

pub(super) async fn review(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Form(f): Form<ReviewForm>,
) -> PageResult {
    let actor = auth.actor();
    let approve = f.decision == SubmissionStep::Approve.as_str();
    let reviewed = state
        .store
        .review_submission(&actor, id, approve, &f.comment)
        .await;
    if f.back != "report" {
        reviewed?;
        return Ok(Redirect::to(&format!("/monitor/periods/{}", f.period_id)).into_response());
    }
    // From the report's own page: back to it, a problem (a return without a reason) shown there.
    let s = state.store.get_submission(&actor, id).await?;
    let q = HashMap::from([("unit".to_string(), s.unit_id.to_string())]);
    let done = reviewed.map(|()| "reviewed=1");
    back_to_report(&state, &auth, s.period_id, &q, s.unit_id, done, None).await
}

/// A submission's own page (where the office's notice leads): the unit's report, with the
/// review form while it waits.
pub(super) async fn open_submission(
    State(state): State<AppState>,
    auth: CountyReader,
    Path(id): Path<i64>,
) -> PageResult {
    let actor = auth.actor();
    let s = state.store.get_submission(&actor, id).await?;
    let url = report_url(&actor, s.period_id, s.unit_id, "");
    Ok(Redirect::to(&format!("{url}#review")).into_response())
}

/// 批量审核: the office approves several submitted reports of a period in one action (returns
/// need a reason each, so a batch only approves). Each approval is its own audited review; one
/// that cannot go through (already reviewed, the office's own submission) is listed, the others
/// stand.
/// The office's own submission is refused as forbidden (no one approves their own); in a batch,
/// which only the office may send, that is one row's problem like a report that moved on.
fn own_submission_is_a_row_problem(e: qx_store::StoreError) -> WebError {
    match WebError::from(e) {
        WebError::Forbidden(m) => WebError::BadRequest(m),
        other => other,
    }
}

pub(super) async fn approve_batch(
    State(state): State<AppState>,
    auth: Office,
    Path(id): Path<i64>,
    Form(form): Form<Vec<(String, String)>>,
) -> PageResult {
    let actor = auth.actor();
    let chosen: Vec<i64> = form
        .iter()
        .filter(|(k, _)| k == "s")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    if chosen.is_empty() {
        let msg = crate::i18n::t(auth.ctx.lang, "mon.batch.none").to_string();
        return period_page(&state, &auth, id, "", vec![msg]).await;
    }
    let names = state.store.unit_names().await?;
    let mut problems = Vec::new();
    for sid in chosen {
        let s = match state.store.get_submission(&actor, sid).await {
            Ok(s) if s.period_id == id => s,
            Ok(_) | Err(qx_store::StoreError::NotFound(_)) => {
                problems.push(format!(
                    "报送 {sid}: {}",
                    crate::i18n::t(auth.ctx.lang, "mon.batch.gone")
                ));
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        let reviewed = state
            .store
            .review_submission(&actor, sid, true, "")
            .await
            .map_err(own_submission_is_a_row_problem);
        let mut refused = FieldErrors::new(auth.ctx.lang);
        if refused.unless_refused(reviewed, &[])?.is_none() {
            let unit = names.get(&s.unit_id).cloned().unwrap_or_default();
            problems.extend(refused.messages().iter().map(|m| format!("{unit}: {m}")));
        }
    }
    if problems.is_empty() {
        Ok(Redirect::to(&format!("/monitor/periods/{id}?approved=1")).into_response())
    } else {
        period_page(&state, &auth, id, "", problems).await
    }
}
