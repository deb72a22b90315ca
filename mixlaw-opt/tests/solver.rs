//! Solver properties: brute-force agreement (k = 3), KKT conditions, bounds, fixed
//! domains, multi-target sums, independence of the start point, non-finite objectives.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use approx::assert_abs_diff_eq;
use mixlaw_core::laws::{additive::Additive, joint::Joint};
use mixlaw_core::{Law, Scales};
use mixlaw_opt::{
    kl_project, Bounds, Config, Error, FnObjective, LawAt, Side, SimplexObjective, Solver, Status,
    StepRule, Weighted,
};
use proptest::prelude::*;

mod common;
use common::joint_params;

const SCALES: Scales = Scales { n: 1e9, d: 1e9 };
const N: f64 = 7e9;
const D: f64 = 150e9;

fn value_at<O: SimplexObjective>(obj: &O, h: &[f64]) -> f64 {
    let ln: Vec<f64> = h.iter().map(|v| v.ln()).collect();
    obj.value(h, &ln)
}

fn grad_at<O: SimplexObjective>(obj: &O, h: &[f64]) -> Vec<f64> {
    let ln: Vec<f64> = h.iter().map(|v| v.ln()).collect();
    let mut g = vec![0.0; h.len()];
    obj.value_grad(h, &ln, &mut g);
    g
}

/// Brute force for k = 3: a grid of step 1/200 over the feasible triangle, then twelve
/// rounds of a 21 x 21 grid around the best point, each half as wide.
fn brute_force_3<O: SimplexObjective>(obj: &O, lo: [f64; 3], hi: [f64; 3]) -> ([f64; 3], f64) {
    let feasible = |h: &[f64; 3]| (0..3).all(|i| h[i] >= lo[i] - 1e-15 && h[i] <= hi[i] + 1e-15);
    let mut best = ([0.0; 3], f64::INFINITY);
    let consider = |h: [f64; 3], best: &mut ([f64; 3], f64)| {
        if feasible(&h) {
            let v = value_at(obj, &h);
            if v < best.1 {
                *best = (h, v);
            }
        }
    };
    let n = 200;
    for a in 0..=n {
        for b in 0..=(n - a) {
            let (x, y) = (a as f64 / n as f64, b as f64 / n as f64);
            consider([x, y, 1.0 - x - y], &mut best);
        }
    }
    // Bounds can exclude every grid point (narrow boxes): fall back to the box centre.
    if !best.1.is_finite() {
        let mut y = [1.0; 3];
        kl_project(
            &Bounds::new(Side::Each(&lo), Side::Each(&hi)),
            &[1.0; 3],
            &mut y,
        )
        .unwrap();
        best = (y, value_at(obj, &y));
    }
    let mut width = 2.0 / n as f64;
    for _ in 0..20 {
        let c = best.0;
        for a in -10..=10 {
            for b in -10..=10 {
                let x = (c[0] + a as f64 * width / 10.0).clamp(lo[0], hi[0]);
                let y = (c[1] + b as f64 * width / 10.0).clamp(lo[1], hi[1]);
                consider([x, y, 1.0 - x - y], &mut best);
            }
        }
        width *= 0.5;
    }
    best
}

