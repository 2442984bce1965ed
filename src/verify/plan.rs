//! What verification listens to, decided from the text alone (pure): the
//! stretch of audio and the words of each moment to check, the null stretches
//! of each party, and the places where a rubric's spot phrases may have been
//! said.

use crate::finnish::names::{first_names, is_first_name};
use crate::metrics::MetricsSettings;
use crate::metrics::timing::{HOLD_PHRASES, announcing_segments};
use crate::rubric::definition::{MetricEvent, Rubric, Rule};
use crate::rubric::resolve::NAME_SLOT;
use crate::rubric::scorecard::Scorecard;
use crate::rubric::scoring::counts_in;
use crate::rubric::turns;
use crate::transcript::{Party, Transcript};
use crate::verify::audio::Stretch;

/// Audio kept on either side of the words listened to, seconds: segment times
/// are a few tens of milliseconds off, and Whisper hears a word's onset badly
/// when the audio starts on it.
pub const MARGIN_S: f64 = 0.3;
/// The longest stretch decoded at once (Whisper's window is 30 s).
const MAX_STRETCH_S: f64 = 28.0;
/// Null stretches per party: other speech of the same voice in the same call.
pub const NULLS: usize = 3;
/// Null stretches are segments at least this long (a word or two is too little
/// speech to stand for the voice) ...
const NULL_MIN_S: f64 = 1.0;
/// ... and at most this long (beyond it the forced words find somewhere to fit).
const NULL_MAX_S: f64 = 12.0;
/// Places listened to per behaviour when spotting, the most text-like first.
pub const SPOT_PLACES: usize = 3;
/// First names tried for a spot phrase's `{name}` per segment: the gazetteer's
/// names most like what base wrote there ...
const NAME_CANDIDATES: usize = 3;
/// ... and at least this like it (Dice over letter pairs, against the best part
/// of a word: base fuses a name into its neighbours, "samiteikkiin"). A name of
/// three letters or fewer is part of too many words ("Aki" of "kai"): it must
/// be there whole.
const NAME_SIMILARITY: f64 = 0.6;
const SHORT_NAME_LETTERS: usize = 3;

/// One piece of a moment's quote and the audio it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    /// Index into the scorecard's moments.
    pub moment: usize,
    pub stretch: Stretch,
    pub text: String,
}

/// Where a spot phrase may have been said: a segment of the behaviour's party,
/// with the transcript's words before the phrase as context.
#[derive(Debug, Clone, PartialEq)]
pub struct SpotPlace {
    /// Index into the rubric's behaviours.
    pub behaviour: usize,
    /// The phrase listened for: one of the behaviour's spot phrases, its
    /// `{name}` replaced by a first name.
    pub text: String,
    pub stretch: Stretch,
    /// Segment times, for the moment if the phrase is found.
    pub start: f64,
    pub end: f64,
    /// The segment's words before the place, as decoded.
    pub context: String,
}

fn padded(party: Party, start: f64, end: f64, duration: f64) -> Stretch {
    let start = (start - MARGIN_S).max(0.0);
    Stretch {
        party,
        start,
        end: (end + MARGIN_S)
            .min(duration.max(end))
            .min(start + MAX_STRETCH_S),
    }
}

/// The pieces of every moment with words to check. A quote is the text of the
/// segments its words are in (pieces of a sequence are joined by " … "); each
/// piece is checked on those segments' audio, or on the moment's own times
/// when no segment has its text. Metric moments (silences, interruptions) are
/// timing, not words, and are not checked.
pub fn checks(t: &Transcript, card: &Scorecard, r: &Rubric) -> Vec<Check> {
    let mut out = Vec::new();
    for (i, m) in card.moments.iter().enumerate() {
        let checkable = r
            .behaviour(&m.behaviour)
            .is_some_and(|b| r.metric_event(b).is_none());
        if !checkable {
            continue;
        }
        for piece in m
            .quote
            .split(" … ")
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            let segments: Vec<_> = t
                .segments
                .iter()
                .filter(|s| {
                    let text = s.text.trim();
                    !text.is_empty()
                        && piece.contains(text)
                        && s.start < m.end + MARGIN_S
                        && s.end > m.start - MARGIN_S
                })
                .collect();
            let stretch = match segments.first() {
                Some(first) => padded(
                    first.party,
                    segments
                        .iter()
                        .map(|s| s.start)
                        .fold(f64::INFINITY, f64::min),
                    segments.iter().map(|s| s.end).fold(0.0, f64::max),
                    t.duration,
                ),
                None => padded(m.party, m.start, m.end, t.duration),
            };
            out.push(Check {
                moment: i,
                stretch,
                text: piece.to_string(),
            });
        }
    }
    out
}

