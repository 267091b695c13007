//! 本年已完成投资, stored (migration 0032, `project_year_done`): per project and year, the sum of
//! the approved monthly 调度 of that year, so the light, the list, the alerts sweep and the 例会
//! agenda read one row instead of re-summing up to twelve months per project.
//!
//! What counts changes only where a 调度 row or its unit's submission changes: a save of the
//! unit's 调度 of a period (`save_dispatch`, also under a correction while the earlier revision
//! stays approved) and the office's approval or return of the submission (`review_submission`).
//! Each calls [`refresh`] in its own transaction. A project moved to another unit changes
//! nothing that counts (a row counts by the submission of the unit that reported it, `d.unit_id`),
//! and a project's year is a key, not a part of the total, so edits need no refresh.
//! `testing::year_done_drift` is the check that the stored totals equal the months.

use crate::{Engine, Result, Tx};

/// The projects whose totals a change of unit `$2`'s 调度 or submission of period `$1` may move:
/// those it reported in that period (after the write) and the unit's own projects (a line it
/// cleared is gone from the table).
macro_rules! touched {
    () => {
        "(SELECT d.project_id FROM project_dispatches d WHERE d.period_id = $1 AND d.unit_id = $2
          UNION SELECT p.id FROM projects p WHERE p.unit_id = $2)"
    };
}

/// Recomputes, inside the writer's transaction, the stored year totals of period `period_id`'s
/// year for every project unit `unit_id`'s 调度 or submission of that period touches. The sum is
/// the one [`dispatch_approved!`](super::dispatch_approved) rule over the year's months.
pub(crate) async fn refresh(
    tx: &mut Tx,
    engine: Engine,
    period_id: i64,
    unit_id: i64,
) -> Result<()> {
    if engine == Engine::Postgres {
        // Two writers refreshing the same project (a moved project's months approved for both
        // of its units at once) queue here; each statement after the lock reads what the other
        // committed, so the later total is never computed from a stale snapshot. SQLite has one
        // writer at a time.
        sqlx::query(concat!(
            "SELECT p.id FROM projects p WHERE p.id IN ",
            touched!(),
            " ORDER BY p.id FOR UPDATE"
        ))
        .bind(period_id)
        .bind(unit_id)
        .fetch_all(&mut **tx)
        .await?;
    }
    sqlx::query(concat!(
        "DELETE FROM project_year_done
         WHERE year = (SELECT CAST(substr(rp.period, 1, 4) AS BIGINT) FROM report_periods rp WHERE rp.id = $1)
           AND project_id IN ",
        touched!()
    ))
    .bind(period_id)
    .bind(unit_id)
    .execute(&mut **tx)
    .await?;
    sqlx::query(concat!(
        "INSERT INTO project_year_done (project_id, year, invested_wan)
         SELECT d.project_id, CAST(substr(rp.period, 1, 4) AS BIGINT), SUM(d.invested_wan)
         FROM project_dispatches d JOIN report_periods rp ON rp.id = d.period_id
         WHERE substr(rp.period, 1, 4) = (SELECT substr(o.period, 1, 4) FROM report_periods o WHERE o.id = $1)
           AND d.project_id IN ",
        touched!(),
        " AND ",
        super::dispatch_approved!(),
        " GROUP BY d.project_id, CAST(substr(rp.period, 1, 4) AS BIGINT)"
    ))
    .bind(period_id)
    .bind(unit_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Recomputes every stored total from the months, as migration 0032 first filled the table
/// (bulk loads that write approved months directly: `testing::bulk_dispatch`).
pub(crate) async fn rebuild(tx: &mut Tx) -> Result<()> {
    sqlx::query("DELETE FROM project_year_done")
        .execute(&mut **tx)
        .await?;
    sqlx::query(concat!(
        "INSERT INTO project_year_done (project_id, year, invested_wan)
         SELECT d.project_id, CAST(substr(rp.period, 1, 4) AS BIGINT), SUM(d.invested_wan)
         FROM project_dispatches d JOIN report_periods rp ON rp.id = d.period_id
         WHERE ",
        super::dispatch_approved!(),
        " GROUP BY d.project_id, CAST(substr(rp.period, 1, 4) AS BIGINT)"
    ))
    .execute(&mut **tx)
    .await?;
    Ok(())
}
