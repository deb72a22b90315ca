//! Variable projection: the reduced objective's gradient against central differences, and
//! the grid search against basin-hopping on the same objective.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::ops::ControlFlow;

use mixlaw_core::laws::chinchilla::Chinchilla;
use mixlaw_core::{LawExt, Loss, Objective, Point, Prepared, Scales};
use mixlaw_fit::owned::{fit, FitOptions, Runs};
use mixlaw_fit::varpro::{self, Reduced};
use mixlaw_fit::{BasinConfig, Problem, Rng, Search};
use proptest::prelude::*;

const SCALES: Scales = Scales { n: 1e9, d: 1e9 };

/// Chinchilla runs (E, A, B, alpha, beta = `truth`) on a 5 x 6 grid of N and D with
/// multiplicative noise of relative size `noise`, a few outliers, N and D raw.
fn chinchilla_runs(truth: [f64; 5], noise: f64, seed: u64) -> Runs {
    let law = Chinchilla::new();
    let mut rng = Rng::new(seed);
    let (mut n, mut d, mut y) = (Vec::new(), Vec::new(), Vec::new());
    for (i, size) in [5e7, 1e8, 3e8, 1e9, 3e9].into_iter().enumerate() {
        for tokens in [1e9, 3e9, 1e10, 3e10, 1e11, 3e11] {
            let p = Point::new(&[], size, tokens).unwrap();
            let clean = law.value(&truth, &p, SCALES).unwrap();
            let outlier = if i == 2 && tokens == 1e10 { 0.05 } else { 0.0 };
            y.push(clean * (1.0 + noise * rng.uniform(-1.0, 1.0) + outlier));
            n.push(size);
            d.push(tokens);
        }
    }
    Runs {
        n: Some(n),
        d: Some(d),
        y,
        ..Runs::default()
    }
}

fn options(loss: Loss, search: Search) -> FitOptions {
    FitOptions {
        loss,
        scales: Some(SCALES),
        basin: BasinConfig {
            search,
            ..BasinConfig::default()
        },
        ..FitOptions::default()
    }
}

const LOSSES: [Loss; 3] = [
    Loss::Huber { delta: 1e-3 },
    Loss::LogHuber { delta: 1e-3 },
    Loss::Squared,
];

/// The grid search reaches the objective of the default basin-hopping search (40 starts
/// x 2 hops) on every loss, with far fewer evaluations, and says how it searched.
#[test]
fn grid_search_matches_basin_hopping_on_every_loss() {
    for (case, truth) in [
        [1.8, 0.5, 2.0, 0.35, 0.3],
        [1.69, 0.3, 0.4, 0.6, 0.15],
        [2.5, 4.0, 0.1, 0.1, 0.8],
    ]
    .into_iter()
    .enumerate()
    {
        let runs = chinchilla_runs(truth, 0.004, 7 + case as u64);
        for loss in LOSSES {
            let grid = fit(
                Chinchilla::new(),
                &runs,
                &options(loss, Search::Auto),
                |_| ControlFlow::Continue(()),
            )
            .unwrap();
            let basin = fit(
                Chinchilla::new(),
                &runs,
                &options(loss, Search::Basin),
                |_| ControlFlow::Continue(()),
            )
            .unwrap();
            let (g, b) = (grid.outcome.unwrap(), basin.outcome.unwrap());
            assert_eq!(g.grid_points, 81, "{loss:?}: 9 x 9 points over alpha, beta");
            assert_eq!(b.grid_points, 0);
            assert!(g.agreeing >= 1 && b.agreeing >= 1);
            assert!(
                grid.objective <= basin.objective * (1.0 + 1e-9),
                "case {case} {loss:?}: grid {} > basin {}",
                grid.objective,
                basin.objective
            );
            assert!(
                g.evaluations * 10 < b.evaluations,
                "case {case} {loss:?}: {} vs {} evaluations",
                g.evaluations,
                b.evaluations
            );
        }
    }
}

