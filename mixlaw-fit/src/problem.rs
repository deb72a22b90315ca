//! The minimisation problem interface (in the style of argmin's `CostFunction` + `Gradient`).

use mixlaw_core::{Error, Law, Objective};

use crate::LocalSolver;

/// A smooth function of `dim()` real variables with its gradient.
pub trait Problem {
    /// Number of variables.
    fn dim(&self) -> usize;

    /// The value at `x`, with the gradient written into `grad` (length `dim()`).
    /// Where the function is undefined or overflows, return a non-finite value: the
    /// optimisers treat it as `+inf` and backtrack.
    fn cost_grad(&mut self, x: &[f64], grad: &mut [f64]) -> f64;

    /// Forgets any state kept between evaluations (e.g. warm starts of an inner solve), so
    /// that what follows does not depend on what came before. Basin-hopping calls it at
    /// every start. Default: nothing to forget.
    fn reset(&mut self) {}

    /// For a sum of residual losses: the value at `x`, its gradient into `grad` and the
    /// Gauss-Newton matrix into `hess` (`dim() x dim()`, row-major); see
    /// [`mixlaw_core::Objective::gauss_newton`]. A non-finite value means `+inf`. `None`
    /// (the default) when the problem has no such system: it is minimised by gradient.
    fn gauss_newton(&mut self, x: &[f64], grad: &mut [f64], hess: &mut [f64]) -> Option<f64> {
        let _ = (x, grad, hess);
        None
    }

    /// Whether [`Problem::gauss_newton`] is available (default: no).
    fn has_gauss_newton(&self) -> bool {
        false
    }
}

/// Scratch length of a [`LawProblem`] for a fit with local solver `local`: with room for
/// the Gauss-Newton system when it is Levenberg-Marquardt.
pub fn scratch_len<L: Law + ?Sized>(objective: &Objective<'_, '_, L>, local: LocalSolver) -> usize {
    match local {
        LocalSolver::Lm => objective.gauss_newton_scratch_len(),
        _ => objective.scratch_len(),
    }
}

/// A [`mixlaw_core::Objective`] (law + data + loss over unconstrained parameters) as a
/// [`Problem`], with its evaluation scratch in a caller buffer (which also keeps the
/// law's warm-start state between evaluations, e.g. a capacity law's multipliers).
#[derive(Debug)]
pub struct LawProblem<'o, 'l, 'd, 's, L: ?Sized> {
    objective: &'o Objective<'l, 'd, L>,
    scratch: &'s mut [f64],
}

impl<'o, 'l, 'd, 's, L: Law + ?Sized> LawProblem<'o, 'l, 'd, 's, L> {
    /// Wraps `objective`; `scratch` needs `objective.scratch_len()` elements, and
    /// `objective.gauss_newton_scratch_len()` for [`Problem::gauss_newton`] (see
    /// [`scratch_len`]).
    pub fn new(
        objective: &'o Objective<'l, 'd, L>,
        scratch: &'s mut [f64],
    ) -> Result<Self, mixlaw_core::Error> {
        let needed = objective.scratch_len();
        if scratch.len() < needed {
            return Err(mixlaw_core::Error::BufferTooSmall {
                needed,
                found: scratch.len(),
            });
        }
        objective.reset_state(scratch);
        Ok(LawProblem { objective, scratch })
    }
}

impl<L: Law + ?Sized> Problem for LawProblem<'_, '_, '_, '_, L> {
    fn dim(&self) -> usize {
        self.objective.dim()
    }
    fn cost_grad(&mut self, x: &[f64], grad: &mut [f64]) -> f64 {
        self.objective
            .eval(x, Some(grad), self.scratch)
            .unwrap_or(f64::INFINITY)
    }
    fn reset(&mut self) {
        self.objective.reset_state(self.scratch);
    }
    fn gauss_newton(&mut self, x: &[f64], grad: &mut [f64], hess: &mut [f64]) -> Option<f64> {
        if !self.has_gauss_newton() {
            return None;
        }
        Some(
            self.objective
                .gauss_newton(x, grad, hess, self.scratch)
                .unwrap_or(f64::INFINITY),
        )
    }
    fn has_gauss_newton(&self) -> bool {
        self.scratch.len() >= self.objective.gauss_newton_scratch_len()
            && self.objective.loss().gauss_newton(1.0, 1.0).is_some()
    }
}

