//! Finnish numbers one to twelve as words, in the cases time expressions use
//! ("kolmelta", "kolmeen mennessä", "ennen kolmea", "kolmen aikaan", "kello
//! kolme"), spoken forms included ("kolmelt", "kahelta", "kaks"), and "-toista"
//! for eleven and twelve ("yhdeltätoista").

/// The grammatical case a number word is in, which decides what it means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Case {
    /// "kolme": after "kello", or "puoli kolme".
    Nominative,
    /// "kolmen": "kolmen aikaan", "kolmen tunnin", "kahden ja neljän välillä".
    Genitive,
    /// "kolmea": "ennen kolmea".
    Partitive,
    /// "kolmeen": "kolmeen mennessä".
    Illative,
    /// "kolmelta": at three.
    Ablative,
}

/// Forms of 1–10: nominative, genitive, partitive, illative, ablative (spoken
/// variants after a `|`).
const FORMS: [[&str; 5]; 10] = [
    [
        "yksi|yks",
        "yhden|yhen",
        "yhtä",
        "yhteen",
        "yhdeltä|yheltä|yhdelt|yhelt",
    ],
    [
        "kaksi|kaks",
        "kahden|kahen",
        "kahta",
        "kahteen",
        "kahdelta|kahelta|kahdelt|kahelt",
    ],
    [
        "kolme",
        "kolmen",
        "kolmea|kolmee",
        "kolmeen",
        "kolmelta|kolmelt",
    ],
    ["neljä", "neljän", "neljää", "neljään", "neljältä|neljält"],
    [
        "viisi|viis",
        "viiden|viien",
        "viittä",
        "viiteen",
        "viideltä|viieltä|viidelt|viielt",
    ],
    [
        "kuusi|kuus",
        "kuuden|kuuen",
        "kuutta",
        "kuuteen",
        "kuudelta|kuuelta|kuudelt|kuuelt",
    ],
    [
        "seitsemän|seittemän",
        "seitsemän|seittemän",
        "seitsemää|seitsentä",
        "seitsemään",
        "seitsemältä|seitsemält|seittemältä",
    ],
    [
        "kahdeksan|kaheksan",
        "kahdeksan|kaheksan",
        "kahdeksaa|kaheksaa",
        "kahdeksaan|kaheksaan",
        "kahdeksalta|kaheksalta|kahdeksalt|kaheksalt",
    ],
    [
        "yhdeksän|yheksän",
        "yhdeksän|yheksän",
        "yhdeksää|yheksää",
        "yhdeksään|yheksään",
        "yhdeksältä|yheksältä|yhdeksält|yheksält",
    ],
    [
        "kymmenen|kymmene",
        "kymmenen",
        "kymmentä",
        "kymmeneen",
        "kymmeneltä|kymmenelt",
    ],
];

const CASES: [Case; 5] = [
    Case::Nominative,
    Case::Genitive,
    Case::Partitive,
    Case::Illative,
    Case::Ablative,
];

/// The value of `word` as a number in `case`, if it is one; digits are any case.
pub fn in_case(word: &str, case: Case) -> Option<u32> {
    if let Ok(n) = word.parse::<u32>() {
        return Some(n);
    }
    if let Some(base) = word
        .strip_suffix("toista")
        .or_else(|| word.strip_suffix("toist"))
        && let Some(n) = in_case(base, case)
        && n <= 9
    {
        return Some(n + 10);
    }
    let column = CASES.iter().position(|c| *c == case)?;
    FORMS
        .iter()
        .position(|forms| forms[column].split('|').any(|f| f == word))
        .map(|i| i as u32 + 1)
}

/// The value of `word` as a number in any case, and the case.
pub fn any_case(word: &str) -> Option<(u32, Case)> {
    CASES
        .iter()
        .find_map(|&case| in_case(word, case).map(|n| (n, case)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_digits_and_teens_in_their_cases() {
        assert_eq!(in_case("kolmelta", Case::Ablative), Some(3));
        assert_eq!(in_case("kolmelta", Case::Illative), None);
        assert_eq!(in_case("kahelt", Case::Ablative), Some(2));
        assert_eq!(in_case("yhdeltätoista", Case::Ablative), Some(11));
        assert_eq!(in_case("kahteentoista", Case::Illative), Some(12));
        assert_eq!(in_case("neljää", Case::Partitive), Some(4));
        assert_eq!(in_case("15", Case::Genitive), Some(15));
        assert_eq!(any_case("seitsemän"), Some((7, Case::Nominative)));
        assert_eq!(any_case("kello"), None);
    }
}
