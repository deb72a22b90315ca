//! The information-maximising recipe under the paper's high-quality-first constraint
//! `w_0 >= w_1 >= ... >= w_{n-1} >= 0`, `sum w = 1` (Algorithm 1 of arXiv:2605.02364).
//!
//! - [`optimize`]: exact. Every non-increasing probability vector is a mixture of the
//!   uniform distributions `u_j` on the first `j + 1` buckets, `w = sum_j lambda_j u_j`
//!   with `lambda` on the simplex (`lambda_j = (j + 1)(w_j - w_{j+1})`), so the monotone
//!   simplex is the linear image of the plain one. `info` is concave in `w`, hence
//!   `-info(w(lambda))` is convex in `lambda`; it is minimised by exponentiated gradient
//!   ([`mixlaw_opt::Solver`]) with the chain rule
//!   `d info / d lambda_j = (1 / (j + 1)) sum_{i <= j} d info / d w_i`. The Frank-Wolfe gap
//!   in `lambda` equals the one over the monotone simplex (whose vertices are the `u_j`),
//!   so [`Optimum::gap`] bounds `max info - info(w*)`.
//!   The solver runs in chunks; where it does not certify its point (an optimum with a
//!   bucket exactly at capacity, where `info` has a kink, or a badly scaled setting), the
//!   optimum is computed exactly once more by bisection on the multiplier of `sum w = 1`
//!   around pool-adjacent-violators (exact for separable concave terms on a chain), and
//!   the better certified point is kept ([`Setting::certified_gap`]).
//! - [`random_search`]: the paper's search, the best of `samples` Dirichlet(1) draws
//!   sorted in decreasing order (100 000 in the paper).

use mixlaw_opt::{Bounds, Config, SimplexObjective, Solver, Status};

use crate::rng::{sorted_dirichlet, Rng};
use crate::{Error, KinkSide, Setting, MAX_BUCKETS};

/// Default stopping gap of [`optimize`], relative to [`Setting::scale`] (`T g(D)`).
pub const GAP_TOL: f64 = 1e-12;

/// Default iteration cap of [`optimize`]. Smooth optima take about 5-20 steps; an optimum
/// with a bucket exactly at capacity (a kink of `info`) is approached to about `1e-12`
/// within a few hundred, and certified by [`Setting::certified_gap`].
pub const MAX_ITER: usize = 2_000;

/// Samples of the paper's random search.
pub const PAPER_SAMPLES: usize = 100_000;

/// A recipe held on the stack.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Recipe {
    w: [f64; MAX_BUCKETS],
    len: usize,
}

impl Recipe {
    fn new(w: &[f64]) -> Recipe {
        let mut r = Recipe {
            w: [0.0; MAX_BUCKETS],
            len: w.len().min(MAX_BUCKETS),
        };
        for (dst, &v) in r.w.iter_mut().zip(w) {
            *dst = v;
        }
        r
    }

    /// The weights, best bucket first.
    pub fn as_slice(&self) -> &[f64] {
        self.w.get(..self.len).unwrap_or(&[])
    }
}

/// The result of [`optimize`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Optimum {
    /// The optimal recipe `w*` (non-increasing, on the simplex).
    pub recipe: Recipe,
    /// `info(w*)`.
    pub info: f64,
    /// Frank-Wolfe gap at `w*` in information units: `max info - info(w*) <= gap` (the
    /// solver's, or [`Setting::certified_gap`] when smaller).
    pub gap: f64,
    /// Accepted solver steps.
    pub iterations: usize,
    /// Evaluations of `info` with its gradient.
    pub evaluations: usize,
    /// Why the solver stopped.
    pub status: Status,
}

/// The result of [`random_search`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sampled {
    /// The best sampled recipe.
    pub recipe: Recipe,
    /// Its information.
    pub info: f64,
    /// Samples drawn.
    pub samples: usize,
}

