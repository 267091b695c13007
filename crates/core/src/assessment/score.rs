//! Scoring a class of units under a scheme, and ranking it. Pure: the same measures always
//! give the same breakdown, and every item keeps the figures and records it used.

use super::scheme::{Item, ItemKind, Method, Scheme, Source};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// The tie rule, printed with every ranking.
pub const TIE_RULE_ZH: &str =
    "得分相同的, 按平均提前报送天数排列; 仍相同的并列; 一票否决的单位排在其他单位之后";

/// One record behind a figure (an indicator, a task, a problem count…), for provenance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fact {
    /// What the record is, as "indicator:12", "task:3", "manual:5".
    pub record: String,
    pub label: String,
    /// Its own figure: 完成率, 1/0 on track, a rate, points.
    pub value: f64,
    /// What was expected by the period's end (序时进度), where that applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected: Option<f64>,
}

/// A unit's figure from one source as of the period's end.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Measure {
    /// The figure (a fraction for rates and shares, a number for counts and points);
    /// `None` when there is nothing to measure.
    pub value: Option<f64>,
    /// How many records the figure stands on (below an item's `min_count` it is averaged).
    pub count: u32,
    pub facts: Vec<Fact>,
}

impl Measure {
    /// A share of `facts` by their values (1 on track, 0 not; ½ for a late report).
    pub fn mean_of(facts: Vec<Fact>) -> Measure {
        let count = facts.len() as u32;
        let value =
            (count > 0).then(|| facts.iter().map(|f| f.value).sum::<f64>() / f64::from(count));
        Measure {
            value,
            count,
            facts,
        }
    }

    /// A count of `facts` (each counts 1).
    pub fn count_of(facts: Vec<Fact>) -> Measure {
        let count = facts.len() as u32;
        Measure {
            value: Some(f64::from(count)),
            count,
            facts,
        }
    }
}

/// Everything one unit is measured on.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UnitInputs {
    pub unit_id: i64,
    pub unit: String,
    pub measures: BTreeMap<Source, Measure>,
    /// Manual points by item (or veto) key.
    pub manual: BTreeMap<String, Measure>,
    /// Mean days its reports came in before the due dates (the tie-break); `None` if none.
    pub lead_days: Option<f64>,
}

impl UnitInputs {
    fn measure(&self, source: Source, key: &str) -> Option<&Measure> {
        if source == Source::Manual {
            self.manual.get(key)
        } else {
            self.measures.get(&source)
        }
    }
}

/// One item of a unit's breakdown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemScore {
    pub key: String,
    pub name: String,
    pub kind: ItemKind,
    pub weight: f64,
    pub source: Source,
    /// The figure the method used (for 序时进度, the capped mean ratio).
    pub figure: Option<f64>,
    pub count: u32,
    /// Points before rescaling (a deduction's points are positive and subtracted).
    pub points: f64,
    /// False when the unit has nothing under it (left out, weights rescaled).
    pub applicable: bool,
    /// Scored as the class average (fewer records than the item's minimum).
    pub class_average: bool,
    pub facts: Vec<Fact>,
}

/// A unit's result under a scheme.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitScore {
    pub unit_id: i64,
    pub unit: String,
    /// 综合得分; `None` when no core item applies to the unit.
    pub score: Option<f64>,
    pub items: Vec<ItemScore>,
    /// The 一票否决 condition that struck, by name.
    pub vetoed: Option<String>,
    pub lead_days: Option<f64>,
}

/// 完成率 ÷ 序时进度 capped at `ceiling` (an indicator due in full at once has share 1; a
/// share of 0 compares the completion itself).
pub fn pace_ratio(completion: f64, share: Option<f64>, ceiling: f64) -> f64 {
    let ratio = match share {
        Some(s) if s > 0.0 => completion / s,
        _ => completion,
    };
    ratio.clamp(0.0, ceiling)
}

/// Points of an item for one figure, except rank (which needs the class).
fn points(item: &Item, figure: f64) -> f64 {
    let w = item.weight;
    match item.method {
        Method::CompletionCapped { ceiling } => w * figure.clamp(0.0, ceiling),
        Method::PaceRatio { .. } => w * figure,
        Method::Threshold { pass } => {
            if figure >= pass {
                w
            } else {
                0.0
            }
        }
        Method::PerCount { points } => (figure * points).clamp(0.0, w),
        Method::Manual => figure.clamp(0.0, w),
        Method::Rank { .. } => 0.0,
    }
}

fn item_score(item: &Item, unit: &UnitInputs) -> ItemScore {
    let m = unit.measure(item.source, &item.key);
    let manual = item.source == Source::Manual;
    let (figure, count, facts) = match m {
        Some(m) => {
            let figure = match item.method {
                Method::PaceRatio { ceiling } if !m.facts.is_empty() => Some(
                    m.facts
                        .iter()
                        .map(|f| pace_ratio(f.value, f.expected, ceiling))
                        .sum::<f64>()
                        / m.facts.len() as f64,
                ),
                Method::PaceRatio { .. } => None,
                _ => m.value,
            };
            (figure, m.count, m.facts.clone())
        }
        None if manual => (Some(0.0), 0, Vec::new()),
        None => (None, 0, Vec::new()),
    };
    // Manual points with no entry are 0, not "not applicable".
    let applicable = figure.is_some() && (manual || count > 0);
    let class_average = applicable && !manual && count < item.min_count;
    ItemScore {
        key: item.key.clone(),
        name: item.name.clone(),
        kind: item.kind,
        weight: item.weight,
        source: item.source,
        figure,
        count,
        points: match figure {
            Some(f) if applicable && !class_average => points(item, f),
            _ => 0.0,
        },
        applicable,
        class_average,
        facts,
    }
}

