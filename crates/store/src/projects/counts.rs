//! The stage counts the plan's project indicators read (签约/注册/开工/投产项目数, 亿元以上项目
//! 开工率, and 实际利用外资 / 利用内资 from the approved 调度), as of a day: by the stages' actual dates, so a month's figure never changes when a
//! later move is recorded. A project halted on or before the day leaves the counts. The 到位
//! sums are stored per period (`project_capital_done`, kept with `project_year_done`).
//! No actor: county-wide aggregates for the office's documents and pictures (the plan's
//! indicators, bulletins), naming no project, as the problem rates as of a day are.

use super::*;
use qx_core::project::MAJOR_THRESHOLD_WAN;

/// Projects that reached each stage within a year, up to a day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct StageCounts {
    pub signed: i64,
    pub registered: i64,
    pub started: i64,
    pub producing: i64,
    /// 亿元以上 projects planned to start within the year (the 开工率's denominator).
    pub major_planned_to_start: i64,
    /// Of those, the ones started by the day.
    pub major_started: i64,
    /// 外资到位 (万美元) of the year's approved monthly 调度 up to the day's month.
    pub foreign_wusd: f64,
    /// 内资到位 (万元) of the same months.
    pub domestic_wan: f64,
}

impl StageCounts {
    /// 亿元以上项目开工率 in percent; `None` when no 亿元以上 project is planned to start.
    pub fn major_start_rate(&self) -> Option<f64> {
        (self.major_planned_to_start > 0)
            .then(|| self.major_started as f64 * 100.0 / self.major_planned_to_start as f64)
    }
}

impl Store {
    /// Whether the 重大项目库 holds any project: until it does, the county keeps its projects
    /// elsewhere and the project indicators have no figure (rather than a count of 0).
    pub async fn has_projects(&self) -> Result<bool> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM projects")
            .fetch_one(self.pool())
            .await?;
        Ok(n > 0)
    }

    /// The counts for `year` as of `day` (inclusive). 外资/内资到位 are the stored sums of the
    /// year's periods up to the day's month (`project_capital_done`, migration 0034), kept by
    /// the writers of the 调度 and of its approval. A county-wide aggregate for the office's
    /// documents and pictures, so no actor (see the module's first lines).
    pub async fn project_stage_counts_as_of(&self, year: i32, day: Date) -> Result<StageCounts> {
        self.counts_with_capital(CAPITAL_STORED, year, day).await
    }

    /// The same counts as [`Store::project_stage_counts_as_of`] with 到位 summed from every
    /// approved 调度 row of the months: what the stored sums must always agree with (tests and
    /// the bench compare them).
    pub async fn project_stage_counts_as_of_from_months(
        &self,
        year: i32,
        day: Date,
    ) -> Result<StageCounts> {
        self.counts_with_capital(CAPITAL_FROM_MONTHS, year, day)
            .await
    }

    /// The stage counts with 到位 read by `sql` (one of the two sums below) over the year's
    /// periods up to the day's month.
    async fn counts_with_capital(
        &self,
        sql: &'static str,
        year: i32,
        day: Date,
    ) -> Result<StageCounts> {
        let mut counts = self.stage_counts(year, day).await?;
        let (foreign, domestic): (Option<f64>, Option<f64>) = sqlx::query_as(sql)
            .bind(first_month(year))
            .bind(month_of(year, day))
            .fetch_one(self.pool())
            .await?;
        counts.foreign_wusd = foreign.unwrap_or(0.0);
        counts.domestic_wan = domestic.unwrap_or(0.0);
        Ok(counts)
    }

    /// The stage counts without the 到位 sums.
    async fn stage_counts(&self, year: i32, day: Date) -> Result<StageCounts> {
        let from =
            iso(Date::from_ordinal_date(year, 1).map_err(|e| StoreError::Invalid(e.to_string()))?);
        let to = iso(day);
        // The four counted stages by name, so each is a range of the (stage, actual_on,
        // project_id) index rather than a walk of the whole index; the halted projects are one
        // set read once (`NOT IN`, project_id is never NULL), not a lookup per stage.
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT s.stage, COUNT(*) FROM project_stages s
             WHERE s.stage IN ($4, $5, $6, $7) AND s.actual_on >= $1 AND s.actual_on <= $2
               AND s.project_id NOT IN (SELECT h.project_id FROM project_stages h
                                        WHERE h.stage = $3 AND h.actual_on IS NOT NULL AND h.actual_on <= $2)
             GROUP BY s.stage",
        )
        .bind(&from)
        .bind(&to)
        .bind(Stage::Halted.as_str())
        .bind(Stage::Signed.as_str())
        .bind(Stage::Registered.as_str())
        .bind(Stage::Started.as_str())
        .bind(Stage::Producing.as_str())
        .fetch_all(self.pool())
        .await?;
        let mut counts = StageCounts::default();
        for (code, n) in rows {
            match Stage::parse(&code).map_err(|e| StoreError::Invalid(e.to_string()))? {
                Stage::Signed => counts.signed = n,
                Stage::Registered => counts.registered = n,
                Stage::Started => counts.started = n,
                Stage::Producing => counts.producing = n,
                Stage::Negotiating | Stage::Halted => {}
            }
        }
        let year_end = iso(Date::from_ordinal_date(year, 1)
            .and_then(|d| d.replace_month(time::Month::December))
            .and_then(|d| d.replace_day(31))
            .map_err(|e| StoreError::Invalid(e.to_string()))?);
        let (planned, started): (i64, i64) = sqlx::query_as(
            "SELECT COUNT(*), COALESCE(SUM(CASE WHEN s.actual_on IS NOT NULL AND s.actual_on <= $4 THEN 1 ELSE 0 END), 0)
             FROM project_stages s JOIN projects p ON p.id = s.project_id
             WHERE s.stage = $1 AND s.planned_on >= $2 AND s.planned_on <= $3 AND p.total_investment_wan >= $5
               AND s.project_id NOT IN (SELECT h.project_id FROM project_stages h
                                        WHERE h.stage = $6 AND h.actual_on IS NOT NULL AND h.actual_on <= $4)",
        )
        .bind(Stage::Started.as_str())
        .bind(&from)
        .bind(&year_end)
        .bind(&to)
        .bind(MAJOR_THRESHOLD_WAN)
        .bind(Stage::Halted.as_str())
        .fetch_one(self.pool())
        .await?;
        counts.major_planned_to_start = planned;
        counts.major_started = started;
        Ok(counts)
    }
}

/// The first month of `year`, as `YYYY-MM`.
fn first_month(year: i32) -> String {
    format!("{year}-01")
}

/// The month of `day`, as `YYYY-MM` of `year`.
fn month_of(year: i32, day: Date) -> String {
    format!("{year}-{:02}", u8::from(day.month()))
}

/// 外资/内资到位 from `$1` to `$2` (months), as kept per period.
const CAPITAL_STORED: &str =
    "SELECT SUM(c.foreign_wusd), SUM(c.domestic_wan) FROM project_capital_done c
     JOIN report_periods rp ON rp.id = c.period_id
     WHERE rp.period >= $1 AND rp.period <= $2";

/// The same sums from every approved 调度 row of the months.
const CAPITAL_FROM_MONTHS: &str = concat!(
    "SELECT SUM(d.foreign_wusd), SUM(d.domestic_wan) FROM project_dispatches d
     JOIN report_periods rp ON rp.id = d.period_id
     WHERE rp.period >= $1 AND rp.period <= $2 AND ",
    dispatch_approved!()
);
