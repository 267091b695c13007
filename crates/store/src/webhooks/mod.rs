//! Webhooks: endpoints with the events they want, and the deliveries owed to them.
//!
//! A delivery row is written by [`enqueue_notice`] inside the transaction that writes the
//! notice (so inside the change it announces): an event exists for sending exactly when the
//! change does, and a process that dies before sending loses nothing. Senders claim due rows
//! with a lease ([`Store::claim_due_deliveries`]) and record every attempt
//! ([`Store::record_attempt`]), which schedules the next one (`core::webhook::next_retry`).

mod deliveries;
mod endpoints;

pub use deliveries::{Attempt, DeliveryRow, DueDelivery, Outcome};
pub use endpoints::{Endpoint, EndpointForm, FieldProblem};

use crate::{Result, StoreError, Tx};
use qx_core::access::Actor;
use qx_core::label::{Labelled, Lang};
use qx_core::webhook::{DeliveryStatus, Event};

/// Writes one delivery per enabled endpoint subscribed to the notice's event, in the
/// notice's transaction. The payload is the event as sent in the JSON format (the 钉钉
/// format is made from it when sending).
pub async fn enqueue_notice(
    tx: &mut Tx,
    notice_id: i64,
    notice: &crate::notices::NewNotice,
) -> Result<()> {
    let event = Event::of_notice(notice.kind);
    let now = crate::now();
    let (audience, audience_id) = notice.audience.to_parts();
    let (subject_type, subject_id) = notice.subject.to_parts();
    let payload = serde_json::json!({
        "event": event.as_str(),
        "event_label": event.label(Lang::Zh),
        "notice_id": notice_id,
        "kind": notice.kind.as_str(),
        "kind_label": notice.kind.label(Lang::Zh),
        "message": notice.message,
        "subject": { "type": subject_type, "id": subject_id },
        "path": notice.subject.path(),
        "audience": { "kind": audience, "id": audience_id },
        "at": now,
    })
    .to_string();
    sqlx::query(
        "INSERT INTO webhook_deliveries (endpoint_id, event, notice_id, payload, status, next_attempt_at, created_at)
         SELECT e.id, $1, $2, $3, $4, $5, $5 FROM webhook_endpoints e
         JOIN webhook_subscriptions s ON s.endpoint_id = e.id AND s.event = $1
         WHERE e.enabled = 1",
    )
    .bind(event.as_str())
    .bind(notice_id)
    .bind(payload)
    .bind(DeliveryStatus::Pending.as_str())
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Endpoints and their log are the office's.
fn office_only(actor: &Actor) -> Result<()> {
    if actor.is_admin() {
        Ok(())
    } else {
        Err(StoreError::Forbidden("消息推送".into()))
    }
}
