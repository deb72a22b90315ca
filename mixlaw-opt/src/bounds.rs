//! Box constraints on the simplex, the exact KL projection onto them, and the
//! Frank-Wolfe duality gap over them.
//!
//! The feasible set is `B = {h : sum_i h_i = 1, lo_i <= h_i <= hi_i}`. Per-domain minimum
//! weights ("at least 1% each"), data-availability caps (`h_i <= U_i * epochs / D`, see
//! [`availability_caps`]) and fixed domains (`lo_i = hi_i`) are all boxes.

use mixlaw_core::Real;

use crate::Error;

/// Slack allowed when bounds force the mixture exactly (`sum lo = 1` or `sum hi = 1`), to
/// absorb rounding in caller-computed bounds.
pub const FORCED_TOLERANCE: f64 = 1e-12;

/// One side of the box: the same bound for every domain, or one per domain.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Side<'a> {
    /// The same bound for all domains.
    All(f64),
    /// One bound per domain (length k).
    Each(&'a [f64]),
}

impl Side<'_> {
    /// The bound of domain `i` (NaN when a per-domain slice is too short; [`Bounds::check`]
    /// rejects that first).
    #[inline]
    pub fn get(&self, i: usize) -> f64 {
        match self {
            Side::All(v) => *v,
            Side::Each(s) => s.get(i).copied().unwrap_or(f64::NAN),
        }
    }
}

/// Lower and upper bounds per domain: `lo_i <= h_i <= hi_i`. Upper bounds above 1 (or
/// infinite) mean "no upper bound".
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bounds<'a> {
    /// Lower bounds (>= 0).
    pub lower: Side<'a>,
    /// Upper bounds (>= the lower bound).
    pub upper: Side<'a>,
}

impl Bounds<'static> {
    /// The plain simplex: `0 <= h_i <= 1`.
    pub const SIMPLEX: Bounds<'static> = Bounds {
        lower: Side::All(0.0),
        upper: Side::All(1.0),
    };

    /// Every domain gets at least `min` (e.g. 0.01 for "at least 1% each").
    pub const fn min_weight(min: f64) -> Self {
        Bounds {
            lower: Side::All(min),
            upper: Side::All(1.0),
        }
    }
}

impl<'a> Bounds<'a> {
    /// Bounds from two sides; validate with [`Bounds::check`] (the solver does).
    pub const fn new(lower: Side<'a>, upper: Side<'a>) -> Self {
        Bounds { lower, upper }
    }

    /// Lower bound of domain `i`.
    #[inline]
    pub fn lo(&self, i: usize) -> f64 {
        self.lower.get(i)
    }

    /// Upper bound of domain `i`, capped at 1.
    #[inline]
    pub fn hi(&self, i: usize) -> f64 {
        let v = self.upper.get(i);
        if v > 1.0 {
            1.0
        } else {
            v
        }
    }

    /// Checks the bounds for `k` domains: lengths, `0 <= lo_i <= hi_i`, no NaN, and
    /// `sum lo <= 1 <= sum hi` (within [`FORCED_TOLERANCE`]). Returns `(sum lo, sum hi)`.
    pub fn check(&self, k: usize) -> Result<(f64, f64), Error> {
        for (side, what) in [(self.lower, "lower bounds"), (self.upper, "upper bounds")] {
            if let Side::Each(s) = side {
                if s.len() != k {
                    return Err(Error::LengthMismatch {
                        what,
                        expected: k,
                        found: s.len(),
                    });
                }
            }
        }
        let (mut lsum, mut usum) = (0.0, 0.0);
        for i in 0..k {
            let (lo, hi) = (self.lo(i), self.hi(i));
            // `!(a <= b)` is true for NaN too.
            if !(lo >= 0.0 && lo.is_finite() && hi >= lo) {
                return Err(Error::InvalidBound { index: i });
            }
            lsum += lo;
            usum += hi;
        }
        if lsum > 1.0 + FORCED_TOLERANCE || usum < 1.0 - FORCED_TOLERANCE {
            return Err(Error::Infeasible {
                lower_sum: lsum,
                upper_sum: usum,
            });
        }
        Ok((lsum, usum))
    }