/// KKT check independent of the library's gap: weights clearly inside their box share one
/// gradient value `lambda`; weights at a lower bound have `g_i >= lambda`, at an upper
/// bound `g_i <= lambda` (all within `tol`).
fn check_kkt(g: &[f64], h: &[f64], lo: &[f64], hi: &[f64], tol: f64) -> Result<(), String> {
    let k = h.len();
    let inside: Vec<usize> = (0..k)
        .filter(|&i| h[i] - lo[i] > 1e-3 && hi[i] - h[i] > 1e-3)
        .collect();
    let at_lo: Vec<usize> = (0..k)
        .filter(|&i| h[i] - lo[i] <= 1e-9 && lo[i] < hi[i])
        .collect();
    let at_hi: Vec<usize> = (0..k)
        .filter(|&i| hi[i] - h[i] <= 1e-9 && lo[i] < hi[i])
        .collect();
    let lambda = match inside.first() {
        Some(&i) => g[i],
        None => {
            // A vertex of the box: some lambda must still separate the bounds, every
            // gradient at an upper bound <= every gradient at a lower bound.
            let top = at_hi
                .iter()
                .map(|&i| g[i])
                .fold(f64::NEG_INFINITY, f64::max);
            let bottom = at_lo.iter().map(|&i| g[i]).fold(f64::INFINITY, f64::min);
            if top > bottom + tol {
                return Err(format!(
                    "no lambda at a vertex: max g at upper bounds {top} > min g at lower bounds {bottom}"
                ));
            }
            return Ok(());
        }
    };
    for &i in &inside {
        if (g[i] - lambda).abs() > tol {
            return Err(format!(
                "interior gradients differ: g[{i}] = {} vs {lambda}",
                g[i]
            ));
        }
    }
    for &i in &at_lo {
        if g[i] < lambda - tol {
            return Err(format!(
                "g[{i}] = {} < lambda = {lambda} at a lower bound",
                g[i]
            ));
        }
    }
    for &i in &at_hi {
        if g[i] > lambda + tol {
            return Err(format!(
                "g[{i}] = {} > lambda = {lambda} at an upper bound",
                g[i]
            ));
        }
    }
    Ok(())
}

fn solve<O: SimplexObjective>(obj: &O, b: &Bounds<'_>, h: &mut [f64]) -> mixlaw_opt::Solution {
    Solver::<8>::default().minimize(obj, b, h).unwrap()
}

#[test]
fn joint_k3_matches_brute_force() {
    let law = Joint::new(3).unwrap();
    for seed in 0..6 {
        let u: Vec<f64> = (0..17)
            .map(|i| ((i * 37 + seed * 11) % 19) as f64 / 19.0)
            .collect();
        let p = joint_params(3, &u);
        let t = LawAt::new(&law, &p, N, D, SCALES).unwrap();
        let mut h = [1.0 / 3.0; 3];
        let sol = solve(&t, &Bounds::SIMPLEX, &mut h);
        assert_eq!(sol.status, Status::Converged);
        let (hb, vb) = brute_force_3(&t, [0.0; 3], [1.0; 3]);
        assert!(
            sol.objective <= vb + 1e-12,
            "solver {} > brute force {vb}",
            sol.objective
        );
        assert!(
            vb - sol.objective < 1e-9,
            "brute force far above: {vb} vs {}",
            sol.objective
        );
        for i in 0..3 {
            assert!(
                (h[i] - hb[i]).abs() < 1e-4,
                "seed {seed}: h = {h:?}, brute force {hb:?}"
            );
        }
    }
}

#[test]
fn boxed_k3_matches_brute_force() {
    let law = Additive::new(3).unwrap();
    // The unconstrained optimum puts most weight on domain 2; cap it and floor domain 0.
    let p = [1.5, 2.0, 3.0, 0.3, 0.3, 1.0, 2.0, 6.0, 0.5, 0.4, 0.3];
    let t = LawAt::new(&law, &p, N, D, SCALES).unwrap();
    let lo = [0.2, 0.0, 0.0];
    let hi = [1.0, 1.0, 0.4];
    let b = Bounds::new(Side::Each(&lo), Side::Each(&hi));
    let mut h = [0.2, 0.4, 0.4];
    let sol = solve(&t, &b, &mut h);
    assert_eq!(sol.status, Status::Converged);
    let (hb, vb) = brute_force_3(&t, lo, hi);
    assert!(sol.objective <= vb + 1e-12);
    assert!((h[2] - 0.4).abs() < 1e-15 && h[0] >= 0.2, "h = {h:?}");
    assert_abs_diff_eq!(h[..3], hb[..3], epsilon = 1e-4);
}

