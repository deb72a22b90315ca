//! Budgets: the optimal mixture `h*(N, D)` along a list of budgets (iso-FLOP lines
//! `C = 6 N D`, fixed-N or fixed-D paths; Shukor et al. Figures 5 and 10), and the
//! compute-optimal `(N, D, h)` for a given `C` under a joint law.
//!
//! Sweeps warm-start each solve from the previous optimum. Data availability
//! (`h_i <= U_i * max_epochs / D`) tightens the upper bounds at each budget.
//!
//! ```
//! use mixlaw_core::{laws::joint::Joint, Scales};
//! use mixlaw_opt::budget::{compute_optimal, iso_flop, sweep, Budget, ComputeConfig, Constraints};
//! use mixlaw_opt::{Bounds, LawAt, Solution, Solver, Status};
//!
//! let law = Joint::new(2)?;
//! //          E    alpha beta C[0..2]   gamma[0..2] CA[0..2]  gammaA CB[0..2]  gammaB
//! let p = [1.5, 0.3, 0.3, 1.0, 3.0, 0.5, 0.4, 0.5, 1.0, 1.0, 2.0, 1.0, 1.1];
//! let mut target = LawAt::new(&law, &p, 1e9, 1e10, Scales { n: 1e9, d: 1e9 })?;
//! let cons = Constraints::bounds(Bounds::min_weight(0.01));
//! let mut solver = Solver::<4>::default();
//! // h* along the iso-FLOP line C = 1e21, N from 1e8 to 1e10.
//! let mut budgets = [Budget { n: 1.0, d: 1.0 }; 5];
//! iso_flop(1e21, 1e8, 1e10, &mut budgets)?;
//! let (mut h, mut rows) = ([0.5; 2], [0.0; 10]);
//! let mut sols = [Solution { objective: 0.0, gap: 0.0, iterations: 0, evaluations: 0, status: Status::Converged }; 5];
//! sweep(&mut solver, &mut target, &cons, &budgets, &mut h, &mut rows, &mut sols)?;
//! // The compute-optimal (N, D, h) for the same C.
//! let opt = compute_optimal(&mut solver, &mut target, &cons, 1e21, &ComputeConfig::default(), &mut h)?;
//! assert!((opt.budget.compute() / 1e21 - 1.0).abs() < 1e-12 && !opt.at_edge);
//! # Ok::<(), mixlaw_opt::Error>(())
//! ```

use crate::objective::AtBudget;
use crate::{Bounds, Error, Solution, Solver};

/// A training budget: model parameters `n` and training tokens `d` (raw units).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Budget {
    /// Model parameters N.
    pub n: f64,
    /// Training tokens D.
    pub d: f64,
}

impl Budget {
    /// A budget with finite, positive `n` and `d`.
    pub fn new(n: f64, d: f64) -> Result<Self, Error> {
        for (i, v) in [n, d].into_iter().enumerate() {
            if !(v > 0.0 && v.is_finite()) {
                return Err(Error::InvalidInput {
                    what: "budget (N, D)",
                    index: i,
                });
            }
        }
        Ok(Budget { n, d })
    }

    /// The budget of compute `c = 6 N D` FLOPs at model size `n`: `D = c / (6 n)`.
    pub fn from_compute(c: f64, n: f64) -> Result<Self, Error> {
        Budget::new(n, c / (6.0 * n))
    }

    /// Its compute `6 N D`.
    pub fn compute(&self) -> f64 {
        6.0 * self.n * self.d
    }
}

/// Fills `out` with values spaced evenly in `ln` from `lo` to `hi` inclusive (both > 0).
pub fn log_space(lo: f64, hi: f64, out: &mut [f64]) -> Result<(), Error> {
    if !(lo > 0.0 && hi > 0.0 && lo.is_finite() && hi.is_finite()) {
        return Err(Error::InvalidConfig {
            what: "log_space needs finite bounds > 0",
        });
    }
    let (a, b) = (libm::log(lo), libm::log(hi));
    let m = out.len();
    for (j, o) in out.iter_mut().enumerate() {
        *o = if j == 0 {
            lo
        } else if j + 1 == m {
            hi
        } else {
            libm::exp(a + (b - a) * j as f64 / (m - 1) as f64)
        };
    }
    Ok(())
}

/// Fills `out` with the iso-FLOP budgets of compute `c`, model sizes log-spaced from
/// `n_min` to `n_max`.
pub fn iso_flop(c: f64, n_min: f64, n_max: f64, out: &mut [Budget]) -> Result<(), Error> {
    let m = out.len();
    let (a, b) = (libm::log(n_min), libm::log(n_max));
    if !(a.is_finite() && b.is_finite()) {
        return Err(Error::InvalidConfig {
            what: "iso_flop needs finite model sizes > 0",
        });
    }
    for (j, o) in out.iter_mut().enumerate() {
        let t = if m > 1 {
            j as f64 / (m - 1) as f64
        } else {
            0.0
        };
        *o = Budget::from_compute(c, libm::exp(a + (b - a) * t))?;
    }
    Ok(())
}

