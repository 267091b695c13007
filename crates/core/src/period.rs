//! Reporting periods (统计期间) and 序时进度.
//!
//! A [`Period`] is one month ("2017-06"), one quarter ("2017Q2") or one year ("2017"). Every
//! indicator value, bulletin and deadline report is keyed by one. A `Period` can only be made
//! by parsing or by the checked constructors, so every value in circulation has a year in
//! [`Period::MIN_YEAR`]`..=`[`Period::MAX_YEAR`], a month in 1–12 and a quarter in 1–4.
//!
//! [`Period::time_elapsed_share`] is 序时进度 as the county's plans use it: months elapsed at
//! the end of the period ÷ 12 (`shared/conventions.md` §5). Indicators whose work is not
//! spread evenly over the year use a [`TimeProfile`] instead.

use std::cmp::Ordering;
use std::fmt;
use std::ops::RangeInclusive;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::Date;

/// A statistical period: a calendar month, quarter or year.
///
/// The variants are `#[non_exhaustive]` so that code outside this crate cannot build an
/// out-of-range value such as month 13; use [`Period::new_month`], [`Period::new_quarter`],
/// [`Period::new_year`] or `str::parse`. Outside this crate, patterns need a `..`:
///
/// ```
/// use qx_core::period::Period;
///
/// let p: Period = "2017-06".parse().unwrap();
/// let label = match p {
///     Period::Month { month, .. } => format!("{month}月"),
///     Period::Quarter { q, .. } => format!("Q{q}"),
///     Period::Year { year, .. } => format!("{year}年"),
/// };
/// assert_eq!(label, "6月");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Period {
    /// One calendar month; `month` is 1–12.
    #[non_exhaustive]
    Month { year: i32, month: u8 },
    /// One calendar quarter; `q` is 1–4 (Q1 = January–March).
    #[non_exhaustive]
    Quarter { year: i32, q: u8 },
    /// One calendar year.
    #[non_exhaustive]
    Year { year: i32 },
}

/// Why a period (or a time profile) was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error(
        "无法识别的统计期间, 实际为 \"{input}\", 应写作 2017-06、2017Q2 或 2017 \
         (not a period; expected 2017-06, 2017Q2 or 2017)"
    )]
    Format { input: String },
    #[error(
        "年份必须在{min}到{max}之间, 实际为 {year} (year out of range)",
        min = Period::MIN_YEAR,
        max = Period::MAX_YEAR
    )]
    Year { year: i32 },
    #[error("月份必须在1到12之间, 实际为 {month} (month must be 1–12)")]
    Month { month: u32 },
    #[error("季度必须在1到4之间, 实际为 {q} (quarter must be 1–4)")]
    Quarter { q: u32 },
}

/// Why a custom [`TimeProfile`] was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeProfileError {
    #[error(
        "月度进度应为12个累计比例(用逗号分隔), 实际为 \"{input}\" \
         (expected 12 comma-separated cumulative shares)"
    )]
    Format { input: String },
    #[error("{month}月累计进度不能小于0, 实际为 {share} (share must not be negative)")]
    Negative { month: u8, share: Decimal },
    #[error(
        "{month}月累计进度 {share} 小于上月的 {previous}, 累计进度不能下降 \
         (cumulative shares must not decrease)"
    )]
    Decreasing {
        month: u8,
        share: Decimal,
        previous: Decimal,
    },
    #[error("12月累计进度必须为1, 实际为 {share} (the December share must be 1)")]
    NotEndingAtOne { share: Decimal },
}

const QUARTER_ZH: [&str; 4] = ["一", "二", "三", "四"];

impl Period {
    /// Earliest year accepted; anything before is taken as a typo ("0217").
    pub const MIN_YEAR: i32 = 1900;
    /// Latest year accepted; anything after is taken as a typo ("20177").
    pub const MAX_YEAR: i32 = 2999;

    /// One month, e.g. `Period::new_month(2017, 6)` for "2017-06".
    pub fn new_month(year: i32, month: u8) -> Result<Self, PeriodError> {
        check_year(year)?;
        if !(1..=12).contains(&month) {
            return Err(PeriodError::Month {
                month: month.into(),
            });
        }
        Ok(Period::Month { year, month })
    }

