//! The 重大项目库 in Excel on the list page: the library (the reader's projects) as a
//! workbook the import reads back, and the office's import of the county's list, run as a job
//! (a big list shows the progress page) whose problems show on the list page, each naming its
//! row and column.

use super::*;
use crate::download::attachment;
use crate::{jobs, upload};
use axum::extract::Multipart;
use qx_app::AppError;
use qx_app::project_excel;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The list file, within the importer's own limit.
const PROJECT_UPLOAD: upload::Limits =
    upload::Limits::one_file("导入文件", project_excel::MAX_FILE_BYTES);

/// `GET /projects/library.xlsx`: every project the reader sees, in the import's layout.
pub(super) async fn library(State(state): State<AppState>, auth: Signed) -> PageResult {
    let bytes = project_excel::export_projects(&state.store, &auth.actor())
        .await
        .map_err(WebError::from)?;
    Ok(attachment(bytes, "重大项目库.xlsx", XLSX))
}

/// `POST /projects/import`: the county's list (office only), all or nothing.
pub(super) async fn import(
    State(state): State<AppState>,
    auth: Office,
    form: Multipart,
) -> PageResult {
    let actor = auth.actor();
    let mut up = upload::read(form, &PROJECT_UPLOAD).await?;
    let year = up.field("year").unwrap_or_default().trim().to_string();
    let file = match up.the_file(auth.ctx.lang) {
        Ok(file) => file,
        Err(errors) => return list::list_page(&state, &auth, HashMap::new(), errors).await,
    };
    let year = if year.is_empty() {
        today().year()
    } else {
        match year.parse::<i32>() {
            Ok(y) => y,
            Err(_) => {
                let msg = format!(
                    "{}: \"{year}\" {}",
                    crate::i18n::t(auth.ctx.lang, "pj.year"),
                    crate::i18n::t(auth.ctx.lang, "pj.import_bad_year")
                );
                return list::list_page(&state, &auth, HashMap::new(), vec![msg]).await;
            }
        }
    };
    let (name, bytes) = (file.name.to_string(), file.data);
    let store = state.store.clone();
    let wait = std::time::Duration::from_millis(state.config.job_wait_ms);
    let work = move |tracker: jobs::Tracker| async move {
        let progress = move |stage, rows| tracker.stage(stage, rows);
        match project_excel::import_projects_with(&store, &actor, &bytes, &name, year, &progress)
            .await
        {
            Ok(s) => Ok(format!(
                "/projects?imported={}&updated={}",
                s.created, s.updated
            )),
            Err(AppError::Rows(rows)) => Err(rows),
            Err(other) => Err(vec![other.to_string()]),
        }
    };
    match jobs::run(&state.jobs, &auth.session, auth.ctx.lang, wait, work).await? {
        Ok(Ok(next)) => Ok(Redirect::to(&next).into_response()),
        Ok(Err(errors)) => list::list_page(&state, &auth, HashMap::new(), errors).await,
        Err(progress_page) => Ok(progress_page),
    }
}
