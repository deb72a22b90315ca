//! Owned-data convenience layer (feature `std`): fit a law to runs held in `Vec`s, predict,
//! and score. Buffers are allocated once per call here; the minimisation itself runs in
//! them without further allocation.

use std::vec;
use std::vec::Vec;

use core::ops::ControlFlow;

use mixlaw_core::{
    auto_scales, eval, metrics, Dataset, Error, Groups, Inputs, Law, LawExt, Layout, Loss,
    Objective, Prepared, Scales, SIMPLEX_TOLERANCE,
};

use crate::basin::{BasinConfig, HopInfo, Outcome};
use crate::linear;
use crate::screen::ScreenConfig;

/// Training runs with owned columns: mixtures (`rows * k`, row-major), optional N, D,
/// unique tokens U, observed losses (`rows * outputs`, row-major: one per run for most
/// laws, one per domain for the capacity laws), optional run weights (0 masks a run) and
/// entry weights (0 masks one observed loss).
#[derive(Clone, Debug, PartialEq)]
pub struct Runs {
    /// Number of domains (0 for laws of N and D only).
    pub k: usize,
    /// Observed losses per run (1 unless the law has several outputs).
    pub outputs: usize,
    /// Mixtures, row-major.
    pub h: Vec<f64>,
    /// Model sizes.
    pub n: Option<Vec<f64>>,
    /// Training tokens.
    pub d: Option<Vec<f64>>,
    /// Unique tokens.
    pub u: Option<Vec<f64>>,
    /// Observed losses, `rows * outputs`.
    pub y: Vec<f64>,
    /// Run weights.
    pub weights: Option<Vec<f64>>,
    /// Entry weights, `rows * outputs`.
    pub entry_weights: Option<Vec<f64>>,
    /// Largest accepted `|sum_i h_i - 1|` of a mixture.
    pub sum_tolerance: f64,
}

impl Default for Runs {
    fn default() -> Self {
        Runs {
            k: 0,
            outputs: 1,
            h: Vec::new(),
            n: None,
            d: None,
            u: None,
            y: Vec::new(),
            weights: None,
            entry_weights: None,
            sum_tolerance: SIMPLEX_TOLERANCE,
        }
    }
}

impl Runs {
    /// Number of runs.
    pub fn rows(&self) -> usize {
        self.y.len() / self.outputs.max(1)
    }

