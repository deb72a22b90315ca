//! `ye-m4`: L = E + C exp(sum_i gamma_i h_i) (Ye et al. 2024, M4, as rewritten in
//! Shukor et al. 2025, appendix B.1; Belenki et al.'s "DML" per validation domain).

use crate::data::{Inputs, Row};
use crate::law::Law;
use crate::laws::check_domains;
use crate::param::{Block, Reader, Writer};
use crate::real::{Real, RealLaw, RowOf};
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
        let Some(grad) = grad else {
            return self.value_of(params, &row.into());
        };
        let mut p = Reader::new(params);
        let (e, c, gamma) = (p.scalar(), p.scalar(), p.each(self.k));
        let s: f64 = gamma.iter().zip(row.h).map(|(&gi, &hi)| gi * hi).sum();
        let x = libm::exp(s);
        let t = c * x;
        let mut g = Writer::new(grad);
        g.scalar(1.0);
        g.scalar(x);
        for (dgi, &hi) in g.each(self.k).iter_mut().zip(row.h) {
            *dgi = t * hi;
        }
        e + t
    }
    fn grad_h_row(&self, params: &[f64], row: &Row<'_>, grad_h: &mut [f64]) -> f64 {
        self.grad_h_of(params, &row.into(), grad_h)
    }
}

impl RealLaw for YeM4 {
    fn value_of<T: Real>(&self, params: &[T], row: &RowOf<'_, T>) -> T {
        let mut p = Reader::new(params);
        let (e, c, gamma) = (p.scalar(), p.scalar(), p.each(self.k));
        let s: T = gamma.iter().zip(row.h).map(|(&gi, &hi)| gi * hi).sum();
        e + c * s.exp()
    }
    fn grad_h_of<T: Real>(&self, params: &[T], row: &RowOf<'_, T>, grad_h: &mut [T]) -> T {
        let mut p = Reader::new(params);
        let (e, c, gamma) = (p.scalar(), p.scalar(), p.each(self.k));
        let s: T = gamma.iter().zip(row.h).map(|(&gi, &hi)| gi * hi).sum();
        let t = c * s.exp();
        grad_h.iter_mut().for_each(|g| *g = T::ZERO);
        for (gh, &gi) in grad_h.iter_mut().zip(gamma) {
            *gh += t * gi;
        }
        e + t
    }
}
