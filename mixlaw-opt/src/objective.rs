//! Objectives on the simplex: one fitted law at a budget `(N, D)` ([`LawAt`]), a weighted
//! sum of targets ([`Weighted`], Shukor et al. eq 5.2 and C.1), a closure
//! ([`FnObjective`]), and any of them pulled toward a prior mixture ([`KlRegularized`]).

use mixlaw_core::law::GRAD_H_SCRATCH_PER_DOMAIN;
use mixlaw_core::{Law, LawExt, Real, RealLaw, Row, RowOf, Scales, MAX_DOMAINS};

use crate::Error;

/// A smooth function of a mixture `h` on the simplex, with its gradient (in the style of
/// argmin's `CostFunction` + `Gradient`).
///
/// Both methods receive `h` (length [`SimplexObjective::domains`], on the simplex) and
/// `ln_h = ln h` (`-inf` where `h_i = 0`), so laws need not recompute logarithms.
/// Where the function is undefined or overflows, return a non-finite value: solvers treat
/// it as `+inf` and backtrack.
///
/// `T` is the float type (`f64` by default; `f32` for a law evaluated in single precision
/// on a device, see [`LawAt::converted`]).
pub trait SimplexObjective<T: Real = f64> {
    /// Number of domains k.
    fn domains(&self) -> usize;

    /// The value `f(h)`.
    fn value(&self, h: &[T], ln_h: &[T]) -> T;

    /// The value, with the ambient partial derivatives `df/dh_i` written into `grad`
    /// (overwritten, length k). Entries may be `-inf` where `h_i = 0` under an exponent
    /// below 1.
    fn value_grad(&self, h: &[T], ln_h: &[T], grad: &mut [T]) -> T;
}

impl<T: Real, O: SimplexObjective<T> + ?Sized> SimplexObjective<T> for &O {
    fn domains(&self) -> usize {
        (**self).domains()
    }
    fn value(&self, h: &[T], ln_h: &[T]) -> T {
        (**self).value(h, ln_h)
    }
    fn value_grad(&self, h: &[T], ln_h: &[T], grad: &mut [T]) -> T {
        (**self).value_grad(h, ln_h, grad)
    }
}

/// A fitted law with its natural parameters at a fixed budget `(N, D)`, as a function of
/// the mixture: `h -> L(N, D, h)` (Shukor et al. eq 5.1); for a law with several outputs
/// (the capacity laws) `h -> sum_j w_j L_j(N, D, h)`, the bilevel objective of Dai &
/// Zheng's optimal-mixture search (uniform `w` by default, see
/// [`LawAt::with_output_weights`]), its gradient through the law's own
/// [`Law::grad_h_outputs`].
///
/// `L` may be a concrete law or `dyn Law`, so targets of different laws can be mixed in
/// one [`Weighted`] sum.
///
/// `K` (default [`MAX_DOMAINS`]) bounds the domains and outputs: a law with several outputs
/// stages them (and its scratch, up to `GRAD_H_SCRATCH_PER_DOMAIN * K` entries) in arrays on
/// the stack ([`LawAt::with_capacity`] picks a small
/// `K` for a device). `T` is the float type of evaluation: `f64`, or `f32` through
/// [`LawAt::converted`] (parameters and budget converted once).
pub struct LawAt<'a, L: ?Sized, const K: usize = MAX_DOMAINS, T = f64> {
    law: &'a L,
    params: &'a [T],
    output_weights: Option<&'a [f64]>,
    scales: Scales,
    n: T,
    ln_n: T,
    d: T,
    ln_d: T,
}

impl<L: ?Sized, const K: usize, T: Real> Clone for LawAt<'_, L, K, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<L: ?Sized, const K: usize, T: Real> Copy for LawAt<'_, L, K, T> {}

impl<L: Law + ?Sized, const K: usize, T: Real> core::fmt::Debug for LawAt<'_, L, K, T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("LawAt")
            .field("law", &self.law.name())
            .field("float", &T::NAME)
            .field("params", &self.params)
            .field("n", &(self.n.to_f64() * self.scales.n))
            .field("d", &(self.d.to_f64() * self.scales.d))
            .finish()
    }
}

