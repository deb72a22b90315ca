//! Exact gradients of `ye-m1..4`, `linear`, `bimix` and `data-constrained` against finite
//! differences (in the unconstrained parameters and in h), over random parameters from
//! each law's start ranges and mixtures with exact zeros and near-zero weights, k = 1..7.
//!
//! - `bimix` is undefined at h_t = 0, so its cases are drawn with h_t > 0 (local strategy,
//!   the shared checks).
//! - `data-constrained` is checked with a fourth-order difference quotient (same tolerance
//!   as the shared check): its gradient has components that are small next to the law's
//!   curvature (terms cancel, and `ln N_opt` moves with `1/alpha` times a parameter), where
//!   second-order central differences are off by more than 1e-6 relative (about 1 case in
//!   1000 of the shared distribution; the analytic values there agree with 50-digit
//!   derivatives to 1e-11). The law is only C^1 at N = N_opt(U), so a case whose stencil
//!   straddles that point is skipped. It runs on the shared case distribution and with N
//!   drawn on either side of N_opt(U) (both branches of `U_N = min(N, N_opt(U))`), in the
//!   shared units and in raw units.
#![allow(clippy::indexing_slicing, clippy::unwrap_used)]

mod common;

use mixlaw_core::laws::{linear::Linear, ye_m1::YeM1, ye_m2::YeM2, ye_m3::YeM3, ye_m4::YeM4};

gradient_tests! {
    ye_m1: |k| YeM1::new(k).unwrap();
    ye_m2: |k| YeM2::new(k).unwrap();
    ye_m3: |k| YeM3::new(k).unwrap();
    ye_m4: |k| YeM4::new(k).unwrap();
    linear: |k| Linear::new(k).unwrap();
}

/// Local strategies and checks for `bimix` and `data-constrained`.
mod local {
    use super::common::{self, Case};
    use mixlaw_core::laws::{bimix::Bimix, data_constrained::DataConstrained};
    use mixlaw_core::{Law, LawExt};
    use proptest::prelude::*;

    /// A `bimix` law for random k and target, with a shared-distribution case whose target
    /// weight is > 0 (a zero target weight becomes 0.5 and the mixture is renormalised;
    /// zeros and near-zero weights elsewhere, and near-zero target weights, are kept).
    fn bimix_case() -> impl Strategy<Value = (Bimix, Case)> {
        (1usize..8)
            .prop_flat_map(|k| (0..k).prop_map(move |t| Bimix::new(k, t).unwrap()))
            .prop_flat_map(|law| {
                common::cases(law).prop_map(move |mut c| {
                    let t = law.target();
                    if c.h[t] == 0.0 {
                        c.h[t] = 0.5;
                        let s: f64 = c.h.iter().sum();
                        c.h.iter_mut().for_each(|v| *v /= s);
                    }
                    (law, c)
                })
            })
    }

    fn natural(theta: &[f64]) -> Vec<f64> {
        let law = DataConstrained::new();
        let mut p = vec![0.0; law.num_params()];
        law.to_natural(theta, &mut p).unwrap();
        p
    }

    /// ln N_opt(U) at unconstrained parameters `theta`.
    fn ln_nopt(theta: &[f64], u: f64) -> f64 {
        let p = natural(theta);
        let (a, b, alpha, beta) = (p[1], p[2], p[3], p[4]);
        ((alpha * a / (beta * b)).ln() + beta * u.ln()) / alpha
    }

    /// A `data-constrained` case with N = N_opt(U) e^(+-s): above N_opt (U_N = N_opt,
    /// R_N > 0) when `above`, else below (U_N = N, R_N = 0). U is `u_of(x)` for x uniform
    /// in [0, 1], and D = U e^t with t in [-1, 4] (so R_D = 0 happens too).
    fn dc_case(u_of: fn(f64) -> f64) -> impl Strategy<Value = (bool, Case)> {
        (
            common::cases(DataConstrained::new()),
            any::<bool>(),
            0.02f64..4.0,
            0.0f64..1.0,
            -1.0f64..4.0,
        )
            .prop_map(move |(mut c, above, s, x, t)| {
                c.u = u_of(x);
                c.d = c.u * t.exp();
                let ln_n = ln_nopt(&c.theta, c.u) + if above { s } else { -s };
                c.n = ln_n.exp();
                (above, c)
            })
    }

