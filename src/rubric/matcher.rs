//! Finds where compiled patterns occur in a turn's tokens.
//!
//! What a match tolerates (each lowers its confidence):
//! - a fuzzy word within [`crate::rubric::fuzzy`]'s tolerance (−0.2 per edit);
//! - up to [`MAX_GAP`] extra words in total between pattern words (−0.1 each);
//! - one missing pattern word in patterns of four or more words, never a negation
//!   (−0.25), an inner word only — evidence that survives one dropped word;
//! - a word split in two ("tarkastus maksut") or two words fused into one
//!   ("eikuulu") at no cost beyond the fuzzy one.
//!
//! Negation guard: a pattern that does not itself say a negation is rejected when a
//! negation word appears inside it or up to [`NEGATION_REACH`] words before it in
//! the same clause — "voin auttaa" does not match "en mä voi auttaa".

use std::sync::Arc;

use crate::rubric::fasthash::FastMap;
use crate::rubric::pattern::{Elem, Pattern, PatternError};
use crate::rubric::text::Token;
use crate::rubric::vocab::{Candidate, StemId, Vocab};

pub const MAX_GAP: usize = 2;
pub const NEGATION_REACH: usize = 5;

/// Candidates for every token of a turn (and for every fused pair of tokens).
pub struct Table<'t> {
    tokens: &'t [Token],
    single: Vec<Arc<[Candidate]>>,
    /// Candidates for tokens `i` and `i + 1` read as one word.
    pair: Vec<Option<Arc<[Candidate]>>>,
}

impl<'t> Table<'t> {
    pub fn build(tokens: &'t [Token], vocab: &Vocab) -> Table<'t> {
        let mut single = Vec::with_capacity(tokens.len());
        let mut pair = Vec::with_capacity(tokens.len());
        let mut fused = String::new();
        for (i, t) in tokens.iter().enumerate() {
            single.push(vocab.lookup(&t.stem));
            let mut p = None;
            if let Some(next) = tokens.get(i + 1) {
                // Compound words are long; short neighbours are almost never one word split.
                if !t.number
                    && !next.number
                    && t.surface.len() + next.surface.len() >= 8
                    && vocab.may_start_compound(&t.surface)
                {
                    fused.clear();
                    fused.push_str(&t.surface);
                    fused.push_str(&next.surface);
                    p = Some(vocab.lookup_fused(&fused));
                }
            }
            pair.push(p);
        }
        Table {
            tokens,
            single,
            pair,
        }
    }

    pub fn tokens(&self) -> &'t [Token] {
        self.tokens
    }
}

/// All patterns of a rubric, compiled, with an index from the stems a pattern can
/// start with to the patterns, so a turn only tries patterns that can match there.
#[derive(Debug, Default)]
pub struct PatternSet {
    vocab: Vocab,
    patterns: Vec<Pattern>,
    starts: FastMap<StemId, Vec<usize>>,
}

impl PatternSet {
    /// Compiles `source` and returns its index in the set.
    pub fn add(&mut self, source: &str) -> Result<usize, PatternError> {
        let pattern = Pattern::compile(source, &mut self.vocab)?;
        let idx = self.patterns.len();
        let first = &pattern.elems[0];
        for id in first.stems.iter().chain(first.fused_next.iter()) {
            self.starts.entry(*id).or_default().push(idx);
        }
        self.patterns.push(pattern);
        Ok(idx)
    }

    pub fn table<'t>(&self, tokens: &'t [Token]) -> Table<'t> {
        Table::build(tokens, &self.vocab)
    }

    /// Every (pattern index, best hit) per start token of the turn.
    pub fn hits(&self, table: &Table) -> Vec<(usize, Hit)> {
        let mut out = Vec::new();
        let mut tried: Vec<usize> = Vec::new();
        for i in 0..table.tokens.len() {
            tried.clear();
            let pair = table.pair[i].as_deref().unwrap_or_default();
            for (id, _) in table.single[i].iter().chain(pair) {
                for &p in self.starts.get(id).into_iter().flatten() {
                    if tried.contains(&p) {
                        continue;
                    }
                    tried.push(p);
                    if let Some(hit) = match_at(&self.patterns[p], table, i) {
                        out.push((p, hit));
                    }
                }
            }
        }
        out
    }
}

/// One occurrence of a pattern: tokens `first..=last` of the turn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    pub first: usize,
    pub last: usize,
    pub confidence: f32,
}

#[derive(Clone, Copy)]
struct State {
    k: usize,
    i: usize,
    gaps: usize,
    dropped: bool,
    cost: f32,
    first: Option<usize>,
    last: usize,
}

fn cost_of(c: &[Candidate], ids: &[StemId]) -> Option<f32> {
    c.iter()
        .filter(|(id, _)| ids.contains(id))
        .map(|(_, cost)| *cost)
        .reduce(f32::min)
}

fn penalty(s: &State) -> f32 {
    s.cost * 0.2 + s.gaps as f32 * 0.1 + if s.dropped { 0.25 } else { 0.0 }
}

/// The best occurrence of `pattern` starting at token `start`, if any.
pub fn match_at(pattern: &Pattern, table: &Table, start: usize) -> Option<Hit> {
    let init = State {
        k: 0,
        i: start,
        gaps: 0,
        dropped: false,
        cost: 0.0,
        first: None,
        last: start,
    };
    let best = search(pattern, table, init)?;
    let first = best.first?;
    if !pattern.negated && negated_context(table.tokens, first, best.last) {
        return None;
    }
    Some(Hit {
        first,
        last: best.last,
        confidence: (1.0 - penalty(&best)).max(0.1),
    })
}

