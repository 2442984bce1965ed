//! The resolved, trusted rubric: ids checked, references turned into indices,
//! patterns and regexes compiled. Built only by `resolve`; scoring relies on it.

use std::ops::Range;

use regex::{Regex, RegexSet, SetMatches};

use crate::finnish::matcher::PatternSet;
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
}

/// Every phrase behaviour's regexes, in behaviour order. A turn is scanned once by
/// all of them together (most turns match none); the one regex that did match
/// then finds where.
#[derive(Debug, Default)]
pub(crate) struct Regexes {
    each: Vec<Regex>,
    /// `None` until built, or when the set would be too large to compile (each
    /// regex is then tried on its own).
    set: Option<RegexSet>,
}

impl Regexes {
    pub(crate) fn push(&mut self, re: Regex) {
        self.each.push(re);
    }

    pub(crate) fn len(&self) -> usize {
        self.each.len()
    }

    /// Compiles the set of all regexes pushed so far.
    pub(crate) fn build_set(&mut self) {
        self.set = regex::RegexSetBuilder::new(self.each.iter().map(Regex::as_str))
            .dfa_size_limit(64 << 20)
            .build()
            .ok();
    }

    /// Which regexes match somewhere in `text`. Most turns match none, which the
    /// set tells at a third of the cost of saying which.
    pub(crate) fn scan(&self, text: &str) -> Scanned {
        match &self.set {
            None => Scanned::Unknown,
            Some(set) if !set.is_match(text) => Scanned::Nothing,
            Some(set) => Scanned::Matches(set.matches(text)),
        }
    }

    /// The first match in `text` of regexes `range`, given what `scan` found.
    pub(crate) fn find<'t>(
        &self,
        range: Range<usize>,
        scanned: &Scanned,
        text: &'t str,
    ) -> Option<regex::Match<'t>> {
        let found = |i: usize| self.each[i].find(text);
        match scanned {
            Scanned::Unknown => range.into_iter().find_map(found),
            Scanned::Nothing => None,
            Scanned::Matches(m) => range.filter(|&i| m.matched(i)).find_map(found),
        }
    }
}

/// What [`Regexes::scan`] learnt about a text.
pub(crate) enum Scanned {
    /// No set was built: every regex must be tried.
    Unknown,
    /// No regex matches.
    Nothing,
    /// The regexes that match.
    Matches(SetMatches),
}

impl Rubric {
    pub fn behaviour(&self, id: &str) -> Option<&Behaviour> {
        self.behaviours.iter().find(|b| b.id == id)
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
}

/// Events from the metrics a behaviour can be built on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricEvent {
    UnannouncedHold,
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
    /// An occurrence of `when`, judged by what else occurs around it: within
    /// `before` / `after` turns of the anchor's party (the other party's turns in
    /// between included).
    Sequence {
        when: usize,
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
