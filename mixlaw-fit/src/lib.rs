//! # mixlaw-fit
//!
//! Fits `mixlaw-core` laws to observed training runs: a hand-written L-BFGS with a
//! strong-Wolfe line search ([`lbfgs`]), inside basin-hopping from random-search starts
//! ([`basin`]), minimising a law's [`mixlaw_core::Objective`] (Huber, log-space Huber or
//! squared loss) over its unconstrained parameters; Levenberg-Marquardt on the objective's
//! Gauss-Newton system ([`lm`]) is the other local solver ([`LocalSolver`]). The `linear`
//! law is fitted in closed form ([`linear`]). Everything runs in caller-provided buffers: no allocation, `no_std`.
//!
//! ```
//! use mixlaw_core::{LawExt, laws::chinchilla::Chinchilla, Dataset, Law, Loss, Objective, Prepared, Scales};
//! use mixlaw_fit::{fit_law, workspace_len, BasinConfig};
//!
//! // Runs drawn from E = 1.8, A = 0.5, B = 2, alpha = 0.35, beta = 0.3 (N, D in billions).
//! let (n, d): (Vec<f64>, Vec<f64>) = (0..20).map(|i| (0.1 * (1 + i % 5) as f64 * 1e9, (1 + i) as f64 * 1e9)).unzip();
//! let truth = [1.8, 0.5, 2.0, 0.35, 0.3];
//! let y: Vec<f64> = n.iter().zip(&d).map(|(n, d)| 1.8 + 0.5 * (n / 1e9f64).powf(-0.35) + 2.0 * (d / 1e9f64).powf(-0.3)).collect();
//! let data = Dataset::new(0, &[], &y)?.with_n(&n)?.with_d(&d)?;
//! let mut cache = vec![0.0; Prepared::buffer_len(y.len(), 0)];
//! let data = Prepared::new(data, Scales { n: 1e9, d: 1e9 }, &mut cache)?;
//! let law = Chinchilla::new();
//! let objective = Objective::new(&law, &data, Loss::Squared)?;
//! let config = BasinConfig { seed: 7, ..BasinConfig::default() };
//! let mut theta = vec![0.0; law.num_params()];
//! let mut work = vec![0.0; workspace_len(&objective, &config)];
//! let outcome = fit_law(&objective, &config, None, &mut theta, &mut work, |_| core::ops::ControlFlow::Continue(()))?;
//! let mut fitted = [0.0; 5];
//! law.to_natural(&theta, &mut fitted)?;
//! assert!(outcome.value < 1e-20 && (fitted[3] - truth[3]).abs() < 1e-6);
//! # Ok::<(), mixlaw_core::Error>(())
//! ```
#![no_std]
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )
)]

#[cfg(feature = "std")]
extern crate std;

pub mod basin;
#[cfg(feature = "std")]
pub mod bootstrap;
pub mod informed;
pub mod lbfgs;
pub mod linear;
pub mod lm;
#[cfg(feature = "std")]
pub mod owned;
#[cfg(feature = "std")]
mod par;
pub mod problem;
pub mod rng;
#[cfg(feature = "std")]
pub mod saved;
#[cfg(feature = "std")]
pub mod screen;
#[cfg(feature = "std")]
pub mod select;
#[cfg(all(test, feature = "std"))]
mod testdata;
pub mod varpro;

use core::ops::ControlFlow;

pub use basin::{BasinConfig, BasinHopping, HopInfo, LocalSolver, Outcome, Search};
pub use lbfgs::{Interpolation, Lbfgs, LbfgsConfig, Minimum, Termination};
pub use lm::{Lm, LmConfig};
pub use problem::{hessian_factor, LawProblem, Preconditioned, Problem};
pub use rng::Rng;

use mixlaw_core::{Error, Law, Objective};

/// Workspace length [`fit_law`] needs for `objective` under `config`.
pub fn workspace_len<L: Law + ?Sized>(
    objective: &Objective<'_, '_, L>,
    config: &BasinConfig,
) -> usize {
    let basin = BasinHopping::new(*config).workspace_len(objective.dim())
        + problem::scratch_len(objective, config.local);
    let basin = match informed_seeds_len(objective, config) {
        0 => basin,
        seeds => seeds + basin.max(informed::workspace_len(objective)),
    };
    if uses_grid(objective, config) {
        basin.max(varpro::workspace_len(objective, config))
    } else {
        basin
    }
}

/// Whether [`fit_law`] runs the variable-projection grid search for `objective`.
pub(crate) fn uses_grid<L: Law + ?Sized>(
    objective: &Objective<'_, '_, L>,
    config: &BasinConfig,
) -> bool {
    config.search == Search::Auto
        && !config.warm_start
        && varpro::split(objective).is_some_and(|(_, m)| m <= varpro::MAX_GRID_DIM)
}

