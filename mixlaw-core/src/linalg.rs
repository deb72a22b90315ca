//! Small dense linear algebra shared by the library crates (one implementation each).

use crate::Error;

/// Solves `A z = b` for symmetric positive definite `A` (`p x p`, lower triangle read and
/// overwritten by its Cholesky factor), `b` overwritten by `z`. Pivots at most `tol` mean
/// [`Error::Singular`].
pub fn cholesky_solve(a: &mut [f64], p: usize, b: &mut [f64], tol: f64) -> Result<(), Error> {
    let at = |a: &[f64], i: usize, j: usize| a.get(i * p + j).copied().unwrap_or(0.0);
    for j in 0..p {
        let mut d = at(a, j, j);
        for k in 0..j {
            let l = at(a, j, k);
            d -= l * l;
        }
        if d.is_nan() || d <= tol {
            return Err(Error::Singular);
        }
        let d = libm::sqrt(d);
        if let Some(v) = a.get_mut(j * p + j) {
            *v = d;
        }
        for i in (j + 1)..p {
            let mut s = at(a, i, j);
            for k in 0..j {
                s -= at(a, i, k) * at(a, j, k);
            }
            if let Some(v) = a.get_mut(i * p + j) {
                *v = s / d;
            }
        }
    }
    // Forward: L w = b.
    for i in 0..p {
        let mut s = b.get(i).copied().unwrap_or(0.0);
        for k in 0..i {
            s -= at(a, i, k) * b.get(k).copied().unwrap_or(0.0);
        }
        if let Some(v) = b.get_mut(i) {
            *v = s / at(a, i, i);
        }
    }
    // Backward: L^T z = w.
    for i in (0..p).rev() {
        let mut s = b.get(i).copied().unwrap_or(0.0);
        for k in (i + 1)..p {
            s -= at(a, k, i) * b.get(k).copied().unwrap_or(0.0);
        }
        if let Some(v) = b.get_mut(i) {
            *v = s / at(a, i, i);
        }
    }
    Ok(())
}
