//! 本月无数据: a unit answers an indicator of a month with "no figure this month" and a
//! reason instead of a figure (migration 0018).
//!
//! The mark is kept beside the submission's figures, never with one for the same indicator:
//! whoever reads figures (the picture, dashboards, bulletins) sees no figure, never a zero,
//! and reads the marks separately to show them.

use super::*;

/// An indicator a unit answers with "本月无数据", and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct NoFigure {
    pub indicator_id: i64,
    pub reason: String,
}

/// A 本月无数据 mark of an approved report: what the picture reads beside the approved figures.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ApprovedNoFigure {
    pub indicator_id: i64,
    pub period: String,
    pub reason: String,
    pub unit_id: i64,
}

/// A 本月无数据 mark of a report handed in for a period (submitted or approved), for the
/// office's period page.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct PeriodNoFigure {
    pub unit_id: i64,
    pub indicator_id: i64,
    pub indicator: String,
    pub reason: String,
}

impl Store {
    /// The 本月无数据 marks of a submission the actor may read ([`Store::get_submission`]).
    pub async fn submission_no_figures(&self, actor: &Actor, id: i64) -> Result<Vec<NoFigure>> {
        self.get_submission(actor, id).await?;
        Ok(sqlx::query_as(
            "SELECT indicator_id, reason FROM indicator_no_data WHERE submission_id = $1 ORDER BY indicator_id",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Every 本月无数据 mark of the plan's approved reports (county side, as
    /// [`Store::approved_values`]).
    pub async fn approved_no_figures(
        &self,
        actor: &Actor,
        plan_id: i64,
    ) -> Result<Vec<ApprovedNoFigure>> {
        county_side(actor, "approved figures")?;
        Ok(sqlx::query_as(concat!(
            "SELECT n.indicator_id, rp.period, n.reason, s.unit_id FROM indicator_no_data n",
            approved_in_plan!("n.submission_id"),
            "ORDER BY rp.period, n.indicator_id"
        ))
        .bind(plan_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// The 本月无数据 marks of the reports handed in for a period (waiting for review or
    /// approved). Scoped: the office and leaders read every unit's, a unit its own.
    pub async fn period_no_figures(
        &self,
        actor: &Actor,
        period_id: i64,
    ) -> Result<Vec<PeriodNoFigure>> {
        county_side(actor, "report periods")?;
        let only_unit = if actor.reads_all() {
            None
        } else {
            Some(actor.unit_id.unwrap_or(-1))
        };
        Ok(sqlx::query_as(concat!(
            "SELECT s.unit_id, n.indicator_id, i.name AS indicator, n.reason
             FROM indicator_no_data n JOIN submissions s ON s.id = n.submission_id
             JOIN indicators i ON i.id = n.indicator_id
             WHERE s.period_id = $1 AND ",
            reported_sql!(),
            " AND (CAST($2 AS BIGINT) IS NULL OR s.unit_id = $2)
             ORDER BY s.unit_id, i.ordinal, i.id"
        ))
        .bind(period_id)
        .bind(only_unit)
        .fetch_all(self.pool())
        .await?)
    }
}

/// What is wrong with a submission's marks: an indicator the unit does not report, a reason
/// missing or too long, or a figure given as well. One message per problem, naming the
/// indicator.
pub(super) fn check_no_figures(
    input: &SubmissionInput,
    no_figures: &[NoFigure],
    indicators: &HashMap<i64, String>,
) -> Vec<String> {
    let mut problems = Vec::new();
    for mark in no_figures {
        let Some(name) = indicators.get(&mark.indicator_id) else {
            problems.push(format!(
                "指标 {} 不由本单位报送 (not this unit's indicator)",
                mark.indicator_id
            ));
            continue;
        };
        if let Err(e) = qx_core::text::NO_FIGURE_REASON.check(&mark.reason) {
            problems.push(format!("\"{name}\": {e}"));
        }
        if input.has_figure(mark.indicator_id) {
            problems.push(format!(
                "\"{name}\": 已填写数字, 不能同时标记本月无数据 (a figure and no figure)"
            ));
        }
    }
    problems
}

/// The marks of a save as JSON, bound as one parameter each: every indicator the save
/// touches (a figure typed, cleared or marked: its earlier mark goes), the marked ones (their
/// figure goes), and the marks to insert (`[id, reason]`).
pub(super) struct NoFigureBatch {
    touched: String,
    marked: String,
    marks: String,
    /// The marks to insert, in indicator order.
    pub(super) rows: Vec<(i64, String)>,
}

impl NoFigureBatch {
    pub(super) fn new(input: &SubmissionInput, no_figures: &[NoFigure]) -> Self {
        let mut touched: Vec<i64> = input.values.iter().map(|(id, _, _)| *id).collect();
        let mut marks: Vec<(i64, String)> = Vec::new();
        for m in no_figures {
            touched.push(m.indicator_id);
            // A later mark for the same indicator wins.
            marks.retain(|(id, _)| *id != m.indicator_id);
            marks.push((m.indicator_id, m.reason.trim().to_string()));
        }
        touched.sort_unstable();
        touched.dedup();
        let marked: Vec<i64> = marks.iter().map(|(id, _)| *id).collect();
        let marks_json = serde_json::json!(marks).to_string();
        marks.sort_unstable_by_key(|(id, _)| *id);
        NoFigureBatch {
            touched: serde_json::json!(touched).to_string(),
            marked: serde_json::json!(marked).to_string(),
            marks: marks_json,
            rows: marks,
        }
    }

    /// Writes the marks into `submission_id`, after its figures: the touched indicators'
    /// marks are replaced, and a marked indicator keeps no figure. Only the statements that
    /// can change a row run: a revision `created` in this transaction holds no marks yet and
    /// no figure of a marked indicator (a figure and a mark for one indicator are refused),
    /// and without marks there is neither a figure to clear nor a mark to insert.
    pub(super) async fn write(
        &self,
        tx: &mut crate::Tx,
        engine: crate::Engine,
        submission_id: i64,
        created: bool,
    ) -> Result<()> {
        let (delete_marks, delete_figures, insert_marks) = match engine {
            crate::Engine::Sqlite => SQLITE_NO_FIGURES,
            crate::Engine::Postgres => POSTGRES_NO_FIGURES,
        };
        let has_marks = !self.rows.is_empty();
        for (sql, json, needed) in [
            (delete_marks, &self.touched, !created),
            (delete_figures, &self.marked, !created && has_marks),
            (insert_marks, &self.marks, has_marks),
        ] {
            if !needed {
                continue;
            }
            sqlx::query(sql)
                .bind(submission_id)
                .bind(json)
                .execute(&mut **tx)
                .await?;
        }
        Ok(())
    }
}

/// (delete marks, delete figures, insert marks); `$1` the submission, `$2` a JSON array from
/// [`NoFigureBatch`].
type NoFigureSql = (&'static str, &'static str, &'static str);

const SQLITE_NO_FIGURES: NoFigureSql = (
    "DELETE FROM indicator_no_data WHERE submission_id = $1 AND indicator_id IN (SELECT value FROM json_each($2))",
    "DELETE FROM indicator_values WHERE submission_id = $1 AND indicator_id IN (SELECT value FROM json_each($2))",
    "INSERT INTO indicator_no_data (submission_id, indicator_id, reason)
     SELECT $1, json_extract(j.value, '$[0]'), json_extract(j.value, '$[1]') FROM json_each($2) j",
);

const POSTGRES_NO_FIGURES: NoFigureSql = (
    "DELETE FROM indicator_no_data WHERE submission_id = $1 AND indicator_id IN (SELECT CAST(x AS BIGINT) FROM json_array_elements_text(CAST($2 AS JSON)) AS t(x))",
    "DELETE FROM indicator_values WHERE submission_id = $1 AND indicator_id IN (SELECT CAST(x AS BIGINT) FROM json_array_elements_text(CAST($2 AS JSON)) AS t(x))",
    "INSERT INTO indicator_no_data (submission_id, indicator_id, reason)
     SELECT $1, CAST(x->>0 AS BIGINT), x->>1 FROM json_array_elements(CAST($2 AS JSON)) AS t(x)",
);

/// Copies a submission's marks into a new revision (a correction starts from what was
/// approved).
pub(super) async fn copy_no_figures(tx: &mut crate::Tx, to: i64, from: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO indicator_no_data (submission_id, indicator_id, reason) SELECT $1, indicator_id, reason FROM indicator_no_data WHERE submission_id = $2",
    )
    .bind(to)
    .bind(from)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
