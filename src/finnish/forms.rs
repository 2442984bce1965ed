//! Word forms: what an analysis says about a word (its lemma and a set of
//! [`Features`]: person and number, tense, mood, participles), and the
//! [`FormTest`] a rubric pattern writes as `<lemma|lemma:feature.feature>`.
//!
//! With Voikko a form is tested against Voikko's analyses. Without it (or for a
//! word Voikko does not know) the test falls back to the Snowball stem of the
//! lemma and to the endings the features usually have ("-n" first person
//! singular, "-ttu" past passive participle): an approximation, documented as
//! such in docs/rubric.md.

use crate::finnish::text;

/// A set of grammatical features, as bits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Features(u32);

const VERB: u32 = 1 << 0;
const IND: u32 = 1 << 10;
const PAST_PASS_PTCP: u32 = 1 << 13;
const PAST_ACT_PTCP: u32 = 1 << 14;

/// Feature names as patterns write them, and their bits.
const NAMES: &[(&str, u32)] = &[
    ("verb", VERB),
    ("1sg", 1 << 1),
    ("2sg", 1 << 2),
    ("3sg", 1 << 3),
    ("1pl", 1 << 4),
    ("2pl", 1 << 5),
    ("3pl", 1 << 6),
    ("pass", 1 << 7),
    ("pres", 1 << 8),
    ("past", 1 << 9),
    ("ind", IND),
    ("cond", 1 << 11),
    ("imp", 1 << 12),
    ("past-pass-ptcp", PAST_PASS_PTCP),
    ("past-act-ptcp", PAST_ACT_PTCP),
    ("conneg", 1 << 15),
];

/// The features that say how a word is inflected as a verb: person, voice, tense,
/// mood, participle, connegative (not "verb" or "ind", which every verb form has).
/// Of the sixteen named bits, so never [`VERB_OF_PARTICIPLE`].
const INFLECTION: u32 = ((1 << 16) - 1) & !VERB & !IND;

/// Both past participles.
const PARTICIPLES: u32 = PAST_PASS_PTCP | PAST_ACT_PTCP;
/// Marks the verb reading of a participle ([`Analysis::participle_verb`]); no pattern
/// names it, so only a test that asks for a participle accepts that reading.
const VERB_OF_PARTICIPLE: u32 = 1 << 16;

fn bit(name: &str) -> u32 {
    NAMES
        .iter()
        .find(|(n, _)| *n == name)
        .map_or(0, |(_, b)| *b)
}

impl Features {
    /// Parses `1sg.pres`; the unknown name is the error.
    pub fn parse(s: &str) -> Result<Features, String> {
        let mut bits = 0;
        for name in s.split('.').filter(|n| !n.is_empty()) {
            match bit(name) {
                0 => return Err(name.to_string()),
                b => bits |= b,
            }
        }
        Ok(Features(bits))
    }

    fn with(self, name: &str) -> Features {
        Features(self.0 | bit(name))
    }

    pub fn contains(self, other: Features) -> bool {
        self.0 & other.0 == other.0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Only the features of [`INFLECTION`]: how a verb form is inflected.
    pub fn inflection(self) -> Features {
        Features(self.0 & INFLECTION)
    }

    pub fn bits(self) -> u32 {
        self.0
    }

    /// The features' names joined by "+" ("1sg+pres"), in the order of [`NAMES`].
    pub fn to_names(self) -> String {
        let names: Vec<&str> = NAMES
            .iter()
            .filter(|(_, b)| self.0 & b != 0)
            .map(|(n, _)| *n)
            .collect();
        names.join("+")
    }

    /// Every feature name a pattern may use, for error messages and docs.
    pub fn names() -> impl Iterator<Item = &'static str> {
        NAMES.iter().map(|(n, _)| *n)
    }
}

/// One reading of a word: its lemma (lower case) and its features.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    pub lemma: Box<str>,
    pub features: Features,
}