impl<'a, L: Law + ?Sized> LawAt<'a, L> {
    /// `law` with natural `params` (validated) at raw model size `n` and tokens `d`,
    /// divided by `scales` as in the fit. Laws without `h` are rejected.
    pub fn new(
        law: &'a L,
        params: &'a [f64],
        n: f64,
        d: f64,
        scales: Scales,
    ) -> Result<Self, Error> {
        Self::with_capacity(law, params, n, d, scales)
    }
}

impl<'a, L: Law + ?Sized, const K: usize> LawAt<'a, L, K> {
    /// [`LawAt::new`] for at most `K` domains and outputs (heapless style: a device
    /// solving a k = 6 problem uses `LawAt::<_, 6>::with_capacity`). Errors as
    /// [`LawAt::new`], and [`Error::TooManyDomains`] above `K`.
    pub fn with_capacity(
        law: &'a L,
        params: &'a [f64],
        n: f64,
        d: f64,
        scales: Scales,
    ) -> Result<Self, Error> {
        law.check_params(params)?;
        scales.check()?;
        if !law.inputs().h || law.domains() == 0 {
            return Err(Error::InvalidConfig {
                what: "the law does not depend on the mixture h",
            });
        }
        for found in [law.domains(), law.outputs()] {
            if found > K {
                return Err(Error::TooManyDomains { max: K, found });
            }
        }
        let needed = law.grad_h_scratch_len();
        if needed > GRAD_H_SCRATCH_PER_DOMAIN * K {
            return Err(Error::TooManyDomains {
                max: GRAD_H_SCRATCH_PER_DOMAIN * K,
                found: needed,
            });
        }
        let mut t = LawAt {
            law,
            params,
            output_weights: None,
            scales,
            n: 1.0,
            ln_n: 0.0,
            d: 1.0,
            ln_d: 0.0,
        };
        t.rebind(n, d)?;
        Ok(t)
    }

    /// Weights `w_j` of the law's outputs (one per output, finite, >= 0, not all 0):
    /// the objective becomes `sum_j w_j L_j`. Without them a law with m outputs weighs
    /// each by `1/m`.
    pub fn with_output_weights(mut self, weights: &'a [f64]) -> Result<Self, Error> {
        let m = self.law.outputs();
        if weights.len() != m {
            return Err(mixlaw_core::Error::LengthMismatch {
                what: "output weights",
                expected: m,
                found: weights.len(),
            });
        }
        if weights.iter().any(|w| !(w.is_finite() && *w >= 0.0))
            || weights.iter().all(|w| *w == 0.0)
        {
            return Err(mixlaw_core::Error::InvalidConfig {
                what: "output weights must be finite, >= 0 and not all 0",
            });
        }
        self.output_weights = Some(weights);
        Ok(self)
    }

    /// The same law at another budget `(n, d)` (raw units).
    pub fn at(&self, n: f64, d: f64) -> Result<Self, Error> {
        let mut t = *self;
        t.rebind(n, d)?;
        Ok(t)
    }

    fn rebind(&mut self, n: f64, d: f64) -> Result<(), Error> {
        for (i, v) in [n, d].into_iter().enumerate() {
            if !(v > 0.0 && v.is_finite()) {
                return Err(Error::InvalidInput {
                    what: "budget (N, D)",
                    index: i,
                });
            }
        }
        self.n = n / self.scales.n;
        self.d = d / self.scales.d;
        self.ln_n = libm::log(self.n);
        self.ln_d = libm::log(self.d);
        Ok(())
    }

