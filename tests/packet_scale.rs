//! Issue 19, point 8: a night of 1,000 calls builds its pages in under a minute
//! and its overview opens in Chromium in under 2 s; the time with the moments'
//! clips and the size per call are reported (BENCHMARKS.md). Ignored by default (timing is
//! not a unit test); run it optimised, alone:
//!
//! `cargo test --release --test packet_scale -- --ignored --nocapture --test-threads 1`
//!
//! The night is made from the labelled set's sentences (as `rubric_bench` does):
//! 1,000 three-minute two-party transcripts scored by the built-in rubric and
//! metrics stage, written through the store API and as score files, as `kuulas
//! run` leaves them. Recordings: 20 distinct three-minute 8 kHz stereo WAVs, each
//! hard-linked under 50 call names, so the packet decodes 1,000 recordings (one
//! per call, as on a real night) from 115 MB of disk.

mod packet_support;

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use kuulas::names::file_name_for;
use kuulas::store::{
    CallEntry, CallMetadata, CallScores, DimensionScore, Fingerprint, MetricSummary, NewRun,
    RunTotals, SqliteStore, Store,
};
use kuulas::transcript::{Attribution, Party, Segment, Transcript};
use packet_support::kuulas;

const CALLS: usize = 1_000;
const RECORDINGS: usize = 20;
const SECONDS: f64 = 180.0;
const RATE: u32 = 8_000;

fn sentences() -> Vec<String> {
    let mut out = Vec::new();
    for dir in ["fixtures/labelled/dev", "fixtures/labelled/heldout"] {
        for entry in std::fs::read_dir(dir).expect("labelled set present") {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            for line in text.lines().filter_map(|l| l.strip_prefix("text = \"")) {
                out.push(line.trim_end_matches('"').to_string());
            }
        }
    }
    out
}

/// A three-minute call: turns of one or two sentences, alternating parties.
fn transcript(pool: &[String], seed: usize) -> Transcript {
    let mut segments = Vec::new();
    let mut t = 0.5;
    let mut i = seed * 7919;
    let mut turn = 0;
    while t < SECONDS - 10.0 {
        i = (i * 31 + 17) % pool.len().max(1);
        let text = format!(" {}", pool[i]);
        let end = (t + 0.5 + text.split_whitespace().count() as f64 * 0.4).min(SECONDS - 1.0);
        segments.push(Segment {
            party: if turn % 2 == 0 {
                Party::Agent
            } else {
                Party::Customer
            },
            start: t,
            end,
            text,
            words: vec![],
        });
        t = end + 0.3 + (i % 5) as f64 * 0.4;
        turn += 1;
    }
    Transcript {
        schema_version: 1,
        duration: SECONDS,
        language: "fi".into(),
        attribution: Attribution::Channels,
        segments,
    }
}

