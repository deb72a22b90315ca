//! # mixlaw-opt
//!
//! Optimal data mixtures for fitted `mixlaw-core` laws: minimise a law, or a weighted sum
//! of laws for several targets, over the probability simplex with box constraints, by
//! exponentiated gradient (entropic mirror descent, Shukor et al. 2025 section 5).
//!
//! - [`SimplexObjective`]: value and gradient in `h`; implemented by [`LawAt`] (one fitted
//!   law at a budget `(N, D)`), [`Weighted`] (`sum_j w_j L^j`, eq 5.2 and C.1) and
//!   [`FnObjective`] (a closure); [`KlRegularized`] adds `lambda KL(h || prior)` to any of
//!   them.
//! - [`Solver`]: the exponentiated-gradient solver with self-tuning steps, stopping on
//!   the Frank-Wolfe duality gap; all memory is inside it (const capacity `K`).
//! - [`Bounds`]: per-domain lower and upper bounds (minimum weights, data-availability
//!   caps, trust caps, fixed domains; combined by [`Bounds::with_caps`]), with the exact
//!   KL projection [`kl_project`] and [`frank_wolfe_gap`].
//! - [`budget`]: `h*(N, D)` along compute budgets `C = 6 N D` and the compute-optimal
//!   `(N, D, h)` for a given `C`, with data-availability caps.
//! - [`mde`]: Mixtures of Data Experts (Belenki et al.): the MDE loss and its gradient
//!   from cached per-token expert probabilities, streamed in chunks and mergeable across
//!   shards; `mde-interp`; objectives for optimising `lambda`. [`regress`]: the LINEAR and
//!   LINEAR+MDE regressors (least squares or ridge) in closed form.
//! - [`bagged_optimum`]: the mean of bootstrap optima with its per-domain spread.
//! - [`support`]: the training support of a fit (per-domain extremes, distinct training
//!   mixtures), exact convex-hull membership by a phase-1 simplex method, and the
//!   [`support::Extrapolation`] report of a proposed mixture with its [`support::Warning`]s.
//! - [`schedule`]: online mixture weights during training (exponentiated gradient on a
//!   law's h-gradient, on excess losses as in DoReMi, or Aioli's update) with bounds and
//!   step-size rules, and a deterministic weighted domain sampler.
//! - [`autoscale`]: AutoScale's scale extrapolation of optimal per-domain token counts
//!   (`D*(t) = D*(1)^(1-t) D*(2)^t`) and the authors' notebook numbers, recomputed.
//! - [`cpt`]: the D-CPT Law's decision procedures for continual pre-training (largest
//!   domain ratio within a general-loss tolerance; best ratio for limited domain data).
//! - [`analysis`]: appendix C.1 of Shukor et al.: the map `w -> h*(w)`, the
//!   Jensen-Shannon distance and fixed-point scans, optima at the corners.
//!
//! Nothing here allocates or panics on bad input; transcendental functions come from
//! `libm`, so results are identical in every build, `no_std` included.
//!
//! ```
//! use mixlaw_core::{laws::joint::Joint, Scales};
//! use mixlaw_opt::{Bounds, LawAt, Solver, Status, Weighted};
//!
//! // Two fitted target laws (k = 2 domains), averaged with weights 0.7 and 0.3.
//! let law = Joint::new(2)?;
//! //          E    alpha beta C[0..2]   gamma[0..2] CA[0..2]  gammaA CB[0..2]  gammaB
//! let p1 = [1.5, 0.3, 0.3, 1.0, 3.0, 0.5, 0.4, 0.5, 1.0, 1.0, 2.0, 1.0, 1.1];
//! let p2 = [1.8, 0.3, 0.3, 4.0, 1.0, 0.3, 0.5, 1.0, 0.5, 1.0, 1.0, 2.0, 1.1];
//! let scales = Scales { n: 1e9, d: 1e9 };
//! let targets = [
//!     LawAt::new(&law, &p1, 7e9, 150e9, scales)?,
//!     LawAt::new(&law, &p2, 7e9, 150e9, scales)?,
//! ];
//! let objective = Weighted::<_, 8>::new(&targets, &[0.7, 0.3])?;
//! let mut h = [0.5, 0.5];
//! let sol = Solver::<8>::default().minimize(&objective, &Bounds::SIMPLEX, &mut h)?;
//! assert_eq!(sol.status, Status::Converged);
//! assert!(sol.gap <= 1e-10 && (h[0] + h[1] - 1.0).abs() < 1e-12);
//! # Ok::<(), mixlaw_opt::Error>(())
//! ```
#![no_std]
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )
)]

#[cfg(feature = "std")]
extern crate std;

pub mod analysis;
pub mod autoscale;
mod bagging;
pub mod bounds;
pub mod budget;
pub mod cpt;
pub mod mde;
pub mod objective;
pub mod regress;
pub mod schedule;
pub mod solver;
pub mod support;

pub use bagging::bagged_optimum;
pub use bounds::{availability_caps, frank_wolfe_gap, kl_project, trust_caps, Bounds, Side};
pub use budget::{
    compute_optimal, sweep, Availability, Budget, ComputeConfig, ComputeOptimum, Constraints,
};
pub use mixlaw_core::Error;
pub use objective::{
    AtBudget, FnObjective, KlRegularized, LawAt, SimplexObjective, Targets, TargetsMut, Weighted,
};
pub use solver::{Config, Solution, Solver, Status, StepRule};

/// The README's Rust quickstart, compiled and run as a doc test (it uses `mixlaw-fit`, a
/// dev-dependency here).
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
