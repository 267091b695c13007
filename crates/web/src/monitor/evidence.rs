//! Evidence (佐证材料) attached to a report: upload, download, removal.

use super::report::{
    REPORT_FORM_UPLOAD, read_report_fields, report_page, report_url, save_draft, target_unit,
    upload_problems,
};
use super::*;
use crate::auth::OfficeOrUnit;

/// An evidence upload: one file within the store's limit, and the task it belongs to.
pub(super) const EVIDENCE_UPLOAD: upload::Limits = upload::Limits::one_file(
    "佐证材料",
    qx_store::monitoring::MAX_REPORT_ATTACHMENT_BYTES,
);

pub(super) async fn upload_attachment(
    State(state): State<AppState>,
    auth: OfficeOrUnit,
    Path(period_id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
    form: Multipart,
) -> PageResult {
    let actor = auth.actor();
    // Whether the reader writes this unit's report is the store's (`add_report_attachment`,
    // and `save_report` for the figures sent along).
    let unit_id = target_unit(&actor, &q)?;
    // The upload buttons belong to the report form: what was typed there comes along and is
    // saved as the draft first, so choosing a file never loses a figure. A file too large is
    // left out, not the figures sent with it: the page then says what was wrong with the file.
    let mut up = upload::read(form, &REPORT_FORM_UPLOAD).await?;
    let input = read_report_fields(&up.fields);
    let with_form = !(input.values.is_empty() && input.tasks.is_empty());
    if with_form && let Some(form_again) = save_draft(&state, &auth, period_id, &q, &input).await? {
        return Ok(form_again);
    }
    let task_id = up
        .field("task_id")
        .or(q.get("task").map(String::as_str))
        .filter(|t| !t.is_empty())
        .map(|t| {
            t.parse::<i64>()
                .map_err(|_| WebError::BadRequest(format!("任务 \"{t}\" 无效")))
        })
        .transpose()?;
    let file = match up.the_file(auth.ctx.lang) {
        Ok(file) => file,
        Err(problems) => {
            return report_page(&state, &auth, period_id, &q, problems, "", None).await;
        }
    };
    let attachment = qx_store::problems::NewAttachment {
        filename: file.name.to_string(),
        data: file.data,
    };
    match state
        .store
        .add_report_attachment(&actor, period_id, unit_id, task_id, &attachment)
        .await
    {
        Ok(_) => {
            let anchor = task_id.map(|t| format!("#task-{t}")).unwrap_or_default();
            let url = report_url(&actor, period_id, unit_id, "attached=1");
            Ok(Redirect::to(&format!("{url}{anchor}")).into_response())
        }
        Err(e) => {
            let problems = upload_problems(AppError::Store(e), auth.ctx.lang)?;
            report_page(&state, &auth, period_id, &q, problems, "", None).await
        }
    }
}

pub(super) async fn download_attachment(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> PageResult {
    let (meta, data) = state.store.get_report_attachment(&auth.actor(), id).await?;
    let mut resp = download::attachment(data, &meta.file_name, &meta.mime);
    // A unit's evidence stays out of shared caches.
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("private, no-store"),
    );
    Ok(resp)
}

pub(super) async fn remove_attachment(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> PageResult {
    let actor = auth.actor();
    let (period_id, unit_id) = state.store.remove_report_attachment(&actor, id).await?;
    Ok(Redirect::to(&report_url(&actor, period_id, unit_id, "removed=1")).into_response())
}