fn write_recording(path: &Path, seed: usize) {
    let spec = hound::WavSpec {
        channels: 2,
        sample_rate: RATE,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    for n in 0..(SECONDS * f64::from(RATE)) as usize {
        let t = n as f32 / RATE as f32;
        let turn = ((t / (2.0 + seed as f32 * 0.1)) as usize) % 2;
        for ch in 0..2 {
            let s = if ch == turn {
                0.3 * (std::f32::consts::TAU * (200.0 + 50.0 * ch as f32) * t).sin()
            } else {
                0.0
            };
            w.write_sample((s * 32767.0) as i16).unwrap();
        }
    }
    w.finalize().unwrap();
}

/// Writes the night under `root`; returns the run's folder.
fn night(root: &Path) -> std::path::PathBuf {
    let out = root.join("out");
    let calls_dir = out.join("calls");
    let rec = root.join("rec");
    std::fs::create_dir_all(&calls_dir).unwrap();
    std::fs::create_dir_all(&rec).unwrap();
    for r in 0..RECORDINGS {
        write_recording(&rec.join(format!("source-{r}.wav")), r);
    }
    let pool = sentences();
    let rubric = kuulas::rubric::default_rubric();
    let mut store = SqliteStore::open(&out.join("kuulas.sqlite")).unwrap();
    let run = store
        .begin_run(&NewRun {
            started_at: "2026-11-21T22:00:00Z".into(),
            input_dir: rec.display().to_string(),
            kuulas_version: "bench".into(),
            model_sha256: None,
            rubric_sha256: None,
            taxonomy: None,
        })
        .unwrap();
    for c in 0..CALLS {
        let id = format!("call-{c:04}");
        let wav = rec.join(format!("{id}.wav"));
        std::fs::hard_link(rec.join(format!("source-{}.wav", c % RECORDINGS)), &wav).unwrap();
        let t = transcript(&pool, c);
        let metrics = kuulas::metrics::compute(&t, None);
        let card = kuulas::rubric::score(&t, &metrics, &rubric);
        let entry = CallEntry {
            call_id: id.clone(),
            path: wav.display().to_string(),
            fingerprint: Fingerprint {
                size: 1,
                mtime_ns: 1,
                sha256: format!("{c:064x}"),
            },
            metadata: CallMetadata {
                agent: Some(format!("Agentti {:02}", c % 20)),
                team: Some(format!("Tiimi {}", c % 4)),
                queue: Some(["laskutus", "vika", "myynti"][c % 3].into()),
                started_at: Some(format!(
                    "2026-11-21T{:02}:{:02}:00+02:00",
                    8 + c % 10,
                    c % 60
                )),
                agent_channel: Some("left".into()),
                language: Some("fi".into()),
                ..CallMetadata::default()
            },
        };
        store.mark_running(run, &entry).unwrap();
        let json = serde_json::to_string(&t).unwrap();
        store.save_transcript(&id, &json, SECONDS, None).unwrap();
        let moments = serde_json::to_string(&card.moments).unwrap();
        let metrics_json = serde_json::to_string(&card.metrics).unwrap();
        store
            .save_scores(
                &id,
                &CallScores {
                    dimensions: card
                        .scores
                        .dimensions
                        .iter()
                        .map(|d| DimensionScore {
                            dimension: d.id.clone(),
                            score: Some(d.score),
                        })
                        .collect(),
                    overall: Some(card.scores.overall),
                    summary: MetricSummary::default(),
                    metrics_json: metrics_json.clone(),
                    moments_json: moments.clone(),
                    reason: None,
                },
            )
            .unwrap();
        let file = format!(
            r#"{{"schema_version": 1, "call_id": "{id}", "moments": {moments}, "metrics": {metrics_json}}}"#
        );
        std::fs::write(
            calls_dir.join(format!("{}.score.json", file_name_for(&id))),
            file,
        )
        .unwrap();
    }
    store.finish_run(run, &RunTotals::default()).unwrap();
    out
}

fn size(dir: &Path, ext: &str) -> u64 {
    walk(dir)
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .map(|p| p.metadata().unwrap().len())
        .sum()
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// Milliseconds from navigation to the end of the load event, as Chromium measures.
fn overview_load_ms(page: &Path) -> Option<f64> {
    let exe = ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find(|name| Command::new(name).arg("--version").output().is_ok())?;
    let html = std::fs::read_to_string(page).unwrap();
    let probed = page.with_extension("probe.html");
    let script = r#"<script>window.addEventListener("load", function () { setTimeout(function () {
      var n = performance.getEntriesByType("navigation")[0];
      var pre = document.createElement("pre"); pre.id = "load-ms";
      pre.textContent = String(n.loadEventEnd - n.startTime); document.body.appendChild(pre); }, 0); });</script>"#;
    std::fs::write(
        &probed,
        html.replacen("<head>", &format!("<head>{script}"), 1),
    )
    .unwrap();
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new(exe)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--dump-dom"])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("file://{}", probed.display()))
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&out.stdout);
    let at = dom.find("<pre id=\"load-ms\">")? + "<pre id=\"load-ms\">".len();
    dom[at..dom[at..].find('<')? + at].parse().ok()
}

#[test]
#[ignore = "a benchmark: run with --release --ignored (see the file's header)"]
fn a_night_of_1000_calls_builds_its_pages_in_under_a_minute() {
    // KUULAS_PACKET_BENCH_DIR keeps the night between runs (it is built once).
    let temp = tempfile::tempdir().unwrap();
    let dir =
        std::env::var_os("KUULAS_PACKET_BENCH_DIR").map_or(temp.path().to_path_buf(), Into::into);
    let made = Instant::now();
    let out = if dir.join("out/kuulas.sqlite").is_file() {
        dir.join("out")
    } else {
        night(&dir)
    };
    eprintln!(
        "night of {CALLS} calls ready in {:.1} s",
        made.elapsed().as_secs_f64()
    );
    for audio in ["none", "clips"] {
        let packet = dir.join(format!("packet-{audio}"));
        let start = Instant::now();
        let (code, _, stderr) = kuulas(&[
            "packet",
            "--run-dir",
            out.to_str().unwrap(),
            "--out",
            packet.to_str().unwrap(),
            "--audio",
            audio,
        ]);
        let seconds = start.elapsed().as_secs_f64();
        assert_eq!(code, 0, "{stderr}");
        let (html, wav) = (size(&packet, "html"), size(&packet, "wav"));
        let index = size_of(&packet.join("index.html"));
        eprintln!(
            "--audio {audio:5}: {seconds:5.1} s; pages {:.1} MB ({:.0} kB a call), audio {:.1} MB ({:.0} kB a call), index.html {:.0} kB",
            html as f64 / 1e6,
            html as f64 / 1e3 / CALLS as f64,
            wav as f64 / 1e6,
            wav as f64 / 1e3 / CALLS as f64,
            index as f64 / 1e3,
        );
        if audio == "none" {
            // The pages alone meet the target. With clips the time is the decoding
            // of every recording (BENCHMARKS.md); reported, not yet under a minute.
            assert!(seconds < 60.0, "the pages took {seconds:.1} s");
            if let Some(ms) = overview_load_ms(&packet.join("index.html")) {
                eprintln!("overview loaded in Chromium in {ms:.0} ms");
                assert!(ms < 2000.0, "overview took {ms:.0} ms to load");
            }
        }
        std::fs::remove_dir_all(&packet).unwrap();
    }
}

fn size_of(p: &Path) -> u64 {
    p.metadata().unwrap().len()
}
