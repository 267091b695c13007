//! The working-day calendar (工作日) that problem-case deadlines are counted in.
//!
//! 工作日 = Monday–Friday, minus 放假 days, plus the weekend days marked 上班 (调休). A time
//! limit of n working days does not count the start day, and a deadline that falls on a day off
//! moves to the next working day (`shared/conventions.md` §6).
//!
//! [`WorkCalendar`] is the pure rule; the database keeps the admin-editable table and builds one
//! with [`WorkCalendar::add_year`]. [`OFFICIAL_CALENDARS`] seeds that table with the State
//! Council's notices for 2017 (the demo year), 2025 and 2026. A new notice appears each
//! November; until it is entered, [`WorkCalendar::covers`] is false for that year and only
//! weekends are known.

use std::collections::BTreeSet;

use time::macros::date;
use time::{Date, Weekday};

crate::coded::coded_enum! {
    /// How a day in the calendar table differs from the plain Monday–Friday week.
    #[derive(serde::Serialize)]
    #[serde(rename_all = "snake_case")]
    DayKind {
        /// 放假: a weekday off.
        Holiday = "holiday", "放假", "Holiday";
        /// 调休上班: a weekend day worked.
        Workday = "workday", "调休上班", "Make-up workday";
    }
    unknown(code) => crate::state::UnknownState {
        crate::state::UnknownState { what_zh: "日历日类型", what_en: "calendar day kind", code }
    }
}

impl DayKind {
    pub fn is_holiday(self) -> bool {
        self == DayKind::Holiday
    }
}

/// One named run of days off from a notice, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HolidayRange {
    /// 元旦, 春节, 清明节, …
    pub name: &'static str,
    pub first: Date,
    pub last: Date,
}

impl HolidayRange {
    /// Every day of the range.
    pub fn dates(&self) -> impl Iterator<Item = Date> + use<> {
        let last = self.last;
        std::iter::successors(Some(self.first), |d| d.next_day()).take_while(move |d| *d <= last)
    }
}

/// One year's 部分节假日安排 as published by the State Council.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OfficialYear {
    pub year: i32,
    /// The notice the dates come from.
    pub notice: &'static str,
    /// 放假 ranges, including the weekend days inside them.
    pub holidays: &'static [HolidayRange],
    /// Weekend days that are working days (调休上班).
    pub makeup_workdays: &'static [Date],
}

impl OfficialYear {
    /// Every 放假 day of the year's notice.
    pub fn holiday_dates(&self) -> impl Iterator<Item = Date> + use<> {
        self.holidays.iter().flat_map(HolidayRange::dates)
    }
}

const fn range(name: &'static str, first: Date, last: Date) -> HolidayRange {
    HolidayRange { name, first, last }
}

