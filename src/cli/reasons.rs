//! `kuulas reasons show | check FILE | test [FILE] | retag`: print, validate and
//! self-test a contact-reason taxonomy, as `kuulas rubric` does for the rubric,
//! and tag the stored calls again after the taxonomy changed.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use kuulas::batch;
use kuulas::escape;
use kuulas::reasons::{self, Taxonomy, TaxonomyError, selftest};
use kuulas::store::postgres::is_postgres_url;
use kuulas::store::{PostgresStore, RunLock, SqliteStore, Store};

use super::run::{DEFAULT_OUT, STORE_NAME};
use super::{EXIT_OK, EXIT_SOME_FAILED};

#[derive(clap::Subcommand)]
pub enum ReasonsCommand {
    /// Print the built-in taxonomy (TOML).
    Show,
    /// Validate a taxonomy file; prints `file:line: reason` for each problem.
    Check { file: PathBuf },
    /// Run every reason's examples and counter-examples (built-in taxonomy by default).
    Test { file: Option<PathBuf> },
    /// Tag every scored call again from its stored transcript (no audio, no
    /// Whisper), e.g. after the taxonomy changed.
    Retag {
        /// The store: a SQLite file or a PostgreSQL URL [default: <out>/kuulas.sqlite].
        #[arg(long)]
        store: Option<PathBuf>,
        /// The output directory of `kuulas run`.
        #[arg(long, default_value = DEFAULT_OUT, conflicts_with = "store")]
        out: PathBuf,
        /// Taxonomy file (TOML) [default: the built-in one].
        #[arg(long)]
        taxonomy: Option<PathBuf>,
    },
}

pub fn execute(command: ReasonsCommand) -> anyhow::Result<ExitCode> {
    match command {
        ReasonsCommand::Show => {
            print!("{}", reasons::DEFAULT_TAXONOMY);
            Ok(ExitCode::from(EXIT_OK))
        }
        ReasonsCommand::Check { file } => check(&file),
        ReasonsCommand::Test { file } => test(&load_taxonomy(file.as_deref())?),
        ReasonsCommand::Retag {
            store,
            out,
            taxonomy,
        } => retag(
            &store.unwrap_or_else(|| out.join(STORE_NAME)),
            &load_taxonomy(taxonomy.as_deref())?,
        ),
    }
}

/// Warns when stored tags came from another taxonomy than `taxonomy` (the one
/// given with `--taxonomy`, or the built-in one): their reasons are that
/// taxonomy's, and `kuulas reasons retag` tags them with this one.
pub fn warn_if_tagged_otherwise(store: &dyn Store, taxonomy: &Taxonomy) -> anyhow::Result<()> {
    let others = batch::tagged_otherwise(store, taxonomy)?;
    if others.is_empty() {
        return Ok(());
    }
    let name = |id: &str, version: &str, sha256: &str| {
        format!(
            "{} {} (sha256 {})",
            escape::controls(id, &[]),
            escape::controls(version, &[]),
            sha256.get(..12).unwrap_or(sha256)
        )
    };
    for other in &others {
        let source = match &other.taxonomy {
            Some(t) => format!("taxonomy {}", name(&t.id, &t.version, &t.sha256)),
            None => "a taxonomy kuulas did not record (scored before it did)".into(),
        };
        eprintln!(
            "warning: {} scored call{} tagged with {source}, not with the taxonomy given, {}",
            other.calls,
            if other.calls == 1 { " was" } else { "s were" },
            name(&taxonomy.id, &taxonomy.version, &taxonomy.sha256)
        );
    }
    eprintln!(
        "  the figures count the stored tags; to tag the calls with the taxonomy given, run \
         `kuulas reasons retag` with the same --store and --taxonomy"
    );
    Ok(())
}

/// The taxonomy at `path`, or the built-in one.
pub fn load_taxonomy(path: Option<&Path>) -> anyhow::Result<Taxonomy> {
    match path {
        Some(p) => Ok(reasons::load(p)?),
        None => Ok(reasons::default_taxonomy()),
    }
}

fn check(file: &Path) -> anyhow::Result<ExitCode> {
    match reasons::load(file) {
        Ok(t) => {
            println!(
                "{}: ok ({} reasons, {} patterns, sha256 {})",
                file.display(),
                t.reasons.len(),
                t.pattern_count(),
                t.sha256
            );
            Ok(ExitCode::from(EXIT_OK))
        }
        Err(e @ TaxonomyError::Invalid { .. }) => {
            eprintln!("{e}");
            Ok(ExitCode::from(EXIT_SOME_FAILED))
        }
        Err(e) => Err(e.into()),
    }
}

fn test(taxonomy: &Taxonomy) -> anyhow::Result<ExitCode> {
    let (checked, failures) = selftest::run(taxonomy);
    for f in &failures {
        let what = if f.example {
            "example not tagged with it"
        } else {
            "counter-example tagged with it"
        };
        let tagged = f.tagged.as_deref().unwrap_or("no reason");
        println!(
            "FAIL {} (line {}): {what} (tagged: {tagged}): \"{}\"",
            f.reason, f.line, f.text
        );
    }
    println!("{checked} examples checked, {} failed", failures.len());
    Ok(ExitCode::from(if failures.is_empty() {
        EXIT_OK
    } else {
        EXIT_SOME_FAILED
    }))
}

/// Holds the store as a run does while the tags are rewritten.
fn retag(path: &Path, taxonomy: &Taxonomy) -> anyhow::Result<ExitCode> {
    let (mut pg, mut sqlite, _lock);
    let store: &mut dyn Store = match path.to_str().filter(|s| is_postgres_url(s)) {
        Some(url) => {
            pg = PostgresStore::connect(url)?;
            pg.lock_for_run()?;
            &mut pg
        }
        None => {
            sqlite = SqliteStore::open_existing(path)?;
            _lock = RunLock::acquire(path)?;
            &mut sqlite
        }
    };
    let done = batch::retag(store, taxonomy)?;
    eprintln!(
        "kuulas reasons retag ({} v{}): {} scored calls, {} with a reason, {} changed, {} unreadable transcripts left as they were",
        taxonomy.id, taxonomy.version, done.calls, done.tagged, done.changed, done.unreadable
    );
    Ok(ExitCode::from(if done.unreadable == 0 {
        EXIT_OK
    } else {
        EXIT_SOME_FAILED
    }))
}
