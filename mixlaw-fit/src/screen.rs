//! Screening for large data (feature `std`): the global search on a subsample of the runs,
//! then a polish of its best few distinct minima on every run.
//!
//! On `R` runs, basin-hopping's cost is (evaluations) x `R`; most of its evaluations only
//! tell basins apart, which a few thousand runs do as well as all of them. Above
//! [`ScreenConfig::above_rows`] runs, [`crate::owned::fit`] therefore
//!
//! 1. runs the same basin-hopping (same starts, seeds, hops, threads) on `m =`
//!    [`ScreenConfig::sample_rows`] runs picked evenly strided among the runs with a
//!    positive weight, `r_i = floor((2 i + 1) R' / (2 m))`, `i < m`, each with its own
//!    weight: the subsample's weighted mean loss `sum_i w_i l_i / sum_i w_i` estimates the
//!    full one, whatever the order of the runs (a stratified sample along it);
//! 2. keeps every start's best point, sorts them by subsample value and keeps the best
//!    [`ScreenConfig::polish`] *distinct* ones (values more than 1e-9 apart relatively,
//!    or points more than 1e-4 apart in some coordinate);
//! 3. polishes each with L-BFGS on every run, warm-started at its subsample minimum (the
//!    polishes run on the fit's threads, one per minimum), and returns the best on every
//!    run (ties: the better subsample minimum).
//!
//! The cost is (evaluations) x `m` + (polish evaluations) x `R`: it grows with `R` only
//! through the polish, a local solve from close by. Every step depends on the seed and the
//! data only, so the fit is the same bit for bit for any thread count.

use std::vec;
use std::vec::Vec;

use core::ops::ControlFlow;

use mixlaw_core::{Error, Groups, Law, Objective, Prepared, Scales};

use crate::basin::{BasinHopping, HopInfo, Outcome};
use crate::lbfgs::{Lbfgs, Minimum};
use crate::owned::{FitOptions, Runs};
use crate::problem::LawProblem;

/// When and how [`crate::owned::fit`] screens (see the [module](self)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScreenConfig {
    /// Screen when the fit has more than this many runs with a positive weight (0: never).
    pub above_rows: usize,
    /// Runs in the subsample the starts run on.
    pub sample_rows: usize,
    /// Distinct subsample minima polished on every run (at least 1).
    pub polish: usize,
    /// The subsample search stops once this many starts reached its best value
    /// ([`crate::BasinConfig::agree_starts`], which takes precedence when set; 0: run
    /// every start).
    pub agree_starts: usize,
}

impl Default for ScreenConfig {
    /// Above 8,192 runs, a subsample of 2,048, at most 2 polishes, a stop at 4 agreeing
    /// starts. Measured on `additive-nd` (k = 3, `benches/examples/rows_timing.rs`,
    /// benches/README.md): screened fits of 4,096 to 16,384 runs reach the full default
    /// search's objective (within 1.5e-14 relative) in 1-1.3 s instead of 10-61 s, and at
    /// 1e4 and 1e5 runs an objective below scipy's best of 10 starts; screening pays from
    /// about twice the subsample on. The threshold, 4 subsamples, keeps every published
    /// reproduction (at most 4,853 runs) on the unscreened search.
    fn default() -> Self {
        ScreenConfig {
            above_rows: 8_192,
            sample_rows: 2_048,
            polish: 2,
            agree_starts: 4,
        }
    }
}

impl ScreenConfig {
    /// The runs the screen would search on, or `None` when it does not apply: off, or
    /// not more than `above_rows` runs with a positive weight (`weights`: run weights,
    /// `None` all 1; entry weights as in `runs`).
    pub fn sample(&self, runs: &Runs, weights: Option<&[f64]>) -> Option<Vec<usize>> {
        if self.above_rows == 0 || self.sample_rows == 0 {
            return None;
        }
        let m = runs.outputs.max(1);
        let usable: Vec<usize> = (0..runs.rows())
            .filter(|&r| {
                let run = weights.map_or(1.0, |w| w.get(r).copied().unwrap_or(0.0));
                let entry = runs.entry_weights.as_ref().is_none_or(|e| {
                    e.get(r * m..(r + 1) * m)
                        .is_some_and(|row| row.iter().any(|&v| v > 0.0))
                });
                run > 0.0 && entry
            })
            .collect();
        let total = usable.len();
        if total <= self.above_rows.max(self.sample_rows) {
            return None;
        }
        let count = self.sample_rows;
        Some(
            (0..count)
                .filter_map(|i| usable.get((2 * i + 1) * total / (2 * count)).copied())
                .collect(),
        )
    }
}

