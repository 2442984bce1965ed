//! Voice-activity gating, one instance per channel, fed in stream order.
//!
//! Whisper invents text in silence and loses its place across long pauses (see
//! ASR-NOTES.md), and each channel of a two-party call is silent about half the
//! time. So kuulas never decodes silence: this detector cuts each channel into
//! speech regions (a speaker turn, at most `max_region_s` long) that are decoded
//! without the silence around them (packed with the channel's neighbouring turns,
//! see `pack`) and mapped back to call time.
//!
//! The detector is energy based with an adaptive noise floor: a 20 ms frame is
//! speech when its level is `threshold_db` above the channel's noise floor and above
//! an absolute minimum. Turns end after `hangover_s` of non-speech. It needs no
//! model, works at any level the recorder uses, and is exact on the silent channel
//! of a stereo call, which is the case that matters most.

use crate::audio::SAMPLE_RATE;

const FRAME: usize = (SAMPLE_RATE as usize) / 50; // 20 ms
const NOISE_WINDOW: usize = 500; // 10 s of frames
const NOISE_UPDATE_EVERY: usize = 25;
const WARM_UP_FRAMES: usize = 50;
const WARM_UP_FLOOR_DB: f32 = -60.0;

/// Tuning of the detector; the defaults suit telephone speech.
#[derive(Debug, Clone, PartialEq)]
pub struct VadSettings {
    /// How far above the noise floor a frame must be to count as speech.
    pub threshold_db: f32,
    /// Frames quieter than this are never speech (dBFS).
    pub min_level_db: f32,
    /// Silence that ends a turn.
    pub hangover_s: f64,
    /// Audio kept before and after each region so word onsets are not clipped.
    pub pad_s: f64,
    /// Regions with less speech than this are clicks or breaths and are dropped.
    pub min_speech_s: f64,
    /// Longest region handed to Whisper in one piece (its window is 30 s).
    pub max_region_s: f64,
}

impl Default for VadSettings {
    fn default() -> Self {
        VadSettings {
            threshold_db: 12.0,
            min_level_db: -50.0,
            hangover_s: 0.6,
            pad_s: 0.2,
            min_speech_s: 0.15,
            max_region_s: 28.0,
        }
    }
}

impl VadSettings {
    /// Treats everything as speech: the channel is decoded whole, in pieces of
    /// `max_region_s` (for comparing with other runtimes, or audio the detector
    /// gets wrong).
    pub fn disabled() -> Self {
        VadSettings {
            threshold_db: f32::NEG_INFINITY,
            min_level_db: f32::NEG_INFINITY,
            ..VadSettings::default()
        }
    }
}

/// A stretch of one channel that contains speech.
#[derive(Debug, Clone, PartialEq)]
pub struct Region {
    /// Index of the region's first sample in the channel.
    pub start_sample: usize,
    pub samples: Vec<f32>,
}

impl Region {
    pub fn start_s(&self) -> f64 {
        self.start_sample as f64 / SAMPLE_RATE as f64
    }
    pub fn end_s(&self) -> f64 {
        (self.start_sample + self.samples.len()) as f64 / SAMPLE_RATE as f64
    }
}

/// Streaming detector for one channel. Memory is bounded by one region.
pub struct Vad {
    settings: VadSettings,
    pending: Vec<f32>,
    /// Samples seen so far, the index of the next sample fed.
    position: usize,
    noise_floor_db: f32,
    /// Levels of the last `NOISE_WINDOW` frames, for the noise-floor estimate.
    recent_levels: std::collections::VecDeque<f32>,
    /// Recent audio kept while silent, so a region can start `pad_s` early.
    preroll: std::collections::VecDeque<f32>,
    current: Option<Open>,
}

struct Open {
    start_sample: usize,
    samples: Vec<f32>,
    speech_frames: usize,
    silent_frames: usize,
}

impl Vad {
    pub fn new(settings: VadSettings) -> Self {
        Vad {
            settings,
            pending: Vec::with_capacity(FRAME),
            position: 0,
            noise_floor_db: -70.0,
            recent_levels: std::collections::VecDeque::with_capacity(NOISE_WINDOW),
            preroll: std::collections::VecDeque::new(),
            current: None,
        }
    }

