//! Basin-hopping (Wales and Doye 1997) around L-BFGS, from random-search starts, as Shukor
//! et al. 2025 (section 2.3) fit their laws: perturb the current local minimum, minimise
//! again, accept by the Metropolis rule, adapt the step size, keep the best minimum seen.

use core::ops::ControlFlow;

use mixlaw_core::Error;

use crate::lbfgs::{Lbfgs, LbfgsConfig, Minimum, Termination};
use crate::lm::{Lm, LmConfig};
use crate::problem::Problem;
use crate::rng::Rng;

/// The global search [`crate::fit_law`] runs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Search {
    /// Variable projection over a grid of the nonlinear coordinates
    /// ([`crate::varpro::grid_search`]) when the law declares linear parameters and has at
    /// most [`crate::varpro::MAX_GRID_DIM`] nonlinear ones (no bounds, no warm start);
    /// basin-hopping otherwise.
    #[default]
    Auto,
    /// Basin-hopping from random-search starts, whatever the law.
    Basin,
}

/// The local minimiser basin-hopping runs from each start and hop.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum LocalSolver {
    /// The solver measured fastest to the same objective: L-BFGS, today for every
    /// problem. Levenberg-Marquardt was measured against it on the Shukor et al. additive
    /// fits (k = 7, 19 parameters, real and synthetic losses) from random starts and from
    /// warm starts, and did not win robustly (benches/README.md, "Levenberg-Marquardt"):
    /// each Gauss-Newton system costs ~4-8 L-BFGS evaluations there, and from random
    /// starts its larger steps often end in worse basins.
    #[default]
    Auto,
    /// L-BFGS ([`crate::lbfgs`]) always.
    Lbfgs,
    /// Levenberg-Marquardt ([`crate::lm`]) always ([`Error::NotResidual`] for a problem
    /// without a Gauss-Newton system).
    Lm,
}

/// Settings of [`BasinHopping`] (and of the grid search, see [`Search`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BasinConfig {
    /// Independent starts (each: random search, then basin-hopping).
    pub starts: usize,
    /// Random points evaluated per start; the best one seeds the first local minimisation.
    pub candidates: usize,
    /// Basin-hopping rounds per start (0: plain multi-start L-BFGS).
    pub hops: usize,
    /// Initial half-width of the uniform displacement, in unconstrained coordinates.
    pub step: f64,
    /// Metropolis temperature *relative to the current value*: a minimum worse by the
    /// fraction `q` is accepted with probability `exp(-q / temperature)`.
    pub temperature: f64,
    /// Hops between step-size adaptations.
    pub adapt_interval: usize,
    /// Acceptance rate the step size is steered toward.
    pub target_accept: f64,
    /// Step multiplier (divisor) when acceptance is too high (too low).
    pub step_factor: f64,
    /// Stop a start after this many hops without a better minimum (0: never).
    pub patience: usize,
    /// Seed of the generator: equal seeds give equal fits.
    pub seed: u64,
    /// Use the caller's `x` as the first start instead of a random search (warm start).
    pub warm_start: bool,
    /// Without a warm start, for a law with an [`mixlaw_core::InverseMixtureForm`] (the
    /// additive family of Shukor et al.), run the starts built from the data
    /// ([`crate::informed::start`], up to 2, each with its hops) before the `starts`
    /// random ones, which are unchanged: the best value is at or below the one without
    /// them. Default: true.
    pub informed: bool,
    /// Which local minimiser runs (see [`LocalSolver`]).
    pub local: LocalSolver,
    /// L-BFGS's settings.
    pub lbfgs: LbfgsConfig,
    /// Levenberg-Marquardt's settings.
    pub lm: LmConfig,
    /// Which global search runs.
    pub search: Search,
    /// Grid points per nonlinear coordinate of the grid search (0: automatic, see
    /// [`crate::varpro::grid_points`]).
    pub grid: usize,
    /// Grid minima refined at most (1-8).
    pub refine: usize,
    /// The grid search stops once this many refined minima reach the best value.
    pub agree: usize,
    /// Basin-hopping stops after the first start (in start order, whatever the thread
    /// count) at which this many starts have reached the best value so far, within 1e-10
    /// relative (0: run every start, the default). Off by default: on the Shukor et al.
    /// data, 2 agreeing starts end 3 of the 7 additive fits of `reproduce shukor-table8`
    /// in a worse basin (c4: objective 1.8046e-5 instead of 1.7989e-5).
    pub agree_starts: usize,
}

