//! `ye-m2`: L = E + C sum_i exp(gamma_i h_i) (Ye et al. 2024, M2, as rewritten in
//! Shukor et al. 2025, appendix B.1).

use crate::data::{Inputs, Row};
use crate::law::Law;
use crate::laws::check_domains;
use crate::param::{Block, Reader, Writer};
use crate::real::{Real, RealLaw, RowOf};
use crate::Error;

/// Ye et al.'s M2, one shared coefficient; parameters `E, C, gamma[i]` (2 + k), all free.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct YeM2 {
    k: usize,
}

impl YeM2 {
    /// The law for `k >= 1` domains.
    pub fn new(k: usize) -> Result<Self, Error> {
        check_domains(k, 1)?;
        Ok(YeM2 { k })
    }
}

/// Parameter layout of [`YeM2`].
pub const BLOCKS: &[Block] = &[
    Block::free("E", 0.5, 3.0).linear(),
    Block::free("C", -1.0, 1.0).linear(),
    Block::free_each("gamma", -2.0, 2.0),
];

impl Law for YeM2 {
    fn name(&self) -> &'static str {
        "ye-m2"
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
        match grad {
            None => self.value_of(params, &row.into()),
            Some(grad) => {
                let mut g = Writer::new(grad);
                g.scalar(1.0);
                let (dc, dgamma) = (g.each(1), g.each(self.k));
                let mut s = 0.0;
                for (dgi, (&gi, &hi)) in dgamma.iter_mut().zip(gamma.iter().zip(row.h)) {
                    let x = libm::exp(gi * hi);
                    *dgi = c * hi * x;
                    s += x;
                }
                dc.iter_mut().for_each(|x| *x = s);
                e + c * s
            }
        }
    }
    fn grad_h_row(&self, params: &[f64], row: &Row<'_>, grad_h: &mut [f64]) -> f64 {
        self.grad_h_of(params, &row.into(), grad_h)
    }
}

impl RealLaw for YeM2 {
    fn value_of<T: Real>(&self, params: &[T], row: &RowOf<'_, T>) -> T {
        let mut p = Reader::new(params);
        let (e, c, gamma) = (p.scalar(), p.scalar(), p.each(self.k));
        let s: T = gamma
            .iter()
            .zip(row.h)
            .map(|(&gi, &hi)| (gi * hi).exp())
            .sum();
        e + c * s
    }
    fn grad_h_of<T: Real>(&self, params: &[T], row: &RowOf<'_, T>, grad_h: &mut [T]) -> T {
        let mut p = Reader::new(params);
        let (e, c, gamma) = (p.scalar(), p.scalar(), p.each(self.k));
        grad_h.iter_mut().for_each(|g| *g = T::ZERO);
        let mut s = T::ZERO;
        for (gh, (&gi, &hi)) in grad_h.iter_mut().zip(gamma.iter().zip(row.h)) {
            let x = (gi * hi).exp();
            *gh += c * gi * x;
            s += x;
        }
        e + c * s
    }
}
