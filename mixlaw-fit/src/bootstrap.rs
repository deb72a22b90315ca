//! Bootstrap over training runs (feature `std`): standard errors and percentile
//! intervals of every natural parameter and of predictions, from refits on resampled runs.
//!
//! A resample draws the runs (rows, or whole groups such as a mixture with all its
//! checkpoints) with replacement and becomes integer run weights on the full data set's
//! objective ([`mixlaw_core::Objective::reweighted`]): the data set is never copied and
//! its distinct inputs are found once, so memory stays bounded by the data set (plus the
//! refits' parameters). Each refit is a local L-BFGS warm-started from the full-data fit,
//! in coordinates scaled by the full data's Hessian there (computed once; see
//! [`crate::Preconditioned`]), plus `hops` basin-hopping rounds; not a fresh global
//! search. Resample `i` draws from its own generator, derived from `(seed, i)`, so the
//! result is the same for every thread count.
//!
//! ```
//! use mixlaw_core::{laws::chinchilla::Chinchilla, Loss};
//! use mixlaw_fit::bootstrap::{bootstrap, BootstrapConfig};
//! use mixlaw_fit::owned::{fit, FitOptions, Runs};
//!
//! // Runs from E = 1.8, A = 0.5, B = 2, alpha = 0.35, beta = 0.3 with a 1 % wobble.
//! let (mut n, mut d, mut y) = (vec![], vec![], vec![]);
//! for i in 0..40 {
//!     let (ni, di) = ((1 + i % 5) as f64 * 1e8, (1 + i) as f64 * 1e9);
//!     let wobble = 1.0 + 0.01 * ((i * 7 % 11) as f64 / 5.0 - 1.0);
//!     n.push(ni);
//!     d.push(di);
//!     y.push((1.8 + 0.5 * (ni / 1e9f64).powf(-0.35) + 2.0 * (di / 1e9f64).powf(-0.3)) * wobble);
//! }
//! let runs = Runs { n: Some(n), d: Some(d), y, ..Runs::default() };
//! let options = FitOptions { loss: Loss::Squared, ..FitOptions::default() }; // scales: automatic
//! let full = fit(Chinchilla::new(), &runs, &options, |_| core::ops::ControlFlow::Continue(()))?;
//! let config = BootstrapConfig { resamples: 50, ..BootstrapConfig::default() };
//! let boot = bootstrap(&full, &runs, None, &options, &config)?;
//! let e = boot.param_summary()[0];
//! assert!(boot.failed == 0 && e.se > 0.0 && e.lo < full.params[0] && full.params[0] < e.hi);
//! # Ok::<(), mixlaw_core::Error>(())
//! ```

use std::collections::BTreeMap;
use std::vec;
use std::vec::Vec;

use core::ops::ControlFlow;

use mixlaw_core::{eval, Error, Groups, Law, LawExt, Objective, Prepared};

use crate::lbfgs::Lbfgs;
use crate::owned::{fit_weighted, Fit, FitOptions, Runs};
use crate::problem::{hessian_factor, hessian_factor_workspace_len, LawProblem, Preconditioned};
use crate::rng::Rng;

/// What a resample draws with replacement.
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub enum Resampling {
    /// Single runs (rows).
    #[default]
    Rows,
    /// Whole groups: one group id per row (e.g. from [`group_ids`]); every row of a drawn
    /// group enters the resample.
    Groups(Vec<usize>),
}

/// Settings of [`bootstrap`].
#[derive(Clone, Debug, PartialEq)]
pub struct BootstrapConfig {
    /// Number of resamples (refits).
    pub resamples: usize,
    /// Seed: equal seeds give equal results, whatever the thread count.
    pub seed: u64,
    /// Rows or groups.
    pub resampling: Resampling,
    /// Basin-hopping rounds after the warm-started local minimisation of each refit.
    pub hops: usize,
    /// Worker threads (0: one per available core).
    pub threads: usize,
}

