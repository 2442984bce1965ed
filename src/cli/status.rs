//! `kuulas status`: how far each night's run has come — calls queued, running,
//! done and failed per run, and per worker for a shared (PostgreSQL) store — so an
//! operator can watch a fleet from any machine. Reads only; works on SQLite too.
//! Warns when the stored contact reasons were tagged with another taxonomy than
//! `--taxonomy` (the built-in one by default).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use kuulas::store::{CallStatus, RunId, StatusCount};

use super::EXIT_OK;
use super::run::{DEFAULT_OUT, open_for_reading};

#[derive(clap::Args)]
pub struct StatusArgs {
    /// The store: a SQLite file or a PostgreSQL URL [default: <run-dir>/kuulas.sqlite].
    #[arg(long)]
    store: Option<PathBuf>,
    /// The directory `kuulas run --out` wrote (`--out` is kept as a hidden alias).
    #[arg(long, value_name = "DIR", alias = "out", default_value = DEFAULT_OUT,
          conflicts_with = "store")]
    run_dir: PathBuf,
    /// The contact-reason taxonomy the calls should carry tags of: a warning says
    /// when stored tags came from another [default: the built-in one].
    #[arg(long)]
    taxonomy: Option<PathBuf>,
}

/// Calls in each of the four states an operator cares about.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Tally {
    queued: u64,
    running: u64,
    done: u64,
    failed: u64,
}

impl Tally {
    fn add(&mut self, status: CallStatus, calls: u64) {
        match status {
            CallStatus::Pending => self.queued += calls,
            CallStatus::Running => self.running += calls,
            CallStatus::Transcribed | CallStatus::Scored => self.done += calls,
            CallStatus::Failed => self.failed += calls,
        }
    }

    fn line(&self) -> String {
        format!(
            "queued {:>6}  running {:>4}  done {:>6}  failed {:>4}",
            self.queued, self.running, self.done, self.failed
        )
    }
}

/// One run's tally and its workers' tallies.
#[derive(Debug, Default)]
struct RunView {
    started_at: String,
    total: Tally,
    workers: BTreeMap<String, Tally>,
}

fn group(counts: &[StatusCount]) -> BTreeMap<RunId, RunView> {
    let mut runs: BTreeMap<RunId, RunView> = BTreeMap::new();
    for c in counts {
        let view = runs.entry(c.run_id).or_default();
        view.started_at.clone_from(&c.run_started_at);
        view.total.add(c.status, c.calls);
        if let Some(worker) = &c.worker {
            view.workers
                .entry(worker.clone())
                .or_default()
                .add(c.status, c.calls);
        }
    }
    runs
}

pub fn execute(args: StatusArgs) -> anyhow::Result<ExitCode> {
    let taxonomy = super::reasons::load_taxonomy(args.taxonomy.as_deref())?;
    let store = open_for_reading(args.store, &args.run_dir)?;
    let runs = group(&store.status_counts()?);
    if runs.is_empty() {
        println!("no calls in the store yet");
    }
    for (run, view) in &runs {
        println!(
            "run {run:<5} started {:<26} {}",
            view.started_at,
            view.total.line()
        );
        for (worker, tally) in &view.workers {
            println!("  worker {worker:<34} {}", tally.line());
        }
    }
    super::reasons::warn_if_tagged_otherwise(store.as_ref(), &taxonomy)?;
    Ok(ExitCode::from(EXIT_OK))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(run: RunId, worker: Option<&str>, status: CallStatus, calls: u64) -> StatusCount {
        StatusCount {
            run_id: run,
            run_started_at: format!("night {run}"),
            worker: worker.map(str::to_string),
            status,
            calls,
        }
    }

    #[test]
    fn counts_fold_into_queued_running_done_failed_per_run_and_worker() {
        let runs = group(&[
            count(1, None, CallStatus::Scored, 4),
            count(2, None, CallStatus::Pending, 3),
            count(2, Some("a:1"), CallStatus::Running, 1),
            count(2, Some("a:1"), CallStatus::Scored, 2),
            count(2, Some("a:1"), CallStatus::Transcribed, 1),
            count(2, Some("b:2"), CallStatus::Failed, 1),
        ]);
        assert_eq!(runs[&1].total.done, 4);
        assert!(runs[&1].workers.is_empty());
        let night = &runs[&2];
        assert_eq!(
            night.total,
            Tally {
                queued: 3,
                running: 1,
                done: 3,
                failed: 1
            }
        );
        assert_eq!(night.workers["a:1"].done, 3);
        assert_eq!(night.workers["b:2"].failed, 1);
    }
}
