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

/// The filters every list query shares, after the scope ($1–$3) and `ce.pipeline_id = $4 AND
/// ce.status = $5`: the town is `$6` (-1: any), the industry prefix pattern `$7` and the
/// name/code pattern `$8` ('' : any). The industry and the credit code only the registry knows,
/// so they are read by the entry's firm (a scalar subquery: one key lookup per entry tested,
/// never a hashed scan of the whole registry, which PostgreSQL may plan for an `EXISTS` under
/// the `OR`), and only when their pattern is set; no firm reads NULL, which no `LIKE` matches; the town either is a
/// residual test (`any_town!`, which skips it for -1) or leads the index (`one_town!`). Two
/// static texts rather than one with `$6 = -1 OR …`, because no planner seeks an index through
/// such an `OR` of a bound value. Reached from the registry's industry index (`by_industry!`),
/// the firm is already joined as `ie`, and its industry is read there (`industry: ie`).
macro_rules! list_where {
    (@ $industry:literal, $($town:tt)*) => {
        concat!(
            entry_scope!(),
            " AND ce.pipeline_id = $4 AND ce.status = $5 AND ",
            $($town)*,
            " AND ($7 = '' OR ",
            $industry,
            " LIKE $7) \
             AND ($8 = '' OR ce.name LIKE $8 OR ce.reg_no LIKE $8 OR (SELECT ec.credit_code FROM enterprises ec \
             WHERE ec.id = ce.enterprise_id) LIKE $8)"
        )
    };
    (industry: ie, $($town:tt)*) => {
        list_where!(@ "ie.industry_code", $($town)*)
    };
    ($($town:tt)*) => {
        list_where!(@ "(SELECT ei.industry_code FROM enterprises ei WHERE ei.id = ce.enterprise_id)", $($town)*)
    };
}

/// The filtered entries counted per stage, read from the index (pipeline, status[, town],
/// stage …) alone when no industry or name is asked; the stages come out in the list's order
/// (last stage first). `$9` is the stage asked for: a seek in its own text, skipped for -1 in
/// the other.
macro_rules! count_by_stage {
    (from: [$($from:tt)*], town: [$($town:tt)*], stage: [$($stage:tt)*]) => {
        count_by_stage!(from: [$($from)*], where: [$($town)*], stage: [$($stage)*])
    };
    (from: [$($from:tt)*], where: [$($where:tt)*], stage: [$($stage:tt)*]) => {
        concat!(
            "SELECT g.stage_id, g.n FROM (SELECT ce.stage_id, COUNT(*) AS n FROM ",
            $($from)*,
            list_where!($($where)*),
            " AND ",
            $($stage)*,
            " GROUP BY ce.stage_id) g JOIN cultivation_stages s ON s.id = g.stage_id \
             ORDER BY s.ordinal DESC, g.stage_id"
        )
    };
}

/// The columns of an [`EntryRow`]: the entry `ce` with its firm `e`, town `t` and stage `s`.
macro_rules! entry_row_select {
    () => {
        "SELECT ce.id, ce.enterprise_id, e.credit_code, ce.name, ce.reg_no, t.name AS town_name, \
         e.industry_code, s.name AS stage_name, ce.status, ce.entered_on, ce.stage_since, ce.expires_on "
    };
}

/// One stage's slice of the list: the ids are sought in the index's order (stage_since newest
/// first, then id) and skipped there, so a deep page costs a seek, not the rows before it; only
/// the page's rows are joined to the stage, registry and town. `$9` is the stage, `$10` and
/// `$11` the limit and the offset within the stage.
macro_rules! stage_page {
    (from: [$($from:tt)*], town: [$($town:tt)*]) => {
        stage_page!(from: [$($from)*], where: [$($town)*])
    };
    (from: [$($from:tt)*], where: [$($where:tt)*]) => {
        concat!(
            entry_row_select!(),
            "FROM (SELECT ce.id AS kid, ce.stage_since AS ksince FROM ",
            $($from)*,
            list_where!($($where)*),
            " AND ce.stage_id = $9 ORDER BY ce.stage_since DESC, ce.id LIMIT $10 OFFSET $11) k \
             JOIN cultivation_entries ce ON ce.id = k.kid JOIN cultivation_stages s ON s.id = ce.stage_id \
             LEFT JOIN enterprises e ON e.id = ce.enterprise_id LEFT JOIN units t ON t.id = ce.town_id \
             ORDER BY k.ksince DESC, k.kid"
        )
    };
}

