//! Online mixture scheduling: mixture weights over `k <= K` domains updated as training
//! proceeds, and a deterministic sampler that draws domains in proportion to them.
//!
//! [`Scheduler`] keeps weights `w` in the box-constrained simplex `B = {lo <= w <= hi,
//! sum w = 1}` ([`Bounds`]: per-domain bounds; a minimum weight is `lo_i = m`) and moves
//! them by exponentiated gradient (entropic mirror descent), the step of the offline
//! [`crate::Solver`]:
//!
//! ```text
//! w+ = argmin_{x in B} <g, x> + KL(x || w) / eta = clamp(c w exp(-eta g), lo, hi)
//! ```
//!
//! with one of three kinds of direction `g`:
//! - [`Scheduler::step_objective`]: the h-gradient of a fitted law at the current scale
//!   (a [`SimplexObjective`], e.g. [`crate::LawAt`] re-bound to the current `(N, D)`):
//!   repeated at a fixed scale, the weights converge to the offline optimum `h*`.
//! - [`Scheduler::step_excess_loss`]: observed per-domain losses against reference losses,
//!   `g_i = -max(l_i - ref_i, 0)` (DoReMi's excess-loss update, Xie et al. 2023; its
//!   smoothing toward uniform is the minimum weight here).
//! - [`Scheduler::step_aioli`]: Aioli's update (Chen et al. 2024, `trainer/aioli_trainer.py`
//!   of HazyResearch/aioli, as in `spec/laws-extra.md` section 5) from the interaction
//!   matrix `A` estimated by [`aioli_matrix`]: `w+ ∝ w exp(eta sum_i A_ij)`, or with an EMA
//!   `w+ ∝ exp(eta sum_i Abar_ij)`, `Abar = (1 - ema) A + ema Abar_prev`.
//!
//! [`Scheduler::step_gradient`] takes any direction. The step size follows a [`Step`]
//! rule. [`Sampler`] turns weights into a deterministic stream of domains (smooth weighted
//! round-robin): after `n` draws, `|count_i - sum_t w_{t,i}| <= k - 1`.
//!
//! Everything lives in fixed arrays of capacity `K`: no allocation, no panics; bad input is
//! an [`Error`].
//!
//! ```
//! use mixlaw_core::{laws::joint::Joint, Scales};
//! use mixlaw_opt::schedule::{Sampler, Scheduler, Step};
//! use mixlaw_opt::{Bounds, LawAt, Solver};
//!
//! let law = Joint::new(2)?;
//! //          E    alpha beta C[0..2]   gamma[0..2] CA[0..2]  gammaA CB[0..2]  gammaB
//! let p = [1.5, 0.3, 0.3, 1.0, 2.0, 0.4, 0.5, 1.0, 1.0, 1.0, 2.0, 2.0, 1.1];
//! let target = LawAt::new(&law, &p, 7e9, 150e9, Scales { n: 1e9, d: 1e9 })?;
//! let bounds = Bounds::min_weight(0.05);
//! let mut scheduler = Scheduler::<4>::new(2, &bounds, Step::default())?;
//! for _ in 0..200 {
//!     scheduler.step_objective(&target)?;
//! }
//! let mut h = [0.5; 2];
//! Solver::<4>::default().minimize(&target, &bounds, &mut h)?;
//! assert!((scheduler.weights()[0] - h[0]).abs() < 1e-6);
//!
//! let mut sampler = Sampler::<4>::new(scheduler.weights())?;
//! let mut counts = [0usize; 2];
//! for _ in 0..1000 {
//!     counts[sampler.next_domain()] += 1;
//! }
//! assert!((counts[0] as f64 - 1000.0 * h[0]).abs() <= 1.0);
//! # Ok::<(), mixlaw_opt::Error>(())
//! ```

use crate::objective::SimplexObjective;
use crate::solver::{Feasible, LN_FLOOR};
use crate::{Bounds, Error};

/// The step size rule of a [`Scheduler`]; `t` counts the updates before this one.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum Step {
    /// `eta_t = eta` (Aioli, DoReMi).
    Constant(f64),
    /// `eta_t = eta / sqrt(t + 1)` (online mirror descent, `O(sqrt T)` regret).
    InverseSqrt(f64),
    /// `eta_t = eta / sqrt(sum_{s <= t} span(g_s)^2)` with `span(g) = max g - min g` over
    /// the domains strictly inside their bounds (AdaGrad-norm in the mirror geometry):
    /// invariant to the scale and shift of the gradients, so one `eta` serves every law and
    /// loss scale. At an optimum the gradient is equal across those domains, so the spans
    /// vanish, the step stops shrinking and a fixed objective is approached linearly.
    AdaGrad(f64),
}

