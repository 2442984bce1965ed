//! `score`: finds every behaviour's occurrences in a call and turns them into
//! dimension scores and moments.
//!
//! Dimension score = clamp(base + Σ points × min(occurrences, max_count), 0, 100)
//! over the dimension's behaviours (bad behaviours have negative points); overall =
//! weighted mean of the dimension scores. Confidence is reported, never used to
//! weight points, so a score can be recomputed by hand from the moments.

use std::ops::Range;

use crate::finnish::matcher::{Hit, HitSink, Scratch, opens_written_sentence};
use crate::metrics::Metrics;
use crate::rubric::definition::{self, Behaviour, MetricEvent, Rubric, Rule, Window};
use crate::rubric::learned::{self, Combine, Verdict};
use crate::rubric::scorecard::{
    DimensionScore, Moment, RubricRef, SCORECARD_SCHEMA_VERSION, Scorecard, Scores,
};
use crate::rubric::turns::{self, Turn};
use crate::transcript::{Attribution, Party, Transcript};

/// The sentence of an occurrence that is no sentence's (a silence, an overlap).
const NO_SENTENCE: usize = usize::MAX;

/// Confidence factor when parties were guessed from a mono recording.
const ESTIMATED_PARTIES: f32 = 0.8;

/// A helper's best hit in one sentence of a turn (tokens `first..=last`).
struct SentenceHit {
    behaviour: usize,
    sentence: usize,
    first: usize,
    last: usize,
    confidence: f32,
}

#[derive(Debug, Clone)]
struct Occurrence {
    turn: usize,
    /// Sentence of the turn the quote starts in; [`NO_SENTENCE`] for a metric event.
    sentence: usize,
    party: Party,
    start: f64,
    end: f64,
    quote: Quote,
    confidence: f32,
}

/// What an occurrence quotes. Most occurrences are helpers' and never become a
/// moment, so the words are kept as a place and written out only for a moment.
#[derive(Debug, Clone)]
enum Quote {
    /// The segments of turn `turn` whose index lies in `lo..=hi`.
    Segments {
        turn: usize,
        lo: usize,
        hi: usize,
    },
    Text(String),
}

impl Quote {
    fn text(&self, t: &Transcript, turns: &[Turn]) -> String {
        match self {
            Quote::Segments { turn, lo, hi } => turns[*turn].text_of(t, *lo..=*hi),
            Quote::Text(text) => text.clone(),
        }
    }
}

/// Scores `transcript` against `rubric`. Pure; cannot fail.
pub fn score(transcript: &Transcript, metrics: &Metrics, rubric: &Rubric) -> Scorecard {
    let (turns, found) = detect(transcript, metrics, rubric, true);
    scorecard(rubric, transcript, &turns, found, metrics)
}

/// Whether each behaviour of `rubric` (helpers included) occurs in the call, in the
/// rubric's order, as [`score`] finds them: what `rubric eval` measures.
pub fn behaviours_found(transcript: &Transcript, metrics: &Metrics, rubric: &Rubric) -> Vec<bool> {
    detect(transcript, metrics, rubric, true)
        .1
        .iter()
        .map(|o| !o.is_empty())
        .collect()
}

/// Per behaviour of `rubric`, the turns where its patterns, events and sequences
/// alone find it, without the learned model (empty: not found): what the
/// self-test checks examples against, and what the model is trained to
/// combine with.
pub fn pattern_findings(
    transcript: &Transcript,
    metrics: &Metrics,
    rubric: &Rubric,
) -> Vec<Vec<usize>> {
    detect(transcript, metrics, rubric, false)
        .1
        .iter()
        .map(|o| o.iter().map(|o| o.turn).collect())
        .collect()
}

fn detect(
    transcript: &Transcript,
    metrics: &Metrics,
    rubric: &Rubric,
    with_learned: bool,
) -> (Vec<Turn>, Vec<Vec<Occurrence>>) {
    let turns = turns::build(transcript);
    let mut found: Vec<Vec<Occurrence>> = vec![Vec::new(); rubric.behaviours.len()];
    phrases(transcript, rubric, &turns, &mut found);
    metric_events(transcript, metrics, rubric, &turns, &mut found);
    sequences(transcript, rubric, &turns, &mut found);
    if with_learned {
        learned(transcript, rubric, &turns, &mut found);
    }
    if transcript.attribution == Attribution::Estimated {
        found
            .iter_mut()
            .flatten()
            .for_each(|o| o.confidence *= ESTIMATED_PARTIES);
    }
    (turns, found)
}

