//! Each project's next planned stage, stored on its row (`projects.next_stage`,
//! `next_planned_on`, migration 0036): the stage not reached yet with the earliest planned date,
//! what the project is overdue against. The alerts sweep reads it with the project instead of
//! every pending stage. Every writer of a stage's planned or actual date calls [`refresh`] in
//! its own transaction (entry, edit, import, stage moves including 中止 and a move back);
//! `testing::next_stage_drift` compares the stored value with the stages.

use super::*;
use std::collections::HashMap;

/// The next planned stage among a project's stages not reached that have a planned date: the
/// earliest date; two on the same date name the earlier in the ladder (not whichever row came
/// first), so the alert's key and message never depend on row order.
pub(crate) fn next_of(
    pending: impl IntoIterator<Item = (Stage, String)>,
) -> Option<(Stage, String)> {
    pending
        .into_iter()
        .min_by(|(a, a_on), (b, b_on)| a_on.cmp(b_on).then(ladder(*a).cmp(&ladder(*b))))
}

/// A stage's place for the tie-break: the pipeline's order, 中止 last.
fn ladder(stage: Stage) -> usize {
    stage.rank().unwrap_or(usize::MAX)
}

/// Every pending stage with a planned date of the projects `ids`, by project.
pub(crate) async fn pending_of(
    tx: &mut Tx,
    ids: &[i64],
) -> Result<HashMap<i64, Vec<(Stage, String)>>> {
    let mut pending: HashMap<i64, Vec<(Stage, String)>> = HashMap::new();
    for chunk in ids.chunks(crate::BATCH_ROWS) {
        let sql = match crate::engine_of(tx) {
            crate::Engine::Sqlite => {
                "SELECT project_id, stage, planned_on FROM project_stages
                 WHERE project_id IN (SELECT value FROM json_each($1))
                   AND actual_on IS NULL AND planned_on IS NOT NULL"
            }
            crate::Engine::Postgres => {
                "SELECT project_id, stage, planned_on FROM project_stages
                 WHERE project_id IN (SELECT CAST(x AS BIGINT) FROM json_array_elements_text(CAST($1 AS JSON)) AS t(x))
                   AND actual_on IS NULL AND planned_on IS NOT NULL"
            }
        };
        let ids = serde_json::to_string(chunk).map_err(|e| StoreError::Invalid(e.to_string()))?;
        let rows: Vec<(i64, String, String)> =
            sqlx::query_as(sql).bind(ids).fetch_all(&mut **tx).await?;
        for (id, stage, on) in rows {
            let stage = Stage::parse(&stage).map_err(|e| StoreError::Invalid(e.to_string()))?;
            pending.entry(id).or_default().push((stage, on));
        }
    }
    Ok(pending)
}

/// Recomputes the stored next planned stage of the projects `ids` from their stages, inside
/// the writer's transaction (after its stage writes).
pub(crate) async fn refresh(tx: &mut Tx, ids: &[i64]) -> Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let mut pending = pending_of(tx, ids).await?;
    let engine = crate::engine_of(tx);
    for chunk in ids.chunks(crate::BATCH_ROWS) {
        let sql = format!(
            "WITH v (id, next_stage, next_planned_on) AS (VALUES {})
             UPDATE projects SET next_stage = v.next_stage, next_planned_on = v.next_planned_on
             FROM v WHERE projects.id = v.id",
            crate::values_placeholders(engine, chunk.len(), 3)
        );
        let mut update = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in chunk {
            let next = next_of(pending.remove(id).unwrap_or_default());
            update = update
                .bind(*id)
                .bind(next.as_ref().map(|(s, _)| s.as_str()))
                .bind(next.map(|(_, on)| on));
        }
        update.execute(&mut **tx).await?;
    }
    Ok(())
}