/// A positive linear parameter whose term the data do not support is solved to its
/// bound (non-negative least squares) rather than made negative, and the fit still
/// reaches the basin-hopping objective.
#[test]
fn a_term_the_data_do_not_support_goes_to_zero() {
    // No data term at all: L = E + A N^-alpha only.
    let mut runs = chinchilla_runs([1.8, 0.5, 1e-12, 0.35, 0.3], 0.0, 3);
    // Slightly increasing in D, so that the best B would be negative.
    let d = runs.d.clone().unwrap();
    for (y, d) in runs.y.iter_mut().zip(&d) {
        *y += 1e-3 * (d / 1e11f64).ln();
    }
    let loss = Loss::Squared;
    let grid = fit(
        Chinchilla::new(),
        &runs,
        &options(loss, Search::Auto),
        |_| ControlFlow::Continue(()),
    )
    .unwrap();
    let basin = fit(
        Chinchilla::new(),
        &runs,
        &options(loss, Search::Basin),
        |_| ControlFlow::Continue(()),
    )
    .unwrap();
    assert!(
        grid.params[2] > 0.0 && grid.params[2] < 1e-6,
        "{:?}",
        grid.params
    );
    assert!(grid.objective <= basin.objective * (1.0 + 1e-9) + 1e-18);
}

/// Bounds or a warm start keep basin-hopping (`grid_points` 0).
#[test]
fn the_grid_applies_only_where_it_can() {
    let runs = chinchilla_runs([1.8, 0.5, 2.0, 0.35, 0.3], 0.004, 1);
    let mut bounded = options(Loss::Squared, Search::Auto);
    let law = Chinchilla::new();
    let mut bounds = vec![(f64::NEG_INFINITY, f64::INFINITY); 5];
    law.set_bound("E", 0.0, 5.0, &mut bounds).unwrap();
    bounded.bounds = Some(bounds);
    bounded.basin.starts = 2;
    let f = fit(law, &runs, &bounded, |_| ControlFlow::Continue(())).unwrap();
    assert_eq!(f.outcome.unwrap().grid_points, 0);
    let mut warm = options(Loss::Squared, Search::Auto);
    warm.start = Some(vec![1.8, 0.5, 2.0, 0.35, 0.3]);
    warm.basin.starts = 1;
    let f = fit(law, &runs, &warm, |_| ControlFlow::Continue(())).unwrap();
    assert_eq!(f.outcome.unwrap().grid_points, 0);
}

/// Runs `body` on the objective of `loss` over fixed noisy Chinchilla runs.
fn with_objective(loss: Loss, body: &mut dyn FnMut(&Objective<'_, '_, Chinchilla>)) {
    let runs = chinchilla_runs([1.8, 0.5, 2.0, 0.35, 0.3], 0.004, 11);
    let data = runs.dataset().unwrap();
    let mut cache = vec![0.0; Prepared::buffer_len(runs.rows(), 0)];
    let prepared = Prepared::new(data, SCALES, &mut cache).unwrap();
    let law = Chinchilla::new();
    let objective = Objective::new(&law, &prepared, loss).unwrap();
    body(&objective);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// The reduced objective's gradient (the full gradient at the inner optimum, by the
    /// envelope theorem) matches central differences of the reduced objective.
    #[test]
    fn reduced_gradient_matches_central_differences(
        ln_alpha in -2.0f64..-0.3,
        ln_beta in -2.0f64..-0.3,
        which in 0usize..3,
    ) {
        // Huber's delta above most residuals: with every residual in the linear zone the
        // objective is piecewise linear, and central differences straddle its kinks.
        let loss = [
            Loss::Huber { delta: 0.05 },
            Loss::LogHuber { delta: 0.02 },
            Loss::Squared,
        ][which];
        with_objective(loss, &mut |objective| {
            let config = BasinConfig::default();
            assert_eq!(varpro::split(objective), Some((3, 2)));
            let mut work = vec![0.0; varpro::workspace_len(objective, &config)];
            let mut reduced = Reduced::new(objective, &mut work).unwrap();
            let u = [ln_alpha, ln_beta];
            let mut grad = [0.0; 2];
            let f = reduced.cost_grad(&u, &mut grad);
            assert!(f.is_finite());
            // A positive linear parameter solved to 0 (its bound): the reduced objective
            // has a kink there, and only one-sided derivatives.
            let theta = reduced.theta().to_vec();
            if theta[1] < -100.0 || theta[2] < -100.0 {
                return;
            }
            for k in 0..2 {
                let h = 1e-5;
                let (mut up, mut down) = (u, u);
                up[k] += h;
                down[k] -= h;
                let mut g = [0.0; 2];
                let fd = (reduced.cost_grad(&up, &mut g) - reduced.cost_grad(&down, &mut g))
                    / (2.0 * h);
                let scale = grad[k].abs().max(fd.abs()).max(1e-3 * f);
                assert!(
                    (grad[k] - fd).abs() <= 1e-4 * scale,
                    "{loss:?} u {u:?} k {k}: analytic {} vs central {fd}",
                    grad[k]
                );
            }
        });
    }
}

