//! A unit's Excel report template: the pre-filled download and the filled-in upload.

use super::report::{back_to_report, report_page, target_unit};
use super::*;
use crate::auth::OfficeOrUnit;

/// A filled-in report template: one workbook within the importer's limit, and the action.
pub(super) const TEMPLATE_UPLOAD: upload::Limits =
    upload::Limits::one_file("报送模板", qx_app::monitoring_excel::MAX_TEMPLATE_BYTES);

pub(super) async fn download_template(
    State(state): State<AppState>,
    auth: County,
    Path(period_id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    let actor = auth.actor();
    let unit_id = target_unit(&actor, &q)?;
    let bytes =
        qx_app::monitoring_excel::export_template(&state.store, &actor, period_id, unit_id).await;
    let name = qx_app::monitoring_excel::template_file_name;
    send_template(&state, &actor, period_id, unit_id, bytes, name).await
}

pub(super) async fn upload_template(
    State(state): State<AppState>,
    auth: OfficeOrUnit,
    Path(period_id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
    form: Multipart,
) -> PageResult {
    let (store, actor) = (&state.store, &auth.actor());
    import_sent(
        &state,
        &auth,
        period_id,
        &q,
        form,
        |unit_id, file, submit| async move {
            let name = file.name.as_str();
            qx_app::monitoring_excel::import_template(
                store, actor, period_id, unit_id, &file.data, name, submit,
            )
            .await
            .map(|_| "imported=1")
        },
    )
    .await
}

/// The unit's monthly 调度 template of its projects for the period.
pub(super) async fn download_dispatch(
    State(state): State<AppState>,
    auth: County,
    Path(period_id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    let actor = auth.actor();
    let unit_id = target_unit(&actor, &q)?;
    let bytes =
        qx_app::project_dispatch_excel::export_template(&state.store, &actor, period_id, unit_id)
            .await;
    let name = qx_app::project_dispatch_excel::template_file_name;
    send_template(&state, &actor, period_id, unit_id, bytes, name).await
}

/// A filled-in 调度 template, saved into the unit's report of the period (its own form on the
/// report page: the figures typed on the page are not sent with it).
pub(super) async fn upload_dispatch(
    State(state): State<AppState>,
    auth: OfficeOrUnit,
    Path(period_id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
    form: Multipart,
) -> PageResult {
    let (store, actor) = (&state.store, &auth.actor());
    import_sent(
        &state,
        &auth,
        period_id,
        &q,
        form,
        |unit_id, file, _| async move {
            let name = file.name.as_str();
            let done = qx_app::project_dispatch_excel::import_template(
                store, actor, period_id, unit_id, &file.data, name,
            )
            .await?;
            Ok(if done.held_elsewhere.is_empty() {
                "dispatch_imported=1"
            } else {
                "dispatch_held=1"
            })
        },
    )
    .await
}

/// A filled-in template sent for the unit in `q`: one file must be chosen (else the report page
/// again, saying so); whether the reader writes that unit's report is the importer's to refuse
/// (`open_unit_upload`). `import` saves
/// the file (with whether 提交 was pressed) and names the mark the report page then shows; a
/// problem in the file goes back onto the report page.
async fn import_sent<Fut>(
    state: &AppState,
    auth: &Auth,
    period_id: i64,
    q: &HashMap<String, String>,
    form: Multipart,
    import: impl FnOnce(i64, upload::UploadedFile, bool) -> Fut,
) -> PageResult
where
    Fut: std::future::Future<Output = Result<&'static str, AppError>>,
{
    let unit_id = target_unit(&auth.actor(), q)?;
    let mut up = upload::read(form, &TEMPLATE_UPLOAD).await?;
    let submit =
        up.field("action").and_then(SubmissionStep::from_code) == Some(SubmissionStep::Submit);
    let file = match up.the_file(auth.ctx.lang) {
        Ok(file) => file,
        Err(problems) => return report_page(state, auth, period_id, q, problems, "", None).await,
    };
    let done = import(unit_id, file, submit).await;
    back_to_report(state, auth, period_id, q, unit_id, done, None).await
}

/// Sends a unit's template of the period, named by `file_name(unit, period)`.
async fn send_template(
    state: &AppState,
    actor: &Actor,
    period_id: i64,
    unit_id: i64,
    bytes: Result<Vec<u8>, qx_app::AppError>,
    file_name: fn(&str, &str) -> String,
) -> PageResult {
    let bytes = bytes.map_err(WebError::from)?;
    let period = state.store.get_period(actor, period_id).await?;
    let unit = state.store.get_unit(unit_id).await?;
    let name = file_name(&unit.name, &period.period);
    Ok(download::attachment(bytes, &name, XLSX))
}
