//! `kuulas packet`: builds the review packet of a run — a static site that opens
//! from disk — from the store and the per-call files of `kuulas run`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, ValueEnum};
use kuulas::packet::{self, Across, AudioMode, Lang, Packet, RunSelect, Settings};
use kuulas::reasons::Labels;

use kuulas::store::postgres::{is_postgres_url, redact};

use super::run::open_for_reading;
use super::{EXIT_OK, EXIT_SOME_FAILED};

const DEFAULT_RUN_DIR: &str = "kuulas-out";

/// Where the calls come from: a store (SQLite or PostgreSQL) and the output folder
/// of `kuulas run` that holds the per-call score files.
#[derive(Args)]
pub struct SourceArgs {
    /// The store: a SQLite file or a PostgreSQL URL [default: <run dir>/kuulas.sqlite].
    #[arg(long)]
    store: Option<PathBuf>,
    /// The output folder of `kuulas run` to read from: its kuulas.sqlite and calls/
    /// [default: kuulas-out, or with a SQLite --store the folder that holds it].
    #[arg(long, alias = "out-dir-of-run", value_name = "DIR")]
    run_dir: Option<PathBuf>,
    /// The run to show: a run id, `latest` (the newest run that processed calls), or `all`.
    #[arg(long, default_value = "latest", value_parser = parse_run)]
    run: RunSelect,
}

impl SourceArgs {
    /// Loads the selected calls from the store and the score files of the run dir.
    pub fn load(&self) -> anyhow::Result<packet::Loaded> {
        let postgres = self
            .store
            .as_deref()
            .and_then(|s| s.to_str())
            .filter(|s| is_postgres_url(s));
        let run_dir = match (&self.run_dir, &self.store, postgres) {
            (Some(dir), _, _) => dir.clone(),
            (None, Some(file), None) => file.parent().map(PathBuf::from).unwrap_or_default(),
            (None, _, _) => PathBuf::from(DEFAULT_RUN_DIR),
        };
        let name = match (postgres, &self.store) {
            (Some(url), _) => redact(url),
            (None, Some(file)) => file.display().to_string(),
            (None, None) => run_dir.join("kuulas.sqlite").display().to_string(),
        };
        let store = open_for_reading(self.store.clone(), &run_dir)?;
        Ok(packet::load(
            store.as_ref(),
            &name,
            &run_dir.join("calls"),
            self.run,
        )?)
    }

    pub fn run_label(&self, lang: Lang, shown: Option<&packet::RunInfo>) -> String {
        match (shown, lang) {
            (Some(run), Lang::Fi) => format!("ajo {}", run.id),
            (Some(run), Lang::En) => format!("run {}", run.id),
            (None, Lang::Fi) => "kaikki ajot".into(),
            (None, Lang::En) => "all runs".into(),
        }
    }
}

fn parse_run(s: &str) -> Result<RunSelect, String> {
    match s {
        "latest" => Ok(RunSelect::Latest),
        "all" => Ok(RunSelect::All),
        _ => s
            .parse()
            .map(RunSelect::Id)
            .map_err(|_| format!("`{s}` is not a run id, `latest` or `all`")),
    }
}

#[derive(Clone, Copy, ValueEnum)]
pub enum LangArg {
    Fi,
    En,
}

impl From<LangArg> for Lang {
    fn from(l: LangArg) -> Lang {
        match l {
            LangArg::Fi => Lang::Fi,
            LangArg::En => Lang::En,
        }
    }
}

