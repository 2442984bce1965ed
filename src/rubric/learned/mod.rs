//! The learned component: per behaviour, a logistic regression over the features
//! of each sentence ([`features`]), trained from call-level labels (a call shows
//! the behaviour when its best sentence does) on the labelled corpus by
//! `scripts/train-learned.py`, which writes the model file (`data/learned_model.tsv`).
//!
//! A rubric that says `learned = true` lets the model judge the behaviours the
//! file names, each combined with the rubric's own finding as the training's
//! author-level cross-validation chose: `and` (a pattern finding stays only where
//! the model believes a sentence near it: the built-in model's only way), `or`
//! (the model adds the behaviour where the patterns found nothing, quoting its
//! best sentence) or `replace`. Scoring stays pure: the file is built in and
//! parsed once.

pub mod features;

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use crate::finnish::Morphology;
use crate::finnish::fasthash::FastMap;
use crate::finnish::forms::Features;
use crate::finnish::text::Word;
use crate::rubric::turns::Turn;
use crate::transcript::Party;
use features::{Feature, Place, Sentence, WordRead};

/// The model built into kuulas (generated; see the module doc).
pub const BUILT_IN: &str = include_str!("../../../data/learned_model.tsv");

/// The first line of a model file.
const HEADER: &str = "kuulas-learned-model\t1";

/// Judges a model may have: each is a bit of a turn's mask in [`Learned::judge`].
pub const MAX_JUDGES: usize = 32;

/// Distinct words whose reading is memoised per thread before the memo is cleared.
const MEMO_LIMIT: usize = 200_000;

/// How the model's judgement and the rubric's patterns make one finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Combine {
    /// Found when the patterns or the model find it.
    Or,
    /// Found when the patterns find it and the model agrees.
    And,
    /// The model alone.
    Replace,
}

/// The model of one behaviour.
#[derive(Debug, Clone)]
pub struct Judge {
    pub behaviour: String,
    pub combine: Combine,
    /// A sentence shows the behaviour when its probability is above this.
    pub threshold: f32,
    /// The threshold as a logit, which scoring compares sums with.
    believed_above: f32,
    intercept: f32,
}

/// A sentence the model believes, with its probability.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Verdict {
    pub sentence: Sentence,
    pub probability: f32,
}

/// What the model read of a call: per judge, its best sentence, and its best
/// logit in each turn it read.
#[derive(Debug)]
pub struct Judgement<'a> {
    judges: &'a [Judge],
    best: Vec<Option<(Sentence, f32)>>,
    by_turn: Vec<f32>,
}

impl Judgement<'_> {
    /// The sentence judge `j` believes most in what was read, if it believes one.
    pub fn believed(&self, j: usize) -> Option<Verdict> {
        self.best[j]
            .filter(|&(_, logit)| logit > self.judges[j].believed_above)
            .map(|(sentence, logit)| Verdict {
                sentence,
                probability: 1.0 / (1.0 + (-logit).exp()),
            })
    }

    /// Whether judge `j` believes a sentence within [`NEAR_TURNS`] turns of turn
    /// `turn` (those turns must have been read).
    pub fn believes_near(&self, j: usize, turn: usize) -> bool {
        let n = self.judges.len();
        let turns = self.by_turn.len() / n.max(1);
        near(turn, turns).any(|t| self.by_turn[t * n + j] > self.judges[j].believed_above)
    }
}

/// How far from a pattern's finding an `and` judge looks for a sentence it
/// believes: the turn and two on each side, where a sequence's parts are.
pub const NEAR_TURNS: usize = 2;

/// The turns within [`NEAR_TURNS`] of `turn`, in a call of `turns` turns.
pub fn near(turn: usize, turns: usize) -> std::ops::Range<usize> {
    turn.saturating_sub(NEAR_TURNS)..(turn + NEAR_TURNS + 1).min(turns)
}

