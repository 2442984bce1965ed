//! Finds where compiled patterns occur in a turn's tokens.
//!
//! What a match tolerates (each lowers its confidence):
//! - a fuzzy word within [`crate::finnish::fuzzy`]'s tolerance, by stem or by
//!   written form (−0.2 per edit);
//! - up to [`MAX_GAP`] extra words in total between pattern words (−0.1 each);
//! - one missing pattern word in patterns of four or more words, never a negation
//!   (−0.25), an inner word only — evidence that survives one dropped word;
//! - a word split in two ("tarkastus maksut") or two words fused into one
//!   ("eikuulu") at no cost beyond the fuzzy one.
//!
//! What it never does: reach past a sentence's end inside a piece (a Whisper
//! segment): gaps, wildcards and split words stay in one sentence.
//!
//! Negation guard: a pattern that does not itself say a negation is rejected when a
//! negation word appears inside it or up to [`NEGATION_REACH`] words before it in
//! the same clause — "voin auttaa" does not match "en mä voi auttaa".

use std::cell::RefCell;
use std::ops::Range;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::finnish::fasthash::FastMap;
use crate::finnish::fuzzy;
use crate::finnish::pattern::{Elem, Pattern, PatternError};
use crate::finnish::text::{self, Token, Word};
use crate::finnish::vocab::{Candidate, StemId, Vocab};
use crate::finnish::word_tests::{Place, TestId, WordTests};
use crate::finnish::{self, Morphology};

pub const MAX_GAP: usize = 2;
pub const NEGATION_REACH: usize = 5;

/// What a pattern set reads one transcript word (or a pair written as one) as.
#[derive(Debug)]
pub struct Reading {
    /// Pattern stems the word may stand for, with their edit cost.
    candidates: Box<[Candidate]>,
    /// Per side (see [`side_index`]), the patterns tried there whose first word
    /// is among `candidates`, each once, in candidate order.
    starts: [Box<[usize]>; 3],
    /// The needed-word groups (see [`PatternSet::needs`]) some candidate belongs to.
    groups: Bits,
    /// The word may be the first half of a pattern word written as two.
    compound_head: bool,
    /// The set's word tests (see [`PatternSet::add_word_test`]) the word passes.
    tests: Bits,
}

/// A sparse set of small numbers as (word index, 64 bits) pairs: a word's groups
/// are added to a turn's bit set a word of bits at a time.
#[derive(Debug, Default)]
struct Bits(Box<[(u32, u64)]>);

impl Bits {
    fn from_sorted(ids: &[u32]) -> Bits {
        let mut words: Vec<(u32, u64)> = Vec::new();
        for &id in ids {
            let (word, bit) = (id / 64, 1 << (id % 64));
            match words.last_mut() {
                Some((w, bits)) if *w == word => *bits |= bit,
                _ => words.push((word, bit)),
            }
        }
        Bits(words.into())
    }

    /// Adds the set to `dense`, a bit set large enough for every number.
    fn add_to(&self, dense: &mut [u64]) {
        for &(word, bits) in &self.0 {
            dense[word as usize] |= bits;
        }
    }
}

/// Identifies a [`PatternSet`] in its current state, so readings memoised for one
/// set are never used for another (or for the same set after it gained patterns).
type SetId = u64;