    /// One quarter, e.g. `Period::new_quarter(2017, 2)` for "2017Q2".
    pub fn new_quarter(year: i32, q: u8) -> Result<Self, PeriodError> {
        check_year(year)?;
        if !(1..=4).contains(&q) {
            return Err(PeriodError::Quarter { q: q.into() });
        }
        Ok(Period::Quarter { year, q })
    }

    /// One calendar year.
    pub fn new_year(year: i32) -> Result<Self, PeriodError> {
        check_year(year)?;
        Ok(Period::Year { year })
    }

    /// The month a date falls in (the reporting month of a record dated `date`).
    pub fn month_containing(date: Date) -> Result<Self, PeriodError> {
        Period::new_month(date.year(), u8::from(date.month()))
    }

    /// The calendar year the period lies in.
    pub fn year(&self) -> i32 {
        match *self {
            Period::Month { year, .. } | Period::Quarter { year, .. } | Period::Year { year } => {
                year
            }
        }
    }

    /// The months (1–12) the period covers: June → 6..=6, Q2 → 4..=6, a year → 1..=12.
    pub fn months(&self) -> RangeInclusive<u8> {
        match *self {
            Period::Month { month, .. } => month..=month,
            Period::Quarter { q, .. } => (3 * q - 2)..=(3 * q),
            Period::Year { .. } => 1..=12,
        }
    }

    /// The last month the period covers (June for Q2, December for a year).
    pub fn end_month(&self) -> u8 {
        *self.months().end()
    }

    /// The quarter (1–4) a month (1–12) falls in; `None` for a month outside 1–12.
    pub fn quarter_of(month: u8) -> Option<u8> {
        (1..=12).contains(&month).then(|| (month - 1) / 3 + 1)
    }

    /// The first calendar day of the period.
    pub fn first_day(&self) -> Date {
        date_in_range(self.year(), *self.months().start(), 1)
    }

    /// The last calendar day of the period.
    pub fn last_day(&self) -> Date {
        let month = self.end_month();
        date_in_range(self.year(), month, month_of(month).length(self.year()))
    }

    /// The period of the same kind just before this one (2017-01 → 2016-12, 2017Q1 →
    /// 2016Q4); `None` before [`Period::MIN_YEAR`].
    pub fn previous(&self) -> Option<Period> {
        match *self {
            Period::Month { year, month: 1 } => Period::new_month(year - 1, 12).ok(),
            Period::Month { year, month } => Some(Period::Month {
                year,
                month: month - 1,
            }),
            Period::Quarter { year, q: 1 } => Period::new_quarter(year - 1, 4).ok(),
            Period::Quarter { year, q } => Some(Period::Quarter { year, q: q - 1 }),
            Period::Year { year } => Period::new_year(year - 1).ok(),
        }
    }

    /// The period of the same kind just after this one (2017-12 → 2018-01); `None` after
    /// [`Period::MAX_YEAR`].
    pub fn next(&self) -> Option<Period> {
        match *self {
            Period::Month { year, month: 12 } => Period::new_month(year + 1, 1).ok(),
            Period::Month { year, month } => Some(Period::Month {
                year,
                month: month + 1,
            }),
            Period::Quarter { year, q: 4 } => Period::new_quarter(year + 1, 1).ok(),
            Period::Quarter { year, q } => Some(Period::Quarter { year, q: q + 1 }),
            Period::Year { year } => Period::new_year(year + 1).ok(),
        }
    }

    /// 上年同期, the base of 同比 growth; `None` before [`Period::MIN_YEAR`].
    pub fn same_period_last_year(&self) -> Option<Period> {
        let year = self.year() - 1;
        check_year(year).ok()?;
        Some(match *self {
            Period::Month { month, .. } => Period::Month { year, month },
            Period::Quarter { q, .. } => Period::Quarter { year, q },
            Period::Year { .. } => Period::Year { year },
        })
    }

    /// Whether `other` lies wholly inside this period (a period contains itself).
    pub fn contains(&self, other: &Period) -> bool {
        let (mine, theirs) = (self.months(), other.months());
        self.year() == other.year() && mine.start() <= theirs.start() && theirs.end() <= mine.end()
    }

