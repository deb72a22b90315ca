//! The bagged optimum: the mean of the optimal mixtures of bootstrap refits, with the
//! per-domain spread (bootstrap aggregation, Breiman 1996, applied to the decision rather
//! than the prediction).
//!
//! The optimum of one fit can jump between nearby corners when the law is flat along the
//! simplex; the mean of the per-resample optima `h*_b` moves smoothly and is what `optimize
//! --bootstrap-params` reports as `h_bagged`.

use mixlaw_core::metrics::{summarize_sorted, Summary};

use crate::{Bounds, Error};

/// Tolerance within which each per-resample optimum must satisfy the bounds (the solver's
/// own feasibility check, [`crate::Solver::minimize`]).
const FEASIBLE_TOLERANCE: f64 = 1e-9;

/// The bagged optimum of `optima` (row-major, `k` per resample, every row finite and
/// feasible under `bounds` within 1e-9): `h_out_i = mean_b h*_b,i`, and per domain the
/// mean, the sample standard deviation and the 2.5 % / 97.5 % percentiles over the
/// resamples in `spread_out` ([`Summary`], numpy's linear interpolation). `work` holds
/// one value per resample (a column is sorted there). Returns the number of resamples.
///
/// Feasibility: the box-constrained simplex is convex, so the mean of feasible mixtures is
/// feasible; the mean is clamped to the box to remove rounding and checked again
/// ([`Error::Numerical`] if it is not on the simplex within 1e-9, which convexity rules out).
///
/// Errors: no resamples, lengths, a row not finite or off the feasible set
/// ([`Error::InvalidInput`] with its resample index), `work` too short.
///
/// ```
/// use mixlaw_opt::{bagged_optimum, Bounds};
/// use mixlaw_core::metrics::Summary;
/// let optima = [0.9, 0.1, 0.5, 0.5, 0.7, 0.3];
/// let (mut h, mut work) = ([0.0; 2], [0.0; 3]);
/// let mut spread = [Summary::default(); 2];
/// assert_eq!(bagged_optimum(&optima, 2, &Bounds::SIMPLEX, &mut h, &mut spread, &mut work)?, 3);
/// assert!((h[0] - 0.7).abs() < 1e-15 && (spread[0].se - 0.2).abs() < 1e-15);
/// # Ok::<(), mixlaw_opt::Error>(())
/// ```
pub fn bagged_optimum(
    optima: &[f64],
    k: usize,
    bounds: &Bounds<'_>,
    h_out: &mut [f64],
    spread_out: &mut [Summary],
    work: &mut [f64],
) -> Result<usize, Error> {
    if k == 0 || optima.is_empty() {
        return Err(Error::Empty);
    }
    if optima.len() % k != 0 {
        return Err(Error::LengthMismatch {
            what: "per-resample optima (a multiple of k)",
            expected: (optima.len() / k + 1) * k,
            found: optima.len(),
        });
    }
    let m = optima.len() / k;
    for (what, len) in [("h_out", h_out.len()), ("spread_out", spread_out.len())] {
        if len != k {
            return Err(Error::LengthMismatch {
                what,
                expected: k,
                found: len,
            });
        }
    }
    if work.len() < m {
        return Err(Error::BufferTooSmall {
            needed: m,
            found: work.len(),
        });
    }
    bounds.check(k)?;
    for (b, row) in optima.chunks_exact(k).enumerate() {
        if row.iter().any(|v| !v.is_finite()) || !bounds.contains(row, FEASIBLE_TOLERANCE) {
            return Err(Error::InvalidInput {
                what: "per-resample optimum (off the feasible set)",
                index: b,
            });
        }
    }
    let column = work.get_mut(..m).unwrap_or(&mut []);
    for (i, (h, s)) in h_out.iter_mut().zip(spread_out.iter_mut()).enumerate() {
        for (c, row) in column.iter_mut().zip(optima.chunks_exact(k)) {
            *c = row.get(i).copied().unwrap_or(f64::NAN);
        }
        column.sort_unstable_by(f64::total_cmp);
        *s = summarize_sorted(column).ok_or(Error::Empty)?;
        *h = s.mean.clamp(bounds.lo(i), bounds.hi(i));
    }
    if !bounds.contains(h_out, FEASIBLE_TOLERANCE) {
        return Err(Error::Numerical {
            what: "the mean of feasible optima left the feasible set",
        });
    }
    Ok(m)
}
