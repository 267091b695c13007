//! Reading entries: one pipeline's list with filters (stage, town, industry, status, name), one
//! entry with its timeline, and an enterprise's tracks (what its card shows). All scoped.

use super::{Entry, Move, entry_scope};
use crate::enterprises::scoped;
use crate::{Result, Store, StoreError};
use qx_core::access::Actor;
use qx_core::cultivation::EntryStatus;
use serde::Serialize;

/// A list's filters; `None` and empty strings mean "any".
#[derive(Debug, Clone, Default)]
pub struct EntryFilter {
    pub pipeline_id: i64,
    pub stage_id: Option<i64>,
    pub town_id: Option<i64>,
    /// Industry code prefix (大类 "34" or longer).
    pub industry: String,
    /// Active entries unless asked otherwise.
    pub status: Option<EntryStatus>,
    /// Part of the name or the credit code.
    pub q: String,
    pub limit: i64,
    pub offset: i64,
}

/// One line of a pipeline's list.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct EntryRow {
    pub id: i64,
    pub enterprise_id: Option<i64>,
    pub credit_code: Option<String>,
    pub name: String,
    pub reg_no: String,
    pub town_name: Option<String>,
    pub industry_code: Option<String>,
    pub stage_name: String,
    #[sqlx(try_from = "String")]
    pub status: EntryStatus,
    pub entered_on: String,
    pub stage_since: String,
    pub expires_on: Option<String>,
}

/// One of an enterprise's tracks: the pipeline, where it stands and the stage's policy.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Track {
    pub entry_id: i64,
    pub pipeline_name: String,
    pub stage_name: String,
    #[sqlx(try_from = "String")]
    pub status: EntryStatus,
    pub stage_since: String,
    pub expires_on: Option<String>,
    pub policy_text: String,
    pub policy_amount_wan: Option<String>,
}

/// The list's query: every filter tests the entry row itself (its pipeline, stage, town,
/// status, name and 注册号), bar the industry and the credit code, which only the registry
/// knows; an empty filter is skipped before any `LIKE`. The total comes in the same pass
/// (`COUNT(*) OVER ()`), so the filtered set is read once.
const LIST: &str = concat!(
    "SELECT ce.id, ce.enterprise_id, e.credit_code, ce.name, ce.reg_no, t.name AS town_name, \
     e.industry_code, s.name AS stage_name, ce.status, ce.entered_on, ce.stage_since, ce.expires_on, \
     COUNT(*) OVER () AS total \
     FROM cultivation_entries ce JOIN cultivation_pipelines p ON p.id = ce.pipeline_id \
     JOIN cultivation_stages s ON s.id = ce.stage_id \
     LEFT JOIN enterprises e ON e.id = ce.enterprise_id \
     LEFT JOIN units t ON t.id = ce.town_id WHERE ",
    entry_scope!(),
    " AND ce.pipeline_id = $4 AND ce.status = $5 AND ($6 = -1 OR ce.stage_id = $6) \
     AND ($7 = -1 OR ce.town_id = $7) AND ($8 = '' OR e.industry_code LIKE $8) \
     AND ($9 = '' OR ce.name LIKE $9 OR e.credit_code LIKE $9 OR ce.reg_no LIKE $9) \
     ORDER BY s.ordinal DESC, ce.stage_since DESC, ce.id LIMIT $10 OFFSET $11"
);

/// The same filters counted alone, for a page past the end (no row carries the total then).
const COUNT: &str = concat!(
    "SELECT COUNT(*) FROM cultivation_entries ce JOIN cultivation_pipelines p ON p.id = ce.pipeline_id \
     LEFT JOIN enterprises e ON e.id = ce.enterprise_id WHERE ",
    entry_scope!(),
    " AND ce.pipeline_id = $4 AND ce.status = $5 AND ($6 = -1 OR ce.stage_id = $6) \
     AND ($7 = -1 OR ce.town_id = $7) AND ($8 = '' OR e.industry_code LIKE $8) \
     AND ($9 = '' OR ce.name LIKE $9 OR e.credit_code LIKE $9 OR ce.reg_no LIKE $9)"
);

/// A list row with the filtered total beside it.
#[derive(sqlx::FromRow)]
struct Counted {
    #[sqlx(flatten)]
    row: EntryRow,
    total: i64,
}

