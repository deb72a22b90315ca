//! Exponentiated gradient (entropic mirror descent) on the box-constrained simplex.
//!
//! One step from `h` with gradient `g` and step size `eta` (Shukor et al. section 5):
//!
//! ```text
//! y_i = h_i exp(-eta g_i)          h+ = KL projection of y onto B = clamp(c y, lo, hi)
//! ```
//!
//! which is `argmin_{x in B} <g, x> + KL(x || h) / eta`. Without bounds, the projection is
//! the normalisation `y / sum y` of the paper. The update is computed in log space
//! (`ln y_i = ln h_i - eta (g_i - t)`, shifted by its maximum), so it neither overflows
//! nor produces NaN, and `h` stays strictly positive in every free domain.
//!
//! Step sizes need no tuning:
//! - [`StepRule::Spectral`] (default): a Barzilai-Borwein step in the mirror geometry,
//!   `eta = <dh, d ln h> / <dh, dg>` (the inverse curvature of `f` along the last step
//!   measured by the symmetrised KL divergence), accepted by a non-monotone Armijo test
//!   against the largest of the last [`MEMORY`] values (Grippo-Lampariello-Lucidi).
//! - [`StepRule::Armijo`]: monotone Armijo backtracking; the step doubles after a step
//!   accepted at once.
//!
//! The sufficient-decrease test is `f(h+) <= f_ref + sigma <g, h+ - h>`. Close to the
//! optimum, differences of `f` drown in rounding long before the duality gap reaches
//! `1e-10`, so a step whose value is within rounding of `f(h)` is also accepted when the
//! trapezoid estimate `<g + g+, h+ - h> / 2` of the change satisfies the same test (the
//! "approximate Armijo" condition of Hager and Zhang, which uses gradients only).
//! A non-finite trial value or gradient counts as `+inf`: the step is shortened.
//!
//! Stopping: the Frank-Wolfe duality gap `max_{s in B} <g, h - s>` (see
//! [`crate::frank_wolfe_gap`]) at most [`Config::gap_tol`] ([`Status::Converged`]), the
//! iteration cap, or a step that cannot be made acceptable ([`Status::Stalled`]). For a
//! convex objective the gap bounds `f(h) - min f`; for non-convex laws (e.g. `joint` with
//! `gammaA < 1`) a zero gap means a KKT point.

use mixlaw_core::Real;

use crate::bounds::{gap_with, solve_scale, threshold, Scale};
use crate::objective::SimplexObjective;
use crate::{Bounds, Error};

/// Values remembered by the non-monotone test of [`StepRule::Spectral`].
pub const MEMORY: usize = 8;

/// Sufficient-decrease constant `sigma` of the Armijo tests.
const SIGMA: f64 = 1e-4;
/// Floor of `ln y_i - max_j ln y_j`: keeps every free weight above about `1e-304`.
pub(crate) const LN_FLOOR: f64 = -700.0;
/// Relative slack on `f` within which the gradient-only (approximate Armijo) test applies.
const F_NOISE: f64 = 1e-12;

/// [`LN_FLOOR`] in the float type `T`, raised to stay `8` above `ln` of its smallest normal
/// value (`-700` for `f64`; about `-79.3` for `f32`, weights above about `4e-35`).
fn ln_floor<T: Real>() -> T {
    T::from_f64(LN_FLOOR).max(T::MIN_POSITIVE.ln() + T::from_f64(8.0))
}

/// [`F_NOISE`] in `T`: at least 16 ulps (`1e-12` for `f64`, about `1.9e-6` for `f32`).
fn f_noise<T: Real>() -> T {
    T::from_f64(F_NOISE).max(T::from_f64(16.0) * T::EPSILON)
}

/// The tolerance of the final feasibility check: `1e-9`, or 64 ulps if larger (about
/// `7.6e-6` for `f32`).
fn feasibility_tolerance<T: Real>() -> f64 {
    1e-9f64.max(64.0 * T::EPSILON.to_f64())
}
/// Step-size limits.
const ETA_MIN: f64 = 1e-30;
const ETA_MAX: f64 = 1e30;
/// Weight of the uniform mixture blended into a start point that has zero weights.
const START_BLEND: f64 = 1e-3;

