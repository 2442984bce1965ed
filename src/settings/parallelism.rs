//! How many recordings to decode at once and with how many decoders each.

/// Recordings in flight (`jobs`) and decoders per recording (`threads`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parallelism {
    pub jobs: usize,
    pub threads: usize,
}

/// The plan for this machine's cores. Unless told otherwise, every core decodes
/// a recording of its own: a decoder per core side by side keeps both cores busy
/// to the end of each call, where decoders sharing one call wait for its last
/// window. One recording gets them all. `recordings` caps the jobs when the
/// number of calls is known.
pub fn parallelism(
    jobs: Option<usize>,
    threads: Option<usize>,
    recordings: Option<usize>,
) -> Parallelism {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    plan(jobs, threads, cores, recordings.unwrap_or(usize::MAX))
}

fn plan(
    jobs: Option<usize>,
    threads: Option<usize>,
    cores: usize,
    recordings: usize,
) -> Parallelism {
    let recordings = recordings.max(1);
    let (jobs, threads) = match (jobs, threads) {
        (Some(j), Some(t)) => (j, t),
        (Some(j), None) => (j, (cores / j).max(1)),
        (None, Some(t)) => ((cores / t).clamp(1, recordings), t),
        (None, None) => {
            let jobs = cores.min(recordings);
            (jobs, (cores / jobs).max(1))
        }
    };
    Parallelism { jobs, threads }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_core_a_recording_unless_told_otherwise() {
        let p = |jobs, threads| Parallelism { jobs, threads };
        assert_eq!(plan(None, None, 2, usize::MAX), p(2, 1));
        assert_eq!(plan(None, None, 8, 3), p(3, 2));
        assert_eq!(plan(None, None, 2, 1), p(1, 2));
        assert_eq!(plan(Some(1), None, 4, usize::MAX), p(1, 4));
        assert_eq!(plan(None, Some(2), 8, usize::MAX), p(4, 2));
        assert_eq!(plan(None, Some(2), 8, 1), p(1, 2));
        assert_eq!(plan(Some(3), Some(3), 2, 1), p(3, 3));
    }
}
