//! What the learned component reads of a sentence: the same features for training
//! (`examples/corpus_features.rs` writes them as text) and for scoring (as keys).
//!
//! Per sentence, each tagged with the sentence's party: a bias; each word's lemma
//! (Voikko's, else its Snowball stem), a verb's lemma with its inflection and the
//! inflection alone, negation and numbers; each pair of neighbouring lemmas; and
//! the sentence's place in the call (the party's first or second turn, the last
//! three turns, the end of its turn, a turn that overlaps the one before or follows
//! a pause of 10 s, one followed by such a pause or overlapped).

use crate::finnish::Morphology;
use crate::finnish::forms::Features;
use crate::finnish::text::Word;
use crate::rubric::turns::Turn;
use crate::transcript::Party;

/// A pause this long before a turn is a feature (a search, a hold, a silence).
const LONG_PAUSE_S: f64 = 10.0;

/// A word as the features read it: `L` is its lemma (text to train, an id of
/// the model's vocabulary to score).
#[derive(Debug, Clone)]
pub struct WordRead<L> {
    pub lemma: L,
    /// Its inflection as a verb (empty for other words).
    pub inflection: Features,
    pub negation: bool,
    pub number: bool,
}

/// Where a sentence stands in the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    FirstOwnTurn,
    SecondOwnTurn,
    LastThreeTurns,
    TurnEnd,
    Overlaps,
    AfterLongPause,
    BeforeLongPause,
    Overlapped,
}

impl Place {
    pub const ALL: [Place; 8] = [
        Place::FirstOwnTurn,
        Place::SecondOwnTurn,
        Place::LastThreeTurns,
        Place::TurnEnd,
        Place::Overlaps,
        Place::AfterLongPause,
        Place::BeforeLongPause,
        Place::Overlapped,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Place::FirstOwnTurn => "first_own",
            Place::SecondOwnTurn => "second_own",
            Place::LastThreeTurns => "last3",
            Place::TurnEnd => "turn_end",
            Place::Overlaps => "overlap",
            Place::AfterLongPause => "pause10",
            Place::BeforeLongPause => "before_pause10",
            Place::Overlapped => "overlapped",
        }
    }
}

/// One feature of a sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Feature<L> {
    Bias,
    Lemma(L),
    VerbLemma(L, Features),
    Verb(Features),
    Negation,
    Number,
    Pair(L, L),
    Place(Place),
}

impl<L> Feature<L> {
    /// The same feature with each lemma mapped by `f`; `None` if `f` gives none.
    pub fn try_map_lemmas<'a, M>(
        &'a self,
        mut f: impl FnMut(&'a L) -> Option<M>,
    ) -> Option<Feature<M>> {
        Some(match self {
            Feature::Bias => Feature::Bias,
            Feature::Lemma(l) => Feature::Lemma(f(l)?),
            Feature::VerbLemma(l, i) => Feature::VerbLemma(f(l)?, *i),
            Feature::Verb(i) => Feature::Verb(*i),
            Feature::Negation => Feature::Negation,
            Feature::Number => Feature::Number,
            Feature::Pair(a, b) => Feature::Pair(f(a)?, f(b)?),
            Feature::Place(p) => Feature::Place(*p),
        })
    }

    /// The same feature with each lemma mapped by `f`.
    pub fn map_lemmas<'a, M>(&'a self, mut f: impl FnMut(&'a L) -> M) -> Feature<M> {
        match self.try_map_lemmas(|l| Some(f(l))) {
            Some(mapped) => mapped,
            None => unreachable!("every lemma was mapped"),
        }
    }
}

/// A sentence of a turn: tokens `first..=last` of turn `turn`, its `index`th.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sentence {
    pub turn: usize,
    pub index: usize,
    pub first: usize,
    pub last: usize,
    pub party: Party,
}

/// Calls `sentence` with every sentence of the call, in order, and its places,
/// until it returns `false`.
pub fn for_each_sentence(turns: &[Turn], sentence: impl FnMut(Sentence, &[Place]) -> bool) {
    for_each_sentence_where(turns, |_| true, sentence);
}

