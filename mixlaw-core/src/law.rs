//! The [`Law`] trait: one loss law L(N, D, h; params) with exact gradients.

use crate::data::{Inputs, Point, Row, Scales};
use crate::param::{self, Block, ParamInfo};
use crate::real::Real;
use crate::Error;

/// A data-mixture scaling law: the trait a law *implements* (as `rand`'s `RngCore`).
///
/// Implementors provide the formula and its exact partial derivatives in the *natural*
/// parameters and in h, and declare their structure: the parameter layout
/// ([`Law::blocks`], which also marks the parameters that enter linearly), the inputs they
/// read ([`Law::inputs`]), how many losses they predict per run ([`Law::outputs`]) and
/// whether N and D are in raw units ([`Law::structure`]). Everything derived from that
/// (counts, names, log-space transforms, validation, evaluation at a point) lives in the
/// extension trait [`LawExt`], implemented for every law (as `rand`'s `Rng`); the fitting
/// objective, predictions, bootstrap, cross-validation and the mixture optimiser work on
/// any `Law`, built in or user-defined.
///
/// Contract of the required methods, which receive validated inputs only:
/// `params.len() == num_params()`, `row.h.len() == self.domains()`, `row.output <
/// self.outputs()`, and every gradient slice has the matching length. [`Law::eval_row`]
/// writes *every* slot of `grad` (it overwrites; it does not accumulate).
pub trait Law {
    /// The law's public name, as in `laws.md` (`"additive"`).
    fn name(&self) -> &'static str;

    /// Number of training domains k this instance is built for.
    fn domains(&self) -> usize;

    /// The parameter layout, in `laws.md` order.
    fn blocks(&self) -> &'static [Block];

    /// Which inputs the law reads.
    fn inputs(&self) -> Inputs;

    /// How many losses the law predicts per run: 1 for most laws; k for a law that
    /// predicts every domain's loss at once (the capacity laws). Data sets for such a law
    /// hold `outputs()` observed losses per run, and [`Row::output`] says which is asked.
    fn outputs(&self) -> usize {
        1
    }

    /// Number of parameters for this instance's k (derived from [`Law::blocks`]; a
    /// wrapper law such as [`crate::frozen::Frozen`] overrides it with
    /// [`Law::param_info`]).
    fn num_params(&self) -> usize {
        param::count(self.blocks(), self.domains())
    }

    /// Name, constraint, linearity and start range of parameter `i`.
    fn param_info(&self, i: usize) -> Option<ParamInfo> {
        param::info(self.blocks(), self.domains(), i)
    }

    /// Structural facts the fitter and the program use instead of the law's name.
    fn structure(&self) -> Structure {
        Structure::default()
    }

    /// Law-specific checks of one entry beyond the generic ones (e.g. `bimix` needs
    /// h_t > 0): an error means the law is undefined for output `row.output` at this row.
    fn check_row(&self, _row: &Row<'_>, _index: usize) -> Result<(), Error> {
        Ok(())
    }

