//! Entering and editing a project: the checked input, the link to the registry enterprise by
//! 统一社会信用代码, the stages' planned dates.

use super::*;
use crate::audit::AuditEntry;
use crate::notices::NewNotice;
use qx_core::codes::CreditCode;
use qx_core::notice::{Audience, NoticeKind, Subject, Text};
use qx_core::project::{PIPELINE, fields};
use std::collections::HashMap;

/// Binds a project's fields as `$1`–`$18`, in the column order the insert and the update share.
macro_rules! bind_fields {
    ($query:expr, $input:expr, $c:expr, $enterprise:expr) => {
        $query
            .bind(i64::from($input.year))
            .bind(&$c.name)
            .bind(&$c.investor)
            .bind($input.credit_code.as_ref().map(CreditCode::as_str))
            .bind($enterprise)
            .bind($input.capital_kind.as_str())
            .bind($input.source.as_str())
            .bind(&$c.industry)
            .bind($input.town_id)
            .bind($input.total_investment_wan)
            .bind(crate::OptF64($input.foreign_contract_wusd))
            .bind(crate::OptF64($input.annual_plan_wan))
            .bind(crate::OptF64($input.completed_wan))
            .bind(crate::OptF64($input.land_mu))
            .bind(&$c.content)
            .bind($input.unit_id)
            .bind(&$c.contact)
            .bind($input.leader_user_id)
    };
}

/// What a person enters for a project (the form, the API, the demo, a lead's conversion).
#[derive(Debug, Clone, Serialize)]
pub struct ProjectInput {
    pub year: i32,
    pub name: String,
    pub investor: String,
    /// Already checked (`CreditCode::parse`); `None` while the firm is not registered.
    #[serde(serialize_with = "serialize_code")]
    pub credit_code: Option<CreditCode>,
    pub capital_kind: CapitalKind,
    pub source: Source,
    pub industry: String,
    pub town_id: Option<i64>,
    pub total_investment_wan: f64,
    pub foreign_contract_wusd: Option<f64>,
    pub annual_plan_wan: Option<f64>,
    pub completed_wan: Option<f64>,
    pub land_mu: Option<f64>,
    pub content: String,
    pub unit_id: i64,
    pub contact: String,
    pub leader_user_id: Option<i64>,
    /// Planned dates of 签约, 注册, 开工, 投产 (in that order; 在谈 has none).
    pub planned: [Option<Date>; 4],
}

fn serialize_code<S: serde::Serializer>(c: &Option<CreditCode>, s: S) -> Result<S::Ok, S::Error> {
    match c {
        Some(c) => s.serialize_some(c.as_str()),
        None => s.serialize_none(),
    }
}

/// The input with its texts trimmed and checked.
struct Checked {
    name: String,
    investor: String,
    industry: String,
    content: String,
    contact: String,
}

impl ProjectInput {
    fn check(&self) -> Result<Checked> {
        if self.total_investment_wan <= 0.0 {
            return Err(StoreError::Invalid("计划总投资: 必须大于0".into()));
        }
        for (label, v) in [
            ("年度计划投资", self.annual_plan_wan),
            ("本年已完成投资", self.completed_wan),
            ("合同外资", self.foreign_contract_wusd),
            ("用地", self.land_mu),
        ] {
            if v.is_some_and(|v| v < 0.0) {
                return Err(StoreError::Invalid(format!("{label}: 不能为负数")));
            }
        }
        if !(qx_core::period::Period::MIN_YEAR..=qx_core::period::Period::MAX_YEAR)
            .contains(&self.year)
        {
            return Err(StoreError::Invalid(format!("年度: {} 超出范围", self.year)));
        }
        Ok(Checked {
            name: text(fields::NAME, &self.name)?,
            investor: text(fields::INVESTOR, &self.investor)?,
            industry: text(fields::INDUSTRY, &self.industry)?,
            content: text(fields::CONTENT, &self.content)?,
            contact: text(fields::CONTACT, &self.contact)?,
        })
    }
}