    /// The law.
    pub fn law(&self) -> &'a L {
        self.law
    }

    /// Raw model size N.
    pub fn n(&self) -> f64 {
        self.n * self.scales.n
    }

    /// Raw training tokens D.
    pub fn d(&self) -> f64 {
        self.d * self.scales.d
    }

    #[inline]
    fn row<'r>(&self, h: &'r [f64], ln_h: &'r [f64]) -> Row<'r> {
        Row {
            h,
            ln_h,
            n: self.n,
            ln_n: self.ln_n,
            d: self.d,
            ln_d: self.ln_d,
            u: 1.0,
            output: 0,
        }
    }

    /// `sum_j w_j L_j` and its h-gradient (into `grad`, when given) for a law with
    /// several outputs or explicit output weights.
    fn weighted(&self, h: &[f64], ln_h: &[f64], grad: Option<&mut [f64]>) -> f64 {
        let m = self.law.outputs().min(K);
        let uniform = [1.0 / m as f64; K];
        let w = self
            .output_weights
            .unwrap_or(uniform.get(..m).unwrap_or(&[]));
        let row = self.row(h, ln_h);
        match grad {
            Some(g) => {
                let mut scratch = [[0.0; K]; GRAD_H_SCRATCH_PER_DOMAIN];
                let scratch = scratch.as_flattened_mut();
                let needed = self.law.grad_h_scratch_len();
                match scratch.get_mut(..needed) {
                    Some(scratch) => self.law.grad_h_outputs(self.params, &row, w, g, scratch),
                    // Checked in `with_capacity`.
                    None => f64::NAN,
                }
            }
            None => {
                let mut values = [0.0; K];
                let values = values.get_mut(..m).unwrap_or(&mut []);
                let mut state = [f64::NAN; 4];
                let sl = self.law.state_len().min(state.len());
                self.law.eval_outputs(
                    self.params,
                    &row,
                    values,
                    None,
                    state.get_mut(..sl).unwrap_or(&mut []),
                    &mut [],
                );
                values
                    .iter()
                    .zip(w)
                    .filter(|(_, &w)| w != 0.0)
                    .map(|(v, w)| v * w)
                    .sum()
            }
        }
    }

    fn plain(&self) -> bool {
        self.output_weights.is_none() && self.law.outputs() == 1
    }

    /// This law at this budget in the float type `T` (`f32` on a device whose FPU is
    /// single precision): the natural parameters are converted once into `params`
    /// (length `num_params()`, rounded to nearest), `N` and `D` are scaled and their
    /// logarithms taken in `f64`, then converted. Only laws whose formula is written for
    /// any float type ([`RealLaw`]) offer this, and only with one output and no output
    /// weights ([`Error::InvalidConfig`] otherwise). A parameter outside the normal range
    /// of `T` (for `f32`: a magnitude above about 3.4e38, or non-zero below 1.2e-38) is
    /// [`Error::InvalidInput`]: rounded to infinity, 0 or a subnormal it would change the
    /// law, not round it.
    pub fn converted<'b, T: Real>(&self, params: &'b mut [T]) -> Result<LawAt<'b, L, K, T>, Error>
    where
        L: RealLaw,
        'a: 'b,
    {
        if !self.plain() {
            return Err(Error::InvalidConfig {
                what: "only a law with one output and no output weights converts to another float type",
            });
        }
        if params.len() != self.params.len() {
            return Err(Error::LengthMismatch {
                what: "converted parameters",
                expected: self.params.len(),
                found: params.len(),
            });
        }
        for (i, (t, &p)) in params.iter_mut().zip(self.params).enumerate() {
            *t = T::from_f64(p);
            // A parameter the type cannot hold (one that overflows, or a non-zero one that
            // flushes to 0 or to a subnormal) would be a different law, not a rounded one.
            if !t.is_finite() || (p != 0.0 && t.abs() < T::MIN_POSITIVE) {
                return Err(Error::InvalidInput {
                    what: "a parameter outside the float type's normal range",
                    index: i,
                });
            }
        }
        Ok(LawAt {
            law: self.law,
            params,
            output_weights: None,
            scales: self.scales,
            n: T::from_f64(self.n),
            ln_n: T::from_f64(self.ln_n),
            d: T::from_f64(self.d),
            ln_d: T::from_f64(self.ln_d),
        })
    }
}

impl<L: RealLaw + ?Sized, const K: usize> LawAt<'_, L, K, f32> {
    #[inline]
    fn row_of<'r>(&self, h: &'r [f32], ln_h: &'r [f32]) -> RowOf<'r, f32> {
        RowOf {
            h,
            ln_h,
            n: self.n,
            ln_n: self.ln_n,
            d: self.d,
            ln_d: self.ln_d,
            u: 1.0,
        }
    }
}

