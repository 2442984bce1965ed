//! How `kuulas run` shows progress: an indicatif bar on a terminal; plain log lines
//! (every ~10 s and at each completion) when stderr is a file, cron or journald.

use std::cell::Cell;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

use kuulas::batch::{CallOutcome, Progress, Reporter};

const LOG_EVERY: Duration = Duration::from_secs(10);

pub enum CliReporter {
    Bar(ProgressBar),
    Log { last: Cell<Instant> },
}

impl CliReporter {
    pub fn new(terminal: bool) -> CliReporter {
        if !terminal {
            return CliReporter::Log {
                last: Cell::new(Instant::now()),
            };
        }
        let bar = ProgressBar::new(0);
        let style = ProgressStyle::with_template("{bar:30} {pos}/{len} calls  {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        CliReporter::Bar(bar)
    }

    /// Clears the bar before the summary is printed.
    pub fn finish(&self) {
        if let CliReporter::Bar(bar) = self {
            bar.finish_and_clear();
        }
    }

    fn show(&self, p: &Progress) {
        match self {
            CliReporter::Bar(bar) => {
                bar.set_length(p.total as u64);
                bar.set_position(p.done as u64);
                bar.set_message(status(p));
            }
            CliReporter::Log { last } => {
                last.set(Instant::now());
                tracing::info!("{}/{} calls, {}", p.done, p.total, status(p));
            }
        }
    }
}

impl Reporter for CliReporter {
    fn planned(&self, p: &Progress, skipped: usize) {
        tracing::info!(
            "{} calls to process, {skipped} unchanged since the last run",
            p.total
        );
        self.show(p);
        // Only now: before planning the bar would show a meaningless 0/0.
        if let CliReporter::Bar(bar) = self {
            bar.enable_steady_tick(Duration::from_millis(250));
        }
    }

    fn call_started(&self, _call_id: &str, p: &Progress) {
        if let CliReporter::Bar(_) = self {
            self.show(p);
        }
    }

    fn call_finished(&self, call_id: &str, outcome: &CallOutcome, p: &Progress) {
        let what = match outcome {
            CallOutcome::Scored => "scored",
            CallOutcome::NoSpeech => "not scored: no speech",
            CallOutcome::Unchanged => "unchanged",
            // The reason is already in the log as a warning from the batch.
            CallOutcome::Failed { .. } => "failed",
        };
        match self {
            CliReporter::Bar(_) => self.show(p),
            CliReporter::Log { .. } => tracing::info!("[{}/{}] {call_id}: {what}", p.done, p.total),
        }
    }

    fn tick(&self, p: &Progress) {
        match self {
            CliReporter::Bar(_) => self.show(p),
            CliReporter::Log { last } if last.get().elapsed() >= LOG_EVERY => self.show(p),
            CliReporter::Log { .. } => {}
        }
    }
}

/// `12.3 min audio, 4.1× realtime, ETA 5m 02s, in flight: a, b`.
fn status(p: &Progress) -> String {
    let mut parts = vec![format!("{:.2} h audio", p.audio_seconds / 3600.0)];
    if let Some(rt) = p.realtime_factor() {
        parts.push(format!("{rt:.1}× realtime"));
    }
    if let Some(eta) = p.eta() {
        parts.push(format!("ETA {}", duration(eta)));
    }
    if p.failed > 0 {
        parts.push(format!("{} failed", p.failed));
    }
    if !p.in_flight.is_empty() {
        parts.push(format!("in flight: {}", p.in_flight.join(", ")));
    }
    parts.join(", ")
}

/// `1h 02m 03s`, `4m 05s`, `6.2s`.
pub fn duration(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0..60 => format!("{:.1}s", d.as_secs_f64()),
        60..3600 => format!("{}m {:02}s", s / 60, s % 60),
        _ => format!("{}h {:02}m {:02}s", s / 3600, s % 3600 / 60, s % 60),
    }
}
