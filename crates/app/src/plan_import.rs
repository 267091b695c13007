//! A plan document becomes a draft: parse it against the registry in the database, suggest what
//! a reviewer would otherwise type (indicator kinds, responsible units of the goal targets), and
//! store it for review.

use crate::AppError;
use qx_core::access::Actor;
use qx_core::indicator::{IndicatorKind, TargetLevel};
use qx_core::units::TaskRole;
use qx_plan::{ParsedPlan, UnitDirectory};
use qx_store::Store;
use qx_store::plans::{DraftItem, DraftTarget, DraftUnit, NewPlanDraft, PlanMeta};
use std::collections::HashMap;

/// The registry as the parser resolves names against it.
pub async fn unit_directory(store: &Store) -> Result<UnitDirectory, AppError> {
    let units = store.list_units().await?;
    let mut aliases: HashMap<i64, Vec<String>> = HashMap::new();
    for (alias, id) in store.all_unit_aliases().await? {
        aliases.entry(id).or_default().push(alias);
    }
    Ok(UnitDirectory::from_entries(units.into_iter().map(|u| {
        let mut names = aliases.remove(&u.id).unwrap_or_default();
        names.push(u.full_name);
        (u.name, names)
    })))
}

/// The result of an import: the new draft and what the reviewer should look at first.
#[derive(Debug, Clone)]
pub struct Imported {
    pub plan_id: i64,
    pub items: usize,
    pub targets: usize,
    pub warnings: Vec<String>,
}

/// Parses `bytes` and stores the result as a draft plan (office only).
pub async fn import_document(
    store: &Store,
    actor: &Actor,
    bytes: &[u8],
    file_name: &str,
) -> Result<Imported, AppError> {
    let dir = unit_directory(store).await?;
    let parsed = qx_plan::parse_bytes(bytes, file_name, &dir)?;
    let draft = draft_from_parsed(store, &parsed, file_name).await?;
    if draft.items.is_empty() {
        return Err(AppError::Invalid(format!(
            "{file_name}: 没有找到编号条目 (一、(一)1.(1)…), 不像是一份工作方案 (no numbered items found)"
        )));
    }
    let plan_id = store.create_plan_draft(actor, &draft).await?;
    Ok(Imported {
        plan_id,
        items: draft.items.len(),
        targets: draft.targets.len(),
        warnings: parsed
            .warnings
            .iter()
            .map(|w| match w.line {
                Some(l) => format!("第{l}行: {}", w.message),
                None => w.message.clone(),
            })
            .collect(),
    })
}

/// How far a draft's parse can be trusted and the lines the parser could not place: the
/// draft's stored source lines (`source_text`, as [`qx_plan::ParsedPlan::lines`]) read again
/// against today's registry, so the review page needs nothing stored beside the draft.
pub async fn draft_review(
    store: &Store,
    source_text: &str,
    source_format: &str,
) -> Result<qx_plan::Review, AppError> {
    let dir = unit_directory(store).await?;
    Ok(qx_plan::parse_extracted(source_text, source_format, &dir).review)
}

