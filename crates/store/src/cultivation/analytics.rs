//! The numbers of one pipeline (#17 analytics): how many entries stand at each stage, how many
//! reached it and went on (conversion), the median days spent at a stage before moving up,
//! entries and exits month by month over a year, and the same by town and by industry (大类).
//! Read from the dated moves, so a move typed in late counts on the day it says. Scoped as the
//! lists are: a town sees its own firms' entries and those of the pipelines it answers for.

use super::entry_scope;
use crate::enterprises::scoped;
use crate::{Result, Store, StoreError};
use qx_core::access::Actor;
use qx_core::cultivation::{Milestone, MoveKind};
use qx_core::time::parse_date;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// What the numbers cover; `None` and empty strings mean "any".
#[derive(Debug, Clone, Default)]
pub struct AnalyticsFilter {
    pub pipeline_id: i64,
    pub town_id: Option<i64>,
    /// Industry code prefix (大类 "34" or longer).
    pub industry: String,
    /// The year whose months are counted.
    pub year: i32,
}

/// One stage of the funnel.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct StageStat {
    pub stage_id: i64,
    pub name: String,
    /// Active entries standing at the stage now.
    pub standing: i64,
    /// Entries that ever reached the stage (or one after it).
    pub reached: i64,
    /// Of those, how many reached a later stage; `None` on the last stage.
    pub moved_on: Option<i64>,
    /// `moved_on ÷ reached`, percent, one decimal; `None` when nobody reached the stage.
    pub conversion_pct: Option<f64>,
    /// Median days from arriving at the stage to moving up from it; `None` when nobody has.
    pub median_days: Option<i64>,
}

/// Entries and exits in one month (`month` 1–12).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MonthFlow {
    pub month: u8,
    pub entered: i64,
    pub exited: i64,
}

/// One town's or one industry's share.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct GroupStat {
    /// The town's name, or the industry 大类 (code and name); empty when unknown.
    pub key: String,
    pub standing: i64,
    pub entered: i64,
    pub exited: i64,
    /// Entries that reached the pipeline's last stage in the year.
    pub completed: i64,
}

impl GroupStat {
    fn new(key: &str) -> GroupStat {
        GroupStat {
            key: key.to_string(),
            standing: 0,
            entered: 0,
            exited: 0,
            completed: 0,
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Analytics {
    pub year: i32,
    pub stages: Vec<StageStat>,
    /// Twelve months, January first.
    pub months: Vec<MonthFlow>,
    pub by_town: Vec<GroupStat>,
    pub by_industry: Vec<GroupStat>,
}

impl Analytics {
    /// Entries and exits over the year.
    pub fn year_totals(&self) -> (i64, i64) {
        (
            self.months.iter().map(|m| m.entered).sum(),
            self.months.iter().map(|m| m.exited).sum(),
        )
    }
}

type MoveRow = (
    i64,
    String,
    Option<i64>,
    String,
    String,
    Option<String>,
    Option<i64>,
    String,
);

/// The bulletin's 企业培育 paragraph: county-wide, as the period's last day stood.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct YearSummary {
    /// Entries on a list at the end date.
    pub active: i64,
    /// Entered (or entered again) and left from 1 January to the end date.
    pub entered: i64,
    pub exited: i64,
    /// Milestones reached from 1 January to the end date, in the plan's order, with how many.
    pub reached: Vec<(Milestone, i64)>,
}

impl Store {
    /// The year's cultivation up to `to` (ISO date), county-wide (the bulletin is); `None` when
    /// the county keeps no library, so the bulletin says nothing rather than zeros. No actor:
    /// a county-wide aggregate for the office's documents and pictures, naming no entry.
    pub async fn cultivation_year_summary(&self, to: &str) -> Result<Option<YearSummary>> {
        if !self.has_cultivation_entries().await? {
            return Ok(None);
        }
        let from = format!("{}-01-01", to.get(..4).unwrap_or(""));
        let rows: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT entry_id, kind, on_date FROM cultivation_moves WHERE on_date <= $1 \
             ORDER BY entry_id, on_date, id",
        )
        .bind(to)
        .fetch_all(self.pool())
        .await?;
        let mut summary = YearSummary {
            active: 0,
            entered: 0,
            exited: 0,
            reached: Vec::new(),
        };
        let mut last: Option<(i64, bool)> = None;
        for (entry, kind, on) in &rows {
            let kind = MoveKind::parse(kind).ok();
            let in_year = on.as_str() >= from.as_str();
            match kind {
                Some(MoveKind::Enter | MoveKind::Reenter) if in_year => summary.entered += 1,
                Some(MoveKind::Exit) if in_year => summary.exited += 1,
                _ => {}
            }
            if let Some((id, on_list)) = last
                && id != *entry
            {
                summary.active += i64::from(on_list);
            }
            let on_list = match kind {
                Some(MoveKind::Exit) => false,
                Some(_) => true,
                None => last.is_some_and(|(id, l)| id == *entry && l),
            };
            last = Some((*entry, on_list));
        }
        if let Some((_, on_list)) = last {
            summary.active += i64::from(on_list);
        }
        let year: i32 = from[..4]
            .parse()
            .map_err(|_| StoreError::Invalid(format!("培育库: 日期有误 \"{to}\"")))?;
        let by_month = self.cultivation_reached_by_month(year, to).await?;
        for &m in Milestone::ALL {
            let n: i64 = by_month.get(&m).map_or(0, |months| months.iter().sum());
            if n > 0 {
                summary.reached.push((m, n));
            }
        }
        Ok(Some(summary))
    }

    /// One pipeline's analytics as `actor` may read them.
    pub async fn cultivation_analytics(
        &self,
        actor: &Actor,
        f: &AnalyticsFilter,
    ) -> Result<Analytics> {
        let pipeline = self.cultivation_pipeline(f.pipeline_id).await?;
        let rows: Vec<MoveRow> = scoped(
            sqlx::query_as(concat!(
                "SELECT m.entry_id, m.kind, m.to_stage_id, m.on_date, COALESCE(t.name, ''), e.industry_code, \
                 CASE WHEN ce.status = 'active' THEN ce.stage_id END, ce.status \
                 FROM cultivation_moves m JOIN cultivation_entries ce ON ce.id = m.entry_id \
                 JOIN cultivation_pipelines p ON p.id = ce.pipeline_id \
                 LEFT JOIN enterprises e ON e.id = ce.enterprise_id \
                 LEFT JOIN units t ON t.id = ce.town_id WHERE ",
                entry_scope!(),
                " AND ce.pipeline_id = $4 AND ($5 = -1 OR ce.town_id = $5) \
                 AND COALESCE(e.industry_code, '') LIKE $6 ORDER BY m.entry_id, m.on_date, m.id"
            )),
            actor,
        )
        .bind(f.pipeline_id)
        .bind(f.town_id.unwrap_or(-1))
        .bind(format!("{}%", f.industry.trim()))
        .fetch_all(self.pool())
        .await?;
        let position: HashMap<i64, usize> = pipeline
            .stages
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id, i))
            .collect();
        Ok(compute(&pipeline.stages, &position, f.year, rows))
    }
}

