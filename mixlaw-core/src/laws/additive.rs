//! `additive`: L = E + 1/(sum_i C_i h_i^gamma_i) + A N^-alpha + B D^-beta
//! (Shukor et al. 2025, eq 2.4).

use crate::data::{Inputs, Row};
use crate::law::{Factor, Law};
use crate::laws::check_domains;
use crate::laws::terms::{
    add_at, add_slice, decay, decay_vjp, inverse_mixture, inverse_mixture_grad,
    inverse_mixture_grad_h, weight, write_factors,
};
use crate::param::{Block, Reader, Writer};
use crate::Error;

/// The additive law of Shukor et al.; parameters `E, A, B, alpha, beta, C[i], gamma[i]`
/// (5 + 2k).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Additive {
    k: usize,
}

impl Additive {
    /// The law for `k >= 1` domains.
    pub fn new(k: usize) -> Result<Self, Error> {
        check_domains(k, 1)?;
        Ok(Additive { k })
    }
}

/// Parameter layout of [`Additive`].
pub const BLOCKS: &[Block] = &[
    Block::free("E", 0.5, 3.0),
    Block::positive("A", -3.0, 3.0),
    Block::positive("B", -3.0, 3.0),
    Block::positive("alpha", -3.0, 0.0),
    Block::positive("beta", -3.0, 0.0),
    Block::positive_each("C", -2.0, 3.0),
    Block::positive_each("gamma", -3.0, 0.5),
];

impl Law for Additive {
    fn name(&self) -> &'static str {
        "additive"
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
    fn factors(&self, params: &[f64], factor: Factor, row: &Row<'_>, out: &mut [f64]) {
        let mut p = Reader::new(params);
        let (e, a, b, alpha, beta) = (p.scalar(), p.scalar(), p.scalar(), p.scalar(), p.scalar());
        let (c, gamma) = (p.each(self.k), p.each(self.k));
        match factor {
            Factor::Mixture => write_factors(
                out,
                [e, inverse_mixture(c, gamma, row.h, row.ln_h), 1.0, 1.0],
            ),
            Factor::Model => write_factors(out, [1.0, 1.0, decay(a, alpha, row.ln_n), 1.0]),
            Factor::Tokens => write_factors(out, [1.0, 1.0, 1.0, decay(b, beta, row.ln_d)]),
        }
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
        let mut p = Reader::new(params);
        let (_, a, b, alpha, beta) = (p.scalar(), p.scalar(), p.scalar(), p.scalar(), p.scalar());
        let (c, gamma) = (p.each(self.k), p.each(self.k));
        match factor {
            Factor::Mixture => {
                add_at(grad, 0, weight(weights, 0));
                let (dc, rest) = scratch.split_at_mut(self.k.min(scratch.len()));
                let dg = rest.get_mut(..self.k).unwrap_or(&mut []);
                inverse_mixture_grad(c, gamma, row.h, row.ln_h, weight(weights, 1), dc, dg);
                add_slice(grad, 5, dc);
                add_slice(grad, 5 + self.k, dg);
            }
            Factor::Model => decay_vjp(grad, weight(weights, 2), (1, a), (3, alpha), row.ln_n),
            Factor::Tokens => decay_vjp(grad, weight(weights, 3), (2, b), (4, beta), row.ln_d),
        }
    }
    fn eval_row(&self, params: &[f64], row: &Row<'_>, grad: Option<&mut [f64]>) -> f64 {
        let mut p = Reader::new(params);
        let (e, a, b, alpha, beta) = (p.scalar(), p.scalar(), p.scalar(), p.scalar(), p.scalar());
        let (c, gamma) = (p.each(self.k), p.each(self.k));
        let tn = decay(a, alpha, row.ln_n);
        let td = decay(b, beta, row.ln_d);
        let mix = match grad {
            None => inverse_mixture(c, gamma, row.h, row.ln_h),
            Some(grad) => {
                let mut g = Writer::new(grad);
                g.scalar(1.0);
                g.scalar(tn / a);
                g.scalar(td / b);
                g.scalar(-tn * row.ln_n);
                g.scalar(-td * row.ln_d);
                let dc = g.each(self.k);
                let dg = g.each(self.k);
                inverse_mixture_grad(c, gamma, row.h, row.ln_h, 1.0, dc, dg)
            }
        };
        e + mix + tn + td
    }
    fn grad_h_row(&self, params: &[f64], row: &Row<'_>, grad_h: &mut [f64]) -> f64 {
        let mut p = Reader::new(params);
        let (e, a, b, alpha, beta) = (p.scalar(), p.scalar(), p.scalar(), p.scalar(), p.scalar());
        let (c, gamma) = (p.each(self.k), p.each(self.k));
        grad_h.iter_mut().for_each(|g| *g = 0.0);
        let mix = inverse_mixture_grad_h(c, gamma, row.h, row.ln_h, grad_h);
        e + mix + decay(a, alpha, row.ln_n) + decay(b, beta, row.ln_d)
    }
}
