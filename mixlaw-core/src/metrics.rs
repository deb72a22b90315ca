//! Goodness-of-fit metrics of `laws.md`: MRE, MAE, RMSE, R^2, SLDBench R^2, Pearson,
//! Spearman, Kendall tau-b; and the percentile summaries of resampled estimates.
//!
//! Each takes predictions and observations of equal, non-zero length and fails with a typed
//! error otherwise; none allocates (rank statistics work in caller scratch). A correlation
//! that is undefined (fewer than 2 rows, a constant series) is
//! [`Error::InvalidConfig`], never NaN.

use crate::Error;

fn check_pair(pred: &[f64], obs: &[f64]) -> Result<(), Error> {
    if pred.is_empty() {
        return Err(Error::Empty);
    }
    if pred.len() != obs.len() {
        return Err(Error::LengthMismatch {
            what: "predictions",
            expected: obs.len(),
            found: pred.len(),
        });
    }
    for (i, (&p, &o)) in pred.iter().zip(obs).enumerate() {
        if !p.is_finite() {
            return Err(Error::NonFinite {
                what: "predictions",
                index: i,
            });
        }
        if !o.is_finite() {
            return Err(Error::NonFinite {
                what: "observations",
                index: i,
            });
        }
    }
    Ok(())
}

fn mean(x: &[f64]) -> f64 {
    x.iter().sum::<f64>() / x.len() as f64
}

/// `(pred - obs) / 2` for every pair: never overflows for finite inputs (the plain
/// difference does once both are near `f64::MAX` with opposite signs).
fn half_errors<'a>(pred: &'a [f64], obs: &'a [f64]) -> impl Iterator<Item = f64> + 'a {
    pred.iter().zip(obs).map(|(&p, &o)| 0.5 * p - 0.5 * o)
}

/// Sums of squares below this may have lost precision to subnormals or underflowed to 0
/// (squares of errors under ~1e-154); such sums, like overflowing ones, are recomputed
/// scaled (which also gives exactly 0 when every term is 0).
const TINY_SUM_OF_SQUARES: f64 = 1e-250;

/// Whether a sum of squares from the direct formula can be trusted.
fn plain_ok(sum_of_squares: f64) -> bool {
    sum_of_squares.is_finite() && sum_of_squares >= TINY_SUM_OF_SQUARES
}

/// The mean, as a sum of `v / n` when the plain sum overflows.
fn robust_mean(x: &[f64]) -> f64 {
    let m = mean(x);
    if m.is_finite() {
        m
    } else {
        let n = x.len() as f64;
        x.iter().map(|v| v / n).sum()
    }
}

/// `value` if finite, else [`Error::Overflow`].
fn finite(value: f64, what: &'static str) -> Result<f64, Error> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(Error::Overflow { what })
    }
}

/// Mean relative error `mean |pred - obs| / |obs|`, as a fraction (multiply by 100 for %).
pub fn mre(pred: &[f64], obs: &[f64]) -> Result<f64, Error> {
    check_pair(pred, obs)?;
    let mut s = 0.0;
    for (i, (&p, &o)) in pred.iter().zip(obs).enumerate() {
        if o == 0.0 {
            return Err(Error::NotPositive {
                what: "observations",
                index: i,
            });
        }
        s += ((p - o) / o).abs();
    }
    let value = s / obs.len() as f64;
    if value.is_finite() {
        return Ok(value);
    }
    // Extreme magnitudes: halved differences, and the mean as a sum of term / n.
    let n = obs.len() as f64;
    let s: f64 = half_errors(pred, obs)
        .zip(obs)
        .map(|(h, &o)| (h / o).abs() / n)
        .sum();
    finite(2.0 * s, "mean relative error")
}

/// Mean absolute error.
pub fn mae(pred: &[f64], obs: &[f64]) -> Result<f64, Error> {
    check_pair(pred, obs)?;
    let value = pred
        .iter()
        .zip(obs)
        .map(|(p, o)| (p - o).abs())
        .sum::<f64>()
        / obs.len() as f64;
    if value.is_finite() {
        return Ok(value);
    }
    let n = obs.len() as f64;
    let s: f64 = half_errors(pred, obs).map(|h| h.abs() / n).sum();
    finite(2.0 * s, "mean absolute error")
}