/// `problem` in Newton-scaled coordinates `z`: `x = origin + L^-T z`, for the lower
/// Cholesky factor `L` of a Hessian `H = L L^T` near the minimum (see
/// [`hessian_factor`]). The gradient is `g_z = L^-1 g_x`, and the Hessian in `z` is
/// `L^-1 H L^-T`, the identity where `H` is exact: a quasi-Newton method started at
/// `z = 0` takes near-Newton steps from its first iteration instead of learning the
/// curvature first. Used by the bootstrap, whose refits all start at the full-data
/// minimum, where the Hessian is computed once.
#[derive(Debug)]
pub struct Preconditioned<'a, P: ?Sized> {
    problem: &'a mut P,
    origin: &'a [f64],
    factor: &'a [f64],
    x: &'a mut [f64],
    g: &'a mut [f64],
}

impl<'a, P: Problem + ?Sized> Preconditioned<'a, P> {
    /// Wraps `problem` around `origin` with the factor `L` (`p x p`, row-major, lower
    /// triangle read, positive diagonal); `work` needs `2 p` elements.
    pub fn new(
        problem: &'a mut P,
        origin: &'a [f64],
        factor: &'a [f64],
        work: &'a mut [f64],
    ) -> Result<Self, Error> {
        let p = problem.dim();
        if origin.len() != p {
            return Err(Error::WrongParamCount {
                expected: p,
                found: origin.len(),
            });
        }
        check_factor_len(factor, p)?;
        if work.len() < 2 * p {
            return Err(Error::BufferTooSmall {
                needed: 2 * p,
                found: work.len(),
            });
        }
        let (x, rest) = work.split_at_mut(p);
        let (g, _) = rest.split_at_mut(p);
        Ok(Preconditioned {
            problem,
            origin,
            factor,
            x,
            g,
        })
    }

    /// The original coordinates `x = origin + L^-T z` (back substitution).
    pub fn to_original(&self, z: &[f64], x: &mut [f64]) {
        let p = self.origin.len();
        let l = |i: usize, j: usize| self.factor.get(i * p + j).copied().unwrap_or(1.0);
        for i in (0..p).rev() {
            let mut s = z.get(i).copied().unwrap_or(0.0);
            for k in (i + 1)..p {
                s -= l(k, i) * x.get(k).copied().unwrap_or(0.0);
            }
            if let Some(v) = x.get_mut(i) {
                *v = s / l(i, i);
            }
        }
        for (v, &o) in x.iter_mut().zip(self.origin) {
            *v += o;
        }
    }
}

impl<P: Problem + ?Sized> Problem for Preconditioned<'_, P> {
    fn dim(&self) -> usize {
        self.origin.len()
    }
    fn cost_grad(&mut self, z: &[f64], grad: &mut [f64]) -> f64 {
        let p = self.origin.len();
        let x = core::mem::take(&mut self.x);
        self.to_original(z, x);
        let f = self.problem.cost_grad(x, self.g);
        self.x = x;
        // Forward substitution: L g_z = g_x.
        let l = |i: usize, j: usize| self.factor.get(i * p + j).copied().unwrap_or(1.0);
        for i in 0..p {
            let mut s = self.g.get(i).copied().unwrap_or(0.0);
            for k in 0..i {
                s -= l(i, k) * grad.get(k).copied().unwrap_or(0.0);
            }
            if let Some(v) = grad.get_mut(i) {
                *v = s / l(i, i);
            }
        }
        f
    }
    fn reset(&mut self) {
        self.problem.reset();
    }
}

fn check_factor_len(factor: &[f64], p: usize) -> Result<(), Error> {
    if factor.len() != p * p {
        return Err(Error::LengthMismatch {
            what: "Hessian factor",
            expected: p * p,
            found: factor.len(),
        });
    }
    Ok(())
}

