//! `ye-m3`: L = E + C exp(prod_i gamma_i h_i) (Ye et al. 2024, M3, as rewritten in
//! Shukor et al. 2025, appendix B.1; reported there as hard to fit).

use crate::data::{Inputs, Row};
use crate::law::Law;
use crate::laws::check_domains;
use crate::param::{Block, Reader, Writer};
use crate::real::{Real, RealLaw, RowOf};
use crate::Error;

/// Ye et al.'s M3, the exponential of a product; parameters `E, C, gamma[i]` (2 + k), all
/// free.
///
/// The derivatives of the product `P = prod_j gamma_j h_j` are products over all other
/// factors, formed from prefix and suffix products (no division), so they are exact where
/// some `gamma_j h_j` is zero.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct YeM3 {
    k: usize,
}

impl YeM3 {
    /// The law for `k >= 1` domains.
    pub fn new(k: usize) -> Result<Self, Error> {
        check_domains(k, 1)?;
        Ok(YeM3 { k })
    }
}

/// Parameter layout of [`YeM3`].
pub const BLOCKS: &[Block] = &[
    Block::free("E", 0.5, 3.0).linear(),
    Block::free("C", -1.0, 1.0).linear(),
    Block::free_each("gamma", -3.0, 3.0),
];

/// Writes `out_i = scale * w_i * prod_{j != i} gamma_j h_j` for every i, where `w_i` is `h_i`
/// (`by_h = true`, the derivative in gamma_i) or `gamma_i` (the derivative in h_i), and
/// returns `prod_j gamma_j h_j` through `scale_of`, which maps the product to `scale`.
///
/// A forward pass writes the prefix products into `out`, a backward pass multiplies in
/// the suffix products: O(k), no division, no allocation.
#[inline]
fn product_grad<T: Real>(
    gamma: &[T],
    h: &[T],
    by_h: bool,
    out: &mut [T],
    scale_of: impl FnOnce(T) -> T,
) -> T {
    let mut prefix = T::ONE;
    for (o, (&gi, &hi)) in out.iter_mut().zip(gamma.iter().zip(h)) {
        *o = prefix;
        prefix *= gi * hi;
    }
    let scale = scale_of(prefix);
    let mut suffix = T::ONE;
    for (o, (&gi, &hi)) in out
        .iter_mut()
        .rev()
        .zip(gamma.iter().rev().zip(h.iter().rev()))
    {
        let w = if by_h { hi } else { gi };
        *o *= suffix * scale * w;
        suffix *= gi * hi;
    }
    prefix
}

impl Law for YeM3 {
    fn name(&self) -> &'static str {
        "ye-m3"
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
                let mut ep = 0.0;
                product_grad(gamma, row.h, true, dgamma, |prod| {
                    ep = libm::exp(prod);
                    c * ep
                });
                dc.iter_mut().for_each(|x| *x = ep);
                e + c * ep
            }
        }
    }
    fn grad_h_row(&self, params: &[f64], row: &Row<'_>, grad_h: &mut [f64]) -> f64 {
        self.grad_h_of(params, &row.into(), grad_h)
    }
}

impl RealLaw for YeM3 {
    fn value_of<T: Real>(&self, params: &[T], row: &RowOf<'_, T>) -> T {
        let mut p = Reader::new(params);
        let (e, c, gamma) = (p.scalar(), p.scalar(), p.each(self.k));
        let prod = gamma
            .iter()
            .zip(row.h)
            .fold(T::ONE, |acc, (&gi, &hi)| acc * (gi * hi));
        e + c * prod.exp()
    }
    fn grad_h_of<T: Real>(&self, params: &[T], row: &RowOf<'_, T>, grad_h: &mut [T]) -> T {
        let mut p = Reader::new(params);
        let (e, c, gamma) = (p.scalar(), p.scalar(), p.each(self.k));
        // product_grad overwrites every slot of grad_h.
        let mut ep = T::ZERO;
        product_grad(gamma, row.h, false, grad_h, |prod| {
            ep = prod.exp();
            c * ep
        });
        e + c * ep
    }
}