    /// These bounds with every upper bound tightened by `caps` (each of length k, entries
    /// `>= 0`, `+inf` for none): `lo_i` unchanged, `hi_i = min(hi_i, caps[0][i], caps[1][i],
    /// ...)` written to `upper` (length k). One set of bounds for minimum weights, user
    /// maxima, [`trust_caps`], [`availability_caps`] and a prior's zeros
    /// ([`crate::objective::KlRegularized::caps`]).
    ///
    /// Errors: the checks of [`Bounds::check`] on `self`; a cap NaN or negative
    /// ([`Error::InvalidInput`]); and when the combination leaves no feasible mixture, a
    /// domain whose cap falls below its lower bound ([`Error::ConflictingLimits`]) or upper
    /// bounds summing below 1 ([`Error::Infeasible`]).
    ///
    /// ```
    /// use mixlaw_opt::{trust_caps, Bounds};
    /// let max_weight = [0.5, 0.2, 0.3];
    /// let mut trust = [0.0; 3];
    /// trust_caps(&max_weight, 1.5, &mut trust)?; // [0.75, 0.3, 0.45]
    /// let available = [1.0, 0.25, f64::INFINITY]; // e.g. from availability_caps
    /// let mut upper = [0.0; 3];
    /// let b = Bounds::min_weight(0.01).with_caps(3, &[&trust, &available], &mut upper)?;
    /// assert_eq!(b.hi(1), 0.25);
    /// assert!(Bounds::min_weight(0.3).with_caps(3, &[&trust, &[0.2, 1.0, 1.0]], &mut upper).is_err());
    /// # Ok::<(), mixlaw_opt::Error>(())
    /// ```
    pub fn with_caps<'b>(
        &self,
        k: usize,
        caps: &[&[f64]],
        upper: &'b mut [f64],
    ) -> Result<Bounds<'b>, Error>
    where
        'a: 'b,
    {
        self.check(k)?;
        if upper.len() != k {
            return Err(Error::LengthMismatch {
                what: "upper bounds",
                expected: k,
                found: upper.len(),
            });
        }
        for c in caps {
            if c.len() != k {
                return Err(Error::LengthMismatch {
                    what: "caps",
                    expected: k,
                    found: c.len(),
                });
            }
        }
        for (i, u) in upper.iter_mut().enumerate() {
            let mut v = self.hi(i);
            for c in caps {
                let cap = c.get(i).copied().unwrap_or(f64::NAN);
                if cap.is_nan() || cap < 0.0 {
                    return Err(Error::InvalidInput {
                        what: "cap",
                        index: i,
                    });
                }
                v = v.min(cap);
            }
            let lower = self.lo(i);
            if v < lower {
                return Err(Error::ConflictingLimits {
                    domain: i,
                    lower,
                    upper: v,
                });
            }
            *u = v;
        }
        let upper = &*upper;
        let b = Bounds::new(self.lower, Side::Each(upper));
        b.check(k)?;
        Ok(b)
    }

    /// Whether `h` (length k, in any float type: compared in `f64`) lies in the box
    /// within `tol` and sums to 1 within `tol`.
    pub fn contains<T: Real>(&self, h: &[T], tol: f64) -> bool {
        let mut sum = 0.0;
        for (i, v) in h.iter().map(|v| v.to_f64()).enumerate() {
            if !(v >= self.lo(i) - tol && v <= self.hi(i) + tol) {
                return false;
            }
            sum += v;
        }
        (sum - 1.0).abs() <= tol
    }
}

