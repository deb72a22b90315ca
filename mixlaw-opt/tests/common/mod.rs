//! Helpers shared by the integration tests of mixlaw-opt.
#![allow(clippy::unwrap_used)]

/// A convex `joint` law for k domains from numbers `u` in [0, 1] (cycled): gamma < 1,
/// gammaA, gammaB >= 1, so the optimum over the simplex is unique.
pub fn joint_params(k: usize, u: &[f64]) -> Vec<f64> {
    let mut it = u.iter().cycle().copied();
    let mut next = |lo: f64, hi: f64| lo + (hi - lo) * it.next().unwrap();
    let mut p = vec![next(1.0, 2.0), next(0.2, 0.5), next(0.2, 0.5)];
    p.extend((0..k).map(|_| next(0.5, 3.0))); // C
    p.extend((0..k).map(|_| next(0.2, 0.9))); // gamma
    p.extend((0..k).map(|_| next(0.3, 2.0))); // CA
    p.push(next(1.0, 1.5)); // gammaA
    p.extend((0..k).map(|_| next(0.3, 2.0))); // CB
    p.push(next(1.0, 1.5)); // gammaB
    p
}
