//! The customer key of a call given by phone number: the number is normalised to
//! international form and only a hash of it is kept (`tel:` and 32 hex digits of
//! its SHA-256), so the number itself never reaches the store, an export or a
//! message. The same number written `040 123 4567`, `+358 40 1234567` or
//! `00358401234567` gives the same key.
//!
//! The hash is a pseudonym, not anonymity: phone numbers are few enough that
//! hashing every possible one finds a key's number. Treat the store as personal
//! data either way.

use sha2::{Digest, Sha256};

/// What a hashed phone number's key starts with.
pub const PHONE_PREFIX: &str = "tel:";

/// Finland's country code, assumed for a national number (`040…`).
const NATIONAL_PREFIX: &str = "358";

/// The customer key for the phone number `raw`. The error never contains the
/// number (it is personal data), only what is wrong with it.
pub fn phone_key(raw: &str) -> Result<String, String> {
    let international = normalise(raw).ok_or_else(|| {
        format!(
            "customer_phone is not a phone number ({} characters; expected digits, spaces, \
             dashes or parentheses, in international form `+358 40 123 4567` or national \
             `040 123 4567`); the value is not shown because it is personal data",
            raw.chars().count()
        )
    })?;
    let digest = Sha256::digest(format!("kuulas customer phone\n{international}").as_bytes());
    Ok(format!("{PHONE_PREFIX}{}", &hex::encode(digest)[..32]))
}

/// `raw` as `+` and 7–15 digits, or `None` when it is not a phone number.
fn normalise(raw: &str) -> Option<String> {
    let mut digits = String::new();
    let mut plus = false;
    for c in raw.trim().chars() {
        match c {
            '0'..='9' => digits.push(c),
            '+' if digits.is_empty() && !plus => plus = true,
            ' ' | '-' | '(' | ')' | '.' | '/' => {}
            _ => return None,
        }
    }
    let international = if plus {
        digits
    } else if let Some(rest) = digits.strip_prefix("00") {
        rest.to_string()
    } else if let Some(rest) = digits.strip_prefix('0') {
        format!("{NATIONAL_PREFIX}{rest}")
    } else {
        digits
    };
    (7..=15)
        .contains(&international.len())
        .then(|| format!("+{international}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_number_written_many_ways_gives_one_key() {
        let key = phone_key("+358 40 123 4567").unwrap();
        assert!(key.starts_with("tel:") && key.len() == 4 + 32, "{key}");
        for same in [
            "040 123 4567",
            "040-1234567",
            "00358401234567",
            "358401234567",
            "(040) 123 45 67",
        ] {
            assert_eq!(phone_key(same).unwrap(), key, "{same}");
        }
        assert_ne!(phone_key("040 123 4568").unwrap(), key);
    }

    #[test]
    fn the_key_and_the_error_never_contain_the_number() {
        let key = phone_key("0401234567").unwrap();
        assert!(!key.contains("401234567"), "{key}");
        for bad in [
            "040 987 6543 ext 5",
            "98",
            "+358 40 9876543 9876 543",
            "++358409876543",
        ] {
            let err = phone_key(bad).unwrap_err();
            assert!(err.contains("customer_phone"), "{err}");
            assert!(!err.contains("98"), "{bad}: {err}");
        }
    }
}