/// A start's best point on the subsample.
struct Candidate {
    value: f64,
    theta: Vec<f64>,
}

/// The screened search (see the [module](self)) of `objective` (every run of `runs`
/// weighted by `weights`, at `scales`), on the subsample `sample`: `theta` receives the
/// best polished point. `observer` sees the subsample search's minimisations.
#[allow(clippy::too_many_arguments)]
pub(crate) fn screened<L, O>(
    law: &L,
    runs: &Runs,
    weights: Option<&[f64]>,
    scales: Scales,
    sample: &[usize],
    options: &FitOptions,
    objective: &Objective<'_, '_, L>,
    theta: &mut [f64],
    observer: O,
) -> Result<Outcome, Error>
where
    L: Law + Sync,
    O: FnMut(&HopInfo) -> ControlFlow<()>,
{
    let p = objective.dim();
    let mut sub = runs.select(sample);
    sub.weights = weights.map(|w| {
        sample
            .iter()
            .map(|&r| w.get(r).copied().unwrap_or(0.0))
            .collect()
    });
    let rows = sub.rows();
    let mut cache = vec![0.0; Prepared::buffer_len(rows, sub.k)];
    let prepared = Prepared::new(sub.dataset()?, scales, &mut cache)?;
    let mut group_buf = vec![0usize; Groups::buffer_len(rows)];
    let groups = Groups::new(&prepared, &mut group_buf)?;
    let mut loss_targets = crate::owned::loss_target_buffer(&prepared, options.loss);
    let mut sub_objective = Objective::new(law, &prepared, options.loss)?
        .with_groups(&groups)?
        .with_loss_targets(&mut loss_targets)?;
    if let Some(b) = &options.bounds {
        sub_objective = sub_objective.with_bounds(b)?;
    }
    let range = |i: usize| crate::start_range(objective, options.ranges.as_deref(), i);
    let mut candidates: Vec<Candidate> = Vec::new();
    let mut config = options.basin;
    if config.agree_starts == 0 {
        config.agree_starts = options.screen.agree_starts;
    }
    let seeds = crate::informed_seeds_vec(&sub_objective, &config, options.ranges.as_deref())?;
    let basin = BasinHopping::new(config);
    let threads = crate::par::threads(options.threads).min(options.basin.starts.max(1));
    let mut outcome = basin.minimize_threads_each(
        &sub_objective,
        range,
        &seeds,
        theta,
        threads,
        observer,
        |v, x| {
            if v.is_finite() {
                candidates.push(Candidate {
                    value: v,
                    theta: x.to_vec(),
                });
            }
        },
    )?;
    // Best first; equal values keep start order (a stable sort).
    candidates.sort_by(|a, b| a.value.total_cmp(&b.value));
    let mut distinct: Vec<Candidate> = Vec::new();
    for c in candidates {
        if distinct.len() >= options.screen.polish.max(1) {
            break;
        }
        let same = distinct.iter().any(|d| {
            (c.value - d.value).abs() <= 1e-9 * d.value.abs()
                || c.theta
                    .iter()
                    .zip(&d.theta)
                    .all(|(a, b)| (a - b).abs() <= 1e-4)
        });
        if !same {
            distinct.push(c);
        }
    }
    let lbfgs = Lbfgs::new(options.basin.lbfgs);
    let polished = crate::par::map(distinct.len(), options.threads, |j| {
        let mut x = distinct
            .get(j)
            .map_or_else(|| vec![0.0; p], |c| c.theta.clone());
        let mut scratch = vec![0.0; objective.scratch_len()];
        let mut work = vec![0.0; lbfgs.workspace_len(p)];
        let local = LawProblem::new(objective, &mut scratch)
            .and_then(|mut problem| lbfgs.minimize(&mut problem, &mut x, &mut work));
        local.map(|m| (m, x))
    });
    let mut best: Option<(&Minimum, &Vec<f64>)> = None;
    outcome.screen_rows = rows;
    outcome.polished = polished.len();
    for result in &polished {
        let (local, x) = result.as_ref().map_err(|e| *e)?;
        outcome.minimizations += 1;
        outcome.evaluations += local.evaluations;
        outcome.polish_evaluations += local.evaluations;
        outcome.resets += local.resets;
        if local.value.is_finite() && best.is_none_or(|(b, _)| local.value < b.value) {
            best = Some((local, x));
        }
    }
    let Some((local, x)) = best else {
        return Err(Error::NoFiniteObjective);
    };
    theta.copy_from_slice(x);
    outcome.value = local.value;
    outcome.status = local.status;
    Ok(outcome)
}