fn fresh_set_id() -> SetId {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// Readings of one [`Word`] by the pattern sets that met it on this thread, oldest
/// first; a few sets (the rubric, the hold phrases) are in use at a time. Kept in
/// the word itself, not behind another pointer: every token reads them.
#[derive(Debug, Default)]
pub struct Readings(RefCell<[Option<SetReading>; READINGS_PER_WORD]>);

/// A reading and the pattern set it is for.
type SetReading = (SetId, Rc<Reading>);

/// Readings kept per word; an older one is computed again if its set returns.
const READINGS_PER_WORD: usize = 4;

impl Readings {
    fn get_or_insert_with(&self, set: SetId, read: impl FnOnce() -> Reading) -> Rc<Reading> {
        let mut readings = self.0.borrow_mut();
        let mut free = None;
        for (slot, entry) in readings.iter().enumerate() {
            match entry {
                Some((id, r)) if *id == set => return r.clone(),
                Some(_) => {}
                None => {
                    free = Some(slot);
                    break;
                }
            }
        }
        let slot = free.unwrap_or_else(|| {
            // All kept: the oldest makes room.
            readings.rotate_left(1);
            READINGS_PER_WORD - 1
        });
        let r = Rc::new(read());
        readings[slot] = Some((set, r.clone()));
        r
    }
}

/// Pairs of transcript words memoised per thread before the memo is cleared.
const PAIR_MEMO_LIMIT: usize = 100_000;

/// (set, first word id, second word id) → the pair read as one word, `None` when
/// it reads as no pattern word (almost every pair), which the matcher treats
/// exactly as no pair: no reading is allocated or touched for it.
type PairMemo = FastMap<(SetId, u64, u64), Option<Rc<Reading>>>;

thread_local! {
    static PAIRS: RefCell<PairMemo> = RefCell::new(PairMemo::default());
}

/// Buffers for matching turns, reused from turn to turn.
#[derive(Default)]
pub struct Scratch {
    single: Vec<Rc<Reading>>,
    /// Tokens `i` and `i + 1` read as one word, where that may matter.
    pair: Vec<Option<Rc<Reading>>>,
    /// Needed-word groups some token of the turn may stand for, as a bit set.
    present: Vec<u64>,
    /// Word tests some token of the turn passes, as a bit set.
    passed: Vec<u64>,
}

impl Scratch {
    /// Whether a token of the turn last given to [`PatternSet::hits_into`] passes
    /// word test `test`.
    pub fn passed(&self, test: TestId) -> bool {
        self.passed
            .get(test as usize / 64)
            .is_some_and(|bits| bits & (1 << (test % 64)) != 0)
    }
}

/// A turn's tokens with their readings.
struct Table<'a> {
    tokens: &'a [Token],
    single: &'a [Rc<Reading>],
    pair: &'a [Option<Rc<Reading>>],
}

/// The two kinds of turn a set may keep patterns apart for (the rubric's agent
/// and customer turns): a turn of one side never tries the other's patterns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    First = 0,
    Second = 1,
}

/// The sides a pattern is tried on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sides {
    Both,
    Only(Side),
}

impl Sides {
    /// Whether a turn on `side` (`None`: neither side) tries the pattern.
    fn include(self, side: Option<Side>) -> bool {
        match (self, side) {
            (Sides::Both, _) => true,
            (Sides::Only(only), Some(side)) => only == side,
            (Sides::Only(_), None) => false,
        }
    }
}

/// Where a reading keeps the patterns tried on `side`.
fn side_index(side: Option<Side>) -> usize {
    side.map_or(2, |s| s as usize)
}

/// All patterns of a rubric, compiled, with an index from the stems a pattern can
/// start with to the patterns, so a turn only tries patterns that can match there.
#[derive(Debug)]
pub struct PatternSet {
    vocab: Vocab,
    patterns: Vec<Pattern>,
    /// Per pattern, where it is tried.
    sides: Vec<Sides>,
    starts: FastMap<StemId, Vec<usize>>,
    /// Per pattern, the groups of stems that can stand for each word a match
    /// cannot do without (a range of `need_groups`): a turn holding no stem of one
    /// group cannot match. Patterns share groups, so a word's reading lists the
    /// groups it is in, and a turn's check is a bit test per group.
    needs: Vec<Range<usize>>,
    need_groups: Vec<GroupId>,
    /// Each distinct group of stems (sorted) and its id.
    group_ids: FastMap<Box<[StemId]>, GroupId>,
    /// Per stem, the groups it belongs to.
    groups_of_stem: FastMap<StemId, Vec<GroupId>>,
    word_tests: WordTests,
    id: SetId,
    /// Where `<lemma:features>` classes get their word forms.
    morph: &'static Morphology,
}

impl Default for PatternSet {
    /// An empty set reading word forms with [`finnish::shared`].
    fn default() -> Self {
        PatternSet::with_morphology(finnish::shared())
    }
}