/// `sqrt(mean(e^2))` of the errors without overflow: the halved errors divided by their
/// largest magnitude, squared and averaged, then scaled back.
fn scaled_rms_error(pred: &[f64], obs: &[f64]) -> f64 {
    let scale = half_errors(pred, obs).fold(0.0_f64, |m, h| m.max(h.abs()));
    if scale == 0.0 {
        return 0.0;
    }
    let n = obs.len() as f64;
    let ms: f64 = half_errors(pred, obs)
        .map(|h| (h / scale) * (h / scale) / n)
        .sum();
    2.0 * scale * libm::sqrt(ms)
}

/// Mean squared error.
pub fn mse(pred: &[f64], obs: &[f64]) -> Result<f64, Error> {
    check_pair(pred, obs)?;
    let ss: f64 = pred.iter().zip(obs).map(|(p, o)| (p - o) * (p - o)).sum();
    if plain_ok(ss) {
        return Ok(ss / obs.len() as f64);
    }
    let r = scaled_rms_error(pred, obs);
    finite(r * r, "mean squared error")
}

/// Root mean squared error.
pub fn rmse(pred: &[f64], obs: &[f64]) -> Result<f64, Error> {
    check_pair(pred, obs)?;
    let ss: f64 = pred.iter().zip(obs).map(|(p, o)| (p - o) * (p - o)).sum();
    if plain_ok(ss) {
        return Ok(libm::sqrt(ss / obs.len() as f64));
    }
    finite(scaled_rms_error(pred, obs), "root mean squared error")
}

/// Coefficient of determination `1 - SSE/SST`. Constant observations give an error
/// (R^2 is undefined there).
pub fn r2(pred: &[f64], obs: &[f64]) -> Result<f64, Error> {
    check_pair(pred, obs)?;
    let m = mean(obs);
    let sst: f64 = obs.iter().map(|o| (o - m) * (o - m)).sum();
    let sse: f64 = pred.iter().zip(obs).map(|(p, o)| (p - o) * (p - o)).sum();
    let (sse, sst) = if sse.is_finite() && plain_ok(sst) {
        (sse, sst)
    } else {
        // Extreme magnitudes: the same ratio from halved deviations divided by the largest.
        let m = robust_mean(obs);
        let dev = |o: f64| 0.5 * o - 0.5 * m;
        let scale = half_errors(pred, obs)
            .chain(obs.iter().map(|&o| dev(o)))
            .fold(0.0_f64, |acc, v| acc.max(v.abs()));
        if scale == 0.0 {
            (0.0, 0.0)
        } else {
            (
                half_errors(pred, obs)
                    .map(|h| (h / scale) * (h / scale))
                    .sum(),
                obs.iter()
                    .map(|&o| (dev(o) / scale) * (dev(o) / scale))
                    .sum(),
            )
        }
    };
    if sst <= 0.0 {
        return Err(Error::InvalidConfig {
            what: "R^2 of constant observations is undefined",
        });
    }
    finite(1.0 - sse / sst, "R^2")
}

/// Population variance.
pub fn variance(x: &[f64]) -> Result<f64, Error> {
    if x.is_empty() {
        return Err(Error::Empty);
    }
    let m = mean(x);
    let ss: f64 = x.iter().map(|v| (v - m) * (v - m)).sum();
    if plain_ok(ss) || x.iter().any(|v| !v.is_finite()) {
        return Ok(ss / x.len() as f64);
    }
    let n = x.len() as f64;
    let m = robust_mean(x);
    let dev = |v: f64| 0.5 * v - 0.5 * m;
    let scale = x.iter().fold(0.0_f64, |acc, &v| acc.max(dev(v).abs()));
    if scale == 0.0 {
        return Ok(0.0);
    }
    let ms: f64 = x
        .iter()
        .map(|&v| (dev(v) / scale) * (dev(v) / scale) / n)
        .sum();
    finite(4.0 * scale * scale * ms, "variance")
}

