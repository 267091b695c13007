//! The 招商 funnel: 线索 → 签约 → 注册 → 开工 → 投产, counted and converted by a dimension (year,
//! responsible unit for 招商考核, town, industry), with the median days between stages.
//!
//! A project counts at every stage it reached (the stages' actual dates; a halted project keeps
//! the stages it reached before it was halted, and is counted apart as 中止). A lead counts in
//! its group (its year, its follow-up unit, its industry; leads have no town); the 线索→签约 rate
//! is the share of the group's leads whose project reached 签约. Pure computation: the store
//! gathers the items within the reader's scope.

use serde::Serialize;
use time::Date;

/// The stages after 在谈 that the funnel counts, in order.
pub const STAGES: [super::Stage; 4] = [
    super::Stage::Signed,
    super::Stage::Registered,
    super::Stage::Started,
    super::Stage::Producing,
];

/// How the funnel is grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    Year,
    /// The responsible unit (a lead's follow-up unit): the 招商考核 view.
    Unit,
    Town,
    Industry,
}

impl Dimension {
    pub const ALL: [Dimension; 4] = [
        Dimension::Year,
        Dimension::Unit,
        Dimension::Town,
        Dimension::Industry,
    ];
}

impl crate::label::Labelled for Dimension {
    fn label(&self, lang: crate::label::Lang) -> &'static str {
        match self {
            Dimension::Year => lang.pick("按年度", "By year"),
            Dimension::Unit => lang.pick("按责任单位 (招商考核)", "By responsible unit"),
            Dimension::Town => lang.pick("按镇乡 (园区)", "By town or zone"),
            Dimension::Industry => lang.pick("按行业", "By industry"),
        }
    }
}

/// A project as the funnel sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct FunnelProject {
    pub year: i32,
    pub unit: String,
    pub town: String,
    pub industry: String,
    /// The day its lead was submitted, when it came from one.
    pub lead_on: Option<Date>,
    /// The actual dates of 签约, 注册, 开工, 投产 (`None`: not reached).
    pub reached: [Option<Date>; 4],
    pub halted: bool,
}

/// A lead as the funnel sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct FunnelLead {
    pub year: i32,
    /// The follow-up unit ("" before the office assigned one).
    pub unit: String,
    pub industry: String,
    /// Whether the project it became reached 签约.
    pub signed: bool,
}

/// One line of the funnel.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FunnelRow {
    /// The group: a year, a unit, a town or an industry ("" for projects without one).
    pub key: String,
    /// Leads in the group (`None` by town: a lead has no town).
    pub leads: Option<usize>,
    /// Projects that reached 签约, 注册, 开工, 投产.
    pub counts: [usize; 4],
    pub halted: usize,
    /// 线索→签约, 签约→注册, 注册→开工, 开工→投产 as a share (`None` when the earlier is 0).
    pub rates: [Option<f64>; 4],
    /// Median days of the same four steps (`None` without a project that took the step).
    pub median_days: [Option<i64>; 4],
}

fn key_of_project(p: &FunnelProject, dim: Dimension) -> String {
    match dim {
        Dimension::Year => p.year.to_string(),
        Dimension::Unit => p.unit.clone(),
        Dimension::Town => p.town.clone(),
        Dimension::Industry => p.industry.clone(),
    }
}

fn key_of_lead(l: &FunnelLead, dim: Dimension) -> Option<String> {
    match dim {
        Dimension::Year => Some(l.year.to_string()),
        Dimension::Unit => Some(l.unit.clone()),
        Dimension::Town => None,
        Dimension::Industry => Some(l.industry.clone()),
    }
}

/// The median of whole days (the lower middle for an even count, so it is a real project's).
pub fn median(mut days: Vec<i64>) -> Option<i64> {
    if days.is_empty() {
        return None;
    }
    days.sort_unstable();
    Some(days[(days.len() - 1) / 2])
}

