//! Contact reasons on a PostgreSQL store: a store of the schema before reasons
//! is migrated (its calls untagged), `kuulas run` stores each call's reason as
//! with SQLite, and `kuulas reasons retag` with a changed taxonomy rewrites the
//! tags from the stored transcripts; each run records the taxonomy it tagged
//! with, a retag its own, and `kuulas across` warns when the stored tags are
//! another taxonomy's than the one given.

mod batch_support;
mod postgres_support;

use std::collections::BTreeMap;
use std::process::Command;

use batch_support::{Batch, code, recording, stderr};
use kuulas::batch::stamp;
use kuulas::reasons::{default_taxonomy, resolve};
use kuulas::store::{PostgresStore, Store, TaggedWith};

/// The customer's statement of need per call.
const NEEDS: &[(&str, &str)] = &[
    ("c1", "Meillä ei toimi netti ollenkaan."),
    ("c2", "Mä muutan ensi kuussa Tampereelle."),
];

fn transcript(need: &str) -> String {
    serde_json::json!({
        "schema_version": 1,
        "duration": 8.0,
        "language": "fi",
        "attribution": "channels",
        "segments": [
            {"party": "agent", "start": 0.5, "end": 2.5, "text": "Asiakaspalvelu, Aino hei."},
            {"party": "customer", "start": 3.0, "end": 6.0, "text": need},
        ],
    })
    .to_string()
}

fn reasons(url: &str) -> BTreeMap<String, Option<String>> {
    PostgresStore::connect(url)
        .unwrap()
        .contacts()
        .unwrap()
        .into_iter()
        .map(|c| (c.call_id, c.reason_id))
        .collect()
}

#[test]
fn reasons_migrate_run_and_retag_on_postgres() {
    let Some(db) = postgres_support::database("reasons_postgres") else {
        return;
    };
    // A store as the schema before reasons left it: the reason and taxonomy
    // columns gone and the version two back. Connecting migrates it again.
    drop(PostgresStore::connect(&db.url).unwrap());
    let mut client = postgres::Client::connect(&db.url, postgres::NoTls).unwrap();
    client
        .batch_execute(
            "ALTER TABLE calls DROP COLUMN reason_id, DROP COLUMN reason_confidence,
                DROP COLUMN reason_quote, DROP COLUMN reason_at_s, DROP COLUMN reasons_secondary;
             ALTER TABLE runs DROP COLUMN taxonomy_id, DROP COLUMN taxonomy_version,
                DROP COLUMN taxonomy_sha256;
             UPDATE kuulas_schema SET version = version - 2;",
        )
        .unwrap();
    drop(client);

    let b = Batch::new();
    let audio = std::fs::read(recording(batch_support::CALL, "ulaw8k.wav")).unwrap();
    for (id, need) in NEEDS {
        b.file(&format!("{id}.wav"), &audio);
        b.file(
            &format!("{id}.transcript.json"),
            transcript(need).as_bytes(),
        );
    }
    let run = b.run(&["--store", &db.url, "--no-verify"]);
    assert_eq!(code(&run), 0, "{}", stderr(&run));
    let tagged = reasons(&db.url);
    assert_eq!(tagged["c1"].as_deref(), Some("fault_outage"));
    assert_eq!(tagged["c2"].as_deref(), Some("contract_change"));
    let tagged_with = || {
        PostgresStore::connect(&db.url)
            .unwrap()
            .tagged_with()
            .unwrap()
    };
    assert_eq!(
        tagged_with(),
        [TaggedWith {
            taxonomy: Some(stamp(&default_taxonomy())),
            calls: 2
        }]
    );

    // Moving house becomes a reason of its own; contract changes lose "muutan".
    let taxonomy = kuulas::reasons::DEFAULT_TAXONOMY
        .replace("  \"=muutan\",\n", "")
        .replace(
            "  \"Mä muutan ens kuussa Tampereelle, mitä mun sähkölle pitää tehdä?\",\n",
            "",
        )
        + "\n[[reason]]\nid = \"moving\"\nlabel = \"Muutto\"\npatterns = [\"=muutan\"]\n";
    let file = b.dir.path().join("reasons.toml");
    std::fs::write(&file, &taxonomy).unwrap();
    let changed = stamp(&resolve(&file.display().to_string(), &taxonomy).unwrap());
    let retag = Command::new(env!("CARGO_BIN_EXE_kuulas"))
        .args(["reasons", "retag", "--store", &db.url, "--taxonomy"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(code(&retag), 0, "{}", stderr(&retag));
    assert!(
        stderr(&retag).contains("2 scored calls, 2 with a reason, 1 changed"),
        "{}",
        stderr(&retag)
    );
    let retagged = reasons(&db.url);
    assert_eq!(retagged["c1"].as_deref(), Some("fault_outage"));
    assert_eq!(retagged["c2"].as_deref(), Some("moving"));
    assert_eq!(
        tagged_with(),
        [TaggedWith {
            taxonomy: Some(changed),
            calls: 2
        }]
    );
    // Across calls with the built-in taxonomy: the stored tags are the changed one's.
    let across = |taxonomy: &[&std::ffi::OsStr]| {
        Command::new(env!("CARGO_BIN_EXE_kuulas"))
            .args(["across", "--store", &db.url])
            .args(taxonomy)
            .output()
            .unwrap()
    };
    let warned = across(&[]);
    assert_eq!(code(&warned), 0, "{}", stderr(&warned));
    assert!(
        stderr(&warned)
            .contains("warning: 2 scored calls were tagged with taxonomy kuulas-fi-reasons"),
        "{}",
        stderr(&warned)
    );
    assert!(stderr(&warned).contains("kuulas reasons retag"));
    let quiet = across(&["--taxonomy".as_ref(), file.as_os_str()]);
    assert!(!stderr(&quiet).contains("warning"), "{}", stderr(&quiet));
}
