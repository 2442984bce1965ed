//! `kuulas packet` owns its output folder (issue 20, defect 1): a packet replaces
//! the one already in the folder whole — no page or WAV of an earlier packet
//! survives, redacted or not — a folder that is not a kuulas packet is refused,
//! and what a killed `kuulas packet` left behind is swept.

mod packet_support;

use std::path::{Path, PathBuf};

use packet_support::*;

fn packet(night: &Night, dir: &Path, extra: &[&str]) -> (i32, String) {
    let store = night.store.to_str().unwrap();
    let out = dir.to_str().unwrap();
    let mut args = vec!["packet", "--store", store, "--out", out];
    args.extend_from_slice(extra);
    let (code, _, stderr) = kuulas(&args);
    (code, stderr)
}

/// Every file under `dir`, relative to it.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                found.push(path.strip_prefix(dir).unwrap().to_path_buf());
            }
        }
    }
    found.sort();
    found
}

#[test]
fn a_redacted_packet_leaves_nothing_of_an_unredacted_one_in_its_folder() {
    let dir = tempfile::tempdir().unwrap();
    let night = build(dir.path());
    let out = dir.path().join("packet");
    let (code, stderr) = packet(&night, &out, &["--no-redact", "--audio", "full"]);
    assert_eq!(code, 0, "{stderr}");
    let whole = out
        .join("audio")
        .join(format!("{}.wav", kuulas::names::file_name_for(COLD)));
    assert!(
        whole.is_file(),
        "the unredacted packet carries the whole call"
    );

    let (code, stderr) = packet(&night, &out, &["--audio", "clips"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(!whole.exists(), "the unredacted whole-call WAV is gone");
    for file in files(&out) {
        let bytes = std::fs::read(out.join(&file)).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains(PHONE) && !text.contains("redaction-off"),
            "{} is left from the unredacted packet",
            file.display()
        );
    }
    assert!(
        stderr.contains("replaced the previous packet") && stderr.contains("NOT redacted"),
        "{stderr}"
    );
}

#[test]
fn the_next_nights_packet_does_not_keep_the_first_nights_calls() {
    let dir = tempfile::tempdir().unwrap();
    let night = build(dir.path());
    let out = dir.path().join("packet");
    let (code, stderr) = packet(&night, &out, &["--run", "1"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(page_of(&out, COLD).is_file());

    // The second night: one new call, in run 2.
    add_second_night(&night, Path::new("/nowhere/n2.wav"), 60.0);

    // Its recording is not on this machine: no audio asked, none missed.
    let (code, stderr) = packet(&night, &out, &["--run", "2", "--audio", "none"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(page_of(&out, "N2-001").is_file());
    for old in [COLD, WARM, FAILED] {
        assert!(
            !page_of(&out, old).exists(),
            "{old} is from the first night"
        );
    }
    let audio = out.join("audio");
    assert!(
        !audio.exists() || std::fs::read_dir(&audio).unwrap().count() == 0,
        "the first night's audio is gone: {:?}",
        files(&out)
    );
}

#[test]
fn a_folder_that_is_not_a_packet_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let night = build(dir.path());
    let out = dir.path().join("documents");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("budget.xlsx"), b"numbers").unwrap();
    let (code, stderr) = packet(&night, &out, &[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("not a kuulas packet") && stderr.contains("budget.xlsx"),
        "{stderr}"
    );
    assert_eq!(files(&out), [PathBuf::from("budget.xlsx")]);

    // An empty folder is fine, and a packet made there may be replaced.
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    assert_eq!(packet(&night, &empty, &[]).0, 0);
    assert_eq!(packet(&night, &empty, &[]).0, 0);
    assert!(empty.join(kuulas::packet::MARKER).is_file());
}

#[test]
fn what_a_killed_packet_left_behind_is_swept() {
    let dir = tempfile::tempdir().unwrap();
    let night = build(dir.path());
    let out = dir.path().join("packet");
    assert_eq!(packet(&night, &out, &[]).0, 0);
    // A kill mid-write leaves a half-built packet beside the folder, and an older
    // kuulas left half-written files inside it.
    let staging = dir.path().join(".kuulas-packet-packet.Ab3dE6gH.tmp");
    std::fs::create_dir_all(staging.join("calls")).unwrap();
    std::fs::write(staging.join("calls/x.html"), PHONE).unwrap();
    std::fs::write(out.join("calls/.kuulas-Zx81Qa.tmp"), PHONE).unwrap();
    let other = dir.path().join(".kuulas-packet-packet.lock.Ab3dE6gH.tmp");
    std::fs::create_dir(&other).unwrap();

    let (code, stderr) = packet(&night, &out, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(!staging.exists(), "the half-built packet is swept");
    assert!(!out.join("calls/.kuulas-Zx81Qa.tmp").exists());
    assert!(
        other.exists(),
        "another folder's temporary is not this packet's"
    );
    assert!(stderr.contains("removed 1 temporary folder"), "{stderr}");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".kuulas-packet-packet.") && n.ends_with(".tmp"))
        .collect();
    assert_eq!(leftovers, [".kuulas-packet-packet.lock.Ab3dE6gH.tmp"]);
}