/// The registry enterprise with this credit code, if any.
async fn enterprise_of(tx: &mut Tx, code: Option<&CreditCode>) -> Result<Option<i64>> {
    let Some(code) = code else { return Ok(None) };
    let row: Option<(i64,)> = sqlx::query_as("SELECT id FROM enterprises WHERE credit_code = $1")
        .bind(code.as_str())
        .fetch_optional(&mut **tx)
        .await?;
    Ok(row.map(|(id,)| id))
}

/// Only the office names a project's 包干县领导: anyone else leaves it as it was (`was`, none for
/// a new project).
fn leader_by_office(actor: &Actor, was: Option<i64>, leader: Option<i64>) -> Result<()> {
    if actor.is_admin() || leader == was {
        Ok(())
    } else {
        Err(StoreError::Forbidden(
            "包干县领导: 只有办公室可以指定 (only the office names the leader)".into(),
        ))
    }
}

/// A 包干县领导 must be a leader account.
async fn check_leader(tx: &mut Tx, leader: Option<i64>) -> Result<()> {
    let Some(id) = leader else { return Ok(()) };
    let row: Option<(String,)> = sqlx::query_as("SELECT role FROM users WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    match row {
        Some((role,)) if role == Role::Leader.as_str() => Ok(()),
        _ => Err(StoreError::Invalid("包干县领导: 须为领导账号".into())),
    }
}

async fn write_planned(tx: &mut Tx, id: i64, planned: &[Option<Date>; 4]) -> Result<()> {
    for (stage, date) in PIPELINE[1..].iter().zip(planned) {
        sqlx::query(
            "INSERT INTO project_stages (project_id, stage, planned_on) VALUES ($1, $2, $3)
             ON CONFLICT (project_id, stage) DO UPDATE SET planned_on = $3",
        )
        .bind(id)
        .bind(stage.as_str())
        .bind(date.map(iso))
        .execute(&mut **tx)
        .await?;
    }
    super::next_stage::refresh(tx, &[id]).await
}

impl Store {
    /// Enters a project at 在谈 since `since` (today for a person; a lead's or the demo's date).
    /// The office enters any project; a unit only one it is responsible for itself.
    pub async fn create_project(
        &self,
        actor: &Actor,
        input: &ProjectInput,
        since: Date,
    ) -> Result<i64> {
        let mut tx = self.begin().await?;
        let id = insert_project(&mut tx, actor, input, since, None).await?;
        crate::commit_audited(
            tx,
            AuditEntry::new(actor, "project.create", "project", id).after(input),
        )
        .await?;
        Ok(id)
    }

    /// The sum of the project's approved monthly 调度 of its year, once there is one: then
    /// 本年已完成投资 is that sum and no longer entered by hand.
    pub async fn project_dispatched_wan(&self, actor: &Actor, id: i64) -> Result<Option<f64>> {
        self.get_project(actor, id).await?;
        let (sum,): (Option<f64>,) = sqlx::query_as(concat!(
            "SELECT ",
            approved_dispatch_sum!(),
            " FROM projects p WHERE p.id = $1"
        ))
        .bind(id)
        .fetch_one(self.pool())
        .await?;
        Ok(sum)
    }

    /// Changes a project's facts and planned dates (not its stage: see `move_project`).
    pub async fn update_project(&self, actor: &Actor, id: i64, input: &ProjectInput) -> Result<()> {
        let before = self.project_for_write(actor, id).await?;
        leader_by_office(actor, before.leader_user_id, input.leader_user_id)?;
        let mut tx = self.begin().await?;
        update_in(&mut tx, actor, id, input).await?;
        crate::commit_audited(
            tx,
            AuditEntry::new(actor, "project.update", "project", id)
                .before(&before)
                .after(input),
        )
        .await
    }
}