    /// Feeds the next samples; returns the regions that ended within them.
    pub fn feed(&mut self, samples: &[f32]) -> Vec<Region> {
        let mut done = Vec::new();
        let mut rest = samples;
        while !rest.is_empty() {
            let take = (FRAME - self.pending.len()).min(rest.len());
            self.pending.extend_from_slice(&rest[..take]);
            rest = &rest[take..];
            if self.pending.len() == FRAME {
                let frame = std::mem::take(&mut self.pending);
                if let Some(region) = self.frame(&frame) {
                    done.push(region);
                }
                self.pending = frame;
                self.pending.clear();
            }
        }
        done
    }

    /// Ends the stream; returns the region still open, if it holds speech.
    pub fn finish(mut self) -> Option<Region> {
        let tail = std::mem::take(&mut self.pending);
        if let Some(open) = self.current.as_mut() {
            open.samples.extend_from_slice(&tail);
        }
        let current = self.current.take()?;
        self.close(current)
    }

    fn frame(&mut self, frame: &[f32]) -> Option<Region> {
        let level = level_db(frame);
        self.track_noise(level);
        let is_speech = self.is_speech(level);
        let frame_start = self.position;
        self.position += frame.len();
        let pad = self.pad_samples();
        let hangover = (self.settings.hangover_s * SAMPLE_RATE as f64) as usize / FRAME;
        let max_len = (self.settings.max_region_s * SAMPLE_RATE as f64) as usize;

        match self.current.as_mut() {
            None if is_speech => {
                let preroll: Vec<f32> = self.preroll.drain(..).collect();
                let mut samples = preroll;
                samples.extend_from_slice(frame);
                self.current = Some(Open {
                    start_sample: frame_start + frame.len() - samples.len(),
                    samples,
                    speech_frames: 1,
                    silent_frames: 0,
                });
                None
            }
            None => {
                self.preroll.extend(frame.iter().copied());
                while self.preroll.len() > pad {
                    self.preroll.pop_front();
                }
                None
            }
            Some(open) => {
                open.samples.extend_from_slice(frame);
                if is_speech {
                    open.speech_frames += 1;
                    open.silent_frames = 0;
                } else {
                    open.silent_frames += 1;
                }
                let ended = open.silent_frames >= hangover.max(1);
                let too_long = open.samples.len() >= max_len;
                if !(ended || too_long) {
                    return None;
                }
                let mut open = self.current.take()?;
                if ended {
                    // Keep `pad` of the trailing silence; the rest becomes preroll.
                    let silent = open.silent_frames * FRAME;
                    let keep = open.samples.len() - silent + pad.min(silent);
                    let tail = open.samples.split_off(keep);
                    self.preroll
                        .extend(tail.iter().rev().take(pad).rev().copied());
                }
                self.close(open)
            }
        }
    }

    fn close(&self, open: Open) -> Option<Region> {
        let speech_s = (open.speech_frames * FRAME) as f64 / SAMPLE_RATE as f64;
        (speech_s >= self.settings.min_speech_s).then_some(Region {
            start_sample: open.start_sample,
            samples: open.samples,
        })
    }

    fn is_speech(&self, level: f32) -> bool {
        level >= self.settings.min_level_db
            && level >= self.noise_floor_db + self.settings.threshold_db
    }

    /// The floor is a low percentile of the last 10 s of frame levels: it follows
    /// steady line noise, and speech (which has pauses) does not drag it up.
    fn track_noise(&mut self, level: f32) {
        if self.recent_levels.len() == NOISE_WINDOW {
            self.recent_levels.pop_front();
        }
        self.recent_levels.push_back(level.max(-100.0));
        let frames_seen = self.position / FRAME;
        if frames_seen.is_multiple_of(NOISE_UPDATE_EVERY) || frames_seen < NOISE_UPDATE_EVERY {
            let mut sorted: Vec<f32> = self.recent_levels.iter().copied().collect();
            sorted.sort_by(f32::total_cmp);
            self.noise_floor_db = sorted[sorted.len() / 10];
            // Until a second has been heard, speech at the very start must not
            // be taken for the floor.
            if frames_seen < WARM_UP_FRAMES {
                self.noise_floor_db = self.noise_floor_db.min(WARM_UP_FLOOR_DB);
            }
        }
    }

    fn pad_samples(&self) -> usize {
        (self.settings.pad_s * SAMPLE_RATE as f64) as usize
    }
}