impl Default for BootstrapConfig {
    /// 1000 row resamples, seed 0, no hops, every core.
    fn default() -> Self {
        BootstrapConfig {
            resamples: 1000,
            seed: 0,
            resampling: Resampling::Rows,
            hops: 0,
            threads: 0,
        }
    }
}

/// One successful refit.
#[derive(Clone, Debug, PartialEq)]
pub struct Draw {
    /// The resample's index (`0..resamples`).
    pub index: usize,
    /// Natural parameters of the refit.
    pub params: Vec<f64>,
    /// Its objective on the resample (weighted mean loss).
    pub objective: f64,
    /// Its predictions on the eval runs (empty without eval runs).
    pub predictions: Vec<f64>,
    /// Objective evaluations the refit took (line-search trials included).
    pub evaluations: usize,
}

pub use mixlaw_core::metrics::{percentile, Summary};

/// The refits of a bootstrap.
#[derive(Clone, Debug, PartialEq)]
pub struct Bootstrap {
    /// Resamples asked for.
    pub resamples: usize,
    /// Refits that failed (no finite objective, or bad predictions); left out.
    pub failed: usize,
    /// Successful refits, in resample order.
    pub draws: Vec<Draw>,
}

impl Bootstrap {
    /// Summary of every natural parameter, in the law's order (empty without draws).
    pub fn param_summary(&self) -> Vec<Summary> {
        self.column_summary(|d| &d.params)
    }

    /// Summary of the prediction for every eval run (empty without eval runs or draws).
    pub fn eval_summary(&self) -> Vec<Summary> {
        self.column_summary(|d| &d.predictions)
    }

    fn column_summary(&self, pick: impl Fn(&Draw) -> &Vec<f64>) -> Vec<Summary> {
        let width = self.draws.first().map_or(0, |d| pick(d).len());
        let mut column = Vec::with_capacity(self.draws.len());
        (0..width)
            .filter_map(|j| {
                column.clear();
                column.extend(self.draws.iter().filter_map(|d| pick(d).get(j).copied()));
                summarize(&column)
            })
            .collect()
    }
}

/// Mean, sample standard deviation and the 2.5 % / 97.5 % percentiles (linear
/// interpolation between order statistics, numpy's default) of the finite `values`;
/// `None` when there are none.
pub fn summarize(values: &[f64]) -> Option<Summary> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    v.sort_by(f64::total_cmp);
    mixlaw_core::metrics::summarize_sorted(&v)
}

/// One group id per run: runs with the same mixture share an id (with `with_n`, the same
/// mixture *and* model size, i.e. one training run with its checkpoints). Ids are
/// `0..groups`, in order of first appearance.
pub fn group_ids(runs: &Runs, with_n: bool) -> Vec<usize> {
    let mut ids: BTreeMap<Vec<u64>, usize> = BTreeMap::new();
    (0..runs.rows())
        .map(|r| {
            let mut key: Vec<u64> = runs
                .h
                .get(r * runs.k..(r + 1) * runs.k)
                .unwrap_or(&[])
                .iter()
                .map(|v| v.to_bits())
                .collect();
            if with_n {
                if let Some(n) = runs.n.as_ref().and_then(|n| n.get(r)) {
                    key.push(n.to_bits());
                }
            }
            let next = ids.len();
            *ids.entry(key).or_insert(next)
        })
        .collect()
}

/// The seed of resample `index` under `seed` (SplitMix-seeded xoshiro stream of its own).
pub fn resample_seed(seed: u64, index: usize) -> u64 {
    Rng::new(seed ^ (index as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15)).next_u64()
}

/// The row weights of resample `index`: the runs' own weights (1 when absent) times how
/// often each row (or its group) was drawn. Rows with weight 0 are never drawn.
pub fn resample_weights(
    runs: &Runs,
    resampling: &Resampling,
    seed: u64,
    index: usize,
) -> Result<Vec<f64>, Error> {
    let mut weights = vec![0.0; runs.rows()];
    Resampler::new(runs, resampling)?.fill(seed, index, &mut weights);
    Ok(weights)
}

