//! 工作例会: the agenda (escalated open problems) and the decisions with their follow-up.

use super::*;
use qx_core::problem::DecisionStatus;

#[derive(Debug, Clone, Serialize)]
pub struct NewDecision {
    pub problem_id: Option<i64>,
    pub meeting_date: Date,
    pub decision: String,
    pub owner_unit_id: i64,
    pub due_on: Date,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Decision {
    pub id: i64,
    pub problem_id: Option<i64>,
    pub problem_title: String,
    pub meeting_date: String,
    pub decision: String,
    pub owner_unit_id: i64,
    pub owner_unit_name: String,
    pub due_on: String,
    #[sqlx(try_from = "String")]
    pub status: DecisionStatus,
    pub progress: String,
    pub done_on: Option<String>,
}

impl Store {
    /// The next 工作例会's agenda: escalated problems still open. Office and leaders.
    pub async fn meeting_agenda(&self, actor: &Actor) -> Result<Vec<Problem>> {
        if !actor.reads_all() {
            return Err(StoreError::Forbidden("例会议程仅办公室和领导可见".into()));
        }
        let ids: Vec<(i64,)> = sqlx::query_as("SELECT id FROM problems WHERE tier = 'meeting' AND status NOT IN ('closed', 'withdrawn') ORDER BY submitted_on, id")
            .fetch_all(self.pool())
            .await?;
        let mut out = Vec::with_capacity(ids.len());
        for (id,) in ids {
            out.push(self.fetch_problem(id).await?);
        }
        Ok(out)
    }

    /// Records a 例会 decision with its owner and deadline (office only); it appears on the
    /// problem's timeline and in the owner unit's follow-up list.
    pub async fn record_decision(&self, actor: &Actor, d: &NewDecision) -> Result<i64> {
        if !actor.is_admin() {
            return Err(StoreError::Forbidden("只有办公室可以记录例会决定".into()));
        }
        let text = text(tf::MEETING_DECISION, &d.decision)?;
        self.get_unit(d.owner_unit_id).await?;
        if d.due_on < d.meeting_date {
            return Err(StoreError::Invalid(format!(
                "办理期限: {} 早于会议日期 {}",
                iso(d.due_on),
                iso(d.meeting_date)
            )));
        }
        if let Some(pid) = d.problem_id {
            self.visible(actor, pid).await?;
        }
        let now = crate::now();
        let mut tx = self.begin().await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO meeting_decisions (problem_id, meeting_date, decision, owner_unit_id, due_on, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
        )
        .bind(d.problem_id)
        .bind(iso(d.meeting_date))
        .bind(&text)
        .bind(d.owner_unit_id)
        .bind(iso(d.due_on))
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        if let Some(pid) = d.problem_id {
            insert_event(
                &mut tx,
                actor,
                pid,
                EventKind::Decision,
                "",
                "",
                &format!("例会决定: {text} (期限 {})", iso(d.due_on)),
            )
            .await?;
        }
        append(
            &mut tx,
            AuditEntry::new(actor, "meeting.decision", "meeting_decision", id).after(d),
        )
        .await?;
        notify(
            &mut tx,
            d.problem_id,
            "unit",
            Some(d.owner_unit_id),
            "decision",
            &format!("例会决定交贵单位落实: {text}"),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Decisions the actor follows: all for the office and leaders, its own for a unit.
    pub async fn list_decisions(&self, actor: &Actor) -> Result<Vec<Decision>> {
        let (all, unit) = actor.unit_filter().binds();
        Ok(sqlx::query_as(
            "SELECT d.id, d.problem_id, COALESCE(p.title, '') AS problem_title, d.meeting_date, d.decision, d.owner_unit_id,
                u.name AS owner_unit_name, d.due_on, d.status, d.progress, d.done_on
             FROM meeting_decisions d JOIN units u ON u.id = d.owner_unit_id LEFT JOIN problems p ON p.id = d.problem_id
             WHERE $1 = 1 OR d.owner_unit_id = $2 ORDER BY d.status DESC, d.due_on, d.id",
        )
        .bind(all)
        .bind(unit)
        .fetch_all(self.pool())
        .await?)
    }

    /// Reports progress on a decision, or marks it done; the owner unit or the office.
    pub async fn update_decision(
        &self,
        actor: &Actor,
        id: i64,
        progress: &str,
        done: bool,
        today: Date,
    ) -> Result<()> {
        let row: Option<(i64, String, String)> = sqlx::query_as(
            "SELECT owner_unit_id, status, progress FROM meeting_decisions WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        let (owner, status, before) =
            row.ok_or_else(|| StoreError::NotFound(format!("例会决定 {id}")))?;
        if !actor.can_write_unit(owner) {
            return Err(StoreError::Forbidden(format!("例会决定 {id}")));
        }
        let status = DecisionStatus::try_from(status)
            .map_err(|e| StoreError::Invalid(format!("例会决定 {id}: {e}")))?;
        if status == DecisionStatus::Done {
            return Err(StoreError::Conflict(format!(
                "例会决定 {id}: 已落实, 不能再修改"
            )));
        }
        let progress = text(tf::DECISION_PROGRESS, progress)?;
        let mut tx = self.begin().await?;
        sqlx::query("UPDATE meeting_decisions SET progress = $1, status = $2, done_on = $3, updated_at = $4 WHERE id = $5")
            .bind(&progress)
            .bind(if done {
                DecisionStatus::Done
            } else {
                DecisionStatus::Open
            }
            .as_str())
            .bind(done.then(|| iso(today)))
            .bind(crate::now())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        append(
            &mut tx,
            AuditEntry::new(actor, "meeting.progress", "meeting_decision", id)
                .before(serde_json::json!({"status": status, "progress": before}))
                .after(serde_json::json!({"done": done, "progress": progress})),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
