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

/// `job(i)` for every `i < jobs` on up to `threads` threads (0: one per core), in job
/// order. A job that panics yields `None` in its slot (the others still run).
pub fn map<T, F>(jobs: usize, threads: usize, job: F) -> Vec<Option<T>>
where
    T: Send,
    F: Fn(usize) -> T + Sync,
{
    let workers = self::threads(threads).min(jobs).max(1);
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= jobs {
                break;
            }
            done.push((i, job(i)));
        }
        done
    };
    let mut slots: Vec<Option<T>> = (0..jobs).map(|_| None).collect();
    let outputs: Vec<Vec<(usize, T)>> = if workers == 1 {
        std::vec![work()]
    } else {
        std::thread::scope(|s| {
            let handles: Vec<_> = (0..workers).map(|_| s.spawn(work)).collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_default())
                .collect()
        })
    };
    for (i, v) in outputs.into_iter().flatten() {
        if let Some(slot) = slots.get_mut(i) {
            *slot = Some(v);
        }
    }
    slots
}