impl Default for BasinConfig {
    /// 40 starts of 2 hops each. On the Shukor et al. data, fresh random-search starts find
    /// better basins than hops from a local minimum (benches/README.md, Figure 2), and this
    /// split reaches the lowest objective we know in every domain (`reproduce shukor-table8`).
    fn default() -> Self {
        BasinConfig {
            starts: 40,
            candidates: 64,
            hops: 2,
            step: 0.5,
            temperature: 0.05,
            adapt_interval: 10,
            target_accept: 0.5,
            step_factor: 0.9,
            patience: 0,
            seed: 0,
            warm_start: false,
            informed: true,
            local: LocalSolver::Auto,
            lbfgs: LbfgsConfig::default(),
            lm: LmConfig::default(),
            search: Search::Auto,
            grid: 0,
            refine: 4,
            agree: 2,
            agree_starts: 0,
        }
    }
}

/// What the observer sees after every local minimisation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HopInfo {
    /// Start index.
    pub start: usize,
    /// Hop index within the start (0 is the initial minimisation).
    pub hop: usize,
    /// Value of the local minimum just found.
    pub value: f64,
    /// Value of the current (accepted) minimum.
    pub current: f64,
    /// Best value over all starts so far.
    pub best: f64,
    /// Whether the new minimum was accepted.
    pub accepted: bool,
    /// Current displacement half-width.
    pub step: f64,
    /// Total function evaluations so far.
    pub evaluations: usize,
}

/// Outcome of a basin-hopping fit; the best point is in the caller's `x`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Outcome {
    /// Best objective value found.
    pub value: f64,
    /// Status of the local minimisation that produced the best value.
    pub status: Termination,
    /// Local minimisations run.
    pub minimizations: usize,
    /// Function evaluations, all included.
    pub evaluations: usize,
    /// The observer asked to stop.
    pub stopped_early: bool,
    /// L-BFGS memory resets over all local minimisations (see [`crate::Minimum::resets`]).
    pub resets: usize,
    /// Random starts at which the objective was not finite (skipped).
    pub non_finite_starts: usize,
    /// Basin-hopping: starts whose best minimum reached the best value, within 1e-10
    /// relative; grid search: refined grid minima that reached it, within 1e-9 relative.
    pub agreeing: usize,
    /// Grid points screened (0 for basin-hopping).
    pub grid_points: usize,
    /// Runs of the subsample the starts ran on when the fit was screened
    /// ([`crate::screen`]; 0: every run). Then `agreeing` counts the starts that reached
    /// the best value *on the subsample*, and `value` is the best polished value on all runs.
    pub screen_rows: usize,
    /// Distinct subsample minima polished on all runs (0: not screened).
    pub polished: usize,
    /// Evaluations on all runs by the polishes (included in `evaluations`).
    pub polish_evaluations: usize,
}

impl Outcome {
    /// Before any minimisation: no value (`+inf`), nothing counted.
    pub(crate) fn not_started() -> Self {
        Outcome {
            value: f64::INFINITY,
            status: Termination::StartNotFinite,
            minimizations: 0,
            evaluations: 0,
            stopped_early: false,
            resets: 0,
            non_finite_starts: 0,
            agreeing: 0,
            grid_points: 0,
            screen_rows: 0,
            polished: 0,
            polish_evaluations: 0,
        }
    }
}

/// Basin-hopping global minimiser.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct BasinHopping {
    /// Its settings.
    pub config: BasinConfig,
}

impl BasinHopping {
    /// Basin-hopping with the given settings.
    pub fn new(config: BasinConfig) -> Self {
        BasinHopping { config }
    }

    /// Workspace length for dimension `n`: the local minimiser's, and four points (the
    /// current minimum, the trial point, a gradient and the start's best point).
    pub fn workspace_len(&self, n: usize) -> usize {
        self.local_workspace_len(n) + 4 * n
    }

