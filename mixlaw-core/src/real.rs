//! The float type of the device path: [`Real`], implemented for `f64` and `f32`.
//!
//! Fitting is `f64` only. Evaluating a fitted law and its h-gradient at a fixed budget, and
//! solving for the optimal mixture, are generic over [`Real`], so a Cortex-M4F (whose FPU
//! is single precision) can run them in `f32` on the FPU. Each law's per-row formula for
//! its value and h-gradient is written once, generic over `T: Real` ([`RealLaw`]); the
//! `f64` [`Law::eval_row`] and [`Law::grad_h_row`] of those laws call the same code with
//! `T = f64`, so `f64` results are unchanged bit for bit.
//!
//! Transcendental functions come from `libm` (`exp`/`expf`, `log`/`logf`, `pow`/`powf`),
//! so results are the same in every build.

use core::fmt::Debug;
use core::iter::Sum;
use core::ops::{Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Sub, SubAssign};

use crate::data::Row;
use crate::law::Law;

/// A binary floating-point type: the arithmetic, comparisons and `libm` functions the laws
/// and the simplex solver need. Implemented for `f64` and `f32`.
///
/// `sum()` over an iterator of `T` is the standard library's float sum, so a formula
/// written for `T` computes, for `T = f64`, exactly what the same formula written for `f64`
/// computes.
pub trait Real:
    Copy
    + Debug
    + Default
    + PartialOrd
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
    + AddAssign
    + SubAssign
    + MulAssign
    + DivAssign
    + Sum
    + Send
    + Sync
    + 'static
{
    /// 0.
    const ZERO: Self;
    /// 1.
    const ONE: Self;
    /// `+inf`.
    const INFINITY: Self;
    /// `-inf`.
    const NEG_INFINITY: Self;
    /// Not a number.
    const NAN: Self;
    /// Machine epsilon: the gap between 1 and the next larger value (`2^-52`, `2^-23`).
    const EPSILON: Self;
    /// Smallest positive normal value.
    const MIN_POSITIVE: Self;
    /// The type's name, `"f64"` or `"f32"`.
    const NAME: &'static str;

    /// `x` rounded to the nearest value of this type (exact for `f64`).
    fn from_f64(x: f64) -> Self;
    /// The value as `f64` (exact).
    fn to_f64(self) -> f64;
    /// `n` rounded to the nearest value of this type.
    fn from_usize(n: usize) -> Self;
    /// `e^x`.
    fn exp(self) -> Self;
    /// Natural logarithm (`-inf` at 0, NaN below).
    fn ln(self) -> Self;
    /// `self^e`.
    fn powf(self, e: Self) -> Self;
    /// Neither infinite nor NaN.
    fn is_finite(self) -> bool;
    /// NaN.
    fn is_nan(self) -> bool;
    /// `|x|`.
    fn abs(self) -> Self;
    /// The smaller of two values (the other one if either is NaN).
    fn min(self, other: Self) -> Self;
    /// The larger of two values (the other one if either is NaN).
    fn max(self, other: Self) -> Self;
    /// `max(lo, min(hi, x))`; `lo <= hi`, neither NaN.
    fn clamp(self, lo: Self, hi: Self) -> Self;
}

macro_rules! impl_real {
    ($t:ty, $exp:path, $ln:path, $pow:path) => {
        impl Real for $t {
            const ZERO: Self = 0.0;
            const ONE: Self = 1.0;
            const INFINITY: Self = <$t>::INFINITY;
            const NEG_INFINITY: Self = <$t>::NEG_INFINITY;
            const NAN: Self = <$t>::NAN;
            const EPSILON: Self = <$t>::EPSILON;
            const MIN_POSITIVE: Self = <$t>::MIN_POSITIVE;
            const NAME: &'static str = stringify!($t);

            #[inline]
            fn from_f64(x: f64) -> Self {
                x as $t
            }
            #[inline]
            fn to_f64(self) -> f64 {
                self as f64
            }
            #[inline]
            fn from_usize(n: usize) -> Self {
                n as $t
            }
            #[inline]
            fn exp(self) -> Self {
                $exp(self)
            }
            #[inline]
            fn ln(self) -> Self {
                $ln(self)
            }
            #[inline]
            fn powf(self, e: Self) -> Self {
                $pow(self, e)
            }
            #[inline]
            fn is_finite(self) -> bool {
                <$t>::is_finite(self)
            }
            #[inline]
            fn is_nan(self) -> bool {
                <$t>::is_nan(self)
            }
            #[inline]
            fn abs(self) -> Self {
                <$t>::abs(self)
            }
            #[inline]
            fn min(self, other: Self) -> Self {
                <$t>::min(self, other)
            }
            #[inline]
            fn max(self, other: Self) -> Self {
                <$t>::max(self, other)
            }
            #[inline]
            fn clamp(self, lo: Self, hi: Self) -> Self {
                // Written out (not `<$t>::clamp`, which panics on a NaN bound).
                if self < lo {
                    lo
                } else if self > hi {
                    hi
                } else {
                    self
                }
            }
        }
    };
}

impl_real!(f64, libm::exp, libm::log, libm::pow);
impl_real!(f32, libm::expf, libm::logf, libm::powf);

/// One row as a law sees it, in the float type `T` (the generic counterpart of [`Row`]).
#[derive(Clone, Copy, Debug)]
pub struct RowOf<'a, T> {
    /// The mixture.
    pub h: &'a [T],
    /// `ln h_i` (`-inf` where `h_i = 0`).
    pub ln_h: &'a [T],
    /// Scaled model size N / n_scale (1 when absent).
    pub n: T,
    /// `ln` of the scaled N.
    pub ln_n: T,
    /// Scaled training tokens D / d_scale (1 when absent).
    pub d: T,
    /// `ln` of the scaled D.
    pub ln_d: T,
    /// Scaled unique tokens U / d_scale (1 when absent).
    pub u: T,
}

impl<'a> From<&Row<'a>> for RowOf<'a, f64> {
    #[inline]
    fn from(row: &Row<'a>) -> Self {
        RowOf {
            h: row.h,
            ln_h: row.ln_h,
            n: row.n,
            ln_n: row.ln_n,
            d: row.d,
            ln_d: row.ln_d,
            u: row.u,
        }
    }
}

/// A law (with one output) whose value and h-gradient are written once, generic over the
/// float type: usable in `f32` on a device ([`Law`] is `f64` only). Its `f64`
/// [`Law::eval_row`] (without gradient) and [`Law::grad_h_row`] call these with
/// `T = f64`.
///
/// Same contract as [`Law::eval_row`] / [`Law::grad_h_row`]: validated inputs only
/// (`params.len() == num_params()`, `row.h.len() == domains()`, `grad_h.len() ==
/// domains()`); `params` are the natural parameters converted to `T`.
pub trait RealLaw: Law {
    /// `L(N, D, h)` at `row`.
    fn value_of<T: Real>(&self, params: &[T], row: &RowOf<'_, T>) -> T;

    /// `L(N, D, h)` at `row` and `dL/dh_i` into `grad_h` (overwritten; ambient partial
    /// derivatives, infinite where `h_i = 0` under an exponent below 1).
    fn grad_h_of<T: Real>(&self, params: &[T], row: &RowOf<'_, T>, grad_h: &mut [T]) -> T;
}
