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

use crate::{Result, Tx};
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
    let mut payload = base_payload(event, notice.subject, &notice.text.render(Lang::Zh), now);
    payload.insert("notice_id".into(), notice_id.into());
    payload.insert("kind".into(), notice.kind.as_str().into());
    payload.insert("kind_label".into(), notice.kind.label(Lang::Zh).into());
    payload.insert(
        "audience".into(),
        serde_json::json!({ "kind": audience, "id": audience_id }),
    );
    let payload = serde_json::Value::Object(payload).to_string();
    enqueue(tx, event, notice_id.into(), &payload, now).await
}

/// Whether any enabled endpoint subscribes to `event`: when none does, a notice enqueues
/// nothing, and a batch of notices can be written without asking per notice.
pub(crate) async fn subscribed(tx: &mut Tx, event: Event) -> Result<bool> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM webhook_endpoints e
         JOIN webhook_subscriptions s ON s.endpoint_id = e.id AND s.event = $1
         WHERE e.enabled = 1",
    )
    .bind(event.as_str())
    .fetch_one(&mut **tx)
    .await?;
    Ok(n > 0)
}

/// Writes one delivery of `event` per subscribed enabled endpoint for a change that tells no
/// one in the app (an issued bulletin: everyone reads bulletins, no inbox gets a notice), in
/// the caller's transaction. `subject` and `message` are sent as a notice's are.
pub async fn enqueue_event(
    tx: &mut Tx,
    event: Event,
    subject: qx_core::notice::Subject,
    message: &str,
) -> Result<()> {
    let now = crate::now();
    let payload = serde_json::Value::Object(base_payload(event, subject, message, now)).to_string();
    enqueue(tx, event, None, &payload, now).await
}

/// What every message says: the event, its subject and page, the text, when.
fn base_payload(
    event: Event,
    subject: qx_core::notice::Subject,
    message: &str,
    now: i64,
) -> serde_json::Map<String, serde_json::Value> {
    let (subject_type, subject_id) = subject.to_parts();
    let serde_json::Value::Object(map) = serde_json::json!({
        "event": event.as_str(),
        "event_label": event.label(Lang::Zh),
        "message": message,
        "subject": { "type": subject_type, "id": subject_id },
        "path": subject.path(),
        "at": now,
    }) else {
        unreachable!("a JSON object literal is an object")
    };
    map
}

async fn enqueue(
    tx: &mut Tx,
    event: Event,
    notice_id: Option<i64>,
    payload: &str,
    now: i64,
) -> Result<()> {
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
