//! The minimisation problem interface (in the style of argmin's `CostFunction` + `Gradient`).

use mixlaw_core::{Law, Objective};

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
