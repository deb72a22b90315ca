//! `ye-m4`: L = E + C exp(sum_i gamma_i h_i) (Ye et al. 2024, M4, as rewritten in
//! Shukor et al. 2025, appendix B.1; Belenki et al.'s "DML" per validation domain).

use crate::data::{Inputs, Row};
use crate::law::Law;
use crate::laws::check_domains;
use crate::param::{Block, Reader, Writer};
use crate::Error;

/// Ye et al.'s M4, the exponential of a linear function of h; parameters `E, C, gamma[i]`
/// (2 + k), with `C > 0`.
///
/// Because `sum_i h_i = 1`, the predictions are invariant under the gauge shift
/// `(gamma_i + s, C e^-s)`: the parameters are identified only up to it, so compare fits
/// by their predictions (or pin `sum_i gamma_i = 0`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct YeM4 {
    k: usize,
}

impl YeM4 {
    /// The law for `k >= 1` domains.
    pub fn new(k: usize) -> Result<Self, Error> {
        check_domains(k, 1)?;
        Ok(YeM4 { k })
    }
}

/// Parameter layout of [`YeM4`].
pub const BLOCKS: &[Block] = &[
    Block::free("E", 0.5, 3.0).linear(),
    Block::positive("C", -2.0, 1.0).linear(),
    Block::free_each("gamma", -2.0, 2.0),
];

impl Law for YeM4 {
    fn name(&self) -> &'static str {
        "ye-m4"
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
            d: false,
            u: false,
        }
    }
    fn eval_row(&self, params: &[f64], row: &Row<'_>, grad: Option<&mut [f64]>) -> f64 {
        let mut p = Reader::new(params);
        let (e, c, gamma) = (p.scalar(), p.scalar(), p.each(self.k));
        let s: f64 = gamma.iter().zip(row.h).map(|(&gi, &hi)| gi * hi).sum();
        let x = libm::exp(s);
        let t = c * x;
        if let Some(grad) = grad {
            let mut g = Writer::new(grad);
            g.scalar(1.0);
            g.scalar(x);
            for (dgi, &hi) in g.each(self.k).iter_mut().zip(row.h) {
                *dgi = t * hi;
            }
        }
        e + t
    }
    fn grad_h_row(&self, params: &[f64], row: &Row<'_>, grad_h: &mut [f64]) -> f64 {
        let mut p = Reader::new(params);
        let (e, c, gamma) = (p.scalar(), p.scalar(), p.each(self.k));
        let s: f64 = gamma.iter().zip(row.h).map(|(&gi, &hi)| gi * hi).sum();
        let t = c * libm::exp(s);
        grad_h.iter_mut().for_each(|g| *g = 0.0);
        for (gh, &gi) in grad_h.iter_mut().zip(gamma) {
            *gh += t * gi;
        }
        e + t
    }
}
