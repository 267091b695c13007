//! Office settings of the problems module: time limits per category, the category →
//! department routing, and each enterprise's 企服责任人.

use super::*;
use crate::office_only;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ServiceContact {
    pub enterprise_id: i64,
    pub enterprise_name: String,
    pub user_id: Option<i64>,
    pub user_name: String,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Route {
    #[sqlx(try_from = "String")]
    pub category: Category,
    pub unit_name: String,
}

impl Store {
    /// Time limits per category (受理/答复/办结 working days).
    pub async fn problem_time_limits(&self) -> Result<TimeLimitConfig> {
        let rows: Vec<(String, i64, i64, i64)> = sqlx::query_as(
            "SELECT category, accept_days, answer_days, close_days FROM problem_time_limits",
        )
        .fetch_all(self.pool())
        .await?;
        let mut cfg = TimeLimitConfig::default();
        for (c, a, b, d) in rows {
            if let (Some(c), Ok(l)) = (
                Category::parse(&c),
                TimeLimits::new(
                    a.try_into().unwrap_or(0),
                    b.try_into().unwrap_or(0),
                    d.try_into().unwrap_or(0),
                ),
            ) {
                cfg.per_category.insert(c, l);
            }
        }
        Ok(cfg)
    }

    /// Sets a category's time limits (office only); open problems' deadlines follow.
    pub async fn set_problem_time_limits(
        &self,
        actor: &Actor,
        category: Category,
        limits: TimeLimits,
    ) -> Result<()> {
        office_only(actor, "设置办理时限")?;
        let before = self.problem_time_limits().await?.for_category(category);
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO problem_time_limits (category, accept_days, answer_days, close_days) VALUES ($1, $2, $3, $4)
             ON CONFLICT (category) DO UPDATE SET accept_days = excluded.accept_days, answer_days = excluded.answer_days, close_days = excluded.close_days",
        )
        .bind(category.as_str())
        .bind(i64::from(limits.accept_days))
        .bind(i64::from(limits.answer_days))
        .bind(i64::from(limits.close_days))
        .execute(&mut *tx)
        .await?;
        commit_audited(
            tx,
            AuditEntry::new(
                actor,
                "problem.time_limits",
                "problem_time_limits",
                category.as_str(),
            )
            .before(before)
            .after(limits),
        )
        .await?;
        self.recompute_problem_deadlines().await?;
        Ok(())
    }

    pub async fn problem_routes(&self) -> Result<Vec<Route>> {
        Ok(
            sqlx::query_as("SELECT category, unit_name FROM problem_routes ORDER BY category")
                .fetch_all(self.pool())
                .await?,
        )
    }

    /// The county department proposed for a category.
    pub async fn route_department(&self, category: Category) -> Result<Option<i64>> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT unit_name FROM problem_routes WHERE category = $1")
                .bind(category.as_str())
                .fetch_optional(self.pool())
                .await?;
        let name = row.map_or_else(|| category.default_department().to_string(), |(n,)| n);
        Ok(self.resolve_unit(&name).await?.map(|u| u.id))
    }

    /// Sets the department a category is routed to (office only).
    pub async fn set_problem_route(
        &self,
        actor: &Actor,
        category: Category,
        unit_id: i64,
    ) -> Result<()> {
        office_only(actor, "设置分派规则")?;
        let unit = self.get_unit(unit_id).await?;
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO problem_routes (category, unit_name) VALUES ($1, $2) ON CONFLICT (category) DO UPDATE SET unit_name = excluded.unit_name",
        )
        .bind(category.as_str())
        .bind(&unit.name)
        .execute(&mut *tx)
        .await?;
        commit_audited(
            tx,
            AuditEntry::new(actor, "problem.route", "problem_routes", category.as_str())
                .after(&unit.name),
        )
        .await
    }

    /// Enterprises with their 企服责任人: the office and leaders only.
    pub async fn service_contacts(&self, actor: &Actor) -> Result<Vec<ServiceContact>> {
        if !actor.reads_all() {
            return Err(StoreError::Forbidden(
                "企服责任人名单仅办公室和领导可见".into(),
            ));
        }
        Ok(sqlx::query_as(
            "SELECT e.id AS enterprise_id, e.name AS enterprise_name, c.user_id, COALESCE(u.display_name, '') AS user_name
             FROM enterprises e LEFT JOIN problem_service_contacts c ON c.enterprise_id = e.id
             LEFT JOIN users u ON u.id = c.user_id ORDER BY e.id",
        )
        .fetch_all(self.pool())
        .await?)
    }

    /// Assigns (or with `None` removes) an enterprise's 企服责任人. Office only.
    pub async fn set_service_contact(
        &self,
        actor: &Actor,
        enterprise_id: i64,
        user_id: Option<i64>,
    ) -> Result<()> {
        office_only(actor, "指定企服责任人")?;
        if let Some(uid) = user_id {
            let u = self.get_user(uid).await?;
            if matches!(u.role(), Role::Enterprise) {
                return Err(StoreError::Invalid(
                    "企服责任人: 必须是办公室或单位的用户, 不能是企业用户".into(),
                ));
            }
        }
        let before: Option<(i64,)> =
            sqlx::query_as("SELECT user_id FROM problem_service_contacts WHERE enterprise_id = $1")
                .bind(enterprise_id)
                .fetch_optional(self.pool())
                .await?;
        let mut tx = self.begin().await?;
        sqlx::query("DELETE FROM problem_service_contacts WHERE enterprise_id = $1")
            .bind(enterprise_id)
            .execute(&mut *tx)
            .await?;
        if let Some(uid) = user_id {
            sqlx::query("INSERT INTO problem_service_contacts (enterprise_id, user_id, assigned_at) VALUES ($1, $2, $3)")
                .bind(enterprise_id)
                .bind(uid)
                .bind(crate::now())
                .execute(&mut *tx)
                .await?;
        }
        commit_audited(
            tx,
            AuditEntry::new(
                actor,
                "problem.service_contact",
                "enterprise",
                enterprise_id,
            )
            .before(before.map(|(u,)| u))
            .after(user_id),
        )
        .await
    }
}
