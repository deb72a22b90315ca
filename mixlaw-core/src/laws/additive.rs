//! `additive`: L = E + 1/(sum_i C_i h_i^gamma_i) + A N^-alpha + B D^-beta
//! (Shukor et al. 2025, eq 2.4).

use crate::data::{Inputs, Row};
use crate::law::{Factor, InverseMixtureForm, Law};
use crate::laws::check_domains;
use crate::laws::terms::{
    add_slice, inverse_mixture, inverse_mixture_grad, inverse_mixture_grad_h,
    inverse_mixture_grad_kept, inverse_mixture_kept, weight, write_factors, ChinchillaTerms,
};
use crate::param::{Block, Reader, Writer};
use crate::real::{Real, RealLaw, RowOf};
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
    Block::free("E", 0.5, 3.0).linear(),
    Block::positive("A", -3.0, 3.0).linear(),
    Block::positive("B", -3.0, 3.0).linear(),
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
    fn inverse_mixture_form(&self) -> Option<InverseMixtureForm> {
        Some(
            InverseMixtureForm::new(0, 5, 5 + self.k)
                .with_model(1, 3)
                .with_tokens(2, 4),
        )
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
        let mut p = Reader::new(params);
        let head = ChinchillaTerms::read(&mut p);
        let (c, gamma) = (p.each(self.k), p.each(self.k));
        match factor {
            Factor::Mixture => write_factors(
                out,
                [
                    head.e(),
                    inverse_mixture_kept(c, gamma, row.h, row.ln_h, cache),
                    1.0,
                    1.0,
                ],
            ),
            Factor::Model => write_factors(out, [1.0, 1.0, head.model(row), 1.0]),
            Factor::Tokens => write_factors(out, [1.0, 1.0, 1.0, head.tokens(row)]),
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
            Factor::Mixture => 0b1100,
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
        let mut p = Reader::new(params);
        let head = ChinchillaTerms::read(&mut p);
        let (c, gamma) = (p.each(self.k), p.each(self.k));
        let w = (weight(weights, 0), weight(weights, 2), weight(weights, 3));
        head.vjp(factor, row, w, grad);
        if factor == Factor::Mixture {
            let (dc, rest) = scratch.split_at_mut(self.k.min(scratch.len()));
            let dg = rest.get_mut(..self.k).unwrap_or(&mut []);
            let w = weight(weights, 1);
            inverse_mixture_grad_kept(c, gamma, row.h, row.ln_h, cache, w, dc, dg);
            add_slice(grad, 5, dc);
            add_slice(grad, 5 + self.k, dg);
        }
    }
    fn eval_row(&self, params: &[f64], row: &Row<'_>, grad: Option<&mut [f64]>) -> f64 {
        let mut p = Reader::new(params);
        let head = ChinchillaTerms::read(&mut p);
        let (c, gamma) = (p.each(self.k), p.each(self.k));
        match grad {
            None => self.value_of(params, &row.into()),
            Some(grad) => {
                let mut g = Writer::new(grad);
                let base = head.value_grad(row, &mut g);
                let (dc, dg) = (g.each(self.k), g.each(self.k));
                base + inverse_mixture_grad(c, gamma, row.h, row.ln_h, 1.0, dc, dg)
            }
        }
    }
    fn grad_h_row(&self, params: &[f64], row: &Row<'_>, grad_h: &mut [f64]) -> f64 {
        self.grad_h_of(params, &row.into(), grad_h)
    }
}

impl RealLaw for Additive {
    fn value_of<T: Real>(&self, params: &[T], row: &RowOf<'_, T>) -> T {
        let mut p = Reader::new(params);
        let head = ChinchillaTerms::read(&mut p);
        let (c, gamma) = (p.each(self.k), p.each(self.k));
        head.value_of(row) + inverse_mixture(c, gamma, row.h, row.ln_h)
    }
    fn grad_h_of<T: Real>(&self, params: &[T], row: &RowOf<'_, T>, grad_h: &mut [T]) -> T {
        let mut p = Reader::new(params);
        let head = ChinchillaTerms::read(&mut p);
        let (c, gamma) = (p.each(self.k), p.each(self.k));
        grad_h.iter_mut().for_each(|g| *g = T::ZERO);
        head.value_of(row) + inverse_mixture_grad_h(c, gamma, row.h, row.ln_h, grad_h)
    }
}
