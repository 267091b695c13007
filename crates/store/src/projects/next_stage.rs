//! What a project's stages say, stored on its row: its next planned stage (`projects.next_stage`,
//! `next_planned_on`, migration 0036) — the stage not reached yet with the earliest planned date,
//! what the project is overdue against — and the actual dates of the funnel's four stages
//! (`signed_on`, `registered_on`, `started_on`, `producing_on`, migration 0037). The alerts sweep
//! reads the first and the funnel the second with the project instead of its stage rows. Every
//! writer of a stage's planned or actual date calls [`refresh`] in its own transaction (entry,
//! edit, import, stage moves including 中止 and a move back); `testing::next_stage_drift` and
//! `testing::reached_drift` compare the stored values with the stages.

use super::*;
use qx_core::project::funnel::STAGES;
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

/// One project's stage rows, as [`refresh`] derives the stored values from them.
#[derive(Debug, Default)]
pub(crate) struct StageRows {
    /// The stages not reached that have a planned date, with that date.
    pub pending: Vec<(Stage, String)>,
    /// The actual dates of the funnel's four stages ([`STAGES`]: 签约, 注册, 开工, 投产).
    pub reached: [Option<String>; 4],
}

/// The stage rows of the projects `ids`, by project (a project without any is absent).
pub(crate) async fn stages_of(tx: &mut Tx, ids: &[i64]) -> Result<HashMap<i64, StageRows>> {
    let mut stages: HashMap<i64, StageRows> = HashMap::new();
    for chunk in ids.chunks(crate::BATCH_ROWS) {
        let sql = match crate::engine_of(tx) {
            crate::Engine::Sqlite => {
                "SELECT project_id, stage, planned_on, actual_on FROM project_stages
                 WHERE project_id IN (SELECT value FROM json_each($1))"
            }
            crate::Engine::Postgres => {
                "SELECT project_id, stage, planned_on, actual_on FROM project_stages
                 WHERE project_id IN (SELECT CAST(x AS BIGINT) FROM json_array_elements_text(CAST($1 AS JSON)) AS t(x))"
            }
        };
        let ids = serde_json::to_string(chunk).map_err(|e| StoreError::Invalid(e.to_string()))?;
        let rows: Vec<(i64, String, Option<String>, Option<String>)> =
            sqlx::query_as(sql).bind(ids).fetch_all(&mut **tx).await?;
        for (id, stage, planned, actual) in rows {
            let stage = Stage::parse(&stage).map_err(|e| StoreError::Invalid(e.to_string()))?;
            let of = stages.entry(id).or_default();
            match (actual, planned) {
                (None, Some(on)) => of.pending.push((stage, on)),
                (Some(on), _) => {
                    if let Some(k) = STAGES.iter().position(|s| *s == stage) {
                        of.reached[k] = Some(on);
                    }
                }
                (None, None) => {}
            }
        }
    }
    Ok(stages)
}

/// Recomputes the stored next planned stage and stages reached of the projects `ids` from their
/// stages, inside the writer's transaction (after its stage writes).
pub(crate) async fn refresh(tx: &mut Tx, ids: &[i64]) -> Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let mut stages = stages_of(tx, ids).await?;
    let engine = crate::engine_of(tx);
    for chunk in ids.chunks(crate::BATCH_ROWS) {
        let sql = format!(
            "WITH v (id, next_stage, next_planned_on, signed_on, registered_on, started_on, producing_on)
                AS (VALUES {})
             UPDATE projects SET next_stage = v.next_stage, next_planned_on = v.next_planned_on,
                signed_on = v.signed_on, registered_on = v.registered_on,
                started_on = v.started_on, producing_on = v.producing_on
             FROM v WHERE projects.id = v.id",
            crate::values_placeholders(engine, chunk.len(), 7)
        );
        let mut update = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in chunk {
            let StageRows { pending, reached } = stages.remove(id).unwrap_or_default();
            let next = next_of(pending);
            let [signed, registered, started, producing] = reached;
            update = update
                .bind(*id)
                .bind(next.as_ref().map(|(s, _)| s.as_str()))
                .bind(next.map(|(_, on)| on))
                .bind(signed)
                .bind(registered)
                .bind(started)
                .bind(producing);
        }
        update.execute(&mut **tx).await?;
    }
    Ok(())
}
