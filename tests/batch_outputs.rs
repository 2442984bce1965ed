//! `kuulas run` output names end to end (issue 20, defect 3): every call gets its
//! own transcript and score file, even when one call's id is another call's
//! cleaned-up file name.

mod batch_support;

use batch_support::{Batch, code, stderr};
use sha2::{Digest, Sha256};

/// The name the old, non-injective scheme gave `sub/c`: `sub_c-<8 hex>`.
fn old_name_of_sub_c() -> String {
    format!("sub_c-{}", &hex::encode(Sha256::digest(b"sub/c"))[..8])
}

#[test]
fn a_call_id_equal_to_another_calls_file_name_gets_files_of_its_own() {
    let b = Batch::new();
    b.call("sub/c.wav", "Hyvää päivää, Aino täällä");
    b.call("other.wav", "no niin");
    let crafted = old_name_of_sub_c();
    b.file(
        "manifest.csv",
        format!("path,call_id\nother.wav,{crafted}\n").as_bytes(),
    );
    let out = b.run(&[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let files = b.files();
    assert_eq!(files.len(), 4, "two files per call: {:?}", files.keys());
    for id in ["sub/c", crafted.as_str()] {
        let name = kuulas::names::file_name_for(id);
        let score: serde_json::Value =
            serde_json::from_slice(&files[&format!("{name}.score.json")]).unwrap();
        assert_eq!(score["call_id"], id, "{name}.score.json belongs to {id}");
    }
}
