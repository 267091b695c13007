//! What 考核评价 reads of the 企业培育库: each cultivation result (an entry reaching a milestone
//! stage — 纳入规上统计, 转为企业, 认定高新技术企业 …) from one day to another, by the date the move
//! says the stage was reached, with the units it is a result of: the town the enterprise is in
//! and the unit responsible for the pipeline.

use crate::{Result, Store};
use qx_core::access::Actor;
use serde::Serialize;

/// An entry that reached a milestone stage, once per entry and stage (its first day in range).
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Reached {
    pub entry_id: i64,
    pub name: String,
    pub pipeline: String,
    pub stage: String,
    pub on_date: String,
    pub town_id: Option<i64>,
    pub responsible_unit_id: Option<i64>,
}

impl Reached {
    /// The units this result counts for: the town, and the pipeline's responsible unit when
    /// that is another unit.
    pub fn units(&self) -> Vec<i64> {
        let mut out: Vec<i64> = self.town_id.into_iter().collect();
        if let Some(r) = self
            .responsible_unit_id
            .filter(|r| Some(*r) != self.town_id)
        {
            out.push(r);
        }
        out
    }
}

impl Store {
    /// The milestone stages reached from `from` to `to` (ISO dates, both included) by entries
    /// the actor may read for assessment: everything for the office and leaders, else the
    /// results of the actor's own unit (its town's entries or its pipelines'). Oldest first.
    pub async fn cultivation_reached_by_unit(
        &self,
        actor: &Actor,
        from: &str,
        to: &str,
    ) -> Result<Vec<Reached>> {
        Ok(sqlx::query_as(
            "SELECT ce.id AS entry_id, ce.name, p.name AS pipeline, s.name AS stage, \
             MIN(m.on_date) AS on_date, ce.town_id, p.responsible_unit_id \
             FROM cultivation_moves m \
             JOIN cultivation_stages s ON s.id = m.to_stage_id \
             JOIN cultivation_entries ce ON ce.id = m.entry_id \
             JOIN cultivation_pipelines p ON p.id = ce.pipeline_id \
             WHERE s.milestone IS NOT NULL AND m.on_date >= $1 AND m.on_date <= $2 \
             AND m.kind IN ('enter', 'advance', 'reenter') \
             AND ($3 = 1 OR ce.town_id = $4 OR p.responsible_unit_id = $4) \
             GROUP BY ce.id, ce.name, p.name, s.id, s.name, ce.town_id, p.responsible_unit_id \
             ORDER BY MIN(m.on_date), ce.id, s.id",
        )
        .bind(from)
        .bind(to)
        .bind(i64::from(actor.reads_all()))
        .bind(actor.unit_id.unwrap_or(0))
        .fetch_all(self.pool())
        .await?)
    }
}