/// The single-precision objective of a device (see [`LawAt::converted`]): the law's own
/// generic formula ([`RealLaw`]) evaluated in `f32`.
impl<L: RealLaw + ?Sized, const K: usize> SimplexObjective<f32> for LawAt<'_, L, K, f32> {
    fn domains(&self) -> usize {
        self.law.domains()
    }
    #[inline]
    fn value(&self, h: &[f32], ln_h: &[f32]) -> f32 {
        self.law.value_of(self.params, &self.row_of(h, ln_h))
    }
    #[inline]
    fn value_grad(&self, h: &[f32], ln_h: &[f32], grad: &mut [f32]) -> f32 {
        self.law.grad_h_of(self.params, &self.row_of(h, ln_h), grad)
    }
}

impl<L: Law + ?Sized, const K: usize> SimplexObjective for LawAt<'_, L, K> {
    fn domains(&self) -> usize {
        self.law.domains()
    }
    #[inline]
    fn value(&self, h: &[f64], ln_h: &[f64]) -> f64 {
        if self.plain() {
            self.law.eval_row(self.params, &self.row(h, ln_h), None)
        } else {
            self.weighted(h, ln_h, None)
        }
    }
    #[inline]
    fn value_grad(&self, h: &[f64], ln_h: &[f64], grad: &mut [f64]) -> f64 {
        if self.plain() {
            self.law.grad_h_row(self.params, &self.row(h, ln_h), grad)
        } else {
            self.weighted(h, ln_h, Some(grad))
        }
    }
}

/// An objective that can be moved to another budget `(N, D)` (raw units), for sweeps
/// along compute budgets ([`crate::budget`]).
pub trait AtBudget: SimplexObjective {
    /// Re-binds the objective to model size `n` and training tokens `d`.
    fn set_budget(&mut self, n: f64, d: f64) -> Result<(), Error>;
}

impl<L: Law + ?Sized, const K: usize> AtBudget for LawAt<'_, L, K> {
    fn set_budget(&mut self, n: f64, d: f64) -> Result<(), Error> {
        self.rebind(n, d)
    }
}

/// Storage of the targets of a [`Weighted`] sum: `&[T]`, `&[T; M]`, `&mut [T]` or an
/// owned `[T; M]`.
pub trait Targets {
    /// The target type.
    type Target: SimplexObjective;
    /// The targets.
    fn targets(&self) -> &[Self::Target];
}

/// Targets that can be changed in place (to move them to another budget).
pub trait TargetsMut: Targets {
    /// The targets, mutably.
    fn targets_mut(&mut self) -> &mut [Self::Target];
}

impl<T: SimplexObjective> Targets for &[T] {
    type Target = T;
    fn targets(&self) -> &[T] {
        self
    }
}

impl<T: SimplexObjective, const M: usize> Targets for &[T; M] {
    type Target = T;
    fn targets(&self) -> &[T] {
        &self[..]
    }
}

impl<T: SimplexObjective> Targets for &mut [T] {
    type Target = T;
    fn targets(&self) -> &[T] {
        self
    }
}

impl<T: SimplexObjective> TargetsMut for &mut [T] {
    fn targets_mut(&mut self) -> &mut [T] {
        self
    }
}

impl<T: SimplexObjective, const M: usize> Targets for [T; M] {
    type Target = T;
    fn targets(&self) -> &[T] {
        self
    }
}

impl<T: SimplexObjective, const M: usize> TargetsMut for [T; M] {
    fn targets_mut(&mut self) -> &mut [T] {
        self
    }
}

/// A weighted sum of targets, `f(h) = sum_j w_j f_j(h)` (Shukor et al. eq 5.2 with
/// importance weights, eq C.1). The targets are held in any [`Targets`] storage; `K`
/// bounds the number of domains (each target's gradient is staged in a `[f64; K]` on the
/// stack).
#[derive(Clone, Copy, Debug)]
pub struct Weighted<'w, S, const K: usize> {
    targets: S,
    weights: &'w [f64],
    k: usize,
}

impl<'w, S: Targets, const K: usize> Weighted<'w, S, K> {
    /// `targets` (at least one, all with the same k <= K) with `weights` (finite, >= 0,
    /// not all 0; they need not sum to 1).
    pub fn new(targets: S, weights: &'w [f64]) -> Result<Self, Error> {
        let k = check_targets::<S::Target>(targets.targets(), weights, K)?;
        Ok(Weighted {
            targets,
            weights,
            k,
        })
    }

    /// The targets.
    pub fn targets(&self) -> &[S::Target] {
        self.targets.targets()
    }

