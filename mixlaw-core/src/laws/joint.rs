//! `joint`: L = E + 1/(sum_i C_i h_i^gamma_i) + (sum_i CA_i h_i)^gammaA N^-alpha
//! + (sum_i CB_i h_i)^gammaB D^-beta (Shukor et al. 2025, eq 2.5).

use crate::data::{Inputs, Row};
use crate::law::{Factor, Law};
use crate::laws::check_domains;
use crate::laws::terms::{
    add_at, add_slice, decay, inverse_mixture, inverse_mixture_grad, inverse_mixture_grad_h,
    inverse_mixture_grad_kept, inverse_mixture_kept, linear_power, linear_power_grad,
    linear_power_grad_h, linear_power_grad_kept, linear_power_kept, weight, write_factors,
};
use crate::param::{Block, Reader, Writer};
use crate::real::{Real, RealLaw, RowOf};
use crate::Error;

/// The joint law of Shukor et al.; parameters
/// `E, alpha, beta, C[i], gamma[i], CA[i], gammaA, CB[i], gammaB` (5 + 4k).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Joint {
    k: usize,
}

impl Joint {
    /// The law for `k >= 1` domains.
    pub fn new(k: usize) -> Result<Self, Error> {
        check_domains(k, 1)?;
        Ok(Joint { k })
    }
}

/// Parameter layout of [`Joint`].
pub const BLOCKS: &[Block] = &[
    Block::free("E", 0.5, 3.0).linear(),
    Block::positive("alpha", -3.0, 0.0),
    Block::positive("beta", -3.0, 0.0),
    Block::positive_each("C", -2.0, 3.0),
    Block::positive_each("gamma", -3.0, 0.5),
    Block::positive_each("CA", -3.0, 3.0),
    Block::positive("gammaA", -2.0, 0.5),
    Block::positive_each("CB", -3.0, 3.0),
    Block::positive("gammaB", -2.0, 0.5),
];

struct Params<'a, T> {
    e: T,
    alpha: T,
    beta: T,
    c: &'a [T],
    gamma: &'a [T],
    ca: &'a [T],
    gamma_a: T,
    cb: &'a [T],
    gamma_b: T,
}

impl Joint {
    fn read<'a, T: Real>(&self, params: &'a [T]) -> Params<'a, T> {
        let mut p = Reader::new(params);
        Params {
            e: p.scalar(),
            alpha: p.scalar(),
            beta: p.scalar(),
            c: p.each(self.k),
            gamma: p.each(self.k),
            ca: p.each(self.k),
            gamma_a: p.scalar(),
            cb: p.each(self.k),
            gamma_b: p.scalar(),
        }
    }
}