/// The town as a residual test, skipped for -1.
macro_rules! any_town {
    () => {
        "($6 = -1 OR ce.town_id = $6)"
    };
}
/// The town leading the index.
macro_rules! one_town {
    () => {
        "ce.town_id = $6"
    };
}
/// Every stage, or the one asked for.
macro_rules! any_stage {
    () => {
        "($9 = -1 OR ce.stage_id = $9)"
    };
}
macro_rules! one_stage {
    () => {
        "ce.stage_id = $9"
    };
}
/// The entries read from their own indexes.
macro_rules! entries {
    () => {
        "cultivation_entries ce JOIN cultivation_pipelines p ON p.id = ce.pipeline_id WHERE "
    };
}
/// The entries reached from the registry's industry index: the firms whose code lies in the
/// prefix's range (`$10`, `$11` in a count; `$12`, `$13` in a page, after its limit and offset),
/// each joined to its one entry on the pipeline by (pipeline, enterprise). The `LIKE` of
/// `list_where!` still decides; the range only lets the index find the candidates.
macro_rules! by_industry {
    ($lo:literal, $hi:literal) => {
        concat!(
            "enterprises ie JOIN cultivation_entries ce ON ce.enterprise_id = ie.id \
             JOIN cultivation_pipelines p ON p.id = ce.pipeline_id WHERE ie.industry_code >= ",
            $lo,
            " AND ie.industry_code < ",
            $hi,
            " AND "
        )
    };
}
/// The filtered entries in id order after `$10`, `$11` of them: the API's keyset page (its
/// cursor is the last id handed out). The stage is `$9` (-1: any); the scope and every other
/// filter are the list's own (`list_where!`). Sought in (pipeline, status, id), so a page is a
/// seek and a short walk however deep the cursor.
macro_rules! by_id {
    () => {
        concat!(
            entry_row_select!(),
            "FROM cultivation_entries ce JOIN cultivation_pipelines p ON p.id = ce.pipeline_id \
             JOIN cultivation_stages s ON s.id = ce.stage_id \
             LEFT JOIN enterprises e ON e.id = ce.enterprise_id LEFT JOIN units t ON t.id = ce.town_id WHERE ",
            list_where!(any_town!()),
            " AND ",
            any_stage!(),
            " AND ce.id > $10 ORDER BY ce.id LIMIT $11"
        )
    };
}
const BY_ID: &str = by_id!();
const COUNT_ANY_TOWN: &str =
    count_by_stage!(from: [entries!()], town: [any_town!()], stage: [any_stage!()]);
const COUNT_ONE_TOWN: &str =
    count_by_stage!(from: [entries!()], town: [one_town!()], stage: [any_stage!()]);
const COUNT_ANY_TOWN_ONE_STAGE: &str =
    count_by_stage!(from: [entries!()], town: [any_town!()], stage: [one_stage!()]);
const COUNT_ONE_TOWN_ONE_STAGE: &str =
    count_by_stage!(from: [entries!()], town: [one_town!()], stage: [one_stage!()]);
const COUNT_BY_INDUSTRY: &str = count_by_stage!(
    from: [by_industry!("$10", "$11")],
    where: [industry: ie, any_town!()],
    stage: [any_stage!()]
);
const PAGE_ANY_TOWN: &str = stage_page!(from: [entries!()], town: [any_town!()]);
const PAGE_ONE_TOWN: &str = stage_page!(from: [entries!()], town: [one_town!()]);
const PAGE_BY_INDUSTRY: &str =
    stage_page!(from: [by_industry!("$12", "$13")], where: [industry: ie, any_town!()]);

