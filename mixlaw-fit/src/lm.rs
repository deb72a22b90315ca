//! Levenberg-Marquardt (Levenberg 1944; Marquardt 1963) with Nielsen's damping update
//! (Nielsen 1999; Madsen, Nielsen and Tingleff, *Methods for non-linear least squares
//! problems*, 2004, algorithm 3.16), for objectives that are sums of (robust) residual
//! losses: the local solver of basin-hopping where it beats L-BFGS (see
//! [`crate::LocalSolver`]).
//!
//! Each iteration solves the damped Gauss-Newton system `(H + mu D) s = -g` by Cholesky,
//! where `g` is the exact gradient, `H = (1/W) sum w c J J^T` the Gauss-Newton matrix of
//! the objective ([`Problem::gauss_newton`]; for Huber `c` is the IRLS weight, 1 in the
//! quadratic zone and `delta / |r|` outside, and `g` exact, so the iteration converges to
//! the Huber minimum, not the least-squares one) and `D` Moré's (1978) scaling, the largest `diag(H)` seen so far
//! (with Marquardt's `D = diag(H)`, coordinates that the data barely constrain took huge
//! steps into worse basins on the Shukor et al. fits). A step is accepted when it lowers
//! f; the gain ratio
//! `rho = (f(x) - f(x + s)) / (L(0) - L(s))` against the quadratic model
//! `L(s) = f + g.s + s.H.s / 2` steers the damping: `mu *= max(1/3, 1 - (2 rho - 1)^3)`
//! after an accepted step, `mu *= nu, nu *= 2` after a rejected one.
//!
//! Bounds are those of the problem's coordinates (an [`mixlaw_core::Objective`] with
//! bounds works in transformed, unconstrained coordinates). A non-finite value, gradient
//! or matrix counts as `+inf`: the step is rejected and the damping raised. All state lives
//! in a caller buffer ([`Lm::workspace_len`]); nothing allocates.

use mixlaw_core::{linalg, Error};

use crate::lbfgs::{Minimum, Termination};
use crate::problem::Problem;

/// Settings of [`Lm`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LmConfig {
    /// Stop when `max_i |g_i| <= grad_tol * max(1, |f|)` (as [`crate::LbfgsConfig`]).
    pub grad_tol: f64,
    /// Stop when an accepted step lowers f by at most `rel_tol * max(|f_old|, |f_new|)`.
    pub rel_tol: f64,
    /// Iteration cap (accepted and rejected steps).
    pub max_iterations: usize,
    /// Cap on evaluations of the Gauss-Newton system.
    pub max_evaluations: usize,
    /// Initial damping relative to the largest diagonal entry of `H` (Nielsen's tau).
    pub initial_damping: f64,
}

impl Default for LmConfig {
    fn default() -> Self {
        LmConfig {
            grad_tol: 1e-13,
            rel_tol: 1e-15,
            max_iterations: 2_000,
            max_evaluations: 4_000,
            initial_damping: 1e-3,
        }
    }
}

/// The Levenberg-Marquardt minimiser.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Lm {
    /// Its settings.
    pub config: LmConfig,
}

/// Views into the workspace buffer.
struct Work<'a> {
    g: &'a mut [f64],
    h: &'a mut [f64],
    g_new: &'a mut [f64],
    h_new: &'a mut [f64],
    a: &'a mut [f64],
    s: &'a mut [f64],
    x_new: &'a mut [f64],
    scale: &'a mut [f64],
}

impl<'a> Work<'a> {
    fn split(buf: &'a mut [f64], n: usize) -> Option<Self> {
        let (g, rest) = buf.split_at_mut_checked(n)?;
        let (h, rest) = rest.split_at_mut_checked(n * n)?;
        let (g_new, rest) = rest.split_at_mut_checked(n)?;
        let (h_new, rest) = rest.split_at_mut_checked(n * n)?;
        let (a, rest) = rest.split_at_mut_checked(n * n)?;
        let (s, rest) = rest.split_at_mut_checked(n)?;
        let (x_new, rest) = rest.split_at_mut_checked(n)?;
        let (scale, _) = rest.split_at_mut_checked(n)?;
        Some(Work {
            g,
            h,
            g_new,
            h_new,
            a,
            s,
            x_new,
            scale,
        })
    }
}

fn max_abs(a: &[f64]) -> f64 {
    a.iter().fold(0.0f64, |m, x| m.max(x.abs()))
}

impl Lm {
    /// Levenberg-Marquardt with the given settings.
    pub fn new(config: LmConfig) -> Self {
        Lm { config }
    }

    /// Workspace length for dimension `n`: three `n x n` matrices (the system at the
    /// current and the trial point, the damped factor) and four vectors.
    pub const fn workspace_len(&self, n: usize) -> usize {
        3 * n * n + 5 * n
    }