impl Analysis {
    /// Builds an analysis from Voikko's attribute values, in the order of
    /// `voikko::KEYS`: BASEFORM, CLASS, PERSON, NUMBER, TENSE, MOOD, PARTICIPLE,
    /// NEGATIVE (an attribute Voikko does not give is empty).
    pub fn from_voikko(values: &[String; 8]) -> Analysis {
        let [
            base,
            class,
            person,
            number,
            tense,
            mood,
            participle,
            negative,
        ] = values.each_ref().map(String::as_str);
        let mut f = Features::default();
        if class == "teonsana" {
            f = f.with("verb");
        }
        f = f.with(match (person, number) {
            ("1", "singular") => "1sg",
            ("2", "singular") => "2sg",
            ("3", "singular") => "3sg",
            ("1", "plural") => "1pl",
            ("2", "plural") => "2pl",
            ("3", "plural") => "3pl",
            ("4", _) => "pass",
            _ => "",
        });
        f = f.with(match tense {
            "present_simple" => "pres",
            "past_imperfective" => "past",
            _ => "",
        });
        f = f.with(match mood {
            "indicative" => "ind",
            "conditional" => "cond",
            "imperative" => "imp",
            _ => "",
        });
        f = f.with(match participle {
            "past_passive" => "past-pass-ptcp",
            "past_active" => "past-act-ptcp",
            _ => "",
        });
        if negative == "true" {
            f = f.with("conneg");
        }
        Analysis {
            lemma: base.to_lowercase().into(),
            features: f,
        }
    }

    /// Voikko gives a past participle as a word of its own ("tehty", "poistanut": an
    /// adjective); the verb it comes from is the lemma in parentheses in its WORDBASES
    /// ("+teh(tehdä)+ty(+ty)"). That verb's reading lets `<tehdä:past-pass-ptcp>`
    /// match as the Snowball fallback reads it; a test that asks for no participle
    /// does not take it (`<käyttää>` in a question is not "käytetyt lakanat").
    /// `wordbases` is asked for only when this reading is a past participle.
    pub fn participle_verb(&self, wordbases: impl FnOnce() -> String) -> Option<Analysis> {
        if self.features.0 & PARTICIPLES == 0 {
            return None;
        }
        let wordbases = wordbases();
        let start = wordbases.find('(')? + 1;
        let verb = &wordbases[start..start + wordbases[start..].find(')')?];
        (!verb.is_empty() && !verb.starts_with('+') && *verb != *self.lemma).then(|| Analysis {
            lemma: verb.to_lowercase().into(),
            features: Features(self.features.0 | VERB_OF_PARTICIPLE),
        })
    }
}

/// What a pattern's `<lemma|lemma:features>` asks of a word.
#[derive(Debug, Clone, PartialEq)]
pub struct FormTest {
    /// Lemmas (lower case) the word may have; empty: any (`<*:…>`).
    pub lemmas: Vec<Box<str>>,
    /// Snowball stems of `lemmas`, for the fallback.
    stems: Vec<Box<str>>,
    pub features: Features,
}

impl FormTest {
    /// Parses the inside of `<…>`: `tarkistaa|selvittää:1sg.pres`, `tarkistaa`,
    /// `*:past-pass-ptcp`.
    pub fn parse(inner: &str) -> Result<FormTest, String> {
        let (lemmas, features) = inner.split_once(':').unwrap_or((inner, ""));
        let features =
            Features::parse(features).map_err(|name| format!("unknown form feature `{name}`"))?;
        let lemmas: Vec<Box<str>> = if lemmas == "*" {
            Vec::new()
        } else {
            lemmas
                .split('|')
                .map(|l| l.trim().to_lowercase().into())
                .collect()
        };
        if lemmas
            .iter()
            .any(|l| l.is_empty() || !l.chars().all(char::is_alphabetic))
        {
            return Err("each lemma must be one word, or `*` for any".into());
        }
        if lemmas.is_empty() && features.is_empty() {
            return Err("`<*>` needs features, e.g. `<*:past-pass-ptcp>`".into());
        }
        let stems = lemmas.iter().map(|l| text::stem(l).into()).collect();
        Ok(FormTest {
            lemmas,
            stems,
            features,
        })
    }

    /// Whether one analysis satisfies the test.
    pub fn accepts(&self, a: &Analysis) -> bool {
        if a.features.0 & VERB_OF_PARTICIPLE != 0 && self.features.0 & PARTICIPLES == 0 {
            return false;
        }
        a.features.contains(self.features)
            && (self.lemmas.is_empty() || self.lemmas.contains(&a.lemma))
    }

    /// A cheap necessary condition on the written word, checked before asking
    /// Voikko: it starts with a lemma's first letter (Finnish inflection never
    /// changes it, while the second may: "olla" → "on"), or (for `<*:…>`) has
    /// the endings of the features.
    pub fn may_match(&self, word: &str) -> bool {
        if self.lemmas.is_empty() {
            return guess(word).contains(self.features);
        }
        self.lemmas
            .iter()
            .any(|l| l.chars().next() == word.chars().next())
    }

