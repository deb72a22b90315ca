//! The published laws, one per file, and [`AnyLaw`], which picks one by name.

use crate::capacity::{CapacityLaw, Head};
use crate::data::{Inputs, Row};
use crate::law::{Factor, Law, OutputsGrad, Structure};
use crate::param::{Block, ParamInfo};
use crate::{Error, LAW_DOMAIN_LIMIT};

/// `capacity-eq1` in the registry (a [`CapacityLaw`] of form eq 1).
pub type CapacityEq1 = CapacityLaw;
/// `capacity-eq3` in the registry (a [`CapacityLaw`] of form eq 3).
pub type CapacityEq3 = CapacityLaw;

use additive::Additive;
use additive_n::AdditiveN;
use additive_nd::AdditiveNd;
use autoscale::Autoscale;
use bimix::Bimix;
use chinchilla::Chinchilla;
use data_constrained::DataConstrained;
use dcpt::Dcpt;
use farseer::Farseer;
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
pub mod autoscale;
pub mod bimix;
pub mod chinchilla;
pub mod data_constrained;
pub mod dcpt;
pub mod farseer;
pub mod full;
pub mod joint;
pub mod linear;
pub mod simple;
pub mod terms;
pub mod ye_m1;
pub mod ye_m2;
pub mod ye_m3;
pub mod ye_m4;

/// How a law is built from the domain count k and its [`LawOptions`].
#[derive(Clone, Copy, Debug)]
enum Build {
    /// `new()`: the law does not depend on the mixture.
    NoMixture,
    /// `new(k)`.
    Domains,
    /// `new(k, target)`: the law needs the target domain's index.
    Target,
    /// A capacity law of form eq 1 with its head size (fitted unless fixed).
    Eq1,
    /// A capacity law of form eq 3.
    Eq3,
}

/// Configuration some laws take besides k (not fitted).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct LawOptions {
    /// The target domain's index (`bimix`).
    pub target: Option<usize>,
    /// A fixed head size H for the capacity laws (`None`: H is fitted).
    pub head: Option<f64>,
}

impl LawOptions {
    /// With a target domain index.
    pub const fn target(mut self, target: Option<usize>) -> Self {
        self.target = target;
        self
    }
    /// With a fixed capacity head size (`None`: fitted).
    pub const fn head(mut self, head: Option<f64>) -> Self {
        self.head = head;
        self
    }
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
            /// index, required by `bimix` and `dcpt` and ignored by the others.
            pub fn new(name: &str, k: usize, target: Option<usize>) -> Result<Self, Error> {
                Self::with_options(name, k, LawOptions::default().target(target))
            }

