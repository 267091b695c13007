//! What a reader sees of a run: the ranking (units: their class, once final), a unit's
//! breakdown (units: their own), every item (the office and leaders, for the export); and
//! re-scoring one unit after an adjustment, which re-ranks its class.

use super::{ItemResult, Run, UnitResult};
use crate::{Result, Store, StoreError, Tx};
use qx_core::access::Actor;
use qx_core::assessment::{RunStatus, UnitScore, rank};
use std::collections::HashMap;

macro_rules! result_columns {
    () => {
        "SELECT id, run_id, scheme_id, unit_id, unit_name, score, place, previous_place, lead_days, \
         vetoed FROM assessment_results "
    };
}

macro_rules! item_columns {
    () => {
        "SELECT id, result_id, item_key, name, kind, source, weight, figure, record_count, points, \
         applicable, class_average, provenance FROM assessment_items "
    };
}

/// Whether `actor` may open the breakdown of `unit_id` in a run it can see: the office and
/// leaders any unit's, a unit its own (the rule [`Store::assessment_breakdown`] enforces; pages
/// ask it before they link a unit's name).
pub fn reads_breakdown(actor: &Actor, unit_id: i64) -> bool {
    actor.reads_all() || actor.unit_id == Some(unit_id)
}

impl Store {
    /// The ranking of a run, grouped by scheme (class), by place. The office and leaders see
    /// every class; a unit its own class once the run is final, before that its own row.
    pub async fn assessment_ranking(&self, actor: &Actor, run_id: i64) -> Result<Vec<UnitResult>> {
        let run = self.assessment_run(actor, run_id).await?;
        let mut rows: Vec<UnitResult> =
            sqlx::query_as(concat!(result_columns!(), "WHERE run_id = $1"))
                .bind(run_id)
                .fetch_all(self.pool())
                .await?;
        rows.sort_by_key(|r| (r.scheme_id, r.place.is_none(), r.place, r.unit_id));
        if actor.reads_all() {
            return Ok(rows);
        }
        let own = actor
            .unit_id
            .and_then(|u| rows.iter().find(|r| r.unit_id == u));
        let Some(own_scheme) = own.map(|r| r.scheme_id) else {
            return Ok(Vec::new());
        };
        Ok(rows
            .into_iter()
            .filter(|r| {
                if run.status == RunStatus::Final {
                    r.scheme_id == own_scheme
                } else {
                    Some(r.unit_id) == actor.unit_id
                }
            })
            .collect())
    }

    /// A unit's result and items in a run: the office and leaders any unit's, a unit its own
    /// (once the run is in 公示); anything else "not found".
    pub async fn assessment_breakdown(
        &self,
        actor: &Actor,
        run_id: i64,
        unit_id: i64,
    ) -> Result<(Run, UnitResult, Vec<ItemResult>)> {
        let run = self.assessment_run(actor, run_id).await?;
        let not_found = || StoreError::NotFound(format!("考核 {run_id} 单位 {unit_id}"));
        if !reads_breakdown(actor, unit_id) {
            return Err(not_found());
        }
        let result: UnitResult = sqlx::query_as(concat!(
            result_columns!(),
            "WHERE run_id = $1 AND unit_id = $2"
        ))
        .bind(run_id)
        .bind(unit_id)
        .fetch_optional(self.pool())
        .await?
        .ok_or_else(not_found)?;
        let items = sqlx::query_as(concat!(item_columns!(), "WHERE result_id = $1 ORDER BY id"))
            .bind(result.id)
            .fetch_all(self.pool())
            .await?;
        Ok((run, result, items))
    }

    /// Every unit's items of a run (the office and leaders: the .xlsx export).
    pub async fn assessment_run_items(
        &self,
        actor: &Actor,
        run_id: i64,
    ) -> Result<Vec<(UnitResult, Vec<ItemResult>)>> {
        if !actor.reads_all() {
            return Err(StoreError::Forbidden(
                "只有办公室和领导可以导出全部考核明细".into(),
            ));
        }
        let ranking = self.assessment_ranking(actor, run_id).await?;
        let items: Vec<ItemResult> = sqlx::query_as(concat!(
            item_columns!(),
            "WHERE result_id IN (SELECT id FROM assessment_results WHERE run_id = $1) ORDER BY id"
        ))
        .bind(run_id)
        .fetch_all(self.pool())
        .await?;
        let mut by_result: HashMap<i64, Vec<ItemResult>> = HashMap::new();
        for i in items {
            by_result.entry(i.result_id).or_default().push(i);
        }
        Ok(ranking
            .into_iter()
            .map(|r| {
                let items = by_result.remove(&r.id).unwrap_or_default();
                (r, items)
            })
            .collect())
    }
}

/// Scores one result again from its (adjusted) items under its scheme, and re-ranks the
/// result's class within the run. Inside the adjusting transaction.
pub(super) async fn rescore(tx: &mut Tx, result_id: i64) -> Result<()> {
    let (run_id, scheme_id, body): (i64, i64, String) = sqlx::query_as(
        "SELECT r.run_id, r.scheme_id, s.body FROM assessment_results r \
         JOIN assessment_schemes s ON s.id = r.scheme_id WHERE r.id = $1",
    )
    .bind(result_id)
    .fetch_one(&mut **tx)
    .await?;
    let scheme = qx_core::assessment::Scheme::from_json(&body)
        .map_err(|e| StoreError::Invalid(e.to_string()))?;
    let items: Vec<ItemResult> = sqlx::query_as(concat!(item_columns!(), "WHERE result_id = $1"))
        .bind(result_id)
        .fetch_all(&mut **tx)
        .await?;
    let score = scheme.total(
        items
            .iter()
            .map(|i| (i.kind.0, i.applicable != 0, i.weight, i.points)),
    );
    sqlx::query("UPDATE assessment_results SET score = $1 WHERE id = $2")
        .bind(crate::OptF64(score))
        .bind(result_id)
        .execute(&mut **tx)
        .await?;
    // Re-rank the class by the engine's rule.
    let class: Vec<UnitResult> = sqlx::query_as(concat!(
        result_columns!(),
        "WHERE run_id = $1 AND scheme_id = $2"
    ))
    .bind(run_id)
    .bind(scheme_id)
    .fetch_all(&mut **tx)
    .await?;
    let scores: Vec<UnitScore> = class
        .iter()
        .map(|r| UnitScore {
            unit_id: r.unit_id,
            unit: r.unit_name.clone(),
            score: r.score,
            items: Vec::new(),
            vetoed: r.vetoed.clone(),
            lead_days: r.lead_days,
        })
        .collect();
    let previous: HashMap<i64, u32> = class
        .iter()
        .filter_map(|r| Some((r.unit_id, u32::try_from(r.previous_place?).ok()?)))
        .collect();
    for p in rank(&scores, &previous) {
        sqlx::query("UPDATE assessment_results SET place = $1 WHERE run_id = $2 AND unit_id = $3")
            .bind(i64::from(p.place))
            .bind(run_id)
            .bind(p.unit_id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}