/// Writes a project's facts and planned dates with its timeline entry, inside the caller's
/// transaction (an edit; an import's matched rows go through [`update_projects`]). Checks the
/// input and the actor's unit; the caller has checked the actor may write this project.
async fn update_in(tx: &mut Tx, actor: &Actor, id: i64, input: &ProjectInput) -> Result<()> {
    let c = input.check()?;
    if !actor.can_write_unit(input.unit_id) {
        return Err(StoreError::Forbidden("责任单位只能是本单位".into()));
    }
    check_leader(tx, input.leader_user_id).await?;
    let enterprise = enterprise_of(tx, input.credit_code.as_ref()).await?;
    let completed = kept_completed(tx, id, input.completed_wan).await?;
    let input = &ProjectInput {
        completed_wan: completed,
        ..input.clone()
    };
    let update = sqlx::query(
        "UPDATE projects SET year = $1, name = $2, investor = $3, credit_code = $4, enterprise_id = $5,
            capital_kind = $6, source = $7, industry = $8, town_id = $9, total_investment_wan = $10,
            foreign_contract_wusd = $11, annual_plan_wan = $12, completed_wan = $13, land_mu = $14,
            content = $15, unit_id = $16, contact = $17, leader_user_id = $18, updated_at = $19
         WHERE id = $20",
    );
    bind_fields!(update, input, c, enterprise)
        .bind(crate::now())
        .bind(id)
        .execute(&mut **tx)
        .await?;
    write_planned(tx, id, &input.planned).await?;
    insert_event(tx, actor, id, EventKind::Update, None, None, "").await
}

/// 本年已完成投资 once a month's 调度 of the project's year is approved: the sum of the approved
/// months (`project_select!`), so the figure entered with the project is kept as it was.
async fn kept_completed(tx: &mut Tx, id: i64, typed: Option<f64>) -> Result<Option<f64>> {
    let (stored, approved): (Option<f64>, Option<f64>) = sqlx::query_as(concat!(
        "SELECT p.completed_wan, ",
        approved_dispatch_sum!(),
        " FROM projects p WHERE p.id = $1"
    ))
    .bind(id)
    .fetch_one(&mut **tx)
    .await?;
    kept(stored, approved, typed)
}

/// The rule of [`kept_completed`] over what is stored: `approved` is the sum of the approved
/// months (none before one is approved). A write that leaves the figure out, or repeats the
/// sum, keeps the stored one; any other figure is refused.
fn kept(stored: Option<f64>, approved: Option<f64>, typed: Option<f64>) -> Result<Option<f64>> {
    let Some(sum) = approved else {
        return Ok(typed);
    };
    match typed {
        None => Ok(stored),
        Some(v) if (v - sum).abs() < 0.005 || Some(v) == stored => Ok(stored),
        Some(_) => Err(StoreError::Invalid(format!(
            "本年已完成投资: 已有月度调度审核通过, 以各月调度合计 {} 万元为准, 不能修改",
            sum
        ))),
    }
}

/// Inserts a project at 在谈 with its planned dates and first timeline entry, inside the
/// caller's transaction (creation, and a lead's conversion). Checks the input and the actor.
pub(crate) async fn insert_project(
    tx: &mut Tx,
    actor: &Actor,
    input: &ProjectInput,
    since: Date,
    lead_id: Option<i64>,
) -> Result<i64> {
    let ids = insert_projects(tx, actor, &[(input, lead_id)], since).await?;
    ids.first()
        .copied()
        .ok_or_else(|| StoreError::Invalid("项目未写入 (nothing inserted)".into()))
}

