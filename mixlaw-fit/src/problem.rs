//! The minimisation problem interface (in the style of argmin's `CostFunction` + `Gradient`).

use mixlaw_core::capacity::CapacityObjective;
use mixlaw_core::{Law, LawExt, Objective};

/// A smooth function of `dim()` real variables with its gradient.
pub trait Problem {
    /// Number of variables.
    fn dim(&self) -> usize;

    /// The value at `x`, with the gradient written into `grad` (length `dim()`).
    /// Where the function is undefined or overflows, return a non-finite value: the
    /// optimisers treat it as `+inf` and backtrack.
    fn cost_grad(&mut self, x: &[f64], grad: &mut [f64]) -> f64;
}

/// A [`mixlaw_core::Objective`] (law + data + loss over unconstrained parameters) as a
/// [`Problem`], with its evaluation scratch in a caller buffer.
#[derive(Debug)]
pub struct LawProblem<'o, 'l, 'd, 's, L: ?Sized> {
    objective: &'o Objective<'l, 'd, L>,
    scratch: &'s mut [f64],
}

impl<'o, 'l, 'd, 's, L: Law + ?Sized> LawProblem<'o, 'l, 'd, 's, L> {
    /// Wraps `objective`; `scratch` needs `objective.scratch_len()` elements.
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
}

/// A [`CapacityObjective`] (a capacity law fitted jointly over its k target domains) as a
/// [`Problem`], with one cached multiplier per run in a caller buffer (see
/// [`CapacityObjective::eval_cached`]).
#[derive(Debug)]
pub struct CapacityProblem<'o, 'l, 'd, 'c> {
    objective: &'o CapacityObjective<'l, 'd>,
    cache: &'c mut [f64],
}

impl<'o, 'l, 'd, 'c> CapacityProblem<'o, 'l, 'd, 'c> {
    /// Wraps `objective`; `cache` needs one float per run.
    pub fn new(
        objective: &'o CapacityObjective<'l, 'd>,
        cache: &'c mut [f64],
    ) -> Result<Self, mixlaw_core::Error> {
        let needed = objective.data().runs();
        if cache.len() < needed {
            return Err(mixlaw_core::Error::BufferTooSmall {
                needed,
                found: cache.len(),
            });
        }
        cache.iter_mut().for_each(|c| *c = f64::NAN);
        Ok(CapacityProblem { objective, cache })
    }
}

impl Problem for CapacityProblem<'_, '_, '_, '_> {
    fn dim(&self) -> usize {
        self.objective.dim()
    }
    fn cost_grad(&mut self, x: &[f64], grad: &mut [f64]) -> f64 {
        let runs = self.objective.data().runs();
        let cache = self.cache.get_mut(..runs);
        self.objective
            .eval_cached(x, Some(grad), cache)
            .unwrap_or(f64::INFINITY)
    }
}
