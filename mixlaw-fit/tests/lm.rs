//! Levenberg-Marquardt ([`mixlaw_fit::lm`]): the same minimum as L-BFGS, the Huber minimum
//! (not the least-squares one), bounds, non-finite values, the same fit on any thread
//! count, no allocation; and the Gauss-Newton system it solves, against central
//! differences.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::ops::ControlFlow;

use mixlaw_core::laws::additive::Additive;
use mixlaw_core::laws::chinchilla::Chinchilla;
use mixlaw_core::{Dataset, Error, Groups, Law, LawExt, Loss, Objective, Point, Prepared, Scales};
use mixlaw_fit::{
    fit_law, fit_law_threads, workspace_len, BasinConfig, HopInfo, LawProblem, Lbfgs, LbfgsConfig,
    Lm, LmConfig, LocalSolver, Problem, Rng, Search, Termination,
};
use mixlaw_testkit::allocations_during;

const SCALES: Scales = Scales { n: 1e9, d: 1e9 };
const TRUTH: [f64; 11] = [1.7, 0.4, 1.5, 0.35, 0.3, 1.0, 2.0, 0.5, 0.6, 0.3, 0.45];

/// Additive-law runs (k = 3) on a grid of 6 mixtures x 3 sizes x 3 token counts, times
/// `1 + noise u` (u uniform in [-1, 1]); every `outlier`-th run (0: none) 5 % higher.
fn additive_runs(noise: f64, outlier: usize) -> (Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>) {
    let law = Additive::new(3).unwrap();
    let mut rng = Rng::new(11);
    let (mut h, mut n, mut d, mut y) = (vec![], vec![], vec![], vec![]);
    for (a, b) in [
        (0.2, 0.3),
        (0.6, 0.2),
        (0.1, 0.1),
        (0.3, 0.5),
        (0.8, 0.1),
        (0.05, 0.9),
    ] {
        for size in [0.05, 0.2, 0.8] {
            for t in [1.0, 4.0, 16.0] {
                let mix = [a, b, 1.0 - a - b];
                let p = Point::new(&mix, size * 1e9, t * 1e9).unwrap();
                let clean = law.value(&TRUTH, &p, SCALES).unwrap();
                let mut v = clean * (1.0 + noise * rng.uniform(-1.0, 1.0));
                if outlier > 0 && y.len() % outlier == 0 {
                    v *= 1.05;
                }
                h.extend(mix);
                n.push(size * 1e9);
                d.push(t * 1e9);
                y.push(v);
            }
        }
    }
    (h, n, d, y)
}

/// Runs `f` on the additive objective over these runs (grouped when `grouped`).
fn with_additive<R>(
    runs: &(Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>),
    loss: Loss,
    bounds: Option<&[(f64, f64)]>,
    grouped: bool,
    f: impl FnOnce(&Objective<'_, '_, Additive>) -> R,
) -> R {
    let (h, n, d, y) = runs;
    let data = Dataset::new(3, h, y)
        .unwrap()
        .with_n(n)
        .unwrap()
        .with_d(d)
        .unwrap();
    let mut cache = vec![0.0; Prepared::buffer_len(y.len(), 3)];
    let prepared = Prepared::new(data, SCALES, &mut cache).unwrap();
    let mut group_buf = vec![0usize; Groups::buffer_len(y.len())];
    let groups = Groups::new(&prepared, &mut group_buf).unwrap();
    let law = Additive::new(3).unwrap();
    let mut objective = Objective::new(&law, &prepared, loss).unwrap();
    if grouped {
        objective = objective.with_groups(&groups).unwrap();
    }
    if let Some(b) = bounds {
        objective = objective.with_bounds(b).unwrap();
    }
    f(&objective)
}

fn config(local: LocalSolver) -> BasinConfig {
    BasinConfig {
        starts: 6,
        hops: 1,
        candidates: 16,
        seed: 3,
        search: Search::Basin,
        local,
        ..BasinConfig::default()
    }
}

/// Basin-hopping with `local`: the best value and point.
fn basin_fit<L: Law + ?Sized>(
    objective: &Objective<'_, '_, L>,
    local: LocalSolver,
) -> (f64, Vec<f64>) {
    let cfg = config(local);
    let mut theta = vec![0.0; objective.dim()];
    let mut work = vec![0.0; workspace_len(objective, &cfg)];
    let out = fit_law(objective, &cfg, None, &mut theta, &mut work, |_| {
        ControlFlow::Continue(())
    })
    .unwrap();
    (out.value, theta)
}

