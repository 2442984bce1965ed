//! Raw rubric file → trusted [`Rubric`], reporting every problem with its line.

use std::collections::HashMap;

use sha2::{Digest, Sha256};
use toml::Spanned;

use crate::finnish::matcher::PatternSet;
use crate::rubric::definition::{
    Behaviour, Dimension, LearnedJudges, MetricEvent, PartyFilter, Regexes, Rubric, Rule,
    SpotPhrase, Window,
};
use crate::rubric::error::{Problem, ProblemKind, RubricError, line_of};
use crate::rubric::learned;
use crate::rubric::schema::{BehaviourDef, RubricFile};

pub const RUBRIC_SCHEMA_VERSION: u32 = 1;

/// Parses and validates rubric TOML; `file` names it in error messages.
pub fn resolve(file: &str, text: &str) -> Result<Rubric, RubricError> {
    let invalid = |problems| RubricError::Invalid {
        file: file.to_string(),
        problems,
    };
    let raw: RubricFile = toml::from_str(text).map_err(|e| {
        let line = e.span().map_or(1, |s| line_of(text, s.start));
        invalid(vec![Problem {
            line,
            kind: ProblemKind::Toml(e.message().to_string()),
        }])
    })?;
    let mut r = Resolver {
        text,
        problems: Vec::new(),
        lists: HashMap::new(),
    };
    let rubric = r.rubric(raw, text);
    if r.problems.is_empty() {
        Ok(rubric)
    } else {
        Err(invalid(r.problems))
    }
}

/// A list's words as alternatives: "a|b|c".
fn alternatives(words: &[Spanned<String>]) -> String {
    let words: Vec<&str> = words.iter().map(|w| w.get_ref().as_str()).collect();
    words.join("|")
}

/// `pattern` with every `@name` replaced by the words of list `name`: inside
/// `(…)` or `<…>` as more alternatives, standing alone as `(a|b|c)`. `None` when
/// it uses a bad list (reported already); an error says what is wrong.
fn expand_lists(
    pattern: &str,
    lists: &HashMap<String, Option<String>>,
) -> Result<Option<String>, String> {
    let mut out = String::with_capacity(pattern.len());
    let mut rest = pattern;
    while let Some(at) = rest.find('@') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let len = after
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        let (name, next) = (&after[..len], after[len..].chars().next());
        let words = lists.get(name).ok_or_else(|| match name {
            "" => "`@` must be followed by the name of a list".to_string(),
            _ => format!("there is no list `{name}`; declare it under [lists]"),
        })?;
        let Some(words) = words else {
            return Ok(None);
        };
        let prev = out.chars().next_back();
        let inside =
            matches!(prev, Some('<' | '(' | '|')) && matches!(next, Some('|' | ':' | '>' | ')'));
        let alone = prev.is_none_or(char::is_whitespace) && next.is_none_or(char::is_whitespace);
        if inside {
            out.push_str(words);
        } else if alone {
            out.push_str(&format!("({words})"));
        } else {
            return Err(format!(
                "`@{name}` must stand as a word of its own or inside `(…)` or `<…>`"
            ));
        }
        rest = &after[len..];
    }
    out.push_str(rest);
    Ok(Some(out))
}

/// The most words a spot phrase may have (a turn's phrase, not a sentence).
const MAX_SPOT_WORDS: usize = 8;
/// The word of a spot phrase that stands for a first name from the gazetteer,
/// chosen per call from what was heard (`crate::verify::plan`).
pub const NAME_SLOT: &str = "{name}";

struct Resolver<'a> {
    text: &'a str,
    problems: Vec<Problem>,
    /// Each `[lists]` name and its words as alternatives ("a|b|c"); `None` for
    /// a list already reported as bad, whose uses are skipped.
    lists: HashMap<String, Option<String>>,
}