/// How the step size is chosen. Both converge without tuning.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum StepRule {
    /// Barzilai-Borwein steps in the mirror geometry with a non-monotone Armijo safeguard.
    #[default]
    Spectral,
    /// Monotone Armijo backtracking, doubling the step after an immediate acceptance.
    Armijo,
}

/// Solver settings, in the float type `T` of the solve (`f64` by default).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Config<T = f64> {
    /// Stop when the Frank-Wolfe duality gap is at most this (loss units). Default 1e-10
    /// in `f64`; 64 ulps of 1 in a type where that is larger (`2^-17`, about 7.6e-6, in
    /// `f32`: a few ulps of a loss near 3).
    pub gap_tol: T,
    /// Iteration cap (accepted steps). Default 10 000.
    pub max_iter: usize,
    /// Step-size rule. Default [`StepRule::Spectral`].
    pub step: StepRule,
    /// Step shortenings allowed within one iteration before [`Status::Stalled`].
    /// Default 60.
    pub max_backtracks: usize,
}

impl<T: Real> Default for Config<T> {
    fn default() -> Self {
        Config {
            gap_tol: T::from_f64(1e-10).max(T::from_f64(64.0) * T::EPSILON),
            max_iter: 10_000,
            step: StepRule::Spectral,
            max_backtracks: 60,
        }
    }
}

impl<T: Real> Config<T> {
    /// Checks `gap_tol >= 0` (not NaN) and `max_iter >= 1`.
    pub fn check(&self) -> Result<(), Error> {
        if self.gap_tol.is_nan() || self.gap_tol < T::ZERO {
            return Err(Error::InvalidConfig {
                what: "gap_tol must be >= 0",
            });
        }
        if self.max_iter == 0 {
            return Err(Error::InvalidConfig {
                what: "max_iter must be >= 1",
            });
        }
        Ok(())
    }
}

/// Why the solver stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Status {
    /// The duality gap reached [`Config::gap_tol`].
    Converged,
    /// [`Config::max_iter`] steps were taken first.
    MaxIterations,
    /// No acceptable step within [`Config::max_backtracks`] shortenings (typically the
    /// gap is already at the rounding floor of the objective).
    Stalled,
}

/// The result of one solve; the mixture itself is written into the caller's buffer.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Solution<T = f64> {
    /// `f(h*)`.
    pub objective: T,
    /// Frank-Wolfe duality gap at `h*`.
    pub gap: T,
    /// Accepted steps.
    pub iterations: usize,
    /// Objective evaluations (value and gradient), including the start.
    pub evaluations: usize,
    /// Why the solver stopped.
    pub status: Status,
}

/// Largest change of `ln h_i` in one step (a trust region of the mirror step).
const MAX_LOG_STEP: f64 = 20.0;

/// The exponentiated-gradient solver with room for up to `K` domains; all working memory
/// ([`WORK_ARRAYS`] arrays of `K` values) lives inside the struct, so solving never
/// allocates. For a k too large for a struct on the stack, [`minimize_in`] runs the same
/// solve in a caller workspace.
///
/// `T` is the float type of the solve: `f64` by default; `f32` for a law evaluated in single
/// precision ([`crate::LawAt::converted`]), so that a Cortex-M4F runs the whole solve on its
/// FPU (a `Solver<8, f32>` holds 10 x 8 x 4 = 320 bytes of arrays). Bounds are given in
/// `f64` and converted once per solve.
///
/// ```
/// use mixlaw_core::{laws::additive::Additive, Scales};
/// use mixlaw_opt::{Bounds, LawAt, Solver, Status};
///
/// let law = Additive::new(3)?;
/// //            E    A    B    alpha beta C[0..3]        gamma[0..3]
/// let params = [1.5, 2.0, 3.0, 0.3, 0.3, 1.0, 2.0, 3.0, 0.5, 0.4, 0.3];
/// let target = LawAt::new(&law, &params, 1e9, 2e10, Scales { n: 1e9, d: 1e9 })?;
/// let mut h = [1.0 / 3.0; 3]; // the start; overwritten with h*
/// let sol = Solver::<8>::default().minimize(&target, &Bounds::min_weight(0.01), &mut h)?;
/// assert_eq!(sol.status, Status::Converged);
/// assert!(sol.gap <= 1e-10 && h.iter().all(|&v| v >= 0.01));
/// # Ok::<(), mixlaw_opt::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Solver<const K: usize, T = f64> {
    config: Config<T>,
    h: [T; K],
    ln_h: [T; K],
    g: [T; K],
    ht: [T; K],
    ln_ht: [T; K],
    gt: [T; K],
    y: [T; K],
    lo: [T; K],
    hi: [T; K],
    start: [T; K],
}