impl Default for Step {
    /// `AdaGrad(1.0)`.
    fn default() -> Self {
        Step::AdaGrad(1.0)
    }
}

impl Step {
    /// The base step `eta`.
    pub fn eta(&self) -> f64 {
        match *self {
            Step::Constant(e) | Step::InverseSqrt(e) | Step::AdaGrad(e) => e,
        }
    }

    /// Checks `eta > 0` and finite.
    pub fn check(&self) -> Result<(), Error> {
        let eta = self.eta();
        if eta > 0.0 && eta.is_finite() {
            Ok(())
        } else {
            Err(Error::InvalidConfig {
                what: "step size eta must be finite and > 0",
            })
        }
    }
}

/// Settings of Aioli's update ([`Scheduler::step_aioli`]).
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct Aioli {
    /// EMA weight of the previous smoothed matrix (`--ema`, 0.1 in Aioli's scripts), in
    /// `[0, 1)`; `None`: no smoothing, the multiplicative update from the current weights.
    pub ema: Option<f64>,
}

/// Online mixture weights over `k <= K` domains, kept in the box-constrained simplex and
/// updated by exponentiated gradient (see the [module docs](self)).
#[derive(Clone, Debug)]
pub struct Scheduler<const K: usize> {
    k: usize,
    w: [f64; K],
    ln_w: [f64; K],
    lo: [f64; K],
    hi: [f64; K],
    lsum: f64,
    usum: f64,
    plain: bool,
    step: Step,
    updates: usize,
    /// AdaGrad's running sum of squared gradient spans.
    sq_sum: f64,
    /// Aioli's smoothed column sums `sum_i Abar_ij` and the number of Aioli rounds.
    abar: [f64; K],
    aioli_rounds: usize,
    g: [f64; K],
    y: [f64; K],
    wt: [f64; K],
    ln_wt: [f64; K],
}

impl<const K: usize> Scheduler<K> {
    /// A scheduler for `k` domains (`1 <= k <= K`) within `bounds` (checked), starting
    /// from the uniform mixture projected onto the bounds.
    pub fn new(k: usize, bounds: &Bounds<'_>, step: Step) -> Result<Self, Error> {
        if k == 0 {
            return Err(Error::Empty);
        }
        if k > K {
            return Err(Error::TooManyDomains { max: K, found: k });
        }
        let (lsum, usum) = bounds.check(k)?;
        step.check()?;
        let mut s = Scheduler {
            k,
            w: [0.0; K],
            ln_w: [0.0; K],
            lo: [0.0; K],
            hi: [0.0; K],
            lsum,
            usum,
            plain: true,
            step,
            updates: 0,
            sq_sum: 0.0,
            abar: [0.0; K],
            aioli_rounds: 0,
            g: [0.0; K],
            y: [0.0; K],
            wt: [0.0; K],
            ln_wt: [0.0; K],
        };
        for (i, (l, u)) in s.lo.iter_mut().zip(s.hi.iter_mut()).take(k).enumerate() {
            *l = bounds.lo(i);
            *u = bounds.hi(i);
        }
        s.plain = s.lo().iter().all(|&l| l == 0.0) && s.hi().iter().all(|&u| u >= 1.0);
        s.reset_uniform();
        Ok(s)
    }

    /// Restarts from `start` (length k, finite, >= 0, not all 0), normalised and
    /// KL-projected onto the bounds; the step-size history and Aioli's round count are
    /// cleared (the next Aioli round is a first round again).
    pub fn set_weights(&mut self, start: &[f64]) -> Result<(), Error> {
        let sum = weight_sum("start weights", start, self.k)?;
        // ln of the start, zeros lifted to the floor of the log-space step so every weight
        // can grow again.
        for (l, &v) in self.ln_wt.iter_mut().zip(start) {
            *l = if v > 0.0 {
                libm::log(v / sum)
            } else {
                LN_FLOOR
            };
        }
        self.project_from_log()?;
        self.updates = 0;
        self.sq_sum = 0.0;
        self.aioli_rounds = 0;
        Ok(())
    }

    fn reset_uniform(&mut self) {
        let ln_u = -libm::log(self.k as f64);
        self.ln_wt.iter_mut().for_each(|l| *l = ln_u);
        // The uniform mixture always projects (the bounds were checked).
        let _ = self.project_from_log();
    }