/// `w = sum_j lambda_j u_j`: `w_i = sum_{j >= i} lambda_j / (j + 1)` (lengths must agree).
///
/// ```
/// use mixlaw_info::optimize::{mixture_from_monotone, monotone_from_mixture};
/// let mut w = [0.0; 3];
/// monotone_from_mixture(&[0.2, 0.5, 0.3], &mut w)?;
/// assert!((w[0] - 0.55).abs() < 1e-15 && (w[2] - 0.1).abs() < 1e-15);
/// let mut lambda = [0.0; 3];
/// mixture_from_monotone(&w, &mut lambda)?;
/// assert!((lambda[1] - 0.5).abs() < 1e-15);
/// # Ok::<(), mixlaw_info::Error>(())
/// ```
pub fn monotone_from_mixture(lambda: &[f64], w: &mut [f64]) -> Result<(), Error> {
    if lambda.len() != w.len() {
        return Err(Error::LengthMismatch {
            what: "recipe buffer",
            expected: lambda.len(),
            found: w.len(),
        });
    }
    to_w(lambda, w);
    Ok(())
}

/// The inverse map, `lambda_j = (j + 1)(w_j - w_{j+1})` (`w_n = 0`); `lambda` is on the
/// simplex exactly when `w` is a non-increasing recipe.
pub fn mixture_from_monotone(w: &[f64], lambda: &mut [f64]) -> Result<(), Error> {
    if lambda.len() != w.len() {
        return Err(Error::LengthMismatch {
            what: "lambda buffer",
            expected: w.len(),
            found: lambda.len(),
        });
    }
    let mut next = w.iter().skip(1).copied().chain(core::iter::once(0.0));
    for (j, (l, &wj)) in lambda.iter_mut().zip(w).enumerate() {
        *l = (j as f64 + 1.0) * (wj - next.next().unwrap_or(0.0));
    }
    Ok(())
}

#[inline]
fn to_w(lambda: &[f64], w: &mut [f64]) {
    let mut acc = 0.0;
    for (j, (wi, &l)) in w.iter_mut().zip(lambda).enumerate().rev() {
        acc += l / (j as f64 + 1.0);
        *wi = acc;
    }
}

/// `-info(w(lambda)) / (T g(D))` as a [`SimplexObjective`] in `lambda`, with its exact
/// gradient by the chain rule (the left derivative at buckets exactly at capacity, a
/// valid subgradient of this convex function).
#[derive(Clone, Copy, Debug)]
pub struct MonotoneObjective<'a> {
    problem: &'a Setting,
    inv_scale: f64,
}

impl<'a> MonotoneObjective<'a> {
    /// The objective of `problem`.
    pub fn new(problem: &'a Setting) -> Self {
        MonotoneObjective {
            problem,
            inv_scale: 1.0 / problem.scale(),
        }
    }
}

impl SimplexObjective for MonotoneObjective<'_> {
    fn domains(&self) -> usize {
        self.problem.buckets()
    }

    fn value(&self, h: &[f64], _ln_h: &[f64]) -> f64 {
        let mut wb = [0.0; MAX_BUCKETS];
        let Some(w) = wb.get_mut(..h.len()) else {
            return f64::NAN;
        };
        to_w(h, w);
        -self.problem.value(w) * self.inv_scale
    }

    fn value_grad(&self, h: &[f64], _ln_h: &[f64], grad: &mut [f64]) -> f64 {
        let (mut wb, mut gb) = ([0.0; MAX_BUCKETS], [0.0; MAX_BUCKETS]);
        let (Some(w), Some(gw)) = (wb.get_mut(..h.len()), gb.get_mut(..h.len())) else {
            return f64::NAN;
        };
        to_w(h, w);
        let v = self.problem.value_grad(w, gw, KinkSide::Left);
        if self.problem.near_kink(w) {
            // At a capacity kink, the supergradient with the smallest Frank-Wolfe gap: the
            // one-sided derivatives make the iterates chatter across the kink.
            self.problem.supergradient(w, gw);
        }
        let mut prefix = 0.0;
        for (j, (gl, &gi)) in grad.iter_mut().zip(gw.iter()).enumerate() {
            prefix += gi;
            *gl = -prefix * self.inv_scale / (j as f64 + 1.0);
        }
        -v * self.inv_scale
    }
}

