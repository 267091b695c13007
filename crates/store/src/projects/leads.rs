//! 招商线索: anyone signed in submits one; the office accepts or rejects it, names a follow-up
//! unit and a reward decision, and turns an accepted lead into a project at 在谈.
//!
//! Scope: the office and leaders read every lead; anyone else the leads they submitted, and a
//! unit also those it follows up.

use super::*;
use crate::audit::AuditEntry;
use crate::notices::{NewNotice, notify};
use qx_core::notice::{Audience, NoticeKind, Subject, Text};
use qx_core::project::{LeadStatus, fields};

/// A lead as submitted.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct NewLead {
    pub investor: String,
    pub industry: String,
    /// 意向投资 (万元).
    pub intended_wan: Option<f64>,
    pub contact: String,
    /// Who found it (线索提供人), for the reward.
    pub found_by: String,
    pub note: String,
}

/// The office's decision on a lead.
#[derive(Debug, Clone, Serialize)]
pub struct LeadDecision {
    pub accept: bool,
    pub follow_unit_id: Option<i64>,
    pub reward: String,
    pub note: String,
}

/// A stored lead: the [`NewLead`] it was submitted as (flattened, so its JSON keeps one flat
/// field list), and what became of it.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Lead {
    pub id: i64,
    #[serde(flatten)]
    #[sqlx(flatten)]
    pub submitted: NewLead,
    #[sqlx(try_from = "String")]
    pub status: LeadStatus,
    pub submitted_by: Option<i64>,
    pub submitter_name: String,
    pub follow_unit_id: Option<i64>,
    pub follow_unit_name: String,
    pub reward: String,
    pub decision_note: String,
    pub project_id: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// The leads' scope predicate over `leads l`, binding [`lead_binds`] as `$1`–`$3`.
macro_rules! lead_scope_sql {
    () => {
        "($1 = 1 OR l.submitted_by = $2 OR l.follow_unit_id = $3)"
    };
}
pub(super) use lead_scope_sql;

macro_rules! lead_select {
    () => {
        concat!(
            "SELECT l.id, l.investor, l.industry, l.intended_wan, l.contact, l.found_by, l.note, l.status, l.submitted_by,
            COALESCE((SELECT u.display_name FROM users u WHERE u.id = l.submitted_by), '') AS submitter_name,
            l.follow_unit_id, COALESCE((SELECT u.name FROM units u WHERE u.id = l.follow_unit_id), '') AS follow_unit_name,
            l.reward, l.decision_note, l.project_id, l.created_at, l.updated_at
         FROM leads l
         WHERE ",
            lead_scope_sql!(),
            " "
        )
    };
}

pub(super) fn lead_binds(actor: &Actor) -> (i64, i64, i64) {
    (
        i64::from(actor.reads_all()),
        actor.user_id,
        crate::own_unit(actor),
    )
}

impl Store {
    /// Anyone signed in submits a lead; the office is told.
    pub async fn submit_lead(&self, actor: &Actor, new: &NewLead) -> Result<i64> {
        let investor = text(fields::INVESTOR, &new.investor)?;
        let industry = text(fields::INDUSTRY, &new.industry)?;
        let contact = text(fields::LEAD_CONTACT, &new.contact)?;
        let found_by = text(fields::FOUND_BY, &new.found_by)?;
        let note = text(fields::LEAD_NOTE, &new.note)?;
        if new.intended_wan.is_some_and(|v| v < 0.0) {
            return Err(StoreError::Invalid("意向投资: 不能为负数".into()));
        }
        let now = crate::now();
        let mut tx = self.begin().await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO leads (investor, industry, intended_wan, contact, found_by, note, status, submitted_by,
                submitter_unit_id, submitter_enterprise_id, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id",
        )
        .bind(&investor)
        .bind(&industry)
        .bind(crate::OptF64(new.intended_wan))
        .bind(&contact)
        .bind(&found_by)
        .bind(&note)
        .bind(LeadStatus::Submitted.as_str())
        .bind((actor.user_id != 0).then_some(actor.user_id))
        .bind(actor.unit_id)
        .bind(actor.enterprise_id)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        notify(
            &mut tx,
            &NewNotice {
                audience: Audience::Office,
                kind: NoticeKind::LeadSubmitted,
                subject: Subject::Lead(id),
                text: Text::LeadNew {
                    investor: investor.to_string(),
                    found_by: found_by.to_string(),
                },
                dedupe_key: None,
            },
        )
        .await?;
        crate::commit_audited(
            tx,
            AuditEntry::new(actor, "lead.submit", "lead", id).after(new),
        )
        .await?;
        Ok(id)
    }