impl Resolver<'_> {
    fn report<T>(&mut self, at: &Spanned<T>, kind: ProblemKind) {
        self.problems.push(Problem {
            line: line_of(self.text, at.span().start),
            kind,
        });
    }

    fn rubric(&mut self, raw: RubricFile, text: &str) -> Rubric {
        if *raw.schema_version.get_ref() != RUBRIC_SCHEMA_VERSION {
            let found = *raw.schema_version.get_ref();
            self.report(
                &raw.schema_version,
                ProblemKind::UnsupportedVersion { found },
            );
        }
        for (name, words) in &raw.lists {
            self.list(name, words);
        }
        let mut dims = Vec::new();
        for d in &raw.dimensions {
            let def = d.get_ref();
            if dims.iter().any(|x: &Dimension| x.id == *def.id.get_ref()) {
                self.report(
                    &def.id,
                    ProblemKind::DuplicateId {
                        id: def.id.get_ref().clone(),
                    },
                );
            }
            // `!(x > 0.0)` also catches NaN, which would turn every overall score into NaN.
            let weight_ok = def.weight > 0.0 && def.weight.is_finite();
            if !weight_ok || !(0.0..=100.0).contains(&def.base) {
                self.report(
                    d,
                    ProblemKind::BadDimension {
                        id: def.id.get_ref().clone(),
                    },
                );
            }
            dims.push(Dimension {
                id: def.id.get_ref().clone(),
                name: def.name.clone(),
                description: def.description.clone(),
                weight: def.weight,
                base: def.base,
            });
        }
        let ids: HashMap<&str, usize> = raw
            .behaviours
            .iter()
            .enumerate()
            .map(|(i, b)| (b.get_ref().id.get_ref().as_str(), i))
            .collect();
        let mut rubric = Rubric {
            id: raw.id.clone(),
            version: raw.version.clone(),
            title: raw.title.clone(),
            sha256: hex::encode(Sha256::digest(text.as_bytes())),
            source: text.to_string(),
            dimensions: dims,
            behaviours: Vec::new(),
            patterns: PatternSet::default(),
            pattern_owner: Vec::new(),
            regexes: Regexes::default(),
            learned: None,
        };
        for (i, b) in raw.behaviours.iter().enumerate() {
            let def = b.get_ref();
            if ids.get(def.id.get_ref().as_str()) != Some(&i) {
                self.report(
                    &def.id,
                    ProblemKind::DuplicateId {
                        id: def.id.get_ref().clone(),
                    },
                );
            }
            let line = line_of(self.text, b.span().start);
            let behaviour = self.behaviour(def, line, &ids, &raw, &mut rubric);
            rubric.behaviours.push(behaviour);
        }
        if let Some(on) = raw.learned.as_ref().filter(|on| *on.get_ref()) {
            rubric.learned = self.learned(on, &ids);
            if rubric.learned.is_some() {
                // Scorecards name what scored them: the model is part of it.
                let both = [text.as_bytes(), learned::BUILT_IN.as_bytes()].concat();
                rubric.sha256 = hex::encode(Sha256::digest(&both));
            }
        }
        rubric
    }

    /// The built-in learned model, each judge tied to the behaviour it judges;
    /// `None` without Voikko: the model reads Voikko's lemmas, and with Snowball
    /// stems in their place it would take away findings it cannot read.
    fn learned(&mut self, at: &Spanned<bool>, ids: &HashMap<&str, usize>) -> Option<LearnedJudges> {
        let model = learned::built_in();
        let mut behaviour = Vec::new();
        for judge in &model.judges {
            match ids.get(judge.behaviour.as_str()) {
                Some(&i) => behaviour.push(i),
                None => self.report(
                    at,
                    ProblemKind::LearnedBehaviourMissing {
                        id: judge.behaviour.clone(),
                    },
                ),
            }
        }
        let usable = behaviour.len() == model.judges.len() && crate::finnish::shared().is_voikko();
        usable.then_some(LearnedJudges { model, behaviour })
    }

    fn behaviour(
        &mut self,
        def: &BehaviourDef,
        line: usize,
        ids: &HashMap<&str, usize>,
        raw: &RubricFile,
        rubric: &mut Rubric,
    ) -> Behaviour {
        let index = rubric.behaviours.len();
        let id = def.id.get_ref().clone();
        let dimension = def.dimension.as_ref().and_then(|d| {
            let found = rubric.dimensions.iter().position(|x| x.id == *d.get_ref());
            if found.is_none() {
                self.report(
                    d,
                    ProblemKind::UnknownDimension {
                        found: d.get_ref().clone(),
                    },
                );
            }
            found
        });
        let party = match def.party.get_ref().as_str() {
            "agent" => PartyFilter::Agent,
            "customer" => PartyFilter::Customer,
            "any" => PartyFilter::Any,
            other => {
                self.report(
                    &def.party,
                    ProblemKind::UnknownParty {
                        found: other.to_string(),
                    },
                );
                PartyFilter::Any
            }
        };
        let window = match &def.within {
            None => Window::Whole,
            Some(w) => parse_window(w.get_ref()).unwrap_or_else(|| {
                self.report(
                    w,
                    ProblemKind::BadWindow {
                        found: w.get_ref().clone(),
                    },
                );
                Window::Whole
            }),
        };
        let sign = match def.polarity.as_ref().map(|p| p.get_ref().as_str()) {
            Some("good") => 1.0,
            Some("bad") => -1.0,
            None => 0.0,
            Some(_) => 0.0,
        };
        if let Some(p) = def.polarity.as_ref().filter(|_| sign == 0.0) {
            self.report(
                p,
                ProblemKind::UnknownPolarity {
                    found: p.get_ref().clone(),
                },
            );
        }
        let raw_points = def.points.unwrap_or(0.0);
        let points = sign * raw_points;
        if def.dimension.is_some() && points == 0.0 {
            self.report(&def.id, ProblemKind::MissingPoints { id: id.clone() });
        } else if def.points.is_some() && !(raw_points > 0.0 && raw_points.is_finite()) {
            self.report(
                &def.id,
                ProblemKind::BadPoints {
                    id: id.clone(),
                    found: raw_points,
                },
            );
        }
        let rule = self.rule(def, index, party, ids, raw, rubric);
        let spot = self.spot(def);
        Behaviour {
            id,
            description: def.description.clone(),
            dimension,
            party,
            window,
            points,
            max_count: def.max_count.unwrap_or(1).max(1),
            rule,
            examples: def.examples.clone(),
            counter_examples: def.counter_examples.clone(),
            spot,
            line,
        }
    }

    /// The behaviour's spot phrases: words as spoken (letters, spaces,
    /// apostrophes and hyphens), 1–8 words, so that every one tokenises and fits
    /// a turn. Whether the model can write them is checked at start-up
    /// (`crate::verify`).
    /// Checks a `[lists]` entry and keeps its words for `@name` in patterns.
    fn list(&mut self, name: &str, words: &Spanned<Vec<Spanned<String>>>) {
        let before = self.problems.len();
        if words.get_ref().is_empty() {
            let name = name.to_string();
            self.report(words, ProblemKind::EmptyList { name });
        }
        for word in words.get_ref() {
            let w = word.get_ref();
            if w.is_empty() || !w.chars().all(char::is_alphabetic) {
                let (name, found) = (name.to_string(), w.clone());
                self.report(word, ProblemKind::BadListWord { name, word: found });
            }
        }
        let good = self.problems.len() == before;
        let words = good.then(|| alternatives(words.get_ref()));
        self.lists.insert(name.to_string(), words);
    }

    fn spot(&mut self, def: &BehaviourDef) -> Vec<SpotPhrase> {
        let mut phrases = Vec::new();
        for raw in &def.spot {
            let phrase = raw
                .get_ref()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            let words = phrase.split(' ').filter(|w| !w.is_empty()).count();
            let reason = if words == 0 {
                Some("it is empty".to_string())
            } else if words > MAX_SPOT_WORDS {
                Some(format!("{words} words"))
            } else {
                phrase
                    .split(' ')
                    .filter(|w| *w != NAME_SLOT)
                    .flat_map(str::chars)
                    .find(|&c| !(c.is_alphabetic() || c == '\'' || c == '-'))
                    .map(|c| format!("`{c}` is not a letter"))
            };
            match reason {
                Some(reason) => self.report(
                    raw,
                    ProblemKind::BadSpot {
                        phrase: raw.get_ref().clone(),
                        reason,
                    },
                ),
                None => phrases.push(SpotPhrase {
                    phrase,
                    line: line_of(self.text, raw.span().start),
                }),
            }
        }
        phrases
    }

    fn rule(
        &mut self,
        def: &BehaviourDef,
        index: usize,
        party: PartyFilter,
        ids: &HashMap<&str, usize>,
        raw: &RubricFile,
        rubric: &mut Rubric,
    ) -> Rule {
        let phrases = !def.patterns.is_empty() || !def.regex.is_empty();
        let sequence = def.is_sequence();
        let kinds = [phrases, sequence, def.metric.is_some()];
        if kinds.iter().filter(|k| **k).count() != 1
            || (def.when.is_some() && !def.when_any.is_empty())
        {
            self.report(
                &def.id,
                ProblemKind::RuleKind {
                    id: def.id.get_ref().clone(),
                },
            );
        }
        if let Some(m) = &def.metric {
            let event = match m.get_ref().as_str() {
                "unannounced_hold" => MetricEvent::UnannouncedHold,
                "hold" => MetricEvent::Hold,
                "agent_interruption" => MetricEvent::AgentInterruption,
                "customer_interruption" => MetricEvent::CustomerInterruption,
                "overlap" => MetricEvent::Overlap,
                other => {
                    self.report(
                        m,
                        ProblemKind::UnknownMetric {
                            found: other.to_string(),
                        },
                    );
                    MetricEvent::UnannouncedHold
                }
            };
            return Rule::Metric(event);
        }
        if sequence {
            let mut refs = |list: &[Spanned<String>]| -> Vec<usize> {
                list.iter()
                    .filter_map(|r| self.reference(r, index, ids, raw))
                    .collect()
            };
            let with_all = refs(&def.with_all);
            let without_all = refs(&def.without_all);
            let without_any = refs(&def.without_any);
            let with_any = refs(&def.with_any);
            let without_in_sentence = refs(&def.without_in_sentence);
            let when = match &def.when {
                Some(when) => refs(std::slice::from_ref(when)),
                None => refs(&def.when_any),
            };
            return Rule::Sequence {
                when,
                with_all,
                without_all,
                without_any,
                without_in_sentence,
                with_any,
                before: def.turns_before,
                after: def.turns_after,
            };
        }
        for p in &def.patterns {
            if p.get_ref().trim().is_empty() {
                self.report(p, ProblemKind::EmptyPattern);
                continue;
            }
            let source = match expand_lists(p.get_ref(), &self.lists) {
                Ok(Some(source)) => source,
                // It uses a list already reported as bad.
                Ok(None) => continue,
                Err(reason) => {
                    let pattern = p.get_ref().clone();
                    self.report(p, ProblemKind::BadListUse { pattern, reason });
                    continue;
                }
            };
            match rubric.patterns.add_for(&source, party.sides()) {
                Ok(_) => rubric.pattern_owner.push(index),
                Err(e) => self.report(
                    p,
                    ProblemKind::BadPattern {
                        pattern: p.get_ref().clone(),
                        reason: e.to_string(),
                    },
                ),
            }
        }
        let first_regex = rubric.regexes.len();
        for r in &def.regex {
            if r.get_ref().is_empty() {
                self.report(r, ProblemKind::EmptyPattern);
                continue;
            }
            for (spoken, written) in super::unreachable::rewritten_words(r.get_ref()) {
                self.report(
                    r,
                    ProblemKind::SpokenRegexWord {
                        pattern: r.get_ref().clone(),
                        spoken,
                        written: written.to_string(),
                    },
                );
            }
            if let Err(e) = rubric.regexes.push(r.get_ref(), &mut rubric.patterns) {
                self.report(
                    r,
                    ProblemKind::BadRegex {
                        pattern: r.get_ref().clone(),
                        reason: e.to_string(),
                    },
                );
            }
        }
        Rule::Phrases {
            regexes: first_regex..rubric.regexes.len(),
        }
    }

    /// A reference from behaviour `from` to another, which must be a phrase or
    /// metric one, or a sequence above it: sequences are decided in file order, so
    /// an earlier one's occurrences are final when a later one reads them.
    fn reference(
        &mut self,
        r: &Spanned<String>,
        from: usize,
        ids: &HashMap<&str, usize>,
        raw: &RubricFile,
    ) -> Option<usize> {
        let found = ids.get(r.get_ref().as_str()).copied().filter(|&i| {
            let b = raw.behaviours[i].get_ref();
            !b.is_sequence() || i < from
        });
        if found.is_none() {
            self.report(
                r,
                ProblemKind::UnknownBehaviour {
                    found: r.get_ref().clone(),
                },
            );
        }
        found
    }
}