#[derive(Debug)]
pub struct Learned {
    /// Tells thread-local memos of different models apart.
    instance: u64,
    pub judges: Vec<Judge>,
    lemmas: FastMap<Box<str>, u32>,
    /// Which lemma pairs may have weights: most neighbouring lemmas are no pair
    /// of the model's, and this small filter (it fits the L1 cache) spares
    /// them the lookup in `index`.
    pairs: PairFilter,
    /// The weights of the bias and of each place, per party, per judge (looked
    /// up once here, not at every sentence): `[party][0 bias | 1 + place][judge]`.
    fixed: Vec<f32>,
    /// Feature key → range of `weights`.
    index: FastMap<u64, (u32, u32)>,
    /// (judge, weight) pairs, grouped by feature.
    weights: Vec<(u16, f32)>,
}

/// What scoring keeps of a word it has read: its lemma's id in the model's
/// vocabulary, and where in [`WordMemo::sums`] the weights of its own features
/// ([`features::word_features`]) start, summed per judge, for each party.
#[derive(Debug, Clone, Copy)]
struct Memoised {
    lemma: Option<u32>,
    /// `None` when no feature of the word alone has a weight (most words).
    sums: Option<usize>,
}

/// The words one thread has read with one model: a word's features are summed
/// once, not at every occurrence. A word keeps its index here
/// (`Word::learned_memo`), valid while the memo's generation is the same.
#[derive(Debug, Default)]
struct WordMemo {
    /// Grows at every reset, so an index from an earlier memo is never read.
    generation: u64,
    /// The [`Learned::instance`] the memo holds sums of.
    model: u64,
    words: Vec<Memoised>,
    sums: Vec<f32>,
}

thread_local! {
    static MEMO: RefCell<WordMemo> = RefCell::new(WordMemo::default());
}

const PARTIES: [Party; 3] = [Party::Agent, Party::Customer, Party::Unknown];

/// A Bloom filter of lemma pairs (two probes in 2^16 bits): "no" is certain.
#[derive(Debug)]
struct PairFilter(Box<[u64]>);

impl Default for PairFilter {
    fn default() -> Self {
        PairFilter(vec![0; (1 << 16) / 64].into_boxed_slice())
    }
}

