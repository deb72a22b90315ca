//! # mixlaw-testkit
//!
//! Test support shared by the mixlaw crates' test binaries (a dev-dependency only, `std`,
//! not published): a counting allocator, the case count of property tests, the real-data
//! directory and reference values computed by the scipy scripts of `benches/scripts/`.
//!
//! Linking this crate installs [`CountingAllocator`] as the global allocator of the test
//! binary, so [`allocations_during`] can count the heap allocations a closure makes. The
//! count is kept per thread: the test harness runs other tests, which allocate, on other
//! threads at the same time, and they do not disturb the count.
//!
//! ```
//! let n = mixlaw_testkit::allocations_during(|| {
//!     std::hint::black_box(vec![1u8; 16]);
//! });
//! assert_eq!(n, 1);
//! assert_eq!(mixlaw_testkit::allocations_during(|| ()), 0);
//! ```

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

thread_local! {
    /// Allocations (and reallocations) made by this thread so far.
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

/// The system allocator, counting each allocation and reallocation on the calling thread.
pub struct CountingAllocator;

// SAFETY: every method forwards its arguments unchanged to `System`, which upholds the
// `GlobalAlloc` contract; the counter is a thread-local `Cell` with a `const` initialiser,
// which itself never allocates (and `try_with` skips counting while it is torn down).
#[allow(unsafe_code)] // a global allocator is an `unsafe impl`; it only forwards to `System`
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: forwarded unchanged (see above).
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: forwarded unchanged (see above).
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged (see above).
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        // SAFETY: forwarded unchanged (see above).
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

fn count() {
    let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
}

/// Heap allocations (and reallocations) made by `f` on the calling thread; allocations on
/// other threads, including threads `f` spawns, are not counted.
pub fn allocations_during(f: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.with(Cell::get);
    f();
    ALLOCATIONS.with(Cell::get) - before
}

/// Cases for a property test: `PROPTEST_CASES` when it is set to a number, else `default`.
///
/// `ProptestConfig::with_cases(n)` alone ignores the variable, so a test that sets its own
/// count could be neither shortened (miri) nor lengthened (a hunt for rare failures):
/// write `ProptestConfig::with_cases(mixlaw_testkit::proptest_cases(n))` instead.
pub fn proptest_cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

/// The data directory: `$MIXLAW_DATA`, else `../shared/data` from the workspace root;
/// `None` (with a skip notice) when unset and the default is absent.
///
/// # Panics
/// When `MIXLAW_DATA` is set but is not a directory (a real-data test must then fail).
pub fn data_dir() -> Option<std::path::PathBuf> {
    match std::env::var_os("MIXLAW_DATA") {
        Some(d) if !d.is_empty() => {
            let d = std::path::PathBuf::from(d);
            assert!(d.is_dir(), "MIXLAW_DATA={} is not a directory", d.display());
            Some(d)
        }
        _ => {
            let d = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data");
            if d.is_dir() {
                Some(d)
            } else {
                eprintln!("skipped: set MIXLAW_DATA (no {})", d.display());
                None
            }
        }
    }
}

/// Runs `python3 benches/scripts/<script>` and parses each output line as space-separated
/// floats; `None` (with a skip notice) when python3 or scipy is missing.
///
/// # Panics
/// When the script prints something other than floats.
pub fn python_rows(script: &str) -> Option<Vec<Vec<f64>>> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../benches/scripts")
        .join(script);
    let out = match std::process::Command::new("python3").arg(&path).output() {
        Ok(o) if o.status.success() => o,
        _ => {
            eprintln!(
                "skipped: python3 with scipy is not available ({})",
                path.display()
            );
            return None;
        }
    };
    let text = String::from_utf8(out.stdout).expect("utf-8 output");
    Some(
        text.lines()
            .map(|l| l.split(' ').map(|t| t.parse().expect("a float")).collect())
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::allocations_during;

    /// The counter itself: an allocation on this thread is seen, a reallocation too, and
    /// nothing is counted when nothing allocates.
    #[test]
    fn the_counter_counts() {
        let n = allocations_during(|| {
            std::hint::black_box(vec![1u8; 16]);
        });
        assert_eq!(n, 1);
        let n = allocations_during(|| {
            let mut v: Vec<u8> = Vec::with_capacity(1);
            v.extend_from_slice(&[0; 64]);
            std::hint::black_box(v);
        });
        assert_eq!(n, 2, "one allocation, one reallocation");
        assert_eq!(allocations_during(|| ()), 0);
    }

    /// Per-thread: another thread allocating meanwhile is not counted here.
    #[test]
    fn other_threads_are_not_counted() {
        let n = allocations_during(|| {
            std::thread::scope(|s| {
                s.spawn(|| {
                    for i in 0..100 {
                        std::hint::black_box(vec![i as u8; 64]);
                    }
                });
            });
        });
        // Spawning itself allocates on this thread (the thread's handle and closure), but
        // far fewer times than the 100 allocations of the other thread.
        assert!(n < 100, "{n}");
    }
}
