//! Issue 21 end to end: a week of generated calls (`scripts/make-week.sh`: 62
//! calls, 46 customers, Monday 16 to Sunday 22 November 2026) through the real
//! binary — `kuulas run`, then `kuulas across` (text and JSON, `--days`,
//! `--as-of`) and `kuulas packet`'s "Across calls" page — asserting every figure
//! the week was designed to show (the plan: `scripts/week/make_week.py`).
//!
//! The whole week runs through the production pipeline with the fixture
//! transcriber (the script's own words at their measured times): real Whisper
//! takes about 8 s a call on two cores, 8 minutes for the week.
//! `tests/across_week_whisper.rs` runs eight of its calls through real Whisper.

mod across_support;

use across_support::*;
use serde_json::Value;

/// The customers who called again about the same matter within the week, by
/// their first call and the repeat.
const REPEATS: [(&str, &str); 7] = [
    ("w01a", "w01b"),
    ("w02a", "w02b"),
    ("w03a", "w03b"),
    ("w04a", "w04b"),
    ("w05a", "w05b"),
    ("w19a", "w19b"),
    // Known by a hashed phone number.
    ("w22a", "w22b"),
];

#[test]
fn the_weeks_promises_calls_left_out_and_repeats_at_its_end() {
    let f = across_json(week_run(), &["--as-of", END_OF_WEEK]);
    // 62 calls: two without a customer key and one without a start time are
    // left out; the one without a direction counts as inbound.
    assert_eq!(f["calls"], 59, "{f:#}");
    assert_eq!(f["left_out"]["no_customer_key"], 2);
    assert_eq!(f["left_out"]["no_start_time"], 1);
    assert_eq!(f["direction_unknown_counted_inbound"], 1);

    let p = |call| promise(&f, call);
    assert_eq!(
        (p("w14a")["status"].as_str(), p("w14a")["kept_by"].as_str()),
        (Some("kept"), Some("w14b"))
    );
    // Kept after an unanswered attempt.
    assert_eq!(p("w15a")["status"], "kept");
    assert_eq!(ids(&p("w15a")["attempts"]), ["w15b"]);
    assert_eq!(p("w15a")["kept_by"], "w15c");
    // Tried twice, and tried once, never reached by the deadline.
    assert_eq!(p("w16a")["status"], "tried");
    assert_eq!(ids(&p("w16a")["attempts"]), ["w16b", "w16c"]);
    assert_eq!(p("w17a")["status"], "tried");
    assert_eq!(ids(&p("w17a")["attempts"]), ["w17b"]);
    // Broken: called back a day late; and never called back, the customer calling meanwhile.
    assert_eq!(p("w18a")["status"], "broken");
    assert_eq!(p("w18a")["deadline"], "2026-11-18T15:00:00+02:00");
    assert_eq!(p("w18a")["late_call"], "w18b");
    assert_eq!(p("w19a")["status"], "broken");
    assert_eq!(p("w19a")["deadline"], "2026-11-20T12:00:00+02:00");
    assert_eq!(p("w19a")["customer_called"], "w19b");
    // Due on Monday at noon: still open at the end of the week.
    assert_eq!(p("w20a")["status"], "open");
    assert_eq!(p("w20a")["deadline"], "2026-11-23T12:00:00+02:00");
    assert_eq!(p("w21a")["status"], "no time given");
    assert_eq!(p("w21a")["deadline"], Value::Null);
    assert_eq!(f["promises"].as_array().unwrap().len(), 8, "{f:#}");
    let counts = &f["promise_counts"];
    assert_eq!(
        [
            &counts["kept"],
            &counts["tried"],
            &counts["open"],
            &counts["broken"],
            &counts["no_time_given"]
        ],
        [2, 2, 1, 2, 1]
    );

    // The repeats are known at once; every other first contact is still pending.
    for (first, repeat) in REPEATS {
        assert_eq!(
            outcome(&f, first),
            ("repeated".into(), repeat.into()),
            "{first}"
        );
        assert_eq!(
            outcome(&f, repeat),
            ("repeat".into(), first.into()),
            "{repeat}"
        );
    }
    let overall = &f["first_contact_resolution"]["overall"];
    assert_eq!(
        [
            &overall["resolved"],
            &overall["repeated"],
            &overall["pending"],
            &overall["repeat_calls"]
        ],
        [0, 7, 38, 7],
        "{overall:#}"
    );
    // Outbound calls are no first contacts.
    assert_eq!(outcome(&f, "w14b").0, Value::Null);
}

/// Whether `rubric` finds `resolved` in the week's call `id`.
fn judged_resolved(rubric: &kuulas::rubric::Rubric, id: &str) -> bool {
    let file = week().join(format!("{id}.transcript.json"));
    let text = std::fs::read_to_string(&file).unwrap();
    let t = kuulas::transcript::Transcript::from_json(&text, &file.display().to_string()).unwrap();
    let metrics = kuulas::metrics::compute(&t, None);
    kuulas::rubric::score(&t, &metrics, rubric).has("resolved")
}

