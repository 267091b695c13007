//! The audit log (审计日志): append-only and tamper-evident.
//!
//! Each entry carries the SHA-256 of its own content and of the entry before it, so an edited,
//! removed or reordered row breaks the chain and [`Store::verify_audit`] names the first bad
//! sequence number. Triggers on both engines refuse UPDATE and DELETE on the table; the chain
//! catches what is done around them (a raw file edit, a dropped trigger).

use crate::{Result, Store, StoreError, Tx};
use qx_core::access::Actor;
use serde::Serialize;
use sha2::{Digest, Sha256};

/// What happened, to which record, by whom, with the record before and after.
#[derive(Debug, Clone)]
pub struct AuditEntry<'a> {
    pub actor: &'a Actor,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub ip: &'a str,
}

impl<'a> AuditEntry<'a> {
    pub fn new(
        actor: &'a Actor,
        action: &'a str,
        entity: &'a str,
        entity_id: impl ToString,
    ) -> Self {
        AuditEntry {
            actor,
            action,
            entity,
            entity_id: entity_id.to_string(),
            before: None,
            after: None,
            ip: &actor.ip,
        }
    }

    pub fn before(mut self, v: impl Serialize) -> Self {
        self.before = serde_json::to_value(v).ok();
        self
    }

    pub fn after(mut self, v: impl Serialize) -> Self {
        self.after = serde_json::to_value(v).ok();
        self
    }

    pub fn ip(mut self, ip: &'a str) -> Self {
        self.ip = ip;
        self
    }
}

/// One stored row of the log.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AuditRecord {
    pub seq: i64,
    pub at: i64,
    pub actor_id: Option<i64>,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    pub ip: String,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditRecord {
    /// The hash this record's content and place in the chain imply, as verification
    /// recomputes it. The algorithm is public and unkeyed: anyone who can write the database
    /// can recompute it too, which is why checkpoints ([`crate::audit_anchor`]) exist.
    pub fn compute_hash(&self) -> String {
        let fields = ChainFields::of(self);
        hash_hex(&fields.canonical(self.seq, self.at, &self.entity_id, &self.prev_hash))
    }
}

fn hash_hex(canonical: &str) -> String {
    hex::encode(Sha256::digest(canonical.as_bytes()))
}

/// What an entry's hash covers apart from its place in the chain, as canonical JSON text.
///
/// The canonical form is the JSON array `[seq, at, actor_id, actor, action, entity, entity_id,
/// before_json, after_json, ip, prev_hash]` (an unambiguous encoding: no delimiter can be
/// forged). `seq`, `prev_hash` and `at` (the time the entry joins the chain, so that times
/// follow the sequence) are only known once the head row is taken, and a new record's
/// `entity_id` may be known only inside the statement that creates it, so the rest is kept
/// as the two runs of members around `entity_id`; PostgreSQL splices the four in (the
/// `audit_append` function of migration 0012) exactly as [`ChainFields::canonical`] does.
struct ChainFields {
    /// `actor_id, actor, action, entity`
    head: String,
    /// `before_json, after_json, ip`
    tail: String,
}

impl ChainFields {
    fn of(rec: &AuditRecord) -> Self {
        let members = |v: serde_json::Value| {
            let text = v.to_string();
            text[1..text.len() - 1].to_string()
        };
        ChainFields {
            head: members(serde_json::json!([
                rec.actor_id,
                rec.actor,
                rec.action,
                rec.entity
            ])),
            tail: members(serde_json::json!([rec.before_json, rec.after_json, rec.ip])),
        }
    }

    fn canonical(&self, seq: i64, at: i64, entity_id: &str, prev_hash: &str) -> String {
        let json = |s: &str| serde_json::Value::from(s).to_string();
        format!(
            "[{seq},{at},{},{},{},{}]",
            self.head,
            json(entity_id),
            self.tail,
            json(prev_hash)
        )
    }
}