fn bind_filter<'q, O>(
    q: sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments>,
    actor: &Actor,
    f: &EntryFilter,
) -> sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments> {
    let industry = f.industry.trim();
    let q_text = f.q.trim();
    scoped(q, actor)
        .bind(f.pipeline_id)
        .bind(f.status.unwrap_or(EntryStatus::Active).as_str())
        .bind(f.stage_id.unwrap_or(-1))
        .bind(f.town_id.unwrap_or(-1))
        .bind(if industry.is_empty() {
            String::new()
        } else {
            format!("{industry}%")
        })
        .bind(if q_text.is_empty() {
            String::new()
        } else {
            format!("%{q_text}%")
        })
}

impl Store {
    /// One pipeline's entries that `actor` may read, filtered, with the total before paging.
    pub async fn cultivation_entries(
        &self,
        actor: &Actor,
        f: &EntryFilter,
    ) -> Result<(Vec<EntryRow>, i64)> {
        let counted: Vec<Counted> = bind_filter(sqlx::query_as(LIST), actor, f)
            .bind(f.limit)
            .bind(f.offset)
            .fetch_all(self.pool())
            .await?;
        let total = match counted.first() {
            Some(c) => c.total,
            None if f.offset > 0 => {
                let (n,): (i64,) = bind_filter(sqlx::query_as(COUNT), actor, f)
                    .fetch_one(self.pool())
                    .await?;
                n
            }
            None => 0,
        };
        Ok((counted.into_iter().map(|c| c.row).collect(), total))
    }

    /// One entry, if `actor` may read it ("not found" otherwise), with its timeline, oldest first.
    pub async fn cultivation_entry(&self, actor: &Actor, id: i64) -> Result<(Entry, Vec<Move>)> {
        let entry: Option<Entry> = scoped(
            sqlx::query_as(concat!(
                "SELECT ce.id, ce.pipeline_id, ce.enterprise_id, e.credit_code, ce.name, ce.reg_no, ce.town_id, \
                 t.name AS town_name, ce.stage_id, ce.status, ce.entered_on, ce.stage_since, ce.expires_on, \
                 ce.certificate_no, ce.board, ce.stock_code \
                 FROM cultivation_entries ce JOIN cultivation_pipelines p ON p.id = ce.pipeline_id \
                 LEFT JOIN enterprises e ON e.id = ce.enterprise_id LEFT JOIN units t ON t.id = ce.town_id WHERE ",
                entry_scope!(),
                " AND ce.id = $4"
            )),
            actor,
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        let entry = entry.ok_or_else(|| StoreError::NotFound(format!("培育对象 {id}")))?;
        let moves = sqlx::query_as(
            "SELECT m.id, m.kind, f.name AS from_stage, t.name AS to_stage, m.on_date, m.evidence, \
             COALESCE(NULLIF(u.display_name, ''), u.username) AS by_user \
             FROM cultivation_moves m LEFT JOIN cultivation_stages f ON f.id = m.from_stage_id \
             LEFT JOIN cultivation_stages t ON t.id = m.to_stage_id LEFT JOIN users u ON u.id = m.user_id \
             WHERE m.entry_id = $1 ORDER BY m.on_date, m.id",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        Ok((entry, moves))
    }

    /// An enterprise's tracks with the policy of the stage it stands at, as `actor` may read.
    pub async fn cultivation_tracks(
        &self,
        actor: &Actor,
        enterprise_id: i64,
    ) -> Result<Vec<Track>> {
        Ok(scoped(
            sqlx::query_as(concat!(
                "SELECT ce.id AS entry_id, p.name AS pipeline_name, s.name AS stage_name, ce.status, \
                 ce.stage_since, ce.expires_on, s.policy_text, s.policy_amount_wan \
                 FROM cultivation_entries ce JOIN cultivation_pipelines p ON p.id = ce.pipeline_id \
                 JOIN cultivation_stages s ON s.id = ce.stage_id WHERE ",
                entry_scope!(),
                " AND ce.enterprise_id = $4 ORDER BY p.ordinal, ce.id"
            )),
            actor,
        )
        .bind(enterprise_id)
        .fetch_all(self.pool())
        .await?)
    }
}
