//! `kuulas score FILE [--json] [--rubric FILE]`: score one call and print a
//! readable summary (dimension scores, then the moments with mm:ss, party and
//! quote) or the scorecard JSON.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};

use kuulas::metrics::{self, Loudness};
use kuulas::rubric::{self, Rubric, Scorecard};
use kuulas::transcript::{TRANSCRIPT_SCHEMA_VERSION, Transcript};

#[derive(clap::Args)]
pub struct ScoreArgs {
    /// A transcript JSON (`kuulas transcribe --format json`) or a recording.
    pub file: PathBuf,
    /// Print the scorecard as JSON instead of a summary.
    #[arg(long)]
    pub json: bool,
    /// Score against this rubric file instead of the built-in one.
    #[arg(long)]
    pub rubric: Option<PathBuf>,
    #[command(flatten)]
    pub whisper: super::transcribe::WhisperArgs,
}

pub fn execute(args: ScoreArgs) -> anyhow::Result<ExitCode> {
    let rubric = load_rubric(args.rubric.as_deref())?;
    let (transcript, loudness) = load_call(&args.file, &args.whisper)?;
    let m = metrics::compute(&transcript, loudness.as_ref());
    let card = rubric::score(&transcript, &m, &rubric);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&card)?);
    } else {
        print!("{}", summary(&args.file, &transcript, &card));
    }
    Ok(ExitCode::SUCCESS)
}

/// The rubric at `path`, or the built-in one.
pub fn load_rubric(path: Option<&Path>) -> anyhow::Result<Rubric> {
    match path {
        Some(p) => Ok(rubric::load(p)?),
        None => Ok(rubric::default_rubric()),
    }
}

/// The transcript of the call in `path`: read if it is a transcript JSON,
/// otherwise transcribed.
pub fn load_call(
    path: &Path,
    whisper: &super::transcribe::WhisperArgs,
) -> anyhow::Result<(Transcript, Option<Loudness>)> {
    let is_json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    if is_json {
        return Ok((read_transcript_json(path)?, None));
    }
    // A broken recording is reported before the model is loaded.
    kuulas::audio::probe(path)?;
    let transcriber = whisper.load(1)?;
    let (transcript, loudness) =
        kuulas::batch::transcribe_with_loudness(path, &transcriber, &whisper.call_options())
            .with_context(|| format!("cannot transcribe {}", path.display()))?;
    Ok((transcript, Some(loudness)))
}

/// Reads a transcript JSON, refusing other schema versions with a clear message.
pub fn read_transcript_json(path: &Path) -> anyhow::Result<Transcript> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{}: cannot read the transcript", path.display()))?;
    let value: serde_json::Value = serde_json::from_str(&text)
        .with_context(|| format!("{}: not JSON; expected a kuulas transcript", path.display()))?;
    match value.get("schema_version").and_then(|v| v.as_u64()) {
        Some(v) if v == u64::from(TRANSCRIPT_SCHEMA_VERSION) => {}
        Some(v) => bail!(
            "{}: transcript schema_version {v} is not supported (this kuulas reads {}); \
             re-create it with this kuulas's `kuulas transcribe`",
            path.display(),
            TRANSCRIPT_SCHEMA_VERSION
        ),
        None => bail!(
            "{}: no schema_version; not a kuulas transcript",
            path.display()
        ),
    }
    serde_json::from_value(value)
        .with_context(|| format!("{}: malformed transcript", path.display()))
}

fn mmss(seconds: f64) -> String {
    let s = seconds.max(0.0).round() as u64;
    format!("{:02}:{:02}", s / 60, s % 60)
}

fn summary(path: &Path, t: &Transcript, card: &Scorecard) -> String {
    let mut out = format!(
        "{}  ({}, rubric {} v{})\n\nOverall {:>5.1}\n",
        path.display(),
        mmss(t.duration),
        card.rubric.id,
        card.rubric.version,
        card.scores.overall
    );
    for d in &card.scores.dimensions {
        out += &format!(
            "  {:<40} {:>5.1}\n",
            format!("{} ({})", d.name, d.id),
            d.score
        );
    }
    let m = &card.metrics;
    out += &format!(
        "\nTalk agent {:.0} s, customer {:.0} s, silence {:.0} s; {} hold(s), {} interruption(s); \
         customer sentiment {:+.2} → {:+.2}\n",
        m.agent.talk_time,
        m.customer.talk_time,
        m.non_talk_time,
        m.holds.len(),
        m.interruptions.len(),
        m.sentiment.start,
        m.sentiment.end
    );
    out += "\nMoments\n";
    if card.moments.is_empty() {
        out += "  (none)\n";
    }
    for mo in &card.moments {
        out += &format!(
            "  {}  {:<8} {:<20} {:>+4.0}  \"{}\"  ({:.2})\n",
            mmss(mo.start),
            mo.party.as_str(),
            mo.behaviour,
            mo.points,
            mo.quote,
            mo.confidence
        );
    }
    out
}
