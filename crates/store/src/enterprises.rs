//! 企业名录: the enterprise registry (统一社会信用代码, town, industry, scale, land, 企服联系人,
//! 培育标签) and the yearly facts (税收, 用地, 增加值 …) each data year's evaluation reads.
//!
//! Scope: the office and leaders read every enterprise; a town (unit) user the enterprises of its
//! town; an enterprise user only itself. Only the office writes. Imports are all-or-nothing: the
//! caller validates every row first, then [`Store::import_enterprises`] and
//! [`Store::import_facts`] write them in one transaction with one audit entry.

use crate::audit::AuditEntry;
use crate::commit_audited;
use crate::units::unique_violation;
use crate::{Engine, Result, Store, StoreError};
use qx_core::access::Actor;
use qx_core::scale::Scale;
use serde::Serialize;

/// 培育标签 the registry knows (企业培育库).
pub const TAGS: [&str; 8] = [
    "高新技术企业",
    "科技型小微",
    "小升规培育",
    "上市储备",
    "单项冠军培育",
    "个转企",
    "专精特新",
    "隐形冠军培育",
];

/// The yearly fact columns, in the contract's names: the engine's numeric columns, defined
/// once in `qx_eval` ([`Facts`] has one field for each).
pub use qx_eval::scheme::NUMERIC_COLUMNS as FACT_COLUMNS;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Enterprise {
    pub id: i64,
    pub credit_code: String,
    pub name: String,
    pub town_id: Option<i64>,
    pub industry_code: Option<String>,
    #[sqlx(try_from = "String")]
    pub scale: Scale,
}

#[derive(Debug, Clone, Serialize)]
pub struct NewEnterprise {
    pub credit_code: String,
    pub name: String,
    pub town_id: Option<i64>,
    pub industry_code: Option<String>,
    pub scale: Scale,
}

/// A registry entry with everything the card shows.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct EnterpriseDetail {
    pub id: i64,
    pub credit_code: String,
    pub name: String,
    pub town_id: Option<i64>,
    pub town_name: Option<String>,
    pub industry_code: Option<String>,
    #[sqlx(try_from = "String")]
    pub scale: Scale,
    pub land_mu: Option<f64>,
    pub address: String,
    pub service_contact: String,
    pub service_phone: String,
    /// Tags joined with "、" (filled by the store, not by SQL).
    #[sqlx(default)]
    pub tags: String,
}

/// A registry row as imported or edited: the full record, keyed by credit code.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RegistryRow {
    pub credit_code: String,
    pub name: String,
    pub town_id: Option<i64>,
    pub industry_code: Option<String>,
    pub scale: Scale,
    pub land_mu: Option<f64>,
    pub address: String,
    pub service_contact: String,
    pub service_phone: String,
    pub tags: Vec<String>,
}

/// The columns of [`Facts`] over `enterprise_facts f`, ready for a `FROM`: [`FACT_COLUMNS`] in
/// their order (`tests::every_fact_column_is_a_field_and_a_column_of_every_statement`).
macro_rules! fact_columns {
    () => {
        "f.land_mu, f.tax_wan, f.added_value_wan, f.energy_tce, f.emission_t, f.employees, f.rd_wan, \
         f.revenue_wan, f.electricity_wkwh "
    };
}

/// A name given to [`Facts::set`] that is no fact column (a scheme's extra column, a typo).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("\"{0}\" 不是年度数据的列 (not a fact column)")]
pub struct UnknownFactColumn(pub String);

/// One enterprise's facts for one data year, a field for each of [`FACT_COLUMNS`]; `None` is
/// no data.
#[derive(Debug, Clone, Default, Serialize, PartialEq, sqlx::FromRow)]
pub struct Facts {
    pub land_mu: Option<f64>,
    pub tax_wan: Option<f64>,
    pub added_value_wan: Option<f64>,
    pub energy_tce: Option<f64>,
    pub emission_t: Option<f64>,
    pub employees: Option<f64>,
    pub rd_wan: Option<f64>,
    pub revenue_wan: Option<f64>,
    pub electricity_wkwh: Option<f64>,
}

impl Facts {
    /// The value of a contract column by name; `None` too for a name that is no fact column
    /// (every caller walks [`FACT_COLUMNS`], each of which is a field: the tests hold them
    /// together).
    pub fn get(&self, column: &str) -> Option<f64> {
        match column {
            "land_mu" => self.land_mu,
            "tax_wan" => self.tax_wan,
            "added_value_wan" => self.added_value_wan,
            "energy_tce" => self.energy_tce,
            "emission_t" => self.emission_t,
            "employees" => self.employees,
            "rd_wan" => self.rd_wan,
            "revenue_wan" => self.revenue_wan,
            "electricity_wkwh" => self.electricity_wkwh,
            _ => None,
        }
    }

