//! Intake: a problem submitted by an enterprise or the office, routed to a first tier with its
//! deadlines; and the bulk row writer for benchmarks.

use super::*;

/// A problem as submitted.
#[derive(Debug, Clone, Serialize)]
pub struct NewProblem {
    pub enterprise_id: i64,
    pub category: Category,
    pub title: String,
    pub description: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub source: Channel,
    /// The day it was received; the office may enter a visit's date, others get today.
    pub submitted_on: Date,
}

/// What only the office enters when it registers a problem on a firm's behalf: a channel
/// other than the filer's own (大走访, 服务热线) and the day it was received. Anyone else — the
/// enterprise itself, a project's responsible unit — files online or through the API, and never
/// dates a problem after today.
fn by_office_only(actor: &Actor, new: &NewProblem) -> Result<()> {
    if actor.is_admin() {
        return Ok(());
    }
    if !matches!(new.source, Channel::Web | Channel::Api) {
        return Err(StoreError::Forbidden(format!(
            "来源: 只有办公室可以登记来源为「{}」的难题 (only the office sets the channel)",
            new.source.label_zh()
        )));
    }
    if new.submitted_on > qx_core::time::today() {
        return Err(StoreError::Forbidden(
            "提交日期: 只有办公室可以填写提交日期, 且不能晚于今天 (only the office sets the date)"
                .into(),
        ));
    }
    Ok(())
}

/// A fully specified problem row for bulk generation (benchmarks and tests).
#[derive(Debug, Clone)]
pub struct ProblemSeed {
    pub enterprise_id: i64,
    pub category: Category,
    pub title: String,
    pub status: Status,
    pub tier: Tier,
    pub lead_unit_id: Option<i64>,
    pub submitted_on: Date,
    pub deadlines: Deadlines,
    /// How its handling ended so far; `Outcome::default()` for one not yet answered.
    pub outcome: Outcome,
}

/// The end of a seeded problem's handling: answered, closed, resolved and rated, with the
/// working days taken. The default is a problem still waiting for its answer.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub answered_on: Option<Date>,
    pub closed_on: Option<Date>,
    pub resolved: Option<bool>,
    pub satisfaction: Option<Satisfaction>,
    pub answer_workdays: Option<i64>,
    pub close_workdays: Option<i64>,
}

impl Store {
    /// Takes in a problem from an enterprise (its own only) or from the office on an
    /// enterprise's behalf, with its attachments; proposes the enterprise's town as the first
    /// tier and computes the deadlines. Returns the new id and the notices created.
    pub async fn submit_problem(
        &self,
        actor: &Actor,
        new: &NewProblem,
        attachments: Vec<NewAttachment>,
    ) -> Result<(i64, Vec<i64>)> {
        match actor.role {
            Role::Admin => {}
            Role::Enterprise if actor.enterprise_id == Some(new.enterprise_id) => {}
            Role::Enterprise => {
                return Err(StoreError::Forbidden("企业只能为本企业提交难题".into()));
            }
            _ => return Err(StoreError::Forbidden("只有企业或办公室可以登记难题".into())),
        }
        self.take_in_problem(actor, new, attachments).await
    }