/// Lets the rubric's learned model judge the behaviours it covers (after every
/// pattern, event and sequence, so the helpers other behaviours read are the
/// patterns' own). An `and` judge keeps each pattern finding it believes a
/// sentence near (`learned::near`); an `or` judge adds its best sentence where the
/// patterns found nothing; a `replace` judge's best sentence is the finding.
fn learned(
    transcript: &Transcript,
    rubric: &Rubric,
    turns: &[Turn],
    found: &mut [Vec<Occurrence>],
) {
    let Some(model) = &rubric.learned else {
        return;
    };
    let judges = || model.model.judges.iter().zip(&model.behaviour);
    // An `or` judge has nothing to add where the patterns found the behaviour,
    // an `and` judge nothing to take away where they did not.
    let wanted: Vec<bool> = judges()
        .map(|(judge, &b)| match judge.combine {
            Combine::Or => found[b].is_empty(),
            Combine::And => !found[b].is_empty(),
            Combine::Replace => true,
        })
        .collect();
    // Which judges read each turn: an `and` judge first the turns of the findings
    // it must confirm (where it mostly believes one), then the turns near those
    // it did not; the others the whole call; each only where its behaviour
    // counts (party and window).
    let duration = transcript.duration;
    let counts = |b: usize, ti: usize| {
        counts_in(&rubric.behaviours[b], &turns[ti], ti, turns.len(), duration)
    };
    let mut read = vec![0u32; turns.len()];
    for (j, ((judge, &b), &w)) in judges().zip(&wanted).enumerate() {
        if !w {
            continue;
        }
        let mut mark = |ti: usize| {
            if counts(b, ti) {
                read[ti] |= 1 << j;
            }
        };
        if judge.combine == Combine::And {
            found[b].iter().for_each(|o| mark(o.turn));
        } else {
            (0..turns.len()).for_each(mark);
        }
    }
    let morphology = crate::finnish::shared();
    let mut judgement = model.model.judge(turns, morphology, &read);
    let mut more = vec![0u32; turns.len()];
    for (j, ((judge, &b), &w)) in judges().zip(&wanted).enumerate() {
        if !w || judge.combine != Combine::And {
            continue;
        }
        for o in found[b]
            .iter()
            .filter(|o| !judgement.believes_near(j, o.turn))
        {
            for ti in learned::near(o.turn, turns.len()) {
                if read[ti] & (1 << j) == 0 && counts(b, ti) {
                    more[ti] |= 1 << j;
                }
            }
        }
    }
    model
        .model
        .judge_more(&mut judgement, turns, morphology, &more);
    for (j, (judge, &b)) in judges().enumerate() {
        if !wanted[j] {
            continue;
        }
        let occurrences = &mut found[b];
        match (judge.combine, judgement.believed(j)) {
            (Combine::And, _) => occurrences
                .retain(|o| judgement.believes_near(j, o.turn) || heard_unclearly(&turns[o.turn])),
            (Combine::Or, Some(v)) => occurrences.push(verdict_occurrence(transcript, turns, v)),
            (Combine::Replace, v) => {
                *occurrences = v
                    .map(|v| verdict_occurrence(transcript, turns, v))
                    .into_iter()
                    .collect();
            }
            (Combine::Or, None) => {}
        }
    }
}

/// Whisper's mean word probability below which the learned model's doubt does not
/// take a finding away: trained on clean text, the model reads a misheard sentence
/// as no evidence. Chosen on Whisper base's transcripts of `fixtures/labelled/asr/dev`
/// (BENCHMARKS.md, "The learned model"); text without word probabilities (written
/// or corrected transcripts) is always judged.
const LEARNED_MIN_PROBABILITY: f32 = 0.8;

/// Whether Whisper was too unsure of `turn` for the learned model to overrule a
/// finding in it.
fn heard_unclearly(turn: &Turn) -> bool {
    turn.probability
        .is_some_and(|p| p < LEARNED_MIN_PROBABILITY)
}

fn verdict_occurrence(t: &Transcript, turns: &[Turn], v: Verdict) -> Occurrence {
    let s = v.sentence;
    words_occurrence(
        t,
        s.turn,
        &turns[s.turn],
        s.index,
        s.first,
        s.last,
        v.probability,
    )
}

/// An occurrence quoting tokens `first..=last` of turn `ti` (starting in its
/// sentence `sentence`), its confidence lowered by Whisper's uncertainty of the turn.
fn words_occurrence(
    t: &Transcript,
    ti: usize,
    turn: &Turn,
    sentence: usize,
    first: usize,
    last: usize,
    confidence: f32,
) -> Occurrence {
    Occurrence {
        turn: ti,
        sentence,
        party: turn.party,
        start: turn.token_time(t, first).0,
        end: turn.token_time(t, last).1,
        quote: quote(ti, turn, first, last),
        confidence: confidence * (0.5 + 0.5 * turn.probability.unwrap_or(1.0)),
    }
}