    /// The weights.
    pub fn weights(&self) -> &'w [f64] {
        self.weights
    }

    /// Replaces the weights (same checks as [`Weighted::new`]); for the map
    /// `w -> h*(w)` of Shukor et al. appendix C.1.
    pub fn set_weights(&mut self, weights: &'w [f64]) -> Result<(), Error> {
        check_targets::<S::Target>(self.targets.targets(), weights, K)?;
        self.weights = weights;
        Ok(())
    }

    /// The storage back.
    pub fn into_targets(self) -> S {
        self.targets
    }
}

/// Checks targets and weights; returns k.
fn check_targets<T: SimplexObjective>(
    targets: &[T],
    weights: &[f64],
    cap: usize,
) -> Result<usize, Error> {
    let first = targets.first().ok_or(Error::Empty)?;
    if weights.len() != targets.len() {
        return Err(Error::LengthMismatch {
            what: "target weights",
            expected: targets.len(),
            found: weights.len(),
        });
    }
    let k = first.domains();
    if k > cap {
        return Err(Error::TooManyDomains { max: cap, found: k });
    }
    for t in targets {
        if t.domains() != k {
            return Err(Error::LengthMismatch {
                what: "domains of a target",
                expected: k,
                found: t.domains(),
            });
        }
    }
    let mut total = 0.0;
    for (j, &w) in weights.iter().enumerate() {
        if !(w >= 0.0 && w.is_finite()) {
            return Err(Error::InvalidInput {
                what: "target weight",
                index: j,
            });
        }
        total += w;
    }
    if total <= 0.0 {
        return Err(Error::InvalidConfig {
            what: "target weights are all zero",
        });
    }
    Ok(k)
}

impl<S: Targets, const K: usize> SimplexObjective for Weighted<'_, S, K> {
    fn domains(&self) -> usize {
        self.k
    }
    fn value(&self, h: &[f64], ln_h: &[f64]) -> f64 {
        self.targets
            .targets()
            .iter()
            .zip(self.weights)
            .filter(|(_, &w)| w != 0.0)
            .map(|(t, &w)| w * t.value(h, ln_h))
            .sum()
    }
    fn value_grad(&self, h: &[f64], ln_h: &[f64], grad: &mut [f64]) -> f64 {
        let mut tmp = [0.0; K];
        let tmp = tmp.get_mut(..self.k).unwrap_or(&mut []);
        grad.iter_mut().for_each(|g| *g = 0.0);
        let mut v = 0.0;
        for (t, &w) in self.targets.targets().iter().zip(self.weights) {
            if w == 0.0 {
                continue;
            }
            v += w * t.value_grad(h, ln_h, tmp);
            for (g, &d) in grad.iter_mut().zip(tmp.iter()) {
                *g += w * d;
            }
        }
        v
    }
}

impl<S: TargetsMut, const K: usize> AtBudget for Weighted<'_, S, K>
where
    S::Target: AtBudget,
{
    fn set_budget(&mut self, n: f64, d: f64) -> Result<(), Error> {
        for t in self.targets.targets_mut() {
            t.set_budget(n, d)?;
        }
        Ok(())
    }
}

/// A closure as an objective: `f(h, ln_h, grad)` returns the value and, when `grad` is
/// `Some`, writes the gradient.
///
/// ```
/// use mixlaw_opt::{FnObjective, SimplexObjective};
/// // f(h) = sum_i (h_i - t_i)^2
/// let t = [0.5, 0.3, 0.2];
/// let f = FnObjective::new(3, |h: &[f64], _: &[f64], g: Option<&mut [f64]>| {
///     if let Some(g) = g {
///         for ((g, h), t) in g.iter_mut().zip(h).zip(&t) { *g = 2.0 * (h - t); }
///     }
///     h.iter().zip(&t).map(|(h, t)| (h - t) * (h - t)).sum()
/// });
/// assert_eq!(f.domains(), 3);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct FnObjective<F> {
    k: usize,
    f: F,
}

impl<F> FnObjective<F>
where
    F: Fn(&[f64], &[f64], Option<&mut [f64]>) -> f64,
{
    /// Wraps `f` for `k` domains.
    pub fn new(k: usize, f: F) -> Self {
        FnObjective { k, f }
    }
}

