//! 答复率, 按时答复率, 解决率, 满意率: the rate cube for whole years and months, rows for partial
//! months, and the as-of and full-scan definitions the cube is checked against.

use super::*;
use qx_core::access::ScopeFilter;

/// Which problems a rate covers; `None` switches a filter off.
#[derive(Debug, Clone, Default)]
pub struct RateFilter {
    pub unit_id: Option<i64>,
    pub tier: Option<Tier>,
    pub category: Option<Category>,
    /// ISO dates bounding `submitted_on`, both included (a period: a month, quarter, year).
    pub from: Option<String>,
    pub to: Option<String>,
}

/// The rates overall and by each grouping, as [`Store::problem_rates_breakdown`] returns them.
#[derive(Debug, Clone, PartialEq)]
pub struct RateBreakdown {
    pub overall: Rates,
    pub by_unit: Vec<(String, Rates)>,
    pub by_tier: Vec<(String, Rates)>,
    pub by_category: Vec<(String, Rates)>,
}

/// One grouping's rows as callers get them: groups with problems only; units by id, the
/// unassigned ("" key) first; tiers and categories by code.
fn finish_group(group: RateGroup, cells: Vec<(String, RateCounts)>) -> Vec<(String, Rates)> {
    let mut out: Vec<(String, Rates)> = cells
        .into_iter()
        .filter(|(_, c)| c.total > 0)
        .map(|(key, c)| {
            let key = if group == RateGroup::Unit && key == "0" {
                String::new()
            } else {
                key
            };
            (key, Rates::from(c))
        })
        .collect();
    if group == RateGroup::Unit {
        out.sort_by_key(|(k, _)| k.parse::<i64>().ok());
    }
    out
}

/// Who reads which rates. The office and leaders every rate; a unit the county's totals (the
/// rates page shows every county-side reader the county's figures overall, by tier and by
/// category, which name no unit) and of the units only its own: a filter on another unit is
/// "not found", and a breakdown by unit holds its own line alone; an enterprise none.
fn rate_scope(actor: &Actor, f: &RateFilter) -> Result<ScopeFilter> {
    if actor.role == Role::Enterprise {
        return Err(StoreError::Forbidden(
            "企业不能查看难题办理率 (problem rates are the county side's)".into(),
        ));
    }
    let scope = actor.unit_filter();
    match f.unit_id {
        Some(unit) if !scope.admits(unit) => {
            Err(StoreError::NotFound(format!("单位 {unit} 的难题办理率")))
        }
        _ => Ok(scope),
    }
}

/// A breakdown by unit as `scope` may read it (the unassigned "" line is no unit's, so the
/// county side's only).
fn units_in(scope: ScopeFilter, lines: Vec<(String, Rates)>) -> Vec<(String, Rates)> {
    lines
        .into_iter()
        .filter(|(key, _)| {
            scope == ScopeFilter::All || key.parse::<i64>().is_ok_and(|u| scope.admits(u))
        })
        .collect()
}

/// What a rate table is broken down by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateGroup {
    Unit,
    Tier,
    Category,
}

/// 满意率's numerator as SQL: the rated problems whose verdict
/// [`Satisfaction::counts_as_satisfied`] (满意 and 基本满意). Every rate query here takes it from
/// this one place; the rate cube's triggers (migration 0007) spell it too, and
/// `the_satisfied_rule_is_one_rule` checks all of them against the Rust rule.
macro_rules! satisfied_sql {
    () => {
        "satisfaction IN ('satisfied', 'basic')"
    };
}

/// The rate counts except "overdue unanswered", per (lead unit or 0, tier, category), of
/// the problems submitted between $1 and $2 (partial months at the ends of a range).
macro_rules! cell_sums {
    () => {
        concat!(
            "COUNT(*), ",
            "CAST(COALESCE(SUM(CASE WHEN answered_on IS NOT NULL THEN 1 ELSE 0 END), 0) AS BIGINT), ",
            "CAST(COALESCE(SUM(CASE WHEN answered_on_time = 1 THEN 1 ELSE 0 END), 0) AS BIGINT), ",
            "CAST(COALESCE(SUM(CASE WHEN status = 'closed' THEN 1 ELSE 0 END), 0) AS BIGINT), ",
            "CAST(COALESCE(SUM(CASE WHEN status = 'closed' AND resolved = 1 THEN 1 ELSE 0 END), 0) AS BIGINT), ",
            "CAST(COALESCE(SUM(CASE WHEN satisfaction IS NOT NULL THEN 1 ELSE 0 END), 0) AS BIGINT), ",
            "CAST(COALESCE(SUM(CASE WHEN ", satisfied_sql!(), " THEN 1 ELSE 0 END), 0) AS BIGINT), ",
            "CAST(COALESCE(SUM(CASE WHEN answered_on IS NOT NULL THEN answer_workdays ELSE 0 END), 0) AS BIGINT), ",
            "CAST(COALESCE(SUM(CASE WHEN status = 'closed' THEN close_workdays ELSE 0 END), 0) AS BIGINT) "
        )
    };
}
/// The rate queries for one breakdown: `$key` is the group's key as text ('' overall),
/// `$group` its GROUP BY (empty overall). Each returns one row per group, so a call moves a
/// handful of rows whatever the table's size.
macro_rules! rate_sql {
    ($cell_key:literal, $cell_group:literal, $row_key:literal, $row_group:literal) => {
        RateSql {
            // Whole years $1..$2 and whole months $3..$4 and $5..$6 from the cube.
            cells: concat!(
                "SELECT ", $cell_key, ", CAST(COALESCE(SUM(total), 0) AS BIGINT), ",
                "CAST(COALESCE(SUM(answered), 0) AS BIGINT), CAST(COALESCE(SUM(answered_on_time), 0) AS BIGINT), ",
                "CAST(COALESCE(SUM(closed), 0) AS BIGINT), CAST(COALESCE(SUM(resolved), 0) AS BIGINT), ",
                "CAST(COALESCE(SUM(rated), 0) AS BIGINT), CAST(COALESCE(SUM(satisfied), 0) AS BIGINT), ",
                "CAST(COALESCE(SUM(answer_workdays), 0) AS BIGINT), CAST(COALESCE(SUM(close_workdays), 0) AS BIGINT) ",
                "FROM problem_rate_cells ",
                "WHERE ((grain = 'Y' AND period >= $1 AND period <= $2) OR (grain = 'M' AND period >= $3 AND period <= $4) ",
                "OR (grain = 'M' AND period >= $5 AND period <= $6)) ",
                "AND ($7 IS NULL OR lead_unit_id = $7) AND ($8 IS NULL OR tier = $8) AND ($9 IS NULL OR category = $9) ",
                $cell_group
            ),
            // The days $1..$2 of a partial month from `problems`.
            days: concat!(
                "SELECT ", $row_key, ", ",
                cell_sums!(),
                "FROM problems WHERE submitted_on >= $1 AND submitted_on <= $2 ",
                "AND ($3 IS NULL OR lead_unit_id = $3) AND ($4 IS NULL OR tier = $4) AND ($5 IS NULL OR category = $5) ",
                $row_group
            ),
            // Unanswered open problems past their answer deadline ($1 today), through the
            // partial index `problems_unanswered`.
            overdue: concat!(
                "SELECT ", $row_key, ", COUNT(*) FROM problems ",
                "WHERE answered_on IS NULL AND status NOT IN ('closed', 'withdrawn') AND answer_due < $1 ",
                "AND ($2 IS NULL OR lead_unit_id = $2) AND ($3 IS NULL OR tier = $3) AND ($4 IS NULL OR category = $4) ",
                "AND ($5 IS NULL OR submitted_on >= $5) AND ($6 IS NULL OR submitted_on <= $6) ",
                $row_group
            ),
            // The withdrawn problems submitted in the range ($4..$5), which the cube and the
            // days above count and the rates leave out; few, through `problems_status`.
            withdrawn: concat!(
                "SELECT ", $row_key, ", ",
                cell_sums!(),
                "FROM problems WHERE status = 'withdrawn' ",
                "AND ($1 IS NULL OR lead_unit_id = $1) AND ($2 IS NULL OR tier = $2) AND ($3 IS NULL OR category = $3) ",
                "AND ($4 IS NULL OR submitted_on >= $4) AND ($5 IS NULL OR submitted_on <= $5) ",
                $row_group
            ),
        }
    };
}

