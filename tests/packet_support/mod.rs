//! A night's results built by hand for the packet tests: stereo recordings, a store
//! written through the store API, and score files with hand-made moments. Two
//! scored calls from one queue (a cold and a warm one) and a failed call whose id
//! is no safe file name. The cold call's customer says a phone number and its
//! transcript carries HTML that must render as text. Both calls are one customer's
//! (`A-17`, inbound): the warm call is a repeat contact of the cold one.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use kuulas::names::file_name_for;
use kuulas::store::{
    CallEntry, CallMetadata, CallScores, DimensionScore, Fingerprint, MetricSummary, NewRun,
    RunTotals, SqliteStore, Store,
};
use serde_json::json;

pub const RATE: u32 = 16_000;
pub const DURATION: f64 = 12.0;
pub const COLD: &str = "C-001";
pub const WARM: &str = "C-002";
pub const FAILED: &str = "../evil id";
pub const PHONE: &str = "040 123 4567";
/// Where the phone number is spoken in the cold call (customer channel).
pub const PHONE_SPAN: (f64, f64) = (6.0, 7.5);
pub const SCRIPT: &str = "<script>alert(1)</script>";
pub const IMG: &str = "\"><img src=x onerror=alert(2)>";

/// The metrics the store holds for a scored call (a part of the score file's).
pub const STORED_METRICS: &str =
    r#"{"duration": 12.0, "customer": {"talk_time": 5.0, "words": 9}}"#;

pub struct Night {
    pub out_dir: PathBuf,
    pub store: PathBuf,
}

