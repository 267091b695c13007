//! The audit log's page: who did what, when and from where, filtered (office only).

use crate::auth::Office;
use crate::pages::{PageCtx, fmt_time, render};
use crate::{AppState, WebError};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use qx_store::audit::AuditQuery;
use std::collections::HashMap;

type PageResult = Result<Response, WebError>;

pub struct AuditLine {
    seq: i64,
    at: String,
    actor: String,
    action: String,
    entity: String,
    entity_id: String,
    before: String,
    after: String,
    ip: String,
}

#[derive(Template)]
#[template(path = "audit/list.html")]
struct AuditPage {
    ctx: PageCtx,
    entries: Vec<AuditLine>,
    verified: bool,
    verify_message: String,
    actor: String,
    action: String,
    entity: String,
    entity_id: String,
    older_link: Option<String>,
}

fn non_empty(q: &HashMap<String, String>, k: &str) -> Option<String> {
    q.get(k)
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

pub async fn audit_list(
    State(state): State<AppState>,
    auth: Office,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    let lang = auth.ctx.lang;
    let query = AuditQuery {
        entity: non_empty(&q, "entity"),
        entity_id: non_empty(&q, "entity_id"),
        actor: non_empty(&q, "actor"),
        action_prefix: non_empty(&q, "action"),
        before_seq: non_empty(&q, "before").and_then(|s| s.parse().ok()),
        limit: 100,
    };
    let records = state.store.audit_list(&query).await?;
    let older_link = (records.len() == 100).then(|| {
        let last = records.last().map_or(0, |r| r.seq);
        let mut params: Vec<(&str, String)> = vec![("before", last.to_string())];
        for k in ["entity", "entity_id", "actor", "action"] {
            if let Some(v) = non_empty(&q, k) {
                params.push((k, v));
            }
        }
        format!(
            "/audit?{}",
            serde_urlencoded::to_string(&params).unwrap_or_default()
        )
    });
    let verification = state.store.verify_audit().await?;
    let verify_message = match verification.first_bad_seq {
        None => format!(
            "{} ({})",
            crate::i18n::t(lang, "audit.verified"),
            verification.entries
        ),
        Some(seq) => format!(
            "{} {seq}: {}",
            crate::i18n::t(lang, "audit.broken"),
            verification.reason.clone().unwrap_or_default()
        ),
    };
    let entries = records
        .into_iter()
        .map(|r| AuditLine {
            seq: r.seq,
            at: fmt_time(r.at),
            actor: r.actor,
            action: r.action,
            entity: r.entity,
            entity_id: r.entity_id,
            before: r.before_json.unwrap_or_default(),
            after: r.after_json.unwrap_or_default(),
            ip: r.ip,
        })
        .collect();
    let page = AuditPage {
        ctx: PageCtx::signed_in(&auth),
        entries,
        verified: verification.ok(),
        verify_message,
        actor: q.get("actor").cloned().unwrap_or_default(),
        action: q.get("action").cloned().unwrap_or_default(),
        entity: q.get("entity").cloned().unwrap_or_default(),
        entity_id: q.get("entity_id").cloned().unwrap_or_default(),
        older_link,
    };
    Ok(render(&page).into_response())
}
