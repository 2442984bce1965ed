//! The only file that talks to whisper.cpp (through whisper-rs). It turns a
//! piece of 16 kHz audio into kuulas's own raw segments and maps every failure to
//! `TranscribeError`; whisper-rs's API moves between versions, so its churn stays here.

use std::path::{Path, PathBuf};
use std::sync::Once;
use std::sync::atomic::{AtomicUsize, Ordering};

use whisper_rs::{
    DtwMode, DtwModelPreset, DtwParameters, FullParams, SamplingStrategy, WhisperContext,
    WhisperContextParameters, WhisperState,
};

use super::{TranscribeError, timing};
use crate::audio::SAMPLE_RATE;

/// How one piece of audio is decoded.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodeOptions {
    /// ISO 639-1 code; `None` lets the model detect the language.
    pub language: Option<String>,
    pub threads: usize,
    /// 1 decodes greedily; more runs beam search of that width.
    pub beam_size: usize,
    /// Temperature of the first attempt (0 = deterministic).
    pub temperature: f32,
    /// Step added on each fallback attempt when a decode looks like a failure
    /// (repetition, or low confidence when `logprob_threshold` is set); 0 turns
    /// fallback off.
    pub temperature_increment: f32,
    /// Text that tells the model what kind of speech to expect.
    pub initial_prompt: Option<String>,
    /// With `logprob_threshold`: a low-confidence decode is kept, not retried, when
    /// Whisper's no-speech probability is above this (Whisper's own rule).
    pub no_speech_threshold: f32,
    /// Also fall back when the average token log-probability is below this.
    /// `None` (the default) falls back on repetition only: a model unsure of the
    /// language (base on Finnish) is below -1 on most turns, and sampling at
    /// higher temperatures then replaces the greedy text with no better text at
    /// up to six times the cost (BENCHMARKS.md).
    pub logprob_threshold: Option<f32>,
    /// Fallback when the token entropy is below this (whisper.cpp's stand-in for
    /// the compression-ratio test: repetitive output has low entropy).
    pub entropy_threshold: f32,
    /// Run the encoder over the region's length instead of a full 30 s window.
    /// Whisper's cost is mostly the encoder, and call turns are a few seconds.
    pub fit_audio_context: bool,
}

