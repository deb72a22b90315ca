//! L-BFGS and basin-hopping on problems with known answers: convergence, non-finite
//! regions, determinism, early stop, the linear closed form, and no allocation.

use std::ops::ControlFlow;

use approx::assert_relative_eq;

use mixlaw_core::{
    laws::additive::Additive, AnyLaw, Error, Groups, Law, LawExt, Loss, Objective, Prepared, Scales,
};
use mixlaw_fit::owned::{fit, FitOptions, Runs};
use mixlaw_fit::{
    fit_law, workspace_len, BasinConfig, BasinHopping, Interpolation, Lbfgs, LbfgsConfig, Problem,
    Termination,
};
use mixlaw_testkit::allocations_during;

/// The n-dimensional Rosenbrock function; undefined (NaN) beyond |x_i| > 5 to exercise
/// the non-finite handling.
struct Rosenbrock(usize);

impl Problem for Rosenbrock {
    fn dim(&self) -> usize {
        self.0
    }
    fn cost_grad(&mut self, x: &[f64], g: &mut [f64]) -> f64 {
        if x.iter().any(|v| v.abs() > 5.0) {
            return f64::NAN;
        }
        g.iter_mut().for_each(|v| *v = 0.0);
        let mut f = 0.0;
        for i in 0..x.len() - 1 {
            let (a, b) = (x[i], x[i + 1]);
            f += 100.0 * (b - a * a).powi(2) + (1.0 - a).powi(2);
            g[i] += -400.0 * a * (b - a * a) - 2.0 * (1.0 - a);
            g[i + 1] += 200.0 * (b - a * a);
        }
        f
    }
}

#[test]
fn lbfgs_solves_rosenbrock_from_the_classic_start() {
    for interpolation in [Interpolation::Safeguarded, Interpolation::MoreThuente] {
        // Evaluations when written: 50 / 87 / 206 (safeguarded), 49 / 97 / 219
        // (Moré-Thuente); the bounds leave 25 % for changes that do not matter.
        for (n, most_evaluations) in [(2, 63), (10, 122), (30, 274)] {
            let lbfgs = Lbfgs::new(LbfgsConfig {
                interpolation,
                ..LbfgsConfig::default()
            });
            let mut x: Vec<f64> = (0..n)
                .map(|i| if i % 2 == 0 { -1.2 } else { 1.0 })
                .collect();
            let mut ws = vec![0.0; lbfgs.workspace_len(n)];
            let m = lbfgs.minimize(&mut Rosenbrock(n), &mut x, &mut ws).unwrap();
            assert!(
                m.status.converged() || m.status == Termination::LineSearchFailed,
                "{m:?}"
            );
            assert!(m.value < 1e-20, "n = {n}: {m:?}");
            assert!(x.iter().all(|v| (v - 1.0).abs() < 1e-8), "n = {n}: {x:?}");
            assert!(
                m.evaluations <= most_evaluations,
                "n = {n}, {interpolation:?}: {m:?}"
            );
        }
    }
}

#[test]
fn lbfgs_backtracks_from_non_finite_values() {
    // Start near the NaN wall with a gradient pointing through it.
    for interpolation in [Interpolation::Safeguarded, Interpolation::MoreThuente] {
        let lbfgs = Lbfgs::new(LbfgsConfig {
            interpolation,
            ..LbfgsConfig::default()
        });
        let mut x = vec![4.9, -4.9];
        let mut problem = Recording::new(Rosenbrock(2));
        let mut ws = vec![0.0; lbfgs.workspace_len(2)];
        let mut m = lbfgs.minimize(&mut problem, &mut x, &mut ws).unwrap();
        assert!(m.value.is_finite() && m.value < 1e-16, "{m:?}");
        problem.assert_best_seen(&mut m, &x);
    }
    let lbfgs = Lbfgs::new(LbfgsConfig::default());
    let mut ws = vec![0.0; lbfgs.workspace_len(2)];
    // A start where the function is not finite is reported, not minimised.
    let mut bad = vec![9.0, 9.0];
    let m = lbfgs
        .minimize(&mut Rosenbrock(2), &mut bad, &mut ws)
        .unwrap();
    assert_eq!(m.status, Termination::StartNotFinite);
    // Wrong buffers are reported too.
    let m = lbfgs.minimize(&mut Rosenbrock(2), &mut [0.0; 2], &mut [0.0; 3]);
    assert!(matches!(m, Err(Error::BufferTooSmall { .. })), "{m:?}");
    let m = lbfgs.minimize(&mut Rosenbrock(2), &mut [0.0; 3], &mut ws);
    assert!(matches!(m, Err(Error::WrongParamCount { .. })), "{m:?}");
}

