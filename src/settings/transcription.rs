//! How calls are transcribed, as plain options, and what follows from them: the
//! transcriber's settings, the domain prompt (only the organisation's vocabulary,
//! never rubric phrases: `transcribe::prompt`), each call's defaults, and the
//! fingerprint stored with every transcript so a rerun with other settings knows
//! which calls to transcribe again.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::settings::parallelism;
use crate::transcribe::{self, AgentChannel, CallOptions, prompt};

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("cannot read the vocabulary file {path}: {source}")]
    Vocabulary {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Every option that decides how a call is transcribed.
#[derive(Debug, Clone, PartialEq)]
pub struct TranscriptionOptions {
    /// The Whisper model (ggml).
    pub model: PathBuf,
    /// The agent's stereo channel, for calls whose metadata does not say.
    pub agent_channel: AgentChannel,
    /// ISO 639-1, or `auto` to detect it per call.
    pub language: String,
    /// Decoders per recording; `None`: the [`parallelism`] plan's.
    pub threads: Option<usize>,
    pub beam_size: usize,
    /// Temperature step of the fallback; 0 turns fallback off.
    pub temperature_fallback: f32,
    pub logprob_threshold: Option<f32>,
    /// The initial prompt; `None`: the [`domain_prompt`] of `vocabulary`.
    pub prompt: Option<String>,
    /// The organisation's names, one a line.
    pub vocabulary: Option<PathBuf>,
    /// Decode only what the voice-activity detector finds.
    pub vad: bool,
    /// Encode each window at its own length.
    pub fit_context: bool,
    /// Seconds of a party's turns decoded together; 0: each turn alone.
    pub window_s: f64,
    pub gpu: bool,
}

impl TranscriptionOptions {
    /// The transcriber's settings for `recordings` transcribed at once, each with
    /// `threads` decoders (all of them shared by every recording).
    pub fn settings(&self, recordings: usize) -> Result<transcribe::Settings, SettingsError> {
        let mut settings = transcribe::Settings::default();
        let per_recording = parallelism(None, self.threads, Some(1)).threads;
        settings.decoders = recordings.max(1) * per_recording;
        let decode = &mut settings.decode;
        decode.language = Some(self.language.clone());
        decode.beam_size = self.beam_size.max(1);
        decode.temperature_increment = self.temperature_fallback.max(0.0);
        decode.logprob_threshold = self.logprob_threshold;
        decode.initial_prompt = Some(match &self.prompt {
            Some(prompt) => prompt.clone(),
            None => domain_prompt(self.vocabulary.as_deref())?,
        });
        decode.fit_audio_context = self.fit_context;
        if !self.vad {
            settings.vad = transcribe::VadSettings::disabled();
        }
        settings.window_s = self.window_s;
        Ok(settings)
    }

    /// What applies to a call whose metadata does not say.
    pub fn call_options(&self) -> CallOptions {
        CallOptions {
            agent_channel: self.agent_channel,
            language: None,
        }
    }

    /// The settings that shape a transcript, as the JSON object stored with each
    /// one: the model (by `model_sha256`), every decoding option but the thread
    /// count, the prompt (by hash; it holds the vocabulary), the window, the VAD
    /// and the default agent channel.
    pub fn fingerprint(&self, model_sha256: Option<&str>) -> Result<String, SettingsError> {
        let s = self.settings(1)?;
        let (d, v) = (&s.decode, &s.vad);
        // f32 as written (0.2, not 0.20000000298023224), so changes read plainly.
        let num = |x: f32| x.to_string().parse::<f64>().unwrap_or(f64::NAN);
        let prompt = d.initial_prompt.as_deref().unwrap_or_default();
        Ok(serde_json::json!({
            "model_sha256": model_sha256,
            "language": d.language,
            "beam_size": d.beam_size,
            "temperature": num(d.temperature),
            "temperature_fallback": num(d.temperature_increment),
            "prompt_sha256": hex::encode(Sha256::digest(prompt.as_bytes())),
            "no_speech_threshold": num(d.no_speech_threshold),
            "logprob_threshold": d.logprob_threshold.map(num),
            "entropy_threshold": num(d.entropy_threshold),
            "fit_context": d.fit_audio_context,
            "window_s": s.window_s,
            "vad": [num(v.threshold_db), num(v.min_level_db), v.hangover_s, v.pad_s,
                    v.min_speech_s, v.max_region_s],
            "agent_channel": self.agent_channel,
        })
        .to_string())
    }
}

/// The prompt of the vocabulary file's names (none without a file).
pub fn domain_prompt(vocabulary: Option<&Path>) -> Result<String, SettingsError> {
    let names: Vec<String> = match vocabulary {
        Some(path) => std::fs::read_to_string(path)
            .map_err(|source| SettingsError::Vocabulary {
                path: path.to_path_buf(),
                source,
            })?
            .lines()
            .map(str::to_string)
            .collect(),
        None => Vec::new(),
    };
    Ok(prompt::build(&names, prompt::MAX_PROMPT_CHARS))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> TranscriptionOptions {
        TranscriptionOptions {
            model: "m.bin".into(),
            agent_channel: AgentChannel::Left,
            language: "fi".into(),
            threads: Some(2),
            beam_size: 1,
            temperature_fallback: 0.2,
            logprob_threshold: None,
            prompt: None,
            vocabulary: None,
            vad: true,
            fit_context: true,
            window_s: 28.0,
            gpu: false,
        }
    }

    #[test]
    fn the_domain_prompt_holds_the_vocabularys_names() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("names.txt");
        std::fs::write(&file, "Kuulas Oy\nLaajakaista Plus\n").unwrap();
        let mut o = options();
        o.vocabulary = Some(file);
        let s = o.settings(3).unwrap();
        assert_eq!(
            s.decode.initial_prompt.as_deref(),
            Some("Kuulas Oy, Laajakaista Plus.")
        );
        assert_eq!(s.decoders, 6, "three recordings of two decoders");
        o.vocabulary = Some(dir.path().join("missing.txt"));
        let e = o.settings(1).unwrap_err().to_string();
        assert!(e.contains("missing.txt"), "{e}");
    }

    #[test]
    fn the_fingerprint_changes_with_what_shapes_a_transcript_only() {
        let base = options().fingerprint(Some("abc")).unwrap();
        let mut threads = options();
        threads.threads = Some(7);
        assert_eq!(threads.fingerprint(Some("abc")).unwrap(), base);
        let mut window = options();
        window.window_s = 20.0;
        assert_ne!(window.fingerprint(Some("abc")).unwrap(), base);
        assert_ne!(options().fingerprint(None).unwrap(), base);
    }
}
