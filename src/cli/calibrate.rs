//! `kuulas calibrate --labels FILE.csv (--scores DIR | --store FILE|URL)
//! [--rubric FILE] [--format text|json] [--min-kappa K]`: how far the rubric
//! agrees with human reviewers (`kuulas::calibrate`). The calls come from a
//! folder (`kuulas run`'s `*.score.json` files, in DIR or DIR/calls, or else
//! `*.transcript.json` files, or else labelled calls (`*.toml`,
//! docs/labelling.md), scored here with the rubric) or from a store, whose
//! transcripts are scored here. Bad label rows are reported with file:line on
//! standard error and the rest is evaluated. Exit code 1 when a behaviour's κ is
//! below `--min-kappa`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use serde::Deserialize;

use kuulas::batch::Transcribed;
use kuulas::calibrate::{self, Evidence, Report, ScoredCall};
use kuulas::metrics::Loudness;
use kuulas::rubric::scorecard::StoredMoment;
use kuulas::rubric::{self, Rubric};
use kuulas::store::Store;
use kuulas::transcript::Transcript;
use kuulas::{escape, metrics};

use super::{EXIT_OK, EXIT_SOME_FAILED};

#[derive(clap::Args)]
pub struct CalibrateArgs {
    /// The reviewers' labels: CSV with call_id, behaviour, present (1/0) and
    /// optionally reviewer and note.
    #[arg(long, value_name = "FILE.csv")]
    pub labels: PathBuf,
    /// A folder of score files (`kuulas run`'s output directory), or of
    /// `*.transcript.json` files or labelled calls (`*.toml`) to score with the rubric.
    #[arg(long, value_name = "DIR", required_unless_present = "store")]
    pub scores: Option<PathBuf>,
    /// A store (SQLite file or postgres:// URL) whose transcripts are scored.
    #[arg(long, value_name = "FILE|URL", conflicts_with = "scores")]
    pub store: Option<PathBuf>,
    /// Score transcripts against this rubric file instead of the built-in one.
    #[arg(long)]
    pub rubric: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Exit with 1 when any behaviour's Cohen's κ is below this.
    #[arg(long, value_name = "K")]
    pub min_kappa: Option<f64>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
}

pub fn execute(args: CalibrateArgs) -> anyhow::Result<ExitCode> {
    if let Some(k) = args.min_kappa.filter(|k| !(-1.0..=1.0).contains(k)) {
        bail!("--min-kappa {k}: Cohen's κ lies between -1 and 1");
    }
    let rubric = super::score::load_rubric(args.rubric.as_deref())?;
    let text = std::fs::read_to_string(&args.labels)
        .with_context(|| format!("{}: cannot read the labels", args.labels.display()))?;
    let labels = calibrate::labels::parse(&args.labels.display().to_string(), &text);
    let calls = match (&args.scores, &args.store) {
        (Some(dir), _) => from_folder(dir, &rubric)?,
        (None, Some(store)) => from_store(store, &rubric)?,
        (None, None) => bail!("give --scores DIR or --store FILE|URL"),
    };
    let behaviours: Vec<String> = rubric.behaviours.iter().map(|b| b.id.clone()).collect();
    let report = calibrate::evaluate(&labels, &calls, &behaviours);
    for problem in &report.problems {
        tracing::warn!("{problem}");
    }
    let below = args.min_kappa.map_or(Vec::new(), |k| report.below(k));
    let mut out = std::io::stdout().lock();
    match args.format {
        Format::Text => write!(out, "{}", calibrate::report::text(&report, args.min_kappa))?,
        Format::Json => writeln!(out, "{}", json(&report, args.min_kappa)?)?,
    }
    out.flush().context("cannot write to standard output")?;
    Ok(ExitCode::from(if below.is_empty() {
        EXIT_OK
    } else {
        EXIT_SOME_FAILED
    }))
}

/// The report, with the threshold and the behaviours below it.
fn json(report: &Report, min_kappa: Option<f64>) -> anyhow::Result<String> {
    let mut value = serde_json::to_value(report)?;
    let below: Vec<&str> = min_kappa.map_or(Vec::new(), |k| {
        report
            .below(k)
            .iter()
            .map(|b| b.behaviour.as_str())
            .collect()
    });
    if let Some(object) = value.as_object_mut() {
        object.insert("min_kappa".into(), serde_json::json!(min_kappa));
        object.insert("below_min_kappa".into(), serde_json::json!(below));
    }
    Ok(serde_json::to_string_pretty(&value)?)
}