    /// Output `row.output` of the law at `row`; with `grad`, also its derivative in every
    /// natural parameter.
    fn eval_row(&self, params: &[f64], row: &Row<'_>, grad: Option<&mut [f64]>) -> f64;

    /// Output `row.output` at `row`, and its derivative in every h_i into `grad_h`
    /// (ambient partial derivatives: h is not renormalised). Where h_i = 0 under an
    /// exponent below 1 the entry is infinite; [`LawExt::grad_h`] turns that into
    /// [`Error::InfiniteGradient`].
    fn grad_h_row(&self, params: &[f64], row: &Row<'_>, grad_h: &mut [f64]) -> f64;

    /// Every output at `row` at once, the objective's path (`row.output` is ignored).
    ///
    /// Writes the [`Law::outputs`] values into `values`. With `grad = Some((grad,
    /// cotangent))`, calls `cotangent(values, c)` once to choose a weight `c_j` per
    /// output and **adds** `sum_j c_j dL_j/dp` (natural parameters) to `grad`.
    /// `state` holds this row's [`Law::state_len`] warm-start values: any content is
    /// valid (a law reads them as hints only); a law may update them. `scratch` has
    /// [`Law::outputs_scratch_len`] elements.
    ///
    /// The default calls [`Law::eval_row`] per output; a law whose outputs share work (an
    /// inner solve) overrides it, and must agree with the default to rounding.
    fn eval_outputs(
        &self,
        params: &[f64],
        row: &Row<'_>,
        values: &mut [f64],
        grad: OutputsGrad<'_>,
        state: &mut [f64],
        scratch: &mut [f64],
    ) {
        let _ = state;
        let p = params.len();
        let (row_grad, cot) = scratch.split_at_mut(p.min(scratch.len()));
        let single = values.len() == 1;
        for (j, v) in values.iter_mut().enumerate() {
            let r = Row { output: j, ..*row };
            // One output: its gradient now, so that one evaluation serves both.
            *v = if single && grad.is_some() {
                self.eval_row(params, &r, Some(&mut *row_grad))
            } else {
                self.eval_row(params, &r, None)
            };
        }
        let Some((grad, cotangent)) = grad else {
            return;
        };
        let cot = cot.get_mut(..values.len()).unwrap_or(&mut []);
        cotangent(values, cot);
        for (j, &c) in cot.iter().enumerate() {
            if c == 0.0 {
                continue;
            }
            if !single {
                self.eval_row(params, &Row { output: j, ..*row }, Some(&mut *row_grad));
            }
            for (g, &r) in grad.iter_mut().zip(row_grad.iter()) {
                *g += c * r;
            }
        }
    }

    /// `F = sum_j w_j L_j` at `row` and `dF/dh_i` into `grad_h` (overwritten): the
    /// mixture optimiser's objective for a law with several outputs (`w = [1]` for one).
    /// `scratch` has [`Law::grad_h_scratch_len`] elements. The default calls
    /// [`Law::grad_h_row`] per output with a non-zero weight.
    fn grad_h_outputs(
        &self,
        params: &[f64],
        row: &Row<'_>,
        weights: &[f64],
        grad_h: &mut [f64],
        scratch: &mut [f64],
    ) -> f64 {
        grad_h.iter_mut().for_each(|g| *g = 0.0);
        let mut value = 0.0;
        for (j, &w) in weights.iter().enumerate() {
            if w == 0.0 {
                continue;
            }
            let r = Row { output: j, ..*row };
            value += w * self.grad_h_row(params, &r, scratch);
            for (g, &s) in grad_h.iter_mut().zip(scratch.iter()) {
                *g += w * s;
            }
        }
        value
    }

    /// Weights of observed losses for a fit: `y` holds `rows * outputs()` losses (row-major,
    /// NaN where a loss was not observed), `h` the `rows * domains()` mixtures; writes into
    /// `w` (as `y`) 1 for an entry to fit and 0 for one that is unobserved or where the law
    /// is undefined. With `mask_below = T > 0`, a law whose outputs are its domains' losses
    /// also masks the entries of domains weighted below `T` (other laws ignore `T`). The
    /// result is a [`crate::Dataset::with_entry_weights`] argument.
    ///
    /// Default: `w = 1` where `y` is finite, else 0.
    fn entry_weights(
        &self,
        h: &[f64],
        y: &[f64],
        mask_below: f64,
        w: &mut [f64],
    ) -> Result<(), Error> {
        let _ = (h, mask_below);
        param::check_len("entry weights", w, y.len())?;
        for (wi, yi) in w.iter_mut().zip(y) {
            *wi = if yi.is_finite() { 1.0 } else { 0.0 };
        }
        Ok(())
    }

    /// The parameter bounds the law recommends for a fit to the observed losses `y`
    /// (`rows * outputs()`) weighted by `w` (from [`Law::entry_weights`]): writes one
    /// `(lo, hi)` per parameter into `bounds` (natural units, an infinite side open; for
    /// [`crate::Objective::with_bounds`]) and returns true, or returns false and leaves
    /// `bounds` as is when it recommends none (the default: most laws are identified
    /// without bounds).
    fn recommended_bounds(
        &self,
        y: &[f64],
        w: &[f64],
        bounds: &mut [(f64, f64)],
    ) -> Result<bool, Error> {
        let _ = (y, w, bounds);
        Ok(false)
    }

    /// Number of warm-start values the law keeps per row (see [`Law::eval_outputs`]).
    fn state_len(&self) -> usize {
        0
    }

    /// Scratch length [`Law::eval_outputs`] needs: parameters plus outputs.
    fn outputs_scratch_len(&self) -> usize {
        self.num_params() + self.outputs()
    }

    /// Scratch length [`Law::grad_h_outputs`] needs: the domains (one output's h-gradient).
    fn grad_h_scratch_len(&self) -> usize {
        self.domains()
    }

    /// Number of terms T of the law's separable form
    /// `L = sum_t F_t(h) G_t(N) K_t(D)` (see [`Factor`]), or 0 when it has none.
    ///
    /// Data sets of training runs are grids (a few mixtures, model sizes and checkpoints),
    /// so a separable law is evaluated once per distinct h, N and D rather than per row
    /// (see [`crate::Groups`]). The default covers laws with one output that read only h
    /// (T = 1, `F_0 = L`); laws of N or D override it with their own factors.
    fn separable_terms(&self) -> usize {
        let i = self.inputs();
        if i.n || i.d || i.u || self.outputs() != 1 {
            0
        } else {
            1
        }
    }

    /// The T factors of one input (`F_t(h)`, `G_t(N)` or `K_t(D)`) at `row` into `out`.
    /// Only the input named by `factor` is read from `row`. `cache` has
    /// [`Law::factors_cache_len`] elements, for values [`Law::factors_vjp`] at the same
    /// parameters and input can reuse.
    fn factors(
        &self,
        params: &[f64],
        factor: Factor,
        row: &Row<'_>,
        out: &mut [f64],
        cache: &mut [f64],
    ) {
        let _ = cache;
        let value = match factor {
            Factor::Mixture => self.eval_row(params, row, None),
            Factor::Model | Factor::Tokens => 1.0,
        };
        out.iter_mut().for_each(|o| *o = 1.0);
        if let Some(o) = out.first_mut() {
            *o = value;
        }
    }

    /// The factors of one input that are the constant 1 for every input and parameter
    /// value: bit `t` set when `F_t(h) = 1` (`factor` = [`Factor::Mixture`]), `G_t(N) = 1`
    /// ([`Factor::Model`]) or `K_t(D) = 1` ([`Factor::Tokens`]). [`Law::factors`] writes
    /// exactly 1.0 there, and [`Law::factors_vjp`] never reads their weights (their
    /// derivative is 0), which evaluation by groups then leaves unspecified: it neither
    /// multiplies by these factors (`x 1` is exact) nor sums their weights. `additive`
    /// (`F = (E, 1/sum C h^gamma, 1, 1)`, `G = (1, 1, A N^-alpha, 1)`, `K = (1, 1, 1,
    /// B D^-beta)`) declares `0b1100`, `0b1011` and `0b0111`. Default: none (0).
    fn unit_factors(&self, factor: Factor) -> u32 {
        let _ = factor;
        0
    }

    /// Number of values [`Law::factors`] keeps per distinct input of `factor` for
    /// [`Law::factors_vjp`], which evaluation by groups calls at the same parameters (e.g.
    /// `additive`'s mixture powers `h_i^gamma_i`: k exponentials per mixture computed once,
    /// not twice). Default: 0.
    fn factors_cache_len(&self, factor: Factor) -> usize {
        let _ = factor;
        0
    }

    /// Where the law is `L = E + 1/(sum_i C_i h_i^gamma_i) [+ A N^-alpha] [+ B D^-beta]`
    /// (Shukor et al. 2025's additive family), the indices of those parameters: the fitter
    /// then builds a start from the data in closed form (`mixlaw_fit::informed`) instead
    /// of drawing it at random. Default: `None` (no such form).
    fn inverse_mixture_form(&self) -> Option<InverseMixtureForm> {
        None
    }

    /// Adds `sum_t weights_t dF_t/dp` (for the factor named) to `grad`, in natural
    /// parameters. `cache` holds what [`Law::factors`] kept for this input at these
    /// parameters. `scratch` has `num_params()` elements (the default uses it for a row
    /// gradient).
    #[allow(clippy::too_many_arguments)]
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
        let _ = cache;
        if let (Factor::Mixture, Some(&w)) = (factor, weights.first()) {
            self.eval_row(params, row, Some(&mut *scratch));
            for (g, s) in grad.iter_mut().zip(scratch.iter()) {
                *g += w * s;
            }
        }
    }
}

/// The gradient request of [`Law::eval_outputs`]: the gradient to add to, and the rule
/// `cotangent(values, c)` that chooses each output's weight `c_j` from the values.
pub type OutputsGrad<'a> = Option<(&'a mut [f64], &'a mut dyn FnMut(&[f64], &mut [f64]))>;

/// Structural facts a law declares (see [`Law::structure`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Structure {
    /// N and D enter in raw units (the parameters were published for unscaled inputs,
    /// e.g. `data-constrained`): automatic scales are 1.
    pub raw_units: bool,
}

