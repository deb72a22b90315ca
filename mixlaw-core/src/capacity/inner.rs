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
    let k = x.len() as f64;
    x.iter_mut().for_each(|v| *v = floor);
    let saturated = Allocation {
        ln_lambda: f64::NEG_INFINITY,
        q_sum: 0.0,
        free: 0,
        iterations: 0,
    };
    if budget <= k * floor {
        return saturated;
    }
    // t_i = ln(h_i b_i c_i); x_i(l) = exp((t_i - l) / (b_i + 1)). `x` holds t until the
    // multiplier is found.
    for (i, t) in x.iter_mut().enumerate() {
        *t = f64::NEG_INFINITY;
        if let (Some(&hi), Some(&bi), Some(&ci)) = (h.get(i), b.get(i), c.get(i)) {
            if hi > 0.0 {
                *t = libm::log(hi * bi * ci);
            }
        }
    }
    let ts = &*x;
    let t = |i: usize| ts.get(i).copied().unwrap_or(f64::NEG_INFINITY);
    // Left end, the larger of two points where phi >= 0: where the domain that alone
    // would take the whole budget does, and where each of the P weighted domains takes at
    // least budget / P.
    let ln_budget = libm::log(budget);
    let positive = (0..ts.len()).filter(|&i| t(i) > f64::NEG_INFINITY).count();
    let ln_share = ln_budget - libm::log(positive.max(1) as f64);
    let (mut alone, mut shared) = (f64::NEG_INFINITY, f64::INFINITY);
    for (i, &bi) in b.iter().enumerate().take(ts.len()) {
        let ti = t(i);
        if ti > f64::NEG_INFINITY {
            alone = alone.max(ti - (bi + 1.0) * ln_budget);
            shared = shared.min(ti - (bi + 1.0) * ln_share);
        }
    }
    if alone == f64::NEG_INFINITY {
        x.iter_mut().for_each(|v| *v = floor);
        return saturated; // no domain has weight: nothing competes for the budget
    }
    let mut l = alone.max(shared);
    let tol = 4.0 * f64::EPSILON * budget * k;
    let residual = |l: f64| -> (f64, f64) {
        let (mut spent, mut q) = (0.0, 0.0);
        for (i, &bi) in b.iter().enumerate().take(ts.len()) {
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
    for (xi, &bi) in x.iter_mut().zip(b) {
        let v = libm::exp((*xi - l) / (bi + 1.0));
        *xi = floor;
        if v > floor {
            *xi = v;
            free += 1;
            q += v / (bi + 1.0);
        }
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
