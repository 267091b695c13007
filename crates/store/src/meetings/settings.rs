//! The office's meeting settings: the rhythm (meetings a month), when a 督办 item turns blue,
//! how long a unit has for its first feedback, and how early its 情况说明 is due.

use super::*;
use qx_core::meeting::{
    DEFAULT_FEEDBACK_DAYS, DEFAULT_MEETINGS_PER_MONTH, DEFAULT_NEAR_DAYS, DEFAULT_STATEMENT_DAYS,
};

/// The settings, each with its default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MeetingSettings {
    /// 例会 a month (the default rhythm: twice).
    pub per_month: u32,
    /// Working days before its deadline an open 督办 item turns blue.
    pub near_days: u32,
    /// Working days after 交办 the unit's feedback is due (yellow after that).
    pub feedback_days: u32,
    /// Working days before the meeting each unit's 情况说明 is due.
    pub statement_days: u32,
}

impl Default for MeetingSettings {
    fn default() -> Self {
        MeetingSettings {
            per_month: DEFAULT_MEETINGS_PER_MONTH,
            near_days: DEFAULT_NEAR_DAYS,
            feedback_days: DEFAULT_FEEDBACK_DAYS,
            statement_days: DEFAULT_STATEMENT_DAYS,
        }
    }
}

const KEYS: [&str; 4] = [
    "meetings.per_month",
    "meetings.near_days",
    "meetings.feedback_days",
    "meetings.statement_days",
];

impl MeetingSettings {
    fn values(self) -> [u32; 4] {
        [
            self.per_month,
            self.near_days,
            self.feedback_days,
            self.statement_days,
        ]
    }
}

impl Store {
    /// The meeting settings (defaults where the office set none).
    pub async fn meeting_settings(&self) -> Result<MeetingSettings> {
        let d = MeetingSettings::default();
        let mut v = d.values();
        for (slot, key) in v.iter_mut().zip(KEYS) {
            if let Some(s) = self.get_setting(key).await?
                && let Ok(n) = s.parse()
            {
                *slot = n;
            }
        }
        Ok(MeetingSettings {
            per_month: v[0],
            near_days: v[1],
            feedback_days: v[2],
            statement_days: v[3],
        })
    }

    /// Saves the settings (office only): 1–8 meetings a month, 0–30 working days otherwise.
    pub async fn save_meeting_settings(&self, actor: &Actor, s: MeetingSettings) -> Result<()> {
        office_only(actor, "修改例会设置")?;
        if !(1..=8).contains(&s.per_month) {
            return Err(StoreError::Invalid(format!(
                "每月例会次数: 应为1至8, 实际为 {}",
                s.per_month
            )));
        }
        for (n, name) in [
            (s.near_days, "临近期限天数"),
            (s.feedback_days, "反馈期限天数"),
            (s.statement_days, "情况说明提前天数"),
        ] {
            if n > 30 {
                return Err(StoreError::Invalid(format!(
                    "{name}: 应为0至30个工作日, 实际为 {n}"
                )));
            }
        }
        let before = self.meeting_settings().await?;
        let mut tx = self.begin().await?;
        for (key, value) in KEYS.iter().zip(s.values()) {
            Store::put_setting(&mut tx, key, &value.to_string()).await?;
        }
        commit_audited(
            tx,
            AuditEntry::new(actor, "meeting.settings", "settings", "meetings")
                .before(before)
                .after(s),
        )
        .await
    }
}
