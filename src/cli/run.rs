//! `kuulas run` (the nightly batch) and `kuulas export` (per-call rows for BI
//! tools). Arguments are checked and resolved before anything is locked, opened or
//! loaded, and the rubric and model are loaded before the output directory or the
//! store is touched, so a bad setting leaves nothing behind; then the batch runs
//! against the store and the summary decides the exit code: 0 all ok, 1 some calls
//! failed, 2 fatal (returned as an error).

mod progress;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};

use kuulas::across::{self, rows};
use kuulas::batch::{
    self, CallProcessor, ExportFormat, FixtureTranscriber, Mode, Settings, Summary,
};
use kuulas::batch::{ProcessorIdentity, Transcribe, WorkerSettings};
use kuulas::escape;
use kuulas::settings::{Parallelism, parallelism};
use kuulas::store::postgres::is_postgres_url;
use kuulas::store::{PostgresStore, RunLock, SqliteStore, Store};

use super::transcribe::WhisperArgs;
use super::{EXIT_OK, EXIT_SOME_FAILED};

/// Test hook: set to `1` to read each recording's words from `NAME.transcript.json`
/// beside it instead of running Whisper (`batch::FixtureTranscriber`).
const FIXTURE_ENV: &str = "KUULAS_TEST_FIXTURE_TRANSCRIBER";
/// Test hook: milliseconds the fixture transcriber sleeps per call.
const FIXTURE_DELAY_ENV: &str = "KUULAS_TEST_FIXTURE_DELAY_MS";
pub(super) const DEFAULT_OUT: &str = "kuulas-out";
pub(super) const STORE_NAME: &str = "kuulas.sqlite";
/// Claims a call may have before it is failed as the one that kills its workers.
const MAX_ATTEMPTS: i32 = 3;
/// How often an idle worker asks again while others hold the last calls.
const WORKER_POLL: Duration = Duration::from_secs(2);

#[derive(clap::Args)]
pub struct RunArgs {
    /// Directory of recordings, searched recursively (wav, mp3, flac, ogg, oga).
    #[arg(long, required_unless_present = "worker")]
    input: Option<PathBuf>,
    /// Where per-call files and (by default) the store go; shared storage for workers.
    #[arg(long, default_value = DEFAULT_OUT)]
    out: PathBuf,
    /// The store: a SQLite file [default: <out>/kuulas.sqlite] or a PostgreSQL URL
    /// (postgres://user@host/db; the password may come from PGPASSWORD).
    #[arg(long)]
    store: Option<PathBuf>,
    /// Only discover and plan, queueing the calls that need work (PostgreSQL store).
    #[arg(long, requires = "store", conflicts_with = "worker")]
    enqueue: bool,
    /// Process queued calls until the queue is empty, alongside other workers
    /// (PostgreSQL store; recordings and --out on storage every worker sees).
    #[arg(long, requires = "store", conflicts_with_all = ["input", "manifest", "force", "rescore"])]
    worker: bool,
    /// Seconds a worker's claim on a call lives without a heartbeat.
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u32).range(1..))]
    lease_secs: u32,
    /// Calls processed at once [default: cores, or cores / threads].
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
    jobs: Option<u16>,
    /// Reprocess every recording, ignoring stored results.
    #[arg(long, conflicts_with = "rescore")]
    force: bool,
    /// Score every stored transcript again (e.g. after a rubric change) without transcribing.
    #[arg(long)]
    rescore: bool,
    /// Rubric file (TOML).
    #[arg(long)]
    rubric: Option<PathBuf>,
    /// Contact-reason taxonomy file (TOML) [default: the built-in one].
    #[arg(long)]
    taxonomy: Option<PathBuf>,
    /// Score from the text alone: do not check moments against the audio or
    /// spot the rubric's phrases in it (faster, and evidence is not verified).
    #[arg(long)]
    no_verify: bool,
    /// How calls are transcribed; `--agent-channel` and `--language` apply to calls
    /// whose metadata does not say, `--threads` defaults to 1 (or cores / jobs).
    #[command(flatten)]
    whisper: WhisperArgs,
    /// Metadata manifest (CSV) [default: manifest.csv in the input directory, if present].
    #[arg(long)]
    manifest: Option<PathBuf>,
}