/// Per entry: the furthest stage reached, days spent at each stage left by moving up, and the
/// year's entries, exits and completions by month and by group.
fn compute(
    stages: &[super::Stage],
    position: &HashMap<i64, usize>,
    year: i32,
    rows: Vec<MoveRow>,
) -> Analytics {
    let n = stages.len();
    let last = n.saturating_sub(1);
    let mut reached = vec![0i64; n];
    let mut standing = vec![0i64; n];
    let mut days: Vec<Vec<i64>> = vec![Vec::new(); n];
    let mut months: Vec<MonthFlow> = (1..=12)
        .map(|month| MonthFlow {
            month,
            entered: 0,
            exited: 0,
        })
        .collect();
    let mut by_town: BTreeMap<String, GroupStat> = BTreeMap::new();
    let mut by_industry: BTreeMap<String, GroupStat> = BTreeMap::new();
    let mut i = 0;
    while i < rows.len() {
        let entry = rows[i].0;
        let mut j = i;
        while j < rows.len() && rows[j].0 == entry {
            j += 1;
        }
        let moves = &rows[i..j];
        let (_, _, _, _, town, industry, now_stage, _) = &moves[0];
        let industry = division_label(industry.as_deref().unwrap_or(""));
        let mut e = GroupStat::new("");
        if let Some(p) = now_stage.and_then(|s| position.get(&s)) {
            standing[*p] += 1;
            e.standing = 1;
        }
        let mut furthest: Option<usize> = None;
        let mut at: Option<(usize, time::Date)> = None;
        for (_, kind, to, on, ..) in moves {
            let date = parse_date(on);
            let in_year = date.is_some_and(|d| d.year() == year);
            let month = date.map(|d| u8::from(d.month()) as usize - 1);
            let kind = MoveKind::parse(kind).ok();
            let to = to.and_then(|s| position.get(&s).copied());
            match kind {
                Some(MoveKind::Enter | MoveKind::Reenter) => {
                    if in_year && let Some(m) = month {
                        months[m].entered += 1;
                        e.entered += 1;
                    }
                }
                Some(MoveKind::Exit) => {
                    if in_year && let Some(m) = month {
                        months[m].exited += 1;
                        e.exited += 1;
                    }
                }
                _ => {}
            }
            if let (Some(MoveKind::Advance), Some((from, since)), Some(t), Some(d)) =
                (kind, at, to, date)
                && t > from
            {
                days[from].push((d - since).whole_days());
            }
            if kind == Some(MoveKind::Exit) {
                at = None;
            } else if let (Some(t), Some(d)) = (to, date) {
                if t == last && n > 1 && in_year && furthest.is_none_or(|f| f < last) {
                    e.completed += 1;
                }
                furthest = Some(furthest.map_or(t, |f| f.max(t)));
                at = Some((t, d));
            }
        }
        if let Some(f) = furthest {
            for r in reached.iter_mut().take(f + 1) {
                *r += 1;
            }
        }
        for (map, key) in [(&mut by_town, town.as_str()), (&mut by_industry, &industry)] {
            let g = map
                .entry(key.to_string())
                .or_insert_with(|| GroupStat::new(key));
            g.standing += e.standing;
            g.entered += e.entered;
            g.exited += e.exited;
            g.completed += e.completed;
        }
        i = j;
    }
    let stages = stages
        .iter()
        .enumerate()
        .map(|(k, s)| {
            let moved_on = (k < last).then(|| reached[k + 1]);
            StageStat {
                stage_id: s.id,
                name: s.name.clone(),
                standing: standing[k],
                reached: reached[k],
                moved_on,
                conversion_pct: moved_on
                    .filter(|_| reached[k] > 0)
                    .map(|m| (m as f64 * 1000.0 / reached[k] as f64).round() / 10.0),
                median_days: median(&mut days[k]),
            }
        })
        .collect();
    let sorted = |m: BTreeMap<String, GroupStat>| {
        let mut v: Vec<GroupStat> = m.into_values().collect();
        v.sort_by(|a, b| {
            (b.standing + b.entered)
                .cmp(&(a.standing + a.entered))
                .then_with(|| a.key.cmp(&b.key))
        });
        v
    };
    Analytics {
        year,
        stages,
        months,
        by_town: sorted(by_town),
        by_industry: sorted(by_industry),
    }
}