impl PatternSet {
    /// An empty set reading word forms with `morph`.
    pub fn with_morphology(morph: &'static Morphology) -> Self {
        PatternSet {
            morph,
            vocab: Vocab::default(),
            patterns: Vec::new(),
            sides: Vec::new(),
            starts: FastMap::default(),
            needs: Vec::new(),
            need_groups: Vec::new(),
            group_ids: FastMap::default(),
            groups_of_stem: FastMap::default(),
            word_tests: WordTests::default(),
            id: fresh_set_id(),
        }
    }

    /// Compiles `source`, tried on both sides, and returns its index in the set.
    pub fn add(&mut self, source: &str) -> Result<usize, PatternError> {
        self.add_for(source, Sides::Both)
    }

    /// Compiles `source`, tried on `sides` only, and returns its index in the set.
    pub fn add_for(&mut self, source: &str, sides: Sides) -> Result<usize, PatternError> {
        let pattern = Pattern::compile(source, &mut self.vocab)?;
        let idx = self.patterns.len();
        let first = &pattern.elems[0];
        for id in first.stems.iter().chain(first.fused_next.iter()) {
            self.starts.entry(*id).or_default().push(idx);
        }
        let from = self.need_groups.len();
        for mut group in needed_stems(&pattern) {
            group.sort_unstable();
            group.dedup();
            let next = self.group_ids.len() as GroupId;
            let id = *self.group_ids.entry(group.clone().into()).or_insert(next);
            if id == next {
                for stem in group {
                    self.groups_of_stem.entry(stem).or_default().push(id);
                }
            }
            if !self.need_groups[from..].contains(&id) {
                self.need_groups.push(id);
            }
        }
        self.needs.push(from..self.need_groups.len());
        self.patterns.push(pattern);
        self.sides.push(sides);
        // Words already read by this set may read differently now.
        self.id = fresh_set_id();
        Ok(idx)
    }

    /// Each pattern's source as compiled, in the order added.
    pub fn sources(&self) -> impl Iterator<Item = &str> {
        self.patterns.iter().map(|p| p.source.as_str())
    }

    /// Adds a test that a word's written form holds one of `any_of`, which every
    /// token's reading then answers (see [`Scratch::passed`]).
    pub fn add_word_test(&mut self, any_of: &[(&str, Place)]) -> TestId {
        let before = self.word_tests.len();
        let id = self.word_tests.add(any_of);
        if self.word_tests.len() > before {
            // Words already read by this set were not tested.
            self.id = fresh_set_id();
        }
        id
    }

    /// What the set reads a word as; `pair_head` is the length of the first of two
    /// transcript words read as one (`None`: one word), which no class (a form, a
    /// name) is tested on.
    fn read(&self, stem: &str, surface: &str, pair_head: Option<usize>) -> Reading {
        let whole = pair_head.is_none();
        let mut candidates = self.vocab.lookup(stem, surface, pair_head.unwrap_or(0));
        if whole && self.vocab.has_classes() {
            self.vocab
                .classes_of(surface, stem, self.morph, &mut candidates);
        }
        let mut starts: Vec<usize> = Vec::new();
        for (id, _) in &candidates {
            for &p in self.starts.get(id).into_iter().flatten() {
                if !starts.contains(&p) {
                    starts.push(p);
                }
            }
        }
        let mut groups: Vec<GroupId> = Vec::new();
        for (id, _) in &candidates {
            groups.extend(self.groups_of_stem.get(id).into_iter().flatten());
        }
        groups.sort_unstable();
        groups.dedup();
        let on = |side: Option<Side>| -> Box<[usize]> {
            let tried = starts.iter().filter(|&&p| self.sides[p].include(side));
            tried.copied().collect()
        };
        Reading {
            starts: [Some(Side::First), Some(Side::Second), None].map(on),
            candidates: candidates.into(),
            groups: Bits::from_sorted(&groups),
            compound_head: self.vocab.may_start_compound(surface),
            tests: if whole && !self.word_tests.is_empty() {
                Bits::from_sorted(&self.word_tests.passed_by(surface))
            } else {
                Bits::default()
            },
        }
    }

    fn reading(&self, word: &Word) -> Rc<Reading> {
        word.readings
            .get_or_insert_with(self.id, || self.read(&word.stem, &word.surface, None))
    }