/// `own`: how many turns of the same party came before and come after turn
/// number `turn`.
fn in_window(
    w: Window,
    start: f64,
    end: f64,
    turn: usize,
    own: (usize, usize),
    n_turns: usize,
    duration: f64,
) -> bool {
    match w {
        Window::FirstOwnTurns(n) => own.0 < n,
        Window::LastOwnTurns(n) => own.1 < n,
        Window::Whole => true,
        Window::FirstSeconds(s) => start < s,
        Window::LastSeconds(s) => end > duration - s,
        Window::FirstTurns(n) => turn < n,
        Window::LastTurns(n) => turn + n >= n_turns,
    }
}

/// Whether behaviour `b` counts in `turn` (number `ti` of `n_turns`) of a call of
/// `duration` seconds: its party and window.
pub fn counts_in(b: &Behaviour, turn: &Turn, ti: usize, n_turns: usize, duration: f64) -> bool {
    b.party.accepts(turn.party)
        && in_window(
            b.window,
            turn.start,
            turn.end,
            ti,
            (turn.own_index, turn.own_after),
            n_turns,
            duration,
        )
}

/// The segments of turn `ti` that tokens `first..=last` come from.
fn quote(ti: usize, turn: &Turn, first: usize, last: usize) -> Quote {
    let (a, b) = (
        turn.tokens[first].piece as usize,
        turn.tokens[last].piece as usize,
    );
    Quote::Segments {
        turn: ti,
        lo: a.min(b),
        hi: a.max(b),
    }
}

/// A turn's pattern hits as [`phrases`] keeps them: each behaviour's best, and each
/// helper's best per sentence. A behaviour that does not count in the turn, or
/// already has a hit nothing can beat (full confidence) where the next would be
/// kept, is not tried again.
struct TurnHits<'a> {
    rubric: &'a Rubric,
    /// Whether each behaviour counts in this turn (party and window).
    counts: &'a [bool],
    sentence_of: &'a [usize],
    best: &'a mut [Option<(usize, usize, f32)>],
    per_sentence: &'a mut Vec<SentenceHit>,
}

impl HitSink for TurnHits<'_> {
    fn wants(&mut self, pattern: usize, start: usize) -> bool {
        let b = self.rubric.pattern_owner[pattern];
        let full = |c: f32| c >= 1.0;
        if !self.counts[b] {
            return false;
        }
        if self.rubric.behaviours[b].dimension.is_some() {
            return !self.best[b].is_some_and(|(.., c)| full(c));
        }
        let sentence = self.sentence_of[start];
        !self
            .per_sentence
            .iter()
            .any(|h| h.behaviour == b && h.sentence == sentence && full(h.confidence))
    }

    fn hit(&mut self, pattern: usize, hit: Hit) {
        let b = self.rubric.pattern_owner[pattern];
        if self.rubric.behaviours[b].dimension.is_none() {
            let found = SentenceHit {
                behaviour: b,
                sentence: self.sentence_of[hit.first],
                first: hit.first,
                last: hit.last,
                confidence: hit.confidence,
            };
            let kept = self
                .per_sentence
                .iter_mut()
                .find(|h| h.behaviour == b && h.sentence == found.sentence);
            match kept {
                Some(h) if found.confidence > h.confidence => *h = found,
                Some(_) => {}
                None => self.per_sentence.push(found),
            }
        }
        if self.best[b].is_none_or(|(_, _, c)| hit.confidence > c) {
            self.best[b] = Some((hit.first, hit.last, hit.confidence));
        }
    }
}

