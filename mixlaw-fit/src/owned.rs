//! Owned-data convenience layer (feature `std`): fit a law to runs held in `Vec`s, predict,
//! and score. Buffers are allocated once per call here; the minimisation itself runs in
//! them without further allocation.

use std::vec;
use std::vec::Vec;

use core::ops::ControlFlow;

use mixlaw_core::{
    eval, metrics, Dataset, Error, Groups, Inputs, Law, Loss, Objective, Prepared, Scales,
};

use crate::basin::{BasinConfig, HopInfo, Outcome};
use crate::linear;

/// Training runs with owned columns: mixtures (`rows * k`, row-major), optional N, D,
/// unique tokens U, observed losses, optional row weights (0 masks a row).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Runs {
    /// Number of domains (0 for laws of N and D only).
    pub k: usize,
    /// Mixtures, row-major.
    pub h: Vec<f64>,
    /// Model sizes.
    pub n: Option<Vec<f64>>,
    /// Training tokens.
    pub d: Option<Vec<f64>>,
    /// Unique tokens.
    pub u: Option<Vec<f64>>,
    /// Observed losses.
    pub y: Vec<f64>,
    /// Row weights.
    pub weights: Option<Vec<f64>>,
}

impl Runs {
    /// Number of runs.
    pub fn rows(&self) -> usize {
        self.y.len()
    }

    /// The validated borrowed view.
    pub fn dataset(&self) -> Result<Dataset<'_>, Error> {
        self.dataset_weighted(self.weights.as_deref())
    }

    /// The validated borrowed view with `weights` in place of the runs' own row weights
    /// (e.g. bootstrap counts; `None`: unweighted).
    pub fn dataset_weighted<'a>(
        &'a self,
        weights: Option<&'a [f64]>,
    ) -> Result<Dataset<'a>, Error> {
        let mut ds = Dataset::new(self.k, &self.h, &self.y)?;
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

    /// The runs at `rows` (in that order).
    pub fn select(&self, rows: &[usize]) -> Runs {
        let pick = |v: &Vec<f64>| rows.iter().filter_map(|&r| v.get(r).copied()).collect();
        Runs {
            k: self.k,
            h: rows
                .iter()
                .flat_map(|&r| {
                    self.h
                        .get(r * self.k..(r + 1) * self.k)
                        .unwrap_or(&[])
                        .iter()
                        .copied()
                })
                .collect(),
            n: self.n.as_ref().map(pick),
            d: self.d.as_ref().map(pick),
            u: self.u.as_ref().map(pick),
            y: pick(&self.y),
            weights: self.weights.as_ref().map(pick),
        }
    }
}

/// How to fit.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FitOptions {
    /// Per-row loss (the objective is its weighted mean).
    pub loss: Loss,
    /// Divisors of N and D.
    pub scales: Scales,
    /// Global search settings.
    pub basin: BasinConfig,
    /// Start ranges in unconstrained coordinates, one per parameter (default: the law's).
    pub ranges: Option<Vec<(f64, f64)>>,
    /// Natural parameters to start from (warm start), e.g. a previous fit.
    pub start: Option<Vec<f64>>,
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
/// inputs when the law is separable), or closed-form least squares for `linear`.
/// `observer` sees every local minimisation and may stop the search.
pub fn fit<L, O>(law: L, runs: &Runs, options: &FitOptions, observer: O) -> Result<Fit<L>, Error>
where
    L: Law,
    O: FnMut(&HopInfo) -> ControlFlow<()>,
{
    fit_weighted(law, runs, runs.weights.as_deref(), options, observer)
}

/// As [`fit`], with row `weights` in place of the runs' own (0 masks a row out; integer
/// weights are bootstrap counts). The runs' columns are borrowed, not copied.
pub fn fit_weighted<L, O>(
    law: L,
    runs: &Runs,
    weights: Option<&[f64]>,
    options: &FitOptions,
    observer: O,
) -> Result<Fit<L>, Error>
where
    L: Law,
    O: FnMut(&HopInfo) -> ControlFlow<()>,
{
    let data = runs.dataset_weighted(weights)?;
    let rows = runs.rows();
    let mut cache = vec![0.0; Prepared::buffer_len(rows, runs.k)];
    let prepared = Prepared::new(data, options.scales, &mut cache)?;
    let mut group_buf = vec![0usize; Groups::buffer_len(rows)];
    let groups = Groups::new(&prepared, &mut group_buf)?;
    let objective = Objective::new(&law, &prepared, options.loss)?.with_groups(&groups)?;
    let p = law.num_params();
    let mut theta = vec![0.0; p];
    let mut params = vec![0.0; p];
    let mut scratch = vec![0.0; objective.scratch_len()];
    let outcome = if law.name() == "linear" {
        let mut work = vec![0.0; linear::scratch_len(runs.k)];
        linear::fit_linear(&prepared, &mut params, &mut work)?;
        law.to_unconstrained(&params, &mut theta)?;
        None
    } else {
        let mut config = options.basin;
        if let Some(start) = &options.start {
            law.to_unconstrained(start, &mut theta)?;
            config.warm_start = true;
        }
        let mut work = vec![0.0; crate::workspace_len(&objective, &config)];
        let outcome = crate::fit_law(
            &objective,
            &config,
            options.ranges.as_deref(),
            &mut theta,
            &mut work,
            observer,
        )?;
        law.to_natural(&theta, &mut params)?;
        Some(outcome)
    };
    let value = objective.eval(&theta, None, &mut scratch)?;
    if !value.is_finite() {
        return Err(Error::NonFiniteValue { row: 0 });
    }
    Ok(Fit {
        objective: value,
        outcome,
        params,
        scales: options.scales,
        loss: options.loss,
        law,
    })
}

impl<L: Law> Fit<L> {
    /// Predictions for every run of `runs` (raw units; the fit's scales are applied).
    pub fn predict(&self, runs: &Runs) -> Result<Vec<f64>, Error> {
        let data = runs.dataset()?;
        let mut cache = vec![0.0; Prepared::buffer_len(runs.rows(), runs.k)];
        let prepared = Prepared::new(data, self.scales, &mut cache)?;
        let mut out = vec![0.0; runs.rows()];
        eval::predict(&self.law, &self.params, &prepared, &mut out)?;
        Ok(out)
    }

    /// Predictions and their metrics against the runs' observed losses.
    pub fn evaluate(&self, runs: &Runs) -> Result<(Vec<f64>, Metrics), Error> {
        let pred = self.predict(runs)?;
        let m = score(&pred, &runs.y)?;
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
