//! Entering an enterprise (or a 个体工商户) on a pipeline and moving it: each is one
//! transaction with the dated move (the entry's timeline) and its audit entry. The move table
//! is `EntryStatus::apply`; a date is never in the future nor before the entry's last move.

use super::{Pipeline, only_office};
use crate::audit::AuditEntry;
use crate::{Result, Store, StoreError, Tx, commit_audited};
use qx_core::access::Actor;
use qx_core::codes::CreditCode;
use qx_core::cultivation::{MoveKind, expires_on};
use qx_core::text;
use qx_core::time::{format_date, parse_date, today};
use serde::Serialize;
use time::Date;

/// A new entry. With `enterprise_id` the name and town come from the registry; without it (a
/// 个体工商户 not yet a firm) `name`, `reg_no` and `town_id` are the household's.
#[derive(Debug, Clone, Default, Serialize)]
pub struct NewEntry {
    pub pipeline_id: i64,
    pub enterprise_id: Option<i64>,
    pub name: String,
    pub reg_no: String,
    pub town_id: Option<i64>,
    pub stage_id: i64,
    pub on_date: String,
    pub evidence: String,
    pub certificate_no: String,
}

/// One move as asked for.
#[derive(Debug, Clone, Serialize)]
pub struct MoveRequest {
    pub kind: MoveKind,
    pub to_stage_id: Option<i64>,
    pub on_date: String,
    pub evidence: String,
    /// 个转企: the new firm's 统一社会信用代码, linking the entry to the registry.
    pub credit_code: String,
    pub certificate_no: String,
    pub board: String,
    pub stock_code: String,
}

/// A move's date: ISO, not after today, not before `not_before`.
fn move_date(s: &str, not_before: Option<&str>) -> Result<Date> {
    let d = parse_date(s).ok_or_else(|| {
        StoreError::Invalid(format!("日期: \"{}\" 格式应为 YYYY-MM-DD", s.trim()))
    })?;
    if d > today() {
        return Err(StoreError::Invalid("日期: 不能晚于今天".into()));
    }
    if let Some(min) = not_before
        && format_date(d).as_str() < min
    {
        return Err(StoreError::Invalid(format!(
            "日期: 不能早于上一次变动 ({min})"
        )));
    }
    Ok(d)
}

/// A UNIQUE violation (the enterprise is on the pipeline already) as a conflict saying so.
fn conflict(e: sqlx::Error, message: String) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(message),
        _ => StoreError::Db(e),
    }
}

pub(super) fn expiry(p: &Pipeline, on: Date) -> Option<String> {
    let years = u32::try_from(p.validity_years?).ok()?;
    expires_on(on, years).map(format_date)
}

/// Where a new entry stands: the household's or firm's details and its first stage.
pub(super) struct Placed<'a> {
    pub pipeline_id: i64,
    pub enterprise_id: Option<i64>,
    pub name: &'a str,
    pub reg_no: &'a str,
    pub town_id: Option<i64>,
    pub stage_id: i64,
    pub on: &'a str,
    pub expires_on: Option<String>,
    pub certificate_no: &'a str,
    pub evidence: &'a str,
}

/// Inserts an entry and its 入库 move (the caller checked every field and audits).
pub(super) async fn insert_entry(tx: &mut Tx, e: &Placed<'_>, user_id: i64) -> sqlx::Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO cultivation_entries (pipeline_id, enterprise_id, name, reg_no, town_id, stage_id, status, \
         entered_on, stage_since, expires_on, certificate_no, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'active', $7, $7, $8, $9, $10, $10) RETURNING id",
    )
    .bind(e.pipeline_id)
    .bind(e.enterprise_id)
    .bind(e.name)
    .bind(e.reg_no)
    .bind(e.town_id)
    .bind(e.stage_id)
    .bind(e.on)
    .bind(&e.expires_on)
    .bind(e.certificate_no)
    .bind(crate::now())
    .fetch_one(&mut **tx)
    .await?;
    insert_move(
        tx,
        id,
        MoveKind::Enter,
        None,
        Some(e.stage_id),
        e.on,
        e.evidence,
        user_id,
    )
    .await?;
    Ok(id)
}

/// What a move changes on its entry: the state, the stage reached (none when it leaves) with
/// its date and expiry, the registry link, and registration details (empty keeps the old).
pub(super) struct Moved<'a> {
    pub status: qx_core::cultivation::EntryStatus,
    pub to_stage: Option<i64>,
    pub on: &'a str,
    pub expires_on: Option<String>,
    pub enterprise_id: Option<i64>,
    pub certificate_no: &'a str,
    pub board: &'a str,
    pub stock_code: &'a str,
}

