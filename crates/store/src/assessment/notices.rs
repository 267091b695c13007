//! Who is told what about a run: the office when a unit objects, the unit when its objection
//! is answered, and every unit of the run when results go to 公示 and when they are final.
//! Written in the write's own transaction; the ids go back to the caller for webhooks.

use crate::notices::{NewNotice, notify};
use crate::{Result, Store, StoreError, Tx};
use qx_core::access::Actor;
use qx_core::notice::{Audience, NoticeKind, Subject, Text};

/// One notice, collected into `ids` when it was made.
pub(super) async fn tell(
    tx: &mut Tx,
    ids: &mut Vec<i64>,
    audience: Audience,
    kind: NoticeKind,
    subject: Subject,
    text: Text,
) -> Result<()> {
    let n = NewNotice {
        audience,
        kind,
        subject,
        text,
        dedupe_key: None,
    };
    ids.extend(notify(tx, &n).await?);
    Ok(())
}

/// Tells every unit of the run about its own result.
pub(super) async fn tell_units(
    tx: &mut Tx,
    run_id: i64,
    kind: NoticeKind,
    text: &Text,
) -> Result<Vec<i64>> {
    let units: Vec<(i64, i64)> =
        sqlx::query_as("SELECT id, unit_id FROM assessment_results WHERE run_id = $1 ORDER BY id")
            .bind(run_id)
            .fetch_all(&mut **tx)
            .await?;
    let mut ids = Vec::new();
    for (result_id, unit_id) in units {
        tell(
            tx,
            &mut ids,
            Audience::Unit(unit_id),
            kind,
            Subject::AssessmentResult(result_id),
            text.clone(),
        )
        .await?;
    }
    Ok(ids)
}

impl Store {
    /// The run and unit of a result, if the reader may see that unit's breakdown (where a
    /// notice about a result leads).
    pub async fn assessment_result_place(
        &self,
        actor: &Actor,
        result_id: i64,
    ) -> Result<(i64, i64)> {
        let row: Option<(i64, i64)> =
            sqlx::query_as("SELECT run_id, unit_id FROM assessment_results WHERE id = $1")
                .bind(result_id)
                .fetch_optional(self.pool())
                .await?;
        let (run_id, unit_id) =
            row.ok_or_else(|| StoreError::NotFound(format!("考核结果 {result_id}")))?;
        self.assessment_breakdown(actor, run_id, unit_id).await?;
        Ok((run_id, unit_id))
    }
}
