//! Contact reasons end to end through the real binary: `kuulas run` (fixture
//! transcriber, built-in taxonomy) stores each call's reason; `kuulas reasons
//! retag` with a changed copy of the built-in taxonomy tags the stored
//! transcripts again without audio; `kuulas export` carries the reason, the
//! customer key and the call's place among its customer's calls (its outcome
//! with `--days` and `--as-of` as well); `kuulas across
//! --format json` gives first-contact resolution per reason.

use std::collections::BTreeMap;
use std::process::{Command, Output};

use serde_json::Value;

mod batch_support;
use batch_support::{Batch, code, recording, stderr};

/// Customer A's phone number: it must never reach an output.
const PHONE: &str = "+358401234567";

/// The calls: id, what the customer says first, manifest columns after the id.
const CALLS: &[(&str, &str, &str)] = &[
    (
        "c1",
        "Hei. Mun lasku on ihan väärin, siinä on liikaa.",
        "2026-11-16T09:00:00+02:00,,+358401234567,inbound",
    ),
    (
        "c2",
        "Moi, soitin jo maanantaina, laskussa on edelleen virhe.",
        "2026-11-18T10:00:00+02:00,,+358401234567,inbound",
    ),
    (
        "c3",
        "Meillä ei toimi netti ollenkaan.",
        "2026-11-17T11:00:00+02:00,B-2,,inbound",
    ),
    (
        "c4",
        "Mä muutan ensi kuussa Tampereelle.",
        "2026-11-19T12:00:00+02:00,B-2,,inbound",
    ),
    (
        "c5",
        "Joo, kiitos soitosta.",
        "2026-11-18T15:00:00+02:00,,+358401234567,outbound",
    ),
];

/// A transcript in the recording's time: the agent's greeting, the customer's
/// statement, the agent's answer, the customer's thanks.
fn transcript(need: &str) -> String {
    serde_json::json!({
        "schema_version": 1,
        "duration": 12.0,
        "language": "fi",
        "attribution": "channels",
        "segments": [
            {"party": "agent", "start": 0.5, "end": 2.5, "text": "Asiakaspalvelu, Aino hei."},
            {"party": "customer", "start": 3.0, "end": 6.0, "text": need},
            {"party": "agent", "start": 6.5, "end": 9.0, "text": "Selvä, katsotaan."},
            {"party": "customer", "start": 9.5, "end": 11.0, "text": "Kiitos."},
        ],
    })
    .to_string()
}

fn batch() -> Batch {
    let b = Batch::new();
    let audio = std::fs::read(recording(batch_support::CALL, "ulaw8k.wav")).unwrap();
    let mut manifest =
        String::from("path,call_id,started_at,customer_id,customer_phone,direction\n");
    for (id, need, columns) in CALLS {
        b.file(&format!("{id}.wav"), &audio);
        b.file(
            &format!("{id}.transcript.json"),
            transcript(need).as_bytes(),
        );
        manifest.push_str(&format!("{id}.wav,{id},{columns}\n"));
    }
    b.file("manifest.csv", manifest.as_bytes());
    b
}

