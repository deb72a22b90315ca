//! # mixlaw-core
//!
//! The published data-mixture scaling laws `L(N, D, h)`, each with exact analytic
//! gradients in its parameters and in the mixture `h`, for any number of domains.
//!
//! - A law is a small struct implementing [`Law`] (built in, or your own): its value and
//!   partial derivatives, and its declared structure (the [`param::Block`] layout, which
//!   also marks the parameters that enter linearly; its inputs; its number of outputs).
//!   Names, counts, log-space transforms, validation and evaluation at a point derive from
//!   it in [`LawExt`] (`use mixlaw_core::prelude::*`).
//! - [`Dataset`] borrows a data set's columns; [`Prepared`] adds the parameter-free cache
//!   (`ln h`, `ln N`, `ln D`) in a caller-provided buffer; [`Objective`] binds a law, the
//!   data and a [`Loss`] into the fitting objective with its gradient.
//! - The capacity laws of Dai & Zheng ([`capacity`]) predict every domain's loss from one
//!   inner allocation problem, solved exactly and differentiated implicitly: laws with k
//!   outputs ([`Law::outputs`]), fitted jointly over all domains by the same [`Objective`]
//!   on a [`Dataset`] of k losses per run.
//! - Fitted laws are evaluated, with their h-gradient, in `f64` or `f32` ([`Real`],
//!   [`RealLaw`]): the device path of a Cortex-M4F runs in single precision on its FPU.
//! - Nothing here allocates, panics on bad input, or uses `std` math: transcendental
//!   functions come from `libm`, so results are the same in every build.
//!
//! ```
//! use mixlaw_core::{laws::additive::Additive, prelude::*, Point, Scales};
//!
//! let law = Additive::new(2)?;
//! //            E    A    B    alpha beta C[0] C[1] gamma[0] gamma[1]
//! let params = [1.5, 2.0, 3.0, 0.3, 0.3, 1.0, 2.0, 0.5, 0.4];
//! let point = Point::new(&[0.25, 0.75], 1e9, 2e10)?;
//! let scales = Scales { n: 1e9, d: 1e9 };
//! let loss = law.value(&params, &point, scales)?;
//! let mut dh = [0.0; 2];
//! law.grad_h(&params, &point, scales, &mut dh)?;
//! assert!(loss > 1.5 && dh[0] < 0.0);
//! # Ok::<(), mixlaw_core::Error>(())
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

pub mod capacity;
pub mod data;
mod error;
pub mod eval;
pub mod frozen;
pub mod groups;
pub mod law;
pub mod laws;
pub mod linalg;
pub mod loss;
pub mod metrics;
pub mod param;
pub mod real;

/// The traits a user of laws needs in scope: `use mixlaw_core::prelude::*;`.
pub mod prelude {
    pub use crate::law::{Law, LawExt};
}

pub use data::{auto_scales, Dataset, Input, Inputs, Layout, Point, Prepared, Row, Scales};
pub use error::Error;
pub use eval::Objective;
pub use groups::Groups;
pub use law::{Factor, InverseMixtureForm, Law, LawExt, OutputsGrad, Structure};
pub use laws::{AnyLaw, LawOptions};
pub use loss::Loss;
pub use real::{Real, RealLaw, RowOf};

/// The default capacity of the stack-held types: the domains a [`Point`] holds by default,
/// and the default `K` of the optimiser's `LawAt` / `Solver`. Laws, data sets, objectives,
/// fits and predictions have no such limit (they hold slices, and laws with per-run vectors
/// take them from the caller's scratch); a type with a capacity reports
/// [`Error::TooManyDomains`] beyond it, and a host program picks a larger capacity for a
/// larger k.
pub const MAX_DOMAINS: usize = 128;

/// The largest k any law accepts: far beyond what memory can hold as data, it only keeps
/// parameter counts (at most 8 per domain) from overflowing `usize`.
pub const LAW_DOMAIN_LIMIT: usize = (isize::MAX as usize) / 64;

/// How far a mixture's sum may stray from 1.
pub const SIMPLEX_TOLERANCE: f64 = 1e-6;
