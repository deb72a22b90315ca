//! Linear regressors fitted in closed form, in caller buffers (Belenki et al. section 3.2):
//! LINEAR (features = the mixture `lambda`) and LINEAR+MDE (features = `lambda` and the
//! MDE losses of the m validation sets, [`crate::mde::MdeObjective::features`]), plain
//! least squares or ridge:
//!
//! ```text
//! min_{b0, beta} sum_r (y_r - b0 - <x_r, beta>)^2 + alpha |beta|^2
//! ```
//!
//! with the intercept `b0` unpenalised (centred data, as scikit-learn's `Ridge`). The
//! normal equations `(Xc^T Xc + alpha I) beta = Xc^T yc` are solved by Cholesky in a
//! `p (p + 2)` workspace. Because `sum lambda = 1`, an intercept is collinear with the
//! `lambda` columns: use `intercept = false` for LINEAR(+MDE) without ridge.

use crate::Error;

/// Workspace length [`fit_ridge`] needs for `p` features.
pub const fn workspace_len(p: usize) -> usize {
    p * (p + 2)
}

/// Relative pivot size below which the normal equations count as singular.
const PIVOT_TOL: f64 = 1e-13;

/// Fits `y ~ b0 + X beta` (ridge penalty `alpha >= 0`; `alpha = 0` is least squares).
/// `x` is `rows x p` row-major, `y` has `rows` entries, `beta` receives p coefficients and
/// the return value is `b0` (0 without `intercept`). `work` needs [`workspace_len`]`(p)`.
///
/// Errors: lengths, non-finite data, `alpha` negative, no rows, and [`Error::Singular`]
/// when the features are collinear and `alpha = 0`.
///
/// ```
/// use mixlaw_opt::regress::{fit_ridge, workspace_len};
/// // y = 1 + 2 x0 - x1, exactly.
/// let x = [0.0, 0.0, 1.0, 0.0, 0.0, 1.0, 1.0, 1.0, 2.0, 3.0];
/// let y: Vec<f64> = x.chunks(2).map(|r| 1.0 + 2.0 * r[0] - r[1]).collect();
/// let (mut beta, mut work) = ([0.0; 2], [0.0; workspace_len(2)]);
/// let b0 = fit_ridge(&x, &y, 2, 0.0, true, &mut work, &mut beta)?;
/// assert!((b0 - 1.0).abs() < 1e-12 && (beta[0] - 2.0).abs() < 1e-12 && (beta[1] + 1.0).abs() < 1e-12);
/// # Ok::<(), mixlaw_opt::Error>(())
/// ```
pub fn fit_ridge(
    x: &[f64],
    y: &[f64],
    p: usize,
    alpha: f64,
    intercept: bool,
    work: &mut [f64],
    beta: &mut [f64],
) -> Result<f64, Error> {
    let rows = y.len();
    if rows == 0 || p == 0 {
        return Err(Error::Empty);
    }
    for (what, len, want) in [("x", x.len(), rows * p), ("beta", beta.len(), p)] {
        if len != want {
            return Err(Error::LengthMismatch {
                what,
                expected: want,
                found: len,
            });
        }
    }
    if work.len() < workspace_len(p) {
        return Err(Error::BufferTooSmall {
            needed: workspace_len(p),
            found: work.len(),
        });
    }
    if !(alpha >= 0.0 && alpha.is_finite()) {
        return Err(Error::InvalidConfig {
            what: "ridge alpha must be finite and >= 0",
        });
    }
    if let Some(i) = x.iter().position(|v| !v.is_finite()) {
        return Err(Error::InvalidInput {
            what: "x",
            index: i,
        });
    }
    if let Some(i) = y.iter().position(|v| !v.is_finite()) {
        return Err(Error::InvalidInput {
            what: "y",
            index: i,
        });
    }
    let (gram, rest) = work.split_at_mut(p * p);
    let (rhs, rest) = rest.split_at_mut(p);
    let means = rest.get_mut(..p).ok_or(Error::BufferTooSmall {
        needed: workspace_len(p),
        found: p * p + p,
    })?;
    // Column means (centring for the intercept).
    let inv_rows = 1.0 / rows as f64;
    means.iter_mut().for_each(|m| *m = 0.0);
    let mut ymean = 0.0;
    if intercept {
        for (row, &yr) in x.chunks_exact(p).zip(y) {
            for (m, &v) in means.iter_mut().zip(row) {
                *m += v * inv_rows;
            }
            ymean += yr * inv_rows;
        }
    }
    // Gram matrix (lower triangle used) and right-hand side.
    gram.iter_mut().for_each(|g| *g = 0.0);
    rhs.iter_mut().for_each(|r| *r = 0.0);
    for (row, &yr) in x.chunks_exact(p).zip(y) {
        let yc = yr - ymean;
        for (i, (gi, (&xi, &mi))) in gram
            .chunks_exact_mut(p)
            .zip(row.iter().zip(means.iter()))
            .enumerate()
        {
            let xci = xi - mi;
            if let Some(r) = rhs.get_mut(i) {
                *r += xci * yc;
            }
            for ((g, &xj), &mj) in gi.iter_mut().zip(row).zip(means.iter()).take(i + 1) {
                *g += xci * (xj - mj);
            }
        }
    }
    let mut max_diag = 0.0f64;
    for i in 0..p {
        if let Some(g) = gram.get_mut(i * p + i) {
            *g += alpha;
            max_diag = max_diag.max(*g);
        }
    }
    mixlaw_core::linalg::cholesky_solve(gram, p, rhs, max_diag * PIVOT_TOL)?;
    beta.copy_from_slice(rhs);
    let b0 = if intercept {
        ymean
            - means
                .iter()
                .zip(beta.iter())
                .map(|(m, b)| m * b)
                .sum::<f64>()
    } else {
        0.0
    };
    Ok(b0)
}