fn search(p: &Pattern, t: &Table, s: State) -> Option<State> {
    if s.k == p.elems.len() {
        return Some(s);
    }
    let elem = &p.elems[s.k];
    let mut best: Option<State> = None;
    let mut keep = |cand: Option<State>| {
        if let Some(c) = cand
            && best.is_none_or(|b| penalty(&c) < penalty(&b))
        {
            best = Some(c);
        }
    };
    // A gap is only allowed between pattern words, never before the first one.
    let max_skip = if s.first.is_some() {
        MAX_GAP - s.gaps
    } else {
        0
    };
    for skip in 0..=max_skip {
        let i = s.i + skip;
        if i >= t.tokens.len() {
            break;
        }
        let step = |k: usize, next_i: usize, cost: f32| State {
            k,
            i: next_i,
            gaps: s.gaps + skip,
            dropped: s.dropped,
            cost: s.cost + cost,
            first: s.first.or(Some(i)),
            last: next_i - 1,
        };
        if let Some(cost) = elem_cost(elem, &t.tokens[i], &t.single[i]) {
            keep(search(p, t, step(s.k + 1, i + 1, cost)));
        }
        let pair = elem
            .exact
            .is_empty()
            .then(|| cost_of(t.pair[i].as_deref().unwrap_or_default(), &elem.stems));
        if let Some(cost) = pair.flatten() {
            keep(search(p, t, step(s.k + 1, i + 2, cost)));
        }
        if let Some(fused) = elem.fused_next
            && let Some(cost) = cost_of(&t.single[i], &[fused])
        {
            keep(search(p, t, step(s.k + 2, i + 1, cost)));
        }
    }
    // Only an inner word may be missing: the first and last anchor the evidence.
    let inner = s.k > 0 && s.k + 1 < p.elems.len();
    let droppable = !s.dropped && p.elems.len() >= 4 && !elem.negation && inner;
    if droppable {
        keep(search(
            p,
            t,
            State {
                k: s.k + 1,
                dropped: true,
                ..s
            },
        ));
    }
    best
}

fn elem_cost(elem: &Elem, token: &Token, cands: &[Candidate]) -> Option<f32> {
    if elem.any || (elem.number && token.number) {
        return Some(0.0);
    }
    if elem.negation != token.negation {
        return None;
    }
    if !elem.exact.is_empty() {
        return elem
            .exact
            .iter()
            .any(|e| **e == *token.surface)
            .then_some(0.0);
    }
    cost_of(cands, &elem.stems)
}

/// A negation inside the matched span or shortly before it in the same clause.
fn negated_context(tokens: &[Token], first: usize, last: usize) -> bool {
    if tokens[first..=last].iter().any(|t| t.negation) {
        return true;
    }
    let mut j = first;
    for _ in 0..NEGATION_REACH {
        if j == 0 || tokens[j].clause_start {
            return false;
        }
        j -= 1;
        if tokens[j].negation {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rubric::text::tokenize;

    fn find(pattern: &str, text: &str) -> Option<Hit> {
        let mut set = PatternSet::default();
        set.add(pattern).unwrap();
        let tokens = tokenize(text, 0);
        let table = set.table(&tokens);
        set.hits(&table).into_iter().map(|(_, h)| h).next()
    }

    #[test]
    fn negation_guard_blocks_negated_text() {
        assert!(find("voin auttaa", "Kyllä mä voin auttaa teitä").is_some());
        assert!(find("voin auttaa", "en mä voi auttaa").is_none());
        assert!(find("voin auttaa", "en tiedä, mutta voin auttaa").is_some());
        assert!(find("en voi auttaa", "valitettavasti en voi auttaa").is_some());
    }

    #[test]
    fn survives_whisper_errors() {
        let v_to_m = find(
            "valitsit väärän vaihtoehdon",
            "valitsit nyt määrään vaihtoehdon",
        )
        .unwrap();
        assert!(v_to_m.confidence < 1.0);
        assert!(find("tarkastusmaksut", "ne tarkastus maksut on").is_some());
        assert!(find("ei kuulu meille", "tää eikuulu meille").is_some());
        assert!(find("ei oo meidän ongelma", "se ei ole meiän ongelma").is_some());
    }

    #[test]
    fn gaps_and_dropped_words_cost_confidence() {
        let exact = find("otan tämän hoitaakseni", "otan tämän hoitaakseni").unwrap();
        let gap = find("otan tämän hoitaakseni", "otan nyt tämän hoitaakseni").unwrap();
        assert_eq!(exact.confidence, 1.0);
        assert!(gap.confidence < exact.confidence);
        assert!(find("otan tämän hoitaakseni", "otan nyt heti tämän hoitaakseni").is_some());
        assert!(
            find(
                "otan tämän hoitaakseni",
                "otan nyt heti kyllä tämän hoitaakseni"
            )
            .is_none()
        );
        let dropped = find("minulla ei ole valtuuksia", "minulla ei ole tähän").is_none();
        assert!(
            dropped,
            "the last word carries the meaning here and is not optional at the end"
        );
        assert!(
            find("tämä ei kuulu meille", "ei kuulu meille").is_none(),
            "first word kept"
        );
        assert!(find("tämä asia ei kuulu meille", "tämä ei kuulu meille").is_some());
    }

    #[test]
    fn exact_forms_do_not_stem() {
        assert!(find("=peruin", "peruin sen").is_some());
        assert!(find("=peruin", "voitteko perua sen").is_none());
    }

    #[test]
    fn numbers_match_any_number() {
        assert!(
            find(
                "soitan (tänään|{num}) mennessä",
                "mä soitan kolmeen mennessä"
            )
            .is_some()
        );
        assert!(find("soitan (tänään|{num}) mennessä", "soitan 15 mennessä").is_some());
        assert!(find("soitan (tänään|{num}) mennessä", "soitan joskus mennessä").is_none());
    }
}
