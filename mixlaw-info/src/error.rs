//! The typed error of every fallible function in the crate.

use core::fmt;

/// What can be wrong with a recipe, a source, a law's constants or a solve.
///
/// Bad input never panics and never yields a silent NaN: it is one of these.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum Error {
    /// More buckets than [`crate::MAX_BUCKETS`] (or none at all: `found = 0`).
    BucketCount {
        /// The largest supported bucket count.
        max: usize,
        /// The count given.
        found: usize,
    },
    /// An input whose length must equal the bucket count does not.
    LengthMismatch {
        /// Which input.
        what: &'static str,
        /// The bucket count.
        expected: usize,
        /// The length given.
        found: usize,
    },
    /// A NaN or infinite value.
    NonFinite {
        /// Which input.
        what: &'static str,
        /// Element index (0 for a scalar).
        index: usize,
    },
    /// A recipe weight below 0.
    Negative {
        /// Which input.
        what: &'static str,
        /// Bucket index.
        index: usize,
    },
    /// A value that must be strictly positive is not.
    NotPositive {
        /// Which input.
        what: &'static str,
        /// Element index (0 for a scalar).
        index: usize,
    },
    /// Weights (recipe or source shares) that do not sum to 1 within
    /// [`mixlaw_core::SIMPLEX_TOLERANCE`].
    OffSimplex {
        /// Which input.
        what: &'static str,
        /// The sum found.
        sum: f64,
    },
    /// The recipe breaks the high-quality-first constraint: `w[bucket] < w[bucket + 1]`.
    NotMonotone {
        /// The first bucket whose successor has more weight.
        bucket: usize,
    },
    /// A configuration value outside its domain.
    InvalidConfig {
        /// What is wrong.
        what: &'static str,
    },
    /// The simplex solver of `mixlaw-opt` refused the problem.
    Opt(mixlaw_opt::Error),
}

impl From<mixlaw_opt::Error> for Error {
    fn from(e: mixlaw_opt::Error) -> Self {
        Error::Opt(e)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Error::BucketCount { max, found } => {
                write!(
                    f,
                    "{found} buckets given; between 1 and {max} are supported"
                )
            }
            Error::LengthMismatch {
                what,
                expected,
                found,
            } => write!(f, "{what}: expected length {expected}, found {found}"),
            Error::NonFinite { what, index } => write!(f, "{what}[{index}] is not finite"),
            Error::Negative { what, index } => write!(f, "{what}[{index}] must be >= 0"),
            Error::NotPositive { what, index } => write!(f, "{what}[{index}] must be > 0"),
            Error::OffSimplex { what, sum } => write!(f, "{what} sums to {sum}, not 1"),
            Error::NotMonotone { bucket } => write!(
                f,
                "recipe is not non-increasing: w[{bucket}] < w[{}]",
                bucket + 1
            ),
            Error::InvalidConfig { what } => write!(f, "invalid configuration: {what}"),
            Error::Opt(e) => write!(f, "solver: {e}"),
        }
    }
}

impl core::error::Error for Error {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            Error::Opt(e) => Some(e),
            _ => None,
        }
    }
}