/// Upper bounds from data availability: `hi_i = min(1, unique_i * max_epochs / d)`, where
/// `unique_i` is the number of unique tokens of domain i and `d` the training tokens (both
/// raw counts): training on `h_i d` tokens of domain i repeats it at most `max_epochs` times
/// (`cli.md`: `h_i <= available_i * R / T`). `unique_i = f64::INFINITY` leaves domain i
/// uncapped. Combine with other limits by [`Bounds::with_caps`].
pub fn availability_caps(
    unique: &[f64],
    max_epochs: f64,
    d: f64,
    out: &mut [f64],
) -> Result<(), Error> {
    if out.len() != unique.len() {
        return Err(Error::LengthMismatch {
            what: "caps",
            expected: unique.len(),
            found: out.len(),
        });
    }
    if !(max_epochs > 0.0 && max_epochs.is_finite()) {
        return Err(Error::InvalidConfig {
            what: "max_epochs must be finite and > 0",
        });
    }
    if !(d > 0.0 && d.is_finite()) {
        return Err(Error::InvalidConfig {
            what: "D must be finite and > 0",
        });
    }
    for (i, (o, &u)) in out.iter_mut().zip(unique).enumerate() {
        if u.is_nan() || u < 0.0 {
            return Err(Error::InvalidInput {
                what: "unique tokens",
                index: i,
            });
        }
        let cap = u * max_epochs / d;
        *o = if cap > 1.0 { 1.0 } else { cap };
    }
    Ok(())
}

/// Upper bounds of a trust region around the training support:
/// `hi_i = min(1, trust * max_weight_i)` (`cli.md`, `--trust X`: never more than `X` times
/// the largest weight a domain had in training; a domain never trained on gets 0).
/// Combine with other limits by [`Bounds::with_caps`].
///
/// Errors: `trust` not finite or below 1, a `max_weight` entry negative or not finite,
/// lengths.
pub fn trust_caps(max_weight: &[f64], trust: f64, out: &mut [f64]) -> Result<(), Error> {
    if out.len() != max_weight.len() {
        return Err(Error::LengthMismatch {
            what: "caps",
            expected: max_weight.len(),
            found: out.len(),
        });
    }
    if !(trust >= 1.0 && trust.is_finite()) {
        return Err(Error::InvalidConfig {
            what: "trust must be finite and >= 1",
        });
    }
    for (i, (o, &m)) in out.iter_mut().zip(max_weight).enumerate() {
        if !(m >= 0.0 && m.is_finite()) {
            return Err(Error::InvalidInput {
                what: "max_weight",
                index: i,
            });
        }
        *o = (trust * m).min(1.0);
    }
    Ok(())
}

/// `clamp(c y, lo, hi)`.
#[inline]
pub(crate) fn place<T: Real>(c: T, y: T, lo: T, hi: T) -> T {
    let v = c * y;
    if v <= lo {
        lo
    } else if v >= hi {
        hi
    } else {
        v
    }
}

/// How the projection's scale came out.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Scale<T = f64> {
    /// Every domain sits at its lower bound (`sum lo = 1`).
    AllLower,
    /// Every domain sits at its upper bound (`sum hi = 1`).
    AllUpper,
    /// `h_i = clamp(c y_i, lo_i, hi_i)`.
    Factor(T),
}