#[derive(Args)]
pub struct PacketArgs {
    #[command(flatten)]
    source: SourceArgs,
    /// Directory to write the packet to (created if missing). kuulas owns it: the
    /// packet already there is replaced whole; a non-empty folder that is not a
    /// kuulas packet is refused.
    #[arg(long)]
    out: PathBuf,
    /// A listening-session packet: contrasting call pairs and a facilitator sheet.
    #[arg(long)]
    session: bool,
    /// Language of the pages.
    #[arg(long, value_enum, default_value = "fi")]
    lang: LangArg,
    /// Keep personal data in text and audio. Every page then carries a warning banner.
    #[arg(long)]
    no_redact: bool,
    /// Reviewers' labels (as `kuulas calibrate` reads them): adds calibration.html,
    /// the rubric against the labels for the packet's calls.
    #[arg(long, value_name = "FILE.csv", conflicts_with = "session")]
    labels: Option<PathBuf>,
    /// Which audio to carry: `full` (each call, for the player, and moment clips),
    /// `clips` (moment clips only) or `none`. Default: `clips` for a night's
    /// packet (a few hundred kB a call instead of megabytes), `full` for a
    /// listening session (its calls play whole).
    #[arg(long, value_enum)]
    audio: Option<AudioArg>,
    /// For the "Across calls" page: how figures across calls are computed (as `kuulas across`).
    #[command(flatten)]
    figures: super::across::FiguresArgs,
    /// For the "Across calls" page: the taxonomy the calls were tagged with (TOML),
    /// for the reasons' names [default: the built-in one].
    #[arg(long)]
    taxonomy: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum AudioArg {
    Full,
    Clips,
    None,
}

pub fn execute(args: PacketArgs) -> anyhow::Result<ExitCode> {
    let across_settings = args.figures.settings()?;
    let labels = Labels::of(&super::reasons::load_taxonomy(args.taxonomy.as_deref())?);
    let loaded = args.source.load()?;
    let settings = Settings {
        lang: args.lang.into(),
        redact: !args.no_redact,
        session: args.session,
        audio: match args.audio {
            Some(AudioArg::Full) => AudioMode::Full,
            Some(AudioArg::Clips) => AudioMode::Clips,
            Some(AudioArg::None) => AudioMode::None,
            None if args.session => AudioMode::Full,
            None => AudioMode::Clips,
        },
    };
    if !settings.redact {
        tracing::warn!("--no-redact: the packet contains personal data; handle it as confidential");
    }
    report_source(&loaded, settings.audio);
    let mut calls = loaded.calls;
    if settings.session {
        measure_recordings(&mut calls);
    }
    let packet = Packet {
        title: format!(
            "kuulas · {}",
            args.source.run_label(settings.lang, loaded.run.as_ref())
        ),
        night: loaded.run.as_ref().map(|r| r.started_at.clone()),
        history: loaded.history.clone(),
        calls,
        settings,
        across: (!settings.session)
            .then(|| Across::compute(&loaded.contacts, across_settings, labels)),
    };
    let mut site = packet::render(&packet);
    if let Some(path) = &args.labels {
        site.pages.push(calibration_page(&packet, path)?);
    }
    let report = packet::write(&site, &args.out)
        .with_context(|| format!("writing the packet to {}", args.out.display()))?;
    eprintln!(
        "kuulas packet: {} calls, {} pages, {} audio files in {}",
        packet.calls.len(),
        report.pages,
        report.audio_files,
        args.out.display()
    );
    if let Some(old) = &report.replaced {
        eprintln!(
            "  replaced the previous packet there ({} files, {}, written {} by kuulas {})",
            old.files.len(),
            if old.redacted {
                "redacted"
            } else {
                "NOT redacted"
            },
            old.written_at,
            old.kuulas_version
        );
    }
    if report.swept > 0 {
        eprintln!(
            "  removed {} temporary folder{} left by an interrupted `kuulas packet`",
            report.swept,
            if report.swept == 1 { "" } else { "s" }
        );
    }
    for (file, reason) in &report.audio_failures {
        eprintln!(
            "  missing audio {}: {}",
            kuulas::escape::escape(file),
            kuulas::escape::controls(reason, &[])
        );
    }
    let lost = loaded.missing.len() * usize::from(settings.audio != AudioMode::None);
    let code = if report.audio_failures.is_empty() && lost == 0 {
        EXIT_OK
    } else {
        EXIT_SOME_FAILED
    };
    Ok(ExitCode::from(code))
}

/// Says which run the packet shows when `latest` skipped runs that processed
/// nothing, and warns about every call whose recording is gone (the packet carries
/// no audio for it; `execute` exits with 1).
fn report_source(loaded: &packet::Loaded, audio: AudioMode) {
    if let (Some(run), Some(last)) = (&loaded.run, loaded.skipped_runs.last()) {
        eprintln!(
            "kuulas packet: run {last} processed no calls (nothing new); showing run {} \
             (started {}), the latest run that did. Pass --run {last} for an empty packet.",
            run.id,
            kuulas::escape::controls(&run.started_at, &[])
        );
    }
    if loaded.calls.is_empty() {
        eprintln!("kuulas packet: the run holds no calls; the packet says so");
    }
    if audio == AudioMode::None {
        return;
    }
    for m in &loaded.missing {
        let hint = if m.path.is_relative() {
            "it was stored as a relative path by an older kuulas run: run `kuulas packet` \
             from the folder `kuulas run` was started in, or rerun `kuulas run --force`"
        } else {
            "put the recording back at that path, or pass --audio none for a packet without audio"
        };
        eprintln!(
            "warning: call {}: recording {} not found; its page has no audio. Fix: {hint}",
            kuulas::escape::controls(&m.call_id, &[]),
            kuulas::escape::controls(&m.path.display().to_string(), &[]),
        );
    }
}

/// Measures what each recording sounds like, so the session never pairs two
/// encodings of one call; a recording that cannot be decoded is left unmeasured
/// (and its call paired by id only), with a warning.
fn measure_recordings(calls: &mut [packet::CallView]) {
    for call in calls.iter_mut() {
        let Some(path) = &call.audio_path else {
            continue;
        };
        match packet::fingerprint::measure(path) {
            Ok(print) => call.audio_print = Some(print),
            Err(e) => tracing::warn!(
                "{}: cannot compare the recording with the others ({e}); the session tells it \
                 apart from them by call id only",
                path.display()
            ),
        }
    }
}

/// The calibration page for `--labels`: the packet's calls against the labels in
/// `path`, over the built-in rubric's behaviours and any other the calls show.
fn calibration_page(packet: &Packet, path: &std::path::Path) -> anyhow::Result<packet::Page> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{}: cannot read the labels", path.display()))?;
    let labels = kuulas::calibrate::labels::parse(&path.display().to_string(), &text);
    let mut behaviours: Vec<String> = kuulas::rubric::default_rubric()
        .behaviours
        .iter()
        .map(|b| b.id.clone())
        .collect();
    for m in packet.calls.iter().flat_map(|c| &c.moments) {
        if !behaviours.contains(&m.behaviour) {
            behaviours.push(m.behaviour.clone());
        }
    }
    let calls = packet::calibration::scored_calls(packet);
    let report = kuulas::calibrate::evaluate(&labels, &calls, &behaviours);
    for problem in &report.problems {
        tracing::warn!("{problem}");
    }
    Ok(packet::calibration::page(packet, &report))
}
