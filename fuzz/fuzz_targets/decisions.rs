//! Decision support on arbitrary input: training supports and exact hull membership
//! (finite, consistent certificates), the extrapolation report, Kendall tau-b (in [-1, 1]),
//! trust caps composed with bounds, the KL-regularised solve (feasible, finite) and the
//! bagged optimum (feasible). Ok results are checked; everything else must be a typed error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mixlaw_core::laws::joint::Joint;
use mixlaw_core::metrics::{kendall, Summary};
use mixlaw_core::Scales;
use mixlaw_fuzz::Bytes;
use mixlaw_opt::support::{Extrapolation, TrainingSupport, EXTRAPOLATION_TOLERANCE};
use mixlaw_opt::{bagged_optimum, trust_caps, Bounds, KlRegularized, LawAt, Solver};

/// A mixture weight: mostly sane fractions, sometimes any float.
fn weight(b: &mut Bytes<'_>) -> f64 {
    if b.u8().is_multiple_of(8) {
        b.f64()
    } else {
        f64::from(b.u8()) / 255.0
    }
}

fuzz_target!(|data: &[u8]| {
    let mut b = Bytes::new(data);
    let k = usize::from(b.u8() % 6) + 1;
    let m = usize::from(b.u8() % 24);
    let mut train = [0.0; 6 * 24];
    for v in train.iter_mut().take(m * k) {
        *v = weight(&mut b);
    }
    let mut h = [0.0; 6];
    for v in h.iter_mut().take(k) {
        *v = weight(&mut b);
    }
    let h = &h[..k];

    // Rank correlation of two series drawn from the same bytes.
    let n = usize::from(b.u8() % 32);
    let (mut x, mut y) = ([0.0; 32], [0.0; 32]);
    for i in 0..n {
        x[i] = weight(&mut b);
        y[i] = weight(&mut b);
    }
    let mut order = [0usize; 64];
    if let Ok(t) = kendall(&x[..n], &y[..n], &mut order) {
        assert!((-1.0..=1.0).contains(&t), "tau {t}");
    }

    let mut storage = [0.0; TrainingSupport::storage_len(6, 24)];
    let Ok(support) = TrainingSupport::from_mixtures(k, &train[..m * k], &mut storage) else {
        return;
    };
    let mut work = vec![0.0; support.hull_workspace_len()];
    let decided = match support.contains(h, &mut work) {
        Ok(r) => {
            assert!(r.residual.is_finite() && r.residual >= 0.0, "{r:?}");
            assert!(r.margin.is_finite(), "{r:?}");
            assert_eq!(r.inside, r.residual <= EXTRAPOLATION_TOLERANCE);
            let lambda = &work[..support.distinct()];
            assert!(lambda.iter().all(|&l| l >= 0.0));
            assert!((lambda.iter().sum::<f64>() - 1.0).abs() < 1e-9);
            Some(!r.inside)
        }
        Err(_) => None,
    };
    if let Ok(report) = Extrapolation::new(h, support.min_weight(), support.max_weight(), decided) {
        assert!(report.warnings().count() <= k + 2);
        assert!(report.above_max().all(|i| i < k));
        assert!(report.max_ratio().is_none_or(|r| !r.is_nan()));
    }

    // Trust caps with a minimum weight, a KL-regularised solve and the bagged optimum.
    let trust = if b.u8().is_multiple_of(4) {
        b.f64()
    } else {
        1.0 + f64::from(b.u8()) / 32.0
    };
    let mut caps = [0.0; 6];
    let Ok(()) = trust_caps(support.max_weight(), trust, &mut caps[..k]) else {
        return;
    };
    let min_weight = f64::from(b.u8()) / 2048.0;
    let mut upper = [0.0; 6];
    let Ok(bounds) = Bounds::min_weight(min_weight).with_caps(k, &[&caps[..k]], &mut upper[..k])
    else {
        return;
    };
    let Ok(law) = Joint::new(k) else { return };
    let mut params = [0.5; 5 + 4 * 6];
    for (i, v) in params.iter_mut().enumerate().take(5 + 4 * k) {
        *v = 0.2 + f64::from(b.u8()) / 64.0 + if i == 0 { 1.0 } else { 0.0 };
    }
    let p = 5 + 4 * k;
    let Ok(target) = LawAt::new(&law, &params[..p], 1e9, 2e10, Scales { n: 1e9, d: 1e9 }) else {
        return;
    };
    let mut prior = [0.0; 6];
    for v in prior.iter_mut().take(k) {
        *v = weight(&mut b);
    }
    let lambda = if b.u8().is_multiple_of(4) {
        b.f64()
    } else {
        f64::from(b.u8()) / 16.0
    };
    let Ok(reg) = KlRegularized::new(&target, &prior[..k], lambda) else {
        return;
    };
    let mut zero_caps = [0.0; 6];
    reg.caps(&mut zero_caps[..k]).unwrap();
    let mut upper2 = [0.0; 6];
    let Ok(bounds) = bounds.with_caps(k, &[&zero_caps[..k]], &mut upper2[..k]) else {
        return;
    };
    let mut optima = [0.0; 6 * 3];
    for row in optima.chunks_exact_mut(k).take(3) {
        row.fill(1.0 / k as f64);
        let Ok(sol) = Solver::<6>::default().minimize(&reg, &bounds, row) else {
            return;
        };
        assert!(
            sol.objective.is_finite() && bounds.contains(row, 1e-9),
            "{sol:?} {row:?}"
        );
        let (f, pen) = reg.parts(row).unwrap();
        assert!(f.is_finite() && pen.is_finite(), "{f} {pen}");
    }
    let mut hb = [0.0; 6];
    let mut spread = [Summary::default(); 6];
    let mut bag_work = [0.0; 3];
    let r = bagged_optimum(
        &optima[..3 * k],
        k,
        &bounds,
        &mut hb[..k],
        &mut spread[..k],
        &mut bag_work,
    );
    assert_eq!(r, Ok(3), "{r:?}");
    assert!(bounds.contains(&hb[..k], 1e-9));
});
