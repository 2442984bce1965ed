//! Loudness per party per quarter of the call, in dBFS RMS over speech.
//!
//! The transcriber feeds each party's 16 kHz samples in time order; the meter
//! cuts them into 20 ms frames, drops frames quieter than [`GATE_DBFS`] (silence
//! between utterances would otherwise drag the level down with the talk ratio),
//! and averages the power of the remaining frames per quarter of the call.

use serde::{Deserialize, Serialize};

use crate::transcript::Party;

pub const SAMPLE_RATE: f64 = 16_000.0;
/// Frames below this level are treated as silence, not as quiet speech.
pub const GATE_DBFS: f64 = -60.0;
const FRAME: usize = 320;

/// dBFS RMS per quarter of the call (`None`: no speech in that quarter).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Loudness {
    pub agent: [Option<f64>; 4],
    pub customer: [Option<f64>; 4],
}

/// Accumulates samples into per-party, per-quarter power sums.
#[derive(Debug, Clone)]
pub struct LoudnessMeter {
    duration: f64,
    /// Sum of squares and sample count of gated-in frames: [party][quarter].
    sums: [[(f64, u64); 4]; 2],
}

impl LoudnessMeter {
    /// A meter for a call of `duration_s` seconds.
    pub fn new(duration_s: f64) -> LoudnessMeter {
        LoudnessMeter {
            duration: duration_s.max(f64::MIN_POSITIVE),
            sums: [[(0.0, 0); 4]; 2],
        }
    }

    /// Adds a block of `party`'s samples that starts at `start_time_s`.
    /// Samples of `Party::Unknown` are ignored: they belong to neither side.
    pub fn feed(&mut self, party: Party, start_time_s: f64, samples: &[f32]) {
        let p = match party {
            Party::Agent => 0,
            Party::Customer => 1,
            Party::Unknown => return,
        };
        for (n, frame) in samples.chunks(FRAME).enumerate() {
            let power = frame
                .iter()
                .map(|&s| f64::from(s) * f64::from(s))
                .sum::<f64>();
            let mean = power / frame.len() as f64;
            if to_db(mean) < GATE_DBFS {
                continue;
            }
            let t = start_time_s + (n * FRAME) as f64 / SAMPLE_RATE;
            let q = ((4.0 * t / self.duration).floor().max(0.0) as usize).min(3);
            self.sums[p][q].0 += power;
            self.sums[p][q].1 += frame.len() as u64;
        }
    }

    pub fn finish(self) -> Loudness {
        let level = |(sum, n): (f64, u64)| (n > 0).then(|| to_db(sum / n as f64));
        Loudness {
            agent: self.sums[0].map(level),
            customer: self.sums[1].map(level),
        }
    }
}

/// Mean power to dBFS (a full-scale square wave is 0 dBFS).
fn to_db(mean_power: f64) -> f64 {
    10.0 * mean_power.max(1e-12).log10()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(amplitude: f32, seconds: f64) -> Vec<f32> {
        let n = (seconds * SAMPLE_RATE) as usize;
        (0..n)
            .map(|i| amplitude * if i % 2 == 0 { 1.0 } else { -1.0 })
            .collect()
    }

    #[test]
    fn levels_land_in_the_right_party_and_quarter() {
        let mut m = LoudnessMeter::new(8.0);
        m.feed(Party::Agent, 0.0, &tone(0.5, 2.0));
        m.feed(Party::Customer, 6.0, &tone(0.1, 2.0));
        m.feed(Party::Unknown, 2.0, &tone(1.0, 2.0));
        let l = m.finish();
        let agent = l.agent[0].expect("agent spoke in the first quarter");
        assert!((agent - 20.0 * 0.5f64.log10()).abs() < 0.01, "{agent}");
        assert_eq!(l.agent[1..], [None, None, None]);
        let customer = l.customer[3].expect("customer spoke last");
        assert!((customer + 20.0).abs() < 0.01, "{customer}");
    }

    #[test]
    fn silence_is_gated_out_not_averaged_in() {
        let mut m = LoudnessMeter::new(4.0);
        let mut block = tone(0.5, 0.5);
        block.extend(vec![0.0; 8_000]);
        m.feed(Party::Agent, 0.0, &block);
        let level = m.finish().agent[0].unwrap();
        assert!((level - 20.0 * 0.5f64.log10()).abs() < 0.01, "{level}");
    }
}
