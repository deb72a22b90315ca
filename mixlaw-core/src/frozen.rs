//! [`Frozen`]: a law with some of its parameters held at fixed values, so that only the
//! others are fitted.
//!
//! Published fits often re-fit part of a law with the rest taken from an earlier fit:
//! Muennighoff et al. (2023) fit only `RN, RD` of `data-constrained` with the Chinchilla
//! base `E, A, B, alpha, beta` frozen; one may refit `E` alone on a new data set, or fit
//! the mixture terms of a law with its `N, D` exponents pinned. `Frozen` wraps any [`Law`]
//! and is itself a `Law` whose parameters are the free ones only, so everything that takes
//! a law (objectives, the fitters of `mixlaw-fit`, predictions) works on it unchanged.
//! Every method a law may specialise is forwarded: its outputs and structure, the
//! all-outputs calls ([`Law::eval_outputs`], [`Law::grad_h_outputs`]: one inner solve for
//! all k outputs of a capacity law, gradients gathered into the free slots) with their
//! state and scratch, its masks and its recommended bounds (at the free slots).
//!
//! ```
//! use mixlaw_core::frozen::Frozen;
//! use mixlaw_core::laws::chinchilla::Chinchilla;
//! use mixlaw_core::{LawExt, Law, Point, Scales};
//!
//! //          E    A    B    alpha beta
//! let base = [1.8, 4.0, 1.0, 0.35, 0.45];
//! // Fit only E and beta; A, B, alpha stay at the values above.
//! let law = Frozen::<_, 5>::with_free_names(Chinchilla::new(), &base, &["E", "beta"])?;
//! assert_eq!(law.num_params(), 2);
//! assert_eq!(law.param_info(1).map(|p| p.name.base), Some("beta"));
//!
//! let point = Point::new(&[], 100.0, 20.0)?;
//! let free = [1.7, 0.4]; // E, beta
//! let mut full = [0.0; 5];
//! law.expand(&free, &mut full)?;
//! assert_eq!(full, [1.7, 4.0, 1.0, 0.35, 0.4]);
//! let direct = Chinchilla::new().value(&full, &point, Scales::default())?;
//! assert_eq!(law.value(&free, &point, Scales::default())?, direct);
//! # Ok::<(), mixlaw_core::Error>(())
//! ```
//!
//! # Parameter order
//!
//! The free parameters keep the wrapped law's order, with one exception: free parameters
//! without a sign constraint (such as `E`) come before the positive ones (fitted in log
//! space). In most laws the unconstrained parameters come first anyway, so the order is
//! usually unchanged. [`Frozen::inner_index`] maps a free parameter to its slot in the
//! wrapped law, [`Frozen::expand`] builds the wrapped law's full parameter vector, and
//! [`Law::param_info`] reports the wrapped law's names, constraints and start ranges.
//!
//! The reason is the [`Law::blocks`] contract: a law's layout is a `&'static` table, which
//! a run-time choice of free parameters cannot build. `Frozen` returns a sub-slice of a
//! static table of anonymous scalar blocks (all unconstrained ones, then all positive ones),
//! which carries the right constraint for every free slot; names come from
//! [`Law::param_info`], which `Frozen` overrides. Code that reads names from
//! [`Law::blocks`] directly sees the placeholder names `"free"` and `"positive"`.
//!
//! # Capacity
//!
//! The const parameter `P` is the capacity of the fixed-value vector: at least the wrapped
//! law's parameter count (`Frozen::<Chinchilla, 5>`, `Frozen::<DataConstrained, 7>`, or a
//! generous bound such as 64 for mixture laws whose count grows with k). Nothing is
//! allocated: the fixed values live in the struct, and each evaluation expands the free
//! parameters into a `[f64; P]` on the stack. At most [`MAX_FREE`] free parameters of each
//! kind (unconstrained, positive) are supported.

use crate::data::{Inputs, Row};
use crate::law::{Factor, Law, LawExt, OutputsGrad, Structure};
use crate::param::{Block, ParamInfo};
use crate::Error;

/// Largest number of free parameters of each kind (unconstrained, positive) a [`Frozen`]
/// law supports: enough to free every parameter of any law of the catalogue at
/// [`FROZEN_DOMAINS`] domains (`full` has six positive parameters per domain). The layout
/// table behind it is static (`2 * MAX_FREE` blocks, a few hundred KiB of read-only data
/// in a program that uses `Frozen`); beyond it [`Frozen::new`] reports an error.
pub const MAX_FREE: usize = 8 * FROZEN_DOMAINS;

