//! `additive-n`: L = E + 1/(sum_i C_i h_i^gamma_i) + B D^-beta, the additive law at fixed N
//! (Shukor et al. 2025, appendix B.2).

use crate::data::{Inputs, Row};
use crate::law::{Factor, InverseMixtureForm, Law};
use crate::laws::check_domains;
use crate::laws::terms::{
    add_at, add_slice, decay, decay_vjp, inverse_mixture, inverse_mixture_grad,
    inverse_mixture_grad_h, inverse_mixture_grad_kept, inverse_mixture_kept, weight, write_factors,
};
use crate::param::{Block, Reader, Writer};
use crate::real::{Real, RealLaw, RowOf};
use crate::Error;

/// The additive law of Shukor et al. for one fixed model size N; parameters
/// `E, B, beta, C[i], gamma[i]` (3 + 2k). It reads the mixture and D.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AdditiveN {
    k: usize,
}

impl AdditiveN {
    /// The law for `k >= 1` domains.
    pub fn new(k: usize) -> Result<Self, Error> {
        check_domains(k, 1)?;
        Ok(AdditiveN { k })
    }
}

/// Parameter layout of [`AdditiveN`].
pub const BLOCKS: &[Block] = &[
    Block::free("E", 0.5, 3.0).linear(),
    Block::positive("B", -3.0, 3.0).linear(),
    Block::positive("beta", -3.0, 0.0),
    Block::positive_each("C", -2.0, 3.0),
    Block::positive_each("gamma", -3.0, 0.5),
];

impl Law for AdditiveN {
    fn name(&self) -> &'static str {
        "additive-n"
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
            n: false,
            d: true,
            u: false,
        }
    }
    fn inverse_mixture_form(&self) -> Option<InverseMixtureForm> {
        Some(InverseMixtureForm::new(0, 3, 3 + self.k).with_tokens(1, 2))
    }
    fn separable_terms(&self) -> usize {
        3
    }
    fn factors(
        &self,
        params: &[f64],
        factor: Factor,
        row: &Row<'_>,
        out: &mut [f64],
        cache: &mut [f64],
    ) {
        let mut p = Reader::new(params);
        let (e, b, beta) = (p.scalar(), p.scalar(), p.scalar());
        let (c, gamma) = (p.each(self.k), p.each(self.k));
        match factor {
            Factor::Mixture => {
                let inverse = inverse_mixture_kept(c, gamma, row.h, row.ln_h, cache);
                write_factors(out, [e, inverse, 1.0])
            }
            Factor::Model => write_factors(out, [1.0, 1.0, 1.0]),
            Factor::Tokens => write_factors(out, [1.0, 1.0, decay(b, beta, row.ln_d)]),
        }
    }
    fn factors_cache_len(&self, factor: Factor) -> usize {
        match factor {
            Factor::Mixture => self.k,
            Factor::Model | Factor::Tokens => 0,
        }
    }
    fn unit_factors(&self, factor: Factor) -> u32 {
        match factor {
            Factor::Mixture => 0b100,
            Factor::Model => 0b111,
            Factor::Tokens => 0b011,
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
        let mut p = Reader::new(params);
        let (_, b, beta) = (p.scalar(), p.scalar(), p.scalar());
        let (c, gamma) = (p.each(self.k), p.each(self.k));
        match factor {
            Factor::Mixture => {
                add_at(grad, 0, weight(weights, 0));
                let (dc, rest) = scratch.split_at_mut(self.k.min(scratch.len()));
                let dg = rest.get_mut(..self.k).unwrap_or(&mut []);
                let w = weight(weights, 1);
                inverse_mixture_grad_kept(c, gamma, row.h, row.ln_h, cache, w, dc, dg);
                add_slice(grad, 3, dc);
                add_slice(grad, 3 + self.k, dg);
            }
            Factor::Model => {}
            Factor::Tokens => decay_vjp(grad, weight(weights, 2), (1, b), (2, beta), row.ln_d),
        }
    }
    fn eval_row(&self, params: &[f64], row: &Row<'_>, grad: Option<&mut [f64]>) -> f64 {
        let Some(grad) = grad else {
            return self.value_of(params, &row.into());
        };
        let mut p = Reader::new(params);
        let (e, b, beta) = (p.scalar(), p.scalar(), p.scalar());
        let (c, gamma) = (p.each(self.k), p.each(self.k));
        let td = decay(b, beta, row.ln_d);
        let mut g = Writer::new(grad);
        g.scalar(1.0);
        g.scalar(td / b);
        g.scalar(-td * row.ln_d);
        let dc = g.each(self.k);
        let dg = g.each(self.k);
        let mix = inverse_mixture_grad(c, gamma, row.h, row.ln_h, 1.0, dc, dg);
        e + mix + td
    }
    fn grad_h_row(&self, params: &[f64], row: &Row<'_>, grad_h: &mut [f64]) -> f64 {
        self.grad_h_of(params, &row.into(), grad_h)
    }
}

impl RealLaw for AdditiveN {
    fn value_of<T: Real>(&self, params: &[T], row: &RowOf<'_, T>) -> T {
        let mut p = Reader::new(params);
        let (e, b, beta) = (p.scalar(), p.scalar(), p.scalar());
        let (c, gamma) = (p.each(self.k), p.each(self.k));
        let td = decay(b, beta, row.ln_d);
        e + inverse_mixture(c, gamma, row.h, row.ln_h) + td
    }
    fn grad_h_of<T: Real>(&self, params: &[T], row: &RowOf<'_, T>, grad_h: &mut [T]) -> T {
        let mut p = Reader::new(params);
        let (e, b, beta) = (p.scalar(), p.scalar(), p.scalar());
        let (c, gamma) = (p.each(self.k), p.each(self.k));
        grad_h.iter_mut().for_each(|g| *g = T::ZERO);
        let mix = inverse_mixture_grad_h(c, gamma, row.h, row.ln_h, grad_h);
        e + mix + decay(b, beta, row.ln_d)
    }
}
