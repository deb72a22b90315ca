//! Appendix C.1 analyses: Jensen-Shannon distance, the simplex grid, corner optima and
//! fixed-point scans of the map w -> h*(w).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use approx::{abs_diff_eq, assert_abs_diff_eq};
use mixlaw_core::laws::additive::Additive;
use mixlaw_core::Scales;
use mixlaw_opt::analysis::{
    corner_optima, fixed_point_scan, js_distance, optimum_for_weights, SimplexGrid,
};
use mixlaw_opt::{Bounds, LawAt, Solution, Solver, Status};
use proptest::prelude::*;

const SCALES: Scales = Scales { n: 1e9, d: 1e9 };

fn kl(p: &[f64], q: &[f64]) -> f64 {
    p.iter()
        .zip(q)
        .map(|(&a, &b)| if a > 0.0 { a * (a / b).ln() } else { 0.0 })
        .sum()
}

fn blank() -> Solution {
    Solution {
        objective: 0.0,
        gap: 0.0,
        iterations: 0,
        evaluations: 0,
        status: Status::MaxIterations,
    }
}

proptest! {
    #[test]
    fn js_is_a_bounded_symmetric_metric(raw in prop::collection::vec(0.0f64..1.0, 15), zeros in 0usize..5) {
        let norm = |v: &[f64]| { let s: f64 = v.iter().sum(); v.iter().map(|x| x / s).collect::<Vec<_>>() };
        let mut p = raw[..5].to_vec();
        p[zeros] = 0.0;
        p[(zeros + 1) % 5] += 0.1;
        let (p, q, r) = (norm(&p), norm(&raw[5..10]), norm(&raw[10..]));
        let d = js_distance(&p, &q).unwrap();
        let m: Vec<f64> = p.iter().zip(&q).map(|(a, b)| 0.5 * (a + b)).collect();
        let want = (0.5 * (kl(&p, &m) + kl(&q, &m))).sqrt();
        prop_assert!((d - want).abs() < 1e-12);
        prop_assert!((d - js_distance(&q, &p).unwrap()).abs() < 1e-15);
        prop_assert!(d <= 2f64.ln().sqrt() + 1e-15);
        prop_assert_eq!(js_distance(&p, &p).unwrap(), 0.0);
        // Triangle inequality (the JS distance is a metric).
        let (a, b) = (js_distance(&p, &r).unwrap(), js_distance(&r, &q).unwrap());
        prop_assert!(d <= a + b + 1e-12);
    }

    #[test]
    fn grid_enumerates_every_composition_once(m in 1usize..=5, steps in 1usize..=8) {
        let mut g = SimplexGrid::<6>::new(m, steps).unwrap();
        let mut w = vec![0.0; m];
        let mut seen = std::collections::BTreeSet::new();
        while g.next_point(&mut w) {
            prop_assert!((w.iter().sum::<f64>() - 1.0).abs() < 1e-12);
            let key: Vec<usize> = w.iter().map(|v| (v * steps as f64).round() as usize).collect();
            prop_assert!(seen.insert(key));
        }
        // C(steps + m - 1, m - 1)
        let mut c = 1usize;
        for i in 1..m {
            c = c * (steps + i) / i;
        }
        prop_assert_eq!(seen.len(), c);
        prop_assert!(!g.next_point(&mut w));
    }
}

/// k additive targets; target j benefits mostly from its own domain (C_jj = 10).
fn own_domain_params(k: usize) -> Vec<Vec<f64>> {
    (0..k)
        .map(|j| {
            let mut p = vec![1.5, 1.0, 1.0, 0.3, 0.3];
            p.extend((0..k).map(|i| if i == j { 10.0 } else { 0.5 }));
            p.extend((0..k).map(|i| 0.3 + 0.05 * i as f64));
            p
        })
        .collect()
}

