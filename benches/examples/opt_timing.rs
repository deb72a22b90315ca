//! Times the mixture solver of `mixlaw-opt` on the benchmark problem shared with
//! `benches/opt.rs` and `scripts/opt_scipy.py`: minimise the k = 7 `joint` law with
//! [`JOINT_PARAMS`] over the simplex at N = 7e9, D = 150e9 (scales 1e9), from the uniform
//! mixture, to a Frank-Wolfe gap of 1e-10. Prints one JSON object: the parameters, the
//! solution (h, objective, gap, iterations, evaluations, status) and the median and best
//! microseconds per solve over [`REPEATS`] timed batches (each at least 200 ms).
//!
//! ```text
//! cargo run --release -p mixlaw-benches --example opt_timing
//! ```
//! `scripts/compare_opt.sh` runs this and the scipy SLSQP script in one go.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use mixlaw_benches::{BENCH_SCALES, JOINT_PARAMS, SHUKOR_K};
use mixlaw_core::laws::joint::Joint;
use mixlaw_opt::{Bounds, LawAt, Solver, Status};

/// Budget of the benchmark problem (Shukor et al.'s 7B model on 150B tokens).
const N: f64 = 7e9;
const D: f64 = 150e9;
/// Minimum duration of one timed batch.
const MIN_BATCH: Duration = Duration::from_millis(200);
/// Number of timed batches.
const REPEATS: usize = 9;

fn json_list(v: &[f64]) -> String {
    let items: Vec<String> = v.iter().map(|x| format!("{x:?}")).collect();
    format!("[{}]", items.join(", "))
}

fn main() {
    let law = Joint::new(SHUKOR_K).expect("law");
    let target = LawAt::new(&law, &JOINT_PARAMS, N, D, BENCH_SCALES).expect("target");
    let mut solver = Solver::<8>::default();
    let solve = |solver: &mut Solver<8>| {
        let mut h = [1.0 / SHUKOR_K as f64; SHUKOR_K];
        let sol = solver
            .minimize(black_box(&target), &Bounds::SIMPLEX, &mut h)
            .expect("solve");
        (h, sol)
    };
    let (h, sol) = solve(&mut solver);
    assert_eq!(sol.status, Status::Converged, "{sol:?}");

    // Calibrate the batch size, then time REPEATS batches.
    let batch = |solver: &mut Solver<8>, n: u64| {
        let t = Instant::now();
        for _ in 0..n {
            black_box(solve(solver));
        }
        t.elapsed()
    };
    let mut calls = 1u64;
    while batch(&mut solver, calls) < MIN_BATCH {
        calls *= 2;
    }
    let mut us: Vec<f64> = (0..REPEATS)
        .map(|_| batch(&mut solver, calls).as_secs_f64() * 1e6 / calls as f64)
        .collect();
    us.sort_by(f64::total_cmp);
    println!(
        "{{\"impl\": \"rust mixlaw-opt (exponentiated gradient, spectral steps)\", \
         \"law\": \"joint\", \"k\": {SHUKOR_K}, \"n\": {N:?}, \"d\": {D:?}, \
         \"n_scale\": {:?}, \"d_scale\": {:?}, \"params\": {}, \"gap_tol\": 1e-10, \
         \"h\": {}, \"objective\": {:?}, \"gap\": {:?}, \"iterations\": {}, \
         \"evaluations\": {}, \"status\": \"{:?}\", \"calls_per_batch\": {calls}, \
         \"repeats\": {REPEATS}, \"median_us\": {:?}, \"min_us\": {:?}}}",
        BENCH_SCALES.n,
        BENCH_SCALES.d,
        json_list(&JOINT_PARAMS),
        json_list(&h),
        sol.objective,
        sol.gap,
        sol.iterations,
        sol.evaluations,
        sol.status,
        us[REPEATS / 2],
        us[0],
    );
}
