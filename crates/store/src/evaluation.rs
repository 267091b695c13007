//! 亩均效益综合评价 in the database: versioned schemes (TOML text), evaluation runs with every
//! enterprise's result and per-item provenance, 调档 overrides, the 公示 period with objections,
//! and the aggregates the office reports (per town, industry and scale; low-efficiency lists;
//! class changes against the previous year).
//!
//! The store knows nothing of the engine: `qx_app::evaluation` turns a data year into the
//! engine's table, evaluates it and hands the rows to [`Store::save_run`], which writes them in
//! one transaction in batches (a JSON array per statement, unpacked by the database).
//!
//! Scope: the office and leaders see every run and result; a town its town's enterprises; an
//! enterprise only its own result, and only once the run is out of draft. Only the office writes;
//! an enterprise may raise an objection to its own result during 公示.

use crate::audit::AuditEntry;
use crate::commit_audited;
use crate::enterprises::{in_scope, scoped};
use crate::office_only;
use crate::{Engine, Result, Store, StoreError};
use qx_core::access::{Actor, Role};
use qx_core::evaluation::{AdjustmentKind, ObjectionStatus, RunAction, RunStatus};
use qx_core::scale::Scale;
use serde::Serialize;

/// A stored scheme version.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct SchemeVersion {
    pub id: i64,
    pub year: i64,
    pub version: i64,
    pub name: String,
    pub toml: String,
    pub note: String,
    pub created_by: Option<i64>,
    pub created_at: i64,
}

/// An evaluation run.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Run {
    pub id: i64,
    pub year: i64,
    pub scheme_id: Option<i64>,
    pub scheme_name: String,
    pub scheme_toml: String,
    #[sqlx(try_from = "String")]
    pub status: RunStatus,
    pub enterprises: i64,
    pub warnings: String,
    pub publicity_from: Option<String>,
    pub publicity_to: Option<String>,
    pub created_by: Option<i64>,
    pub created_at: i64,
    pub finalized_at: Option<i64>,
}

/// A run to store.
#[derive(Debug, Clone, Serialize)]
pub struct NewRun {
    pub year: i64,
    pub scheme_id: Option<i64>,
    pub scheme_name: String,
    pub scheme_toml: String,
    pub warnings: Vec<String>,
}

/// One item's provenance: value, benchmark, weight and score.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct ItemResult {
    pub key: String,
    pub label: String,
    pub value: Option<f64>,
    pub benchmark: Option<f64>,
    pub weight: f64,
    pub score: f64,
    /// Given the group's mean score for lack of data.
    pub imputed: bool,
}

/// A 加分, 减分 or 一票否决 that applied to a result, and where its input came from.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct AdjustmentResult {
    pub kind: AdjustmentKind,
    /// The scheme column (e.g. safety_bonus).
    pub column: String,
    /// The scheme's label (加减分) or reason (一票否决).
    pub label: String,
    /// The stored input value.
    pub value: f64,
    /// Points added (negative for a deduction); 0 for a veto.
    pub points: f64,
    /// The class a veto forces.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
    /// The file the value was imported from.
    #[serde(default)]
    pub source: String,
}

/// One enterprise's result, as the engine computed it, with a snapshot of the facts used.
#[derive(Debug, Clone, Serialize)]
pub struct NewResult {
    pub enterprise_id: i64,
    pub scale: Scale,
    pub town_id: Option<i64>,
    pub industry_code: Option<String>,
    pub group_label: String,
    pub group_size: i64,
    pub total: f64,
    pub adjustment: f64,
    pub rank: i64,
    pub initial_class: String,
    pub class: String,
    pub adjust_reason: Option<String>,
    pub land_mu: Option<f64>,
    pub tax_wan: Option<f64>,
    pub added_value_wan: Option<f64>,
    pub items: Vec<ItemResult>,
    pub adjustments: Vec<AdjustmentResult>,
}

