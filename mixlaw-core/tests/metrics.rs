//! Metrics against hand-computed values and their defining properties.

use approx::{assert_abs_diff_eq, assert_relative_eq};
use mixlaw_core::{metrics, Error, Loss};
use mixlaw_testkit::python_rows;
use proptest::prelude::*;

#[test]
fn metrics_on_a_hand_computed_example() {
    let obs = [2.0, 4.0, 5.0, 1.0];
    let pred = [2.2, 3.6, 5.0, 1.1];
    // |0.2|/2 + |0.4|/4 + 0 + |0.1|/1 = 0.1 + 0.1 + 0 + 0.1, over 4.
    let eps = 1e-15;
    assert_abs_diff_eq!(metrics::mre(&pred, &obs).unwrap(), 0.075, epsilon = eps);
    assert_abs_diff_eq!(metrics::mae(&pred, &obs).unwrap(), 0.175, epsilon = eps);
    let mse = (0.04 + 0.16 + 0.0 + 0.01) / 4.0;
    assert_abs_diff_eq!(metrics::mse(&pred, &obs).unwrap(), mse, epsilon = eps);
    assert_abs_diff_eq!(
        metrics::rmse(&pred, &obs).unwrap(),
        mse.sqrt(),
        epsilon = eps
    );
    // mean 3, SST = 1 + 1 + 4 + 4 = 10, SSE = 0.21.
    assert_abs_diff_eq!(
        metrics::r2(&pred, &obs).unwrap(),
        1.0 - 0.021,
        epsilon = eps
    );
    // SLDBench R^2 = 1 - mean(MSE_j / Var_j).
    let sld = metrics::sld_r2(&[0.1, 0.3], &[1.0, 2.0]).unwrap();
    assert_abs_diff_eq!(sld, 1.0 - 0.125, epsilon = eps);
    assert_abs_diff_eq!(metrics::variance(&obs).unwrap(), 2.5, epsilon = eps);
}

/// Metrics at magnitudes whose squares (or differences) overflow f64: the same values as
/// at moderate scale, scaled; a result beyond f64 is a typed error, never inf or NaN.
#[test]
fn metrics_at_extreme_magnitudes_are_finite_or_overflow_errors() {
    let obs = [2.0, 4.0, 5.0, 1.0];
    let pred = [2.2, 3.6, 5.0, 1.1];
    // Purely relative (no absolute epsilon: the values go down to 1e-301).
    let rel = 1e-13;
    for c in [1e300, 1e-300, 3e307] {
        let (o, p) = (obs.map(|v| v * c), pred.map(|v| v * c));
        let mre = metrics::mre(&p, &o).unwrap();
        assert_relative_eq!(mre, 0.075, epsilon = 0.0, max_relative = rel);
        let mae = metrics::mae(&p, &o).unwrap();
        assert_relative_eq!(mae, 0.175 * c, epsilon = 0.0, max_relative = rel);
        let rmse = f64::sqrt((0.04 + 0.16 + 0.0 + 0.01) / 4.0);
        let found = metrics::rmse(&p, &o).unwrap();
        assert_relative_eq!(found, rmse * c, epsilon = 0.0, max_relative = rel);
        let r2 = metrics::r2(&p, &o).unwrap();
        assert_relative_eq!(r2, 1.0 - 0.021, epsilon = 0.0, max_relative = rel);
    }
    // Variance: sum of squares 10 c^2 = 2.5e308 overflows, the variance 2.5 c^2 does not.
    let c = 5e153;
    let variance = metrics::variance(&obs.map(|v| v * c)).unwrap();
    assert_relative_eq!(variance, 2.5 * c * c, epsilon = 0.0, max_relative = rel);
    assert!(matches!(
        metrics::variance(&obs.map(|v| v * 1e300)),
        Err(Error::Overflow { .. })
    ));
    // A loss of 1e300 against predictions near 10 (the CLI's extreme-magnitude case).
    let (o, p) = ([1e300, 1e-300], [9.8, 7.5]);
    let rmse = metrics::rmse(&p, &o).unwrap();
    assert_relative_eq!(
        rmse,
        1e300 / f64::sqrt(2.0),
        epsilon = 0.0,
        max_relative = rel
    );
    let mae = metrics::mae(&p, &o).unwrap();
    assert_relative_eq!(mae, 0.5e300, epsilon = 0.0, max_relative = rel);
    assert!(metrics::r2(&p, &o).unwrap().is_finite());
    assert!(metrics::mre(&p, &o).unwrap().is_finite());
    // Errors of 2 * f64::MAX: the absolute metrics do not fit in f64; the relative one does.
    let (o, p) = ([-f64::MAX], [f64::MAX]);
    assert!(matches!(metrics::mae(&p, &o), Err(Error::Overflow { .. })));
    assert!(matches!(metrics::rmse(&p, &o), Err(Error::Overflow { .. })));
    assert!(matches!(metrics::mse(&p, &o), Err(Error::Overflow { .. })));
    assert_eq!(metrics::mre(&p, &o), Ok(2.0));
    let err = metrics::mae(&p, &o).unwrap_err().to_string();
    assert_eq!(err, "mean absolute error overflows f64");
}