/// Data availability: `unique[i]` unique tokens in domain i and at most `max_epochs`
/// passes over any domain, so `h_i <= unique[i] * max_epochs / D`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Availability<'a> {
    /// Unique tokens per domain (raw counts).
    pub unique: &'a [f64],
    /// Largest number of epochs allowed on a domain.
    pub max_epochs: f64,
}

/// The constraints of a sweep: bounds, and optionally data availability, which tightens
/// the upper bounds at each budget to `min(hi_i, U_i * max_epochs / D)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Constraints<'a> {
    /// Per-domain bounds.
    pub bounds: Bounds<'a>,
    /// Data availability, if limited.
    pub availability: Option<Availability<'a>>,
}

impl<'a> Constraints<'a> {
    /// Bounds only.
    pub const fn bounds(bounds: Bounds<'a>) -> Self {
        Constraints {
            bounds,
            availability: None,
        }
    }

    /// Bounds and data availability.
    pub const fn with_availability(bounds: Bounds<'a>, availability: Availability<'a>) -> Self {
        Constraints {
            bounds,
            availability: Some(availability),
        }
    }
}

/// Solves at one budget: moves `obj` there, applies `cons` (availability caps at this D),
/// and minimises from `h` (overwritten with `h*`).
pub fn solve_at<O: AtBudget + ?Sized, const K: usize>(
    solver: &mut Solver<K>,
    obj: &mut O,
    cons: &Constraints<'_>,
    budget: Budget,
    h: &mut [f64],
) -> Result<Solution, Error> {
    obj.set_budget(budget.n, budget.d)?;
    let bounds = &cons.bounds;
    match &cons.availability {
        None => solver.minimize(obj, bounds, h),
        Some(a) => {
            let k = obj.domains();
            let (mut caps, mut upper) = ([0.0; K], [0.0; K]);
            let too_many = Error::TooManyDomains { max: K, found: k };
            let caps = caps.get_mut(..k).ok_or(too_many)?;
            let upper = upper.get_mut(..k).ok_or(too_many)?;
            crate::bounds::availability_caps(a.unique, a.max_epochs, budget.d, caps)?;
            let tightened = bounds.with_caps(k, &[caps], upper).map_err(|e| match e {
                Error::ConflictingLimits { domain, .. } => Error::DataExhausted {
                    domain,
                    d: budget.d,
                },
                e => e,
            })?;
            solver.minimize(obj, &tightened, h)
        }
    }
}

/// `h*` at each of `budgets`: row j of `h_out` (`budgets.len() * k`, row-major) is the
/// optimum at `budgets[j]`, `out[j]` its [`Solution`]. Each solve starts from the previous
/// optimum; the first from `h` (which ends holding the last optimum).
pub fn sweep<O: AtBudget + ?Sized, const K: usize>(
    solver: &mut Solver<K>,
    obj: &mut O,
    cons: &Constraints<'_>,
    budgets: &[Budget],
    h: &mut [f64],
    h_out: &mut [f64],
    out: &mut [Solution],
) -> Result<(), Error> {
    let k = obj.domains();
    if h_out.len() != budgets.len() * k {
        return Err(Error::LengthMismatch {
            what: "h_out",
            expected: budgets.len() * k,
            found: h_out.len(),
        });
    }
    if out.len() != budgets.len() {
        return Err(Error::LengthMismatch {
            what: "solutions",
            expected: budgets.len(),
            found: out.len(),
        });
    }
    if k == 0 {
        return Err(Error::Empty);
    }
    for ((b, row), o) in budgets
        .iter()
        .zip(h_out.chunks_exact_mut(k))
        .zip(out.iter_mut())
    {
        *o = solve_at(solver, obj, cons, *b, h)?;
        row.copy_from_slice(h);
    }
    Ok(())
}

/// Settings of [`compute_optimal`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ComputeConfig {
    /// Smallest model size searched (raw parameters).
    pub n_min: f64,
    /// Largest model size searched.
    pub n_max: f64,
    /// Points of the initial log-spaced scan over N (3 to [`MAX_SCAN`]). Default 17.
    pub scan: usize,
    /// Absolute tolerance on `ln N` of the final Brent search. Default 1e-6.
    pub ln_n_tol: f64,
    /// Cap on Brent iterations. Default 100.
    pub max_iter: usize,
}

/// Largest [`ComputeConfig::scan`].
pub const MAX_SCAN: usize = 64;