impl PairFilter {
    fn bits(a: u32, b: u32) -> [usize; 2] {
        let h = (u64::from(a) << 32 | u64::from(b)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        [(h >> 48) as usize, (h >> 32) as usize & 0xffff]
    }

    fn insert(&mut self, a: u32, b: u32) {
        for bit in Self::bits(a, b) {
            self.0[bit / 64] |= 1 << (bit % 64);
        }
    }

    fn may_contain(&self, a: u32, b: u32) -> bool {
        Self::bits(a, b)
            .iter()
            .all(|&bit| self.0[bit / 64] & (1 << (bit % 64)) != 0)
    }
}

/// The bias and every place: the features of [`Learned::fixed`].
const FIXED_SLOTS: usize = 1 + Place::ALL.len();

fn party_index(party: Party) -> usize {
    match party {
        Party::Agent => 0,
        Party::Customer => 1,
        Party::Unknown => 2,
    }
}

/// The built-in model, parsed once.
pub fn built_in() -> Arc<Learned> {
    static MODEL: OnceLock<Arc<Learned>> = OnceLock::new();
    MODEL
        .get_or_init(|| match Learned::parse(BUILT_IN) {
            Ok(m) => Arc::new(m),
            // A unit test parses the built-in file, so this cannot happen in a release.
            Err(e) => unreachable!("the built-in learned model is invalid: {e}"),
        })
        .clone()
}

fn kind(feature: &Feature<u32>) -> (u64, u64, u64) {
    match *feature {
        Feature::Bias => (0, 0, 0),
        Feature::Lemma(l) => (1, u64::from(l), 0),
        Feature::VerbLemma(l, f) => (2, u64::from(l), u64::from(f.bits())),
        Feature::Verb(f) => (3, 0, u64::from(f.bits())),
        Feature::Negation => (4, 0, 0),
        Feature::Number => (5, 0, 0),
        Feature::Pair(a, b) => (6, u64::from(a), u64::from(b)),
        Feature::Place(p) => (7, p as u64, 0),
    }
}

/// A feature of a party's sentence as one number (lemma ids stay below 2^28).
fn key(party: Party, feature: &Feature<u32>) -> u64 {
    let (k, a, b) = kind(feature);
    party_index(party) as u64 | k << 2 | a << 6 | b << 34
}

impl Learned {
    /// Parses a model file: the header line, then per behaviour a line
    /// `behaviour<TAB>id<TAB>or|and|replace<TAB>threshold<TAB>intercept` followed by
    /// its `weight<TAB>feature` lines (features as [`features::name`] writes them).
    /// Lines starting with `#` are comments.
    pub fn parse(text: &str) -> Result<Learned, String> {
        let mut lines = text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.starts_with('#') && !l.trim().is_empty());
        match lines.next() {
            Some((_, l)) if l == HEADER => {}
            _ => return Err(format!("the first line must be \"{HEADER}\"")),
        }
        let mut judges: Vec<Judge> = Vec::new();
        let mut lemmas: FastMap<Box<str>, u32> = FastMap::default();
        let mut by_key: FastMap<u64, Vec<(u16, f32)>> = FastMap::default();
        let mut pairs = PairFilter::default();
        for (n, line) in lines {
            let at = |e: String| format!("line {}: {e}", n + 1);
            let fields: Vec<&str> = line.split('\t').collect();
            match fields.as_slice() {
                ["behaviour", id, combine, threshold, intercept] => {
                    if judges.len() == MAX_JUDGES {
                        return Err(at(format!("more than {MAX_JUDGES} behaviours")));
                    }
                    let combine = match *combine {
                        "or" => Combine::Or,
                        "and" => Combine::And,
                        "replace" => Combine::Replace,
                        other => return Err(at(format!("unknown combination \"{other}\""))),
                    };
                    let threshold = number(threshold).map_err(at)?;
                    if !(threshold > 0.0 && threshold < 1.0) {
                        return Err(at(format!("threshold {threshold} is not between 0 and 1")));
                    }
                    judges.push(Judge {
                        behaviour: id.to_string(),
                        combine,
                        threshold,
                        believed_above: (threshold / (1.0 - threshold)).ln(),
                        intercept: number(intercept).map_err(at)?,
                    });
                }
                [weight, name] => {
                    let judge = judges
                        .len()
                        .checked_sub(1)
                        .ok_or_else(|| at("a weight before any behaviour line".into()))?;
                    let weight = number(weight).map_err(at)?;
                    let (party, feature) = parse_feature(name, &mut lemmas).map_err(at)?;
                    if let Feature::Pair(a, b) = feature {
                        pairs.insert(a, b);
                    }
                    by_key
                        .entry(key(party, &feature))
                        .or_default()
                        .push((judge as u16, weight));
                }
                _ => return Err(at("expected a behaviour line or weight<TAB>feature".into())),
            }
        }
        let mut index = FastMap::default();
        let mut weights = Vec::new();
        for (k, ws) in by_key {
            index.insert(k, (weights.len() as u32, ws.len() as u32));
            weights.extend(ws);
        }
        static INSTANCES: AtomicU64 = AtomicU64::new(1);
        let mut model = Learned {
            instance: INSTANCES.fetch_add(1, Ordering::Relaxed),
            judges,
            lemmas,
            pairs,
            fixed: Vec::new(),
            index,
            weights,
        };
        let n = model.judges.len();
        let mut fixed = vec![0f32; PARTIES.len() * FIXED_SLOTS * n];
        for (p, &party) in PARTIES.iter().enumerate() {
            let slots = std::iter::once(Feature::Bias).chain(Place::ALL.map(Feature::Place));
            for (slot, feature) in slots.enumerate() {
                let at = (p * FIXED_SLOTS + slot) * n;
                model.add(key(party, &feature), &mut fixed[at..at + n]);
            }
        }
        model.fixed = fixed;
        Ok(model)
    }