/// Degenerate data (one run, constant losses, extreme magnitudes) gives a finite fit or a
/// typed error through the grid search, never a panic or a NaN.
#[test]
fn degenerate_data_is_a_finite_fit_or_an_error() {
    let cases: [(&[f64], &[f64], &[f64]); 5] = [
        (&[1e9], &[1e10], &[2.5]),
        (&[1e8, 1e9, 1e10], &[1e10, 1e10, 1e10], &[3.0, 3.0, 3.0]),
        (&[1e8, 1e9], &[1e9, 1e11], &[1e300, 1e-300]),
        (&[5e-324, 1e9], &[1e9, 1e308], &[2.0, 3.0]),
        (
            &[1e8, 2e8, 4e8, 8e8],
            &[1e9, 2e9, 4e9, 8e9],
            &[4.0, 3.5, 3.2, 3.0],
        ),
    ];
    for (n, d, y) in cases {
        let runs = Runs {
            n: Some(n.to_vec()),
            d: Some(d.to_vec()),
            y: y.to_vec(),
            ..Runs::default()
        };
        for loss in LOSSES {
            let result = fit(
                Chinchilla::new(),
                &runs,
                &options(loss, Search::Auto),
                |_| ControlFlow::Continue(()),
            );
            if let Ok(f) = result {
                assert!(f.objective.is_finite(), "{n:?} {y:?} {loss:?}");
                assert!(f.params.iter().all(|p| p.is_finite()), "{:?}", f.params);
            }
        }
    }
}

/// The grid search polishes with the configured local solver: under `LocalSolver::Lm` its
/// refinements run Levenberg-Marquardt (another evaluation count than L-BFGS's: LM counts
/// one evaluation per Gauss-Newton system), and reach an objective at least as low.
#[test]
fn grid_search_polishes_with_the_configured_local_solver() {
    use mixlaw_fit::LocalSolver;
    let runs = chinchilla_runs([1.8, 0.5, 2.0, 0.35, 0.3], 0.004, 11);
    for loss in [Loss::Squared, Loss::Huber { delta: 1e-3 }] {
        let with = |local: LocalSolver| {
            let mut o = options(loss, Search::Auto);
            o.basin.local = local;
            fit(Chinchilla::new(), &runs, &o, |_| ControlFlow::Continue(())).unwrap()
        };
        let (auto, lbfgs, lm) = (
            with(LocalSolver::Auto),
            with(LocalSolver::Lbfgs),
            with(LocalSolver::Lm),
        );
        let (a, b, l) = (
            auto.outcome.unwrap(),
            lbfgs.outcome.unwrap(),
            lm.outcome.unwrap(),
        );
        // Auto keeps L-BFGS: the same search, bit for bit.
        assert_eq!(a, b);
        assert_eq!(auto.params, lbfgs.params);
        assert!(l.grid_points > 0 && b.grid_points > 0, "{l:?}");
        assert_ne!(l.evaluations, b.evaluations, "{loss:?}: {l:?} vs {b:?}");
        assert!(
            lm.objective <= lbfgs.objective * (1.0 + 1e-9),
            "{loss:?}: LM {} vs L-BFGS {}",
            lm.objective,
            lbfgs.objective
        );
    }
}