impl Structure {
    /// A law whose N and D are in raw units.
    pub const fn raw_units() -> Self {
        Structure { raw_units: true }
    }
}

/// Everything derived from a [`Law`]'s declarations, for every law (as `rand`'s `Rng`
/// over `RngCore`): counts, names, transforms, validation, and evaluation at one point.
pub trait LawExt: Law {
    /// Index of the parameter called `name` (`"E"`, `"C[2]"`).
    fn param_index(&self, name: &str) -> Option<usize> {
        (0..self.num_params()).find(|&i| self.param_info(i).is_some_and(|p| p.name.matches(name)))
    }

    /// Sets the bound `(lo, hi)` (natural units; an infinite side is open) of every
    /// parameter matching `pattern` (`"E"`, `"C[2]"`, or `"C[*]"` for a whole block) in
    /// `bounds` (one pair per parameter, for [`crate::Objective::with_bounds`]); returns
    /// how many matched. No match is [`Error::UnknownParameter`]; an empty interval or a
    /// NaN is [`Error::InvalidBound`].
    fn set_bound(
        &self,
        pattern: &str,
        lo: f64,
        hi: f64,
        bounds: &mut [(f64, f64)],
    ) -> Result<usize, Error> {
        param::check_len_of("bounds", bounds.len(), self.num_params())?;
        let mut matched = 0;
        for (i, b) in bounds.iter_mut().enumerate() {
            if self
                .param_info(i)
                .is_some_and(|p| p.name.matches_pattern(pattern))
            {
                if lo.is_nan() || hi.is_nan() || lo >= hi {
                    return Err(Error::InvalidBound { index: i });
                }
                *b = (lo, hi);
                matched += 1;
            }
        }
        if matched == 0 {
            return Err(Error::UnknownParameter);
        }
        Ok(matched)
    }