/// Arrays of k values one solve works in (see [`workspace_len`]).
pub const WORK_ARRAYS: usize = 10;

/// Workspace length [`minimize_in`] needs for k domains: [`WORK_ARRAYS`] `* k`.
pub const fn workspace_len(k: usize) -> usize {
    WORK_ARRAYS * k
}

/// [`Solver::minimize`] with its working memory in the caller's `workspace`
/// ([`workspace_len`]`(k)` entries or more) instead of a `Solver<K>`: the same solve, for any
/// k, e.g. with a workspace on the heap where a `Solver` of that capacity would not fit a
/// thread's stack. A shorter workspace is [`Error::TooManyDomains`].
pub fn minimize_in<T: Real, O: SimplexObjective<T> + ?Sized>(
    config: Config<T>,
    obj: &O,
    bounds: &Bounds<'_>,
    h: &mut [T],
    workspace: &mut [T],
) -> Result<Solution<T>, Error> {
    let k = obj.domains();
    let max = workspace.len() / WORK_ARRAYS;
    if k == 0 {
        return Err(Error::Empty);
    }
    let too_short = Error::TooManyDomains { max, found: k };
    if k > max {
        return Err(too_short);
    }
    let mut parts = workspace.chunks_exact_mut(k);
    let mut next = || parts.next().ok_or(too_short);
    let work = Work {
        h: next()?,
        ln_h: next()?,
        g: next()?,
        ht: next()?,
        ln_ht: next()?,
        gt: next()?,
        y: next()?,
        lo: next()?,
        hi: next()?,
        start: next()?,
    };
    solve(config, obj, bounds, h, work, max)
}

/// The arrays one solve works in, each at least k long (a [`Solver`]'s own, or slices of
/// a caller workspace).
struct Work<'w, T> {
    h: &'w mut [T],
    ln_h: &'w mut [T],
    g: &'w mut [T],
    ht: &'w mut [T],
    ln_ht: &'w mut [T],
    gt: &'w mut [T],
    y: &'w mut [T],
    lo: &'w mut [T],
    hi: &'w mut [T],
    /// The first solve's result, kept across a restart.
    start: &'w mut [T],
}

impl<const K: usize, T: Real> Default for Solver<K, T> {
    fn default() -> Self {
        Self::new(Config::default())
    }
}

impl<const K: usize, T: Real> Solver<K, T> {
    /// A solver with these settings.
    pub fn new(config: Config<T>) -> Self {
        Solver {
            config,
            h: [T::ZERO; K],
            ln_h: [T::ZERO; K],
            g: [T::ZERO; K],
            ht: [T::ZERO; K],
            ln_ht: [T::ZERO; K],
            gt: [T::ZERO; K],
            y: [T::ZERO; K],
            lo: [T::ZERO; K],
            hi: [T::ZERO; K],
            start: [T::ZERO; K],
        }
    }

    /// The settings.
    pub fn config(&self) -> &Config<T> {
        &self.config
    }

    /// Replaces the settings.
    pub fn set_config(&mut self, config: Config<T>) {
        self.config = config;
    }

