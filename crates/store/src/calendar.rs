//! The working-day calendar table (放假 and 调休上班 days), editable by the office.

use crate::audit::AuditEntry;
use crate::commit_audited;
use crate::office_only;
use crate::{Result, Store, StoreError};
use qx_core::access::Actor;
use qx_core::calendar::{DayKind, WorkCalendar};
use serde::Serialize;
use std::collections::BTreeMap;
use time::Date;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct CalendarDay {
    /// ISO date.
    pub day: String,
    /// 放假 (a weekday off) or 调休上班 (a weekend day worked); a stored code that names
    /// neither is an error when read, never a working day by default.
    #[sqlx(try_from = "String")]
    pub kind: DayKind,
    pub name: String,
    pub source: String,
}

impl Store {
    /// Days of `year` that differ from the plain Monday–Friday week.
    pub async fn calendar_days(&self, year: i32) -> Result<Vec<CalendarDay>> {
        let from = format!("{year:04}-01-01");
        let to = format!("{year:04}-12-31");
        Ok(sqlx::query_as(
            "SELECT day, kind, name, source FROM calendar_days WHERE day >= $1 AND day <= $2 ORDER BY day",
        )
        .bind(from)
        .bind(to)
        .fetch_all(self.pool())
        .await?)
    }

    /// All special days (to build a working-day calendar in memory).
    pub async fn all_calendar_days(&self) -> Result<Vec<CalendarDay>> {
        Ok(
            sqlx::query_as("SELECT day, kind, name, source FROM calendar_days ORDER BY day")
                .fetch_all(self.pool())
                .await?,
        )
    }

    /// Sets or replaces one day; audited. Office only.
    pub async fn set_calendar_day(&self, actor: &Actor, day: &CalendarDay) -> Result<()> {
        office_only(actor, "维护工作日历")?;
        let before = self.calendar_day(&day.day).await?;
        let mut tx = self.begin().await?;
        upsert_calendar_day(&mut tx, day).await?;
        commit_audited(
            tx,
            AuditEntry::new(actor, "calendar.set", "calendar_day", &day.day)
                .before(before)
                .after(day),
        )
        .await
    }

    /// Removes a special day (it becomes an ordinary day again); audited. Office only.
    pub async fn delete_calendar_day(&self, actor: &Actor, date: &str) -> Result<()> {
        office_only(actor, "维护工作日历")?;
        let before = self
            .calendar_day(date)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("日历 {date}")))?;
        let mut tx = self.begin().await?;
        sqlx::query("DELETE FROM calendar_days WHERE day = $1")
            .bind(date)
            .execute(&mut *tx)
            .await?;
        commit_audited(
            tx,
            AuditEntry::new(actor, "calendar.delete", "calendar_day", date).before(before),
        )
        .await
    }

    async fn calendar_day(&self, date: &str) -> Result<Option<CalendarDay>> {
        Ok(
            sqlx::query_as("SELECT day, kind, name, source FROM calendar_days WHERE day = $1")
                .bind(date)
                .fetch_optional(self.pool())
                .await?,
        )
    }
}

/// Inserts or replaces a day inside a caller's transaction (seeding).
pub async fn upsert_calendar_day(tx: &mut crate::Tx, day: &CalendarDay) -> Result<()> {
    sqlx::query(
        "INSERT INTO calendar_days (day, kind, name, source) VALUES ($1, $2, $3, $4)
         ON CONFLICT (day) DO UPDATE SET kind = excluded.kind, name = excluded.name, source = excluded.source",
    )
    .bind(&day.day)
    .bind(day.kind.as_str())
    .bind(&day.name)
    .bind(&day.source)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Store {
    /// The working-day calendar from the admin-editable table. A year whose entries do not
    /// pass the calendar's checks is skipped with a warning (weekends still count).
    pub async fn work_calendar(&self) -> Result<WorkCalendar> {
        let mut years: BTreeMap<i32, (Vec<Date>, Vec<Date>)> = BTreeMap::new();
        for day in self.all_calendar_days().await? {
            let Some(d) = crate::problems::parse_date(&day.day) else {
                continue;
            };
            let entry = years.entry(d.year()).or_default();
            match day.kind {
                DayKind::Holiday => entry.0.push(d),
                DayKind::Workday => entry.1.push(d),
            }
        }
        let mut cal = WorkCalendar::weekends_only();
        for (year, (holidays, workdays)) in years {
            if let Err(e) = cal.add_year(year, holidays, workdays) {
                tracing::warn!(year, "calendar year skipped for deadlines: {e}");
            }
        }
        Ok(cal)
    }
}