    /// True when every parameter enters linearly: the law is fitted in closed form
    /// (weighted least squares) rather than by a search.
    fn is_linear(&self) -> bool {
        (0..self.num_params()).all(|i| self.param_info(i).is_some_and(|p| p.linear))
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

    /// The law's value at one point (raw units, divided by `scales`); for a law with
    /// several outputs, output 0 (see [`LawExt::values`]).
    fn value<const K: usize>(
        &self,
        params: &[f64],
        point: &Point<K>,
        scales: Scales,
    ) -> Result<f64, Error> {
        let row = self.checked_row(params, point, scales)?;
        finite(self.eval_row(params, &row, None), 0)
    }

    /// Every output at one point into `out` (`outputs()` values). An output the law
    /// declares undefined there ([`Law::check_row`] fails for it, e.g. a capacity law's
    /// noise term at h_i = 0) is `+inf`; any other non-finite value is an error.
    fn values<const K: usize>(
        &self,
        params: &[f64],
        point: &Point<K>,
        scales: Scales,
        out: &mut [f64],
    ) -> Result<(), Error> {
        let row = self.checked_row_any(params, point, scales)?;
        param::check_len("out", out, self.outputs())?;
        // Without a gradient the default needs no scratch; a law's state is a hint.
        let mut state = [f64::NAN; 4];
        let state_len = self.state_len().min(state.len());
        self.eval_outputs(
            params,
            &row,
            out,
            None,
            state.get_mut(..state_len).unwrap_or(&mut []),
            &mut [],
        );
        finite_outputs(self, &row, out, 0)
    }

    /// Value and gradient in the *unconstrained* coordinates at one point (output 0).
    fn value_grad<const K: usize>(
        &self,
        params: &[f64],
        point: &Point<K>,
        scales: Scales,
        grad: &mut [f64],
    ) -> Result<f64, Error> {
        let row = self.checked_row(params, point, scales)?;
        param::check_len("grad", grad, params.len())?;
        let v = finite(self.eval_row(params, &row, Some(&mut *grad)), 0)?;
        param::chain_to_unconstrained(self.blocks(), self.domains(), params, grad);
        Ok(v)
    }

    /// Value and gradient in h at one point (output 0; [`LawExt::weighted_grad_h`] for
    /// a weighted sum of outputs).
    fn grad_h<const K: usize>(
        &self,
        params: &[f64],
        point: &Point<K>,
        scales: Scales,
        grad_h: &mut [f64],
    ) -> Result<f64, Error> {
        let row = self.checked_row(params, point, scales)?;
        param::check_len("grad_h", grad_h, self.domains())?;
        let v = finite(self.grad_h_row(params, &row, grad_h), 0)?;
        check_grad_h(grad_h)?;
        Ok(v)
    }

    /// `F = sum_j w_j L_j` at one point and `dF/dh` into `grad_h` (see
    /// [`Law::grad_h_outputs`]); `weights` has `outputs()` entries.
    fn weighted_grad_h<const K: usize>(
        &self,
        params: &[f64],
        point: &Point<K>,
        scales: Scales,
        weights: &[f64],
        grad_h: &mut [f64],
    ) -> Result<f64, Error> {
        let row = self.checked_row_any(params, point, scales)?;
        param::check_len("grad_h", grad_h, self.domains())?;
        param::check_len("weights", weights, self.outputs())?;
        // A point of capacity K holds the scratch of a law of up to K domains.
        let mut scratch = [[0.0; K]; GRAD_H_SCRATCH_PER_DOMAIN];
        let scratch = scratch.as_flattened_mut();
        let (needed, found) = (self.grad_h_scratch_len(), scratch.len());
        let Some(scratch) = scratch.get_mut(..needed) else {
            return Err(Error::BufferTooSmall { needed, found });
        };
        let v = self.grad_h_outputs(params, &row, weights, grad_h, scratch);
        finite(v, 0)?;
        check_grad_h(grad_h)?;
        Ok(v)
    }

    /// Validates parameters and a point for this law and returns the row to evaluate
    /// (output 0, which must be defined there).
    fn checked_row<'p, const K: usize>(
        &self,
        params: &[f64],
        point: &'p Point<K>,
        scales: Scales,
    ) -> Result<Row<'p>, Error> {
        let row = self.checked_row_any(params, point, scales)?;
        self.check_row(&row, 0)?;
        Ok(row)
    }

    /// As [`LawExt::checked_row`], without the per-output check.
    fn checked_row_any<'p, const K: usize>(
        &self,
        params: &[f64],
        point: &'p Point<K>,
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
        Ok(point.row(scales))
    }
}