#[test]
fn corners_sit_near_their_own_domain() {
    let k = 4;
    let law = Additive::new(k).unwrap();
    let params = own_domain_params(k);
    let targets: Vec<_> = params
        .iter()
        .map(|p| LawAt::new(&law, p, 1e9, 1e10, SCALES).unwrap())
        .collect();
    let mut solver = Solver::<8>::default();
    let mut rows = vec![0.0; k * k];
    let mut sols = vec![blank(); k];
    corner_optima(
        &mut solver,
        &targets,
        &Bounds::SIMPLEX,
        &mut rows,
        &mut sols,
    )
    .unwrap();
    for j in 0..k {
        assert_eq!(sols[j].status, Status::Converged);
        assert!(
            rows[j * k + j] > 0.8,
            "target {j}: {:?}",
            &rows[j * k..(j + 1) * k]
        );
        // Same as the weighted sum with w = e_j.
        let mut w = vec![0.0; k];
        w[j] = 1.0;
        let mut h = vec![1.0 / k as f64; k];
        optimum_for_weights(&mut solver, &targets, &w, &Bounds::SIMPLEX, &mut h).unwrap();
        for i in 0..k {
            assert!((h[i] - rows[j * k + i]).abs() < 1e-7);
        }
    }
}

#[test]
fn scan_with_identical_targets_finds_the_nearest_grid_point() {
    // All targets equal: h*(w) is the same h0 for every w, so the smallest distance of
    // the scan is min over the grid of JS(w, h0).
    let k = 3;
    let law = Additive::new(k).unwrap();
    let p = [1.5, 1.0, 1.0, 0.3, 0.3, 1.0, 2.0, 3.0, 0.5, 0.4, 0.3];
    let targets = [LawAt::new(&law, &p, 1e9, 1e10, SCALES).unwrap(); 3];
    let mut solver = Solver::<4>::default();
    let mut h0 = [1.0 / 3.0; 3];
    solver
        .minimize(&targets[0], &Bounds::SIMPLEX, &mut h0)
        .unwrap();
    let mut visits = 0;
    let (best, count) = fixed_point_scan(
        &mut solver,
        &targets,
        &Bounds::SIMPLEX,
        12,
        |w, h, js, sol| {
            visits += 1;
            assert_eq!(sol.status, Status::Converged);
            assert_abs_diff_eq!(h[..3], h0[..3], epsilon = 1e-7);
            assert!((js - js_distance(w, h).unwrap()).abs() < 1e-15);
        },
    )
    .unwrap();
    assert_eq!((count, visits), (91, 91));
    let mut grid = SimplexGrid::<3>::new(3, 12).unwrap();
    let mut w = [0.0; 3];
    let mut want = f64::INFINITY;
    while grid.next_point(&mut w) {
        want = want.min(js_distance(&w, &h0).unwrap());
    }
    assert!((best - want).abs() < 1e-7, "{best} vs {want}");
}

#[test]
fn warm_started_scan_agrees_with_cold_solves() {
    let k = 3;
    let law = Additive::new(k).unwrap();
    let mut params = own_domain_params(k);
    params[1][6] = 4.0; // asymmetric: target 1 also likes domain 1 less
    params[2][8] = 0.7; // and target 2 has a steeper own-domain exponent
    let targets: Vec<_> = params
        .iter()
        .map(|p| LawAt::new(&law, p, 1e9, 1e10, SCALES).unwrap())
        .collect();
    let mut solver = Solver::<4>::default();
    let mut cold = Solver::<4>::default();
    let (best, count) = fixed_point_scan(
        &mut solver,
        &targets,
        &Bounds::SIMPLEX,
        8,
        |w, h, js, sol| {
            assert_eq!(sol.status, Status::Converged);
            let mut hc = [1.0 / 3.0; 3];
            optimum_for_weights(&mut cold, &targets, w, &Bounds::SIMPLEX, &mut hc).unwrap();
            assert!(
                abs_diff_eq!(h[..3], hc[..3], epsilon = 1e-6),
                "w = {w:?}: {h:?} vs {hc:?}"
            );
            assert!(js >= 0.0 && js.is_finite());
        },
    )
    .unwrap();
    assert_eq!(count, 45);
    assert!(best.is_finite());
    // m must equal k.
    assert!(fixed_point_scan(
        &mut solver,
        &targets[..2],
        &Bounds::SIMPLEX,
        6,
        |_, _, _, _| {}
    )
    .is_err());
}