/// Fits a law: basin-hopping over the objective's coordinates (the law's unconstrained
/// parameters, or bounded ones, see [`Objective::with_bounds`]), starts drawn from the
/// objective's start ranges (or `ranges`, one `(lo, hi)` per parameter, to override them).
/// A law with linear parameters and at most 3 nonlinear ones is searched instead by
/// variable projection over a grid of those ranges ([`varpro::grid_search`]; see
/// [`Search`]). For a law of the additive family ([`Law::inverse_mixture_form`]) on an
/// objective with groups, starts built from the data ([`informed::start`],
/// [`BasinConfig::informed`]) run before the random ones.
/// `theta` receives the best coordinates (and is the first start when
/// `config.warm_start`); [`Objective::to_natural`] turns them into parameters. Every law
/// goes through here, the capacity laws included (one inner solve per run, warm-started).
pub fn fit_law<L, O>(
    objective: &Objective<'_, '_, L>,
    config: &BasinConfig,
    ranges: Option<&[(f64, f64)]>,
    theta: &mut [f64],
    workspace: &mut [f64],
    observer: O,
) -> Result<Outcome, Error>
where
    L: Law + ?Sized,
    O: FnMut(&HopInfo) -> ControlFlow<()>,
{
    let needed = workspace_len(objective, config);
    check_workspace(workspace, needed)?;
    if uses_grid(objective, config) {
        let p = objective.dim();
        check_ranges(ranges, p)?;
        if theta.len() != p {
            return Err(Error::WrongParamCount {
                expected: p,
                found: theta.len(),
            });
        }
        let range = |i: usize| start_range(objective, ranges, i);
        return varpro::grid_search(objective, config, range, theta, workspace, observer);
    }
    check_ranges(ranges, objective.dim())?;
    let (seeds, workspace) = workspace.split_at_mut(informed_seeds_len(objective, config));
    let seeded = informed_seeds(objective, config, ranges, seeds, workspace)?;
    let seeds = seeds.get(..seeded).unwrap_or(&[]);
    let (scratch, rest) = workspace.split_at_mut(problem::scratch_len(objective, config.local));
    let mut problem = LawProblem::new(objective, scratch)?;
    let start = |i: usize| objective.start_range(i);
    fit_problem_seeded(
        &mut problem,
        start,
        config,
        ranges,
        seeds,
        theta,
        rest,
        observer,
    )
}

/// [`fit_law`] with basin-hopping's starts on `threads` worker threads (0: one per core;
/// feature `std`), each worker with its own evaluation scratch and workspace, allocated
/// once. Starts are independent and combined in start order, so the result (`theta`, the
/// [`Outcome`], what `observer` sees, on the calling thread) is the same bit for bit for
/// any thread count, and equal to [`fit_law`]'s. The grid search runs on one thread.
#[cfg(feature = "std")]
pub fn fit_law_threads<L, O>(
    objective: &Objective<'_, '_, L>,
    config: &BasinConfig,
    ranges: Option<&[(f64, f64)]>,
    theta: &mut [f64],
    threads: usize,
    observer: O,
) -> Result<Outcome, Error>
where
    L: Law + Sync + ?Sized,
    O: FnMut(&HopInfo) -> ControlFlow<()>,
{
    // The grid search runs on one thread: do not even ask how many cores there are (on
    // Linux a read of the cgroup's CPU quota, ~50 us of a 2 ms Chinchilla fit).
    let workers = if uses_grid(objective, config) {
        1
    } else {
        par::threads(threads).min(config.starts.max(1))
    };
    if workers <= 1 {
        let mut work = std::vec![0.0; workspace_len(objective, config)];
        return fit_law(objective, config, ranges, theta, &mut work, observer);
    }
    let p = objective.dim();
    if theta.len() != p {
        return Err(Error::WrongParamCount {
            expected: p,
            found: theta.len(),
        });
    }
    check_ranges(ranges, p)?;
    let range = |i: usize| start_range(objective, ranges, i);
    let seeds = informed_seeds_vec(objective, config, ranges)?;
    let outcome = BasinHopping::new(*config)
        .minimize_threads(objective, range, &seeds, theta, workers, observer)?;
    if !outcome.value.is_finite() {
        return Err(Error::NoFiniteObjective);
    }
    Ok(outcome)
}

/// The starts built from the data ([`informed::start`]) into `seeds` (at least
/// [`informed_seeds_len`] values) when [`BasinConfig::informed`] asks for them, there is
/// no warm start and the law has the form; how many values of `seeds` hold them.
pub(crate) fn informed_seeds<L: Law + ?Sized>(
    objective: &Objective<'_, '_, L>,
    config: &BasinConfig,
    ranges: Option<&[(f64, f64)]>,
    seeds: &mut [f64],
    workspace: &mut [f64],
) -> Result<usize, Error> {
    if informed_seeds_len(objective, config) == 0 {
        return Ok(0);
    }
    let range = |i: usize| start_range(objective, ranges, i);
    let built = informed::start(objective, range, seeds, workspace)?;
    Ok(built * objective.dim())
}

