//! Fits at k = 512 domains on sparse mixtures (each run weights 2 to 6 of the 512): the
//! closed-form `linear` fit recovers the law's weights, and a local `ye-m1` fit explains
//! most of the training variance and predicts held-out runs.
#![allow(clippy::indexing_slicing)]

use std::ops::ControlFlow;

use mixlaw_core::laws::{linear::Linear, ye_m1::YeM1};
use mixlaw_core::LawExt;
use mixlaw_fit::owned::{fit, FitOptions, Runs};
use mixlaw_fit::{BasinConfig, LbfgsConfig, Rng};

const K: usize = 512;

/// `rows` sparse mixtures of K domains and the losses `truth(h)` plus noise.
fn sparse_runs(rng: &mut Rng, rows: usize, truth: &dyn Fn(&[f64]) -> f64) -> Runs {
    let mut runs = Runs {
        k: K,
        ..Runs::default()
    };
    for _ in 0..rows {
        let mut h = vec![0.0; K];
        let support = 2 + (rng.next_f64() * 5.0) as usize;
        for _ in 0..support {
            let i = ((rng.next_f64() * K as f64) as usize).min(K - 1);
            h[i] += 0.1 + rng.next_f64();
        }
        let s: f64 = h.iter().sum();
        h.iter_mut().for_each(|v| *v /= s);
        runs.y.push(truth(&h) + 1e-3 * (rng.next_f64() - 0.5));
        runs.h.extend(h);
    }
    runs
}

#[test]
fn linear_fit_at_512_domains_recovers_the_weights() {
    let w: Vec<f64> = (0..K)
        .map(|i| 2.5 + ((i * 37) % K) as f64 / K as f64)
        .collect();
    let truth = |h: &[f64]| h.iter().zip(&w).map(|(a, b)| a * b).sum::<f64>();
    let mut rng = Rng::new(1);
    let runs = sparse_runs(&mut rng, 3000, &truth);
    let f = fit(
        Linear::new(K).unwrap(),
        &runs,
        &FitOptions::default(),
        |_| ControlFlow::Continue(()),
    )
    .unwrap();
    // Every domain appears in ~24 runs: its weight is recovered to the noise level.
    let worst = f
        .params
        .iter()
        .zip(&w)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    assert!(worst < 0.05, "largest weight error {worst}");
}

#[test]
fn ye_m1_fit_at_512_domains_runs_and_predicts() {
    let law = YeM1::new(K).unwrap();
    let truth_params: Vec<f64> = std::iter::once(1.5)
        .chain((0..K).map(|i| 0.05 + 0.1 * ((i * 37) % K) as f64 / K as f64))
        .chain((0..K).map(|i| -0.5 - 2.5 * ((i * 53) % K) as f64 / K as f64))
        .collect();
    let truth = |h: &[f64]| {
        let point = mixlaw_core::Point::<K>::with_capacity(h, 1.0, 1.0, 1.0).unwrap();
        law.value(&truth_params, &point, mixlaw_core::Scales::default())
            .unwrap()
    };
    let mut rng = Rng::new(2);
    let train = sparse_runs(&mut rng, 1200, &truth);
    let heldout = sparse_runs(&mut rng, 200, &truth);
    let options = FitOptions {
        basin: BasinConfig {
            starts: 1,
            hops: 0,
            lbfgs: LbfgsConfig {
                max_iterations: 3000,
                ..LbfgsConfig::default()
            },
            ..BasinConfig::default()
        },
        loss: mixlaw_core::Loss::Squared,
        threads: 1,
        ..FitOptions::default()
    };
    let f = fit(law, &train, &options, |_| ControlFlow::Continue(())).unwrap();
    assert_eq!(f.params.len(), 2 * K + 1);
    let (pred, m) = f.evaluate(&heldout).unwrap();
    assert!(pred.iter().all(|p| p.is_finite()));
    // One short local search (3,000 L-BFGS steps on an ill-conditioned problem: 1,025
    // parameters, 1,200 runs, each domain seen ~9 times) explains most of the variance of
    // the training runs and predicts held-out runs better than their mean.
    let mean = heldout.y.iter().sum::<f64>() / heldout.y.len() as f64;
    let spread =
        (heldout.y.iter().map(|y| (y - mean).powi(2)).sum::<f64>() / heldout.y.len() as f64).sqrt();
    assert!(
        m.rmse < 0.75 * spread,
        "held-out rmse {} vs spread {spread}",
        m.rmse
    );
    let (_, m_train) = f.evaluate(&train).unwrap();
    assert!(
        m_train.rmse < 0.4 * spread,
        "training rmse {}",
        m_train.rmse
    );
}
