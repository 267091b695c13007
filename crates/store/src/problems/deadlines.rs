//! Working-day deadlines: recomputing open problems' due dates and the sweep that warns and
//! escalates.

use super::*;

/// What a deadline sweep did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SweepReport {
    pub open: usize,
    pub recomputed: usize,
    pub near: usize,
    pub overdue: usize,
    pub escalated: usize,
    /// Notices created (for the webhook).
    pub notices: Vec<i64>,
}

/// Open problems grouped by what their deadlines are computed from (category, submission
/// day, clock start, extension), with the range of each stored date and how many rows hold a
/// running date (`due_on`) other than the one their status runs against.
type OpenClockGroup = (
    String,
    String,
    String,
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
    i64,
);
/// The date a status runs against, as SQL over the stored dates (see [`running_due`]).
macro_rules! running_due_sql {
    ($accept:literal, $answer:literal, $close:literal) => {
        concat!(
            "CASE status WHEN 'submitted' THEN ",
            $accept,
            " WHEN 'answered' THEN ",
            $close,
            " WHEN 'rated' THEN ",
            $close,
            " ELSE ",
            $answer,
            " END"
        )
    };
}
const OPEN_CLOCK_SQL: &str = concat!(
    "SELECT category, submitted_on, clock_start, extension_days, MIN(accept_due), MAX(accept_due), ",
    "MIN(answer_due), MAX(answer_due), MIN(close_due), MAX(close_due), ",
    "CAST(COALESCE(SUM(CASE WHEN due_on = ",
    running_due_sql!("accept_due", "answer_due", "close_due"),
    " THEN 0 ELSE 1 END), 0) AS BIGINT), COUNT(*) ",
    "FROM problems WHERE status NOT IN ('closed', 'withdrawn') GROUP BY category, submitted_on, clock_start, extension_days"
);
const RESET_CLOCK_SQL: &str = concat!(
    "UPDATE problems SET accept_due = $1, answer_due = $2, close_due = $3, due_on = ",
    running_due_sql!("$1", "$2", "$3"),
    " WHERE status NOT IN ('closed', 'withdrawn') AND category = $4 AND submitted_on = $5 AND clock_start = $6 ",
    "AND extension_days = $7 AND (accept_due <> $1 OR answer_due <> $2 OR close_due <> $3 OR due_on <> ",
    running_due_sql!("$1", "$2", "$3"),
    ")"
);

impl Store {
    /// Recomputes every open problem's due dates from the calendar and time limits, writing
    /// only those that changed. Returns (open, changed).
    ///
    /// Open problems that share what their deadlines come from (category, submission day,
    /// clock start, extension) share their deadlines, so this computes once per such group,
    /// read in order from the covering index `problems_open_clock`, and rewrites a stale
    /// group with one statement (the running date follows each row's status).
    pub async fn recompute_problem_deadlines(&self) -> Result<(usize, usize)> {
        let cal = self.work_calendar().await?;
        let limits = self.problem_time_limits().await?;
        let groups: Vec<OpenClockGroup> = sqlx::query_as(OPEN_CLOCK_SQL)
            .fetch_all(self.pool())
            .await?;
        let mut open = 0usize;
        let mut stale = Vec::new();
        for g in &groups {
            open += usize::try_from(g.11).unwrap_or(0);
            let (category, submitted, clock, ext) = (&g.0, &g.1, &g.2, g.3);
            let (Some(sub), Some(clock)) = (parse_iso(submitted), parse_iso(clock)) else {
                continue;
            };
            let cat = Category::try_from(category.clone())
                .map_err(|e| StoreError::Invalid(format!("难题时限重算: {e}")))?;
            let ext = u32::try_from(ext).unwrap_or(0);
            let Some(d) = Deadlines::compute(&cal, sub, clock, limits.for_category(cat), ext)
            else {
                continue;
            };
            let new = (iso(d.accept_by), iso(d.answer_by), iso(d.close_by));
            let fresh = (&g.4, &g.5) == (&new.0, &new.0)
                && (&g.6, &g.7) == (&new.1, &new.1)
                && (&g.8, &g.9) == (&new.2, &new.2)
                && g.10 == 0;
            if !fresh {
                stale.push((g, new));
            }
        }
        let mut changed = 0usize;
        if !stale.is_empty() {
            let mut tx = self.begin().await?;
            for (g, (a, b, c)) in &stale {
                let done = sqlx::query(RESET_CLOCK_SQL)
                    .bind(a)
                    .bind(b)
                    .bind(c)
                    .bind(&g.0)
                    .bind(&g.1)
                    .bind(&g.2)
                    .bind(g.3)
                    .execute(&mut *tx)
                    .await?;
                changed += usize::try_from(done.rows_affected()).unwrap_or(0);
            }
            commit_audited(
                tx,
                AuditEntry::new(&Actor::system(), "problem.deadlines", "problem", "*")
                    .after(serde_json::json!({"changed": changed})),
            )
            .await?;
        }
        Ok((open, changed))
    }