/// Finds the `c > 0` with `sum_i clamp(c y_i, lo_i, hi_i) = 1` for positive `y`, exactly up
/// to rounding: `phi(c) = sum_i clamp(c y_i, lo_i, hi_i)` is piecewise linear and
/// nondecreasing with breakpoints `lo_i / y_i`, `hi_i / y_i`. A bracketed Newton iteration
/// jumps to the root of the current linear piece; a piece without the root is excluded
/// whole, so at most `2k + 1` pieces are visited and the last step is exact.
///
/// `lo`, `hi` are read through closures so callers can pass arrays or [`Bounds`]. Assumes
/// feasibility (`sum lo <= 1 <= sum hi`), `y_i > 0` finite, `lsum`, `usum` the bound sums.
pub(crate) fn solve_scale<T: Real>(
    y: &[T],
    lo: impl Fn(usize) -> T,
    hi: impl Fn(usize) -> T,
    lsum: T,
    usum: T,
) -> Scale<T> {
    let half_forced = T::from_f64(FORCED_TOLERANCE * 0.5);
    if lsum >= T::ONE - half_forced {
        return Scale::AllLower;
    }
    if usum <= T::ONE + half_forced {
        return Scale::AllUpper;
    }
    let k = y.len();
    let (mut a, mut b, mut ysum) = (T::INFINITY, T::ZERO, T::ZERO);
    for (i, &yi) in y.iter().enumerate() {
        a = a.min(lo(i) / yi);
        b = b.max(hi(i) / yi);
        ysum += yi;
    }
    // phi(a) = sum lo < 1 < sum hi = phi(b).
    let tol = T::from_f64(4.0) * T::EPSILON * (T::from_usize(k) + T::ONE);
    let half = T::from_f64(0.5);
    let mut c = T::ONE / ysum;
    if !(c > a && c < b) {
        c = half * (a + b);
    }
    for _ in 0..(2 * k + 8) {
        // phi(c), its slopes just right and just left of c (a domain exactly at a
        // breakpoint is free on one side only), and the breakpoints pl < c < pr nearest c.
        let (mut phi, mut s_right, mut s_left) = (T::ZERO, T::ZERO, T::ZERO);
        let (mut pl, mut pr) = (a, b);
        for (i, &yi) in y.iter().enumerate() {
            let (l, u) = (lo(i), hi(i));
            let v = c * yi;
            phi += if v <= l {
                l
            } else if v >= u {
                u
            } else {
                v
            };
            if l <= v && v < u {
                s_right += yi;
            }
            if l < v && v <= u {
                s_left += yi;
            }
            for bp in [l / yi, u / yi] {
                if bp < c {
                    pl = pl.max(bp);
                } else if bp > c {
                    pr = pr.min(bp);
                }
            }
        }
        if (phi - T::ONE).abs() <= tol {
            return Scale::Factor(c);
        }
        // phi is linear on [pl, c] and on [c, pr]: the root on the side toward 1, if it
        // lies on that piece, is exact; otherwise the whole piece is excluded.
        let root;
        if phi < T::ONE {
            root = if s_right > T::ZERO {
                c + (T::ONE - phi) / s_right
            } else {
                T::INFINITY
            };
            a = if root <= pr { c } else { a.max(pr) };
        } else {
            root = if s_left > T::ZERO {
                c - (phi - T::ONE) / s_left
            } else {
                T::NEG_INFINITY
            };
            b = if root >= pl { c } else { b.min(pl) };
        }
        if a >= b {
            return Scale::Factor(a);
        }
        // A root on the current piece solves phi = 1 exactly, even at an end of [a, b]
        // (bisecting toward an endpoint root does not converge in the loop's budget).
        c = if (root >= pl && root <= pr) || (root > a && root < b) {
            root
        } else {
            half * (a + b)
        };
    }
    Scale::Factor(c)
}

