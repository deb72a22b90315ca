//! Mixtures of Data Experts on synthetic experts with known answers: loss and gradient
//! against direct sums and finite differences, shard merging, a closed-form optimum,
//! mde-interp, and LINEAR+MDE regressors recovered and optimised.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use approx::assert_abs_diff_eq;
use mixlaw_opt::mde::{InterpObjective, MdeObjective, MdeSums};
use mixlaw_opt::regress::{aggregate_linear_mde, fit_ridge, predict, workspace_len};
use mixlaw_opt::{Bounds, Error, SimplexObjective, Solver, Status};
use proptest::prelude::*;

/// Direct loss and gradient of one set (token-major).
fn direct(k: usize, probs: &[f64], lambda: &[f64]) -> (f64, Vec<f64>) {
    let t = (probs.len() / k) as f64;
    let mut loss = 0.0;
    let mut g = vec![0.0; k];
    for tok in probs.chunks(k) {
        let s: f64 = tok.iter().zip(lambda).map(|(p, l)| p * l).sum();
        loss -= s.ln() / t;
        for i in 0..k {
            g[i] -= tok[i] / s / t;
        }
    }
    (loss, g)
}

fn eval<O: SimplexObjective>(o: &O, h: &[f64]) -> (f64, Vec<f64>) {
    let ln: Vec<f64> = h.iter().map(|v| v.ln()).collect();
    let mut g = vec![0.0; h.len()];
    let v = o.value_grad(h, &ln, &mut g);
    assert_eq!(v.to_bits(), o.value(h, &ln).to_bits());
    (v, g)
}

fn normalize(v: &[f64]) -> Vec<f64> {
    let s: f64 = v.iter().sum();
    v.iter().map(|x| x / s).collect()
}

/// Disjoint experts: expert i gives probability q to tokens of domain i and d to others.
/// A set with `counts[j]` tokens of domain j.
fn disjoint_set(k: usize, counts: &[usize], q: f64, d: f64) -> Vec<f64> {
    let mut probs = Vec::new();
    for (j, &c) in counts.iter().enumerate() {
        for _ in 0..c {
            probs.extend((0..k).map(|i| if i == j { q } else { d }));
        }
    }
    probs
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(mixlaw_testkit::proptest_cases(64)))]

    #[test]
    fn loss_and_gradient_match_direct_sums_and_differences(
        k in 2usize..=6, tokens in 1usize..150,
        raw in prop::collection::vec(1e-4f64..1.0, 900),
        lam in prop::collection::vec(0.05f64..1.0, 6),
        cuts in prop::collection::vec(0usize..150, 3),
    ) {
        let probs = &raw[..tokens * k];
        let lambda = normalize(&lam[..k]);
        // Streamed in chunks at arbitrary token boundaries.
        let mut sums = MdeSums::<8>::new(&lambda).unwrap();
        let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (tokens + 1)).collect();
        cuts.push(0);
        cuts.push(tokens);
        cuts.sort_unstable();
        for w in cuts.windows(2) {
            sums.add_chunk(&probs[w[0] * k..w[1] * k]).unwrap();
        }
        prop_assert_eq!(sums.tokens(), tokens as u64);
        let (want, gwant) = direct(k, probs, &lambda);
        let loss = sums.loss().unwrap();
        prop_assert!((loss - want).abs() <= 1e-12 * want.abs().max(1.0));
        let mut g = vec![0.0; k];
        sums.grad(&mut g).unwrap();
        for i in 0..k {
            prop_assert!((g[i] - gwant[i]).abs() <= 1e-12 * gwant[i].abs().max(1.0));
        }
        // Against central differences of the objective (ambient partials).
        let sets = [probs];
        let w = [1.0];
        let obj = MdeObjective::new(k, &sets, &w).unwrap();
        let (v, go) = eval(&obj, &lambda);
        prop_assert!((v - want).abs() <= 1e-12 * want.abs().max(1.0));
        for i in 0..k {
            let e = 1e-6;
            let (mut up, mut dn) = (lambda.clone(), lambda.clone());
            up[i] += e;
            dn[i] -= e;
            let fd = (obj.value(&up, &up) - obj.value(&dn, &dn)) / (2.0 * e);
            prop_assert!((go[i] - fd).abs() <= 1e-6 * fd.abs().max(1.0), "{} vs {}", go[i], fd);
        }
    }

    #[test]
    fn shards_merge_to_the_full_sums(
        k in 2usize..=5, tokens in 3usize..120,
        raw in prop::collection::vec(1e-3f64..1.0, 600),
        a in 1usize..119, b in 1usize..119,
    ) {
        let probs: Vec<f32> = raw[..tokens * k].iter().map(|&v| v as f32).collect();
        let lambda = normalize(&raw[600 - k..]);
        let (c1, c2) = ((a % tokens).min(b % tokens), (a % tokens).max(b % tokens));
        let mut full = MdeSums::<8>::new(&lambda).unwrap();
        full.add_chunk(&probs).unwrap();
        let mut s1 = MdeSums::<8>::new(&lambda).unwrap();
        let mut s2 = s1;
        let mut s3 = s1;
        s1.add_chunk(&probs[..c1 * k]).unwrap();
        s2.add_chunk(&probs[c1 * k..c2 * k]).unwrap();
        s3.add_chunk(&probs[c2 * k..]).unwrap();
        s3.merge(&s1).unwrap();
        s3.merge(&s2).unwrap();
        prop_assert_eq!(s3.tokens(), full.tokens());
        prop_assert!((s3.loss().unwrap() - full.loss().unwrap()).abs() < 1e-12);
        let (mut g1, mut g2, mut p1, mut p2) = (vec![0.0; k], vec![0.0; k], vec![0.0; k], vec![0.0; k]);
        s3.grad(&mut g1).unwrap();
        full.grad(&mut g2).unwrap();
        s3.mean_probs(&mut p1).unwrap();
        full.mean_probs(&mut p2).unwrap();
        for i in 0..k {
            prop_assert!((g1[i] - g2[i]).abs() < 1e-11 * g2[i].abs().max(1.0));
            prop_assert!((p1[i] - p2[i]).abs() < 1e-14);
        }
    }
}

