//! The transcribe stage: a recording in, a two-party, timestamped transcript out.
//!
//! Each channel is cut into speech regions (turns) by a voice-activity detector; a
//! channel's consecutive turns are packed into windows of up to 28 s (`pack`) and
//! every window is decoded with no text carried over from the previous one: this
//! never decodes silence (where Whisper invents text), keeps timestamps anchored
//! to each turn across long holds, and stops one failed window from blanking a
//! whole channel (see ASR-NOTES.md). Windows are decoded as the audio streams in,
//! so memory is bounded by a window per channel, whatever the length of the
//! recording.
//!
//! Entry points: `Transcriber::load` once per process (the model is shared by all
//! jobs), then `transcribe::run` per recording.

mod cleanup;
pub mod format;
mod pack;
mod pitch;
mod pool;
pub mod prompt;
mod timing;
pub mod vad;
mod whisper;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender};

use crate::audio::{self, AudioError, AudioLimits, SAMPLE_RATE};
use crate::transcript::{Attribution, Party, Segment, TRANSCRIPT_SCHEMA_VERSION, Transcript, Word};
pub use vad::VadSettings;
pub use whisper::{DecodeOptions, Scorer};

#[derive(Debug, thiserror::Error)]
pub enum TranscribeError {
    #[error(
        "no Whisper model at {path}: run `scripts/fetch-model.sh` to import the default one, or pass --model FILE"
    )]
    ModelMissing { path: PathBuf },
    #[error(
        "{path}: cannot load it as a Whisper model ({reason}); check it with `kuulas model info {path}`"
    )]
    ModelLoad { path: PathBuf, reason: String },
    #[error("whisper.cpp failed to {what}: {reason}")]
    Whisper { what: &'static str, reason: String },
    #[error(transparent)]
    Audio(#[from] AudioError),
    #[error("{path}: has {channels} channels; kuulas reads mono or two-party stereo recordings")]
    Channels { path: PathBuf, channels: u16 },
    /// Only the batch's test transcriber reads transcripts instead of decoding them.
    #[error(
        "cannot read the transcript file {path}: {source}; the fixture transcriber reads it \
         in place of Whisper's output"
    )]
    TranscriptFile {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Transcript(#[from] crate::transcript::TranscriptError),
}

/// Which stereo channel carries the agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AgentChannel {
    #[default]
    Left,
    Right,
}

/// Settings shared by every recording of a run.
#[derive(Debug, Clone)]
pub struct Settings {
    pub decode: DecodeOptions,
    pub vad: VadSettings,
    pub limits: AudioLimits,
    /// Consecutive turns of a channel are decoded together in windows of at most
    /// this many seconds (0: each turn alone); see `pack`.
    pub window_s: f64,
    /// Decoders shared by every recording in flight (`pool`); each runs
    /// `decode.threads` threads.
    pub decoders: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            decode: DecodeOptions {
                language: Some("fi".to_string()),
                threads: 1,
                beam_size: 1,
                temperature: 0.0,
                temperature_increment: 0.2,
                initial_prompt: None,
                no_speech_threshold: 0.6,
                logprob_threshold: None,
                entropy_threshold: 2.4,
                fit_audio_context: true,
            },
            vad: VadSettings::default(),
            limits: AudioLimits::default(),
            window_s: DEFAULT_WINDOW_S,
            decoders: std::thread::available_parallelism().map_or(1, |n| n.get()),
        }
    }
}

/// Whisper's window is 30 s; a little is left for the padding of the last turn.
pub const DEFAULT_WINDOW_S: f64 = 28.0;

/// What may differ per recording (from its metadata).
#[derive(Debug, Clone, Default)]
pub struct CallOptions {
    pub agent_channel: AgentChannel,
    /// Overrides the run's language for this recording; `Some("auto")` detects it.
    pub language: Option<String>,
}

/// Receives the decoded audio as it streams past, e.g. to measure loudness.
pub trait AudioObserver {
    fn samples(&mut self, party: Party, start_s: f64, samples: &[f32]);
}

impl AudioObserver for () {
    fn samples(&mut self, _: Party, _: f64, _: &[f32]) {}
}

/// A loaded model, its decoders and the run's settings; shared by all
/// concurrent jobs.
pub struct Transcriber {
    pool: pool::Pool,
    /// The model itself, for teacher-forced scoring (`crate::verify`).
    engine: Arc<whisper::Engine>,
    model: PathBuf,
    multilingual: bool,
    settings: Settings,
}

