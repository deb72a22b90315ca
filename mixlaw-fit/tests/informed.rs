//! The start built from the data (`informed::start`) for the additive family: it recovers
//! the generating law of exact runs in one local solve, beats the best of random points on
//! noisy runs, ignores runs of weight 0, declines what it cannot handle, and is
//! `fit_law`'s first start.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use mixlaw_core::laws::chinchilla::Chinchilla;
use mixlaw_core::laws::{additive::Additive, additive_n::AdditiveN, additive_nd::AdditiveNd};
use mixlaw_core::{Dataset, Error, Groups, Law, LawExt, Loss, Objective, Point, Prepared, Scales};
use mixlaw_fit::{
    fit_law, informed, workspace_len, BasinConfig, LawProblem, Lbfgs, LbfgsConfig, LocalSolver,
    Rng, Search,
};

const SCALES: Scales = Scales { n: 1e9, d: 1e9 };
/// The additive law (k = 3) the runs are drawn from: E, A, B, alpha, beta, C[3], gamma[3].
const TRUTH: [f64; 11] = [1.7, 0.4, 1.5, 0.35, 0.3, 1.0, 2.0, 0.5, 0.6, 0.3, 0.45];

/// Columns of a grid of runs: mixtures (k = 3) x model sizes x token counts.
struct Grid {
    h: Vec<f64>,
    n: Vec<f64>,
    d: Vec<f64>,
    y: Vec<f64>,
}

const MIXTURES: [[f64; 3]; 7] = [
    [0.2, 0.3, 0.5],
    [0.6, 0.2, 0.2],
    [0.1, 0.1, 0.8],
    [0.3, 0.5, 0.2],
    [0.8, 0.1, 0.1],
    [0.05, 0.9, 0.05],
    [0.4, 0.0, 0.6],
];

/// Runs of `law` at `truth` times `1 + noise u`, u uniform in [-1, 1].
fn grid<L: Law>(law: &L, truth: &[f64], noise: f64) -> Grid {
    let mut rng = Rng::new(3);
    let mut g = Grid {
        h: vec![],
        n: vec![],
        d: vec![],
        y: vec![],
    };
    for h in MIXTURES {
        for n in [0.05, 0.2, 0.8] {
            for t in [1.0, 4.0, 16.0] {
                let p = Point::new(&h, n * 1e9, t * 1e9).unwrap();
                let clean = law.value(truth, &p, SCALES).unwrap();
                g.h.extend(h);
                g.n.push(n * 1e9);
                g.d.push(t * 1e9);
                g.y.push(clean * (1.0 + noise * rng.uniform(-1.0, 1.0)));
            }
        }
    }
    g
}

/// Calls `f` with the objective of `law` on `g` (run weights `w` if given), with groups.
fn with_objective<L: Law, T>(
    law: &L,
    g: &Grid,
    w: Option<&[f64]>,
    f: impl FnOnce(&Objective<'_, '_, L>) -> T,
) -> T {
    let rows = g.y.len();
    let mut data = Dataset::new(3, &g.h, &g.y).unwrap();
    if law.inputs().n {
        data = data.with_n(&g.n).unwrap();
    }
    if law.inputs().d {
        data = data.with_d(&g.d).unwrap();
    }
    if let Some(w) = w {
        data = data.with_weights(w).unwrap();
    }
    let mut cache = vec![0.0; Prepared::buffer_len(rows, 3)];
    let prepared = Prepared::new(data, SCALES, &mut cache).unwrap();
    let mut buf = vec![0usize; Groups::buffer_len(rows)];
    let groups = Groups::new(&prepared, &mut buf).unwrap();
    let objective = Objective::new(law, &prepared, Loss::Squared)
        .unwrap()
        .with_groups(&groups)
        .unwrap();
    f(&objective)
}

fn range<'a, L: Law>(objective: &'a Objective<'_, '_, L>) -> impl Fn(usize) -> (f64, f64) + 'a {
    |i| objective.start_range(i).unwrap()
}

/// The starts built for `objective` (empty when it declines), each with its objective.
fn informed_starts<L: Law>(objective: &Objective<'_, '_, L>) -> Vec<(Vec<f64>, f64)> {
    let p = objective.dim();
    let mut points = vec![f64::NAN; informed::POINTS * p];
    let mut work = vec![0.0; informed::workspace_len(objective)];
    let built = informed::start(objective, range(objective), &mut points, &mut work).unwrap();
    assert!(built <= informed::POINTS);
    assert!(
        points[built * p..].iter().all(|t| t.is_nan()),
        "points beyond the count changed"
    );
    let mut scratch = vec![0.0; objective.scratch_len()];
    points
        .chunks_exact(p)
        .take(built)
        .map(|x| (x.to_vec(), objective.eval(x, None, &mut scratch).unwrap()))
        .collect()
}