/// Where the agent may have announced a silence that the text calls
/// unannounced: one of the metrics' hold phrases (the words that make a
/// silence announced in text) in one of the agent's segments that end within
/// the announcement window before it.
#[derive(Debug, Clone, PartialEq)]
pub struct AnnouncementPlace {
    /// Index into the scorecard's moments: the silence.
    pub moment: usize,
    pub phrase: &'static str,
    pub stretch: Stretch,
    /// The segment's words before the place, as decoded.
    pub context: String,
}

/// The places to listen for an announcement before every unannounced-silence
/// moment: the text found no hold phrase there, but base garbles them at 8 kHz,
/// and a silence that was announced must not cost the agent.
pub fn announcement_places(t: &Transcript, card: &Scorecard, r: &Rubric) -> Vec<AnnouncementPlace> {
    let settings = MetricsSettings::default();
    let mut out = Vec::new();
    for (i, m) in card.moments.iter().enumerate() {
        let silence = r
            .behaviour(&m.behaviour)
            .is_some_and(|b| r.metric_event(b) == Some(MetricEvent::UnannouncedHold));
        if !silence {
            continue;
        }
        // Where `metrics::timing::holds` looked for a hold phrase in the text.
        let before = announcing_segments(t, m.start, &settings);
        for segment in before {
            let words: Vec<&str> = segment.text.split_whitespace().collect();
            for &phrase in HOLD_PHRASES {
                let (_, at) = best_place(&words, phrase);
                out.push(AnnouncementPlace {
                    moment: i,
                    phrase,
                    stretch: padded(segment.party, segment.start, segment.end, t.duration),
                    context: words[..at].join(" "),
                });
            }
        }
    }
    out
}

/// Up to [`NULLS`] stretches of `party`'s speech: its longest segments of a
/// usable length, in time order.
pub fn nulls(t: &Transcript, party: Party) -> Vec<Stretch> {
    let mut segments: Vec<_> = t
        .segments
        .iter()
        .filter(|s| s.party == party && (NULL_MIN_S..=NULL_MAX_S).contains(&(s.end - s.start)))
        .collect();
    segments.sort_by(|a, b| (b.end - b.start).total_cmp(&(a.end - a.start)));
    let mut out: Vec<Stretch> = segments
        .iter()
        .take(NULLS)
        .map(|s| padded(party, s.start, s.end, t.duration))
        .collect();
    out.sort_by(|a, b| a.start.total_cmp(&b.start));
    out
}

/// Where to listen for the spot phrases of every scored behaviour that has
/// them and no moment in `card`: the segments the behaviour's party and window
/// allow, [`SPOT_PLACES`] per behaviour, the ones whose words look most like a
/// phrase first (a garbled phrase still shares letters with what was said).
/// A sequence is not listened for when the text found its trigger and judged
/// it as another sequence on the same trigger (a justified refusal found, so
/// no bare one is spotted): a phrase heard says what was said, not the reasons
/// and offers around it.
pub fn spot_places(t: &Transcript, card: &Scorecard, r: &Rubric) -> Vec<SpotPlace> {
    let turns = turns::build(t);
    let mut out = Vec::new();
    for (bi, b) in r.behaviours.iter().enumerate() {
        if b.spot.is_empty() || b.dimension.is_none() || card.has(&b.id) {
            continue;
        }
        let own = triggers(&b.rule);
        let judged_otherwise = card.moments.iter().any(|m| {
            r.behaviour(&m.behaviour)
                .is_some_and(|other| triggers(&other.rule).iter().any(|w| own.contains(w)))
        });
        if judged_otherwise {
            continue;
        }
        let mut candidates: Vec<(f64, SpotPlace)> = Vec::new();
        for (ti, turn) in turns.iter().enumerate() {
            if !counts_in(b, turn, ti, turns.len(), t.duration) {
                continue;
            }
            for &si in &turn.segments {
                let segment = &t.segments[si];
                let words: Vec<&str> = segment.text.split_whitespace().collect();
                for spot in &b.spot {
                    for text in phrases_heard_as(&spot.phrase, &words) {
                        let (similarity, at) = best_place(&words, &text);
                        candidates.push((
                            similarity,
                            SpotPlace {
                                behaviour: bi,
                                text,
                                stretch: padded(turn.party, segment.start, segment.end, t.duration),
                                start: segment.start,
                                end: segment.end,
                                context: words[..at].join(" "),
                            },
                        ));
                    }
                }
            }
        }
        candidates.sort_by(|a, b| b.0.total_cmp(&a.0));
        out.extend(candidates.into_iter().take(SPOT_PLACES).map(|(_, p)| p));
    }
    out
}

