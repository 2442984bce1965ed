//! The resolved, trusted rubric: ids checked, references turned into indices,
//! patterns and regexes compiled. Built only by `resolve`; scoring relies on it.

use std::ops::Range;

use regex::Regex;
use regex_syntax::hir::{
    Capture, Class, ClassBytes, ClassBytesRange, ClassUnicode, ClassUnicodeRange, Hir, HirKind,
    Look, Repetition,
};

use crate::finnish::matcher::{PatternSet, Scratch, Side, Sides};
use crate::finnish::word_tests::{Place, TestId};
use crate::rubric::prefilter;
use crate::transcript::Party;

#[derive(Debug)]
pub struct Rubric {
    pub id: String,
    pub version: String,
    pub title: String,
    /// SHA-256 (hex) of the rubric's TOML text, recorded in every scorecard.
    pub sha256: String,
    /// The TOML text it was resolved from.
    pub source: String,
    pub dimensions: Vec<Dimension>,
    pub behaviours: Vec<Behaviour>,
    pub(crate) patterns: PatternSet,
    /// Behaviour index of each pattern in `patterns`.
    pub(crate) pattern_owner: Vec<usize>,
    pub(crate) regexes: Regexes,
    /// The learned model, when the rubric says `learned = true`.
    pub(crate) learned: Option<LearnedJudges>,
}

/// The learned model and, per judge, the index of the behaviour it judges.
#[derive(Debug)]
pub(crate) struct LearnedJudges {
    pub model: std::sync::Arc<crate::rubric::learned::Learned>,
    pub behaviour: Vec<usize>,
}

/// Every phrase behaviour's regexes, in behaviour order, each with the word tests
/// (see [`prefilter`]) a turn must pass for the regex to be run on it: most turns
/// fail one, and a turn's tests are answered with its words' readings.
#[derive(Debug, Default)]
pub(crate) struct Regexes {
    each: Vec<Regex>,
    /// Per regex, word tests in the rubric's pattern set: a turn may match only
    /// if, for every test, one of its words passes it. No test: every turn is
    /// scanned.
    needs: Vec<Box<[TestId]>>,
    /// Per regex, whether it reads the whole turn (it says `\z`, the turn's end)
    /// rather than one sentence at a time.
    whole_turn: Vec<bool>,
    /// Per regex, whether it reads question marks (it says `\?`): in its text a
    /// sentence that ends in "?" ends in " ?".
    questions: Vec<bool>,
}

impl Regexes {
    /// Adds the regex `source`, registering the words it needs as tests in
    /// `patterns`. Unless it says `\z`, it is kept in the form that reads one
    /// sentence (see [`within_sentence`]). Parsed once and compiled once.
    pub(crate) fn push(
        &mut self,
        source: &str,
        patterns: &mut PatternSet,
    ) -> Result<(), regex::Error> {
        let hir = regex_syntax::parse(source).map_err(|e| regex::Error::Syntax(e.to_string()))?;
        let whole_turn = source.contains(r"\z");
        let questions = source.contains(r"\?");
        let re = if whole_turn {
            Regex::new(source)?
        } else {
            Regex::new(&within_sentence(&hir).to_string())?
        };
        let needs = prefilter::needed_words(&hir)
            .iter()
            .map(|test| {
                let any_of: Vec<(&str, Place)> = test
                    .iter()
                    .map(|(piece, place)| (&**piece, *place))
                    .collect();
                patterns.add_word_test(&any_of)
            })
            .collect();
        self.each.push(re);
        self.needs.push(needs);
        self.whole_turn.push(whole_turn);
        self.questions.push(questions);
        Ok(())
    }

    /// Whether regex `i` reads the whole turn, across its sentences.
    pub(crate) fn reads_whole_turn(&self, i: usize) -> bool {
        self.whole_turn[i]
    }

    /// Whether regex `i` reads question marks.
    pub(crate) fn reads_questions(&self, i: usize) -> bool {
        self.questions[i]
    }

    pub(crate) fn len(&self) -> usize {
        self.each.len()
    }

    /// Whether regex `i` may match in the turn whose tokens `scratch` last read.
    pub(crate) fn may_match(&self, i: usize, scratch: &Scratch) -> bool {
        self.needs[i].iter().all(|&t| scratch.passed(t))
    }

    /// The first match of regex `i` in `text`.
    pub(crate) fn find<'t>(&self, i: usize, text: &'t str) -> Option<regex::Match<'t>> {
        self.each[i].find(text)
    }
}

/// The form of a regex that reads one sentence of a turn's text, where a sentence
/// end is written "\n " (see `scoring::regex_text`): no class matches the "\n", so
/// no match runs past it, and `$` matches before it as well as at the turn's end.
/// `^` stays the start of the turn.
fn within_sentence(hir: &Hir) -> Hir {
    match hir.kind() {
        HirKind::Class(Class::Unicode(class)) => {
            let mut class = class.clone();
            class.difference(&ClassUnicode::new([ClassUnicodeRange::new('\n', '\n')]));
            Hir::class(Class::Unicode(class))
        }
        HirKind::Class(Class::Bytes(class)) => {
            let mut class = class.clone();
            class.difference(&ClassBytes::new([ClassBytesRange::new(b'\n', b'\n')]));
            Hir::class(Class::Bytes(class))
        }
        HirKind::Look(Look::End) => Hir::look(Look::EndLF),
        HirKind::Repetition(rep) => Hir::repetition(Repetition {
            sub: Box::new(within_sentence(&rep.sub)),
            ..rep.clone()
        }),
        HirKind::Capture(cap) => Hir::capture(Capture {
            sub: Box::new(within_sentence(&cap.sub)),
            ..cap.clone()
        }),
        HirKind::Concat(subs) => Hir::concat(subs.iter().map(within_sentence).collect()),
        HirKind::Alternation(subs) => Hir::alternation(subs.iter().map(within_sentence).collect()),
        HirKind::Empty | HirKind::Literal(_) | HirKind::Look(_) => hir.clone(),
    }
}