    /// Projects `exp(ln_wt)` (zero gradient step) onto the bounds into `w`.
    fn project_from_log(&mut self) -> Result<(), Error> {
        let k = self.k;
        self.g.iter_mut().for_each(|g| *g = 0.0);
        let ln = self.ln_wt;
        let ok = self.eg_into_w(&ln, 0.0, k)?;
        if ok {
            Ok(())
        } else {
            // Forced bounds (sum lo = 1 or sum hi = 1): the only feasible point.
            self.force_bounds();
            Ok(())
        }
    }

    fn force_bounds(&mut self) {
        let k = self.k;
        let lower = self.lsum >= 1.0 - crate::bounds::FORCED_TOLERANCE * 0.5;
        for i in 0..k {
            let v = if lower {
                get(&self.lo, i)
            } else {
                get(&self.hi, i)
            };
            set(&mut self.w, i, v);
            set(&mut self.ln_w, i, libm::log(v));
        }
    }

    /// Number of domains k.
    pub fn domains(&self) -> usize {
        self.k
    }

    /// The current weights (length k, on the simplex, within the bounds).
    pub fn weights(&self) -> &[f64] {
        self.w.get(..self.k).unwrap_or(&[])
    }

    fn lo(&self) -> &[f64] {
        self.lo.get(..self.k).unwrap_or(&[])
    }

    fn hi(&self) -> &[f64] {
        self.hi.get(..self.k).unwrap_or(&[])
    }

    /// Updates taken so far.
    pub fn updates(&self) -> usize {
        self.updates
    }

    /// The step size rule.
    pub fn step_rule(&self) -> Step {
        self.step
    }

    /// One step along the h-gradient of `objective` (k domains) at the current weights:
    /// `g = grad_h f(w)`. Returns the step size used. A non-finite value or gradient is an
    /// error and leaves the weights unchanged.
    pub fn step_objective<O: SimplexObjective + ?Sized>(
        &mut self,
        objective: &O,
    ) -> Result<f64, Error> {
        let k = self.k;
        if objective.domains() != k {
            return Err(Error::LengthMismatch {
                what: "objective domains",
                expected: k,
                found: objective.domains(),
            });
        }
        let mut g = [0.0; K];
        let (w, ln_w) = (self.weights(), self.ln_w.get(..k).unwrap_or(&[]));
        let f = objective.value_grad(w, ln_w, g.get_mut(..k).unwrap_or(&mut []));
        if !f.is_finite() {
            return Err(Error::InvalidInput {
                what: "objective value at the current weights",
                index: 0,
            });
        }
        self.g = g;
        self.take_step(false)
    }

    /// One step along a given direction `gradient` (length k, finite): the weights of
    /// domains with smaller entries grow. Returns the step size used.
    pub fn step_gradient(&mut self, gradient: &[f64]) -> Result<f64, Error> {
        self.load_gradient("gradient", gradient, |g| g)?;
        self.take_step(false)
    }

    /// DoReMi's update from observed per-domain `losses` and `reference` losses (length k,
    /// finite): `g_i = -max(l_i - ref_i, 0)`, so domains whose loss exceeds the reference
    /// most gain weight. Returns the step size used.
    pub fn step_excess_loss(&mut self, losses: &[f64], reference: &[f64]) -> Result<f64, Error> {
        check_len("reference losses", reference, self.k)?;
        for (i, &r) in reference.iter().enumerate() {
            if !r.is_finite() {
                return Err(Error::InvalidInput {
                    what: "reference losses",
                    index: i,
                });
            }
        }
        self.load_gradient("losses", losses, |l| l)?;
        for (g, &r) in self.g.iter_mut().zip(reference) {
            *g = -(*g - r).max(0.0);
        }
        self.take_step(false)
    }