    /// The validated borrowed view.
    pub fn dataset(&self) -> Result<Dataset<'_>, Error> {
        self.dataset_weighted(self.weights.as_deref())
    }

    /// The validated borrowed view with `weights` in place of the runs' own run weights
    /// (e.g. bootstrap counts; `None`: unweighted).
    pub fn dataset_weighted<'a>(
        &'a self,
        weights: Option<&'a [f64]>,
    ) -> Result<Dataset<'a>, Error> {
        let layout = Layout::new(self.k)
            .outputs(self.outputs)
            .sum_tolerance(self.sum_tolerance);
        let mut ds = Dataset::with_layout(layout, &self.h, &self.y)?;
        if let Some(n) = &self.n {
            ds = ds.with_n(n)?;
        }
        if let Some(d) = &self.d {
            ds = ds.with_d(d)?;
        }
        if let Some(u) = &self.u {
            ds = ds.with_unique(u)?;
        }
        if let Some(w) = weights {
            ds = ds.with_weights(w)?;
        }
        if let Some(w) = &self.entry_weights {
            ds = ds.with_entry_weights(w)?;
        }
        Ok(ds)
    }

    /// The same runs keeping only the inputs in `keep` (a law of N and D drops the
    /// mixture, a law of the mixture drops N and D, ...).
    pub fn only_inputs(&self, keep: Inputs) -> Runs {
        let mut runs = self.clone();
        if !keep.h {
            runs.h.clear();
            runs.k = 0;
        }
        if !keep.n {
            runs.n = None;
        }
        if !keep.d {
            runs.d = None;
        }
        if !keep.u {
            runs.u = None;
        }
        runs
    }

    /// The bounds `law` recommends for a fit to these runs ([`Law::recommended_bounds`]:
    /// from the observed losses, weighted by the entry weights, all 1 when there are none),
    /// one `(lo, hi)` per parameter; `None` when it recommends none.
    pub fn recommended_bounds<L: Law + ?Sized>(
        &self,
        law: &L,
    ) -> Result<Option<Vec<(f64, f64)>>, Error> {
        let ones;
        let w = match &self.entry_weights {
            Some(w) => w.as_slice(),
            None => {
                ones = vec![1.0; self.y.len()];
                ones.as_slice()
            }
        };
        let mut bounds = vec![(f64::NEG_INFINITY, f64::INFINITY); law.num_params()];
        Ok(law
            .recommended_bounds(&self.y, w, &mut bounds)?
            .then_some(bounds))
    }

    /// The runs at `rows` (in that order).
    pub fn select(&self, rows: &[usize]) -> Runs {
        let pick = |v: &Vec<f64>| rows.iter().filter_map(|&r| v.get(r).copied()).collect();
        let block = |v: &Vec<f64>, width: usize| -> Vec<f64> {
            rows.iter()
                .flat_map(|&r| {
                    v.get(r * width..(r + 1) * width)
                        .unwrap_or(&[])
                        .iter()
                        .copied()
                })
                .collect()
        };
        Runs {
            k: self.k,
            outputs: self.outputs,
            h: block(&self.h, self.k),
            n: self.n.as_ref().map(pick),
            d: self.d.as_ref().map(pick),
            u: self.u.as_ref().map(pick),
            y: block(&self.y, self.outputs),
            weights: self.weights.as_ref().map(pick),
            entry_weights: self.entry_weights.as_ref().map(|w| block(w, self.outputs)),
            sum_tolerance: self.sum_tolerance,
        }
    }

    /// The library's default scales for a fit of `law` to these runs: the power of ten
    /// nearest each of N's and D's medians (1 for laws in raw units, see
    /// [`mixlaw_core::auto_scales`]).
    pub fn auto_scales<L: Law + ?Sized>(&self, law: &L) -> Result<Scales, Error> {
        let data = self.dataset()?;
        let mut scratch = vec![0.0; self.rows()];
        auto_scales(&data, law.structure().raw_units, &mut scratch)
    }

    /// Observed losses with a positive weight, and the matching entries of `pred`
    /// (`rows * outputs`): the pairs a score is taken over.
    pub fn scored_pairs(&self, pred: &[f64]) -> (Vec<f64>, Vec<f64>) {
        let m = self.outputs.max(1);
        let mut p = Vec::new();
        let mut o = Vec::new();
        for (i, (&y, &v)) in self.y.iter().zip(pred).enumerate() {
            let w = self
                .entry_weights
                .as_ref()
                .map_or(1.0, |w| w.get(i).copied().unwrap_or(0.0))
                * self
                    .weights
                    .as_ref()
                    .map_or(1.0, |w| w.get(i / m).copied().unwrap_or(0.0));
            if w > 0.0 && y.is_finite() {
                p.push(v);
                o.push(y);
            }
        }
        (p, o)
    }
}

/// How to fit.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FitOptions {
    /// Per-row loss (the objective is its weighted mean).
    pub loss: Loss,
    /// Divisors of N and D (`None`: [`Runs::auto_scales`], the default).
    pub scales: Option<Scales>,
    /// Box bounds on the natural parameters, one `(lo, hi)` per parameter (an infinite
    /// side is open; see [`Objective::with_bounds`]).
    pub bounds: Option<Vec<(f64, f64)>>,
    /// Without `bounds`, fit inside the bounds the law recommends for the runs it is fitted
    /// to ([`Runs::recommended_bounds`], e.g. the capacity laws' boxes), found anew for each
    /// training set (a fold of [`crate::select::cross_validate`]). Off by default.
    pub recommended_bounds: bool,
    /// Global search settings.
    pub basin: BasinConfig,
    /// Start ranges in unconstrained coordinates, one per parameter (default: the law's).
    pub ranges: Option<Vec<(f64, f64)>>,
    /// Natural parameters to start from (warm start), e.g. a previous fit.
    pub start: Option<Vec<f64>>,
    /// Worker threads for basin-hopping's starts (0, the default: one per core); the
    /// fit is the same bit for bit for any count (see [`crate::fit_law_threads`]).
    pub threads: usize,
    /// On many runs, search on a subsample and polish on all runs ([`crate::screen`];
    /// `above_rows: 0` turns it off). Never with a warm start or the grid search.
    pub screen: ScreenConfig,
}

