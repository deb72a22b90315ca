//! Small dense linear algebra shared by the library crates (one implementation each).

use crate::Error;

/// Columns per panel of [`cholesky_solve`]'s blocked update.
const CHOLESKY_BLOCK: usize = 16;

/// Solves `A z = b` for symmetric positive definite `A` (`p x p`, row-major), `b`
/// overwritten by `z`. Only the lower triangle of `A` is read; on return the lower triangle
/// holds the Cholesky factor `L` (`A = L L^T`) and the upper triangle its transpose `L^T`.
/// Pivots at most `tol` (or NaN) mean [`Error::Singular`]; buffers shorter than `p x p` and
/// `p` give [`Error::BufferTooSmall`].
///
/// Right-looking (outer-product) form, by panels of 16 columns: once a column `k` of `L` is
/// known it is copied to row `k` of the upper triangle, so the update `a_ij -= l_ik l_jk` of
/// the trailing lower triangle runs along contiguous rows and vectorises; a panel's columns
/// update each row segment while it is in cache. Every entry still receives its updates in
/// the order `k = 0, 1, ...`, as in the textbook (left-looking) recurrence
/// `l_ij = (a_ij - sum_{k<j} l_ik l_jk) / l_jj`: the results are the same to the last bit,
/// several times faster at hundreds of unknowns.
pub fn cholesky_solve(a: &mut [f64], p: usize, b: &mut [f64], tol: f64) -> Result<(), Error> {
    let needed = p.saturating_mul(p);
    let (Some(a), Some(b)) = (a.get_mut(..needed), b.get_mut(..p)) else {
        return Err(Error::BufferTooSmall {
            needed: needed.max(p),
            found: a.len().min(b.len()),
        });
    };
    let mut kb = 0;
    while kb < p {
        // A panel of columns kb..ke is factored first (its own updates only) ...
        let ke = (kb + CHOLESKY_BLOCK).min(p);
        for k in kb..ke {
            let (head, tail) = a.split_at_mut((k + 1) * p);
            let row_k = head.get_mut(k * p..).unwrap_or(&mut []);
            let (diag, upper) = match row_k.get_mut(k..) {
                Some([d, rest @ ..]) => (d, rest),
                _ => return Err(Error::Singular),
            };
            if diag.is_nan() || *diag <= tol {
                return Err(Error::Singular);
            }
            let d = libm::sqrt(*diag);
            *diag = d;
            // Column k below the diagonal: l_ik = a_ik / l_kk, mirrored to row k.
            for (row, u) in tail.chunks_exact_mut(p).zip(upper.iter_mut()) {
                if let Some(v) = row.get_mut(k) {
                    *v /= d;
                    *u = *v;
                }
            }
            // Within the panel: a_ij -= l_ik l_jk for k < j < ke, j <= i.
            let width = ke - k - 1;
            for (r, row) in tail.chunks_exact_mut(p).enumerate() {
                let Some((lik, rest)) = row.get_mut(k..).and_then(|s| s.split_first_mut()) else {
                    continue;
                };
                let n = width.min(r + 1);
                let (w, l) = (rest.get_mut(..n), upper.get(..n));
                for (w, &ljk) in w.unwrap_or(&mut []).iter_mut().zip(l.unwrap_or(&[])) {
                    *w -= *lik * ljk;
                }
            }
        }
        // ... then the rest of the lower triangle takes the panel's rank-`ke - kb`
        // update row by row (each row segment stays in cache across the panel's columns).
        let (head, tail) = a.split_at_mut(ke * p);
        for (r, row) in tail.chunks_exact_mut(p).enumerate() {
            let Some((left, right)) = row.split_at_mut_checked(ke) else {
                continue;
            };
            let seg = right.get_mut(..=r).unwrap_or(&mut []);
            for (k, &lik) in left.iter().enumerate().skip(kb) {
                let lt = head.get(k * p + ke..=k * p + ke + r).unwrap_or(&[]);
                for (w, &ljk) in seg.iter_mut().zip(lt) {
                    *w -= lik * ljk;
                }
            }
        }
        kb = ke;
    }
    // Forward: L w = b (rows of L, contiguous).
    for i in 0..p {
        let row = a.get(i * p..i * p + i + 1).unwrap_or(&[]);
        let mut s = b.get(i).copied().unwrap_or(0.0);
        for (l, &w) in row.iter().zip(b.iter()).take(i) {
            s -= l * w;
        }
        if let Some(v) = b.get_mut(i) {
            *v = s / row.get(i).copied().unwrap_or(f64::NAN);
        }
    }
    // Backward: L^T z = w (rows of the upper triangle, contiguous).
    for i in (0..p).rev() {
        let row = a.get(i * p + i..(i + 1) * p).unwrap_or(&[]);
        let (lii, rest) = row.split_first().unwrap_or((&f64::NAN, &[]));
        let mut s = b.get(i).copied().unwrap_or(0.0);
        for (l, &z) in rest.iter().zip(b.iter().skip(i + 1)) {
            s -= l * z;
        }
        if let Some(v) = b.get_mut(i) {
            *v = s / lii;
        }
    }
    Ok(())
}