/// The exact information-maximising non-increasing recipe of `problem`, stopping at a
/// Frank-Wolfe gap of [`GAP_TOL`] times `T g(D)` or after [`MAX_ITER`] steps.
///
/// ```
/// use mixlaw_info::{optimize, InfoLaw, Setting, Source};
/// let p = Setting::new(&InfoLaw::PAPER, &Source::paper(300e9)?, 7e9, 1000e9)?;
/// let opt = optimize(&p)?;
/// let w = opt.recipe.as_slice();
/// assert!(w.windows(2).all(|v| v[0] >= v[1]) && (w.iter().sum::<f64>() - 1.0).abs() < 1e-12);
/// assert!(opt.gap <= 1e-9 * opt.info);
/// // A large budget spreads over three buckets (paper, Table 6: 0.395, 0.387, 0.214).
/// assert!((w[0] - 0.395).abs() < 0.06 && (w[2] - 0.214).abs() < 0.06);
/// # Ok::<(), mixlaw_info::Error>(())
/// ```
pub fn optimize(problem: &Setting) -> Result<Optimum, Error> {
    optimize_with(
        problem,
        &Config {
            gap_tol: GAP_TOL,
            max_iter: MAX_ITER,
            ..Config::default()
        },
    )
}

/// Steps of the first solver run; then runs of [`CHUNK`] steps, each followed by
/// [`Setting::certified_gap`], until the gap is certified small or the cap is reached.
const FIRST_CHUNK: usize = 50;
const CHUNK: usize = 200;
/// Floor of `lambda` between runs (the solver lifts entries at or below `1e-300`).
const LAMBDA_FLOOR: f64 = 1e-250;

/// [`optimize`] with explicit solver settings (`config.gap_tol` is relative to
/// `T g(D)`; `config.max_iter` caps the total steps).
///
/// The solver stops by itself at smooth optima (its left-derivative gap vanishes). At an
/// optimum with a bucket exactly at capacity it does not, so it runs in chunks, and
/// between chunks [`Setting::certified_gap`] (the gap for the best supergradient) is
/// checked against the same tolerance: when it passes, the status is
/// [`Status::Converged`] and [`Optimum::gap`] is that certified gap.
pub fn optimize_with(problem: &Setting, config: &Config) -> Result<Optimum, Error> {
    config.check()?;
    let n = problem.buckets();
    let short = Error::BucketCount {
        max: MAX_BUCKETS,
        found: n,
    };
    let (mut lb, mut wb, mut pb) = ([0.0; MAX_BUCKETS], [0.0; MAX_BUCKETS], [0.0; MAX_BUCKETS]);
    let mut bb = [0.0; MAX_BUCKETS];
    let best = bb.get_mut(..n).ok_or(short)?;
    let mut best_gap = f64::NAN; // NaN: nothing kept yet
    let lambda = lb.get_mut(..n).ok_or(short)?;
    let w = wb.get_mut(..n).ok_or(short)?;
    let polished = pb.get_mut(..n).ok_or(short)?;
    lambda.iter_mut().for_each(|l| *l = 1.0 / n as f64);
    let objective = MonotoneObjective::new(problem);
    let tol = config.gap_tol * problem.scale();
    let mut solver = Solver::<MAX_BUCKETS>::new(*config);
    let (mut iterations, mut evaluations) = (0, 0);
    let mut chunk = FIRST_CHUNK;
    let mut tried_pava = false;
    loop {
        let steps = chunk.min(config.max_iter - iterations).max(1);
        solver.set_config(Config {
            max_iter: steps,
            ..*config
        });
        let sol = solver.minimize(&objective, &Bounds::SIMPLEX, lambda)?;
        iterations += sol.iterations;
        evaluations += sol.evaluations;
        to_w(lambda, w);
        let mut gap = sol.gap * problem.scale();
        let mut status = sol.status;
        if status != Status::Converged {
            let certified = problem.certify(w);
            if certified < gap {
                gap = certified;
            }
            // Solve exactly without the solver (once) when it does not certify.
            if gap > tol && !tried_pava {
                tried_pava = true;
                if exact_by_pava(problem, polished) {
                    let certified = problem.certify(polished);
                    if certified < gap && problem.value(polished) >= problem.value(w) - gap {
                        w.copy_from_slice(polished);
                        mixture_from_monotone(w, lambda)?;
                        gap = certified;
                    }
                }
            }
            if gap <= tol {
                status = Status::Converged;
            }
        }
        if best_gap.is_nan() || gap < best_gap {
            best_gap = gap;
            best.copy_from_slice(w);
        }
        if status != Status::MaxIterations || iterations >= config.max_iter {
            return Ok(Optimum {
                recipe: Recipe::new(best),
                info: problem.value(best),
                gap: best_gap,
                iterations,
                evaluations,
                status,
            });
        }
        // Restart from here; keep every entry above the solver's lifting threshold.
        lambda.iter_mut().for_each(|l| *l = l.max(LAMBDA_FLOOR));
        chunk = CHUNK;
    }
}