/// The official calendars this build knows: 2017, 2025 and 2026.
pub const OFFICIAL_CALENDARS: &[OfficialYear] = &[
    OfficialYear {
        year: 2017,
        notice: "国务院办公厅关于2017年部分节假日安排的通知(国办发明电〔2016〕14号)",
        holidays: &[
            range("元旦", date!(2016 - 12 - 31), date!(2017 - 01 - 02)),
            range("春节", date!(2017 - 01 - 27), date!(2017 - 02 - 02)),
            range("清明节", date!(2017 - 04 - 02), date!(2017 - 04 - 04)),
            range("劳动节", date!(2017 - 04 - 29), date!(2017 - 05 - 01)),
            range("端午节", date!(2017 - 05 - 28), date!(2017 - 05 - 30)),
            range(
                "国庆节、中秋节",
                date!(2017 - 10 - 01),
                date!(2017 - 10 - 08),
            ),
        ],
        makeup_workdays: &[
            date!(2017 - 01 - 22),
            date!(2017 - 02 - 04),
            date!(2017 - 04 - 01),
            date!(2017 - 05 - 27),
            date!(2017 - 09 - 30),
        ],
    },
    OfficialYear {
        year: 2025,
        notice: "国务院办公厅关于2025年部分节假日安排的通知(国办发明电〔2024〕12号)",
        holidays: &[
            range("元旦", date!(2025 - 01 - 01), date!(2025 - 01 - 01)),
            range("春节", date!(2025 - 01 - 28), date!(2025 - 02 - 04)),
            range("清明节", date!(2025 - 04 - 04), date!(2025 - 04 - 06)),
            range("劳动节", date!(2025 - 05 - 01), date!(2025 - 05 - 05)),
            range("端午节", date!(2025 - 05 - 31), date!(2025 - 06 - 02)),
            range(
                "国庆节、中秋节",
                date!(2025 - 10 - 01),
                date!(2025 - 10 - 08),
            ),
        ],
        makeup_workdays: &[
            date!(2025 - 01 - 26),
            date!(2025 - 02 - 08),
            date!(2025 - 04 - 27),
            date!(2025 - 09 - 28),
            date!(2025 - 10 - 11),
        ],
    },
    OfficialYear {
        year: 2026,
        notice: "国务院办公厅关于2026年部分节假日安排的通知(2025年11月4日发布)",
        holidays: &[
            range("元旦", date!(2026 - 01 - 01), date!(2026 - 01 - 03)),
            range("春节", date!(2026 - 02 - 15), date!(2026 - 02 - 23)),
            range("清明节", date!(2026 - 04 - 04), date!(2026 - 04 - 06)),
            range("劳动节", date!(2026 - 05 - 01), date!(2026 - 05 - 05)),
            range("端午节", date!(2026 - 06 - 19), date!(2026 - 06 - 21)),
            range("中秋节", date!(2026 - 09 - 25), date!(2026 - 09 - 27)),
            range("国庆节", date!(2026 - 10 - 01), date!(2026 - 10 - 07)),
        ],
        makeup_workdays: &[
            date!(2026 - 01 - 04),
            date!(2026 - 02 - 14),
            date!(2026 - 02 - 28),
            date!(2026 - 05 - 09),
            date!(2026 - 09 - 20),
            date!(2026 - 10 - 10),
        ],
    },
];

/// Why a year's dates were not accepted into a calendar.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("{year}年的节假日安排已录入, 不能重复添加 (year {year} is already in the calendar)")]
    DuplicateYear { year: i32 },
    #[error(
        "{date} 不在{year}年的安排范围内(只允许上一年末到下一年初) \
         (date does not belong to year {year})"
    )]
    OutOfYear { year: i32, date: Date },
    #[error(
        "{date} 既是放假日又是上班日, 请删除其中一项 \
         (date is marked both as a holiday and as a make-up workday)"
    )]
    Conflict { date: Date },
    #[error(
        "{date} 是工作日(周一至周五), 不能设为调休上班日 \
         (a make-up workday must be a Saturday or Sunday)"
    )]
    MakeupOnWeekday { date: Date },
}

/// Which days are working days: the weekend rule plus the days off and make-up days of the
/// years entered so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkCalendar {
    holidays: BTreeSet<Date>,
    makeup_workdays: BTreeSet<Date>,
    years: BTreeSet<i32>,
}

fn is_weekend(date: Date) -> bool {
    matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday)
}

impl WorkCalendar {
    /// A calendar that knows no holidays: Monday–Friday are working days.
    pub fn weekends_only() -> Self {
        Self::default()
    }

    /// The calendar of [`OFFICIAL_CALENDARS`].
    pub fn official() -> Self {
        let mut calendar = Self::default();
        for year in OFFICIAL_CALENDARS {
            calendar.insert_year(
                year.year,
                year.holiday_dates(),
                year.makeup_workdays.iter().copied(),
            );
        }
        calendar
    }

    /// Enters one year's arrangement: its days off (weekend days inside a holiday are fine)
    /// and its make-up workdays, which must be weekend days. Dates may reach into the
    /// neighbouring years (元旦 2017 began on 2016-12-31). Nothing is changed on error.
    pub fn add_year(
        &mut self,
        year: i32,
        holidays: impl IntoIterator<Item = Date>,
        makeup_workdays: impl IntoIterator<Item = Date>,
    ) -> Result<(), CalendarError> {
        if self.years.contains(&year) {
            return Err(CalendarError::DuplicateYear { year });
        }
        let holidays: BTreeSet<Date> = holidays.into_iter().collect();
        let makeup_workdays: BTreeSet<Date> = makeup_workdays.into_iter().collect();
        for &date in holidays.iter().chain(&makeup_workdays) {
            if !(year - 1..=year + 1).contains(&date.year()) {
                return Err(CalendarError::OutOfYear { year, date });
            }
        }
        for &date in &makeup_workdays {
            if !is_weekend(date) {
                return Err(CalendarError::MakeupOnWeekday { date });
            }
            if holidays.contains(&date) || self.holidays.contains(&date) {
                return Err(CalendarError::Conflict { date });
            }
        }
        if let Some(&date) = holidays.intersection(&self.makeup_workdays).next() {
            return Err(CalendarError::Conflict { date });
        }
        self.insert_year(year, holidays, makeup_workdays);
        Ok(())
    }

