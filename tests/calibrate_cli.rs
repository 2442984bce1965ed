//! `kuulas calibrate` end to end through the real binary: a folder of labelled
//! transcripts scored with the built-in rubric against a labels CSV (figures,
//! disagreements, bad rows reported with file:line, exit code under
//! --min-kappa), a folder of labelled calls written as turns, and `kuulas run`'s
//! outputs (score files and the store) as the source of the calls.

mod batch_support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use batch_support::{Batch, code, stderr};
use kuulas::calibrate::Confusion;
use kuulas::metrics;
use kuulas::rubric::{self, Rubric};
use kuulas::transcript::Transcript;

const DEV: &str = "fixtures/labelled/asr/dev";

fn calibrate(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kuulas"))
        .env_remove("KUULAS_LOG")
        .arg("calibrate")
        .args(args)
        .output()
        .unwrap()
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            stderr(out)
        )
    })
}

/// What the built-in rubric finds in each dev transcript, by call id.
fn found(rubric: &Rubric) -> BTreeMap<String, Vec<String>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(DEV);
    let mut calls = BTreeMap::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        let Some(id) = name.strip_suffix(".transcript.json") else {
            continue;
        };
        let text = std::fs::read_to_string(&path).unwrap();
        let t = Transcript::from_json(&text, &name).unwrap();
        let card = rubric::score(&t, &metrics::compute(&t, None), rubric);
        calls.insert(
            id.to_string(),
            card.moments.into_iter().map(|m| m.behaviour).collect(),
        );
    }
    calls
}

fn confusion<'a>(items: impl Iterator<Item = (bool, bool)> + 'a) -> Confusion {
    let mut c = Confusion::default();
    items.for_each(|(reference, rater)| c.add(reference, rater));
    c
}

fn counts(value: &serde_json::Value) -> Confusion {
    let n = |k: &str| value[k].as_u64().unwrap() as usize;
    Confusion {
        tp: n("tp"),
        fp: n("fp"),
        fn_: n("fn"),
        tn: n("tn"),
    }
}

struct Labels {
    path: PathBuf,
    closing: Confusion,
    reviewers: Confusion,
    first: String,
    _dir: tempfile::TempDir,
}

/// Labels that agree with the rubric except where noted: closing is flipped on
/// the first call, a second reviewer flips empathy on the second call, and five
/// bad rows follow (lines 2 + 4·calls onwards).
fn labels(found: &BTreeMap<String, Vec<String>>) -> Labels {
    let has = |id: &str, b: &str| found[id].iter().any(|f| f == b);
    let ids: Vec<&String> = found.keys().collect();
    let mut csv = String::from("call_id,behaviour,present,reviewer,note\n");
    for (i, id) in ids.iter().enumerate() {
        let greeting = has(id, "greeting");
        let closing = has(id, "closing") != (i == 0);
        let empathy = has(id, "empathy");
        let second = empathy != (i == 1);
        csv += &format!("{id},greeting,{},anna,\n", greeting as u8);
        csv += &format!("{id},closing,{},anna,\"kiitos, ei\"\n", closing as u8);
        csv += &format!("{id},empathy,{},anna,\n", empathy as u8);
        csv += &format!("{id},empathy,{},ben,\n", second as u8);
    }
    let first = ids[0];
    csv += &format!("{first},greting,1,anna,\n");
    csv += "x99,greeting,1,anna,\n";
    csv += &format!("{first},greeting,{},anna,\n", has(first, "greeting") as u8);
    csv += &format!("{first},apology,1,cecilia,\n{first},apology,0,cecilia,\n");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("labels.csv");
    std::fs::write(&path, csv).unwrap();
    Labels {
        path,
        closing: confusion(
            ids.iter()
                .enumerate()
                .map(|(i, id)| (has(id, "closing") != (i == 0), has(id, "closing"))),
        ),
        reviewers: confusion(
            ids.iter()
                .enumerate()
                .map(|(i, id)| (has(id, "empathy"), has(id, "empathy") != (i == 1))),
        ),
        first: first.to_string(),
        _dir: dir,
    }
}

fn kappa(report: &serde_json::Value, behaviour: &str) -> Option<f64> {
    let b = report["behaviours"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["behaviour"] == behaviour)
        .unwrap_or_else(|| panic!("{behaviour} missing: {report}"));
    b["kappa"].as_f64()
}

