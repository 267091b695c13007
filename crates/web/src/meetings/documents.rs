//! A meeting's documents: the 会议通知, the agenda (.docx/.xlsx), the 会议纪要 (a draft from
//! the decisions until issued; 印发纪要 stores the file, which is served unchanged from then on).

use super::*;
use qx_report::meeting::{self as doc, AgendaLine, MeetingDoc};
use qx_store::meetings::Meeting;

const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
fn report_err(e: qx_report::ReportError) -> WebError {
    WebError::Internal(anyhow::anyhow!(e))
}

async fn meeting_doc(state: &AppState, auth: &Auth, m: &Meeting) -> Result<MeetingDoc, WebError> {
    Ok(
        qx_app::meetings::meeting_doc(&state.store, &auth.actor(), m, &format_date(today()))
            .await?,
    )
}

async fn agenda_lines(state: &AppState, auth: &Auth, id: i64) -> Result<Vec<AgendaLine>, WebError> {
    Ok(qx_app::meetings::agenda_lines(&state.store, &auth.actor(), id).await?)
}

fn file(bytes: Vec<u8>, name: &str, mime: &str) -> PageResult {
    Ok(crate::download::attachment(bytes, name, mime))
}

/// A .docx made from the meeting and its agenda: the 会议通知 or the agenda.
type AgendaDocx = fn(&MeetingDoc, &[AgendaLine]) -> Result<Vec<u8>, qx_report::ReportError>;

async fn agenda_document(
    state: &AppState,
    auth: &Auth,
    id: i64,
    make: AgendaDocx,
    name: &str,
) -> PageResult {
    let m = state.store.get_meeting(&auth.actor(), id).await?;
    let d = meeting_doc(state, auth, &m).await?;
    let agenda = agenda_lines(state, auth, id).await?;
    let bytes = make(&d, &agenda).map_err(report_err)?;
    file(bytes, &format!("{name}-{}.docx", m.held_on), DOCX)
}

pub(super) async fn notice(
    State(state): State<AppState>,
    auth: County,
    Path(id): Path<i64>,
) -> PageResult {
    agenda_document(&state, &auth, id, doc::notice_docx, "会议通知").await
}

pub(super) async fn agenda_docx(
    State(state): State<AppState>,
    auth: County,
    Path(id): Path<i64>,
) -> PageResult {
    agenda_document(&state, &auth, id, doc::agenda_docx, "例会议程").await
}

pub(super) async fn agenda_xlsx(
    State(state): State<AppState>,
    auth: County,
    Path(id): Path<i64>,
) -> PageResult {
    let m = state.store.get_meeting(&auth.actor(), id).await?;
    let agenda = agenda_lines(&state, &auth, id).await?;
    let bytes = doc::agenda_xlsx(&agenda).map_err(report_err)?;
    file(bytes, &format!("例会议程-{}.xlsx", m.held_on), XLSX)
}

/// The issued 纪要 unchanged; before that, the office's draft (`qx_app::meetings::minutes`).
pub(super) async fn minutes(
    State(state): State<AppState>,
    auth: County,
    Path(id): Path<i64>,
) -> PageResult {
    let actor = auth.actor();
    let m = state.store.get_meeting(&actor, id).await?;
    let bytes = qx_app::meetings::minutes(&state.store, &actor, &m, &format_date(today())).await?;
    file(bytes, &format!("会议纪要-{}.docx", m.held_on), DOCX)
}

/// 印发纪要: the 纪要 as it reads now becomes the issued file, kept as it is.
pub(super) async fn issue(
    State(state): State<AppState>,
    auth: Office,
    Path(id): Path<i64>,
) -> PageResult {
    let notices =
        qx_app::meetings::issue_minutes(&state.store, &auth.actor(), id, &format_date(today()))
            .await?;
    Ok(crate::webhook::notified(
        &state.store,
        notices,
        &saved_url(id),
    ))
}
