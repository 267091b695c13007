//! Outgoing webhooks (消息推送): signed POSTs of the county's events to the endpoints the
//! office keeps (`store::webhooks`).
//!
//! Deliveries are rows written with the notice that raised them; this module sends them.
//! [`dispatch_notices`] (called after every write that made notices) starts a sending pass in
//! the background, [`spawn_worker`] (started by `qx serve`) runs one every
//! [`WORKER_INTERVAL`] for retries, and `qx webhook deliver` runs one from cron. A pass
//! claims due rows with a lease and sends each on its own task, so a hanging endpoint holds up
//! neither the request that raised the event nor the other endpoints.

mod message;
pub mod pages;
mod send;
pub mod sign;

pub use send::{Posted, post};

use qx_store::Store;
use qx_store::webhooks::{DueDelivery, Outcome};
use std::time::Duration;

/// How often the worker looks for retries that have come due.
pub const WORKER_INTERVAL: Duration = Duration::from_secs(30);

/// Settings (the `settings` table) and their defaults.
pub const TIMEOUT_SETTING: &str = "webhook.timeout_secs";
pub const GIVE_UP_SETTING: &str = "webhook.give_up_hours";
pub const DEFAULT_TIMEOUT_SECS: u64 = 10;
pub const DEFAULT_GIVE_UP_HOURS: i64 = 24;

/// At most this many deliveries per pass (the next pass takes the rest).
const BATCH: i64 = 100;

/// What a sending pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PassReport {
    pub delivered: usize,
    pub retrying: usize,
    pub given_up: usize,
}

/// Starts a sending pass in the background for deliveries the notices made (they are already
/// stored: this only saves waiting for the worker). Never waits, never fails the caller.
pub fn dispatch_notices(store: Store, notices: Vec<i64>) {
    if !notices.is_empty() {
        dispatch(store);
    }
}

/// The answer to a page form whose step wrote notices: their deliveries are started and the
/// browser is sent on to `to` (303, as every form's redirect).
pub(crate) fn notified(store: &Store, notices: Vec<i64>, to: &str) -> axum::response::Response {
    use axum::response::IntoResponse;
    dispatch_notices(store.clone(), notices);
    axum::response::Redirect::to(to).into_response()
}

/// Starts a sending pass in the background (after a write whose notices it does not list).
pub fn dispatch(store: Store) {
    tokio::spawn(async move {
        if let Err(e) = deliver_due(&store).await {
            tracing::warn!("webhook: sending pass failed: {e}");
        }
    });
}

/// Runs a sending pass every [`WORKER_INTERVAL`] for as long as the process lives.
pub fn spawn_worker(store: Store) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(WORKER_INTERVAL);
        loop {
            tick.tick().await;
            if let Err(e) = deliver_due(&store).await {
                tracing::warn!("webhook: sending pass failed: {e}");
            }
        }
    });
}

async fn settings(store: &Store) -> (Duration, i64) {
    let read = |key| async move { store.get_setting(key).await.ok().flatten() };
    let timeout = read(TIMEOUT_SETTING)
        .await
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|s| (1..=120).contains(s))
        .unwrap_or(DEFAULT_TIMEOUT_SECS);
    let give_up = read(GIVE_UP_SETTING)
        .await
        .and_then(|v| v.trim().parse::<i64>().ok())
        .filter(|h| (1..=24 * 30).contains(h))
        .unwrap_or(DEFAULT_GIVE_UP_HOURS);
    (Duration::from_secs(timeout), give_up * 3600)
}

/// Sends every delivery due now, each on its own task, and records each attempt.
pub async fn deliver_due(store: &Store) -> qx_store::Result<PassReport> {
    let (timeout, give_up) = settings(store).await;
    let lease = i64::try_from(timeout.as_secs()).unwrap_or(120) + 30;
    let due = store
        .claim_due_deliveries(qx_store::now(), BATCH, lease)
        .await?;
    let tasks: Vec<_> = due
        .into_iter()
        .map(|d| {
            let store = store.clone();
            tokio::spawn(async move { deliver_one(&store, d, timeout, give_up).await })
        })
        .collect();
    let mut report = PassReport::default();
    for t in tasks {
        match t.await {
            Ok(Ok(qx_core::webhook::DeliveryStatus::Delivered)) => report.delivered += 1,
            Ok(Ok(qx_core::webhook::DeliveryStatus::Pending)) => report.retrying += 1,
            Ok(Ok(qx_core::webhook::DeliveryStatus::Failed)) => report.given_up += 1,
            Ok(Err(e)) => tracing::warn!("webhook: cannot record an attempt: {e}"),
            Err(e) => tracing::warn!("webhook: sending task failed: {e}"),
        }
    }
    Ok(report)
}

async fn deliver_one(
    store: &Store,
    d: DueDelivery,
    timeout: Duration,
    give_up: i64,
) -> qx_store::Result<qx_core::webhook::DeliveryStatus> {
    let body = message::body(d.format, &d.payload);
    let now = qx_store::now();
    let url = if d.format == qx_core::webhook::Format::DingTalk && d.secret.starts_with("SEC") {
        sign::dingtalk_url(&d.url, &d.secret, now.saturating_mul(1000))
    } else {
        d.url.clone()
    };
    let event = serde_json::from_str::<serde_json::Value>(&d.payload)
        .ok()
        .and_then(|v| v.get("event").and_then(|e| e.as_str()).map(str::to_string))
        .unwrap_or_default();
    let headers = [
        (sign::TIMESTAMP_HEADER, now.to_string()),
        (
            sign::SIGNATURE_HEADER,
            sign::signature(&d.secret, now, body.as_bytes()),
        ),
        ("X-QX-Event", event),
        ("X-QX-Delivery", d.id.to_string()),
    ];
    let posted = post(&url, &headers, &body, timeout).await;
    let outcome = match posted.status {
        Ok(code) => Outcome {
            status_code: Some(code),
            error: if (200..300).contains(&code) {
                String::new()
            } else {
                format!("HTTP {code}")
            },
            duration_ms: posted.duration_ms,
        },
        Err(e) => Outcome {
            status_code: None,
            error: e,
            duration_ms: posted.duration_ms,
        },
    };
    if !outcome.succeeded() {
        tracing::warn!(delivery = d.id, "webhook {}: {}", d.url, outcome.error);
    }
    store
        .record_attempt(d.id, &outcome, qx_store::now(), give_up)
        .await
}