#[test]
fn a_folder_of_transcripts_is_scored_and_compared_with_the_labels() {
    let found = found(&rubric::default_rubric());
    let calls = found.len();
    assert!(calls >= 20, "the dev set has {calls} transcripts");
    let l = labels(&found);
    let scores = Path::new(env!("CARGO_MANIFEST_DIR")).join(DEV);
    let labels_path = l.path.to_str().unwrap();
    let out = calibrate(&[
        "--labels",
        labels_path,
        "--scores",
        scores.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let report = json(&out);
    assert_eq!(report["calls"], calls);
    let behaviours: Vec<&str> = report["behaviours"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["behaviour"].as_str().unwrap())
        .collect();
    assert_eq!(
        behaviours,
        ["greeting", "empathy", "closing"],
        "rubric order"
    );
    let by_id = |id: &str| {
        report["behaviours"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["behaviour"] == id)
            .unwrap()
            .clone()
    };
    let closing = by_id("closing");
    assert_eq!(counts(&closing["confusion"]), l.closing);
    assert_eq!(closing["kappa"].as_f64(), l.closing.kappa());
    assert_eq!(closing["precision"].as_f64(), l.closing.precision());
    assert_eq!(closing["recall"].as_f64(), l.closing.recall());
    let greeting = by_id("greeting");
    let g = counts(&greeting["confusion"]);
    assert_eq!((g.fp, g.fn_, g.total()), (0, 0, calls), "agrees everywhere");
    let empathy = by_id("empathy");
    assert_eq!(empathy["contested"], 1);
    assert_eq!(counts(&empathy["confusion"]).total(), calls - 1);
    assert_eq!(counts(&empathy["reviewers"]["confusion"]), l.reviewers);
    assert_eq!(empathy["reviewers"]["kappa"].as_f64(), l.reviewers.kappa());
    // The one disagreement: closing on the first call, with its note and page.
    let d = report["disagreements"].as_array().unwrap();
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0]["call_id"], l.first.as_str());
    assert_eq!(d[0]["behaviour"], "closing");
    assert_eq!(d[0]["note"], "kiitos, ei");
    assert_eq!(d[0]["page"], format!("calls/{}.html", l.first));
    assert_eq!(d[0]["found"], !d[0]["labelled"].as_bool().unwrap());
    assert_eq!(d[0]["found"].as_bool().unwrap(), d[0]["quote"].is_string());
    // Every bad row is reported with file:line; the rest was still evaluated.
    let err = stderr(&out);
    let line = 2 + 4 * calls;
    for (n, what) in [
        (line, "behaviour `greting` is not in the rubric"),
        (line + 1, "call `x99` has no scores"),
        (line + 2, "duplicate of line 2"),
        (line + 4, &format!("contradicts line {}", line + 3)),
    ] {
        let wanted = format!("{labels_path}:{n}: {what}");
        assert!(err.contains(&wanted), "{wanted} missing from:\n{err}");
    }
    assert_eq!(report["problems"].as_array().unwrap().len(), 4);
}

#[test]
fn min_kappa_sets_the_exit_code_and_names_the_behaviours_below_it() {
    let found = found(&rubric::default_rubric());
    let l = labels(&found);
    let scores = Path::new(env!("CARGO_MANIFEST_DIR")).join(DEV);
    let closing = l.closing.kappa().unwrap();
    assert!(closing < 1.0);
    let args = |min: f64| {
        calibrate(&[
            "--labels",
            l.path.to_str().unwrap(),
            "--scores",
            scores.to_str().unwrap(),
            "--format",
            "json",
            "--min-kappa",
            &format!("{min}"),
        ])
    };
    let failing = args((closing + 0.01).min(1.0));
    assert_eq!(code(&failing), 1, "{}", stderr(&failing));
    assert_eq!(
        json(&failing)["below_min_kappa"],
        serde_json::json!(["closing"])
    );
    assert_eq!(kappa(&json(&failing), "closing"), Some(closing));
    let passing = args((closing - 0.01).max(-1.0));
    assert_eq!(code(&passing), 0, "{}", stderr(&passing));
    assert_eq!(json(&passing)["below_min_kappa"], serde_json::json!([]));
    let text = calibrate(&[
        "--labels",
        l.path.to_str().unwrap(),
        "--scores",
        scores.to_str().unwrap(),
        "--min-kappa",
        "1",
    ]);
    assert_eq!(code(&text), 1);
    let shown = String::from_utf8_lossy(&text.stdout);
    assert!(shown.contains("below --min-kappa"), "{shown}");
    assert!(
        shown.contains(&format!("calls/{}.html", l.first)),
        "{shown}"
    );
    let bad = calibrate(&[
        "--labels",
        l.path.to_str().unwrap(),
        "--scores",
        scores.to_str().unwrap(),
        "--min-kappa",
        "2",
    ]);
    assert_eq!(code(&bad), 2, "κ lies in [-1, 1]");
}

