//! Official lists in (高新技术企业名单, 专精特新名单, 个体户名单): the rows a reader took from the
//! file are matched to the registry — by 统一社会信用代码 first, else by exact name, else the
//! closest names are proposed for a person to choose — and kept as a pending import. Nothing
//! reaches the pipeline until the office confirms: applying enters, moves up or re-enters every
//! matched firm at the list's stage in one transaction with one audit entry. A firm already at
//! or past the stage is left as it is and said so.

use super::moves::{Moved, Placed, expiry, insert_entry, insert_move, update_entry};
use super::only_office;
use crate::audit::AuditEntry;
use crate::{Result, Store, StoreError, commit_audited};
use qx_core::access::Actor;
use qx_core::cultivation::{EntryStatus, ImportStatus, MoveKind};
use qx_core::name_match::NameIndex;
use qx_core::text;
use qx_core::time::{format_date, parse_date, today};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// Proposals below this closeness (percent) are not shown.
pub const CLOSE_SCORE: u8 = 60;
/// At most this many close names per row.
pub const CLOSE_LIMIT: usize = 5;
/// The 个转企 pipeline's code: its list names households, not registry firms.
const HOUSEHOLDS: &str = "gzq";

/// One row of an official list as the reader took it from the file.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ListLine {
    /// The row as the file numbers it (CSV line or sheet row).
    pub line: u64,
    /// Where the name and the code stand, for messages: `名单 第12行 "企业名称"`.
    pub at_name: String,
    pub at_code: String,
    pub name: String,
    /// The credit code as typed (checked here).
    pub credit_code: String,
    pub reg_no: String,
    pub certificate_no: String,
    /// The row's own date (认定日期 …), ISO; none takes the import's date.
    pub on_date: Option<String>,
    pub town_id: Option<i64>,
    /// Cells the reader could not take (a bad date …), each naming its place.
    pub problems: Vec<String>,
}

/// A registry firm proposed for a row.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Proposal {
    pub enterprise_id: i64,
    pub name: String,
    pub credit_code: String,
    /// Closeness in percent (100 for a same-name firm).
    pub score: u8,
}

/// How a row was matched.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RowMatch {
    /// Its 统一社会信用代码 is in the registry.
    ByCode { enterprise_id: i64, name: String },
    /// No (known) code, one registry firm of exactly this name.
    ByName {
        enterprise_id: i64,
        credit_code: String,
    },
    /// Several firms of this name, or only close ones: a person chooses (or leaves it out).
    Choose {
        proposals: Vec<Proposal>,
        problem: String,
    },
    /// A 个体工商户 of the 个转企 list, entered by name and 注册号.
    Household,
    /// Nothing to enter: the problem names the row and the column.
    Unmatched { problem: String },
}

/// One row with its match, as the review page shows it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ListRow {
    #[serde(flatten)]
    pub line: ListLine,
    pub matched: RowMatch,
    /// Notes that did not stop the match (a malformed code matched by name …).
    pub notes: Vec<String>,
}

/// A pending (or decided) import.
#[derive(Debug, Clone, Serialize)]
pub struct ListImport {
    pub id: i64,
    pub pipeline_id: i64,
    pub stage_id: i64,
    pub file_name: String,
    pub on_date: String,
    pub status: ImportStatus,
    pub rows: Vec<ListRow>,
}

impl ListImport {
    pub fn is_pending(&self) -> bool {
        self.status == ImportStatus::Pending
    }
}

/// What applying did, row by row.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Applied {
    pub entered: usize,
    pub advanced: usize,
    pub reentered: usize,
    /// Rows left as they were, each with why (`第12行: 已在「认定」阶段`).
    pub skipped: Vec<String>,
}

/// The registry as matching needs it: ids, codes and names, with the name index.
pub struct Registry {
    ids: Vec<i64>,
    codes: Vec<String>,
    names: Vec<String>,
    by_code: HashMap<String, usize>,
    index: NameIndex,
}

impl Registry {
    /// An empty registry with room for `firms` firms.
    fn with_capacity(firms: usize) -> Registry {
        Registry {
            ids: Vec::with_capacity(firms),
            codes: Vec::with_capacity(firms),
            names: Vec::with_capacity(firms),
            by_code: HashMap::with_capacity(firms),
            index: NameIndex::with_capacity(firms),
        }
    }

