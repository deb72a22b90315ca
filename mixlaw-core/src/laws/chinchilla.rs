//! `chinchilla`: L = E + A N^-alpha + B D^-beta (Hoffmann et al. 2022; Shukor et al. eq 2.2).

use crate::data::{Inputs, Row};
use crate::law::{Factor, Law};
use crate::laws::terms::{add_at, decay, decay_vjp, weight, write_factors};
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
    Block::free("E", 0.5, 3.0),
    Block::positive("A", -3.0, 3.0),
    Block::positive("B", -3.0, 3.0),
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
    fn factors(&self, params: &[f64], factor: Factor, row: &Row<'_>, out: &mut [f64]) {
        let mut p = Reader::new(params);
        let (e, a, b, alpha, beta) = (p.scalar(), p.scalar(), p.scalar(), p.scalar(), p.scalar());
        match factor {
            Factor::Mixture => write_factors(out, [e, 1.0, 1.0]),
            Factor::Model => write_factors(out, [1.0, decay(a, alpha, row.ln_n), 1.0]),
            Factor::Tokens => write_factors(out, [1.0, 1.0, decay(b, beta, row.ln_d)]),
        }
    }
    fn factors_vjp(
        &self,
        params: &[f64],
        factor: Factor,
        row: &Row<'_>,
        weights: &[f64],
        grad: &mut [f64],
        _scratch: &mut [f64],
    ) {
        let mut p = Reader::new(params);
        let (_, a, b, alpha, beta) = (p.scalar(), p.scalar(), p.scalar(), p.scalar(), p.scalar());
        match factor {
            Factor::Mixture => add_at(grad, 0, weight(weights, 0)),
            Factor::Model => decay_vjp(grad, weight(weights, 1), (1, a), (3, alpha), row.ln_n),
            Factor::Tokens => decay_vjp(grad, weight(weights, 2), (2, b), (4, beta), row.ln_d),
        }
    }
    fn eval_row(&self, params: &[f64], row: &Row<'_>, grad: Option<&mut [f64]>) -> f64 {
        let mut p = Reader::new(params);
        let (e, a, b, alpha, beta) = (p.scalar(), p.scalar(), p.scalar(), p.scalar(), p.scalar());
        let tn = decay(a, alpha, row.ln_n);
        let td = decay(b, beta, row.ln_d);
        if let Some(grad) = grad {
            let mut g = Writer::new(grad);
            g.scalar(1.0);
            g.scalar(tn / a);
            g.scalar(td / b);
            g.scalar(-tn * row.ln_n);
            g.scalar(-td * row.ln_d);
        }
        e + tn + td
    }
    fn grad_h_row(&self, params: &[f64], row: &Row<'_>, grad_h: &mut [f64]) -> f64 {
        grad_h.iter_mut().for_each(|g| *g = 0.0);
        self.eval_row(params, row, None)
    }
}
