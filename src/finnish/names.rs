//! Gazetteers of Finnish names: the 398 first names and 400 surnames of Faker's
//! fi_FI locale (MIT), extracted by `scripts/extract-names.py` into
//! `data/first_names_fi.txt` and `data/last_names_fi.txt`, which carry the licence.
//! Rubric patterns read a first name as `{name}` and a surname as `{surname}`.

use std::collections::HashSet;
use std::sync::OnceLock;

/// The data files, built in.
const FIRST_NAMES: &str = include_str!("../../data/first_names_fi.txt");
const LAST_NAMES: &str = include_str!("../../data/last_names_fi.txt");

/// Whether `word` (lower case, one word) is a first name, or one part of a
/// hyphenated one ("Anna-Liisa" gives "anna" and "liisa").
pub fn is_first_name(word: &str) -> bool {
    static NAMES: OnceLock<HashSet<String>> = OnceLock::new();
    NAMES
        .get_or_init(|| lower_parts(first_names()))
        .contains(word)
}

/// Whether `word` (lower case, one word) is a surname of the gazetteer.
pub fn is_last_name(word: &str) -> bool {
    static NAMES: OnceLock<HashSet<String>> = OnceLock::new();
    NAMES
        .get_or_init(|| lower_parts(&lines(LAST_NAMES)))
        .contains(word)
}

/// Every first name of the gazetteer as written ("Anna-Liisa").
pub fn first_names() -> &'static [String] {
    static NAMES: OnceLock<Vec<String>> = OnceLock::new();
    NAMES.get_or_init(|| lines(FIRST_NAMES))
}

fn lines(file: &str) -> Vec<String> {
    file.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

fn lower_parts(names: &[String]) -> HashSet<String> {
    names
        .iter()
        .flat_map(|name| name.split('-'))
        .map(|part| part.trim().to_lowercase())
        .filter(|part| !part.is_empty())
        .collect()
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
    fn surnames_are_a_list_of_their_own() {
        assert!(is_last_name("forsman"));
        assert!(is_last_name("heikkinen"));
        assert!(!is_last_name("pekka"), "a first name");
        assert!(!is_last_name("asiakaspalvelu"));
        assert!(!is_last_name("copyright"), "the licence header is no name");
    }

    #[test]
    fn the_list_holds_the_names_as_written() {
        let names = first_names();
        assert!(names.iter().any(|n| n == "Pekka"));
        assert!(names.iter().all(|n| !n.starts_with('#') && !n.is_empty()));
    }
}