    /// Adds the next firm, indexed at once.
    fn push(&mut self, id: i64, code: String, name: String) {
        self.by_code.insert(code.clone(), self.ids.len());
        self.index.push(&name);
        self.ids.push(id);
        self.codes.push(code);
        self.names.push(name);
    }

    fn proposal(&self, i: usize, score: u8) -> Proposal {
        Proposal {
            enterprise_id: self.ids[i],
            name: self.names[i].clone(),
            credit_code: self.codes[i].clone(),
            score,
        }
    }

    /// Matches one row of a firms' list.
    pub fn match_line(&self, l: &ListLine) -> (RowMatch, Vec<String>) {
        let mut notes = Vec::new();
        let typed = l.credit_code.trim();
        if !typed.is_empty() {
            match qx_core::codes::CreditCode::parse(typed) {
                Ok(code) => {
                    if let Some(&i) = self.by_code.get(code.as_str()) {
                        return (
                            RowMatch::ByCode {
                                enterprise_id: self.ids[i],
                                name: self.names[i].clone(),
                            },
                            notes,
                        );
                    }
                    notes.push(format!(
                        "{}: 企业名录中没有 \"{typed}\", 按名称查找",
                        l.at_code
                    ));
                }
                Err(e) => notes.push(format!("{}: {e}, 按名称查找", l.at_code)),
            }
        }
        let name = l.name.trim();
        if name.is_empty() {
            return (
                RowMatch::Unmatched {
                    problem: format!("{}: 名称为空", l.at_name),
                },
                notes,
            );
        }
        match self.index.exact(name) {
            [i] => {
                return (
                    RowMatch::ByName {
                        enterprise_id: self.ids[*i],
                        credit_code: self.codes[*i].clone(),
                    },
                    notes,
                );
            }
            [] => {}
            many => {
                let proposals = many.iter().map(|i| self.proposal(*i, 100)).collect();
                return (
                    RowMatch::Choose {
                        proposals,
                        problem: format!(
                            "{}: 企业名录中有{}家名为 \"{name}\" 的企业, 请选择",
                            l.at_name,
                            many.len()
                        ),
                    },
                    notes,
                );
            }
        }
        let close = self.index.close(name, CLOSE_SCORE, CLOSE_LIMIT);
        if close.is_empty() {
            return (
                RowMatch::Unmatched {
                    problem: format!("{}: 企业名录中没有 \"{name}\", 也没有相近的名称", l.at_name),
                },
                notes,
            );
        }
        let proposals = close
            .iter()
            .map(|c| self.proposal(c.key, c.score))
            .collect();
        (
            RowMatch::Choose {
                proposals,
                problem: format!(
                    "{}: 企业名录中没有 \"{name}\", 请从相近的名称中选择",
                    l.at_name
                ),
            },
            notes,
        )
    }
}

/// Matches every row: a household list's rows are households; a firm list's rows go to the
/// registry. A firm named twice in the list is matched once: the later row says so.
pub fn match_lines(registry: &Registry, households: bool, lines: Vec<ListLine>) -> Vec<ListRow> {
    let mut seen: HashMap<i64, u64> = HashMap::new();
    lines
        .into_iter()
        .map(|line| {
            let (matched, mut notes) = if !line.problems.is_empty() {
                let problem = line.problems.join("; ");
                (RowMatch::Unmatched { problem }, Vec::new())
            } else if households {
                if line.name.trim().is_empty() {
                    let problem = format!("{}: 名称为空", line.at_name);
                    (RowMatch::Unmatched { problem }, Vec::new())
                } else {
                    (RowMatch::Household, Vec::new())
                }
            } else {
                registry.match_line(&line)
            };
            let matched = match matched {
                RowMatch::ByCode { enterprise_id, .. } | RowMatch::ByName { enterprise_id, .. }
                    if seen.contains_key(&enterprise_id) =>
                {
                    let first = seen[&enterprise_id];
                    RowMatch::Unmatched {
                        problem: format!("{}: 与第{first}行是同一家企业", line.at_name),
                    }
                }
                m => m,
            };
            if let RowMatch::ByCode { enterprise_id, .. } | RowMatch::ByName { enterprise_id, .. } =
                &matched
            {
                seen.insert(*enterprise_id, line.line);
            }
            notes.shrink_to_fit();
            ListRow {
                line,
                matched,
                notes,
            }
        })
        .collect()
}