/// What a resample draws from, found once: the live rows (positive weight), or the live
/// rows of each group, and the runs' own weights.
struct Resampler<'r> {
    base: Option<&'r [f64]>,
    /// Rows with a positive weight, grouped: `members[starts[g]..starts[g + 1]]` are the
    /// rows of group `g` (one row per group for row resampling).
    members: Vec<usize>,
    starts: Vec<usize>,
}

impl<'r> Resampler<'r> {
    fn new(runs: &'r Runs, resampling: &Resampling) -> Result<Self, Error> {
        let rows = runs.rows();
        let base = runs.weights.as_deref();
        let live = |r: usize| base.is_none_or(|w| w.get(r).is_some_and(|&v| v > 0.0));
        let (members, starts) = match resampling {
            Resampling::Rows => {
                let members: Vec<usize> = (0..rows).filter(|&r| live(r)).collect();
                let starts = (0..=members.len()).collect();
                (members, starts)
            }
            Resampling::Groups(ids) => {
                if ids.len() != rows {
                    return Err(Error::LengthMismatch {
                        what: "group ids",
                        expected: rows,
                        found: ids.len(),
                    });
                }
                let mut by_group: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
                for (r, &g) in ids.iter().enumerate() {
                    if live(r) {
                        by_group.entry(g).or_default().push(r);
                    }
                }
                let mut members = Vec::with_capacity(rows);
                let mut starts = vec![0];
                for rows_of_group in by_group.values() {
                    members.extend_from_slice(rows_of_group);
                    starts.push(members.len());
                }
                (members, starts)
            }
        };
        if members.is_empty() {
            return Err(Error::Empty);
        }
        Ok(Resampler {
            base,
            members,
            starts,
        })
    }

    /// Writes the weights of resample `index` under `seed` into `weights` (one per row).
    fn fill(&self, seed: u64, index: usize, weights: &mut [f64]) {
        let groups = self.starts.len().saturating_sub(1);
        let mut rng = Rng::new(resample_seed(seed, index));
        weights.iter_mut().for_each(|w| *w = 0.0);
        for _ in 0..groups {
            let g = ((rng.next_f64() * groups as f64) as usize).min(groups.saturating_sub(1));
            let (Some(&a), Some(&b)) = (self.starts.get(g), self.starts.get(g + 1)) else {
                continue;
            };
            for &r in self.members.get(a..b).unwrap_or(&[]) {
                if let Some(w) = weights.get_mut(r) {
                    *w += 1.0;
                }
            }
        }
        if let Some(base) = self.base {
            for (w, &b) in weights.iter_mut().zip(base) {
                *w *= b;
            }
        }
    }
}

/// One worker's buffers, reused by its refits.
struct RefitBuffers {
    weights: Vec<f64>,
    scratch: Vec<f64>,
    lbfgs: Vec<f64>,
    basin: Vec<f64>,
    z: Vec<f64>,
    theta: Vec<f64>,
    preconditioner: Vec<f64>,
}