/// Writes a move onto its entry (the caller records the move itself and audits).
pub(super) async fn update_entry(tx: &mut Tx, id: i64, m: &Moved<'_>) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE cultivation_entries SET status = $1, stage_id = COALESCE($2, stage_id), \
         stage_since = CASE WHEN $2 IS NULL THEN stage_since ELSE $3 END, \
         expires_on = CASE WHEN $2 IS NULL THEN expires_on ELSE $4 END, enterprise_id = $5, \
         certificate_no = CASE WHEN $6 = '' THEN certificate_no ELSE $6 END, \
         board = CASE WHEN $7 = '' THEN board ELSE $7 END, \
         stock_code = CASE WHEN $8 = '' THEN stock_code ELSE $8 END, updated_at = $9 WHERE id = $10",
    )
    .bind(m.status.as_str())
    .bind(m.to_stage)
    .bind(m.on)
    .bind(&m.expires_on)
    .bind(m.enterprise_id)
    .bind(m.certificate_no)
    .bind(m.board)
    .bind(m.stock_code)
    .bind(crate::now())
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
pub(super) async fn insert_move(
    tx: &mut Tx,
    entry_id: i64,
    kind: MoveKind,
    from: Option<i64>,
    to: Option<i64>,
    on: &str,
    evidence: &str,
    user_id: i64,
) -> sqlx::Result<()> {
    count_reached(tx, entry_id, kind, to, on).await?;
    sqlx::query(
        "INSERT INTO cultivation_moves (entry_id, kind, from_stage_id, to_stage_id, on_date, evidence, user_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(entry_id)
    .bind(kind.as_str())
    .bind(from)
    .bind(to)
    .bind(on)
    .bind(evidence)
    .bind((user_id > 0).then_some(user_id))
    .bind(crate::now())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Keeps `cultivation_reached_days` (migration 0033) for a move about to be written: a move
/// that reaches a stage counts its entry on its day when it is the entry's first reach of that
/// stage in the year. Were an earlier-dated reach ever written after a later one, the count
/// moves to the earlier day. What [`Store::recount_cultivation_reached`] computes from the moves.
async fn count_reached(
    tx: &mut Tx,
    entry_id: i64,
    kind: MoveKind,
    to: Option<i64>,
    on: &str,
) -> sqlx::Result<()> {
    let reaches = matches!(
        kind,
        MoveKind::Enter | MoveKind::Advance | MoveKind::Reenter
    );
    let Some(stage) = to.filter(|_| reaches) else {
        return Ok(());
    };
    let year = on.get(..4).unwrap_or(on);
    let (first,): (Option<String>,) = sqlx::query_as(
        "SELECT MIN(on_date) FROM cultivation_moves WHERE entry_id = $1 AND to_stage_id = $2 \
         AND kind IN ('enter', 'advance', 'reenter') AND on_date >= $3 AND on_date <= $4",
    )
    .bind(entry_id)
    .bind(stage)
    .bind(format!("{year}-01-01"))
    .bind(format!("{year}-12-31"))
    .fetch_one(&mut **tx)
    .await?;
    match first {
        Some(first) if first.as_str() <= on => return Ok(()),
        Some(first) => add_reached(tx, stage, &first, -1).await?,
        None => {}
    }
    add_reached(tx, stage, on, 1).await
}

async fn add_reached(tx: &mut Tx, stage: i64, on: &str, n: i64) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO cultivation_reached_days (stage_id, on_date, entries) VALUES ($1, $2, $3) \
         ON CONFLICT (stage_id, on_date) DO UPDATE SET entries = cultivation_reached_days.entries + $3",
    )
    .bind(stage)
    .bind(on)
    .bind(n)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Store {
    /// Enters one enterprise or household on a pipeline at a stage (the office only).
    pub async fn enter_cultivation(&self, actor: &Actor, new: &NewEntry) -> Result<i64> {
        only_office(actor)?;
        let p = self.cultivation_pipeline(new.pipeline_id).await?;
        if p.position(new.stage_id).is_none() {
            return Err(StoreError::Invalid("阶段: 请选择本培育库的阶段".into()));
        }
        let on = move_date(&new.on_date, None)?;
        let evidence = text::MOVE_EVIDENCE
            .check(&new.evidence)
            .map_err(StoreError::Invalid)?;
        let certificate = text::ENTRY_FIELD
            .check(&new.certificate_no)
            .map_err(StoreError::Invalid)?;
        let (name, reg_no, town) = match new.enterprise_id {
            Some(eid) => {
                let e = self.get_enterprise(actor, eid).await?;
                (e.name, String::new(), e.town_id)
            }
            None => {
                let name = text::ENTRY_FIELD
                    .check(&new.name)
                    .map_err(StoreError::Invalid)?;
                let reg = text::ENTRY_FIELD
                    .check(&new.reg_no)
                    .map_err(StoreError::Invalid)?;
                if name.is_empty() {
                    return Err(StoreError::Invalid("名称: 不能为空".into()));
                }
                (name.to_string(), reg.to_string(), new.town_id)
            }
        };
        let on_s = format_date(on);
        let mut tx = self.begin().await?;
        let placed = Placed {
            pipeline_id: p.id,
            enterprise_id: new.enterprise_id,
            name: &name,
            reg_no: &reg_no,
            town_id: town,
            stage_id: new.stage_id,
            on: &on_s,
            expires_on: expiry(&p, on),
            certificate_no: certificate,
            evidence,
        };
        let id = insert_entry(&mut tx, &placed, actor.user_id)
            .await
            .map_err(|e| conflict(e, format!("{name} 已在「{}」中", p.name)))?;
        let entry = AuditEntry::new(actor, "cultivation.enter", "cultivation_entry", id).after(new);
        commit_audited(tx, entry).await?;
        Ok(id)
    }

    /// Moves an entry (the office only): up, back, out or in again, dated and evidenced.
    pub async fn move_cultivation(&self, actor: &Actor, id: i64, req: &MoveRequest) -> Result<()> {
        only_office(actor)?;
        let (entry, moves) = self.cultivation_entry(actor, id).await?;
        let p = self.cultivation_pipeline(entry.pipeline_id).await?;
        let current = p
            .position(entry.stage_id)
            .ok_or_else(|| StoreError::Invalid(format!("培育对象 {id} 的阶段不在培育库中")))?;
        let to = match req.kind {
            MoveKind::Exit => None,
            _ => req.to_stage_id.and_then(|s| p.position(s)),
        };
        let status = entry
            .status
            .apply(req.kind, current, to, p.stages.len())
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        let last = moves.last().map(|m| m.on_date.as_str());
        let on = move_date(&req.on_date, last)?;
        let evidence = text::MOVE_EVIDENCE
            .check(&req.evidence)
            .map_err(StoreError::Invalid)?;
        let field = |v: &str| {
            text::ENTRY_FIELD
                .check(v)
                .map(str::to_string)
                .map_err(StoreError::Invalid)
        };
        let certificate = field(&req.certificate_no)?;
        let board = field(&req.board)?;
        let stock = field(&req.stock_code)?;
        let linked = match req.credit_code.trim() {
            "" => entry.enterprise_id,
            typed => {
                let code = CreditCode::parse(typed)
                    .map_err(|e| StoreError::Invalid(format!("统一社会信用代码: {e}")))?;
                let found: Option<(i64,)> =
                    sqlx::query_as("SELECT id FROM enterprises WHERE credit_code = $1")
                        .bind(code.as_str())
                        .fetch_optional(self.pool())
                        .await?;
                match found {
                    Some((eid,)) => Some(eid),
                    None => {
                        return Err(StoreError::Invalid(format!(
                            "统一社会信用代码: 企业名录中没有 {typed}, 请先登记该企业"
                        )));
                    }
                }
            }
        };
        let to_stage = to.map(|t| p.stages[t].id);
        let on_s = format_date(on);
        let mut tx = self.begin().await?;
        let moved = Moved {
            status,
            to_stage,
            on: &on_s,
            expires_on: expiry(&p, on),
            enterprise_id: linked,
            certificate_no: &certificate,
            board: &board,
            stock_code: &stock,
        };
        update_entry(&mut tx, id, &moved)
            .await
            .map_err(|e| conflict(e, format!("该企业已在「{}」中", p.name)))?;
        insert_move(
            &mut tx,
            id,
            req.kind,
            Some(entry.stage_id),
            to_stage,
            &on_s,
            evidence,
            actor.user_id,
        )
        .await?;
        let audit = AuditEntry::new(actor, "cultivation.move", "cultivation_entry", id)
            .before(&entry)
            .after(req);
        commit_audited(tx, audit).await
    }
}