/// A decoded segment, times in seconds from the start of the decoded audio.
#[derive(Debug, Clone, PartialEq)]
pub struct RawSegment {
    pub start: f64,
    pub end: f64,
    pub text: String,
    pub words: Vec<RawWord>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RawWord {
    pub text: String,
    pub start: f64,
    pub end: f64,
    pub probability: f32,
}

/// A loaded model: one per process, shared by every concurrent job.
pub struct Engine {
    context: WhisperContext,
    path: PathBuf,
    /// Whether whisper.cpp aligns tokens to audio (DTW over the model's
    /// alignment heads); without, word times are spread by characters.
    aligned: bool,
}

/// Working memory for one job at a time (whisper.cpp's `whisper_state`).
pub struct Session {
    state: WhisperState,
    /// Whether a decode has drawn from the state's random generator, so that
    /// the next one would depend on what this state decoded before.
    sampled: bool,
    /// Token ids from end-of-text up are special (timestamps, language, task).
    first_special_token: i32,
    /// See `Engine::aligned`.
    aligned: bool,
}

/// whisper.cpp needs at least 100 ms and decodes short input badly; pad to this.
const MIN_SAMPLES: usize = SAMPLE_RATE as usize * 11 / 10;

static LOG_HOOK: Once = Once::new();

impl Engine {
    pub fn load(path: &Path, use_gpu: bool) -> Result<Engine, TranscribeError> {
        // Route whisper.cpp's own printing into `tracing` instead of stderr.
        LOG_HOOK.call_once(whisper_rs::install_logging_hooks);
        if !path.is_file() {
            return Err(TranscribeError::ModelMissing {
                path: path.to_path_buf(),
            });
        }
        let preset = alignment_heads(path);
        let aligned = preset.is_some();
        let mut params = WhisperContextParameters::default();
        params.use_gpu(use_gpu);
        if let Some(model_preset) = preset {
            params.dtw_parameters(DtwParameters {
                mode: DtwMode::ModelPreset { model_preset },
                ..DtwParameters::default()
            });
        }
        let context = WhisperContext::new_with_params(path, params).map_err(|e| {
            TranscribeError::ModelLoad {
                path: path.to_path_buf(),
                reason: format!("{e:?}"),
            }
        })?;
        Ok(Engine {
            context,
            path: path.to_path_buf(),
            aligned,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn is_multilingual(&self) -> bool {
        self.context.is_multilingual()
    }

    pub fn session(&self) -> Result<Session, TranscribeError> {
        let state = self
            .context
            .create_state()
            .map_err(|e| TranscribeError::Whisper {
                what: "create a decoding state",
                reason: format!("{e:?}"),
            })?;
        Ok(Session {
            state,
            sampled: false,
            first_special_token: self.context.token_eot(),
            aligned: self.aligned,
        })
    }
}

impl Session {
    /// Whether the next decode would not be the same as on a new session.
    pub fn sampled(&self) -> bool {
        self.sampled
    }

    /// Most likely language of the audio (ISO 639-1 code).
    pub fn detect_language(
        &mut self,
        samples: &[f32],
        threads: usize,
    ) -> Result<String, TranscribeError> {
        let padded = pad(samples);
        let fail = |what, e: whisper_rs::WhisperError| TranscribeError::Whisper {
            what,
            reason: format!("{e:?}"),
        };
        self.state
            .pcm_to_mel(&padded, threads)
            .map_err(|e| fail("compute the spectrogram", e))?;
        let (id, _) = self
            .state
            .lang_detect(0, threads)
            .map_err(|e| fail("detect the language", e))?;
        Ok(whisper_rs::get_lang_str(id).unwrap_or("fi").to_string())
    }

    pub fn decode(
        &mut self,
        samples: &[f32],
        options: &DecodeOptions,
    ) -> Result<Vec<RawSegment>, TranscribeError> {
        let strategy = if options.beam_size > 1 {
            SamplingStrategy::BeamSearch {
                beam_size: options.beam_size as i32,
                patience: -1.0,
            }
        } else {
            SamplingStrategy::Greedy { best_of: 1 }
        };
        let mut params = FullParams::new(strategy);
        params.set_n_threads(options.threads.max(1) as i32);
        params.set_language(options.language.as_deref());
        params.set_detect_language(false);
        params.set_translate(false);
        params.set_no_context(true);
        // With DTW alignment, Whisper's own token timestamps go unused.
        params.set_token_timestamps(!self.aligned);
        params.set_temperature(options.temperature);
        params.set_temperature_inc(options.temperature_increment);
        params.set_no_speech_thold(options.no_speech_threshold);
        params.set_logprob_thold(options.logprob_threshold.unwrap_or(f32::NEG_INFINITY));
        params.set_entropy_thold(options.entropy_threshold);
        quiet(&mut params);
        if let Some(prompt) = options.initial_prompt.as_deref().filter(|p| !p.is_empty()) {
            params.set_initial_prompt(prompt);
        }

        let guard = LoopGuard {
            entropy_threshold: options.entropy_threshold,
            cut: options.temperature_increment > 0.0,
            ..LoopGuard::default()
        };
        // SAFETY: the callback only reads the token list and writes the logits
        // whisper.cpp hands it, and `guard` outlives `full`, which is the only
        // call that uses these parameters.
        unsafe {
            params.set_filter_logits_callback(Some(cut_loops));
            params.set_filter_logits_callback_user_data(
                &guard as *const LoopGuard as *mut std::ffi::c_void,
            );
        }

        let padded = pad(samples);
        let audio_end = samples.len() as f64 / SAMPLE_RATE as f64;
        if options.fit_audio_context {
            params.set_audio_ctx(audio_context(padded.len()));
        }
        self.state
            .full(params, &padded)
            .map_err(|e| TranscribeError::Whisper {
                what: "decode audio",
                reason: format!("{e:?}"),
            })?;
        let attempts = guard.attempts.load(Ordering::Relaxed);
        // Sampling at a higher temperature draws from the state's random generator.
        self.sampled |= attempts > 1;
        tracing::debug!(
            attempts,
            tokens = guard.steps.load(Ordering::Relaxed),
            forced = guard.forced.load(Ordering::Relaxed),
            "whisper.cpp decode"
        );
        Ok(self.collect(audio_end))
    }

    fn collect(&self, audio_end: f64) -> Vec<RawSegment> {
        let mut segments = Vec::new();
        for segment in self.state.as_iter() {
            let start = centis(segment.start_timestamp()).min(audio_end);
            let end = centis(segment.end_timestamp()).min(audio_end).max(start);
            let text = segment
                .to_bytes()
                .map(|b| String::from_utf8_lossy(b).trim().to_string())
                .unwrap_or_default();
            let words = words_of(
                &segment,
                (start, end),
                self.first_special_token,
                self.aligned,
            );
            // A segment too short for its words' distinct starts is widened to hold them.
            let end = words.last().map_or(end, |w| end.max(w.end));
            segments.push(RawSegment {
                start,
                end,
                text,
                words,
            });
        }
        segments
    }
}

/// What the logits callback needs and saw during one `full` call. whisper.cpp may
/// run the callback for several beams on several threads at once, hence atomics.
#[derive(Default)]
struct LoopGuard {
    /// whisper.cpp's repetition test: an attempt whose last 32 tokens have less
    /// entropy than this fails (`DecodeOptions::entropy_threshold`).
    entropy_threshold: f32,
    /// Tokens sampled, over every attempt (fallbacks included).
    steps: AtomicUsize,
    /// Decoding passes started: more than one means a fallback (or a second
    /// window position).
    attempts: AtomicUsize,
    /// Tokens forced to end looping attempts early.
    forced: AtomicUsize,
    /// Only with temperature fallback: without it the failed attempt's text is
    /// the result, and it is left as whisper.cpp makes it.
    cut: bool,
}

/// Ends an attempt that has fallen into a repetition loop as soon as the loop is
/// certain, instead of letting it run to whisper.cpp's 220-token limit.
///
/// Whisper base falls into such loops on Finnish ("mihoituk|ut|ut|ut…", or a
/// whole sentence over and over): on the bench calls a fifth of the attempts ran
/// to the limit and they took a third of all decoded tokens (BENCHMARKS.md).
/// whisper.cpp fails such an attempt at the limit and falls back to the next
/// temperature. This makes it fail earlier by its own repetition test instead:
/// the last token is repeated until the entropy of the last 32 tokens is below
/// the threshold, then end-of-text is forced, so the attempt is judged failed
/// and the fallback runs as before, without the loop's remaining tokens. Once a
/// timestamp has been emitted, whisper.cpp would keep the text before it, so
/// such attempts are left alone.
unsafe extern "C" fn cut_loops(
    context: *mut whisper_rs_sys::whisper_context,
    _state: *mut whisper_rs_sys::whisper_state,
    tokens: *const whisper_rs_sys::whisper_token_data,
    n_tokens: std::os::raw::c_int,
    logits: *mut f32,
    user_data: *mut std::ffi::c_void,
) {
    // SAFETY: `user_data` is the `LoopGuard` set beside this callback in
    // `Session::decode`, alive for the whole `full` call.
    let guard = unsafe { &*(user_data as *const LoopGuard) };
    guard.steps.fetch_add(1, Ordering::Relaxed);
    if n_tokens == 0 {
        guard.attempts.fetch_add(1, Ordering::Relaxed);
    }
    if !guard.cut || tokens.is_null() || n_tokens <= 0 {
        return;
    }
    // SAFETY: whisper.cpp passes the decoder's `n_tokens` tokens so far and the
    // `n_vocab` logits of the next one.
    let (tokens, first_timestamp, end_of_text, vocabulary) = unsafe {
        (
            std::slice::from_raw_parts(tokens, n_tokens as usize),
            whisper_rs_sys::whisper_token_beg(context),
            whisper_rs_sys::whisper_token_eot(context),
            whisper_rs_sys::whisper_n_vocab(context),
        )
    };
    if tokens.iter().any(|t| t.id > first_timestamp) {
        return;
    }
    let ids: Vec<i32> = tokens.iter().map(|t| t.id).collect();
    let Some(token) = loop_cut(&ids, end_of_text, guard.entropy_threshold) else {
        return;
    };
    guard.forced.fetch_add(1, Ordering::Relaxed);
    // SAFETY: see above; token ids are below `vocabulary`.
    let logits = unsafe { std::slice::from_raw_parts_mut(logits, vocabulary as usize) };
    logits.fill(f32::NEG_INFINITY);
    logits[token as usize] = 0.0;
}

/// The token to force on an attempt that ends in a loop, or `None` when it does
/// not: end-of-text when whisper.cpp's repetition test will then fail the
/// attempt, else the last token again, which brings the test closer.
fn loop_cut(tokens: &[i32], end_of_text: i32, entropy_threshold: f32) -> Option<i32> {
    let &last = tokens.last()?;
    // A run of forced tokens follows the loop that started it.
    let run = tokens.iter().rev().take_while(|&&t| t == last).count();
    if !ends_in_loop(tokens) && !ends_in_loop(&tokens[..tokens.len() - run + 1]) {
        return None;
    }
    let mut ending = tokens[tokens.len().saturating_sub(ENTROPY_TOKENS - 1)..].to_vec();
    ending.push(end_of_text);
    // A margin so that whisper.cpp's double arithmetic surely agrees.
    if entropy(&ending) < f64::from(entropy_threshold) - 0.01 {
        Some(end_of_text)
    } else {
        Some(last)
    }
}

/// whisper.cpp's repetition test looks at this many tokens at the end.
const ENTROPY_TOKENS: usize = 32;

/// Entropy (nats) of the token frequencies, as whisper.cpp computes it.
fn entropy(tokens: &[i32]) -> f64 {
    let mut counts = std::collections::HashMap::new();
    for &t in tokens {
        *counts.entry(t).or_insert(0usize) += 1;
    }
    let total = tokens.len() as f64;
    counts
        .values()
        .map(|&c| {
            let p = c as f64 / total;
            -p * p.ln()
        })
        .sum()
}

/// Longest repeated block looked for, in tokens (a sentence of base's Finnish).
const MAX_LOOP_PERIOD: usize = 64;
/// A loop is certain once its repeats span this many tokens ...
const MIN_LOOP_TOKENS: usize = 32;
/// ... and this many copies of the block, in tenths: a phrase said twice, as
/// people do, is not a loop.
const MIN_LOOP_COPIES_TENTHS: usize = 25;

/// Whether `tokens` ends in one block repeated back to back, long enough to be a
/// decoding loop rather than speech.
fn ends_in_loop(tokens: &[i32]) -> bool {
    (1..=MAX_LOOP_PERIOD).any(|period| {
        let span = MIN_LOOP_TOKENS.max(period * MIN_LOOP_COPIES_TENTHS / 10);
        tokens.len() >= span
            && (tokens.len() - span + period..tokens.len()).all(|i| tokens[i] == tokens[i - period])
    })
}

/// Joins BPE tokens into words: a token that starts with a space starts a word.
/// Bytes are joined before decoding because a token may hold half of "ä". A word
/// starts where DTW aligned its first token (`aligned`); `timing` keeps the starts
/// strictly increasing inside the segment's `span`.
fn words_of(
    segment: &whisper_rs::WhisperSegment<'_>,
    span: (f64, f64),
    first_special_token: i32,
    aligned: bool,
) -> Vec<RawWord> {
    struct Pending {
        bytes: Vec<u8>,
        start: Option<f64>,
        probability_sum: f32,
        tokens: usize,
    }
    let mut pending: Vec<Pending> = Vec::new();
    for i in 0..segment.n_tokens() {
        let Some(token) = segment.get_token(i) else {
            continue;
        };
        let data = token.token_data();
        if data.id >= first_special_token {
            continue;
        }
        let Ok(bytes) = token.to_bytes() else {
            continue;
        };
        let starts_word = bytes.first() == Some(&b' ');
        match pending.last_mut() {
            Some(p) if !starts_word => {
                p.bytes.extend_from_slice(bytes);
                p.probability_sum += data.p;
                p.tokens += 1;
            }
            _ => pending.push(Pending {
                bytes: bytes.to_vec(),
                start: (aligned && data.t_dtw >= 0).then(|| centis(data.t_dtw)),
                probability_sum: data.p,
                tokens: 1,
            }),
        }
    }
    let words: Vec<(String, Option<f64>, f32)> = pending
        .into_iter()
        .map(|p| {
            let text = String::from_utf8_lossy(&p.bytes).trim().to_string();
            (text, p.start, p.probability_sum / p.tokens as f32)
        })
        .filter(|(text, _, _)| !text.is_empty())
        .collect();
    let starts: Vec<Option<f64>> = words.iter().map(|w| w.1).collect();
    let chars: Vec<usize> = words.iter().map(|w| w.0.chars().count()).collect();
    let times = timing::word_times(&starts, &chars, span);
    words
        .into_iter()
        .zip(times)
        .map(|((text, _, probability), (start, end))| RawWord {
            text,
            start,
            end,
            probability,
        })
        .collect()
}

/// The DTW alignment heads whisper.cpp knows for the model at `path`, chosen by
/// its dimensions (`model::inspect`), or `None` with a logged note when it has no
/// preset (a custom or fine-tuned shape, or large-v1/v2, which share dimensions
/// but not heads): word times are then spread over each segment by characters.
/// No blank or non-speech tokens, and nothing printed by whisper.cpp itself.
fn quiet(params: &mut FullParams) {
    params.set_suppress_blank(true);
    params.set_suppress_nst(true);
    params.set_print_special(false);
    params.set_print_progress(false);
    params.set_print_realtime(false);
    params.set_print_timestamps(false);
}

fn alignment_heads(path: &Path) -> Option<DtwModelPreset> {
    let kind = match crate::model::inspect(path) {
        Ok(info) => info.kind,
        Err(e) => {
            tracing::info!(
                "{}: cannot read the model's dimensions ({e}); word times are spread over \
                 each segment by characters",
                path.display()
            );
            return None;
        }
    };
    let preset = dtw_preset(&kind);
    if preset.is_none() {
        tracing::info!(
            "{}: no DTW alignment heads known for a `{kind}` model; word times are spread \
             over each segment by characters",
            path.display()
        );
    }
    preset
}

/// whisper.cpp's alignment-head preset for a model kind as `model::inspect` names it.
fn dtw_preset(kind: &str) -> Option<DtwModelPreset> {
    Some(match kind {
        "tiny.en" => DtwModelPreset::TinyEn,
        "tiny" => DtwModelPreset::Tiny,
        "base.en" => DtwModelPreset::BaseEn,
        "base" => DtwModelPreset::Base,
        "small.en" => DtwModelPreset::SmallEn,
        "small" => DtwModelPreset::Small,
        "medium.en" => DtwModelPreset::MediumEn,
        "medium" => DtwModelPreset::Medium,
        "large-v3" => DtwModelPreset::LargeV3,
        "large-v3-turbo" => DtwModelPreset::LargeV3Turbo,
        _ => return None,
    })
}

/// Encoder frames (20 ms each) covering `samples` plus a second of margin, in
/// steps of 64 frames; whisper.cpp caps it at the model's window.
fn audio_context(samples: usize) -> i32 {
    let frames = samples * 50 / SAMPLE_RATE as usize + 50;
    (frames.div_ceil(64) * 64).min(1500) as i32
}

fn centis(t: i64) -> f64 {
    t.max(0) as f64 / 100.0
}

fn pad(samples: &[f32]) -> Vec<f32> {
    let mut padded = samples.to_vec();
    if padded.len() < MIN_SAMPLES {
        padded.resize(MIN_SAMPLES, 0.0);
    }
    padded
}

// ---------------------------------------------------------------------------
// Teacher-forced scoring (acoustic verification, `crate::verify`).

/// The most tokens a forced sequence may have: Whisper's decoder holds 448
/// positions, and a quote is a sentence or two.
pub const MAX_FORCED_TOKENS: usize = 200;

/// Scores given token sequences against one stretch of audio at a time: the
/// stretch is encoded once ([`Scorer::hear`], which also decodes it freely),
/// then any number of sequences are decoded teacher-forced on that encoding
/// ([`Scorer::score`]). No prompt, no timestamps: `[sot, language, transcribe,
/// notimestamps, tokens…]`.
///
/// A sequence is decoded in one pass: whisper.cpp's `whisper_decode` computes
/// logits only for the last token of a batch, so `vendor/kuulas.patch` adds a
/// switch (`whisper_kuulas_logits_from`) for a row per token from a given one
/// on, which [`Scorer::forced`] reads.
pub struct Scorer {
    session: Session,
    /// `[sot, language, transcribe, notimestamps]`.
    prefix: Vec<i32>,
    language: String,
    /// Logits (text tokens) of the first token after the prefix, on the
    /// stretch heard last (`None` before the first).
    first: Option<Vec<f32>>,
}

impl Engine {
    /// A scorer for speech in `language` (ISO 639-1), with its own decoding state.
    /// Fails, naming the model file, when the model cannot write that language
    /// (an English-only model asked for anything but English).
    pub fn scorer(&self, language: &str) -> Result<Scorer, TranscribeError> {
        let unable = |reason: String| TranscribeError::ModelLoad {
            path: self.path.clone(),
            reason,
        };
        let multilingual = self.context.is_multilingual();
        if !multilingual && language != "en" {
            return Err(unable(format!(
                "an English-only model cannot verify or spot {language:?} speech; use a multilingual model"
            )));
        }
        let mut prefix = vec![self.context.token_sot()];
        if multilingual {
            let Some(id) = whisper_rs::get_lang_id(language) else {
                return Err(unable(format!(
                    "Whisper has no language {language:?} to verify speech in"
                )));
            };
            prefix.push(self.context.token_lang(id));
            prefix.push(self.context.token_transcribe());
        }
        prefix.push(self.context.token_not());
        Ok(Scorer {
            session: self.session()?,
            prefix,
            language: language.to_string(),
            first: None,
        })
    }

    /// Whisper's tokens for `text` (a leading space is added, as words inside a
    /// sentence have); an error for text that gives none or too many.
    pub fn tokenize(&self, text: &str) -> Result<Vec<i32>, String> {
        let text = format!(" {}", text.trim());
        let tokens = self
            .context
            .tokenize(&text, MAX_FORCED_TOKENS + 1)
            .map_err(|e| format!("{e:?}"))?;
        if tokens.is_empty() {
            return Err("it gives no Whisper tokens".to_string());
        }
        if tokens.len() > MAX_FORCED_TOKENS {
            return Err(format!("more than {MAX_FORCED_TOKENS} Whisper tokens"));
        }
        Ok(tokens)
    }
}

impl Scorer {
    /// Encodes `samples` (16 kHz, one party) and, with `decode`, decodes them
    /// freely: greedy, unprompted, no fallback. Returns the free decode's mean
    /// log-probability per text token (as whisper.cpp scored each token it
    /// chose; `None` without `decode` or when it heard no words); the encoding
    /// stays for [`Scorer::score`].
    pub fn hear(&mut self, samples: &[f32], decode: bool) -> Result<Option<f32>, TranscribeError> {
        let fail = |what, e: whisper_rs::WhisperError| TranscribeError::Whisper {
            what,
            reason: format!("{e:?}"),
        };
        let mut params = FullParams::new(SamplingStrategy::Greedy { best_of: 1 });
        params.set_n_threads(1);
        params.set_language(Some(&self.language));
        params.set_detect_language(false);
        params.set_translate(false);
        params.set_no_context(true);
        params.set_no_timestamps(true);
        params.set_single_segment(true);
        params.set_temperature(0.0);
        params.set_temperature_inc(0.0);
        // Never dropped as silence: the stretches are speech by construction.
        params.set_logprob_thold(f32::NEG_INFINITY);
        quiet(&mut params);
        if !decode {
            // whisper.cpp encodes before it decodes: one token is the least it does.
            params.set_max_tokens(1);
        }
        let padded = pad(samples);
        params.set_audio_ctx(audio_context(padded.len()));
        self.session
            .state
            .full(params, &padded)
            .map_err(|e| fail("decode a stretch to verify", e))?;
        let eot = self.session.first_special_token;
        let (mut sum, mut n) = (0.0f32, 0usize);
        for segment in self.session.state.as_iter() {
            for i in 0..segment.n_tokens() {
                if let Some(data) = segment.get_token(i).map(|t| t.token_data())
                    && data.id < eot
                {
                    sum += data.plog;
                    n += 1;
                }
            }
        }
        // The prefix is the same for every sequence: its cache stays in place.
        let prefix = self.prefix.clone();
        self.session
            .state
            .decode(&prefix, 0, 1)
            .map_err(|e| fail("decode the verification prefix", e))?;
        // The prediction after the prefix is the row of its last token, not the
        // first row (which holds whatever an earlier decode left there).
        let rows = logit_rows(&self.session.state, prefix.len())
            .map_err(|e| fail("read the logits", e))?;
        let last = rows.chunks_exact(rows.len() / prefix.len()).next_back();
        let n_text = self.session.first_special_token as usize;
        self.first = last.map(|row| row[..n_text.min(row.len())].to_vec());
        Ok((decode && n > 0).then(|| sum / n as f32))
    }

    /// Mean log-probability of `scored` after `context`, on the stretch heard
    /// last: how well the audio supports those tokens there. `None` for no tokens.
    pub fn score(
        &mut self,
        context: &[i32],
        scored: &[i32],
    ) -> Result<Option<f32>, TranscribeError> {
        let Some(first) = &self.first else {
            return Err(TranscribeError::Whisper {
                what: "score tokens",
                reason: "no audio heard yet".to_string(),
            });
        };
        if scored.is_empty() {
            return Ok(None);
        }
        let tokens: Vec<i32> = context.iter().chain(scored).copied().collect();
        let tokens = &tokens[..tokens.len().min(MAX_FORCED_TOKENS)];
        // Token 0 is predicted after the prefix; token i after token i - 1, whose
        // row one forced pass over all but the last token gives.
        let (mut sum, mut n) = if context.is_empty() {
            (log_prob(first, tokens[0]), 1usize)
        } else {
            (0.0f32, 0usize)
        };
        // The first scored token is number context.len(), read from the row before it.
        let first_row = context.len().saturating_sub(1);
        if tokens.len() > 1 && first_row < tokens.len() - 1 {
            for log_prob in self.forced(tokens, first_row)? {
                sum += log_prob;
                n += 1;
            }
        }
        Ok((n > 0).then(|| sum / n as f32))
    }

    /// Decodes all but the last of `tokens` after the prefix in one pass and
    /// returns the log-probability of each token after number `first_row`, given
    /// those before it (the output layer runs only for those rows: the context
    /// before them is decoded, not scored).
    fn forced(&mut self, tokens: &[i32], first_row: usize) -> Result<Vec<f32>, TranscribeError> {
        let fail = |what, e: whisper_rs::WhisperError| TranscribeError::Whisper {
            what,
            reason: format!("{e:?}"),
        };
        let fed = &tokens[..tokens.len() - 1];
        debug_assert!(first_row < fed.len(), "at least one row is read");
        // SAFETY: sets a thread-local switch of the vendored whisper.cpp, read by
        // the `decode` below on this thread and cleared right after it.
        unsafe { whisper_rs_sys::whisper_kuulas_logits_from(first_row as i32) };
        let decoded = self.session.state.decode(fed, self.prefix.len(), 1);
        unsafe { whisper_rs_sys::whisper_kuulas_logits_from(-1) };
        decoded.map_err(|e| fail("decode forced tokens", e))?;
        let all =
            logit_rows(&self.session.state, fed.len()).map_err(|e| fail("read the logits", e))?;
        let n_vocab = all.len() / fed.len();
        let n_text = (self.session.first_special_token as usize).min(n_vocab);
        Ok(all
            .chunks_exact(n_vocab)
            .zip(&tokens[1..])
            .skip(first_row)
            .map(|(row, &next)| log_prob(&row[..n_text], next))
            .collect())
    }
}

/// The logits buffer of the last decode of `n_tokens` tokens: row `i` (of
/// `n_vocab`) belongs to token `i`, and only rows whose token asked for logits
/// are written (the last one; every one from the switch's first under
/// `whisper_kuulas_logits_from`).
fn logit_rows(state: &WhisperState, n_tokens: usize) -> Result<&[f32], whisper_rs::WhisperError> {
    let first_row = state.get_logits()?;
    // SAFETY: whisper_decode_internal resizes the state's logits buffer to
    // n_tokens × n_vocab for every decode (vendor/whisper.cpp, kept by
    // vendor/kuulas.patch); whisper-rs's slice is that buffer's first row, and
    // nothing writes the buffer while `state` is borrowed.
    Ok(unsafe { std::slice::from_raw_parts(first_row.as_ptr(), first_row.len() * n_tokens) })
}

/// Log-probability of `token` under `logits` (text tokens only).
fn log_prob(logits: &[f32], token: i32) -> f32 {
    let Some(&chosen) = logits.get(token as usize) else {
        return f32::NEG_INFINITY;
    };
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let sum: f32 = logits.iter().map(|&l| (l - max).exp()).sum();
    chosen - (max + sum.ln())
}

#[cfg(test)]
mod tests {
    use super::{DtwModelPreset, dtw_preset, ends_in_loop, entropy, loop_cut};

    const EOT: i32 = 50257;

    /// Feeds `loop_cut` as whisper.cpp would: the forced token is appended until
    /// end-of-text; returns how many tokens were forced.
    fn run_to_end_of_text(mut tokens: Vec<i32>) -> (usize, Vec<i32>) {
        let mut forced = 0;
        while let Some(token) = loop_cut(&tokens, EOT, 2.4) {
            tokens.push(token);
            forced += 1;
            if token == EOT {
                return (forced, tokens);
            }
            assert!(forced < 40, "never reached end-of-text");
        }
        (forced, tokens)
    }

    #[test]
    fn alignment_heads_follow_the_models_dimensions() {
        assert!(matches!(dtw_preset("base"), Some(DtwModelPreset::Base)));
        assert!(matches!(
            dtw_preset("small.en"),
            Some(DtwModelPreset::SmallEn)
        ));
        assert!(matches!(
            dtw_preset("large-v3-turbo"),
            Some(DtwModelPreset::LargeV3Turbo)
        ));
        // Same dimensions, different heads: no guess.
        assert!(dtw_preset("large-v1 or large-v2").is_none());
        assert!(dtw_preset("unknown custom").is_none());
    }

    #[test]
    fn a_looping_attempt_ends_as_one_whisper_cpp_rejects() {
        let sentence: Vec<i32> = (100..137).collect();
        let mut tokens: Vec<i32> = vec![50364];
        tokens.extend(1..50);
        while !ends_in_loop(&tokens) {
            tokens.push(sentence[(tokens.len() - 50) % sentence.len()]);
        }
        let (forced, ended) = run_to_end_of_text(tokens);
        assert!(forced > 1 && forced <= 20, "{forced} tokens forced");
        assert_eq!(ended.last(), Some(&EOT));
        // whisper.cpp's test: the entropy of the result's last 32 tokens.
        assert!(entropy(&ended[ended.len() - 32..]) < 2.4);

        // A one-token loop is rejected by the test at once.
        let mut stuck = vec![50364, 11, 12, 13];
        stuck.extend(std::iter::repeat_n(99, 32));
        assert_eq!(loop_cut(&stuck, EOT, 2.4), Some(EOT));
    }

    #[test]
    fn speech_is_not_touched() {
        let speech: Vec<i32> = (1000..1200).collect();
        for end in 1..speech.len() {
            assert_eq!(loop_cut(&speech[..end], EOT, 2.4), None);
        }
    }

    #[test]
    fn a_token_or_a_sentence_over_and_over_is_a_loop() {
        let mut stuck = vec![50364, 11, 12, 13];
        stuck.extend(std::iter::repeat_n(99, 32));
        assert!(ends_in_loop(&stuck));

        let sentence: Vec<i32> = (100..140).collect();
        let mut over_and_over = vec![50364, 1, 2, 3];
        for _ in 0..3 {
            over_and_over.extend(&sentence);
        }
        assert!(ends_in_loop(&over_and_over));
    }

    #[test]
    fn speech_and_a_phrase_said_twice_are_not() {
        let speech: Vec<i32> = (1000..1200).collect();
        assert!(!ends_in_loop(&speech));

        let phrase: Vec<i32> = (100..120).collect();
        let mut twice = speech.clone();
        twice.extend(&phrase);
        twice.extend(&phrase);
        assert!(!ends_in_loop(&twice));

        // "joo joo joo": a short repeat people do say.
        let mut joo = speech;
        joo.extend([7, 7, 7, 7]);
        assert!(!ends_in_loop(&joo));
        // Too short to tell yet.
        assert!(!ends_in_loop(&[5; 31]));
    }
}