#[derive(clap::Args)]
pub struct ExportArgs {
    /// The store to read [default: <run-dir>/kuulas.sqlite].
    #[arg(long)]
    store: Option<PathBuf>,
    /// The directory `kuulas run --out` wrote (`--out` is kept as a hidden alias).
    #[arg(long, value_name = "DIR", alias = "out", default_value = DEFAULT_OUT,
          conflicts_with = "store")]
    run_dir: PathBuf,
    #[arg(long, value_enum)]
    format: FormatArg,
    /// Only calls processed in this run: a run id or `latest` [default: all calls].
    #[arg(long)]
    run: Option<String>,
    /// Write here instead of standard output.
    #[arg(long)]
    output: Option<PathBuf>,
    /// For `fcr_outcome`: how figures across calls are computed (as `kuulas across`).
    #[command(flatten)]
    figures: super::across::FiguresArgs,
}

/// `--format` of `kuulas export`.
#[derive(Clone, Copy, clap::ValueEnum)]
enum FormatArg {
    Csv,
    Jsonl,
}

impl From<FormatArg> for ExportFormat {
    fn from(format: FormatArg) -> ExportFormat {
        match format {
            FormatArg::Csv => ExportFormat::Csv,
            FormatArg::Jsonl => ExportFormat::Jsonl,
        }
    }
}

/// What the stages need to know, handed to the processor that wires them.
struct StageConfig {
    whisper: WhisperArgs,
    rubric: Option<PathBuf>,
    taxonomy: Option<PathBuf>,
    /// Calls processed at once: the transcriber's decoders serve them all.
    jobs: usize,
    verify: bool,
}

pub fn execute_run(args: RunArgs) -> anyhow::Result<ExitCode> {
    let (enqueue, worker, lease) = (args.enqueue, args.worker, args.lease_secs);
    let (mut settings, stages, store_path) = resolve(args)?;
    let url = store_path
        .to_str()
        .filter(|s| is_postgres_url(s))
        .map(str::to_string);
    if (enqueue || worker) && url.is_none() {
        bail!("--enqueue and --worker need a shared store: --store postgres://user@host/database");
    }
    let rubric = super::score::load_rubric(stages.rubric.as_deref())?;
    let taxonomy = super::reasons::load_taxonomy(stages.taxonomy.as_deref())?;
    let options = stages.whisper.options();
    let identity = ProcessorIdentity::new(&rubric, &taxonomy, sha256_file(&options.model).ok());
    settings.transcription = Some(options.fingerprint(identity.model_sha256.as_deref())?);
    if let Some(url) = url.as_deref().filter(|_| enqueue) {
        return execute_enqueue(&settings, &identity, url);
    }
    // The model is loaded and the rubric checked against it before the output
    // directory or the store is touched: a bad setting leaves nothing behind.
    let processor = processor(&stages, rubric, taxonomy, identity.model_sha256)?;
    if let Some(url) = url.as_deref().filter(|_| worker) {
        return execute_worker(&settings, processor, url, Duration::from_secs(lease.into()));
    }
    batch::prepare_output(&settings.out_dir)?;
    let (mut pg, mut sqlite, _lock);
    let store: &mut dyn Store = match &url {
        Some(url) => {
            pg = PostgresStore::connect(url)?;
            pg.lock_for_run()?;
            &mut pg
        }
        None => {
            _lock = RunLock::acquire(&store_path)?;
            sqlite = SqliteStore::open(&store_path)?;
            &mut sqlite
        }
    };
    let reporter = progress::CliReporter::new(std::io::stderr().is_terminal());
    let summary = batch::run(&settings, store, processor, &reporter)?;
    reporter.finish();
    print_summary(&summary);
    Ok(ExitCode::from(if summary.all_ok() {
        EXIT_OK
    } else {
        EXIT_SOME_FAILED
    }))
}

/// `kuulas run --enqueue`: queue the calls that need work and report.
fn execute_enqueue(
    settings: &Settings,
    identity: &ProcessorIdentity,
    url: &str,
) -> anyhow::Result<ExitCode> {
    let mut store = PostgresStore::connect(url)?;
    let done = batch::enqueue(settings, &mut store, identity)?;
    eprintln!(
        "kuulas run {} queued on {}: {} recordings found, {} queued, {} skipped (unchanged), \
         {} being processed now (left alone), {} failed",
        done.run_id,
        store.url(),
        done.discovered,
        done.queued,
        done.skipped,
        done.busy,
        done.failed
    );
    Ok(ExitCode::from(if done.failed == 0 {
        EXIT_OK
    } else {
        EXIT_SOME_FAILED
    }))
}

