//! `kuulas transcribe FILE...`: prints or writes a two-party transcript per file.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::Context;
use kuulas::settings::{TranscriptionOptions, parallelism};
use kuulas::transcribe::{self, AgentChannel, Transcriber, format};

use super::{EXIT_FATAL, EXIT_OK, EXIT_SOME_FAILED};

#[derive(clap::Args)]
pub struct TranscribeArgs {
    /// Recordings to transcribe (WAV incl. G.711, MP3, FLAC, Ogg/Vorbis).
    #[arg(required = true)]
    files: Vec<PathBuf>,
    #[command(flatten)]
    whisper: WhisperArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Write FILE-NAME.<format> files into this directory instead of printing.
    #[arg(long, value_name = "DIR")]
    out_dir: Option<PathBuf>,
    /// Recordings transcribed at once [default: one per core, or cores / threads].
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
    jobs: Option<u16>,
}

/// Options of every command that transcribes.
#[derive(clap::Args, Clone)]
pub struct WhisperArgs {
    /// Whisper model in ggml format [default: $KUULAS_MODEL, else models/ggml-base-q8_0.bin].
    #[arg(long, value_name = "FILE")]
    pub model: Option<PathBuf>,
    /// Which stereo channel is the agent.
    #[arg(long, value_enum, default_value = "left")]
    pub agent_channel: ChannelArg,
    /// Spoken language (ISO 639-1), or `auto` to detect it per call.
    #[arg(long, default_value = "fi")]
    pub language: String,
    /// Decoders per recording, each one thread decoding windows of speech; all
    /// jobs × threads decoders serve every recording in flight
    /// [default: cores / --jobs, with a recording per core when there are several].
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: Option<u16>,
    /// Beam width; 1 decodes greedily (faster).
    #[arg(long, default_value_t = 1)]
    pub beam_size: usize,
    /// Temperature step of the fallback on a failed decode; 0 turns fallback off.
    #[arg(long, default_value_t = 0.2)]
    pub temperature_fallback: f32,
    /// Also fall back when a turn's mean token log-probability is below this
    /// (e.g. -1, as Whisper does) [default: fall back on repetition only].
    #[arg(long, value_name = "LOGPROB", allow_negative_numbers = true)]
    pub logprob_threshold: Option<f32>,
    /// Use this initial prompt instead of the default one, which holds only the
    /// --vocabulary names (none without them); `--prompt ""` for none.
    #[arg(long, value_name = "TEXT")]
    pub prompt: Option<String>,
    /// Organisation vocabulary for the prompt: company, product and place names,
    /// one per line.
    #[arg(long, value_name = "FILE")]
    pub vocabulary: Option<PathBuf>,
    /// Decode only the speech the voice-activity detector finds (`on`), or each
    /// channel whole (`off`).
    #[arg(long, value_enum, default_value = "on")]
    pub vad: Toggle,
    /// Encode each window of speech at its own length (`on`, faster) or always a
    /// full 30 s window (`off`, as Whisper was trained).
    #[arg(long, value_enum, default_value = "on")]
    pub fit_context: Toggle,
    /// Decode a party's consecutive turns together in windows of up to this many
    /// seconds (the prompt is decoded once a window); 0 decodes each turn alone.
    #[arg(long, value_name = "SECONDS", default_value_t = transcribe::DEFAULT_WINDOW_S,
          value_parser = window_seconds)]
    pub window: f64,
    /// Run on the GPU when kuulas was built with one (cargo feature `cuda`).
    #[arg(long)]
    pub gpu: bool,
}

/// `--window`: Whisper hears at most 30 s at a time.
fn window_seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(seconds) if (0.0..=30.0).contains(&seconds) => Ok(seconds),
        _ => Err(format!(
            "`{text}` is not a window length: give seconds from 0 (each turn alone) to 30 \
             (Whisper's window)"
        )),
    }
}

#[derive(clap::ValueEnum, Clone, Copy)]
pub enum ChannelArg {
    Left,
    Right,
}

#[derive(clap::ValueEnum, Clone, Copy, PartialEq)]
pub enum Toggle {
    On,
    Off,
}

#[derive(clap::ValueEnum, Clone, Copy, PartialEq)]
enum Format {
    Json,
    Vtt,
    Text,
}

