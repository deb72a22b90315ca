//! Per-row losses of a residual and their derivatives in the prediction.

use crate::Error;

/// The loss applied to each residual; the objective is their (weighted) mean.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum Loss {
    /// Huber of `pred - obs`: `r^2/2` if `|r| <= delta`, else `delta (|r| - delta/2)`
    /// (Shukor et al. eq 2.6 uses delta = 1e-3).
    Huber {
        /// The transition point.
        delta: f64,
    },
    /// Huber of `ln pred - ln obs` (the Chinchilla-replication protocol); a
    /// non-positive prediction has infinite loss.
    LogHuber {
        /// The transition point.
        delta: f64,
    },
    /// `(pred - obs)^2`.
    Squared,
}

impl Default for Loss {
    fn default() -> Self {
        Loss::Huber { delta: 1e-3 }
    }
}

/// Huber of `r` and its derivative: `(r^2/2, r)` if `|r| <= delta`, else
/// `(delta (|r| - delta/2), delta sign(r))`.
///
/// Without a branch on the side of `delta` (residuals straddle it in a fit, and a branch
/// mispredicted on every other row): both values are computed and one is selected bit for
/// bit, and the derivative is `r` clamped to `[-delta, delta]` (the same value: `delta
/// sign(r)` is exactly `+-delta`; a NaN residual stays NaN), two comparisons that compile
/// to a maximum and a minimum.
#[inline]
pub fn huber(r: f64, delta: f64) -> (f64, f64) {
    let value = select(
        r.abs() <= delta,
        0.5 * r * r,
        delta * (r.abs() - 0.5 * delta),
    );
    let above_minus = if r < -delta { -delta } else { r };
    let clamped = if above_minus > delta {
        delta
    } else {
        above_minus
    };
    (value, clamped)
}

/// `if condition { a } else { b }` as a bit mask rather than a branch.
#[inline(always)]
fn select(condition: bool, a: f64, b: f64) -> f64 {
    let mask = u64::from(condition).wrapping_neg();
    f64::from_bits((a.to_bits() & mask) | (b.to_bits() & !mask))
}

impl Loss {
    /// Checks the loss configuration (delta finite and > 0).
    pub fn check(&self) -> Result<(), Error> {
        match *self {
            Loss::Huber { delta } | Loss::LogHuber { delta } => {
                if delta.is_finite() && delta > 0.0 {
                    Ok(())
                } else {
                    Err(Error::InvalidConfig {
                        what: "Huber delta must be finite and > 0",
                    })
                }
            }
            Loss::Squared => Ok(()),
        }
    }

    /// The loss of one prediction against its observation, and d loss / d pred.
    /// Observations must be > 0 for [`Loss::LogHuber`].
    #[inline]
    pub fn eval(&self, pred: f64, obs: f64) -> (f64, f64) {
        self.eval_target(pred, self.target(obs))
    }

    /// The observation where the residual is taken: `ln obs` for [`Loss::LogHuber`], `obs`
    /// for the others. Computed once per data set (see `Objective::with_loss_targets`),
    /// it saves the log loss one `ln` per row and evaluation.
    #[inline]
    pub fn target(&self, obs: f64) -> f64 {
        match *self {
            Loss::LogHuber { .. } => libm::log(obs),
            Loss::Huber { .. } | Loss::Squared => obs,
        }
    }

    /// [`Loss::eval`] against an observation already in the residual's space
    /// (`target = self.target(obs)`): the same values, bit for bit.
    #[inline]
    pub fn eval_target(&self, pred: f64, target: f64) -> (f64, f64) {
        match *self {
            Loss::Huber { delta } => huber(pred - target, delta),
            Loss::LogHuber { delta } => {
                if pred > 0.0 {
                    let (l, dl) = huber(libm::log(pred) - target, delta);
                    (l, dl / pred)
                } else {
                    (f64::INFINITY, 0.0)
                }
            }
            Loss::Squared => {
                let r = pred - target;
                (r * r, 2.0 * r)
            }
        }
    }

    /// The loss, d loss / d pred and the Gauss-Newton (IRLS) curvature `c` in the
    /// prediction, or `None` for a loss that is not a function of one residual `r(pred)`
    /// (every loss here is one). With `loss = rho(r)`, `c = (rho'(r) / r) (dr/dpred)^2`:
    /// the iteratively-reweighted-least-squares weight `rho'(r) / r` times the residual's
    /// own scale:
    ///
    /// - Huber: `r = pred - obs`, `c = 1` where `|r| <= delta`, `delta / |r|` outside;
    /// - log-space Huber: `r = ln pred - ln obs`, `c` = the same weight `/ pred^2`
    ///   (`pred > 0`);
    /// - squared: `c = 2`.
    ///
    /// Summed over rows, `sum w c J J^T` (J: the prediction's gradient) is the
    /// Gauss-Newton matrix of the objective: positive semi-definite, the Hessian at zero
    /// residuals for the smooth losses, and for Huber the matrix of the reweighted
    /// least-squares majoriser (Huber's linear zone weighted `delta / |r|`). The gradient,
    /// `sum w loss' J`, is exact, so a Levenberg-Marquardt iteration on it converges to the
    /// Huber minimum, not the least-squares one. (The loss's own curvature, 0 in the
    /// linear zone, the robust step of Triggs et al. 2000, was measured faster on the
    /// Shukor et al. fits but, from starts where most residuals lie in the linear zone,
    /// left the matrix nearly singular and the iteration in far worse minima:
    /// benches/README.md.)
    #[inline]
    pub fn gauss_newton(&self, pred: f64, obs: f64) -> Option<(f64, f64, f64)> {
        self.gauss_newton_target(pred, self.target(obs))
    }

    /// [`Loss::gauss_newton`] against an observation already in the residual's space
    /// (`target = self.target(obs)`, as [`Loss::eval_target`]).
    #[inline]
    pub fn gauss_newton_target(&self, pred: f64, target: f64) -> Option<(f64, f64, f64)> {
        let irls = |r: f64, delta: f64| {
            if r.abs() <= delta {
                1.0
            } else {
                delta / r.abs()
            }
        };
        match *self {
            Loss::Huber { delta } => {
                let r = pred - target;
                let (l, dl) = huber(r, delta);
                Some((l, dl, irls(r, delta)))
            }
            Loss::LogHuber { delta } => {
                if pred > 0.0 {
                    let r = libm::log(pred) - target;
                    let (l, dl) = huber(r, delta);
                    Some((l, dl / pred, irls(r, delta) / (pred * pred)))
                } else {
                    Some((f64::INFINITY, 0.0, 0.0))
                }
            }
            Loss::Squared => {
                let r = pred - target;
                Some((r * r, 2.0 * r, 2.0))
            }
        }
    }

    /// True for losses on log residuals (observations must be positive).
    pub fn is_log(&self) -> bool {
        matches!(self, Loss::LogHuber { .. })
    }
}