/// The prediction `b0 + <x, beta>`.
pub fn predict(x: &[f64], beta: &[f64], b0: f64) -> f64 {
    b0 + x.iter().zip(beta).map(|(x, b)| x * b).sum::<f64>()
}

/// Folds fitted LINEAR+MDE regressors of several targets into one objective in `lambda`.
///
/// Target j (of `weights.len()`) has coefficients `betas[j]` = `(a_j, b_j)` (row j of a
/// `J x (k + m)` row-major array: k on `lambda`, m on the MDE features) and intercept
/// `b0s[j]`. The aggregate `sum_j v_j L^_j(lambda)` with target weights `v` equals
/// `c + <a, lambda> + sum_l w_l L^l_MDE(lambda)`; this writes `a` (k) and `w` (m) and
/// returns `c`, ready for `MdeObjective::new(k, sets, &w)?.with_linear(&a, c)`.
pub fn aggregate_linear_mde(
    k: usize,
    m: usize,
    betas: &[f64],
    b0s: &[f64],
    weights: &[f64],
    a: &mut [f64],
    w: &mut [f64],
) -> Result<f64, Error> {
    let p = k + m;
    let targets = weights.len();
    for (what, len, want) in [
        ("betas", betas.len(), targets * p),
        ("intercepts", b0s.len(), targets),
        ("a", a.len(), k),
        ("w", w.len(), m),
    ] {
        if len != want {
            return Err(Error::LengthMismatch {
                what,
                expected: want,
                found: len,
            });
        }
    }
    if targets == 0 || p == 0 {
        return Err(Error::Empty);
    }
    a.iter_mut().for_each(|v| *v = 0.0);
    w.iter_mut().for_each(|v| *v = 0.0);
    let mut c = 0.0;
    for ((row, &b0), &v) in betas.chunks_exact(p).zip(b0s).zip(weights) {
        c += v * b0;
        let (ra, rw) = row.split_at(k);
        for (dst, &src) in a.iter_mut().zip(ra) {
            *dst += v * src;
        }
        for (dst, &src) in w.iter_mut().zip(rw) {
            *dst += v * src;
        }
    }
    if !c.is_finite() || a.iter().chain(w.iter()).any(|v| !v.is_finite()) {
        return Err(Error::InvalidInput {
            what: "regression coefficients",
            index: 0,
        });
    }
    Ok(c)
}