    /// [`Store::submit_problem`] after its caller has checked who may raise it (the
    /// enterprise or the office there; a project's responsible unit for its project's firm,
    /// `raise_project_problem`): one intake, never two.
    pub(crate) async fn take_in_problem(
        &self,
        actor: &Actor,
        new: &NewProblem,
        attachments: Vec<NewAttachment>,
    ) -> Result<(i64, Vec<i64>)> {
        by_office_only(actor, new)?;
        let title = text(tf::PROBLEM_TITLE, &new.title)?;
        let description = text(tf::PROBLEM_DESCRIPTION, &new.description)?;
        let contact_name = text(tf::PROBLEM_CONTACT_NAME, &new.contact_name)?;
        let contact_phone = text(tf::PROBLEM_CONTACT_PHONE, &new.contact_phone)?;
        let attachments = attachments
            .into_iter()
            .map(|a| check_attachment(&a).map(|c| (c, a.data)))
            .collect::<Result<Vec<_>>>()?;
        let enterprise = self
            .get_enterprise(&Actor::system(), new.enterprise_id)
            .await?;
        let cal = self.work_calendar().await?;
        let limits = self.problem_time_limits().await?.for_category(new.category);
        let d = Deadlines::compute(&cal, new.submitted_on, new.submitted_on, limits, 0)
            .ok_or_else(|| StoreError::Invalid("提交日期: 超出日期范围".into()))?;
        let dept = self.route_department(new.category).await?;
        let proposed = enterprise.town_id.or(dept);
        let tier = if enterprise.town_id.is_some() {
            Tier::Town
        } else {
            Tier::Department
        };
        let now = crate::now();
        let submitted = iso(new.submitted_on);
        let mut tx = self.begin().await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO problems (enterprise_id, category, title, description, contact_name, contact_phone, source, status, tier,
                proposed_unit_id, submitted_on, clock_start, accept_due, answer_due, close_due, due_on, created_by, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12, $13, $14, $12, $15, $16, $16) RETURNING id",
        )
        .bind(new.enterprise_id)
        .bind(new.category.as_str())
        .bind(&title)
        .bind(&description)
        .bind(&contact_name)
        .bind(&contact_phone)
        .bind(new.source.as_str())
        .bind(Status::Submitted.as_str())
        .bind(tier.as_str())
        .bind(proposed)
        .bind(&submitted)
        .bind(iso(d.accept_by))
        .bind(iso(d.answer_by))
        .bind(iso(d.close_by))
        .bind((actor.user_id != 0).then_some(actor.user_id))
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        for (checked, data) in &attachments {
            insert_attachment(&mut tx, actor, id, checked, data).await?;
        }
        let note = format!("{} · {}", new.category.label_zh(), title);
        insert_event(
            &mut tx,
            actor,
            id,
            EventKind::Submit,
            "",
            Status::Submitted.as_str(),
            &note,
        )
        .await?;
        append(
            &mut tx,
            AuditEntry::new(actor, "problem.submit", "problem", id).after(new),
        )
        .await?;
        let mut notices = Vec::new();
        let text = Text::ProblemSubmitted {
            id,
            title: title.to_string(),
            enterprise: enterprise.name.to_string(),
        };
        notices.extend(notify(&mut tx, Some(id), "office", None, "submitted", text, None).await?);
        tx.commit().await?;
        Ok((id, notices))
    }
}

/// Inserts a fully specified problem inside a caller's transaction (benchmark generation);
/// no event, audit entry or notice.
pub async fn insert_problem_row(tx: &mut Tx, p: &ProblemSeed) -> Result<i64> {
    let (d, o) = (&p.deadlines, &p.outcome);
    let now = crate::now();
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO problems (enterprise_id, category, title, description, status, tier, lead_unit_id, submitted_on, clock_start,
            accept_due, answer_due, close_due, due_on, accepted_on, answered_on, closed_on, resolved, satisfaction,
            answer_workdays, close_workdays, answered_on_time, created_at, updated_at)
         VALUES ($1, $2, $3, $3, $4, $5, $6, $7, $7, $8, $9, $10, $11, $7, $12, $13, $14, $15, $16, $17, $18, $19, $19) RETURNING id",
    )
    .bind(p.enterprise_id)
    .bind(p.category.as_str())
    .bind(&p.title)
    .bind(p.status.as_str())
    .bind(p.tier.as_str())
    .bind(p.lead_unit_id)
    .bind(iso(p.submitted_on))
    .bind(iso(d.accept_by))
    .bind(iso(d.answer_by))
    .bind(iso(d.close_by))
    .bind(running_due(p.status, d))
    .bind(o.answered_on.map(iso))
    .bind(o.closed_on.map(iso))
    .bind(o.resolved.map(i64::from))
    .bind(o.satisfaction.map(|s| s.as_str().to_string()))
    .bind(o.answer_workdays)
    .bind(o.close_workdays)
    .bind(o.answered_on.map(|a| i64::from(a <= d.answer_by)))
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}