/// One local minimisation by `local` from `x`.
fn local_min<L: Law + ?Sized>(
    objective: &Objective<'_, '_, L>,
    local: LocalSolver,
    x: &mut [f64],
) -> mixlaw_fit::Minimum {
    let p = objective.dim();
    let mut scratch = vec![0.0; objective.gauss_newton_scratch_len()];
    let mut problem = LawProblem::new(objective, &mut scratch).unwrap();
    match local {
        LocalSolver::Lm => {
            let lm = Lm::new(LmConfig::default());
            let mut work = vec![0.0; lm.workspace_len(p)];
            lm.minimize(&mut problem, x, &mut work).unwrap()
        }
        _ => {
            let lbfgs = Lbfgs::new(LbfgsConfig::default());
            let mut work = vec![0.0; lbfgs.workspace_len(p)];
            lbfgs.minimize(&mut problem, x, &mut work).unwrap()
        }
    }
}

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * a.abs().max(b.abs())
}

/// On small-residual synthetic runs (0.01 % noise: every Huber residual in the quadratic
/// zone) LM reaches L-BFGS's minimum: from L-BFGS's basin-hopping optimum moved away,
/// and as basin-hopping's local solver, by rows and by groups, for Huber and squared loss.
#[test]
fn lm_reaches_the_lbfgs_minimum_on_synthetic_runs() {
    let runs = additive_runs(1e-4, 0);
    for loss in [Loss::Huber { delta: 1e-3 }, Loss::Squared] {
        for grouped in [false, true] {
            with_additive(&runs, loss, None, grouped, |objective| {
                let (lbfgs, theta) = basin_fit(objective, LocalSolver::Lbfgs);
                let mut x: Vec<f64> = theta.iter().map(|t| t + 0.05).collect();
                let m = local_min(objective, LocalSolver::Lm, &mut x);
                assert!(m.status.converged(), "{loss:?} {grouped}: {m:?}");
                assert!(
                    m.value <= lbfgs * (1.0 + 1e-10),
                    "{loss:?} grouped {grouped}: LM {} vs L-BFGS {lbfgs}",
                    m.value
                );
                assert!(close(m.value, lbfgs, 1e-10), "{} vs {lbfgs}", m.value);
                assert!(m.iterations < 100, "{m:?}");
                let (lm, _) = basin_fit(objective, LocalSolver::Lm);
                assert!(
                    lm <= lbfgs * (1.0 + 1e-10),
                    "{loss:?} grouped {grouped}: LM basin-hopping {lm} vs {lbfgs}"
                );
            });
        }
    }
}

/// With 1 % noise and outliers, most Huber residuals lie in the linear zone: LM still ends
/// at the Huber minimum (zero Huber gradient, the value L-BFGS reaches from the same
/// start), which differs from the least-squares minimum.
#[test]
fn huber_lm_converges_to_the_huber_minimum() {
    let runs = additive_runs(1e-2, 7);
    let huber = Loss::Huber { delta: 1e-3 };
    let (ls_theta, _) = with_additive(&runs, Loss::Squared, None, false, |objective| {
        let (_, theta) = basin_fit(objective, LocalSolver::Lbfgs);
        (theta, ())
    });
    with_additive(&runs, huber, None, false, |objective| {
        let (_, theta) = basin_fit(objective, LocalSolver::Lbfgs);
        let mut x_lm = theta.clone();
        x_lm.iter_mut().for_each(|t| *t += 0.02);
        let mut x_lbfgs = x_lm.clone();
        let lm = local_min(objective, LocalSolver::Lm, &mut x_lm);
        let lbfgs = local_min(objective, LocalSolver::Lbfgs, &mut x_lbfgs);
        assert!(close(lm.value, lbfgs.value, 1e-10) || lm.value < lbfgs.value);
        let mut scratch = vec![0.0; objective.scratch_len()];
        let mut grad = vec![0.0; objective.dim()];
        let v = objective
            .eval(&x_lm, Some(&mut grad), &mut scratch)
            .unwrap();
        let g = grad.iter().fold(0.0f64, |m, x| m.max(x.abs()));
        let ls_value = objective
            .eval(&ls_theta, Some(&mut grad), &mut scratch)
            .unwrap();
        let g_ls = grad.iter().fold(0.0f64, |m, x| m.max(x.abs()));
        assert!(
            g <= 1e-6 * v && g <= 1e-3 * g_ls,
            "Huber gradient {g} at LM's point (f = {v}), {g_ls} at the least-squares fit"
        );
        assert!(
            ls_value > lm.value * (1.0 + 1e-6),
            "the least-squares fit ({ls_value}) is not the Huber minimum ({})",
            lm.value
        );
    });
}