#[test]
fn spearman_uses_average_ranks_for_ties() {
    let x = [1.0, 2.0, 2.0, 3.0, 10.0];
    let mut order = [0usize; 5];
    let mut ranks = [0.0; 5];
    metrics::ranks(&x, &mut order, &mut ranks).unwrap();
    assert_eq!(ranks, [1.0, 2.5, 2.5, 4.0, 5.0]);
    let y = [0.5, 0.7, 0.6, 0.9, 100.0];
    let mut buf = [0.0; 10];
    // Pearson of the ranks [1, 2.5, 2.5, 4, 5] and [1, 3, 2, 4, 5].
    let rx = [1.0, 2.5, 2.5, 4.0, 5.0];
    let ry = [1.0, 3.0, 2.0, 4.0, 5.0];
    let expected = metrics::pearson(&rx, &ry).unwrap();
    let spearman = metrics::spearman(&x, &y, &mut order, &mut buf).unwrap();
    assert_abs_diff_eq!(spearman, expected, epsilon = 1e-15);
    assert!(expected > 0.9 && expected < 1.0);
}

#[test]
fn metrics_reject_bad_input_with_typed_errors() {
    assert_eq!(metrics::mre(&[], &[]), Err(Error::Empty));
    assert!(matches!(
        metrics::mae(&[1.0], &[1.0, 2.0]),
        Err(Error::LengthMismatch { .. })
    ));
    assert!(matches!(
        metrics::rmse(&[f64::NAN], &[1.0]),
        Err(Error::NonFinite { .. })
    ));
    assert!(matches!(
        metrics::mre(&[1.0], &[0.0]),
        Err(Error::NotPositive { .. })
    ));
    assert!(matches!(
        metrics::r2(&[1.0, 2.0], &[3.0, 3.0]),
        Err(Error::InvalidConfig { .. })
    ));
    assert!(matches!(
        metrics::pearson(&[1.0, 1.0], &[1.0, 2.0]),
        Err(Error::InvalidConfig { .. })
    ));
    assert!(matches!(
        metrics::spearman(&[1.0, 2.0], &[1.0, 2.0], &mut [0; 1], &mut [0.0; 4]),
        Err(Error::BufferTooSmall { .. })
    ));
    assert!(matches!(
        metrics::sld_r2(&[0.1], &[0.0]),
        Err(Error::NotPositive { .. })
    ));
    assert!(matches!(
        Loss::Huber { delta: -1.0 }.check(),
        Err(Error::InvalidConfig { .. })
    ));
}

#[test]
fn huber_loss_matches_its_definition() {
    let loss = Loss::Huber { delta: 1e-3 };
    let (l, d) = loss.eval(2.0005, 2.0);
    assert_relative_eq!(l, 0.5 * 0.0005f64.powi(2), max_relative = 1e-12);
    assert_relative_eq!(d, 0.0005, max_relative = 1e-12);
    let (l, d) = loss.eval(1.99, 2.0);
    assert_relative_eq!(l, 1e-3 * (0.01 - 0.5e-3), max_relative = 1e-12);
    assert_eq!(d, -1e-3);
    let (l, _) = Loss::LogHuber { delta: 1e-3 }.eval(-1.0, 2.0);
    assert_eq!(l, f64::INFINITY);
    let (l, d) = Loss::Squared.eval(3.0, 2.0);
    assert_eq!((l, d), (1.0, 2.0));
}

