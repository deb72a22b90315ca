//! Shared test machinery: random inputs from a law's own layout, and finite-difference checks.
#![allow(dead_code, clippy::indexing_slicing)]

use mixlaw_core::{Law, LawExt, Row};
use proptest::prelude::*;

/// Inputs for one check: unconstrained parameters, a mixture, N, D, U (already scaled).
#[derive(Clone, Debug)]
pub struct Case {
    pub theta: Vec<f64>,
    pub h: Vec<f64>,
    pub n: f64,
    pub d: f64,
    pub u: f64,
}

/// A mixture on the simplex of `k` domains, with exact zeros and near-zero weights
/// (log-uniform in 1e-12..1e-6 before renormalising) mixed in.
pub fn mixture(k: usize) -> impl Strategy<Value = Vec<f64>> {
    proptest::collection::vec((0u8..10, 0.0f64..1.0), k).prop_map(move |raw| {
        let mut h: Vec<f64> = raw
            .iter()
            .map(|&(kind, x)| match kind {
                0 => 0.0,
                1 => 10f64.powf(-12.0 + 6.0 * x),
                _ => 0.05 + x,
            })
            .collect();
        if h.iter().all(|&v| v == 0.0) {
            h[0] = 1.0;
        }
        let s: f64 = h.iter().sum();
        h.iter_mut().for_each(|v| *v /= s);
        h
    })
}

/// A number of domains `k` in 1..=7 and a mixture of `k` domains.
pub fn k_and_mixture() -> impl Strategy<Value = (usize, Vec<f64>)> {
    (1usize..8).prop_flat_map(|k| (Just(k), mixture(k)))
}

/// Random cases for `law`: theta uniform in each parameter's start range.
pub fn cases<L: Law + Clone + 'static>(law: L) -> impl Strategy<Value = Case> {
    let p = law.num_params();
    let ranges: Vec<(f64, f64)> = (0..p).map(|i| law.param_info(i).unwrap().start).collect();
    let k = law.domains().max(1);
    (
        proptest::collection::vec(0.0f64..1.0, p),
        mixture(k),
        0.1f64..10.0,
        0.5f64..50.0,
        0.05f64..1.0,
    )
        .prop_map(move |(u01, h, n, d, ufrac)| Case {
            theta: u01
                .iter()
                .zip(&ranges)
                .map(|(x, (lo, hi))| lo + x * (hi - lo))
                .collect(),
            h,
            n,
            d,
            u: d * ufrac,
        })
}

pub fn row<'a>(c: &Case, h: &'a [f64], ln_h: &'a [f64]) -> Row<'a> {
    Row {
        h,
        ln_h,
        n: c.n,
        ln_n: c.n.ln(),
        d: c.d,
        ln_d: c.d.ln(),
        u: c.u,
        output: 0,
    }
}

fn value_at<L: Law + LawExt>(law: &L, theta: &[f64], c: &Case, h: &[f64]) -> f64 {
    let mut p = vec![0.0; theta.len()];
    law.to_natural(theta, &mut p).unwrap();
    let h = &h[..law.domains()];
    let ln_h: Vec<f64> = h.iter().map(|v| v.ln()).collect();
    law.eval_row(&p, &row(c, h, &ln_h), None)
}

/// Agreement within `rel`, plus the rounding error of a difference quotient with `step`.
/// How much noisier than one term's the rounding of a law's value over `k` domains is.
fn terms(k: usize) -> f64 {
    (k as f64 / 16.0).sqrt().max(1.0)
}

/// `analytic` within `rel` of the central difference `numeric` taken with `step`, beyond
/// the rounding of the two values it divides: about 1e-15 (1 + |f|), growing as the
/// square root of the number of terms a law sums once there are more than 16 domains
/// (`k`; a sum of 1,024 rounded terms is ~8x noisier than one of 16).
fn close(analytic: f64, numeric: f64, f: f64, rel: f64, step: f64, k: usize) -> bool {
    let rounding = 1e-15 * terms(k) * (1.0 + f.abs()) / step;
    (analytic - numeric).abs() <= rel * (analytic.abs() + numeric.abs()) + rounding
}

