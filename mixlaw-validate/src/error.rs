//! The error of a reproduction and of the `mixlaw` program: a message and the exit code it
//! maps to (2 for bad input or usage, 1 for a failure to compute).

use std::fmt;
use std::string::{String, ToString};

/// A failure, printed by the program as one `error:` line.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// Bad usage or bad input, a missing or malformed data file (exit code 2).
    Input(String),
    /// A computation that failed on valid input (exit code 1).
    Compute(String),
}

impl Error {
    /// The process exit code.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Input(_) => 2,
            Error::Compute(_) => 1,
        }
    }
    /// Bad input with a message.
    pub fn input(msg: impl Into<String>) -> Self {
        Error::Input(msg.into())
    }
    /// A failed computation with a message.
    pub fn compute(msg: impl Into<String>) -> Self {
        Error::Compute(msg.into())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Input(m) | Error::Compute(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for Error {}

impl From<mixlaw_core::Error> for Error {
    /// Failures to compute (exit 1): results beyond f64, lost accuracy, singular systems,
    /// no finite objective anywhere; everything else is bad input (exit 2).
    fn from(e: mixlaw_core::Error) -> Self {
        match e {
            mixlaw_core::Error::Overflow { .. }
            | mixlaw_core::Error::Numerical { .. }
            | mixlaw_core::Error::Singular
            | mixlaw_core::Error::NoFiniteObjective => Error::Compute(e.to_string()),
            _ => Error::Input(e.to_string()),
        }
    }
}