    /// Minimises `obj` over the box-constrained simplex `bounds`, starting from `h` and
    /// writing the minimiser `h*` back into it.
    ///
    /// The start needs finite, non-negative entries; it is normalised (all zeros means
    /// uniform), blended with `1e-3` of the uniform mixture if some weight is zero (a
    /// multiplicative update cannot leave 0), and KL-projected onto the bounds.
    ///
    /// Errors: `k = 0` or `k > K`, a wrong `h` length, bad start entries, invalid or
    /// infeasible bounds, an invalid [`Config`], or an objective that is not finite at the
    /// start ([`Error::NonFiniteStart`]).
    ///
    /// A solve that stalls is restarted once from the uniform mixture (the better result is
    /// kept). A result that is not on the box-constrained simplex (within 1e-9), or whose objective
    /// is not finite, is never returned as `Ok`: it is [`Error::Numerical`] (seen only on
    /// pathologically scaled objectives, e.g. gradients differing by 1e13 at N ~ 1e-308).
    pub fn minimize<O: SimplexObjective<T> + ?Sized>(
        &mut self,
        obj: &O,
        bounds: &Bounds<'_>,
        h: &mut [T],
    ) -> Result<Solution<T>, Error> {
        let Solver {
            config,
            h: hb,
            ln_h,
            g,
            ht,
            ln_ht,
            gt,
            y,
            lo,
            hi,
            start,
        } = self;
        let work = Work {
            h: hb,
            ln_h,
            g,
            ht,
            ln_ht,
            gt,
            y,
            lo,
            hi,
            start,
        };
        solve(*config, obj, bounds, h, work, K)
    }
}

/// [`Solver::minimize`] in `w` (arrays of at least k entries; `max` domains at most).
fn solve<T: Real, O: SimplexObjective<T> + ?Sized>(
    config: Config<T>,
    obj: &O,
    bounds: &Bounds<'_>,
    h: &mut [T],
    mut w: Work<'_, T>,
    max: usize,
) -> Result<Solution<T>, Error> {
    let mut solution = unchecked(config, obj, bounds, h, &mut w, max)?;
    if solution.status == Status::Stalled {
        // A start at a corner can send the iterate to another corner, where the
        // derivatives of h^gamma terms are astronomically large and steps collapse:
        // restart once from the uniform mixture and keep the better result.
        for (f, v) in w.start.iter_mut().zip(h.iter()) {
            *f = *v;
        }
        let uniform = T::ONE / T::from_usize(h.len());
        h.iter_mut().for_each(|v| *v = uniform);
        let retry = unchecked(config, obj, bounds, h, &mut w, max)?;
        if retry.objective <= solution.objective || !solution.objective.is_finite() {
            solution = Solution {
                iterations: solution.iterations + retry.iterations,
                evaluations: solution.evaluations + retry.evaluations,
                ..retry
            };
        } else {
            for (v, f) in h.iter_mut().zip(w.start.iter()) {
                *v = *f;
            }
        }
    }
    if !solution.objective.is_finite()
        || !solution.gap.is_finite()
        || !bounds.contains(h, feasibility_tolerance::<T>())
    {
        return Err(Error::Numerical {
            what: "the solver's iterate left the feasible set",
        });
    }
    Ok(solution)
}

