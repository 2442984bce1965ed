//! When a callback promise is due: a Finnish time expression in the promise's
//! words ("soitan tänään kolmeen mennessä", "huomen aamulla", "parin tunnin
//! sisällä") and the moment it was said, to a deadline in the call's local time.
//! No time in the words → `None` ("no time given").
//!
//! The rules, so that a deadline can be checked by hand:
//! - **A day without a time** is due at the end of its working hours
//!   ([`WorkingHours`], 16:00 by default); "tänään" said after them, at midnight.
//! - **"huomenna", "ylihuomenna"** count calendar days and move a day off to the
//!   next working day: "huomenna" said on a Friday is due on Monday. The service
//!   cannot call on Saturday, so a Saturday deadline would break every such
//!   promise for the rota, not for the agent.
//! - **A weekday** ("maanantaina") is its next occurrence after today;
//!   "perjantaihin mennessä" and "viimeistään perjantaina" include today.
//! - **Weeks:** "ensi viikolla" by the end of next week's last working day, "ensi
//!   viikon alussa" by its second working day, "tällä viikolla" / "viikon aikana"
//!   by this week's last; "viikon sisällä" seven calendar days on.
//! - **Parts of the day** are due at: "heti aamusta" an hour after work starts
//!   (9:00), "aamulla" two hours after (10:00), "aamupäivällä" and "puoleenpäivään"
//!   12:00, "päivän aikana" and "iltapäivällä" the end of working hours, "illalla"
//!   21:00. Without a day: today if still ahead, else the next working day.
//! - **Clock times:** "kolmeen mennessä", "ennen kolmea", "kahden ja kolmen
//!   välillä" are due at three; "kolmelta", "klo 15", "kolmen aikaan" half an hour
//!   after it ([`AT_GRACE`]). An hour before work starts is afternoon ("kolme" is
//!   15:00, "kahdeksan" 8:00) unless the morning is named. "puoli kolme" is 14:30.
//! - **Spans from the moment said:** "tunnin sisällä", "parin tunnin kuluessa",
//!   "vartin päästä" ("päästä" gets [`AT_GRACE`]); days in working days ("parin
//!   päivän sisällä": end of the second working day after today).
//! - **Several days named** ("tänään tai viimeistään huomenna"): the latest.
//!
//! Times are in the offset of the call's start; a promise across a daylight-saving
//! change is off by that hour.

mod numbers;
#[cfg(test)]
mod tests;

use time::{Date, Duration, OffsetDateTime, PrimitiveDateTime, Time};

use crate::across::working::WorkingHours;
use numbers::Case;

/// How long after a time given as "at" ("kolmelta", "klo 15") a call still keeps it.
pub const AT_GRACE: Duration = Duration::minutes(30);

/// The deadline of a promise `text` said at `said_at`, or `None` when it gives no time.
pub fn deadline(
    text: &str,
    said_at: OffsetDateTime,
    hours: &WorkingHours,
) -> Option<OffsetDateTime> {
    let words = words(text);
    let found = scan(&words, said_at.date(), hours);
    let local = PrimitiveDateTime::new(said_at.date(), said_at.time());
    resolve(&found, local, hours).map(|at| at.assume_offset(said_at.offset()))
}

/// A part of the day a promise names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    FirstThing,
    Morning,
    Forenoon,
    Afternoon,
    Day,
    Evening,
}

/// A clock time a promise names; `at` for "kolmelta", not for "kolmeen mennessä".
#[derive(Debug, Clone, Copy)]
struct Clock {
    hour: u8,
    minute: u8,
    at: bool,
}

/// A span counted from the moment the promise was said.
#[derive(Debug, Clone, Copy)]
enum Span {
    Minutes { minutes: i64, at: bool },
    WorkingDays(u32),
    CalendarDays(i64),
}

#[derive(Debug, Default)]
struct Found {
    day: Option<Date>,
    part: Option<Part>,
    clock: Option<Clock>,
    span: Option<Span>,
}

impl Found {
    /// Several days named: the latest is the promise's outer bound.
    fn name_day(&mut self, day: Date) {
        self.day = Some(self.day.map_or(day, |d| d.max(day)));
    }
}

/// Lower-case words; punctuation other than a time's `14.30` / `14:30` is a space.
fn words(text: &str) -> Vec<String> {
    let spaced: String = text
        .to_lowercase()
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '.' || c == ':' {
                c
            } else {
                ' '
            }
        })
        .collect();
    spaced
        .split_whitespace()
        .map(|w| w.trim_matches(|c| c == '.' || c == ':').to_string())
        .filter(|w| !w.is_empty())
        .collect()
}