/// A stored result with the enterprise's name and town.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ResultLine {
    pub run_id: i64,
    pub enterprise_id: i64,
    pub credit_code: String,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub scale: Scale,
    pub town_id: Option<i64>,
    pub town_name: Option<String>,
    pub industry_code: Option<String>,
    pub group_label: String,
    pub group_size: i64,
    pub total: f64,
    pub adjustment: f64,
    pub rank_no: i64,
    pub initial_class: String,
    pub class: String,
    pub adjust_reason: Option<String>,
    pub land_mu: Option<f64>,
    pub tax_wan: Option<f64>,
    pub added_value_wan: Option<f64>,
    pub items: String,
    pub adjustments: String,
}

impl ResultLine {
    /// 亩均税收 of the snapshot (万元/亩).
    pub fn tax_per_mu(&self) -> Option<f64> {
        match (self.tax_wan, self.land_mu) {
            (Some(t), Some(l)) if l > 0.0 => Some(t / l),
            _ => None,
        }
    }

    /// The per-item provenance; a stored list that cannot be read is an error naming the
    /// enterprise, never an empty list.
    pub fn item_results(&self) -> Result<Vec<ItemResult>> {
        self.stored_list(&self.items, "指标明细")
    }

    /// The 加减分 and 一票否决 that applied, with their sources (an error as above).
    pub fn adjustment_results(&self) -> Result<Vec<AdjustmentResult>> {
        self.stored_list(&self.adjustments, "加减分明细")
    }

    fn stored_list<T: serde::de::DeserializeOwned>(
        &self,
        json: &str,
        what: &str,
    ) -> Result<Vec<T>> {
        serde_json::from_str(json).map_err(|e| {
            StoreError::Invalid(format!(
                "评价结果 {} ({}) 的{what}无法读取: {e}",
                self.credit_code, self.run_id
            ))
        })
    }
}

/// Result list filters; empty means "any".
#[derive(Debug, Clone, Default)]
pub struct ResultFilter {
    pub town_id: Option<i64>,
    /// Industry code prefix.
    pub industry: String,
    pub scale: Option<Scale>,
    pub class: String,
    /// Only firms whose 亩均税收 is below this (万元/亩).
    pub tax_per_mu_below: Option<f64>,
    /// Only one enterprise.
    pub enterprise_id: Option<i64>,
}

/// A 调档 record.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct OverrideRecord {
    pub id: i64,
    pub run_id: i64,
    pub enterprise_id: i64,
    pub credit_code: String,
    pub name: String,
    pub from_class: String,
    pub to_class: String,
    pub reason: String,
    pub created_by: Option<i64>,
    pub created_at: i64,
}

/// A 公示 objection.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Objection {
    pub id: i64,
    pub run_id: i64,
    pub enterprise_id: i64,
    pub name: String,
    pub text: String,
    #[sqlx(try_from = "String")]
    pub status: ObjectionStatus,
    pub reply: String,
    pub submitted_at: i64,
    pub replied_at: Option<i64>,
}

/// One aggregate row: a town, an industry division or a scale, with one class's figures.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AggregateRow {
    pub key: Option<String>,
    pub class: String,
    pub firms: i64,
    pub land_mu: Option<f64>,
    pub tax_wan: Option<f64>,
    /// Land of the firms that report 增加值 (the denominator of 亩均增加值).
    pub land_with_va: Option<f64>,
    pub added_value_wan: Option<f64>,
}

/// What an aggregate is grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AggregateBy {
    Town,
    Industry,
    Scale,
}

/// A firm whose class differs from the previous year's.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ClassChange {
    pub enterprise_id: i64,
    pub credit_code: String,
    pub name: String,
    pub town_name: Option<String>,
    pub previous_class: String,
    pub class: String,
}

/// Aggregate sums shared by the three groupings.
macro_rules! aggregate_sums {
    () => {
        "SUM(r.land_mu) AS land_mu, SUM(r.tax_wan) AS tax_wan, \
         SUM(CASE WHEN r.added_value_wan IS NOT NULL THEN r.land_mu END) AS land_with_va, \
         SUM(r.added_value_wan) AS added_value_wan "
    };
}