/// `kuulas run --worker`: process queued calls until none are left.
fn execute_worker(
    settings: &Settings,
    processor: Arc<dyn CallProcessor>,
    url: &str,
    lease: Duration,
) -> anyhow::Result<ExitCode> {
    let worker = WorkerSettings {
        out_dir: settings.out_dir.clone(),
        jobs: settings.jobs,
        lease,
        max_attempts: MAX_ATTEMPTS,
        worker_id: format!("{}:{}", host_name(), std::process::id()),
        poll: WORKER_POLL.min(lease / 2),
        transcription: settings.transcription.clone(),
    };
    let done = batch::work(&worker, url, processor)?;
    eprintln!(
        "kuulas worker {}: {} processed, {} unchanged, {} failed, {} lost to other workers",
        worker.worker_id,
        done.processed,
        done.unchanged,
        done.failed.len(),
        done.lost
    );
    for (call_id, reason) in &done.failed {
        eprintln!(
            "  failed: {}: {}",
            escape::escape(call_id),
            escape::controls(reason, &[])
        );
    }
    Ok(ExitCode::from(if done.failed.is_empty() {
        EXIT_OK
    } else {
        EXIT_SOME_FAILED
    }))
}

/// The store named by `--store` (a file or a PostgreSQL URL) or `<out>/kuulas.sqlite`,
/// for commands that only read it; never creates a SQLite file.
pub(super) fn open_for_reading(
    store: Option<PathBuf>,
    out: &Path,
) -> anyhow::Result<Box<dyn Store>> {
    let path = store.unwrap_or_else(|| out.join(STORE_NAME));
    Ok(match path.to_str().filter(|s| is_postgres_url(s)) {
        Some(url) => Box::new(PostgresStore::connect(url)?),
        None => Box::new(SqliteStore::open_existing(&path)?),
    })
}

/// This machine's name (a pod's name on Kubernetes), for naming workers.
fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "worker".to_string())
}