#[test]
fn merge_at_different_mixtures_is_an_error() {
    let mut a = MdeSums::<4>::new(&[0.5, 0.5]).unwrap();
    let b = MdeSums::<4>::new(&[0.4, 0.6]).unwrap();
    assert!(matches!(a.merge(&b), Err(Error::InvalidConfig { .. })));
    assert!(matches!(a.loss(), Err(Error::Empty)));
}

#[test]
fn invalid_probabilities_are_typed_errors() {
    let mut s = MdeSums::<4>::new(&[0.5, 0.5]).unwrap();
    assert!(matches!(
        s.add_chunk(&[0.5, 0.5, 0.1]),
        Err(Error::LengthMismatch { .. })
    ));
    assert_eq!(
        s.add_chunk(&[0.5, 0.5, f64::NAN, 0.1]),
        Err(Error::InvalidInput {
            what: "expert probability (token index)",
            index: 1
        })
    );
    assert!(matches!(
        s.add_chunk(&[0.5, 1.5]),
        Err(Error::InvalidInput { .. })
    ));
    assert!(matches!(
        s.add_chunk(&[0.0f32, 0.0]),
        Err(Error::InvalidInput { .. })
    ));
    assert!(matches!(
        MdeSums::<1>::new(&[0.5, 0.5]),
        Err(Error::TooManyDomains { .. })
    ));
    let set: &[f64] = &[0.5, 0.5];
    let sets = [set];
    assert!(matches!(
        MdeObjective::new(2, &sets, &[1.0, 2.0]),
        Err(Error::LengthMismatch { .. })
    ));
}