/// A bound that binds (alpha <= 0.3, truth 0.35): LM keeps it and reaches L-BFGS's
/// bounded minimum.
#[test]
fn lm_respects_bounds() {
    let runs = additive_runs(1e-4, 0);
    let law = Additive::new(3).unwrap();
    let mut bounds = vec![(f64::NEG_INFINITY, f64::INFINITY); law.num_params()];
    law.set_bound("alpha", 0.1, 0.3, &mut bounds).unwrap();
    let alpha = law.param_index("alpha").unwrap();
    with_additive(&runs, Loss::Squared, Some(&bounds), true, |objective| {
        let (lbfgs, _) = basin_fit(objective, LocalSolver::Lbfgs);
        let (lm, theta) = basin_fit(objective, LocalSolver::Lm);
        let mut params = vec![0.0; law.num_params()];
        objective.to_natural(&theta, &mut params).unwrap();
        assert!(params[alpha] > 0.1 && params[alpha] <= 0.3, "{params:?}");
        assert!(objective.at_bound(&params, alpha), "{params:?}");
        assert!(lm <= lbfgs * (1.0 + 1e-8), "LM {lm} vs L-BFGS {lbfgs}");
    });
}

/// Rosenbrock as residuals `(10 (x1 - x0^2), 1 - x0)`, undefined (NaN) beyond |x_i| > 2.
struct Residuals;

impl Problem for Residuals {
    fn dim(&self) -> usize {
        2
    }
    fn cost_grad(&mut self, x: &[f64], g: &mut [f64]) -> f64 {
        let mut h = [0.0; 4];
        self.gauss_newton(x, g, &mut h).unwrap_or(f64::NAN)
    }
    fn gauss_newton(&mut self, x: &[f64], g: &mut [f64], h: &mut [f64]) -> Option<f64> {
        if x.iter().any(|v| v.abs() > 2.0) {
            return Some(f64::NAN);
        }
        let (r0, r1) = (10.0 * (x[1] - x[0] * x[0]), 1.0 - x[0]);
        let (j0, j1) = ([-20.0 * x[0], 10.0], [-1.0, 0.0]);
        for i in 0..2 {
            g[i] = r0 * j0[i] + r1 * j1[i];
            for j in 0..2 {
                h[i * 2 + j] = j0[i] * j0[j] + j1[i] * j1[j];
            }
        }
        Some(0.5 * (r0 * r0 + r1 * r1))
    }
    fn has_gauss_newton(&self) -> bool {
        true
    }
}

/// The Rosenbrock function without a Gauss-Newton system.
struct GradientOnly;

impl Problem for GradientOnly {
    fn dim(&self) -> usize {
        2
    }
    fn cost_grad(&mut self, x: &[f64], g: &mut [f64]) -> f64 {
        Residuals.cost_grad(x, g)
    }
}

/// Non-finite values are rejected steps (the trial beyond |x| = 2 from a start near the
/// edge), a non-finite start is reported, a problem without a Gauss-Newton system is a
/// typed error.
#[test]
fn lm_handles_non_finite_values_and_reports_why_it_stopped() {
    let lm = Lm::new(LmConfig::default());
    let mut work = vec![0.0; lm.workspace_len(2)];
    let mut x = [-1.9, 1.9];
    let m = lm.minimize(&mut Residuals, &mut x, &mut work).unwrap();
    assert!(m.status.converged(), "{m:?}");
    assert!(
        (x[0] - 1.0).abs() < 1e-8 && (x[1] - 1.0).abs() < 1e-8,
        "{x:?}"
    );
    assert!(m.value < 1e-20);
    let mut x = [3.0, 0.0];
    let m = lm.minimize(&mut Residuals, &mut x, &mut work).unwrap();
    assert_eq!(m.status, Termination::StartNotFinite);
    assert_eq!(x, [3.0, 0.0]);
    let mut x = [0.0, 0.0];
    assert_eq!(
        lm.minimize(&mut GradientOnly, &mut x, &mut work),
        Err(Error::NotResidual)
    );
    let mut short = vec![0.0; lm.workspace_len(2) - 1];
    assert!(matches!(
        lm.minimize(&mut Residuals, &mut x, &mut short),
        Err(Error::BufferTooSmall { .. })
    ));
}

