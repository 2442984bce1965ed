//! The orchestrator through the library API with a counting processor: never more
//! than `jobs` calls inside the processor at once, every call reported once, and a
//! panicking processor fails only its call.

use std::cell::RefCell;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use kuulas::batch::{
    self, CallInput, CallOutcome, CallProcessor, Mode, ProcessError, ProcessorIdentity, Progress,
    Reporter, ScoredCall, Settings, Transcribed,
};
use kuulas::store::{DimensionScore, MetricSummary, SqliteStore};

#[derive(Default)]
struct Counting {
    inside: AtomicUsize,
    most: AtomicUsize,
}

impl CallProcessor for Counting {
    fn transcribe(&self, call: &CallInput) -> Result<Transcribed, ProcessError> {
        let now = self.inside.fetch_add(1, Ordering::SeqCst) + 1;
        self.most.fetch_max(now, Ordering::SeqCst);
        std::thread::sleep(Duration::from_millis(40));
        self.inside.fetch_sub(1, Ordering::SeqCst);
        if call.call_id.contains("panic") {
            panic!("decoder bug");
        }
        Ok(Transcribed {
            transcript: serde_json::json!({"segments": []}),
            duration_s: 60.0,
        })
    }

    fn score(&self, _: &CallInput, _: &serde_json::Value) -> Result<ScoredCall, ProcessError> {
        Ok(ScoredCall {
            dimensions: vec![DimensionScore {
                dimension: "greeting".into(),
                score: Some(1.0),
            }],
            overall: Some(1.0),
            summary: MetricSummary::default(),
            metrics: serde_json::json!({}),
            moments: serde_json::json!([]),
        })
    }

    fn identity(&self) -> ProcessorIdentity {
        ProcessorIdentity::default()
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
    let processor = Arc::new(Counting::default());
    let reporter = Recorder::default();
    let summary = batch::run(&settings, &mut store, processor.clone(), &reporter).unwrap();

    assert_eq!(
        processor.most.load(Ordering::SeqCst),
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
