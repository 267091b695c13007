//! One handling step: the state machine's move, what it records, its timeline event, audit
//! entry and notices, in one transaction.

use super::*;
use qx_core::notice::{NoticeKind, Subject};

/// One handling step with what it records.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Step {
    Accept {
        note: String,
    },
    Assign {
        tier: Tier,
        lead_unit_id: i64,
        support_unit_ids: Vec<i64>,
        note: String,
    },
    Start,
    Return {
        reason: String,
    },
    RequestExtension {
        days: u32,
        reason: String,
    },
    DecideExtension {
        approve: bool,
        note: String,
    },
    Urge {
        note: String,
    },
    Escalate {
        reason: String,
    },
    Answer {
        text: String,
        resolved: bool,
    },
    Rate {
        satisfaction: Satisfaction,
        comment: String,
    },
    Redo {
        reason: String,
    },
    Close {
        note: String,
    },
    /// The enterprise takes back a problem the office has not yet accepted.
    Withdraw {
        reason: String,
    },
}

impl Step {
    pub fn action(&self) -> Action {
        match self {
            Step::Accept { .. } => Action::Accept,
            Step::Assign { .. } => Action::Assign,
            Step::Start => Action::Start,
            Step::Return { .. } => Action::Return,
            Step::RequestExtension { .. } => Action::RequestExtension,
            Step::DecideExtension { .. } => Action::DecideExtension,
            Step::Urge { .. } => Action::Urge,
            Step::Escalate { .. } => Action::Escalate,
            Step::Answer { .. } => Action::Answer,
            Step::Rate { .. } => Action::Rate,
            Step::Redo { .. } => Action::Redo,
            Step::Close { .. } => Action::Close,
            Step::Withdraw { .. } => Action::Withdraw,
        }
    }
}

/// Columns a step may change, read and written as one piece.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
struct State {
    id: i64,
    enterprise_id: i64,
    town_id: Option<i64>,
    #[sqlx(try_from = "String")]
    category: Category,
    #[sqlx(try_from = "String")]
    status: Status,
    #[sqlx(try_from = "String")]
    tier: Tier,
    lead_unit_id: Option<i64>,
    submitted_on: String,
    clock_start: String,
    accept_due: String,
    answer_due: String,
    close_due: String,
    due_on: String,
    extension_days: i64,
    extension_pending: i64,
    extension_reason: String,
    return_reason: String,
    urge_count: i64,
    escalations: i64,
    redo_count: i64,
    accepted_on: Option<String>,
    answered_on: Option<String>,
    closed_on: Option<String>,
    answer: String,
    resolved: Option<i64>,
    satisfaction: Option<String>,
    rating_comment: String,
    answer_workdays: Option<i64>,
    close_workdays: Option<i64>,
    answered_on_time: Option<i64>,
}

const STATE_SQL: &str = concat!(
    "SELECT p.id, p.enterprise_id, e.town_id, p.category, p.status, p.tier, p.lead_unit_id, p.submitted_on, ",
    "p.clock_start, p.accept_due, p.answer_due, p.close_due, p.due_on, p.extension_days, p.extension_pending, ",
    "p.extension_reason, p.return_reason, p.urge_count, p.escalations, p.redo_count, p.accepted_on, p.answered_on, ",
    "p.closed_on, p.answer, p.resolved, p.satisfaction, p.rating_comment, p.answer_workdays, p.close_workdays, ",
    "p.answered_on_time FROM problems p JOIN enterprises e ON e.id = p.enterprise_id WHERE p.id = $1"
);

const SAVE_STATE_SQL: &str = concat!(
    "UPDATE problems SET status = $1, tier = $2, lead_unit_id = $3, clock_start = $4, accept_due = $5, ",
    "answer_due = $6, close_due = $7, due_on = $8, extension_days = $9, extension_pending = $10, ",
    "extension_reason = $11, return_reason = $12, urge_count = $13, escalations = $14, redo_count = $15, ",
    "accepted_on = $16, answered_on = $17, closed_on = $18, answer = $19, resolved = $20, satisfaction = $21, ",
    "rating_comment = $22, answer_workdays = $23, close_workdays = $24, answered_on_time = $25, updated_at = $26 ",
    "WHERE id = $27"
);

