//! Tagging one call: why the customer called, from what the customer said first.
//!
//! Only the customer's turns are read, and only the first [`TURN_WEIGHTS`]`.len()`
//! substantive ones (at least [`SUBSTANTIVE_WORDS`] words: "joo" and "kyllä
//! kiitos" neither count nor move the position). Every pattern hit in them is
//! evidence for the reason that owns the pattern:
//!
//! `confidence = turn weight × hit confidence × agreement`
//!
//! - the turn weight falls with the turn's position among the customer's
//!   substantive turns ([`TURN_WEIGHTS`]: the need is stated in the first two);
//! - the hit confidence is the pattern engine's (1.0 for an exact match, less
//!   for fuzzy words, gaps or a dropped word: `crate::finnish::matcher`);
//! - agreement rewards several distinct patterns of the same reason in those
//!   turns ([`AGREEMENT`]: 0.8 for one, 0.9 for two, 1.0 for three or more).
//!
//! A reason's confidence is that of its strongest hit. The primary reason is the
//! most confident one (ties: the earlier turn, then the
//! earlier words in it, then taxonomy order), secondary
//! reasons are the others at [`SECONDARY_CONFIDENCE`] or above. A reason below
//! [`MIN_CONFIDENCE`] is not tagged, and without a hit the call has no reason:
//! nothing is guessed.

use crate::finnish::matcher::Hit;
use crate::reasons::taxonomy::Taxonomy;
use crate::rubric::turns::{self, Turn};
use crate::transcript::{Party, Transcript};

/// Weight of the customer's 1st, 2nd, … substantive turn; later turns are not read.
pub const TURN_WEIGHTS: [f64; 8] = [1.0, 1.0, 0.8, 0.6, 0.5, 0.4, 0.4, 0.4];
/// A customer turn with fewer words is a backchannel ("joo", "aivan").
pub const SUBSTANTIVE_WORDS: usize = 3;
/// By how many distinct patterns of the reason matched: 1, 2, 3 or more.
pub const AGREEMENT: [f64; 3] = [0.8, 0.9, 1.0];
pub const MIN_CONFIDENCE: f64 = 0.25;
pub const SECONDARY_CONFIDENCE: f64 = 0.4;

/// Why one call was made, as tagged.
#[derive(Debug, Clone, PartialEq)]
pub struct Tag {
    /// The primary reason's id.
    pub reason: String,
    /// 0–1, as the module doc computes it.
    pub confidence: f64,
    /// The customer's words the primary reason was found in (the segment's text).
    pub quote: String,
    /// When the quoted words were said, seconds from the start of the call.
    pub at_s: f64,
    /// Other reasons the customer gave, most confident first.
    pub secondary: Vec<String>,
}

/// One reason's strongest evidence.
#[derive(Clone, Copy)]
struct Evidence<'a> {
    strength: f64,
    turn: &'a Turn,
    hit: Hit,
    /// Distinct patterns of the reason that matched.
    patterns: usize,
}

impl Evidence<'_> {
    fn confidence(&self) -> f64 {
        self.strength * AGREEMENT[self.patterns.clamp(1, AGREEMENT.len()) - 1]
    }
}

/// The call's reason, or `None` when the customer's first turns match no pattern.
pub fn tag(transcript: &Transcript, taxonomy: &Taxonomy) -> Option<Tag> {
    let turns = turns::build(transcript);
    let customer = turns
        .iter()
        .filter(|t| t.party == Party::Customer && t.tokens.len() >= SUBSTANTIVE_WORDS)
        .zip(TURN_WEIGHTS);
    let mut best: Vec<Option<Evidence>> = vec![None; taxonomy.reasons.len()];
    let mut matched: Vec<Vec<usize>> = vec![Vec::new(); taxonomy.reasons.len()];
    for (turn, weight) in customer {
        for (pattern, hit) in taxonomy.patterns.hits(&turn.tokens) {
            let owner = taxonomy.pattern_owner[pattern];
            if !matched[owner].contains(&pattern) {
                matched[owner].push(pattern);
            }
            let strength = weight * f64::from(hit.confidence);
            // Strictly stronger only: an earlier hit wins a tie.
            if best[owner].is_none_or(|b| strength > b.strength) {
                best[owner] = Some(Evidence {
                    strength,
                    turn,
                    hit,
                    patterns: 0,
                });
            }
        }
    }
    let mut ranked: Vec<(usize, Evidence)> = best
        .into_iter()
        .enumerate()
        .filter_map(|(i, e)| e.map(|e| (i, e)))
        .map(|(i, e)| {
            let patterns = matched[i].len();
            (i, Evidence { patterns, ..e })
        })
        .filter(|(_, e)| e.confidence() >= MIN_CONFIDENCE)
        .collect();
    // Stable: taxonomy order breaks what confidence and position leave equal.
    ranked.sort_by(|(_, a), (_, b)| {
        b.confidence()
            .total_cmp(&a.confidence())
            .then(a.turn.start.total_cmp(&b.turn.start))
            .then(a.hit.first.cmp(&b.hit.first))
    });
    let (primary, evidence) = ranked.first()?;
    let token = &evidence.turn.tokens[evidence.hit.first];
    Some(Tag {
        reason: taxonomy.reasons[*primary].id.clone(),
        confidence: (evidence.confidence() * 100.0).round() / 100.0,
        quote: transcript.segments[token.piece as usize]
            .text
            .trim()
            .to_string(),
        at_s: evidence.turn.token_time(transcript, evidence.hit.first).0,
        secondary: ranked[1..]
            .iter()
            .filter(|(_, e)| e.confidence() >= SECONDARY_CONFIDENCE)
            .map(|(i, _)| taxonomy.reasons[*i].id.clone())
            .collect(),
    })
}
