//! `full`: L = E + 1/(sum_i C_i h_i^gamma_i) + A^h N^-alpha^h + B^h D^-beta^h with
//! A^h = (sum_i CA_i h_i)^gammaA, B^h = (sum_i CB_i h_i)^gammaB,
//! alpha^h = (sum_i Calpha_i h_i)^gammaalpha, beta^h = (sum_i Cbeta_i h_i)^gammabeta
//! (Shukor et al. 2025, eq 6.2-6.3).

use crate::data::{Inputs, Row};
use crate::law::Law;
use crate::laws::check_domains;
use crate::laws::terms::{
    decay, inverse_mixture, inverse_mixture_grad, inverse_mixture_grad_h, linear_power,
    linear_power_grad, linear_power_grad_h,
};
use crate::param::{Block, Reader, Writer};
use crate::real::{Real, RealLaw, RowOf};
use crate::Error;

/// The full law of Shukor et al.: [`joint`](crate::laws::joint) with mixture-dependent
/// exponents; parameters `E, C[i], gamma[i], CA[i], gammaA, CB[i], gammaB, Calpha[i],
/// gammaalpha, Cbeta[i], gammabeta` (5 + 6k). `E`, `gammaalpha` and `gammabeta` have no
/// sign constraint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Full {
    k: usize,
}

impl Full {
    /// The law for `k >= 1` domains.
    pub fn new(k: usize) -> Result<Self, Error> {
        check_domains(k, 1)?;
        Ok(Full { k })
    }
}

/// Parameter layout of [`Full`]. At the starts `ln(sum_i Calpha_i h_i)` lies in
/// `-2.5 .. -0.25` and `gammaalpha` in `0.25 .. 1.25`, so `alpha^h` (likewise `beta^h`)
/// lies in about `0.04 .. 0.94`; `gammaalpha = 1` (linear in h) is inside the range.
pub const BLOCKS: &[Block] = &[
    Block::free("E", 0.5, 3.0).linear(),
    Block::positive_each("C", -2.0, 3.0),
    Block::positive_each("gamma", -3.0, 0.5),
    Block::positive_each("CA", -3.0, 3.0),
    Block::positive("gammaA", -2.0, 0.5),
    Block::positive_each("CB", -3.0, 3.0),
    Block::positive("gammaB", -2.0, 0.5),
    Block::positive_each("Calpha", -2.5, -0.25),
    Block::free("gammaalpha", 0.25, 1.25),
    Block::positive_each("Cbeta", -2.5, -0.25),
    Block::free("gammabeta", 0.25, 1.25),
];

/// One scale term `(sum_i cs_i h_i)^gs x^-((sum_i ce_i h_i)^ge)`: `A^h N^-alpha^h` or
/// `B^h D^-beta^h`.
#[derive(Clone, Copy)]
struct Term<'a, T = f64> {
    /// Coefficient weights (`CA` or `CB`).
    cs: &'a [T],
    /// Coefficient power (`gammaA` or `gammaB`).
    gs: T,
    /// Exponent weights (`Calpha` or `Cbeta`).
    ce: &'a [T],
    /// Exponent power (`gammaalpha` or `gammabeta`).
    ge: T,
}

impl<T: Real> Term<'_, T> {
    /// `x^-(exponent)` for this term at `h`.
    fn x_pow(&self, h: &[T], ln_x: T) -> T {
        decay(T::ONE, linear_power(self.ce, self.ge, h).0, ln_x)
    }

    /// The term's value.
    fn value(&self, h: &[T], ln_x: T) -> T {
        linear_power(self.cs, self.gs, h).0 * self.x_pow(h, ln_x)
    }

    /// The term's value, adding its derivative in each `h_i` to `grad_h`.
    fn grad_h(&self, h: &[T], ln_x: T, grad_h: &mut [T]) -> T {
        let x_pow = self.x_pow(h, ln_x);
        let t = linear_power_grad_h(self.cs, self.gs, h, x_pow, grad_h) * x_pow;
        linear_power_grad_h(self.ce, self.ge, h, -t * ln_x, grad_h);
        t
    }
}