/// The first start built for `objective`, if any.
fn informed_start<L: Law>(objective: &Objective<'_, '_, L>) -> Option<(Vec<f64>, f64)> {
    informed_starts(objective).into_iter().next()
}

/// One L-BFGS solve from `theta`; the minimum's value, `theta` moved to it.
fn solve<L: Law>(objective: &Objective<'_, '_, L>, theta: &mut [f64]) -> f64 {
    let mut scratch = vec![0.0; objective.scratch_len()];
    let mut problem = LawProblem::new(objective, &mut scratch).unwrap();
    let solver = Lbfgs::new(LbfgsConfig::default());
    let mut work = vec![0.0; solver.workspace_len(objective.dim())];
    solver
        .minimize(&mut problem, theta, &mut work)
        .unwrap()
        .value
}

/// On exact runs of each law of the family, one solve from the start reaches the
/// generating parameters.
#[test]
fn one_solve_from_the_start_recovers_exact_runs() {
    fn check<L: Law>(law: L, truth: &[f64]) {
        let g = grid(&law, truth, 0.0);
        with_objective(&law, &g, None, |objective| {
            let (mut theta, start) = informed_start(objective).expect("a start");
            let value = solve(objective, &mut theta);
            let mut fitted = vec![0.0; truth.len()];
            objective.to_natural(&theta, &mut fitted).unwrap();
            assert!(
                value < 1e-16 && value < 1e-6 * start,
                "{}: {start} -> {value}",
                law.name()
            );
            // Without N (and D) the offsets E + 1/S(h) of 7 mixtures barely identify the
            // 7 parameters of the mixture term: the parameters are checked for `additive`.
            if law.name() != "additive" {
                return;
            }
            for (i, (f, t)) in fitted.iter().zip(truth).enumerate() {
                assert!(
                    (f - t).abs() < 1e-3 * t.abs().max(1.0),
                    "{} parameter {i}: {f} vs {t}",
                    law.name()
                );
            }
        });
    }
    check(Additive::new(3).unwrap(), &TRUTH);
    check(
        AdditiveN::new(3).unwrap(),
        &[1.7, 1.5, 0.3, 1.0, 2.0, 0.5, 0.6, 0.3, 0.45],
    );
    check(
        AdditiveNd::new(3).unwrap(),
        &[1.7, 1.0, 2.0, 0.5, 0.6, 0.3, 0.45],
    );
}

/// On noisy runs the start is better than the best of many random points drawn from the
/// start ranges (what basin-hopping seeds its first solve with).
#[test]
fn the_start_beats_random_points() {
    let law = Additive::new(3).unwrap();
    let g = grid(&law, &TRUTH, 0.01);
    with_objective(&law, &g, None, |objective| {
        let (_, start) = informed_start(objective).expect("a start");
        let mut rng = Rng::new(9);
        let mut scratch = vec![0.0; objective.scratch_len()];
        let mut theta = vec![0.0; objective.dim()];
        let best_random = (0..1000)
            .map(|_| {
                for (i, t) in theta.iter_mut().enumerate() {
                    let (lo, hi) = objective.start_range(i).unwrap();
                    *t = rng.uniform(lo, hi);
                }
                objective.eval(&theta, None, &mut scratch).unwrap()
            })
            .filter(|v| v.is_finite())
            .fold(f64::INFINITY, f64::min);
        assert!(
            start < 0.1 * best_random,
            "start {start}, random {best_random}"
        );
    });
}

/// Runs of weight 0 (here with absurd losses and a mixture of their own) leave the start
/// unchanged, bit for bit.
#[test]
fn runs_of_weight_zero_do_not_move_the_start() {
    let law = Additive::new(3).unwrap();
    let g = grid(&law, &TRUTH, 0.01);
    let (plain, _) = with_objective(&law, &g, None, |o| informed_start(o).unwrap());
    let mut padded = Grid {
        h: g.h.clone(),
        n: g.n.clone(),
        d: g.d.clone(),
        y: g.y.clone(),
    };
    let mut w = vec![1.0; g.y.len()];
    for (i, y) in [40.0, 1e-3, 7.0].into_iter().enumerate() {
        padded.h.extend([0.3, 0.3, 0.4]);
        padded.n.push(0.2e9);
        padded.d.push([1.0, 4.0, 2.0][i] * 1e9);
        padded.y.push(y);
        w.push(0.0);
    }
    // A run of weight 0 in an existing mixture, too.
    padded.h.extend(MIXTURES[0]);
    padded.n.push(0.05e9);
    padded.d.push(1e9);
    padded.y.push(100.0);
    w.push(0.0);
    let (weighted, _) = with_objective(&law, &padded, Some(&w), |o| informed_start(o).unwrap());
    assert_eq!(plain, weighted);
}