impl State {
    fn date(&self, s: &str) -> Result<Date> {
        parse_iso(s)
            .ok_or_else(|| StoreError::Invalid(format!("难题 {}: 日期 \"{s}\" 无效", self.id)))
    }

    /// Recomputes the three due dates and the running one from the current clock.
    fn recompute(&mut self, cal: &WorkCalendar, limits: TimeLimits) -> Result<()> {
        let d = Deadlines::compute(
            cal,
            self.date(&self.submitted_on)?,
            self.date(&self.clock_start)?,
            limits,
            u32::try_from(self.extension_days).unwrap_or(0),
        )
        .ok_or_else(|| StoreError::Invalid(format!("难题 {}: 期限超出日期范围", self.id)))?;
        self.accept_due = iso(d.accept_by);
        self.answer_due = iso(d.answer_by);
        self.close_due = iso(d.close_by);
        self.due_on = running_due(self.status, &d);
        Ok(())
    }

    async fn save(&self, tx: &mut Tx) -> Result<()> {
        sqlx::query(SAVE_STATE_SQL)
            .bind(self.status.as_str())
            .bind(self.tier.as_str())
            .bind(self.lead_unit_id)
            .bind(&self.clock_start)
            .bind(&self.accept_due)
            .bind(&self.answer_due)
            .bind(&self.close_due)
            .bind(&self.due_on)
            .bind(self.extension_days)
            .bind(self.extension_pending)
            .bind(&self.extension_reason)
            .bind(&self.return_reason)
            .bind(self.urge_count)
            .bind(self.escalations)
            .bind(self.redo_count)
            .bind(&self.accepted_on)
            .bind(&self.answered_on)
            .bind(&self.closed_on)
            .bind(&self.answer)
            .bind(self.resolved)
            .bind(&self.satisfaction)
            .bind(&self.rating_comment)
            .bind(self.answer_workdays)
            .bind(self.close_workdays)
            .bind(self.answered_on_time)
            .bind(crate::now())
            .bind(self.id)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }
}