/// A fitted law: natural parameters and everything needed to predict with them.
#[derive(Clone, Debug, PartialEq)]
pub struct Fit<L> {
    /// The law.
    pub law: L,
    /// Natural parameter values, in the law's order.
    pub params: Vec<f64>,
    /// The scales the parameters refer to.
    pub scales: Scales,
    /// The loss that was minimised.
    pub loss: Loss,
    /// Its mean over the training rows at `params`.
    pub objective: f64,
    /// Search statistics (`None` for closed-form fits).
    pub outcome: Option<Outcome>,
    /// The parameters that ended at (within 1e-6 relative of) one of their bounds.
    pub active_bounds: Vec<usize>,
}

/// Goodness of fit of predictions against observations (`mre` in percent).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Metrics {
    /// Rows scored.
    pub rows: usize,
    /// Mean relative error, in percent.
    pub mre: f64,
    /// Mean absolute error.
    pub mae: f64,
    /// Root mean squared error.
    pub rmse: f64,
    /// Coefficient of determination (`None` for constant observations).
    pub r2: Option<f64>,
    /// Spearman rank correlation of predictions against observations, in [-1, 1] (`None`
    /// when undefined: fewer than 2 rows, constant predictions or observations).
    pub spearman: Option<f64>,
    /// Kendall's tau-b of predictions against observations, in [-1, 1] (`None` when
    /// undefined, as `spearman`).
    pub kendall: Option<f64>,
}

/// Scores predictions against observations.
pub fn score(pred: &[f64], obs: &[f64]) -> Result<Metrics, Error> {
    let mre = 100.0 * metrics::mre(pred, obs)?;
    let n = obs.len();
    let mut order = vec![0usize; 2 * n];
    let mut ranks = vec![0.0; 2 * n];
    Ok(Metrics {
        rows: n,
        mre,
        mae: metrics::mae(pred, obs)?,
        rmse: metrics::rmse(pred, obs)?,
        r2: metrics::r2(pred, obs).ok(),
        spearman: metrics::spearman(pred, obs, &mut order, &mut ranks).ok(),
        kendall: metrics::kendall(pred, obs, &mut order).ok(),
    })
}

/// Fits `law` to `runs`: basin-hopping over L-BFGS (evaluating by groups of distinct
/// inputs when the law is separable), or closed-form least squares for a law linear in
/// every parameter (`linear`). Scales default to [`Runs::auto_scales`].
/// `observer` sees every local minimisation and may stop the search.
pub fn fit<L, O>(law: L, runs: &Runs, options: &FitOptions, observer: O) -> Result<Fit<L>, Error>
where
    L: Law + Sync,
    O: FnMut(&HopInfo) -> ControlFlow<()>,
{
    fit_weighted(law, runs, runs.weights.as_deref(), options, observer)
}