/// The KL (Bregman) projection of a positive vector `y` onto the box-constrained simplex:
/// `argmin_{h in B} KL(h || y)`, which is `h_i = clamp(c y_i, lo_i, hi_i)` with the scalar
/// `c` chosen so that `sum h = 1`; `c` is found exactly (see the module docs).
///
/// `y` need not be normalised. Errors: lengths, `y_i` not finite and > 0, bad or
/// infeasible bounds.
///
/// ```
/// use mixlaw_opt::{kl_project, Bounds, Side};
/// let mut h = [0.0; 3];
/// kl_project(&Bounds::new(Side::All(0.0), Side::All(0.5)), &[8.0, 1.0, 1.0], &mut h)?;
/// assert!((h[0] - 0.5).abs() < 1e-15 && (h[1] - 0.25).abs() < 1e-15);
/// # Ok::<(), mixlaw_opt::Error>(())
/// ```
pub fn kl_project(bounds: &Bounds<'_>, y: &[f64], out: &mut [f64]) -> Result<(), Error> {
    let k = y.len();
    if out.len() != k {
        return Err(Error::LengthMismatch {
            what: "projection output",
            expected: k,
            found: out.len(),
        });
    }
    if k == 0 {
        return Err(Error::Empty);
    }
    let (lsum, usum) = bounds.check(k)?;
    for (i, &v) in y.iter().enumerate() {
        if !(v > 0.0 && v.is_finite()) {
            return Err(Error::InvalidInput {
                what: "y (must be finite and > 0)",
                index: i,
            });
        }
    }
    let scale = solve_scale(y, |i| bounds.lo(i), |i| bounds.hi(i), lsum, usum);
    for (i, (o, &v)) in out.iter_mut().zip(y).enumerate() {
        *o = match scale {
            Scale::AllLower => bounds.lo(i),
            Scale::AllUpper => bounds.hi(i),
            Scale::Factor(c) => place(c, v, bounds.lo(i), bounds.hi(i)),
        };
    }
    Ok(())
}

/// The Frank-Wolfe duality gap at `h` over the box-constrained simplex:
/// `max_{s in B} <g, h - s>` (>= 0; for convex objectives an upper bound on
/// `f(h) - min f`).
///
/// The maximiser is the greedy fractional-knapsack fill: start from `lo`, fill domains in
/// increasing order of `g_i` up to `hi_i` until the mass is 1. With `t` the threshold
/// gradient of the last domain filled, the gap is the sum of non-negative terms
/// `(t - g_i)(hi_i - h_i)` for `g_i < t` and `(g_i - t)(h_i - lo_i)` for `g_i > t`, which
/// keeps it accurate down to rounding. Returns `+inf` when a gradient entry is not finite.
pub fn frank_wolfe_gap(bounds: &Bounds<'_>, g: &[f64], h: &[f64]) -> f64 {
    gap_with(g, h, |i| bounds.lo(i), |i| bounds.hi(i))
}

/// [`frank_wolfe_gap`] with bounds read through closures.
pub(crate) fn gap_with<T: Real>(
    g: &[T],
    h: &[T],
    lo: impl Fn(usize) -> T,
    hi: impl Fn(usize) -> T,
) -> T {
    if g.iter().any(|v| !v.is_finite()) {
        return T::INFINITY;
    }
    let t = match threshold(g, &lo, &hi) {
        Some(t) => t,
        None => return T::ZERO,
    };
    let mut gap = T::ZERO;
    for (i, (&gi, &hv)) in g.iter().zip(h).enumerate() {
        if gi < t {
            gap += (t - gi) * (hi(i) - hv);
        } else if gi > t {
            gap += (gi - t) * (hv - lo(i));
        }
    }
    gap.max(T::ZERO)
}