/// The 大类 an industry code falls in, as a person reads it: "38 电气机械和器材制造业"; the bare
/// two digits when the code is not a manufacturing division; empty when there is none.
fn division_label(code: &str) -> String {
    match qx_core::codes::IndustryCode::parse(code) {
        Ok(c) => match c.division_name_zh() {
            Some(name) => format!("{:02} {name}", c.division_number()),
            None => format!("{:02}", c.division_number()),
        },
        Err(_) => code.chars().take(2).collect(),
    }
}

/// The median of whole days (the lower middle of an even count); `None` when empty.
fn median(v: &mut [i64]) -> Option<i64> {
    if v.is_empty() {
        return None;
    }
    v.sort_unstable();
    Some(v[(v.len() - 1) / 2])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stage(id: i64, name: &str) -> super::super::Stage {
        super::super::Stage {
            id,
            pipeline_id: 1,
            ordinal: id,
            name: name.into(),
            milestone: None,
            policy_text: String::new(),
            policy_amount_wan: None,
        }
    }

    fn mv(entry: i64, kind: &str, to: Option<i64>, on: &str, now: Option<i64>) -> MoveRow {
        (
            entry,
            kind.into(),
            to,
            on.into(),
            "石浦镇".into(),
            Some("3411".into()),
            now,
            if now.is_some() { "active" } else { "exited" }.into(),
        )
    }

    #[test]
    fn the_funnel_counts_reached_stages_conversion_and_median_days() {
        let stages = [
            stage(1, "培育对象"),
            stage(2, "达到规模标准"),
            stage(3, "纳入规上统计"),
        ];
        let position = HashMap::from([(1, 0), (2, 1), (3, 2)]);
        let rows = vec![
            // Entered in January, up in March (59 days), then straight to the end in May.
            mv(1, "enter", Some(1), "2017-01-01", Some(3)),
            mv(1, "advance", Some(2), "2017-03-01", Some(3)),
            mv(1, "advance", Some(3), "2017-05-10", Some(3)),
            // Entered in February, skipped to the last stage in April (a 59-day stay at 1).
            mv(2, "enter", Some(1), "2017-02-01", Some(3)),
            mv(2, "advance", Some(3), "2017-04-01", Some(3)),
            // Entered in 2016, left in June.
            mv(3, "enter", Some(1), "2016-06-01", None),
            mv(3, "exit", None, "2017-06-30", None),
        ];
        let a = compute(&stages, &position, 2017, rows);
        let reached: Vec<i64> = a.stages.iter().map(|s| s.reached).collect();
        assert_eq!(reached, [3, 2, 2]);
        assert_eq!(a.stages[0].conversion_pct, Some(66.7));
        assert_eq!(a.stages[1].conversion_pct, Some(100.0));
        assert_eq!(a.stages[2].conversion_pct, None);
        assert_eq!(a.stages[0].median_days, Some(59));
        assert_eq!(a.stages[1].median_days, Some(70));
        assert_eq!(a.stages[2].standing, 2);
        assert_eq!(a.months[0].entered, 1);
        assert_eq!(a.months[1].entered, 1);
        assert_eq!(a.months[5].exited, 1);
        assert_eq!(a.year_totals(), (2, 1));
        assert_eq!(a.by_town.len(), 1);
        assert_eq!(a.by_town[0].completed, 2);
        assert_eq!(a.by_industry[0].key, "34 通用设备制造业");
    }
}