    /// The period as a person reads it: its own name in Chinese ("2017年6月"), its code in
    /// English ("2017-06").
    pub fn label(&self, lang: crate::label::Lang) -> String {
        match lang {
            crate::label::Lang::Zh => self.label_zh(),
            crate::label::Lang::En => self.to_string(),
        }
    }

    /// The period's own name: "2017年6月", "2017年第二季度", "2017年".
    pub fn label_zh(&self) -> String {
        match *self {
            Period::Month { year, month } => format!("{year}年{month}月"),
            Period::Quarter { year, q } => {
                format!("{year}年第{}季度", QUARTER_ZH[usize::from(q - 1)])
            }
            Period::Year { year } => format!("{year}年"),
        }
    }

    /// The short name used in table headers: "6月", "第二季度", "全年".
    pub fn short_label_zh(&self) -> String {
        match *self {
            Period::Month { month, .. } => format!("{month}月"),
            Period::Quarter { q, .. } => format!("第{}季度", QUARTER_ZH[usize::from(q - 1)]),
            Period::Year { .. } => "全年".to_owned(),
        }
    }

    /// The year-to-date span that ends with this period, as bulletins write it with an em
    /// dash (U+2014): June → "1—6月", Q3 → "1—9月", January → "1月", a year → "1—12月".
    pub fn cumulative_label_zh(&self) -> String {
        match self.end_month() {
            1 => "1月".to_owned(),
            end => format!("1\u{2014}{end}月"),
        }
    }

    /// The year-to-date span in the reader's language: "1—6月" or "Jan–Jun" (January alone is
    /// "1月" / "Jan").
    pub fn cumulative_label(&self, lang: crate::label::Lang) -> String {
        const MONTHS_EN: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        match lang {
            crate::label::Lang::Zh => self.cumulative_label_zh(),
            crate::label::Lang::En => match self.end_month() {
                1 => MONTHS_EN[0].to_owned(),
                end => format!("Jan\u{2013}{}", MONTHS_EN[usize::from(end) - 1]),
            },
        }
    }

    /// The year-to-date span with its year, as a dashboard or an export names what it shows:
    /// "2017年1—6月", "2017 Jan–Jun".
    pub fn year_to_date_label(&self, lang: crate::label::Lang) -> String {
        match lang {
            crate::label::Lang::Zh => format!("{}年{}", self.year(), self.cumulative_label_zh()),
            crate::label::Lang::En => format!("{} {}", self.year(), self.cumulative_label(lang)),
        }
    }

    /// 序时进度: months elapsed at the end of the period ÷ 12 (June → 0.5, Q1 → 0.25,
    /// a year → 1). Same as [`TimeProfile::Linear`]`.share_for(self)`.
    pub fn time_elapsed_share(&self) -> Decimal {
        TimeProfile::Linear.share_for(self)
    }
}

fn check_year(year: i32) -> Result<(), PeriodError> {
    if (Period::MIN_YEAR..=Period::MAX_YEAR).contains(&year) {
        Ok(())
    } else {
        Err(PeriodError::Year { year })
    }
}

/// `month` is 1–12 by the invariant of `Period`.
fn month_of(month: u8) -> time::Month {
    time::Month::January.nth_next(month - 1)
}

/// A date whose parts are known to be valid: the year is within `MIN_YEAR..=MAX_YEAR`, which
/// `time` always supports, and the day is within the month.
fn date_in_range(year: i32, month: u8, day: u8) -> Date {
    Date::from_calendar_date(year, month_of(month), day).unwrap_or(Date::MIN)
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Period::Month { year, month } => write!(f, "{year:04}-{month:02}"),
            Period::Quarter { year, q } => write!(f, "{year:04}Q{q}"),
            Period::Year { year } => write!(f, "{year:04}"),
        }
    }
}

impl FromStr for Period {
    type Err = PeriodError;