/// Scores every unit of a class under `scheme` (the units are the ranking group: rank-based
/// items and class averages are taken over them).
pub fn score_class(scheme: &Scheme, units: &[UnitInputs]) -> Vec<UnitScore> {
    let mut rows: Vec<Vec<ItemScore>> = units
        .iter()
        .map(|u| scheme.items.iter().map(|i| item_score(i, u)).collect())
        .collect();
    for (n, item) in scheme.items.iter().enumerate() {
        let scored = |s: &ItemScore| s.applicable && !s.class_average;
        if let Method::Rank { step } = item.method {
            // First gets the weight, each place `step` less; equal figures share a place.
            let mut order: Vec<(usize, f64)> = rows
                .iter()
                .enumerate()
                .filter(|(_, r)| scored(&r[n]))
                .filter_map(|(u, r)| r[n].figure.map(|f| (u, f)))
                .collect();
            order.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            let mut place = 0usize;
            for (i, &(u, f)) in order.iter().enumerate() {
                if i == 0 || order[i - 1].1 != f {
                    place = i;
                }
                rows[u][n].points = (item.weight - step * place as f64).max(0.0);
            }
        }
        let (sum, k) = rows
            .iter()
            .filter(|r| scored(&r[n]))
            .fold((0.0, 0u32), |(s, k), r| (s + r[n].points, k + 1));
        for r in rows.iter_mut() {
            if r[n].class_average {
                if k > 0 {
                    r[n].points = sum / f64::from(k);
                } else {
                    // Nobody in the class reaches the minimum: the item is left out.
                    r[n].applicable = false;
                    r[n].class_average = false;
                }
            }
        }
    }
    units
        .iter()
        .zip(rows)
        .map(|(u, items)| {
            let score = scheme.total(
                items
                    .iter()
                    .map(|i| (i.kind, i.applicable, i.weight, i.points)),
            );
            let vetoed = scheme
                .vetoes
                .iter()
                .find(|v| {
                    u.measure(v.source, &v.key)
                        .and_then(|m| m.value)
                        .is_some_and(|x| x >= v.at_least)
                })
                .map(|v| v.name.clone());
            UnitScore {
                unit_id: u.unit_id,
                unit: u.unit.clone(),
                score,
                items,
                vetoed,
                lead_days: u.lead_days,
            }
        })
        .collect()
}

fn cap(v: f64, cap: Option<f64>) -> f64 {
    cap.map_or(v, |c| v.min(c))
}

impl Scheme {
    /// 综合得分 from a unit's items as (kind, applicable, weight, points): the base, plus the
    /// core points (rescaled to the core total over the applicable weights when the scheme
    /// says so), plus the capped bonuses, minus the capped deductions. `None` when no core
    /// item applies. The one place a total is made (scoring, and again after an adjustment).
    pub fn total(&self, items: impl Iterator<Item = (ItemKind, bool, f64, f64)>) -> Option<f64> {
        let (mut applicable, mut raw, mut bonus, mut deduction) = (0.0, 0.0, 0.0, 0.0);
        for (kind, counted, weight, points) in items {
            if !counted {
                continue;
            }
            match kind {
                ItemKind::Core => {
                    applicable += weight;
                    raw += points;
                }
                ItemKind::Bonus => bonus += points,
                ItemKind::Deduction => deduction += points,
            }
        }
        (applicable > 0.0).then(|| {
            let core = if self.rescale_missing {
                raw / applicable * self.core_total()
            } else {
                raw
            };
            self.base + core + cap(bonus, self.bonus_cap) - cap(deduction, self.deduction_cap)
        })
    }
}

/// A unit's place in its class.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Placed {
    pub place: u32,
    pub unit_id: i64,
    pub unit: String,
    /// 综合得分 to 0.1, as printed and compared.
    pub score: f64,
    /// Mean days early to 0.1, as printed and compared.
    pub lead_days: Option<f64>,
    pub vetoed: Option<String>,
    /// Previous place minus this one (↑ when positive); `None` when it had none.
    pub change: Option<i32>,
}

fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// Ranks a class by [`TIE_RULE_ZH`]: units without a score are left out; vetoed units come
/// last; higher score first, then earlier reports; units equal on all share a place
/// (1, 2, 2, 4). `previous` maps unit id → its place last period.
pub fn rank(scores: &[UnitScore], previous: &HashMap<i64, u32>) -> Vec<Placed> {
    let mut scored: Vec<(&UnitScore, f64, Option<f64>)> = scores
        .iter()
        .filter_map(|u| u.score.map(|s| (u, round1(s), u.lead_days.map(round1))))
        .collect();
    let early = |d: Option<f64>| d.unwrap_or(f64::NEG_INFINITY);
    scored.sort_by(|a, b| {
        a.0.vetoed
            .is_some()
            .cmp(&b.0.vetoed.is_some())
            .then_with(|| b.1.total_cmp(&a.1))
            .then_with(|| early(b.2).total_cmp(&early(a.2)))
            .then_with(|| a.0.unit_id.cmp(&b.0.unit_id))
    });
    let mut out: Vec<Placed> = Vec::with_capacity(scored.len());
    for (i, (u, score, lead_days)) in scored.into_iter().enumerate() {
        let place = match out.last() {
            Some(p)
                if p.score == score
                    && p.lead_days == lead_days
                    && p.vetoed.is_some() == u.vetoed.is_some() =>
            {
                p.place
            }
            _ => i as u32 + 1,
        };
        out.push(Placed {
            place,
            unit_id: u.unit_id,
            unit: u.unit.clone(),
            score,
            lead_days,
            vetoed: u.vetoed.clone(),
            change: previous.get(&u.unit_id).map(|p| *p as i32 - place as i32),
        });
    }
    out
}

#[cfg(test)]
#[path = "score_tests.rs"]
mod tests;
