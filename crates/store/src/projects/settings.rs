//! The projects module's settings: after how many days each funnel alert is raised.

use super::*;
use crate::audit::AuditEntry;
use qx_core::project::{AlertDays, FunnelAlert, Judging};

impl Store {
    /// What projects are judged by today: the office's 亮灯 thresholds, the indicators' own
    /// ([`Store::monitor_thresholds`]), and its funnel alert days.
    pub async fn project_judging(&self) -> Result<Judging> {
        Ok(Judging {
            thresholds: self.monitor_thresholds().await?,
            alert_days: self.project_alert_days().await?,
        })
    }

    /// The days after which each funnel alert is raised (the defaults until the office sets them).
    pub async fn project_alert_days(&self) -> Result<AlertDays> {
        let rows: Vec<(String, i64)> = sqlx::query_as("SELECT key, value FROM project_settings")
            .fetch_all(self.pool())
            .await?;
        let mut days = AlertDays::default();
        for (key, value) in rows {
            match FunnelAlert::ALL.into_iter().find(|a| a.as_str() == key) {
                Some(FunnelAlert::SignedNotRegistered) => days.signed_not_registered = value,
                Some(FunnelAlert::RegisteredNotStarted) => days.registered_not_started = value,
                Some(FunnelAlert::StartedNotProducing) => days.started_not_producing = value,
                None => {
                    return Err(StoreError::Invalid(format!("未知的项目设置 \"{key}\"")));
                }
            }
        }
        Ok(days)
    }

    /// The office sets the funnel alerts' days (1 to 3,650 each).
    pub async fn set_project_alert_days(&self, actor: &Actor, days: &AlertDays) -> Result<()> {
        crate::office_only(actor, "修改项目设置")?;
        let before = self.project_alert_days().await?;
        let mut tx = self.begin().await?;
        for alert in FunnelAlert::ALL {
            let value = days.days(alert);
            if !(1..=3650).contains(&value) {
                return Err(StoreError::Invalid(format!(
                    "{}: 天数应在1至3650之间",
                    qx_core::label::Labelled::label(&alert, qx_core::label::Lang::Zh)
                )));
            }
            sqlx::query(
                "INSERT INTO project_settings (key, value) VALUES ($1, $2)
                 ON CONFLICT (key) DO UPDATE SET value = $2",
            )
            .bind(alert.as_str())
            .bind(value)
            .execute(&mut *tx)
            .await?;
        }
        crate::commit_audited(
            tx,
            AuditEntry::new(actor, "project.settings", "project_settings", "alert_days")
                .before(before)
                .after(days),
        )
        .await
    }
}