#[test]
fn a_week_later_every_first_contact_is_decided() {
    let f = across_json(week_run(), &["--as-of", WEEK_LATER]);
    let overall = &f["first_contact_resolution"]["overall"];
    // 52 inbound calls with a customer, 7 of them repeats: 45 first contacts, 7 repeated.
    assert_eq!(
        [
            &overall["first_contacts"],
            &overall["resolved"],
            &overall["repeated"],
            &overall["pending"]
        ],
        [45, 38, 7, 0],
        "{overall:#}"
    );
    assert!((overall["fcr"].as_f64().unwrap() - 38.0 / 45.0).abs() < 1e-9);
    // Judged resolved in the call, yet the customer called again: the repeated first
    // contacts whose own scorecard has `resolved`. w01a reported a fix ("nyt asia on
    // hoidettu"); w03a put it off ("katsotaan tätä myöhemmin") and w19a promised a
    // callback, so neither counts however warmly the customer thanked.
    let rubric = kuulas::rubric::default_rubric();
    let judged: Vec<&str> = REPEATS
        .iter()
        .map(|(first, _)| *first)
        .filter(|first| judged_resolved(&rubric, first))
        .collect();
    assert!(judged.contains(&"w01a"), "{judged:?}");
    assert!(
        !judged.contains(&"w03a") && !judged.contains(&"w19a"),
        "{judged:?}"
    );
    assert_eq!(
        overall["judged_resolved_but_repeated"],
        judged.len(),
        "{overall:#}"
    );
    assert_eq!(outcome(&f, "w40a").0, "resolved");
    assert_eq!(outcome(&f, "w14a").0, "resolved");
    // Per agent: Aino's first contacts w01a, w19a and w22a were repeated.
    let aino = f["first_contact_resolution"]["by_agent"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["name"] == "Aino")
        .unwrap();
    assert_eq!(aino["repeated"], 3, "{aino:#}");
    // Each call is tagged with its reason from the customer's words (the built-in
    // taxonomy): the week's five needs, and no call without one.
    let mut reasons: Vec<&str> = f["first_contact_resolution"]["by_reason"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap_or("(none)"))
        .collect();
    reasons.sort_unstable();
    assert_eq!(
        reasons,
        [
            "account_access",
            "contract_change",
            "delivery_returns",
            "fault_outage",
            "invoice_payment"
        ]
    );
    // The open promise's Monday has passed without a callback.
    assert_eq!(promise(&f, "w20a")["status"], "broken");

    // A one-day window: only the repeats within 24 hours still count.
    let f = across_json(week_run(), &["--as-of", WEEK_LATER, "--days", "1"]);
    let overall = &f["first_contact_resolution"]["overall"];
    assert_eq!(overall["repeated"], 2, "{overall:#}");
    assert_eq!(outcome(&f, "w04a").0, "repeated");
    assert_eq!(outcome(&f, "w19a").0, "repeated");
    assert_eq!(outcome(&f, "w01a").0, "resolved");
    assert_eq!(f["repeat_days"], 1);
}

#[test]
fn the_text_report_lists_what_to_follow_up() {
    let text = across(week_run(), &["--as-of", END_OF_WEEK]);
    assert!(
        text.contains("left out: 2 without a customer key, 1 without a start time; 1 without a direction counted as inbound"),
        "{text}"
    );
    assert!(text.contains("Callback promises 8: kept 2, tried 2, open 1, broken 2, no time given 1, no customer key 0 (1 tried only once)"), "{text}");
    let line = |call: &str| {
        text.lines()
            .find(|l| l.contains(&format!(" {call} ")))
            .unwrap_or_else(|| panic!("no line of {call}: {text}"))
    };
    assert!(line("w18a").contains("late call: w18b"), "{text}");
    assert!(line("w18a").contains("\"Selvitän asian. Soitan teille tänään kolmeen mennessä.\""));
    assert!(line("w21a").starts_with("  no time given"), "{text}");
    assert!(
        line("w16a").contains("unanswered attempts: w16b, w16c"),
        "{text}"
    );
    assert!(
        !text.contains(" w14a "),
        "kept promises are not listed: {text}"
    );
}