/// The threshold gradient of the greedy fill (see [`frank_wolfe_gap`]); `None` when no mass
/// is left to place (every domain at its lower bound) or no domain can take it.
pub(crate) fn threshold<T: Real>(
    g: &[T],
    lo: &impl Fn(usize) -> T,
    hi: &impl Fn(usize) -> T,
) -> Option<T> {
    let mut need = T::ONE - (0..g.len()).map(lo).sum::<T>();
    if need <= T::ZERO {
        return None;
    }
    let mut below = T::NEG_INFINITY;
    loop {
        // The next gradient level above `below` among domains with spare capacity.
        let mut level = T::INFINITY;
        let mut found = false;
        for (i, &gi) in g.iter().enumerate() {
            if gi > below && gi <= level && hi(i) > lo(i) {
                level = gi;
                found = true;
            }
        }
        if !found {
            return if below.is_finite() { Some(below) } else { None };
        }
        let cap: T = g
            .iter()
            .enumerate()
            .filter(|&(i, &gi)| gi == level && hi(i) > lo(i))
            .map(|(i, _)| hi(i) - lo(i))
            .sum();
        if cap >= need {
            return Some(level);
        }
        need -= cap;
        below = level;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression (found by the `schedule` fuzz target): a start exactly on a lower
    /// breakpoint (c y_0 = lo_0) counted domain 0 as bound on the piece to its right, so
    /// the piece holding the root was skipped and the projection summed to 1.39.
    #[test]
    fn projection_from_a_breakpoint_finds_the_root_on_its_right() {
        let lo = [0.5, 0.04541015625];
        let hi = [1.0, 0.390625];
        let b = Bounds::new(Side::Each(&lo), Side::Each(&hi));
        let mut h = [0.0; 2];
        kl_project(&b, &[1.0, 1.0], &mut h).unwrap();
        assert!(
            (h[0] - (1.0 - 0.390625)).abs() < 1e-15 && h[1] == 0.390625,
            "{h:?}"
        );
        // The mirror case: start on an upper breakpoint, root to its left.
        let lo = [0.0, 0.6];
        let hi = [0.5, 1.0];
        let b = Bounds::new(Side::Each(&lo), Side::Each(&hi));
        kl_project(&b, &[1.0, 1.0], &mut h).unwrap();
        assert!(h[0] == 0.4 || (h[0] - 0.4).abs() < 1e-15, "{h:?}");
        assert!((h[0] + h[1] - 1.0).abs() < 1e-15, "{h:?}");
    }

    #[test]
    fn gap_plain_simplex_is_weighted_excess_over_min() {
        let g = [1.0, 3.0, 2.0];
        let h = [0.2, 0.3, 0.5];
        let gap = frank_wolfe_gap(&Bounds::SIMPLEX, &g, &h);
        assert!((gap - (0.3 * 2.0 + 0.5 * 1.0)).abs() < 1e-15);
    }

    #[test]
    fn gap_box_matches_explicit_vertex() {
        // lo = 0.1 each, hi = 0.5 each: greedy s = [0.5, 0.1, 0.4] for g = [1, 3, 2].
        let b = Bounds::new(Side::All(0.1), Side::All(0.5));
        let g = [1.0, 3.0, 2.0];
        let h = [0.2, 0.3, 0.5];
        let s = [0.5, 0.1, 0.4];
        let want: f64 = g
            .iter()
            .zip(h.iter().zip(&s))
            .map(|(g, (h, s))| g * (h - s))
            .sum();
        assert!((frank_wolfe_gap(&b, &g, &h) - want).abs() < 1e-15);
    }

    #[test]
    fn infeasible_and_invalid_bounds_are_typed_errors() {
        let b = Bounds::min_weight(0.5);
        assert!(matches!(b.check(3), Err(Error::Infeasible { .. })));
        let lo = [0.2, 0.2];
        let hi = [0.1, 1.0];
        let b = Bounds::new(Side::Each(&lo), Side::Each(&hi));
        assert_eq!(b.check(2), Err(Error::InvalidBound { index: 0 }));
        let b = Bounds::new(Side::All(0.0), Side::All(0.3));
        assert!(matches!(b.check(3), Err(Error::Infeasible { .. })));
        let b = Bounds::new(Side::All(f64::NAN), Side::All(1.0));
        assert_eq!(b.check(3), Err(Error::InvalidBound { index: 0 }));
    }

    #[test]
    fn forced_bounds_project_to_the_bound() {
        let lo = [0.2, 0.3, 0.5];
        let b = Bounds::new(Side::Each(&lo), Side::All(1.0));
        let mut h = [0.0; 3];
        kl_project(&b, &[1.0, 5.0, 1.0], &mut h).unwrap();
        assert_eq!(h, lo);
        let b = Bounds::new(Side::All(0.0), Side::Each(&lo));
        kl_project(&b, &[1.0, 5.0, 1.0], &mut h).unwrap();
        assert_eq!(h, lo);
    }
}