impl WhisperArgs {
    /// The flags as the library's plain options.
    pub fn options(&self) -> TranscriptionOptions {
        TranscriptionOptions {
            model: self
                .model
                .clone()
                .unwrap_or_else(kuulas::model::default_model_path),
            agent_channel: match self.agent_channel {
                ChannelArg::Left => AgentChannel::Left,
                ChannelArg::Right => AgentChannel::Right,
            },
            language: self.language.clone(),
            threads: self.threads.map(usize::from),
            beam_size: self.beam_size,
            temperature_fallback: self.temperature_fallback,
            logprob_threshold: self.logprob_threshold,
            prompt: self.prompt.clone(),
            vocabulary: self.vocabulary.clone(),
            vad: self.vad == Toggle::On,
            fit_context: self.fit_context == Toggle::On,
            window_s: self.window,
            gpu: self.gpu,
        }
    }

    pub fn load(&self, recordings: usize) -> anyhow::Result<Transcriber> {
        let options = self.options();
        Transcriber::load(&options.model, options.settings(recordings)?, options.gpu)
            .context("cannot start transcribing")
    }
}

pub fn execute(mut args: TranscribeArgs) -> anyhow::Result<ExitCode> {
    if let Some(dir) = &args.out_dir {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create output directory {}", dir.display()))?;
    }
    let plan = parallelism(
        args.jobs.map(usize::from),
        args.whisper.threads.map(usize::from),
        Some(args.files.len()),
    );
    let jobs = plan.jobs;
    args.whisper.threads = Some(plan.threads as u16);
    let transcriber = args.whisper.load(jobs)?;
    let call = args.whisper.options().call_options();
    let many = args.files.len() > 1;
    // Recordings are taken in turn by `jobs` threads; results are written in the
    // order the files were given.
    let next = AtomicUsize::new(0);
    let (done, results) = std::sync::mpsc::channel();
    let mut failed = 0;
    std::thread::scope(|scope| -> anyhow::Result<()> {
        for _ in 0..jobs {
            let (next, done, transcriber, call, files) =
                (&next, done.clone(), &transcriber, &call, &args.files);
            scope.spawn(move || {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(file) = files.get(index) else { break };
                    let transcript = transcribe::run(file, transcriber, call, &mut ());
                    if done.send((index, transcript)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(done);
        let mut waiting = std::collections::BTreeMap::new();
        let mut written = 0;
        for (index, transcript) in results {
            waiting.insert(index, transcript);
            while let Some(transcript) = waiting.remove(&written) {
                let file = &args.files[written];
                written += 1;
                let transcript = match transcript {
                    Ok(t) => t,
                    Err(e) => {
                        let message = e.to_string();
                        eprintln!(
                            "kuulas: {}: {}",
                            kuulas::escape::path(file),
                            kuulas::escape::controls(&message, &[])
                        );
                        failed += 1;
                        continue;
                    }
                };
                let rendered = match args.format {
                    Format::Json if many && args.out_dir.is_none() => {
                        serde_json::to_string(&transcript)? + "\n"
                    }
                    Format::Json => format::to_json(&transcript),
                    Format::Vtt => format::to_vtt(&transcript),
                    Format::Text if many && args.out_dir.is_none() => {
                        format!("== {}\n{}", file.display(), format::to_text(&transcript))
                    }
                    Format::Text => format::to_text(&transcript),
                };
                match &args.out_dir {
                    Some(dir) => write_output(dir, file, args.format, &rendered)?,
                    None => std::io::stdout().write_all(rendered.as_bytes())?,
                }
            }
        }
        Ok(())
    })?;
    Ok(ExitCode::from(match failed {
        0 => EXIT_OK,
        n if n == args.files.len() => EXIT_FATAL,
        _ => EXIT_SOME_FAILED,
    }))
}

fn write_output(dir: &Path, file: &Path, format: Format, rendered: &str) -> anyhow::Result<()> {
    let stem = file
        .file_stem()
        .map_or_else(|| "recording".into(), |s| s.to_string_lossy().into_owned());
    let extension = match format {
        Format::Json => "transcript.json",
        Format::Vtt => "vtt",
        Format::Text => "txt",
    };
    let target = dir.join(format!("{stem}.{extension}"));
    kuulas::atomic::write(&target, rendered.as_bytes())
        .with_context(|| format!("cannot write {}", target.display()))
}

#[cfg(test)]
mod tests {
    use super::window_seconds;

    #[test]
    fn window_is_zero_to_thirty_seconds() {
        assert_eq!(window_seconds("0"), Ok(0.0));
        assert_eq!(window_seconds("28"), Ok(28.0));
        assert_eq!(window_seconds("30"), Ok(30.0));
        for bad in ["31", "-1", "NaN", "inf", "long"] {
            let message = window_seconds(bad).unwrap_err();
            assert!(message.contains(bad) && message.contains("0") && message.contains("30"));
        }
    }
}
