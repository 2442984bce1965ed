//! `kuulas score FILE [--json] [--rubric FILE] [--audio REC] [--no-verify]`: score
//! one call and print a readable summary (dimension scores, then the moments
//! with mm:ss, party and quote, unverified ones marked) or the scorecard JSON.
//! When the call's audio is at hand (FILE is a recording, or `--audio`), every
//! moment is checked against it and the rubric's spot phrases are listened for
//! (`kuulas::verify`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};

use kuulas::batch::{Transcribe, Transcribed};
use kuulas::metrics;
use kuulas::rubric::{self, Rubric, Scorecard};
use kuulas::transcribe::Transcriber;
use kuulas::transcript::Transcript;
use kuulas::verify;

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
    /// The recording a transcript JSON was made from, to verify its moments.
    #[arg(long, value_name = "RECORDING")]
    pub audio: Option<PathBuf>,
    /// Score from the text alone: do not check moments against the audio.
    #[arg(long)]
    pub no_verify: bool,
    #[command(flatten)]
    pub whisper: super::transcribe::WhisperArgs,
}

pub fn execute(args: ScoreArgs) -> anyhow::Result<ExitCode> {
    let rubric = load_rubric(args.rubric.as_deref())?;
    let recording = recording(&args)?;
    // The model is loaded once, checked before any call is read, and shared.
    let transcriber = match &recording {
        Some(_) if !args.no_verify || !is_json(&args.file) => {
            let transcriber = args.whisper.load(1)?;
            if !args.no_verify {
                check_verification(&rubric, &transcriber, &args.whisper)?;
            }
            Some(transcriber)
        }
        _ => None,
    };
    let Transcribed {
        transcript,
        loudness,
    } = load_call(&args.file, transcriber.as_ref(), &args.whisper)?;
    if !transcript.has_speech() {
        // A call with no speech gets no scores, not the rubric's base scores.
        if args.json {
            println!(
                "{}",
                serde_json::json!({"status": "no_speech", "overall": null})
            );
        } else {
            println!(
                "{}: not scored: no speech",
                kuulas::escape::path(&args.file)
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    let m = metrics::compute(&transcript, loudness.as_ref());
    let mut card = rubric::score(&transcript, &m, &rubric);
    if let (Some(path), Some(transcriber), false) = (&recording, &transcriber, args.no_verify) {
        let call = args.whisper.options().call_options();
        let started = std::time::Instant::now();
        let verified = verify::run(
            &transcript,
            card,
            &rubric,
            &verify::Recording { path, call: &call },
            transcriber,
        )
        .with_context(|| format!("cannot verify the moments of {}", path.display()))?;
        tracing::info!(
            seconds = started.elapsed().as_secs_f64(),
            checks = verified.judgements.len(),
            "verified against the audio"
        );
        // Every decision with its numbers (`-v`), for reading why a moment was or
        // was not heard and for choosing margins.
        for j in &verified.judgements {
            tracing::debug!(
                behaviour = %j.behaviour,
                text = %j.text,
                start = j.start,
                from_text = j.from_text,
                own = j.evidence.own,
                over_null = ?j.evidence.over_null(),
                over_free = ?j.evidence.over_free(),
                supported = j.supported,
                "judgement"
            );
        }
        card = verified.card;
    }
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

fn is_json(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
}

/// The call's recording, if any: FILE itself, or `--audio` beside a transcript
/// JSON. Probed here, so that a broken recording is reported before the model
/// is loaded.
fn recording(args: &ScoreArgs) -> anyhow::Result<Option<PathBuf>> {
    let path = match (&args.audio, is_json(&args.file)) {
        (Some(_), false) => bail!(
            "--audio goes with a transcript JSON; {} is a recording already",
            args.file.display()
        ),
        (Some(audio), true) => audio.clone(),
        (None, true) => return Ok(None),
        (None, false) => args.file.clone(),
    };
    kuulas::audio::probe(&path)?;
    Ok(Some(path))
}

/// Start-up check for verification: the model can score the run's language and
/// every spot phrase of the rubric tokenises (errors name the model file or the
/// rubric line).
pub fn check_verification(
    rubric: &Rubric,
    transcriber: &Transcriber,
    whisper: &super::transcribe::WhisperArgs,
) -> anyhow::Result<()> {
    // With `auto` the language is known per call; check the default one.
    let language = match whisper.language.as_str() {
        "auto" => "fi",
        language => language,
    };
    verify::check(rubric, transcriber, language)?;
    Ok(())
}

/// The transcript of the call in `path`: read if it is a transcript JSON,
/// otherwise transcribed with `transcriber` (loaded by the caller for a recording).
pub fn load_call(
    path: &Path,
    transcriber: Option<&Transcriber>,
    whisper: &super::transcribe::WhisperArgs,
) -> anyhow::Result<Transcribed> {
    if is_json(path) {
        return Ok(Transcribed::from_json(
            &read_text(path)?,
            &path.display().to_string(),
        )?);
    }
    let Some(transcriber) = transcriber else {
        bail!(
            "{}: a recording needs the model to transcribe it",
            path.display()
        );
    };
    transcriber
        .transcribe(path, &whisper.options().call_options())
        .with_context(|| format!("cannot transcribe {}", path.display()))
}

fn read_text(path: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path)
        .with_context(|| format!("{}: cannot read the transcript", path.display()))
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
        let unverified = if mo.verified {
            ""
        } else {
            "  unverified: the audio does not support it, counts 0"
        };
        out += &format!(
            "  {}  {:<8} {:<20} {:>+4.0}  \"{}\"  ({:.2}){unverified}\n",
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