/// Checks the gradient in the unconstrained parameters against central differences, and
/// that the value through `eval_row` with and without a gradient agree.
pub fn check_param_gradient<L: Law>(law: &L, c: &Case) -> Result<(), TestCaseError> {
    let pn = law.num_params();
    let mut p = vec![0.0; pn];
    law.to_natural(&c.theta, &mut p).unwrap();
    let h = &c.h[..law.domains()];
    let ln_h: Vec<f64> = h.iter().map(|v| v.ln()).collect();
    let r = row(c, h, &ln_h);
    let mut g = vec![f64::NAN; pn];
    let f = law.eval_row(&p, &r, Some(&mut g));
    let f0 = law.eval_row(&p, &r, None);
    prop_assume!(f.is_finite() && f.abs() < 1e8);
    prop_assert!(
        (f - f0).abs() <= 1e-12 * (1.0 + f.abs()),
        "value with/without grad: {f} {f0}"
    );
    mixlaw_core::param::chain_to_unconstrained(law.blocks(), law.domains(), &p, &mut g);
    for i in 0..pn {
        let step = 1e-5 * (1.0 + c.theta[i].abs());
        let mut tp = c.theta.clone();
        tp[i] += step;
        let fp = value_at(law, &tp, c, &c.h);
        tp[i] -= 2.0 * step;
        let fm = value_at(law, &tp, c, &c.h);
        let fd = (fp - fm) / (2.0 * step);
        let name = law.param_info(i).unwrap().name;
        prop_assert!(g[i].is_finite(), "{}: d/d{name} not finite", law.name());
        prop_assert!(
            close(g[i], fd, f, 1e-6, step, law.domains()),
            "{}: d/d{name}: analytic {} vs finite difference {} (f = {f}, case {c:?})",
            law.name(),
            g[i],
            fd
        );
    }
    Ok(())
}