    /// Aioli's update from one round's interaction matrix `a` (`k * k`, row-major,
    /// `a[i * k + j]`: effect of training on domain j on the loss of domain i, as
    /// [`aioli_matrix`] estimates it), with `s_j = sum_i A_ij`:
    ///
    /// - without EMA: `w+ ∝ w exp(eta s)`, where Aioli's first round starts from the
    ///   uniform weights (`weights_init = ones`), later rounds from the current ones;
    /// - with EMA `e`: `sbar = s` in the first round, else `sbar = (1 - e) s + e sbar_prev`
    ///   (the column sums of Aioli's `ema_graph`, by linearity), and `w+ ∝ exp(eta sbar)`.
    ///
    /// followed by the KL projection onto the bounds (a plain normalisation without
    /// bounds, as in Aioli). `eta` comes from the [`Step`] rule (`Step::Constant` is
    /// Aioli's). Returns the step size used.
    pub fn step_aioli(&mut self, a: &[f64], config: &Aioli) -> Result<f64, Error> {
        let k = self.k;
        check_len("Aioli matrix", a, k * k)?;
        if let Some(i) = a.iter().position(|v| !v.is_finite()) {
            return Err(Error::InvalidInput {
                what: "Aioli matrix",
                index: i,
            });
        }
        if let Some(e) = config.ema {
            if !(0.0..1.0).contains(&e) {
                return Err(Error::InvalidConfig {
                    what: "Aioli ema must be in [0, 1)",
                });
            }
        }
        let mut s = [0.0; K];
        for (j, sj) in s.iter_mut().take(k).enumerate() {
            *sj = (0..k)
                .map(|i| a.get(i * k + j).copied().unwrap_or(0.0))
                .sum();
        }
        let first = self.aioli_rounds == 0;
        let from_uniform = match config.ema {
            Some(e) => {
                for (b, &sj) in self.abar.iter_mut().zip(s.iter()).take(k) {
                    *b = if first { sj } else { (1.0 - e) * sj + e * *b };
                }
                s = self.abar;
                true
            }
            None => first,
        };
        for (g, &sj) in self.g.iter_mut().zip(s.iter()).take(k) {
            *g = -sj;
        }
        let eta = self.take_step(from_uniform)?;
        self.aioli_rounds += 1;
        Ok(eta)
    }

    /// Copies `v` (length k, finite) through `map` into the gradient buffer.
    fn load_gradient(
        &mut self,
        what: &'static str,
        v: &[f64],
        map: impl Fn(f64) -> f64,
    ) -> Result<(), Error> {
        check_len(what, v, self.k)?;
        for (i, &x) in v.iter().enumerate() {
            if !x.is_finite() {
                return Err(Error::InvalidInput { what, index: i });
            }
        }
        for (g, &x) in self.g.iter_mut().zip(v) {
            *g = map(x);
        }
        Ok(())
    }

    /// The step size of this update for the gradient in `g`.
    fn eta(&mut self) -> f64 {
        let t = self.updates as f64;
        match self.step {
            Step::Constant(e) => e,
            Step::InverseSqrt(e) => e / libm::sqrt(t + 1.0),
            Step::AdaGrad(e) => {
                let (mut gmin, mut gmax) = (f64::INFINITY, f64::NEG_INFINITY);
                for i in 0..self.k {
                    let w = get(&self.w, i);
                    if get(&self.lo, i) < w && w < get(&self.hi, i) {
                        let g = get(&self.g, i);
                        gmin = gmin.min(g);
                        gmax = gmax.max(g);
                    }
                }
                let span = if gmax > gmin { gmax - gmin } else { 0.0 };
                self.sq_sum += span * span;
                if self.sq_sum > 0.0 {
                    e / libm::sqrt(self.sq_sum)
                } else {
                    e
                }
            }
        }
    }

    /// Takes the step along `g` (finite) from the current weights, or from the uniform
    /// mixture when `from_uniform`.
    fn take_step(&mut self, from_uniform: bool) -> Result<f64, Error> {
        let k = self.k;
        if let Some(i) = self.g.iter().take(k).position(|v| !v.is_finite()) {
            return Err(Error::InvalidInput {
                what: "gradient",
                index: i,
            });
        }
        let eta = self.eta();
        let ln_u = -libm::log(k as f64);
        let mut base = self.ln_w;
        if from_uniform {
            base.iter_mut().for_each(|l| *l = ln_u);
        }
        let ok = self.eg_into_w(&base, eta, k)?;
        if !ok {
            self.force_bounds();
        }
        self.updates += 1;
        Ok(eta)
    }

    /// The exponentiated-gradient step from `ln_base` with the gradient in `g` and step
    /// `eta`, projected onto the bounds, into `w` / `ln_w` when it succeeds.
    fn eg_into_w(&mut self, ln_base: &[f64; K], eta: f64, k: usize) -> Result<bool, Error> {
        let short = Error::TooManyDomains { max: K, found: k };
        let g = self.g.get(..k).ok_or(short)?;
        let shift = g.iter().copied().fold(f64::INFINITY, f64::min);
        let shift = if shift.is_finite() { shift } else { 0.0 };
        let feasible = Feasible {
            lo: self.lo.get(..k).ok_or(short)?,
            hi: self.hi.get(..k).ok_or(short)?,
            lsum: self.lsum,
            usum: self.usum,
            plain: self.plain,
        };
        let ok = feasible.eg_step(
            ln_base.get(..k).ok_or(short)?,
            g,
            (eta, shift),
            self.y.get_mut(..k).ok_or(short)?,
            self.wt.get_mut(..k).ok_or(short)?,
            self.ln_wt.get_mut(..k).ok_or(short)?,
        );
        if ok {
            self.w = self.wt;
            self.ln_w = self.ln_wt;
        }
        Ok(ok)
    }
}

