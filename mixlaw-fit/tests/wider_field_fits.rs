//! Fits of the laws from the wider field (laws-extra.md) on synthetic runs generated from
//! known parameters (no licensed data exists for them): the default fit recovers the
//! parameters and extrapolates.
#![allow(clippy::indexing_slicing, clippy::unwrap_used)]

use std::ops::ControlFlow;

use mixlaw_core::{AnyLaw, Law, LawExt, Loss, Point, Scales};
use mixlaw_fit::owned::{fit, FitOptions, Runs};
use mixlaw_fit::BasinConfig;

const SCALES: Scales = Scales { n: 1e9, d: 1e9 };

/// Runs of `law` at `p` on the given mixtures x sizes x token counts (raw units).
fn runs(law: &AnyLaw, p: &[f64], mixtures: &[Vec<f64>], sizes: &[f64], tokens: &[f64]) -> Runs {
    let k = law.domains();
    let mut r = Runs {
        k,
        h: vec![],
        n: Some(vec![]),
        d: Some(vec![]),
        ..Runs::default()
    };
    for h in mixtures {
        for &n in sizes {
            for &d in tokens {
                r.h.extend_from_slice(h);
                r.n.as_mut().unwrap().push(n);
                r.d.as_mut().unwrap().push(d);
                let point = Point::new(if k == 0 { &[] } else { h }, n, d).unwrap();
                r.y.push(law.value(p, &point, SCALES).unwrap());
            }
        }
    }
    r
}

fn options(starts: usize) -> FitOptions {
    FitOptions {
        loss: Loss::Huber { delta: 1e-3 },
        scales: Some(SCALES),
        basin: BasinConfig {
            starts,
            hops: 2,
            seed: 7,
            ..BasinConfig::default()
        },
        ..FitOptions::default()
    }
}

fn report(name: &str, truth: &[f64], fitted: &[f64]) -> f64 {
    let worst = truth
        .iter()
        .zip(fitted)
        .map(|(t, f)| (t - f).abs() / t.abs().max(0.1))
        .fold(0.0, f64::max);
    println!("{name}: truth {truth:?}\n{name}: fitted {fitted:?}\n{name}: worst relative error {worst:.2e}");
    worst
}

/// Fits `law` to `train` (generated at `p`): the parameters come back to 1e-3 relative
/// (they come back to ~1e-12) and the `test` runs are predicted within 1e-3 % MRE.
fn recovers(law: AnyLaw, p: &[f64], train: &Runs, test: &Runs) {
    let name = law.name();
    let started = std::time::Instant::now();
    let fitted = fit(law, train, &options(8), |_| ControlFlow::Continue(())).unwrap();
    let (_, m) = fitted.evaluate(test).unwrap();
    println!(
        "{name}: fit in {:.2} s, objective {:e}, extrapolation MRE {:.2e} %",
        started.elapsed().as_secs_f64(),
        fitted.objective,
        m.mre
    );
    let worst = report(name, p, &fitted.params);
    assert!(worst < 1e-3, "{name}: parameters off by {worst}");
    assert!(m.mre < 1e-3, "{name}: extrapolation MRE {} %", m.mre);
}

/// Farseer on a Farseer-like grid: 6 sizes 0.1B..3.2B, 13 token counts 1B..64B (ratio
/// sqrt 2); test on 6.4B and 12.8B models at 64B..256B tokens.
#[test]
fn farseer_fit_recovers_known_parameters() {
    let law = AnyLaw::new("farseer", 0, None).unwrap();
    //        a1   alpha  b1    a2   beta  b2   a3   gamma  b3
    let p = [0.2, 0.15, -1.3, 0.6, -0.3, 0.2, 0.3, -0.2, -0.4];
    let sizes: Vec<f64> = (0..6).map(|i| 1e8 * 2f64.powi(i)).collect();
    let tokens: Vec<f64> = (0..13).map(|j| 1e9 * 2f64.sqrt().powi(j)).collect();
    let train = runs(&law, &p, &[vec![]], &sizes, &tokens);
    let test = runs(&law, &p, &[vec![]], &[6.4e9, 12.8e9], &[64e9, 128e9, 256e9]);
    recovers(law, &p, &train, &test);
}

/// Deterministic multiplicative noise of relative size up to `level` (an LCG; no RNG crate).
fn add_noise(r: &mut Runs, level: f64) {
    let mut s: u64 = 0x2545_f491_4f6c_dd1d;
    for y in &mut r.y {
        s = s
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let u = (s >> 11) as f64 / (1u64 << 53) as f64;
        *y *= 1.0 + level * (2.0 * u - 1.0);
    }
}