type ImportRow = (i64, i64, i64, String, String, String, String);

impl Store {
    /// The registry's ids, codes and names, for matching a list (the office only).
    pub async fn matching_registry(&self, actor: &Actor) -> Result<Registry> {
        only_office(actor)?;
        // Read whole, then indexed: on SQLite a row stream costs a hand-off between its
        // worker thread and this task per row (measured slower at 100,000 firms).
        let rows: Vec<(i64, String, String)> =
            sqlx::query_as("SELECT id, credit_code, name FROM enterprises ORDER BY id")
                .fetch_all(self.pool())
                .await?;
        let mut registry = Registry::with_capacity(rows.len());
        for (id, code, name) in rows {
            registry.push(id, code, name);
        }
        Ok(registry)
    }

    /// Matches a list read from `file_name` and keeps it, pending, for the office to review:
    /// nothing is entered yet. Answers the pending import's id.
    pub async fn stage_cultivation_import(
        &self,
        actor: &Actor,
        pipeline_id: i64,
        stage_id: i64,
        file_name: &str,
        on_date: &str,
        lines: Vec<ListLine>,
    ) -> Result<i64> {
        only_office(actor)?;
        let p = self.cultivation_pipeline(pipeline_id).await?;
        let Some(at) = p.position(stage_id) else {
            return Err(StoreError::Invalid("阶段: 请选择本培育库的阶段".into()));
        };
        let households = p.code == HOUSEHOLDS;
        if households && at != 0 {
            return Err(StoreError::Invalid(format!(
                "阶段: 个体户名单只能导入「{}」阶段",
                p.stages[0].name
            )));
        }
        let on = parse_date(on_date)
            .filter(|d| *d <= today())
            .ok_or_else(|| {
                StoreError::Invalid(format!("日期: \"{on_date}\" 应为不晚于今天的日期"))
            })?;
        if lines.is_empty() {
            return Err(StoreError::Invalid(format!(
                "{file_name}: 名单中没有数据行"
            )));
        }
        let registry = self.matching_registry(actor).await?;
        let rows = match_lines(&registry, households, lines);
        let json = serde_json::to_string(&rows).map_err(|e| StoreError::Invalid(e.to_string()))?;
        let mut tx = self.begin().await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO cultivation_imports (pipeline_id, stage_id, file_name, on_date, rows_json, status, user_id, created_at) \
             VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7) RETURNING id",
        )
        .bind(p.id)
        .bind(stage_id)
        .bind(file_name)
        .bind(format_date(on))
        .bind(json)
        .bind((actor.user_id > 0).then_some(actor.user_id))
        .bind(crate::now())
        .fetch_one(&mut *tx)
        .await?;
        let audit = AuditEntry::new(actor, "cultivation.import", "cultivation_import", id).after(
            serde_json::json!({ "pipeline": p.code, "file": file_name, "rows": rows.len() }),
        );
        commit_audited(tx, audit).await?;
        Ok(id)
    }

    /// One import with its rows (the office only).
    pub async fn cultivation_import(&self, actor: &Actor, id: i64) -> Result<ListImport> {
        only_office(actor)?;
        let row: Option<ImportRow> = sqlx::query_as(
            "SELECT id, pipeline_id, stage_id, file_name, on_date, status, rows_json \
             FROM cultivation_imports WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        let (id, pipeline_id, stage_id, file_name, on_date, status, json) =
            row.ok_or_else(|| StoreError::NotFound(format!("培育名单导入 {id}")))?;
        let rows = serde_json::from_str(&json)
            .map_err(|e| StoreError::Invalid(format!("培育名单导入 {id}: {e}")))?;
        let status =
            ImportStatus::try_from(status).map_err(|e| StoreError::Invalid(e.to_string()))?;
        Ok(ListImport {
            id,
            pipeline_id,
            stage_id,
            file_name,
            on_date,
            status,
            rows,
        })
    }

    /// The office leaves a pending import unapplied.
    pub async fn discard_cultivation_import(&self, actor: &Actor, id: i64) -> Result<()> {
        let import = self.cultivation_import(actor, id).await?;
        if !import.is_pending() {
            return Err(StoreError::Conflict("该名单已处理".into()));
        }
        let mut tx = self.begin().await?;
        sqlx::query(
            "UPDATE cultivation_imports SET status = 'discarded', decided_at = $1 \
             WHERE id = $2 AND status = 'pending'",
        )
        .bind(crate::now())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let audit = AuditEntry::new(
            actor,
            "cultivation.import_discard",
            "cultivation_import",
            id,
        );
        commit_audited(tx, audit).await
    }

    /// Applies a pending import in one transaction: every matched row, and every row to choose
    /// for which `chosen` (row → enterprise) names one of its proposals, enters the pipeline at
    /// the import's stage, moves up to it or enters again. Rows already at or past the stage,
    /// or whose date is before the entry's last move, are left as they are and listed.
    pub async fn apply_cultivation_import(
        &self,
        actor: &Actor,
        id: i64,
        chosen: &HashMap<u64, i64>,
    ) -> Result<Applied> {
        let import = self.cultivation_import(actor, id).await?;
        if !import.is_pending() {
            return Err(StoreError::Conflict("该名单已处理".into()));
        }
        let p = self.cultivation_pipeline(import.pipeline_id).await?;
        let target = p
            .position(import.stage_id)
            .ok_or_else(|| StoreError::Invalid("阶段已不在培育库中".into()))?;
        let evidence = format!("名单导入: {}", import.file_name);
        let evidence = text::MOVE_EVIDENCE
            .check(&evidence)
            .map(str::to_string)
            .unwrap_or_else(|_| "名单导入".to_string());
        let mut done = Applied::default();
        let mut tx = self.begin().await?;
        let existing: Vec<(i64, Option<i64>, String, String, i64, String)> = sqlx::query_as(
            "SELECT ce.id, ce.enterprise_id, ce.reg_no, ce.name, ce.stage_id, ce.status \
             FROM cultivation_entries ce WHERE ce.pipeline_id = $1",
        )
        .bind(p.id)
        .fetch_all(&mut *tx)
        .await?;
        let mut by_firm: HashMap<i64, (i64, i64, String)> = HashMap::new();
        let mut households: HashSet<String> = HashSet::new();
        for (eid, firm, reg_no, name, stage, status) in existing {
            match firm {
                Some(f) => {
                    by_firm.insert(f, (eid, stage, status));
                }
                None => {
                    households.insert(if reg_no.is_empty() { name } else { reg_no });
                }
            }
        }
        let last_moves: HashMap<i64, String> = sqlx::query_as::<_, (i64, String)>(
            "SELECT m.entry_id, MAX(m.on_date) FROM cultivation_moves m \
             JOIN cultivation_entries ce ON ce.id = m.entry_id WHERE ce.pipeline_id = $1 GROUP BY m.entry_id",
        )
        .bind(p.id)
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .collect();
        let stage_id = p.stages[target].id;
        for row in &import.rows {
            let l = &row.line;
            let place = format!("第{}行", l.line);
            let on = l.on_date.clone().unwrap_or_else(|| import.on_date.clone());
            let firm = match &row.matched {
                RowMatch::ByCode { enterprise_id, .. } | RowMatch::ByName { enterprise_id, .. } => {
                    Some(*enterprise_id)
                }
                RowMatch::Choose { proposals, .. } => match chosen.get(&l.line) {
                    Some(e) if proposals.iter().any(|p| p.enterprise_id == *e) => Some(*e),
                    Some(_) => {
                        return Err(StoreError::Invalid(format!(
                            "{place}: 所选企业不在建议名单中"
                        )));
                    }
                    None => {
                        done.skipped.push(format!("{place}: 未选择企业, 不导入"));
                        continue;
                    }
                },
                RowMatch::Household => None,
                RowMatch::Unmatched { problem } => {
                    done.skipped.push(problem.clone());
                    continue;
                }
            };
            let certificate = text::ENTRY_FIELD
                .check(&l.certificate_no)
                .map_err(|e| StoreError::Invalid(format!("{place} {e}")))?;
            let Some(on_day) = parse_date(&on).filter(|d| *d <= today()) else {
                done.skipped
                    .push(format!("{place}: 日期 \"{on}\" 晚于今天或无法识别"));
                continue;
            };
            let Some(firm) = firm else {
                let name = text::ENTRY_FIELD
                    .check(&l.name)
                    .map_err(|e| StoreError::Invalid(format!("{place} {e}")))?;
                let reg_no = text::ENTRY_FIELD
                    .check(&l.reg_no)
                    .map_err(|e| StoreError::Invalid(format!("{place} {e}")))?;
                let key = if reg_no.is_empty() { name } else { reg_no };
                if !households.insert(key.to_string()) {
                    done.skipped
                        .push(format!("{place}: {name} 已在「{}」中", p.name));
                    continue;
                }
                let placed = Placed {
                    pipeline_id: p.id,
                    enterprise_id: None,
                    name,
                    reg_no,
                    town_id: l.town_id,
                    stage_id,
                    on: &on,
                    expires_on: expiry(&p, on_day),
                    certificate_no: certificate,
                    evidence: &evidence,
                };
                insert_entry(&mut tx, &placed, actor.user_id).await?;
                done.entered += 1;
                continue;
            };
            match by_firm.get(&firm).cloned() {
                None => {
                    let (name, town): (String, Option<i64>) =
                        sqlx::query_as("SELECT name, town_id FROM enterprises WHERE id = $1")
                            .bind(firm)
                            .fetch_one(&mut *tx)
                            .await?;
                    let placed = Placed {
                        pipeline_id: p.id,
                        enterprise_id: Some(firm),
                        name: &name,
                        reg_no: "",
                        town_id: town,
                        stage_id,
                        on: &on,
                        expires_on: expiry(&p, on_day),
                        certificate_no: certificate,
                        evidence: &evidence,
                    };
                    let eid = insert_entry(&mut tx, &placed, actor.user_id).await?;
                    by_firm.insert(firm, (eid, stage_id, EntryStatus::Active.as_str().into()));
                    done.entered += 1;
                }
                Some((eid, current, status)) => {
                    let status = EntryStatus::try_from(status)
                        .map_err(|e| StoreError::Invalid(e.to_string()))?;
                    let at = p.position(current).unwrap_or(0);
                    let kind = match status {
                        EntryStatus::Exited => MoveKind::Reenter,
                        EntryStatus::Active if at < target => MoveKind::Advance,
                        EntryStatus::Active => {
                            done.skipped
                                .push(format!("{place}: 已在「{}」阶段, 不变", p.stages[at].name));
                            continue;
                        }
                    };
                    if last_moves
                        .get(&eid)
                        .is_some_and(|last| on.as_str() < last.as_str())
                    {
                        done.skipped.push(format!(
                            "{place}: 日期 {on} 早于该企业上一次变动 ({}), 不变",
                            last_moves[&eid]
                        ));
                        continue;
                    }
                    let to = status
                        .apply(kind, at, Some(target), p.stages.len())
                        .map_err(|e| StoreError::Invalid(format!("{place}: {e}")))?;
                    let moved = Moved {
                        status: to,
                        to_stage: Some(stage_id),
                        on: &on,
                        expires_on: expiry(&p, on_day),
                        enterprise_id: Some(firm),
                        certificate_no: certificate,
                        board: "",
                        stock_code: "",
                    };
                    update_entry(&mut tx, eid, &moved).await?;
                    insert_move(
                        &mut tx,
                        eid,
                        kind,
                        Some(current),
                        Some(stage_id),
                        &on,
                        &evidence,
                        actor.user_id,
                    )
                    .await?;
                    by_firm.insert(firm, (eid, stage_id, to.as_str().into()));
                    if kind == MoveKind::Reenter {
                        done.reentered += 1;
                    } else {
                        done.advanced += 1;
                    }
                }
            }
        }
        sqlx::query(
            "UPDATE cultivation_imports SET status = 'applied', decided_at = $1 WHERE id = $2",
        )
        .bind(crate::now())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let audit = AuditEntry::new(actor, "cultivation.import_apply", "cultivation_import", id)
            .before(serde_json::json!({ "pipeline": p.code, "file": import.file_name }))
            .after(&done);
        commit_audited(tx, audit).await?;
        Ok(done)
    }
}