/// The phrases to listen for in a segment of `words`: `phrase` itself, or with
/// a `{name}`, the phrase with each of the [`NAME_CANDIDATES`] first names most
/// like a word there that is no Finnish word (none when no name is like any: no
/// name was said). A word Voikko knows is what base heard, not a name it garbled
/// ("asiakaspalvelu" is no "Kasper"); without Voikko nothing tells them apart,
/// and no name is listened for.
fn phrases_heard_as(phrase: &str, words: &[&str]) -> Vec<String> {
    if !phrase.split(' ').any(|w| w == NAME_SLOT) {
        return vec![phrase.to_string()];
    }
    let morphology = crate::finnish::shared();
    let no_word: Vec<bool> = words
        .iter()
        .map(|w| {
            let word = w.trim_matches(|c: char| !c.is_alphabetic()).to_lowercase();
            morphology
                .analyse(&word)
                .is_some_and(|analyses| analyses.is_empty() || is_first_name(&word))
        })
        .collect();
    // Such words, and two of them run together ("kääl lämiikko"), as plain letters.
    let singles = (0..words.len())
        .filter(|&i| no_word[i])
        .map(|i| plain_letters(words[i]));
    let pairs = (1..words.len())
        .filter(|&i| no_word[i - 1] && no_word[i])
        .map(|i| plain_letters(&format!("{}{}", words[i - 1], words[i])));
    let pieces: Vec<Vec<char>> = singles.chain(pairs).collect();
    let mut names: Vec<(f64, &str)> = first_names()
        .iter()
        .filter_map(|name| {
            let letters = plain_letters(name);
            let likeness = name_likeness(&letters, &pieces);
            let heard = likeness >= NAME_SIMILARITY
                && (letters.len() > SHORT_NAME_LETTERS || likeness >= 1.0);
            heard.then_some((likeness, name.as_str()))
        })
        .collect();
    names.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    names
        .into_iter()
        .take(NAME_CANDIDATES)
        .map(|(_, name)| {
            phrase
                .split(' ')
                .map(|w| if w == NAME_SLOT { name } else { w })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

/// How much a name (its [`plain_letters`]) looks like the best part of one of
/// `pieces` (words, or two neighbours run together, as plain letters): Dice over
/// letter pairs, the name against every run of the piece's letters one shorter, as
/// long or one longer than it. Letters are compared without their dots (base
/// writes "jäin" for "Jani").
fn name_likeness(name: &[char], pieces: &[Vec<char>]) -> f64 {
    let target = letter_pairs(name);
    let n = name.len();
    let mut best: f64 = 0.0;
    for letters in pieces {
        for len in n.saturating_sub(1).max(2)..=n + 1 {
            for part in letters.windows(len) {
                best = best.max(dice(&target, &letter_pairs(part)));
            }
        }
    }
    best
}

/// The lowercased letters of `text`, "ä" read as "a", "ö" and "å" as "o".
fn plain_letters(text: &str) -> Vec<char> {
    text.chars()
        .filter(|c| c.is_alphabetic())
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'ä' => 'a',
            'ö' | 'å' => 'o',
            c => c,
        })
        .collect()
}

/// The behaviours a sequence judges (its `when`); none for other rules.
fn triggers(rule: &Rule) -> &[usize] {
    match rule {
        Rule::Sequence { when, .. } => when,
        _ => &[],
    }
}

/// The most phrase-like run of `words` (as many words as the phrase, give or
/// take one): its similarity to the phrase and the index of its first word.
fn best_place(words: &[&str], phrase: &str) -> (f64, usize) {
    let n = phrase.split_whitespace().count();
    let target = bigrams(phrase);
    let mut best = (0.0, 0);
    for at in 0..words.len() {
        // Fused words ("eikuu ruumeilere") make a run shorter than the phrase.
        for len in 1..=n + 1 {
            let Some(run) = words.get(at..at + len) else {
                continue;
            };
            let similarity = dice(&target, &bigrams(&run.join(" ")));
            if similarity > best.0 {
                best = (similarity, at);
            }
        }
    }
    best
}

/// Letter bigrams of the lowercased letters (spaces and punctuation dropped, so
/// "eikuu ruumeilere" and "ei kuulu meille" share what they share).
fn bigrams(text: &str) -> Vec<(char, char)> {
    let letters: Vec<char> = text
        .chars()
        .filter(|c| c.is_alphabetic())
        .flat_map(char::to_lowercase)
        .collect();
    letter_pairs(&letters)
}

/// The sorted pairs of neighbouring `letters`.
fn letter_pairs(letters: &[char]) -> Vec<(char, char)> {
    let mut out: Vec<(char, char)> = letters.windows(2).map(|w| (w[0], w[1])).collect();
    out.sort_unstable();
    out
}

/// Sørensen–Dice coefficient of two sorted bigram multisets.
fn dice(a: &[(char, char)], b: &[(char, char)]) -> f64 {
    let (mut i, mut j, mut shared) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                shared += 1;
                i += 1;
                j += 1;
            }
        }
    }
    if a.is_empty() && b.is_empty() {
        return 0.0;
    }
    2.0 * shared as f64 / (a.len() + b.len()) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transcript::agent_says;

    const REFUSALS: &str = r#"