/// Checks the gradient in h (ambient coordinates) against central differences where
/// h_i > 0 (a step of 1e-6 h_i above 1e-6; below, a step relative to h_i with Richardson
/// extrapolation), against forward differences where h_i = 0 and the derivative is finite.
pub fn check_h_gradient<L: Law>(law: &L, c: &Case) -> Result<(), TestCaseError> {
    let k = law.domains();
    let mut p = vec![0.0; law.num_params()];
    law.to_natural(&c.theta, &mut p).unwrap();
    let h = &c.h[..k];
    let ln_h: Vec<f64> = h.iter().map(|v| v.ln()).collect();
    let mut gh = vec![f64::NAN; k];
    let f = law.grad_h_row(&p, &row(c, h, &ln_h), &mut gh);
    let f0 = law.eval_row(&p, &row(c, h, &ln_h), None);
    prop_assume!(f.is_finite() && f.abs() < 1e8);
    prop_assert!(
        (f - f0).abs() <= 1e-12 * (1.0 + f.abs()),
        "grad_h value differs: {f} {f0}"
    );
    for i in 0..k {
        if h[i] > 1e-6 {
            let step = 1e-6 * h[i];
            let mut hp = h.to_vec();
            hp[i] += step;
            let fp = value_at(law, &c.theta, c, &hp);
            hp[i] -= 2.0 * step;
            let fm = value_at(law, &c.theta, c, &hp);
            let fd = (fp - fm) / (2.0 * step);
            prop_assert!(
                close(gh[i], fd, f, 1e-6, step, law.domains()),
                "{}: d/dh[{i}]: analytic {} vs finite difference {fd} (case {c:?})",
                law.name(),
                gh[i]
            );
        } else if h[i] > 0.0 {
            // 0 < h_i <= 1e-6: a step of 1e-6 h_i would drown in rounding. The law varies
            // on the scale of h_i itself (h^g, ln h), so the step is s = h_i / 100 (h_i - s
            // stays positive), and Richardson's (4 D(s/2) - D(s)) / 3 of the central
            // quotients D removes their s^2 error term, leaving ~ (s/h_i)^4 = 1e-8
            // relative. It triples D(s/2)'s rounding error: the tolerance's step is s/3.
            let central = |s: f64| {
                let mut hp = h.to_vec();
                hp[i] = h[i] + s;
                let fp = value_at(law, &c.theta, c, &hp);
                hp[i] = h[i] - s;
                let fm = value_at(law, &c.theta, c, &hp);
                (fp - fm) / (2.0 * s)
            };
            let s = 1e-2 * h[i];
            let fd = (4.0 * central(s / 2.0) - central(s)) / 3.0;
            prop_assert!(
                close(gh[i], fd, f, 1e-6, s / 3.0, law.domains()),
                "{}: d/dh[{i}] at h = {:e}: analytic {} vs finite difference {fd} (case {c:?})",
                law.name(),
                h[i],
                gh[i]
            );
        } else if h[i] == 0.0 {
            prop_assert!(!gh[i].is_nan(), "{}: d/dh[{i}] is NaN at h = 0", law.name());
            if gh[i].is_finite() {
                // h^g with 1 < g < 2 has no second derivative at 0, so difference
                // quotients converge slowly (q(s) = g' + c s^(g-1) + b s): require them to
                // approach the analytic value. Richardson's 2 q(s) - q(2 s) removes the
                // curvature term b s, which at s = 1e-5 can outweigh c s^(g-1) for g near 1
                // and make the far quotient the closer one (full, gamma = 1.049).
                let quotient = |s: f64| {
                    let mut hp = h.to_vec();
                    hp[i] = s;
                    (value_at(law, &c.theta, c, &hp) - f) / s
                };
                let richardson = |s: f64| 2.0 * quotient(s) - quotient(2.0 * s);
                let (far, near) = (richardson(1e-5), richardson(1e-9));
                prop_assert!(
                    (near - gh[i]).abs()
                        <= (far - gh[i]).abs() + 3e-15 * terms(k) * (1.0 + f.abs()) / 1e-9,
                    "{}: d/dh[{i}] at 0 is {} but difference quotients go {far} -> {near}",
                    law.name(),
                    gh[i]
                );
            } else {
                prop_assert!(gh[i] < 0.0, "{}: d/dh[{i}] = +inf at 0", law.name());
            }
        }
    }
    Ok(())
}

/// A law built for a random k in 1..=7, with a random case for it.
pub fn law_and_case<L: Law + Clone + core::fmt::Debug + 'static>(
    make: fn(usize) -> L,
) -> impl Strategy<Value = (L, Case)> {
    (1usize..8).prop_flat_map(move |k| {
        let law = make(k);
        cases(law.clone()).prop_map(move |c| (law.clone(), c))
    })
}

/// Declares the two gradient property tests (parameters, mixture) for each law given as
/// `module_name: |k| constructor;`.
#[macro_export]
macro_rules! gradient_tests {
    ($($name:ident: $make:expr;)*) => {$(
        mod $name {
            use super::*;
            use proptest::prelude::*;
            proptest! {
                #![proptest_config(ProptestConfig::with_cases(mixlaw_testkit::proptest_cases(512)))]
                #[test]
                fn params((law, c) in common::law_and_case($make)) {
                    common::check_param_gradient(&law, &c)?;
                }
                #[test]
                fn mixture((law, c) in common::law_and_case($make)) {
                    common::check_h_gradient(&law, &c)?;
                }
            }
        }
    )*};
}

/// A point in `law`'s start ranges from uniform draws `u01` (recycled): its unconstrained
/// coordinates and its natural parameters.
pub fn start_point<L: Law + ?Sized>(law: &L, u01: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let p = law.num_params();
    let theta: Vec<f64> = (0..p)
        .map(|i| {
            let (lo, hi) = law.param_info(i).unwrap().start;
            lo + u01[i % u01.len()] * (hi - lo)
        })
        .collect();
    let mut natural = vec![0.0; p];
    law.to_natural(&theta, &mut natural).unwrap();
    (theta, natural)
}
