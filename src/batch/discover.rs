//! Finding recordings: a recursive walk of the input directory that follows
//! symlinks, reports directory loops and unreadable directories instead of hanging
//! or giving up, and skips hidden entries (editors' and kuulas's own temporary files).

use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use walkdir::WalkDir;

/// File extensions (lower case) treated as recordings.
pub const RECORDING_EXTENSIONS: &[&str] = &["wav", "mp3", "flac", "ogg", "oga"];

/// A recording found on disk, with the cheap half of its fingerprint.
#[derive(Debug, Clone)]
pub struct Recording {
    pub path: PathBuf,
    /// Path below the input directory; the default call id is derived from it.
    pub relative: PathBuf,
    pub size: u64,
    pub mtime_ns: i64,
}

/// Something the walk could not look into.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiscoveryProblem {
    /// A symlink leads back to one of its own ancestors; its contents were already seen.
    Loop { path: PathBuf, ancestor: PathBuf },
    /// A directory or file could not be read; recordings in it were not processed.
    Unreadable { path: PathBuf, message: String },
}

impl DiscoveryProblem {
    /// Loops lose nothing; an unreadable entry may hide recordings.
    pub fn loses_recordings(&self) -> bool {
        matches!(self, DiscoveryProblem::Unreadable { .. })
    }
}

impl std::fmt::Display for DiscoveryProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DiscoveryProblem::Loop { path, ancestor } => write!(
                f,
                "{}: symlink loop back to {}; skipped (its recordings are reached by the other path)",
                path.display(),
                ancestor.display()
            ),
            DiscoveryProblem::Unreadable { path, message } => {
                write!(
                    f,
                    "{}: cannot read: {message}; check its permissions",
                    path.display()
                )
            }
        }
    }
}

#[derive(Debug, Default)]
pub struct Discovered {
    /// Sorted by path, so runs are reproducible.
    pub recordings: Vec<Recording>,
    pub problems: Vec<DiscoveryProblem>,
}

/// Walks `root` for recordings. Their paths are absolute (the store keeps them, and
/// `kuulas packet` reads them from wherever it runs), even for a relative `root`.
pub fn discover(root: &Path) -> Discovered {
    let absolute = std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf());
    let root = absolute.as_path();
    let mut found = Discovered::default();
    let walk = WalkDir::new(root)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().as_encoded_bytes().starts_with(b"."));
    for entry in walk {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                found.problems.push(problem(root, &e));
                continue;
            }
        };
        if !entry.file_type().is_file() || !is_recording(entry.path()) {
            continue;
        }
        match entry.metadata() {
            Ok(meta) => found.recordings.push(Recording {
                relative: entry
                    .path()
                    .strip_prefix(root)
                    .unwrap_or(entry.path())
                    .to_path_buf(),
                path: entry.into_path(),
                size: meta.len(),
                mtime_ns: meta.modified().map(mtime_ns).unwrap_or(0),
            }),
            Err(e) => found.problems.push(problem(root, &e)),
        }
    }
    found
}

fn problem(root: &Path, e: &walkdir::Error) -> DiscoveryProblem {
    let path = e.path().unwrap_or(root).to_path_buf();
    match e.loop_ancestor() {
        Some(ancestor) => DiscoveryProblem::Loop {
            path,
            ancestor: ancestor.to_path_buf(),
        },
        None => DiscoveryProblem::Unreadable {
            path,
            message: e
                .io_error()
                .map_or_else(|| e.to_string(), |io| io.to_string()),
        },
    }
}

fn is_recording(path: &Path) -> bool {
    path.extension()
        .and_then(|ext| ext.to_str())
        .is_some_and(|ext| {
            RECORDING_EXTENSIONS
                .iter()
                .any(|known| ext.eq_ignore_ascii_case(known))
        })
}

/// Nanoseconds since the Unix epoch; negative before it.
pub fn mtime_ns(t: std::time::SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_nanos().min(i64::MAX as u128) as i64,
        Err(e) => -(e.duration().as_nanos().min(i64::MAX as u128) as i64),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn finds_recordings_recursively_and_skips_others() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("a/b")).unwrap();
        fs::create_dir_all(dir.path().join(".hidden")).unwrap();
        for name in [
            "x.wav",
            "a/y.MP3",
            "a/b/z.oga",
            "a/notes.txt",
            ".hidden/h.wav",
            "a/.tmp.wav",
        ] {
            fs::write(dir.path().join(name), b"data").unwrap();
        }
        let found = discover(dir.path());
        let names: Vec<_> = found
            .recordings
            .iter()
            .map(|r| r.relative.clone())
            .collect();
        assert_eq!(names, ["a/b/z.oga", "a/y.MP3", "x.wav"].map(PathBuf::from));
        assert!(found.problems.is_empty());
        assert_eq!(found.recordings[0].size, 4);
    }

    #[cfg(unix)]
    #[test]
    fn directory_loop_is_reported_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("day")).unwrap();
        fs::write(dir.path().join("day/call.wav"), b"data").unwrap();
        std::os::unix::fs::symlink(dir.path(), dir.path().join("day/back")).unwrap();
        let found = discover(dir.path());
        assert_eq!(found.recordings.len(), 1);
        assert!(matches!(
            found.problems.as_slice(),
            [DiscoveryProblem::Loop { .. }]
        ));
        assert!(!found.problems[0].loses_recordings());
    }
}
