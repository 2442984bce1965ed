//! The decoders: a fixed set of threads, each with its own whisper.cpp state on
//! the one shared model, taking windows of speech from one queue, whatever
//! recording they come from.
//!
//! One queue for every recording keeps every core decoding to the end of a
//! batch: when the last recording is still running, its windows go to all the
//! decoders instead of one while the others wait (on the bench, a tenth of the
//! wall time was that wait). Decoders are single-threaded: side by side they
//! outrun one decoder with many threads, whose threads meet at a spinning barrier
//! after every operation of every token (and stall when the machine is busy).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender, SyncSender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use super::{TranscribeError, pack, whisper};

/// One window to decode and where its result goes.
pub(super) struct Job {
    pub channel: usize,
    pub window: pack::Window,
    pub call: Arc<CallDecoding>,
    pub reply: Sender<Result<Decoded, TranscribeError>>,
}

/// How the windows of one recording are decoded.
pub(super) struct CallDecoding {
    pub options: whisper::DecodeOptions,
    /// Detect the language on this window before decoding it.
    pub detect_language: bool,
    /// Measure the pitch of each segment (mono recordings: it tells the parties apart).
    pub mono: bool,
    /// Set when the recording has failed: its remaining windows are skipped.
    pub cancelled: AtomicBool,
}

/// What one window gave.
pub(super) struct Decoded {
    pub pieces: Vec<super::Piece>,
    /// The language detected on it, when asked.
    pub language: Option<String>,
}

pub(super) struct Pool {
    queue: Option<SyncSender<Job>>,
    decoders: Vec<JoinHandle<()>>,
}

/// Windows waiting for a decoder, per decoder: enough to keep each busy while
/// audio streams in, few enough to bound memory to a few windows.
const QUEUED_PER_DECODER: usize = 2;

impl Pool {
    pub fn start(engine: Arc<whisper::Engine>, decoders: usize) -> Pool {
        let decoders = decoders.max(1);
        let (queue, jobs) = std::sync::mpsc::sync_channel::<Job>(decoders * QUEUED_PER_DECODER);
        let jobs = Arc::new(Mutex::new(jobs));
        let decoders = (0..decoders)
            .map(|_| {
                let (engine, jobs) = (engine.clone(), jobs.clone());
                std::thread::spawn(move || decoder(&engine, &jobs))
            })
            .collect();
        Pool {
            queue: Some(queue),
            decoders,
        }
    }

    /// Queues a window; waits while the queue is full.
    pub fn submit(&self, job: Job) -> Result<(), TranscribeError> {
        let queue = self.queue.as_ref().ok_or_else(stopped)?;
        queue.send(job).map_err(|_| stopped())
    }
}

/// The error when a window cannot be handed to a decoder or its answer never
/// comes: the decoder threads are gone.
pub(super) fn stopped() -> TranscribeError {
    TranscribeError::Whisper {
        what: "decode audio",
        reason: "the decoder threads have stopped".to_string(),
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        // Closing the queue ends each decoder after its current window.
        self.queue.take();
        for decoder in self.decoders.drain(..) {
            let _ = decoder.join();
        }
    }
}

fn decoder(engine: &whisper::Engine, jobs: &Mutex<Receiver<Job>>) {
    // whisper.cpp's state is made on first use and kept for later windows, unless
    // a fallback drew from its random generator: then the next window gets a new
    // state, so that what a window gives never depends on which decoder took it
    // or what that decoder decoded before.
    let mut session: Option<whisper::Session> = None;
    loop {
        // The lock is held only while waiting for the next window, not decoding it.
        let next = jobs.lock().unwrap_or_else(|p| p.into_inner()).recv();
        let Ok(job) = next else { return };
        if job.call.cancelled.load(Ordering::Relaxed) {
            continue;
        }
        let decoded = match session.as_mut() {
            Some(session) => decode(session, &job),
            None => engine.session().and_then(|new| {
                let session = session.insert(new);
                decode(session, &job)
            }),
        };
        if session.as_ref().is_some_and(whisper::Session::sampled) {
            session = None;
        }
        // A recording that has already failed no longer listens.
        let _ = job.reply.send(decoded);
    }
}

fn decode(session: &mut whisper::Session, job: &Job) -> Result<Decoded, TranscribeError> {
    let call = &job.call;
    let mut options = call.options.clone();
    let language = if call.detect_language {
        let language = session.detect_language(&job.window.samples, options.threads)?;
        tracing::debug!(language, "detected language");
        options.language = Some(language.clone());
        Some(language)
    } else {
        None
    };
    let pieces = super::decode_window(session, &options, call.mono, job.channel, &job.window)?;
    Ok(Decoded { pieces, language })
}