#[test]
fn additive_optimum_does_not_depend_on_scale() {
    // Shukor et al. section 5: under eq 2.4 the minimiser is independent of (N, D).
    let law = Additive::new(4).unwrap();
    let p = [
        1.5, 2.0, 3.0, 0.3, 0.3, 1.0, 2.0, 3.0, 1.5, 0.5, 0.4, 0.3, 0.6,
    ];
    let mut h1 = [0.25; 4];
    let mut h2 = [0.25; 4];
    solve(
        &LawAt::new(&law, &p, 1e8, 1e9, SCALES).unwrap(),
        &Bounds::SIMPLEX,
        &mut h1,
    );
    solve(
        &LawAt::new(&law, &p, 1e11, 1e13, SCALES).unwrap(),
        &Bounds::SIMPLEX,
        &mut h2,
    );
    assert_abs_diff_eq!(h1[..4], h2[..4], epsilon = 1e-7);
}

#[test]
fn joint_optimum_depends_on_scale() {
    let law = Joint::new(3).unwrap();
    let p = [
        1.5, 0.3, 0.3, 1.0, 1.5, 2.0, 0.5, 0.4, 0.3, 0.2, 1.0, 3.0, 1.0, 3.0, 1.0, 0.2, 1.0,
    ];
    let mut h1 = [1.0 / 3.0; 3];
    let mut h2 = [1.0 / 3.0; 3];
    solve(
        &LawAt::new(&law, &p, 1e8, 1e9, SCALES).unwrap(),
        &Bounds::SIMPLEX,
        &mut h1,
    );
    solve(
        &LawAt::new(&law, &p, 1e8, 1e12, SCALES).unwrap(),
        &Bounds::SIMPLEX,
        &mut h2,
    );
    assert!((h1[2] - h2[2]).abs() > 1e-3, "{h1:?} vs {h2:?}");
}

#[test]
fn fixed_domain_keeps_its_value() {
    let law = Joint::new(4).unwrap();
    let u: Vec<f64> = (0..21).map(|i| (i as f64 * 0.618).fract()).collect();
    let p = joint_params(4, &u);
    let t = LawAt::new(&law, &p, N, D, SCALES).unwrap();
    let lo = [0.0, 0.3, 0.0, 0.0];
    let hi = [1.0, 0.3, 1.0, 1.0];
    let mut h = [0.25; 4];
    let sol = solve(&t, &Bounds::new(Side::Each(&lo), Side::Each(&hi)), &mut h);
    assert_eq!(sol.status, Status::Converged);
    assert_eq!(h[1], 0.3);
    let g = grad_at(&t, &h);
    check_kkt(&g, &h, &lo, &hi, 1e-6).unwrap();
    // Fixing domain 1 at its free optimum value reproduces the free optimum.
    let mut free = [0.25; 4];
    solve(&t, &Bounds::SIMPLEX, &mut free);
    let (lo2, hi2) = ([0.0, free[1], 0.0, 0.0], [1.0, free[1], 1.0, 1.0]);
    let mut h2 = [0.25; 4];
    solve(
        &t,
        &Bounds::new(Side::Each(&lo2), Side::Each(&hi2)),
        &mut h2,
    );
    assert_abs_diff_eq!(h2[..4], free[..4], epsilon = 1e-7);
}

#[test]
fn fixed_zero_domain_with_infinite_gradient() {
    // gamma < 1: dL/dh_0 = -inf at h_0 = 0, but the domain is fixed there.
    let law = Additive::new(3).unwrap();
    let p = [1.5, 2.0, 3.0, 0.3, 0.3, 5.0, 2.0, 3.0, 0.3, 0.4, 0.3];
    let t = LawAt::new(&law, &p, N, D, SCALES).unwrap();
    let z = [0.0, 0.0, 0.0];
    let hi = [0.0, 1.0, 1.0];
    let mut h = [0.0, 0.5, 0.5];
    let sol = solve(&t, &Bounds::new(Side::Each(&z), Side::Each(&hi)), &mut h);
    assert_eq!(sol.status, Status::Converged);
    assert_eq!(h[0], 0.0);
    assert!(sol.objective.is_finite() && h.iter().all(|v| v.is_finite()));
}