    /// Dates leads entered after the fact (the demo's year, last year's ledger replayed): each
    /// `(lead id, Unix time)` becomes the lead's submission time, only ever earlier (a lead is
    /// never dated after it was recorded). System only; one transaction, audited once. Returns
    /// how many moved.
    pub async fn date_leads(&self, actor: &Actor, times: &[(i64, i64)]) -> Result<usize> {
        crate::system_only(actor, "补录线索时间")?;
        let mut tx = self.begin().await?;
        let mut moved = 0;
        for (id, at) in times {
            moved +=
                sqlx::query("UPDATE leads SET created_at = $1 WHERE id = $2 AND created_at > $1")
                    .bind(at)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected() as usize;
        }
        crate::commit_dated(tx, actor, "lead.date", "lead", moved).await
    }

    /// The leads the actor may read, newest first by when each came in (a lead entered after
    /// the fact lists at its own time).
    pub async fn list_leads(&self, actor: &Actor, status: Option<LeadStatus>) -> Result<Vec<Lead>> {
        let (all, user, unit) = lead_binds(actor);
        let sql = concat!(
            lead_select!(),
            "AND ($4 IS NULL OR l.status = $4) ORDER BY l.created_at DESC, l.id DESC"
        );
        Ok(sqlx::query_as(sql)
            .bind(all)
            .bind(user)
            .bind(unit)
            .bind(status.map(LeadStatus::as_str))
            .fetch_all(self.pool())
            .await?)
    }

    pub async fn get_lead(&self, actor: &Actor, id: i64) -> Result<Lead> {
        let (all, user, unit) = lead_binds(actor);
        let sql = concat!(lead_select!(), "AND l.id = $4");
        sqlx::query_as(sql)
            .bind(all)
            .bind(user)
            .bind(unit)
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("招商线索 {id}")))
    }

    /// The office accepts or rejects a lead, names the follow-up unit (told by a notice) and
    /// records the reward decision.
    pub async fn decide_lead(&self, actor: &Actor, id: i64, d: &LeadDecision) -> Result<()> {
        crate::office_only(actor, "处理招商线索")?;
        let lead = self.get_lead(actor, id).await?;
        let status = lead
            .status
            .decide(d.accept)
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        let reward = text(fields::REWARD, &d.reward)?;
        let note = text(fields::LEAD_NOTE, &d.note)?;
        if d.accept && d.follow_unit_id.is_none() {
            return Err(StoreError::Invalid(
                "跟进单位: 采纳线索须指定跟进单位".into(),
            ));
        }
        let mut tx = self.begin().await?;
        sqlx::query(
            "UPDATE leads SET status = $1, follow_unit_id = $2, reward = $3, decision_note = $4, updated_at = $5 WHERE id = $6",
        )
        .bind(status.as_str())
        .bind(d.follow_unit_id)
        .bind(&reward)
        .bind(&note)
        .bind(crate::now())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if let Some(unit) = d
            .follow_unit_id
            .filter(|u| d.accept && lead.follow_unit_id != Some(*u))
        {
            notify(
                &mut tx,
                &NewNotice {
                    audience: Audience::Unit(unit),
                    kind: NoticeKind::LeadAssigned,
                    subject: Subject::Lead(id),
                    text: Text::LeadAssigned {
                        investor: lead.submitted.investor.clone(),
                    },
                    dedupe_key: None,
                },
            )
            .await?;
        }
        crate::commit_audited(
            tx,
            AuditEntry::new(actor, "lead.decide", "lead", id)
                .before(&lead)
                .after(d),
        )
        .await
    }

    /// Turns an accepted lead into a project at 在谈 from `since`; returns the project's id.
    pub async fn convert_lead(
        &self,
        actor: &Actor,
        id: i64,
        input: &ProjectInput,
        since: Date,
    ) -> Result<i64> {
        crate::office_only(actor, "处理招商线索")?;
        let lead = self.get_lead(actor, id).await?;
        let status = lead
            .status
            .convert()
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        let mut tx = self.begin().await?;
        let project = write::insert_project(&mut tx, actor, input, since, Some(id)).await?;
        sqlx::query("UPDATE leads SET status = $1, project_id = $2, updated_at = $3 WHERE id = $4")
            .bind(status.as_str())
            .bind(project)
            .bind(crate::now())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        crate::commit_audited(
            tx,
            AuditEntry::new(actor, "lead.convert", "lead", id)
                .after(serde_json::json!({ "project_id": project, "project": input })),
        )
        .await?;
        Ok(project)
    }
}
