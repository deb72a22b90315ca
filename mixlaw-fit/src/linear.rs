//! Closed-form weighted least squares for the `linear` law `L = sum_i W_i h_i` (RegMix's
//! linear regression; the intercept is absorbed because `sum_i h_i = 1`).
//!
//! Solves the k x k normal equations `(H^T diag(w) H) W = H^T diag(w) y` by Cholesky in a
//! caller buffer; a tiny ridge (relative 1e-12 of the trace) keeps collinear designs solvable.

use mixlaw_core::{Error, Prepared};

/// Scratch length [`fit_linear`] needs for k domains.
pub const fn scratch_len(k: usize) -> usize {
    k * k + k
}

/// Fits `W` (length k) to `data` by weighted least squares (row weights from the data set).
pub fn fit_linear(
    data: &Prepared<'_>,
    w_out: &mut [f64],
    scratch: &mut [f64],
) -> Result<(), Error> {
    let set = data.data();
    let k = set.domains();
    if k == 0 {
        return Err(Error::WrongDomainCount {
            expected: 1,
            found: 0,
        });
    }
    if w_out.len() != k {
        return Err(Error::WrongParamCount {
            expected: k,
            found: w_out.len(),
        });
    }
    if scratch.len() < scratch_len(k) {
        return Err(Error::BufferTooSmall {
            needed: scratch_len(k),
            found: scratch.len(),
        });
    }
    let (a, rest) = scratch.split_at_mut(k * k);
    let b = rest.get_mut(..k).unwrap_or(&mut []);
    a.iter_mut().for_each(|x| *x = 0.0);
    b.iter_mut().for_each(|x| *x = 0.0);
    let weights = set.weights();
    for (r, &y) in set.targets().iter().enumerate() {
        let wr = weights.and_then(|w| w.get(r)).copied().unwrap_or(1.0);
        let Some(h) = set.mixture(r) else { continue };
        for (i, (&hi, bi)) in h.iter().zip(b.iter_mut()).enumerate() {
            *bi += wr * hi * y;
            let row = a.get_mut(i * k..(i + 1) * k).unwrap_or(&mut []);
            for (aij, &hj) in row.iter_mut().zip(h) {
                *aij += wr * hi * hj;
            }
        }
    }
    let trace: f64 = (0..k).filter_map(|i| a.get(i * k + i)).sum();
    let ridge = 1e-12 * trace / k as f64;
    for i in 0..k {
        if let Some(x) = a.get_mut(i * k + i) {
            *x += ridge;
        }
    }
    cholesky_solve(a, b, k)?;
    if b.iter().any(|v| !v.is_finite()) {
        // Targets near f64::MAX overflow the normal equations.
        return Err(Error::Overflow {
            what: "the linear least-squares fit",
        });
    }
    w_out.copy_from_slice(b);
    Ok(())
}

/// Solves `A x = b` in place (`b` becomes x) for symmetric positive definite `A` (row-major,
/// overwritten by its Cholesky factor).
pub fn cholesky_solve(a: &mut [f64], b: &mut [f64], k: usize) -> Result<(), Error> {
    let at = |a: &[f64], i: usize, j: usize| a.get(i * k + j).copied().unwrap_or(0.0);
    for j in 0..k {
        let mut d = at(a, j, j);
        for p in 0..j {
            d -= at(a, j, p) * at(a, j, p);
        }
        if !(d > 0.0 && d.is_finite()) {
            return Err(Error::InvalidConfig {
                what: "normal equations are not positive definite",
            });
        }
        let d = libm::sqrt(d);
        if let Some(x) = a.get_mut(j * k + j) {
            *x = d;
        }
        for i in j + 1..k {
            let mut s = at(a, i, j);
            for p in 0..j {
                s -= at(a, i, p) * at(a, j, p);
            }
            if let Some(x) = a.get_mut(i * k + j) {
                *x = s / d;
            }
        }
    }
    // Forward (L z = b), then backward (L^T x = z) substitution.
    for i in 0..k {
        let mut s = b.get(i).copied().unwrap_or(0.0);
        for p in 0..i {
            s -= at(a, i, p) * b.get(p).copied().unwrap_or(0.0);
        }
        if let Some(x) = b.get_mut(i) {
            *x = s / at(a, i, i);
        }
    }
    for i in (0..k).rev() {
        let mut s = b.get(i).copied().unwrap_or(0.0);
        for p in i + 1..k {
            s -= at(a, p, i) * b.get(p).copied().unwrap_or(0.0);
        }
        if let Some(x) = b.get_mut(i) {
            *x = s / at(a, i, i);
        }
    }
    Ok(())
}