#[test]
fn weighted_sum_matches_brute_force_and_gradient() {
    let law = Joint::new(3).unwrap();
    let u1: Vec<f64> = (0..17).map(|i| (i as f64 * 0.618 + 0.1).fract()).collect();
    let u2: Vec<f64> = (0..17).map(|i| (i as f64 * 0.414 + 0.7).fract()).collect();
    let (p1, p2) = (joint_params(3, &u1), joint_params(3, &u2));
    let targets = [
        LawAt::new(&law, &p1, N, D, SCALES).unwrap(),
        LawAt::new(&law, &p2, N, D, SCALES).unwrap(),
    ];
    let w = [0.3, 0.7];
    let obj = Weighted::<_, 4>::new(&targets, &w).unwrap();
    let h0 = [0.2, 0.5, 0.3];
    let g = grad_at(&obj, &h0);
    let (g1, g2) = (grad_at(&targets[0], &h0), grad_at(&targets[1], &h0));
    for i in 0..3 {
        assert!((g[i] - (0.3 * g1[i] + 0.7 * g2[i])).abs() < 1e-14);
    }
    let v = value_at(&obj, &h0);
    assert!(
        (v - (0.3 * value_at(&targets[0], &h0) + 0.7 * value_at(&targets[1], &h0))).abs() < 1e-14
    );
    let mut h = [1.0 / 3.0; 3];
    let sol = solve(&obj, &Bounds::SIMPLEX, &mut h);
    let (hb, vb) = brute_force_3(&obj, [0.0; 3], [1.0; 3]);
    assert!(sol.objective <= vb + 1e-12);
    assert_abs_diff_eq!(h[..3], hb[..3], epsilon = 1e-4);
    // Heterogeneous targets through `dyn Law`.
    let add = Additive::new(3).unwrap();
    let pa = [1.5, 2.0, 3.0, 0.3, 0.3, 1.0, 2.0, 3.0, 0.5, 0.4, 0.3];
    let mixed: [LawAt<'_, dyn Law>; 2] = [
        LawAt::new(&law as &dyn Law, &p1, N, D, SCALES).unwrap(),
        LawAt::new(&add as &dyn Law, &pa, N, D, SCALES).unwrap(),
    ];
    let obj = Weighted::<_, 4>::new(&mixed, &[1.0, 1.0]).unwrap();
    let mut h = [1.0 / 3.0; 3];
    assert_eq!(
        solve(&obj, &Bounds::SIMPLEX, &mut h).status,
        Status::Converged
    );
}

