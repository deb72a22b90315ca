//! Joint fitting of a capacity law recovers the law that generated the runs.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use core::ops::ControlFlow;

use mixlaw_core::capacity::{CapacityLaw, Head};
use mixlaw_core::{eval, Dataset, Law, LawExt, Layout, Loss, Objective, Point, Prepared, Scales};
use mixlaw_fit::{fit_law, workspace_len, BasinConfig, Rng};

#[test]
fn fit_recovers_the_generating_eq3_law() {
    let k = 3;
    let law = CapacityLaw::eq3(k, Head::Fixed(0.5)).unwrap();
    //           b[3]            c[3]            A[3]            a[3]            E[3]
    let truth = [
        0.3, 0.5, 0.4, 2.0, 4.0, 3.0, 1.0, 2.0, 1.5, 0.3, 0.4, 0.5, 1.5, 1.0, 2.0,
    ];
    // 40 mixtures at two model sizes and token counts.
    let mut rng = Rng::new(11);
    let (mut h, mut n, mut d) = (Vec::new(), Vec::new(), Vec::new());
    for r in 0..40 {
        let raw: Vec<f64> = (0..k).map(|_| 0.05 + rng.next_f64()).collect();
        let s: f64 = raw.iter().sum();
        h.extend(raw.iter().map(|v| v / s));
        n.push(if r % 2 == 0 { 50.0 } else { 150.0 });
        d.push(if r % 4 < 2 { 5.0 } else { 20.0 });
    }
    let mut y = vec![0.0; h.len()];
    for r in 0..40 {
        let point = Point::new(&h[3 * r..3 * r + 3], n[r], d[r]).unwrap();
        law.values(&truth, &point, Scales::default(), &mut y[3 * r..3 * r + 3])
            .unwrap();
    }
    // The generic data set and objective: k observed losses per run.
    let data = Dataset::with_layout(Layout::new(k).outputs(k), &h, &y)
        .unwrap()
        .with_n(&n)
        .unwrap()
        .with_d(&d)
        .unwrap();
    let mut cache = vec![0.0; Prepared::buffer_len(40, k)];
    let data = Prepared::new(data, Scales::default(), &mut cache).unwrap();
    let objective = Objective::new(&law, &data, Loss::Squared).unwrap();
    let config = BasinConfig {
        starts: 6,
        hops: 1,
        seed: 3,
        ..BasinConfig::default()
    };
    let mut theta = vec![0.0; law.num_params()];
    let mut work = vec![0.0; workspace_len(&objective, &config)];
    let outcome = fit_law(&objective, &config, None, &mut theta, &mut work, |_| {
        ControlFlow::Continue(())
    })
    .unwrap();
    assert!(outcome.value < 1e-12, "objective {}", outcome.value);
    let mut fitted = vec![0.0; theta.len()];
    law.to_natural(&theta, &mut fitted).unwrap();
    let mut pred = vec![0.0; y.len()];
    eval::predict(&law, &fitted, &data, &mut pred).unwrap();
    let worst = pred
        .iter()
        .zip(&y)
        .map(|(p, o)| (p - o).abs() / o)
        .fold(0.0, f64::max);
    assert!(worst < 1e-5, "worst relative error {worst}");
    // A buffer one float short is a typed error, not a panic.
    work.pop();
    assert!(
        fit_law(&objective, &config, None, &mut theta, &mut work, |_| {
            ControlFlow::Continue(())
        })
        .is_err()
    );
}

/// The capacity laws go through the same owned layer, bootstrap and cross-validation as
/// every other law: runs hold k losses per run, and eq 1 / eq 3 are ranked by held-out
/// error like any two laws.
#[test]
fn bootstrap_and_select_cover_the_capacity_laws() {
    use mixlaw_core::AnyLaw;
    use mixlaw_fit::bootstrap::{bootstrap, BootstrapConfig};
    use mixlaw_fit::owned::{fit, FitOptions, Runs};
    use mixlaw_fit::select::{cross_validate, Split};

    let k = 3;
    let head = mixlaw_core::LawOptions::default().head(Some(0.5));
    let truth_law = AnyLaw::with_options("capacity-eq3", k, head).unwrap();
    let truth = [
        0.3, 0.5, 0.4, 2.0, 4.0, 3.0, 1.0, 2.0, 1.5, 0.3, 0.4, 0.5, 1.5, 1.0, 2.0,
    ];
    let mut rng = Rng::new(5);
    let mut runs = Runs {
        k,
        outputs: k,
        n: Some(Vec::new()),
        d: Some(Vec::new()),
        ..Runs::default()
    };
    for r in 0..30 {
        let raw: Vec<f64> = (0..k).map(|_| 0.05 + rng.next_f64()).collect();
        let s: f64 = raw.iter().sum();
        let h: Vec<f64> = raw.iter().map(|v| v / s).collect();
        let (n, d) = (
            if r % 2 == 0 { 50.0 } else { 150.0 },
            if r % 3 == 0 { 5.0 } else { 20.0 },
        );
        let mut y = [0.0; 3];
        truth_law
            .values(
                &truth,
                &Point::new(&h, n, d).unwrap(),
                Scales::default(),
                &mut y,
            )
            .unwrap();
        runs.h.extend(&h);
        runs.y.extend(y);
        runs.n.as_mut().unwrap().push(n);
        runs.d.as_mut().unwrap().push(d);
    }
    let options = FitOptions {
        scales: Some(Scales::default()),
        basin: BasinConfig {
            starts: 4,
            hops: 1,
            seed: 2,
            ..BasinConfig::default()
        },
        ..FitOptions::default()
    };
    let fitted = fit(truth_law, &runs, &options, |_| ControlFlow::Continue(())).unwrap();
    let (pred, metrics) = fitted.evaluate(&runs).unwrap();
    assert_eq!(pred.len(), 30 * k);
    assert!(metrics.mre < 1e-3, "train MRE {} %", metrics.mre);

    let boot = bootstrap(
        &fitted,
        &runs,
        None,
        &options,
        &BootstrapConfig {
            resamples: 8,
            seed: 3,
            threads: 1,
            ..BootstrapConfig::default()
        },
    )
    .unwrap();
    assert_eq!(boot.draws.len(), 8, "every refit succeeds on exact data");
    assert!(boot.param_summary().iter().all(|s| s.se.is_finite()));

    let eq1 = AnyLaw::with_options("capacity-eq1", k, head).unwrap();
    let ranking = cross_validate(
        &[eq1, truth_law],
        &runs,
        &Split::KFold { folds: 3, seed: 1 },
        &options,
        1,
    )
    .unwrap();
    assert_eq!(ranking[0].law.name(), "capacity-eq3", "{ranking:?}");
    assert!(ranking[0].cv_mre < ranking[1].cv_mre);
}