    /// The local minimiser's workspace.
    pub(crate) fn local_workspace_len(&self, n: usize) -> usize {
        let lbfgs = Lbfgs::new(self.config.lbfgs).workspace_len(n);
        let lm = Lm::new(self.config.lm).workspace_len(n);
        match self.config.local {
            LocalSolver::Lbfgs | LocalSolver::Auto => lbfgs,
            LocalSolver::Lm => lm,
        }
    }

    /// Whether the local minimisations of `problem` run Levenberg-Marquardt.
    pub fn uses_lm<P: Problem + ?Sized>(&self, problem: &P) -> bool {
        match self.config.local {
            LocalSolver::Lm => true,
            LocalSolver::Lbfgs | LocalSolver::Auto => {
                let _ = problem;
                false
            }
        }
    }

    /// One local minimisation from `x` by the chosen solver.
    pub(crate) fn local_minimize<P: Problem + ?Sized>(
        &self,
        problem: &mut P,
        lm: bool,
        x: &mut [f64],
        workspace: &mut [f64],
    ) -> Result<Minimum, Error> {
        if lm {
            Lm::new(self.config.lm).minimize(problem, x, workspace)
        } else {
            Lbfgs::new(self.config.lbfgs).minimize(problem, x, workspace)
        }
    }

    /// Minimises `problem`, drawing starts uniformly in `ranges(i)` for coordinate i.
    /// `x` receives the best point (and supplies the first start when `warm_start`).
    /// `observer` runs after every local minimisation and may stop the search.
    ///
    /// Each start depends only on the seed and its index (its own generator stream, step
    /// size and patience; `problem` is [`Problem::reset`] before it), and the starts are
    /// combined in index order: the best value wins, ties go to the lower index. The search
    /// stops after the first start at which `agree_starts` starts have reached the best
    /// value so far (within 1e-10 relative; 0: run every start). So the starts can run in
    /// any order, on any number of threads ([`crate::fit_law_threads`]), with the same
    /// result, bit for bit.
    pub fn minimize<P, R, O>(
        &self,
        problem: &mut P,
        ranges: R,
        x: &mut [f64],
        workspace: &mut [f64],
        observer: O,
    ) -> Result<Outcome, Error>
    where
        P: Problem + ?Sized,
        R: Fn(usize) -> (f64, f64),
        O: FnMut(&HopInfo) -> ControlFlow<()>,
    {
        self.minimize_seeded(problem, ranges, &[], x, workspace, observer)
    }

    /// [`BasinHopping::minimize`] with seeded starts: `seeds` holds m points of
    /// `problem.dim()` values, one after another; starts 0..m run from them (a local
    /// minimisation, then the hops), and the `starts` regular starts follow as
    /// [`BasinHopping::minimize`] runs them (the same generator streams, warm start
    /// included): the best value is then at or below `minimize`'s.
    pub fn minimize_seeded<P, R, O>(
        &self,
        problem: &mut P,
        ranges: R,
        seeds: &[f64],
        x: &mut [f64],
        workspace: &mut [f64],
        mut observer: O,
    ) -> Result<Outcome, Error>
    where
        P: Problem + ?Sized,
        R: Fn(usize) -> (f64, f64),
        O: FnMut(&HopInfo) -> ControlFlow<()>,
    {
        let n = problem.dim();
        if x.len() != n || n == 0 {
            return Err(Error::WrongParamCount {
                expected: n,
                found: x.len(),
            });
        }
        let (mut buffers, start_best) = Buffers::split(self, n, workspace)?;
        let mut combined = Combined::new(&self.config);
        let seeded = Self::seed_count(seeds, n);
        for start in 0..self.config.starts.max(1) + seeded {
            let warm = self.place_seed(start, x, seeds, start_best);
            let result = self.run_start(
                problem,
                &ranges,
                (start, self.stream(start, seeded)),
                warm,
                start_best,
                &mut buffers,
                |hop| observer(&combined.info(hop)),
            )?;
            if combined.add(&result, start_best, x) {
                break;
            }
        }
        Ok(combined.out)
    }

    /// Number of seed points in `seeds` for dimension `n`.
    fn seed_count(seeds: &[f64], n: usize) -> usize {
        seeds.len().checked_div(n).unwrap_or(0)
    }