    /// `first` and `second` written together, read as one word, if it reads as
    /// any pattern word.
    fn pair_reading(&self, first: &Word, second: &Word) -> Option<Rc<Reading>> {
        PAIRS.with_borrow_mut(|memo| {
            let key = (self.id, first.id, second.id);
            if let Some(r) = memo.get(&key) {
                return r.clone();
            }
            if memo.len() >= PAIR_MEMO_LIMIT {
                memo.clear();
            }
            let joined = format!("{}{}", first.surface, second.surface);
            let head = Some(first.surface.chars().count());
            let read = self.read(&text::stem(&joined), &joined, head);
            let r = (!read.candidates.is_empty()).then(|| Rc::new(read));
            memo.insert(key, r.clone());
            r
        })
    }

    /// Every (pattern index, best hit) per start token of the turn, of a set
    /// whose patterns are all tried on both sides.
    pub fn hits(&self, tokens: &[Token]) -> Vec<(usize, Hit)> {
        let mut out = Vec::new();
        self.hits_into(tokens, None, &mut Scratch::default(), &mut out);
        out
    }

    /// The best hit of each pattern tried on `side` (`None`: the patterns tried
    /// on both sides) per start token of the turn, in token order, told to `sink`,
    /// which may rule patterns out as it goes; reuses `scratch`'s buffers.
    pub fn hits_into(
        &self,
        tokens: &[Token],
        side: Option<Side>,
        scratch: &mut Scratch,
        sink: &mut impl HitSink,
    ) {
        scratch.single.clear();
        scratch.pair.clear();
        for (i, t) in tokens.iter().enumerate() {
            let single = self.reading(&t.word);
            let mut pair = None;
            if let Some(next) = tokens.get(i + 1) {
                // Compound words are long; short neighbours are almost never one word split.
                if single.compound_head
                    && !t.word.number
                    && !next.word.number
                    && !opens_written_sentence(next)
                    && t.word.surface.len() + next.word.surface.len() >= 8
                {
                    pair = self.pair_reading(&t.word, &next.word);
                }
            }
            scratch.single.push(single);
            scratch.pair.push(pair);
        }
        scratch.present.clear();
        scratch.present.resize(self.group_ids.len().div_ceil(64), 0);
        let readings = scratch.single.iter().chain(scratch.pair.iter().flatten());
        for r in readings {
            r.groups.add_to(&mut scratch.present);
        }
        scratch.passed.clear();
        scratch.passed.resize(self.word_tests.len().div_ceil(64), 0);
        for r in &scratch.single {
            r.tests.add_to(&mut scratch.passed);
        }
        let table = Table {
            tokens,
            single: &scratch.single,
            pair: &scratch.pair,
        };
        let present = &scratch.present;
        let holds = |id: &GroupId| present[*id as usize / 64] & (1 << (id % 64)) != 0;
        for i in 0..tokens.len() {
            let single = &table.single[i];
            let pair = table.pair[i].as_deref();
            let single_starts = &*single.starts[side_index(side)];
            let pair_starts = pair
                .map(|p| &*p.starts[side_index(side)])
                .unwrap_or_default();
            if single_starts.is_empty() && pair_starts.is_empty() {
                continue;
            }
            // Each reading lists a pattern once; the pair only adds patterns the
            // single word does not start.
            let pair_only = pair_starts.iter().filter(|p| !single_starts.contains(p));
            for &p in single_starts.iter().chain(pair_only) {
                if !self.need_groups[self.needs[p].clone()].iter().all(holds) || !sink.wants(p, i) {
                    continue;
                }
                if let Some(hit) = match_at(&self.patterns[p], &table, i) {
                    sink.hit(p, hit);
                }
            }
        }
    }
}

/// Receives a turn's hits from [`PatternSet::hits_into`] as they are found.
pub trait HitSink {
    /// Whether a match of `pattern` starting at token `start` could still matter;
    /// asked before the pattern is tried there.
    fn wants(&mut self, pattern: usize, start: usize) -> bool;
    /// The best match of `pattern` starting at `hit.first`.
    fn hit(&mut self, pattern: usize, hit: Hit);
}

