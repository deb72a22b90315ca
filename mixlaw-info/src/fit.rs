//! Fitting InfoLaw to runs, both ways.
//!
//! - [`fit_paper`]: the paper's fit (eq 7): a random search over `theta` and one decay rate
//!   `k` per model size maximising `-spearman(L, info)`, then `ln L` regressed on
//!   `ln(info / unit)` for `alpha`, `beta`, and the per-size `k` regressed on `ln N` for
//!   `a`, `b` (eq 9).
//! - [`fit_continuous`]: ours, all of `theta, a, b, ln alpha, beta` at once by basin-hopping
//!   L-BFGS (`mixlaw-fit`) on the mean squared log residual
//!   `ln alpha - beta ln(info / unit) - ln L`, with exact gradients.
//!
//! Neither allocates: the caller passes the scratch buffers.

use core::ops::ControlFlow;

use mixlaw_fit::{BasinConfig, BasinHopping, Problem as FitProblem};

use crate::rng::Rng;
use crate::{Error, InfoLaw, Normalization, PowerLaw, Source};

/// Largest number of distinct model sizes [`fit_paper`] handles.
pub const MAX_SIZES: usize = 32;

/// Unit of information inside the fitted power law (billions of tokens, as
/// [`PowerLaw::PAPER`]).
pub const UNIT: f64 = 1e9;

/// One training run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Run<'a> {
    /// Model size N (raw parameters).
    pub model_size: f64,
    /// Training tokens T.
    pub tokens: f64,
    /// The source it was drawn from (bucket shares and size S).
    pub source: Source,
    /// Its recipe (one weight per bucket of `source`).
    pub recipe: &'a [f64],
    /// Measured loss (> 0).
    pub loss: f64,
}

/// A fitted law.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Fitted {
    /// `theta`, `a`, `b` (log normalisation).
    pub law: InfoLaw,
    /// `alpha`, `beta` with `unit` = [`UNIT`].
    pub power: PowerLaw,
    /// Mean squared log residual of the fit.
    pub mse_log: f64,
}

/// The result of [`fit_paper`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PaperFit {
    /// The law, with `a`, `b` from regressing the per-size `k` on `ln N` (`a = 0`,
    /// `b = k` when there is one size).
    pub fitted: Fitted,
    /// Spearman correlation of loss and info at the best sample (near -1 is good).
    pub spearman: f64,
    /// Distinct model sizes, ascending (the first `sizes_len` entries).
    pub sizes: [f64; MAX_SIZES],
    /// The per-size decay rates `k`.
    pub rates: [f64; MAX_SIZES],
    /// Number of distinct sizes.
    pub sizes_len: usize,
}

/// `(info, d info / d theta, d info / d k)` of `run` for density decay `theta` and decay
/// rate `k` (eq 5 with `g(D) = ln D`).
pub fn info_parts(run: &Run<'_>, theta: f64, k: f64) -> Result<(f64, f64, f64), Error> {
    let g = Normalization::Log.factor(run.tokens)?;
    let mix = run.source.layermix(run.recipe, run.tokens)?;
    let (mut info, mut dt, mut dk) = (0.0, 0.0, 0.0);
    for (d, b) in mix.buckets().iter().enumerate() {
        if b.unique <= 0.0 {
            continue;
        }
        let rho = libm::exp(-theta * d as f64);
        let e = libm::exp(-k * b.repetition / g);
        let term = rho * b.unique * g * (1.0 - e);
        info += term;
        dt -= d as f64 * term;
        dk += rho * b.unique * b.repetition * e;
    }
    Ok((info, dt, dk))
}