    /// The deadline sweep: recomputes due dates, warns about near and overdue problems once
    /// per due date, and escalates problems whose answer deadline passed to the next tier.
    pub async fn sweep_problem_deadlines(&self, today: Date) -> Result<SweepReport> {
        let (open, recomputed) = self.recompute_problem_deadlines().await?;
        let cal = self.work_calendar().await?;
        // Only problems due by the second working day can be near (at most one working day
        // left) or overdue; the partial index `problems_open_due` finds them.
        let horizon = cal
            .add_working_days(today, 2)
            .unwrap_or(today + time::Duration::days(30));
        let rows: Vec<(i64, String, String, String, Option<i64>, i64)> = sqlx::query_as(
            "SELECT id, status, tier, due_on, lead_unit_id, enterprise_id FROM problems
             WHERE status NOT IN ('closed', 'withdrawn') AND due_on > '' AND due_on <= $1 ORDER BY id",
        )
        .bind(iso(horizon))
        .fetch_all(self.pool())
        .await?;
        let mut report = SweepReport {
            open,
            recomputed,
            ..Default::default()
        };
        let mut to_escalate = Vec::new();
        let mut tx = self.begin().await?;
        for (id, status, tier, due, lead, _enterprise) in &rows {
            let Some(due_date) = parse_iso(due) else {
                continue;
            };
            let flag = DeadlineFlag::of(&cal, today, due_date);
            if flag == DeadlineFlag::OnTrack {
                continue;
            }
            let st = Status::try_from(status.clone())
                .map_err(|e| StoreError::Invalid(format!("难题 {id}: {e}")))?;
            let overdue = flag == DeadlineFlag::Overdue;
            if overdue {
                report.overdue += 1;
            } else {
                report.near += 1;
            }
            let text = Text::ProblemDeadline {
                id: *id,
                status: st,
                overdue,
                due: due.to_string(),
            };
            let key = format!("{id}:{}:{due}", flag.as_str());
            report.notices.extend(
                notify(
                    &mut tx,
                    Some(*id),
                    "office",
                    None,
                    flag.as_str(),
                    text.clone(),
                    Some(key.clone()),
                )
                .await?,
            );
            if lead.is_some() && matches!(st, Status::Assigned | Status::InProgress) {
                let key = format!("{key}:unit");
                report.notices.extend(
                    notify(
                        &mut tx,
                        Some(*id),
                        "unit",
                        *lead,
                        flag.as_str(),
                        text,
                        Some(key),
                    )
                    .await?,
                );
            }
            let can_rise = Tier::parse(tier).and_then(Tier::next).is_some();
            if overdue && can_rise && matches!(st, Status::Assigned | Status::InProgress) {
                to_escalate.push(*id);
            }
        }
        tx.commit().await?;
        let system = Actor {
            username: "system(时限)".into(),
            ..Actor::system()
        };
        for id in to_escalate {
            let step = Step::Escalate {
                reason: qx_core::problem::AUTO_ESCALATION_REASON.into(),
            };
            match self.problem_step(&system, id, &step, today).await {
                Ok(n) => {
                    report.escalated += 1;
                    report.notices.extend(n);
                }
                Err(e) => tracing::warn!(id, "automatic escalation failed: {e}"),
            }
        }
        Ok(report)
    }
}