/// The range of industry codes a prefix of ASCII digits covers, `[prefix, next)`, with `next`
/// the prefix carried up in digits (`"39"` → `"4"`) or, past `"9…9"`, `"A"`: bounds of digits
/// and a capital letter, which every collation orders as ASCII does among codes of digits.
/// None for anything else (empty, letters, wildcards): then the `LIKE` alone decides.
fn industry_range(prefix: &str) -> Option<(String, String)> {
    if prefix.is_empty() || !prefix.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut next = prefix.as_bytes().to_vec();
    while let Some(last) = next.pop() {
        if last < b'9' {
            next.push(last + 1);
            return Some((prefix.to_string(), String::from_utf8(next).ok()?));
        }
    }
    Some((prefix.to_string(), "A".to_string()))
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

/// Where a page falls in the stages' counts (in list order): for each stage it touches, the
/// stage, the offset within it and how many rows to take there.
fn page_slices(counts: &[(i64, i64)], offset: i64, limit: i64) -> Vec<(i64, i64, i64)> {
    let mut skip = offset.max(0);
    let mut left = limit.max(0);
    let mut out = Vec::new();
    for &(stage, n) in counts {
        if left == 0 {
            break;
        }
        if skip >= n {
            skip -= n;
            continue;
        }
        let take = left.min(n - skip);
        out.push((stage, skip, take));
        left -= take;
        skip = 0;
    }
    out
}

impl Store {
    /// One pipeline's entries that `actor` may read, filtered, with the total before paging.
    /// The order is the stage (last first), then the date the entry reached it (newest first),
    /// then the id; `offset` and `limit` page through that order.
    ///
    /// Read as: the filtered count per stage (index-only without an industry or name), which
    /// gives the total and the stages the page falls in, then each such stage's slice by a seek
    /// in the list index. The count and the slices are separate reads, as a page and its total
    /// always were between requests.
    pub async fn cultivation_entries(
        &self,
        actor: &Actor,
        f: &EntryFilter,
    ) -> Result<(Vec<EntryRow>, i64)> {
        let range = industry_range(f.industry.trim());
        let (count_sql, page_sql) = match (&range, f.town_id.is_some(), f.stage_id.is_some()) {
            (Some(_), _, _) => (COUNT_BY_INDUSTRY, PAGE_BY_INDUSTRY),
            (None, false, false) => (COUNT_ANY_TOWN, PAGE_ANY_TOWN),
            (None, false, true) => (COUNT_ANY_TOWN_ONE_STAGE, PAGE_ANY_TOWN),
            (None, true, false) => (COUNT_ONE_TOWN, PAGE_ONE_TOWN),
            (None, true, true) => (COUNT_ONE_TOWN_ONE_STAGE, PAGE_ONE_TOWN),
        };
        let mut count =
            bind_filter(sqlx::query_as(count_sql), actor, f).bind(f.stage_id.unwrap_or(-1));
        if let Some((lo, hi)) = &range {
            count = count.bind(lo.clone()).bind(hi.clone());
        }
        let mut counts: Vec<(i64, i64)> = count.fetch_all(self.pool()).await?;
        if let Some(stage) = f.stage_id {
            counts.retain(|(s, _)| *s == stage);
        }
        let total = counts.iter().map(|(_, n)| n).sum();
        let mut rows = Vec::new();
        for (stage, skip, take) in page_slices(&counts, f.offset, f.limit) {
            let mut page = bind_filter(sqlx::query_as(page_sql), actor, f)
                .bind(stage)
                .bind(take)
                .bind(skip);
            if let Some((lo, hi)) = &range {
                page = page.bind(lo.clone()).bind(hi.clone());
            }
            let slice: Vec<EntryRow> = page.fetch_all(self.pool()).await?;
            rows.extend(slice);
        }
        Ok((rows, total))
    }

    /// The same filtered entries as [`Store::cultivation_entries`] (its `limit` and `offset`
    /// aside), in id order: the `limit` after id `after` (from the first when `None`). The
    /// API pages a pipeline's entries by this, its cursor being the last id it handed out.
    pub async fn cultivation_entries_after(
        &self,
        actor: &Actor,
        f: &EntryFilter,
        after: Option<i64>,
        limit: i64,
    ) -> Result<Vec<EntryRow>> {
        Ok(bind_filter(sqlx::query_as(BY_ID), actor, f)
            .bind(f.stage_id.unwrap_or(-1))
            .bind(after.unwrap_or(i64::MIN))
            .bind(limit.max(0))
            .fetch_all(self.pool())
            .await?)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_industry_prefix_of_digits_is_a_range() {
        let r = |p: &str| industry_range(p).map(|(lo, hi)| format!("{lo}..{hi}"));
        assert_eq!(r("34").as_deref(), Some("34..35"));
        assert_eq!(r("39").as_deref(), Some("39..4"));
        assert_eq!(r("3419").as_deref(), Some("3419..342"));
        assert_eq!(r("99").as_deref(), Some("99..A"));
        assert_eq!(r(""), None);
        assert_eq!(r("C34"), None);
        assert_eq!(r("3_"), None);
    }

    /// What SQLite plans for a list query with the office's binds: the plan's detail lines.
    async fn plan(store: &Store, explain: &'static str, page: bool) -> Vec<String> {
        let f = EntryFilter {
            pipeline_id: 1,
            town_id: Some(1),
            limit: 50,
            ..EntryFilter::default()
        };
        let q = bind_filter(sqlx::query_as(explain), &Actor::system(), &f).bind(1i64);
        let q = if page { q.bind(50i64).bind(9950i64) } else { q };
        let rows: Vec<(i64, i64, i64, String)> = q.fetch_all(store.pool()).await.unwrap();
        rows.into_iter().map(|r| r.3).collect()
    }

    /// The list reads migration 0030's indexes in their order: the per-stage counts and each
    /// stage's slice seek (pipeline, status[, town] …), and no slice is sorted: it comes out
    /// of the index in the list's order, the rows joined after it keeping that order. The
    /// API's page by id seeks migration 0033's (pipeline, status, id), unsorted too.
    #[tokio::test]
    async fn the_list_seeks_its_indexes_in_their_order() {
        let db = crate::testing::sqlite().await.unwrap();
        let store = &db.store;
        for (sql, index, page) in [
            (
                concat!(
                    "EXPLAIN QUERY PLAN ",
                    count_by_stage!(from: [entries!()], town: [any_town!()], stage: [any_stage!()])
                ),
                "cultivation_entries_order (pipeline_id=? AND status=?)",
                false,
            ),
            (
                concat!(
                    "EXPLAIN QUERY PLAN ",
                    count_by_stage!(from: [entries!()], town: [one_town!()], stage: [any_stage!()])
                ),
                "cultivation_entries_town_order (pipeline_id=? AND status=? AND town_id=?)",
                false,
            ),
            (
                concat!(
                    "EXPLAIN QUERY PLAN ",
                    count_by_stage!(from: [entries!()], town: [any_town!()], stage: [one_stage!()])
                ),
                "cultivation_entries_order (pipeline_id=? AND status=? AND stage_id=?)",
                false,
            ),
            (
                concat!(
                    "EXPLAIN QUERY PLAN ",
                    count_by_stage!(from: [entries!()], town: [one_town!()], stage: [one_stage!()])
                ),
                "cultivation_entries_town_order (pipeline_id=? AND status=? AND town_id=? AND stage_id=?)",
                false,
            ),
            (
                concat!(
                    "EXPLAIN QUERY PLAN ",
                    stage_page!(from: [entries!()], town: [any_town!()])
                ),
                "cultivation_entries_order (pipeline_id=? AND status=? AND stage_id=?)",
                true,
            ),
            (
                concat!(
                    "EXPLAIN QUERY PLAN ",
                    stage_page!(from: [entries!()], town: [one_town!()])
                ),
                "cultivation_entries_town_order (pipeline_id=? AND status=? AND town_id=? AND stage_id=?)",
                true,
            ),
            (
                concat!("EXPLAIN QUERY PLAN ", by_id!()),
                "cultivation_entries_by_id (pipeline_id=? AND status=? AND id>?)",
                true,
            ),
        ] {
            let lines = plan(store, sql, page).await;
            let seek = format!("INDEX {index}");
            assert!(
                lines.iter().any(|l| l.contains(&seek)),
                "{seek} in {lines:?}"
            );
            if page {
                assert!(
                    !lines.iter().any(|l| l.contains("TEMP B-TREE")),
                    "the slice comes in the index's order, unsorted: {lines:?}"
                );
            }
        }
    }
}
