//! Exact gradients of `autoscale`, `dcpt` and `farseer` (laws-extra.md) against finite
//! differences, in the unconstrained parameters and in h, over random parameters from each
//! law's start ranges, N, D and mixtures with exact zeros and near-zero weights, k = 1..7.
//!
//! `dcpt` reads only its target's weight r = h_t; its cases draw the target at random and
//! keep mixtures with h_t = 0. There `d/dh_t = eta B r^(eta - 1) D^-beta - ...` is `+inf`
//! for eta < 1 (the shared check expects a finite or `-inf` derivative), so such cases are
//! checked locally: the derivative must be exactly `+inf`, every other entry 0, and the
//! difference quotients must grow like `s^(eta - 1)` as the step s shrinks.
#![allow(clippy::indexing_slicing, clippy::unwrap_used)]

mod common;

use mixlaw_core::laws::{autoscale::Autoscale, farseer::Farseer};

gradient_tests! {
    autoscale: |k| Autoscale::new(k).unwrap();
    farseer: |_k| Farseer::new();
}

mod dcpt {
    use super::common::{self, Case};
    use mixlaw_core::laws::dcpt::Dcpt;
    use mixlaw_core::{Law, LawExt};
    use proptest::prelude::*;

    /// A `dcpt` law for random k and target with a shared-distribution case (h_t may be 0).
    fn dcpt_case() -> impl Strategy<Value = (Dcpt, Case)> {
        (1usize..8)
            .prop_flat_map(|k| (0..k).prop_map(move |t| Dcpt::new(k, t).unwrap()))
            .prop_flat_map(|law| common::cases(law).prop_map(move |c| (law, c)))
    }

    fn natural(law: &Dcpt, theta: &[f64]) -> Vec<f64> {
        let mut p = vec![0.0; law.num_params()];
        law.to_natural(theta, &mut p).unwrap();
        p
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(mixlaw_testkit::proptest_cases(512)))]

        #[test]
        fn params((law, c) in dcpt_case()) {
            common::check_param_gradient(&law, &c)?;
        }

        #[test]
        fn mixture((law, c) in dcpt_case()) {
            let t = law.target();
            let p = natural(&law, &c.theta);
            let eta = p[4];
            if c.h[t] > 0.0 || eta >= 1.0 {
                common::check_h_gradient(&law, &c)?;
            } else {
                let k = law.domains();
                let ln_h: Vec<f64> = c.h.iter().map(|v| v.ln()).collect();
                let mut gh = vec![f64::NAN; k];
                let f = law.grad_h_row(&p, &common::row(&c, &c.h, &ln_h), &mut gh);
                prop_assert!(f.is_finite());
                prop_assert_eq!(gh[t], f64::INFINITY);
                prop_assert!(gh.iter().enumerate().all(|(i, &g)| i == t || g == 0.0));
                // q(s) = (L(r = s) - L(0)) / s = B D^-beta s^(eta - 1) + c(s), with c(s) the
                // C-term's difference quotient (bounded near 0, written out here): q - c
                // must grow as the step shrinks, by the lift's growth.
                let at = |s: f64| {
                    let mut h = c.h.clone();
                    h[t] = s;
                    let ln: Vec<f64> = h.iter().map(|v| v.ln()).collect();
                    (law.eval_row(&p, &common::row(&c, &h, &ln), None) - f) / s
                };
                let lift = p[3] * c.d.powf(-p[5]);
                // The step where the lift is 1e-6 of the loss, far above rounding.
                let s = (1e-6 * f.abs() / lift).powf(1.0 / eta);
                prop_assume!(s <= 1e-2 && s > 1e-280);
                let growth = lift * ((s / 1e3).powf(eta - 1.0) - s.powf(eta - 1.0));
                let (c_term, gamma, eps) = (p[6], p[7], p[8]);
                let cq = |s: f64| c_term * ((s + eps).powf(-gamma) - eps.powf(-gamma)) / s;
                let (far, near) = (at(s) - cq(s), at(s / 1e3) - cq(s / 1e3));
                prop_assert!(
                    near - far >= 0.5 * growth,
                    "quotients {far} -> {near}, expected growth {growth}"
                );
            }
        }
    }
}
