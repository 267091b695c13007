//! Webhook endpoints: the office's list of receivers, each with its events.

use crate::{AuditEntry, Result, Store, StoreError, commit_audited};
use qx_core::access::Actor;
use qx_core::webhook::{DeliveryStatus, Event, Format};
use serde::Serialize;

/// An endpoint with its subscriptions and how its deliveries stand.
#[derive(Debug, Clone, Serialize)]
pub struct Endpoint {
    pub id: i64,
    pub name: String,
    pub url: String,
    /// The HMAC key; shown to the office only.
    pub secret: String,
    pub format: Format,
    pub enabled: bool,
    pub events: Vec<Event>,
    pub created_at: i64,
    pub updated_at: i64,
    /// Deliveries waiting (first try or a retry).
    pub pending: i64,
    /// Deliveries given up on.
    pub failed: i64,
}

/// What the office types for an endpoint (create and edit).
#[derive(Debug, Clone, Default, Serialize)]
pub struct EndpointForm {
    pub name: String,
    pub url: String,
    /// Empty on create: a random one is made. Empty on edit: the old one stays.
    pub secret: String,
    pub format: Option<Format>,
    pub enabled: bool,
    pub events: Vec<Event>,
}

/// What can be wrong with an [`EndpointForm`]; each names its field, the page its message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldProblem {
    Name,
    Url,
    UrlSpace,
    Secret,
    Format,
    Events,
}

impl FieldProblem {
    /// The form field the problem is shown beside.
    pub fn field(self) -> &'static str {
        match self {
            FieldProblem::Name => "name",
            FieldProblem::Url | FieldProblem::UrlSpace => "url",
            FieldProblem::Secret => "secret",
            FieldProblem::Format => "format",
            FieldProblem::Events => "events",
        }
    }
}

impl EndpointForm {
    /// Every field's problem, in form order (empty when the form may be saved).
    pub fn problems(&self) -> Vec<FieldProblem> {
        let mut out = Vec::new();
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            out.push(FieldProblem::Name);
        }
        let url = self.url.trim();
        if !url.starts_with("http://") || url.len() <= "http://".len() || url.len() > 500 {
            out.push(FieldProblem::Url);
        } else if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
            out.push(FieldProblem::UrlSpace);
        }
        if self.secret.chars().count() > 200 {
            out.push(FieldProblem::Secret);
        }
        if self.format.is_none() {
            out.push(FieldProblem::Format);
        }
        if self.events.is_empty() {
            out.push(FieldProblem::Events);
        }
        out
    }

    /// The format, when the form may be saved (pages check [`EndpointForm::problems`] first
    /// and show each beside its field; this is the store's own guard).
    fn checked(&self) -> Result<Format> {
        let problems = self.problems();
        match self.format {
            Some(f) if problems.is_empty() => Ok(f),
            _ => Err(StoreError::Invalid(format!(
                "推送地址填写有误: {}",
                problems
                    .iter()
                    .map(|p| p.field())
                    .collect::<Vec<_>>()
                    .join("、")
            ))),
        }
    }
}

fn random_secret() -> String {
    let bytes: [u8; 32] = rand::random();
    hex::encode(bytes)
}

type EndpointDbRow = (i64, String, String, String, String, i64, i64, i64, i64, i64);

const LIST: &str =
    "SELECT e.id, e.name, e.url, e.secret, e.format, e.enabled, e.created_at, e.updated_at,
        (SELECT COUNT(*) FROM webhook_deliveries d WHERE d.endpoint_id = e.id AND d.status = $2),
        (SELECT COUNT(*) FROM webhook_deliveries d WHERE d.endpoint_id = e.id AND d.status = $3)
     FROM webhook_endpoints e WHERE $1 = 0 OR e.id = $1 ORDER BY e.id";

impl Store {
    /// Every endpoint with its events. Office only.
    pub async fn list_endpoints(&self, actor: &Actor) -> Result<Vec<Endpoint>> {
        crate::office_only(actor, "查看推送地址")?;
        self.endpoints(0).await
    }

    /// One endpoint. Office only.
    pub async fn get_endpoint(&self, actor: &Actor, id: i64) -> Result<Endpoint> {
        crate::office_only(actor, "查看推送地址")?;
        self.endpoints(id)
            .await?
            .into_iter()
            .next()
            .filter(|_| id > 0)
            .ok_or_else(|| StoreError::NotFound(format!("推送地址 {id}")))
    }