/// Turns a parse into a draft, resolving unit names to registry ids.
pub async fn draft_from_parsed(
    store: &Store,
    parsed: &ParsedPlan,
    file_name: &str,
) -> Result<NewPlanDraft, AppError> {
    let mut ids: HashMap<String, Option<i64>> = HashMap::new();
    let mut resolve = async |name: &str| -> Result<Option<i64>, AppError> {
        if let Some(id) = ids.get(name) {
            return Ok(*id);
        }
        let id = store.resolve_unit(name).await?.map(|u| u.id);
        ids.insert(name.to_string(), id);
        Ok(id)
    };
    let mut items = Vec::with_capacity(parsed.items.len());
    for item in &parsed.items {
        let mut units = Vec::new();
        // Lead units first. Where the document does not distinguish, the first named unit
        // leads (the usual "排在首位的为牵头单位" convention) and the rest support.
        let explicit = !item.lead_units.is_empty() || !item.support_units.is_empty();
        let ordered: Vec<(&String, TaskRole)> = if explicit {
            item.lead_units
                .iter()
                .map(|u| (u, TaskRole::Lead))
                .chain(item.support_units.iter().map(|u| (u, TaskRole::Support)))
                .chain(
                    item.units
                        .iter()
                        .filter(|u| !item.lead_units.contains(u) && !item.support_units.contains(u))
                        .map(|u| (u, TaskRole::Support)),
                )
                .collect()
        } else {
            item.units
                .iter()
                .enumerate()
                .map(|(i, u)| {
                    let role = if i == 0 {
                        TaskRole::Lead
                    } else {
                        TaskRole::Support
                    };
                    (u, role)
                })
                .collect()
        };
        for (name, role) in ordered {
            units.push(DraftUnit {
                name: name.clone(),
                unit_id: resolve(name).await?,
                role,
            });
        }
        items.push(DraftItem {
            number: item.number.clone(),
            depth: item.depth as i64,
            heading: item.heading.clone(),
            text: item.text.clone(),
            deadline: item.deadline.clone().unwrap_or_default(),
            line_first: item.lines.first as i64,
            line_last: item.lines.last as i64,
            units,
        });
    }
    let units_of: HashMap<&str, i64> = items
        .iter()
        .filter_map(|i| {
            i.units
                .iter()
                .find(|u| u.role == TaskRole::Lead)
                .and_then(|u| u.unit_id)
                .map(|id| (i.number.as_str(), id))
        })
        .collect();
    let mut targets = Vec::new();
    for (level, list) in [
        (TargetLevel::Plan, &parsed.targets),
        (TargetLevel::Task, &parsed.task_indicators),
    ] {
        for t in list {
            let section = t.section.clone().unwrap_or_default();
            let comparator = t.comparator.as_str();
            // The name carries the subject a clause may leave out ("…增速不低于8%，力争达到9%").
            let wording = format!("{} {}", t.name, t.text);
            let unit_id = match level {
                TargetLevel::Task => units_of.get(section.as_str()).copied(),
                _ => match suggested_unit(&wording) {
                    Some(name) => resolve(name).await?,
                    None => None,
                },
            };
            targets.push(DraftTarget {
                level,
                section,
                text: t.text.clone(),
                name: t.name.clone(),
                value: plain(t.value),
                value_max: t.max.map(plain),
                unit: t.unit.clone(),
                comparator: comparator.into(),
                kind: IndicatorKind::infer(&wording, &t.unit, comparator)
                    .as_str()
                    .into(),
                unit_id,
                // Goal targets are tracked by default; task quantities are offered, not imposed.
                included: level == TargetLevel::Plan,
                line: t.source.line as i64,
            });
        }
    }
    let year = parsed.year.map_or_else(current_year, i64::from);
    Ok(NewPlanDraft {
        meta: PlanMeta {
            year,
            title: parsed
                .title
                .clone()
                .unwrap_or_else(|| file_name.to_string()),
            doc_number: parsed.doc_number.clone().unwrap_or_default(),
            issuer: parsed.issuer.clone().unwrap_or_default(),
            issued_on: parsed.date.clone(),
        },
        source_name: file_name.to_string(),
        source_format: parsed.source_format.clone(),
        source_text: parsed.lines.join("\n"),
        items,
        targets,
    })
}

/// The year a plan without one is filed under: this year in China time, on the demo clock.
pub(crate) fn current_year() -> i64 {
    i64::from(qx_core::time::today().year())
}

/// Formats a parsed number without float noise (0.75, 28.5, 8000).
pub fn plain(v: f64) -> String {
    let s = format!("{v:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s.is_empty() || s == "-" {
        "0".into()
    } else {
        s.to_string()
    }
}

/// Which department usually answers for a goal target, from its wording. The office confirms
/// it on the review page; a suggestion naming a unit the registry lacks is dropped.
pub fn suggested_unit(text: &str) -> Option<&'static str> {
    const RULES: &[(&[&str], &str)] = &[
        (&["难题", "解决率", "开工率"], "县经信局"),
        (
            &[
                "外资",
                "内资",
                "招商",
                "签约",
                "注册项目",
                "动建",
                "投产",
                "亿元以上项目",
                "浙商",
            ],
            "县招商局",
        ),
        (
            &[
                "高新技术",
                "科技型",
                "专利",
                "孵化器",
                "加速器",
                "初创",
                "工程(技术)中心",
                "研究院",
                "科技金融",
            ],
            "县科技局",
        ),
        (
            &["151", "工程师", "博士后", "专家", "人才", "工匠", "技能"],
            "县人社局",
        ),
        (
            &[
                "产值",
                "增加值",
                "工业投资",
                "技改",
                "规下企业",
                "规模以上企业",
                "亿元企业",
                "节能",
            ],
            "县经信局",
        ),
    ];
    RULES
        .iter()
        .find(|(words, _)| words.iter().any(|w| text.contains(w)))
        .map(|(_, unit)| *unit)
}