    /// Sets a contract column by name; a name that is no fact column is refused, not dropped.
    pub fn set(&mut self, column: &str, v: Option<f64>) -> Result<(), UnknownFactColumn> {
        match column {
            "land_mu" => self.land_mu = v,
            "tax_wan" => self.tax_wan = v,
            "added_value_wan" => self.added_value_wan = v,
            "energy_tce" => self.energy_tce = v,
            "emission_t" => self.emission_t = v,
            "employees" => self.employees = v,
            "rd_wan" => self.rd_wan = v,
            "revenue_wan" => self.revenue_wan = v,
            "electricity_wkwh" => self.electricity_wkwh = v,
            _ => return Err(UnknownFactColumn(column.to_string())),
        }
        Ok(())
    }
}

/// A row of a facts import: which enterprise (already resolved), its scale that year, the facts.
#[derive(Debug, Clone, Serialize)]
pub struct FactRow {
    pub enterprise_id: i64,
    pub scale: Scale,
    pub facts: Facts,
    /// 加减分 / 一票否决 inputs by scheme column name (only non-empty cells; a veto flag is 1 or 0).
    pub extras: Vec<(String, f64)>,
}

/// A stored 加减分 / 一票否决 input of one enterprise and data year.
#[derive(Debug, Clone, Serialize, PartialEq, sqlx::FromRow)]
pub struct FactExtra {
    pub enterprise_id: i64,
    pub year: i64,
    pub column_name: String,
    pub value: f64,
    /// The file it was imported from.
    pub source: String,
}

/// A stored facts row of one enterprise and year.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct YearFacts {
    pub year: i64,
    #[sqlx(try_from = "String")]
    pub scale: Scale,
    #[sqlx(flatten)]
    pub facts: Facts,
}

/// Everything the evaluation of a data year reads: one row per enterprise with facts that year.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EvalInputRow {
    pub enterprise_id: i64,
    pub credit_code: String,
    pub name: String,
    pub town_id: Option<i64>,
    pub town_name: Option<String>,
    pub industry_code: Option<String>,
    /// Still text: the demo reads it as such (`demo/src/cultivation.rs`); decoded by the evaluation.
    #[sqlx(try_from = "String")]
    pub scale: Scale,
    #[sqlx(flatten)]
    pub facts: Facts,
}

/// Registry list filters; empty strings and `None` mean "any".
#[derive(Debug, Clone, Default)]
pub struct EnterpriseFilter {
    /// Part of the name or credit code.
    pub q: String,
    pub town_id: Option<i64>,
    /// Industry code prefix (大类 "34" or longer).
    pub industry: String,
    pub scale: Option<Scale>,
    pub tag: String,
    pub limit: i64,
    pub offset: i64,
}

/// What an import did.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct ImportSummary {
    pub created: usize,
    pub updated: usize,
}

/// The data scope of enterprise records in SQL, the one definition of who reads an enterprise's
/// rows: `$1` = 1 reads everything (office, leaders), `$2` is the actor's own enterprise, `$3` the
/// actor's own town; bind them with [`scope_binds`] as a query's first three parameters. `$id`
/// and `$town` name the enterprise and town columns of the query at hand.
macro_rules! in_scope {
    ($id:literal, $town:literal) => {
        concat!("($1 = 1 OR ", $id, " = $2 OR ", $town, " = $3)")
    };
}
pub(crate) use in_scope;

/// The scope of an enterprise's own record (`e`): [`in_scope`], or a firm in a cultivation
/// pipeline the actor's unit answers for (`$3`), which it follows there: a department
/// responsible for 小升规 opens the cards of the firms on its ladder. What else is kept of a
/// firm (亩均 results, objections) stays in [`in_scope`].
macro_rules! record_scope {
    () => {
        concat!(
            "(",
            in_scope!("e.id", "e.town_id"),
            " OR EXISTS (SELECT 1 FROM cultivation_entries ce \
             JOIN cultivation_pipelines p ON p.id = ce.pipeline_id \
             WHERE ce.enterprise_id = e.id AND p.responsible_unit_id = $3))"
        )
    };
}

