//! The CLI's error: a message and the exit code it maps to (2 for bad input or usage,
//! 1 for a failure to compute).

use std::fmt;
use std::string::String;

/// A failure of a command, printed as one `error:` line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CliError {
    /// Bad usage or bad input (exit code 2).
    Input(String),
    /// A computation that failed on valid input (exit code 1).
    Compute(String),
}

impl CliError {
    /// The process exit code.
    pub fn exit_code(&self) -> i32 {
        match self {
            CliError::Input(_) => 2,
            CliError::Compute(_) => 1,
        }
    }
    /// Bad input with a message.
    pub fn input(msg: impl Into<String>) -> Self {
        CliError::Input(msg.into())
    }
    /// A failed computation with a message.
    pub fn compute(msg: impl Into<String>) -> Self {
        CliError::Compute(msg.into())
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Input(m) | CliError::Compute(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for CliError {}

impl From<mixlaw_core::Error> for CliError {
    fn from(e: mixlaw_core::Error) -> Self {
        match e {
            mixlaw_core::Error::Overflow { .. } => CliError::Compute(e.to_string()),
            _ => CliError::Input(e.to_string()),
        }
    }
}

impl From<mixlaw_opt::Error> for CliError {
    fn from(e: mixlaw_opt::Error) -> Self {
        match e {
            mixlaw_opt::Error::Numerical { .. } => CliError::Compute(e.to_string()),
            _ => CliError::Input(e.to_string()),
        }
    }
}