fn rate(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

#[derive(Default)]
struct Acc {
    leads: usize,
    leads_signed: usize,
    counts: [usize; 4],
    halted: usize,
    gaps: [Vec<i64>; 4],
}

impl Acc {
    fn add(&mut self, p: &FunnelProject) {
        for (n, d) in p.reached.iter().enumerate() {
            if d.is_some() {
                self.counts[n] += 1;
            }
        }
        self.halted += usize::from(p.halted);
        let steps = [
            (p.lead_on, p.reached[0]),
            (p.reached[0], p.reached[1]),
            (p.reached[1], p.reached[2]),
            (p.reached[2], p.reached[3]),
        ];
        for (n, (from, to)) in steps.into_iter().enumerate() {
            if let (Some(from), Some(to)) = (from, to) {
                self.gaps[n].push((to - from).whole_days().max(0));
            }
        }
    }

    fn row(self, key: String, with_leads: bool) -> FunnelRow {
        let [a, b, c, d] = self.counts;
        FunnelRow {
            key,
            leads: with_leads.then_some(self.leads),
            counts: self.counts,
            halted: self.halted,
            rates: [
                if with_leads {
                    rate(self.leads_signed, self.leads)
                } else {
                    None
                },
                rate(b, a),
                rate(c, b),
                rate(d, c),
            ],
            median_days: self.gaps.map(median),
        }
    }
}

/// The funnel by `dim`: one row per group (years newest first, the others by projects signed,
/// most first, then by name), and the total row last.
pub fn funnel(
    projects: &[FunnelProject],
    leads: &[FunnelLead],
    dim: Dimension,
) -> (Vec<FunnelRow>, FunnelRow) {
    let mut groups: std::collections::BTreeMap<String, Acc> = Default::default();
    let mut total = Acc::default();
    for p in projects {
        groups.entry(key_of_project(p, dim)).or_default().add(p);
        total.add(p);
    }
    for l in leads {
        total.leads += 1;
        total.leads_signed += usize::from(l.signed);
        if let Some(key) = key_of_lead(l, dim) {
            let acc = groups.entry(key).or_default();
            acc.leads += 1;
            acc.leads_signed += usize::from(l.signed);
        }
    }
    let with_leads = dim != Dimension::Town;
    let mut rows: Vec<FunnelRow> = groups
        .into_iter()
        .map(|(k, acc)| acc.row(k, with_leads))
        .collect();
    match dim {
        Dimension::Year => rows.reverse(),
        _ => rows.sort_by(|a, b| b.counts[0].cmp(&a.counts[0]).then(a.key.cmp(&b.key))),
    }
    (rows, total.row(String::new(), with_leads))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn project(year: i32, town: &str, reached: [Option<Date>; 4]) -> FunnelProject {
        FunnelProject {
            year,
            unit: "县招商局".into(),
            town: town.into(),
            industry: "模具".into(),
            lead_on: None,
            reached,
            halted: false,
        }
    }

    #[test]
    fn counts_rates_and_medians_follow_the_stages_reached() {
        let s = Some(date!(2017 - 03 - 01));
        let projects = vec![
            FunnelProject {
                lead_on: Some(date!(2017 - 02 - 01)),
                ..project(2017, "石浦镇", [s, Some(date!(2017 - 04 - 01)), None, None])
            },
            project(
                2017,
                "石浦镇",
                [
                    s,
                    Some(date!(2017 - 03 - 11)),
                    Some(date!(2017 - 05 - 01)),
                    None,
                ],
            ),
            FunnelProject {
                halted: true,
                ..project(2017, "丹城镇", [s, Some(date!(2017 - 03 - 21)), None, None])
            },
            project(2017, "丹城镇", [None, None, None, None]),
            project(2016, "丹城镇", [s, None, None, None]),
        ];
        let leads = vec![
            FunnelLead {
                year: 2017,
                unit: "县招商局".into(),
                industry: "模具".into(),
                signed: true,
            },
            FunnelLead {
                year: 2017,
                unit: "".into(),
                industry: "模具".into(),
                signed: false,
            },
        ];
        let (rows, total) = funnel(&projects, &leads, Dimension::Year);
        assert_eq!(
            rows.iter().map(|r| r.key.as_str()).collect::<Vec<_>>(),
            ["2017", "2016"]
        );
        let y = &rows[0];
        assert_eq!(y.leads, Some(2));
        assert_eq!(y.counts, [3, 3, 1, 0]);
        assert_eq!(y.halted, 1);
        assert_eq!(y.rates[0], Some(0.5));
        assert_eq!(y.rates[1], Some(1.0));
        assert!((y.rates[2].unwrap() - 1.0 / 3.0).abs() < 1e-9);
        assert_eq!(y.rates[3], Some(0.0));
        // 签约→注册 took 31, 10 and 20 days: the median is 20.
        assert_eq!(y.median_days, [Some(28), Some(20), Some(51), None]);
        assert_eq!(total.counts, [4, 3, 1, 0]);
        assert_eq!(total.leads, Some(2));

        let (towns, total) = funnel(&projects, &leads, Dimension::Town);
        assert_eq!(towns[0].key, "丹城镇", "two signed each: by name");
        assert_eq!(towns[0].leads, None, "leads have no town");
        assert_eq!(towns[0].rates[0], None);
        assert_eq!(total.leads, None);
        let (units, _) = funnel(&projects, &leads, Dimension::Unit);
        assert_eq!(units.len(), 2, "the unassigned lead has its own line");
    }

    #[test]
    fn the_median_is_a_real_value() {
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![5]), Some(5));
        assert_eq!(median(vec![9, 1, 5, 7]), Some(5));
    }
}