#[test]
fn a_folder_of_labelled_calls_is_scored_with_the_times_rubric_eval_gives_them() {
    // Labelled calls as written by hand (docs/labelling.md): turns, no transcripts.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/labelled/dev");
    let calls = rubric::labelled::load_dir(&dir).unwrap();
    let rubric = rubric::default_rubric();
    let behaviours = ["greeting", "closing", "bare_refusal"];
    let mut csv = String::from("call_id,behaviour,present,reviewer\n");
    let mut expected = vec![Confusion::default(); behaviours.len()];
    for (call, transcript) in &calls {
        let card = rubric::score(transcript, &metrics::compute(transcript, None), &rubric);
        for (b, confusion) in behaviours.iter().zip(&mut expected) {
            let labelled = call.present.iter().any(|p| p == b);
            let found = card.moments.iter().any(|m| m.behaviour == *b);
            confusion.add(labelled, found);
            csv += &format!("{},{b},{},author\n", call.id, labelled as u8);
        }
    }
    let tmp = tempfile::tempdir().unwrap();
    let labels = tmp.path().join("labels.csv");
    std::fs::write(&labels, csv).unwrap();
    let out = calibrate(&[
        "--labels",
        labels.to_str().unwrap(),
        "--scores",
        dir.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let report = json(&out);
    assert_eq!(report["calls"], calls.len());
    for (b, confusion) in behaviours.iter().zip(&expected) {
        let row = report["behaviours"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["behaviour"] == *b)
            .unwrap_or_else(|| panic!("{b} missing: {report}"));
        assert_eq!(counts(&row["confusion"]), *confusion, "{b}");
    }
    assert!(
        expected[0].tp > 0 && expected[2].tp + expected[2].fn_ > 0,
        "the labelled set has greetings and bare refusals"
    );
    // A folder with none of the three kinds of calls is a clear error.
    let empty = tempfile::tempdir().unwrap();
    let none = calibrate(&[
        "--labels",
        labels.to_str().unwrap(),
        "--scores",
        empty.path().to_str().unwrap(),
    ]);
    assert_eq!(code(&none), 2);
    assert!(
        stderr(&none).contains("no *.score.json, *.transcript.json or labelled *.toml files"),
        "{}",
        stderr(&none)
    );
}

#[test]
fn kuulas_run_outputs_and_its_store_give_the_same_figures() {
    let b = Batch::new();
    b.call("c1.wav", "Hyvää päivää, Kuulas Energia, Aino puhelimessa.");
    b.call("c2.wav", "No.");
    let run = b.run(&[]);
    assert_eq!(code(&run), 0, "{}", stderr(&run));
    let labels = b.dir.path().join("labels.csv");
    std::fs::write(
        &labels,
        "call_id,behaviour,present\nc1,greeting,1\nc2,greeting,1\n",
    )
    .unwrap();
    let from_files = calibrate(&[
        "--labels",
        labels.to_str().unwrap(),
        "--scores",
        b.out.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(code(&from_files), 0, "{}", stderr(&from_files));
    let files = json(&from_files);
    // What `kuulas run` found, read from its score files.
    let greeted: Vec<bool> = ["c1", "c2"]
        .iter()
        .map(|id| {
            let bytes = &b.files()[&format!("{id}.score.json")];
            let score: serde_json::Value = serde_json::from_slice(bytes).unwrap();
            score["moments"]
                .as_array()
                .unwrap()
                .iter()
                .any(|m| m["behaviour"] == "greeting" && m["verified"] != false)
        })
        .collect();
    assert!(greeted[0], "the first call opens with a greeting");
    let greeting = &files["behaviours"][0];
    assert_eq!(greeting["behaviour"], "greeting");
    let missed = greeted.iter().filter(|g| !**g).count();
    let c = counts(&greeting["confusion"]);
    assert_eq!(
        (c.tp, c.fp, c.fn_, c.tn),
        (2 - missed, 0, missed, 0),
        "{files}"
    );
    let disagreements = files["disagreements"].as_array().unwrap();
    assert_eq!(disagreements.len(), missed);
    if missed == 1 {
        assert_eq!(disagreements[0]["call_id"], "c2");
        assert_eq!(disagreements[0]["page"], "calls/c2.html");
    }
    let from_store = calibrate(&[
        "--labels",
        labels.to_str().unwrap(),
        "--store",
        b.store_path().to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(code(&from_store), 0, "{}", stderr(&from_store));
    let store = json(&from_store);
    assert_eq!(store["behaviours"], files["behaviours"]);
    // The packet shows the same report on its calibration page.
    let site = b.dir.path().join("packet");
    let packet = Command::new(env!("CARGO_BIN_EXE_kuulas"))
        .env_remove("KUULAS_LOG")
        .args(["packet", "--audio", "none", "--labels"])
        .arg(&labels)
        .arg("--store")
        .arg(b.store_path())
        .arg("--out")
        .arg(&site)
        .output()
        .unwrap();
    assert_eq!(code(&packet), 0, "{}", stderr(&packet));
    let html = std::fs::read_to_string(site.join("calibration.html")).unwrap();
    assert!(html.contains("<h1>Kalibrointi</h1>"), "{html}");
    let row = format!(
        "<td class=\"num\">{}</td><td class=\"num\">0</td><td class=\"num\">{missed}</td>",
        2 - missed
    );
    assert!(html.contains(&row), "{row} missing from {html}");
}