    /// The gradient of `data-constrained` in its unconstrained parameters against the
    /// fourth-order central difference `(8 (f(+h) - f(-h)) - (f(+2h) - f(-2h))) / 12h`, with
    /// the shared check's step, tolerance and rounding allowance.
    fn check_dc_gradient(c: &Case) -> Result<(), TestCaseError> {
        let law = DataConstrained::new();
        let pn = law.num_params();
        let p = natural(&c.theta);
        let r = common::row(c, &[], &[]);
        let mut g = vec![f64::NAN; pn];
        let f = law.eval_row(&p, &r, Some(&mut g));
        let f0 = law.eval_row(&p, &r, None);
        prop_assume!(f.is_finite() && f.abs() < 1e8);
        prop_assert!(
            (f - f0).abs() <= 1e-12 * (1.0 + f.abs()),
            "value with/without grad: {f} {f0}"
        );
        mixlaw_core::param::chain_to_unconstrained(law.blocks(), 0, &p, &mut g);
        let above = |theta: &[f64]| ln_nopt(theta, c.u) < c.n.ln();
        let branch = above(&c.theta);
        for i in 0..pn {
            let step = 1e-5 * (1.0 + c.theta[i].abs());
            let at = |m: f64| {
                let mut t = c.theta.clone();
                t[i] += m * step;
                (law.eval_row(&natural(&t), &r, None), above(&t))
            };
            let [(f2m, b2m), (f1m, b1m), (f1p, b1p), (f2p, b2p)] = [-2.0, -1.0, 1.0, 2.0].map(at);
            // The second derivative jumps at N = N_opt(U): no difference quotient across it.
            prop_assume!([b2m, b1m, b1p, b2p].iter().all(|&b| b == branch));
            let fd = (8.0 * (f1p - f1m) - (f2p - f2m)) / (12.0 * step);
            let rounding = 1e-15 * (1.0 + f.abs()) / step;
            let name = law.param_info(i).unwrap().name;
            prop_assert!(g[i].is_finite(), "d/d{name} not finite");
            prop_assert!(
                (g[i] - fd).abs() <= 1e-6 * (g[i].abs() + fd.abs()) + rounding,
                "d/d{name}: analytic {} vs finite difference {fd} (f = {f}, case {c:?})",
                g[i]
            );
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(mixlaw_testkit::proptest_cases(512)))]

        #[test]
        fn bimix_params((law, c) in bimix_case()) {
            common::check_param_gradient(&law, &c)?;
        }

        #[test]
        fn bimix_mixture((law, c) in bimix_case()) {
            common::check_h_gradient(&law, &c)?;
        }

        /// The shared case distribution (N in 0.1..10, D in 0.5..50, U = D * 0.05..1).
        #[test]
        fn data_constrained_params(c in common::cases(DataConstrained::new())) {
            check_dc_gradient(&c)?;
        }

        #[test]
        fn data_constrained_mixture(c in common::cases(DataConstrained::new())) {
            common::check_h_gradient(&DataConstrained::new(), &c)?;
        }

        /// Both branches, shared units: U in 0.025..50.
        #[test]
        fn data_constrained_both_branches((above, c) in dc_case(|x| 0.025 * 2000f64.powf(x))) {
            prop_assume!(c.n.is_finite() && c.n > 0.0);
            prop_assert_eq!(c.n > ln_nopt(&c.theta, c.u).exp(), above);
            check_dc_gradient(&c)?;
        }

        /// Both branches, raw units (scales 1): U in 1e8..1e12.
        #[test]
        fn data_constrained_both_branches_raw((above, c) in dc_case(|x| 1e8 * 1e4f64.powf(x))) {
            prop_assume!(c.n.is_finite() && c.n > 0.0);
            prop_assert_eq!(c.n > ln_nopt(&c.theta, c.u).exp(), above);
            check_dc_gradient(&c)?;
            common::check_h_gradient(&DataConstrained::new(), &c)?;
        }
    }
}
