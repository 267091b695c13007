//! 站内通知: one inbox for every module (`core::notice` says who, what and where).
//!
//! Modules add notices inside their own write transaction with [`notify`], so a notice exists
//! exactly when the change it announces does. Reading is per person: a unit's notice is marked
//! read by each of its users separately (`notice_reads`). The link of a notice is made when it
//! is read and only if the reader may open its subject at that moment ([`Store::can_open`]),
//! so a reminder about a problem since handed to another unit shows its text without a link
//! instead of leading to "not found".

use crate::{Result, Store, StoreError, Tx};
use qx_core::access::{Actor, Role};
use qx_core::label::Lang;
use qx_core::notice::{Audience, NoticeError, NoticeKind, Subject, Text};
use serde::Serialize;

mod dating;
pub use dating::NoticeSpan;

/// A notice to add.
#[derive(Debug, Clone)]
pub struct NewNotice {
    pub audience: Audience,
    pub kind: NoticeKind,
    pub subject: Subject,
    /// What it says; stored as its kind and facts, and as the Chinese sentence.
    pub text: Text,
    /// With a key, the notice is added only once (the deadline sweep runs every ten minutes).
    pub dedupe_key: Option<String>,
}

/// A stored notice as its reader sees it.
#[derive(Debug, Clone, Serialize)]
pub struct Notice {
    pub id: i64,
    pub audience: Audience,
    pub kind: NoticeKind,
    pub subject: Subject,
    /// The Chinese sentence as stored (what webhooks and the API carry).
    pub message: String,
    /// What it says, when stored as a [`Text`] (every notice since migration 0038).
    #[serde(skip)]
    pub text: Option<Text>,
    pub created_at: i64,
    /// Read by the person asking (always false where no person asks, as for webhooks).
    pub read: bool,
}

type NoticeRow = (
    i64,
    String,
    Option<i64>,
    String,
    String,
    Option<i64>,
    String,
    Option<String>,
    i64,
    i64,
);

fn decode(row: NoticeRow) -> Result<Notice> {
    let (
        id,
        audience,
        audience_id,
        kind,
        subject_type,
        subject_id,
        message,
        body,
        created_at,
        read,
    ) = row;
    let bad = |e: NoticeError| StoreError::Invalid(format!("通知 {id}: {e}"));
    Ok(Notice {
        id,
        audience: Audience::from_parts(&audience, audience_id).map_err(bad)?,
        kind: NoticeKind::parse(&kind).map_err(bad)?,
        subject: Subject::from_parts(&subject_type, subject_id).map_err(bad)?,
        message,
        text: body.as_deref().and_then(Text::from_json),
        created_at,
        read: read != 0,
    })
}

impl Notice {
    /// What the notice says, in the reader's language; a notice stored before [`Text`] (or
    /// with a body this version cannot read) says its stored Chinese sentence.
    pub fn says(&self, lang: Lang) -> String {
        self.text
            .as_ref()
            .map_or_else(|| self.message.clone(), |t| t.render(lang))
    }
}

/// The columns a new notice writes, in the order [`bind_notice!`] binds them.
macro_rules! notice_insert {
    () => {
        "INSERT INTO notices (audience, audience_id, kind, subject_type, subject_id, message, body, dedupe_key, created_at) VALUES "
    };
}

/// Binds the nine values of [`notice_insert!`] for notice `$n`, written at `$now`: the Chinese
/// sentence beside the [`Text`] it renders from. With `skip_subject_id`, the subject's id is
/// left out: a server-side write fills in the id of the row it creates (migration 0040).
macro_rules! bind_notice {
    ($q:expr, $n:expr, $now:expr) => {
        $crate::notices::bind_notice!($q, $n, $now, bind_subject_id)
    };
    ($q:expr, $n:expr, $now:expr, $subject_id:ident) => {{
        let n: &$crate::notices::NewNotice = $n;
        let (audience, audience_id) = n.audience.to_parts();
        let (subject_type, subject_id) = n.subject.to_parts();
        let q = $q
            .bind(audience)
            .bind(audience_id)
            .bind(n.kind.as_str())
            .bind(subject_type);
        $crate::notices::bind_notice!(@$subject_id q, subject_id)
            .bind(n.text.render(qx_core::label::Lang::Zh))
            .bind(n.text.to_json())
            .bind(n.dedupe_key.clone())
            .bind($now)
    }};
    (@bind_subject_id $q:ident, $id:ident) => {
        $q.bind($id)
    };
    (@skip_subject_id $q:ident, $id:ident) => {{
        let _ = $id;
        $q
    }};
}
pub(crate) use bind_notice;