/// [`for_each_sentence`] in the turns `wanted` accepts (by index) only.
pub fn for_each_sentence_where(
    turns: &[Turn],
    wanted: impl Fn(usize) -> bool,
    mut sentence: impl FnMut(Sentence, &[Place]) -> bool,
) {
    let mut places = Vec::with_capacity(8);
    for (ti, turn) in turns.iter().enumerate() {
        if !wanted(ti) {
            continue;
        }
        let before = ti.checked_sub(1).map(|i| &turns[i]);
        let after = turns.get(ti + 1);
        places.clear();
        if turn.own_index == 0 {
            places.push(Place::FirstOwnTurn);
        }
        if turn.own_index == 1 {
            places.push(Place::SecondOwnTurn);
        }
        if ti + 3 >= turns.len() {
            places.push(Place::LastThreeTurns);
        }
        if before.is_some_and(|b| turn.start < b.end) {
            places.push(Place::Overlaps);
        }
        if before.is_some_and(|b| turn.start - b.end >= LONG_PAUSE_S) {
            places.push(Place::AfterLongPause);
        }
        let in_turn = places.len();
        let mut start = 0;
        let mut index = 0;
        while start < turn.tokens.len() {
            let end = (start + 1..turn.tokens.len())
                .find(|&i| turn.tokens[i].sentence_start)
                .unwrap_or(turn.tokens.len());
            places.truncate(in_turn);
            if end == turn.tokens.len() {
                places.push(Place::TurnEnd);
                if after.is_some_and(|a| a.start - turn.end >= LONG_PAUSE_S) {
                    places.push(Place::BeforeLongPause);
                }
                if after.is_some_and(|a| a.start < turn.end) {
                    places.push(Place::Overlapped);
                }
            }
            let s = Sentence {
                turn: ti,
                index,
                first: start,
                last: end - 1,
                party: turn.party,
            };
            if !sentence(s, &places) {
                return;
            }
            start = end;
            index += 1;
        }
    }
}

/// The features of one word.
pub fn word_features<L: Clone>(w: &WordRead<L>, out: &mut Vec<Feature<L>>) {
    out.push(Feature::Lemma(w.lemma.clone()));
    if !w.inflection.is_empty() {
        out.push(Feature::VerbLemma(w.lemma.clone(), w.inflection));
        out.push(Feature::Verb(w.inflection));
    }
    if w.negation {
        out.push(Feature::Negation);
    }
    if w.number {
        out.push(Feature::Number);
    }
}

/// The features of a sentence that are no one word's: the bias, neighbouring
/// lemma pairs and its places.
pub fn sentence_features<L: Clone>(
    words: &[WordRead<L>],
    places: &[Place],
    out: &mut Vec<Feature<L>>,
) {
    out.push(Feature::Bias);
    for pair in words.windows(2) {
        out.push(Feature::Pair(pair[0].lemma.clone(), pair[1].lemma.clone()));
    }
    out.extend(places.iter().map(|&p| Feature::Place(p)));
}

/// Every feature of a sentence of `words` at `places`.
pub fn all_features<L: Clone>(words: &[WordRead<L>], places: &[Place], out: &mut Vec<Feature<L>>) {
    sentence_features(words, places, out);
    for w in words {
        word_features(w, out);
    }
}

/// How the model reads `word`: Voikko's first analysis (its lemma, and its
/// inflection when it is a verb form), else the Snowball stem.
pub fn read_word(word: &Word, morphology: &Morphology) -> WordRead<Box<str>> {
    let (lemma, inflection) = match morphology
        .analyse(&word.surface)
        .and_then(|a| a.first().cloned())
    {
        Some(a) => (a.lemma, a.features.inflection()),
        None => (word.stem.clone(), Features::default()),
    };
    WordRead {
        lemma,
        inflection,
        negation: word.negation,
        number: word.number,
    }
}

/// A feature as the model file writes it ("A|l=tehdä", "C|b=ei toimia").
pub fn name(party: Party, feature: &Feature<&str>) -> String {
    let p = match party {
        Party::Agent => 'A',
        Party::Customer => 'C',
        Party::Unknown => 'U',
    };
    match feature {
        Feature::Bias => format!("{p}|bias"),
        Feature::Lemma(l) => format!("{p}|l={l}"),
        Feature::VerbLemma(l, f) => format!("{p}|v={l}/{}", f.to_names()),
        Feature::Verb(f) => format!("{p}|f={}", f.to_names()),
        Feature::Negation => format!("{p}|neg"),
        Feature::Number => format!("{p}|num"),
        Feature::Pair(a, b) => format!("{p}|b={a} {b}"),
        Feature::Place(place) => format!("{p}|{}", place.name()),
    }
}