fn get(v: &[f64], i: usize) -> f64 {
    v.get(i).copied().unwrap_or(0.0)
}

fn set(v: &mut [f64], i: usize, x: f64) {
    if let Some(s) = v.get_mut(i) {
        *s = x;
    }
}

/// The sum of weights `v` (length `k`, finite, >= 0, with a positive finite sum).
fn weight_sum(what: &'static str, v: &[f64], k: usize) -> Result<f64, Error> {
    check_len(what, v, k)?;
    let mut sum = 0.0;
    for (i, &x) in v.iter().enumerate() {
        if !(x >= 0.0 && x.is_finite()) {
            return Err(Error::InvalidInput { what, index: i });
        }
        sum += x;
    }
    if sum > 0.0 && sum.is_finite() {
        Ok(sum)
    } else {
        Err(Error::InvalidInput {
            what: "weights (sum must be positive and finite)",
            index: 0,
        })
    }
}

fn check_len(what: &'static str, v: &[f64], expected: usize) -> Result<(), Error> {
    if v.len() == expected {
        Ok(())
    } else {
        Err(Error::LengthMismatch {
            what,
            expected,
            found: v.len(),
        })
    }
}

/// The smoothed one-hot mixture Aioli trains on while probing domain `j` in
/// `LearnParams`: `one_hot_factor` on `j`, `(1 - f) / (k - 1)` on each other domain (the
/// row `j` of the matrix `W` that [`aioli_matrix`] inverts). Feed it to a [`Sampler`] for
/// the probe's steps. Errors: `j >= k`, `out.len() != k`, `f` outside `(1/k, 1]` (`f = 1`
/// when `k = 1`).
pub fn aioli_sweep_mixture(
    k: usize,
    j: usize,
    one_hot_factor: f64,
    out: &mut [f64],
) -> Result<(), Error> {
    check_one_hot(k, one_hot_factor)?;
    if j >= k {
        return Err(Error::InvalidInput {
            what: "Aioli sweep domain",
            index: j,
        });
    }
    if out.len() != k {
        return Err(Error::LengthMismatch {
            what: "Aioli sweep mixture",
            expected: k,
            found: out.len(),
        });
    }
    let rest = if k > 1 {
        (1.0 - one_hot_factor) / (k - 1) as f64
    } else {
        0.0
    };
    for (i, o) in out.iter_mut().enumerate() {
        *o = if i == j { one_hot_factor } else { rest };
    }
    Ok(())
}

/// `f` in `(1/k, 1]` (`W` is singular at `1/k`), `k >= 1`.
fn check_one_hot(k: usize, f: f64) -> Result<(), Error> {
    if k == 0 {
        return Err(Error::Empty);
    }
    let ok = if k == 1 {
        f == 1.0
    } else {
        f <= 1.0 && f * k as f64 > 1.0
    };
    if !ok {
        return Err(Error::InvalidConfig {
            what: "one_hot_factor must be in (1/k, 1]",
        });
    }
    Ok(())
}

