//! The audit log's page: who did what, when and from where, filtered (office only). People
//! appear by name and actions by their Chinese (or English) label from `qx_core::audit`; the
//! export (`/export/audit`) reads the same lines.

use crate::auth::Office;
use crate::form::Query;
use crate::pages::{PageCtx, fmt_time, render};
use crate::{AppState, WebError};
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use qx_core::access::Actor;
use qx_core::audit::{AuditAction, action_label, entity_id_label, entity_label};
use qx_core::label::{Labelled, Lang};
use qx_store::audit::AuditQuery;
use std::collections::HashMap;

type PageResult = Result<Response, WebError>;

pub struct AuditLine {
    pub(crate) seq: i64,
    pub(crate) at: String,
    /// The person's name (the account name when the account is gone; 系统 for the system).
    pub(crate) actor: String,
    pub(crate) action: &'static str,
    /// The stored code, shown only when the table has no name for it.
    pub(crate) action_code: Option<String>,
    pub(crate) entity: &'static str,
    pub(crate) entity_id: String,
    pub(crate) before: String,
    pub(crate) after: String,
    pub(crate) ip: String,
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
    actions: Vec<(&'static str, &'static str)>,
    entity: String,
    entity_id: String,
    older_link: Option<String>,
    export_query: String,
}

fn non_empty(q: &HashMap<String, String>, k: &str) -> Option<String> {
    q.get(k)
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// The page's lines for the query `q` (filters and `before=`), at most `limit`.
pub(crate) async fn audit_lines(
    state: &AppState,
    actor: &Actor,
    lang: Lang,
    q: &HashMap<String, String>,
    limit: i64,
) -> Result<Vec<AuditLine>, WebError> {
    let query = AuditQuery {
        entity: non_empty(q, "entity"),
        entity_id: non_empty(q, "entity_id"),
        actor: non_empty(q, "actor"),
        action_prefix: non_empty(q, "action"),
        before_seq: non_empty(q, "before").and_then(|s| s.parse().ok()),
        limit,
    };
    let records = state.store.audit_list(actor, &query).await?;
    let names: HashMap<i64, String> = state
        .store
        .list_users(actor)
        .await?
        .into_iter()
        .map(|u| (u.id, u.profile.display_name))
        .collect();
    Ok(records
        .into_iter()
        .map(|r| AuditLine {
            seq: r.seq,
            at: fmt_time(r.at),
            actor: match r.actor_id.and_then(|id| names.get(&id)) {
                Some(name) => name.clone(),
                None if r.actor == "system" || r.actor.is_empty() => {
                    crate::i18n::t(lang, "audit.system").to_string()
                }
                None => r.actor,
            },
            action: action_label(&r.action, lang),
            action_code: AuditAction::parse(&r.action).is_err().then_some(r.action),
            entity: entity_label(&r.entity, lang),
            entity_id: entity_id_label(&r.entity, &r.entity_id, lang).to_string(),
            before: r.before_json.unwrap_or_default(),
            after: r.after_json.unwrap_or_default(),
            ip: r.ip,
        })
        .collect())
}

/// The filters of `q` as a person reads them, for an export's note.
pub(crate) fn filters_shown(
    lang: Lang,
    q: &HashMap<String, String>,
) -> Vec<(&'static str, String)> {
    let action = non_empty(q, "action")
        .map(|a| action_label(&a, lang).to_string())
        .unwrap_or_default();
    vec![
        (
            crate::i18n::t(lang, "audit.actor"),
            q.get("actor").cloned().unwrap_or_default(),
        ),
        (crate::i18n::t(lang, "audit.action"), action),
        (
            crate::i18n::t(lang, "audit.entity"),
            format!(
                "{} {}",
                non_empty(q, "entity").map_or("", |e| entity_label(&e, lang)),
                q.get("entity_id").map_or("", |s| s.as_str())
            ),
        ),
    ]
}

pub async fn audit_list(
    State(state): State<AppState>,
    auth: Office,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    let lang = auth.ctx.lang;
    let entries = audit_lines(&state, &auth.actor(), lang, &q, 100).await?;
    let filters: Vec<(&str, String)> = ["entity", "entity_id", "actor", "action"]
        .into_iter()
        .filter_map(|k| non_empty(&q, k).map(|v| (k, v)))
        .collect();
    let older_link = (entries.len() == 100).then(|| {
        let last = entries.last().map_or(0, |r| r.seq);
        let mut params: Vec<(&str, String)> = vec![("before", last.to_string())];
        params.extend(filters.iter().cloned());
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
    let page = AuditPage {
        ctx: PageCtx::signed_in(&auth),
        entries,
        verified: verification.ok(),
        verify_message,
        actor: q.get("actor").cloned().unwrap_or_default(),
        action: q.get("action").cloned().unwrap_or_default(),
        actions: AuditAction::all()
            .map(|a| (a.code(), a.label(lang)))
            .collect(),
        entity: q.get("entity").cloned().unwrap_or_default(),
        entity_id: q.get("entity_id").cloned().unwrap_or_default(),
        older_link,
        export_query: serde_urlencoded::to_string(&filters).unwrap_or_default(),
    };
    Ok(render(&page).into_response())
}