fn phrases(t: &Transcript, r: &Rubric, turns: &[Turn], found: &mut [Vec<Occurrence>]) {
    let duration = t.duration;
    let mut scratch = Scratch::default();
    let mut best: Vec<Option<(usize, usize, f32)>> = Vec::new();
    let mut counts: Vec<bool> = Vec::new();
    // Helpers (no dimension) other rules may look for in one sentence: their best
    // hit in each sentence.
    let mut per_sentence: Vec<SentenceHit> = Vec::new();
    let mut sentence_of: Vec<usize> = Vec::new();
    let with_regexes: Vec<(usize, Range<usize>)> = r
        .behaviours
        .iter()
        .enumerate()
        .filter_map(|(bi, b)| match &b.rule {
            Rule::Phrases { regexes } if !regexes.is_empty() => Some((bi, regexes.clone())),
            _ => None,
        })
        .collect();
    for (ti, turn) in turns.iter().enumerate() {
        let ok = |b: &Behaviour| counts_in(b, turn, ti, turns.len(), duration);
        best.clear();
        best.resize(r.behaviours.len(), None);
        counts.clear();
        counts.extend(r.behaviours.iter().map(ok));
        per_sentence.clear();
        sentence_of.clear();
        let mut sentence = 0;
        for (i, token) in turn.tokens.iter().enumerate() {
            sentence += usize::from(token.sentence_start && i > 0);
            sentence_of.push(sentence);
        }
        let mut hits = TurnHits {
            rubric: r,
            counts: &counts,
            sentence_of: &sentence_of,
            best: &mut best,
            per_sentence: &mut per_sentence,
        };
        let side = definition::side_of(turn.party);
        r.patterns
            .hits_into(&turn.tokens, side, &mut scratch, &mut hits);
        // The turn's words as one string, made once per turn and only if a regex
        // may match: one of its words passes a test of the regex's needed words.
        // [whole turn][with question marks]
        let mut texts: [[Option<String>; 2]; 2] = Default::default();
        for &(bi, ref regexes) in &with_regexes {
            if best[bi].is_some() || !counts[bi] {
                continue;
            }
            let found = regexes
                .clone()
                .filter(|&i| r.regexes.may_match(i, &scratch))
                .find_map(|i| {
                    let whole = r.regexes.reads_whole_turn(i);
                    let questions = r.regexes.reads_questions(i);
                    let text = texts[usize::from(whole)][usize::from(questions)]
                        .get_or_insert_with(|| {
                            regex_text(turn, if whole { " " } else { "\n " }, questions)
                        });
                    r.regexes.find(i, text).map(|m| {
                        // A match may begin with the space (or the sentence end,
                        // "\n ") before its first word; a question mark (" ?") is
                        // no word.
                        let words = |s: &str| s.matches(' ').count() - s.matches(" ?").count();
                        let lead = usize::from(m.as_str().starts_with([' ', '\n']));
                        let first = words(&text[..m.start()]) + lead;
                        (first, first + words(m.as_str().trim()))
                    })
                });
            if let Some((first, last)) = found {
                let last = last.min(turn.tokens.len().saturating_sub(1));
                best[bi] = Some((first, last, 1.0));
                if r.behaviours[bi].dimension.is_none() {
                    per_sentence.push(SentenceHit {
                        behaviour: bi,
                        sentence: sentence_of[first],
                        first,
                        last,
                        confidence: 1.0,
                    });
                }
            }
        }
        let occurrence = |first: usize, last: usize, confidence: f32| {
            words_occurrence(t, ti, turn, sentence_of[first], first, last, confidence)
        };
        for (bi, hit) in best.iter().copied().enumerate() {
            let Some((first, last, confidence)) = hit else {
                continue;
            };
            if r.behaviours[bi].dimension.is_some() {
                found[bi].push(occurrence(first, last, confidence));
            }
        }
        // A helper's best hit of the turn comes first, then its other sentences.
        for (bi, hit) in best.iter().copied().enumerate() {
            let Some((first, ..)) = hit else { continue };
            if r.behaviours[bi].dimension.is_some() {
                continue;
            }
            let best_sentence = sentence_of[first];
            let others = per_sentence
                .iter()
                .filter(|h| h.behaviour == bi && h.sentence != best_sentence)
                .map(|h| (h.first, h.last, h.confidence));
            for (first, last, confidence) in hit.into_iter().chain(others) {
                found[bi].push(occurrence(first, last, confidence));
            }
        }
    }
}

/// The turn's words joined by single spaces, with `sentence_end` before the first
/// word of each written sentence after the first. Regexes read one sentence in the
/// text made with "\n " (see `definition::within_sentence`): like a pattern, a
/// match may run on into the next Whisper piece, which may end mid-sentence, but
/// not past a sentence end inside one. A regex that says `\z` reads the text made
/// with " ", the whole turn. With `questions`, each word before a "?" is followed
/// by " ?" (for a regex that says `\?`).
fn regex_text(turn: &Turn, sentence_end: &str, questions: bool) -> String {
    let mut text = String::new();
    for (i, token) in turn.tokens.iter().enumerate() {
        if i > 0 {
            text.push_str(if opens_written_sentence(token) {
                sentence_end
            } else {
                " "
            });
        }
        text.push_str(&token.word.surface);
        if questions && token.question_end {
            text.push_str(" ?");
        }
    }
    text
}

/// Index of the turn at or after `time` (the last turn if none).
fn turn_at(turns: &[Turn], time: f64) -> usize {
    turns
        .iter()
        .position(|tr| tr.end >= time)
        .unwrap_or(turns.len().saturating_sub(1))
}

