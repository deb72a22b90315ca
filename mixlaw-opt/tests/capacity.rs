//! The optimal mixture of a capacity law (Dai & Zheng 2026) by mirror descent.
#![allow(clippy::unwrap_used)]

use mixlaw_core::capacity::{CapacityLaw, Head};
use mixlaw_core::Scales;
use mixlaw_opt::{Bounds, LawAt, SimplexObjective, Solver};

/// The capacity law at (n, d) weighing its outputs by `w`: the generic [`LawAt`].
fn at<'a>(
    law: &'a CapacityLaw,
    params: &'a [f64],
    n: f64,
    d: f64,
    s: Scales,
    w: &'a [f64],
) -> Result<LawAt<'a, CapacityLaw>, mixlaw_opt::Error> {
    LawAt::new(law, params, n, d, s)?.with_output_weights(w)
}

/// Eq 1 alone has h* = w for target weights w (the flaw the paper's eq 3 fixes): the
/// capacity part of the gradient vanishes at h = w.
#[test]
fn eq1_optimum_is_the_target_weights() {
    let law = CapacityLaw::eq1(4, Head::Fitted).unwrap();
    let params = [
        0.2, 0.4, 0.3, 0.6, 2.0, 5.0, 1.0, 3.0, 1.0, 1.5, 2.0, 0.5, 2.0,
    ];
    let w = [0.1, 0.2, 0.3, 0.4];
    let target = at(&law, &params, 200.0, 1.0, Scales::default(), &w).unwrap();
    let mut h = [0.25; 4];
    let solution = Solver::<4>::default()
        .minimize(&target, &Bounds::min_weight(0.0), &mut h)
        .unwrap();
    for (a, b) in h.iter().zip(&w) {
        assert!((a - b).abs() < 1e-6, "{h:?}");
    }
    assert!(solution.gap <= 1e-10);
}

/// Eq 3: the solver's optimum beats every point of a grid over the simplex (k = 3).
#[test]
fn eq3_optimum_beats_a_grid() {
    let law = CapacityLaw::eq3(3, Head::Fitted).unwrap();
    //            b[3]           c[3]           A[3]           a[3]           E[3]           H
    let params = [
        0.3, 0.5, 0.4, 2.0, 4.0, 3.0, 1.0, 2.0, 1.5, 0.3, 0.4, 0.5, 1.5, 1.0, 2.0, 1.0,
    ];
    let w = [1.0 / 3.0; 3];
    let target = at(&law, &params, 100.0, 10.0, Scales::default(), &w).unwrap();
    let mut h = [1.0 / 3.0; 3];
    let solution = Solver::<3>::default()
        .minimize(&target, &Bounds::min_weight(1e-4), &mut h)
        .unwrap();
    let steps = 200;
    for i in 1..steps {
        for j in 1..steps - i {
            let g = [
                i as f64 / steps as f64,
                j as f64 / steps as f64,
                (steps - i - j) as f64 / steps as f64,
            ];
            let ln_g = g.map(f64::ln);
            assert!(
                solution.objective <= target.value(&g, &ln_g) + 1e-12,
                "{g:?} beats {h:?}"
            );
        }
    }
}

#[test]
fn bad_targets_are_errors() {
    let law = CapacityLaw::eq1(2, Head::Fitted).unwrap();
    let params = [0.2, 0.4, 2.0, 5.0, 1.0, 1.5, 2.0];
    let s = Scales::default();
    assert!(at(&law, &params, 200.0, 1.0, s, &[0.5]).is_err());
    assert!(at(&law, &params, 200.0, 1.0, s, &[0.0, 0.0]).is_err());
    assert!(at(&law, &params, 200.0, 1.0, s, &[f64::NAN, 1.0]).is_err());
    assert!(at(&law, &params, -1.0, 1.0, s, &[0.5, 0.5]).is_err());
    assert!(at(&law, &params[..3], 200.0, 1.0, s, &[0.5, 0.5]).is_err());
}