proptest! {
    #[test]
    fn correlations_are_bounded_and_invariant(xs in proptest::collection::vec((-100.0f64..100.0, -100.0f64..100.0), 3..40), a in 0.1f64..10.0, b in -5.0f64..5.0) {
        let x: Vec<f64> = xs.iter().map(|p| p.0).collect();
        let y: Vec<f64> = xs.iter().map(|p| p.1).collect();
        // Continuous draws: x and y are not constant, so every metric is defined.
        let r = metrics::pearson(&x, &y).unwrap();
        prop_assert!((-1.0 - 1e-12..=1.0 + 1e-12).contains(&r));
        // Invariant under positive affine maps.
        let x2: Vec<f64> = x.iter().map(|v| a * v + b).collect();
        prop_assert!((metrics::pearson(&x2, &y).unwrap() - r).abs() < 1e-9);
        let n = x.len();
        let (mut order, mut buf) = (vec![0usize; n], vec![0.0; 2 * n]);
        let s = metrics::spearman(&x, &y, &mut order, &mut buf).unwrap();
        prop_assert!((-1.0 - 1e-12..=1.0 + 1e-12).contains(&s));
        // Invariant under any increasing map.
        let x3: Vec<f64> = x.iter().map(|v| v.powi(3) + 7.0).collect();
        prop_assert!((metrics::spearman(&x3, &y, &mut order, &mut buf).unwrap() - s).abs() < 1e-12);
        // R^2 of perfect predictions is 1.
        prop_assert_eq!(metrics::r2(&y, &y).unwrap(), 1.0);
    }
}

/// Kendall tau-b by its definition, in O(n^2): concordant minus discordant pairs over the
/// geometric mean of the pairs untied in x and in y.
fn kendall_reference(x: &[f64], y: &[f64]) -> Option<f64> {
    let n = x.len();
    let (mut s, mut untied_x, mut untied_y) = (0i64, 0i64, 0i64);
    for i in 0..n {
        for j in i + 1..n {
            let dx = (x[i] - x[j]).signum() * ((x[i] != x[j]) as i64 as f64);
            let dy = (y[i] - y[j]).signum() * ((y[i] != y[j]) as i64 as f64);
            s += (dx * dy) as i64;
            untied_x += (dx != 0.0) as i64;
            untied_y += (dy != 0.0) as i64;
        }
    }
    if untied_x == 0 || untied_y == 0 {
        return None;
    }
    Some(s as f64 / ((untied_x as f64) * (untied_y as f64)).sqrt())
}

fn kendall(x: &[f64], y: &[f64]) -> Result<f64, Error> {
    let mut work = vec![0usize; 2 * x.len()];
    metrics::kendall(x, y, &mut work)
}

#[test]
fn kendall_on_hand_computed_examples() {
    // No ties: 10 pairs, 2 discordant ((3,1)-(1,2)... counted by hand): x sorted, y = 3 1 2 5 4.
    // Inversions of y: (3,1), (3,2), (5,4) -> n_d = 3, n_c = 7, tau = 4 / 10.
    let x = [1.0, 2.0, 3.0, 4.0, 5.0];
    let y = [3.0, 1.0, 2.0, 5.0, 4.0];
    assert!((kendall(&x, &y).unwrap() - 0.4).abs() < 1e-15);
    // Ties in both: x = 1 1 2 3, y = 1 2 2 3. Pairs: (0,1) tied x; (0,2) c; (0,3) c;
    // (1,2) tied y; (1,3) c; (2,3) c. n_c = 4, n_d = 0, n0 = 6, n_x = 1, n_y = 1:
    // tau_b = 4 / sqrt(5 * 5) = 0.8.
    let x = [1.0, 1.0, 2.0, 3.0];
    let y = [1.0, 2.0, 2.0, 3.0];
    assert!((kendall(&x, &y).unwrap() - 0.8).abs() < 1e-15);
    // A pair tied in both counts in n_x and n_y: x = 1 1 2, y = 5 5 4: (0,2) d, (1,2) d,
    // n0 = 3, n_x = n_y = 1: tau_b = -2 / 2 = -1.
    assert!((kendall(&[1.0, 1.0, 2.0], &[5.0, 5.0, 4.0]).unwrap() + 1.0).abs() < 1e-15);
    // -0.0 and 0.0 are one value.
    let a = kendall(&[-0.0, 0.0, 1.0], &[1.0, 2.0, 3.0]).unwrap();
    let b = kendall(&[0.0, 0.0, 1.0], &[1.0, 2.0, 3.0]).unwrap();
    assert_eq!(a, b);
    assert!(a < 1.0);
}