/// Basin-hopping over LM gives the same fit, bit for bit, on 1, 2 and 3 threads, and
/// `fit_law` with LM allocates nothing.
#[test]
fn lm_fits_are_deterministic_across_threads_and_allocation_free() {
    let runs = additive_runs(1e-2, 0);
    with_additive(
        &runs,
        Loss::Huber { delta: 1e-3 },
        None,
        true,
        |objective| {
            let cfg = config(LocalSolver::Lm);
            let mut theta = vec![0.0; objective.dim()];
            let mut work = vec![0.0; workspace_len(objective, &cfg)];
            let mut out = None;
            let count = allocations_during(|| {
                out = Some(
                    fit_law(objective, &cfg, None, &mut theta, &mut work, |_| {
                        ControlFlow::Continue(())
                    })
                    .unwrap(),
                );
            });
            assert_eq!(count, 0, "fit_law with LM allocated {count} times");
            let out = out.unwrap();
            // The regular starts' and the starts built from the data (`informed`), each
            // a solve and a hop.
            let mut points = vec![0.0; mixlaw_fit::informed::POINTS * objective.dim()];
            let mut scratch = vec![0.0; mixlaw_fit::informed::workspace_len(objective)];
            let range = |i: usize| objective.start_range(i).unwrap();
            let built =
                mixlaw_fit::informed::start(objective, range, &mut points, &mut scratch).unwrap();
            assert!(built > 0);
            assert!(out.value.is_finite() && out.minimizations == 2 * (6 + built));
            let go = |_: &HopInfo| ControlFlow::Continue(());
            for threads in [1, 2, 3] {
                let mut theta_t = vec![0.0; objective.dim()];
                let threaded = fit_law_threads(objective, &cfg, None, &mut theta_t, threads, go);
                assert_eq!(threaded.unwrap(), out, "{threads} threads");
                let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                assert_eq!(bits(&theta_t), bits(&theta), "{threads} threads");
            }
        },
    );
}

/// The Gauss-Newton matrix is the objective's Hessian at zero residuals (squared loss on
/// the law's own predictions), checked against central differences of the exact gradient;
/// its gradient is the objective's. Additive (by rows and by groups, bounded or not) and
/// Chinchilla.
#[test]
fn gauss_newton_matrix_is_the_hessian_at_zero_residuals() {
    let runs = additive_runs(0.0, 0);
    let law = Additive::new(3).unwrap();
    let mut bounds = vec![(f64::NEG_INFINITY, f64::INFINITY); law.num_params()];
    law.set_bound("gamma[*]", 0.1, 2.0, &mut bounds).unwrap();
    let mut truth_theta = vec![0.0; law.num_params()];
    for (grouped, bounded) in [(false, false), (true, false), (true, true)] {
        let b = bounded.then_some(bounds.as_slice());
        with_additive(&runs, Loss::Squared, b, grouped, |objective| {
            objective
                .to_unconstrained(&TRUTH, &mut truth_theta)
                .unwrap();
            check_hessian(objective, &truth_theta);
        });
    }
    let chinchilla = Chinchilla::new();
    let truth = [1.8, 0.5, 2.0, 0.35, 0.3];
    let (n, d): (Vec<f64>, Vec<f64>) = (0..30)
        .map(|i| (0.1 * (1 + i % 5) as f64 * 1e9, (1 + i) as f64 * 1e9))
        .unzip();
    let y: Vec<f64> = n
        .iter()
        .zip(&d)
        .map(|(&n, &d)| {
            let p = Point::new(&[], n, d).unwrap();
            chinchilla.value(&truth, &p, SCALES).unwrap()
        })
        .collect();
    let data = Dataset::new(0, &[], &y)
        .unwrap()
        .with_n(&n)
        .unwrap()
        .with_d(&d)
        .unwrap();
    let mut cache = vec![0.0; Prepared::buffer_len(y.len(), 0)];
    let prepared = Prepared::new(data, SCALES, &mut cache).unwrap();
    let objective = Objective::new(&chinchilla, &prepared, Loss::Squared).unwrap();
    let mut theta = vec![0.0; 5];
    chinchilla.to_unconstrained(&truth, &mut theta).unwrap();
    check_hessian(&objective, &theta);
}

fn check_hessian<L: Law + ?Sized>(objective: &Objective<'_, '_, L>, theta: &[f64]) {
    let p = objective.dim();
    let mut scratch = vec![0.0; objective.gauss_newton_scratch_len()];
    let (mut g, mut h) = (vec![0.0; p], vec![0.0; p * p]);
    let v = objective
        .gauss_newton(theta, &mut g, &mut h, &mut scratch)
        .unwrap();
    assert!(v < 1e-25, "not at zero residuals: {v}");
    let mut eval_grad = vec![0.0; p];
    let (mut gp, mut gm) = (vec![0.0; p], vec![0.0; p]);
    objective
        .eval(theta, Some(&mut eval_grad), &mut scratch)
        .unwrap();
    assert!(g
        .iter()
        .zip(&eval_grad)
        .all(|(a, b)| (a - b).abs() <= 1e-15));
    let scale = h.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    assert!(scale > 0.0);
    for j in 0..p {
        let step = 1e-5;
        let mut x = theta.to_vec();
        x[j] = theta[j] + step;
        objective.eval(&x, Some(&mut gp), &mut scratch).unwrap();
        x[j] = theta[j] - step;
        objective.eval(&x, Some(&mut gm), &mut scratch).unwrap();
        for i in 0..p {
            let fd = (gp[i] - gm[i]) / (2.0 * step);
            assert!(
                (h[i * p + j] - fd).abs() <= 1e-6 * scale,
                "H[{i},{j}] = {} vs central difference {fd}",
                h[i * p + j]
            );
        }
    }
}