impl<F> SimplexObjective for FnObjective<F>
where
    F: Fn(&[f64], &[f64], Option<&mut [f64]>) -> f64,
{
    fn domains(&self) -> usize {
        self.k
    }
    fn value(&self, h: &[f64], ln_h: &[f64]) -> f64 {
        (self.f)(h, ln_h, None)
    }
    fn value_grad(&self, h: &[f64], ln_h: &[f64], grad: &mut [f64]) -> f64 {
        (self.f)(h, ln_h, Some(grad))
    }
}

/// An objective plus a KL penalty toward a prior mixture:
///
/// ```text
/// F_lambda(h) = F(h) + lambda KL(h || p),   KL(h || p) = sum_i h_i ln(h_i / p_i)
/// dF_lambda / dh_i = dF / dh_i + lambda (ln(h_i / p_i) + 1)
/// ```
///
/// (`0 ln 0 = 0`; `p` is normalised to sum 1). `KL(. || p)` is convex, so for a convex `F`
/// the solver's Frank-Wolfe gap still bounds `F_lambda(h) - min F_lambda`; with `lambda = 0`
/// this is `F` exactly, and as `lambda` grows the minimiser tends to the prior (projected on
/// the bounds). This is the regularised proposer of olmix (KL to the natural distribution).
///
/// A domain with `p_i = 0` can only get weight 0 (`KL = +inf` otherwise): pass
/// [`KlRegularized::caps`] to [`crate::Bounds::with_caps`]. Report the law's value and the
/// penalised one with [`KlRegularized::parts`].
///
/// ```
/// use mixlaw_opt::{Bounds, FnObjective, KlRegularized, Solver};
/// // F(h) = h_0 (a law preferring domain 1), pulled toward the prior (0.5, 0.5).
/// let f = FnObjective::new(2, |h: &[f64], _: &[f64], g: Option<&mut [f64]>| {
///     if let Some(g) = g { g[0] = 1.0; g[1] = 0.0; }
///     h[0]
/// });
/// let reg = KlRegularized::new(&f, &[0.5, 0.5], 1.0)?;
/// let mut h = [0.5, 0.5];
/// let sol = Solver::<4>::default().minimize(&reg, &Bounds::SIMPLEX, &mut h)?;
/// // Minimiser p_i exp(-g_i / lambda) normalised: h_0 = 1 / (1 + e).
/// assert!((h[0] - 1.0 / (1.0 + 1f64.exp())).abs() < 1e-9);
/// let (objective, penalized) = reg.parts(&h)?;
/// assert!((objective - h[0]).abs() < 1e-15 && (penalized - sol.objective).abs() < 1e-12);
/// # Ok::<(), mixlaw_opt::Error>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct KlRegularized<'p, O> {
    inner: O,
    prior: &'p [f64],
    /// `ln sum_i p_i`, so `ln(p_i / sum p) = ln p_i - ln_sum`.
    ln_sum: f64,
    lambda: f64,
}

impl<'p, O: SimplexObjective> KlRegularized<'p, O> {
    /// `inner + lambda KL(. || prior)`: `prior` of length `inner.domains()`, entries finite
    /// and `>= 0`, not all 0 (normalised here); `lambda` finite and `>= 0`.
    pub fn new(inner: O, prior: &'p [f64], lambda: f64) -> Result<Self, Error> {
        let k = inner.domains();
        if prior.len() != k {
            return Err(Error::LengthMismatch {
                what: "prior",
                expected: k,
                found: prior.len(),
            });
        }
        if let Some(i) = prior.iter().position(|p| !(*p >= 0.0 && p.is_finite())) {
            return Err(Error::InvalidInput {
                what: "prior",
                index: i,
            });
        }
        let sum: f64 = prior.iter().sum();
        if !(sum > 0.0 && sum.is_finite()) {
            return Err(Error::InvalidConfig {
                what: "the prior must have a positive, finite sum",
            });
        }
        if !(lambda >= 0.0 && lambda.is_finite()) {
            return Err(Error::InvalidConfig {
                what: "the KL weight lambda must be finite and >= 0",
            });
        }
        Ok(KlRegularized {
            inner,
            prior,
            ln_sum: libm::log(sum),
            lambda,
        })
    }

