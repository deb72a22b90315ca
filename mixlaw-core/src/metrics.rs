//! Goodness-of-fit metrics of `laws.md`: MRE, MAE, RMSE, R^2, SLDBench R^2, Pearson, Spearman.
//!
//! Each takes predictions and observations of equal, non-zero length and fails with a typed
//! error otherwise; none allocates (Spearman ranks in caller scratch).

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