struct RateSql {
    cells: &'static str,
    days: &'static str,
    overdue: &'static str,
    withdrawn: &'static str,
}

const RATE_SQL_OVERALL: RateSql = rate_sql!("''", "", "''", "");
/// Unit keys are ids as text, "0" for unassigned. Over `problems` the groups are expressions
/// on purpose: grouping by a bare column lets SQLite walk a whole-table index in that order
/// (problems_tier, problems_lead) instead of the range the WHERE clause selects.
const RATE_SQL_BY_UNIT: RateSql = rate_sql!(
    "CAST(lead_unit_id AS TEXT)",
    "GROUP BY lead_unit_id",
    "CAST(COALESCE(lead_unit_id, 0) AS TEXT)",
    "GROUP BY COALESCE(lead_unit_id, 0)"
);
const RATE_SQL_BY_TIER: RateSql =
    rate_sql!("tier", "GROUP BY tier", "tier || ''", "GROUP BY tier || ''");
/// Unit, tier and category at once (key `unit|tier|category`), for [`RateBreakdown`].
const RATE_SQL_BY_ALL: RateSql = rate_sql!(
    "CAST(lead_unit_id AS TEXT) || '|' || tier || '|' || category",
    "GROUP BY lead_unit_id, tier, category",
    "CAST(COALESCE(lead_unit_id, 0) AS TEXT) || '|' || tier || '|' || category",
    "GROUP BY CAST(COALESCE(lead_unit_id, 0) AS TEXT) || '|' || tier || '|' || category"
);
const RATE_SQL_BY_CATEGORY: RateSql = rate_sql!(
    "category",
    "GROUP BY category",
    "category || ''",
    "GROUP BY category || ''"
);
/// A withdrawn problem (the enterprise took it back before the office accepted it) is not the
/// county's to answer: no rate or total counts it. The rate cube's triggers (migration 0007)
/// count every problem, so [`Store::rate_cells`] takes the withdrawn ones back out; the scans
/// below skip them.
///
/// The rate counts as they stood at the end of day $1 (a bulletin's period end): a problem
/// counts as answered, closed or rated only if that happened on or before $1, and as overdue
/// if its answer was due before $1 and it was neither answered nor closed by then. Dates are
/// ISO text on both engines, so they compare as strings. (A problem closed, then reopened
/// after $1 by 不满意重办, reads as open: `closed_on` holds only its latest closing.)
macro_rules! as_of_sums {
    () => {
        concat!(
            "COUNT(*), ",
            "CAST(COALESCE(SUM(CASE WHEN answered_on <= $1 THEN 1 ELSE 0 END), 0) AS BIGINT), ",
            "CAST(COALESCE(SUM(CASE WHEN (answered_on IS NULL OR answered_on > $1) AND (closed_on IS NULL OR closed_on > $1) AND answer_due < $1 THEN 1 ELSE 0 END), 0) AS BIGINT), ",
            "CAST(COALESCE(SUM(CASE WHEN answered_on_time = 1 AND answered_on <= $1 THEN 1 ELSE 0 END), 0) AS BIGINT), ",
            "CAST(COALESCE(SUM(CASE WHEN status = 'closed' AND closed_on <= $1 THEN 1 ELSE 0 END), 0) AS BIGINT), ",
            "CAST(COALESCE(SUM(CASE WHEN status = 'closed' AND closed_on <= $1 AND resolved = 1 THEN 1 ELSE 0 END), 0) AS BIGINT), ",
            "CAST(COALESCE(SUM(CASE WHEN satisfaction IS NOT NULL AND closed_on <= $1 THEN 1 ELSE 0 END), 0) AS BIGINT), ",
            "CAST(COALESCE(SUM(CASE WHEN ",
            satisfied_sql!(),
            " AND closed_on <= $1 THEN 1 ELSE 0 END), 0) AS BIGINT), ",
            "CAST(COALESCE(SUM(CASE WHEN answered_on <= $1 THEN answer_workdays ELSE 0 END), 0) AS BIGINT), ",
            "CAST(COALESCE(SUM(CASE WHEN status = 'closed' AND closed_on <= $1 THEN close_workdays ELSE 0 END), 0) AS BIGINT) ",
            "FROM problems WHERE submitted_on <= $1 AND status <> 'withdrawn' AND ($2 IS NULL OR lead_unit_id = $2) AND ($3 IS NULL OR tier = $3) ",
            "AND ($4 IS NULL OR category = $4) AND ($5 IS NULL OR submitted_on >= $5) AND ($6 IS NULL OR submitted_on <= $6)"
        )
    };
}
const RATES_AS_OF_SQL: &str = concat!("SELECT ", as_of_sums!());
/// [`RATES_AS_OF_SQL`] per lead unit (problems not yet routed left out), in one statement.
const RATES_AS_OF_BY_UNIT_SQL: &str = concat!(
    "SELECT lead_unit_id, ",
    as_of_sums!(),
    " AND lead_unit_id IS NOT NULL GROUP BY lead_unit_id"
);
/// Every rate count in one pass over every row: the definition the cube is checked against.
const RATES_SCAN_SQL: &str = concat!(
    "SELECT COUNT(*), ",
    "CAST(COALESCE(SUM(CASE WHEN answered_on IS NOT NULL THEN 1 ELSE 0 END), 0) AS BIGINT), ",
    "CAST(COALESCE(SUM(CASE WHEN answered_on IS NULL AND status NOT IN ('closed', 'withdrawn') AND answer_due < $1 THEN 1 ELSE 0 END), 0) AS BIGINT), ",
    "CAST(COALESCE(SUM(CASE WHEN answered_on_time = 1 THEN 1 ELSE 0 END), 0) AS BIGINT), ",
    "CAST(COALESCE(SUM(CASE WHEN status = 'closed' THEN 1 ELSE 0 END), 0) AS BIGINT), ",
    "CAST(COALESCE(SUM(CASE WHEN status = 'closed' AND resolved = 1 THEN 1 ELSE 0 END), 0) AS BIGINT), ",
    "CAST(COALESCE(SUM(CASE WHEN satisfaction IS NOT NULL THEN 1 ELSE 0 END), 0) AS BIGINT), ",
    "CAST(COALESCE(SUM(CASE WHEN ",
    satisfied_sql!(),
    " THEN 1 ELSE 0 END), 0) AS BIGINT), ",
    "CAST(COALESCE(SUM(CASE WHEN answered_on IS NOT NULL THEN answer_workdays ELSE 0 END), 0) AS BIGINT), ",
    "CAST(COALESCE(SUM(CASE WHEN status = 'closed' THEN close_workdays ELSE 0 END), 0) AS BIGINT) ",
    "FROM problems WHERE status <> 'withdrawn' AND ($2 IS NULL OR lead_unit_id = $2) AND ($3 IS NULL OR tier = $3) ",
    "AND ($4 IS NULL OR category = $4) AND ($5 IS NULL OR submitted_on >= $5) AND ($6 IS NULL OR submitted_on <= $6)"
);