    /// `id` 0: all.
    async fn endpoints(&self, id: i64) -> Result<Vec<Endpoint>> {
        let rows: Vec<EndpointDbRow> = sqlx::query_as(LIST)
            .bind(id)
            .bind(DeliveryStatus::Pending.as_str())
            .bind(DeliveryStatus::Failed.as_str())
            .fetch_all(self.pool())
            .await?;
        let subs: Vec<(i64, String)> = sqlx::query_as(
            "SELECT endpoint_id, event FROM webhook_subscriptions WHERE $1 = 0 OR endpoint_id = $1",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for (id, name, url, secret, format, enabled, created_at, updated_at, pending, failed) in
            rows
        {
            let bad = |e: qx_core::state::UnknownState| StoreError::Invalid(e.to_string());
            let mut events = Vec::new();
            for (_, code) in subs.iter().filter(|(e, _)| *e == id) {
                events.push(Event::parse(code).map_err(bad)?);
            }
            events.sort_by_key(|e| Event::ALL.iter().position(|x| x == e));
            out.push(Endpoint {
                id,
                name,
                url,
                secret,
                format: Format::parse(&format).map_err(bad)?,
                enabled: enabled != 0,
                events,
                created_at,
                updated_at,
                pending,
                failed,
            });
        }
        Ok(out)
    }

    /// Adds an endpoint; returns its id. Office only; audited (the secret is not).
    pub async fn create_endpoint(&self, actor: &Actor, form: &EndpointForm) -> Result<i64> {
        crate::office_only(actor, "新增推送地址")?;
        let format = form.checked()?;
        let secret = match form.secret.trim() {
            "" => random_secret(),
            s => s.to_string(),
        };
        let now = crate::now();
        let mut tx = self.begin().await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO webhook_endpoints (name, url, secret, format, enabled, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
        )
        .bind(form.name.trim())
        .bind(form.url.trim())
        .bind(&secret)
        .bind(format.as_str())
        .bind(i64::from(form.enabled))
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        set_events(&mut tx, id, &form.events).await?;
        commit_audited(
            tx,
            AuditEntry::new(actor, "webhook.create", "webhook_endpoint", id)
                .after(audit_view(form, format)),
        )
        .await?;
        Ok(id)
    }

    /// Changes an endpoint. Office only; audited with before and after.
    pub async fn update_endpoint(&self, actor: &Actor, id: i64, form: &EndpointForm) -> Result<()> {
        let before = self.get_endpoint(actor, id).await?;
        let format = form.checked()?;
        let secret = match form.secret.trim() {
            "" => before.secret.clone(),
            s => s.to_string(),
        };
        let mut tx = self.begin().await?;
        sqlx::query(
            "UPDATE webhook_endpoints SET name = $1, url = $2, secret = $3, format = $4, enabled = $5, updated_at = $6
             WHERE id = $7",
        )
        .bind(form.name.trim())
        .bind(form.url.trim())
        .bind(&secret)
        .bind(format.as_str())
        .bind(i64::from(form.enabled))
        .bind(crate::now())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        set_events(&mut tx, id, &form.events).await?;
        let old = EndpointForm {
            name: before.name,
            url: before.url,
            secret: String::new(),
            format: Some(before.format),
            enabled: before.enabled,
            events: before.events,
        };
        commit_audited(
            tx,
            AuditEntry::new(actor, "webhook.update", "webhook_endpoint", id)
                .before(audit_view(&old, before.format))
                .after(serde_json::json!({
                    "endpoint": audit_view(form, format),
                    "secret_changed": secret != before.secret,
                })),
        )
        .await
    }

    /// Deletes an endpoint with its delivery log. Office only; audited.
    pub async fn delete_endpoint(&self, actor: &Actor, id: i64) -> Result<()> {
        let before = self.get_endpoint(actor, id).await?;
        let mut tx = self.begin().await?;
        for sql in [
            "DELETE FROM webhook_attempts WHERE delivery_id IN (SELECT id FROM webhook_deliveries WHERE endpoint_id = $1)",
            "DELETE FROM webhook_deliveries WHERE endpoint_id = $1",
            "DELETE FROM webhook_subscriptions WHERE endpoint_id = $1",
            "DELETE FROM webhook_endpoints WHERE id = $1",
        ] {
            sqlx::query(sql).bind(id).execute(&mut *tx).await?;
        }
        commit_audited(
            tx,
            AuditEntry::new(actor, "webhook.delete", "webhook_endpoint", id)
                .before(serde_json::json!({"name": before.name, "url": before.url})),
        )
        .await
    }
}

async fn set_events(tx: &mut crate::Tx, id: i64, events: &[Event]) -> Result<()> {
    sqlx::query("DELETE FROM webhook_subscriptions WHERE endpoint_id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    let mut seen = Vec::new();
    for e in events {
        if seen.contains(e) {
            continue;
        }
        seen.push(*e);
        sqlx::query("INSERT INTO webhook_subscriptions (endpoint_id, event) VALUES ($1, $2)")
            .bind(id)
            .bind(e.as_str())
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

fn audit_view(form: &EndpointForm, format: Format) -> serde_json::Value {
    serde_json::json!({
        "name": form.name.trim(), "url": form.url.trim(), "format": format.as_str(),
        "enabled": form.enabled,
        "events": form.events.iter().map(|e| e.as_str()).collect::<Vec<_>>(),
    })
}