/// The domains up to which every parameter of every catalogue law can be freed (see
/// [`MAX_FREE`]); freezing some of them raises the limit accordingly.
pub const FROZEN_DOMAINS: usize = 1024;

/// `MAX_FREE` unconstrained scalar blocks followed by `MAX_FREE` positive ones; a frozen
/// law's layout is the sub-slice around the middle.
static POOL: [Block; 2 * MAX_FREE] = pool();

// Evaluated at compile time only: an out-of-bounds index would fail the build, not panic.
#[allow(clippy::indexing_slicing)]
const fn pool() -> [Block; 2 * MAX_FREE] {
    let mut out = [Block::free("free", -1.0, 1.0); 2 * MAX_FREE];
    let mut i = MAX_FREE;
    while i < 2 * MAX_FREE {
        out[i] = Block::positive("positive", -1.0, 1.0);
        i += 1;
    }
    out
}

/// A law with some parameters frozen at fixed values; its own parameters are the free
/// ones (see the [module documentation](self) for their order).
///
/// `P` is the capacity of the fixed-value vector (at least the wrapped law's parameter
/// count). The wrapper's name is `"frozen"`; [`Frozen::inner`] gives the wrapped law.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Frozen<L, const P: usize> {
    inner: L,
    /// The wrapped law's full natural parameter vector (first `total` slots); free slots
    /// hold the values given at construction (see [`Frozen::start`]).
    values: [f64; P],
    /// Free parameter j sits at slot `slots[j]` of the wrapped law (first `free` entries).
    slots: [usize; P],
    /// Number of free parameters.
    free: usize,
    /// Number of free parameters without a sign constraint (they come first).
    free_unconstrained: usize,
    /// The wrapped law's parameter count.
    total: usize,
}

impl<L: Law, const P: usize> Frozen<L, P> {
    /// Wraps `inner` with the parameters where `free[i]` is false frozen at `values[i]`.
    ///
    /// `values` is a full natural parameter vector of `inner` (checked like any parameter
    /// vector); its entries at free slots are not used by the law, but are kept as a
    /// starting point ([`Frozen::start`]). Errors when `P` is below the wrapped law's
    /// parameter count, on wrong lengths, invalid values, or more than [`MAX_FREE`] free
    /// parameters of one kind.
    pub fn new(inner: L, values: &[f64], free: &[bool]) -> Result<Self, Error> {
        let total = inner.num_params();
        if total > P {
            return Err(Error::InvalidConfig {
                what: "Frozen: the capacity P is below the law's parameter count",
            });
        }
        if free.len() != total {
            return Err(Error::LengthMismatch {
                what: "free",
                expected: total,
                found: free.len(),
            });
        }
        inner.check_params(values)?;
        let mut out = Frozen {
            inner,
            values: [0.0; P],
            slots: [0; P],
            free: 0,
            free_unconstrained: 0,
            total,
        };
        for (dst, &v) in out.values.iter_mut().zip(values) {
            *dst = v;
        }
        // Unconstrained free parameters first, then positive ones, each in the law's order.
        for positive in [false, true] {
            let mut count = 0;
            for (i, _) in free.iter().enumerate().filter(|(_, &f)| f) {
                let is_positive = out.inner.param_info(i).is_some_and(|p| p.positive);
                if is_positive != positive {
                    continue;
                }
                if count == MAX_FREE {
                    return Err(Error::InvalidConfig {
                        what: "Frozen: more free parameters of one kind than MAX_FREE",
                    });
                }
                if let Some(s) = out.slots.get_mut(out.free) {
                    *s = i;
                }
                out.free += 1;
                count += 1;
            }
            if !positive {
                out.free_unconstrained = count;
            }
        }
        Ok(out)
    }

    /// As [`Frozen::new`], freeing the parameters named in `free` (names as in `laws.md`
    /// and [`Law::param_info`]: `"E"`, `"C[2]"`); every other parameter is frozen. Errors
    /// on a name the law does not have.
    pub fn with_free_names(inner: L, values: &[f64], free: &[&str]) -> Result<Self, Error> {
        let total = inner.num_params();
        if total > P {
            return Err(Error::InvalidConfig {
                what: "Frozen: the capacity P is below the law's parameter count",
            });
        }
        let mut mask = [false; P];
        for name in free {
            let slot =
                (0..total).find(|&i| inner.param_info(i).is_some_and(|p| p.name.matches(name)));
            match slot.and_then(|i| mask.get_mut(i)) {
                Some(m) => *m = true,
                None => {
                    return Err(Error::InvalidConfig {
                        what: "Frozen: no parameter of that name in the law",
                    })
                }
            }
        }
        Self::new(inner, values, mask.get(..total).unwrap_or(&[]))
    }