/// The value `v` in `[0, 1]` maximising `sum_{d in s..e} (info_d(v) - mu v)`: the root of
/// the block's summed (non-increasing) derivative minus `mu (e - s)`, by bisection.
fn block_value(problem: &Setting, s: usize, e: usize, mu: f64) -> f64 {
    let excess = |v: f64| (s..e).map(|d| problem.slope_at(d, v) - mu).sum::<f64>();
    if excess(0.0) <= 0.0 {
        return 0.0;
    }
    if excess(1.0) >= 0.0 {
        return 1.0;
    }
    let (mut a, mut b) = (0.0f64, 1.0f64);
    loop {
        let m = 0.5 * (a + b);
        if m <= a || m >= b {
            return m;
        }
        if excess(m) > 0.0 {
            a = m;
        } else {
            b = m;
        }
    }
}

/// Pool-adjacent-violators for `max sum_d (info_d(w_d) - mu w_d)` over non-increasing
/// `w` in `[0, 1]^n` (exact for separable concave terms on a chain), written into `w`;
/// returns `sum w`.
fn pava(problem: &Setting, mu: f64, w: &mut [f64]) -> f64 {
    let (mut start, mut val) = ([0usize; MAX_BUCKETS + 1], [0.0f64; MAX_BUCKETS]);
    let mut top = 0usize;
    let n = w.len();
    for d in 0..n {
        if let (Some(s), Some(v)) = (start.get_mut(top), val.get_mut(top)) {
            *s = d;
            *v = block_value(problem, d, d + 1, mu);
        }
        top += 1;
        // Merge while the previous block is below the last one.
        while top >= 2 {
            let (Some(&vp), Some(&vl), Some(&sp)) =
                (val.get(top - 2), val.get(top - 1), start.get(top - 2))
            else {
                break;
            };
            if vp >= vl {
                break;
            }
            top -= 1;
            if let Some(v) = val.get_mut(top - 1) {
                *v = block_value(problem, sp, d + 1, mu);
            }
        }
    }
    if let Some(s) = start.get_mut(top) {
        *s = n;
    }
    let mut sum = 0.0;
    for b in 0..top {
        let (Some(&s), Some(&e), Some(&v)) = (start.get(b), start.get(b + 1), val.get(b)) else {
            continue;
        };
        for o in w.iter_mut().take(e).skip(s) {
            *o = v;
        }
        sum += (e - s) as f64 * v;
    }
    sum
}