    fn insert_year(
        &mut self,
        year: i32,
        holidays: impl IntoIterator<Item = Date>,
        makeup_workdays: impl IntoIterator<Item = Date>,
    ) {
        self.years.insert(year);
        self.holidays.extend(holidays);
        self.makeup_workdays.extend(makeup_workdays);
    }

    /// Whether the arrangement for `date`'s year has been entered. When it has not, the
    /// calendar still answers, from the weekend rule alone.
    pub fn covers(&self, date: Date) -> bool {
        self.years.contains(&date.year())
    }

    /// The years entered so far, in order.
    pub fn covered_years(&self) -> impl Iterator<Item = i32> + '_ {
        self.years.iter().copied()
    }

    /// Whether `date` is a 放假 day of an entered notice.
    pub fn is_holiday(&self, date: Date) -> bool {
        self.holidays.contains(&date)
    }

    /// Whether `date` is a weekend day worked in exchange for a holiday (调休上班).
    pub fn is_makeup_workday(&self, date: Date) -> bool {
        self.makeup_workdays.contains(&date)
    }

    /// 工作日: a make-up day, or a Monday–Friday that is not a holiday.
    pub fn is_working_day(&self, date: Date) -> bool {
        self.is_makeup_workday(date) || !(is_weekend(date) || self.is_holiday(date))
    }

    /// The deadline rule: `date` itself if it is a working day, otherwise the first working
    /// day after it. `None` only past the last date `time` can represent.
    pub fn next_working_day(&self, date: Date) -> Option<Date> {
        let mut day = date;
        while !self.is_working_day(day) {
            day = day.next_day()?;
        }
        Some(day)
    }

    /// The date `n` working days after `start`, not counting `start` itself (so 5 working days
    /// from a Friday is the next Friday in an ordinary week). The result is always a working
    /// day; for `n` = 0 it is [`WorkCalendar::next_working_day`] of `start`. `None` only past
    /// the last date `time` can represent.
    pub fn add_working_days(&self, start: Date, n: u32) -> Option<Date> {
        let mut day = start;
        let mut counted = 0;
        while counted < n {
            day = day.next_day()?;
            if self.is_working_day(day) {
                counted += 1;
            }
        }
        self.next_working_day(day)
    }

    /// Working days after `a` up to and including `b`: how many working days a case took, or
    /// (negative when `b` is before `a`) how far past a deadline it is. Consistent with
    /// [`WorkCalendar::add_working_days`]: `between(a, add(a, n)) == n` for n ≥ 1.
    pub fn working_days_between(&self, a: Date, b: Date) -> i64 {
        let (from, to, sign) = if a <= b { (a, b, 1) } else { (b, a, -1) };
        let count = std::iter::successors(from.next_day(), |d| d.next_day())
            .take_while(|d| *d <= to)
            .filter(|d| self.is_working_day(*d))
            .count();
        sign * i64::try_from(count).unwrap_or(i64::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn official() -> WorkCalendar {
        WorkCalendar::official()
    }

    #[test]
    fn official_data_passes_the_admin_checks() {
        let mut checked = WorkCalendar::weekends_only();
        for year in OFFICIAL_CALENDARS {
            for h in year.holidays {
                assert!(h.first <= h.last, "{} {}", year.year, h.name);
            }
            checked
                .add_year(
                    year.year,
                    year.holiday_dates(),
                    year.makeup_workdays.iter().copied(),
                )
                .unwrap_or_else(|e| panic!("{}: {e}", year.year));
        }
        assert_eq!(checked, official());
        assert_eq!(
            official().covered_years().collect::<Vec<_>>(),
            [2017, 2025, 2026]
        );
    }

    #[test]
    fn holiday_ranges_expand_to_days() {
        let days: Vec<_> = range("国庆节", date!(2026 - 10 - 01), date!(2026 - 10 - 07))
            .dates()
            .collect();
        assert_eq!(days.len(), 7);
        assert_eq!(days[6], date!(2026 - 10 - 07));
        let one: Vec<_> = range("元旦", date!(2025 - 01 - 01), date!(2025 - 01 - 01))
            .dates()
            .collect();
        assert_eq!(one, [date!(2025 - 01 - 01)]);
        let spring_2026 = OFFICIAL_CALENDARS[2].holidays[1];
        assert_eq!(spring_2026.name, "春节");
        assert_eq!(spring_2026.dates().count(), 9);
    }

    #[test]
    fn working_day_rule() {
        let cal = official();
        assert!(cal.is_working_day(date!(2017 - 03 - 03)), "ordinary Friday");
        assert!(
            !cal.is_working_day(date!(2017 - 03 - 04)),
            "ordinary Saturday"
        );
        assert!(!cal.is_working_day(date!(2017 - 01 - 27)), "春节 Friday");
        assert!(cal.is_working_day(date!(2017 - 01 - 22)), "调休 Sunday");
        assert!(cal.is_working_day(date!(2017 - 02 - 04)), "调休 Saturday");
        assert!(
            !cal.is_working_day(date!(2016 - 12 - 31)),
            "元旦 2017 starts in 2016"
        );
        assert!(!cal.is_working_day(date!(2017 - 01 - 02)), "元旦 Monday");
        assert!(!cal.is_working_day(date!(2025 - 02 - 04)));
        assert!(cal.is_working_day(date!(2025 - 10 - 11)));
        assert!(
            !cal.is_working_day(date!(2026 - 02 - 23)),
            "2026 春节 ends 2/23"
        );
        assert!(!cal.is_working_day(date!(2026 - 04 - 06)));
        assert!(cal.is_holiday(date!(2026 - 06 - 19)));
        assert!(cal.is_makeup_workday(date!(2026 - 02 - 28)));
    }

    #[test]
    fn five_working_days_from_a_friday_is_the_next_friday() {
        let cal = official();
        assert_eq!(
            cal.add_working_days(date!(2017 - 03 - 03), 5),
            Some(date!(2017 - 03 - 10))
        );
        assert_eq!(
            cal.add_working_days(date!(2017 - 03 - 03), 1),
            Some(date!(2017 - 03 - 06)),
            "start day not counted"
        );
        assert_eq!(
            cal.add_working_days(date!(2017 - 03 - 06), 1),
            Some(date!(2017 - 03 - 07)),
            "start day not counted even when it is a working day"
        );
    }

    #[test]
    fn deadlines_across_spring_festival_2017() {
        let cal = official();
        // 1/22 (Sunday) is a make-up workday and counts.
        assert_eq!(
            cal.add_working_days(date!(2017 - 01 - 20), 5),
            Some(date!(2017 - 01 - 26))
        );
        // 1/27–2/2 off; 2/3 (Friday) and 2/4 (make-up Saturday) count.
        assert_eq!(
            cal.add_working_days(date!(2017 - 01 - 25), 3),
            Some(date!(2017 - 02 - 04))
        );
        assert_eq!(
            cal.add_working_days(date!(2017 - 01 - 26), 1),
            Some(date!(2017 - 02 - 03))
        );
        // A case opened during the holiday starts counting after it.
        assert_eq!(
            cal.add_working_days(date!(2017 - 01 - 28), 1),
            Some(date!(2017 - 02 - 03))
        );
        assert_eq!(
            cal.working_days_between(date!(2017 - 01 - 26), date!(2017 - 02 - 06)),
            3
        );
    }

    #[test]
    fn deadlines_across_national_day_2026() {
        let cal = official();
        assert_eq!(
            cal.add_working_days(date!(2026 - 09 - 30), 1),
            Some(date!(2026 - 10 - 08))
        );
        // 10/10 (Saturday) is a make-up workday.
        assert_eq!(
            cal.add_working_days(date!(2026 - 09 - 30), 3),
            Some(date!(2026 - 10 - 10))
        );
        // 中秋 9/25–27 comes first.
        assert_eq!(
            cal.add_working_days(date!(2026 - 09 - 24), 2),
            Some(date!(2026 - 09 - 29))
        );
        // 9/20 (Sunday) is a make-up workday.
        assert_eq!(
            cal.working_days_between(date!(2026 - 09 - 18), date!(2026 - 09 - 21)),
            2
        );
        assert_eq!(
            cal.working_days_between(date!(2026 - 09 - 30), date!(2026 - 10 - 09)),
            2
        );
    }

    #[test]
    fn a_deadline_on_a_day_off_moves_to_the_next_working_day() {
        let cal = official();
        assert_eq!(
            cal.next_working_day(date!(2026 - 10 - 03)),
            Some(date!(2026 - 10 - 08))
        );
        assert_eq!(
            cal.next_working_day(date!(2017 - 04 - 01)),
            Some(date!(2017 - 04 - 01)),
            "make-up Saturday is itself a working day"
        );
        assert_eq!(
            cal.next_working_day(date!(2017 - 03 - 04)),
            Some(date!(2017 - 03 - 06))
        );
        assert_eq!(
            cal.add_working_days(date!(2026 - 10 - 03), 0),
            Some(date!(2026 - 10 - 08))
        );
    }

    #[test]
    fn between_is_signed_and_inverse_of_add() {
        let cal = official();
        let a = date!(2017 - 01 - 20);
        for n in 1..=40 {
            let b = cal.add_working_days(a, n).unwrap();
            assert!(cal.is_working_day(b));
            assert_eq!(cal.working_days_between(a, b), i64::from(n), "n = {n}");
            assert_eq!(cal.working_days_between(b, a), -i64::from(n));
        }
        assert_eq!(cal.working_days_between(a, a), 0);
    }

    #[test]
    fn end_of_time_is_none_not_a_panic() {
        let cal = WorkCalendar::weekends_only();
        assert_eq!(cal.add_working_days(Date::MAX, 1), None);
    }

    #[test]
    fn coverage_is_reported() {
        let cal = official();
        assert!(cal.covers(date!(2026 - 12 - 31)));
        assert!(!cal.covers(date!(2027 - 01 - 01)));
        assert!(!cal.covers(date!(2016 - 12 - 31)));
        // Without the 2027 notice only weekends are known.
        assert!(cal.is_working_day(date!(2027 - 01 - 01)));
    }

    #[test]
    fn admin_entries_are_checked() {
        let mut cal = official();
        assert_eq!(
            cal.add_year(2026, [], []),
            Err(CalendarError::DuplicateYear { year: 2026 })
        );
        assert_eq!(
            cal.add_year(2027, [date!(2072 - 01 - 01)], []),
            Err(CalendarError::OutOfYear {
                year: 2027,
                date: date!(2072 - 01 - 01)
            })
        );
        assert_eq!(
            cal.add_year(2027, [], [date!(2027 - 01 - 04)]),
            Err(CalendarError::MakeupOnWeekday {
                date: date!(2027 - 01 - 04)
            })
        );
        assert_eq!(
            cal.add_year(2027, [date!(2027 - 01 - 02)], [date!(2027 - 01 - 02)]),
            Err(CalendarError::Conflict {
                date: date!(2027 - 01 - 02)
            })
        );
        // 2026-10-10 is a make-up day of 2026; another year cannot make it a holiday.
        assert_eq!(
            cal.add_year(2027, [date!(2026 - 10 - 10)], []),
            Err(CalendarError::Conflict {
                date: date!(2026 - 10 - 10)
            })
        );
        assert!(
            !cal.covers(date!(2027 - 06 - 01)),
            "nothing changed on error"
        );
        let msg = CalendarError::MakeupOnWeekday {
            date: date!(2027 - 01 - 04),
        }
        .to_string();
        assert!(
            msg.contains("2027-01-04") && msg.contains("调休上班日"),
            "{msg}"
        );

        cal.add_year(2027, [date!(2027 - 01 - 01)], [date!(2027 - 01 - 02)])
            .unwrap();
        assert!(cal.covers(date!(2027 - 06 - 01)));
        assert!(!cal.is_working_day(date!(2027 - 01 - 01)));
        assert!(cal.is_working_day(date!(2027 - 01 - 02)));
    }
}