    /// The wrapped law.
    pub fn inner(&self) -> &L {
        &self.inner
    }

    /// The wrapped law's full parameter vector given at construction (frozen values, and
    /// the starting values of the free slots).
    pub fn values(&self) -> &[f64] {
        self.values.get(..self.total).unwrap_or(&[])
    }

    /// The slot in the wrapped law of free parameter `j`.
    pub fn inner_index(&self, j: usize) -> Option<usize> {
        self.free_slots().get(j).copied()
    }

    /// Whether slot `i` of the wrapped law is free.
    pub fn is_free(&self, i: usize) -> bool {
        self.free_slots().contains(&i)
    }

    /// The wrapped law's full natural parameter vector for free parameters `free`, into
    /// `out` (`inner().num_params()` long).
    pub fn expand(&self, free: &[f64], out: &mut [f64]) -> Result<(), Error> {
        self.check_len("free parameters", free.len(), self.free)?;
        self.check_len("out", out.len(), self.total)?;
        for (o, &v) in out.iter_mut().zip(&self.values) {
            *o = v;
        }
        self.scatter(free, out);
        Ok(())
    }

    /// The free parameters' values given at construction, in this law's order, into `out`
    /// (`num_params()` long): a natural starting point for a fit.
    pub fn start(&self, out: &mut [f64]) -> Result<(), Error> {
        self.check_len("out", out.len(), self.free)?;
        for (o, &i) in out.iter_mut().zip(self.free_slots()) {
            *o = self.values.get(i).copied().unwrap_or(0.0);
        }
        Ok(())
    }

    fn free_slots(&self) -> &[usize] {
        self.slots.get(..self.free).unwrap_or(&[])
    }

    fn check_len(&self, what: &'static str, found: usize, expected: usize) -> Result<(), Error> {
        if found == expected {
            Ok(())
        } else {
            Err(Error::LengthMismatch {
                what,
                expected,
                found,
            })
        }
    }

    /// Writes the free values into their slots of `full`.
    fn scatter(&self, free: &[f64], full: &mut [f64]) {
        for (&i, &v) in self.free_slots().iter().zip(free) {
            if let Some(f) = full.get_mut(i) {
                *f = v;
            }
        }
    }

    /// The full parameter vector (on the stack) for free parameters `free`.
    fn full(&self, free: &[f64]) -> [f64; P] {
        let mut full = self.values;
        self.scatter(free, &mut full);
        full
    }

    /// Adds the free slots of the full-length `full_grad` into `grad`.
    fn gather_add(&self, full_grad: &[f64], grad: &mut [f64]) {
        for (g, &i) in grad.iter_mut().zip(self.free_slots()) {
            *g += full_grad.get(i).copied().unwrap_or(0.0);
        }
    }
}

