//! The 例会 agenda assembles itself from what is stuck: the store's proposals (problems escalated
//! to the meeting, projects with an alert or a red light, 督办 items not yet 销号) and, from the monitoring picture of the current plan
//! at its latest period, indicators in red and overdue tasks, each with its facts and its
//! responsible unit. Items already on the meeting's agenda are left out. Also what the meeting
//! documents (`qx_report::meeting`) are made of, and 印发纪要.

use crate::AppError;
use crate::monitoring::PictureCache;
use qx_core::access::Actor;
use qx_core::label::{Labelled, Lang};
use qx_core::meeting::{AgendaSource, MeetingStep};
use qx_core::monitor::{Light, TaskState};
use qx_report::meeting::{AgendaLine, DecisionLine, MeetingDoc};
use qx_store::Store;
use qx_store::meetings::{AGENDA_CAP, Meeting, NewAgendaItem, Proposal, Proposals};
use std::collections::{HashMap, HashSet};

/// What the agenda of `meeting_id` could take, in the order the office reads it: escalated
/// problems, stuck projects, red indicators, overdue tasks, open 督办 items; the most urgent
/// [`AGENDA_CAP`] of each kind not already on the agenda, the rest counted. Office and leaders.
pub async fn proposals(
    store: &Store,
    pictures: &PictureCache,
    actor: &Actor,
    meeting_id: i64,
) -> Result<Proposals, AppError> {
    let taken: HashSet<(AgendaSource, i64)> = store
        .agenda(actor, meeting_id)
        .await?
        .into_iter()
        .filter_map(|i| i.source_id.map(|id| (i.source_kind, id)))
        .collect();
    let stored = store
        .agenda_candidates(actor, AGENDA_CAP, Some(meeting_id))
        .await?;
    let mut out = Proposals::default();
    let (stuck, open): (Vec<_>, Vec<_>) = stored
        .items
        .into_iter()
        .partition(|p| p.item.source != AgendaSource::Supervision);
    out.items = stuck;
    out.more = stored
        .more
        .iter()
        .copied()
        .filter(|(k, _)| *k != AgendaSource::Supervision)
        .collect();
    if let Some(plan) = crate::workbench::current_plan(store, actor).await? {
        let (period, pic) = pictures.view(store, actor, &plan, None).await?;
        let unit_ids: HashMap<String, i64> = store
            .list_units()
            .await?
            .into_iter()
            .map(|u| (u.name, u.id))
            .collect();
        // Red indicators, furthest behind 序时进度 first.
        let mut red: Vec<_> = pic
            .indicators
            .iter()
            .filter(|s| s.assessment.light == Light::Red)
            .collect();
        red.sort_by(|a, b| {
            let gap = |s: &&crate::monitoring::IndicatorStatus| {
                s.assessment.completion.unwrap_or(0.0) - s.assessment.time_share
            };
            gap(a).total_cmp(&gap(b))
        });
        let total = red.len();
        let found = red
            .into_iter()
            .map(|s| {
                let completion = s
                    .assessment
                    .completion
                    .map(|c| format!("{:.1}%", c * 100.0))
                    .unwrap_or_else(|| "—".into());
                Proposal {
                    item: NewAgendaItem {
                        source: AgendaSource::Indicator,
                        source_id: Some(s.indicator.id),
                        text: format!(
                            "指标「{}」{} 红灯: 完成率 {completion}, 序时进度 {:.1}%",
                            s.indicator.name,
                            period,
                            s.assessment.time_share * 100.0
                        ),
                        unit_id: s.indicator.lead_unit_id,
                    },
                    unit_name: (!s.unit_name.is_empty()).then(|| s.unit_name.clone()),
                }
            })
            .collect();
        out.take(AgendaSource::Indicator, found, total, AGENDA_CAP, &taken);
        // Overdue tasks, the earliest deadline first.
        let mut late: Vec<_> = pic
            .tasks
            .iter()
            .filter(|t| t.state == TaskState::Overdue)
            .collect();
        late.sort_by(|a, b| a.task.deadline.cmp(&b.task.deadline));
        let total = late.len();
        let found = late
            .into_iter()
            .map(|t| {
                let lead = t.lead_units.first();
                Proposal {
                    item: NewAgendaItem {
                        source: AgendaSource::Task,
                        source_id: Some(t.task.id),
                        text: format!(
                            "任务 {} {} 逾期未完成 (时限: {})",
                            t.task.number, t.task.title, t.task.deadline
                        ),
                        unit_id: lead.and_then(|n| unit_ids.get(n).copied()),
                    },
                    unit_name: lead.cloned(),
                }
            })
            .collect();
        out.take(AgendaSource::Task, found, total, AGENDA_CAP, &taken);
    }
    out.items.extend(open);
    out.more.extend(
        stored
            .more
            .into_iter()
            .filter(|(k, _)| *k == AgendaSource::Supervision),
    );
    Ok(out)
}