    /// The unregularised objective.
    pub fn inner(&self) -> &O {
        &self.inner
    }

    /// `lambda`.
    pub fn lambda(&self) -> f64 {
        self.lambda
    }

    /// Upper caps for [`crate::Bounds::with_caps`]: 0 where the prior is 0 (when
    /// `lambda > 0`), `+inf` elsewhere. `out` has length k.
    pub fn caps(&self, out: &mut [f64]) -> Result<(), Error> {
        if out.len() != self.prior.len() {
            return Err(Error::LengthMismatch {
                what: "caps",
                expected: self.prior.len(),
                found: out.len(),
            });
        }
        for (o, &p) in out.iter_mut().zip(self.prior) {
            *o = if p == 0.0 && self.lambda > 0.0 {
                0.0
            } else {
                f64::INFINITY
            };
        }
        Ok(())
    }

    /// `KL(h || p)` given `ln_h` (`+inf` where `h_i > 0 = p_i`).
    fn kl(&self, h: &[f64], ln_h: &[f64]) -> f64 {
        h.iter()
            .zip(ln_h)
            .zip(self.prior)
            .filter(|((&v, _), _)| v > 0.0)
            .map(|((&v, &l), &p)| {
                if p > 0.0 {
                    v * (l - (libm::log(p) - self.ln_sum))
                } else {
                    f64::INFINITY
                }
            })
            .sum()
    }

    /// `(F(h), F(h) + lambda KL(h || p))` at a mixture `h`: the law's value (the
    /// `objective` to report) and the penalised value the solver minimised. `ln h` is
    /// staged on the stack, so `k <= MAX_DOMAINS` ([`Error::TooManyDomains`] beyond: use
    /// [`KlRegularized::parts_with`]).
    pub fn parts(&self, h: &[f64]) -> Result<(f64, f64), Error> {
        let k = self.prior.len();
        if k > MAX_DOMAINS {
            return Err(Error::TooManyDomains {
                max: MAX_DOMAINS,
                found: k,
            });
        }
        let mut ln_h = [0.0; MAX_DOMAINS];
        self.parts_with(h, ln_h.get_mut(..k).unwrap_or(&mut []))
    }

    /// [`KlRegularized::parts`] for any k, with `ln h` staged in the caller's `ln_h`
    /// (k entries, overwritten).
    pub fn parts_with(&self, h: &[f64], ln_h: &mut [f64]) -> Result<(f64, f64), Error> {
        let k = self.prior.len();
        for (what, found) in [("h", h.len()), ("ln_h", ln_h.len())] {
            if found != k {
                return Err(Error::LengthMismatch {
                    what,
                    expected: k,
                    found,
                });
            }
        }
        for (l, &v) in ln_h.iter_mut().zip(h) {
            *l = libm::log(v);
        }
        let f = self.inner.value(h, ln_h);
        let penalized = if self.lambda > 0.0 {
            f + self.lambda * self.kl(h, ln_h)
        } else {
            f
        };
        Ok((f, penalized))
    }
}

impl<O: SimplexObjective> SimplexObjective for KlRegularized<'_, O> {
    fn domains(&self) -> usize {
        self.inner.domains()
    }
    fn value(&self, h: &[f64], ln_h: &[f64]) -> f64 {
        let f = self.inner.value(h, ln_h);
        if self.lambda > 0.0 {
            f + self.lambda * self.kl(h, ln_h)
        } else {
            f
        }
    }
    fn value_grad(&self, h: &[f64], ln_h: &[f64], grad: &mut [f64]) -> f64 {
        let f = self.inner.value_grad(h, ln_h, grad);
        if self.lambda == 0.0 {
            return f;
        }
        for (((g, &v), &l), &p) in grad.iter_mut().zip(h).zip(ln_h).zip(self.prior) {
            *g += if v > 0.0 {
                if p > 0.0 {
                    self.lambda * (l - (libm::log(p) - self.ln_sum) + 1.0)
                } else {
                    f64::INFINITY
                }
            } else if p > 0.0 {
                f64::NEG_INFINITY
            } else {
                // h_i = p_i = 0: the domain is pinned at 0 (see `caps`).
                0.0
            };
        }
        f + self.lambda * self.kl(h, ln_h)
    }
}
