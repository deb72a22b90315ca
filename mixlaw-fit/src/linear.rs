//! Closed-form weighted least squares for laws that are linear in all their parameters
//! (declared by their layout, [`mixlaw_core::param::Block::linear`]): RegMix's linear
//! regression `L = sum_i W_i h_i` (the intercept is absorbed because `sum_i h_i = 1`), or
//! any user law of that kind.
//!
//! The design row of an entry is the law's gradient in its parameters (constant, since
//! the law is linear); the p x p normal equations `(X^T diag(w) X) theta = X^T diag(w) y`
//! are accumulated in their lower triangle and solved by Cholesky in a caller buffer; a
//! tiny ridge (relative 1e-12 of the trace) keeps collinear designs solvable. The closed
//! form minimises the squared loss.

use mixlaw_core::{Error, Law, LawExt, Prepared, Row};

/// Scratch length [`fit_linear`] needs for a law of `p` parameters.
pub const fn scratch_len(p: usize) -> usize {
    p * p + 2 * p
}

/// Fits every parameter of a linear law (no positive parameters) to `data` by weighted
/// least squares (run and entry weights from the data set), into `params_out`.
pub fn fit_linear<L: Law + ?Sized>(
    law: &L,
    data: &Prepared<'_>,
    params_out: &mut [f64],
    scratch: &mut [f64],
) -> Result<(), Error> {
    let p = law.num_params();
    if !law.is_linear() || (0..p).any(|i| law.param_info(i).is_some_and(|q| q.positive)) {
        return Err(Error::InvalidConfig {
            what: "a closed-form fit needs a law linear in every parameter, none positive",
        });
    }
    if p == 0 {
        return Err(Error::WrongParamCount {
            expected: 1,
            found: 0,
        });
    }
    if params_out.len() != p {
        return Err(Error::WrongParamCount {
            expected: p,
            found: params_out.len(),
        });
    }
    if scratch.len() < scratch_len(p) {
        return Err(Error::BufferTooSmall {
            needed: scratch_len(p),
            found: scratch.len(),
        });
    }
    mixlaw_core::eval::check_data(law, data)?;
    let (a, rest) = scratch.split_at_mut(p * p);
    let (b, rest) = rest.split_at_mut(p);
    let x = rest.get_mut(..p).unwrap_or(&mut []);
    a.iter_mut().for_each(|v| *v = 0.0);
    b.iter_mut().for_each(|v| *v = 0.0);
    params_out.iter_mut().for_each(|v| *v = 0.0);
    let set = data.data();
    let m = set.outputs();
    for (r, row) in data.iter_rows().enumerate() {
        for j in 0..m {
            let w = set.weight(r, j);
            let y = set.targets().get(r * m + j).copied().unwrap_or(0.0);
            if w == 0.0 {
                continue;
            }
            // The design row: dL/dtheta, the same at every theta for a linear law.
            law.eval_row(params_out, &Row { output: j, ..row }, Some(&mut *x));
            for (i, (&xi, bi)) in x.iter().zip(b.iter_mut()).enumerate() {
                // A zero design entry adds nothing: a row of a sparse mixture (a few of
                // hundreds of domains weighted) costs O(support x p), not O(p^2).
                if xi == 0.0 {
                    continue;
                }
                *bi += w * xi * y;
                // The lower triangle only: all the Cholesky solve reads.
                let arow = a.get_mut(i * p..i * p + i + 1).unwrap_or(&mut []);
                for (aij, &xj) in arow.iter_mut().zip(x.iter()) {
                    *aij += w * xi * xj;
                }
            }
        }
    }
    let trace: f64 = (0..p).filter_map(|i| a.get(i * p + i)).sum();
    let ridge = 1e-12 * trace / p as f64;
    for i in 0..p {
        if let Some(v) = a.get_mut(i * p + i) {
            *v += ridge;
        }
    }
    mixlaw_core::linalg::cholesky_solve(a, p, b, 0.0)?;
    if b.iter().any(|v| !v.is_finite()) {
        // Targets near f64::MAX overflow the normal equations.
        return Err(Error::Overflow {
            what: "the linear least-squares fit",
        });
    }
    params_out.copy_from_slice(b);
    Ok(())
}
