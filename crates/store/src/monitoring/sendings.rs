//! 历次报送: each handing-in of a unit's report kept as sent, with what became of it.
//!
//! A submission row holds a revision's current figures (and 本月无数据 marks); a returned report sent again changes
//! them in place. So every submit also writes a sending (the figures, notes and task lines as
//! they were sent, who sent them, when), and the office's decision — approved, or returned
//! with its comment — or the unit's withdrawal is written onto the sending it answers.

use super::*;

/// One handing-in of a report.
#[derive(Debug, Clone, Serialize)]
pub struct Sending {
    pub id: i64,
    pub submission_id: i64,
    /// The revision it was a sending of.
    pub revision: i64,
    pub sent_by: Option<i64>,
    /// The sender's display name ("" when no one is recorded), read with the sending so a
    /// page shows who sent it without a user lookup of its own.
    pub sent_by_name: String,
    pub sent_at: i64,
    /// (indicator id, figure, note) as sent.
    pub values: Vec<(i64, String, String)>,
    /// (task id, progress, self-assessed status) as sent.
    pub tasks: Vec<(i64, String, String)>,
    /// (indicator id, reason) of the indicators sent as 本月无数据.
    pub no_figures: Vec<(i64, String)>,
    /// None while the office has not acted on it.
    pub decision: Option<SendingDecision>,
    pub decided_at: Option<i64>,
    pub comment: String,
}

#[derive(sqlx::FromRow)]
struct SendingRow {
    id: i64,
    submission_id: i64,
    revision: i64,
    sent_by: Option<i64>,
    sent_by_name: String,
    sent_at: i64,
    values_json: String,
    tasks_json: String,
    no_data_json: String,
    decision: Option<String>,
    decided_at: Option<i64>,
    comment: String,
}

fn decode_rows<T: serde::de::DeserializeOwned>(json: &str) -> Result<Vec<T>> {
    serde_json::from_str(json).map_err(|e| StoreError::Db(sqlx::Error::Decode(Box::new(e))))
}

impl Store {
    /// Every sending of a unit's report for a period, newest first (scoped: a unit reads its
    /// own, the office and leaders any).
    pub async fn submission_sendings(
        &self,
        actor: &Actor,
        period_id: i64,
        unit_id: i64,
    ) -> Result<Vec<Sending>> {
        if !actor.can_read_unit(unit_id) {
            return Err(StoreError::NotFound(format!("单位 {unit_id} 的报送")));
        }
        let rows: Vec<SendingRow> = sqlx::query_as(
            "SELECT g.id, g.submission_id, s.revision, g.sent_by, COALESCE(u.display_name, '') AS sent_by_name,
                    g.sent_at, g.values_json, g.tasks_json, g.no_data_json, g.decision, g.decided_at, g.comment
             FROM submission_sendings g JOIN submissions s ON s.id = g.submission_id
             LEFT JOIN users u ON u.id = g.sent_by
             WHERE s.period_id = $1 AND s.unit_id = $2 ORDER BY g.id DESC",
        )
        .bind(period_id)
        .bind(unit_id)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(Sending {
                    id: r.id,
                    submission_id: r.submission_id,
                    revision: r.revision,
                    sent_by: r.sent_by,
                    sent_by_name: r.sent_by_name,
                    sent_at: r.sent_at,
                    values: decode_rows(&r.values_json)?,
                    tasks: decode_rows(&r.tasks_json)?,
                    no_figures: decode_rows(&r.no_data_json)?,
                    decision: r.decision.map(decode_state).transpose()?,
                    decided_at: r.decided_at,
                    comment: r.comment,
                })
            })
            .collect()
    }
}

/// What a sending keeps: a submission's figures (indicator, figure, note), task lines (task,
/// progress, status) and 本月无数据 marks (indicator, reason), each in id order.
pub(super) struct SentContents {
    pub(super) values: Vec<(i64, String, String)>,
    pub(super) tasks: Vec<(i64, String, String)>,
    pub(super) no_figures: Vec<(i64, String)>,
}

impl SentContents {
    /// The three JSON texts a sending row keeps: figures, task lines, 本月无数据 marks.
    pub(super) fn to_json(&self) -> [String; 3] {
        [
            serde_json::json!(self.values).to_string(),
            serde_json::json!(self.tasks).to_string(),
            serde_json::json!(self.no_figures).to_string(),
        ]
    }

    /// What the submission holds now, read inside the submit's transaction.
    pub(super) async fn read(tx: &mut crate::Tx, submission_id: i64) -> Result<Self> {
        let values = sqlx::query_as(
            "SELECT indicator_id, value, note FROM indicator_values WHERE submission_id = $1 ORDER BY indicator_id",
        )
        .bind(submission_id)
        .fetch_all(&mut **tx)
        .await?;
        let tasks = sqlx::query_as(
            "SELECT task_id, progress, status FROM task_reports WHERE submission_id = $1 ORDER BY task_id",
        )
        .bind(submission_id)
        .fetch_all(&mut **tx)
        .await?;
        let no_figures = sqlx::query_as(
            "SELECT indicator_id, reason FROM indicator_no_data WHERE submission_id = $1 ORDER BY indicator_id",
        )
        .bind(submission_id)
        .fetch_all(&mut **tx)
        .await?;
        Ok(SentContents {
            values,
            tasks,
            no_figures,
        })
    }
}

/// Keeps `contents`, what the submission holds now, as a new sending, inside the submit's
/// transaction.
pub(super) async fn record_sending(
    tx: &mut crate::Tx,
    submission_id: i64,
    sent_by: Option<i64>,
    sent_at: i64,
    contents: &SentContents,
) -> Result<()> {
    let [values, tasks, no_figures] = contents.to_json();
    sqlx::query(
        "INSERT INTO submission_sendings (submission_id, sent_by, sent_at, values_json, tasks_json, no_data_json)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(submission_id)
    .bind(sent_by)
    .bind(sent_at)
    .bind(values)
    .bind(tasks)
    .bind(no_figures)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Writes the office's decision (or the unit's withdrawal) onto the sending it answers.
pub(super) async fn decide_sending(
    tx: &mut crate::Tx,
    submission_id: i64,
    decision: SendingDecision,
    decided_by: i64,
    comment: &str,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE submission_sendings SET decision = $1, decided_by = $2, decided_at = $3, comment = $4
         WHERE submission_id = $5 AND decision IS NULL",
    )
    .bind(decision.as_str())
    .bind(Some(decided_by).filter(|&u| u != 0))
    .bind(now)
    .bind(comment)
    .bind(submission_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
