//! The pipelines themselves: read with their stages, counted per stage in the reader's scope,
//! and edited by the office (name, criteria, rule, responsible unit, validity, each stage's name
//! and policy, stages added at the end) without a rebuild.

use super::{Pipeline, Stage, StageRow, entry_scope, only_office, stored_rule};
use crate::audit::AuditEntry;
use crate::enterprises::scoped;
use crate::{Result, Store, StoreError, commit_audited};
use qx_core::access::Actor;
use qx_core::cultivation::FactRule;
use qx_core::money::Wan;
use qx_core::text;
use serde::Serialize;

/// How many active entries a stage holds, in the reader's scope.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct StageCount {
    pub stage_id: i64,
    pub entries: i64,
}

/// The office's edit of a pipeline, as typed.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PipelineEdit {
    pub name: String,
    pub criteria: String,
    /// `主营业务收入 >= 2000` (any way `FactRule::parse` reads; stored by code), or empty for none.
    pub rule: String,
    pub responsible_unit_id: Option<i64>,
    pub validity_years: Option<i64>,
    /// Existing stages by id, in order; then new ones (id `None`) appended.
    pub stages: Vec<StageEdit>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct StageEdit {
    pub id: Option<i64>,
    pub name: String,
    pub policy_text: String,
    /// 万元 as typed; empty for none.
    pub policy_amount: String,
}

type PipelineRow = (
    i64,
    String,
    String,
    String,
    String,
    Option<i64>,
    Option<String>,
    Option<i64>,
    Option<i64>,
);

const PIPELINES: &str = "SELECT p.id, p.code, p.name, p.criteria, p.rule, p.responsible_unit_id, u.name, p.validity_years, p.stall_days \
     FROM cultivation_pipelines p LEFT JOIN units u ON u.id = p.responsible_unit_id ORDER BY p.ordinal, p.id";
const STAGES: &str = "SELECT id, pipeline_id, ordinal, name, milestone, policy_text, policy_amount_wan \
     FROM cultivation_stages ORDER BY pipeline_id, ordinal";

impl Store {
    /// Every pipeline with its stages, in the office's order. Definitions are county-wide
    /// settings every signed-in reader may see (the enterprise card lists the policies).
    pub async fn cultivation_pipelines(&self) -> Result<Vec<Pipeline>> {
        let rows: Vec<PipelineRow> = sqlx::query_as(PIPELINES).fetch_all(self.pool()).await?;
        let stages: Vec<StageRow> = sqlx::query_as(STAGES).fetch_all(self.pool()).await?;
        let stages = stages
            .into_iter()
            .map(Stage::decode)
            .collect::<Result<Vec<_>>>()?;
        rows.into_iter()
            .map(
                |(id, code, name, criteria, rule, unit_id, unit_name, validity, stall)| {
                    Ok(Pipeline {
                        rule: stored_rule(&name, &rule)?,
                        stages: stages
                            .iter()
                            .filter(|s| s.pipeline_id == id)
                            .cloned()
                            .collect(),
                        id,
                        code,
                        name,
                        criteria,
                        responsible_unit_id: unit_id,
                        responsible_unit_name: unit_name,
                        validity_years: validity,
                        stall_days: stall,
                    })
                },
            )
            .collect()
    }

    /// One pipeline by id.
    pub async fn cultivation_pipeline(&self, id: i64) -> Result<Pipeline> {
        self.cultivation_pipelines()
            .await?
            .into_iter()
            .find(|p| p.id == id)
            .ok_or_else(|| StoreError::NotFound(format!("培育库 {id}")))
    }

    /// One pipeline by its code (`xsg` …).
    pub async fn cultivation_pipeline_by_code(&self, code: &str) -> Result<Pipeline> {
        self.cultivation_pipelines()
            .await?
            .into_iter()
            .find(|p| p.code == code)
            .ok_or_else(|| StoreError::NotFound(format!("培育库 {code}")))
    }