fn metric_events(
    t: &Transcript,
    m: &Metrics,
    r: &Rubric,
    turns: &[Turn],
    found: &mut [Vec<Occurrence>],
) {
    for (bi, b) in r.behaviours.iter().enumerate() {
        let Rule::Metric(event) = b.rule else {
            continue;
        };
        // Each event with the turn it belongs to where known: an overlap or an
        // interruption is the turn of the party who started talking, not the turn
        // still going on at that moment.
        let events: Vec<(Party, f64, f64, String, Option<usize>)> = match event {
            MetricEvent::UnannouncedHold | MetricEvent::Hold => m
                .holds
                .iter()
                .filter(|h| event == MetricEvent::Hold || !h.announced)
                .map(|h| {
                    (
                        Party::Agent,
                        h.start,
                        h.end,
                        format!("({:.0} s silence)", h.end - h.start),
                        None,
                    )
                })
                .collect(),
            MetricEvent::AgentInterruption | MetricEvent::CustomerInterruption => {
                let by = if event == MetricEvent::AgentInterruption {
                    Party::Agent
                } else {
                    Party::Customer
                };
                m.interruptions
                    .iter()
                    .filter(|i| i.by == by)
                    .map(|i| {
                        let seg = t.segments.iter().find(|s| s.party == by && s.start == i.at);
                        let (end, text) = seg.map_or((i.at, String::new()), |s| {
                            (s.end, s.text.trim().to_string())
                        });
                        let turn = turns.iter().position(|tr| tr.party == by && tr.end >= i.at);
                        (by, i.at, end, text, turn)
                    })
                    .collect()
            }
            MetricEvent::Overlap => turns::overlaps(turns)
                .into_iter()
                .map(|i| {
                    (
                        turns[i].party,
                        turns[i].start,
                        turns[i].end,
                        turns[i].text(t),
                        Some(i),
                    )
                })
                .collect(),
        };
        for (party, start, end, quote, turn) in events {
            let ti = turn.unwrap_or_else(|| turn_at(turns, start));
            let own = turns
                .get(ti)
                .map_or((0, 0), |tr| (tr.own_index, tr.own_after));
            if b.party.accepts(party)
                && in_window(b.window, start, end, ti, own, turns.len(), t.duration)
            {
                found[bi].push(Occurrence {
                    turn: ti,
                    sentence: NO_SENTENCE,
                    party,
                    start,
                    end,
                    quote: Quote::Text(quote),
                    confidence: 1.0,
                });
            }
        }
    }
}

/// Turn range around `anchor`: `before`/`after` turns of the anchor's party.
fn around(
    turns: &[Turn],
    own: &OwnTurns,
    anchor: usize,
    before: usize,
    after: usize,
) -> (usize, usize) {
    let (own, pos) = (&own.of[party_index(turns[anchor].party)], own.pos[anchor]);
    // Fewer own turns before the anchor than `before`: the window reaches back
    // to the call's start, as it reaches to the end when fewer come after.
    let lo = match before {
        0 => anchor,
        _ if pos < before => 0,
        _ => own[pos - before],
    };
    let hi = own.get(pos + after).copied().unwrap_or(turns.len() - 1);
    let hi = if after == 0 { anchor } else { hi };
    (lo, hi)
}

/// Each party's turn indices in order, and each turn's place in its party's list:
/// made once per call, not per anchor.
struct OwnTurns {
    of: [Vec<usize>; 3],
    pos: Vec<usize>,
}

fn own_turns(turns: &[Turn]) -> OwnTurns {
    let mut of = [Vec::new(), Vec::new(), Vec::new()];
    let mut pos = Vec::with_capacity(turns.len());
    for (i, turn) in turns.iter().enumerate() {
        let list = &mut of[party_index(turn.party)];
        pos.push(list.len());
        list.push(i);
    }
    OwnTurns { of, pos }
}

fn party_index(party: Party) -> usize {
    match party {
        Party::Agent => 0,
        Party::Customer => 1,
        Party::Unknown => 2,
    }
}

