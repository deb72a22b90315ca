//! Joint fitting of a capacity law recovers the law that generated the runs.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use core::ops::ControlFlow;

use mixlaw_core::capacity::{CapacityData, CapacityLaw, CapacityObjective, Head};
use mixlaw_core::{Loss, Scales};
use mixlaw_fit::{capacity_workspace_len, fit_capacity, BasinConfig, Rng};

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
        law.predict(
            &truth,
            &h[3 * r..3 * r + 3],
            n[r],
            d[r],
            Scales::default(),
            &mut y[3 * r..3 * r + 3],
        )
        .unwrap();
    }
    let w = vec![1.0; h.len()];
    let data = CapacityData::new(k, &h, &n, &d, &y, &w).unwrap();
    let objective = CapacityObjective::new(&law, &data, Loss::Squared, Scales::default()).unwrap();
    let config = BasinConfig {
        starts: 6,
        hops: 1,
        seed: 3,
        ..BasinConfig::default()
    };
    let mut theta = vec![0.0; law.num_params()];
    let mut work = vec![0.0; capacity_workspace_len(&objective, &config)];
    let outcome = fit_capacity(&objective, &config, None, &mut theta, &mut work, |_| {
        ControlFlow::Continue(())
    })
    .unwrap();
    assert!(outcome.value < 1e-12, "objective {}", outcome.value);
    let mut fitted = vec![0.0; theta.len()];
    law.to_natural(&theta, &mut fitted).unwrap();
    let mut pred = vec![0.0; y.len()];
    objective.predict(&fitted, &mut pred).unwrap();
    let worst = pred
        .iter()
        .zip(&y)
        .map(|(p, o)| (p - o).abs() / o)
        .fold(0.0, f64::max);
    assert!(worst < 1e-5, "worst relative error {worst}");
    // A buffer one float short is a typed error, not a panic.
    work.pop();
    assert!(
        fit_capacity(&objective, &config, None, &mut theta, &mut work, |_| {
            ControlFlow::Continue(())
        })
        .is_err()
    );
}