    /// Copies the point start `start` runs from into `best` and returns true, when it is
    /// not a random search: the `seeds` in order, then the warm start `x` (the first
    /// regular start, when `warm_start`).
    fn place_seed(&self, start: usize, x: &[f64], seeds: &[f64], best: &mut [f64]) -> bool {
        let n = x.len();
        let m = Self::seed_count(seeds, n);
        let point = if start < m {
            seeds.chunks_exact(n).nth(start)
        } else {
            (self.config.warm_start && start == m).then_some(x)
        };
        match point {
            Some(point) => {
                best.copy_from_slice(point);
                true
            }
            None => false,
        }
    }

    /// The generator stream of start `start` when `seeded` seeded starts come first:
    /// regular start i draws from stream i, as without seeds; seeded start j (which draws
    /// only its hops) from stream `starts + j`, after every regular one.
    fn stream(&self, start: usize, seeded: usize) -> usize {
        match start.checked_sub(seeded) {
            Some(regular) => regular,
            None => self.config.starts.max(1) + start,
        }
    }

    /// One start: the seed point (the warm start already in `best`, else the best of a
    /// random search), its local minimum, then `hops` basin-hopping rounds; `stream` is
    /// its generator stream ([`BasinHopping::stream`]). `best`
    /// receives the start's best point. `on_hop` sees every local minimisation with
    /// start-local `best` and `evaluations` (see [`Combined::info`]) and may stop it.
    #[allow(clippy::too_many_arguments)]
    fn run_start<P, R, O>(
        &self,
        problem: &mut P,
        ranges: &R,
        (start, stream): (usize, usize),
        warm: bool,
        best: &mut [f64],
        buffers: &mut Buffers<'_>,
        mut on_hop: O,
    ) -> Result<StartResult, Error>
    where
        P: Problem + ?Sized,
        R: Fn(usize) -> (f64, f64),
        O: FnMut(&HopInfo) -> ControlFlow<()>,
    {
        let cfg = &self.config;
        let lm = self.uses_lm(problem);
        let Buffers {
            local: local_ws,
            current,
            trial,
            grad,
        } = buffers;
        problem.reset();
        let mut rng = start_rng(cfg.seed, stream);
        let mut r = StartResult {
            value: f64::INFINITY,
            status: Termination::StartNotFinite,
            minimizations: 0,
            evaluations: 0,
            resets: 0,
            non_finite_starts: 0,
            stopped: false,
        };
        if warm {
            trial.copy_from_slice(best);
        } else {
            let mut best_candidate = f64::INFINITY;
            for c in 0..cfg.candidates.max(1) {
                for (i, v) in current.iter_mut().enumerate() {
                    let (lo, hi) = ranges(i);
                    *v = rng.uniform(lo, hi);
                }
                let v = problem.cost_grad(current, grad);
                let v = if v.is_finite() { v } else { f64::INFINITY };
                r.evaluations += 1;
                if c == 0 || v < best_candidate {
                    best_candidate = v;
                    trial.copy_from_slice(current);
                }
            }
        }
        let local = self.local_minimize(problem, lm, trial, local_ws)?;
        r.minimizations += 1;
        r.evaluations += local.evaluations;
        r.resets += local.resets;
        if local.status == Termination::StartNotFinite {
            r.non_finite_starts += 1;
        }
        let mut cur_value = local.value;
        current.copy_from_slice(trial);
        if local.value.is_finite() {
            r.value = local.value;
            r.status = local.status;
            best.copy_from_slice(trial);
        }
        let mut step = cfg.step;
        let info = HopInfo {
            start,
            hop: 0,
            value: local.value,
            current: cur_value,
            best: r.value,
            accepted: true,
            step,
            evaluations: r.evaluations,
        };
        if on_hop(&info).is_break() {
            r.stopped = true;
            return Ok(r);
        }
        let (mut accepted_in_window, mut since_best) = (0usize, 0usize);
        for hop in 1..=cfg.hops {
            for (t, c) in trial.iter_mut().zip(current.iter()) {
                *t = c + rng.uniform(-step, step);
            }
            let local = self.local_minimize(problem, lm, trial, local_ws)?;
            r.minimizations += 1;
            r.evaluations += local.evaluations;
            r.resets += local.resets;
            let v = local.value;
            let accept = v.is_finite()
                && (v < cur_value
                    || !cur_value.is_finite()
                    || rng.next_f64()
                        < libm::exp(
                            -(v - cur_value) / (cfg.temperature * cur_value.abs().max(1e-300)),
                        ));
            if accept {
                current.copy_from_slice(trial);
                cur_value = v;
                accepted_in_window += 1;
            }
            // Patience counts hops without a *meaningful* improvement (1e-9 relative) of
            // this start's best.
            if v.is_finite() && (!r.value.is_finite() || v < r.value - 1e-9 * r.value.abs()) {
                since_best = 0;
            } else {
                since_best += 1;
            }
            if v.is_finite() && v < r.value {
                r.value = v;
                r.status = local.status;
                best.copy_from_slice(trial);
            }
            if cfg.adapt_interval > 0 && hop % cfg.adapt_interval == 0 {
                let rate = accepted_in_window as f64 / cfg.adapt_interval as f64;
                if rate > cfg.target_accept {
                    step /= cfg.step_factor;
                } else {
                    step *= cfg.step_factor;
                }
                accepted_in_window = 0;
            }
            let info = HopInfo {
                start,
                hop,
                value: v,
                current: cur_value,
                best: r.value,
                accepted: accept,
                step,
                evaluations: r.evaluations,
            };
            if on_hop(&info).is_break() {
                r.stopped = true;
                return Ok(r);
            }
            if cfg.patience > 0 && since_best >= cfg.patience {
                break;
            }
        }
        Ok(r)
    }

