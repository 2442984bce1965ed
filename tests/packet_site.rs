//! `kuulas packet` and `kuulas examples` on a hand-built night: the site's pages,
//! escaping, redaction in text and audio, the session packet and the ranking.

mod packet_support;

use std::path::Path;

use packet_support::*;

fn packet(night: &Night, dir: &Path, extra: &[&str]) -> (i32, String) {
    let store = night.store.to_str().unwrap();
    let out = dir.to_str().unwrap();
    let mut args = vec!["packet", "--store", store, "--out", out];
    args.extend_from_slice(extra);
    let (code, _, stderr) = kuulas(&args);
    (code, stderr)
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Peak amplitude of one channel of a packet WAV between two times.
fn peak(wav: &Path, channel: usize, from: f64, to: f64) -> i32 {
    let mut reader = hound::WavReader::open(wav).unwrap();
    let channels = reader.spec().channels as usize;
    let samples: Vec<i16> = reader.samples().map(Result::unwrap).collect();
    let range = (from * f64::from(RATE)) as usize..(to * f64::from(RATE)) as usize;
    range
        .map(|i| i32::from(samples[i * channels + channel]).abs())
        .max()
        .unwrap()
}

#[test]
fn full_packet_has_every_page_escapes_text_and_redacts_text_and_audio() {
    let dir = tempfile::tempdir().unwrap();
    let night = build(dir.path());
    let out = dir.path().join("packet");
    let (code, stderr) = packet(&night, &out, &["--audio", "full"]);
    // The failed call's recording is broken: its audio is not asked for at all.
    assert_eq!(code, 0, "{stderr}");

    let index = read(&out.join("index.html"));
    assert!(index.contains(COLD) && index.contains(WARM));
    assert!(index.contains("<svg"), "score distributions are drawn");
    assert!(read(&out.join("catalogue.html")).contains("Ei kuulu meille."));

    let cold = read(&page_of(&out, COLD));
    assert!(!cold.contains(SCRIPT) && cold.contains("&lt;script&gt;alert(1)"));
    assert!(
        !cold.contains("<img src=x"),
        "attribute injection rendered as text"
    );
    assert!(!cold.contains(PHONE) && cold.contains("[puhelinnumero]"));
    assert!(cold.contains("on poistettu henkilötunnukset"));
    assert!(!cold.contains("redaction-off"));
    assert!(
        !cold.contains("http://") && !cold.contains("https://"),
        "no network resources"
    );

    let failed = read(&page_of(&out, FAILED));
    assert!(page_of(&out, FAILED).starts_with(out.join("calls")));
    assert!(!failed.contains(SCRIPT));
    assert!(index.contains("truncated WAV &lt;script&gt;"));

    let wav = out
        .join("audio")
        .join(format!("{}.wav", kuulas::names::file_name_for(COLD)));
    let (p0, p1) = PHONE_SPAN;
    assert!(
        peak(&wav, 1, 1.0, 2.0) > 10_000,
        "customer audible elsewhere"
    );
    assert!(peak(&wav, 1, p0, p1) < 2_000, "phone number beeped over");
    assert!(peak(&wav, 0, p0, p1) < 2_000, "on the agent channel too");
    assert!(peak(&wav, 1, p1 + 0.5, p1 + 1.0) > 10_000);
    let clips = std::fs::read_dir(out.join("audio")).unwrap().count();
    assert!(clips > 2, "moment clips written");
}

#[test]
fn no_redact_keeps_the_data_and_warns_on_every_page() {
    let dir = tempfile::tempdir().unwrap();
    let night = build(dir.path());
    let out = dir.path().join("packet");
    let (code, stderr) = packet(
        &night,
        &out,
        &["--no-redact", "--lang", "en", "--audio", "full"],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(read(&page_of(&out, COLD)).contains(PHONE));
    for page in [
        out.join("index.html"),
        out.join("catalogue.html"),
        page_of(&out, WARM),
    ] {
        let html = read(&page);
        assert!(html.contains("id=\"redaction-off\""), "{}", page.display());
        assert!(html.contains("PERSONAL DATA NOT REDACTED"));
    }
    let wav = out
        .join("audio")
        .join(format!("{}.wav", kuulas::names::file_name_for(COLD)));
    assert!(peak(&wav, 1, PHONE_SPAN.0, PHONE_SPAN.1) > 10_000);
}

#[test]
fn session_pairs_the_cold_and_warm_call_and_has_no_call_pages() {
    let dir = tempfile::tempdir().unwrap();
    let night = build(dir.path());
    let out = dir.path().join("session");
    let (code, stderr) = packet(&night, &out, &["--session", "--lang", "en"]);
    assert_eq!(code, 0, "{stderr}");
    let html = read(&out.join("index.html"));
    let cold_at = html
        .find("Cold call</span>: C-001")
        .expect("cold call shown");
    let warm_at = html
        .find("Warm call</span>: C-002")
        .expect("warm call shown");
    assert!(cold_at < warm_at);
    assert!(html.contains("Facilitator sheet") && html.contains("@media print"));
    assert!(!out.join("calls").exists());
}

#[test]
fn examples_rank_one_behaviour_by_points_times_confidence() {
    let dir = tempfile::tempdir().unwrap();
    let night = build(dir.path());
    let store = night.store.to_str().unwrap();
    let (code, stdout, stderr) = kuulas(&[
        "examples",
        "--store",
        store,
        "--behaviour",
        "greeting",
        "--json",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let found: Vec<serde_json::Value> = serde_json::from_str(&stdout).unwrap();
    let order: Vec<&str> = found
        .iter()
        .map(|e| e["call_id"].as_str().unwrap())
        .collect();
    assert_eq!(order, [WARM, COLD]);
    assert!((found[0]["weight"].as_f64().unwrap() - 9.0).abs() < 1e-9);
    let (_, text, _) = kuulas(&["examples", "--store", store, "--cautionary", "--top", "1"]);
    assert!(
        text.contains("bare_refusal") && text.contains(COLD),
        "{text}"
    );
}

/// A night's packet goes to managers on a share: clips by default, whole calls
/// (and their players) only when asked for.
#[test]
fn a_nights_packet_carries_clips_unless_whole_calls_are_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    let night = build(dir.path());
    let names = |out: &std::path::Path| -> Vec<String> {
        std::fs::read_dir(out.join("audio"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect()
    };
    let out = dir.path().join("packet");
    let (code, stderr) = packet(&night, &out, &[]);
    assert_eq!(code, 0, "{stderr}");
    let clips = names(&out);
    assert!(
        !clips.is_empty() && clips.iter().all(|n| n.contains("~m")),
        "{clips:?}"
    );
    let cold = read(&page_of(&out, COLD));
    assert!(!cold.contains("id=\"player\"") && cold.contains("~m1.wav"));

    let full = dir.path().join("full");
    let (code, stderr) = packet(&night, &full, &["--audio", "full"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        names(&full).iter().any(|n| !n.contains("~m")),
        "{:?}",
        names(&full)
    );
    assert!(read(&page_of(&full, COLD)).contains("id=\"player\""));

    let (code, stderr) = packet(&night, &dir.path().join("silent"), &["--audio", "none"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(!dir.path().join("silent/audio").exists());
}