/// [`Solver::minimize`] without the final feasibility check.
fn unchecked<T: Real, O: SimplexObjective<T> + ?Sized>(
    cfg: Config<T>,
    obj: &O,
    bounds: &Bounds<'_>,
    h: &mut [T],
    w: &mut Work<'_, T>,
    max: usize,
) -> Result<Solution<T>, Error> {
    let k = obj.domains();
    if k == 0 {
        return Err(Error::Empty);
    }
    if k > max {
        return Err(Error::TooManyDomains { max, found: k });
    }
    if h.len() != k {
        return Err(Error::LengthMismatch {
            what: "h",
            expected: k,
            found: h.len(),
        });
    }
    cfg.check()?;
    let (lsum, usum) = bounds.check(k)?;
    let (lsum, usum) = (T::from_f64(lsum), T::from_f64(usum));
    let (zero, one) = (T::ZERO, T::ONE);
    let (sigma, f_noise) = (T::from_f64(SIGMA), f_noise::<T>());
    let (eta_min, eta_max) = (T::from_f64(ETA_MIN), T::from_f64(ETA_MAX));
    let Work {
        h: hb,
        ln_h: lb,
        g: gb,
        ht: htb,
        ln_ht: ltb,
        gt: gtb,
        y: yb,
        lo: lob,
        hi: hib,
        ..
    } = w;
    let short = || Error::TooManyDomains { max, found: k };
    let mut hc = hb.get_mut(..k).ok_or_else(short)?;
    let mut lnh = lb.get_mut(..k).ok_or_else(short)?;
    let mut g = gb.get_mut(..k).ok_or_else(short)?;
    let mut ht = htb.get_mut(..k).ok_or_else(short)?;
    let mut lnht = ltb.get_mut(..k).ok_or_else(short)?;
    let mut gt = gtb.get_mut(..k).ok_or_else(short)?;
    let y = yb.get_mut(..k).ok_or_else(short)?;
    let lo = lob.get_mut(..k).ok_or_else(short)?;
    let hi = hib.get_mut(..k).ok_or_else(short)?;
    for (i, (l, u)) in lo.iter_mut().zip(hi.iter_mut()).enumerate() {
        *l = T::from_f64(bounds.lo(i));
        *u = T::from_f64(bounds.hi(i));
    }
    let (lo, hi) = (&*lo, &*hi);
    let lo_at = |i: usize| lo.get(i).copied().unwrap_or(zero);
    let hi_at = |i: usize| hi.get(i).copied().unwrap_or(zero);
    // The plain simplex takes fast paths: normalisation instead of the projection,
    // the gap against min g.
    let plain = lo.iter().all(|&l| l == zero) && hi.iter().all(|&u| u >= one);
    let any_fixed = lo.iter().zip(hi).any(|(l, u)| l >= u);
    let feasible = Feasible {
        lo,
        hi,
        lsum,
        usum,
        plain,
    };

    // Start: normalise, lift zeros, project.
    let mut sum = zero;
    for (i, &v) in h.iter().enumerate() {
        if !(v >= zero && v.is_finite()) {
            return Err(Error::InvalidInput {
                what: "start h",
                index: i,
            });
        }
        sum += v;
    }
    let inv_k = one / T::from_usize(k);
    for (yi, &v) in y.iter_mut().zip(h.iter()) {
        *yi = if sum > zero { v / sum } else { inv_k };
    }
    let tiny = T::from_f64(1e-300);
    if y.iter().any(|&v| v <= tiny) {
        let blend = T::from_f64(START_BLEND);
        y.iter_mut()
            .for_each(|v| *v = (one - blend) * *v + blend * inv_k);
    }
    let scale = solve_scale(y, lo_at, hi_at, lsum, usum);
    let forced = !matches!(scale, Scale::Factor(_)) || lo.iter().zip(hi).all(|(l, u)| l >= u);
    for (i, ((hv, lv), &yi)) in hc.iter_mut().zip(lnh.iter_mut()).zip(y.iter()).enumerate() {
        *hv = match scale {
            Scale::AllLower => lo_at(i),
            Scale::AllUpper => hi_at(i),
            Scale::Factor(c) => crate::bounds::place(c, yi, lo_at(i), hi_at(i)),
        };
        *lv = hv.ln();
    }
    let mut f = obj.value_grad(hc, lnh, g);
    let mut evaluations = 1;
    if any_fixed {
        zero_fixed(g, lo, hi);
    }
    if !f.is_finite() || g.iter().any(|v| v.is_nan()) {
        return Err(Error::NonFiniteStart);
    }
    let mut sol = Solution {
        objective: f,
        gap: zero,
        iterations: 0,
        evaluations,
        status: Status::Converged,
    };
    if forced {
        h.copy_from_slice(hc);
        return Ok(sol);
    }

    // Initial step: a log-ratio change of at most 1 between free domains.
    let (mut gmin, mut gmax) = (T::INFINITY, T::NEG_INFINITY);
    for (i, &gi) in g.iter().enumerate() {
        if lo_at(i) < hi_at(i) && gi.is_finite() {
            gmin = gmin.min(gi);
            gmax = gmax.max(gi);
        }
    }
    let mut eta = if gmax > gmin {
        (one / (gmax - gmin)).clamp(eta_min, eta_max)
    } else {
        one
    };
    let mut hist = [f; MEMORY];
    let mut slot = 0usize;
    let mut status = Status::MaxIterations;
    let mut it = 0usize;
    let mut gap;
    loop {
        let shift;
        (gap, shift) = if plain {
            simplex_gap(g, hc)
        } else {
            let t = match threshold(g, &lo_at, &hi_at) {
                Some(t) if t.is_finite() => t,
                _ => gmin_finite(g),
            };
            (gap_with(g, hc, lo_at, hi_at), t)
        };
        if gap <= cfg.gap_tol {
            status = Status::Converged;
            break;
        }
        if it >= cfg.max_iter {
            break;
        }
        let f_ref = match cfg.step {
            StepRule::Spectral => hist.iter().copied().fold(f, T::max),
            StepRule::Armijo => f,
        };
        let mut accepted = None;
        for bt in 0..=cfg.max_backtracks {
            if !feasible.eg_step(lnh, g, (eta, shift), y, ht, lnht) {
                break;
            }
            let ft = obj.value_grad(ht, lnht, gt);
            evaluations += 1;
            if any_fixed {
                zero_fixed(gt, lo, hi);
            }
            let mut dec = zero;
            let mut trap = zero;
            for (((&gi, &gti), &hti), &hv) in g.iter().zip(gt.iter()).zip(ht.iter()).zip(hc.iter())
            {
                let dh = hti - hv;
                dec += (gi - shift) * dh;
                trap += T::from_f64(0.5) * ((gi - shift) + (gti - shift)) * dh;
            }
            let finite = ft.is_finite() && gt.iter().all(|v| v.is_finite());
            let ok = finite
                && (ft <= f_ref + sigma * dec
                    || (ft <= f + f_noise * f.abs() && trap <= sigma * dec));
            if ok {
                accepted = Some((ft, bt));
                break;
            }
            // Shorten: safeguarded quadratic interpolation along eta.
            let denom = ft - f - dec;
            let (tenth, half) = (T::from_f64(0.1), T::from_f64(0.5));
            let factor = if !finite {
                tenth
            } else if denom > zero {
                (-dec / (T::from_f64(2.0) * denom)).clamp(tenth, half)
            } else {
                half
            };
            eta = (eta * factor).max(eta_min);
        }
        let Some((ft, bt)) = accepted else {
            status = Status::Stalled;
            break;
        };
        // Next step size.
        let (mut s_l, mut s_g) = (zero, zero);
        for ((((&hti, &hv), &lti), &lv), (&gti, &gi)) in ht
            .iter()
            .zip(hc.iter())
            .zip(lnht.iter())
            .zip(lnh.iter())
            .zip(gt.iter().zip(g.iter()))
        {
            let dh = hti - hv;
            s_l += dh * (lti - lv);
            s_g += dh * (gti - gi);
        }
        eta = match cfg.step {
            StepRule::Spectral => {
                if s_g > zero && s_l > zero {
                    s_l / s_g
                } else {
                    eta * T::from_f64(4.0)
                }
            }
            StepRule::Armijo => {
                if bt == 0 {
                    eta * T::from_f64(2.0)
                } else {
                    eta
                }
            }
        }
        .clamp(eta_min, eta_max);
        core::mem::swap(&mut hc, &mut ht);
        core::mem::swap(&mut lnh, &mut lnht);
        core::mem::swap(&mut g, &mut gt);
        f = ft;
        if let Some(s) = hist.get_mut(slot % MEMORY) {
            *s = f;
        }
        slot += 1;
        it += 1;
    }
    h.copy_from_slice(hc);
    sol.objective = f;
    sol.gap = gap;
    sol.iterations = it;
    sol.evaluations = evaluations;
    sol.status = status;
    Ok(sol)
}

