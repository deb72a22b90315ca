//! The published laws, one per file, and [`AnyLaw`], which picks one by name.

use crate::data::{Inputs, Row};
use crate::law::{Factor, Law};
use crate::param::Block;
use crate::{Error, MAX_DOMAINS};

use additive::Additive;
use additive_n::AdditiveN;
use additive_nd::AdditiveNd;
use bimix::Bimix;
use chinchilla::Chinchilla;
use data_constrained::DataConstrained;
use full::Full;
use joint::Joint;
use linear::Linear;
use simple::Simple;
use ye_m1::YeM1;
use ye_m2::YeM2;
use ye_m3::YeM3;
use ye_m4::YeM4;

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

/// How a law is built from the domain count k and a target-domain index.
#[derive(Clone, Copy, Debug)]
enum Build {
    /// `new()`: the law does not depend on the mixture.
    NoMixture,
    /// `new(k)`.
    Domains,
    /// `new(k, target)`: the law needs the target domain's index.
    Target,
}

macro_rules! registry {
    ($($variant:ident = $name:literal, $build:ident;)*) => {
        /// Any law of the catalogue, chosen by its public name at run time.
        #[derive(Clone, Copy, Debug, PartialEq)]
        #[non_exhaustive]
        pub enum AnyLaw {
            $(
                #[doc = concat!("`", $name, "`")]
                $variant($variant),
            )*
        }

        /// Every law name [`AnyLaw::new`] accepts, in catalogue order.
        pub const NAMES: &[&str] = &[$($name),*];

        impl AnyLaw {
            /// The law called `name` for `k` domains; `target` is the target domain's
            /// index, required by `bimix` and ignored by the others.
            pub fn new(name: &str, k: usize, target: Option<usize>) -> Result<Self, Error> {
                match name {
                    $($name => build!($variant, $build, k, target),)*
                    _ => Err(Error::UnknownLaw),
                }
            }

            /// True when the law reads a target-domain index.
            pub fn needs_target(name: &str) -> bool {
                match name {
                    $($name => matches!(Build::$build, Build::Target),)*
                    _ => false,
                }
            }

            /// The target domain's index, for laws that have one.
            pub fn target(&self) -> Option<usize> {
                match self {
                    AnyLaw::Bimix(l) => Some(l.target()),
                    _ => None,
                }
            }
        }

        impl Law for AnyLaw {
            fn name(&self) -> &'static str {
                match self { $(AnyLaw::$variant(l) => l.name(),)* }
            }
            fn domains(&self) -> usize {
                match self { $(AnyLaw::$variant(l) => l.domains(),)* }
            }
            fn blocks(&self) -> &'static [Block] {
                match self { $(AnyLaw::$variant(l) => l.blocks(),)* }
            }
            fn inputs(&self) -> Inputs {
                match self { $(AnyLaw::$variant(l) => l.inputs(),)* }
            }
            fn check_row(&self, row: &Row<'_>, index: usize) -> Result<(), Error> {
                match self { $(AnyLaw::$variant(l) => l.check_row(row, index),)* }
            }
            #[inline]
            fn eval_row(&self, params: &[f64], row: &Row<'_>, grad: Option<&mut [f64]>) -> f64 {
                match self { $(AnyLaw::$variant(l) => l.eval_row(params, row, grad),)* }
            }
            #[inline]
            fn grad_h_row(&self, params: &[f64], row: &Row<'_>, grad_h: &mut [f64]) -> f64 {
                match self { $(AnyLaw::$variant(l) => l.grad_h_row(params, row, grad_h),)* }
            }
            fn separable_terms(&self) -> usize {
                match self { $(AnyLaw::$variant(l) => l.separable_terms(),)* }
            }
            fn factors(&self, params: &[f64], factor: Factor, row: &Row<'_>, out: &mut [f64]) {
                match self { $(AnyLaw::$variant(l) => l.factors(params, factor, row, out),)* }
            }
            fn factors_vjp(
                &self,
                params: &[f64],
                factor: Factor,
                row: &Row<'_>,
                weights: &[f64],
                grad: &mut [f64],
                scratch: &mut [f64],
            ) {
                match self {
                    $(AnyLaw::$variant(l) => l.factors_vjp(params, factor, row, weights, grad, scratch),)*
                }
            }
        }
    };
}

macro_rules! build {
    ($variant:ident, NoMixture, $k:expr, $target:expr) => {
        Ok(AnyLaw::$variant($variant::new()))
    };
    ($variant:ident, Domains, $k:expr, $target:expr) => {
        $variant::new($k).map(AnyLaw::$variant)
    };
    ($variant:ident, Target, $k:expr, $target:expr) => {
        match $target {
            Some(t) => $variant::new($k, t).map(AnyLaw::$variant),
            None => Err(Error::InvalidConfig {
                what: "this law needs a target domain index",
            }),
        }
    };
}

registry! {
    Chinchilla = "chinchilla", NoMixture;
    Additive = "additive", Domains;
    AdditiveNd = "additive-nd", Domains;
    AdditiveN = "additive-n", Domains;
    Joint = "joint", Domains;
    Simple = "simple", Domains;
    Full = "full", Domains;
    YeM1 = "ye-m1", Domains;
    YeM2 = "ye-m2", Domains;
    YeM3 = "ye-m3", Domains;
    YeM4 = "ye-m4", Domains;
    Bimix = "bimix", Target;
    Linear = "linear", Domains;
    DataConstrained = "data-constrained", NoMixture;
}

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
