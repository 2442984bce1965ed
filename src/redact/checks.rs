//! Checksums that tell a real identifier from a number that only looks like one:
//! the Finnish personal identity code's check character, the IBAN's mod-97 and the
//! payment card's Luhn digit. Each takes the candidate with separators removed.

use time::{Date, Month};

/// Check characters of the personal identity code, indexed by the number mod 31.
const HETU_CHECK: &[u8; 31] = b"0123456789ABCDEFHJKLMNPRSTUVWXY";

/// Validates `DDMMYY`, the century sign, `NNN` and the check character: the date must
/// exist in its century and the check character must match. Accepts the signs of
/// 2023 (`B`–`F` for the 2000s, `U`–`Y` for the 1900s) as well as `+`, `-` and `A`.
pub fn hetu(code: &str) -> bool {
    let bytes = code.as_bytes();
    if bytes.len() != 11 {
        return false;
    }
    let century = match bytes[6].to_ascii_uppercase() {
        b'+' => 1800,
        b'-' | b'U'..=b'Y' => 1900,
        b'A'..=b'F' => 2000,
        _ => return false,
    };
    let (Some(date), Some(serial)) = (digits(&bytes[..6]), digits(&bytes[7..10])) else {
        return false;
    };
    let (day, month, year) = (date / 10_000, date / 100 % 100, date % 100);
    let Ok(month) = Month::try_from(month as u8) else {
        return false;
    };
    if Date::from_calendar_date(century + year as i32, month, day as u8).is_err() || serial < 2 {
        return false;
    }
    let index = ((date * 1000 + serial) % 31) as usize;
    HETU_CHECK[index] == bytes[10].to_ascii_uppercase()
}

/// The value of an all-digit slice, or `None` if any byte is not a digit.
fn digits(bytes: &[u8]) -> Option<u64> {
    bytes.iter().try_fold(0u64, |acc, &b| {
        b.is_ascii_digit().then(|| acc * 10 + u64::from(b - b'0'))
    })
}

/// Lengths of the IBANs a Finnish contact centre meets most; others are checked by
/// their checksum alone.
const IBAN_LENGTHS: [(&str, usize); 14] = [
    ("FI", 18),
    ("AX", 18),
    ("SE", 24),
    ("NO", 15),
    ("DK", 18),
    ("EE", 20),
    ("LV", 21),
    ("LT", 20),
    ("DE", 22),
    ("GB", 22),
    ("NL", 18),
    ("FR", 27),
    ("ES", 24),
    ("PL", 28),
];

/// Whether `iban` (in capitals) is of a country whose IBAN length is known here.
pub fn iban_country_known(iban: &str) -> bool {
    IBAN_LENGTHS
        .iter()
        .any(|(country, _)| iban.starts_with(country))
}

/// ISO 13616: two letters, two check digits, then up to 30 letters or digits; the
/// whole, moved four places and read with A=10..Z=35, must leave 1 modulo 97.
pub fn iban(candidate: &str) -> bool {
    let bytes = candidate.as_bytes();
    if !(15..=34).contains(&bytes.len())
        || !bytes[..2].iter().all(u8::is_ascii_uppercase)
        || !bytes[2..4].iter().all(u8::is_ascii_digit)
        || !bytes.iter().all(u8::is_ascii_alphanumeric)
    {
        return false;
    }
    let expected_len = IBAN_LENGTHS
        .iter()
        .find(|(country, _)| country.as_bytes() == &bytes[..2])
        .map(|(_, len)| *len);
    if expected_len.is_some_and(|len| len != bytes.len()) {
        return false;
    }
    let rearranged = bytes[4..].iter().chain(&bytes[..4]);
    let mut rest = 0u32;
    for &b in rearranged {
        let value = if b.is_ascii_digit() {
            u32::from(b - b'0')
        } else {
            u32::from(b.to_ascii_uppercase() - b'A') + 10
        };
        rest = if value >= 10 {
            (rest * 100 + value) % 97
        } else {
            (rest * 10 + value) % 97
        };
    }
    rest == 1
}

/// A payment card number: 13 to 19 digits whose Luhn sum is divisible by ten.
pub fn luhn(candidate: &str) -> bool {
    let bytes = candidate.as_bytes();
    if !(13..=19).contains(&bytes.len()) || !bytes.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let sum: u32 = bytes
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &b)| {
            let d = u32::from(b - b'0');
            match (i % 2 == 1, d * 2) {
                (true, doubled) if doubled > 9 => doubled - 9,
                (true, doubled) => doubled,
                (false, _) => d,
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_identity_codes_of_every_century_sign_pass() {
        // The Digital and Population Data Services Agency's examples.
        for code in [
            "131052-308T",
            "131052U308T",
            "131052W308T",
            "010594Y9032",
            "020502A903Y",
            "020502E903Y",
            "010150+002D",
            "311299-9872",
        ] {
            assert!(hetu(code), "{code}");
        }
        assert!(
            hetu("131052-308t"),
            "Whisper may write the check letter in lower case"
        );
    }

    #[test]
    fn identity_codes_with_a_wrong_check_date_or_sign_fail() {
        for code in [
            "131052-308U", // wrong check character
            "310252-308T", // 31 February
            "131352-308T", // month 13
            "131052G308T", // G is no century sign
            "131052-000T", // serial 000 is never issued
            "131052-308",
        ] {
            assert!(!hetu(code), "{code}");
        }
    }

    #[test]
    fn iban_checksum_accepts_real_and_refuses_altered_numbers() {
        assert!(iban("FI2112345600000785"));
        assert!(iban("GB82WEST12345698765432"));
        assert!(iban("DE89370400440532013000"));
        assert!(!iban("FI2112345600000786"));
        assert!(!iban("FI2212345600000785"));
        assert!(!iban("fi2112345600000785"));
    }

    #[test]
    fn luhn_accepts_test_cards_and_refuses_a_changed_digit() {
        assert!(luhn("4111111111111111"));
        assert!(luhn("5500005555555559"));
        assert!(luhn("378282246310005"));
        assert!(!luhn("4111111111111112"));
        assert!(!luhn("411111111111"));
    }
}
