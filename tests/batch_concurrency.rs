//! The orchestrator through the library API, with the production pipeline around a
//! counting transcriber: never more than `jobs` calls inside the transcriber at
//! once, every call reported once, and a panicking transcriber fails only its call.

use std::cell::RefCell;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use kuulas::batch::{
    self, CallOutcome, Mode, Pipeline, Progress, Reporter, Settings, Transcribe, Transcribed,
};
use kuulas::store::SqliteStore;
use kuulas::transcribe::{CallOptions, TranscribeError};
use kuulas::transcript::{Attribution, Party, Segment, TRANSCRIPT_SCHEMA_VERSION, Transcript};

#[derive(Default)]
struct Counts {
    inside: AtomicUsize,
    most: AtomicUsize,
}

struct Counting(Arc<Counts>);

impl Transcribe for Counting {
    fn transcribe(&self, path: &Path, _: &CallOptions) -> Result<Transcribed, TranscribeError> {
        let counts = &self.0;
        let now = counts.inside.fetch_add(1, Ordering::SeqCst) + 1;
        counts.most.fetch_max(now, Ordering::SeqCst);
        std::thread::sleep(Duration::from_millis(40));
        counts.inside.fetch_sub(1, Ordering::SeqCst);
        if path.ends_with("panic.wav") {
            panic!("decoder bug");
        }
        let segment = Segment {
            party: Party::Agent,
            start: 1.0,
            end: 3.0,
            text: "Hyvää päivää".to_string(),
            words: Vec::new(),
        };
        Ok(Transcribed {
            transcript: Transcript {
                schema_version: TRANSCRIPT_SCHEMA_VERSION,
                duration: 60.0,
                language: "fi".to_string(),
                attribution: Attribution::Channels,
                segments: vec![segment],
            },
            loudness: None,
        })
    }
}

#[derive(Default)]
struct Recorder {
    finished: RefCell<Vec<(String, CallOutcome)>>,
    most_in_flight: RefCell<usize>,
    planned: RefCell<Option<usize>>,
}

impl Recorder {
    fn saw(&self, p: &Progress) {
        let mut most = self.most_in_flight.borrow_mut();
        *most = (*most).max(p.in_flight.len());
    }
}

impl Reporter for Recorder {
    fn planned(&self, p: &Progress, _skipped: usize) {
        *self.planned.borrow_mut() = Some(p.total);
    }
    fn call_started(&self, _: &str, p: &Progress) {
        self.saw(p);
    }
    fn call_finished(&self, id: &str, outcome: &CallOutcome, p: &Progress) {
        self.saw(p);
        self.finished
            .borrow_mut()
            .push((id.to_string(), outcome.clone()));
    }
    fn tick(&self, p: &Progress) {
        self.saw(p);
    }
}

#[test]
fn at_most_jobs_calls_are_processed_at_once_and_each_is_reported_once() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir(&input).unwrap();
    for i in 0..8 {
        std::fs::write(input.join(format!("c{i}.wav")), format!("audio {i}")).unwrap();
    }
    std::fs::write(input.join("panic.wav"), b"audio").unwrap();
    let settings = Settings {
        input_dir: input,
        out_dir: dir.path().join("out"),
        manifest: None,
        jobs: 3,
        mode: Mode::Incremental,
        transcription: None,
    };
    batch::prepare_output(&settings.out_dir).unwrap();
    let mut store = SqliteStore::open(&dir.path().join("out/kuulas.sqlite")).unwrap();
    let counts = Arc::new(Counts::default());
    let processor = Arc::new(Pipeline::new(
        Box::new(Counting(counts.clone())),
        kuulas::rubric::default_rubric(),
        kuulas::reasons::default_taxonomy(),
        None,
        CallOptions::default(),
    ));
    let reporter = Recorder::default();
    let summary = batch::run(&settings, &mut store, processor.clone(), &reporter).unwrap();

    assert_eq!(
        counts.most.load(Ordering::SeqCst),
        3,
        "bounded by --jobs and actually parallel"
    );
    assert!(*reporter.most_in_flight.borrow() <= 3);
    assert_eq!(*reporter.planned.borrow(), Some(9));
    assert_eq!(reporter.finished.borrow().len(), 9);
    assert_eq!((summary.processed, summary.failed.len()), (8, 1));
    assert!(
        summary.failed[0].reason.contains("panicked: decoder bug"),
        "{:?}",
        summary.failed
    );
    assert_eq!(summary.audio_seconds, 8.0 * 60.0);
    assert!(!summary.all_ok());

    // Nothing changed: the rerun does no work at all.
    let again = batch::run(&settings, &mut store, processor, &Recorder::default()).unwrap();
    assert_eq!(
        (again.processed, again.skipped, again.failed.len()),
        (0, 8, 1)
    );
}