/// The box-constrained simplex `lo <= h <= hi`, `sum h = 1` (bounds already checked).
pub(crate) struct Feasible<'a, T = f64> {
    /// Lower bounds.
    pub(crate) lo: &'a [T],
    /// Upper bounds (capped at 1).
    pub(crate) hi: &'a [T],
    /// `sum lo`.
    pub(crate) lsum: T,
    /// `sum hi`.
    pub(crate) usum: T,
    /// No bounds at all: the projection is a normalisation.
    pub(crate) plain: bool,
}

impl<T: Real> Feasible<'_, T> {
    /// One exponentiated-gradient step from `ln_h` with gradient `g` and
    /// `(eta, shift)`: `ln y_i = ln h_i - eta (g_i - shift)` (each change clamped to
    /// [`MAX_LOG_STEP`], shifted by the maximum and floored at [`LN_FLOOR`], so nothing
    /// overflows), then the KL projection `h_new = clamp(c y, lo, hi)` with `ln h_new`
    /// (a normalisation on the plain simplex). `y` is scratch. Returns `false` when no step
    /// can be taken (an infinite gradient entry, or bounds that leave no free scale).
    pub(crate) fn eg_step(
        &self,
        ln_h: &[T],
        g: &[T],
        (eta, shift): (T, T),
        y: &mut [T],
        h_new: &mut [T],
        ln_h_new: &mut [T],
    ) -> bool {
        let max_log_step = T::from_f64(MAX_LOG_STEP);
        let mut mx = T::NEG_INFINITY;
        for ((yi, &l), &gi) in ln_h_new.iter_mut().zip(ln_h.iter()).zip(g.iter()) {
            // Trust region in log space: a coordinate near 0 whose derivative is
            // astronomically large (h^gamma, gamma < 1) moves by at most a factor
            // e^MAX_LOG_STEP per step instead of swallowing the whole simplex.
            let step = (eta * (gi - shift)).clamp(-max_log_step, max_log_step);
            *yi = if step.is_nan() { l } else { l - step };
            mx = mx.max(*yi);
        }
        if !mx.is_finite() {
            // An infinite gradient entry: shortening cannot help.
            return false;
        }
        let mut ysum = T::ZERO;
        let floor = ln_floor::<T>();
        for (yi, li) in y.iter_mut().zip(ln_h_new.iter_mut()) {
            *li = (*li - mx).max(floor);
            *yi = li.exp();
            ysum += *yi;
        }
        if self.plain {
            // KL projection onto the simplex = normalisation; no clamping.
            let ln_sum = ysum.ln();
            let inv = T::ONE / ysum;
            for ((hv, lv), &yi) in h_new.iter_mut().zip(ln_h_new.iter_mut()).zip(y.iter()) {
                *hv = yi * inv;
                *lv -= ln_sum;
            }
            return true;
        }
        let lo_at = |i: usize| self.lo.get(i).copied().unwrap_or(T::ZERO);
        let hi_at = |i: usize| self.hi.get(i).copied().unwrap_or(T::ZERO);
        match solve_scale(y, lo_at, hi_at, self.lsum, self.usum) {
            Scale::Factor(c) => {
                project_log(c, y, self.lo, self.hi, h_new, ln_h_new);
                true
            }
            _ => false,
        }
    }
}