/// No start for a law without the form, for an objective without groups or with
/// bounds; `theta` stays as it was (checked in `informed_start`).
#[test]
fn declines_what_it_cannot_build() {
    let additive = Additive::new(3).unwrap();
    let g = grid(&additive, &TRUTH, 0.0);
    // A law without the form.
    let chinchilla = Chinchilla::new();
    assert!(chinchilla.inverse_mixture_form().is_none());
    with_objective(&chinchilla, &g, None, |o| {
        assert_eq!(informed::workspace_len(o), 0);
        assert!(informed_start(o).is_none());
    });
    let rows = g.y.len();
    let data = Dataset::new(3, &g.h, &g.y)
        .unwrap()
        .with_n(&g.n)
        .unwrap()
        .with_d(&g.d)
        .unwrap();
    let mut cache = vec![0.0; Prepared::buffer_len(rows, 3)];
    let prepared = Prepared::new(data, SCALES, &mut cache).unwrap();
    // No groups.
    let plain = Objective::new(&additive, &prepared, Loss::Squared).unwrap();
    assert!(informed_start(&plain).is_none());
    // Bounds.
    let mut buf = vec![0usize; Groups::buffer_len(rows)];
    let groups = Groups::new(&prepared, &mut buf).unwrap();
    let mut bounds = vec![(f64::NEG_INFINITY, f64::INFINITY); additive.num_params()];
    additive.set_bound("E", 0.0, 2.0, &mut bounds).unwrap();
    let bounded = Objective::new(&additive, &prepared, Loss::Squared)
        .unwrap()
        .with_groups(&groups)
        .unwrap()
        .with_bounds(&bounds)
        .unwrap();
    assert!(informed_start(&bounded).is_none());
}

/// A workspace shorter than `workspace_len` is an error, not a panic.
#[test]
fn short_workspace_is_an_error() {
    let law = Additive::new(3).unwrap();
    let g = grid(&law, &TRUTH, 0.0);
    with_objective(&law, &g, None, |o| {
        let mut points = vec![0.0; informed::POINTS * o.dim()];
        let mut work = vec![0.0; informed::workspace_len(o) - 1];
        let r = informed::start(o, range(o), &mut points, &mut work);
        assert!(matches!(r, Err(Error::BufferTooSmall { .. })), "{r:?}");
    });
}

/// `fit_law` runs its first solves from the starts built (one solve per start, no hops:
/// the same values bit for bit as a solve from each), then its regular starts exactly as
/// with `informed: false`: its best is at or below the uninformed search's.
#[test]
fn fit_law_starts_from_them() {
    let law = Additive::new(3).unwrap();
    let g = grid(&law, &TRUTH, 0.01);
    with_objective(&law, &g, None, |o| {
        let starts = informed_starts(o);
        assert!(!starts.is_empty());
        let solves: Vec<(f64, Vec<f64>)> = starts
            .into_iter()
            .map(|(mut x, _)| (solve(o, &mut x), x))
            .collect();
        let run = |informed: bool| {
            let config = BasinConfig {
                starts: 3,
                hops: 1,
                informed,
                local: LocalSolver::Lbfgs,
                search: Search::Basin,
                ..BasinConfig::default()
            };
            let mut x = vec![0.0; o.dim()];
            let mut work = vec![0.0; workspace_len(o, &config)];
            let mut hops = vec![];
            let out = fit_law(o, &config, None, &mut x, &mut work, |hop| {
                hops.push(*hop);
                core::ops::ControlFlow::Continue(())
            })
            .unwrap();
            (out.value, x, hops)
        };
        let (value, _, hops) = run(true);
        let m = solves.len();
        // Each built start's first solve, then its hop.
        for (j, (v, _)) in solves.iter().enumerate() {
            assert_eq!((hops[2 * j].start, hops[2 * j].hop), (j, 0));
            assert_eq!(hops[2 * j].value, *v);
        }
        // Then the regular starts, the same minimisations as without the built ones.
        let (plain, _, plain_hops) = run(false);
        let regular: Vec<(usize, f64)> = hops[2 * m..].iter().map(|h| (h.hop, h.value)).collect();
        let expected: Vec<(usize, f64)> = plain_hops.iter().map(|h| (h.hop, h.value)).collect();
        assert_eq!(regular, expected);
        assert!(value <= plain);
        let lowest = hops.iter().map(|h| h.value).fold(f64::INFINITY, f64::min);
        assert_eq!(value, lowest);
    });
}
