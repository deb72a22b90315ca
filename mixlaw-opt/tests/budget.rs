//! Budgets: sweeps agree with independent solves, availability caps hold, and the
//! compute-optimal search matches a closed form and a brute-force scan.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use mixlaw_core::laws::{additive::Additive, joint::Joint};
use mixlaw_core::Scales;
use mixlaw_opt::budget::{iso_flop, solve_at, Availability, Budget, ComputeConfig, Constraints};
use mixlaw_opt::{compute_optimal, sweep, Bounds, LawAt, Solution, Solver, Status, Weighted};

const SCALES: Scales = Scales { n: 1e9, d: 1e9 };

// E, alpha, beta, C[3], gamma[3], CA[3], gammaA, CB[3], gammaB (convex in h).
const JOINT: [f64; 17] = [
    1.6, 0.3, 0.28, 1.0, 1.5, 2.0, 0.5, 0.4, 0.3, 0.4, 1.2, 2.5, 1.1, 2.5, 1.0, 0.3, 1.2,
];

fn blank() -> Solution {
    Solution {
        objective: 0.0,
        gap: 0.0,
        iterations: 0,
        evaluations: 0,
        status: Status::MaxIterations,
    }
}

#[test]
fn iso_flop_sweep_matches_cold_solves() {
    let law = Joint::new(3).unwrap();
    let mut t = LawAt::new(&law, &JOINT, 1e9, 1e10, SCALES).unwrap();
    let mut budgets = [Budget { n: 1.0, d: 1.0 }; 9];
    iso_flop(1e22, 1e8, 1e11, &mut budgets).unwrap();
    let mut solver = Solver::<4>::default();
    let mut h = [1.0 / 3.0; 3];
    let mut rows = [0.0; 27];
    let mut sols = [blank(); 9];
    sweep(
        &mut solver,
        &mut t,
        &Constraints::bounds(Bounds::SIMPLEX),
        &budgets,
        &mut h,
        &mut rows,
        &mut sols,
    )
    .unwrap();
    for (j, b) in budgets.iter().enumerate() {
        assert_eq!(sols[j].status, Status::Converged);
        let cold = LawAt::new(&law, &JOINT, b.n, b.d, SCALES).unwrap();
        let mut hc = [1.0 / 3.0; 3];
        let s = solver.minimize(&cold, &Bounds::SIMPLEX, &mut hc).unwrap();
        assert!((s.objective - sols[j].objective).abs() < 1e-12);
        for i in 0..3 {
            assert!((hc[i] - rows[3 * j + i]).abs() < 1e-6, "budget {j}: {hc:?}");
        }
    }
    // The joint law's optimum moves with scale (Shukor et al. Figure 5).
    assert!((rows[0] - rows[24]).abs() > 1e-3, "{rows:?}");
}

#[test]
fn availability_caps_bind_at_large_d() {
    let law = Joint::new(3).unwrap();
    let mut t = LawAt::new(&law, &JOINT, 1e9, 1e10, SCALES).unwrap();
    // Domain 2 has 5B unique tokens, at most 4 epochs: h_2 <= 2e10 / D.
    let unique = [1e13, 1e13, 5e9];
    let avail = Availability {
        unique: &unique,
        max_epochs: 4.0,
    };
    let budgets = [
        Budget::new(1e9, 1e10).unwrap(),
        Budget::new(1e9, 1e11).unwrap(),
        Budget::new(1e9, 1e12).unwrap(),
    ];
    let mut solver = Solver::<4>::default();
    let mut h = [1.0 / 3.0; 3];
    let mut rows = [0.0; 9];
    let mut sols = [blank(); 3];
    sweep(
        &mut solver,
        &mut t,
        &Constraints::with_availability(Bounds::min_weight(0.01), avail),
        &budgets,
        &mut h,
        &mut rows,
        &mut sols,
    )
    .unwrap();
    let mut free = [1.0 / 3.0; 3];
    solve_at(
        &mut solver,
        &mut t,
        &Constraints::bounds(Bounds::min_weight(0.01)),
        budgets[2],
        &mut free,
    )
    .unwrap();
    assert!(free[2] > 0.02, "the cap must bind for this test: {free:?}");
    for (j, b) in budgets.iter().enumerate() {
        assert_eq!(sols[j].status, Status::Converged);
        let cap = (5e9 * 4.0 / b.d).min(1.0);
        assert!(
            rows[3 * j + 2] <= cap,
            "row {j}: {} > {cap}",
            rows[3 * j + 2]
        );
        assert!(rows[3 * j..3 * j + 3].iter().all(|&v| v >= 0.01));
    }
    assert_eq!(rows[8], 0.02);
    // At D = 1e13 the cap 0.002 is below the 1% minimum: a typed error.
    let far = [Budget::new(1e9, 1e13).unwrap()];
    let err = sweep(
        &mut solver,
        &mut t,
        &Constraints::with_availability(Bounds::min_weight(0.01), avail),
        &far,
        &mut h,
        &mut rows[..3],
        &mut sols[..1],
    );
    assert_eq!(
        err,
        Err(mixlaw_opt::Error::DataExhausted { domain: 2, d: 1e13 })
    );
}

