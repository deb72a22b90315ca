//! Criterion: one mixture solve with `mixlaw-opt`, k = 7 `joint` law ([`JOINT_PARAMS`],
//! scales 1e9) at N = 7e9, D = 150e9, from the uniform mixture to a Frank-Wolfe gap of
//! 1e-10: on the plain simplex (spectral and Armijo step rules) and with a 1% minimum
//! weight per domain; plus the KL projection onto a box alone.
//!
//! ```text
//! cargo bench -p mixlaw-benches --bench opt
//! ```
//! The side-by-side comparison with scipy SLSQP is `scripts/compare_opt.sh`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::hint::black_box;

use criterion::Criterion;
use mixlaw_benches::{BENCH_SCALES, JOINT_PARAMS, SHUKOR_K};
use mixlaw_core::laws::joint::Joint;
use mixlaw_opt::{kl_project, Bounds, Config, LawAt, Side, Solver, Status, StepRule};

fn main() {
    let mut c = Criterion::default().configure_from_args();
    let law = Joint::new(SHUKOR_K).unwrap();
    let target = LawAt::new(&law, &JOINT_PARAMS, 7e9, 150e9, BENCH_SCALES).unwrap();
    let mut group = c.benchmark_group("opt_joint_k7_N7e9_D150e9_gap1e-10");
    let cases = [
        ("simplex_spectral", StepRule::Spectral, Bounds::SIMPLEX),
        ("simplex_armijo", StepRule::Armijo, Bounds::SIMPLEX),
        (
            "min_weight_1pct",
            StepRule::Spectral,
            Bounds::min_weight(0.01),
        ),
    ];
    for (name, step, bounds) in cases {
        let mut solver = Solver::<8>::new(Config {
            step,
            ..Config::default()
        });
        let mut h = [1.0 / 7.0; SHUKOR_K];
        let sol = solver.minimize(&target, &bounds, &mut h).unwrap();
        assert_eq!(sol.status, Status::Converged);
        eprintln!("{name}: {sol:?}");
        group.bench_function(name, |b| {
            b.iter(|| {
                let mut h = [1.0 / 7.0; SHUKOR_K];
                black_box(
                    solver
                        .minimize(black_box(&target), &bounds, &mut h)
                        .unwrap(),
                )
            })
        });
    }
    group.finish();

    let lo = [0.01; SHUKOR_K];
    let hi = [0.3, 0.3, 0.5, 0.2, 0.6, 0.2, 0.1];
    let bounds = Bounds::new(Side::Each(&lo), Side::Each(&hi));
    let y = [5.0, 0.001, 1.0, 2.0, 0.5, 3.0, 0.2];
    c.bench_function("kl_project_box_k7", |b| {
        b.iter(|| {
            let mut h = [0.0; SHUKOR_K];
            kl_project(&bounds, black_box(&y), &mut h).unwrap();
            black_box(h)
        })
    });
    c.final_summary();
}