#[test]
fn disjoint_experts_have_a_closed_form_optimum() {
    // Loss = -sum_j pi_j ln(d + lambda_j (q - d)); KKT on the simplex gives
    // lambda_j = pi_j (1 + k d / (q - d)) - d / (q - d).
    let (k, q, d) = (4usize, 0.5, 0.01);
    let counts = [40, 30, 20, 10];
    let probs = disjoint_set(k, &counts, q, d);
    let probs32: Vec<f32> = probs.iter().map(|&v| v as f32).collect();
    let r = d / (q - d);
    for (case, sets64, sets32) in [
        (0, Some([&probs[..]]), None),
        (1, None, Some([&probs32[..]])),
    ] {
        let mut lambda = [0.25; 4];
        let sol = match (sets64.as_ref(), sets32.as_ref()) {
            (Some(s), _) => {
                let obj = MdeObjective::new(k, s, &[1.0]).unwrap();
                Solver::<8>::default()
                    .minimize(&obj, &Bounds::SIMPLEX, &mut lambda)
                    .unwrap()
            }
            (_, Some(s)) => {
                let obj = MdeObjective::new(k, s, &[1.0]).unwrap();
                Solver::<8>::default()
                    .minimize(&obj, &Bounds::SIMPLEX, &mut lambda)
                    .unwrap()
            }
            _ => unreachable!(),
        };
        assert_eq!(sol.status, Status::Converged);
        let (qq, dd) = if case == 0 {
            (q, d)
        } else {
            (q as f32 as f64, d as f32 as f64)
        };
        let r = if case == 0 { r } else { dd / (qq - dd) };
        for j in 0..k {
            let pi = counts[j] as f64 / 100.0;
            let want = pi * (1.0 + k as f64 * r) - r;
            assert!(
                (lambda[j] - want).abs() < 1e-8,
                "case {case}: {lambda:?}, want {want} at {j}"
            );
        }
    }
}

#[test]
fn aggregate_of_sets_matches_brute_force() {
    let k = 3;
    let s1 = disjoint_set(k, &[50, 30, 20], 0.6, 0.05);
    let s2 = disjoint_set(k, &[10, 10, 80], 0.3, 0.02);
    let sets = [&s1[..], &s2[..]];
    let w = [0.7, 0.3];
    let obj = MdeObjective::new(k, &sets, &w).unwrap();
    let mut lambda = [1.0, 0.0, 0.0];
    let sol = Solver::<4>::default()
        .minimize(&obj, &Bounds::SIMPLEX, &mut lambda)
        .unwrap();
    assert_eq!(sol.status, Status::Converged);
    // Grid of step 1/1000.
    let mut best = (f64::INFINITY, [0.0; 3]);
    for a in 1..1000 {
        for b in 1..(1000 - a) {
            let h = [
                a as f64 / 1000.0,
                b as f64 / 1000.0,
                (1000 - a - b) as f64 / 1000.0,
            ];
            let v = obj.value(&h, &h);
            if v < best.0 {
                best = (v, h);
            }
        }
    }
    assert!(sol.objective <= best.0 + 1e-15);
    for i in 0..3 {
        assert!(
            (lambda[i] - best.1[i]).abs() < 2e-3,
            "{lambda:?} vs {:?}",
            best.1
        );
    }
    // The features are the per-set MDE losses.
    let mut f = [0.0; 2];
    obj.features(&lambda, &mut f).unwrap();
    assert!((0.7 * f[0] + 0.3 * f[1] - sol.objective).abs() < 1e-14);
}

#[test]
fn mde_interp_from_mean_probabilities() {
    let k = 3;
    let s1 = disjoint_set(k, &[50, 30, 20], 0.6, 0.05);
    let s2 = disjoint_set(k, &[10, 10, 80], 0.3, 0.02);
    let mut p = [0.0; 6];
    for (j, set) in [&s1, &s2].into_iter().enumerate() {
        let mut sums = MdeSums::<4>::new(&[1.0 / 3.0; 3]).unwrap();
        sums.add_chunk(set).unwrap();
        sums.mean_probs(&mut p[3 * j..3 * j + 3]).unwrap();
    }
    // P_1 = (0.5 * 0.6 + 0.5 * 0.05, ...) for the first set's first expert.
    assert!((p[0] - (0.5 * 0.6 + 0.5 * 0.05)).abs() < 1e-15);
    // A single set: -ln <lambda, P> is minimised at the corner of the largest P.
    let one = InterpObjective::new(k, &p[..3], &[1.0]).unwrap();
    let mut lambda = [1.0 / 3.0; 3];
    let sol = Solver::<4>::default()
        .minimize(&one, &Bounds::SIMPLEX, &mut lambda)
        .unwrap();
    assert_eq!(sol.status, Status::Converged);
    assert!(lambda[0] > 1.0 - 1e-9, "{lambda:?}");
    // Two sets: gradient against differences, and an interior optimum that satisfies KKT.
    let two = InterpObjective::new(k, &p, &[0.5, 0.5]).unwrap();
    let h = [0.2, 0.3, 0.5];
    let (_, g) = eval(&two, &h);
    for i in 0..3 {
        let (mut up, mut dn) = (h, h);
        up[i] += 1e-6;
        dn[i] -= 1e-6;
        let fd = (two.value(&up, &up) - two.value(&dn, &dn)) / 2e-6;
        assert!((g[i] - fd).abs() < 1e-7);
    }
    let mut lambda = [1.0 / 3.0; 3];
    let sol = Solver::<4>::default()
        .minimize(&two, &Bounds::SIMPLEX, &mut lambda)
        .unwrap();
    assert_eq!(sol.status, Status::Converged);
    let (_, g) = eval(&two, &lambda);
    let inside: Vec<usize> = (0..3).filter(|&i| lambda[i] > 1e-3).collect();
    assert!(inside.len() >= 2, "{lambda:?}");
    for &i in &inside {
        assert!((g[i] - g[inside[0]]).abs() < 1e-6);
    }
}

