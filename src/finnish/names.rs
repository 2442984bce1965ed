//! A gazetteer of Finnish first names: the 398 of Faker's fi_FI locale (MIT),
//! extracted by `scripts/extract-first-names.py` into `data/first_names_fi.txt`,
//! which carries the licence. Rubric patterns read a name as `{name}`.

use std::collections::HashSet;
use std::sync::OnceLock;

/// The data file, built in.
const FIRST_NAMES: &str = include_str!("../../data/first_names_fi.txt");

/// Whether `word` (lower case, one word) is a first name, or one part of a
/// hyphenated one ("Anna-Liisa" gives "anna" and "liisa").
pub fn is_first_name(word: &str) -> bool {
    static NAMES: OnceLock<HashSet<String>> = OnceLock::new();
    NAMES
        .get_or_init(|| {
            first_names()
                .iter()
                .flat_map(|name| name.split('-'))
                .map(|part| part.trim().to_lowercase())
                .filter(|part| !part.is_empty())
                .collect()
        })
        .contains(word)
}

/// Every first name of the gazetteer as written ("Anna-Liisa").
pub fn first_names() -> &'static [String] {
    static NAMES: OnceLock<Vec<String>> = OnceLock::new();
    NAMES.get_or_init(|| {
        FIRST_NAMES
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(str::to_string)
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_from_the_data_file_are_known_in_lower_case() {
        assert!(is_first_name("pekka"));
        assert!(is_first_name("liisa"), "part of Anna-Liisa");
        assert!(!is_first_name("Pekka"), "callers lower-case first");
        assert!(!is_first_name("asiakaspalvelu"));
        assert!(!is_first_name("copyright"), "the licence header is no name");
    }

    #[test]
    fn the_list_holds_the_names_as_written() {
        let names = first_names();
        assert!(names.iter().any(|n| n == "Pekka"));
        assert!(names.iter().all(|n| !n.starts_with('#') && !n.is_empty()));
    }
}