    /// Reads the sentences of each turn for the judges whose bit is set in
    /// `read[turn]` (bit `j` for judge `j`; a model has at most 32 judges).
    pub fn judge(&self, turns: &[Turn], morphology: &Morphology, read: &[u32]) -> Judgement<'_> {
        let mut judgement = Judgement {
            judges: &self.judges,
            best: vec![None; self.judges.len()],
            by_turn: vec![f32::NEG_INFINITY; turns.len() * self.judges.len()],
        };
        self.judge_more(&mut judgement, turns, morphology, read);
        judgement
    }

    /// Reads more turns into `judgement` (made by [`Learned::judge`] for the same
    /// turns), as `judge` reads them; a turn's judges are read at most once
    /// between the two.
    pub fn judge_more(
        &self,
        judgement: &mut Judgement<'_>,
        turns: &[Turn],
        morphology: &Morphology,
        read: &[u32],
    ) {
        let n = self.judges.len();
        if read.iter().all(|&judges| judges == 0) {
            return;
        }
        let mut scorer = SentenceScorer {
            model: self,
            morphology,
            sums: vec![0f32; n],
            reads: Vec::new(),
            found: Vec::new(),
        };
        MEMO.with_borrow_mut(|memo| {
            if memo.model != self.instance || memo.words.len() > MEMO_LIMIT {
                *memo = WordMemo {
                    generation: memo.generation + 1,
                    model: self.instance,
                    ..WordMemo::default()
                };
            }
            features::for_each_sentence_where(
                turns,
                |ti| read[ti] != 0,
                |sentence, places| {
                    let judges = read[sentence.turn];
                    let sums = scorer.score(memo, turns, sentence, places);
                    for (j, &logit) in sums.iter().enumerate() {
                        if judges & (1 << j) == 0 {
                            continue;
                        }
                        let at = &mut judgement.by_turn[sentence.turn * n + j];
                        *at = at.max(logit);
                        if judgement.best[j].is_none_or(|(_, b)| logit > b) {
                            judgement.best[j] = Some((sentence, logit));
                        }
                    }
                    true
                },
            );
        });
    }

    /// Adds the weights of feature `key` to each judge's sum.
    fn add(&self, key: u64, sums: &mut [f32]) {
        if let Some(&(start, len)) = self.index.get(&key) {
            for &(j, w) in &self.weights[start as usize..(start + len) as usize] {
                sums[usize::from(j)] += w;
            }
        }
    }

    /// `word` as the memo holds it, read and its own features summed the first time.
    fn memoised(&self, memo: &mut WordMemo, word: &Word, morphology: &Morphology) -> Memoised {
        let (generation, at) = word.learned_memo.get();
        if generation == memo.generation {
            return memo.words[at as usize];
        }
        let read = features::read_word(word, morphology);
        let read = WordRead {
            lemma: self.lemmas.get(&read.lemma).copied(),
            inflection: read.inflection,
            negation: read.negation,
            number: read.number,
        };
        let mut own = Vec::new();
        features::word_features(&read, &mut own);
        let n = self.judges.len();
        let mut sums = vec![0f32; PARTIES.len() * n];
        for (p, &party) in PARTIES.iter().enumerate() {
            for feature in own.iter().filter_map(known) {
                self.add(key(party, &feature), &mut sums[p * n..(p + 1) * n]);
            }
        }
        let weighted = sums.iter().any(|&w| w != 0.0);
        let m = Memoised {
            lemma: read.lemma,
            sums: weighted.then(|| {
                memo.sums.extend_from_slice(&sums);
                memo.sums.len() - sums.len()
            }),
        };
        word.learned_memo
            .set((memo.generation, memo.words.len() as u32));
        memo.words.push(m);
        m
    }
}