const WEEKDAYS: [&str; 7] = [
    "maanantai",
    "tiistai",
    "keskiviikko",
    "torstai",
    "perjantai",
    "lauantai",
    "sunnuntai",
];
const BY_WORDS: [&str; 3] = ["mennessä", "asti", "saakka"];
const SPAN_WORDS: [&str; 7] = [
    "sisällä",
    "sisään",
    "sisäl",
    "kuluessa",
    "päästä",
    "pääst",
    "aikana",
];

fn scan(w: &[String], today: Date, hours: &WorkingHours) -> Found {
    let mut f = Found::default();
    let at = |i: usize| w.get(i).map(String::as_str).unwrap_or("");
    let before = |i: usize, n: usize| i.checked_sub(n).map_or("", |j| at(j));
    // "mennessä" right after, or after the next word ("kolmeen mennessä", "klo 15 mennessä").
    let by_follows = |i: usize| BY_WORDS.contains(&at(i + 1)) || BY_WORDS.contains(&at(i + 2));
    let by_precedes = |i: usize| {
        ["ennen", "viimeistään"]
            .iter()
            .any(|p| before(i, 1) == *p || before(i, 2) == *p)
    };
    let mut i = 0;
    while i < w.len() {
        let word = at(i);
        let next = at(i + 1);
        match word {
            "tänään" | "tänää" | "tänäpäivänä" => f.name_day(today),
            "saman" | "tämän" if next.starts_with("päivän") => f.name_day(today),
            "huomenna" | "huomenissa" | "huomen" | "huomiseen" | "huomista" => {
                f.name_day(hours.on_or_after(today + Duration::days(1)))
            }
            "ylihuomenna" | "ylihuomiseen" => {
                f.name_day(hours.on_or_after(today + Duration::days(2)))
            }
            "ensi" | "seuraavalla" | "seuraavan" if next.starts_with("viiko") => {
                if let Some(day) = next_week(hours, today, at(i + 2)) {
                    f.name_day(day);
                }
                i += 1;
            }
            "tällä" | "tämän" if next.starts_with("viiko") => {
                if let Some(day) = this_week_end(hours, today) {
                    f.name_day(day);
                }
                i += 1;
            }
            "alkuviikosta" | "alkuviikolla" => {
                let this_monday = hours.week_of(today).map(|(first, _)| first);
                let day = match this_monday {
                    Some(first) if first == today => Some(hours.after(first)),
                    _ => next_week(hours, today, "alussa"),
                };
                day.into_iter().for_each(|d| f.name_day(d));
            }
            "loppuviikosta" | "loppuviikolla" => this_week_end(hours, today)
                .into_iter()
                .for_each(|d| f.name_day(d)),
            "klo" | "kello" | "kellon" => {
                if let Some((clock, used)) = clock_after(w, i + 1) {
                    let by = by_follows(i + used) || by_precedes(i);
                    f.clock = Some(Clock { at: !by, ..clock });
                    i += used;
                }
            }
            "puoli" | "puolta" => {
                if let Some((hour, _)) =
                    numbers::any_case(next).filter(|(h, _)| (1..=12).contains(h))
                {
                    let by = by_follows(i + 1) || by_precedes(i);
                    f.clock = Some(Clock {
                        hour: hour as u8 - 1,
                        minute: 30,
                        at: !by,
                    });
                    i += 1;
                }
            }
            "puoleenpäivään" | "puoltapäivää" | "puolenpäivän" | "puolilta" => {
                f.part = Some(Part::Forenoon)
            }
            "ennen" => {
                if let Some(hour) = hour_in(next, Case::Partitive) {
                    f.clock = Some(Clock {
                        hour,
                        minute: 0,
                        at: false,
                    });
                    i += 1;
                }
            }
            _ => {
                if let Some(found) = span(w, i) {
                    f.span = Some(found);
                } else if let Some((day, part)) =
                    weekday(word, today, by_follows(i) || before(i, 1) == "viimeistään")
                {
                    f.name_day(day);
                    f.part = part.or(f.part);
                } else if let Some(rest) = word.strip_prefix("huomis") {
                    f.name_day(hours.on_or_after(today + Duration::days(1)));
                    f.part = part_of_day(rest, "", "").or(f.part);
                } else if word == "viikon" && next == "aikana" {
                    this_week_end(hours, today)
                        .into_iter()
                        .for_each(|d| f.name_day(d));
                } else if let Some(part) = part_of_day(word, before(i, 1), next) {
                    f.part = Some(part);
                } else if let Some(hour) =
                    hour_in(word, Case::Ablative).filter(|_| word.parse::<u8>().is_err())
                {
                    f.clock = Some(Clock {
                        hour,
                        minute: 0,
                        at: !by_precedes(i),
                    });
                } else if let Some(hour) = hour_in(word, Case::Illative).filter(|_| by_follows(i)) {
                    f.clock = Some(Clock {
                        hour,
                        minute: 0,
                        at: false,
                    });
                } else if let Some(hour) = hour_in(word, Case::Genitive) {
                    if next == "aikaan" {
                        f.clock = Some(Clock {
                            hour,
                            minute: 0,
                            at: true,
                        });
                    } else if next == "ja"
                        && let Some(later) = hour_in(at(i + 2), Case::Genitive)
                        && at(i + 3).starts_with("väli")
                    {
                        f.clock = Some(Clock {
                            hour: later,
                            minute: 0,
                            at: false,
                        });
                        i += 3;
                    }
                } else if let Some(clock) = digits_time(word) {
                    f.clock = Some(Clock {
                        at: !by_follows(i) && !by_precedes(i),
                        ..clock
                    });
                }
            }
        }
        i += 1;
    }
    f
}