/// Keeps every hit.
impl HitSink for Vec<(usize, Hit)> {
    fn wants(&mut self, _: usize, _: usize) -> bool {
        true
    }

    fn hit(&mut self, pattern: usize, hit: Hit) {
        self.push((pattern, hit));
    }
}

/// Identifies a distinct group of stems a pattern needs one of.
type GroupId = u32;

/// For each word of `p` a match cannot do without, the stems that can stand for
/// it: the word's own, and the fused forms it is part of ("ei kuulu" read as
/// "eikuulu"). Words that may be dropped, `*` and numbers need no stem.
fn needed_stems(p: &Pattern) -> Vec<Vec<StemId>> {
    let n = p.elems.len();
    let mut needs = Vec::new();
    // The first word needs no check: a pattern is only tried where it starts.
    for (k, elem) in p.elems.iter().enumerate().skip(1) {
        let droppable = n >= 4 && k + 1 < n && !elem.negation;
        if droppable || elem.any || elem.number {
            continue;
        }
        let mut group = elem.stems.clone();
        group.extend(elem.fused_next);
        group.extend(p.elems[k - 1].fused_next);
        needs.push(group);
    }
    needs
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
fn match_at(pattern: &Pattern, table: &Table, start: usize) -> Option<Hit> {
    let init = State {
        k: 0,
        i: start,
        gaps: 0,
        dropped: false,
        cost: 0.0,
        first: None,
        last: start,
    };
    let mut best = None;
    search(pattern, table, init, &mut best);
    let best = best?;
    let first = best.first?;
    if !pattern.negated && negated_context(table.tokens, first, best.last) {
        return None;
    }
    if pattern.alone && !stands_alone(table.tokens, first, best.last) {
        return None;
    }
    Some(Hit {
        first,
        last: best.last,
        confidence: (1.0 - penalty(&best)).max(0.1),
    })
}

/// Depth first, cheapest step first, into `best`: the first complete match of
/// the lowest penalty. Penalties only grow along a path, so a path already as
/// costly as `best` is abandoned.
fn search(p: &Pattern, t: &Table, s: State, best: &mut Option<State>) {
    if best.is_some_and(|b| penalty(&s) >= penalty(&b)) {
        return;
    }
    if s.k == p.elems.len() {
        *best = Some(s);
        return;
    }
    let elem = &p.elems[s.k];
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
        // A match stays inside one sentence: once it has begun, no word, gap or
        // wildcard reaches past a ".", "?", "!" or ";" ("Nyt näen. Kortilla on
        // tehty yksi osto" is no "nyt … on tehty").
        if s.first.is_some() && opens_written_sentence(&t.tokens[i]) {
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
        let candidates = &t.single[i].candidates;
        if let Some(cost) = elem_cost(elem, &t.tokens[i], candidates) {
            search(p, t, step(s.k + 1, i + 1, cost), best);
        }
        if let Some(pair) = &t.pair[i]
            && let Some(cost) = cost_of(&pair.candidates, &elem.inflected)
        {
            search(p, t, step(s.k + 1, i + 2, cost), best);
        }
        if let Some(fused) = elem.fused_next
            && let Some(cost) = cost_of(candidates, &[fused])
        {
            search(p, t, step(s.k + 2, i + 1, cost), best);
        }
    }
    // Only an inner word may be missing: the first and last anchor the evidence.
    let inner = s.k > 0 && s.k + 1 < p.elems.len();
    let droppable = !s.dropped && p.elems.len() >= 4 && !elem.negation && inner;
    if droppable {
        let dropped = State {
            k: s.k + 1,
            dropped: true,
            ..s
        };
        search(p, t, dropped, best);
    }
}

/// A token after sentence punctuation inside its piece. (A piece's first token also
/// starts a sentence, but Whisper ends segments mid-sentence: a match may run on
/// into the next piece.)
pub(crate) fn opens_written_sentence(token: &Token) -> bool {
    token.sentence_start && token.pos_in_piece.0 != 0
}

fn elem_cost(elem: &Elem, token: &Token, cands: &[Candidate]) -> Option<f32> {
    if elem.any || (elem.number && token.word.number) {
        return Some(0.0);
    }
    let word = &token.word;
    if elem.negation != word.negation {
        return None;
    }
    // An exact form forgives only the length of a sound ("mutin" for "muutin"),
    // Whisper's most frequent error, which never turns one verb form into another.
    let exact = elem.exact.iter().find_map(|e| {
        if **e == *word.surface {
            Some(0.0)
        } else {
            fuzzy::same_but_for_length(e, &word.surface).then_some(fuzzy::CHEAP)
        }
    });
    exact.or_else(|| cost_of(cands, &elem.inflected))
}

/// Whether tokens `first..=last` are a clause of their own: punctuation or the
/// turn's edges on both sides (not a clause word such as "mutta" after them).
fn stands_alone(tokens: &[Token], first: usize, last: usize) -> bool {
    tokens[first].clause_start
        && tokens
            .get(last + 1)
            .is_none_or(|next| next.clause_start && !next.word.clause_word)
}

/// A negation inside the matched span or shortly before it in the same clause.
fn negated_context(tokens: &[Token], first: usize, last: usize) -> bool {
    if tokens[first..=last].iter().any(|t| t.word.negation) {
        return true;
    }
    let mut j = first;
    for _ in 0..NEGATION_REACH {
        if j == 0 || tokens[j].clause_start {
            return false;
        }
        j -= 1;
        if tokens[j].word.negation {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finnish::text::{tokenize, tokenize_into};

    fn find(pattern: &str, text: &str) -> Option<Hit> {
        let mut set = PatternSet::default();
        set.add(pattern).unwrap();
        set.hits(&tokenize(text, 0))
            .into_iter()
            .map(|(_, h)| h)
            .next()
    }

    #[test]
    fn negation_guard_blocks_negated_text() {
        assert!(find("voin auttaa", "Kyllä mä voin auttaa teitä").is_some());
        assert!(find("voin auttaa", "en mä voi auttaa").is_none());
        assert!(find("voin auttaa", "en tiedä, mutta voin auttaa").is_some());
        assert!(find("en voi auttaa", "valitettavasti en voi auttaa").is_some());
        // Spoken "et" before "mä" is "että", before "sä" the negation.
        assert!(
            find(
                "laitan reklamaation",
                "mää teen näin, et mää laitan reklamaation"
            )
            .is_some()
        );
        assert!(find("voin auttaa", "et sä voi auttaa").is_none());
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
    fn a_match_stays_in_one_sentence_of_a_piece_but_runs_on_into_the_next_piece() {
        assert!(find("nyt * on tehty", "Nyt näen. Kortilla on tehty yksi osto").is_none());
        assert!(find("nyt * on tehty", "Nyt tilaus on tehty.").is_some());
        assert!(find("kiitos sinulle", "Kiitti. Mä lähetän sulle akselin").is_none());
        assert!(find("kiitos sinulle", "Kiitti mä lähetän sulle akselin").is_some());
        let mut set = PatternSet::default();
        set.add("tilaus on tehty").unwrap();
        let mut tokens = tokenize("Joo, tilaus on", 0);
        tokenize_into("tehty.", 1, &mut tokens);
        assert_eq!(set.hits(&tokens).len(), 1);
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
        assert!(find("=muutin", "mutin sopimuksen").is_some(), "length only");
        assert!(find("=muutin", "muutan sopimuksen").is_none());
        assert!(find("=peruin", "perun sen").is_none());
    }

    #[test]
    fn an_exact_form_in_a_group_leaves_the_other_words_inflecting() {
        let group = "valitan (=fineen|kuluttajariitalautakunta)";
        assert!(find(group, "valitan fineen").is_some());
        assert!(find(group, "valitan kuluttajariitalautakuntaan").is_some());
        assert!(
            find(group, "valitan finestä").is_none(),
            "`=fineen` stays exact"
        );
    }

    #[test]
    fn measured_whisper_errors_are_cheap() {
        // Doubled and undoubled letters, p↔t, l↔r: "päivää" → "täimää" is two
        // cheap errors in six letters.
        assert!(find("hyvää päivää", "hyvää pää pääivää").is_some());
        assert!(find("(päivää|hei)", "täimää").is_some());
        assert!(find("(täällä|tässä) puhuu", "täällä puuhu outi").is_some());
        assert!(find("palaan huomenna", "paran huomenna").is_some());
        assert!(find("(päivää|hei)", "tänään").is_none());
        assert!(find("(päivää|hei)", "päätä").is_none());
        assert!(find("palaan huomenna", "saan huomenna").is_none());
    }

    #[test]
    fn written_forms_catch_what_the_stemmer_strips_differently() {
        // "johtaan" stems to "joh", "kulosta" to "kulo": the written forms are
        // one dropped letter, and two undoubled vowels, from the pattern's.
        assert!(find("johtajan kanssa", "puhua johtaan kanssa").is_some());
        assert!(find("kuulostaa kurjalta", "tää kulosta tossi kuvjalta").is_some());
        assert!(find("ymmärrän", "jo ymmärräne tilanteen").is_some());
        assert!(find("ymmärrän", "en ymmärrä").is_none(), "negation guard");
        assert!(find("johtajan kanssa", "johtoon kanssa").is_none());
        assert!(find("kuulostaa kurjalta", "kuulostaa hyvältä").is_none());
    }

    #[test]
    fn long_words_are_found_with_the_next_word_glued_on() {
        let glued = find("ymmärrän", "ymmärräntäisin että ärsyttää").unwrap();
        assert!(glued.confidence < 1.0);
        assert!(
            find("ymmärrän", "en ymmärräntätä").is_none(),
            "negation guard"
        );
        assert!(find("ymmärrän", "ymmärrystä").is_none());
        assert!(find("selvitän", "lähetän selvityksen").is_none());
    }

    #[test]
    fn each_pattern_set_reads_shared_words_its_own_way() {
        let tokens = tokenize("voin auttaa heti", 0);
        let mut a = PatternSet::default();
        a.add("voin auttaa").unwrap();
        let mut b = PatternSet::default();
        b.add("auttaa heti").unwrap();
        for _ in 0..2 {
            assert_eq!(a.hits(&tokens)[0].1.first, 0);
            assert_eq!(b.hits(&tokens)[0].1.first, 1);
        }
        b.add("voin").unwrap();
        assert_eq!(b.hits(&tokens).len(), 2, "a grown set reads words afresh");
    }

    #[test]
    fn a_pattern_is_tried_on_its_sides_only() {
        let tokens = tokenize("voin auttaa heti", 0);
        let mut set = PatternSet::default();
        let first = set
            .add_for("voin auttaa", Sides::Only(Side::First))
            .unwrap();
        let second = set
            .add_for("auttaa heti", Sides::Only(Side::Second))
            .unwrap();
        let both = set.add("heti").unwrap();
        let tried = |side: Option<Side>| {
            let mut hits: Vec<(usize, Hit)> = Vec::new();
            set.hits_into(&tokens, side, &mut Scratch::default(), &mut hits);
            hits.into_iter().map(|(p, _)| p).collect::<Vec<_>>()
        };
        assert_eq!(tried(Some(Side::First)), vec![first, both]);
        assert_eq!(tried(Some(Side::Second)), vec![second, both]);
        assert_eq!(tried(None), vec![both], "no side: the patterns of both");
    }

    #[test]
    fn a_turn_tells_which_word_tests_its_words_pass() {
        let mut set = PatternSet::default();
        set.add("voin auttaa").unwrap();
        let refusal = set.add_word_test(&[("ei", Place::Whole), ("kuulu", Place::Start)]);
        let fixed = set.add_word_test(&[("ttu", Place::End)]);
        let mut scratch = Scratch::default();
        let mut hits: Vec<(usize, Hit)> = Vec::new();
        set.hits_into(
            &tokenize("se on korjattu", 0),
            None,
            &mut scratch,
            &mut hits,
        );
        assert!(scratch.passed(fixed) && !scratch.passed(refusal));
        set.hits_into(
            &tokenize("tämä ei kuulu meille", 0),
            None,
            &mut scratch,
            &mut hits,
        );
        assert!(scratch.passed(refusal) && !scratch.passed(fixed));
    }

    /// Voikko, which these tests need installed (scripts/setup.sh).
    fn voikko() -> &'static Morphology {
        static VOIKKO: std::sync::OnceLock<Morphology> = std::sync::OnceLock::new();
        VOIKKO.get_or_init(|| {
            Morphology::voikko(None).unwrap_or_else(|e| {
                panic!("{e} (these tests need Voikko; the fallback has its own)")
            })
        })
    }

    fn find_with(morph: &'static Morphology, pattern: &str, text: &str) -> bool {
        let mut set = PatternSet::with_morphology(morph);
        set.add(pattern).unwrap();
        !set.hits(&tokenize(text, 0)).is_empty()
    }

    const OWNERSHIP: &str = "<tarkistaa|selvittää|hoitaa|katsoa|laittaa|järjestää:1sg.pres>";

    #[test]
    fn voikko_reads_lemmas_and_forms() {
        let v = voikko();
        for yes in [
            "mä hoidan sen",
            "mä katon heti",
            "järjestän teille ajan",
            "Tarkistan.",
        ] {
            assert!(find_with(v, OWNERSHIP, yes), "{yes}");
        }
        for no in [
            "mä hoidin sen eilen",
            "hoidatteko te sen",
            "tarkistus tehdään huomenna",
            "en mä tarkista",
        ] {
            assert!(!find_with(v, OWNERSHIP, no), "{no}");
        }
        let done = "nyt on <*:past-pass-ptcp>";
        assert!(find_with(v, done, "nyt on tilaus tehty"));
        assert!(find_with(v, done, "no nyt on sopimus siirretty"));
        assert!(!find_with(v, done, "nyt on tilaus auki"));
        assert!(
            !find_with(v, done, "nyt ei ole tilausta tehty"),
            "negation guard"
        );
        assert!(find_with(v, "<tarkistaa>", "tarkistettiin jo"));
        assert!(!find_with(v, "<tarkistaa>", "tarkistus"));
    }

    #[test]
    fn the_fallback_reads_forms_by_stem_and_ending() {
        let f = &finnish::FALLBACK;
        for yes in ["mä hoidan sen", "mä katon heti", "järjestän teille ajan"] {
            assert!(find_with(f, OWNERSHIP, yes), "{yes}");
        }
        assert!(!find_with(f, OWNERSHIP, "mä hoidin sen eilen"));
        assert!(!find_with(f, OWNERSHIP, "en mä tarkista"));
        assert!(find_with(
            f,
            "nyt on <*:past-pass-ptcp>",
            "nyt on tilaus tehty"
        ));
        assert!(!find_with(
            f,
            "nyt on <*:past-pass-ptcp>",
            "nyt on tilaus auki"
        ));
    }

    #[test]
    fn names_come_from_the_gazetteer() {
        let f = &finnish::FALLBACK;
        assert!(find_with(f, "{name} tässä", "Moi, Pekka tässä"));
        assert!(find_with(f, "{name} tässä", "Anna-Liisa tässä"));
        assert!(!find_with(f, "{name} tässä", "asiakaspalvelu tässä"));
    }

    #[test]
    fn a_surname_counts_only_in_a_clause_of_its_own() {
        let f = &finnish::FALLBACK;
        assert!(find_with(f, "{surname}", "Venevakuutukset, Forsman."));
        assert!(find_with(f, "{surname}", "Forsman, hyvää päivää."));
        assert!(find_with(f, "{surname}", "Korvaukset, Salminen"));
        assert!(!find_with(f, "{surname}", "Kehysliike Lehtinen."), "a firm");
        assert!(
            !find_with(f, "{surname}", "Forsman ja Laine, hei."),
            "a firm"
        );
        assert!(
            !find_with(f, "{surname}", "Laine mutta ei."),
            "a clause word follows"
        );
        assert!(
            !find_with(f, "{surname}", "Venevakuutukset, Pekka."),
            "a first name"
        );
        let with_words = "{surname} (tässä|puhelimessa)";
        assert!(find_with(
            f,
            with_words,
            "Valmennuskeskus Kivinen, Heikkilä puhelimessa."
        ));
        assert!(
            !find_with(f, with_words, "Valmennuskeskus Heikkilä puhelimessa."),
            "runs on a firm's name"
        );
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