/// Bootstraps `full` (a fit of its law to `runs` under `options`): `config.resamples`
/// refits on resampled runs, with predictions on `eval` when given. Failed refits are
/// counted, never fatal; the refits run on `config.threads` threads and the result does
/// not depend on their number.
///
/// A resample is a vector of integer run weights (how often each run was drawn) on the
/// full data set's objective ([`Objective::reweighted`]): no run is copied, and the
/// distinct inputs ([`Groups`]) and the prepared inputs are found once. Each refit starts
/// at the full-data minimum `x0` and runs L-BFGS (`options.basin.lbfgs`, the tolerances
/// of a fit) in Newton-scaled coordinates `z`, `x = x0 + L^-T z` with `L L^T` the full
/// data's Hessian at `x0` ([`Preconditioned`], [`hessian_factor`]: computed once), so
/// that its first steps are near-Newton steps; then `config.hops` rounds of basin-hopping
/// from there when asked. A law linear in every parameter is refitted in closed form.
pub fn bootstrap<L>(
    full: &Fit<L>,
    runs: &Runs,
    eval: Option<&Runs>,
    options: &FitOptions,
    config: &BootstrapConfig,
) -> Result<Bootstrap, Error>
where
    L: Law + Clone + Send + Sync,
{
    if config.resamples == 0 {
        return Err(Error::InvalidConfig {
            what: "the bootstrap needs at least one resample",
        });
    }
    let resampler = Resampler::new(runs, &config.resampling)?;
    full.law.check_params(&full.params)?;
    // Validate the inputs once, so that a refit can only fail numerically.
    let data = runs.dataset()?;
    if let Some(e) = eval {
        full.predict(e)?;
    }
    let law = &full.law;
    let options = &*options.resolved(law, runs)?;
    if law.is_linear() && options.bounds.is_none() {
        return bootstrap_closed_form(full, runs, eval, options, config, &resampler);
    }
    let rows = runs.rows();
    let mut cache = vec![0.0; Prepared::buffer_len(rows, runs.k)];
    let prepared = Prepared::new(data, full.scales, &mut cache)?;
    let mut group_buf = vec![0usize; Groups::buffer_len(rows)];
    let groups = Groups::new(&prepared, &mut group_buf)?;
    let mut loss_targets = crate::owned::loss_target_buffer(&prepared, options.loss);
    let mut objective = Objective::new(law, &prepared, options.loss)?
        .with_groups(&groups)?
        .with_loss_targets(&mut loss_targets)?;
    if let Some(b) = &options.bounds {
        objective = objective.with_bounds(b)?;
    }
    let p = objective.dim();
    let mut origin = vec![0.0; p];
    objective.to_unconstrained(&full.params, &mut origin)?;
    // The full data's Hessian at the full fit; the identity (plain L-BFGS) where it
    // cannot be had (a non-finite gradient nearby).
    let mut factor = vec![0.0; p * p];
    {
        let mut scratch = vec![0.0; objective.scratch_len()];
        let mut problem = LawProblem::new(&objective, &mut scratch)?;
        let mut work = vec![0.0; hessian_factor_workspace_len(p)];
        if hessian_factor(&mut problem, &origin, &mut factor, &mut work).is_err() {
            factor.iter_mut().for_each(|v| *v = 0.0);
            for i in 0..p {
                if let Some(v) = factor.get_mut(i * p + i) {
                    *v = 1.0;
                }
            }
        }
    }
    let eval_data = match eval {
        Some(e) => Some((e.dataset()?, e.rows())),
        None => None,
    };
    let mut eval_cache = vec![0.0; eval.map_or(0, |e| Prepared::buffer_len(e.rows(), e.k))];
    let eval_prepared = match eval_data {
        Some((d, _)) => Some(Prepared::new(d, full.scales, &mut eval_cache)?),
        None => None,
    };
    let lbfgs = Lbfgs::new(options.basin.lbfgs);
    let mut hop_config = options.basin;
    hop_config.starts = 1;
    hop_config.hops = config.hops;
    hop_config.warm_start = true;
    let init = || RefitBuffers {
        weights: vec![0.0; rows],
        scratch: vec![0.0; objective.scratch_len()],
        lbfgs: vec![0.0; lbfgs.workspace_len(p)],
        basin: vec![
            0.0;
            if config.hops > 0 {
                crate::workspace_len(&objective, &hop_config)
            } else {
                0
            }
        ],
        z: vec![0.0; p],
        theta: vec![0.0; p],
        preconditioner: vec![0.0; 2 * p],
    };
    let refit = |b: &mut RefitBuffers, index: usize| -> Option<Draw> {
        resampler.fill(config.seed, index, &mut b.weights);
        let resample = objective.reweighted(&b.weights).ok()?;
        let mut evaluations = {
            let mut problem = LawProblem::new(&resample, &mut b.scratch).ok()?;
            let mut scaled =
                Preconditioned::new(&mut problem, &origin, &factor, &mut b.preconditioner).ok()?;
            b.z.iter_mut().for_each(|v| *v = 0.0);
            let minimum = lbfgs.minimize(&mut scaled, &mut b.z, &mut b.lbfgs).ok()?;
            scaled.to_original(&b.z, &mut b.theta);
            minimum.evaluations
        };
        if config.hops > 0 {
            let mut hops = hop_config;
            hops.seed = resample_seed(config.seed, index);
            let outcome = crate::fit_law(
                &resample,
                &hops,
                options.ranges.as_deref(),
                &mut b.theta,
                &mut b.basin,
                |_| ControlFlow::Continue(()),
            )
            .ok()?;
            evaluations += outcome.evaluations;
        }
        let mut params = vec![0.0; p];
        resample.to_natural(&b.theta, &mut params).ok()?;
        if params.iter().any(|v| !v.is_finite()) {
            return None;
        }
        resample.reset_state(&mut b.scratch);
        let objective_value = resample.eval(&b.theta, None, &mut b.scratch).ok()?;
        if !objective_value.is_finite() {
            return None;
        }
        let predictions = match (&eval_prepared, eval_data) {
            (Some(prepared), Some((_, eval_rows))) => {
                let mut out = vec![0.0; eval_rows * law.outputs()];
                eval::predict(law, &params, prepared, &mut out).ok()?;
                out
            }
            _ => Vec::new(),
        };
        // `predict` errors on non-finite values except +inf where the law declares an
        // output undefined (a capacity law's masked entries): those stay.
        if predictions.iter().any(|p| p.is_nan()) {
            return None;
        }
        Some(Draw {
            index,
            evaluations,
            params,
            objective: objective_value,
            predictions,
        })
    };
    let draws: Vec<Draw> = crate::par::map_with(config.resamples, config.threads, init, refit)
        .into_iter()
        .flatten()
        .collect();
    Ok(Bootstrap {
        resamples: config.resamples,
        failed: config.resamples - draws.len(),
        draws,
    })
}

