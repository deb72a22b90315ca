//! `linear`: L = sum_i W_i h_i (RegMix, Liu et al. 2024, linear-regression variant; the
//! intercept is absorbed because sum_i h_i = 1).

use crate::data::{Inputs, Row};
use crate::law::Law;
use crate::laws::check_domains;
use crate::param::{Block, Reader, Writer};
use crate::real::{Real, RealLaw, RowOf};
use crate::Error;

/// A linear function of the mixture; parameters `W[i]` (k), all free.
///
/// Being linear in its parameters, it is fitted in closed form by least squares; as a
/// [`Law`] it provides the value and gradients like every other law.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Linear {
    k: usize,
}

impl Linear {
    /// The law for `k >= 1` domains.
    pub fn new(k: usize) -> Result<Self, Error> {
        check_domains(k, 1)?;
        Ok(Linear { k })
    }
}

/// Parameter layout of [`Linear`].
pub const BLOCKS: &[Block] = &[Block::free_each("W", 1.5, 4.5).linear()];

impl Law for Linear {
    fn name(&self) -> &'static str {
        "linear"
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
        if let Some(grad) = grad {
            let mut g = Writer::new(grad);
            for (dw, &hi) in g.each(self.k).iter_mut().zip(row.h) {
                *dw = hi;
            }
        }
        self.value_of(params, &row.into())
    }
    fn grad_h_row(&self, params: &[f64], row: &Row<'_>, grad_h: &mut [f64]) -> f64 {
        self.grad_h_of(params, &row.into(), grad_h)
    }
}

impl RealLaw for Linear {
    fn value_of<T: Real>(&self, params: &[T], row: &RowOf<'_, T>) -> T {
        let w = Reader::new(params).each(self.k);
        w.iter().zip(row.h).map(|(&wi, &hi)| wi * hi).sum()
    }
    fn grad_h_of<T: Real>(&self, params: &[T], row: &RowOf<'_, T>, grad_h: &mut [T]) -> T {
        let w = Reader::new(params).each(self.k);
        grad_h.iter_mut().for_each(|g| *g = T::ZERO);
        for (gh, &wi) in grad_h.iter_mut().zip(w) {
            *gh += wi;
        }
        self.value_of(params, row)
    }
}
