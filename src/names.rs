//! File names for calls: one name per call id, safe on any file system. Shared by
//! `batch` (the per-call files of `kuulas run`), `packet` (its pages and audio) and
//! `calibrate` (links to packet pages), so neither depends on the other for it.

use sha2::{Digest, Sha256};

const MAX_NAME_CHARS: usize = 100;

/// A file name for `call_id`, unique per call id by construction. An id made
/// only of lower-case ASCII letters, digits, `-`, `_` and `.` (not starting with a
/// dot, no `..`, at most 100 characters) is its own name. Any other id gets a
/// readable prefix (the id with every other character replaced by `_`) and `~`
/// plus 16 hex digits of the SHA-256 of the id: plain names never contain `~`, so
/// no id can take another's name — `sub_c` and `sub/c` get different files, and
/// so do `Call` and `call` on a case-insensitive file system.
pub fn file_name_for(call_id: &str) -> String {
    if is_plain(call_id) {
        return call_id.to_string();
    }
    let mut prefix = String::new();
    for c in call_id.chars().take(MAX_NAME_CHARS) {
        let keep = c.is_ascii_alphanumeric()
            || "-_".contains(c)
            || (c == '.' && !prefix.is_empty() && !prefix.ends_with('.'));
        prefix.push(if keep { c } else { '_' });
    }
    let hash = hex::encode(Sha256::digest(call_id.as_bytes()));
    format!("{prefix}~{}", &hash[..16])
}

/// True when `call_id` is safe as a file name on any file system as it is.
fn is_plain(call_id: &str) -> bool {
    !call_id.is_empty()
        && call_id.len() <= MAX_NAME_CHARS
        && !call_id.starts_with('.')
        && !call_id.contains("..")
        && call_id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-_.".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_ids_keep_their_name() {
        assert_eq!(file_name_for("call-0001_b.v2"), "call-0001_b.v2");
    }

    #[test]
    fn unsafe_ids_lose_separators_and_dots() {
        for id in [
            "../etc/passwd",
            "a..b",
            "a/b",
            "a\\b",
            ".hidden",
            "äänitys 1",
            "",
            "x\0y",
            "Call-1",
        ] {
            let name = file_name_for(id);
            assert!(
                !name.contains('/') && !name.contains('\\') && !name.contains(".."),
                "{name}"
            );
            assert!(!name.starts_with('.') && !name.is_empty(), "{name}");
            assert!(
                name.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.~".contains(c)),
                "{name}"
            );
        }
        assert!(file_name_for(&"x".repeat(500)).len() <= MAX_NAME_CHARS + 17);
    }

    /// Issue 20, defect 3: `sub_c-<hash>`, the old cleaned-up name of `sub/c`, was
    /// itself a plain id, so both calls wrote the same files.
    #[test]
    fn no_id_takes_the_name_of_another() {
        let nested = file_name_for("sub/c");
        let ids = [
            "sub/c".to_string(),
            nested.clone(),
            format!("sub_c-{}", &hex::encode(Sha256::digest(b"sub/c"))[..8]),
            "sub_c".into(),
            "sub\\c".into(),
            "Sub_c".into(),
            "SUB_C".into(),
            "a/b".into(),
            "a_b".into(),
            format!("{}x", "y".repeat(MAX_NAME_CHARS)),
            format!("{}z", "y".repeat(MAX_NAME_CHARS)),
        ];
        let mut names = std::collections::HashMap::new();
        for id in &ids {
            // Compared case-insensitively: a share may fold case.
            let name = file_name_for(id).to_ascii_lowercase();
            if let Some(other) = names.insert(name.clone(), id) {
                panic!("{id:?} and {other:?} share the file name {name}");
            }
        }
    }
}
