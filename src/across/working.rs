//! Working days and hours: when a service can keep a promise. A promise's day
//! without a time is due at the end of that day's working hours; "huomenna" on
//! the last working day of the week means the next working day.

use time::macros::time;
use time::{Date, Duration, PrimitiveDateTime, Time, Weekday};

/// The days and hours the service works; Monday–Friday 8–16 by default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkingHours {
    pub days: Vec<Weekday>,
    pub start: Time,
    pub end: Time,
}

impl Default for WorkingHours {
    fn default() -> WorkingHours {
        WorkingHours {
            days: vec![
                Weekday::Monday,
                Weekday::Tuesday,
                Weekday::Wednesday,
                Weekday::Thursday,
                Weekday::Friday,
            ],
            start: time!(8:00),
            end: time!(16:00),
        }
    }
}

impl WorkingHours {
    pub fn is_working_day(&self, date: Date) -> bool {
        self.days.contains(&date.weekday())
    }

    /// `date` itself if it is a working day, else the next one (`date` when the
    /// service works no day at all).
    pub fn on_or_after(&self, date: Date) -> Date {
        let mut day = date;
        for _ in 0..7 {
            if self.is_working_day(day) {
                return day;
            }
            day = day.next_day().unwrap_or(day);
        }
        date
    }

    /// The first working day after `date`.
    pub fn after(&self, date: Date) -> Date {
        self.on_or_after(date.next_day().unwrap_or(date))
    }

    /// The `n`th working day after `date` (`date` itself for 0).
    pub fn nth_after(&self, date: Date, n: u32) -> Date {
        (0..n).fold(date, |day, _| self.after(day))
    }

    /// The end of working hours on `date`.
    pub fn end_of(&self, date: Date) -> PrimitiveDateTime {
        PrimitiveDateTime::new(date, self.end)
    }

    /// The first and last working day of the week (Monday to Sunday) holding `date`.
    pub fn week_of(&self, date: Date) -> Option<(Date, Date)> {
        let monday = date - Duration::days(date.weekday().number_days_from_monday().into());
        let days: Vec<Date> = (0..7)
            .map(|i| monday + Duration::days(i))
            .filter(|d| self.is_working_day(*d))
            .collect();
        Some((*days.first()?, *days.last()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn weekends_are_skipped_and_weeks_run_monday_to_friday() {
        let hours = WorkingHours::default();
        let friday = date!(2026 - 11 - 20);
        assert_eq!(hours.after(friday), date!(2026 - 11 - 23));
        assert_eq!(
            hours.on_or_after(date!(2026 - 11 - 21)),
            date!(2026 - 11 - 23)
        );
        assert_eq!(hours.nth_after(friday, 2), date!(2026 - 11 - 24));
        assert_eq!(
            hours.week_of(date!(2026 - 11 - 22)),
            Some((date!(2026 - 11 - 16), friday))
        );
    }
}