impl Default for ComputeConfig {
    fn default() -> Self {
        ComputeConfig {
            n_min: 1e7,
            n_max: 1e12,
            scan: 17,
            ln_n_tol: 1e-6,
            max_iter: 100,
        }
    }
}

/// The compute-optimal budget and mixture found by [`compute_optimal`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ComputeOptimum {
    /// The optimal `(N, D)` with `6 N D = C`.
    pub budget: Budget,
    /// The inner solve at that budget (objective = the minimal loss).
    pub solution: Solution,
    /// Inner solves performed (scan + Brent + the final one).
    pub inner_solves: usize,
    /// Whether the optimum sits at `n_min` or `n_max`: widen the range.
    pub at_edge: bool,
}

/// The joint optimum `min_{N, h} L(N, C / (6N), h)` for compute `c`: the value function
/// `V(ln N) = min_h L` is scanned on a log grid, then refined by Brent's method
/// (golden section with parabolic steps) around the best grid point. Each inner solve is
/// warm-started from the best mixture so far; `h` is the first start and receives `h*`.
///
/// The inner tolerance limits the outer one: `ln N*` is accurate to about
/// `sqrt(gap_tol / V'')`. For laws whose optimum in h does not depend on scale
/// (`additive`) the search still works but only N and D matter.
pub fn compute_optimal<O: AtBudget + ?Sized, const K: usize>(
    solver: &mut Solver<K>,
    obj: &mut O,
    cons: &Constraints<'_>,
    c: f64,
    cfg: &ComputeConfig,
    h: &mut [f64],
) -> Result<ComputeOptimum, Error> {
    let k = obj.domains();
    if k == 0 {
        return Err(Error::Empty);
    }
    if k > K {
        return Err(Error::TooManyDomains { max: K, found: k });
    }
    if h.len() != k {
        return Err(Error::LengthMismatch {
            what: "h",
            expected: k,
            found: h.len(),
        });
    }
    if !(c > 0.0 && c.is_finite()) {
        return Err(Error::InvalidConfig {
            what: "compute C must be finite and > 0",
        });
    }
    if !(cfg.n_min > 0.0 && cfg.n_max > cfg.n_min && cfg.n_max.is_finite()) {
        return Err(Error::InvalidConfig {
            what: "need 0 < n_min < n_max < inf",
        });
    }
    if cfg.scan < 3 || cfg.scan > MAX_SCAN {
        return Err(Error::InvalidConfig {
            what: "scan must be between 3 and MAX_SCAN",
        });
    }
    if cfg.ln_n_tol.is_nan() || cfg.ln_n_tol <= 0.0 {
        return Err(Error::InvalidConfig {
            what: "ln_n_tol must be > 0",
        });
    }
    let (xa, xb) = (libm::log(cfg.n_min), libm::log(cfg.n_max));
    let mut best_h = [0.0; K];
    let best_h = best_h
        .get_mut(..k)
        .ok_or(Error::TooManyDomains { max: K, found: k })?;
    best_h.copy_from_slice(h);
    let mut solves = 0usize;
    let mut best = (f64::NAN, f64::INFINITY);
    // V(x), warm-started from the best mixture so far.
    let mut value = |x: f64,
                     solver: &mut Solver<K>,
                     obj: &mut O,
                     best: &mut (f64, f64),
                     best_h: &mut [f64]|
     -> Result<f64, Error> {
        let budget = Budget::from_compute(c, libm::exp(x))?;
        h.copy_from_slice(best_h);
        let sol = solve_at(solver, obj, cons, budget, h)?;
        solves += 1;
        if sol.objective < best.1 {
            *best = (x, sol.objective);
            best_h.copy_from_slice(h);
        }
        Ok(sol.objective)
    };

    // Scan.
    let mut grid = [0.0; MAX_SCAN];
    let step = (xb - xa) / (cfg.scan - 1) as f64;
    let mut jbest = 0usize;
    let mut vbest = f64::INFINITY;
    for (j, g) in grid.iter_mut().take(cfg.scan).enumerate() {
        let x = if j + 1 == cfg.scan {
            xb
        } else {
            xa + step * j as f64
        };
        *g = value(x, solver, obj, &mut best, best_h)?;
        if *g < vbest {
            vbest = *g;
            jbest = j;
        }
    }
    let at_edge_scan = jbest == 0 || jbest + 1 == cfg.scan;

    // Brent on [x_{j-1}, x_{j+1}] from the best grid point.
    let lo = xa + step * jbest.saturating_sub(1) as f64;
    let hi = (xa + step * (jbest + 1) as f64).min(xb);
    let x0 = xa + step * jbest as f64;
    if !at_edge_scan {
        brent(lo, hi, x0, vbest, cfg.ln_n_tol, cfg.max_iter, |x| {
            value(x, solver, obj, &mut best, best_h)
        })?;
    }
    let x = best.0;
    let at_edge = (x - xa).abs() <= cfg.ln_n_tol || (xb - x).abs() <= cfg.ln_n_tol;
    // Final solve at the best point, from its own optimum.
    let budget = Budget::from_compute(c, libm::exp(x))?;
    h.copy_from_slice(best_h);
    let solution = solve_at(solver, obj, cons, budget, h)?;
    Ok(ComputeOptimum {
        budget,
        solution,
        inner_solves: solves + 1,
        at_edge,
    })
}