/// Aioli's `LearnParams` estimate of the interaction matrix from one round of sweeps
/// (Chen et al. 2024, `learn_params_subroutine`): `drops[i * k + j]` is the drop in the
/// loss of domain i while training on the smoothed one-hot mixture of domain j (weight
/// `one_hot_factor` on j, `(1 - f) / (k - 1)` on each other), averaged over the sweeps.
/// With `W` the matrix of those mixtures (row j = mixture of sweep j), each row is
/// unmixed, `A[i] = W^-1 drops[i]`, in closed form: `W = a I + b 1 1^T` with
/// `b = (1 - f) / (k - 1)`, `a = f - b`, rows summing to 1, so
/// `A_ij = (drops_ij - b sum_l drops_il) / a`. `f = 1` leaves `drops` as is.
///
/// With `normalize` (`--aioli_normalize_A`): subtract `min A` when it is negative, then
/// divide by `sum A`. Writes `a_out` (`k * k`).
///
/// Errors: lengths, non-finite drops, `f` outside `(1/k, 1]` (k >= 2; `W` is singular at
/// `1/k`), and a normalisation with `sum A = 0`.
pub fn aioli_matrix(
    k: usize,
    drops: &[f64],
    one_hot_factor: f64,
    normalize: bool,
    a_out: &mut [f64],
) -> Result<(), Error> {
    check_one_hot(k, one_hot_factor)?;
    check_len("Aioli drops", drops, k * k)?;
    if a_out.len() != k * k {
        return Err(Error::LengthMismatch {
            what: "Aioli matrix output",
            expected: k * k,
            found: a_out.len(),
        });
    }
    if let Some(i) = drops.iter().position(|v| !v.is_finite()) {
        return Err(Error::InvalidInput {
            what: "Aioli drops",
            index: i,
        });
    }
    let f = one_hot_factor;
    if f == 1.0 {
        a_out.copy_from_slice(drops);
    } else {
        let b = (1.0 - f) / (k - 1) as f64;
        let a = f - b;
        for (row_in, row_out) in drops.chunks_exact(k).zip(a_out.chunks_exact_mut(k)) {
            let sum: f64 = row_in.iter().sum();
            for (o, &x) in row_out.iter_mut().zip(row_in) {
                *o = (x - b * sum) / a;
            }
        }
    }
    if normalize {
        let min = a_out.iter().copied().fold(f64::INFINITY, f64::min);
        if min < 0.0 {
            a_out.iter_mut().for_each(|v| *v -= min);
        }
        let sum: f64 = a_out.iter().sum();
        if !(sum != 0.0 && sum.is_finite()) {
            return Err(Error::Numerical {
                what: "Aioli normalisation: the matrix sums to 0",
            });
        }
        a_out.iter_mut().for_each(|v| *v /= sum);
    }
    if a_out.iter().any(|v| !v.is_finite()) {
        return Err(Error::Numerical {
            what: "Aioli matrix overflowed",
        });
    }
    Ok(())
}

/// A deterministic weighted domain sampler: smooth weighted round-robin. Each draw adds
/// the weights to running credits, returns the domain with the largest credit (lowest
/// index on ties) and charges it the total weight. Credits stay in `[-1, k - 1]` times the
/// total, so after `n` draws with weights `w_t` (normalised, possibly changed between
/// draws by [`Sampler::set_weights`]), `|count_i - sum_t w_{t,i}| <= k - 1`; draws are
/// spread evenly, not in blocks.
#[derive(Clone, Debug)]
pub struct Sampler<const K: usize> {
    k: usize,
    w: [f64; K],
    credit: [f64; K],
    counts: [u64; K],
}

impl<const K: usize> Sampler<K> {
    /// A sampler over `weights` (length `1..=K`, finite, >= 0, positive sum; normalised).
    pub fn new(weights: &[f64]) -> Result<Self, Error> {
        let k = weights.len();
        if k == 0 {
            return Err(Error::Empty);
        }
        if k > K {
            return Err(Error::TooManyDomains { max: K, found: k });
        }
        let mut s = Sampler {
            k,
            w: [0.0; K],
            credit: [0.0; K],
            counts: [0; K],
        };
        s.set_weights(weights)?;
        Ok(s)
    }

    /// Replaces the weights (same length, finite, >= 0, positive sum; normalised),
    /// keeping the credits, so counts follow the weights over time.
    pub fn set_weights(&mut self, weights: &[f64]) -> Result<(), Error> {
        let sum = weight_sum("sampler weights", weights, self.k)?;
        for (w, &v) in self.w.iter_mut().zip(weights) {
            *w = v / sum;
        }
        Ok(())
    }

    /// The next domain.
    pub fn next_domain(&mut self) -> usize {
        let mut best = 0;
        let mut best_credit = f64::NEG_INFINITY;
        let mut total = 0.0;
        for (i, (c, &w)) in self
            .credit
            .iter_mut()
            .zip(self.w.iter())
            .take(self.k)
            .enumerate()
        {
            *c += w;
            total += w;
            if *c > best_credit {
                best_credit = *c;
                best = i;
            }
        }
        if let Some(c) = self.credit.get_mut(best) {
            *c -= total;
        }
        if let Some(n) = self.counts.get_mut(best) {
            *n += 1;
        }
        best
    }

    /// Draws so far per domain (length k).
    pub fn counts(&self) -> &[u64] {
        self.counts.get(..self.k).unwrap_or(&[])
    }
}
