//! Packs a channel's consecutive speech regions into one Whisper window.
//!
//! Every call to Whisper pays for the encoder's fixed start and for the decoder's
//! prompt (a vocabulary prompt, when given, is decoded again for every window).
//! Turns in a call are short, often a second or two, so decoding each turn alone
//! spends most of its time on those fixed costs. A window holds the turns of one party in
//! order, each kept whole, separated by a second of silence so that Whisper ends a
//! segment between them, up to `max_window_s`. What Whisper returns is mapped back
//! turn by turn (`Window::locate`), so timestamps stay anchored to call time however
//! long the silences between the turns were.

use super::vad::Region;
use crate::audio::SAMPLE_RATE;

/// Silence between two packed turns: long enough that Whisper closes a segment
/// there and that a word's timestamp, off by a few hundred milliseconds, still
/// falls on its own side.
pub const GAP_S: f64 = 1.0;

/// One turn inside a window.
#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    /// Where the turn starts in the window (seconds).
    pub window_start: f64,
    /// Where it starts in the call (seconds).
    pub call_start: f64,
    /// Its length (seconds).
    pub duration: f64,
}

/// Turns of one channel, back to back, as one decoding job.
#[derive(Debug, Default)]
pub struct Window {
    pub samples: Vec<f32>,
    pub parts: Vec<Part>,
}

impl Window {
    pub fn call_start(&self) -> f64 {
        self.parts.first().map_or(0.0, |p| p.call_start)
    }

    /// The turn a stretch `[start, end]` of the window belongs to: the turn that
    /// holds its middle, where a gap is split halfway between its two turns.
    pub fn locate(&self, start: f64, end: f64) -> usize {
        let middle = (start + end) / 2.0;
        self.parts
            .windows(2)
            .position(|pair| middle < (pair[0].window_end() + pair[1].window_start) / 2.0)
            .unwrap_or(self.parts.len().saturating_sub(1))
    }

    /// Call time of window time `t` inside turn `part`, clamped to the turn.
    pub fn to_call_time(&self, part: usize, t: f64) -> f64 {
        let p = &self.parts[part];
        p.call_start + (t - p.window_start).clamp(0.0, p.duration)
    }

    fn duration(&self) -> f64 {
        self.samples.len() as f64 / SAMPLE_RATE as f64
    }

    fn push(&mut self, region: Region) {
        if !self.parts.is_empty() {
            let gap = (GAP_S * SAMPLE_RATE as f64) as usize;
            self.samples.resize(self.samples.len() + gap, 0.0);
        }
        self.parts.push(Part {
            window_start: self.duration(),
            call_start: region.start_s(),
            duration: region.samples.len() as f64 / SAMPLE_RATE as f64,
        });
        self.samples.extend_from_slice(&region.samples);
    }
}

impl Part {
    fn window_end(&self) -> f64 {
        self.window_start + self.duration
    }
}

/// Collects one channel's regions into windows of at most `max_window_s`.
pub struct Packer {
    max_window_s: f64,
    open: Window,
}

impl Packer {
    /// `max_window_s` of zero packs nothing: every region is its own window.
    pub fn new(max_window_s: f64) -> Packer {
        Packer {
            max_window_s,
            open: Window::default(),
        }
    }

    /// Adds the next region; returns the window it closed, if it did not fit.
    pub fn push(&mut self, region: Region) -> Option<Window> {
        let added = GAP_S + region.samples.len() as f64 / SAMPLE_RATE as f64;
        let closed = (!self.open.parts.is_empty()
            && self.open.duration() + added > self.max_window_s)
            .then(|| std::mem::take(&mut self.open));
        self.open.push(region);
        closed
    }

    /// The last, partly filled window.
    pub fn finish(self) -> Option<Window> {
        (!self.open.parts.is_empty()).then_some(self.open)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn region(start_s: f64, seconds: f64) -> Region {
        Region {
            start_sample: (start_s * SAMPLE_RATE as f64) as usize,
            samples: vec![0.1; (seconds * SAMPLE_RATE as f64) as usize],
        }
    }

    #[test]
    fn packs_turns_in_order_with_a_gap_until_the_window_is_full() {
        let mut packer = Packer::new(10.0);
        assert!(packer.push(region(3.0, 2.0)).is_none());
        assert!(packer.push(region(40.0, 4.0)).is_none());
        // 2 + 1 + 4 = 7 s; another 1 + 3 s would make 11 s.
        let first = packer.push(region(60.0, 3.0)).expect("window closed");
        assert_eq!(
            first.parts,
            vec![
                Part {
                    window_start: 0.0,
                    call_start: 3.0,
                    duration: 2.0
                },
                Part {
                    window_start: 3.0,
                    call_start: 40.0,
                    duration: 4.0
                },
            ]
        );
        assert_eq!(first.samples.len(), 7 * SAMPLE_RATE as usize);
        assert!(
            first.samples[2 * 16000..3 * 16000]
                .iter()
                .all(|&s| s == 0.0)
        );
        let last = packer.finish().expect("last window");
        assert_eq!(last.parts.len(), 1);
        assert_eq!(last.call_start(), 60.0);
    }

    #[test]
    fn a_region_longer_than_the_window_is_a_window_of_its_own() {
        let mut packer = Packer::new(10.0);
        assert!(packer.push(region(0.0, 12.0)).is_none());
        let closed = packer.push(region(20.0, 1.0)).expect("closed");
        assert_eq!(closed.parts.len(), 1);
        assert!(Packer::new(10.0).finish().is_none());
    }

    #[test]
    fn zero_window_packs_nothing() {
        let mut packer = Packer::new(0.0);
        assert!(packer.push(region(0.0, 1.0)).is_none());
        assert_eq!(
            packer.push(region(5.0, 1.0)).expect("closed").parts.len(),
            1
        );
    }

    #[test]
    fn locates_window_time_in_its_turn_and_maps_it_to_call_time() {
        let mut packer = Packer::new(28.0);
        packer.push(region(3.0, 2.0));
        packer.push(region(40.0, 4.0));
        let window = packer.finish().expect("window");
        // Turn 0 is 0..2 s, the gap 2..3 s, turn 1 is 3..7 s of the window.
        assert_eq!(window.locate(0.5, 1.0), 0);
        assert_eq!(window.locate(2.2, 2.4), 0);
        assert_eq!(window.locate(2.6, 2.8), 1);
        assert_eq!(window.locate(1.8, 3.6), 1);
        assert_eq!(window.locate(6.5, 9.0), 1);
        assert_eq!(window.to_call_time(1, 3.5), 40.5);
        // Timestamps in the gap are clamped into the turn they were given to.
        assert_eq!(window.to_call_time(0, 2.4), 5.0);
        assert_eq!(window.to_call_time(1, 2.6), 40.0);
    }
}
