//! One store, one runner: an exclusive advisory lock on `<store>.lock`. The
//! operating system drops the lock when the process dies, so a `kill -9` leaves no
//! stale lock behind and the next run can start at once.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

use super::StoreError;

/// Held for as long as a batch runs against the store; released on drop or death.
#[derive(Debug)]
pub struct RunLock {
    _file: File,
    path: PathBuf,
}

impl RunLock {
    /// Takes the lock for `store_path` without waiting.
    pub fn acquire(store_path: &Path) -> Result<RunLock, StoreError> {
        let mut name = store_path.as_os_str().to_owned();
        name.push(".lock");
        let path = PathBuf::from(name);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|source| StoreError::LockFile {
                path: path.clone(),
                source,
            })?;
        match fs4::FileExt::try_lock(&file) {
            Ok(()) => Ok(RunLock { _file: file, path }),
            Err(fs4::TryLockError::WouldBlock) => Err(StoreError::Locked { path }),
            Err(fs4::TryLockError::Error(source)) => Err(StoreError::LockFile { path, source }),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_lock_on_same_store_is_refused_until_first_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("kuulas.sqlite");
        let first = RunLock::acquire(&store).unwrap();
        assert!(first.path().ends_with("kuulas.sqlite.lock"));
        assert!(matches!(
            RunLock::acquire(&store),
            Err(StoreError::Locked { .. })
        ));
        drop(first);
        assert!(RunLock::acquire(&store).is_ok());
    }
}
