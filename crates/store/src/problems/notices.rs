//! The problems module's notices: what it tells whom, written to the one inbox
//! (`crate::notices`) in the step's own transaction.

use super::*;
use crate::notices::{InboxQuery, NewNotice, Notice};
use qx_core::notice::{Audience, NoticeKind, Subject, Text};

/// Adds a notice about a problem (or, without one, a general problems notice); with a
/// `dedupe_key` it is added only once. `audience` is the party told: the office (read by the
/// office and the leaders), a unit or an enterprise; `kind` is the problems event (`assigned`,
/// `overdue`, …). Returns the new notice's id, for the webhook sender.
pub(super) async fn notify(
    tx: &mut Tx,
    problem_id: Option<i64>,
    audience: &str,
    audience_id: Option<i64>,
    kind: &str,
    text: Text,
    dedupe_key: Option<String>,
) -> Result<Option<i64>> {
    let audience = match (audience, audience_id) {
        ("office", _) => Audience::County,
        ("unit", Some(id)) => Audience::Unit(id),
        ("enterprise", Some(id)) => Audience::Enterprise(id),
        other => return Err(StoreError::Invalid(format!("难题通知对象 {other:?}"))),
    };
    let kind = NoticeKind::parse(&format!("problem.{kind}"))
        .map_err(|e| StoreError::Invalid(e.to_string()))?;
    crate::notices::notify(
        tx,
        &NewNotice {
            audience,
            kind,
            subject: problem_id.map_or(Subject::None, Subject::Problem),
            text,
            dedupe_key,
        },
    )
    .await
}

impl Store {
    /// The actor's newest notices about problems (the problems page's box), newest first.
    pub async fn problem_notices(&self, actor: &Actor, limit: i64) -> Result<Vec<Notice>> {
        let limit = limit.clamp(1, 200);
        let mut found = Vec::new();
        let mut before = None;
        // The inbox is shared by every module: read it a page at a time until enough are found.
        for _ in 0..5 {
            let page = self
                .inbox(
                    actor,
                    InboxQuery {
                        unread: false,
                        before,
                        limit: 200,
                    },
                )
                .await?;
            let last = page.last().map(|n| n.id);
            found.extend(page.into_iter().filter(|n| {
                matches!(n.subject, Subject::Problem(_)) || n.kind.as_str().starts_with("problem.")
            }));
            if found.len() as i64 >= limit || last.is_none() {
                break;
            }
            before = last;
        }
        found.truncate(limit as usize);
        Ok(found)
    }
}