/// `word` as an hour 1–12 in `case` (digits 0–23 in any case).
fn hour_in(word: &str, case: Case) -> Option<u8> {
    let hour = numbers::in_case(word, case)?;
    let limit = if word.parse::<u32>().is_ok() { 23 } else { 12 };
    (hour <= limit).then_some(hour as u8)
}

/// `14.30`, `14:30`: a clock time only with its minutes (a bare `15` may be anything).
fn digits_time(word: &str) -> Option<Clock> {
    let (h, m) = word.split_once(['.', ':'])?;
    let (hour, minute) = (h.parse::<u8>().ok()?, m.parse::<u8>().ok()?);
    (hour <= 23 && minute < 60 && m.len() == 2).then_some(Clock {
        hour,
        minute,
        at: true,
    })
}

/// The clock time after "kello" at `i`, and how many words it took.
fn clock_after(w: &[String], i: usize) -> Option<(Clock, usize)> {
    let word = w.get(i)?;
    if word == "puoli" {
        let (hour, _) = numbers::any_case(w.get(i + 1)?)?;
        return (1..=12).contains(&hour).then_some((
            Clock {
                hour: hour as u8 - 1,
                minute: 30,
                at: true,
            },
            2,
        ));
    }
    if let Some(clock) = digits_time(word) {
        return Some((clock, 1));
    }
    let (hour, _) = numbers::any_case(word)?;
    let limit = if word.parse::<u32>().is_ok() { 23 } else { 12 };
    (hour <= limit).then_some((
        Clock {
            hour: hour as u8,
            minute: 0,
            at: true,
        },
        1,
    ))
}

/// A span at word `i`: a unit ("tunnin", "vartin", "päivän", "viikon") followed by
/// "sisällä", "kuluessa", "päästä" …, with an optional count before it.
fn span(w: &[String], i: usize) -> Option<Span> {
    let unit = w[i].as_str();
    let post = w.get(i + 1).map(String::as_str).unwrap_or("");
    let in_form = ["tunnissa", "vartissa", "minuutissa"].contains(&unit);
    if !SPAN_WORDS.contains(&post) && !in_form {
        return None;
    }
    let count_word = i.checked_sub(1).map_or("", |j| w[j].as_str());
    let count: Option<f64> = match count_word {
        "parin" => Some(2.0),
        "puolen" => Some(0.5),
        "puolentoista" => Some(1.5),
        "muutaman" => Some(3.0),
        other => numbers::in_case(other, Case::Genitive).map(f64::from),
    };
    let at = post.starts_with("pääst");
    let minutes = |per: f64| Span::Minutes {
        minutes: (count.unwrap_or(1.0) * per).round() as i64,
        at,
    };
    match unit {
        "tunnin" | "tunnissa" => Some(minutes(60.0)),
        "vartin" | "vartissa" => Some(minutes(15.0)),
        "minuutin" | "minuutissa" => Some(minutes(1.0)),
        // "päivän aikana" alone is today (a part of the day), not a span.
        "päivän" if count.is_some() || post != "aikana" => {
            Some(Span::WorkingDays(count.unwrap_or(1.0).ceil() as u32))
        }
        // "viikon aikana" alone is this week; "ensi viikon" is handled before.
        "viikon" if count.is_some() || post != "aikana" => Some(Span::CalendarDays(
            (count.unwrap_or(1.0) * 7.0).round() as i64,
        )),
        _ => None,
    }
}

/// A weekday word ("maanantaina", "perjantaihin", "maanantaiaamuna") as its date
/// and any part of the day it carries; `inclusive` when today itself counts.
fn weekday(word: &str, today: Date, inclusive: bool) -> Option<(Date, Option<Part>)> {
    let (index, rest) = WEEKDAYS
        .iter()
        .enumerate()
        .find_map(|(n, stem)| word.strip_prefix(stem).map(|rest| (n, rest)))?;
    let illative = rest.starts_with("hin") || rest == "on";
    let from_today =
        (index as i64 - today.weekday().number_days_from_monday() as i64).rem_euclid(7);
    let ahead = if from_today == 0 && !(inclusive || illative) {
        7
    } else {
        from_today
    };
    Some((today + Duration::days(ahead), part_of_day(rest, "", "")))
}

