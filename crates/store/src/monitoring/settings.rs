//! The office's monitoring settings: the yellow-light threshold, time profiles, data sources.

use super::*;
use crate::office_only;

/// The setting that holds the yellow-light gap (percentage points behind 序时进度), defined
/// beside the rule it configures.
pub use qx_core::monitor::YELLOW_GAP_KEY;

impl Store {
    /// The traffic-light thresholds in force.
    pub async fn monitor_thresholds(&self) -> Result<qx_core::monitor::Thresholds> {
        let default = qx_core::monitor::Thresholds::default();
        Ok(qx_core::monitor::Thresholds {
            yellow_gap_points: self
                .get_setting(YELLOW_GAP_KEY)
                .await?
                .and_then(|v| v.parse().ok())
                .unwrap_or(default.yellow_gap_points),
        })
    }

    /// Sets the yellow-light gap (office only): 0–100 percentage points. Audited.
    pub async fn set_yellow_gap_points(&self, actor: &Actor, points: f64) -> Result<()> {
        office_only(actor, "设置亮灯阈值")?;
        if !points.is_finite() || !(0.0..=100.0).contains(&points) {
            return Err(StoreError::Invalid(format!(
                "黄灯阈值 {points}: 应在 0 到 100 个百分点之间 (must be 0–100 points)"
            )));
        }
        let before = self.get_setting(YELLOW_GAP_KEY).await?;
        let value = {
            let s = format!("{points:.2}");
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        };
        let mut tx = self.begin().await?;
        Store::put_setting(&mut tx, YELLOW_GAP_KEY, &value).await?;
        commit_audited(
            tx,
            AuditEntry::new(actor, "settings.update", "setting", YELLOW_GAP_KEY)
                .before(before)
                .after(&value),
        )
        .await
    }

    /// Sets an indicator's time profile (序时进度 curve), office only. Audited.
    pub async fn set_indicator_profile(
        &self,
        actor: &Actor,
        indicator_id: i64,
        profile: &qx_core::period::TimeProfile,
    ) -> Result<()> {
        office_only(actor, "设置序时进度")?;
        let before: (String,) = sqlx::query_as("SELECT profile FROM indicators WHERE id = $1")
            .bind(indicator_id)
            .fetch_optional(self.pool())
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("指标 {indicator_id}")))?;
        let after = profile.to_string();
        let mut tx = self.begin().await?;
        sqlx::query("UPDATE indicators SET profile = $1 WHERE id = $2")
            .bind(&after)
            .bind(indicator_id)
            .execute(&mut *tx)
            .await?;
        commit_audited(
            tx,
            AuditEntry::new(actor, "indicator.profile", "indicator", indicator_id)
                .before(before.0)
                .after(&after),
        )
        .await
    }
}
