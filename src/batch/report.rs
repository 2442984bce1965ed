//! Progress and the end-of-run summary. The batch reports through the
//! [`Reporter`] trait and never draws or prints itself: the CLI decides between a
//! progress bar on a terminal and periodic log lines under cron or systemd.

use std::time::Duration;

use super::discover::DiscoveryProblem;

/// A snapshot of the batch, handed to every [`Reporter`] call.
#[derive(Debug, Clone, Default)]
pub struct Progress {
    /// Calls this run works on (new, changed, interrupted, retried or rescored).
    pub total: usize,
    /// Of those, how many are finished (scored, failed or found unchanged).
    pub done: usize,
    pub failed: usize,
    /// Seconds of audio transcribed so far in this run.
    pub audio_seconds: f64,
    pub elapsed: Duration,
    /// Call ids being worked on right now.
    pub in_flight: Vec<String>,
}

impl Progress {
    /// Audio seconds transcribed per wall-clock second so far.
    pub fn realtime_factor(&self) -> Option<f64> {
        let wall = self.elapsed.as_secs_f64();
        (wall > 0.0 && self.audio_seconds > 0.0).then(|| self.audio_seconds / wall)
    }

    /// Time left at the pace so far.
    pub fn eta(&self) -> Option<Duration> {
        if self.done == 0 || self.done >= self.total {
            return None;
        }
        let per_call = self.elapsed.as_secs_f64() / self.done as f64;
        Some(Duration::from_secs_f64(
            per_call * (self.total - self.done) as f64,
        ))
    }
}

/// How one call ended in this run.
#[derive(Debug, Clone, PartialEq)]
pub enum CallOutcome {
    Scored,
    /// Finished, but not scored: the transcript held no speech.
    NoSpeech,
    /// Its content hash matched the stored one after a size/mtime change.
    Unchanged,
    Failed {
        reason: String,
    },
}

/// What the batch tells its caller while it runs.
pub trait Reporter {
    /// Discovery and planning are done: `skipped` calls need no work.
    fn planned(&self, progress: &Progress, skipped: usize);
    fn call_started(&self, call_id: &str, progress: &Progress);
    fn call_finished(&self, call_id: &str, outcome: &CallOutcome, progress: &Progress);
    /// Called about once a second while calls are in flight.
    fn tick(&self, progress: &Progress);
}

/// A call that failed in this run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedCall {
    pub call_id: String,
    pub path: String,
    pub reason: String,
}

/// What a run did.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub run_id: i64,
    pub discovered: usize,
    pub processed: usize,
    pub skipped: usize,
    pub failed: Vec<FailedCall>,
    pub audio_seconds: f64,
    pub wall: Duration,
    /// Calls a killed earlier run had left in progress; they were redone.
    pub resumed: u64,
    /// Why stored calls whose recordings did not change were redone, one line per
    /// reason with how many (see `plan::redo_summary`).
    pub redone: Vec<String>,
    pub problems: Vec<DiscoveryProblem>,
}

impl Summary {
    /// True when every recording found was processed or skipped and nothing was lost.
    pub fn all_ok(&self) -> bool {
        self.failed.is_empty() && !self.problems.iter().any(DiscoveryProblem::loses_recordings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eta_and_throughput_follow_the_pace() {
        let p = Progress {
            total: 10,
            done: 2,
            audio_seconds: 600.0,
            elapsed: Duration::from_secs(60),
            ..Progress::default()
        };
        assert_eq!(p.eta(), Some(Duration::from_secs(240)));
        assert_eq!(p.realtime_factor(), Some(10.0));
        assert_eq!(Progress::default().eta(), None);
        assert_eq!(Progress::default().realtime_factor(), None);
    }

    #[test]
    fn loops_alone_keep_a_run_ok_but_unreadable_directories_do_not() {
        let mut s = Summary::default();
        s.problems.push(DiscoveryProblem::Loop {
            path: "a".into(),
            ancestor: "b".into(),
        });
        assert!(s.all_ok());
        s.problems.push(DiscoveryProblem::Unreadable {
            path: "c".into(),
            message: "denied".into(),
        });
        assert!(!s.all_ok());
    }
}