    /// Accepts "2017-06" (also "2017-6"), "2017Q2", "2017-Q2" (either case of Q) and "2017".
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let input = s.trim();
        let format_err = || PeriodError::Format {
            input: s.to_owned(),
        };
        let digits = |part: &str, max_len: usize| -> Result<u32, PeriodError> {
            if part.is_empty() || part.len() > max_len || !part.bytes().all(|b| b.is_ascii_digit())
            {
                return Err(format_err());
            }
            part.parse().map_err(|_| format_err())
        };
        let year_part = input.get(..4).ok_or_else(format_err)?;
        let year = i32::try_from(digits(year_part, 4)?).map_err(|_| format_err())?;
        let rest = &input[4..];
        if rest.is_empty() {
            return Period::new_year(year);
        }
        let (separated, rest) = match rest.strip_prefix('-') {
            Some(after) => (true, after),
            None => (false, rest),
        };
        if let Some(q) = rest.strip_prefix(['Q', 'q']) {
            let q = digits(q, 1)?;
            return u8::try_from(q)
                .map_err(|_| PeriodError::Quarter { q })
                .and_then(|q| Period::new_quarter(year, q));
        }
        if !separated {
            // "201706" without the dash is too easily a typo of something else.
            return Err(format_err());
        }
        let month = digits(rest, 2)?;
        u8::try_from(month)
            .map_err(|_| PeriodError::Month { month })
            .and_then(|m| Period::new_month(year, m))
    }
}

impl TryFrom<String> for Period {
    type Error = PeriodError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Period> for String {
    fn from(p: Period) -> Self {
        p.to_string()
    }
}

/// Chronological: by first month, then by last month (2017-01 < 2017Q1 < 2017 < 2017-02).
impl Ord for Period {
    fn cmp(&self, other: &Self) -> Ordering {
        let key = |p: &Period| (p.year(), *p.months().start(), p.end_month());
        key(self).cmp(&key(other))
    }
}

impl PartialOrd for Period {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// How an indicator's expected progress accumulates over the year.
///
/// `Linear` is the usual 序时进度 (months ÷ 12). `Monthly` holds the cumulative share expected
/// by the end of each month, January first; it is non-decreasing, within 0–1 and ends at 1.
/// Build it with [`TimeProfile::monthly`] or by parsing its string form.
///
/// The string form is `linear` or the twelve shares separated by commas
/// (`0.05,0.1,…,1`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum TimeProfile {
    /// Months elapsed ÷ 12.
    Linear,
    /// Cumulative share by the end of each month, January to December.
    #[non_exhaustive]
    Monthly([Decimal; 12]),
}

impl TimeProfile {
    /// A custom profile from the cumulative share expected by the end of each month.
    pub fn monthly(shares: [Decimal; 12]) -> Result<Self, TimeProfileError> {
        let mut previous = Decimal::ZERO;
        for (month, share) in (1u8..).zip(shares) {
            if share.is_sign_negative() && !share.is_zero() {
                return Err(TimeProfileError::Negative { month, share });
            }
            if share < previous {
                return Err(TimeProfileError::Decreasing {
                    month,
                    share,
                    previous,
                });
            }
            previous = share;
        }
        if previous != Decimal::ONE {
            return Err(TimeProfileError::NotEndingAtOne { share: previous });
        }
        Ok(TimeProfile::Monthly(shares))
    }

    /// The share expected by the end of `month` (1–12); `None` for any other month.
    pub fn share_at(&self, month: u8) -> Option<Decimal> {
        if !(1..=12).contains(&month) {
            return None;
        }
        Some(match self {
            TimeProfile::Linear => Decimal::from(month) / Decimal::from(12),
            TimeProfile::Monthly(shares) => shares[usize::from(month - 1)],
        })
    }

    /// The share expected by the end of `period` (its last month).
    pub fn share_for(&self, period: &Period) -> Decimal {
        let month = period.end_month();
        match self {
            TimeProfile::Linear => Decimal::from(month) / Decimal::from(12),
            TimeProfile::Monthly(shares) => shares[usize::from(month - 1)],
        }
    }
}

impl fmt::Display for TimeProfile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TimeProfile::Linear => f.write_str("linear"),
            TimeProfile::Monthly(shares) => {
                for (i, share) in shares.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write!(f, "{}", share.normalize())?;
                }
                Ok(())
            }
        }
    }
}

