//! A night with broken recordings still completes: every bad file is recorded as
//! failed with the audio stage's reason, the good ones are scored, and the exit
//! code is 1. What the audio stage can read is read, whatever the file is called.

mod batch_support;

use batch_support::{Batch, code, stderr, wav};
use kuulas::store::CallStatus;

#[cfg(unix)]
#[test]
fn bad_recordings_fail_alone_and_the_batch_completes_with_exit_code_1() {
    use std::os::unix::ffi::OsStrExt;

    let b = Batch::new();
    b.call("good1.wav", "moi");
    b.call("day/good2.wav", "hei");
    b.file("empty.wav", b"");
    let mut truncated = wav(1600);
    truncated.truncate(500);
    b.file("truncated.wav", &truncated);
    b.call_as("renamed.wav", "mp3", "moi"); // an MP3 named .wav: the content decides
    b.file("fake.mp3", b"ID3\x04\0\0\0\0\0\x21rest of an mp3");
    let mut adpcm = wav(1600);
    adpcm[20] = 0x11; // IMA ADPCM format code
    b.file("adpcm.wav", &adpcm);
    let bad_name = std::ffi::OsStr::from_bytes(b"huono-\xff-nimi.wav");
    std::fs::write(b.input.join(bad_name), wav(1600)).unwrap();
    std::os::unix::fs::symlink(&b.input, b.input.join("day/loop")).unwrap();

    let out = b.command(0).output().unwrap();
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("symlink loop"), "{}", stderr(&out));

    let rows = b.rows();
    let reason = |id: &str| {
        let row = &rows[id];
        assert_eq!(row.status, CallStatus::Failed, "{id}");
        row.failure_reason.clone().unwrap()
    };
    for (id, says) in [
        ("empty", "contains no audio"),
        ("truncated", "is truncated"),
        ("fake", "fake.mp3 is truncated"),
        ("adpcm", "cannot decode"),
        ("huono-\u{FFFD}-nimi", "not valid UTF-8"),
    ] {
        let reason = reason(id);
        assert!(reason.contains(says), "{id}: {reason}");
    }
    for id in ["good1", "day/good2", "renamed"] {
        assert_eq!(rows[id].status, CallStatus::Scored, "{id}");
    }
    assert_eq!(rows.len(), 8, "the loop adds no calls: {:?}", rows.keys());
    assert_eq!(b.files().len(), 6, "only the good calls have output files");
}

/// A bad setting stops the run before the output directory or the store exists:
/// a rerun with the setting fixed starts from a clean slate.
#[test]
fn a_bad_rubric_or_model_leaves_no_store_behind() {
    let b = Batch::new();
    b.call("a.wav", "moi");
    let rubric = b.dir.path().join("bad.toml");
    std::fs::write(&rubric, "schema_version = 1\n[[dimension]\n").unwrap();
    let out = b.run(&["--rubric", rubric.to_str().unwrap()]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("bad.toml"), "{}", stderr(&out));
    assert!(!b.out.exists(), "{} was created", b.out.display());

    // Whisper itself (no fixture transcriber): the model is loaded up front.
    let model = b.dir.path().join("not-a-model.bin");
    std::fs::write(&model, b"not a model").unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kuulas"))
        .env_remove("KUULAS_TEST_FIXTURE_TRANSCRIBER")
        .arg("run")
        .arg("--input")
        .arg(&b.input)
        .arg("--out")
        .arg(&b.out)
        .arg("--model")
        .arg(&model)
        .output()
        .unwrap();
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("not-a-model.bin"), "{}", stderr(&out));
    assert!(!b.store_path().exists(), "the store was created");
    assert!(!b.out.exists(), "{} was created", b.out.display());
}