/// Workspace length of [`hessian_factor`] for dimension `p`.
pub const fn hessian_factor_workspace_len(p: usize) -> usize {
    p * p + 4 * p
}

/// The lower Cholesky factor `L` (`p x p`, row-major, upper triangle zeroed) of the
/// Hessian of `problem` at `x`, into `factor`: `H_ij = (g_j(x + h_i e_i) - g_j(x - h_i
/// e_i)) / (2 h_i)` from the exact gradient (`h_i = 1e-4 max(1, |x_i|)`, 2p
/// evaluations), symmetrised as `(H + H^T) / 2`. Where `H` is not positive definite (a
/// saddle, a flat direction), `s I` is added, `s` from `1e-10` times the largest diagonal
/// entry upward by factors of 100, until it is. [`Error::NoFiniteObjective`] when a
/// gradient is not finite, [`Error::Singular`] when no shift helps.
pub fn hessian_factor<P: Problem + ?Sized>(
    problem: &mut P,
    x: &[f64],
    factor: &mut [f64],
    workspace: &mut [f64],
) -> Result<(), Error> {
    let p = problem.dim();
    if x.len() != p {
        return Err(Error::WrongParamCount {
            expected: p,
            found: x.len(),
        });
    }
    check_factor_len(factor, p)?;
    let needed = hessian_factor_workspace_len(p);
    if workspace.len() < needed {
        return Err(Error::BufferTooSmall {
            needed,
            found: workspace.len(),
        });
    }
    let (hessian, rest) = workspace.split_at_mut(p * p);
    let (trial, rest) = rest.split_at_mut(p);
    let (plus, rest) = rest.split_at_mut(p);
    let (minus, rest) = rest.split_at_mut(p);
    let (rhs, _) = rest.split_at_mut(p);
    for i in 0..p {
        let xi = x.get(i).copied().unwrap_or(0.0);
        let h = 1e-4 * xi.abs().max(1.0);
        trial.copy_from_slice(x);
        let mut side = |offset: f64, g: &mut [f64]| -> Result<(), Error> {
            if let Some(t) = trial.get_mut(i) {
                *t = xi + offset;
            }
            let f = problem.cost_grad(trial, g);
            if !f.is_finite() || g.iter().any(|v| !v.is_finite()) {
                return Err(Error::NoFiniteObjective);
            }
            Ok(())
        };
        side(h, plus)?;
        side(-h, minus)?;
        for (j, (a, b)) in plus.iter().zip(minus.iter()).enumerate() {
            if let Some(v) = hessian.get_mut(i * p + j) {
                *v = (a - b) / (2.0 * h);
            }
        }
    }
    for i in 0..p {
        for j in 0..i {
            let (a, b) = (i * p + j, j * p + i);
            let mean = 0.5
                * (hessian.get(a).copied().unwrap_or(0.0) + hessian.get(b).copied().unwrap_or(0.0));
            for k in [a, b] {
                if let Some(v) = hessian.get_mut(k) {
                    *v = mean;
                }
            }
        }
    }
    let scale = (0..p)
        .map(|i| hessian.get(i * p + i).copied().unwrap_or(0.0).abs())
        .fold(0.0f64, f64::max);
    let mut shift = 0.0;
    for _ in 0..12 {
        factor.copy_from_slice(hessian);
        for i in 0..p {
            if let Some(v) = factor.get_mut(i * p + i) {
                *v += shift;
            }
        }
        rhs.iter_mut().for_each(|v| *v = 0.0);
        if mixlaw_core::linalg::cholesky_solve(factor, p, rhs, 1e-14 * scale).is_ok() {
            for i in 0..p {
                for j in (i + 1)..p {
                    if let Some(v) = factor.get_mut(i * p + j) {
                        *v = 0.0;
                    }
                }
            }
            return Ok(());
        }
        shift = if shift == 0.0 {
            1e-10 * scale
        } else {
            shift * 100.0
        };
    }
    Err(Error::Singular)
}