fn check_runs(runs: &[Run<'_>]) -> Result<(), Error> {
    if runs.len() < 3 {
        return Err(Error::InvalidConfig {
            what: "at least 3 runs are needed",
        });
    }
    for r in runs {
        if !(r.loss > 0.0 && r.loss.is_finite() && r.model_size > 1.0 && r.model_size.is_finite()) {
            return Err(Error::InvalidConfig {
                what: "runs need a positive finite loss and model size > 1",
            });
        }
        Normalization::Log.factor(r.tokens)?;
        r.source.layermix(r.recipe, r.tokens)?;
    }
    Ok(())
}

/// Least squares `y = c0 + c1 x` over pairs; `None` if x is constant.
fn line(pairs: impl Iterator<Item = (f64, f64)> + Clone) -> Option<(f64, f64)> {
    let (mut n, mut sx, mut sy) = (0.0, 0.0, 0.0);
    for (x, y) in pairs.clone() {
        n += 1.0;
        sx += x;
        sy += y;
    }
    if n < 2.0 {
        return None;
    }
    let (mx, my) = (sx / n, sy / n);
    let (mut sxx, mut sxy) = (0.0, 0.0);
    for (x, y) in pairs {
        sxx += (x - mx) * (x - mx);
        sxy += (x - mx) * (y - my);
    }
    if sxx <= 0.0 {
        return None;
    }
    let slope = sxy / sxx;
    Some((my - slope * mx, slope))
}

/// Average ranks (ties share their mean rank) of `values` into `ranks`, using `order`.
fn rank(values: &[f64], ranks: &mut [f64], order: &mut [usize]) {
    for (i, o) in order.iter_mut().enumerate() {
        *o = i;
    }
    let key = |i: &usize| values.get(*i).copied().unwrap_or(f64::NAN);
    order.sort_unstable_by(|a, b| key(a).total_cmp(&key(b)));
    let mut start = 0;
    while start < order.len() {
        let v = order.get(start).map(key);
        let mut end = start + 1;
        while end < order.len() && order.get(end).map(key) == v {
            end += 1;
        }
        let mean = (start + end - 1) as f64 / 2.0;
        for i in order.get(start..end).unwrap_or(&[]) {
            if let Some(r) = ranks.get_mut(*i) {
                *r = mean;
            }
        }
        start = end;
    }
}

/// Pearson correlation of two equally long slices (0 when either is constant).
fn pearson(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len().min(y.len()) as f64;
    if n < 2.0 {
        return 0.0;
    }
    let mx = x.iter().sum::<f64>() / n;
    let my = y.iter().sum::<f64>() / n;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    if sxx <= 0.0 || syy <= 0.0 {
        0.0
    } else {
        sxy / libm::sqrt(sxx * syy)
    }
}

/// The paper's fit (eq 7): `samples` random draws of `theta` in `theta_range` and one
/// `k` per model size in `k_range`, keeping the most negative Spearman correlation of loss
/// and info; then `alpha`, `beta` by regressing `ln L` on `ln(info / UNIT)` and `a`, `b`
/// by regressing `k` on `ln N`. `scratch` needs `3 * runs.len()` numbers and `order`
/// `runs.len()` indices.
pub fn fit_paper(
    runs: &[Run<'_>],
    samples: usize,
    seed: u64,
    theta_range: (f64, f64),
    k_range: (f64, f64),
    scratch: &mut [f64],
    order: &mut [usize],
) -> Result<PaperFit, Error> {
    check_runs(runs)?;
    let n = runs.len();
    if samples == 0 || order.len() < n || scratch.len() < 3 * n {
        return Err(Error::InvalidConfig {
            what: "fit_paper needs samples > 0, scratch of 3 x runs and order of runs",
        });
    }
    let (Some(order), Some(scratch)) = (order.get_mut(..n), scratch.get_mut(..3 * n)) else {
        return Err(Error::InvalidConfig {
            what: "scratch too small",
        });
    };
    let (loss_rank, rest) = scratch.split_at_mut(n);
    let (info, info_rank) = rest.split_at_mut(n);
    // Distinct sizes.
    let mut sizes = [0.0; MAX_SIZES];
    let mut len = 0;
    for r in runs {
        if !sizes.iter().take(len).any(|&s| s == r.model_size) {
            let Some(slot) = sizes.get_mut(len) else {
                return Err(Error::InvalidConfig {
                    what: "too many distinct model sizes",
                });
            };
            *slot = r.model_size;
            len += 1;
        }
    }
    if let Some(s) = sizes.get_mut(..len) {
        s.sort_unstable_by(f64::total_cmp);
    }
    let size_index = |m: f64| sizes.iter().take(len).position(|&s| s == m).unwrap_or(0);
    for (l, r) in info.iter_mut().zip(runs) {
        *l = r.loss;
    }
    rank(info, loss_rank, order);
    let mut rng = Rng::new(seed);
    let uniform = |rng: &mut Rng, (lo, hi): (f64, f64)| lo + (hi - lo) * rng.next_open01();
    let (mut best_rho, mut best_theta, mut best_k) = (f64::INFINITY, 0.0, [0.0; MAX_SIZES]);
    let mut k = [0.0; MAX_SIZES];
    for _ in 0..samples {
        let theta = uniform(&mut rng, theta_range);
        for v in k.iter_mut().take(len) {
            *v = uniform(&mut rng, k_range);
        }
        for (i, r) in info.iter_mut().zip(runs) {
            let kr = k.get(size_index(r.model_size)).copied().unwrap_or(1.0);
            *i = info_parts(r, theta, kr)?.0;
        }
        rank(info, info_rank, order);
        let rho = pearson(loss_rank, info_rank);
        if rho < best_rho {
            best_rho = rho;
            best_theta = theta;
            best_k = k;
        }
    }
    for (i, r) in info.iter_mut().zip(runs) {
        let kr = best_k.get(size_index(r.model_size)).copied().unwrap_or(1.0);
        *i = info_parts(r, best_theta, kr)?.0;
    }
    let pairs = info
        .iter()
        .zip(runs)
        .map(|(i, r)| (libm::log(*i / UNIT), libm::log(r.loss)));
    let (c0, c1) = line(pairs.clone()).ok_or(Error::InvalidConfig {
        what: "info is constant over the runs",
    })?;
    let power = PowerLaw {
        alpha: libm::exp(c0),
        beta: -c1,
        unit: UNIT,
    };
    let mse_log = pairs
        .map(|(x, y)| (c0 + c1 * x - y) * (c0 + c1 * x - y))
        .sum::<f64>()
        / n as f64;
    let (b, a) = line(
        sizes
            .iter()
            .zip(best_k.iter())
            .take(len)
            .map(|(s, k)| (libm::log(*s), *k)),
    )
    .unwrap_or((best_k.first().copied().unwrap_or(0.0), 0.0));
    Ok(PaperFit {
        fitted: Fitted {
            law: InfoLaw {
                theta: best_theta,
                a,
                b,
                normalization: Normalization::Log,
            },
            power,
            mse_log,
        },
        spearman: best_rho,
        sizes,
        rates: best_k,
        sizes_len: len,
    })
}

/// The continuous fit's objective: mean squared log residual over
/// `x = [theta, a, b, ln alpha, beta]`.
#[derive(Clone, Copy, Debug)]
pub struct LogResiduals<'r, 'w> {
    runs: &'r [Run<'w>],
}

impl<'r, 'w> LogResiduals<'r, 'w> {
    /// The objective over `runs`.
    pub fn new(runs: &'r [Run<'w>]) -> Self {
        LogResiduals { runs }
    }

    /// Mean squared log residual at `x` (infinite where the law is undefined), with its
    /// gradient in `grad` when it has 5 entries.
    pub fn value(&self, x: &[f64], grad: &mut [f64]) -> f64 {
        let [theta, a, b, ln_alpha, beta] = match x {
            [t, a, b, l, be] => [*t, *a, *b, *l, *be],
            _ => return f64::INFINITY,
        };
        let mut g = [0.0; 5];
        let mut sum = 0.0;
        for r in self.runs {
            let ln_n = libm::log(r.model_size);
            let k = a * ln_n + b;
            if k.is_nan() || k <= 0.0 {
                return f64::INFINITY;
            }
            let Ok((info, dt, dk)) = info_parts(r, theta, k) else {
                return f64::INFINITY;
            };
            if info.is_nan() || info <= 0.0 || info.is_infinite() {
                return f64::INFINITY;
            }
            let li = libm::log(info / UNIT);
            let res = ln_alpha - beta * li - libm::log(r.loss);
            sum += res * res;
            let di = -beta / info;
            g[0] += 2.0 * res * di * dt;
            g[1] += 2.0 * res * di * dk * ln_n;
            g[2] += 2.0 * res * di * dk;
            g[3] += 2.0 * res;
            g[4] -= 2.0 * res * li;
        }
        let n = self.runs.len().max(1) as f64;
        if grad.len() == 5 {
            for (o, v) in grad.iter_mut().zip(g) {
                *o = v / n;
            }
        }
        let v = sum / n;
        if v.is_finite() {
            v
        } else {
            f64::INFINITY
        }
    }
}

