//! The parser on promises as agents say them (the rubric's `callback_promise`
//! examples among them), each with its exact deadline. Said on Wednesday
//! 18 November 2026 at 10:00 (+02:00) unless a test says otherwise; working hours
//! Monday–Friday 8–16.

use time::macros::{datetime, time};
use time::{OffsetDateTime, Weekday};

use super::deadline;
use crate::across::working::WorkingHours;

const WEDNESDAY_10: OffsetDateTime = datetime!(2026-11-18 10:00 +02:00);
const FRIDAY_14: OffsetDateTime = datetime!(2026-11-20 14:00 +02:00);

fn due_at(text: &str, said: OffsetDateTime, hours: &WorkingHours) -> Option<String> {
    let at = deadline(text, said, hours)?;
    assert_eq!(at.offset(), said.offset(), "{text}");
    Some(format!("{} {:02}:{:02}", at.date(), at.hour(), at.minute()))
}

fn check(said: OffsetDateTime, cases: &[(&str, &str)]) {
    let hours = WorkingHours::default();
    let wrong: Vec<String> = cases
        .iter()
        .filter_map(|(text, want)| {
            let got = due_at(text, said, &hours);
            (got.as_deref() != Some(*want)).then(|| format!("{text:?}: want {want}, got {got:?}"))
        })
        .collect();
    assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));
}

#[test]
fn days_and_parts_of_days() {
    check(
        WEDNESDAY_10,
        &[
            ("Palaan asiaan viimeistään huomenna.", "2026-11-19 16:00"),
            ("Palaan asiaan huomenna aamupäivällä.", "2026-11-19 12:00"),
            ("Soitan ensi viikon alussa.", "2026-11-24 16:00"),
            ("Palaan tähän iltapäivän aikana.", "2026-11-18 16:00"),
            ("Soitan maanantaina heti aamusta.", "2026-11-23 09:00"),
            ("Huomenissa kuulet minusta.", "2026-11-19 16:00"),
            ("Ilmoitan perjantaihin mennessä.", "2026-11-20 16:00"),
            ("mä soitan huomen aamulla", "2026-11-19 10:00"),
            ("soitan iltapäivällä", "2026-11-18 16:00"),
            ("palaan asiaan ylihuomenna", "2026-11-20 16:00"),
            (
                "Soitan teille vielä ensi tiistaina aamupäivällä.",
                "2026-11-24 12:00",
            ),
            ("palaan asiaan huomisaamuna", "2026-11-19 10:00"),
            ("otan yhteyttä ensi viikolla", "2026-11-27 16:00"),
            ("palaan tähän tällä viikolla", "2026-11-20 16:00"),
            ("palaan asiaan viikon aikana", "2026-11-20 16:00"),
            ("ilmoitan puoleenpäivään mennessä", "2026-11-18 12:00"),
            ("soitan illalla", "2026-11-18 21:00"),
            ("palaan asiaan illan aikana", "2026-11-18 21:00"),
            // The seed's promise: the latest day named is the bound.
            (
                "olen yhteydessä saman päivän aikana tai viimeistään huomenna",
                "2026-11-19 16:00",
            ),
            ("soitan maanantaiaamuna", "2026-11-23 10:00"),
            ("soitan loppuviikosta", "2026-11-20 16:00"),
            ("soitan keskiviikkona", "2026-11-25 16:00"),
            ("soitan teille maanantai-iltapäivänä", "2026-11-23 16:00"),
            ("palaan asiaan tänään", "2026-11-18 16:00"),
        ],
    );
}

#[test]
fn clock_times_in_words_and_digits() {
    check(
        WEDNESDAY_10,
        &[
            ("Soitan teille tänään kolmeen mennessä.", "2026-11-18 15:00"),
            (
                "Ilmoitan teille ennen neljää, kun kuljetusliike vastaa.",
                "2026-11-18 16:00",
            ),
            ("Soitan klo 14.", "2026-11-18 14:30"),
            ("Soitan puoli kolmelta.", "2026-11-18 15:00"),
            ("Mä soitan sulle klo 15 mennessä.", "2026-11-18 15:00"),
            ("kolmeen mennessä mä soitan", "2026-11-18 15:00"),
            ("soitan neljältä", "2026-11-18 16:30"),
            (
                "Ja mää soitan sulle ite takasi tänää ennen kuutta.",
                "2026-11-18 18:00",
            ),
            (
                "Terveydenhoitaja soittaa teil tänää kahden ja neljän välil.",
                "2026-11-18 16:00",
            ),
            ("soitan kello kaksi", "2026-11-18 14:30"),
            ("soitan kahelt", "2026-11-18 14:30"),
            ("soitan huomenna kymmeneltä", "2026-11-19 10:30"),
            ("soitan 14.30", "2026-11-18 15:00"),
            // Already past today: the next working day.
            ("soitan klo 9:15", "2026-11-19 09:45"),
            ("soitan kolmen aikaan", "2026-11-18 15:30"),
            ("soitan seitsemältä illalla", "2026-11-18 19:30"),
            ("soitan yhdeltätoista", "2026-11-18 11:30"),
            ("soitan kello puoli neljä", "2026-11-18 16:00"),
            ("soitan ennen 15", "2026-11-18 15:00"),
            ("soitan kahdeksalta aamulla", "2026-11-19 08:30"),
        ],
    );
}

