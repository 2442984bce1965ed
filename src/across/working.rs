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
    /// Working days and hours as people write them: `days` a comma list of
    /// days and ranges, in English or Finnish abbreviations (`mon-fri`,
    /// `ma-pe,la`), `hours` `8-16` or `08:00-16:30`. The error says what is wrong.
    pub fn parse(days: &str, hours: &str) -> Result<WorkingHours, String> {
        let day = |name: &str| -> Result<Weekday, String> {
            let name = name.trim().to_lowercase();
            let names = [
                (["mon", "ma"], Weekday::Monday),
                (["tue", "ti"], Weekday::Tuesday),
                (["wed", "ke"], Weekday::Wednesday),
                (["thu", "to"], Weekday::Thursday),
                (["fri", "pe"], Weekday::Friday),
                (["sat", "la"], Weekday::Saturday),
                (["sun", "su"], Weekday::Sunday),
            ];
            names
                .iter()
                .find(|(n, _)| n.contains(&name.as_str()))
                .map(|(_, d)| *d)
                .ok_or_else(|| format!("`{name}` is not a day: write mon … sun or ma … su"))
        };
        let mut working = Vec::new();
        for part in days.split(',') {
            let (first, last) = match part.split_once('-') {
                Some((a, b)) => (day(a)?, day(b)?),
                None => (day(part)?, day(part)?),
            };
            let mut d = first;
            loop {
                if !working.contains(&d) {
                    working.push(d);
                }
                if d == last {
                    break;
                }
                d = d.next();
            }
        }
        let clock = |text: &str| -> Result<Time, String> {
            let text = text.trim();
            let (h, m) = text.split_once(':').unwrap_or((text, "0"));
            let bad = || format!("`{text}` is not a time of day: write 8, 16 or 16:30");
            let (h, m) = (
                h.parse::<u8>().map_err(|_| bad())?,
                m.parse::<u8>().map_err(|_| bad())?,
            );
            Time::from_hms(h, m, 0).map_err(|_| bad())
        };
        let (start, end) = hours
            .split_once('-')
            .ok_or_else(|| format!("`{hours}`: write working hours as 8-16 or 08:00-16:30"))?;
        let (start, end) = (clock(start)?, clock(end)?);
        if start >= end {
            return Err(format!(
                "`{hours}`: the working day must end after it starts"
            ));
        }
        Ok(WorkingHours {
            days: working,
            start,
            end,
        })
    }

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
    fn days_and_hours_are_read_as_people_write_them() {
        let h = WorkingHours::parse("mon-fri", "8-16").unwrap();
        assert_eq!(h, WorkingHours::default());
        let h = WorkingHours::parse("ma-pe, la", "08:30-17:15").unwrap();
        assert_eq!(h.days.len(), 6);
        assert!(h.is_working_day(date!(2026 - 11 - 21)), "Saturday");
        assert_eq!((h.start, h.end), (time!(8:30), time!(17:15)));
        let h = WorkingHours::parse("fri-mon", "9-15").unwrap();
        assert_eq!(
            h.days,
            [
                Weekday::Friday,
                Weekday::Saturday,
                Weekday::Sunday,
                Weekday::Monday
            ]
        );
        assert!(
            WorkingHours::parse("mon-funday", "8-16")
                .unwrap_err()
                .contains("funday")
        );
        assert!(
            WorkingHours::parse("mon", "16-8")
                .unwrap_err()
                .contains("end after")
        );
        assert!(
            WorkingHours::parse("mon", "8")
                .unwrap_err()
                .contains("8-16")
        );
        assert!(
            WorkingHours::parse("mon", "25-26")
                .unwrap_err()
                .contains("time of day")
        );
    }

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