/// Class counts and sums of a run's results in the actor's scope, grouped by `$key` (an SQL
/// expression over `r`, the result, and whatever `$join` brings in).
macro_rules! aggregate_sql {
    ($key:literal, $join:literal) => {
        concat!(
            "SELECT ",
            $key,
            " AS key, r.class, COUNT(*) AS firms, ",
            aggregate_sums!(),
            "FROM eval_results r JOIN enterprises e ON e.id = r.enterprise_id ",
            $join,
            "WHERE ",
            in_scope!("r.enterprise_id", "r.town_id"),
            " AND r.run_id = $4 ",
            "GROUP BY ",
            $key,
            ", r.class ORDER BY ",
            $key,
            ", r.class"
        )
    };
}

/// The columns of a [`SchemeVersion`], ready for a `WHERE`.
macro_rules! scheme_select {
    () => {
        "SELECT id, year, version, name, toml, note, created_by, created_at FROM eval_schemes "
    };
}

/// The columns of a [`Run`], ready for a `WHERE` or `ORDER BY`.
macro_rules! run_select {
    () => {
        "SELECT id, year, scheme_id, scheme_name, scheme_toml, status, enterprises, warnings, \
         publicity_from, publicity_to, created_by, created_at, finalized_at FROM eval_runs "
    };
}

macro_rules! result_select {
    () => {
        "SELECT r.run_id, r.enterprise_id, e.credit_code, e.name, r.scale, r.town_id, t.name AS town_name, \
         r.industry_code, r.group_label, r.group_size, r.total, r.adjustment, r.rank_no, r.initial_class, r.class, \
         r.adjust_reason, r.land_mu, r.tax_wan, r.added_value_wan, r.items, r.adjustments \
         FROM eval_results r JOIN enterprises e ON e.id = r.enterprise_id LEFT JOIN units t ON t.id = r.town_id "
    };
}

/// Scope ($1 all, $2 own enterprise, $3 own town) and the result filters ($4–$10).
macro_rules! result_where {
    () => {
        concat!("WHERE ", in_scope!("r.enterprise_id", "r.town_id"), " \
         AND ($4 = -1 OR r.town_id = $4) \
         AND (r.industry_code LIKE $5 OR ($5 = '%' AND r.industry_code IS NULL)) \
         AND ($6 = '' OR r.scale = $6) AND ($7 = '' OR r.class = $7) \
         AND ($8 = 0 OR (r.land_mu > 0 AND r.tax_wan IS NOT NULL AND r.tax_wan < $9 * r.land_mu)) \
         AND ($10 = -1 OR r.enterprise_id = $10) AND r.run_id = $11 ")
    };
}

const SAVE_RESULTS_SQLITE: &str = "INSERT INTO eval_results (run_id, enterprise_id, scale, town_id, industry_code, \
     group_label, group_size, total, adjustment, rank_no, initial_class, class, adjust_reason, land_mu, tax_wan, \
     added_value_wan, items, adjustments) \
     SELECT $1, json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'), \
     json_extract(value, '$[3]'), json_extract(value, '$[4]'), json_extract(value, '$[5]'), json_extract(value, '$[6]'), \
     json_extract(value, '$[7]'), json_extract(value, '$[8]'), json_extract(value, '$[9]'), json_extract(value, '$[10]'), \
     json_extract(value, '$[11]'), json_extract(value, '$[12]'), json_extract(value, '$[13]'), \
     json_extract(value, '$[14]'), json_extract(value, '$[15]'), json_extract(value, '$[16]') FROM json_each($2)";

const SAVE_RESULTS_POSTGRES: &str = "INSERT INTO eval_results (run_id, enterprise_id, scale, town_id, industry_code, \
     group_label, group_size, total, adjustment, rank_no, initial_class, class, adjust_reason, land_mu, tax_wan, \
     added_value_wan, items, adjustments) \
     SELECT $1, (v->>0)::bigint, v->>1, (v->>2)::bigint, v->>3, v->>4, (v->>5)::bigint, (v->>6)::double precision, \
     (v->>7)::double precision, (v->>8)::bigint, v->>9, v->>10, v->>11, (v->>12)::double precision, \
     (v->>13)::double precision, (v->>14)::double precision, v->>15, v->>16 FROM json_array_elements($2::json) v";

/// Rows per batched INSERT.
const BATCH: usize = 5000;

