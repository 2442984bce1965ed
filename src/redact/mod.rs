//! Privacy by default: finds personal data in transcript text — Finnish personal
//! identity codes, phone numbers, IBANs, payment card numbers and e-mail addresses —
//! and removes it from the text and, through the word timestamps, from the audio.
//!
//! Numbers are found however Whisper wrote them: as digits or as Finnish number
//! words, standard or colloquial ("nolla neljä nolla", "nelkytviis"), and the whole
//! spoken stretch is redacted.
//!
//! Only validated items are redacted: an identity code, IBAN or card number whose
//! checksum fails is left as it is, so ordinary numbers (order ids, amounts) survive.
//! Everything here is a pure function; [`mute`] changes samples in place.
//!
//! Architecture invariant: redact does no IO.

mod checks;
mod find;
mod spans;
mod spoken;

pub use find::find;
pub use spans::{mute, transcript};

/// What kind of personal data a [`Finding`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    PersonalId,
    Phone,
    Iban,
    Card,
    Email,
}

impl Kind {
    /// The placeholder that replaces the item in redacted text.
    pub fn placeholder(self) -> &'static str {
        match self {
            Kind::PersonalId => "[hetu]",
            Kind::Phone => "[puhelinnumero]",
            Kind::Iban => "[tilinumero]",
            Kind::Card => "[korttinumero]",
            Kind::Email => "[sähköposti]",
        }
    }
}

/// One item of personal data: its kind and byte range in the text searched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Finding {
    pub kind: Kind,
    pub start: usize,
    pub end: usize,
}

/// A stretch of the recording, in seconds, that carried personal data.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TimeSpan {
    pub start: f64,
    pub end: f64,
}

/// `input` with every finding replaced by its kind's placeholder.
pub fn text(input: &str) -> String {
    replace(input, &find(input))
}

