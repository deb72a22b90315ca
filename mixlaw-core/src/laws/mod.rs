//! The published laws, one per file, and [`AnyLaw`], which picks one by name.

use crate::data::{Inputs, Row};
use crate::law::Law;
use crate::param::Block;
use crate::{Error, MAX_DOMAINS};

pub mod additive;
pub mod additive_n;
pub mod additive_nd;
pub mod bimix;
pub mod chinchilla;
pub mod data_constrained;
pub mod full;
pub mod joint;
pub mod linear;
pub mod simple;
pub mod terms;
pub mod ye_m1;
pub mod ye_m2;
pub mod ye_m3;
pub mod ye_m4;

/// Checks `min <= k <= MAX_DOMAINS`.
pub(crate) fn check_domains(k: usize, min: usize) -> Result<(), Error> {
    if k > MAX_DOMAINS {
        return Err(Error::TooManyDomains {
            max: MAX_DOMAINS,
            found: k,
        });
    }
    if k < min {
        return Err(Error::WrongDomainCount {
            expected: min,
            found: k,
        });
    }
    Ok(())
}
