//! The inner problem of the capacity laws: how a model of fixed capacity splits it between
//! the domains of its training mixture (Dai & Zheng 2026, eq 1).
//!
//! ```text
//! min_x  sum_i h_i c_i x_i^-b_i   subject to   sum_i x_i = budget,   x_i >= floor
//! ```
//!
//! KKT: `x_i(lambda) = max(floor, (h_i b_i c_i / lambda)^(1/(b_i+1)))`, with the multiplier
//! chosen so that the budget is spent exactly. In `l = ln lambda` the budget residual
//! `phi(l) = sum_i x_i(l) - budget` is convex and decreasing, so Newton's method started to
//! the left of the root climbs to it monotonically (every tangent lies below `phi`), and
//! converges quadratically. The authors' 7-domain script bisects linearly on
//! `[1e-30, 1e30]`, which cannot resolve `lambda < 0.79` (see `capacity-law.md`, pitfalls).

use core::cell::Cell;

use crate::Error;

/// The solved inner problem of one run (the allocation itself is in the caller's `x`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Allocation {
    /// `ln lambda`, the log of the budget's multiplier (`-inf` when nothing is free).
    pub ln_lambda: f64,
    /// `Q = sum over free domains of x_i / (b_i + 1)`: minus the slope of the budget
    /// residual in `ln lambda`, the denominator of every implicit derivative.
    pub q_sum: f64,
    /// Number of domains above the floor.
    pub free: usize,
    /// Newton iterations used.
    pub iterations: usize,
}

impl Allocation {
    /// The summary of a run that could not be solved (its scratch was too short): NaN.
    pub(crate) fn unsolved() -> Self {
        Allocation {
            ln_lambda: f64::NAN,
            q_sum: f64::NAN,
            free: 0,
            iterations: 0,
        }
    }

    /// True when the budget does not exceed `k * floor`: every domain sits at the floor
    /// and the budget is not binding (the authors' convention for `N <= H`).
    pub fn saturated(&self) -> bool {
        self.free == 0
    }
}

/// Newton iterations allowed; from the left bracket the count grows like `ln k`, and the
/// quadratic phase takes a handful more.
const MAX_ITERATIONS: usize = 100;

/// Solves the capacity-allocation problem exactly, writing the allocation into `x`.
///
/// `h`, `b`, `c` and `x` have one entry per domain; `h_i >= 0`, `b_i > 0`, `c_i > 0`,
/// `floor > 0`, `budget > 0`, all finite (checked). Domains with `h_i = 0` get the floor.
/// When `budget <= k * floor`, every domain gets the floor.
///
/// ```
/// use mixlaw_core::capacity::allocate;
/// // Equal exponents: x_i proportional to (h_i c_i)^(1/(b+1)) (no floor active).
/// let (h, b, c) = ([0.5, 0.3, 0.2], [0.5; 3], [2.0, 1.0, 3.0]);
/// let mut x = [0.0; 3];
/// allocate(&h, &b, &c, 100.0, 1e-6, &mut x)?;
/// let s: Vec<f64> = (0..3).map(|i| f64::powf(h[i] * c[i], 1.0 / 1.5)).collect();
/// let total: f64 = s.iter().sum();
/// for i in 0..3 {
///     assert!((x[i] - 100.0 * s[i] / total).abs() < 1e-12);
/// }
/// # Ok::<(), mixlaw_core::Error>(())
/// ```
pub fn allocate(
    h: &[f64],
    b: &[f64],
    c: &[f64],
    budget: f64,
    floor: f64,
    x: &mut [f64],
) -> Result<Allocation, Error> {
    let k = x.len();
    for (what, s) in [("h", h), ("b", b), ("c", c)] {
        if s.len() != k {
            return Err(Error::LengthMismatch {
                what,
                expected: k,
                found: s.len(),
            });
        }
    }
    for (i, &v) in h.iter().enumerate() {
        if !v.is_finite() {
            return Err(Error::NonFinite {
                what: "h",
                index: i,
            });
        }
        if v < 0.0 {
            return Err(Error::Negative {
                what: "h",
                index: i,
            });
        }
    }
    for (what, s) in [
        ("b", b),
        ("c", c),
        ("budget", &[budget][..]),
        ("floor", &[floor][..]),
    ] {
        for (i, &v) in s.iter().enumerate() {
            if !(v.is_finite() && v > 0.0) {
                return Err(Error::NotPositive { what, index: i });
            }
        }
    }
    check_resolvable(budget, floor)?;
    Ok(solve(h, b, c, budget, floor, x, f64::NAN))
}

/// Budget and floor must be normal floats: in the subnormal range (below ~2.2e-308) the
/// allocation cannot be resolved to the budget's precision (found by fuzzing).
pub(crate) fn check_resolvable(budget: f64, floor: f64) -> Result<(), Error> {
    if budget.is_normal() && floor.is_normal() {
        Ok(())
    } else {
        Err(Error::InvalidConfig {
            what: "capacity budget and head size must be normal floats (above ~2.2e-308)",
        })
    }
}

/// [`allocate`] on validated inputs.
///
/// `guess` (NaN for none) is a previous `ln lambda` for nearby inputs: Newton starts from it
/// when it lies left of the root, else from one Newton step off it (by convexity that step
/// lands left of the root), whichever of that and the bracket is closer.
pub(crate) fn solve(
    h: &[f64],
    b: &[f64],
    c: &[f64],
    budget: f64,
    floor: f64,
    x: &mut [f64],
    guess: f64,
) -> Allocation {
    // `x` holds t_i = ln(h_i b_i c_i) until the multiplier is found, then the allocation.
    for (i, t) in x.iter_mut().enumerate() {
        *t = log_weight(h, b, c, i);
    }
    let cells = Cell::from_mut(x).as_slice_of_cells();
    let t = |i: usize| cells.get(i).map_or(f64::NEG_INFINITY, Cell::get);
    let keep = |i: usize, xi: f64| {
        if let Some(cell) = cells.get(i) {
            cell.set(xi);
        }
    };
    multiplier(t, b, cells.len(), budget, floor, guess, keep)
}