/// Inserts projects at 在谈 since `since`, each with its planned dates, its first timeline
/// entry and, when another unit is responsible, a notice to it, inside the caller's
/// transaction; returns their ids in the order given. Every input is checked first, in order
/// (the first problem refuses them all); the writes are multi-row statements of
/// [`crate::BATCH_ROWS`] projects, so an import of thousands is a few dozen statements.
/// Two inputs may not share a name and town (an import refuses that first).
pub(crate) async fn insert_projects(
    tx: &mut Tx,
    actor: &Actor,
    inputs: &[(&ProjectInput, Option<i64>)],
    since: Date,
) -> Result<Vec<i64>> {
    let mut leaders = std::collections::HashSet::new();
    let mut firms: std::collections::HashMap<String, Option<i64>> = Default::default();
    let mut checked = Vec::with_capacity(inputs.len());
    for &(input, lead_id) in inputs {
        let c = input.check()?;
        if !actor.can_write_unit(input.unit_id) {
            return Err(StoreError::Forbidden(
                "只有办公室或责任单位可以录入本单位的项目".into(),
            ));
        }
        leader_by_office(actor, None, input.leader_user_id)?;
        if let Some(leader) = input.leader_user_id.filter(|l| !leaders.contains(l)) {
            check_leader(tx, Some(leader)).await?;
            leaders.insert(leader);
        }
        let enterprise = match input.credit_code.as_ref() {
            None => None,
            Some(code) => match firms.get(code.as_str()) {
                Some(known) => *known,
                None => {
                    let found = enterprise_of(tx, Some(code)).await?;
                    firms.insert(code.as_str().to_string(), found);
                    found
                }
            },
        };
        checked.push((input, lead_id, c, enterprise));
    }
    let now = crate::now();
    let engine = crate::engine_of(tx);
    let by = (actor.user_id != 0).then_some(actor.user_id);
    let since = iso(since);
    let mut ids = Vec::with_capacity(checked.len());
    for chunk in checked.chunks(crate::BATCH_ROWS) {
        let sql = format!(
            "INSERT INTO projects (year, name, investor, credit_code, enterprise_id, capital_kind, source, industry,
                town_id, total_investment_wan, foreign_contract_wusd, annual_plan_wan, completed_wan, land_mu, content,
                unit_id, contact, leader_user_id, stage, stage_since, lead_id, created_by, created_at, updated_at,
                next_stage, next_planned_on)
             VALUES {} RETURNING id, name, town_id",
            crate::values_placeholders(engine, chunk.len(), 26)
        );
        let mut insert = sqlx::query_as::<_, (i64, String, Option<i64>)>(sqlx::AssertSqlSafe(sql));
        for (input, lead_id, c, enterprise) in chunk {
            // A new project has reached 在谈 only: its next stage is among its planned ones,
            // stored here instead of read back after the stages are written.
            let next = super::next_stage::next_of(
                PIPELINE[1..]
                    .iter()
                    .zip(&input.planned)
                    .filter_map(|(stage, on)| on.map(|on| (*stage, iso(on)))),
            );
            insert = bind_fields!(insert, input, c, *enterprise)
                .bind(Stage::Negotiating.as_str())
                .bind(since.clone())
                .bind(*lead_id)
                .bind(by)
                .bind(now)
                .bind(now)
                .bind(next.as_ref().map(|(stage, _)| stage.as_str()))
                .bind(next.map(|(_, on)| on));
        }
        // A multi-row insert's RETURNING order is not promised: match by name and town.
        let returned: std::collections::HashMap<(String, Option<i64>), i64> = insert
            .fetch_all(&mut **tx)
            .await?
            .into_iter()
            .map(|(id, name, town)| ((name, town), id))
            .collect();
        if returned.len() != chunk.len() {
            return Err(StoreError::Invalid(
                "同名同镇的项目重复录入 (the same project twice)".into(),
            ));
        }
        let chunk_ids: Vec<i64> = chunk
            .iter()
            .map(|(input, _, c, _)| returned[&(c.name.clone(), input.town_id)])
            .collect();

        // 在谈 reached on `since`, then the four planned dates (blank ones too, as an edit keeps).
        let sql = format!(
            "INSERT INTO project_stages (project_id, stage, planned_on, actual_on, moved_by, moved_at)
             VALUES {}",
            crate::values_placeholders(engine, chunk.len() * 5, 6)
        );
        let mut stages = sqlx::query(sqlx::AssertSqlSafe(sql));
        for ((input, ..), id) in chunk.iter().zip(&chunk_ids) {
            stages = stages
                .bind(*id)
                .bind(Stage::Negotiating.as_str())
                .bind(None::<String>)
                .bind(since.clone())
                .bind(by)
                .bind(Some(now));
            for (stage, date) in PIPELINE[1..].iter().zip(&input.planned) {
                stages = stages
                    .bind(*id)
                    .bind(stage.as_str())
                    .bind(date.map(iso))
                    .bind(None::<String>)
                    .bind(None::<i64>)
                    .bind(None::<i64>);
            }
        }
        stages.execute(&mut **tx).await?;

        let sql = format!(
            "INSERT INTO project_events (project_id, at, actor_id, actor_name, kind, from_stage, to_stage, note)
             VALUES {}",
            crate::values_placeholders(engine, chunk.len(), 8)
        );
        let mut events = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in &chunk_ids {
            events = events
                .bind(*id)
                .bind(now)
                .bind(by)
                .bind(actor.username.clone())
                .bind(EventKind::Create.as_str())
                .bind(None::<String>)
                .bind(Some(Stage::Negotiating.as_str()))
                .bind("");
        }
        events.execute(&mut **tx).await?;

        let notices: Vec<NewNotice> = chunk
            .iter()
            .zip(&chunk_ids)
            .filter(|((input, ..), _)| input.unit_id != actor.unit_id.unwrap_or(-1))
            .map(|((input, _, c, _), id)| NewNotice {
                audience: Audience::Unit(input.unit_id),
                kind: NoticeKind::ProjectStage,
                subject: Subject::Project(*id),
                text: Text::ProjectAssigned {
                    project: c.name.clone(),
                },
                dedupe_key: None,
            })
            .collect();
        crate::notices::notify_all(tx, &notices).await?;
        ids.extend(chunk_ids);
    }
    Ok(ids)
}