impl Rubric {
    pub fn behaviour(&self, id: &str) -> Option<&Behaviour> {
        self.behaviours.iter().find(|b| b.id == id)
    }

    /// The metric event whose moments `b`'s are: its own, or the one every anchor
    /// of a sequence is built on (a silence a sequence judges further is still a
    /// silence: timing, not words, and its moment is the silence's).
    pub fn metric_event(&self, b: &Behaviour) -> Option<MetricEvent> {
        match &b.rule {
            Rule::Metric(event) => Some(*event),
            // Anchors are behaviours above the sequence, so this ends.
            Rule::Sequence { when, .. } => {
                let mut events = when.iter().map(|&a| self.metric_event(&self.behaviours[a]));
                let first = events.next()??;
                events.all(|e| e == Some(first)).then_some(first)
            }
            Rule::Phrases { .. } => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Dimension {
    pub id: String,
    pub name: String,
    pub description: String,
    pub weight: f64,
    pub base: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartyFilter {
    Agent,
    Customer,
    Any,
}

impl PartyFilter {
    pub fn accepts(self, party: Party) -> bool {
        match self {
            PartyFilter::Agent => party == Party::Agent,
            PartyFilter::Customer => party == Party::Customer,
            PartyFilter::Any => true,
        }
    }

    /// Where the rubric's pattern set tries a pattern of a behaviour of this party.
    pub(crate) fn sides(self) -> Sides {
        match self {
            PartyFilter::Agent => Sides::Only(Side::First),
            PartyFilter::Customer => Sides::Only(Side::Second),
            PartyFilter::Any => Sides::Both,
        }
    }
}

/// The side of the rubric's pattern set a turn of `party` is matched on; a turn
/// of no known party tries only the patterns of behaviours of any party.
pub(crate) fn side_of(party: Party) -> Option<Side> {
    match party {
        Party::Agent => Some(Side::First),
        Party::Customer => Some(Side::Second),
        Party::Unknown => None,
    }
}

/// Where in the call a behaviour counts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Window {
    Whole,
    /// Starts within the first N seconds.
    FirstSeconds(f64),
    /// Ends within the last N seconds.
    LastSeconds(f64),
    /// Within the first N turns of the call (either party).
    FirstTurns(usize),
    /// Within the last N turns of the call.
    LastTurns(usize),
    /// Within the first N turns of the turn's own party ("first 1 own turn": the
    /// agent's first turn, whoever spoke first).
    FirstOwnTurns(usize),
    /// Within the last N turns of the turn's own party ("last 2 own turns": the
    /// customer's last two turns, whoever spoke last).
    LastOwnTurns(usize),
}

/// Events from the metrics a behaviour can be built on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricEvent {
    UnannouncedHold,
    /// Every silence the metrics found, announced or not (a sequence may ask
    /// whether a wait word comes before one).
    Hold,
    AgentInterruption,
    CustomerInterruption,
    /// A turn of the party that starts before the other party's turn ends
    /// (segment times; see `turns::overlaps`).
    Overlap,
}

#[derive(Debug)]
pub enum Rule {
    /// Matches its patterns (in the shared pattern set) or its regexes (these
    /// indices of `Rubric::regexes`) in one turn.
    Phrases {
        regexes: Range<usize>,
    },
    /// An occurrence of any of `when` (the anchors), judged by what else occurs
    /// around it: within `before` / `after` turns of the anchor's party (the other
    /// party's turns in between included).
    Sequence {
        when: Vec<usize>,
        with_all: Vec<usize>,
        without_all: Vec<usize>,
        without_any: Vec<usize>,
        /// None of these may occur in the anchor's own sentence (they may in the
        /// rest of the turn): "varasin sen, ja soitan huomenna kun tiedän lisää"
        /// is still open, "Soitan perjantaina. Maksusuunnitelma on nyt tehty." a
        /// fix and a follow-up.
        without_in_sentence: Vec<usize>,
        /// At least one of these must occur (none listed: no condition).
        with_any: Vec<usize>,
        before: usize,
        after: usize,
    },
    Metric(MetricEvent),
}

#[derive(Debug)]
pub struct Behaviour {
    pub id: String,
    pub description: String,
    /// Index into `Rubric::dimensions`; `None` for helper behaviours.
    pub dimension: Option<usize>,
    pub party: PartyFilter,
    pub window: Window,
    /// Signed: positive for good behaviours, negative for bad ones.
    pub points: f64,
    pub max_count: u32,
    pub rule: Rule,
    pub examples: Vec<String>,
    pub counter_examples: Vec<String>,
    /// Phrasings spotted in the audio when the text shows none (`crate::verify`).
    pub spot: Vec<SpotPhrase>,
    /// Line of the behaviour in the rubric file, for self-test reports.
    pub line: usize,
}

/// A phrase to spot acoustically, with its line for start-up errors.
#[derive(Debug, Clone, PartialEq)]
pub struct SpotPhrase {
    pub phrase: String,
    pub line: usize,
}