#[test]
fn typed_errors() {
    let law = Joint::new(3).unwrap();
    let u: Vec<f64> = (0..17).map(|i| (i as f64 * 0.618).fract()).collect();
    let p = joint_params(3, &u);
    let t = LawAt::new(&law, &p, N, D, SCALES).unwrap();
    let mut h = [1.0 / 3.0; 3];
    let mut s = Solver::<8>::default();
    assert!(matches!(
        s.minimize(&t, &Bounds::min_weight(0.4), &mut h),
        Err(Error::Infeasible { .. })
    ));
    let hi = [0.2, 0.2, 0.2];
    assert!(matches!(
        s.minimize(&t, &Bounds::new(Side::All(0.0), Side::Each(&hi)), &mut h),
        Err(Error::Infeasible { .. })
    ));
    assert!(matches!(
        Solver::<2>::default().minimize(&t, &Bounds::SIMPLEX, &mut h),
        Err(Error::TooManyDomains { max: 2, found: 3 })
    ));
    let mut bad = [0.5, f64::NAN, 0.5];
    assert!(matches!(
        s.minimize(&t, &Bounds::SIMPLEX, &mut bad),
        Err(Error::InvalidInput { .. })
    ));
    let mut short = [0.5, 0.5];
    assert!(matches!(
        s.minimize(&t, &Bounds::SIMPLEX, &mut short),
        Err(Error::LengthMismatch { .. })
    ));
    assert!(matches!(
        LawAt::new(&law, &p, -1.0, D, SCALES),
        Err(Error::InvalidInput { .. })
    ));
    assert!(matches!(
        LawAt::new(&law, &p[..5], N, D, SCALES),
        Err(Error::WrongParamCount { .. })
    ));
    let nan_start = FnObjective::new(3, |_: &[f64], _: &[f64], _: Option<&mut [f64]>| f64::NAN);
    assert_eq!(
        s.minimize(&nan_start, &Bounds::SIMPLEX, &mut h),
        Err(Error::NonFiniteStart)
    );
}

#[test]
fn non_finite_region_is_avoided_without_nan() {
    // f = sum (h - t)^2 with t outside the region h_0 <= 0.6, where f is +inf beyond.
    let t = [0.9, 0.05, 0.05];
    let f = FnObjective::new(3, |h: &[f64], _: &[f64], g: Option<&mut [f64]>| {
        if h[0] > 0.6 {
            return f64::INFINITY;
        }
        if let Some(g) = g {
            for i in 0..3 {
                g[i] = 2.0 * (h[i] - t[i]);
            }
        }
        (0..3).map(|i| (h[i] - t[i]) * (h[i] - t[i])).sum()
    });
    let mut h = [0.2, 0.4, 0.4];
    let sol = Solver::<4>::new(Config {
        max_iter: 500,
        ..Config::default()
    })
    .minimize(&f, &Bounds::SIMPLEX, &mut h)
    .unwrap();
    assert!(sol.objective.is_finite() && sol.gap.is_finite());
    assert!(h.iter().all(|v| v.is_finite()) && h[0] <= 0.6);
    assert!(h[0] > 0.59, "should press against the wall: {h:?}");
}

#[test]
fn starts_at_a_corner_with_infinite_gradients() {
    // gamma < 1: the gradient at the corner's zero weights is -inf; the start is lifted.
    let law = Additive::new(3).unwrap();
    let p = [1.5, 2.0, 3.0, 0.3, 0.3, 1.0, 2.0, 3.0, 0.5, 0.4, 0.3];
    let t = LawAt::new(&law, &p, N, D, SCALES).unwrap();
    let mut a = [1.0, 0.0, 0.0];
    let mut b = [0.0, 0.0, 0.0];
    let sa = solve(&t, &Bounds::SIMPLEX, &mut a);
    let sb = solve(&t, &Bounds::SIMPLEX, &mut b);
    assert_eq!(
        (sa.status, sb.status),
        (Status::Converged, Status::Converged)
    );
    assert_abs_diff_eq!(a[..3], b[..3], epsilon = 1e-7);
}

#[test]
fn armijo_rule_agrees_with_spectral() {
    let law = Joint::new(7).unwrap();
    let u: Vec<f64> = (0..33).map(|i| (i as f64 * 0.618 + 0.3).fract()).collect();
    let p = joint_params(7, &u);
    let t = LawAt::new(&law, &p, N, D, SCALES).unwrap();
    let mut a = [1.0 / 7.0; 7];
    let mut b = [1.0 / 7.0; 7];
    let sa = solve(&t, &Bounds::min_weight(0.01), &mut a);
    let sb = Solver::<8>::new(Config {
        step: StepRule::Armijo,
        ..Config::default()
    })
    .minimize(&t, &Bounds::min_weight(0.01), &mut b)
    .unwrap();
    assert_eq!(
        (sa.status, sb.status),
        (Status::Converged, Status::Converged)
    );
    assert_abs_diff_eq!(a[..7], b[..7], epsilon = 1e-6);
}