    /// Active entries per stage, counting only what `actor` may read.
    pub async fn cultivation_stage_counts(&self, actor: &Actor) -> Result<Vec<StageCount>> {
        let sql = concat!(
            "SELECT ce.stage_id, COUNT(*) AS entries FROM cultivation_entries ce \
             JOIN cultivation_pipelines p ON p.id = ce.pipeline_id WHERE ",
            entry_scope!(),
            " AND ce.status = 'active' GROUP BY ce.stage_id"
        );
        Ok(scoped(sqlx::query_as(sql), actor)
            .fetch_all(self.pool())
            .await?)
    }

    /// The office changes a pipeline; each field is checked and named in the message.
    pub async fn update_cultivation_pipeline(
        &self,
        actor: &Actor,
        id: i64,
        edit: &PipelineEdit,
    ) -> Result<()> {
        only_office(actor)?;
        let before = self.cultivation_pipeline(id).await?;
        let invalid = StoreError::Invalid;
        let name = text::PIPELINE_NAME.check(&edit.name).map_err(invalid)?;
        let criteria = text::PIPELINE_TEXT.check(&edit.criteria).map_err(invalid)?;
        // Stored by code whatever words it was typed in, so renaming a label never breaks it.
        let rule = match edit.rule.trim() {
            "" => String::new(),
            typed => FactRule::parse(typed)
                .map_err(|e| StoreError::Invalid(format!("数据规则: {e}")))?
                .text(),
        };
        if let Some(v) = edit.validity_years
            && !(1..=10).contains(&v)
        {
            return Err(StoreError::Invalid(format!(
                "有效期: 应为1到10年, 实际为 {v}"
            )));
        }
        let mut stages = Vec::new();
        for (i, s) in edit.stages.iter().enumerate() {
            if s.id.is_none() && s.name.trim().is_empty() {
                continue;
            }
            if let Some(sid) = s.id
                && before.position(sid).is_none()
            {
                return Err(StoreError::NotFound(format!("阶段 {sid}")));
            }
            let at = |e: String| StoreError::Invalid(format!("第{}阶段 {e}", i + 1));
            let name = text::STAGE_NAME.check(&s.name).map_err(at)?.to_string();
            let policy = text::PIPELINE_TEXT
                .check(&s.policy_text)
                .map_err(at)?
                .to_string();
            let amount = match Wan::parse_cell(&s.policy_amount) {
                Ok(v) => v.map(|w| w.to_string()),
                Err(e) => return Err(at(format!("奖励金额: {e}"))),
            };
            stages.push((s.id, name, policy, amount));
        }
        if stages.is_empty() {
            return Err(StoreError::Invalid("阶段: 至少要有一个阶段".into()));
        }
        let mut tx = self.begin().await?;
        sqlx::query(
            "UPDATE cultivation_pipelines SET name = $1, criteria = $2, rule = $3, \
             responsible_unit_id = $4, validity_years = $5, updated_at = $6 WHERE id = $7",
        )
        .bind(name)
        .bind(criteria)
        .bind(&rule)
        .bind(edit.responsible_unit_id)
        .bind(edit.validity_years)
        .bind(crate::now())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let mut next = before.stages.iter().map(|s| s.ordinal).max().unwrap_or(0);
        for (sid, name, policy, amount) in &stages {
            match sid {
                Some(sid) => {
                    sqlx::query(
                        "UPDATE cultivation_stages SET name = $1, policy_text = $2, \
                         policy_amount_wan = $3 WHERE id = $4 AND pipeline_id = $5",
                    )
                    .bind(name)
                    .bind(policy)
                    .bind(amount)
                    .bind(sid)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                }
                None => {
                    next += 1;
                    sqlx::query(
                        "INSERT INTO cultivation_stages (pipeline_id, ordinal, name, policy_text, policy_amount_wan) \
                         VALUES ($1, $2, $3, $4, $5)",
                    )
                    .bind(id)
                    .bind(next)
                    .bind(name)
                    .bind(policy)
                    .bind(amount)
                    .execute(&mut *tx)
                    .await?;
                }
            }
        }
        let entry = AuditEntry::new(actor, "cultivation.pipeline", "cultivation_pipeline", id)
            .before(&before)
            .after(edit);
        commit_audited(tx, entry).await
    }
}