            /// The law called `name` for `k` domains with its configuration.
            pub fn with_options(name: &str, k: usize, options: LawOptions) -> Result<Self, Error> {
                match name {
                    $($name => build!($variant, $build, k, options),)*
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

            /// True when the law takes a capacity head size ([`LawOptions::head`]).
            pub fn takes_head(name: &str) -> bool {
                match name {
                    $($name => matches!(Build::$build, Build::Eq1 | Build::Eq3),)*
                    _ => false,
                }
            }

            /// The target domain's index, for laws that have one.
            pub fn target(&self) -> Option<usize> {
                match self {
                    AnyLaw::Bimix(l) => Some(l.target()),
                    AnyLaw::Dcpt(l) => Some(l.target()),
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
            fn outputs(&self) -> usize {
                match self { $(AnyLaw::$variant(l) => l.outputs(),)* }
            }
            fn num_params(&self) -> usize {
                match self { $(AnyLaw::$variant(l) => l.num_params(),)* }
            }
            fn param_info(&self, i: usize) -> Option<ParamInfo> {
                match self { $(AnyLaw::$variant(l) => l.param_info(i),)* }
            }
            fn structure(&self) -> Structure {
                match self { $(AnyLaw::$variant(l) => l.structure(),)* }
            }
            fn state_len(&self) -> usize {
                match self { $(AnyLaw::$variant(l) => l.state_len(),)* }
            }
            fn grad_h_scratch_len(&self) -> usize {
                match self { $(AnyLaw::$variant(l) => l.grad_h_scratch_len(),)* }
            }
            fn outputs_scratch_len(&self) -> usize {
                match self { $(AnyLaw::$variant(l) => l.outputs_scratch_len(),)* }
            }
            fn eval_outputs(
                &self,
                params: &[f64],
                row: &Row<'_>,
                values: &mut [f64],
                grad: OutputsGrad<'_>,
                state: &mut [f64],
                scratch: &mut [f64],
            ) {
                match self {
                    $(AnyLaw::$variant(l) => l.eval_outputs(params, row, values, grad, state, scratch),)*
                }
            }
            fn grad_h_outputs(
                &self,
                params: &[f64],
                row: &Row<'_>,
                weights: &[f64],
                grad_h: &mut [f64],
                scratch: &mut [f64],
            ) -> f64 {
                match self {
                    $(AnyLaw::$variant(l) => l.grad_h_outputs(params, row, weights, grad_h, scratch),)*
                }
            }
            fn entry_weights(
                &self,
                h: &[f64],
                y: &[f64],
                mask_below: f64,
                w: &mut [f64],
            ) -> Result<(), Error> {
                match self { $(AnyLaw::$variant(l) => l.entry_weights(h, y, mask_below, w),)* }
            }
            fn recommended_bounds(
                &self,
                y: &[f64],
                w: &[f64],
                bounds: &mut [(f64, f64)],
            ) -> Result<bool, Error> {
                match self { $(AnyLaw::$variant(l) => l.recommended_bounds(y, w, bounds),)* }
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
            fn factors(
                &self,
                params: &[f64],
                factor: Factor,
                row: &Row<'_>,
                out: &mut [f64],
                cache: &mut [f64],
            ) {
                match self { $(AnyLaw::$variant(l) => l.factors(params, factor, row, out, cache),)* }
            }
            fn factors_cache_len(&self, factor: Factor) -> usize {
                match self { $(AnyLaw::$variant(l) => l.factors_cache_len(factor),)* }
            }
            fn unit_factors(&self, factor: Factor) -> u32 {
                match self { $(AnyLaw::$variant(l) => l.unit_factors(factor),)* }
            }
            fn inverse_mixture_form(&self) -> Option<crate::law::InverseMixtureForm> {
                match self { $(AnyLaw::$variant(l) => l.inverse_mixture_form(),)* }
            }
            fn factors_vjp(
                &self,
                params: &[f64],
                factor: Factor,
                row: &Row<'_>,
                weights: &[f64],
                cache: &[f64],
                grad: &mut [f64],
                scratch: &mut [f64],
            ) {
                match self {
                    $(AnyLaw::$variant(l) => {
                        l.factors_vjp(params, factor, row, weights, cache, grad, scratch)
                    })*
                }
            }
        }
    };
}

macro_rules! build {
    ($variant:ident, NoMixture, $k:expr, $options:expr) => {
        Ok(AnyLaw::$variant($variant::new()))
    };
    ($variant:ident, Domains, $k:expr, $options:expr) => {
        $variant::new($k).map(AnyLaw::$variant)
    };
    ($variant:ident, Eq1, $k:expr, $options:expr) => {
        CapacityLaw::eq1($k, head($options)).map(AnyLaw::$variant)
    };
    ($variant:ident, Eq3, $k:expr, $options:expr) => {
        CapacityLaw::eq3($k, head($options)).map(AnyLaw::$variant)
    };
    ($variant:ident, Target, $k:expr, $options:expr) => {
        match $options.target {
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
    CapacityEq1 = "capacity-eq1", Eq1;
    CapacityEq3 = "capacity-eq3", Eq3;
    Autoscale = "autoscale", Domains;
    Dcpt = "dcpt", Target;
    Farseer = "farseer", NoMixture;
}

/// The capacity head of `options`: fixed when given, else fitted.
fn head(options: LawOptions) -> Head {
    options.head.map_or(Head::Fitted, Head::Fixed)
}

/// Checks `k >= 1` and a target domain index `target < k` (the laws of one
/// target's own weight: `bimix`, `dcpt`).
pub(crate) fn check_target(k: usize, target: usize) -> Result<(), Error> {
    check_domains(k, 1)?;
    if target >= k {
        return Err(Error::TargetOutOfRange { target, domains: k });
    }
    Ok(())
}

/// `(h_t, ln h_t)` of a row's `h` and `ln h` (NaN if the row is too short, which
/// validation prevents).
pub(crate) fn own_weight<T: crate::real::Real>(h: &[T], ln_h: &[T], t: usize) -> (T, T) {
    (
        h.get(t).copied().unwrap_or(T::NAN),
        ln_h.get(t).copied().unwrap_or(T::NAN),
    )
}

/// Checks `k >= min` (and `k <= LAW_DOMAIN_LIMIT`, which only guards parameter counts
/// against overflow: laws have no practical limit on k).
pub(crate) fn check_domains(k: usize, min: usize) -> Result<(), Error> {
    if k > LAW_DOMAIN_LIMIT {
        return Err(Error::TooManyDomains {
            max: LAW_DOMAIN_LIMIT,
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