/// [`solve`] without storing the allocation: the multiplier and its summary in O(1)
/// memory (the `t_i` are recomputed where [`solve`] keeps them in `x`, so the multiplier is
/// the same, bit for bit). Domain i's allocation is then [`share`] of
/// [`log_weight`]`(h, b, c, i)`.
pub(crate) fn solve_in_place(
    h: &[f64],
    b: &[f64],
    c: &[f64],
    budget: f64,
    floor: f64,
    guess: f64,
) -> Allocation {
    let t = |i: usize| log_weight(h, b, c, i);
    multiplier(t, b, h.len(), budget, floor, guess, |_, _| {})
}

/// `t_i = ln(h_i b_i c_i)`, `-inf` for a domain without weight: domain i's allocation
/// above the floor is `x_i(l) = exp((t_i - l) / (b_i + 1))`.
#[inline]
pub(crate) fn log_weight(h: &[f64], b: &[f64], c: &[f64], i: usize) -> f64 {
    match (h.get(i), b.get(i), c.get(i)) {
        (Some(&hi), Some(&bi), Some(&ci)) if hi > 0.0 => libm::log(hi * bi * ci),
        _ => f64::NEG_INFINITY,
    }
}

/// A domain's allocation at `ln lambda = l` from its `t_i` ([`log_weight`]):
/// `max(floor, exp((t_i - l) / (b_i + 1)))`; the floor when nothing is free (`l = -inf`).
#[inline]
pub(crate) fn share(t_i: f64, b_i: f64, l: f64, floor: f64) -> f64 {
    if l == f64::NEG_INFINITY {
        return floor;
    }
    let v = libm::exp((t_i - l) / (b_i + 1.0));
    if v > floor {
        v
    } else {
        floor
    }
}

/// The budget's multiplier for the domains' `t(i)` ([`log_weight`]), `k` of them, by
/// Newton's method in `ln lambda` (see the module documentation), with the number of free
/// domains and `Q` at the allocation (`ln lambda = -inf`, nothing free, when the budget
/// is not binding or no domain has weight). Hands each domain's allocation ([`share`]) to
/// `keep(i, x_i)` once `t(i)` is no longer read.
fn multiplier(
    t: impl Fn(usize) -> f64,
    b: &[f64],
    k: usize,
    budget: f64,
    floor: f64,
    guess: f64,
    mut keep: impl FnMut(usize, f64),
) -> Allocation {
    let saturated = Allocation {
        ln_lambda: f64::NEG_INFINITY,
        q_sum: 0.0,
        free: 0,
        iterations: 0,
    };
    let kf = k as f64;
    let mut all_at_floor = || (0..k).for_each(|i| keep(i, floor));
    if budget <= kf * floor {
        all_at_floor();
        return saturated;
    }
    // Left end, the larger of two points where phi >= 0: where the domain that alone
    // would take the whole budget does, and where each of the P weighted domains takes at
    // least budget / P.
    let ln_budget = libm::log(budget);
    let positive = (0..k).filter(|&i| t(i) > f64::NEG_INFINITY).count();
    let ln_share = ln_budget - libm::log(positive.max(1) as f64);
    let (mut alone, mut shared) = (f64::NEG_INFINITY, f64::INFINITY);
    for (i, &bi) in b.iter().enumerate().take(k) {
        let ti = t(i);
        if ti > f64::NEG_INFINITY {
            alone = alone.max(ti - (bi + 1.0) * ln_budget);
            shared = shared.min(ti - (bi + 1.0) * ln_share);
        }
    }
    if alone == f64::NEG_INFINITY {
        all_at_floor();
        return saturated; // no domain has weight: nothing competes for the budget
    }
    let mut l = alone.max(shared);
    let tol = 4.0 * f64::EPSILON * budget * kf;
    let residual = |l: f64| -> (f64, f64) {
        let (mut spent, mut q) = (0.0, 0.0);
        for (i, &bi) in b.iter().enumerate().take(k) {
            let xi = libm::exp((t(i) - l) / (bi + 1.0));
            if xi > floor {
                spent += xi;
                q += xi / (bi + 1.0);
            } else {
                spent += floor;
            }
        }
        (spent - budget, q)
    };
    let mut iterations = 0;
    if guess.is_finite() && guess > l {
        let (phi, q) = residual(guess);
        iterations += 1;
        if phi >= 0.0 {
            l = guess;
        } else if q > 0.0 {
            l = l.max(guess + phi / q);
        }
    }
    let mut q_sum;
    loop {
        // Budget residual and its slope (-Q) at l.
        let (phi, q) = residual(l);
        q_sum = q;
        iterations += 1;
        if phi <= tol || q <= 0.0 || iterations >= MAX_ITERATIONS {
            break;
        }
        let step = phi / q;
        l += step;
        if step <= f64::EPSILON * l.abs() {
            break;
        }
    }
    let mut free = 0;
    let mut q = 0.0;
    for (i, &bi) in b.iter().enumerate().take(k) {
        let xi = share(t(i), bi, l, floor);
        if xi > floor {
            free += 1;
            q += xi / (bi + 1.0);
        }
        keep(i, xi);
    }
    if free > 0 {
        q_sum = q;
    }
    Allocation {
        ln_lambda: l,
        q_sum,
        free,
        iterations,
    }
}
