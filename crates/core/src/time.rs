//! China time (UTC+8), the clock the county reads: now, today, the end of a due day, and how
//! times are written. One place, so a deadline counted by the store and one shown by a page
//! agree, and so the demo clock ([`set_today`]) moves them all at once.

pub use ::time::Date;
use ::time::{OffsetDateTime, UtcOffset};
use std::sync::OnceLock;

/// China Standard Time. The county has no daylight saving.
pub const CHINA: UtcOffset = match UtcOffset::from_hms(8, 0, 0) {
    Ok(offset) => offset,
    Err(_) => UtcOffset::UTC,
};

const DAY_SECS: i64 = 86_400;

/// Seconds added to the real clock; set once by [`set_today`].
static SHIFT: OnceLock<i64> = OnceLock::new();

/// The demo clock was already set to another day.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("演示日期已设为 {current}, 不能再改为 {requested} (the demo date is set once, at startup)")]
pub struct ClockAlreadySet {
    pub current: Date,
    pub requested: Date,
}

/// Makes the process live on `date` (China time) from now on: [`now`] and [`today`] are
/// shifted by whole days, so the time of day keeps running. Meant for demonstrations on old
/// data (`qx serve --today 2017-12-05`): call it once at startup, before anything reads the clock.
/// Setting the same day again is allowed; another day is refused.
pub fn set_today(date: Date) -> Result<(), ClockAlreadySet> {
    let real_today = real_now().to_offset(CHINA).date();
    let shift = (date - real_today).whole_days() * DAY_SECS;
    match SHIFT.set(shift) {
        Ok(()) => Ok(()),
        Err(_) if SHIFT.get() == Some(&shift) => Ok(()),
        Err(_) => Err(ClockAlreadySet {
            current: today(),
            requested: date,
        }),
    }
}

/// Whether [`set_today`] moved the clock.
pub fn is_shifted() -> bool {
    SHIFT.get().is_some_and(|s| *s != 0)
}

fn real_now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

/// The current time as Unix seconds (shifted by the demo clock, if set).
pub fn now() -> i64 {
    real_now().unix_timestamp() + SHIFT.get().copied().unwrap_or(0)
}

/// The current moment in China time (shifted by the demo clock, if set).
pub fn now_china() -> OffsetDateTime {
    at_china(now())
}

/// Today's date in China time, the day deadlines are counted in.
pub fn today() -> Date {
    now_china().date()
}

/// A Unix time as a China-time moment; out-of-range times clamp to the epoch.
pub fn at_china(secs: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(secs)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
        .to_offset(CHINA)
}

/// The China-time date of a Unix time.
pub fn date_of(secs: i64) -> Date {
    at_china(secs).date()
}

/// The first second after `date` ends in China (24:00), as Unix seconds: a report due on
/// `date` is late when it arrives at or after this.
pub fn end_of_day(date: Date) -> i64 {
    start_of_day(date) + DAY_SECS
}

/// 00:00 of `date` in China, as Unix seconds.
pub fn start_of_day(date: Date) -> i64 {
    date.midnight().assume_offset(CHINA).unix_timestamp()
}

/// `2017-12-05` (ISO 8601, as stored and as shown).
pub fn format_date(date: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// Serialises a date as [`format_date`] writes it (`#[serde(serialize_with = …)]`), so a typed
/// date reads in JSON as the ISO text it was stored as.
pub fn serialize_date<S: serde::Serializer>(date: &Date, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format_date(*date))
}

/// `2017-12-05 09:30:00` in China time.
pub fn format_datetime(secs: i64) -> String {
    match OffsetDateTime::from_unix_timestamp(secs) {
        Ok(t) => {
            let t = t.to_offset(CHINA);
            format!(
                "{} {:02}:{:02}:{:02}",
                format_date(t.date()),
                t.hour(),
                t.minute(),
                t.second()
            )
        }
        Err(_) => secs.to_string(),
    }
}

/// Reads an ISO date (`2017-12-05`), as stored and as typed in date fields.
pub fn parse_date(s: &str) -> Option<Date> {
    Date::parse(
        s.trim(),
        ::time::macros::format_description!("[year]-[month]-[day]"),
    )
    .ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ::time::macros::date;

    #[test]
    fn a_due_day_ends_at_midnight_china_time() {
        // 2017-12-05 24:00 +08:00 is 2017-12-05 16:00 UTC.
        assert_eq!(end_of_day(date!(2017 - 12 - 05)), 1_512_489_600);
        assert_eq!(start_of_day(date!(2017 - 12 - 06)), 1_512_489_600);
        assert_eq!(date_of(1_512_489_599), date!(2017 - 12 - 05));
        assert_eq!(date_of(1_512_489_600), date!(2017 - 12 - 06));
    }

    #[test]
    fn times_are_written_in_china_time() {
        assert_eq!(format_datetime(1_512_435_600), "2017-12-05 09:00:00");
        assert_eq!(format_datetime(0), "1970-01-01 08:00:00");
        assert_eq!(format_date(date!(2017 - 06 - 30)), "2017-06-30");
        assert_eq!(parse_date(" 2017-06-30 "), Some(date!(2017 - 06 - 30)));
        assert_eq!(parse_date("2017-6-30x"), None);
    }

    // The demo clock is process-wide; this is the only test in the crate that sets it.
    #[test]
    fn the_demo_clock_moves_today_and_keeps_the_time_of_day() {
        let real = OffsetDateTime::now_utc().to_offset(CHINA);
        set_today(date!(2017 - 12 - 05)).unwrap();
        assert_eq!(today(), date!(2017 - 12 - 05));
        let shifted = now_china();
        assert_eq!(shifted.hour(), real.hour());
        assert!(is_shifted());
        assert_eq!(set_today(date!(2017 - 12 - 05)), Ok(()));
        assert!(set_today(date!(2018 - 01 - 01)).is_err());
    }
}
