//! `simple`: L = E + (sum_i C_i h_i)^gamma + A N^-alpha + B D^-beta, the "simple additive"
//! law (Shukor et al. 2025, eq 6.1; S writes A/D^a + B/N^b, the same law with the names
//! swapped).

use crate::data::{Inputs, Row};
use crate::law::{Factor, Law};
use crate::laws::check_domains;
use crate::laws::terms::{
    add_at, add_slice, linear_power, linear_power_grad, linear_power_grad_h,
    linear_power_grad_kept, linear_power_kept, weight, write_factors, ChinchillaTerms,
};
use crate::param::{Block, Reader, Writer};
use crate::real::{Real, RealLaw, RowOf};
use crate::Error;

/// The simple additive law of Shukor et al.; parameters
/// `E, A, B, alpha, beta, C[i], gamma` (6 + k). `E` and `gamma` have no sign constraint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Simple {
    k: usize,
}

impl Simple {
    /// The law for `k >= 1` domains.
    pub fn new(k: usize) -> Result<Self, Error> {
        check_domains(k, 1)?;
        Ok(Simple { k })
    }
}

/// Parameter layout of [`Simple`]. At the starts `sum_i C_i h_i` lies in about
/// `e^-2 .. e^1` and `gamma` in `-1 .. 1`, so the mixture term stays below about 7.4.
pub const BLOCKS: &[Block] = &[
    Block::free("E", 0.5, 3.0).linear(),
    Block::positive("A", -3.0, 3.0).linear(),
    Block::positive("B", -3.0, 3.0).linear(),
    Block::positive("alpha", -3.0, 0.0),
    Block::positive("beta", -3.0, 0.0),
    Block::positive_each("C", -2.0, 1.0),
    Block::free("gamma", -1.0, 1.0),
];

impl Law for Simple {
    fn name(&self) -> &'static str {
        "simple"
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
        let mut p = Reader::new(params);
        let head = ChinchillaTerms::read(&mut p);
        let (c, gamma) = (p.each(self.k), p.scalar());
        match factor {
            Factor::Mixture => {
                let power = linear_power_kept(c, gamma, row.h, cache);
                write_factors(out, [head.e(), power, 1.0, 1.0])
            }
            Factor::Model => write_factors(out, [1.0, 1.0, head.model(row), 1.0]),
            Factor::Tokens => write_factors(out, [1.0, 1.0, 1.0, head.tokens(row)]),
        }
    }
    fn factors_cache_len(&self, factor: Factor) -> usize {
        match factor {
            Factor::Mixture => 2,
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
        let (c, gamma) = (p.each(self.k), p.scalar());
        let w = (weight(weights, 0), weight(weights, 2), weight(weights, 3));
        head.vjp(factor, row, w, grad);
        if factor == Factor::Mixture {
            let dc = scratch.get_mut(..self.k).unwrap_or(&mut []);
            let w = weight(weights, 1);
            let (_, dgamma) = linear_power_grad_kept(c, gamma, row.h, cache, w, dc);
            add_slice(grad, 5, dc);
            add_at(grad, 5 + self.k, dgamma);
        }
    }
    fn eval_row(&self, params: &[f64], row: &Row<'_>, grad: Option<&mut [f64]>) -> f64 {
        let mut p = Reader::new(params);
        let head = ChinchillaTerms::read(&mut p);
        let (c, gamma) = (p.each(self.k), p.scalar());
        match grad {
            None => self.value_of(params, &row.into()),
            Some(grad) => {
                let mut g = Writer::new(grad);
                let base = head.value_grad(row, &mut g);
                let (v, dgamma) = linear_power_grad(c, gamma, row.h, 1.0, g.each(self.k));
                g.scalar(dgamma);
                base + v
            }
        }
    }
    fn grad_h_row(&self, params: &[f64], row: &Row<'_>, grad_h: &mut [f64]) -> f64 {
        self.grad_h_of(params, &row.into(), grad_h)
    }
}

impl RealLaw for Simple {
    fn value_of<T: Real>(&self, params: &[T], row: &RowOf<'_, T>) -> T {
        let mut p = Reader::new(params);
        let head = ChinchillaTerms::read(&mut p);
        let (c, gamma) = (p.each(self.k), p.scalar());
        head.value_of(row) + linear_power(c, gamma, row.h).0
    }
    fn grad_h_of<T: Real>(&self, params: &[T], row: &RowOf<'_, T>, grad_h: &mut [T]) -> T {
        let mut p = Reader::new(params);
        let head = ChinchillaTerms::read(&mut p);
        let (c, gamma) = (p.each(self.k), p.scalar());
        grad_h.iter_mut().for_each(|g| *g = T::ZERO);
        head.value_of(row) + linear_power_grad_h(c, gamma, row.h, T::ONE, grad_h)
    }
}