fn sequences(t: &Transcript, r: &Rubric, turns: &[Turn], found: &mut [Vec<Occurrence>]) {
    let own = own_turns(turns);
    for (bi, b) in r.behaviours.iter().enumerate() {
        let Rule::Sequence {
            when,
            with_all,
            without_all,
            without_any,
            without_in_sentence,
            with_any,
            before,
            after,
        } = &b.rule
        else {
            continue;
        };
        let mut out: Vec<Occurrence> = Vec::new();
        // One anchor is read in place; several are merged in call order.
        let merged: Vec<&Occurrence>;
        let anchors: &mut dyn Iterator<Item = &Occurrence> = match when.as_slice() {
            [one] => &mut found[*one].iter(),
            several => {
                let mut all: Vec<&Occurrence> = several.iter().flat_map(|&w| &found[w]).collect();
                all.sort_by_key(|o| (o.turn, o.sentence));
                merged = all;
                &mut merged.iter().copied()
            }
        };
        for anchor in anchors {
            let (lo, hi) = around(turns, &own, anchor.turn, *before, *after);
            let near = |id: usize| found[id].iter().find(|o| o.turn >= lo && o.turn <= hi);
            let present = |ids: &[usize]| ids.iter().all(|&id| near(id).is_some());
            let in_sentence = |id: usize| {
                found[id]
                    .iter()
                    .any(|o| o.turn == anchor.turn && o.sentence == anchor.sentence)
            };
            if !present(with_all)
                || (!without_all.is_empty() && present(without_all))
                || without_any.iter().any(|&id| near(id).is_some())
                || without_in_sentence.iter().any(|&id| in_sentence(id))
                || (!with_any.is_empty() && with_any.iter().all(|&id| near(id).is_none()))
                || !b.party.accepts(anchor.party)
            {
                continue;
            }
            let mut occ = anchor.clone();
            for support in with_all.iter().filter_map(|&id| near(id)) {
                occ.confidence = occ.confidence.min(support.confidence);
                if support.turn != anchor.turn {
                    let (quoted, more) = (occ.quote.text(t, turns), support.quote.text(t, turns));
                    if !quoted.contains(&more) {
                        occ.quote = Quote::Text(format!("{quoted} … {more}"));
                    }
                }
                occ.start = occ.start.min(support.start);
                occ.end = occ.end.max(support.end);
            }
            // One occurrence per turn: the anchor's first sentence that holds.
            if out.last().is_none_or(|o| o.turn != occ.turn) {
                out.push(occ);
            }
        }
        found[bi] = out;
    }
}

fn scorecard(
    r: &Rubric,
    t: &Transcript,
    turns: &[Turn],
    found: Vec<Vec<Occurrence>>,
    metrics: &Metrics,
) -> Scorecard {
    let mut totals: Vec<f64> = r.dimensions.iter().map(|d| d.base).collect();
    let mut moments = Vec::new();
    for (b, occs) in r.behaviours.iter().zip(found) {
        let Some(d) = b.dimension else { continue };
        let mut occs = occs;
        occs.sort_by(|a, c| a.start.total_cmp(&c.start));
        for (n, o) in occs.into_iter().enumerate() {
            let points = if n < b.max_count as usize {
                b.points
            } else {
                0.0
            };
            totals[d] += points;
            moments.push(Moment {
                behaviour: b.id.clone(),
                dimension: r.dimensions[d].id.clone(),
                party: o.party,
                start: o.start,
                end: o.end,
                quote: o.quote.text(t, turns),
                points,
                confidence: (o.confidence * 100.0).round() / 100.0,
                verified: true,
            });
        }
    }
    moments.sort_by(|a, b| a.start.total_cmp(&b.start));
    let scores = scores(r, totals);
    Scorecard {
        schema_version: SCORECARD_SCHEMA_VERSION,
        kuulas_version: env!("CARGO_PKG_VERSION").to_string(),
        rubric: RubricRef {
            id: r.id.clone(),
            version: r.version.clone(),
            sha256: r.sha256.clone(),
        },
        scores,
        moments,
        metrics: metrics.clone(),
    }
}

/// Dimension scores from each dimension's total (base + points), and the overall.
fn scores(r: &Rubric, totals: Vec<f64>) -> Scores {
    let dimensions: Vec<DimensionScore> = r
        .dimensions
        .iter()
        .zip(totals)
        .map(|(d, total)| DimensionScore {
            id: d.id.clone(),
            name: d.name.clone(),
            score: total.clamp(0.0, 100.0),
            weight: d.weight,
        })
        .collect();
    let weight: f64 = dimensions.iter().map(|d| d.weight).sum();
    let overall =
        dimensions.iter().map(|d| d.score * d.weight).sum::<f64>() / weight.max(f64::MIN_POSITIVE);
    Scores {
        overall,
        dimensions,
    }
}