#[test]
fn compute_optimum_matches_closed_form_for_additive() {
    // additive: the h part separates, and min_N A n^-alpha + B d^-beta with d = G / n,
    // G = C / (6 sn sd), is at n* = (alpha A G^beta / (beta B))^(1 / (alpha + beta)).
    let law = Additive::new(3).unwrap();
    let (a, b, alpha, beta): (f64, f64, f64, f64) = (400.0, 1200.0, 0.34, 0.28);
    let p = [1.7, a, b, alpha, beta, 1.0, 2.0, 3.0, 0.5, 0.4, 0.3];
    let mut t = LawAt::new(&law, &p, 1e9, 1e10, SCALES).unwrap();
    let c = 1e23;
    let g: f64 = c / (6.0 * 1e9 * 1e9);
    let n_star = (alpha * a * g.powf(beta) / (beta * b)).powf(1.0 / (alpha + beta)) * 1e9;
    let mut h = [1.0 / 3.0; 3];
    let opt = compute_optimal(
        &mut Solver::<4>::default(),
        &mut t,
        &Constraints::bounds(Bounds::SIMPLEX),
        c,
        &ComputeConfig {
            ln_n_tol: 1e-9,
            ..ComputeConfig::default()
        },
        &mut h,
    )
    .unwrap();
    assert!(!opt.at_edge);
    assert!(
        (opt.budget.n / n_star - 1.0).abs() < 1e-6,
        "{} vs {n_star}",
        opt.budget.n
    );
    assert!((opt.budget.compute() / c - 1.0).abs() < 1e-12);
    assert_eq!(opt.solution.status, Status::Converged);
}

#[test]
fn compute_optimum_of_a_weighted_joint_sum_beats_a_fine_scan() {
    let law = Joint::new(3).unwrap();
    let mut p1 = JOINT;
    p1[13..16].copy_from_slice(&[2.5, 2.0, 1.5]); // CB: data matter in every domain
    let mut p2 = p1;
    p2[3] = 3.0; // C[0]
    p2[11] = 0.8; // CA[2]
    let targets = [
        LawAt::new(&law, &p1, 1e9, 1e10, SCALES).unwrap(),
        LawAt::new(&law, &p2, 1e9, 1e10, SCALES).unwrap(),
    ];
    let w = [0.6, 0.4];
    let mut obj = Weighted::<_, 4>::new(targets, &w).unwrap();
    let c = 3e21;
    let cfg = ComputeConfig {
        n_min: 1e7,
        n_max: 1e12,
        ..ComputeConfig::default()
    };
    let mut solver = Solver::<4>::default();
    let mut h = [1.0 / 3.0; 3];
    let opt = compute_optimal(
        &mut solver,
        &mut obj,
        &Constraints::bounds(Bounds::SIMPLEX),
        c,
        &cfg,
        &mut h,
    )
    .unwrap();
    assert!(!opt.at_edge, "{opt:?}");
    // Brute force: 4001 log-spaced model sizes, cold solves.
    let mut best = (0.0, f64::INFINITY);
    for j in 0..=4000 {
        let n = (1e7f64.ln() + (1e12f64.ln() - 1e7f64.ln()) * j as f64 / 4000.0).exp();
        let mut hj = [1.0 / 3.0; 3];
        let s = solve_at(
            &mut solver,
            &mut obj,
            &Constraints::bounds(Bounds::SIMPLEX),
            Budget::from_compute(c, n).unwrap(),
            &mut hj,
        )
        .unwrap();
        if s.objective < best.1 {
            best = (n, s.objective);
        }
    }
    assert!(
        opt.solution.objective <= best.1 + 1e-12,
        "{} > {}",
        opt.solution.objective,
        best.1
    );
    let step = (1e12f64.ln() - 1e7f64.ln()) / 4000.0;
    assert!(
        (opt.budget.n.ln() - best.0.ln()).abs() <= step,
        "{} vs {}",
        opt.budget.n,
        best.0
    );
    // Neighbouring model sizes are worse.
    for f in [0.99, 1.01] {
        let mut hj = h;
        let s = solve_at(
            &mut solver,
            &mut obj,
            &Constraints::bounds(Bounds::SIMPLEX),
            Budget::from_compute(c, opt.budget.n * f).unwrap(),
            &mut hj,
        )
        .unwrap();
        assert!(s.objective > opt.solution.objective);
    }
}

#[test]
fn compute_optimum_reports_the_range_edge() {
    let law = Additive::new(2).unwrap();
    let p = [1.7, 400.0, 1200.0, 0.34, 0.28, 1.0, 2.0, 0.5, 0.4];
    let mut t = LawAt::new(&law, &p, 1e9, 1e10, SCALES).unwrap();
    let mut h = [0.5; 2];
    let cfg = ComputeConfig {
        n_min: 1e6,
        n_max: 1e7, // far below the optimum
        ..ComputeConfig::default()
    };
    let opt = compute_optimal(
        &mut Solver::<2>::default(),
        &mut t,
        &Constraints::bounds(Bounds::SIMPLEX),
        1e23,
        &cfg,
        &mut h,
    )
    .unwrap();
    assert!(opt.at_edge);
    assert!((opt.budget.n - 1e7).abs() < 1.0);
    let bad = ComputeConfig {
        n_min: 1e8,
        n_max: 1e7,
        ..cfg
    };
    assert!(compute_optimal(
        &mut Solver::<2>::default(),
        &mut t,
        &Constraints::bounds(Bounds::SIMPLEX),
        1e23,
        &bad,
        &mut h
    )
    .is_err());
}
