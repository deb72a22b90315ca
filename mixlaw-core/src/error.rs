//! The typed error every fallible function of the crate returns.

use core::fmt;

/// Everything that can be wrong with the input of a law, a data set or a buffer.
///
/// Bad input never panics and never yields a silent NaN: it is one of these.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum Error {
    /// A law was asked for with a number of domains it cannot have.
    WrongDomainCount {
        /// What the law (or the data set) expects.
        expected: usize,
        /// What was given.
        found: usize,
    },
    /// More domains than [`crate::MAX_DOMAINS`].
    TooManyDomains {
        /// The largest supported k.
        max: usize,
        /// What was given.
        found: usize,
    },
    /// A parameter vector of the wrong length.
    WrongParamCount {
        /// The law's parameter count.
        expected: usize,
        /// The length given.
        found: usize,
    },
    /// Two slices that must agree in length do not.
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
    /// A NaN or infinite value in the input.
    NonFinite {
        /// Which input.
        what: &'static str,
        /// Row (or element) index.
        index: usize,
    },
    /// A value that must be strictly positive is not.
    NotPositive {
        /// Which input.
        what: &'static str,
        /// Row (or element) index.
        index: usize,
    },
    /// A value that must be non-negative is negative.
    Negative {
        /// Which input.
        what: &'static str,
        /// Row (or element) index.
        index: usize,
    },
    /// A mixture whose weights do not sum to 1 (within [`crate::SIMPLEX_TOLERANCE`]).
    OffSimplex {
        /// Row index.
        row: usize,
        /// The sum found.
        sum: f64,
    },
    /// An input the law needs (N, D, unique tokens U) is missing from the data set.
    MissingInput {
        /// Which input.
        what: &'static str,
    },
    /// `bimix` (and laws like it) is undefined where the target domain has weight 0.
    ZeroTargetWeight {
        /// Row index.
        row: usize,
    },
    /// The target-domain index is not one of the k domains.
    TargetOutOfRange {
        /// The index given.
        target: usize,
        /// The number of domains.
        domains: usize,
    },
    /// The derivative in h is infinite here (h_i = 0 under an exponent below 1).
    InfiniteGradient {
        /// The domain whose weight is zero.
        domain: usize,
    },
    /// The law evaluated to a non-finite number at these parameters.
    NonFiniteValue {
        /// Row index (0 for a single point).
        row: usize,
    },
    /// A data set without rows (or with all rows masked out).
    Empty,
    /// A configuration value outside its domain.
    InvalidConfig {
        /// What is wrong.
        what: &'static str,
    },
    /// No law of this name.
    UnknownLaw,
    /// A result too large for f64 (a metric of errors near `f64::MAX`).
    Overflow {
        /// Which result.
        what: &'static str,
    },
    /// A parameter bound that is empty (`lo >= hi`), NaN, or excludes every valid value
    /// (an upper bound <= 0 on a positive parameter); or a start value outside its bound.
    InvalidBound {
        /// The parameter's index.
        index: usize,
    },
    /// The objective was not finite at any point the search tried.
    NoFiniteObjective,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Error::WrongDomainCount { expected, found } => {
                write!(f, "expected {expected} domains, found {found}")
            }
            Error::TooManyDomains { max, found } => {
                write!(f, "{found} domains exceed the supported maximum of {max}")
            }
            Error::WrongParamCount { expected, found } => {
                write!(f, "expected {expected} parameters, found {found}")
            }
            Error::LengthMismatch {
                what,
                expected,
                found,
            } => write!(f, "{what}: expected length {expected}, found {found}"),
            Error::BufferTooSmall { needed, found } => {
                write!(f, "buffer too small: need {needed} elements, got {found}")
            }
            Error::NonFinite { what, index } => write!(f, "{what}[{index}] is not finite"),
            Error::NotPositive { what, index } => write!(f, "{what}[{index}] must be > 0"),
            Error::Negative { what, index } => write!(f, "{what}[{index}] must be >= 0"),
            Error::OffSimplex { row, sum } => {
                write!(f, "mixture weights of row {row} sum to {sum}, not 1")
            }
            Error::MissingInput { what } => write!(f, "the law needs input {what}"),
            Error::ZeroTargetWeight { row } => write!(
                f,
                "row {row}: the target domain has weight 0, where the law is undefined"
            ),
            Error::TargetOutOfRange { target, domains } => {
                write!(
                    f,
                    "target domain {target} is not among the {domains} domains"
                )
            }
            Error::InfiniteGradient { domain } => write!(
                f,
                "the gradient in h is infinite at h[{domain}] = 0 (exponent below 1)"
            ),
            Error::NonFiniteValue { row } => {
                write!(f, "the law is not finite at row {row} for these parameters")
            }
            Error::Empty => write!(f, "no data rows"),
            Error::InvalidConfig { what } => write!(f, "invalid configuration: {what}"),
            Error::UnknownLaw => write!(f, "unknown law"),
            Error::Overflow { what } => write!(f, "{what} overflows f64"),
            Error::InvalidBound { index } => write!(
                f,
                "the bound of parameter {index} is empty or excludes its valid values (or a start value lies outside it)"
            ),
            Error::NoFiniteObjective => {
                write!(f, "the objective was not finite at any point tried")
            }
        }
    }
}

impl core::error::Error for Error {}