impl Transcriber {
    pub fn load(
        model: &Path,
        settings: Settings,
        use_gpu: bool,
    ) -> Result<Transcriber, TranscribeError> {
        let engine = Arc::new(whisper::Engine::load(model, use_gpu)?);
        Ok(Transcriber {
            model: engine.path().to_path_buf(),
            multilingual: engine.is_multilingual(),
            pool: pool::Pool::start(engine.clone(), settings.decoders),
            engine,
            settings,
        })
    }

    pub fn model_path(&self) -> &Path {
        &self.model
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// A teacher-forced scorer for `language` on its own decoding state; an
    /// error naming the model file when the model cannot write that language.
    pub fn scorer(&self, language: &str) -> Result<Scorer, TranscribeError> {
        self.engine.scorer(language)
    }

    /// The model's tokens for `text`, or why it has none.
    pub fn tokenize(&self, text: &str) -> Result<Vec<i32>, String> {
        self.engine.tokenize(text)
    }
}

/// Transcribes one recording. Silence gives an empty transcript, not an error.
///
/// The audio streams through the voice-activity detectors on this thread; each
/// channel's speech regions are packed into windows (`pack`) and handed to the
/// transcriber's decoders (`pool`), which serve every recording in flight.
/// Windows are independent (no text is carried over), so any decoder can take
/// any window, in any order.
pub fn run(
    path: &Path,
    transcriber: &Transcriber,
    call: &CallOptions,
    observer: &mut dyn AudioObserver,
) -> Result<Transcript, TranscribeError> {
    let mut stream = audio::open(path, &transcriber.settings.limits)?;
    let info = stream.info().clone();
    let parties = parties_of(&info.path, info.channels, call.agent_channel)?;
    let mut decode = transcriber.settings.decode.clone();
    if let Some(language) = &call.language {
        decode.language = Some(language.clone());
    }
    let detect_language = decode.language.as_deref().is_none_or(|l| l == "auto");
    if !transcriber.multilingual && detect_language {
        decode.language = Some("en".to_string());
    }
    let detect_language = detect_language && transcriber.multilingual;
    let mut windows = Windows {
        pool: &transcriber.pool,
        call: Arc::new(pool::CallDecoding {
            options: decode.clone(),
            detect_language,
            // Only a mono recording's speakers are told apart by pitch.
            mono: parties.len() == 1,
            cancelled: AtomicBool::new(false),
        }),
        replies: std::sync::mpsc::channel(),
        pending: 0,
        pieces: Vec::new(),
        language: None,
    };

    let mut vads: Vec<vad::Vad> = parties
        .iter()
        .map(|_| vad::Vad::new(transcriber.settings.vad.clone()))
        .collect();
    let mut packers: Vec<pack::Packer> = parties
        .iter()
        .map(|_| pack::Packer::new(transcriber.settings.window_s))
        .collect();
    let streamed = (|| -> Result<usize, TranscribeError> {
        let mut position = 0usize;
        while let Some(block) = stream.next_block()? {
            for (channel, samples) in block.iter().enumerate().take(parties.len()) {
                observer.samples(
                    parties[channel],
                    position as f64 / SAMPLE_RATE as f64,
                    samples,
                );
                for region in vads[channel].feed(samples) {
                    if let Some(window) = packers[channel].push(region) {
                        windows.submit(channel, window)?;
                    }
                }
            }
            position += block.first().map_or(0, Vec::len);
        }
        for (channel, (vad, mut packer)) in vads.into_iter().zip(packers).enumerate() {
            let last = vad.finish().and_then(|region| packer.push(region));
            for window in last.into_iter().chain(packer.finish()) {
                windows.submit(channel, window)?;
            }
        }
        Ok(position)
    })();
    let position = match streamed {
        Ok(position) => position,
        Err(e) => {
            windows.call.cancelled.store(true, Ordering::Relaxed);
            return Err(e);
        }
    };
    let (pieces, language) = windows.finish()?;
    // The language of the call is the one heard first.
    let language = language
        .or(decode.language)
        .unwrap_or_else(|| "fi".to_string());
    let (segments, attribution) = attribute(pieces, &parties);
    Ok(Transcript {
        schema_version: TRANSCRIPT_SCHEMA_VERSION,
        duration: round_ms(position as f64 / SAMPLE_RATE as f64),
        language,
        attribution,
        segments,
    })
}

type Reply = Result<pool::Decoded, TranscribeError>;

/// One recording's windows on their way through the decoders.
struct Windows<'p> {
    pool: &'p pool::Pool,
    call: Arc<pool::CallDecoding>,
    replies: (Sender<Reply>, Receiver<Reply>),
    /// Windows submitted and not yet answered.
    pending: usize,
    pieces: Vec<Piece>,
    language: Option<String>,
}

