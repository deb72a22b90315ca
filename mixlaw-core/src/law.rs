//! The [`Law`] trait: one loss law L(N, D, h; params) with exact gradients.

use crate::data::{Inputs, Point, Row, Scales};
use crate::param::{self, Block, ParamInfo};
use crate::Error;

/// A data-mixture scaling law for one target loss.
///
/// Implementors provide the formula and its exact partial derivatives in the *natural*
/// parameters and in h; everything else (counts, names, log-space transforms, validation,
/// data-set evaluation) is provided from the parameter layout.
///
/// Contract of the required methods, which receive validated inputs only:
/// `params.len() == self.num_params()`, `row.h.len() == self.domains()`, and every
/// gradient slice has the matching length. [`Law::eval_row`] writes *every* slot of
/// `grad` (it overwrites; it does not accumulate).
pub trait Law {
    /// The law's public name, as in `laws.md` (`"additive"`).
    fn name(&self) -> &'static str;

    /// Number of training domains k this instance is built for.
    fn domains(&self) -> usize;

    /// The parameter layout, in `laws.md` order.
    fn blocks(&self) -> &'static [Block];

    /// Which inputs the law reads.
    fn inputs(&self) -> Inputs;

    /// Law-specific row checks beyond the generic ones (e.g. `bimix` needs h_t > 0).
    fn check_row(&self, _row: &Row<'_>, _index: usize) -> Result<(), Error> {
        Ok(())
    }

    /// The law's value at `row`; with `grad`, also dL/dp for every natural parameter p.
    fn eval_row(&self, params: &[f64], row: &Row<'_>, grad: Option<&mut [f64]>) -> f64;

    /// The law's value at `row`, and dL/dh_i for every domain into `grad_h` (ambient
    /// partial derivatives: h is not renormalised). Where h_i = 0 under an exponent below 1
    /// the entry is infinite; [`Law::grad_h`] turns that into [`Error::InfiniteGradient`].
    fn grad_h_row(&self, params: &[f64], row: &Row<'_>, grad_h: &mut [f64]) -> f64;

    /// Number of terms T of the law's separable form
    /// `L = sum_t F_t(h) G_t(N) K_t(D)` (see [`Factor`]), or 0 when it has none.
    ///
    /// Data sets of training runs are grids (a few mixtures, model sizes and checkpoints),
    /// so a separable law is evaluated once per distinct h, N and D rather than per row
    /// (see [`crate::Groups`]). The default covers laws that read only h (T = 1,
    /// `F_0 = L`); laws of N or D override it with their own factors.
    fn separable_terms(&self) -> usize {
        let i = self.inputs();
        if i.n || i.d || i.u {
            0
        } else {
            1
        }
    }

    /// The T factors of one input (`F_t(h)`, `G_t(N)` or `K_t(D)`) at `row` into `out`.
    /// Only the input named by `factor` is read from `row`.
    fn factors(&self, params: &[f64], factor: Factor, row: &Row<'_>, out: &mut [f64]) {
        let value = match factor {
            Factor::Mixture => self.eval_row(params, row, None),
            Factor::Model | Factor::Tokens => 1.0,
        };
        out.iter_mut().for_each(|o| *o = 1.0);
        if let Some(o) = out.first_mut() {
            *o = value;
        }
    }

    /// Adds `sum_t weights_t dF_t/dp` (for the factor named) to `grad`, in natural
    /// parameters. `scratch` has `num_params()` elements (the default uses it for a row
    /// gradient).
    fn factors_vjp(
        &self,
        params: &[f64],
        factor: Factor,
        row: &Row<'_>,
        weights: &[f64],
        grad: &mut [f64],
        scratch: &mut [f64],
    ) {
        if let (Factor::Mixture, Some(&w)) = (factor, weights.first()) {
            self.eval_row(params, row, Some(&mut *scratch));
            for (g, s) in grad.iter_mut().zip(scratch.iter()) {
                *g += w * s;
            }
        }
    }

    /// Number of parameters for this instance's k.
    fn num_params(&self) -> usize {
        param::count(self.blocks(), self.domains())
    }

    /// Name, constraint and start range of parameter `i`.
    fn param_info(&self, i: usize) -> Option<ParamInfo> {
        param::info(self.blocks(), self.domains(), i)
    }

    /// Checks length, finiteness and positivity of natural parameters.
    fn check_params(&self, params: &[f64]) -> Result<(), Error> {
        param::check_params(self.blocks(), self.domains(), params)
    }

    /// Natural parameters to unconstrained coordinates (`ln p` for positive ones).
    fn to_unconstrained(&self, params: &[f64], theta: &mut [f64]) -> Result<(), Error> {
        param::to_unconstrained(self.blocks(), self.domains(), params, theta)
    }

    /// Unconstrained coordinates to natural parameters.
    fn to_natural(&self, theta: &[f64], params: &mut [f64]) -> Result<(), Error> {
        param::to_natural(self.blocks(), self.domains(), theta, params)
    }

    /// Checks that a point or data set provides every input this law reads.
    fn check_inputs(&self, given: Inputs) -> Result<(), Error> {
        let needed = self.inputs();
        for (need, have, what) in [
            (needed.n, given.n, "N"),
            (needed.d, given.d, "D"),
            (needed.u, given.u, "U"),
        ] {
            if need && !have {
                return Err(Error::MissingInput { what });
            }
        }
        Ok(())
    }

    /// The law's value at one point (raw units, divided by `scales`).
    fn value(&self, params: &[f64], point: &Point, scales: Scales) -> Result<f64, Error> {
        let row = self.checked_row(params, point, scales)?;
        finite(self.eval_row(params, &row, None), 0)
    }

    /// Value and gradient in the *unconstrained* coordinates at one point.
    fn value_grad(
        &self,
        params: &[f64],
        point: &Point,
        scales: Scales,
        grad: &mut [f64],
    ) -> Result<f64, Error> {
        let row = self.checked_row(params, point, scales)?;
        param::check_len("grad", grad, params.len())?;
        let v = finite(self.eval_row(params, &row, Some(&mut *grad)), 0)?;
        param::chain_to_unconstrained(self.blocks(), self.domains(), params, grad);
        Ok(v)
    }

    /// Value and gradient in h at one point.
    fn grad_h(
        &self,
        params: &[f64],
        point: &Point,
        scales: Scales,
        grad_h: &mut [f64],
    ) -> Result<f64, Error> {
        let row = self.checked_row(params, point, scales)?;
        param::check_len("grad_h", grad_h, self.domains())?;
        let v = finite(self.grad_h_row(params, &row, grad_h), 0)?;
        for (i, g) in grad_h.iter().enumerate() {
            if !g.is_finite() {
                return Err(Error::InfiniteGradient { domain: i });
            }
        }
        Ok(v)
    }

    /// Validates parameters and a point for this law and returns the row to evaluate.
    fn checked_row<'p>(
        &self,
        params: &[f64],
        point: &'p Point,
        scales: Scales,
    ) -> Result<Row<'p>, Error> {
        self.check_params(params)?;
        scales.check()?;
        if self.inputs().h && point.domains() != self.domains() {
            return Err(Error::WrongDomainCount {
                expected: self.domains(),
                found: point.domains(),
            });
        }
        let row = point.row(scales);
        self.check_row(&row, 0)?;
        Ok(row)
    }
}

