//! The typed error of every fallible function in the crate.

use core::fmt;

/// What can be wrong with a mixture-optimisation problem or its buffers.
///
/// Bad input never panics and never yields a silent NaN: it is one of these. A run that
/// merely fails to reach its tolerance is not an error: see [`crate::Status`].
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum Error {
    /// An error from `mixlaw-core` (bad law parameters, inputs or scales).
    Core(mixlaw_core::Error),
    /// The box `lo <= h <= hi` does not meet the simplex: `sum lo > 1` or `sum hi < 1`.
    Infeasible {
        /// `sum_i lo_i`.
        lower_sum: f64,
        /// `sum_i min(hi_i, 1)`.
        upper_sum: f64,
    },
    /// Limits that leave no feasible mixture: the upper limit of `domain` (a trust cap, an
    /// availability cap, a user maximum) is below its lower bound.
    ConflictingLimits {
        /// The domain.
        domain: usize,
        /// Its lower bound.
        lower: f64,
        /// Its tightest upper limit.
        upper: f64,
    },
    /// At this D, data availability caps domain `domain` below its lower bound
    /// (`U_i * max_epochs / D < lo_i`).
    DataExhausted {
        /// The domain.
        domain: usize,
        /// The training tokens D of the budget.
        d: f64,
    },
    /// A bound is NaN, negative, or a lower bound exceeds its upper bound.
    InvalidBound {
        /// The domain whose bounds are wrong.
        domain: usize,
    },
    /// More domains than the solver's capacity `K` (or [`mixlaw_core::MAX_DOMAINS`]).
    TooManyDomains {
        /// The capacity.
        max: usize,
        /// The number of domains asked for.
        found: usize,
    },
    /// Two inputs that must agree in length do not.
    LengthMismatch {
        /// Which input.
        what: &'static str,
        /// The length it must have.
        expected: usize,
        /// The length it has.
        found: usize,
    },
    /// A caller-provided buffer is too short.
    BufferTooSmall {
        /// Elements needed.
        needed: usize,
        /// Elements given.
        found: usize,
    },
    /// A NaN, infinite or (where forbidden) negative value in the input.
    InvalidInput {
        /// Which input.
        what: &'static str,
        /// Element index.
        index: usize,
    },
    /// The objective is not finite at the starting point, so no descent can begin.
    NonFiniteStart,
    /// A configuration value outside its domain (tolerance, iteration cap, budget range).
    InvalidConfig {
        /// What is wrong.
        what: &'static str,
    },
    /// A linear system (normal equations of a regression) is singular or not positive
    /// definite: the features are collinear. Add a ridge penalty.
    Singular,
    /// No data (no tokens, no rows, no targets).
    Empty,
    /// A computation lost its accuracy (extreme scaling); the result is not trustworthy.
    Numerical {
        /// What went wrong.
        what: &'static str,
    },
}

impl From<mixlaw_core::Error> for Error {
    fn from(e: mixlaw_core::Error) -> Self {
        Error::Core(e)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Error::Core(e) => write!(f, "{e}"),
            Error::Infeasible {
                lower_sum,
                upper_sum,
            } => write!(
                f,
                "infeasible bounds: lower bounds sum to {lower_sum} and upper bounds to \
                 {upper_sum}; a mixture needs sum(lower) <= 1 <= sum(upper)"
            ),
            Error::ConflictingLimits {
                domain,
                lower,
                upper,
            } => write!(
                f,
                "no feasible mixture: domain {domain} is capped at {upper} below its minimum \
                 {lower}"
            ),
            Error::DataExhausted { domain, d } => write!(
                f,
                "at D = {d}, domain {domain} has too few unique tokens for its minimum weight"
            ),
            Error::InvalidBound { domain } => write!(
                f,
                "invalid bounds for domain {domain}: need 0 <= lower <= upper, no NaN"
            ),
            Error::TooManyDomains { max, found } => {
                write!(f, "{found} domains exceed the capacity of {max}")
            }
            Error::LengthMismatch {
                what,
                expected,
                found,
            } => write!(f, "{what}: expected length {expected}, found {found}"),
            Error::BufferTooSmall { needed, found } => {
                write!(f, "buffer too small: need {needed} elements, got {found}")
            }
            Error::InvalidInput { what, index } => write!(f, "{what}[{index}] is invalid"),
            Error::NonFiniteStart => write!(f, "the objective is not finite at the start point"),
            Error::InvalidConfig { what } => write!(f, "invalid configuration: {what}"),
            Error::Singular => write!(
                f,
                "singular normal equations (collinear features); use a ridge penalty"
            ),
            Error::Empty => write!(f, "no data"),
            Error::Numerical { what } => write!(f, "numerical failure: {what}"),
        }
    }
}

impl core::error::Error for Error {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            Error::Core(e) => Some(e),
            _ => None,
        }
    }
}