impl FromStr for TimeProfile {
    type Err = TimeProfileError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let input = s.trim();
        if input.eq_ignore_ascii_case("linear") {
            return Ok(TimeProfile::Linear);
        }
        let format_err = || TimeProfileError::Format {
            input: s.to_owned(),
        };
        let mut shares = [Decimal::ZERO; 12];
        let mut parts = input.split([',', '，']);
        for slot in &mut shares {
            let part = parts.next().ok_or_else(format_err)?.trim();
            *slot = Decimal::from_str_exact(part).map_err(|_| format_err())?;
        }
        if parts.next().is_some() {
            return Err(format_err());
        }
        TimeProfile::monthly(shares)
    }
}

impl TryFrom<String> for TimeProfile {
    type Error = TimeProfileError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<TimeProfile> for String {
    fn from(p: TimeProfile) -> Self {
        p.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn p(s: &str) -> Period {
        s.parse().unwrap()
    }

    fn d(s: &str) -> Decimal {
        Decimal::from_str_exact(s).unwrap()
    }

    #[test]
    fn parses_the_three_forms_and_displays_canonically() {
        assert_eq!(
            p("2017-06"),
            Period::Month {
                year: 2017,
                month: 6
            }
        );
        assert_eq!(
            p("2017-6"),
            Period::Month {
                year: 2017,
                month: 6
            }
        );
        assert_eq!(
            p(" 2017-12 "),
            Period::Month {
                year: 2017,
                month: 12
            }
        );
        assert_eq!(p("2017Q2"), Period::Quarter { year: 2017, q: 2 });
        assert_eq!(p("2017-Q2"), Period::Quarter { year: 2017, q: 2 });
        assert_eq!(p("2017q4"), Period::Quarter { year: 2017, q: 4 });
        assert_eq!(p("2017"), Period::Year { year: 2017 });
        for (input, canonical) in [
            ("2017-6", "2017-06"),
            ("2017-Q2", "2017Q2"),
            ("2017q2", "2017Q2"),
            ("2017", "2017"),
        ] {
            assert_eq!(p(input).to_string(), canonical);
            assert_eq!(p(canonical).to_string(), canonical, "stable round trip");
        }
    }

    #[test]
    fn rejects_bad_periods_with_the_reason() {
        for bad in [
            "",
            "17-06",
            "2017-",
            "2017-006",
            "201706",
            "2017/06",
            "2017Q",
            "2017Q12",
            "２０１７",
            "2017-06-01",
            "abcd",
            "2017年",
        ] {
            assert!(
                matches!(bad.parse::<Period>(), Err(PeriodError::Format { .. })),
                "{bad:?} should be a format error"
            );
        }
        assert_eq!(
            "2017-13".parse::<Period>(),
            Err(PeriodError::Month { month: 13 })
        );
        assert_eq!(
            "2017-00".parse::<Period>(),
            Err(PeriodError::Month { month: 0 })
        );
        assert_eq!(
            "2017Q5".parse::<Period>(),
            Err(PeriodError::Quarter { q: 5 })
        );
        assert_eq!(
            "0217-06".parse::<Period>(),
            Err(PeriodError::Year { year: 217 })
        );
        let msg = "2017-13".parse::<Period>().unwrap_err().to_string();
        assert!(
            msg.contains("月份必须在1到12之间") && msg.contains("13"),
            "{msg}"
        );
        let msg = "x".parse::<Period>().unwrap_err().to_string();
        assert!(msg.contains("\"x\""), "{msg}");
    }

    #[test]
    fn every_period_round_trips_through_its_string_form() {
        for year in Period::MIN_YEAR..=Period::MAX_YEAR {
            let periods = (1..=12)
                .map(|m| Period::new_month(year, m))
                .chain((1..=4).map(|q| Period::new_quarter(year, q)))
                .chain([Period::new_year(year)]);
            for period in periods {
                let period = period.unwrap();
                assert_eq!(period.to_string().parse::<Period>(), Ok(period));
                assert!(period.first_day() <= period.last_day());
                assert_eq!(period.first_day().year(), year);
                assert!(Period::new_year(year).unwrap().contains(&period));
            }
        }
    }

    #[test]
    fn constructors_check_ranges() {
        assert!(Period::new_month(2017, 0).is_err());
        assert!(Period::new_month(2017, 12).is_ok());
        assert!(Period::new_quarter(2017, 0).is_err());
        assert!(Period::new_year(1899).is_err());
        assert!(Period::new_year(3000).is_err());
    }

    #[test]
    fn month_of_a_date() {
        assert_eq!(
            Period::month_containing(date!(2017 - 06 - 30)),
            Ok(p("2017-06"))
        );
        assert!(Period::month_containing(date!(1899 - 12 - 31)).is_err());
    }

    #[test]
    fn months_and_days() {
        assert_eq!(p("2017-06").months(), 6..=6);
        assert_eq!(p("2017Q1").months(), 1..=3);
        assert_eq!(p("2017Q4").months(), 10..=12);
        assert_eq!(p("2017").months(), 1..=12);
        assert_eq!(p("2017-02").first_day(), date!(2017 - 02 - 01));
        assert_eq!(p("2017-02").last_day(), date!(2017 - 02 - 28));
        assert_eq!(p("2016-02").last_day(), date!(2016 - 02 - 29));
        assert_eq!(p("2017Q2").first_day(), date!(2017 - 04 - 01));
        assert_eq!(p("2017Q2").last_day(), date!(2017 - 06 - 30));
        assert_eq!(p("2017").last_day(), date!(2017 - 12 - 31));
        assert_eq!(p("2017").year(), 2017);
    }

    #[test]
    fn quarter_of_month() {
        let quarters: Vec<_> = (1..=12).map(|m| Period::quarter_of(m).unwrap()).collect();
        assert_eq!(quarters, [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4]);
        assert_eq!(Period::quarter_of(0), None);
        assert_eq!(Period::quarter_of(13), None);
    }

    #[test]
    fn previous_next_and_last_year() {
        assert_eq!(p("2017-01").previous(), Some(p("2016-12")));
        assert_eq!(p("2017-06").previous(), Some(p("2017-05")));
        assert_eq!(p("2017-12").next(), Some(p("2018-01")));
        assert_eq!(p("2017Q1").previous(), Some(p("2016Q4")));
        assert_eq!(p("2017Q4").next(), Some(p("2018Q1")));
        assert_eq!(p("2017").next(), Some(p("2018")));
        assert_eq!(p("2017-06").same_period_last_year(), Some(p("2016-06")));
        assert_eq!(p("2017Q3").same_period_last_year(), Some(p("2016Q3")));
        assert_eq!(p("2017").same_period_last_year(), Some(p("2016")));
        assert_eq!(p("1900-01").previous(), None);
        assert_eq!(p("1900Q1").previous(), None);
        assert_eq!(p("1900").same_period_last_year(), None);
        assert_eq!(p("2999-12").next(), None);
        assert_eq!(p("2999").next(), None);
        for s in ["2017-01", "2017-07", "2017Q2", "2017"] {
            assert_eq!(p(s).next().unwrap().previous(), Some(p(s)));
        }
    }

    #[test]
    fn containment() {
        assert!(p("2017").contains(&p("2017Q2")));
        assert!(p("2017").contains(&p("2017-06")));
        assert!(p("2017Q2").contains(&p("2017-06")));
        assert!(p("2017Q2").contains(&p("2017Q2")));
        assert!(!p("2017Q2").contains(&p("2017-07")));
        assert!(!p("2017Q2").contains(&p("2017")));
        assert!(!p("2017").contains(&p("2016-06")));
        assert!(!p("2017-06").contains(&p("2017Q2")));
    }

    #[test]
    fn chinese_labels() {
        assert_eq!(p("2017-06").cumulative_label_zh(), "1\u{2014}6月");
        assert_eq!(p("2017-06").cumulative_label_zh(), "1—6月");
        assert_eq!(p("2017-01").cumulative_label_zh(), "1月");
        assert_eq!(p("2017Q3").cumulative_label_zh(), "1—9月");
        assert_eq!(p("2017").cumulative_label_zh(), "1—12月");
        use crate::label::Lang;
        assert_eq!(p("2017-06").cumulative_label(Lang::En), "Jan–Jun");
        assert_eq!(p("2017-01").cumulative_label(Lang::En), "Jan");
        assert_eq!(p("2017Q3").year_to_date_label(Lang::En), "2017 Jan–Sep");
        assert_eq!(p("2017-10").year_to_date_label(Lang::Zh), "2017年1—10月");
        assert_eq!(p("2017Q2").short_label_zh(), "第二季度");
        assert_eq!(p("2017Q4").short_label_zh(), "第四季度");
        assert_eq!(p("2017-06").short_label_zh(), "6月");
        assert_eq!(p("2017").short_label_zh(), "全年");
        assert_eq!(p("2025Q1").label_zh(), "2025年第一季度");
        assert_eq!(p("2017-06").label_zh(), "2017年6月");
        assert_eq!(p("2017").label_zh(), "2017年");
    }

    #[test]
    fn time_elapsed_share_is_months_over_twelve() {
        assert_eq!(p("2017-06").time_elapsed_share(), d("0.5"));
        assert_eq!(p("2017Q1").time_elapsed_share(), d("0.25"));
        assert_eq!(p("2017Q3").time_elapsed_share(), d("0.75"));
        assert_eq!(p("2017").time_elapsed_share(), Decimal::ONE);
        let jan = p("2017-01").time_elapsed_share();
        assert_eq!((jan * Decimal::from(12)).round_dp(20), Decimal::ONE);
    }

    #[test]
    fn ordering_is_chronological() {
        let mut v = vec![
            p("2017-02"),
            p("2017"),
            p("2016-12"),
            p("2017Q1"),
            p("2017-01"),
        ];
        v.sort();
        assert_eq!(
            v,
            [
                p("2016-12"),
                p("2017-01"),
                p("2017Q1"),
                p("2017"),
                p("2017-02")
            ]
        );
    }

    #[test]
    fn serde_uses_the_string_form() {
        let json = serde_json::to_string(&p("2017Q2")).unwrap();
        assert_eq!(json, "\"2017Q2\"");
        let back: Period = serde_json::from_str("\"2017-06\"").unwrap();
        assert_eq!(back, p("2017-06"));
        let err = serde_json::from_str::<Period>("\"2017-13\"").unwrap_err();
        assert!(err.to_string().contains("月份"), "{err}");
    }

    fn front_loaded() -> [Decimal; 12] {
        [
            "0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.85", "0.9", "0.95", "1",
        ]
        .map(d)
    }

    #[test]
    fn custom_profile_is_checked() {
        let profile = TimeProfile::monthly(front_loaded()).unwrap();
        assert_eq!(profile.share_at(6), Some(d("0.6")));
        assert_eq!(profile.share_at(0), None);
        assert_eq!(profile.share_at(13), None);
        assert_eq!(profile.share_for(&p("2017Q3")), d("0.85"));
        assert_eq!(TimeProfile::Linear.share_at(3), Some(d("0.25")));

        let mut decreasing = front_loaded();
        decreasing[5] = d("0.45");
        assert_eq!(
            TimeProfile::monthly(decreasing),
            Err(TimeProfileError::Decreasing {
                month: 6,
                share: d("0.45"),
                previous: d("0.5")
            })
        );
        let mut short = front_loaded();
        short[11] = d("0.99");
        assert!(matches!(
            TimeProfile::monthly(short),
            Err(TimeProfileError::NotEndingAtOne { .. })
        ));
        let mut negative = front_loaded();
        negative[0] = d("-0.1");
        assert!(matches!(
            TimeProfile::monthly(negative),
            Err(TimeProfileError::Negative { month: 1, .. })
        ));
        let mut over = front_loaded();
        over[10] = d("1.1");
        assert!(
            TimeProfile::monthly(over).is_err(),
            "a share above 1 must fall back"
        );
    }

    #[test]
    fn profile_string_form_round_trips() {
        let profile = TimeProfile::monthly(front_loaded()).unwrap();
        let s = profile.to_string();
        assert_eq!(s, "0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.85,0.9,0.95,1");
        assert_eq!(s.parse::<TimeProfile>().unwrap(), profile);
        assert_eq!(
            "linear".parse::<TimeProfile>().unwrap(),
            TimeProfile::Linear
        );
        let json = serde_json::to_string(&profile).unwrap();
        assert_eq!(serde_json::from_str::<TimeProfile>(&json).unwrap(), profile);
        assert!(matches!(
            "0.5,1".parse::<TimeProfile>(),
            Err(TimeProfileError::Format { .. })
        ));
        assert!(
            "0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.85,0.9,0.95,1,1"
                .parse::<TimeProfile>()
                .is_err()
        );
    }
}