type CountTuple = (i64, i64, i64, i64, i64, i64, i64, i64, i64, i64);
/// A group's key and the counts of `cell_sums!`.
type CellTuple = (String, i64, i64, i64, i64, i64, i64, i64, i64, i64);

/// A rate filter's date range split into whole years and whole months (read from the rate
/// cube) and the days of partial months at its ends (read from `problems`).
#[derive(Debug, Clone, PartialEq, Eq)]
struct RangePlan {
    /// 'YYYY' bounds, both included.
    years: Option<(String, String)>,
    /// 'YYYY-MM' bounds, both included; at most two ranges.
    months: Vec<(String, String)>,
    /// ISO date bounds, both included; at most two ranges.
    days: Vec<(String, String)>,
}

/// Month number (year × 12 + month − 1) and back.
fn month_index(d: Date) -> i32 {
    d.year() * 12 + i32::from(u8::from(d.month())) - 1
}

fn month_text(m: i32) -> String {
    format!("{:04}-{:02}", m.div_euclid(12), m.rem_euclid(12) + 1)
}

fn month_first(m: i32) -> Option<Date> {
    let month = time::Month::try_from(u8::try_from(m.rem_euclid(12) + 1).ok()?).ok()?;
    Date::from_calendar_date(m.div_euclid(12), month, 1).ok()
}

fn month_last(m: i32) -> Option<Date> {
    month_first(m + 1)?.previous_day()
}

impl RangePlan {
    fn of(from: Option<&str>, to: Option<&str>) -> RangePlan {
        let (pf, pt) = (from.map(parse_iso), to.map(parse_iso));
        match (pf, pt) {
            (Some(None), _) | (_, Some(None)) => RangePlan::raw(from, to),
            (pf, pt) => RangePlan::split(pf.flatten(), pt.flatten())
                .unwrap_or_else(|| RangePlan::raw(from, to)),
        }
    }

    /// Everything from `problems` (a bound that is not a date compares as text, as before).
    fn raw(from: Option<&str>, to: Option<&str>) -> RangePlan {
        RangePlan {
            years: None,
            months: Vec::new(),
            days: vec![(
                from.unwrap_or("0000-00-00").to_string(),
                to.unwrap_or("9999-99-99").to_string(),
            )],
        }
    }

    fn split(from: Option<Date>, to: Option<Date>) -> Option<RangePlan> {
        let mut plan = RangePlan {
            years: None,
            months: Vec::new(),
            days: Vec::new(),
        };
        if let (Some(f), Some(t)) = (from, to)
            && f > t
        {
            return Some(plan);
        }
        // Whole months lo_m..=hi_m (None: unbounded) after cutting off partial end months.
        let mut lo_m = from.map(month_index);
        let mut hi_m = to.map(month_index);
        if let Some(f) = from
            && f.day() != 1
        {
            let end = month_last(month_index(f))?;
            let end = to.map_or(end, |t| t.min(end));
            plan.days.push((iso(f), iso(end)));
            lo_m = Some(month_index(f) + 1);
        }
        if let Some(t) = to
            && Some(t) != month_last(month_index(t))
        {
            let m = month_index(t);
            if lo_m.is_none_or(|l| m >= l) {
                plan.days.push((iso(month_first(m)?), iso(t)));
            }
            hi_m = Some(m - 1);
        }
        if let (Some(l), Some(h)) = (lo_m, hi_m)
            && l > h
        {
            return Some(plan);
        }
        // Whole years after cutting off partial end years.
        let mut lo_y = lo_m.map(|l| l.div_euclid(12));
        let mut hi_y = hi_m.map(|h| h.div_euclid(12));
        if let Some(l) = lo_m
            && l.rem_euclid(12) != 0
        {
            let year_end = l.div_euclid(12) * 12 + 11;
            plan.months.push((
                month_text(l),
                month_text(hi_m.map_or(year_end, |h| h.min(year_end))),
            ));
            lo_y = Some(l.div_euclid(12) + 1);
        }
        if let Some(h) = hi_m
            && h.rem_euclid(12) != 11
        {
            let year_start = h.div_euclid(12) * 12;
            if lo_m.is_none_or(|l| year_start > l || l.rem_euclid(12) == 0) {
                let start = lo_m.map_or(year_start, |l| l.max(year_start));
                plan.months.push((month_text(start), month_text(h)));
            }
            hi_y = Some(h.div_euclid(12) - 1);
        }
        if lo_y.zip(hi_y).is_none_or(|(l, h)| l <= h) {
            plan.years = Some((
                lo_y.map_or_else(|| "0000".to_string(), |y| format!("{y:04}")),
                hi_y.map_or_else(|| "9999".to_string(), |y| format!("{y:04}")),
            ));
        }
        Some(plan)
    }
}