/// The three inputs a separable law factors over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Factor {
    /// `F_t(h)`: the mixture factors (parameter-only constants, such as E, belong here).
    Mixture,
    /// `G_t(N)`: the model-size factors.
    Model,
    /// `K_t(D)`: the token factors.
    Tokens,
}

/// `Ok(v)` when `v` is finite, else [`Error::NonFiniteValue`].
pub(crate) fn finite(v: f64, row: usize) -> Result<f64, Error> {
    if v.is_finite() {
        Ok(v)
    } else {
        Err(Error::NonFiniteValue { row })
    }
}

/// `x^g` for `x >= 0` given `ln x`, with the convention `0^g = 0` for `g > 0`.
#[inline]
pub fn pow_ln(x: f64, ln_x: f64, g: f64) -> f64 {
    if x > 0.0 {
        libm::exp(g * ln_x)
    } else if g > 0.0 {
        0.0
    } else if g == 0.0 {
        1.0
    } else {
        f64::INFINITY
    }
}

/// `x^g ln x` with the convention `0 ln 0 = 0` (for `g > 0`).
#[inline]
pub fn pow_ln_times_ln(pow: f64, x: f64, ln_x: f64) -> f64 {
    if x > 0.0 {
        pow * ln_x
    } else {
        0.0
    }
}

/// `d/dx x^g = g x^(g-1)` for `x >= 0`; at `x = 0`: infinite for `g < 1`, 1 for `g = 1`,
/// 0 for `g > 1` (callers turn an infinite value into [`Error::InfiniteGradient`]).
#[inline]
pub fn dpow(x: f64, ln_x: f64, g: f64) -> f64 {
    if x > 0.0 {
        g * libm::exp((g - 1.0) * ln_x)
    } else if g < 1.0 {
        f64::INFINITY
    } else if g == 1.0 {
        1.0
    } else {
        0.0
    }
}