/// Binds $1–$8 of `search_where!()`: the actor's scope, then the filter.
fn bind_search<'q, O>(
    q: sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments>,
    actor: &Actor,
    f: &EnterpriseFilter,
) -> sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments> {
    scoped(q, actor)
        .bind(format!("%{}%", f.q.trim()))
        .bind(f.town_id.unwrap_or(-1))
        .bind(format!("{}%", f.industry.trim()))
        .bind(f.scale.map_or("", Scale::as_str))
        .bind(f.tag.trim().to_string())
}

/// Binds $1–$3 of [`in_scope`]: reads all, own enterprise, own town (-1 for "none").
pub(crate) fn scoped<'q, O>(
    q: sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments>,
    actor: &Actor,
) -> sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments> {
    let (all, own, town) = scope_binds(actor);
    q.bind(all).bind(own).bind(town)
}

/// The binds of [`in_scope`]: (reads all, own enterprise, own town), -1 for "none".
fn scope_binds(actor: &Actor) -> (i64, i64, i64) {
    (
        i64::from(actor.reads_all()),
        crate::own_enterprise(actor),
        crate::own_unit(actor),
    )
}

/// The columns of an [`Enterprise`], ready for its scope (`in_scope!`).
macro_rules! enterprise_select {
    () => {
        "SELECT id, credit_code, name, town_id, industry_code, scale FROM enterprises e WHERE "
    };
}

/// The registry entry's columns (a macro so queries stay `concat!`-ed static text).
macro_rules! detail_select {
    () => {
        "SELECT e.id, e.credit_code, e.name, e.town_id, t.name AS town_name, e.industry_code, e.scale, \
         e.land_mu, e.address, e.service_contact, e.service_phone FROM enterprises e LEFT JOIN units t ON t.id = e.town_id "
    };
}

/// The registry filters: scope ($1 all, $2 own enterprise, $3 own town), then name/code, town,
/// industry prefix, scale and tag.
macro_rules! search_where {
    () => {
        concat!("WHERE ", record_scope!(), " \
         AND (e.name LIKE $4 OR e.credit_code LIKE $4) \
         AND ($5 = -1 OR e.town_id = $5) \
         AND (e.industry_code LIKE $6 OR ($6 = '%' AND e.industry_code IS NULL)) \
         AND ($7 = '' OR e.scale = $7) \
         AND ($8 = '' OR EXISTS (SELECT 1 FROM enterprise_tags g WHERE g.enterprise_id = e.id AND g.tag = $8)) ")
    };
}

impl Store {
    /// An enterprise the actor may see (an enterprise user only its own, a town its town's, a
    /// department the firms on the cultivation ladders it answers for).
    pub async fn get_enterprise(&self, actor: &Actor, id: i64) -> Result<Enterprise> {
        self.scoped_enterprise(
            concat!(enterprise_select!(), record_scope!(), " AND e.id = $4"),
            actor,
            id,
        )
        .await
    }

