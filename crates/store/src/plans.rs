//! Plans (工作推进方案): an imported draft the office reviews, then publishes into the
//! indicators and tasks everything downstream runs on.
//!
//! Only the office writes plans. Drafts are visible to the office only; published plans to
//! everyone signed in. Publishing refuses a draft that still names units the registry does not
//! know, so no task is left without the unit that must report on it.

use crate::audit::AuditEntry;
use crate::commit_audited;
use crate::{Result, Store, StoreError, Tx};
use qx_core::access::{Actor, Role};
use qx_core::indicator::{Comparator, IndicatorKind, TargetLevel};
use qx_core::state::PlanStatus;
use qx_core::units::{TaskRole, UnitKind};
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Plan {
    pub id: i64,
    pub year: i64,
    pub title: String,
    pub doc_number: String,
    pub issuer: String,
    pub issued_on: Option<String>,
    #[sqlx(try_from = "String")]
    pub status: PlanStatus,
    pub source_name: String,
    pub source_format: String,
    pub created_at: i64,
    pub published_at: Option<i64>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct PlanItem {
    pub id: i64,
    pub plan_id: i64,
    pub number: String,
    pub depth: i64,
    pub ordinal: i64,
    pub heading: Option<String>,
    pub text: String,
    pub deadline: String,
    pub line_first: i64,
    pub line_last: i64,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ItemUnit {
    pub item_id: i64,
    pub ordinal: i64,
    pub name: String,
    pub unit_id: Option<i64>,
    #[sqlx(try_from = "String")]
    pub role: TaskRole,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct PlanTarget {
    pub id: i64,
    pub plan_id: i64,
    #[sqlx(try_from = "String")]
    pub level: TargetLevel,
    pub section: String,
    pub ordinal: i64,
    pub text: String,
    pub name: String,
    pub value: String,
    pub value_max: Option<String>,
    pub unit: String,
    #[sqlx(try_from = "String")]
    pub comparator: Comparator,
    #[sqlx(try_from = "String")]
    pub kind: IndicatorKind,
    pub unit_id: Option<i64>,
    pub included: i64,
    pub line: i64,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Indicator {
    pub id: i64,
    pub plan_id: i64,
    pub ordinal: i64,
    #[sqlx(try_from = "String")]
    pub level: TargetLevel,
    pub section: String,
    pub name: String,
    pub text: String,
    pub unit: String,
    pub target_value: String,
    pub target_max: Option<String>,
    pub comparator: String,
    #[sqlx(try_from = "String")]
    pub kind: IndicatorKind,
    pub lead_unit_id: Option<i64>,
    pub profile: String,
    pub frequency: String,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Task {
    pub id: i64,
    pub plan_id: i64,
    pub number: String,
    pub title: String,
    pub text: String,
    pub deadline: String,
    pub ordinal: i64,
}

/// The columns of a [`Plan`], ready for a `WHERE` or `ORDER BY`.
macro_rules! plan_select {
    () => {
        "SELECT id, year, title, doc_number, issuer, issued_on, status, source_name, source_format, \
         created_at, published_at FROM plans "
    };
}

/// The columns of an [`Indicator`], ready for a `WHERE` (the plan's indicators, a unit's).
macro_rules! indicator_select {
    () => {
        "SELECT id, plan_id, ordinal, level, section, name, text, unit, target_value, target_max, \
         comparator, kind, lead_unit_id, profile, frequency FROM indicators "
    };
}
pub(crate) use indicator_select;

/// The columns of a [`Task`] over `tasks t`.
macro_rules! task_columns {
    () => {
        "t.id, t.plan_id, t.number, t.title, t.text, t.deadline, t.ordinal"
    };
}
pub(crate) use task_columns;

/// A unit named for an item in a draft.
#[derive(Debug, Clone, Serialize)]
pub struct DraftUnit {
    pub name: String,
    pub unit_id: Option<i64>,
    pub role: TaskRole,
}

#[derive(Debug, Clone, Serialize)]
pub struct DraftItem {
    pub number: String,
    pub depth: i64,
    pub heading: Option<String>,
    pub text: String,
    pub deadline: String,
    pub line_first: i64,
    pub line_last: i64,
    pub units: Vec<DraftUnit>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DraftTarget {
    pub level: TargetLevel,
    pub section: String,
    pub text: String,
    pub name: String,
    pub value: String,
    pub value_max: Option<String>,
    pub unit: String,
    pub comparator: String,
    pub kind: String,
    pub unit_id: Option<i64>,
    pub included: bool,
    pub line: i64,
}

/// Everything an import produces: the draft to review.
#[derive(Debug, Clone, Serialize)]
pub struct NewPlanDraft {
    /// 标题、文号、发文机关、成文日期 and year, as read from the document.
    #[serde(flatten)]
    pub meta: PlanMeta,
    pub source_name: String,
    pub source_format: String,
    #[serde(skip)]
    pub source_text: String,
    pub items: Vec<DraftItem>,
    pub targets: Vec<DraftTarget>,
}

/// The metadata fields the office may correct.
#[derive(Debug, Clone, Serialize)]
pub struct PlanMeta {
    pub year: i64,
    pub title: String,
    pub doc_number: String,
    pub issuer: String,
    pub issued_on: Option<String>,
}

impl PlanMeta {
    /// A plan needs a title; the rest may be blank until the office fills it in.
    fn check(&self) -> Result<()> {
        if self.title.trim().is_empty() {
            return Err(StoreError::Invalid("方案标题不能为空".into()));
        }
        Ok(())
    }
}

/// A reviewed item: its text, time node and units (names, lead first).
#[derive(Debug, Clone, Serialize)]
pub struct ItemEdit {
    pub heading: Option<String>,
    pub text: String,
    pub deadline: String,
    pub lead: Vec<String>,
    pub support: Vec<String>,
}

/// A reviewed target.
#[derive(Debug, Clone, Serialize)]
pub struct TargetEdit {
    pub name: String,
    pub value: String,
    pub value_max: Option<String>,
    pub unit: String,
    pub comparator: String,
    pub kind: String,
    /// The responsible unit's name ("" for none).
    pub unit_name: String,
    pub included: bool,
}

/// A published task with its units.
#[derive(Debug, Clone, Serialize)]
pub struct TaskWithUnits {
    pub task: Task,
    /// (unit id, role), lead first.
    pub units: Vec<(i64, TaskRole)>,
}

fn only_office(actor: &Actor) -> Result<()> {
    crate::office_only(actor, "导入和修改工作方案")
}

impl Store {
    /// Stores an imported document as a draft; audited with its counts.
    pub async fn create_plan_draft(&self, actor: &Actor, draft: &NewPlanDraft) -> Result<i64> {
        only_office(actor)?;
        let meta = &draft.meta;
        meta.check()?;
        let mut tx = self.begin().await?;
        let now = crate::now();
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO plans (year, title, doc_number, issuer, issued_on, status, source_name, source_format, source_text, created_by, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, 'draft', $6, $7, $8, $9, $10, $10) RETURNING id",
        )
        .bind(meta.year)
        .bind(meta.title.trim())
        .bind(&meta.doc_number)
        .bind(&meta.issuer)
        .bind(&meta.issued_on)
        .bind(&draft.source_name)
        .bind(&draft.source_format)
        .bind(&draft.source_text)
        .bind(actor.user_id)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let mut seen = BTreeSet::new();
        for (i, item) in draft.items.iter().enumerate() {
            if !seen.insert(item.number.as_str()) {
                return Err(StoreError::Invalid(format!(
                    "序号 {} 重复 (duplicate item number)",
                    item.number
                )));
            }
            let item_id = insert_item(&mut tx, id, i as i64, item).await?;
            insert_item_units(&mut tx, item_id, &item.units).await?;
        }
        for (i, t) in draft.targets.iter().enumerate() {
            insert_target(&mut tx, id, i as i64, t).await?;
        }
        commit_audited(
            tx,
            AuditEntry::new(actor, "plan.import", "plan", id).after(serde_json::json!({
                "title": meta.title, "year": meta.year, "source": draft.source_name,
                "items": draft.items.len(), "targets": draft.targets.len(),
            })),
        )
        .await?;
        Ok(id)
    }

    /// Plans the actor may see, newest year first.
    pub async fn list_plans(&self, actor: &Actor) -> Result<Vec<Plan>> {
        let all: Vec<Plan> = sqlx::query_as(concat!(plan_select!(), "ORDER BY year DESC, id DESC"))
            .fetch_all(self.pool())
            .await?;
        Ok(all
            .into_iter()
            .filter(|p| !p.status.is_draft() || actor.role == Role::Admin)
            .collect())
    }

    pub async fn get_plan(&self, actor: &Actor, id: i64) -> Result<Plan> {
        let plan: Option<Plan> = sqlx::query_as(concat!(plan_select!(), "WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        match plan {
            Some(p) if !p.status.is_draft() || actor.is_admin() => Ok(p),
            _ => Err(StoreError::NotFound(format!("工作方案 {id}"))),
        }
    }

    /// The published plan of a year, if any.
    pub async fn published_plan(&self, year: i64) -> Result<Option<Plan>> {
        Ok(sqlx::query_as(concat!(
            plan_select!(),
            "WHERE year = $1 AND status = 'published' ORDER BY id DESC LIMIT 1"
        ))
        .bind(year)
        .fetch_optional(self.pool())
        .await?)
    }

    pub async fn plan_source(&self, actor: &Actor, id: i64) -> Result<String> {
        self.get_plan(actor, id).await?;
        let (text,): (String,) = sqlx::query_as("SELECT source_text FROM plans WHERE id = $1")
            .bind(id)
            .fetch_one(self.pool())
            .await?;
        Ok(text)
    }

    pub async fn plan_items(
        &self,
        actor: &Actor,
        plan_id: i64,
    ) -> Result<Vec<(PlanItem, Vec<ItemUnit>)>> {
        self.get_plan(actor, plan_id).await?;
        let items: Vec<PlanItem> = sqlx::query_as(
            "SELECT id, plan_id, number, depth, ordinal, heading, text, deadline, line_first, line_last FROM plan_items WHERE plan_id = $1 ORDER BY ordinal",
        )
        .bind(plan_id)
        .fetch_all(self.pool())
        .await?;
        let units: Vec<ItemUnit> = sqlx::query_as(
            "SELECT u.item_id, u.ordinal, u.name, u.unit_id, u.role FROM plan_item_units u JOIN plan_items i ON i.id = u.item_id WHERE i.plan_id = $1 ORDER BY u.item_id, u.ordinal",
        )
        .bind(plan_id)
        .fetch_all(self.pool())
        .await?;
        let mut by_item: HashMap<i64, Vec<ItemUnit>> = HashMap::new();
        for u in units {
            by_item.entry(u.item_id).or_default().push(u);
        }
        Ok(items
            .into_iter()
            .map(|i| {
                let u = by_item.remove(&i.id).unwrap_or_default();
                (i, u)
            })
            .collect())
    }

    pub async fn plan_targets(&self, actor: &Actor, plan_id: i64) -> Result<Vec<PlanTarget>> {
        self.get_plan(actor, plan_id).await?;
        Ok(sqlx::query_as(
            "SELECT id, plan_id, level, section, ordinal, text, name, value, value_max, unit, comparator, kind, unit_id, included, line FROM plan_targets WHERE plan_id = $1 ORDER BY level, ordinal",
        )
        .bind(plan_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Corrects a draft's metadata; audited.
    pub async fn update_plan_meta(&self, actor: &Actor, id: i64, meta: &PlanMeta) -> Result<()> {
        only_office(actor)?;
        let before = self.draft(actor, id).await?;
        meta.check()?;
        let mut tx = self.begin().await?;
        sqlx::query("UPDATE plans SET year = $1, title = $2, doc_number = $3, issuer = $4, issued_on = $5, updated_at = $6 WHERE id = $7")
            .bind(meta.year)
            .bind(meta.title.trim())
            .bind(meta.doc_number.trim())
            .bind(meta.issuer.trim())
            .bind(&meta.issued_on)
            .bind(crate::now())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        commit_audited(
            tx,
            AuditEntry::new(actor, "plan.meta", "plan", id)
                .before(&before)
                .after(meta),
        )
        .await
    }

    /// Corrects an item of a draft: text, time node and units (resolved against the registry;
    /// an unknown name is kept as written and blocks publishing until fixed).
    pub async fn update_plan_item(
        &self,
        actor: &Actor,
        plan_id: i64,
        item_id: i64,
        edit: &ItemEdit,
    ) -> Result<Vec<String>> {
        only_office(actor)?;
        self.draft(actor, plan_id).await?;
        let items = self.plan_items(actor, plan_id).await?;
        let (before, before_units) = items
            .into_iter()
            .find(|(i, _)| i.id == item_id)
            .ok_or_else(|| StoreError::NotFound(format!("条目 {item_id}")))?;
        let mut units = Vec::new();
        let mut unknown = Vec::new();
        for (names, role) in [
            (&edit.lead, TaskRole::Lead),
            (&edit.support, TaskRole::Support),
        ] {
            for name in names.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
                let resolved = self.resolve_unit(name).await?;
                if resolved.is_none() {
                    unknown.push(name.to_string());
                }
                units.push(DraftUnit {
                    name: resolved
                        .as_ref()
                        .map_or_else(|| name.to_string(), |u| u.name.clone()),
                    unit_id: resolved.map(|u| u.id),
                    role,
                });
            }
        }
        let mut tx = self.begin().await?;
        sqlx::query("UPDATE plan_items SET heading = $1, text = $2, deadline = $3 WHERE id = $4 AND plan_id = $5")
            .bind(edit.heading.as_deref().map(str::trim).filter(|h| !h.is_empty()))
            .bind(edit.text.trim())
            .bind(edit.deadline.trim())
            .bind(item_id)
            .bind(plan_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM plan_item_units WHERE item_id = $1")
            .bind(item_id)
            .execute(&mut *tx)
            .await?;
        insert_item_units(&mut tx, item_id, &units).await?;
        sqlx::query("UPDATE plans SET updated_at = $1 WHERE id = $2")
            .bind(crate::now())
            .bind(plan_id)
            .execute(&mut *tx)
            .await?;
        commit_audited(
            tx,
            AuditEntry::new(actor, "plan.item", "plan_item", item_id)
                .before(serde_json::json!({"item": before, "units": before_units}))
                .after(serde_json::json!({"edit": edit, "units": units})),
        )
        .await?;
        Ok(unknown)
    }

    /// Corrects a target of a draft; audited.
    pub async fn update_plan_target(
        &self,
        actor: &Actor,
        plan_id: i64,
        target_id: i64,
        edit: &TargetEdit,
    ) -> Result<()> {
        only_office(actor)?;
        self.draft(actor, plan_id).await?;
        let before = self
            .plan_targets(actor, plan_id)
            .await?
            .into_iter()
            .find(|t| t.id == target_id)
            .ok_or_else(|| StoreError::NotFound(format!("指标 {target_id}")))?;
        validate_target(
            &edit.name,
            &edit.value,
            edit.value_max.as_deref(),
            &edit.comparator,
            &edit.kind,
        )?;
        let unit_id = match edit.unit_name.trim() {
            "" => None,
            name => Some(
                self.resolve_unit(name)
                    .await?
                    .ok_or_else(|| {
                        StoreError::Invalid(format!(
                            "责任单位：“{name}”不在单位登记表中 (unknown unit)"
                        ))
                    })?
                    .id,
            ),
        };
        let mut tx = self.begin().await?;
        sqlx::query(
            "UPDATE plan_targets SET name = $1, value = $2, value_max = $3, unit = $4, comparator = $5, kind = $6, unit_id = $7, included = $8 WHERE id = $9 AND plan_id = $10",
        )
        .bind(edit.name.trim())
        .bind(edit.value.trim())
        .bind(edit.value_max.as_deref().map(str::trim).filter(|v| !v.is_empty()))
        .bind(edit.unit.trim())
        .bind(&edit.comparator)
        .bind(&edit.kind)
        .bind(unit_id)
        .bind(i64::from(edit.included))
        .bind(target_id)
        .bind(plan_id)
        .execute(&mut *tx)
        .await?;
        commit_audited(
            tx,
            AuditEntry::new(actor, "plan.target", "plan_target", target_id)
                .before(&before)
                .after(edit),
        )
        .await
    }

    /// Deletes a draft that will not be published; audited.
    pub async fn delete_plan_draft(&self, actor: &Actor, id: i64) -> Result<()> {
        only_office(actor)?;
        let before = self.draft(actor, id).await?;
        let mut tx = self.begin().await?;
        sqlx::query("DELETE FROM plan_item_units WHERE item_id IN (SELECT id FROM plan_items WHERE plan_id = $1)")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM plan_items WHERE plan_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM plan_targets WHERE plan_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM plans WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        commit_audited(
            tx,
            AuditEntry::new(actor, "plan.delete", "plan", id).before(&before),
        )
        .await
    }

    /// Publishes a draft: included targets become indicators, items with responsible units
    /// become tasks (lead units first; 各镇乡街道 stands for every town). A plan published
    /// earlier for the same year is withdrawn. Refuses while any unit name is unresolved.
    pub async fn publish_plan(&self, actor: &Actor, id: i64) -> Result<PublishSummary> {
        only_office(actor)?;
        let plan = self.draft(actor, id).await?;
        let items = self.plan_items(actor, id).await?;
        let targets = self.plan_targets(actor, id).await?;
        let unresolved: BTreeSet<String> = items
            .iter()
            .flat_map(|(_, us)| us.iter())
            .filter(|u| u.unit_id.is_none())
            .map(|u| u.name.clone())
            .collect();
        if !unresolved.is_empty() {
            return Err(StoreError::Invalid(format!(
                "以下责任单位不在单位登记表中, 请先在条目中改正或登记该单位: {} (unknown units must be fixed before publishing)",
                unresolved.into_iter().collect::<Vec<_>>().join("、")
            )));
        }
        let towns: Vec<i64> = self
            .list_units()
            .await?
            .into_iter()
            .filter(|u| u.kind == UnitKind::Town && u.active != 0)
            .map(|u| u.id)
            .collect();
        let groups: HashMap<i64, String> = self
            .list_units()
            .await?
            .into_iter()
            .filter(|u| u.kind == UnitKind::Group)
            .map(|u| (u.id, u.name))
            .collect();

        let numbers: Vec<&str> = items.iter().map(|(i, _)| i.number.as_str()).collect();
        let is_leaf = |n: &str| {
            !numbers
                .iter()
                .any(|m| m.len() > n.len() && m.starts_with(n) && m[n.len()..].starts_with('.'))
        };
        let headings: HashMap<&str, String> = items
            .iter()
            .map(|(i, _)| {
                (
                    i.number.as_str(),
                    i.heading.clone().unwrap_or_else(|| i.text.clone()),
                )
            })
            .collect();

        let mut tx = self.begin().await?;
        let now = crate::now();
        sqlx::query("UPDATE plans SET status = 'withdrawn', updated_at = $1 WHERE year = $2 AND status = 'published'")
            .bind(now)
            .bind(plan.year)
            .execute(&mut *tx)
            .await?;
        let mut n_indicators = 0;
        for t in targets.iter().filter(|t| t.included != 0) {
            sqlx::query(
                "INSERT INTO indicators (plan_id, target_id, ordinal, level, section, name, text, unit, target_value, target_max, comparator, kind, lead_unit_id)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
            )
            .bind(id)
            .bind(t.id)
            .bind(n_indicators)
            .bind(t.level.as_str())
            .bind(&t.section)
            .bind(&t.name)
            .bind(&t.text)
            .bind(&t.unit)
            .bind(&t.value)
            .bind(&t.value_max)
            .bind(t.comparator.as_str())
            .bind(t.kind.as_str())
            .bind(t.unit_id)
            .execute(&mut *tx)
            .await?;
            n_indicators += 1;
        }
        // 难题答复率 / 解决率 fill in from the problems module instead of being reported.
        crate::indicator_source::assign_sources(&mut tx, id).await?;
        let mut n_tasks = 0;
        for (item, units) in items
            .iter()
            .filter(|(i, us)| !us.is_empty() && is_leaf(&i.number))
        {
            let title = item.heading.clone().unwrap_or_else(|| {
                // The nearest numbered ancestor's heading names the task when the item has none.
                let parent = item.number.rsplit_once('.').map(|(p, _)| p).unwrap_or("");
                headings
                    .get(parent)
                    .cloned()
                    .unwrap_or_else(|| first_clause(&item.text))
            });
            let (task_id,): (i64,) = sqlx::query_as(
                "INSERT INTO tasks (plan_id, item_id, number, title, text, deadline, ordinal) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(id)
            .bind(item.id)
            .bind(&item.number)
            .bind(&title)
            .bind(&item.text)
            .bind(&item.deadline)
            .bind(n_tasks)
            .fetch_one(&mut *tx)
            .await?;
            let mut assigned: Vec<(i64, &str)> = Vec::new();
            for u in units {
                let Some(unit_id) = u.unit_id else { continue };
                let role = u.role.as_str();
                let members: Vec<i64> = match groups.get(&unit_id).map(String::as_str) {
                    Some("各镇乡街道") => towns.clone(),
                    _ => vec![unit_id],
                };
                for m in members {
                    if !assigned.iter().any(|(id, _)| *id == m) {
                        assigned.push((m, role));
                    }
                }
            }
            for (unit_id, role) in assigned {
                sqlx::query("INSERT INTO task_units (task_id, unit_id, role) VALUES ($1, $2, $3)")
                    .bind(task_id)
                    .bind(unit_id)
                    .bind(role)
                    .execute(&mut *tx)
                    .await?;
            }
            n_tasks += 1;
        }
        sqlx::query("UPDATE plans SET status = 'published', published_at = $1, published_by = $2, updated_at = $1 WHERE id = $3")
            .bind(now)
            .bind(actor.user_id)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let summary = PublishSummary {
            indicators: n_indicators,
            tasks: n_tasks,
        };
        commit_audited(
            tx,
            AuditEntry::new(actor, "plan.publish", "plan", id)
                .before(&plan)
                .after(summary),
        )
        .await?;
        Ok(summary)
    }

    pub async fn plan_indicators(&self, actor: &Actor, plan_id: i64) -> Result<Vec<Indicator>> {
        self.get_plan(actor, plan_id).await?;
        Ok(sqlx::query_as(concat!(
            indicator_select!(),
            "WHERE plan_id = $1 ORDER BY ordinal"
        ))
        .bind(plan_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// The plan an indicator belongs to.
    pub async fn indicator_plan(&self, indicator_id: i64) -> Result<i64> {
        let row: Option<(i64,)> = sqlx::query_as("SELECT plan_id FROM indicators WHERE id = $1")
            .bind(indicator_id)
            .fetch_optional(self.pool())
            .await?;
        row.map(|(p,)| p)
            .ok_or_else(|| StoreError::NotFound(format!("指标 {indicator_id}")))
    }

    pub async fn plan_tasks(&self, actor: &Actor, plan_id: i64) -> Result<Vec<TaskWithUnits>> {
        self.get_plan(actor, plan_id).await?;
        let tasks: Vec<Task> = sqlx::query_as(concat!(
            "SELECT ",
            task_columns!(),
            " FROM tasks t WHERE t.plan_id = $1 ORDER BY t.ordinal"
        ))
        .bind(plan_id)
        .fetch_all(self.pool())
        .await?;
        let links: Vec<(i64, i64, String)> = sqlx::query_as(
            "SELECT tu.task_id, tu.unit_id, tu.role FROM task_units tu JOIN tasks t ON t.id = tu.task_id WHERE t.plan_id = $1 ORDER BY tu.task_id, tu.role, tu.unit_id",
        )
        .bind(plan_id)
        .fetch_all(self.pool())
        .await?;
        let mut by_task: HashMap<i64, Vec<(i64, TaskRole)>> = HashMap::new();
        for (t, u, r) in links {
            let role = TaskRole::try_from(r).map_err(|e| StoreError::Invalid(e.to_string()))?;
            by_task.entry(t).or_default().push((u, role));
        }
        Ok(tasks
            .into_iter()
            .map(|task| {
                let units = by_task.remove(&task.id).unwrap_or_default();
                TaskWithUnits { task, units }
            })
            .collect())
    }

    async fn draft(&self, actor: &Actor, id: i64) -> Result<Plan> {
        let plan = self.get_plan(actor, id).await?;
        if !plan.status.is_draft() {
            return Err(StoreError::Conflict(
                "方案已发布, 不能再修改; 如需调整请导入新的草稿 (published plans are read-only)"
                    .into(),
            ));
        }
        Ok(plan)
    }
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct PublishSummary {
    pub indicators: i64,
    pub tasks: i64,
}

fn first_clause(text: &str) -> String {
    text.split(['。', '；', ';', '，', ','])
        .next()
        .unwrap_or(text)
        .chars()
        .take(40)
        .collect()
}

/// Checks what a target must be before it can become an indicator.
pub fn validate_target(
    name: &str,
    value: &str,
    value_max: Option<&str>,
    comparator: &str,
    kind: &str,
) -> Result<()> {
    if name.trim().is_empty() {
        return Err(StoreError::Invalid(
            "指标名称：不能为空 (the name is required)".into(),
        ));
    }
    let parse = |field: &str, v: &str| match qx_core::money::parse_decimal_cell(v) {
        Ok(Some(d)) => Ok(d),
        _ => Err(StoreError::Invalid(format!(
            "{field}：“{v}”不是数字 (not a number)"
        ))),
    };
    let v = parse("目标值", value.trim())?;
    if let Some(max) = value_max.map(str::trim).filter(|m| !m.is_empty())
        && parse("目标上限", max)? < v
    {
        return Err(StoreError::Invalid(format!(
            "目标上限：{max} 小于目标值 {value} (the upper bound is below the target)"
        )));
    }
    if qx_core::indicator::Comparator::parse(comparator).is_none() {
        return Err(StoreError::Invalid(format!(
            "比较方式：“{comparator}”应为 >=、<= 或 = (the comparison must be >=, <= or =)"
        )));
    }
    if qx_core::indicator::IndicatorKind::parse(kind).is_none() {
        return Err(StoreError::Invalid(format!(
            "指标类型：“{kind}”无效 (unknown indicator kind)"
        )));
    }
    Ok(())
}

async fn insert_item(tx: &mut Tx, plan_id: i64, ordinal: i64, item: &DraftItem) -> Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO plan_items (plan_id, number, depth, ordinal, heading, text, deadline, line_first, line_last)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(plan_id)
    .bind(&item.number)
    .bind(item.depth)
    .bind(ordinal)
    .bind(&item.heading)
    .bind(&item.text)
    .bind(&item.deadline)
    .bind(item.line_first)
    .bind(item.line_last)
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

async fn insert_item_units(tx: &mut Tx, item_id: i64, units: &[DraftUnit]) -> Result<()> {
    for (i, u) in units.iter().enumerate() {
        sqlx::query("INSERT INTO plan_item_units (item_id, ordinal, name, unit_id, role) VALUES ($1, $2, $3, $4, $5)")
            .bind(item_id)
            .bind(i as i64)
            .bind(&u.name)
            .bind(u.unit_id)
            .bind(u.role.as_str())
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

async fn insert_target(tx: &mut Tx, plan_id: i64, ordinal: i64, t: &DraftTarget) -> Result<()> {
    sqlx::query(
        "INSERT INTO plan_targets (plan_id, level, section, ordinal, text, name, value, value_max, unit, comparator, kind, unit_id, included, line)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(plan_id)
    .bind(t.level.as_str())
    .bind(&t.section)
    .bind(ordinal)
    .bind(&t.text)
    .bind(&t.name)
    .bind(&t.value)
    .bind(&t.value_max)
    .bind(&t.unit)
    .bind(&t.comparator)
    .bind(&t.kind)
    .bind(t.unit_id)
    .bind(i64::from(t.included))
    .bind(t.line)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
