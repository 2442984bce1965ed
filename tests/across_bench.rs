//! The figures across calls for 100,000 stored calls: written into a SQLite store
//! (not timed), then read back (`Store::contacts`, the score moments and metrics
//! parsed) and computed, timed together. Ignored by default (timing is not a unit
//! test); run it optimised:
//!
//! `cargo test --release --test across_bench -- --ignored --nocapture`
//!
//! Eight weeks of calls by 20,000 customers: four in five inbound, one call in ten
//! with a callback promise (phrasings from the parser's tests), nine in ten
//! tagged with one of the built-in taxonomy's reasons, metrics and moments JSON
//! shaped as the pipeline stores them. The JSON report (`kuulas across --format
//! json`) is built inside the timing too; then the command itself is timed on
//! the same store, start to exit.

use std::time::Instant;

use kuulas::across::{self, Settings, report, rows};
use kuulas::reasons::{Labels, default_taxonomy};
use kuulas::store::{SqliteStore, Store};
use time::macros::datetime;
use time::{Duration, format_description::well_known::Rfc3339};

mod bench_support;
use bench_support::Rng;

const CALLS: usize = 100_000;
const CUSTOMERS: usize = 20_000;

const REASONS: [&str; 8] = [
    "invoice_payment",
    "delivery_returns",
    "fault_outage",
    "contract_change",
    "complaint_compensation",
    "account_access",
    "booking_appointment",
    "information_request",
];

const PROMISES: [&str; 6] = [
    "Soitan teille tänään kolmeen mennessä.",
    "Palaan asiaan viimeistään huomenna.",
    "Palaan asiaan huomenna aamupäivällä.",
    "Soitan ensi viikon alussa.",
    "Otan yhteyttä parin tunnin sisällä.",
    "Palaan asiaan, kun tiedän lisää.",
];

fn metrics_json(words: usize) -> String {
    format!(
        r#"{{"duration":240.0,"agent":{{"talk_time":120.5,"words":310,"words_per_minute":154.3}},"customer":{{"talk_time":80.2,"words":{words},"words_per_minute":140.1}},"non_talk_time":39.3,"longest_silence":{{"start":100.0,"end":104.5}},"holds":[{{"start":50.0,"end":70.0,"announced":true}}],"interruptions":[{{"at":12.0,"by":"customer","overlap":0.8}}],"loudness":null,"sentiment":{{"customer_start":0.1,"customer_end":0.4,"agent_mean":0.3}}}}"#
    )
}

fn moments_json(rng: &mut Rng) -> String {
    let mut moments = vec![
        r#"{"behaviour":"greeting","dimension":"opening","party":"agent","start":0.5,"end":2.0,"quote":"Hyvää päivää, asiakaspalvelu.","points":10.0,"confidence":0.9,"verified":true}"#.to_string(),
        r#"{"behaviour":"empathy","dimension":"empathy","party":"agent","start":40.0,"end":43.0,"quote":"Ymmärrän hyvin, että tämä harmittaa.","points":20.0,"confidence":0.8,"verified":true}"#.to_string(),
    ];
    if rng.below(10) == 0 {
        let quote = PROMISES[rng.below(PROMISES.len())];
        moments.push(format!(
            r#"{{"behaviour":"callback_promise","dimension":"ownership","party":"agent","start":180.0,"end":183.0,"quote":"{quote}","points":20.0,"confidence":0.9,"verified":true}}"#
        ));
    }
    if rng.below(2) == 0 {
        moments.push(r#"{"behaviour":"resolved","dimension":"resolution","party":"agent","start":200.0,"end":203.0,"quote":"Nyt asia on hoidettu.","points":50.0,"confidence":0.9,"verified":true}"#.to_string());
    }
    format!("[{}]", moments.join(","))
}

fn generate(path: &std::path::Path) {
    drop(SqliteStore::open(path).unwrap());
    let mut conn = rusqlite::Connection::open(path).unwrap();
    let tx = conn.transaction().unwrap();
    tx.execute(
        "INSERT INTO runs (id, started_at, input_dir, kuulas_version) VALUES (1, 't', 'i', 'v')",
        [],
    )
    .unwrap();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let start = datetime!(2026-10-05 08:00 +02:00);
    {
        let mut insert = tx
            .prepare(
                "INSERT INTO calls (call_id, path, size_bytes, mtime_ns, sha256, status, agent,
                    team, queue, started_at, customer_key, direction, duration_s, metrics_json,
                    moments_json, reason_id, run_id)
                 VALUES (?1, ?1, 1, 1, '', 'scored', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 1)",
            )
            .unwrap();
        for i in 0..CALLS {
            let at = start
                + Duration::days(rng.below(56) as i64)
                + Duration::minutes(rng.below(8 * 60) as i64);
            let direction = if rng.below(5) == 0 {
                "outbound"
            } else {
                "inbound"
            };
            let words = if rng.below(4) == 0 {
                0
            } else {
                20 + rng.below(300)
            };
            insert
                .execute(rusqlite::params![
                    format!("c{i:06}"),
                    format!("agent{}", rng.below(60)),
                    format!("team{}", rng.below(6)),
                    format!("queue{}", rng.below(4)),
                    at.format(&Rfc3339).unwrap(),
                    format!("A-{}", rng.below(CUSTOMERS)),
                    direction,
                    30.0 + rng.below(600) as f64,
                    metrics_json(words),
                    moments_json(&mut rng),
                    (rng.below(10) > 0).then(|| REASONS[rng.below(REASONS.len())]),
                ])
                .unwrap();
        }
    }
    tx.commit().unwrap();
}

#[test]
#[ignore = "timing; run with --release --ignored"]
fn figures_for_100000_stored_calls() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("k.sqlite");
    generate(&path);
    let labels = Labels::of(&default_taxonomy());

    let started = Instant::now();
    let store = SqliteStore::open_existing(&path).unwrap();
    let contacts: Vec<_> = store
        .contacts()
        .unwrap()
        .iter()
        .map(rows::contact)
        .collect();
    let loaded = started.elapsed();
    let settings = Settings::new(datetime!(2026-12-01 12:00 +02:00));
    let figures = across::compute(&contacts, &settings);
    let json = report::json(&figures, &settings, &labels).to_string();
    let total = started.elapsed();

    assert_eq!(figures.calls.len(), CALLS);
    let promises = figures.promises.len();
    assert!((8_000..12_000).contains(&promises), "{promises}");
    let fcr = figures.fcr.overall.fcr().unwrap();
    assert_eq!(figures.reasons.reasons.len(), REASONS.len());
    assert!(json.contains("\"by_reason\""));
    println!(
        "{CALLS} calls: loaded in {:.2} s, figures in {:.2} s, total {:.2} s; FCR {:.1} %, {promises} promises",
        loaded.as_secs_f64(),
        (total - loaded).as_secs_f64(),
        total.as_secs_f64(),
        fcr * 100.0
    );
    assert!(total.as_secs_f64() < 5.0, "{total:?}");

    let started = Instant::now();
    let command = std::process::Command::new(env!("CARGO_BIN_EXE_kuulas"))
        .args([
            "across",
            "--format",
            "json",
            "--as-of",
            "2026-12-01T12:00:00+02:00",
        ])
        .arg("--store")
        .arg(&path)
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    let command_s = started.elapsed().as_secs_f64();
    assert!(command.success());
    println!("kuulas across --format json on the same store: {command_s:.2} s");
    assert!(command_s < 5.0, "{command_s}");
}