impl Law for Joint {
    fn name(&self) -> &'static str {
        "joint"
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
    fn separable_terms(&self) -> usize {
        4
    }
    fn factors(
        &self,
        params: &[f64],
        factor: Factor,
        row: &Row<'_>,
        out: &mut [f64],
        cache: &mut [f64],
    ) {
        let p = self.read(params);
        match factor {
            Factor::Mixture => {
                // Kept: the k mixture powers, then (P^g, P) of the two linear powers.
                let (powers, rest) = cache.split_at_mut(self.k.min(cache.len()));
                let (kept_a, kept_b) = rest.split_at_mut(2.min(rest.len()));
                let inverse = inverse_mixture_kept(p.c, p.gamma, row.h, row.ln_h, powers);
                let va = linear_power_kept(p.ca, p.gamma_a, row.h, kept_a);
                let vb = linear_power_kept(p.cb, p.gamma_b, row.h, kept_b);
                write_factors(out, [p.e, inverse, va, vb]);
            }
            Factor::Model => write_factors(out, [1.0, 1.0, decay(1.0, p.alpha, row.ln_n), 1.0]),
            Factor::Tokens => write_factors(out, [1.0, 1.0, 1.0, decay(1.0, p.beta, row.ln_d)]),
        }
    }
    fn factors_cache_len(&self, factor: Factor) -> usize {
        match factor {
            Factor::Mixture => self.k + 4,
            Factor::Model | Factor::Tokens => 0,
        }
    }
    fn unit_factors(&self, factor: Factor) -> u32 {
        match factor {
            Factor::Mixture => 0,
            Factor::Model => 0b1011,
            Factor::Tokens => 0b0111,
        }
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
        let p = self.read(params);
        let k = self.k;
        match factor {
            Factor::Mixture => {
                add_at(grad, 0, weight(weights, 0));
                let (dc, rest) = scratch.split_at_mut(k.min(scratch.len()));
                let dg = rest.get_mut(..k).unwrap_or(&mut []);
                let (powers, rest) = cache.split_at(k.min(cache.len()));
                let (kept_a, kept_b) = rest.split_at(2.min(rest.len()));
                let w = weight(weights, 1);
                inverse_mixture_grad_kept(p.c, p.gamma, row.h, row.ln_h, powers, w, dc, dg);
                add_slice(grad, 3, dc);
                add_slice(grad, 3 + k, dg);
                let w = weight(weights, 2);
                let (_, d_ga) = linear_power_grad_kept(p.ca, p.gamma_a, row.h, kept_a, w, dc);
                add_slice(grad, 3 + 2 * k, dc);
                add_at(grad, 3 + 3 * k, d_ga);
                let w = weight(weights, 3);
                let (_, d_gb) = linear_power_grad_kept(p.cb, p.gamma_b, row.h, kept_b, w, dc);
                add_slice(grad, 4 + 3 * k, dc);
                add_at(grad, 4 + 4 * k, d_gb);
            }
            Factor::Model => {
                let w = weight(weights, 2);
                add_at(grad, 1, -w * decay(1.0, p.alpha, row.ln_n) * row.ln_n);
            }
            Factor::Tokens => {
                let w = weight(weights, 3);
                add_at(grad, 2, -w * decay(1.0, p.beta, row.ln_d) * row.ln_d);
            }
        }
    }
    fn eval_row(&self, params: &[f64], row: &Row<'_>, grad: Option<&mut [f64]>) -> f64 {
        match grad {
            None => self.value_of(params, &row.into()),
            Some(grad) => {
                let p = self.read(params);
                let n_pow = decay(1.0, p.alpha, row.ln_n);
                let d_pow = decay(1.0, p.beta, row.ln_d);
                let mut g = Writer::new(grad);
                g.scalar(1.0);
                let (d_alpha, d_beta) = (g.each(1), g.each(1));
                let (dc, dgamma) = (g.each(self.k), g.each(self.k));
                let mix = inverse_mixture_grad(p.c, p.gamma, row.h, row.ln_h, 1.0, dc, dgamma);
                let (va, dga) = linear_power_grad(p.ca, p.gamma_a, row.h, n_pow, g.each(self.k));
                g.scalar(dga);
                let (vb, dgb) = linear_power_grad(p.cb, p.gamma_b, row.h, d_pow, g.each(self.k));
                g.scalar(dgb);
                let (tn, td) = (va * n_pow, vb * d_pow);
                d_alpha.iter_mut().for_each(|x| *x = -tn * row.ln_n);
                d_beta.iter_mut().for_each(|x| *x = -td * row.ln_d);
                p.e + mix + tn + td
            }
        }
    }
    fn grad_h_row(&self, params: &[f64], row: &Row<'_>, grad_h: &mut [f64]) -> f64 {
        self.grad_h_of(params, &row.into(), grad_h)
    }
}

impl RealLaw for Joint {
    fn value_of<T: Real>(&self, params: &[T], row: &RowOf<'_, T>) -> T {
        let p = self.read(params);
        let n_pow = decay(T::ONE, p.alpha, row.ln_n);
        let d_pow = decay(T::ONE, p.beta, row.ln_d);
        p.e + inverse_mixture(p.c, p.gamma, row.h, row.ln_h)
            + linear_power(p.ca, p.gamma_a, row.h).0 * n_pow
            + linear_power(p.cb, p.gamma_b, row.h).0 * d_pow
    }
    fn grad_h_of<T: Real>(&self, params: &[T], row: &RowOf<'_, T>, grad_h: &mut [T]) -> T {
        let p = self.read(params);
        let n_pow = decay(T::ONE, p.alpha, row.ln_n);
        let d_pow = decay(T::ONE, p.beta, row.ln_d);
        grad_h.iter_mut().for_each(|g| *g = T::ZERO);
        let mix = inverse_mixture_grad_h(p.c, p.gamma, row.h, row.ln_h, grad_h);
        let va = linear_power_grad_h(p.ca, p.gamma_a, row.h, n_pow, grad_h);
        let vb = linear_power_grad_h(p.cb, p.gamma_b, row.h, d_pow, grad_h);
        p.e + mix + va * n_pow + vb * d_pow
    }
}