/// A double well in each coordinate: local minima at +-1 (shifted), global at x_i = -1.
struct Wells(usize);
impl Problem for Wells {
    fn dim(&self) -> usize {
        self.0
    }
    fn cost_grad(&mut self, x: &[f64], g: &mut [f64]) -> f64 {
        let mut f = 0.0;
        for (xi, gi) in x.iter().zip(g.iter_mut()) {
            f += (xi * xi - 1.0).powi(2) + 0.3 * xi;
            *gi = 4.0 * xi * (xi * xi - 1.0) + 0.3;
        }
        f
    }
}

#[test]
fn basin_hopping_finds_the_global_well_deterministically() {
    let n = 6;
    let config = BasinConfig {
        starts: 2,
        hops: 40,
        seed: 11,
        step: 1.5,
        ..BasinConfig::default()
    };
    let bh = BasinHopping::new(config);
    let mut ws = vec![0.0; bh.workspace_len(n)];
    let mut x1 = vec![0.0; n];
    let out1 = bh
        .minimize(
            &mut Wells(n),
            |_| (0.5, 2.0),
            &mut x1,
            &mut ws,
            |_| ControlFlow::Continue(()),
        )
        .unwrap();
    assert!(x1.iter().all(|&v| v < -0.9), "{x1:?}");
    let mut x2 = vec![0.0; n];
    let out2 = bh
        .minimize(
            &mut Wells(n),
            |_| (0.5, 2.0),
            &mut x2,
            &mut ws,
            |_| ControlFlow::Continue(()),
        )
        .unwrap();
    assert_eq!((out1, x1), (out2, x2), "same seed, same fit");
    // The observer can stop the search.
    let mut seen = 0;
    let mut x3 = vec![0.0; n];
    let out3 = bh
        .minimize(
            &mut Wells(n),
            |_| (0.5, 2.0),
            &mut x3,
            &mut ws,
            |_| {
                seen += 1;
                if seen == 3 {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            },
        )
        .unwrap();
    assert!(out3.stopped_early && out3.minimizations == 3);
}

fn grid_runs() -> (Runs, Vec<f64>) {
    // A 3-domain additive law on a grid of mixtures, sizes and token counts.
    let truth = vec![1.7, 0.4, 1.5, 0.35, 0.3, 1.0, 2.0, 0.5, 0.6, 0.3, 0.45];
    let law = Additive::new(3).unwrap();
    let mut runs = Runs {
        k: 3,
        n: Some(vec![]),
        d: Some(vec![]),
        ..Runs::default()
    };
    for (a, b) in [
        (0.2, 0.3),
        (0.6, 0.2),
        (0.1, 0.1),
        (0.3, 0.5),
        (0.45, 0.45),
        (0.8, 0.1),
        (0.05, 0.9),
        (0.7, 0.25),
        (0.15, 0.6),
        (1.0 / 3.0, 1.0 / 3.0),
    ] {
        for n in [0.05, 0.1, 0.2, 0.4] {
            for t in [1.0, 2.0, 4.0, 8.0] {
                let h = [a, b, 1.0 - a - b];
                let p = mixlaw_core::Point::new(&h, n * 1e9, t * 1e9).unwrap();
                runs.h.extend(h);
                runs.y
                    .push(law.value(&truth, &p, Scales { n: 1e9, d: 1e9 }).unwrap());
                runs.n.as_mut().unwrap().push(n * 1e9);
                runs.d.as_mut().unwrap().push(t * 1e9);
            }
        }
    }
    (runs, truth)
}

#[test]
fn fits_recover_a_law_from_exact_runs() {
    let (runs, truth) = grid_runs();
    let options = FitOptions {
        loss: Loss::Squared,
        scales: Some(Scales { n: 1e9, d: 1e9 }),
        ..FitOptions::default()
    };
    let fitted = fit(
        AnyLaw::new("additive", 3, None).unwrap(),
        &runs,
        &options,
        |_| ControlFlow::Continue(()),
    )
    .unwrap();
    assert!(fitted.objective < 1e-20, "{}", fitted.objective);
    let (_, m) = fitted.evaluate(&runs).unwrap();
    assert!(m.mre < 1e-6, "{m:?}");
    // Ten mixtures over three domains identify C and gamma (six did not: E and the
    // mixture term then trade off exactly), so the fit must return the truth itself.
    assert_relative_eq!(fitted.params[..], truth[..], max_relative = 1e-9);
}

#[test]
fn linear_law_is_fitted_in_closed_form() {
    let mut runs = Runs {
        k: 3,
        ..Runs::default()
    };
    let w = [2.0, 3.5, 1.25];
    for (a, b) in [(0.2, 0.3), (0.6, 0.2), (0.1, 0.1), (0.3, 0.5), (0.45, 0.45)] {
        let h = [a, b, 1.0 - a - b];
        runs.h.extend(h);
        runs.y.push(h.iter().zip(&w).map(|(x, y)| x * y).sum());
    }
    let fitted = fit(
        AnyLaw::new("linear", 3, None).unwrap(),
        &runs,
        &FitOptions::default(),
        |_| ControlFlow::Continue(()),
    )
    .unwrap();
    assert!(fitted.outcome.is_none());
    assert_relative_eq!(fitted.params[..], w[..], max_relative = 1e-9);
}

/// Losses near f64::MAX overflow the normal equations: a typed error (the CLI's exit 1),
/// not non-finite weights (which the CLI reported as bad input).
#[test]
fn linear_fit_overflow_is_a_typed_error() {
    let runs = Runs {
        k: 3,
        h: vec![
            0.2, 0.3, 0.5, 0.3, 0.3, 0.4, 0.5, 0.25, 0.25, 0.1, 0.45, 0.45,
        ],
        y: vec![1e-300, 2e-300, 5e-324, 1.7e308],
        ..Runs::default()
    };
    let r = fit(
        AnyLaw::new("linear", 3, None).unwrap(),
        &runs,
        &FitOptions::default(),
        |_| ControlFlow::Continue(()),
    );
    assert!(
        matches!(r, Err(mixlaw_core::Error::Overflow { .. })),
        "{:?}",
        r.map(|f| f.params)
    );
}

#[test]
fn the_fitting_path_does_not_allocate() {
    let (runs, _) = grid_runs();
    let data = runs.dataset().unwrap();
    let mut cache = vec![0.0; Prepared::buffer_len(runs.rows(), 3)];
    let prepared = Prepared::new(data, Scales { n: 1e9, d: 1e9 }, &mut cache).unwrap();
    let mut group_buf = vec![0usize; Groups::buffer_len(runs.rows())];
    let groups = Groups::new(&prepared, &mut group_buf).unwrap();
    let law = Additive::new(3).unwrap();
    let objective = Objective::new(&law, &prepared, Loss::default())
        .unwrap()
        .with_groups(&groups)
        .unwrap();
    let config = BasinConfig {
        starts: 2,
        hops: 2,
        ..BasinConfig::default()
    };
    let mut theta = vec![0.0; law.num_params()];
    let mut work = vec![0.0; workspace_len(&objective, &config)];
    let mut value = f64::NAN;
    let count = allocations_during(|| {
        value = fit_law(&objective, &config, None, &mut theta, &mut work, |_| {
            ControlFlow::Continue(())
        })
        .unwrap()
        .value;
    });
    assert!(value.is_finite());
    assert_eq!(count, 0, "fitting allocated {count} times");
}

/// Records every evaluation of the problem it wraps: the count and the lowest finite value
/// seen with its point.
struct Recording<P> {
    inner: P,
    evaluations: usize,
    best: f64,
    best_x: Vec<f64>,
}

impl<P: Problem> Recording<P> {
    fn new(inner: P) -> Self {
        Recording {
            best_x: vec![f64::NAN; inner.dim()],
            inner,
            evaluations: 0,
            best: f64::INFINITY,
        }
    }
    /// The returned minimum is finite, is the value at the returned `x`, and is the lowest
    /// value the minimiser saw (at that same point).
    fn assert_best_seen(&mut self, m: &mut mixlaw_fit::lbfgs::Minimum, x: &[f64]) {
        assert!(
            m.value.is_finite() && x.iter().all(|v| v.is_finite()),
            "{m:?} {x:?}"
        );
        assert_eq!(m.evaluations, self.evaluations, "evaluations reported");
        assert_eq!(
            m.value, self.best,
            "returned value is not the best seen: {m:?}"
        );
        assert_eq!(x, &self.best_x[..], "returned point is not the best seen");
        let mut g = vec![0.0; x.len()];
        assert_eq!(
            self.inner.cost_grad(x, &mut g),
            m.value,
            "value at the returned x"
        );
    }
}

impl<P: Problem> Problem for Recording<P> {
    fn dim(&self) -> usize {
        self.inner.dim()
    }
    fn cost_grad(&mut self, x: &[f64], g: &mut [f64]) -> f64 {
        self.evaluations += 1;
        let f = self.inner.cost_grad(x, g);
        if f < self.best {
            self.best = f;
            self.best_x.copy_from_slice(x);
        }
        f
    }
}

fn classic_start(n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| if i % 2 == 0 { -1.2 } else { 1.0 })
        .collect()
}

