//! `autoscale`: L = E + sum_i C_i (D h_i + D0_i)^-gamma_i (Kang et al., AutoScale, COLM 2025,
//! arXiv:2407.20177; the per-domain law of the authors' `DDO_example.ipynb`, in absolute
//! units as in olmix's `AutoscaleRegressor`).

use crate::data::{Inputs, Row};
use crate::law::Law;
use crate::laws::check_domains;
use crate::param::{Block, Reader, Writer};
use crate::real::{Real, RealLaw, RowOf};
use crate::Error;

/// The AutoScale law: each domain i lowers the loss by a shifted power law in its own
/// tokens `D h_i`; parameters `E, C[i], D0[i], gamma[i]` (1 + 3k; C, D0, gamma > 0).
///
/// No transfer between domains: at fixed D the law is a sum of one-domain terms. The shift
/// `D0_i > 0` keeps every term and derivative finite at `h_i = 0`. Because `D h_i` couples
/// the mixture and D, the law has no separable form (it is evaluated row by row).
///
/// With `D0 = 0` the optimal per-domain token counts `D_i* = D h_i*` are geometric in the
/// scale: see `mixlaw_opt::autoscale`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Autoscale {
    k: usize,
}

impl Autoscale {
    /// The law for `k >= 1` domains.
    pub fn new(k: usize) -> Result<Self, Error> {
        check_domains(k, 1)?;
        Ok(Autoscale { k })
    }
}

/// Parameter layout of [`Autoscale`].
pub const BLOCKS: &[Block] = &[
    Block::free("E", 0.5, 3.0).linear(),
    Block::positive_each("C", -2.0, 1.0).linear(),
    Block::positive_each("D0", -3.0, 1.0),
    Block::positive_each("gamma", -2.0, 0.5),
];

/// `x_i = D h_i + D0_i`, `ln x_i` and the term `C_i x_i^-gamma_i` of domain i.
#[inline]
fn term<T: Real>(d: T, h: T, c: T, d0: T, g: T) -> (T, T, T) {
    let x = d * h + d0;
    let ln_x = x.ln();
    (x, ln_x, c * (-g * ln_x).exp())
}

impl Law for Autoscale {
    fn name(&self) -> &'static str {
        "autoscale"
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
            d: true,
            u: false,
        }
    }
    fn eval_row(&self, params: &[f64], row: &Row<'_>, grad: Option<&mut [f64]>) -> f64 {
        let mut p = Reader::new(params);
        let (e, c, d0, gamma) = (p.scalar(), p.each(self.k), p.each(self.k), p.each(self.k));
        let mut v = e;
        match grad {
            None => return self.value_of(params, &row.into()),
            Some(grad) => {
                let mut w = Writer::new(grad);
                w.scalar(1.0);
                let (dc, dd0, dg) = (w.each(self.k), w.each(self.k), w.each(self.k));
                for (i, (((&h, &c), &d0), &g)) in row.h.iter().zip(c).zip(d0).zip(gamma).enumerate()
                {
                    let (x, ln_x, t) = term(row.d, h, c, d0, g);
                    v += t;
                    if let (Some(a), Some(b), Some(q)) =
                        (dc.get_mut(i), dd0.get_mut(i), dg.get_mut(i))
                    {
                        *a = t / c;
                        *b = -g * t / x;
                        *q = -t * ln_x;
                    }
                }
            }
        }
        v
    }
    fn grad_h_row(&self, params: &[f64], row: &Row<'_>, grad_h: &mut [f64]) -> f64 {
        self.grad_h_of(params, &row.into(), grad_h)
    }
}

impl RealLaw for Autoscale {
    fn value_of<T: Real>(&self, params: &[T], row: &RowOf<'_, T>) -> T {
        let mut p = Reader::new(params);
        let (e, c, d0, gamma) = (p.scalar(), p.each(self.k), p.each(self.k), p.each(self.k));
        let mut v = e;
        for (((&h, &c), &d0), &g) in row.h.iter().zip(c).zip(d0).zip(gamma) {
            v += term(row.d, h, c, d0, g).2;
        }
        v
    }
    fn grad_h_of<T: Real>(&self, params: &[T], row: &RowOf<'_, T>, grad_h: &mut [T]) -> T {
        let mut p = Reader::new(params);
        let (e, c, d0, gamma) = (p.scalar(), p.each(self.k), p.each(self.k), p.each(self.k));
        let mut v = e;
        for ((((gh, &h), &c), &d0), &g) in grad_h.iter_mut().zip(row.h).zip(c).zip(d0).zip(gamma) {
            let (x, _, t) = term(row.d, h, c, d0, g);
            v += t;
            *gh = -g * t / x * row.d;
        }
        v
    }
}