#[test]
fn rank_correlations_are_undefined_not_nan() {
    let mut work = [0usize; 8];
    let mut ranks = [0.0; 8];
    for (x, y) in [
        (&[1.0][..], &[2.0][..]),
        (&[1.0, 1.0, 1.0][..], &[1.0, 2.0, 3.0][..]),
        (&[1.0, 2.0, 3.0][..], &[4.0, 4.0, 4.0][..]),
    ] {
        assert!(matches!(
            metrics::kendall(x, y, &mut work),
            Err(Error::InvalidConfig { .. })
        ));
        assert!(matches!(
            metrics::spearman(x, y, &mut work, &mut ranks),
            Err(Error::InvalidConfig { .. })
        ));
    }
    assert_eq!(metrics::kendall(&[], &[], &mut work), Err(Error::Empty));
    assert!(matches!(
        metrics::kendall(&[1.0, 2.0, 3.0], &[1.0, 2.0, 3.0], &mut work[..5]),
        Err(Error::BufferTooSmall {
            needed: 6,
            found: 5
        })
    ));
    assert!(matches!(
        metrics::kendall(&[1.0, f64::NAN], &[1.0, 2.0], &mut work),
        Err(Error::NonFinite { .. })
    ));
}

/// Against scipy.stats.kendalltau / spearmanr on random data with ties (series up to
/// 3000 long), generated at test time by benches/scripts/rank_scipy.py; skipped with a
/// notice when python3 with scipy is not available.
#[test]
fn rank_metrics_match_scipy() {
    let Some(rows) = python_rows("rank_scipy.py") else {
        return;
    };
    let mut cases = 0;
    for v in rows {
        let n = v[0] as usize;
        let (x, y) = (&v[1..1 + n], &v[1 + n..1 + 2 * n]);
        let (tau, rho) = (v[1 + 2 * n], v[2 + 2 * n]);
        let got = kendall(x, y).unwrap();
        assert!(
            (got - tau).abs() < 1e-12,
            "n = {n}: kendall {got} vs scipy {tau}"
        );
        let (mut order, mut ranks) = (vec![0usize; n], vec![0.0; 2 * n]);
        let got = metrics::spearman(x, y, &mut order, &mut ranks).unwrap();
        assert!(
            (got - rho).abs() < 1e-12,
            "n = {n}: spearman {got} vs scipy {rho}"
        );
        cases += 1;
    }
    assert!(cases >= 50, "only {cases} cases from rank_scipy.py");
}

proptest! {
    /// Knight's O(n log n) count equals the O(n^2) definition, ties included (values drawn
    /// from a few levels); tau-b of a strictly increasing map of x is 1, of a decreasing one
    /// -1, and tau-b is invariant under strictly increasing transforms of either series.
    #[test]
    fn kendall_matches_its_definition_and_is_rank_invariant(
        xs in proptest::collection::vec((0u8..6, 0u8..6, -50.0f64..50.0), 1..80),
    ) {
        let x: Vec<f64> = xs.iter().map(|p| p.0 as f64).collect();
        let y: Vec<f64> = xs.iter().map(|p| p.1 as f64 * 0.5 - 1.0).collect();
        let z: Vec<f64> = xs.iter().map(|p| p.2).collect();
        for (a, b) in [(&x, &y), (&x, &z), (&z, &y)] {
            let want = kendall_reference(a, b);
            match (kendall(a, b), want) {
                (Ok(t), Some(w)) => {
                    prop_assert!((t - w).abs() < 1e-12, "{t} vs {w}");
                    let a3: Vec<f64> = a.iter().map(|v| v.powi(3) * 2.0 + 7.0).collect();
                    let b_exp: Vec<f64> = b.iter().map(|v| (v / 10.0).exp()).collect();
                    prop_assert!((kendall(&a3, &b_exp).unwrap() - t).abs() < 1e-12);
                }
                (Err(Error::InvalidConfig { .. }), None) => {}
                (got, want) => prop_assert!(false, "{got:?} vs {want:?}"),
            }
        }
        if let Ok(t) = kendall(&z, &z.iter().map(|v| v.atan()).collect::<Vec<_>>()) {
            prop_assert_eq!(t, 1.0);
            let rev: Vec<f64> = z.iter().map(|v| -v).collect();
            prop_assert_eq!(kendall(&z, &rev).unwrap(), -1.0);
        }
    }
}