#[test]
fn lbfgs_stops_at_the_iteration_cap() {
    let lbfgs = Lbfgs::new(LbfgsConfig {
        max_iterations: 5,
        ..LbfgsConfig::default()
    });
    let mut problem = Recording::new(Rosenbrock(10));
    let mut x = classic_start(10);
    let mut ws = vec![0.0; lbfgs.workspace_len(10)];
    let mut m = lbfgs.minimize(&mut problem, &mut x, &mut ws).unwrap();
    assert_eq!(m.status, Termination::MaxIterations, "{m:?}");
    assert_eq!(m.iterations, 5);
    assert!(m.value < 4.0 * 24.2, "five iterations descend: {m:?}");
    problem.assert_best_seen(&mut m, &x);
}

/// `sum x_i^2` over three variables, its gradient multiplied by `gradient_sign` (-1: every
/// "descent" direction climbs, so no step decreases f).
struct Bowl {
    gradient_sign: f64,
}
impl Problem for Bowl {
    fn dim(&self) -> usize {
        3
    }
    fn cost_grad(&mut self, x: &[f64], g: &mut [f64]) -> f64 {
        for (gi, xi) in g.iter_mut().zip(x) {
            *gi = self.gradient_sign * 2.0 * xi;
        }
        x.iter().map(|v| v * v).sum()
    }
}

