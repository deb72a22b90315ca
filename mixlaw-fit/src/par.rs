//! A tiny scoped-thread map (feature `std`): jobs `0..n` over worker threads, results in
//! job order, so the output never depends on the thread count.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::vec::Vec;

/// Worker threads to use: `requested`, or one per available core when 0.
pub fn threads(requested: usize) -> usize {
    if requested > 0 {
        requested
    } else {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    }
}

/// Stops the other workers from taking new jobs when a job panics (dropped while
/// unwinding).
struct StopOnPanic<'a> {
    next: &'a AtomicUsize,
    jobs: usize,
}

impl Drop for StopOnPanic<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.next.store(self.jobs, Ordering::Relaxed);
        }
    }
}

/// `job(i)` for every `i < jobs` on up to `threads` threads (0: one per core), in job
/// order. A job's panic propagates to the caller (once the running jobs have finished),
/// as if the jobs had run on the calling thread.
pub fn map<T, F>(jobs: usize, threads: usize, job: F) -> Vec<T>
where
    T: Send,
    F: Fn(usize) -> T + Sync,
{
    map_with(jobs, threads, || (), |_, i| job(i))
}

/// As [`map`], each worker thread with its own state made once by `init` (e.g. buffers
/// the jobs reuse instead of allocating): `job(&mut state, i)`. The results must not
/// depend on what earlier jobs left in the state, so that they are the same for any
/// thread count.
pub fn map_with<S, T, I, F>(jobs: usize, threads: usize, init: I, job: F) -> Vec<T>
where
    T: Send,
    I: Fn() -> S + Sync,
    F: Fn(&mut S, usize) -> T + Sync,
{
    let workers = self::threads(threads).min(jobs).max(1);
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        let _stop = StopOnPanic { next: &next, jobs };
        let mut state = None;
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= jobs {
                break;
            }
            let state = state.get_or_insert_with(&init);
            done.push((i, job(state, i)));
        }
        done
    };
    let mut done: Vec<(usize, T)> = if workers == 1 {
        work()
    } else {
        std::thread::scope(|s| {
            let handles: Vec<_> = (0..workers).map(|_| s.spawn(work)).collect();
            let mut done = Vec::with_capacity(jobs);
            for handle in handles {
                match handle.join() {
                    Ok(part) => done.extend(part),
                    Err(payload) => std::panic::resume_unwind(payload),
                }
            }
            done
        })
    };
    done.sort_unstable_by_key(|&(i, _)| i);
    done.into_iter().map(|(_, v)| v).collect()
}

#[cfg(test)]
mod tests {
    use super::map;
    use std::panic::{catch_unwind, AssertUnwindSafe};
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn results_are_in_job_order_for_any_thread_count() {
        for threads in [1, 2, 3, 8, 100] {
            let out = map(37, threads, |i| i * i);
            assert_eq!(out, (0..37).map(|i| i * i).collect::<std::vec::Vec<_>>());
        }
        assert!(map(0, 4, |i| i).is_empty());
    }

    /// A worker's panic reaches the caller with its payload (it used to become missing
    /// results), and the other workers take no new jobs after it.
    #[test]
    fn a_panicking_job_panics_the_caller() {
        for threads in [1, 2, 4] {
            let started = AtomicUsize::new(0);
            let caught = catch_unwind(AssertUnwindSafe(|| {
                map(1000, threads, |i| {
                    started.fetch_add(1, Ordering::Relaxed);
                    if i == 3 {
                        panic!("job 3 failed");
                    }
                    std::thread::sleep(std::time::Duration::from_millis(1));
                    i
                })
            }));
            let payload = caught.expect_err("the panic must propagate");
            assert_eq!(payload.downcast_ref::<&str>(), Some(&"job 3 failed"));
            let started = started.load(Ordering::Relaxed);
            assert!(started < 1000, "{threads} threads: all {started} jobs ran");
        }
    }
}
