//! Turns: consecutive segments of one party, merged, with their tokens. A pattern
//! may run across Whisper's segment cuts inside a turn, and "the next two agent
//! turns" means turns, not segments.

use crate::finnish::text::{self, Token};
use crate::transcript::{Party, Segment, Transcript};

/// A pause this long starts a new turn even if the same party goes on talking.
pub const TURN_GAP_S: f64 = 5.0;

#[derive(Debug, Clone)]
pub struct Turn {
    pub party: Party,
    /// How many turns of the same party came before this one.
    pub own_index: usize,
    /// How many turns of the same party come after this one.
    pub own_after: usize,
    pub start: f64,
    pub end: f64,
    pub segments: Vec<usize>,
    pub tokens: Vec<Token>,
    /// Mean Whisper word probability, when the transcript carries words.
    pub probability: Option<f32>,
}

impl Turn {
    /// Approximate time of token `i`: segments carry no per-token times, so tokens
    /// are spread evenly over their segment.
    pub fn token_time(&self, t: &Transcript, i: usize) -> (f64, f64) {
        let tok = &self.tokens[i];
        let seg = &t.segments[tok.piece as usize];
        let (pos, n) = tok.pos_in_piece;
        let step = (seg.end - seg.start) / n.max(1) as f64;
        (
            seg.start + pos as f64 * step,
            seg.start + (pos + 1) as f64 * step,
        )
    }

    /// Text of the turn's segments.
    pub fn text(&self, t: &Transcript) -> String {
        self.text_of(t, 0..=usize::MAX)
    }

    /// Text of the turn's segments whose index in the transcript lies in `range`.
    pub fn text_of(&self, t: &Transcript, range: std::ops::RangeInclusive<usize>) -> String {
        let parts: Vec<&str> = self
            .segments
            .iter()
            .filter(|s| range.contains(s))
            .map(|&s| t.segments[s].text.trim())
            .collect();
        parts.join(" ")
    }
}

pub fn build(t: &Transcript) -> Vec<Turn> {
    let mut order: Vec<usize> = (0..t.segments.len()).collect();
    order.sort_by(|&a, &b| t.segments[a].start.total_cmp(&t.segments[b].start));
    let mut turns: Vec<Turn> = Vec::new();
    for i in order {
        let seg = &t.segments[i];
        match turns.last_mut() {
            Some(turn) if turn.party == seg.party && seg.start - turn.end < TURN_GAP_S => {
                turn.end = turn.end.max(seg.end);
                turn.segments.push(i);
                text::tokenize_into(&seg.text, i, &mut turn.tokens);
            }
            _ => turns.push(Turn {
                party: seg.party,
                own_index: 0,
                own_after: 0,
                start: seg.start,
                end: seg.end,
                segments: vec![i],
                tokens: text::tokenize(&seg.text, i),
                probability: None,
            }),
        }
    }
    let mut seen = [0usize; 2];
    for turn in &mut turns {
        let own = &mut seen[usize::from(turn.party == Party::Customer)];
        turn.own_index = *own;
        *own += 1;
        turn.probability = mean_probability(turn.segments.iter().map(|&s| &t.segments[s]));
    }
    for turn in &mut turns {
        turn.own_after = seen[usize::from(turn.party == Party::Customer)] - turn.own_index - 1;
    }
    turns
}

/// Overlap shorter than this is a turn-taking gap misjudged, not talking over.
pub const MIN_OVERLAP_S: f64 = 0.3;

/// Indices of the turns that start at least [`MIN_OVERLAP_S`] before the other
/// party's previous turn ends: one party talking over the other. A turn of one
/// or two words ("joo", "aivan") is backchannel, not an overlap.
pub fn overlaps(turns: &[Turn]) -> Vec<usize> {
    (1..turns.len())
        .filter(|&i| {
            let (before, turn) = (&turns[i - 1], &turns[i]);
            before.party != turn.party
                && turn.start <= before.end - MIN_OVERLAP_S
                && turn.tokens.len() > 2
        })
        .collect()
}

fn mean_probability<'a>(segments: impl Iterator<Item = &'a Segment>) -> Option<f32> {
    let (sum, n) = segments
        .flat_map(|s| &s.words)
        .fold((0.0f32, 0usize), |(sum, n), w| (sum + w.probability, n + 1));
    (n > 0).then(|| sum / n as f32)
}