/// An entry appended on PostgreSQL: the server function takes the head, hashes the entry as
/// [`ChainFields::canonical`] does and writes it, in one call (migration 0012). Parameters
/// $1–$9 are bound by [`PendingEntry::bind`], $10 is the entity id.
const POSTGRES_APPEND: &str = "SELECT audit_append($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";

/// An entry before it takes its place in the chain (no `seq`, `at`, `prev_hash` or `hash` yet).
pub(crate) struct PendingEntry {
    record: AuditRecord,
    chain: ChainFields,
}

impl PendingEntry {
    pub(crate) fn new(entry: AuditEntry<'_>) -> Self {
        let record = AuditRecord {
            seq: 0,
            at: 0,
            actor_id: (entry.actor.user_id != 0).then_some(entry.actor.user_id),
            actor: entry.actor.username.clone(),
            action: entry.action.to_string(),
            entity: entry.entity.to_string(),
            entity_id: entry.entity_id,
            before_json: entry.before.map(|v| v.to_string()),
            after_json: entry.after.map(|v| v.to_string()),
            ip: entry.ip.to_string(),
            prev_hash: String::new(),
            hash: String::new(),
        };
        let chain = ChainFields::of(&record);
        PendingEntry { record, chain }
    }

    /// Binds the entry's fields as the first nine arguments of the PostgreSQL functions
    /// `audit_append` and `submission_new_revision` (migration 0012), in their order.
    pub(crate) fn bind<'q, O>(
        &'q self,
        q: sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments>,
    ) -> sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments> {
        let r = &self.record;
        q.bind(&self.chain.head)
            .bind(&self.chain.tail)
            .bind(r.actor_id)
            .bind(&r.actor)
            .bind(&r.action)
            .bind(&r.entity)
            .bind(&r.before_json)
            .bind(&r.after_json)
            .bind(&r.ip)
    }
}

/// Appends an entry inside the caller's transaction.
pub async fn append(tx: &mut Tx, entry: AuditEntry<'_>) -> Result<i64> {
    let pending = PendingEntry::new(entry);
    if tx.backend_name().eq_ignore_ascii_case("postgresql") {
        let (seq,): (i64,) = pending
            .bind(sqlx::query_as(POSTGRES_APPEND))
            .bind(&pending.record.entity_id)
            .fetch_one(&mut **tx)
            .await?;
        return Ok(seq);
    }
    // SQLite: the transaction already holds the database's write lock, so the chain never
    // forks; the head moves on, the entry is hashed here and written, the head takes its hash.
    let (seq, prev_hash): (i64, String) =
        sqlx::query_as("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
            .fetch_one(&mut **tx)
            .await?;
    let r = &pending.record;
    let at = crate::now();
    let hash = hash_hex(&pending.chain.canonical(seq, at, &r.entity_id, &prev_hash));
    sqlx::query(
        "INSERT INTO audit_log (seq, at, actor_id, actor, action, entity, entity_id, before_json, after_json, ip, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(seq)
    .bind(at)
    .bind(r.actor_id)
    .bind(&r.actor)
    .bind(&r.action)
    .bind(&r.entity)
    .bind(&r.entity_id)
    .bind(&r.before_json)
    .bind(&r.after_json)
    .bind(&r.ip)
    .bind(&prev_hash)
    .bind(&hash)
    .execute(&mut **tx)
    .await?;
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
        .bind(&hash)
        .execute(&mut **tx)
        .await?;
    Ok(seq)
}

/// Filter for browsing the log.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    pub actor: Option<String>,
    pub action_prefix: Option<String>,
    /// Entries with `seq` below this (for paging backwards from the newest).
    pub before_seq: Option<i64>,
    pub limit: i64,
}

/// The result of checking the whole chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditVerification {
    pub entries: i64,
    /// The first sequence number whose content or link does not match, if any.
    pub first_bad_seq: Option<i64>,
    pub reason: Option<String>,
}