/// A 440 Hz tone on the agent (left) and 660 Hz on the customer (right) channel;
/// `turns` (the warm call) makes it quieter in every other half second, so the
/// two calls do not sound the same (the session never pairs one call with itself).
pub fn write_recording(path: &Path, turns: bool) {
    let spec = hound::WavSpec {
        channels: 2,
        sample_rate: RATE,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    for i in 0..(DURATION * f64::from(RATE)) as usize {
        let t = i as f32 / RATE as f32;
        let gain = if turns && (t * 2.0) as usize % 2 == 1 {
            0.1
        } else {
            0.5
        };
        for hz in [440.0f32, 660.0] {
            let s = gain * (std::f32::consts::TAU * hz * t).sin();
            w.write_sample((s * 32767.0) as i16).unwrap();
        }
    }
    w.finalize().unwrap();
}

fn word(text: &str, start: f64, end: f64) -> serde_json::Value {
    json!({"text": text, "start": start, "end": end, "probability": 0.9})
}

pub fn transcript(cold: bool) -> serde_json::Value {
    let (p0, p1) = PHONE_SPAN;
    let customer = if cold {
        json!({"party": "customer", "start": 5.0, "end": 8.0,
            "text": format!(" numero on {PHONE}"),
            "words": [word(" numero", 5.0, 5.5), word(" on", 5.5, 5.9),
                      word(" 040", p0, 6.5), word(" 123", 6.5, 7.0), word(" 4567", 7.0, p1)]})
    } else {
        json!({"party": "customer", "start": 5.0, "end": 8.0, "text": " kiitos paljon", "words": []})
    };
    json!({
        "schema_version": 1, "duration": DURATION, "language": "fi", "attribution": "channels",
        "segments": [
            {"party": "agent", "start": 0.5, "end": 3.0,
             "text": if cold { " No?" } else { " Hyvää päivää, Eero palvelee." }, "words": []},
            {"party": "customer", "start": 2.5, "end": 4.5,
             "text": format!(" lasku on väärin {SCRIPT} {IMG}"), "words": []},
            customer,
            {"party": "agent", "start": 9.0, "end": 11.5,
             "text": if cold { " Ei kuulu meille." } else { " Mä hoidan tän sulle." }, "words": []},
        ]
    })
}

pub fn moments(cold: bool) -> serde_json::Value {
    if cold {
        json!([
            {"behaviour": "greeting", "dimension": "warmth", "party": "agent", "start": 0.5, "end": 3.0, "quote": "No?", "points": -5, "confidence": 0.6},
            {"behaviour": "bare_refusal", "dimension": "refusal", "party": "agent", "start": 9.0, "end": 11.5, "quote": "Ei kuulu meille.", "points": -10, "confidence": 0.9},
        ])
    } else {
        json!([
            {"behaviour": "greeting", "dimension": "warmth", "party": "agent", "start": 0.5, "end": 3.0, "quote": "Hyvää päivää", "points": 10, "confidence": 0.9},
            {"behaviour": "ownership", "dimension": "ownership", "party": "agent", "start": 9.0, "end": 11.5, "quote": "Mä hoidan tän sulle.", "points": 8, "confidence": 0.8},
        ])
    }
}

pub fn scores(overall: f64, warmth: f64, cold: bool) -> CallScores {
    let dims = [
        ("warmth", warmth),
        ("ownership", overall),
        ("refusal", overall),
    ];
    CallScores {
        dimensions: dims
            .iter()
            .map(|(d, s)| DimensionScore {
                dimension: d.to_string(),
                score: Some(*s),
            })
            .collect(),
        overall: Some(overall),
        summary: MetricSummary {
            talk_ratio_agent: Some(0.5),
            longest_silence_s: Some(1.0),
            interruptions: Some(1),
            customer_sentiment_start: Some(-0.5),
            customer_sentiment_end: Some(if cold { -0.6 } else { 0.4 }),
        },
        // As the store keeps them: the metrics stage's object (the packet's figures
        // across calls read the customer's words from it).
        metrics_json: STORED_METRICS.into(),
        moments_json: moments(cold).to_string(),
        reason: None,
    }
}

/// Builds the night under `root`; returns where `kuulas run` would have left it.
pub fn build(root: &Path) -> Night {
    let out_dir = root.join("out");
    std::fs::create_dir_all(&out_dir).unwrap();
    let store_path = out_dir.join("kuulas.sqlite");
    let mut store = SqliteStore::open(&store_path).unwrap();
    build_into(root, &mut store);
    Night {
        out_dir,
        store: store_path,
    }
}

/// [`build`] into any store (PostgreSQL too); the files go under `root` as there.
pub fn build_into(root: &Path, store: &mut dyn Store) {
    let out_dir = root.join("out");
    let calls_dir = out_dir.join("calls");
    let recordings = root.join("rec");
    std::fs::create_dir_all(&calls_dir).unwrap();
    std::fs::create_dir_all(&recordings).unwrap();
    let run = store
        .begin_run(&NewRun {
            started_at: "2026-11-21T22:00:00Z".into(),
            input_dir: recordings.display().to_string(),
            kuulas_version: "test".into(),
            model_sha256: None,
            rubric_sha256: None,
            taxonomy: None,
        })
        .unwrap();
    for (id, agent, overall, warmth, cold) in [
        (COLD, "Aino", 25.0, 15.0, true),
        (WARM, "Eero", 85.0, 90.0, false),
    ] {
        let wav = recordings.join(format!("{}.wav", file_name_for(id)));
        write_recording(&wav, !cold);
        let entry = entry(id, &wav, agent);
        store.mark_running(run, &entry).unwrap();
        let t = transcript(cold);
        store
            .save_transcript(id, &t.to_string(), DURATION, None)
            .unwrap();
        let s = scores(overall, warmth, cold);
        store.save_scores(id, &s).unwrap();
        let file = json!({
            "schema_version": 1, "call_id": id, "overall": overall,
            "moments": moments(cold),
            // As the metrics stage writes them (src/metrics/mod.rs).
            "metrics": {
                "duration": DURATION,
                "agent": {"talk_time": 6.0, "words": 8, "words_per_minute": 80.0},
                "customer": {"talk_time": 5.0, "words": 9, "words_per_minute": 108.0},
                "non_talk_time": 1.0,
                "longest_silence": {"start": 8.0, "end": 9.0},
                "holds": [{"start": 8.0, "end": 9.0, "announced": false}],
                "interruptions": [{"by": "customer", "interrupted": "agent", "at": 2.5}],
                "loudness": {"agent": [-20.0, -21.0, -19.5, -22.0], "customer": [-24.0, -23.0, null, -25.0]},
                "sentiment": {"start": -0.5, "end": if cold { -0.6 } else { 0.4 }, "turnaround": 0.0},
            },
        });
        let path = calls_dir.join(format!("{}.score.json", file_name_for(id)));
        std::fs::write(path, serde_json::to_vec_pretty(&file).unwrap()).unwrap();
    }
    // A recording that is not audio: the packet must not try to carry it.
    let broken = recordings.join("broken.wav");
    std::fs::write(&broken, "not audio").unwrap();
    let failed = entry(FAILED, &broken, "Aino");
    store.mark_running(run, &failed).unwrap();
    store
        .mark_failed(run, &failed, &format!("truncated WAV {SCRIPT}"))
        .unwrap();
    store.finish_run(run, &RunTotals::default()).unwrap();
}

pub fn entry(id: &str, wav: &Path, agent: &str) -> CallEntry {
    CallEntry {
        call_id: id.into(),
        path: wav.display().to_string(),
        fingerprint: Fingerprint {
            size: 1,
            mtime_ns: 1,
            sha256: "00".into(),
        },
        metadata: CallMetadata {
            agent: Some(agent.into()),
            team: Some("Tuki".into()),
            queue: Some("laskutus".into()),
            started_at: Some("2026-11-21T09:30:00+02:00".into()),
            agent_channel: Some("left".into()),
            language: Some("fi".into()),
            // One customer: the warm call is their repeat contact.
            customer_key: Some("A-17".into()),
            direction: Some("inbound".into()),
        },
    }
}

/// Begins the next night's run (22 Nov) in `store`, as `kuulas run` records one.
pub fn begin_next_night(store: &mut dyn Store) -> i64 {
    store
        .begin_run(&NewRun {
            started_at: "2026-11-22T22:00:00Z".into(),
            input_dir: "/rec".into(),
            kuulas_version: "test".into(),
            model_sha256: None,
            rubric_sha256: None,
            taxonomy: None,
        })
        .unwrap()
}

/// A second night in `night`'s store: run 2 with one call, `N2-001`, recorded
/// at `recording`, with the cold call's transcript and an overall score.
pub fn add_second_night(night: &Night, recording: &Path, overall: f64) {
    let mut store = SqliteStore::open(&night.store).unwrap();
    let transcript = store.transcript(COLD).unwrap().unwrap();
    let run = begin_next_night(&mut store);
    let entry = CallEntry {
        call_id: "N2-001".into(),
        path: recording.display().to_string(),
        fingerprint: Fingerprint {
            size: 1,
            mtime_ns: 1,
            sha256: "01".into(),
        },
        metadata: CallMetadata::default(),
    };
    store.mark_running(run, &entry).unwrap();
    store
        .save_transcript("N2-001", &transcript, DURATION, None)
        .unwrap();
    let scores = CallScores {
        dimensions: Vec::new(),
        overall: Some(overall),
        summary: Default::default(),
        // As the store keeps them: the metrics stage's object (the packet's figures
        // across calls read the customer's words from it).
        metrics_json: STORED_METRICS.into(),
        moments_json: "[]".into(),
        reason: None,
    };
    store.save_scores("N2-001", &scores).unwrap();
    store.finish_run(run, &RunTotals::default()).unwrap();
}

/// Runs `kuulas` with `args`; returns the exit code, stdout and stderr.
/// `KUULAS_TEST_BIN` points the tests at another binary: in a target directory
/// shared by several checkouts, `target/debug/kuulas` may be another's build.
pub fn kuulas(args: &[&str]) -> (i32, String, String) {
    let mut cmd = match std::env::var_os("KUULAS_TEST_BIN") {
        Some(bin) => assert_cmd::Command::new(bin),
        None => assert_cmd::Command::cargo_bin("kuulas").unwrap(),
    };
    let out = cmd.args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

pub fn page_of(packet: &Path, id: &str) -> PathBuf {
    packet
        .join("calls")
        .join(format!("{}.html", file_name_for(id)))
}

/// The id of [`add_promise_night`]'s call.
pub const PROMISED: &str = "N2-002";

/// A second night in `night`'s store for the "Across calls" page's lists: run 2
/// with one call of the same customer (`A-17`) on 22 Nov, in which the agent
/// promises a callback "huomenna aamupäivällä" that no call keeps and the
/// customer's complaint is not passed on (HTML in both quotes).
pub fn add_promise_night(night: &Night) {
    let mut store = SqliteStore::open(&night.store).unwrap();
    let transcript = store.transcript(WARM).unwrap().unwrap();
    let run = begin_next_night(&mut store);
    let mut entry = entry(PROMISED, Path::new("/nowhere/n2-002.wav"), "Eero");
    entry.metadata.started_at = Some("2026-11-22T10:00:00+02:00".into());
    entry.fingerprint.sha256 = "02".into();
    store.mark_running(run, &entry).unwrap();
    store
        .save_transcript(PROMISED, &transcript, DURATION, None)
        .unwrap();
    let moments = json!([
        {"behaviour": "unforwarded_complaint", "dimension": "ownership", "party": "customer", "start": 2.5, "end": 4.5,
         "quote": format!("Tää on surkeaa palvelua {SCRIPT}"), "points": -2, "confidence": 0.9},
        {"behaviour": "callback_promise", "dimension": "ownership", "party": "agent", "start": 9.0, "end": 11.5,
         "quote": format!("Soitan teille huomenna aamupäivällä {IMG}"), "points": 20, "confidence": 0.9},
    ]);
    let scores = CallScores {
        moments_json: moments.to_string(),
        ..scores(60.0, 60.0, false)
    };
    store.save_scores(PROMISED, &scores).unwrap();
    store.finish_run(run, &RunTotals::default()).unwrap();
    let file =
        json!({"schema_version": 1, "call_id": PROMISED, "overall": 60.0, "moments": moments});
    let path = night
        .out_dir
        .join("calls")
        .join(format!("{}.score.json", file_name_for(PROMISED)));
    std::fs::write(path, serde_json::to_vec_pretty(&file).unwrap()).unwrap();
}