/// Recomputes `card`'s points and scores after moments were marked unverified
/// or added (`crate::verify`): a behaviour's first `max_count` verified moments,
/// in time order, earn its points; an unverified moment shows the points it
/// would add in their place and earns nothing. Moments of behaviours the rubric
/// does not score (or no longer has) are left as they are. Pure; cannot fail.
pub fn rescore(card: &mut Scorecard, r: &Rubric) {
    card.moments.sort_by(|a, b| a.start.total_cmp(&b.start));
    let mut totals: Vec<f64> = r.dimensions.iter().map(|d| d.base).collect();
    let mut counted = vec![0u32; r.behaviours.len()];
    for m in &mut card.moments {
        let Some(bi) = r.behaviours.iter().position(|b| b.id == m.behaviour) else {
            continue;
        };
        let b = &r.behaviours[bi];
        let Some(d) = b.dimension else { continue };
        m.points = if counted[bi] < b.max_count {
            b.points
        } else {
            0.0
        };
        if m.verified {
            counted[bi] += 1;
            totals[d] += m.points;
        }
    }
    card.scores = scores(r, totals);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transcript::agent_says;

    const SENTENCE_RUBRIC: &str = r#"
schema_version = 1
id = "sentence-test"
version = "1"
title = "t"

[[dimension]]
id = "resolution"
name = "R"
description = "d"
weight = 1.0
base = 0

[[behaviour]]
id = "fix"
description = "Helper: a fix reported."
party = "agent"
patterns = ["tilaus on tehty", "tilaus on peruttu"]

[[behaviour]]
id = "later"
description = "Helper: a call later."
party = "agent"
patterns = ["soitan huomenna"]

[[behaviour]]
id = "done"
description = "A fix with no call later in its sentence."
dimension = "resolution"
party = "agent"
polarity = "good"
points = 50
when = "fix"
without_in_sentence = ["later"]
"#;

    #[test]
    fn an_exclusion_in_the_sentence_only_blocks_that_sentence() {
        let r = crate::rubric::resolve::resolve("t.toml", SENTENCE_RUBRIC).unwrap();
        let done = |line: &str| {
            let t = agent_says(&[line]);
            score(&t, &crate::metrics::compute(&t, None), &r)
                .moments
                .into_iter()
                .filter(|m| m.behaviour == "done")
                .map(|m| m.quote)
                .collect::<Vec<_>>()
        };
        assert!(done("Tilaus on tehty, ja soitan huomenna kun tiedän.").is_empty());
        assert_eq!(done("Soitan huomenna. Tilaus on tehty.").len(), 1);
        // The helper's best hit is blocked; its other sentence still holds, once.
        assert_eq!(
            done("Tilaus on tehty ja soitan huomenna. Tilaus on peruttu myös.").len(),
            1
        );
    }

    /// The sentence rubric's helpers ("fix", "later") with a second way to find
    /// `resolved`: the customer's thanks with no call later before it.
    fn accepted_rubric() -> String {
        let helpers = &SENTENCE_RUBRIC[..SENTENCE_RUBRIC
            .find("[[behaviour]]\nid = \"done\"")
            .unwrap()];
        format!("{helpers}{ACCEPTED_BEHAVIOURS}")
    }

    const ACCEPTED_BEHAVIOURS: &str = r#"
[[behaviour]]
id = "thanks"
description = "Helper: the customer thanks in their last turn."
party = "customer"
within = "last 1 own turn"
patterns = ["kiitos"]

[[behaviour]]
id = "accepted"
description = "Helper: thanks with no call later in the three customer turns before."
party = "customer"
when = "thanks"
without_any = ["later"]
turns_before = 3

[[behaviour]]
id = "resolved"
description = "A fix reported, or thanks with nothing left for later."
dimension = "resolution"
party = "any"
polarity = "good"
points = 50
when_any = ["fix", "accepted"]
"#;

    /// The turns where `behaviour` is found in a call whose lines alternate
    /// agent, customer, agent, …
    fn found_in_dialogue(rubric: &str, behaviour: &str, lines: &[&str]) -> Vec<usize> {
        let r = crate::rubric::resolve::resolve("t.toml", rubric).unwrap();
        let mut t = agent_says(lines);
        for s in t.segments.iter_mut().skip(1).step_by(2) {
            s.party = Party::Customer;
        }
        let bi = r.behaviours.iter().position(|b| b.id == behaviour).unwrap();
        let found = detect(&t, &crate::metrics::compute(&t, None), &r, false).1;
        found[bi].iter().map(|o| o.turn).collect()
    }

    #[test]
    fn when_any_takes_an_occurrence_of_any_anchor_in_call_order() {
        let rubric = accepted_rubric();
        let resolved = |lines: &[&str]| found_in_dialogue(&rubric, "resolved", lines);
        assert_eq!(resolved(&["Tilaus on tehty.", "Hyvä, kiitos."]), [0, 1]);
        assert_eq!(resolved(&["Tilaus on tehty.", "Hyvä."]), [0]);
        // Thanks count only in the customer's last turn, and not with a call later.
        assert!(resolved(&["Hei.", "Kiitos.", "Ole hyvä.", "Joo."]).is_empty());
        assert_eq!(resolved(&["Hei.", "Joo.", "Selvä.", "Kiitos."]), [3]);
        assert!(resolved(&["Hei.", "Joo.", "Soitan huomenna.", "Kiitos."]).is_empty());
    }

    #[test]
    fn a_window_with_fewer_own_turns_than_asked_reaches_the_calls_start() {
        // Two customer turns, three asked for: the agent's first turn is in the window.
        let rubric = accepted_rubric();
        let accepted = |lines: &[&str]| found_in_dialogue(&rubric, "accepted", lines);
        assert!(accepted(&["Soitan huomenna.", "Joo.", "Selvä.", "Kiitos."]).is_empty());
        let one_back = rubric.replace("turns_before = 3", "turns_before = 1");
        let accepted = |lines: &[&str]| found_in_dialogue(&one_back, "accepted", lines);
        assert_eq!(
            accepted(&["Soitan huomenna.", "Joo.", "Selvä.", "Kiitos."]),
            [3]
        );
    }

    #[test]
    fn a_regex_hit_belongs_to_the_sentence_of_its_first_word() {
        // The regex's match begins with the space before "Soitan": that space must not
        // pull the hit into the sentence before it.
        let source = SENTENCE_RUBRIC.replace(
            r#"patterns = ["soitan huomenna"]"#,
            r#"regex = ['(^| )soitan huomenna( |$)']"#,
        );
        let r = crate::rubric::resolve::resolve("t.toml", &source).unwrap();
        let t = agent_says(&["Tilaus on tehty. Soitan huomenna."]);
        let found = behaviours_found(&t, &crate::metrics::compute(&t, None), &r);
        assert_eq!(found, vec![true, true, true]);
        let t = agent_says(&["Tilaus on tehty ja soitan huomenna."]);
        let found = behaviours_found(&t, &crate::metrics::compute(&t, None), &r);
        assert_eq!(found, vec![true, true, false]);
    }

    #[test]
    fn a_regex_reads_one_sentence_unless_it_says_the_turn_end() {
        let later = |regex: &str, line: &str| {
            let source = SENTENCE_RUBRIC.replace(
                r#"patterns = ["soitan huomenna"]"#,
                &format!("regex = ['{regex}']"),
            );
            let r = crate::rubric::resolve::resolve("t.toml", &source).unwrap();
            let t = agent_says(&[line]);
            behaviours_found(&t, &crate::metrics::compute(&t, None), &r)[1]
        };
        // No match past a sentence end: "ei käy. Koska…" gives no reason for a no.
        let reason = "(^| )ei( [^ ]+){0,3} koska( |$)";
        assert!(later(reason, "Se ei käy, koska sali on varattu."));
        assert!(!later(
            reason,
            "Juhla ei siirry. Koska varaus on ensin, sali pysyy."
        ));
        // `$` is the sentence's end, `^` only the turn's start.
        let bare = "^(ei|eikä) voi$";
        assert!(later(bare, "Ei voi. Paperilomakkeella sitten."));
        assert!(!later(bare, "Joo. Ei voi."));
        // `\z` is the turn's end, and such a regex reads the turn across sentences.
        let last = "(^| )hetkinen\\z";
        assert!(later(last, "Katson sen. Hetkinen."));
        assert!(!later(last, "Hetkinen. Te olette oikeassa."));
        let across = "(^| )hetki katson( |\\z)";
        assert!(later(across, "Hetki. Katson."));
        assert!(!later("(^| )hetki katson( |$)", "Hetki. Katson."));
    }

    #[test]
    fn unverified_moments_keep_their_points_but_earn_nothing() {
        let r = crate::rubric::default_rubric();
        let t = agent_says(&["Hyvää päivää, asiakaspalvelu.", "Pahoittelen tilannetta."]);
        let m = crate::metrics::compute(&t, None);
        let mut card = score(&t, &m, &r);
        let warmth = card.dimension("warmth").expect("warmth");
        let greeting = card
            .moments
            .iter()
            .position(|m| m.behaviour == "greeting")
            .expect("greeting found");
        let points = card.moments[greeting].points;
        assert!(points > 0.0);

        card.moments[greeting].verified = false;
        rescore(&mut card, &r);
        assert_eq!(
            card.moments[greeting].points, points,
            "would-be points stay visible"
        );
        assert_eq!(card.dimension("warmth"), Some(warmth - points));

        card.moments[greeting].verified = true;
        rescore(&mut card, &r);
        assert_eq!(
            card.dimension("warmth"),
            Some(warmth),
            "rescoring all verified changes nothing"
        );
    }

    #[test]
    fn a_verified_moment_takes_the_place_of_an_unverified_one_under_max_count() {
        let r = crate::rubric::default_rubric();
        let t = agent_says(&["Pahoittelen viivettä.", "Pahoittelen vielä kerran."]);
        let m = crate::metrics::compute(&t, None);
        let mut card = score(&t, &m, &r);
        let apologies: Vec<usize> = (0..card.moments.len())
            .filter(|&i| card.moments[i].behaviour == "apology")
            .collect();
        let max_count = r.behaviour("apology").expect("apology").max_count;
        assert!(apologies.len() > max_count as usize, "{apologies:?}");
        let before = card.dimension("warmth");
        card.moments[apologies[0]].verified = false;
        rescore(&mut card, &r);
        assert_eq!(
            card.dimension("warmth"),
            before,
            "the next verified one counts instead"
        );
    }
}