    /// [`BasinHopping::minimize`] on a law's objective with the starts on `threads` worker
    /// threads (0: one per core), each with its own problem and workspace (allocated once
    /// per worker). The observer runs on the calling thread, in start order, and sees what
    /// it would see from [`BasinHopping::minimize`]; the result is the same bit for bit.
    #[cfg(feature = "std")]
    pub(crate) fn minimize_threads<L, R, O>(
        &self,
        objective: &mixlaw_core::Objective<'_, '_, L>,
        ranges: R,
        seeds: &[f64],
        x: &mut [f64],
        threads: usize,
        observer: O,
    ) -> Result<Outcome, Error>
    where
        L: mixlaw_core::Law + Sync + ?Sized,
        R: Fn(usize) -> (f64, f64) + Sync,
        O: FnMut(&HopInfo) -> ControlFlow<()>,
    {
        self.minimize_threads_each(objective, ranges, seeds, x, threads, observer, |_, _| {})
    }

    /// [`BasinHopping::minimize_threads`], also handing every combined start's best value
    /// and point to `on_start`, in start order (the screen polishes the best few).
    #[cfg(feature = "std")]
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn minimize_threads_each<L, R, O, S>(
        &self,
        objective: &mixlaw_core::Objective<'_, '_, L>,
        ranges: R,
        seeds: &[f64],
        x: &mut [f64],
        threads: usize,
        mut observer: O,
        mut on_start: S,
    ) -> Result<Outcome, Error>
    where
        L: mixlaw_core::Law + Sync + ?Sized,
        R: Fn(usize) -> (f64, f64) + Sync,
        O: FnMut(&HopInfo) -> ControlFlow<()>,
        S: FnMut(f64, &[f64]),
    {
        use crate::problem::LawProblem;
        use std::collections::BTreeMap;
        use std::sync::atomic::{AtomicUsize, Ordering};
        use std::sync::mpsc;
        use std::vec;
        use std::vec::Vec;

        /// A finished start, as a worker sends it.
        struct Done {
            start: usize,
            result: Result<StartResult, Error>,
            hops: Vec<HopInfo>,
            best: Vec<f64>,
        }

        let n = objective.dim();
        if x.len() != n || n == 0 {
            return Err(Error::WrongParamCount {
                expected: n,
                found: x.len(),
            });
        }
        let seeded = Self::seed_count(seeds, n);
        let starts = self.config.starts.max(1) + seeded;
        let workers = crate::par::threads(threads).min(starts).max(1);
        let warm: Vec<f64> = x.to_vec();
        // Starts at or beyond this index are not needed any more.
        let stop_at = AtomicUsize::new(starts);
        let next = AtomicUsize::new(0);
        // Runs start `start` in a fresh problem and workspace (`on_hop` may stop it).
        let run_alone =
            |start: usize,
             best: &mut [f64],
             on_hop: &mut dyn FnMut(&HopInfo) -> ControlFlow<()>| {
                let mut scratch =
                    vec![0.0; crate::problem::scratch_len(objective, self.config.local)];
                let mut work = vec![0.0; self.workspace_len(n)];
                let mut problem = LawProblem::new(objective, &mut scratch)?;
                let (mut buffers, _) = Buffers::split(self, n, &mut work)?;
                let warm_here = self.place_seed(start, &warm, seeds, best);
                self.run_start(
                    &mut problem,
                    &ranges,
                    (start, self.stream(start, seeded)),
                    warm_here,
                    best,
                    &mut buffers,
                    on_hop,
                )
            };
        std::thread::scope(|scope| {
            let (sender, receiver) = mpsc::channel::<Done>();
            for _ in 0..workers {
                let sender = sender.clone();
                let (next, stop_at, warm, ranges) = (&next, &stop_at, &warm, &ranges);
                scope.spawn(move || {
                    let mut scratch =
                        vec![0.0; crate::problem::scratch_len(objective, self.config.local)];
                    let mut work = vec![0.0; self.workspace_len(n)];
                    let setup = LawProblem::new(objective, &mut scratch).and_then(|problem| {
                        Buffers::split(self, n, &mut work).map(|(buffers, _)| (problem, buffers))
                    });
                    let (mut problem, mut buffers) = match setup {
                        Ok(pair) => pair,
                        Err(e) => {
                            let start = next.fetch_add(1, Ordering::Relaxed);
                            let (hops, best) = (Vec::new(), Vec::new());
                            let _ = sender.send(Done {
                                start,
                                result: Err(e),
                                hops,
                                best,
                            });
                            return;
                        }
                    };
                    loop {
                        let start = next.fetch_add(1, Ordering::Relaxed);
                        if start >= stop_at.load(Ordering::Relaxed) {
                            break;
                        }
                        let mut hops = Vec::with_capacity(self.config.hops + 1);
                        let mut best = vec![0.0; n];
                        let warm_here = self.place_seed(start, warm, seeds, &mut best);
                        let result = self.run_start(
                            &mut problem,
                            ranges,
                            (start, self.stream(start, seeded)),
                            warm_here,
                            &mut best,
                            &mut buffers,
                            |hop| {
                                hops.push(*hop);
                                if start >= stop_at.load(Ordering::Relaxed) {
                                    ControlFlow::Break(())
                                } else {
                                    ControlFlow::Continue(())
                                }
                            },
                        );
                        let done = Done {
                            start,
                            result,
                            hops,
                            best,
                        };
                        if sender.send(done).is_err() {
                            break;
                        }
                    }
                });
            }
            drop(sender);
            let mut combined = Combined::new(&self.config);
            let mut pending = BTreeMap::new();
            let mut expected = 0;
            let finished = loop {
                if expected >= starts {
                    break Ok(());
                }
                let Some(done) = pending.remove(&expected) else {
                    match receiver.recv() {
                        Ok(done) => {
                            pending.insert(done.start, done);
                            continue;
                        }
                        // Every worker has gone (a panic, which the scope re-raises).
                        Err(_) => break Ok(()),
                    }
                };
                let Done {
                    result,
                    hops,
                    mut best,
                    ..
                } = done;
                let mut result = match result {
                    Ok(r) => r,
                    Err(e) => break Err(e),
                };
                // Replay the start's minimisations to the observer; if it stops at one,
                // the start must end there, as it would have on one thread.
                let stop_hop = hops
                    .iter()
                    .position(|hop| observer(&combined.info(hop)).is_break());
                if let Some(i) = stop_hop {
                    stop_at.store(0, Ordering::Relaxed);
                    if i + 1 == hops.len() {
                        result.stopped = true;
                    } else {
                        let mut seen = 0;
                        let rerun = run_alone(expected, &mut best, &mut |_| {
                            seen += 1;
                            if seen > i {
                                ControlFlow::Break(())
                            } else {
                                ControlFlow::Continue(())
                            }
                        });
                        result = match rerun {
                            Ok(r) => r,
                            Err(e) => break Err(e),
                        };
                    }
                }
                on_start(result.value, &best);
                if combined.add(&result, &best, x) {
                    break Ok(());
                }
                expected += 1;
            };
            // Release the workers: no start is needed any more.
            stop_at.store(0, Ordering::Relaxed);
            drop(receiver);
            finished.map(|()| combined.out)
        })
    }
}