/// The exact optimum without the solver: bisection on the multiplier `mu` of
/// `sum w = 1` around [`pava`] (whose total is non-increasing in `mu`). Buckets in the
/// linear regime make the total jump at the root; the final bracket `[a, b]` is closed by
/// interpolating `w(b) -> w(a)` to total 1 (every point between is a maximiser of the
/// Lagrangian at the root, and non-increasing). Costs milliseconds: the fallback where the
/// solver does not certify (kinks, badly scaled settings). `false` if it fails.
fn exact_by_pava(problem: &Setting, out: &mut [f64]) -> bool {
    let n = out.len();
    let (mut wa, mut wb) = ([0.0; MAX_BUCKETS], [0.0; MAX_BUCKETS]);
    let (Some(wa), Some(wb)) = (wa.get_mut(..n), wb.get_mut(..n)) else {
        return false;
    };
    let (mut a, mut b) = (0.0f64, 0.0f64);
    for d in 0..n {
        b = b.max(problem.slope_at(d, 0.0));
    }
    let (mut ta, mut tb) = (pava(problem, a, wa), pava(problem, b, wb));
    if !(ta >= 1.0 && tb <= 1.0) {
        return false;
    }
    loop {
        let m = 0.5 * (a + b);
        if m <= a || m >= b {
            break;
        }
        let t = pava(problem, m, out);
        if t > 1.0 {
            a = m;
            ta = t;
            wa.copy_from_slice(out);
        } else {
            b = m;
            tb = t;
            wb.copy_from_slice(out);
        }
    }
    let t = if ta > tb { (1.0 - tb) / (ta - tb) } else { 0.0 };
    let mut sum = 0.0;
    for ((o, &va), &vb) in out.iter_mut().zip(wa.iter()).zip(wb.iter()) {
        *o = vb + t * (va - vb);
        sum += *o;
    }
    if !(sum.is_finite() && libm::fabs(sum - 1.0) <= 1e-12) {
        return false;
    }
    out.iter_mut().for_each(|v| *v /= sum);
    true
}

/// The paper's recipe search: the best of `samples` recipes drawn from Dirichlet(1)
/// (uniform on the simplex) and sorted in decreasing order, with the generator seeded by
/// `seed`.
///
/// ```
/// use mixlaw_info::{optimize, random_search, InfoLaw, Setting, Source};
/// let p = Setting::new(&InfoLaw::PAPER, &Source::paper(300e9)?, 7e9, 300e9)?;
/// let best = random_search(&p, 2_000, 7)?;
/// assert!(best.info <= optimize(&p)?.info);
/// # Ok::<(), mixlaw_info::Error>(())
/// ```
pub fn random_search(problem: &Setting, samples: usize, seed: u64) -> Result<Sampled, Error> {
    if samples == 0 {
        return Err(Error::InvalidConfig {
            what: "samples must be >= 1",
        });
    }
    let n = problem.buckets();
    let mut rng = Rng::new(seed);
    let (mut wb, mut bb) = ([0.0; MAX_BUCKETS], [0.0; MAX_BUCKETS]);
    let short = Error::BucketCount {
        max: MAX_BUCKETS,
        found: n,
    };
    let w = wb.get_mut(..n).ok_or(short)?;
    let best = bb.get_mut(..n).ok_or(short)?;
    let mut best_info = f64::NEG_INFINITY;
    for _ in 0..samples {
        sorted_dirichlet(&mut rng, w);
        let v = problem.value(w);
        if v > best_info {
            best_info = v;
            best.copy_from_slice(w);
        }
    }
    Ok(Sampled {
        recipe: Recipe::new(best),
        info: best_info,
        samples,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{InfoLaw, Source};

    /// The two exact routes agree on smooth optima (Table 6 settings).
    #[test]
    fn pava_agrees_with_the_solver() {
        for (n, t) in [(7e9, 200e9), (7e9, 600e9), (1.2e9, 1000e9), (1.8e9, 300e9)] {
            let p = Setting::new(&InfoLaw::PAPER, &Source::paper(300e9).unwrap(), n, t).unwrap();
            let opt = optimize(&p).unwrap();
            let mut w = [0.0; 6];
            assert!(exact_by_pava(&p, &mut w));
            for (a, b) in w.iter().zip(opt.recipe.as_slice()) {
                assert!((a - b).abs() < 1e-7, "{w:?} vs {:?}", opt.recipe);
            }
            assert!((p.value(&w) - opt.info).abs() <= 1e-11 * opt.info);
        }
    }
}