/// Mean Huber(1e-3) of `pred - obs` (the default fit objective, laws.md).
fn mean_huber(pred: &[f64], obs: &[f64]) -> f64 {
    let h = |r: f64| {
        let (a, d) = (r.abs(), 1e-3);
        if a <= d {
            0.5 * r * r
        } else {
            d * (a - 0.5 * d)
        }
    };
    pred.iter().zip(obs).map(|(p, o)| h(p - o)).sum::<f64>() / pred.len() as f64
}

/// The same grid with up to 0.5 % noise: the fit reaches an objective at least as low as
/// the true parameters' and predicts the 2x and 4x larger models within 2 %.
#[test]
fn farseer_fit_with_noise_extrapolates() {
    let law = AnyLaw::new("farseer", 0, None).unwrap();
    let p = [0.2, 0.15, -1.3, 0.6, -0.3, 0.2, 0.3, -0.2, -0.4];
    let sizes: Vec<f64> = (0..6).map(|i| 1e8 * 2f64.powi(i)).collect();
    let tokens: Vec<f64> = (0..13).map(|j| 1e9 * 2f64.sqrt().powi(j)).collect();
    let mut train = runs(&law, &p, &[vec![]], &sizes, &tokens);
    add_noise(&mut train, 0.005);
    let test = runs(&law, &p, &[vec![]], &[6.4e9, 12.8e9], &[64e9, 128e9, 256e9]);
    let fitted = fit(law, &train, &options(8), |_| ControlFlow::Continue(())).unwrap();
    let (_, tr) = fitted.evaluate(&train).unwrap();
    let (_, m) = fitted.evaluate(&test).unwrap();
    let at_truth = mixlaw_fit::owned::Fit {
        params: p.to_vec(),
        ..fitted.clone()
    };
    let (pred_truth, _) = at_truth.evaluate(&train).unwrap();
    let objective_truth = mean_huber(&pred_truth, &train.y);
    let (_, m_truth) = at_truth.evaluate(&test).unwrap();
    println!(
        "farseer (0.5 % noise): objective {:.6e} (true parameters {objective_truth:.6e}), train MRE {:.3} %, extrapolation MRE {:.3} % (true parameters {:.3} %)",
        fitted.objective, tr.mre, m.mre, m_truth.mre
    );
    report("farseer noisy", &p, &fitted.params);
    assert!(
        fitted.objective <= objective_truth,
        "a worse minimum than the truth"
    );
    assert!(tr.mre < 0.3, "train MRE {} %", tr.mre);
    assert!(m.mre < 2.0, "extrapolation MRE {} %", m.mre);
}

/// D-CPT on the paper's design: the 9 ratios (general:domain 10:0 .. 0:10), three model
/// sizes (0.5B, 1.8B, 4B), checkpoints 1B..16B tokens; the domain-loss law (target 1).
#[test]
fn dcpt_fit_recovers_known_parameters() {
    let law = AnyLaw::new("dcpt", 2, Some(1)).unwrap();
    //        E    A    alpha B    eta  beta C     gamma eps
    let p = [1.2, 0.9, 0.35, 1.5, 0.6, 0.4, 0.08, 0.7, 0.02];
    let ratios = [0.0, 0.1, 0.2, 1.0 / 3.0, 0.5, 2.0 / 3.0, 0.8, 0.9, 1.0];
    let mixtures: Vec<Vec<f64>> = ratios.iter().map(|&r| vec![1.0 - r, r]).collect();
    let tokens: Vec<f64> = (0..5).map(|j| 1e9 * 2f64.powi(j)).collect();
    let train = runs(&law, &p, &mixtures, &[0.5e9, 1.8e9, 4e9], &tokens);
    let test = runs(&law, &p, &mixtures, &[7e9], &[20e9]);
    recovers(law, &p, &train, &test);
}

/// AutoScale with k = 3 on 6 mixtures x 5 token budgets (the law has no N).
#[test]
fn autoscale_fit_recovers_known_parameters() {
    let law = AnyLaw::new("autoscale", 3, None).unwrap();
    //        E    C[0..3]         D0[0..3]          gamma[0..3]
    let p = [1.5, 2.0, 1.0, 3.0, 0.5, 0.2, 1.0, 0.4, 0.8, 0.3];
    let mixtures = vec![
        vec![1.0 / 3.0; 3],
        vec![0.6, 0.2, 0.2],
        vec![0.2, 0.6, 0.2],
        vec![0.2, 0.2, 0.6],
        vec![0.5, 0.5, 0.0],
        vec![0.0, 0.3, 0.7],
    ];
    let tokens: Vec<f64> = (0..5).map(|j| 1e9 * 2f64.powi(j)).collect();
    let train = runs(&law, &p, &mixtures, &[1.0], &tokens);
    let test = runs(&law, &p, &mixtures, &[1.0], &[64e9]);
    recovers(law, &p, &train, &test);
}
