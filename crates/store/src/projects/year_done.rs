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
//!
//! The same writers keep the period's 实际利用外资 / 利用内资 (migration 0034,
//! `project_capital_done`): per reporting period, the sums of the approved 调度 rows' 到位
//! figures, which the plan's indicators read as of a day instead of every project's months.
//! [`refresh`] recomputes the period's sums with the year totals; `testing::capital_done_drift`
//! is its check.

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

/// The stored year totals as the months make them: the approved 调度 of each project and year,
/// over the rows the given conditions (each followed by `AND`) leave.
macro_rules! insert_year_done {
    ($($condition:expr),*) => {
        concat!(
            "INSERT INTO project_year_done (project_id, year, invested_wan)
             SELECT d.project_id, CAST(substr(rp.period, 1, 4) AS BIGINT), SUM(d.invested_wan)
             FROM project_dispatches d JOIN report_periods rp ON rp.id = d.period_id
             WHERE ",
            $($condition,)*
            super::dispatch_approved!(),
            " GROUP BY d.project_id, CAST(substr(rp.period, 1, 4) AS BIGINT)"
        )
    };
}

/// The stored 到位 sums as the months make them: the approved 调度 of each period, over the rows
/// the given conditions (each followed by `AND`) leave.
macro_rules! insert_capital_done {
    ($($condition:expr),*) => {
        concat!(
            "INSERT INTO project_capital_done (period_id, foreign_wusd, domestic_wan)
             SELECT d.period_id, SUM(d.foreign_wusd), SUM(d.domestic_wan) FROM project_dispatches d
             WHERE ",
            $($condition,)*
            super::dispatch_approved!(),
            " GROUP BY d.period_id"
        )
    };
}

/// Recomputes, inside the writer's transaction, the stored year totals of period `period_id`'s
/// year for every project unit `unit_id`'s 调度 or submission of that period touches, and the
/// period's stored 到位 sums. The sums are the one [`dispatch_approved!`](super::dispatch_approved)
/// rule over the year's months and over the period's rows.
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
    sqlx::query(insert_year_done!(
        "substr(rp.period, 1, 4) = (SELECT substr(o.period, 1, 4) FROM report_periods o WHERE o.id = $1)
           AND d.project_id IN ",
        touched!(),
        " AND "
    ))
    .bind(period_id)
    .bind(unit_id)
    .execute(&mut **tx)
    .await?;
    refresh_capital(tx, engine, period_id).await
}

/// The period's 外资/内资到位 over every unit's counted rows: a change of one unit's 调度 or
/// submission moves the period's sum, which the other units' rows are part of.
async fn refresh_capital(tx: &mut Tx, engine: Engine, period_id: i64) -> Result<()> {
    if engine == Engine::Postgres {
        // Two units' approvals of one period queue here, so the later sum reads what the other
        // committed. NO KEY UPDATE: the 调度 rows just written hold KEY SHARE on the period
        // (their foreign key), which this must not wait for.
        sqlx::query("SELECT rp.id FROM report_periods rp WHERE rp.id = $1 FOR NO KEY UPDATE")
            .bind(period_id)
            .fetch_all(&mut **tx)
            .await?;
    }
    sqlx::query("DELETE FROM project_capital_done WHERE period_id = $1")
        .bind(period_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query(insert_capital_done!("d.period_id = $1 AND "))
        .bind(period_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Recomputes every stored total and every period's 到位 sums from the months, as migrations
/// 0032 and 0034 first filled the tables (bulk loads that write approved months directly:
/// `testing::bulk_dispatch`).
#[cfg(any(test, feature = "testing"))]
pub(crate) async fn rebuild(tx: &mut Tx) -> Result<()> {
    sqlx::query("DELETE FROM project_year_done")
        .execute(&mut **tx)
        .await?;
    sqlx::query(insert_year_done!()).execute(&mut **tx).await?;
    sqlx::query("DELETE FROM project_capital_done")
        .execute(&mut **tx)
        .await?;
    sqlx::query(insert_capital_done!())
        .execute(&mut **tx)
        .await?;
    Ok(())
}
