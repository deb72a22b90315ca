//! Both fits on synthetic runs generated from the law (known answers), with and without
//! multiplicative noise.

use mixlaw_fit::BasinConfig;
use mixlaw_info::fit::{fit_continuous, fit_paper, info_parts, Run};
use mixlaw_info::{InfoLaw, Normalization, PowerLaw, Source};

const TRUE_LAW: InfoLaw = InfoLaw {
    theta: 0.9,
    a: 0.14,
    b: 0.02,
    normalization: Normalization::Log,
};
const TRUE_POWER: PowerLaw = PowerLaw {
    alpha: 3.7,
    beta: 0.045,
    unit: 1e9,
};

const RECIPES: [[f64; 6]; 4] = [
    [0.8, 0.2, 0.0, 0.0, 0.0, 0.0],
    [0.5, 0.3, 0.2, 0.0, 0.0, 0.0],
    [0.3, 0.25, 0.2, 0.15, 0.1, 0.0],
    [0.2, 0.2, 0.2, 0.2, 0.1, 0.1],
];

/// 3 sizes x 3 budgets x 4 recipes, losses from the law times `exp(noise)`.
fn runs(noise: f64) -> Vec<Run<'static>> {
    let mut out = Vec::new();
    let mut state = 12345u64;
    for &n in &[3e8, 1e9, 3e9] {
        for &t in &[20e9, 60e9, 200e9] {
            for w in &RECIPES {
                let source = Source::paper(60e9).unwrap();
                let mut run = Run {
                    model_size: n,
                    tokens: t,
                    source,
                    recipe: w,
                    loss: 1.0,
                };
                let k = TRUE_LAW.decay_rate(n).unwrap();
                let info = info_parts(&run, TRUE_LAW.theta, k).unwrap().0;
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let u = (state >> 11) as f64 / (1u64 << 53) as f64 - 0.5;
                run.loss = TRUE_POWER.loss(info).unwrap() * (noise * u).exp();
                out.push(run);
            }
        }
    }
    out
}

fn config() -> BasinConfig {
    BasinConfig {
        starts: 6,
        hops: 2,
        seed: 3,
        ..BasinConfig::default()
    }
}

#[test]
fn continuous_fit_recovers_exact_law() {
    let runs = runs(0.0);
    let f = fit_continuous(&runs, &config()).unwrap();
    assert!(f.mse_log < 1e-12, "{f:?}");
    // Predictions match; parameters are close (theta, beta, alpha well identified).
    assert!((f.law.theta - TRUE_LAW.theta).abs() < 1e-2, "{f:?}");
    assert!((f.power.beta - TRUE_POWER.beta).abs() < 1e-3, "{f:?}");
    assert!(
        (f.power.alpha / TRUE_POWER.alpha - 1.0).abs() < 1e-2,
        "{f:?}"
    );
}

#[test]
fn continuous_fit_with_noise_stays_close() {
    let runs = runs(0.01);
    let f = fit_continuous(&runs, &config()).unwrap();
    assert!(f.mse_log < 1e-4, "{f:?}");
    assert!((f.law.theta - TRUE_LAW.theta).abs() < 0.2, "{f:?}");
    assert!((f.power.beta - TRUE_POWER.beta).abs() < 0.01, "{f:?}");
}

#[test]
fn paper_fit_ranks_and_regresses() {
    let runs = runs(0.0);
    let mut scratch = vec![0.0; 3 * runs.len()];
    let mut order = vec![0usize; runs.len()];
    let f = fit_paper(
        &runs,
        3_000,
        1,
        (0.0, 2.0),
        (2.0, 4.0),
        &mut scratch,
        &mut order,
    )
    .unwrap();
    assert_eq!(f.sizes_len, 3);
    assert!(f.spearman < -0.95, "{f:?}");
    assert!(f.fitted.power.beta > 0.0, "{f:?}");
    // The regression step fits the sampled law: small log residuals.
    assert!(f.fitted.mse_log < 1e-3, "{f:?}");
    // The continuous fit is at least as good in its own objective.
    let c = fit_continuous(&runs, &config()).unwrap();
    assert!(c.mse_log <= f.fitted.mse_log);
}

#[test]
fn bad_runs_are_errors() {
    let mut r = runs(0.0);
    r.truncate(2);
    assert!(fit_continuous(&r, &config()).is_err());
    let mut r = runs(0.0);
    r[0].loss = f64::NAN;
    assert!(fit_continuous(&r, &config()).is_err());
    let (mut s, mut o) = (vec![0.0; 3], vec![0; 1]);
    assert!(fit_paper(&runs(0.0), 10, 0, (0.0, 1.0), (1.0, 2.0), &mut s, &mut o).is_err());
}