/// Workspace length of [`nnls_gram`] for `q` unknowns.
pub const fn nnls_workspace_len(q: usize) -> usize {
    q * q + 3 * q
}

/// Solves the least-squares problem in its normal form with sign constraints:
/// `min_x 1/2 x^T G x - b^T x` subject to `x_j >= 0` where `nonneg(j)` (the others free),
/// for symmetric positive semi-definite `G` (`q x q`, row-major, read only). Lawson and
/// Hanson's active-set method (1974, algorithm NNLS) on the Gram matrix, the free
/// unknowns always in the passive set; every sub-system `G_PP z_P = b_P` is solved by
/// Cholesky with a ridge of `1e-13 trace(G_PP) / |P|` that keeps collinear columns solvable.
/// At the solution, `w = b - G x` satisfies the KKT conditions: `w_j = 0` for free and
/// positive `x_j`, `w_j <= tol` for `x_j = 0`. The result lands in `x`; `work` needs
/// [`nnls_workspace_len`]`(q)` elements. [`Error::Singular`] when a sub-system cannot be
/// solved (a non-finite `G` or `b`).
pub fn nnls_gram<F: Fn(usize) -> bool>(
    gram: &[f64],
    q: usize,
    b: &[f64],
    nonneg: F,
    x: &mut [f64],
    work: &mut [f64],
) -> Result<(), Error> {
    let needed = nnls_workspace_len(q);
    if work.len() < needed {
        return Err(Error::BufferTooSmall {
            needed,
            found: work.len(),
        });
    }
    if gram.len() < q * q || b.len() < q || x.len() < q {
        return Err(Error::LengthMismatch {
            what: "nnls_gram operands",
            expected: q,
            found: x.len().min(b.len()),
        });
    }
    let (sub, rest) = work.split_at_mut(q * q);
    let (z, rest) = rest.split_at_mut(q);
    let (passive, rest) = rest.split_at_mut(q);
    let w = rest.get_mut(..q).unwrap_or(&mut []);
    let g = |i: usize, j: usize| gram.get(i * q + j).copied().unwrap_or(0.0);
    let constrained = |j: usize| nonneg(j);
    let is_passive = |passive: &[f64], j: usize| passive.get(j).is_some_and(|&v| v > 0.5);
    // Solves G_PP z_P = b_P into z (0 outside P).
    let solve = |passive: &[f64], sub: &mut [f64], z: &mut [f64]| -> Result<(), Error> {
        let idx = |k: usize| (0..q).filter(|&j| is_passive(passive, j)).nth(k);
        let np = (0..q).filter(|&j| is_passive(passive, j)).count();
        let mut trace = 0.0;
        for a in 0..np {
            let Some(i) = idx(a) else { continue };
            trace += g(i, i);
            for c in 0..np {
                let Some(j) = idx(c) else { continue };
                if let Some(s) = sub.get_mut(a * np + c) {
                    *s = g(i, j);
                }
            }
        }
        let ridge = if np > 0 && trace > 0.0 {
            1e-13 * trace / np as f64
        } else {
            f64::MIN_POSITIVE
        };
        for a in 0..np {
            if let Some(s) = sub.get_mut(a * np + a) {
                *s += ridge;
            }
        }
        // b_P compactly into z, solved in place, then spread to the passive positions
        // (from the back: position idx(a) >= a, so no unread entry is overwritten).
        for a in 0..np {
            if let (Some(i), Some(t)) = (idx(a), z.get_mut(a)) {
                *t = b.get(i).copied().unwrap_or(0.0);
            }
        }
        cholesky_solve(sub, np, z.get_mut(..np).unwrap_or(&mut []), 0.0)?;
        for a in (0..np).rev() {
            if let Some(i) = idx(a) {
                let v = z.get(a).copied().unwrap_or(0.0);
                if let Some(t) = z.get_mut(i) {
                    *t = v;
                }
            }
        }
        for j in 0..q {
            if !is_passive(passive, j) {
                if let Some(t) = z.get_mut(j) {
                    *t = 0.0;
                }
            }
        }
        if z.iter().any(|v| !v.is_finite()) {
            return Err(Error::Singular);
        }
        Ok(())
    };
    // Start: every unknown passive (the unconstrained solution); if it is feasible, done.
    passive.iter_mut().for_each(|p| *p = 1.0);
    solve(passive, sub, z)?;
    if (0..q).all(|j| !constrained(j) || z.get(j).is_some_and(|&v| v > 0.0)) {
        x.get_mut(..q).unwrap_or(&mut []).copy_from_slice(z);
        return Ok(());
    }
    // Lawson-Hanson from x = 0 on the constrained unknowns, the free ones solved for.
    for j in 0..q {
        if let Some(p) = passive.get_mut(j) {
            *p = if constrained(j) { 0.0 } else { 1.0 };
        }
    }
    solve(passive, sub, z)?;
    x.get_mut(..q).unwrap_or(&mut []).copy_from_slice(z);
    let scale = (0..q).map(|i| g(i, i).abs()).fold(0.0f64, f64::max);
    let bscale = b.iter().take(q).fold(0.0f64, |m, v| m.max(v.abs()));
    let tol = 1e-12 * (bscale + scale * x.iter().take(q).fold(0.0f64, |m, v| m.max(v.abs())));
    for _outer in 0..(3 * q + 10) {
        for (i, wi) in w.iter_mut().enumerate() {
            let gx: f64 = (0..q)
                .map(|j| g(i, j) * x.get(j).copied().unwrap_or(0.0))
                .sum();
            *wi = b.get(i).copied().unwrap_or(0.0) - gx;
        }
        let candidate = (0..q)
            .filter(|&j| constrained(j) && !is_passive(passive, j))
            .filter(|&j| w.get(j).is_some_and(|&v| v > tol))
            .max_by(|&a, &c| {
                let (wa, wc) = (
                    w.get(a).copied().unwrap_or(0.0),
                    w.get(c).copied().unwrap_or(0.0),
                );
                wa.total_cmp(&wc)
            });
        let Some(t) = candidate else {
            return Ok(());
        };
        if let Some(p) = passive.get_mut(t) {
            *p = 1.0;
        }
        for _inner in 0..(3 * q + 10) {
            solve(passive, sub, z)?;
            let infeasible = (0..q).any(|j| {
                constrained(j) && is_passive(passive, j) && z.get(j).is_some_and(|&v| v <= 0.0)
            });
            if !infeasible {
                x.get_mut(..q).unwrap_or(&mut []).copy_from_slice(z);
                break;
            }
            // Step from x toward z until the first constrained unknown reaches 0.
            let mut step = 1.0f64;
            for j in 0..q {
                let (xj, zj) = (
                    x.get(j).copied().unwrap_or(0.0),
                    z.get(j).copied().unwrap_or(0.0),
                );
                if constrained(j) && is_passive(passive, j) && zj <= 0.0 && xj - zj > 0.0 {
                    step = step.min(xj / (xj - zj));
                }
            }
            for j in 0..q {
                let zj = z.get(j).copied().unwrap_or(0.0);
                if let Some(xj) = x.get_mut(j) {
                    *xj += step * (zj - *xj);
                    if constrained(j) && *xj <= 0.0 {
                        *xj = 0.0;
                    }
                }
                if constrained(j) && x.get(j).is_some_and(|&v| v <= 0.0) {
                    if let Some(p) = passive.get_mut(j) {
                        *p = 0.0;
                    }
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Brute force over the 2^q sign patterns: the best feasible stationary point of each
    /// face, for a small problem.
    fn brute(g: &[f64], b: &[f64], nonneg: &[bool]) -> f64 {
        let q = b.len();
        let mut best = f64::INFINITY;
        for mask in 0u32..(1 << q) {
            // Unknowns in `mask` are held at 0 (only constrained ones may be).
            if (0..q).any(|j| mask & (1 << j) != 0 && !nonneg[j]) {
                continue;
            }
            let free: std::vec::Vec<usize> = (0..q).filter(|j| mask & (1 << j) == 0).collect();
            let np = free.len();
            let mut a = std::vec![0.0; np * np];
            let mut z: std::vec::Vec<f64> = free.iter().map(|&i| b[i]).collect();
            for (r, &i) in free.iter().enumerate() {
                for (c, &j) in free.iter().enumerate() {
                    a[r * np + c] = g[i * q + j];
                }
            }
            if cholesky_solve(&mut a, np, &mut z, 1e-300).is_err() {
                continue;
            }
            let mut x = std::vec![0.0; q];
            for (r, &i) in free.iter().enumerate() {
                x[i] = z[r];
            }
            if (0..q).any(|j| nonneg[j] && x[j] < 0.0) {
                continue;
            }
            let mut f = 0.0;
            for i in 0..q {
                f -= b[i] * x[i];
                for j in 0..q {
                    f += 0.5 * x[i] * g[i * q + j] * x[j];
                }
            }
            best = best.min(f);
        }
        best
    }

    extern crate std;

    #[test]
    fn nnls_matches_brute_force_on_random_problems() {
        let mut state = 12345u64;
        let mut next = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
        };
        let mut active_seen = 0;
        for case in 0..400 {
            let q = 1 + case % 5;
            let rows = q + 3;
            let mut design = std::vec![0.0; rows * q];
            design.iter_mut().for_each(|v| *v = next());
            let y: std::vec::Vec<f64> = (0..rows).map(|_| next()).collect();
            let mut g = std::vec![0.0; q * q];
            let mut b = std::vec![0.0; q];
            for r in 0..rows {
                for i in 0..q {
                    b[i] += design[r * q + i] * y[r];
                    for j in 0..q {
                        g[i * q + j] += design[r * q + i] * design[r * q + j];
                    }
                }
            }
            let nonneg: std::vec::Vec<bool> = (0..q).map(|j| (case + j) % 3 != 0).collect();
            let mut x = std::vec![0.0; q];
            let mut work = std::vec![0.0; nnls_workspace_len(q)];
            nnls_gram(&g, q, &b, |j| nonneg[j], &mut x, &mut work).unwrap();
            assert!((0..q).all(|j| !nonneg[j] || x[j] >= 0.0), "{x:?}");
            active_seen += (0..q).filter(|&j| nonneg[j] && x[j] == 0.0).count();
            let mut f = 0.0;
            for i in 0..q {
                f -= b[i] * x[i];
                for j in 0..q {
                    f += 0.5 * x[i] * g[i * q + j] * x[j];
                }
            }
            let want = brute(&g, &b, &nonneg);
            assert!(
                f <= want + 1e-9 * (1.0 + want.abs()),
                "case {case}: {f} vs {want}"
            );
        }
        assert!(
            active_seen > 50,
            "the constraints bound too rarely: {active_seen}"
        );
    }
}
