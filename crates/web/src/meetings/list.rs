//! The meetings list: every meeting the reader may open, the office's schedule form (the date
//! suggested by the rhythm) and the rhythm settings.

use super::*;
use qx_store::meetings::{MeetingSettings, NewMeeting};

pub(super) struct Row {
    id: i64,
    held_on: String,
    title: String,
    kind: &'static str,
    status: &'static str,
    units: String,
}

#[derive(Template)]
#[template(path = "meetings/list.html")]
pub(super) struct ListPage {
    ctx: PageCtx,
    rows: Vec<Row>,
    is_admin: bool,
    kinds: Vec<(&'static str, &'static str)>,
    units: Vec<(i64, String)>,
    suggested: String,
    settings: MeetingSettings,
    failed: Option<Failed>,
}

impl FormState for ListPage {
    fn failed(&self) -> Option<&Failed> {
        self.failed.as_ref()
    }
}

async fn view(state: &AppState, auth: &Auth, failed: Option<Failed>) -> Result<ListPage, WebError> {
    let actor = auth.actor();
    let lang = auth.ctx.lang;
    let meetings = state.store.list_meetings(&actor).await?;
    let settings = state.store.meeting_settings().await?;
    let calendar = state.store.work_calendar().await?;
    let last = meetings
        .iter()
        .filter_map(|m| qx_core::time::parse_date(&m.held_on))
        .max();
    let suggested =
        qx_core::meeting::next_meeting_date(last, today(), settings.per_month, &calendar);
    Ok(ListPage {
        ctx: PageCtx::signed_in(auth),
        rows: meetings
            .into_iter()
            .map(|m| Row {
                id: m.id,
                held_on: m.held_on,
                title: m.title,
                kind: m.kind.label(lang),
                status: m.status.label(lang),
                units: m
                    .units
                    .into_iter()
                    .map(|(_, n)| n)
                    .collect::<Vec<_>>()
                    .join("、"),
            })
            .collect(),
        is_admin: actor.is_admin(),
        kinds: options(MeetingKind::ALL, MeetingKind::as_str, lang),
        units: if actor.is_admin() {
            unit_choices(&state.store).await?
        } else {
            Vec::new()
        },
        suggested: format_date(suggested),
        settings,
        failed,
    })
}

pub(super) async fn page(
    State(state): State<AppState>,
    auth: County,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    let mut page = view(&state, &auth, None).await?;
    page.ctx.flash = crate::pages::flash_from(&q, auth.ctx.lang);
    Ok(render(&page))
}

pub(super) async fn create(State(state): State<AppState>, auth: Office, f: Fields) -> PageResult {
    let lang = auth.ctx.lang;
    let mut errors = FieldErrors::new(lang);
    let kind = f.choice(
        "kind",
        t(lang, "mt.kind"),
        MeetingKind::from_code,
        &mut errors,
    );
    let title = f.required("title", t(lang, "mt.name"), &mut errors);
    let held_on = f.date("held_on", t(lang, "mt.held_on"), &mut errors);
    let mut unit_ids = Vec::new();
    for v in f.all("units") {
        match v.parse::<i64>() {
            Ok(id) => unit_ids.push(id),
            Err(_) => errors.add("units", format!("{}: \"{v}\"", t(lang, "mt.units"))),
        }
    }
    if let (Some(kind), Some(held_on), true) = (kind, held_on, errors.is_empty()) {
        let m = NewMeeting {
            kind,
            title,
            held_on,
            place: f.get("place").to_string(),
            convenor: f.get("convenor").to_string(),
            unit_ids,
        };
        match state.store.create_meeting(&auth.actor(), &m).await {
            Ok(id) => return Ok(Redirect::to(&saved_url(id)).into_response()),
            Err(e) => errors.absorb(
                e.into(),
                &[
                    ("title", "会议名称"),
                    ("place", "会议地点"),
                    ("convenor", "召集人"),
                ],
            )?,
        }
    }
    refused(view(
        &state,
        &auth,
        Some(Failed::new("schedule", None, f, errors)),
    ))
    .await
}

pub(super) async fn save_settings(
    State(state): State<AppState>,
    auth: Office,
    f: Fields,
) -> PageResult {
    let lang = auth.ctx.lang;
    let mut errors = FieldErrors::new(lang);
    let per_month = f.number::<u32>("per_month", t(lang, "mt.per_month"), &mut errors);
    let near_days = f.number::<u32>("near_days", t(lang, "mt.near_days"), &mut errors);
    let feedback_days = f.number::<u32>("feedback_days", t(lang, "mt.feedback_days"), &mut errors);
    let statement_days =
        f.number::<u32>("statement_days", t(lang, "mt.statement_days"), &mut errors);
    if let (Some(per_month), Some(near_days), Some(feedback_days), Some(statement_days)) =
        (per_month, near_days, feedback_days, statement_days)
    {
        let s = MeetingSettings {
            per_month,
            near_days,
            feedback_days,
            statement_days,
        };
        match state.store.save_meeting_settings(&auth.actor(), s).await {
            Ok(()) => return Ok(Redirect::to("/meetings?saved=1").into_response()),
            Err(e) => errors.absorb(
                e.into(),
                &[
                    ("per_month", "每月例会次数"),
                    ("near_days", "临近期限天数"),
                    ("feedback_days", "反馈期限天数"),
                    ("statement_days", "情况说明提前天数"),
                ],
            )?,
        }
    }
    refused(view(
        &state,
        &auth,
        Some(Failed::new("settings", None, f, errors)),
    ))
    .await
}
