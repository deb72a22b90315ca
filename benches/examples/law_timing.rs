//! Times `Objective::eval` of the `additive` and `joint` laws (k = 7) on the benchmark
//! workload of `mixlaw-benches` with `std::time::Instant`, the way `scripts/laws_numpy.py`
//! times numpy (calibrated loop count, best of several repeats, one thread), and prints
//! one JSON object: for each law the natural and unconstrained parameters, the objective
//! value and its gradient in the unconstrained coordinates, and ns per row for
//! value + gradient and value only.
//!
//! ```text
//! cargo run --release -p mixlaw-benches --example law_timing            # values + timing
//! cargo run --release -p mixlaw-benches --example law_timing -- --check # values only
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use mixlaw_benches::{shukor_bench_rows, with_objectives, Bench, BENCH_LOSS};
use mixlaw_core::Law;

/// Minimum duration of one timed repeat (as Python's `timeit.Timer.autorange`).
const MIN_REPEAT: Duration = Duration::from_millis(200);
/// Number of timed repeats; the best one is reported.
const REPEATS: usize = 7;

struct Timing {
    best_ns_per_row: f64,
    median_ns_per_row: f64,
    calls: u64,
}

/// Calibrates the call count like `timeit.autorange` (1, 2, 5, 10, 20, 50, ... until one
/// batch takes at least [`MIN_REPEAT`]), then times [`REPEATS`] batches.
fn time(rows: usize, mut f: impl FnMut()) -> Timing {
    let batch = |f: &mut dyn FnMut(), n: u64| {
        let t = Instant::now();
        for _ in 0..n {
            f();
        }
        t.elapsed()
    };
    let mut calls = 1u64;
    'calibrate: loop {
        for m in [1, 2, 5] {
            let n = calls * m;
            if batch(&mut f, n) >= MIN_REPEAT {
                calls = n;
                break 'calibrate;
            }
        }
        calls *= 10;
    }
    let mut per_row: Vec<f64> = (0..REPEATS)
        .map(|_| batch(&mut f, calls).as_secs_f64() * 1e9 / (calls as f64 * rows as f64))
        .collect();
    per_row.sort_by(f64::total_cmp);
    Timing {
        best_ns_per_row: per_row[0],
        median_ns_per_row: per_row[REPEATS / 2],
        calls,
    }
}

fn json_list(v: &[f64]) -> String {
    let items: Vec<String> = v.iter().map(|x| format!("{x:?}")).collect();
    format!("[{}]", items.join(", "))
}

fn law_json<L: Law>(b: &Bench<'_, '_, L>, timing: bool) -> String {
    let (mut grad, mut scratch) = b.buffers();
    let value = b
        .objective
        .eval(&b.theta, Some(&mut grad), &mut scratch)
        .expect("objective");
    let value_only = b
        .objective
        .eval(&b.theta, None, &mut scratch)
        .expect("value");
    assert_eq!(
        value.to_bits(),
        value_only.to_bits(),
        "value differs with/without grad"
    );
    let mut s = format!(
        "{{\"params\": {}, \"theta\": {}, \"value\": {value:?}, \"grad\": {}",
        json_list(&b.params),
        json_list(&b.theta),
        json_list(&grad)
    );
    if timing {
        let rows = b.rows();
        let vg = time(rows, || {
            let v = b.objective.eval(
                black_box(&b.theta),
                Some(black_box(&mut grad[..])),
                &mut scratch,
            );
            black_box(v).ok();
        });
        let vo = time(rows, || {
            let v = b.objective.eval(black_box(&b.theta), None, &mut scratch);
            black_box(v).ok();
        });
        s.push_str(&format!(
            ", \"value_grad_ns_per_row\": {:?}, \"value_grad_ns_per_row_median\": {:?}, \
             \"value_grad_calls\": {}, \"value_only_ns_per_row\": {:?}, \
             \"value_only_ns_per_row_median\": {:?}, \"value_only_calls\": {}",
            vg.best_ns_per_row,
            vg.median_ns_per_row,
            vg.calls,
            vo.best_ns_per_row,
            vo.median_ns_per_row,
            vo.calls
        ));
    }
    s.push('}');
    s
}

fn main() {
    let timing = !std::env::args().any(|a| a == "--check");
    let Some(cols) = shukor_bench_rows() else {
        // The skip notice is already on stderr; exit non-zero so scripts notice.
        std::process::exit(2);
    };
    let json = with_objectives(&cols, |additive, joint| {
        format!(
            "{{\"impl\": \"rust\", \"rows\": {}, \"loss_column\": \"{BENCH_LOSS}\", \
             \"repeats\": {REPEATS}, \"laws\": {{\"additive\": {}, \"joint\": {}}}}}",
            additive.rows(),
            law_json(&additive, timing),
            law_json(&joint, timing)
        )
    })
    .expect("building the objectives");
    println!("{json}");
}
