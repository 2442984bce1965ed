//! The packet's folder, which kuulas owns: it holds exactly one packet. A new
//! packet is built in a temporary folder beside it and swapped in whole, so the
//! folder shows the previous packet until the new one is complete, then the new
//! one, never a mix (a redacted packet never keeps an earlier unredacted page or
//! WAV). A marker file ([`MARKER`]) says a folder is a kuulas packet; a non-empty
//! folder without one is refused rather than overwritten. Temporary folders a
//! killed `kuulas packet` left are swept by the next one, which holds a lock
//! beside the folder so that it never sweeps a live packet's.

use std::ffi::OsString;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::PacketError;

/// The file in a packet folder that marks it as kuulas's and lists what it holds.
pub const MARKER: &str = ".kuulas-packet.json";
const MARKER_SCHEMA_VERSION: u32 = 1;
/// Length of the random part of a temporary folder's name.
const RANDOM_CHARS: usize = 8;

/// The marker file's content: which kuulas wrote the packet, when, and what it
/// holds; read back from the packet a write replaces.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Marker {
    pub schema_version: u32,
    pub kuulas_version: String,
    /// RFC 3339.
    pub written_at: String,
    pub redacted: bool,
    /// Every file of the packet, relative to its folder.
    pub files: Vec<String>,
}

impl Marker {
    /// The marker of a packet written now.
    pub fn new(redacted: bool, files: Vec<String>) -> Marker {
        Marker {
            schema_version: MARKER_SCHEMA_VERSION,
            kuulas_version: env!("CARGO_PKG_VERSION").to_string(),
            written_at: now_rfc3339(),
            redacted,
            files,
        }
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        // A struct of strings, a bool and numbers always serialises.
        let mut bytes = serde_json::to_vec_pretty(self).unwrap_or_default();
        bytes.push(b'\n');
        bytes
    }
}

/// A packet folder claimed for writing: locked, swept, and checked to be a
/// packet (or nothing yet).
pub struct PacketFolder {
    target: PathBuf,
    parent: PathBuf,
    name: OsString,
    /// Temporary folders of interrupted packets that were removed.
    pub swept: usize,
    previous: Option<Marker>,
    _lock: std::fs::File,
}

impl PacketFolder {
    /// Claims `out_dir` (or the folder it links to) for a new packet.
    pub fn open(out_dir: &Path) -> Result<PacketFolder, PacketError> {
        let target = resolve_target(out_dir)?;
        let (parent, name) = split(&target)?;
        let staging_err = |source| PacketError::Staging {
            parent: parent.clone(),
            source,
        };
        std::fs::create_dir_all(&parent).map_err(staging_err)?;
        let lock = lock(&parent, &name)?;
        let swept = sweep(&parent, &name).map_err(staging_err)?;
        let previous = inspect(&target)?;
        Ok(PacketFolder {
            target,
            parent,
            name,
            swept,
            previous,
            _lock: lock,
        })
    }

    /// A new, empty temporary folder to build the packet in.
    pub fn staging(&self) -> Result<tempfile::TempDir, PacketError> {
        temp_dir(&self.parent, &self.name).map_err(|source| PacketError::Staging {
            parent: self.parent.clone(),
            source,
        })
    }

    /// Puts the finished `staging` folder in the packet's place; returns the
    /// marker of the packet it replaced.
    pub fn replace_with(self, staging: tempfile::TempDir) -> Result<Option<Marker>, PacketError> {
        let (parent, name) = (&self.parent, &self.name);
        swap_in(staging, &self.target, self.previous.is_some(), || {
            temp_dir(parent, name)
        })?;
        Ok(self.previous)
    }
}

/// `out_dir`, or the folder it links to: the link stays, its target is replaced.
fn resolve_target(out_dir: &Path) -> Result<PathBuf, PacketError> {
    if !out_dir.is_symlink() {
        return Ok(out_dir.to_path_buf());
    }
    std::fs::canonicalize(out_dir).map_err(|source| PacketError::Write {
        path: out_dir.to_path_buf(),
        source,
    })
}

/// The folder the packet folder lives in, and the packet folder's name.
fn split(target: &Path) -> Result<(PathBuf, OsString), PacketError> {
    let absolute = std::path::absolute(target).map_err(|source| PacketError::Write {
        path: target.to_path_buf(),
        source,
    })?;
    match (absolute.parent(), absolute.file_name()) {
        (Some(parent), Some(name)) => Ok((parent.to_path_buf(), name.to_os_string())),
        _ => Err(PacketError::NotAPacket {
            path: target.to_path_buf(),
            found: "the root of the file system".into(),
        }),
    }
}

/// A new temporary folder beside the packet `name`, named as [`sweep`] expects.
fn temp_dir(parent: &Path, name: &OsString) -> io::Result<tempfile::TempDir> {
    let mut prefix = OsString::from(".kuulas-packet-");
    prefix.push(name);
    prefix.push(".");
    tempfile::Builder::new()
        .prefix(&prefix)
        .suffix(".tmp")
        .rand_bytes(RANDOM_CHARS)
        // It becomes the packet folder: made as `mkdir` makes one (the umask applies),
        // not private as a temporary folder would be.
        .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o777))
        .tempdir_in(parent)
}