impl Term<'_> {
    /// The term's value `t`; writes `dt/dcs_i` into `dcs` and `dt/dce_i` into `dce`, and
    /// returns `(t, dt/dgs, dt/dge)`. Through the exponent, `dt/d(exponent) = -t ln x`.
    fn grad(&self, h: &[f64], ln_x: f64, dcs: &mut [f64], dce: &mut [f64]) -> (f64, f64, f64) {
        let x_pow = self.x_pow(h, ln_x);
        let (coef, dgs) = linear_power_grad(self.cs, self.gs, h, x_pow, dcs);
        let t = coef * x_pow;
        let (_, dge) = linear_power_grad(self.ce, self.ge, h, -t * ln_x, dce);
        (t, dgs, dge)
    }
}

struct Params<'a, T> {
    e: T,
    c: &'a [T],
    gamma: &'a [T],
    n_term: Term<'a, T>,
    d_term: Term<'a, T>,
}

impl Full {
    fn read<'a, T: Real>(&self, params: &'a [T]) -> Params<'a, T> {
        let mut p = Reader::new(params);
        let (e, c, gamma) = (p.scalar(), p.each(self.k), p.each(self.k));
        let (ca, gamma_a) = (p.each(self.k), p.scalar());
        let (cb, gamma_b) = (p.each(self.k), p.scalar());
        let (calpha, gamma_alpha) = (p.each(self.k), p.scalar());
        let (cbeta, gamma_beta) = (p.each(self.k), p.scalar());
        Params {
            e,
            c,
            gamma,
            n_term: Term {
                cs: ca,
                gs: gamma_a,
                ce: calpha,
                ge: gamma_alpha,
            },
            d_term: Term {
                cs: cb,
                gs: gamma_b,
                ce: cbeta,
                ge: gamma_beta,
            },
        }
    }
}

/// Writes `v` into a one-slot block obtained from [`Writer::each`].
fn set(slot: &mut [f64], v: f64) {
    slot.iter_mut().for_each(|x| *x = v);
}

impl Law for Full {
    fn name(&self) -> &'static str {
        "full"
    }
    fn domains(&self) -> usize {
        self.k
    }
    fn blocks(&self) -> &'static [Block] {
        BLOCKS
    }
    fn inputs(&self) -> Inputs {
        Inputs {
            h: true,
            n: true,
            d: true,
            u: false,
        }
    }
    fn eval_row(&self, params: &[f64], row: &Row<'_>, grad: Option<&mut [f64]>) -> f64 {
        let p = self.read(params);
        match grad {
            None => self.value_of(params, &row.into()),
            Some(grad) => {
                let k = self.k;
                let mut g = Writer::new(grad);
                g.scalar(1.0);
                let (dc, dgamma) = (g.each(k), g.each(k));
                let mix = inverse_mixture_grad(p.c, p.gamma, row.h, row.ln_h, 1.0, dc, dgamma);
                let (dca, dgamma_a) = (g.each(k), g.each(1));
                let (dcb, dgamma_b) = (g.each(k), g.each(1));
                let (dcalpha, dgamma_alpha) = (g.each(k), g.each(1));
                let (dcbeta, dgamma_beta) = (g.each(k), g.each(1));
                let (tn, ga, galpha) = p.n_term.grad(row.h, row.ln_n, dca, dcalpha);
                let (td, gb, gbeta) = p.d_term.grad(row.h, row.ln_d, dcb, dcbeta);
                set(dgamma_a, ga);
                set(dgamma_b, gb);
                set(dgamma_alpha, galpha);
                set(dgamma_beta, gbeta);
                p.e + mix + tn + td
            }
        }
    }
    fn grad_h_row(&self, params: &[f64], row: &Row<'_>, grad_h: &mut [f64]) -> f64 {
        self.grad_h_of(params, &row.into(), grad_h)
    }
}

impl RealLaw for Full {
    fn value_of<T: Real>(&self, params: &[T], row: &RowOf<'_, T>) -> T {
        let p = self.read(params);
        p.e + inverse_mixture(p.c, p.gamma, row.h, row.ln_h)
            + p.n_term.value(row.h, row.ln_n)
            + p.d_term.value(row.h, row.ln_d)
    }
    fn grad_h_of<T: Real>(&self, params: &[T], row: &RowOf<'_, T>, grad_h: &mut [T]) -> T {
        let p = self.read(params);
        grad_h.iter_mut().for_each(|g| *g = T::ZERO);
        let mix = inverse_mixture_grad_h(p.c, p.gamma, row.h, row.ln_h, grad_h);
        let tn = p.n_term.grad_h(row.h, row.ln_n, grad_h);
        let td = p.d_term.grad_h(row.h, row.ln_d, grad_h);
        p.e + mix + tn + td
    }
}