/// Checks every path and turns the arguments into trusted settings.
fn resolve(mut args: RunArgs) -> anyhow::Result<(Settings, StageConfig, PathBuf)> {
    if let Some(input) = args.input.as_ref().filter(|p| !p.is_dir()) {
        bail!("--input {}: not a directory", input.display());
    }
    for (flag, path) in [
        ("--manifest", &args.manifest),
        ("--rubric", &args.rubric),
        ("--taxonomy", &args.taxonomy),
        ("--model", &args.whisper.model),
    ] {
        if let Some(path) = path.as_ref().filter(|p| !p.is_file()) {
            bail!("{flag} {}: no such file", path.display());
        }
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let Parallelism { jobs, threads } = parallelism(
        args.jobs.map(usize::from),
        args.whisper.threads.map(usize::from),
        None,
    );
    if jobs * threads > cores {
        tracing::warn!(
            "{jobs} jobs × {threads} threads exceeds the {cores} cores; calls will compete for CPU"
        );
    }
    // The plan decides the decoders per call, as `kuulas transcribe` does.
    args.whisper.threads = Some(threads as u16);
    let mode = match (args.force, args.rescore) {
        (true, _) => Mode::Force,
        (_, true) => Mode::Rescore,
        _ => Mode::Incremental,
    };
    let store = args.store.unwrap_or_else(|| args.out.join(STORE_NAME));
    let settings = Settings {
        // Only a worker has no input; it never reads this.
        input_dir: args.input.unwrap_or_default(),
        out_dir: args.out,
        manifest: args.manifest,
        jobs,
        mode,
        // Known once the rubric and model are read (`execute_run`).
        transcription: None,
    };
    Ok((
        settings,
        StageConfig {
            whisper: args.whisper,
            rubric: args.rubric,
            taxonomy: args.taxonomy,
            jobs,
            verify: !args.no_verify,
        },
        store,
    ))
}

/// The stages; their transcriber is Whisper, or the fixture transcriber when the
/// test hook is set. `model_sha`: the model file's hash, if it could be read.
fn processor(
    stages: &StageConfig,
    rubric: kuulas::rubric::Rubric,
    taxonomy: kuulas::reasons::Taxonomy,
    model_sha: Option<String>,
) -> anyhow::Result<Arc<dyn CallProcessor>> {
    let (transcriber, model_sha): (Box<dyn Transcribe>, _) = if std::env::var(FIXTURE_ENV)
        .is_ok_and(|v| v == "1")
    {
        let delay_ms = match std::env::var(FIXTURE_DELAY_ENV) {
            Ok(v) => v
                .parse()
                .with_context(|| format!("{FIXTURE_DELAY_ENV}={v}: not a number"))?,
            Err(_) => 0,
        };
        tracing::warn!("{FIXTURE_ENV} is set: reading transcript files instead of running Whisper");
        let fixture = FixtureTranscriber::new(Duration::from_millis(delay_ms));
        (Box::new(fixture), None)
    } else {
        let whisper = stages.whisper.load(stages.jobs)?;
        if stages.verify {
            super::score::check_verification(&rubric, &whisper, &stages.whisper)?;
        }
        (Box::new(whisper), model_sha)
    };
    let pipeline = batch::Pipeline::new(
        transcriber,
        rubric,
        taxonomy,
        model_sha,
        stages.whisper.options().call_options(),
    );
    Ok(Arc::new(if stages.verify {
        pipeline
    } else {
        pipeline.without_verification()
    }))
}

/// Streams the file through SHA-256 (a model is hundreds of MB).
fn sha256_file(path: &Path) -> anyhow::Result<String> {
    kuulas::model::sha256_file(path).with_context(|| format!("cannot read {}", path.display()))
}

fn print_summary(s: &Summary) {
    let hours = s.audio_seconds / 3600.0;
    let wall = s.wall.as_secs_f64();
    let speed = if wall > 0.0 && s.audio_seconds > 0.0 {
        format!(" ({:.1}× realtime)", s.audio_seconds / wall)
    } else {
        String::new()
    };
    eprintln!(
        "kuulas run {}: {} recordings found, {} processed, {} skipped (unchanged), {} failed; \
         {hours:.2} h of audio in {}{speed}",
        s.run_id,
        s.discovered,
        s.processed,
        s.skipped,
        s.failed.len(),
        progress::duration(s.wall)
    );
    if s.resumed > 0 {
        eprintln!(
            "  {} calls left unfinished by an interrupted run were redone",
            s.resumed
        );
    }
    for line in &s.redone {
        eprintln!("  {}", escape::controls(line, &[]));
    }
    // One line per call, whatever its id, path or reason holds.
    for f in &s.failed {
        eprintln!(
            "  failed: {} ({}): {}",
            escape::escape(&f.call_id),
            escape::escape(&f.path),
            escape::controls(&f.reason, &[])
        );
    }
    for p in &s.problems {
        eprintln!("  warning: {}", escape::controls(&p.to_string(), &[]));
    }
}

pub fn execute_export(args: ExportArgs) -> anyhow::Result<ExitCode> {
    let settings = args.figures.settings()?;
    let store = open_for_reading(args.store, &args.run_dir)?;
    let run = match args.run.as_deref() {
        None => None,
        Some("latest") => Some(store.latest_run()?.context("the store has no runs yet")?),
        Some(id) => Some(
            id.parse()
                .with_context(|| format!("--run {id}: expected a run id or `latest`"))?,
        ),
    };
    let table = store.calls(run)?;
    // Every call of the store, not only the run's: a call's previous or next
    // call may be in another run.
    let contacts: Vec<_> = store.contacts()?.iter().map(rows::contact).collect();
    let links = across::compute(&contacts, &settings).calls;
    let format = ExportFormat::from(args.format);
    match &args.output {
        Some(file) => {
            kuulas::atomic::write_with(file, |f| batch::write_export(&table, &links, format, f))
                .with_context(|| format!("cannot write {}", file.display()))?
        }
        None => {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            batch::write_export(&table, &links, format, &mut out)
                .context("cannot write to standard output")?;
            out.flush().context("cannot write to standard output")?;
        }
    }
    Ok(ExitCode::from(EXIT_OK))
}