/// One `kuulas packet` at a time per folder, so the sweep never takes a live
/// packet's temporary folder. Released when the process ends, however it ends.
fn lock(parent: &Path, name: &OsString) -> Result<std::fs::File, PacketError> {
    let mut lock_name = OsString::from(".kuulas-packet-");
    lock_name.push(name);
    lock_name.push(".lock");
    let path = parent.join(lock_name);
    let err = |source| PacketError::Write {
        path: path.clone(),
        source,
    };
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(err)?;
    match fs4::FileExt::try_lock(&file) {
        Ok(()) => Ok(file),
        Err(fs4::TryLockError::WouldBlock) => Err(PacketError::Busy { path }),
        Err(fs4::TryLockError::Error(source)) => Err(err(source)),
    }
}

/// Removes the temporary folders earlier writes of the packet `name` left behind.
fn sweep(parent: &Path, name: &OsString) -> io::Result<usize> {
    let mut prefix = OsString::from(".kuulas-packet-");
    prefix.push(name);
    prefix.push(".");
    let prefix = prefix.as_encoded_bytes();
    let mut removed = 0;
    for entry in std::fs::read_dir(parent)? {
        let entry = entry?;
        let file_name = entry.file_name();
        let is_ours = file_name
            .as_encoded_bytes()
            .strip_prefix(prefix)
            .and_then(|rest| rest.strip_suffix(b".tmp"))
            .is_some_and(|random| {
                random.len() == RANDOM_CHARS && random.iter().all(u8::is_ascii_alphanumeric)
            });
        if !is_ours {
            continue;
        }
        let path = entry.path();
        match entry.file_type()?.is_dir() {
            true => std::fs::remove_dir_all(&path)?,
            false => std::fs::remove_file(&path)?,
        }
        tracing::info!("removed {}, left by an interrupted packet", path.display());
        removed += 1;
    }
    Ok(removed)
}

/// What is in the packet folder now: nothing (`None`), a kuulas packet, or
/// something else, which is refused.
fn inspect(target: &Path) -> Result<Option<Marker>, PacketError> {
    let not_ours = |found: String| PacketError::NotAPacket {
        path: target.to_path_buf(),
        found,
    };
    let entries = match std::fs::read_dir(target) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) if e.kind() == io::ErrorKind::NotADirectory => {
            return Err(not_ours("a file, not a folder".into()));
        }
        Err(source) => {
            return Err(PacketError::Write {
                path: target.to_path_buf(),
                source,
            });
        }
    };
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    if names.is_empty() {
        return Ok(None);
    }
    let marker = std::fs::read(target.join(MARKER))
        .ok()
        .and_then(|bytes| serde_json::from_slice::<Marker>(&bytes).ok());
    match marker {
        Some(previous) => Ok(Some(previous)),
        None => {
            names.sort();
            names.truncate(3);
            Err(not_ours(format!("files such as {}", names.join(", "))))
        }
    }
}

/// Replaces `target` by the finished `staging` folder in one step where the file
/// system can (Linux `RENAME_EXCHANGE`), else in two renames a moment apart.
fn swap_in(
    staging: tempfile::TempDir,
    target: &Path,
    occupied: bool,
    aside: impl FnOnce() -> io::Result<tempfile::TempDir>,
) -> Result<(), PacketError> {
    let err = |source| PacketError::Write {
        path: target.to_path_buf(),
        source,
    };
    if !occupied {
        // A missing or empty folder: a plain rename takes its place.
        let staging = staging.keep();
        if let Err(e) = std::fs::rename(&staging, target) {
            let _ = std::fs::remove_dir_all(&staging);
            return Err(err(e));
        }
    } else {
        if exchange(staging.path(), target).is_err() {
            // The old packet moves aside onto an empty temporary folder the sweep
            // knows, so a crash between the renames leaves nothing behind for good.
            let aside = aside().map_err(err)?.keep();
            std::fs::rename(target, &aside).map_err(err)?;
            if let Err(e) = std::fs::rename(staging.path(), target) {
                // Put the old packet back; the new one is removed with `staging`.
                let _ = std::fs::rename(&aside, target);
                return Err(err(e));
            }
            std::fs::remove_dir_all(&aside).map_err(err)?;
        }
        // After an exchange `staging` holds the old packet, which goes with it;
        // after the renames it no longer exists.
        drop(staging);
    }
    if let Some(parent) = target.parent()
        && let Ok(dir) = std::fs::File::open(parent)
    {
        let _ = dir.sync_all();
    }
    Ok(())
}

#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let a = CString::new(a.as_os_str().as_bytes())?;
    let b = CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: both pointers are valid NUL-terminated strings that outlive the call,
    // which only reads them.
    let rc = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    match rc {
        0 => Ok(()),
        _ => Err(io::Error::last_os_error()),
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> io::Result<()> {
    Err(io::Error::from(io::ErrorKind::Unsupported))
}

fn now_rfc3339() -> String {
    let now = time::OffsetDateTime::now_utc();
    now.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| now.unix_timestamp().to_string())
}