/// RMS level of a frame in dBFS; digital silence is -100.
pub fn level_db(frame: &[f32]) -> f32 {
    if frame.is_empty() {
        return -100.0;
    }
    let mean_square = frame.iter().map(|s| s * s).sum::<f32>() / frame.len() as f32;
    if mean_square <= 1e-10 {
        -100.0
    } else {
        10.0 * mean_square.log10()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(seconds: f64, amplitude: f32) -> Vec<f32> {
        let n = (seconds * SAMPLE_RATE as f64) as usize;
        (0..n)
            .map(|i| amplitude * (i as f32 * 2.0 * std::f32::consts::PI * 220.0 / 16000.0).sin())
            .collect()
    }

    fn regions(signal: &[f32], chunk: usize) -> Vec<Region> {
        let mut vad = Vad::new(VadSettings::default());
        let mut out = Vec::new();
        for piece in signal.chunks(chunk) {
            out.extend(vad.feed(piece));
        }
        out.extend(vad.finish());
        out
    }

    #[test]
    fn finds_two_turns_separated_by_silence() {
        let mut signal = vec![0.0; 16000];
        signal.extend(tone(2.0, 0.3));
        signal.extend(vec![0.0; 32000]);
        signal.extend(tone(1.0, 0.3));
        signal.extend(vec![0.0; 16000]);
        for chunk in [100, 320, 4000, signal.len()] {
            let found = regions(&signal, chunk);
            assert_eq!(found.len(), 2, "chunk {chunk}");
            assert!(
                (found[0].start_s() - 0.8).abs() < 0.05,
                "{}",
                found[0].start_s()
            );
            assert!(
                (found[0].end_s() - 3.2).abs() < 0.05,
                "{}",
                found[0].end_s()
            );
            assert!(
                (found[1].start_s() - 4.8).abs() < 0.05,
                "{}",
                found[1].start_s()
            );
            assert!(
                (found[1].end_s() - 6.2).abs() < 0.05,
                "{}",
                found[1].end_s()
            );
        }
    }

    #[test]
    fn region_samples_are_the_channel_samples() {
        let mut signal = vec![0.0; 8000];
        signal.extend(tone(1.0, 0.5));
        signal.extend(vec![0.0; 16000]);
        let found = regions(&signal, 777);
        let r = &found[0];
        assert_eq!(
            &signal[r.start_sample..r.start_sample + r.samples.len()],
            &r.samples[..]
        );
    }

    #[test]
    fn silence_and_faint_noise_give_nothing() {
        assert!(regions(&vec![0.0; 160_000], 1000).is_empty());
        let hiss: Vec<f32> = (0..160_000)
            .map(|i| 0.001 * ((i * 7919 % 13) as f32 - 6.0) / 6.0)
            .collect();
        assert!(regions(&hiss, 1000).is_empty());
    }

    /// Syllables: 200 ms of voice, 60 ms of quiet, as in running speech.
    fn syllables(seconds: f64) -> Vec<f32> {
        let on = tone(0.2, 0.3);
        let mut out = Vec::new();
        while (out.len() as f64) < seconds * SAMPLE_RATE as f64 {
            out.extend_from_slice(&on);
            out.extend(vec![0.0; 960]);
        }
        out
    }

    #[test]
    fn disabled_detector_passes_everything_in_window_sized_pieces() {
        let mut signal = vec![0.0; 16000 * 40];
        signal.extend(tone(1.0, 0.3));
        let mut vad = Vad::new(VadSettings::disabled());
        let mut found = vad.feed(&signal);
        found.extend(vad.finish());
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].start_sample, 0);
        assert_eq!(found[1].start_sample, found[0].samples.len());
        assert_eq!(
            found.iter().map(|r| r.samples.len()).sum::<usize>(),
            signal.len()
        );
    }

    #[test]
    fn steady_line_noise_is_not_speech() {
        // Loud hum from the first sample: at most the one-second warm-up is
        // mistaken for speech, never the 20 s that follow.
        let hum = tone(20.0, 0.05);
        assert!(regions(&hum, 1600).iter().all(|r| r.end_s() < 2.0));
    }

    #[test]
    fn long_speech_is_split_below_whisper_window() {
        let signal = syllables(65.0);
        let found = regions(&signal, 16000);
        assert!(found.len() >= 3);
        assert!(found.iter().all(|r| r.samples.len() <= 28 * 16000));
        let total: usize = found.iter().map(|r| r.samples.len()).sum();
        assert_eq!(total, signal.len());
    }

    #[test]
    fn short_pause_inside_a_turn_does_not_split_it() {
        let mut signal = tone(1.0, 0.3);
        signal.extend(vec![0.0; 4800]); // 0.3 s breath
        signal.extend(tone(1.0, 0.3));
        signal.extend(vec![0.0; 16000]);
        assert_eq!(regions(&signal, 512).len(), 1);
    }
}
