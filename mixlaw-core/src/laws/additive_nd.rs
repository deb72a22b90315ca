//! `additive-nd`: L = E + 1/(sum_i C_i h_i^gamma_i), the additive law at fixed N and D
//! (Shukor et al. 2025, appendix B.1).

use crate::data::{Inputs, Row};
use crate::law::{InverseMixtureForm, Law};
use crate::laws::check_domains;
use crate::laws::terms::{inverse_mixture, inverse_mixture_grad, inverse_mixture_grad_h};
use crate::param::{Block, Reader, Writer};
use crate::real::{Real, RealLaw, RowOf};
use crate::Error;

/// The additive law of Shukor et al. for one fixed (N, D); parameters `E, C[i], gamma[i]`
/// (1 + 2k). It reads the mixture only.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AdditiveNd {
    k: usize,
}

impl AdditiveNd {
    /// The law for `k >= 1` domains.
    pub fn new(k: usize) -> Result<Self, Error> {
        check_domains(k, 1)?;
        Ok(AdditiveNd { k })
    }
}

/// Parameter layout of [`AdditiveNd`].
pub const BLOCKS: &[Block] = &[
    Block::free("E", 0.5, 3.0).linear(),
    Block::positive_each("C", -2.0, 3.0),
    Block::positive_each("gamma", -3.0, 0.5),
];

impl Law for AdditiveNd {
    fn name(&self) -> &'static str {
        "additive-nd"
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
    fn inverse_mixture_form(&self) -> Option<InverseMixtureForm> {
        Some(InverseMixtureForm::new(0, 1, 1 + self.k))
    }
    fn eval_row(&self, params: &[f64], row: &Row<'_>, grad: Option<&mut [f64]>) -> f64 {
        let mut p = Reader::new(params);
        let e = p.scalar();
        let (c, gamma) = (p.each(self.k), p.each(self.k));
        let mix = match grad {
            None => return self.value_of(params, &row.into()),
            Some(grad) => {
                let mut g = Writer::new(grad);
                g.scalar(1.0);
                let dc = g.each(self.k);
                let dg = g.each(self.k);
                inverse_mixture_grad(c, gamma, row.h, row.ln_h, 1.0, dc, dg)
            }
        };
        e + mix
    }
    fn grad_h_row(&self, params: &[f64], row: &Row<'_>, grad_h: &mut [f64]) -> f64 {
        self.grad_h_of(params, &row.into(), grad_h)
    }
}

impl RealLaw for AdditiveNd {
    fn value_of<T: Real>(&self, params: &[T], row: &RowOf<'_, T>) -> T {
        let mut p = Reader::new(params);
        let e = p.scalar();
        let (c, gamma) = (p.each(self.k), p.each(self.k));
        e + inverse_mixture(c, gamma, row.h, row.ln_h)
    }
    fn grad_h_of<T: Real>(&self, params: &[T], row: &RowOf<'_, T>, grad_h: &mut [T]) -> T {
        let mut p = Reader::new(params);
        let e = p.scalar();
        let (c, gamma) = (p.each(self.k), p.each(self.k));
        grad_h.iter_mut().for_each(|g| *g = T::ZERO);
        e + inverse_mixture_grad_h(c, gamma, row.h, row.ln_h, grad_h)
    }
}