#[test]
fn lbfgs_stops_at_the_evaluation_cap() {
    // The cap reached in the very first line search (its first trial step, 1, jumps across
    // the bowl to an equal value): still the cap, not a failed line search.
    let lbfgs = Lbfgs::new(LbfgsConfig {
        max_evaluations: 2,
        ..LbfgsConfig::default()
    });
    let mut problem = Recording::new(Bowl { gradient_sign: 1.0 });
    let mut x = [1e-3, -1e-3, 5e-4];
    let mut ws = vec![0.0; lbfgs.workspace_len(3)];
    let mut m = lbfgs.minimize(&mut problem, &mut x, &mut ws).unwrap();
    assert_eq!(
        (m.status, m.evaluations),
        (Termination::MaxEvaluations, 2),
        "{m:?}"
    );
    problem.assert_best_seen(&mut m, &x);
    // Caps reached anywhere along a Rosenbrock descent.
    for cap in 2..60 {
        let lbfgs = Lbfgs::new(LbfgsConfig {
            max_evaluations: cap,
            ..LbfgsConfig::default()
        });
        let mut problem = Recording::new(Rosenbrock(10));
        let mut x = classic_start(10);
        let mut ws = vec![0.0; lbfgs.workspace_len(10)];
        let mut m = lbfgs.minimize(&mut problem, &mut x, &mut ws).unwrap();
        assert_eq!(m.status, Termination::MaxEvaluations, "cap {cap}: {m:?}");
        assert!(m.evaluations <= cap, "cap {cap}: {m:?}");
        problem.assert_best_seen(&mut m, &x);
    }
}

#[test]
fn lbfgs_reports_a_failed_line_search() {
    let lbfgs = Lbfgs::new(LbfgsConfig::default());
    let start = [1.0, -2.0, 0.5];
    let mut x = start;
    let mut problem = Recording::new(Bowl {
        gradient_sign: -1.0,
    });
    let mut ws = vec![0.0; lbfgs.workspace_len(3)];
    let mut m = lbfgs.minimize(&mut problem, &mut x, &mut ws).unwrap();
    assert_eq!(m.status, Termination::LineSearchFailed, "{m:?}");
    assert_eq!(m.iterations, 0);
    assert_eq!(x, start, "no step was accepted");
    problem.assert_best_seen(&mut m, &x);
}