    /// The test without Voikko: the lemma by Snowball stem (or the start of the
    /// stem before the consonant where gradation changes it: "hoita" ~ "hoidan"),
    /// the features by ending.
    pub fn guess(&self, word: &str, stem: &str) -> bool {
        let lemma = self.stems.is_empty()
            || self.stems.iter().any(|s| {
                // The stem without its vowels at the end and the consonant before
                // them, where gradation strikes ("hoita" → "hoi" ~ "hoidan").
                let head = s.trim_end_matches(|c: char| "aeiouyäö".contains(c));
                let head = &head[..head.len() - head.chars().last().map_or(0, char::len_utf8)];
                // Or the whole stem begins the word ("tila" ~ "tilasin").
                **s == *stem
                    || (s.chars().count() >= 4
                        && word.starts_with(&**s)
                        && word.chars().count() <= s.chars().count() + 5)
                    || (head.chars().count() >= 3
                        && word.starts_with(head)
                        && word.chars().count() <= s.chars().count() + 4)
            });
        lemma && guess(word).contains(self.features)
    }
}

/// Features a word's ending suggests, generously: a verb form's ending is taken
/// at its word.
fn guess(word: &str) -> Features {
    let f = Features::default().with("verb");
    let ends = |endings: &[&str]| {
        endings
            .iter()
            .any(|e| word.ends_with(e) && word.len() > e.len() + 1)
    };
    if ends(&["ttu", "tty", "tu", "ty"]) {
        return f.with("past-pass-ptcp");
    }
    if ends(&["nut", "nyt", "lut", "lyt", "rut", "ryt", "sut", "syt"]) {
        return f.with("past-act-ptcp");
    }
    if ends(&["taan", "tään", "daan", "dään"]) {
        return f.with("pass").with("pres").with("ind");
    }
    if ends(&["tiin"]) {
        return f.with("pass").with("past").with("ind");
    }
    if ends(&["kaa", "kää"]) {
        return f.with("2pl").with("imp");
    }
    if ends(&["isin"]) {
        return f.with("1sg").with("cond");
    }
    // The passive's negative form ("ei muuteta", "ei tehdä"); an infinitive or a
    // partitive ends the same way, so a pattern puts it after "ei".
    if ends(&["ta", "tä", "da", "dä"]) {
        return f.with("pass").with("pres").with("ind").with("conneg");
    }
    if ends(&["mme"]) {
        return f.with("1pl").with("pres").with("ind");
    }
    if ends(&["tte"]) {
        return f.with("2pl").with("pres").with("ind");
    }
    if ends(&["vat", "vät"]) {
        return f.with("3pl").with("pres").with("ind");
    }
    // Illatives ("vaihteeseen", "kysymyksiin") end like a first person but are none.
    if ends(&["seen", "siin"]) {
        return Features::default();
    }
    if ends(&["in"]) {
        return f.with("1sg").with("past").with("ind");
    }
    // "voit" is present, "toimitit" past: an "-it" may be either.
    if ends(&["it"]) {
        return f.with("2sg").with("pres").with("past").with("ind");
    }
    if ends(&["at", "ät", "et", "ot", "ut", "yt", "öt"]) {
        return f.with("2sg").with("pres").with("ind");
    }
    if ends(&["an", "en", "on", "un", "yn", "än", "ön"]) {
        return f.with("1sg").with("pres").with("ind");
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    fn voikko(base: &str, class: &str, person: &str, number: &str, tense: &str) -> Analysis {
        let v = [
            base,
            class,
            person,
            number,
            tense,
            "indicative",
            "",
            "false",
        ]
        .map(String::from);
        Analysis::from_voikko(&v)
    }

    #[test]
    fn voikko_attributes_become_features() {
        let a = voikko("tarkistaa", "teonsana", "1", "singular", "present_simple");
        assert_eq!(&*a.lemma, "tarkistaa");
        assert!(
            a.features
                .contains(Features::parse("verb.1sg.pres.ind").unwrap())
        );
        assert!(!a.features.contains(Features::parse("past").unwrap()));
        let p = voikko("selvittää", "teonsana", "4", "", "present_simple");
        assert!(p.features.contains(Features::parse("pass.pres").unwrap()));
        assert!(!p.features.contains(Features::parse("1sg").unwrap()));
    }

    #[test]
    fn a_past_participle_is_also_read_as_its_verb() {
        let v = [
            "poistanut",
            "laatusana",
            "",
            "singular",
            "",
            "",
            "past_active",
            "",
        ]
        .map(String::from);
        let participle = Analysis::from_voikko(&v);
        let verb = participle
            .participle_verb(|| "+poista(poistaa)+n+ut(+ut)".into())
            .expect("a past participle names its verb");
        assert_eq!(&*verb.lemma, "poistaa");
        assert!(
            FormTest::parse("poistaa:past-act-ptcp")
                .unwrap()
                .accepts(&verb)
        );
        assert!(
            !FormTest::parse("poistaa").unwrap().accepts(&verb),
            "a test that asks for no participle reads no participle as its verb"
        );
        let adjective = voikko("iso", "laatusana", "", "singular", "");
        assert!(
            adjective
                .participle_verb(|| unreachable!("only a participle's word bases are read"))
                .is_none()
        );
    }

    #[test]
    fn a_test_asks_for_its_lemmas_and_every_feature() {
        let t = FormTest::parse("tarkistaa|hoitaa:1sg.pres").unwrap();
        let hoidan = voikko("hoitaa", "teonsana", "1", "singular", "present_simple");
        let hoidin = voikko("hoitaa", "teonsana", "1", "singular", "past_imperfective");
        let katson = voikko("katsoa", "teonsana", "1", "singular", "present_simple");
        assert!(t.accepts(&hoidan));
        assert!(!t.accepts(&hoidin), "past, not present");
        assert!(!t.accepts(&katson), "not one of the lemmas");
        assert!(FormTest::parse("*:1sg").unwrap().accepts(&katson));
    }

    #[test]
    fn malformed_tests_are_rejected() {
        assert!(
            FormTest::parse("tarkistaa:1st")
                .unwrap_err()
                .contains("`1st`")
        );
        assert!(FormTest::parse("*").is_err());
        assert!(FormTest::parse("tarkistaa|").is_err());
        assert!(FormTest::parse("ota yhteyttä").is_err());
    }

    #[test]
    fn the_fallback_reads_stems_and_endings() {
        let t = FormTest::parse("tarkistaa|hoitaa:1sg.pres").unwrap();
        assert!(t.guess("tarkistan", &text::stem("tarkistan")));
        assert!(t.guess("hoidan", &text::stem("hoidan")), "gradation");
        assert!(!t.guess("tarkistin", &text::stem("tarkistin")), "past");
        assert!(!t.guess("katson", &text::stem("katson")));
        let perf = FormTest::parse("*:past-pass-ptcp").unwrap();
        assert!(perf.guess("korjattu", "korjat"));
        assert!(!perf.guess("korjaan", "korja"));
        assert!(perf.may_match("siirretty"));
        assert!(!perf.may_match("siirrän"));
        assert!(t.may_match("hoidan") && !t.may_match("kiitos"));
        let conneg = FormTest::parse("*:pass.conneg").unwrap();
        assert!(conneg.may_match("muuteta"), "Voikko is asked about it");
        assert!(conneg.guess("muuteta", &text::stem("muuteta")));
        assert!(!conneg.guess("muutetaan", &text::stem("muutetaan")));
        let past = FormTest::parse("tilata:1sg.past").unwrap();
        assert!(
            past.guess("tilasin", &text::stem("tilasin")),
            "the whole stem begins it"
        );
        let imp = FormTest::parse("näyttää:2pl.imp").unwrap();
        assert!(imp.guess("näyttäkää", &text::stem("näyttäkää")));
        assert!(
            !imp.guess("näytän", &text::stem("näytän")),
            "not the imperative"
        );
        let pres2 = FormTest::parse("toimittaa:2sg.pres").unwrap();
        assert!(pres2.guess("toimitat", &text::stem("toimitat")));
        assert!(!pres2.guess("toimitan", &text::stem("toimitan")));
        let vaihtaa = FormTest::parse("vaihtaa:1sg.pres").unwrap();
        assert!(vaihtaa.guess("vaihdan", &text::stem("vaihdan")));
        assert!(
            !vaihtaa.guess("vaihteeseen", &text::stem("vaihteeseen")),
            "an illative of the same stem"
        );
        let olla = FormTest::parse("olla").unwrap();
        assert!(
            olla.may_match("on"),
            "Voikko is asked about suppletive forms"
        );
    }
}