impl Store {
    /// Takes one handling step as `actor` on `today`. The state machine refuses illegal moves
    /// with a message; the actor must be the party the step belongs to. Returns the notices
    /// created (for the webhook).
    pub async fn problem_step(
        &self,
        actor: &Actor,
        id: i64,
        step: &Step,
        today: Date,
    ) -> Result<Vec<i64>> {
        let (enterprise_id, lead) = self.visible(actor, id).await?;
        let action = step.action();
        let party = party_of(actor, enterprise_id, lead).ok_or_else(|| {
            StoreError::Forbidden(format!(
                "难题 {id}: 只读, 不能执行「{}」",
                action.label_zh()
            ))
        })?;
        if !action.allowed_for(party) {
            return Err(StoreError::Forbidden(format!(
                "难题 {id}: {}不能执行「{}」 ({} may not {})",
                party.label_zh(),
                action.label_zh(),
                party.label_en(),
                action.label_en().to_lowercase()
            )));
        }
        let cal = self.work_calendar().await?;
        let limits = self.problem_time_limits().await?;
        let mut tx = self.begin().await?;
        let mut s: State = sqlx::query_as(STATE_SQL)
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        let before = s.clone();
        let from = s.status;
        let to = from
            .apply(action)
            .map_err(|e| StoreError::Conflict(format!("难题 {id}: {e}")))?;
        let today_iso = iso(today);
        let mut note = String::new();
        let mut notes: Vec<(&str, Option<i64>, &str, Text)> = Vec::new();
        match step {
            Step::Accept { note: n } => {
                s.accepted_on = Some(today_iso.clone());
                note = text(tf::STEP_NOTE, n)?;
            }
            Step::Assign {
                tier,
                lead_unit_id,
                support_unit_ids,
                note: n,
            } => {
                note = text(tf::STEP_NOTE, n)?;
                self.get_unit(*lead_unit_id).await?;
                if support_unit_ids.contains(lead_unit_id) {
                    return Err(StoreError::Invalid("协办单位: 不能包含主办单位".into()));
                }
                s.tier = *tier;
                s.lead_unit_id = Some(*lead_unit_id);
                s.return_reason.clear();
                sqlx::query("DELETE FROM problem_support_units WHERE problem_id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                for u in support_unit_ids {
                    self.get_unit(*u).await?;
                    sqlx::query("INSERT INTO problem_support_units (problem_id, unit_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                        .bind(id)
                        .bind(u)
                        .execute(&mut *tx)
                        .await?;
                    notes.push((
                        "unit",
                        Some(*u),
                        "assigned",
                        Text::ProblemAssigned { id, lead: false },
                    ));
                }
                notes.push((
                    "unit",
                    Some(*lead_unit_id),
                    "assigned",
                    Text::ProblemAssigned { id, lead: true },
                ));
            }
            Step::Start => {}
            Step::Return { reason } => {
                s.return_reason = text(tf::RETURN_REASON, reason)?;
                note.clone_from(&s.return_reason);
                notes.push((
                    "office",
                    None,
                    "returned",
                    Text::ProblemReturned {
                        id,
                        reason: s.return_reason.clone(),
                    },
                ));
            }
            Step::RequestExtension { days, reason } => {
                if s.extension_pending > 0 {
                    return Err(StoreError::Conflict(format!(
                        "难题 {id}: 已有延期申请待审批"
                    )));
                }
                if !(1..=MAX_EXTENSION_DAYS).contains(days) {
                    return Err(StoreError::Invalid(format!(
                        "延期天数: 应为1到{MAX_EXTENSION_DAYS}个工作日, 实际为 {days}"
                    )));
                }
                s.extension_reason = text(tf::EXTENSION_REASON, reason)?;
                s.extension_pending = i64::from(*days);
                note = format!("申请延期{days}个工作日: {}", s.extension_reason);
                notes.push((
                    "office",
                    None,
                    "extension",
                    Text::ProblemExtensionAsked {
                        id,
                        days: i64::from(*days),
                    },
                ));
            }
            Step::DecideExtension { approve, note: n } => {
                if s.extension_pending == 0 {
                    return Err(StoreError::Conflict(format!(
                        "难题 {id}: 没有待审批的延期申请"
                    )));
                }
                let n = text(tf::STEP_NOTE, n)?;
                let days = s.extension_pending;
                if *approve {
                    s.extension_days += days;
                }
                s.extension_pending = 0;
                note = format!(
                    "{}延期{days}个工作日 {}",
                    if *approve { "同意" } else { "不同意" },
                    n
                );
                notes.push((
                    "unit",
                    s.lead_unit_id,
                    "extension",
                    Text::ProblemExtensionDecided {
                        id,
                        approved: *approve,
                        days,
                        note: n.to_string(),
                    },
                ));
            }
            Step::Urge { note: n } => {
                s.urge_count += 1;
                note = text(tf::STEP_NOTE, n)?;
                if s.lead_unit_id.is_some() {
                    notes.push((
                        "unit",
                        s.lead_unit_id,
                        "urged",
                        Text::ProblemUrged {
                            id,
                            note: note.clone(),
                        },
                    ));
                }
            }
            Step::Escalate { reason } => {
                let reason = text(tf::ESCALATION_REASON, reason)?;
                let tier = s.tier;
                let next = tier.next().ok_or_else(|| {
                    StoreError::Conflict(format!(
                        "难题 {id}: 已在「{}」层级, 不能再升级",
                        tier.label_zh()
                    ))
                })?;
                s.tier = next;
                if next == Tier::Department {
                    s.lead_unit_id = self.route_department(s.category).await?.or(s.lead_unit_id);
                }
                s.escalations += 1;
                s.clock_start.clone_from(&today_iso);
                s.return_reason.clear();
                note = format!("升级至{}: {reason}", next.label_zh());
                let told = Text::ProblemEscalated {
                    id,
                    tier: next,
                    reason: reason.to_string(),
                };
                notes.push(("office", None, "escalated", told.clone()));
                if s.lead_unit_id.is_some() {
                    notes.push(("unit", s.lead_unit_id, "escalated", told));
                }
            }
            Step::Answer {
                text: answer,
                resolved,
            } => {
                s.answer = text(tf::ANSWER, answer)?;
                s.answered_on = Some(today_iso.clone());
                s.resolved = Some(i64::from(*resolved));
                s.answer_workdays = Some(cal.working_days_between(s.date(&s.submitted_on)?, today));
                s.answered_on_time = Some(i64::from(today_iso <= s.answer_due));
                note = format!(
                    "{}: {}",
                    if *resolved {
                        "已解决"
                    } else {
                        "未能解决"
                    },
                    s.answer
                );
                notes.push((
                    "enterprise",
                    Some(s.enterprise_id),
                    "answered",
                    Text::ProblemAnswered { id },
                ));
            }
            Step::Rate {
                satisfaction,
                comment,
            } => {
                s.satisfaction = Some(satisfaction.as_str().to_string());
                s.rating_comment = text(tf::RATING_COMMENT, comment)?;
                note = format!("{} {}", satisfaction.label_zh(), s.rating_comment);
            }
            Step::Redo { reason } => {
                if s.satisfaction.as_deref() != Some(Satisfaction::Unsatisfied.as_str()) {
                    return Err(StoreError::Conflict(format!(
                        "难题 {id}: 只有评价为「不满意」的答复可以重办"
                    )));
                }
                note = text(tf::REDO_REASON, reason)?;
                s.redo_count += 1;
                s.clock_start.clone_from(&today_iso);
                s.answered_on = None;
                s.resolved = None;
                s.satisfaction = None;
                s.answer_workdays = None;
                s.answered_on_time = None;
                notes.push((
                    "unit",
                    s.lead_unit_id,
                    "redo",
                    Text::ProblemRedo {
                        id,
                        reason: note.clone(),
                    },
                ));
            }
            Step::Close { note: n } => {
                s.closed_on = Some(today_iso.clone());
                note = text(tf::STEP_NOTE, n)?;
                s.close_workdays = Some(cal.working_days_between(s.date(&s.submitted_on)?, today));
                s.resolved = Some(s.resolved.unwrap_or(0));
                notes.push((
                    "enterprise",
                    Some(s.enterprise_id),
                    "closed",
                    Text::ProblemClosed { id },
                ));
            }
            Step::Withdraw { reason } => {
                note = text(tf::STEP_NOTE, reason)?;
                // The office was told "新难题, 待受理": that notice now says it needs nothing.
                let (subject_type, subject_id) = Subject::Problem(id).to_parts();
                let told = Text::ProblemWithdrawn { id };
                sqlx::query(
                    "UPDATE notices SET message = $1, body = $2 WHERE kind = $3 AND subject_type = $4 AND subject_id = $5",
                )
                .bind(told.render(qx_core::label::Lang::Zh))
                .bind(told.to_json())
                .bind(NoticeKind::ProblemSubmitted.as_str())
                .bind(subject_type)
                .bind(subject_id)
                .execute(&mut *tx)
                .await?;
            }
        }
        s.status = to;
        s.recompute(&cal, limits.for_category(s.category))?;
        s.save(&mut tx).await?;
        insert_event(
            &mut tx,
            actor,
            id,
            EventKind::Step(action),
            from.as_str(),
            to.as_str(),
            &note,
        )
        .await?;
        append(
            &mut tx,
            AuditEntry::new(
                actor,
                &format!("problem.{}", action.as_str()),
                "problem",
                id,
            )
            .before(&before)
            .after(&s),
        )
        .await?;
        let mut created = Vec::new();
        for (audience, audience_id, kind, told) in notes {
            created
                .extend(notify(&mut tx, Some(id), audience, audience_id, kind, told, None).await?);
        }
        tx.commit().await?;
        Ok(created)
    }
}