/// A matched project as an import compares it: the columns [`update_projects`] writes, the
/// typed 本年已完成投资 and the sum of the approved months ([`kept`]).
#[derive(sqlx::FromRow)]
struct Stored {
    id: i64,
    year: i64,
    name: String,
    investor: String,
    credit_code: Option<String>,
    enterprise_id: Option<i64>,
    capital_kind: String,
    source: String,
    industry: String,
    town_id: Option<i64>,
    total_investment_wan: f64,
    foreign_contract_wusd: Option<f64>,
    annual_plan_wan: Option<f64>,
    completed_wan: Option<f64>,
    land_mu: Option<f64>,
    content: String,
    unit_id: i64,
    contact: String,
    leader_user_id: Option<i64>,
    approved: Option<f64>,
}

impl Stored {
    /// The input (its texts checked, its figure kept) would leave the project's columns as
    /// they are.
    fn same_as(&self, input: &ProjectInput, c: &Checked, enterprise: Option<i64>) -> bool {
        self.year == i64::from(input.year)
            && self.name == c.name
            && self.investor == c.investor
            && self.credit_code.as_deref() == input.credit_code.as_ref().map(CreditCode::as_str)
            && self.enterprise_id == enterprise
            && self.capital_kind == input.capital_kind.as_str()
            && self.source == input.source.as_str()
            && self.industry == c.industry
            && self.town_id == input.town_id
            && self.total_investment_wan == input.total_investment_wan
            && self.foreign_contract_wusd == input.foreign_contract_wusd
            && self.annual_plan_wan == input.annual_plan_wan
            && self.completed_wan == input.completed_wan
            && self.land_mu == input.land_mu
            && self.content == c.content
            && self.unit_id == input.unit_id
            && self.contact == c.contact
            && self.leader_user_id == input.leader_user_id
    }
}

/// `IN (…)` over the values of a JSON array bound as `$1`, on either engine: ids, or (`text`)
/// strings.
fn json_set(engine: crate::Engine, text: bool) -> &'static str {
    match (engine, text) {
        (crate::Engine::Sqlite, _) => "IN (SELECT value FROM json_each($1))",
        (crate::Engine::Postgres, false) => {
            "IN (SELECT CAST(x AS BIGINT) FROM json_array_elements_text(CAST($1 AS JSON)) AS t(x))"
        }
        (crate::Engine::Postgres, true) => {
            "IN (SELECT x FROM json_array_elements_text(CAST($1 AS JSON)) AS t(x))"
        }
    }
}

fn json_of<T: Serialize>(values: &T) -> Result<String> {
    serde_json::to_string(values).map_err(|e| StoreError::Invalid(e.to_string()))
}

