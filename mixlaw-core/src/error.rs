//! The typed error every fallible function of the crate returns.

use core::fmt;

/// Everything that can be wrong with the input of a law, a data set, a buffer, a fit or a
/// mixture optimisation: the one error vocabulary of every mixlaw library crate
/// (`mixlaw-fit`, `mixlaw-opt` and `mixlaw-info` return it too).
///
/// Bad input never panics and never yields a silent NaN: it is one of these. A run that
/// merely fails to reach its tolerance is not an error: solvers report it in their result.
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
    /// More domains than a capacity holds (a [`crate::Point`]'s, an optimiser's `K`).
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
    /// Weights (a mixture, a recipe, source shares) that do not sum to 1 within their
    /// tolerance ([`crate::SIMPLEX_TOLERANCE`] by default).
    OffSimplex {
        /// Which weights.
        what: &'static str,
        /// Row index (0 for a single vector).
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
    /// A bound that is NaN, empty (`lo > hi`; `lo >= hi` for a fitted parameter) or
    /// excludes every valid value (an upper bound <= 0 on a positive parameter, a negative
    /// mixture bound), or a start value outside its bound.
    InvalidBound {
        /// The parameter's (or the domain's) index.
        index: usize,
    },
    /// The objective was not finite at any point the search tried.
    NoFiniteObjective,
    /// No parameter of the law has this name (or matches this pattern).
    UnknownParameter,
    /// Mixture bounds that do not meet the simplex: `sum lo > 1` or `sum hi < 1`.
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
    /// A NaN, infinite or (where forbidden) negative value in an optimiser's input.
    InvalidInput {
        /// Which input.
        what: &'static str,
        /// Element index.
        index: usize,
    },
    /// An optimiser's objective is not finite at its start, so no descent can begin.
    NonFiniteStart,
    /// A linear system (normal equations of a regression) is singular or not positive
    /// definite: the features are collinear. Add a ridge penalty.
    Singular,
    /// The objective's loss is not a sum of functions of one residual each, so it has no
    /// Gauss-Newton system ([`crate::Objective::gauss_newton`]): minimise it by gradient.
    NotResidual,
    /// A computation lost its accuracy (extreme scaling); the result is not trustworthy.
    Numerical {
        /// What went wrong.
        what: &'static str,
    },
    /// More quality buckets than supported (or none at all: `found = 0`), InfoLaw.
    BucketCount {
        /// The largest supported bucket count.
        max: usize,
        /// The count given.
        found: usize,
    },
    /// An InfoLaw recipe breaks the high-quality-first constraint:
    /// `w[bucket] < w[bucket + 1]`.
    NotMonotone {
        /// The first bucket whose successor has more weight.
        bucket: usize,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Error::NotResidual => write!(
                f,
                "the loss is not a sum of residuals: it has no Gauss-Newton system"
            ),
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
            Error::OffSimplex { what, row, sum } => {
                write!(f, "{what} weights of row {row} sum to {sum}, not 1")
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
                "invalid bound {index}: need lo <= hi, no NaN, and a range that meets the valid values"
            ),
            Error::NoFiniteObjective => {
                write!(f, "the objective was not finite at any point tried")
            }
            Error::UnknownParameter => write!(f, "no parameter of the law has this name"),
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
            Error::InvalidInput { what, index } => write!(f, "{what}[{index}] is invalid"),
            Error::NonFiniteStart => write!(f, "the objective is not finite at the start point"),
            Error::Singular => write!(
                f,
                "singular normal equations (collinear features); use a ridge penalty"
            ),
            Error::Numerical { what } => write!(f, "numerical failure: {what}"),
            Error::BucketCount { max, found } => {
                write!(f, "{found} buckets given; between 1 and {max} are supported")
            }
            Error::NotMonotone { bucket } => write!(
                f,
                "recipe is not non-increasing: w[{bucket}] < w[{}]",
                bucket + 1
            ),
        }
    }
}

impl core::error::Error for Error {}