impl Windows<'_> {
    fn submit(&mut self, channel: usize, window: pack::Window) -> Result<(), TranscribeError> {
        // Answers so far are taken in as they come, so that a failed window stops
        // the recording before the rest of it is decoded.
        while let Ok(reply) = self.replies.1.try_recv() {
            self.pending -= 1;
            self.take(reply)?;
        }
        if self.call.detect_language && self.language.is_none() {
            // The first window decides the language; the others are decoded in it.
            let (reply, answer) = std::sync::mpsc::channel();
            self.pool.submit(pool::Job {
                channel,
                window,
                call: self.call.clone(),
                reply,
            })?;
            let decoded = answer.recv().map_err(|_| pool::stopped())?;
            self.take(decoded)?;
            let mut options = self.call.options.clone();
            options.language = self.language.clone();
            self.call = Arc::new(pool::CallDecoding {
                options,
                detect_language: false,
                mono: self.call.mono,
                cancelled: AtomicBool::new(false),
            });
            return Ok(());
        }
        self.pool.submit(pool::Job {
            channel,
            window,
            call: self.call.clone(),
            reply: self.replies.0.clone(),
        })?;
        self.pending += 1;
        Ok(())
    }

    fn take(&mut self, reply: Reply) -> Result<(), TranscribeError> {
        match reply {
            Ok(decoded) => {
                self.pieces.extend(decoded.pieces);
                if self.language.is_none() {
                    self.language = decoded.language;
                }
                Ok(())
            }
            Err(e) => {
                self.call.cancelled.store(true, Ordering::Relaxed);
                Err(e)
            }
        }
    }

    /// Waits for the remaining windows.
    fn finish(mut self) -> Result<(Vec<Piece>, Option<String>), TranscribeError> {
        // Only the queued jobs hold senders now: if a decoder dies with one, the
        // channel closes instead of waiting forever.
        let (sender, replies) = std::mem::replace(&mut self.replies, std::sync::mpsc::channel());
        drop(sender);
        while self.pending > 0 {
            let reply = replies.recv().map_err(|_| pool::stopped())?;
            self.pending -= 1;
            self.take(reply)?;
        }
        Ok((self.pieces, self.language))
    }
}

/// One decoded segment before parties are settled, in call time.
struct Piece {
    channel: usize,
    segment: Segment,
    /// Median pitch of the segment's voice, for attributing mono speech.
    pitch_hz: Option<f32>,
}

/// Decodes one window and gives each segment (or part of one) back to its turn,
/// in call time.
fn decode_window(
    session: &mut whisper::Session,
    decode: &DecodeOptions,
    mono: bool,
    channel: usize,
    window: &pack::Window,
) -> Result<Vec<Piece>, TranscribeError> {
    let started = std::time::Instant::now();
    let decoded = session.decode(&window.samples, decode)?;
    tracing::debug!(
        channel,
        start = window.call_start(),
        turns = window.parts.len(),
        seconds = window.samples.len() as f64 / SAMPLE_RATE as f64,
        took = started.elapsed().as_secs_f64(),
        "decoded window"
    );
    let mut pieces = Vec::new();
    // No segment is dropped on Whisper's no-speech probability: the voice-activity
    // detector already decides what is speech, and on 8 kHz calls base puts that
    // probability above 0.8 for windows of plain speech (BENCHMARKS.md).
    for raw in decoded {
        for turn in split_by_turn(&raw, window) {
            // With word timestamps the text is the words kept, so the two agree.
            let texts: Vec<&str> = turn.words.iter().map(|w| w.text.as_str()).collect();
            let kept: Vec<&whisper::RawWord> = cleanup::kept_words(&texts)
                .into_iter()
                .map(|i| turn.words[i])
                .collect();
            let text = if kept.is_empty() {
                cleanup::clean_text(&turn.text)
            } else {
                let text: Vec<&str> = kept.iter().map(|w| w.text.as_str()).collect();
                cleanup::clean_text(&text.join(" "))
            };
            let Some(text) = text else {
                continue;
            };
            let (from, to) = turn.span;
            let call_time = |t: f64| round_ms(window.to_call_time(turn.part, t));
            let mut words: Vec<Word> = kept
                .iter()
                .filter(|w| !cleanup::is_punctuation(&w.text))
                .map(|w| Word {
                    text: w.text.clone(),
                    start: call_time(w.start.clamp(from, to)),
                    end: call_time(w.end.clamp(from, to)),
                    probability: w.probability,
                })
                .collect();
            // Words aligned outside their turn are clamped to its ends, which can give
            // several one time: keep every start after the one before (1 ms apart).
            for i in 1..words.len() {
                let floor = round_ms(words[i - 1].start + 0.001);
                if words[i].start < floor {
                    words[i].start = floor;
                    words[i].end = words[i].end.max(floor);
                }
            }
            pieces.push(Piece {
                channel,
                segment: Segment {
                    party: Party::Unknown,
                    start: call_time(from),
                    end: call_time(to),
                    text,
                    words,
                },
                pitch_hz: mono
                    .then(|| pitch::median_pitch(slice_seconds(&window.samples, from, to)))
                    .flatten(),
            });
        }
    }
    Ok(pieces)
}