fn add_counts(sum: &mut RateCounts, c: &RateCounts) {
    sum.total += c.total;
    sum.answered += c.answered;
    sum.overdue_unanswered += c.overdue_unanswered;
    sum.answered_on_time += c.answered_on_time;
    sum.closed += c.closed;
    sum.resolved += c.resolved;
    sum.rated += c.rated;
    sum.satisfied += c.satisfied;
    sum.answer_workdays += c.answer_workdays;
    sum.close_workdays += c.close_workdays;
}

fn sub_counts(sum: &mut RateCounts, c: &RateCounts) {
    sum.total -= c.total;
    sum.answered -= c.answered;
    sum.overdue_unanswered -= c.overdue_unanswered;
    sum.answered_on_time -= c.answered_on_time;
    sum.closed -= c.closed;
    sum.resolved -= c.resolved;
    sum.rated -= c.rated;
    sum.satisfied -= c.satisfied;
    sum.answer_workdays -= c.answer_workdays;
    sum.close_workdays -= c.close_workdays;
}

/// A row of `cell_sums!` (no overdue count) as counts.
fn cell_counts(r: &CellTuple) -> RateCounts {
    RateCounts {
        total: r.1,
        answered: r.2,
        overdue_unanswered: 0,
        answered_on_time: r.3,
        closed: r.4,
        resolved: r.5,
        rated: r.6,
        satisfied: r.7,
        answer_workdays: r.8,
        close_workdays: r.9,
    }
}

fn counts(t: CountTuple) -> RateCounts {
    RateCounts {
        total: t.0,
        answered: t.1,
        overdue_unanswered: t.2,
        answered_on_time: t.3,
        closed: t.4,
        resolved: t.5,
        rated: t.6,
        satisfied: t.7,
        answer_workdays: t.8,
        close_workdays: t.9,
    }
}

impl Store {
    /// 答复率, 按时答复率, 解决率, 满意率 and average working days over the problems the filter
    /// selects, as of `today` (which decides what is overdue). Scoped by [`rate_scope`]: a
    /// unit reads the county's and its own, never another unit's.
    ///
    /// Reads the rate cube (`problem_rate_cells`, kept by triggers) for whole years and
    /// months, `problems` for partial months at the ends of the range, and the unanswered
    /// open problems past their answer deadline through their own index.
    pub async fn problem_rates(&self, actor: &Actor, f: &RateFilter, today: Date) -> Result<Rates> {
        rate_scope(actor, f)?;
        let mut total = RateCounts::default();
        for c in self.rate_cells(&RATE_SQL_OVERALL, f, today).await?.values() {
            add_counts(&mut total, c);
        }
        Ok(Rates::from(total))
    }

    /// The same rates broken down by unit (key: unit id, "" for unassigned), tier or category;
    /// a unit's breakdown by unit is its own line only ([`rate_scope`]).
    pub async fn problem_rates_by(
        &self,
        actor: &Actor,
        group: RateGroup,
        f: &RateFilter,
        today: Date,
    ) -> Result<Vec<(String, Rates)>> {
        let sql = match group {
            RateGroup::Unit => &RATE_SQL_BY_UNIT,
            RateGroup::Tier => &RATE_SQL_BY_TIER,
            RateGroup::Category => &RATE_SQL_BY_CATEGORY,
        };
        let scope = rate_scope(actor, f)?;
        let cells = self.rate_cells(sql, f, today).await?;
        let lines = finish_group(group, cells.into_iter().collect());
        Ok(match group {
            RateGroup::Unit => units_in(scope, lines),
            RateGroup::Tier | RateGroup::Category => lines,
        })
    }

    /// The rates overall and by unit, tier and category (what the rates page shows), from
    /// one read of the cube grouped by all three, folded here: a quarter of the statements of
    /// [`Store::problem_rates`] plus three [`Store::problem_rates_by`], with the same results
    /// and the same scope.
    pub async fn problem_rates_breakdown(
        &self,
        actor: &Actor,
        f: &RateFilter,
        today: Date,
    ) -> Result<RateBreakdown> {
        let scope = rate_scope(actor, f)?;
        let mut overall = RateCounts::default();
        let mut groups: [BTreeMap<String, RateCounts>; 3] = Default::default();
        for (key, c) in self.rate_cells(&RATE_SQL_BY_ALL, f, today).await? {
            add_counts(&mut overall, &c);
            for (map, part) in groups.iter_mut().zip(key.splitn(3, '|')) {
                add_counts(map.entry(part.to_string()).or_default(), &c);
            }
        }
        let [units, tiers, categories] = groups;
        let list = |map: BTreeMap<String, RateCounts>, group: RateGroup| {
            finish_group(group, map.into_iter().collect())
        };
        Ok(RateBreakdown {
            overall: Rates::from(overall),
            by_unit: units_in(scope, list(units, RateGroup::Unit)),
            by_tier: list(tiers, RateGroup::Tier),
            by_category: list(categories, RateGroup::Category),
        })
    }

    /// The rates computed by scanning every problem, without the cube: the definition
    /// [`Store::problem_rates`] must agree with (tests and benches), in its scope.
    pub async fn problem_rates_scan(
        &self,
        actor: &Actor,
        f: &RateFilter,
        today: Date,
    ) -> Result<Rates> {
        rate_scope(actor, f)?;
        self.rates_in_one_scan(RATES_SCAN_SQL, f, today).await
    }

