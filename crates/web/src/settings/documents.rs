//! 公文版头: the office sets the 发文机关, 代字, 主送 and 抄送 that every document issued from
//! now on carries (通报, 考核结果, 会议通知 and 纪要).

use super::PageResult;
use crate::auth::Office;
use crate::form::{FieldErrors, Fields, Query, answer};
use crate::pages::{PageCtx, flash_from};
use crate::{AppState, WebError};
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect};
use qx_core::document::DocumentHeader;
use qx_core::text::{DOC_COPY_TO, DOC_ISSUER, DOC_PREFIX, DOC_RECIPIENTS};
use std::collections::HashMap;

/// The form's fields, each with the label a store refusal starts with.
const FIELDS: [(&str, &str); 4] = [
    ("issuer", DOC_ISSUER.label),
    ("doc_prefix", DOC_PREFIX.label),
    ("recipients", DOC_RECIPIENTS.label),
    ("copy_to", DOC_COPY_TO.label),
];

#[derive(Template)]
#[template(path = "settings/documents.html")]
struct DocumentsPage {
    ctx: PageCtx,
    values: Fields,
    errors: FieldErrors,
    /// 文号 as the next 通报 would read, from what is shown.
    sample_number: String,
}

fn header_of(f: &Fields) -> DocumentHeader {
    DocumentHeader {
        issuer: f.get("issuer").to_string(),
        doc_prefix: f.get("doc_prefix").to_string(),
        recipients: f.get("recipients").to_string(),
        copy_to: f.get("copy_to").to_string(),
    }
}

/// The page with `values` in its boxes; the sample 文号 is the next bulletin's of this year,
/// written with what the boxes hold.
async fn page_of(
    state: &AppState,
    auth: &Office,
    values: Fields,
    errors: FieldErrors,
) -> Result<DocumentsPage, WebError> {
    let year = qx_core::time::today().year();
    let next = state.store.count_bulletins_of_year(i64::from(year)).await? + 1;
    let sample_number = header_of(&values).doc_number("", year, &next.to_string());
    Ok(DocumentsPage {
        ctx: PageCtx::signed_in(auth),
        values,
        errors,
        sample_number,
    })
}

pub(super) async fn page(
    State(state): State<AppState>,
    auth: Office,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    let h = state.store.document_header().await?;
    let mut values = Fields::default();
    values.set("issuer", h.issuer);
    values.set("doc_prefix", h.doc_prefix);
    values.set("recipients", h.recipients);
    values.set("copy_to", h.copy_to);
    let mut page = page_of(&state, &auth, values, FieldErrors::new(auth.ctx.lang)).await?;
    page.ctx.flash = flash_from(&q, auth.ctx.lang);
    Ok(answer(&page, false))
}

pub(super) async fn save(State(state): State<AppState>, auth: Office, f: Fields) -> PageResult {
    let mut errors = FieldErrors::new(auth.ctx.lang);
    match state
        .store
        .set_document_header(&auth.actor(), &header_of(&f))
        .await
    {
        Ok(()) => return Ok(Redirect::to("/settings/documents?saved=1").into_response()),
        Err(e) => errors.absorb(e.into(), &FIELDS)?,
    }
    Ok(answer(&page_of(&state, &auth, f, errors).await?, true))
}
