//! Published and structural reference values of `data-constrained`, `ye-m4`, `bimix` and
//! `ye-m3`.
#![allow(clippy::indexing_slicing, clippy::unwrap_used)]

mod common;

use mixlaw_core::eval::check_data;
use mixlaw_core::laws::{
    bimix::Bimix, data_constrained::DataConstrained, ye_m3::YeM3, ye_m4::YeM4,
};
use mixlaw_core::{Dataset, Error, LawExt, Point, Prepared, Scales};
use proptest::prelude::*;

/// The datablations README's parameters: base fit (a, b, e, alpha = beta) and the fitted
/// R_N*, R_D*, in the law's order `E, A, B, alpha, beta, RN, RD`.
fn datablations_params() -> [f64; 7] {
    let (a, b, e, alpha) = (6.255414f64, 7.3049974f64, 0.6254804f64, 0.3526596);
    [e.exp(), a.exp(), b.exp(), alpha, alpha, 5.309743, 15.387756]
}

#[test]
fn data_constrained_readme_values() {
    let law = DataConstrained::new();
    let p = datablations_params();
    for (n, d, u, expected) in [
        (6.34e9, 242e9, 25e9, 2.2256440889984477),
        (8.67e9, 178e9, 25e9, 2.2269634075087867),
    ] {
        // The law ignores h; a point still needs a mixture on the simplex.
        let point = Point::with_unique(&[1.0], n, d, u).unwrap();
        let v = law.value(&p, &point, Scales::default()).unwrap();
        println!("L(N = {n:e}, D = {d:e}, U = {u:e}) = {v:.17} (expected {expected:.17})");
        assert!((v - expected).abs() <= 1e-12, "{v} vs {expected}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(mixlaw_testkit::proptest_cases(256)))]

    /// Since sum h = 1, (gamma_i + s, C e^-s) gives the same predictions.
    #[test]
    fn ye_m4_gauge_invariance(
        (k, h) in common::k_and_mixture(),
        e in 0.5f64..3.0,
        ln_c in -2.0f64..1.0,
        gamma in proptest::collection::vec(-2.0f64..2.0, 7),
        s in -3.0f64..3.0,
    ) {
        let law = YeM4::new(k).unwrap();
        let point = Point::new(&h, 1.0, 1.0).unwrap();
        let mut p = vec![e, ln_c.exp()];
        p.extend_from_slice(&gamma[..k]);
        let mut q = vec![e, (ln_c - s).exp()];
        q.extend(gamma[..k].iter().map(|g| g + s));
        let (vp, vq) = (
            law.value(&p, &point, Scales::default()).unwrap(),
            law.value(&q, &point, Scales::default()).unwrap(),
        );
        prop_assert!((vp - vq).abs() <= 1e-12 * vp.abs(), "{vp} vs {vq}");
    }
}

#[test]
fn bimix_zero_target_weight_is_an_error() {
    let law = Bimix::new(3, 1).unwrap();
    let p = [2.0, 0.3, 1.5, 0.2];
    let scales = Scales::default();
    let zero = Point::new(&[0.5, 0.0, 0.5], 1.0, 1e3).unwrap();
    assert_eq!(
        law.value(&p, &zero, scales),
        Err(Error::ZeroTargetWeight { row: 0 })
    );
    let mut dh = [0.0; 3];
    assert_eq!(
        law.grad_h(&p, &zero, scales, &mut dh),
        Err(Error::ZeroTargetWeight { row: 0 })
    );
    let ok = Point::new(&[0.5, 0.25, 0.25], 1.0, 1e3).unwrap();
    assert!(law.value(&p, &ok, scales).unwrap().is_finite());

    // Through a prepared data set: the first row with h_t = 0 is reported.
    let h = [0.2, 0.3, 0.5, 0.6, 0.4, 0.0, 1.0, 0.0, 0.0, 0.1, 0.9, 0.0];
    let y = [3.0, 3.1, 3.2, 3.3];
    let d = [1e3, 2e3, 3e3, 4e3];
    let data = Dataset::new(3, &h, &y).unwrap().with_d(&d).unwrap();
    let mut buf = vec![0.0; Prepared::buffer_len(4, 3)];
    let prepared = Prepared::new(data, scales, &mut buf).unwrap();
    assert_eq!(
        check_data(&law, &prepared),
        Err(Error::ZeroTargetWeight { row: 2 })
    );
    // Domain 0 has weight > 0 everywhere.
    assert_eq!(check_data(&Bimix::new(3, 0).unwrap(), &prepared), Ok(()));
    assert_eq!(
        Bimix::new(3, 3),
        Err(Error::TargetOutOfRange {
            target: 3,
            domains: 3
        })
    );
}

/// `prod_{j != i} x_j`, by a plain loop.
fn product_except(x: &[f64], i: usize) -> f64 {
    x.iter()
        .enumerate()
        .filter(|&(j, _)| j != i)
        .map(|(_, v)| v)
        .product()
}

/// Gradients of ye-m3 in gamma and h, exactly, where one factor gamma_i h_i is zero.
fn check_ye_m3(h: &[f64], gamma: &[f64], c: f64) -> (Vec<f64>, Vec<f64>) {
    let k = h.len();
    let law = YeM3::new(k).unwrap();
    let mut p = vec![1.5, c];
    p.extend_from_slice(gamma);
    let point = Point::new(h, 1.0, 1.0).unwrap();
    let scales = Scales::default();
    let mut g = vec![f64::NAN; k + 2];
    let v = law.value_grad(&p, &point, scales, &mut g).unwrap();
    let mut gh = vec![f64::NAN; k];
    let v2 = law.grad_h(&p, &point, scales, &mut gh).unwrap();
    let x: Vec<f64> = gamma.iter().zip(h).map(|(g, h)| g * h).collect();
    let prod: f64 = x.iter().product();
    let ep = prod.exp();
    assert_eq!(v, 1.5 + c * ep);
    assert_eq!(v2, v);
    assert_eq!(g[0], 1.0);
    assert_eq!(g[1], ep);
    for i in 0..k {
        let rest = product_except(&x, i);
        let (want_g, want_h) = (c * ep * h[i] * rest, c * ep * gamma[i] * rest);
        assert!(
            (g[2 + i] - want_g).abs() <= 1e-15 * want_g.abs(),
            "d/dgamma[{i}]: {} vs {want_g}",
            g[2 + i]
        );
        assert!(
            (gh[i] - want_h).abs() <= 1e-15 * want_h.abs(),
            "d/dh[{i}]: {} vs {want_h}",
            gh[i]
        );
    }
    (g[2..].to_vec(), gh)
}

#[test]
fn ye_m3_gradient_exact_with_zero_h() {
    // h_0 = 0: the product is 0, yet d/dh_0 = C gamma_0 prod_{j != 0} gamma_j h_j != 0.
    let (dg, dh) = check_ye_m3(&[0.0, 0.4, 0.6], &[2.0, 3.0, -1.5], 0.7);
    assert_eq!(dh[0], 0.7 * 2.0 * (3.0 * 0.4) * (-1.5 * 0.6));
    assert!(dh[0] != 0.0);
    assert!(dg[0] == 0.0 && dg[1] == 0.0 && dg[2] == 0.0);
    assert!(dh[1] == 0.0 && dh[2] == 0.0);
}

#[test]
fn ye_m3_gradient_exact_with_zero_gamma() {
    // gamma_1 = 0: d/dgamma_1 = C h_1 prod_{j != 1} gamma_j h_j != 0.
    let (dg, dh) = check_ye_m3(&[0.2, 0.3, 0.1, 0.4], &[-1.0, 0.0, 2.5, 1.5], -0.8);
    assert!(dg[1] != 0.0);
    assert!(dg[0] == 0.0 && dg[2] == 0.0 && dg[3] == 0.0);
    assert!(dh[1] == 0.0 && dh[0] == 0.0 && dh[2] == 0.0 && dh[3] == 0.0);
    // Two zero factors: every partial derivative vanishes exactly.
    let (dg, dh) = check_ye_m3(&[0.0, 0.5, 0.5], &[1.0, 0.0, 2.0], 1.3);
    assert!(dg.iter().chain(&dh).all(|&x| x == 0.0));
    // k = 1: P = gamma_0 (h_0 = 1).
    check_ye_m3(&[1.0], &[0.0], 2.0);
}
