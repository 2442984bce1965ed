//! Reads only the stretches of a recording that verification listens to: the
//! audio streams through once and only the samples inside the requested
//! stretches are kept, so memory is bounded by the stretches, not the call.

use std::path::Path;

use crate::audio::{self, AudioError, AudioLimits, SAMPLE_RATE};
use crate::transcribe::AgentChannel;
use crate::transcript::Party;

/// A stretch of one channel, seconds from the start of the recording.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stretch {
    pub party: Party,
    pub start: f64,
    pub end: f64,
}

impl Stretch {
    pub fn overlaps(&self, other: &Stretch) -> bool {
        self.party == other.party && self.start < other.end && other.start < self.end
    }
}

/// The channel that carries `party`: stereo calls have one per party, mono
/// calls carry both in channel 0.
fn channel(party: Party, channels: usize, agent: AgentChannel) -> usize {
    if channels < 2 {
        return 0;
    }
    match (party, agent) {
        (Party::Agent, AgentChannel::Right) | (Party::Customer, AgentChannel::Left) => 1,
        _ => 0,
    }
}

/// The 16 kHz samples of each stretch, in the order asked.
pub fn read(
    path: &Path,
    limits: &AudioLimits,
    agent: AgentChannel,
    stretches: &[Stretch],
) -> Result<Vec<Vec<f32>>, AudioError> {
    let mut stream = audio::open(path, limits)?;
    let channels = usize::from(stream.info().channels);
    let rate = f64::from(SAMPLE_RATE);
    let ranges: Vec<(usize, usize, usize)> = stretches
        .iter()
        .map(|s| {
            (
                channel(s.party, channels, agent),
                (s.start.max(0.0) * rate) as usize,
                (s.end.max(0.0) * rate) as usize,
            )
        })
        .collect();
    let mut out: Vec<Vec<f32>> = ranges
        .iter()
        .map(|&(_, a, b)| Vec::with_capacity(b.saturating_sub(a)))
        .collect();
    let mut position = 0usize;
    while let Some(block) = stream.next_block()? {
        let len = block.first().map_or(0, Vec::len);
        for (&(ch, a, b), samples) in ranges.iter().zip(out.iter_mut()) {
            let (from, to) = (a.max(position), b.min(position + len));
            if let Some(channel) = block.get(ch).filter(|_| from < to) {
                samples.extend_from_slice(&channel[from - position..to - position]);
            }
        }
        position += len;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_party_is_read_from_its_own_channel() {
        assert_eq!(channel(Party::Agent, 2, AgentChannel::Left), 0);
        assert_eq!(channel(Party::Customer, 2, AgentChannel::Left), 1);
        assert_eq!(channel(Party::Agent, 2, AgentChannel::Right), 1);
        assert_eq!(channel(Party::Customer, 2, AgentChannel::Right), 0);
        assert_eq!(channel(Party::Customer, 1, AgentChannel::Left), 0);
    }
}