impl AuditVerification {
    pub fn ok(&self) -> bool {
        self.first_bad_seq.is_none()
    }
}

/// The columns of an [`AuditRecord`], ready for a `WHERE` or `ORDER BY`.
macro_rules! audit_select {
    () => {
        "SELECT seq, at, actor_id, actor, action, entity, entity_id, before_json, after_json, ip, \
         prev_hash, hash FROM audit_log "
    };
}

impl Store {
    /// Appends one entry in its own transaction (for events that change nothing else,
    /// such as a failed login).
    pub async fn audit(&self, entry: AuditEntry<'_>) -> Result<i64> {
        let mut tx = self.begin().await?;
        let seq = append(&mut tx, entry).await?;
        tx.commit().await?;
        Ok(seq)
    }

    /// Newest first. The office's alone: the log names every account and what it did.
    pub async fn audit_list(&self, actor: &Actor, q: &AuditQuery) -> Result<Vec<AuditRecord>> {
        if !actor.is_admin() {
            return Err(StoreError::Forbidden(
                "审计日志只有办公室可以查看 (the audit log is the office's)".into(),
            ));
        }
        let limit = if q.limit <= 0 { 50 } else { q.limit.min(500) };
        // Optional filters (`$1 IS NULL OR …`): planned per request on PostgreSQL, where a
        // cached generic plan would ignore which filters are set.
        let rows = sqlx::query_as::<_, AuditRecord>(AUDIT_LIST_SQL)
            .persistent(self.engine() != crate::Engine::Postgres)
            .bind(q.entity.clone())
            .bind(q.entity_id.clone())
            .bind(q.actor.clone())
            .bind(q.action_prefix.clone())
            .bind(q.before_seq)
            .bind(limit)
            .fetch_all(self.pool())
            .await?;
        Ok(rows)
    }

    /// Recomputes every hash and link, oldest first.
    pub async fn verify_audit(&self) -> Result<AuditVerification> {
        use futures_util::TryStreamExt;
        let sql = concat!(audit_select!(), "ORDER BY seq");
        let mut rows = sqlx::query_as::<_, AuditRecord>(sql).fetch(self.pool());
        let mut expected_prev = "0".repeat(64);
        let mut expected_seq = 1;
        let mut count = 0;
        while let Some(rec) = rows.try_next().await? {
            count += 1;
            let bad = |reason: &str| AuditVerification {
                entries: count,
                first_bad_seq: Some(rec.seq),
                reason: Some(reason.to_string()),
            };
            if rec.seq != expected_seq {
                return Ok(bad("sequence gap: an entry was removed or inserted"));
            }
            if rec.prev_hash != expected_prev {
                return Ok(bad(
                    "link broken: prev_hash does not match the entry before",
                ));
            }
            if rec.compute_hash() != rec.hash {
                return Ok(bad("content changed: hash does not match the entry"));
            }
            expected_prev = rec.hash.clone();
            expected_seq += 1;
        }
        drop(rows);
        let (head_seq, head_hash): (i64, String) =
            sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1")
                .fetch_one(self.pool())
                .await?;
        if head_seq != count || (count > 0 && head_hash != expected_prev) {
            return Ok(AuditVerification {
                entries: count,
                first_bad_seq: Some(count + 1),
                reason: Some("the newest entries were removed (head does not match)".into()),
            });
        }
        Ok(AuditVerification {
            entries: count,
            first_bad_seq: None,
            reason: None,
        })
    }
}

/// Optional filters bind NULL to switch themselves off.
const AUDIT_LIST_SQL: &str = concat!(
    audit_select!(),
    "WHERE ($1 IS NULL OR entity = $1) AND ($2 IS NULL OR entity_id = $2) ",
    "AND ($3 IS NULL OR actor = $3) AND ($4 IS NULL OR action LIKE $4 || '%') ",
    "AND ($5 IS NULL OR seq < $5) ORDER BY seq DESC LIMIT $6"
);
