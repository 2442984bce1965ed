//! Issue 19, "done when": on a batch of two-party calls with known cold and warm
//! calls, each also in a second encoding, the session pairs only cold against
//! warm, never a call against itself, and says why. The demo's night: the four
//! generated fixture calls as 8 kHz μ-law stereo and as 16 kHz mono
//! (`scripts/make-fixtures.sh`), run through `kuulas run` with the fixture
//! transcriber (real decoding, metrics, rubric; the words from the calls' truth).
//! As in the demo, where Whisper heard the mono copy of the warm call worse, that
//! copy's transcript opens coldly: scored cold, it is the strongest contrast to its
//! own stereo original, and only the recordings' fingerprints keep them apart.

#[path = "audio_support/mod.rs"]
mod audio_support;
mod packet_support;

use std::process::Command;

const SCRIPTS: [&str; 4] = [
    "cold_refusal",
    "hold_thanks",
    "justified_refusal",
    "warm_solution",
];

fn transcript(script: &str, mono: bool, cold_opening: bool) -> String {
    let truth = audio_support::truth(script);
    let mut opened = false;
    let segments: Vec<serde_json::Value> = truth
        .iter()
        .map(|u| {
            let first = u.party == "agent" && !std::mem::replace(&mut opened, true);
            let text = if first && cold_opening {
                "No? Ei kuulu meille. Soittakaa toiseen numeroon."
            } else {
                u.text.as_str()
            };
            serde_json::json!({"party": u.party, "start": u.start, "end": u.end, "text": text})
        })
        .collect();
    serde_json::json!({
        "schema_version": 1,
        "duration": truth.last().map_or(0.0, |u| u.end + 0.5),
        "language": "fi",
        "attribution": if mono { "estimated" } else { "channels" },
        "segments": segments,
    })
    .to_string()
}

#[test]
fn the_demo_night_pairs_cold_with_warm_and_never_a_call_with_its_other_encoding() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("recordings");
    std::fs::create_dir_all(&input).unwrap();
    for script in SCRIPTS {
        for (format, mono) in [("ulaw8k", false), ("mono16k", true)] {
            let name = format!("{script}.{format}");
            std::fs::copy(
                audio_support::fixtures().join(format!("{name}.wav")),
                input.join(format!("{name}.wav")),
            )
            .unwrap();
            let cold = script == "warm_solution" && mono;
            std::fs::write(
                input.join(format!("{name}.transcript.json")),
                transcript(script, mono, cold),
            )
            .unwrap();
        }
    }
    let out = dir.path().join("out");
    let run = Command::new(env!("CARGO_BIN_EXE_kuulas"))
        .env("KUULAS_TEST_FIXTURE_TRANSCRIBER", "1")
        .arg("run")
        .arg("--input")
        .arg(&input)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let session = dir.path().join("session");
    let (code, _, stderr) = packet_support::kuulas(&[
        "packet",
        "--run-dir",
        out.to_str().unwrap(),
        "--session",
        "--lang",
        "en",
        "--out",
        session.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    let html = std::fs::read_to_string(session.join("index.html")).unwrap();
    let pairs: Vec<&str> = html
        .split("<section class=\"pair-block\">")
        .skip(1)
        .collect();
    assert!(
        !pairs.is_empty(),
        "the night has a cold and a warm call: {html}"
    );
    let mut seen_scripts = Vec::new();
    for pair in &pairs {
        let id = |kind: &str| {
            let at = pair
                .find(&format!("{kind}</span>: "))
                .unwrap_or_else(|| panic!("no {kind} in {pair}"));
            let rest = &pair[at + kind.len() + "</span>: ".len()..];
            rest[..rest.find('<').unwrap()].to_string()
        };
        let (cold, warm) = (id("Cold call"), id("Warm call"));
        let script = |call: &str| call.split('.').next().unwrap().to_string();
        assert_ne!(
            script(&cold),
            script(&warm),
            "one call against itself: {cold} / {warm}"
        );
        assert!(
            script(&cold).starts_with("cold") || cold == "warm_solution.mono16k",
            "{cold} is not a cold call"
        );
        assert!(
            ["warm_solution", "hold_thanks", "justified_refusal"].contains(&script(&warm).as_str()),
            "{warm} is not a warm call"
        );
        assert!(pair.contains("Why this pair"), "{pair}");
        for s in [script(&cold), script(&warm)] {
            assert!(
                !seen_scripts.contains(&s),
                "{s} is in two pairs (two encodings)"
            );
            seen_scripts.push(s);
        }
    }
}