/// Random feasible bounds for k domains from uniforms in [0, 1).
fn random_bounds(k: usize, u: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let mut lo: Vec<f64> = (0..k)
        .map(|i| {
            if u[i] < 0.5 {
                0.0
            } else {
                0.3 * u[i] / k as f64
            }
        })
        .collect();
    let mut hi: Vec<f64> = (0..k)
        .map(|i| {
            if u[k + i] < 0.5 {
                1.0
            } else {
                lo[i] + (1.5 + u[k + i]) / k as f64
            }
        })
        .collect();
    // Fix one domain when asked to.
    if k >= 2 && u[2 * k] < 0.3 {
        hi[0] = lo[0].max(0.05);
        lo[0] = hi[0];
    }
    if hi.iter().sum::<f64>() < 1.0 {
        hi.iter_mut().skip(1).for_each(|v| *v = 1.0);
    }
    lo.truncate(k);
    (lo, hi)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(mixlaw_testkit::proptest_cases(96)))]

    /// At the returned point: converged, inside the bounds, KKT conditions hold.
    #[test]
    fn kkt_and_bounds_hold(k in 2usize..=8, u in prop::collection::vec(0.0f64..1.0, 60),
                           ln_n in 18.0f64..25.0, ln_d in 20.0f64..28.0) {
        let law = Joint::new(k).unwrap();
        let p = joint_params(k, &u);
        let t = LawAt::new(&law, &p, ln_n.exp(), ln_d.exp(), SCALES).unwrap();
        let (lo, hi) = random_bounds(k, &u[20..]);
        let b = Bounds::new(Side::Each(&lo), Side::Each(&hi));
        let mut h = vec![1.0; k];
        let sol = solve(&t, &b, &mut h);
        prop_assert_eq!(sol.status, Status::Converged, "{:?} h {:?} lo {:?} hi {:?}", sol, h, lo, hi);
        prop_assert!(sol.gap <= 1e-10);
        for i in 0..k {
            prop_assert!(h[i] >= lo[i] && h[i] <= hi[i], "h[{}] = {} outside [{}, {}]", i, h[i], lo[i], hi[i]);
        }
        prop_assert!((h.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        let g = grad_at(&t, &h);
        if let Err(e) = check_kkt(&g, &h, &lo, &hi, 1e-6) {
            prop_assert!(false, "{}", e);
        }
    }

    /// Any start (corners, zeros, random) gives the same optimum of a strictly convex law.
    #[test]
    fn same_optimum_from_any_start(k in 2usize..=7, u in prop::collection::vec(0.0f64..1.0, 40),
                                   start in prop::collection::vec(0.0f64..1.0, 7),
                                   corner in 0usize..7, min_w in prop::sample::select(vec![0.0, 0.01])) {
        let law = Joint::new(k).unwrap();
        let p = joint_params(k, &u);
        let t = LawAt::new(&law, &p, N, D, SCALES).unwrap();
        let b = Bounds::min_weight(min_w);
        let mut reference = vec![1.0 / k as f64; k];
        let r = solve(&t, &b, &mut reference);
        prop_assert_eq!(r.status, Status::Converged);
        let mut random: Vec<f64> = start[..k].to_vec();
        let mut vertex = vec![0.0; k];
        vertex[corner % k] = 1.0;
        for h in [&mut random, &mut vertex] {
            let s = solve(&t, &b, h);
            prop_assert_eq!(s.status, Status::Converged);
            // For a convex objective the Frank-Wolfe gap bounds the suboptimality, so two
            // converged solves agree within the sum of their gaps.
            prop_assert!(
                (s.objective - r.objective).abs() <= s.gap + r.gap + 1e-12,
                "objective {} vs {} (gaps {}, {})", s.objective, r.objective, s.gap, r.gap
            );
            for i in 0..k {
                prop_assert!((h[i] - reference[i]).abs() < 1e-5, "{:?} vs {:?}", h, reference);
            }
        }
    }

    /// The KL projection is feasible, satisfies its optimality conditions and beats random
    /// feasible points in KL(h || y).
    #[test]
    fn kl_projection_is_optimal(k in 1usize..=9, y in prop::collection::vec(1e-6f64..10.0, 9),
                                u in prop::collection::vec(0.0f64..1.0, 20),
                                probes in prop::collection::vec(0.0f64..1.0, 9)) {
        let y = &y[..k];
        let (lo, hi) = random_bounds(k, &u);
        let b = Bounds::new(Side::Each(&lo), Side::Each(&hi));
        let mut h = vec![0.0; k];
        kl_project(&b, y, &mut h).unwrap();
        prop_assert!((h.iter().sum::<f64>() - 1.0).abs() < 1e-13);
        for i in 0..k {
            prop_assert!(h[i] >= lo[i] && h[i] <= hi[i]);
        }
        // Optimality: one ratio c = h_i / y_i for free domains; c y_i <= lo_i where
        // h_i = lo_i < hi_i and c y_i >= hi_i where h_i = hi_i > lo_i.
        let free: Vec<usize> = (0..k).filter(|&i| h[i] > lo[i] && h[i] < hi[i]).collect();
        if let Some(&f0) = free.first() {
            let c = h[f0] / y[f0];
            for &i in &free {
                prop_assert!((h[i] / y[i] - c).abs() <= 1e-12 * c);
            }
            for i in 0..k {
                if lo[i] < hi[i] && h[i] == lo[i] { prop_assert!(c * y[i] <= lo[i] * (1.0 + 1e-12)); }
                if lo[i] < hi[i] && h[i] == hi[i] { prop_assert!(c * y[i] >= hi[i] * (1.0 - 1e-12)); }
            }
        } else {
            // Every weight at a bound: some ratio c must still separate them, every
            // hi_i / y_i at an upper bound <= every lo_i / y_i at a lower bound.
            let moving = |i: &usize| lo[*i] < hi[*i];
            let top = (0..k).filter(moving).filter(|&i| h[i] == hi[i]).map(|i| hi[i] / y[i]).fold(0.0, f64::max);
            let bottom = (0..k).filter(moving).filter(|&i| h[i] == lo[i]).map(|i| lo[i] / y[i]).fold(f64::INFINITY, f64::min);
            prop_assert!(top <= bottom * (1.0 + 1e-12), "no ratio at a vertex: {} > {}", top, bottom);
        }
        let kl = |x: &[f64]| -> f64 {
            x.iter().zip(y).map(|(&a, &b)| if a > 0.0 { a * (a / b).ln() } else { 0.0 }).sum()
        };
        let mut x = vec![0.0; k];
        let probe: Vec<f64> = probes[..k].iter().map(|v| v + 1e-3).collect();
        kl_project(&b, &probe, &mut x).unwrap();
        prop_assert!(kl(&h) <= kl(&x) + 1e-12);
    }
}

/// Found by the `simplex_solver` fuzz target: a start with one weight near 1e-147 put the
/// projection's root exactly on the end of its bracket; bisecting toward it ran out of
/// steps and the solver returned `h` summing to 0.99994.
#[test]
fn projection_root_at_bracket_end_stays_on_simplex() {
    let law = Joint::new(3).unwrap();
    let mut params = [0.50625; 17];
    params[6] = 5062.5;
    params[7] = 5.0625;
    params[9] = 0.080625;
    params[10] = 0.01;
    params[11] = 0.896875;
    params[14] = 0.5098039215686274;
    let t = LawAt::new(&law, &params, 0.50625, 5.0625e7, Scales { n: 1e9, d: 1e9 }).unwrap();
    let lo = [0.0, 0.0, 0.5098039215686274];
    let hi = [0.0, 1.0859375, 1.0];
    let bounds = Bounds {
        lower: Side::Each(&lo),
        upper: Side::Each(&hi),
    };
    let mut h = [56.0, 2.3574981293864692e-147, 33.0];
    Solver::<8>::default()
        .minimize(&t, &bounds, &mut h)
        .unwrap();
    let sum: f64 = h.iter().sum();
    assert!((sum - 1.0).abs() <= 1e-9, "sum {sum}, h {h:?}");
    assert!(bounds.contains(&h, 1e-9), "{h:?}");
}

/// Found by the `simplex_solver` fuzz target: a pathologically scaled linear objective made
/// the iterates leave the simplex (h summing to 1.016-1.044) while the solver reported
/// convergence. Such a result must be an error, never `Ok`.
#[test]
fn pathological_scaling_is_an_error_not_an_infeasible_ok() {
    use mixlaw_core::{AnyLaw, Scales};
    use mixlaw_opt::{Bounds, LawAt, Side, Solver, StepRule};
    let law = AnyLaw::new("linear", 4, None).unwrap();
    let params = [1000.0, 0.001, 8.96875e12, 2.2250738585072014e-308];
    let target = LawAt::new(
        &law,
        &params,
        2.2250738585072014e-308,
        1e-3,
        Scales { n: 1e9, d: 1e9 },
    )
    .unwrap();
    let lo = [0.1875, 0.0, 0.2490234375, 0.0341796875];
    let hi = [0.375, 0.0, 1.9921875, 0.4296875];
    let bounds = Bounds::new(Side::Each(&lo), Side::Each(&hi));
    for rule in [StepRule::Armijo, StepRule::Spectral] {
        let mut solver = Solver::<8>::default();
        let mut config = *solver.config();
        config.step = rule;
        config.max_iter = 264;
        solver.set_config(config);
        let mut h = [90.0, 0.0, 0.0, 0.0];
        match solver.minimize(&target, &bounds, &mut h) {
            Ok(sol) => {
                assert!(
                    bounds.contains(&h, 1e-9),
                    "{rule:?}: Ok with h = {h:?} off the feasible set ({sol:?})"
                );
            }
            Err(e) => assert!(
                matches!(e, mixlaw_opt::Error::Numerical { .. }),
                "{rule:?}: {e}"
            ),
        }
    }
}

/// `solver::minimize_in` (a caller workspace) is `Solver::minimize` (the struct's arrays),
/// bit for bit, with and without bounds; a workspace short of `workspace_len(k)` is
/// `TooManyDomains`.
#[test]
fn workspace_solve_equals_the_solver() {
    use mixlaw_opt::solver::{minimize_in, workspace_len};
    let law = Additive::new(3).unwrap();
    let p = [1.5, 2.0, 3.0, 0.3, 0.3, 1.0, 2.0, 6.0, 0.5, 0.4, 0.3];
    let t = LawAt::new(&law, &p, N, D, SCALES).unwrap();
    let (lo, hi) = ([0.2, 0.0, 0.0], [1.0, 1.0, 0.4]);
    for b in [
        Bounds::SIMPLEX,
        Bounds::new(Side::Each(&lo), Side::Each(&hi)),
    ] {
        let mut h = [0.2, 0.4, 0.4];
        let sol = solve(&t, &b, &mut h);
        let mut h_in = [0.2, 0.4, 0.4];
        let mut work = vec![f64::NAN; workspace_len(3)];
        let sol_in = minimize_in(Config::default(), &t, &b, &mut h_in, &mut work).unwrap();
        assert_eq!((sol, h), (sol_in, h_in));
        let mut short = vec![0.0; workspace_len(3) - 1];
        assert!(matches!(
            minimize_in(Config::default(), &t, &b, &mut h_in, &mut short),
            Err(Error::TooManyDomains { max: 2, found: 3 })
        ));
    }
}
