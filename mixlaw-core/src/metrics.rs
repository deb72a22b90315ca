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
    Ok(s / obs.len() as f64)
}

/// Mean absolute error.
pub fn mae(pred: &[f64], obs: &[f64]) -> Result<f64, Error> {
    check_pair(pred, obs)?;
    Ok(pred
        .iter()
        .zip(obs)
        .map(|(p, o)| (p - o).abs())
        .sum::<f64>()
        / obs.len() as f64)
}

/// Mean squared error.
pub fn mse(pred: &[f64], obs: &[f64]) -> Result<f64, Error> {
    check_pair(pred, obs)?;
    Ok(pred
        .iter()
        .zip(obs)
        .map(|(p, o)| (p - o) * (p - o))
        .sum::<f64>()
        / obs.len() as f64)
}

/// Root mean squared error.
pub fn rmse(pred: &[f64], obs: &[f64]) -> Result<f64, Error> {
    Ok(libm::sqrt(mse(pred, obs)?))
}

/// Coefficient of determination `1 - SSE/SST`. Constant observations give an error
/// (R^2 is undefined there).
pub fn r2(pred: &[f64], obs: &[f64]) -> Result<f64, Error> {
    check_pair(pred, obs)?;
    let m = mean(obs);
    let sst: f64 = obs.iter().map(|o| (o - m) * (o - m)).sum();
    if sst <= 0.0 {
        return Err(Error::InvalidConfig {
            what: "R^2 of constant observations is undefined",
        });
    }
    let sse: f64 = pred.iter().zip(obs).map(|(p, o)| (p - o) * (p - o)).sum();
    Ok(1.0 - sse / sst)
}

/// Population variance.
pub fn variance(x: &[f64]) -> Result<f64, Error> {
    if x.is_empty() {
        return Err(Error::Empty);
    }
    let m = mean(x);
    Ok(x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / x.len() as f64)
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