/// The calls of a folder: its score files (in DIR or DIR/calls) when it has
/// any, otherwise its transcripts, otherwise its labelled calls (with the
/// synthetic times `kuulas rubric eval` gives them), scored with `rubric`.
fn from_folder(dir: &Path, rubric: &Rubric) -> anyhow::Result<Vec<ScoredCall>> {
    let calls_dir = dir.join("calls");
    let dir = if calls_dir.is_dir() { &calls_dir } else { dir };
    let files = files_ending(dir, ".score.json")?;
    if !files.is_empty() {
        return files
            .iter()
            .map(|(path, _)| read_score_file(path))
            .collect();
    }
    let transcripts = files_ending(dir, ".transcript.json")?;
    if !transcripts.is_empty() {
        return transcripts
            .iter()
            .map(|(path, name)| {
                let text = read(path)?;
                let call = Transcribed::from_json(&text, &path.display().to_string())?;
                Ok(scored(
                    name,
                    &call.transcript,
                    call.loudness.as_ref(),
                    rubric,
                ))
            })
            .collect();
    }
    match rubric::labelled::load_dir(dir) {
        Ok(calls) => Ok(calls
            .iter()
            .map(|(call, transcript)| scored(&call.id, transcript, None, rubric))
            .collect()),
        Err(rubric::labelled::LoadError::Empty { .. }) => bail!(
            "{}: no *.score.json, *.transcript.json or labelled *.toml files; give \
             `kuulas run`'s output directory, a folder of transcripts or one of labelled calls",
            dir.display()
        ),
        Err(e) => Err(e.into()),
    }
}

/// Files in `dir` whose names end with `suffix`, sorted, with the name before it.
fn files_ending(dir: &Path, suffix: &str) -> anyhow::Result<Vec<(PathBuf, String)>> {
    let entries =
        std::fs::read_dir(dir).with_context(|| format!("{}: cannot list it", dir.display()))?;
    let mut files = Vec::new();
    for entry in entries {
        let path = entry
            .with_context(|| format!("{}: cannot list it", dir.display()))?
            .path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if let Some(stem) = name.strip_suffix(suffix).filter(|s| !s.is_empty()) {
            files.push((path.clone(), stem.to_string()));
        }
    }
    files.sort();
    Ok(files)
}

fn read(path: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("{}: cannot read it", path.display()))
}

/// The parts of a `.score.json` calibration reads.
#[derive(Deserialize)]
struct ScoreFileView {
    call_id: String,
    #[serde(default)]
    moments: Vec<StoredMoment>,
}

/// A score file's call; moments the audio did not support do not count, as in
/// the scores.
fn read_score_file(path: &Path) -> anyhow::Result<ScoredCall> {
    let view: ScoreFileView = serde_json::from_str(&read(path)?).with_context(|| {
        format!(
            "{}: not a kuulas score file; rerun `kuulas run` to rewrite it",
            path.display()
        )
    })?;
    Ok(ScoredCall {
        call_id: view.call_id,
        evidence: view
            .moments
            .into_iter()
            .filter(|m| m.verified)
            .map(|m| Evidence {
                behaviour: m.behaviour,
                start: m.start,
                quote: m.quote,
            })
            .collect(),
    })
}

/// Every call of the store that has a transcript, scored with `rubric`.
fn from_store(path: &Path, rubric: &Rubric) -> anyhow::Result<Vec<ScoredCall>> {
    let out = path.parent().unwrap_or(Path::new("."));
    let store: Box<dyn Store> = super::run::open_for_reading(Some(path.to_path_buf()), out)?;
    let mut calls = Vec::new();
    for row in store.calls(None)?.rows {
        let Some(json) = store.transcript(&row.call_id)? else {
            continue;
        };
        let source = format!(
            "the stored transcript of call {}",
            escape::controls(&row.call_id, &[])
        );
        match Transcribed::from_json(&json, &source) {
            Ok(call) => calls.push(scored(
                &row.call_id,
                &call.transcript,
                call.loudness.as_ref(),
                rubric,
            )),
            Err(e) => tracing::warn!("{e}; the call is left out"),
        }
    }
    if calls.is_empty() {
        bail!(
            "{}: the store has no transcribed calls; run `kuulas run` first",
            path.display()
        );
    }
    Ok(calls)
}

fn scored(
    call_id: &str,
    transcript: &Transcript,
    loudness: Option<&Loudness>,
    rubric: &Rubric,
) -> ScoredCall {
    let m = metrics::compute(transcript, loudness);
    let card = rubric::score(transcript, &m, rubric);
    ScoredCall {
        call_id: call_id.to_string(),
        evidence: card
            .moments
            .into_iter()
            .map(|m| Evidence {
                behaviour: m.behaviour,
                start: m.start,
                quote: m.quote,
            })
            .collect(),
    }
}