/// "first 20s", "last 30 s", "first 2 turns", "last 1 turn", "first 1 own turn".
fn parse_window(s: &str) -> Option<Window> {
    let words: Vec<&str> = s.split_whitespace().collect();
    if let [edge, amount, "own", unit] = words.as_slice() {
        let n: usize = amount.parse().ok().filter(|n| *n > 0)?;
        return match (*edge, *unit) {
            ("first", "turn" | "turns") => Some(Window::FirstOwnTurns(n)),
            ("last", "turn" | "turns") => Some(Window::LastOwnTurns(n)),
            _ => None,
        };
    }
    let (edge, amount, unit) = match words.as_slice() {
        [edge, rest] => {
            let split = rest.find(|c: char| !c.is_ascii_digit() && c != '.')?;
            (*edge, &rest[..split], &rest[split..])
        }
        [edge, amount, unit] => (*edge, *amount, *unit),
        _ => return None,
    };
    let n: f64 = amount.parse().ok().filter(|n: &f64| *n > 0.0)?;
    match (edge, unit) {
        ("first", "s") => Some(Window::FirstSeconds(n)),
        ("last", "s") => Some(Window::LastSeconds(n)),
        ("first", "turn" | "turns") => Some(Window::FirstTurns(n as usize)),
        ("last", "turn" | "turns") => Some(Window::LastTurns(n as usize)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_parse() {
        assert_eq!(parse_window("first 20s"), Some(Window::FirstSeconds(20.0)));
        assert_eq!(parse_window("last 30 s"), Some(Window::LastSeconds(30.0)));
        assert_eq!(parse_window("first 2 turns"), Some(Window::FirstTurns(2)));
        assert_eq!(
            parse_window("first 1 own turn"),
            Some(Window::FirstOwnTurns(1))
        );
        assert_eq!(
            parse_window("last 2 own turns"),
            Some(Window::LastOwnTurns(2))
        );
        assert_eq!(parse_window("middle 1 own turn"), None);
        assert_eq!(parse_window("first 0 own turns"), None);
        assert_eq!(parse_window("middle 2s"), None);
        assert_eq!(parse_window("first -2s"), None);
    }

    /// A rubric with one dimension and one behaviour, with the given values.
    fn rubric(weight: &str, base: &str, points: &str, pattern: &str) -> String {
        format!(
            "schema_version = 1\nid = \"x\"\nversion = \"1\"\n\n\
             [[dimension]]\nid = \"warmth\"\nname = \"Lämpö\"\nweight = {weight}\nbase = {base}\n\n\
             [[behaviour]]\nid = \"greeting\"\ndimension = \"warmth\"\nparty = \"agent\"\n\
             polarity = \"good\"\npoints = {points}\npatterns = [\"{pattern}\"]\n"
        )
    }

    fn problems(text: &str) -> Vec<(usize, String)> {
        match resolve("r.toml", text) {
            Ok(_) => Vec::new(),
            Err(RubricError::Invalid { problems, .. }) => problems
                .into_iter()
                .map(|p| (p.line, p.kind.to_string()))
                .collect(),
            Err(e) => panic!("unexpected error {e}"),
        }
    }

    #[test]
    fn a_sound_rubric_resolves() {
        assert_eq!(problems(&rubric("1.0", "50", "10", "hei")), []);
    }

    #[test]
    fn weights_and_bases_that_poison_every_score_are_refused_by_line() {
        for (weight, base) in [
            ("nan", "50"),
            ("inf", "50"),
            ("-inf", "50"),
            ("-1.0", "50"),
            ("0.0", "50"),
            ("1.0", "nan"),
            ("1.0", "inf"),
            ("1.0", "-0.5"),
            ("1.0", "100.5"),
        ] {
            let found = problems(&rubric(weight, base, "10", "hei"));
            assert_eq!(found.len(), 1, "weight {weight} base {base}: {found:?}");
            assert_eq!(found[0].0, 5, "the [[dimension]] line: {found:?}");
            assert!(found[0].1.contains("weight"), "{found:?}");
        }
    }

    #[test]
    fn points_that_are_not_a_finite_positive_number_are_refused_by_line() {
        for points in ["nan", "inf", "-inf", "-5", "0"] {
            let found = problems(&rubric("1.0", "50", points, "hei"));
            assert_eq!(found.len(), 1, "points {points}: {found:?}");
            assert_eq!(found[0].0, 12, "the behaviour's id line: {found:?}");
            assert!(found[0].1.contains("points"), "{found:?}");
        }
    }

    #[test]
    fn unbalanced_patterns_are_refused_by_line() {
        for pattern in ["tervetuloa(", "terve(tuloa", "tervetuloa)", "(hei|moi)x"] {
            let found = problems(&rubric("1.0", "50", "10", pattern));
            assert_eq!(found.len(), 1, "{pattern}: {found:?}");
            assert_eq!(found[0].0, 17, "the patterns line: {found:?}");
            assert!(found[0].1.contains(pattern), "{found:?}");
        }
    }

    #[test]
    fn a_regex_spelling_a_form_the_colloquial_table_rewrites_is_refused_by_line() {
        let with_regex = |regex: &str| {
            rubric("1.0", "50", "10", "hei").replace(
                "patterns = [\"hei\"]",
                &format!("patterns = [\"hei\"]\nregex = ['{regex}']"),
            )
        };
        let found = problems(&with_regex("(^| )(mun|minun) moka( |$)"));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, 18, "the regex line: {found:?}");
        assert!(
            found[0].1.contains("`mun`") && found[0].1.contains("write `minun`"),
            "{found:?}"
        );
        assert_eq!(problems(&with_regex("(^| )minun moka( |$)")), []);
    }

    const SPOT: &str = r#"
schema_version = 1
id = "t"
version = "1"

[[dimension]]
id = "d"
name = "D"
weight = 1
base = 50

[[behaviour]]
id = "b"
dimension = "d"
party = "agent"
polarity = "bad"
points = 10
patterns = ["ei kuulu meille"]
spot = ["tämä  ei kuulu meille", "ei kuulu*", "", "yksi kaksi kolme neljä viisi kuusi seitsemän kahdeksan yhdeksän", "täällä {name}", "{nimi}"]
"#;

    const LISTS: &str = r#"schema_version = 1
id = "x"
version = "1"

[[dimension]]
id = "ownership"
name = "Pallo"
weight = 1.0
base = 50

[[behaviour]]
id = "commitment"
dimension = "ownership"
party = "agent"
polarity = "good"
points = 10
patterns = ["<@taking:1sg.pres.ind> sen", "(@sorry|pahoittelen) * viivettä", "@thanks paljon"]
examples = ["no mä hoidan sen", "mä tarkistan sen heti", "anteeks tosi paljon viivettä", "kiitti paljon"]
counter_examples = ["mä hoidin sen", "kiitos", "mä korjaan sen"]

[lists]
taking = ["tarkistaa", "hoitaa"]
sorry = ["anteeksi"]
thanks = ["kiitos", "kiitti"]
"#;

    #[test]
    fn named_lists_stand_for_their_words_in_patterns() {
        let rubric = resolve("t.toml", LISTS).expect("valid");
        let (checked, failures) = crate::rubric::selftest::run(&rubric);
        assert_eq!(checked, 7);
        assert!(failures.is_empty(), "{failures:?}");
    }

    #[test]
    fn a_list_expands_inside_brackets_or_as_a_word() {
        let lists = HashMap::from([("v".to_string(), Some("a|b".to_string()))]);
        let expand = |p: &str| expand_lists(p, &lists);
        assert_eq!(expand("<@v:1sg> x").unwrap().unwrap(), "<a|b:1sg> x");
        assert_eq!(expand("(c|@v) @v").unwrap().unwrap(), "(c|a|b) (a|b)");
        assert_eq!(expand("ei listaa").unwrap().unwrap(), "ei listaa");
        assert!(expand("x@v").unwrap_err().contains("of its own"));
        assert!(expand("(@w|c)").unwrap_err().contains("no list `w`"));
        assert!(expand("@ x").unwrap_err().contains("name of a list"));
    }

    #[test]
    fn bad_lists_and_their_uses_are_reported_by_line() {
        let text = LISTS
            .replace("<@taking", "<@takin")
            .replace(r#"sorry = ["anteeksi"]"#, r#"sorry = ["anteeksi nyt"]"#)
            .replace(r#"thanks = ["kiitos", "kiitti"]"#, "thanks = []");
        let Err(RubricError::Invalid { problems, .. }) = resolve("t.toml", &text) else {
            panic!("bad lists must be reported");
        };
        let found: Vec<(usize, String)> = problems
            .iter()
            .map(|p| (p.line, p.kind.to_string()))
            .collect();
        assert!(
            found
                .iter()
                .any(|(line, m)| *line == 17 && m.contains("no list `takin`")),
            "{found:?}"
        );
        assert!(
            found
                .iter()
                .any(|(line, m)| *line == 23 && m.contains("`anteeksi nyt` is not one word")),
            "{found:?}"
        );
        assert!(
            found
                .iter()
                .any(|(line, m)| *line == 24 && m.contains("list `thanks` is empty")),
            "{found:?}"
        );
        assert_eq!(
            found.len(),
            3,
            "a bad list is reported once, not at every use: {found:?}"
        );
    }

    const CHAINED: &str = r#"schema_version = 1
id = "x"
version = "1"

[[dimension]]
id = "refusal"
name = "R"
weight = 1.0
base = 50

[[behaviour]]
id = "no"
party = "agent"
patterns = ["ei onnistu"]

[[behaviour]]
id = "done"
party = "any"
patterns = ["nyt se toimii"]

[[behaviour]]
id = "agent_done"
party = "agent"
when = "done"

[[behaviour]]
id = "flat_no"
dimension = "refusal"
party = "agent"
polarity = "bad"
points = 10
when = "no"
without_any = ["agent_done"]
turns_after = 1
examples = ["Ei onnistu.", "agent: Ei onnistu. | customer: Nyt se toimii."]
counter_examples = ["Ei onnistu. Nyt se toimii."]
"#;

    #[test]
    fn a_sequence_on_a_metric_has_the_metrics_moments_and_one_on_words_has_none() {
        let text = format!(
            "{CHAINED}
[[behaviour]]
id = \"silence\"
party = \"agent\"
metric = \"unannounced_hold\"

[[behaviour]]
id = \"silence_not_after_no\"
party = \"agent\"
when = \"silence\"
without_any = [\"no\"]

[[behaviour]]
id = \"no_or_silence\"
party = \"agent\"
when_any = [\"no\", \"silence\"]
"
        );
        let rubric = resolve("t.toml", &text).unwrap_or_else(|e| panic!("{e}"));
        let event = |id: &str| rubric.metric_event(rubric.behaviour(id).unwrap());
        assert_eq!(event("silence"), Some(MetricEvent::UnannouncedHold));
        assert_eq!(
            event("silence_not_after_no"),
            Some(MetricEvent::UnannouncedHold)
        );
        assert_eq!(event("flat_no"), None, "anchored on words");
        assert_eq!(
            event("no_or_silence"),
            None,
            "words or a silence: not timing alone"
        );
    }

    #[test]
    fn a_sequence_may_read_a_sequence_above_it_but_not_below() {
        let rubric = resolve("t.toml", CHAINED).unwrap_or_else(|e| panic!("{e}"));
        let (checked, failures) = crate::rubric::selftest::run(&rubric);
        assert_eq!(checked, 3);
        assert!(
            failures.is_empty(),
            "the customer's own words are not the agent's fix: {failures:?}"
        );

        // The same two sequences the other way round: `agent_done` is not decided yet.
        let (head, tail) =
            CHAINED.split_at(CHAINED.find("[[behaviour]]\nid = \"agent_done\"").unwrap());
        let (agent_done, flat_no) =
            tail.split_at(tail.find("[[behaviour]]\nid = \"flat_no\"").unwrap());
        let swapped = format!("{head}{flat_no}\n{agent_done}");
        let Err(RubricError::Invalid { problems, .. }) = resolve("t.toml", &swapped) else {
            panic!("a reference to a sequence below must be refused");
        };
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0]
                .kind
                .to_string()
                .contains("unknown behaviour `agent_done`")
        );
        assert!(
            problems[0]
                .kind
                .to_string()
                .contains("a sequence above this one")
        );
    }

    #[test]
    fn a_sequence_names_its_anchor_with_when_or_when_any_not_both() {
        let any = CHAINED.replace("when = \"done\"", "when_any = [\"done\", \"no\"]");
        assert!(resolve("t.toml", &any).is_ok());
        let both = CHAINED.replace("when = \"done\"", "when = \"done\"\nwhen_any = [\"no\"]");
        let Err(RubricError::Invalid { problems, .. }) = resolve("t.toml", &both) else {
            panic!("when and when_any together must be refused");
        };
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].kind.to_string().contains("when/when_any"));
        let unknown = CHAINED.replace("when = \"done\"", "when_any = [\"done\", \"nope\"]");
        assert!(resolve("t.toml", &unknown).is_err());
    }

    #[test]
    fn spot_phrases_must_be_words_as_spoken() {
        let Err(RubricError::Invalid { problems, .. }) = resolve("t.toml", SPOT) else {
            panic!("bad spot phrases must be reported");
        };
        let reasons: Vec<String> = problems.iter().map(|p| p.kind.to_string()).collect();
        assert_eq!(reasons.len(), 4, "{reasons:?}");
        assert!(reasons[0].contains("`*` is not a letter"), "{reasons:?}");
        assert!(reasons[1].contains("empty"), "{reasons:?}");
        assert!(reasons[2].contains("9 words"), "{reasons:?}");
        assert!(
            reasons[3].contains("`{` is not a letter"),
            "only `{{name}}` is a slot: {reasons:?}"
        );
        assert!(problems.iter().all(|p| p.line == 19), "{problems:?}");

        let good = SPOT.replace(r#", "ei kuulu*", "", "yksi kaksi kolme neljä viisi kuusi seitsemän kahdeksan yhdeksän""#, "")
            .replace(r#", "{nimi}""#, "");
        let rubric = resolve("t.toml", &good).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(rubric.behaviours[0].spot[0].phrase, "tämä ei kuulu meille");
        assert_eq!(rubric.behaviours[0].spot[0].line, 19);
        assert_eq!(
            rubric.behaviours[0].spot[1].phrase, "täällä {name}",
            "a name slot"
        );
    }
}