impl FitProblem for LogResiduals<'_, '_> {
    fn dim(&self) -> usize {
        5
    }
    fn cost_grad(&mut self, x: &[f64], grad: &mut [f64]) -> f64 {
        self.value(x, grad)
    }
}

/// Start ranges of [`fit_continuous`] for `[theta, a, b, ln alpha, beta]`.
pub const START_RANGES: [(f64, f64); 5] =
    [(0.0, 2.0), (0.0, 0.3), (0.0, 1.0), (0.5, 2.0), (0.0, 0.2)];

/// Our fit: basin-hopping L-BFGS over `[theta, a, b, ln alpha, beta]` from starts drawn
/// in [`START_RANGES`] (`config` sets starts, hops and seed).
pub fn fit_continuous(runs: &[Run<'_>], config: &BasinConfig) -> Result<Fitted, Error> {
    check_runs(runs)?;
    let basin = BasinHopping::new(*config);
    let mut ws = [0.0; 1024];
    let Some(ws) = ws.get_mut(..basin.workspace_len(5)) else {
        return Err(Error::InvalidConfig {
            what: "L-BFGS memory too large for the fit workspace",
        });
    };
    let mut x = [0.0; 5];
    let mut problem = LogResiduals::new(runs);
    let out = basin.minimize(
        &mut problem,
        |i| START_RANGES.get(i).copied().unwrap_or((0.0, 1.0)),
        &mut x,
        ws,
        |_| ControlFlow::Continue(()),
    )?;
    if !out.value.is_finite() {
        return Err(Error::InvalidConfig {
            what: "the fit found no point where the law is defined",
        });
    }
    let [theta, a, b, ln_alpha, beta] = x;
    Ok(Fitted {
        law: InfoLaw {
            theta,
            a,
            b,
            normalization: Normalization::Log,
        },
        power: PowerLaw {
            alpha: libm::exp(ln_alpha),
            beta,
            unit: UNIT,
        },
        mse_log: out.value,
    })
}