    /// Minimises `problem` from `x` (overwritten with the last accepted point, the lowest
    /// value seen). [`Error::NotResidual`] when the problem has no Gauss-Newton system.
    pub fn minimize<P: Problem + ?Sized>(
        &self,
        problem: &mut P,
        x: &mut [f64],
        workspace: &mut [f64],
    ) -> Result<Minimum, Error> {
        let n = problem.dim();
        let mut out = Minimum {
            value: f64::INFINITY,
            status: Termination::StartNotFinite,
            iterations: 0,
            evaluations: 0,
            resets: 0,
            skipped_pairs: 0,
        };
        if x.len() != n || n == 0 {
            return Err(Error::WrongParamCount {
                expected: n,
                found: x.len(),
            });
        }
        let Some(w) = Work::split(workspace, n) else {
            return Err(Error::BufferTooSmall {
                needed: self.workspace_len(n),
                found: workspace.len(),
            });
        };
        let cfg = &self.config;
        let mut f = problem
            .gauss_newton(x, w.g, w.h)
            .ok_or(Error::NotResidual)?;
        out.evaluations = 1;
        if !f.is_finite() {
            return Ok(out);
        }
        out.value = f;
        let diag_max = (0..n).fold(0.0f64, |m, i| m.max(at(w.h, n, i, i)));
        // Damping scale per coordinate (Moré 1978): the largest diag(H)_i seen so far,
        // floored so that a coordinate the data do not constrain is still damped.
        let floor = 1e-12 * diag_max.max(f64::MIN_POSITIVE);
        for (i, d) in w.scale.iter_mut().enumerate() {
            *d = at(w.h, n, i, i).max(floor);
        }
        let mut mu = cfg.initial_damping;
        let mut nu = 2.0;
        loop {
            if max_abs(w.g) <= cfg.grad_tol * f.abs().max(1.0) {
                out.status = Termination::GradientSmall;
                break;
            }
            if out.iterations >= cfg.max_iterations {
                out.status = Termination::MaxIterations;
                break;
            }
            if out.evaluations >= cfg.max_evaluations {
                out.status = Termination::MaxEvaluations;
                break;
            }
            out.iterations += 1;
            // (H + mu D) s = -g.
            w.a.copy_from_slice(w.h);
            for i in 0..n {
                let d = w.scale.get(i).copied().unwrap_or(floor);
                if let Some(v) = w.a.get_mut(i * n + i) {
                    *v += mu * d;
                }
            }
            for (s, g) in w.s.iter_mut().zip(w.g.iter()) {
                *s = -g;
            }
            if linalg::cholesky_solve(w.a, n, w.s, 0.0).is_err() {
                // Not positive definite to rounding: damp harder.
                out.resets += 1;
                mu *= nu;
                nu *= 2.0;
                if !mu.is_finite() {
                    out.status = Termination::StepTooSmall;
                    break;
                }
                continue;
            }
            let x_scale = max_abs(x);
            if max_abs(w.s) <= f64::EPSILON * (x_scale + f64::EPSILON) {
                out.status = Termination::StepTooSmall;
                break;
            }
            for ((xn, xi), si) in w.x_new.iter_mut().zip(x.iter()).zip(w.s.iter()) {
                *xn = xi + si;
            }
            // Predicted decrease L(0) - L(s) = (mu s.D.s - g.s) / 2.
            let mut predicted = 0.0;
            for i in 0..n {
                let s = w.s.get(i).copied().unwrap_or(0.0);
                let d = w.scale.get(i).copied().unwrap_or(floor);
                predicted += mu * d * s * s - w.g.get(i).copied().unwrap_or(0.0) * s;
            }
            predicted *= 0.5;
            let f_new = problem
                .gauss_newton(w.x_new, w.g_new, w.h_new)
                .unwrap_or(f64::INFINITY);
            out.evaluations += 1;
            let decrease = f - f_new;
            if f_new.is_finite() && decrease > 0.0 {
                let rho = if predicted > 0.0 {
                    decrease / predicted
                } else {
                    1.0
                };
                x.copy_from_slice(w.x_new);
                w.g.copy_from_slice(w.g_new);
                w.h.copy_from_slice(w.h_new);
                for (i, d) in w.scale.iter_mut().enumerate() {
                    *d = d.max(at(w.h, n, i, i));
                }
                let f_old = f;
                f = f_new;
                out.value = f;
                let t = 2.0 * rho - 1.0;
                mu *= (1.0 - t * t * t).max(1.0 / 3.0);
                nu = 2.0;
                if decrease <= cfg.rel_tol * f_old.abs().max(f.abs()) {
                    out.status = Termination::NoRelativeDecrease;
                    break;
                }
            } else {
                mu *= nu;
                nu *= 2.0;
                if !mu.is_finite() {
                    out.status = Termination::StepTooSmall;
                    break;
                }
            }
        }
        Ok(out)
    }
}

/// Entry `(i, j)` of a row-major `n x n` matrix.
fn at(m: &[f64], n: usize, i: usize, j: usize) -> f64 {
    m.get(i * n + j).copied().unwrap_or(0.0)
}