/// SLDBench multi-output R^2: `1 - mean_j (MSE_j / Var_j)`, given per-output MSEs and
/// variances (variances over train and eval together, as SLDBench computes them).
pub fn sld_r2(mse_per_output: &[f64], var_per_output: &[f64]) -> Result<f64, Error> {
    if mse_per_output.is_empty() {
        return Err(Error::Empty);
    }
    if mse_per_output.len() != var_per_output.len() {
        return Err(Error::LengthMismatch {
            what: "variances",
            expected: mse_per_output.len(),
            found: var_per_output.len(),
        });
    }
    let mut s = 0.0;
    for (i, (&m, &v)) in mse_per_output.iter().zip(var_per_output).enumerate() {
        if !(v > 0.0 && v.is_finite()) {
            return Err(Error::NotPositive {
                what: "variances",
                index: i,
            });
        }
        if !m.is_finite() {
            return Err(Error::NonFinite {
                what: "mse",
                index: i,
            });
        }
        s += m / v;
    }
    Ok(1.0 - s / mse_per_output.len() as f64)
}

/// Pearson correlation. Constant inputs give an error.
pub fn pearson(x: &[f64], y: &[f64]) -> Result<f64, Error> {
    check_pair(x, y)?;
    let (mx, my) = (mean(x), mean(y));
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (&a, &b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    if sxx <= 0.0 || syy <= 0.0 {
        return Err(Error::InvalidConfig {
            what: "correlation of a constant series is undefined",
        });
    }
    Ok(sxy / libm::sqrt(sxx * syy))
}

/// Ranks of `x` (1-based, ties get their average rank) into `ranks`, using `order` as scratch.
pub fn ranks(x: &[f64], order: &mut [usize], ranks: &mut [f64]) -> Result<(), Error> {
    let n = x.len();
    if order.len() < n {
        return Err(Error::BufferTooSmall {
            needed: n,
            found: order.len(),
        });
    }
    if ranks.len() < n {
        return Err(Error::BufferTooSmall {
            needed: n,
            found: ranks.len(),
        });
    }
    if let Some(i) = x.iter().position(|v| !v.is_finite()) {
        return Err(Error::NonFinite {
            what: "x",
            index: i,
        });
    }
    let order = order.get_mut(..n).unwrap_or(&mut []);
    for (i, o) in order.iter_mut().enumerate() {
        *o = i;
    }
    let key = |i: &usize| x.get(*i).copied().unwrap_or(0.0);
    order.sort_unstable_by(|a, b| key(a).total_cmp(&key(b)));
    let mut start = 0;
    while start < n {
        let v = order.get(start).map(key).unwrap_or(0.0);
        let mut end = start + 1;
        while end < n && order.get(end).map(key) == Some(v) {
            end += 1;
        }
        let avg = (start + end + 1) as f64 / 2.0;
        for &i in order.get(start..end).unwrap_or(&[]) {
            if let Some(r) = ranks.get_mut(i) {
                *r = avg;
            }
        }
        start = end;
    }
    Ok(())
}

/// Spearman rank correlation (Pearson of average ranks). `order` needs `n` slots and
/// `rank_buf` `2n`.
pub fn spearman(
    x: &[f64],
    y: &[f64],
    order: &mut [usize],
    rank_buf: &mut [f64],
) -> Result<f64, Error> {
    check_pair(x, y)?;
    let n = x.len();
    if rank_buf.len() < 2 * n {
        return Err(Error::BufferTooSmall {
            needed: 2 * n,
            found: rank_buf.len(),
        });
    }
    let (rx, rest) = rank_buf.split_at_mut(n);
    let ry = rest.get_mut(..n).unwrap_or(&mut []);
    ranks(x, order, rx)?;
    ranks(y, order, ry)?;
    pearson(rx, ry)
}

/// Sort key under which `-0.0` and `+0.0` tie (`total_cmp` alone separates them).
#[inline]
fn tie_key(v: f64) -> f64 {
    v + 0.0
}

/// Number of pairs `t (t - 1) / 2` within runs of equal `key` along `order` (which must be
/// sorted so that equal keys are adjacent).
fn tied_pairs(order: &[usize], key: impl Fn(usize) -> f64) -> u64 {
    let mut pairs = 0u64;
    let mut run = 0u64;
    let mut prev = f64::NAN;
    for &i in order {
        let v = key(i);
        if v == prev {
            run += 1;
        } else {
            pairs += run * run.saturating_sub(1) / 2;
            run = 1;
            prev = v;
        }
    }
    pairs + run * run.saturating_sub(1) / 2
}

/// Stable bottom-up merge sort of `order` by `key`, returning the number of inversions
/// (pairs taken out of order, `key(a) > key(b)` strictly, equal keys are not inversions).
/// `buf` is scratch of the same length.
fn sort_counting_inversions(
    order: &mut [usize],
    buf: &mut [usize],
    key: impl Fn(usize) -> f64,
) -> u64 {
    let n = order.len().min(buf.len());
    let mut swaps = 0u64;
    let mut width = 1;
    // `in_order`: the runs currently live in `order` (else in `buf`).
    let mut in_order = true;
    while width < n {
        let (src, dst): (&[usize], &mut [usize]) = if in_order {
            (&*order, &mut *buf)
        } else {
            (&*buf, &mut *order)
        };
        let mut start = 0;
        while start < n {
            let mid = (start + width).min(n);
            let end = (start + 2 * width).min(n);
            let (left, right) = (
                src.get(start..mid).unwrap_or(&[]),
                src.get(mid..end).unwrap_or(&[]),
            );
            let out = dst.get_mut(start..end).unwrap_or(&mut []);
            let (mut i, mut j) = (0, 0);
            for o in out.iter_mut() {
                let take_left = match (left.get(i), right.get(j)) {
                    (Some(&a), Some(&b)) => {
                        if key(a) <= key(b) {
                            true
                        } else {
                            swaps += (left.len() - i) as u64;
                            false
                        }
                    }
                    (Some(_), None) => true,
                    _ => false,
                };
                if take_left {
                    *o = left.get(i).copied().unwrap_or(0);
                    i += 1;
                } else {
                    *o = right.get(j).copied().unwrap_or(0);
                    j += 1;
                }
            }
            start = end;
        }
        in_order = !in_order;
        width *= 2;
    }
    if !in_order {
        if let (Some(o), Some(b)) = (order.get_mut(..n), buf.get(..n)) {
            o.copy_from_slice(b);
        }
    }
    swaps
}

/// Kendall's rank correlation tau-b (ties handled, as `scipy.stats.kendalltau`):
///
/// ```text
/// tau_b = (n_c - n_d) / sqrt((n_0 - n_x) (n_0 - n_y)),   n_0 = n (n - 1) / 2
/// ```
///
/// with `n_c`, `n_d` the concordant and discordant pairs and `n_x`, `n_y` the pairs tied in
/// `x`, in `y`. Computed in `O(n log n)` by Knight's algorithm (Knight 1966, "A computer
/// method for calculating Kendall's tau with ungrouped data", JASA 61): sort by `(x, y)`,
/// count the inversions of `y` by a merge sort, `n_c - n_d = n_0 - n_x - n_y + n_xy - 2
/// swaps` (`n_xy`: pairs tied in both). `work` needs `2n` slots.
///
/// Undefined (an [`Error::InvalidConfig`]) for fewer than 2 rows or a constant series.
///
/// ```
/// use mixlaw_core::metrics::kendall;
/// let mut work = [0usize; 8];
/// // One discordant pair out of six.
/// let tau = kendall(&[1.0, 2.0, 3.0, 4.0], &[1.0, 3.0, 2.0, 4.0], &mut work)?;
/// assert!((tau - 4.0 / 6.0).abs() < 1e-15);
/// # Ok::<(), mixlaw_core::Error>(())
/// ```
pub fn kendall(x: &[f64], y: &[f64], work: &mut [usize]) -> Result<f64, Error> {
    check_pair(x, y)?;
    let n = x.len();
    if work.len() < 2 * n {
        return Err(Error::BufferTooSmall {
            needed: 2 * n,
            found: work.len(),
        });
    }
    let (order, rest) = work.split_at_mut(n);
    let buf = rest.get_mut(..n).unwrap_or(&mut []);
    let xk = |i: usize| tie_key(x.get(i).copied().unwrap_or(0.0));
    let yk = |i: usize| tie_key(y.get(i).copied().unwrap_or(0.0));
    for (i, o) in order.iter_mut().enumerate() {
        *o = i;
    }
    order.sort_unstable_by(|&a, &b| xk(a).total_cmp(&xk(b)).then(yk(a).total_cmp(&yk(b))));
    let n_x = tied_pairs(order, xk);
    // Pairs tied in both: runs of equal (x, y), adjacent after the lexicographic sort.
    let mut n_xy = 0u64;
    let mut run = 0u64;
    let mut prev: Option<(f64, f64)> = None;
    for &i in order.iter() {
        let v = (xk(i), yk(i));
        if prev == Some(v) {
            run += 1;
        } else {
            n_xy += run * run.saturating_sub(1) / 2;
            run = 1;
            prev = Some(v);
        }
    }
    n_xy += run * run.saturating_sub(1) / 2;
    let swaps = sort_counting_inversions(order, buf, yk);
    let n_y = tied_pairs(order, yk);
    let n0 = (n as u64) * (n as u64).saturating_sub(1) / 2;
    if n0 <= n_x || n0 <= n_y {
        return Err(Error::InvalidConfig {
            what: "correlation of a constant series is undefined",
        });
    }
    // n0 + n_xy >= n_x + n_y (inclusion-exclusion), so this never underflows.
    let num = (n0 + n_xy).saturating_sub(n_x + n_y) as f64 - 2.0 * swaps as f64;
    let den = libm::sqrt((n0 - n_x) as f64 * (n0 - n_y) as f64);
    Ok((num / den).clamp(-1.0, 1.0))
}

/// The `q`-th percentile (0..=100) of ascending `sorted`, interpolating linearly between
/// order statistics (numpy's default); NaN when `sorted` is empty.
pub fn percentile(sorted: &[f64], q: f64) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    let pos = (q.clamp(0.0, 100.0) / 100.0) * (n - 1) as f64;
    let lo = libm::floor(pos) as usize;
    let frac = pos - lo as f64;
    let at = |i: usize| sorted.get(i.min(n - 1)).copied().unwrap_or(f64::NAN);
    if frac == 0.0 {
        at(lo)
    } else {
        at(lo) + frac * (at(lo + 1) - at(lo))
    }
}

/// Mean, standard error (sample standard deviation) and 95 % percentile interval of a
/// resampled estimate (a bootstrap distribution).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Summary {
    /// Mean over the resamples.
    pub mean: f64,
    /// Sample standard deviation over the resamples (the bootstrap standard error; 0 for
    /// one resample).
    pub se: f64,
    /// 2.5 % percentile.
    pub lo: f64,
    /// 97.5 % percentile.
    pub hi: f64,
}

/// [`Summary`] of ascending, finite `sorted` values; `None` when empty.
pub fn summarize_sorted(sorted: &[f64]) -> Option<Summary> {
    if sorted.is_empty() {
        return None;
    }
    let n = sorted.len() as f64;
    let mean = sorted.iter().sum::<f64>() / n;
    let ss: f64 = sorted.iter().map(|x| (x - mean) * (x - mean)).sum();
    let se = if sorted.len() > 1 {
        libm::sqrt(ss / (n - 1.0))
    } else {
        0.0
    };
    Some(Summary {
        mean,
        se,
        lo: percentile(sorted, 2.5),
        hi: percentile(sorted, 97.5),
    })
}