fn kuulas(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kuulas"))
        .env_remove("KUULAS_LOG")
        .args(args)
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A call's reason columns as stored.
struct StoredTag {
    reason: Option<String>,
    quote: Option<String>,
    at_s: Option<f64>,
}

/// Every call's reason, quote and time, from the store itself.
fn stored(b: &Batch) -> BTreeMap<String, StoredTag> {
    let conn = rusqlite::Connection::open(b.store_path()).unwrap();
    let mut stmt = conn
        .prepare("SELECT call_id, reason_id, reason_quote, reason_at_s FROM calls")
        .unwrap();
    stmt.query_map([], |r| {
        let tag = StoredTag {
            reason: r.get(1)?,
            quote: r.get(2)?,
            at_s: r.get(3)?,
        };
        Ok((r.get(0)?, tag))
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

/// The built-in taxonomy, changed as an organisation would: moving house gets a
/// reason of its own instead of counting as a contract change.
fn changed_taxonomy(b: &Batch) -> String {
    let built_in = stdout(&kuulas(&["reasons", "show"]));
    assert!(
        built_in.contains("  \"=muutan\",\n"),
        "the built-in taxonomy changed"
    );
    let example = "  \"Mä muutan ens kuussa Tampereelle, mitä mun sähkölle pitää tehdä?\",\n";
    assert!(built_in.contains(example), "the built-in taxonomy changed");
    let changed = built_in
        .replace("  \"=muutan\",\n", "")
        .replace(example, "")
        + "\n[[reason]]\nid = \"moving\"\nlabel = \"Muutto\"\n\
           patterns = [\"=muutan\", \"=muutetaan\", \"muutto\"]\n\
           examples = [\"Mä muutan ensi kuussa.\"]\n\
           counter_examples = [\"Netti ei toimi.\"]\n";
    let path = b.dir.path().join("reasons.toml");
    std::fs::write(&path, changed).unwrap();
    path.to_string_lossy().into_owned()
}

fn csv_rows(text: &str) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            let row: BTreeMap<String, String> = header
                .iter()
                .cloned()
                .zip(rec.iter().map(String::from))
                .collect();
            (row["call_id"].clone(), row)
        })
        .collect()
}

#[test]
fn reasons_are_tagged_stored_retagged_exported_and_resolved_per_reason() {
    let b = batch();
    let out = b.run(&["--no-verify"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));

    let tags = stored(&b);
    let reason = |id: &str| tags[id].reason.as_deref();
    assert_eq!(reason("c1"), Some("invoice_payment"));
    assert_eq!(reason("c2"), Some("invoice_payment"));
    assert_eq!(reason("c3"), Some("fault_outage"));
    assert_eq!(reason("c4"), Some("contract_change"));
    assert_eq!(reason("c5"), None, "thanks are no reason");
    let StoredTag { quote, at_s, .. } = &tags["c1"];
    assert_eq!(
        quote.as_deref(),
        Some("Hei. Mun lasku on ihan väärin, siinä on liikaa.")
    );
    assert!(at_s.is_some_and(|t| (3.0..6.0).contains(&t)), "{at_s:?}");

    // A malformed taxonomy is refused by line; the changed one passes its own test.
    let broken = b.dir.path().join("broken.toml");
    std::fs::write(
        &broken,
        "schema_version = 1\nid = \"x\"\nversion = \"1\"\n[[reason]]\nid = \"a\"\nlabel = \"A\"\npatterns = [\"(lasku|\"]\n",
    )
    .unwrap();
    let check = kuulas(&["reasons", "check", broken.to_str().unwrap()]);
    assert_eq!(code(&check), 1);
    assert!(
        stderr(&check).contains("broken.toml:7: bad pattern `(lasku|`"),
        "{}",
        stderr(&check)
    );
    let taxonomy = changed_taxonomy(&b);
    let test = kuulas(&["reasons", "test", &taxonomy]);
    assert_eq!(code(&test), 0, "{}", stdout(&test));

    // The run recorded the built-in taxonomy: `status` is quiet about it, and
    // given the changed taxonomy says the stored tags are not its own.
    let store = b.store_path();
    let status = |taxonomy: &[&str]| {
        let out = kuulas(&[&["status", "--store", store.to_str().unwrap()], taxonomy].concat());
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        stderr(&out)
    };
    assert!(!status(&[]).contains("warning"), "{}", status(&[]));
    let warned = status(&["--taxonomy", &taxonomy]);
    assert!(
        warned.contains(
            "warning: 5 scored calls were tagged with taxonomy kuulas-fi-reasons 1 (sha256 "
        ),
        "{warned}"
    );
    assert!(warned.contains("run `kuulas reasons retag`"), "{warned}");

    // Retag from the stored transcripts: the recordings are gone, so nothing
    // could have been heard again.
    for (id, _, _) in CALLS {
        std::fs::remove_file(b.input.join(format!("{id}.wav"))).unwrap();
    }
    let retag = kuulas(&[
        "reasons",
        "retag",
        "--store",
        store.to_str().unwrap(),
        "--taxonomy",
        &taxonomy,
    ]);
    assert_eq!(code(&retag), 0, "{}", stderr(&retag));
    assert!(
        stderr(&retag).contains("5 scored calls, 4 with a reason, 1 changed"),
        "{}",
        stderr(&retag)
    );
    let tags = stored(&b);
    assert_eq!(tags["c4"].reason.as_deref(), Some("moving"));
    assert_eq!(tags["c1"].reason.as_deref(), Some("invoice_payment"));
    // The retag recorded its taxonomy: now the built-in one is the other one.
    assert!(
        !status(&["--taxonomy", &taxonomy]).contains("warning"),
        "{}",
        status(&["--taxonomy", &taxonomy])
    );
    assert!(status(&[]).contains("warning: 5 scored calls"));

    // The export: reason, customer and the call's place among the customer's calls.
    let export = b.export(&["--format", "csv"]);
    assert_eq!(code(&export), 0, "{}", stderr(&export));
    let text = stdout(&export);
    assert!(
        !text.contains(PHONE) && !text.contains("401234567"),
        "{text}"
    );
    let rows = csv_rows(&text);
    let cell = |id: &str, column: &str| rows[id][column].clone();
    assert!(cell("c1", "customer_key").starts_with("tel:"));
    assert_eq!(cell("c3", "customer_key"), "B-2");
    assert_eq!(cell("c5", "direction"), "outbound");
    assert_eq!(cell("c4", "reason_id"), "moving");
    assert_eq!(cell("c5", "reason_id"), "");
    let confidence: f64 = cell("c1", "reason_confidence").parse().unwrap();
    assert!((0.25..=1.0).contains(&confidence), "{confidence}");
    let outcomes: Vec<String> = ["c1", "c2", "c3", "c4", "c5"]
        .iter()
        .map(|id| cell(id, "fcr_outcome"))
        .collect();
    assert_eq!(outcomes, ["repeated", "repeat", "resolved", "resolved", ""]);
    // The outcome follows --days and --as-of, as `kuulas across` does: in a one-day
    // window c2 (two days after c1) is a first contact of its own; as of c4's
    // afternoon the fault and the move are still within their seven days.
    let outcomes = |extra: &[&str]| {
        let export = b.export(&[&["--format", "csv"], extra].concat());
        assert_eq!(code(&export), 0, "{}", stderr(&export));
        let rows = csv_rows(&stdout(&export));
        ["c1", "c2", "c3", "c4", "c5"].map(|id| rows[id]["fcr_outcome"].clone())
    };
    assert_eq!(
        outcomes(&["--days", "1"]),
        ["resolved", "resolved", "resolved", "resolved", ""]
    );
    assert_eq!(
        outcomes(&["--as-of", "2026-11-19T13:00:00+02:00"]),
        ["repeated", "repeat", "pending", "pending", ""]
    );
    let bad = b.export(&["--format", "csv", "--as-of", "tomorrow"]);
    assert_eq!(code(&bad), 2);
    assert!(
        stderr(&bad).contains("--as-of tomorrow: not an RFC 3339 time"),
        "{}",
        stderr(&bad)
    );
    assert_eq!(
        (cell("c2", "previous_call_id"), cell("c2", "next_call_id")),
        ("c1".to_string(), "c5".to_string())
    );
    assert_eq!(cell("c3", "previous_call_id"), "");
    assert_eq!(cell("c3", "next_call_id"), "c4");

    let jsonl = stdout(&b.export(&["--format", "jsonl"]));
    let c4: Value = jsonl
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|v| v["call_id"] == "c4")
        .unwrap();
    assert_eq!(c4["reason_id"], "moving");
    assert_eq!(c4["fcr_outcome"], "resolved");
    assert_eq!(c4["previous_call_id"], "c3");

    // Across calls, as of Monday 23 November noon: this week from the 16th noon.
    let across = kuulas(&[
        "across",
        "--store",
        store.to_str().unwrap(),
        "--as-of",
        "2026-11-23T12:00:00+02:00",
        "--taxonomy",
        &taxonomy,
        "--format",
        "json",
    ]);
    assert_eq!(code(&across), 0, "{}", stderr(&across));
    assert!(!stderr(&across).contains("warning"), "{}", stderr(&across));
    let figures: Value = serde_json::from_str(&stdout(&across)).unwrap();
    let reasons = &figures["reasons"];
    assert_eq!(reasons["untagged_inbound_calls"], 0);
    let by_reason: BTreeMap<String, &Value> = reasons["by_reason"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["reason"].as_str().unwrap().to_string(), r))
        .collect();
    let invoice = by_reason["invoice_payment"];
    assert_eq!(invoice["label"], "Lasku ja maksu");
    assert_eq!(by_reason["moving"]["label"], "Muutto");
    assert_eq!(invoice["calls"], 2);
    assert_eq!(invoice["first_contact_resolution"]["repeated"], 1);
    assert_eq!(invoice["first_contact_resolution"]["repeat_calls"], 1);
    assert_eq!(invoice["first_contact_resolution"]["fcr"], 0.0);
    assert_eq!(
        (&invoice["this_week"], &invoice["previous_week"]),
        (&1.into(), &1.into())
    );
    let fault = by_reason["fault_outage"];
    assert_eq!(fault["first_contact_resolution"]["pending"], 1);
    assert_eq!(fault["first_contact_resolution"]["fcr"], Value::Null);
    let duration = fault["mean_duration_s"].as_f64().unwrap();
    assert!(duration > 11.0, "the recording's length: {duration}");
    let rising: Vec<&str> = reasons["rising"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["reason"].as_str().unwrap())
        .collect();
    assert_eq!(rising, ["fault_outage", "moving"]);
    // The same per-reason rates in the FCR block and in the text report.
    let by_reason_fcr = figures["first_contact_resolution"]["by_reason"]
        .as_array()
        .unwrap();
    assert!(
        by_reason_fcr
            .iter()
            .any(|r| r["name"] == "moving" && r["label"] == "Muutto")
    );
    // The text names reasons by the given taxonomy's labels; the built-in
    // taxonomy has no `moving`, so without --taxonomy it reads as its id.
    let across_text = |taxonomy: &[&str]| {
        let mut args = vec![
            "across",
            "--store",
            store.to_str().unwrap(),
            "--as-of",
            "2026-11-23T12:00:00+02:00",
        ];
        args.extend_from_slice(taxonomy);
        stdout(&kuulas(&args))
    };
    let text = across_text(&["--taxonomy", &taxonomy]);
    assert!(text.contains("Why customers call"), "{text}");
    assert!(
        text.contains("rising: Vika tai katko +1, Muutto +1"),
        "{text}"
    );
    assert!(!text.contains("fault_outage"), "{text}");
    let text = across_text(&[]);
    assert!(
        text.contains("rising: Vika tai katko +1, moving +1"),
        "{text}"
    );
}