schema_version = 1
id = "refusals"
version = "1"

[[dimension]]
id = "refusal"
name = "Kieltäytyminen"
weight = 1
base = 50

[[behaviour]]
id = "refusal"
party = "agent"
patterns = ["ei kuulu meille"]

[[behaviour]]
id = "reason"
party = "agent"
patterns = ["koska"]

[[behaviour]]
id = "bare"
dimension = "refusal"
party = "agent"
polarity = "bad"
points = 20
when = "refusal"
without_any = ["reason"]
turns_after = 1
spot = ["ei kuulu meille"]

[[behaviour]]
id = "justified"
dimension = "refusal"
party = "agent"
polarity = "good"
points = 20
when = "refusal"
with_all = ["reason"]
turns_after = 1
"#;

    #[test]
    fn a_bare_refusal_is_not_spotted_where_the_text_found_a_justified_one() {
        let r = crate::rubric::resolve("refusals.toml", REFUSALS).unwrap_or_else(|e| panic!("{e}"));
        let spotted = |lines: &[&str]| {
            let t = agent_says(lines);
            let card = crate::rubric::score(&t, &crate::metrics::compute(&t, None), &r);
            spot_places(&t, &card, &r).len()
        };
        assert!(
            spotted(&["Eikuu ruumeilere.", "Soittakaa muualle."]) > 0,
            "garbled: listened for"
        );
        assert_eq!(
            spotted(&[
                "Tämä ei kuulu meille, koska se on sopimuksen asia.",
                "Soittakaa muualle."
            ]),
            0,
            "judged justified from the text"
        );
    }

    #[test]
    fn a_silence_is_listened_to_in_the_agents_speech_just_before_it() {
        let r = crate::rubric::default_rubric();
        let segment = |party, start, end, text: &str| crate::transcript::Segment {
            party,
            start,
            end,
            text: text.to_string(),
            words: Vec::new(),
        };
        let t = Transcript {
            segments: vec![
                segment(Party::Agent, 0.0, 3.0, "Hei, täällä Pekka."),
                segment(Party::Customer, 4.0, 20.0, "Mun lasku on ihan väärin."),
                // "Hetki, tarkistan" as base might write it: no hold phrase in the text.
                segment(Party::Agent, 21.0, 24.0, "Eetki arkistaan."),
                segment(Party::Agent, 37.0, 40.0, "Noniin."),
            ],
            duration: 41.0,
            ..crate::transcript::agent_says(&[])
        };
        let card = crate::rubric::score(&t, &crate::metrics::compute(&t, None), &r);
        let silence = card
            .moments
            .iter()
            .position(|m| m.behaviour == "unannounced_silence")
            .expect("the text calls the silence unannounced");
        let places = announcement_places(&t, &card, &r);
        assert_eq!(
            places.len(),
            HOLD_PHRASES.len(),
            "one segment: the one before it"
        );
        assert!(places.iter().all(|p| p.moment == silence
            && p.stretch.party == Party::Agent
            && p.stretch.start == 21.0 - MARGIN_S));
        let hetki = places.iter().find(|p| p.phrase == "hetki").unwrap();
        assert_eq!(hetki.context, "", "the garbled phrase starts the segment");
    }

    #[test]
    fn a_phrase_fused_into_fewer_words_is_found() {
        let (similarity, at) = best_place(&["Tämäeikuu", "ruumeilere."], "tämä ei kuulu meille");
        assert_eq!(at, 0);
        assert!(similarity > 0.5, "{similarity}");
    }

    #[test]
    fn a_garbled_phrase_is_found_where_its_letters_are() {
        let words: Vec<&str> = "No niin eikuu ruumeilere nyt".split(' ').collect();
        let (similarity, at) = best_place(&words, "ei kuulu meille");
        assert_eq!(at, 2, "the garbled run starts at `eikuu`");
        assert!(similarity > 0.5, "{similarity}");
        let (unrelated, _) = best_place(&["hyvää", "päivää"], "ei kuulu meille");
        assert!(unrelated < similarity, "{unrelated}");
    }

    /// Names are listened for only where Voikko tells a garbled word from a real one.
    fn voikko() -> bool {
        crate::finnish::shared().is_voikko()
    }

    #[test]
    fn a_name_base_fused_into_its_neighbours_is_listened_for() {
        // Base at 8 kHz, "Hyvää iltapäivää, Kaukolämpö Itä, Sami Heikkinen."
        let words: Vec<&str> = "Tymää ilta tai mä, kaukongan pyritä, samiteikkiin."
            .split(' ')
            .collect();
        let names = phrases_heard_as("{name}", &words);
        if !voikko() {
            assert!(names.is_empty(), "no dictionary, no names: {names:?}");
            return;
        }
        assert!(names.len() <= NAME_CANDIDATES, "{names:?}");
        assert!(names.iter().any(|n| n == "Sami"), "{names:?}");
        let (_, at) = best_place(&words, "Sami");
        assert_eq!(
            words[..at].join(" "),
            "Tymää ilta tai mä, kaukongan pyritä,"
        );
        // "Hei, tyhmä ilta, …, kääl lämiikko." for "täällä Mikko": the dots do not count.
        let words: Vec<&str> = "Hei, tyhmä ilta, hafunko kaatilko, piti ha, kääl lämiikko."
            .split(' ')
            .collect();
        assert!(phrases_heard_as("täällä {name}", &words).contains(&"täällä Mikko".to_string()));
    }

    #[test]
    fn a_short_name_must_be_heard_whole_and_a_word_base_wrote_right_is_no_name() {
        assert_eq!(
            phrases_heard_as("hyvää päivää", &["pankin"]),
            ["hyvää päivää"]
        );
        if !voikko() {
            return;
        }
        let names = phrases_heard_as("{name}", &["että", "pankin", "kai", "saa", "kaikai"]);
        assert!(names.contains(&"Kai".to_string()), "{names:?}");
        assert!(
            !names.contains(&"Aki".to_string()),
            "part of `kaikai`: {names:?}"
        );
        // "Asiakaspalvelu." is what base heard: "kaspa" in it is no "Kasper".
        assert!(phrases_heard_as("{name}", &["Asiakaspalvelu."]).is_empty());
        // Base at 8 kHz for "Moi, Pohjolan Säästöpankki." (no name said).
        assert!(phrases_heard_as("{name}", &["Moi,", "profioren", "färpepankki."]).is_empty());
    }

    #[test]
    fn a_self_introduction_is_listened_for_in_the_first_agent_turn_only() {
        let r = crate::rubric::default_rubric();
        let mut t = agent_says(&[
            "Tymää ilta tai mä, kaukongan pyritä, samiteikkiin.",
            "Mulla on lasku väärin.",
            "Selvä, Sami katsoo.",
        ]);
        t.segments[1].party = Party::Customer;
        let card = crate::rubric::score(&t, &crate::metrics::compute(&t, None), &r);
        assert!(!card.has("self_intro"), "the text shows no name");
        if !voikko() {
            return;
        }
        let names: Vec<SpotPlace> = spot_places(&t, &card, &r)
            .into_iter()
            .filter(|p| r.behaviours[p.behaviour].id == "self_intro")
            .collect();
        assert!(names.iter().any(|p| p.text == "Sami"), "{names:?}");
        assert!(
            names.iter().all(|p| p.start == t.segments[0].start),
            "{names:?}"
        );
    }
}