#[test]
fn spans_from_the_moment_said() {
    check(
        WEDNESDAY_10,
        &[
            ("Otan yhteyttä parin tunnin sisällä.", "2026-11-18 12:00"),
            ("Soitan tunnin päästä uudestaan.", "2026-11-18 11:30"),
            (
                "Mie soitan sulle vartin päästä uuestaan.",
                "2026-11-18 10:45",
            ),
            (
                "Mä soitan sulle itse takasin viimeistään puolen tunnin sisään ja kerron tilanteen.",
                "2026-11-18 10:30",
            ),
            ("soitan kahden tunnin kuluessa", "2026-11-18 12:00"),
            ("soitan 2 tunnin sisällä", "2026-11-18 12:00"),
            ("soitan kymmenen minuutin päästä", "2026-11-18 10:40"),
            ("palaan asiaan parin päivän sisällä", "2026-11-20 16:00"),
            ("otan yhteyttä viikon sisällä", "2026-11-25 16:00"),
            ("otan yhteyttä kahden viikon kuluessa", "2026-12-02 16:00"),
            ("soitan tunnissa takaisin", "2026-11-18 11:00"),
        ],
    );
}

/// "huomenna" on a Friday is due on Monday (the rule in the module doc), and a
/// time of day already past is the next working day's.
#[test]
fn friday_afternoon_promises_roll_over_the_weekend() {
    check(
        FRIDAY_14,
        &[
            ("soitan huomenna", "2026-11-23 16:00"),
            ("soitan ylihuomenna", "2026-11-23 16:00"),
            ("soitan aamulla", "2026-11-23 10:00"),
            ("soitan huomenna aamupäivällä", "2026-11-23 12:00"),
            ("soitan perjantaina", "2026-11-27 16:00"),
            ("viimeistään perjantaina soitan", "2026-11-20 16:00"),
            ("soitan tunnin päästä", "2026-11-20 15:30"),
            ("palaan asiaan ensi viikon alussa", "2026-11-24 16:00"),
        ],
    );
    check(
        datetime!(2026-11-20 17:00 +02:00),
        &[
            ("soitan iltapäivällä", "2026-11-23 16:00"),
            // After working hours "tänään" still means today: by midnight.
            ("soitan vielä tänään", "2026-11-21 00:00"),
        ],
    );
    check(
        datetime!(2026-11-21 11:00 +02:00),
        &[("palaan asiaan viikon aikana", "2026-11-27 16:00")],
    );
}

#[test]
fn no_time_given_is_none() {
    let hours = WorkingHours::default();
    for text in [
        "Palaan asiaan, kun tiedän lisää.",
        "Soitan teille myöhemmin.",
        "Soitan hetken päästä.",
        "Me ollaan yhteydessä.",
        "Lasku on 15 euroa.",
        "Soitan viimeistään.",
        "",
    ] {
        assert_eq!(due_at(text, WEDNESDAY_10, &hours), None, "{text:?}");
    }
}

#[test]
fn working_hours_are_configurable() {
    let hours = WorkingHours {
        days: vec![
            Weekday::Monday,
            Weekday::Tuesday,
            Weekday::Wednesday,
            Weekday::Thursday,
            Weekday::Friday,
            Weekday::Saturday,
        ],
        start: time!(9:00),
        end: time!(17:00),
    };
    let due = |text| due_at(text, FRIDAY_14, &hours);
    assert_eq!(due("soitan huomenna").as_deref(), Some("2026-11-21 17:00"));
    assert_eq!(
        due("soitan heti aamusta").as_deref(),
        Some("2026-11-21 10:00")
    );
    // 8 is before this service's 9 o'clock start: eight in the evening.
    assert_eq!(
        due("soitan kahdeksalta").as_deref(),
        Some("2026-11-20 20:30")
    );
}