/// Scores sentences for every judge, with its buffers reused from one to the next.
struct SentenceScorer<'a> {
    model: &'a Learned,
    morphology: &'a Morphology,
    sums: Vec<f32>,
    reads: Vec<WordRead<Option<u32>>>,
    found: Vec<Feature<Option<u32>>>,
}

impl SentenceScorer<'_> {
    /// Each judge's logit for `sentence` at `places`.
    fn score(
        &mut self,
        memo: &mut WordMemo,
        turns: &[Turn],
        sentence: Sentence,
        places: &[Place],
    ) -> &[f32] {
        let model = self.model;
        let n = model.judges.len();
        let party = party_index(sentence.party);
        let sums = &mut self.sums;
        for (sum, judge) in sums.iter_mut().zip(&model.judges) {
            *sum = judge.intercept;
        }
        self.reads.clear();
        for token in &turns[sentence.turn].tokens[sentence.first..=sentence.last] {
            let word = model.memoised(memo, &token.word, self.morphology);
            if let Some(at) = word.sums {
                let own = &memo.sums[at + party * n..at + (party + 1) * n];
                for (sum, w) in sums.iter_mut().zip(own) {
                    *sum += w;
                }
            }
            // The sentence's other features read only the lemma.
            self.reads.push(WordRead {
                lemma: word.lemma,
                inflection: Features::default(),
                negation: false,
                number: false,
            });
        }
        self.found.clear();
        features::sentence_features(&self.reads, places, &mut self.found);
        for feature in &self.found {
            let slot = match feature {
                Feature::Bias => 0,
                Feature::Place(place) => 1 + *place as usize,
                _ => {
                    match known(feature) {
                        Some(Feature::Pair(a, b)) if !model.pairs.may_contain(a, b) => {}
                        Some(known) => model.add(key(sentence.party, &known), sums),
                        None => {}
                    }
                    continue;
                }
            };
            let at = (party * FIXED_SLOTS + slot) * n;
            for (sum, w) in sums.iter_mut().zip(&model.fixed[at..at + n]) {
                *sum += w;
            }
        }
        sums
    }
}

/// The feature with its lemmas' vocabulary ids; `None` when a lemma is not in
/// the model's vocabulary (no weight can name it).
fn known(feature: &Feature<Option<u32>>) -> Option<Feature<u32>> {
    feature.try_map_lemmas(|&l| l)
}

fn number(s: &str) -> Result<f32, String> {
    s.parse::<f32>()
        .ok()
        .filter(|x| x.is_finite())
        .ok_or_else(|| format!("\"{s}\" is not a number"))
}