/// `h_i = clamp(c y_i, lo_i, hi_i)` with `ln h_i`, given `ln y_i` already in `ln_h`.
fn project_log<T: Real>(c: T, y: &[T], lo: &[T], hi: &[T], h: &mut [T], ln_h: &mut [T]) {
    let ln_c = c.ln();
    for ((((hv, lv), &yi), &l), &u) in h.iter_mut().zip(ln_h.iter_mut()).zip(y).zip(lo).zip(hi) {
        let v = c * yi;
        if v <= l {
            *hv = l;
            *lv = l.ln();
        } else if v >= u {
            *hv = u;
            *lv = u.ln();
        } else {
            *hv = v;
            *lv += ln_c;
        }
    }
}

/// Gap on the plain simplex, `sum_i (g_i - min g) h_i`, and `min g` (`+inf` gap when a
/// gradient entry is not finite).
fn simplex_gap<T: Real>(g: &[T], h: &[T]) -> (T, T) {
    let gmin = g.iter().copied().fold(T::INFINITY, T::min);
    if !gmin.is_finite() || g.iter().any(|v| !v.is_finite()) {
        return (T::INFINITY, gmin_finite(g));
    }
    let gap: T = g.iter().zip(h).map(|(&gi, &hv)| (gi - gmin) * hv).sum();
    (gap, gmin)
}

/// Fixed domains (`lo_i = hi_i`) never move: their gradient entries (possibly infinite at
/// a weight fixed to 0) are set to 0 so they cannot poison sums.
fn zero_fixed<T: Real>(g: &mut [T], lo: &[T], hi: &[T]) {
    for ((gi, l), u) in g.iter_mut().zip(lo).zip(hi) {
        if l >= u {
            *gi = T::ZERO;
        }
    }
}

/// The smallest finite entry (0 when none).
fn gmin_finite<T: Real>(g: &[T]) -> T {
    let m = g
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .fold(T::INFINITY, T::min);
    if m.is_finite() {
        m
    } else {
        T::ZERO
    }
}