#[test]
fn ridge_recovers_coefficients_and_satisfies_normal_equations() {
    // Noiseless data: exact recovery by least squares, with and without intercept.
    let (rows, p) = (20, 4);
    let beta_true = [0.5, -1.5, 2.0, 0.25];
    let x: Vec<f64> = (0..rows * p)
        .map(|i| ((i * 7919) % 101) as f64 / 50.0 - 1.0)
        .collect();
    let y: Vec<f64> = x
        .chunks(p)
        .map(|r| 3.0 + predict(r, &beta_true, 0.0))
        .collect();
    let mut work = vec![0.0; workspace_len(p)];
    let mut beta = [0.0; 4];
    let b0 = fit_ridge(&x, &y, p, 0.0, true, &mut work, &mut beta).unwrap();
    assert!((b0 - 3.0).abs() < 1e-10);
    assert_abs_diff_eq!(beta[..p], beta_true[..p], epsilon = 1e-10);
    // Ridge: the centred normal equations hold, Xc^T (yc - Xc beta) = alpha beta.
    let alpha = 0.7;
    let b0 = fit_ridge(&x, &y, p, alpha, true, &mut work, &mut beta).unwrap();
    let xm: Vec<f64> = (0..p)
        .map(|j| x.chunks(p).map(|r| r[j]).sum::<f64>() / rows as f64)
        .collect();
    let ym = y.iter().sum::<f64>() / rows as f64;
    for j in 0..p {
        let lhs: f64 = x
            .chunks(p)
            .zip(&y)
            .map(|(r, &yr)| {
                let res = (yr - ym) - (0..p).map(|l| (r[l] - xm[l]) * beta[l]).sum::<f64>();
                (r[j] - xm[j]) * res
            })
            .sum();
        assert!(
            (lhs - alpha * beta[j]).abs() < 1e-9,
            "{lhs} vs {}",
            alpha * beta[j]
        );
    }
    assert!((b0 - (ym - (0..p).map(|l| xm[l] * beta[l]).sum::<f64>())).abs() < 1e-12);
    // Collinear columns (a mixture plus an intercept): singular without ridge.
    let lam: Vec<f64> = (0..rows)
        .flat_map(|r| {
            let a = (r as f64 + 1.0) / (rows as f64 + 2.0);
            [a, 1.0 - a]
        })
        .collect();
    let yl: Vec<f64> = lam.chunks(2).map(|r| 2.0 * r[0] + 5.0 * r[1]).collect();
    let mut b2 = [0.0; 2];
    let mut w2 = vec![0.0; workspace_len(2)];
    assert_eq!(
        fit_ridge(&lam, &yl, 2, 0.0, true, &mut w2, &mut b2),
        Err(Error::Singular)
    );
    fit_ridge(&lam, &yl, 2, 1e-3, true, &mut w2, &mut b2).unwrap();
    let b0 = fit_ridge(&lam, &yl, 2, 0.0, false, &mut w2, &mut b2).unwrap();
    assert!(b0 == 0.0 && (b2[0] - 2.0).abs() < 1e-12 && (b2[1] - 5.0).abs() < 1e-12);
    assert!(matches!(
        fit_ridge(&lam, &yl, 2, -1.0, false, &mut w2, &mut b2),
        Err(Error::InvalidConfig { .. })
    ));
}