/// The part of a decoded segment that belongs to one turn of its window.
struct TurnText<'r> {
    part: usize,
    /// Window time.
    span: (f64, f64),
    text: String,
    words: Vec<&'r whisper::RawWord>,
}

/// Gives a segment to the turn it lies in. Whisper usually ends a segment in the
/// silence between two packed turns; when it runs on across one, the segment is
/// split word by word at the gap.
fn split_by_turn<'r>(raw: &'r whisper::RawSegment, window: &pack::Window) -> Vec<TurnText<'r>> {
    let straddles = window.locate(raw.start, raw.start) != window.locate(raw.end, raw.end);
    if !straddles || raw.words.is_empty() {
        return vec![TurnText {
            part: window.locate(raw.start, raw.end),
            span: (raw.start, raw.end),
            text: raw.text.clone(),
            words: raw.words.iter().collect(),
        }];
    }
    let mut turns: Vec<TurnText<'r>> = Vec::new();
    for word in &raw.words {
        let part = window.locate(word.start, word.end);
        match turns.last_mut() {
            Some(turn) if turn.part == part => {
                turn.span.1 = turn.span.1.max(word.end);
                turn.text.push(' ');
                turn.text.push_str(&word.text);
                turn.words.push(word);
            }
            _ => turns.push(TurnText {
                part,
                span: (word.start, word.end),
                text: word.text.clone(),
                words: vec![word],
            }),
        }
    }
    turns
}

/// The party of each channel: one unknown voice for mono, else by `agent`.
pub(crate) fn parties_of(
    path: &Path,
    channels: u16,
    agent: AgentChannel,
) -> Result<Vec<Party>, TranscribeError> {
    match (channels, agent) {
        (1, _) => Ok(vec![Party::Unknown]),
        (2, AgentChannel::Left) => Ok(vec![Party::Agent, Party::Customer]),
        (2, AgentChannel::Right) => Ok(vec![Party::Customer, Party::Agent]),
        (n, _) => Err(TranscribeError::Channels {
            path: path.to_path_buf(),
            channels: n,
        }),
    }
}

/// Stereo: the channel decides. Mono: segments are split into two voices by
/// pitch and the voice heard first is taken to be the agent (agents answer).
fn attribute(mut pieces: Vec<Piece>, parties: &[Party]) -> (Vec<Segment>, Attribution) {
    pieces.sort_by(|a, b| {
        a.segment
            .start
            .total_cmp(&b.segment.start)
            .then(a.channel.cmp(&b.channel))
    });
    if parties.len() == 2 {
        let segments = pieces
            .into_iter()
            .map(|p| Segment {
                party: parties[p.channel],
                ..p.segment
            })
            .collect();
        return (segments, Attribution::Channels);
    }
    let pitches: Vec<Option<f32>> = pieces.iter().map(|p| p.pitch_hz).collect();
    let voices = pitch::two_voices(&pitches);
    let segments = pieces
        .into_iter()
        .zip(voices)
        .map(|(p, voice)| Segment {
            party: voice,
            ..p.segment
        })
        .collect();
    (segments, Attribution::Estimated)
}

fn slice_seconds(samples: &[f32], start: f64, end: f64) -> &[f32] {
    let at = |t: f64| ((t * SAMPLE_RATE as f64) as usize).min(samples.len());
    let (a, b) = (at(start), at(end));
    if a < b {
        &samples[a..b]
    } else {
        &samples[0..0]
    }
}

fn round_ms(t: f64) -> f64 {
    (t * 1000.0).round() / 1000.0
}
