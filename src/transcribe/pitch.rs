//! Pitch of a voice, for telling two speakers apart in a mono recording.
//!
//! Best effort by design: the median fundamental frequency of each segment
//! (autocorrelation over 40 ms frames, 70–400 Hz) is clustered into two voices.
//! It separates voices whose pitch differs (most agent/customer pairs); when the
//! two clusters are closer than `MIN_SEPARATION` the speakers stay `unknown`.

use crate::audio::SAMPLE_RATE;
use crate::transcript::Party;

const FRAME: usize = 640;
const MIN_LAG: usize = (SAMPLE_RATE / 400) as usize;
const MAX_LAG: usize = (SAMPLE_RATE / 70) as usize;
/// Two voices closer than this ratio of pitches are not told apart.
const MIN_SEPARATION: f32 = 1.12;

/// Median pitch of the voiced frames, or `None` when too little is voiced.
pub fn median_pitch(samples: &[f32]) -> Option<f32> {
    let mut pitches: Vec<f32> = samples
        .chunks_exact(FRAME)
        .step_by(2)
        .filter_map(frame_pitch)
        .collect();
    if pitches.len() < 3 {
        return None;
    }
    pitches.sort_by(f32::total_cmp);
    Some(pitches[pitches.len() / 2])
}

fn frame_pitch(frame: &[f32]) -> Option<f32> {
    let energy: f32 = frame.iter().map(|s| s * s).sum();
    if energy / (frame.len() as f32) < 1e-5 {
        return None;
    }
    let correlation: Vec<f32> = (MIN_LAG..=MAX_LAG.min(frame.len() / 2))
        .map(|lag| {
            let (a, b) = (&frame[..frame.len() - lag], &frame[lag..]);
            let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
            let norm = (a.iter().map(|x| x * x).sum::<f32>()
                * b.iter().map(|y| y * y).sum::<f32>())
            .sqrt();
            if norm > 0.0 { dot / norm } else { 0.0 }
        })
        .collect();
    let best = correlation.iter().copied().fold(0.0f32, f32::max);
    if best < 0.6 {
        return None;
    }
    // Multiples of the period correlate as well as the period itself: take the
    // shortest lag that is a peak close to the best.
    let is_peak = |i: usize| {
        correlation[i] >= 0.9 * best
            && (i == 0 || correlation[i] >= correlation[i - 1])
            && (i + 1 == correlation.len() || correlation[i] >= correlation[i + 1])
    };
    let index = (0..correlation.len()).find(|&i| is_peak(i))?;
    Some(SAMPLE_RATE as f32 / (MIN_LAG + index) as f32)
}

/// Assigns each segment to the agent or the customer by 2-means on log pitch;
/// the voice of the first segment with a pitch is the agent's.
pub fn two_voices(pitches: &[Option<f32>]) -> Vec<Party> {
    let logs: Vec<f32> = pitches.iter().flatten().map(|p| p.ln()).collect();
    let (Some(lo), Some(hi)) = (
        logs.iter().copied().reduce(f32::min),
        logs.iter().copied().reduce(f32::max),
    ) else {
        return vec![Party::Unknown; pitches.len()];
    };
    let (mut c0, mut c1) = (lo, hi);
    for _ in 0..20 {
        let (mut s0, mut n0, mut s1, mut n1) = (0.0, 0, 0.0, 0);
        for &x in &logs {
            if (x - c0).abs() <= (x - c1).abs() {
                s0 += x;
                n0 += 1;
            } else {
                s1 += x;
                n1 += 1;
            }
        }
        if n0 > 0 {
            c0 = s0 / n0 as f32;
        }
        if n1 > 0 {
            c1 = s1 / n1 as f32;
        }
    }
    if (c1 - c0).abs() < MIN_SEPARATION.ln() {
        return vec![Party::Unknown; pitches.len()];
    }
    let voice = |p: f32| usize::from((p.ln() - c0).abs() > (p.ln() - c1).abs());
    let Some(agent_voice) = pitches.iter().flatten().next().map(|&p| voice(p)) else {
        return vec![Party::Unknown; pitches.len()];
    };
    pitches
        .iter()
        .map(|p| match p {
            Some(p) if voice(*p) == agent_voice => Party::Agent,
            Some(_) => Party::Customer,
            None => Party::Unknown,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn voice(hz: f32, seconds: f32) -> Vec<f32> {
        let n = (seconds * SAMPLE_RATE as f32) as usize;
        (0..n)
            .map(|i| {
                let t = i as f32 / SAMPLE_RATE as f32;
                // A few harmonics, like a voiced vowel.
                (1..=4)
                    .map(|h| (2.0 * std::f32::consts::PI * hz * h as f32 * t).sin() / h as f32)
                    .sum::<f32>()
                    * 0.2
            })
            .collect()
    }

    #[test]
    fn measures_pitch_of_a_voiced_signal() {
        for hz in [100.0, 140.0, 220.0] {
            let p = median_pitch(&voice(hz, 0.5)).unwrap();
            assert!((p - hz).abs() / hz < 0.05, "{hz} -> {p}");
        }
        assert_eq!(median_pitch(&vec![0.0; 16000]), None);
    }

    #[test]
    fn splits_two_voices_and_names_the_first_the_agent() {
        let pitches = [Some(210.0), Some(110.0), Some(205.0), None, Some(118.0)];
        assert_eq!(
            two_voices(&pitches),
            vec![
                Party::Agent,
                Party::Customer,
                Party::Agent,
                Party::Unknown,
                Party::Customer
            ]
        );
    }

    #[test]
    fn similar_voices_stay_unknown() {
        let pitches = [Some(120.0), Some(123.0), Some(118.0)];
        assert!(two_voices(&pitches).iter().all(|p| *p == Party::Unknown));
    }
}