#[test]
fn linear_mde_end_to_end() {
    // Three experts, two validation sets; "true" losses of 14 training mixtures follow a
    // LINEAR+MDE model exactly; the fitted regressors recover it, and the optimum of
    // their aggregate matches a brute-force search over the true model.
    let k = 3;
    let s1 = disjoint_set(k, &[50, 30, 20], 0.6, 0.05);
    let s2 = disjoint_set(k, &[10, 10, 80], 0.3, 0.02);
    let sets = [&s1[..], &s2[..]];
    let feats = MdeObjective::new(k, &sets, &[1.0, 1.0]).unwrap();
    let m = 2;
    // Target j: y = <a_j, lambda> + sum_l B_jl F_l(lambda).
    let a_true = [[0.3, -0.2, 0.1], [0.0, 0.4, -0.3]];
    let b_true = [[0.8, 0.1], [0.2, 0.9]];
    let truth = |lambda: &[f64], j: usize| -> f64 {
        let mut f = [0.0; 2];
        feats.features(lambda, &mut f).unwrap();
        predict(lambda, &a_true[j], 0.0) + predict(&f, &b_true[j], 0.0)
    };
    let rows = 14;
    let mut x = Vec::new();
    let mut lambdas = Vec::new();
    for r in 0..rows {
        let raw = [
            1.0 + (r % 5) as f64,
            1.0 + (r * 3 % 7) as f64,
            1.0 + (r * 5 % 4) as f64,
        ];
        let lambda = normalize(&raw);
        let mut f = [0.0; 2];
        feats.features(&lambda, &mut f).unwrap();
        x.extend_from_slice(&lambda);
        x.extend_from_slice(&f);
        lambdas.push(lambda);
    }
    let p = k + m;
    let mut betas = vec![0.0; 2 * p];
    let mut work = vec![0.0; workspace_len(p)];
    for j in 0..2 {
        let y: Vec<f64> = lambdas.iter().map(|l| truth(l, j)).collect();
        let b0 = fit_ridge(
            &x,
            &y,
            p,
            0.0,
            false,
            &mut work,
            &mut betas[j * p..(j + 1) * p],
        )
        .unwrap();
        assert_eq!(b0, 0.0);
        for i in 0..k {
            assert!((betas[j * p + i] - a_true[j][i]).abs() < 1e-7, "{betas:?}");
        }
        for l in 0..m {
            assert!(
                (betas[j * p + k + l] - b_true[j][l]).abs() < 1e-7,
                "{betas:?}"
            );
        }
    }
    let v = [0.5, 0.5];
    let (mut a, mut w) = ([0.0; 3], [0.0; 2]);
    let c = aggregate_linear_mde(k, m, &betas, &[0.0, 0.0], &v, &mut a, &mut w).unwrap();
    let obj = MdeObjective::new(k, &sets, &w)
        .unwrap()
        .with_linear(&a, c)
        .unwrap();
    let mut lambda = [1.0 / 3.0; 3];
    let sol = Solver::<4>::default()
        .minimize(&obj, &Bounds::min_weight(0.01), &mut lambda)
        .unwrap();
    assert_eq!(sol.status, Status::Converged);
    let mut best = (f64::INFINITY, [0.0; 3]);
    for i in 10..=980 {
        for jj in 10..=(990 - i) {
            let h = [
                i as f64 / 1000.0,
                jj as f64 / 1000.0,
                (1000 - i - jj) as f64 / 1000.0,
            ];
            let val = 0.5 * truth(&h, 0) + 0.5 * truth(&h, 1);
            if val < best.0 {
                best = (val, h);
            }
        }
    }
    assert!(
        sol.objective <= best.0 + 1e-9,
        "{} vs {}",
        sol.objective,
        best.0
    );
    for i in 0..3 {
        assert!(
            (lambda[i] - best.1[i]).abs() < 2e-3,
            "{lambda:?} vs {:?}",
            best.1
        );
    }
}