/// Writes matched projects' facts and planned dates (an import's updates) inside the caller's
/// transaction, as [`update_in`] writes one: each input is checked in order, the first problem
/// refusing them all with `update_in`'s message. What the per-row checks read (the leaders'
/// roles, the enterprises by credit code, the projects as stored with their approved sums, their
/// stages' planned dates) is read in one statement each; a project the input would leave as it
/// is gets no write and no timeline entry; the others are written with multi-row statements of
/// [`crate::BATCH_ROWS`] projects (`UPDATE … FROM` a `VALUES` list, planned dates by a
/// multi-row upsert, one `更新` timeline entry each). Returns how many projects changed.
pub(crate) async fn update_projects(
    tx: &mut Tx,
    actor: &Actor,
    rows: &[(i64, &ProjectInput)],
) -> Result<usize> {
    if rows.is_empty() {
        return Ok(0);
    }
    let engine = crate::engine_of(tx);
    let ids: Vec<i64> = rows.iter().map(|(id, _)| *id).collect();
    let ids = json_of(&ids)?;
    let mut leaders: Vec<i64> = rows.iter().filter_map(|(_, i)| i.leader_user_id).collect();
    leaders.sort_unstable();
    leaders.dedup();
    let sql = format!(
        "SELECT id, role FROM users WHERE id {}",
        json_set(engine, false)
    );
    let roles: HashMap<i64, String> = sqlx::query_as::<_, (i64, String)>(sqlx::AssertSqlSafe(sql))
        .bind(json_of(&leaders)?)
        .fetch_all(&mut **tx)
        .await?
        .into_iter()
        .collect();
    let mut codes: Vec<&str> = rows
        .iter()
        .filter_map(|(_, i)| i.credit_code.as_ref().map(CreditCode::as_str))
        .collect();
    codes.sort_unstable();
    codes.dedup();
    let sql = format!(
        "SELECT credit_code, id FROM enterprises WHERE credit_code {}",
        json_set(engine, true)
    );
    let firms: HashMap<String, i64> = sqlx::query_as::<_, (String, i64)>(sqlx::AssertSqlSafe(sql))
        .bind(json_of(&codes)?)
        .fetch_all(&mut **tx)
        .await?
        .into_iter()
        .collect();
    let sql = format!(
        "SELECT p.id, p.year, p.name, p.investor, p.credit_code, p.enterprise_id, p.capital_kind,
            p.source, p.industry, p.town_id, p.total_investment_wan, p.foreign_contract_wusd,
            p.annual_plan_wan, p.completed_wan, p.land_mu, p.content, p.unit_id, p.contact,
            p.leader_user_id, {} AS approved
         FROM projects p WHERE p.id {}",
        approved_dispatch_sum!(),
        json_set(engine, false)
    );
    let stored: HashMap<i64, Stored> = sqlx::query_as::<_, Stored>(sqlx::AssertSqlSafe(sql))
        .bind(ids.clone())
        .fetch_all(&mut **tx)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let sql = format!(
        "SELECT project_id, stage, planned_on FROM project_stages WHERE project_id {}",
        json_set(engine, false)
    );
    let planned: HashMap<(i64, String), Option<String>> =
        sqlx::query_as::<_, (i64, String, Option<String>)>(sqlx::AssertSqlSafe(sql))
            .bind(ids)
            .fetch_all(&mut **tx)
            .await?
            .into_iter()
            .map(|(id, stage, on)| ((id, stage), on))
            .collect();

    // The checks of `update_in`, row by row in order, over what was read.
    let mut changed = Vec::new();
    let mut stage_rows: Vec<(i64, Stage, Option<String>)> = Vec::new();
    for &(id, input) in rows {
        let c = input.check()?;
        if !actor.can_write_unit(input.unit_id) {
            return Err(StoreError::Forbidden("责任单位只能是本单位".into()));
        }
        if let Some(leader) = input.leader_user_id
            && roles.get(&leader).map(String::as_str) != Some(Role::Leader.as_str())
        {
            return Err(StoreError::Invalid("包干县领导: 须为领导账号".into()));
        }
        let enterprise = input
            .credit_code
            .as_ref()
            .and_then(|code| firms.get(code.as_str()).copied());
        let was = stored
            .get(&id)
            .ok_or_else(|| StoreError::NotFound(format!("重大项目 {id}")))?;
        leader_by_office(actor, was.leader_user_id, input.leader_user_id)?;
        let input = ProjectInput {
            completed_wan: kept(was.completed_wan, was.approved, input.completed_wan)?,
            ..input.clone()
        };
        let before = stage_rows.len();
        for (stage, date) in PIPELINE[1..].iter().zip(&input.planned) {
            let date = date.map(iso);
            if planned.get(&(id, stage.as_str().to_string())) != Some(&date) {
                stage_rows.push((id, *stage, date));
            }
        }
        if stage_rows.len() > before || !was.same_as(&input, &c, enterprise) {
            changed.push((id, input, c, enterprise));
        }
    }

    let now = crate::now();
    for chunk in changed.chunks(crate::BATCH_ROWS) {
        let last = match engine {
            crate::Engine::Sqlite => "?".to_string(),
            crate::Engine::Postgres => format!("${}", chunk.len() * 19 + 1),
        };
        let sql = format!(
            "WITH v (id, year, name, investor, credit_code, enterprise_id, capital_kind, source, industry,
                town_id, total_investment_wan, foreign_contract_wusd, annual_plan_wan, completed_wan, land_mu,
                content, unit_id, contact, leader_user_id) AS (VALUES {})
             UPDATE projects SET year = v.year, name = v.name, investor = v.investor,
                credit_code = v.credit_code, enterprise_id = v.enterprise_id, capital_kind = v.capital_kind,
                source = v.source, industry = v.industry, town_id = v.town_id,
                total_investment_wan = v.total_investment_wan, foreign_contract_wusd = v.foreign_contract_wusd,
                annual_plan_wan = v.annual_plan_wan, completed_wan = v.completed_wan, land_mu = v.land_mu,
                content = v.content, unit_id = v.unit_id, contact = v.contact,
                leader_user_id = v.leader_user_id, updated_at = {last}
             FROM v WHERE projects.id = v.id",
            crate::values_placeholders(engine, chunk.len(), 19)
        );
        let mut update = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (id, input, c, enterprise) in chunk {
            update = bind_fields!(update.bind(*id), input, c, *enterprise);
        }
        let done = update.bind(now).execute(&mut **tx).await?;
        if done.rows_affected() != chunk.len() as u64 {
            return Err(StoreError::Invalid(format!(
                "项目未全部更新 (updated {} of {})",
                done.rows_affected(),
                chunk.len()
            )));
        }
    }
    // Planned dates that differ (or whose stage row is missing), as `write_planned` leaves them.
    for chunk in stage_rows.chunks(crate::BATCH_ROWS) {
        let sql = format!(
            "INSERT INTO project_stages (project_id, stage, planned_on) VALUES {}
             ON CONFLICT (project_id, stage) DO UPDATE SET planned_on = excluded.planned_on",
            crate::values_placeholders(engine, chunk.len(), 3)
        );
        let mut upsert = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (id, stage, date) in chunk {
            upsert = upsert.bind(*id).bind(stage.as_str()).bind(date.clone());
        }
        upsert.execute(&mut **tx).await?;
    }
    let mut moved: Vec<i64> = stage_rows.iter().map(|(id, ..)| *id).collect();
    moved.dedup();
    super::next_stage::refresh(tx, &moved).await?;
    let by = (actor.user_id != 0).then_some(actor.user_id);
    for chunk in changed.chunks(crate::BATCH_ROWS) {
        let sql = format!(
            "INSERT INTO project_events (project_id, at, actor_id, actor_name, kind, from_stage, to_stage, note)
             VALUES {}",
            crate::values_placeholders(engine, chunk.len(), 8)
        );
        let mut events = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (id, ..) in chunk {
            events = events
                .bind(*id)
                .bind(now)
                .bind(by)
                .bind(actor.username.clone())
                .bind(EventKind::Update.as_str())
                .bind(None::<String>)
                .bind(None::<String>)
                .bind("");
        }
        events.execute(&mut **tx).await?;
    }
    Ok(changed.len())
}
