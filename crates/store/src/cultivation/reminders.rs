//! The daily reminders of the 企业培育库, raised by the sweep `qx serve` runs beside the problems
//! deadline sweep: an entry that has not moved for its pipeline's `stall_days` (停滞), and a
//! certificate (高新技术企业, 3 years) 90 and 30 days before it expires. Each goes to the entry's
//! town, the pipeline's responsible department and the firm's 企服责任人, once per reminder: the
//! notice's dedupe key names the entry, the stage date or expiry and the audience, so a sweep
//! run every ten minutes, or on several servers, tells each person once.

use crate::notices::{NewNotice, notify};
use crate::{Result, Store, StoreError};
use qx_core::access::Actor;
use qx_core::notice::{Audience, NoticeKind, Subject, Text};
use qx_core::time::{format_date, parse_date};
use time::{Date, Duration};

/// Days before expiry on which a certificate is reminded of (the first, then the second).
pub const EXPIRY_WARNINGS: [i64; 2] = [90, 30];

type Row = (
    i64,
    String,
    String,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    String,
    Option<String>,
    Option<i64>,
);

const ACTIVE: &str = "SELECT ce.id, ce.name, p.name, ce.town_id, p.responsible_unit_id, c.user_id, \
     ce.stage_since, ce.expires_on, p.stall_days \
     FROM cultivation_entries ce JOIN cultivation_pipelines p ON p.id = ce.pipeline_id \
     LEFT JOIN problem_service_contacts c ON c.enterprise_id = ce.enterprise_id \
     WHERE ce.status = 'active' AND (p.stall_days IS NOT NULL OR ce.expires_on IS NOT NULL)";

impl Store {
    /// The office sets after how many days without a move an entry of a pipeline is stalled
    /// (`None`: never).
    pub async fn set_cultivation_stall_days(
        &self,
        actor: &Actor,
        pipeline_id: i64,
        days: Option<i64>,
    ) -> Result<()> {
        super::only_office(actor)?;
        if let Some(d) = days
            && !(7..=3650).contains(&d)
        {
            return Err(StoreError::Invalid(format!(
                "停滞提醒天数: 应为7到3650天, 实际为 {d}"
            )));
        }
        let mut tx = self.begin().await?;
        let changed = sqlx::query("UPDATE cultivation_pipelines SET stall_days = $1 WHERE id = $2")
            .bind(days)
            .bind(pipeline_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if changed == 0 {
            return Err(StoreError::NotFound(format!("培育库 {pipeline_id}")));
        }
        let entry = crate::audit::AuditEntry::new(
            actor,
            "cultivation.stall_days",
            "cultivation_pipeline",
            pipeline_id,
        )
        .after(days);
        crate::commit_audited(tx, entry).await
    }

    /// Raises the reminders due on `today`; answers the notices made (for the webhook).
    pub async fn sweep_cultivation_reminders(&self, today: Date) -> Result<Vec<i64>> {
        let rows: Vec<Row> = sqlx::query_as(ACTIVE).fetch_all(self.pool()).await?;
        let mut tx = self.begin().await?;
        let mut made = Vec::new();
        for (id, name, pipeline, town, unit, contact, since, expires, stall) in rows {
            let mut due: Vec<(NoticeKind, String, Text)> = Vec::new();
            if let (Some(days), Some(since_day)) = (stall, parse_date(&since))
                && since_day + Duration::days(days) <= today
            {
                due.push((
                    NoticeKind::CultivationStalled,
                    format!("stalled:{id}:{since}"),
                    Text::CultivationStalled {
                        firm: name.clone(),
                        pipeline: pipeline.clone(),
                        since: since.clone(),
                        days,
                    },
                ));
            }
            if let Some(end) = expires.as_deref().and_then(parse_date)
                && end >= today
            {
                let left = (end - today).whole_days();
                if let Some(w) = EXPIRY_WARNINGS.iter().rev().find(|w| left <= **w) {
                    due.push((
                        NoticeKind::CultivationExpiring,
                        format!("expiring:{id}:{}:{w}", format_date(end)),
                        Text::CultivationExpiring {
                            firm: name.clone(),
                            pipeline: pipeline.clone(),
                            end: format_date(end),
                            left,
                        },
                    ));
                }
            }
            let audiences: Vec<Audience> = [town, unit]
                .into_iter()
                .flatten()
                .map(Audience::Unit)
                .chain(contact.map(Audience::User))
                .collect();
            for (kind, key, text) in due {
                let mut told = Vec::new();
                for a in &audiences {
                    if told.contains(a) {
                        continue;
                    }
                    told.push(*a);
                    let (who, who_id) = a.to_parts();
                    let n = NewNotice {
                        audience: *a,
                        kind,
                        subject: Subject::CultivationEntry(id),
                        text: text.clone(),
                        dedupe_key: Some(format!(
                            "cultivation.{key}:{who}:{}",
                            who_id.unwrap_or(0)
                        )),
                    };
                    made.extend(notify(&mut tx, &n).await?);
                }
            }
        }
        tx.commit().await?;
        Ok(made)
    }
}