impl<L: Law + ?Sized> LawExt for L {}

/// Scratch entries per domain that a law's [`Law::grad_h_scratch_len`] may ask for: the
/// stack scratch of an evaluation at a point of capacity `K` (and of the optimiser's
/// `LawAt<_, K>`) holds this many times `K` entries (a capacity law needs
/// [`crate::capacity::WORK_PER_DOMAIN`]).
pub const GRAD_H_SCRATCH_PER_DOMAIN: usize = 8;

/// `Ok` when every h-gradient entry is finite, else [`Error::InfiniteGradient`].
fn check_grad_h(grad_h: &[f64]) -> Result<(), Error> {
    match grad_h.iter().position(|g| !g.is_finite()) {
        Some(i) => Err(Error::InfiniteGradient { domain: i }),
        None => Ok(()),
    }
}

/// Checks the outputs of one row: `+inf` is kept where the law declares the output
/// undefined ([`Law::check_row`] fails), any other non-finite value is
/// [`Error::NonFiniteValue`] naming `index`.
pub(crate) fn finite_outputs<L: Law + ?Sized>(
    law: &L,
    row: &Row<'_>,
    out: &[f64],
    index: usize,
) -> Result<(), Error> {
    // A row on which no output is defined is bad input (e.g. a capacity law's N / n_scale
    // below the normal floats), not a row of undefined outputs.
    let mut all_undefined = None;
    for j in 0..out.len() {
        match law.check_row(&Row { output: j, ..*row }, index) {
            Ok(()) => {
                all_undefined = None;
                break;
            }
            Err(e) => {
                all_undefined.get_or_insert(e);
            }
        }
    }
    if let Some(e) = all_undefined {
        return Err(e);
    }
    for (j, &v) in out.iter().enumerate() {
        if v.is_finite() {
            continue;
        }
        let undefined = law.check_row(&Row { output: j, ..*row }, index).is_err();
        if !(undefined && v == f64::INFINITY) {
            return Err(Error::NonFiniteValue { row: index });
        }
    }
    Ok(())
}