/// Reads a feature name back (the inverse of [`features::name`]), giving each
/// lemma an id in `lemmas`.
fn parse_feature(
    name: &str,
    lemmas: &mut FastMap<Box<str>, u32>,
) -> Result<(Party, Feature<u32>), String> {
    let bad = || format!("unknown feature \"{name}\"");
    let (party, rest) = name.split_once('|').ok_or_else(bad)?;
    let party = match party {
        "A" => Party::Agent,
        "C" => Party::Customer,
        "U" => Party::Unknown,
        _ => return Err(bad()),
    };
    let mut id = |lemma: &str| {
        let next = lemmas.len() as u32;
        *lemmas.entry(lemma.into()).or_insert(next)
    };
    let inflection = |names: &str| Features::parse(&names.replace('+', ".")).map_err(|_| bad());
    let feature = match rest.split_once('=') {
        Some(("l", l)) => Feature::Lemma(id(l)),
        Some(("v", v)) => {
            let (l, f) = v.rsplit_once('/').ok_or_else(bad)?;
            Feature::VerbLemma(id(l), inflection(f)?)
        }
        Some(("f", f)) => Feature::Verb(inflection(f)?),
        Some(("b", pair)) => {
            let (a, b) = pair.split_once(' ').ok_or_else(bad)?;
            Feature::Pair(id(a), id(b))
        }
        Some(_) => return Err(bad()),
        None => match rest {
            "bias" => Feature::Bias,
            "neg" => Feature::Negation,
            "num" => Feature::Number,
            place => Feature::Place(
                *Place::ALL
                    .iter()
                    .find(|p| p.name() == place)
                    .ok_or_else(bad)?,
            ),
        },
    };
    Ok((party, feature))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::rubric::definition::LearnedJudges;
    use crate::rubric::{Rubric, default_rubric, score};
    use crate::transcript::{
        Attribution, Segment, TRANSCRIPT_SCHEMA_VERSION, Transcript, agent_says,
    };

    /// A model of one behaviour that believes a sentence with a number:
    /// sigmoid(-5 + 10) ≈ 0.99 with one, sigmoid(-5) ≈ 0.007 without.
    fn numbers_model(behaviour: &str, combine: &str) -> String {
        format!(
            "{HEADER}\n# a test model\nbehaviour\t{behaviour}\t{combine}\t0.5\t-5\n10\tA|num\n10\tC|num\n"
        )
    }

    /// The built-in rubric with `model` as its learned model.
    fn rubric_with(model: &str) -> Rubric {
        let model = Arc::new(Learned::parse(model).unwrap_or_else(|e| panic!("{e}")));
        let mut rubric = default_rubric();
        let behaviour = model
            .judges
            .iter()
            .map(|j| rubric.behaviours.iter().position(|b| b.id == j.behaviour))
            .collect::<Option<Vec<usize>>>()
            .expect("the test model's behaviours are in the rubric");
        rubric.learned = Some(LearnedJudges { model, behaviour });
        rubric
    }

    fn moments(rubric: &Rubric, t: &Transcript, behaviour: &str) -> Vec<(String, f64, f64)> {
        let m = crate::metrics::compute(t, None);
        score(t, &m, rubric)
            .moments
            .into_iter()
            .filter(|m| m.behaviour == behaviour)
            .map(|m| (m.quote, m.start, m.end))
            .collect()
    }

    #[test]
    fn built_in_model_parses_and_judges_built_in_behaviours_when_asked() {
        let model = built_in();
        assert!(!model.judges.is_empty());
        assert!(
            default_rubric().learned.is_none(),
            "off in the built-in rubric"
        );
        let text = crate::rubric::DEFAULT_RUBRIC.replace("\nlearned = false", "\nlearned = true");
        let asked = crate::rubric::resolve("learned.toml", &text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            asked.learned.is_some(),
            crate::finnish::shared().is_voikko(),
            "used when asked for, with Voikko only"
        );
        if asked.learned.is_some() {
            use sha2::{Digest, Sha256};
            let both = [text.as_bytes(), BUILT_IN.as_bytes()].concat();
            assert_eq!(
                asked.sha256,
                hex::encode(Sha256::digest(&both)),
                "the model is part of what scored"
            );
        }
        for judge in &model.judges {
            assert!(
                asked.behaviour(&judge.behaviour).is_some(),
                "{}",
                judge.behaviour
            );
            assert!(
                judge.combine == Combine::And,
                "the built-in model only confirms"
            );
        }
    }

    #[test]
    fn or_adds_the_behaviour_with_the_believed_sentence_as_evidence() {
        let rubric = rubric_with(&numbers_model("resolved", "or"));
        let t = agent_says(&["Hyvää päivää.", "Se maksaa viisi euroa. Kiitos soitosta."]);
        let found = moments(&rubric, &t, "resolved");
        assert_eq!(found.len(), 1, "{found:?}");
        let (quote, start, end) = &found[0];
        assert!(quote.contains("viisi euroa"), "{quote}");
        assert!(
            *start >= 10.0 && *end <= 13.0 && start < end,
            "{start}..{end}"
        );
        let none = agent_says(&["Hyvää päivää.", "Kiitos soitosta."]);
        assert!(moments(&rubric, &none, "resolved").is_empty());
        assert!(moments(&default_rubric_without_model(), &t, "resolved").is_empty());
    }

    fn default_rubric_without_model() -> Rubric {
        let mut r = default_rubric();
        r.learned = None;
        r
    }

    #[test]
    fn and_keeps_only_the_findings_it_believes_a_sentence_near() {
        let fixed = agent_says(&["Noin, nyt asia on hoidettu."]);
        assert_eq!(
            moments(&default_rubric_without_model(), &fixed, "resolved").len(),
            1
        );
        let and = rubric_with(&numbers_model("resolved", "and"));
        assert!(moments(&and, &fixed, "resolved").is_empty());
        let with_number = agent_says(&["Noin, nyt asia on hoidettu, kolme laskua on poistettu."]);
        assert_eq!(moments(&and, &with_number, "resolved").len(), 1);
        // Two fixes, each its own turn; the model believes a sentence near the
        // second only (five turns from the first): the second is the evidence.
        let t = agent_says(&[
            "Noin, nyt asia on hoidettu.",
            "Hetki.",
            "Hetki.",
            "Hetki.",
            "Hetki.",
            "Noin, nyt asia on hoidettu. Kolme laskua.",
        ]);
        let found = moments(&and, &t, "resolved");
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].1 >= 50.0, "{found:?}");
        // Believed two turns from the finding only: read after its own turn was not.
        let near = agent_says(&["Noin, nyt asia on hoidettu.", "Hetki.", "Kolme laskua."]);
        assert_eq!(moments(&and, &near, "resolved").len(), 1);
        let far = agent_says(&[
            "Noin, nyt asia on hoidettu.",
            "Hetki.",
            "Hetki.",
            "Kolme laskua.",
        ]);
        assert!(moments(&and, &far, "resolved").is_empty());
    }

    /// `fixed` as Whisper would give it, every word heard with `probability`.
    fn heard(probability: f32) -> Transcript {
        let mut t = agent_says(&["Noin, nyt asia on hoidettu."]);
        let segment = &mut t.segments[0];
        segment.words = segment
            .text
            .split_whitespace()
            .map(|w| crate::transcript::Word {
                text: w.to_string(),
                start: segment.start,
                end: segment.end,
                probability,
            })
            .collect();
        t
    }

    #[test]
    fn and_does_not_overrule_a_finding_whisper_heard_unclearly() {
        let and = rubric_with(&numbers_model("resolved", "and"));
        assert!(
            moments(&and, &heard(0.95), "resolved").is_empty(),
            "heard clearly"
        );
        assert_eq!(
            moments(&and, &heard(0.5), "resolved").len(),
            1,
            "the model's doubt of a misheard turn is no evidence"
        );
    }

    #[test]
    fn replace_reads_the_model_alone() {
        let replace = rubric_with(&numbers_model("resolved", "replace"));
        let fixed = agent_says(&["Noin, nyt asia on hoidettu."]);
        assert!(moments(&replace, &fixed, "resolved").is_empty());
        let number = agent_says(&["Hyvää päivää.", "Kolme laskua."]);
        assert_eq!(moments(&replace, &number, "resolved").len(), 1);
    }

    #[test]
    fn the_model_reads_only_sentences_where_the_behaviour_counts() {
        // `ownership` is the agent's: a customer's sentence is never its evidence.
        let rubric = rubric_with(&numbers_model("ownership", "or"));
        let customer = Transcript {
            schema_version: TRANSCRIPT_SCHEMA_VERSION,
            duration: 20.0,
            language: "fi".into(),
            attribution: Attribution::Channels,
            segments: vec![
                Segment {
                    party: Party::Agent,
                    start: 0.0,
                    end: 3.0,
                    text: "Hyvää päivää.".into(),
                    words: Vec::new(),
                },
                Segment {
                    party: Party::Customer,
                    start: 4.0,
                    end: 8.0,
                    text: "Mulla on viisi laskua.".into(),
                    words: Vec::new(),
                },
            ],
        };
        assert!(moments(&rubric, &customer, "ownership").is_empty());
    }

    #[test]
    fn every_feature_name_reads_back_to_the_key_scoring_computes() {
        let t = agent_says(&[
            "En mä voi tilata sitä, mut mä lähetän sulle 3 linkkiä!",
            "Okei.",
        ]);
        let turns = crate::rubric::turns::build(&t);
        let morphology = crate::finnish::shared();
        let mut lemmas = FastMap::default();
        let mut seen = 0;
        features::for_each_sentence(&turns, |sentence, places| {
            let tokens = &turns[sentence.turn].tokens[sentence.first..=sentence.last];
            let words: Vec<_> = tokens
                .iter()
                .map(|t| features::read_word(&t.word, morphology))
                .collect();
            let mut found = Vec::new();
            features::all_features(&words, places, &mut found);
            for f in &found {
                let name = features::name(sentence.party, &f.map_lemmas(|l| &**l));
                let (party, parsed) = parse_feature(&name, &mut lemmas).unwrap();
                let direct = f.map_lemmas(|l| lemmas[&**l]);
                assert_eq!(key(party, &parsed), key(sentence.party, &direct), "{name}");
                seen += 1;
            }
            true
        });
        assert!(seen > 20, "{seen} features");
    }

    #[test]
    fn a_rubric_that_asks_for_the_model_without_its_behaviours_is_refused() {
        let judged = &built_in().judges[0].behaviour;
        let text = r#"
schema_version = 1
id = "small"
version = "1"
learned = true

[[dimension]]
id = "warmth"
name = "W"
weight = 1.0
base = 0

[[behaviour]]
id = "greeting"
dimension = "warmth"
party = "agent"
polarity = "good"
points = 10
patterns = ["hyvää päivää"]
"#;
        let e = crate::rubric::resolve("small.toml", text)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains(&format!("`{judged}`")) && e.contains("small.toml:5"),
            "{e}"
        );
        let off = text.replace("learned = true", "learned = false");
        let r = crate::rubric::resolve("small.toml", &off).unwrap_or_else(|e| panic!("{e}"));
        assert!(r.learned.is_none());
    }

    #[test]
    fn places_are_numbered_in_the_order_of_all() {
        for (i, place) in Place::ALL.iter().enumerate() {
            assert_eq!(*place as usize, i, "{place:?}");
        }
    }

    #[test]
    fn a_bad_model_file_names_the_line() {
        let bad = |text: &str| Learned::parse(text).unwrap_err();
        assert!(bad("nonsense\n").contains("first line"));
        assert!(bad(&format!("{HEADER}\n1.0\tA|bias\n")).starts_with("line 2: a weight before"));
        let head = format!("{HEADER}\nbehaviour\tresolved\tor\t0.5\t0\n");
        assert!(bad(&format!("{head}x\tA|bias\n")).starts_with("line 3: \"x\" is not a number"));
        assert!(bad(&format!("{head}1\tA|zz=q\n")).contains("unknown feature"));
        assert!(bad(&format!("{head}1\tA|v=tehdä/9sg\n")).contains("unknown feature"));
        assert!(bad(&format!("{HEADER}\nbehaviour\tresolved\tmaybe\t0.5\t0\n")).contains("maybe"));
        assert!(
            bad(&format!("{HEADER}\nbehaviour\tresolved\tand\t1\t0\n")).contains("between 0 and 1")
        );
    }
}
