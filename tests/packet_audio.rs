//! Issue 19, point 5: a packet never silently loses its audio. Recordings are
//! stored by absolute path, so a run with a relative `--input` gives a packet with
//! audio from any folder; a missing recording is named per call and exits 1;
//! `--run latest` skips a rerun that found nothing new, and says so; the files
//! follow the umask; `--run-dir` names the run's folder (`--out-dir-of-run` still works);
//! a PostgreSQL store works as it does for `status`.

mod packet_support;

#[path = "postgres_support/mod.rs"]
mod postgres_support;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use kuulas::names::file_name_for;
use kuulas::store::{PostgresStore, RunTotals, SqliteStore, Store};
use packet_support::*;

fn bin() -> std::path::PathBuf {
    std::env::var_os("KUULAS_TEST_BIN")
        .map(Into::into)
        .unwrap_or_else(|| env!("CARGO_BIN_EXE_kuulas").into())
}

fn text(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_run_with_a_relative_input_gives_a_packet_with_audio_from_any_folder() {
    let dir = tempfile::tempdir().unwrap();
    let rec = dir.path().join("rec");
    std::fs::create_dir_all(&rec).unwrap();
    write_recording(&rec.join("c1.wav"), false);
    std::fs::write(
        rec.join("c1.transcript.json"),
        transcript(false).to_string(),
    )
    .unwrap();
    let run = Command::new(bin())
        .current_dir(dir.path())
        .env("KUULAS_TEST_FIXTURE_TRANSCRIBER", "1")
        .args(["run", "--input", "rec", "--out", "out"])
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", text(&run));
    let store = SqliteStore::open_existing(&dir.path().join("out/kuulas.sqlite")).unwrap();
    let row = &store.calls(None).unwrap().rows[0];
    assert!(Path::new(&row.path).is_absolute(), "{}", row.path);
    drop(store);

    let elsewhere = tempfile::tempdir().unwrap();
    let packet = dir.path().join("packet");
    let made = Command::new(bin())
        .current_dir(elsewhere.path())
        .args(["packet", "--audio", "full", "--run-dir"])
        .arg(dir.path().join("out"))
        .arg("--out")
        .arg(&packet)
        .output()
        .unwrap();
    assert_eq!(made.status.code(), Some(0), "{}", text(&made));
    assert!(packet.join("audio/c1.wav").is_file(), "{}", text(&made));
    assert!(!text(&made).contains("warning"), "{}", text(&made));
}

#[test]
fn a_missing_recording_is_named_per_call_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let night = build(dir.path());
    let gone = dir
        .path()
        .join("rec")
        .join(format!("{}.wav", file_name_for(COLD)));
    std::fs::remove_file(&gone).unwrap();
    let out = dir.path().join("packet");
    let run_dir = night.out_dir.to_str().unwrap();
    let (code, _, stderr) = kuulas(&[
        "packet",
        "--audio",
        "full",
        "--run-dir",
        run_dir,
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{stderr}");
    let line = stderr
        .lines()
        .find(|l| l.contains("call C-001"))
        .unwrap_or_else(|| panic!("no warning for C-001: {stderr}"));
    assert!(
        line.contains(&gone.display().to_string())
            && line.contains("not found")
            && line.contains("Fix:"),
        "{line}"
    );
    assert!(!stderr.contains("call C-002"), "{stderr}");
    // The pages are still written; the warm call keeps its audio.
    assert!(page_of(&out, COLD).is_file());
    assert!(
        out.join(format!("audio/{}.wav", file_name_for(WARM)))
            .is_file()
    );

    let (code, _, stderr) = kuulas(&[
        "packet",
        "--run-dir",
        run_dir,
        "--out",
        out.to_str().unwrap(),
        "--audio",
        "none",
    ]);
    assert_eq!(code, 0, "no audio asked, none missed: {stderr}");
}

fn begin_empty_run(store: &mut dyn Store) -> i64 {
    let run = begin_next_night(store);
    store.finish_run(run, &RunTotals::default()).unwrap();
    run
}

#[test]
fn latest_is_the_latest_run_that_processed_calls_and_says_which() {
    let dir = tempfile::tempdir().unwrap();
    let night = build(dir.path());
    let rerun = begin_empty_run(&mut SqliteStore::open(&night.store).unwrap());
    let out = dir.path().join("packet");
    let (code, _, stderr) = kuulas(&[
        "packet",
        "--store",
        night.store.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        page_of(&out, COLD).is_file(),
        "the night's calls, not an empty packet"
    );
    assert!(
        stderr.contains(&format!(
            "run {rerun} processed no calls (nothing new); showing run 1"
        )),
        "{stderr}"
    );
    let index = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(
        index.contains("kuulas · ajo 1"),
        "the title names the run shown"
    );

    // Asked for by id, the empty run makes an empty packet that says so.
    let (code, _, stderr) = kuulas(&[
        "packet",
        "--store",
        night.store.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--run",
        &rerun.to_string(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("the run holds no calls"), "{stderr}");
    let index = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(
        index.contains("Tässä ajossa ei käsitelty yhtään puhelua"),
        "{index}"
    );
}

#[test]
fn a_store_whose_runs_processed_nothing_is_an_explicit_error() {
    let dir = tempfile::tempdir().unwrap();
    let store_path = dir.path().join("kuulas.sqlite");
    begin_empty_run(&mut SqliteStore::open(&store_path).unwrap());
    let out = dir.path().join("packet");
    let (code, _, stderr) = kuulas(&[
        "packet",
        "--store",
        store_path.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("no run in the store") && stderr.contains("processed a call"),
        "{stderr}"
    );
    assert!(!out.exists());
}

#[test]
fn the_packet_follows_the_umask_and_the_old_flag_name_still_works() {
    let dir = tempfile::tempdir().unwrap();
    let night = build(dir.path());
    let out = dir.path().join("packet");
    let made = Command::new("sh")
        .arg("-c")
        .arg(r#"umask 027 && exec "$0" "$@""#)
        .arg(bin())
        .args(["packet", "--out-dir-of-run"])
        .arg(&night.out_dir)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(made.status.code(), Some(0), "{}", text(&made));
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&out.join("index.html")), 0o640);
    assert_eq!(mode(&page_of(&out, COLD)), 0o640);
    assert_eq!(mode(&out), 0o750);
    assert_eq!(mode(&out.join("calls")), 0o750);

    let (_, help, _) = kuulas(&["packet", "--help"]);
    assert!(help.contains("--run-dir <DIR>"), "{help}");
    assert!(
        !help.contains("out-dir-of-run"),
        "the old name is a hidden alias"
    );
}

#[test]
fn a_postgres_store_gives_the_same_packet() {
    let Some(db) = postgres_support::database("a_postgres_store_gives_the_same_packet") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut store = PostgresStore::connect(&db.url).unwrap();
    build_into(dir.path(), &mut store);
    drop(store);
    let out = dir.path().join("packet");
    let (code, _, stderr) = kuulas(&[
        "packet",
        "--audio",
        "full",
        "--store",
        &db.url,
        "--run-dir",
        dir.path().join("out").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    let page = std::fs::read_to_string(page_of(&out, COLD)).unwrap();
    assert!(
        page.contains("Ei kuulu meille."),
        "the score file's moments are read"
    );
    assert!(
        out.join(format!("audio/{}.wav", file_name_for(WARM)))
            .is_file()
    );
}