#[test]
fn the_packet_shows_the_week_across_calls() {
    let out = week_run();
    let packet = tempfile::tempdir().unwrap();
    let dir = packet.path().join("p");
    let stderr = kuulas()
        .args([
            "packet",
            "--audio",
            "none",
            "--as-of",
            END_OF_WEEK,
            "--store",
        ])
        .arg(out.join("kuulas.sqlite"))
        .arg("--out")
        .arg(&dir)
        .output()
        .unwrap();
    ok(stderr);
    let html = std::fs::read_to_string(dir.join("across.html")).unwrap();
    assert!(html.contains("<h1>Puheluiden yli</h1>"));
    assert!(
        !html.contains(r#"id="no-reasons""#)
            && html.contains("<td>Vika tai katko</td>")
            && !html.contains("fault_outage"),
        "a table of the week's reasons, by the built-in taxonomy's labels: {html}"
    );
    assert!(
        html.contains("<span class=\"tag neg\">rikottu</span> 2"),
        "{html}"
    );
    assert!(
        html.contains("<span class=\"tag plain\">auki</span> 1"),
        "{html}"
    );
    assert!(
        html.contains("Soitan teille tänään kolmeen mennessä."),
        "{html}"
    );
    assert!(html.contains("määräaika 18.11.2026 klo 15.00"), "{html}");
    assert!(html.contains("Lupaan palata asiaan, kun kuulen varastolta."));
    // The complaint no one passed on, and the three pieces of feedback that were.
    assert!(
        html.contains("Valitus · ei luvattu viedä eteenpäin (1)"),
        "{html}"
    );
    assert!(
        html.contains("haluan tehdä valituksen, tää on ihan surkeaa palvelua"),
        "{html}"
    );
    assert!(
        html.contains("Palaute luvattiin viedä eteenpäin (3)"),
        "{html}"
    );
    assert!(html.contains("ei asiakkaan tunnistetta: <strong>2</strong>"));
    assert!(html.contains("ei alkuaikaa: <strong>1</strong>"));
    assert!(
        std::fs::read_to_string(dir.join("index.html"))
            .unwrap()
            .contains("href=\"across.html\"")
    );
    // A call page links its customer's next call and shows its outcome.
    let page = |id: &str| std::fs::read_to_string(dir.join(format!("calls/{id}.html"))).unwrap();
    let w01a = page("w01a");
    assert!(
        w01a.contains("w01b.html\">w01b</a> (18.11.2026 klo 10.00)"),
        "{w01a}"
    );
    assert!(w01a.contains("asiakas soitti uudelleen"), "{w01a}");
    assert!(w01a.contains("puhelussa todettu ratkaistuksi"), "{w01a}");
    assert!(page("w14a").contains("<span class=\"tag pos\">pidetty</span>"));
    assert!(page("w30a").contains("siltä puuttuu asiakkaan tunniste"));
}

/// A sidecar that says a call went the other way than the manifest stops that
/// call with a message naming the file; the rest of the week is processed.
#[test]
fn a_contradictory_direction_names_the_file() {
    let input = subset(&["w14a", "w14b"], true);
    std::fs::write(
        input.path().join("w14b.meta.json"),
        r#"{"direction": "inbound"}"#,
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let run = kuulas()
        .env("KUULAS_TEST_FIXTURE_TRANSCRIBER", "1")
        .arg("run")
        .arg("--input")
        .arg(input.path())
        .arg("--out")
        .arg(out.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("w14b.meta.json"), "{stderr}");
    assert!(stderr.contains("contradicts the manifest"), "{stderr}");
    // w14b failed, so no callback reached the figures: the promise is broken.
    let f = across_json(out.path(), &["--as-of", END_OF_WEEK]);
    assert_eq!(promise(&f, "w14a")["status"], "broken", "{f:#}");
}

#[test]
fn bad_across_flags_are_refused_with_the_fix() {
    let out = kuulas()
        .args(["across", "--as-of", "maanantaina", "--out"])
        .arg(week_run())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--as-of maanantaina: not an RFC 3339 time"),
        "{stderr}"
    );
    let out = kuulas()
        .args(["across", "--days", "0", "--out"])
        .arg(week_run())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// Working days and hours are the service's own: "huomenna" is due at the end
/// of its working day, and a week it cannot parse is refused naming the flag.
#[test]
fn promise_deadlines_follow_the_working_hours_given() {
    // w17a, Tuesday 14:00: "Soitan teille huomenna." — due Wednesday at closing time.
    let f = across_json(week_run(), &["--as-of", END_OF_WEEK]);
    assert_eq!(promise(&f, "w17a")["deadline"], "2026-11-18T16:00:00+02:00");
    let f = across_json(
        week_run(),
        &[
            "--as-of",
            END_OF_WEEK,
            "--working-hours",
            "8-18",
            "--working-days",
            "ma-la",
        ],
    );
    assert_eq!(promise(&f, "w17a")["deadline"], "2026-11-18T18:00:00+02:00");

    let refused = kuulas()
        .args(["across", "--out"])
        .arg(week_run())
        .args(["--working-days", "mon-funday"])
        .output()
        .unwrap();
    assert_ne!(refused.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("--working-days mon-funday") && stderr.contains("`funday` is not a day"),
        "{stderr}"
    );
}