/// The parameter indices of a law `L = E + 1/(sum_i C_i h_i^gamma_i) [+ A N^-alpha]
/// [+ B D^-beta]` (see [`Law::inverse_mixture_form`]), natural parameters, k domains.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct InverseMixtureForm {
    /// Index of E.
    pub e: usize,
    /// Indices of A and alpha when the law has the term `A N^-alpha`.
    pub model: Option<(usize, usize)>,
    /// Indices of B and beta when the law has the term `B D^-beta`.
    pub tokens: Option<(usize, usize)>,
    /// Index of C_0 (C_i at `c + i`).
    pub c: usize,
    /// Index of gamma_0 (gamma_i at `gamma + i`).
    pub gamma: usize,
}

impl InverseMixtureForm {
    /// The form `E + 1/(sum_i C_i h_i^gamma_i)` with E at `e`, C_i at `c + i`, gamma_i at
    /// `gamma + i`; add the other terms with [`InverseMixtureForm::with_model`] and
    /// [`InverseMixtureForm::with_tokens`].
    pub const fn new(e: usize, c: usize, gamma: usize) -> Self {
        InverseMixtureForm {
            e,
            model: None,
            tokens: None,
            c,
            gamma,
        }
    }

    /// With the term `A N^-alpha` (A at `a`, alpha at `alpha`).
    pub const fn with_model(mut self, a: usize, alpha: usize) -> Self {
        self.model = Some((a, alpha));
        self
    }

    /// With the term `B D^-beta` (B at `b`, beta at `beta`).
    pub const fn with_tokens(mut self, b: usize, beta: usize) -> Self {
        self.tokens = Some((b, beta));
        self
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
pub fn pow_ln<T: Real>(x: T, ln_x: T, g: T) -> T {
    if x > T::ZERO {
        (g * ln_x).exp()
    } else if g > T::ZERO {
        T::ZERO
    } else if g == T::ZERO {
        T::ONE
    } else {
        T::INFINITY
    }
}

/// `x^g ln x` with the convention `0 ln 0 = 0` (for `g > 0`).
#[inline]
pub fn pow_ln_times_ln<T: Real>(pow: T, x: T, ln_x: T) -> T {
    if x > T::ZERO {
        pow * ln_x
    } else {
        T::ZERO
    }
}

/// `d/dx x^g = g x^(g-1)` for `x >= 0`; at `x = 0`: infinite for `g < 1`, 1 for `g = 1`,
/// 0 for `g > 1` (callers turn an infinite value into [`Error::InfiniteGradient`]).
#[inline]
pub fn dpow<T: Real>(x: T, ln_x: T, g: T) -> T {
    if x > T::ZERO {
        g * ((g - T::ONE) * ln_x).exp()
    } else if g < T::ONE {
        T::INFINITY
    } else if g == T::ONE {
        T::ONE
    } else {
        T::ZERO
    }
}
