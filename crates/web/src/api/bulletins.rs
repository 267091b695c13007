//! Bulletins (月度快报/季度通报) over JSON: a plan's issued bulletins, one bulletin's
//! metadata, and its files byte for byte as issued.

use super::page::Page;
use super::problem::Problem;
use super::{ApiResult, PageQuery};
use crate::AppState;
use crate::auth::Auth;
use crate::download;
use crate::form::Query;
use axum::Json;
use axum::extract::{Path, State};
use axum::response::Response;
use qx_store::bulletins::Bulletin;

#[utoipa::path(get, path = "/api/v1/plans/{id}/bulletins", tag = "bulletins",
    params(("id" = i64, Path, description = "plan id"), PageQuery),
    responses((status = 200, description = "the plan's issued bulletins, by id", body = Object,
        example = json!({"items": [{"id": 3, "plan_id": 1, "kind": "monthly", "period": "2017-11", "doc_number": "象工强办〔2017〕11号",
            "title": "2017年1—11月工业强县工作推进情况快报", "snapshot_sha256": "5e0c…", "published_by": 1,
            "published_by_name": "县工业强县办", "published_at": 1512446400}]})),
        (status = 403, description = "enterprises do not read bulletins", body = Problem),
        (status = 404, description = "no such plan for the caller", body = Problem)))]
pub(super) async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Path(plan_id): Path<i64>,
    Query(pq): Query<PageQuery>,
) -> ApiResult<Page<Bulletin>> {
    let actor = auth.actor();
    state.store.get_plan(&actor, plan_id).await?;
    let list = state.store.list_bulletins(&actor, plan_id).await?;
    Ok(Json(pq.page(list, |b| b.id, auth.ctx.lang)?))
}

#[utoipa::path(get, path = "/api/v1/bulletins/{id}", tag = "bulletins",
    params(("id" = i64, Path, description = "bulletin id")),
    responses((status = 200, description = "the bulletin's metadata; its files at `files/{format}` (docx, xlsx, html)", body = Object,
        example = json!({"id": 3, "plan_id": 1, "kind": "monthly", "period": "2017-11", "doc_number": "象工强办〔2017〕11号",
            "title": "2017年1—11月工业强县工作推进情况快报", "snapshot_sha256": "5e0c…", "published_by": 1,
            "published_by_name": "县工业强县办", "published_at": 1512446400})),
        (status = 404, description = "no such bulletin", body = Problem)))]
pub(super) async fn get_bulletin(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> ApiResult<Bulletin> {
    Ok(Json(state.store.get_bulletin(&auth.actor(), id).await?))
}

#[utoipa::path(get, path = "/api/v1/bulletins/{id}/files/{format}", tag = "bulletins",
    params(("id" = i64, Path, description = "bulletin id"), ("format" = String, Path, description = "docx | xlsx | html")),
    responses((status = 200, description = "the file as issued (Content-Disposition names it)", content_type = "application/octet-stream",
        body = Vec<u8>, example = json!("PK\u{3}\u{4}…")),
        (status = 404, description = "no such bulletin or format", body = Problem)))]
pub(super) async fn file(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, format)): Path<(i64, String)>,
) -> Result<Response, super::ApiError> {
    let f = state
        .store
        .bulletin_file(&auth.actor(), id, &format)
        .await?;
    Ok(download::attachment(f.data, &f.file_name, &f.mime))
}
