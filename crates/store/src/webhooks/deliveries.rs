//! Deliveries: claiming the due ones, recording each attempt, the log and 重新发送.

use crate::{AuditEntry, Result, Store, StoreError, commit_audited};
use qx_core::access::Actor;
use qx_core::webhook::{DeliveryStatus, Event, Format, next_retry};
use serde::Serialize;

/// A delivery claimed for sending, with what sending needs.
#[derive(Debug, Clone)]
pub struct DueDelivery {
    pub id: i64,
    pub url: String,
    pub secret: String,
    pub format: Format,
    pub payload: String,
    pub attempts: i64,
    pub created_at: i64,
}

/// How one attempt went: the response code when there was a response, the error otherwise
/// (or beside a code that is not 2xx), and how long it took.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub status_code: Option<u16>,
    pub error: String,
    pub duration_ms: i64,
}

impl Outcome {
    pub fn succeeded(&self) -> bool {
        self.status_code.is_some_and(|c| (200..300).contains(&c))
    }
}

/// One line of the delivery log.
#[derive(Debug, Clone, Serialize)]
pub struct DeliveryRow {
    pub id: i64,
    pub endpoint_id: i64,
    pub endpoint_name: String,
    pub event: Event,
    pub status: DeliveryStatus,
    pub attempts: i64,
    pub last_code: Option<i64>,
    pub last_error: String,
    pub created_at: i64,
    pub next_attempt_at: i64,
    pub delivered_at: Option<i64>,
    pub message: String,
}

/// One recorded attempt.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Attempt {
    pub at: i64,
    pub status_code: Option<i64>,
    pub error: String,
    pub duration_ms: i64,
}

type LogRow = (
    i64,
    i64,
    String,
    String,
    String,
    i64,
    Option<i64>,
    String,
    i64,
    i64,
    Option<i64>,
    String,
);

impl Store {
    /// Claims up to `limit` deliveries due at `now` for `lease_secs` (longer than one attempt
    /// may take): another sender skips them until the lease runs out, so a sender that dies
    /// mid-attempt only delays its rows.
    pub async fn claim_due_deliveries(
        &self,
        now: i64,
        limit: i64,
        lease_secs: i64,
    ) -> Result<Vec<DueDelivery>> {
        let pending = DeliveryStatus::Pending.as_str();
        let candidates: Vec<(i64,)> = sqlx::query_as(
            "SELECT id FROM webhook_deliveries
             WHERE status = $1 AND next_attempt_at <= $2 AND lease_until <= $2
             ORDER BY next_attempt_at, id LIMIT $3",
        )
        .bind(pending)
        .bind(now)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        let mut claimed = Vec::new();
        for (id,) in candidates {
            let mut tx = self.begin().await?;
            let got: Option<(i64, String, i64, i64)> = sqlx::query_as(
                "UPDATE webhook_deliveries SET lease_until = $1
                 WHERE id = $2 AND status = $3 AND lease_until <= $4
                 RETURNING endpoint_id, payload, attempts, created_at",
            )
            .bind(now + lease_secs)
            .bind(id)
            .bind(pending)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((endpoint_id, payload, attempts, created_at)) = got else {
                continue;
            };
            let (url, secret, format): (String, String, String) =
                sqlx::query_as("SELECT url, secret, format FROM webhook_endpoints WHERE id = $1")
                    .bind(endpoint_id)
                    .fetch_one(&mut *tx)
                    .await?;
            tx.commit().await?;
            {
                claimed.push(DueDelivery {
                    id,
                    url,
                    secret,
                    format: Format::parse(&format)
                        .map_err(|e| StoreError::Invalid(e.to_string()))?,
                    payload,
                    attempts,
                    created_at,
                });
            }
        }
        Ok(claimed)
    }

