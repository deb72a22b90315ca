//! `ye-m1`: L = E + sum_i C_i exp(gamma_i h_i) (Ye et al. 2024, M1, as rewritten in
//! Shukor et al. 2025, appendix B.1).

use crate::data::{Inputs, Row};
use crate::law::Law;
use crate::laws::check_domains;
use crate::param::{Block, Reader, Writer};
use crate::real::{Real, RealLaw, RowOf};
use crate::Error;

/// Ye et al.'s M1, one exponential per domain; parameters `E, C[i], gamma[i]` (1 + 2k),
/// all free.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct YeM1 {
    k: usize,
}

impl YeM1 {
    /// The law for `k >= 1` domains.
    pub fn new(k: usize) -> Result<Self, Error> {
        check_domains(k, 1)?;
        Ok(YeM1 { k })
    }
}

/// Parameter layout of [`YeM1`].
pub const BLOCKS: &[Block] = &[
    Block::free("E", 0.5, 3.0).linear(),
    Block::free_each("C", -1.0, 1.0).linear(),
    Block::free_each("gamma", -2.0, 2.0),
];

impl Law for YeM1 {
    fn name(&self) -> &'static str {
        "ye-m1"
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
        let (e, c, gamma) = (p.scalar(), p.each(self.k), p.each(self.k));
        let terms = c.iter().zip(gamma).zip(row.h);
        match grad {
            None => self.value_of(params, &row.into()),
            Some(grad) => {
                let mut g = Writer::new(grad);
                g.scalar(1.0);
                let (dc, dgamma) = (g.each(self.k), g.each(self.k));
                let mut sum = 0.0;
                for ((dci, dgi), ((&ci, &gi), &hi)) in
                    dc.iter_mut().zip(dgamma.iter_mut()).zip(terms)
                {
                    let x = unit_exp(gi, hi);
                    *dci = x;
                    *dgi = ci * hi * x;
                    sum += ci * x;
                }
                e + sum
            }
        }
    }
    fn grad_h_row(&self, params: &[f64], row: &Row<'_>, grad_h: &mut [f64]) -> f64 {
        self.grad_h_of(params, &row.into(), grad_h)
    }
}

impl RealLaw for YeM1 {
    fn value_of<T: Real>(&self, params: &[T], row: &RowOf<'_, T>) -> T {
        let mut p = Reader::new(params);
        let (e, c, gamma) = (p.scalar(), p.each(self.k), p.each(self.k));
        e + c
            .iter()
            .zip(gamma)
            .zip(row.h)
            .map(|((&ci, &gi), &hi)| ci * unit_exp(gi, hi))
            .sum::<T>()
    }
    fn grad_h_of<T: Real>(&self, params: &[T], row: &RowOf<'_, T>, grad_h: &mut [T]) -> T {
        let mut p = Reader::new(params);
        let (e, c, gamma) = (p.scalar(), p.each(self.k), p.each(self.k));
        grad_h.iter_mut().for_each(|g| *g = T::ZERO);
        let mut sum = T::ZERO;
        for (gh, ((&ci, &gi), &hi)) in grad_h.iter_mut().zip(c.iter().zip(gamma).zip(row.h)) {
            let t = ci * unit_exp(gi, hi);
            *gh += gi * t;
            sum += t;
        }
        e + sum
    }
}

/// `exp(gamma h)`, exactly 1 without calling `exp` at `h = 0`: the mixtures of many-domain
/// data sets are sparse (each run weights a few of hundreds of domains), and the absent
/// domains would otherwise cost one `exp` each per row.
#[inline]
fn unit_exp<T: Real>(gamma: T, h: T) -> T {
    if h == T::ZERO {
        T::ONE
    } else {
        (gamma * h).exp()
    }
}