/// The generator of start `start` under `seed`: the `start`-th fork of the seed's stream
/// (so start i draws the same numbers whichever starts ran before it, and wherever).
fn start_rng(seed: u64, start: usize) -> Rng {
    let mut root = Rng::new(seed);
    for _ in 0..start {
        root.next_u64();
    }
    root.fork()
}

/// The workspace of one start: the local minimiser's, the current minimum, the trial point
/// and a gradient.
struct Buffers<'w> {
    local: &'w mut [f64],
    current: &'w mut [f64],
    trial: &'w mut [f64],
    grad: &'w mut [f64],
}

impl<'w> Buffers<'w> {
    /// Splits `workspace` (at least [`BasinHopping::workspace_len`]) into the buffers and
    /// the start's best point.
    fn split(
        basin: &BasinHopping,
        n: usize,
        workspace: &'w mut [f64],
    ) -> Result<(Self, &'w mut [f64]), Error> {
        let short = Error::BufferTooSmall {
            needed: basin.workspace_len(n),
            found: workspace.len(),
        };
        let (local, rest) = workspace
            .split_at_mut_checked(basin.local_workspace_len(n))
            .ok_or(short)?;
        let (current, rest) = rest.split_at_mut_checked(n).ok_or(short)?;
        let (trial, rest) = rest.split_at_mut_checked(n).ok_or(short)?;
        let (grad, rest) = rest.split_at_mut_checked(n).ok_or(short)?;
        let (best, _) = rest.split_at_mut_checked(n).ok_or(short)?;
        Ok((
            Buffers {
                local,
                current,
                trial,
                grad,
            },
            best,
        ))
    }
}