/// As [`fit`], with run `weights` in place of the runs' own (0 masks a run out; integer
/// weights are bootstrap counts). The runs' columns are borrowed, not copied.
pub fn fit_weighted<L, O>(
    law: L,
    runs: &Runs,
    weights: Option<&[f64]>,
    options: &FitOptions,
    observer: O,
) -> Result<Fit<L>, Error>
where
    L: Law + Sync,
    O: FnMut(&HopInfo) -> ControlFlow<()>,
{
    let options = &*options.resolved(&law, runs)?;
    let scales = match options.scales {
        Some(s) => s,
        None => runs.auto_scales(&law)?,
    };
    let data = runs.dataset_weighted(weights)?;
    let rows = runs.rows();
    let mut cache = vec![0.0; Prepared::buffer_len(rows, runs.k)];
    let prepared = Prepared::new(data, scales, &mut cache)?;
    // A law linear in every parameter is solved in closed form: its objective is
    // evaluated once, row by row, so finding the distinct inputs would not pay.
    let closed_form = law.is_linear() && options.bounds.is_none();
    let group_len = if closed_form {
        0
    } else {
        Groups::buffer_len(rows)
    };
    let mut group_buf = vec![0usize; group_len];
    let groups = match closed_form {
        true => None,
        false => Some(Groups::new(&prepared, &mut group_buf)?),
    };
    let mut loss_targets = loss_target_buffer(&prepared, options.loss);
    let mut objective =
        Objective::new(&law, &prepared, options.loss)?.with_loss_targets(&mut loss_targets)?;
    if let Some(groups) = &groups {
        objective = objective.with_groups(groups)?;
    }
    if let Some(b) = &options.bounds {
        objective = objective.with_bounds(b)?;
    }
    let p = law.num_params();
    let mut theta = vec![0.0; p];
    let mut params = vec![0.0; p];
    let mut scratch = vec![0.0; objective.scratch_len()];
    let outcome = if closed_form {
        let mut work = vec![0.0; linear::scratch_len(p)];
        linear::fit_linear(&law, &prepared, &mut params, &mut work)?;
        objective.to_unconstrained(&params, &mut theta)?;
        None
    } else {
        let mut config = options.basin;
        if let Some(start) = &options.start {
            objective.to_unconstrained(start, &mut theta)?;
            config.warm_start = true;
        }
        let sample = match config.warm_start || crate::uses_grid(&objective, &config) {
            true => None,
            false => options.screen.sample(runs, weights),
        };
        let outcome = match sample {
            Some(sample) => crate::screen::screened(
                &law, runs, weights, scales, &sample, options, &objective, &mut theta, observer,
            )?,
            None => crate::fit_law_threads(
                &objective,
                &config,
                options.ranges.as_deref(),
                &mut theta,
                options.threads,
                observer,
            )?,
        };
        objective.to_natural(&theta, &mut params)?;
        Some(outcome)
    };
    objective.reset_state(&mut scratch);
    let value = objective.eval(&theta, None, &mut scratch)?;
    if !value.is_finite() {
        return Err(Error::NonFiniteValue { row: 0 });
    }
    let active_bounds = (0..p).filter(|&i| objective.at_bound(&params, i)).collect();
    Ok(Fit {
        objective: value,
        outcome,
        params,
        scales,
        loss: options.loss,
        law,
        active_bounds,
    })
}

impl FitOptions {
    /// These options with `bounds` resolved for a fit of `law` to `runs`: the law's
    /// recommended bounds when [`FitOptions::recommended_bounds`] asks for them and no
    /// `bounds` are given; else unchanged (borrowed).
    pub fn resolved<L: Law + ?Sized>(
        &self,
        law: &L,
        runs: &Runs,
    ) -> Result<std::borrow::Cow<'_, FitOptions>, Error> {
        use std::borrow::Cow;
        if !self.recommended_bounds || self.bounds.is_some() {
            return Ok(Cow::Borrowed(self));
        }
        Ok(match runs.recommended_bounds(law)? {
            Some(bounds) => Cow::Owned(FitOptions {
                bounds: Some(bounds),
                ..self.clone()
            }),
            None => Cow::Borrowed(self),
        })
    }
}

impl<L: Law> Fit<L> {
    /// Predictions for every run of `runs` (raw units; the fit's scales are applied):
    /// `rows * outputs`, row-major (`+inf` where the law is undefined, see
    /// [`eval::predict`]).
    pub fn predict(&self, runs: &Runs) -> Result<Vec<f64>, Error> {
        let data = runs.dataset()?;
        let mut cache = vec![0.0; Prepared::buffer_len(runs.rows(), runs.k)];
        let prepared = Prepared::new(data, self.scales, &mut cache)?;
        let mut out = vec![0.0; runs.rows() * self.law.outputs()];
        eval::predict(&self.law, &self.params, &prepared, &mut out)?;
        Ok(out)
    }

    /// Predictions and their metrics against the runs' observed losses (over the entries
    /// with a positive weight).
    pub fn evaluate(&self, runs: &Runs) -> Result<(Vec<f64>, Metrics), Error> {
        let pred = self.predict(runs)?;
        let (p, o) = runs.scored_pairs(&pred);
        let m = score(&p, &o)?;
        Ok((pred, m))
    }

    /// `(name, value)` of every natural parameter, names as in `laws.md`.
    pub fn named_params(&self) -> Vec<(std::string::String, f64)> {
        use std::string::ToString;
        self.params
            .iter()
            .enumerate()
            .filter_map(|(i, &v)| self.law.param_info(i).map(|p| (p.name.to_string(), v)))
            .collect()
    }
}

/// A buffer for [`Objective::with_loss_targets`]: one value per observed entry for a log
/// loss (whose targets it caches), none for the others.
pub(crate) fn loss_target_buffer(prepared: &Prepared<'_>, loss: Loss) -> Vec<f64> {
    let entries = match loss.is_log() {
        true => prepared.data().targets().len(),
        false => 0,
    };
    vec![0.0; entries]
}