    /// The rates as they stood at the end of `as_of` (see [`RATES_AS_OF_SQL`]): what a
    /// bulletin for a past period and the plan's 难题答复率/解决率 for a past month report, so
    /// they read the same whenever they are built. One scan; for today's figures use
    /// [`Store::problem_rates`]. No actor: a county-wide aggregate for the office's documents
    /// (bulletins, the picture's indicators), never shown per reader.
    pub async fn problem_rates_as_of(&self, f: &RateFilter, as_of: Date) -> Result<Rates> {
        self.rates_in_one_scan(RATES_AS_OF_SQL, f, as_of).await
    }

    /// [`Store::problem_rates_as_of`] for every lead unit at once (one grouped statement): the
    /// units with a problem the filter selects, by id, each with its rates as they stood at the
    /// end of `as_of`. What 考核评价 reads for every unit of a run. No actor: the office's
    /// assessment inputs, whose results are read through the assessment's own scope.
    pub async fn problem_rates_as_of_by_unit(
        &self,
        f: &RateFilter,
        as_of: Date,
    ) -> Result<BTreeMap<i64, Rates>> {
        type UnitTuple = (i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64);
        let rows: Vec<UnitTuple> = sqlx::query_as(RATES_AS_OF_BY_UNIT_SQL)
            .bind(iso(as_of))
            .bind(f.unit_id)
            .bind(opt_str(f.tier, Tier::as_str))
            .bind(opt_str(f.category, Category::as_str))
            .bind(f.from.clone())
            .bind(f.to.clone())
            .fetch_all(self.pool())
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let t = (r.1, r.2, r.3, r.4, r.5, r.6, r.7, r.8, r.9, r.10);
                (r.0, Rates::from(counts(t)))
            })
            .collect())
    }

    /// Runs a one-row rate statement over `problems`: $1 the day, $2..$6 the filter.
    async fn rates_in_one_scan(
        &self,
        sql: &'static str,
        f: &RateFilter,
        day: Date,
    ) -> Result<Rates> {
        let t: CountTuple = sqlx::query_as(sql)
            .bind(iso(day))
            .bind(f.unit_id)
            .bind(opt_str(f.tier, Tier::as_str))
            .bind(opt_str(f.category, Category::as_str))
            .bind(f.from.clone())
            .bind(f.to.clone())
            .fetch_one(self.pool())
            .await?;
        Ok(Rates::from(counts(t)))
    }

    /// Drops a range bound that no problem lies beyond: "the last 75 days" ends today, after
    /// every submission, so its last month is read whole from the cube instead of row by row.
    /// Exact, since no row is outside the first and last submission dates.
    async fn trim_range<'a>(
        &self,
        from: Option<&'a str>,
        to: Option<&'a str>,
    ) -> Result<(Option<&'a str>, Option<&'a str>)> {
        if from.is_none() && to.is_none() {
            return Ok((None, None));
        }
        let (first, last): (Option<String>, Option<String>) = sqlx::query_as(
            "SELECT (SELECT MIN(submitted_on) FROM problems), (SELECT MAX(submitted_on) FROM problems)",
        )
        .fetch_one(self.pool())
        .await?;
        let is_date = |b: &str| parse_iso(b).is_some();
        let from = from.filter(|b| !(is_date(b) && first.as_deref().is_some_and(|m| *b <= m)));
        let to = to.filter(|b| !(is_date(b) && last.as_deref().is_some_and(|m| *b >= m)));
        Ok((from, to))
    }

    /// Rate counts per group of `sql` for the filter.
    async fn rate_cells(
        &self,
        sql: &RateSql,
        f: &RateFilter,
        today: Date,
    ) -> Result<BTreeMap<String, RateCounts>> {
        let (from, to) = self.trim_range(f.from.as_deref(), f.to.as_deref()).await?;
        let plan = RangePlan::of(from, to);
        let tier = opt_str(f.tier, Tier::as_str);
        let category = opt_str(f.category, Category::as_str);
        let mut out: BTreeMap<String, RateCounts> = BTreeMap::new();
        let mut merge = |rows: Vec<CellTuple>| {
            for r in rows {
                add_counts(out.entry(r.0.clone()).or_default(), &cell_counts(&r));
            }
        };
        let none = ("1".to_string(), "0".to_string());
        if plan.years.is_some() || !plan.months.is_empty() {
            let years = plan.years.clone().unwrap_or_else(|| none.clone());
            let m1 = plan.months.first().cloned().unwrap_or_else(|| none.clone());
            let m2 = plan.months.get(1).cloned().unwrap_or_else(|| none.clone());
            merge(
                sqlx::query_as(sql.cells)
                    .bind(years.0)
                    .bind(years.1)
                    .bind(m1.0)
                    .bind(m1.1)
                    .bind(m2.0)
                    .bind(m2.1)
                    .bind(f.unit_id)
                    .bind(tier.clone())
                    .bind(category.clone())
                    .fetch_all(self.pool())
                    .await?,
            );
        }
        for (from, to) in &plan.days {
            merge(
                sqlx::query_as(sql.days)
                    .bind(from)
                    .bind(to)
                    .bind(f.unit_id)
                    .bind(tier.clone())
                    .bind(category.clone())
                    .fetch_all(self.pool())
                    .await?,
            );
        }
        let withdrawn: Vec<CellTuple> = sqlx::query_as(sql.withdrawn)
            .bind(f.unit_id)
            .bind(tier.clone())
            .bind(category.clone())
            .bind(from)
            .bind(to)
            .fetch_all(self.pool())
            .await?;
        for r in &withdrawn {
            sub_counts(out.entry(r.0.clone()).or_default(), &cell_counts(r));
        }
        let overdue: Vec<(String, i64)> = sqlx::query_as(sql.overdue)
            .bind(iso(today))
            .bind(f.unit_id)
            .bind(tier)
            .bind(category)
            .bind(f.from.clone())
            .bind(f.to.clone())
            .fetch_all(self.pool())
            .await?;
        for (key, n) in overdue {
            out.entry(key).or_default().overdue_unanswered += n;
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sql_satisfied_rule_lists_the_codes_of_counts_as_satisfied() {
        let codes: Vec<String> = Satisfaction::ALL
            .iter()
            .filter(|s| s.counts_as_satisfied())
            .map(|s| format!("'{}'", s.as_str()))
            .collect();
        assert_eq!(
            satisfied_sql!(),
            format!("satisfaction IN ({})", codes.join(", "))
        );
    }
    use qx_core::units::UnitKind;
    use time::macros::date;

    /// Whether a plan's pieces count `d`: how many of them include it.
    fn coverage(plan: &RangePlan, d: Date) -> usize {
        let day = iso(d);
        let month = &day[..7];
        let year = &day[..4];
        let years = plan
            .years
            .iter()
            .filter(|(a, b)| a.as_str() <= year && year <= b.as_str())
            .count();
        let months = plan
            .months
            .iter()
            .filter(|(a, b)| a.as_str() <= month && month <= b.as_str())
            .count();
        let days = plan
            .days
            .iter()
            .filter(|(a, b)| a.as_str() <= day.as_str() && day.as_str() <= b.as_str())
            .count();
        years + months + days
    }

    #[test]
    fn a_date_range_splits_into_years_months_and_days_that_cover_it_once() {
        let span: Vec<Date> = std::iter::successors(Some(date!(2015 - 12 - 01)), |d| {
            d.next_day().filter(|n| *n <= date!(2019 - 02 - 28))
        })
        .collect();
        let bounds: Vec<Option<Date>> = [
            None,
            Some(date!(2016 - 01 - 01)),
            Some(date!(2016 - 01 - 31)),
            Some(date!(2016 - 02 - 29)),
            Some(date!(2016 - 03 - 15)),
            Some(date!(2016 - 12 - 01)),
            Some(date!(2016 - 12 - 31)),
            Some(date!(2017 - 01 - 01)),
            Some(date!(2017 - 06 - 30)),
            Some(date!(2017 - 07 - 02)),
            Some(date!(2018 - 11 - 30)),
            Some(date!(2018 - 12 - 31)),
            Some(date!(2019 - 01 - 17)),
        ]
        .into();
        for from in &bounds {
            for to in &bounds {
                let plan = RangePlan::split(*from, *to).unwrap();
                assert!(plan.months.len() <= 2 && plan.days.len() <= 2, "{plan:?}");
                for d in &span {
                    let inside = from.is_none_or(|f| f <= *d) && to.is_none_or(|t| *d <= t);
                    assert_eq!(
                        coverage(&plan, *d),
                        usize::from(inside),
                        "{from:?}..{to:?} on {d}: {plan:?}"
                    );
                }
            }
        }
        // Calendar periods read the cube only.
        let q = RangePlan::of(Some("2017-01-01"), Some("2017-03-31"));
        assert!(q.days.is_empty() && q.years.is_none(), "{q:?}");
        assert_eq!(q.months, vec![("2017-01".into(), "2017-03".into())]);
        let y = RangePlan::of(Some("2017-01-01"), Some("2017-12-31"));
        assert_eq!(y.years, Some(("2017".into(), "2017".into())));
        // A bound that is not a date falls back to reading rows, compared as text.
        let bad = RangePlan::of(Some("2017-13"), None);
        assert_eq!(bad.days, vec![("2017-13".into(), "9999-99-99".into())]);
    }

    #[tokio::test]
    async fn rates_as_of_a_date_count_only_what_had_happened_by_then() {
        for db in crate::testing::all().await.unwrap() {
            let s = &db.store;
            let town = unit(s, "石浦镇", UnitKind::Town).await;
            let mut tx = s.begin().await.unwrap();
            let ent = enterprise(&mut tx, "913302257995213595", "象山海天船舶", town).await;
            let cal = WorkCalendar::weekends_only();
            // (submitted, answered, closed): answered late in July; answered and closed in
            // June; submitted in July.
            let cases = [
                (
                    date!(2017 - 06 - 01),
                    date!(2017 - 07 - 05),
                    date!(2017 - 07 - 20),
                ),
                (
                    date!(2017 - 06 - 05),
                    date!(2017 - 06 - 08),
                    date!(2017 - 06 - 20),
                ),
                (
                    date!(2017 - 07 - 10),
                    date!(2017 - 07 - 11),
                    date!(2017 - 07 - 25),
                ),
            ];
            for (i, (submitted, answered, closed)) in cases.into_iter().enumerate() {
                let d = Deadlines::compute(&cal, submitted, submitted, TimeLimits::default(), 0)
                    .unwrap();
                let seed = ProblemSeed {
                    enterprise_id: ent,
                    category: Category::ALL[0],
                    title: format!("难题{i}"),
                    status: Status::Closed,
                    tier: Tier::ALL[0],
                    lead_unit_id: Some(town),
                    submitted_on: submitted,
                    deadlines: d,
                    outcome: Outcome {
                        answered_on: Some(answered),
                        closed_on: Some(closed),
                        resolved: Some(true),
                        satisfaction: Some(Satisfaction::ALL[0]),
                        answer_workdays: Some(cal.working_days_between(submitted, answered)),
                        close_workdays: Some(cal.working_days_between(submitted, closed)),
                    },
                };
                insert_problem_row(&mut tx, &seed).await.unwrap();
            }
            tx.commit().await.unwrap();
            let all = RateFilter::default();

            let june = s
                .problem_rates_as_of(&all, date!(2017 - 06 - 30))
                .await
                .unwrap();
            assert_eq!(june.counts.total, 2, "the July problem did not exist yet");
            assert_eq!(june.counts.answered, 1);
            assert_eq!(
                june.counts.overdue_unanswered, 1,
                "due early June, unanswered"
            );
            assert_eq!((june.counts.closed, june.counts.resolved), (1, 1));
            assert_eq!(june.counts.rated, 1);
            assert_eq!(june.answer_rate, Some(50.0));

            // Once everything has happened, as-of and today's figures agree.
            let later = date!(2017 - 12 - 31);
            let end = s.problem_rates_as_of(&all, later).await.unwrap();
            assert_eq!(
                end.counts,
                s.problem_rates(&Actor::system(), &all, later)
                    .await
                    .unwrap()
                    .counts
            );
            assert_eq!(
                (end.counts.total, end.counts.answered, end.counts.closed),
                (3, 3, 3)
            );
            assert_eq!(end.counts.overdue_unanswered, 0);
        }
    }

    #[tokio::test]
    async fn withdrawn_problems_count_in_no_rate_or_total() {
        for db in crate::testing::all().await.unwrap() {
            let s = &db.store;
            let town = unit(s, "石浦镇", UnitKind::Town).await;
            let mut tx = s.begin().await.unwrap();
            let ent = enterprise(&mut tx, "913302257995213595", "象山海天船舶", town).await;
            let cal = WorkCalendar::weekends_only();
            // One answered and one withdrawn problem on each of these days: whole years and
            // months of the ranges below come from the cube, their ends from the rows.
            let days = [
                date!(2016 - 05 - 10),
                date!(2017 - 02 - 14),
                date!(2017 - 03 - 01),
                date!(2017 - 03 - 20),
                date!(2017 - 11 - 30),
            ];
            for (i, submitted) in days.into_iter().enumerate() {
                let d = Deadlines::compute(&cal, submitted, submitted, TimeLimits::default(), 0)
                    .unwrap();
                let answered = cal.add_working_days(submitted, 2).unwrap();
                for status in [Status::Answered, Status::Withdrawn] {
                    let done = status == Status::Answered;
                    let seed = ProblemSeed {
                        enterprise_id: ent,
                        category: Category::ALL[i % Category::ALL.len()],
                        title: format!("难题{i}{}", status.as_str()),
                        status,
                        tier: Tier::ALL[i % Tier::ALL.len()],
                        lead_unit_id: (i % 2 == 0).then_some(town),
                        submitted_on: submitted,
                        deadlines: d,
                        outcome: Outcome {
                            answered_on: done.then_some(answered),
                            resolved: done.then_some(true),
                            answer_workdays: done.then_some(2),
                            ..Outcome::default()
                        },
                    };
                    insert_problem_row(&mut tx, &seed).await.unwrap();
                }
            }
            tx.commit().await.unwrap();
            let today = date!(2018 - 06 - 01);
            for (from, to, expected) in [
                (None, None, 5),
                (Some("2017-01-01"), Some("2017-12-31"), 4),
                (Some("2017-03-01"), Some("2017-03-31"), 2),
                (Some("2017-02-10"), Some("2017-11-30"), 4),
                (Some("2016-05-10"), Some("2017-03-10"), 3),
                (Some("2017-13"), None, 0),
            ] {
                let f = RateFilter {
                    from: from.map(str::to_string),
                    to: to.map(str::to_string),
                    ..Default::default()
                };
                let why = format!("{} {from:?}..{to:?}", db.name);
                let cube = s.problem_rates(&Actor::system(), &f, today).await.unwrap();
                assert_eq!(cube.counts.total, expected, "{why}");
                assert_eq!(cube.counts.answered, expected, "{why}");
                if expected > 0 {
                    assert_eq!(cube.answer_rate, Some(100.0), "{why}");
                }
                assert_eq!(cube.counts.overdue_unanswered, 0, "{why}");
                let scan = s
                    .problem_rates_scan(&Actor::system(), &f, today)
                    .await
                    .unwrap();
                assert_eq!(scan.counts, cube.counts, "{why}");
                let as_of = s.problem_rates_as_of(&f, today).await.unwrap();
                assert_eq!(as_of.counts, cube.counts, "{why}");
                let all = s
                    .problem_rates_breakdown(&Actor::system(), &f, today)
                    .await
                    .unwrap();
                assert_eq!(all.overall.counts, cube.counts, "{why}");
                for (group, parts) in [
                    (RateGroup::Unit, &all.by_unit),
                    (RateGroup::Tier, &all.by_tier),
                    (RateGroup::Category, &all.by_category),
                ] {
                    let total: i64 = parts.iter().map(|(_, r)| r.counts.total).sum();
                    assert_eq!(total, expected, "{why} {group:?}");
                    assert!(parts.iter().all(|(_, r)| r.answer_rate == Some(100.0)));
                    let by = s
                        .problem_rates_by(&Actor::system(), group, &f, today)
                        .await
                        .unwrap();
                    assert_eq!(&by, parts, "{why} {group:?}");
                }
            }
        }
    }

    #[tokio::test]
    async fn the_rate_cube_agrees_with_a_full_scan_after_inserts_and_steps() {
        for db in crate::testing::all().await.unwrap() {
            let s = &db.store;
            let town = unit(s, "石浦镇", UnitKind::Town).await;
            let dept = unit(s, "县国土资源局", UnitKind::Department).await;
            let mut tx = s.begin().await.unwrap();
            let ent = enterprise(&mut tx, "913302257995213595", "象山海天船舶", town).await;
            // 150 problems over 2016–2018 in every status, tier and category, a few
            // unassigned, deterministic.
            let cal = WorkCalendar::weekends_only();
            let statuses = Status::ALL;
            let mut ids = Vec::new();
            for i in 0..150u32 {
                let submitted =
                    date!(2016 - 01 - 04) + time::Duration::days(i64::from(i * 7 % 1090));
                let status = statuses[i as usize % statuses.len()];
                let tier = Tier::ALL[i as usize % Tier::ALL.len()];
                let lead = match i % 4 {
                    0 => None,
                    1 => Some(town),
                    _ => Some(dept),
                };
                let d = Deadlines::compute(&cal, submitted, submitted, TimeLimits::default(), 0)
                    .unwrap();
                let answered = matches!(status, Status::Answered | Status::Rated | Status::Closed)
                    .then(|| cal.add_working_days(submitted, 1 + i % 9).unwrap());
                let seed = ProblemSeed {
                    enterprise_id: ent,
                    category: Category::ALL[i as usize % Category::ALL.len()],
                    title: format!("难题{i}"),
                    status,
                    tier,
                    lead_unit_id: lead,
                    submitted_on: submitted,
                    deadlines: d,
                    outcome: Outcome {
                        answered_on: answered,
                        closed_on: (status == Status::Closed).then_some(d.close_by),
                        resolved: answered.map(|_| i % 3 != 0),
                        satisfaction: matches!(status, Status::Rated | Status::Closed)
                            .then(|| Satisfaction::ALL[i as usize % Satisfaction::ALL.len()]),
                        answer_workdays: answered.map(|_| i64::from(1 + i % 9)),
                        close_workdays: (status == Status::Closed).then_some(12),
                    },
                };
                ids.push(insert_problem_row(&mut tx, &seed).await.unwrap());
            }
            tx.commit().await.unwrap();
            let filters = || {
                let ranges = [
                    (None, None),
                    (Some("2017-01-01"), Some("2017-12-31")),
                    (Some("2016-03-01"), Some("2016-05-31")),
                    (Some("2016-02-10"), Some("2017-08-20")),
                    (Some("2016-06-07"), Some("2016-06-19")),
                    (None, Some("2017-04-15")),
                    (Some("2017-04-15"), None),
                    (Some("2018-01-01"), Some("2016-01-01")),
                    (Some("2017-13"), None),
                ];
                let mut out = Vec::new();
                for (from, to) in ranges {
                    for (unit_id, tier, category) in [
                        (None, None, None),
                        (Some(dept), None, None),
                        (None, Some(Tier::Town), None),
                        (None, None, Some(Category::Land)),
                    ] {
                        out.push(RateFilter {
                            unit_id,
                            tier,
                            category,
                            from: from.map(str::to_string),
                            to: to.map(str::to_string),
                        });
                    }
                }
                out
            };
            let check = |when: &'static str| async move {
                for today in [date!(2016 - 06 - 15), date!(2019 - 01 - 01)] {
                    for f in filters() {
                        let cube = s.problem_rates(&Actor::system(), &f, today).await.unwrap();
                        let scan = s
                            .problem_rates_scan(&Actor::system(), &f, today)
                            .await
                            .unwrap();
                        assert_eq!(cube.counts, scan.counts, "{} {when} {f:?} {today}", db.name);
                        for group in [RateGroup::Unit, RateGroup::Tier, RateGroup::Category] {
                            let parts = s
                                .problem_rates_by(&Actor::system(), group, &f, today)
                                .await
                                .unwrap();
                            let mut sum = RateCounts::default();
                            for (_, r) in &parts {
                                assert!(r.counts.total > 0);
                                add_counts(&mut sum, &r.counts);
                            }
                            assert_eq!(sum, scan.counts, "{} {when} {group:?} {f:?}", db.name);
                        }
                        let all = s
                            .problem_rates_breakdown(&Actor::system(), &f, today)
                            .await
                            .unwrap();
                        let apart = RateBreakdown {
                            overall: cube,
                            by_unit: s
                                .problem_rates_by(&Actor::system(), RateGroup::Unit, &f, today)
                                .await
                                .unwrap(),
                            by_tier: s
                                .problem_rates_by(&Actor::system(), RateGroup::Tier, &f, today)
                                .await
                                .unwrap(),
                            by_category: s
                                .problem_rates_by(&Actor::system(), RateGroup::Category, &f, today)
                                .await
                                .unwrap(),
                        };
                        assert_eq!(all, apart, "{} {when} {f:?} {today}", db.name);
                        for (tier, r) in s
                            .problem_rates_by(&Actor::system(), RateGroup::Tier, &f, today)
                            .await
                            .unwrap()
                        {
                            let only = RateFilter {
                                tier: Tier::parse(&tier),
                                ..f.clone()
                            };
                            if f.tier.is_none() {
                                let scan = s
                                    .problem_rates_scan(&Actor::system(), &only, today)
                                    .await
                                    .unwrap();
                                assert_eq!(r.counts, scan.counts, "{} {when} {tier}", db.name);
                            }
                        }
                    }
                }
            };
            check("after inserts").await;
            // Steps through the state machine move problems between cells and counters.
            let office = Actor {
                user_id: 0,
                username: "office".into(),
                role: Role::Admin,
                unit_id: None,
                enterprise_id: None,
                ip: String::new(),
            };
            let unit_actor = Actor {
                role: Role::Unit,
                unit_id: Some(dept),
                username: "land".into(),
                ..office.clone()
            };
            let open: Vec<i64> = sqlx::query_as::<_, (i64,)>(
                "SELECT id FROM problems WHERE status = 'accepted' ORDER BY id LIMIT 5",
            )
            .fetch_all(s.pool())
            .await
            .unwrap()
            .into_iter()
            .map(|(id,)| id)
            .collect();
            assert!(!open.is_empty());
            let on = date!(2019 - 01 - 02);
            for id in &open {
                let assign = Step::Assign {
                    tier: Tier::Department,
                    lead_unit_id: dept,
                    support_unit_ids: vec![],
                    note: String::new(),
                };
                s.problem_step(&office, *id, &assign, on).await.unwrap();
                s.problem_step(&unit_actor, *id, &Step::Start, on)
                    .await
                    .unwrap();
                let answer = Step::Answer {
                    text: "已协调解决".into(),
                    resolved: true,
                };
                s.problem_step(&unit_actor, *id, &answer, on).await.unwrap();
            }
            let close = Step::Close {
                note: String::new(),
            };
            s.problem_step(&office, open[0], &close, on).await.unwrap();
            // A hand edit of the table is counted too (the triggers, not the code, keep the cube).
            sqlx::query("UPDATE problems SET category = 'finance', submitted_on = '2018-02-03' WHERE id = $1")
                .bind(ids[7])
                .execute(s.pool())
                .await
                .unwrap();
            sqlx::query("DELETE FROM problems WHERE id = $1")
                .bind(ids[8])
                .execute(s.pool())
                .await
                .unwrap();
            check("after steps").await;

            // Recompute puts a wrong stored deadline right and leaves the others alone.
            let (open, changed) = s.recompute_problem_deadlines().await.unwrap();
            assert_eq!(changed, 0, "{}: seeded deadlines are current", db.name);
            let (id, status, answer_due): (i64, String, String) = sqlx::query_as(
                "SELECT id, status, answer_due FROM problems WHERE status = 'in_progress' ORDER BY id LIMIT 1",
            )
            .fetch_one(s.pool())
            .await
            .unwrap();
            sqlx::query("UPDATE problems SET answer_due = '2000-01-03', due_on = '2000-01-03' WHERE id = $1")
                .bind(id)
                .execute(s.pool())
                .await
                .unwrap();
            assert_eq!(
                s.recompute_problem_deadlines().await.unwrap(),
                (open, 1),
                "{}",
                db.name
            );
            let (after, due): (String, String) =
                sqlx::query_as("SELECT answer_due, due_on FROM problems WHERE id = $1")
                    .bind(id)
                    .fetch_one(s.pool())
                    .await
                    .unwrap();
            assert_eq!(
                (after.as_str(), due.as_str()),
                (answer_due.as_str(), answer_due.as_str()),
                "{} {status}",
                db.name
            );
        }
    }
}
