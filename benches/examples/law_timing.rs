//! Times `Objective::eval` of the `additive` and `joint` laws (k = 7) on the benchmark
//! workload of `mixlaw-benches` with `std::time::Instant`, the way `scripts/laws_numpy.py`
//! times numpy (calibrated loop count, best of several repeats, one thread), and prints
//! one JSON object: for each law the natural and unconstrained parameters, the objective
//! value and its gradient in the unconstrained coordinates, and ns per row for
//! value + gradient and value only; the same again under `"grouped"` for the objective
//! evaluated by groups of distinct inputs (`Objective::with_groups`). `"groups"` gives
//! the number of distinct mixtures, model sizes and token counts, and the one-off cost
//! of `Groups::new` (not included in any ns/row figure).
//!
//! ```text
//! cargo run --release -p mixlaw-benches --example law_timing            # values + timing
//! cargo run --release -p mixlaw-benches --example law_timing -- --check # values only
//! ```
//!
//! `--profile-grouped LAW [SECONDS] [value]` prints nothing but runs only LAW's grouped
//! objective (`additive` or `joint`; value + gradient, or value only) for SECONDS
//! (default 10): a harness for `perf record`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use mixlaw_benches::{shukor_bench_rows, with_objectives, Bench, Mode, BENCH_LOSS};
use mixlaw_core::{Groups, Law, Objective};

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

/// Value and gradient of `objective` at `theta` as JSON fields (no braces), plus ns/row
/// for value + gradient and value only when `timing`.
fn mode_fields<L: Law>(
    objective: &Objective<'_, '_, L>,
    theta: &[f64],
    grad: &mut [f64],
    scratch: &mut [f64],
    timing: bool,
) -> String {
    let value = objective
        .eval(theta, Some(&mut *grad), scratch)
        .expect("objective");
    let value_only = objective.eval(theta, None, scratch).expect("value");
    assert_eq!(
        value.to_bits(),
        value_only.to_bits(),
        "value differs with/without grad"
    );
    let mut s = format!("\"value\": {value:?}, \"grad\": {}", json_list(grad));
    if timing {
        let rows = objective.data().rows();
        let vg = time(rows, || {
            let v = objective.eval(black_box(theta), Some(black_box(&mut *grad)), scratch);
            black_box(v).ok();
        });
        let vo = time(rows, || {
            let v = objective.eval(black_box(theta), None, scratch);
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
    s
}

/// One law: parameters, the row-by-row value, gradient and timings at the top level, and
/// the same for the grouped objective under `"grouped"`.
fn law_json<L: Law>(b: &Bench<'_, '_, L>, timing: bool) -> String {
    let (mut grad, mut scratch) = b.buffers();
    let mut s = format!(
        "{{\"params\": {}, \"theta\": {}, ",
        json_list(&b.params),
        json_list(&b.theta)
    );
    for mode in Mode::ALL {
        let fields = mode_fields(b.objective(mode), &b.theta, &mut grad, &mut scratch, timing);
        match mode {
            Mode::RowByRow => s.push_str(&fields),
            Mode::Grouped => s.push_str(&format!(", \"{}\": {{{fields}}}", mode.label())),
        }
    }
    s.push('}');
    s
}

/// The distinct inputs of the rows and the one-off cost of finding them
/// (`Groups::new`, not part of the timed evaluations).
fn groups_json<L: Law>(b: &Bench<'_, '_, L>, timing: bool) -> String {
    let [h, n, d] = b.distinct;
    let mut s = format!("{{\"distinct_h\": {h}, \"distinct_n\": {n}, \"distinct_d\": {d}");
    if timing {
        let data = b.objective.data();
        let rows = data.rows();
        let mut buf = vec![0usize; Groups::buffer_len(rows)];
        let t = time(rows, || {
            let g = Groups::new(black_box(data), &mut buf).map(|g| g.count(0));
            black_box(g).ok();
        });
        s.push_str(&format!(
            ", \"build_ns\": {:?}, \"build_ns_median\": {:?}",
            t.best_ns_per_row * rows as f64,
            t.median_ns_per_row * rows as f64
        ));
    }
    s.push('}');
    s
}

/// Runs only the grouped objective of `b` for `seconds` (value + gradient unless
/// `value_only`), for a profiler.
fn profile_grouped<L: Law>(b: &Bench<'_, '_, L>, seconds: f64, value_only: bool) {
    let (mut grad, mut scratch) = b.buffers();
    let objective = b.objective(Mode::Grouped);
    let start = Instant::now();
    while start.elapsed().as_secs_f64() < seconds {
        for _ in 0..1000 {
            let g = if value_only {
                None
            } else {
                Some(black_box(&mut grad[..]))
            };
            black_box(objective.eval(black_box(&b.theta), g, &mut scratch)).ok();
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let timing = !args.iter().any(|a| a == "--check");
    let Some(cols) = shukor_bench_rows() else {
        // The skip notice is already on stderr; exit non-zero so scripts notice.
        std::process::exit(2);
    };
    if let Some(at) = args.iter().position(|a| a == "--profile-grouped") {
        let law = args.get(at + 1).map_or("additive", String::as_str);
        let seconds = args
            .get(at + 2)
            .and_then(|s| s.parse().ok())
            .unwrap_or(10.0);
        let value_only = args.iter().any(|a| a == "value");
        with_objectives(&cols, |additive, joint| match law {
            "joint" => profile_grouped(&joint, seconds, value_only),
            _ => profile_grouped(&additive, seconds, value_only),
        })
        .expect("building the objectives");
        return;
    }
    let json = with_objectives(&cols, |additive, joint| {
        format!(
            "{{\"impl\": \"rust\", \"rows\": {}, \"loss_column\": \"{BENCH_LOSS}\", \
             \"repeats\": {REPEATS}, \"groups\": {}, \
             \"laws\": {{\"additive\": {}, \"joint\": {}}}}}",
            additive.rows(),
            groups_json(&additive, timing),
            law_json(&additive, timing),
            law_json(&joint, timing)
        )
    })
    .expect("building the objectives");
    println!("{json}");
}