/// 2017-12-12 → 2017年12月12日.
fn written(iso: &str) -> String {
    match qx_core::time::parse_date(iso) {
        Some(d) => format!("{}年{}月{}日", d.year(), u8::from(d.month()), d.day()),
        None => iso.to_string(),
    }
}

/// A meeting as its documents name it, dated `dated` (ISO).
pub async fn meeting_doc(
    store: &Store,
    actor: &Actor,
    m: &Meeting,
    dated: &str,
) -> Result<MeetingDoc, AppError> {
    // The 纪要's number: its place among the year's meetings of the same kind.
    let year = m.held_on.get(..4).unwrap_or_default();
    let number = store
        .list_meetings(actor)
        .await?
        .iter()
        .filter(|o| o.kind == m.kind && o.held_on.starts_with(year) && o.held_on <= m.held_on)
        .count();
    Ok(MeetingDoc {
        issuer: store.document_header().await?.issuer,
        title: m.title.clone(),
        kind: m.kind.label(Lang::Zh).to_string(),
        held_on: written(&m.held_on),
        dated: written(dated),
        place: m.place.clone(),
        convenor: m.convenor.clone(),
        statement_due: m.statement_due.as_deref().map(written),
        units: m.units.iter().map(|(_, n)| n.clone()).collect(),
        number: u32::try_from(number).unwrap_or(u32::MAX),
    })
}

/// The agenda's lines as the documents read them.
pub async fn agenda_lines(
    store: &Store,
    actor: &Actor,
    id: i64,
) -> Result<Vec<AgendaLine>, AppError> {
    Ok(store
        .agenda(actor, id)
        .await?
        .into_iter()
        .map(|i| AgendaLine {
            source: i.source_kind.label(Lang::Zh).to_string(),
            text: i.text,
            unit: i.unit_name.unwrap_or_default(),
            statement: i.statement,
        })
        .collect())
}

/// The 会议纪要 as it reads from the recorded decisions, dated `dated` (ISO): the office's draft
/// until it is issued, so anyone else is told it is not there.
pub async fn minutes_docx(
    store: &Store,
    actor: &Actor,
    m: &Meeting,
    dated: &str,
) -> Result<Vec<u8>, AppError> {
    if !actor.is_admin() {
        return Err(qx_store::StoreError::NotFound(format!("会议 {} 的纪要", m.id)).into());
    }
    let d = meeting_doc(store, actor, m, dated).await?;
    let texts: HashMap<i64, String> = store
        .agenda(actor, m.id)
        .await?
        .into_iter()
        .map(|i| (i.id, i.text))
        .collect();
    let decisions: Vec<DecisionLine> = store
        .resolutions(actor, m.id)
        .await?
        .into_iter()
        .map(|r| DecisionLine {
            item: r.agenda_item_id.and_then(|a| texts.get(&a).cloned()),
            text: r.text,
            lead_unit: r.lead_unit_name,
            support_units: r.support_units.into_iter().map(|(_, n)| n).collect(),
            deadline: written(&r.deadline),
        })
        .collect();
    qx_report::meeting::minutes_docx(&d, &decisions).map_err(|e| AppError::Invalid(e.to_string()))
}

/// The 纪要 as `actor` may have it: once issued, the file as it was issued; before that the
/// draft made from the decisions as they stand ([`minutes_docx`]), which is the office's alone:
/// to anyone else an unissued 纪要 is not there ("not found"), wherever it is asked for.
pub async fn minutes(
    store: &Store,
    actor: &Actor,
    m: &Meeting,
    dated: &str,
) -> Result<Vec<u8>, AppError> {
    if m.minutes_issued_at.is_some() {
        return Ok(store.issued_minutes(actor, m.id).await?);
    }
    minutes_docx(store, actor, m, dated).await
}

/// 印发纪要 on `dated` (ISO): the 纪要 as it reads now becomes the issued file, kept unchanged.
/// Returns the notices made (for the webhook).
pub async fn issue_minutes(
    store: &Store,
    actor: &Actor,
    id: i64,
    dated: &str,
) -> Result<Vec<i64>, AppError> {
    let m = store.get_meeting(actor, id).await?;
    let bytes = minutes_docx(store, actor, &m, dated).await?;
    let (_, notices) = store
        .meeting_step(actor, id, MeetingStep::IssueMinutes, Some(&bytes))
        .await?;
    Ok(notices)
}