/// Brent's minimisation (golden section with parabolic interpolation) of `f` on `[a, b]`
/// from an interior point `x` with known value `fx`, to absolute tolerance `tol`.
pub(crate) fn brent(
    mut a: f64,
    mut b: f64,
    x0: f64,
    fx0: f64,
    tol: f64,
    max_iter: usize,
    mut f: impl FnMut(f64) -> Result<f64, Error>,
) -> Result<(f64, f64), Error> {
    const CGOLD: f64 = 0.381_966_011_250_105_1;
    let (mut x, mut w, mut v) = (x0, x0, x0);
    let (mut fx, mut fw, mut fv) = (fx0, fx0, fx0);
    let (mut d, mut e) = (0.0f64, 0.0f64);
    for _ in 0..max_iter {
        let xm = 0.5 * (a + b);
        let tol1 = tol;
        let tol2 = 2.0 * tol1;
        if (x - xm).abs() <= tol2 - 0.5 * (b - a) {
            break;
        }
        let mut golden = true;
        if e.abs() > tol1 {
            let r = (x - w) * (fx - fv);
            let mut q = (x - v) * (fx - fw);
            let mut p = (x - v) * q - (x - w) * r;
            q = 2.0 * (q - r);
            if q > 0.0 {
                p = -p;
            }
            q = q.abs();
            let etemp = e;
            if !(p.abs() >= (0.5 * q * etemp).abs() || p <= q * (a - x) || p >= q * (b - x)) {
                e = d;
                d = p / q;
                let u = x + d;
                if u - a < tol2 || b - u < tol2 {
                    d = tol1.copysign(xm - x);
                }
                golden = false;
            }
        }
        if golden {
            e = if x >= xm { a - x } else { b - x };
            d = CGOLD * e;
        }
        let u = if d.abs() >= tol1 {
            x + d
        } else {
            x + tol1.copysign(d)
        };
        let fu = f(u)?;
        if fu <= fx {
            if u >= x {
                a = x;
            } else {
                b = x;
            }
            (v, fv) = (w, fw);
            (w, fw) = (x, fx);
            (x, fx) = (u, fu);
        } else {
            if u < x {
                a = u;
            } else {
                b = u;
            }
            if fu <= fw || w == x {
                (v, fv) = (w, fw);
                (w, fw) = (u, fu);
            } else if fu <= fv || v == x || v == w {
                (v, fv) = (u, fu);
            }
        }
    }
    Ok((x, fx))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brent_finds_a_parabola_minimum() {
        let (x, fx) = brent(0.0, 4.0, 1.0, 2.0 + 1.7 * 1.7, 1e-10, 100, |x| {
            Ok(2.0 + (x - 2.7) * (x - 2.7))
        })
        .unwrap();
        // Resolution in x is sqrt(eps) relative: f is flat to rounding within 1e-8.
        assert!(
            (x - 2.7).abs() < 1e-7 && (fx - 2.0).abs() < 1e-15,
            "{x} {fx}"
        );
        // A non-smooth unimodal function converges by golden sections.
        let (x, _) = brent(-3.0, 5.0, 0.0, 1.3, 1e-9, 200, |x| Ok((x - 1.3).abs())).unwrap();
        assert!((x - 1.3).abs() < 1e-8, "{x}");
    }

    #[test]
    fn budgets_and_grids() {
        let b = Budget::from_compute(6e20, 1e9).unwrap();
        assert!((b.d - 1e11).abs() < 1e-3 && (b.compute() - 6e20).abs() < 1e6);
        assert!(Budget::new(0.0, 1.0).is_err());
        let mut g = [0.0; 3];
        log_space(1e8, 1e10, &mut g).unwrap();
        assert_eq!(g[0], 1e8);
        assert!((g[1] - 1e9).abs() < 1e-3 && g[2] == 1e10);
        let mut bs = [Budget { n: 1.0, d: 1.0 }; 4];
        iso_flop(1e21, 1e8, 1e11, &mut bs).unwrap();
        assert!(bs.iter().all(|b| (b.compute() / 1e21 - 1.0).abs() < 1e-12));
    }
}
