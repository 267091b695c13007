//! A run's downloads for the office and leaders: the 考核结果通报 (.docx) and the workbook with
//! every item's score (.xlsx), both titled 初步/公示 until the run is final.

use super::PageResult;
use crate::AppState;
use crate::auth::CountyReader;
use axum::Router;
use axum::extract::{Path, State};
use axum::routing::get;

const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/assessment/{id}/result.docx", get(docx))
        .route("/assessment/{id}/result.xlsx", get(xlsx))
}

async fn docx(
    State(state): State<AppState>,
    auth: CountyReader,
    Path(id): Path<i64>,
) -> PageResult {
    let f = qx_app::assessment::export::docx(&state.store, &auth.actor(), id).await?;
    Ok(crate::download::attachment(f.bytes, &f.name, DOCX))
}

async fn xlsx(
    State(state): State<AppState>,
    auth: CountyReader,
    Path(id): Path<i64>,
) -> PageResult {
    let f = qx_app::assessment::export::xlsx(&state.store, &auth.actor(), id).await?;
    Ok(crate::download::attachment(f.bytes, &f.name, XLSX))
}
