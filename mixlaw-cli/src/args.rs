//! A minimal flag parser: `--flag value`, `--switch`, positional words; every flag must
//! be known to the command, and a value flag given twice is an error.

use std::format;
use std::string::{String, ToString};
use std::vec::Vec;

use crate::error::CliError;

/// Parsed arguments of one command.
#[derive(Debug, Default)]
pub struct Args {
    values: Vec<(String, String)>,
    switches: Vec<String>,
    /// Positional words, in order.
    pub positional: Vec<String>,
}

impl Args {
    /// Parses `args` with the command's value flags and switches (names without `--`).
    pub fn parse(
        args: &[String],
        value_flags: &[&str],
        switches: &[&str],
    ) -> Result<Args, CliError> {
        let mut out = Args::default();
        let mut it = args.iter();
        while let Some(a) = it.next() {
            if let Some(name) = a.strip_prefix("--") {
                let (name, inline) = match name.split_once('=') {
                    Some((n, v)) => (n, Some(v.to_string())),
                    None => (name, None),
                };
                if value_flags.contains(&name) {
                    let v = match inline {
                        Some(v) => v,
                        None => it
                            .next()
                            .cloned()
                            .ok_or_else(|| CliError::input(format!("--{name} needs a value")))?,
                    };
                    if out.values.iter().any(|(n, _)| n == name) {
                        return Err(CliError::input(format!("--{name} given twice")));
                    }
                    out.values.push((name.to_string(), v));
                } else if switches.contains(&name) && inline.is_none() {
                    out.switches.push(name.to_string());
                } else {
                    return Err(CliError::input(format!("unknown option --{name}")));
                }
            } else {
                out.positional.push(a.clone());
            }
        }
        Ok(out)
    }

    /// The value of `--name`, if given.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
    /// The value of `--name`, or an error saying it is required.
    pub fn require(&self, name: &str) -> Result<&str, CliError> {
        self.get(name)
            .ok_or_else(|| CliError::input(format!("--{name} is required")))
    }
    /// Whether `--name` was given.
    pub fn has(&self, name: &str) -> bool {
        self.switches.iter().any(|n| n == name)
    }
    /// `--name` parsed as a finite number.
    pub fn number(&self, name: &str) -> Result<Option<f64>, CliError> {
        self.get(name).map(|v| parse_number(name, v)).transpose()
    }
    /// `--name` parsed as an unsigned integer.
    pub fn integer(&self, name: &str) -> Result<Option<u64>, CliError> {
        self.get(name)
            .map(|v| {
                v.trim().parse::<u64>().map_err(|_| {
                    CliError::input(format!("--{name}: '{v}' is not a non-negative integer"))
                })
            })
            .transpose()
    }
    /// `--name` as a comma-separated list of finite numbers.
    pub fn numbers(&self, name: &str) -> Result<Option<Vec<f64>>, CliError> {
        self.get(name)
            .map(|v| v.split(',').map(|x| parse_number(name, x)).collect())
            .transpose()
    }
    /// `--name` as a comma-separated list of non-empty words.
    pub fn list(&self, name: &str) -> Result<Option<Vec<String>>, CliError> {
        self.get(name)
            .map(|v| {
                let items: Vec<String> = v.split(',').map(|x| x.trim().to_string()).collect();
                if items.iter().any(String::is_empty) {
                    Err(CliError::input(format!("--{name}: empty item in '{v}'")))
                } else {
                    Ok(items)
                }
            })
            .transpose()
    }
}

fn parse_number(name: &str, v: &str) -> Result<f64, CliError> {
    match v.trim().parse::<f64>() {
        Ok(x) if x.is_finite() => Ok(x),
        _ => Err(CliError::input(format!(
            "--{name}: '{v}' is not a finite number"
        ))),
    }
}
