//! A project's stage moves: the order rule of [`Stage::check_move`], the office's override,
//! 中止 with its reason; each move with its actual date and evidence, a timeline entry, the
//! audit entry and the notices to the responsible unit and the 包干 leader.

use super::*;
use crate::audit::AuditEntry;
use crate::notices::{NewNotice, notify};
use qx_core::notice::{Audience, NoticeKind, Subject, Text};
use qx_core::project::fields;

/// One stage move as a person records it.
#[derive(Debug, Clone, Serialize)]
pub struct StageMove {
    pub to: Stage,
    /// The day the stage was reached (or the project halted).
    pub on: Date,
    pub evidence: String,
    /// 中止's reason, or the office's reason for a move out of order.
    pub reason: String,
}

impl Store {
    /// Moves a project to another stage. The next stage in order is open to the office and the
    /// responsible unit; 中止 needs a reason; any other move only the office with a reason.
    /// Returns the notices created (for webhooks).
    pub async fn move_project(&self, actor: &Actor, id: i64, m: &StageMove) -> Result<Vec<i64>> {
        let project = self.project_for_write(actor, id).await?;
        let evidence = text(fields::EVIDENCE, &m.evidence)?;
        let reason = text(fields::REASON, &m.reason)?;
        let in_order = project.stage.check_move(m.to, None).is_ok();
        let override_reason =
            (actor.is_admin() || m.to == Stage::Halted).then_some(reason.as_str());
        project
            .stage
            .check_move(m.to, override_reason)
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        if m.on > qx_core::time::today() {
            return Err(StoreError::Invalid("实际日期: 不能晚于今天".into()));
        }
        let since = qx_core::time::parse_date(&project.stage_since);
        if since.is_some_and(|s| m.on < s) && in_order {
            return Err(StoreError::Invalid(format!(
                "实际日期: 不能早于上一阶段的日期 {}",
                project.stage_since
            )));
        }
        let kind = match (m.to, in_order) {
            (Stage::Halted, _) => EventKind::Halt,
            (_, true) => EventKind::Move,
            (_, false) => EventKind::Override,
        };
        let now = crate::now();
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO project_stages (project_id, stage, actual_on, evidence, moved_by, moved_at)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (project_id, stage) DO UPDATE SET actual_on = $3, evidence = $4, moved_by = $5, moved_at = $6",
        )
        .bind(id)
        .bind(m.to.as_str())
        .bind(iso(m.on))
        .bind(&evidence)
        .bind((actor.user_id != 0).then_some(actor.user_id))
        .bind(now)
        .execute(&mut *tx)
        .await?;
        // Going back (by override) forgets the actual dates of the stages after the new one, so
        // the counts as of a month's end never count a stage the project no longer holds.
        if let Some(rank) = m.to.rank() {
            for later in qx_core::project::PIPELINE.iter().skip(rank + 1) {
                sqlx::query(
                    "UPDATE project_stages SET actual_on = NULL, moved_by = NULL, moved_at = NULL
                     WHERE project_id = $1 AND stage = $2",
                )
                .bind(id)
                .bind(later.as_str())
                .execute(&mut *tx)
                .await?;
            }
        }
        super::next_stage::refresh(&mut tx, &[id]).await?;
        let halt_reason = if m.to == Stage::Halted {
            reason.as_str()
        } else {
            ""
        };
        sqlx::query(
            "UPDATE projects SET stage = $1, stage_since = $2, halt_reason = $3, updated_at = $4 WHERE id = $5",
        )
        .bind(m.to.as_str())
        .bind(iso(m.on))
        .bind(halt_reason)
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let note = [evidence.as_str(), reason.as_str()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" · ");
        insert_event(
            &mut tx,
            actor,
            id,
            kind,
            Some(project.stage),
            Some(m.to),
            &note,
        )
        .await?;
        let notices = notify_move(&mut tx, &project, m).await?;
        crate::commit_audited(
            tx,
            AuditEntry::new(actor, "project.stage", "project", id)
                .before(serde_json::json!({ "stage": project.stage.as_str(), "since": project.stage_since }))
                .after(m),
        )
        .await?;
        Ok(notices)
    }
}

/// The responsible unit and the 包干 leader hear of every move.
async fn notify_move(tx: &mut Tx, project: &Project, m: &StageMove) -> Result<Vec<i64>> {
    let (kind, text) = if m.to == Stage::Halted {
        (
            NoticeKind::ProjectHalted,
            Text::ProjectHalted {
                project: project.name.clone(),
                reason: m.reason.trim().to_string(),
            },
        )
    } else {
        (
            NoticeKind::ProjectStage,
            Text::ProjectStage {
                project: project.name.clone(),
                from: project.stage,
                to: m.to,
                on: iso(m.on),
            },
        )
    };
    let mut audiences = vec![Audience::Unit(project.unit_id)];
    audiences.extend(project.leader_user_id.map(Audience::User));
    let mut ids = Vec::new();
    for audience in audiences {
        let n = NewNotice {
            audience,
            kind,
            subject: Subject::Project(project.id),
            text: text.clone(),
            dedupe_key: None,
        };
        ids.extend(notify(tx, &n).await?);
    }
    Ok(ids)
}