/// Adds a notice in the caller's transaction; with a `dedupe_key` already used, adds nothing.
/// Returns the new notice's id (for the webhook sender).
pub async fn notify(tx: &mut Tx, n: &NewNotice) -> Result<Option<i64>> {
    let q = sqlx::query_as(concat!(
        notice_insert!(),
        "($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (dedupe_key) DO NOTHING RETURNING id"
    ));
    let row: Option<(i64,)> = bind_notice!(q, n, crate::now())
        .fetch_optional(&mut **tx)
        .await?;
    if let Some((id,)) = row {
        crate::webhooks::enqueue_notice(tx, id, n).await?;
    }
    Ok(row.map(|(id,)| id))
}

/// [`notify`] for many notices at once (an import telling each unit of its new projects), in
/// the caller's transaction: multi-row inserts when no webhook endpoint subscribes to their
/// events (nothing to enqueue), else one by one through [`notify`].
pub async fn notify_all(tx: &mut Tx, notices: &[NewNotice]) -> Result<()> {
    let mut events: Vec<qx_core::webhook::Event> = notices
        .iter()
        .map(|n| qx_core::webhook::Event::of_notice(n.kind))
        .collect();
    events.sort_by_key(|e| e.as_str());
    events.dedup();
    for event in events {
        if crate::webhooks::subscribed(tx, event).await? {
            for n in notices {
                notify(tx, n).await?;
            }
            return Ok(());
        }
    }
    let now = crate::now();
    let engine = crate::engine_of(tx);
    for chunk in notices.chunks(crate::BATCH_ROWS) {
        let sql = format!(
            "{}{} ON CONFLICT (dedupe_key) DO NOTHING",
            notice_insert!(),
            crate::values_placeholders(engine, chunk.len(), 9)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for n in chunk {
            q = bind_notice!(q, n, now);
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

/// A notice's columns as a row of [`INBOX`] reads them, over `notices n` (its read flag follows).
macro_rules! notice_columns {
    () => {
        "n.id, n.audience, n.audience_id, n.kind, n.subject_type, n.subject_id, n.message, n.body, n.created_at"
    };
}

/// Whether notice `n` is for one of the actor's audiences, bound as `$2`–`$7` by
/// [`bind_recipient`]: the one recipient test of the inbox, a notice opened and the unread count.
macro_rules! for_recipient {
    () => {
        "((n.audience = $2 AND COALESCE(n.audience_id, -1) = $3)
         OR (n.audience = $4 AND COALESCE(n.audience_id, -1) = $5)
         OR (n.audience = $6 AND COALESCE(n.audience_id, -1) = $7))"
    };
}

/// The actor's notices with this user's read flag, up to the `WHERE` that [`INBOX`] and [`ONE`]
/// continue: `$1` the user, the recipient test over `$2`–`$7`.
macro_rules! recipient_select {
    () => {
        concat!(
            "SELECT ",
            notice_columns!(),
            ", CASE WHEN r.notice_id IS NULL THEN 0 ELSE 1 END
             FROM notices n
             LEFT JOIN notice_reads r ON r.notice_id = n.id AND r.user_id = $1
             WHERE ",
            for_recipient!()
        )
    };
}

/// The inbox query: the actor's own audiences (up to three `(audience, audience_id)` pairs,
/// an absent id bound as -1) and whether this user has read each notice, newest first by the
/// time each notice is dated (a notice recorded later for an earlier event, as an import
/// or the demo's replayed year writes, takes its event's place), `$9` the notice a page
/// continues after (`i64::MAX` for the first). Static SQL; the pairs an actor does not have
/// are bound to a value no row holds.
const INBOX: &str = concat!(
    recipient_select!(),
    " AND ($8 = 0 OR r.notice_id IS NULL)
       AND ($9 = 9223372036854775807 OR EXISTS (SELECT 1 FROM notices b WHERE b.id = $9
           AND (n.created_at < b.created_at OR (n.created_at = b.created_at AND n.id < b.id))))
     ORDER BY n.created_at DESC, n.id DESC LIMIT $10"
);

/// One notice of the actor's ([`INBOX`]'s recipient test), `$8` its id.
const ONE: &str = concat!(recipient_select!(), " AND n.id = $8");

const UNREAD: &str = concat!(
    "SELECT COUNT(*) FROM notices n WHERE ",
    for_recipient!(),
    " AND n.created_at >= $8
       AND NOT EXISTS (SELECT 1 FROM notice_reads r WHERE r.notice_id = n.id AND r.user_id = $1)"
);

/// Notices older than this never count as unread (a liaison new to a unit is not greeted by a
/// year of its reminders), though they stay in the list.
pub const UNREAD_WINDOW_SECS: i64 = 60 * 24 * 3600;

/// The actor's audiences padded to three pairs.
fn audience_binds(actor: &Actor) -> [(&'static str, i64); 3] {
    let mut pairs = [("", -1); 3];
    for (slot, (kind, id)) in pairs.iter_mut().zip(Audience::of_actor(actor)) {
        *slot = (kind, id.unwrap_or(-1));
    }
    pairs
}

/// Binds the recipient of [`INBOX`], [`ONE`] and [`UNREAD`] ($1 the user, $2–$7 the audiences).
fn bind_recipient<'q, O>(
    q: sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments>,
    actor: &Actor,
) -> sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments> {
    let [a, b, c] = audience_binds(actor);
    q.bind(actor.user_id)
        .bind(a.0)
        .bind(a.1)
        .bind(b.0)
        .bind(b.1)
        .bind(c.0)
        .bind(c.1)
}

/// Which notices to list.
#[derive(Debug, Clone, Copy)]
pub struct InboxQuery {
    /// Unread only.
    pub unread: bool,
    /// The notice the page continues after (the last of the previous page, newest first).
    pub before: Option<i64>,
    pub limit: i64,
}

impl Default for InboxQuery {
    fn default() -> Self {
        InboxQuery {
            unread: false,
            before: None,
            limit: 20,
        }
    }
}

impl Store {
    /// The actor's notices, newest first.
    pub async fn inbox(&self, actor: &Actor, q: InboxQuery) -> Result<Vec<Notice>> {
        let rows: Vec<NoticeRow> = bind_recipient(sqlx::query_as(INBOX), actor)
            .bind(i64::from(q.unread))
            .bind(q.before.unwrap_or(i64::MAX))
            .bind(q.limit.clamp(1, 200))
            .fetch_all(self.pool())
            .await?;
        rows.into_iter().map(decode).collect()
    }

    /// How many of the actor's recent notices they have not read (the bell's number).
    pub async fn unread_notices(&self, actor: &Actor) -> Result<i64> {
        let since = crate::now() - UNREAD_WINDOW_SECS;
        let (n,): (i64,) = bind_recipient(sqlx::query_as(UNREAD), actor)
            .bind(since)
            .fetch_one(self.pool())
            .await?;
        Ok(n)
    }

    /// Marks notices read for this user. Ids that are not the actor's notices are ignored;
    /// marking twice is harmless.
    pub async fn mark_notices_read(&self, actor: &Actor, ids: &[i64]) -> Result<usize> {
        if actor.user_id == 0 || ids.is_empty() {
            return Ok(0);
        }
        let mut tx = self.begin().await?;
        let mut marked = 0;
        for id in ids {
            let (audience, audience_id): (String, Option<i64>) =
                match sqlx::query_as("SELECT audience, audience_id FROM notices WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?
                {
                    Some(row) => row,
                    None => continue,
                };
            let mine = Audience::from_parts(&audience, audience_id)
                .map(|a| a.includes(actor))
                .unwrap_or(false);
            if !mine {
                continue;
            }
            marked += sqlx::query(
                "INSERT INTO notice_reads (notice_id, user_id, read_at) VALUES ($1, $2, $3)
                 ON CONFLICT (notice_id, user_id) DO NOTHING",
            )
            .bind(id)
            .bind(actor.user_id)
            .bind(crate::now())
            .execute(&mut *tx)
            .await?
            .rows_affected() as usize;
        }
        tx.commit().await?;
        Ok(marked)
    }

    /// Marks every notice of the actor read (up to the newest 1,000 unread).
    pub async fn mark_all_notices_read(&self, actor: &Actor) -> Result<usize> {
        let unread = self
            .inbox(
                actor,
                InboxQuery {
                    unread: true,
                    before: None,
                    limit: 200,
                },
            )
            .await?;
        let mut ids: Vec<i64> = unread.iter().map(|n| n.id).collect();
        let mut total = 0;
        for _ in 0..5 {
            if ids.is_empty() {
                break;
            }
            total += self.mark_notices_read(actor, &ids).await?;
            let next = self
                .inbox(
                    actor,
                    InboxQuery {
                        unread: true,
                        before: ids.last().copied(),
                        limit: 200,
                    },
                )
                .await?;
            ids = next.iter().map(|n| n.id).collect();
        }
        Ok(total)
    }

    /// One of the actor's notices by id, with whether this user has read it: "not found" when
    /// the actor is not in its audience (the inbox's own recipient test, [`for_recipient!`]).
    pub async fn notice(&self, actor: &Actor, id: i64) -> Result<Notice> {
        let row: Option<NoticeRow> = bind_recipient(sqlx::query_as(ONE), actor)
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        decode(row.ok_or_else(|| StoreError::NotFound(format!("通知 {id}")))?)
    }

    /// One notice by id whoever it is for (`read` false): tests only, to check what a step
    /// wrote; every reader goes through [`Store::notice`].
    #[cfg(feature = "testing")]
    pub async fn notice_unscoped(&self, id: i64) -> Result<Notice> {
        let row: Option<NoticeRow> = sqlx::query_as(concat!(
            "SELECT ",
            notice_columns!(),
            ", 0 FROM notices n WHERE n.id = $1"
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        decode(row.ok_or_else(|| StoreError::NotFound(format!("通知 {id}")))?)
    }

    /// Whether the actor may open the subject now, so its link may be shown. Each subject is
    /// checked by the module's own scoped read; "not found" and "forbidden" mean no.
    pub async fn can_open(&self, actor: &Actor, subject: Subject) -> Result<bool> {
        let found = match subject {
            Subject::None => return Ok(false),
            // The report form is the unit's own page for any period of a published plan.
            Subject::ReportPeriod(id) => {
                if actor.role != Role::Unit {
                    return Ok(false);
                }
                self.get_period(actor, id).await.map(drop)
            }
            Subject::Submission(id) => {
                if !actor.reads_all() {
                    return Ok(false);
                }
                self.get_submission(actor, id).await.map(drop)
            }
            Subject::Problem(id) => self.get_problem(actor, id).await.map(drop),
            Subject::Bulletin(id) => self.get_bulletin(actor, id).await.map(drop),
            Subject::Plan(id) => self.get_plan(actor, id).await.map(drop),
            Subject::Project(id) => self.get_project(actor, id).await.map(drop),
            Subject::Lead(id) => self.get_lead(actor, id).await.map(drop),
            Subject::Meeting(id) => self.get_meeting(actor, id).await.map(drop),
            Subject::Supervision(id) => self.get_supervision(actor, id).await.map(drop),
            Subject::CultivationEntry(id) => self.cultivation_entry(actor, id).await.map(drop),
            // The objection page is where the office answers.
            Subject::EvalObjection(_) => return Ok(actor.is_admin()),
            // A run's page is the county's; a result opens the unit's breakdown.
            Subject::AssessmentRun(id) => {
                if !actor.reads_all() {
                    return Ok(false);
                }
                self.assessment_run(actor, id).await.map(drop)
            }
            Subject::AssessmentResult(id) => {
                self.assessment_result_place(actor, id).await.map(drop)
            }
        };
        match found {
            Ok(()) => Ok(true),
            Err(StoreError::NotFound(_) | StoreError::Forbidden(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }
}
