//! # mixlaw-info
//!
//! InfoLaw (Liu, Zhou et al., ICML 2026, arXiv:2605.02364): loss as a power law of the
//! *information* a model accumulates from a quality-weighted mixture with repetition.
//! Equations as recovered in `spec/infolaw.md`.
//!
//! - [`Source`] / [`LayerMix`]: LayerMix accounting, unique tokens
//!   `U_d = min(w_d T, p_d S)` and repetition `R_d = w_d T / U_d` per quality bucket.
//! - [`law`]: the per-learning gain `I k e^(-k j / g(D))` (eqs 1, 3), its total
//!   `I g(D) (1 - e^(-k R / g(D)))` (eqs 2, 4) with `g(D) = ln D` or the appendix-B
//!   alternatives ([`Normalization`]), quality density `rho_d = e^(-theta d)` (eq 8),
//!   decay rate `k = a ln N + b` (eq 9) ([`InfoLaw`]), `L = alpha info^(-beta)` (eq 6) and
//!   the overtraining shift of `alpha` ([`PowerLaw`], [`OvertrainShift`]).
//! - [`Setting`]: `info(w) = sum_d rho_d U_d g(D) (1 - e^(-k R_d / g(D)))` (eq 5) for one
//!   `(N, T, S)` and its exact gradient in `w`.
//! - [`optimize()`]: the exact optimal recipe under `w_0 >= ... >= w_{n-1}`, `sum w = 1`
//!   (mirror descent over mixtures of prefix-uniform recipes); [`random_search`]: the
//!   paper's best-of-100k sorted Dirichlet draws. [`paper`]: Table 6.
//! - [`fit`]: fitting the law to runs both ways, the paper's (Spearman random search, then
//!   log-log regression) and ours (basin-hopping L-BFGS on log residuals, `mixlaw-fit`).
//!
//! Choices where the recovered spec is ambiguous (`spec/infolaw.md` section e):
//! - A1: the decay rate takes the raw parameter count N (`k(7e9) = 3.1917`).
//! - A2: `g(D) = ln D` of the raw token count.
//! - A3: [`PowerLaw::PAPER`] measures info in billions of tokens (`unit = 1e9`).
//! - A4: Table 6 is reproduced at S = 300B ([`paper::SOURCE_FIT`]), not the printed 500B.
//! - A6: the overtraining shift keeps `beta` and moves `alpha` ([`PowerLaw::refit_alpha`],
//!   [`OvertrainShift`], a reconstructed power law in `m`).
//! - A8: real-valued repetition in the closed form (eq 4); `w_d = 0` contributes nothing.
//!
//! Nothing here allocates (at most [`MAX_BUCKETS`] buckets, kept on the stack) or panics
//! on bad input; transcendental functions come from `libm`.
//!
//! ```
//! use mixlaw_info::{optimize, InfoLaw, PowerLaw, Setting, Source};
//!
//! // A 7B model, 300B training tokens drawn from a 300B-token source.
//! let problem = Setting::new(&InfoLaw::PAPER, &Source::paper(300e9)?, 7e9, 300e9)?;
//! let best = optimize(&problem)?;
//! let w = best.recipe.as_slice();
//! assert!(w[0] > 0.5 && w[1] > 0.4 && w[2] < 0.01); // paper: 0.548, 0.444, 0.004
//! let loss = PowerLaw::PAPER.loss(best.info)?;
//! assert!(loss > 2.5 && loss < 3.0);
//! # Ok::<(), mixlaw_info::Error>(())
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

pub mod fit;
pub mod info;
pub mod law;
pub mod layermix;
pub mod optimize;
pub mod paper;
pub mod rng;

pub use info::{KinkSide, Setting};
pub use law::{InfoLaw, Normalization, OvertrainShift, PowerLaw};
pub use layermix::{check_recipe, Bucket, LayerMix, Source, PAPER_SHARES};
pub use mixlaw_core::Error;
pub use mixlaw_opt::{Config as SolverConfig, Status};
pub use optimize::{optimize, optimize_with, random_search, Optimum, Recipe, Sampled};

/// Largest number of quality buckets (the paper uses 6).
pub const MAX_BUCKETS: usize = 16;