    /// One enterprise by id through `sql`, which starts its WHERE with `in_scope!` and binds the
    /// id as `$4`; out of scope reads as not found.
    async fn scoped_enterprise<T>(&self, sql: &'static str, actor: &Actor, id: i64) -> Result<T>
    where
        T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
    {
        let found: Option<T> = scoped(sqlx::query_as(sql), actor)
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        found.ok_or_else(|| StoreError::NotFound(format!("企业 {id}")))
    }

    /// Every enterprise the actor may see, by id.
    pub async fn list_enterprises(&self, actor: &Actor) -> Result<Vec<Enterprise>> {
        Ok(scoped(
            sqlx::query_as(concat!(
                enterprise_select!(),
                record_scope!(),
                " ORDER BY id"
            )),
            actor,
        )
        .fetch_all(self.pool())
        .await?)
    }

    /// The full registry entry, with tags.
    pub async fn enterprise_detail(&self, actor: &Actor, id: i64) -> Result<EnterpriseDetail> {
        let mut e: EnterpriseDetail = self
            .scoped_enterprise(
                concat!(
                    detail_select!(),
                    "WHERE ",
                    record_scope!(),
                    " AND e.id = $4"
                ),
                actor,
                id,
            )
            .await?;
        e.tags = self.tags_of(e.id).await?;
        Ok(e)
    }

    /// An enterprise's tags joined with "、".
    async fn tags_of(&self, id: i64) -> Result<String> {
        let tags: Vec<(String,)> =
            sqlx::query_as("SELECT tag FROM enterprise_tags WHERE enterprise_id = $1 ORDER BY tag")
                .bind(id)
                .fetch_all(self.pool())
                .await?;
        Ok(tags
            .into_iter()
            .map(|(t,)| t)
            .collect::<Vec<_>>()
            .join("、"))
    }

    /// The registry page: scoped, filtered, paged; returns the page and the total count.
    pub async fn search_enterprises(
        &self,
        actor: &Actor,
        f: &EnterpriseFilter,
    ) -> Result<(Vec<EnterpriseDetail>, i64)> {
        let limit = if f.limit <= 0 { 200 } else { f.limit };
        let mut rows: Vec<EnterpriseDetail> = bind_search(
            sqlx::query_as(concat!(
                detail_select!(),
                search_where!(),
                "ORDER BY e.town_id, e.credit_code LIMIT $9 OFFSET $10"
            )),
            actor,
            f,
        )
        .bind(limit)
        .bind(f.offset.max(0))
        .fetch_all(self.pool())
        .await?;
        let (count,): (i64,) = bind_search(
            sqlx::query_as(concat!(
                "SELECT COUNT(*) FROM enterprises e ",
                search_where!()
            )),
            actor,
            f,
        )
        .fetch_one(self.pool())
        .await?;
        for e in &mut rows {
            e.tags = self.tags_of(e.id).await?;
        }
        Ok((rows, count))
    }

    /// Credit code → (id, scale) of every registered enterprise (for imports).
    pub async fn enterprise_codes(
        &self,
    ) -> Result<std::collections::HashMap<String, (i64, Scale)>> {
        let rows: Vec<(String, i64, String)> =
            sqlx::query_as("SELECT credit_code, id, scale FROM enterprises")
                .fetch_all(self.pool())
                .await?;
        rows.into_iter()
            .map(|(c, id, s)| {
                let scale = Scale::try_from(s).map_err(|e| StoreError::Invalid(e.to_string()))?;
                Ok((c, (id, scale)))
            })
            .collect()
    }

    /// Creates or updates registry entries by credit code, all in one transaction (office only).
    /// The rows must already be valid; tags are replaced by the row's.
    ///
    /// Rows go in batches of [`IMPORT_BATCH`]: each batch is one upsert statement over a JSON
    /// array (one bind, so SQLite's variable limit never applies), returning the ids, then one
    /// DELETE and one INSERT for the tags. 100 000 rows take a few statements per thousand rows
    /// instead of three per row.
    pub async fn import_enterprises(
        &self,
        actor: &Actor,
        source: &str,
        rows: &[RegistryRow],
    ) -> Result<ImportSummary> {
        crate::office_only(actor, "导入企业名录")?;
        let mut seen = std::collections::HashSet::with_capacity(rows.len());
        if let Some(dup) = rows.iter().find(|r| !seen.insert(r.credit_code.as_str())) {
            return Err(StoreError::Invalid(format!(
                "统一社会信用代码 {} 在导入数据中重复 (duplicate credit code)",
                dup.credit_code
            )));
        }
        let (existing_sql, upsert_sql, delete_tags_sql, insert_tags_sql) = match self.engine() {
            Engine::Sqlite => (
                EXISTING_CODES_SQLITE,
                UPSERT_ENTERPRISES_SQLITE,
                DELETE_TAGS_SQLITE,
                INSERT_TAGS_SQLITE,
            ),
            Engine::Postgres => (
                EXISTING_CODES_POSTGRES,
                UPSERT_ENTERPRISES_POSTGRES,
                DELETE_TAGS_POSTGRES,
                INSERT_TAGS_POSTGRES,
            ),
        };
        let mut tx = self.begin().await?;
        let mut summary = ImportSummary::default();
        let now = crate::now();
        for chunk in rows.chunks(IMPORT_BATCH) {
            let codes: Vec<&str> = chunk.iter().map(|r| r.credit_code.as_str()).collect();
            let codes_json = serde_json::to_string(&codes).unwrap_or_else(|_| "[]".into());
            let (existing,): (i64,) = sqlx::query_as(existing_sql)
                .bind(&codes_json)
                .fetch_one(&mut *tx)
                .await?;
            let existing = usize::try_from(existing).unwrap_or(0);
            summary.updated += existing;
            summary.created += chunk.len() - existing.min(chunk.len());
            let json: Vec<serde_json::Value> = chunk
                .iter()
                .map(|r| {
                    serde_json::json!([
                        r.credit_code,
                        r.name,
                        r.town_id,
                        r.industry_code,
                        r.scale,
                        r.land_mu,
                        r.address,
                        r.service_contact,
                        r.service_phone
                    ])
                })
                .collect();
            let ids: Vec<(i64, String)> = sqlx::query_as(upsert_sql)
                .bind(now)
                .bind(serde_json::Value::Array(json).to_string())
                .fetch_all(&mut *tx)
                .await
                .map_err(unique_violation("统一社会信用代码已登记"))?;
            let id_of: std::collections::HashMap<&str, i64> =
                ids.iter().map(|(id, c)| (c.as_str(), *id)).collect();
            let chunk_ids: Vec<i64> = ids.iter().map(|(id, _)| *id).collect();
            sqlx::query(delete_tags_sql)
                .bind(serde_json::to_string(&chunk_ids).unwrap_or_else(|_| "[]".into()))
                .execute(&mut *tx)
                .await?;
            let tags: Vec<serde_json::Value> = chunk
                .iter()
                .filter_map(|r| id_of.get(r.credit_code.as_str()).map(|id| (id, r)))
                .flat_map(|(id, r)| r.tags.iter().map(move |t| serde_json::json!([id, t])))
                .collect();
            if !tags.is_empty() {
                sqlx::query(insert_tags_sql)
                    .bind(serde_json::Value::Array(tags).to_string())
                    .execute(&mut *tx)
                    .await
                    .map_err(unique_violation("标签重复"))?;
            }
        }
        commit_audited(tx,
            AuditEntry::new(actor, "enterprise.import", "enterprise", source).after(serde_json::json!({
                "source": source, "rows": rows.len(), "created": summary.created, "updated": summary.updated,
                "codes": rows.iter().map(|r| r.credit_code.as_str()).collect::<Vec<_>>(),
            })),
        )
.await?;
        Ok(summary)
    }

    /// Stores a data year's facts (office only): each row replaces that enterprise's facts of
    /// the year. One transaction, one audit entry; rows are written in batches.
    ///
    /// `extra_columns` are the 加减分 / 一票否决 columns the file carried: for every imported
    /// enterprise its stored values of those columns are replaced by the row's `extras` (an empty
    /// cell clears the value); other stored columns are left alone.
    pub async fn import_facts(
        &self,
        actor: &Actor,
        year: i64,
        source: &str,
        rows: &[FactRow],
        extra_columns: &[String],
    ) -> Result<ImportSummary> {
        crate::office_only(actor, "导入企业年度数据")?;
        let mut tx = self.begin().await?;
        let existing: Vec<(i64,)> =
            sqlx::query_as("SELECT enterprise_id FROM enterprise_facts WHERE year = $1")
                .bind(year)
                .fetch_all(&mut *tx)
                .await?;
        let existing: std::collections::HashSet<i64> =
            existing.into_iter().map(|(id,)| id).collect();
        let mut summary = ImportSummary::default();
        for r in rows {
            if existing.contains(&r.enterprise_id) {
                summary.updated += 1;
            } else {
                summary.created += 1;
            }
        }
        let now = crate::now();
        for chunk in rows.chunks(2000) {
            let json: Vec<serde_json::Value> = chunk
                .iter()
                .map(|r| {
                    // Positions 2… are FACT_COLUMNS in order, as the upsert's column list is.
                    let mut row = vec![
                        serde_json::json!(r.enterprise_id),
                        serde_json::json!(r.scale),
                    ];
                    row.extend(
                        FACT_COLUMNS
                            .iter()
                            .map(|c| serde_json::json!(r.facts.get(c))),
                    );
                    serde_json::Value::Array(row)
                })
                .collect();
            let sql = match self.engine() {
                Engine::Sqlite => UPSERT_FACTS_SQLITE,
                Engine::Postgres => UPSERT_FACTS_POSTGRES,
            };
            sqlx::query(sql)
                .bind(year)
                .bind(source)
                .bind(now)
                .bind(serde_json::Value::Array(json).to_string())
                .execute(&mut *tx)
                .await?;
            if extra_columns.is_empty() {
                continue;
            }
            let ids: Vec<i64> = chunk.iter().map(|r| r.enterprise_id).collect();
            let (delete, insert) = match self.engine() {
                Engine::Sqlite => (DELETE_EXTRAS_SQLITE, INSERT_EXTRAS_SQLITE),
                Engine::Postgres => (DELETE_EXTRAS_POSTGRES, INSERT_EXTRAS_POSTGRES),
            };
            sqlx::query(delete)
                .bind(year)
                .bind(serde_json::to_string(&ids).unwrap_or_else(|_| "[]".into()))
                .bind(serde_json::to_string(extra_columns).unwrap_or_else(|_| "[]".into()))
                .execute(&mut *tx)
                .await?;
            let extras: Vec<serde_json::Value> = chunk
                .iter()
                .flat_map(|r| {
                    r.extras
                        .iter()
                        .filter(|(c, v)| v.is_finite() && extra_columns.contains(c))
                        .map(|(c, v)| serde_json::json!([r.enterprise_id, c, v]))
                })
                .collect();
            if !extras.is_empty() {
                sqlx::query(insert)
                    .bind(year)
                    .bind(source)
                    .bind(now)
                    .bind(serde_json::Value::Array(extras).to_string())
                    .execute(&mut *tx)
                    .await?;
            }
        }
        commit_audited(tx,
            AuditEntry::new(actor, "enterprise.facts_import", "enterprise_facts", year).after(serde_json::json!({
                "year": year, "source": source, "rows": rows.len(), "created": summary.created, "updated": summary.updated,
                "extra_columns": extra_columns,
            })),
        )
.await?;
        Ok(summary)
    }

    /// An enterprise's facts, every year, newest first.
    pub async fn enterprise_facts(&self, actor: &Actor, id: i64) -> Result<Vec<YearFacts>> {
        self.get_enterprise(actor, id).await?;
        Ok(sqlx::query_as(concat!(
            "SELECT f.year, f.scale, ",
            fact_columns!(),
            "FROM enterprise_facts f WHERE f.enterprise_id = $1 ORDER BY f.year DESC"
        ))
        .bind(id)
        .fetch_all(self.pool())
        .await?)
    }

    /// An enterprise's 加减分 / 一票否决 inputs, every year, newest first.
    pub async fn enterprise_fact_extras(&self, actor: &Actor, id: i64) -> Result<Vec<FactExtra>> {
        self.get_enterprise(actor, id).await?;
        Ok(sqlx::query_as(
            "SELECT enterprise_id, year, column_name, value, source FROM enterprise_fact_extras \
             WHERE enterprise_id = $1 ORDER BY year DESC, column_name",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Every 加减分 / 一票否决 input of a data year (office only), for its evaluation.
    pub async fn year_fact_extras(&self, actor: &Actor, year: i64) -> Result<Vec<FactExtra>> {
        crate::office_only(actor, "运行评价")?;
        Ok(sqlx::query_as(
            "SELECT enterprise_id, year, column_name, value, source FROM enterprise_fact_extras \
             WHERE year = $1 ORDER BY enterprise_id, column_name",
        )
        .bind(year)
        .fetch_all(self.pool())
        .await?)
    }

    /// Data years with facts, newest first, with the number of enterprises.
    pub async fn fact_years(&self) -> Result<Vec<(i64, i64)>> {
        Ok(sqlx::query_as(
            "SELECT year, COUNT(*) FROM enterprise_facts GROUP BY year ORDER BY year DESC",
        )
        .fetch_all(self.pool())
        .await?)
    }

    /// The evaluation input of a data year (office only): every enterprise with facts that year.
    pub async fn eval_input(&self, actor: &Actor, year: i64) -> Result<Vec<EvalInputRow>> {
        crate::office_only(actor, "运行评价")?;
        Ok(sqlx::query_as(
            concat!(
                "SELECT e.id AS enterprise_id, e.credit_code, e.name, e.town_id, t.name AS town_name, \
                 e.industry_code, f.scale, ",
                fact_columns!(),
                "FROM enterprise_facts f JOIN enterprises e ON e.id = f.enterprise_id LEFT JOIN units t ON t.id = e.town_id \
                 WHERE f.year = $1 ORDER BY e.credit_code"
            ),
        )
        .bind(year)
        .fetch_all(self.pool())
        .await?)
    }
}

const UPSERT_FACTS_SQLITE: &str = "INSERT INTO enterprise_facts (enterprise_id, year, scale, land_mu, tax_wan, \
     added_value_wan, energy_tce, emission_t, employees, rd_wan, revenue_wan, electricity_wkwh, source, updated_at) \
     SELECT json_extract(value, '$[0]'), $1, json_extract(value, '$[1]'), json_extract(value, '$[2]'), \
     json_extract(value, '$[3]'), json_extract(value, '$[4]'), json_extract(value, '$[5]'), json_extract(value, '$[6]'), \
     json_extract(value, '$[7]'), json_extract(value, '$[8]'), json_extract(value, '$[9]'), json_extract(value, '$[10]'), \
     $2, $3 FROM json_each($4) WHERE 1 = 1 \
     ON CONFLICT (enterprise_id, year) DO UPDATE SET scale = excluded.scale, land_mu = excluded.land_mu, \
     tax_wan = excluded.tax_wan, added_value_wan = excluded.added_value_wan, energy_tce = excluded.energy_tce, \
     emission_t = excluded.emission_t, employees = excluded.employees, rd_wan = excluded.rd_wan, \
     revenue_wan = excluded.revenue_wan, electricity_wkwh = excluded.electricity_wkwh, source = excluded.source, \
     updated_at = excluded.updated_at";

const UPSERT_FACTS_POSTGRES: &str = "INSERT INTO enterprise_facts (enterprise_id, year, scale, land_mu, tax_wan, \
     added_value_wan, energy_tce, emission_t, employees, rd_wan, revenue_wan, electricity_wkwh, source, updated_at) \
     SELECT (v->>0)::bigint, $1, v->>1, (v->>2)::double precision, (v->>3)::double precision, \
     (v->>4)::double precision, (v->>5)::double precision, (v->>6)::double precision, (v->>7)::double precision, \
     (v->>8)::double precision, (v->>9)::double precision, (v->>10)::double precision, $2, $3 \
     FROM json_array_elements($4::json) v \
     ON CONFLICT (enterprise_id, year) DO UPDATE SET scale = excluded.scale, land_mu = excluded.land_mu, \
     tax_wan = excluded.tax_wan, added_value_wan = excluded.added_value_wan, energy_tce = excluded.energy_tce, \
     emission_t = excluded.emission_t, employees = excluded.employees, rd_wan = excluded.rd_wan, \
     revenue_wan = excluded.revenue_wan, electricity_wkwh = excluded.electricity_wkwh, source = excluded.source, \
     updated_at = excluded.updated_at";

/// Registry rows per batched statement.
pub const IMPORT_BATCH: usize = 2000;

const EXISTING_CODES_SQLITE: &str =
    "SELECT COUNT(*) FROM enterprises WHERE credit_code IN (SELECT value FROM json_each($1))";

const EXISTING_CODES_POSTGRES: &str = "SELECT COUNT(*) FROM enterprises \
     WHERE credit_code IN (SELECT v FROM json_array_elements_text($1::json) v)";

const UPSERT_ENTERPRISES_SQLITE: &str = "INSERT INTO enterprises (credit_code, name, town_id, industry_code, scale, \
     land_mu, address, service_contact, service_phone, created_at, updated_at) \
     SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'), \
     json_extract(value, '$[3]'), json_extract(value, '$[4]'), json_extract(value, '$[5]'), \
     json_extract(value, '$[6]'), json_extract(value, '$[7]'), json_extract(value, '$[8]'), $1, $1 \
     FROM json_each($2) WHERE 1 = 1 \
     ON CONFLICT (credit_code) DO UPDATE SET name = excluded.name, town_id = excluded.town_id, \
     industry_code = excluded.industry_code, scale = excluded.scale, land_mu = excluded.land_mu, \
     address = excluded.address, service_contact = excluded.service_contact, \
     service_phone = excluded.service_phone, updated_at = excluded.updated_at \
     RETURNING id, credit_code";

const UPSERT_ENTERPRISES_POSTGRES: &str = "INSERT INTO enterprises (credit_code, name, town_id, industry_code, scale, \
     land_mu, address, service_contact, service_phone, created_at, updated_at) \
     SELECT v->>0, v->>1, (v->>2)::bigint, v->>3, v->>4, (v->>5)::double precision, v->>6, v->>7, v->>8, $1, $1 \
     FROM json_array_elements($2::json) v \
     ON CONFLICT (credit_code) DO UPDATE SET name = excluded.name, town_id = excluded.town_id, \
     industry_code = excluded.industry_code, scale = excluded.scale, land_mu = excluded.land_mu, \
     address = excluded.address, service_contact = excluded.service_contact, \
     service_phone = excluded.service_phone, updated_at = excluded.updated_at \
     RETURNING id, credit_code";

const DELETE_TAGS_SQLITE: &str =
    "DELETE FROM enterprise_tags WHERE enterprise_id IN (SELECT value FROM json_each($1))";

const DELETE_TAGS_POSTGRES: &str = "DELETE FROM enterprise_tags \
     WHERE enterprise_id IN (SELECT v::bigint FROM json_array_elements_text($1::json) v)";

const INSERT_TAGS_SQLITE: &str = "INSERT INTO enterprise_tags (enterprise_id, tag) \
     SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each($1)";

const INSERT_TAGS_POSTGRES: &str = "INSERT INTO enterprise_tags (enterprise_id, tag) \
     SELECT (v->>0)::bigint, v->>1 FROM json_array_elements($1::json) v";

const DELETE_EXTRAS_SQLITE: &str = "DELETE FROM enterprise_fact_extras WHERE year = $1 \
     AND enterprise_id IN (SELECT value FROM json_each($2)) AND column_name IN (SELECT value FROM json_each($3))";

const DELETE_EXTRAS_POSTGRES: &str = "DELETE FROM enterprise_fact_extras WHERE year = $1 \
     AND enterprise_id IN (SELECT v::bigint FROM json_array_elements_text($2::json) v) \
     AND column_name IN (SELECT v FROM json_array_elements_text($3::json) v)";

const INSERT_EXTRAS_SQLITE: &str = "INSERT INTO enterprise_fact_extras (enterprise_id, year, column_name, value, \
     source, updated_at) SELECT json_extract(value, '$[0]'), $1, json_extract(value, '$[1]'), \
     json_extract(value, '$[2]'), $2, $3 FROM json_each($4)";

const INSERT_EXTRAS_POSTGRES: &str = "INSERT INTO enterprise_fact_extras (enterprise_id, year, column_name, value, \
     source, updated_at) SELECT (v->>0)::bigint, $1, v->>1, (v->>2)::double precision, $2, $3 \
     FROM json_array_elements($4::json) v";

/// Inserts an enterprise inside a caller's transaction (seeding, imports).
pub async fn insert_enterprise(tx: &mut crate::Tx, e: &NewEnterprise) -> Result<i64> {
    let now = crate::now();
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO enterprises (credit_code, name, town_id, industry_code, scale, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
    )
    .bind(&e.credit_code)
    .bind(&e.name)
    .bind(e.town_id)
    .bind(&e.industry_code)
    .bind(e.scale.as_str())
    .bind(now)
    .fetch_one(&mut **tx)
    .await
    .map_err(unique_violation("统一社会信用代码已登记"))?;
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The statement's own column list: between `(enterprise_id, year, scale, ` and
    /// `, source, updated_at)`.
    fn upsert_columns(sql: &str) -> Vec<&str> {
        let start = sql.find("scale, ").expect("scale first") + "scale, ".len();
        let end = sql.find(", source, updated_at)").expect("source last");
        sql[start..end].split(',').map(str::trim).collect()
    }

    /// A column the engine reads (`qx_eval`'s list) is a field of [`Facts`] that `get` and `set`
    /// know, is selected by every read and written in its place by both upserts; and [`Facts`]
    /// has no field beyond them. A column added in one place and not the others fails here.
    #[test]
    fn every_fact_column_is_a_field_and_a_column_of_every_statement() {
        let mut facts = Facts::default();
        for (i, c) in FACT_COLUMNS.iter().enumerate() {
            facts.set(c, Some(i as f64 + 0.5)).unwrap();
        }
        for (i, c) in FACT_COLUMNS.iter().enumerate() {
            assert_eq!(facts.get(c), Some(i as f64 + 0.5), "{c}");
        }
        let fields = serde_json::to_value(&facts).unwrap();
        let fields: Vec<&String> = fields.as_object().unwrap().keys().collect();
        let mut sorted = FACT_COLUMNS.to_vec();
        sorted.sort_unstable();
        let mut named: Vec<&str> = fields.iter().map(|f| f.as_str()).collect();
        named.sort_unstable();
        assert_eq!(named, sorted, "Facts has a field per column, no more");
        assert_eq!(
            facts.set("safety_bonus", Some(1.0)),
            Err(UnknownFactColumn("safety_bonus".into()))
        );

        let selected: Vec<String> = fact_columns!()
            .split(',')
            .map(|c| c.trim().to_string())
            .collect();
        let wanted: Vec<String> = FACT_COLUMNS.iter().map(|c| format!("f.{c}")).collect();
        assert_eq!(selected, wanted);

        for (engine, sql, slot) in [
            ("sqlite", UPSERT_FACTS_SQLITE, "json_extract(value, '$["),
            ("postgres", UPSERT_FACTS_POSTGRES, "v->>"),
        ] {
            assert_eq!(upsert_columns(sql), FACT_COLUMNS, "{engine}");
            // Id, scale, then one slot of the row's JSON array per column.
            assert_eq!(
                sql.matches(slot).count(),
                FACT_COLUMNS.len() + 2,
                "{engine}"
            );
            for c in FACT_COLUMNS {
                assert!(
                    sql.contains(&format!("{c} = excluded.{c}")),
                    "{engine}: {c}"
                );
            }
        }
    }
}