    /// Records one attempt of delivery `id` and decides what follows: delivered, another try
    /// after the backoff, or given up when the delivery is older than `give_up_after` seconds.
    pub async fn record_attempt(
        &self,
        id: i64,
        outcome: &Outcome,
        now: i64,
        give_up_after: i64,
    ) -> Result<DeliveryStatus> {
        let mut tx = self.begin().await?;
        let (attempts, created_at): (i64, i64) =
            sqlx::query_as("SELECT attempts, created_at FROM webhook_deliveries WHERE id = $1")
                .bind(id)
                .fetch_one(&mut *tx)
                .await?;
        sqlx::query(
            "INSERT INTO webhook_attempts (delivery_id, at, status_code, error, duration_ms)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(now)
        .bind(outcome.status_code.map(i64::from))
        .bind(&outcome.error)
        .bind(outcome.duration_ms)
        .execute(&mut *tx)
        .await?;
        let attempts = attempts + 1;
        let (status, next) = if outcome.succeeded() {
            (DeliveryStatus::Delivered, now)
        } else {
            let tries = u32::try_from(attempts).unwrap_or(u32::MAX);
            match next_retry(tries, now - created_at, give_up_after) {
                Some(wait) => (DeliveryStatus::Pending, now + wait),
                None => (DeliveryStatus::Failed, now),
            }
        };
        sqlx::query(
            "UPDATE webhook_deliveries SET attempts = $1, status = $2, next_attempt_at = $3, lease_until = 0,
                 last_code = $4, last_error = $5,
                 delivered_at = CASE WHEN $2 = $6 THEN $7 ELSE delivered_at END
             WHERE id = $8",
        )
        .bind(attempts)
        .bind(status.as_str())
        .bind(next)
        .bind(outcome.status_code.map(i64::from))
        .bind(&outcome.error)
        .bind(DeliveryStatus::Delivered.as_str())
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(status)
    }

    /// The newest `limit` deliveries (of one endpoint, or all with `endpoint_id` 0). Office only.
    pub async fn delivery_log(
        &self,
        actor: &Actor,
        endpoint_id: i64,
        limit: i64,
    ) -> Result<Vec<DeliveryRow>> {
        crate::office_only(actor, "查看消息推送记录")?;
        self.deliveries(endpoint_id, 0, limit).await
    }

    /// One delivery. Office only.
    pub async fn get_delivery(&self, actor: &Actor, id: i64) -> Result<DeliveryRow> {
        crate::office_only(actor, "查看消息推送记录")?;
        self.deliveries(0, id.max(1), 1)
            .await?
            .pop()
            .ok_or_else(|| StoreError::NotFound(format!("推送记录 {id}")))
    }

    /// Deliveries of endpoint `endpoint_id` (0: all), or delivery `id` (0: any), newest first.
    async fn deliveries(&self, endpoint_id: i64, id: i64, limit: i64) -> Result<Vec<DeliveryRow>> {
        let rows: Vec<LogRow> = sqlx::query_as(
            "SELECT d.id, d.endpoint_id, e.name, d.event, d.status, d.attempts, d.last_code, d.last_error,
                    d.created_at, d.next_attempt_at, d.delivered_at, d.payload
             FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
             WHERE ($1 = 0 OR d.endpoint_id = $1) AND ($2 = 0 OR d.id = $2)
             ORDER BY d.id DESC LIMIT $3",
        )
        .bind(endpoint_id)
        .bind(id)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        let bad = |e: qx_core::state::UnknownState| StoreError::Invalid(e.to_string());
        rows.into_iter()
            .map(|r| {
                let message = serde_json::from_str::<serde_json::Value>(&r.11)
                    .ok()
                    .and_then(|v| {
                        v.get("message")
                            .and_then(|m| m.as_str())
                            .map(str::to_string)
                    })
                    .unwrap_or_default();
                Ok(DeliveryRow {
                    id: r.0,
                    endpoint_id: r.1,
                    endpoint_name: r.2,
                    event: Event::parse(&r.3).map_err(bad)?,
                    status: DeliveryStatus::parse(&r.4).map_err(bad)?,
                    attempts: r.5,
                    last_code: r.6,
                    last_error: r.7,
                    created_at: r.8,
                    next_attempt_at: r.9,
                    delivered_at: r.10,
                    message,
                })
            })
            .collect()
    }

    /// Every attempt of delivery `id`, oldest first. Office only.
    pub async fn delivery_attempts(&self, actor: &Actor, id: i64) -> Result<Vec<Attempt>> {
        crate::office_only(actor, "查看消息推送记录")?;
        Ok(sqlx::query_as(
            "SELECT at, status_code, error, duration_ms FROM webhook_attempts WHERE delivery_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?)
    }

    /// 重新发送: the delivery is due again now (delivered or given up, it is sent once more;
    /// its earlier attempts stay in the log). Office only; audited.
    pub async fn resend_delivery(&self, actor: &Actor, id: i64) -> Result<()> {
        crate::office_only(actor, "重新发送消息推送")?;
        let now = crate::now();
        let mut tx = self.begin().await?;
        let done = sqlx::query(
            "UPDATE webhook_deliveries SET status = $1, next_attempt_at = $2, lease_until = 0, created_at = $2
             WHERE id = $3",
        )
        .bind(DeliveryStatus::Pending.as_str())
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if done == 0 {
            return Err(StoreError::NotFound(format!("推送记录 {id}")));
        }
        commit_audited(
            tx,
            AuditEntry::new(actor, "webhook.resend", "webhook_delivery", id),
        )
        .await
    }

    /// Deliveries waiting to be sent (for `qx webhook deliver`'s summary and tests).
    pub async fn pending_deliveries(&self) -> Result<i64> {
        let (n,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM webhook_deliveries WHERE status = $1")
                .bind(DeliveryStatus::Pending.as_str())
                .fetch_one(self.pool())
                .await?;
        Ok(n)
    }
}