/// [`informed_seeds`] into a vector of its points, allocated here (feature `std`).
#[cfg(feature = "std")]
pub(crate) fn informed_seeds_vec<L: Law + ?Sized>(
    objective: &Objective<'_, '_, L>,
    config: &BasinConfig,
    ranges: Option<&[(f64, f64)]>,
) -> Result<std::vec::Vec<f64>, Error> {
    let mut seeds = std::vec![0.0; informed_seeds_len(objective, config)];
    let mut work = std::vec![0.0; informed::workspace_len(objective)];
    let seeded = informed_seeds(objective, config, ranges, &mut seeds, &mut work)?;
    seeds.truncate(seeded);
    Ok(seeds)
}

/// Start range of coordinate `i`: from `ranges` when given, else the objective's.
pub(crate) fn start_range<L: Law + ?Sized>(
    objective: &Objective<'_, '_, L>,
    ranges: Option<&[(f64, f64)]>,
    i: usize,
) -> (f64, f64) {
    match ranges.and_then(|r| r.get(i)) {
        Some(&r) => r,
        None => objective.start_range(i).unwrap_or((-1.0, 1.0)),
    }
}

/// Values [`informed_seeds`] needs for its points (0 when it builds none).
pub(crate) fn informed_seeds_len<L: Law + ?Sized>(
    objective: &Objective<'_, '_, L>,
    config: &BasinConfig,
) -> usize {
    if config.informed && !config.warm_start && informed::workspace_len(objective) > 0 {
        informed::POINTS * objective.dim()
    } else {
        0
    }
}

fn check_workspace(workspace: &[f64], needed: usize) -> Result<(), Error> {
    if workspace.len() < needed {
        return Err(Error::BufferTooSmall {
            needed,
            found: workspace.len(),
        });
    }
    Ok(())
}

/// Basin-hopping on any [`Problem`], with the start range of coordinate i from `ranges`
/// when given, else from `start(i)`.
pub fn fit_problem<P, S, O>(
    problem: &mut P,
    start: S,
    config: &BasinConfig,
    ranges: Option<&[(f64, f64)]>,
    theta: &mut [f64],
    workspace: &mut [f64],
    observer: O,
) -> Result<Outcome, Error>
where
    P: Problem + ?Sized,
    S: Fn(usize) -> Option<(f64, f64)>,
    O: FnMut(&HopInfo) -> ControlFlow<()>,
{
    fit_problem_seeded(
        problem,
        start,
        config,
        ranges,
        &[],
        theta,
        workspace,
        observer,
    )
}

/// [`fit_problem`] with the first starts from `seeds` ([`BasinHopping::minimize_seeded`]).
#[allow(clippy::too_many_arguments)]
fn fit_problem_seeded<P, S, O>(
    problem: &mut P,
    start: S,
    config: &BasinConfig,
    ranges: Option<&[(f64, f64)]>,
    seeds: &[f64],
    theta: &mut [f64],
    workspace: &mut [f64],
    observer: O,
) -> Result<Outcome, Error>
where
    P: Problem + ?Sized,
    S: Fn(usize) -> Option<(f64, f64)>,
    O: FnMut(&HopInfo) -> ControlFlow<()>,
{
    let p = problem.dim();
    if theta.len() != p {
        return Err(Error::WrongParamCount {
            expected: p,
            found: theta.len(),
        });
    }
    check_ranges(ranges, p)?;
    let basin = BasinHopping::new(*config);
    let needed = basin.workspace_len(p);
    check_workspace(workspace, needed)?;
    let range = |i: usize| match ranges.and_then(|r| r.get(i)) {
        Some(&r) => r,
        None => start(i).unwrap_or((-1.0, 1.0)),
    };
    let outcome = basin.minimize_seeded(problem, range, seeds, theta, workspace, observer)?;
    if !outcome.value.is_finite() {
        return Err(Error::NoFiniteObjective);
    }
    Ok(outcome)
}

fn check_ranges(ranges: Option<&[(f64, f64)]>, p: usize) -> Result<(), Error> {
    if let Some(r) = ranges {
        if r.len() != p {
            return Err(Error::LengthMismatch {
                what: "ranges",
                expected: p,
                found: r.len(),
            });
        }
        if r.iter()
            .any(|(lo, hi)| !(lo.is_finite() && hi.is_finite() && lo <= hi))
        {
            return Err(Error::InvalidConfig {
                what: "start ranges must be finite with lo <= hi",
            });
        }
    }
    Ok(())
}
