//! The packet stage: turns a night's calls into a self-contained static site that
//! opens from disk in any browser — an overview of the batch, a page per call with
//! scores, the transcript in two speaker lanes, a timeline and an audio player, a
//! trainer catalogue of moments, and optionally a printable listening session.
//!
//! [`render`] is pure: plain [`CallView`]s in, a [`Site`] (pages as HTML text plus
//! a list of audio files to cut) out. [`write`](write::write) does the IO: decodes
//! recordings, mutes redacted spans, writes WAVs and pages atomically. Personal data
//! is redacted unless [`Settings::redact`] is off, which every page then announces.
//!
//! Architecture invariant: every text from a transcript or metadata reaches HTML
//! only through the template engine's autoescaping.

mod across_page;
pub mod attention;
pub mod calibration;
mod call_page;
pub mod catalogue;
mod charts;
pub mod fingerprint;
mod folder;
mod labels;
mod load;
mod pages;
mod plots;
mod quote;
pub mod session;
mod templates;
mod timeline;
mod view;
mod write;

#[cfg(test)]
mod testdata;

use std::path::PathBuf;

pub use across_page::Across;
pub use fingerprint::AudioPrint;
pub use folder::{MARKER, Marker};
pub use labels::Lang;
pub use load::{Loaded, MissingRecording, Night, RunInfo, RunSelect, load};
pub use view::{CallView, Moment};
pub use write::{WriteReport, write};

use crate::redact::TimeSpan;

/// What kind of packet to make and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    pub lang: Lang,
    /// Remove personal data from text and audio (the default).
    pub redact: bool,
    /// A listening-session packet instead of the full night's packet.
    pub session: bool,
    pub audio: AudioMode,
}

/// Which audio a packet carries. Whole calls are large (16 kHz stereo WAV is about
/// 3.8 MB a minute), so a night's packet for a share may keep only the clips.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AudioMode {
    /// Each call's audio for its page's player, and the key moments' clips.
    #[default]
    Full,
    /// Only the key moments' clips (a session packet never carries more).
    Clips,
    /// No audio at all.
    None,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            lang: Lang::Fi,
            redact: true,
            session: false,
            audio: AudioMode::Full,
        }
    }
}

/// The calls to put in a packet, and how.
#[derive(Debug, Clone)]
pub struct Packet {
    pub title: String,
    /// When the night's run started (RFC 3339); `None` for several runs.
    pub night: Option<String>,
    /// Earlier nights, oldest first, for the overview's trend.
    pub history: Vec<Night>,
    pub calls: Vec<CallView>,
    pub settings: Settings,
    /// The figures across every stored call (issue 21): an "Across calls" page
    /// and each call page's previous and next call; `None`: neither.
    pub across: Option<Across>,
}

/// A rendered page; `path` is relative to the packet directory.
#[derive(Debug, Clone)]
pub struct Page {
    pub path: String,
    pub html: String,
}

/// A WAV the packet carries, cut from a recording.
#[derive(Debug, Clone, PartialEq)]
pub struct AudioFile {
    /// Relative to the packet directory.
    pub path: String,
    pub source: PathBuf,
    /// Spans to beep over (already padded), in recording time.
    pub mute: Vec<TimeSpan>,
    /// `None`: the whole call with its channels; `Some`: a mono clip of this span.
    pub clip: Option<TimeSpan>,
}

/// A rendered packet, not yet on disk.
#[derive(Debug, Clone)]
pub struct Site {
    pub pages: Vec<Page>,
    pub audio: Vec<AudioFile>,
    /// Whether personal data was removed (recorded in the packet's marker file).
    pub redacted: bool,
}

/// Renders the packet. Cannot fail: missing data is shown as missing.
pub fn render(packet: &Packet) -> Site {
    pages::render(packet)
}

#[derive(Debug, thiserror::Error)]
pub enum PacketError {
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error("the store {store} holds no run yet; run `kuulas run` first or pass --run")]
    NoRun { store: String },
    #[error(
        "no run in the store {store} processed a call (the latest, run {latest}, found nothing \
         new); there is nothing to put in a packet: run `kuulas run --input DIR` on a folder \
         with recordings, or pass --run all"
    )]
    NoCalls {
        store: String,
        latest: crate::store::RunId,
    },
    #[error("cannot write the packet file {path}: {source}; check that the directory is writable")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "cannot build the packet in {parent}: {source}; the packet is built in a temporary folder \
         beside --out and swapped in, so the folder that holds --out must be writable"
    )]
    Staging {
        parent: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "refusing to write the packet into {path}: it holds {found} and is not a kuulas packet \
         (no {marker}); kuulas replaces a packet folder whole, so choose a new or empty folder \
         for --out, or move that folder's contents away",
        marker = folder::MARKER
    )]
    NotAPacket { path: PathBuf, found: String },
    #[error(
        "another `kuulas packet` is writing this packet (lock {path} is held); wait for it to finish"
    )]
    Busy { path: PathBuf },
}