/// A part of the day named by `word` (or a compound's rest, "aamuna").
fn part_of_day(word: &str, before: &str, after: &str) -> Option<Part> {
    let first = ["heti", "ensimmäisenä", "ensimmäiseksi", "ekana"];
    if word.starts_with("aamupäiv") {
        Some(Part::Forenoon)
    } else if word.starts_with("iltapäiv") {
        Some(Part::Afternoon)
    } else if word.starts_with("aamu") {
        let first_thing = first.contains(&before) || first.contains(&after);
        Some(if first_thing {
            Part::FirstThing
        } else {
            Part::Morning
        })
    } else if word.starts_with("ilta") || word.starts_with("illa") {
        Some(Part::Evening)
    } else if word == "päivällä" || (word == "päivän" && after == "aikana") {
        Some(Part::Day)
    } else {
        None
    }
}

/// A day of next week: its second working day for "alussa", else its last.
fn next_week(hours: &WorkingHours, today: Date, which: &str) -> Option<Date> {
    let (_, last) = hours.week_of(today)?;
    let (first, last_next) = hours.week_of(last + Duration::days(7))?;
    if which.starts_with("alu") || which.starts_with("alku") {
        Some(hours.after(first).min(last_next))
    } else {
        Some(last_next)
    }
}

/// This week's last working day, or next week's when this week's is past.
fn this_week_end(hours: &WorkingHours, today: Date) -> Option<Date> {
    let (_, last) = hours.week_of(today)?;
    if last >= today {
        Some(last)
    } else {
        hours.week_of(last + Duration::days(7)).map(|(_, l)| l)
    }
}

fn resolve(f: &Found, now: PrimitiveDateTime, hours: &WorkingHours) -> Option<PrimitiveDateTime> {
    let today = now.date();
    if let Some(span) = f.span
        && f.day.is_none()
        && f.clock.is_none()
    {
        return Some(match span {
            Span::Minutes { minutes, at } => {
                now + Duration::minutes(minutes) + if at { AT_GRACE } else { Duration::ZERO }
            }
            Span::WorkingDays(n) => hours.end_of(hours.nth_after(today, n)),
            Span::CalendarDays(n) => hours.end_of(hours.on_or_after(today + Duration::days(n))),
        });
    }
    let time = f
        .clock
        .map(|c| clock_time(c, f.part, hours))
        .or_else(|| f.part.map(|p| part_end(p, hours)));
    let grace = match f.clock {
        Some(Clock { at: true, .. }) => AT_GRACE,
        _ => Duration::ZERO,
    };
    match (f.day, time) {
        (None, None) => None,
        (Some(day), None) => {
            let end = hours.end_of(day);
            Some(if end > now {
                end
            } else {
                PrimitiveDateTime::new(day, Time::MIDNIGHT) + Duration::days(1)
            })
        }
        (Some(day), Some(t)) => Some(PrimitiveDateTime::new(day, t) + grace),
        (None, Some(t)) => {
            let today_at = PrimitiveDateTime::new(today, t);
            let day = if today_at > now {
                today
            } else {
                hours.after(today)
            };
            Some(PrimitiveDateTime::new(day, t) + grace)
        }
    }
}

/// A clock's time of day: an hour before work starts is afternoon unless the
/// morning is named; a named afternoon or evening moves it too.
fn clock_time(c: Clock, part: Option<Part>, hours: &WorkingHours) -> Time {
    let morning = matches!(
        part,
        Some(Part::FirstThing | Part::Morning | Part::Forenoon)
    );
    let later = matches!(part, Some(Part::Afternoon | Part::Evening));
    let hour = if c.hour < 12 && !morning && (later || c.hour < hours.start.hour()) {
        c.hour + 12
    } else {
        c.hour
    };
    Time::from_hms(hour.min(23), c.minute, 0).unwrap_or(Time::MIDNIGHT)
}

/// When a named part of the day ends.
fn part_end(part: Part, hours: &WorkingHours) -> Time {
    let hour = |h: u8| Time::from_hms(h, 0, 0).unwrap_or(Time::MIDNIGHT);
    match part {
        Part::FirstThing => hours.start + Duration::hours(1),
        Part::Morning => hours.start + Duration::hours(2),
        Part::Forenoon => hour(12),
        Part::Afternoon | Part::Day => hours.end,
        Part::Evening => hour(21),
    }
}
