//! A project's blocker becomes an 企业难题 in one step: the project's firm, the responsible
//! unit's person and the blocker's text are proposed, the person confirms, and the problem is
//! taken in by the problems module's own intake (`take_in_problem`, its deadlines, routing and
//! notices). The project's timeline names the problem, the month's 调度 keeps it (so its blocker
//! is raised once), and the problem's page lists the project.

use super::*;
use crate::audit::AuditEntry;
use crate::problems::NewProblem;
use qx_core::problem::Category;

/// What the person confirms: the month whose blocker it is (none from the project's page),
/// and the problem as it will be taken in.
#[derive(Debug, Clone, Serialize)]
pub struct ProjectProblem {
    pub period_id: Option<i64>,
    pub category: Category,
    pub title: String,
    pub description: String,
    pub contact_name: String,
    pub contact_phone: String,
}

/// A problem raised from a project, as the problem's page lists it.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct LinkedProject {
    pub id: i64,
    pub name: String,
}

impl Store {
    /// The blocker of the project's 调度 for a period (empty when none) and the problem it
    /// already became.
    pub async fn project_blocker(
        &self,
        actor: &Actor,
        project_id: i64,
        period_id: i64,
    ) -> Result<(String, Option<i64>)> {
        self.get_project(actor, project_id).await?;
        let row: Option<(String, Option<i64>)> = sqlx::query_as(
            "SELECT blockers, problem_id FROM project_dispatches WHERE period_id = $1 AND project_id = $2",
        )
        .bind(period_id)
        .bind(project_id)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.unwrap_or_default())
    }

    /// Raises an 企业难题 for the project's firm (the office, or the responsible unit), linked to
    /// the project and, from a month's 调度, to that month's blocker. Returns the problem and the
    /// notices made (for the webhook).
    pub async fn raise_project_problem(
        &self,
        actor: &Actor,
        project_id: i64,
        input: &ProjectProblem,
    ) -> Result<(i64, Vec<i64>)> {
        let project = self.project_for_write(actor, project_id).await?;
        let Some(enterprise_id) = project.enterprise_id else {
            return Err(StoreError::Invalid(
                "项目尚未关联已登记企业 (统一社会信用代码), 不能转为企业难题".into(),
            ));
        };
        if let Some(period) = input.period_id {
            match self.project_blocker(actor, project_id, period).await? {
                (_, Some(problem)) => {
                    return Err(StoreError::Invalid(format!(
                        "该月调度的存在问题已转为企业难题 #{problem}"
                    )));
                }
                (blockers, None) if blockers.is_empty() => {
                    return Err(StoreError::Invalid("该月调度没有填报存在问题".into()));
                }
                _ => {}
            }
        }
        let new = NewProblem {
            enterprise_id,
            category: input.category,
            title: input.title.clone(),
            description: input.description.clone(),
            contact_name: input.contact_name.clone(),
            contact_phone: input.contact_phone.clone(),
            source: qx_core::problem::Channel::Web,
            submitted_on: qx_core::time::today(),
        };
        let (problem_id, notices) = self.take_in_problem(actor, &new, Vec::new()).await?;
        let mut tx = self.begin().await?;
        if let Some(period) = input.period_id {
            sqlx::query(
                "UPDATE project_dispatches SET problem_id = $1 WHERE period_id = $2 AND project_id = $3",
            )
            .bind(problem_id)
            .bind(period)
            .bind(project_id)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query(
            "INSERT INTO project_events (project_id, at, actor_id, actor_name, kind, note, problem_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(project_id)
        .bind(crate::now())
        .bind((actor.user_id != 0).then_some(actor.user_id))
        .bind(&actor.username)
        .bind(EventKind::Problem.as_str())
        .bind(format!("企业难题 #{problem_id}「{}」", new.title.trim()))
        .bind(problem_id)
        .execute(&mut *tx)
        .await?;
        crate::commit_audited(
            tx,
            AuditEntry::new(actor, "project.problem", "project", project_id).after(
                serde_json::json!({ "problem_id": problem_id, "period_id": input.period_id }),
            ),
        )
        .await?;
        Ok((problem_id, notices))
    }

    /// The projects (of the reader's scope) whose blockers became this problem.
    pub async fn problem_projects(
        &self,
        actor: &Actor,
        problem_id: i64,
    ) -> Result<Vec<LinkedProject>> {
        let sql = concat!(
            "SELECT DISTINCT p.id, p.name FROM project_events e JOIN projects p ON p.id = e.project_id WHERE ",
            scope_sql!(),
            " AND e.problem_id = $4 ORDER BY p.id"
        );
        Ok(scoped(sqlx::query_as(sql), actor)
            .bind(problem_id)
            .fetch_all(self.pool())
            .await?)
    }
}