fn replace(input: &str, findings: &[Finding]) -> String {
    let mut out = String::with_capacity(input.len());
    let mut at = 0;
    for f in findings {
        out.push_str(&input[at..f.start]);
        out.push_str(f.kind.placeholder());
        at = f.end;
    }
    out.push_str(&input[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(input: &str) -> Vec<Kind> {
        find(input).into_iter().map(|f| f.kind).collect()
    }

    #[test]
    fn valid_identity_code_is_replaced_and_invalid_one_kept() {
        assert_eq!(
            text("mun hetu on 131052-308T kiitos"),
            "mun hetu on [hetu] kiitos"
        );
        assert_eq!(text("uusi muoto 010594Y9032."), "uusi muoto [hetu].");
        let invalid = "mun hetu on 131052-308U kiitos";
        assert_eq!(text(invalid), invalid);
        assert!(
            kinds("010101-1234").is_empty(),
            "invalid hetu is no phone either"
        );
    }

    #[test]
    fn iban_with_and_without_spaces_is_replaced_only_when_valid() {
        assert_eq!(
            text("tilinumero FI21 1234 5600 0007 85 ja summa 12"),
            "tilinumero [tilinumero] ja summa 12"
        );
        assert_eq!(text("FI2112345600000785"), "[tilinumero]");
        let invalid = "tilinumero FI21 1234 5600 0007 86";
        assert!(!kinds(invalid).contains(&Kind::Iban));
    }

    #[test]
    fn card_number_needs_a_valid_luhn_digit() {
        assert_eq!(
            text("kortti 4111 1111 1111 1111 käy"),
            "kortti [korttinumero] käy"
        );
        assert!(!kinds("kortti 4111 1111 1111 1112").contains(&Kind::Card));
    }

    #[test]
    fn finnish_phone_numbers_in_written_and_spoken_forms() {
        for (input, expected) in [
            (
                "soita 040 123 4567 huomenna",
                "soita [puhelinnumero] huomenna",
            ),
            ("numero on +358 40 123 4567.", "numero on [puhelinnumero]."),
            ("050-7654321", "[puhelinnumero]"),
            (
                "se on nolla neljä nolla, yks kaks kolme neljä viis kuus seittemän joo",
                "se on [puhelinnumero] joo",
            ),
        ] {
            assert_eq!(text(input), expected, "{input}");
        }
        for ordinary in [
            "tilaus 12345 maksoi 40 euroa",
            "kaksi kolme kertaa",
            "vuonna 2026",
        ] {
            assert_eq!(text(ordinary), ordinary);
        }
    }

    #[test]
    fn email_addresses_are_replaced() {
        assert_eq!(
            text("laita viesti matti.meikalainen@example.fi kiitos"),
            "laita viesti [sähköposti] kiitos"
        );
    }

    #[test]
    fn email_with_letters_beyond_ascii_is_replaced_whole() {
        assert_eq!(
            text("osoite on matti.meikäläinen@esimerkki.fi kiitos"),
            "osoite on [sähköposti] kiitos"
        );
        assert_eq!(text("äijä@yhtiö.fi"), "[sähköposti]");
    }

    #[test]
    fn identity_code_with_spaces_around_the_century_sign() {
        assert_eq!(text("hetu 131052 - 308T joo"), "hetu [hetu] joo");
        assert_eq!(text("131052 A 308T"), "[hetu]");
        assert_eq!(text("131052 - 308U"), "131052 - 308U");
    }

    #[test]
    fn iban_with_a_spaced_or_lower_case_country_code_is_replaced_whole() {
        assert_eq!(text("tili FI 21 1234 5600 0007 85."), "tili [tilinumero].");
        assert_eq!(text("tili fi21 1234 5600 0007 85"), "tili [tilinumero]");
        assert_eq!(text("fi2112345600000785"), "[tilinumero]");
        assert_eq!(text("fi22 1234 5600 0007 85"), "fi22 1234 5600 0007 85");
    }

    #[test]
    fn numbers_spoken_as_words_are_found_by_their_checksum() {
        for (input, expected) in [
            (
                "hetu on kolmetoista kymmenen viisikymmentäkaksi viiva kolmesataakahdeksan tee kiitos",
                "hetu on [hetu] kiitos",
            ),
            (
                "äf ii kaksikymmentäyksi kaksitoista kolmekymmentäneljä viisikymmentäkuusi nolla nolla nolla nolla nolla seitsemän kahdeksankymmentäviisi",
                "[tilinumero]",
            ),
            (
                "kortti neljäkymmentäyksi yksitoista yksitoista yksitoista yksitoista yksitoista yksitoista yksitoista",
                "kortti [korttinumero]",
            ),
            (
                "numero on plus kolme viisi kahdeksan nelkyt sata kakskytkolme nelkytviis kuuskytseittemän",
                "numero on [puhelinnumero]",
            ),
            ("nolla nelkytviis kasi yks kaks kolme", "[puhelinnumero]"),
        ] {
            assert_eq!(text(input), expected, "{input}");
        }
        let invalid = "kolmetoista kymmenen viisikymmentäkaksi viiva kolmesataakahdeksan uu";
        assert_eq!(text(invalid), invalid);
    }

    #[test]
    fn dates_decimals_and_numbers_starting_00_are_no_phone_numbers() {
        for ordinary in [
            "eräpäivä 05.12.2025",
            "eräpäivä 5.12.2025 klo 09.30",
            "tilausnumero 00123456",
            "hinnat 0,99, 1,49 ja 0,50",
            "se maksoi nelkytviis euroa",
        ] {
            assert_eq!(text(ordinary), ordinary);
        }
    }

    #[test]
    fn findings_are_ordered_and_disjoint() {
        let input = "131052-308T, 040 123 4567 ja a@b.fi";
        let found = find(input);
        assert_eq!(found.len(), 3);
        assert!(found.windows(2).all(|w| w[0].end <= w[1].start));
    }
}