/// What one start found (its best point is in the caller's buffer).
#[derive(Clone, Copy, Debug)]
struct StartResult {
    /// Its best finite local minimum (`+inf`: none).
    value: f64,
    /// Status of the local minimisation that produced it.
    status: Termination,
    minimizations: usize,
    evaluations: usize,
    resets: usize,
    non_finite_starts: usize,
    /// The observer stopped it.
    stopped: bool,
}

/// The starts combined in index order.
struct Combined {
    out: Outcome,
    have_best: bool,
    agree: usize,
}

impl Combined {
    fn new(config: &BasinConfig) -> Self {
        Combined {
            out: Outcome::not_started(),
            have_best: false,
            agree: config.agree_starts,
        }
    }

    /// A start-local hop report as the observer sees it: `best` over all starts so far,
    /// `evaluations` counted over all starts.
    fn info(&self, hop: &HopInfo) -> HopInfo {
        HopInfo {
            best: if hop.best < self.out.value {
                hop.best
            } else {
                self.out.value
            },
            evaluations: self.out.evaluations + hop.evaluations,
            ..*hop
        }
    }

    /// Adds the next start (its best point `best`; `x` receives the best point overall).
    /// Returns whether the search is over: the observer stopped it, or `agree` starts have
    /// reached the best value ([`BasinConfig::agree_starts`]).
    fn add(&mut self, r: &StartResult, best: &[f64], x: &mut [f64]) -> bool {
        let out = &mut self.out;
        out.minimizations += r.minimizations;
        out.evaluations += r.evaluations;
        out.resets += r.resets;
        out.non_finite_starts += r.non_finite_starts;
        count_agreement(out, r.value, self.have_best, 1e-10);
        if r.value.is_finite() && (!self.have_best || r.value < out.value) {
            self.have_best = true;
            out.value = r.value;
            out.status = r.status;
            x.copy_from_slice(best);
        }
        if r.stopped {
            out.stopped_early = true;
            return true;
        }
        self.agree > 0 && out.agreeing >= self.agree
    }
}

/// Counts a minimum of value `v` toward [`Outcome::agreeing`] before `out.value` is
/// updated: a value better by more than `relative` restarts the count.
fn count_agreement(out: &mut Outcome, v: f64, have_best: bool, relative: f64) {
    if !v.is_finite() {
        return;
    }
    let tol = relative * out.value.abs();
    if !have_best || !out.value.is_finite() || v < out.value - tol {
        out.agreeing = 1;
    } else if v <= out.value + tol {
        out.agreeing += 1;
    }
}