impl<L: Law, const P: usize> Law for Frozen<L, P> {
    fn name(&self) -> &'static str {
        "frozen"
    }

    fn domains(&self) -> usize {
        self.inner.domains()
    }

    /// Anonymous scalar blocks with the free parameters' constraints, unconstrained first
    /// (see the [module documentation](self)).
    fn blocks(&self) -> &'static [Block] {
        let lo = MAX_FREE.saturating_sub(self.free_unconstrained);
        let hi = MAX_FREE + (self.free - self.free_unconstrained);
        POOL.get(lo..hi).unwrap_or(&[])
    }

    fn inputs(&self) -> Inputs {
        self.inner.inputs()
    }

    fn outputs(&self) -> usize {
        self.inner.outputs()
    }

    fn structure(&self) -> Structure {
        self.inner.structure()
    }

    fn check_row(&self, row: &Row<'_>, index: usize) -> Result<(), Error> {
        self.inner.check_row(row, index)
    }

    /// The inner law's (the data and outputs are the same).
    fn entry_weights(
        &self,
        h: &[f64],
        y: &[f64],
        mask_below: f64,
        w: &mut [f64],
    ) -> Result<(), Error> {
        self.inner.entry_weights(h, y, mask_below, w)
    }

    fn eval_row(&self, params: &[f64], row: &Row<'_>, grad: Option<&mut [f64]>) -> f64 {
        let full = self.full(params);
        let full = full.get(..self.total).unwrap_or(&[]);
        match grad {
            None => self.inner.eval_row(full, row, None),
            Some(grad) => {
                let mut full_grad = [0.0; P];
                let fg = full_grad.get_mut(..self.total).unwrap_or(&mut []);
                let v = self.inner.eval_row(full, row, Some(&mut *fg));
                for (g, &i) in grad.iter_mut().zip(self.free_slots()) {
                    *g = fg.get(i).copied().unwrap_or(0.0);
                }
                v
            }
        }
    }

    /// The inner law's bounds of the free parameters (`bounds[j]` is the inner law's bound
    /// of slot [`Frozen::inner_index`]`(j)`).
    fn recommended_bounds(
        &self,
        y: &[f64],
        w: &[f64],
        bounds: &mut [(f64, f64)],
    ) -> Result<bool, Error> {
        self.check_len("bounds", bounds.len(), self.free)?;
        let mut full = [(f64::NEG_INFINITY, f64::INFINITY); P];
        let full = full.get_mut(..self.total).unwrap_or(&mut []);
        if !self.inner.recommended_bounds(y, w, full)? {
            return Ok(false);
        }
        for (b, &i) in bounds.iter_mut().zip(self.free_slots()) {
            if let Some(&f) = full.get(i) {
                *b = f;
            }
        }
        Ok(true)
    }

    fn grad_h_row(&self, params: &[f64], row: &Row<'_>, grad_h: &mut [f64]) -> f64 {
        let full = self.full(params);
        self.inner
            .grad_h_row(full.get(..self.total).unwrap_or(&[]), row, grad_h)
    }

    /// The inner law's (one inner solve for all outputs of a capacity law), its gradient
    /// gathered into the free slots.
    fn eval_outputs(
        &self,
        params: &[f64],
        row: &Row<'_>,
        values: &mut [f64],
        grad: OutputsGrad<'_>,
        state: &mut [f64],
        scratch: &mut [f64],
    ) {
        let full = self.full(params);
        let full = full.get(..self.total).unwrap_or(&[]);
        match grad {
            None => self
                .inner
                .eval_outputs(full, row, values, None, state, scratch),
            Some((grad, cotangent)) => {
                let mut full_grad = [0.0; P];
                let fg = full_grad.get_mut(..self.total).unwrap_or(&mut []);
                let mut cot = |v: &[f64], c: &mut [f64]| cotangent(v, c);
                let inner_grad: OutputsGrad<'_> = Some((&mut *fg, &mut cot));
                self.inner
                    .eval_outputs(full, row, values, inner_grad, state, scratch);
                self.gather_add(fg, grad);
            }
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
        let full = self.full(params);
        let full = full.get(..self.total).unwrap_or(&[]);
        self.inner
            .grad_h_outputs(full, row, weights, grad_h, scratch)
    }

    fn state_len(&self) -> usize {
        self.inner.state_len()
    }

    /// The inner law's (its default, parameters plus outputs, counts the inner law's
    /// parameters, at least the free ones).
    fn outputs_scratch_len(&self) -> usize {
        self.inner.outputs_scratch_len()
    }

    fn grad_h_scratch_len(&self) -> usize {
        self.inner.grad_h_scratch_len()
    }

    fn separable_terms(&self) -> usize {
        self.inner.separable_terms()
    }

    fn factors(
        &self,
        params: &[f64],
        factor: Factor,
        row: &Row<'_>,
        out: &mut [f64],
        cache: &mut [f64],
    ) {
        let full = self.full(params);
        self.inner.factors(
            full.get(..self.total).unwrap_or(&[]),
            factor,
            row,
            out,
            cache,
        );
    }

    fn factors_cache_len(&self, factor: Factor) -> usize {
        self.inner.factors_cache_len(factor)
    }

    fn unit_factors(&self, factor: Factor) -> u32 {
        self.inner.unit_factors(factor)
    }

    fn factors_vjp(
        &self,
        params: &[f64],
        factor: Factor,
        row: &Row<'_>,
        weights: &[f64],
        cache: &[f64],
        grad: &mut [f64],
        _scratch: &mut [f64],
    ) {
        let full = self.full(params);
        let mut full_grad = [0.0; P];
        let mut scratch = [0.0; P];
        let fg = full_grad.get_mut(..self.total).unwrap_or(&mut []);
        self.inner.factors_vjp(
            full.get(..self.total).unwrap_or(&[]),
            factor,
            row,
            weights,
            cache,
            &mut *fg,
            scratch.get_mut(..self.total).unwrap_or(&mut []),
        );
        self.gather_add(fg, grad);
    }

    fn num_params(&self) -> usize {
        self.free
    }

    /// The wrapped law's name, constraint and start range of free parameter `i`.
    fn param_info(&self, i: usize) -> Option<ParamInfo> {
        self.inner_index(i).and_then(|s| self.inner.param_info(s))
    }
}
