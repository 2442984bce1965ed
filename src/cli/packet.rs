//! `kuulas packet`: builds the review packet of a run — a static site that opens
//! from disk — from the store and the per-call files of `kuulas run`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, ValueEnum};
use kuulas::packet::{self, AudioMode, Lang, Packet, RunSelect, Settings};

use super::{EXIT_OK, EXIT_SOME_FAILED};

const DEFAULT_RUN_OUT: &str = "kuulas-out";

/// Where the calls come from: a store, or the output directory of `kuulas run`.
#[derive(Args)]
pub struct SourceArgs {
    /// The store to read; score files are looked up in `calls/` beside it.
    #[arg(long)]
    store: Option<PathBuf>,
    /// The output directory of `kuulas run` (its store and `calls/`).
    #[arg(long, default_value = DEFAULT_RUN_OUT, conflicts_with = "store")]
    out_dir_of_run: PathBuf,
    /// The run to show: a run id, `latest`, or `all`.
    #[arg(long, default_value = "latest", value_parser = parse_run)]
    run: RunSelect,
}

impl SourceArgs {
    /// Loads the selected calls from the store and the score files beside it.
    pub fn load(&self) -> anyhow::Result<Vec<packet::CallView>> {
        let (store, calls_dir) = match &self.store {
            Some(store) => {
                let dir = store.parent().map(PathBuf::from).unwrap_or_default();
                (store.clone(), dir.join("calls"))
            }
            None => (
                self.out_dir_of_run.join("kuulas.sqlite"),
                self.out_dir_of_run.join("calls"),
            ),
        };
        Ok(packet::load(&store, &calls_dir, self.run)?)
    }

    pub fn run_label(&self, lang: Lang) -> String {
        match (self.run, lang) {
            (RunSelect::Latest, Lang::Fi) => "viimeisin ajo".into(),
            (RunSelect::Latest, Lang::En) => "latest run".into(),
            (RunSelect::Id(id), Lang::Fi) => format!("ajo {id}"),
            (RunSelect::Id(id), Lang::En) => format!("run {id}"),
            (RunSelect::All, Lang::Fi) => "kaikki ajot".into(),
            (RunSelect::All, Lang::En) => "all runs".into(),
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
    /// `clips` (moment clips only) or `none`.
    #[arg(long, value_enum, default_value = "full")]
    audio: AudioArg,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum AudioArg {
    Full,
    Clips,
    None,
}

pub fn execute(args: PacketArgs) -> anyhow::Result<ExitCode> {
    let calls = args.source.load()?;
    let settings = Settings {
        lang: args.lang.into(),
        redact: !args.no_redact,
        session: args.session,
        audio: match args.audio {
            AudioArg::Full => AudioMode::Full,
            AudioArg::Clips => AudioMode::Clips,
            AudioArg::None => AudioMode::None,
        },
    };
    if !settings.redact {
        tracing::warn!("--no-redact: the packet contains personal data; handle it as confidential");
    }
    let packet = Packet {
        title: format!("kuulas · {}", args.source.run_label(settings.lang)),
        calls,
        settings,
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
    let code = if report.audio_failures.is_empty() {
        EXIT_OK
    } else {
        EXIT_SOME_FAILED
    };
    Ok(ExitCode::from(code))
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
