//! A night with broken recordings still completes: every bad file is recorded as
//! failed with its reason, the good ones are scored, and the exit code is 1.

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
    b.file("renamed.wav", b"ID3\x04\0\0\0\0\0\x21rest of an mp3");
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
    assert!(reason("empty").contains("0 bytes"));
    assert!(reason("truncated").contains("truncated"));
    assert!(reason("renamed").contains("MP3"));
    assert!(reason("adpcm").contains("unsupported codec"));
    assert!(reason("huono-\u{FFFD}-nimi").contains("not valid UTF-8"));
    assert_eq!(rows["good1"].status, CallStatus::Scored);
    assert_eq!(rows["day/good2"].status, CallStatus::Scored);
    assert_eq!(rows.len(), 7, "the loop adds no calls: {:?}", rows.keys());
    assert_eq!(b.files().len(), 4, "only the good calls have output files");
}