/// [`bootstrap`] of a law linear in every parameter: each refit is the closed-form
/// weighted least-squares fit ([`fit_weighted`]).
fn bootstrap_closed_form<L>(
    full: &Fit<L>,
    runs: &Runs,
    eval: Option<&Runs>,
    options: &FitOptions,
    config: &BootstrapConfig,
    resampler: &Resampler<'_>,
) -> Result<Bootstrap, Error>
where
    L: Law + Clone + Send + Sync,
{
    let mut refit_options = options.clone();
    refit_options.scales = Some(full.scales);
    let refit = |weights: &mut Vec<f64>, index: usize| -> Option<Draw> {
        resampler.fill(config.seed, index, weights);
        let fitted = fit_weighted(
            full.law.clone(),
            runs,
            Some(weights),
            &refit_options,
            |_| ControlFlow::Continue(()),
        )
        .ok()?;
        if fitted.params.iter().any(|p| !p.is_finite()) {
            return None;
        }
        let predictions = match eval {
            Some(e) => fitted.predict(e).ok()?,
            None => Vec::new(),
        };
        if predictions.iter().any(|p| p.is_nan()) {
            return None;
        }
        Some(Draw {
            index,
            evaluations: 0,
            params: fitted.params,
            objective: fitted.objective,
            predictions,
        })
    };
    let init = || vec![0.0; runs.rows()];
    let draws: Vec<Draw> = crate::par::map_with(config.resamples, config.threads, init, refit)
        .into_iter()
        .flatten()
        .collect();
    Ok(Bootstrap {
        resamples: config.resamples,
        failed: config.resamples - draws.len(),
        draws,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::owned::fit;
    use mixlaw_core::laws::linear::Linear;
    use mixlaw_core::{AnyLaw, Scales};

    #[test]
    fn percentile_interpolates_like_numpy() {
        let v = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(percentile(&v, 0.0), 1.0);
        assert_eq!(percentile(&v, 100.0), 5.0);
        assert_eq!(percentile(&v, 50.0), 3.0);
        // numpy.percentile([1,2,3,4,5], 2.5) = 1.1
        assert!((percentile(&v, 2.5) - 1.1).abs() < 1e-12);
        assert!(percentile(&[], 50.0).is_nan());
        let s = summarize(&[1.0, 3.0, f64::NAN]).unwrap();
        assert_eq!((s.mean, s.se), (2.0, core::f64::consts::SQRT_2));
    }

    /// Runs of a 2-domain mixture law `L = W0 h0 + W1 h1` plus Gaussian noise of sd
    /// `sigma`, with mixtures h0 in `xs`.
    fn linear_runs(xs: &[f64], sigma: f64, seed: u64) -> Runs {
        let mut rng = Rng::new(seed);
        let mut runs = Runs {
            k: 2,
            ..Runs::default()
        };
        for &x in xs {
            let (u1, u2) = (rng.next_f64().max(1e-300), rng.next_f64());
            let z = libm::sqrt(-2.0 * libm::log(u1)) * libm::cos(2.0 * core::f64::consts::PI * u2);
            runs.h.extend_from_slice(&[x, 1.0 - x]);
            runs.y.push(3.0 * x + 2.0 * (1.0 - x) + sigma * z);
        }
        runs
    }

    #[test]
    fn row_bootstrap_se_matches_least_squares_theory() {
        // Least squares y = W0 x + W1 (1 - x) + e: the sandwich (HC0) standard errors,
        // which the pairs bootstrap estimates, equal the classical ones for homoscedastic
        // noise; with 200 rows they agree to a few percent.
        let xs: Vec<f64> = (0..200).map(|i| (i as f64 + 0.5) / 200.0).collect();
        let runs = linear_runs(&xs, 0.05, 11);
        let law = Linear::new(2).unwrap();
        let options = FitOptions::default();
        let full = fit(law, &runs, &options, |_| ControlFlow::Continue(())).unwrap();
        // Classical: Var(W) = s^2 (X'X)^-1 with s^2 = RSS / (n - 2).
        let pred = full.predict(&runs).unwrap();
        let rss: f64 = pred
            .iter()
            .zip(&runs.y)
            .map(|(p, y)| (p - y) * (p - y))
            .sum();
        let s2 = rss / (xs.len() as f64 - 2.0);
        let (mut a, mut b, mut c) = (0.0, 0.0, 0.0);
        for &x in &xs {
            a += x * x;
            b += x * (1.0 - x);
            c += (1.0 - x) * (1.0 - x);
        }
        let det = a * c - b * b;
        let se_theory = [libm::sqrt(s2 * c / det), libm::sqrt(s2 * a / det)];
        let config = BootstrapConfig {
            resamples: 2000,
            seed: 3,
            ..BootstrapConfig::default()
        };
        let boot = bootstrap(&full, &runs, None, &options, &config).unwrap();
        assert_eq!(boot.failed, 0);
        for (s, t) in boot.param_summary().iter().zip(se_theory) {
            assert!(
                (s.se / t - 1.0).abs() < 0.1,
                "bootstrap SE {} vs theory {t}",
                s.se
            );
            // The 95 % interval is about +-1.96 SE.
            assert!(((s.hi - s.lo) / (2.0 * 1.96 * t) - 1.0).abs() < 0.15);
        }
    }

    #[test]
    fn same_seed_same_result_for_any_thread_count() {
        let (train, _, _) = crate::testdata::mixture_runs("additive");
        let law = AnyLaw::new("additive", 3, None).unwrap();
        let options = FitOptions {
            scales: Some(Scales { n: 1e9, d: 1e9 }),
            basin: crate::BasinConfig {
                starts: 2,
                ..crate::BasinConfig::default()
            },
            ..FitOptions::default()
        };
        let full = fit(law, &train, &options, |_| ControlFlow::Continue(())).unwrap();
        let run = |threads: usize, seed: u64| {
            let config = BootstrapConfig {
                resamples: 12,
                seed,
                threads,
                hops: 1,
                resampling: Resampling::Groups(group_ids(&train, true)),
            };
            bootstrap(&full, &train, Some(&train), &options, &config).unwrap()
        };
        let one = run(1, 5);
        // Every refit succeeds (draws + failed = 12 holds by construction: not a check).
        assert_eq!((one.draws.len(), one.failed), (12, 0));
        assert_eq!(one, run(2, 5));
        assert_eq!(one, run(3, 5));
        assert_ne!(one.draws, run(2, 6).draws);
        assert_eq!(one.eval_summary().len(), train.rows());
    }

    /// The refits (Newton-scaled L-BFGS from the full fit, on the reweighted full-data
    /// objective) reach at least the objective of the plain warm-started L-BFGS on the
    /// same resample (`fit_weighted`, one start, no hops), and its parameters.
    #[test]
    fn refits_reach_the_plain_warm_started_minimum() {
        let (train, _, _) = crate::testdata::mixture_runs("additive");
        let law = AnyLaw::new("additive", 3, None).unwrap();
        let options = FitOptions {
            scales: Some(Scales { n: 1e9, d: 1e9 }),
            ..FitOptions::default()
        };
        let full = fit(law, &train, &options, |_| ControlFlow::Continue(())).unwrap();
        let config = BootstrapConfig {
            resamples: 8,
            seed: 4,
            ..BootstrapConfig::default()
        };
        let boot = bootstrap(&full, &train, None, &options, &config).unwrap();
        assert_eq!(boot.failed, 0);
        let mut plain_options = options.clone();
        plain_options.start = Some(full.params.clone());
        plain_options.basin.starts = 1;
        plain_options.basin.hops = 0;
        for draw in &boot.draws {
            let w = resample_weights(&train, &config.resampling, config.seed, draw.index).unwrap();
            let plain = fit_weighted(law, &train, Some(&w), &plain_options, |_| {
                ControlFlow::Continue(())
            })
            .unwrap();
            assert!(
                draw.objective <= plain.objective * (1.0 + 1e-9),
                "resample {}: {} vs plain {}",
                draw.index,
                draw.objective,
                plain.objective
            );
            for (a, b) in draw.params.iter().zip(&plain.params) {
                assert!((a - b).abs() <= 1e-3 * b.abs().max(1e-3), "{a} vs {b}");
            }
            assert!(draw.evaluations > 0);
        }
    }

    #[test]
    fn group_resampling_keeps_groups_together() {
        let (train, _, _) = crate::testdata::mixture_runs("additive");
        let ids = group_ids(&train, false);
        let groups = ids.iter().max().unwrap() + 1;
        assert!(groups > 1 && groups < train.rows());
        for index in 0..20 {
            let w = resample_weights(&train, &Resampling::Groups(ids.clone()), 9, index).unwrap();
            // Every row of a group carries the same count, and the counts of the groups
            // add up to the number of groups.
            let mut per_group = vec![None; groups];
            for (r, &g) in ids.iter().enumerate() {
                match per_group[g] {
                    None => per_group[g] = Some(w[r]),
                    Some(c) => assert_eq!(c, w[r], "group {g} split in resample {index}"),
                }
            }
            let total: f64 = per_group.iter().map(|c| c.unwrap()).sum();
            assert_eq!(total, groups as f64);
            assert!(w.iter().all(|c| c.fract() == 0.0));
        }
        // Row resampling draws as many rows as there are.
        let w = resample_weights(&train, &Resampling::Rows, 1, 0).unwrap();
        assert_eq!(w.iter().sum::<f64>(), train.rows() as f64);
        assert!(w.contains(&0.0) && w.iter().any(|&c| c > 1.0));
    }

    #[test]
    fn bad_configs_are_errors() {
        let runs = linear_runs(&[0.2, 0.5, 0.8], 0.01, 1);
        let full = fit(
            Linear::new(2).unwrap(),
            &runs,
            &FitOptions::default(),
            |_| ControlFlow::Continue(()),
        )
        .unwrap();
        let zero = BootstrapConfig {
            resamples: 0,
            ..BootstrapConfig::default()
        };
        assert!(bootstrap(&full, &runs, None, &FitOptions::default(), &zero).is_err());
        let short = BootstrapConfig {
            resampling: Resampling::Groups(vec![0, 1]),
            ..BootstrapConfig::default()
        };
        assert!(bootstrap(&full, &runs, None, &FitOptions::default(), &short).is_err());
    }
}