#[test]
fn lbfgs_keeps_five_pairs_per_parameter_between_30_and_its_memory() {
    // The default memory (30) keeps 30 pairs in every dimension.
    for n in [1, 2, 6, 7, 19, 400] {
        assert_eq!(Lbfgs::default().pairs(n), 30, "n = {n}");
    }
    let default = Lbfgs::new(LbfgsConfig {
        memory: 100,
        ..LbfgsConfig::default()
    });
    for (n, pairs) in [(2, 30), (6, 30), (7, 35), (19, 95), (20, 100), (400, 100)] {
        assert_eq!(default.pairs(n), pairs, "n = {n}");
        // An explicit memory caps it.
        let capped = Lbfgs::new(LbfgsConfig {
            memory: 10,
            ..LbfgsConfig::default()
        });
        assert_eq!(capped.pairs(n), 10, "n = {n}");
    }
    // The minimiser runs with exactly that many pairs: memory 100 and an explicit memory
    // equal to `pairs(n)` follow the same path bit for bit, in exactly `workspace_len(n)`.
    for n in [4, 19, 24] {
        let explicit = Lbfgs::new(LbfgsConfig {
            memory: default.pairs(n),
            ..LbfgsConfig::default()
        });
        assert_eq!(explicit.workspace_len(n), default.workspace_len(n));
        let run = |lbfgs: &Lbfgs, len: usize| {
            let mut x = classic_start(n);
            let mut ws = vec![0.0; len];
            lbfgs
                .minimize(&mut Rosenbrock(n), &mut x, &mut ws)
                .map(|m| (m, x))
        };
        let (a, xa) = run(&default, default.workspace_len(n)).unwrap();
        let (b, xb) = run(&explicit, default.workspace_len(n)).unwrap();
        assert!(a.status.converged(), "n = {n}: {a:?}");
        assert_eq!((a, &xa), (b, &xb), "n = {n}");
        assert!(matches!(
            run(&default, default.workspace_len(n) - 1),
            Err(Error::BufferTooSmall { .. })
        ));
    }
}

/// A quadratic bowl whose value carries a few ulps of deterministic "rounding noise" (a
/// hash of x's bits), as a sum over many rows does: near the minimum the changes of f fall
/// below that noise while the gradient stays exact.
struct NoisyBowl {
    evaluations: usize,
}
impl Problem for NoisyBowl {
    fn dim(&self) -> usize {
        5
    }
    fn cost_grad(&mut self, x: &[f64], g: &mut [f64]) -> f64 {
        self.evaluations += 1;
        let mut f = 1.0;
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for (i, (gi, xi)) in g.iter_mut().zip(x).enumerate() {
            let w = 10f64.powi(i as i32 - 2);
            f += w * (xi - 1.0) * (xi - 1.0);
            *gi = 2.0 * w * (xi - 1.0);
            hash = (hash ^ xi.to_bits()).wrapping_mul(0x0100_0000_01b3);
        }
        // -4 .. +4 ulps of f.
        let ulps = (hash >> 61) as f64 - 4.0;
        f * (1.0 + ulps * f64::EPSILON)
    }
}

#[test]
fn lbfgs_converges_at_the_rounding_floor_without_spending_its_line_searches() {
    // Every change of f below its rounding is noise: the sufficient-decrease test is then a
    // coin toss. The line search must accept on the (exact) slopes and the minimiser stop
    // as converged, not exhaust 30 evaluations per failed search and give up.
    let lbfgs = Lbfgs::default();
    let mut problem = NoisyBowl { evaluations: 0 };
    let mut x = [3.0, -2.0, 0.5, 4.0, -1.0];
    let mut ws = vec![0.0; lbfgs.workspace_len(5)];
    let m = lbfgs.minimize(&mut problem, &mut x, &mut ws).unwrap();
    assert!(m.status.converged(), "{m:?}");
    assert_eq!(m.evaluations, problem.evaluations);
    // 5 coordinates of a quadratic: tens of evaluations, not hundreds.
    assert!(m.evaluations <= 60, "{m:?}");
    for (i, xi) in x.iter().enumerate() {
        // Each coordinate within what f's rounding can resolve (sqrt(ulps / w)).
        let resolvable = (16.0 * f64::EPSILON / 10f64.powi(i as i32 - 2)).sqrt();
        assert!(
            (xi - 1.0).abs() <= 10.0 * resolvable,
            "x[{i}] = {xi}: {m:?}"
        );
    }
}