fn run_not_found(id: i64) -> StoreError {
    StoreError::NotFound(format!("评价 {id}"))
}

/// The run's state refuses the move: a conflict whose message says why.
fn refused(run: &Run, action: RunAction) -> Result<RunStatus> {
    run.status
        .apply(action)
        .map_err(|e| StoreError::Conflict(e.to_string()))
}

/// Whether the actor sees the run at all: the office and leaders every run, everyone else only
/// runs out of draft (their results are scoped row by row).
fn visible(actor: &Actor, run: &Run) -> bool {
    actor.reads_all() || run.status.is_published()
}

/// Objections and 调档 records: the scope, the run ($4) and optionally one enterprise ($5).
macro_rules! per_enterprise_where {
    () => {
        concat!(
            "WHERE ",
            in_scope!("o.enterprise_id", "e.town_id"),
            " AND o.run_id = $4 AND ($5 = -1 OR o.enterprise_id = $5) ORDER BY o.id"
        )
    };
}

impl Store {
    /// Saves a new version of a year's scheme (office only). The caller has validated the text.
    pub async fn save_scheme(
        &self,
        actor: &Actor,
        year: i64,
        name: &str,
        toml: &str,
        note: &str,
    ) -> Result<SchemeVersion> {
        office_only(actor, "修改评价方案")?;
        let mut tx = self.begin().await?;
        let (latest,): (Option<i64>,) =
            sqlx::query_as("SELECT MAX(version) FROM eval_schemes WHERE year = $1")
                .bind(year)
                .fetch_one(&mut *tx)
                .await?;
        let version = latest.unwrap_or(0) + 1;
        let now = crate::now();
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO eval_schemes (year, version, name, toml, note, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(year)
        .bind(version)
        .bind(name)
        .bind(toml)
        .bind(note)
        .bind(actor.user_id)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        commit_audited(tx,
            AuditEntry::new(actor, "eval.scheme_save", "eval_scheme", id)
                .after(serde_json::json!({"year": year, "version": version, "name": name, "note": note, "toml": toml})),
        )
.await?;
        Ok(SchemeVersion {
            id,
            year,
            version,
            name: name.to_string(),
            toml: toml.to_string(),
            note: note.to_string(),
            created_by: Some(actor.user_id),
            created_at: now,
        })
    }

    /// The scheme in force for a data year (its highest version), if one was saved.
    pub async fn current_scheme(&self, year: i64) -> Result<Option<SchemeVersion>> {
        Ok(sqlx::query_as(concat!(
            scheme_select!(),
            "WHERE year = $1 ORDER BY version DESC LIMIT 1"
        ))
        .bind(year)
        .fetch_optional(self.pool())
        .await?)
    }

    /// Every version of a year's scheme, newest first.
    pub async fn scheme_versions(&self, year: i64) -> Result<Vec<SchemeVersion>> {
        Ok(sqlx::query_as(concat!(
            scheme_select!(),
            "WHERE year = $1 ORDER BY version DESC"
        ))
        .bind(year)
        .fetch_all(self.pool())
        .await?)
    }

    /// Stores an evaluation run and all its results in one transaction (office only).
    pub async fn save_run(
        &self,
        actor: &Actor,
        run: &NewRun,
        results: &[NewResult],
    ) -> Result<i64> {
        office_only(actor, "运行评价")?;
        let mut tx = self.begin().await?;
        let now = crate::now();
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO eval_runs (year, scheme_id, scheme_name, scheme_toml, status, enterprises, warnings, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(run.year)
        .bind(run.scheme_id)
        .bind(&run.scheme_name)
        .bind(&run.scheme_toml)
        .bind(RunStatus::Draft.as_str())
        .bind(results.len() as i64)
        .bind(run.warnings.join("\n"))
        .bind(actor.user_id)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let sql = match self.engine() {
            Engine::Sqlite => SAVE_RESULTS_SQLITE,
            Engine::Postgres => SAVE_RESULTS_POSTGRES,
        };
        for chunk in results.chunks(BATCH) {
            let rows: Vec<serde_json::Value> = chunk
                .iter()
                .map(|r| {
                    serde_json::json!([
                        r.enterprise_id,
                        r.scale,
                        r.town_id,
                        r.industry_code,
                        r.group_label,
                        r.group_size,
                        r.total,
                        r.adjustment,
                        r.rank,
                        r.initial_class,
                        r.class,
                        r.adjust_reason,
                        r.land_mu,
                        r.tax_wan,
                        r.added_value_wan,
                        serde_json::to_string(&r.items).unwrap_or_else(|_| "[]".into()),
                        serde_json::to_string(&r.adjustments).unwrap_or_else(|_| "[]".into()),
                    ])
                })
                .collect();
            sqlx::query(sql)
                .bind(id)
                .bind(serde_json::Value::Array(rows).to_string())
                .execute(&mut *tx)
                .await?;
        }
        let mut classes = std::collections::BTreeMap::<&str, usize>::new();
        for r in results {
            *classes.entry(r.class.as_str()).or_default() += 1;
        }
        commit_audited(
            tx,
            AuditEntry::new(actor, "eval.run", "eval_run", id).after(serde_json::json!({
                "year": run.year, "scheme": run.scheme_name, "scheme_id": run.scheme_id,
                "enterprises": results.len(), "classes": classes,
            })),
        )
        .await?;
        Ok(id)
    }

    /// Runs the actor may see, newest first (enterprises and towns: not drafts).
    pub async fn list_runs(&self, actor: &Actor) -> Result<Vec<Run>> {
        let all: Vec<Run> = sqlx::query_as(concat!(run_select!(), "ORDER BY year DESC, id DESC"))
            .fetch_all(self.pool())
            .await?;
        Ok(all.into_iter().filter(|r| visible(actor, r)).collect())
    }

    pub async fn get_run(&self, actor: &Actor, id: i64) -> Result<Run> {
        let run: Option<Run> = sqlx::query_as(concat!(run_select!(), "WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        run.filter(|r| visible(actor, r))
            .ok_or_else(|| run_not_found(id))
    }

    /// The latest run of a data year the actor may see.
    pub async fn latest_run(&self, actor: &Actor, year: i64) -> Result<Option<Run>> {
        Ok(self
            .list_runs(actor)
            .await?
            .into_iter()
            .find(|r| r.year == year))
    }

    /// Results of a run, in the actor's scope and the filter, by group then rank.
    pub async fn run_results(
        &self,
        actor: &Actor,
        run_id: i64,
        f: &ResultFilter,
    ) -> Result<Vec<ResultLine>> {
        self.get_run(actor, run_id).await?;
        Ok(scoped(
            sqlx::query_as(concat!(
                result_select!(),
                result_where!(),
                "ORDER BY r.scale, r.group_label, r.rank_no"
            )),
            actor,
        )
        .bind(f.town_id.unwrap_or(-1))
        .bind(format!("{}%", f.industry.trim()))
        .bind(f.scale.map_or("", Scale::as_str))
        .bind(f.class.trim())
        .bind(i64::from(f.tax_per_mu_below.is_some()))
        .bind(f.tax_per_mu_below.unwrap_or(0.0))
        .bind(f.enterprise_id.unwrap_or(-1))
        .bind(run_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// An enterprise's results over the years (latest visible run per year), newest first;
    /// `None` when the actor opens the firm's card but not its 亩均 results (a department
    /// following it on a cultivation ladder).
    pub async fn enterprise_results(
        &self,
        actor: &Actor,
        enterprise_id: i64,
    ) -> Result<Option<Vec<(Run, ResultLine)>>> {
        self.get_enterprise(actor, enterprise_id).await?;
        let sees: Option<(i64,)> = scoped(
            sqlx::query_as(concat!(
                "SELECT e.id FROM enterprises e WHERE ",
                in_scope!("e.id", "e.town_id"),
                " AND e.id = $4"
            )),
            actor,
        )
        .bind(enterprise_id)
        .fetch_optional(self.pool())
        .await?;
        if sees.is_none() {
            return Ok(None);
        }
        let mut out: Vec<(Run, ResultLine)> = Vec::new();
        for run in self.list_runs(actor).await? {
            if out.iter().any(|(r, _)| r.year == run.year) {
                continue;
            }
            let f = ResultFilter {
                enterprise_id: Some(enterprise_id),
                ..Default::default()
            };
            if let Some(line) = self
                .run_results(actor, run.id, &f)
                .await?
                .into_iter()
                .next()
            {
                out.push((run, line));
            }
        }
        Ok(Some(out))
    }

    /// 调档: sets an enterprise's class in a run, with a reason (office only), audited.
    pub async fn override_class(
        &self,
        actor: &Actor,
        run_id: i64,
        enterprise_id: i64,
        class: &str,
        reason: &str,
    ) -> Result<()> {
        office_only(actor, "调档")?;
        let reason = reason.trim();
        if reason.chars().count() < 2 {
            return Err(StoreError::Invalid(
                "调档必须填写理由 (a class override needs a reason)".into(),
            ));
        }
        let run = self.get_run(actor, run_id).await?;
        refused(&run, RunAction::Override)?;
        let mut tx = self.begin().await?;
        let current: Option<(String, String)> =
            sqlx::query_as("SELECT class, initial_class FROM eval_results WHERE run_id = $1 AND enterprise_id = $2")
                .bind(run_id)
                .bind(enterprise_id)
                .fetch_optional(&mut *tx)
                .await?;
        let Some((from, _initial)) = current else {
            return Err(StoreError::NotFound(format!(
                "评价 {run_id} 中的企业 {enterprise_id}"
            )));
        };
        let allowed: Vec<(String,)> =
            sqlx::query_as("SELECT DISTINCT class FROM eval_results WHERE run_id = $1")
                .bind(run_id)
                .fetch_all(&mut *tx)
                .await?;
        let class = class.trim();
        let in_scheme = || {
            qx_eval::Scheme::class_names(&run.scheme_toml)
                .is_ok_and(|names| names.iter().any(|n| n == class))
        };
        if class.is_empty() || (!allowed.iter().any(|(c,)| c == class) && !in_scheme()) {
            return Err(StoreError::Invalid(format!(
                "档次 \"{class}\" 不在评价方案中 (unknown class)"
            )));
        }
        sqlx::query("UPDATE eval_results SET class = $1, adjust_reason = $2 WHERE run_id = $3 AND enterprise_id = $4")
            .bind(class)
            .bind(format!("调档: {reason}"))
            .bind(run_id)
            .bind(enterprise_id)
            .execute(&mut *tx)
            .await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO eval_overrides (run_id, enterprise_id, from_class, to_class, reason, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(run_id)
        .bind(enterprise_id)
        .bind(&from)
        .bind(class)
        .bind(reason)
        .bind(actor.user_id)
        .bind(crate::now())
        .fetch_one(&mut *tx)
        .await?;
        commit_audited(
            tx,
            AuditEntry::new(
                actor,
                "eval.override",
                "eval_result",
                format!("{run_id}/{enterprise_id}"),
            )
            .before(serde_json::json!({"class": from}))
            .after(serde_json::json!({"class": class, "reason": reason, "override_id": id})),
        )
        .await
    }

    /// 调档 records of a run (all, or one enterprise's), in the actor's scope.
    pub async fn run_overrides(
        &self,
        actor: &Actor,
        run_id: i64,
        enterprise_id: Option<i64>,
    ) -> Result<Vec<OverrideRecord>> {
        self.run_rows(
            concat!(
                "SELECT o.id, o.run_id, o.enterprise_id, e.credit_code, e.name, o.from_class, o.to_class, o.reason, \
                 o.created_by, o.created_at FROM eval_overrides o JOIN enterprises e ON e.id = o.enterprise_id ",
                per_enterprise_where!()
            ),
            actor,
            run_id,
            enterprise_id,
        )
        .await
    }

    /// One run's rows of a per-enterprise table (调档 records, objections) in the actor's scope,
    /// all or one enterprise's; `sql` ends in `per_enterprise_where!()`.
    async fn run_rows<T>(
        &self,
        sql: &'static str,
        actor: &Actor,
        run_id: i64,
        enterprise_id: Option<i64>,
    ) -> Result<Vec<T>>
    where
        T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
    {
        self.get_run(actor, run_id).await?;
        Ok(scoped(sqlx::query_as(sql), actor)
            .bind(run_id)
            .bind(enterprise_id.unwrap_or(-1))
            .fetch_all(self.pool())
            .await?)
    }

    /// Opens the 公示 period (office only): results become visible to enterprises and towns.
    pub async fn start_publicity(
        &self,
        actor: &Actor,
        run_id: i64,
        from: &str,
        to: &str,
    ) -> Result<()> {
        office_only(actor, "发布公示")?;
        let run = self.get_run(actor, run_id).await?;
        let next = refused(&run, RunAction::StartPublicity)?;
        if to < from {
            return Err(StoreError::Invalid(format!(
                "公示截止日 {to} 早于开始日 {from}"
            )));
        }
        self.set_run_status(actor, &run, next, Some((from, to)))
            .await
    }

    /// Ends the evaluation (office only): no more overrides or objections.
    pub async fn finalize_run(&self, actor: &Actor, run_id: i64) -> Result<()> {
        office_only(actor, "确定评价结果")?;
        let run = self.get_run(actor, run_id).await?;
        let next = refused(&run, RunAction::Finalize)?;
        self.set_run_status(actor, &run, next, None).await
    }

    async fn set_run_status(
        &self,
        actor: &Actor,
        run: &Run,
        status: RunStatus,
        period: Option<(&str, &str)>,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let now = crate::now();
        let (from, to) = match period {
            Some((f, t)) => (Some(f.to_string()), Some(t.to_string())),
            None => (run.publicity_from.clone(), run.publicity_to.clone()),
        };
        sqlx::query(
            "UPDATE eval_runs SET status = $1, publicity_from = $2, publicity_to = $3, \
             finalized_at = COALESCE($4, finalized_at) WHERE id = $5",
        )
        .bind(status.as_str())
        .bind(&from)
        .bind(&to)
        .bind((status == RunStatus::Final).then_some(now))
        .bind(run.id)
        .execute(&mut *tx)
        .await?;
        commit_audited(
            tx,
            AuditEntry::new(actor, "eval.status", "eval_run", run.id)
                .before(serde_json::json!({"status": run.status}))
                .after(serde_json::json!({"status": status, "publicity_from": from, "publicity_to": to})),
        )
        .await
    }

    /// An enterprise objects to its result during 公示.
    pub async fn submit_objection(
        &self,
        actor: &Actor,
        run_id: i64,
        enterprise_id: i64,
        text: &str,
    ) -> Result<i64> {
        let may = actor.is_admin()
            || (actor.role == Role::Enterprise && actor.enterprise_id == Some(enterprise_id));
        if !may {
            return Err(StoreError::Forbidden(
                "只有企业本身或办公室可以提出异议".into(),
            ));
        }
        let text = text.trim();
        if text.is_empty() {
            return Err(StoreError::Invalid(
                "请填写异议内容 (the objection is empty)".into(),
            ));
        }
        let run = self.get_run(actor, run_id).await?;
        refused(&run, RunAction::Object)?;
        let mut tx = self.begin().await?;
        let exists: Option<(i64,)> =
            sqlx::query_as("SELECT 1 FROM eval_results WHERE run_id = $1 AND enterprise_id = $2")
                .bind(run_id)
                .bind(enterprise_id)
                .fetch_optional(&mut *tx)
                .await?;
        if exists.is_none() {
            return Err(StoreError::NotFound(format!(
                "评价 {run_id} 中的企业 {enterprise_id}"
            )));
        }
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO eval_objections (run_id, enterprise_id, text, status, submitted_by, submitted_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(run_id)
        .bind(enterprise_id)
        .bind(text)
        .bind(ObjectionStatus::Open.as_str())
        .bind(actor.user_id)
        .bind(crate::now())
        .fetch_one(&mut *tx)
        .await?;
        commit_audited(
            tx,
            AuditEntry::new(actor, "eval.objection", "eval_objection", id).after(
                serde_json::json!({"run_id": run_id, "enterprise_id": enterprise_id, "text": text}),
            ),
        )
        .await?;
        Ok(id)
    }

    /// The office answers an objection: accepted or rejected, with a reply.
    pub async fn answer_objection(
        &self,
        actor: &Actor,
        id: i64,
        accepted: bool,
        reply: &str,
    ) -> Result<()> {
        office_only(actor, "答复异议")?;
        let reply = reply.trim();
        if reply.is_empty() {
            return Err(StoreError::Invalid(
                "请填写答复 (the reply is empty)".into(),
            ));
        }
        let mut tx = self.begin().await?;
        let before: Option<(String, String)> =
            sqlx::query_as("SELECT status, reply FROM eval_objections WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
        let Some((status, old_reply)) = before else {
            return Err(StoreError::NotFound(format!("异议 {id}")));
        };
        let status =
            ObjectionStatus::parse(&status).map_err(|e| StoreError::Invalid(e.to_string()))?;
        let new_status = status
            .answer(accepted)
            .map_err(|e| StoreError::Conflict(e.to_string()))?;
        sqlx::query("UPDATE eval_objections SET status = $1, reply = $2, replied_by = $3, replied_at = $4 WHERE id = $5")
            .bind(new_status.as_str())
            .bind(reply)
            .bind(actor.user_id)
            .bind(crate::now())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        commit_audited(
            tx,
            AuditEntry::new(actor, "eval.objection_answer", "eval_objection", id)
                .before(serde_json::json!({"status": status, "reply": old_reply}))
                .after(serde_json::json!({"status": new_status, "reply": reply})),
        )
        .await
    }

    /// Objections of a run (all, or one enterprise's), in the actor's scope.
    pub async fn objections(
        &self,
        actor: &Actor,
        run_id: i64,
        enterprise_id: Option<i64>,
    ) -> Result<Vec<Objection>> {
        self.run_rows(
            concat!(
                "SELECT o.id, o.run_id, o.enterprise_id, e.name, o.text, o.status, o.reply, o.submitted_at, \
                 o.replied_at FROM eval_objections o JOIN enterprises e ON e.id = o.enterprise_id ",
                per_enterprise_where!()
            ),
            actor,
            run_id,
            enterprise_id,
        )
        .await
    }

    /// Class counts and sums per town, industry division or scale, in the actor's scope.
    /// Region ratios are ratios of sums (Σ税收 / Σ用地), computed by the caller.
    pub async fn run_aggregates(
        &self,
        actor: &Actor,
        run_id: i64,
        by: AggregateBy,
    ) -> Result<Vec<AggregateRow>> {
        self.get_run(actor, run_id).await?;
        let sql = match by {
            AggregateBy::Town => aggregate_sql!("t.name", "LEFT JOIN units t ON t.id = r.town_id "),
            AggregateBy::Industry => aggregate_sql!("SUBSTR(r.industry_code, 1, 2)", ""),
            AggregateBy::Scale => aggregate_sql!("r.scale", ""),
        };
        Ok(scoped(sqlx::query_as(sql), actor)
            .bind(run_id)
            .fetch_all(self.pool())
            .await?)
    }

    /// Firms whose class in `run_id` differs from their class in `previous_run_id`.
    pub async fn class_changes(
        &self,
        actor: &Actor,
        run_id: i64,
        previous_run_id: i64,
    ) -> Result<Vec<ClassChange>> {
        self.get_run(actor, run_id).await?;
        self.get_run(actor, previous_run_id).await?;
        Ok(scoped(sqlx::query_as(concat!(
            "SELECT r.enterprise_id, e.credit_code, e.name, t.name AS town_name, p.class AS previous_class, r.class \
             FROM eval_results r JOIN eval_results p ON p.enterprise_id = r.enterprise_id \
             JOIN enterprises e ON e.id = r.enterprise_id LEFT JOIN units t ON t.id = r.town_id WHERE ",
            in_scope!("r.enterprise_id", "r.town_id"),
            " AND r.run_id = $4 AND p.run_id = $5 AND p.class <> r.class \
             ORDER BY r.class, p.class, e.credit_code"
        )), actor)
        .bind(run_id)
        .bind(previous_run_id)
        .fetch_all(self.pool())
        .await?)
    }
}
