//! `chinchilla`: L = E + A N^-alpha + B D^-beta (Hoffmann et al. 2022; Shukor et al. eq 2.2).

use crate::data::{Inputs, Row};
use crate::law::{Factor, Law};
use crate::laws::terms::{weight, write_factors, ChinchillaTerms};
use crate::param::{Block, Reader, Writer};

/// The Chinchilla law `E + A N^-alpha + B D^-beta`; parameters `E, A, B, alpha, beta`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Chinchilla;

impl Chinchilla {
    /// The law (it does not depend on the mixture).
    pub const fn new() -> Self {
        Chinchilla
    }
}

/// Parameter layout of [`Chinchilla`].
pub const BLOCKS: &[Block] = &[
    Block::free("E", 0.5, 3.0).linear(),
    Block::positive("A", -3.0, 3.0).linear(),
    Block::positive("B", -3.0, 3.0).linear(),
    Block::positive("alpha", -3.0, 0.0),
    Block::positive("beta", -3.0, 0.0),
];

impl Law for Chinchilla {
    fn name(&self) -> &'static str {
        "chinchilla"
    }
    fn domains(&self) -> usize {
        0
    }
    fn blocks(&self) -> &'static [Block] {
        BLOCKS
    }
    fn inputs(&self) -> Inputs {
        Inputs {
            h: false,
            n: true,
            d: true,
            u: false,
        }
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
        _cache: &mut [f64],
    ) {
        let head = ChinchillaTerms::read(&mut Reader::new(params));
        match factor {
            Factor::Mixture => write_factors(out, [head.e(), 1.0, 1.0]),
            Factor::Model => write_factors(out, [1.0, head.model(row), 1.0]),
            Factor::Tokens => write_factors(out, [1.0, 1.0, head.tokens(row)]),
        }
    }
    fn unit_factors(&self, factor: Factor) -> u32 {
        match factor {
            Factor::Mixture => 0b110,
            Factor::Model => 0b101,
            Factor::Tokens => 0b011,
        }
    }
    fn factors_vjp(
        &self,
        params: &[f64],
        factor: Factor,
        row: &Row<'_>,
        weights: &[f64],
        _cache: &[f64],
        grad: &mut [f64],
        _scratch: &mut [f64],
    ) {
        let head = ChinchillaTerms::read(&mut Reader::new(params));
        let w = (weight(weights, 0), weight(weights, 1), weight(weights, 2));
        head.vjp(factor, row, w, grad);
    }
    fn eval_row(&self, params: &[f64], row: &Row<'_>, grad: Option<&mut [f64]>) -> f64 {
        let head = ChinchillaTerms::read(&mut Reader::new(params));
        match grad {
            Some(grad) => head.value_grad(row, &mut Writer::new(grad)),
            None => head.value(row),
        }
    }
    fn grad_h_row(&self, params: &[f64], row: &Row<'_>, grad_h: &mut [f64]) -> f64 {
        grad_h.iter_mut().for_each(|g| *g = 0.0);
        self.eval_row(params, row, None)
    }
}
